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


def fresh_bound_intervals(curve, inputs, values, vocab_size):
    """The bounds' intervals over the monotone completions, every piece built afresh (no cache): ΣI's and Φ's
    ends from their linear forms, and each bound at newly built profiles with ΣI, or Φ, at an end."""
    import math
    from dataclasses import replace
    from fractions import Fraction

    from boundcalc.bounds import BOUNDS
    from boundcalc.completion import completion_interval
    from boundcalc.estimate import input_coefficients
    from boundcalc.multiscale import MultiScaleProfile
    from boundcalc.profile import MIProfile

    ms, unit, length = inputs.multiscale, inputs.profile.unit, inputs.profile.length
    coefficients = input_coefficients(curve.length, None if ms is None else ms.scale)
    ends = {k: tuple(from_nats(x, unit) for x in completion_interval(curve, c, vocab_size))
            for k, c in coefficients.items()}

    def moved(kind, x):
        x = max(Fraction(x), Fraction(0))
        if kind == "mi_total":
            return replace(inputs, profile=MIProfile.from_total(x, length, unit=unit), multiscale=None)
        phi = sum((Fraction(t, 2**j) for j, t in enumerate(ms.level_totals)), Fraction(0))
        levels = [t * x / phi for t in ms.level_totals]
        return replace(inputs, profile=MIProfile.from_total(max(inputs.profile.total, levels[-1]), length, unit=unit),
                       multiscale=MultiScaleProfile.from_level_totals(levels, ms.length, unit=unit, source=ms.source))

    out = {}
    for name, value in values.items():
        kind = "phi" if "multiscale" in BOUNDS[name].needs and "phi" in ends else "mi_total"
        low_end, high_end = ends[kind]
        upward = low_end + 1 if math.isinf(high_end) else high_end  # unlimited: does the bound grow at all?
        at = [BOUNDS[name].value(moved(kind, x)) for x in (low_end, upward)]
        at = [float(value) if v is None else float(v) for v in at]
        high = (math.inf if at[1] > at[0] else at[0]) if math.isinf(high_end) else at[1]
        out[name] = (min(at[0], float(value)), max(high, float(value)))
    return out


def test_each_rows_bound_intervals_equal_a_fresh_computation():
    """The bound intervals reuse ΣI's ends for every row and Φ's per S: each row's equal those built afresh."""
    import math

    from boundcalc.bound_registry import BoundInputs
    from boundcalc.bounds import BOUNDS
    from boundcalc.completion import bound_intervals
    from boundcalc.step_families import family_schedule
    from boundcalc.sweep_truth import resolve_source

    # k = 1..7 and 49..64 unmeasured: ΣI and Φ move with both ends (ΣI without limit when V is not given)
    curve = LossCurve(length=64, masked=[8, 16, 32, 48], loss=[0.7, 1.2, 2.0, 2.9])
    for vocab_size in (None, 50):
        profile, truth, _ = resolve_source(curve, None, None, None, vocab_size)
        checked = 0
        for steps in range(1, 65, 3):
            for family in ("uniform", "cosine"):
                schedule = family_schedule(family, steps, 64, curve)
                inputs = BoundInputs(profile, schedule, 0, truth.multiscale(schedule.max_size))
                values = {n: BOUNDS[n].value(inputs) for n in BOUNDS if BOUNDS[n].applies_to(schedule)}
                values = {n: v for n, v in values.items() if v is not None}
                found = bound_intervals(curve, inputs, values, vocab_size)
                expected = fresh_bound_intervals(curve, inputs, values, vocab_size)
                assert found == expected
                assert any(math.isinf(hi) for _, hi in found.values()) == (vocab_size is None)
                checked += len(found)
        assert checked > 200
