"""Issue 22, round 12: the folded forms' zone weights over overhanging zones with each zone's own variation
(boundcalc.count_noise_zones; docs/theory.md §12, "Intervals over completions", (5)).

Each weight is checked against the quantity it claims to bound, computed independently on a fine grid of each cell
(at most the true value): τ(m) >= Σ_k (max φ′ on cell k)·TV_cell(b_{m,K}∘φ), ω(m) >= Σ_k (max φ′ on cell k)⁴·
TV_cell(b″_{m,K}∘φ) for every T with h <= the overhang (T > 1024), and α(m) >= TV over [0, 1 − δ] of b_{m,K}(φ)·φ′;
the brackets that use them hold the direct batch's interval on random partial curves (hypothesis), and the weights
are at most the old ones. Mutations caught (run by hand): the zones without their overhang (τ, ω miss the cells that
cross a zone's end), a monotone zone's variation taken the wrong way round (b(x1) − b(x2) left of the mode), the
outer variation's errors dropped together with its value doubled (ω misses).
"""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import count_noise_completions as cn
from boundcalc import count_noise_zones as cz
from boundcalc.count_noise import NOISE_LAWS
from boundcalc.count_noise_local import ZONES, twist_weights
from boundcalc.estimate import curve_profile
from boundcalc.count_noise_expansion import NoiseExpansion
from test_count_noise_completions import _assert_bend_weights_bound_tv, _check
from test_count_noise_completions import _curves as completion_curves

NOISES = ["cosine", "cosine2", "linear", "geometric"]


def _span(noise, L):
    return NoiseExpansion(noise, np.linspace(1.0, 0.0, L)).bracket.s


def _cells(noise, L, T, points=120):
    """u on ``points`` points of each cell of T (h = span/T), x = φ(u), φ′ there and |φ″|/Φ2 there."""
    span = _span(noise, L)
    h = span / T
    u = np.concatenate([np.linspace(k * h, (k + 1) * h, points) for k in range(T)]).reshape(T, points)
    law = NOISE_LAWS[noise]
    return span, law.phi(u), law.slope(u), np.abs(law.bend(u)) / law.bend_top


def _second(K, m, x):
    """b″_{m,K}(x) = K(K − 1)(b_{m−2} − 2b_{m−1} + b_m)_{K−2} in floats (terms outside 0..K − 2 are 0)."""
    n = K - 2
    total = 0.0
    for c, j in ((1, m - 2), (-2, m - 1), (1, m)):
        if 0 <= j <= n:
            total = total + c * comb(n, j) * x**j * (1 - x) ** (n - j)
    return K * (K - 1) * total


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("L,T", [(40, 1025), (40, 1500), (23, 1200)])
def test_sharp_cell_weights_bound_the_cells(noise, L, T):
    K = L - 2
    span, x, slope, bend = _cells(noise, L, T)
    assert span / T <= cz.overhang_width(span, ZONES)
    tau = cz.sharp_cell_weights(L, NOISE_LAWS[noise], span, ZONES)
    top = slope.max(axis=1) * bend.max(axis=1)  # R₅'s Φ1·Φ2 on each cell, over the global Φ2
    for m in range(K + 1):
        b = comb(K, m) * x**m * (1 - x) ** (K - m)
        total = float((top * np.abs(np.diff(b, axis=1)).sum(axis=1)).sum())
        assert total <= tau[m] * (1 + 1e-9), (m, total, tau[m])


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("L,T", [(40, 1025), (40, 1500), (23, 1200)])
def test_sharp_twist_weights_bound_the_cells(noise, L, T):
    K = L - 2
    span, x, slope, _ = _cells(noise, L, T)
    omega = cz.sharp_twist_weights(L, NOISE_LAWS[noise], span, ZONES)
    top = slope.max(axis=1) ** 4
    for m in range(K + 1):
        b2 = _second(K, m, x)
        total = float((top * np.abs(np.diff(b2, axis=1)).sum(axis=1)).sum())
        assert total <= omega[m] * (1 + 1e-9) + 1e-9 * K * K, (m, total, omega[m])


@pytest.mark.parametrize("noise", NOISES)
def test_sharp_bend_weights_bound_tv_of_a(noise):
    L = 40
    K = L - 2
    span = _span(noise, L)
    alpha = cz.sharp_bend_weights(L, NOISE_LAWS[noise], span, ZONES)
    _assert_bend_weights_bound_tv(noise, K, span, alpha, 40001)


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("L,T", [(40, 1025), (31, 1300)])
def test_local_bend_weights_bound_each_cells_share(noise, L, T):
    """Σ_k (max |φ″| on cell k)/Φ2·TV_cell(a_m), a_m = b_{m,K}(φ)·φ′ (the midpoint rule's R₂ with each cell's own
    Φ2; 120 points a cell) is at most the local α(m)."""
    K = L - 2
    span, x, slope, bend = _cells(noise, L, T)
    alpha = cz.sharp_bend_weights(L, NOISE_LAWS[noise], span, ZONES, local=True)
    top = bend.max(axis=1)
    for m in range(K + 1):
        a = comb(K, m) * x**m * (1 - x) ** (K - m) * slope
        total = float((top * np.abs(np.diff(a, axis=1)).sum(axis=1)).sum())
        assert total <= alpha[m] * (1 + 1e-9), (m, total, alpha[m])


@pytest.mark.parametrize("noise", NOISES)
def test_zone_bends_hold_on_the_overhang(noise):
    span = _span(noise, 1000)
    law = NOISE_LAWS[noise]
    ratio = cz.zone_bends(law, span, ZONES)
    lo, hi, _, _, _ = cz.overhang_zones(law, span, ZONES)
    eta = cz.overhang_width(span, ZONES)
    for j in range(ZONES):
        u = np.linspace(max(lo[j] - eta, 0.0), min(hi[j] + eta, span), 4001)
        assert np.all(np.abs(law.bend(u)) <= ratio[j] * law.bend_top), j


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("L", [40, 300, 2000])
def test_sharp_weights_are_at_most_the_old_ones(noise, L):
    span = _span(noise, L)
    law = NOISE_LAWS[noise]
    assert np.all(cz.sharp_bend_weights(L, law, span, ZONES) <= cn.bend_weights(L, law, span) * (1 + 1e-12))
    assert np.all(cz.sharp_bend_weights(L, law, span, ZONES, True) <= cz.sharp_bend_weights(L, law, span, ZONES) * (1 + 1e-12))
    assert np.all(cz.sharp_cell_weights(L, law, span, ZONES) <= cn.cell_slope_weights(L, law, span) * 2.5)
    assert np.all(cz.sharp_twist_weights(L, law, span, ZONES) <= twist_weights(L, law, span)[0] * 2.5)


def test_bernstein_variation_is_each_ranges_own():
    """TV over [x1, x2] of b_{m,n} against a fine grid: never below it, and within 10⁻⁵ of it."""
    import math

    n = 60
    lf = np.array([math.lgamma(k + 1) for k in range(n + 1)])
    m = np.arange(n + 1)
    for x1, x2 in ((0.0, 0.1), (0.2, 0.45), (0.5, 0.52), (0.9, 1.0), (0.0, 1.0), (0.33, 0.34)):
        x = np.linspace(x1, x2, 200001)
        found = cz.bernstein_variation(lf, n, m, x1, x2)
        for j in range(n + 1):
            tv = float(np.abs(np.diff(comb(n, j) * x**j * (1 - x) ** (n - j))).sum())
            assert tv <= found[j] * (1 + 1e-9) and found[j] <= tv + 1e-5, (x1, x2, j, tv, found[j])


@settings(max_examples=20, deadline=None)
@given(curve=completion_curves(), noise=st.sampled_from(NOISES), vocab=st.sampled_from([None, 8, 50, 50000]),
       steps=st.lists(st.integers(1025, 3000), min_size=1, max_size=3, unique=True))
def test_brackets_with_sharp_weights_hold_the_direct_interval(curve, noise, vocab, steps):
    """At T >= 1025 (h within the overhang) the folded form takes the sharp τ and ω: the outer brackets contain and
    the inner ones lie inside the direct batch's interval, within its certified error."""
    steps = sorted(steps)
    ex = NoiseExpansion(noise, curve_profile(curve).conditional)
    assert all(ex.bracket.s / T <= cz.overhang_width(ex.bracket.s, ZONES) for T in steps)
    _check(curve, noise, steps, vocab)


@pytest.mark.parametrize("noise", NOISES)
def test_each_zones_top_holds_on_its_overhang(noise):
    """Φ1_j >= φ′ on a fine grid of [z_j − η, z_{j+1} + η] ∩ [0, span], and the zones' r-ranges hold φ of the zone and
    meet their neighbours' (every cell meeting zone j, for h <= η, lies there)."""
    span = _span(noise, 1000)
    law = NOISE_LAWS[noise]
    lo, hi, top, x1, x2 = cz.overhang_zones(law, span, ZONES)
    eta = cz.overhang_width(span, ZONES)
    for j in range(ZONES):
        u = np.linspace(max(lo[j] - eta, 0.0), min(hi[j] + eta, span), 2001)
        assert np.all(law.slope(u) <= top[j]), j
        inside = law.phi(np.linspace(lo[j], min(hi[j], span), 201))
        assert x1[j] <= inside.min() and inside.max() <= x2[j], j
    assert np.all(x2[:-1] >= x1[1:]) and x1[0] == 0.0


def test_the_sharp_weights_only_where_h_is_within_the_overhang():
    """_folded charges τ and ω by the sharp weights (Fc2, Fw2) only at T whose h is within the overhang, by the old
    ones (Fc, Fw) elsewhere, never both."""
    L = 5000
    ex = NoiseExpansion("cosine", np.linspace(2.0, 0.0, L))
    T = np.array([100, 300, 1023, 1024, 1025, 2000, 9000])
    from boundcalc.count_noise_expansion import _euler_maclaurin

    folded = cn._folded(ex, _euler_maclaurin(ex, T), T)
    sharp = folded.upper["Fc2"] > 0
    overhang = cz.overhang_width(ex.bracket.s, ZONES)
    assert sharp.tolist() == (ex.bracket.s / T * (1 + 4e-16) <= overhang).tolist() == [False] * 4 + [True] * 3
    assert np.all((folded.upper["Fw2"] > 0) == sharp) and np.all(folded.upper["Fc"][sharp] == 0)
    assert np.all(folded.upper["Fw"][sharp] == 0) and np.all(folded.upper["Fc"][~sharp] > 0)
    assert np.all((folded.upper["Fa2"] > 0) == sharp) and np.all((folded.upper["Fa"] > 0) == ~sharp)
    # where every T takes the sharp weights the others are neither built nor combined
    ex = NoiseExpansion("cosine", np.linspace(2.0, 0.0, L))
    folded = cn._folded(ex, _euler_maclaurin(ex, T[4:]), T[4:])
    assert not {"Fw", "Fc", "Fa", "F3"} & set(folded.upper) and not {"Fc", "Fa"} & set(ex.vectors)
    assert {"Fw2", "Fc2", "Fa2", "F1", "F0"} <= set(folded.upper)
