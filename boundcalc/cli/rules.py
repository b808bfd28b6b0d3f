"""``verify`` for the samplers that choose positions from the predictions (issue 19).

A rule spec (``confidence:TAU``, ``low-confidence:T``, ``eb:GAMMA``,
``entropy-sum:ETA``, ``left-to-right:T``, ``dilated:T``; docs/samplers.md) or
``llada:GEN:BLOCK:STEPS`` with ``--remasking low_confidence`` goes here: the
truth (exact on joint tables; exact fixed orders and Monte Carlo on chains), the
sequence error, the network calls and each rule's own guarantee.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..errors import UsageError
from ..units import from_nats, to_nats_floor
from .render import emit_json, plus_minus, print_table


def describe_model(model: Any, length: int) -> str:
    """One line naming a data model and L (the header of verify, sweep and steps)."""
    from ..truth import JointDistribution

    if isinstance(model, JointDistribution):
        return (f"joint table {model.source}: L = {model.length}, V = {model.vocab_size}, "
                f"{model.support_size} outcomes")
    if model.corpus:
        c = model.corpus
        return (f"text {model.source}: {c['level']} bigram chain, {c['states']} states from {c['tokens']} tokens "
                f"(add-{c['smoothing']}), L = {length}")
    start = "given initial law" if model.given_initial else "stationary start"
    return f"Markov chain {model.source}: {model.vocab_size} states, {start}; L = {length}"


def rule_target(spec: Any, remasking: str | None, length: int) -> Any:
    """The rule a parsed spec names, or None for a value-independent schedule (the classic verify path).

    ``llada:GEN:BLOCK:STEPS`` is LLaDA's ``generate``: ``remasking`` low_confidence
    (LLaDA's default, and the library's: :func:`boundcalc.sampler_truth.as_rule`) is the top-k by
    confidence inside each block, ``random`` the uniform positions of ``blocks:GEN/BLOCK:uniform:STEPS``.
    """
    from ..sampler_truth import as_rule

    family = spec.family
    if not family.is_rule and not family.remaskings:
        if remasking is not None:
            raise UsageError(f"{spec} has no remasking", param="--remasking", allowed="only with llada:GEN:BLOCK:STEPS")
        return None
    if family.is_rule and remasking is not None:
        raise UsageError(f"{spec} has no remasking", param="--remasking", allowed="only with llada:GEN:BLOCK:STEPS")
    if remasking == "random":
        return None
    return as_rule(spec, length, remasking)


def _pm(value: float | None, error: float, digits: int, exact: bool) -> str:
    """A value with its standard error, at the digits the error justifies (exact values: ``digits``): one digit
    past the error's leading one, but never more than ``digits`` significant digits (nor a float64's 17), so a
    tiny error (1.2e-16 on 2.7) does not print float noise as digits."""
    if value is None:
        return "-"
    if exact or error == 0 or math.isnan(error):
        return f"{value:.{digits}g}"
    return plus_minus(value, error, digits)


def verify_rule(model: Any, rule: Any, length: int, params: dict[str, Any], description: str) -> None:
    """Compute and print (table or JSON) the truth and guarantees of a rule."""
    from ..sampler_truth import rule_report

    report = rule_report(model, rule, length, samples=params.get("samples") or 200, seed=params.get("seed") or 0)
    unit = params["unit"]
    if params["as_json"]:
        from ..answers import RuleVerifyAnswer

        emit_json(RuleVerifyAnswer(report, description, unit))
        return
    digits, unit = params["digits"], params["unit"]
    truth = None if report.truth is None else from_nats(report.truth, unit)
    rows = [[report.truth_kind, _pm(truth, from_nats(report.truth_error, unit), digits, report.exact), unit],
            ["sequence error P_q(p(x) = 0)", _pm(report.sequence_error[0], report.sequence_error[1], digits,
                                                 report.exact), ""],
            ["expected network calls", _pm(report.expected_nfe[0], report.expected_nfe[1], digits, report.exact)
             + f" (sd {report.nfe_sd:.3g})", ""]]
    run_on = report.meta.get("expected_nfe_run_on")
    if run_on is not None and report.sequence_error[0] > 0:  # an error ends the count above; the sampler runs on
        rows[-1][0] = "expected network calls until the sample ended"
        rows.append(["network calls as it runs (it does not know it erred)", str(run_on), ""])
    for g in report.guarantees:
        value = "unknown" if g.value is None else f"{from_nats(g.value, unit):.{digits}g}"
        check = "" if g.holds is None else (" (holds)" if g.holds else " (BELOW THE TRUTH)")
        rows.append([f"{g.name} (bounds {g.bounds})", value + check, unit if g.value is not None else ""])
    caption = f"{description}; sampler {report.rule}"
    if not report.exact:
        caption += f"; Monte Carlo: {report.meta.get('samples')} trajectories, seed {report.meta.get('seed')}, ± one standard error"
    notes = [g for g in report.guarantees if g.note]
    for g in notes:
        caption += f"\n{g.name}: {g.note} ({g.source})"
    print_table("boundcalc verify", [("quantity", "left"), ("value", "right"), ("unit", "left")], rows, caption)


def steps_confidence(params: dict[str, Any], families: list[str]) -> None:
    """``steps --joint FILE --family confidence --target ε``: the loosest threshold meeting each target."""
    from fractions import Fraction

    from ..sampler_truth import loosest_threshold
    from ..truth import load_joint

    from ..registry import family as registered_family

    found = registered_family(families[0]) if len(families) == 1 else None
    if found is None or not found.threshold_search or params["joint_table"] is None:
        raise UsageError("the threshold search needs both a joint table and the confidence family",
                         param="--joint" if params["joint_table"] is None else "--family",
                         allowed="--joint FILE --family confidence --target ε")
    if not params["targets"]:
        raise UsageError("no target", param="--target", allowed="one or more --target ε")
    for name in ("budget", "loss_curve", "mi_total", "mi_profile"):
        if params.get(name) is not None:
            raise UsageError(f"--{name.replace('_', '-')} is not used by the threshold search", param="--family")
    table = load_joint(params["joint_table"])
    rows, searched = [], []
    for target in params["targets"]:
        eps = Fraction(target)
        result = loosest_threshold(table, to_nats_floor(eps, params["unit"]))  # exact, never looser than asked
        searched.append((eps, result))
        # computed in nats, shown in the target's unit
        result = {**result, **{k: from_nats(result[k], params["unit"]) for k in ("kl", "kl_error") if k in result}}
        if result["tau"] is None:
            rows.append([str(eps), "none", "-", "-", "-", f"no threshold meets it ({result['breakpoints']} checked)"])
        else:
            lo, hi = result["interval"]
            rows.append([str(eps), f"{hi} (any τ in ({lo}, {hi}])", f"{result['kl']:.6g}",
                         f"{float(result['sequence_error']):.6g}", f"{float(result['expected_nfe']):.6g}",
                         f"sd {result['nfe_sd']:.3g}"])
    if params["as_json"]:
        from ..answers import ThresholdSearchAnswer

        emit_json(ThresholdSearchAnswer(f"joint table {table.source}", params["unit"], tuple(searched)))
        return
    print_table(f"Loosest Fast-dLLM threshold with exact KL(p||q) <= ε ({params['unit']})",
                [("ε", "right"), ("τ", "left"), ("KL(p||q)", "right"), ("sequence error", "right"),
                 ("E[NFE]", "right"), ("", "left")], rows,
                f"joint table {table.source}: L = {table.length}, V = {table.vocab_size}; KL in {params['unit']}, decided with "
                "its float error; KL is not monotone in τ, so every breakpoint is checked")


def tradeoff_output(reports: list[Any], description: str, params: dict[str, Any]) -> None:
    """``sweep --sampler ...``: one row per sampler, its truth, sequence error and expected calls (table/JSON/CSV)."""
    import csv
    import io

    import click

    unit, digits = params["unit"], params["digits"]
    if params["as_json"]:
        from ..answers import TradeoffAnswer

        emit_json(TradeoffAnswer(tuple(reports), description, params["unit"]))
        return
    if params["as_csv"]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["sampler", "truth", "truth_error", "truth_kind", "sequence_error", "sequence_error_se",
                         "expected_nfe", "expected_nfe_se", "nfe_sd", "expected_nfe_run_on"])
        for r in reports:
            truth = "" if r.truth is None else repr(from_nats(r.truth, unit))
            error = "" if r.truth is None or math.isnan(r.truth_error) else repr(from_nats(r.truth_error, unit))
            writer.writerow([str(r.rule), truth, error, r.truth_kind, repr(r.sequence_error[0]),
                             repr(r.sequence_error[1]), repr(r.expected_nfe[0]), repr(r.expected_nfe[1]),
                             repr(r.nfe_sd), _run_on(r, repr, "")])
        click.echo(out.getvalue(), nl=False)
        return
    table: list[list[str]] = []
    for r in sorted(reports, key=lambda r: r.expected_nfe[0]):
        value = None if r.truth is None else from_nats(r.truth, unit)
        table.append([str(r.rule), _pm(r.expected_nfe[0], r.expected_nfe[1], digits, r.exact),
                     _pm(value, from_nats(r.truth_error, unit), digits, r.exact or "exact" in r.truth_kind),
                     r.truth_kind, _pm(r.sequence_error[0], r.sequence_error[1], digits, r.exact),
                     _run_on(r, lambda v: f"{v:.{digits}g}", "-")])
    print_table(f"Samplers at their expected network calls ({params['unit']})",
                [("sampler", "left"), ("E[NFE]", "right"), ("truth", "right"), ("what", "left"),
                 ("sequence error", "right"), ("calls as it runs", "right")], table,
                description + "; Monte Carlo values ± one standard error; E[NFE]: calls until the sample ended "
                "(a sequence error ends it), calls as it runs: what the sampler spends all the same, '-' where "
                "its calls depend on the predictions (docs/samplers.md)")


def _run_on(report: Any, show: Any, missing: str) -> str:
    """The expected calls as the sampler runs on after a sequence error (None: depends on the predictions)."""
    value = report.meta.get("expected_nfe_run_on")
    return missing if value is None else show(value)


def steps_rule(params: dict[str, Any], families: list[str]) -> None:
    """``steps --family RULE`` from a data model: the loosest threshold or the fewest fixed-order T per target.

    ``--joint FILE --family confidence``: every breakpoint of τ, exactly; ``--family NAME:LO..HI/N``
    (confidence, eb, entropy-sum): the grid's points, exact on a joint table, and for eb/entropy-sum
    on a chain the Monte Carlo upper bound E_p Σ TC decided statistically; ``--family left-to-right``
    or ``dilated``: every T exactly (tables and chains).
    """
    from .. import rule_families  # noqa: F401  (the rule families registered)
    from ..registry import family as family_named
    from ..registry import parse_grid

    if len(families) != 1:
        raise UsageError("the rule search takes one family", param="--family",
                         allowed="confidence, NAME:LO..HI/N (confidence, eb, entropy-sum), left-to-right or dilated")
    if not params["targets"]:
        raise UsageError("no target", param="--target", allowed="one or more --target ε")
    for name in ("budget", "loss_curve", "mi_total", "mi_profile"):
        if params.get(name) is not None:
            raise UsageError(f"--{name.replace('_', '-')} is not used by the rule search", param="--family")
    text = families[0]
    head = text.partition(":")[0]
    found = family_named(head)
    if found is None or not found.is_rule:
        raise UsageError(f"{text}: a data model (--joint, --markov, --text) is searched over a sampler rule",
                         param="--family", allowed="confidence, NAME:LO..HI/N, left-to-right or dilated")
    model, L, description = _rule_model(params)
    targets = [to_nats_floor(Fraction(t), params["unit"]) for t in params["targets"]]  # never looser than asked
    if text == "confidence" and isinstance(model, _joint_type()):
        return steps_confidence(params, families)
    if text in ("left-to-right", "dilated"):
        from ..sampler_truth import fewest_fixed_order_steps

        result = fewest_fixed_order_steps(model, text, targets, L)
    elif found.params[0].kind == "rational" and ":" in text:
        from ..sampler_truth import loosest_on_grid

        result = loosest_on_grid(model, parse_grid(text, "--family"), targets, L, samples=params["samples"],
                                 seed=params["seed"])
    else:
        raise UsageError(f"{text}: what to search", param="--family",
                         allowed="--joint FILE --family confidence, NAME:LO..HI/N (a grid of confidence, eb or "
                         "entropy-sum thresholds), left-to-right or dilated")
    _print_rule_search(result, params, description)


def _joint_type() -> Any:
    from ..truth import JointDistribution

    return JointDistribution


def _rule_model(params: dict[str, Any]) -> tuple[Any, int, str]:
    """(the data model of --joint/--markov/--text, L, a description)."""
    from ..truth import load_model

    given = [flag for flag, name in (("--joint", "joint_table"), ("--markov", "markov"), ("--text", "text"))
             if params.get(name) is not None]
    if len(given) != 1:
        raise UsageError("give exactly one data model" + (f", not {' and '.join(given)}" if given else ""),
                         param="--family", allowed="--joint FILE, --markov FILE or --text FILE")
    model = load_model(joint=params["joint_table"], markov=params["markov"], text=params["text"], level="char",
                       normalize=False, max_states=None)
    L = model.check_length(params["length"] if params["joint_table"] is None else None)
    return model, L, describe_model(model, L)


def _print_rule_search(result: dict[str, Any], params: dict[str, Any], description: str) -> None:
    """The answers per target (and every point evaluated, in the JSON)."""
    targets = [str(Fraction(t)) for t in params["targets"]]
    if params["as_json"]:
        from ..answers import RuleSearchAnswer

        emit_json(RuleSearchAnswer(description, params["unit"], tuple(targets), result))
        return
    fixed = "steps" in result["rows"][0] if result["rows"] else result["family"] in ("left-to-right", "dilated")
    rows = []
    for answer, shown in zip(result["answers"], targets):
        rows.append([shown, *_answer_cells(answer, result, fixed, params["digits"], params["unit"])])
    if fixed:
        title = f"Fewest steps of {result['family']} with exact KL(p||q) <= ε ({params['unit']})"
        header = [("ε", "right"), ("T", "right"), ("KL(p||q)", "right"), ("sequence error", "right")]
        caption = (f"{description}; every T from 1 checked in turn, exact (KL decided with its float error, in nats; "
                   "a target in bits is rounded down); sequence error: on a joint table ('-' on a chain)")
    else:
        what = "exact KL(p||q)" if result["exact"] else "E_p Σ TC (an upper bound on KL(p||q), Monte Carlo)"
        title = f"Loosest {result['family']} threshold on the grid with {what} <= ε ({params['unit']})"
        header = [("ε", "right"), ("threshold", "left"), ("value", "right"), ("sequence error", "right"),
                  ("E[NFE]", "right")]
        caption = f"{description}; {len(result['rows'])} grid points evaluated"
        if not result["exact"]:
            caption += (f"; a STATISTICAL decision: a point counts when estimate + {result['z']:.3g} standard errors "
                        f"<= ε (one-sided, Bonferroni over the {len(result['rows'])} points: familywise confidence "
                        f"{result['confidence']:g}; {result['samples']} trajectories, seed {result['seed']}), "
                        "never an exact one")
    print_table(title, header, rows, caption)


def _answer_cells(answer: dict[str, Any], result: dict[str, Any], fixed: bool, digits: int, unit: str) -> list[str]:
    """One target's row, its values in ``unit`` (computed in nats)."""
    if fixed:
        if answer["steps"] is None:
            return ["none", "-", f"no T <= {result['checked']} meets it"]
        seq = "-" if answer["sequence_error"] is None else f"{answer['sequence_error']:.{digits}g}"
        return [str(answer["steps"]), f"{from_nats(answer['kl'], unit):.{digits}g}", seq]
    best = answer["loosest"]
    if best is None:
        return ["none", "-", "-", f"no grid point meets it ({len(result['rows'])} checked)"]
    if result["exact"]:
        return [best["spec"], f"{from_nats(best['kl'], unit):.{digits}g}", f"{best['sequence_error']:.{digits}g}",
                f"{best['expected_nfe']:.{digits}g}"]
    return [best["spec"], _pm(from_nats(best["tc_bound"], unit), from_nats(best["tc_bound_se"], unit), digits, False),
            _pm(best["sequence_error"], best["sequence_error_se"], digits, False),
            _pm(best["expected_nfe"], best["expected_nfe_se"], digits, False)]
