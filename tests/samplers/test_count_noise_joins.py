"""Issue 22, round 11: the interval of ``mdlm:T:NOISE`` rows over a partial curve's monotone completions from the
folded forms joined to an edge's exact coefficients (boundcalc.count_noise_joins, count_noise_completions.joined_ends).

Against the independent truth, the direct batch (count_noise_starts.noise_starts: every start size of the rows'
samplers, then completion_interval's closed form): outer low <= true low <= inner low and inner high <= true high <=
outer high, on random partial curves, L, V, every noise, T, either edge and any split; the edge's coefficients
taken from the direct batch itself, or perturbed within a declared error (the join must hold for any coefficients
within their error). Mutations caught (run by hand, each failing a test here): the edge's error dropped (the
perturbed coefficients then miss), the lump at the split forgotten, the exact entries taken up to and including
the split (the split counted twice).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import count_noise_completions as cn
from boundcalc import count_noise_expansion as ce
from boundcalc import count_noise_joins as cj
from boundcalc.completion import _gaps, completion_interval
from boundcalc.count_noise_starts import noise_starts
from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile
from boundcalc.schedule import parse_spec
from test_count_noise_completions import _curves as completion_curves

NOISES = ["cosine", "cosine2", "linear", "geometric"]


def _direct(noise, L, steps):
    """(start sizes (rows, L), an absolute bound on each entry's error) of the rows' samplers, by the direct batch."""
    samplers = [parse_spec(f"mdlm:{T}:{noise}").build(L) for T in steps]
    found = noise_starts(samplers)
    starts = found.starts.reshape(len(steps), L)
    rel = np.asarray(found.error)[:, None]
    return starts, rel * starts * (1 + rel) + found.absolute


def _reference(noise, L, T, lo, hi):
    """count_noise_edges.edge_starts' contract from the direct batch: (start sizes on [lo, hi), error per row)."""
    starts, error = _direct(noise, L, [int(t) for t in T])
    return starts[:, lo:hi], error[:, lo:hi].max(axis=1)


def _top(curve, vocab):
    top = np.asarray(curve.conditional("linear"), dtype=np.float64).copy()
    for ma, A, mb, _ in _gaps(curve, vocab):
        top[ma + 1 : mb] = A
    return top


def _check_joined(curve, noise, steps, vocab, start, width, perturb=0.0, seed=0):
    """The joined brackets around the direct batch's interval at every T (edge ``start`` or end, ``width`` exact
    entries); with ``perturb`` the edge's coefficients moved at random by up to that, and declared so."""
    L = curve.length
    top = _top(curve, vocab)
    if not np.all(np.isfinite(top)):  # no finite completion bound (no V, d(0) unmeasured): the ends are [0, ∞)
        return None
    ex = ce.NoiseExpansion(noise, curve_profile(curve).conditional)
    starts, error = _direct(noise, L, steps)
    window = slice(0, width) if start else slice(L - width, L)
    values = starts[:, window] - 1.0
    errors = error[:, window] + 4 * 2.0**-52 * np.abs(values)
    if perturb:
        values = values + np.random.default_rng(seed).uniform(-perturb, perturb, values.shape)
        errors = errors + perturb
    split = np.full(len(steps), width if start else L - 1 - width)
    low, high, inner_low, inner_high = cn.joined_ends(ex, np.array(steps), curve, vocab, top,
                                                      cj.Edge(start, split, values, errors))
    for i, T in enumerate(steps):
        true_low, true_high = completion_interval(curve, starts[i] - 1.0, vocab)
        # the truth's own certified error: each start size within its bound, against the completions' largest d
        slack = float(error[i] @ top) + 1e-12 * (1 + abs(true_low) + abs(true_high))
        assert low[i] <= true_low + slack, (noise, T, start, width, low[i], true_low)
        assert true_low <= inner_low[i] + slack, (noise, T, start, width, true_low, inner_low[i])
        assert inner_high[i] <= true_high + slack, (noise, T, start, width, inner_high[i], true_high)
        assert true_high <= high[i] + slack, (noise, T, start, width, true_high, high[i])
    return low, high, inner_low, inner_high


def _curves(smallest=40, largest=1500):
    """The completions tests' random partial curves (2 to 5 measured points), from L = 40 (an edge to join)."""
    return completion_curves(smallest, largest)


@settings(max_examples=30, deadline=None)
@given(curve=_curves(), noise=st.sampled_from(NOISES), vocab=st.sampled_from([None, 8, 50, 50000]),
       fractions=st.lists(st.floats(0.05, 3.0), min_size=1, max_size=4), start=st.booleans(),
       share=st.floats(0.0, 0.45))
def test_the_joined_brackets_hold_the_direct_batchs_interval(curve, noise, vocab, fractions, start, share):
    L = curve.length
    steps = sorted({max(1, int(f * L)) for f in fractions} | {L})
    width = max(1, min(int(share * L), L - 3))
    _check_joined(curve, noise, steps, vocab, start, width)


@settings(max_examples=15, deadline=None)
@given(curve=_curves(largest=600), noise=st.sampled_from(NOISES), vocab=st.sampled_from([None, 50]),
       start=st.booleans(), width=st.integers(1, 40), seed=st.integers(0, 1000))
def test_the_join_holds_for_coefficients_anywhere_within_their_error(curve, noise, vocab, start, width, seed):
    """The edge's coefficients moved by up to 10⁻³ (declared): the brackets still hold (the edge's error enters ℓ)."""
    width = min(width, curve.length - 3)
    _check_joined(curve, noise, [curve.length // 2, curve.length, 2 * curve.length], vocab, start, width,
                  perturb=1e-3, seed=seed)


def _sixteen(L):
    return LossCurve(length=L, masked=[j * L // 16 for j in range(1, 17)], loss=[0.5 + 0.375 * j for j in range(1, 17)])


@pytest.mark.parametrize("noise,start", [("cosine", True), ("geometric", True), ("cosine2", True), ("linear", False)])
def test_the_join_narrows_where_the_edge_matters(noise, start):
    """The benchmark's 16-point shape at L = 3000, T large: the joined brackets hold and are narrower than the
    folded forms' alone where the extreme completion puts a drop among the edge's first (last) cells."""
    L = 3000
    curve = _sixteen(L)
    steps = [1500, 3000, 6000]
    low, high, inner_low, inner_high = _check_joined(curve, noise, steps, None, start, 64)
    ex = ce.NoiseExpansion(noise, curve_profile(curve).conditional)
    before = cn._unsure(*cn._folded_ends(ex, np.array(steps), curve, None, _top(curve, None)))
    after = cn._unsure(low, high, inner_low, inner_high)
    assert np.all(after <= before * (1 + 1e-6))  # the join adds only its own rounding where it does not help
    if noise in ("cosine", "geometric"):
        assert after[-1] < 0.1 * before[-1], (after, before)


def test_widths_follow_the_edges_slope():
    from boundcalc.count_noise import NOISE_LAWS

    T = np.array([64, 1024, 4096, 16384])
    start, widths = cj.edge_widths(NOISE_LAWS["cosine"], 1.0, 16384, T)
    assert start and widths.tolist() == [0, 512, 32, 16]
    start, widths = cj.edge_widths(NOISE_LAWS["linear"], 1.0, 16384, T)
    assert not start and widths[-1] == 32


def test_edge_ends_groups_rows_by_width_and_takes_the_provider():
    """edge_ends at L = 600 with the direct batch as the provider: every joined T within the direct batch's
    interval, the ones too small to join left without a bracket."""
    L = 600
    curve = _sixteen(L)
    ex = ce.NoiseExpansion("geometric", curve_profile(curve).conditional)
    steps = np.array([8, 300, 600, 1200])
    low, high, inner_low, inner_high = cn.edge_ends(ex, steps, curve, None, _top(curve, None), _reference)
    starts, _ = _direct("geometric", L, steps.tolist())
    _, widths = cj.edge_widths(ex.bracket.law, ex.bracket.s, L, steps)
    for i in range(steps.size):
        if widths[i] == 0:
            assert low[i] == -np.inf and high[i] == np.inf
            continue
        true_low, true_high = completion_interval(curve, starts[i] - 1.0, None)
        assert low[i] <= true_low <= inner_low[i] + 1e-9 and inner_high[i] - 1e-9 <= true_high <= high[i]


def test_below_the_join_length_nothing_is_joined(monkeypatch):
    """At L < JOIN_MIN_LENGTH the ends are the folded forms' (every byte as before): edge_ends is never called."""
    def refuse(*args, **kwargs):
        raise AssertionError("joined below JOIN_MIN_LENGTH")

    monkeypatch.setattr(cn, "edge_ends", refuse)
    curve = _sixteen(400)
    ex = ce.NoiseExpansion("cosine", curve_profile(curve).conditional)
    cn._ends_over_completions(ex, np.array([200, 400]), curve, None)
