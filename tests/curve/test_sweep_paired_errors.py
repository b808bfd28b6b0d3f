"""boundcalc.sweep_steps._paired_errors (issue 22, round 11): both grids' errors (d and the cubic d) with their high
limbs packed into one word and one rounding test against the smaller room are each grid's own chunk_errors, row
for row (the same integers, so the same floats and the same fallbacks), on wide curves (two limbs, steps too large
for one word) with steps that fail the test and steps that pass it; and the pair is taken there."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile
from boundcalc.schedule import Schedule
from boundcalc.sweep_steps import _paired_errors, chunk_errors, exact_reach, exact_screen
from boundcalc.sweep_vector import CurveRows

from test_sweep_vector import random_schedules, step_chunk


@st.composite
def wide_curves(draw):
    """Losses over a wide range (d from ~40 down to ~2^-12 of it: two limbs at these L), steep and flat stretches."""
    L = draw(st.integers(40, 160))
    ks = sorted(draw(st.sets(st.integers(1, L), min_size=2, max_size=L)))
    rises = draw(st.lists(st.sampled_from([0.0, 1e-4, 0.01, 0.3, 5.0]), min_size=len(ks), max_size=len(ks)))
    loss = np.cumsum(np.array(rises)) + draw(st.sampled_from([1e-3, 0.01]))
    return LossCurve(length=L, masked=ks, loss=loss.tolist())


def each_alone(rows: CurveRows, chunk) -> list:
    return [chunk_errors(grid, reach, chunk, screen) for grid, reach, screen in zip(rows.grids, rows.reaches,
                                                                                     rows.screens)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_curves(), st.data())
def test_the_pair_is_each_grid_alone(curve, data):
    L = curve.length
    rows = CurveRows(curve_profile(curve).conditional, curve_profile(curve, "pchip").conditional)
    if not all(grid.ok for grid in rows.grids):
        return
    rows.reaches = [exact_reach(grid) for grid in rows.grids]
    rows.screens = [exact_screen(reach) for reach in rows.reaches]
    schedules = random_schedules(data.draw, L, data.draw(st.integers(1, 6)))
    schedules.append(Schedule([L - 1, 1]))  # a step spanning most of d: fails the test where d falls by half
    chunk = step_chunk(schedules)
    paired = _paired_errors(rows, chunk)
    if paired is not None:
        assert paired == each_alone(rows, chunk)


@st.composite
def wide_profiles(draw):
    """Two unrelated non-increasing d of one L (the pair's two grids need not come from one curve): drops over a wide
    range, so the two grids' rounding tests fail at different steps."""
    L = draw(st.integers(40, 160))
    out = []
    for _ in range(2):
        drops = draw(st.lists(st.sampled_from([0.0, 2.0**-30, 1e-4, 0.01, 0.3, 5.0]), min_size=L, max_size=L))
        out.append(np.cumsum(np.array(drops[::-1]))[::-1] + draw(st.sampled_from([2.0**-12, 1e-3])))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_profiles(), st.data())
def test_two_unrelated_grids(profiles, data):
    L = profiles[0].size
    rows = CurveRows(profiles[0], profiles[1])
    rows.reaches = [exact_reach(grid) for grid in rows.grids]
    rows.screens = [exact_screen(reach) for reach in rows.reaches]
    schedules = random_schedules(data.draw, L, data.draw(st.integers(1, 8))) + [Schedule([L - 1, 1])]
    chunk = step_chunk(schedules)
    paired = _paired_errors(rows, chunk)
    if paired is not None:
        assert paired == each_alone(rows, chunk)


def _wide_rows() -> CurveRows:
    """Two profiles of L = 120 whose rounding tests fail at different steps (one falls from 40 over every k, the
    other only from k = 60), with their exact reaches and screens."""
    first = np.geomspace(40.0, 2.0**-12, 120)
    second = np.concatenate((np.full(60, 40.0), np.geomspace(40.0, 2.0**-12, 60)))
    rows = CurveRows(first, second)
    rows.reaches = [exact_reach(grid) for grid in rows.grids]
    rows.screens = [exact_screen(reach) for reach in rows.reaches]
    return rows


def test_the_pair_is_taken_where_the_grids_fail_apart():
    """Two wide profiles whose tests fail at different steps: rows that fall back in one grid only, in both, in
    neither, and the pair equal to each grid alone."""
    L = 120
    rows = _wide_rows()
    schedules = [Schedule([60, 60]), Schedule([L]), Schedule([1] * L), Schedule([40, 20, 1] + [1] * 59),
                 Schedule([1] * 60 + [60])]
    chunk = step_chunk(schedules)
    paired = _paired_errors(rows, chunk)
    assert paired is not None and paired == each_alone(rows, chunk)
    kinds = {(a is None, b is None) for a, b in zip(*paired)}
    assert {(True, False), (True, True), (False, False)} <= kinds or {(False, True), (True, True), (False, False)} <= kinds


def test_the_pair_is_taken_with_failing_steps_in_one_grid_and_both():
    """A wide curve (d falls by 2^15) whose large steps fail the rounding test: the pair path runs (not None),
    equals each grid alone, and some rows fall back (None) while others pass."""
    L = 120
    curve = LossCurve(length=L, masked=list(range(1, L + 1)),
                      loss=(np.geomspace(2.0**-12, 40.0, L) + np.linspace(0, 1e-3, L)).tolist())
    rows = CurveRows(curve_profile(curve).conditional, curve_profile(curve, "pchip").conditional)
    rows.reaches = [exact_reach(grid) for grid in rows.grids]
    rows.screens = [exact_screen(reach) for reach in rows.reaches]
    rng = np.random.default_rng(5)
    schedules = [Schedule([L])] + [Schedule([int(x) for x in np.diff(np.concatenate(
        ([0], np.sort(rng.choice(np.arange(1, L), size=k, replace=False)), [L])))]) for k in range(1, L - 1, 3)]
    chunk = step_chunk(schedules)
    paired = _paired_errors(rows, chunk)
    assert paired is not None and paired == each_alone(rows, chunk)
    for values in paired:
        assert any(value is None for value in values) and any(value is not None for value in values)


def test_a_chunk_between_the_two_screens_and_a_low_half_past_2_31():
    """Steps of at most 6 tokens where one grid's screen is 4 and the other's 7 (the test still runs, for both); and
    a profile whose rows sum their high limbs past 2^31 (the packed word's low half uses all its 32 bits)."""
    L = 120
    rows = _wide_rows()
    assert sorted(rows.screens) == [4, 7]
    chunk = step_chunk([Schedule([6] * 20), Schedule([5] * 24), Schedule([2] * 60)])
    paired = _paired_errors(rows, chunk)
    assert paired is not None and paired == each_alone(rows, chunk) and None in paired[1] and None not in paired[0]

    wide = np.concatenate((np.full(105, 40.0), [39.9], np.geomspace(39.0, 40.0 * 2.0**-26.5, 14)))
    rows = CurveRows(wide, np.geomspace(40.0, 2.0**-12, L))  # _wide_rows()'s first profile
    rows.reaches = [exact_reach(grid) for grid in rows.grids]
    rows.screens = [exact_screen(reach) for reach in rows.reaches]
    chunk = step_chunk([Schedule([106] + [1] * 14), Schedule([50, 56] + [1] * 14)])
    high = int(rows.grids[0].limbs[1][0])
    assert 106 * high >= 2**31 and L * high < 2**32
    paired = _paired_errors(rows, chunk)
    assert paired is not None and paired == each_alone(rows, chunk) and None not in paired[0]
    assert all(value > 0 for value in paired[0])
