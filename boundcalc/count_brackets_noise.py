"""Certified brackets of E error(T) over ranges of T for MDLM's other noises (cosine, cosine2, linear, geometric).

Their reveal times are not a uniform grid but its image by the noise's law φ (:mod:`boundcalc.count_noise`):
step k covers [r_{k−1}, r_k] with r_k = φ(kh), h = (1 − δ)/T, for k = 1..T, then noise removal takes the
rest from b = φ(1 − δ). The Riemann sum of :mod:`boundcalc.count_brackets` becomes a Riemann–Stieltjes sum
(docs/theory.md §12, "Other noises"):

    E error(T) = L·S(T) − Σ_m d(m),   S(T) = Σ_k (r_k − r_{k−1}) G(r_{k−1}) + (1 − b)G(b)
              = P(b) + Σ_k ½(r_k − r_{k−1})(G(r_{k−1}) − G(r_k)) + R,  |R| <= (h²·sup φ′²/8)·TV(G′)

(trapezoid cell by cell, P(b) = ∫_0^b G + (1 − b)G(b)). With H = G∘φ non-increasing (d non-increasing),
r_k − r_{k−1} = ∫_cell φ′ lies between h·min φ′ and h·max φ′ over the cell, and every cell lies within h of any
u in it, so for a fixed partition of [0, 1 − δ] into blocks [v_j, v_{j+1}] and every T1 <= T <= T2:

    (h(T2)/2)·Σ_j λ_j (H(v_j) − H(v_{j+1}))  <=  Σ_k ½Δr_k·ΔG_k  <=  (h(T1)/2)·Σ_j Λ_j (H(v_j) − H(v_{j+1})),

λ_j, Λ_j the least and largest φ′ on the block widened by h(T1) on each side. Every term is a linear form in d
(plus the TV(G′) remainder), so the same forms bracket every monotone completion of a partial curve
(:func:`boundcalc.count_brackets.completion_bracket`), as for the uniform grid.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

from .count_brackets import MaxStepBracket, RiemannBracket, riemann_bracket
from .count_noise import NOISE_LAWS, NoiseLaw
from .count_noise_levels import block_levels, pmf_window
from .count_noise_local import ZONES, twist_weights

__all__ = ["NoiseBracket", "NoiseMaxStepBracket", "noise_bracket", "noise_max_step_bracket", "noise_of", "count_bracket"]

_EPS = 2.0**-52
_TINY = 2.0**-900
_LEVELS: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # (noise, L, M, span, b, W) -> the level (:meth:`NoiseBracket._level`)
_WIDEN = 2.0**-30  # a block point φ(v_j) as computed has its preimage within this of v_j (docs/theory.md §12)


class NoiseForm(NamedTuple):
    """A :class:`~boundcalc.count_brackets.BracketForm` with one more remainder: ``rest0`` times a bound on
    sup|G′| <= (L − 1)·max|Δd| (:meth:`NoiseBracket.slack`)."""

    lower: Any
    upper: Any
    error: Any
    rest1: float
    rest3: float
    rest0: float
    rest3_local: float = 0.0  # times h-free cell-local TV(G‴)·φ′⁴ (:mod:`boundcalc.count_noise_local`), 0: not valid
    head_zones: int = ZONES  # the cell-local bound over these first zones: the later ones' cells are in the vectors



class NoiseBracket(RiemannBracket):
    """Brackets of E error(T) (nats) for T in ranges, for ``mdlm:T:NOISE`` (a non-uniform grid) and one d.

    The interface of :class:`~boundcalc.count_brackets.RiemannBracket` (``bracket``, ``forms``, ``slack``), so
    the searches that use it (:mod:`boundcalc.count_steps`, :func:`boundcalc.completion.steps_range`) take it
    unchanged. Q = ∫ φ′·(−H′) by midpoints of M = 2^j equal blocks of [0, 1 − δ] (:meth:`_blocks`): one pass over
    M + 1 block points per M, shared by every range that uses it.
    """

    def __init__(self, d: Any, law: NoiseLaw, span: Fraction) -> None:
        import numpy as np

        super().__init__(d, span, 0)
        self.law = law
        self.s = float(span)
        with np.errstate(all="ignore"):
            _, keep, bound = law._long(1, 0, np.longdouble)  # 1 − p_1 at T = 1 is 1 − φ(1 − δ), in long double
        self.end = float(1 - keep[0])  # b, within ε/2 + bound of φ(1 − δ)
        self.end_error = _EPS / 2 + 2 * bound
        self.slope_jump = (self.L - 1) * float(np.abs(np.diff(self.d)).max(initial=0.0)) * (1 + 4 * _EPS)

    def _blocks(self, first: int, last: int | None = None) -> int:
        """For a range of T, the largest M = 2^j within the work cap M·W <= 2^23, W the entries of one windowed
        binomial law (:func:`boundcalc.count_noise_levels.window_width`; W = L up to L ≈ 360): one level serves
        every range (the block term only shrinks with M), where one level per power of two >= 2·first cost twice
        as much. For a single T (first == last: the search's leaves, where the ranges did not decide) M = 2^j >=
        2·first within M·W <= 2^25 and M <= 2^14. The block term is O(Δv²): at L = 16384 and T near 6·10^4 (target
        1), M = 256 (the old cap M·L <= 2^22) left about 18 single T within the brackets' width; M = 4096 for the
        ranges and 16384 for a single T leave none or one."""
        import math

        from .count_noise_levels import window_width

        width = window_width(self.L - 1)
        cap = 1 << max(4, int(math.log2(max(1, (1 << 23) // width))))
        if first != last:  # the finest level, computed once for every range: cheaper than one per power of two
            return cap
        single = 1 << max(4, int(math.log2(max(1, min((1 << 25) // width, 1 << 14)))))
        return int(min(single, max(cap, 1 << math.ceil(math.log2(2 * first)))))

    def _level(self, blocks: int) -> tuple[Any, Any, Any, Any]:
        """(Σ_j φ′(μ_j)(pmf_j − pmf_{j+1}), its entrywise error, the same with φ″(μ_j), its error) over the block
        points ρ_j = φ(v_j) (pmf_j the law of Bin(L − 1, ρ_j), μ_j the block's midpoint): one pass of M·W entries,
        each law on its window (:func:`boundcalc.count_noise_levels.block_levels`)."""
        import numpy as np

        from .count_noise_levels import window_width

        key = (self.law.name, self.L, blocks, self.s, self.end, window_width(self.L - 1))  # not d's: shared
        if key not in _LEVELS:
            width = self.s / blocks
            v = np.arange(blocks + 1) * width
            v[-1] = self.s
            rho = np.minimum(np.maximum.accumulate(self.law.phi(v)), self.end)
            rho[-1] = self.end
            middle = (np.arange(blocks) + 0.5) * width
            # Σ_j c_j (pmf_j − pmf_{j+1}) = Σ_j (c_j − c_{j−1}) pmf_j, c_{−1} = c_M = 0
            weights = [np.diff(np.concatenate(([0.0], w, [0.0]))) for w in (self.law.slope(middle), self.law.bend(middle))]
            out = block_levels(self.log_factorials, self.L - 1, rho, weights)
            if len(_LEVELS) > 16:  # one per M = 16, 32, ..., up to 2^25/W: no thrashing
                _LEVELS.clear()
            _LEVELS[key] = tuple(out)
        return _LEVELS[key]

    def argument_error(self) -> float:
        """The effect of h's rounding (relative ε) on the h-terms, per unit of max|d|: at most L·h·2ε·sup φ′
        (b's rounding is in each form's ``rest0``, :meth:`_end_moves`)."""
        return self.L * 4 * self.law.slope_top * _EPS

    def _end_moves(self, h_hi: float, per_d: float) -> float:
        """The effect of b̂ (|b̂ − b| <= ``end_error``) per unit of sup|G′|, as a ``rest0`` term: P′(b) = (1 − b)G′(b);
        the last block point moves (h/2)·φ′·(G(b) − G(b̂)) in Q, and D = G(0) − G(b) moves per_d·|G(b) − G(b̂)|;
        each |G(b) − G(b̂)| <= sup|G′|·|b − b̂|. (It was 2L(L − 1)·|b̂ − b|·max|d| from ∂S/∂b <= 2 + 2(L − 1):
        4·10⁻⁷ at L = 16384, a fifth of a single T's bracket.)"""
        e = self.end_error
        return self.L * (1.0 - self.end + 2 * e + h_hi * self.law.slope_top / 2 + 2 * per_d) * e * (1 + 16 * _EPS)

    def forms(self, first: int, last: int) -> list[Any]:  # NoiseForm: a BracketForm with rest0
        """The bracket of E error(T) for every first <= T <= last as linear forms of d, valid for every
        non-increasing d (so also for the completions of a partial curve): docs/theory.md §12, "Other noises".

        S(T) = P(b) + (h/2)·Q + R with |R| <= (h²Φ1²/8)·TV(G′) + h³[(Φ2/8)·TV(a) + (Φ3/12)·D] and Q within
        (Δv²/4)Φ2·TV(a) + (Δv²/8)Φ3·D of its midpoint sum, D = G(0) − G(b), TV(a) <= Φ1·TV(G′) + 2Φ1·sup|G′|."""
        import numpy as np

        L, law = self.L, self.law
        h_hi, h_lo = float(self.span / first) * (1 + _EPS), float(self.span / last) * (1 - _EPS)
        blocks = self._blocks(first, last)
        width = self.s / blocks * (1 + _EPS) + 2 * _WIDEN  # a block's u-width, its ends' preimages included
        q, q_error, _, _ = self._level(blocks)
        p_form, p_error = self._cached("p", self.end, self._p_form)
        g_b, g_b_error = self._cached("g", self.end, self._g_form)
        drop = -g_b
        drop[0] += 1.0  # D = G(0) − G(b) = drop·d >= 0 for a non-increasing d
        f1, f2, f3 = law.slope_top, law.bend_top, law.twist_top
        per_a = h_hi / 2 * width * width / 4 * f2 + h_hi**3 / 8 * f2  # the factor of TV(a)
        per_d = (h_hi / 2 * (width * width / 8 * f3 + f2 * _WIDEN + 64 * _EPS * f1) + h_hi**3 / 12 * f3) * (1 + 16 * _EPS)
        lower_form = L * (p_form + h_lo / 2 * q - per_d * drop)
        upper_form = L * (p_form + h_hi / 2 * q + per_d * drop)
        error = L * (2 * p_error + h_hi / 2 * (q_error + 4 * _EPS * np.abs(q)) + per_d * (g_b_error + 4 * _EPS * np.abs(drop))) \
            + 8 * _EPS * (np.abs(lower_form) + np.abs(upper_form))
        grow = 1 + 16 * _EPS
        rest1 = L * (h_hi * h_hi * f1 * f1 / 8 + per_a * f1) * grow
        trapezoid = NoiseForm(lower_form, upper_form, error, rest1, 0.0, L * per_a * 2 * f1 * grow + self._end_moves(h_hi, per_d))
        return [trapezoid, self._euler_maclaurin_form(first, last, width, per_a, per_d)]

    def tail_forms(self, steps: int) -> list[NoiseForm]:
        """At one T, Euler–Maclaurin's form with the last zones' cells summed exactly: their residual is a linear
        form in d (:func:`boundcalc.count_noise_tail.tail_residual`), the cell-local remainder left to the zones
        before them; [] where T is too small for the zones, or where φ′ is not largest there (the cells' bound is
        then small at the end: the form would cost without narrowing). Asked for only where :meth:`forms` did not
        decide one T and its value would be computed otherwise (about 1/32 of that value's work)."""
        import numpy as np

        from .count_noise_tail import TAIL_ZONES, tail_pays, tail_residual

        if not tail_pays(self.law, self.s):
            return []
        form = self.forms(steps, steps)[1]
        if not form.rest3_local:
            return []
        tail = tail_residual(self, steps, ZONES)
        if tail is None:
            return []
        residual, residual_error, shift = tail
        L = self.L
        lower, upper = form.lower + L * residual, form.upper + L * residual
        error = form.error + L * residual_error * (1 + 4 * _EPS) + 4 * _EPS * (np.abs(lower) + np.abs(upper))
        return [form._replace(lower=lower, upper=upper, error=error, rest0=form.rest0 + L * shift * (1 + 4 * _EPS),
                              head_zones=ZONES - TAIL_ZONES)]

    def _euler_maclaurin_form(self, first: int, last: int, width: float, per_a: float, per_d: float) -> NoiseForm:
        """Euler–Maclaurin's next term cell by cell: Σ_k (Δr_k²/12)(G′(r_k) − G′(r_{k−1})) = (h²/12)·K + R,
        K = φ′(1−δ)²G′(b) − φ′(0)²G′(0) + 2∫φ″·a, |R| <= (h³Φ1Φ2/6)·TV(G′); ∫φ″·a by block midpoints within
        (Φ3Δv/2)·D; over the range h² moves around its mean by (h(T1)² − h(T2)²)/2 times |K|; remainder of the
        cells (Δr⁴/384)·TV(G‴) <= (h⁴Φ1⁴/384)·TV(G‴) (docs/theory.md §12, "Other noises")."""
        import numpy as np

        L, law = self.L, self.law
        h_hi, h_lo = float(self.span / first) * (1 + _EPS), float(self.span / last) * (1 - _EPS)
        f1, f2, f3 = law.slope_top, law.bend_top, law.twist_top
        q, q_error, j, j_error = self._level(self._blocks(first, last))
        p_form, p_error = self._cached("p", self.end, self._p_form)
        g_b, g_b_error = self._cached("g", self.end, self._g_form)
        (s_b, s_b_error), (s_0, s_0_error) = (self._cached("s", x, self._slope_form) for x in (self.end, 0.0))
        drop = -g_b
        drop[0] += 1.0
        w_b, w_0 = (float(law.slope(np.array([x]))[0]) ** 2 for x in (self.s, 0.0))  # φ′² at the ends
        w_rel = 130 * _EPS  # a square of φ′ within 64ε
        bend_slack = f3 * width / 2 + 64 * _EPS * f2  # |φ″ − φ″(μ_j)| on a block, and φ″'s own rounding
        square, moved = (h_hi * h_hi + h_lo * h_lo) / 2, (h_hi * h_hi - h_lo * h_lo) / 2 * (1 + 4 * _EPS)
        k_form = w_b * s_b - w_0 * s_0 + 2 * j
        k_error = w_b * (s_b_error + w_rel * np.abs(s_b)) + w_0 * (s_0_error + w_rel * np.abs(s_0)) + 2 * j_error
        k_abs = w_b * np.abs(s_b) + w_0 * np.abs(s_0) + 2 * np.abs(j) + 2 * bend_slack * np.abs(drop) + k_error
        around = per_d + h_hi * h_hi / 12 * 2 * bend_slack * (1 + 4 * _EPS)  # D's factor: Q's, R2's and ∫φ″a's
        centre = p_form + square / 12 * k_form
        lower_form = L * (centre + h_lo / 2 * q - around * drop)
        upper_form = L * (centre + h_hi / 2 * q + around * drop)
        # G′ at b̂, not b: |φ′²(G′(b) − G′(b̂))| <= Φ1²·2(L−1)(L−2)·max|d|·|b − b̂|, spread over Σ|d| >= max|d|
        moved_b = h_hi * h_hi / 12 * f1 * f1 * 2 * (L - 1) * (L - 2) * self.end_error
        error = L * (p_error + h_hi / 2 * (q_error + 4 * _EPS * np.abs(q)) + around * (g_b_error + 4 * _EPS * np.abs(drop))
                     + square / 12 * (k_error + 4 * _EPS * np.abs(k_form)) + moved / 12 * k_abs + moved_b) \
            + 8 * _EPS * (np.abs(lower_form) + np.abs(upper_form))
        grow = 1 + 16 * _EPS
        rest1 = L * (per_a * f1 + h_hi**3 * f1 * f2 / 6) * grow
        rest3 = L * h_hi**4 * f1**4 / 384 * grow
        _, widest = twist_weights(L, law, self.s)
        local = L * h_hi**4 / 384 * grow if h_hi <= widest else 0.0  # Φ1⁴ cell by cell, in the weights
        return NoiseForm(lower_form, upper_form, error, rest1, rest3, L * per_a * 2 * f1 * grow + self._end_moves(h_hi, around),
                         local)

    def slack(self, form: Any, abs_d: Any, tv1: float, tv3: float) -> float:
        """:meth:`RiemannBracket.slack` and ``rest0`` times sup|G′|: (L − 1)·max|Δd| for this bracket's own d,
        else 2(L − 1)·max|d| (any d with |d| <= ``abs_d``)."""
        import numpy as np

        own = abs_d is self.abs_d
        local = getattr(form, "rest3_local", 0.0)
        if own and local and form.rest3:  # the cell-local bound where it is smaller (count_noise_local)
            tv3 = min(tv3, local * self._local_twist(getattr(form, "head_zones", ZONES)) / form.rest3)
        base = super().slack(form, abs_d, tv1, tv3)
        rest0 = getattr(form, "rest0", 0.0)
        if not rest0:
            return base
        jump = self.slope_jump if own else 2 * (self.L - 1) * float(np.max(abs_d, initial=0.0))
        return base + rest0 * jump * (1 + 4 * _EPS)


    def _local_twist(self, head: int = ZONES) -> float:
        """(L − 1)·Σ_m |Δd(m)|·ω(m) for this bracket's d: with h⁴/384 per unit, a bound on Euler–Maclaurin's cells'
        remainder Σ_k (Δr_k⁴/384)·TV_cell(G‴) (:func:`boundcalc.count_noise_local.twist_weights`)."""
        import numpy as np

        twists = self.__dict__.setdefault("_twists", {})
        if head not in twists:
            omega, _ = twist_weights(self.L, self.law, self.s, head=head)
            steps = np.abs(np.diff(self.d))
            twists[head] = (self.L - 1) * float(steps @ omega) * (1 + (self.L + 8) * _EPS) \
                + (self.L - 1) * float(np.sum(omega)) * float(np.max(self.abs_d, initial=0.0)) * 4 * _EPS
        return twists[head]


def _pmf_rows(log_factorials: Any, n: int, xs: Any) -> tuple[Any, Any]:
    """P(Bin(n, x) = m) for each x of ``xs`` (rows) and m = 0..n, with each entry's relative error bound, as
    :func:`boundcalc.count_brackets.binomial_pmf` row by row (x = 0: the point mass at 0)."""
    import numpy as np

    return pmf_window(log_factorials, n, xs, np.arange(n + 1)[None, :])


def noise_of(sampler: Any) -> str | None:
    """The noise of an ``mdlm:T:NOISE`` sampler whose law this module knows, else None."""
    parts = str(getattr(sampler, "name", "")).split(":")
    if getattr(sampler, "family", "") != "mdlm" or len(parts) != 3 or parts[2] not in NOISE_LAWS:
        return None
    return parts[2]


def noise_bracket(sampler_at: Any, d: Any) -> NoiseBracket | None:
    """The bracket for ``mdlm:T:NOISE`` (``sampler_at(T)`` builds it at T) and a non-increasing d, else None."""
    import numpy as np

    from .count_sampler import MDLM_DELTA

    d = np.asarray(d, dtype=np.float64)
    if d.size < 2 or np.any(np.diff(d) > 0) or not np.all(np.isfinite(d)):
        return None
    noise = noise_of(sampler_at(2))
    return None if noise is None else NoiseBracket(d, NOISE_LAWS[noise], 1 - MDLM_DELTA)


def count_bracket(sampler_at: Any, d: Any) -> RiemannBracket | None:
    """The bracket of a count family's E error over ranges of T: on a uniform grid
    (:func:`boundcalc.count_brackets.riemann_bracket`) or on a known noise's image of one (:func:`noise_bracket`);
    None where neither applies (then every T is screened)."""
    return riemann_bracket(sampler_at, d) or noise_bracket(sampler_at, d)


class NoiseMaxStepBracket(MaxStepBracket):
    """Brackets of E c(S_max) over ranges of T for ``mdlm:T:NOISE`` (docs/theory.md §12, "Other noises").

    At T the counts are multinomial(L; π_1, ..., π_T, w) with π_k = φ(kh) − φ((k−1)h) = ∫_cell φ′ and w = 1 − b
    the same for every T. A binomial tail t(p) = P(Bin(L, p) > s) grows with p, π_k lies between h·min and h·max
    of φ′ on its cell, and every cell lies within h of any u in it; so with blocks of width Δv = (1 − δ)/M and
    λ_j, Λ_j the extremes of φ′ on block j widened by h(T1), for every T1 <= T <= T2
    Σ_k t(π_k) <= (1/h)∫ t(h(T1)·Λ(u)) du <= (T2/M)·Σ_j t(h(T1)·Λ_j), and
    Σ_k −log(1 − t(π_k)) >= (T1/M)·Σ_j −log(1 − t(h(T2)·λ_j)): the union bound and negative association of
    :class:`~boundcalc.count_brackets.MaxStepBracket` with these sums for the n cells.
    """

    def __init__(self, length: int, law: NoiseLaw, span: Fraction, coefficients: Any) -> None:
        import numpy as np

        super().__init__(length, span, 0, coefficients)
        self.law, self.s = law, float(span)
        with np.errstate(all="ignore"):
            _, keep, bound = law._long(1, 0, np.longdouble)  # 1 − p_1 at T = 1 is w = 1 − φ(1 − δ)
        rest = float(keep[0])
        self.rest_range = (rest * (1 - 2 * bound - _EPS), rest * (1 + 2 * bound + _EPS))

    def _blocks(self, first: int) -> int:
        """M = 2^j >= 2·first, at most max(16, 2^16/L): each block is one binomial law of L + 1 entries per range
        (finer blocks barely narrow the bracket: 337 ranges instead of 373 for three targets at L = 1024)."""
        import math

        cap = 1 << max(4, int(math.log2(max(1, (1 << 16) // self.L))))
        return int(min(cap, max(16, 1 << math.ceil(math.log2(2 * first)))))

    def _tail_rows(self, xs: Any) -> tuple[Any, Any]:
        """(lower, upper) on P(Bin(L, x) > s), s = 1..L-1, for each x of ``xs`` (rows)."""
        import numpy as np

        L = self.L
        x = np.clip(np.asarray(xs, dtype=np.float64), 0.0, 1.0)
        pmf, rel = _pmf_rows(self.log_factorials, L, x)
        tail = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]  # P(Bin >= m), m = 0..L
        slack = np.cumsum((pmf * rel)[:, ::-1], axis=1)[:, ::-1] + tail * (L + 4) * _EPS
        above, slack = tail[:, 2:], slack[:, 2:]
        ones = (x >= 1.0)[:, None]
        return np.where(ones, 1.0, np.maximum(above - slack, 0.0)), np.where(ones, 1.0, np.minimum(above + slack, 1.0))

    def exceed(self, first: int, last: int) -> tuple[Any, Any]:
        """(lower, upper) on P(S_max > s), s = 1..L-1, for every first <= T <= last."""
        import numpy as np

        h_hi, h_lo = float(self.span / first) * (1 + _EPS), float(self.span / last) * (1 - _EPS)
        blocks = self._blocks(first)
        width = self.s / blocks
        j = np.arange(blocks)
        low, high = self.law.slope_range(np.maximum(j * width - h_hi, 0.0), np.minimum((j + 1) * width + h_hi, self.s))
        cell_lo, _ = self._tail_rows(h_lo * low * (1 - 4 * _EPS))
        _, cell_hi = self._tail_rows(h_hi * high * (1 + 4 * _EPS))
        (last_lo, _), (_, last_hi) = self._tail_rows([self.rest_range[0]]), self._tail_rows([self.rest_range[1]])
        logs = np.log1p(-np.minimum(cell_lo, 1 - 2.0**-30)).sum(axis=0)
        keep = first / blocks * logs + np.log1p(-np.minimum(last_lo[0], 1 - 2.0**-30))
        lower = -np.expm1(keep)
        lower = np.maximum(lower - (blocks + 24) * _EPS * (np.abs(keep) + 1.0), 0.0)  # log1p, the sums, expm1
        upper = (last / blocks * cell_hi.sum(axis=0) + last_hi[0]) * (1 + (blocks + 8) * _EPS)
        return lower, np.minimum(upper, 1.0)


def noise_max_step_bracket(sampler_at: Any, length: int, coefficients: Any) -> NoiseMaxStepBracket | None:
    """The bracket of E c(S_max) over ranges of T for ``mdlm:T:NOISE`` (``sampler_at(T)`` builds it), else None."""
    from .count_sampler import MDLM_DELTA

    noise = noise_of(sampler_at(2))
    return None if noise is None else NoiseMaxStepBracket(length, NOISE_LAWS[noise], 1 - MDLM_DELTA, coefficients)
