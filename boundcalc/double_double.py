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
from functools import lru_cache
from typing import Any

__all__ = ["OP_ERROR", "SIN_ERROR", "EXP_ERROR", "EXPM1_ERROR", "constant", "ratio", "add", "sub", "mul", "div",
           "sin", "exp_neg", "one_minus_exp_neg", "one_minus_exp_neg_cancelling", "CANCELLING_ERROR",
           "rounds_to_hi"]

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
#: levels below, (π/2)^22/23! < 2^−60 for sin, 0.35^14/15! < 2^−57 for 1 − e^{−y}'s series: below 2^−105 in all)
_SIN_FLOAT, _EXP_FLOAT = 11, 14


def _float_tail(z: Any, steps: list[tuple[float, float]]) -> tuple[Any, Any]:
    """The Horner levels ``steps`` (the last ones) in float64 alone: acc = 1 − z·c·acc from acc = 1, on z's high
    part; relative error below 2^−48 (a few ulps a level), as a double-double with a zero low part."""
    import numpy as np

    acc = np.ones_like(z)
    for c in reversed(steps):
        acc = 1.0 - (z * c[0]) * acc
    return acc, np.zeros_like(z)




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


#: 2^(−j/64), j = 0..63, at 40 digits: :func:`exp_neg`'s table, each rounded to double-double within 2^−106
_SIXTY_FOURTHS = [constant(v) for v in (
    "1.000000000000000000000000000000000000000",
    "0.9892280131939754841291249590655836677747",
    "0.9785720620877001345091611258134357455951",
    "0.9680308967461472252990279522833457624182",
    "0.9576032806985736469363056351479154439251",
    "0.9472879907934828206701093267134623073762",
    "0.9370838170551499506649994749772232672197",
    "0.9269895625416927841962265351688483197608",
    "0.9170040432046712317435415947941444280387",
    "0.9071260877501993781249173001811701712330",
    "0.8973545375015535932138516210638909071772",
    "0.8876882462632606262752796000996616038794",
    "0.8781260801866497415560803096876566106472",
    "0.8686669176368531244971010409360833801244",
    "0.8593096490612389578146721882281562522581",
    "0.8500531768592617347506812867487511675443",
    "0.8408964152537145430311254762332148950400",
    "0.8318382901633682175231682284881952226370",
    "0.8228777390769824222593783623629112228337",
    "0.8140137109286738834241092610070073386144",
    "0.8052451659746271540897603336787002917297",
    "0.7965710756711334489686243215595343679342",
    "0.7879904225539432432276350800909525044528",
    "0.7795022001189184835168640447374289407457",
    "0.7711054127039704118061459310453674206534",
    "0.7627990753722691534256268447584704773048",
    "0.7545822137967113698830097755165967657099",
    "0.7464538641456324246003217657433367708373",
    "0.7384130729697496556934537401870249619618",
    "0.7304588970903234943256514451553107665771",
    "0.7225904034885233100185031207358354528392",
    "0.7148066691959850056175328891375699530436",
    "0.7071067811865475244008443621048490392848",
    "0.6994898362691555701047640683575974846030",
    "0.6919549409819159774363297636325964090012",
    "0.6845012114872953059648005664910964160837",
    "0.6771277734684463641490073700703514021716",
    "0.6698337620266515026800153348621762880116",
    "0.6626183215798706473147685477493608370566",
    "0.6554806057623821709614958931653779246829",
    "0.6484197773255048329668770588962255799177",
    "0.6414350080393891403633348905107570255554",
    "0.6345254785958666112772095405161690023576",
    "0.6276903785123455447896953287211505972989",
    "0.6209289060367420242968387343632978027555",
    "0.6142402680534350028470044788963909201813",
    "0.6076236799902344390582601256693992288119",
    "0.6010783657263515710481984787488829380002",
    "0.5946035575013605333587499852802379576465",
    "0.5881984958251406381423228642419243205265",
    "0.5818624293887887569067867995460926561715",
    "0.5755946149764913529088798176009912680601",
    "0.5693943173783458268519151419207556273601",
    "0.5632608093041209498973993218935173888168",
    "0.5571933712979462681544064784598015339002",
    "0.5511912916539204717782071047128234287555",
    "0.5452538663326288296035053278803539894964",
    "0.5393803988785598968703400187192414792455",
    "0.5335702003384118090847605604964045813034",
    "0.5278225891802785794041706625764693260800",
    "0.5221368912137069201609832393699645043923",
    "0.5165124395106142112500541419852304590433",
    "0.5109485743270583391172400673916497198911",
    "0.5054446430258502300102048952809302621941",
)]
@lru_cache(maxsize=None)
def _sixty_fourths() -> tuple[Any, Any]:
    import numpy as np

    return np.array([v[0] for v in _SIXTY_FOURTHS]), np.array([v[1] for v in _SIXTY_FOURTHS])


_LN2_64 = constant("0.0108304246962491454596442518977840088761796896")  # ln 2 / 64
#: e^{−r} for |r| <= ln2/128 (+ 2^−40): Horner levels 1..7 in double-double, 8..11 in float64 (the first omitted
#: term r^12/12! < 2^−118; a float64 level's 2^−48 reaches the value scaled by |r|^7/7! < 2^−64)
_TABLE_DOUBLE, _TABLE_TERMS = 7, 11


def exp_neg(y: tuple[Any, Any]) -> tuple[Any, Any]:
    """e^{−y} for y in [0, 8]: y = n·(ln 2/64) + r, |r| <= ln2/128 (+ rounding), e^{−y} = 2^{−⌊n/64⌋}·2^{−(n mod
    64)/64}·e^{−r}, the middle factor from a table of 64 double-doubles (within 2^−106), e^{−r} by Horner
    b_j = 1 − (r/j)b_{j+1} (docs/theory.md §12, "A table-driven e^{−y}").

    r's absolute error: n·(ln2/64) (n <= 740, the product <= 8.02) within 7u² + 2^−106 relative, so 2 OP_ERROR;
    the difference 3u² of |r| <= 0.0055; plus y times y's relative error, which is e^{−y}'s relative error from it.
    Horner: b_j within 0.0056 of 1, a level's three operations within 3.1u² of it, the carried error scaled by
    <= 0.0055: 0.1 OP_ERROR; the float64 levels and the truncation below 2^−112. The table entry and the last
    product 2^−106 + 7u²; the ldexp is exact. In all < 2.5 OP_ERROR <= EXP_ERROR."""
    import numpy as np

    n = np.rint(y[0] / _LN2_64[0])
    r = sub(y, mul((n, np.zeros_like(n)), _LN2_64))
    one = (np.ones_like(n), np.zeros_like(n))
    acc = _float_tail(r[0], _EXP_STEPS[_TABLE_DOUBLE:_TABLE_TERMS])
    for c in reversed(_EXP_STEPS[:_TABLE_DOUBLE]):
        acc = sub(one, mul(_times(r, c), acc))
    whole, j = np.divmod(n.astype(np.int64), 64)
    table_hi, table_lo = _sixty_fourths()
    hi, lo = mul(acc, (table_hi.take(j), table_lo.take(j)))
    return np.ldexp(hi, -whole), np.ldexp(lo, -whole)


def one_minus_exp_neg(y: tuple[Any, Any], e: tuple[Any, Any] | None = None) -> tuple[Any, Any]:
    """1 − e^{−y} > 0 for y in (0, 8] (``e``: e^{−y} from :func:`exp_neg` if already at hand): y·c_1 with
    c_j = 1 − y/(j+1)·c_{j+1} below ln2/2 (c_j in [0.8, 1], no cancellation: <= 8 OP_ERROR, condition <= 1);
    above, 1 − e^{−y} with e^{−y} <= 0.71 and the difference >= 0.29, so e^{−y}'s error scaled by <= 2.45:
    <= 2.45·16 + 1 < 48 OP_ERROR plus 2.45·y·(y's relative error)."""
    return _one_minus(y, e, _SMALL, _EXP_STEPS[1:1 + _EXP_FLOAT], _EXP_STEPS[1 + _EXP_FLOAT:])


#: 1 − e^{−y} by :func:`one_minus_exp_neg_cancelling` within CANCELLING_ERROR·OP_ERROR + (y's relative error)
CANCELLING_ERROR = 2049
_CANCELLING = 2.0**-7


def one_minus_exp_neg_cancelling(y: tuple[Any, Any], e: tuple[Any, Any]) -> tuple[Any, Any]:
    """1 − e^{−y} > 0 for y in (0, 8] from e = e^{−y} (:func:`exp_neg`'s) down to y = 2^−7, where the difference
    scales e's error (EXP_ERROR·OP_ERROR + y·(y's relative error)) by e^{−y}/(1 − e^{−y}) = 1/(e^y − 1) <= 1/y:
    <= 16·128 + 1 OP_ERROR + (y's relative error); below, y·c_1 as :func:`one_minus_exp_neg`'s series (c_j within
    2^−8 of 1: < 1 OP_ERROR), its levels 1..7 in double-double and 8..12 in float64 (the tail's 2^−48 reaches the
    value scaled by y^7/8! < 2^−64, the first omitted term y^12/13! < 2^−116). Cheaper than
    :func:`one_minus_exp_neg` (the series on fewer values, half its levels), for a looser bound
    (docs/theory.md §12, "A table-driven e^{−y}")."""
    return _one_minus(y, e, _CANCELLING, _EXP_STEPS[1:8], _EXP_STEPS[8:13])


def _one_minus(y: tuple[Any, Any], e: tuple[Any, Any] | None, threshold: float, double: list[Any],
               tail: list[Any]) -> tuple[Any, Any]:
    """1 − e: above ``threshold``, else y·c_1 by Horner (levels ``double`` in double-double, ``tail`` in float64)."""
    import numpy as np

    small = y[0] <= threshold
    hi, lo = np.empty_like(y[0]), np.empty_like(y[0])
    big = ~small
    if np.any(big):
        yb = (y[0][big], y[1][big])
        eb = exp_neg(yb) if e is None else (e[0][big], e[1][big])
        hi[big], lo[big] = sub((np.ones_like(yb[0]), np.zeros_like(yb[0])), eb)
    if np.any(small):
        ys = (y[0][small], y[1][small])
        ones = (np.ones_like(ys[0]), np.zeros_like(ys[0]))
        acc = _float_tail(ys[0], tail)
        for c in reversed(double):
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
