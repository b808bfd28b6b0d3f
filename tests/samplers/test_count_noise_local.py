"""Issue 22: cell-local remainders of MDLM's other noises' brackets, folded into the forms over a partial curve's
completions (boundcalc.count_noise_local; docs/theory.md §12, "Cell-local remainders").

Each claim is checked against an independent computation: the zone variations against a fine grid of b″ and φ′,
Euler–Maclaurin's cells' remainder against its exact value (a polynomial G, mpmath), the brackets against the exact
expected error at 40 digits, and the T range against the scan of every T."""

from __future__ import annotations

from math import comb

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from boundcalc.count_brackets_noise import NoiseBracket, count_bracket
from boundcalc.count_noise import NOISE_LAWS
from boundcalc.count_noise_local import twist_weights, zone_variations
from boundcalc.count_sampler import _ALPHA, MDLM_DELTA
from boundcalc.step_families import family_sampler
from count_search_reference import partial_curve
from test_count_brackets_noise import NOISES, decreasing, exact_error, steps_or_smooth

SPAN = float(1 - MDLM_DELTA)


def _second_derivative(K, m, x):
    """b″_{m,K}(x) from b″ = K(K−1)(b_{m−2} − 2b_{m−1} + b_m)_{K−2}, in float on an array x."""
    def b(j, n):
        return comb(n, j) * x**j * (1 - x) ** (n - j) if 0 <= j <= n else 0.0 * x
    return K * (K - 1) * (b(m - 2, K - 2) - 2 * b(m - 1, K - 2) + b(m, K - 2))


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("L", [8, 30])
def test_each_zone_variation_holds_the_fine_grid_variation_and_is_nearly_tight(noise, L):
    """V[j, m] >= TV of b″_{m,K} on the zone's r-range (a grid of 4001 points), Φ1_j >= φ′ on [z_j, z_{j+2}]; and
    somewhere the grid's variation exceeds half of V: a bound halved would fail this test."""
    law = NOISE_LAWS[noise]
    zones = 16
    top, local, width = zone_variations(L, law, SPAN, zones)
    K = L - 2
    z = np.arange(zones + 1) * SPAN / zones
    tightest = 0.0
    for j in range(zones):
        u = np.linspace(z[j], z[min(j + 2, zones)], 4001)
        assert np.max(law.slope(u)) <= top[j]
        x = law.phi(u)
        for m in range(K + 1):
            variation = float(np.abs(np.diff(_second_derivative(K, m, x))).sum())
            assert variation <= local[j, m] * (1 + 1e-9) + 1e-12, (j, m, variation, local[j, m])
            if local[j, m] > 1e-3 * K * K:
                tightest = max(tightest, variation / local[j, m])
    assert tightest > 0.5
    assert width * (1 + 1e-6) >= SPAN / zones * (1 - 1e-6)


def _cells_remainder(noise, T, d, first=1, signed=False):
    """Σ_k |R₄,k| over the cells k >= ``first`` at 40 digits (``signed``: Σ_k R₄,k): each cell's left-sum error
    Δr·G(r_{k−1}) − ∫G minus ½Δr·(G(r_{k−1}) − G(r_k)) and (Δr²/12)(G′(r_k) − G′(r_{k−1})) (G a polynomial: its
    integral exact)."""
    L = len(d)
    with mpmath.workdps(40):
        alpha = _ALPHA[noise]
        top = 1 - alpha(mpmath.mpf(1))
        den = MDLM_DELTA.denominator * T
        r = [1 - (1 - alpha(mpmath.mpf(den - (MDLM_DELTA.denominator - 1) * k) / den)) / top for k in range(T + 1)]
        coefficients = [mpmath.mpf(0)] * L  # G as a power series in x
        for m in range(L):
            for i in range(L - m):  # x^m (1 − x)^(L−1−m)
                coefficients[m + i] += mpmath.mpf(d[m]) * comb(L - 1, m) * comb(L - 1 - m, i) * (-1) ** i
        G = lambda x: mpmath.polyval(coefficients[::-1], x)  # noqa: E731
        slope = [c * i for i, c in enumerate(coefficients)][1:]
        G1 = lambda x: mpmath.polyval(slope[::-1], x)  # noqa: E731
        integral = [c / (i + 1) for i, c in enumerate(coefficients)]
        F = lambda x: mpmath.polyval(([0] + integral)[::-1], x)  # noqa: E731
        total = mpmath.mpf(0)
        for k in range(first, T + 1):
            a, b = r[k - 1], r[k]
            step = b - a
            cell = step * G(a) - (F(b) - F(a)) - step / 2 * (G(a) - G(b)) - step**2 / 12 * (G1(b) - G1(a))
            total += cell if signed else abs(cell)
        return float(total)


@settings(max_examples=12, deadline=None)
@given(d=st.one_of(decreasing, steps_or_smooth), noise=st.sampled_from(NOISES), T=st.integers(65, 130))
def test_the_cell_local_weights_bound_euler_maclaurins_cells(d, noise, T):
    """Σ_k |R₄,k| <= (h⁴/384)·(L − 1)·Σ_m |Δd(m)|·ω(m), h = (1 − δ)/T (the weights' claim), at 40 digits."""
    L = len(d)
    assume(L >= 5)
    omega, width = twist_weights(L, NOISE_LAWS[noise], SPAN)
    h = SPAN / T
    assert h <= width
    bound = h**4 / 384 * (L - 1) * float(np.abs(np.diff(d)) @ omega)
    # the reference's own rounding: 40 digits on G's power series, whose coefficients reach max d·3^(L−1)
    # (a flat d has bound 0 and a 40-digit remainder of ~1e-40, not 0)
    assert _cells_remainder(noise, T, d) <= bound * (1 + 1e-9) + 1e-36 * T * 3**L * (1 + max(d))


@settings(max_examples=15, deadline=None)
@given(d=st.one_of(decreasing, steps_or_smooth), noise=st.sampled_from(NOISES), first=st.integers(65, 110),
       more=st.integers(0, 3))
def test_the_bracket_with_local_remainders_holds_the_exact_expected_error(d, noise, first, more):
    """At T >= 64 the Euler–Maclaurin form takes the cell-local remainder: each form alone still holds the value."""
    L = len(d)
    bracket = count_bracket(lambda T: family_sampler(f"mdlm:{noise}", T, L), d)
    assert isinstance(bracket, NoiseBracket)
    forms = bracket.forms(first, first + more)
    assert forms[1].rest3_local > 0
    values = [exact_error(noise, T, d) for T in range(first, first + more + 1)]
    for form in forms:
        lower, upper = bracket.apply(form, bracket.d, bracket.abs_d, bracket.tv1, bracket.tv3)
        assert all(lower <= v <= upper for v in values), (lower, values, upper)


def _exact_coefficients(noise, T, L):
    """c_m = E start size − 1 at 40 digits: L·Σ_k π_k P(Bin(L − 1, r_{k−1}) = m) + L(1 − r_T)P(Bin(L − 1, r_T) = m) − 1."""
    with mpmath.workdps(40):
        alpha = _ALPHA[noise]
        top = 1 - alpha(mpmath.mpf(1))
        den = MDLM_DELTA.denominator * T
        r = [1 - (1 - alpha(mpmath.mpf(den - (MDLM_DELTA.denominator - 1) * k) / den)) / top for k in range(T + 1)]
        weights = [(r[k] - r[k - 1], r[k - 1]) for k in range(1, T + 1)] + [(1 - r[T], r[T])]
        return np.array([float(sum(L * w * comb(L - 1, m) * x**m * (1 - x) ** (L - 1 - m) for w, x in weights) - 1)
                         for m in range(L)])


@settings(max_examples=10, deadline=None)
@given(data=st.data(), noise=st.sampled_from(NOISES), first=st.integers(65, 100), more=st.integers(0, 2),
       vocab=st.sampled_from([8, 50]))
def test_the_folded_brackets_hold_the_ends_over_every_completion(data, noise, first, more, vocab):
    """completion_bracket with the remainders folded into the forms: each end of the interval over the monotone
    completions (from the exact coefficients) lies in its bracket, at every T of the range."""
    from boundcalc import completion
    from boundcalc.count_brackets import completion_bracket
    from boundcalc.count_completion import completion_variation
    from boundcalc.count_noise_local import folded_ends

    curve = partial_curve(data.draw, 10)
    L = curve.length
    d = curve.conditional("linear")
    bracket = count_bracket(lambda T: family_sampler(f"mdlm:{noise}", T, L), d)
    highest = np.array(d, dtype=np.float64)
    for ma, A, mb, _ in completion._gaps(curve, vocab):
        highest[ma + 1: mb] = A
    ends = completion._interval_ends(curve, vocab)
    variation = completion_variation(L, completion._anchors(curve, vocab))
    low, high = completion_bracket(bracket, ends, highest, first, first + more, variation, folded_ends)
    alone = [folded_ends(bracket, form, ends, highest, first, first + more) for form in bracket.forms(first, first + more)]
    for T in range(first, first + more + 1):
        lo, hi = completion.completion_interval(curve, _exact_coefficients(noise, T, L), vocab)
        slack = 1e-12 * (1 + abs(lo) + abs(hi))  # the exact coefficients' rounding to float64
        assert low[0] - slack <= lo <= low[1] + slack and high[0] - slack <= hi <= high[1] + slack
        for (a, b), (c, e) in alone:  # each folded form alone holds them too
            assert a - slack <= lo <= b + slack and c - slack <= hi <= e + slack


@settings(max_examples=8, deadline=None)
@given(data=st.data(), family=st.sampled_from([f"mdlm:{n}" for n in NOISES]), where=st.floats(0.05, 0.95),
       vocab=st.sampled_from([8, 50]))
def test_the_t_range_past_64_equals_a_scan_of_every_t(data, family, where, vocab):
    """[T_lo, T_hi] with targets whose answers lie past T = 64, where the cell-local remainders apply: the brackets'
    search against the scan T by T."""
    from boundcalc import completion

    curve = partial_curve(data.draw, 8)
    L, top = curve.length, 160
    ends = {T: completion.completion_interval(curve, completion.family_coefficients(family, T, L, curve), vocab)
            for T in range(1, top + 1)}
    low, high = min(e[1] for T, e in ends.items() if T >= 64), max(e[0] for T, e in ends.items() if 48 <= T <= 80)
    assume(low < high)
    target = low + where * (high - low)
    assume(all(abs(x - target) > 1e-9 * (1 + abs(target)) for e in ends.values() for x in e))
    first = next((T for T in range(1, top + 1) if (ends[T][0] + ends[T][1]) / 2 <= target), top)
    expected = (next((T for T in range(1, first) if ends[T][0] <= target), first),
                next((T for T in range(first, top + 1) if ends[T][1] <= target), None))
    found = completion._bracketed_range(family, target, first, curve, vocab, top, [completion.MAX_RANGE_WORK])
    assert found == expected
