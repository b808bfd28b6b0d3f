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

__all__ = ["ExactGrid", "StepRows", "CurveRows", "step_rows", "schedule_errors", "completion_intervals"]

#: Rows per chunk are taken until their steps reach this many (bounds the flattened arrays' memory).
CHUNK_STEPS = 2_000_000
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
        if positive.size and positive.min() < 2.0**-1000:  # near-subnormal: keep the products far from them
            return
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


class StepRows:
    """The steps of some rows (schedules) flattened: ``starts`` and ``sizes`` of every step, row after row;
    ``first[i]`` is the index of row i's first step (``first[-1]`` the number of steps)."""

    def __init__(self, schedules: "Sequence[Schedule]") -> None:
        import numpy as np

        # every row's runs (size, count) in one array, without a numpy call per row
        runs_per_row = np.fromiter((len(s.runs) for s in schedules), dtype=np.int64, count=len(schedules))
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(s.runs for s in schedules)), dtype=np.int64,
                           count=2 * int(runs_per_row.sum()))
        run_sizes, run_counts = flat[0::2], flat[1::2]
        counts = np.add.reduceat(run_counts, np.concatenate(([0], np.cumsum(runs_per_row)[:-1])))
        self.first = np.concatenate(([0], np.cumsum(counts)))
        self.sizes = np.repeat(run_sizes, run_counts)
        ends = np.cumsum(self.sizes)
        # each row starts at 0: subtract the running total before the row's first step
        before = ends[self.first[:-1]] - self.sizes[self.first[:-1]]
        self.starts = ends - self.sizes - np.repeat(before, counts)
        self.rows = len(schedules)
        self.row_of = np.repeat(np.arange(self.rows, dtype=np.int64), counts)


def step_rows(schedules: "Sequence[Schedule]") -> Iterator[tuple[int, StepRows]]:
    """(index of the first row, its chunk of :class:`StepRows`), chunks of about :data:`CHUNK_STEPS` steps."""
    begin, total = 0, 0
    for i, schedule in enumerate(schedules):
        total += schedule.steps
        if total >= CHUNK_STEPS:
            yield begin, StepRows(schedules[begin : i + 1])
            begin, total = i + 1, 0
    if begin < len(schedules):
        yield begin, StepRows(schedules[begin:])


def _row_sums(values: "list[np.ndarray]", chunk: StepRows) -> "list[np.ndarray]":
    """Per row, the sum of each limb array over the row's steps (every row has a step: no empty segment)."""
    import numpy as np

    return [np.add.reduceat(v, chunk.first[:-1]) for v in values]


def _exact_steps(grid: ExactGrid, chunk: StepRows) -> "np.ndarray":
    """Per row: True when every difference d(w) - d(m) of every step is exact in float64 (see the module)."""
    import numpy as np

    d = grid.d
    high, low = d[chunk.starts], d[chunk.starts + chunk.sizes - 1]  # d non-increasing: the step's extremes
    exact = (2.0 * low >= high) | (high - low < 2.0 ** (52 - grid.grid))
    return np.logical_and.reduceat(exact, chunk.first[:-1])


def _chunk_errors(grid: ExactGrid, chunk: StepRows) -> list[float | None]:
    """Per row of the chunk, the error on the grid's d (None where some step's differences are not exact)."""
    exact = _exact_steps(grid, chunk)
    sums = _row_sums([chunk.sizes * limb[chunk.starts] for limb in grid.limbs], chunk)
    columns = [s.tolist() for s in sums]
    out: list[float | None] = []
    for i, ok in enumerate(exact.tolist()):
        numerator = combine([column[i] for column in columns], grid.bits) - grid.total
        out.append(max(grid.to_float(numerator), 0.0) if ok else None)
    return out


class CurveRows:
    """What a sweep reads of each global fixed schedule from an entropy profile d (and, from a measured curve,
    its monotone cubic profile and its completions), for all rows at once: :meth:`compute`."""

    def __init__(self, linear: "np.ndarray", cubic: "np.ndarray | None" = None, curve: "LossCurve | None" = None,
                 vocab_size: int | None = None) -> None:
        self.grids = [ExactGrid(linear)] + ([ExactGrid(cubic)] if cubic is not None else [])
        self.curve, self.vocab_size = curve, vocab_size

    def compute(self, schedules: "Sequence[Schedule]", fallbacks: "Sequence[Callable[[Schedule], Any]]"
                ) -> list[list[Any]]:
        """[errors on d, (errors on the cubic d,) (intervals over the completions)] per schedule, the interval
        only when a curve was given; ``fallbacks[k](schedule)`` computes the k-th row by row where needed."""
        columns: list[list[Any]] = [[] for _ in fallbacks]
        for begin, chunk in step_rows(schedules):
            found: list[list[Any]] = [_chunk_errors(grid, chunk) if grid.ok else [None] * chunk.rows
                                      for grid in self.grids]
            if self.curve is not None:
                found.append(_chunk_intervals(self.curve, self.vocab_size, self.grids[0], chunk))
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


def _chunk_intervals(curve: "LossCurve", vocab_size: int | None, grid: ExactGrid, chunk: StepRows
                     ) -> list[tuple[float, float] | None]:
    """Per row of the chunk, :func:`boundcalc.completion.error_interval` (None: the row's fixed part is off the
    grid, or the grid failed)."""
    import numpy as np

    from .completion import _gaps

    if not grid.ok:
        return [None] * chunk.rows
    L, d = curve.length, grid.d
    measured = np.zeros(L, dtype=bool)
    measured[L - curve.masked] = True
    measured_total = combine([int(limb[measured].sum()) for limb in grid.limbs], grid.bits)
    fixed = _fixed_parts(grid, chunk, measured, measured_total)
    low_terms, high_terms = _gap_terms(chunk, _gaps(curve, vocab_size), L)
    # error_interval's rounding: 8 ε Σ|c| d(0), Σ|c| = 2 Σ_t (s_t - 1) = 2 (L - T)
    steps = np.diff(chunk.first)
    rounding = (8 * 2.0**-53 * (2.0 * (L - steps)) * float(d[0])).tolist()
    lows, highs = low_terms.tolist(), high_terms.tolist()
    out: list[tuple[float, float] | None] = []
    for i, part in enumerate(fixed):
        if part is None:
            out.append(None)
            continue
        lo = math.fsum([part, *lows[i]])
        hi = max(math.fsum([part, *highs[i]]), lo)
        out.append((0.0 if lo <= rounding[i] else lo, hi))
    return out


def _fixed_parts(grid: ExactGrid, chunk: StepRows, measured: "np.ndarray", measured_total: int) -> list[float | None]:
    """Per row, Σ_{m measured} fl(c_m d(m)) correctly rounded (completion_interval's ``fixed``), or None when a
    product is off the grid's limbs. c_m = -1 off the step starts (fl(-d) = -d), s - 1 at a start: the sum is
    Σ_{measured starts} (D(w) + fl((s-1) d(w))·2^G) - Σ_{measured} D(m)."""
    import numpy as np

    at = measured[chunk.starts]
    starts, sizes, rows = chunk.starts[at], chunk.sizes[at], chunk.row_of[at]
    products = (sizes - 1).astype(np.float64) * grid.d[starts]  # the same IEEE products as c * d
    # fl((s-1) d(w)) is on the grid: the exact product is, and rounding only drops low bits
    scaled = products * 2.0**grid.grid
    product_limbs = split_limbs(scaled, grid.top + grid.length.bit_length(), grid.bits)
    if product_limbs is None:
        return [None] * chunk.rows
    width = max(len(product_limbs), len(grid.limbs))
    values = []
    for j in range(width):
        v = grid.limbs[j][starts] if j < len(grid.limbs) else np.zeros(starts.size, dtype=np.int64)
        values.append(v + (product_limbs[j] if j < len(product_limbs) else 0))
    sums = [np.zeros(chunk.rows, dtype=np.int64) for _ in range(width)]
    if rows.size:
        cuts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        for j in range(width):
            sums[j][rows[cuts]] = np.add.reduceat(values[j], cuts)
    columns = [s.tolist() for s in sums]
    return [grid.to_float(combine([c[i] for c in columns], grid.bits) - measured_total) for i in range(chunk.rows)]


def _gap_terms(chunk: StepRows, gaps: "list[tuple[int, float, int, float]]", length: int
               ) -> "tuple[np.ndarray, np.ndarray]":
    """Per row and gap (m_a, A, m_b, B) with interior [a, b) = [m_a + 1, m_b): completion_interval's low and high
    terms B·Σc + (A - B)·min(0, min C) and B·Σc + (A - B)·max(0, max C), C the prefix sums of c on [a, b).

    With f the first step start >= a: Σc = (end of the last step starting before b) - f - (b - a) when f < b,
    else -(b - a); min C = a - min(f, b) (reached at a step end, or at b - 1); max C = (largest step starting
    in [a, b)) - 1 - (f - a), or below 0 when no step starts there."""
    import numpy as np

    rows = chunk.rows
    lows = np.zeros((rows, len(gaps)))
    highs = np.zeros((rows, len(gaps)))
    if not gaps:
        return lows, highs
    key = chunk.row_of * (length + 1) + chunk.starts  # increasing over the flattened steps
    base_key = np.arange(rows, dtype=np.int64) * (length + 1)
    row_end = chunk.first[1:]
    padded = np.concatenate((chunk.sizes, [0]))
    for g, (ma, A, mb, B) in enumerate(gaps):
        a, b = ma + 1, mb
        at_f = np.searchsorted(key, base_key + a, side="left")
        inside = at_f < row_end
        f = np.where(inside, chunk.starts[np.minimum(at_f, key.size - 1)], length)
        last = np.searchsorted(key, base_key + b, side="left") - 1  # the last start < b (w = 0 always starts)
        some = f < b
        end_last = chunk.starts[last] + chunk.sizes[last]
        sigma = np.where(some, end_last - f - (b - a), -(b - a)).astype(np.float64)
        pairs = np.stack((np.where(some, at_f, last), last + 1), axis=1).ravel()
        largest = np.maximum.reduceat(padded, pairs)[::2]
        high_c = np.where(some, np.maximum(largest - 1 - (f - a), 0), 0).astype(np.float64)
        low_c = (a - np.minimum(f, b)).astype(np.float64)
        base = B * sigma
        with np.errstate(invalid="ignore", over="ignore"):
            spread = A - B
            span_high = np.where((high_c == 0) | (A == B), 0.0, spread * high_c)
            span_low = np.where((low_c == 0) | (A == B), 0.0, spread * low_c)
        highs[:, g] = base + span_high
        lows[:, g] = base + span_low
    return lows, highs
