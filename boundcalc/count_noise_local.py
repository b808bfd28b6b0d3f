"""Cell-local remainders of MDLM's other noises' brackets, folded into their linear forms over completions.

The brackets of :mod:`boundcalc.count_brackets_noise` bound Euler–Maclaurin's remainder cell by cell,
Σ_k (Δr_k⁴/384)·TV_cell(G‴), by (h⁴Φ1⁴/384)·TV(G‴) with Φ1 the global maximum of φ′. Where G‴ varies (for a
partial curve's completions: near r = 0 and r = 1, where a gap's drop may sit at m = 1 or m = L − 2) φ′ may be
far below Φ1 (cosine: φ′(1) = 0; linear: φ′(0) ≈ 0.006 against 7). Here (docs/theory.md §12, "Cell-local
remainders"): split [0, 1 − δ] into J equal zones [z_j, z_{j+1}]; a cell whose left end lies in zone j lies in
[z_j, z_{j+2}] once h <= the zones' width, so Δr_k <= h·Φ1_j (Φ1_j = max φ′ there) and its r-range lies in
[φ(z_j), φ(z_{j+2})] = [x1, x2]:

    Σ_k Δr_k⁴·TV_cell(G‴) <= h⁴ Σ_j Φ1_j⁴·TV_[x1, x2](G‴) <= h⁴·(L − 1)·Σ_m |Δd(m)|·ω(m),
    ω(m) = Σ_j Φ1_j⁴·min(TV(b″_{m,K}), (x2 − x1)·sup_[x1, x2]|b‴_{m,K}|),

with G‴ = (L − 1)Σ_m Δd(m)·b″_{m,K} (:mod:`boundcalc.count_completion`), K = L − 2, and
|b‴_{m,K}| <= K(K − 1)(K − 2)·(b_{m−3} + 3b_{m−2} + 3b_{m−1} + b_m)_{K−3}, each b_{i,n} unimodal (its maximum
on [x1, x2] at the point nearest i/n).

For a non-increasing d, |Δd(m)| = d(m) − d(m + 1), so every remainder of the form "weight·Σ_m |Δd(m)|·w(m)"
is a linear form in d: Σ_m d(m)·(W(m) − W(m − 1)), W = weight·w (W(−1) = W(L − 1) = 0). Over a partial curve's
completions the remainders (TV(G′) by w = TV(b_{m,K}), TV(G‴) by ω, sup|G′| by w = max b_{m,K}) are then added
to the forms themselves before their extremes over the completions are taken (:func:`folded_ends`), instead of
each remainder's own maximum over the completions: a completion that puts a drop where the remainder is large
need not be the one that extremises the value.
"""

from __future__ import annotations

import math
from typing import Any, Callable

__all__ = ["ZONES", "zone_variations", "twist_weights", "drop_weights", "fold", "folded_ends"]

_EPS = 2.0**-52
_ROOM = 1 + 1e-6  # a Bernstein value from lgamma and logs: within 1e-9 relative (as count_completion.bernstein_peaks)
ZONES = 64  # zones of [0, 1 − δ]: valid for h <= (1 − δ)/64, i.e. T >= 64
_CACHE: dict[tuple[Any, ...], Any] = {}


def _bernstein_max(lf: Any, n: int, j: Any, x1: Any, x2: Any) -> Any:
    """max over [x1, x2] of b_{j,n}(x) = C(n, j)x^j(1 − x)^(n − j) (0 where j is outside 0..n), rounded up; arrays
    broadcast (j over the last axis, [x1, x2] over the first)."""
    import numpy as np

    valid = (j >= 0) & (j <= n)
    jj = np.clip(j, 0, n)
    x = np.clip(jj / max(n, 1), x1, x2)
    inside = (x > 0) & (x < 1)
    safe = np.where(inside, x, 0.5)
    log_b = lf[n] - lf[jj] - lf[n - jj] + jj * np.log(safe) + (n - jj) * np.log1p(-safe)
    value = np.where(inside, np.exp(log_b) * _ROOM, ((x <= 0) & (jj == 0)) | ((x >= 1) & (jj == n)))
    return np.where(valid, np.minimum(value, 1.0), 0.0)


def zone_variations(L: int, law: Any, span: float, zones: int = ZONES) -> tuple[Any, Any, float]:
    """(Φ1_j, V[j, m], width): for each zone j of [0, span] (J = ``zones`` equal zones), an upper bound Φ1_j on
    φ′ over [z_j, z_{j+2}] and V[j, m] >= TV of b″_{m,K} over [φ(z_j), φ(z_{j+2})], K = L − 2, m = 0..K:
    min(TV(b″_{m,K}) on [0, 1], (x2 − x1)·sup|b‴_{m,K}|) (module docstring); ``width`` the least zone width,
    the largest h for which every cell whose left end lies in zone j lies in [z_j, z_{j+2}]."""
    import numpy as np

    from .count_completion import drop_weight_arrays

    K = L - 2
    _, w3, _ = drop_weight_arrays(L)
    z = np.arange(zones + 1, dtype=np.float64) * (span / zones)
    z[-1] = span * (1 + 2 * _EPS)  # the last cell ends at 1 − δ, within this
    width = float(np.min(np.diff(z))) * (1 - 1e-9)
    lo_u, hi_u = z[:-1], np.append(z[2:], z[-1])  # [z_j, z_{j+2}] ∩ [0, 1 − δ]
    _, top = law.slope_range(lo_u, hi_u)
    x1 = np.maximum(law.phi(lo_u) * (1 - 2 * law.relative) - 2.0**-1000, 0.0)
    x2 = np.minimum(law.phi(hi_u) * (1 + 2 * law.relative) + 2.0**-1000, 1.0)
    if K < 3:  # b‴ = 0 for K < 3; no local bound needed
        return top, np.tile(w3, (zones, 1)), width
    lf = np.array([math.lgamma(k + 1) for k in range(K + 1)])
    n, m = K - 3, np.arange(K + 1)
    scale = float(K) * (K - 1) * (K - 2)
    out = np.empty((zones, K + 1))
    for j in range(zones):
        sup3 = sum(c * _bernstein_max(lf, n, m - shift, x1[j], x2[j]) for c, shift in ((1, 3), (3, 2), (3, 1), (1, 0)))
        out[j] = np.minimum(w3, (x2[j] - x1[j]) * scale * sup3 * (1 + 16 * _EPS))
    return top, out, width


def twist_weights(L: int, law: Any, span: float, zones: int = ZONES, head: int | None = None) -> tuple[Any, float]:
    """(ω(m), m = 0..L − 2; the largest h it holds for): ω = Σ_j Φ1_j⁴·V[j, m] (:func:`zone_variations`), so that
    Σ_k Δr_k⁴·TV_cell(G‴) <= h⁴·(L − 1)·Σ_m |Δd(m)|·ω(m) for every d and every h up to that width. ``head``: the
    sum over the first ``head`` zones only, the bound for the cells whose left ends lie there (the others summed
    exactly, :mod:`boundcalc.count_noise_tail`). Computed once per (noise, L, zones, head)."""
    head = zones if head is None else head
    key = ("twist", law.name, L, span, zones, head)
    if key not in _CACHE:
        zoned = ("zones", law.name, L, span, zones)
        if zoned not in _CACHE:  # shared by every head
            _CACHE[zoned] = zone_variations(L, law, span, zones)
        top, local, width = _CACHE[zoned]
        top, local = top[:head], local[:head]
        omega = (local * (top**4 * (1 + 8 * _EPS))[:, None]).sum(axis=0)  # no BLAS: its threads stall on a busy machine
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = (omega * (1 + (zones + 8) * _EPS), width)
    return _CACHE[key]


def drop_weights(form: Any, L: int, law: Any, span: float, h_hi: float) -> Any:
    """W(m), m = 0..L − 2: the form's remainders per unit of |Δd(m)| — rest1·TV(G′), rest3·TV(G‴) (cell-local,
    :func:`twist_weights`, where h_hi allows it) and rest0·sup|G′| — each bounded by (L − 1)·Σ_m |Δd(m)|·w(m)."""
    from .count_completion import drop_weight_arrays

    w1, w3, peaks = drop_weight_arrays(L)
    total = form.rest1 * w1 + getattr(form, "rest0", 0.0) * peaks
    if form.rest3:
        omega, widest = twist_weights(L, law, span, head=getattr(form, "head_zones", ZONES))
        local = getattr(form, "rest3_local", 0.0)
        total = total + (local * omega if local and h_hi <= widest else form.rest3 * w3)
    return (L - 1) * total * (1 + 8 * _EPS)


def fold(weights: Any) -> tuple[Any, Any]:
    """(R, its entrywise rounding) with Σ_m |Δd(m)|·W(m) = R·d for every non-increasing d on 0..L − 1 (W over
    m = 0..L − 2): R(m) = W(m) − W(m − 1), W(−1) = W(L − 1) = 0."""
    import numpy as np

    padded = np.concatenate(([0.0], weights, [0.0]))
    r = np.diff(padded)
    return r, 2 * _EPS * (padded[1:] + padded[:-1])


def folded_ends(bracket: Any, form: Any, ends: Callable[[Any], tuple[float, float]], top: Any, first: int,
                last: int) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The brackets of the low and the high end of E error(T) over every monotone completion (``ends``, ``top`` as
    :func:`boundcalc.count_brackets.completion_bracket`) from one of a noise bracket's forms, its remainders folded
    in (module docstring); None for a form of another bracket."""
    import numpy as np

    from .count_brackets import RiemannBracket

    law = getattr(bracket, "law", None)
    if law is None:
        return None
    L = bracket.L
    h_hi = float(bracket.span / first) * (1 + _EPS)
    r, r_error = fold(drop_weights(form, L, law, bracket.s, h_hi))
    lower, upper = form.lower - r, form.upper + r
    error = form.error + r_error + 2 * _EPS * (np.abs(lower) + np.abs(upper))
    plain = type(form)(**{**form._asdict(), "lower": lower, "upper": upper, "error": error, "rest1": 0.0,
                          "rest3": 0.0, "rest0": 0.0})
    slack = RiemannBracket.slack(bracket, plain, top, 0.0, 0.0)
    lower_ends, upper_ends = ends(lower), ends(upper)
    return (lower_ends[0] - slack, upper_ends[0] + slack), (lower_ends[1] - slack, upper_ends[1] + slack)
