"""The fewest T of any T-parametrised family whose bound, estimated error or DP-optimal error reaches a target.

* :func:`required_steps_family` -- for each target, the fewest T of a family (fixed schedules
  here; random-count samplers in :mod:`boundcalc.count_steps`), by ``bound``, ``error`` (from a
  loss curve) or ``optimal`` (the DP);
* :func:`budget_table` -- for a fixed T, each family's error and bound.

>>> from fractions import Fraction
>>> r = required_steps_family(["1"], family="cosine", length=64, mi_total=Fraction(8))[0]
>>> r.steps, r.schedule.max_size, r.value
(12, 8, Fraction(7, 8))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from .count_steps import _count_steps, count_expected_bound
from .curve import LossCurve
from .errors import DomainError, ScheduleError, UsageError
from .estimate import _estimate_with, _float_decimal, count_estimate, curve_profile
from .registry import SamplerSpec
from .units import from_nats, to_nats
from .step_families import (BLOCKS_ERROR, BUDGET_FAMILIES, COUNT_MAX_STEPS_FACTOR, SCAN_BUDGET_US,
                            ExpectedBound, FamilyStepsResult, _steps_grid, family_sampler, family_schedule,
                            searched_family)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .exact import Measured
    from .profile import MIProfile
    from .schedule import Schedule
    from .truth.core import EntropyProfile

#: The largest target a float64 error is compared with (float64's range ends near 1.8e308).
MAX_FLOAT_TARGET = Fraction(10) ** 300

__all__ = ["required_steps_family", "StepsSearch", "budget_table", "estimated_bound"]

# The scan's cost model, microseconds: each family evaluated in float with exact checks (boundcalc.family_sizes)
# declares a cost per T (numpy calls) and a cost per step of each T-step schedule (its sizes, then its s_max or
# its error) as its registry entry's scan_cost_us. Calibrated by `python benchmarks/bench_answers.py --only model
# --lengths 1024,4096,16384` (CPU time, best of 2, docs/cli.md "How long a search takes"): 1.5 times the largest
# figure measured over those L (the cost per step from L >= 4096, where it dominates), on a machine loaded 11 on
# 2 cores, which inflates CPU time too. The scan stops if it runs twice the budget in wall time.
# The exact builders' cost per step is their registry entry's step_cost_us (benchmarks/bench_curve.py); a step's
# error T by T:
_EVAL_COST_US = 0.5
_SCAN_CHUNK = 256  # the first chunk of T evaluated together (then doubling: _chunks)
_PROGRESS_EVERY = 64  # progress is reported every this many T


def _fast(spec: SamplerSpec, length: int) -> bool:
    """True when the scan evaluates the family in float with exact checks (its sizes from family_sizes, or the
    curve's info-optimal boundaries): it declares a scan cost, and family_sizes takes its arguments at this L."""
    from .family_sizes import supported

    found = spec.family
    return found.scan_cost_us is not None and (found.needs_curve or
                                               supported(found.name, list(spec.given_args), length))


def _blocks_by_max_size(spec: SamplerSpec, by: str, bound: str, length: int) -> bool:
    """True for ``blocks:K:FAMILY`` searched by a blockwise bound that reads each block through its s_max alone
    (theorem1, sharp, recursion: Σ_b c(s_b)/B_b ΣI_b + ε_train) with FAMILY's starts computed by
    :mod:`boundcalc.step_starts`: every block is FAMILY's T/K-step schedule at L/K, so the bound at T is a function
    of that schedule's s_max. L <= MAX_BLOCKS: then no T lists too many blocks x runs (the builder's one other
    refusal), and a T has a schedule exactly when FAMILY has one at T/K."""
    from .schedule import MAX_BLOCKS
    from .step_starts import starts_scanner

    inner, blocks = spec.inner, spec.family.blocks_of(spec.args)
    return (by == "bound" and bound in ("theorem1", "sharp", "recursion") and inner is not None and blocks > 1
            and not inner.family.needs_curve and length % blocks == 0 and length <= MAX_BLOCKS
            and starts_scanner(inner, length // blocks) is not None)


def _step_cost(spec: SamplerSpec, length: int) -> tuple[float, float]:
    """(µs per T, µs per step of each T-step schedule) of a scan of the family (a nested one's, for blocks)."""
    if _fast(spec, length):
        assert spec.family.scan_cost_us is not None
        return spec.family.scan_cost_us
    inner = spec.inner
    if inner is not None:
        return _step_cost(inner, length)
    return 0.0, spec.family.step_cost_us


def _bound_value(bound: str, schedule: "Schedule", mi_total: Fraction, eps_train: Fraction,
                 mi_profile: "MIProfile | None" = None) -> Fraction:
    """``bound`` for ``schedule``; for a semi-autoregressive one its blockwise form (B1), the only one that holds:
    Σ_b c(s_b)/B_b · ΣI_b + ε_train with ΣI_b <= Σ_{i∈b} I_i from ``mi_profile``'s values, or, from ΣI alone,
    max_b c(s_b)/B_b · ΣI (docs/theory.md, section 11)."""
    from .bounds import bound_coefficient, bound_report

    if schedule.positions == "blocks":
        from .profile import MIProfile

        profile = mi_profile if mi_profile is not None else MIProfile.from_total(mi_total, schedule.length)
        value = bound_report(profile, schedule, eps_train).values[f"block_{bound}"]
        assert value is not None  # every block bound applies to every block schedule
        return value
    return bound_coefficient(bound, schedule.max_size) * mi_total / schedule.length + eps_train


@dataclass(frozen=True, kw_only=True)
class StepsSearch:
    """What :func:`required_steps_family` is asked: its keywords, declared once (the search and its public
    wrapper pass this one value instead of repeating the keywords)."""

    targets: Sequence[Any]
    family: "str | SamplerSpec" = "uniform"
    by: str = "bound"
    length: int
    curve: LossCurve | None = None
    mi_total: Fraction | None = None
    bound: str = "theorem1"
    eps_train: Fraction = Fraction(0)
    unit: str = "nats"
    max_steps: int | None = None
    progress: Callable[[int, int], None] | None = None
    mi_profile: "MIProfile | None" = None


def required_steps_family(targets: Sequence[Any], **request: Any) -> list[FamilyStepsResult]:
    """For each target, the fewest T of ``family`` whose value (``by``) is <= the target.

    * ``by="bound"``: ``bound`` (theorem1, recursion, sharp) at the curve's (or
      given) ΣI plus ε_train; uniform has a closed form (boundcalc.steps),
      other families are scanned;
    * ``by="error"``: the error estimated from ``curve`` (targets compared with
      the linear-interpolation value, in ``unit``); families are scanned
      T = 1, 2, ... (the error need not be monotone in T) until every target is
      reached and then up to twice that T, recording larger T that miss again;
    * ``by="optimal"``: the DP-optimal schedule's error, non-increasing in T:
      one DP pass stops at the first T that reaches the target.

    A semi-autoregressive family ``blocks:K:FAMILY`` (T a multiple of K) is
    searched by its blockwise bound (B1) only, from ``mi_profile``'s per-token
    values when given (else from ΣI); its error needs each block's
    conditional profile, which a loss curve does not give.

    From a measured ``curve`` (not exact) a bound is at the estimated ΣI: each
    value is then a :class:`~boundcalc.exact.Measured` estimate carrying ΣI's
    stderr and interpolation effect (T is decided at the point estimate).

    Work is estimated before anything runs; a search over budget raises
    :class:`DomainError` with the estimate (``max_steps`` caps the scan). The keywords (``request``) are
    :class:`StepsSearch`'s: ``family``, ``by``, ``length`` (required), ``curve``, ``mi_total``, ``bound``,
    ``eps_train``, ``unit``, ``max_steps``, ``progress`` and ``mi_profile``.
    """
    search = StepsSearch(targets=targets, **request)
    results = _required_steps(search)
    curve, unit, mi_total = search.curve, search.unit, search.mi_total
    if search.by != "bound" or curve is None or curve.exact:
        return results
    from dataclasses import replace

    from .estimate import curve_input_estimates
    from .exact import nonnegative_rational

    mi = from_nats(curve_input_estimates(curve)["mi_total"].measured(), unit)
    total = mi_total if mi_total is not None else Fraction(_float_decimal(from_nats(curve.mi_total(), unit)))
    eps = nonnegative_rational(search.eps_train, "eps_train")
    return [r if r.value is None else replace(r, value=estimated_bound(r.value, total, eps, mi)) for r in results]


def _required_steps(search: StepsSearch) -> list[FamilyStepsResult]:
    """The search of :func:`required_steps_family` (values as computed: exact bounds are Fractions)."""
    from .exact import nonnegative_rational, positive_rational

    by, length, curve, mi_total, bound, unit = (search.by, search.length, search.curve, search.mi_total, search.bound,
                                                search.unit)
    targets, family, max_steps, progress = search.targets, search.family, search.max_steps, search.progress

    if by not in ("bound", "error", "optimal"):
        raise UsageError(f"by = {by!r} is unknown", param="by", allowed="bound, error or optimal")
    goals = [positive_rational(t, "target") for t in targets]
    if not goals:
        raise UsageError("no target given", param="target", allowed="one or more targets > 0")
    eps_train = nonnegative_rational(search.eps_train, "eps_train")
    if by != "bound":
        if max(goals) > MAX_FLOAT_TARGET:  # compared with float errors: beyond float64's range is no target
            raise UsageError("a target above 1e300 is beyond the range of an estimated error", param="target",
                             allowed="a target <= 1e300 (an error from a curve is a float64)")
        if curve is None:
            raise UsageError(f"by = {by} needs a loss curve", param="loss_curve", allowed="give a loss curve (or use by = bound)")
        if eps_train:
            raise UsageError("the error from a loss curve already carries the model's excess loss", param="eps_train",
                             allowed="ε_train applies to by = bound only")
    if by == "bound" and mi_total is None:
        if curve is None:
            raise UsageError("by = bound needs ΣI", param="mi_total", allowed="give ΣI or a loss curve")
        mi_total = Fraction(_float_decimal(from_nats(curve.mi_total(), unit)))
    top = length if max_steps is None else min(max_steps, length)
    if by == "optimal":
        return _optimal_steps(goals, curve, unit, top, progress)  # type: ignore[arg-type]
    spec = searched_family(family)  # a string is read once, here; the search asks the parsed family
    found = spec.family
    if found.dp_optimum:
        raise UsageError("the DP optimum is searched with by = optimal", param="family", allowed="a family, or by = optimal")
    if found.random_counts:  # T may exceed L: the default limit is a multiple of L
        from .counts import MAX_COUNT_STEPS

        top = min(COUNT_MAX_STEPS_FACTOR * length if max_steps is None else max_steps, MAX_COUNT_STEPS)
        return _count_steps(goals, spec, by, length, curve, mi_total, bound, eps_train, unit, top, progress)
    if by == "bound" and found.closed_form_steps:
        return _uniform_bound(goals, spec, length, mi_total, bound, eps_train, unit)
    _check_scannable(spec, by, curve)
    grid = _steps_grid(spec, min(length, top))
    if not grid:
        raise UsageError(f"no T <= {top} for {spec}", param="max_steps", allowed="a larger limit")
    _check_scan_cost(goals, spec, by, length, curve, mi_total, bound, eps_train, unit, grid, top)
    if _fast(spec, length) or _blocks_by_max_size(spec, by, bound, length):
        return _fast_scan(goals, spec, by, length, curve, mi_total, bound, eps_train, unit, grid, progress,
                          search.mi_profile)
    return _scan(goals, spec, by, length, curve, mi_total, bound, eps_train, unit, grid, progress, search.mi_profile)


def _check_scannable(spec: SamplerSpec, by: str, curve: LossCurve | None) -> None:
    """A blocks family is searched by bound only; info-optimal needs the curve."""
    found = spec.family
    if found.reveals == "blocks" and by != "bound":
        raise UsageError(f"{spec.text!r} {BLOCKS_ERROR}", param="family",
                         allowed="by = bound for a blocks family (verify a blocks schedule with its data model)")
    if found.needs_curve and curve is None:
        raise UsageError(f"{found.name} needs a loss curve (its schedules follow the curve)", param="loss_curve",
                         allowed="give a loss curve, or another family")


def _check_scan_cost(goals, spec, by, length, curve, mi_total, bound, eps_train, unit, grid, top) -> None:
    """Refuse a scan estimated over budget, before any work."""
    per_t, per_step = _step_cost(spec, length)
    per_step += _EVAL_COST_US if by == "error" and not _fast(spec, length) else 0.0
    # blockwise bounds are up to K times the global one at the same T: the hint scales ΣI by K
    blocks = spec.family.blocks_of(spec.args)
    hint = _hint(goals, by, length, curve, None if mi_total is None else mi_total * blocks, bound, eps_train, unit)
    horizon = min(top, max(grid[0], 2 * hint))
    scanned = grid[: len(range(grid.start, min(horizon, grid[-1]) + 1, grid.step))]  # the T <= horizon: a range
    estimate = per_t * len(scanned) + per_step * (len(scanned) * (scanned[0] + scanned[-1]) / 2 if scanned else 0)
    if estimate > SCAN_BUDGET_US:
        raise DomainError(
            f"scanning {spec} up to T = {horizon} would take about {estimate / 1e6:.0f} s "
            f"(~{per_step:.2g} µs per step of each schedule)",
            param="max_steps",
            allowed="a smaller maximum T, the uniform family, or a coarser family",
        )


def _hint(goals, by, length, curve, mi_total, bound, eps_train, unit) -> int:
    """The uniform family's answer for the hardest target: where a scan of another family should end."""
    if by == "bound":
        res = _uniform_bound(goals, searched_family("uniform"), length, mi_total, bound, eps_train, unit)
        return max((r.steps or length) for r in res)
    from .family_sizes import family_sizes

    profile = curve_profile(curve)
    d, h = profile.conditional, profile.entropies
    goal = min(goals)  # a Fraction: compared with the float errors exactly (a huge target never overflows)
    lo, hi = 1, length  # bisection on uniform's error (a hint only: not assumed monotone)
    while lo < hi:
        mid = (lo + hi) // 2
        sizes = family_sizes("uniform", [], length, mid)
        assert sizes is not None  # every 1 <= T <= L has a uniform schedule
        if from_nats(_sizes_error(d, h, sizes), unit) <= goal:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _uniform_bound(goals, spec, length, mi_total, bound, eps_train, unit) -> list[FamilyStepsResult]:
    """The uniform family by bound: its closed form (:func:`boundcalc.steps.required_steps`), T by target."""
    from .profile import MIProfile
    from .schedule import Schedule
    from .steps import required_steps

    profile = MIProfile.from_total(mi_total, length, unit)
    out = []
    for g in goals:
        r = required_steps(profile, g, eps_train, bound)
        if r.steps is None:
            out.append(FamilyStepsResult(g, "bound", spec, None, None, None, unit, "closed form", length,
                                         reason=f"the target is below the floor ε_train = {eps_train}"))
        else:
            out.append(FamilyStepsResult(g, "bound", spec, r.steps, Schedule.uniform(length, r.steps), r.bound,
                                         unit, "closed form (bound non-increasing in T)", length))
    return out


def _scan(goals, spec, by, length, curve, mi_total, bound, eps_train, unit, grid, progress, mi_profile=None):
    """The scan T by T with each T's exact Schedule (the families :func:`_fast_scan` does not evaluate)."""
    import time

    profile = curve_profile(curve) if by == "error" else None
    if profile is not None:
        d, h = profile.conditional, profile.entropies
    found: dict[int, tuple[int, Any, Any]] = {}
    misses: dict[int, list[int]] = {i: [] for i in range(len(goals))}
    stop = None
    last = grid[0]
    started = time.process_time()
    for T in grid:
        if stop is not None and T > stop:
            break
        # the estimate was checked up front; a family slower than its model stops here (CPU time: a busy machine does not)
        if time.process_time() - started > 2 * SCAN_BUDGET_US / 1e6:
            raise DomainError(f"the scan of {spec} ran out of time at T = {T} "
                              f"(over {2 * SCAN_BUDGET_US / 1e6:.0f} s of CPU time)", param="max_steps",
                              allowed="a smaller maximum T, or the uniform family")
        try:
            sched = family_schedule(spec, T, length, curve)
        except (ScheduleError, UsageError):
            continue  # the family has no T-step schedule at this L (e.g. steps of size 0)
        last = T
        if by == "bound":
            value: Any = _bound_value(bound, sched, mi_total, eps_train, mi_profile)
            level = value
        else:
            level = from_nats(_fast_error(d, h, sched), unit)
            value = None
        for i, g in enumerate(goals):
            ok = level <= g if by == "bound" else level <= float(g)
            if i not in found and ok:
                if value is None:  # the answer's value with the engine's accurate sum, stderr and pchip
                    value = _estimate_with(profile, curve, sched)
                found[i] = (T, sched, value)
            elif i in found and not ok:
                misses[i].append(T)
        if len(found) == len(goals) and stop is None:
            stop = 2 * max(t for t, _, _ in found.values())
        if progress:
            progress(T, grid[-1])
    return _results(goals, spec, by, unit, eps_train, found, misses, last)


def _fast_scan(goals, spec, by, length, curve, mi_total, bound, eps_train, unit, grid, progress, mi_profile=None):
    """:func:`_scan` for the families of :mod:`boundcalc.family_sizes` and info-optimal: each T's sizes as a
    numpy array (equal to the exact builder's), its s_max or its error by prefix sums; Schedules only for answers.

    The same decisions as :func:`_scan`: T = 1, 2, ... until every target is reached, then up to twice that T.
    """
    import time

    profile = curve_profile(curve) if by == "error" or spec.family.needs_curve else None
    found: dict[int, tuple[int, Any, Any]] = {}
    misses: dict[int, list[int]] = {i: [] for i in range(len(goals))}
    stop, last, started = None, grid[0], time.process_time()
    for chunk in _chunks(grid):
        chunk = [T for T in chunk if stop is None or T <= stop]
        if not chunk:
            break
        if time.process_time() - started > 2 * SCAN_BUDGET_US / 1e6:  # CPU time: a model too optimistic stops here, a busy machine does not
            raise DomainError(f"the scan of {spec} ran out of time at T = {chunk[0]} (over "
                              f"{2 * SCAN_BUDGET_US / 1e6:.0f} s of CPU time)", param="max_steps",
                              allowed="a smaller maximum T, or the uniform family")
        for T, level in _chunk_levels(spec, by, length, chunk, profile, mi_total, bound, eps_train, unit, goals,
                                      mi_profile):
            if stop is not None and T > stop:
                break
            if progress and T % _PROGRESS_EVERY == 0:
                progress(T, grid[-1])
            if level is None:
                continue  # the family has no T-step schedule at this L (e.g. steps of size 0)
            last = T
            for i, g in enumerate(goals):
                ok = level <= g if by == "bound" else level <= float(g)
                if i not in found and ok:
                    sched = _answer_schedule(spec, length, T, curve)
                    value = level if by == "bound" else _estimate_with(profile, curve, sched)
                    found[i] = (T, sched, value)
                elif i in found and not ok:
                    misses[i].append(T)
            if len(found) == len(goals) and stop is None:
                stop = 2 * max(t for t, _, _ in found.values())
        if progress:
            progress(chunk[-1], grid[-1])
    return _results(goals, spec, by, unit, eps_train, found, misses, last)


def _chunks(grid: list[int]) -> Iterator[list[int]]:
    """The grid in chunks of doubling size (256, 256, 512, 1024, ...): dream's levels are computed a chunk at a
    time (O(max T) vector passes per chunk), so the passes total about twice the last T scanned."""
    start, size = 0, _SCAN_CHUNK
    while start < len(grid):
        yield grid[start:start + size]
        start += size
        size = max(size, start)


def _results(goals, spec, by, unit, eps_train, found, misses, last) -> list[FamilyStepsResult]:
    search = "scan" if by == "bound" else "scan (the error need not be monotone in T)"
    out = []
    for i, g in enumerate(goals):
        if i in found:
            T, sched, value = found[i]
            out.append(FamilyStepsResult(g, by, spec, T, sched, value, unit, search, last, tuple(misses[i])))
        else:
            reason = (f"the target is below the floor ε_train = {eps_train}" if by == "bound" and g < eps_train
                      else f"no T <= {last} reaches it")
            out.append(FamilyStepsResult(g, by, spec, None, None, None, unit, search, last, reason=reason))
    return out


def _chunk_levels(spec, by, length, chunk, profile, mi_total, bound, eps_train, unit, goals=(), mi_profile=None):
    """(T, value) for each T of ``chunk``: the exact bound (a Fraction) or the float error in ``unit``;
    None where the family has no T-step schedule. An error is :func:`_sizes_error`'s, or a value within its
    rounding that compares with every float ``goals`` as it would (:class:`_ErrorLevels`)."""
    from .bounds import bound_coefficient
    from .family_sizes import dream_levels, family_sizes

    found, extra = spec.family, list(spec.given_args)
    d = h = None
    if by == "error":
        d, h = profile.conditional, profile.entropies
    coefficient: dict[int, Fraction] = {}

    def bound_at(s_max: int) -> Fraction:
        if s_max not in coefficient:
            coefficient[s_max] = bound_coefficient(bound, s_max) * mi_total / length + eps_train
        return coefficient[s_max]

    if spec.inner is not None:  # blocks:K:FAMILY by bound (_blocks_by_max_size): one Schedule per inner s_max
        yield from _block_levels(spec, length, chunk, bound, mi_total, eps_train, mi_profile)
        return
    if found.chunked_levels:  # Dream's levels: a chunk of T at a time
        valid, largest, errors = dream_levels(length, chunk, extra, d, h)
        checked = _ErrorLevels(d, h, [float(g) for g in goals], unit) if by == "error" else None
        for i, T in enumerate(chunk):
            if not valid[i]:
                yield T, None
            elif checked is None:
                yield T, bound_at(int(largest[i]))
            else:  # summed step by step over the chunk: near a goal, the schedule's own sum decides
                yield T, checked.checked(from_nats(max(float(errors[i]), 0.0), unit), T,
                                         lambda T=T: family_sizes(found.name, extra, length, T))
        return
    from .step_starts import largest_steps, starts_scanner

    conditional = profile.conditional if found.needs_curve else None
    if by == "bound":  # s_max alone, kept for the reruns at ΣI's ends
        largest = largest_steps(spec, length, chunk, conditional)
        assert largest is not None  # _fast: family_sizes computes the family at this L, or it is info-optimal
        yield from ((T, None if s is None else bound_at(s)) for T, s in zip(chunk, largest))
        return
    scanner = starts_scanner(spec, length, conditional)
    assert scanner is not None
    levels = _ErrorLevels(d, h, [float(g) for g in goals], unit)
    for T, starts in scanner(chunk):
        yield T, (None if starts is None else levels.level(starts))


class _ErrorLevels:
    """A schedule's error in ``unit`` from its step starts, for the scan's comparisons with the goals.

    Σ_j s_j d(w_j) - h(L) (Σ_j h(w_j + s_j) - h(w_j) telescopes) is one dot product in reused buffers; it and
    :func:`_sizes_error`'s float sum both lie within (T + 4)ε(L max|d| + h(L)) of the exact sum of the same
    terms, so where every goal is farther than twice that, this value decides as _sizes_error's would; nearer,
    _sizes_error itself is returned (the same level as before, whatever the rounding)."""

    def __init__(self, d: "np.ndarray", h: "np.ndarray", goals: list[float], unit: str) -> None:
        import numpy as np

        self.d, self.h, self.goals, self.unit = d, h, goals, unit
        self.sizes, self.values = np.empty(d.size), np.empty(d.size)
        self.total = float(h[-1] - h[0])
        self.scale = d.size * float(np.abs(d).max()) + abs(float(h[-1])) + abs(float(h[0]))

    def level(self, starts: "np.ndarray") -> float:
        import numpy as np

        T = starts.size - 1
        sizes, values = self.sizes[:T], self.values[:T]
        np.subtract(starts[1:], starts[:-1], out=sizes)
        np.take(self.d, starts[:-1], out=values)
        values *= sizes  # then numpy's own sum: np.dot would call BLAS, whose threads (from ~10^4 values) stall
        level = from_nats(max(float(values.sum()) - self.total, 0.0), self.unit)  # on a busy machine
        return self.checked(level, T, lambda: np.diff(starts))

    def checked(self, level: float, steps: int, sizes: "Callable[[], np.ndarray]") -> float:
        """``level`` (a T-step schedule's error summed in any order), or, where a goal is within the rounding of
        either sum, :func:`_sizes_error` of the schedule's ``sizes()``."""
        margin = from_nats(8 * (steps + 8) * 2.0**-53 * self.scale, self.unit) + 1e-300
        if all(abs(level - g) > margin for g in self.goals):
            return level
        return from_nats(_sizes_error(self.d, self.h, sizes()), self.unit)


_BLOCK_SCHEDULES: dict[tuple, dict[int, "Schedule"]] = {}  # the last blocks family's Schedule per inner s_max


def _block_levels(spec, length, chunk, bound, mi_total, eps_train, mi_profile):
    """(T, blockwise bound) for ``blocks:K:FAMILY`` at each T of ``chunk`` (None: no schedule): FAMILY's s_max at
    T/K and L/K from its starts, the bound evaluated on one Schedule per s_max (kept for the reruns at ΣI's ends)."""
    from .step_starts import largest_steps

    blocks = spec.family.blocks_of(spec.args)
    inner = largest_steps(spec.inner, length // blocks, [T // blocks for T in chunk])
    assert inner is not None  # _blocks_by_max_size
    key = (spec.text, length)
    if key not in _BLOCK_SCHEDULES:
        _BLOCK_SCHEDULES.clear()
        _BLOCK_SCHEDULES[key] = {}
    schedules, values = _BLOCK_SCHEDULES[key], {}
    for T, s_max in zip(chunk, inner):
        if s_max is not None and s_max not in values:
            if s_max not in schedules:
                schedules[s_max] = family_schedule(spec, T, length)
            values[s_max] = _bound_value(bound, schedules[s_max], mi_total, eps_train, mi_profile)
        yield T, None if s_max is None else values[s_max]


def _answer_schedule(spec: SamplerSpec, length: int, steps: int, curve: LossCurve | None) -> "Schedule":
    """The answer's Schedule, with the exact builder's sizes and name (the spec)."""
    from .estimate import info_optimal_schedule
    from .family_sizes import fast_schedule

    if spec.family.needs_curve:  # the fast scan's curve family: info-optimal
        return info_optimal_schedule(curve, steps)  # type: ignore[arg-type]  # info-optimal always has a curve
    if spec.inner is not None:  # blocks:K:FAMILY
        return family_schedule(spec, steps, length, curve)
    return fast_schedule(spec.family.name, list(spec.given_args), length, steps)


def _sizes_error(d: "np.ndarray", h: "np.ndarray", sizes: "np.ndarray") -> float:
    """Σ_steps s·d(w) - (h(w+s) - h(w)) for a size array (as :func:`_fast_error`)."""
    import numpy as np

    w = np.cumsum(sizes) - sizes
    return max(float(np.sum(sizes * d[w] - (h[w + sizes] - h[w]))), 0.0)


def _fast_error(d: "np.ndarray", h: "np.ndarray", sched: "Schedule") -> float:
    """Σ_steps s·d(w) - (h(w+s) - h(w)), vectorised (for scans: within ~L·ε·h(L) of the engine's fsum)."""
    import numpy as np

    sizes = np.fromiter(sched.sizes, dtype=np.int64, count=sched.steps)
    w = np.cumsum(sizes) - sizes
    return max(float(np.sum(sizes * d[w] - (h[w + sizes] - h[w]))), 0.0)


def _optimal_steps(goals, curve: LossCurve, unit: str, top: int, progress) -> list[FamilyStepsResult]:
    """The fewest T whose DP-optimal error reaches each goal: by the optimum's Lagrangian
    (:func:`boundcalc.optimal_search.optimal_answers`, the DP pass's T on every input it answers), the schedule by
    the DP where its pass would have run (its ties), else the search's own optimal path."""
    from .optimal_search import optimal_answers
    from .schedule import Schedule
    from .truth.core import MAX_OPTIMAL_WORK, EntropyProfile

    L = curve.length
    profile = curve_profile(curve)
    # the uniform family's error bounds the optimum from above: its answer caps the search
    hint = min(top, _hint(goals, "error", L, curve, None, "theorem1", Fraction(0), unit))
    levels = [to_nats(float(g), unit) for g in goals]
    answers, checked, paths, unsure = optimal_answers(profile, levels, hint)
    # where the DP pass fitted its budget (and so answered before), its schedule: the same ties, the same bytes
    dp_fits = EntropyProfile.optimal_cost(L + hint - 1, hint)["work"] <= MAX_OPTIMAL_WORK
    optimal, out = searched_family("optimal"), []
    # beyond the DP's budget a target within its rounding of the optimum is decided by the search's floats: said
    unsure_text = "; T decided in floating point: the optimum lies within the float DP's rounding of the target"
    for g, T, doubt in zip(goals, answers, unsure):
        if T is None:
            out.append(FamilyStepsResult(g, "optimal", optimal, None, None, None, unit,
                                         "DP" + (unsure_text if doubt else ""), checked,
                                         reason=f"no T <= {checked} reaches it"))
            continue
        if dp_fits or T not in paths:
            sched, _ = profile.optimal_schedule(T)
            sched = Schedule(runs=sched.runs, name=f"optimal:{T}")
        else:
            import numpy as np

            sched = Schedule(runs=Schedule.from_size_array(np.diff(paths[T])).runs, name=f"optimal:{T}")
        value = _estimate_with(profile, curve, sched)
        how = ("DP (the optimum is non-increasing in T)" if dp_fits
               else "the optimum's Lagrangian (convex in T: docs/theory.md)") + (unsure_text if doubt else "")
        out.append(FamilyStepsResult(g, "optimal", optimal, T, sched, value, unit, how, checked))
    return out


def _check_budget_steps(steps: Any, length: int, specs: Sequence[SamplerSpec]) -> None:
    """1 <= T <= L; up to MAX_COUNT_STEPS when a random-count family is asked (its T may exceed L, as a search
    over T finds it: the other families' rows then say they have no such schedule)."""
    from .counts import MAX_COUNT_STEPS

    counts = any(spec.family.random_counts for spec in specs)
    top = MAX_COUNT_STEPS if counts else length
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= top:
        raise UsageError(f"T = {steps!r} is not allowed", param="budget",
                         allowed=f"1 <= T <= {MAX_COUNT_STEPS} for a random-count family" if counts else
                         f"1 <= T <= L = {length}, or up to {MAX_COUNT_STEPS} with a random-count family: mdlm, "
                         "sedd, dream-origin")


def budget_table(
    steps: int,
    *,
    length: int,
    families: Sequence["str | SamplerSpec"] = BUDGET_FAMILIES,
    curve: LossCurve | None = None,
    mi_total: Fraction | None = None,
    bound: str = "theorem1",
    eps_train: Fraction = Fraction(0),
    unit: str = "nats",
    mi_profile: "MIProfile | None" = None,
) -> list[dict[str, Any]]:
    """For T = ``steps``: each family's schedule, its estimated error (with a curve) and its bound.

    Rows: ``family``, ``schedule`` (Schedule or None with ``reason``), ``error``
    (Estimate or None), ``bound`` (Fraction). Families needing the curve are
    skipped without one; a family with no T-step schedule at this L says why.
    A random-count family (mdlm, sedd, dream-origin) has ``sampler`` instead of
    ``schedule``, its expected error and its expected bound (:class:`ExpectedBound`).
    A semi-autoregressive family (``blocks:K:FAMILY``) has its blockwise bound
    (B1; per-token values from ``mi_profile`` when given) and no error. From a
    measured curve the bound is at the estimated ΣI: a :class:`~boundcalc.exact.Measured`
    estimate with ΣI's stderr and interpolation effect carried through (:func:`estimated_bound`).
    """
    specs = [searched_family(family) for family in families]  # every family read and checked before any work
    _check_budget_steps(steps, length, specs)
    if mi_total is None and curve is not None:
        mi_total = Fraction(_float_decimal(from_nats(curve.mi_total(), unit)))
    profile = curve_profile(curve) if curve is not None else None
    rows = []
    for spec in specs:
        found = spec.family
        row: dict[str, Any] = {"family": spec.text, "schedule": None, "error": None, "bound": None, "reason": ""}
        if found.needs_curve and curve is None:
            continue
        if found.random_counts:
            rows.append(_count_row(row, spec, steps, length, curve, profile, mi_total, bound, eps_train))
            continue
        try:
            sched = family_schedule(spec, steps, length, curve)
        except (ScheduleError, UsageError) as error:
            row["reason"] = error.message
            rows.append(row)
            continue
        row["schedule"] = sched
        if profile is not None and curve is not None and sched.positions == "uniform":
            row["error"] = _estimate_with(profile, curve, sched)
        elif sched.positions == "blocks" and curve is not None:
            row["reason"] = f"{spec} {BLOCKS_ERROR}"
        if mi_total is not None:
            row["bound"] = _bound_value(bound, sched, mi_total, eps_train, mi_profile)
        rows.append(row)
    if curve is not None and not curve.exact and mi_total is not None:
        from .estimate import curve_input_estimates

        mi = from_nats(curve_input_estimates(curve)["mi_total"].measured(), unit)
        rows = [{**row, "bound": estimated_bound(row["bound"], mi_total, eps_train, mi)} for row in rows]
    return rows


def estimated_bound(value: Any, mi_total: Fraction, eps_train: Fraction, mi: "Measured") -> Any:
    """A budget row's bound at the ΣI ``mi`` estimated from a measured curve, with ΣI's uncertainties carried
    through. Every bound here is coefficient · ΣI + ε_train (a fixed s_max's c(s)/L, the blockwise max_b
    c(s_b)/B_b, an expectation E[c(S_max)]/L over random counts), so each spread scales by that coefficient."""
    from .exact import Measured

    EPS64 = 2.0**-53
    if value is None:
        return None
    number, error = (Fraction(value.value), value.error) if hasattr(value, "error") else (Fraction(value), 0.0)
    slope = float((number - eps_train) / mi_total) if mi_total > 0 else 0.0
    slope = max(slope, 0.0)

    def times(x: float | None) -> float | None:
        return None if x is None else slope * x * (1 + 4 * EPS64)

    total_error = error + (times(mi.error) or 0.0) + EPS64 * abs(float(number))
    if isinstance(value, ExpectedBound):  # still an expectation over the counts, now an estimate too
        from dataclasses import replace

        return replace(value, error=total_error, stderr=times(mi.stderr), interpolation=times(mi.interpolation),
                       estimate=True)
    return Measured(float(number), total_error, nonnegative=True, stderr=times(mi.stderr),
                    interpolation=times(mi.interpolation), estimate=True)


def _count_row(row: dict[str, Any], family: SamplerSpec, steps: int, length: int, curve: LossCurve | None,
               profile: "EntropyProfile | None", mi_total: Fraction | None, bound: str, eps_train: Fraction
               ) -> dict[str, Any]:
    """A budget row for a random-count family: its sampler, expected error and expected bound."""
    try:
        sampler = family_sampler(family, steps, length)
        row["sampler"] = sampler
        if curve is not None:
            row["error"] = count_estimate(curve, sampler, profile)
        if mi_total is not None:
            row["bound"] = count_expected_bound(sampler, mi_total, bound, eps_train)
    except DomainError as error:  # the count DP's work limit: this row only
        row["sampler"], row["error"], row["bound"] = None, None, None
        row["reason"] = error.message
    return row
