"""Issue 22: a count family's single-T decisions by expected error (`steps --by error`) are exact or say so.

At a T where the certified range brackets straddle the target, the value decides; it is a float with a certified
error (the coefficient form, :func:`boundcalc.estimate.coefficient_error`): the T reaches only when value + error
<= target, misses only when value − error > target, and is listed as undecided otherwise. Targets here sit within
a few ulps of one T's value, where the float and the exact value can fall on different sides; each decision is
checked against the value at 60 digits from the sampler's own step probabilities (count_search_reference.py).
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile
from boundcalc.family_steps import required_steps_family
from boundcalc.step_families import family_sampler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from count_search_reference import accurate_value, assert_decisions_exact, scanned_values  # noqa: E402

FAMILIES = ["mdlm", "sedd", "dream-origin", "mdlm:cosine", "mdlm:cosine2", "mdlm:linear", "mdlm:geometric"]
decreasing = st.lists(st.floats(0.01, 3, allow_nan=False), min_size=2, max_size=7).map(
    lambda xs: sorted(xs, reverse=True))


def _exact(x: mpmath.mpf) -> Fraction:
    man, exp = mpmath.mpf(x).man_exp
    return Fraction(man) * Fraction(2) ** exp


@settings(max_examples=30, deadline=None)
@given(d=decreasing, family=st.sampled_from(FAMILIES), at=st.integers(1, 40), ulps=st.integers(-3, 3))
def test_every_decision_near_a_value_is_the_exact_one(d, family, at, ulps):
    curve = LossCurve.from_conditional(d)
    L = curve.length
    floats = scanned_values(family, curve, 16 * L)
    at = min(at, 16 * L)
    value = floats[at]
    target = Fraction(value) + ulps * Fraction(abs(value) or 1.0) * Fraction(1, 2**52)
    if target <= 0:
        return
    r = required_steps_family([target], family=family, by="error", length=L, curve=curve)[0]
    assert_decisions_exact(r, family, curve, floats, target)


def _float_below_exact(family: str, d: list[float]) -> tuple[int, Fraction, Fraction]:
    """A T whose float value lies below its exact value, both as exact rationals, with the values of T − 1
    far above (the search's first candidate is then this T)."""
    curve = LossCurve.from_conditional(d)
    floats = scanned_values(family, curve, 60)
    for T in range(2, 61):
        exact = _exact(accurate_value(family_sampler(family, T, len(d)), curve_profile(curve).conditional))
        if Fraction(floats[T]) < exact and floats[T - 1] > floats[T] + 1e-3:
            return T, Fraction(floats[T]), exact
    raise AssertionError("no T with its float below its exact value")


def test_a_target_between_the_float_and_the_exact_value_is_not_reached():
    """The target between a T's float value and its exact value (above it): the float says the T reaches, the
    exact value that it misses. Before the fix the search answered that T; now it is undecided (its certified
    error covers the target) and the answer is a later T whose value is certainly below."""
    d = [3.0, 2.2, 1.5, 0.9, 0.4, 0.1]
    family = "mdlm:cosine2"
    T, low, high = _float_below_exact(family, d)
    target = (low + high) / 2
    r = required_steps_family([target], family=family, by="error", length=len(d), curve=LossCurve.from_conditional(d))[0]
    assert r.steps != T and T in r.undecided
    assert r.steps is not None and r.steps > T
    assert_decisions_exact(r, family, LossCurve.from_conditional(d), scanned_values(family, LossCurve.from_conditional(d), 16 * len(d)), target)
