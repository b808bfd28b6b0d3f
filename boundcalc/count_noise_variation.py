"""Sharper bounds on TV(G′) and TV(G‴), G = Σ_m d(m)·b_{m,L−1}, for a d that is smooth plus a small rough residual.

The noise forms (:mod:`boundcalc.count_noise_expansion`) charge their remainders to TV(G′) (the trapezoid's
(h²Φ1²/8)·TV(G′), the midpoint rule's TV(a)) and to TV(G‴) (Euler–Maclaurin's cells). The bounds from d's
differences, (L − 1)Σ_m |Δd(m)|·TV(b_{m,L−2}) and (L − 1)(L − 2)(L − 3)Σ_m |Δ³d(m)|·TV(b_{m,L−4}), charge every
difference its own Bernstein bump; a loss curve printed to six digits has differences that are mostly rounding
noise, and the bumps' signs cancel: at L = 16384 on the benchmark's curve measured at every k (d linear plus
rounding of ±5·10⁻⁷), TV(G′) is about 0.02 where the bound says 113, TV(G‴) about 1.6·10⁷ where it says 1.2·10⁹.

Here (docs/theory.md §12, "A smooth part and a rough residual") d = d_s + d_r with d_s the straight lines through
d at knots every K entries (K over a few spacings, the least bound kept) and d_r = d − d_s, small where d is
smooth. G is linear in d, so TV(G^(k)) <= TV(G_s^(k)) + TV(G_r^(k)): the smooth part by the usual bounds (with
d_s's few kinks), the residual by fewer differences and the variation of a bump's derivative,

    G′ = Σ_m d(m)·b′_{m,L−1}:           TV(G_r′) <= Σ_m |d_r(m)|·TV(b′_{m,L−1}),
    G‴ = (L − 1)(L − 2)Σ_m Δ²d(m)·b′_{m,L−3}:  TV(G_r‴) <= (L − 1)(L − 2)Σ_m |Δ²d_r(m)|·TV(b′_{m,L−3}),

with TV(b′_{m,n}) <= 2·max b′ + 2·max(−b′) from b′'s two extremes at b's inflection points (:func:`slope_spreads`):
about 1/(x(1 − x)) where the difference bounds' bump has √(L/(x(1 − x))) per difference.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["slope_spreads", "split_variations", "difference_variations", "zone_slope_weights", "zone_slope_variation",
           "bend_moments"]

from .count_noise_local import ZONES

_EPS = 2.0**-52
_CACHE: dict[tuple[Any, ...], Any] = {}
_SPANS = (1, 16, 64, 256, 1024)  # knot spacings tried (and one span over all of d); 1 is d itself
_WIDTH = 2.0**-36  # an inflection point computed in floats lies within 16ε of the true one: far inside this


def _log_factorials(n: int) -> Any:
    import numpy as np

    return np.array([math.lgamma(k + 1) for k in range(n + 1)])


def _bump(lf: Any, N: int, j: Any, y: Any) -> "tuple[Any, Any]":
    """(b_{j,N}(y), a bound on its relative error) for 0 < y < 1: the log's terms within a few units of their
    magnitudes (64ε of them, with room for lgamma's ulps), exp's own rounding."""
    import numpy as np

    terms = (lf[N], lf[j], lf[N - j], j * np.log(y), (N - j) * np.log1p(-y))
    magnitude = sum(np.abs(t) for t in terms)
    value = np.exp(terms[0] - terms[1] - terms[2] + terms[3] + terms[4])
    return value, np.expm1(64 * _EPS * magnitude) + 8 * _EPS


def slope_spreads(n: int) -> Any:
    """TV over [0, 1] of b′_{m,n} for m = 0..n, rounded up (n >= 3).

    b′_{m,n} = n(b_{m−1,n−1} − b_{m,n−1}) is >= 0 left of m/n and <= 0 right of it, and b″ has at most two roots
    x_± = (m(n − 1) ± √(m(n − 1)(n − m)))/(n(n − 1)) (b's inflection points), so b′ rises then falls on the left
    part and falls then rises on the right: TV <= 2·b′(x_−) + 2·(−b′(x_+)). On [x_− − w, x_− + w] ⊂ [0, (m − 1)/(n − 1)]
    both bumps rise, so b′ <= n(b_{m−1,n−1}(x_− + w) − b_{m,n−1}(x_− − w)) there; on [x_+ − w, x_+ + w] ⊂
    [m/(n − 1), 1] both fall, so −b′ <= n(b_{m,n−1}(x_+ − w) − b_{m−1,n−1}(x_+ + w)). Where an interval does not fit
    the extreme is at most n times the larger bump's peak; m = 1 (n − 1 mirrored): b′ falls from b′(0) = n to its
    least value, then rises to 0, TV = n + 2·max(−b′); m = 0 and n: b′ is monotone, TV = n."""
    import numpy as np

    from .count_completion import bernstein_peaks

    lf = _log_factorials(n)
    N = n - 1
    m = np.arange(n + 1, dtype=np.int64)
    peaks = bernstein_peaks(N) * (1 + 1e-6)
    mf = m.astype(np.float64)
    root = np.sqrt(mf * N * (n - mf))
    x_lo, x_hi = (mf * N - root) / (n * N), (mf * N + root) / (n * N)
    inner = (m >= 1) & (m <= n - 1)
    mm = np.clip(m, 1, n - 1)  # the bumps j = m − 1 and m of degree N are both defined here
    up = np.full(n + 1, float(n))  # max b′: n covers every case (b′ <= n·b_{m−1,N} <= n)
    down = np.full(n + 1, float(n))  # max −b′, likewise

    def rise(x: Any, sign: int) -> "tuple[Any, Any]":
        a, b = x - _WIDTH, x + _WIDTH
        if sign > 0:  # around x_−: both bumps rise on [a, b] when b <= (m − 1)/N
            fits = inner & (a > 0) & (b * N <= mm - 1) & (b < 1)
        else:  # around x_+: both fall on [a, b] when a >= m/N
            fits = inner & (a * N >= mm) & (b < 1) & (a > 0)
        sa, sb = np.where(fits, a, 0.5), np.where(fits, b, 0.5)
        if sign > 0:
            big, big_rel = _bump(lf, N, mm - 1, sb)
            small, small_rel = _bump(lf, N, mm, sa)
        else:
            big, big_rel = _bump(lf, N, mm, sa)
            small, small_rel = _bump(lf, N, mm - 1, sb)
        bound = n * (big * (1 + big_rel) - small * (1 - small_rel)) * (1 + 4 * _EPS)
        return fits, np.maximum(bound, 0.0)

    fits, bound = rise(x_lo, 1)
    up = np.where(fits, bound, np.where(inner & (m >= 2), np.minimum(n * peaks[np.clip(m - 1, 0, N)], n), up))
    fits, bound = rise(x_hi, -1)
    down = np.where(fits, bound, np.where(inner & (m <= n - 2), np.minimum(n * peaks[np.clip(m, 0, N)], n), down))
    out = 2 * (up + down) * (1 + 4 * _EPS)
    # m = 1: b′ falls from b′(0) = n to its least value and back to 0, TV = n + 2·max(−b′); m = n − 1 mirrored
    out[1], out[n - 1] = (n + 2 * down[1]) * (1 + 4 * _EPS), (n + 2 * up[n - 1]) * (1 + 4 * _EPS)
    out[0] = out[n] = float(n)
    return out


def _spreads(n: int) -> Any:
    key = ("spreads", n)
    if key not in _CACHE:
        _CACHE[key] = slope_spreads(n)
    return _CACHE[key]


def _smooth_part(d: Any, span: int) -> Any:
    """The straight lines through d at the knots 0, span, 2·span, ..., L − 1 (d itself for span 1)."""
    import numpy as np

    L = d.size
    if span <= 1:
        return d.copy()
    knots = np.unique(np.append(np.arange(0, L, span), L - 1))
    return np.interp(np.arange(L, dtype=np.float64), knots.astype(np.float64), d[knots])


def _residual_share(rest: Any, first: Any, third: Any) -> "tuple[float, float]":
    """(TV(G_r′), TV(G‴_r)) bounds for the residual d_r = ``rest`` (``first``, ``third``: slope_spreads(L − 1) and
    (L − 3))."""
    import numpy as np

    L = rest.size
    grow = 1 + (L + 8) * _EPS
    size = float(np.max(np.abs(rest), initial=0.0))
    r1 = float(np.abs(rest) @ first) * (1 + _EPS) * grow
    second = np.abs(np.diff(rest, 2)) + 16 * _EPS * size * (1 + _EPS)
    return r1, float(L - 1) * (L - 2) * float(second @ third) * (1 + _EPS) * grow


def _splits(d: Any) -> list:
    """Per knot spacing: (TV(G_s′) bound, TV(G_s‴) bound, |d_r|, the residual's two shares), cached per d."""
    import numpy as np

    from .count_brackets import variation_bounds

    L = d.size
    key = ("split", L, hash(d.tobytes()))
    if key not in _CACHE:
        first, third = _spreads(L - 1), _spreads(L - 3)
        out = []
        for span in (*_SPANS, L - 1):
            smooth = _smooth_part(d, span)
            rest = d - smooth
            tv1_s, tv3_s = (min(a, b) for a, b in zip(variation_bounds(smooth), difference_variations(smooth)))
            out.append((tv1_s, tv3_s, np.abs(rest), *_residual_share(rest, first, third)))
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = out
    return _CACHE[key]


def split_variations(d: Any) -> "tuple[float, float]":
    """(TV(G′), TV(G‴)) bounds for this d (module docstring): the least over the knot spacings of the smooth part's
    bounds (the lesser of count_brackets.variation_bounds and difference_variations on d_s) plus the
    residual's. d_r = fl(d − d_s) is within ε|d_r| of d − d_s (so Σ|d_r| is taken (1 + ε) larger), Δ²d_r within
    16ε·max|d_r| of the true one's; each sum rounded up by (L + 8)ε. inf below L = 8."""
    import numpy as np

    d = np.ascontiguousarray(d, dtype=np.float64)
    if d.size < 8 or not np.all(np.isfinite(d)):
        return math.inf, math.inf
    parts = _splits(d)
    grow = 1 + 4 * _EPS
    return min((a + r1) * grow for a, _, _, r1, _ in parts), min((b + r3) * grow for _, b, _, _, r3 in parts)


def zone_slope_weights(L: int, law: Any, span: float, zones: int = ZONES) -> Any:
    """ω1(m), m = 0..L − 1, with Σ_j Φ̃1_j²·TV_{φ(zone j)}(b′_{m,L−1}) <= ω1(m) (zones j of [0, span] as
    count_noise_local's, Φ̃1_j >= φ′ on [z_{j−1}, z_{j+2}]): the zone images partition [0, b], so the TVs over them
    add up to at most TV(b′_m) (:func:`slope_spreads`), and each is at most c_j = 6n·max(max b_{m−1,n−1},
    max b_{m,n−1}) over the widened image [x1_j, x2_j] (b′ has at most three monotone pieces there, each of
    variation <= 2·sup|b′|, and |b′| <= n·max of the two bumps); the largest Σ_j w_j·t_j with 0 <= t_j <= c_j and
    Σ t_j <= TV(b′_m) fills the heaviest zones first. Cached per (noise, L, span, zones)."""
    import numpy as np

    from .count_noise_local import _bernstein_max

    key = ("slope-zones", law.name, L, span, zones)
    if key in _CACHE:
        return _CACHE[key]
    n, N = L - 1, L - 2
    z = np.arange(zones + 1, dtype=np.float64) * (span / zones)
    z[-1] = span * (1 + 2 * _EPS)
    j = np.arange(zones)
    _, top = law.slope_range(z[np.maximum(j - 1, 0)], z[np.minimum(j + 2, zones)])
    weight = top * top * (1 + 4 * _EPS)
    x1 = np.maximum(law.phi(z[:-1]) * (1 - 2 * law.relative) - 2.0**-1000, 0.0)
    x2 = np.minimum(law.phi(z[1:]) * (1 + 2 * law.relative) + 2.0**-1000, 1.0)
    lf = _log_factorials(N)
    i = np.arange(-1, N + 2)  # bumps b_{i,N}, i = −1..N + 1 (0 outside 0..N)
    total = _spreads(n)
    order = np.argsort(-weight, kind="stable")
    filled = np.zeros(n + 1)
    out = np.zeros(n + 1)
    for jj in order.tolist():
        bumps = _bernstein_max(lf, N, i, x1[jj], x2[jj])
        cap = 6 * n * np.maximum(bumps[:-1], bumps[1:]) * (1 + 8 * _EPS)  # m = 0..n: bumps m − 1 and m
        now = np.minimum(filled + np.minimum(cap, total), total)
        out += float(weight[jj]) * (now - filled)
        filled = now
    out *= 1 + (zones + 8) * _EPS
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[key] = out
    return out


def zone_slope_variation(d: Any, law: Any, span: float) -> float:
    """A bound on Σ_j Φ̃1_j²·TV_{φ(zone j)}(G′) (the trapezoid's cells, h <= the zones' width): the least over the
    knot spacings of Φ1²·TV(G_s′) (each zone's weight at most Φ1², the images disjoint) plus Σ_m |d_r(m)|·ω1(m)."""
    import numpy as np

    d = np.ascontiguousarray(d, dtype=np.float64)
    if d.size < 8 or not np.all(np.isfinite(d)):
        return math.inf
    omega = zone_slope_weights(d.size, law, span)
    grow = 1 + (d.size + 8) * _EPS
    top = law.slope_top * law.slope_top * (1 + 4 * _EPS)
    return min((top * a + float(rest @ omega) * (1 + _EPS) * grow) * (1 + 4 * _EPS) for a, _, rest, _, _ in _splits(d))


def bend_moments(law: Any, span: float, pieces: int = 1 << 14) -> "tuple[float, float]":
    """(lower, upper) on ∫_0^span φ″² du: on each of ``pieces`` equal pieces [a, b] of width δ, |φ″| lies within
    (|φ″(a)| + |φ″(b)| ± δΦ3)/2 (|φ″| is Φ3-Lipschitz), each computed φ″ within 64ε·Φ2 (NoiseLaw.bend), so ∫ over the
    piece within δ times the squares of those; the float span within ε of the true one (Φ2²·ε more); sums rounded
    by (pieces + 8)ε. Cached per noise and span."""
    import numpy as np

    key = ("bend2", law.name, span, pieces)
    if key in _CACHE:
        return _CACHE[key]
    u = np.linspace(0.0, span, pieces + 1)
    u[-1] = span
    ends = np.abs(law.bend(u))
    width = np.diff(u) * (1 + 2 * _EPS)
    slack = width * law.twist_top + 128 * _EPS * law.bend_top
    both = ends[:-1] + ends[1:]
    high = (both + slack) / 2 * (1 + 4 * _EPS)
    low = np.maximum((both - slack) / 2 * (1 - 4 * _EPS), 0.0)
    grow = (pieces + 8) * _EPS
    out = (float(width @ (low * low)) * (1 - grow) * (1 - 2 * _EPS),
           float(width @ (high * high)) * (1 + grow) + law.bend_top**2 * 2 * _EPS)
    _CACHE[key] = out
    return out


def difference_variations(d: Any) -> "tuple[float, float]":
    """(TV(G′), TV(G‴)) bounds for this d from G′ = (L − 1)Σ_m Δd(m)·b_{m,L−2} and
    G‴ = (L − 1)(L − 2)(L − 3)Σ_m Δ³d(m)·b_{m,L−4} (the Bernstein derivatives of G = Σ_m d(m)·b_{m,L−1}):
    TV ≤ the sums of |coefficient|·TV(b), TV(b_{m,n}) = 2·max b_{m,n} inside, 1 at the ends (unimodal). Each
    difference within its rounding (4ε, 16ε of max|d|), the peaks rounded up, the sums within (L + 8)ε each. Far below
    (L − 1)Σ|Δ²d| and (L − 1)(L − 2)(L − 3)Σ|Δ⁴d| where d has kinks (a partial curve's straight pieces): each kink
    costs about 1/sqrt(L·x(1 − x)) of what the differences charge it."""
    import numpy as np

    from .count_completion import bernstein_peaks

    L = d.size
    if L < 5:
        return math.inf, math.inf

    def spread(n: int) -> Any:
        peaks = bernstein_peaks(n)
        out = 2 * peaks
        out[0] = out[-1] = 1.0
        return out

    top = float(np.abs(d).max(initial=0.0))
    grow = 1 + 4 * (L + 8) * _EPS
    first = float((np.abs(np.diff(d)) + 4 * _EPS * top) @ spread(L - 2))
    third = float((np.abs(np.diff(d, 3)) + 16 * _EPS * top) @ spread(L - 4))
    return (L - 1) * first * grow, float(L - 1) * (L - 2) * (L - 3) * third * grow * grow
