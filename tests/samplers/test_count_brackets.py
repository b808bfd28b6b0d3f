"""Issue 22: a count family's T searched by certified brackets of its expected error over ranges of T.

The bracket is checked against the expected error computed independently in exact rationals (each
token's reveal step has the law π_k; given the steps, the others revealed before it are binomial),
and the search against a scan of every T with the per-T value.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from math import comb
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from boundcalc.count_brackets import riemann_bracket
from boundcalc.curve import LossCurve
from boundcalc.estimate import count_coefficients, curve_profile
from boundcalc.family_steps import required_steps_family
from boundcalc.step_families import family_sampler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from count_search_reference import assert_search_equals_scan, partial_curve  # noqa: E402

FAMILIES = ["mdlm", "sedd", "dream-origin", "dream-origin:1/7"]


def exact_error(sampler, d):
    """E error = Σ_tokens E d(# others revealed before its step) - Σ d, in Fractions from the exact p_k."""
    L = sampler.length
    d = [Fraction(x) for x in d]
    total, alive = Fraction(0), Fraction(1)
    for p in sampler.exact:
        r = 1 - alive  # each other token already revealed, independently
        g = sum(d[m] * comb(L - 1, m) * r**m * (1 - r) ** (L - 1 - m) for m in range(L))
        total += L * alive * p * g
        alive *= 1 - p
    return float(total - sum(d))


decreasing = st.lists(st.floats(0, 3, allow_nan=False), min_size=2, max_size=9).map(
    lambda xs: sorted(xs, reverse=True))


@settings(max_examples=25, deadline=None)
@given(d=decreasing, family=st.sampled_from(FAMILIES), first=st.integers(1, 30), more=st.integers(0, 6))
def test_the_bracket_holds_the_exact_expected_error(d, family, first, more):
    L = len(d)
    bracket = riemann_bracket(lambda T: family_sampler(family, T, L), d)
    assert bracket is not None
    lower, upper = bracket.bracket(first, first + more)
    for T in range(first, first + more + 1):
        value = exact_error(family_sampler(family, T, L), d)
        assert lower <= value <= upper, (T, lower, value, upper)


def test_the_bracket_narrows_like_one_over_t_squared():
    d = np.linspace(3, 0.5, 64) ** 2 / 3
    bracket = riemann_bracket(lambda T: family_sampler("mdlm", T, 64), d)
    widths = [np.subtract(*bracket.bracket(T, T + 1)[::-1]) for T in (64, 128, 256)]  # ranges: the trapezoid term
    assert widths[1] <= widths[0] / 3.5 and widths[2] <= widths[1] / 3.5


def test_at_one_t_the_bracket_narrows_like_one_over_t_to_the_fourth_down_to_its_rounding():
    d = np.linspace(3, 0.5, 64) ** 2 / 3
    bracket = riemann_bracket(lambda T: family_sampler("mdlm", T, 64), d)
    form = bracket.forms(8, 8)[1]  # Euler–Maclaurin's h² term, remainder (h⁴/384)·TV(G''')
    widths = [np.subtract(*bracket.bracket(T, T)[::-1]) for T in (4, 8, 16)]
    assert widths[1] <= widths[0] / 12 and widths[2] <= max(widths[1] / 12, 1e-9)
    assert form.rest3 == 64 * (1 / 8 * (1 - 1e-5)) ** 4 / 384 or abs(form.rest3 / (64 * (1 - 1e-5) ** 4 / 8**4 / 384) - 1) < 1e-12
    assert bracket.bracket(256, 256)[1] - bracket.bracket(256, 256)[0] < 1e-9 < bracket.bracket(256, 257)[1] - bracket.bracket(256, 257)[0]


def test_no_bracket_where_it_does_not_hold():
    rising = [1.0, 2.0, 0.5]
    assert riemann_bracket(lambda T: family_sampler("mdlm", T, 3), rising) is None
    assert riemann_bracket(lambda T: family_sampler("mdlm:cosine", T, 3), [2.0, 1.0, 0.5]) is None


@settings(max_examples=25, deadline=None)
@given(d=decreasing, family=st.sampled_from(FAMILIES), where=st.floats(0.02, 0.98))
def test_the_search_equals_a_scan_of_every_t(d, family, where):
    assert_search_equals_scan(d, family, where, assume)


def test_large_lengths_are_answered_or_refused_in_one_line():
    d = np.linspace(6.5, 0.875, 1024)
    curve = LossCurve.from_conditional(d)
    r = required_steps_family(["3"], family="mdlm", by="error", length=1024, curve=curve)[0]
    value = float(count_coefficients(family_sampler("mdlm", r.steps, 1024)) @ curve_profile(curve).conditional)
    before = float(count_coefficients(family_sampler("mdlm", r.steps - 1, 1024)) @ curve_profile(curve).conditional)
    assert value <= 3 < before


@pytest.mark.parametrize("spec", ["mdlm:40", "dream-origin:7", "mdlm:12:cosine"])
def test_beyond_the_dp_limit_the_value_is_the_coefficient_form(monkeypatch, spec):
    from boundcalc import counts
    from boundcalc.counts import parse_sampler
    from boundcalc.estimate import count_estimate

    d = np.linspace(3.0, 0.25, 24) ** 1.5
    curve = LossCurve.from_conditional(d)
    sampler = parse_sampler(spec, 24)
    by_dp = count_estimate(curve, sampler)
    monkeypatch.setattr(counts, "MAX_COUNT_WORK", 0)  # as if T and L were too large for the DP
    by_laws = count_estimate(curve, sampler)
    assert "no DP" in by_laws.note and "no DP" not in by_dp.note
    assert abs(by_laws.value - by_dp.value) <= by_laws.abs_error + by_dp.abs_error
    assert 0 < by_laws.abs_error < 1e-7
    if sampler.exact is not None:  # and both equal the enumeration in exact rationals
        assert by_laws.value == pytest.approx(exact_error(sampler, curve_profile(curve).conditional), abs=1e-9)


@pytest.mark.parametrize("d", [[5e-324, 0.0], [1e-310, 1e-310, 0.0]])
def test_the_bracket_holds_for_subnormal_values(d):  # found by hypothesis: the rounding bounds underflowed
    for family in ("mdlm", "dream-origin"):
        bracket = riemann_bracket(lambda T: family_sampler(family, T, len(d)), d)
        for T in (1, 2, 5):
            lower, upper = bracket.bracket(T, T)
            assert lower <= exact_error(family_sampler(family, T, len(d)), d) <= upper


steps_or_smooth = st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.3, 1.0, 2.5]), min_size=5, max_size=12).map(
    lambda jumps: [sum(jumps[i:]) for i in range(len(jumps))])  # non-increasing, often with sharp steps


@settings(max_examples=30, deadline=None)
@given(d=steps_or_smooth, family=st.sampled_from(FAMILIES), T=st.integers(1, 60))
def test_at_one_t_the_euler_maclaurin_bracket_holds_even_for_steps(d, family, T):
    L = len(d)
    bracket = riemann_bracket(lambda t: family_sampler(family, t, L), d)
    value = exact_error(family_sampler(family, T, L), d)
    for form in bracket.forms(T, T):  # each form alone holds the value, not only their intersection
        lower, upper = bracket.apply(form, bracket.d, bracket.abs_d, bracket.tv1, bracket.tv3)
        assert lower <= value <= upper, (T, form.rest1, form.rest3, lower, value, upper)



@settings(max_examples=20, deadline=None)
@given(data=st.data(), family=st.sampled_from(FAMILIES), where=st.floats(0.05, 0.95),
       vocab=st.sampled_from([None, 8, 50]))
def test_the_bracketed_t_range_equals_a_scan_of_every_t(data, family, where, vocab):
    """[T_lo, T_hi] over every monotone completion: the brackets' search against the scan T by T."""
    from boundcalc import completion

    curve = partial_curve(data.draw, 14)
    L, top = curve.length, 8 * curve.length
    ends = {T: completion.completion_interval(curve, completion.family_coefficients(family, T, L, curve), vocab)
            for T in range(1, top + 1)}
    finite = [e for T, e in ends.items() if np.isfinite(e[1])]
    assume(finite)
    low, high = min(e[0] for e in finite), max(e[1] for e in finite)
    target = low + where * (high - low)
    # an end within rounding of the target (every value 0 up to 1e-15: a flat curve) has no certified side
    assume(all(abs(x - target) > 1e-9 * (1 + abs(target)) for e in finite for x in e))
    first = next((T for T in range(1, top + 1) if (ends[T][0] + ends[T][1]) / 2 <= target), top)
    expected = (next((T for T in range(1, first) if ends[T][0] <= target), first),
                next((T for T in range(first, top + 1) if ends[T][1] <= target), None))
    budget = [completion.MAX_RANGE_WORK]
    found = completion._bracketed_range(family, target, first, curve, vocab, top, budget)
    if found is None:  # d unbounded above: the scan answers
        assert vocab is None and curve.masked[-1] < L
        found = completion.steps_range(family, target, first, curve, vocab, top)
    assert found == expected


@settings(max_examples=25, deadline=None)
@given(L=st.integers(2, 9), family=st.sampled_from(FAMILIES), bound=st.sampled_from(["theorem1", "sharp", "recursion"]),
       where=st.floats(0.0, 1.0), mi=st.integers(1, 40), eps=st.sampled_from([Fraction(0), Fraction(1, 10)]))
def test_the_bound_search_by_ranges_equals_the_scan_of_every_t(L, family, bound, where, mi, eps):
    """--by bound: the ranges decided by MaxStepBracket give the scan's T, larger misses and undecided T."""
    from boundcalc import count_steps

    top = 4 * L
    scan_values = required_steps_family  # the same entry point, the brackets switched off below
    values = [count_steps.count_expected_bound(family_sampler(family, T, L), Fraction(mi), bound, eps).value
              for T in range(1, top + 1)]
    target = Fraction(min(values) + where * (max(values) - min(values))).limit_denominator(10**6)
    found = required_steps_family([target], family=family, length=L, mi_total=Fraction(mi), bound=bound,
                                  eps_train=eps, max_steps=top)[0]
    assert found.steps is None or "ranges of T" in found.search
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_steps, "uniform_grid", lambda sampler_at: None)
        scanned = scan_values([target], family=family, length=L, mi_total=Fraction(mi), bound=bound,
                              eps_train=eps, max_steps=top)[0]
    assert "scan of every T" in scanned.search
    assert (found.steps, found.larger_misses, tuple(sorted(found.undecided))) == \
        (scanned.steps, scanned.larger_misses, tuple(sorted(scanned.undecided)))
    if found.steps is not None:
        assert (found.value.value, found.value.error) == (scanned.value.value, scanned.value.error)
