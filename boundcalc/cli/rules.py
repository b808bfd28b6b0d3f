"""``verify`` for the samplers that choose positions from the predictions (issue 19).

A rule spec (``confidence:TAU``, ``low-confidence:T``, ``eb:GAMMA``,
``entropy-sum:ETA``, ``left-to-right:T``, ``dilated:T``; docs/samplers.md) or
``llada:GEN:BLOCK:STEPS`` with ``--remasking low_confidence`` goes here: the
truth (exact on joint tables; exact fixed orders and Monte Carlo on chains), the
sequence error, the network calls and each rule's own guarantee.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import UsageError
from ..units import to_nats_floor
from ..sources import describe_model
from .render import emit_csv, emit_json, emit_table


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


def verify_rule(model: Any, rule: Any, length: int, params: dict[str, Any], description: str) -> None:
    """Compute and print (table or JSON) the truth and guarantees of a rule."""
    from ..sampler_truth import rule_report

    report = rule_report(model, rule, length, samples=params.get("samples") or 200, seed=params.get("seed") or 0)
    from ..answers import RuleVerifyAnswer

    answer = RuleVerifyAnswer(report, description, params["unit"])
    emit_json(answer) if params["as_json"] else emit_table(answer, params["digits"])


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
    _refuse_unused(params, "the threshold search")
    from ..answers import ThresholdSearchAnswer

    table = load_joint(params["joint_table"])
    searched = tuple((Fraction(t), loosest_threshold(table, to_nats_floor(Fraction(t), params["unit"])))
                     for t in params["targets"])  # exact, never looser than asked
    answer = ThresholdSearchAnswer(f"joint table {table.source}", params["unit"], searched, table.length,
                                   table.vocab_size)
    emit_json(answer) if params["as_json"] else emit_table(answer, params["digits"])


def tradeoff_output(reports: list[Any], description: str, params: dict[str, Any]) -> None:
    """``sweep --sampler ...``: one row per sampler, its truth, sequence error and expected calls (table/JSON/CSV)."""
    from ..answers import TradeoffAnswer

    answer = TradeoffAnswer(tuple(reports), description, params["unit"])
    if params["as_json"]:
        emit_json(answer)
    elif params["as_csv"]:
        emit_csv(answer)
    else:
        emit_table(answer, params["digits"])


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
    _refuse_unused(params, "the rule search")
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
    from ..answers import RuleSearchAnswer

    answer = RuleSearchAnswer(description, params["unit"], tuple(str(Fraction(t)) for t in params["targets"]), result)
    emit_json(answer) if params["as_json"] else emit_table(answer, params["digits"])


def _refuse_unused(params: dict[str, Any], search: str) -> None:
    """The searches on a data model read no ΣI, curve or budget: one line for a flag they would ignore."""
    for name in ("budget", "loss_curve", "mi_total", "mi_profile"):
        if params.get(name) is not None:
            raise UsageError(f"--{name.replace('_', '-')} is not used by {search}", param="--family")
