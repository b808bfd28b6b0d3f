"""The step sizes of the schedule families at many T, fast, equal to :mod:`boundcalc.schedule`'s exact ones.

A scan over T (``steps --family``, ``sweep --steps 1:L``) builds a family's
schedule at every T: O(L^2) sizes at L = 16384 (1.3·10^8). The exact builders
of :class:`~boundcalc.schedule.Schedule` decide each floor of L·cos, L·sin or
L·u^p in integer fixed point, a Python loop per step; here the masked counts are
evaluated in float64 with numpy, and the exact routine runs only where a value
lies within a generous bound of the float error of an integer (a floor the float
cannot decide; rational values such as L·cos(π/3) = L/2 are always such points).
The results are the exact builders' sizes, always (tests/core/test_family_sizes.py
compares both on many (L, T) with hypothesis).

Float error (cosine): x = kπ/2T carries a relative error <= 3·2^-53, cos a few
ulps, the product by L one rounding: |float - L cos x| < 2·10^-15 L. The check uses
2^-32 L, so the exact routine sees only values within 2^-32 L of an integer. The T
scans (:mod:`boundcalc.step_starts`) evaluate the same cosines and sines by angle
addition from ~2 sqrt(T) library calls, within 64·2^-53 of the true values (its
``_Kernel._trig``): still far inside the guard, so the floors are the same.
Power: (k/T)^p with float(p) and p <= 64, |ln(k/T)| <= ln T: relative error below
64·(ln T + 4)·2^-52 < 2^-38 for T <= 10^9; the same 2^-32 L check. Beyond L = 2^40
(or p outside [1/64, 64]) the exact builders run.

>>> fast_schedule("cosine", [], 256, 8).sizes
(5, 15, 24, 31, 39, 45, 48, 49)
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Callable, Iterable

from .errors import ScheduleError
from .exact import parse_rational
from .floors import _ceil_rational_power, _ceil_scaled_trig, _floor_scaled_trig, _power_ceiling_exact
from .schedule import Schedule

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["FAST_FAMILIES", "family_sizes", "fast_schedule", "dream_levels"]

#: Families whose sizes this module computes (the rest: the exact builders).
FAST_FAMILIES = ("uniform", "linear", "cosine", "cosine-mdlm", "power", "dream")

_MAX_LENGTH = 2**40  # float64 floors of values up to L stay exact well below 2^53
_GUARD = 2.0**-32  # relative to L: far above the float error of every masked count (module docstring)
_P_RANGE = (Fraction(1, 64), Fraction(64))


def supported(head: str, extra: list[str], length: int) -> bool:
    """True when :func:`family_sizes` computes this family at this L (else use the exact builder)."""
    if head not in FAST_FAMILIES or length > _MAX_LENGTH:
        return False
    if head == "power":
        if len(extra) != 1:
            return False
        try:
            p = parse_rational(extra[0], "p")
        except Exception:  # noqa: BLE001 - the exact builder says what is wrong with it
            return False
        return _P_RANGE[0] <= p <= _P_RANGE[1]
    if head == "dream":
        if len(extra) > 1:
            return False
        try:
            eps = parse_rational(extra[0], "eps") if extra else Fraction(1, 1000)
        except Exception:  # noqa: BLE001
            return False
        return 0 <= eps < 1
    return not extra


def _decided_floor(values: "np.ndarray", length: int, exact: Callable[[int], int]) -> "np.ndarray":
    """floor(values), each value within 2^-32 L of the true one; ``exact(k)`` (k = index + 1) where undecided."""
    import numpy as np

    guard = _GUARD * length
    low, high = np.floor(values - guard), np.floor(values + guard)
    out = low.astype(np.int64)
    for i in np.flatnonzero(low != high).tolist():
        out[i] = exact(i + 1)
    return out


def _masked_counts(head: str, extra: list[str], length: int, steps: int) -> "np.ndarray":
    """floor(L g(k/T)), k = 1..T-1, exactly, for the curve families (g the masked fraction)."""
    import numpy as np

    k = np.arange(1, steps, dtype=np.int64)
    if head == "linear":
        return (length * (steps - k)) // steps if length * steps < 2**62 else np.array(
            [(length * (steps - j)) // steps for j in range(1, steps)], dtype=np.int64)
    if head == "cosine":
        values = length * np.cos(k * np.pi / (2 * steps))
        return _decided_floor(values, length, lambda j: _floor_scaled_trig(length, Fraction(j, 2 * steps), "cos"))
    if head == "cosine-mdlm":  # floor(L - L sin x) = L - ceil(L sin x) = L + floor(-L sin x)
        values = -length * np.sin(k * np.pi / (2 * steps))
        return length + _decided_floor(
            values, length, lambda j: -_ceil_scaled_trig(length, Fraction(j, 2 * steps), "sin"))
    # power: floor(L (1 - u^p)) = L - ceil(L u^p) = L + floor(-L u^p)
    p = parse_rational(extra[0], "p")

    def exact(j: int) -> int:
        u = Fraction(j, steps)
        if p.denominator <= 4 and p.denominator * length.bit_length() + p.numerator * steps.bit_length() <= 2048:
            return -_ceil_rational_power(length, u, p)
        return -_power_ceiling_exact(length, u, p)

    values = -length * np.power(k / steps, float(p))
    return length + _decided_floor(values, length, exact)


def _from_counts(length: int, steps: int, counts: "np.ndarray") -> "np.ndarray":
    """Schedule.from_curve's rule M_k = clamp(count_k, T - k, M_{k-1} - 1), vectorised.

    With N_k = M_k + k the rule is N_k = min(max(count_k + k, T), N_{k-1}), N_0 = L: a running minimum.
    """
    import numpy as np

    k = np.arange(1, steps, dtype=np.int64)
    n = np.minimum.accumulate(np.concatenate(([length], np.maximum(counts + k, steps))))
    masked = n - np.arange(steps, dtype=np.int64)  # M_0 .. M_{T-1}
    return np.concatenate((masked[:-1] - masked[1:], masked[-1:]))


def family_sizes(head: str, extra: list[str], length: int, steps: int) -> "np.ndarray | None":
    """The T-step sizes of ``head`` (with its parameters after T, ``extra``) at L, or None when the family
    has no T-step schedule at this L (T > L, or a dream step of size 0). Only for :func:`supported` families."""
    import numpy as np

    if not 1 <= steps <= length:
        return None
    if head == "uniform":
        q, r = divmod(length, steps)
        return np.concatenate((np.full(r, q + 1, dtype=np.int64), np.full(steps - r, q, dtype=np.int64)))
    if head == "dream":
        sizes = _dream_sizes(length, steps, extra)
        return sizes if sizes.min() >= 1 else None
    return _from_counts(length, steps, _masked_counts(head, extra, length, steps))


def _dream_eps(extra: list[str]) -> tuple[int, int]:
    eps = parse_rational(extra[0], "eps") if extra else Fraction(1, 1000)
    return eps.denominator - eps.numerator, eps.denominator


def _dream_sizes(length: int, steps: int, extra: list[str]) -> "np.ndarray":
    """Schedule.dream's recurrence n_k = floor(m_k g / (T e - g k)) (integers; one T)."""
    import numpy as np

    g, e = _dream_eps(extra)
    sizes, masked = [], length
    for k in range(steps - 1):
        n = masked * g // (steps * e - g * k)
        sizes.append(n)
        masked -= n
    sizes.append(masked)
    return np.array(sizes, dtype=np.int64)


def fast_schedule(head: str, extra: list[str], length: int, steps: int) -> Schedule:
    """The Schedule of ``head:T[:extra]`` at L from :func:`family_sizes` (the exact builder's, same name)."""
    if not supported(head, extra, length):
        raise ScheduleError(f"{head} is not a family computed here", param="family")
    sizes = family_sizes(head, extra, length, steps)
    if sizes is None:
        from .schedule import parse_schedule

        return parse_schedule(":".join([head, str(steps), *extra]), length, param="family")  # raises its error
    return Schedule.from_size_array(sizes, name=":".join([head, str(steps), *extra]))  # parse_schedule's name: the spec


def dream_levels(length: int, steps: Iterable[int], extra: list[str], d: "np.ndarray | None",
                 h: "np.ndarray | None") -> tuple["np.ndarray", "np.ndarray", "np.ndarray | None"]:
    """For every T of ``steps`` at once: (valid, s_max, error) of Schedule.dream's T-step schedule.

    ``valid`` is False where a step would be empty (no T-step schedule); the error is
    Σ_k s_k d(w_k) - (h(L) - h(0)) (the h terms telescope), summed step by step (None without d, h):
    within (T + 1)ε(L max|d| + |h(L)| + |h(0)|) of the exact sum of the same terms.
    The recurrence runs over k for all T in one vector: O(max T) numpy passes, not a Python
    loop per (T, k). In float64 where every m_k g and T e is below 2^52: there a quotient of two
    integers rounds to a float whose floor is the integer quotient's (a non-integer a/b is at least
    1/b from the next integer, more than its rounding error a/b·2^-53 when a + b < 2^52).
    """
    import numpy as np

    ts = np.asarray(sorted(set(steps)), dtype=np.int64)
    g, e = _dream_eps(extra)
    top = int(ts[-1]) if ts.size else 0
    if not (length * g < 2**52 and (top + 1) * e < 2**52):
        return _dream_levels_int(length, ts, g, e, d, h)
    valid = dream_has_schedule(length, ts, g, e)
    rows = np.flatnonzero(valid)  # only T with a schedule are computed
    t = ts[rows]
    masked = np.full(t.size, float(length))
    denominator = t.astype(np.float64) * e  # T e - g k, k = 0
    largest = np.zeros(t.size)
    error = np.zeros(t.size) if d is not None and h is not None else None
    values: "np.ndarray" = d if d is not None else np.zeros(1)
    n_all, w_all, at = np.empty(t.size), np.empty(t.size), np.empty(t.size, dtype=np.int64)
    first, top = 0, int(t[-1]) if t.size else 0  # t sorted: the rows still running are t[first:]
    for k in range(top):
        while t[first] <= k:
            first += 1
        m, n = masked[first:], n_all[first:]
        np.multiply(m, g, out=n)
        n /= denominator[first:]
        np.floor(n, out=n)
        if t[first] == k + 1:  # t sorted and distinct: only the first row running can be at its last step
            n[0] = largest[first] = m[0]  # the last step takes the rest: the largest step (steps never shrink)
        if error is not None:
            w = np.subtract(length, m, out=w_all[first:])
            index = at[first:]
            index[:] = w
            np.take(values, index, out=w, mode="clip")  # w_k < L for every running row with a step left
            w *= n
            error[first:] += w
        m -= n
        denominator[first:] -= g
    out_largest = np.zeros(ts.size, dtype=np.int64)
    out_largest[rows] = largest
    if error is None or h is None:
        return valid, out_largest, None
    out_error = np.zeros(ts.size)
    out_error[rows] = error - (float(h[-1]) - float(h[0]))
    return valid, out_largest, out_error


def dream_has_schedule(length: int, steps: "np.ndarray", g: int, e: int) -> "np.ndarray":
    """Whether Schedule.dream (1 - ε = g/e) has a T-step schedule at L, for each T of ``steps``: T = 1, or
    2 <= T and g L >= T e (the first step n_0 = floor(g L / T e) is at least 1).

    Why the first step decides: with D_k = T e - g k, m_{k+1} = m_k - floor(g m_k / D_k) >= m_k D_{k+1} / D_k,
    so g m_k / D_k never decreases in k and neither does n_k = floor(g m_k / D_k); the last step takes
    m_{T-1} >= m_{T-2} (D_{T-2} - g) / D_{T-2} >= n_{T-2} (as D_{T-2} >= 2g). So the steps never shrink:
    n_0 >= 1 is the whole condition, and s_max is the last step."""
    import numpy as np

    steps = np.asarray(steps, dtype=np.int64)
    return (steps == 1) & (length >= 1) | (steps >= 2) & (steps <= length) & (g * length >= steps * e)


def _dream_levels_int(length: int, ts: "np.ndarray", g: int, e: int, d: "np.ndarray | None",
                      h: "np.ndarray | None") -> tuple["np.ndarray", "np.ndarray", "np.ndarray | None"]:
    """:func:`dream_levels` in Python integers where float64 cannot hold the products (huge L or 1/ε)."""
    import numpy as np

    valid = np.zeros(ts.size, dtype=bool)
    largest = np.zeros(ts.size, dtype=np.int64)
    error = np.zeros(ts.size) if d is not None and h is not None else None
    for i, T in enumerate(ts.tolist()):
        if not 1 <= T <= length:
            continue
        sizes = _dream_sizes(length, T, [f"{e - g}/{e}"])
        valid[i], largest[i] = sizes.min() >= 1, sizes.max()
        if error is not None and d is not None and h is not None and valid[i]:
            w = np.cumsum(sizes) - sizes
            error[i] = float(np.sum(sizes * d[w])) - (float(h[-1]) - float(h[0]))
    return valid, largest, error
