"""Where each step of a family's T-step schedule starts, for T after T: the inner loop of the T scans.

A scan over T (``steps --family F`` by error or bound, and the T range over a partial curve's monotone
completions) needs at each T only the step starts w_0 = 0 < w_1 < ... < w_T = L of the family's
schedule: its error Σ_j s_j d(w_j) - h(L) (s_j = w_{j+1} - w_j), its s_max, and the prefix sums of its
coefficients (:mod:`boundcalc.completion_scan`) all follow from them. :func:`starts_scanner` gives them
equal to :func:`boundcalc.family_sizes.family_sizes`'s (the exact builders' sizes: the same float values,
the same guarded floors with the same exact routine where a floor is undecided, the same clamp rule) and,
for info-optimal, :func:`boundcalc.estimate.info_optimal_boundaries`'s.

Why buffers: numpy gives every temporary array of 128 KB or more (16384 int64) fresh pages from the
kernel, and touching them costs more than the arithmetic (measured: a product of 16000 floats 65 µs into
a new array, 5 µs into a reused one). The starts are computed into arrays allocated once per scan, so a
yielded array is valid only until the next one is asked for.

Dream's recurrence n_k = floor(m_k g / (T e - g k)) runs for a chunk of T at once (one vector pass per k,
as :func:`boundcalc.family_sizes.dream_levels`, in exact float64 where the products stay below 2^52), its
starts kept in a ((max T + 1) x chunk) table written a contiguous row per k and read 32 columns at a time.

The trigonometric families' cosines and sines come from angle addition (~1 ns a value instead of ~13 for
np.cos, within 64·2^-53 of the true values: the same guarded floors), and the running extrema of the clamp
rules run only as far as they change something.

>>> import numpy as np
>>> from boundcalc.step_families import searched_family
>>> scan = starts_scanner(searched_family("cosine"), 256)
>>> [(T, np.diff(w).tolist()) for T, w in scan([1, 8])]
[(1, [256]), (8, [5, 15, 24, 31, 39, 45, 48, 49])]
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from .exact import parse_rational
from .family_sizes import _GUARD, _dream_eps, dream_has_schedule, supported
from .floors import _ceil_rational_power, _ceil_scaled_trig, _floor_scaled_trig, _power_ceiling_exact

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .registry import SamplerSpec

__all__ = ["starts_scanner", "largest_steps", "Scanner"]

#: T -> the T + 1 starts (int64, w_T = L), or None where the family has no T-step schedule at this L.
Scanner = Callable[[Iterable[int]], Iterator[tuple[int, "np.ndarray | None"]]]

_DREAM_TABLE_BYTES = 64 * 2**20  # dream's chunk of T: its table of starts at most this large
_DREAM_GROUP = 32  # the table's columns copied out together (32 x 8 bytes: whole cache lines of each row)


def starts_scanner(spec: "SamplerSpec", length: int, conditional: "np.ndarray | None" = None) -> Scanner | None:
    """A function T's -> (T, starts) for ``spec``'s schedules at L (T in the order given; starts valid until the
    next T), or None where the family is not computed here (the caller then builds each Schedule).

    ``conditional`` (d(0..L-1)) is needed by info-optimal (its schedules follow the curve)."""
    found = spec.family
    extra = list(spec.given_args)
    if found.needs_curve:
        if found.name != "info-optimal" or conditional is None:
            return None
        return _info_optimal_scanner(conditional)
    if not supported(found.name, extra, length):
        return None
    if found.name == "dream":
        g, e = _dream_eps(extra)
        if not e * length < 2**62 // max(length, 1):
            return None
        return lambda steps: _dream_starts(length, steps, g, e)
    kernel = _Kernel(found.name, extra, length)
    return lambda steps: ((T, kernel.starts(T)) for T in steps)


def _starts_into(kernel: Any, steps: int, out: "np.ndarray") -> "np.ndarray | None":
    """``kernel.starts(steps)`` computed with ``out`` (at least T + 1 int64) as its output buffer: the T + 1 starts
    are left in out[: T + 1] (a caller's flat array, so no copy of them follows), and returned."""
    saved = kernel.out
    kernel.out = out
    try:
        found = kernel.starts(steps)
    finally:
        kernel.out = saved
    if found is not None and found.ctypes.data != out.ctypes.data:  # a fallback built its own array
        out[: steps + 1] = found
        found = out[: steps + 1]
    return found


_LARGEST: dict[tuple, "np.ndarray"] = {}  # the last family's s_max per T (-2: not computed, -1: no schedule)


def largest_steps(spec: "SamplerSpec", length: int, steps: Sequence[int],
                  conditional: "np.ndarray | None" = None) -> "list[int | None] | None":
    """s_max of ``spec``'s T-step schedule at L for each T of ``steps`` (None: no such schedule), or None where
    :func:`starts_scanner` does not compute the family. Kept for the last family asked: a search by bound from a
    partial curve scans the same T again at ΣI's two ends, and s_max does not depend on ΣI."""
    import hashlib

    import numpy as np

    scanner = starts_scanner(spec, length, conditional)
    if scanner is None:
        return None
    curve = None if conditional is None else hashlib.sha256(np.ascontiguousarray(conditional).tobytes()).hexdigest()
    key = (spec.family.name, tuple(spec.given_args), length, curve)
    if key not in _LARGEST:
        _LARGEST.clear()
        _LARGEST[key] = np.full(length + 2, -2, dtype=np.int64)
    known = _LARGEST[key]
    wanted = [T for T in steps if 0 <= T <= length + 1 and known[T] == -2]
    sizes = np.empty(length, dtype=np.int64)
    for T, starts in scanner(wanted):
        known[T] = -1 if starts is None else int(np.subtract(starts[1:], starts[:-1], out=sizes[:T]).max())
    return [None if not 0 <= T <= length + 1 or known[T] < 0 else int(known[T]) for T in steps]


def family_kernel(head: str, extra: Sequence[str], length: int) -> "_Kernel":
    """The kernel of a fixed family (uniform, linear, cosine, cosine-mdlm, power; :func:`supported` at L):
    ``starts(T)`` (None unless 1 <= T <= L), valid until the next call."""
    return _Kernel(head, list(extra), length)


def info_optimal_kernel(d: "np.ndarray") -> "_InfoOptimal":
    """info-optimal's kernel for d(0..L-1): ``starts(T)`` (None unless 1 <= T <= L), valid until the next call."""
    return _InfoOptimal(d)


def _info_optimal_scanner(d: "np.ndarray") -> Scanner:
    kernel = _InfoOptimal(d)
    return lambda steps: ((T, kernel.starts(T)) for T in steps)


class _InfoOptimal:
    """:func:`boundcalc.estimate.info_optimal_boundaries` into buffers reused per T, the same floats step by step.

    Its quantile search ``searchsorted(F, levels) - 1`` becomes a guess from a table (the first index reaching each
    of L buckets of equal width in level space: O(1) per level) corrected to the exact index by comparisons:
    j with F[j] < level <= F[j + 1] (F non-decreasing up to F[L-1], and every level in (0, F[L-1]): the same index
    as the binary search; any level left unsettled after a few corrections gets the binary search itself).

    The passes per step are few (docs/theory.md §15, "info-optimal's starts"): the levels t·F(L)/T from a table of
    the products t·F(L) (one division a step), the guess cast to an index in the multiplication itself, the two
    values F[j], F[j + 1] gathered once for both the check and the interpolation (whose span F[j + 1] - F[j] is
    then positive: no mask), the rounding cast straight into the caller's starts. The passes that make the steps
    distinct (a running max and a running min) are skipped where the rounded quantiles already increase strictly
    from 0 to L: they change nothing there, and the sizes' minimum (the sizes are needed anyway) says so."""

    def __init__(self, d: "np.ndarray") -> None:
        import numpy as np

        from .estimate import info_optimal_cumulative

        self.d, self.length = d, int(d.size)
        self.cumulative = info_optimal_cumulative(d)
        L = self.length
        n = L + 1
        self.index = np.arange(n, dtype=np.int64)
        total = self.cumulative[-1]
        self.scaled = self.index * total  # fl(t·F(L)), t = 0..L: info_optimal_boundaries' products
        self.levels, self.low, self.high = np.empty(n), np.empty(n), np.empty(n)
        self.found, self.bucket, self.out, self.sizes = (np.empty(n, dtype=np.int64) for _ in range(4))
        self.up, self.down = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
        self.flags = np.empty(2 * n, dtype=bool)
        self.above = self.cumulative[1:]  # F[j + 1] at j (no index array j + 1)
        total = float(total)  # bucket b of the levels: [b F(L)/L, (b + 1) F(L)/L)
        self.bucket_scale = L / total if total > 0 else 0.0
        first_in = np.searchsorted(self.cumulative[:L], np.arange(n) * (total / max(L, 1)), side="left")
        # the guess for j = i - 1, i (the first index reaching the bucket) clipped to 1..L-1: j in 0..L-2, and one more
        # where the level is past F[i] (then i + 1 where F[i + 1] reaches the next bucket: at most one F in the bucket)
        first = np.clip(first_in, 1, max(L - 1, 1))
        self.first_below = (first - 1).astype(np.int64)
        self.first_value = self.cumulative[first]

    def starts_into(self, steps: int, out: "np.ndarray") -> "np.ndarray | None":
        """:meth:`starts` into ``out[: T + 1]`` (a caller's array: nothing to copy afterwards)."""
        return self.starts_sizes_into(steps, out, self.sizes)

    def starts(self, steps: int) -> "np.ndarray | None":
        return self.starts_sizes_into(steps, self.out, self.sizes)

    def starts_sizes_into(self, steps: int, out: "np.ndarray", sizes: "np.ndarray") -> "np.ndarray | None":
        """The T + 1 starts into out[: T + 1] (returned) and the T sizes (their differences) into sizes[: T]."""
        import numpy as np

        from .estimate import info_optimal_boundaries

        L, F, T = self.length, self.cumulative, steps
        if not 1 <= T <= L:
            return None
        w, size = out[: T + 1], sizes[:T]
        total = F[-1]
        # the uniform schedule (F(L) = 0), a level past F[L-1], or a first level that underflows to 0: the builder
        if total <= 0 or L < 2 or not total * (T - 1) / T < F[L - 1] or not total / T > 0:
            w[:] = info_optimal_boundaries(self.d, T, F)
            np.subtract(w[1:], w[:-1], out=size)
            return w
        n = T - 1
        levels = np.divide(self.scaled[1:T], T, out=self.levels[:n])  # fl(fl(t·F(L))/T), as the builder
        j, below, above = self._below(levels)  # searchsorted(F, levels) - 1, each in 0..L-2; F[j]; F[j + 1]
        np.subtract(above, below, out=above)  # the span F[j + 1] - F[j] > 0 (F[j] < level <= F[j + 1])
        np.subtract(levels, below, out=below)
        np.divide(below, above, out=below)
        np.add(below, j, out=below)
        np.rint(below, out=w[1:T], casting="unsafe")  # a whole float in 0..L: the cast is exact
        w[0], w[T] = 0, L
        np.subtract(w[1:], w[:-1], out=size)
        if T == 1 or size.min() >= 1:  # already strictly increasing from 0 to L: the passes below change nothing
            return w
        u = w[1:T]  # u_t = w_t - t: a running max from 0, capped at L - T; then a running min from the end
        u -= self.index[1:T]
        np.maximum(u, 0, out=u)
        _running_extreme(u, self.flags, largest=True)
        np.minimum(u, L - T, out=u)
        w[T] = L - T
        _running_extreme(w[1 : T + 1][::-1], self.flags, largest=False)
        u += self.index[1:T]
        w[T] = L
        np.subtract(w[1:], w[:-1], out=size)
        return w

    def _below(self, levels: "np.ndarray") -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
        """(j, F[j], F[j + 1]) with j = searchsorted(F, levels) - 1 (each level in (0, F[L-1]): j in 0..L-2), into
        buffers.

        The guess: the first i whose F[i] reaches the level's bucket (L buckets of equal width over [0, F(L)]),
        plus one where the level is past that F[i], minus one: exact wherever the bucket holds at most one value of
        F (on both curves of the benchmarks, every level at every T), else corrected by comparisons (F[j] < level
        <= F[j + 1], the check every level passes at the end) and, for any left unsettled after a few, the binary
        search itself. Every index stays in 0..L-2 (a level above F[j + 1] has j + 1 < L - 1, one at or
        below F[j] has j > 0), so the gathers need no bounds check (mode "clip" never clips here)."""
        import numpy as np

        F, n = self.cumulative, levels.size
        j, bucket = self.found[:n], self.bucket[:n]
        below, above = self.low[:n], self.high[:n]
        up, down = self.up[:n], self.down[:n]
        np.multiply(levels, self.bucket_scale, out=bucket, casting="unsafe")  # truncation: the floor of a value >= 0
        np.take(self.first_below, bucket, out=j, mode="clip")
        np.less(np.take(self.first_value, bucket, out=below, mode="clip"), levels, out=up)
        j += up
        for _ in range(4):
            np.take(F, j, out=below, mode="clip")
            np.take(self.above, j, out=above, mode="clip")
            np.less(above, levels, out=up)  # F[j + 1] < level: j too small
            np.greater_equal(below, levels, out=down)  # F[j] >= level: j too large
            if not (np.count_nonzero(up) or np.count_nonzero(down)):
                return j, below, above
            j += up
            j -= down
        wrong = np.flatnonzero((F[j] >= levels) | (self.above[j] < levels))
        j[wrong] = np.searchsorted(F, levels[wrong], side="left") - 1
        return j, np.take(F, j, out=below), np.take(self.above, j, out=above)


class _Kernel:
    """:func:`boundcalc.family_sizes.family_sizes` of one family at L, as step starts, into buffers reused per T."""

    def __init__(self, head: str, extra: list[str], length: int) -> None:
        import numpy as np

        self.head, self.length = head, length
        self.power = parse_rational(extra[0], "p") if head == "power" else None
        n = length + 1
        self.index = np.arange(n, dtype=np.int64)
        self.shifted = self.index + length  # k + L: the clamp's and the starts' shift, added in the same pass
        self.values, self.spare = np.empty(n), np.empty(n)
        self.counts, self.out = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        self.flags = np.empty(n, dtype=bool)
        side = math.isqrt(n) + 2  # the angle-addition grid of _trig: at most side x side values
        self.grid, self.grid_spare = np.empty(side * side), np.empty(side * side)

    def starts_into(self, steps: int, out: "np.ndarray") -> "np.ndarray | None":
        """:meth:`starts` into ``out[: T + 1]`` (a caller's array: nothing to copy afterwards)."""
        return _starts_into(self, steps, out)

    def starts(self, steps: int) -> "np.ndarray | None":
        import numpy as np

        L, w = self.length, self.out[: steps + 1]
        if not 1 <= steps <= L:
            return None
        if self.head == "uniform":  # q + 1 for the first r steps, then q: w_j = j q + min(j, r)
            q, r = divmod(L, steps)
            np.multiply(self.index[: steps + 1], q, out=w)
            w += np.minimum(self.index[: steps + 1], r, out=self.counts[: steps + 1])
            return w
        counts, shift = self._masked_counts(steps)
        # family_sizes._from_counts: N_k = min(max(count_k + k, T), N_{k-1}), N_0 = L; w_k = L - (N_k - k)
        n = self.counts[:steps]
        np.add(counts, (self.shifted if shift else self.index)[1:steps], out=n[1:])  # count_k (+ L) + k
        np.maximum(n[1:], steps, out=n[1:])
        n[0] = L
        _running_min(n, self.flags[:steps])
        np.subtract(self.shifted[:steps], n, out=w[:steps])
        w[steps] = L
        return w

    def _masked_counts(self, steps: int) -> "tuple[np.ndarray, bool]":
        """(c, shifted) with floor(L g(k/T)) = c_k + (L if shifted else 0), k = 1..T-1 (family_sizes._masked_counts,
        into a buffer; the shift by L of cosine-mdlm and power is left to the caller's next pass)."""
        import numpy as np

        L, T = self.length, steps
        k = self.index[1:T]
        out = self.out[1:T]  # the counts, then (after their use) the starts: a view of the same buffer
        if self.head == "linear":
            if L * T >= 2**62:
                out[:] = [(L * (T - j)) // T for j in range(1, T)]
                return out, False
            np.subtract(T, k, out=out)
            out *= L
            out //= T
            return out, False
        if self.head in ("cosine", "cosine-mdlm"):
            # the one rational value inside (Niven): cos(π/3) = sin(π/6) = 1/2, undecided at every T divisible by 3
            if self.head == "cosine":
                v = self._trig(T, "cos", L)
                return self._floor(v, out, lambda j: L // 2 if 3 * j == 2 * T else _floor_scaled_trig(
                    L, Fraction(j, 2 * T), "cos")), False
            v = self._trig(T, "sin", -L)
            return self._floor(v, out, lambda j: -((L + 1) // 2) if 6 * j == 2 * T else -_ceil_scaled_trig(
                L, Fraction(j, 2 * T), "sin")), True
        p = self.power
        assert p is not None  # supported() admits only these heads

        def exact(j: int) -> int:
            u = Fraction(j, T)
            if p.denominator <= 4 and p.denominator * L.bit_length() + p.numerator * T.bit_length() <= 2048:
                return -_ceil_rational_power(L, u, p)
            return -_power_ceiling_exact(L, u, p)

        v = self.values[: T - 1]
        np.divide(k, T, out=v)
        np.power(v, float(p), out=v)
        v *= -L
        return self._floor(v, out, exact), True

    def _trig(self, steps: int, kind: str, scale: int) -> "np.ndarray":
        """scale·cos or scale·sin of x_k = kπ/2T, k = 1..T-1 (a view of a buffer), each within 64·2^-53·|scale| of
        the true value (the guard of _floor is 2^-32 L, |scale| = L: the floors are the same).

        np.cos costs ~13 ns a value, the T scans' largest cost; here k = qB + r (B ~ sqrt T) and
        cos(a + b) = cos a cos b - sin a sin b, sin(a + b) = sin a cos b + cos a sin b from 2B evaluations of
        each: ~1 ns a value. Error: each angle (k·π)/2T carries <= 3 roundings (|x| <= π/2: < 5·2^-53), each
        cos and sin a few ulps more (< 9·2^-53 from the true value at the true angle, 1-Lipschitz), the coarse
        factor's product with the scale one rounding more (< 10·2^-53·|scale|), each product of two such factors
        within 20·2^-53·|scale|, the sum one rounding more: < 42·2^-53·|scale|. The scale rides on the small
        coarse table, not on the T - 1 values (one pass fewer), and the values are left in the table itself."""
        import numpy as np

        T, n = steps, steps - 1
        if n <= 64:  # too few values for the table to pay
            out = self.values[:n]
            np.multiply(self.index[1:T], np.pi, out=out)
            out /= 2 * T
            (np.cos if kind == "cos" else np.sin)(out, out=out)
            out *= scale
            return out
        side = math.isqrt(n) + 1  # k = qB + r, r < B = side, q < rows: k up to rows·B - 1 >= T - 1
        rows = n // side + 1
        fine = self.index[:side] * np.pi / (2 * T)  # r·π/2T
        coarse = self.index[:rows] * side * np.pi / (2 * T)  # qB·π/2T
        cos_f, sin_f, cos_c, sin_c = np.cos(fine), np.sin(fine), np.cos(coarse), np.sin(coarse)
        cos_c *= scale
        sin_c *= scale
        a = self.grid[: rows * side].reshape(rows, side)
        b = self.grid_spare[: rows * side].reshape(rows, side)
        if kind == "cos":
            np.multiply(cos_c[:, None], cos_f, out=a)  # broadcast: a contiguous inner loop (ufunc.outer is slower)
            np.multiply(sin_c[:, None], sin_f, out=b)
            np.subtract(a, b, out=a)
        else:
            np.multiply(sin_c[:, None], cos_f, out=a)
            np.multiply(cos_c[:, None], sin_f, out=b)
            np.add(a, b, out=a)
        return self.grid[1:T]

    def _floor(self, values: "np.ndarray", out: "np.ndarray", exact: Callable[[int], int]) -> "np.ndarray":
        """floor(values) into ``out`` (family_sizes._decided_floor; ``values`` is scratch): ``exact(k)`` where a
        value lies within 2^-32 L of an integer (the float cannot decide the floor there)."""
        import numpy as np

        guard = _GUARD * self.length
        high = self.spare[: values.size]
        np.add(values, guard, out=high)
        np.floor(high, out=high)
        values -= guard
        # floor(v - guard) != floor(v + guard) exactly when v - guard < floor(v + guard) (an integer n: floor(x) < n
        # iff x < n; and v - guard <= v + guard): one comparison instead of a floor and a comparison
        flags = self.flags[: values.size]
        np.less(values, high, out=flags)
        undecided = np.flatnonzero(flags)
        out[:] = high
        for i in undecided.tolist():
            out[i] = exact(i + 1)
        return out


def _running_min(n: "np.ndarray", rises: "np.ndarray") -> None:
    """np.minimum.accumulate(n) in place (~4 ns a value, no SIMD), run only up to n's last rise: after it n is
    non-increasing, so the running min there is min(n_i, the running min just before)."""
    _running_extreme(n, rises, largest=False)


def _running_extreme(n: "np.ndarray", flags: "np.ndarray", largest: bool) -> None:
    """np.minimum.accumulate(n) (``largest``: np.maximum.accumulate) in place, run only up to the last place where
    n moves against it (a rise for the min): after it n is monotone the other way, so the running extreme there is
    the extreme of n_i and the running extreme just before (a comparison and a flatnonzero: ~0.5 ns a value)."""
    import numpy as np

    if n.size < 2:
        return
    against = flags[: n.size - 1]
    (np.less if largest else np.greater)(n[1:], n[:-1], out=against)
    found = np.flatnonzero(against)
    if found.size == 0:
        return
    cut = int(found[-1]) + 1  # n[cut:] moves only with the extreme
    accumulate, pick = (np.maximum.accumulate, np.maximum) if largest else (np.minimum.accumulate, np.minimum)
    accumulate(n[: cut + 1], out=n[: cut + 1])
    pick(n[cut + 1 :], n[cut], out=n[cut + 1 :])


def _dream_starts(length: int, steps: Iterable[int], g: int, e: int) -> Iterator[tuple[int, "np.ndarray | None"]]:
    """(T, starts) of Schedule.dream's T-step schedules (family_sizes._dream_sizes' recurrence), T in the order
    given, computed a chunk of T at a time; None where a step would be empty or T > L."""
    import numpy as np

    wanted = list(steps)
    width = 4 if length < 2**31 else 8  # the table's integers
    position, size = 0, 64
    while position < len(wanted):  # chunks of doubling size (a scan may stop early), each table <= 64 MB
        while size > 1 and size * width * (max(wanted[position : position + size]) + 1) > _DREAM_TABLE_BYTES:
            size //= 2
        chunk = wanted[position : position + size]
        table, column, valid = _dream_table(length, chunk, g, e, np.int32 if width == 4 else np.int64)
        group = -1
        for T in chunk:
            if not valid[T]:
                yield T, None
                continue
            if column[T] // _DREAM_GROUP != group:  # the group's columns as rows (a column read alone misses cache)
                group = column[T] // _DREAM_GROUP
                block = table[:, group * _DREAM_GROUP : (group + 1) * _DREAM_GROUP]
                rows = np.empty((block.shape[1], block.shape[0]), dtype=np.int64)
                rows[:] = block.T
            yield T, rows[column[T] % _DREAM_GROUP, : T + 1]
        position += size
        size *= 2


def _dream_table(length: int, chunk: Sequence[int], g: int, e: int, kind: type) -> tuple[Any, dict, dict]:
    """(table, {T: column}, {T: valid}) for the T of ``chunk``: column i of the table holds the starts of the i-th
    T (one vector pass per step k over the T still running, written as a contiguous row of the table).

    In float64 where every m g and T e is below 2^52 (the floor of a float quotient of two such integers is the
    integer quotient: :func:`boundcalc.family_sizes.dream_levels`), else in int64."""
    import numpy as np

    ts = np.asarray(sorted(set(chunk)), dtype=np.int64)
    ts = ts[dream_has_schedule(length, ts, g, e)]  # the other T have an empty step: not computed
    valid = {T: False for T in chunk}
    if ts.size == 0:
        return None, {}, valid
    top = int(ts[-1])
    exact_float = length * g < 2**52 and (top + 1) * e < 2**52
    number = np.float64 if exact_float else np.int64
    starts: Any = np.empty((top + 1, ts.size), dtype=kind)
    masked = np.full(ts.size, length, dtype=number)
    denominator = ts.astype(number) * e  # T e - g k at k = 0
    spare = np.empty(ts.size, dtype=number)
    first = 0  # T sorted: the rows still running are ts[first:]
    for k in range(top):
        while ts[first] <= k:
            first += 1
        m, n = masked[first:], spare[first:]
        np.subtract(length, m, out=starts[k, first:], casting="unsafe")
        np.multiply(m, g, out=n)
        if exact_float:
            np.divide(n, denominator[first:], out=n)
            np.floor(n, out=n)
        else:
            np.floor_divide(n, denominator[first:], out=n)
        if ts[first] == k + 1:  # T sorted and distinct: only the first row running can be at its last step
            n[0] = m[0]  # the last step takes the rest
        np.subtract(m, n, out=m)
        np.subtract(denominator[first:], g, out=denominator[first:])
    column = {}
    for i, T in enumerate(ts.tolist()):
        starts[T, i] = length
        column[T] = i
        valid[T] = True
    return starts, column, valid
