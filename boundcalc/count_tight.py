"""The expected error of a random-count sampler at one T with a certified error relative to the value, not to Σ d.

The coefficient form Σ_m (start_m − 1)·d(m) (:func:`boundcalc.estimate.coefficient_error`) subtracts Σ_m d(m)
(~10⁵ nats at L = 16384) from Σ_m start_m·d(m) and bounds each start size's relative error a priori: the logs of
the binomial terms have magnitudes ~10⁶, and r_k's relative error δ enters raised to powers up to L, so its
certified error is ~10⁻² where the value is ~1. Here the same quantity,

    E error = L Σ_k π_k G(r_k) − Σ_m d(m),   G(r) = Σ_m d(m)·P(Bin(L − 1, r) = m),

is evaluated step by step with each G(r_k) a *normalised* weighted mean over a window of the law: the weights'
common factor (the big logs, and (r + a)^(L−1) when r_k and a_k = 1 − r_k are rounded apart) cancels, the
exponents are taken relative to the mode in long double, and the errors that remain enter through the spread of
d inside the window (~10⁻² nats), through G′ times r_k's error, and through π_k's relative error times G. The
derivation and each term: docs/theory.md §12, "A tight single-T value".
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["tight_error", "tight_cost_us", "tight_cost_bound"]

_U = 2.0**-53  # float64 unit roundoff
_BLOCK = 256  # steps per numpy block
# measured by benchmarks/bench_count_tight.py (CPU µs per window entry and per step, shared 2-core machine)
_ENTRY_US = 0.03
_STEP_US = 2.0
_BUILD_US = 10.0  # one step's probabilities (long double for MDLM's other noises)


def _spread(sd: "Any") -> "Any":
    """Half-width of a step's window around its mode: the Chernoff bound of the mass outside is below e^-40."""
    import numpy as np

    return 30 + np.ceil(9 * sd)


def tight_cost_us(sampler: Any) -> float:
    """The estimated CPU µs of :func:`tight_error` for this sampler (O(T), from r_k alone: no window is built)."""
    import numpy as np

    before, alive, _ = sampler._start_laws()
    n = sampler.length - 1
    widths = np.minimum(n + 1, 2 * _spread(np.sqrt(n * np.clip(before, 0, 1) * np.clip(alive, 0, 1))) + 1)
    return float(widths.sum()) * _ENTRY_US + len(before) * _STEP_US + 20_000.0


def tight_cost_bound(steps: int, length: int) -> float:
    """An upper estimate of :func:`tight_cost_us` from T and L alone (every window at its widest), with the
    sampler's build (about T + 2 steps' probabilities)."""
    width = min(length, 61 + 9 * math.sqrt(length))
    return (steps + 2) * (width * _ENTRY_US + _STEP_US + _BUILD_US) + 20_000.0


def _log_binomial_table(n: int) -> tuple["Any", float]:
    """β(m) = −ln m! − ln (n − m)! for m = 0..n in long double, and κ: |error of β(m) − β(m′)| <= |m − m′|·κ + κ₀
    with κ₀ = 4u_ld·ln n! (the ln i within 4 ulps, the running sum's roundings at most u_ld·ln n! each)."""
    import numpy as np

    u_ld = float(np.finfo(np.longdouble).eps) / 2
    logs = np.log(np.arange(1, n + 1, dtype=np.longdouble)) if n else np.zeros(0, dtype=np.longdouble)
    lf = np.concatenate((np.zeros(1, dtype=np.longdouble), np.cumsum(logs)))
    beta = -lf - lf[::-1]
    top = float(lf[-1]) * (1 + 1e-6) + 1.0
    kappa = 2 * u_ld * (top + 4 * math.log(n + 2))
    return beta, kappa


def _chernoff_outside(N: int, lo: "Any", hi: "Any", r: "Any", slack: "Any") -> "Any":
    """An upper bound on P(Bin(N, r) < lo) + P(Bin(N, r) > hi), per step: exp(−N·KL(x‖r)) at x = (lo − 1)/N and
    (hi + 1)/N, the exponent lowered by ``slack`` (r's own uncertainty) and 10⁻⁹ relative (its rounding)."""
    import numpy as np

    def tail(x: "Any", active: "Any") -> "Any":
        with np.errstate(all="ignore"):
            xr = np.where(x > 0, x * np.log(x / r), 0.0)
            rest = np.where(x < 1, (1 - x) * np.log((1 - x) / (1 - r)), 0.0)
            kl = np.maximum(xr + rest, 0.0)
            exponent = -N * kl * (1 - 1e-9) + slack + 1e-9
            bound = np.minimum(np.exp(exponent), 1.0)
        return np.where(active, bound, 0.0)

    if N <= 0:
        return np.zeros_like(r)
    upper = tail((hi + 1) / N, (hi < N) & ((hi + 1) / N > r))
    lower = tail((lo - 1) / N, (lo > 0) & ((lo - 1) / N < r))
    # a window that does not hold the mean: the crude bound 1
    crude = ~(((hi >= N) | ((hi + 1) / N > r)) & ((lo <= 0) | ((lo - 1) / N < r)))
    return np.where(crude, 1.0, upper + lower)


def _range_max(values: "Any", lo: "Any", hi: "Any") -> "Any":
    """max(values[lo..hi]) per query (lo <= hi), by a sparse table: O(n log n) once, O(1) a query."""
    import numpy as np

    levels = [values]
    span = 1
    while 2 * span <= values.size:
        prev = levels[-1]
        levels.append(np.maximum(prev[:-span], prev[span:]))
        span *= 2
    length = hi - lo + 1
    k = np.floor(np.log2(np.maximum(length, 1))).astype(np.int64)
    out = np.empty(lo.size)
    for j in np.unique(k):
        pick = k == j
        table = levels[int(j)]
        out[pick] = np.maximum(table[lo[pick]], table[hi[pick] - (1 << int(j)) + 1])
    return out


def tight_error(profile: Any, sampler: Any) -> tuple[float, float]:
    """(E error, a certified bound on |value − E error|) in nats for a count sampler, relative to the value.

    The same quantity as :func:`boundcalc.estimate.coefficient_error` (both equal the exact DP's), but each
    G(r_k) is a normalised mean over the law's window (docs/theory.md §12, "A tight single-T value"), so at
    L = 16384, T ~ 5·10⁴ the error is ~10⁻⁷ instead of ~10⁻².

    >>> from fractions import Fraction
    >>> from boundcalc.counts import CountSampler
    >>> from boundcalc.truth.core import EntropyProfile
    >>> s = CountSampler.from_probabilities(2, [Fraction(1, 2), 1])
    >>> value, error = tight_error(EntropyProfile([1.0, 0.5]), s)  # both tokens in one step: P = 1/2, error 1/2
    >>> abs(value - 0.25) <= error < 1e-12
    True
    """
    import numpy as np

    d = np.asarray(profile.conditional, dtype=np.float64)
    L = d.size
    before, alive, delta = sampler._start_laws()
    reveal = np.asarray(sampler.reveal, dtype=np.float64)
    pi = reveal * alive  # π_k = p_k·(1 − r_k), the mass of step k's cell
    live = pi > 0
    r, a, pi = before[live], alive[live], pi[live]
    delta_pi = 2.001 * delta + 1.001 * _U
    G = np.empty(r.size)
    EG = np.zeros(r.size)
    at_zero = r <= 0  # r_k = 0 exactly (its relative error is δ): every token masked, G = d(0)
    G[at_zero] = d[0]
    inner = np.nonzero(~at_zero)[0]
    if inner.size:
        G[inner], EG[inner] = _normalised_means(d, r[inner], a[inner], delta)
    if not np.all(np.isfinite(G)) or not np.all(np.isfinite(EG)):
        return float(np.sum(pi * G)) * L - float(np.sum(d)), math.inf
    products = pi * G
    S = math.fsum(products.tolist())
    total_d = math.fsum(d.tolist())
    value = L * S - total_d
    error = L * float(np.sum(pi * ((1 + delta_pi) * EG + delta_pi * np.abs(G)))) * (1 + (r.size + 4) * _U)
    error += L * _U * (float(np.sum(np.abs(products))) * 1.001 + abs(S))  # the products, fsum
    error += _U * (abs(L * S) + abs(total_d) + abs(value)) * 1.001  # L·S, fsum(d), the subtraction
    error += 2 * L * float(getattr(profile, "abs_error", 0.0))  # Σ_m |start_m − 1| <= 2L, each d(m) within it
    return value, error * (1 + 1e-6) + 2.0**-1000


def _normalised_means(d: "Any", r: "Any", a: "Any", delta: float) -> tuple["Any", "Any"]:
    """(G(r_k), a bound on its error) for r_k > 0, a_k > 0 (each within a relative δ): the windowed, normalised
    mean of d under Bin(n, r_k), exponents relative to the mode (docs/theory.md §12)."""
    import numpy as np

    L = d.size
    n = L - 1
    u_ld = float(np.finfo(np.longdouble).eps) / 2
    beta_ld, kappa = _log_binomial_table(n)
    beta = beta_ld.astype(np.float64)  # each within u·ln n! of the long-double value (|β| <= ln n!)
    top = float(-beta_ld[0]) * (1 + 1e-6)
    kappa0 = 4 * u_ld * top + 2 * _U * top  # β(m) and β(m₀): their long-double roundings and float64 roundings
    lr, la = np.log(r), np.log(a)
    lam = lr - la  # logit: the weights C(n, m)·e^{mλ} are those of Bin(n, r̃), logit(r̃) = λ
    # |λ − logit(r)|: the logs within 4 ulps and the subtraction, r̂ and â within δ of r, 1 − r
    lam_err = 8 * _U * (np.abs(lr) + np.abs(la)) * 1.001 + _U * np.abs(lam) + 2.001 * delta
    if float(np.max(lam_err)) > 1e-4:
        nan = np.full(r.size, np.nan)
        return nan, nan
    shift = np.minimum(0.25, r * a * 1.001) * lam_err  # |r̃ − r| <= sup x(1 − x)·|Δλ|
    sd = np.sqrt(n * r * a)
    mode = np.clip(np.floor((n + 1) * r), 0, n).astype(np.int64)
    spread = _spread(sd).astype(np.int64)
    dd = np.abs(np.diff(d)) if L > 1 else np.zeros(1)
    d_range = float(d.max() - d.min())
    G = np.empty(r.size)
    EG = np.empty(r.size)
    for first in range(0, r.size, _BLOCK):
        part = slice(first, first + _BLOCK)
        width = int(min(n + 1, 2 * int(spread[part].max()) + 1))
        lo = np.clip(mode[part] - spread[part], 0, n + 1 - width)
        G[part], EG[part] = _block(d, beta, kappa * width + kappa0, lam[part], lam_err[part], shift[part], r[part],
                                   mode[part], lo, width, dd, d_range)
    return G, EG


def _block(d, beta, beta_error, lam, lam_err, shift, r, mode, lo, width, dd, d_range):
    """:func:`_normalised_means` for one block of steps sharing a window width."""
    import numpy as np

    n = d.size - 1
    offsets = np.arange(width, dtype=np.float64)
    # t = (β(m) − β(m₀)) + (m − m₀)·λ, m = lo + j: a per-row constant's rounding is common to the row and cancels
    t = np.lib.stride_tricks.sliding_window_view(beta, width)[lo]
    t -= beta[mode][:, None]
    t += ((lo - mode) * lam)[:, None]
    t += offsets[None, :] * lam[:, None]
    tmax = np.maximum(np.abs(t.min(axis=1)), np.abs(t.max(axis=1)))
    low = t < -700.0
    weights = np.exp(t, out=t)
    weights[low] = 0.0  # below e^-700 of the mode's weight 1: counted with the window's cut-off mass
    underflow = width * math.exp(-699.0)
    centre = d[mode]
    spread_d = np.lib.stride_tricks.sliding_window_view(d, width)[lo]
    spread_d -= centre[:, None]
    s0 = weights.sum(axis=1)  # >= 1: the mode's weight is e^0
    s1 = np.einsum("ij,ij->i", weights, spread_d)
    np.abs(spread_d, out=spread_d)
    sabs = np.einsum("ij,ij->i", weights, spread_d)
    G = centre + s1 / s0
    # each weight within ρ relative: the exponent's error (β's table and roundings, then four float64 operations
    # on magnitudes <= |t| + 2·width·|λ|), then exp within 4 ulps
    lam_abs = np.abs(lam)
    exponent_error = beta_error + _U * (4 * tmax + 8 * width * lam_abs)
    rho = np.expm1(exponent_error) * (1 + 8 * _U) + 8 * _U
    gamma = (2 * width + 4) * _U
    entries = 1.001 * (2 * rho + gamma) * (sabs / s0)
    # the mass outside the window (and underflowed weights), relative to the window's: moves the mean by <= range(d)
    hi = lo + width - 1
    slack = n * lam_err * 1.01
    cut = _chernoff_outside(n, lo, hi, r, slack) + underflow
    cut_error = np.where(cut < 0.5, cut / (1 - cut), np.inf) * d_range
    # r̃ vs r: |G′| <= n·Σ_m |Δd(m)|·P(Bin(n − 1, x) = m) <= n·(max of |Δd| on the window + outside mass·max |Δd|)
    if n >= 1:
        top = np.minimum(hi, n - 1)
        local = _range_max(dd, np.minimum(lo, top), top)
        outside = _chernoff_outside(n - 1, lo, top, r, slack)
        slope = n * (local + np.minimum(outside, 1.0) * float(dd.max()))
    else:
        slope = np.zeros(lo.size)
    EG = entries + cut_error + slope * shift * 1.001 + _U * np.abs(G)
    return G, EG
