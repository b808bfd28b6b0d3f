"""Verify: the exact error of a schedule next to every registered bound (orchestration).

The truth engine (:mod:`boundcalc.truth`) gives the exact error and the
model's ΣI and multi-scale level totals; the numeric engine
(:mod:`boundcalc.bounds`) evaluates every bound of the registry there; this
module compares them. Each registry entry says what it bounds: the schedule's
own error (upper bounds of E_M KL), or the paper's random schedule on
{S, S/2} (Theorem 2's lower bound), which is checked against that
schedule's exact expected error.

>>> from boundcalc.truth import MarkovChain
>>> chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
>>> r = verify(chain, "uniform:8", length=64)
>>> r.truth <= r.bounds.sharp, r.holds()["theorem1"]
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Iterator, Mapping

from ._print_helpers import Printable
from .bounds import Bound, BoundReport, CountBoundReport, bound_report, count_bound_report
from .counts import CountSampler
from .exact import Measured
from .multiscale import MultiScaleProfile, level_sizes
from .profile import MIProfile
from .schedule import Schedule
from .truth import (
    EPS64,
    EntropyProfile,
    ModelOrProfile,
    Progress,
    as_schedule,
    entropy_profile,
    expected_random_error,
    float_decimal,
)
from .units import Unit, as_unit, from_nats

if TYPE_CHECKING:  # pragma: no cover
    from .curve import LossCurve
    from .estimate import Estimate

__all__ = ["VerifyReport", "verify", "with_curve_spreads"]


@dataclass(frozen=True)
class VerifyReport(Printable):
    """The exact error of one schedule next to every bound, in ``unit``.

    The bounds are exact in ``unit`` (the model's ΣI and level totals, converted once from nats by
    :func:`boundcalc.units.from_nats` and then taken at their shortest decimals), so the report's floats
    are stated in the same unit, where they are compared with the bounds.

    ``truth`` and ``mi_total`` are float64 values (``truth_error`` bounds the
    rounding error of ``truth``); ``bounds`` is the exact
    :class:`boundcalc.bounds.BoundReport` evaluated at the model's ΣI and
    multi-scale level totals G(m_j) (their shortest round-trip decimals,
    exactly). Theorem 2's lower bound (13) is about the paper's random
    schedule on {S, S/2}, not this one: ``random_error`` is that schedule's
    exact expected error (None when S < 2), which it is checked against.
    """

    truth: float
    truth_error: float
    mi_total: float
    unit: Unit
    schedule: "Schedule | CountSampler"
    bounds: "BoundReport | CountBoundReport"
    profile: MIProfile
    model: str
    random_error: float | None = None
    #: certified absolute error of ΣI and of each level total G(m_j) (float64 model quantities)
    input_error: float = 0.0
    #: certified absolute error of each bound, from ``input_error`` (the bounds are exact in their inputs)
    bound_errors: Mapping[str, float] = field(default_factory=dict)
    #: from a measured loss curve: (stderr or None, interpolation effect) of ``"truth"``, ``"random"``,
    #: ``"mi_total"`` and each bound, which are then estimates (:func:`with_curve_spreads`)
    spreads: Mapping[str, tuple[float | None, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", as_unit(self.unit))
        for name in ("truth_error", "input_error"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} = {getattr(self, name)!r} must be >= 0")

    def measured(self, name: str) -> Measured | None:
        """A bound (by registry name), ``"truth"``, ``"random"`` or ``"mi_total"`` with its certified error (and,
        from a measured loss curve, as an estimate with its stderr and interpolation effect)."""
        if name == "truth":
            value: Measured | None = Measured(self.truth, self.truth_error, nonnegative=True)
        elif name == "random":
            value = None if self.random_error is None else Measured(self.random_error, 2 * self.truth_error,
                                                                     nonnegative=True)
        elif name == "mi_total":
            value = Measured(self.mi_total, self.input_error, nonnegative=True)
        else:
            bound = self.bounds.values[name]
            value = None if bound is None else Measured(float(bound), self.bound_errors.get(name, 0.0))
        if value is None or name not in self.spreads:
            return value
        stderr, interpolation = self.spreads[name]
        return replace(value, stderr=stderr, interpolation=interpolation, estimate=True)

    def compared(self) -> Iterator[tuple[Bound, Measured | None]]:
        """Each KL bound with the exact error it is compared with (None: nothing to compare)."""
        for bound, _ in self.bounds.items():
            if bound.quantity != "kl":
                continue
            yield bound, self.measured("truth" if bound.about == "schedule" else "random")

    def ratios(self) -> dict[str, float | None]:
        """bound / exact error for each KL bound (for theorem2_lower: / the random schedule's error).

        None when a bound does not apply or the error is 0 within its float error.
        """
        out: dict[str, float | None] = {}
        for bound, error in self.compared():
            value = self.bounds.values[bound.name]
            decided_positive = error is not None and error.compare(0) == 1
            out[bound.name] = float(value) / error.value if value is not None and decided_positive else None  # type: ignore[union-attr]
        return out

    def holds(self) -> dict[str, bool | str | None]:
        """truth <= each upper bound, random error >= each lower bound: True, False, or "undecided" when the
        certified float errors of the two sides overlap; None when the bound does not apply."""
        out: dict[str, bool | str | None] = {}
        for bound, error in self.compared():
            value = self.measured(bound.name)
            if value is None or error is None:
                out[bound.name] = None
                continue
            order = error.compare(value)
            if order is None:
                out[bound.name] = "undecided"
            else:
                out[bound.name] = order <= 0 if bound.direction == "upper" else order >= 0
        return out


def verify(
    model: ModelOrProfile,
    schedule: "Schedule | str",
    length: int | None = None,
    unit: "Unit | str" = Unit.NATS,
    progress: Progress | None = None,
) -> VerifyReport:
    """The exact error of ``schedule`` and every bound at the model's ΣI and multi-scale profile.

    Theorem 2 uses the level totals G(m_j), m_j = L - S/2^j, S = 2^ceil(log2 s_max),
    which the entropy profile gives in O(1) each (floating noise that would
    make them decrease by an ulp is clamped, and ΣI is the last level).
    """
    unit = as_unit(unit)
    L = entropy_profile(model, length).length if isinstance(model, EntropyProfile) else model.check_length(length)
    sched = as_schedule(schedule, L)
    if sched.random_counts:
        return _verify_counts(model, sched, L, unit, progress)
    if sched.positions == "blocks":
        return _verify_blocks(model, sched, L, unit, progress)
    profile = entropy_profile(model, length, progress)
    truth = from_nats(profile.error(sched), unit)
    big_s, sizes = level_sizes(L, sched.max_size)
    totals, running = [], 0.0
    for m in sizes:
        running = max(running, 0.0 if m <= 0 else from_nats(profile.multiscale(m), unit))
        totals.append(float_decimal(running))
    report = _report_at(totals, sizes, sched, unit, shift=Fraction(0))
    # G(m) = L (d(0) - d(m)): two values of d, each within abs_error, a subtraction and a product in float64
    d_max = max(1.0, float(abs(profile.conditional).max()))
    input_error = from_nats(L * (2 * profile.abs_error + 4 * EPS64 * d_max), unit)
    # every bound is non-decreasing in ΣI and the level totals: its error is its growth over the inputs' error
    shifted = _report_at(totals, sizes, sched, unit, shift=Fraction(input_error))
    bound_errors = {
        name: float(shifted.values[name] - value)  # type: ignore[operator]
        for name, value in report.values.items()
        if value is not None and shifted.values.get(name) is not None
    }
    random_error = from_nats(expected_random_error(profile, big_s), unit) if big_s >= 2 else None
    return VerifyReport(
        truth=truth,
        truth_error=from_nats(profile.error_bound(sched), unit),
        mi_total=float(totals[-1]),
        unit=unit,
        schedule=sched,
        bounds=report,
        profile=report.inputs.profile,
        model=profile.source,
        random_error=random_error,
        input_error=input_error,
        bound_errors=bound_errors,
    )


def _report_at(totals: list[str], sizes: list[int], schedule: Schedule, unit: Unit, shift: Fraction) -> BoundReport:
    """Every bound at the level totals (raised by ``shift`` where a level has a set; ΣI is the last)."""
    exact = [Fraction(t) + (shift if m > 0 else 0) for t, m in zip(totals, sizes)]
    multiscale = MultiScaleProfile.from_level_totals(exact, schedule.length, unit=unit, source="the data model")
    mi = MIProfile.from_total(exact[-1], schedule.length, unit=unit)  # level J has m = L - 1: ΣI
    return bound_report(mi, schedule, multiscale=multiscale)



def _mi_error(profile: EntropyProfile, unit: Unit) -> float:
    """Certified error of ΣI = L (d(0) - d(L-1)) (two values of d, a subtraction and a product in float64)."""
    d_max = max(1.0, float(abs(profile.conditional).max()))
    return from_nats(profile.length * (2 * profile.abs_error + 4 * EPS64 * d_max), unit)


def _verify_blocks(model: ModelOrProfile, sched: Schedule, L: int, unit: Unit, progress: Progress | None) -> VerifyReport:
    """verify for a semi-autoregressive schedule: the blockwise truth, and the blockwise bounds only.

    The bounds are exact in each block's conditional ΣI_b (float64 from the block's profile), so
    their error is their growth when every ΣI_b is raised by its certified error.
    """
    from .truth.samplers import block_profiles

    parts = block_profiles(model, sched, L, progress)
    truth = sum(p.error(inner) for _, _, inner, p in parts)
    error = sum(p.error_bound(inner) for _, _, inner, p in parts)
    mis = [Fraction(float_decimal(from_nats(p.mi_total(), unit))) for _, _, _, p in parts]
    shifts = [Fraction(_mi_error(p, unit)) for _, _, _, p in parts]
    profile = entropy_profile(model, L, progress)
    mi = MIProfile.from_total(float_decimal(from_nats(profile.mi_total(), unit)), L, unit=unit)
    report = bound_report(mi, sched, block_mi=mis)
    shifted = bound_report(mi, sched, block_mi=[m + e for m, e in zip(mis, shifts)])
    bound_errors = {name: float(shifted.values[name] - value)  # type: ignore[operator]
                    for name, value in report.values.items() if value is not None}
    return VerifyReport(truth=from_nats(max(truth, 0.0), unit), truth_error=from_nats(error, unit),
                        mi_total=float(mi.total), unit=unit, schedule=sched, bounds=report, profile=mi,
                        model=profile.source, input_error=_mi_error(profile, unit), bound_errors=bound_errors)


def _verify_counts(model: ModelOrProfile, sampler: CountSampler, L: int, unit: Unit,
                   progress: Progress | None) -> VerifyReport:
    """verify for a random-count sampler: the exact expected error and the expected per-realisation bounds."""
    from .truth.samplers import count_error

    profile = entropy_profile(model, L, progress)
    truth, error = count_error(profile, sampler)
    mi = MIProfile.from_total(float_decimal(from_nats(profile.mi_total(), unit)), L, unit=unit)
    report = count_bound_report(mi, sampler)
    input_error = _mi_error(profile, unit)
    # E c(S_max)/L · ΣI: the float error of the expectation, plus ΣI's error times E c(S_max)/L
    bound_errors = {name: report.errors[name] + c / L * input_error for name, (c, _) in report.coefficients.items()}
    return VerifyReport(truth=from_nats(max(truth, 0.0), unit), truth_error=from_nats(error, unit),
                        mi_total=float(mi.total), unit=unit, schedule=sampler, bounds=report, profile=mi,
                        model=profile.source, input_error=input_error, bound_errors=bound_errors)


def with_curve_spreads(report: VerifyReport, curve: "LossCurve") -> VerifyReport:
    """``report`` (:func:`verify` of a measured ``curve``'s entropy profile) with every value it shows marked as
    an estimate: the error, the random schedule's error, ΣI and each bound with their stderr and interpolation
    effect, propagated from the curve's (an exact curve is returned as it is)."""
    from .estimate import (count_estimate, curve_bound_spreads, curve_input_estimates, estimate_error,
                           random_schedule_estimate)

    if curve.exact:
        return report
    unit = report.unit

    def spread(estimate: "Estimate") -> tuple[float | None, float]:
        measured = from_nats(estimate.measured(), unit)
        return measured.stderr, measured.interpolation or 0.0

    schedule = report.schedule
    spreads = {"truth": spread(count_estimate(curve, schedule) if schedule.random_counts
                               else estimate_error(curve, schedule)),
               "mi_total": spread(curve_input_estimates(curve)["mi_total"])}
    if report.random_error is not None and report.bounds.multiscale is not None:
        spreads["random"] = spread(random_schedule_estimate(curve, report.bounds.multiscale.scale))
    values = {name: v for name, v in report.bounds.values.items() if v is not None}
    if isinstance(report.bounds, CountBoundReport):  # E[c(S_max)]/L · ΣI: each spread scales with ΣI's
        se, ip = spreads["mi_total"]
        total = float(report.bounds.mi_total)
        for name, v in values.items():
            slope = float(v) / total if total > 0 else 0.0
            spreads[name] = (None if se is None else slope * se, slope * ip)
    else:
        spreads.update(curve_bound_spreads(curve, report.bounds.inputs, values))
    return replace(report, spreads=spreads)
