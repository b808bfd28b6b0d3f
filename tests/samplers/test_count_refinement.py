"""Issue 22, round 4: the count families' T searches without a per-T scan of small T.

* the refinement argument E error(T) >= E error(mT) (uniform-grid families, non-increasing d), checked in
  exact rationals;
* Euler–Maclaurin's form over a range of T holds the exact value at every T of the range, alone;
* the windowed search (``fewest_reaching(refines=True)``) equals the plain left-to-right search and a scan;
* the coefficient form of the expected error (no DP) within its certified error of the exact rationals.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.count_brackets import fewest_reaching, riemann_bracket
from boundcalc.count_sampler import CountSampler
from boundcalc.curve import LossCurve
from boundcalc.step_families import family_sampler

FAMILIES = ["mdlm", "sedd", "dream-origin", "dream-origin:1/7"]

steps_or_smooth = st.lists(st.sampled_from([0.0, 0.0, 0.3, 1.0, 2.5]), min_size=3, max_size=10).map(
    lambda jumps: [sum(jumps[i:]) for i in range(len(jumps))])  # non-increasing, often with sharp steps


def exact_error(sampler: CountSampler, d: list[float]) -> Fraction:
    """E error = Σ_tokens E d(# others revealed before its step) - Σ d, in Fractions from the exact p_k."""
    L = sampler.length
    dd = [Fraction(x) for x in d]
    total, alive = Fraction(0), Fraction(1)
    assert sampler.exact is not None
    for p in sampler.exact:
        r = 1 - alive
        g = sum(dd[m] * comb(L - 1, m) * r**m * (1 - r) ** (L - 1 - m) for m in range(L))
        total += L * alive * p * g
        alive *= 1 - p
    return total - sum(dd)


def exact_start_sizes(sampler: CountSampler) -> list[Fraction]:
    """E[size of the step starting at m], m = 0..L-1: Σ_k P(Bin(L, r_k) = m)·(L - m)·p_k in Fractions."""
    L = sampler.length
    out = [Fraction(0)] * L
    alive = Fraction(1)
    assert sampler.exact is not None
    for p in sampler.exact:
        r = 1 - alive
        for m in range(L):
            out[m] += comb(L, m) * r**m * alive ** (L - m) * (L - m) * p
        alive *= 1 - p
    return out


@settings(max_examples=40, deadline=None)
@given(d=steps_or_smooth, family=st.sampled_from(FAMILIES), T=st.integers(1, 12), m=st.integers(2, 4))
def test_refining_the_grid_never_raises_the_expected_error(d, family, T, m):
    L = len(d)
    coarse = exact_error(family_sampler(family, T, L), d)
    fine = exact_error(family_sampler(family, m * T, L), d)
    assert fine <= coarse


def test_refinement_needs_a_non_increasing_d():  # the argument is not vacuous: a rising d breaks it
    d = [0.0, 0.0, 3.0, 0.0]
    pairs = [(T, m) for T in range(1, 8) for m in (2, 3)
             if exact_error(family_sampler("mdlm", m * T, 4), d) > exact_error(family_sampler("mdlm", T, 4), d)]
    assert pairs


@settings(max_examples=40, deadline=None)
@given(d=steps_or_smooth, family=st.sampled_from(FAMILIES), first=st.integers(1, 80), more=st.integers(1, 40))
def test_the_range_form_alone_holds_the_exact_error_at_every_t_of_the_range(d, family, first, more):
    L = len(d)
    bracket = riemann_bracket(lambda t: family_sampler(family, t, L), d)
    assert bracket is not None
    forms = bracket.forms(first, first + more)
    assert len(forms) == 2 and forms[1].rest1 == 0 and forms[1].rest3 > 0  # trapezoid, then Euler–Maclaurin
    for form in forms:
        lower, upper = bracket.apply(form, bracket.d, bracket.abs_d, bracket.tv1, bracket.tv3)
        for T in range(first, first + more + 1, max(1, more // 6)):
            value = float(exact_error(family_sampler(family, T, L), d))
            assert lower <= value <= upper, (T, lower, value, upper)


def test_the_range_form_is_far_narrower_than_the_trapezoid_over_monotone_completions():
    """With the variation bounds true of every non-increasing d in [0, max d] (what the T range over a partial
    curve's completions uses), the trapezoid's (h²/8)·TV(G') dominates; Euler–Maclaurin's form does not have it."""
    d = np.linspace(3, 0.5, 64) ** 2 / 3
    L, top = 64, 3.0
    tv1, tv3 = (L - 1) * 2 * top, float(L - 1) * (L - 2) * (L - 3) * 8 * top
    bracket = riemann_bracket(lambda T: family_sampler("dream-origin", T, L), d)
    trapezoid, euler = (bracket.apply(f, bracket.d, bracket.abs_d, tv1, tv3) for f in bracket.forms(400, 402))
    assert (euler[1] - euler[0]) * 10 < trapezoid[1] - trapezoid[0]
    for T in (400, 401, 402):
        assert euler[0] <= float(exact_error(family_sampler("dream-origin", T, L), d.tolist())) <= euler[1]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.integers(0, 12), min_size=1, max_size=70), target=st.integers(0, 12),
       width=st.integers(0, 3))
def test_the_windowed_search_equals_the_scan_when_refinement_holds(values, target, width):
    """Values with v(T) >= v(mT) (a running maximum over the multiples), brackets of random width."""
    n = len(values)
    v = list(values)
    for T in range(n, 0, -1):  # v(T) = max(v(T), v(2T), v(3T), ...): then v(T) >= v(mT)
        v[T - 1] = max(v[mT - 1] for mT in range(T, n + 1, T))
    calls: list[int] = []

    def bracket(a: int, b: int) -> tuple[float, float]:
        inside = v[a - 1 : b]
        return min(inside) - width, max(inside) + width

    def reaches(T: int) -> bool:
        calls.append(T)
        return v[T - 1] <= target

    expected = next((T for T in range(1, n + 1) if v[T - 1] <= target), None)
    assert fewest_reaching(1, n, bracket, reaches, float(target)) == expected
    assert fewest_reaching(1, n, bracket, reaches, float(target), refines=True) == expected


def test_the_windowed_search_skips_the_small_t():
    """At L = 64 from a partial curve, the T range's low end never evaluates the T below half its answer."""
    from boundcalc import completion

    curve = LossCurve(length=64, masked=[8, 16, 32, 48, 64], loss=[1.0, 1.8, 3.0, 4.0, 5.0])
    evaluated: list[int] = []
    original = completion._interval_at

    def spy(family, T, *rest):
        evaluated.append(T)
        return original(family, T, *rest)

    target = 1.0
    top = 8 * 64
    ends = {T: completion.completion_interval(curve, completion.family_coefficients("mdlm", T, 64, curve))
            for T in range(1, top + 1)}
    first = next(T for T in range(1, top + 1) if (ends[T][0] + ends[T][1]) / 2 <= target)
    expected = (next((T for T in range(1, first) if ends[T][0] <= target), first),
                next((T for T in range(first, top + 1) if ends[T][1] <= target), None))
    try:
        completion._interval_at = spy
        found = completion.steps_range("mdlm", target, first, curve, None, top)
    finally:
        completion._interval_at = original
    assert found == expected
    assert expected[0] > 8 and min(evaluated, default=top) >= expected[0] // 2


@settings(max_examples=30, deadline=None)
@given(L=st.integers(1, 12), spec=st.sampled_from(["mdlm", "dream-origin", "mdlm:cosine", "random"]),
       T=st.integers(1, 40), data=st.data())
def test_the_coefficient_form_is_within_its_certified_error(L, spec, T, data):
    if spec == "random":  # rationals whose running product does not telescope
        probabilities = [Fraction(data.draw(st.integers(0, 9)), 9) for _ in range(min(T, 6))] + [Fraction(1)]
        sampler = CountSampler.from_probabilities(L, probabilities)
    else:
        sampler = family_sampler(spec, T, L)
    starts = sampler.expected_start_sizes()
    rel = sampler.start_sizes_error()
    if sampler.exact is not None:
        truth = exact_start_sizes(sampler)
        for got, want in zip(starts.tolist(), truth):
            assert abs(Fraction(got) - want) <= Fraction(rel) * want + Fraction(2.0**-1000)
    assert float(starts.sum()) == pytest.approx(L, rel=1e-12)  # every position starts exactly one step
    assert rel < 1e-9
