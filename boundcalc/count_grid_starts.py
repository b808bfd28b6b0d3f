"""The start sizes of many uniform-grid count samplers at once, where they differ from 1 (values layer).

A sweep's row of mdlm, sedd or dream-origin at T has start sizes start(m) = L·h Σ_{k<n} b_{m,N}(kh) + L(1 − b)b_{m,N}(b)
(:mod:`boundcalc.count_starts`): 1 within 2^-64 on an interior [m_a, m_b] (Euler–Maclaurin), so its expected error
Σ_m (start(m) − 1)·d(m) needs only the entries outside it (the *zones* [0, m_a) and (m_b, L); all of [0, L) when a
row has no interior). This module computes those entries for every row of a sweep together, from each row's grid
(``count_starts.uniform_grid``: L, n, h, never the sampler's per-step tuples): the steps whose windows meet a zone
are listed from closed-form ranges of k, and the terms of all rows are summed tile by tile in a few large numpy
arrays, each term exp(β(m) + α_k + m·λ_k) from the sampler's own r_k, 1 − r_k and p_k floats (correctly rounded
from the grid's integers), so each entry carries the sampler's relative error
(:meth:`~boundcalc.count_sampler.CountSampler.start_sizes_error`, here in closed form from the grid). The interior's
ε and the terms the windows leave out (Bernstein's inequality) are each at most 2^-10 of that error
(docs/theory.md §12, "A sweep's count rows in one batch"). From L = 4097 the terms are taken by chunks of steps,
one exp per (step, tile) and a matrix product per chunk (:func:`_add_factored`), within a slightly wider bound
(``grid_start_error(..., factored=True)``; §12, "The zones by chunks of steps").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["GridStarts", "grid_starts", "grid_start_chunks", "grid_start_error"]

_EPS = 2.0**-53
#: entries per block of terms (one array, summed in place): 512 kB, so its passes stay in the cache (measured 1.7x
#: faster than 16 MB blocks at L = 16384)
_BLOCK = 1 << 16
#: rows whose pairs and tiles are listed together (memory: their candidate steps' columns)
_ROWS = 1024
#: the factored route's chunks of rows hold at most this many entries (2^21 floats: 16 MB, below the allocator's
#: 32 MB mmap threshold, cli.allocator)
_ENTRIES = 1 << 21
#: entries of a zone summed together (a tile): every step meeting a tile adds its terms over the whole tile (16: the
#: zones of T near L are 16–50 wide; 8 % fewer terms than 32 at L = 16384)
_TILE = 16
#: The least L whose zones take the factored terms (:func:`_add_factored`; below, the exps' route bit for bit)
FACTORED_MIN_LENGTH = 4097
#: A chunk of rows with a step's |log(r_k/(1 − r_k))| above this takes the exps' route: the powers exp(j·λ_k) stay
#: within e^{±360}, so no product of the factored route overflows (docs/theory.md §12)
MAX_SLOPE = 24.0
_LOG_UNDERFLOW = math.log(2.0**-1020)  # a factor below 2^-1021 may be subnormal or 0: counted as lost


@dataclass
class GridStarts:
    """The zones' start sizes of the rows ``rows`` (indices into the samplers given), row after row.

    ``positions``/``starts``: each row's zone entries m ascending (flat, row ``bounds[i]:bounds[i + 1]``);
    ``interior``: per row (m_a, m_b, its bound ε) or None (the zones cover [0, L)); ``error``: per row the relative
    error of each computed start size, ``interior``'s ε included (as the sampler's own bound); ``absolute``: the
    terms the steps' windows leave out, at most this in all for each row (so for each entry), and on the factored
    route what its subnormal factors may lose."""

    length: int
    rows: list[int]
    bounds: "np.ndarray"
    positions: "np.ndarray"
    starts: "np.ndarray"
    interior: "list[tuple[int, int, float] | None]"
    error: "np.ndarray"
    absolute: float


def _grid_ints(grid: Any) -> tuple[int, int]:
    return grid.h.numerator, grid.h.denominator


def _zone_steps(L: int, n: "np.ndarray", h: "np.ndarray", z0: "np.ndarray", z1: "np.ndarray", tail: float
                ) -> "tuple[np.ndarray, np.ndarray]":
    """Per zone, the steps lo..hi (and the last, n) whose windows (:func:`_spreads`) can meet [z0, z1): a superset
    from the window's closed form, filtered exactly by the caller. With c = sqrt(2λ) (λ = ``tail``) the window's
    start is at least N r − c·sqrt(N r) − (2λ/3 + 2) and its end at most N r + c·sqrt(N(1 − r)) + 2λ/3 + 3
    (N = L − 1), so a step misses [0, z1) once sqrt(N r) >= c/2 + sqrt(z1 + 2λ/3 + 2 + c²/4), and misses [z0, L)
    while sqrt(N(1 − r)) >= c/2 + sqrt(N + 2λ/3 + 3 − z0 + c²/4). (Floors of the bounds, moved by 2 steps.)"""
    import numpy as np

    N = L - 1
    c, d = math.sqrt(2 * tail), 2 * tail / 3 + 3
    top = np.floor((c / 2 + np.sqrt(z1 + d + c * c / 4)) ** 2 / N / h).astype(np.int64) + 2
    hi_k = np.where(z1 < L, np.minimum(n, top), n)
    bottom = np.floor((1 - (c / 2 + np.sqrt(np.maximum(N + d - z0 + c * c / 4, 0))) ** 2 / N) / h).astype(np.int64) - 2
    lo_k = np.where(z0 > 0, np.maximum(1, bottom), 1)
    return lo_k, hi_k


def _spreads(N: int, r: "np.ndarray", a: "np.ndarray", tail: float) -> "np.ndarray":
    """Each step's window half-width t (m within t of N r): by Bernstein's inequality (each token's indicator minus
    r lies in [−1, 1], variance r(1 − r)) P(|Bin(N, r) − N r| >= t) <= 2 exp(−t²/(2(N r a + t/3))) <= 2e^{−λ} for
    t >= λ/3 + sqrt(λ²/9 + 2λ N r a), λ = ``tail``; plus 1 for the rounding of N r."""
    import numpy as np

    return np.ceil(tail / 3 + np.sqrt(tail * tail / 9 + 2 * tail * (N * r * a))) + 1


def grid_start_error(length: int, steps: int, h: Any, lf_error: float, lf_top: float, inside: float,
                     factored: bool = False) -> float:
    """:meth:`~boundcalc.count_sampler.CountSampler.start_sizes_error` of a uniform grid's sampler (n = ``steps``
    steps before the last, step h), without its per-step tuples. The bound adds 16ε times the largest magnitude
    of the logs added for one term, 2(|log r_k| + |log a_k|) + |log p_k| over the steps; for k < n it is
    −2 log x − log(1 − x) − log h at x = kh (p_k = h/(1 − kh) <= 1), convex in x, so its largest value is at
    x = h or x = (n − 1)h, and the last step (p = 1) adds 2(|log b| + |log(1 − b)|). The floats' logs differ from
    these by a few ulps: the maximum is raised by 10⁻⁹ relative. ``inside``: the interior's ε (count_starts).
    ``factored``: the bound of :func:`_add_factored`'s entries, whose logs add the products j·λ_k (|λ_k| <= top/2),
    a table difference β(m₀ + j) − β(m₀) (at most 15·ln N) and two exps and three products more (docs/theory.md
    §12, "A sweep's count rows in one batch"): the magnitude grows by 16·top + 16·ln N + 64."""
    return _start_error(length, steps, _grid_top(steps, h), lf_error, lf_top, inside, factored)


def _grid_top(steps: int, h: Any) -> float:
    """:func:`grid_start_error`'s largest magnitude of one term's logs over the steps, raised for the floats' ulps."""
    n = steps
    num, den = h.numerator, h.denominator
    log_den = math.log(den)

    def log_x(k: int) -> float:  # log(kh) and log(1 − kh) from the integers: no cancellation
        return math.log(k * num) - log_den

    def log_1x(k: int) -> float:
        return math.log(den - k * num) - log_den

    logs = [-2 * log_x(k) - log_1x(k) - (math.log(num) - log_den) for k in ({1, n - 1} if n >= 2 else ())]
    logs.append(2 * (abs(log_x(n)) + abs(log_1x(n))))
    return max(logs) * (1 + 1e-9) + 1e-9


def _start_error(L: int, n: int, top: float, lf_error: float, lf_top: float, inside: float, factored: bool) -> float:
    """:func:`grid_start_error` from its largest magnitude ``top`` (:func:`_grid_top`)."""
    magnitude = 3 * lf_top + math.log(L) + 1.0 + L * top * (1 + 4 * _EPS)
    if factored:
        magnitude += (16 * top + 16 * math.log(max(L - 1, 2)) + 64) * (1 + 4 * _EPS)
    error = 3 * lf_error + 16 * _EPS * magnitude + 2 * L * _EPS * (1 + 4 * _EPS)
    return math.expm1(error) + (n + 1 + L + 8) * _EPS + 2.0**-100 + inside


def _row_zones(L: int, found: "tuple[int, int, float] | None") -> list[tuple[int, int]]:
    if found is None:
        return [(0, L)]
    m_a, m_b, _ = found
    return [(0, m_a), (m_b + 1, L)]


def grid_starts(samplers: "Sequence[Any]", threshold: float | None = None, tail: float | None = None,
                factored: bool | None = None) -> GridStarts | None:
    """The zones' start sizes of every sampler of ``samplers`` (one length) with a uniform grid
    (``count_starts.uniform_grid``), all rows at once; None when none has one. ``threshold``: the interior's bound
    (by default 2^-10 of each row's rounding, at least count_starts.THRESHOLD); ``tail``: the windows' λ (by default
    from the same 2^-10 of the least rounding). The rows of :func:`grid_start_chunks`, joined."""
    import numpy as np

    parts = list(grid_start_chunks(samplers, threshold, tail, factored))
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    sizes = np.concatenate([np.diff(part.bounds) for part in parts])
    first = parts[0]
    return GridStarts(first.length, [i for part in parts for i in part.rows],
                      np.concatenate(([0], np.cumsum(sizes))), np.concatenate([part.positions for part in parts]),
                      np.concatenate([part.starts for part in parts]), [x for part in parts for x in part.interior],
                      np.concatenate([part.error for part in parts]), max(part.absolute for part in parts))


def grid_start_chunks(samplers: "Sequence[Any]", threshold: float | None = None, tail: float | None = None,
                      factored: bool | None = None) -> "Iterator[GridStarts]":
    """:func:`grid_starts`' rows, :data:`_ROWS` at a time (each a :class:`GridStarts` of those rows, with the
    interiors, the windows' λ and δ of all rows): a caller that uses each chunk and drops it holds one chunk's zones
    (at L = 16384 the first 1024 rows' alone are ~60 MB a float array), the same floats as one call. ``factored``:
    the terms by :func:`_add_factored` (one exp per step and tile) rather than one exp each; by default from
    L >= :data:`FACTORED_MIN_LENGTH` (below, every entry is the exps' route's, bit for bit)."""
    import numpy as np

    from .count_starts import THRESHOLD, interiors, uniform_grid

    kept = [(i, g) for i, g in enumerate(uniform_grid(s) for s in samplers) if g is not None and g.length >= 2]
    rows, grids = [i for i, _ in kept], [g for _, g in kept]
    if not rows:
        return
    L = samplers[rows[0]].length
    if any(samplers[i].length != L for i in rows):
        raise ValueError("grid_starts: the samplers of one call have one length")
    lf, lf_error = samplers[rows[0]]._log_factorials()
    tops = [_grid_top(g.steps, g.h) for g in grids]
    rounding = [_start_error(L, g.steps, top, lf_error, float(lf[-1]), 0.0, False) for g, top in zip(grids, tops)]
    # the interior's ε at most 2^-10 of the entries' own relative error (so it moves the bound by < 0.1 %), or the
    # count_starts default 2^-64 where that is larger: 1e-13 at L = 16384 cuts each zone by about a third
    limits = [max(THRESHOLD, rho / 1024) for rho in rounding] if threshold is None else [threshold] * len(rows)
    inner = interiors([samplers[i] for i in rows], limits)
    # each step's window leaves out at most 2e^-λ of its law, so every entry loses at most L·2e^-λ = δ in all
    # (Σ_k L·p_k·a_k = L): δ is 2^-10 of the least rounding, like the interior's ε
    absolute = min(rounding) / 1024 if tail is None else 2 * L * math.exp(-tail)
    tail = math.log(2 * L / absolute)
    factored = L >= FACTORED_MIN_LENGTH if factored is None else factored
    every = [_row_zones(L, found) for found in inner]
    sizes = np.array([sum(z1 - z0 for z0, z1 in zs) for zs in every], dtype=np.int64)
    for lo, hi in _row_chunks(sizes, factored):
        zones = every[lo:hi]
        bounds = np.concatenate(([0], np.cumsum(sizes[lo:hi])))
        positions = _positions(zones, int(bounds[-1]))
        starts = np.zeros(int(bounds[-1]))
        # the first step (r = 0): a point mass at m = 0 revealing L·p_0 = L·h on average
        starts[bounds[:-1]] += L * np.array([g.h.numerator / g.h.denominator for g in grids[lo:hi]])
        lost = _add_windows(L, lf, grids[lo:hi], zones, bounds, starts, tail, factored)
        if lost is None:  # the exps' route: each entry within the sampler's own bound
            error = np.array([rho + (found[2] if found else 0.0) for rho, found in zip(rounding[lo:hi], inner[lo:hi])])
        else:  # the factored route: its wider rounding, and what a subnormal factor may lose, with δ
            error = np.array([_start_error(L, g.steps, top, lf_error, float(lf[-1]), found[2] if found else 0.0, True)
                              for g, top, found in zip(grids[lo:hi], tops[lo:hi], inner[lo:hi])])
        yield GridStarts(L, rows[lo:hi], bounds, positions, starts, inner[lo:hi], error,
                         absolute if lost is None else absolute + lost)


def _row_chunks(sizes: "np.ndarray", factored: bool) -> "list[tuple[int, int]]":
    """The rows' chunks [lo, hi): :data:`_ROWS` rows each for the exps' route (its sums' blocks, so its floats,
    depend on the chunk: kept as they were), and for the factored route also at most :data:`_ENTRIES` entries (a
    longer row alone), so that no array of a chunk reaches the allocator's mmap threshold."""
    import numpy as np

    if not factored:
        return [(lo, min(lo + _ROWS, sizes.size)) for lo in range(0, sizes.size, _ROWS)]
    ends = np.cumsum(sizes)
    out, lo = [], 0
    while lo < sizes.size:
        hi = int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + _ENTRIES, side="right"))
        hi = min(max(hi, lo + 1), lo + _ROWS, sizes.size)
        out.append((lo, hi))
        lo = hi
    return out


def _positions(zones: "list[list[tuple[int, int]]]", total: int) -> "np.ndarray":
    """The m of every zone entry, zone after zone (flat): each zone's z0..z1 − 1."""
    import numpy as np

    z0 = np.array([z for zs in zones for z, _ in zs], dtype=np.int64)
    z1 = np.array([z for zs in zones for _, z in zs], dtype=np.int64)
    width = z1 - z0
    start = np.concatenate(([0], np.cumsum(width)[:-1]))
    return np.arange(total, dtype=np.int64) - np.repeat(start - z0, width)


def _pairs(L: int, grids: "Sequence[Any]", zones: "list[list[tuple[int, int]]]", bounds: "np.ndarray",
           tail: float) -> "dict[str, np.ndarray]":
    """Every (zone, step) pair whose window meets the zone, ordered by row, zone and step: the window's part in the
    zone [first, end), its log terms α_k, λ_k (:func:`boundcalc.count_starts._windows`) and the flat index of the
    zone's first entry minus the zone's start."""
    import numpy as np

    N = L - 1
    per_zone = [(grid.h.numerator, grid.h.denominator, grid.steps, z0, z1, int(bounds[row]) + sum(
        y1 - y0 for y0, y1 in zs[:j]) - z0) for row, (grid, zs) in enumerate(zip(grids, zones))
        for j, (z0, z1) in enumerate(zs)]
    num_, den_, n_, z0_, z1_, base_ = (list(column) for column in zip(*per_zone))
    lo, hi = _zone_steps(L, np.array(n_), np.array(num_, dtype=np.float64) / np.array(den_, dtype=np.float64),
                         np.array(z0_), np.array(z1_), tail)
    hi = np.maximum(hi, lo - 1)
    # lo..hi, then the last step n (p = 1 at r = b) when hi < n: one more k, set to n below
    columns: "dict[str, Any]" = {"lo": lo, "count": hi - lo + 1 + (hi < np.array(n_)), "num": num_, "den": den_,
                                 "n": n_, "z0": z0_, "z1": z1_, "base": base_}
    count = columns.pop("count")
    zone = np.repeat(np.arange(count.size), count)
    starts = np.concatenate(([0], np.cumsum(count)[:-1]))
    exact = max(d + c * (n + 1) for c, d, n in zip(num_, den_, n_)) < 2**53
    kinds = {"num": np.float64 if exact else object, "den": np.float64 if exact else object}
    col = {key: np.asarray(values, dtype=kinds.get(key, np.int64))[zone] for key, values in columns.items()}
    k = col["lo"] + np.arange(zone.size) - starts[zone]
    k = np.minimum(k, col["n"])  # the extra k past hi is the last step
    r, a, p = _pair_steps(col["num"], col["den"], k, col["n"], exact)
    spread = _spreads(N, r, a, tail)
    lowest = np.floor(N * r - spread)
    first = np.maximum(lowest, col["z0"]).astype(np.int64)
    end = np.minimum(lowest + 2 * spread + 2, col["z1"]).astype(np.int64)
    keep = first < end
    log_r, log_a = np.log(r[keep]), np.log(a[keep])
    return {"alpha": math.log(L) + np.log(p[keep]) + L * log_a, "slope": log_r - log_a, "first": first[keep],
            "end": end[keep], "zone": zone[keep]}


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
                 bounds: "np.ndarray", starts: "np.ndarray", tail: float, factored: bool = False) -> float | None:
    """Adds every step's terms L·p_k·a_k·P(Bin(L − 1, r_k) = m) into the zones' entries, tile by tile: each zone
    is cut into tiles of _TILE entries, and a tile takes every step whose window part (widened to the running
    extremes along the zone's steps, so that they form one range of steps) meets it, over the whole tile. Each
    term exp(β(m) + α_k + m·λ_k) is the windowed sum's (:func:`boundcalc.count_starts.windowed_starts`); the terms a
    step adds past its window are terms of the same sum (each (k, m) once), only smaller. Tiles with about the same
    number of steps are summed together as one array (tiles × steps × _TILE), reduced over the steps.

    With ``factored``, the same terms by :func:`_add_factored` when the chunk's slopes allow it: then the absolute
    error its subnormal factors may add to each entry (a float), else None (the exps' route)."""
    import numpy as np

    pairs = _pairs(L, grids, zones, bounds, tail)
    if factored:
        lost = _factored_loss(L, grids, pairs["slope"])
        if lost is not None:
            _add_factored(L, lf, pairs, zones, bounds, starts)
            return lost
    tiles = _tiles(L, zones, pairs)
    N = L - 1
    beta = lf[N] - lf[:L] - lf[N::-1]
    alpha, slope = pairs["alpha"], pairs["slope"]
    count = tiles["count"]
    order = np.argsort(count, kind="stable")
    order = order[count[order] > 0]
    cut = 0
    while cut < order.size:
        widest = max(int(count[order[min(cut + 1023, order.size - 1)]]), 1)
        take = max(1, min(1024, _BLOCK // (widest * _TILE)))
        block = order[cut : cut + take]
        cut += block.size
        K = int(count[block].max())
        steps = np.arange(K)
        index = np.minimum(tiles["first"][block, None] + steps[None, :], alpha.size - 1)
        a = np.where(steps[None, :] < count[block, None], alpha[index], -np.inf)
        m = tiles["m0"][block, None] + np.arange(_TILE)[None, :]
        terms = slope[index][:, :, None] * m.astype(np.float64)[:, None, :]
        terms += a[:, :, None]
        terms += beta[np.minimum(m, N)][:, None, :]
        np.exp(terms, out=terms)
        sums = terms.sum(axis=1)
        inside = m < tiles["m1"][block, None]
        starts[(tiles["base"][block, None] + m)[inside]] += sums[inside]
    return None


def _factored_loss(L: int, grids: "Sequence[Any]", slope: "np.ndarray") -> float | None:
    """What :func:`_add_factored` may lose per entry to subnormal factors (None: the chunk's slopes are too steep
    for it). A term exp(x)·u_j·v_j whose factor exp(x), product exp(x)·u_j, sum or final product falls below
    2^-1021 loses at most 2^-1020 times the factors after it (u_j <= e^{15·max|λ|}, v_j <= N^15) — four such
    losses per term, at most n + 1 terms (steps) per entry."""
    import numpy as np

    top = float(np.abs(slope).max(initial=0.0))
    if top > MAX_SLOPE:
        return None
    N = L - 1
    steps = max(g.steps for g in grids) + 1
    return math.exp(_LOG_UNDERFLOW + 15 * top * (1 + 1e-9) + 15 * math.log(max(N, 2)) + math.log(4 * steps))


def _add_factored(L: int, lf: "np.ndarray", pairs: "dict[str, np.ndarray]", zones: "list[list[tuple[int, int]]]",
                  bounds: "np.ndarray", starts: "np.ndarray") -> None:
    """Adds the zones' terms by chunks of steps: a zone's steps (its pairs, in order) are cut into chunks of C
    consecutive steps (C = 32 where the steps drift by at most a window over 32 of them, else down to 4), and a
    chunk takes the tiles (of _TILE entries, m₀ = 16t) from its first step's window part to its last's, every term
    of the chunk's steps over those tiles (inside the zone): terms of the same sum, each (k, m) once, a superset of
    the windows'. At m = m₀ + j each term is exp(α_k + β(m₀) + m₀λ_k)·exp(j·λ_k)·exp(β(m₀ + j) − β(m₀)), so a
    chunk is one matrix product (tiles × C exps) @ (C × 16 powers exp(j·λ_k), products of exp(λ_k)), times each
    tile's factors (one table, L × 16): one exp per (step, tile) instead of one per (step, m), and no gather per
    term. Its rounding is :func:`grid_start_error`'s ``factored`` bound (docs/theory.md §12)."""
    import numpy as np

    if not pairs["alpha"].size:
        return
    N = L - 1
    beta = lf[N] - lf[:L] - lf[N::-1]
    j = np.arange(_TILE)
    tiles = -(-L // _TILE)
    tile_m = np.minimum(np.arange(tiles) * _TILE, N)
    factor = np.exp(beta[np.minimum(tile_m[:, None] + j[None, :], N)] - beta[tile_m][:, None])  # per tile, (·, 16)
    tile_beta = beta[tile_m]
    alpha, slope, first, end, zone = pairs["alpha"], pairs["slope"], pairs["first"], pairs["end"], pairs["zone"]
    z0 = np.array([z for zs in zones for z, _ in zs], dtype=np.int64)
    z1 = np.array([z for zs in zones for _, z in zs], dtype=np.int64)
    sizes = z1 - z0
    base = np.concatenate(([0], np.cumsum(sizes)[:-1])) - z0  # the flat index of m in its zone is base + m
    # chunks: per zone the most steps (a power of two, 4..32) whose drift stays within about a window
    heads = np.flatnonzero(np.diff(zone, prepend=-1))
    counts = np.diff(np.append(heads, zone.size))
    drift = (np.maximum.reduceat(first, heads) - np.minimum.reduceat(first, heads)) / np.maximum(counts - 1, 1)
    window = np.add.reduceat(end - first, heads) / counts
    per_zone = np.full(heads.size, 4)
    for c in (8, 16, 32):
        per_zone = np.where(c * drift <= window + 2 * _TILE, c, per_zone)
    columns_of = np.repeat(per_zone, counts)
    rank = np.arange(zone.size) - np.repeat(heads, counts)
    chunk = np.flatnonzero(rank % columns_of == 0)
    size = np.diff(np.append(chunk, zone.size))
    columns = columns_of[chunk]
    t_lo = np.minimum.reduceat(first, chunk) // _TILE
    t_hi = (np.maximum.reduceat(end, chunk) - 1) // _TILE + 1
    width = t_hi - t_lo
    for c in (4, 8, 16, 32):
        chosen = np.flatnonzero(columns == c)
        if chosen.size:
            _add_chunks(chosen[np.argsort(width[chosen], kind="stable")], c, chunk, size, t_lo, width, zone, z0, z1,
                        base, alpha, slope, tile_beta, factor, starts)


def _add_chunks(order: "np.ndarray", columns: int, chunk: "np.ndarray", size: "np.ndarray", t_lo: "np.ndarray",
                width: "np.ndarray", zone: "np.ndarray", z0: "np.ndarray", z1: "np.ndarray", base: "np.ndarray",
                alpha: "np.ndarray", slope: "np.ndarray", tile_beta: "np.ndarray", factor: "np.ndarray",
                out: "np.ndarray") -> None:
    """:func:`_add_factored`'s chunks ``order`` of ``columns`` steps at most, by rising width, in batches of about
    _BLOCK entries (chunks × tiles × max(columns, 16)), one batched matrix product each, added into ``out`` (the
    zones' entries; a chunk's sums for m outside its zone and its padding tiles are not added)."""
    import numpy as np

    s = np.arange(columns)
    wide = max(columns, _TILE)
    cut = 0
    while cut < order.size:
        last = int(width[order[min(cut + 1023, order.size - 1)]])
        block = order[cut : cut + max(1, min(1024, _BLOCK // (max(last, 1) * wide)))]
        cut += block.size
        W = int(width[block].max())
        index = np.minimum(chunk[block, None] + s[None, :], alpha.size - 1)
        l_cs = slope[index]
        a_cs = np.where(s[None, :] < size[block, None], alpha[index], -np.inf)  # padding: exp(−inf) = 0
        t = t_lo[block, None] + np.arange(W)[None, :]
        inside = t < (t_lo + width)[block, None]
        t = np.where(inside, t, t_lo[block, None])
        terms = a_cs[:, None, :] + tile_beta[t][:, :, None]
        terms += (t * _TILE).astype(np.float64)[:, :, None] * l_cs[:, None, :]
        np.exp(terms, out=terms)
        powers = np.empty((block.size, _TILE, columns))  # exp(j·λ_k) by rows of j: 15 products of exp(λ_k)
        powers[:, 0, :] = 1.0
        np.exp(l_cs, out=powers[:, 1, :])
        for p in range(2, _TILE):
            np.multiply(powers[:, p - 1, :], powers[:, 1, :], out=powers[:, p, :])
        sums = np.matmul(terms, powers.transpose(0, 2, 1))  # (chunks, tiles, 16)
        sums *= factor[t]
        # each chunk's sums are the consecutive m from 16·t_lo: its part inside the zone is added as one slice (a
        # scatter-add of every entry cost twice as much)
        flat = sums.reshape(block.size, W * _TILE)
        zones = zone[chunk[block]]
        m_lo = t_lo[block] * _TILE
        lo = np.maximum(m_lo, z0[zones])
        hi = np.minimum((t_lo + width)[block] * _TILE, z1[zones])
        for c, a, b, first, shift in zip(range(block.size), (base[zones] + lo).tolist(), (base[zones] + hi).tolist(),
                                         (lo - m_lo).tolist(), (hi - lo).tolist()):
            out[a:b] += flat[c, first : first + shift]


def _tiles(L: int, zones: "list[list[tuple[int, int]]]", pairs: "dict[str, np.ndarray]") -> "dict[str, np.ndarray]":
    """The zones' tiles [m0, m1) with their flat base (index of m = 0) and the range of pairs meeting each,
    first .. first + count − 1: a zone's pairs are ordered by step, and with each pair's part widened to the running
    maximum of the ends and the running minimum (from the right) of the starts, those meeting a tile are a range."""
    import numpy as np

    z0 = np.array([z for zs in zones for z, _ in zs], dtype=np.int64)
    z1 = np.array([z for zs in zones for _, z in zs], dtype=np.int64)
    sizes = z1 - z0
    base = np.concatenate(([0], np.cumsum(sizes)[:-1])) - z0  # the flat index of m in its zone is base + m
    per = -(-sizes // _TILE)
    zone = np.repeat(np.arange(z0.size), per)
    m0 = z0[zone] + _TILE * (np.arange(zone.size) - np.repeat(np.cumsum(per) - per, per))
    m1 = np.minimum(m0 + _TILE, z1[zone])
    stride = L + 1  # keys zone·(L + 1) + m increase along the pairs (zone by zone, then by step)
    key = pairs["zone"] * stride
    ends = np.maximum.accumulate(key + pairs["end"])
    firsts = np.minimum.accumulate((key + pairs["first"])[::-1])[::-1]
    lo = np.searchsorted(ends, zone * stride + m0, side="right")
    hi = np.searchsorted(firsts, zone * stride + m1, side="left")
    return {"m0": m0, "m1": m1, "base": base[zone], "first": lo, "count": np.maximum(hi - lo, 0)}
