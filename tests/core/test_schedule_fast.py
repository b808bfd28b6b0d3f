"""The certified fast evaluation of the curve families equals the exact evaluation it replaced."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import example, given, settings, strategies as st

from boundcalc.schedule import (
    Schedule,
    _ceil_rational_power,
    _ceil_scaled_trig,
    _floor_scaled_trig,
    _power_ceiling_exact,
    _power_ceilings,
    _trig_ceilings,
    _trig_floors,
)

lengths = st.one_of(st.integers(1, 10**4), st.integers(1, 10**40))
exponents = st.fractions(min_value=Fraction(1, 30), max_value=12, max_denominator=30)


@settings(max_examples=40, deadline=None)
@given(lengths, st.integers(1, 60), exponents)
@example(1000, 8, Fraction(1, 2))  # k = 2: 1000 (1/4)^(1/2) = 500 exactly
@example(2**40, 16, Fraction(3, 2))  # (k/16)^(3/2) rational for k = 4, 9
@example(10**6, 10, Fraction(2))  # L (k/10)^2 an integer for every k
def test_power_equals_integer_roots(length, steps, p):
    steps = min(steps, length)
    exact = [_ceil_rational_power(length, Fraction(k, steps), p) for k in range(1, steps)]
    assert _power_ceilings(length, steps, p, small_roots=False) == exact
    assert _power_ceilings(length, steps, p) == exact


@settings(max_examples=40, deadline=None)
@given(lengths, st.integers(1, 40), st.integers(1, 39), exponents)
@example(1000, 4, 1, Fraction(1, 2))
@example(27 * 5, 27, 8, Fraction(2, 3))  # 135 (8/27)^(2/3) = 60
def test_power_fallback_equals_integer_roots(length, steps, k, p):
    u = Fraction(min(k, steps - 1) or 1, steps)
    if u < 1:
        assert _power_ceiling_exact(length, u, p) == _ceil_rational_power(length, u, p)


@settings(max_examples=25, deadline=None)
@given(lengths, st.integers(1, 100))
@example(1000, 3)  # k/(2T) = 1/3: L cos = L/2 exactly
@example(1000, 6)  # 1/6 and 1/3 hit
@example(10**30, 200)
def test_cosine_families_equal_exact(length, steps):
    steps = min(steps, length)
    floors = [_floor_scaled_trig(length, Fraction(k, 2 * steps), "cos") for k in range(1, steps)]
    ceilings = [_ceil_scaled_trig(length, Fraction(k, 2 * steps), "sin") for k in range(1, steps)]
    assert _trig_floors(length, steps, "cos") == floors
    assert _trig_ceilings(length, steps) == ceilings


def _dream_by_fractions(length: int, steps: int, eps: Fraction) -> list[int]:
    """The Dream / SMDM rule as written: t = linspace(1, eps, T+1), n_k = floor(m_k (1 - t_{k+1}/t_k))."""
    t = [1 + (eps - 1) * Fraction(k, steps) for k in range(steps + 1)]
    sizes, masked = [], length
    for k in range(steps - 1):
        n = int(masked * (1 - t[k + 1] / t[k]))
        sizes.append(n)
        masked -= n
    return sizes + [masked]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 10**6), st.integers(1, 40), st.fractions(min_value=0, max_value=Fraction(999, 1000)))
def test_dream_equals_fractions(length, steps, eps):
    steps = min(steps, length)
    expected = _dream_by_fractions(length, steps, eps)
    if min(expected) >= 1:
        assert Schedule.dream(length, steps, eps).sizes == tuple(expected)


def test_extreme_exponents_are_instant():
    # every ceiling decided by the size of p alone: (k/T)^p ~ 0 leaves all but the clamp masked
    # until the last step; (k/T)^p ~ 1 unmasks all but the clamp at the first
    assert Schedule.power(1024, 64, "1e50").sizes == (1,) * 63 + (961,)
    assert Schedule.power(1024, 64, "1e-50").sizes == (961,) + (1,) * 63
    assert Schedule.power(1024, 64, "0.12345").steps == 64
