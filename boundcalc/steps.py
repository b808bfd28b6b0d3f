"""Inverting the bounds: the fewest sampling steps T that reach a target error.

For uniform (balanced) schedules s_max = ceil(L/T), and each bound of
:mod:`boundcalc.bounds` is coefficient(s_max)/L * ΣI + ε_train with a
coefficient that is non-decreasing in s_max. So, with the budget
R = (ε - ε_train) * L / ΣI,

    bound(T) <= ε  <=>  coefficient(ceil(L/T)) <= R  <=>  ceil(L/T) <= s*  <=>  T >= ceil(L/s*)

where s* is the largest s <= L with coefficient(s) <= R. s* has a closed form
for theorem1 (2^floor(log2(floor(R) + 1))) and sharp (floor(R) + 1), and
for the recursion (:func:`boundcalc.bounds.recursion_largest_size`: O(1) integer steps). All of it is
exact: L = 10**18 answers at once, and 0.2 + 0.1 <= 0.3 holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ._print_helpers import Printable
from .bounds import BOUNDS, bound_coefficient, largest_max_size
from .errors import InfeasibleTargetError, InvalidNumberError
from .exact import Number, ceil_div, nonnegative_rational, positive_rational
from .profile import MIProfile

__all__ = ["StepsResult", "required_steps"]


@dataclass(frozen=True)
class StepsResult(Printable):
    """The answer for one target: T, the s_max it implies and the bound reached there.

    ``steps`` is None when the target is below the floor ε_train (infeasible).
    """

    target: Fraction
    steps: int | None
    max_size: int | None
    bound: Fraction | None
    bound_name: str
    length: int
    mi_total: Fraction
    eps_train: Fraction

    @property
    def feasible(self) -> bool:
        return self.steps is not None

    @property
    def speedup(self) -> Fraction | None:
        """L / T: how many times fewer steps than one token per step."""
        return None if self.steps is None else Fraction(self.length, self.steps)

    def require_feasible(self) -> "StepsResult":
        """Return self, or raise :class:`InfeasibleTargetError` (exit code 1 on the CLI)."""
        if not self.feasible:
            raise InfeasibleTargetError(
                f"target {self.target} is below ε_train = {self.eps_train}, the floor of every bound",
                param="target",
                allowed="targets must be >= ε_train; no number of steps reaches less",
            )
        return self


def required_steps(
    profile: MIProfile,
    target: Number,
    eps_train: Number = 0,
    bound: str = "theorem1",
) -> StepsResult:
    """The minimal T for which a uniform T-step schedule has ``bound`` <= target.

    >>> r = required_steps(MIProfile.from_total(2, 10), "0.3", eps_train="0.1")
    >>> r.steps, r.max_size, r.bound
    (5, 2, Fraction(3, 10))

    A target below ε_train is infeasible (``steps`` is None); with ΣI = 0 one
    step suffices.
    """
    invertible = [name for name, entry in BOUNDS.items() if entry.invertible]
    if bound not in invertible:
        raise InvalidNumberError(f"unknown bound {bound!r}", param="bound", allowed=f"one of {', '.join(invertible)}")
    eps = positive_rational(target, "target")
    floor = nonnegative_rational(eps_train, "eps_train")
    length, total = profile.length, profile.total

    def result(steps: int | None, s_max: int | None, value: Fraction | None) -> StepsResult:
        return StepsResult(eps, steps, s_max, value, bound, length, total, floor)

    if eps < floor:
        return result(None, None, None)
    if total == 0:
        s_star = length
    else:
        s_star = largest_max_size(bound, (eps - floor) * length / total, length)
    steps = ceil_div(length, s_star)
    s_max = ceil_div(length, steps)
    value = bound_coefficient(bound, s_max) * total / length + floor
    return result(steps, s_max, value)
