"""The expected errors of a sweep's uniform-grid count rows in one batch: value, certified error, stderr,
interpolation effect and interval over a partial curve's monotone completions (orchestration layer).

Each row's coefficients c = start − 1 vanish on its interior (1 within ε, :mod:`boundcalc.count_starts`), so every
linear functional of c needs only the zones' entries (:mod:`boundcalc.count_grid_starts`), summed for all rows at
once: the value Σ c·d, the monotone cubic's Σ c·d_pchip, the stderr through the curve's point weights and the
interval's gap terms (:func:`boundcalc.completion.completion_interval`: per gap B·Σc and the extremes of the prefix
sums, which the interior's zeros do not move). The certified error is
:func:`boundcalc.estimate.coefficient_error`'s bound, whose sums over every m are the zones' sums plus the
interior's Σ|d| (its start sizes are 1): docs/theory.md §12, "A sweep's count rows in one batch".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .curve import LossCurve
    from .estimate import Estimate

__all__ = ["GridRow", "grid_rows_truth", "starts_rows_truth"]

_EPS = 2.0**-53
#: entries of the rows taken together (one slice): 2^21 floats are 16 MB, half the allocator's mmap threshold
_SLICE = 1 << 21


class GridRow:
    """One row's values in nats: ``value`` and its certified ``error``; from a measured curve its ``estimate``
    (:class:`~boundcalc.estimate.Estimate`, as :func:`boundcalc.estimate.count_estimate` makes it) and its
    ``interval`` over the monotone completions (None without gaps)."""

    __slots__ = ("value", "error", "estimate", "interval")

    def __init__(self, value: float, error: float, estimate: "Estimate | None", interval: "tuple[float, float] | None"):
        self.value, self.error, self.estimate, self.interval = value, error, estimate, interval


def grid_rows_truth(profile: Any, samplers: "Sequence[Any]", curve: "LossCurve | None" = None,
                    vocab_size: int | None = None) -> "dict[int, GridRow]":
    """By id(sampler): the rows of ``samplers`` with a uniform grid, all at once (``profile`` an entropy profile
    with ``conditional`` d in nats; ``curve`` the measured curve it comes from, or None): their zones chunk by chunk
    of rows (:func:`~boundcalc.count_grid_starts.grid_start_chunks`, the same floats as all at once), each chunk
    dropped once its rows are made."""
    from .count_grid_starts import grid_start_chunks

    out: "dict[int, GridRow]" = {}
    for found in grid_start_chunks(samplers):
        out.update(starts_rows_truth(profile, samplers, found, curve, vocab_size))
    return out


def starts_rows_truth(profile: Any, samplers: "Sequence[Any]", found: Any, curve: "LossCurve | None" = None,
                      vocab_size: int | None = None) -> "dict[int, GridRow]":
    """By id(sampler): the rows ``found.rows`` of ``samplers`` from their start sizes ``found`` (a
    :class:`~boundcalc.count_grid_starts.GridStarts`: the zones of uniform-grid rows, or every m of rows with
    arbitrary steps, :mod:`boundcalc.count_noise_starts`), all at once. In slices of rows of at most
    :data:`_SLICE` entries: each row's sums are its own entries' (the same floats whatever the slice), and every
    temporary stays below the allocator's mmap threshold (cli.allocator: larger arrays were faulted in afresh each
    time, ~1.7 s of system time in a sweep of every T at L = 16384)."""
    import numpy as np

    d = np.asarray(profile.conditional, dtype=np.float64)
    if d.size != found.length:
        return {}
    out: "dict[int, GridRow]" = {}
    for lo, hi in _slices(found.bounds):
        out.update(_slice_rows_truth(profile, samplers, _row_slice(found, lo, hi), d, curve, vocab_size))
    return out


def _slices(bounds: "np.ndarray") -> "list[tuple[int, int]]":
    """Consecutive row ranges [lo, hi) of at most :data:`_SLICE` entries each (a longer row alone)."""
    import numpy as np

    out, lo, rows = [], 0, bounds.size - 1
    while lo < rows:
        hi = int(np.searchsorted(bounds, bounds[lo] + _SLICE, side="right")) - 1
        hi = min(max(hi, lo + 1), rows)
        out.append((lo, hi))
        lo = hi
    return out


def _row_slice(found: Any, lo: int, hi: int) -> Any:
    """The rows lo..hi − 1 of ``found`` (a GridStarts) as one of their own (views of its arrays)."""
    if lo == 0 and hi == len(found.rows):
        return found
    from .count_grid_starts import GridStarts

    a, b = int(found.bounds[lo]), int(found.bounds[hi])
    return GridStarts(found.length, found.rows[lo:hi], found.bounds[lo : hi + 1] - a, found.positions[a:b],
                      found.starts[a:b], found.interior[lo:hi], found.error[lo:hi], found.absolute)


def _slice_rows_truth(profile: Any, samplers: "Sequence[Any]", found: Any, d: "np.ndarray",
                      curve: "LossCurve | None", vocab_size: int | None) -> "dict[int, GridRow]":
    """:func:`starts_rows_truth` of one slice of rows."""
    import numpy as np

    L = found.length
    rows, bounds, m = found.rows, found.bounds, found.positions
    c = found.starts - 1.0
    full = _every_m(m, bounds, L)
    values = _row_sums(_times(c, d, m, full), bounds)
    abs_d = np.abs(d)
    prefix = np.concatenate(([0.0], np.cumsum(abs_d)))
    inner = np.array([0.0 if it is None else prefix[it[1] + 1] - prefix[it[0]] for it in found.interior])
    # coefficient_error's bound: Σ_m start_m|d(m)| + Σ_m |d(m)|, the interior's start sizes being 1
    weighted = _row_sums(_times(found.starts, abs_d, m, full), bounds) + inner + float(prefix[-1])
    # the windows' left-out terms: at most found.absolute in all per row, so <= absolute·max|d| <= absolute·weighted
    errors = (found.error + found.absolute) * weighted + 2 * (L + 4) * _EPS * weighted \
        + 2 * L * float(getattr(profile, "abs_error", 0.0))
    estimates: list[Any] = [None] * len(rows)
    intervals: list[Any] = [None] * len(rows)
    if curve is not None:
        estimates = _estimates(curve, c, m, bounds, values, errors, full)
        from .completion import has_gaps

        if has_gaps(curve):  # in chunks of rows: the padded prefix sums stay small
            intervals = []
            for lo in range(0, len(rows), 1024):
                hi = min(lo + 1024, len(rows))
                a, b = int(bounds[lo]), int(bounds[hi])
                intervals += _intervals(curve, c[a:b], m[a:b], bounds[lo : hi + 1] - a, vocab_size, full)
    return {id(samplers[row]): GridRow(float(values[i]), float(errors[i]), estimates[i], intervals[i])
            for i, row in enumerate(rows)}


def _every_m(m: "np.ndarray", bounds: "np.ndarray", L: int) -> bool:
    """True when every row lists every m = 0..L − 1 in order (the rows of arbitrary steps): then an entry's d(m) is
    its column's, taken by broadcasting rather than gathered (the same products)."""
    import numpy as np

    rows = bounds.size - 1
    return bool(m.size == rows * L and np.array_equal(bounds, np.arange(rows + 1) * L)
                and np.array_equal(m.reshape(rows, L), np.broadcast_to(np.arange(L), (rows, L))))


def _times(x: "np.ndarray", v: "np.ndarray", m: "np.ndarray", full: bool) -> "np.ndarray":
    """x·v[m] entry by entry (flat), by broadcasting v over the rows when every row lists every m (``full``)."""
    return (x.reshape(-1, v.size) * v).reshape(-1) if full else x * v[m]


def _row_sums(x: "np.ndarray", bounds: "np.ndarray") -> "np.ndarray":
    """Each row's sum of its flat entries ``bounds[i]:bounds[i + 1]`` (every row has at least one entry)."""
    import numpy as np

    return np.add.reduceat(x, bounds[:-1]) if x.size else np.zeros(bounds.size - 1)


def _estimates(curve: "LossCurve", c: "np.ndarray", m: "np.ndarray", bounds: "np.ndarray", values: "np.ndarray",
               errors: "np.ndarray", full: bool = False) -> list:
    """:func:`boundcalc.estimate._coefficient_estimate`'s Estimate of every row: the pchip value Σ c·d_pchip and
    the stderr sqrt(Σ_i a_i² se_i²) with a the curve's point weights of c (:meth:`LossCurve.point_weights`)."""
    import numpy as np

    from .estimate import Estimate, coefficient_note

    if curve.masked.size == curve.length:
        cubic = values
    else:
        from .estimate import curve_profile

        cubic = _row_sums(_times(c, np.asarray(curve_profile(curve, "pchip").conditional), m, full), bounds)
    stderrs = _stderrs(curve, c, m, bounds) if curve.stderr is not None else [None] * values.size
    note = coefficient_note(curve)
    return [Estimate(max(float(v), 0.0), se, max(float(p), 0.0), curve.exact, note, float(e))
            for v, p, se, e in zip(values, cubic, stderrs, errors)]


def _stderrs(curve: "LossCurve", c: "np.ndarray", m: "np.ndarray", bounds: "np.ndarray") -> list:
    """Each row's stderr of Σ c·d: the point weights (linear in c: each m feeds at most two measured points with
    the interpolation's weights, then the fit's blocks) summed for the rows in chunks."""
    import numpy as np

    L = curve.length
    pts = (L - curve.masked)[::-1].astype(np.int64)  # measured m ascending
    n = pts.size
    grid = np.arange(L)
    j = np.clip(np.searchsorted(pts, grid, side="right") - 1, 0, n - 1)
    below, above = grid <= pts[0], grid >= pts[-1]
    inside = ~below & ~above
    t = np.zeros(L)
    if n > 1:
        t[inside] = (grid[inside] - pts[j[inside]]) / (pts[j[inside] + 1] - pts[j[inside]])
    # (point, weight) twice per m, as point_weights adds them (below: point 0; above: the last; inside: j, j + 1)
    p1 = np.where(below, 0, np.where(above, n - 1, j))
    w1 = np.where(inside, 1 - t, 1.0)
    p2 = np.where(inside, np.minimum(j + 1, n - 1), np.where(below & above, n - 1, 0))
    w2 = np.where(inside, t, np.where(below & above, 1.0, 0.0))
    _, block_of = curve._pava()
    blocks = np.array(block_of)
    w = np.array(curve._weights())
    scale = (w / np.bincount(blocks, weights=w)[blocks])[::-1]  # ascending m order, as a_fit before reversal
    blocks_m = blocks[::-1]
    se2 = (curve.stderr * curve.stderr)[::-1]
    out: list = []
    rows = bounds.size - 1
    chunk = max(1, (1 << 22) // max(n, 1))
    for lo in range(0, rows, chunk):
        hi = min(rows, lo + chunk)
        span = slice(int(bounds[lo]), int(bounds[hi]))
        row = np.repeat(np.arange(hi - lo), np.diff(bounds[lo : hi + 1]))
        mm, cc = m[span], c[span]
        a_fit = np.bincount(np.concatenate((row * n + p1[mm], row * n + p2[mm])),
                            weights=np.concatenate((cc * w1[mm], cc * w2[mm])), minlength=(hi - lo) * n)
        a_fit = a_fit.reshape(hi - lo, n)
        nb = int(blocks_m.max()) + 1
        block_a = np.zeros((hi - lo, nb))
        np.add.at(block_a.T, blocks_m, a_fit.T)
        a = block_a[:, blocks_m] * scale[None, :]
        out.extend(math.sqrt(math.fsum(row_terms)) for row_terms in (a * a * se2[None, :]).tolist())
    return out


def _intervals(curve: "LossCurve", c: "np.ndarray", m: "np.ndarray", bounds: "np.ndarray",
               vocab_size: int | None, full: bool = False) -> list:
    """:func:`boundcalc.completion.error_interval` of every row's c: the measured entries' Σ c·d, and per gap
    B·Σc plus (A − B) times the extreme of the prefix sums over the gap's interior (zero where c is: the
    interior's zeros repeat a prefix already counted), each gap's prefix summed from its own first entry."""
    import numpy as np

    from .completion import _gaps

    L = curve.length
    d = curve.conditional("linear")
    gaps = _gaps(curve, vocab_size)
    G = len(gaps)
    gid = np.full(L, -1, dtype=np.int64)
    for g, (ma, _, mb, _) in enumerate(gaps):
        gid[ma + 1 : mb] = g
    rows = bounds.size - 1
    if full:  # every row lists every m in order
        fixed, totals, highs, lows = _every_m_sums(c.reshape(rows, L), d, gaps, gid)
    else:
        fixed, totals, highs, lows = _segment_sums(c, m, d, gid, bounds, G)
    A = np.array([gap[1] for gap in gaps] or [0.0])
    B = np.array([gap[3] for gap in gaps] or [0.0])
    with np.errstate(invalid="ignore"):
        high = B * totals + np.where((highs <= 0) | (A == B), 0.0, (A - B) * np.maximum(highs, 0.0))
        low = B * totals + np.where((lows >= 0) | (A == B), 0.0, (A - B) * np.minimum(lows, 0.0))
    rounding = 8 * _EPS * _row_sums(np.abs(c), bounds) * float(d[0])
    out = []
    for f, lo_terms, hi_terms, limit in zip(fixed.tolist(), low.tolist(), high.tolist(), rounding.tolist()):
        lo, hi = math.fsum([f, *lo_terms[:G]]), math.fsum([f, *hi_terms[:G]])
        hi = max(hi, lo)
        out.append((0.0 if lo <= limit else lo, hi))
    return out


def _segment_sums(c: "np.ndarray", m: "np.ndarray", d: "np.ndarray", gid: "np.ndarray", bounds: "np.ndarray",
                  G: int) -> "tuple[np.ndarray, ...]":
    """(each row's Σ c·d over the measured entries; per row and gap the total, the largest and the least prefix sum
    of c over the gap's interior, zero-padded to max(G, 1) gaps): the rows' entries as listed by ``m``, each sum
    from its first entry on, in order (a segment's prefix sums by numpy's sequential cumsum)."""
    import numpy as np

    rows = bounds.size - 1
    row = np.repeat(np.arange(rows), np.diff(bounds))
    e = gid[m]
    fixed = np.bincount(row[e < 0], weights=(c * d[m])[e < 0], minlength=rows)
    totals, highs, lows = (np.zeros((rows, max(G, 1))) for _ in range(3))
    at = np.nonzero(e >= 0)[0]
    if at.size:
        key = row[at] * G + e[at]
        heads = np.concatenate(([0], np.nonzero(np.diff(key))[0] + 1))
        lengths = np.diff(np.append(heads, at.size))
        values = c[at]
        seg_key = key[heads]
        classes = np.ceil(np.log2(lengths)).astype(np.int64)
        for k in np.unique(classes):  # segments of one length class, padded with zeros: prefix sums per row
            sel = np.nonzero(classes == k)[0]
            wide = int(lengths[sel].max())
            idx = heads[sel, None] + np.arange(wide)[None, :]
            pad = np.arange(wide)[None, :] < lengths[sel, None]
            run = np.cumsum(np.where(pad, values[np.minimum(idx, values.size - 1)], 0.0), axis=1)
            r, g = seg_key[sel] // G, seg_key[sel] % G
            totals[r, g], highs[r, g], lows[r, g] = run[:, -1], run.max(axis=1), run.min(axis=1)
    return fixed, totals, highs, lows


def _every_m_sums(c: "np.ndarray", d: "np.ndarray", gaps: list, gid: "np.ndarray") -> "tuple[np.ndarray, ...]":
    """:func:`_segment_sums` of rows that list every m = 0..L − 1 in order (rows x L ``c``: the rows of arbitrary
    steps), the same sums bit for bit, taken as whole columns: the measured entries' sum runs left to right from
    0.0 (as bincount adds them), each gap's prefix sums are a cumsum over its columns (as the padded segments',
    whose padding repeats the last prefix and moves no extreme)."""
    import numpy as np

    rows = c.shape[0]
    measured = np.flatnonzero(gid < 0)
    fixed = np.zeros(rows)
    if measured.size:  # sequential from 0.0, as bincount: a zero column first, then numpy's sequential cumsum
        terms = np.zeros((rows, measured.size + 1))
        np.multiply(c[:, measured], d[measured][None, :], out=terms[:, 1:])
        fixed = np.cumsum(terms, axis=1)[:, -1]
    totals, highs, lows = (np.zeros((rows, max(len(gaps), 1))) for _ in range(3))
    for g, (ma, _, mb, _) in enumerate(gaps):
        run = np.cumsum(c[:, ma + 1 : mb], axis=1)
        totals[:, g], highs[:, g], lows[:, g] = run[:, -1], run.max(axis=1), run.min(axis=1)
    return fixed, totals, highs, lows
