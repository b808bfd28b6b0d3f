"""Variation bounds of G = E d(Bin(L−1, ·)) over every monotone completion of a partial curve (count T ranges).

The brackets of a count family's expected error (:mod:`boundcalc.count_brackets`,
:mod:`boundcalc.count_brackets_noise`) leave remainders TV(G′)·rest1 + TV(G‴)·rest3 (+ sup|G′|·rest0 for
the other noises). Over the completions of a partial curve, d is any non-increasing function through the
measured points, so a gap can put its whole drop at one m: the bounds true of every such d used to be
TV(G′) <= 2(L−1)·max d and TV(G‴) <= 8(L−1)(L−2)(L−3)·max d, as if every drop sat where the Bernstein
basis is steepest. With K = L − 2 and Δd(m) = d(m+1) − d(m), m = 0..K (docs/theory.md §12, "The T range
over completions"):

    G′ = (L−1)·Σ_m Δd(m)·b_{m,K},   G‴ = (L−1)·Σ_m Δd(m)·b″_{m,K}      (b_{m,K} the Bernstein basis)

(the second: Σ_m Δ³d(m) b_{m,K−2} sums by parts to Σ_m Δd(m)(b_{m−2} − 2b_{m−1} + b_m)_{K−2}, which is
b″_{m,K}/(K(K−1))). So TV(G′) <= (L−1)·Σ_m |Δd(m)|·TV(b_{m,K}), TV(G‴) <= (L−1)·Σ_m |Δd(m)|·TV(b″_{m,K}) and
sup|G′| <= (L−1)·max_m |Δd(m)| (Σ_m b_{m,K} = 1). Each weight is small away from the ends:

- TV(b_{m,K}) = 2·max b_{m,K} = 2·C(K, m)(m/K)^m(1 − m/K)^(K−m) for 0 < m < K (unimodal, 0 at both ends),
  and 1 at m = 0, K: about 2/sqrt(2π m(K−m)/K);
- b‴_{m,K} is x^a(1−x)^c times a cubic, so b″ is monotone on at most 4 pieces and
  TV(b″_{m,K}) <= |b″(0)| + |b″(1)| + 6·sup|b″| <= K(K−1)·[|f(0)| + |f(1)| + 6·(β_{m−2} + 2β_{m−1} + β_m)],
  f = b_{m−2} − 2b_{m−1} + b_m of degree K − 2 and β_j = max b_{j,K−2}; also <= 8K(K−1) (the old bound);
  and, tighter (:func:`second_derivative_variation`), |b″(0)| + |b″(1)| + 2Σ|b″(z)| over the (at most 3)
  roots z of b‴, isolated by certified sign changes: within 10⁻⁷ of the true variation.

A completion maximises Σ_m |Δd(m)|·w(m) by putting each gap's drop A − B at the m of the gap where w is
largest, so the bound over every completion is Σ over consecutive anchors (measured points, and the virtual
d(−1) = ln V, d(L) = 0) of (A − B)·max w over m_a <= m < m_b.
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple, Sequence

__all__ = ["CompletionVariation", "bernstein_peaks", "drop_weight_arrays", "second_derivative_variation", "completion_variation", "coefficient_work", "range_sampler",
           "certified_ends", "MAX_COUNT_RANGE_WORK"]

_EPS = 2.0**-52
_ROOM = 1 + 1e-6  # each peak's exponent errs by far less than 1e-9 relative (its terms' magnitude times 64ε)


class CompletionVariation(NamedTuple):
    """Upper bounds, true of every completion, on TV(G′), TV(G‴) and sup|G′| (nats)."""

    tv1: float
    tv3: float
    slope: float


def bernstein_peaks(n: int) -> Any:
    """max over x in [0, 1] of b_{j,n}(x) = C(n, j) x^j (1 − x)^(n − j), j = 0..n, rounded up.

    The maximum is at x = j/n; its log is lgamma terms and j·log(j/n) + (n − j)·log(1 − j/n), each within a few
    ulps of a number at most (n + 1)·log(n + 1) in size, so the float value is within 1e-9 relative for
    n <= 2^24 and ``_ROOM`` covers it.

    >>> [round(x, 6) for x in bernstein_peaks(2).tolist()]   # (1 − x)², 2x(1 − x) at 1/2, x²
    [1.0, 0.5, 1.0]
    """
    import numpy as np

    if n == 0:
        return np.ones(1)
    j = np.arange(n + 1, dtype=np.float64)
    inner = (j > 0) & (j < n)
    safe = np.where(inner, j, n / 2)  # any j strictly inside: the ends are set to 1 below
    lg = np.array([math.lgamma(k + 1) for k in range(n + 1)])
    log_peak = lg[n] - lg[j.astype(np.int64)] - lg[n - j.astype(np.int64)] + safe * np.log(safe / n) \
        + (n - safe) * np.log1p(-safe / n)
    return np.where(inner, np.minimum(np.exp(log_peak) * _ROOM, 1.0), 1.0)


_WEIGHTS: dict[int, tuple[Any, Any, Any]] = {}


def drop_weight_arrays(L: int) -> tuple[Any, Any, Any]:
    """(w1, w3, peaks) over m = 0..L−2 (:func:`_weights`), computed once per L (the arrays are shared: read only)."""
    if L not in _WEIGHTS:
        if len(_WEIGHTS) > 8:
            _WEIGHTS.clear()
        _WEIGHTS[L] = _weights(L)
    return _WEIGHTS[L]


def _weights(L: int) -> tuple[Any, Any, Any]:
    """(w1, w3, peaks) over m = 0..L−2: TV(b_{m,K}), a bound on TV(b″_{m,K}) and max b_{m,K}, K = L − 2 (module
    docstring)."""
    import numpy as np

    K = L - 2
    peaks = bernstein_peaks(K)
    w1 = np.where((np.arange(K + 1) > 0) & (np.arange(K + 1) < K), 2 * peaks, 1.0)
    w3 = np.full(K + 1, 8.0 * K * max(K - 1, 0))
    if K >= 2:
        beta = np.concatenate(([0.0, 0.0], bernstein_peaks(K - 2), [0.0, 0.0]))  # β_{j}, j = −2..K
        m = np.arange(K + 1)
        spread = beta[m] + 2 * beta[m + 1] + beta[m + 2]  # β_{m−2} + 2β_{m−1} + β_m
        ends = np.zeros(K + 1)  # |f(0)| + |f(1)|: f(0) = δ_{m,2} − 2δ_{m,1} + δ_{m,0}, f(1) likewise at K − 2
        for at, size in ((0, 1.0), (1, 2.0), (2, 1.0)):
            ends[at] += size
            ends[K - at] += size
        w3 = np.minimum(w3, K * (K - 1) * (ends + 6 * spread))
        w3[0] = w3[K] = K * (K - 1)  # b″_{0,K} = K(K−1)(1 − x)^(K−2): monotone from K(K−1) to 0
        lf = np.array([math.lgamma(k + 1) for k in range(K + 1)])
        w3 = np.minimum(w3, second_derivative_variation(K, lf))  # the roots of b‴, where isolated
    return w1, w3 * (1 + 16 * _EPS), peaks


def _second_derivative_at(K: int, m: Any, x: Any, lf: Any) -> tuple[Any, Any]:
    """(b″_{m,K}(x), a bound on its float error) for arrays m (1 <= m <= K/2) and x in (0, 1).

    b″ = K(K−1)·b_{m,K−2}(x)·[(1 − v)² − (1 − κ′)v²], v = σ/t, t = x/(1 − x), σ = m/(K − 1 − m) (the ratio
    b_{m−1,K−2}/b_{m,K−2} at t = 1) and 1 − κ′ = (K − 1)/(m(K − m)); the log of b within 64ε times its terms'
    magnitude, the bracket within 32ε of its two terms."""
    import numpy as np

    n2 = K - 2
    log_b = lf[n2] - lf[m] - lf[n2 - m] + m * np.log(x) + (n2 - m) * np.log1p(-x)
    magnitude = lf[n2] + lf[m] + lf[n2 - m] + m * np.abs(np.log(x)) + (n2 - m) * np.abs(np.log1p(-x))
    b = np.exp(log_b)
    t = x / (1 - x)
    sigma = m / (n2 - m + 1)
    rest = (n2 + 1) / (m * (n2 - m + 2))  # 1 − κ′
    v = sigma / t
    first, second = (1 - v) ** 2, rest * v * v
    value = K * (K - 1) * b * (first - second)
    error = K * (K - 1) * b * (first + second) * (64 * _EPS * (magnitude + 8) + 32 * _EPS)
    return value, error


def second_derivative_variation(K: int, lf: Any) -> Any:
    """Upper bounds on TV(b″_{m,K}) over [0, 1], m = 0..K (inf where the roots of b‴ are not isolated; K < 6: all).

    TV(b″) <= |b″(0)| + |b″(1)| + 2·Σ|b″(z)| over the interior roots z of b‴ (b″ is monotone between them). By the
    symmetry b_{m,K}(x) = b_{K−m,K}(1 − x), m <= K/2; with t = x/(1 − x) and ρ1 = m/(K − 2 − m) the roots are
    t = ρ1(1 + u) for the three real roots of u³ − 3Au − B (A = 1 − κ, B = 3A − (1 − κ3), exact rationals;
    docs/theory.md §12), each isolated by a certified sign change of the float cubic over ±η = 10⁻⁷·sqrt(A);
    m = 1 (t = 3/(K − 3)) and m = 2 (a quadratic) by hand. At a point x̃ within Δ of a root z (b‴(z) = 0),
    |b″(z)| <= |b″(x̃)| + ½Δ²·sup|b⁗|, sup|b⁗| <= 16K⁴."""
    import numpy as np

    out = np.full(K + 1, np.inf)
    if K < 6:
        return out
    out[0] = out[K] = K * (K - 1)
    sup4 = 16.0 * K**4
    n = K - 3
    # m = 1: b‴ ∝ t²(3ρ1 − t), one interior root t = 3ρ1; m = 2: t(t² − 3ρ1t + 3ρ2), two
    for m, at_zero in ((1, 2.0), (2, 1.0)):
        rho1 = m / (n - m + 1)
        if m == 1:
            roots = [3 * rho1]
        else:
            rho2 = m * (m - 1) / ((n - m + 1) * (n - m + 2))
            big = (3 * rho1 + math.sqrt(9 * rho1 * rho1 - 12 * rho2)) / 2
            roots = [big, 3 * rho2 / big]
        t = np.array(roots)
        x = t / (1 + t)
        value, error = _second_derivative_at(K, np.full(t.size, m), x, lf)
        shift = 64 * _EPS * x  # the roots' float error, as a move of x
        total = at_zero * K * (K - 1) + 2 * float(np.sum(np.abs(value) + error + 0.5 * shift * shift * sup4))
        out[m] = out[K - m] = total * (1 + 1e-9)
    ms = np.arange(3, K // 2 + 1)
    if ms.size:
        out[ms] = _interior_variation(K, ms, lf, sup4)
        out[K - ms] = np.minimum(out[K - ms], out[ms])
    return out


def _interior_variation(K: int, ms: Any, lf: Any, sup4: float) -> Any:
    """:func:`second_derivative_variation` for 3 <= m <= K/2 (arrays): the depressed cubic's three roots."""
    import numpy as np

    n = K - 3
    values = ms.tolist()
    A = np.array([(n + 1) / (m * (n - m + 2)) for m in values])
    B = np.array([(3 * (n + 1) * m * (n - m + 3) - m * m * (n - m + 2) * (n - m + 3) + (m - 1) * (m - 2) * (n - m + 1) ** 2)
                  / (m * m * (n - m + 2) * (n - m + 3)) for m in values])  # exact integers, one division
    ok = 4 * A**3 > B * B * (1 + 16 * _EPS)  # three real roots
    root_a = np.sqrt(A)
    phase = np.arccos(np.clip(B / (2 * A * root_a), -1.0, 1.0)) / 3
    us = np.sort(np.stack([2 * root_a * np.cos(phase - 2 * np.pi * k / 3) for k in range(3)]), axis=0)
    eta = 1e-7 * root_a
    ok &= np.all(np.diff(us, axis=0) > 4 * eta, axis=0)
    rho1 = ms / (n - ms + 1)
    total = np.zeros(ms.size)
    for k in range(3):
        signs = []
        for side in (-1.0, 1.0):
            u = us[k] + side * eta
            g = u**3 - 3 * A * u - B
            ok &= np.abs(g) > 16 * _EPS * (np.abs(u) ** 3 + 3 * A * np.abs(u) + np.abs(B))  # its sign is certain
            signs.append(np.sign(g))
        ok &= signs[0] != signs[1]
        t = rho1 * (1 + us[k])
        inside = rho1 * (1 + us[k] - eta) > 0  # the whole interval in t > 0, or (below) wholly outside
        ok &= inside | (rho1 * (1 + us[k] + eta) <= 0)
        safe = np.where(inside, t, 1.0)
        x = safe / (1 + safe)
        value, error = _second_derivative_at(K, ms, x, lf)
        shift = 2 * rho1 * eta + 64 * _EPS * x  # |x̃ − z| <= |t̃ − t(z)|: the interval and the roundings
        total += np.where(inside, np.abs(value) + error + 0.5 * shift * shift * sup4, 0.0)
    return np.where(ok, 2 * total * (1 + 1e-9), np.inf)


def completion_variation(length: int, anchors: Sequence[tuple[int, float]]) -> CompletionVariation:
    """Bounds on TV(G′), TV(G‴) and sup|G′| true of every non-increasing d on 0..L−1 through ``anchors``
    ((m, d(m)) in increasing m, values non-increasing; the first may be at m = −1 (d(−1) = ln V) and the last at
    m = L (d(L) = 0)): each consecutive pair's drop placed where the weight is largest (module docstring).

    >>> v = completion_variation(4, [(-1, 2.0), (0, 1.0), (4, 0.0)])   # d(0) = 1, then anything down to 0
    >>> round(v.tv1, 4), round(v.slope, 4)   # (L − 1)·1·max TV(b_{m,2}) = 3·1 (peaks rounded up); sup|G′| <= 3·1
    (3.0, 3.0)
    """
    import numpy as np

    L = length
    if L < 2:
        return CompletionVariation(0.0, 0.0, 0.0)
    w1, w3, _ = drop_weight_arrays(L)
    K = L - 2
    tv1 = tv3 = 0.0
    steepest = 0.0
    for (ma, A), (mb, B) in zip(anchors, anchors[1:]):
        low, high = max(ma, 0), min(mb - 1, K)  # the m with Δd(m) inside this pair: m_a <= m < m_b
        drop = A - B
        if low > high or drop <= 0:
            continue
        if not math.isfinite(drop):
            return CompletionVariation(math.inf, math.inf, math.inf)
        tv1 += drop * float(np.max(w1[low : high + 1]))
        tv3 += drop * float(np.max(w3[low : high + 1]))
        steepest = max(steepest, drop)
    grow = 1 + 4 * (len(anchors) + 8) * _EPS  # the sums' rounding, every term non-negative
    return CompletionVariation((L - 1) * tv1 * grow, (L - 1) * tv3 * grow, (L - 1) * steepest * grow)


#: Most binomial terms (:func:`coefficient_work`) the single T of one T range may compute: about 5 s at the
#: 2·10^8 a second measured at L = 16384 (T = 46080: 7.5·10^7 in 0.38 s; benchmarks/bench_answers.py).
MAX_COUNT_RANGE_WORK = 1e9


def coefficient_work(steps: int, length: int) -> float:
    """The entries one T's expected start sizes compute (:meth:`~boundcalc.count_sampler.CountSampler.
    expected_start_sizes`): at most min(L + 1, 82 + 12·sqrt L) per step."""
    return steps * min(length + 1.0, 82 + 12 * math.sqrt(length))


def range_sampler(spec: Any, steps: int, length: int) -> Any:
    """The family's sampler at T for the T range: the quick build where the family has one; for MDLM's other
    noises the long-double step probabilities of :mod:`boundcalc.count_noise` rounded to float64 without the
    mpmath pass that makes each correctly rounded (each is within ε of its real value all the same, which
    :meth:`~boundcalc.count_sampler.CountSampler.start_sizes_error` allows: it counts ε per factor); else the
    family's own build."""
    import numpy as np

    from .count_noise import NOISE_LAWS
    from .count_sampler import CountSampler
    from .step_families import family_sampler

    quick = spec.family.quick_sampler(length, steps, spec.given_args)
    if quick is not None:
        return quick
    args = list(spec.given_args)
    name = f"{spec.family.name}:{steps}" + "".join(f":{a}" for a in args)
    noise = args[0] if spec.family.name == "mdlm" and len(args) == 1 and args[0] in NOISE_LAWS else None
    if noise is None:
        return family_sampler(spec, steps, length)
    with np.errstate(all="ignore"):
        reveal_ld, keep_ld, bound = NOISE_LAWS[noise]._long(steps, 0, np.longdouble)
    reveal, keep = reveal_ld.astype(np.float64), keep_ld.astype(np.float64)
    # within bound + ε/2 relative of the real p_k (bound: count_noise's a-priori long-double error, ~2^-57)
    if bound > 2.0**-54 or not (np.all(np.isfinite(reveal)) and np.all(np.isfinite(keep))) \
            or np.any((reveal < 0) | (reveal > 1) | (keep < 0) | (keep > 1)):
        return family_sampler(spec, steps, length)
    sampler = CountSampler(length=length, steps=steps, reveal=(*reveal.tolist(), 1.0), keep=(*keep.tolist(), 0.0),
                           name=name, family="mdlm", notes={"noise": noise})
    # r_k and 1 − r_k before each step in long double: 1 − r_k a product of k factors 1 − p_j, r_k a sum of
    # positive π_j = (1 − r_j)p_j, each factor within ``bound`` and each operation one long-double rounding u:
    # within 3(T + 2)(bound + u), then ε/2 to float64 (the float64 products' (n + 2)ε otherwise)
    unit = float(np.finfo(np.longdouble).eps) / 2
    alive = np.concatenate(([np.longdouble(1)], np.cumprod(keep_ld)))
    before = np.concatenate(([np.longdouble(0)], np.cumsum(alive[:-1] * reveal_ld)))
    delta = 3 * (steps + 2) * (bound + unit) + _EPS
    object.__setattr__(sampler, "_start_laws_cache", (before.astype(np.float64), alive.astype(np.float64), delta))
    return sampler


def certified_ends(interval: Callable[[Any], tuple[float, float]], sampler: Any, top: Any) -> tuple[float, float, float]:
    """(low end, high end, margin) of the sampler's expected error over every monotone completion of a curve, by
    ``interval`` (c -> :func:`boundcalc.completion.completion_interval` of the curve), the margin a bound on both
    ends' float error: each coefficient c_m = E start size − 1 within :meth:`start_sizes_error` of the start size,
    which moves any completion's value (every d(m) <= ``top[m]``) by at most that times Σ_m start_m·top_m, so each
    end too; and the interval's own sums ((L + 8)·2ε times Σ|c_m|·top_m: products, prefix sums, the gaps' spans)."""
    import numpy as np

    starts = sampler.expected_start_sizes()
    c = starts - 1.0
    low, high = interval(c)
    L = c.size
    weighted = float(starts @ top)
    margin = sampler.start_sizes_error() * weighted + 2 * (L + 8) * _EPS * float(np.abs(c) @ top) * (1 + 4 * _EPS)
    return low, high, margin * (1 + 8 * _EPS) + 2.0**-900
