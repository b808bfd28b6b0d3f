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
from functools import cached_property
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
        #: name -> whether the affine form agreed with the bound at the first schedule it was used for
        self._checked: dict[str, bool] = {}
        self._ends: dict[int | None, tuple[float, float] | None] = {}
        #: (name, a, b, S) -> the pieces of a bound a·ΣI + b (see _affine)
        self._forms: dict[tuple[Any, ...], BoundPieces] = {}
        self._fractions: dict[float, Fraction] = {}
        #: S (None: s_max > L) -> (Φ's multi-scale profile at S or None, the curve's input estimates at it)
        self._scales: dict[int | None, tuple[Any, Any]] = {}

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
        if bound.affine is not None and not bound.needs and self._checked.get(name, True):
            found = self._affine(name, schedule)
            if found is not None:
                return found
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
        key = (name, self._scale_key(schedule) if name in self._by_scale else
               tuple(getattr(schedule, attribute) for attribute in BOUNDS[name].reads))
        found = self._pieces.get(key)
        if found is None:
            found = self._pieces[key] = self._compute(name, schedule)
        return found

    def of(self, schedule: "Schedule") -> tuple[dict, dict, dict, dict]:
        """(bounds, bound_errors, bound spreads, bound intervals) of a row, in the order of ``names``.

        The bounds reading the same attributes (Theorem 1's family and Theorem 2 read s_max alone) are looked up
        together, once per row and distinct read tuple: the same pieces as one :meth:`pieces` per bound."""
        if schedule.positions != "uniform":
            found = [self.pieces(name, schedule) for name in self.names]
        else:
            found = [None] * len(self.names)  # type: ignore[list-item]
            for reads, members, known in self._groups:
                key = tuple([getattr(schedule, attribute) for attribute in reads])
                shared = known.get(key)
                if shared is None:
                    shared = known[key] = [self.pieces(self.names[i], schedule) for i in members]
                for i, piece in zip(members, shared):
                    found[i] = piece
        return self._dicts(found)

    @cached_property
    def _by_scale(self) -> frozenset[str]:
        """The bounds computed once per scale S rather than per s_max: Theorem 2's (the bounds that read s_max and
        need Φ's levels). Their value (bound_registry.theorem2_upper/lower: C·S·Φ/L + ε_train at the multi-scale
        profile for S, None for the upper bound at s_max = 1), its moved inputs, spread and interval see the
        schedule only through that profile (SourceTruth.multiscale, one object per S = 2^ceil(log2 s_max)),
        s_max = 1 (the only s_max with S = 1) and s_max <= L: :meth:`_scale_key`. A sweep over every T at L = 16384 meets about 1300 distinct
        s_max and 15 scales (tests/curve/test_sweep_vector.py compares every row with the per-row values)."""
        return frozenset(name for name in self.names
                         if "multiscale" in BOUNDS[name].needs and BOUNDS[name].reads == ("max_size",))

    def _scale_key(self, schedule: "Schedule") -> tuple[Any, ...]:
        s_max = schedule.max_size
        return ("scale", 1 << (s_max - 1).bit_length(), s_max <= self.profile.length)  # S = 1 only at s_max = 1

    @cached_property
    def _groups(self) -> "list[tuple[tuple[str, ...], list[int], dict[tuple[Any, ...], list[BoundPieces]]]]":
        """(attributes read, indices in ``names`` of the bounds reading exactly them, their pieces per key)."""
        members: dict[tuple[str, ...], list[int]] = {}
        for i, name in enumerate(self.names):
            members.setdefault(tuple(BOUNDS[name].reads), []).append(i)
        return [(reads, indices, {}) for reads, indices in members.items()]

    def _dicts(self, found: "list[BoundPieces]") -> tuple[dict, dict, dict, dict]:
        bounds: dict[str, Fraction | None] = {}
        errors: dict[str, float] = {}
        spreads: dict[str, tuple[float | None, float]] = {}
        intervals: dict[str, tuple[float, float]] = {}
        for name, (value, error, spread, interval) in zip(self.names, found):
            bounds[name] = value
            if error is not None:
                errors[name] = error
            if spread is not None:
                spreads[name] = spread
            if interval is not None:
                intervals[name] = interval
        return bounds, errors, spreads, intervals

    def _affine(self, name: str, schedule: "Schedule") -> BoundPieces | None:
        """A bound a·ΣI + b (:attr:`Bound.affine <boundcalc.bound_registry.Bound.affine>`): its value, float
        error, spread and interval from exact Fractions at the moved ΣI, the same Fractions (so the same floats)
        the per-row code gets by re-evaluating the bound at moved inputs (boundcalc.estimate.curve_bound_spreads,
        boundcalc.completion.bound_intervals). The first use per bound checks the form against the bound itself
        (None: it disagreed, and that bound is computed the general way from then on)."""
        bound, profile, truth = BOUNDS[name], self.profile, self.truth
        form = bound.affine(schedule, profile.length, self.eps)  # type: ignore[misc]
        if name not in self._checked:
            direct = bound.value(self._inputs(schedule))
            self._checked[name] = direct == (None if form is None else form[0] * profile.total + form[1])
            if not self._checked[name]:
                return None
        if form is None:
            return None, None, None, None
        a, b = form
        # the pieces depend on the form, and (the spread: Φ's estimates at this S) on S = 2^ceil(log2 s_max) only:
        # Theorem 1's family at every s_max of a sweep shares about log2 L of them (keyed by the forms' integers:
        # a Fraction's hash costs more than the lookup)
        fits = schedule.max_size <= profile.length
        big_s = (1 << (schedule.max_size - 1).bit_length()) if fits else None
        shared = (name, a.numerator, a.denominator, b.numerator, b.denominator, big_s)
        found = self._forms.get(shared)
        if found is None:
            value = a * profile.total + b
            if truth is None:
                found = (value, None, None, None)
            else:
                # a·(ΣI + x) + b - (a·ΣI + b) = a·x exactly: the float of the difference the per-row code rounds
                error = _times(a, truth.mi_shifted.total - profile.total)
                found = (value, error, self._spread(a, big_s), self._interval(a, b, value))
            self._forms[shared] = found
        return found

    def _fraction(self, x: float) -> Fraction:
        """Fraction(x), converted once per float (a sweep asks for the same few, once per bound and key)."""
        found = self._fractions.get(x)
        if found is None:
            found = self._fractions[x] = Fraction(x)
        return found

    def _spread(self, a: Fraction, big_s: int | None) -> "tuple[float | None, float] | None":
        """boundcalc.estimate.curve_bound_spreads for a bound a·ΣI + b: ΣI moved by its stderr and by its
        interpolation effect (no move where that spread, or Φ's at this S, is unknown: as _moved_inputs). The
        bound moves by a·step exactly ((a·(ΣI + step) + b) - (a·ΣI + b)), whose float is the one the per-row
        code rounds."""
        truth = self.truth
        if truth is None or truth.curve is None:
            return None
        if big_s not in self._scales:  # Φ's profile and the curve's estimates at S, once per S
            ms = truth.multiscale(big_s) if big_s is not None else None
            self._scales[big_s] = (ms, truth._input_estimates(None if ms is None else ms.scale))
        ms, estimates = self._scales[big_s]

        def moved(kind: str) -> float | None:
            step = getattr(estimates["mi_total"], kind)
            if step is None:
                return None
            if ms is not None and "phi" in estimates and ms.phi != 0 and getattr(estimates["phi"], kind) is None:
                return None
            return _times(a, self._fraction(step))

        se, ip = moved("stderr"), moved("interpolation")
        return None if se is None else se, 0.0 if ip is None else ip

    def _interval(self, a: Fraction, b: Fraction, value: Fraction) -> "tuple[float, float] | None":
        """boundcalc.completion.bound_intervals for a bound in ΣI alone (then answers.bound_intervals_of's filter):
        the bound at ΣI's interval ends over the monotone completions."""
        import math

        from .completion import has_gaps, input_intervals, interval_moves
        from .units import from_nats

        truth = self.truth
        curve = None if truth is None else truth.curve
        if truth is None or curve is None or curve.exact or not has_gaps(curve):
            return None
        if None not in self._ends:
            low, high = input_intervals(curve, None, truth.vocab_size)["mi_total"]
            unit = self.profile.unit
            self._ends[None] = (from_nats(low, unit), from_nats(high, unit))
        low_end, high_end = self._ends[None]  # type: ignore[misc]

        def at(x: float) -> float:  # float(a·max(Fraction(x), 0) + b), as one quotient of integers
            return _affine_float(a, self._fraction(max(x, 0.0)), b)  # x >= 0 exactly as a float

        low = at(low_end)
        high = (math.inf if at(low_end + 1) > low else low) if math.isinf(high_end) else at(high_end)
        shown = value.numerator / value.denominator  # float(value)
        pair = (min(low, shown), max(high, shown))
        return pair if interval_moves(pair) else None


def _times(a: Fraction, x: Fraction) -> float:
    """float(a·x): the exact product's numerator over its denominator, correctly rounded by Python's integer
    division (as Fraction.__float__ rounds the reduced fraction: the same rational, so the same float)."""
    return (a.numerator * x.numerator) / (a.denominator * x.denominator)


def _affine_float(a: Fraction, x: Fraction, b: Fraction) -> float:
    """float(a·x + b), as :func:`_times`: one correctly rounded quotient of the unreduced exact value."""
    return ((a.numerator * x.numerator * b.denominator + b.numerator * a.denominator * x.denominator)
            / (a.denominator * x.denominator * b.denominator))
