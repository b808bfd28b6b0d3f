"""Every T's error from a curve, step by step over flat arrays: the rows of a :class:`~boundcalc.schedule_arrays.StepChunk`.

:mod:`boundcalc.sweep_vector` sums a sweep's rows over their runs; the curve families' schedules (linear,
cosine, cosine-mdlm, power) have about as many runs as steps, and come as flat step arrays
(:mod:`boundcalc.schedule_arrays`), so here the same exact sums are taken over the steps themselves, with
the same checks, giving the same floats (docs/theory.md §15):

* the error's sum Σ_t s_t D(w_t) per row, limb by limb (int64, exact), from a gather of D at the step starts;
* a step (w, s) whose differences d(w) - d(m) might round is found with ``reach[w]``, the last m for which the
  module's test (2 d(m) >= d(w), or d(w) - d(m) below the grid's 2^53) holds: that test is monotone in m (d is
  non-increasing, IEEE subtraction is monotone), so the step passes exactly when w + s - 1 <= reach[w],
  and ``reach`` is a binary search per w, O(L log L) once;
* the interval's fixed part from the steps starting at measured m, and each gap's Σc, min C and max C from
  the first and last step starting in the gap's interior and the largest size starting there (one segmented
  pass over the steps, in (row, gap) order).

A row that fails a check is None here: the caller computes it row by row (its fallback), as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from .sweep_vector import CurveRows, ExactGrid, _assemble_intervals, _gap_floats, combine, split_limbs

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .curve import LossCurve
    from .schedule import Schedule
    from .schedule_arrays import StepChunk

__all__ = ["exact_reach", "chunk_errors", "chunk_intervals", "chunk_columns"]


def exact_reach(grid: ExactGrid) -> "np.ndarray":
    """reach[w] = the largest m >= w with (2 d(m) >= d(w)) or (d(w) - d(m) < 2^(52-G)) in float64 (the test of
    sweep_vector._SizeArrays for a step from w to m); the test holds at m = w and is monotone in m."""
    import numpy as np

    d, L = grid.d, grid.length
    limit = 2.0 ** (52 - grid.grid)
    w = np.arange(L, dtype=np.int64)
    lo, hi = w.copy(), np.full(L, L - 1, dtype=np.int64)
    high = d[w]
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi + 1) // 2
        low = d[mid]
        ok = (2.0 * low >= high) | (high - low < limit)
        lo = np.where(open_ & ok, mid, lo)
        hi = np.where(open_ & ~ok, mid - 1, hi)


def chunk_errors(grid: ExactGrid, reach: "np.ndarray", chunk: "StepChunk") -> "list[float | None]":
    """Per row of ``chunk``, the error on the grid's d (nats), as sweep_vector._chunk_errors (None where some
    step's differences round)."""
    import numpy as np

    pos, size, starts = chunk.pos, chunk.size, chunk.first[:-1]
    bad = np.logical_or.reduceat(pos + size - 1 > reach[pos], starts).tolist()
    columns = [np.add.reduceat(size * limb[pos], starts).tolist() for limb in grid.limbs]
    out: list[float | None] = []
    for i, rounds in enumerate(bad):
        if rounds:
            out.append(None)
            continue
        numerator = combine([column[i] for column in columns], grid.bits) - grid.total
        out.append(max(grid.to_float(numerator), 0.0))
    return out


def chunk_intervals(curve: "LossCurve", vocab_size: int | None, grid: ExactGrid, chunk: "StepChunk"
                    ) -> "list[tuple[float, float] | None]":
    """Per row of ``chunk``, :func:`boundcalc.completion.error_interval` (nats), as
    sweep_vector._chunk_intervals (None: some product of the fixed part is off the grid)."""
    from .completion import _gaps

    columns = _fixed_columns(curve, grid, chunk)
    low_terms, high_terms = _step_gap_terms(chunk, _gaps(curve, vocab_size))
    return _assemble_intervals(curve, grid, columns, low_terms, high_terms, chunk.steps)


def _fixed_columns(curve: "LossCurve", grid: ExactGrid, chunk: "StepChunk") -> "list[list[int]]":
    """Per row, the limbs of Σ (D(w) + fl((s-1) d(w))·2^G) over its steps starting at a measured w, then 1
    where such a product is off the grid (sweep_vector._SizeArrays._fixed, summed per row)."""
    import numpy as np

    L = curve.length
    measured = np.zeros(L, dtype=bool)
    measured[L - curve.masked] = True
    pos, size = chunk.pos, chunk.size
    chosen = np.flatnonzero(measured[pos])
    w, s, row = pos[chosen], size[chosen], chunk.row[chosen]
    products = (s - 1).astype(np.float64) * grid.d[w]  # the IEEE products c·d of completion_interval
    top = grid.top + L.bit_length()
    width = max(len(grid.limbs), -(-top // grid.bits))
    limbs = split_limbs(products * 2.0**grid.grid, top, grid.bits)
    off = np.zeros(chunk.rows, dtype=np.int64)
    if limbs is None:
        off[row] = 1
        limbs = []
    out = []
    for j in range(width):
        v = np.zeros(w.size, dtype=np.int64)
        if j < len(grid.limbs):
            v += grid.limbs[j][w]
        if j < len(limbs):
            v += limbs[j]
        total = np.zeros(chunk.rows, dtype=np.int64)
        np.add.at(total, row, v)
        out.append(total.tolist())
    return [*out, off.tolist()]


def _step_gap_terms(chunk: "StepChunk", gaps: "list[tuple[int, float, int, float]]"
                    ) -> "tuple[np.ndarray, np.ndarray]":
    """sweep_vector._gap_terms from the steps: per (row, gap), the first start f and the last start in the gap's
    interior [a, b), that step's end, and the largest size starting there (when some step starts there: then
    Σc = end - f - (b - a), min C = a - f, max C = largest - 1 - (f - a); else Σc = -(b - a), min C = a - b)."""
    import numpy as np

    rows, count = chunk.rows, len(gaps)
    lows, highs = np.zeros((rows, count)), np.zeros((rows, count))
    if not gaps:
        return lows, highs
    L = chunk.length
    gap_of = np.full(L, -1, dtype=np.int64)
    for g, (ma, _, mb, _) in enumerate(gaps):
        gap_of[ma + 1 : mb] = g
    pos, size = chunk.pos, chunk.size
    inside = np.flatnonzero(gap_of[pos] >= 0)
    key = chunk.row[inside] * count + gap_of[pos[inside]]  # non-decreasing: rows in order, starts increasing
    heads = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if key.size else key
    tails = np.append(heads[1:], key.size) - 1
    some = np.zeros((rows, count), dtype=bool)
    first = np.zeros((rows, count), dtype=np.int64)
    end = np.zeros((rows, count), dtype=np.int64)
    largest = np.zeros((rows, count), dtype=np.int64)
    if key.size:
        r, g = np.divmod(key[heads], count)
        some[r, g] = True
        first[r, g] = pos[inside[heads]]
        end[r, g] = pos[inside[tails]] + size[inside[tails]]
        largest[r, g] = np.maximum.reduceat(size[inside], heads)
    for g, (ma, A, mb, B) in enumerate(gaps):
        a, b = ma + 1, mb
        has, f = some[:, g], first[:, g]
        sigma = np.where(has, end[:, g] - f - (b - a), -(b - a)).astype(np.float64)
        high_c = np.where(has, np.maximum(largest[:, g] - 1 - (f - a), 0), 0).astype(np.float64)
        low_c = (a - np.where(has, f, b)).astype(np.float64)
        lows[:, g], highs[:, g] = _gap_floats(A, B, sigma, low_c, high_c)
    return lows, highs


def chunk_columns(rows: CurveRows, chunk: "StepChunk", schedules: "Sequence[Schedule]",
                  fallbacks: "Sequence[Callable[[Schedule], Any]]") -> "list[list[Any]]":
    """As :meth:`CurveRows.compute <boundcalc.sweep_vector.CurveRows.compute>`, for the rows of ``chunk``
    (``schedules[i]``: its row i): [errors on d, (on the cubic d,) (intervals)], ``fallbacks[k](schedule)``
    where a row's check fails."""
    if rows.reaches is None:  # once per curve
        rows.reaches = [exact_reach(grid) if grid.ok else None for grid in rows.grids]
    found: list[list[Any]] = []
    for grid, reach in zip(rows.grids, rows.reaches):
        found.append(chunk_errors(grid, reach, chunk) if grid.ok else [None] * chunk.rows)
    if rows.curve is not None:
        grid = rows.grids[0]
        found.append(chunk_intervals(rows.curve, rows.vocab_size, grid, chunk) if grid.ok else [None] * chunk.rows)
    return [[fallbacks[k](schedules[i]) if value is None else value for i, value in enumerate(values)]
            for k, values in enumerate(found)]
