"""The truth side of a sweep's source: exact (or estimated) errors, ΣI and Φ of a data model, an entropy
profile or a loss curve, with each value's certified error and, from a measured curve, its stderr and
interpolation effect (:func:`row_spreads`). Split from :mod:`boundcalc.sweeps`, which builds the rows.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any, Callable, Mapping, cast

from .bounds import BoundInputs
from .counts import CountSampler
from .curve import LossCurve
from .errors import UsageError
from .exact import Measured
from .multiscale import MultiScaleProfile, level_sizes
from .profile import MIProfile
from .schedule import Schedule
from .units import LN2, Unit, as_unit, from_nats

__all__ = ["SourceTruth", "resolve_source", "row_spreads", "row_intervals"]

Progress = Callable[[int, int], None]


class SourceTruth:
    """The exact errors, ΣI and Theorem 2's multi-scale profiles of an entropy-profile-like source.

    The source computes in nats; the sweep's bounds are exact in ``unit`` (ΣI and the level totals
    converted once by :func:`boundcalc.units.from_nats`, then taken at their shortest decimals), so
    every float here is stated in ``unit`` too, where it is compared with them.
    """

    def __init__(self, profile: Any, unit: Unit, model: Any = None, curve: LossCurve | None = None,
                 vocab_size: int | None = None) -> None:
        from .truth import EPS64, float_decimal

        self.profile, self.unit, self.model = profile, unit, model
        #: V for the upper end of a measured curve's intervals over its monotone completions (None: unbounded)
        self.vocab_size = vocab_size
        # a measured loss curve: every value is an estimate, with its stderr and interpolation effect
        self.curve = curve if curve is not None and not curve.exact else None
        self._inputs: dict[int | None, dict[str, Any]] = {}
        self.length = L = int(profile.length)
        self._decimal = float_decimal
        mi = MIProfile.from_total(float_decimal(from_nats(profile.mi_total(), unit)), L, unit=unit)
        self.mi = replace(mi, source=str(getattr(profile, "source", "") or "entropy profile"))
        # ΣI and G(m) = L (d(0) - d(m)): two values of d within abs_error, a subtraction and a product (as verify)
        d = getattr(profile, "conditional", None)
        d_max = 1.0 if d is None else max(1.0, float(abs(d).max()))
        self.input_error = from_nats(L * (2 * float(getattr(profile, "abs_error", 0.0)) + 4 * EPS64 * d_max), unit)
        self.shift = Fraction(self.input_error)
        self.mi_shifted = MIProfile.from_total(self.mi.total + self.shift, L, unit=unit)
        self._multiscale: dict[tuple[int, bool], MultiScaleProfile | None] = {}
        self._random: dict[int, float | None] = {}
        self._random_raw: dict[int, float] = {}  # expected_random_error of the profile per S, nats
        self._linear_profile: bool | None = None  # the profile is the curve's linear interpolation (once known)
        self._random_spread: dict[int, tuple[float | None, float]] = {}
        self._random_interval: dict[int, tuple[float, float]] = {}
        self.optimal: dict[int, tuple[Schedule, float]] = {}
        # per prepared schedule (by id; the schedules are kept alive in _prepared): the error on the linear
        # profile, on the monotone cubic one, and the interval over the completions (nats), from prepare()
        self._prepared: list[Schedule] = []
        self._linear: dict[int, float] = {}
        self._cubic: dict[int, float] = {}
        self._completion: dict[int, tuple[float, float]] = {}
        self._stderr: dict[int, float] = {}  # a prepared schedule's error's stderr (a curve with stderr)
        self._curve_rows: Any = None  # (CurveRows, fallbacks, has a cubic, has gaps), made once by _rows()
        self._grid: dict[int, Any] = {}  # uniform-grid count rows' values by id (count_grid_truth), nats
        self._grid_samplers: list[Any] = []  # kept alive: the values are found by id

    def prepare(self, schedules: "list[Schedule]") -> None:
        """Compute the errors of these (global, fixed) schedules, and from a measured curve their monotone-cubic
        errors and intervals over the completions, for all rows at once (:mod:`boundcalc.sweep_vector`): the
        same floats :meth:`error`, :meth:`spread` and :meth:`interval` compute row by row, found in O(T) each.
        Schedules already prepared (:meth:`prepare_chunk`) are skipped."""
        schedules = [s for s in schedules if id(s) not in self._linear]
        setup = self._rows() if schedules else None
        if setup is not None:
            rows, fallbacks = setup
            self._store(schedules, rows.compute(schedules, fallbacks))
            if self.curve is not None and self.curve.stderr is not None:  # the stderr column, from the steps
                from .sweep_steps import run_chunks

                for begin, chunk in run_chunks(schedules):
                    self._store_stderrs(schedules[begin : begin + chunk.rows], chunk)

    def prepare_chunk(self, chunk: Any, schedules: "list[Schedule]") -> None:
        """:meth:`prepare` for the schedules of a :class:`~boundcalc.schedule_arrays.StepChunk` (row i is
        ``schedules[i]``), summed over their steps (:mod:`boundcalc.sweep_steps`)."""
        setup = self._rows()
        if setup is not None:
            rows, fallbacks = setup
            from .sweep_steps import chunk_columns

            self._store(schedules, chunk_columns(rows, chunk, schedules, fallbacks))
            if self.curve is not None and self.curve.stderr is not None:
                self._store_stderrs(schedules, chunk)

    def prepare_counts(self, samplers: "list[CountSampler]") -> None:
        """The expected error, its estimate and interval of every count row that takes the coefficient form
        (:meth:`count_error`), for all rows at once: the uniform-grid rows by their zones
        (:mod:`boundcalc.count_grid_truth`), the others (MDLM's other noises) over every m
        (:mod:`boundcalc.count_noise_truth`) or, at L > 4096 and large T, from the T-independent forms
        (:mod:`boundcalc.count_stepless`'s policy)."""
        if not hasattr(self.profile, "conditional"):
            return
        from .count_grid_truth import grid_rows_truth
        from .count_noise_truth import noise_rows_truth
        from .count_stepless import expanded_truth

        chosen = [s for s in samplers if id(s) not in self._grid and self._coefficient_form(s)]
        if chosen:
            self._grid_samplers.extend(chosen)
            self._grid.update(grid_rows_truth(self.profile, chosen, self.curve, self.vocab_size))
            rest = [s for s in chosen if id(s) not in self._grid]
            if rest:  # at L > 4096 the rows with large T from the forms, no step read (count_stepless's policy)
                self._grid.update(expanded_truth(self.profile, rest, self.curve, self.vocab_size))
                rest = [s for s in rest if id(s) not in self._grid]
            if rest:
                self._grid.update(noise_rows_truth(self.profile, rest, self.curve, self.vocab_size))

    def release_counts(self, samplers: "list[CountSampler]") -> None:
        """Forget what :meth:`prepare_counts` kept for these rows (their sweep rows are built): a sweep that goes
        chunk by chunk (:mod:`boundcalc.count_flow`) keeps no chunk's samplers, nor their steps, alive."""
        keys = {id(s) for s in samplers}
        for key in keys:
            self._grid.pop(key, None)
        self._grid_samplers = [s for s in self._grid_samplers if id(s) not in keys]

    @staticmethod
    def _coefficient_form(sampler: CountSampler) -> bool:
        """True where :meth:`count_error` takes the coefficient form (the DP would cost far more). The DP's work is
        n(L + 1)(cap + 1) >= n(L + 1): above the limit already, the cap (a search over every step, which a row whose
        bounds came from bins has not computed) is not needed."""
        from .counts import MAX_COUNT_WORK
        from .estimate import COEFFICIENT_FORM_WORK

        limit = min(MAX_COUNT_WORK, COEFFICIENT_FORM_WORK)
        return len(sampler.reveal) * (sampler.length + 1) > limit or sampler.work() > limit

    def _store_stderrs(self, schedules: "list[Schedule]", chunk: Any) -> None:
        """The stderr of each row's error (nats; sweep_steps.chunk_stderrs), by id (None: computed row by row)."""
        from .sweep_steps import chunk_stderrs

        assert self.curve is not None
        self._stderr.update((id(s), v) for s, v in zip(schedules, chunk_stderrs(self.curve, chunk)) if v is not None)

    def _rows(self) -> "tuple[Any, list[Any]] | None":
        """The sweep_vector.CurveRows of this source's d (and cubic d, and completions) with the row-by-row
        fallbacks, made once; None when the source is not an entropy profile of a curve or model."""
        from .truth.core import EntropyProfile

        if type(self.profile) is not EntropyProfile:
            return None
        if self._curve_rows is None:
            from .completion import error_interval, has_gaps
            from .estimate import curve_profile, schedule_coefficients
            from .sweep_vector import CurveRows

            L, curve = self.length, self.curve
            partial = curve is not None and curve.masked.size != L  # the monotone cubic differs from the linear
            cubic = curve_profile(curve, "pchip") if partial else None  # type: ignore[arg-type]
            gaps = curve is not None and has_gaps(curve)

            def interval(schedule: Schedule) -> tuple[float, float]:
                return error_interval(curve, schedule_coefficients(schedule, L), self.vocab_size)  # type: ignore[arg-type]

            rows = CurveRows(self.profile.conditional, None if cubic is None else cubic.conditional,
                             curve if gaps else None, self.vocab_size)
            fallbacks: list[Any] = [self.profile.error] + ([cubic.error] if cubic is not None else [])
            self._curve_rows = (rows, fallbacks + ([interval] if gaps else []), cubic is not None, gaps)
        rows, fallbacks, _, _ = self._curve_rows
        return rows, fallbacks

    def _store(self, schedules: "list[Schedule]", columns: "list[list[Any]]") -> None:
        _, _, has_cubic, gaps = self._curve_rows
        self._prepared.extend(schedules)  # kept alive: the values are found by id
        keys = [id(s) for s in schedules]
        self._linear.update(zip(keys, columns[0]))
        if has_cubic:
            self._cubic.update(zip(keys, columns[1]))
        if gaps:
            self._completion.update(zip(keys, columns[-1]))

    @property
    def estimate(self) -> bool:
        return bool(self.curve is not None or getattr(self.profile, "is_estimate", False)
                    or getattr(self.profile, "meta", {}).get("estimate"))

    def spread(self, schedule: "Schedule | CountSampler") -> tuple[float | None, float] | None:
        """(stderr, interpolation effect) of the error of ``schedule`` estimated from a measured curve, else None."""
        if self.curve is None:
            return None
        from .estimate import Estimate, count_estimate, estimate_error, schedule_coefficients

        curve = self.curve
        grid = self._grid.get(id(schedule))
        if grid is not None and grid.estimate is not None:  # a count row prepared by prepare_counts
            measured = from_nats(grid.estimate.measured(), self.unit)
            return measured.stderr, measured.interpolation or 0.0
        if id(schedule) in self._linear:  # prepared: estimate_error's pieces, computed for all rows at once
            value = self._linear[id(schedule)]
            cubic = value if curve.masked.size == curve.length else self._cubic[id(schedule)]
            se = self._stderr.get(id(schedule))
            if se is None and curve.stderr is not None:
                se = curve.stderr_of(schedule_coefficients(cast(Schedule, schedule), self.length))
            estimate = Estimate(value, se, cubic, curve.exact, abs_error=self.profile.error_bound(schedule))
        else:
            estimate = (count_estimate(curve, schedule, self.profile) if schedule.random_counts
                        else estimate_error(curve, schedule))
        measured = from_nats(estimate.measured(), self.unit)
        return measured.stderr, measured.interpolation or 0.0

    def interval(self, schedule: "Schedule | CountSampler") -> tuple[float, float] | None:
        """[low, high] of the (expected) error of ``schedule`` over every monotone completion of a measured curve
        with unmeasured d (:mod:`boundcalc.completion`), in the unit; None otherwise."""
        found = self._completion.get(id(schedule))
        if found is not None:  # prepared for all rows at once (only a curve with gaps has them: see _store)
            return from_nats(found[0], self.unit), from_nats(found[1], self.unit)
        from .completion import error_interval, has_gaps
        from .estimate import count_coefficients, schedule_coefficients

        if self.curve is None or not has_gaps(self.curve):
            return None
        grid = self._grid.get(id(schedule))
        if grid is not None and grid.interval is not None:  # a count row prepared by prepare_counts
            lo, hi = grid.interval
            return from_nats(lo, self.unit), from_nats(hi, self.unit)
        c = (count_coefficients(schedule) if schedule.random_counts
             else schedule_coefficients(cast(Schedule, schedule), self.length))
        lo, hi = error_interval(self.curve, c, self.vocab_size)
        return from_nats(lo, self.unit), from_nats(hi, self.unit)

    def random_interval(self, max_size: int) -> tuple[float, float] | None:
        """[low, high] of the random schedule's expected error on {S, S/2} over the monotone completions of a
        measured curve with unmeasured d, in the unit; None otherwise."""
        big_s = 1 << (max_size - 1).bit_length()
        found = self._random_interval.get(big_s)
        if found is not None:  # only a curve with gaps has them
            return found
        from .completion import error_interval, has_gaps
        from .estimate import random_schedule_coefficients

        if self.curve is None or not has_gaps(self.curve):
            return None
        if big_s not in self._random_interval:  # it depends on S only: once per S, not once per row
            c = random_schedule_coefficients(self.length, big_s)
            lo, hi = error_interval(self.curve, c, self.vocab_size)
            self._random_interval[big_s] = (from_nats(lo, self.unit), from_nats(hi, self.unit))
        return self._random_interval[big_s]

    def mi_interval(self) -> tuple[float, float] | None:
        """ΣI's interval over the monotone completions of a measured curve, in the unit, when it is not a point
        (k = 1 or k = L unmeasured); None otherwise."""
        from .completion import has_gaps, input_intervals

        if self.curve is None or not has_gaps(self.curve):
            return None
        lo, hi = input_intervals(self.curve, None, self.vocab_size)["mi_total"]
        return (from_nats(lo, self.unit), from_nats(hi, self.unit)) if hi > lo else None

    def bound_intervals(self, inputs: BoundInputs, values: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
        """Each bound's interval over the monotone completions of a measured curve (the bounds that move; in the
        unit of ``inputs``): :func:`boundcalc.answers.bound_intervals_of`."""
        if self.curve is None:
            return {}
        from .answers import bound_intervals_of

        return bound_intervals_of(inputs, self.curve, dict(values), self.vocab_size)

    def mi_measured(self) -> Measured:
        """ΣI with its float error and, from a measured curve, its stderr and interpolation effect."""
        value = Measured(float(self.mi.total), self.input_error, nonnegative=True)
        if self.curve is None:
            return value
        spread = self._input_estimates(None)["mi_total"]
        return replace(value, stderr=spread.stderr, interpolation=spread.interpolation, estimate=True)

    def _input_estimates(self, max_size: int | None) -> dict[str, Any]:
        big_s = None if max_size is None else 1 << (max_size - 1).bit_length()
        if big_s not in self._inputs:
            from .estimate import curve_input_estimates

            assert self.curve is not None
            self._inputs[big_s] = {k: from_nats(e.measured(), self.unit)
                                   for k, e in curve_input_estimates(self.curve, big_s).items()}
        return self._inputs[big_s]

    def bound_spreads(self, inputs: BoundInputs, values: Mapping[str, Any]) -> dict[str, tuple[float | None, float]]:
        """(stderr, interpolation effect) of each bound at the curve's estimated ΣI and Φ (measured curve only)."""
        if self.curve is None:
            return {}
        from .estimate import curve_bound_spreads

        estimates = self._input_estimates(None if inputs.multiscale is None else inputs.multiscale.scale)
        return curve_bound_spreads(self.curve, inputs, values, estimates)

    def multiscale(self, max_size: int, shifted: bool = False) -> MultiScaleProfile | None:
        """Theorem 2's level totals G(m_j) for S = 2^ceil(log2 s_max), as verify computes them (cached per S).

        ``shifted``: each non-empty level raised by the inputs' float error (for the bounds' error).
        """
        big_s, sizes = level_sizes(self.length, max_size)
        if (big_s, shifted) not in self._multiscale:
            if not hasattr(self.profile, "multiscale"):
                self._multiscale[big_s, shifted] = None
            else:
                totals, running = [], Fraction(0)
                for m in sizes:
                    value = Fraction(self._decimal(from_nats(self.profile.multiscale(m), self.unit))) if m > 0 else Fraction(0)
                    running = min(max(running, value), self.mi.total)
                    totals.append(running + (self.shift if shifted and m > 0 else 0))
                self._multiscale[big_s, shifted] = MultiScaleProfile.from_level_totals(
                    totals, self.length, unit=self.unit, source="the data model")
        return self._multiscale[big_s, shifted]

    def abs_error(self, schedule: Schedule | None) -> float | None:
        """The certified rounding error of the exact error of ``schedule`` (of any schedule when None)."""
        bound = getattr(self.profile, "error_bound", None)
        return from_nats(float(bound(schedule)), self.unit) if bound else None

    def random_error(self, max_size: int) -> float | None:
        """The exact expected error of the random schedule on {S, S/2} (None for S < 2)."""
        big_s = 1 << (max_size - 1).bit_length()
        if big_s not in self._random:
            value = None
            if big_s >= 2 and hasattr(self.profile, "step_error"):
                value = from_nats(self._random_nats(big_s), self.unit)
            self._random[big_s] = value
        return self._random[big_s]

    def _random_nats(self, big_s: int) -> float:
        """expected_random_error of the source's profile at S (nats), once per S: the random-error column and,
        on a measured curve, its spread (random_schedule_estimate's value on the same linear profile) read it."""
        if big_s not in self._random_raw:
            from .truth import expected_random_error

            self._random_raw[big_s] = expected_random_error(self.profile, big_s)
        return self._random_raw[big_s]

    def _is_linear_profile(self) -> bool:
        """True when the source's profile is the measured curve's linear interpolation (as resolve_source makes it)."""
        if self._linear_profile is None:
            import numpy as np

            from .estimate import curve_profile

            assert self.curve is not None
            d = getattr(self.profile, "conditional", None)
            self._linear_profile = (hasattr(self.profile, "step_error") and d is not None
                                    and np.array_equal(d, curve_profile(self.curve).conditional))
        return self._linear_profile

    def random_spread(self, max_size: int) -> tuple[float | None, float]:
        """(stderr, interpolation effect) of :meth:`random_error` estimated from a measured curve."""
        from .estimate import random_schedule_estimate

        assert self.curve is not None
        big_s = 1 << (max_size - 1).bit_length()
        if big_s not in self._random_spread:  # it depends on S only: once per S, not once per row
            linear = self._random_nats(big_s) if big_s >= 2 and self._is_linear_profile() else None
            measured = from_nats(random_schedule_estimate(self.curve, big_s, linear).measured(), self.unit)
            self._random_spread[big_s] = (measured.stderr, measured.interpolation or 0.0)
        return self._random_spread[big_s]

    def error(self, schedule: Schedule) -> tuple[float, float | None]:
        value = self._linear.get(id(schedule))
        if value is None:
            value = self.profile.error(schedule)
        return from_nats(float(value), self.unit), self.abs_error(schedule)

    def count_error(self, sampler: CountSampler) -> tuple[float | None, float | None]:
        """The exact expected error of a random-count sampler and its certified error (None without d)."""
        if not hasattr(self.profile, "conditional"):
            return None, None
        from .estimate import coefficient_error
        from .truth.samplers import count_error

        grid = self._grid.get(id(sampler))
        if grid is not None:  # prepared by prepare_counts: the coefficient form, all rows at once
            return from_nats(max(grid.value, 0.0), self.unit), from_nats(grid.error, self.unit)
        if self._coefficient_form(sampler):  # the DP costs far more: the same value
            value, error = coefficient_error(self.profile, sampler)
        else:
            value, error = count_error(self.profile, sampler)
        return from_nats(max(value, 0.0), self.unit), from_nats(error, self.unit)

    def count_prepared(self, samplers: "list[CountSampler]") -> list[bool]:
        """Whether each sampler's row was prepared by :meth:`prepare_counts` (:meth:`count_columns` takes only those)."""
        return [id(s) in self._grid for s in samplers]

    def count_columns(self, samplers: "list[CountSampler]") -> "dict[str, Any] | None":
        """:meth:`count_error`, :meth:`spread` and :meth:`interval` of count rows prepared by :meth:`prepare_counts`,
        as numpy columns (the same floats: the same operations, elementwise): ``value``, ``error``; ``stderr`` (None
        where the curve has none) and ``interpolation`` when the rows have a spread; ``low``, ``high`` when they
        have an interval. None unless every row takes those methods' prepared route with fields a Measured accepts
        (then the caller asks them row by row, and they say what is wrong)."""
        import numpy as np

        found: list[Any] = [self._grid.get(id(s)) for s in samplers]
        if not samplers or any(g is None or id(s) in self._completion for g, s in zip(found, samplers)):
            return None
        bits = self.unit is Unit.BITS
        value = np.array([g.value for g in found], dtype=np.float64)
        error = np.array([g.error for g in found], dtype=np.float64)
        value = np.where(0.0 > value, 0.0, value)  # max(value, 0.0), -0.0 and all
        out: dict[str, Any] = {"value": value / LN2 if bits else value, "error": error / LN2 if bits else error}
        if self.curve is not None:  # spread(): the estimate's Measured, converted as from_nats converts it
            estimates = [g.estimate for g in found]
            if any(e is None for e in estimates):
                return None
            exact = [e.exact for e in estimates]
            if any(exact) and not all(exact):
                return None
            raw = np.array([e.value for e in estimates], dtype=np.float64)
            # the fields Measured checks: finite and >= 0 (the value, its error, stderr, interpolation), an ordered
            # interval; in bits each again once scaled (Measured.scaled builds another)
            shown = np.where(0.0 > raw, 0.0, raw)
            abs_error = np.array([e.abs_error for e in estimates], dtype=np.float64)
            checked = [shown, abs_error]
            ordered = True
            if all(exact):
                stderr, interpolation = None, np.zeros(len(found))
            else:
                given = [e.stderr for e in estimates]
                if any(s is None for s in given) and not all(s is None for s in given):
                    return None
                stderr = None if given[0] is None else np.array(given, dtype=np.float64)
                interpolation = np.abs(raw - np.array([e.pchip for e in estimates], dtype=np.float64))
                ends = [e.interval for e in estimates]
                if any(x is not None for x in ends):
                    if any(x is None for x in ends):
                        return None
                    pair = np.array(ends, dtype=np.float64).reshape(len(ends), 2)
                    ordered = bool(np.all(pair[:, 0] <= pair[:, 1]))  # so are their products by 1/LN2
                checked += [interpolation] + ([] if stderr is None else [stderr])
            if bits:  # Measured.scaled: every uncertainty times 1/LN2, the error with a margin
                factor = 1 / LN2
                checked += [x * factor for x in checked[2:]] + [shown * factor, abs_error * factor * (1 + 4 * 2.0**-53)]
                stderr = None if stderr is None else stderr * factor
                interpolation = interpolation * factor
            if not ordered or not all(bool(np.all((x >= 0) & (x < np.inf))) for x in checked):
                return None  # a field a Measured refuses: spread() raises, row by row
            out["stderr"], out["interpolation"] = stderr, interpolation
        from .completion import has_gaps

        if self.curve is not None and has_gaps(self.curve):  # interval(): the prepared ends, converted
            ends = [g.interval for g in found]
            if any(x is None for x in ends):
                return None
            pair = np.array(ends, dtype=np.float64).reshape(len(ends), 2)
            out["low"], out["high"] = (pair[:, 0] / LN2, pair[:, 1] / LN2) if bits else (pair[:, 0], pair[:, 1])
        return out

    def optimal_error(self, steps: int) -> float:
        if steps not in self.optimal:
            schedule, error = self.profile.optimal_schedule(steps)
            self.optimal[steps] = (schedule, from_nats(error, self.unit))
        return self.optimal[steps][1]


def resolve_source(source: Any, length: int | None, unit: "Unit | str | None",
            progress: Progress | None, vocab_size: int | None = None) -> "tuple[MIProfile, SourceTruth | None, Unit]":
    """(MIProfile, SourceTruth or None, unit) for an MI profile, a data model or an entropy-profile-like object."""
    if isinstance(source, MIProfile):
        if unit is not None and as_unit(unit) is not source.unit:
            raise UsageError(f"the MI profile is in {source.unit}, not {as_unit(unit)}", param="unit",
                             allowed=f"{source.unit} (exact values are never converted)")
        if length is not None and length != source.length:
            raise UsageError(f"{length} disagrees with the MI profile (L = {source.length})", param="length")
        return source, None, source.unit
    unit = as_unit(unit if unit is not None else Unit.NATS)
    model = None
    if isinstance(source, LossCurve):  # a loss curve: its entropy profile; a measured one gives estimates
        from .estimate import curve_profile

        if length is not None and length != source.length:
            raise UsageError(f"{length} disagrees with the loss curve (L = {source.length})", param="length")
        truth = SourceTruth(curve_profile(source), unit, curve=source, vocab_size=vocab_size)
        return truth.mi, truth, unit
    if not (hasattr(source, "error") and hasattr(source, "length")):
        from .truth import entropy_profile

        model, source = source, entropy_profile(source, length, progress)  # a data model (TypeError otherwise)
    elif length is not None and length != source.length:
        raise UsageError(f"{length} disagrees with the entropy profile (L = {source.length})", param="length")
    truth = SourceTruth(source, unit, model)
    return truth.mi, truth, unit


def row_intervals(truth: "SourceTruth", schedule: "Schedule | CountSampler", optimal: Schedule | None = None,
                  inputs: BoundInputs | None = None, bounds: Mapping[str, Any] | None = None,
                  random: int | None = None) -> dict[str, tuple[float, float]]:
    """A row's intervals over the monotone completions of a measured curve (empty otherwise): its errors, the
    random schedule's on {S, S/2} (``random``: the row's s_max) and its bounds at ΣI and Φ (``inputs``)."""
    out = {}
    for name, which in (("error", schedule), ("optimal", optimal)):
        found = truth.interval(which) if which is not None else None
        if found is not None:
            out[name] = found
    if random is not None:
        found = truth.random_interval(random)
        if found is not None:
            out["random_error"] = found
    if inputs is not None and bounds:
        out.update(truth.bound_intervals(inputs, bounds))
    return out


def row_spreads(truth: "SourceTruth", schedule: "Schedule | CountSampler", inputs: BoundInputs | None,
             bounds: Mapping[str, Any], optimal: Schedule | None = None, random: int | None = None
             ) -> dict[str, tuple[float | None, float]]:
    """The stderr and interpolation effect of a row's values estimated from a measured curve (empty otherwise).

    ``random``: the s_max of the row's random schedule on {S, S/2} when its expected error is shown.
    """
    if truth.curve is None:
        return {}
    out: dict[str, tuple[float | None, float]] = {}
    spread = truth.spread(schedule)
    if spread is not None:
        out["error"] = spread
    if optimal is not None:
        out["optimal"] = truth.spread(optimal) or (None, 0.0)
    if random is not None:
        out["random_error"] = truth.random_spread(random)
    if inputs is not None:
        out.update(truth.bound_spreads(inputs, bounds))
    return out
