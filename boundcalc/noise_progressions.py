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

Each lane's values are laid out as its blocks, B slots each (the last block padded): lane j's value n is at
``starts[j] + n``, and a run of lanes with the same number of blocks is one broadcast product of its anchors
(lanes, Q, 1) and offsets (lanes, 1, B), no index arrays.

Error bounds (u = 2^−64, long double's unit roundoff). A table entry is within u (its rounding) plus its
double-double error relative; a product of two entries within 3u and the sum within 4u, plus the tables'
double-double errors: :func:`sines` and :func:`exponentials` return that bound with the values.
"""

from __future__ import annotations

from typing import Any

from . import double_double as dd

__all__ = ["sines", "exponentials", "Progressions", "LD_UNIT", "block_size"]

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


class Progressions:
    """Values along progressions, lane after lane: lane j's value n at ``values[starts[j] + n]`` (and
    ``rest[...]``, 1 − e^{−x}, for :func:`exponentials`), every value within ``bound`` relative."""

    __slots__ = ("values", "rest", "starts", "bound")

    def __init__(self, values: Any, rest: Any, starts: Any, bound: float) -> None:
        self.values, self.rest, self.starts, self.bound = values, rest, starts, bound


def _sine_pair(numerator: Any, denominator: Any) -> tuple[Any, Any, Any, Any]:
    """(sin, cos) of π·numerator/denominator in [0, π/2] (exact float64 integers), double-double, as
    (s_hi, s_lo, c_hi, c_lo): the cosine as the sine of π(denominator − 2·numerator)/(2·denominator), exact."""
    import numpy as np

    pi = dd.constant(_PI)
    num = np.concatenate((numerator, denominator - 2 * numerator))
    den = np.concatenate((denominator, 2 * denominator))
    both = dd.sin(dd.mul(dd.ratio(num, den), pi))
    n = numerator.size
    return both[0][:n], both[1][:n], both[0][n:], both[1][n:]


def _rotate(z: tuple[Any, Any, Any, Any], w: tuple[Any, Any, Any, Any]) -> tuple[Any, Any, Any, Any]:
    """(sin, cos) of the sum of two angles from theirs (double-double pairs: s_hi, s_lo, c_hi, c_lo)."""
    s1, c1, s2, c2 = (z[0], z[1]), (z[2], z[3]), (w[0], w[1]), (w[2], w[3])
    s = dd.add(dd.mul(s1, c2), dd.mul(c1, s2))
    c = dd.sub(dd.mul(c1, c2), dd.mul(s1, s2))
    return s[0], s[1], c[0], c[1]


def _times(z: tuple[Any, Any, Any, Any], w: tuple[Any, Any, Any, Any]) -> tuple[Any, Any, Any, Any]:
    """(e^{−(a+b)}, 1 − e^{−(a+b)}) from (e^{−a}, 1 − e^{−a}) and (e^{−b}, 1 − e^{−b}): a product and
    (1 − e^{−a}) + e^{−a}(1 − e^{−b}), non-negative terms."""
    e = dd.mul((z[0], z[1]), (w[0], w[1]))
    m = dd.add((z[2], z[3]), dd.mul((z[0], z[1]), (w[2], w[3])))
    return e[0], e[1], m[0], m[1]


#: a table of at most this many entries (rows × lanes) is built by doubling: its arrays stay in cache, and a
#: recurrence's row-by-row steps (~100 numpy calls each) would cost more in calls than in arithmetic
_DOUBLING = 1 << 16


def _powers(w: tuple[Any, ...], start: tuple[Any, ...], count: int, combine: Any) -> tuple[Any, ...]:
    """Rows r = 0..count − 1 of start·w^r (components of shape (count, lanes)). Many lanes: by the recurrence
    row_{r+1} = row_r·w, one lanes-long row at a time (small enough to stay in cache); few: by doubling, rows
    [n, 2n) = rows [0, n)·w^n and w^{2n} = w^n·w^n. Either way row r is start's error plus r(E(w) + S)
    (docs/theory.md §12)."""
    import numpy as np

    if count * start[0].size > _DOUBLING:
        rows = [start]
        for _ in range(count - 1):
            rows.append(combine(rows[-1], w))
        return tuple(np.stack([row[j] for row in rows]) for j in range(len(start)))
    table = tuple(c[None, :] for c in start)
    power, n = w, 1
    while n < count:
        table = tuple(np.concatenate(pair) for pair in zip(table, combine(table, power)))
        n *= 2
        if n < count:
            power = combine(power, power)
    return tuple(c[:count] for c in table)


def _to_long(hi: Any, lo: Any) -> Any:
    import numpy as np

    return hi.astype(np.longdouble) + lo.astype(np.longdouble)


def _direct(counts: Any, B: int, Q: int) -> bool:
    """True when evaluating every value in double-double costs less than the tables' recurrences (a few lanes:
    the recurrences are B + Q steps of ~80 small numpy calls whatever the lanes, a value ~0.6 µs)."""
    return float(counts.sum()) * 0.6e-6 < (B + Q) * 1.2e-4


def _tables(w: tuple[Any, ...], first: tuple[Any, ...], one: tuple[Any, ...], B: int, Q: int,
            combine: Any) -> tuple[list[Any], list[Any]]:
    """(anchors, offsets): each component in long double, anchors of shape (lanes, Q) (first·(w^B)^q), offsets
    (lanes, B) (w^r), lane-major for the blocks' broadcast products."""
    import numpy as np

    offsets = _powers(w, one, B + 1, combine)
    anchors = _powers(tuple(c[B] for c in offsets), first, Q, combine)  # first·(w^B)^q
    offsets = tuple(c[:B] for c in offsets)

    def lane_major(table: tuple[Any, ...], j: int) -> Any:
        return np.ascontiguousarray(_to_long(table[j], table[j + 1]).T)

    return [lane_major(anchors, 0), lane_major(anchors, 2)], [lane_major(offsets, 0), lane_major(offsets, 2)]


def _blocks(counts: Any, B: int) -> tuple[Any, Any, list[tuple[int, int, int]]]:
    """(each lane's blocks, each lane's first slot, runs (first lane, end lane, blocks) of lanes with the same
    number of blocks): lane j takes ceil(counts_j/B) blocks of B slots."""
    import numpy as np

    blocks = (counts + (B - 1)) // B
    starts = np.concatenate(([0], np.cumsum(blocks)[:-1])) * B
    change = np.flatnonzero(np.diff(blocks)) + 1
    edges = np.concatenate(([0], change, [blocks.size])).tolist()
    return blocks, starts, [(a, b, int(blocks[a])) for a, b in zip(edges[:-1], edges[1:])]


def _lay_out(runs: list[tuple[int, int, int]], B: int, size: int, products: Any) -> Any:
    """One long double array of ``size`` slots: each run of lanes (a, b, Q) filled by products(a, b, Q, out) with
    out its slots as a (b − a, Q, B) view."""
    import numpy as np

    values = np.empty(size, dtype=np.longdouble)
    at = 0
    for a, b, Q in runs:
        end = at + (b - a) * Q * B
        products(a, b, Q, values[at:end].reshape(b - a, Q, B))
        at = end
    return values


def _lanes_n(counts: Any) -> tuple[Any, Any]:
    import numpy as np

    n = np.arange(int(counts.sum()), dtype=np.float64) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.arange(counts.size), counts), n


def sines(first: Any, step: Any, denominator: Any, counts: Any) -> Progressions:
    """sin(π(first + n·step)/denominator) for n = 0..counts − 1 of each lane, in long double, and a bound on
    their relative error. Integers below 2^51, every angle in [0, π/2], ``counts`` >= 1."""
    import numpy as np

    first, step, den = (np.asarray(v, dtype=np.float64) for v in (first, step, denominator))
    counts = np.asarray(counts, dtype=np.int64)
    B = block_size(int(counts.max()))
    Q = int((counts.max() - 1) // B) + 1
    if _direct(counts, B, Q):
        lanes, n = _lanes_n(counts)
        hi, lo = dd.sin(dd.mul(dd.ratio(first[lanes] + n * step[lanes], den[lanes]), dd.constant(_PI)))
        starts = np.cumsum(counts) - counts
        return Progressions(_to_long(hi, lo), None, starts, 2 * LD_UNIT + _FIRST)
    one = (np.zeros_like(den), np.zeros_like(den), np.ones_like(den), np.zeros_like(den))
    (a_sin, a_cos), (o_sin, o_cos) = _tables(_sine_pair(step, den), _sine_pair(first, den), one, B, Q, _rotate)
    # absolute errors: w within _FIRST; e^{iry} within r(_FIRST + _STEP); e^{iBy} within B(...); the anchors
    # within _FIRST + q((B + 1)·(_FIRST + _STEP))
    offset_error = B * (_FIRST + _STEP)
    anchor_error = _FIRST + (Q - 1) * (offset_error + _FIRST + _STEP)
    _, starts, runs = _blocks(counts, B)

    def products(a: int, b: int, q: int, out: Any) -> None:
        np.multiply(a_sin[a:b, :q, None], o_cos[a:b, None, :], out=out)
        out += a_cos[a:b, :q, None] * o_sin[a:b, None, :]

    values = _lay_out(runs, B, int(starts[-1]) + runs[-1][2] * B, products)
    smallest = float(np.min(np.sin(np.pi * first / den)))  # the least sine (the first of a lane), within ulps
    absolute = 1.5 * (anchor_error + offset_error)  # times cos Y + sin Y <= √2, and cos X + sin X
    return Progressions(values, None, starts, 4 * LD_UNIT + absolute / (smallest * (1 - 2.0**-40)))


def exponentials(first: Any, step: Any, denominator: Any, scale: tuple[float, float] | None, counts: Any,
                 masked: bool = True) -> Progressions:
    """e^{−x_n} and 1 − e^{−x_n} (``rest``, None unless ``masked``) for x_n = (first + n·step)/denominator·scale
    (scale a double-double constant, or 1 when None), n = 0..counts − 1 of each lane, in long double, and a bound
    on their relative error. Integers below 2^51, every x_n in [0, 8], ``counts`` >= 1."""
    import numpy as np

    first, step, den = (np.asarray(v, dtype=np.float64) for v in (first, step, denominator))
    counts = np.asarray(counts, dtype=np.int64)
    B = block_size(int(counts.max()))
    Q = int((counts.max() - 1) // B) + 1

    def both(numerator: Any, den: Any) -> tuple[Any, Any, Any, Any]:
        x = dd.ratio(numerator, den)
        if scale is not None:
            x = dd.mul(x, scale)
        e = dd.exp_neg(x)
        positive = numerator > 0
        m = dd.one_minus_exp_neg((np.where(positive, x[0], 1.0), np.where(positive, x[1], 0.0)))
        return e[0], e[1], np.where(positive, m[0], 0.0), np.where(positive, m[1], 0.0)

    if _direct(counts, B, Q):
        lanes, n = _lanes_n(counts)
        e_hi, e_lo, m_hi, m_lo = both(first[lanes] + n * step[lanes], den[lanes])
        starts = np.cumsum(counts) - counts
        return Progressions(_to_long(e_hi, e_lo), _to_long(m_hi, m_lo) if masked else None, starts,
                            2 * LD_UNIT + _FIRST)
    one = (np.ones_like(den), np.zeros_like(den), np.zeros_like(den), np.zeros_like(den))
    (a_e, a_m), (o_e, o_m) = _tables(both(step, den), both(first, den), one, B, Q, _times)
    # relative errors (products and sums of non-negative terms): w within _FIRST, e^{−ry} within
    # r(_FIRST + _STEP), the anchors within _FIRST + q(B + 1)(_FIRST + _STEP)
    relative = _FIRST + (Q + 1) * (B + 1) * (_FIRST + _STEP)
    _, starts, runs = _blocks(counts, B)
    size = int(starts[-1]) + runs[-1][2] * B

    def values_of(a: int, b: int, q: int, out: Any) -> None:
        np.multiply(a_e[a:b, :q, None], o_e[a:b, None, :], out=out)

    def rest_of(a: int, b: int, q: int, out: Any) -> None:
        np.multiply(a_e[a:b, :q, None], o_m[a:b, None, :], out=out)
        out += a_m[a:b, :q, None]

    rest = _lay_out(runs, B, size, rest_of) if masked else None
    return Progressions(_lay_out(runs, B, size, values_of), rest, starts, 4 * LD_UNIT + 2 * relative)
