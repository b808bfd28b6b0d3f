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
  is <= 0; its terms are summed 64 steps at a time over the 16-entry tiles their windows meet, as
  :func:`~boundcalc.count_noise_starts.noise_starts` does (one exp per step at its chunk's first tile, products
  along the tiles after it), with ln C(N, m) from a long double table certified far below the log-factorials'
  bound.

Cost (``benchmarks/bench_noise_edges.py``, L = 16384, every T = 1000..16384, CPU on a machine at load 4–5):
[0, 300) cosine 0.8 s, geometric 0.4 s, cosine2 3.6 s (a tenth of its steps have r < 0.027), [L − 300, L) linear
0.4 s; [0, 32) cosine 0.2 s, cosine2 1.3–1.6 s.

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
_CHUNK = 64
#: the cut mass per row (every step's terms outside its window, every dropped step's terms in [lo, hi)) is at most
#: 2L·e^{−λ} = 2^−_CUT_BITS
_CUT_BITS = 46
_BLOCK = 1 << 18
#: steps of one pass (a group of rows): its arrays stay in the cache
_GROUP = 1 << 16
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
_LINEAR_HALF = math.log1p(_E7M1 / 2)  # φ = 1/2 (the orientation's threshold: any float near it will do)
_GEOMETRIC_HALF = math.log1p(_EM1 / 2)

#: noise -> relative error bounds of (r_k, 1 − r_k, Δr_k for k < T) from :func:`step_laws`, in units of ε = 2^−53
#: (docs/theory.md §12, "Edge start sizes": libm within 4 ulps = 8ε, each argument's error times the function's
#: condition number)
LAW_ERRORS = {"cosine": (11, 23, 23), "cosine2": (23, 23, 23), "linear": (18, 11, 34), "geometric": (32, 39, 119)}


def step_laws(noise: str, T: "np.ndarray", k: "np.ndarray") -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(r_k, 1 − r_k, Δr_k) of step k (0 <= k <= T) of ``mdlm:T:noise``, as float64 each within
    :data:`LAW_ERRORS` of its true value; Δr_T = 1 − r_T (the last step reveals the rest)."""
    import numpy as np

    T = np.asarray(T, dtype=np.int64).reshape(-1)
    k = np.asarray(k, dtype=np.int64).reshape(-1)
    return _laws(noise, T, np.arange(T.size), k)


def _laws(noise: str, T_rows: "np.ndarray", row_of: "np.ndarray", k: "np.ndarray"
          ) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """:func:`step_laws` of steps k of the rows ``row_of`` (indices into ``T_rows``): what depends on T alone
    (the gap's sine or exponential) once per row."""
    import numpy as np

    rows_den = T_rows.astype(np.float64) * 1e5  # exact below 2^53
    T = T_rows[row_of]
    den = rows_den[row_of]
    kf = k.astype(np.float64)
    num = kf * _RISE
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if noise == "cosine":  # φ(u) = sin(πu/2); 1 − sin x = 2 sin²(π(1 − u)/4); sin a − sin b = 2 cos·sin
            gap = (2.0 * np.sin(_QUARTER_PI * (_RISE / rows_den)))[row_of]
            r = np.sin(_HALF_PI * (num / den))
            a = np.sin(_QUARTER_PI * ((den - num) / den))
            a *= a
            a *= 2.0
            d = np.sin(_QUARTER_PI * ((2 * den - (num + num + _RISE)) / den))
            d *= gap
        elif noise == "cosine2":  # φ(u) = sin²(πu/2); sin²x − sin²y = sin(x + y)·sin(x − y), x + y folded below π/2
            gap = np.sin(_HALF_PI * (_RISE / rows_den))[row_of]
            r = np.sin(_HALF_PI * (num / den))
            r *= r
            a = np.sin(_HALF_PI * ((den - num) / den))
            a *= a
            both = num + num + _RISE
            d = np.sin(_HALF_PI * (np.minimum(both, 2 * den - both) / den))
            d *= gap
        elif noise == "linear":  # φ(u) = expm1(6.999u)/(e^7 − 1), 1 − φ = −expm1(−(7 − 6.999u))/(1 − e^−7)
            rows_scale = T_rows.astype(np.float64) * 1e8
            gap = (np.expm1((6999.0 * _RISE) / rows_scale) / _E7M1)[row_of]
            scale = rows_scale[row_of]
            step = kf * (6999.0 * _RISE)
            x = step / scale
            r = np.expm1(x) / _E7M1
            a = -np.expm1(-((7.0 * scale - step) / scale)) / _OM7
            d = np.exp(x)
            d *= gap
        elif noise == "geometric":  # s = 1000^−u: φ = expm1(1 − s)/(e − 1), 1 − φ = −expm1(−s)/(1 − e^−1)
            gap_y = (_RISE / rows_den) * _LN1000
            shrink = -np.expm1(-gap_y)  # 1 − 1000^−h
            keep = np.exp(-gap_y)[row_of]  # 1000^−h
            shrink = shrink[row_of]
            y = (num / den) * _LN1000
            s = np.exp(-y)
            r = np.expm1(-np.expm1(-y)) / _EM1
            a = -np.expm1(-s) / _OMEM1
            d = np.exp(-(s * keep))  # e^{−s_{k+1}}
            d *= -np.expm1(-(s * shrink))  # 1 − e^{−(s_k − s_{k+1})}
            d /= _OMEM1
        else:
            raise ValueError(f"unknown noise {noise!r}: one of {', '.join(NOISES)}")
    last = k >= T
    if last.any():
        d[last] = a[last]
    return r, a, d


def _oriented_laws(noise: str, T_rows: "np.ndarray", row_of: "np.ndarray", k: "np.ndarray"
                   ) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(ρ_k = min(r_k, 1 − r_k), mirror = ρ_k is 1 − r_k, Δr_k) of steps k >= 1 of the rows ``row_of``: :func:`_laws`'
    forms, the one of r and 1 − r the orientation needs only (one libm call for ρ). The orientation is decided on
    u (r > 1/2 past φ⁻¹(1/2), rounded: ρ may exceed 1/2 by a few ε there, within the bounds' room)."""
    import numpy as np

    rows_den = T_rows.astype(np.float64) * 1e5
    T = T_rows[row_of]
    den = rows_den[row_of]
    kf = k.astype(np.float64)
    num = kf * _RISE
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if noise == "cosine":  # r = sin(πu/2) <= 1/2 for u <= 1/3, else 1 − r = 2 sin²(π(1 − u)/4)
            mirror = 3 * num > den
            rho = np.sin(np.where(mirror, _QUARTER_PI * ((den - num) / den), _HALF_PI * (num / den)))
            rho = np.where(mirror, 2.0 * (rho * rho), rho)
            d = np.sin(_QUARTER_PI * ((2 * den - (num + num + _RISE)) / den))
            d *= (2.0 * np.sin(_QUARTER_PI * (_RISE / rows_den)))[row_of]
        elif noise == "cosine2":  # r = sin²(πu/2), 1 − r = sin²(π(1 − u)/2): the smaller angle
            mirror = 2 * num > den
            rho = np.sin(_HALF_PI * (np.minimum(num, den - num) / den))
            rho *= rho
            both = num + num + _RISE
            d = np.sin(_HALF_PI * (np.minimum(both, 2 * den - both) / den))
            d *= np.sin(_HALF_PI * (_RISE / rows_den))[row_of]
        elif noise == "linear":  # r = expm1(x)/(e^7 − 1) <= 1/2 for x <= ln(1 + (e^7 − 1)/2)
            scale = (T_rows.astype(np.float64) * 1e8)[row_of]
            step = kf * (6999.0 * _RISE)
            x = step / scale
            mirror = x > _LINEAR_HALF
            rho = np.expm1(np.where(mirror, -((7.0 * scale - step) / scale), x))
            rho /= np.where(mirror, -_OM7, _E7M1)
            d = np.exp(x)
            d *= (np.expm1((6999.0 * _RISE) / (T_rows.astype(np.float64) * 1e8)) / _E7M1)[row_of]
        else:  # geometric: r = expm1(g)/(e − 1) <= 1/2 for g = 1 − s <= ln(1 + (e − 1)/2)
            gap_y = (_RISE / rows_den) * _LN1000
            y = (num / den) * _LN1000
            s = np.exp(-y)
            g = -np.expm1(-y)
            mirror = g > _GEOMETRIC_HALF
            rho = np.expm1(np.where(mirror, -s, g))
            rho /= np.where(mirror, -_OMEM1, _EM1)
            d = np.exp(-(s * np.exp(-gap_y)[row_of]))  # e^{−s_{k+1}}
            d *= -np.expm1(-(s * (-np.expm1(-gap_y))[row_of]))  # 1 − e^{−(s_k − s_{k+1})}
            d /= _OMEM1
    last = np.flatnonzero(k >= T)
    if last.size:  # the last step reveals the rest: Δr_T = 1 − r_T
        d[last] = _laws(noise, T_rows, row_of[last], k[last])[1]
    return rho, mirror, d


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
    (T.size,): a certified bound on |computed - true| of every entry of that row.

    The bound is absolute (the row's relative rounding bound at its largest entry, plus the cut mass 2^−46 and the
    underflow), against the exact start sizes of the sampler (r_k = φ(u_k) exactly: the target of
    :func:`~boundcalc.count_noise_starts.noise_starts`' bound too). A row's values and bound do not depend on
    the other rows of the call."""
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
    tail = math.log(2 * L * 2.0**_CUT_BITS)  # 2L·e^{−tail} = 2^−_CUT_BITS
    first, last = _dropped_ends(noise, L, T, lo, hi, tail)
    rel = np.zeros(rows)
    if lo == 0:  # step 0: r_0 = 0, all its mass L·Δr_0 = L·r_1 at m = 0
        r1 = step_laws(noise, T, np.ones_like(T))[0]
        out[:, 0] = L * r1
        rel[:] = (LAW_ERRORS[noise][0] + 1) * _EPS
    first = np.maximum(first, 1)
    counts = np.maximum(last - first + 1, 0)
    log_error, chunks, spans, n_steps = (np.zeros(rows) for _ in range(4))
    # rows in groups of about _GROUP steps: every array of a group stays in the cache
    ends = np.searchsorted(np.cumsum(counts), np.arange(1, int(counts.sum()) // _GROUP + 2) * _GROUP, side="right")
    cuts = np.unique(np.concatenate(([0], np.minimum(ends, rows), [rows])))
    for g0, g1 in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        if g1 <= g0:
            continue
        part = counts[g0:g1]
        row_of = np.repeat(np.arange(g1 - g0), part)
        heads = np.cumsum(part) - part
        k = np.arange(int(part.sum()), dtype=np.int64) - np.repeat(heads - first[g0:g1], part)
        steps = _steps(noise, L, T[g0:g1], row_of, k, lo, hi, tail)
        log_error[g0:g1] = _log_errors(noise, L, lo, hi, g1 - g0, steps)
        chunks[g0:g1], spans[g0:g1] = _sum_tiles(L, lo, hi, steps, g1 - g0, out[g0:g1])
        n_steps[g0:g1] = steps["count"]
    # per term: three exps and the products (160ε); the products along a chunk's tiles (each hop's factor)
    hops = np.maximum(spans - 1, 0) * (153 + 16 * math.log(N) + 2)
    terms = np.expm1(log_error * (1 + 1e-6)) * (1 + (160 + hops) * _EPS) + (160 + hops) * _EPS
    rel = np.maximum(rel, np.where(chunks > 0, terms, 0.0))
    # the sums of non-negative terms: 31 additions in a matrix product, 2 per chunk of the row, 4 more
    rel = (rel + (np.where(chunks > 0, _CHUNK, 0) + 2 * chunks + 4) * _EPS) * (1 + 1e-6)
    underflow = (n_steps + 1) * 2.0**-1020 * float(N) ** 15 * _TILE
    absolute = 2.0**-_CUT_BITS * (1 + 1e-9) + underflow
    peak = out.max(axis=1)
    return out, rel * peak / (1 - rel) * (1 + 1e-9) + absolute


def _steps(noise: str, L: int, T_rows: "np.ndarray", row_of: "np.ndarray", k: "np.ndarray", lo: int, hi: int,
           tail: float) -> dict:
    """The steps k (>= 1) of rows ``row_of`` whose windows meet [lo, hi), in row order: each one's row, orientation
    (``mirror``: 1 − r_k < r_k, taken as m' = N − m, ρ = 1 − r_k), α = ln(LΔr) + N ln(1 − ρ), slope
    λ = ln ρ − ln(1 − ρ) (<= 0 up to rounding) and the tiles its window meets ([tile, tile_end), from its
    orientation's lo'), the window Bernstein's at λ = ``tail`` widened by one entry each side for ρ's error; and
    per row the extremes the error bound needs (:func:`_log_errors`)."""
    import numpy as np

    N = L - 1
    rho, mirror, d = _oriented_laws(noise, T_rows, row_of, k)
    ln_sigma = np.log1p(-rho)
    slope = np.log(rho)
    slope -= ln_sigma
    if slope.size and float(slope.min()) < -45:  # exp(15λ) would be subnormal: not reached for T <= 10⁷
        raise ValueError("edge_starts: a step reveals too little for the tiles' powers")
    d *= L
    ln_w = np.log(d)
    alpha = ln_w + N * ln_sigma
    low = np.where(mirror, L - hi, lo)
    centre = N * rho
    spread = centre * (1 - rho)
    spread *= 2 * tail
    spread += tail * tail / 9
    np.sqrt(spread, out=spread)
    spread += tail / 3
    start = np.floor(centre - spread) - 1 - low
    end = np.ceil(centre + spread) + 2 - low
    np.maximum(start, 0, out=start)
    np.minimum(end, hi - lo, out=end)
    keep = end > start
    if not keep.all():
        row_of, mirror, alpha, slope, start, end, rho, ln_w = (x[keep] for x in (row_of, mirror, alpha, slope, start,
                                                                                end, rho, ln_w))
    tile = start.astype(np.int64) // _TILE
    tile_end = (end.astype(np.int64) - 1) // _TILE + 1
    count = np.bincount(row_of, minlength=T_rows.size)
    heads = np.cumsum(count) - count
    live = np.flatnonzero(count)
    extremes = {}
    if live.size:
        at = heads[live]
        for name, values, reduce in (("rho_low", rho, np.minimum), ("rho_high", rho, np.maximum),
                                     ("w_low", ln_w, np.minimum), ("w_high", ln_w, np.maximum),
                                     ("any_mirror", mirror.astype(np.int8), np.maximum),
                                     ("any_forward", (~mirror).astype(np.int8), np.maximum)):
            extremes[name] = np.zeros(T_rows.size, dtype=values.dtype)
            extremes[name][live] = reduce.reduceat(values, at)
    return {"row": row_of, "mirror": mirror, "alpha": alpha, "slope": slope, "tile": tile, "tile_end": tile_end,
            "count": count, "live": live, **extremes}


def _log_errors(noise: str, L: int, lo: int, hi: int, rows: int, steps: dict) -> "np.ndarray":
    """Per row a bound on the error of the log of each of its terms (docs/theory.md §12, "Edge start sizes"),
    from the row's extremes over its steps (the bound increases with |ln LΔr|, ρ, |ln ρ| and m'_top): the inputs'
    errors (Δr's, ρ's through ln ρ and ln(1 − ρ), β's) and the roundings of the two arguments."""
    import numpy as np

    N = L - 1
    out = np.zeros(rows)
    live = steps["live"]
    if not live.size:
        return out
    c_r, c_a, c_d = LAW_ERRORS[noise]
    e_rho = max(c_r, c_a) * _EPS * (1 + 1e-6)
    e_d = max(c_a, c_d) * _EPS * (1 + 1e-6)
    w = np.maximum(np.abs(steps["w_low"][live]), np.abs(steps["w_high"][live])) * (1 + 1e-12)
    rho = steps["rho_high"][live] * (1 + 1e-12)
    ln_rho = -np.log(steps["rho_low"][live]) * (1 + 1e-12)
    ln_sigma = -np.log1p(-rho) * (1 + 1e-12)
    # the largest oriented index of a kept term: hi − 1 forward, L − lo − 1 mirrored
    top = np.maximum(np.where(steps["any_forward"][live] > 0, hi - 1, 0),
                     np.where(steps["any_mirror"][live] > 0, L - lo - 1, 0)).astype(np.float64)
    beta_top, beta_error = _beta_tops(L, lo, hi)
    slope = ln_rho + ln_sigma
    inputs = (e_d * 1.0001 + _EPS + 8 * _EPS * w + N * (2 * e_rho * rho * 1.0001 + 8 * _EPS * ln_sigma)
              + top * (1.0001 * e_rho + 8 * _EPS * ln_rho + _EPS * slope) + beta_error)
    rounding = _EPS * (3 * w + 4 * N * ln_sigma + 4 * beta_top + 2 * top * slope)
    out[live] = (inputs + rounding) * (1 + 1e-6)
    return out


def _beta_tops(L: int, lo: int, hi: int) -> tuple[float, float]:
    """The largest ln C(N, m) and its largest error bound over m in [lo, hi) (the same for the mirrored window)."""
    import numpy as np

    values, error = _beta(L, np.arange(lo, hi))
    return float(values.max()), float(error.max())


def _sum_tiles(L: int, lo: int, hi: int, steps: dict, rows: int, out: "np.ndarray"
               ) -> "tuple[np.ndarray, np.ndarray]":
    """Adds every step's terms into ``out`` (rows × (hi − lo)): per chunk of 64 consecutive steps of one row and
    orientation, the (tiles × steps) first factors exp(α_k + β(m₀) + m₀λ_k) @ (steps × 16) (e^{λ_k})^j, times
    exp(β(m₀ + j) − β(m₀)), m₀ = lo' + 16t the tile's first oriented index. The first factors of a chunk's first
    tile are exps, each next tile's the one before times exp(β(m₀ + 16) − β(m₀))·(e^{λ_k})^16 (the terms along a
    step's tiles are log-concave, so once small they stay small); a chunk whose first factor at its first tile is
    below e^{−690} for some step (a wide chunk of a wide window) takes one exp per tile instead. Returns per row its
    chunks and its chunks' largest span in tiles."""
    import numpy as np

    width = hi - lo
    tiles = -(-width // _TILE)
    stride = tiles * _TILE
    j = np.arange(_TILE)
    # per orientation (0: m' = m, lo' = lo; 1: m' = N − m, lo' = L − hi) the tiles' first β and their factors
    firsts = np.stack([lo + np.arange(tiles) * _TILE, L - hi + np.arange(tiles) * _TILE])
    tile_beta = _beta(L, firsts)[0]
    inside = np.minimum(firsts[:, :, None] + j, L - 1)
    factor = np.exp(_beta(L, inside)[0] - tile_beta[:, :, None])
    rise = np.ones((2, tiles + 1))  # rise[o, t]: from tile t − 1 to tile t
    rise[:, 1:tiles] = np.exp(tile_beta[:, 1:] - tile_beta[:, :-1])
    m0 = firsts.astype(np.float64)
    group = steps["row"] * 2 + steps["mirror"]
    alpha, slope, tile, tile_end = steps["alpha"], steps["slope"], steps["tile"], steps["tile_end"]
    if group.size and np.any(group[1:] < group[:-1]):
        order = np.argsort(group, kind="stable")
        group, alpha, slope, tile, tile_end = group[order], alpha[order], slope[order], tile[order], tile_end[order]
    chunks, spans = np.zeros(rows, dtype=np.int64), np.zeros(rows, dtype=np.int64)
    if not group.size:
        return chunks, spans
    heads = np.nonzero(np.diff(group, prepend=-1))[0]
    rank = np.arange(group.size) - np.repeat(heads, np.diff(np.append(heads, group.size)))
    bounds = np.nonzero(rank % _CHUNK == 0)[0]
    size = np.diff(np.append(bounds, group.size))
    t_lo = np.minimum.reduceat(tile, bounds)
    span = np.maximum.reduceat(tile_end, bounds) - t_lo
    chunk_group = group[bounds]
    np.add.at(chunks, chunk_group // 2, 1)
    np.maximum.at(spans, chunk_group // 2, span)
    orient = chunk_group % 2
    base = chunk_group * stride
    sums = np.zeros(rows * 2 * stride + (tiles + 1) * _TILE)  # room for a last chunk's padding tiles
    unit = np.exp(slope)
    s = np.arange(_CHUNK)
    per_block = max(1, _BLOCK // ((int(span.max()) + _TILE) * _CHUNK))  # the first factors and the powers
    for cut in range(0, bounds.size, per_block):
        block = np.arange(cut, min(cut + per_block, bounds.size))
        W = int(span[block].max())
        index = np.minimum(bounds[block, None] + s[None, :], group.size - 1)
        real = s[None, :] < size[block, None]
        a_cs = np.where(real, alpha[index], -np.inf)
        l_cs = np.where(real, slope[index], 0.0)
        o, first = orient[block], t_lo[block]
        t = first[:, None] + np.arange(W)[None, :]
        in_span = t < (first + span[block])[:, None]
        t = np.minimum(t, tiles - 1)
        powers = np.empty((_TILE, block.size, _CHUNK))  # (e^λ)^j, j-major (each power one contiguous slice)
        powers[0] = 1.0
        powers[1] = np.where(real, unit[index], 1.0)
        for p in range(2, _TILE):
            np.multiply(powers[p - 1], powers[1], out=powers[p])
        with np.errstate(under="ignore"):
            terms = _first_factors(a_cs, l_cs, real, o, first, t, in_span, powers, tile_beta, m0, rise)
            block_sums = np.matmul(terms.transpose(1, 0, 2), powers.transpose(1, 2, 0))
        # a chunk's tiles are consecutive entries of its group's row (past its span its sums are 0)
        places = (base[block] + first * _TILE)[:, None] + np.arange(W * _TILE)[None, :]
        first_place = int(places[:, 0].min())
        found = np.bincount(places.ravel() - first_place, weights=block_sums.ravel())
        sums[first_place: first_place + found.size] += found
    entries = sums[:rows * 2 * stride].reshape(rows, 2, tiles, _TILE)
    entries *= factor[None]  # exp(β(m₀ + j) − β(m₀)) of each tile, once per entry after the sums
    both = entries.reshape(rows, 2, stride)[:, :, :width]
    out += both[:, 0, :]
    out += both[:, 1, ::-1]
    return chunks, spans


def _first_factors(a_cs: "np.ndarray", l_cs: "np.ndarray", real: "np.ndarray", o: "np.ndarray", first: "np.ndarray",
                   t: "np.ndarray", in_span: "np.ndarray", powers: "np.ndarray", tile_beta: "np.ndarray",
                   m0: "np.ndarray", rise: "np.ndarray") -> "np.ndarray":
    """(tiles × chunks × steps) exp(α_k + β(m₀) + m₀λ_k) of a block of chunks, 0 past each chunk's span: by exps at
    each chunk's first tile and products by the tiles' rises times (e^λ)^16 after it, or one exp per tile for a chunk
    where some step's first factor at its first tile is below e^{−690} (:func:`_sum_tiles`)."""
    import numpy as np

    W, C = t.shape[1], t.shape[0]
    start = a_cs + tile_beta[o, first][:, None] + m0[o, first][:, None] * l_cs
    ok = np.all(~real | (start >= -690), axis=1)
    terms = np.empty((W, C, _CHUNK))  # tile-major: each tile's factors one contiguous slice
    np.exp(start, out=terms[0])
    if W > 1:  # the next tiles' first factors by products (0 past a chunk's span)
        step = powers[_TILE - 1] * powers[1]  # e^{16λ}
        hop = np.where(in_span[:, 1:], rise[o[:, None], t[:, 1:]], 0.0).T
        np.multiply(hop[:, :, None], step[None, :, :], out=terms[1:])
        for w in range(1, W):
            terms[w] *= terms[w - 1]
    if not ok.all():
        bad = np.flatnonzero(~ok)
        argument = a_cs[bad, None, :] + tile_beta[o[bad, None], t[bad]][:, :, None] \
            + m0[o[bad, None], t[bad]][:, :, None] * l_cs[bad, None, :]
        terms[:, bad, :] = np.where(in_span[bad, :, None], np.exp(argument), 0.0).transpose(1, 0, 2)
    return terms
