"""The start sizes of many uniform-grid count samplers at once, where they differ from 1 (values layer).

A sweep's row of mdlm, sedd or dream-origin at T has start sizes start(m) = L·h Σ_{k<n} b_{m,N}(kh) + L(1 − b)b_{m,N}(b)
(:mod:`boundcalc.count_starts`): 1 within 2^-64 on an interior [m_a, m_b] (Euler–Maclaurin), so its expected error
Σ_m (start(m) − 1)·d(m) needs only the entries outside it (the *zones* [0, m_a) and (m_b, L); all of [0, L) when a
row has no interior). This module computes those entries for every row of a sweep together, from each row's grid
(``count_starts.uniform_grid``: L, n, h, never the sampler's per-step tuples): the steps whose windows meet a zone
are listed from closed-form ranges of k, and the terms of all rows are evaluated in a few large numpy blocks,
each step over the part of its window inside the zone, with the float operations of
:func:`boundcalc.count_starts.windowed_starts` (the same r_k, 1 − r_k and p_k floats, correctly rounded from the
grid's integers; the same logs and exp), so each entry carries the sampler's relative error
(:meth:`~boundcalc.count_sampler.CountSampler.start_sizes_error`, here in closed form from the grid: the largest
log magnitude over the steps is at the grid's ends, docs/theory.md §12, "A sweep's count rows in one batch").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["GridStarts", "grid_starts", "grid_start_error"]

_EPS = 2.0**-53
#: padded entries per block of terms (one exp array): ~16 MB
_BLOCK = 1 << 21


@dataclass
class GridStarts:
    """The zones' start sizes of the rows ``rows`` (indices into the samplers given), row after row.

    ``positions``/``starts``: each row's zone entries m ascending (flat, row ``bounds[i]:bounds[i + 1]``);
    ``interior``: per row (m_a, m_b, its bound ε) or None (the zones cover [0, L)); ``error``: per row the relative
    error of each computed start size, ``interior``'s ε included (as the sampler's own bound)."""

    length: int
    rows: list[int]
    bounds: "np.ndarray"
    positions: "np.ndarray"
    starts: "np.ndarray"
    interior: "list[tuple[int, int, float] | None]"
    error: "np.ndarray"


def _grid_ints(grid: Any) -> tuple[int, int]:
    return grid.h.numerator, grid.h.denominator


def _zone_steps(L: int, n: int, h: float, z0: int, z1: int) -> tuple[int, int]:
    """The steps lo..hi (and the last, n) whose windows (m within 40 + 12 sd of (L − 1)r_k) can meet [z0, z1): a
    superset from the window's closed form, filtered exactly by the caller. lowest >= N r − 12 sqrt(N r) − 42 and
    the window's end <= N r + 12 sqrt(N(1 − r)) + 43 (N = L − 1), so with u = sqrt(N r) a step misses [0, z1) once
    u >= 6 + sqrt(78 + z1), and misses [z0, L) while v = sqrt(N(1 − r)) >= 6 + sqrt(N + 79 − z0)."""
    N = L - 1
    lo_k, hi_k = 1, n
    if z1 < L:
        hi_k = min(n, int((6 + math.sqrt(78 + z1)) ** 2 / N / h) + 2)
    if z0 > 0:
        lo_k = max(1, int((1 - (6 + math.sqrt(max(N + 79 - z0, 0))) ** 2 / N) / h) - 2)
    return lo_k, hi_k


def grid_start_error(length: int, steps: int, h: Any, lf_error: float, lf_top: float, inside: float) -> float:
    """:meth:`~boundcalc.count_sampler.CountSampler.start_sizes_error` of a uniform grid's sampler (n = ``steps``
    steps before the last, step h), without its per-step tuples. The bound adds 16ε times the largest magnitude
    of the logs added for one term, 2(|log r_k| + |log a_k|) + |log p_k| over the steps; for k < n it is
    −2 log x − log(1 − x) − log h at x = kh (p_k = h/(1 − kh) <= 1), convex in x, so its largest value is at
    x = h or x = (n − 1)h, and the last step (p = 1) adds 2(|log b| + |log(1 − b)|). The floats' logs differ from
    these by a few ulps: the maximum is raised by 10⁻⁹ relative. ``inside``: the interior's ε (count_starts)."""
    L, n = length, steps
    logs = []
    for k in {1, max(n - 1, 1)} if n >= 2 else set():
        x = k * h
        logs.append(-2 * math.log(x) - math.log(1 - x) - math.log(h))
    b = n * h
    logs.append(2 * (abs(math.log(b)) + abs(math.log(1 - b))))
    top = max(logs) * (1 + 1e-9) + 1e-9
    magnitude = 3 * lf_top + math.log(L) + 1.0 + L * top * (1 + 4 * _EPS)
    error = 3 * lf_error + 16 * _EPS * magnitude + 2 * L * _EPS * (1 + 4 * _EPS)
    return math.expm1(error) + (n + 1 + L + 8) * _EPS + 2.0**-100 + inside


def _row_zones(L: int, found: "tuple[int, int, float] | None") -> list[tuple[int, int]]:
    if found is None:
        return [(0, L)]
    m_a, m_b, _ = found
    return [(0, m_a), (m_b + 1, L)]


def grid_starts(samplers: "Sequence[Any]", threshold: float | None = None) -> GridStarts | None:
    """The zones' start sizes of every sampler of ``samplers`` (one length) with a uniform grid
    (``count_starts.uniform_grid``), all rows at once; None when none has one. ``threshold``: the interior's bound
    (count_starts.THRESHOLD by default, cached on the samplers)."""
    import numpy as np

    from .count_starts import interior, interiors, prepare_interiors, uniform_grid

    kept = [(i, g) for i, g in enumerate(uniform_grid(s) for s in samplers) if g is not None and g.length >= 2]
    rows, grids = [i for i, _ in kept], [g for _, g in kept]
    if not rows:
        return None
    L = samplers[rows[0]].length
    if any(samplers[i].length != L for i in rows):
        raise ValueError("grid_starts: the samplers of one call have one length")
    if threshold is None:
        prepare_interiors([samplers[i] for i in rows])
        inner = [interior(samplers[i]) for i in rows]
    else:
        inner = interiors([samplers[i] for i in rows], threshold)
    lf, lf_error = samplers[rows[0]]._log_factorials()
    zones = [_row_zones(L, found) for found in inner]
    sizes = np.array([sum(z1 - z0 for z0, z1 in zs) for zs in zones], dtype=np.int64)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    positions = np.concatenate([np.arange(z0, z1) for zs in zones for z0, z1 in zs])
    starts = np.zeros(int(bounds[-1]))
    # the first step (r = 0): a point mass at m = 0 revealing L·p_0 = L·h on average
    starts[bounds[:-1]] += L * np.array([g.h.numerator / g.h.denominator for g in grids])
    _add_windows(L, lf, grids, zones, bounds, starts)
    error = np.array([grid_start_error(L, g.steps, g.h, lf_error, float(lf[-1]), found[2] if found else 0.0)
                      for g, found in zip(grids, inner)])
    return GridStarts(L, rows, bounds, positions, starts, inner, error)


def _pairs(L: int, grids: "Sequence[Any]", zones: "list[list[tuple[int, int]]]", bounds: "np.ndarray"
           ) -> "dict[str, np.ndarray]":
    """Every (zone, step) pair whose window meets the zone, ordered by row, zone and step: the window's part in the
    zone [first, end), its log terms α_k, λ_k (:func:`boundcalc.count_starts._windows`) and the flat index of the
    zone's first entry minus the zone's start."""
    import numpy as np

    N = L - 1
    columns: dict[str, list[int]] = {"lo": [], "count": [], "num": [], "den": [], "n": [], "z0": [], "z1": [], "base": []}
    for row, (grid, zs) in enumerate(zip(grids, zones)):
        num, den = _grid_ints(grid)
        offset = int(bounds[row])
        for z0, z1 in zs:
            lo_k, hi_k = _zone_steps(L, grid.steps, num / den, z0, z1)
            hi_k = max(hi_k, lo_k - 1)
            # lo..hi, then the last step n (p = 1 at r = b) when hi < n: one more k, set to n below
            for key, value in (("lo", lo_k), ("count", hi_k - lo_k + 1 + (hi_k < grid.steps)), ("num", num),
                               ("den", den), ("n", grid.steps), ("z0", z0), ("z1", z1), ("base", offset - z0)):
                columns[key].append(value)
            offset += z1 - z0
    count = np.array(columns["count"], dtype=np.int64)
    zone = np.repeat(np.arange(count.size), count)
    starts = np.concatenate(([0], np.cumsum(count)[:-1]))
    exact = max(d + c * (n + 1) for c, d, n in zip(columns["num"], columns["den"], columns["n"])) < 2**53
    kinds = {"num": np.float64 if exact else object, "den": np.float64 if exact else object}
    col = {key: np.array(values, dtype=kinds.get(key, np.int64))[zone]
           for key, values in columns.items() if key != "count"}
    k = col["lo"] + np.arange(zone.size) - starts[zone]
    k = np.minimum(k, col["n"])  # the extra k past hi is the last step
    r, a, p = _pair_steps(col["num"], col["den"], k, col["n"], exact)
    spread = 40 + np.ceil(12 * np.sqrt(N * r * a))
    lowest = np.floor(N * r - spread)
    first = np.maximum(lowest, col["z0"]).astype(np.int64)
    end = np.minimum(lowest + 2 * spread + 2, col["z1"]).astype(np.int64)
    keep = first < end
    log_r, log_a = np.log(r[keep]), np.log(a[keep])
    return {"alpha": math.log(L) + np.log(p[keep]) + L * log_a, "slope": log_r - log_a, "first": first[keep],
            "end": end[keep], "base": col["base"][keep], "z0": col["z0"][keep], "z1": col["z1"][keep]}


def _pair_steps(num: "np.ndarray", den: "np.ndarray", k: "np.ndarray", last: "np.ndarray", exact: bool
                ) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(r_k, 1 − r_k, p_k) before steps k (0-based; p = 1 at the last, k = n) as the sampler's floats, each one
    correctly rounded ratio of integers: num·k/den, (den − num·k)/den, num/(den − num·k) (h = num/den)."""
    import numpy as np

    if exact:  # every integer below 2^53 is a float exactly: numpy's division rounds correctly
        c, d, kf = num, den, k.astype(np.float64)
        alive = d - c * kf
        final = k == last
        return c * kf / d, alive / d, np.where(final, 1.0, c / np.where(final, 1.0, alive))
    r = np.array([int(c) * int(j) / int(d) for c, d, j in zip(num, den, k)])
    a = np.array([(int(d) - int(c) * int(j)) / int(d) for c, d, j in zip(num, den, k)])
    p = np.array([1.0 if j == n else int(c) / (int(d) - int(c) * int(j)) for c, d, j, n in zip(num, den, k, last)])
    return r, a, p


def _add_windows(L: int, lf: "np.ndarray", grids: "Sequence[Any]", zones: "list[list[tuple[int, int]]]",
                 bounds: "np.ndarray", starts: "np.ndarray") -> None:
    """Adds every step's terms L·p_k·a_k·P(Bin(L − 1, r_k) = m) into the zones' entries, in blocks of pairs
    (consecutive in row order, so a block's entries are one flat range), each block one array of
    exp(β(m) + (α_k + start·λ_k) + j·λ_k) as :func:`boundcalc.count_starts.windowed_starts` computes it. A pair
    covers the block's width from its window's start, moved back to stay inside its zone: the terms it adds past
    its window are terms of the same sum (each (k, m) once), only smaller; where the zone is narrower than the
    block, the entries past the zone's end get weight 0 (they land in the spare tail of ``starts``)."""
    import numpy as np

    pairs = _pairs(L, grids, zones, bounds)
    N = L - 1
    beta = lf[N] - lf[:L] - lf[N::-1]
    width = pairs["end"] - pairs["first"]
    cut, total = 0, width.size
    while cut < total:  # blocks of consecutive pairs (a short flat range of entries), ~_BLOCK useful terms each
        count = int(np.searchsorted(np.cumsum(width[cut : cut + _BLOCK // 8]), _BLOCK, side="right")) + 1
        part = np.arange(cut, min(cut + count, total))
        classes = np.ceil(np.log2(width[part])).astype(np.int64)  # pairs of one width class: little padding
        for c in np.unique(classes):
            _block(L, beta, {key: value[part[classes == c]] for key, value in pairs.items()}, starts)
        cut += count


def _block(L: int, beta: "np.ndarray", pairs: "dict[str, np.ndarray]", starts: "np.ndarray") -> None:
    """One block of :func:`_add_windows`: its pairs' terms over the block's widest part, summed into ``starts``."""
    import numpy as np

    first, z0, z1 = pairs["first"], pairs["z0"], pairs["z1"]
    wide = int((pairs["end"] - first).max())
    offsets = np.arange(wide)
    start = np.minimum(np.minimum(first, np.maximum(z1 - wide, z0)), L - wide)  # β's sliding windows fit in 0..L − 1
    terms = np.lib.stride_tricks.sliding_window_view(beta, wide)[start]
    terms += (pairs["alpha"] + start * pairs["slope"])[:, None]
    terms += np.multiply.outer(pairs["slope"], offsets.astype(np.float64))
    np.exp(terms, out=terms)
    inside = offsets[None, :] < (z1 - start)[:, None]
    inside &= offsets[None, :] >= (z0 - start)[:, None]
    terms *= inside
    index = (pairs["base"] + start)[:, None] + offsets[None, :]
    low = int(index.min())
    found = np.bincount((index - low).ravel(), weights=terms.ravel())
    top = min(found.size, starts.size - low)
    starts[low : low + top] += found[:top]
