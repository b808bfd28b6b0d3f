"""Exact parsing, integer logarithms, decimal display, log comparisons."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from boundcalc.errors import InvalidNumberError
from boundcalc.exact import (
    LogLinear,
    ceil_log2,
    compare_with_log,
    floor_log2,
    format_decimal,
    nonnegative_rational,
    number_json,
    parse_rational,
    positive_int,
    positive_rational,
    to_rational,
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("12", Fraction(12)),
        ("0.05", Fraction(1, 20)),
        ("5e-2", Fraction(1, 20)),
        ("5E-2", Fraction(1, 20)),
        ("1/20", Fraction(1, 20)),
        (" 1 / 20 ", Fraction(1, 20)),
        (".5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        ("-3", Fraction(-3)),
        ("+0.1e1", Fraction(1)),
        ("1e3", Fraction(1000)),
        ("0.1", Fraction(1, 10)),
        ("-1/3", Fraction(-1, 3)),
        ("1e-3999", Fraction(1, 10**3999)),  # the most digits a number may need (its text must be printable)
    ],
)
def test_parse_rational_exact(text, value):
    assert parse_rational(text) == value


def test_decimal_sum_is_exact_where_floats_fail():
    assert 0.1 + 0.2 != 0.3
    assert parse_rational("0.1") + parse_rational("0.2") == parse_rational("0.3")


@pytest.mark.parametrize(
    "text", ["nan", "NaN", "inf", "-inf", "Infinity", "", "  ", "1,5", "abc", "1/0", "1e99999", "0x10", "1_000", "1/2/3", "1.5/2", "e5", "--1", "1e-10000", "1e4300", "\u0663", "\uff13"]
)
def test_parse_rational_rejects(text):
    with pytest.raises(InvalidNumberError) as info:
        parse_rational(text, "--target")
    message = str(info.value)
    assert message.startswith("--target: ")
    assert repr(text) in message or "exponent" in message or "digits" in message
    assert len(message) <= 300


def test_huge_digit_strings_are_refused_not_hung():
    with pytest.raises(InvalidNumberError, match="digits"):
        parse_rational("1" * 5000)


def test_to_rational_types():
    assert to_rational(3) == 3
    assert to_rational(Decimal("0.1")) == Fraction(1, 10)
    # a Python float is taken at its exact binary value
    assert to_rational(0.1) == Fraction(3602879701896397, 36028797018963968)
    assert to_rational(Fraction(2, 3)) == Fraction(2, 3)
    for bad in (float("nan"), float("inf"), Decimal("NaN"), True, None, [1]):
        with pytest.raises(InvalidNumberError):
            to_rational(bad)


def test_sign_checks_name_the_parameter():
    with pytest.raises(InvalidNumberError, match="--target: '0' is not allowed"):
        positive_rational("0", "--target")
    with pytest.raises(InvalidNumberError, match="--eps-train: '-0.1' is negative"):
        nonnegative_rational("-0.1", "--eps-train")
    assert nonnegative_rational("0", "x") == 0
    assert positive_int("1e3") == 1000
    for bad in ("2.5", "0", "-4", "x"):
        with pytest.raises(InvalidNumberError):
            positive_int(bad, "--length")


def _ceil_log2_by_doubling(n: int) -> int:
    j, power = 0, 1
    while power < n:
        power *= 2
        j += 1
    return j


def test_ceil_log2_around_powers_of_two_up_to_2_200():
    for k in range(0, 201):
        for n in (2**k - 1, 2**k, 2**k + 1):
            if n >= 1:
                assert ceil_log2(n) == _ceil_log2_by_doubling(n), n
    assert ceil_log2(2**200) == 200 and ceil_log2(2**200 + 1) == 201 and ceil_log2(2**200 - 1) == 200


def test_ceil_log2_where_floats_fail():
    n = 2**60 + 1  # math.log2 rounds this to exactly 60.0
    assert math.ceil(math.log2(n)) == 60
    assert ceil_log2(n) == 61


@given(st.integers(min_value=1, max_value=2**300))
def test_log2_bracket(n):
    assert 2 ** (ceil_log2(n) - 1) < n <= 2 ** ceil_log2(n) or n == 1
    assert 2 ** floor_log2(n) <= n < 2 ** (floor_log2(n) + 1)


def test_ceil_log2_rejects():
    for bad in (0, -1, 1.0, True):
        with pytest.raises(ValueError):
            ceil_log2(bad)


@pytest.mark.parametrize(
    "value, digits, text",
    [
        (Fraction(1, 3), 6, "0.333333"),
        (Fraction(2, 3), 3, "0.667"),
        (Fraction(1, 8), 6, "0.125"),
        (Fraction(1, 10**8), 6, "1e-8"),
        (Fraction(7, 3 * 10**7), 6, "2.33333e-7"),
        (Fraction(10**20), 6, "1e20"),
        (Fraction(123456789), 6, "123456789"),
        (Fraction(0), 6, "0"),
        (Fraction(-1, 3), 6, "-0.333333"),
        (Fraction(5, 2 * 10**5), 1, "0.00002"),  # half to even: 2.5e-5 -> 2e-5
        (Fraction(35, 10**6), 1, "0.00004"),
        (Fraction(12345, 100), 3, "123"),
    ],
)
def test_format_decimal(value, digits, text):
    assert format_decimal(value, digits) == text


@given(st.fractions(min_value=Fraction(1, 10**12), max_value=Fraction(10**12)), st.integers(1, 30))
def test_format_decimal_is_correctly_rounded(x, digits):
    shown = parse_rational(format_decimal(x, digits))
    # within half a unit in the last significant digit
    exponent = Decimal(x.numerator).adjusted() - Decimal(x.denominator).adjusted()
    ulp = Fraction(10) ** (exponent + 1 - digits)
    assert abs(shown - x) <= ulp / 2 * 10  # generous: the exponent estimate may be off by one
    assert abs(shown - x) <= abs(x) * Fraction(1, 10 ** (digits - 1))


def test_number_json():
    assert number_json(Fraction(1, 3), 3) == {"exact": "1/3", "decimal": "0.333"}
    assert number_json(5) == {"exact": "5", "decimal": "5"}


@pytest.mark.parametrize(
    "x, v, unit, sign",
    [
        ("0.6931", 2, "nats", -1),
        ("0.6932", 2, "nats", 1),
        ("3", 8, "bits", 0),
        ("3.0000001", 8, "bits", 1),
        ("3.1", 9, "bits", -1),
        ("0", 1, "nats", 0),
        ("1/1000000", 1, "nats", 1),
        ("10.8197782844102832", 50000, "nats", 1),  # ln 50000 = 10.81977828441028311...
        ("10.8197782844102831", 50000, "nats", -1),
    ],
)
def test_compare_with_log(x, v, unit, sign):
    assert compare_with_log(x, v, unit) == sign


def test_log_linear():
    value = LogLinear(Fraction(7, 1024), 50000, Fraction(1, 1000), "nats")
    assert value.exact == "7/1024*ln(50000) + 1/1000"
    assert value.decimal(6) == format_decimal(Fraction(7, 1024) * Fraction("10.819778284410283") + Fraction(1, 1000))
    assert LogLinear(Fraction(1), 8, Fraction(0), "bits").decimal() == "3"
