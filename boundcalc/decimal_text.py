"""The decimals of :mod:`boundcalc.exact`'s formatters, computed from a float's exact decimal instead of a Fraction.

A sweep's CSV formats a few cells per row (an error, its certified error, its spread, its interval over the
completions) and tens of thousands of rows: :func:`boundcalc.exact.format_decimal` and its kin convert each
float to a Fraction and divide its (large) numerator and denominator in a decimal context, which costs more
than everything else of a row. A float is a dyadic rational, so its value is a *finite* decimal, and
``Decimal(x)`` holds it exactly; rounding that exact decimal in the same context (``Context.plus``) gives the
correctly rounded result the division gives, since both round the same exact number with the same precision
and rounding mode. The texts are then built by the very steps of ``exact._rounded_decimal``, so each function
here returns the same string as its model in :mod:`boundcalc.exact` (tests/core/test_decimal_text.py checks
that on random and adversarial floats with hypothesis):

* :func:`float_decimal` -- ``format_decimal(Fraction(x), digits)``;
* :func:`round_up_text` -- ``round_up(x, digits)``;
* :func:`measured_decimal` -- ``Measured.decimal(digits)``, and :func:`value_decimal` the same from its fields;
* :func:`interval_texts` -- ``interval_decimals(low, high, error, digits)``, the ends' differences formed
  exactly in a decimal context wide enough for any two floats (checked: an inexact difference falls back to
  the Fraction routine).
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, Inexact
from typing import Any

from .exact import FLOAT_DIGITS, decimal_digits, interval_decimals, round_up, rounded_text

__all__ = ["float_decimal", "round_up_text", "measured_decimal", "value_decimal", "interval_texts"]

_CONTEXTS: dict[tuple[int, str], Context] = {}
#: exact sums of two floats' decimals: a float's decimal has at most 767 significant digits and the two
#: exponents differ by at most 2098 digits; Inexact is trapped all the same (then the Fraction routine runs)
_EXACT = Context(prec=4000, Emax=10**9, Emin=-(10**9), traps=[Inexact])
_ZERO = Decimal(0)


def _context(digits: int, rounding: str) -> Context:
    found = _CONTEXTS.get((digits, rounding))
    if found is None:
        found = _CONTEXTS[digits, rounding] = Context(prec=digits, rounding=rounding, Emax=10**9, Emin=-(10**9))
    return found


def _text(x: Decimal, digits: int, rounding: str) -> str:
    """exact._rounded_decimal of the exact value ``x`` (a finite Decimal), step for step."""
    if digits < 1:
        raise ValueError(f"digits must be at least 1, got {digits}")
    ctx = _context(digits, rounding)
    d = ctx.plus(x)
    if x == x.to_integral_value():
        whole = int(x)
        if decimal_digits(whole) <= max(digits, 18):
            return str(whole)  # integers that fit are shown whole
    return rounded_text(d, ctx)


def float_decimal(value: float, digits: int = 6) -> str:
    """``format_decimal(Fraction(value), digits)``: the float's exact value rounded half to even."""
    return _text(Decimal(value), digits, ROUND_HALF_EVEN)


def round_up_text(value: float, digits: int = 2) -> str:
    """``round_up(value, digits)``: ``value`` >= 0 rounded up to ``digits`` significant digits."""
    if value < 0 or value != value or value == float("inf"):
        return round_up(value, digits)  # its error
    if value == 0:
        return "0"
    # round_up rounds up at the value's own leading digit, as the context's precision does; then format_decimal
    return _text(_context(digits, ROUND_CEILING).plus(Decimal(value)), digits, ROUND_HALF_EVEN)


def measured_decimal(measured: Any, digits: int = 6) -> str:
    """``measured.decimal(digits)`` (a :class:`~boundcalc.exact.Measured`): its justified digits."""
    v = measured.shown
    if v == 0:
        return "0"
    return _text(Decimal(v), measured.justified_digits(digits), ROUND_HALF_EVEN)


def value_decimal(value: float, error: float, nonnegative: bool, stderr: float | None, interpolation: float | None,
                  estimate: bool, digits: int = 6) -> str:
    """``Measured(value, error, nonnegative, stderr, interpolation, estimate).decimal(digits)`` for a valid
    Measured's fields (floats; ``estimate`` already True where a stderr or an interpolation effect is given),
    without building one: its ``shown`` and ``justified_digits``, step for step."""
    v = value
    if nonnegative and v <= error:
        v = max(v, 0.0) if v > error else 0.0
    if v == 0:
        return "0"
    digits = min(digits, FLOAT_DIGITS)
    spread = max(error, stderr or 0.0, interpolation or 0.0)
    if spread != 0:
        lead = Decimal(abs(v)).adjusted()
        last = Decimal(spread).adjusted() - (1 if estimate else 0)
        digits = max(1, min(digits, lead - last + 1))
    return _text(Decimal(v), digits, ROUND_HALF_EVEN)


def interval_texts(low: float, high: float, error: float = 0.0, digits: int = 3) -> tuple[str, str | None]:
    """``interval_decimals(low, high, error, digits)``: [low - error, high + error] rounded outward."""
    if not (math.isfinite(low) and math.isfinite(error) and (math.isfinite(high) or high == math.inf)):
        return interval_decimals(low, high, error, digits)  # its values or its error
    try:
        lo = max(_EXACT.subtract(Decimal(low), Decimal(error)), _ZERO)
        hi = None if high == math.inf else _EXACT.add(Decimal(high), Decimal(error))
    except Inexact:  # cannot happen for floats (see _EXACT); checked, not assumed
        return interval_decimals(low, high, error, digits)
    if hi is None:
        return _text(lo, digits, ROUND_FLOOR), None
    while digits < FLOAT_DIGITS and lo != hi and _text(lo, digits, ROUND_HALF_EVEN) == _text(hi, digits,
                                                                                              ROUND_HALF_EVEN):
        digits += 1
    return _text(lo, digits, ROUND_FLOOR), _text(hi, digits, ROUND_CEILING)
