"""Honest answers from a partial loss curve: intervals over every monotone completion of d.

d(m) (the entropy of a hidden token with m revealed) is non-increasing in m and lies in [0, ln V]. A
measured curve with no point at k = L masked (r = 1) leaves d(0..m_lo-1) unknown in [d(m_lo), ln V]
(unbounded without V), and one with no point at k = 1 leaves d(m_hi+1..L-1) unknown in [0, d(m_hi)].
Any linear functional Σ_m c_m d(m) -- a schedule's error, TC, DTC, ΣI -- then ranges over an interval,
found in closed form: a monotone sequence in [a, b] on a range is a + Σ_t δ_t [m <= t] with δ >= 0,
Σ δ <= b - a, so its extremes are a Σc + (b - a) max(0, max_t C(t)) and the same with min, C the
prefix sums of c over the range (suffix sums for the lower range, held at its top).

Holding d flat beyond the measured range (what the curve's interpolation does) is the *lower* end for
every schedule error at once: within a step every term is d(w) - d(k) >= 0 with w <= k, and flat ends
make each as small as monotonicity allows. So the T a search finds on the flat curve is T_lo, and
:func:`steps_range` scans on for T_hi, the fewest T whose error is <= the target under every completion.

>>> from boundcalc.curve import LossCurve
>>> import numpy as np
>>> c = LossCurve(length=4, masked=[2, 3], loss=[0.5, 0.7])           # no k = 1, no k = 4
>>> [round(x, 6) for x in completion_interval(c, np.array([1.0, -1, 0, 0]), vocab_size=4)]  # d(0) - d(1)
[0.0, 0.686294]
>>> completion_interval(c, np.array([1.0, -1, 0, 0]))[1]   # without V, d(0) has no upper limit
inf
>>> missing_ranges(c)
[(4, 4), (1, 1)]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .curve import LossCurve
from .estimate import Estimate, schedule_coefficients
from .registry import SamplerSpec
from .step_families import family_schedule, searched_family

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["missing_ranges", "is_partial", "completion_interval", "with_completion", "steps_range",
           "family_coefficients", "describe_missing"]


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


def completion_interval(curve: LossCurve, coefficients: "np.ndarray", vocab_size: int | None = None) -> tuple[float, float]:
    """[min, max] of Σ_m c_m d(m) over every non-increasing d that equals the curve where it is measured (nats).

    Between measured points d is the linear interpolation (its effect is the interpolation effect); beyond
    them it is any monotone completion in [0, ln V]; the upper end is ∞ without ``vocab_size`` when some
    completion can raise the value without limit.
    """
    import numpy as np

    c = np.asarray(coefficients, dtype=np.float64)
    d = curve.conditional("linear")
    L = curve.length
    base = math.fsum((c * d).tolist())
    lo, hi = base, base
    m_lo, m_hi = L - int(curve.masked[-1]), L - int(curve.masked[0])
    if m_lo > 0:  # d(0..m_lo-1) in [d(m_lo), top]: flat now
        prefix = np.cumsum(c[:m_lo])
        a, b = float(d[m_lo]), _top(vocab_size, float(d[m_lo]))
        hi += _span(a, b, max(0.0, float(prefix.max())))
        lo += _span(a, b, min(0.0, float(prefix.min())))
    if m_hi < L - 1:  # d(m_hi+1..L-1) in [0, d(m_hi)]: flat (the top) now
        suffix = np.cumsum(c[m_hi + 1 :][::-1])[::-1]
        top = float(d[m_hi])
        hi += top * max(0.0, float((-suffix).max()))
        lo += top * min(0.0, float((-suffix).min()))
    return lo, hi


def with_completion(estimate: Estimate, curve: LossCurve, coefficients: "np.ndarray",
                    vocab_size: int | None = None) -> Estimate:
    """The estimate carrying its interval over monotone completions (unchanged for a curve that covers both ends)."""
    if not is_partial(curve):
        return estimate
    lo, hi = completion_interval(curve, coefficients, vocab_size)
    return Estimate(estimate.value, estimate.stderr, estimate.pchip, estimate.exact, estimate.note,
                    estimate.abs_error, interval=(max(lo, 0.0), hi))


def family_coefficients(family: "str | SamplerSpec", steps: int, length: int, curve: LossCurve) -> "np.ndarray":
    """c of the family's T-step schedule (expected c over the counts for a random-count sampler)."""
    family = searched_family(family)
    if family.family.random_counts:
        from .estimate import count_coefficients
        from .step_families import family_sampler

        return count_coefficients(family_sampler(family, steps, length))
    return schedule_coefficients(family_schedule(family, steps, length, curve), length)


def steps_range(family: "str | SamplerSpec", target_nats: float, first: int, curve: LossCurve, vocab_size: int | None,
                top: int) -> tuple[int, int | None]:
    """(T_lo, T_hi): ``first`` (found on the flat curve: the fewest T under the most favourable completion) and
    the fewest T <= ``top`` of ``family`` whose error is <= the target under *every* completion (None: none)."""
    from .errors import ScheduleError, UsageError

    for T in range(first, top + 1):
        try:
            c = family_coefficients(family, T, curve.length, curve)
        except (ScheduleError, UsageError):
            continue
        if completion_interval(curve, c, vocab_size)[1] <= target_nats:
            return first, T
    return first, None


def optimal_steps_range(target_nats: float, first: int, curve: LossCurve, vocab_size: int | None,
                        top: int, candidates: tuple[str, ...] = ("uniform", "cosine")) -> tuple[int, int | None]:
    """(T_lo, T_hi) for the DP optimum: T_lo from the flat curve (exact: flat is every schedule's minimum);
    T_hi the fewest T at which a candidate family's schedule reaches the target under every completion
    (the optimum at that T is no worse under any completion, so the true T_hi is at most this)."""
    best: int | None = None
    for family in candidates:
        _, T = steps_range(family, target_nats, first, curve, vocab_size, top if best is None else best)
        if T is not None and (best is None or T < best):
            best = T
    return first, best


def completion_note(curve: LossCurve, vocab_size: int | None) -> str:
    """What the intervals are, for captions and JSON."""
    upper = (f"d <= ln V = {math.log(vocab_size):.4g}" if vocab_size is not None
             else "no upper limit on d without the vocabulary size, so upper ends may be unbounded")
    return (f"{describe_missing(curve)}: values are intervals over every non-increasing completion of d in [0, ln V] "
            f"({upper}); the lower end is the curve held flat")
