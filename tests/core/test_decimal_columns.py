"""boundcalc.decimal_columns gives decimal_text's strings (a second method: the float's own correctly rounded
format and numpy's log10, against exact Decimals) on random and adversarial floats."""

import math
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.decimal_columns import decimal_exponents, half_even_text, value_texts
from boundcalc.decimal_text import _text, value_decimal

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
    from boundcalc.decimal_text import interval_texts
    from boundcalc.exact import FLOAT_DIGITS

    if near and math.isfinite(low):
        high = math.nextafter(low, math.inf)
    assert interval_ends(low, high, error) == interval_texts(low, high, error, FLOAT_DIGITS)
