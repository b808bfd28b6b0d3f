"""A command's answer as one value: the results with the inputs they were computed from.

The printers (:mod:`boundcalc.jsonify`, ...) print these whole, so a front end emits a printer's
output unchanged instead of assembling or editing documents itself:

* :class:`UniformStepsAnswer` -- the fewest T of uniform schedules by a bound (the closed form);
* :class:`FamilyStepsAnswer` -- the fewest T of any family, by bound, estimated error or the DP;
* :class:`BudgetAnswer` -- each family's error and bound at one T;
* :class:`CurveBoundReport` -- the bounds of a schedule at a loss curve's ΣI and Φ (estimates for
  a measured curve), from :func:`curve_bound_report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._print_helpers import Printable

if TYPE_CHECKING:  # pragma: no cover
    from .bounds import BoundReport
    from .curve import LossCurve
    from .exact import Measured
    from .profile import MIProfile

__all__ = ["UniformStepsAnswer", "FamilyStepsAnswer", "BudgetAnswer", "CurveBoundReport", "curve_bound_report"]


@dataclass(frozen=True)
class UniformStepsAnswer(Printable):
    """For each target, the fewest T of uniform schedules by ``bound`` (``results``: StepsResult)."""

    profile: "MIProfile"
    results: tuple[Any, ...]
    eps_train: Fraction
    bound: str
    source: str


@dataclass(frozen=True)
class FamilyStepsAnswer(Printable):
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

    @property
    def estimate(self) -> bool:
        """True when the values are estimates from a measured loss curve."""
        return self.curve is not None and not self.curve.exact

    @property
    def mi_estimate(self) -> Any:
        """ΣI from the curve (an Estimate), or None (ΣI is the profile's exact total)."""
        return None if self.curve is None else curve_mi_total(self.curve)

    @property
    def decision_note(self) -> str:
        """How a random-count family's T is decided against the values' float error."""
        from .step_families import DECISION_NOTE

        return DECISION_NOTE


@dataclass(frozen=True)
class BudgetAnswer(Printable):
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

    @property
    def estimate(self) -> bool:
        return self.curve is not None and not self.curve.exact

    @property
    def mi_estimate(self) -> Any:
        """ΣI from the curve (an Estimate), or None (ΣI is the profile's exact total)."""
        return None if self.curve is None else curve_mi_total(self.curve)


@dataclass(frozen=True)
class CurveBoundReport(Printable):
    """A schedule's bounds at a loss curve: the exact report at the curve's ΣI and Φ, and for a measured curve
    each bound as an estimate (``estimated``: name -> Measured with stderr and interpolation effect)."""

    report: "BoundReport"
    curve: "LossCurve"
    estimated: dict[str, "Measured"]

    @property
    def mi_estimate(self) -> Any:
        """ΣI from the curve (an Estimate)."""
        return curve_mi_total(self.curve)


def curve_bound_report(report: "BoundReport", curve: "LossCurve") -> CurveBoundReport:
    """``report`` (computed at the curve's ΣI and Φ) with each bound as a Measured estimate when the curve is
    measured (none for an exact curve)."""
    estimated: dict[str, Measured] = {}
    if not curve.exact:
        from .estimate import curve_bound_spreads
        from .exact import Measured

        values = {name: v for name, v in report.values.items() if v is not None}
        spreads = curve_bound_spreads(curve, report.inputs, values, str(report.unit))
        estimated = {name: Measured(float(values[name]), 4 * 2.0**-53 * float(values[name]), stderr=se,
                                    interpolation=ip, estimate=True) for name, (se, ip) in spreads.items()}
    return CurveBoundReport(report, curve, estimated)


def curve_mi_total(curve: "LossCurve") -> "Any":
    """ΣI of a loss curve as an :class:`~boundcalc.estimate.Estimate` (a float estimate, never exact)."""
    from .estimate import curve_quantities

    return curve_quantities(curve)["mi_total"]
