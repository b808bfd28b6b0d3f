"""Issue 22: the T range of a count family over a partial curve's monotone completions (boundcalc.count_completion).

The variation bounds are checked against G′, G‴ of monotone completions (step functions, the extremes, and
random ones) on a fine grid: a grid's variation is a lower bound of the true one, so a bound below it is wrong.
The peaks against exact rationals; the fast noise sampler's start sizes against 40-digit mpmath sums.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.count_completion import (bernstein_peaks, certified_ends, coefficient_work, completion_variation,
                                        range_sampler)
from boundcalc.count_sampler import _ALPHA, MDLM_DELTA
from boundcalc.curve import LossCurve
from boundcalc.step_families import family_sampler, searched_family


@pytest.mark.parametrize("n", [1, 2, 3, 7, 20, 51])
def test_bernstein_peaks_are_the_exact_maxima_rounded_up(n):
    for j, peak in enumerate(bernstein_peaks(n)):
        exact = Fraction(comb(n, j)) * Fraction(j, n) ** j * Fraction(n - j, n) ** (n - j)  # the maximum, at x = j/n
        assert float(exact) <= peak <= float(exact) * (1 + 2e-6)


def _basis(n: int, x: np.ndarray) -> np.ndarray:
    """b_{j,n}(x), rows j = 0..n (float; the grid's variation only needs to be a good lower bound)."""
    return np.array([comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(n + 1)])


def _variations(d: np.ndarray) -> tuple[float, float, float]:
    """(TV(G′), TV(G‴), sup|G′|) of G = E d(Bin(L−1, ·)) on a grid of 40001 points: lower bounds of the truth."""
    L = d.size
    x = np.linspace(0.0, 1.0, 40001)
    g1 = (L - 1) * (np.diff(d) @ _basis(L - 2, x))
    g3 = (L - 1) * (L - 2) * (L - 3) * (np.diff(d, 3) @ _basis(L - 4, x)) if L >= 4 else np.zeros_like(x)
    return float(np.abs(np.diff(g1)).sum()), float(np.abs(np.diff(g3)).sum()), float(np.abs(g1).max())


@st.composite
def _completions(draw):
    """(L, anchors, one monotone completion through them): each gap's drop at one m (a step, the extreme kind) or
    spread at random."""
    L = draw(st.integers(4, 24))
    ms = sorted(draw(st.sets(st.integers(0, L - 1), min_size=1, max_size=5)))
    values = sorted(draw(st.lists(st.floats(0.0, 4.0), min_size=len(ms), max_size=len(ms))), reverse=True)
    anchors = [(-1, values[0] + draw(st.floats(0.0, 2.0)))] + list(zip(ms, values)) + [(L, 0.0)]
    d = np.zeros(L)
    for (ma, A), (mb, B) in zip(anchors, anchors[1:]):
        inside = list(range(max(ma, 0), min(mb, L)))  # d(ma..mb-1): from A (at ma) down towards B
        if draw(st.booleans()):  # a step: A up to a point, then B
            cut = draw(st.integers(ma + 1, mb))
            for m in inside:
                d[m] = A if m < cut else B
        else:
            fractions = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=len(inside), max_size=len(inside))))
            for m, f in zip(inside, fractions):
                d[m] = min(A, max(B, A - f * (A - B)))
        for m, v in zip(ms, values):
            d[m] = v
    return L, anchors, np.minimum.accumulate(d)  # A − f(A − B) may round one ulp above its left neighbour


@settings(max_examples=80, deadline=None)
@given(case=_completions())
def test_the_completion_variation_bounds_every_monotone_completion(case):
    L, anchors, d = case
    assert np.all(np.diff(d) <= 0)
    bound = completion_variation(L, anchors)
    tv1, tv3, slope = _variations(d)
    assert tv1 <= bound.tv1 * (1 + 1e-9) + 1e-9
    assert tv3 <= bound.tv3 * (1 + 1e-9) + 1e-9
    assert slope <= bound.slope * (1 + 1e-9) + 1e-9


def test_the_completion_variation_is_far_below_the_old_bound_in_the_middle():
    """A drop of 1 in the middle of L = 400 (a gap from m = 150 to 250): the old bounds 2(L−1) and 8(L−1)(L−2)(L−3)
    per unit of max d; the Bernstein weights there ~2/sqrt(2π m(K−m)/K), and 6 times the peaks for the third."""
    L = 400
    bound = completion_variation(L, [(-1, 1.0), (150, 1.0), (250, 0.0), (L, 0.0)])
    step = np.r_[np.ones(200), np.zeros(200)]  # the drop at m = 199: one completion, its variation by the grid
    tv1, tv3, _ = _variations(step)
    assert tv1 <= bound.tv1 < (L - 1) * 2 / 10
    assert tv3 <= bound.tv3 < float(L - 1) * (L - 2) * (L - 3) * 8 / 5


def _start_sizes_40_digits(noise: str, L: int, T: int) -> list:
    """E[size of the step starting at m] = Σ_k L·p_k·(1 − r_k)·P(Bin(L−1, r_k) = m), r_k = φ before step k, at 40
    digits from α (independent of the long-double probabilities and of the windowed float sums)."""
    with mpmath.workdps(40):
        den = MDLM_DELTA.denominator * T
        rise = MDLM_DELTA.denominator - MDLM_DELTA.numerator
        alpha = [_ALPHA[noise](mpmath.mpf(den - rise * i) / den) for i in range(T + 1)]
        out = [mpmath.mpf(0)] * L
        for k in range(1, T + 2):  # the noise-removal step reveals the rest (p = 1)
            kept = (1 - alpha[k - 1]) / (1 - alpha[0])  # 1 − r_k: masked fraction before step k
            p = (alpha[k] - alpha[k - 1]) / (1 - alpha[k - 1]) if k <= T else mpmath.mpf(1)
            r = 1 - kept
            for m in range(L):
                out[m] += L * p * kept * mpmath.binomial(L - 1, m) * r**m * kept ** (L - 1 - m)
        return out


@pytest.mark.parametrize("noise", ["cosine", "cosine2", "linear", "geometric"])
@pytest.mark.parametrize("L,T", [(5, 3), (12, 40), (30, 300)])
def test_the_fast_noise_sampler_is_within_its_certified_error_of_40_digits(noise, L, T):
    sampler = range_sampler(searched_family(f"mdlm:{noise}"), T, L)
    assert "_start_laws_cache" in sampler.__dict__  # the long-double build, not the family's (mpmath) one
    starts = sampler.expected_start_sizes()
    rel = sampler.start_sizes_error()
    for got, want in zip(starts.tolist(), _start_sizes_40_digits(noise, L, T)):
        assert abs(got - float(want)) <= rel * float(want) + 1e-300


@pytest.mark.parametrize("family", ["mdlm:cosine", "mdlm:linear", "mdlm", "dream-origin"])
def test_certified_ends_hold_the_exact_builds_interval(family):
    from boundcalc.completion import completion_interval
    from boundcalc.estimate import count_coefficients

    curve = LossCurve(length=40, masked=[4, 20, 33], loss=[0.3, 1.1, 2.0])
    top = np.full(40, 10.0)
    for T in (7, 90):
        interval = lambda c: completion_interval(curve, c, 50)  # noqa: E731
        low, high, margin = certified_ends(interval, range_sampler(searched_family(family), T, 40), top)
        exact_low, exact_high = completion_interval(curve, count_coefficients(family_sampler(family, T, 40)), 50)
        assert 0 < margin < 1e-6
        assert abs(low - exact_low) <= margin and abs(high - exact_high) <= margin


def test_coefficient_work_is_the_windowed_rows():
    assert coefficient_work(10, 16) == 10 * 17  # every count: the window is wider than L + 1
    assert coefficient_work(1000, 16384) == 1000 * (82 + 12 * 128)


def _grid_tv_second(K: int, m: int) -> float:
    """TV(b″_{m,K}) on a grid of 400001 points (a lower bound of the true variation)."""
    x = np.linspace(0.0, 1.0, 400001)
    n = K - 2
    basis = {j: comb(n, j) * x**j * (1 - x) ** (n - j) if 0 <= j <= n else np.zeros_like(x) for j in (m - 2, m - 1, m)}
    f = K * (K - 1) * (basis[m - 2] - 2 * basis[m - 1] + basis[m])
    return float(np.abs(np.diff(f)).sum())


@pytest.mark.parametrize("K", [6, 7, 20, 61])
def test_the_roots_of_the_third_derivative_give_the_variation_of_the_second(K):
    """The isolated-root bound of TV(b″_{m,K}) holds and is tight (within 10⁻⁶ of the grid's variation); the
    peaks' bound is the fallback and is far looser in the middle."""
    import math

    from boundcalc.count_completion import second_derivative_variation

    lf = np.array([math.lgamma(k + 1) for k in range(K + 1)])
    bound = second_derivative_variation(K, lf)
    assert np.all(np.isfinite(bound))
    for m in range(K + 1):
        grid = _grid_tv_second(K, m)
        assert grid <= bound[m] * (1 + 1e-12) and bound[m] <= grid * (1 + 1e-6) + 1e-6, (m, grid, bound[m])
    assert bound[1] / (K * (K - 1)) > 2 and (K < 20 or bound[K // 2] < bound[1] / 10)  # the ends weigh most
