"""Sharper zone weights of the folded forms' h³ and h⁴ remainders over a partial curve's completions (docs/theory.md
§12, "Intervals over completions", (5) *Zones with an overhang, and each zone's own variation*).

The folded Euler–Maclaurin form (:mod:`boundcalc.count_noise_completions`) charges a drop at m the weights α(m) (TV(a)
by zones), τ(m) (R₅ by zones) and ω(m) (the cells' h⁴ term by zones), each a sum over zones of φ′'s top there times the
variation of a Bernstein basis function over the zone's r-range. Two things made them loose by 2–4x:

* τ and ω charged each cell whose left end lies in zone j to [z_j, z_{j+2}] (valid for h up to a zone's width), so
  every r lies in two zones' ranges and each drop is counted twice. Instead a cell's variation is split at the
  zones' ends (TV adds over adjacent intervals) and each part charged φ′'s top over its zone widened by η: for
  h <= η (η = a zone's width / :data:`OVERHANG`, T > 64·OVERHANG) every cell meeting zone j lies in
  [z_j − η, z_{j+1} + η]. Each r is then in one zone's range.
* the variation over a zone's range was 2·max there, or the whole of [0, 1]'s (b), or the range's width times
  sup|b‴| (b″). Here it is each range's own: b_{m,K} is unimodal, so TV_[x1, x2](b) = |b(x2) − b(x1)| off its mode
  and 2·b(mode) − b(x1) − b(x2) around it; and TV_[x1, x2](b″) = TV_[0, 1](b″) − TV_[0, x1](b″) − TV_[x2, 1](b″), the
  whole variation bounded above (count_completion.second_derivative_variation) and the outer two bounded below by
  any partition (b″'s own turning points, the roots of b‴, found approximately: any points give a lower bound).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["OVERHANG", "overhang_width", "overhang_zones", "zone_bends", "bernstein_variation", "sharp_bend_weights",
           "sharp_cell_weights", "sharp_twist_weights"]

_EPS = 2.0**-52
_ROOM = 1e-6  # a Bernstein value from lgamma and logs is within 1e-9 relative (count_noise_local._ROOM): 1e-6 of room
#: The overhang η of the zones of τ and ω is a zone's width over this: the sharp weights hold for h <= η.
OVERHANG = 16
_CACHE: dict = {}


def overhang_width(span: float, zones: int) -> float:
    """η: the largest h = (1 − δ)/T for which the sharp τ and ω hold (a zone's width / :data:`OVERHANG`)."""
    return span / zones / OVERHANG * (1 - 1e-9)


def overhang_zones(law: Any, span: float, zones: int) -> "tuple[Any, Any, Any, Any, Any]":
    """(lo_u, hi_u, Φ1_j, x1, x2) of the J equal zones [z_j, z_{j+1}] of [0, span]: every cell of an h <= η
    (:func:`overhang_width`) that meets zone j lies in [z_j − η, z_{j+1} + η], where φ′ <= Φ1_j; the zones' r-ranges
    [x1, x2] ⊇ [φ(z_j), φ(z_{j+1})] (φ's relative error twice, as count_noise_completions._zone_layout) are adjacent,
    so a cell's variation is the sum of its parts' over them."""
    import numpy as np

    z = np.arange(zones + 1, dtype=np.float64) * (span / zones)
    z[-1] = span * (1 + 2 * _EPS)
    lo_u, hi_u = z[:-1], z[1:]
    eta = span / zones / OVERHANG
    _, top = law.slope_range(np.maximum(lo_u * (1 - 2 * _EPS) - eta, 0.0), np.minimum(hi_u + eta, span) * (1 + 2 * _EPS))
    x1 = np.maximum(law.phi(lo_u) * (1 - 2 * law.relative) - 2.0**-1000, 0.0)
    x2 = np.minimum(law.phi(hi_u) * (1 + 2 * law.relative) + 2.0**-1000, 1.0)
    return lo_u, hi_u, top, x1, x2


def zone_bends(law: Any, span: float, zones: int) -> Any:
    """Φ2_j/Φ2 per zone: sup|φ″| over zone j widened by η on each side (count_noise_bins._bend_sup: an end, or
    geometric's peak, plus φ″'s rounding), over the global bound Φ2 = law.bend_top, at most 1. The midpoint rule's
    and R₅'s Φ2 is the Lipschitz constant of φ′ on one cell (or block), so for h (and a block's width) <= η a cell
    meeting zone j may take Φ2_j."""
    import numpy as np

    from .count_noise_bins import _bend_sup

    z = np.arange(zones + 1, dtype=np.float64) * (span / zones)
    eta = span / zones / OVERHANG
    lo = np.maximum(z[:-1] * (1 - 2 * _EPS) - eta, 0.0)
    hi = np.minimum((z[1:] + eta) * (1 + 2 * _EPS), span * (1 + 2 * _EPS))
    return np.minimum(_bend_sup(law, lo, hi) / law.bend_top * (1 + 4 * _EPS), 1.0)


def _bernstein_at(lf: Any, n: int, m: Any, x: float) -> "tuple[Any, Any]":
    """(lower, upper) bounds on b_{m,n}(x) for the array m (0 <= m <= n) at one x in [0, 1]."""
    import numpy as np

    if x <= 0.0 or x >= 1.0:
        exact = (m == 0) if x <= 0.0 else (m == n)
        value = exact.astype(np.float64)
        return value, value
    log_b = lf[n] - lf[m] - lf[n - m] + m * math.log(x) + (n - m) * math.log1p(-x)
    value = np.exp(log_b)
    return value * (1 - _ROOM), np.minimum(value * (1 + _ROOM), 1.0)


def bernstein_variation(lf: Any, n: int, m: Any, x1: float, x2: float, peak: Any = None) -> Any:
    """An upper bound on TV over [x1, x2] of b_{m,n} for the array m: b rises to its mode m/n and falls after, so
    the variation is b(x2) − b(x1) left of the mode, b(x1) − b(x2) right of it, and 2·b(mode) − b(x1) − b(x2)
    around it (each value rounded the way that makes it larger, never below 0). ``peak``: count_noise_local.
    _bernstein_max over [x1, x2] for these m, when already computed."""
    import numpy as np

    from .count_noise_local import _bernstein_max

    low1, up1 = _bernstein_at(lf, n, m, x1)
    low2, up2 = _bernstein_at(lf, n, m, x2)
    mode = m / max(n, 1)
    if peak is None:  # at the point of [x1, x2] nearest the mode, rounded up
        peak = _bernstein_max(lf, n, m, x1, x2)
    around = 2 * peak - low1 - low2
    rising, falling = up2 - low1, up1 - low2
    out = np.where(mode >= x2, rising, np.where(mode <= x1, falling, around))
    return np.maximum(out, 0.0) * (1 + 8 * _EPS)


def _layout(L: int, law: Any, span: float, zones: int) -> tuple:
    """The log-factorials, m = 0..K (K = L − 2) and TV(b_{m,K}) over [0, 1] (count_completion.drop_weight_arrays)."""
    import numpy as np

    from .count_completion import drop_weight_arrays

    K = L - 2
    w1, w3, _ = drop_weight_arrays(L)
    lf = np.array([math.lgamma(k + 1) for k in range(K + 1)])
    return K, lf, np.arange(K + 1), w1, w3


def sharp_bend_weights(L: int, law: Any, span: float, zones: int, local: bool = False) -> Any:
    """α(m) of count_noise_completions.bend_weights (disjoint zones U_j, valid for every h) with each zone's own
    variation of b_{m,K} (:func:`bernstein_variation`) in place of min(2·max there, TV over [0, 1]), and each zone's
    own variation of φ′ (at most its range on U_j, twice where φ′ turns inside U_j) where below Φ2·|U_j|. ``local``:
    each zone's terms times Φ2_j/Φ2 (:func:`zone_bends`; valid where h and the blocks' width are <= η)."""
    import numpy as np

    from .count_noise_local import _bernstein_max

    key = ("bend", law.name, L, span, zones, local)
    if key not in _CACHE:  # both variants in one pass: the same zones' peaks and variations
        K, lf, m, w1, _ = _layout(L, law, span, zones)
        z = np.arange(zones + 1, dtype=np.float64) * (span / zones)
        z[-1] = span * (1 + 2 * _EPS)
        lo_u, hi_u = z[:-1], z[1:]
        low, top = law.slope_range(lo_u, hi_u)
        x1 = np.maximum(law.phi(lo_u) * (1 - 2 * law.relative) - 2.0**-1000, 0.0)
        x2 = np.minimum(law.phi(hi_u) * (1 + 2 * law.relative) + 2.0**-1000, 1.0)
        width = (hi_u - lo_u) * (1 + 4 * _EPS) + 4 * _EPS * span
        # TV of φ′ over the zone: Φ2·|U_j|, or (φ′ monotone, or unimodal with its turn inside) its range once or twice
        turns = np.where((lo_u < law.turn) & (law.turn < hi_u), 2.0, 1.0)
        bends = np.minimum(law.bend_top * width, turns * (top - low) * (1 + 4 * _EPS))
        ratio = zone_bends(law, span, zones)
        plain, own = np.zeros(K + 1), np.zeros(K + 1)
        for j in range(zones):
            peak = _bernstein_max(lf, K, m, x1[j], x2[j])
            tv = np.minimum(bernstein_variation(lf, K, m, float(x1[j]), float(x2[j]), peak), np.minimum(2 * peak, w1))
            term = top[j] * tv + bends[j] * peak
            plain += term
            own += ratio[j] * (1 + 4 * _EPS) * term
        grow = 1 + (2 * zones + 16) * _EPS
        _CACHE[key[:-1] + (False,)], _CACHE[key[:-1] + (True,)] = plain * grow, own * grow
    return _CACHE[key]


def sharp_cell_weights(L: int, law: Any, span: float, zones: int) -> Any:
    """τ(m) of count_noise_completions.cell_slope_weights over the zones with an overhang (:func:`overhang_zones`,
    valid for h <= :func:`overhang_width`), each zone's own variation of b_{m,K}: Σ_j Φ1_j·TV_[x1_j, x2_j](b_{m,K}) >=
    Σ_k Φ1(cell k)·TV_cell(b_{m,K}) (each cell's variation split at the zones' ends, each part charged its zone's
    Φ1_j >= φ′ on the cell), each zone's term times Φ2_j/Φ2 (:func:`zone_bends`: R₅'s |Δr_k² − h²φ′²| <=
    2h³·Φ1(cell)·Φ2(cell))."""
    import numpy as np

    key = ("cells", law.name, L, span, zones)
    if key not in _CACHE:
        K, lf, m, w1, _ = _layout(L, law, span, zones)
        _, _, top, x1, x2 = overhang_zones(law, span, zones)
        top = top * zone_bends(law, span, zones) * (1 + 4 * _EPS)  # R₅'s Φ1·Φ2 on a cell, over the global Φ2
        out = np.zeros(K + 1)
        for j in range(zones):
            out += top[j] * np.minimum(bernstein_variation(lf, K, m, float(x1[j]), float(x2[j])), w1)
        _CACHE[key] = out * (1 + (zones + 16) * _EPS)
    return _CACHE[key]


def _second_at(K: int, m: Any, x: float, lf: Any) -> "tuple[Any, Any]":
    """(b″_{m,K}(x), its error) for the array m (2 <= m <= K − 2) at one x in (0, 1): count_completion's
    _second_derivative_at, mirrored for m > K/2 (b_{m,K}(x) = b_{K−m,K}(1 − x), the same second derivative)."""
    import numpy as np

    from .count_completion import _second_derivative_at

    mirrored = m > K // 2
    mm = np.where(mirrored, K - m, m)
    xx = np.where(mirrored, 1.0 - x, x)
    return _second_derivative_at(K, mm, xx, lf)


def _turning_points(K: int, m: Any) -> Any:
    """Approximate roots of b‴_{m,K} in (0, 1) (3 <= m <= K − 3), shape (3, m.size): the depressed cubic of
    count_completion._interior_variation, without its certificate (they only choose a partition's points)."""
    import numpy as np

    n = K - 3
    mm = np.minimum(m, K - m).astype(np.float64)
    A = (n + 1) / (mm * (n - mm + 2))
    B = np.array([(3 * (n + 1) * k * (n - k + 3) - k * k * (n - k + 2) * (n - k + 3) + (k - 1) * (k - 2) * (n - k + 1) ** 2)
                  / (k * k * (n - k + 2) * (n - k + 3)) for k in np.minimum(m, K - m).tolist()])  # exact integers
    root_a = np.sqrt(A)
    phase = np.arccos(np.clip(B / (2 * A * root_a), -1.0, 1.0)) / 3
    us = np.stack([2 * root_a * np.cos(phase - 2 * np.pi * k / 3) for k in range(3)])
    t = np.maximum((mm / (n - mm + 1)) * (1 + us), 0.0)
    x = np.clip(t / (1 + t), 1e-300, 1 - 1e-16)
    return np.where(m > K // 2, 1 - x, x)


def _turning_values(K: int, m: Any, lf: Any, roots: Any) -> "tuple[Any, Any, Any, Any]":
    """b″ at the turning points (``roots``, increasing) and the partial sums of the variation's lower bounds along
    them: from x = 0 (where b″ = 0) up to each root, and from x = 1 down to each (3 <= m <= K − 3)."""
    import numpy as np

    values, errors = (np.stack(a) for a in zip(*(_second_at(K, m, r, lf) for r in roots)))
    zero = np.zeros((1, m.size))
    v, e = np.concatenate([zero, values, zero]), np.concatenate([zero, errors, zero])
    steps = np.maximum(np.abs(np.diff(v, axis=0)) - e[1:] - e[:-1], 0.0)  # 4 steps: 0 → r0 → r1 → r2 → 1
    up = np.cumsum(steps[:3], axis=0)  # from 0 to r_k
    down = np.cumsum(steps[:0:-1], axis=0)[::-1]  # from 1 down to r_k
    return values, errors, up, down


def _outer_variation(K: int, m: Any, lf: Any, roots: Any, turning: tuple, x1: float, x2: float) -> Any:
    """A lower bound on TV over [0, x1] and [x2, 1] of b″_{m,K} (3 <= m <= K − 3, where b″(0) = b″(1) = 0): the
    partition by x1, x2 and the turning points outside [x1, x2], each difference less its values' errors."""
    import numpy as np

    values, errors, up, down = turning
    columns = np.arange(m.size)
    total = np.zeros(m.size)
    for end, left in ((x1, True), (x2, False)):
        if not 1e-12 < end < 1 - 1e-12:  # nothing outside, or too near an end to evaluate: 0 is a bound
            continue
        end_value, end_error = _second_at(K, m, end, lf)
        if left:  # 0, the roots below x1, x1
            count = (roots < end).sum(axis=0)
            last = np.maximum(count - 1, 0)
            before = np.where(count > 0, up[last, columns], 0.0)
        else:  # 1, the roots above x2 (downward), x2
            count = (roots > end).sum(axis=0)
            last = np.minimum(3 - count, 2)
            before = np.where(count > 0, down[last, columns], 0.0)
        near = np.where(count > 0, values[last, columns], 0.0)
        near_error = np.where(count > 0, errors[last, columns], 0.0)
        total += before + np.maximum(np.abs(end_value - near) - end_error - near_error, 0.0)
    return total


def sharp_twist_weights(L: int, law: Any, span: float, zones: int) -> Any:
    """ω(m) of count_noise_local.twist_weights over the zones with an overhang (valid for h <= :func:`overhang_width`):
    Σ_j Φ1_j⁴·V_j(m), V_j(m) the least of count_noise_local's own (min(TV(b″), width·sup|b‴|) over the zone's range)
    and, for 3 <= m <= K − 3, TV(b″) − (a lower bound on its variation outside the range) (module docstring)."""
    import numpy as np

    key = ("twist", law.name, L, span, zones)
    if key not in _CACHE:
        K, lf, m, _, w3 = _layout(L, law, span, zones)
        _, _, top, x1, x2 = overhang_zones(law, span, zones)
        from .count_noise_local import _bernstein_max

        inner = np.arange(3, K - 2) if K >= 8 else np.zeros(0, dtype=np.int64)
        roots = np.sort(_turning_points(K, inner), axis=0) if inner.size else None
        turning = _turning_values(K, inner, lf, roots) if inner.size else None
        n, scale = K - 3, float(K) * (K - 1) * (K - 2)
        out = np.zeros(K + 1)
        for j in range(zones):
            # Σ_i C(3, i)·max b_{m−3+i,n}: one law of peaks over j = 0..n, shifted (0 outside), as count_noise_local
            peaks = np.concatenate((np.zeros(3), _bernstein_max(lf, n, np.arange(n + 1), x1[j], x2[j]), np.zeros(3)))
            sup3 = sum(c * peaks[3 - shift : 3 - shift + K + 1] for c, shift in ((1, 3), (3, 2), (3, 1), (1, 0)))
            v = np.minimum(w3, (x2[j] - x1[j]) * scale * sup3 * (1 + 16 * _EPS))
            if turning is not None:
                outer = _outer_variation(K, inner, lf, roots, turning, float(x1[j]), float(x2[j]))
                v[inner] = np.minimum(v[inner], np.maximum(w3[inner] - outer * (1 - 1e-9), 0.0) * (1 + 1e-9))
            out += top[j] ** 4 * (1 + 8 * _EPS) * v
        _CACHE[key] = out * (1 + (zones + 8) * _EPS)
    return _CACHE[key]
