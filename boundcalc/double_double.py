"""Double-double arithmetic on numpy float64 arrays: a value is a pair (hi, lo) with hi = fl(hi + lo), about
106 bits, and the few functions MDLM's noises need (sin on [0, π/2], e^{−y} and 1 − e^{−y} on [0, 8]).

Used to settle the rounding of the step probabilities the long double pass leaves open
(:mod:`boundcalc.noise_steps`). Every operation is a fixed sequence of float64 operations (no FMA, no libm), so
the results are the same on every x86 CPU.

Error bounds (u = 2^−53, docs/theory.md §12, "The step probabilities in double-double"). Dekker's product and
Knuth's sum are exact for these magnitudes (no overflow, no underflow: every value here is 0 or above 2^−900);
the sum, product and quotient below are Joldes, Muller and Popescu's AccurateDWPlusDW, DWTimesDW1 and DWDivDW1
(ACM TOMS 44(2), 2017), relative errors <= 3u², 7u² and 15u² + 56u³. :data:`OP_ERROR` = 32u² bounds each of
them. The functions' relative errors are given in units of OP_ERROR plus the argument's own relative error times
the function's condition number; :data:`SIN_ERROR`, :data:`EXP_ERROR` and :data:`EXPM1_ERROR` are those units.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

__all__ = ["OP_ERROR", "SIN_ERROR", "EXP_ERROR", "EXPM1_ERROR", "constant", "ratio", "add", "sub", "mul", "div",
           "sin", "exp_neg", "one_minus_exp_neg", "rounds_to_hi"]

OP_ERROR = 32 * 2.0**-106
#: sin(x) within SIN_ERROR·OP_ERROR + (the relative error of x) relative (x in [0, π/2], condition <= 1)
SIN_ERROR = 16
#: e^{−y} within EXP_ERROR·OP_ERROR + y·(the relative error of y) relative (y in [0, 8])
EXP_ERROR = 16
#: 1 − e^{−y} within EXPM1_ERROR·OP_ERROR + (2.4 y + 1)·(the relative error of y) relative (y in [0, 8])
EXPM1_ERROR = 48

_SPLIT = 134217729.0  # 2^27 + 1, Dekker's splitter for 53-bit significands
_SIN_TERMS = 16  # sin x = x Σ_{m<=16} (−x²)^m/(2m+1)!: the first omitted term is below 2^−110 of sin x on [0, π/2]
_EXP_TERMS = 22  # e^{z}, |z| <= 0.35 + 2^-40: the first omitted term is below 2^−109
_SMALL = 0.34657359027997264  # ln 2 / 2 (rounded down): 1 − e^{−y} by its series below, 1 − e^{−y} = 1 − exp above


def constant(value: Fraction | str) -> tuple[float, float]:
    """(hi, lo) nearest a rational (or a decimal string): hi the float64 nearest it, lo the nearest to the rest;
    within 2^−106 relative (both roundings correct)."""
    q = Fraction(value)
    hi = q.numerator / q.denominator
    rest = q - Fraction(hi)
    return hi, rest.numerator / rest.denominator


def _two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _fast_two_sum(a: Any, b: Any) -> tuple[Any, Any]:  # |a| >= |b| (or a = 0)
    s = a + b
    return s, b - (s - a)


def _split(a: Any) -> tuple[Any, Any]:
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a: Any, b: Any) -> tuple[Any, Any]:
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def add(x: tuple[Any, Any], y: tuple[Any, Any]) -> tuple[Any, Any]:
    """x + y (AccurateDWPlusDW)."""
    sh, sl = _two_sum(x[0], y[0])
    th, tl = _two_sum(x[1], y[1])
    sh, sl = _fast_two_sum(sh, sl + th)
    return _fast_two_sum(sh, sl + tl)


def sub(x: tuple[Any, Any], y: tuple[Any, Any]) -> tuple[Any, Any]:
    return add(x, (-y[0], -y[1]))


def mul(x: tuple[Any, Any], y: tuple[Any, Any]) -> tuple[Any, Any]:
    """x·y (DWTimesDW1)."""
    ch, cl = _two_prod(x[0], y[0])
    return _fast_two_sum(ch, cl + (x[0] * y[1] + x[1] * y[0]))


def div(x: tuple[Any, Any], y: tuple[Any, Any]) -> tuple[Any, Any]:
    """x/y (DWDivDW1)."""
    th = x[0] / y[0]
    rh, rl = sub(x, mul((th, 0.0 * th), y))
    return _fast_two_sum(th, rh / y[0])


def ratio(numerator: Any, denominator: Any) -> tuple[Any, Any]:
    """numerator/denominator of exact float64 integers (below 2^53), within one quotient's error."""
    import numpy as np

    n = np.asarray(numerator, dtype=np.float64)
    d = np.asarray(denominator, dtype=np.float64) * np.ones_like(n)
    return div((n, np.zeros_like(n)), (d, np.zeros_like(d)))


def _times(x: tuple[Any, Any], c: tuple[float, float]) -> tuple[Any, Any]:
    return mul(x, (c[0], c[1]))


_SIN_STEPS = [constant(Fraction(1, (2 * m) * (2 * m + 1))) for m in range(1, _SIN_TERMS + 1)]
_EXP_STEPS = [constant(Fraction(1, j)) for j in range(1, _EXP_TERMS + 1)]
#: Horner levels from these on are in plain float64 (their error reaches the value scaled by the product of the
#: levels below, (π/2)^22/23! < 2^−60 for sin, 0.35^14/14! < 2^−57 for e^{−r}: so below 2^−105 in all)
_SIN_FLOAT, _EXP_FLOAT = 11, 14


def _float_tail(z: Any, steps: list[tuple[float, float]]) -> tuple[Any, Any]:
    """The Horner levels ``steps`` (the last ones) in float64 alone: acc = 1 − z·c·acc from acc = 1, on z's high
    part; relative error below 2^−48 (a few ulps a level), as a double-double with a zero low part."""
    import numpy as np

    acc = np.ones_like(z)
    for c in reversed(steps):
        acc = 1.0 - (z * c[0]) * acc
    return acc, np.zeros_like(z)


_LOG_OF_TWO = constant("0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156")


def sin(x: tuple[Any, Any]) -> tuple[Any, Any]:
    """sin x for x in [0, π/2]: x·a_1 with a_m = 1 − x²/((2m)(2m+1))·a_{m+1}, a_17 = 1 (Horner on the series).

    Each a_m lies in [0.58, 1] and the error carried from a_{m+1} is scaled by at most 0.41/0.58 < 0.71; each
    level adds three operations (x² is one more): relative error <= (3/(1 − 0.71) + 2) OP_ERROR < 13 OP_ERROR,
    plus the truncation (2^−110) and x's own error (condition x cot x <= 1). Levels m >= 12 in float64
    (:data:`_SIN_FLOAT`): within 2^−48 of a_12, which reaches a_1 scaled by x^22/23! < 2^−60: below 2^−108."""
    import numpy as np

    x2 = mul(x, x)
    one = (np.ones_like(x[0]), np.zeros_like(x[0]))
    acc = _float_tail(x2[0], _SIN_STEPS[_SIN_FLOAT:])
    for c in reversed(_SIN_STEPS[:_SIN_FLOAT]):
        acc = sub(one, mul(_times(x2, c), acc))
    return mul(x, acc)


def exp_neg(y: tuple[Any, Any]) -> tuple[Any, Any]:
    """e^{−y} for y in [0, 8]: y = n ln 2 + r, |r| <= ln2/2 (+ rounding), e^{−r} by Horner
    b_j = 1 − (r/j)·b_{j+1}, then ·2^{−n} (exact).

    r's absolute error: n ln 2 within 12·(2^−106 + OP_ERROR), the difference one more OP_ERROR of r, so <= 1.5
    OP_ERROR + y·(y's relative error), which is e^{−y}'s relative error from it. Horner: b_j in [0.58, 1.42], the
    carried error scaled by <= 0.86 at j = 1 and <= 0.25 below, two operations a level: <= 8 OP_ERROR; the final
    ldexp is exact. Total < 16 OP_ERROR (plus 2^−109 truncation). Levels j >= 15 in float64
    (:data:`_EXP_FLOAT`): within 2^−48 of b_15, which reaches b_1 scaled by |r|^14/14! < 2^−57: below 2^−105."""
    import numpy as np

    n = np.rint(y[0] / _LOG_OF_TWO[0])
    r = sub(y, mul((n, np.zeros_like(n)), _LOG_OF_TWO))
    one = (np.ones_like(n), np.zeros_like(n))
    acc = _float_tail(r[0], _EXP_STEPS[_EXP_FLOAT:])
    for c in reversed(_EXP_STEPS[:_EXP_FLOAT]):
        acc = sub(one, mul(_times(r, c), acc))
    return np.ldexp(acc[0], -n.astype(np.int64)), np.ldexp(acc[1], -n.astype(np.int64))


def one_minus_exp_neg(y: tuple[Any, Any], e: tuple[Any, Any] | None = None) -> tuple[Any, Any]:
    """1 − e^{−y} > 0 for y in (0, 8] (``e``: e^{−y} from :func:`exp_neg` if already at hand): y·c_1 with
    c_j = 1 − y/(j+1)·c_{j+1} below ln2/2 (c_j in [0.8, 1], no cancellation: <= 8 OP_ERROR, condition <= 1);
    above, 1 − e^{−y} with e^{−y} <= 0.71 and the difference >= 0.29, so e^{−y}'s error scaled by <= 2.45:
    <= 2.45·16 + 1 < 48 OP_ERROR plus 2.45·y·(y's relative error)."""
    import numpy as np

    small = y[0] <= _SMALL
    hi, lo = np.empty_like(y[0]), np.empty_like(y[0])
    big = ~small
    if np.any(big):
        yb = (y[0][big], y[1][big])
        eb = exp_neg(yb) if e is None else (e[0][big], e[1][big])
        hi[big], lo[big] = sub((np.ones_like(yb[0]), np.zeros_like(yb[0])), eb)
    if np.any(small):
        ys = (y[0][small], y[1][small])
        ones = (np.ones_like(ys[0]), np.zeros_like(ys[0]))
        acc = _float_tail(ys[0], _EXP_STEPS[1 + _EXP_FLOAT:])  # as exp_neg's: the levels from 1/16 on
        for c in reversed(_EXP_STEPS[1:1 + _EXP_FLOAT]):
            acc = sub(ones, mul(_times(ys, c), acc))
        hi[small], lo[small] = mul(ys, acc)
    return hi, lo


def rounds_to_hi(x: tuple[Any, Any], relative: float) -> Any:
    """True where every real within ``relative`` (relative) of hi + lo rounds to hi (round to nearest): |lo| plus
    the interval's half-width e stays below half the gap to hi's neighbour on lo's side, and e below half the
    other gap (the two differ at a power of two), with room for this test's own rounding."""
    import numpy as np

    hi, lo = x
    up = np.nextafter(hi, np.inf) - hi
    down = hi - np.nextafter(hi, -np.inf)
    width = np.abs(hi) * relative
    toward, away = np.where(lo >= 0, up, down), np.where(lo >= 0, down, up)
    room = 1 + 2.0**-50
    return (((np.abs(lo) + width) * room < toward * 0.5) & (width * room < away * 0.5)
            & np.isfinite(hi) & (hi > 0))
