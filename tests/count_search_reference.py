"""The count samplers' T search against a scan of every T (shared by the uniform-grid and the noise tests).

Every decision of the search is checked against the value's exact side of the target: each T's expected error
by the count coefficients in float64 (a scan), and, where that float is within 1e-9 of the target, at 60 digits
from the sampler's own step probabilities (:func:`accurate_value`, a second method: each token's reveal step
and the binomial law of the others before it). The search may leave such a T undecided, never decide it wrongly.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import mpmath
import pytest

from boundcalc.curve import LossCurve
from boundcalc.estimate import count_coefficients, curve_profile
from boundcalc.family_steps import required_steps_family
from boundcalc.step_families import family_sampler

_CLOSE = 1e-9  # far above the float error at L <= 16 (~1e-15), far below the values' spread


def scanned_values(family: str, curve: LossCurve, top: int) -> dict[int, float]:
    """Each T's expected error (1..top) on ``curve``: the count coefficients against d, one T at a time."""
    d = curve_profile(curve).conditional
    return {T: max(float(count_coefficients(family_sampler(family, T, curve.length)) @ d), 0.0)
            for T in range(1, top + 1)}


def accurate_value(sampler, d) -> mpmath.mpf:
    """E error of a count sampler at 60 digits from its float step probabilities taken as exact:
    L·Σ_k π_k·G(r_{k−1}) − Σ d, π_k = p_k·Π_{j<k}(1 − p_j) (the keeps), r_{k−1} = Σ_{j<k} π_j, G(x) = E d(Bin(L−1, x))."""
    L = len(d)
    with mpmath.workdps(60):
        dm = [mpmath.mpf(float(x)) for x in d]

        def G(x):
            return sum(dm[m] * comb(L - 1, m) * x**m * (1 - x) ** (L - 1 - m) for m in range(L))

        alive, before, total = mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(0)
        for p, q in zip(sampler.reveal, sampler.keep):
            pi = alive * mpmath.mpf(p)
            total += pi * G(before)
            before += pi
            alive *= mpmath.mpf(q)
        return +(L * total - sum(dm))


def exactly_above(family: str, T: int, curve: LossCurve, floats: dict[int, float], target: Fraction) -> bool:
    """Whether E error at T is above the target: by the float where it is not within 1e-9, else at 60 digits."""
    if abs(floats[T] - float(target)) > _CLOSE:
        return floats[T] > float(target)
    with mpmath.workdps(60):
        return accurate_value(family_sampler(family, T, curve.length), curve_profile(curve).conditional) > \
            mpmath.mpf(target.numerator) / target.denominator


def assert_decisions_exact(r, family: str, curve: LossCurve, floats: dict[int, float], target: Fraction) -> None:
    """The search's answer reaches, every smaller T misses or is undecided, its listed misses miss and every other
    T up to twice the answer reaches; undecided T are within 1e-9 of the target."""
    above = {}

    def is_above(T):
        if T not in above:
            above[T] = exactly_above(family, T, curve, floats, target)
        return above[T]

    assert all(abs(floats[T] - float(target)) <= _CLOSE for T in r.undecided)
    end = max(floats) if r.steps is None else min(max(floats), 2 * r.steps)
    if r.steps is not None:
        assert not is_above(r.steps)
    for T in range(1, end + 1):
        if T in r.undecided or T == r.steps:
            continue
        before = r.steps is None or T < r.steps
        assert is_above(T) == (before or T in r.larger_misses), T


def assert_search_equals_scan(d: list[float], family: str, where: float, assume) -> None:
    """The fewest T whose expected error meets a target at ``where`` between the scan's least and largest error,
    its larger misses up to 2T and its value, as the scan of every T up to 16L gives them (each decision exact,
    :func:`assert_decisions_exact`); decided by the brackets (the search names Riemann). ``assume``:
    hypothesis's, for a target of 0."""
    L = len(d)
    curve = LossCurve.from_conditional(d)
    top = 16 * L
    values = scanned_values(family, curve, top)
    low, high = min(values.values()), max(values.values())
    target = low + where * (high - low)
    assume(target > 0)
    r = required_steps_family([repr(target)], family=family, by="error", length=L, curve=curve)[0]
    assert "Riemann" in r.search  # decided by the brackets, not the scan
    assert_decisions_exact(r, family, curve, values, Fraction(repr(target)))
    if r.steps is not None:
        assert r.value.value == pytest.approx(values[r.steps], abs=1e-9)


def partial_curve(draw, max_length: int) -> LossCurve:
    """A hypothesis draw of a loss curve measured at 2 to 4 masked counts of L <= ``max_length`` (losses sorted)."""
    from hypothesis import strategies as st

    L = draw(st.integers(6, max_length))
    ks = sorted(draw(st.sets(st.integers(1, L), min_size=2, max_size=4)))
    losses = sorted(draw(st.lists(st.floats(0.05, 3.0), min_size=len(ks), max_size=len(ks))))
    return LossCurve(length=L, masked=ks, loss=losses)

