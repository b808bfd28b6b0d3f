"""Issue 22: a sweep computes every T's error, cubic error and interval at once (boundcalc.sweep_vector) and each
bound once per schedule key (boundcalc.sweep_bounds). Each value must be the very float (or Fraction) the previous
row-by-row computation gives: checked here against that computation (a second method) on random curves, random
schedules, partial and full curves, and every fixed family."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.bounds import BOUNDS, BoundInputs
from boundcalc.completion import error_interval, has_gaps
from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile, estimate_error, schedule_coefficients
from boundcalc.random_schedule import random_schedule_distribution, random_schedule_floats
from boundcalc.schedule import Schedule
from boundcalc.sweep_steps import chunk_columns
from boundcalc.sweep_truth import SourceTruth
from boundcalc.sweep_vector import CurveRows, ExactGrid
from boundcalc.sweeps import _build, parse_family, sweep, sweep_families
from boundcalc.units import from_nats

#: every fixed family (power with two exponents; info-optimal is computed from the curve)
FIXED = [f if f != "power" else "power:2" for f in sweep_families() if not parse_family(f).family.random_counts] + [
    "power:1/3", "info-optimal"]


@st.composite
def curves(draw, partial: bool | None = None, shortest: int = 2):
    """A measured loss curve: L, some masked counts (all of them, or a subset leaving gaps and ends), increasing
    losses of varied scale (tiny to large values, so the grid's limbs and the exactness checks are exercised)."""
    L = draw(st.integers(shortest, 48))
    if partial is None:
        partial = draw(st.booleans())
    if partial:
        ks = sorted(draw(st.sets(st.integers(1, L), min_size=2, max_size=max(2, L - 1))))  # two points: a slope
    else:
        ks = list(range(1, L + 1))
    scale = draw(st.sampled_from([1e-3, 0.07, 1.0, 3.3, 40.0]))
    steps = draw(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=len(ks), max_size=len(ks)))
    loss = np.cumsum(np.array(steps) * scale) + draw(st.sampled_from([0.0, 1e-9, 0.01, 0.5]))
    stderr = None
    if draw(st.booleans()):
        stderr = [draw(st.floats(0.001, 0.1)) for _ in ks]
    return LossCurve(length=L, masked=ks, loss=loss.tolist(), stderr=stderr)


def random_schedules(draw, L: int, count: int) -> list[Schedule]:
    out = []
    for _ in range(count):
        sizes, left = [], L
        while left:
            s = draw(st.integers(1, left))
            sizes.append(s)
            left -= s
        out.append(Schedule(sizes))
    return out


def row_by_row(curve: LossCurve, schedule: Schedule, vocab_size: int | None):
    """The values as the sweep computed them before issue 22, one schedule at a time."""
    L = curve.length
    linear = curve_profile(curve)
    value = linear.error(schedule)
    cubic = curve_profile(curve, "pchip").error(schedule)
    interval = (error_interval(curve, schedule_coefficients(schedule, L), vocab_size) if has_gaps(curve)
                else None)
    return value, cubic, interval


def vectorised(curve: LossCurve, schedules: list[Schedule], vocab_size: int | None):
    linear = curve_profile(curve)
    cubic = curve_profile(curve, "pchip")
    gaps = has_gaps(curve)
    rows = CurveRows(linear.conditional, cubic.conditional, curve if gaps else None, vocab_size)
    calls = []

    def refuse(schedule):  # the fallback is counted: the test below checks the fast path is taken
        calls.append(schedule)
        return row_by_row(curve, schedule, vocab_size)

    fallbacks = [lambda s: refuse(s)[0], lambda s: refuse(s)[1]] + ([lambda s: refuse(s)[2]] if gaps else [])
    columns = rows.compute(schedules, fallbacks)
    return [(columns[0][i], columns[1][i], columns[2][i] if gaps else None) for i in range(len(schedules))], calls


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_rows_error_and_interval_equal_the_row_by_row_values(data):
    curve = data.draw(curves())
    vocab_size = data.draw(st.sampled_from([None, 2, 50, 10**6]))
    schedules = random_schedules(data.draw, curve.length, 6)
    found, _ = vectorised(curve, schedules, vocab_size)
    for schedule, values in zip(schedules, found):
        assert values == row_by_row(curve, schedule, vocab_size), schedule


@pytest.mark.parametrize("partial", [True, False])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_fixed_family_at_every_T(partial, data):
    curve = data.draw(curves(partial=partial))
    L = curve.length
    schedules = []
    for name in FIXED:
        family = parse_family(name)
        for t in range(1, L + 1):
            try:
                schedules.append(_build(family, t, L, curve))
            except Exception:  # no schedule of this T in the family (e.g. dream with too many steps)
                continue
    found, _ = vectorised(curve, schedules, 30)
    for schedule, values in zip(schedules, found):
        assert values == row_by_row(curve, schedule, 30), schedule


def test_the_fast_path_is_taken_on_a_language_model_curve():
    """Not a tautology: on a typical curve (16 ratios, 0.875 to 6.5 nats) only the few rows with a step whose
    differences round (T tiny: one step spans d(0) to d(L-1)) fall back to the row-by-row sums."""
    L = 512
    curve = LossCurve(length=L, masked=[j * L // 16 for j in range(1, 17)], loss=[0.5 + 6 * j / 16 for j in range(1, 17)])
    schedules = [_build(parse_family("uniform"), t, L) for t in range(1, L + 1)]
    found, calls = vectorised(curve, schedules, None)
    assert len({id(s) for s in calls}) <= 8
    for schedule, values in list(zip(schedules, found))[::17]:
        assert values == row_by_row(curve, schedule, None)


def test_the_exact_grid_holds_d_exactly():
    d = np.array([6.5, 3.0000000000000004, 1.25, 0.1, 1e-7, 0.0])
    grid = ExactGrid(d)
    assert grid.ok
    for m, value in enumerate(d.tolist()):
        integer = sum(int(limb[m]) << (grid.bits * j) for j, limb in enumerate(grid.limbs))
        assert Fraction(integer, 2**grid.grid) == Fraction(value)
    assert not ExactGrid(np.array([1.0, 2.0])).ok  # increasing: refused, the rows go one by one
    assert not ExactGrid(np.array([1.0, -0.5])).ok


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 9))
def test_random_schedule_floats_are_the_exact_probabilities_rounded(L, k):
    S = 2 * k if k < 5 else 2 ** k
    p, w, s = random_schedule_floats(L, S)
    exact = random_schedule_distribution(L, S)
    assert p.tolist() == [float(x) for x, _, _ in exact]
    assert w.tolist() == [x for _, x, _ in exact] and s.tolist() == [x for _, _, x in exact]


def per_row_sweep_row(truth: SourceTruth, schedule: Schedule, eps: Fraction, names):
    """A row's bounds, their float errors, spreads and intervals, and its error pieces, as sweeps._row computed
    them before issue 22: every bound evaluated at this row's own inputs, every error summed for this row."""
    fits = schedule.max_size <= truth.length
    inputs = BoundInputs(truth.mi, schedule, eps, truth.multiscale(schedule.max_size) if fits else None)
    bounds = {n: BOUNDS[n].value(inputs) if BOUNDS[n].applies_to(schedule) else None for n in names}
    shifted = BoundInputs(truth.mi_shifted, schedule, eps, truth.multiscale(schedule.max_size, shifted=True)
                          if fits else None)
    errors = {}
    for n, v in bounds.items():
        moved = BOUNDS[n].value(shifted) if v is not None else None
        if v is not None and moved is not None:
            errors[n] = float(moved - v)
    estimate = from_nats(estimate_error(truth.curve, schedule).measured(), truth.unit)
    spreads = {"error": (estimate.stderr, estimate.interpolation or 0.0), **truth.bound_spreads(inputs, bounds)}
    error = from_nats(curve_profile(truth.curve).error(schedule), truth.unit)
    intervals = dict(truth.bound_intervals(inputs, bounds))
    if has_gaps(truth.curve):
        lo, hi = error_interval(truth.curve, schedule_coefficients(schedule, truth.length), truth.vocab_size)
        intervals["error"] = (from_nats(lo, truth.unit), from_nats(hi, truth.unit))
    return bounds, errors, spreads, intervals, error


@pytest.mark.parametrize("unit", ["nats", "bits"])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sweep_rows_equal_the_row_by_row_sweep(unit, data):
    curve = data.draw(curves(partial=data.draw(st.booleans()), shortest=8))
    vocab_size = data.draw(st.sampled_from([None, 40]))
    eps = data.draw(st.sampled_from([Fraction(0), Fraction(1, 10)]))
    result = sweep(curve, FIXED, f"1:{curve.length}", eps_train=eps, unit=unit, vocab_size=vocab_size)
    truth = SourceTruth(curve_profile(curve), result.unit, curve=curve, vocab_size=vocab_size)
    for row in result.rows:
        if row.schedule.positions != "uniform":
            continue
        bounds, errors, spreads, intervals, error = per_row_sweep_row(truth, row.schedule, eps, result.bound_names)
        assert dict(row.bounds) == bounds and dict(row.bound_errors) == errors
        assert row.error == error
        # the stderr takes the interpolation weights exactly (sweep_steps.chunk_stderrs), the row-by-row code sums
        # them in floats: the same to rounding, which leaves ~1e-18 where the exact weights vanish (terms of size
        # |c|·se, Σ|c| <= 2L for a fixed schedule)
        (se, ip), (se_row, ip_row) = row.spreads["error"], spreads["error"]
        assert ip == ip_row and (se is None) == (se_row is None)
        noise = 0.0 if se is None else 1e-14 * 2 * curve.length * float(curve.stderr.max())
        assert se is None or se == pytest.approx(se_row, rel=1e-12, abs=noise)
        assert {k: v for k, v in row.spreads.items() if k in bounds} == {k: v for k, v in spreads.items() if k in bounds}
        assert row.intervals.get("error") == intervals.get("error")
        assert {k: v for k, v in row.intervals.items() if k in bounds} == {k: v for k, v in intervals.items() if k in bounds}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=20), st.fractions(0, 50), st.sampled_from([0, Fraction(1, 7)]))
def test_the_affine_forms_are_the_bounds(sizes, total, eps):
    """Bound.affine (a, b): the bound is a·ΣI + b, and None exactly where the bound does not apply."""
    from boundcalc.profile import MIProfile

    schedule = Schedule(sizes)
    L = schedule.length
    inputs = BoundInputs(MIProfile.from_total(total, L), schedule, eps)
    affine = [name for name, bound in BOUNDS.items() if bound.affine is not None]
    assert {"theorem1", "recursion", "sharp", "corollary1", "ter"} <= set(affine)
    for name in affine:
        form = BOUNDS[name].affine(schedule, L, Fraction(eps))
        value = BOUNDS[name].value(inputs)
        assert (form is None) == (value is None)
        if form is not None:
            assert form[0] * Fraction(total) + form[1] == value


def test_a_flat_partial_curve_sweeps():
    """Found by the comparison above: Φ = 0 on a flat curve with gaps spread Theorem 2's moved levels over every
    level, the empty level 0 (m_0 = L - S = 0 at T = 1) too, and the sweep was refused ('level 0 has an empty set')."""
    curve = LossCurve(length=8, masked=[1, 2], loss=[0.0, 0.0])
    result = sweep(curve, ["uniform"], "1:8")
    first = result.rows[0]
    assert first.max_size == 8 and first.bounds["theorem2_upper"] == 0
    low, high = first.intervals["theorem2_upper"]  # d(0..5) unmeasured and unbounded above without V
    assert low == 0 and high == float("inf")


def step_chunk(schedules: list[Schedule]):
    """The schedules as one StepChunk (boundcalc.schedule_arrays): their sizes row after row."""
    from boundcalc.schedule_arrays import StepChunk

    sizes = [np.array(s.sizes, dtype=np.int64) for s in schedules]
    steps = np.array([s.steps for s in schedules], dtype=np.int64)
    return StepChunk(schedules[0].length, steps, np.concatenate(sizes), np.concatenate(([0], np.cumsum(steps))))


def step_vectorised(curve: LossCurve, chunk, schedules: list[Schedule], vocab_size: int | None):
    """sweep_steps.chunk_columns's values, with the fallbacks counted (as vectorised above)."""
    linear, cubic, gaps = curve_profile(curve), curve_profile(curve, "pchip"), has_gaps(curve)
    rows = CurveRows(linear.conditional, cubic.conditional, curve if gaps else None, vocab_size)
    calls = []

    def refuse(schedule):
        calls.append(schedule)
        return row_by_row(curve, schedule, vocab_size)

    fallbacks = [lambda s: refuse(s)[0], lambda s: refuse(s)[1]] + ([lambda s: refuse(s)[2]] if gaps else [])
    columns = chunk_columns(rows, chunk, schedules, fallbacks)
    return [(columns[0][i], columns[1][i], columns[2][i] if gaps else None) for i in range(len(schedules))], calls


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_step_sums_equal_the_row_by_row_values(data):
    """boundcalc.sweep_steps (sums over the steps of flat arrays) on random schedules: the same floats."""
    curve = data.draw(curves())
    vocab_size = data.draw(st.sampled_from([None, 2, 50, 10**6]))
    schedules = random_schedules(data.draw, curve.length, 6)
    found, _ = step_vectorised(curve, step_chunk(schedules), schedules, vocab_size)
    for schedule, values in zip(schedules, found):
        assert values == row_by_row(curve, schedule, vocab_size), schedule


@pytest.mark.parametrize("partial", [True, False])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_step_sums_of_every_array_family_at_every_T(partial, data):
    from boundcalc.schedule_arrays import chunk_schedules, step_chunks

    curve = data.draw(curves(partial=partial))
    L = curve.length
    for head, extra in [("linear", []), ("cosine", []), ("cosine-mdlm", []), ("power", ["2"]), ("power", ["1/3"])]:
        for chunk in step_chunks(head, extra, L, range(1, L + 1), chunk_steps=97):
            schedules = chunk_schedules(chunk, head, extra, [f"{head}:{t}" for t in chunk.steps.tolist()])
            found, _ = step_vectorised(curve, chunk, schedules, 30)
            for schedule, values in zip(schedules, found):
                assert values == row_by_row(curve, schedule, 30), schedule


def test_step_sums_take_the_fast_path_on_a_language_model_curve():
    from boundcalc.schedule_arrays import chunk_schedules, step_chunks

    L = 512
    curve = LossCurve(length=L, masked=[j * L // 16 for j in range(1, 17)], loss=[0.5 + 6 * j / 16 for j in range(1, 17)])
    calls, checked = [], 0
    for chunk in step_chunks("cosine", [], L, range(1, L + 1)):
        schedules = chunk_schedules(chunk, "cosine", [], [f"cosine:{t}" for t in chunk.steps.tolist()])
        found, fell = step_vectorised(curve, chunk, schedules, None)
        calls += fell
        for schedule, values in list(zip(schedules, found))[::31]:
            assert values == row_by_row(curve, schedule, None)
            checked += 1
    assert len({id(s) for s in calls}) <= 8 and checked >= 16


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_reach_of_each_start_is_the_last_exact_step_end(data):
    """exact_reach against the test itself at every (w, m), by brute force."""
    from boundcalc.sweep_steps import exact_reach

    curve = data.draw(curves())
    grid = ExactGrid(curve_profile(curve).conditional)
    if not grid.ok:
        return
    d, limit = grid.d, 2.0 ** (52 - grid.grid)
    reach = exact_reach(grid).tolist()
    for w in range(grid.length):
        passes = [bool((2.0 * d[m] >= d[w]) | (d[w] - d[m] < limit)) for m in range(w, grid.length)]
        assert passes == [m <= reach[w] for m in range(w, grid.length)]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_stderr_column_from_the_steps_is_the_exact_weights_stderr(data):
    """sweep_steps.chunk_stderrs against Σ a_i² se_i² with the weights a computed in exact Fractions from
    the schedule's coefficients (a second method: the hat functions of the linear interpolation, then the
    isotonic blocks), and against LossCurve.stderr_of (the row-by-row floats) to rounding."""
    from fractions import Fraction as F

    from boundcalc.sweep_steps import chunk_stderrs

    curve = data.draw(curves())
    if curve.stderr is None:
        return
    schedules = random_schedules(data.draw, curve.length, 4)
    found = chunk_stderrs(curve, step_chunk(schedules))
    L = curve.length
    m = sorted((L - curve.masked).tolist())
    n = len(m)
    _, block_of = curve._pava()
    weights = [F(w) for w in curve._weights()]
    for schedule, value in zip(schedules, found):
        c = [F(int(x)) for x in schedule_coefficients(schedule, L)]
        a_fit = [F(0)] * n
        for x in range(L):
            if x <= m[0]:
                a_fit[0] += c[x]
            if x >= m[-1]:
                a_fit[-1] += c[x]
            if m[0] < x < m[-1]:
                j = max(i for i in range(n) if m[i] <= x)
                t = F(x - m[j], m[j + 1] - m[j])
                a_fit[j] += c[x] * (1 - t)
                a_fit[j + 1] += c[x] * t
        a_fit = a_fit[::-1]  # ascending k
        block_a, block_w = {}, {}
        for i, b in enumerate(block_of):
            block_a[b] = block_a.get(b, 0) + a_fit[i]
            block_w[b] = block_w.get(b, 0) + weights[i]
        a = [block_a[b] * weights[i] / block_w[b] for i, b in enumerate(block_of)]
        exact = float(sum(x * x * F(se) ** 2 for x, se in zip(a, curve.stderr.tolist()))) ** 0.5
        assert value == pytest.approx(exact, rel=1e-12, abs=1e-300)
        # the row-by-row floats cancel terms of size |c|·se: where the exact weights vanish (a flat curve) they
        # leave ~1e-17, not 0
        noise = 1e-14 * float(sum(abs(x) for x in c)) * float(curve.stderr.max())
        assert value == pytest.approx(curve.stderr_of(schedule_coefficients(schedule, L)), rel=1e-12, abs=noise)
