"""Sines and exponentials along arithmetic progressions, in long double from double-double tables (values layer).

MDLM's noises evaluate α on the grid t_i = (den − 99999i)/den of each T, and every angle or exponent the step
probabilities need is an arithmetic progression per T: x_n = π(a + n·b)/c (a sine) or (a + n·b)/c·λ (an
exponential), n = 0..N − 1, with exact integers a, b, c. Instead of one libm call a value, each progression is
split into blocks of ``B``: x_{qB + r} = X_q + Y_r, the anchors X_q and offsets Y_r tabulated in double-double
(:mod:`boundcalc.double_double`: the offsets by the recurrence e^{i(r+1)y} = e^{iry}·e^{iy}, the anchors by
e^{iX_{q+1}} = e^{iX_q}·e^{iBy}) and rounded once to long double, then per value

    sin(X + Y) = sin X cos Y + cos X sin Y,        e^{−(X+Y)} = e^{−X}·e^{−Y},
    1 − e^{−(X+Y)} = (1 − e^{−X}) + e^{−X}(1 − e^{−Y}),

sums of non-negative terms only (every angle in [0, π/2], every exponent >= 0), so no cancellation: two
products and a sum of long doubles (docs/theory.md §12, "The step probabilities along progressions").

Error bounds (u = 2^−64, long double's unit roundoff). A table entry is within u (its rounding) plus its
double-double error relative; a product of two entries within 3u and the sum within 4u, plus the tables'
double-double errors: :func:`sines` and :func:`exponentials` return that bound with the values.
"""

from __future__ import annotations

from typing import Any

from . import double_double as dd

__all__ = ["sines", "exponentials", "LD_UNIT", "block_size"]

#: long double's unit roundoff (x87 extended: 64-bit significand)
LD_UNIT = 2.0**-64
#: a bound on the absolute error one double-double complex or real step of a recurrence adds (components and
#: values <= 1): two products and a sum, each within OP_ERROR of its magnitude (<= 1), with room
_STEP = 4 * dd.OP_ERROR
#: a bound on the relative error of dd.sin / dd.exp_neg / dd.one_minus_exp_neg of an argument within 2.1 OP_ERROR
_FIRST = (max(dd.SIN_ERROR, dd.EXP_ERROR, dd.EXPM1_ERROR) + 2 * 2.1 + 4) * dd.OP_ERROR
_PI = "3.141592653589793238462643383279502884197169399375105820974944592"


def block_size(longest: int) -> int:
    """Offsets per block: about the square root of the longest progression (anchors and offsets alike), >= 8."""
    return max(8, int(longest**0.5) + 1)


def _sine_pair(numerator: Any, denominator: Any) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """(sin, cos) of π·numerator/denominator in [0, π/2] (exact float64 integers), double-double: the cosine as
    the sine of π(denominator − 2·numerator)/(2·denominator), an exact ratio too."""
    import numpy as np

    pi = dd.constant(_PI)
    num = np.concatenate((numerator, denominator - 2 * numerator))
    den = np.concatenate((denominator, 2 * denominator))
    both = dd.sin(dd.mul(dd.ratio(num, den), pi))
    n = numerator.size
    return (both[0][:n], both[1][:n]), (both[0][n:], both[1][n:])


def _rotate(z: tuple[Any, Any, Any, Any], w: tuple[Any, Any, Any, Any]) -> tuple[Any, Any, Any, Any]:
    """(sin, cos) of the sum of two angles from theirs (double-double pairs: s_hi, s_lo, c_hi, c_lo)."""
    s1, c1, s2, c2 = (z[0], z[1]), (z[2], z[3]), (w[0], w[1]), (w[2], w[3])
    s = dd.add(dd.mul(s1, c2), dd.mul(c1, s2))
    c = dd.sub(dd.mul(c1, c2), dd.mul(s1, s2))
    return s[0], s[1], c[0], c[1]


def _to_long(hi: Any, lo: Any) -> Any:
    import numpy as np

    return hi.astype(np.longdouble) + lo.astype(np.longdouble)


def _layout(counts: Any, B: int) -> tuple[Any, Any]:
    """(q·lanes + lane, r·lanes + lane) of every value n = qB + r of every lane, lane after lane: its places in
    the anchors' and the offsets' tables (flattened, rows q or r of one entry per lane)."""
    import numpy as np

    width = counts.size
    lanes = np.repeat(np.arange(width, dtype=np.int64), counts)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    n = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(starts, counts)
    q, r = np.divmod(n, B)
    q *= width
    q += lanes
    r *= width
    r += lanes
    return q, r


def _direct(counts: Any, B: int, Q: int) -> bool:
    """True when evaluating every value in double-double costs less than the tables' recurrences (a few lanes:
    the recurrences are B + Q steps of ~80 small numpy calls whatever the lanes, a value ~0.6 µs)."""
    return float(counts.sum()) * 0.6e-6 < (B + Q) * 1.2e-4


def sines(first: Any, step: Any, denominator: Any, counts: Any) -> tuple[Any, float]:
    """(sin(π(first + n·step)/denominator) for n = 0..counts − 1 of each lane, lane after lane, in long double;
    a bound on their relative error). Integers below 2^51, every angle in [0, π/2], ``counts`` >= 1."""
    import numpy as np

    first, step, den = (np.asarray(v, dtype=np.float64) for v in (first, step, denominator))
    counts = np.asarray(counts, dtype=np.int64)
    B = block_size(int(counts.max()))
    Q = int((counts.max() - 1) // B) + 1
    if _direct(counts, B, Q):
        n = np.arange(int(counts.sum()), dtype=np.float64) - np.repeat(np.cumsum(counts) - counts, counts)
        lanes = np.repeat(np.arange(counts.size), counts)
        hi, lo = dd.sin(dd.mul(dd.ratio(first[lanes] + n * step[lanes], den[lanes]), dd.constant(_PI)))
        return _to_long(hi, lo), 2 * LD_UNIT + _FIRST
    w = _flat(_sine_pair(step, den))
    offsets = [(np.zeros_like(den), np.zeros_like(den), np.ones_like(den), np.zeros_like(den))]
    for _ in range(B):
        offsets.append(_rotate(offsets[-1], w))
    anchors = [_flat(_sine_pair(first, den))]
    for _ in range(Q - 1):
        anchors.append(_rotate(anchors[-1], offsets[B]))
    # absolute errors: w within _FIRST; e^{iry} within r(_FIRST + _STEP); e^{iBy} within B(...); the anchors
    # within _FIRST + q((B + 1)·(_FIRST + _STEP))
    offset_error = B * (_FIRST + _STEP)
    anchor_error = _FIRST + (Q - 1) * (offset_error + _FIRST + _STEP)
    q, r = _layout(counts, B)
    table = [_to_long(np.concatenate([o[2 * j] for o in offsets[:B]]), np.concatenate([o[2 * j + 1] for o in offsets[:B]]))
             for j in (0, 1)]
    heads = [_to_long(np.concatenate([a[2 * j] for a in anchors]), np.concatenate([a[2 * j + 1] for a in anchors]))
             for j in (0, 1)]
    values = heads[0].take(q) * table[1].take(r)
    values += heads[1].take(q) * table[0].take(r)
    smallest = float(np.min(np.sin(np.pi * first / den)))  # the least sine (the first of a lane), within ulps
    absolute = 1.5 * (anchor_error + offset_error)  # times cos Y + sin Y <= √2, and cos X + sin X
    return values, 4 * LD_UNIT + absolute / (smallest * (1 - 2.0**-40))


def _flat(pair: tuple[tuple[Any, Any], tuple[Any, Any]]) -> tuple[Any, Any, Any, Any]:
    return pair[0][0], pair[0][1], pair[1][0], pair[1][1]


def exponentials(first: Any, step: Any, denominator: Any, scale: tuple[float, float] | None, counts: Any,
                 masked: bool = True) -> tuple[Any, Any, float]:
    """(e^{−x_n}, 1 − e^{−x_n} (None unless ``masked``) for x_n = (first + n·step)/denominator·scale (scale a
    double-double constant, or 1 when None), n = 0..counts − 1 of each lane, lane after lane, in long double; a
    bound on their relative error). Integers below 2^51, every x_n in [0, 8], ``counts`` >= 1."""
    import numpy as np

    first, step, den = (np.asarray(v, dtype=np.float64) for v in (first, step, denominator))
    counts = np.asarray(counts, dtype=np.int64)
    B = block_size(int(counts.max()))
    Q = int((counts.max() - 1) // B) + 1

    def both(numerator: Any) -> tuple[Any, Any, Any, Any]:
        x = dd.ratio(numerator, den)
        if scale is not None:
            x = dd.mul(x, scale)
        e = dd.exp_neg(x)
        positive = numerator > 0
        m = dd.one_minus_exp_neg((np.where(positive, x[0], 1.0), np.where(positive, x[1], 0.0)))
        return e[0], e[1], np.where(positive, m[0], 0.0), np.where(positive, m[1], 0.0)

    def times(z: tuple[Any, Any, Any, Any], w: tuple[Any, Any, Any, Any]) -> tuple[Any, Any, Any, Any]:
        e = dd.mul((z[0], z[1]), (w[0], w[1]))
        m = dd.add((z[2], z[3]), dd.mul((z[0], z[1]), (w[2], w[3])))
        return e[0], e[1], m[0], m[1]

    if _direct(counts, B, Q):
        n = np.arange(int(counts.sum()), dtype=np.float64) - np.repeat(np.cumsum(counts) - counts, counts)
        lanes = np.repeat(np.arange(counts.size), counts)
        den = den[lanes]
        e_hi, e_lo, m_hi, m_lo = both(first[lanes] + n * step[lanes])
        return _to_long(e_hi, e_lo), _to_long(m_hi, m_lo) if masked else None, 2 * LD_UNIT + _FIRST
    w = both(step)
    offsets = [(np.ones_like(den), np.zeros_like(den), np.zeros_like(den), np.zeros_like(den))]
    for _ in range(B):
        offsets.append(times(offsets[-1], w))
    anchors = [both(first)]
    for _ in range(Q - 1):
        anchors.append(times(anchors[-1], offsets[B]))
    # relative errors (products and sums of non-negative terms): w within _FIRST, e^{−ry} within
    # r(_FIRST + _STEP), the anchors within _FIRST + q(B + 1)(_FIRST + _STEP)
    relative = _FIRST + (Q + 1) * (B + 1) * (_FIRST + _STEP)
    q, r = _layout(counts, B)

    def table(rows: list[Any], j: int) -> Any:
        return _to_long(np.concatenate([z[j] for z in rows]), np.concatenate([z[j + 1] for z in rows]))

    head = table(anchors, 0).take(q)
    values = head * table(offsets[:B], 0).take(r)
    rest = None
    if masked:
        rest = head * table(offsets[:B], 2).take(r)
        rest += table(anchors, 2).take(q)
    return values, rest, 4 * LD_UNIT + 2 * relative
