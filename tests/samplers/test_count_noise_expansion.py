"""Issue 22, round 9: the expected errors of ``mdlm:T:NOISE`` rows from T-independent forms
(boundcalc.count_noise_expansion), without the steps.

Against independent computations: the brackets equal NoiseBracket.bracket(T, T) with the same block level (the
per-T forms, built from the vectors each time); every row's value within its certified error of the exact expected
error (the coefficient form on the sampler's start sizes, and exact Fractions at a small L); the interval's outer
bracket holds the exact interval over the completions (error_interval on the sampler's coefficients); the monotone
cubic within its bracket; the stderr near the sampler's. Dropping the remainders makes the bracket miss.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from boundcalc import count_noise_expansion as ce
from boundcalc.completion import error_interval
from boundcalc.count_noise_completions import completed_rows_truth
from boundcalc.estimate import coefficient_error, count_coefficients, curve_profile
from boundcalc.schedule import parse_spec
from start_sizes_reference import exact_starts, rows_partial_curve

NOISES = ["cosine", "cosine2", "linear", "geometric"]


def _curve(L):
    return rows_partial_curve(L, [2, L // 4, (2 * L) // 3, L], 2.0, True)


@pytest.mark.parametrize("noise", NOISES)
def test_brackets_equal_the_per_t_forms(noise):
    curve = _curve(64)
    d = curve_profile(curve).conditional
    ex = ce.NoiseExpansion(noise, d)
    T = np.array([1, 3, 40, 64, 500, 4000])
    own = ce.expanded_brackets(ex, T)
    bracket = ex.bracket
    bracket._blocks = lambda first, last: ex.blocks  # the same level as the expansion's
    ex.tv1, ex.tv3, ex.zone_twist = bracket.tv1, bracket.tv3, np.inf  # the per-T forms' variation bounds
    # and their TV(φ′) <= 2Φ1, no zones for the trapezoid's cells (round 10's refinements narrow it further)
    ex.slope_turns, ex.zone_bend, ex.variance_form = 2 * bracket.law.slope_top, np.inf, False
    lo, hi = ce.expanded_brackets(ex, T)
    for i, t in enumerate(T.tolist()):
        a, b = bracket.bracket(t, t)
        scale = 1e-9 * (abs(a) + abs(b)) + 1e-12
        assert lo[i] <= a + scale and hi[i] >= b - scale  # h widened by 3ε: never narrower
        assert abs(lo[i] - a) <= scale and abs(hi[i] - b) <= scale, (t, lo[i], a, hi[i], b)
        assert own[0][i] >= lo[i] - scale and own[1][i] <= hi[i] + scale  # its own bounds only narrow it


def test_variation_bounds_hold():
    """TV(G′) and TV(G‴) of G = Σ_m d(m)·b_{m,L−1} (the polynomial on a fine grid, in 40-digit arithmetic: the grid's
    variation is at most the true one) stay below the bounds from |Δd|, |Δ³d| and the Bernstein peaks, for a
    curve with kinks and a smooth one; and the kinked curve's bound is below the old (L − 1)(L − 2)(L − 3)Σ|Δ⁴d|."""
    import mpmath

    from boundcalc.count_brackets import variation_bounds

    L = 24
    for d in (curve_profile(_curve(L)).conditional, np.exp(-np.arange(L) / 7.0)):
        tv1, tv3 = ce._variations(np.asarray(d))
        mpmath.mp.dps = 40
        coefficients = [mpmath.mpf(float(x)) for x in d]
        N = L - 1

        def derivative(x, k):
            return mpmath.diff(lambda y: sum(c * mpmath.binomial(N, m) * y**m * (1 - y) ** (N - m)
                                             for m, c in enumerate(coefficients)), x, k)

        grid = [mpmath.mpf(i) / 400 for i in range(401)]
        for k, bound in ((1, tv1), (3, tv3)):
            values = [derivative(x, k) for x in grid]
            variation = sum(abs(b - a) for a, b in zip(values, values[1:]))
            assert float(variation) <= bound
    kinked = curve_profile(_curve(L)).conditional
    assert ce._variations(kinked)[1] < variation_bounds(kinked)[1]


@pytest.mark.parametrize("noise", NOISES)
def test_rows_hold_the_samplers_values(noise):
    for L, vocab, steps in ((40, 3, (2, 9, 40, 130)), (97, None, (5, 97, 300))):
        curve = _curve(L)
        profile = curve_profile(curve)
        samplers = [parse_spec(f"mdlm:{T}:{noise}").build(L) for T in steps]
        rows = completed_rows_truth(profile, samplers, curve, vocab)
        cubic = ce.expanded_brackets(ce.NoiseExpansion(noise, curve_profile(curve, "pchip").conditional),
                                     np.array(steps))
        for i, sampler in enumerate(samplers):
            row = rows[id(sampler)]
            value, error = coefficient_error(profile, sampler)
            assert abs(row.value - value) <= row.error + error, (L, sampler.steps)
            c = count_coefficients(sampler)
            exact_cubic = max(float(c @ curve.conditional("pchip")), 0.0)
            half = (cubic[1][i] - cubic[0][i]) / 2
            assert abs(row.estimate.pchip - exact_cubic) <= half + row.error + error
            lo, hi = error_interval(curve, c, vocab)
            assert row.interval[0] <= lo + row.error + error and row.interval[1] >= hi - row.error - error
            stderr = curve.stderr_of(c)
            assert abs(row.estimate.stderr - stderr) <= 2 * row.error / max(row.value, 1e-12) * stderr + 1e-12


def test_values_hold_exact_fractions():
    """At L = 12 the value is within its error of Σ_m (start(m) − 1)·d(m), the start sizes in Fractions from the
    sampler's float p_k (each within ε of the noise's: far inside the error)."""
    L = 12
    curve = _curve(L)
    profile = curve_profile(curve)
    d = [Fraction(x) for x in profile.conditional.tolist()]
    for noise in NOISES:
        samplers = [parse_spec(f"mdlm:{T}:{noise}").build(L) for T in (3, 30)]
        rows = ce.expanded_rows_truth(profile, samplers)
        for sampler in samplers:
            floats = type("S", (), {"length": L, "exact": [Fraction(p) for p in sampler.reveal]})()
            exact = sum((s - 1) * x for s, x in zip(exact_starts(floats), d))  # the floats' p_k, each within ε
            assert abs(rows[id(sampler)].value - float(exact)) <= rows[id(sampler)].error * (1 + 1e-6) + 1e-12


def test_dropped_remainders_miss():
    """Without the remainder terms (TV(G′), TV(G‴), sup|G′|) the bracket misses the exact value at some T."""
    L, noise = 40, "linear"
    curve = _curve(L)
    profile = curve_profile(curve)
    steps = list(range(2, 41, 2))
    samplers = [parse_spec(f"mdlm:{T}:{noise}").build(L) for T in steps]
    ex = ce.NoiseExpansion(noise, profile.conditional)
    exact = np.array([coefficient_error(profile, s)[0] for s in samplers])
    lo, hi = ce.expanded_brackets(ex, np.array(steps))
    assert np.all((lo <= exact) & (exact <= hi))
    original = ce._slack
    try:
        ce._slack = lambda ex, form, dots, tv1, tv3, jump: original(ex, form, dots, 0.0, 0.0, 0.0)
        lo, hi = ce.expanded_brackets(ex, np.array(steps))
    finally:
        ce._slack = original
    assert np.any((lo > exact) | (exact > hi))


def test_a_rising_d_is_left_out():
    L = 20
    curve = _curve(L)
    profile = curve_profile(curve)
    rising = type("P", (), {"conditional": np.linspace(0.1, 1.0, L), "length": L})()
    sampler = parse_spec("mdlm:30:cosine").build(L)
    assert ce.expanded_rows_truth(rising, [sampler]) == {}
    assert id(sampler) in ce.expanded_rows_truth(profile, [sampler])


@pytest.mark.parametrize("noise", NOISES)
def test_zone_twist_bounds_the_cells_remainder(noise):
    """Σ_k Δr_k⁴·TV_cell(G‴) <= h⁴·X (X = _zone_twist) at L = 24, T = 100 (h below the zones' width): each cell's
    TV of G‴ = (L − 1)(L − 2)(L − 3)Σ_m Δ³d(m)·b_{m,L−4} on 30 points of the cell (at most the true TV), Δr_k
    from φ at 40 digits; for a kinked and a smooth d."""
    import math

    import mpmath

    from boundcalc.count_noise import NOISE_LAWS

    L = 24
    law = NOISE_LAWS[noise]
    span = 1 - 1e-5
    mpmath.mp.dps = 40
    forms = {"cosine": lambda u: mpmath.sin(mpmath.pi * u / 2), "cosine2": lambda u: mpmath.sin(mpmath.pi * u / 2) ** 2,
             "linear": lambda u: mpmath.exp(-7) * mpmath.expm1(mpmath.mpf("6.999") * u) / -mpmath.expm1(-7),
             "geometric": lambda u: (mpmath.exp(-mpmath.power(1000, -u)) - mpmath.exp(-1)) / -mpmath.expm1(-1)}
    n = L - 4
    for d in (curve_profile(_curve(L)).conditional, np.exp(-np.arange(L) / 7.0)):
        third = np.diff(np.asarray(d), 3)
        bound = ce._zone_twist(law, span, np.asarray(d))

        def twist(x):
            return (L - 1) * (L - 2) * (L - 3) * sum(c * math.comb(n, m) * x**m * (1 - x) ** (n - m)
                                                     for m, c in enumerate(third.tolist()))

        for T in (100,):
            h = span / T
            r = [float(forms[noise](mpmath.mpf(k) * mpmath.mpf(span) / T)) for k in range(T + 1)]
            total = 0.0
            for a, b in zip(r, r[1:]):
                values = [twist(a + (b - a) * i / 29) for i in range(30)]
                total += (b - a) ** 4 * sum(abs(v - w) for v, w in zip(values, values[1:]))
            assert total <= h**4 * bound, (T, total, h**4 * bound)
            assert total >= h**4 * bound / 50  # the bound is not vacuous: within a factor 50 here
