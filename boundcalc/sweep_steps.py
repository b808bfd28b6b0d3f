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

from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from .sweep_vector import CurveRows, ExactGrid, _assemble_intervals, _gap_floats, row_errors, split_limbs

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .curve import LossCurve
    from .schedule import Schedule
    from .schedule_arrays import StepChunk

__all__ = ["exact_reach", "exact_screen", "chunk_errors", "modular_errors", "chunk_intervals", "chunk_columns", "chunk_stderrs", "run_chunks"]


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


def exact_screen(reach: "np.ndarray") -> int:
    """The least room reach[w] + 1 - w over the starts w whose reach stops before L - 1 (L when none does): a step
    (w, s) fails its test only when s > reach[w] + 1 - w, and s <= L - w, so a row whose steps are all at most
    this size has no failing step (no per-step check needed)."""
    import numpy as np

    L = reach.size
    short = np.flatnonzero(reach < L - 1)
    return int((reach[short] + 1 - short).min()) if short.size else L


def chunk_errors(grid: ExactGrid, reach: "np.ndarray", chunk: "StepChunk", screen: int = 0) -> "list[float | None]":
    """Per row of ``chunk``, the error on the grid's d (nats), as sweep_vector._chunk_errors (None where some
    step's differences round); ``screen``: :func:`exact_screen` of ``reach`` (0: every step is checked).

    Where every row's steps are at most the grid's ``modular_size``, each row's integer N lies in [0, 2^64), so
    its sum is taken modulo 2^64 (uint64 arithmetic wraps exactly so): one gather of D mod 2^64 instead of one per
    limb (docs/theory.md §15)."""
    import numpy as np

    pos, size, starts = chunk.pos, chunk.size, chunk.first[:-1]
    largest = int(chunk.max_size.max())
    if largest <= screen:  # no step can fail its test
        bad = [False] * chunk.rows
    else:
        room = reach + 1 - np.arange(reach.size, dtype=np.int64)  # a step (w, s) passes when w + s - 1 <= reach[w]
        failing = np.flatnonzero(size > np.take(room, pos))  # few: the steps whose differences might round
        flags = np.zeros(chunk.rows, dtype=bool)
        flags[np.searchsorted(starts, failing, side="right") - 1] = True
        bad = flags.tolist()
    if largest <= grid.modular_size:
        unsigned = size.view(np.uint64) if size.dtype == np.int64 else size.astype(np.uint64)
        sums = np.add.reduceat(np.take(grid.low, pos) * unsigned, starts).tolist()
        return modular_errors(grid, bad, sums)
    columns = [np.add.reduceat(size * np.take(limb, pos), starts).tolist() for limb in grid.limbs]
    return row_errors(grid, bad, columns)


def modular_errors(grid: ExactGrid, rounds: "list[bool]", sums: "list[int]") -> "list[float | None]":
    """As :func:`boundcalc.sweep_vector.row_errors`, from each row's Σ s·D mod 2^64 (``sums``) where its N is known
    to lie in [0, 2^64): N = (sum - Σ_m D(m)) mod 2^64 exactly."""
    total, scale, mask = grid.total, 1 << grid.grid, (1 << 64) - 1
    return [None if bad else ((value - total) & mask) / scale for bad, value in zip(rounds, sums)]


def chunk_intervals(curve: "LossCurve", vocab_size: int | None, grid: ExactGrid, chunk: "StepChunk"
                    ) -> "list[tuple[float, float] | None]":
    """Per row of ``chunk``, :func:`boundcalc.completion.error_interval` (nats), as
    sweep_vector._chunk_intervals (None: some product of the fixed part is off the grid)."""
    import numpy as np

    from .completion import _gaps

    gaps = _gaps(curve, vocab_size)
    measured = np.unique(curve.length - curve.masked).astype(np.int64)  # ascending (distinct: a set, as a mask)
    ends = np.array([[ma + 1, mb] for ma, _, mb, _ in gaps], dtype=np.int64).reshape(-1)  # a_0, b_0, a_1, ...
    cuts = _row_cuts(chunk, np.concatenate((ends, measured)))
    columns = _fixed_columns(curve, grid, chunk, measured, cuts[:, ends.size :])
    low_terms, high_terms = _step_gap_terms(chunk, gaps, cuts[:, : ends.size])
    return _assemble_intervals(curve, grid, columns, low_terms, high_terms, chunk.steps)


def _row_cuts(chunk: "StepChunk", values: "np.ndarray") -> "np.ndarray":
    """rows x values: per row, the index (in the chunk) of its first step starting at or after each value (the
    row's end when none does). A row's starts increase: one binary search per row for all values."""
    import numpy as np

    pos, bounds = chunk.pos, chunk.first.tolist()
    cuts = np.empty((chunk.rows, values.size), dtype=np.int64)
    for r in range(chunk.rows):
        begin = bounds[r]
        cuts[r] = np.searchsorted(pos[begin : bounds[r + 1]], values) + begin
    return cuts


def _fixed_columns(curve: "LossCurve", grid: ExactGrid, chunk: "StepChunk", measured: "np.ndarray",
                   cuts: "np.ndarray") -> "list[list[int]]":
    """Per row, the limbs of Σ (D(w) + fl((s-1) d(w))·2^G) over its steps starting at a measured w, then 1
    where such a product is off the grid (sweep_vector._SizeArrays._fixed, summed per row). ``measured``: the
    measured positions, ascending; ``cuts``: :func:`_row_cuts` of them (a step starts at m where the first
    start at or after m is m itself)."""
    import numpy as np

    L = curve.length
    pos, size = chunk.pos, chunk.size
    inside = cuts < chunk.first[1:, None]
    hit = inside & (pos[np.where(inside, cuts, 0)] == measured[None, :])
    row = np.nonzero(hit)[0]
    chosen = cuts[hit]
    w, s = pos[chosen], size[chosen]
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


def _step_gap_terms(chunk: "StepChunk", gaps: "list[tuple[int, float, int, float]]", cuts: "np.ndarray"
                    ) -> "tuple[np.ndarray, np.ndarray]":
    """sweep_vector._gap_terms from the steps: per (row, gap), the first start f and the last start in the gap's
    interior [a, b), that step's end, and the largest size starting there (when some step starts there: then
    Σc = end - f - (b - a), min C = a - f, max C = largest - 1 - (f - a); else Σc = -(b - a), min C = a - b).

    A row's step starts increase, so the steps starting in [a, b) are one slice of the row's steps, found by a
    binary search of a and b among its starts (``cuts``: :func:`_row_cuts` of a_0, b_0, a_1, b_1, ...); the
    largest size is a max over each non-empty slice (one reduceat over the chunk); then every (row, gap) at once,
    with completion_interval's IEEE operations elementwise."""
    import numpy as np

    rows, count = chunk.rows, len(gaps)
    if not gaps:
        return np.zeros((rows, 0)), np.zeros((rows, 0))
    pos, size = chunk.pos, chunk.size
    lo, hi = cuts[:, 0::2], cuts[:, 1::2]  # rows x gaps: the slice [lo, hi) of steps starting in [a, b)
    some = hi > lo
    largest = np.zeros((rows, count), dtype=np.int64)
    if some.any():  # slices in (row, gap) order do not overlap and increase: one reduceat over their ends
        index = np.stack((lo[some], hi[some]), axis=1).ravel()
        if index[-1] == size.size:  # reduceat cannot name the array's end; the last slice reaches it anyway
            index = index[:-1]
        largest[some] = np.maximum.reduceat(size, index)[0::2]
    safe_lo = np.where(some, lo, 0)
    safe_last = np.where(some, hi - 1, 0)
    f = pos[safe_lo]
    end = pos[safe_last] + size[safe_last]
    a = np.array([ma + 1 for ma, _, _, _ in gaps], dtype=np.int64)
    b = np.array([mb for _, _, mb, _ in gaps], dtype=np.int64)
    A = np.array([A for _, A, _, _ in gaps], dtype=np.float64)
    B = np.array([B for _, _, _, B in gaps], dtype=np.float64)
    sigma = np.where(some, end - f - (b - a), -(b - a)).astype(np.float64)
    high_c = np.where(some, np.maximum(largest - 1 - (f - a), 0), 0).astype(np.float64)
    low_c = (a - np.where(some, f, b)).astype(np.float64)
    return _gap_floats(A, B, sigma, low_c, high_c)  # type: ignore[arg-type]


def chunk_columns(rows: CurveRows, chunk: "StepChunk", schedules: "Sequence[Schedule]",
                  fallbacks: "Sequence[Callable[[Schedule], Any]]") -> "list[list[Any]]":
    """As :meth:`CurveRows.compute <boundcalc.sweep_vector.CurveRows.compute>`, for the rows of ``chunk``
    (``schedules[i]``: its row i): [errors on d, (on the cubic d,) (intervals)], ``fallbacks[k](schedule)``
    where a row's check fails."""
    if rows.reaches is None:  # once per curve
        rows.reaches = [exact_reach(grid) if grid.ok else None for grid in rows.grids]
        rows.screens = [0 if reach is None else exact_screen(reach) for reach in rows.reaches]
    found: list[list[Any]] = []
    paired = _paired_errors(rows, chunk)
    if paired is not None:
        found += paired
    else:
        for grid, reach, screen in zip(rows.grids, rows.reaches, rows.screens):
            found.append(chunk_errors(grid, reach, chunk, screen) if grid.ok else [None] * chunk.rows)
    if rows.curve is not None:
        grid = rows.grids[0]
        found.append(chunk_intervals(rows.curve, rows.vocab_size, grid, chunk) if grid.ok else [None] * chunk.rows)
    return [[fallbacks[k](schedules[i]) if value is None else value for i, value in enumerate(values)]
            for k, values in enumerate(found)]


def _paired_errors(rows: CurveRows, chunk: "StepChunk") -> "list[list[float | None]] | None":
    """:func:`chunk_errors` of both grids (d and the cubic d) at once, where each takes two limbs (its rows' steps
    too large for one word): the same integers, so the same floats, with one gather fewer a step for the limbs and
    two fewer for the test (None: not this case; the caller takes each grid alone).

    The high limbs are packed into one word, H = hi_d + hi_cubic·2^32: a row's Σ s·hi of each grid is at most
    L·max(hi) (Σ s = L), so where L·max(hi_d) < 2^32 and L·max(hi_cubic) < 2^31 the row's Σ s·H is below 2^63 and
    its two halves are the two sums exactly. The per-step test runs once against the smaller of the two rooms
    (a step failing either grid's test fails it), then per grid on those few steps alone."""
    import numpy as np

    grids, reaches = rows.grids, rows.reaches
    assert reaches is not None
    largest = int(chunk.max_size.max())
    if len(grids) != 2 or not all(grid.ok and len(grid.limbs) == 2 and largest > grid.modular_size for grid in grids):
        return None
    if rows.packed is None:  # once per curve: the packed high limbs and the smaller room, or False
        L = grids[0].length
        tops = [int(grid.limbs[1].max()) for grid in grids]
        if grids[0].bits != grids[1].bits or L * tops[0] >= 2**32 or L * tops[1] >= 2**31:
            rows.packed = False
        else:
            start = np.arange(L, dtype=np.int64)
            rooms = [reach + 1 - start for reach in reaches]  # a step (w, s) passes when s <= room[w]
            rows.packed = (grids[0].limbs[1] + (grids[1].limbs[1] << 32), np.minimum(rooms[0], rooms[1]), rooms)
    if rows.packed is False:
        return None
    packed, both, rooms = rows.packed
    pos, size, starts = chunk.pos, chunk.size, chunk.first[:-1]
    bad = []
    candidates = np.flatnonzero(size > np.take(both, pos)) if largest > min(rows.screens) else np.empty(0, np.int64)
    for room in rooms:
        flags = np.zeros(chunk.rows, dtype=bool)
        if candidates.size:
            failing = candidates[size[candidates] > room[pos[candidates]]]
            flags[np.searchsorted(starts, failing, side="right") - 1] = True
        bad.append(flags.tolist())
    high = np.add.reduceat(size * np.take(packed, pos), starts)
    high_sums = [(high & (2**32 - 1)).tolist(), (high >> 32).tolist()]
    out = []
    for grid, rounds, high_sum in zip(grids, bad, high_sums):
        low = np.add.reduceat(size * np.take(grid.limbs[0], pos), starts).tolist()
        out.append(row_errors(grid, rounds, [low, high_sum]))
    return out


def chunk_stderrs(curve: "LossCurve", chunk: "StepChunk") -> "list[float | None]":
    """Per row of ``chunk``, the stderr of its error on a curve with a stderr column (nats):
    :meth:`LossCurve.stderr_of <boundcalc.curve.LossCurve.stderr_of>` of its coefficients, with the weights
    a_fit on the fitted points taken exactly (None: a row whose sums might leave float64's integers).

    With c_x = s - 1 at a step start and -1 elsewhere, a_fit[i] = Σ_x c_x φ_i(x), φ_i the hat function of
    the linear interpolation (all weight to the first point below the first measured m, to the last above
    the last), and t = (x - m_j)/Δ_j inside [m_j, m_{j+1}): a_fit[i] = INT_i + LO_i/Δ_i + HI_i/Δ_{i-1}
    with integer sums over x, each -Σ_x g(x) + Σ_starts s_w g(w). The integers are below 2^53 (checked), so
    N/D in float64 is a_fit correctly rounded. The rest (isotonic blocks, weights, Σ a² se²) is
    point_weights' and stderr_of's float operations, in the same order."""
    import math

    import numpy as np

    L, rows = curve.length, chunk.rows
    m = (L - curve.masked)[::-1].astype(np.int64)  # measured positions, ascending
    n = int(m.size)
    x = np.arange(L, dtype=np.int64)
    below, above = x <= m[0], x >= m[-1]
    inside = ~below & ~above
    j = np.clip(np.searchsorted(m, x, side="right") - 1, 0, max(n - 2, 0))  # the interval [m_j, m_{j+1})
    gaps = np.diff(m) if n > 1 else np.ones(1, dtype=np.int64)
    span = np.append(gaps, 1)  # Δ_j (Δ_{n-1} = 1: no interval above the last point)
    low_g = np.where(inside, m[np.minimum(j + 1, n - 1)] - x, 0)  # weight (m_{j+1} - x)/Δ_j on point j
    high_g = np.where(inside, x - m[j], 0)  # weight (x - m_j)/Δ_j on point j + 1
    if 8 * L * int(span.max()) ** 2 >= 2**53:
        return [None] * rows
    w_pos, s, row = chunk.pos, chunk.size, chunk.row

    def per_point(g: "np.ndarray", bucket: "np.ndarray") -> "np.ndarray":
        """rows x n: Σ_x c_x g(x) with x's weight on point bucket[x] (exact: integers below 2^53)."""
        starts = np.bincount(row * n + bucket[w_pos], weights=(s * g[w_pos]).astype(np.float64), minlength=rows * n)
        everywhere = np.bincount(bucket, weights=g.astype(np.float64), minlength=n)
        return starts.reshape(rows, n) - everywhere

    first, last = np.zeros(L, dtype=np.int64), np.full(L, n - 1, dtype=np.int64)
    whole = per_point(below.astype(np.int64), first) + per_point(above.astype(np.int64), last)
    lows = per_point(low_g, j)
    highs = per_point(high_g, np.minimum(j + 1, n - 1))
    left = np.concatenate(([1], span[:-1]))[None, :]  # Δ_{i-1} (1 for i = 0)
    right = span[None, :]
    numerator = whole * right * left + lows * left + highs * right
    a_fit = numerator / (right * left).astype(np.float64)
    _, block_of = curve._pava()
    weights = np.array(curve._weights())
    blocks = np.array(block_of)
    total_w = np.bincount(blocks, weights=weights)
    block_a = np.zeros((rows, int(blocks.max()) + 1))
    for i in range(n - 1, -1, -1):  # point_weights reverses a_fit (descending m = ascending k) before bincount
        block_a[:, blocks[n - 1 - i]] += a_fit[:, i]
    a = block_a[:, blocks] * weights / total_w[blocks]
    se = curve.stderr
    terms = (a * a * se * se).tolist()
    return [float(math.sqrt(math.fsum(t))) for t in terms]


def run_chunks(schedules: "Sequence[Schedule]", chunk_steps: int = 1 << 21) -> "Iterator[tuple[int, StepChunk]]":
    """(index of the first schedule, a :class:`~boundcalc.schedule_arrays.StepChunk` of its steps and the next
    ones'), the schedules' runs expanded into steps, about ``chunk_steps`` steps a chunk."""
    import numpy as np

    from .schedule_arrays import StepChunk

    begin = 0
    while begin < len(schedules):
        end, total = begin, 0
        while end < len(schedules) and (end == begin or total + schedules[end].steps <= chunk_steps):
            total += schedules[end].steps
            end += 1
        part = schedules[begin:end]
        runs = np.array([pair for s in part for pair in s.runs], dtype=np.int64).reshape(-1, 2)
        steps = np.array([s.steps for s in part], dtype=np.int64)
        yield begin, StepChunk(part[0].length, steps, np.repeat(runs[:, 0], runs[:, 1]),
                               np.concatenate(([0], np.cumsum(steps))))
        begin = end
