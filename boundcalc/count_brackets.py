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
from typing import Any, Callable, NamedTuple

__all__ = ["RiemannBracket", "BracketForm", "MaxStepBracket", "uniform_grid", "riemann_bracket", "variation_bounds", "fewest_reaching",
           "completion_bracket"]

_EPS = 2.0**-52  # a float64 rounding, with room
_TINY = 2.0**-900  # every operation on subnormal values errs by up to 2^-1074 absolutely: far below this


class RiemannBracket:
    """Brackets of E error(T) (nats) for T in ranges, for one uniform-grid count family and one d.

    Each bracket is a pair of linear functionals of d (:meth:`forms`) plus remainder terms that depend on d
    only through the variation bounds ``tv1`` >= (L-1)·Σ|Δ²d| and ``tv3`` >= (L-1)(L-2)(L-3)·Σ|Δ⁴d|, so the
    same forms bracket any non-increasing d (:func:`boundcalc.completion.steps_range`: every monotone
    completion of a partial curve). Written without cancellation: L·∫_0^b G − Σ_m d(m) =
    −Σ_m d(m)·P(Bin(L, b) <= m), whose terms are small where b is near 1, so E error (often ~1) is not the
    difference of two numbers of size L·d. Every float vector carries a bound on its rounding (:meth:`_pmf`),
    added to the bracket.
    """

    def __init__(self, d: Any, span: Fraction, panels_less: int) -> None:
        import math

        import numpy as np

        self.d = np.asarray(d, dtype=np.float64)
        self.abs_d = np.abs(self.d)
        self.L = L = self.d.size
        self.span, self.panels_less = span, panels_less  # n = T - panels_less panels of width h = span/T
        self.tv1, self.tv3 = variation_bounds(self.d)
        self.log_factorials = np.array([math.lgamma(k + 1) for k in range(L + 1)])
        self._forms: dict[tuple[str, float], tuple[Any, Any]] = {}  # by (kind, x): mdlm's b is one x for every T

    def _cached(self, kind: str, x: float, build: Callable[[float], tuple[Any, Any]]) -> tuple[Any, Any]:
        if (kind, x) not in self._forms:
            if len(self._forms) > 64:
                self._forms.clear()
            self._forms[kind, x] = build(x)
        return self._forms[kind, x]

    def _pmf(self, n: int, x: float) -> tuple[Any, Any]:
        """(P(Bin(n, x) = m), m = 0..n; a bound on each entry's relative error).

        The log of each entry sums lgamma values (within 16 ulps each), m·log x and (n − m)·log(1 − x)
        (the logs within an ulp, each product and sum one rounding): its absolute error is at most
        32ε times the magnitudes added, and exp turns that into a relative error (plus one rounding).
        """
        return binomial_pmf(self.log_factorials, n, x)

    def _g_form(self, x: float) -> tuple[Any, Any]:
        """(a, its entrywise error) with G(x) = E d(Bin(L-1, x)) = a·d."""
        pmf, rel = self._pmf(self.L - 1, x)
        return pmf, pmf * rel

    def _p_form(self, b: float) -> tuple[Any, Any]:
        """(a, its entrywise error) with P(b) − Σd/L = ∫_0^b G − Σd/L + (1 − b)G(b) = a·d, by
        ∫_0^b b_{m,L-1} = P(Bin(L, b) >= m + 1)/L."""
        import numpy as np

        L = self.L
        pmf, rel = self._pmf(L, b)
        at_most = np.cumsum(pmf)[:-1]  # P(Bin(L, b) <= m), m = 0..L-1
        slack = np.cumsum(pmf * rel)[:-1] + at_most * (L + 4) * _EPS  # its rounding, entry by entry
        g, g_error = self._g_form(b)
        form = (1.0 - b) * g - at_most / L
        return form, slack / L + (1.0 - b) * g_error + 4 * _EPS * (np.abs(form) + at_most / L + g)

    def _slope_form(self, x: float) -> tuple[Any, Any]:
        """(a, its entrywise error) with G'(x) = (L-1)·E Δd(Bin(L-2, x)) = a·d."""
        import numpy as np

        L = self.L
        a, e = np.zeros(L), np.zeros(L)
        pmf, rel = self._pmf(L - 2, x)
        a[1:] += (L - 1) * pmf
        a[:-1] -= (L - 1) * pmf
        e[1:] += (L - 1) * pmf * (rel + 2 * _EPS)
        e[:-1] += (L - 1) * pmf * (rel + 2 * _EPS)
        return a, e + 2 * _EPS * np.abs(a)

    def _grid(self, T: int) -> tuple[float, float]:
        """(h, b) at T."""
        h = self.span / T
        return float(h), float(h * (T - self.panels_less))

    def forms(self, first: int, last: int) -> list["BracketForm"]:
        """The linear brackets of E error(T) for every first <= T <= last (docs/theory.md §12): the trapezoid
        bound, and Euler–Maclaurin's next term with a remainder O(h⁴) (at a single T, or over the range with the
        movement of h² and of b in it, :meth:`_range_form`)."""
        import numpy as np

        L = self.L
        e0 = np.zeros(L)
        e0[0] = 1.0
        h_hi, b_at_first = self._grid(first)
        h_lo, b_at_last = self._grid(last)
        b_lo, b_hi = min(b_at_first, b_at_last), max(b_at_first, b_at_last)
        (p_lo, f_lo), (p_hi, f_hi) = (self._cached("p", b, self._p_form) for b in (b_hi, b_lo))  # P decreases in b
        (g_at_hi, e_at_hi), (g_at_lo, e_at_lo) = (self._cached("g", b, self._g_form) for b in (b_hi, b_lo))  # G too
        lower = L * (p_lo + h_lo / 2 * (e0 - g_at_lo))
        upper = L * (p_hi + h_hi / 2 * (e0 - g_at_hi))
        error = L * (f_lo + f_hi + h_hi * (e_at_lo + e_at_hi + 4 * _EPS * (e0 + g_at_lo + g_at_hi))) \
            + 8 * _EPS * (np.abs(lower) + np.abs(upper))
        out = [BracketForm(lower, upper, error, L * h_hi * h_hi / 8, 0.0)]
        if first == last and L >= 2:  # + (h²/12)(G'(b) − G'(0)), remainder <= (h⁴/384)·TV(G''')
            h = h_hi
            (s_b, s_b_error), (s_0, s_0_error) = (self._cached("s", x, self._slope_form) for x in (b_hi, 0.0))
            centre = L * (p_lo + h / 2 * (e0 - g_at_lo) + h * h / 12 * (s_b - s_0))
            centre_error = L * (f_lo + h * (e_at_lo + 4 * _EPS * (e0 + g_at_lo))
                                + h * h / 12 * (s_b_error + s_0_error + 4 * _EPS * (np.abs(s_b) + np.abs(s_0)))) \
                + 8 * _EPS * np.abs(centre)
            out.append(BracketForm(centre, centre, centre_error, 0.0, L * h**4 / 384))
        elif L >= 2:
            out.append(self._range_form(first, last, e0))
        return out

    def _range_form(self, first: int, last: int, e0: Any) -> "BracketForm":
        """Euler–Maclaurin's form over first < T <= last: the trapezoid form's terms, + (h_m²/12)(G′(b*) − G′(0))
        at h_m = the mean h and b* = b(last), which moves by at most (|h² − h_m²|/12)·|G′(b*) − G′(0)| (entrywise
        |s_b| + |s_0| against |d|) and (h²/12)·|b − b*|·sup|G″| with sup|G″| <= (L-1)(L-2)·(d(0) − d(L-1)) for a
        non-increasing d (each |Δ²d| is at most its total fall); remainder <= (h_hi⁴/384)·TV(G‴)."""
        import numpy as np

        L = self.L
        h_hi, b_at_first = self._grid(first)
        h_lo, b_at_last = self._grid(last)
        b_lo, b_hi = min(b_at_first, b_at_last), max(b_at_first, b_at_last)
        (p_lo, f_lo), (p_hi, f_hi) = (self._cached("p", b, self._p_form) for b in (b_hi, b_lo))
        (g_at_hi, e_at_hi), (g_at_lo, e_at_lo) = (self._cached("g", b, self._g_form) for b in (b_hi, b_lo))
        (s_b, s_b_error), (s_0, s_0_error) = (self._cached("s", x, self._slope_form) for x in (b_at_last, 0.0))
        h_m = (h_lo + h_hi) / 2
        square = h_m * h_m
        moved = max(h_hi * h_hi - square, square - h_lo * h_lo) * (1 + 8 * _EPS) + 4 * _EPS * h_hi * h_hi
        slope = s_b - s_0
        lower = L * (p_lo + h_lo / 2 * (e0 - g_at_lo) + square / 12 * slope)
        upper = L * (p_hi + h_hi / 2 * (e0 - g_at_hi) + square / 12 * slope)
        ends = e0.copy()
        ends[-1] += 1.0
        curvature = float(L - 1) * (L - 2) * (b_hi - b_lo + 4 * _EPS) * (1 + 4 * _EPS)
        error = L * (f_lo + f_hi + h_hi * (e_at_lo + e_at_hi + 4 * _EPS * (e0 + g_at_lo + g_at_hi))
                     + square / 12 * (s_b_error + s_0_error + 4 * _EPS * (np.abs(s_b) + np.abs(s_0)))
                     + moved / 12 * (np.abs(s_b) + np.abs(s_0)) + h_hi * h_hi / 12 * curvature * ends) \
            + 8 * _EPS * (np.abs(lower) + np.abs(upper))
        return BracketForm(lower, upper, error, 0.0, L * h_hi**4 / 384)

    def argument_error(self) -> float:
        """A bound on the effect of rounding h and b to float64 (relative ε each), per unit of max |d|:
        G and P move by at most sup|G'|·|Δb| <= 2(L-1)·max|d|·ε, and h(G(0) − G(b)) by 2ε·h·max|d|."""
        return self.L * (8 * self.L + 8) * _EPS

    def apply(self, form: "BracketForm", d: Any, abs_d: Any, tv1: float, tv3: float) -> tuple[float, float]:
        """(lower, upper) of ``form`` at d (``abs_d`` >= |d| entrywise; the dot products' rounding added)."""

        lower, upper = float(form.lower @ d), float(form.upper @ d)
        slack = self.slack(form, abs_d, tv1, tv3)
        lower, upper = lower - slack, upper + slack
        return lower - 4 * _EPS * abs(lower), upper + 4 * _EPS * abs(upper)

    def slack(self, form: "BracketForm", abs_d: Any, tv1: float, tv3: float) -> float:
        """What ``form`` adds on each side at any d with |d| <= ``abs_d``: the rounding of its vectors and of
        their dot products with d, of h and b, and the remainder terms."""
        import numpy as np

        rounding = (self.L + 4) * _EPS * (float(np.abs(form.lower) @ abs_d) + float(np.abs(form.upper) @ abs_d))
        return float(form.error @ abs_d) + rounding + self.argument_error() * float(np.max(abs_d, initial=0.0)) \
            + form.rest1 * tv1 + form.rest3 * tv3 + _TINY

    def bracket(self, first: int, last: int) -> tuple[float, float]:
        """(lower, upper) on E error(T) in nats for every first <= T <= last."""
        lows, highs = zip(*(self.apply(f, self.d, self.abs_d, self.tv1, self.tv3) for f in self.forms(first, last)))
        return max(lows), min(highs)


def binomial_pmf(log_factorials: Any, n: int, x: float) -> tuple[Any, Any]:
    """(P(Bin(n, x) = m), m = 0..n; a bound on each entry's relative error): see :meth:`RiemannBracket._pmf`."""
    import math

    import numpy as np

    m = np.arange(n + 1)
    if x <= 0.0 or x >= 1.0:
        return (m == (0 if x <= 0.0 else n)).astype(np.float64), np.zeros(n + 1)
    lf = log_factorials
    log_x, log_rest = math.log(x), math.log1p(-x)
    terms = (m * log_x, (n - m) * log_rest)
    magnitude = float(lf[n]) + lf[m] + lf[n - m] + np.abs(terms[0]) + np.abs(terms[1])
    pmf = np.exp(lf[n] - lf[m] - lf[n - m] + terms[0] + terms[1])
    return pmf, np.expm1(32 * _EPS * magnitude) + 4 * _EPS


class BracketForm(NamedTuple):
    """lower·d − error·|d| − rest1·tv1 − rest3·tv3 <= E error(T) <= upper·d + error·|d| + rest1·tv1 + rest3·tv3
    (and the dot products' and the arguments' rounding, :meth:`RiemannBracket.slack`)."""

    lower: Any
    upper: Any
    error: Any
    rest1: float
    rest3: float


def variation_bounds(d: Any) -> tuple[float, float]:
    """(tv1, tv3): bounds on TV(G') <= (L-1)·Σ|Δ²d| and TV(G''') <= (L-1)(L-2)(L-3)·Σ|Δ⁴d| (the Bernstein
    operator diminishes variation), rounded up."""
    import numpy as np

    d = np.asarray(d, dtype=np.float64)
    L = d.size
    second = float(np.abs(np.diff(d, 2)).sum()) if L >= 3 else 0.0
    fourth = float(np.abs(np.diff(d, 4)).sum()) if L >= 5 else 0.0
    top = float(np.abs(d).max(initial=0.0)) * (L + 8) * _EPS  # each difference's rounding, summed
    grow = 1 + 4 * (L + 8) * _EPS
    return (L - 1) * (second + 16 * top) * grow, float(L - 1) * (L - 2) * (L - 3) * (fourth + 256 * top) * grow * grow


def uniform_grid(sampler_at: Any) -> tuple[Fraction, int] | None:
    """(span, panels_less) when the family's reveal times lie on a uniform grid (r_k = (k-1)h with h = span/T for
    n = T - panels_less steps, then a last step taking the rest), checked on the exact probabilities at T = 2
    and 3; None otherwise (another noise, or no exact probabilities)."""
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
    return spans.pop(), lesses.pop()


def riemann_bracket(sampler_at: Any, d: Any) -> RiemannBracket | None:
    """The bracket for a count family (``sampler_at(T)`` builds it at T), or None when it does not apply:
    reveal times not on a uniform grid (:func:`uniform_grid`), or d increasing somewhere (then G need not be
    monotone and the per-T scan decides)."""
    import numpy as np

    d = np.asarray(d, dtype=np.float64)
    if d.size < 2 or np.any(np.diff(d) > 0) or not np.all(np.isfinite(d)):
        return None
    grid = uniform_grid(sampler_at)
    return None if grid is None else RiemannBracket(d, *grid)


class MaxStepBracket:
    """Brackets of E c(S_max) over ranges of T for a uniform-grid count family (docs/theory.md §12).

    At T the counts are multinomial(L; h, ..., h, w) with n = T - panels_less cells of h = span/T and a last
    one of w = 1 - nh. Negative association and the union bound give, for T1 <= T <= T2,
    1 - P(Bin(L, h(T2)) <= s)^(n(T1))·P(Bin(L, w_lo) <= s) <= P(S_max > s) <= n(T2)·P(Bin(L, h(T1)) > s)
    + P(Bin(L, w_hi) > s): a binomial tail grows with its p, and w is monotone in T.
    """

    def __init__(self, length: int, span: Fraction, panels_less: int, coefficients: Any) -> None:
        import math

        import numpy as np

        self.L, self.span, self.less = length, span, panels_less
        values = np.asarray([float(c) for c in coefficients], dtype=np.float64)  # c(1..L)
        self.first_value, self.jumps = float(values[0]), np.diff(values)  # Δc(s), s = 1..L-1
        self.log_factorials = np.array([math.lgamma(k + 1) for k in range(length + 1)])

    def _tails(self, p: Fraction) -> tuple[Any, Any]:
        """(a certified lower, upper bound) of P(Bin(L, p) > s), s = 1..L-1."""
        import numpy as np

        L = self.L
        x = float(p)
        if x <= 0.0:
            return np.zeros(L - 1), np.zeros(L - 1)
        if x >= 1.0:
            return np.ones(L - 1), np.ones(L - 1)
        pmf, rel = binomial_pmf(self.log_factorials, L, x)
        tail = np.cumsum(pmf[::-1])[::-1]  # P(Bin >= m), m = 0..L
        slack = np.cumsum((pmf * rel)[::-1])[::-1] + tail * (L + 4) * _EPS
        # x = float(p) moves the tail by at most L·|x - p| <= L·ε·x (its derivative is L·P(Bin(L-1, p) = s))
        slack = slack + L * _EPS * x
        above = tail[2:]  # P(Bin > s) = P(Bin >= s + 1), s = 1..L-1
        return np.maximum(above - slack[2:], 0.0), np.minimum(above + slack[2:], 1.0)

    def exceed(self, first: int, last: int) -> tuple[Any, Any]:
        """(lower, upper) on P(S_max > s), s = 1..L-1, for every first <= T <= last."""
        import numpy as np

        h_hi, h_lo = self.span / first, self.span / last
        w_first, w_last = 1 - (first - self.less) * h_hi, 1 - (last - self.less) * h_lo
        w_lo, w_hi = min(w_first, w_last), max(w_first, w_last)
        n_lo, n_hi = first - self.less, last - self.less
        cell_lo, _ = self._tails(h_lo)
        _, cell_hi = self._tails(h_hi)
        last_lo, _ = self._tails(w_lo)
        _, last_hi = self._tails(w_hi)
        keep = n_lo * np.log1p(-np.minimum(cell_lo, 1 - 2.0**-30)) + np.log1p(-np.minimum(last_lo, 1 - 2.0**-30))
        lower = -np.expm1(keep)
        lower = np.maximum(lower - 16 * _EPS * (np.abs(keep) + 1.0), 0.0)  # log1p, the sum, expm1
        upper = np.minimum((n_hi * cell_hi + last_hi) * (1 + 4 * _EPS), 1.0)
        return lower, upper

    def coefficient(self, first: int, last: int) -> tuple[float, float, float]:
        """(lower, upper, rounding) on E c(S_max) = c(1) + Σ_s Δc(s)·P(S_max > s) for every first <= T <= last."""
        import math

        import numpy as np

        if self.L < 2:
            return self.first_value, self.first_value, 0.0
        lower, upper = self.exceed(first, last)
        low = np.where(self.jumps >= 0, lower, upper)
        high = np.where(self.jumps >= 0, upper, lower)
        lo = math.fsum([self.first_value, *(self.jumps * low).tolist()])
        hi = math.fsum([self.first_value, *(self.jumps * high).tolist()])
        rounding = 4 * _EPS * (abs(lo) + abs(hi) + float(np.abs(self.jumps).sum()))
        return lo, hi, rounding


def fewest_reaching(first: int, last: int, bracket: Callable[[int, int], tuple[float, float]],
                    reaches: Callable[[int], bool], target: float, refines: bool = False) -> int | None:
    """The fewest T in first..last with value(T) <= ``target``: ``bracket(a, b)`` holds value(T) for every
    a <= T <= b, ``reaches(T)`` decides one T by its value. Ranges are split left to right; a range whose bracket
    lies above the target (by a margin, so that a bracket never contradicts ``reaches`` by a rounding) is skipped
    whole, and one below it answers at its first T. No monotonicity in T is assumed.

    ``refines``: value(T) >= value(mT) for every m >= 1, true of a uniform-grid count family's E error on every
    non-increasing d (so of the ends of its interval over monotone completions too; docs/theory.md §12): with
    E error(T)/L + Σd/L = h·Σ_{k<n} G(kh) + (1 - b)·G(b), G non-increasing, at mT the panels of width h/m up to
    b = nh each see G at a point >= the coarse panel's (their sum is at most the coarse sum), those from b to
    b' = span·(1 - less/(mT)) >= b see G <= G(b), and (1 - b')G(b') <= (1 - b')G(b). Then once every T of some M..2M-1 misses, every T < M misses too (each has a multiple
    there), so the search runs over windows from the top down, halving, and stops there: the small T, where
    the brackets are wide and one T's value costs O(T·sqrt L), are never evaluated."""
    if not refines:
        return _fewest_in(first, last, bracket, reaches, target)
    best, run_end, high = None, last + 1, last  # first..run_end-1 ∩ the windows searched all miss
    while high >= first:
        low = max(first, (high + 2) // 2)
        found = _fewest_in(low, high, bracket, reaches, target)
        if found is not None:
            best = run_end = found
        if run_end - low >= low:  # low..2·low-1 all miss: every T < low has a multiple there
            return best
        high = low - 1
    return best


def _fewest_in(first: int, last: int, bracket: Callable[[int, int], tuple[float, float]],
               reaches: Callable[[int], bool], target: float) -> int | None:
    """:func:`fewest_reaching` without the refinement argument."""
    margin = 1e-9 * (1.0 + abs(target))
    ranges = [(first, last)] if first <= last else []
    while ranges:
        a, b = ranges.pop()
        lower, upper = bracket(a, b)
        if lower > target + margin:
            continue
        if upper <= target - margin:
            return a  # every range left of this one was skipped whole
        if a == b:
            if reaches(a):
                return a
            continue
        middle = (a + b) // 2
        ranges += [(middle + 1, b), (a, middle)]  # the left half first
    return None


def completion_bracket(bracket: RiemannBracket, ends: Callable[[Any], tuple[float, float]], top: Any,
                       first: int, last: int, variation: Any = None, folded: Callable[..., Any] | None = None,
                       forms: list[Any] | None = None) -> tuple[tuple[float, float], tuple[float, float]]:
    """Brackets of the low and the high end of E error(T) over a set of non-increasing d (every monotone
    completion of a partial curve), for every first <= T <= last: ((low's lower, low's upper), (high's lower,
    high's upper)). ``ends(a)`` is (min, max) of a·d over the set, ``top`` the largest value of each d(m) in it
    (d >= 0). Each form's bracket holds for each d of the set, so its extremes over the set bracket the extremes
    of the value; the remainders use TV(G') <= (L-1)·2·max d and TV(G''') <= (L-1)(L-2)(L-3)·8·max d, true of
    every non-increasing d in [0, max d] (Σ|Δ^k d| <= 2^(k-1)·Σ|Δd|), or ``variation``
    (:class:`boundcalc.count_completion.CompletionVariation`: TV(G′), TV(G‴) and sup|G′| over the set, far
    smaller: each gap's drop weighted by the Bernstein basis where it can sit). ``folded(bracket, form, ends, top,
    first, last)``: the same two brackets from one form with its remainders folded into its vectors, or None
    (:func:`boundcalc.count_noise_local.folded_ends`); each is intersected with the others. ``forms``: these
    instead of ``bracket.forms(first, last)`` (:meth:`boundcalc.count_brackets_noise.NoiseBracket.tail_forms`)."""
    import math

    import numpy as np

    L = bracket.L
    high = float(np.max(top, initial=0.0))
    if not math.isfinite(high):
        raise ValueError("the set of d is unbounded")
    tv1, tv3 = (L - 1) * 2 * high, float(L - 1) * (L - 2) * (L - 3) * 8 * high
    if variation is not None:
        tv1, tv3 = min(tv1, variation.tv1), min(tv3, variation.tv3)
    low_end, high_end = [-math.inf, math.inf], [-math.inf, math.inf]
    for form in bracket.forms(first, last) if forms is None else forms:
        if variation is None:
            slack = bracket.slack(form, top, tv1, tv3)
        else:  # the base slack, and the noise forms' rest0 times this set's sup|G′| (not 2(L−1)·max d)
            slope = min(variation.slope, 2 * (L - 1) * high)
            slack = RiemannBracket.slack(bracket, form, top, tv1, tv3) \
                + getattr(form, "rest0", 0.0) * slope * (1 + 4 * _EPS)
        lower_ends, upper_ends = ends(form.lower), ends(form.upper)
        low_end = [max(low_end[0], lower_ends[0] - slack), min(low_end[1], upper_ends[0] + slack)]
        high_end = [max(high_end[0], lower_ends[1] - slack), min(high_end[1], upper_ends[1] + slack)]
        tighter = None if folded is None else folded(bracket, form, ends, top, first, last)
        if tighter is not None:
            (a, b), (c, e) = tighter
            low_end, high_end = [max(low_end[0], a), min(low_end[1], b)], [max(high_end[0], c), min(high_end[1], e)]
    return (low_end[0], low_end[1]), (high_end[0], high_end[1])
