"""A sweep's count rows with arbitrary steps in one batch (count_noise_starts, count_noise_truth): the running laws
against the sampler's own, every start size against exact Fractions within its certified errors (and a bound
without the windows' cut mass fails), the rows' value, estimate and interval against the row-by-row forms."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings, strategies as st

from boundcalc.count_flat import flat_steps
from boundcalc.count_noise_starts import MAX_SLOPE, noise_starts, running_laws
from boundcalc.count_noise_truth import noise_rows_truth
from boundcalc.count_sampler import CountSampler
from boundcalc.curve import LossCurve
from boundcalc.estimate import coefficient_error, curve_profile
from boundcalc.schedule import parse_spec
from start_sizes_reference import assert_row_matches_per_row_forms, exact_starts, rows_partial_curve

NOISES = ["cosine", "cosine2", "linear", "geometric"]


@st.composite
def _rational_sampler(draw, length: st.SearchStrategy = st.integers(34, 44)) -> CountSampler:
    """A sampler with 1..12 arbitrary rational steps (not a uniform grid), the last revealing the rest."""
    L = draw(length)
    steps = draw(st.lists(st.fractions(min_value=Fraction(1, 50), max_value=Fraction(9, 10), max_denominator=97),
                          min_size=0, max_size=11))
    return CountSampler.from_probabilities(L, [*steps, Fraction(1)])


def _rows(found, i: int) -> np.ndarray:
    return found.starts[found.bounds[i] : found.bounds[i + 1]]


@settings(max_examples=25, deadline=None)
@given(st.lists(_rational_sampler(st.just(40)), min_size=1, max_size=4), st.sampled_from(NOISES),
       st.integers(1, 40))
def test_running_laws_are_the_samplers_own_floats(samplers, noise, T):
    """r_k and a_k of every row equal the sampler's float branch (cumulative product, then sum) bit for bit."""
    samplers = [*samplers, parse_spec(f"mdlm:{T}:{noise}").build(40)]
    before, alive = running_laws(flat_steps(samplers))
    offsets = flat_steps(samplers).offsets
    for i, sampler in enumerate(samplers):
        marginals, own_alive = sampler._alive_before()
        own_before = np.concatenate(([0.0], np.cumsum(marginals[:-1])))
        assert before[offsets[i] : offsets[i + 1]].tolist() == own_before.tolist()
        assert alive[offsets[i] : offsets[i + 1]].tolist() == own_alive.tolist()


@settings(max_examples=25, deadline=None)
@given(st.lists(_rational_sampler(), min_size=1, max_size=3), st.data())
def test_start_sizes_hold_against_exact_fractions(samplers, data):
    """Every entry is within its row's certified relative error of the exact start size, beyond the windows'
    left-out terms (each below its exact value, their deficits at most δ in all per row)."""
    L = samplers[0].length
    samplers = [CountSampler.from_probabilities(L, list(s.exact)) for s in samplers]  # one length
    found = noise_starts(samplers)
    assert found is not None and found.rows == list(range(len(samplers)))
    assert found.positions.tolist() == list(range(L)) * len(samplers)
    for i, sampler in enumerate(samplers):
        exact = exact_starts(sampler)
        rho = Fraction(float(found.error[i]))
        computed = [Fraction(v) for v in _rows(found, i).tolist()]
        assert all(c - e <= rho * e for c, e in zip(computed, exact))  # nothing above the exact value
        deficit = sum(max(e - c - rho * e, Fraction(0)) for c, e in zip(computed, exact))
        assert deficit <= Fraction(found.absolute)


@settings(max_examples=10, deadline=None)
@given(st.integers(150, 220), st.lists(st.fractions(min_value=Fraction(1, 9), max_value=Fraction(1, 2),
                                                   max_denominator=29), min_size=1, max_size=3),
       st.sampled_from([3.0, 6.0]))
def test_the_windows_left_out_terms_are_within_their_bound(L, steps, tail):
    """With a short window (λ = 3 or 6) on a long row the left-out terms are visible; they sum to at most
    δ = 2L·e^-λ."""
    sampler = CountSampler.from_probabilities(L, [*steps, Fraction(1)])
    found = noise_starts([sampler], tail=tail)
    exact = exact_starts(sampler)
    rho = Fraction(float(found.error[0]))
    deficits = [e - Fraction(c) for c, e in zip(_rows(found, 0).tolist(), exact)]
    assert all(d >= -rho * e for d, e in zip(deficits, exact))
    assert sum(deficits) <= Fraction(found.absolute) + rho * sum(exact)


def test_a_bound_without_the_cut_mass_fails():
    """λ = 3 cuts visible mass: the rounding alone does not cover the deficit, the cut mass δ does; and a row's
    value without δ in its certified error misses the exact value."""
    L = 400
    sampler = CountSampler.from_probabilities(L, ["1/2", 1])  # one window, at r = 1/2: a fifth of the row
    found = noise_starts([sampler], tail=3.0)
    exact = exact_starts(sampler)
    rho = Fraction(float(found.error[0]))
    deficit = sum(e - Fraction(c) - rho * e for c, e in zip(_rows(found, 0).tolist(), exact))
    assert 0 < deficit <= Fraction(found.absolute)  # beyond the rounding: only δ covers it
    d = np.linspace(2.0, 0.0, L)
    from boundcalc.count_grid_truth import starts_rows_truth

    profile = curve_profile(LossCurve.from_conditional(d))
    row = starts_rows_truth(profile, [sampler], found)[id(sampler)]
    truth = sum((e - 1) * Fraction(x) for e, x in zip(exact, d.tolist()))
    assert abs(Fraction(row.value) - truth) <= Fraction(row.error)
    weighted = float(sum(Fraction(c) * abs(Fraction(x)) for c, x in zip(_rows(found, 0).tolist(), d.tolist()))) \
        + float(np.abs(d).sum())
    without = float(found.error[0]) * weighted + 2 * (L + 4) * 2.0**-53 * weighted  # the bound with δ dropped
    assert row.error >= without + float(found.absolute) * weighted * (1 - 1e-9)
    assert abs(Fraction(row.value) - truth) > Fraction(without)


def test_steps_beyond_the_slope_limit_are_left_to_the_row_by_row_path():
    """A step with r_k/(1 − r_k) beyond e^±MAX_SLOPE: noise_starts declines, noise_rows_truth leaves that row out
    and still takes the others."""
    tiny = Fraction(1, 10**12)
    assert abs(float(np.log(float(tiny)))) > MAX_SLOPE
    extreme = CountSampler.from_probabilities(40, [tiny, Fraction(1, 3), 1])
    fine = CountSampler.from_probabilities(40, [Fraction(1, 5), Fraction(1, 3), 1])
    assert noise_starts([extreme, fine]) is None
    profile = curve_profile(LossCurve.from_conditional(np.linspace(2.0, 0.0, 40)))
    rows = noise_rows_truth(profile, [extreme, fine])
    assert id(extreme) not in rows and id(fine) in rows


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(NOISES), st.integers(40, 160), st.lists(st.integers(1, 160), min_size=2, max_size=6),
       st.booleans(), st.integers(2, 8), st.lists(st.integers(1, 400), min_size=1, max_size=4))
def test_rows_equal_the_row_by_row_forms(noise, L, points, stderr, vocab, steps):
    """Value, certified error, stderr, interpolation and interval of every row equal coefficient_error,
    the sampler's own stderr and pchip value and error_interval on its own start sizes, within the two certified
    errors."""
    curve = rows_partial_curve(L, [min(p, L - 1) for p in points] + [L], 2.0, stderr)
    profile = curve_profile(curve)
    samplers = [parse_spec(f"mdlm:{T}:{noise}").build(L) for T in sorted(set(steps))]
    rows = noise_rows_truth(profile, samplers, curve, vocab)
    for sampler in samplers:
        row = rows[id(sampler)]
        value, error = coefficient_error(profile, sampler)
        assert abs(row.value - value) <= row.error + error
        assert_row_matches_per_row_forms(row, sampler, curve, vocab, error, stderr)


def test_a_sweep_takes_the_noise_rows_in_one_batch():
    """SourceTruth.prepare_counts prepares the rows of mdlm:T:cosine (no uniform grid) with the uniform-grid rows;
    each row's value and error then agree with the row-by-row coefficient form."""
    from boundcalc.sweep_truth import SourceTruth
    from boundcalc.units import Unit

    L = 300
    curve = rows_partial_curve(L, [5, 40, 120, 299], 3.0, True)
    truth = SourceTruth(curve_profile(curve), Unit.NATS, curve=curve)
    samplers = [parse_spec(spec).build(L) for spec in ("mdlm:200:cosine", "mdlm:600:geometric", "mdlm:400")]
    truth.prepare_counts(samplers)
    for sampler in samplers:
        assert id(sampler) in truth._grid
        value, error = truth.count_error(sampler)
        own, own_error = coefficient_error(truth.profile, sampler)
        assert abs(value - max(own, 0.0)) <= error + own_error
