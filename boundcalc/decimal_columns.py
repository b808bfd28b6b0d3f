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
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, Inexact
from typing import TYPE_CHECKING

from .decimal_text import _EXACT, _ZERO, _context, interval_texts
from .exact import FLOAT_DIGITS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["half_even_text", "decimal_exponents", "value_texts", "interval_ends"]

_FLOOR, _CEILING = _context(FLOAT_DIGITS, ROUND_FLOOR), _context(FLOAT_DIGITS, ROUND_CEILING)


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
    justified = np.flatnonzero((spread != 0) & (shown != 0))
    if justified.size:
        lead = decimal_exponents(np.abs(shown[justified]))
        last = decimal_exponents(spread[justified]) - estimate[justified].astype(np.int64)
        places[justified] = np.maximum(1, np.minimum(places[justified], lead - last + 1))
    return ["0" if v == 0 else half_even_text(v, p) for v, p in zip(shown.tolist(), places.tolist())]


def interval_ends(low: float, high: float, error: float) -> tuple[str, str | None]:
    """``interval_texts(low, high, error, FLOAT_DIGITS)`` (decimal_text's: [low − error, high + error] rounded
    outward at 17 significant digits, the low end at least 0; None for an unbounded high end), step for step with
    the same decimal contexts, inlined: a sweep's CSV has four such intervals a count row."""
    if not (math.isfinite(low) and math.isfinite(error) and (math.isfinite(high) or high == math.inf)):
        return interval_texts(low, high, error, FLOAT_DIGITS)
    try:
        lo = _EXACT.subtract(Decimal(low), Decimal(error))
        hi = None if high == math.inf else _EXACT.add(Decimal(high), Decimal(error))
    except Inexact:  # cannot happen for floats (decimal_text's _EXACT); checked, not assumed
        return interval_texts(low, high, error, FLOAT_DIGITS)
    if lo < _ZERO:
        lo = _ZERO
    return _end(lo, _FLOOR), (None if hi is None else _end(hi, _CEILING))


def _end(x: Decimal, ctx: Context) -> str:
    """decimal_text._text(x, FLOAT_DIGITS, ctx's rounding) of an exact Decimal x, inlined."""
    if x == x.to_integral_value():
        whole = int(x)
        if -10**18 < whole < 10**18:  # decimal_digits(whole) <= max(17, 18): shown whole
            return str(whole)
    d = ctx.plus(x)
    if d.is_zero():
        return "0"
    adjusted = d.adjusted()
    if -5 <= adjusted < FLOAT_DIGITS:
        text = format(d, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa = format(d.scaleb(-adjusted, context=ctx), "f")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{adjusted}"
