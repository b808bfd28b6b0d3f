"""boundcalc.sweep_steps' shortcuts (issue 22, round 8): the error's integer summed modulo 2^64 where it is known
to lie below 2^64, and the screen that skips the per-step rounding test; both against exact Python integers and
the row-by-row values."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile
from boundcalc.schedule import Schedule
from boundcalc.sweep_steps import chunk_errors, exact_reach, exact_screen
from boundcalc.sweep_vector import ExactGrid

from test_sweep_vector import curves, random_schedules, step_chunk


def exact_error(d: np.ndarray, schedule: Schedule) -> Fraction:
    """Σ_m (d(w_m) - d(m)) in Fractions, w_m the start of m's step (exact: the value's integer on any grid)."""
    total, w = Fraction(0), 0
    for s in schedule.sizes:
        total += sum(Fraction(float(d[w])) - Fraction(float(d[m])) for m in range(w, w + s))
        w += s
    return total


def wide_grid(L: int) -> np.ndarray:
    """A non-increasing d from 40 down to 2^-20: D(0) about 2^78, so (S - 1)·D(0) < 2^64 fails for every S >= 2."""
    return np.geomspace(40.0, 2.0**-20, L)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_low_words_are_d_on_the_grid_mod_2_64(data):
    curve = data.draw(curves())
    grid = ExactGrid(curve_profile(curve).conditional)
    if not grid.ok:
        return
    for m, value in enumerate(grid.d.tolist()):
        D = Fraction(value) * 2**grid.grid
        assert D.denominator == 1 and int(grid.low[m]) == D.numerator % 2**64
    first = int(Fraction(float(grid.d[0])) * 2**grid.grid)
    size = grid.modular_size
    assert size == grid.length or ((size - 1) * first < 2**64 <= size * first)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_errors_mod_2_64_are_the_exact_errors(data):
    """Every row passing its test: the float is the exact error correctly rounded, on either path (mod 2^64 when
    the steps are small enough for the grid, limbs otherwise)."""
    curve = data.draw(curves())
    grid = ExactGrid(curve_profile(curve).conditional)
    if not grid.ok:
        return
    schedules = random_schedules(data.draw, curve.length, 5)
    reach = exact_reach(grid)
    found = chunk_errors(grid, reach, step_chunk(schedules), exact_screen(reach))
    for schedule, value in zip(schedules, found):
        if value is not None:
            assert value == float(exact_error(grid.d, schedule)), schedule


def test_a_wide_grid_needs_the_limbs():
    """The guard is not decorative: on a d spanning 2^98 the sum mod 2^64 is not the error, and the grid's
    modular_size sends such rows to the limbs, which give the exact value."""
    L = 40
    grid = ExactGrid(wide_grid(L))
    assert grid.ok and grid.modular_size == 1
    schedule = Schedule([2] * 20)  # d falls by ~0.6 a token: every difference within a step exact (Sterbenz)
    reach = exact_reach(grid)
    chunk = step_chunk([schedule])
    exact = float(exact_error(grid.d, schedule))
    assert chunk_errors(grid, reach, chunk, exact_screen(reach)) == [exact]
    grid.modular_size = L  # pretend every row fits 64 bits: the wrapped sum is then wrong
    assert chunk_errors(grid, reach, chunk, exact_screen(reach)) != [exact]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_screen_is_the_least_failing_size_less_one(data):
    """Brute force over every step (w, s): each s <= screen passes the test, and (when screen < L) some step of
    size screen + 1 fails it."""
    curve = data.draw(curves())
    grid = ExactGrid(curve_profile(curve).conditional)
    if not grid.ok:
        return
    d, L, limit = grid.d, grid.length, 2.0 ** (52 - grid.grid)
    screen = exact_screen(exact_reach(grid))
    failing = [s for w in range(L) for s in range(1, L - w + 1)
               if not ((2.0 * d[w + s - 1] >= d[w]) | (d[w] - d[w + s - 1] < limit))]
    assert min(failing, default=L + 1) == screen + 1 or (not failing and screen == L)


def test_a_screened_row_skips_the_test_and_a_failing_one_is_none():
    """On a curve with a steep head the one-step row fails its test (None: computed row by row), while rows of
    small steps pass without the per-step check; a wrong screen (L) would let the failing row through."""
    L = 64
    curve = LossCurve(length=L, masked=[8, 16, 32, 64], loss=[0.01, 0.5, 3.0, 9.0])
    grid = ExactGrid(curve_profile(curve).conditional)
    reach = exact_reach(grid)
    screen = exact_screen(reach)
    assert 1 <= screen < L
    small = Schedule([1] * L)
    whole = Schedule([L])
    assert chunk_errors(grid, reach, step_chunk([small]), screen) == [float(exact_error(grid.d, small))]
    assert chunk_errors(grid, reach, step_chunk([small, whole]), screen)[1] is None
    assert chunk_errors(grid, reach, step_chunk([small, whole]), L)[1] is not None
