"""A sweep's uniform-grid count rows in one batch (count_grid_starts, count_grid_truth): the zones' start sizes
against exact Fractions, the rows' value, estimate and interval against the row-by-row forms."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings, strategies as st

from boundcalc.count_families import MDLM, SEDD, DreamOrigin
from boundcalc.count_grid_starts import grid_starts
from boundcalc.count_grid_truth import grid_rows_truth
from boundcalc.count_sampler import CountSampler
from boundcalc.count_starts import uniform_grid
from boundcalc.curve import LossCurve
from boundcalc.estimate import coefficient_error, count_estimate, curve_profile
from start_sizes_reference import assert_row_matches_per_row_forms, exact_starts, rows_partial_curve

FAMILIES = {"mdlm": MDLM(), "sedd": SEDD(), "dream-origin": DreamOrigin()}


def _sampler(family: str, L: int, T: int) -> CountSampler:
    return FAMILIES[family].build(L, [str(T)])


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(34, 44), st.integers(1, 90),
       st.sampled_from([None, 1e-3, 1e-6]))
def test_zone_starts_and_interior_hold_against_exact_fractions(family, L, T, threshold):
    """Every computed entry is within its certified relative error of the exact start size, and every interior
    entry within the interior's ε of 1 (the error includes that ε)."""
    sampler = _sampler(family, L, T)
    found = grid_starts([sampler], threshold)
    if uniform_grid(sampler) is None:  # dream-origin:1 (one step, no grid before the last)
        assert found is None
        return
    assert found is not None and found.rows == [0]
    exact = exact_starts(sampler)
    rho = float(found.error[0])
    for m, value in zip(found.positions.tolist(), found.starts.tolist()):
        assert abs(Fraction(value) - exact[m]) <= Fraction(rho) * exact[m] + Fraction(found.absolute), (m, value)
    inner = found.interior[0]
    if inner is not None:
        m_a, m_b, eps = inner
        assert eps <= rho
        assert all(abs(exact[m] - 1) <= Fraction(eps) for m in range(m_a, m_b + 1))
        assert set(found.positions.tolist()) == set(range(m_a)) | set(range(m_b + 1, L))
    else:
        assert found.positions.tolist() == list(range(L))


def test_the_interior_remainder_is_not_dropped():
    """With a visible threshold the interior's start sizes differ from 1 by up to its ε: a bound without the
    interior's ε (the zones' rounding alone) does not cover the exact value."""
    sampler = _sampler("mdlm", 40, 30)
    found = grid_starts([sampler], 1e-3)
    m_a, m_b, eps = found.interior[0]
    exact = exact_starts(sampler)
    gap = max(abs(exact[m] - 1) for m in range(m_a, m_b + 1))
    # the rounding and the windows alone would not cover it
    assert float(gap) <= eps and float(gap) > found.error[0] - eps + found.absolute
    d = np.linspace(3.0, 0.0, 40)
    row = grid_rows_truth(curve_profile(LossCurve.from_conditional(d)), [sampler])[id(sampler)]
    truth = sum((e - 1) * Fraction(x) for e, x in zip(exact, d.tolist()))
    assert abs(Fraction(row.value) - truth) <= Fraction(row.error)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(34, 44), st.integers(2, 90), st.sampled_from([3.0, 6.0]))
def test_the_windows_left_out_terms_are_within_their_bound(family, L, T, tail):
    """With a short window (λ = 3 or 6) the left-out terms are visible, and the entries' deficits sum to at most
    δ = 2L·e^-λ (Bernstein) beyond the rounding; with δ dropped the bound fails where the windows cut."""
    sampler = _sampler(family, L, T)
    found = grid_starts([sampler], tail=tail)
    if found is None:
        return
    exact = exact_starts(sampler)
    rho = Fraction(float(found.error[0]))
    deficits = [exact[m] - Fraction(v) for m, v in zip(found.positions.tolist(), found.starts.tolist())]
    assert all(d >= -rho * exact[m] for d, m in zip(deficits, found.positions.tolist()))
    assert sum(deficits) <= Fraction(found.absolute) + rho * sum(exact)


def test_a_bound_without_the_windows_left_out_terms_fails():
    sampler = _sampler("mdlm", 40, 30)
    found = grid_starts([sampler], tail=3.0)
    exact = exact_starts(sampler)
    worst = max(exact[m] - Fraction(v) - Fraction(float(found.error[0])) * exact[m]
                for m, v in zip(found.positions.tolist(), found.starts.tolist()))
    assert 0 < worst <= Fraction(found.absolute)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(40, 160), st.lists(st.integers(1, 160), min_size=2, max_size=6),
       st.booleans(), st.integers(2, 8))
def test_rows_equal_the_row_by_row_forms(family, L, points, stderr, vocab):
    """Value, certified error, stderr, interpolation and interval of every row equal coefficient_error,
    count_estimate and error_interval on the sampler's own start sizes, within the two certified errors."""
    curve = rows_partial_curve(L, [min(p, L - 1) for p in points] + [L], 2.0, stderr)
    profile = curve_profile(curve)
    samplers = [_sampler(family, L, T) for T in (1, 3, L // 4, L // 2, L, 2 * L + 1)]
    rows = grid_rows_truth(profile, samplers, curve, vocab)
    for sampler in samplers:
        if uniform_grid(sampler) is None:
            assert id(sampler) not in rows
            continue
        row = rows[id(sampler)]
        value, error = coefficient_error(profile, sampler)
        assert abs(row.value - value) <= row.error + error
        assert row.error <= 1.01 * error + 1e-300
        est = count_estimate(curve, sampler, profile) if sampler.work() > 1e6 else None
        assert_row_matches_per_row_forms(row, sampler, curve, vocab, error, stderr)
        del est
