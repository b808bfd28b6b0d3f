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

from dataclasses import dataclass
from typing import Iterator

from ._print_helpers import Printable
from .bounds import Bound, BoundReport, bound_report
from .multiscale import MultiScaleProfile, level_sizes
from .profile import MIProfile
from .schedule import Schedule
from .truth import (
    ModelOrProfile,
    Progress,
    as_schedule,
    entropy_profile,
    expected_random_error,
    float_decimal,
    to_unit,
)
from .units import Unit, as_unit

__all__ = ["VerifyReport", "verify"]

# Float rounding the comparison allows on top of the stated absolute error, relative to the bound.
_RELATIVE_SLACK = 1e-12


@dataclass(frozen=True)
class VerifyReport(Printable):
    """The exact error of one schedule next to every bound, in ``unit``.

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
    schedule: Schedule
    bounds: BoundReport
    profile: MIProfile
    model: str
    random_error: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", as_unit(self.unit))
        if not self.truth_error >= 0:
            raise ValueError(f"truth_error = {self.truth_error!r} must be >= 0")

    def compared(self) -> Iterator[tuple[Bound, float | None]]:
        """Each KL bound with the exact error it is compared with (None: nothing to compare)."""
        for bound, _ in self.bounds.items():
            if bound.quantity != "kl":
                continue
            yield bound, (self.truth if bound.about == "schedule" else self.random_error)

    def ratios(self) -> dict[str, float | None]:
        """bound / exact error for each KL bound (for theorem2_lower: / the random schedule's error).

        None when a bound does not apply or the error is 0.
        """
        out: dict[str, float | None] = {}
        for bound, error in self.compared():
            value = self.bounds.values[bound.name]
            out[bound.name] = None if value is None or not error or error <= 0 else float(value) / error
        return out

    def holds(self) -> dict[str, bool | None]:
        """truth <= each upper bound, random error >= each lower bound; allowing the stated float error."""
        out: dict[str, bool | None] = {}
        for bound, error in self.compared():
            value = self.bounds.values[bound.name]
            if value is None or error is None:
                out[bound.name] = None
            elif bound.direction == "upper":
                out[bound.name] = error <= float(value) * (1 + _RELATIVE_SLACK) + self.truth_error
            else:
                out[bound.name] = error >= float(value) * (1 - _RELATIVE_SLACK) - 2 * self.truth_error
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
    profile = entropy_profile(model, length, progress)
    L = profile.length
    sched = as_schedule(schedule, L)
    truth = profile.error(sched, unit)
    big_s, sizes = level_sizes(L, sched.max_size)
    totals, running = [], 0.0
    for m in sizes:
        running = max(running, 0.0 if m <= 0 else profile.multiscale(m, unit))
        totals.append(float_decimal(running))
    multiscale = MultiScaleProfile.from_level_totals(totals, L, unit=unit, source="the data model")
    mi = MIProfile.from_total(totals[-1], L, unit=unit)  # level J has m = L - 1: ΣI
    report = bound_report(mi, sched, multiscale=multiscale)
    random_error = to_unit(expected_random_error(profile, big_s), unit) if big_s >= 2 else None
    return VerifyReport(
        truth=truth,
        truth_error=profile.error_bound(sched, unit),
        mi_total=float(totals[-1]),
        unit=unit,
        schedule=sched,
        bounds=report,
        profile=mi,
        model=profile.source,
        random_error=random_error,
    )

