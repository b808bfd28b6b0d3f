"""The answer a practitioner wants from `steps --loss-curve`: per-token targets, one recommendation line
comparing the families people run, honest ranges for partial curves, and the schedule as LLaDA's /
Dream's per-step `num_transfer_tokens`.
"""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction
from typing import Any

import click

from .options import POSITIVE
from .render import emit_json, print_table, show
from ..units import to_nats

#: The families the recommendation compares (by estimated error), then the DP optimum.
RECOMMENDED_FAMILIES = ("cosine", "uniform", "mdlm", "dream-origin")


@dataclasses.dataclass(frozen=True)
class PerToken:
    """A target given per token (``0.01/token``): the whole-sequence target is L times it."""

    value: Fraction

    def __str__(self) -> str:
        return f"{self.value}/token"


class TargetParam(click.ParamType):
    """A positive rational, or one per token: ``0.01/token``."""

    name = "target"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (Fraction, PerToken)):
            return value
        text = str(value).strip()
        if not text.endswith("/token"):
            return POSITIVE.convert(value, param, ctx)  # the same messages as every positive number
        return PerToken(POSITIVE.convert(text[: -len("/token")], param, ctx))


TARGET = TargetParam()


def resolve_targets(params: dict[str, Any], length: int) -> None:
    """Per-token targets become whole-sequence ones (x L); ``params["per_token"]`` remembers which were."""
    targets = list(params.get("targets") or ())
    params["per_token"] = [isinstance(t, PerToken) for t in targets]
    params["targets"] = tuple(t.value * length if isinstance(t, PerToken) else t for t in targets)


def complete_results(results: list, curve: Any, family: str, by: str, unit: str, vocab_size: int | None) -> list:
    """For a partial curve: each value with its completion interval and each T with its range [T_lo, T_hi]."""
    from ..completion import is_partial, optimal_steps_range, steps_range, with_completion
    from ..estimate import count_coefficients, schedule_coefficients
    from ..step_families import is_count_family

    if curve is None or curve.exact or not is_partial(curve) or by == "bound":
        return results
    out = []
    for r in results:
        if not r.feasible or r.value is None:
            out.append(r)
            continue
        c = count_coefficients(r.sampler) if r.sampler is not None else schedule_coefficients(r.schedule, curve.length)
        goal = to_nats(float(r.target), unit)  # the exact target in its unit; the curve is in nats
        if by == "optimal":
            span = optimal_steps_range(goal, r.steps, curve, vocab_size, curve.length)
        elif is_count_family(family):
            span = (r.steps, None)  # not searched: each T is a count DP (T_hi says none found)
        else:
            span = steps_range(family, goal, r.steps, curve, vocab_size, curve.length)
        out.append(dataclasses.replace(r, value=with_completion(r.value, curve, c, vocab_size), steps_range=span))
    return out


def complete_estimate(estimate: Any, curve: Any, schedule: Any, vocab_size: int | None) -> Any:
    """A fixed schedule's estimate with its interval over monotone completions (a partial curve)."""
    from ..completion import is_partial, with_completion
    from ..estimate import schedule_coefficients
    from ..schedule import Schedule

    if curve is None or curve.exact or not is_partial(curve) or not isinstance(schedule, Schedule):
        return estimate
    return with_completion(estimate, curve, schedule_coefficients(schedule, curve.length), vocab_size)


def complete_budget(rows: list, curve: Any, vocab_size: int | None) -> list:
    """Budget rows' errors with their intervals over monotone completions (a partial curve)."""
    from ..completion import is_partial, with_completion
    from ..estimate import count_coefficients

    if curve is None or curve.exact or not is_partial(curve):
        return rows
    out = []
    for row in rows:
        if row.get("error") is not None and row.get("sampler") is not None:
            row = {**row, "error": with_completion(row["error"], curve, count_coefficients(row["sampler"]), vocab_size)}
        elif row.get("error") is not None and row.get("schedule") is not None:
            row = {**row, "error": complete_estimate(row["error"], curve, row["schedule"], vocab_size)}
        out.append(row)
    return out


def steps_cell(r: Any) -> str:
    """'52' or '52 [52, ∞]' (the range over monotone completions)."""
    if r.steps_range is None:
        return str(r.steps)
    lo, hi = r.steps_range
    return f"{r.steps} [{lo}, {'∞' if hi is None else hi}]"


def _search(family: str, by: str, target: Fraction, curve: Any, unit: str, vocab: int | None) -> Any:
    from ..errors import BoundcalcError
    from ..family_steps import required_steps_family

    try:
        result = required_steps_family([target], family=family, by=by, length=curve.length, curve=curve, unit=unit)[0]
    except BoundcalcError as error:  # a family too costly here, or without a T at this L: said, not hidden
        return error
    return complete_results([result], curve, family, by, unit, vocab)[0]


def _range_text(r: Any) -> str:
    if not r.feasible:
        return "none <= L"
    if r.steps_range is None or r.steps_range[1] == r.steps:
        return str(r.steps)
    hi = r.steps_range[1]
    return f"{r.steps}..{'∞' if hi is None else hi}"


def recommendation(params: dict[str, Any], curve: Any) -> tuple[str, dict[str, Any], Any]:
    """(the line, its JSON, the recommended result) for the hardest target: the fewest T by estimated error."""
    unit, digits = params["unit"], params["digits"]
    vocab = params.get("vocab_size")
    i = min(range(len(params["targets"])), key=lambda j: params["targets"][j])
    target = params["targets"][i]
    found = {family: _search(family, "error", target, curve, unit, vocab) for family in RECOMMENDED_FAMILIES}
    optimal = _search("optimal", "optimal", target, curve, unit, vocab)
    runnable = {f: r for f, r in found.items() if not isinstance(r, Exception) and r.feasible}
    per_token = f"{show(target / curve.length, 2)} {unit}/token"
    goal = f"{show(target, digits)} {unit} ({per_token})"
    if not runnable:
        return f"no family reaches {goal} with T <= L", {"target": str(target), "family": None}, None
    best = min(runnable, key=lambda f: (runnable[f].steps, RECOMMENDED_FAMILIES.index(f)))
    parts = [f"{best} T = {_range_text(runnable[best])} reaches {goal}"]
    for family, r in found.items():
        if family != best:
            parts.append(f"{family} needs {'-' if isinstance(r, Exception) else _range_text(r)}")
    if not isinstance(optimal, Exception):
        parts.append(f"the optimal schedule {_range_text(optimal)}")
    data = {"target": show(target, digits), "per_token": show(target / curve.length, digits), "family": best,
            "steps": runnable[best].steps, "steps_range": list(runnable[best].steps_range or ()) or None,
            "families": {f: (None if isinstance(r, Exception) or not r.feasible else r.steps) for f, r in found.items()},
            "optimal": None if isinstance(optimal, Exception) or not optimal.feasible else optimal.steps,
            "llada_blocks": "blocks:K:FAMILY is searched by its bound only (steps --family blocks:K:uniform)"}
    return "; ".join(parts[:1]) + "; " + "; ".join(parts[1:]), data, runnable[best]


def export_transfer(result: Any) -> None:
    """Print the schedule as LLaDA's / Dream's per-step num_transfer_tokens: one JSON list per block."""
    from ..transfer import num_transfer_tokens_per_block

    if result is None or not result.feasible:
        raise click.UsageError("no schedule reaches the target: nothing to export")
    if result.schedule is None:
        raise click.UsageError(f"{result.sampler} reveals random counts: it has no fixed num_transfer_tokens")
    click.echo(json.dumps(num_transfer_tokens_per_block(result.schedule)))


def render_recommendation(params: dict[str, Any], curve: Any, profile: Any, source: str) -> None:
    """`steps --loss-curve --target` without --family/--by: the recommendation line, then each family's T."""
    line, data, chosen = recommendation(params, curve)
    if params.get("export") == "num-transfer-tokens":
        export_transfer(chosen)
        return
    if params["as_json"]:
        emit_json({"length": curve.length, "unit": params["unit"], "source": source, "recommendation": line,
                   **{"recommended": data}})
        return
    click.echo(line)
    print_table(
        "Steps by estimated error: the families people run",
        [("family", "left"), ("steps T", "right")],
        [[f, "-" if v is None else str(v)] for f, v in data["families"].items()]
        + [["optimal (DP)", "-" if data["optimal"] is None else str(data["optimal"])]],
        header_lines=[source, f"L = {curve.length}; target {data['target']} {params['unit']} "
                              f"({data['per_token']} {params['unit']}/token)"],
        caption="steps --family F --by error for a family's schedule and value; LLaDA's blocks (blocks:K:F) are "
        "searched by their bound only; --export num-transfer-tokens prints the chosen schedule per step",
    )
