"""Issue 22: a sweep from a curve computes each row's pieces once (per S, by prefix sums), with the same
values as computing them row by row: checked against the direct, independent computation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.curve import LossCurve
from boundcalc.estimate import random_schedule_estimate, schedule_coefficients
from boundcalc.schedule import Schedule
from boundcalc.sweeps import sweep
from boundcalc.units import from_nats


def loop_coefficients(schedule: Schedule, length: int) -> np.ndarray:
    """c by walking the steps: a step (w, s) adds s - 1 to c_w and -1 to c_{w+1..w+s-1}."""
    c = np.zeros(length)
    for w, s in schedule.revealed_before():
        c[w] += s - 1
        c[w + 1 : w + s] -= 1
    return c


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=30))
def test_schedule_coefficients_equal_the_walk_over_steps(sizes):
    schedule = Schedule(sizes)
    assert np.array_equal(schedule_coefficients(schedule, sum(sizes)), loop_coefficients(schedule, sum(sizes)))


def test_the_random_schedules_spread_is_each_rows_own():
    curve = LossCurve(length=48, masked=[6, 12, 24, 36, 48], loss=[0.6, 1.0, 1.9, 2.7, 3.3],
                      stderr=[0.02, 0.02, 0.03, 0.03, 0.04])
    result = sweep(curve, ["uniform", "cosine"], "1:48")
    seen = 0
    for row in result.rows:
        if "random_error" not in row.spreads:
            continue
        S = 1 << (row.max_size - 1).bit_length()
        direct = from_nats(random_schedule_estimate(curve, S).measured(), result.unit)
        assert row.spreads["random_error"] == (direct.stderr, direct.interpolation or 0.0)
        seen += 1
    assert seen >= 40


def test_the_random_schedules_interval_is_each_rows_own():
    from boundcalc.completion import error_interval
    from boundcalc.estimate import random_schedule_coefficients

    curve = LossCurve(length=40, masked=[8, 20, 32], loss=[1.0, 1.9, 2.7])  # k = 1..7 and 33..40 unmeasured
    result = sweep(curve, ["linear", "cosine-mdlm"], "1:40", vocab_size=30)
    seen = 0
    for row in result.rows:
        if "random_error" not in row.intervals:
            continue
        S = 1 << (row.max_size - 1).bit_length()
        lo, hi = error_interval(curve, random_schedule_coefficients(40, S), 30)
        assert row.intervals["random_error"] == (from_nats(lo, result.unit), from_nats(hi, result.unit))
        seen += 1
    assert seen >= 40
