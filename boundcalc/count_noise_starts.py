"""The start sizes of many count samplers with arbitrary steps at once (values layer): a sweep's rows of MDLM's
other noises (``mdlm:T:cosine|cosine2|linear|geometric``), every m of every row.

start(m) = Σ_k L·p_k·a_k·b_{m,N}(r_k) (N = L − 1; :meth:`~boundcalc.count_sampler.CountSampler.expected_start_sizes`)
has no interior where it is 1 for these rows (their steps are not a uniform grid), so every entry is summed. The
steps are read only through :func:`boundcalc.count_flat.flat_steps`; r_k and a_k are the sampler's own running sum
and product (the same floats, bit for bit). Each step's window is cut by Bernstein's inequality (the terms left out
are at most δ in all per row, added to the certified error). A term exp(α_k + β(m) + m·λ_k) at m = m₀ + j, m₀ a
tile's first entry (tiles of 16), factors as

    exp(α_k + β(m₀) + m₀λ_k) · exp(jλ_k) · exp(β(m₀ + j) − β(m₀)),

so a chunk of 32 steps of one row and the tiles its windows meet are one small matrix product (tiles × steps) @
(steps × 16): one exp per (step, tile) and 16 per step instead of one per (step, m). The relative error of every
entry, the cut mass δ and the terms that may underflow are derived in docs/theory.md §12, "Rows with arbitrary
steps in one batch".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .count_flat import FlatSteps
    from .count_grid_starts import GridStarts

__all__ = ["noise_starts", "running_laws", "forget_running_laws", "noise_start_error", "ratio_route_error", "MAX_SLOPE", "RATIOS_MIN_LENGTH"]

_EPS = 2.0**-53
_TILE = 16
#: steps of one row in one matrix product: 32 keeps the tiles a chunk's windows span near the windows' own width
_CHUNK = 32
#: steps of one row in one matrix product of the ratios' route: the longer chunk where a row's steps drift by at
#: most a mean window over it (its matrix products and additions per step halve; its tiles grow by the drift)
_RATIO_CHUNKS = (32, 64)
#: rows with a step whose |log(r_k/(1 − r_k))| exceeds this take the row-by-row path: exp(15·λ) and the products
#: stay far inside float64's range (docs/theory.md §12)
MAX_SLOPE = 24.0
#: entries of one block of terms (tiles × steps), summed as one batch of matrix products
_BLOCK = 1 << 18
_LOG_UNDERFLOW = math.log(2.0**-1020)  # a factor below 2^-1021 may be subnormal or 0: it is counted as lost
#: The least L whose rows take the tiles' terms by ratios (below, every entry is the exps' route's, bit for bit)
RATIOS_MIN_LENGTH = 4097
#: The ratios' g(t) stays at most e^this (a product v·e^{jλ} lost below 2^-1022 is a term at most this times the
#: exps' route's bound of a lost one)
_LOG_G_TOP = 60.0


#: the last rows' running laws: (their offsets, reveal, keep arrays, (r_k, a_k)), kept only for read-only arrays
_LAST_LAWS: "list[tuple[Any, Any, Any, tuple[np.ndarray, np.ndarray]]]" = []


def running_laws(steps: "FlatSteps") -> "tuple[np.ndarray, np.ndarray]":
    """(r_k, a_k) of every step, flat: per row a_k = Π_{j<k}(1 − p_j) (the running product left to right) and
    r_k = Σ_{j<k} π_j, π_j = a_j·p_j (the running sum): :meth:`CountSampler._start_laws`'s float branch, bit for bit
    (numpy's cumulative products and sums along a row are sequential). Row by row, two numpy calls each, straight
    into the flat arrays (a padded layout costs twice as much: its gathers and scatters). Both arrays are read-only.

    A sweep's chunk asks twice for the same rows (its bounds, :mod:`boundcalc.count_flat_rows`, then its start
    sizes): when ``steps`` holds the very read-only arrays of the last call, its result is handed out again (the
    arrays are held, so their ids cannot be reused meanwhile; read-only, so their values cannot change)."""
    key = (steps.offsets, steps.reveal, steps.keep)
    if _LAST_LAWS and all(a is b for a, b in zip(_LAST_LAWS[0][:3], key)):
        return _LAST_LAWS[0][3]
    forget_running_laws()
    laws = _running_laws(steps)
    for array in laws:
        array.flags.writeable = False
    if not any(getattr(array, "flags", None) is None or array.flags.writeable for array in key):
        _LAST_LAWS.append((*key, laws))
    return laws


def forget_running_laws() -> None:
    """Drop the running laws :func:`running_laws` keeps (and the step arrays they were computed from)."""
    _LAST_LAWS.clear()


def _running_laws(steps: "FlatSteps") -> "tuple[np.ndarray, np.ndarray]":
    """:func:`running_laws`, computed."""
    import numpy as np

    total = int(steps.offsets[-1])
    before, alive = np.empty(total), np.empty(total)
    keep = steps.keep
    bounds = steps.offsets.tolist()
    for lo, hi in zip(bounds[:-1], bounds[1:]):  # a_k = Π_{j<k}(1 − p_j): the product of the row's first k factors
        if hi > lo:
            alive[lo] = 1.0
            np.cumprod(keep[lo : hi - 1], out=alive[lo + 1 : hi])
    revealed = alive * steps.reveal  # π_k = a_k·p_k
    for lo, hi in zip(bounds[:-1], bounds[1:]):  # r_k = Σ_{j<k} π_j
        if hi > lo:
            before[lo] = 0.0
            np.cumsum(revealed[lo : hi - 1], out=before[lo + 1 : hi])
    return before, alive


def noise_start_error(length: int, steps: int, top: float, lf_error: float, lf_top: float) -> float:
    """A relative error bound of every entry :func:`noise_starts` computes for a row of ``steps`` steps whose terms'
    logs have at most ``top`` = max_k 2(|log r_k| + |log a_k|) + |log p_k| (docs/theory.md §12, "Rows with arbitrary
    steps in one batch"): r_k and a_k within δ = (3n + 6)ε of the true values (n products of factors each within ε,
    then n sums), so the log of a term, (L − m)·log a_k + m·log r_k + ..., within Lδ(1 + 2δ), plus 3 lf errors and
    16ε times the magnitudes added (logs within 4 ulps, every sum and product rounded); then three exps (4 ulps, 8ε
    each), the products, a sum of at most 32 terms, the tile's factor and the sums over the chunks."""
    L, n = length, steps
    delta = (3 * n + 6) * _EPS * (1 + 1e-6)
    magnitude = 3 * lf_top + math.log(L) + 1.0 + (L + 16) * top * (1 + 4 * _EPS)
    log_error = 3 * lf_error + 16 * _EPS * magnitude + L * delta * (1 + 2 * delta)
    return math.expm1(log_error) + (n + 2 * _CHUNK + 3 * 8 + 8) * _EPS * (1 + 1e-6)


def ratio_route_error(rounding: "np.ndarray", log_error: "np.ndarray") -> "np.ndarray":
    """:func:`noise_start_error`'s bounds ``rounding`` widened by each row's extra log error of :func:`_sum_ratios`
    (:func:`_chunk_plan`'s, its largest over the row's chunks): (1 + ρ)·exp(e) − 1, rounded up."""
    import numpy as np

    return (rounding + np.expm1(np.asarray(log_error) * (1 + 1e-6)) * (1 + rounding)) * (1 + 1e-9) \
        + (2 * (_RATIO_CHUNKS[-1] - _CHUNK) + 8) * _EPS  # the matrix product's sums of up to 64 terms, not 32


class _Plan(NamedTuple):
    """The chunks of :func:`_sum_ratios` (``columns`` consecutive live steps of one row, in order: one of
    :data:`_RATIO_CHUNKS` per row): first step ``bounds``, steps ``size``, tiles ``t_lo``..``t_hi`` − 1 (their windows'), the reference tile ``centre`` and slope
    ``middle`` (the middle step's), ``ok`` (every term of the chunk by ratios stays a normal float) and each chunk's
    extra log error ``log_error``."""

    bounds: "np.ndarray"
    size: "np.ndarray"
    columns: "np.ndarray"
    t_lo: "np.ndarray"
    t_hi: "np.ndarray"
    centre: "np.ndarray"
    middle: "np.ndarray"
    ok: "np.ndarray"
    log_error: "np.ndarray"


def _chunk_plan(L: int, lf: "np.ndarray", row_of: "np.ndarray", alpha: "np.ndarray", slope: "np.ndarray",
                lo: "np.ndarray", hi: "np.ndarray") -> _Plan:
    """Per chunk of steps its tiles and reference (t_c, λ_c: the middle step's window's centre tile and λ), whether
    it takes the ratios, and their extra log error (docs/theory.md §12, "Rows with arbitrary steps in one batch").
    With A_k = α_k + β(16t_c) + 16t_c·λ_k (the exps' argument at m₀ = 16t_c) a step's tile-start term is
    v_k(t)·g(t), v_k(t) = exp(A_k + 16(t − t_c)(λ_k − λ_c)) (geometric in t: one exp, then products by
    exp(16(λ_k − λ_c))) and g(t) = exp(β(16t) − β(16t_c) + 16(t − t_c)λ_c) (one exp per chunk and tile). A chunk takes
    the ratios when every log v_k at its first and last tile is in [−690, 300] (log-linear in t: so on every tile) and
    every log g in [−690, 60] (log g is concave and 0 at t_c): every v, g and product of them stays a normal float."""
    import numpy as np

    N = L - 1
    beta = lf[N] - lf[:L] - lf[N::-1]
    tiles = -(-L // _TILE)
    tile_beta = beta[np.minimum(np.arange(tiles) * _TILE, N)]
    first_tile, last_tile = lo // _TILE, (hi - 1) // _TILE
    heads = np.nonzero(np.diff(row_of, prepend=-1))[0]
    counts = np.diff(np.append(heads, row_of.size))
    rank = np.arange(row_of.size) - np.repeat(heads, counts)
    # a row's chunk length: the longer where its steps' drift over a chunk (about L/n entries a step) is at most its
    # mean window
    windows = np.add.reduceat(hi - lo, heads) / counts
    per_row = np.where(counts * windows >= _RATIO_CHUNKS[1] * L, _RATIO_CHUNKS[1], _RATIO_CHUNKS[0])
    columns_of = np.repeat(per_row, counts)
    bounds = np.nonzero(rank % columns_of == 0)[0]
    size = np.diff(np.append(bounds, row_of.size))
    columns = columns_of[bounds]
    t_lo = np.minimum.reduceat(first_tile, bounds)
    t_hi = np.maximum.reduceat(last_tile, bounds) + 1
    mid = bounds + size // 2
    centre = (first_tile[mid] + last_tile[mid]) // 2
    middle = slope[mid]
    chunk_of = np.repeat(np.arange(bounds.size), size)
    t_c, lam_c = centre[chunk_of], middle[chunk_of]
    start = alpha + tile_beta[t_c] + (t_c * _TILE) * slope
    apart = slope - lam_c
    with np.errstate(invalid="ignore", over="ignore"):
        at_lo = start + ((t_lo[chunk_of] - t_c) * _TILE) * apart
        at_hi = start + ((t_hi[chunk_of] - 1 - t_c) * _TILE) * apart
        steps_ok = (at_lo >= -690) & (at_lo <= 300) & (at_hi >= -690) & (at_hi <= 300)
    ok = np.minimum.reduceat(steps_ok, bounds).astype(bool)
    width = t_hi - t_lo
    # log g is concave in t (β is; the float table's second differences, about 256·N/(m(N − m)) >= 0.06 at a tile,
    # dwarf its errors) and 0 at t_c: at least its ends' values, at most 0 or W times its step next to t_c
    def log_g(t: "np.ndarray") -> "np.ndarray":
        t = np.clip(t, 0, tiles - 1)
        return (tile_beta[t] - tile_beta[centre]) + ((t - centre) * _TILE) * middle

    right, left = log_g(centre + 1), log_g(centre - 1)
    highest = np.maximum(0.0, width * np.maximum(right, left))
    ok &= (log_g(t_lo) >= -690) & (log_g(t_hi - 1) >= -690) & (highest <= _LOG_G_TOP)
    # the extra log error per chunk (W its tiles, d = max|λ_k − λ_c|): v's start, one difference, product and sum
    # beyond the exps' argument at 16t_c (|its value| <= 690) and an exp; W products by exp(16d̂) (the difference
    # within ε·d, times 16, the exp within 8ε, the product within ε); g's argument, a table difference (at most
    # 16W·ln N) plus 16(t − t_c)λ_c, each rounded, and its exp; the product by g; the powers, 15 products of
    # exp(λ_k) (9ε each)
    log_n = math.log(max(N, 2))
    spread = np.maximum.reduceat(np.abs(apart), bounds)
    log_error = (690 + 8 + 32 * width * spread + width * (9 + 16 * spread) + 32 * width * (log_n + np.abs(middle))
                 + 8 + 1 + 15 * 9) * _EPS * (1 + 1e-6)
    return _Plan(bounds, size, columns, t_lo, t_hi, centre, middle, ok, log_error)


def _spreads(N: int, r: "np.ndarray", a: "np.ndarray", tail: float) -> "np.ndarray":
    """:func:`boundcalc.count_grid_starts._spreads` (Bernstein's half-width, plus 1)."""
    import numpy as np

    return np.ceil(tail / 3 + np.sqrt(tail * tail / 9 + 2 * tail * (N * r * a))) + 1


def noise_starts(samplers: "Sequence[Any]", steps: "FlatSteps | None" = None, tail: float | None = None,
                 ratios: bool | None = None) -> "GridStarts | None":
    """Every start size of every row of ``samplers`` (one length L >= 2; ``steps`` their
    :func:`~boundcalc.count_flat.flat_steps`, made here when None), as a :class:`~boundcalc.count_grid_starts.GridStarts`
    with no interiors (positions 0..L − 1 per row); None when a row has a step with |λ_k| > :data:`MAX_SLOPE` (the
    caller takes those rows one by one). ``tail``: the windows' λ (by default δ = 2^-10 of the least rounding).
    ``ratios``: the tiles' terms by ratios from each step's first tile (:func:`_sum_ratios`) rather than one exp
    each; by default from L >= :data:`RATIOS_MIN_LENGTH`."""
    import numpy as np

    from .count_flat import flat_steps
    from .count_grid_starts import GridStarts

    if not samplers:
        return None
    L = samplers[0].length
    if L < 2 or any(s.length != L for s in samplers):
        raise ValueError("noise_starts: the samplers of one call have one length L >= 2")
    steps = flat_steps(samplers) if steps is None else steps
    rows = len(samplers)
    counts = steps.counts
    r, a = running_laws(steps)
    forget_running_laws()  # this batch was their last reader
    p = np.asarray(steps.reveal)
    row_of = np.repeat(np.arange(rows), counts)
    starts = np.zeros(rows * L)
    # a step with r_k = 0 starts at m = 0 and reveals L·p_k on average; one with a_k = 0 has nothing to reveal
    first = r <= 0
    starts[::L] += L * np.bincount(row_of[first], weights=p[first], minlength=rows)
    live = np.nonzero((r > 0) & (a > 0) & (p > 0))[0]
    r, a, p, row_of = r[live], a[live], p[live], row_of[live]
    log_r, log_a = np.log(r), np.log(a)
    slope = log_r - log_a
    if live.size and float(np.abs(slope).max()) > MAX_SLOPE:
        return None
    if 15 * MAX_SLOPE + math.log(_CHUNK * L) + 15 * math.log(L) > 690:  # a sum times its tile factor below 2^995
        return None
    lf, lf_error = samplers[0]._log_factorials()
    magnitudes = 2 * (np.abs(log_r) + np.abs(log_a)) + np.abs(np.log(p))
    top = np.zeros(rows)
    if live.size:  # each row's largest magnitude over its live steps (the live steps are ordered by row)
        heads = np.nonzero(np.diff(row_of, prepend=-1))[0]
        top[row_of[heads]] = np.maximum.reduceat(magnitudes, heads)
    ratios = L >= RATIOS_MIN_LENGTH if ratios is None else ratios
    rounding = np.array([noise_start_error(L, int(n), float(t), lf_error, float(lf[-1]))
                         for n, t in zip(counts.tolist(), top.tolist())])
    absolute = float(rounding.min()) / 1024 if tail is None else 2 * L * math.exp(-tail)
    tail = math.log(2 * L / absolute)
    alpha = math.log(L) + np.log(p) + L * log_a
    N = L - 1
    spread = _spreads(N, r, a, tail)
    lowest = np.floor(N * r - spread)
    lo = np.maximum(lowest, 0).astype(np.int64)
    hi = np.minimum(lowest + 2 * spread + 2, L).astype(np.int64)
    # the terms a factor below 2^-1021 may lose (each at most 2^-1020·exp(15·|λ| + the tile factor), every (k, m))
    worst = 15 * float(np.abs(slope).max(initial=0.0)) + _TILE * math.log(max(N, 2))
    underflow = math.exp(_LOG_UNDERFLOW + worst + math.log(float(counts.max()) * L))
    error = rounding
    if ratios:  # the chunks whose terms stay normal floats by ratios (_chunk_plan), the others' steps by exps
        plan = _chunk_plan(L, lf, row_of, alpha, slope, lo, hi)
        widening = np.zeros(rows)
        np.maximum.at(widening, row_of[plan.bounds[plan.ok]], plan.log_error[plan.ok])
        error = ratio_route_error(rounding, widening)
        underflow *= math.exp(_LOG_G_TOP)  # a lost product's term is at most g·e^{jλ}·factor times it
        by_exps = np.repeat(~plan.ok, plan.size)
        if by_exps.any():
            _sum_chunks(L, lf, row_of[by_exps], alpha[by_exps], slope[by_exps], lo[by_exps], hi[by_exps], starts)
        _sum_ratios(L, lf, plan, row_of, alpha, slope, starts)
    else:
        _sum_chunks(L, lf, row_of, alpha, slope, lo, hi, starts)
    return GridStarts(L, list(range(rows)), np.arange(rows + 1) * L, np.tile(np.arange(L), rows), starts,
                      [None] * rows, error, absolute + underflow)


def _sum_chunks(L: int, lf: "np.ndarray", row_of: "np.ndarray", alpha: "np.ndarray", slope: "np.ndarray",
                lo: "np.ndarray", hi: "np.ndarray", out: "np.ndarray") -> None:
    """Adds every live step's terms over the tiles its chunk's windows meet into ``out`` (row·L + m): per chunk of
    32 steps of a row, (tiles × steps) exp(α_k + β(m₀) + m₀λ_k) @ (steps × 16) exp(jλ_k), times exp(β(m₀ + j) − β(m₀)).
    Chunks with about as many tiles go together as one batch of matrix products; every array of a batch lives in a
    buffer reused by all batches (an array of more than 128 kB freed and allocated again would be faulted in afresh:
    the command's allocator settings turn off glibc's growing mmap threshold)."""
    import numpy as np

    if not alpha.size:
        return
    N, rows = L - 1, out.size // L
    beta = lf[N] - lf[:L] - lf[N::-1]  # log C(N, m), m = 0..N
    tiles = -(-L // _TILE)
    stride = tiles * _TILE  # a row's entries, padded to whole tiles (m > N is dropped at the end)
    j = np.arange(_TILE)
    m = np.minimum(np.arange(tiles)[:, None] * _TILE + j[None, :], N)
    factor = np.exp(beta[m] - beta[m[:, :1]])  # exp(β(m₀ + j) − β(m₀)) per tile
    tile_beta = beta[np.arange(tiles) * _TILE]
    heads = np.nonzero(np.diff(row_of, prepend=-1))[0]  # chunks: _CHUNK consecutive live steps of one row
    rank = np.arange(row_of.size) - np.repeat(heads, np.diff(np.append(heads, row_of.size)))
    bounds = np.nonzero(rank % _CHUNK == 0)[0]
    size = np.diff(np.append(bounds, row_of.size))
    t_lo = np.minimum.reduceat(lo, bounds) // _TILE
    t_hi = (np.maximum.reduceat(hi, bounds) - 1) // _TILE + 1
    width = t_hi - t_lo
    base_of = row_of[bounds] * stride
    order = np.argsort(width, kind="stable")
    terms_buf, products_buf, powers_buf, sums_buf = (np.empty(_BLOCK) for _ in range(4))
    places_buf = np.empty(_BLOCK, dtype=np.int64)
    dump = rows * stride  # the padded tiles' sums go to 16 entries past the rows
    extended = np.zeros(dump + _TILE)
    s = np.arange(_CHUNK)
    jf = j.astype(np.float64)
    most = _BLOCK // (_CHUNK * _TILE)  # chunks of a batch at most (their powers fill a buffer)
    cut = 0
    while cut < order.size:
        wide = max(int(width[order[min(cut + most - 1, order.size - 1)]]), 1)  # widths ascend along ``order``
        block = order[cut : cut + max(1, min(_BLOCK // (wide * _CHUNK), most))]
        cut += block.size
        C, W = block.size, int(width[block].max())
        index = np.minimum(bounds[block, None] + s[None, :], alpha.size - 1)
        a_cs = np.where(s[None, :] < size[block, None], alpha[index], -np.inf)
        l_cs = slope[index]
        t = t_lo[block, None] + np.arange(W)[None, :]
        inside = t < t_hi[block, None]
        t = np.where(inside, t, t_lo[block, None])
        terms = terms_buf[: C * W * _CHUNK].reshape(C, W, _CHUNK)
        products = products_buf[: C * W * _CHUNK].reshape(C, W, _CHUNK)
        np.add(a_cs[:, None, :], tile_beta[t][:, :, None], out=terms)
        np.multiply((t * _TILE).astype(np.float64)[:, :, None], l_cs[:, None, :], out=products)
        terms += products
        np.exp(terms, out=terms)  # (chunks, tiles, steps): a padded step's terms are exp(−inf) = 0
        powers = powers_buf[: C * _CHUNK * _TILE].reshape(C, _CHUNK, _TILE)
        np.multiply(l_cs[:, :, None], jf[None, None, :], out=powers)
        np.exp(powers, out=powers)  # exp(j·λ_k)
        sums = np.matmul(terms, powers, out=sums_buf[: C * W * _TILE].reshape(C, W, _TILE))
        sums *= np.take(factor, t, axis=0, out=products_buf[: C * W * _TILE].reshape(C, W, _TILE))
        places = places_buf[: C * W * _TILE].reshape(C, W, _TILE)
        np.add(np.where(inside, base_of[block, None] + t * _TILE, dump)[:, :, None], j[None, None, :], out=places)
        np.add.at(extended, places.ravel(), sums.ravel())
    out += extended[:dump].reshape(rows, stride)[:, :L].ravel()


def _sum_ratios(L: int, lf: "np.ndarray", plan: _Plan, row_of: "np.ndarray", alpha: "np.ndarray",
                slope: "np.ndarray", out: "np.ndarray") -> None:
    """:func:`_sum_chunks` for the chunks ``plan.ok`` with the (tiles × steps) matrix of each chunk by ratios instead
    of one exp per entry (:func:`_chunk_plan`): v_k at the chunk's first tile by one exp, each next tile's by one
    product with exp(16(λ_k − λ_c)); the matrix product with the powers exp(jλ_k) (products of exp(λ_k)); then each
    tile's sums times g(t) and the tile's factor exp(β(m₀ + j) − β(m₀)). A chunk's sums are added to its row's
    entries slice by slice (its tiles are consecutive entries), in the batch's order."""
    import numpy as np

    for columns in _RATIO_CHUNKS:
        chosen = np.flatnonzero(plan.ok & (plan.columns == columns))
        if chosen.size:
            _sum_ratio_chunks(L, lf, plan, chosen, columns, row_of, alpha, slope, out)


def _sum_ratio_chunks(L: int, lf: "np.ndarray", plan: _Plan, chosen: "np.ndarray", columns: int,
                      row_of: "np.ndarray", alpha: "np.ndarray", slope: "np.ndarray", out: "np.ndarray") -> None:
    """:func:`_sum_ratios` for the chunks ``chosen``, of ``columns`` steps at most each."""
    import numpy as np

    N = L - 1
    beta = lf[N] - lf[:L] - lf[N::-1]  # log C(N, m), m = 0..N
    tiles = -(-L // _TILE)
    j = np.arange(_TILE)
    m = np.minimum(np.arange(tiles)[:, None] * _TILE + j[None, :], N)
    factor = np.exp(beta[m] - beta[m[:, :1]])
    tile_beta = beta[np.minimum(np.arange(tiles) * _TILE, N)]
    bounds, size, t_lo, t_hi = plan.bounds[chosen], plan.size[chosen], plan.t_lo[chosen], plan.t_hi[chosen]
    centre, middle = plan.centre[chosen], plan.middle[chosen]
    width = t_hi - t_lo
    at_of = row_of[bounds] * L + t_lo * _TILE
    size_of = np.minimum(width * _TILE, L - t_lo * _TILE)
    order = np.argsort(width // 4, kind="stable")  # by width in steps of 4 tiles, then row by row
    terms_buf, sums_buf, scale_buf = (np.empty(_BLOCK) for _ in range(3))
    s = np.arange(columns)
    w_all = np.arange(int(width.max()))
    most = _BLOCK // (columns * _TILE)
    unit = np.exp(slope)  # exp(λ_k)
    cut = 0
    while cut < order.size:
        wide = int(width[order[min(cut + most - 1, order.size - 1)]]) // 4 * 4 + 3
        block = order[cut : cut + max(1, min(_BLOCK // (wide * columns), most))]
        cut += block.size
        C, W = block.size, int(width[block].max())
        index = np.minimum(bounds[block, None] + s[None, :], alpha.size - 1)
        real = s[None, :] < size[block, None]
        t_c, lam_c = centre[block, None], middle[block, None]
        apart = slope[index] - lam_c
        start = alpha[index] + tile_beta[t_c] + (t_c * _TILE) * slope[index]
        terms = terms_buf[: W * C * columns].reshape(W, C, columns)
        with np.errstate(over="ignore", invalid="ignore"):  # past a chunk's tiles (padding, never added) v may grow
            np.exp(start + ((t_lo[block, None] - t_c) * _TILE) * apart, out=terms[0])
            terms[0][~real] = 0.0
            rise = np.where(real, np.exp(_TILE * apart), 0.0)
            for w in range(1, W):
                np.multiply(terms[w - 1], rise, out=terms[w])
        powers = np.empty((C, _TILE, columns))  # exp(jλ_k) by rows of j, handed over transposed
        powers[:, 0, :] = 1.0
        powers[:, 1, :] = unit[index]
        for p in range(2, _TILE):
            np.multiply(powers[:, p - 1, :], powers[:, 1, :], out=powers[:, p, :])
        t = np.minimum(t_lo[block, None] + w_all[None, :W], tiles - 1)  # past a chunk's tiles: not added
        log_g = (tile_beta[t] - tile_beta[t_c]) + ((t - t_c) * _TILE) * lam_c
        with np.errstate(over="ignore", invalid="ignore"):
            sums = np.matmul(terms.transpose(1, 0, 2), powers.transpose(0, 2, 1), out=sums_buf[: C * W * _TILE].reshape(C, W, _TILE))
            sums *= np.exp(log_g)[:, :, None]
            sums *= np.take(factor, t, axis=0, out=scale_buf[: C * W * _TILE].reshape(C, W, _TILE))
        flat = sums.reshape(C, W * _TILE)
        for c, at, size_c in zip(range(C), at_of[block].tolist(), size_of[block].tolist()):
            out[at : at + size_c] += flat[c, :size_c]
