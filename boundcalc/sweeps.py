"""Sweeps: every bound, the exact error and the optimal error over a grid of T (orchestration).

For one source and one or more schedule families, :func:`sweep` builds the
family's schedule at each T of a grid and evaluates, per (family, T):

* every bound of the registry (:data:`boundcalc.bounds.BOUNDS`) that has its
  inputs, exactly (None where it does not apply, e.g. Corollary 1 for an
  unbalanced schedule);
* when the source is a data model or an entropy profile (anything with the
  :class:`~boundcalc.truth.EntropyProfile` interface: ``length``,
  ``error(schedule, unit)``, ``optimal_schedule(T)``), the exact error of the
  schedule (float64 with a stated error bound; an *estimate* when the
  profile is marked ``is_estimate``), the least error of any T-step schedule
  (``optimal=True``; it depends on T only), and the exact expected error of
  the paper's random schedule on {S, S/2} with S = 2^ceil(log2 s_max), which
  Theorem 2's lower bound is about.

An :class:`~boundcalc.MIProfile` source gives the bounds only.

The random-count samplers of :mod:`boundcalc.counts` (``mdlm``, ``sedd``,
``dream-origin``) are families too. Their rows hold expectations over the
random counts, all float64 with a certified error: the exact expected error,
and the expected value E[c(S_max)]/L · ΣI + ε_train of each bound that holds
for every realisation (:func:`~boundcalc.bounds.per_realisation_bounds`);
s_max is random, so ``max_size`` is None and ``stats`` gives E[S_max] and the
expected number of steps that reveal a token (network calls).

>>> from boundcalc import MIProfile
>>> r = sweep(MIProfile.from_total(2, length=16), ["uniform", "cosine"], "1,4,16")
>>> [(row.family, row.steps, row.max_size, row.bounds["theorem1"]) for row in r.rows]
[('uniform', 1, 16, Fraction(15, 8)), ('uniform', 4, 4, Fraction(3, 8)), ('uniform', 16, 1, Fraction(0, 1)), \
('cosine', 1, 16, Fraction(15, 8)), ('cosine', 4, 6, Fraction(7, 8)), ('cosine', 16, 1, Fraction(0, 1))]

Families are named as in the sampler registry (:mod:`boundcalc.registry`) without the
step count: ``uniform`` is ``uniform:T``; extra parameters follow the name
(``power:1/2`` is ``power:T:1/2``); a family whose T is not its first
parameter names it with a literal ``T`` (``blocks:4:uniform:T``). Step grids
(:func:`parse_steps`): ``1:64`` (every T), ``1:64:8`` (every 8th), ``1,2,4,8``,
and ``log:1:1024:20`` (20 points evenly spaced in log T, rounded to integers,
repeats dropped). A sweep whose estimated cost is too large is refused before
any work (:func:`sweep_cost`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Sequence, cast

from .bounds import BOUNDS, BoundInputs, BoundReport, CountBoundReport
from .count_flow import Samplers, check_count_cost, count_rows_by_family, count_rows_seconds
from .count_rows import row_bound_report
from .counts import CountSampler
from .errors import BoundcalcError, DomainError, ScheduleError, UsageError
from .exact import Measured, Number, nonnegative_rational
from .profile import MIProfile
from .schedule import Schedule
from .sweep_bounds import RowBounds
from .sweep_columns import SweepRows, chunk_rows, count_block, joined_rows
from .sweep_grid import MAX_GRID_POINTS, STEPS_GRAMMAR, FamilySpec, parse_family, parse_steps, sweep_families
from .sweep_truth import SourceTruth, resolve_source, row_intervals, row_spreads
from .units import Unit

__all__ = [
    "SweepRow",
    "SweepResult",
    "FamilySpec",
    "sweep",
    "parse_steps",
    "parse_sweep_grid",
    "parse_family",
    "sweep_families",
    "sweep_cost",
    "family_rate",
    "STEPS_GRAMMAR",
    "COUNT_STATS",
    "MAX_SWEEP_SECONDS",
    "MAX_GRID_POINTS",
]

#: A sweep estimated to take longer than this (seconds, on the 2-core development machine) is refused.
MAX_SWEEP_SECONDS = 120.0

# Rates for the up-front estimate, measured by benchmarks/bench_sweep_cost.py (CPU seconds on the 2-core
# development machine, with a margin of about 1.5x over the slowest of its runs: an estimate errs towards a
# refusal, never a hang, but no sweep that runs in MAX_SWEEP_SECONDS may be refused).
_SECONDS_PER_STEP = 2e-5  # building a schedule T by T, per step, when its family's rate is unmeasured
_SECONDS_PER_ARRAY_STEP = 1.5e-7  # a family built from arrays (boundcalc.schedule_arrays): sizes and error sums
_SECONDS_PER_DREAM_STEP = 2e-8  # dream from its recurrence over every T at once (a few runs per T)
_SECONDS_PER_INFO_STEP = 2e-7  # info-optimal: its starts T by T (boundcalc.info_optimal_arrays), then as an array family
# the exact error's sums, per step of a schedule built T by T: its runs as tuples, flattened and summed (a family
# with about one run per step, info-optimal, costs that much; on the safe side for the others)
_SECONDS_PER_ERROR_STEP = 1e-6
_SECONDS_PER_TOKEN = 2e-8  # a row computed alone (a blockwise row), per token
_SECONDS_PER_ROW = 3e-4  # the bounds, the row and its printed cells
_DP_RATE = 1.5e8  # cells per second of the O(T L^2) optimal-schedule DP (numpy)

Progress = Callable[[int, int], None]
#: The statistics of a random-count sampler's row (SweepRow.stats), in column order.
COUNT_STATS = ("expected_s_max", "expected_calls")


# ---------------------------------------------------------------------------
# Rows and the result


@dataclass(frozen=True)
class SweepRow:
    """One (family, T): the schedule, its s_max, every bound (exact) and the errors (float64, in the sweep's unit).

    ``bounds[name]`` is None where the bound does not apply. ``error`` is the
    schedule's exact (or estimated) error with the optimal predictor,
    ``error_abs`` a bound on its rounding error, ``optimal`` the least error
    of any T-step schedule, ``random_error`` the expected error of the random
    schedule on {S, S/2}, S = 2^ceil(log2 s_max) (what Theorem 2's lower bound
    is about); each None when the source cannot give it. From a data model
    the bounds are exact functions of ΣI and Φ, which are float64 results:
    ``bound_errors[name]`` bounds the effect of their error (empty for an MI
    profile, whose bounds are exact). :meth:`measured` pairs a value with its error.

    For a random-count sampler (``schedule`` is a
    :class:`~boundcalc.counts.CountSampler`) the errors and bounds are
    expectations over the counts (floats, every bound with its error in
    ``bound_errors``), ``max_size`` is None and ``stats`` maps
    ``"expected_s_max"`` and ``"expected_calls"`` (steps revealing at least
    one token) to (value, error).
    """

    family: str
    steps: int
    schedule: "Schedule | CountSampler"
    bounds: Mapping[str, Fraction | float | None]
    error: float | None = None
    error_abs: float | None = None
    optimal: float | None = None
    random_error: float | None = None
    optimal_abs: float | None = None
    random_abs: float | None = None
    bound_errors: Mapping[str, float] = field(default_factory=dict)
    stats: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    #: name -> (stderr or None, interpolation effect) of a value estimated from a measured loss curve.
    spreads: Mapping[str, tuple[float | None, float]] = field(default_factory=dict)
    #: name -> [low, high] over every monotone completion of a measured curve with unmeasured d (boundcalc.completion)
    intervals: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def random_counts(self) -> bool:
        """True for a random-count sampler's row (expectations over the counts)."""
        return self.schedule.random_counts

    def measured(self, name: str) -> Measured | None:
        """``"error"``, ``"optimal"``, ``"random_error"``, a bound from a data model or of a random-count sampler,
        or a key of ``stats``, with its certified error.

        None when the value is absent, or for a bound that is exact (an MI profile source: use ``bounds``).
        From a measured loss curve the value is an estimate: with its stderr and interpolation effect.
        """
        found = self._certified(name)
        spread = self.spreads.get(name)
        if spread is None:
            return found
        if found is None:
            value = self.bounds.get(name)
            if value is None:
                return None
            found = Measured(float(value), 4 * 2.0**-53 * abs(float(value)))  # an exact bound at estimated inputs
        # one Measured with the interval and the spread (two dataclasses.replace cost more than the row's text)
        return Measured(found.value, found.error, found.nonnegative, spread[0], spread[1], True,
                        self.intervals.get(name, found.interval))

    def _certified(self, name: str) -> Measured | None:
        if name in self.stats:
            mean, error = self.stats[name]
            return Measured(mean, error, nonnegative=True)
        errors = {"error": self.error_abs, "optimal": self.optimal_abs, "random_error": self.random_abs}
        if name in errors:
            value = getattr(self, name)
            return None if value is None else Measured(value, errors[name] or 0.0, nonnegative=True)
        value = self.bounds.get(name)
        if value is None or name not in self.bound_errors:
            return None
        return Measured(float(value), self.bound_errors[name])

    @property
    def max_size(self) -> int | None:
        """s_max of the schedule (None for a random-count sampler: see ``stats["expected_s_max"]``)."""
        return None if self.schedule.random_counts else cast(Schedule, self.schedule).max_size

    @property
    def scale(self) -> int | None:
        """S = 2^ceil(log2 s_max), the scale of Theorem 2's levels for this schedule (None for random counts)."""
        size = self.max_size
        return None if size is None else 1 << (size - 1).bit_length()


@dataclass(frozen=True)
class SweepResult:
    """The rows of a sweep, in family order then increasing T, with what they were computed from.

    ``bound_names`` are the registry's bounds that have their inputs here (the
    bound columns); ``skipped`` lists (family, T, reason) where a family has
    no schedule (e.g. ``dream`` with too many steps for L); ``optimal_schedules``
    maps T to the DP's optimal schedule when ``optimal`` was asked for.
    """

    rows: "tuple[SweepRow, ...] | SweepRows"  # SweepRows: a tuple's behaviour, count rows built when read
    families: tuple[str, ...]
    steps: tuple[int, ...]
    length: int
    unit: Unit
    eps_train: Fraction
    mi_total: Fraction
    bound_names: tuple[str, ...]
    source: str = ""
    has_truth: bool = False
    estimate: bool = False
    has_optimal: bool = False
    skipped: tuple[tuple[str, int, str], ...] = ()
    optimal_schedules: Mapping[int, Schedule] = field(default_factory=dict)
    #: ΣI as computed from a data model or a loss curve (a float with its error; an estimate from a measured
    #: curve), None for an MI profile (then ``mi_total`` is exact).
    mi_measured: Measured | None = None

    @property
    def registry(self) -> Mapping[str, Any]:
        """The bound registry (so printers need not import :mod:`boundcalc.bounds`)."""
        return BOUNDS

    @property
    def has_counts(self) -> bool:
        """True when some row is a random-count sampler's (then the columns include its expected statistics)."""
        if isinstance(self.rows, SweepRows):  # without building the rows of its blocks
            return self.rows.random_counts
        return any(row.random_counts for row in self.rows)

    @property
    def count_stats(self) -> tuple[str, ...]:
        """The random-count samplers' statistics every row carries (:data:`COUNT_STATS`) when some row is one."""
        return tuple(COUNT_STATS) if self.has_counts else ()

    def __len__(self) -> int:
        return len(self.rows)

    def family_rows(self, family: str) -> list[SweepRow]:
        """The rows of one family, by increasing T."""
        return [row for row in self.rows if row.family == family]

    def columns(self) -> list[str]:
        """The record keys: family, steps, schedule, s_max (and, with random-count samplers, expected_s_max and
        expected_calls), the errors (when known), then one per bound."""
        names = ["family", "steps", "schedule", "s_max"]
        if self.has_counts:
            names += list(COUNT_STATS)
        if self.has_truth:
            names += ["error", "error_abs"]
        if self.has_optimal:
            names.append("optimal")
        if self.has_truth and "theorem2_lower" in self.bound_names:
            names.append("random_error")
        return names + list(self.bound_names)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row with :meth:`columns` as keys (bounds as exact Fractions, errors as floats)."""
        out = []
        for row in self.rows:
            record: dict[str, Any] = {
                "family": row.family,
                "steps": row.steps,
                "schedule": row.schedule.describe(),
                "s_max": row.max_size,
                **{name: row.stats[name][0] if name in row.stats else None for name in COUNT_STATS},
                "error": row.error,
                "error_abs": row.error_abs,
                "optimal": row.optimal,
                "random_error": row.random_error,
                **{name: row.bounds.get(name) for name in self.bound_names},
            }
            out.append({name: record[name] for name in self.columns()})
        return out


# ---------------------------------------------------------------------------
# Cost, then the sweep


def sweep_cost(families: Sequence[FamilySpec], steps: Sequence[int], length: int, *, truth: bool,
               optimal: bool, profile: Any = None, rates: Mapping[str, tuple[float, float]] | None = None) -> float:
    """Estimated seconds of a sweep (the development machine, a small margin), before any work.

    A schedule costs ``rates[label]`` = (seconds per schedule, seconds per step) (measured by
    :func:`family_rate`; uniform, run-length encoded, costs O(1); a family built from arrays
    ``_SECONDS_PER_ARRAY_STEP``, dream ``_SECONDS_PER_DREAM_STEP``), its exact error O(runs) (O(T + L) for a
    blockwise row, computed alone), the optimal DP the profile's own estimate
    (``optimal_cost``) when it has one, else T (L+1)^2 cells per T.
    """
    seconds = 0.0
    for family in families:
        per_call, per_step = (rates or {}).get(family.label, (0.0, _SECONDS_PER_STEP))
        arrays = _array_family(family, steps, length)
        blockwise = family.name == "blocks"
        if blockwise and _fast_blocks(family, length):  # inner schedules from arrays: a row is its bounds
            blocks = int(family.parts[1])
            for t in steps:
                inner = _SECONDS_PER_ARRAY_STEP * t / blocks if t % blocks == 0 else 0.0
                walk = (_SECONDS_PER_ERROR_STEP * t + _SECONDS_PER_TOKEN * length) if truth and t % blocks == 0 else 0.0
                seconds += _SECONDS_PER_ROW + inner + walk
            continue
        for t in steps:
            if arrays is not None:  # sizes and sums over the steps; dream: its recurrence, a few runs per T
                per_step = {"dream": _SECONDS_PER_DREAM_STEP, "info-optimal": _SECONDS_PER_INFO_STEP}.get(
                    arrays[0], _SECONDS_PER_ARRAY_STEP)
                seconds += _SECONDS_PER_ROW + per_step * t
                continue
            build = 0.0 if family.family.constant_cost else per_call + per_step * t
            walk = 0.0
            if truth:  # sums over the runs (uniform: two), plus a row alone's O(L)
                walk = _SECONDS_PER_ERROR_STEP * (2 if family.family.constant_cost else t)
                walk += _SECONDS_PER_TOKEN * length if blockwise else 0.0
            seconds += _SECONDS_PER_ROW + build + walk
    if optimal:
        cost = getattr(profile, "optimal_cost", None)
        for t in steps:
            seconds += float(cost(length, t)["seconds"]) if cost else t * (length + 1) ** 2 / _DP_RATE
    return seconds


def _fast_blocks(family: FamilySpec, length: int) -> bool:
    """True when ``blocks:K:FAMILY:T``'s rows come from :func:`boundcalc.block_arrays.block_rows`."""
    from .block_arrays import fast_blocks

    return fast_blocks(family.parts, length)


def family_rate(family: FamilySpec, length: int, curve: Any = None) -> tuple[float, float]:
    """(seconds per schedule, seconds per step) to build the family's schedules T by T, measured.

    Families differ by orders of magnitude (exact trigonometric floors cost far more than a linear curve), and
    faster implementations should be trusted without a table of rates here. A build at T = 64 (or less) is timed;
    when it is cheap, one at T = min(L, 1024) too, and the cost per step is the difference over the steps added
    (numpy builds cost mostly per call); else (a slow family: no larger probe) all of it is per step. Each is
    the least of three timings, with a margin of 2 on the steps (larger T cost more per step: precision).
    """
    small = _least_build_time(family, length, curve, (64, 32, 16, 8))
    if small is None:
        return 0.0, _SECONDS_PER_STEP
    t_small, seconds_small = small
    t_big = min(length, 1024)
    if t_big > 2 * t_small and seconds_small / t_small * t_big < 0.02:  # cheap: a second probe pays
        big = _least_build_time(family, length, curve, (t_big,))
        if big is not None:
            per_step = max(big[1] - seconds_small, 0.0) / (big[0] - t_small)
            return seconds_small, max(2 * per_step, 1e-9)
    return 0.0, max(2 * seconds_small / t_small, 1e-6)


def _least_build_time(family: FamilySpec, length: int, curve: Any, candidates: Sequence[int]
                      ) -> tuple[int, float] | None:
    """(T, the least of three wall times of building the family's T-step schedule) for the first T of
    ``candidates`` (<= L) that has a schedule (the first build, which pays for imports, is not timed)."""
    import math
    import time

    for t in candidates:
        if t > length:
            continue
        try:
            _build(family, t, length, curve)
            best = math.inf
            for _ in range(3):  # one build preempted on a loaded machine is not a rate
                start = time.perf_counter()  # wall time: a build may wait (I/O, a lock) as well as compute
                _build(family, t, length, curve)
                best = min(best, time.perf_counter() - start)
        except BoundcalcError:
            continue
        return t, best
    return None


def estimated_seconds(families: Sequence[FamilySpec], steps: Sequence[int], length: int,
                      truth: "SourceTruth | None", optimal: bool, count_seconds: float | None = None) -> float:
    """The up-front estimate of a sweep (:func:`sweep_cost`, with the families' measured rates, and the
    random-count rows', ``count_seconds`` when the caller has them already) that :func:`sweep` compares with
    :data:`MAX_SWEEP_SECONDS`."""
    fixed = [f for f in families if not f.family.random_counts]
    rates = {f.label: family_rate(f, length, _curve_of(truth)) for f in fixed
             if not f.family.constant_cost and _array_family(f, steps, length) is None
             and not (f.name == "blocks" and _fast_blocks(f, length))}
    seconds = sweep_cost(fixed, steps, length, truth=truth is not None, optimal=optimal,
                         profile=truth.profile if truth else None, rates=rates)
    # random-count samplers: the law of S_max and the expected errors (the optimal errors are counted above)
    if count_seconds is None:
        count_seconds = count_rows_seconds(families, steps, length, truth)
    return seconds + count_seconds


def _check_cost(families: Sequence[FamilySpec], steps: Sequence[int], length: int, truth: "SourceTruth | None",
                optimal: bool, count_seconds: float) -> None:
    seconds = estimated_seconds(families, steps, length, truth, optimal, count_seconds)
    if seconds > MAX_SWEEP_SECONDS:
        what = "the optimal errors and " if optimal else ""
        raise DomainError(
            f"{len(families)} famil{'y' if len(families) == 1 else 'ies'} x {len(steps)} values of T with {what}L = {length} "
            f"would take ~{seconds:.0f} s",
            param="steps",
            allowed=f"a sweep estimated at most {MAX_SWEEP_SECONDS:.0f} s: fewer or smaller T (a log grid), "
            "fewer families" + (", or no optimal errors" if optimal else ""),
        )


def _bound_names(profile: MIProfile, truth: "SourceTruth | None") -> tuple[str, ...]:
    return tuple(name for name, bound in BOUNDS.items() if not bound.needs or (truth is not None and "multiscale" in bound.needs
                 and hasattr(truth.profile, "multiscale")))


def _applies(name: str, schedule: "Schedule | CountSampler") -> bool:
    return BOUNDS[name].applies_to(schedule)


def _row(family: FamilySpec, steps: int, schedule: Schedule, profile: MIProfile, eps: Fraction,
         truth: "SourceTruth | None", optimal: bool, names: Sequence[str], shared: RowBounds) -> SweepRow:
    if schedule.positions == "blocks" and truth is not None:
        return _block_row(family, steps, schedule, profile, eps, truth, optimal, names)
    # the bounds (values, float errors, spreads, intervals) once per schedule key, shared by the rows
    bounds, bound_errors, bound_spreads, bound_intervals = shared.of(schedule)
    if truth is None:
        return SweepRow(family.label, steps, schedule, bounds)
    error, error_abs = truth.error(schedule)
    optimal_error = optimal_abs = random_error = random_abs = None
    if optimal:
        optimal_error = truth.optimal_error(steps)
        optimal_abs = truth.abs_error(truth.optimal[steps][0])
    if "theorem2_lower" in names:
        random_error = truth.random_error(schedule.max_size)
        any_schedule = truth.abs_error(None)
        random_abs = None if random_error is None or any_schedule is None else 2 * any_schedule
    best = truth.optimal[steps][0] if optimal else None
    random = schedule.max_size if random_error is not None else None
    spreads = row_spreads(truth, schedule, None, {}, best, random)
    if truth.curve is not None:
        spreads.update(bound_spreads)
    intervals = row_intervals(truth, schedule, best, None, None, random)
    intervals.update(bound_intervals)
    return SweepRow(family.label, steps, schedule, bounds, error=error, error_abs=error_abs, optimal=optimal_error,
                    random_error=random_error, optimal_abs=optimal_abs, random_abs=random_abs, bound_errors=bound_errors,
                    spreads=spreads, intervals=intervals)


def _block_row(family: FamilySpec, steps: int, schedule: Schedule, profile: MIProfile, eps: Fraction,
               truth: "SourceTruth", optimal: bool, names: Sequence[str]) -> SweepRow:
    """A semi-autoregressive schedule: positions are random inside the current block only, so its truth
    and its (blockwise) bounds come from verify's blockwise engine, which needs the data model itself."""
    if truth.model is None:  # an entropy profile alone does not know the blocks' conditional profiles
        inputs = BoundInputs(profile, schedule, eps)
        bounds = {name: BOUNDS[name].value(inputs) if BOUNDS[name].applies_to(schedule) else None for name in names}
        return SweepRow(family.label, steps, schedule, bounds, spreads=truth.bound_spreads(inputs, bounds))
    from .verification import verify

    report = verify(truth.model, schedule, length=truth.length, unit=truth.unit)
    assert isinstance(report.bounds, BoundReport)  # a fixed schedule, not a random-count sampler
    inputs = replace(report.bounds.inputs, eps_train=eps)  # verify's are at ε_train = 0; same block totals ΣI_b
    bounds = {name: BOUNDS[name].value(inputs) if BOUNDS[name].applies_to(schedule) else None for name in names}
    errors = {name: report.bound_errors[name] for name, v in bounds.items() if v is not None and name in report.bound_errors}
    optimal_error = optimal_abs = None
    if optimal:  # the least error of any T-step schedule depends on T only, not on the blocks
        optimal_error = truth.optimal_error(steps)
        optimal_abs = truth.abs_error(truth.optimal[steps][0])
    return SweepRow(family.label, steps, schedule, bounds, error=report.truth, error_abs=report.truth_error,
                    optimal=optimal_error, optimal_abs=optimal_abs, bound_errors=errors)


def _count_row(family: FamilySpec, steps: int, sampler: CountSampler, profile: MIProfile, eps: Fraction,
               truth: "SourceTruth | None", optimal: bool, names: Sequence[str],
               report: "CountBoundReport | None" = None, mi_inputs: "tuple[Any, Any] | None" = None) -> SweepRow:
    """A random-count sampler: the expected per-realisation bounds and the exact expected error (as verify);
    ``report`` its :func:`~boundcalc.count_rows.row_bound_report` when computed for all rows at once, ``mi_inputs``
    :func:`_count_mi_inputs` of the truth when found once for all rows."""
    if report is None:  # the law of S_max's DP where cheap, else enclosed
        report = row_bound_report(profile, sampler, eps)
    values, errors = report.values, report.errors
    if truth is not None:  # ΣI carries the inputs' float error, multiplied by E c(S_max)/L
        errors = {name: errors[name] + c / profile.length * truth.input_error for name, (c, _) in report.coefficients.items()}
    bounds = {name: values.get(name) for name in names}
    bound_errors = {name: errors[name] for name in names if name in values}
    stats = {"expected_s_max": report.expected_max, "expected_calls": report.nonempty_steps}
    if truth is None:
        return SweepRow(family.label, steps, sampler, bounds, bound_errors=bound_errors, stats=stats)
    error, error_abs = truth.count_error(sampler)
    optimal_error = optimal_abs = None
    if optimal:
        optimal_error = truth.optimal_error(steps)
        optimal_abs = truth.abs_error(truth.optimal[steps][0])
    spreads = row_spreads(truth, sampler, None, {}, truth.optimal[steps][0] if optimal else None)
    intervals = row_intervals(truth, sampler, truth.optimal[steps][0] if optimal else None)
    if truth.curve is not None:  # E c(S_max)/L · ΣI + ε_train: linear in ΣI
        mi, mi_range = mi_inputs if mi_inputs is not None else _count_mi_inputs(truth)
        for name in bound_errors:
            c = report.coefficients[name][0] / profile.length
            spreads[name] = (None if mi.stderr is None else c * mi.stderr, c * (mi.interpolation or 0.0))
            bound = bounds[name]
            if mi_range is not None and bound is not None:
                value, total = float(bound), float(profile.total)
                intervals[name] = (min(value, value + float(c) * (mi_range[0] - total)),
                                   max(value, value + float(c) * (mi_range[1] - total)))
    return SweepRow(family.label, steps, sampler, bounds, error=error, error_abs=error_abs, optimal=optimal_error,
                    optimal_abs=optimal_abs, bound_errors=bound_errors, stats=stats, spreads=spreads,
                    intervals=intervals)


def _count_rows(specs: Sequence[FamilySpec], grid: Sequence[int], profile: MIProfile, eps: Fraction,
                truth: "SourceTruth | None", make_row: Any, ticks: Callable[[], None], make_rows: Any = None
                ) -> dict[str, tuple[list[Any], list[tuple[str, int, str]]]]:
    """Each random-count family's rows (SweepRows, boundcalc.count_flow) and skipped T; none: "no schedule"."""
    found = count_rows_by_family(specs, grid, profile, eps, truth, make_row, ticks, make_rows=make_rows)
    for spec in specs:
        rows, skipped = found[spec.label]
        if not rows:
            raise ScheduleError(f"family {spec.label!r} has no schedule on this grid: {skipped[0][2]}",
                                param="families", value=spec.label, allowed=f"usage {spec.family.usage}")
    return found


def _ticker(progress: Progress | None, total: int) -> Callable[[], None]:
    """A function to call after each row: ``progress(done, total)`` with the rows done so far."""
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress:
            progress(done[0], total)
    return tick


def _count_mi_inputs(truth: "SourceTruth") -> tuple[Any, Any]:
    """(ΣI's estimate, its interval over the completions or None) from a measured curve: the same for every count
    row (the interval's search costs ~15 µs, once per sweep rather than once per row)."""
    return truth._input_estimates(None)["mi_total"], truth.mi_interval()


def parse_sweep_grid(families: "Sequence[FamilySpec | str]", steps: "str | Iterable[int]", length: int
                     ) -> tuple[int, ...]:
    """:func:`parse_steps` for a sweep of ``families`` at L = ``length``: T <= L, or up to the steps search's limit
    (16·L, at most MAX_COUNT_STEPS) when every family is random-count (their steps may be empty, as ``steps`` allows).

    >>> parse_sweep_grid(["mdlm"], "1000,2048", 1024), parse_sweep_grid(["uniform"], "1:3", 4)
    ((1000, 2048), (1, 2, 3))
    """
    from .counts import MAX_COUNT_STEPS
    from .step_families import COUNT_MAX_STEPS_FACTOR

    specs = [parse_family(f) if isinstance(f, str) else f for f in families]
    counts = [s.family.random_counts for s in specs]
    top = min(COUNT_MAX_STEPS_FACTOR * length, MAX_COUNT_STEPS)
    if counts and all(counts):
        return parse_steps(steps, length, top, f"1 <= T <= {top} = 16·L (every family random-count)")
    allowed = "1 <= T <= L" + (f"; T up to {top} only when every family is random-count" if any(counts) else "")
    return parse_steps(steps, length, allowed=allowed)


def _curve_of(truth: "SourceTruth | None") -> Any:
    """The loss curve a family like info-optimal:T is computed from: the measured curve, or a data model's exact
    curve from its conditional entropies (None for an MI profile, which has neither)."""
    if truth is None:
        return None
    if truth.curve is not None:
        return truth.curve
    d = getattr(truth.profile, "conditional", None)
    if d is None:
        return None
    from .curve import LossCurve

    return LossCurve.from_conditional(d, source=str(getattr(truth.profile, "source", "") or ""))


def check_curve_families(specs: Sequence[FamilySpec], curve: Any) -> None:
    """info-optimal:T needs a loss curve or a data model (``curve``: :func:`_curve_of`); optimal:T (the DP at every
    T) is --optimal's column."""
    for spec in specs:
        if not spec.family.needs_curve:
            continue
        if spec.family.dp_optimum:
            raise UsageError(f"{spec.label!r}: the optimal schedule at every T is the optimal-error column",
                             param="families", allowed="the sweep's optimal errors (a loss curve or a data model as the source)")
        if curve is None:
            raise UsageError(f"{spec.label!r} is computed from a loss curve or a data model", param="families",
                             allowed="a loss curve or a data model as the source (an MI profile has no curve)")


def _short(message: str) -> str:
    return message if len(message) <= 160 else message[:157] + "..."


def _build(family: FamilySpec, steps: int, length: int, curve: Any = None) -> Schedule:
    """The family's schedule at T: from float masked counts with exact checks where boundcalc.family_sizes
    computes the family (the exact builder's sizes, far faster for the trigonometric ones), else parse_schedule;
    a family computed from a loss curve (info-optimal) from ``curve``."""
    from .family_sizes import fast_schedule, supported

    if family.family.needs_curve and curve is not None:
        from .estimate import curve_schedule

        return curve_schedule(family.at(steps), curve)
    parts = family.spec(steps).split(":")
    if len(parts) >= 2 and parts[1] == str(steps) and supported(parts[0], parts[2:], length):
        return fast_schedule(parts[0], parts[2:], length, steps)
    return family.at(steps).build(length, param="families")


def _array_family(family: FamilySpec, steps: Sequence[int], length: int) -> tuple[str, list[str]] | None:
    """(head, parameters after T) when the family's schedules at every T come from arrays
    (:mod:`boundcalc.schedule_arrays`: the exact builder's sizes, vectorised over T), else None."""
    from .family_sizes import supported
    from .schedule_arrays import MAX_LENGTH, array_supported

    if family.family.random_counts or not steps:
        return None
    if family.family.needs_curve:  # info-optimal from the curve's d (boundcalc.info_optimal_arrays); not the DP's
        return ("info-optimal", []) if family.name == "info-optimal" and family.parts[1:] == ("T",) else None
    parts = family.spec(steps[0]).split(":")
    if len(parts) < 2 or parts[1] != str(steps[0]) or family.parts[1:2] != ("T",):
        return None
    head, extra = parts[0], parts[2:]
    if head == "dream":  # its runs for every T at once (schedule_arrays.dream_runs)
        return (head, extra) if length <= MAX_LENGTH and supported(head, extra, length) else None
    return (head, extra) if array_supported(head, extra, length) else None


def _array_schedules(family: FamilySpec, steps: Sequence[int], length: int, consume: Any, curve: Any = None
                     ) -> tuple[list[tuple[int, Any]], list[tuple[str, int, str]]] | None:
    """The family's schedules from arrays, chunk by chunk, each chunk handed to ``consume(chunk, schedules)``
    (the truth's errors, while the chunk's steps are at hand); None when the family is not computed so."""
    from .kernel_arrays import family_chunks
    from .schedule_arrays import chunk_schedules, dream_runs

    found = _array_family(family, steps, length)
    if found is None:
        return None
    head, extra = found
    if head == "info-optimal":  # its step starts for every T from the curve's d
        from .info_optimal_arrays import info_optimal_schedules

        return info_optimal_schedules(curve.conditional("linear"), steps, consume), []
    built: list[tuple[int, Any]] = []
    if head == "dream":  # a few runs per T: plain schedules, summed over their runs with the others
        skipped = []
        for t, runs in dream_runs(length, steps, extra).items():
            if runs is not None:
                built.append((t, Schedule(runs=runs, name=":".join([head, str(t), *extra]))))
                continue
            try:  # an empty step: the builder's own message (it raises)
                _build(family, t, length)
            except BoundcalcError as error:
                skipped.append((family.label, t, _short(error.message)))
        return built, skipped
    for chunk in family_chunks(head, extra, length, steps):
        names = [":".join([head, str(t), *extra]) for t in chunk.steps.tolist()]  # parse_schedule's names
        schedules = chunk_schedules(chunk, head, extra, names)
        if consume is not None:
            consume(chunk, schedules)
        built += zip(chunk.steps.tolist(), schedules)
    return built, []


def family_schedules(family: FamilySpec, steps: Sequence[int], length: int, samplers: Samplers, curve: Any = None,
                     consume: Any = None) -> tuple[list[tuple[int, Any]], list[tuple[str, int, str]]]:
    """The family's (T, schedule or sampler) over ``steps`` and the (label, T, why) of the T it has none for;
    ``consume(chunk, schedules)`` sees each array chunk while its steps are at hand (the sweep's errors)."""
    arrays = _array_schedules(family, steps, length, consume, curve)
    if arrays is not None:
        if not arrays[0]:
            raise ScheduleError(f"family {family.label!r} has no schedule on this grid: {arrays[1][0][2]}",
                                param="families", value=family.label, allowed=f"usage {family.family.usage}")
        return arrays
    built: list[tuple[int, Any]] = []  # samplers (boundcalc.registry.Sampler)
    skipped = []
    if family.name == "blocks":  # blocks:K:FAMILY:T: the inner schedules from arrays, no runs listed per row
        from .block_arrays import block_rows

        found = block_rows(family, steps, length, lambda t: _build(family, t, length, curve))
        if found is not None:
            built, missed = found
            skipped = [(family.label, t, _short(error.message)) for t, error in missed]
            steps = ()
    uniform = not family.family.random_counts and family.spec(1) == "uniform:1" and family.spec(2) == "uniform:2"
    for t in steps:
        if uniform and t <= length:  # two runs: no size array per T
            from .schedule_arrays import uniform_schedule

            built.append((t, uniform_schedule(length, t)))
            continue
        if family.family.random_counts:  # built (and costed) before the sweep
            sampler = samplers[family.label, t]
            if isinstance(sampler, str):
                skipped.append((family.label, t, sampler))
            else:
                built.append((t, sampler))
            continue
        try:
            schedule = _build(family, t, length, curve)
        except BoundcalcError as error:
            skipped.append((family.label, t, _short(error.message)))
            continue
        built.append((t, schedule))
    if not built:
        raise ScheduleError(f"family {family.label!r} has no schedule on this grid: {skipped[0][2]}",
                            param="families", value=family.label, allowed=f"usage {family.family.usage}")
    return built, skipped


def parse_families(families: "str | Iterable[str]") -> list[FamilySpec]:
    """The sweep's families parsed (:func:`parse_family`): at least one, none twice."""
    specs = [parse_family(f) for f in ([families] if isinstance(families, str) else families)]
    if not specs:
        raise UsageError("no family given", param="families", allowed=f"one or more of {', '.join(sweep_families())}")
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        raise UsageError("a family is given twice", param="families", value=labels)
    return specs


def sweep(
    source: Any,
    families: "str | Iterable[str]",
    steps: "str | Iterable[int]",
    *,
    length: int | None = None,
    eps_train: Number = 0,
    unit: "Unit | str | None" = None,
    optimal: bool = False,
    progress: Progress | None = None,
    vocab_size: int | None = None,
) -> SweepResult:
    """Every bound (and, from a data model or entropy profile, the exact and optimal errors) over a grid of T.

    ``source`` is an :class:`~boundcalc.MIProfile` (bounds only; ``unit`` is
    its own), a data model (``length`` needed for a Markov chain), or an
    entropy profile. ``families`` are family names (:func:`parse_family`);
    ``steps`` a grid (:func:`parse_steps`) or a list of T. Errors are in
    ``unit`` (nats by default), with ε_train = 0 (the optimal predictor);
    bounds add ``eps_train``. ``progress(done, total)`` is called per row. From a measured loss curve each
    error also carries its interval over the curve's monotone completions (``vocab_size``: d <= ln V bounds its
    upper end, else unbounded where r = 1 is unmeasured).
    """
    specs = parse_families(families)
    labels = [s.label for s in specs]
    eps = nonnegative_rational(eps_train, "eps_train")
    profile, truth, unit = resolve_source(source, length, unit, progress, vocab_size)
    if optimal and (truth is None or not hasattr(truth.profile, "optimal_schedule")):
        raise UsageError("optimal errors need a data model or an entropy profile", param="optimal",
                         allowed="an MI profile gives the bounds only")
    grid = parse_sweep_grid(specs, steps, profile.length)
    curve = _curve_of(truth)
    check_curve_families(specs, curve)
    # before any sampler is built: the random-count rows alone, then the whole sweep
    count_seconds = check_count_cost(specs, grid, profile.length, truth, MAX_SWEEP_SECONDS)
    _check_cost(specs, grid, profile.length, truth, optimal, count_seconds)
    consume = None if truth is None else truth.prepare_chunk  # array families: errors chunk by chunk
    fixed = {spec.label: family_schedules(spec, grid, profile.length, {}, curve, consume)
             for spec in specs if not spec.family.random_counts}
    every = [schedule for schedules, _ in fixed.values() for _, schedule in schedules]
    counted = [spec for spec in specs if spec.family.random_counts]
    names = tuple(n for n in _bound_names(profile, truth) if any(_applies(n, s) for s in every)
                  or (counted and BOUNDS[n].per_realisation))
    if truth is not None:  # every global fixed schedule's error (and interval) for all rows at once
        truth.prepare([s for s in every if not s.random_counts and s.positions == "uniform"])
    ticks = _ticker(progress, len(every) + len(counted) * len(grid))
    count_mi = _count_mi_inputs(truth) if truth is not None and truth.curve is not None and counted else None

    def count_row(spec: FamilySpec, t: int, sampler: CountSampler, report: CountBoundReport) -> SweepRow:
        return _count_row(spec, t, sampler, profile, eps, truth, optimal, names, report, count_mi)

    def count_rows(spec: FamilySpec, part: list[tuple[int, CountSampler, Any]], detach: bool) -> SweepRows:
        columns = (profile.length, profile.total, eps, truth, names, count_mi, SweepRow)
        return chunk_rows(part, detach, truth, lambda t, s, r: count_row(spec, t, s, r),
                          None if optimal else lambda run: count_block(spec.label, run, *columns))

    # the count rows first, chunk of T by chunk of T (boundcalc.count_flow), as columns (boundcalc.sweep_columns)
    built = _count_rows(counted, grid, profile, eps, truth, count_row, ticks, count_rows)
    shared = RowBounds(profile, eps, truth, names)
    segments: list[Sequence[SweepRow]] = []
    skipped = []
    for spec in specs:
        if spec.label in built:
            segments += [s for rows in built[spec.label][0] for s in rows.segments]
            skipped += built[spec.label][1]
            continue
        schedules, missed = fixed[spec.label]
        skipped += missed
        rows = []
        for t, schedule in schedules:
            rows.append(_row(spec, t, schedule, profile, eps, truth, optimal, names, shared))
            ticks()
        segments.append(tuple(rows))
    return SweepResult(
        rows=joined_rows(segments), families=tuple(labels), steps=grid, length=profile.length, unit=unit, eps_train=eps,
        mi_total=profile.total, bound_names=names, source=profile.source, has_truth=truth is not None,
        estimate=bool(truth and truth.estimate), has_optimal=optimal, skipped=tuple(skipped),
        optimal_schedules={t: s for t, (s, _) in truth.optimal.items()} if truth else {},
        mi_measured=truth.mi_measured() if truth else None,
    )
