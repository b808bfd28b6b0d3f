"""Issue 22: the step probabilities of MDLM's other noises (boundcalc.noise_steps, boundcalc.double_double).

Every p_k and 1 − p_k must be the float64 nearest the exact value, bit for bit the 40-digit builder's
(``mpmath_steps``), on random T and k, on the entries the long double pass leaves open (its near-ties) and on the
double-double pass's own nearest ties; the double-double values are checked against 60-digit mpmath within their
derived error bound (docs/theory.md §12, "The step probabilities in double-double").
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import double_double as dd
from boundcalc import noise_steps
from boundcalc.count_sampler import CountSampler
from boundcalc.noise_steps import ALPHA, mpmath_steps, step_probabilities

NOISES = ["cosine", "cosine2", "linear", "geometric"]
#: the derived bounds of the double-double pass (noise_steps.DD_BOUNDS, in OP_ERROR: its docstrings), which the
#: rounding test widens to 2^−80
DERIVED = {noise: bound * dd.OP_ERROR for noise, bound in noise_steps.DD_BOUNDS.items()}


def exact_steps(noise, T, k, digits=60):
    """(p_k, 1 − p_k) at ``digits`` digits from α."""
    with mpmath.workdps(digits):
        den = 10**5 * T
        before = ALPHA[noise](mpmath.mpf(den - 99999 * (k - 1)) / den)
        after = ALPHA[noise](mpmath.mpf(den - 99999 * k) / den)
        return (after - before) / (1 - before), (1 - after) / (1 - before)


def relative(pair, value):
    with mpmath.workdps(60):
        return float(abs((mpmath.mpf(pair[0]) + mpmath.mpf(pair[1]) - value) / value))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NOISES), st.integers(1, 100_000), st.lists(st.floats(0, 1), min_size=1, max_size=4))
def test_every_step_probability_is_the_40_digit_float(noise, T, where):
    reveal, keep = step_probabilities(noise, T)
    ks = sorted({1, T, *(1 + int(w * (T - 1)) for w in where)})
    assert [(reveal[k - 1], keep[k - 1]) for k in ks] == mpmath_steps(noise, T, ks)


@pytest.mark.parametrize("noise", NOISES)
def test_the_long_double_near_ties_are_settled_right(noise):
    """The entries whose long double interval straddles a float64 rounding boundary (about 1 in 10): each is the
    40-digit float; the draw is over a few T, up to 60 entries each."""
    rng = np.random.default_rng(22)
    for T in (97, 1000, 16384, 100_000):
        p_ld, q_ld, bound = noise_steps.long_grid(noise, T)
        _, sure_p = noise_steps._settled_long(p_ld, bound)
        _, sure_q = noise_steps._settled_long(q_ld, bound)
        open_ = np.nonzero(~(sure_p & sure_q))[0]
        assert 0 < open_.size < T // 4
        ks = sorted(set((rng.choice(open_, size=min(60, open_.size), replace=False) + 1).tolist()))
        reveal, keep = step_probabilities(noise, T)
        assert [(reveal[k - 1], keep[k - 1]) for k in ks] == mpmath_steps(noise, T, ks)


@pytest.mark.parametrize("noise", NOISES)
def test_the_double_double_values_are_within_their_derived_bound(noise):
    """Random T and k, against 60 digits; the bound fails if a series term or a lo part is dropped."""
    rng = np.random.default_rng(7)
    T = np.concatenate(([1, 2, 3, 100_000, 100_000], rng.integers(1, 100_001, 40)))
    k = np.array([1, 2, 3, 1, 100_000] + [int(rng.integers(1, t + 1)) for t in T[5:]])
    p, q = noise_steps.double_steps(noise, T, k)
    worst = 0.0
    for j, (t, step) in enumerate(zip(T.tolist(), k.tolist())):
        P, Q = exact_steps(noise, t, step)
        worst = max(worst, relative((p[0][j], p[1][j]), P), relative((q[0][j], q[1][j]), Q))
    assert worst <= DERIVED[noise] < noise_steps.DD_RELATIVE
    assert worst > 2.0**-120  # the check compares real digits, not a copy


@pytest.mark.parametrize("noise", NOISES)
def test_the_nearest_double_double_ties_round_as_mpmath(noise):
    """Among all steps of a few T, those whose double-double value lies closest to a float64 rounding boundary
    (|lo| nearest half a gap): each is still the 40-digit float (or was left to mpmath)."""
    for T in (5000, 65536):
        k = np.arange(1, T + 1)
        p, q = noise_steps.double_steps(noise, np.full(T, T), k)
        for hi, lo in (p, q):
            gap = np.nextafter(hi, np.inf) - hi
            slack = gap / 2 - np.abs(lo)
            ks = (np.argsort(slack / gap)[:12] + 1).tolist()
            reveal, keep = step_probabilities(noise, T)
            assert [(reveal[s - 1], keep[s - 1]) for s in ks] == mpmath_steps(noise, T, ks)


#: two sweeps' batches: many rows (the progressions' tables of anchors and offsets) and a few long ones (each
#: value in double-double directly: cheaper than the tables' recurrences), each with T = 1, 2, 3
BATCHES = [list(range(1, 300)), [1, 2, 3, 17, 333, 1000, 1024, 4096, 9999, *range(500, 513)]]


#: (batch, the largest table built by doubling: None = the module's): the first batch's tables by doubling
#: (few entries) and, with the limit at 0, by the row-by-row recurrence; the second batch directly
PATHS = [(BATCHES[0], None), (BATCHES[0], 0), (BATCHES[1], None)]


def test_the_batches_take_every_path():
    from boundcalc import noise_progressions as progressions

    for batch, direct in zip(BATCHES, (False, True)):
        counts = np.array(batch) + 1
        B = progressions.block_size(int(counts.max()))
        assert progressions._direct(counts, B, int(counts.max() - 1) // B + 1) is direct
    lanes = 4 * len(BATCHES[0])  # the cosines' lanes: points, sums, supplements, differences
    assert (progressions.block_size(300) + 1) * lanes <= progressions._DOUBLING < 1024 * 34 * 3


def _take_path(monkeypatch, limit):
    from boundcalc import noise_progressions as progressions

    if limit is not None:
        monkeypatch.setattr(progressions, "_DOUBLING", limit)


def _ld_relative(value, exact):
    with mpmath.workdps(60):
        return float(abs((mpmath.mpf(np.format_float_scientific(value, precision=30)) - exact) / exact))


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("batch, limit", PATHS)
def test_the_progressions_long_doubles_are_within_their_bounds(noise, batch, limit, monkeypatch):
    """Pass 1 of a sweep's batch (boundcalc.noise_progressions): each p_k and 1 − p_k within its bound of 60 digits,
    on the first, last and random steps of every T; the bounds stay below the libm pass's (64u, 48u, 128u)."""
    _take_path(monkeypatch, limit)
    rng = np.random.default_rng(8)
    grid = noise_steps._Steps(batch)
    with np.errstate(all="ignore"):
        p, q, bound_p, bound_q = noise_steps._LONG[noise](grid)
    assert max(bound_p, bound_q) < 48 * 2.0**-64
    start = 0
    worst = 0.0
    for T in batch:
        for k in sorted({1, T, *rng.integers(1, T + 1, 2).tolist()}):
            P, Q = exact_steps(noise, T, k)
            worst = max(worst, _ld_relative(p[start + k - 1], P) / bound_p)
            if k < T or noise != "cosine":  # 1 − p_T of cosine is about 10^-11: still a relative bound
                worst = max(worst, _ld_relative(q[start + k - 1], Q) / bound_q)
        start += T
    assert worst <= 1
    assert worst > 2.0**-30  # the check compares real digits


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("batch, limit", PATHS)
def test_a_prepared_batch_is_the_40_digit_floats(noise, batch, limit, monkeypatch):
    """Every T of a sweep's batch: the first and last steps, random ones and up to 40 of those the progressions
    leave open (their near-ties), each the 40-digit float."""
    _take_path(monkeypatch, limit)
    rng = np.random.default_rng(9)
    rows = noise_steps.prepare(noise, batch)
    grid = noise_steps._Steps(sorted(batch))
    with np.errstate(all="ignore"):
        p, q, bound_p, bound_q = noise_steps._LONG[noise](grid)
    open_ = ~(noise_steps._settled_long(p, bound_p)[1] & noise_steps._settled_long(q, bound_q)[1])
    start = 0
    for T in sorted(batch):
        near = np.flatnonzero(open_[start:start + T]) + 1
        picks = {1, T, *rng.integers(1, T + 1, 2).tolist(), *rng.permutation(near)[:12].tolist()}
        ks = sorted(int(k) for k in picks)
        reveal, keep = rows.probabilities(T)
        assert [(reveal[k - 1], keep[k - 1]) for k in ks] == mpmath_steps(noise, T, ks)
        start += T
    assert open_.any()


def test_cosine2_first_steps_at_large_T_are_correctly_rounded():
    """The long double pass took sin(π(t_k + t_{k−1})/2) near π, where the argument's rounding is amplified by
    1/Δ: p_1 of mdlm:333:cosine2 (and several more at larger T) came out one ulp off. Now sin(π − ·) is used."""
    for T in (333, 2000, 16384, 100_000):
        reveal, keep = step_probabilities("cosine2", T)
        ks = list(range(1, 12))
        assert [(reveal[k - 1], keep[k - 1]) for k in ks] == mpmath_steps("cosine2", T, ks)


def test_entries_left_open_go_to_mpmath(monkeypatch):
    """With the double-double pass's tolerance widened to 2^−45 most open entries go on to mpmath; the floats
    are the same."""
    calls = []
    real = noise_steps._mpmath_at
    monkeypatch.setattr(noise_steps, "DD_RELATIVE", 2.0**-45)
    monkeypatch.setattr(noise_steps, "_mpmath_at", lambda *a: calls.append(a[1].size) or real(*a))
    reveal, keep = step_probabilities("geometric", 700)
    assert calls and calls[0] > 10
    assert list(zip(reveal, keep)) == mpmath_steps("geometric", 700, list(range(1, 701)))


def test_prepared_rows_are_the_single_builds():
    rows = noise_steps.prepare("linear", [3, 1, 400, 3, 0, 250_000])
    assert rows.steps == (1, 3, 400) and noise_steps.prepared("linear") is rows  # T out of range skipped
    assert rows.offsets.tolist() == [0, 2, 6, 407]  # T + 1 entries a row: the noise removal last
    for array in (rows.offsets, rows.reveal, rows.keep):
        assert not array.flags.writeable
    prepared = {T: step_probabilities("linear", T) for T in (1, 3, 400)}
    noise_steps._PREPARED.clear()
    for T, value in prepared.items():
        assert value == step_probabilities("linear", T)  # built alone
        assert value == tuple(map(list, zip(*mpmath_steps("linear", T, list(range(1, T + 1))))))
        i = rows.row(T)
        end = int(rows.offsets[i + 1]) - 1
        assert (rows.reveal[end], rows.keep[end]) == (1.0, 0.0)
    sampler = CountSampler.mdlm(16, 400, "linear")
    assert list(sampler.reveal[:-1]) == prepared[400][0]


def test_rounds_to_hi_refuses_a_half_way_value():
    hi = np.array([1.0, 1.0, 1.5, 1.0])
    half = 2.0**-53  # half the gap above 1.0; below 1.0 the gap is half as wide
    lo = np.array([half, -half / 2, 0.0, half * 0.999])
    assert dd.rounds_to_hi((hi, lo), 0.0).tolist() == [False, False, True, True]
    assert dd.rounds_to_hi((hi, lo), 2.0**-60).tolist() == [False, False, True, False]


@settings(max_examples=80, deadline=None)
@given(st.fractions(0, Fraction(355, 226)))
def test_double_double_sine_within_its_bound(x):
    """sin on [0, π/2] within SIN_ERROR·OP_ERROR of 60 digits plus the argument's own rounding (2^−106)."""
    arg = dd.constant(x)
    hi, lo = dd.sin((np.array([arg[0]]), np.array([arg[1]])))
    with mpmath.workdps(60):
        exact = mpmath.sin(mpmath.mpf(x.numerator) / x.denominator)
        if exact == 0:
            assert hi[0] == 0
            return
        assert relative((hi[0], lo[0]), exact) <= dd.SIN_ERROR * dd.OP_ERROR + 2.0**-105


@settings(max_examples=80, deadline=None)
@given(st.fractions(0, 8).filter(lambda y: y > Fraction(1, 2**200)))
def test_double_double_exponentials_within_their_bounds(y):
    """e^{−y} and 1 − e^{−y} (against −expm1(−y): 1 − e^{−y} at 60 digits keeps only 27 of them at y = 1e-33)."""
    arg = dd.constant(y)
    pair = (np.array([arg[0]]), np.array([arg[1]]))
    e, m = dd.exp_neg(pair), dd.one_minus_exp_neg(pair)
    argument = float(y) * 2.0**-105  # y's own rounding, times the condition number (<= y, <= 2.45y + 1)
    with mpmath.workdps(60):
        exact = mpmath.exp(-mpmath.mpf(y.numerator) / y.denominator)
        assert relative((e[0][0], e[1][0]), exact) <= dd.EXP_ERROR * dd.OP_ERROR + argument
        assert relative((m[0][0], m[1][0]), -mpmath.expm1(-mpmath.mpf(y.numerator) / y.denominator)) <= dd.EXPM1_ERROR * dd.OP_ERROR + 3.5 * argument + 2.0**-105
    assert math.isclose(e[0][0], math.exp(-float(y)), rel_tol=1e-15)
