"""The bounds: hand-computed values, the recursion against (20), orderings, Corollary 1's constant."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import example, given, strategies as st

from boundcalc.bounds import (
    C1,
    bound_coefficient,
    bound_report,
    corollary1,
    recursion,
    recursion_chain,
    recursion_coefficient,
    recursion_report,
    sharp,
    sharp_coefficient,
    ter,
    ter_vocabulary,
    theorem1,
    theorem1_coefficient,
)
from boundcalc.errors import InvalidNumberError, ScheduleError
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule


def _recursion_by_definition(s: int) -> Fraction:
    """ε(s)/(ΣI/L) from (19) taken as an equality, by plain recursion (independent of the chain code)."""
    return Fraction(0) if s == 1 else _recursion_by_definition((s + 1) // 2) + Fraction(s, 2)


def test_hand_computed_s5():
    # s_max = 5: chain 5, 3, 2, 1 -> (5 + 3 + 2)/2 = 5; (20): 2^3 - 1 = 7; sharp: 4
    assert recursion_chain(5) == (5, 3, 2, 1)
    assert theorem1_coefficient(5) == 7
    assert recursion_coefficient(5) == 5
    assert sharp_coefficient(5) == 4
    profile, schedule = MIProfile.from_total("2", 10), Schedule([5, 3, 2])
    assert theorem1(profile, schedule) == Fraction(7, 10) * 2
    assert recursion(profile, schedule) == Fraction(5, 10) * 2
    assert sharp(profile, schedule) == Fraction(4, 10) * 2
    assert theorem1(profile, schedule, "0.1") == Fraction(3, 2)


@pytest.mark.parametrize(
    "s, t1, rec",
    [
        (1, 0, 0),
        (2, 1, 1),
        (3, 3, Fraction(5, 2)),  # 3, 2, 1
        (4, 3, 3),  # 4, 2, 1
        (6, 7, Fraction(11, 2)),  # 6, 3, 2, 1
        (7, 7, Fraction(13, 2)),  # 7, 4, 2, 1
        (8, 7, 7),  # 8, 4, 2, 1
        (9, 15, Fraction(19, 2)),  # 9, 5, 3, 2, 1
        (37, 63, 38),  # 37, 19, 10, 5, 3, 2, 1
    ],
)
def test_coefficients_table(s, t1, rec):
    assert theorem1_coefficient(s) == t1
    assert recursion_coefficient(s) == rec == _recursion_by_definition(s)


def test_recursion_never_above_theorem1_up_to_1e5():
    for s in range(1, 100_001):
        chain_sum = recursion_coefficient(s)
        closed = theorem1_coefficient(s)
        assert sharp_coefficient(s) <= chain_sum <= closed, s
        if s & (s - 1) == 0:
            assert chain_sum == closed, s  # equal at powers of two
        elif s > 2:
            assert chain_sum < closed, s


@given(st.integers(1, 2**200))
@example(2**64 + 1)
def test_recursion_properties_large(s):
    chain = recursion_chain(s)
    assert chain[0] == s and chain[-1] == 1
    assert all(c_next == (c + 1) // 2 for c, c_next in zip(chain, chain[1:]))
    assert len(chain) - 1 == (s - 1).bit_length()  # ceil(log2 s) halvings reach 1
    # per-level inequality behind (20): c_k <= 2^(ceil(log2 s) - k)
    assert all(c <= 2 ** ((s - 1).bit_length() - k) for k, c in enumerate(chain))
    # the floors telescope to s - 1
    assert sum(c // 2 for c in chain) == s - 1 == sharp_coefficient(s)
    assert sharp_coefficient(s) <= recursion_coefficient(s) <= theorem1_coefficient(s)
    # recursion - sharp is half the number of zero bits of s - 1: all three agree exactly at powers of two
    zeros = bin(s - 1)[2:].count("0") if s > 1 else 0
    assert recursion_coefficient(s) - sharp_coefficient(s) == Fraction(zeros, 2)
    is_power = s & (s - 1) == 0
    assert (sharp_coefficient(s) == theorem1_coefficient(s)) == is_power


@given(st.integers(1, 10**6))
def test_coefficients_are_monotone(s):
    for name in ("theorem1", "recursion", "sharp"):
        assert bound_coefficient(name, s) <= bound_coefficient(name, s + 1)


@given(st.integers(1, 10**4), st.data())
def test_corollary1_constant_holds_for_uniform_schedules(length, data):
    steps = data.draw(st.integers(1, length))
    s_max = -(-length // steps)
    # (2^ceil(log2 s) - 1)/L <= C1/T, i.e. T (2^ceil(log2 s) - 1) <= C1 L
    assert steps * theorem1_coefficient(s_max) <= C1 * length
    profile = MIProfile.from_total("3/7", length)
    schedule = Schedule.uniform(length, steps)
    assert theorem1(profile, schedule) <= corollary1(profile, schedule)


def test_corollary1_constant_cannot_be_smaller():
    # L/T just above a power of two: T (2^ceil(log2 s) - 1)/L -> 2
    length, steps = 2**20 + 2**10, 2**10
    ratio = Fraction(steps * theorem1_coefficient(-(-length // steps)), length)
    assert ratio > Fraction(199, 100) and ratio < C1


def test_corollary1_applicability():
    profile = MIProfile.from_total("2", 10)
    assert corollary1(profile, Schedule.uniform(10, 4)) == Fraction(1)
    assert corollary1(profile, Schedule([3, 3, 3, 1])) == Fraction(1)  # s_max = ceil(10/4) too
    assert corollary1(profile, Schedule([5, 3, 2])) is None
    assert corollary1(profile, Schedule.uniform(10, 4), "0.5") == Fraction(3, 2)


def test_ter_bits_and_vocabulary():
    profile = MIProfile.from_total("2", 10, unit="bits")
    assert ter(profile, Schedule([5, 3, 2]), "0.1") == Fraction(3, 20)
    worst = ter_vocabulary(Schedule.uniform(1024, 64), 2, unit="bits")
    assert worst.coefficient == Fraction(15, 1024) and worst.log_of == 2
    assert worst.decimal() == "0.0146484"


def test_bound_report_and_json():
    report = bound_report(MIProfile.from_total("2", 10), Schedule([5, 3, 2]), "0.1", vocab_size=50257)
    assert (report.theorem1, report.recursion, report.sharp, report.corollary1) == (
        Fraction(3, 2),
        Fraction(11, 10),
        Fraction(9, 10),
        None,
    )
    data = report.to_dict(4)
    assert set(data["bounds"]) >= {"theorem1", "recursion", "corollary1", "ter"}
    assert data["bounds"]["theorem1"] == {"exact": "3/2", "decimal": "1.5"}
    assert data["bounds"]["corollary1"] is None
    assert data["vocabulary"]["uniform_baseline"]["exact"] == "ln(50257)"


def test_bounds_require_matching_length():
    with pytest.raises(ScheduleError, match="sum to 10, but L = 11"):
        theorem1(MIProfile.from_total("2", 11), Schedule([5, 3, 2]))
    with pytest.raises(InvalidNumberError):
        theorem1(MIProfile.from_total("2", 10), Schedule([5, 3, 2]), "-0.1")
    with pytest.raises(InvalidNumberError, match="unknown bound"):
        bound_coefficient("theorem3", 4)


def test_recursion_report():
    report = recursion_report(37, 1024)
    assert report.chain == (37, 19, 10, 5, 3, 2, 1)
    assert report.unrolled == Fraction(37 + 19 + 10 + 5 + 3 + 2, 2 * 1024)
    assert report.closed_form == Fraction(63, 1024)
    assert report.ratio == Fraction(38, 63)
    assert report.sharp == Fraction(36, 1024)
    assert recursion_report(1).ratio is None
    assert recursion_report(64).ratio == 1
    with pytest.raises(InvalidNumberError):
        recursion_report(10, 5)
