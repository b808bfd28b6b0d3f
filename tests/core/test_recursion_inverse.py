"""recursion_largest_size: the O(1)-big-int inverse of the recursion coefficient, against brute force and bisection."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from boundcalc.bounds import recursion_coefficient, recursion_largest_size


def _coefficient_by_definition(s: int) -> Fraction:
    """(19) as an equality, by plain iteration (independent of the closed form)."""
    total = Fraction(0)
    while s > 1:
        total += Fraction(s, 2)
        s = (s + 1) // 2
    return total


_SMALL = [None] + [_coefficient_by_definition(s) for s in range(1, 80)]


def _brute_force(budget: Fraction, length: int) -> int:
    return max(s for s in range(1, length + 1) if _SMALL[s] <= budget)


def _bisection(budget: Fraction, length: int) -> int:
    lo, hi = 1, length
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if recursion_coefficient(mid) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


def test_every_small_budget_and_length():
    for length in range(1, 70):
        for twice in range(0, 2 * length + 20):
            budget = Fraction(twice, 2)
            assert recursion_largest_size(budget, length) == _brute_force(budget, length), (budget, length)
            # just below a half-integer the answer is the one for the half-integer below
            if twice:
                below = budget - Fraction(1, 7)
                assert recursion_largest_size(below, length) == _brute_force(below, length)


@settings(max_examples=200)
@given(
    st.integers(min_value=1, max_value=10**40),
    st.fractions(min_value=0, max_value=10**41, max_denominator=10**6),
)
def test_agrees_with_bisection_on_huge_lengths(length, budget):
    assert recursion_largest_size(budget, length) == _bisection(budget, length)


@given(st.integers(min_value=1, max_value=2**70))
def test_at_the_coefficient_itself(s):
    # the budget exactly coefficient(s) admits s; a hair less does not (when s > 1)
    c = recursion_coefficient(s)
    assert recursion_largest_size(c, 2**71) >= s
    if s > 1:
        assert recursion_largest_size(c - Fraction(1, 10**9), 2**71) < s


def test_huge_length_is_instant_and_consistent():
    length = 10**3000
    budget = Fraction(length, 3) + Fraction(1, 7)
    s = recursion_largest_size(budget, length)
    assert recursion_coefficient(s) <= budget < recursion_coefficient(s + 1)


def test_rejects_negative_budget_and_bad_length():
    with pytest.raises(ValueError):
        recursion_largest_size(Fraction(-1), 10)
    with pytest.raises(ValueError):
        recursion_largest_size(Fraction(1), 0)
