"""Issue 22: MDLM's other noises (cosine, cosine2, linear, geometric): fast step probabilities and certified
brackets of E error over ranges of T on their non-uniform reveal grid (docs/theory.md §12, "Other noises").

The step probabilities are checked bit for bit against α at 40 digits; the brackets against the expected
error computed independently at 40 digits from α (each token's reveal step and the binomial law of the others
before it); the searches against a scan of every T with the per-T value.
"""

from __future__ import annotations

import sys
from math import comb
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from boundcalc.count_brackets_noise import NoiseBracket, count_bracket
from boundcalc.count_sampler import _ALPHA, MDLM_DELTA, CountSampler, _mpmath_steps
from boundcalc.curve import LossCurve
from boundcalc.estimate import count_coefficients
from boundcalc.family_steps import required_steps_family
from boundcalc.step_families import family_sampler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from count_search_reference import assert_search_equals_scan, partial_curve  # noqa: E402

NOISES = ["cosine", "cosine2", "linear", "geometric"]
FAMILIES = [f"mdlm:{noise}" for noise in NOISES]


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("T", [1, 2, 3, 5, 17, 64, 301])
def test_the_step_probabilities_are_the_40_digit_ones_bit_for_bit(noise, T):
    sampler = CountSampler.mdlm(8, T, noise)
    expected = _mpmath_steps(noise, T, list(range(1, T + 1)))
    assert list(zip(sampler.reveal[:-1], sampler.keep[:-1])) == expected
    assert (sampler.reveal[-1], sampler.keep[-1]) == (1.0, 0.0)


def exact_error(noise, T, d):
    """E error of mdlm:T:noise at 40 digits from α: Σ_k L·π_k·G(r_{k−1}) + L(1 − r_T)G(r_T) − Σ d, with
    r_k = 1 − (1 − α(t_k))/(1 − α(1)) the probability that a token is revealed by step k."""
    L = len(d)
    with mpmath.workdps(40):
        alpha = _ALPHA[noise]
        top = 1 - alpha(mpmath.mpf(1))
        den = MDLM_DELTA.denominator * T  # t_k = 1 − k(1 − δ)/T = (den − (δ⁻¹ − 1)k)/den
        r = [1 - (1 - alpha(mpmath.mpf(den - (MDLM_DELTA.denominator - 1) * k) / den)) / top for k in range(T + 1)]

        def G(x):
            return sum(mpmath.mpf(d[m]) * comb(L - 1, m) * x**m * (1 - x) ** (L - 1 - m) for m in range(L))

        total = sum(L * (r[k] - r[k - 1]) * G(r[k - 1]) for k in range(1, T + 1)) + L * (1 - r[T]) * G(r[T])
        return float(total - sum(mpmath.mpf(x) for x in d))


decreasing = st.lists(st.floats(0, 3, allow_nan=False), min_size=2, max_size=8).map(
    lambda xs: sorted(xs, reverse=True))
steps_or_smooth = st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.3, 1.0, 2.5]), min_size=2, max_size=9).map(
    lambda jumps: [sum(jumps[i:]) for i in range(len(jumps))])  # non-increasing, often with sharp steps


@settings(max_examples=40, deadline=None)
@given(d=st.one_of(decreasing, steps_or_smooth), noise=st.sampled_from(NOISES), first=st.integers(1, 40),
       more=st.integers(0, 5))
def test_the_bracket_holds_the_exact_expected_error(d, noise, first, more):
    L = len(d)
    bracket = count_bracket(lambda T: family_sampler(f"mdlm:{noise}", T, L), d)
    assert isinstance(bracket, NoiseBracket)
    lower, upper = bracket.bracket(first, first + more)
    for T in range(first, first + more + 1):
        value = exact_error(noise, T, d)
        assert lower <= value <= upper, (T, lower, value, upper)
        per_t = float(count_coefficients(family_sampler(f"mdlm:{noise}", T, L)) @ np.asarray(d))
        assert lower <= per_t + 1e-12 and per_t - 1e-12 <= upper  # and the sampler's own float value


@pytest.mark.parametrize("noise", NOISES)
def test_the_bracket_narrows_like_one_over_t_squared(noise):
    d = np.linspace(3, 0.5, 64) ** 2 / 3
    bracket = count_bracket(lambda T: family_sampler(f"mdlm:{noise}", T, 64), d)
    widths = [np.subtract(*bracket.bracket(T, T)[::-1]) for T in (256, 512, 1024)]
    assert widths[1] <= widths[0] / 3 and widths[2] <= widths[1] / 3
    value = float(count_coefficients(family_sampler(f"mdlm:{noise}", 1024, 64)) @ d)
    assert widths[2] < 0.02 * value  # the trapezoid term at T = 16L: linear 1.3 %, geometric 0.37 %, cosine2 0.14 %, cosine 0.12 %


@settings(max_examples=15, deadline=None)
@given(d=decreasing, family=st.sampled_from(FAMILIES), where=st.floats(0.02, 0.98))
def test_the_search_equals_a_scan_of_every_t(d, family, where):
    assert_search_equals_scan(d, family, where, assume)



@settings(max_examples=12, deadline=None)
@given(data=st.data(), family=st.sampled_from(FAMILIES), where=st.floats(0.05, 0.95), vocab=st.sampled_from([8, 50]))
def test_the_bracketed_t_range_equals_a_scan_of_every_t(data, family, where, vocab):
    """[T_lo, T_hi] over every monotone completion: the brackets' search against the scan T by T."""
    from boundcalc import completion

    curve = partial_curve(data.draw, 12)
    L, top = curve.length, 6 * curve.length
    ends = {T: completion.completion_interval(curve, completion.family_coefficients(family, T, L, curve), vocab)
            for T in range(1, top + 1)}
    low, high = min(e[0] for e in ends.values()), max(e[1] for e in ends.values())
    target = low + where * (high - low)
    # an end within rounding of the target (a flat curve: every end 0 up to 1e-15) has no certified side, so the
    # float scan below is no reference there (the same assumption as test_count_brackets' range test)
    assume(all(abs(x - target) > 1e-9 * (1 + abs(target)) for e in ends.values() for x in e))
    first = next((T for T in range(1, top + 1) if (ends[T][0] + ends[T][1]) / 2 <= target), top)
    expected = (next((T for T in range(1, first) if ends[T][0] <= target), first),
                next((T for T in range(first, top + 1) if ends[T][1] <= target), None))
    found = completion._bracketed_range(family, target, first, curve, vocab, top, [completion.MAX_RANGE_WORK])
    assert found == expected


def test_no_bracket_where_it_does_not_hold():
    assert count_bracket(lambda T: family_sampler("mdlm:cosine", T, 3), [1.0, 2.0, 0.5]) is None  # d rises
    assert isinstance(count_bracket(lambda T: family_sampler("mdlm:cosine", T, 3), [2.0, 1.0, 0.5]), NoiseBracket)


@settings(max_examples=30, deadline=None)
@given(L=st.integers(2, 10), noise=st.sampled_from(NOISES), bound=st.sampled_from(["theorem1", "sharp", "recursion"]),
       first=st.integers(1, 40), more=st.integers(0, 5))
def test_the_max_step_bracket_holds_the_dp_value(L, noise, bound, first, more):
    """E c(S_max) by the DP over the counts (its certified error included) lies in the range's bracket."""
    from boundcalc.bounds import bound_coefficient
    from boundcalc.count_brackets_noise import NoiseMaxStepBracket, noise_max_step_bracket

    coefficient = lambda s: bound_coefficient(bound, s)  # noqa: E731
    steps = noise_max_step_bracket(lambda T: family_sampler(f"mdlm:{noise}", T, L), L,
                                   [coefficient(s) for s in range(1, L + 1)])
    assert isinstance(steps, NoiseMaxStepBracket)
    lower, upper, rounding = steps.coefficient(first, first + more)
    for T in range(first, first + more + 1):
        value, error = family_sampler(f"mdlm:{noise}", T, L).expected_coefficient(coefficient)
        assert lower - rounding <= value + error and value - error <= upper + rounding, (T, lower, value, upper)


@settings(max_examples=15, deadline=None)
@given(L=st.integers(2, 8), family=st.sampled_from(FAMILIES), bound=st.sampled_from(["theorem1", "sharp", "recursion"]),
       where=st.floats(0.0, 1.0), mi=st.integers(1, 40))
def test_the_bound_search_by_ranges_equals_the_scan_of_every_t(L, family, bound, where, mi):
    """--by bound: the ranges decided by NoiseMaxStepBracket give the scan's T, larger misses and undecided T."""
    from fractions import Fraction

    from boundcalc import count_steps

    top = 4 * L
    values = [count_steps.count_expected_bound(family_sampler(family, T, L), Fraction(mi), bound).value
              for T in range(1, top + 1)]
    target = Fraction(min(values) + where * (max(values) - min(values))).limit_denominator(10**6)
    found = required_steps_family([target], family=family, length=L, mi_total=Fraction(mi), bound=bound,
                                  max_steps=top)[0]
    assert "ranges of T" in found.search
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_steps, "noise_max_step_bracket", lambda *args: None)
        scanned = required_steps_family([target], family=family, length=L, mi_total=Fraction(mi), bound=bound,
                                        max_steps=top)[0]
    assert "scan of every T" in scanned.search
    assert (found.steps, found.larger_misses, tuple(sorted(found.undecided))) == \
        (scanned.steps, scanned.larger_misses, tuple(sorted(scanned.undecided)))
    if found.steps is not None:
        assert (found.value.value, found.value.error) == (scanned.value.value, scanned.value.error)


def test_the_cli_answers_a_noise_at_l_4096_by_ranges(run):
    """Was refused ('scanning mdlm:cosine ... would take'): every T <= 16L shown to miss by ranges."""
    result = run("steps", "--mi-total", "10", "--length", "4096", "--target", "0.0001", "--family", "mdlm:cosine")
    assert result.exit_code == 1 and "no T <= 65536 reaches it" in result.output and "ranges of T" in result.output
    assert result.output.strip().splitlines()[-1] == \
        "Error: --target: target 0.0001: no T <= 65536 reaches it (a larger target or a larger --max-steps)"


@pytest.mark.parametrize("noise", NOISES)
def test_the_laws_derivatives_and_their_bounds(noise):
    """φ′ and φ″ against central differences of φ and φ′, and sup|φ′|, sup|φ″|, sup|φ‴| (the brackets' Φ1, Φ2,
    Φ3) above their values on a fine grid (φ‴ by differences of φ″); φ at the grid's ends: φ(0) = 0, and
    1 − φ(1 − δ) is the last step's share, 1 − p_1 at T = 1."""
    from boundcalc.count_noise import NOISE_LAWS

    law, e = NOISE_LAWS[noise], 1e-6
    u = np.linspace(e, 1 - e, 20001)
    assert np.allclose((law.phi(u + e) - law.phi(u - e)) / (2 * e), law.slope(u), rtol=1e-6, atol=1e-6)
    assert np.allclose((law.slope(u + e) - law.slope(u - e)) / (2 * e), law.bend(u), rtol=1e-5, atol=1e-5)
    twist = (law.bend(u + e) - law.bend(u - e)) / (2 * e)
    assert law.slope(u).max() <= law.slope_top and np.abs(law.bend(u)).max() <= law.bend_top
    assert np.abs(twist).max() <= law.twist_top * (1 + 1e-6)
    assert law.phi(np.array([0.0]))[0] == 0.0
    assert 1 - law.phi(np.array([1 - 1e-5]))[0] == pytest.approx(CountSampler.mdlm(4, 1, noise).keep[0], rel=1e-6)


# --- windowed binomial laws for the block levels (boundcalc/count_noise_levels.py) ---

def _narrow(n):
    return min(n + 1, 3)  # three entries: the mass outside is large, and every bound on it is exercised


def test_windowed_levels_equal_the_full_laws_within_their_errors():
    """block_levels against a sum of whole laws (count_brackets.binomial_pmf, row by row); the certified mass
    outside each window is at least the whole laws' mass there."""
    import math

    from boundcalc.count_brackets import binomial_pmf
    from boundcalc.count_noise_levels import block_levels, window_tails, window_width

    L = 2500
    n, lf = L - 1, np.array([math.lgamma(k + 1) for k in range(L + 1)])
    rng = np.random.default_rng(7)
    rho = np.concatenate(([0.0], np.sort(rng.random(200)), [1 - 1e-9, 1.0]))
    weights = [rng.normal(size=rho.size), rng.random(rho.size)]
    width = window_width(n)
    assert width < L  # the windows do cut
    levels = block_levels(lf, n, rho, weights)
    laws = [binomial_pmf(lf, n, float(x)) for x in rho]
    for i, c in enumerate(weights):
        full = sum(w * pmf for w, (pmf, _) in zip(c, laws))
        full_error = sum(abs(w) * pmf * rel for w, (pmf, rel) in zip(c, laws))
        assert np.all(np.abs(levels[2 * i] - full) <= levels[2 * i + 1] + full_error + 1e-300)
    low = np.clip(np.round(rho * n).astype(np.int64) - width // 2, 0, n + 1 - width)
    tails = window_tails(lf, n, rho, low, width)
    for x, start, tail in zip(rho, low, tails):
        pmf, _ = binomial_pmf(lf, n, float(x))
        outside = pmf[:start].sum() + pmf[start + width:].sum()
        assert outside <= tail and tail < 2.0**-64


@settings(max_examples=30, deadline=None)
@given(d=st.one_of(decreasing, steps_or_smooth), noise=st.sampled_from(NOISES), first=st.integers(1, 40),
       more=st.integers(0, 3))
def test_the_bracket_holds_with_narrow_windows(d, noise, first, more):
    """Windows of three entries (the mass outside them bounded by the ratio of successive entries, not
    negligible): the bracket still holds the exact expected error, at 40 digits."""
    from boundcalc import count_noise_levels

    L = len(d)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_noise_levels, "window_width", _narrow)
        bracket = count_bracket(lambda T: family_sampler(f"mdlm:{noise}", T, L), d)
        lower, upper = bracket.bracket(first, first + more)
    for T in range(first, first + more + 1):
        assert lower <= exact_error(noise, T, d) <= upper


@settings(max_examples=10, deadline=None)
@given(d=decreasing, family=st.sampled_from(FAMILIES), where=st.floats(0.02, 0.98))
def test_the_search_with_narrow_windows_equals_a_scan_of_every_t(d, family, where):
    from boundcalc import count_noise_levels

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_noise_levels, "window_width", _narrow)
        assert_search_equals_scan(d, family, where, assume)


def _accurate_value(noise, T, d):
    """E error at T by the count coefficients with r_k = φ(u_k) in long double (sin², not the running product of
    the 1 − p_k, whose float error at T = 6·10^4 and L = 16384 moves the value by ~1e-5): a second method."""
    ld = np.longdouble
    sampler = family_sampler(f"mdlm:{noise}", T, len(d))
    u = np.arange(len(sampler.reveal)).astype(ld) * ld(99999) / ld(100000) / ld(T)
    half = ld("3.141592653589793238462643383279502884197") / 2 * u
    r, a = (np.sin(half) ** 2, np.cos(half) ** 2) if noise == "cosine2" else (np.sin(half), 1 - np.sin(half))
    sampler.__dict__["_start_laws_cache"] = (r.astype(np.float64), a.astype(np.float64), 1e-15)
    return float((sampler._start_sizes() - 1.0) @ d)


def test_cosine2_at_l_16384_on_a_curve_measured_at_every_k():
    """Was refused ('within its brackets' width', about 18 T): the windowed block levels decide every T, and the
    answer is the one a second computation of the values at T − 1 and T gives."""
    L = 16384
    curve = LossCurve(length=L, masked=list(range(1, L + 1)), loss=[round(0.5 + 6 * k / L, 6) for k in range(1, L + 1)])
    found = required_steps_family(["1"], family="mdlm:cosine2", by="error", length=L, curve=curve)[0]
    assert found.steps is not None and "Riemann" in found.search
    d = np.asarray(curve_profile_of(curve))
    assert _accurate_value("cosine2", found.steps - 1, d) > 1 + 1e-7
    assert _accurate_value("cosine2", found.steps, d) <= 1 - 1e-7


def curve_profile_of(curve):
    from boundcalc.estimate import curve_profile

    return curve_profile(curve).conditional
