"""Many floats' texts at once: :func:`boundcalc.decimal_text.value_decimal` of a whole column, the same strings.

A sweep's count rows each carry their own values (every row its own E c(S_max), expected error and statistics),
so the CSV formats every cell afresh: a cache of texts helps the fixed schedules' rows only. Here a column's
justified digits (``Measured.justified_digits``: the digits the value's certified error, stderr and interpolation
effect leave) are found for all its cells by numpy, and each cell is then one correctly rounded float format:

* the exact decimal exponent of a float x (``Decimal(x).adjusted()``) is floor(log10 x), taken from numpy's
  log10 except within 10^-9 of an integer (near a power of ten), where ``Decimal`` decides;
* ``format(x, ".{p}e")`` rounds the float's exact binary value half to even at p + 1 significant digits (CPython's
  correctly rounded dtoa), as a decimal context of that precision rounds its exact ``Decimal``; the text is then
  laid out by ``exact.rounded_text``'s rules (fixed notation for exponents −5 up to the precision, else a mantissa
  and an exponent, trailing zeros dropped; integers that fit shown whole).

tests/core/test_decimal_columns.py checks both against :mod:`boundcalc.decimal_text` on random and adversarial
floats (every exponent, ties, powers of ten, integers, subnormals).

>>> import numpy as np
>>> value_texts(np.array([97.4212345, 0.5, 3.0, 1234567.0]), np.array([0.01, 0.0, 1.0, 0.0]), np.zeros(4, bool),
...             np.full(4, np.nan), np.zeros(4), np.array([True, False, False, False]), 6)
['97.421', '0.5', '3', '1234567']
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .decimal_text import interval_texts
from .exact import FLOAT_DIGITS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["half_even_text", "decimal_exponents", "value_texts", "interval_ends", "round_up_texts"]

def half_even_text(value: float, digits: int) -> str:
    """``decimal_text._text(Decimal(value), digits, ROUND_HALF_EVEN)`` of a finite float: its exact value rounded
    half to even at ``digits`` significant digits (>= 1), as exact.py prints it."""
    if value.is_integer():
        whole = int(value)
        if -10**18 < whole < 10**18 or len(str(abs(whole))) <= digits:  # decimal_digits(whole) <= max(digits, 18)
            return str(whole)
    mantissa, _, power = f"{value:.{digits - 1}e}".partition("e")
    adjusted = int(power)  # the rounded value's exponent, as the context's result has it
    if -5 <= adjusted < digits:  # fixed notation: the rounded digits around the point
        sign = "-" if mantissa[0] == "-" else ""
        figures = mantissa.lstrip("-").replace(".", "")
        if adjusted >= 0:
            whole_part, fraction = figures[: adjusted + 1], figures[adjusted + 1 :]
        else:
            whole_part, fraction = "0", "0" * (-adjusted - 1) + figures
        fraction = fraction.rstrip("0")
        return f"{sign}{whole_part}.{fraction}" if fraction else sign + whole_part
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{adjusted}"


def decimal_exponents(x: "np.ndarray") -> "np.ndarray":
    """``Decimal(v).adjusted()`` of every positive finite float v of ``x``: floor(log10 v), by numpy's log10 where it
    is at least 10^-9 from an integer (log10 is within a few ulps, far inside that), by ``Decimal`` elsewhere."""
    import numpy as np

    logs = np.log10(x)
    out = np.floor(logs).astype(np.int64)
    near = np.flatnonzero(np.abs(logs - np.rint(logs)) < 1e-9)
    for i, v in zip(near.tolist(), x[near].tolist()):
        out[i] = Decimal(v).adjusted()
    return out


def value_texts(value: "np.ndarray", error: "np.ndarray", nonnegative: "np.ndarray", stderr: "np.ndarray",
                interpolation: "np.ndarray", estimate: "np.ndarray", digits: int = 6) -> list[str]:
    """``value_decimal(value, error, nonnegative, stderr, interpolation, estimate, digits)`` of every cell of the
    columns (floats; a stderr or interpolation effect that is absent as nan; the fields of valid Measured's)."""
    import numpy as np

    shown = np.where(nonnegative & (value <= error), 0.0, value)  # a value within its error of 0 shows as 0
    spread = np.maximum(error, np.maximum(np.nan_to_num(stderr, nan=0.0), np.nan_to_num(interpolation, nan=0.0)))
    places = np.full(value.size, min(digits, FLOAT_DIGITS), dtype=np.int64)
    magnitude = np.abs(shown)
    lead = np.zeros(value.size, dtype=np.int64)
    nonzero = np.flatnonzero(shown != 0)
    lead[nonzero] = decimal_exponents(magnitude[nonzero])
    justified = np.flatnonzero((spread != 0) & (shown != 0))
    if justified.size:
        last = decimal_exponents(spread[justified]) - estimate[justified].astype(np.int64)
        places[justified] = np.maximum(1, np.minimum(places[justified], lead[justified] - last + 1))
    first, inverse = _distinct(shown, places)  # a sweep's rows share many values (a bound's, at each s_max)
    with np.errstate(all="ignore"):
        texts = rounded_column(shown[first], lead[first], places[first])
    return [texts[k] for k in inverse.tolist()]


def _distinct(*columns: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """(the first index of each distinct row of the columns, each row's index among them): rows compared bit for
    bit (floats by their bits: equal bits, equal texts)."""
    import numpy as np

    keys = np.stack([c.view(np.int64) if c.dtype == np.float64 else c.astype(np.int64) for c in columns], axis=1)
    rows = np.ascontiguousarray(keys).view(np.dtype((np.void, 8 * len(columns)))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    return first, inverse.ravel()


#: Rounding in numpy's extended floats (the x87 80-bit format, 64 significant bits, or a wider one) is trusted only
#: where one or two roundings (relative error <= 2^-64 each) cannot reach the margin: otherwise every cell takes
#: the exact scalar route.
_MARGIN = 1 / 32


def _extended() -> bool:
    import numpy as np

    return bool(np.finfo(np.longdouble).nmant >= 63)


def _scaled(magnitude: "np.ndarray", shift: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """(|x|·10^shift in extended precision, where it is trusted): one correctly rounded product or quotient by an
    exact power of ten (10^k is exact in 64 significant bits for |k| <= 27, as 5^27 < 2^63)."""
    import numpy as np

    usable = np.abs(shift) <= 27
    k = np.where(usable, np.abs(shift), 0)
    powers = _extended_powers()[k]
    big = magnitude.astype(np.longdouble)
    return np.where(shift >= 0, big * powers, big / powers), usable


def _extended_powers() -> "np.ndarray":
    import numpy as np

    global _POWERS_LD
    if _POWERS_LD is None:
        powers = [np.longdouble(1)]
        for _ in range(27):
            powers.append(powers[-1] * np.longdouble(10))  # each exact (< 2^64 · a power of two): no rounding
        _POWERS_LD = np.array(powers, dtype=np.longdouble)
    return _POWERS_LD


_POWERS_LD: "np.ndarray | None" = None


def rounded_column(shown: "np.ndarray", lead: "np.ndarray", places: "np.ndarray") -> list[str]:
    """``half_even_text(v, p)`` of every float v of ``shown`` at its ``places`` p (1..17), ``lead`` the exact decimal
    exponent of each nonzero v (``Decimal(v).adjusted()``), "0" for a zero.

    A value y = |v|·10^(p−1−a) is formed by one correctly rounded operation in extended precision (error at most
    2^-64·y < 0.006 for y < 10^17): where its fraction is more than 1/32 from ½, rounding it half to even at the
    unit gives the exact value's rounding, a tie or a near tie is impossible there; the other cells (and every
    cell without extended floats) take :func:`half_even_text`. Integers below 10^18 are shown whole."""
    import numpy as np

    n = shown.size
    out: list[str] = ["0"] * n
    nonzero = shown != 0
    whole = nonzero & (np.floor(shown) == shown) & (np.abs(shown) < 1e18)
    for i, v in zip(np.flatnonzero(whole).tolist(), shown[whole].tolist()):
        out[i] = str(int(v))
    rest = np.flatnonzero(nonzero & ~whole)
    if not rest.size:
        return out
    v, a, p = shown[rest], lead[rest], places[rest]
    safe = np.zeros(rest.size, dtype=bool)
    if _extended():
        y, usable = _scaled(np.abs(v), p - 1 - a)
        floor = np.floor(y)
        fraction = (y - floor).astype(np.float64)
        tens = np.array([10**k for k in range(FLOAT_DIGITS + 1)], dtype=np.int64)[p]  # 10^p
        safe = usable & (np.abs(fraction - 0.5) > _MARGIN) & (floor < tens)
        q = np.where(safe, floor, 0).astype(np.int64) + (fraction > 0.5)
        carry = q == tens  # rounded up to 10^p: one digit fewer, the next exponent
        q = np.where(carry, q // 10, q)
        a = a + carry
        negative = v < 0
        for j, qj, aj, pj, nj in zip(np.flatnonzero(safe).tolist(), q[safe].tolist(), a[safe].tolist(),
                                     p[safe].tolist(), negative[safe].tolist()):
            out[rest[j]] = layout(qj, aj, pj, nj)
    for j in np.flatnonzero(~safe).tolist():
        out[rest[j]] = half_even_text(float(v[j]), int(p[j]))
    return out


def round_up_texts(values: "np.ndarray") -> list[str]:
    """``round_up_text(v)`` (decimal_text's: v >= 0 rounded up to 2 significant digits, as exact.round_up shows it)
    of every float v of ``values``, each distinct value once.

    For 0 < v < 1 with decimal exponent a <= -1, y = v·10^(1−a) in [10, 100) is formed by one correctly rounded
    operation in extended precision (error <= 2^-64·y < 10^-17): where its fraction is more than 1/32 from an
    integer, the exact value's ceiling is floor(y) + 1 (v is then no 2-digit decimal), and the text is
    :func:`layout`'s of that ceiling, a rounded-up 100 carried to 10·10^(a+1) (an integral 1 when a + 1 = 0 goes
    the scalar route). Every other value (0, >= 0.1 after the carry, non-finite, a near-integer y, no extended
    floats) takes :func:`boundcalc.decimal_text.round_up_text` itself."""
    import numpy as np

    from .decimal_text import round_up_text

    values = np.asarray(values, dtype=np.float64)
    if not values.size:
        return []
    first, inverse = _distinct(values)
    v = values[first]
    texts: list[str] = [""] * v.size
    safe = np.zeros(v.size, dtype=bool)
    if _extended():
        with np.errstate(all="ignore"):
            usual = np.isfinite(v) & (v > 0) & (v < 0.1)
            a = np.zeros(v.size, dtype=np.int64)
            a[usual] = decimal_exponents(v[usual])
            y, usable = _scaled(np.where(usual, v, 1.0), 1 - a)
            floor = np.floor(y)
            fraction = (y - floor).astype(np.float64)
            safe = usual & usable & (fraction > _MARGIN) & (fraction < 1 - _MARGIN) & (floor >= 10) & (floor < 100)
            q = np.where(safe, floor, 0).astype(np.int64) + 1
            carry = q == 100
            q = np.where(carry, 10, q)
            a = a + carry
            safe &= a <= -1
        for j, qj, aj in zip(np.flatnonzero(safe).tolist(), q[safe].tolist(), a[safe].tolist()):
            texts[j] = layout(qj, aj, 2, False)
    for j in np.flatnonzero(~safe).tolist():
        texts[j] = round_up_text(float(v[j]))
    return [texts[k] for k in inverse.tolist()]


def interval_columns(low: "np.ndarray", high: "np.ndarray", error: "np.ndarray") -> tuple[list[str], list[str | None]]:
    """:func:`interval_ends` of every cell (the fields of valid Measured's: finite low <= high, high may be +inf,
    finite error >= 0): [low − error, high + error] at 17 significant digits rounded outward, low at least 0.

    Each end x is formed by two correctly rounded operations in extended precision (the sum, then the product by
    10^(16−a)): y = |x|·10^(16−a) within 2·2^-64·y < 0.011 for y < 10^17. Where y's fraction is more than 1/32 from
    an integer and its floor has 17 digits, that floor is the exact value's, x is no integer and a is its exponent,
    so the end is that floor (or the next integer, rounding away from 0); the others take :func:`directed_text`."""
    import numpy as np

    n = low.size
    lows: list[str] = ["0"] * n
    highs: list[str | None] = [None] * n
    usual = np.isfinite(low) & np.isfinite(error) & (np.isfinite(high) | (high == np.inf))
    for i in np.flatnonzero(~usual).tolist():  # interval_texts' own answer (or its error)
        lows[i], highs[i] = interval_texts(float(low[i]), float(high[i]), float(error[i]), FLOAT_DIGITS)
    with np.errstate(all="ignore"):
        positive = usual & (low > error)  # else low − error <= 0: the low end shows 0
        _directed_column(low, error, False, np.flatnonzero(positive), lows)
        bounded = np.flatnonzero(usual & (high != np.inf))
        _directed_column(high, error, True, bounded, highs)
    return lows, highs


def _directed_column(base: "np.ndarray", error: "np.ndarray", upward: bool, cells: "np.ndarray",
                     out: list[Any]) -> None:
    import numpy as np

    if not cells.size:
        return
    first, inverse = _distinct(base[cells], error[cells])  # rows share many ends (a bound's, at each s_max)
    b, e = base[cells][first], error[cells][first]
    texts: list[str] = [""] * first.size
    safe = np.zeros(first.size, dtype=bool)
    if _extended():
        x = b.astype(np.longdouble) + e.astype(np.longdouble) if upward else b.astype(np.longdouble) - e.astype(np.longdouble)
        negative = x < 0
        magnitude = np.abs(x)
        approx = magnitude.astype(np.float64)
        finite = (approx > 0) & (approx < np.inf)
        a = np.floor(np.log10(np.where(finite, approx, 1.0))).astype(np.int64)
        y, usable = _scaled(magnitude, 16 - a)
        usable &= a <= 16  # |x| < 10^17: an integer x gives an integer y (then not safe), as exact.py shows it whole
        floor = np.floor(y)
        fraction = (y - floor).astype(np.float64)
        safe = finite & usable & (fraction > _MARGIN) & (fraction < 1 - _MARGIN) & (floor >= 1e16) & (floor < 1e17)
        q = np.where(safe, floor, 0).astype(np.int64) + (negative != upward)
        carry = q == _TOP
        q = np.where(carry, q // 10, q)
        a = a + carry
        for j, qj, aj, nj in zip(np.flatnonzero(safe).tolist(), q[safe].tolist(), a[safe].tolist(),
                                 negative[safe].tolist()):
            texts[j] = layout(qj, aj, FLOAT_DIGITS, nj)
    for j in np.flatnonzero(~safe).tolist():
        bj, ej = float(b[j]), float(e[j])
        n, d = bj.as_integer_ratio()
        m, dm = ej.as_integer_ratio()
        if not upward:
            m = -m
        n, d = (n + m * (d // dm), d) if d >= dm else (n * (dm // d) + m, dm)
        texts[j] = directed_text(n, d.bit_length() - 1, upward)
    for i, k in zip(cells.tolist(), inverse.tolist()):
        out[i] = texts[k]


def interval_ends(low: float, high: float, error: float) -> tuple[str, str | None]:
    """``interval_texts(low, high, error, FLOAT_DIGITS)`` (decimal_text's: [low − error, high + error] rounded
    outward at 17 significant digits, the low end at least 0; None for an unbounded high end), from the ends' exact
    binary fractions in integer arithmetic (:func:`directed_text`): a sweep's CSV has four such intervals a row."""
    if not (math.isfinite(low) and math.isfinite(error) and (math.isfinite(high) or high == math.inf)):
        return interval_texts(low, high, error, FLOAT_DIGITS)  # its values or its error
    e, de = error.as_integer_ratio()
    n, d = low.as_integer_ratio()  # low − error = (n·de' − e·d') / max(d, de): both denominators powers of two
    n, d = (n - e * (d // de), d) if d >= de else (n * (de // d) - e, de)
    lo = "0" if n <= 0 else directed_text(n, d.bit_length() - 1, False)
    if high == math.inf:
        return lo, None
    n, d = high.as_integer_ratio()
    n, d = (n + e * (d // de), d) if d >= de else (n * (de // d) + e, de)
    return lo, directed_text(n, d.bit_length() - 1, True)


#: 10^k for the integer arithmetic (a float's exact value spans 10^-1074 .. 10^309; sums of two, a few more)
_POWERS = [10**k for k in range(400)]
_LOG10_2 = math.log10(2)


def directed_text(numerator: int, shift: int, upward: bool) -> str:
    """``decimal_text._text(x, FLOAT_DIGITS, ROUND_CEILING if upward else ROUND_FLOOR)`` of x = numerator / 2^shift
    (shift >= 0): x rounded toward +∞ (or −∞) at 17 significant digits, laid out by exact.rounded_text's rules
    (integers below 10^18 shown whole), from integers alone.

    With m = |numerator| of b bits, 2^(b−1) <= |x|·2^shift < 2^b, so |x| >= 10^a for a = floor((b − 1 − shift)·log10 2)
    (exact for every |b − 1 − shift| < 2400: tests/core/test_decimal_columns.py) and |x| < 10^(a+2): the 17 digits
    q = floor(|x|·10^(16−a)) have 17 or 18 digits, one division by 10 away from the right exponent."""
    if numerator == 0:
        return "0"
    negative = numerator < 0
    m = -numerator if negative else numerator
    mask = (1 << shift) - 1
    if not m & mask:  # an integer: shown whole below 10^18, as exact._rounded_decimal shows integers that fit
        whole = m >> shift
        if whole < 10**18:
            return "-" + str(whole) if negative else str(whole)
    a = math.floor((m.bit_length() - 1 - shift) * _LOG10_2)
    k = abs(16 - a)
    power = _POWERS[k] if k < len(_POWERS) else 10**k
    if a <= 16:
        scaled = m * power
        q, inexact = scaled >> shift, scaled & mask
    else:
        q, inexact = divmod(m, power << shift)
    if q >= _TOP:
        a += 1
        q, dropped = divmod(q, 10)
        inexact = inexact or dropped
    if inexact and upward != negative:  # away from 0: up for a positive x rounded up, a negative one rounded down
        q += 1
        if q == _TOP:
            q, a = _TOP // 10, a + 1
    return layout(q, a, FLOAT_DIGITS, negative)


_TOP = 10**FLOAT_DIGITS


def layout(q: int, a: int, digits: int, negative: bool) -> str:
    """exact.rounded_text of the rounded decimal ±q·10^(a − digits + 1) (q of exactly ``digits`` digits, a its
    exponent): fixed notation for −5 <= a < digits, else a mantissa and an exponent, trailing zeros dropped."""
    s = str(q)
    if -5 <= a < digits:
        if a >= 0:
            fraction = s[a + 1 :].rstrip("0")
            text = s[: a + 1] + "." + fraction if fraction else s[: a + 1]
        else:
            text = "0." + "0" * (-a - 1) + s.rstrip("0")
    else:
        fraction = s[1:].rstrip("0")
        text = (s[0] + "." + fraction if fraction else s[0]) + "e" + str(a)
    return "-" + text if negative else text
