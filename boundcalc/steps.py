"""Inverting the bounds: the fewest sampling steps T that reach a target error.

For uniform (balanced) schedules s_max = ceil(L/T), and each bound of
:mod:`boundcalc.bounds` is coefficient(s_max)/L * ΣI + ε_train with a
coefficient that is non-decreasing in s_max. So, with the budget
R = (ε - ε_train) * L / ΣI,

    bound(T) <= ε  <=>  coefficient(ceil(L/T)) <= R  <=>  ceil(L/T) <= s*  <=>  T >= ceil(L/s*)

where s* is the largest s <= L with coefficient(s) <= R. s* has a closed form
for theorem1 (2^floor(log2(floor(R) + 1))) and sharp (floor(R) + 1), and is
found by bisection (O(log^2 L) integer steps) for the recursion. All of it is
exact: L = 10**18 answers at once, and 0.2 + 0.1 <= 0.3 holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .bounds import BOUNDS, bound_coefficient, recursion_coefficient
from ._print_helpers import Printable
from .errors import InfeasibleTargetError, InvalidNumberError
from .exact import Number, ceil_div, floor_log2, nonnegative_rational, number_json, positive_rational
from .profile import MIProfile

__all__ = ["StepsResult", "required_steps", "largest_max_size"]


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

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        def num(x: Fraction | None) -> dict[str, str] | None:
            return None if x is None else number_json(x, digits)

        out: dict[str, Any] = {
            "target": num(self.target),
            "feasible": self.feasible,
            "steps": self.steps,
            "max_mask_size": self.max_size,
            "bound": num(self.bound),
        }
        if not self.feasible:
            out["reason"] = f"the target is below the floor ε_train = {self.eps_train}"
        return out

    def require_feasible(self) -> "StepsResult":
        """Return self, or raise :class:`InfeasibleTargetError` (exit code 1 on the CLI)."""
        if not self.feasible:
            raise InfeasibleTargetError(
                f"target {self.target} is below ε_train = {self.eps_train}, the floor of every bound",
                param="--target",
                allowed="targets must be >= ε_train; no number of steps reaches less",
            )
        return self


def largest_max_size(bound: str, budget: Fraction, length: int) -> int:
    """The largest s in [1, L] with coefficient(s) <= budget (budget >= 0).

    >>> largest_max_size("theorem1", Fraction(1), 10), largest_max_size("sharp", Fraction(5, 2), 10)
    (2, 3)
    """
    if budget < 0:
        raise ValueError("the budget must be >= 0")
    if bound == "theorem1":
        # 2^ceil(log2 s) - 1 <= R  <=>  ceil(log2 s) <= floor(log2(floor(R) + 1))
        s = 1 << floor_log2(int(budget) + 1)
    elif bound == "sharp":
        s = int(budget) + 1
    elif bound == "recursion":
        lo, hi = 1, length  # coefficient(1) = 0 <= budget; bisect the monotone coefficient
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if recursion_coefficient(mid) <= budget:
                lo = mid
            else:
                hi = mid - 1
        s = lo
    else:
        bound_coefficient(bound, 1)  # raises the "unknown bound" error
        raise AssertionError  # pragma: no cover
    return min(s, length)


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
    if bound not in BOUNDS:
        raise InvalidNumberError(f"unknown bound {bound!r}", param="--bound", allowed=f"one of {', '.join(BOUNDS)}")
    eps = positive_rational(target, "--target")
    floor = nonnegative_rational(eps_train, "--eps-train")
    length, total = profile.length, profile.total
    common = dict(target=eps, bound_name=bound, length=length, mi_total=total, eps_train=floor)
    if eps < floor:
        return StepsResult(steps=None, max_size=None, bound=None, **common)
    if total == 0:
        s_star = length
    else:
        s_star = largest_max_size(bound, (eps - floor) * length / total, length)
    steps = ceil_div(length, s_star)
    s_max = ceil_div(length, steps)
    value = bound_coefficient(bound, s_max) * total / length + floor
    return StepsResult(steps=steps, max_size=s_max, bound=value, **common)
