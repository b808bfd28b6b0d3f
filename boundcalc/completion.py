"""Honest answers from a measured loss curve: intervals over every monotone completion of d.

d(m) (the entropy of a hidden token with m revealed) is non-increasing in m and lies in [0, ln V]. A
measured curve fixes d only at its measured m. Every other m lies in a *gap*: between two measured
points m_a < m_b, d(m) is anywhere in [d(m_b), d(m_a)] (monotone); with no point at k = L masked
(r = 1), d(0..m_lo-1) is anywhere in [d(m_lo), ln V] (unbounded without V); with no point at k = 1,
d(m_hi+1..L-1) is anywhere in [0, d(m_hi)]. The ends are gaps too, between virtual points d(-1) = ln V
and d(L) = 0. The interpolation (linear or monotone cubic) picks one completion; it is not the only one.

Any linear functional Σ_m c_m d(m) -- a schedule's error, TC, DTC, ΣI -- then ranges over an interval,
found in closed form, gap by gap (the gaps constrain d independently): on the interior of a gap with
end values A >= B, d = B + (A - B) Σ_t δ_t [m <= t] with δ >= 0 and Σ δ <= 1, so the gap adds
B Σc + (A - B) max(0, max_t C(t)) at most and B Σc + (A - B) min(0, min_t C(t)) at least, C the prefix
sums of c over the gap's interior. The extremes are step functions (d = A up to a point, then B).

Both interpolations are completions, so the interval holds the estimate and its pchip variant; it
says what monotonicity alone allows, whatever the interpolation. :func:`steps_range` finds, for a
family, T_lo (the fewest T whose error is <= the target under *some* completion) and T_hi (under
*every* completion).

>>> from boundcalc.curve import LossCurve
>>> import numpy as np
>>> c = LossCurve(length=4, masked=[2, 3], loss=[0.5, 0.7])           # no k = 1, no k = 4
>>> [round(x, 6) for x in completion_interval(c, np.array([1.0, -1, 0, 0]), vocab_size=4)]  # d(0) - d(1)
[0.0, 0.686294]
>>> completion_interval(c, np.array([1.0, -1, 0, 0]))[1]   # without V, d(0) has no upper limit
inf
>>> missing_ranges(c)
[(4, 4), (1, 1)]
>>> g = LossCurve(length=4, masked=[1, 4], loss=[0.1, 0.7])   # both ends measured, k = 2, 3 in a gap
>>> [round(x, 6) for x in completion_interval(g, np.array([0.0, 1.0, -1.0, 0.0]))]  # d(1) - d(2): 0 to 0.6
[0.0, 0.6]
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, cast

from .curve import LossCurve
from .errors import DomainError
from .estimate import Estimate, schedule_coefficients, total_profile
from .registry import SamplerSpec
from .step_families import family_schedule, searched_family

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .bound_registry import BoundInputs
    from .completion_scan import CompletionEnds
    from .multiscale import MultiScaleProfile
    from .profile import MIProfile

__all__ = ["missing_ranges", "is_partial", "has_gaps", "completion_interval", "error_interval", "with_completion", "steps_range",
           "family_coefficients", "describe_missing", "input_intervals", "bound_intervals", "random_schedule_interval"]


def missing_ranges(curve: LossCurve) -> list[tuple[int, int]]:
    """The ranges of masked counts k (inclusive) beyond the measured ones: above the largest, below the smallest."""
    L, k_min, k_max = curve.length, int(curve.masked[0]), int(curve.masked[-1])
    out = []
    if k_max < L:
        out.append((k_max + 1, L))
    if k_min > 1:
        out.append((1, k_min - 1))
    return out


def is_partial(curve: LossCurve) -> bool:
    """True when the curve does not cover r = 1/L (k = 1) or r = 1 (k = L)."""
    return bool(missing_ranges(curve))


def describe_missing(curve: LossCurve) -> str:
    """'k = 923..1024 (masked fraction > 0.9) and k = 1..511 (< 0.5) of L = 1024 are unmeasured'."""
    L = curve.length
    parts = []
    for lo, hi in missing_ranges(curve):
        side = f"> {(lo - 1) / L:.3g}" if hi == L else f"< {(hi + 1) / L:.3g}"
        parts.append(f"k = {lo}..{hi} (masked fraction {side})" if lo != hi else f"k = {lo} (masked fraction {side})")
    return " and ".join(parts) + f" of L = {L} {'is' if len(parts) == 1 else 'are'} unmeasured"


def _top(vocab_size: int | None, at_edge: float) -> float:
    """The largest d can be: ln V (not below the measured value a model's loss may exceed it with), or ∞."""
    return math.inf if vocab_size is None else max(math.log(vocab_size), at_edge)


def _span(low: float, high: float, extreme: float) -> float:
    """(high - low) x extreme, with 0 x ∞ = 0."""
    if extreme == 0 or high == low:
        return 0.0
    return (high - low) * extreme


def has_gaps(curve: LossCurve) -> bool:
    """True when some d(m) is not measured (a measured curve without every k = 1..L): values are intervals."""
    return not curve.exact and int(curve.masked.size) < curve.length


def _gaps(curve: LossCurve, vocab_size: int | None) -> list[tuple[int, float, int, float]]:
    """(m_a, A, m_b, B) for every gap with an interior: the measured m (and the virtual -1 and L) around it."""
    anchors = _anchors(curve, vocab_size)
    return [(ma, A, mb, B) for (ma, A), (mb, B) in zip(anchors, anchors[1:]) if mb - ma > 1]


def _anchors(curve: LossCurve, vocab_size: int | None) -> list[tuple[int, float]]:
    """(m, d(m)) at every measured m, with the virtual d(-1) = ln V (∞ without V) and d(L) = 0 around them."""
    L = curve.length
    d = curve.conditional("linear")
    measured = sorted(int(m) for m in (L - curve.masked).tolist())
    return [(-1, _top(vocab_size, float(d[measured[0]])))] + [(m, float(d[m])) for m in measured] + [(L, 0.0)]


def completion_interval(curve: LossCurve, coefficients: "np.ndarray", vocab_size: int | None = None) -> tuple[float, float]:
    """[min, max] of Σ_m c_m d(m) over every non-increasing d in [0, ln V] equal to the curve (its isotonic fit)
    where it is measured (nats): gaps between measured points and unmeasured ends alike.

    The upper end is ∞ without ``vocab_size`` when some completion can raise the value without limit.
    """
    import numpy as np

    c = np.asarray(coefficients, dtype=np.float64)
    d = curve.conditional("linear")
    L = curve.length
    measured = np.zeros(L, dtype=bool)
    measured[L - curve.masked] = True
    fixed = math.fsum((c[measured] * d[measured]).tolist())
    low_terms, high_terms = [fixed], [fixed]
    for ma, A, mb, B in _gaps(curve, vocab_size):
        inside = c[ma + 1 : mb]
        prefix = np.cumsum(inside)
        base = B * math.fsum(inside.tolist())
        high_terms.append(base + _span(B, A, max(0.0, float(prefix.max()))))
        low_terms.append(base + _span(B, A, min(0.0, float(prefix.min()))))
    lo, hi = math.fsum(low_terms), math.fsum(high_terms)
    return lo, max(hi, lo)


def with_completion(estimate: Estimate, curve: LossCurve, coefficients: "np.ndarray",
                    vocab_size: int | None = None) -> Estimate:
    """The estimate carrying its interval over monotone completions (unchanged for a curve measured at every k)."""
    if not has_gaps(curve):
        return estimate
    interval = error_interval(curve, coefficients, vocab_size, estimate.value)
    return Estimate(estimate.value, estimate.stderr, estimate.pchip, estimate.exact, estimate.note,
                    estimate.abs_error, interval=interval)


def error_interval(curve: LossCurve, coefficients: "np.ndarray", vocab_size: int | None = None,
                   value: float | None = None) -> tuple[float, float]:
    """:func:`completion_interval` of an error (>= 0): a lower end within the sum's rounding (a few ulps of
    Σ|c_m| d(0)) of 0 is 0, and the interval holds ``value`` (the linear estimate, itself a completion)."""
    import numpy as np

    lo, hi = completion_interval(curve, coefficients, vocab_size)
    if value is not None:
        lo, hi = min(lo, value), max(hi, value)
    rounding = 8 * 2.0**-53 * float(np.abs(np.asarray(coefficients, dtype=np.float64)).sum()) * float(
        curve.conditional("linear")[0])
    return (0.0 if lo <= rounding else lo), hi


def interval_moves(pair: "tuple[float, float]") -> bool:
    """An interval wider than the rounding of the value evaluated at its ends (a point otherwise)."""
    if math.isinf(pair[1]):
        return True
    return pair[1] - pair[0] > 1e-12 * max(abs(pair[0]), abs(pair[1]), 1e-300)


def quantities_with_completion(curve: LossCurve, steps: int | None = None,
                               vocab_size: int | None = None) -> "dict[str, Estimate]":
    """:func:`boundcalc.estimate.curve_quantities` (TC, DTC, ΣI, H(X), with ``steps`` the rates TC/T and DTC/T),
    each carrying its interval over the monotone completions when the curve has unmeasured k and the quantity
    moves with them (ΣI reads only the ends): all are linear in d and non-negative, the rates a fixed multiple
    of TC and DTC."""
    from .estimate import curve_quantities, quantity_coefficients

    quantities = curve_quantities(curve, steps)
    if curve.exact or not has_gaps(curve):
        return quantities
    c = quantity_coefficients(curve.length)
    c.update({"tc_rate": c["total_correlation"] / steps, "dtc_rate": c["dual_total_correlation"] / steps}
             if steps is not None else {})
    out = {}
    for name, value in quantities.items():
        widened = with_completion(value, curve, c[name], vocab_size)
        out[name] = widened if widened.interval is not None and interval_moves(widened.interval) else value
    return out


def random_schedule_interval(estimate: Estimate, curve: LossCurve, max_size: int,
                             vocab_size: int | None = None) -> Estimate:
    """The random schedule's expected error on {S, S/2} (``estimate``, from
    :func:`boundcalc.estimate.random_schedule_estimate`) with its interval over the monotone completions: it is
    linear in d too (:func:`boundcalc.estimate.random_schedule_coefficients`)."""
    from .estimate import random_schedule_coefficients

    return with_completion(estimate, curve, random_schedule_coefficients(curve.length, max_size), vocab_size)


def input_intervals(curve: LossCurve, max_size: int | None = None,
                    vocab_size: int | None = None) -> dict[str, tuple[float, float]]:
    """ΣI's (``"mi_total"``) and, with ``max_size``, Φ's (``"phi"``) intervals over the monotone completions (nats).

    ΣI = L (d(0) - d(L-1)) moves only with the ends: unmeasured r = 1 leaves d(0) in [d(m_lo), ln V] (no upper
    limit without V), unmeasured r = 1/L leaves d(L-1) in [0, d(m_hi)]; Φ's d(m_j) also move inside gaps.
    """
    return dict(_input_intervals(curve, max_size, vocab_size))


@functools.lru_cache(maxsize=64)
def _input_intervals(curve: LossCurve, max_size: int | None,
                     vocab_size: int | None) -> tuple[tuple[str, tuple[float, float]], ...]:
    """:func:`input_intervals`, computed once per (curve, S, V): a sweep asks for them on every row, and a
    LossCurve is immutable (hashed by identity)."""
    from .estimate import input_coefficients

    return tuple((name, completion_interval(curve, c, vocab_size))
                 for name, c in input_coefficients(curve.length, max_size).items())


def bound_intervals(curve: LossCurve, inputs: "BoundInputs", values: "dict[str, Fraction]",
                    vocab_size: int | None = None) -> dict[str, tuple[float, float]]:
    """[low, high] of each bound in ``values`` (name -> its value at ``inputs``, whose ΣI and Φ are the curve's) over
    the monotone completions of the curve, in the unit of ``inputs``: every bound is non-decreasing in ΣI (or, for
    Theorem 2's, in Φ, its level totals scaled together), and ΣI and Φ are linear in d, so the bound at the ends
    of their intervals (:func:`input_intervals`) is its interval: exact for a bound linear in ΣI or Φ, as every
    bound of the registry is. An infinite end stays infinite when the bound grows with the input.
    """
    from .bounds import BOUNDS
    from .units import from_nats

    unit = inputs.profile.unit
    scale = None if inputs.multiscale is None else inputs.multiscale.scale
    ends = {name: tuple(from_nats(x, unit) for x in pair)
            for name, pair in input_intervals(curve, scale, vocab_size).items()}
    out: dict[str, tuple[float, float]] = {}
    moved_inputs: dict[tuple[str, float], "BoundInputs"] = {}  # every bound in ΣI (or Φ) moves to the same ends
    for name, value in values.items():
        if value is None:
            continue
        kind = "phi" if "multiscale" in BOUNDS[name].needs and "phi" in ends else "mi_total"
        low_end, high_end = ends[kind]

        def at(x: float, name: str = name, kind: str = kind) -> float:
            if (kind, x) not in moved_inputs:
                moved_inputs[kind, x] = _inputs_at(inputs, kind, Fraction(x))
            moved = moved_inputs[kind, x]
            result = BOUNDS[name].value(moved)
            return float(value) if result is None else float(result)

        low = at(low_end)
        high = (math.inf if at(low_end + 1) > low else low) if math.isinf(high_end) else at(high_end)
        out[name] = (min(low, float(value)), max(high, float(value)))
    return out


def _inputs_at(inputs: "BoundInputs", kind: str, x: Fraction) -> "BoundInputs":
    """``inputs`` with ΣI = x (``"mi_total"``), or Φ = x (``"phi"``: the level totals scaled together, ΣI raised
    only as far as the largest level needs), in the inputs' unit."""
    from dataclasses import replace

    profile, ms = inputs.profile, inputs.multiscale
    if kind == "mi_total":  # a bound in ΣI alone: Φ's levels (which must not exceed ΣI) are not needed
        return replace(inputs, profile=total_profile(max(x, Fraction(0)), profile.length, profile.unit),
                       multiscale=None)
    assert ms is not None  # a bound in Φ is evaluated only with Φ's profile
    raised, moved = _scaled_levels(x, ms.level_totals, ms.length, ms.source, profile.total, profile.length,
                                   profile.unit)
    return replace(inputs, profile=raised, multiscale=moved)


@functools.lru_cache(maxsize=1024)
def _scaled_levels(x: Fraction, level_totals: "tuple[Fraction, ...]", length: int, source: str, total: Fraction,
                   profile_length: int, unit: Any) -> "tuple[MIProfile, MultiScaleProfile]":
    """(ΣI raised as far as the largest level needs, Φ's levels scaled together so that Φ = x); the profiles
    are built once per value (:func:`boundcalc.estimate.level_profiles`): every row of a sweep asks for the same."""
    from .estimate import level_profiles

    from .multiscale import level_sizes

    weights = [Fraction(1, 2**j) for j in range(len(level_totals))]
    phi = sum((t * w for t, w in zip(level_totals, weights)), Fraction(0))
    if phi > 0:
        levels = [t * max(x, Fraction(0)) / phi for t in level_totals]
    else:  # no shape to scale: every level with a set equal (a level whose set is empty stays 0)
        _, sizes = level_sizes(length, 1 << (len(level_totals) - 1))
        live = sum((w for w, m in zip(weights, sizes) if m > 0), Fraction(0))
        share = max(x, Fraction(0)) / live if live > 0 else Fraction(0)
        levels = [share if m > 0 else Fraction(0) for m in sizes]
    return level_profiles(tuple(levels), length, source, total, profile_length, unit)


def family_coefficients(family: "str | SamplerSpec", steps: int, length: int, curve: LossCurve) -> "np.ndarray":
    """c of the family's T-step schedule (expected c over the counts for a random-count sampler)."""
    family = searched_family(family)
    if family.family.random_counts:
        from .estimate import count_coefficients

        return count_coefficients(_count_sampler(family, steps, length))
    return schedule_coefficients(family_schedule(family, steps, length, curve), length)


#: Most (T scanned) x L a range search may take (about a minute of numpy on the development machine at worst);
#: beyond it the range is not searched, and said so.
MAX_RANGE_WORK = 4e8


def steps_range(family: "str | SamplerSpec", target_nats: float, first: int, curve: LossCurve, vocab_size: int | None,
                top: int, progress: "Callable[[int, int], None] | None" = None) -> tuple[int, int | None]:
    """(T_lo, T_hi) of ``family``: the fewest T whose error is <= the target under *some* monotone completion
    (T_lo <= ``first``, the T found on the interpolated curve, itself a completion) and the fewest T <= ``top``
    under *every* completion (T_hi >= ``first``; None: no T <= ``top``). Random-count families by their
    expected error (its coefficients are exact expectations). A scan beyond :data:`MAX_RANGE_WORK` raises
    :class:`~boundcalc.errors.DomainError` (never a silent cut). ``progress(T, top)`` is called as a scan of
    the fixed families' starts goes."""
    budget = [MAX_RANGE_WORK]
    bracketed = _bracketed_range(family, target_nats, first, curve, vocab_size, top, budget)
    if bracketed is not None:
        return bracketed
    scanned = _scanned_range(family, target_nats, first, curve, vocab_size, top, budget, progress)
    if scanned is not None:
        return scanned
    low = _first_reaching(family, range(1, first), curve, vocab_size, target_nats, 0, budget)
    return (first if low is None else low), _first_reaching(family, range(first, top + 1), curve, vocab_size,
                                                            target_nats, 1, budget)


def _bracketed_range(family: "str | SamplerSpec", target_nats: float, first: int, curve: LossCurve,
                     vocab_size: int | None, top: int, budget: list[float]) -> tuple[int, int | None] | None:
    """:func:`steps_range` for a count family on a uniform grid of reveal times (mdlm, sedd, dream-origin): whole
    ranges of T decided by certified brackets of the ends of the interval (:func:`boundcalc.count_brackets.
    completion_bracket`), single T by their interval. None where the brackets do not apply (then every T is
    scanned): another family, or d unbounded above (r = 1 unmeasured and no vocabulary size)."""
    import numpy as np

    from .count_brackets import completion_bracket, fewest_reaching
    from .count_brackets_noise import count_bracket
    from .count_completion import MAX_COUNT_RANGE_WORK, certified_ends, coefficient_work, completion_variation, range_sampler
    from .count_noise_local import folded_ends

    spec = searched_family(family)
    if not spec.family.random_counts:
        return None
    L = curve.length
    from .step_families import family_sampler

    bracket = count_bracket(lambda T: family_sampler(spec, T, L), curve.conditional("linear"))  # exact p_k
    highest = np.array(curve.conditional("linear"), dtype=np.float64)  # each d(m) at most: its gap's upper end
    for ma, A, mb, _ in _gaps(curve, vocab_size):
        highest[ma + 1 : mb] = A
    if bracket is None or not np.all(np.isfinite(highest)):
        return None
    ends = _interval_ends(curve, vocab_size)
    variation = completion_variation(L, _anchors(curve, vocab_size))
    brackets: dict[tuple[int, int], tuple[tuple[float, float], tuple[float, float]]] = {}

    def over(end: int) -> Any:
        def bracket_of(a: int, b: int) -> tuple[float, float]:
            if (a, b) not in brackets:
                brackets[a, b] = completion_bracket(bracket, ends, highest, a, b, variation, folded_ends)
            return brackets[a, b][end]
        return bracket_of

    work = [MAX_COUNT_RANGE_WORK]
    interval = functools.partial(completion_interval, curve, vocab_size=vocab_size)

    def reaches(end: int) -> Any:
        def one(T: int) -> bool:
            tail = getattr(bracket, "tail_forms", None)  # MDLM's linear noise: its last cells summed at this T
            forms = [] if tail is None else tail(T)
            if forms:
                low, high = completion_bracket(bracket, ends, highest, T, T, variation, folded_ends, forms)[end]
                margin = 1e-9 * (1.0 + abs(target_nats))  # as fewest_reaching's ranges: never against the value
                if low > target_nats + margin or high <= target_nats - margin:
                    return high <= target_nats - margin
            work[0] -= coefficient_work(T, L)  # the coefficients at T: T windowed binomial laws
            if work[0] < 0:
                raise DomainError(f"the T range over the monotone completions needs more than "
                                  f"{MAX_COUNT_RANGE_WORK:.0g} binomial terms (L = {L})", param="length",
                                  allowed="a shorter L, or read T and the value's interval")
            low, high, margin = certified_ends(interval, range_sampler(spec, T, L), highest)
            # within the margin the end's side of the target is unsure: T_lo then counts T as reaching, T_hi as
            # missing, so the range returned holds the true one
            return low - margin <= target_nats if end == 0 else high + margin <= target_nats
        return one

    # the low end by windows from first - 1 down: E error(T) >= E error(mT) on every monotone completion
    low = fewest_reaching(1, first - 1, over(0), reaches(0), target_nats, refines=True)
    return (first if low is None else low), fewest_reaching(first, top, over(1), reaches(1), target_nats)


def _scanned_range(family: "str | SamplerSpec", target_nats: float, first: int, curve: LossCurve,
                   vocab_size: int | None, top: int, budget: list[float],
                   progress: "Callable[[int, int], None] | None" = None) -> tuple[int, int | None] | None:
    """:func:`steps_range` for a fixed family whose step starts :func:`boundcalc.step_starts.starts_scanner`
    computes: each T's interval from its starts (:class:`boundcalc.completion_scan.CompletionEnds`, O(T) vector
    work), :func:`_interval_at` only where an end is within the float sums' margin of the target. The same
    answer as the scan of :func:`_first_reaching` (tests/curve/test_completion_scan.py). None for another
    family (then every T builds its Schedule)."""
    from .completion_scan import first_reaching
    from .step_starts import starts_scanner

    spec = searched_family(family)
    if spec.family.random_counts:
        return None
    L = curve.length
    d = curve.conditional("linear")
    scanner = starts_scanner(spec, L, d)
    if scanner is None:
        return None
    ends = _widened_ends(curve, vocab_size, target_nats)

    def charge(T: int) -> None:
        if progress is not None and T % 64 == 0:
            progress(T, top)
        budget[0] -= T  # the starts and the interval: O(T) vector work
        if budget[0] < 0:
            raise DomainError(f"the T range over the monotone completions needs more than {MAX_RANGE_WORK:.0g} "
                              f"step evaluations (the sum of T scanned, L = {L})", param="length",
                              allowed="a shorter L, or read T and the value's interval")

    def exact_at(end: int) -> Any:
        return lambda T: _interval_at(spec, T, curve, vocab_size, end, target_nats)

    low = first_reaching(scanner, range(1, first), ends, target_nats, 0, exact_at(0), charge)
    return (first if low is None else low), first_reaching(scanner, range(first, top + 1), ends, target_nats, 1,
                                                           exact_at(1), charge)


def _interval_ends(curve: LossCurve, vocab_size: int | None) -> Any:
    """a -> :func:`completion_interval` (curve, a) by numpy sums over the gaps (no fsum): for the brackets, whose
    slack already covers a sum's rounding ((L + 4)ε Σ|a_m| max d)."""
    import numpy as np

    L = curve.length
    d = curve.conditional("linear")
    gaps = _gaps(curve, vocab_size)
    measured = np.zeros(L, dtype=bool)
    measured[L - curve.masked] = True
    fixed_d = np.where(measured, d, 0.0)
    starts = np.array([ma + 1 for ma, _, _, _ in gaps], dtype=np.int64)
    ends_ = np.array([mb for _, _, mb, _ in gaps], dtype=np.int64)
    tops = np.array([A for _, A, _, _ in gaps])
    bottoms = np.array([B for _, _, _, B in gaps])
    span = tops - bottoms

    def ends(a: Any) -> tuple[float, float]:
        a = np.asarray(a, dtype=np.float64)
        fixed = float(a @ fixed_d)
        if not gaps:
            return fixed, fixed
        running = np.concatenate(([0.0], np.cumsum(a)))
        totals = running[ends_] - running[starts]  # Σ a over each gap's interior
        inside = np.concatenate([running[st + 1 : en + 1] - running[st] for st, en in zip(starts, ends_)])
        cuts = np.concatenate(([0], np.cumsum(ends_ - starts)[:-1]))
        highest = np.maximum(np.maximum.reduceat(inside, cuts), 0.0)
        lowest = np.minimum(np.minimum.reduceat(inside, cuts), 0.0)
        with np.errstate(invalid="ignore"):  # 0 x inf = 0, as _span
            up = np.where(highest == 0, 0.0, span * highest)
            down = np.where(lowest == 0, 0.0, span * lowest)
        base = float(bottoms @ totals)
        lo, hi = fixed + base + float(down.sum()), fixed + base + float(up.sum())
        return lo, max(hi, lo)

    return ends


def _count_sampler(spec: SamplerSpec, steps: int, length: int) -> Any:
    """The family's sampler at T: the quick build (the exact builder's floats, no Fractions) where there is one."""
    from .step_families import family_sampler

    quick = spec.family.quick_sampler(length, steps, spec.given_args)
    return quick if quick is not None else family_sampler(spec, steps, length)


def _first_reaching(family: "str | SamplerSpec", steps: range, curve: LossCurve, vocab_size: int | None, target_nats: float,
                    end: int, budget: list[float]) -> int | None:
    """The first T in ``steps`` whose interval's ``end`` (0 low, 1 high) is <= the target, each decided with its
    certified margin (:func:`_interval_at`); ``budget`` (T x L left) is spent as it goes and a scan beyond it is
    refused."""
    for T in steps:
        budget[0] -= curve.length
        if budget[0] < 0:
            raise DomainError(f"the T range over the monotone completions needs more than {MAX_RANGE_WORK:.0g} "
                              f"coefficient evaluations (T x L, L = {curve.length})", param="length",
                              allowed="a shorter L, or read T and the value's interval")
        if _interval_at(family, T, curve, vocab_size, end, target_nats):
            return T
    return None


def _interval_at(family: "str | SamplerSpec", steps: int, curve: LossCurve, vocab_size: int | None, end: int,
                 target_nats: float) -> bool:
    """Whether T's interval ``end`` (0 low, 1 high) is <= the target, with the ends' certified float error
    (:func:`interval_margin`; a count family's coefficients also within their relative error): within it the side
    is unsure, and the low end (T_lo) counts the T as reaching, the high end (T_hi) as missing, so the range returned
    holds the true one (as count_completion.certified_ends)."""
    from .errors import ScheduleError, UsageError

    spec = searched_family(family)
    try:
        if spec.family.random_counts:
            sampler = _count_sampler(spec, steps, curve.length)
            starts = sampler.expected_start_sizes()
            c, relative = starts - 1.0, sampler.start_sizes_error()
        else:
            c, relative, starts = family_coefficients(spec, steps, curve.length, curve), 0.0, None
    except (ScheduleError, UsageError):  # no schedule of this T in the family (e.g. a block size that does not fit)
        return False
    ends = completion_interval(curve, c, vocab_size)
    margin = interval_margin(curve, c, vocab_size, relative, starts) + 4 * _EPS * abs(target_nats)
    if abs(ends[end] - target_nats) <= margin and starts is None:  # a fixed schedule: c are integers, decide exactly
        return _exact_end(curve, c, vocab_size, end) <= Fraction(target_nats)
    if end == 0:
        return ends[0] - margin <= target_nats
    return ends[1] + margin <= target_nats


def _exact_end(curve: LossCurve, coefficients: "np.ndarray", vocab_size: int | None, end: int) -> "Fraction | float":
    """:func:`completion_interval`'s ``end`` in exact rationals (integer coefficients of a fixed schedule, each float
    d an exact rational), ±∞ where a gap under an unbounded top makes it so: for the T within the float margin."""
    import numpy as np

    c = np.asarray(coefficients, dtype=np.float64).astype(np.int64)
    d = curve.conditional("linear")
    L = curve.length
    measured = sorted(set((L - curve.masked).tolist()))
    low = high = sum((int(c[m]) * Fraction(float(d[m])) for m in measured), Fraction(0))
    infinite = {0: False, 1: False}
    for ma, A, mb, B in _gaps(curve, vocab_size):
        prefix = np.cumsum(c[ma + 1 : mb])
        base = Fraction(B) * int(prefix[-1])
        up, down = max(0, int(prefix.max())), min(0, int(prefix.min()))
        if math.isinf(A):
            infinite[0] |= down < 0
            infinite[1] |= up > 0
            low, high = low + base, high + base
            continue
        low += base + (Fraction(A) - Fraction(B)) * down
        high += base + (Fraction(A) - Fraction(B)) * up
    if end == 0:
        return -math.inf if infinite[0] else low
    return math.inf if infinite[1] else max(high, low)


_EPS = 2.0**-53


def interval_margin(curve: LossCurve, coefficients: "np.ndarray", vocab_size: int | None, relative: float = 0.0,
                    starts: "np.ndarray | None" = None) -> float:
    """A bound on the float error of each end of :func:`completion_interval` (docs/theory.md §14): its sums
    (products, fsums, the gaps' prefix sums, spans and bases) err by at most 2(L + 8)ε·Σ_m |c_m|·top_m, top_m the
    largest d(m) any completion allows (the measured value, or the gap's upper anchor; a gap below an unbounded top
    counts its lower anchor: its span term is 0 or ∞, exactly); coefficients within ``relative`` of ``starts``
    (c = starts − 1, a count family's) move every completion's value, so each end, by at most
    relative·Σ_m starts_m·top_m."""
    import numpy as np

    c = np.asarray(coefficients, dtype=np.float64)
    top = np.array(curve.conditional("linear"), dtype=np.float64)
    for ma, A, mb, B in _gaps(curve, vocab_size):
        top[ma + 1 : mb] = A if math.isfinite(A) else B
    top = np.abs(top)
    L = c.size
    margin = 2 * (L + 8) * _EPS * float(np.abs(c) @ top) * (1 + 4 * _EPS)
    if relative and starts is not None:
        margin += relative * float(np.abs(starts) @ top) * (1 + (L + 4) * _EPS)
    return margin * (1 + 8 * _EPS)


#: Longest L whose lowest-completion DP (an (L+1) x (L+1) matrix of step costs) is run for the optimum's T_lo.
MAX_LOWER_DP_LENGTH = 2048


def lowest_step_costs(curve: LossCurve, vocab_size: int | None = None) -> "np.ndarray":
    """M[w, n] = the least a step revealing positions w..n-1 can add to a schedule's error's lower end.

    The lower end of Σ c_m d(m) is additive over steps (docs/theory.md): with d_B = d where measured and
    each gap's lower value B inside it, a gap (m_a, m_b) adds B Σc - (A - B) S, S the tokens of the step
    holding m_a and m_a + 1 inside the gap (the prefix sums of c dip only there). So a step (w, s) costs
    s d_B(w) - Σ_j d_B(w + j), less (A - B)(min(w + s - 1, m_b - 1) - m_a) for each gap whose m_a it spans.
    """
    import numpy as np

    L = curve.length
    d_b = np.array(curve.conditional("linear"), dtype=np.float64)
    for ma, _, mb, B in _gaps(curve, vocab_size):
        d_b[ma + 1 : mb] = B
    F = np.concatenate([[0.0], np.cumsum(d_b)])
    w = np.arange(L + 1)[:, None]
    n = np.arange(L + 1)[None, :]
    with np.errstate(invalid="ignore"):
        cost = np.where(n > w, (n - w) * np.append(d_b, 0.0)[w] - (F[n] - F[w]), np.inf)
    for ma, A, mb, B in _gaps(curve, vocab_size):
        if ma < 0:
            continue  # the virtual top point: position 0 always starts a step
        # only the steps that span m_a (w <= m_a < n - 1) move: a block, in place (x - 0 is x elsewhere)
        cost[: ma + 1, ma + 2 :] -= ((A - B) * (np.minimum(n - 1, mb - 1) - ma))[:, ma + 2 :]
    return cost


def optimal_lowest_steps(target_nats: float, curve: LossCurve, vocab_size: int | None, top: int) -> int | None:
    """The fewest T <= ``top`` whose best T-step schedule reaches the target under its most favourable completion
    (exact DP over the additive lower ends: T_lo of the optimum); None when L is beyond the DP's size limit."""
    import numpy as np

    if curve.length > MAX_LOWER_DP_LENGTH:
        return None
    cost = lowest_step_costs(curve, vocab_size)
    best = np.full(curve.length + 1, np.inf)
    best[0] = 0.0
    for T in range(1, top + 1):
        best = (best[:, None] + cost).min(axis=0)
        if best[-1] <= target_nats:
            return T
    return None


def optimal_steps_range(target_nats: float, first: int, curve: LossCurve, vocab_size: int | None,
                        top: int, candidates: tuple[str, ...] = ("uniform", "cosine")) -> tuple[int, int | None]:
    """(T_lo, an upper limit of T_hi) for the DP optimum: T_lo exact (:func:`optimal_lowest_steps`; ``first``, the
    optimum on the interpolated curve, when L is too long for that DP) and the fewest T at which a candidate
    family's schedule reaches the target under every completion (the optimum at that T is no worse under any
    completion, so the true T_hi is at most this). Not exact: the worst completion depends on the schedule
    through a maximum per gap, which no DP over steps adds up (docs/theory.md)."""
    # within the DP's certified float error the side is unsure: T_lo counts the T as reaching (the range holds it)
    low = optimal_lowest_steps(target_nats + lowest_margin(curve, vocab_size, first, target_nats), curve, vocab_size,
                               first)
    best: int | None = None
    budget = [MAX_RANGE_WORK]
    for family in candidates:
        T = _first_reaching_upper(family, range(first, (top if best is None else best) + 1), curve, vocab_size,
                                  target_nats, budget)
        if T is not None and (best is None or T < best):
            best = T
    return (first if low is None else low), best


def _schedule_margin(curve: LossCurve, vocab_size: int | None, target_nats: float) -> float:
    """:func:`interval_margin` (and the target's 4ε) for every fixed schedule at once: Σ_m |c_m| = 2(L − T) <= 2L."""
    import numpy as np

    top = np.array(curve.conditional("linear"), dtype=np.float64)
    for ma, A, mb, B in _gaps(curve, vocab_size):
        top[ma + 1 : mb] = A if math.isfinite(A) else B
    L = curve.length
    return 2 * (L + 8) * _EPS * 2 * L * float(np.abs(top).max()) * (1 + 16 * _EPS) + 5 * _EPS * abs(target_nats)


def _widened_ends(curve: LossCurve, vocab_size: int | None, target_nats: float) -> "CompletionEnds":
    """The scans' :class:`~boundcalc.completion_scan.CompletionEnds` of the curve, widened by
    :func:`_schedule_margin` (see :class:`_Widened`)."""
    import numpy as np

    from .completion_scan import CompletionEnds

    d = curve.conditional("linear")
    measured = sorted(int(m) for m in np.unique(curve.length - curve.masked).tolist())
    ends = CompletionEnds(curve.length, _gaps(curve, vocab_size), measured, [float(d[m]) for m in measured])
    return cast("CompletionEnds", _Widened(ends, _schedule_margin(curve, vocab_size, target_nats)))  # ends() is all


class _Widened:
    """A :class:`~boundcalc.completion_scan.CompletionEnds` whose margins are widened by ``extra`` (a bound on
    :func:`interval_margin` for every T): a T the scan decides from its starts is then decided the same way by
    :func:`_interval_at`, and the others are left to it, so the scan's range is :func:`_first_reaching`'s."""

    def __init__(self, ends: Any, extra: float) -> None:
        self._ends, self._extra = ends, extra

    def ends(self, starts: Any) -> tuple[float, float, float]:
        low, high, margin = self._ends.ends(starts)
        return low, high, margin + self._extra


def lowest_margin(curve: LossCurve, vocab_size: int | None, top: int, target_nats: float) -> float:
    """A bound on |float − exact| of :func:`optimal_lowest_steps`' value at any T <= ``top`` where the exact value is
    <= the target (docs/theory.md §14): along the optimal path each step (w, n) errs by at most
    u·s·(S(1 + Lu) + 4D) (s = n − w; the running sum F's roundings between w and n, the product s·d_B(w) and the two
    subtractions; S = Σ|d_B|, D = max|d_B|), so the path by u·L·(S(1 + Lu) + 4D) (Σ s = L), each gap's correction
    once by u(3(A − B)L + 2LD); the exact step costs are >= 0 (d_B is non-increasing and a gap's positions in a step
    each add at least A − B), so every partial sum is at most the target and the T additions err by u(target + it).
    The target's own conversion to nats adds 4u of it."""
    import numpy as np

    L = curve.length
    d_b = np.array(curve.conditional("linear"), dtype=np.float64)
    gaps = _gaps(curve, vocab_size)
    for ma, _, mb, B in gaps:
        d_b[ma + 1 : mb] = B
    S, D = float(np.abs(d_b).sum()) * (1 + L * _EPS), float(np.abs(d_b).max())
    path = L * (S * (1 + L * _EPS) + 4 * D)
    path += sum(3 * (A - B) * L + 2 * L * D for ma, A, _, B in gaps if ma >= 0)
    path *= _EPS * 1.01
    adds = top * _EPS * (abs(target_nats) + path) * 1.01 / max(1e-300, 1 - top * _EPS)
    return (path + adds + 6 * _EPS * abs(target_nats)) * (1 + 1e-9)


def _first_reaching_upper(family: str, steps: range, curve: LossCurve, vocab_size: int | None, target_nats: float,
                          budget: list[float]) -> int | None:
    """:func:`_first_reaching` of the interval's high end, from each T's step starts where
    :func:`boundcalc.step_starts.starts_scanner` computes the family (O(T) per T instead of building each
    Schedule: the cosine candidate cost ~30 ms per T at L = 1024), with the same decisions (a T whose end is
    within the float sums' margin of the target is decided by completion_interval, as :func:`_scanned_range`)."""
    from .completion_scan import first_reaching
    from .step_starts import starts_scanner

    spec = searched_family(family)
    d = curve.conditional("linear")
    scanner = starts_scanner(spec, curve.length, d)
    if scanner is None:
        return _first_reaching(spec, steps, curve, vocab_size, target_nats, 1, budget)
    ends = _widened_ends(curve, vocab_size, target_nats)

    def charge(T: int) -> None:
        budget[0] -= T  # the starts and the interval: O(T) vector work
        if budget[0] < 0:
            raise DomainError(f"the T range over the monotone completions needs more than {MAX_RANGE_WORK:.0g} "
                              f"step evaluations (the sum of T scanned, L = {curve.length})", param="length",
                              allowed="a shorter L, or read T and the value's interval")

    return first_reaching(scanner, steps, ends, target_nats, 1,
                          lambda T: _interval_at(spec, T, curve, vocab_size, 1, target_nats), charge)


def completion_note(curve: LossCurve, vocab_size: int | None) -> str:
    """What the intervals are, for captions and JSON."""
    upper = (f"d <= ln V = {math.log(vocab_size):.4g}" if vocab_size is not None
             else "no upper limit on d without the vocabulary size, so upper ends may be unbounded")
    return (f"{describe_missing(curve)}: values are intervals over every non-increasing completion of d in [0, ln V] "
            f"({upper})")
