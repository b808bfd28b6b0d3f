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


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 60), st.integers(1, 5), st.data())
def test_rows_of_every_m_take_the_segments_sums_bit_for_bit(L, rows, data):
    """The interval's sums of rows listing every m (the noise rows: whole columns, _every_m_sums) are the
    segments' sums (_segment_sums: the zones of any rows) bit for bit, on random c and random gaps."""
    from boundcalc.count_grid_truth import _every_m_sums, _segment_sums

    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(rows * L) * np.exp(rng.uniform(-30, 30, rows * L))
    d = np.sort(rng.uniform(0, 5, L))[::-1].copy()
    measured = sorted(data.draw(st.sets(st.integers(0, L - 1), min_size=1, max_size=L)))
    anchors = [-1, *measured, L]
    gaps = [(a, 1.0, b, 0.5) for a, b in zip(anchors, anchors[1:]) if b - a > 1]
    gid = np.full(L, -1, dtype=np.int64)
    for g, (ma, _, mb, _) in enumerate(gaps):
        gid[ma + 1 : mb] = g
    whole = _every_m_sums(c.reshape(rows, L), d, gaps, gid)
    parts = _segment_sums(c, np.tile(np.arange(L), rows), d, gid, np.arange(rows + 1) * L, len(gaps))
    for a, b in zip(whole, parts):
        assert a.shape == b.shape and a.tobytes() == b.tobytes()
