"""The answer a practitioner wants from `steps --loss-curve`: per-token targets, one recommendation line
comparing the families people run, honest ranges for partial curves, and the schedule as LLaDA's /
Dream's per-step `num_transfer_tokens`.
"""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from typing import Any

import click

from .options import POSITIVE
from .render import emit_json, emit_table
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


def complete_results(results: list, curve: Any, by: str, unit: str, vocab_size: int | None) -> list:
    """For a curve with unmeasured d: each value with its completion interval and each T with its range
    [T_lo, T_hi] (random-count families too, by their expected error; the DP optimum with an upper limit)."""
    from ..completion import has_gaps
    from .truth import progress_bar

    if curve is None or not has_gaps(curve) or by == "bound":
        return results
    with progress_bar("T range over the completions") as bar:  # drawn on a terminal after a second
        return [_completed(r, curve, by, unit, vocab_size, bar) for r in results]


def _completed(r: Any, curve: Any, by: str, unit: str, vocab_size: int | None, progress: Any) -> Any:
    """One result of :func:`complete_results` (``progress``: the T range's scan, on a terminal)."""
    from ..completion import optimal_steps_range, steps_range, with_completion
    from ..counts import MAX_COUNT_STEPS
    from ..errors import DomainError
    from ..estimate import count_coefficients, schedule_coefficients
    from ..step_families import COUNT_MAX_STEPS_FACTOR

    if not r.feasible or r.value is None:
        return r
    c = count_coefficients(r.sampler) if r.sampler is not None else schedule_coefficients(r.schedule, curve.length)
    goal = to_nats(float(r.target), unit)  # the exact target in its unit; the curve is in nats
    reason = r.reason
    try:
        if by == "optimal":
            span = optimal_steps_range(goal, r.steps, curve, vocab_size, curve.length)
        else:  # a random-count family's T may exceed L: its own search limit
            top = (min(COUNT_MAX_STEPS_FACTOR * curve.length, MAX_COUNT_STEPS) if r.random_counts
                   else curve.length)
            span = steps_range(r.family, goal, r.steps, curve, vocab_size, top, progress)
    except DomainError as error:  # too costly at this L: the value keeps its interval, the range is not given
        span, reason = None, "; ".join(filter(None, [reason, f"T range not searched: {error.message}"]))
    return dataclasses.replace(r, value=with_completion(r.value, curve, c, vocab_size), steps_range=span,
                               reason=reason)


def complete_bound_results(results: list, curve: Any, unit: str, vocab_size: int | None, mi_total: Any,
                           eps_train: Any, search: Any) -> list:
    """``by bound`` from a curve with ΣI unmeasured at an end (r = 1/L or r = 1): each bound's interval and T's range.

    Every bound searched is coefficient · ΣI + ε_train, so over the monotone completions it ranges over the
    coefficient times ΣI's interval (:func:`boundcalc.completion.input_intervals`), and T over [the fewest T
    at ΣI's lower end, at its upper end] (``search(mi_total)`` reruns the same search at another ΣI; T_hi None
    when ΣI is unbounded above, without a vocabulary size, or no T reaches the target there).
    """
    from fractions import Fraction

    from ..completion import has_gaps, input_intervals
    from ..units import from_nats

    if curve is None or curve.exact or not has_gaps(curve):
        return results
    low, high = (from_nats(x, unit) for x in input_intervals(curve, None, vocab_size)["mi_total"])
    if not high > low or not mi_total:
        return results
    at_low = search(Fraction(low))
    at_high = None if high == float("inf") else search(Fraction(high))
    out = []
    for i, r in enumerate(results):
        if not r.feasible or r.value is None:
            out.append(r)
            continue
        value = float(r.value.value if hasattr(r.value, "value") else r.value)
        slope = max((value - float(eps_train)) / float(mi_total), 0.0)
        # a bound flat in ΣI (slope 0: e.g. blocks at s = 1) stays at ε_train even when ΣI is unbounded (0·∞ is nan)
        ends = (float(eps_train) + slope * low, float(eps_train) if not slope
                else float("inf") if high == float("inf") else float(eps_train) + slope * high)
        interval = (min(ends[0], value), max(ends[1], value))
        lo_t = at_low[i].steps if at_low[i].feasible else r.steps
        hi_t = None if at_high is None or not at_high[i].feasible else at_high[i].steps
        out.append(dataclasses.replace(r, value=dataclasses.replace(r.value, interval=interval)
                                       if hasattr(r.value, "interval") else r.value,
                                       steps_range=(min(lo_t, r.steps), None if hi_t is None else max(hi_t, r.steps))))
    return out


def complete_estimate(estimate: Any, curve: Any, schedule: Any, vocab_size: int | None) -> Any:
    """A fixed schedule's estimate with its interval over monotone completions (a partial curve)."""
    from ..completion import has_gaps, with_completion
    from ..estimate import schedule_coefficients
    from ..schedule import Schedule

    if curve is None or not has_gaps(curve) or not isinstance(schedule, Schedule):
        return estimate
    return with_completion(estimate, curve, schedule_coefficients(schedule, curve.length), vocab_size)


def complete_budget(rows: list, curve: Any, vocab_size: int | None) -> list:
    """Budget rows' errors with their intervals over monotone completions (a partial curve)."""
    from ..completion import has_gaps, with_completion
    from ..estimate import count_coefficients

    if curve is None or not has_gaps(curve):
        return rows
    out = []
    for row in rows:
        if row.get("error") is not None and row.get("sampler") is not None:
            row = {**row, "error": with_completion(row["error"], curve, count_coefficients(row["sampler"]), vocab_size)}
        elif row.get("error") is not None and row.get("schedule") is not None:
            row = {**row, "error": complete_estimate(row["error"], curve, row["schedule"], vocab_size)}
        out.append(row)
    return out


def _search(family: Any, by: str, target: Fraction, curve: Any, unit: str, vocab: int | None) -> Any:
    from ..errors import BoundcalcError
    from ..family_steps import required_steps_family

    try:
        result = required_steps_family([target], family=family, by=by, length=curve.length, curve=curve, unit=unit)[0]
    except BoundcalcError as error:  # a family too costly here, or without a T at this L: said, not hidden
        return error
    return complete_results([result], curve, by, unit, vocab)[0]


#: LLaDA's generate() default block_length: the block size the recommendation's blocks line uses.
LLADA_BLOCK_LENGTH = 32
#: Why the adaptive rules are not in the recommendation (one line, said wherever it is shown).
ADAPTIVE_NOTE = ("adaptive rules (confidence, low-confidence, eb, entropy-sum) reveal the positions the predictor is "
                 "most sure of: their error depends on its confidences, which no loss curve records; verify them on "
                 "a data model (verify --markov/--joint/--text FILE --schedule RULE)")


def _target_searches(target: Fraction, curve: Any, params: dict[str, Any]) -> Any:
    """One target's searches by estimated error: each recommended family's, and the DP optimum's."""
    from ..answers import TargetRecommendation
    from ..step_families import searched_family

    unit, vocab = params["unit"], params.get("vocab_size")
    found = {family: _search(searched_family(family), "error", target, curve, unit, vocab)
             for family in RECOMMENDED_FAMILIES}
    return TargetRecommendation(target, found, _search(searched_family("optimal"), "optimal", target, curve, unit,
                                                       vocab))


def _llada_blocks(params: dict[str, Any], curve: Any) -> tuple[str, Any] | None:
    """LLaDA's blocks (block length 32, uniform within blocks) searched by their blockwise bound: (family, results
    or the error's message); None where L has no two such blocks."""
    from ..errors import BoundcalcError
    from ..family_steps import required_steps_family

    L = curve.length
    if L % LLADA_BLOCK_LENGTH or L < 2 * LLADA_BLOCK_LENGTH:
        return None
    family = f"blocks:{L // LLADA_BLOCK_LENGTH}:uniform"
    try:
        return family, required_steps_family(list(params["targets"]), family=family, by="bound", length=L,
                                             curve=curve, unit=params["unit"])
    except BoundcalcError as error:
        return family, error.message


def recommendation(params: dict[str, Any], curve: Any, source: str) -> Any:
    """The recommendation (:class:`boundcalc.answers.Recommendation`): per target each family's fewest T by
    estimated error, LLaDA's blocks, and why no adaptive rule."""
    from ..answers import Recommendation

    targets = tuple(_target_searches(target, curve, params) for target in params["targets"])
    return Recommendation(curve.length, params["unit"], source, targets, LLADA_BLOCK_LENGTH,
                          _llada_blocks(params, curve), ADAPTIVE_NOTE)


def export_transfer(result: Any) -> None:
    """Print the schedule as LLaDA's / Dream's per-step num_transfer_tokens: one JSON list per block."""
    from ..transfer import num_transfer_tokens_per_block

    if result is None or not result.feasible:
        raise click.UsageError("--export: no schedule reaches the target: nothing to export")
    if result.schedule is None:
        raise click.UsageError(f"{result.sampler} reveals random counts: it has no fixed num_transfer_tokens")
    click.echo(json.dumps(num_transfer_tokens_per_block(result.schedule)))


def render_recommendation(params: dict[str, Any], curve: Any, profile: Any, source: str) -> None:
    """`steps --loss-curve --target` without --family/--by: one recommendation line per target, then each
    family's T per target."""
    answer = recommendation(params, curve, source)
    if params.get("export") == "num-transfer-tokens":
        export_transfer(answer.chosen)
        return
    if params["as_json"]:
        emit_json(answer, params["digits"])
        return
    emit_table(answer, params["digits"],
               hint="steps --family F --by error for a family's schedule, value and range; --export "
               "num-transfer-tokens prints the schedule chosen for the hardest target per step")
