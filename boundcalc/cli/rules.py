"""``verify`` for the samplers that choose positions from the predictions (issue 19).

A rule spec (``confidence:TAU``, ``low-confidence:T``, ``eb:GAMMA``,
``entropy-sum:ETA``, ``left-to-right:T``, ``dilated:T``; docs/samplers.md) or
``llada:GEN:BLOCK:STEPS`` with ``--remasking low_confidence`` goes here: the
truth (exact on joint tables; exact fixed orders and Monte Carlo on chains), the
sequence error, the network calls and each rule's own guarantee.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import UsageError
from ..units import from_nats, to_nats_floor
from .render import emit_json, print_table


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
    """A value with its standard error, at the digits the error justifies (exact values: ``digits``)."""
    if value is None:
        return "-"
    if exact or error == 0 or math.isnan(error):
        return f"{value:.{digits}g}"
    decimals = max(0, 1 - int(math.floor(math.log10(error))))
    return f"{value:.{decimals}f} ± {error:.2g}"


def verify_rule(model: Any, rule: Any, length: int, params: dict[str, Any], description: str) -> None:
    """Compute and print (table or JSON) the truth and guarantees of a rule."""
    from ..sampler_truth import rule_report

    report = rule_report(model, rule, length, samples=params.get("samples") or 200, seed=params.get("seed") or 0)
    unit = params["unit"]
    if params["as_json"]:
        data = report.to_dict()
        data.update(model=description, unit=unit)
        for key in ("truth", "truth_error"):
            if isinstance(data.get(key), float) and not math.isnan(data[key]):
                data[key] = from_nats(data[key], unit)
        for g in data["guarantees"]:
            g["value"] = None if g["value"] is None else from_nats(g["value"], unit)
        emit_json(data)
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

    if families != ["confidence"] or params["joint_table"] is None:
        raise UsageError("the threshold search needs both a joint table and the confidence family",
                         param="--joint" if params["joint_table"] is None else "--family",
                         allowed="--joint FILE --family confidence --target ε")
    if not params["targets"]:
        raise UsageError("no target", param="--target", allowed="one or more --target ε")
    for name in ("budget", "loss_curve", "mi_total", "mi_profile"):
        if params.get(name) is not None:
            raise UsageError(f"--{name.replace('_', '-')} is not used by the threshold search", param="--family")
    table = load_joint(params["joint_table"])
    rows, out = [], []
    for target in params["targets"]:
        eps = Fraction(target)
        result = loosest_threshold(table, to_nats_floor(eps, params["unit"]))  # exact, never looser than asked
        for key in ("kl", "kl_error"):  # computed in nats, shown in the target's unit
            if key in result:
                result[key] = from_nats(result[key], params["unit"])
        out.append({"target": str(eps), **{k: (str(v) if isinstance(v, Fraction) else v) for k, v in result.items()
                                            if k != "interval"},
                    "interval": None if result["tau"] is None else [str(x) for x in result["interval"]]})
        if result["tau"] is None:
            rows.append([str(eps), "none", "-", "-", "-", f"no threshold meets it ({result['breakpoints']} checked)"])
        else:
            lo, hi = result["interval"]
            rows.append([str(eps), f"{hi} (any τ in ({lo}, {hi}])", f"{result['kl']:.6g}",
                         f"{float(result['sequence_error']):.6g}", f"{float(result['expected_nfe']):.6g}",
                         f"sd {result['nfe_sd']:.3g}"])
    if params["as_json"]:
        emit_json({"model": f"joint table {table.source}", "family": "confidence", "unit": params["unit"],
                   "results": out})
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
        rows = []
        for r in reports:
            data = r.to_dict()
            for key in ("truth", "truth_error"):
                if isinstance(data.get(key), float) and not math.isnan(data[key]):
                    data[key] = from_nats(data[key], unit)
            rows.append(data)
        emit_json({"model": description, "unit": params["unit"], "samplers": rows})
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
