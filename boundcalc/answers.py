"""A command's answer as one value: the results with the inputs they were computed from.

The printers (:mod:`boundcalc.jsonify`, ...) print these whole, so a front end emits a printer's
output unchanged instead of assembling or editing documents itself:

* :class:`UniformStepsAnswer` -- the fewest T of uniform schedules by a bound (the closed form);
* :class:`FamilyStepsAnswer` -- the fewest T of any family, by bound, estimated error or the DP;
* :class:`BudgetAnswer` -- each family's error and bound at one T;
* :class:`CurveBoundReport` -- the bounds of a schedule at a loss curve's ΣI and Φ (estimates for
  a measured curve), from :func:`curve_bound_report`;
* :class:`CountBoundAnswer` -- a random-count sampler's expected bounds, and at a loss curve each as an
  estimate, from :func:`count_bound_answer`;
* :class:`VerifyAnswer` -- verify's report with what the loss curve adds (the estimate, TC, DTC,
  the optimal and info-optimal schedules), from :func:`verify_answer`;
* :class:`ProfileAnswer`, :class:`MultiScaleAnswer`, :class:`CurveAnswer` -- a data model's MI
  profile, multi-scale profile, or a loss curve (exact or estimated), and where it was written;
* :class:`Recommendation` -- from a loss curve, per target the family to run and each family's T;
* :class:`SweepAnswer` -- a sweep over T (bounds, errors) with a description of its source;
* :class:`ResultCatalogue` -- the results of the theory by name (``latex --list``), from :func:`result_catalogue`;
* :class:`RuleVerifyAnswer`, :class:`TradeoffAnswer`, :class:`ThresholdSearchAnswer`,
  :class:`RuleSearchAnswer` -- the samplers that choose positions from the predictions, on a data model:
  one rule's truth, several rules at their calls, the loosest threshold, a search over a rule's parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._print_helpers import Printable
from .units import from_nats

if TYPE_CHECKING:  # pragma: no cover
    from .bounds import BoundReport, CountBoundReport
    from .curve import LossCurve
    from .exact import Measured
    from .profile import MIProfile

__all__ = ["UniformStepsAnswer", "FamilyStepsAnswer", "BudgetAnswer", "CurveBoundReport", "curve_bound_report",
           "CountBoundAnswer", "count_bound_answer", "curve_mi_measured", "ResultCatalogue", "result_catalogue",
           "VerifyAnswer", "verify_answer", "ProfileAnswer", "MultiScaleAnswer", "CurveAnswer", "TargetRecommendation",
           "Recommendation", "SweepAnswer", "RuleVerifyAnswer", "TradeoffAnswer", "ThresholdSearchAnswer", "RuleSearchAnswer"]


class _CurveSourced:
    """An answer whose values come from ``self.curve`` when one is given (estimates from a measured curve)."""

    curve: "LossCurve | None"
    #: bounds d(0) <= ln V where r = 1 is unmeasured (ΣI's interval over the completions); None: unbounded
    vocab_size: int | None

    @property
    def estimate(self) -> bool:
        """True when the values are estimates from a measured loss curve."""
        return self.curve is not None and not self.curve.exact

    @property
    def mi_estimate(self) -> Any:
        """ΣI from the curve (an Estimate, with its interval over the monotone completions of a partial curve), or
        None (ΣI is the profile's exact total)."""
        return None if self.curve is None else curve_mi_total(self.curve, self.vocab_size)


@dataclass(frozen=True)
class UniformStepsAnswer(Printable):
    """For each target, the fewest T of uniform schedules by ``bound`` (``results``: StepsResult)."""

    profile: "MIProfile"
    results: tuple[Any, ...]
    eps_train: Fraction
    bound: str
    source: str
    #: the profile is the embedded example (``source`` describes it; the tables say so first)
    example: bool = False


@dataclass(frozen=True)
class FamilyStepsAnswer(_CurveSourced, Printable):
    """For each target, the fewest T of ``family`` by ``by`` (``results``: FamilyStepsResult), in ``unit``.

    ``curve`` is the loss curve the values come from (None: ΣI from ``profile``); ``random_counts``:
    the family's samplers reveal random numbers of tokens (values are expectations over the counts).
    """

    profile: "MIProfile"
    curve: "LossCurve | None"
    results: tuple[Any, ...]
    unit: str
    eps_train: Fraction
    by: str
    bound: str
    family: str
    source: str
    random_counts: bool
    #: the searched family's parsed spec (its label in tables); None: ``family`` is the label
    spec: Any = None
    vocab_size: int | None = None

    @property
    def decision_note(self) -> str:
        """How a random-count family's T is decided against the values' float error."""
        from .step_families import DECISION_NOTE

        return DECISION_NOTE


@dataclass(frozen=True)
class BudgetAnswer(_CurveSourced, Printable):
    """At T = ``steps``: each family's schedule (or sampler), estimated error and bound (``rows`` of
    :func:`boundcalc.family_steps.budget_table`)."""

    profile: "MIProfile"
    curve: "LossCurve | None"
    steps: int
    rows: tuple[dict[str, Any], ...]
    unit: str
    bound: str
    eps_train: Fraction
    source: str
    vocab_size: int | None = None

    @property
    def mi_total_shown(self) -> Any:
        """ΣI as the LaTeX table's caption states it, in the unit: a measured curve's estimate (a Measured with its
        stderr, :func:`curve_mi_measured`), else the profile's total (exact)."""
        curve = self.curve
        return curve_mi_measured(curve, self.unit, self.vocab_size) if curve is not None and not curve.exact else self.profile.total


@dataclass(frozen=True)
class CurveBoundReport(Printable):
    """A schedule's bounds at a loss curve: the exact report at the curve's ΣI and Φ, and for a measured curve
    each bound as an estimate (``estimated``: name -> Measured with stderr and interpolation effect)."""

    report: "BoundReport | CountBoundReport"
    curve: "LossCurve"
    estimated: dict[str, "Measured"]
    vocab_size: int | None = None

    @property
    def mi_estimate(self) -> Any:
        """ΣI from the curve (an Estimate, with its interval over the monotone completions of a partial curve)."""
        return curve_mi_total(self.curve, self.vocab_size)

    @property
    def curve_levels(self) -> "tuple[list[Measured], Measured] | None":
        """Theorem 2's level totals and Φ as estimates in the report's unit, when the multi-scale profile is the
        measured curve's own (None otherwise: read from a file, or an exact curve)."""
        if not self.estimated:
            return None
        return _curve_levels(self.curve, self.report.multiscale, self.report.unit, self.vocab_size)


def _curve_levels(curve: "LossCurve", multiscale: Any, unit: Any, vocab_size: int | None = None, *,
                  own: bool = False) -> "tuple[list[Measured], Measured] | None":
    """A measured curve's multi-scale level totals and Φ as estimates in ``unit`` (None when ``multiscale`` is
    not the curve's own: read from a file, or absent; ``own``: it is, whatever its source says), each with its
    interval over the monotone completions where d is unmeasured (all are linear in d)."""
    if curve.exact or multiscale is None:
        return None
    if not own and multiscale.source != f"the loss curve {curve.source}".strip():
        return None
    import numpy as np

    from .completion import has_gaps, with_completion
    from .estimate import curve_input_estimates, curve_level_estimates, input_coefficients
    from .multiscale import level_sizes

    levels = curve_level_estimates(curve, multiscale.scale)
    phi = curve_input_estimates(curve, multiscale.scale)["phi"]
    if has_gaps(curve):
        L = curve.length

        def g(m: int) -> "np.ndarray":  # G(m) = L (d(0) - d(m))
            c = np.zeros(L)
            c[0], c[m] = L, -L
            return c

        def widen(estimate: Any, c: "np.ndarray") -> Any:  # an interval only where the unmeasured d moves it
            widened = with_completion(estimate, curve, c, vocab_size)
            return widened if widened.interval is not None and _moves(widened.interval) else estimate

        sizes = level_sizes(L, multiscale.scale)[1]
        levels = [e if m <= 0 else widen(e, g(m)) for e, m in zip(levels, sizes)]
        phi = widen(phi, input_coefficients(L, multiscale.scale)["phi"])
    return [from_nats(e.measured(), unit) for e in levels], from_nats(phi.measured(), unit)


def curve_bound_report(report: "BoundReport | CountBoundReport", curve: "LossCurve",
                       vocab_size: int | None = None) -> CurveBoundReport:
    """``report`` (computed at the curve's ΣI and Φ) with each bound as a Measured estimate when the curve is
    measured (none for an exact curve); a random-count sampler's expected bounds scale with ΣI's spreads. Where
    d is unmeasured somewhere the bounds move with (ΣI, Φ), each also carries its interval over the monotone
    completions (:func:`boundcalc.completion.bound_intervals`)."""
    from .bounds import BoundReport

    estimated: dict[str, Measured] = {}
    if not isinstance(report, BoundReport):  # a random-count sampler's expected bounds
        return CurveBoundReport(report, curve, {} if curve.exact else _count_estimates(report, curve, vocab_size),
                                vocab_size)
    if not curve.exact:
        from .estimate import curve_bound_spreads
        from .exact import Measured

        values = {name: v for name, v in report.values.items() if v is not None}
        spreads = curve_bound_spreads(curve, report.inputs, values)
        intervals = bound_intervals_of(report.inputs, curve, values, vocab_size)
        estimated = {name: Measured(float(values[name]), 4 * 2.0**-53 * float(values[name]), stderr=se,
                                    interpolation=ip, estimate=True, interval=intervals.get(name))
                     for name, (se, ip) in spreads.items()}
    return CurveBoundReport(report, curve, estimated, vocab_size)


@dataclass(frozen=True)
class CountBoundAnswer(Printable):
    """``bound`` for a random-count sampler: its expected per-realisation bounds (``report``, at ``profile``'s ΣI),
    and at a loss curve (``at_curve``, None without one) each bound as an estimate when the curve is measured."""

    report: "CountBoundReport"
    profile: "MIProfile"
    at_curve: CurveBoundReport | None = None

    @property
    def estimated(self) -> "dict[str, Measured]":
        """Each expected bound as an estimate (name -> Measured); {} without a measured curve."""
        return {} if self.at_curve is None else self.at_curve.estimated

    @property
    def mi_measured(self) -> "Measured | None":
        """ΣI of the measured curve in the profile's unit (value ± stderr), or None when the bounds are exact."""
        if self.at_curve is None or not self.at_curve.estimated:
            return None
        return curve_mi_measured(self.at_curve.curve, str(self.profile.unit), self.at_curve.vocab_size)


def count_bound_answer(profile: "MIProfile", sampler: Any, eps_train: Any, curve: "LossCurve | None" = None,
                       vocab_size: int | None = None) -> CountBoundAnswer:
    """The expected bounds of a random-count ``sampler`` at ``profile``'s ΣI (a curve's, as estimates, when
    ``curve`` is given: ``vocab_size`` bounds its intervals over the monotone completions)."""
    from .bounds import count_bound_report

    report = count_bound_report(profile, sampler, eps_train)
    return CountBoundAnswer(report, profile, None if curve is None else curve_bound_report(report, curve, vocab_size))


def curve_mi_measured(curve: "LossCurve", unit: Any, vocab_size: int | None = None) -> "Measured":
    """ΣI of a loss curve as a :class:`~boundcalc.exact.Measured` in ``unit`` (an estimate from a measured curve:
    value, certified error, stderr and interpolation effect), with its interval over the monotone completions
    where an end of the curve is unmeasured (as the tables' headers show it; ``vocab_size`` bounds d(0))."""
    return from_nats(curve_mi_total(curve, vocab_size).measured(), unit)


def bound_intervals_of(inputs: Any, curve: "LossCurve", values: "dict[str, Any]",
                       vocab_size: int | None) -> "dict[str, tuple[float, float]]":
    """The bounds' intervals over the monotone completions of a measured curve with unmeasured d somewhere, only
    those that are not a single point (a bound in ΣI does not move when both ends, r = 1/L and r = 1, are
    measured); {} for a curve measured at every k."""
    from .completion import bound_intervals, has_gaps

    if curve.exact or not has_gaps(curve):
        return {}
    found = bound_intervals(curve, inputs, {k: v for k, v in values.items() if v is not None}, vocab_size)
    return {name: pair for name, pair in found.items() if _moves(pair)}


def _moves(pair: "tuple[float, float]") -> bool:
    """An interval wider than the rounding of the bound evaluated at its ends (a point otherwise)."""
    from .completion import interval_moves

    return interval_moves(pair)


def _count_estimates(report: Any, curve: "LossCurve", vocab_size: int | None = None) -> "dict[str, Measured]":
    """Each expected bound E[c(S_max)]/L · ΣI + ε_train of a random-count sampler (``report``, a
    :class:`~boundcalc.bounds.CountBoundReport` at the curve's ΣI) as an estimate: linear in ΣI, so its stderr
    and interpolation effect are ΣI's times E[c(S_max)]/L; its certified error adds ΣI's float error times that."""
    from .exact import Measured

    mi = from_nats(curve_mi_total(curve).measured(), report.unit)
    total, eps = float(report.mi_total), float(report.eps_train)
    mi_range = _mi_range(curve, vocab_size, report.unit)
    out = {}
    for name, value in report.values.items():
        slope = (value - eps) / total if total > 0 else 0.0
        interval = None
        if mi_range is not None:  # over the monotone completions: the slope times ΣI's interval
            interval = (min(value, eps + slope * mi_range[0]),
                        max(value, math.inf if slope and math.isinf(mi_range[1]) else eps + slope * mi_range[1]))
        out[name] = Measured(value, report.errors[name] + slope * mi.error, nonnegative=True,
                             stderr=None if mi.stderr is None else slope * mi.stderr,
                             interpolation=slope * (mi.interpolation or 0.0), estimate=True, interval=interval)
    return out


def _mi_range(curve: "LossCurve", vocab_size: int | None, unit: Any) -> "tuple[float, float] | None":
    """ΣI's interval over the monotone completions in ``unit`` when it is not a point (an end unmeasured)."""
    from .completion import has_gaps, input_intervals

    if curve.exact or not has_gaps(curve):
        return None
    low, high = (from_nats(x, unit) for x in input_intervals(curve, None, vocab_size)["mi_total"])
    return (low, high) if _moves((low, high)) else None


def curve_mi_total(curve: "LossCurve", vocab_size: int | None = None) -> "Any":
    """ΣI of a loss curve as an :class:`~boundcalc.estimate.Estimate` (a float estimate, never exact), with its
    interval over the monotone completions where an end of the curve is unmeasured (``vocab_size`` bounds d(0))."""
    from .completion import quantities_with_completion

    return quantities_with_completion(curve, None, vocab_size)["mi_total"]


@dataclass(frozen=True)
class VerifyAnswer(Printable):
    """verify's answer: the report (truth next to every bound), the model's description, and what the loss curve
    adds. ``measured``: the curve is a measurement (values are estimates); ``estimate``: the schedule's estimated
    error (an Estimate) for a measured curve and a fixed uniform-position schedule; ``quantities``: TC, DTC and
    rates; ``optimal`` and ``info_optimal``: (schedule, its error as a Measured, a note or None) when asked."""

    report: Any
    model: str
    curve: "LossCurve"
    measured: bool
    estimate: Any
    quantities: dict[str, Any]
    optimal: "tuple[Any, Measured, str | None] | None" = None
    info_optimal: "tuple[Any, Measured, str | None] | None" = None
    #: a random-count sampler's sequence error and network calls (boundcalc.sampler_truth.count_sampler_report)
    counts: "dict[str, Any] | None" = None
    #: from a measured curve with unmeasured d: intervals over its monotone completions in the report's unit,
    #: for ``"random"`` (the random schedule's mean error on {S, S/2}) and each bound that moves with ΣI or Φ
    intervals: "dict[str, tuple[float, float]] | None" = None
    #: bounds d(0) <= ln V where r = 1 is unmeasured (the intervals' upper ends); None: unbounded
    vocab_size: int | None = None

    def value_of(self, name: str) -> "Measured | None":
        """The report's value (:meth:`VerifyReport.measured`: a bound, ``"random"``, ...) with its interval."""
        from dataclasses import replace

        value = self.report.measured(name)
        found = (self.intervals or {}).get(name)
        return value if value is None or found is None else replace(value, interval=found)

    def shown(self, name: str) -> "Measured | None":
        """:meth:`value_of`, with the error (``"truth"``) as estimated from the curve where there is one: its
        interval over the monotone completions included (what the table and the LaTeX table print)."""
        if name == "truth" and self.estimate is not None:
            return from_nats(self.estimate.measured(), self.report.unit)
        return self.value_of(name)

    @property
    def curve_levels(self) -> "tuple[list[Measured], Measured] | None":
        """Theorem 2's level totals and Φ as estimates, when they come from the measured curve (else None)."""
        if not self.measured:
            return None
        # verify's Φ comes from the curve's entropy profile: the curve's own levels
        return _curve_levels(self.curve, self.report.bounds.multiscale, self.report.unit, self.vocab_size, own=True)


def verify_answer(report: Any, curve: "LossCurve", model: str, *, measured: bool, profile: Any,
                  optimal: "tuple[Any, float] | None" = None, vocab_size: int | None = None,
                  counts: "dict[str, Any] | None" = None) -> VerifyAnswer:
    """Everything verify prints, computed: the estimate from a measured curve (with its interval over monotone
    completions where d is unmeasured at some k), TC/DTC, and with ``optimal`` (the DP's (schedule, exact error)) the
    info-optimal schedule at the same T; errors of a data model carry ``profile``'s certified error. ``counts``:
    a random-count sampler's sequence error and network calls, carried to the printers."""
    from .completion import has_gaps, quantities_with_completion, with_completion
    from .estimate import estimate_error, info_optimal_schedule, schedule_coefficients

    if measured and not curve.exact:  # every value from a measured curve is an estimate with its stderr
        from .verification import with_curve_spreads

        report = with_curve_spreads(report, curve)
    schedule, unit = report.schedule, report.unit
    fixed = not schedule.random_counts and schedule.positions == "uniform"

    def estimated(of: Any) -> Any:
        """A fixed schedule's error from the curve, with its interval over the monotone completions (linear in d)."""
        value = estimate_error(curve, of)
        if not curve.exact and has_gaps(curve):
            value = with_completion(value, curve, schedule_coefficients(of, curve.length), vocab_size)
        return value

    estimate = estimated(schedule) if measured and fixed else None
    any_error = from_nats(profile.error_bound(None), unit)

    def error_of(pair: "tuple[Any, float]") -> "tuple[Any, Measured, str | None]":
        from .exact import Measured

        if measured:  # the value with its stderr, interpolation effect and interval
            value = estimated(pair[0])
            return pair[0], from_nats(value.measured(), unit), value.described
        return pair[0], Measured(from_nats(pair[1], unit), any_error, nonnegative=True), None

    info = None
    if optimal is not None:
        info_schedule = info_optimal_schedule(curve, schedule.steps)
        info = error_of((info_schedule, estimate_error(curve, info_schedule).value))
    intervals = _verify_intervals(report, curve, vocab_size) if measured else None
    return VerifyAnswer(report, model, curve, measured, estimate,
                        quantities_with_completion(curve, schedule.steps if fixed else None, vocab_size),
                        None if optimal is None else error_of(optimal), info, counts, intervals, vocab_size)


def _verify_intervals(report: Any, curve: "LossCurve", vocab_size: int | None) -> "dict[str, tuple[float, float]]":
    """Intervals over a measured curve's monotone completions, in the report's unit: ΣI (``"mi_total"``, when an
    end is unmeasured), the random schedule's mean error (``"random"``, linear in d) and each bound that moves with
    ΣI or Φ (both linear in d)."""
    from .completion import error_interval, has_gaps
    from .estimate import random_schedule_coefficients

    b = report.bounds
    if curve.exact or not has_gaps(curve):
        return {}
    mi_range = _mi_range(curve, vocab_size, report.unit)
    out = {} if mi_range is None else {"mi_total": mi_range}
    if not hasattr(b, "inputs"):  # a random-count sampler: its expected error, and E[c(S_max)]/L · ΣI + ε_train
        from .estimate import count_coefficients

        out.update({name: m.interval for name, m in _count_estimates(b, curve, vocab_size).items()
                    if m.interval is not None and _moves(m.interval)})
        low, high = error_interval(curve, count_coefficients(report.schedule), vocab_size, None)
        out["truth"] = (from_nats(low, report.unit), from_nats(high, report.unit))
        return out
    out.update(bound_intervals_of(b.inputs, curve, dict(b.values), vocab_size))
    if report.random_error is not None and b.multiscale is not None:
        c = random_schedule_coefficients(curve.length, b.multiscale.scale)
        low, high = error_interval(curve, c, vocab_size, None)
        out["random"] = (from_nats(low, report.unit), from_nats(high, report.unit))
    return out


@dataclass(frozen=True)
class ProfileAnswer(Printable):
    """A data model's per-token MI profile (``columns``: (m, float64 values) with m None for I_i itself, else
    Σ_i E I(X^(i); X∘A) with |A| = m) in ``unit``, its entropy profile when computed, and the file written."""

    model: str
    length: int
    unit: str
    columns: tuple[tuple[int | None, Any], ...]
    entropy: Any = None
    output: str | None = None

    @staticmethod
    def written(values: Any) -> list[str]:
        """The values as written: each float64's shortest decimal (negatives, float noise, as 0)."""
        from .truth import float_decimal

        return [float_decimal(x) for x in values]

    def written_total(self, values: Any) -> "tuple[Measured, str]":
        """The sum of float64 results as written: a value with its rounding error, never labelled exact."""
        import math

        from .exact import Measured
        from .truth import float_decimal

        written = [Fraction(float_decimal(x)) for x in values]
        total = sum(written, Fraction(0))
        # each written decimal is the float's shortest repr (within half an ulp); the sum is exact in them
        error = math.fsum(abs(float(x)) for x in written) * 2.0**-52
        return (Measured(float(total), error, nonnegative=True),
                "the sum of the float64 values written (each within float error of the model's)")

    @property
    def entropy_per_token(self) -> "Measured | None":
        """H(X)/L in the unit, with its certified error (None when the entropy profile was not computed)."""
        if self.entropy is None:
            return None
        from .exact import Measured

        return Measured(from_nats(self.entropy.entropy / self.length, self.unit),
                        from_nats(self.entropy.abs_error, self.unit), nonnegative=True)


@dataclass(frozen=True)
class MultiScaleAnswer(Printable):
    """A data model's multi-scale profile (Theorem 2's level totals), and the file it was written to (else its
    values are part of the answer)."""

    model: str
    profile: Any
    output: str | None = None


@dataclass(frozen=True)
class CurveAnswer(Printable):
    """A loss curve written to ``output`` in ``unit``: a data model's exact curve (``entropy``: its entropy
    profile, for the curve's float error; ``quantities``: TC, DTC, ΣI, H) or a Monte Carlo estimate
    (``samples`` pairs per ratio, ``seed``)."""

    curve: Any
    unit: str
    output: str
    entropy: Any = None
    quantities: "dict[str, Any] | None" = None
    samples: int | None = None
    seed: int | None = None

    @property
    def abs_error(self) -> str:
        """Each exact d(m)'s float error in the unit, rounded up (a decimal)."""
        from .exact import round_up

        return round_up(from_nats(self.entropy.abs_error, self.unit))

    def points(self) -> list[tuple[int, float, float]]:
        """(masked k, loss, stderr) in the unit, per measured ratio."""
        return [(int(k), from_nats(float(y), self.unit), from_nats(float(se), self.unit))
                for k, y, se in zip(self.curve.masked.tolist(), self.curve.loss, self.curve.stderr)]


def _range_text(r: Any) -> str:
    """A result's T with its range over monotone completions ('52 (range 48..61)'), or 'none <= L'."""
    if not r.feasible:
        return "none <= L"
    if r.steps_range is None or r.steps_range[0] == r.steps_range[1] == r.steps:
        return str(r.steps)
    lo, hi = r.steps_range
    return f"{r.steps} (range {lo}..{'∞' if hi is None else ('≤ ' if r.by == 'optimal' else '') + str(hi)})"


@dataclass(frozen=True)
class TargetRecommendation:
    """One target's searches by estimated error: ``found`` (family -> its FamilyStepsResult, or the error that
    stopped its search) and the DP optimum's (``optimal``), in the order the families are compared."""

    target: Fraction
    found: dict[str, Any]
    optimal: Any

    @staticmethod
    def steps_of(result: Any) -> int | None:
        """The fewest T a search found (None: no T, or the search stopped with an error)."""
        return None if isinstance(result, Exception) or not result.feasible else result.steps

    @property
    def runnable(self) -> dict[str, Any]:
        """The families that reach the target, with their results."""
        return {f: r for f, r in self.found.items() if not isinstance(r, Exception) and r.feasible}

    @property
    def best(self) -> str | None:
        """The family with the fewest T (ties: the earlier family), or None when none reaches the target."""
        runnable, order = self.runnable, list(self.found)
        return min(runnable, key=lambda f: (runnable[f].steps, order.index(f))) if runnable else None


@dataclass(frozen=True)
class Recommendation(Printable):
    """``steps`` from a loss curve without a family: per target (``targets``: TargetRecommendation) the family to
    run and every compared family's T; LLaDA's blocks by their blockwise bound (``blocks``: (family, results or the
    error's message), None where L has no such blocks); ``notes``: what the recommendation leaves out and why."""

    length: int
    unit: str
    source: str
    targets: tuple[TargetRecommendation, ...]
    block_length: int
    blocks: "tuple[str, Any] | None"
    adaptive_note: str

    def target_line(self, entry: TargetRecommendation, digits: int) -> str:
        """One target's sentence: the recommended family and T, then every other family's and the optimum's."""
        from .exact import format_decimal

        unit, best = self.unit, entry.best
        goal = (f"{format_decimal(entry.target, digits)} {unit} "
                f"({format_decimal(entry.target / self.length, 2)} {unit}/token)")
        if best is None:
            return f"no family reaches {goal} with T <= L"
        parts = [f"{best} T = {_range_text(entry.runnable[best])} reaches {goal}"]
        parts += [f"{family} needs {'-' if isinstance(r, Exception) else _range_text(r)}"
                  for family, r in entry.found.items() if family != best]
        if not isinstance(entry.optimal, Exception):
            parts.append(f"the optimal schedule {_range_text(entry.optimal)}")
        return "; ".join(parts)

    @property
    def blocks_line(self) -> str | None:
        """LLaDA's blocks (uniform within blocks) by the blockwise bound: the curve cannot give their error."""
        if self.blocks is None:
            return None
        family, results = self.blocks
        if isinstance(results, str):
            return f"LLaDA blocks ({family}): {results}"
        shown = ", ".join("none <= L" if r.steps is None else str(r.steps) for r in results)
        return (f"LLaDA blocks ({family}, block length {self.block_length}): T = {shown} by the blockwise bound; "
                "the curve does not determine their error (a block sees the earlier blocks, not a uniformly random "
                "set of positions; verify them on a data model)")

    def lines(self, digits: int) -> list[str]:
        """One line per target, then LLaDA's blocks and why no adaptive rule."""
        blocks = self.blocks_line
        return [self.target_line(t, digits) for t in self.targets] + ([blocks] if blocks else []) + [self.adaptive_note]

    @property
    def hardest(self) -> TargetRecommendation:
        """The entry of the smallest target (the first, if given twice)."""
        smallest = min(t.target for t in self.targets)
        return next(t for t in self.targets if t.target == smallest)

    @property
    def chosen(self) -> Any:
        """The hardest target's recommended result (what an export prints), or None."""
        entry = self.hardest
        return None if entry.best is None else entry.runnable[entry.best]


@dataclass(frozen=True)
class RuleVerifyAnswer(Printable):
    """verify of a rule on a data model: its report (computed in nats), the model's description, the display unit."""

    report: Any
    model: str
    unit: str


@dataclass(frozen=True)
class TradeoffAnswer(Printable):
    """Several samplers on one data model (``reports``: RuleReport, computed in nats), shown in ``unit``."""

    reports: tuple[Any, ...]
    model: str
    unit: str


@dataclass(frozen=True)
class ThresholdSearchAnswer(Printable):
    """The loosest Fast-dLLM threshold per target on a joint table: ``results`` pairs (target in ``unit``, the
    search's result with KL in nats)."""

    model: str
    unit: str
    results: tuple[tuple[Fraction, dict[str, Any]], ...]
    #: the joint table's L and V (its table's caption)
    length: int | None = None
    vocab_size: int | None = None


@dataclass(frozen=True)
class RuleSearchAnswer(Printable):
    """A search over a rule's threshold or fixed-order T on a data model (``result``: the search's, values in
    nats), with the targets as given (``targets``: their text in ``unit``)."""

    model: str
    unit: str
    targets: tuple[str, ...]
    result: dict[str, Any]


@dataclass(frozen=True)
class ResultCatalogue(Printable):
    """The results of the theory that ``latex`` prints (:class:`~boundcalc.symbolic.Result`: name, equation label,
    summary), in the order of the derivation, from :func:`result_catalogue`."""

    results: tuple[Any, ...]


def result_catalogue() -> ResultCatalogue:
    """Every result of :mod:`boundcalc.symbolic`, in the order of the derivation (imports sympy)."""
    from . import symbolic

    return ResultCatalogue(tuple(symbolic.get(name) for name in symbolic.NAMES))


@dataclass(frozen=True)
class SweepAnswer(Printable):
    """sweep's answer: the :class:`~boundcalc.sweeps.SweepResult` and a description of its source."""

    result: Any
    source: str

    @property
    def count_stats(self) -> tuple[str, ...]:
        """The random-count samplers' statistics a row carries (expected s_max, expected calls) when the sweep has
        such samplers, else ()."""
        return self.result.count_stats

    @property
    def random_count_families(self) -> list[str]:
        """The families whose rows are random-count samplers."""
        result = self.result
        return [f for f in result.families if any(r.random_counts for r in result.family_rows(f))]
