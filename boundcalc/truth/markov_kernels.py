"""The convolution kernels of a Markov chain's per-token mutual information F_i(m) by gaps.

Split from :mod:`boundcalc.truth.markov` (which imports them): the weights of the gaps around a
token, their running-product sums and the gap convolution, derived in docs/truth.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .core import Progress


#: Running products below 2^-110 of their first term are dropped (ln 2^110 = 76.25).
_CUT = 76.25


def _gap_extent(L: int, m: int) -> tuple[int, int]:
    """(G, K) for F_i(m) by gaps: total gaps a + b <= G and single neighbours at k <= K matter.

    At most r + 1 = L - m + 1 (the unrevealed positions); the weights of both neighbours fall
    by 1 - (m-2)/(L-3) per step of the gap, those of one neighbour by 1 - (m-1)/(L-1), so
    past 76.25 (L-3)/(m-2) resp. 76.25 (L-1)/(m-1) steps they are below 2^-110 of the first
    and are dropped.
    """
    r = L - m
    G = min(r + 1, L - 1)
    if m > 2:
        G = min(G, 3 + int(_CUT * (L - 3) / (m - 2)))
    K = min(r + 1, L)
    if m > 1:
        K = min(K, 2 + int(_CUT * (L - 1) / (m - 1)))
    return max(G, 2), max(K, 1)


def _token_weights(L: int, m: int, dtype: Any = None) -> "tuple[np.ndarray, np.ndarray]":
    """(r_side, r_int) for 1 <= m <= L - 1, L >= 2: r_side[k] = C(L-k, m-1)/C(L-1, m) (k = 1..L),
    r_int[n] = C(L-n-1, m-2)/C(L-1, m) (n = 2..L-1; zero when m < 2), other entries zero.

    Running products of ratios of small integers (each ratio one rounding, each product one):
    r_side[1] = m/(L-m), r_side[k+1]/r_side[k] = (L-k-m+1)/(L-k); r_int[2] = m(m-1)/((L-1)(L-2)),
    r_int[n+1]/r_int[n] = (L-n-m+1)/(L-n-1); past the last non-zero weight the ratio is 0. The
    k-th weight has relative error <= (2k+4)ε, or absolute error below 2^-1022 once it underflows.
    """
    import numpy as np

    dtype = dtype or np.float64
    r_side = np.zeros(L + 2, dtype=dtype)
    k = np.arange(1, L, dtype=dtype)
    r_side[1] = dtype(m) / dtype(L - m)
    r_side[2 : L + 1] = r_side[1] * np.cumprod(np.clip((L - k - m + 1) / (L - k), 0.0, None))
    r_int = np.zeros(L + 1, dtype=dtype)
    if m >= 2 and L >= 3:
        n = np.arange(2, L - 1, dtype=dtype)
        r_int[2] = dtype(m * (m - 1)) / dtype((L - 1) * (L - 2))
        r_int[3:L] = r_int[2] * np.cumprod(np.clip((L - n - m + 1) / (L - n - 1), 0.0, None))
    return r_side, r_int


def _weighted_sums(x: "np.ndarray", L: int, shift: int, dtype: Any, denom_top: int,
                   progress: Progress | None, offset: int, block: int = 32) -> "np.ndarray":
    """out[m] = Σ_t w_m(t)·x[t] for m = 0..L-1, the weights of the Markov gap sums.

    shift = 1: w_m(t) = C(L-2-t, m-1)/C(L-1, m) (r_left at k = t + 2); first term m/(L-1),
    ratio (L-k-m+1)/(L-k). shift = 2: w_m(t) = C(L-3-t, m-2)/C(L-1, m) (r_int at n = t + 2);
    first term m(m-1)/((L-1)(L-2)), ratio (L-n-m+1)/(L-n-1). The ratio is at most
    1 - (m-shift)/(L-2), so past t = 76.25 (L-2)/(m-shift) the weights are below 2^-110 of the first
    and are dropped. Blocks of ``block`` values of m share one width: O(L log L) work in all.
    """
    import numpy as np

    out = np.zeros(L, dtype=dtype)
    size = x.size
    Lf = dtype(L)
    m0 = shift
    while m0 <= L - 1:
        first_m = m0 - shift
        width = size if first_m <= 0 else min(size, int(_CUT * (L - 2) / first_m) + 2)
        rows = max(1, min(block, (1 << 21) // max(width, 1)))  # at most ~16 MB per array
        m1 = min(m0 + rows, L)  # m in [m0, m1)
        mf = np.arange(m0, m1, dtype=dtype)[:, None]
        t = np.arange(1, width, dtype=dtype)[None, :]  # ratio from t - 1 to t
        k = t + 1  # the k (shift 1) or n (shift 2) the ratio starts from
        if shift == 1:
            ratios = (Lf - k - mf + 1) / (Lf - k)
            head = mf[:, 0] / (Lf - 1)
        else:
            ratios = (Lf - k - mf + 1) / (Lf - k - 1)
            head = mf[:, 0] * (mf[:, 0] - 1) / ((Lf - 1) * (Lf - 2))
        np.clip(ratios, 0, None, out=ratios)
        weights = np.empty((m1 - m0, width), dtype=dtype)
        weights[:, 0] = head
        np.cumprod(ratios, axis=1, out=weights[:, 1:])
        weights[:, 1:] *= head[:, None]
        out[m0:m1] = np.einsum("mt,t->m", weights, x[:width])
        if progress and (m0 // block) % 64 == 0:
            progress(offset + m0, 2 * L)
        m0 = m1
    return out


def _gap_convolution(a: "np.ndarray", eta: "np.ndarray", flat: int, L: int) -> "np.ndarray":
    """out[n] = Σ_{j=1}^{n-1} a_j·η_{n-j} for n = 2..L (out[0] = out[1] = 0); a, η of rows 0..L-1+.

    η_g = η_flat for g >= flat, so the part with n - j >= flat is (Σ_{j <= n-flat} a_j)·η_flat,
    and only gaps below ``flat`` need the direct convolution: O(L·flat·V).
    """
    import numpy as np

    V = a.shape[1]
    out = np.zeros(L + 1, dtype=a.dtype)
    G = min(flat, L - 1)  # gaps g < G directly, g >= G through η_G
    if G > 1:
        for v in range(V):
            full = np.convolve(a[1:L, v], eta[1:G, v])  # full[t]: n = t + 2
            out[2:L + 1] += full[: L - 1]
    # gaps g >= G: Σ_{j=1}^{n-G} a_j·η_G for n = G+1..L
    out[G + 1 : L + 1] += np.cumsum(a[1 : L - G + 1], axis=0) @ eta[G]
    return out
