"""The start sizes of ``mdlm:T:NOISE`` rows on an edge window of m only, for many T at once (values layer).

start(m) = L·Σ_k Δr_k·b_{m,N}(r_k) (N = L − 1, every step k = 0..T, the last one's Δr_T = 1 − r_T included; the
quantity of :meth:`~boundcalc.count_sampler.CountSampler.expected_start_sizes` and
:func:`~boundcalc.count_noise_starts.noise_starts`) where r_k = φ(u_k), u_k = 99999k/(10⁵T), is the noise's reveal
law at the grid points (:mod:`boundcalc.count_noise`). A caller that needs start(m) on [lo, hi) only (the first few
hundred cells of cosine, cosine2 and geometric rows, the last few hundred of linear rows) pays here for the steps
whose binomial window meets [lo, hi), not for T or L:

* the steps below (above) every window are found by bisection on k with a certified Bernstein bound at the true
  r_k: P(Bin(N, r) >= lo) (P(Bin(N, r) < hi)) is monotone in r, so one certified step certifies every earlier
  (later) one, and their mass in [lo, hi) is at most e^{−λ} each;
* r_k, 1 − r_k and Δr_k come straight from φ at the grid points by forms without cancellation (products of sines,
  expm1), each within a few ε of the true value (no running sums);
* a step with r_k > 1/2 is taken mirrored (m' = N − m, r' = 1 − r_k), so every step's slope λ = ln(r'/(1 − r'))
  is <= 0; its terms are summed 32 steps at a time over the 16-entry tiles their windows meet, as
  :func:`~boundcalc.count_noise_starts.noise_starts` does, with ln C(N, m) from a long double table certified
  far below the log-factorials' bound.

The certified error of every entry (the inputs, β, the roundings, the cut mass) is derived in docs/theory.md §12,
"Edge start sizes".
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["edge_starts", "step_laws", "LAW_ERRORS", "NOISES"]

_EPS = 2.0**-53
_LD_UNIT = 2.0**-64
_TILE = 16
_CHUNK = 32
#: the cut mass per row (every step's terms outside its window, every dropped step's terms in [lo, hi)) is at most
#: 2L·e^{−λ} = 2^−_CUT_BITS
_CUT_BITS = 46
_BLOCK = 1 << 18
_RISE = 99999  # u_k = 99999k/(10⁵T)
_MOST_STEPS = 10**7  # linear's 699893001·k and 7·10⁸·T stay exact integers in float64 below ~1.28·10⁷
NOISES = ("cosine", "cosine2", "linear", "geometric")

_HALF_PI = math.pi / 2  # math.pi is π correctly rounded; halving and quartering are exact
_QUARTER_PI = math.pi / 4
_LN1000 = float("6.90775527898213705205397436405309262")
_E7M1 = float("1095.63315842845859926372023828812143")  # e^7 − 1
_OM7 = float("0.999088118034445483791996863915590717")  # 1 − e^−7
_EM1 = float("1.7182818284590452353602874713526625")  # e − 1
_OMEM1 = float("0.632120558828557678404476229838539133")  # 1 − e^−1

#: noise -> relative error bounds of (r_k, 1 − r_k, Δr_k for k < T) from :func:`step_laws`, in units of ε = 2^−53
#: (docs/theory.md §12, "Edge start sizes": libm within 4 ulps = 8ε, each argument's error times the function's
#: condition number)
LAW_ERRORS = {"cosine": (11, 23, 23), "cosine2": (23, 23, 23), "linear": (18, 11, 34), "geometric": (32, 39, 89)}


def step_laws(noise: str, T: "np.ndarray", k: "np.ndarray") -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(r_k, 1 − r_k, Δr_k) of step k (0 <= k <= T) of ``mdlm:T:noise``, as float64 each within
    :data:`LAW_ERRORS` of its true value; Δr_T = 1 − r_T (the last step reveals the rest)."""
    import numpy as np

    T = np.asarray(T, dtype=np.int64)
    k = np.asarray(k, dtype=np.int64)
    den = T.astype(np.float64) * 1e5  # exact below 2^53
    num = k.astype(np.float64) * _RISE
    rest = den - num  # (1 − u_k)·den, an exact integer
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if noise == "cosine":  # φ(u) = sin(πu/2); 1 − sin x = 2 sin²(π(1 − u)/4); sin a − sin b = 2 cos·sin
            r = np.sin(_HALF_PI * (num / den))
            a = 2.0 * np.sin(_QUARTER_PI * (rest / den)) ** 2
            d = 2.0 * np.sin(_QUARTER_PI * ((2 * den - (2 * k + 1).astype(np.float64) * _RISE) / den)) \
                * np.sin(_QUARTER_PI * (_RISE / den))
        elif noise == "cosine2":  # φ(u) = sin²(πu/2); sin²x − sin²y = sin(x + y)·sin(x − y), x + y folded below π/2
            r = np.sin(_HALF_PI * (num / den)) ** 2
            a = np.sin(_HALF_PI * (rest / den)) ** 2
            both = (2 * k + 1).astype(np.float64) * _RISE
            d = np.sin(_HALF_PI * (np.minimum(both, 2 * den - both) / den)) * np.sin(_HALF_PI * (_RISE / den))
        elif noise == "linear":  # φ(u) = expm1(6.999u)/(e^7 − 1), 1 − φ = −expm1(−(7 − 6.999u))/(1 − e^−7)
            scale = T.astype(np.float64) * 1e8
            x = (k.astype(np.float64) * (6999.0 * _RISE)) / scale
            r = np.expm1(x) / _E7M1
            a = -np.expm1(-((7e8 * T.astype(np.float64) - k.astype(np.float64) * (6999.0 * _RISE)) / scale)) / _OM7
            d = np.exp(x) * np.expm1((6999.0 * _RISE) / scale) / _E7M1
        elif noise == "geometric":  # s = 1000^−u: φ = expm1(1 − s)/(e − 1), 1 − φ = −expm1(−s)/(1 − e^−1)
            y = (num / den) * _LN1000
            r = np.expm1(-np.expm1(-y)) / _EM1
            a = -np.expm1(-np.exp(-y)) / _OMEM1
            s_next = np.exp(-(((k + 1).astype(np.float64) * _RISE) / den) * _LN1000)
            gap = np.exp(-y) * -np.expm1(-((_RISE / den) * _LN1000))  # s_k − s_{k+1}
            d = np.exp(-s_next) * -np.expm1(-gap) / _OMEM1
        else:
            raise ValueError(f"unknown noise {noise!r}: one of {', '.join(NOISES)}")
    d = np.where(k >= T, a, d)
    return r, a, d


@lru_cache(maxsize=4)
def _log_binomials(L: int) -> "tuple[np.ndarray, np.ndarray]":
    """(ln C(N, m) for m = 0..⌊N/2⌋, a bound on each one's error), N = L − 1: a long double running sum of
    ln((N − i)/(i + 1)) (every term >= 0 there), rounded once to float64 (docs/theory.md §12, "Edge start sizes")."""
    import numpy as np

    N = L - 1
    half = N // 2
    i = np.arange(half, dtype=np.longdouble)
    terms = np.log((np.longdouble(N) - i) / (i + 1))
    table = np.zeros(half + 1, dtype=np.longdouble)
    np.cumsum(terms, out=table[1:])
    values = table.astype(np.float64)
    m = np.arange(half + 1, dtype=np.float64)
    error = (_LD_UNIT * ((m + 9) * values + m) + _EPS * values) * (1 + 1e-6)
    values.flags.writeable = error.flags.writeable = False
    return values, error


def _beta(L: int, m: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]":
    """ln C(N, m) and its error bound for every m in 0..N (by C(N, m) = C(N, N − m))."""
    import numpy as np

    values, error = _log_binomials(L)
    index = np.minimum(m, L - 1 - m)
    return values[index], error[index]


def _bernstein_clear(x_low: "np.ndarray", variance: "np.ndarray", tail: float) -> "np.ndarray":
    """True where a deviation of at least ``x_low`` > 0 from the mean of a binomial of variance at most ``variance``
    has probability at most e^{−tail} by Bernstein (x²/(2(v + x/3)) >= tail), with 10⁻⁹ of room for the rounding."""

    return (x_low > 0) & (x_low * x_low >= 2 * tail * (variance + x_low / 3) * (1 + 1e-9))


def _dropped_ends(noise: str, L: int, T: "np.ndarray", lo: int, hi: int, tail: float
                  ) -> "tuple[np.ndarray, np.ndarray]":
    """Per row the first and last step whose terms are summed: every step before the first has
    P(Bin(N, r_k) >= lo) <= e^{−tail}, every step after the last P(Bin(N, r_k) < hi) <= e^{−tail}. Bisection on k,
    each probe certified at the true r_k from the computed one and its error (:data:`LAW_ERRORS`); both
    probabilities are monotone in r and r_k increases with k, so a certified step certifies all before (after) it."""
    import numpy as np

    N = L - 1
    e_r, e_a, _ = (c * _EPS * 1.01 for c in LAW_ERRORS[noise])

    def below(k: "np.ndarray", rows: "np.ndarray") -> "np.ndarray":  # every mass of step k lies below lo
        r, a, _ = step_laws(noise, T[rows], k)
        return _bernstein_clear(lo - N * r * (1 + e_r), N * r * a * (1 + e_r) * (1 + e_a), tail)

    def above(k: "np.ndarray", rows: "np.ndarray") -> "np.ndarray":  # every mass of step k lies at hi or above
        r, a, _ = step_laws(noise, T[rows], k)
        return _bernstein_clear(N * r * (1 - e_r) - (hi - 1), N * r * a * (1 + e_r) * (1 + e_a), tail)

    first = np.zeros(T.size, dtype=np.int64)
    if lo > 0:  # step 0 (r = 0) has all its mass at m = 0 < lo
        good, bad = np.zeros(T.size, dtype=np.int64), T + 1
        good, bad = _bisect(good, bad, below, True)
        first = good + 1
    last = T.copy()
    if hi < L:
        bad, good = first - 1, T + 1
        bad, good = _bisect(bad, good, above, False)
        last = good - 1
    return first, last


def _bisect(low: "np.ndarray", high: "np.ndarray", test: Any, keep_low: bool) -> "tuple[np.ndarray, np.ndarray]":
    """Narrow [low, high] to neighbours, keeping ``test`` true at ``low`` (``keep_low``) or at ``high``."""
    import numpy as np

    low, high = low.copy(), high.copy()
    while True:
        open_ = np.flatnonzero(high - low > 1)
        if not open_.size:
            return low, high
        mid = (low[open_] + high[open_]) // 2
        passed = test(mid, open_)
        if keep_low:
            low[open_] = np.where(passed, mid, low[open_])
            high[open_] = np.where(passed, high[open_], mid)
        else:
            high[open_] = np.where(passed, mid, high[open_])
            low[open_] = np.where(passed, low[open_], mid)


def edge_starts(noise: str, L: int, T: "np.ndarray", lo: int, hi: int) -> "tuple[np.ndarray, np.ndarray]":
    """start(m) for every row T_i (int64 array, each >= 1) of the sampler mdlm:T_i:NOISE at length L and every
    m in [lo, hi) (0 <= lo < hi <= L), as float64 of shape (T.size, hi - lo), and a float64 array of shape
    (T.size,): a certified bound on |computed - true| of every entry of that row."""
    import numpy as np

    if noise not in NOISES:
        raise ValueError(f"unknown noise {noise!r}: one of {', '.join(NOISES)}")
    L, lo, hi = int(L), int(lo), int(hi)
    if not 0 <= lo < hi <= L:
        raise ValueError(f"edge_starts: need 0 <= lo < hi <= L, got lo = {lo}, hi = {hi}, L = {L}")
    T = np.asarray(T, dtype=np.int64).reshape(-1)
    if T.size and (T.min() < 1 or T.max() > _MOST_STEPS):
        raise ValueError(f"edge_starts: T out of 1..{_MOST_STEPS}")
    rows, width = T.size, hi - lo
    out = np.zeros((rows, width))
    if L == 1:  # start(0) = L·Σ_k Δr_k = 1 exactly
        out[:] = 1.0
        return out, np.zeros(rows)
    N = L - 1
    tail = math.log(2 * L) + _CUT_BITS * math.log(2)
    first, last = _dropped_ends(noise, L, T, lo, hi, tail)
    rel = np.zeros(rows)
    if lo == 0:  # step 0: r_0 = 0, all its mass L·Δr_0 = L·r_1 at m = 0
        r1 = step_laws(noise, T, np.ones_like(T))[0]
        out[:, 0] = L * r1
        rel[:] = (LAW_ERRORS[noise][0] + 1) * _EPS
    first = np.maximum(first, 1)
    counts = np.maximum(last - first + 1, 0)
    row_of = np.repeat(np.arange(rows), counts)
    heads = np.cumsum(counts) - counts
    k = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(heads - first, counts)
    steps = _steps(noise, L, T[row_of], k, lo, hi, tail)
    keep = steps["end"] > steps["start"]
    steps = {name: value[keep] for name, value in steps.items()}
    row_of = row_of[keep]
    log_error = steps["log_error"]
    chunk_rows, chunk_bound = _sum_tiles(L, lo, hi, row_of, steps, rows, out)
    top = np.zeros(rows)
    np.maximum.at(top, row_of, log_error)
    chunks = np.bincount(chunk_rows, minlength=rows)
    terms = np.expm1(top * (1 + 1e-6)) * (1 + 160 * _EPS) + 160 * _EPS
    rel = np.maximum(rel, np.where(np.bincount(row_of, minlength=rows) > 0, terms, 0.0))
    rel = (rel + (np.where(chunks > 0, chunk_bound, 0) + 2 * chunks + 4) * _EPS) * (1 + 1e-6)
    n_steps = np.bincount(row_of, minlength=rows)
    underflow = (n_steps + 1) * 2.0**-1020 * float(N) ** 15 * _TILE
    absolute = 2.0**-_CUT_BITS * (1 + 1e-9) + underflow
    peak = out.max(axis=1) if width else np.zeros(rows)
    return out, rel * peak / (1 - rel) * (1 + 1e-9) + absolute


def _steps(noise: str, L: int, T: "np.ndarray", k: "np.ndarray", lo: int, hi: int, tail: float) -> dict:
    """Per step (1 <= k <= T) its orientation (``mirror``: r_k > 1/2, taken as m' = N − m, r' = 1 − r_k), α = ln(LΔr)
    + N ln(1 − r'), slope λ = ln r' − ln(1 − r') <= 0, its window [start, end) in its orientation's coordinates
    within [lo', hi') (Bernstein's at λ = ``tail``, widened by one entry each side for r's error), and the
    absolute error bound of the log of each of its terms (docs/theory.md §12, "Edge start sizes")."""
    import numpy as np

    N = L - 1
    r, a, d = step_laws(noise, T, k)
    c_r, c_a, c_d = LAW_ERRORS[noise]
    mirror = r > 0.5
    rho = np.where(mirror, a, r)
    e_rho = np.where(mirror, c_a, c_r) * _EPS * (1 + 1e-6)
    e_d = np.where(k >= T, c_a, c_d) * _EPS * (1 + 1e-6)
    ln_rho = np.log(rho)
    ln_sigma = np.log1p(-rho)
    slope = ln_rho - ln_sigma
    if slope.size and float(slope.min()) < -45:  # exp(15λ) would be subnormal: not reached for T <= 10⁷
        raise ValueError("edge_starts: a step reveals too little for the tiles' powers")
    ln_w = np.log(L * d)
    alpha = ln_w + N * ln_sigma
    low = np.where(mirror, L - hi, lo)
    high = np.where(mirror, L - lo, hi)
    centre = N * rho
    spread = tail / 3 + np.sqrt(tail * tail / 9 + 2 * tail * centre * (1 - rho))
    start = np.maximum(low, np.floor(centre - spread) - 1).astype(np.int64)
    end = np.minimum(high, np.ceil(centre + spread) + 2).astype(np.int64)
    top = (high - 1).astype(np.float64)  # the largest oriented index of a kept term
    beta_top, beta_error = _beta_tops(L, lo, hi)
    inputs = (e_d * 1.0001 + _EPS + 8 * _EPS * np.abs(ln_w)
              + N * (2 * e_rho * rho * 1.0001 + 8 * _EPS * np.abs(ln_sigma))
              + top * (1.0001 * e_rho + 8 * _EPS * np.abs(ln_rho) + _EPS * np.abs(slope))
              + beta_error)
    rounding = _EPS * (3 * np.abs(ln_w) + 4 * N * np.abs(ln_sigma) + 4 * beta_top + 2 * top * np.abs(slope))
    return {"mirror": mirror, "alpha": alpha, "slope": slope, "start": start, "end": end, "low": low,
            "log_error": (inputs + rounding) * (1 + 1e-6)}


def _beta_tops(L: int, lo: int, hi: int) -> tuple[float, float]:
    """The largest ln C(N, m) and its largest error bound over m in [lo, hi) (the same for the mirrored window)."""
    import numpy as np

    values, error = _beta(L, np.arange(lo, hi))
    return float(values.max()), float(error.max())


def _sum_tiles(L: int, lo: int, hi: int, row_of: "np.ndarray", steps: dict, rows: int, out: "np.ndarray"
               ) -> "tuple[np.ndarray, int]":
    """Adds every kept step's terms into ``out`` (rows × (hi − lo)): per chunk of 32 consecutive steps of one row
    and orientation, (tiles × steps) exp(α_k + β(m₀) + m₀λ_k) @ (steps × 16) (e^{λ_k})^j, times
    exp(β(m₀ + j) − β(m₀)), m₀ = lo' + 16t the tile's first oriented index. Returns each chunk's row and the most
    additions of one matrix product's sums (for the error)."""
    import numpy as np

    width = hi - lo
    tiles = -(-width // _TILE)
    stride = tiles * _TILE
    j = np.arange(_TILE)
    # per orientation (0: m' = m, lo' = lo; 1: m' = N − m, lo' = L − hi) the tiles' first β and their factors
    firsts = np.stack([lo + np.arange(tiles) * _TILE, L - hi + np.arange(tiles) * _TILE])
    clipped = np.minimum(firsts, L - 1)
    tile_beta = _beta(L, clipped)[0]
    inside = np.minimum(firsts[:, :, None] + j, L - 1)
    factor = np.exp(_beta(L, inside)[0] - tile_beta[:, :, None])
    group = row_of * 2 + steps["mirror"]
    order = np.argsort(group, kind="stable")
    group = group[order]
    alpha, slope = steps["alpha"][order], steps["slope"][order]
    offset = (steps["start"] - steps["low"])[order], (steps["end"] - steps["low"])[order]
    if not group.size:
        return np.zeros(0, dtype=np.int64), 0
    heads = np.nonzero(np.diff(group, prepend=-1))[0]
    rank = np.arange(group.size) - np.repeat(heads, np.diff(np.append(heads, group.size)))
    bounds = np.nonzero(rank % _CHUNK == 0)[0]
    size = np.diff(np.append(bounds, group.size))
    t_lo = np.minimum.reduceat(offset[0], bounds) // _TILE
    t_hi = (np.maximum.reduceat(offset[1], bounds) - 1) // _TILE + 1
    spans = t_hi - t_lo
    chunk_group = group[bounds]
    orient = chunk_group % 2
    base = chunk_group * stride
    sums = np.zeros(rows * 2 * stride + _TILE)
    dump = rows * 2 * stride
    unit = np.exp(slope)
    s = np.arange(_CHUNK)
    # blocks of consecutive chunks (so of a few neighbouring rows: their sums land in one short slice)
    per_block = max(1, _BLOCK // (max(int(spans.max()), 1) * _CHUNK))
    for cut in range(0, bounds.size, per_block):
        block = np.arange(cut, min(cut + per_block, bounds.size))
        W = int(spans[block].max())
        index = np.minimum(bounds[block, None] + s[None, :], group.size - 1)
        real = s[None, :] < size[block, None]
        a_cs = np.where(real, alpha[index], -np.inf)
        l_cs = np.where(real, slope[index], 0.0)
        t = t_lo[block, None] + np.arange(W)[None, :]
        in_span = t < t_hi[block, None]
        t = np.where(in_span, t, t_lo[block, None])
        o = orient[block, None]
        m0 = firsts[o, t].astype(np.float64)
        with np.errstate(under="ignore"):
            terms = np.exp(a_cs[:, None, :] + tile_beta[o, t][:, :, None] + m0[:, :, None] * l_cs[:, None, :])
            powers = np.empty((block.size, _CHUNK, _TILE))
            powers[:, :, 0] = 1.0
            q = np.where(real, unit[index], 1.0)
            for p in range(1, _TILE):
                np.multiply(powers[:, :, p - 1], q, out=powers[:, :, p])
            block_sums = np.matmul(terms, powers)
            block_sums *= factor[o, t]
        block_sums *= in_span[:, :, None]  # a chunk's tiles past its span repeat its first: added as 0
        places = (base[block, None] + t * _TILE)[:, :, None] + j[None, None, :]
        first_place = int(base[block[0]])
        found = np.bincount(places.ravel() - first_place, weights=block_sums.ravel())
        sums[first_place: first_place + found.size] += found
    both = sums[:dump].reshape(rows, 2, stride)[:, :, :width]
    out += both[:, 0, :]
    out += both[:, 1, ::-1]
    return row_of[order][bounds], _CHUNK
