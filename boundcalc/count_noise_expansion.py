"""The expected errors of a sweep's ``mdlm:T:NOISE`` rows from T-independent forms, without the steps (orchestration
layer).

At one T, :class:`~boundcalc.count_brackets_noise.NoiseBracket` brackets E error(T) = L·S(T) − Σd between linear forms
in d built from a few vectors that do not depend on T — P(b) (``p``), the block level Q (``q``), ∫φ″·a (``j``),
G′(b) and G′(0) (``s_b``, ``s_0``), D = G(0) − G(b) (``drop``) and their error vectors — with coefficients that are
polynomials in h = (1 − δ)/T, plus remainders that are scalars in h times d's variation (docs/theory.md §12, "Other
noises", "Euler–Maclaurin's next term", "Cell-local remainders"). Here those vectors are dotted with d (and |d|, and
a completion set's largest d) once, and every T's two forms (trapezoid and Euler–Maclaurin) are evaluated from the
dot products: O(L) once per curve, then O(1) per row, the same brackets as the per-T forms with one block level
(the finest, shared by every T). Per row: the value (the bracket's midpoint, half its width as certified error), the
monotone cubic's value the same way, the stderr through the curve's point weights of the Euler–Maclaurin form's
midpoint vector; the interval over a partial curve's monotone completions is added by
:mod:`boundcalc.count_noise_completions`: docs/theory.md §12, "Rows from T-independent forms".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

from .count_noise_variation import difference_variations as _variations

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .count_grid_truth import GridRow
    from .curve import LossCurve

__all__ = ["NoiseExpansion", "expanded_brackets", "expanded_rows_truth", "EXPANSION_NOTE"]

_EPS = 2.0**-52  # NoiseBracket's unit (a float64 rounding, with room)
_NAMES = ("p", "q", "j", "s_b", "s_0", "drop")
#: The note of a value from these forms (estimate.coefficient_note's wording).
EXPANSION_NOTE = "an expectation over the sampler's random reveal counts (a certified Euler–Maclaurin bracket, no step summed)"


class NoiseExpansion:
    """The T-independent vectors of one noise's single-T forms at L = d.size, dotted with d (``value``), |d| and
    optionally with other non-negative vectors (:meth:`dots`)."""

    def __init__(self, noise: str, d: Any) -> None:
        from .count_brackets_noise import NoiseBracket
        from .count_noise import NOISE_LAWS
        from .count_sampler import MDLM_DELTA

        br = NoiseBracket(d, NOISE_LAWS[noise], 1 - MDLM_DELTA)
        self.bracket = br
        self.blocks = br._blocks(1 << 40, 1 << 40)  # a single T's finest level: valid for every T
        q, q_error, j, j_error = br._level(self.blocks)
        p, p_error = br._cached("p", br.end, br._p_form)
        g_b, g_b_error = br._cached("g", br.end, br._g_form)
        s_b, s_b_error = br._cached("s", br.end, br._slope_form)
        s_0, s_0_error = br._cached("s", 0.0, br._slope_form)
        drop = -g_b
        drop[0] += 1.0  # D = G(0) − G(b) = drop·d
        self.vectors = {"p": p, "q": q, "j": j, "s_b": s_b, "s_0": s_0, "drop": drop}
        self.errors = {"p": p_error, "q": q_error, "j": j_error, "s_b": s_b_error, "s_0": s_0_error, "drop": g_b_error}
        self.widest = 0.0  # the cell-local bound's largest h, set with the folded weights (_folded)
        from .count_noise_local import ZONES
        from .count_noise_variation import split_variations, zone_slope_variation

        self.tv1, self.tv3 = (min(a, b, c) for a, b, c in zip((br.tv1, br.tv3), _variations(br.d), split_variations(br.d)))
        self.slope_turns = _slope_variation(br.law, br.s)
        self.variance_form = True  # a third form: the trapezoid with its h³ terms by the cells' variance
        # the trapezoid's cells by zones (h up to a zone's width): Σ_k Δr_k²·TV_cell(G′) <= h²·zone_bend
        self.zone_bend, self.zone_width = zone_slope_variation(br.d, br.law, br.s), br.s / ZONES * (1 - 1e-9)
        self.zone_twist = _zone_twist(br.law, br.s, br.d)
        self.linear = {name: float(v @ br.d) for name, v in self.vectors.items()}
        self.own = self.dots(br.abs_d)

    def dots(self, y: Any) -> "dict[str, float]":
        """|v|·y and (v's error)·y for every vector v, y >= 0 (keys "|name|" and "e:name"), and Σy, max y."""
        import numpy as np

        out = {f"|{name}|": float(np.abs(v) @ y) for name, v in self.vectors.items()}
        out.update({f"e:{name}": float(e @ y) for name, e in self.errors.items()})
        out["sum"], out["max"] = float(np.sum(y)), float(np.max(y, initial=0.0))
        return out


def _slope_variation(law: Any, span: float) -> float:
    """TV of φ′ over [0, span], rounded up: φ′ rises to its turning point and falls after it (NoiseLaw.turn), so
    TV = 2·max φ′ − φ′(0) − φ′(span) (for cosine, linear and geometric φ′ is monotone: |φ′(span) − φ′(0)| <= Φ1, half
    the 2Φ1 of NoiseBracket's TV(a) <= Φ1·TV(G′) + 2Φ1·sup|G′|); at most 2Φ1."""
    import numpy as np

    _, high = law.slope_range(np.array([0.0]), np.array([span]))
    ends = law.slope(np.array([0.0, span])) * (1 - law.relative)
    return float(min(2 * law.slope_top, (2 * float(high[0]) - float(ends.sum())) * (1 + 4 * _EPS)))


def _zone_twist(law: Any, span: float, d: Any) -> float:
    """X with Σ_k Δr_k⁴·TV_cell(G‴) <= h⁴·X for every h up to the zones' width (count_noise_local's zones: a cell whose
    left end lies in zone j has Δr_k <= h·Φ1_j and its r-range in [x1_j, x2_j]; the cells of a zone are disjoint), with
    TV over [x1, x2] of G‴ = (L − 1)(L − 2)(L − 3)Σ_m Δ³d(m)·b_{m,L−4} at most that of each term, and the TV of a
    unimodal b over an interval at most twice its largest value there: X = (L − 1)(L − 2)(L − 3)·Σ_m |Δ³d(m)|·
    Σ_j Φ1_j⁴·2·max_[x1_j, x2_j] b_{m,L−4} (each difference within 16ε of max|d|). The charge of a kink of d is then
    weighted by φ′⁴ where the kink sits, not by the largest φ′⁴."""
    import numpy as np

    from .count_noise_local import ZONES, _bernstein_max

    L = d.size
    if L < 5:
        return math.inf
    zones = ZONES
    z = np.arange(zones + 1, dtype=np.float64) * (span / zones)
    z[-1] = span * (1 + 2 * _EPS)
    lo_u, hi_u = z[:-1], np.append(z[2:], z[-1])  # [z_j, z_{j+2}], as zone_variations
    _, top = law.slope_range(lo_u, hi_u)
    x1 = np.maximum(law.phi(lo_u) * (1 - 2 * law.relative) - 2.0**-1000, 0.0)
    x2 = np.minimum(law.phi(hi_u) * (1 + 2 * law.relative) + 2.0**-1000, 1.0)
    n = L - 4
    lf = np.array([math.lgamma(k + 1) for k in range(n + 1)])
    m = np.arange(n + 1)
    omega = np.zeros(n + 1)
    for j in range(zones):
        omega += top[j] ** 4 * (1 + 8 * _EPS) * np.minimum(2 * _bernstein_max(lf, n, m, x1[j], x2[j]), 2.0)
    third = np.abs(np.diff(d, 3)) + 16 * _EPS * float(np.abs(d).max(initial=0.0))
    return float(L - 1) * (L - 2) * (L - 3) * float(third @ omega) * (1 + (L + zones + 16) * _EPS)


class _Form:
    """One form at every T: ``lower``/``upper`` map a vector's name to its coefficient (arrays over T) in the lower
    and upper vectors, ``error`` maps a dot's key (:meth:`NoiseExpansion.dots`) to its coefficient in the error
    vector (before its 8ε·(|lower| + |upper|)), and the remainders' factors."""

    def __init__(self, lower: dict, upper: dict, error: dict, rest1: Any, rest3: Any, rest0: Any, local: Any) -> None:
        self.lower, self.upper, self.error = lower, upper, error
        self.rest1, self.rest3, self.rest0, self.local = rest1, rest3, rest0, local
        self.cells: Any = None  # the trapezoids: rest1's share from the cells' (Δr_k²/8)·TV_cell(G′) (_zoned_variation)

    def value(self, linear: dict, side: str) -> Any:
        """lower·x or upper·x from the vectors' dots with x."""
        return sum(c * linear[name] for name, c in getattr(self, side).items())

    def magnitude(self, dots: dict, side: str) -> Any:
        """An upper bound on |lower|·y (or |upper|·y): Σ |coefficient|·(|v|·y)."""
        return sum(abs(c) * dots[f"|{name}|"] for name, c in getattr(self, side).items())

    def error_dot(self, dots: dict) -> Any:
        """error·y, the form's error vector against y >= 0."""
        spread = self.magnitude(dots, "lower") + self.magnitude(dots, "upper")
        return sum(c * dots[key] for key, c in self.error.items()) + 8 * _EPS * spread


def _steps(ex: NoiseExpansion, T: Any) -> "tuple[np.ndarray, np.ndarray]":
    """(h_hi, h_lo) around h = (1 − δ)/T: the float quotient (within 3 units of 2^-53) widened by 3ε."""
    import numpy as np

    h = float(ex.bracket.span) / np.asarray(T, dtype=np.float64)
    return h * (1 + 3 * _EPS), h * (1 - 3 * _EPS)


def _shared(ex: NoiseExpansion, T: Any) -> tuple:
    """What both forms start from at every T: L, (h_hi, h_lo), a block's width, φ's slope, bend and twist tops
    (φ′, |φ″|, |φ‴|) and the per-block terms of the midpoint rule (per_a) and of the drop D (per_d), as
    NoiseBracket.forms takes them."""
    from .count_brackets_noise import _WIDEN

    law = ex.bracket.law
    h_hi, h_lo = _steps(ex, T)
    width = ex.bracket.s / ex.blocks * (1 + _EPS) + 2 * _WIDEN
    f1, f2, f3 = law.slope_top, law.bend_top, law.twist_top
    per_a = h_hi / 2 * width * width / 4 * f2 + h_hi**3 / 8 * f2
    per_d = (h_hi / 2 * (width * width / 8 * f3 + f2 * _WIDEN + 64 * _EPS * f1) + h_hi**3 / 12 * f3) * (1 + 16 * _EPS)
    return ex.bracket.L, h_hi, h_lo, width, (f1, f2, f3), per_a, per_d


def _trapezoid(ex: NoiseExpansion, T: Any) -> _Form:
    """NoiseBracket.forms' trapezoid form at every T (docs/theory.md §12, "Other noises")."""
    br = ex.bracket
    L, h_hi, h_lo, _, (f1, _, _), per_a, per_d = _shared(ex, T)
    lower = {"p": L + 0 * h_hi, "q": L * h_lo / 2, "drop": -L * per_d}
    upper = {"p": L + 0 * h_hi, "q": L * h_hi / 2, "drop": L * per_d}
    error = {"e:p": 2 * L + 0 * h_hi, "e:q": L * h_hi / 2, "|q|": L * h_hi / 2 * 4 * _EPS, "e:drop": L * per_d,
             "|drop|": L * per_d * 4 * _EPS}
    grow = 1 + 16 * _EPS
    rest1 = L * (h_hi * h_hi * f1 * f1 / 8 + per_a * f1) * grow
    rest0 = L * per_a * ex.slope_turns * grow + _end_moves(br, h_hi, per_d)
    return _Form(lower, upper, error, rest1, 0 * h_hi, rest0, 0 * h_hi)


def _variance_trapezoid(ex: NoiseExpansion, T: Any) -> _Form:
    """The trapezoid form with ½Σ_k Δr_k·A_k = (h/2)·Q + R₂ split exactly (docs/theory.md §12, "The cells'
    variance"): R₂ = ½Σ_k ∫_cell a·w_k, w_k = Δr_k − hφ′ (∫_cell w_k = 0), a = a₁ + a₂ with a₁ = −G′(0)·φ′:
    the a₁ part is G′(0)·h³·W/24 (a form in s_0, W = Σ_k h·g(m_k) between the bounds of :func:`_variance_range`,
    G′(0) <= 0), the a₂ part at most (h³Φ2/4)·(Φ1 + TV(φ′))·TV(G′) (a₂ = −(G′∘φ − G′(0))·φ′). The blocks' terms (Q
    by block midpoints) and b's rounding as before; the midpoint rule's h³ terms (per_a's h³Φ2/8 and per_d's h³Φ3/12)
    are gone."""
    from .count_brackets_noise import _WIDEN

    br = ex.bracket
    L, h_hi, h_lo, width, (f1, f2, f3), _, _ = _shared(ex, T)
    per_a = h_hi / 2 * width * width / 4 * f2
    per_d = h_hi / 2 * (width * width / 8 * f3 + f2 * _WIDEN + 64 * _EPS * f1) * (1 + 16 * _EPS)
    w_lo, w_hi = _variance_range(ex, h_hi)
    c_hi = L * h_hi**3 * w_hi / 24 * (1 + 16 * _EPS)  # the largest factor of G′(0) <= 0: the lower end
    c_lo = L * h_lo**3 * w_lo / 24 * (1 - 16 * _EPS)
    lower = {"p": L + 0 * h_hi, "q": L * h_lo / 2, "drop": -L * per_d, "s_0": c_hi}
    upper = {"p": L + 0 * h_hi, "q": L * h_hi / 2, "drop": L * per_d, "s_0": c_lo}
    error = {"e:p": 2 * L + 0 * h_hi, "e:q": L * h_hi / 2, "|q|": L * h_hi / 2 * 4 * _EPS, "e:drop": L * per_d,
             "|drop|": L * per_d * 4 * _EPS, "e:s_0": c_hi, "|s_0|": c_hi * 4 * _EPS}
    grow = 1 + 16 * _EPS
    turns = ex.slope_turns
    cells = L * h_hi * h_hi / 8 * grow
    rest1 = cells * f1 * f1 + L * (per_a * f1 + h_hi**3 * f2 / 4 * (f1 + turns)) * grow
    rest0 = L * per_a * turns * grow + _end_moves(br, h_hi, per_d)
    form = _Form(lower, upper, error, rest1, 0 * h_hi, rest0, 0 * h_hi)
    form.cells = cells
    return form


def _variance_range(ex: NoiseExpansion, h_hi: Any) -> "tuple[Any, Any]":
    """(lower, upper) on W = Σ_k h·g(m_k), every h <= h_hi: each cell's ∫(φ′ − Δr_k/h)² is (h³/12)·g with
    g in [(|φ″(m_k)| − κh)₊², (|φ″(m_k)| + κh)²], κ = √(12/320)·Φ3 (φ′ = its tangent at the midpoint plus at most
    Φ3(u − m)²/2, whose sd under the uniform law is <= Φ3h²/(2√80)); a midpoint sum within (h/2)·TV of the
    integral; ∫φ″² by :func:`~boundcalc.count_noise_variation.bend_moments`, ∫|φ″| = TV(φ′), TV(φ″²) <= 2Φ3·TV(φ′),
    TV(|φ″|) <= Φ3·(1 − δ)."""
    import numpy as np

    from .count_noise_variation import bend_moments

    law, span = ex.bracket.law, ex.bracket.s
    low2, high2 = bend_moments(law, span)
    kappa = 0.1936492 * law.twist_top  # √(12/320) = 0.19364916..., rounded up
    turns = ex.slope_turns
    tv2, tv1 = 2 * law.twist_top * turns, law.twist_top * span
    h = np.asarray(h_hi, dtype=np.float64)
    spread = h / 2 * tv2 + 2 * kappa * h * (turns + h / 2 * tv1)
    high = (high2 + spread + kappa * kappa * h * h * span) * (1 + 16 * _EPS)
    low = np.maximum((low2 - spread * (1 + 16 * _EPS)) * (1 - 16 * _EPS), 0.0)
    return low, high


def _end_moves(br: Any, h_hi: Any, per_d: Any) -> Any:
    """NoiseBracket._end_moves for arrays of h."""
    e = br.end_error
    return br.L * (1.0 - br.end + 2 * e + h_hi * br.law.slope_top / 2 + 2 * per_d) * e * (1 + 16 * _EPS)


def _euler_maclaurin(ex: NoiseExpansion, T: Any) -> _Form:
    """NoiseBracket._euler_maclaurin_form at every T (docs/theory.md §12, "Euler–Maclaurin's next term")."""
    import numpy as np

    from .count_noise_local import twist_weights

    br, law = ex.bracket, ex.bracket.law
    L, h_hi, h_lo, width, (f1, f2, f3), per_a, per_d = _shared(ex, T)
    w_b, w_0 = (float(law.slope(np.array([x]))[0]) ** 2 for x in (br.s, 0.0))
    w_rel = 130 * _EPS
    bend_slack = f3 * width / 2 + 64 * _EPS * f2
    square, moved = (h_hi * h_hi + h_lo * h_lo) / 2, (h_hi * h_hi - h_lo * h_lo) / 2 * (1 + 4 * _EPS)
    around = per_d + h_hi * h_hi / 12 * 2 * bend_slack * (1 + 4 * _EPS)
    k = {"s_b": w_b, "s_0": -w_0, "j": 2.0}  # K = w_b·s_b − w_0·s_0 + 2j
    lower = {"p": L + 0 * h_hi, "q": L * h_lo / 2, "drop": -L * around, **{n: L * square / 12 * c for n, c in k.items()}}
    upper = {**lower, "q": L * h_hi / 2, "drop": L * around}
    # k_error·y = w_b(e:s_b + w_rel|s_b|) + w_0(e:s_0 + w_rel|s_0|) + 2 e:j; k_abs = |K| bound + 2 bend_slack|drop| + k_error
    k_error = {"e:s_b": w_b, "|s_b|": w_b * w_rel, "e:s_0": w_0, "|s_0|": w_0 * w_rel, "e:j": 2.0}
    k_size = {"|s_b|": w_b, "|s_0|": w_0, "|j|": 2.0}
    error: dict = {"e:p": L + 0 * h_hi, "e:q": L * h_hi / 2, "|q|": L * h_hi / 2 * 4 * _EPS, "e:drop": L * around,
                   "|drop|": L * around * 4 * _EPS + L * moved / 12 * 2 * bend_slack}
    for key, c in k_error.items():
        error[key] = error.get(key, 0.0) + L * (square / 12 + moved / 12) * c
    for key, c in k_size.items():
        error[key] = error.get(key, 0.0) + L * (square / 12 * 4 * _EPS + moved / 12) * c
    error["sum"] = L * h_hi * h_hi / 12 * f1 * f1 * 2 * (L - 1) * (L - 2) * br.end_error  # moved_b on every entry
    grow = 1 + 16 * _EPS
    rest1 = L * (per_a * f1 + h_hi**3 * f1 * f2 / 6) * grow
    rest3 = L * h_hi**4 * f1**4 / 384 * grow
    _, widest = twist_weights(L, law, br.s)
    local = np.where(h_hi <= widest, L * h_hi**4 / 384 * grow, 0.0)
    rest0 = L * per_a * ex.slope_turns * grow + _end_moves(br, h_hi, around)
    return _Form(lower, upper, error, rest1, rest3, rest0, local)


def _slack(ex: NoiseExpansion, form: _Form, dots: dict, tv1: float, tv3: Any, jump: float) -> Any:
    """RiemannBracket.slack and the noise forms' rest0 (NoiseBracket.slack) against y (``dots``): the error vector,
    (L + 4)ε of |lower|·y + |upper|·y (the dot products' rounding, here of a few dots combined: within it), h's
    rounding, the remainders times d's variation and ``jump`` (a bound on sup|G′|)."""
    L = ex.bracket.L
    rounding = (L + 4) * _EPS * (form.magnitude(dots, "lower") + form.magnitude(dots, "upper"))
    return form.error_dot(dots) + rounding + ex.bracket.argument_error() * dots["max"] + form.rest1 * tv1 \
        + form.rest3 * tv3 + 2.0**-900 + form.rest0 * jump * (1 + 4 * _EPS)


def _zoned_variation(ex: NoiseExpansion, form: _Form, T: Any) -> Any:
    """The trapezoid's TV(G′) per T such that rest1·it bounds rest1·TV(G′) with the cells' share cells·Φ1²·TV(G′)
    replaced by cells·zone_bend where h is at most the zones' width (count_noise_variation.zone_slope_variation)."""
    import numpy as np

    L, h_hi, _, _, (f1, _, _), _, _ = _shared(ex, T)
    cells = L * h_hi * h_hi / 8 * (1 + 16 * _EPS) if form.cells is None else form.cells
    zoned = (form.rest1 - cells * f1 * f1) * ex.tv1 * (1 + 8 * _EPS) + 4 * _EPS * form.rest1 * ex.tv1 \
        + cells * ex.zone_bend * (1 + 8 * _EPS)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.minimum(ex.tv1, np.where(h_hi <= ex.zone_width, zoned / form.rest1 * (1 + 8 * _EPS), np.inf))


def expanded_brackets(ex: NoiseExpansion, T: Any) -> "tuple[np.ndarray, np.ndarray]":
    """(lower, upper) on E error(T) in nats at every T of ``T`` for the expansion's own d: NoiseBracket.bracket(T, T)
    with the finest block level, both forms intersected, from the dot products (O(1) per T)."""
    import numpy as np

    br = ex.bracket
    lows, highs = [], []
    # the trapezoid with the cells' variance: narrower from moderate T on, wider at the smallest (its h³ terms)
    extra = [_variance_trapezoid(ex, T)] if ex.variance_form else []
    for form in (_trapezoid(ex, T), *extra, _euler_maclaurin(ex, T)):
        tv1: Any = ex.tv1 if np.any(form.rest3) else _zoned_variation(ex, form, T)
        tv3: Any = ex.tv3
        if np.any(form.local > 0):  # the cell-local bound on TV(G‴) where it is smaller (NoiseBracket.slack)
            twist = min(br._local_twist(), ex.zone_twist)
            with np.errstate(divide="ignore", invalid="ignore"):
                local = np.where(form.local > 0, form.local * twist / form.rest3, np.inf)
            tv3 = np.minimum(ex.tv3, local)
        slack = _slack(ex, form, ex.own, tv1, tv3, br.slope_jump)
        lo, hi = form.value(ex.linear, "lower") - slack, form.value(ex.linear, "upper") + slack
        lows.append(lo - 4 * _EPS * np.abs(lo))
        highs.append(hi + 4 * _EPS * np.abs(hi))
    return np.maximum.reduce(lows), np.minimum.reduce(highs)




def _stderrs(ex: NoiseExpansion, T: Any, curve: "LossCurve") -> list:
    """The stderr of Σ c·d at each T with c the Euler–Maclaurin form's midpoint vector (the curve's point weights
    are linear in c: those of each vector, combined per T); None without the curve's stderr."""
    import numpy as np

    if curve.stderr is None:
        return [None] * int(np.size(T))
    form = _euler_maclaurin(ex, T)
    names = [n for n in form.lower if n != "drop"]
    weights = {n: curve.point_weights(ex.vectors[n]) for n in names}
    a = sum(np.multiply.outer((form.lower[n] + form.upper[n]) / 2, weights[n]) for n in names)
    se2 = curve.stderr * curve.stderr
    return [math.sqrt(math.fsum(row)) for row in (a * a * se2[None, :]).tolist()]


def expanded_rows_truth(profile: Any, samplers: "Sequence[Any]", curve: "LossCurve | None" = None,
                        vocab_size: int | None = None, expansions: "dict | None" = None) -> "dict[int, GridRow]":
    """By id(sampler): :func:`boundcalc.count_noise_truth.noise_rows_truth`'s rows for the ``mdlm:T:NOISE`` samplers
    at the profile's L >= 2, from the T-independent forms (no step read): value the bracket's midpoint, certified
    error half its width (and d's own error, 2L·abs_error), the monotone cubic's value likewise, the stderr of the
    forms' midpoint vector; the interval None (:func:`boundcalc.count_noise_completions.completed_rows_truth` adds
    it). Empty where d rises somewhere (the forms need a non-increasing d). ``expansions``, when given, receives
    noise -> (its NoiseExpansion, T, the rows' samplers) for the intervals' reuse."""
    import numpy as np

    from .count_brackets_noise import noise_of
    from .count_grid_truth import GridRow

    d = np.asarray(profile.conditional, dtype=np.float64)
    L = d.size
    if L < 2 or np.any(np.diff(d) > 0) or not np.all(np.isfinite(d)):
        return {}
    by_noise: dict[str, list[Any]] = {}
    for sampler in samplers:
        noise = noise_of(sampler) if getattr(sampler, "length", None) == L else None
        if noise is not None:
            by_noise.setdefault(noise, []).append(sampler)
    out: "dict[int, GridRow]" = {}
    for noise, rows in by_noise.items():
        T = np.array([s.steps for s in rows], dtype=np.int64)
        ex = NoiseExpansion(noise, d)
        if expansions is not None:
            expansions[noise] = (ex, T, rows)
        lo, hi = expanded_brackets(ex, T)
        values = (lo + hi) / 2
        errors = (hi - lo) / 2 + 4 * _EPS * (np.abs(lo) + np.abs(hi)) + 2 * L * float(getattr(profile, "abs_error", 0.0))
        estimates: list[Any] = [None] * T.size
        intervals: list[Any] = [None] * T.size
        if curve is not None:
            estimates = _estimates(noise, ex, T, curve, values, errors)
        for i, sampler in enumerate(rows):
            out[id(sampler)] = GridRow(float(values[i]), float(errors[i]), estimates[i], intervals[i])
    return out


def _estimates(noise: str, ex: NoiseExpansion, T: Any, curve: "LossCurve", values: Any, errors: Any) -> list:
    """Each row's Estimate: the value, the stderr, the monotone cubic's value (its bracket's midpoint)."""
    import numpy as np

    from .estimate import ESTIMATE_NOTE, EXACT_NOTE, Estimate, curve_profile

    if curve.masked.size == curve.length:
        cubic = values
    else:
        lo, hi = expanded_brackets(NoiseExpansion(noise, np.asarray(curve_profile(curve, "pchip").conditional)), T)
        cubic = (lo + hi) / 2
    stderrs = _stderrs(ex, T, curve)
    note = EXPANSION_NOTE + "; " + (EXACT_NOTE if curve.exact else ESTIMATE_NOTE)
    return [Estimate(max(float(v), 0.0), se, max(float(p), 0.0), curve.exact, note, float(e))
            for v, p, se, e in zip(values, cubic, stderrs, errors)]
