"""The block levels of MDLM's other noises' brackets from windowed binomial laws: fine blocks at large L.

:class:`boundcalc.count_brackets_noise.NoiseBracket` writes Q = ∫ φ′·(−H′) and ∫ φ″·(−H′) as sums over M equal
blocks of [0, 1 − δ], Σ_j c_j (G(ρ_j) − G(ρ_{j+1})) = Σ_j (c_j − c_{j−1})·G(ρ_j), each G(ρ) = Σ_m P(Bin(L − 1, ρ) = m)
d(m) a binomial law over L entries; the blocks' remainder is O(Δv²) = O(1/M²) times the variation of d
(docs/theory.md §12, "Other noises"). At a single T near 4L the range brackets need M in the thousands, which
full laws make M·L entries (2^28 at L = 16384). A binomial law is concentrated within a few standard deviations
√(Lρ(1 − ρ)) <= √L/2 of its mean: this module keeps a window of W ≈ 19√L/2 + 61 entries around it and bounds
what falls outside by the ratio of successive entries (:func:`window_tails`), so a level costs M·W entries
(W ≈ 1280 at L = 16384: M = 4096 in about 0.15 s).

Outside the window the mass is below 2^−64 (a certified bound, added to every entry's error: Σ_m |d(m)| is at
least max |d|, so a mass t outside becomes t·|d| entry by entry).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["window_width", "window_tails", "block_levels", "pmf_window"]

_EPS = 2.0**-52
_SPREAD = 9.5  # half-width in standard deviations: Bernstein's tail exp(−t²/(2σ² + 2t/3)) < 2^−64 with the 30 below
_EXTRA = 30


def window_width(n: int) -> int:
    """The entries each windowed law of Bin(n, ρ) keeps (every ρ): the whole law where that is no wider."""
    half = math.ceil(_SPREAD * math.sqrt(n / 4) + _EXTRA)
    return min(n + 1, 2 * half + 1)


def window_tails(log_factorials: Any, n: int, x: Any, low: Any, width: int) -> Any:
    """A bound on P(Bin(n, x_j) ∉ [low_j, low_j + width − 1]) for each row j, or +inf where the ratio argument
    does not apply (the window does not hold the mode).

    Above the window, successive entries fall by the ratio q(m) = (n − m)x/((m + 1)(1 − x)), non-increasing in
    m; once q(top) < 1 the mass above the window is at most pmf(top)·q/(1 − q). Below it, by the mirror ratio
    m(1 − x)/((n − m + 1)x) at the window's first entry. Each pmf entry here is bounded above from its log plus
    the log's error (32ε times its magnitudes) and 1e-12 for exp's rounding; each ratio rounded up by 8 roundings.
    """
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    low = np.asarray(low, dtype=np.int64)
    top = low + width - 1
    inside = (x > 0) & (x < 1)
    safe = np.where(inside, x, 0.5)
    lf = log_factorials

    def pmf_above(m: Any) -> Any:  # an upper bound on P(Bin(n, x) = m)
        terms = lf[n] - lf[m] - lf[n - m] + m * np.log(safe) + (n - m) * np.log1p(-safe)
        magnitude = float(lf[n]) + lf[m] + lf[n - m] + np.abs(m * np.log(safe)) + np.abs((n - m) * np.log1p(-safe))
        return np.exp(terms + 32 * _EPS * magnitude + 1e-12)

    up = (n - top) * safe / ((top + 1) * (1 - safe)) * (1 + 8 * _EPS)
    down = low * (1 - safe) / ((n - low + 1) * safe) * (1 + 8 * _EPS)
    above = np.where(top >= n, 0.0, pmf_above(np.minimum(top, n)) * up / np.maximum(1 - up, 1e-300))
    below = np.where(low <= 0, 0.0, pmf_above(np.maximum(low, 0)) * down / np.maximum(1 - down, 1e-300))
    bad = ((top < n) & (up >= 1)) | ((low > 0) & (down >= 1))
    total = (above + below) * (1 + 8 * _EPS)
    return np.where(inside, np.where(bad, np.inf, total), 0.0)


def block_levels(log_factorials: Any, n: int, rho: Any, weights: list[Any]) -> list[Any]:
    """For each weight vector c (one per block point ρ_j): (Σ_j c_j·P(Bin(n, ρ_j) = m) for m = 0..n, a bound on
    each entry's error), flattened into [sum_1, error_1, sum_2, error_2, ...]; each law only on its window
    (:func:`window_width`), the mass outside it (:func:`window_tails`) added to every entry's error."""
    import numpy as np

    rho = np.asarray(rho, dtype=np.float64)
    rows = rho.size
    width = window_width(n)
    low = np.clip(np.round(rho * n).astype(np.int64) - width // 2, 0, n + 1 - width)
    tails = window_tails(log_factorials, n, rho, low, width)
    if not np.all(np.isfinite(tails)):
        raise ArithmeticError("a binomial window misses its mode")  # cannot happen: the window is centred on the mean
    out = [np.zeros(n + 1) for _ in range(2 * len(weights))]
    share = (rows + 8) * _EPS  # each entry's share of the sums' rounding (at most rows + chunks terms)
    for i, c in enumerate(weights):  # ρ = 0 or 1: a point mass at 0 or n, exact
        out[2 * i][0] += float(c[rho <= 0].sum())
        out[2 * i][n] += float(c[rho >= 1].sum())
        out[2 * i + 1][[0, n]] += share * float(np.abs(c).sum())
    inner = np.nonzero((rho > 0) & (rho < 1))[0]
    beta = log_factorials[n] - log_factorials[: n + 1] - log_factorials[n::-1]  # log C(n, m), m = 0..n
    windows = np.lib.stride_tricks.sliding_window_view(beta, width)  # windows[s] = β(s..s + width − 1)
    step = max(1, (1 << 20) // width)
    offsets = np.arange(width, dtype=np.float64)
    for lo in range(0, inner.size, step):
        part = inner[lo: lo + step]
        pmf, rel = _window_rows(log_factorials, n, rho[part], low[part], windows, offsets)
        index = (low[part, None] + np.arange(width)).ravel()
        for i, c in enumerate(weights):
            cj = c[part]
            out[2 * i] += np.bincount(index, weights=(cj[:, None] * pmf).ravel(), minlength=n + 1)
            spread = np.abs(cj) * (rel + share)  # each entry's error and its share of the sums' rounding
            out[2 * i + 1] += np.bincount(index, weights=(spread[:, None] * pmf).ravel(), minlength=n + 1)
    for i in range(len(weights)):
        out[2 * i + 1] += float(np.abs(weights[i]) @ tails) * (1 + share)  # the mass outside, on every entry
        out[2 * i + 1] *= 1 + 4 * _EPS  # bincount's own sums of non-negative terms
    return out


def _window_rows(log_factorials: Any, n: int, x: Any, low: Any, windows: Any, offsets: Any) -> tuple[Any, Any]:
    """(P(Bin(n, x_j) = low_j + i) for i < width, a bound on each row's relative error), 0 < x_j < 1.

    log P = log C(n, m) + n·log(1 − x) + m·λ, λ = log x − log(1 − x): its absolute error is at most 32ε times the
    magnitudes added (the log factorials within 16 ulps each, the logs within an ulp, each product and sum one
    rounding), at most 2·lf(n) + n|log(1 − x)| + 2(m_max + 1)(|log x| + |log(1 − x)|) on the row; exp turns that
    into a relative error (plus one rounding)."""
    import numpy as np

    log_x, log_rest = np.log(x), np.log1p(-x)
    slope = log_x - log_rest
    terms = windows[low].copy()
    terms += (n * log_rest + low * slope)[:, None]
    terms += slope[:, None] * offsets
    np.exp(terms, out=terms)
    top = low + offsets.size
    magnitude = 2 * float(log_factorials[n]) + n * np.abs(log_rest) + 2 * (top + 1) * (np.abs(log_x) + np.abs(log_rest))
    return terms, np.expm1(32 * _EPS * magnitude) + 4 * _EPS


def pmf_window(log_factorials: Any, n: int, xs: Any, m: Any) -> tuple[Any, Any]:
    """P(Bin(n, x_j) = m_{j,i}) with each entry's relative error bound (as :func:`boundcalc.count_brackets.
    binomial_pmf`: the log within 32ε of its magnitudes; x = 0 or 1: the point mass)."""
    import numpy as np

    lf = log_factorials
    x = np.asarray(xs, dtype=np.float64)[:, None]
    inside = (x > 0) & (x < 1)
    safe = np.where(inside, x, 0.5)
    log_x, log_rest = np.log(safe), np.log1p(-safe)
    terms = (m * log_x, (n - m) * log_rest)
    magnitude = float(lf[n]) + lf[m] + lf[n - m] + np.abs(terms[0]) + np.abs(terms[1])
    pmf = np.exp(lf[n] - lf[m] - lf[n - m] + terms[0] + terms[1])
    rel = np.expm1(32 * _EPS * magnitude) + 4 * _EPS
    point = (m == np.where(x <= 0, 0, n)).astype(np.float64)
    return np.where(inside, pmf, point), np.where(inside, rel, 0.0)
