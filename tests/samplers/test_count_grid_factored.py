"""The uniform-grid zones' factored route (count_grid_starts._add_factored: one exp per step and tile, a matrix
product per chunk of steps), taken from L = 4097: against exact Fractions (forced at small L), against the exps'
route within both certified errors, the exps' route bit for bit below its threshold and where the slopes are too
steep, and the rows' values through count_grid_truth."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boundcalc import count_grid_starts
from boundcalc.count_families import MDLM, SEDD, DreamOrigin
from boundcalc.count_grid_starts import FACTORED_MIN_LENGTH, grid_start_error, grid_starts
from boundcalc.count_grid_truth import grid_rows_truth
from boundcalc.count_starts import uniform_grid
from boundcalc.estimate import curve_profile
from start_sizes_reference import exact_starts, rows_partial_curve

FAMILIES = {"mdlm": MDLM(), "sedd": SEDD(), "dream-origin": DreamOrigin()}


def _build(family: str, L: int, T: int):
    return FAMILIES[family].build(L, [str(T)])


def _assert_within(found, samplers, slack: Fraction = Fraction(0)) -> None:
    """Every entry of ``found`` within its row's certified relative error and the absolute δ of the exact value."""
    for i, row in enumerate(found.rows):
        exact = exact_starts(samplers[row])
        rho = Fraction(float(found.error[i]))
        lo, hi = int(found.bounds[i]), int(found.bounds[i + 1])
        for m, value in zip(found.positions[lo:hi].tolist(), found.starts[lo:hi].tolist()):
            assert abs(Fraction(value) - exact[m]) <= rho * exact[m] + Fraction(found.absolute) + slack, (row, m)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(34, 72), st.lists(st.integers(1, 200), min_size=1, max_size=4),
       st.sampled_from([None, 1e-3, 1e-8]))
def test_factored_zone_starts_hold_against_exact_fractions(family, L, ts, threshold):
    """Forced at small L, every factored entry is within its certified relative error (the factored bound) and δ
    of the exact start size, for rows with and without an interior; its bound is the exps' one widened."""
    samplers = [_build(family, L, t) for t in ts]
    found = grid_starts(samplers, threshold, factored=True)
    if found is None:
        return
    _assert_within(found, samplers)
    plain = grid_starts(samplers, threshold, factored=False)
    assert np.all(found.error > plain.error) and np.all(found.error <= plain.error * 2)  # 16/L more: L >= 34
    assert found.positions.tobytes() == plain.positions.tobytes()


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(34, 60), st.integers(2, 120), st.sampled_from([3.0, 6.0]))
def test_factored_with_short_windows_stays_within_delta(family, L, T, tail):
    """With short windows (λ = 3, 6) the entries' deficits are visible; the factored route's (a superset of the
    windows' terms) stay within δ and its rounding."""
    samplers = [_build(family, L, T)]
    found = grid_starts(samplers, tail=tail, factored=True)
    if found is not None:
        _assert_within(found, samplers)


@settings(max_examples=6, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(FACTORED_MIN_LENGTH, 6000),
       st.lists(st.integers(1, 12000), min_size=1, max_size=6, unique=True))
def test_factored_route_meets_the_exps_route_within_both_errors(family, L, ts):
    """At L > 4096 (the factored route's default) every entry meets the exps' route's within both certified errors
    and both δ; the rows' values meet within both rows' certified errors."""
    samplers = [_build(family, L, t) for t in ts]
    new, old = grid_starts(samplers), grid_starts(samplers, factored=False)
    if new is None:
        return
    assert new.positions.tobytes() == old.positions.tobytes()
    row = np.repeat(np.arange(len(new.rows)), np.diff(new.bounds))
    allowed = (new.error + old.error)[row] * np.maximum(new.starts, old.starts) + new.absolute + old.absolute
    assert np.all(np.abs(new.starts - old.starts) <= allowed)
    curve = rows_partial_curve(L, [L // 16 * j for j in range(1, 17)], 2.0, True)
    profile = curve_profile(curve)
    fast = grid_rows_truth(profile, samplers, curve, 5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_grid_starts, "FACTORED_MIN_LENGTH", 10**9)
        slow = grid_rows_truth(profile, samplers, curve, 5)
    for sampler in samplers:
        if uniform_grid(sampler) is None:
            continue
        a, b = fast[id(sampler)], slow[id(sampler)]
        assert abs(a.value - b.value) <= a.error + b.error
        assert b.error <= a.error <= b.error * 1.01
        lo, hi = a.interval
        assert abs(lo - b.interval[0]) <= 2 * (a.error + b.error) and abs(hi - b.interval[1]) <= 2 * (a.error + b.error)


def test_below_the_threshold_and_with_steep_slopes_the_exps_route_bit_for_bit():
    """At L <= 4096 (by default) and for a chunk whose slopes pass MAX_SLOPE, the entries and errors are the exps'
    route's bit for bit."""
    samplers = [_build("mdlm", 4096, t) for t in (3, 200, 5000)]
    a, b = grid_starts(samplers), grid_starts(samplers, factored=False)
    assert a.starts.tobytes() == b.starts.tobytes() and a.error.tobytes() == b.error.tobytes()
    big = [_build("sedd", 5000, t) for t in (7, 900)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_grid_starts, "MAX_SLOPE", 1.0)
        steep = grid_starts(big)
    plain = grid_starts(big, factored=False)
    assert steep.starts.tobytes() == plain.starts.tobytes() and steep.error.tobytes() == plain.error.tobytes()
    assert steep.absolute == plain.absolute


def test_factored_bound_widens_the_exps_bound_by_its_extra_roundings():
    """grid_start_error's factored bound: the exps' bound with the magnitude grown by 16·top + 16·ln N + 64 (the
    difference is 16ε times that, inside expm1)."""
    h = Fraction(99999, 100000 * 300)
    plain = grid_start_error(16384, 300, h, 1e-15, 1e5, 0.0)
    wide = grid_start_error(16384, 300, h, 1e-15, 1e5, 0.0, factored=True)
    assert plain < wide < plain * (1 + 64 / 16384)


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(FACTORED_MIN_LENGTH, 5000),
       st.lists(st.integers(1, 9000), min_size=2, max_size=6, unique=True), st.integers(1, 20000))
def test_factored_chunks_of_few_entries_stay_within_the_bound(family, L, ts, entries):
    """The factored route's chunks of rows (at most _ENTRIES entries, a longer row alone; consecutive, covering every
    row) give every entry within both certified errors of one chunk of every row (not bit for bit: a batched matrix
    product's sums may depend on the batch's shape), with the same errors."""
    from boundcalc.count_grid_starts import _row_chunks

    samplers = [_build(family, L, t) for t in ts]
    whole = grid_starts(samplers)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_grid_starts, "_ENTRIES", entries)
        parts = grid_starts(samplers)
        sizes = np.diff(whole.bounds)
        cut = _row_chunks(sizes, True)
    assert cut[0][0] == 0 and cut[-1][1] == sizes.size and all(a[1] == b[0] for a, b in zip(cut, cut[1:]))
    assert all(hi - lo == 1 or sizes[lo:hi].sum() <= entries for lo, hi in cut)
    assert parts.error.tobytes() == whole.error.tobytes() and parts.positions.tobytes() == whole.positions.tobytes()
    row = np.repeat(np.arange(len(whole.rows)), sizes)
    allowed = 2 * whole.error[row] * np.maximum(parts.starts, whole.starts) + 2 * whole.absolute
    assert np.all(np.abs(parts.starts - whole.starts) <= allowed)
