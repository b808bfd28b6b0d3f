"""Certified brackets of a count sampler's expected error over whole ranges of T, from a curve.

For the samplers whose reveal times lie on a uniform grid (``mdlm``/``sedd`` with log-linear
noise, ``dream-origin``), step k starts with each token already revealed with probability
r_k = (k-1)h (h = span/T) and reveals a given token with probability π_k = h, except a last step
that takes the rest (weight w = 1 - nh at r = nh). Writing G(r) = E d(Bin(L-1, r)) (the
Bernstein polynomial of d, G(0) = d(0)), the identity behind
:func:`boundcalc.estimate.count_coefficients` gives (docs/theory.md §12, "Searching T for random counts")

    E error(T) = L·[h Σ_{k<n} G(kh) + w·G(nh)] - Σ_m d(m),

a left Riemann sum of G. By the trapezoid rule panel by panel,
h Σ_{k<n} G(kh) = ∫_0^b G + (h/2)(G(0) - G(b)) + R with b = nh and
|R| <= (h²/8)·TV(G') <= (h²/8)(L-1)·Σ_m |Δ²d(m)| (the Bernstein operator diminishes variation).
When d is non-increasing so is G, hence P(b) = ∫_0^b G + (1 - b)G(b) decreases in b
(P'(b) = (1 - b)G'(b)) and (G(0) - G(b)) >= 0 grows with b; over T1 <= T <= T2 every term is
bracketed by its value at an end. The search (:mod:`boundcalc.count_steps`) then decides whole
ranges of T at once and runs the per-T screen only inside a band of a few T around the target:
O(log L) evaluations instead of one per T.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

__all__ = ["RiemannBracket", "riemann_bracket"]

_MARGIN = 1e-9  # relative: float rounding of the sums below is ~1e-12 of the same scale


class RiemannBracket:
    """Brackets of E error(T) (nats) for T in ranges, for one uniform-grid count family and one d."""

    def __init__(self, d: Any, span: Fraction, panels_less: int) -> None:
        import numpy as np

        self.d = np.asarray(d, dtype=np.float64)
        self.L = L = self.d.size
        self.span, self.panels_less = span, panels_less  # n = T - panels_less panels of width h = span/T
        self.total = float(np.sum(self.d))
        second = np.abs(np.diff(self.d, 2)).sum() if L >= 3 else 0.0
        self.tv = (L - 1) * float(second)  # bounds the total variation of G' on [0, 1]
        scale = L * float(np.max(np.abs(self.d), initial=0.0)) + float(np.sum(np.abs(self.d)))
        self.margin = _MARGIN * scale
        self.log_factorials = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, L + 1, dtype=np.float64)))))
        self.g0 = float(self.d[0])

    def _pmf(self, n: int, x: float) -> Any:
        """P(Bin(n, x) = m), m = 0..n."""
        import numpy as np

        m = np.arange(n + 1)
        if x <= 0.0:
            return (m == 0).astype(np.float64)
        if x >= 1.0:
            return (m == n).astype(np.float64)
        lf = self.log_factorials
        return np.exp(lf[n] - lf[m] - lf[n - m] + m * np.log(x) + (n - m) * np.log1p(-x))

    def g(self, x: float) -> float:
        """G(x) = E d(Bin(L-1, x))."""
        return float(self._pmf(self.L - 1, x) @ self.d)

    def p(self, b: float) -> float:
        """P(b) = ∫_0^b G + (1 - b)G(b); ∫_0^b b_{m,L-1} = P(Bin(L, b) >= m + 1)/L."""
        import numpy as np

        pmf = self._pmf(self.L, b)
        at_least = np.cumsum(pmf[::-1])[::-1][1:]  # P(Bin(L, b) >= m + 1), m = 0..L-1
        return float(at_least @ self.d) / self.L + (1.0 - b) * self.g(b)

    def _grid(self, T: int) -> tuple[float, float]:
        """(h, b) at T."""
        h = self.span / T
        return float(h), float(h * (T - self.panels_less))

    def bracket(self, first: int, last: int) -> tuple[float, float]:
        """(lower, upper) on E error(T) in nats for every first <= T <= last."""
        h_hi, b_at_first = self._grid(first)
        h_lo, b_at_last = self._grid(last)
        b_lo, b_hi = min(b_at_first, b_at_last), max(b_at_first, b_at_last)
        g_lo, g_hi = self.g(b_hi), self.g(b_lo)  # G is non-increasing
        rest = h_hi * h_hi / 8 * self.tv
        lower = self.L * (self.p(b_hi) + h_lo / 2 * (self.g0 - g_hi) - rest) - self.total
        upper = self.L * (self.p(b_lo) + h_hi / 2 * (self.g0 - g_lo) + rest) - self.total
        return lower - self.margin, upper + self.margin


def riemann_bracket(sampler_at: Any, d: Any) -> RiemannBracket | None:
    """The bracket for a count family (``sampler_at(T)`` builds it at T), or None when it does not apply:
    reveal times not on a uniform grid (checked on the exact probabilities at T = 2 and 3), or d increasing
    somewhere (then G need not be monotone and the per-T scan decides)."""
    import numpy as np

    d = np.asarray(d, dtype=np.float64)
    if d.size < 2 or np.any(np.diff(d) > 0) or not np.all(np.isfinite(d)):
        return None
    spans = set()
    lesses = set()
    for T in (2, 3):
        sampler = sampler_at(T)
        exact = getattr(sampler, "exact", None)
        if exact is None or getattr(sampler, "family", "") not in ("mdlm", "dream-origin") or exact[-1] != 1:
            return None
        h, alive = exact[0], Fraction(1)
        for k, p in enumerate(exact[:-1]):
            if alive != 1 - k * h:  # r_k = k h before step k + 1
                return None
            alive *= 1 - p
        if alive != 1 - (len(exact) - 1) * h or not 0 < h * T <= 1:
            return None
        spans.add(h * T)
        lesses.add(T - (len(exact) - 1))
    if len(spans) != 1 or len(lesses) != 1:
        return None
    return RiemannBracket(d, spans.pop(), lesses.pop())
