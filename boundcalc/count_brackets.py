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

_EPS = 2.0**-52  # a float64 rounding, with room
_TINY = 2.0**-900  # every operation on subnormal values errs by up to 2^-1074 absolutely: far below this


class RiemannBracket:
    """Brackets of E error(T) (nats) for T in ranges, for one uniform-grid count family and one d.

    Written without cancellation: L·∫_0^b G − Σ_m d(m) = −Σ_m d(m)·P(Bin(L, b) <= m), whose terms are
    small where b is near 1, so E error (often ~1) is not the difference of two numbers of size L·d.
    Every float sum carries a bound on its rounding (:meth:`_pmf`), added to the bracket.
    """

    def __init__(self, d: Any, span: Fraction, panels_less: int) -> None:
        import math

        import numpy as np

        self.d = np.asarray(d, dtype=np.float64)
        self.abs_d = np.abs(self.d)
        self.L = L = self.d.size
        self.span, self.panels_less = span, panels_less  # n = T - panels_less panels of width h = span/T
        second = np.abs(np.diff(self.d, 2)).sum() if L >= 3 else 0.0
        # bounds the total variation of G' on [0, 1], rounded up (a sum of L terms)
        self.tv = (L - 1) * float(second) * (1 + (L + 4) * _EPS)
        self.log_factorials = np.array([math.lgamma(k + 1) for k in range(L + 1)])
        self.g0 = float(self.d[0])

    def _pmf(self, n: int, x: float) -> tuple[Any, Any]:
        """(P(Bin(n, x) = m), m = 0..n; a bound on each entry's relative error).

        The log of each entry sums lgamma values (within 16 ulps each), m·log x and (n − m)·log(1 − x)
        (the logs within an ulp, each product and sum one rounding): its absolute error is at most
        32ε times the magnitudes added, and exp turns that into a relative error (plus one rounding).
        """
        import math

        import numpy as np

        m = np.arange(n + 1)
        if x <= 0.0 or x >= 1.0:
            return (m == (0 if x <= 0.0 else n)).astype(np.float64), np.zeros(n + 1)
        lf = self.log_factorials
        log_x, log_rest = math.log(x), math.log1p(-x)
        terms = (m * log_x, (n - m) * log_rest)
        magnitude = float(lf[n]) + lf[m] + lf[n - m] + np.abs(terms[0]) + np.abs(terms[1])
        pmf = np.exp(lf[n] - lf[m] - lf[n - m] + terms[0] + terms[1])
        return pmf, np.expm1(32 * _EPS * magnitude) + 4 * _EPS

    def _g(self, x: float) -> tuple[float, float]:
        """(G(x) = E d(Bin(L-1, x)), its rounding error bound)."""
        pmf, rel = self._pmf(self.L - 1, x)
        weights = pmf * self.abs_d
        return float(pmf @ self.d), float(weights @ rel) + float(weights.sum()) * (self.L + 4) * _EPS

    def g(self, x: float) -> float:
        return self._g(x)[0]

    def _p(self, b: float) -> tuple[float, float]:
        """(P(b) − Σd/L = ∫_0^b G − Σd/L + (1 − b)G(b), its rounding error bound), by
        ∫_0^b b_{m,L-1} = P(Bin(L, b) >= m + 1)/L."""
        import numpy as np

        pmf, rel = self._pmf(self.L, b)
        at_most = np.cumsum(pmf)[:-1]  # P(Bin(L, b) <= m), m = 0..L-1
        slack = np.cumsum(pmf * rel)[:-1] + at_most * (self.L + 4) * _EPS  # its rounding, entry by entry
        head = -float(at_most @ self.d) / self.L
        head_error = (float(slack @ self.abs_d) + float(at_most @ self.abs_d) * (self.L + 4) * _EPS) / self.L
        g, g_error = self._g(b)
        return head + (1.0 - b) * g, head_error + (1.0 - b) * g_error + 4 * _EPS * (abs(head) + abs(g))

    def _grid(self, T: int) -> tuple[float, float]:
        """(h, b) at T."""
        h = self.span / T
        return float(h), float(h * (T - self.panels_less))

    def bracket(self, first: int, last: int) -> tuple[float, float]:
        """(lower, upper) on E error(T) in nats for every first <= T <= last."""
        h_hi, b_at_first = self._grid(first)
        h_lo, b_at_last = self._grid(last)
        b_lo, b_hi = min(b_at_first, b_at_last), max(b_at_first, b_at_last)
        (g_lo, e_lo), (g_hi, e_hi) = self._g(b_hi), self._g(b_lo)  # G is non-increasing
        (p_lo, f_lo), (p_hi, f_hi) = self._p(b_hi), self._p(b_lo)  # and so is P
        rest = h_hi * h_hi / 8 * self.tv
        lower = p_lo + h_lo / 2 * (self.g0 - g_hi) - rest
        upper = p_hi + h_hi / 2 * (self.g0 - g_lo) + rest
        slack = f_lo + f_hi + h_hi * (e_lo + e_hi) + 8 * _EPS * (abs(lower) + abs(upper) + h_hi * abs(self.g0) + rest) + _TINY
        lower, upper = self.L * (lower - slack), self.L * (upper + slack)
        return lower - 4 * _EPS * abs(lower), upper + 4 * _EPS * abs(upper)


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
