"""boundcalc.decimal_text gives the very strings of boundcalc.exact's Fraction-based formatters (a second method)."""

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.decimal_text import float_decimal, interval_texts, measured_decimal, round_up_text, value_decimal
from boundcalc.exact import Measured, format_decimal, interval_decimals, round_up

finite = st.floats(allow_nan=False, allow_infinity=False)
nonnegative = st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)
digits = st.integers(min_value=1, max_value=17)
#: ties, integers, powers of ten and values next to them: where a rounding or an integer test could slip
_EDGES = [0.0, -0.0, 0.5, 1.5, 2.5, 0.125, 0.0625, 1.0, 9.5, 99.5, 999999.5, 1e17, 1e18, 1e19, 123456789012345678.0,
          9.999999e-6, 1e-5, 1e-6, 0.00001, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 0.3,
          2.675, 1.005, 123.45, 1e22, 1e23, 4503599627370495.5, 9007199254740993.0]
edge = st.sampled_from([x for x in _EDGES + [math.nextafter(x, math.inf) for x in _EDGES]
                        + [math.nextafter(x, -math.inf) for x in _EDGES if x > 0] if math.isfinite(x)])


@settings(max_examples=1500, deadline=None)
@given(st.one_of(finite, edge, edge.map(lambda x: -x)), digits)
def test_float_decimal_is_format_decimal(value, n):
    assert float_decimal(value, n) == format_decimal(Fraction(value), n)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(nonnegative, edge), st.integers(min_value=1, max_value=6))
def test_round_up_text_is_round_up(value, n):
    assert round_up_text(value, n) == round_up(value, n)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(finite, edge), st.one_of(nonnegative, edge), st.booleans(), st.one_of(st.none(), nonnegative),
       st.one_of(st.none(), nonnegative), st.integers(min_value=1, max_value=20), st.booleans())
def test_measured_decimal_is_decimal(value, error, nonneg, stderr, interpolation, n, estimate):
    m = Measured(value, error, nonneg, stderr, interpolation, estimate)
    assert measured_decimal(m, n) == m.decimal(n)
    assert value_decimal(value, error, nonneg, stderr, interpolation, m.estimate, n) == m.decimal(n)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(nonnegative, edge), st.one_of(nonnegative, edge, st.just(math.inf)), st.one_of(nonnegative, edge),
       st.integers(min_value=1, max_value=17), st.booleans())
def test_interval_texts_is_interval_decimals(a, b, error, n, near):
    low, high = min(a, b), max(a, b)
    if near and math.isfinite(low):  # a narrow interval: the loop adding digits
        high = math.nextafter(low, math.inf) if low < 1e300 else low
    assert interval_texts(low, high, error, n) == interval_decimals(low, high, error, n)


def test_errors_are_the_models():
    for bad in (-1.0, math.nan):
        try:
            round_up(bad)
        except ValueError as expected:
            message = str(expected)
        else:  # pragma: no cover
            raise AssertionError("round_up accepted a negative error")
        try:
            round_up_text(bad)
        except ValueError as found:
            assert str(found) == message
        else:  # pragma: no cover
            raise AssertionError("round_up_text accepted a negative error")
