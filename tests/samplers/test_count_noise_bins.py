"""Issue 22, round 9: the bounds of ``mdlm:T:NOISE`` rows from bins of steps (boundcalc.count_noise_bins).

Each bracket against an independent computation: P(S_max > s) for every s around the law of S_max of the count DP
(CountSampler.max_law, within its certified error) on the sampler's own floats; E c(S_max), E S_max and E #non-empty
steps around the DP's and the per-step code's values; bins of many steps (few bins) as well as one step per bin.
Two mutations must fail: the bins' ends swapped (the first order's direction) and the Taylor remainder dropped.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from boundcalc import count_noise_bins as cb
from boundcalc.count_grid_rows import CoefficientSteps
from boundcalc.count_noise import NOISE_LAWS
from boundcalc.count_rows import _values
from boundcalc.count_sampler import CountSampler
from boundcalc.profile import MIProfile

NOISES = ["cosine", "cosine2", "linear", "geometric"]
NAMES = ["theorem1", "recursion", "sharp"]


def _violations(lower, upper, law, err):
    """The s (1-based) where the bracket misses the DP's P(S_max > s) beyond both errors."""
    n = lower.size
    truth, slack = np.asarray(law[:n]), np.asarray(err[:n]) + 1e-13
    return np.flatnonzero((lower > truth + slack) | (upper < truth - slack)) + 1


def _brackets(noise, length, T, bins, change=None):
    steps = np.array([T])
    found = cb.noise_bins(NOISE_LAWS[noise], steps, bins)
    if change is not None:
        found = change(found)
    caps, far, bin_caps = cb._caps(length, found, steps)
    lower, upper, err = cb._row_brackets(length, found, np.array([0]), caps, far, bin_caps)
    return lower[0], upper[0] + err[0]


@pytest.mark.parametrize("noise", NOISES)
def test_brackets_hold_the_law_of_s_max(noise):
    for length, T, bins in ((24, 7, 256), (24, 40, 4), (40, 64, 8), (40, 33, 256), (64, 200, 16)):
        sampler = CountSampler.mdlm(length, T, noise)
        law, err = sampler.max_law()
        found = cb.noise_exceed_brackets(noise, length, T, bins)
        assert found is not None
        lower, upper, error = found
        assert _violations(lower, upper + error, law, err).size == 0, (length, T, bins)
        beyond = np.asarray(law[lower.size:]) - np.asarray(err[lower.size:])
        assert np.all(beyond <= upper[-1] + 1e-13)  # from the cap on: at most the tail


def test_swapped_ends_and_a_dropped_remainder_fail():
    """The same check catches the first order taken at the wrong end of the bins, and the second order without its
    remainder (Jensen: t is convex in the tail, so the centre alone falls short of the bin's sum)."""
    length, T, noise = 40, 64, "linear"
    law, err = CountSampler.mdlm(length, T, noise).max_law()
    lower, upper = _brackets(noise, length, T, 2)
    assert _violations(lower, upper, law, err).size == 0
    swapped = _brackets(noise, length, T, 2, lambda b: dataclasses.replace(b, low=b.high, high=b.low))
    assert _violations(*swapped, law, err).size > 0
    bare = _brackets(noise, length, T, 2, lambda b: dataclasses.replace(b, spread=0 * b.spread, shift=0 * b.shift))
    assert _violations(*bare, law, err).size > 0


def test_the_bins_cover_the_samplers_marginals():
    """Every step's π_k (the sampler's own float) lies in its bin's [low, high], and each bin's mean within its
    shift of the centre; the spread bound holds."""
    for noise in NOISES:
        for T, bins in ((50, 8), (300, 32), (1000, 256)):
            found = cb.noise_bins(NOISE_LAWS[noise], np.array([T]), bins)
            x = np.array(CountSampler.mdlm(64, T, noise).marginals())
            row, first = cb._grid_bins(NOISE_LAWS[noise], np.array([T]), np.array([bins]), 1 - 1e-5)[:2]
            edges = list(first) + [T + 1]
            for i in range(len(first)):
                part = x[edges[i] - 1 : edges[i + 1] - 1]
                assert np.all(part >= found.low[i]) and np.all(part <= found.high[i]), (noise, T, i)
                assert abs(part.mean() - found.centre[i]) <= found.shift[i] * (1 + 1e-9)
                assert ((part - part.mean()) ** 2).sum() <= found.spread[i] * (1 + 1e-9) + 1e-30
            assert found.low[-1] <= x[-1] <= found.high[-1]  # the last step, π = 1 − b


@pytest.mark.parametrize("noise", NOISES)
def test_expected_values_hold_the_dp(noise):
    length = 48
    steps = [10, 48, 150]
    coefficients = CoefficientSteps([_values(name, length) for name in NAMES] + [_values("", length)])
    found = cb.noise_bin_bounds(noise, length, steps, coefficients, bins=8)
    for j, T in enumerate(steps):
        sampler = CountSampler.mdlm(length, T, noise)
        assert found.taken[j]
        for i, name in enumerate(NAMES + [""]):
            c = _values(name, length)
            exact, exact_error = sampler.expected_coefficient(lambda s: c[s - 1])
            assert abs(found.values[j, i] - exact) <= found.errors[j, i] + exact_error, (T, name)
        nonempty, nonempty_error = sampler.expected_nonempty_steps()
        assert abs(found.nonempty[j] - nonempty) <= found.nonempty_error[j] + nonempty_error


def test_against_the_per_step_brackets():
    """At L = 512 the binned enclosure and the per-step code's bracket both hold E c(S_max), so they meet; with the
    default bins the binned one is at most a little wider."""
    length = 512
    coefficients = CoefficientSteps([_values(name, length) for name in NAMES] + [_values("", length)])
    for noise in NOISES:
        steps = [64, 700]
        found = cb.noise_bin_bounds(noise, length, steps, coefficients)
        for j, T in enumerate(steps):
            per_step = CountSampler.mdlm(length, T, noise).expected_coefficient_brackets(
                [_values(name, length) for name in NAMES + [""]])
            for i, (lo, hi, e) in enumerate(per_step):
                v, w = found.values[j, i], found.errors[j, i]
                assert v - w <= hi + e and v + w >= lo - e
                assert 2 * w <= 3 * (hi - lo + 2 * e) + 1e-9 * v, (noise, T, i, 2 * w, hi - lo)


def test_reports_and_rows_taken():
    length = 64
    profile = MIProfile.from_total(10, length)
    samplers = [CountSampler.mdlm(length, T, "cosine2") for T in (1, 2, 30, 90)]
    reports = cb.binned_bound_reports(profile, samplers, Fraction(0), NAMES, _values)
    taken = cb.binned_rows_needed("cosine2", length, [1, 2, 30, 90])
    assert [r is not None for r in reports] == taken.tolist() == [False, True, True, True]
    coefficients = CoefficientSteps([_values(name, length) for name in NAMES] + [_values("", length)])
    found = cb.noise_bin_bounds("cosine2", length, [30, 90], coefficients)
    for j, report in enumerate(reports[2:]):  # T = 30, 90
        assert report.coefficients["sharp"] == (found.values[j, 2], found.errors[j, 2])
        assert report.expected_max == (found.values[j, 3], found.errors[j, 3])
        assert report.nonempty_steps == (found.nonempty[j], found.nonempty_error[j])
    assert cb.binned_work("cosine2", length, [1, 30]) > 0
