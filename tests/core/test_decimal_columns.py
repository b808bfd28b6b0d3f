"""boundcalc.decimal_columns gives decimal_text's strings (a second method: the float's own correctly rounded
format and numpy's log10, against exact Decimals) on random and adversarial floats."""

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, Inexact
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import decimal_columns
from boundcalc.decimal_columns import (decimal_exponents, directed_text, half_even_text, interval_columns,
                                       rounded_column, value_texts)
from boundcalc.decimal_text import _text, interval_texts, value_decimal

finite = st.floats(allow_nan=False, allow_infinity=False)
nonnegative = st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)
#: ties, integers, powers of ten and their neighbours, the extremes: where a rounding or an exponent could slip
_EDGES = [0.0, 0.5, 1.5, 2.5, 0.125, 0.0625, 1.0, 9.5, 99.5, 999999.5, 999999.4999999999, 9999995.0, 1e17, 1e18,
          1e19, 123456789012345678.0, 9.999999e-6, 1e-5, 1e-6, 5e-324, 2.2250738585072014e-308,
          1.7976931348623157e308, 0.1, 0.3, 2.675, 1.005, 123.45, 1e22, 1e23, 1e-300, 1e300, 4503599627370495.5,
          9007199254740993.0, 0.000099999995, 99999.95]
_SIGNED = _EDGES + [-x for x in _EDGES]
edge = st.sampled_from([y for x in _SIGNED for y in (x, math.nextafter(x, math.inf), math.nextafter(x, -math.inf))
                        if math.isfinite(y)])
powers = st.integers(-323, 308).map(lambda k: float(f"1e{k}")).flatmap(
    lambda x: st.sampled_from([x, math.nextafter(x, 0.0), math.nextafter(x, math.inf)]))


@settings(max_examples=3000, deadline=None)
@given(st.one_of(finite, edge, powers), st.integers(1, 20))
def test_half_even_text_is_the_exact_decimals_text(value, digits):
    assert half_even_text(value, digits) == _text(Decimal(value), digits, ROUND_HALF_EVEN)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(powers, nonnegative.filter(lambda x: x > 0), edge.filter(lambda x: x > 0)), min_size=1,
                max_size=40))
def test_decimal_exponents_are_the_decimals_exponents(values):
    assert decimal_exponents(np.array(values)).tolist() == [Decimal(v).adjusted() for v in values]


def test_every_power_of_ten_and_its_neighbours_has_its_exponent():
    """Each float next to 10^k (k = -323..308) takes the exponent of its exact value, below or above the power."""
    xs = [y for k in range(-323, 309) for x in [float(f"1e{k}")] if x > 0
          for y in (x, math.nextafter(x, 0.0), math.nextafter(x, math.inf)) if 0 < y < math.inf]
    assert decimal_exponents(np.array(xs)).tolist() == [Decimal(v).adjusted() for v in xs]


cell = st.tuples(st.one_of(finite, edge, powers), st.one_of(nonnegative, edge.filter(lambda x: x >= 0)),
                 st.booleans(), st.one_of(st.none(), nonnegative), st.one_of(st.none(), nonnegative), st.booleans())


@settings(max_examples=400, deadline=None)
@given(st.lists(cell, min_size=1, max_size=30), st.integers(1, 20))
def test_value_texts_are_value_decimal_cell_by_cell(cells, digits):
    """A column of a Measured's fields (stderr or interpolation absent as nan) gives value_decimal's text of each."""
    value, error, nonneg, stderr, interp, given_estimate = (list(c) for c in zip(*cells))
    estimate = [e or s is not None or i is not None for e, s, i in zip(given_estimate, stderr, interp)]
    texts = value_texts(np.array(value), np.array(error), np.array(nonneg), np.array([np.nan if s is None else s
                        for s in stderr]), np.array([np.nan if i is None else i for i in interp]), np.array(estimate),
                        digits)
    assert texts == [value_decimal(*c, digits) for c in zip(value, error, nonneg, stderr, interp, estimate)]


@settings(max_examples=2000, deadline=None)
@given(st.one_of(finite, edge, powers), st.one_of(finite, edge, powers, st.just(math.inf)),
       st.one_of(nonnegative, edge.filter(lambda x: x >= 0)), st.booleans())
def test_interval_ends_are_interval_texts(low, high, error, near):
    """The inlined 17-digit interval ends are decimal_text.interval_texts' (ends near each other included)."""
    from boundcalc.decimal_columns import interval_ends
    from boundcalc.exact import FLOAT_DIGITS

    if near and math.isfinite(low):
        high = math.nextafter(low, math.inf)
    assert interval_ends(low, high, error) == interval_texts(low, high, error, FLOAT_DIGITS)


# --- the columns' fast routes (interval_columns, rounded_column, directed_text) against the decimal contexts ---

_WIDE = Context(prec=5000, Emax=10**9, Emin=-(10**9), traps=[Inexact])


def test_the_exponent_of_the_least_number_of_a_bit_length_is_exact():
    """directed_text's a = floor((b − 1 − shift)·log10 2) is floor(log10 2^j) for every j it meets (|j| < 2400)."""
    for j in range(-2400, 2400):
        a = math.floor(j * decimal_columns._LOG10_2)
        assert Fraction(10) ** a <= Fraction(2) ** j < Fraction(10) ** (a + 1)


# near 17-digit decimals: an end exactly a 17-digit decimal, one unit above or below, ties of the rounding digit
_SEVENTEEN = st.builds(lambda q, a, off: (q * Fraction(10) ** (a - 16)) + off * Fraction(10) ** (a - 16) / 2,
                       st.integers(10**16, 10**17 - 1), st.integers(-30, 30), st.sampled_from([0, 1, -1, 2, -2]))


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.integers(-(2**2200), 2**2200), st.integers(-(10**40), 10**40), st.integers(-1000, 1000)),
       st.integers(0, 2300), st.booleans())
def test_directed_text_is_the_decimal_contexts(numerator, shift, upward):
    exact = _WIDE.divide(Decimal(numerator), Decimal(2**shift))
    assert directed_text(numerator, shift, upward) == _text(exact, 17, ROUND_CEILING if upward else ROUND_FLOOR)


@settings(max_examples=1500, deadline=None)
@given(_SEVENTEEN, st.booleans())
def test_directed_text_at_17_digit_decimals_and_their_ties(value, upward):
    """x = q·10^(a−16) (+ half a unit, + a unit): exact decimals where a wrong rounding shows at once."""
    numerator, denominator = value.numerator, value.denominator
    shift = max(0, (denominator - 1).bit_length() + 60)  # x·2^shift/2^shift: x rounded only where it is no dyadic
    scaled = numerator * 2**shift // denominator
    exact = _WIDE.divide(Decimal(scaled), Decimal(2**shift))
    assert directed_text(scaled, shift, upward) == _text(exact, 17, ROUND_CEILING if upward else ROUND_FLOOR)


def _near_17(x: float) -> list[float]:
    """Floats around the 17-digit decimals next to x (where the extended route's margin is met)."""
    if not math.isfinite(x) or x == 0:
        return [x]
    text = f"{x:.16e}"
    y = float(text)
    return [y, math.nextafter(y, math.inf), math.nextafter(y, -math.inf)]


ends = st.one_of(finite, edge, powers, st.integers(-(2**60), 2**60).map(float), st.integers(10**15, 10**19).map(float),
                 st.floats(1e-3, 1e6).map(lambda x: _near_17(x)[0]))
errors = st.one_of(nonnegative, edge.filter(lambda x: x >= 0), st.just(0.0), st.floats(0, 1e-10),
                   st.floats(0, 1e-14).map(lambda x: x * 16.875))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(ends, st.one_of(ends, st.just(math.inf)), errors, st.booleans()), min_size=1, max_size=40),
       st.booleans())
def test_interval_columns_are_interval_texts(cells, extended):
    """Both routes (numpy's extended floats where their margin holds, the integers elsewhere; and the integers alone,
    as on a machine without extended floats) give interval_texts' 17-digit ends of every cell."""
    rows = []
    for a, b, error, near in cells:
        low, high = (a, b) if a <= b else (b, a)
        if near and math.isfinite(low):
            high = math.nextafter(low, math.inf)
        if not math.isfinite(low) or math.isnan(high):
            continue
        rows.append((low, high, error))
    if not rows:
        return
    low, high, error = (np.array(c) for c in zip(*rows))
    saved = decimal_columns._extended
    decimal_columns._extended = (lambda: False) if not extended else saved
    try:
        lows, highs = interval_columns(low, high, error)
    finally:
        decimal_columns._extended = saved
    assert list(zip(lows, highs)) == [interval_texts(*r, 17) for r in rows]


places = st.integers(1, 17)
ties = st.builds(lambda q, k: q * 2.0**k, st.integers(1, 2**20), st.integers(-30, 5))  # dyadic: ties at many digits


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.one_of(finite, edge, powers, ties, ties.map(lambda x: -x)), places), min_size=1,
                max_size=40), st.booleans())
def test_rounded_column_is_half_even_text(cells, extended):
    value = np.array([v for v, _ in cells])
    digits = np.array([p for _, p in cells])
    lead = np.zeros(value.size, dtype=np.int64)
    nonzero = value != 0
    lead[nonzero] = [Decimal(v).adjusted() for v in value[nonzero].tolist()]
    saved = decimal_columns._extended
    decimal_columns._extended = (lambda: False) if not extended else saved
    try:
        texts = rounded_column(value, lead, digits)
    finally:
        decimal_columns._extended = saved
    assert texts == ["0" if v == 0 else _text(Decimal(v), p, ROUND_HALF_EVEN) for v, p in cells]


def test_interval_columns_meet_both_routes():
    """A sweep-like column (ends with certified errors of 10^-14 relative) takes the extended route for most cells
    and the integer route for the rest (integers, ends near a 17-digit decimal), all equal to interval_texts'."""
    rng = np.random.default_rng(5)
    whole = np.concatenate([np.arange(1e16, 2e18, 3.7e15), [1e17, 123456789012345678.0, 2.0**58]])  # shown whole
    low = np.concatenate([rng.uniform(0, 2e4, 3000), np.arange(50.0), [16.875, 0.0], whole])
    high = low + rng.uniform(0, 10, low.size)
    error = np.where(np.arange(low.size) % 3 == 0, 0.0, low * 1e-14)
    error[-whole.size:] = 0.0
    lows, highs = interval_columns(low, high, error)
    assert list(zip(lows, highs)) == [interval_texts(*r, 17) for r in zip(low.tolist(), high.tolist(),
                                                                          error.tolist())]


#: 2-digit decimals and their neighbours below 0.1 (where round_up_texts' ceiling is a near-integer y), and floats
#: whose y = v·10^(1−a) is as near an integer as a float gets
_TWO_DIGITS = st.builds(lambda q, k: q * 10.0**k, st.integers(10, 100), st.integers(-30, -2)).flatmap(
    lambda x: st.sampled_from([x, math.nextafter(x, 0.0), math.nextafter(x, math.inf)]))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(nonnegative, _TWO_DIGITS, powers, edge.filter(lambda x: x >= 0),
                          st.floats(1e-30, 0.1)), min_size=1, max_size=40), st.booleans())
def test_round_up_texts_are_round_up_text(values, extended):
    """Mutation caught: the ceiling as floor(y) (no + 1)."""
    from boundcalc.decimal_columns import round_up_texts
    from boundcalc.decimal_text import round_up_text

    saved = decimal_columns._extended
    decimal_columns._extended = (lambda: False) if not extended else saved
    try:
        texts = round_up_texts(np.array(values, dtype=np.float64))
    finally:
        decimal_columns._extended = saved
    assert texts == [round_up_text(v) for v in values]


def test_round_up_texts_take_the_extended_route_on_certified_errors():
    """Errors of a sweep's rows (10^-16 .. 10^-2): most by the extended route, every text round_up_text's; values
    rounded up to the next power of ten (mutation caught: the carry's exponent + 1 dropped)."""
    from boundcalc.decimal_columns import round_up_texts
    from boundcalc.decimal_text import round_up_text

    values = 10 ** np.random.default_rng(7).uniform(-16, -2, 5000)
    values[:100] = np.round(values[:100], 5)  # some exact short decimals too
    values[100:140] = [q * 10.0**k for k in range(-20, 0) for q in (9.95, 9.97)]  # rounded up to 100: the carry
    assert round_up_texts(values) == [round_up_text(v) for v in values.tolist()]
