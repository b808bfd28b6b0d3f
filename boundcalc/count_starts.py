"""A uniform-grid count sampler's expected start sizes without summing every step (values layer).

The expected start size at m (:meth:`~boundcalc.count_sampler.CountSampler.expected_start_sizes`) is
Σ_k L·p_k·a_k·b_{m,N}(r_k), N = L − 1, b_{m,N}(x) = C(N, m) x^m (1 − x)^{N−m}: O(T·√L) per sampler, O(L^2.5)
for a sweep of every T. For mdlm, sedd and dream-origin the steps lie on a uniform grid, r_k = kh (k = 0..n−1,
weight L·p_k·a_k = L·h exactly) and a last step at b = nh of weight L(1 − b), so the sum is L times a left
Riemann sum of b_{m,N}. Euler–Maclaurin with q = 2p and the Jacobi polynomials' L² norms (docs/theory.md §12,
"A sweep's start sizes on a uniform grid") give, for q <= m <= N − q,

    |start(m) − 1| <= 4ζ(2)·L·(h/2π)^q·J_q(m) + P(Bin(L, b) <= m) + (terms at b, each a b_{m,N−l}(b)),

J_q(m) = C(N, m)·q!·sqrt(m!(N − m)!(m − q)!(N − m − q)!/((N + 1)(N − q)! q! (N − 2q + 1)!)) >= ∫_0^1 |b_{m,N}^(q)|.
That is about exp(−2π²T²r(1 − r)/N) (r = m/N): once T is a few √L the interior m are 1 within 2^-64, and only
the steps whose windows reach the two ends are summed. The interior and its bound are found in O(q + log L).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


__all__ = ["UniformGrid", "uniform_grid", "interior", "interiors", "prepare_interiors", "remainder_logs",
           "fast_start_sizes", "windowed_starts", "THRESHOLD"]

#: The interior's start sizes are 1 within this (absolute, hence relative): far below the direct form's rounding.
THRESHOLD = 2.0**-64
#: Orders of Euler–Maclaurin tried (even); the one giving the widest interior is kept.
_ORDERS = (8, 16, 32, 64, 128)
_FOUR_ZETA2 = 4 * math.pi**2 / 6  # 4ζ(2) >= 4ζ(q), q >= 2: |B_q − B̃_q(x)|/q! <= 4ζ(q)/(2π)^q
_LOG_SLACK = 1e-6  # added to every log of a bound: the float logs and lgammas (magnitudes <= 1e6, 1e-16 relative)


class UniformGrid:
    """r_k = k·h for the n steps before the last (h exact), the last step at b = n·h revealing the rest."""

    def __init__(self, length: int, steps: int, h: Fraction) -> None:
        self.length, self.steps, self.h = length, steps, h

    @functools.cached_property
    def b(self) -> Fraction:
        """The last step's r, n·h (on demand: a sweep makes 16384 grids and reads b from integers)."""
        return self.steps * self.h

    def __repr__(self) -> str:
        return f"UniformGrid(L={self.length}, n={self.steps}, h={self.h})"


def uniform_grid(sampler: Any) -> UniformGrid | None:
    """The sampler's uniform grid (a quick build's integers, or exact probabilities whose survival falls by the
    same h at every step), or None. Kept on the sampler (a sweep asks for each row's grid more than once)."""
    cache = getattr(sampler, "__dict__", None)
    if cache is not None and "_uniform_grid" in cache:
        found: UniformGrid | None = cache["_uniform_grid"]
        return found
    found = _uniform_grid(sampler)
    if cache is not None:
        cache["_uniform_grid"] = found
    return found


def _uniform_grid(sampler: Any) -> UniformGrid | None:
    n = len(sampler.reveal) - 1
    if n < 1 or sampler.reveal[-1] != 1:
        return None
    grid = sampler.notes.get("grid")
    if grid is not None:
        a, total = grid
        h = Fraction(a, total)
    elif sampler.exact is not None and sampler.exact[-1] == 1:
        h = sampler.exact[0]
        alive = Fraction(1)
        for k, p in enumerate(sampler.exact[:-1]):  # survival before step k must be 1 − k·h
            if alive != 1 - k * h:
                return None
            alive *= 1 - p
        if alive != 1 - n * h:
            return None
    else:
        return None
    if not 0 < h.numerator or n * h.numerator >= h.denominator:  # h > 0 and n·h < 1, in integers
        return None
    return UniformGrid(sampler.length, n, h)


def remainder_logs(lf: "np.ndarray", N: int, q: int) -> "np.ndarray":
    """log of 4ζ(2)·L·(2π)^-q·J_q(m) for m = 0..N (−inf outside q <= m <= N − q): Euler–Maclaurin's remainder of
    order q for b_{m,N}, times L, is this plus q·log h. ``lf`` the log-factorials up to N + 1."""
    import numpy as np

    m = np.arange(q, N - q + 1)
    log_binom = lf[N] - lf[m] - lf[N - m]
    half = lf[m] + lf[N - m] - math.log(N + 1) - lf[N - q] - lf[q] + lf[m - q] + lf[N - m - q] - lf[N - 2 * q + 1]
    out = np.full(N + 1, -np.inf)
    out[q : N - q + 1] = math.log(_FOUR_ZETA2 * (N + 1)) - q * math.log(2 * math.pi) + log_binom + lf[q] + 0.5 * half
    return out


def _top_logs(lf: "np.ndarray", N: int, grids: "dict[str, np.ndarray]", q: "np.ndarray", m: "np.ndarray"
              ) -> "np.ndarray":
    """Per row, log of a bound, for every m' <= m, on what the interior's value 1 leaves out at the top:
    P(Bin(L, b) <= m) (Chernoff), the last step's and the trapezoid's (L(1 − b) − Lh/2)·b_{m,N}(b), and
    Euler–Maclaurin's terms at b, each |B_2s|h^2s/(2s)!·L·|b^(2s−1)_{m,N}(b)| <= 2(L/N)(hN/π)^2s·b_{m,N−2s+1}(b)
    (s < q/2; |B_2s|/(2s)! <= 2ζ(2)/(2π)^2s and |b^(l)| <= (N)_l 2^l max_j b_{j,N−l}), every b_{j,n}(b) rising with j
    up to (n + 1)b − 1, which m must not pass (the caller's ceiling)."""
    import numpy as np

    L = N + 1
    log_b, log_1b = grids["log_b"], grids["log_1b"]
    x = m / L
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(m > 0, x * np.log(np.maximum(x, 1e-300)) - x * log_b + (1 - x) * (np.log1p(-x) - log_1b),
                      -log_1b)
    parts = [-L * kl * (1 - 1e-9)]  # P(Bin(L, b) <= m) <= exp(−L·KL(m/L ‖ b)), m/L < b
    with np.errstate(divide="ignore"):
        parts.append(np.log(grids["weight"]) + lf[N] - lf[m] - lf[N - m] + m * log_b + (N - m) * log_1b)
    s = np.arange(1, int(q.max()) // 2)
    if s.size:
        n = N - 2 * s[None, :] + 1
        mm = m[:, None]
        log_hn = grids["log_h"] + math.log(N) - math.log(math.pi)
        terms = (math.log(2 * L / N) + 2 * s[None, :] * log_hn[:, None] + lf[n] - lf[mm] - lf[n - mm]
                 + mm * log_b[:, None] + (n - mm) * log_1b[:, None])
        terms = np.where(s[None, :] < q[:, None] // 2, terms, -np.inf)
        parts.append(terms.max(axis=1) + np.log(np.maximum(q // 2 - 1, 1)))
    stacked = np.stack(parts)
    top = stacked.max(axis=0)
    return top + np.log(np.exp(stacked - top).sum(axis=0))


def _grids(samplers: "Sequence[Any]") -> "tuple[list[int], dict[str, np.ndarray]]":
    """The rows with a uniform grid and, per such row, the floats the bounds need (h, b and 1 − b from
    Fractions: no cancellation) and the integers of floor((N − q + 1)·b) = floor((N − q + 1)·n·h)."""
    import numpy as np

    rows, found = [], []
    for i, sampler in enumerate(samplers):
        grid = uniform_grid(sampler)
        if grid is not None and sampler.length > 32:
            rows.append(i)
            found.append(grid)
    h = [(g.h.numerator, g.h.denominator) for g in found]
    b = [(g.steps * hn // k, hd // k) for g, (hn, hd) in zip(found, h)
         for k in (math.gcd(g.steps * hn, hd),)]  # b = n·h in lowest terms, as 1 − b = (d − n)/d is
    L = samplers[rows[0]].length if rows else 0
    # from the integers, not Fraction arithmetic (0.5 s for a sweep's 16384 rows): the same lowest terms, and
    # L(1 − b) − Lh/2 = (2L(d − n)·h_d − L·h_n·d)/(2d·h_d), whose int division rounds correctly as float() of it does
    return rows, {
        "log_h": np.array([math.log(hn) - math.log(hd) for hn, hd in h]),
        "log_b": np.array([math.log(bn) - math.log(bd) for bn, bd in b]),
        "log_1b": np.array([math.log(bd - bn) - math.log(bd) for bn, bd in b]),
        "weight": np.array([abs(2 * L * (bd - bn) * hd - L * hn * bd) / (2 * bd * hd) for (hn, hd), (bn, bd) in zip(h, b)]),
        "scaled": np.array([g.steps * hn for g, (hn, _) in zip(found, h)], dtype=object),
        "denominator": np.array([hd for _, hd in h], dtype=object),
    }


def interiors(samplers: "Sequence[Any]", threshold: "float | Sequence[float]" = THRESHOLD
              ) -> "list[tuple[int, int, float] | None]":
    """:func:`interior` of many samplers of one length at once (a sweep's rows): the same values, vectorised.
    ``threshold``: one for all, or one per sampler."""
    import numpy as np

    if len({s.length for s in samplers}) > 1:  # one length per call: its log-factorials and J_q tables
        each = [threshold] * len(samplers) if isinstance(threshold, float) else list(threshold)
        return [interiors([s], t)[0] for s, t in zip(samplers, each)]
    out: "list[tuple[int, int, float] | None]" = [None] * len(samplers)
    rows, grids = _grids(samplers)
    if not rows:
        return out
    N = samplers[rows[0]].length - 1
    lf, lf_error = samplers[rows[0]]._log_factorials()
    slack = _LOG_SLACK + 16 * lf_error
    # two halves: the remainder and the top's terms (per row when the thresholds are)
    limit = np.log(np.broadcast_to(np.asarray(threshold, dtype=np.float64), (len(samplers),))[rows] / 2) - slack
    orders = [q for q in _ORDERS if 2 * q <= N]
    if not orders:
        return out
    tables = [_remainders(lf, N, q) for q in orders]
    # m_a per order: the least m in [q, N/2] with remainder <= limit (J_q falls on [q, N/2]: Π_{i<q} (m − i)(N − m − i)
    # peaks at N/2), then the order with the least m_a (ties to the least q: the top's terms grow with q)
    lows = np.full((len(orders), len(rows)), N + 1, dtype=np.int64)
    for j, (q, table) in enumerate(zip(orders, tables)):
        falling = -table[q : N // 2 + 1]
        goal = -(limit - q * grids["log_h"])
        index = np.searchsorted(falling, goal, side="left")
        lows[j] = np.where(index < falling.size, q + index, N + 1)
    pick = np.argmin(lows, axis=0)
    m_a = lows[pick, np.arange(len(rows))]
    q = np.array(orders)[pick]
    ok = m_a <= N // 2
    # the top: b_{j,n}(b) rises with j up to (n + 1)b − 1 for every n >= N − q + 1
    floor_b = np.array([(N - int(qq) + 1) * int(s) // int(d) for qq, s, d in
                        zip(q, grids["scaled"], grids["denominator"])], dtype=np.int64)
    ceiling = np.minimum(N - m_a, floor_b - 1)
    ok &= ceiling >= m_a
    m_a, ceiling = np.where(ok, m_a, q), np.where(ok, ceiling, q)
    ok &= _top_logs(lf, N, grids, q, m_a) <= limit
    at_ceiling = _top_logs(lf, N, grids, q, ceiling) <= limit
    m_b = np.where(at_ceiling, ceiling, _top_search(lf, N, grids, q, m_a, ceiling, limit) - 1)
    ok &= m_b >= m_a
    log_r = np.maximum(_at(tables, pick, m_a, N), _at(tables, pick, m_b, N)) + q * grids["log_h"]
    errors = np.exp(log_r + slack) + np.exp(_top_logs(lf, N, grids, q, m_b) + slack)
    for k, i in enumerate(rows):
        if ok[k]:
            out[i] = (int(m_a[k]), int(m_b[k]), float(errors[k]))
    return out


def _top_search(lf: "np.ndarray", N: int, grids: "dict[str, np.ndarray]", q: "np.ndarray", lo: "np.ndarray",
                hi: "np.ndarray", limit: "np.ndarray") -> "np.ndarray":
    """Per row the least m in [lo, hi] with the top's bound (:func:`_top_logs`) above ``limit`` (hi where none is
    below it), by bisection; each step takes the bound of the rows still searched only (its floats are each row's
    own), not of every row."""
    import numpy as np

    lo, hi = lo.copy(), hi.copy()
    for _ in range(int(np.max(hi - lo, initial=0)).bit_length() + 1):
        active = np.flatnonzero(lo < hi)
        if not active.size:
            break
        mid = (lo[active] + hi[active]) // 2
        above = _top_logs(lf, N, _take(grids, active), q[active], mid) > limit[active]
        hi[active], lo[active] = np.where(above, mid, hi[active]), np.where(~above, mid + 1, lo[active])
    return lo


def _take(grids: "dict[str, np.ndarray]", rows: "np.ndarray") -> "dict[str, np.ndarray]":
    """The rows ``rows`` of :func:`_grids`' per-row arrays."""
    return {key: value[rows] for key, value in grids.items()}


def _at(tables: "list[np.ndarray]", pick: "np.ndarray", m: "np.ndarray", N: int) -> "np.ndarray":
    """Each row's remainder log (without q·log h) at its m, from its order's table; J_q(m) = J_q(N − m)."""
    import numpy as np

    stacked = np.stack(tables)
    return stacked[pick, np.clip(m, 0, N)]


def _remainders(lf: "np.ndarray", N: int, q: int) -> "np.ndarray":
    """:func:`remainder_logs`, once per (N, q)."""
    key = (N, q)
    if key not in _TABLES:
        if len(_TABLES) > 64:
            _TABLES.clear()
        _TABLES[key] = remainder_logs(lf, N, q)
    return _TABLES[key]


_TABLES: "dict[tuple[int, int], np.ndarray]" = {}


def interior(sampler: Any, threshold: float = THRESHOLD) -> tuple[int, int, float] | None:
    """(m_a, m_b, ε): every start size with m_a <= m <= m_b is 1 within ε <= ``threshold`` (absolute), or None
    (no uniform grid, or too few steps for an interior). Cached on the sampler for the default threshold
    (:func:`prepare_interiors` fills it for a sweep's rows at once)."""
    if threshold == THRESHOLD and "_start_interior" in sampler.__dict__:
        cached: "tuple[int, int, float] | None" = sampler.__dict__["_start_interior"]
        return cached
    found = interiors([sampler], threshold)[0]
    if threshold == THRESHOLD:
        sampler.__dict__["_start_interior"] = found
    return found


def prepare_interiors(samplers: "Sequence[Any]") -> None:
    """:func:`interior` of every sampler, computed at once and cached on each (samplers grouped by length)."""
    by_length: dict[int, list] = {}
    for sampler in samplers:
        if "_start_interior" not in sampler.__dict__:
            by_length.setdefault(sampler.length, []).append(sampler)
    for group in by_length.values():
        for sampler, found in zip(group, interiors(group)):
            sampler.__dict__["_start_interior"] = found


def _windows(L: int, r: "np.ndarray", a: "np.ndarray", p: "np.ndarray", lf: "np.ndarray"
             ) -> "tuple[np.ndarray, ...]":
    """Per step: (α_k, λ_k, the window's first m, its width) with log of L·p_k·a_k·C(L-1, m)·r^m·a^(L-1-m) =
    α_k + β(m) + m·λ_k, the window m within 40 + 12 sd of the mean (the mass outside is below e^-70, Chernoff),
    sorted by the first m."""
    import numpy as np

    log_r, log_a = np.log(r), np.log(a)
    alpha = math.log(L) + np.log(p) + L * log_a
    slope = log_r - log_a
    spread = 40 + np.ceil(12 * np.sqrt((L - 1) * r * a))
    lowest = np.floor((L - 1) * r - spread)
    order = np.argsort(lowest, kind="stable")  # rows with one window start are summed first, then added once
    return alpha[order], slope[order], lowest[order], 2 * spread[order] + 2


def windowed_starts(L: int, r: "np.ndarray", a: "np.ndarray", p: "np.ndarray", lf: "np.ndarray",
                    out: "np.ndarray", zone: "tuple[int, int] | None" = None) -> None:
    """Adds Σ_k L·p_k·a_k·P(Bin(L − 1, r_k) = m) into ``out`` (0 < r, a < 1, p > 0), each step over its window
    (:func:`_windows`): O(√L) per step, not O(L). With ``zone`` = (z0, z1), only the entries z0 <= m < z1, from
    the steps whose windows meet them, each over the part of its window inside the zone."""
    import numpy as np

    alpha, slope, lowest, wide = _windows(L, r, a, p, lf)
    z0, z1 = zone if zone is not None else (0, L)
    first, last = (lowest, lowest + wide) if zone is None else \
        (np.maximum(lowest, z0), np.minimum(lowest + wide, z1))  # the part of each window in the zone
    keep = np.nonzero(first < last)[0]
    alpha, slope, first, last = alpha[keep], slope[keep], first[keep], last[keep]
    beta = lf[L - 1] - lf[: L] - lf[L - 1 :: -1]  # m = 0..L-1
    windows = np.lib.stride_tricks.sliding_window_view
    for lo in range(0, alpha.size, 128):  # the window's width is each block's widest: narrow near r = 0 and 1
        part = slice(lo, lo + 128)
        width = int(min(L, float((last[part] - first[part]).max())))
        start = np.clip(first[part], 0, L - width).astype(np.int64)  # still sorted
        offsets = np.arange(width)
        # α_k + start_k·λ_k, + j·λ_k inside the window, in place (the same float operations in the same order)
        terms = windows(beta, width)[start]  # β(start_k .. start_k + width − 1)
        terms += (alpha[part] + start * slope[part])[:, None]
        terms += slope[part, None] * offsets[None, :].astype(np.float64)
        np.exp(terms, out=terms)
        # one scatter-add of the block (non-negative terms: any order of the sums is within start_sizes_error),
        # not a Python loop over the distinct window starts
        found = np.bincount((start[:, None] + offsets[None, :]).ravel(), weights=terms.ravel(), minlength=L + 1)
        out[z0:z1] += found[z0:z1]


def fast_start_sizes(sampler: Any, r: "np.ndarray", a: "np.ndarray", p: "np.ndarray", lf: "np.ndarray",
                     out: "np.ndarray") -> bool:
    """The start sizes into ``out`` (the rows r, a, p of :meth:`CountSampler._start_sizes`) with the interior
    [m_a, m_b] set to 1 (:func:`interior`) and the two ends summed over the steps whose windows reach them; False
    (``out`` untouched) when the sampler has no interior."""
    found = interior(sampler)
    if found is None:
        return False
    m_a, m_b, _ = found
    L = sampler.length
    windowed_starts(L, r, a, p, lf, out, (0, m_a))
    windowed_starts(L, r, a, p, lf, out, (m_b + 1, L))
    out[m_a : m_b + 1] = 1.0
    return True
