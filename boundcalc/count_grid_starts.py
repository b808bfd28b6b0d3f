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
(docs/theory.md §12, "A sweep's count rows in one batch").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["GridStarts", "grid_starts", "grid_start_error"]

_EPS = 2.0**-53
#: entries per block of terms (one array, summed in place): 512 kB, so its passes stay in the cache (measured 1.7x
#: faster than 16 MB blocks at L = 16384)
_BLOCK = 1 << 16
#: rows whose pairs and tiles are listed together (memory: their candidate steps' columns)
_ROWS = 1024
#: entries of a zone summed together (a tile): every step meeting a tile adds its terms over the whole tile (16: the
#: zones of T near L are 16–50 wide; 8 % fewer terms than 32 at L = 16384)
_TILE = 16


@dataclass
class GridStarts:
    """The zones' start sizes of the rows ``rows`` (indices into the samplers given), row after row.

    ``positions``/``starts``: each row's zone entries m ascending (flat, row ``bounds[i]:bounds[i + 1]``);
    ``interior``: per row (m_a, m_b, its bound ε) or None (the zones cover [0, L)); ``error``: per row the relative
    error of each computed start size, ``interior``'s ε included (as the sampler's own bound); ``absolute``: the
    terms the steps' windows leave out, at most this in all for each row (so for each entry)."""

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


def grid_start_error(length: int, steps: int, h: Any, lf_error: float, lf_top: float, inside: float) -> float:
    """:meth:`~boundcalc.count_sampler.CountSampler.start_sizes_error` of a uniform grid's sampler (n = ``steps``
    steps before the last, step h), without its per-step tuples. The bound adds 16ε times the largest magnitude
    of the logs added for one term, 2(|log r_k| + |log a_k|) + |log p_k| over the steps; for k < n it is
    −2 log x − log(1 − x) − log h at x = kh (p_k = h/(1 − kh) <= 1), convex in x, so its largest value is at
    x = h or x = (n − 1)h, and the last step (p = 1) adds 2(|log b| + |log(1 − b)|). The floats' logs differ from
    these by a few ulps: the maximum is raised by 10⁻⁹ relative. ``inside``: the interior's ε (count_starts)."""
    L, n = length, steps
    num, den = h.numerator, h.denominator
    log_den = math.log(den)

    def log_x(k: int) -> float:  # log(kh) and log(1 − kh) from the integers: no cancellation
        return math.log(k * num) - log_den

    def log_1x(k: int) -> float:
        return math.log(den - k * num) - log_den

    logs = [-2 * log_x(k) - log_1x(k) - (math.log(num) - log_den) for k in ({1, n - 1} if n >= 2 else ())]
    logs.append(2 * (abs(log_x(n)) + abs(log_1x(n))))
    top = max(logs) * (1 + 1e-9) + 1e-9
    magnitude = 3 * lf_top + math.log(L) + 1.0 + L * top * (1 + 4 * _EPS)
    error = 3 * lf_error + 16 * _EPS * magnitude + 2 * L * _EPS * (1 + 4 * _EPS)
    return math.expm1(error) + (n + 1 + L + 8) * _EPS + 2.0**-100 + inside


def _row_zones(L: int, found: "tuple[int, int, float] | None") -> list[tuple[int, int]]:
    if found is None:
        return [(0, L)]
    m_a, m_b, _ = found
    return [(0, m_a), (m_b + 1, L)]


def grid_starts(samplers: "Sequence[Any]", threshold: float | None = None, tail: float | None = None
                ) -> GridStarts | None:
    """The zones' start sizes of every sampler of ``samplers`` (one length) with a uniform grid
    (``count_starts.uniform_grid``), all rows at once; None when none has one. ``threshold``: the interior's bound
    (by default 2^-10 of each row's rounding, at least count_starts.THRESHOLD); ``tail``: the windows' λ (by default
    from the same 2^-10 of the least rounding)."""
    import numpy as np

    from .count_starts import THRESHOLD, interiors, uniform_grid

    kept = [(i, g) for i, g in enumerate(uniform_grid(s) for s in samplers) if g is not None and g.length >= 2]
    rows, grids = [i for i, _ in kept], [g for _, g in kept]
    if not rows:
        return None
    L = samplers[rows[0]].length
    if any(samplers[i].length != L for i in rows):
        raise ValueError("grid_starts: the samplers of one call have one length")
    lf, lf_error = samplers[rows[0]]._log_factorials()
    rounding = [grid_start_error(L, g.steps, g.h, lf_error, float(lf[-1]), 0.0) for g in grids]
    # the interior's ε at most 2^-10 of the entries' own relative error (so it moves the bound by < 0.1 %), or the
    # count_starts default 2^-64 where that is larger: 1e-13 at L = 16384 cuts each zone by about a third
    limits = [max(THRESHOLD, rho / 1024) for rho in rounding] if threshold is None else [threshold] * len(rows)
    inner = interiors([samplers[i] for i in rows], limits)
    zones = [_row_zones(L, found) for found in inner]
    sizes = np.array([sum(z1 - z0 for z0, z1 in zs) for zs in zones], dtype=np.int64)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    positions = np.concatenate([np.arange(z0, z1) for zs in zones for z0, z1 in zs])
    starts = np.zeros(int(bounds[-1]))
    # the first step (r = 0): a point mass at m = 0 revealing L·p_0 = L·h on average
    starts[bounds[:-1]] += L * np.array([g.h.numerator / g.h.denominator for g in grids])
    # each step's window leaves out at most 2e^-λ of its law, so every entry loses at most L·2e^-λ = δ in all
    # (Σ_k L·p_k·a_k = L): δ is 2^-10 of the least rounding, like the interior's ε
    absolute = min(rounding) / 1024 if tail is None else 2 * L * math.exp(-tail)
    tail = math.log(2 * L / absolute)
    for lo in range(0, len(grids), _ROWS):  # chunks of rows: the pairs' columns stay ~100 MB at L = 16384
        hi = min(lo + _ROWS, len(grids))
        _add_windows(L, lf, grids[lo:hi], zones[lo:hi], bounds[lo : hi + 1] - bounds[lo],
                     starts[bounds[lo] : bounds[hi]], tail)
    error = np.array([rho + (found[2] if found else 0.0) for rho, found in zip(rounding, inner)])
    return GridStarts(L, rows, bounds, positions, starts, inner, error, absolute)


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
                 bounds: "np.ndarray", starts: "np.ndarray", tail: float) -> None:
    """Adds every step's terms L·p_k·a_k·P(Bin(L − 1, r_k) = m) into the zones' entries, tile by tile: each zone
    is cut into tiles of _TILE entries, and a tile takes every step whose window part (widened to the running
    extremes along the zone's steps, so that they form one range of steps) meets it, over the whole tile. Each
    term exp(β(m) + α_k + m·λ_k) is the windowed sum's (:func:`boundcalc.count_starts.windowed_starts`); the terms a
    step adds past its window are terms of the same sum (each (k, m) once), only smaller. Tiles with about the same
    number of steps are summed together as one array (tiles × steps × _TILE), reduced over the steps."""
    import numpy as np

    pairs = _pairs(L, grids, zones, bounds, tail)
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
