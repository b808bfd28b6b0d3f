"""Issue 22, round 10: the interval of ``mdlm:T:NOISE`` rows over a partial curve's monotone completions from the
T-independent forms (boundcalc.count_noise_completions): outer and inner brackets of each end.

Against independent truths: the direct batch's interval (count_noise_truth.noise_rows_truth: every start size,
then completion._interval_ends' closed form) on random partial curves, vocab sizes, L up to ~2000, every noise and
many T: outer low <= true low <= inner low and inner high <= true high <= outer high; the same against the exact
interval (start sizes and the closed form in Fractions) at L = 12; the zones' weights α against TV(a) of each basis
function on a fine grid. Mutations: dropping the zones' remainder (α), or the per-form brackets taking d's own
variation instead of the completions', makes a bracket miss.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import count_noise_completions as cn
from boundcalc import count_noise_expansion as ce
from boundcalc.count_noise_truth import noise_rows_truth
from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile
from boundcalc.schedule import parse_spec
from start_sizes_reference import exact_starts

NOISES = ["cosine", "cosine2", "linear", "geometric"]


def _truths(curve, noise, steps, vocab):
    """(low, high) of the direct batch's interval at each T, and a bound on their float error."""
    L = curve.length
    profile = curve_profile(curve)
    samplers = [parse_spec(f"mdlm:{T}:{noise}").build(L) for T in steps]
    rows = noise_rows_truth(profile, samplers, curve, vocab)
    ends = np.array([rows[id(s)].interval for s in samplers])
    return ends[:, 0], ends[:, 1], 1e-9 * (1 + np.abs(ends).max(axis=1))


def _brackets(curve, noise, steps, vocab):
    ex = ce.NoiseExpansion(noise, curve_profile(curve).conditional)
    return cn._ends_over_completions(ex, np.array(steps), curve, vocab)


def _check(curve, noise, steps, vocab):
    low, high, inner_low, inner_high = _brackets(curve, noise, steps, vocab)
    true_low, true_high, slack = _truths(curve, noise, steps, vocab)
    assert np.all(low <= true_low + slack), (noise, steps, low, true_low)
    assert np.all(true_low <= inner_low + slack), (noise, steps, true_low, inner_low)
    assert np.all(inner_high <= true_high + slack), (noise, steps, inner_high, true_high)
    assert np.all(true_high <= high + slack), (noise, steps, true_high, high)


@st.composite
def _curves(draw, smallest=16, largest=2000):
    L = draw(st.integers(smallest, largest))
    ks = sorted(draw(st.sets(st.integers(1, L), min_size=2, max_size=5)))
    losses = sorted(draw(st.lists(st.floats(0.05, 6.0), min_size=len(ks), max_size=len(ks))))
    return LossCurve(length=L, masked=ks, loss=losses)


@settings(max_examples=25, deadline=None)
@given(curve=_curves(), noise=st.sampled_from(NOISES), vocab=st.sampled_from([None, 8, 50, 50000]),
       fractions=st.lists(st.floats(0.001, 3.0), min_size=1, max_size=6))
def test_the_brackets_hold_the_direct_batchs_interval(curve, noise, vocab, fractions):
    L = curve.length
    steps = sorted({max(1, int(f * L)) for f in fractions} | {L})
    _check(curve, noise, steps, vocab)


@pytest.mark.parametrize("noise", NOISES)
def test_the_brackets_hold_at_l_2048(noise):
    """The benchmark's 16-point shape at L = 2048, T from 64 to 3L (the zones' remainders apply from T = 65)."""
    L = 2048
    curve = LossCurve(length=L, masked=[j * L // 16 for j in range(1, 17)], loss=[0.5 + 6 * j / 16 for j in range(1, 17)])
    _check(curve, noise, [64, 65, 300, 1024, 2048, 4000, 6144], None)


def _exact_interval(curve, starts, vocab):
    """[min, max] over the monotone completions of Σ_m (start_m − 1)·d(m), in Fractions (the closed form of
    completion_interval: the measured entries, and per gap B·Σc + (A − B)·extreme of the prefix sums, 0 included)."""
    from boundcalc.completion import _gaps

    L = curve.length
    d = curve.conditional("linear")
    c = [s - 1 for s in starts]
    measured = set((L - curve.masked).tolist())
    fixed = sum((c[m] * Fraction(float(d[m])) for m in measured), Fraction(0))
    low = high = fixed
    for ma, A, mb, B in _gaps(curve, vocab):
        prefix, run = [Fraction(0)], Fraction(0)
        for m in range(ma + 1, mb):
            run += c[m]
            prefix.append(run)
        A, B = Fraction(A), Fraction(B)
        low += B * prefix[-1] + (A - B) * min(prefix)
        high += B * prefix[-1] + (A - B) * max(prefix)
    return low, high


@pytest.mark.parametrize("noise", NOISES)
def test_the_brackets_hold_exact_fractions(noise):
    """At L = 12 each end over the completions, from the sampler's float p_k in Fractions (each within ε of the
    noise's: far inside the brackets), lies between the outer and the inner bracket."""
    L, vocab = 12, 20
    curve = LossCurve(length=L, masked=[2, 5, 9], loss=[0.4, 1.1, 2.5])
    steps = [3, 12, 30, 100]
    low, high, inner_low, inner_high = _brackets(curve, noise, steps, vocab)
    for i, T in enumerate(steps):
        sampler = parse_spec(f"mdlm:{T}:{noise}").build(L)
        floats = type("S", (), {"length": L, "exact": [Fraction(p) for p in sampler.reveal]})()
        lo, hi = _exact_interval(curve, exact_starts(floats), vocab)
        assert low[i] <= lo <= inner_low[i] and inner_high[i] <= hi <= high[i], (T, low[i], lo, inner_low[i])


def _assert_bend_weights_bound_tv(noise, K, span, alpha, points):
    """TV over [0, span] of a_m(u) = b_{m,K}(φ(u))·φ′(u) on ``points`` grid points of u (at most the true TV) is
    at most alpha[m] for every m = 0..K (the bend weights' and the zones' sharper ones' test)."""
    from math import comb

    from boundcalc.count_noise import NOISE_LAWS

    u = np.linspace(0.0, span, points)
    x, slope = NOISE_LAWS[noise].phi(u), NOISE_LAWS[noise].slope(u)
    for m in range(K + 1):
        a = comb(K, m) * x**m * (1 - x) ** (K - m) * slope
        assert float(np.abs(np.diff(a)).sum()) <= alpha[m] * (1 + 1e-9), (m, alpha[m])


@pytest.mark.parametrize("noise", NOISES)
def test_bend_weights_bound_tv_of_a(noise):
    """TV over [0, 1 − δ] of a_m(u) = b_{m,K}(φ(u))·φ′(u) on a fine grid of u (at most the true TV) is at most
    α(m), for every m at L = 40."""
    L = 40
    K = L - 2
    ex = ce.NoiseExpansion(noise, np.linspace(1.0, 0.0, L))
    law, span = ex.bracket.law, ex.bracket.s
    alpha = cn.bend_weights(L, law, span)
    _assert_bend_weights_bound_tv(noise, K, span, alpha, 20001)


@pytest.mark.parametrize("noise", NOISES)
def test_cell_slope_weights_bound_the_cells(noise):
    """Σ_k (max φ′ on cell k)·TV_cell(b_{m,K}∘φ) over the cells of T = 100 (h below the zones' width), each on 400
    points of the cell (at most the true values), is at most τ(m) for every m at L = 40."""
    from math import comb

    from boundcalc.count_noise import NOISE_LAWS

    L, T = 40, 100
    K = L - 2
    ex = ce.NoiseExpansion(noise, np.linspace(1.0, 0.0, L))
    law, span = NOISE_LAWS[noise], ex.bracket.s
    tau = cn.cell_slope_weights(L, ex.bracket.law, span)
    h = span / T
    u = np.concatenate([np.linspace(k * h, (k + 1) * h, 400) for k in range(T)]).reshape(T, 400)
    x, slope = law.phi(u), law.slope(u)
    for m in range(K + 1):
        b = comb(K, m) * x**m * (1 - x) ** (K - m)
        total = float((slope.max(axis=1) * np.abs(np.diff(b, axis=1)).sum(axis=1)).sum())
        assert total <= tau[m] * (1 + 1e-9), (m, total, tau[m])


def test_the_folded_remainders_are_the_forms():
    """_folded takes L·per_a·Φ1 (and R5's L·h³Φ1Φ2/6) out of rest1 and L·per_a·TV(φ′) out of rest0 (charged by α, τ
    instead): that holds only while count_noise_expansion's Euler–Maclaurin form has those parts. Checked, so that
    a change there fails here rather than leaving an unsound bracket."""
    L = 64
    ex = ce.NoiseExpansion("linear", np.linspace(2.0, 0.0, L))
    T = np.array([5, 70, 1000])
    form = ce._euler_maclaurin(ex, T)
    _, h_hi, _, _, (f1, f2, _), per_a, _ = ce._shared(ex, T)
    grow = 1 + 16 * ce._EPS
    assert np.allclose(form.rest1, L * (per_a * f1 + h_hi**3 * f1 * f2 / 6) * grow, rtol=1e-12, atol=0)
    assert np.all(form.rest0 >= L * per_a * ex.slope_turns * grow)
    end = ce._end_moves(ex.bracket, h_hi, 0.0)
    assert np.all(form.rest0 - L * per_a * ex.slope_turns * grow <= 2 * end + 1e-300 + 1e-12 * form.rest0)


def _miss(piece, noise):
    """True when some end of ``piece`` ("separate": the per-form brackets; "folded": the folded form's outer and
    inner brackets) misses the direct batch's interval on the mutation case."""
    L = 256
    curve = LossCurve(length=L, masked=[16, 100, 200, 256], loss=[0.3, 1.0, 2.2, 4.0])
    steps = list(range(2, 3 * L, 7))
    ex = ce.NoiseExpansion(noise, curve_profile(curve).conditional)
    top = cn._gap_layout(curve, 50)[0].copy()
    for ma, A, mb, _ in __import__("boundcalc.completion", fromlist=["_gaps"])._gaps(curve, 50):
        top[ma + 1 : mb] = A
    true_low, true_high, slack = _truths(curve, noise, steps, 50)
    if piece == "separate":
        low, high = cn._separate_ends(ex, np.array(steps), curve, 50, top)
        return bool(np.any(low > true_low + slack) or np.any(true_high > high + slack))
    low, high, inner_low, inner_high = cn._folded_ends(ex, np.array(steps), curve, 50, top)
    return bool(np.any(low > true_low + slack) or np.any(true_high > high + slack)
                or np.any(true_low > inner_low + slack) or np.any(inner_high > true_high + slack))


@pytest.mark.parametrize("piece", ["separate", "folded"])
def test_each_bracket_alone_holds(piece):
    assert not any(_miss(piece, noise) for noise in NOISES)


def test_dropping_the_remainders_misses(monkeypatch):
    """With the folded remainder R dropped, the folded bracket (outer or inner) misses the direct batch's interval
    (α's part alone is checked against TV(a) itself, :func:`test_bend_weights_bound_tv_of_a`)."""
    original = cn._folded

    def dropped(ex, form, T):
        out = original(ex, form, T)
        for name in [n for n in out.lower if n.startswith("F")]:
            out.lower[name] = 0 * out.lower[name]
            out.upper[name] = 0 * out.upper[name]
        return out

    monkeypatch.setattr(cn, "_folded", dropped)
    assert any(_miss("folded", noise) for noise in NOISES)


def test_the_own_variation_misses(monkeypatch):
    """The per-form brackets with the variation of d itself (the linear interpolation's: ce._variations and its
    largest step) in place of the completions' (completion_variation) miss."""
    import boundcalc.count_completion as cc

    def own(L, anchors):
        d = np.asarray(curve_profile(LossCurve(length=256, masked=[16, 100, 200, 256],
                                               loss=[0.3, 1.0, 2.2, 4.0])).conditional)
        tv1, tv3 = ce._variations(d)
        return cc.CompletionVariation(tv1, tv3, (L - 1) * float(np.max(np.abs(np.diff(d)))))

    monkeypatch.setattr(cc, "completion_variation", own)
    assert any(_miss("separate", noise) for noise in NOISES)


def test_rows_kept_and_their_intervals():
    """completed_rows_truth keeps the rows ``keep`` chooses, each with the outer bracket completion_ends gives; the
    interval is None without gaps; interval_unsure is max(inner − outer) over the two ends."""
    L = 64
    curve = LossCurve(length=L, masked=[4, 20, 64], loss=[0.3, 1.0, 3.0])
    profile = curve_profile(curve)
    steps = [10, 64, 500]
    samplers = [parse_spec(f"mdlm:{T}:cosine2").build(L) for T in steps]
    rows = cn.completed_rows_truth(profile, samplers, curve, 50, lambda ex, T, values, errors: T >= 64)
    assert sorted(rows) == sorted(id(s) for s in samplers[1:])
    ex = ce.NoiseExpansion("cosine2", profile.conditional)
    low, high, inner_low, inner_high = cn.completion_ends(ex, steps, curve, 50)
    assert np.all(low <= inner_low) and np.all(inner_high <= high)
    for i, sampler in enumerate(samplers[1:], 1):
        a, b = rows[id(sampler)].interval
        assert (a == 0.0 or a == min(low[i], rows[id(sampler)].value)) and b == max(high[i], rows[id(sampler)].value)
    # below the sharp weights' overhang (T <= 1024 at 64 zones) no interval is examined: unsure is inf
    unsure = cn.interval_unsure(ex, steps + [1100, 3000], curve, 50)
    low, high, inner_low, inner_high = cn.completion_ends(ex, [1100, 3000], curve, 50)
    assert unsure.tolist() == [np.inf] * 3 + np.maximum(inner_low - low, high - inner_high).tolist()
    assert all(row.interval is None for row in cn.completed_rows_truth(profile, samplers, None, 50).values())
