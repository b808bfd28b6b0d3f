"""Interval ends are shown outward: a displayed [low, high] contains the true interval (issue 20).

The expected decimals below are worked out by hand: nearest rounding would cross the true end in each case."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from boundcalc.exact import FLOAT_DIGITS, Measured, format_directed, interval_decimals
from boundcalc.latex.tables import _estimate_pm


def _value(text: str) -> Fraction:
    return Fraction(Decimal(text))


@pytest.mark.parametrize("value, digits, down, up", [
    # 0.12351: nearest 0.124 (above the value), down 0.123; 0.12341: nearest 0.123 (below), up 0.124
    (Fraction(12351, 10**5), 3, "0.123", "0.124"),
    (Fraction(12341, 10**5), 3, "0.123", "0.124"),
    (Fraction(12349, 10**5), 3, "0.123", "0.124"),
    (Fraction(1, 8), 3, "0.125", "0.125"),                 # exactly representable: no move
    (Fraction(2, 3), 2, "0.66", "0.67"),
    (Fraction(99951, 100), 3, "999", "1e3"),                # 999.51 up carries into a new digit: 1000
    (Fraction(-1, 3), 2, "-0.34", "-0.33"),                 # toward -∞ / +∞, not toward 0
    (Fraction(123456789, 10**15), 3, "1.23e-7", "1.24e-7"),
])
def test_format_directed_by_hand(value, digits, down, up):
    assert format_directed(value, digits, upward=False) == down
    assert format_directed(value, digits, upward=True) == up


def test_interval_ends_where_nearest_rounding_would_cross():
    # each end against a distant other end, exactly representable as a float (0.5, 0.875) so it shows unmoved
    assert interval_decimals(0.12351, 0.5) == ("0.123", "0.5")
    assert interval_decimals(0.1, 0.12341) == ("0.1", "0.124")         # nearest would show 0.123 < high
    assert interval_decimals(0.12349, 0.875) == ("0.123", "0.875")
    assert interval_decimals(0.12349, 0.9) == ("0.123", "0.901")         # the float 0.9 is 0.90000000000000002220...
    assert interval_decimals(2.0, float("inf")) == ("2", None)
    # widened by the certified error first: [0.4 - 1e-15, 0.7 + 1e-15] -> [0.399, 0.701]
    assert interval_decimals(0.4, 0.7, 1e-15) == ("0.399", "0.701")
    # a negative low end of a non-negative quantity is shown as 0
    assert interval_decimals(-3e-17, 0.25) == ("0", "0.25")


def test_table_latex_and_csv_show_the_same_outward_ends():
    m = Measured(0.2, 0.0, stderr=0.01, estimate=True, interval=(0.12351, 0.25341))
    assert m.show(3).endswith(" in [0.123, 0.254]")           # nearest would give [0.124, 0.253]
    assert _estimate_pm(m, 3).endswith(r"\in [0.123, 0.254]$")
    unbounded = Measured(0.2, 0.0, stderr=0.01, estimate=True, interval=(0.12351, float("inf")))
    assert unbounded.show(3).endswith(" in [0.123, ∞]") and _estimate_pm(unbounded, 3).endswith(r"\in [0.123, \infty]$")
    # CSV keeps 17 digits, still outward: the float 0.1 is 0.10000000000000000555..., 1/3 is 0.33333333333333331483...
    assert interval_decimals(0.1, 1 / 3, 0.0, FLOAT_DIGITS) == ("0.1", "0.33333333333333332")


_floats = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(_floats, _floats, st.floats(min_value=0.0, max_value=1e-3), st.integers(1, FLOAT_DIGITS))
def test_shown_decimals_always_contain_the_exact_ends(a, b, error, digits):
    low, high = min(a, b), max(a, b)
    shown_low, shown_high = interval_decimals(low, high, error, digits)
    true_low, true_high = max(Fraction(low) - Fraction(error), Fraction(0)), Fraction(high) + Fraction(error)
    assert _value(shown_low) <= true_low and _value(shown_high) >= true_high
    # and no looser than one unit of the digit asked for (more digits may be shown, never fewer)
    for text, exact in ((shown_low, true_low), (shown_high, true_high)):
        if exact:
            place = Decimal(format_directed(exact, 40, upward=False)).adjusted() - digits + 1
            assert abs(_value(text) - exact) < Fraction(10) ** place


@given(st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**9), st.integers(1, 20))
def test_directed_rounding_brackets_an_exact_fraction(x, digits):
    down, up = (_value(format_directed(x, digits, upward=u)) for u in (False, True))
    assert down <= x <= up
    assert (down == up) == (down == x)  # equal only when the value has no more digits than shown
