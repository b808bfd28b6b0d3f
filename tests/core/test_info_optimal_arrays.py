"""Issue 22: info-optimal's schedules for many T at once (boundcalc.info_optimal_arrays) are the per-T builder's
(boundcalc.estimate.info_optimal_schedule), size for size, on random curves with flat pieces, flat curves and
every chunking (hypothesis); the rows' lazy runs, names and descriptions are the builder's too."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.estimate import info_optimal_boundaries, info_optimal_schedule
from boundcalc.info_optimal_arrays import info_optimal_chunks, info_optimal_schedules


@st.composite
def conditionals(draw):
    """d(0..L-1) non-increasing: random drops, some of them 0 (flat pieces), or a flat curve, of varied scale."""
    L = draw(st.integers(1, 80))
    kind = draw(st.sampled_from(["drops", "flat", "few"]))
    if kind == "flat":
        return np.full(L, draw(st.sampled_from([0.0, 1.5])))
    drops = draw(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=L, max_size=L))
    if kind == "few":  # mostly flat: many zero spans of F
        drops = [x if x > 0.8 else 0.0 for x in drops]
    scale = draw(st.sampled_from([1e-6, 1.0, 37.0]))
    return np.cumsum(np.array(drops[::-1]) * scale)[::-1].copy()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditionals(), st.data())
def test_every_row_is_the_builders_schedule(d, data):
    L = int(d.size)
    ts = sorted(data.draw(st.sets(st.integers(1, L), min_size=1, max_size=L)))
    chunk_steps = data.draw(st.sampled_from([1, 5, 3 * L, 1 << 21]))
    seen = []
    for chunk in info_optimal_chunks(d, ts, chunk_steps):
        assert chunk.length == L and int(chunk.first[-1]) == chunk.size.size
        for i, T in enumerate(chunk.steps.tolist()):
            sizes = chunk.size[chunk.first[i]:chunk.first[i + 1]].tolist()
            assert sizes == np.diff(info_optimal_boundaries(d, T)).tolist(), (L, T)
            seen.append(T)
    assert seen == ts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditionals(), st.data())
def test_rows_are_the_builders_schedules(d, data):
    L = int(d.size)
    ts = sorted(data.draw(st.sets(st.integers(1, L), min_size=1, max_size=10)))
    chunked = []
    for T, schedule in info_optimal_schedules(d, ts, lambda chunk, rows: chunked.append(chunk.rows)):
        reference = info_optimal_schedule(d, T)
        assert (schedule.length, schedule.steps, schedule.max_size) == (L, T, reference.max_size)
        assert schedule.name == reference.name == f"info-optimal:{T}"
        for limit in (12, 3, 40):
            assert schedule.describe(limit) == reference.describe(limit)
        assert schedule == reference and hash(schedule) == hash(reference)
        assert schedule.runs == reference.runs and schedule.sizes == reference.sizes
    assert sum(chunked) == len(ts)  # every chunk handed to the consumer before its rows are returned


def test_a_flat_curve_gives_the_uniform_schedule_larger_steps_first():
    """F(L) = 0: info_optimal_boundaries' uniform branch (10 = 4 + 3 + 3), by hand."""
    (chunk,) = info_optimal_chunks(np.full(10, 2.0), [1, 3, 10])
    assert chunk.size.tolist() == [10, 4, 3, 3] + [1] * 10
