"""A sweep's bounds, once per distinct schedule key instead of once per row (issue 22).

A global bound of the registry reads only a few attributes of the schedule (:attr:`Bound.reads
<boundcalc.bound_registry.Bound.reads>`: s_max for Theorem 1's family and Theorem 2, T and balance for
Corollary 1), and everything else it is evaluated at (ΣI, Φ's levels for S = 2^ceil(log2 s_max), ε_train,
the moved inputs of its float error, its spread and its interval over a measured curve's completions) is
the same for every row of a sweep. So each bound's value (an exact Fraction), float error, spread and
interval are computed once per (bound, key) by exactly the per-row code, and shared: a sweep over every T
of L = 16384 evaluates Theorem 1 about 2·sqrt(L) times, not L times. The values are the same objects the
per-row computation gives (tests/curve/test_sweep_vector.py compares them).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from .bounds import BOUNDS, BoundInputs

if TYPE_CHECKING:  # pragma: no cover
    from .profile import MIProfile
    from .schedule import Schedule
    from .sweep_truth import SourceTruth

__all__ = ["RowBounds", "BoundPieces"]

#: (exact value or None, float error or None, (stderr, interpolation) or None, (low, high) or None)
BoundPieces = tuple["Fraction | None", "float | None", "tuple[float | None, float] | None", "tuple[float, float] | None"]


class RowBounds:
    """The bounds of a sweep's global (non-blockwise) rows, each computed once per (bound, schedule key).

    :meth:`of` gives one row's ``bounds``, ``bound_errors``, bound spreads and bound intervals, as
    :func:`boundcalc.sweeps.sweep` stores them in a :class:`~boundcalc.sweeps.SweepRow`.
    """

    def __init__(self, profile: "MIProfile", eps: Fraction, truth: "SourceTruth | None", names: Sequence[str]) -> None:
        self.profile, self.eps, self.truth, self.names = profile, eps, truth, tuple(names)
        self._pieces: dict[tuple[str, tuple[Any, ...]], BoundPieces] = {}

    def _inputs(self, schedule: "Schedule", shifted: bool = False) -> BoundInputs:
        truth = self.truth
        fits = truth is not None and schedule.max_size <= self.profile.length
        multiscale = truth.multiscale(schedule.max_size, shifted=shifted) if fits else None  # type: ignore[union-attr]
        profile = truth.mi_shifted if shifted else self.profile  # type: ignore[union-attr]
        return BoundInputs(profile, schedule, self.eps, multiscale)

    def _compute(self, name: str, schedule: "Schedule") -> BoundPieces:
        """One bound at one schedule, exactly as a row computed it (sweeps._row before issue 22)."""
        bound = BOUNDS[name]
        if not bound.applies_to(schedule):
            return None, None, None, None
        inputs = self._inputs(schedule)
        value = bound.value(inputs)
        truth = self.truth
        if truth is None or value is None:
            return value, None, None, None
        # every bound is non-decreasing in ΣI and the level totals: its error is its growth over the inputs' error
        moved = bound.value(self._inputs(schedule, shifted=True))
        error = None if moved is None else float(moved - value)
        spread = truth.bound_spreads(inputs, {name: value}).get(name)
        interval = truth.bound_intervals(inputs, {name: value}).get(name)
        return value, error, spread, interval

    def pieces(self, name: str, schedule: "Schedule") -> BoundPieces:
        """(value, float error, spread, interval) of one bound at ``schedule``, computed once per key."""
        if schedule.positions != "uniform":  # a blockwise bound reads the blocks: not shared between rows
            return self._compute(name, schedule)
        key = (name, tuple(getattr(schedule, attribute) for attribute in BOUNDS[name].reads))
        found = self._pieces.get(key)
        if found is None:
            found = self._pieces[key] = self._compute(name, schedule)
        return found

    def of(self, schedule: "Schedule") -> tuple[dict, dict, dict, dict]:
        """(bounds, bound_errors, bound spreads, bound intervals) of a row, in the order of ``names``."""
        bounds: dict[str, Fraction | None] = {}
        errors: dict[str, float] = {}
        spreads: dict[str, tuple[float | None, float]] = {}
        intervals: dict[str, tuple[float, float]] = {}
        for name in self.names:
            value, error, spread, interval = self.pieces(name, schedule)
            bounds[name] = value
            if error is not None:
                errors[name] = error
            if spread is not None:
                spreads[name] = spread
            if interval is not None:
                intervals[name] = interval
        return bounds, errors, spreads, intervals
