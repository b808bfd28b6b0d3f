"""Every T's error from a curve at once: exact integer sums over the steps, vectorised over the rows (issue 22).

A sweep over T = 1..L asks, per schedule, for its error on the curve's linear and monotone-cubic profiles
(:meth:`boundcalc.truth.EntropyProfile.error`: the float64 differences d(w) - d(m), summed by ``math.fsum``,
i.e. correctly rounded) and for its interval over the monotone completions
(:func:`boundcalc.completion.error_interval`). Row by row that is O(L) float work per T. Here every row is
computed from its steps alone -- O(T) per row, vectorised over all rows -- and each value is the very float
the row-by-row code gives (docs/theory.md §15 derives why):

* d on a common binary grid: every d(m) >= 0 is an integer D(m) times 2^-G (G from the smallest ulp), split
  into limbs of B bits so that sums of s·limb over a row stay below 2^62 (int64, exact).
* The error is Σ_m fl(d(w_m) - d(m)). Inside a step (w, s) each difference is exact when 2 d(w+s-1) >= d(w)
  (Sterbenz) or when D(w) - D(w+s-1) < 2^53 (the difference fits a float's significand); d is non-increasing,
  so checking the step's last token checks them all. Then the terms sum exactly to
  Σ_t s_t d(w_t) - Σ_m d(m) (Σ_t s_t = L), an integer N on the grid, and ``N / 2^G`` (Python's correctly
  rounded integer division) is ``math.fsum``'s result bit for bit. A row with a step that fails the check is
  computed row by row (the caller's fallback): the check, never an assumption, decides.
* The interval's fixed part Σ_{m measured} fl(c_m d(m)) is the exact integer sum of the rounded products
  (c_m = s - 1 at a measured step start, -1 elsewhere; fl((s-1) d(w)) is on the grid); each gap's prefix
  sums of c reach their extremes at step starts and step ends, so max and min come from the first start in
  the gap, its size, the largest size starting in the gap and the end of the last step starting in it. The
  per-gap floats are then formed with the same IEEE operations as :func:`boundcalc.completion.completion_interval`
  and summed per row with ``math.fsum``.

tests/curve/test_sweep_vector.py compares every value with the row-by-row computation on random curves
and schedules (a second method).
"""

from __future__ import annotations

import math
from itertools import chain
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .curve import LossCurve
    from .schedule import Schedule

__all__ = ["ExactGrid", "RunRows", "CurveRows", "run_rows", "strided_run_sums", "schedule_errors", "completion_intervals"]

#: Rows per chunk are taken until their runs reach this many (bounds the flattened arrays' memory).
CHUNK_RUNS = 1_000_000
#: Limbs beyond this (d spanning more than ~280 binary orders of magnitude): the rows are computed one by one.
MAX_LIMBS = 6


class ExactGrid:
    """d(0..L-1) as exact integers D(m) = d(m)·2^G in limbs of ``bits`` bits (int64 arrays), or ``ok`` False
    when d is not finite, non-negative and non-increasing, has subnormal values, or spans too many limbs."""

    def __init__(self, d: "np.ndarray") -> None:
        import numpy as np

        self.d = d = np.asarray(d, dtype=np.float64)
        L = int(d.size)
        self.length, self.ok = L, False
        # s·limb summed over a row is at most L·2^bits (Σ s = L): below 2^62
        self.bits = bits = 62 - L.bit_length()
        if L == 0 or not np.all(np.isfinite(d)) or np.any(d < 0) or np.any(np.diff(d) > 0):
            return
        positive = d[d > 0]
        if positive.size and (positive.min() < 2.0**-900 or positive.max() > 2.0**500):
            return  # 2^G and the products stay far from overflow and from subnormals
        if positive.size == 0:
            self.grid, top = 0, 0
        else:
            _, exponents = np.frexp(positive)  # d = f·2^e, 1/2 <= f < 1: d·2^(53-e) is an integer
            self.grid = int((53 - exponents).max())
            top = int(exponents.max()) + self.grid  # D < 2^top
        limbs = split_limbs(d * 2.0**self.grid, top, bits)  # d·2^G exact: a power-of-two scaling
        if limbs is None:
            return
        self.limbs: "list[np.ndarray]" = limbs
        self.top, self.ok = top, True
        #: Σ_m D(m), exactly
        self.total = combine([int(limb.sum()) for limb in self.limbs], bits)
        #: D(m) mod 2^64 (uint64; only the limbs below bit 64 contribute): a row's Σ s·D mod 2^64, enough where
        #: its error's integer is known to lie below 2^64 (:attr:`modular_size`)
        self.low = np.zeros(L, dtype=np.uint64)
        for j, limb in enumerate(limbs):
            if bits * j < 64:
                self.low += limb.astype(np.uint64) << np.uint64(bits * j)  # wraps mod 2^64, as wanted
        #: the largest step size S with (S - 1)·D(0) < 2^64: a row whose steps are at most S has an error's
        #: integer N = Σ_t s_t D(w_t) - Σ_m D(m) in [0, 2^64) (N <= (S - 1)·D(0): docs/theory.md §15)
        first = combine([int(limb[0]) for limb in limbs], bits)
        self.modular_size = L if first == 0 else min(L, (2**64 - 1) // first + 1)

    def to_float(self, numerator: int) -> float:
        """numerator·2^-G, correctly rounded (as math.fsum rounds an exact sum)."""
        return numerator / (1 << self.grid)


def split_limbs(scaled: "np.ndarray", top: int, bits: int) -> "list[np.ndarray] | None":
    """Integer-valued floats (< 2^top) as int64 limbs of ``bits`` bits, lowest first (None: too many limbs).

    Each split is exact: x / 2^bits is a power-of-two scaling, its floor an integer, and x - floor·2^bits an
    integer below 2^bits (< 2^53), which IEEE subtraction returns exactly."""
    import numpy as np

    count = max(1, -(-top // bits))
    x = np.asarray(scaled, dtype=np.float64)
    if count > MAX_LIMBS or not np.all(np.floor(x) == x):  # integers only: a truncation would be silent
        return None
    out, unit = [], 2.0**bits
    for _ in range(count):
        high = np.floor(x / unit)
        out.append((x - high * unit).astype(np.int64))
        x = high
    if np.any(x != 0):  # cannot happen for x < 2^top; checked, not assumed
        return None
    return out


def combine(parts: Sequence[int], bits: int) -> int:
    """Σ_j parts[j]·2^(bits·j) as one Python integer."""
    total = 0
    for j, part in enumerate(parts):
        total += int(part) << (bits * j)
    return total


class RunRows:
    """The runs (size s, count c: c consecutive steps of s tokens) of some rows (schedules), flattened, row after
    row: ``size``, ``count``, ``pos`` (the run's first step start, within its row), ``row``; ``first[i]`` is the
    index of row i's first run. A uniform schedule is two runs whatever T is: a sweep works on runs, not steps."""

    def __init__(self, schedules: "Sequence[Schedule]") -> None:
        import numpy as np

        # every row's runs in one array, without a numpy call per row
        per_row = np.fromiter((len(s.runs) for s in schedules), dtype=np.int64, count=len(schedules))
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(s.runs for s in schedules)), dtype=np.int64,
                           count=2 * int(per_row.sum()))
        self.size, self.count = flat[0::2], flat[1::2]
        self.rows = len(schedules)
        self.first = np.concatenate(([0], np.cumsum(per_row)))
        self.row = np.repeat(np.arange(self.rows, dtype=np.int64), per_row)
        ends = np.cumsum(self.size * self.count)
        span = self.size * self.count
        before = ends[self.first[:-1]] - span[self.first[:-1]]  # tokens of the earlier rows
        self.pos = ends - span - np.repeat(before, per_row)
        self.steps = np.add.reduceat(self.count, self.first[:-1])


def run_rows(schedules: "Sequence[Schedule]") -> Iterator[tuple[int, RunRows]]:
    """(index of the first row, its chunk of :class:`RunRows`), chunks of about :data:`CHUNK_RUNS` runs."""
    begin, total = 0, 0
    for i, schedule in enumerate(schedules):
        total += len(schedule.runs)
        if total >= CHUNK_RUNS:
            yield begin, RunRows(schedules[begin : i + 1])
            begin, total = i + 1, 0
    if begin < len(schedules):
        yield begin, RunRows(schedules[begin:])


def strided_run_sums(runs: RunRows, length: int, arrays_of: "Callable[[int], list[np.ndarray]]"
                     ) -> "list[np.ndarray]":
    """For every run (s, c at p) and each array V of ``arrays_of(s)`` (int64 over the positions 0..L-1), the
    exact sum Σ_{i<c} V(p + i s): the values at the run's step starts.

    Runs of one size share the work: when they hold many steps, V's prefix sums along stride s (one pass over
    L) give each run's sum as a difference of two of them; otherwise their steps are listed and summed."""
    import numpy as np

    out: list[np.ndarray] = []
    order = np.argsort(runs.size, kind="stable")
    sizes = runs.size[order]
    cuts = np.flatnonzero(np.concatenate(([True], sizes[1:] != sizes[:-1], [True])))
    for a, b in zip(cuts[:-1], cuts[1:]):
        s, idx = int(sizes[a]), order[a:b]
        arrays = arrays_of(s)
        if not out:
            out = [np.zeros(runs.size.size, dtype=np.int64) for _ in arrays]
        pos, count = runs.pos[idx], runs.count[idx]
        if 4 * int(count.sum()) > length:  # dense: prefix sums along the stride
            last = pos + (count - 1) * s
            rows = -(-length // s)
            for k, v in enumerate(arrays):
                padded = np.zeros(rows * s, dtype=np.int64)
                padded[:length] = v
                prefix = padded.reshape(rows, s).cumsum(axis=0).ravel()
                out[k][idx] = prefix[last] - np.where(pos >= s, prefix[np.maximum(pos - s, 0)], 0)
        else:  # sparse: list the steps
            offsets = np.concatenate(([0], np.cumsum(count)[:-1]))
            step = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(offsets, count)
            starts = np.repeat(pos, count) + step * s
            for k, v in enumerate(arrays):
                out[k][idx] = np.add.reduceat(v[starts], offsets)
    return out


def _row_totals(values: "np.ndarray", runs: RunRows) -> "np.ndarray":
    """Per row, the sum over its runs (every row has a run: no empty segment)."""
    import numpy as np

    return np.add.reduceat(values, runs.first[:-1])


class _SizeArrays:
    """Per step size s, the arrays over the positions w the sums read (cached per size for one chunk): the
    grid's limbs (each multiplied by s at the run), and 1 where a step (w, s) has a difference d(w) - d(m) that
    float64 rounds (see the module), with, from a measured curve, the interval's fixed part at a measured start."""

    def __init__(self, grid: ExactGrid, measured: "np.ndarray | None") -> None:
        self.grid, self.measured = grid, measured
        self.product_limbs = 0

    def __call__(self, s: int) -> "list[np.ndarray]":
        import numpy as np

        grid, L = self.grid, self.grid.length
        d = grid.d
        high, low = d[: L - s + 1], d[s - 1 :]  # d(w), d(w + s - 1): the step's extremes (d non-increasing)
        exact = (2.0 * low >= high) | (high - low < 2.0 ** (52 - grid.grid))
        rounds = np.ones(L, dtype=np.int64)  # no step of size s starts beyond L - s
        rounds[: L - s + 1] = ~exact
        arrays = [rounds, *grid.limbs]
        if self.measured is not None:
            arrays += self._fixed(s)
        return arrays

    def _fixed(self, s: int) -> "list[np.ndarray]":
        """D(w) + fl((s-1) d(w))·2^G at a measured w, else 0, in limbs; a last array counts products off the grid."""
        import numpy as np

        grid = self.grid
        products = float(s - 1) * grid.d  # the same IEEE products as c * d in completion_interval
        # fl((s-1) d(w)) is on the grid: the exact product is, and rounding only drops low bits
        top = grid.top + grid.length.bit_length()  # (s - 1) d(w) < L·2^(top - G)
        limbs = split_limbs(products * 2.0**grid.grid, top, grid.bits)
        width = max(len(grid.limbs), -(-top // grid.bits))  # the same for every size
        off = np.zeros(grid.length, dtype=np.int64)
        if limbs is None:
            off[:] = 1
            limbs = []
        mask = self.measured.astype(np.int64)  # type: ignore[union-attr]
        out = []
        for j in range(width):
            v = grid.limbs[j] if j < len(grid.limbs) else 0
            v = v + (limbs[j] if j < len(limbs) else 0)
            out.append(np.asarray(v, dtype=np.int64) * mask)
        return [*out, off * mask]


def _chunk_errors(grid: ExactGrid, runs: RunRows, sums: "list[np.ndarray]") -> list[float | None]:
    """Per row of the chunk, the error on the grid's d (None where some step's differences round)."""
    rounds = _row_totals(sums[0], runs).tolist()
    columns = [_row_totals(runs.size * v, runs).tolist() for v in sums[1 : 1 + len(grid.limbs)]]
    return row_errors(grid, rounds, columns)


def row_errors(grid: ExactGrid, rounds: Sequence[Any], columns: "list[list[int]]") -> list[float | None]:
    """Per row, the error from its exact limb sums Σ s·d_limb (``columns[limb][row]``) less Σ d, as a float (None
    where ``rounds[row]``: some step's differences round); shared by the sums over runs and over steps."""
    out: list[float | None] = []
    for i, bad in enumerate(rounds):
        if bad:
            out.append(None)
            continue
        numerator = combine([column[i] for column in columns], grid.bits) - grid.total
        out.append(max(grid.to_float(numerator), 0.0))
    return out


class CurveRows:
    """What a sweep reads of each global fixed schedule from an entropy profile d (and, from a measured curve,
    its monotone cubic profile and its completions), for all rows at once: :meth:`compute`."""

    def __init__(self, linear: "np.ndarray", cubic: "np.ndarray | None" = None, curve: "LossCurve | None" = None,
                 vocab_size: int | None = None) -> None:
        import numpy as np

        self.grids = [ExactGrid(linear)] + ([ExactGrid(cubic)] if cubic is not None else [])
        self.curve, self.vocab_size = curve, vocab_size
        #: per grid, boundcalc.sweep_steps.exact_reach (made there, once, when rows come as step arrays)
        self.reaches: "list[Any] | None" = None
        #: per grid, boundcalc.sweep_steps.exact_screen of its reach (made with the reaches)
        self.screens: "list[int]" = []
        #: boundcalc.sweep_steps._paired_errors' packed high limbs and rooms (made there, once), or False
        self.packed: "Any" = None
        self.measured = None
        if curve is not None:
            L = curve.length
            self.measured = np.zeros(L, dtype=bool)
            self.measured[L - curve.masked] = True

    def compute(self, schedules: "Sequence[Schedule]", fallbacks: "Sequence[Callable[[Schedule], Any]]"
                ) -> list[list[Any]]:
        """[errors on d, (errors on the cubic d,) (intervals over the completions)] per schedule, the interval
        only when a curve was given; ``fallbacks[k](schedule)`` computes the k-th row by row where needed."""
        columns: list[list[Any]] = [[] for _ in fallbacks]
        for begin, runs in run_rows(schedules):
            found: list[list[Any]] = []
            for k, grid in enumerate(self.grids):
                if not grid.ok:
                    found.append([None] * runs.rows)
                    continue
                with_fixed = k == 0 and self.curve is not None
                sums = strided_run_sums(runs, grid.length, _SizeArrays(grid, self.measured if with_fixed else None))
                found.append(_chunk_errors(grid, runs, sums))
                if with_fixed:
                    interval = _chunk_intervals(self.curve, self.vocab_size, grid, runs,  # type: ignore[arg-type]
                                                sums[1 + len(grid.limbs) :])
            if self.curve is not None:
                found.append(interval if self.grids[0].ok else [None] * runs.rows)
            for k, values in enumerate(found):
                for i, value in enumerate(values):
                    columns[k].append(fallbacks[k](schedules[begin + i]) if value is None else value)
        return columns


def schedule_errors(d: "np.ndarray", schedules: "Sequence[Schedule]",
                    fallback: "Callable[[Schedule], float]") -> list[float]:
    """Each schedule's :meth:`~boundcalc.truth.EntropyProfile.error` on d (nats), bit for bit: exact integer
    sums where every step's differences are exact, ``fallback(schedule)`` (the row-by-row value) elsewhere."""
    return CurveRows(d).compute(schedules, [fallback])[0]


def completion_intervals(curve: "LossCurve", vocab_size: int | None, schedules: "Sequence[Schedule]",
                         fallback: "Callable[[Schedule], tuple[float, float]]") -> list[tuple[float, float]]:
    """Each schedule's :func:`boundcalc.completion.error_interval` (nats; no value to hold), bit for bit, with
    ``fallback(schedule)`` where the fixed part is not on the exact grid."""
    rows = CurveRows(curve.conditional("linear"), None, curve, vocab_size)
    return rows.compute(schedules, [lambda s: 0.0, fallback])[1]


def _chunk_intervals(curve: "LossCurve", vocab_size: int | None, grid: ExactGrid, runs: RunRows,
                     fixed_sums: "list[np.ndarray]") -> list[tuple[float, float] | None]:
    """Per row of the chunk, :func:`boundcalc.completion.error_interval` (None: a product of the row's fixed part
    is off the grid). ``fixed_sums``: per run, the limbs of Σ (D(w) + fl((s-1) d(w))·2^G) over its measured
    starts, then the count of products off the grid."""
    from .completion import _gaps

    columns = [_row_totals(v, runs).tolist() for v in fixed_sums]
    low_terms, high_terms = _gap_terms(runs, _gaps(curve, vocab_size), curve.length)
    return _assemble_intervals(curve, grid, columns, low_terms, high_terms, runs.steps)


def _assemble_intervals(curve: "LossCurve", grid: ExactGrid, columns: "list[list[int]]", low_terms: "np.ndarray",
                        high_terms: "np.ndarray", steps: "np.ndarray") -> list[tuple[float, float] | None]:
    """Each row's interval from its fixed part's limbs (``columns``, the last one: products off the grid) and its
    gaps' low and high terms, summed as completion_interval sums them (math.fsum)."""
    import numpy as np

    L, d = curve.length, grid.d
    measured = np.zeros(L, dtype=bool)
    measured[L - curve.masked] = True
    measured_total = combine([int(limb[measured].sum()) for limb in grid.limbs], grid.bits)
    # error_interval's rounding: 8 ε Σ|c| d(0), Σ|c| = 2 Σ_t (s_t - 1) = 2 (L - T)
    rounding = (8 * 2.0**-53 * (2.0 * (L - steps)) * float(d[0])).tolist()
    lows, highs = low_terms.tolist(), high_terms.tolist()
    out: list[tuple[float, float] | None] = []
    for i in range(len(rounding)):
        if columns[-1][i]:
            out.append(None)
            continue
        # Σ_{m measured} fl(c_m d(m)): c_m = -1 off the starts (fl(-d) = -d), s - 1 at a start
        part = grid.to_float(combine([c[i] for c in columns[:-1]], grid.bits) - measured_total)
        lo = math.fsum([part, *lows[i]])
        hi = max(math.fsum([part, *highs[i]]), lo)
        out.append((0.0 if lo <= rounding[i] else lo, hi))
    return out


def _gap_terms(runs: RunRows, gaps: "list[tuple[int, float, int, float]]", length: int
               ) -> "tuple[np.ndarray, np.ndarray]":
    """Per row and gap (m_a, A, m_b, B) with interior [a, b) = [m_a + 1, m_b): completion_interval's low and high
    terms B·Σc + (A - B)·min(0, min C) and B·Σc + (A - B)·max(0, max C), C the prefix sums of c on [a, b).

    With f the first step start >= a: Σc = (end of the last step starting before b) - f - (b - a) when f < b,
    else -(b - a); min C = a - min(f, b) (reached at a step end, or at b - 1); max C = (largest step starting
    in [a, b)) - 1 - (f - a), or below 0 when no step starts there. Steps are found in runs: the run holding
    a position x starts steps at p + i s, i < c."""
    import numpy as np

    rows = runs.rows
    lows = np.zeros((rows, len(gaps)))
    highs = np.zeros((rows, len(gaps)))
    if not gaps:
        return lows, highs
    key = runs.row * (length + 1) + runs.pos  # increasing over the flattened runs
    base_key = np.arange(rows, dtype=np.int64) * (length + 1)
    padded = np.concatenate((runs.size, [0]))
    end_of_run = runs.pos + runs.size * runs.count
    for g, (ma, A, mb, B) in enumerate(gaps):
        a, b = ma + 1, mb
        r = np.searchsorted(key, base_key + a, side="right") - 1  # the run holding position a
        f = runs.pos[r] + -(-(a - runs.pos[r]) // runs.size[r]) * runs.size[r]  # first start >= a (L: none)
        r_f = np.where(f < end_of_run[r], r, r + 1)  # the run of that start
        r_b = np.searchsorted(key, base_key + b - 1, side="right") - 1  # the run holding b - 1
        last = runs.pos[r_b] + (b - 1 - runs.pos[r_b]) // runs.size[r_b] * runs.size[r_b]  # last start < b
        some = f < b
        sigma = np.where(some, last + runs.size[r_b] - f - (b - a), -(b - a)).astype(np.float64)
        pairs = np.stack((np.where(some, r_f, r_b), r_b + 1), axis=1).ravel()
        largest = np.maximum.reduceat(padded, pairs)[::2]
        high_c = np.where(some, np.maximum(largest - 1 - (f - a), 0), 0).astype(np.float64)
        low_c = (a - np.minimum(f, b)).astype(np.float64)
        lows[:, g], highs[:, g] = _gap_floats(A, B, sigma, low_c, high_c)
    return lows, highs


def _gap_floats(A: float, B: float, sigma: "np.ndarray", low_c: "np.ndarray", high_c: "np.ndarray"
                ) -> "tuple[np.ndarray, np.ndarray]":
    """A gap's low and high terms from Σc, min C and max C (floats): completion_interval's IEEE operations."""
    import numpy as np

    base = B * sigma
    with np.errstate(invalid="ignore", over="ignore"):
        spread = A - B
        span_high = np.where((high_c == 0) | (A == B), 0.0, spread * high_c)
        span_low = np.where((low_c == 0) | (A == B), 0.0, spread * low_c)
    return base + span_low, base + span_high
