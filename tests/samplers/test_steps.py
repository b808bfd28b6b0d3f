"""Required T: the exact boundary case, minimality on random inputs, a brute-force scan, huge L."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest
from hypothesis import example, given, settings, strategies as st

from boundcalc.bounds import bound_coefficient
from boundcalc.errors import InfeasibleTargetError, InvalidNumberError
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule
from boundcalc.bounds import largest_max_size
from boundcalc.steps import required_steps

BOUNDS = ("theorem1", "recursion", "sharp")


def _bound_at(bound: str, length: int, total: Fraction, eps_train: Fraction, steps: int) -> Fraction:
    """The bound of the uniform T-step schedule, built as a Schedule (a second route to s_max)."""
    schedule = Schedule.uniform(length, steps)
    return bound_coefficient(bound, schedule.max_size) * total / length + eps_train


def test_exact_boundary_case():
    # L = 10, ΣI = 2, ε_train = 0.1, target 0.3: T = 5 gives s_max = 2 and bound 1/10*2 + 0.1 = 0.3 exactly
    result = required_steps(MIProfile.from_total("2", 10), "0.3", eps_train="0.1")
    assert (result.steps, result.max_size, result.bound) == (5, 2, Fraction(3, 10))
    # the same computation in floating point misses it and needs T = 10
    floats = next(t for t in range(1, 11) if (2 ** math.ceil(math.log2(math.ceil(10 / t))) - 1) / 10 * 2 + 0.1 <= 0.3)
    assert floats == 10


@settings(max_examples=300)
@given(
    st.integers(1, 5000),
    st.fractions(min_value=0, max_value=1000, max_denominator=1000),
    st.fractions(min_value=0, max_value=5, max_denominator=100),
    st.fractions(min_value=Fraction(1, 1000), max_value=50, max_denominator=1000),
    st.sampled_from(BOUNDS),
)
@example(10, Fraction(2), Fraction(1, 10), Fraction(3, 10), "theorem1")
@example(1, Fraction(1), Fraction(0), Fraction(1), "recursion")
@example(1024, Fraction(0), Fraction(0), Fraction(1, 10**6), "theorem1")
def test_minimality(length, total, eps_train, target, bound):
    profile = MIProfile.from_total(total, length)
    result = required_steps(profile, target, eps_train, bound)
    if target < eps_train:
        assert not result.feasible and result.steps is None
        with pytest.raises(InfeasibleTargetError):
            result.require_feasible()
        return
    steps = result.steps
    assert 1 <= steps <= length
    assert result.max_size == -(-length // steps)
    reached = _bound_at(bound, length, total, eps_train, steps)
    assert reached == result.bound <= target  # T passes
    if steps > 1:
        assert _bound_at(bound, length, total, eps_train, steps - 1) > target  # T - 1 fails
    if total == 0:
        assert steps == 1


@settings(max_examples=40)
@given(st.integers(1, 80), st.integers(0, 60), st.integers(1, 60), st.sampled_from(BOUNDS))
def test_equals_linear_scan(length, total, target, bound):
    total, target = Fraction(total, 7), Fraction(target, 11)
    expected = next(
        (t for t in range(1, length + 1) if _bound_at(bound, length, total, Fraction(0), t) <= target), None
    )
    assert required_steps(MIProfile.from_total(total, length), target, 0, bound).steps == expected


def test_bounds_order_required_steps():
    profile = MIProfile.from_total("1040", 1024)
    t1, rec, sh = (required_steps(profile, "10", 0, b).steps for b in BOUNDS)
    assert sh <= rec <= t1


def test_huge_length_is_instant():
    start = time.perf_counter()
    for bound in BOUNDS:
        result = required_steps(MIProfile.from_total("123456.789", 10**18), "1e-3", "1e-9", bound)
        assert result.steps is not None and 1 <= result.steps <= 10**18
        assert result.bound <= Fraction(1, 1000)
        assert _bound_at(bound, 10**18, Fraction("123456.789"), Fraction(1, 10**9), result.steps - 1) > Fraction(1, 1000)
    assert time.perf_counter() - start < 2  # generous; it takes milliseconds


def test_target_equal_to_eps_train_needs_one_token_per_step():
    result = required_steps(MIProfile.from_total("5", 100), "0.1", "0.1")
    assert (result.steps, result.max_size, result.bound) == (100, 1, Fraction(1, 10))


def test_largest_max_size_examples():
    assert largest_max_size("theorem1", Fraction(0), 10) == 1
    assert largest_max_size("theorem1", Fraction(3), 10) == 4  # 2^2 - 1 = 3
    assert largest_max_size("theorem1", Fraction(6), 5) == 4  # 2^3 - 1 = 7 > 6 even though 6 >= L
    assert largest_max_size("theorem1", Fraction(7), 5) == 5
    assert largest_max_size("recursion", Fraction(5), 100) == 5  # chain 5: 5; chain 6: 11/2
    assert largest_max_size("sharp", Fraction(5, 2), 100) == 3
    assert largest_max_size("sharp", Fraction(10**30), 7) == 7


def test_bad_inputs():
    profile = MIProfile.from_total("1", 10)
    with pytest.raises(InvalidNumberError, match="target"):
        required_steps(profile, "0")
    with pytest.raises(InvalidNumberError, match="target"):
        required_steps(profile, "-1")
    with pytest.raises(InvalidNumberError, match="eps_train"):
        required_steps(profile, "1", "-0.1")
    with pytest.raises(InvalidNumberError, match="unknown bound"):
        required_steps(profile, "1", 0, "theorem9")


def test_result_json():
    data = required_steps(MIProfile.from_total("2", 10), "0.3", "0.1").to_dict()
    assert data == {
        "target": {"exact": "3/10", "decimal": "0.3"},
        "feasible": True,
        "steps": 5,
        "max_mask_size": 2,
        "bound": {"exact": "3/10", "decimal": "0.3"},
    }
    data = required_steps(MIProfile.from_total("2", 10), "0.05", "0.1").to_dict()
    assert data["steps"] is None and data["bound"] is None and "ε_train" in data["reason"]
