"""Issue 22: a family's schedules at every T at once (boundcalc.schedule_arrays) are the exact per-T builders'
schedules, size for size, for every array family and many (L, T) (hypothesis), including values near the
integers where the float floors are undecided and the clamp of Schedule.from_curve."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.schedule import Schedule, parse_schedule
from boundcalc.schedule_arrays import ARRAY_FAMILIES, array_supported, chunk_schedules, step_chunks

FAMILIES = [("linear", []), ("cosine", []), ("cosine-mdlm", []), ("power", ["2"]), ("power", ["1/2"]),
            ("power", ["3"]), ("power", ["7/3"]), ("power", ["1/64"])]


def rows_of(head, extra, L, ts, chunk_steps):
    """(T, sizes, FamilySchedule) of every row of every chunk."""
    out = []
    for chunk in step_chunks(head, extra, L, ts, chunk_steps=chunk_steps):
        names = [":".join([head, str(t), *extra]) for t in chunk.steps.tolist()]
        schedules = chunk_schedules(chunk, head, extra, names)
        for i, t in enumerate(chunk.steps.tolist()):
            out.append((t, chunk.size[chunk.first[i]:chunk.first[i + 1]].tolist(), schedules[i]))
    return out


def exact(head, extra, L, t) -> Schedule:
    """The per-T exact builder (integer floors, boundcalc.floors), as `boundcalc schedule` builds it."""
    return parse_schedule(":".join([head, str(t), *extra]), L)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FAMILIES), st.integers(1, 400), st.data())
def test_every_row_is_the_exact_schedule(family, L, data):
    head, extra = family
    ts = sorted(data.draw(st.sets(st.integers(1, L), min_size=1, max_size=12)))
    chunk_steps = data.draw(st.sampled_from([1, 7, 300, 1 << 21]))
    rows = rows_of(head, extra, L, ts, chunk_steps)
    assert [t for t, _, _ in rows] == ts
    for t, sizes, schedule in rows:
        reference = exact(head, extra, L, t)
        assert tuple(sizes) == reference.sizes, (head, extra, L, t)
        assert schedule == reference and reference == schedule and hash(schedule) == hash(reference)
        assert (schedule.length, schedule.steps, schedule.max_size) == (L, t, reference.max_size)
        assert schedule.name == reference.name
        for limit in (12, 3, 8, 40):
            assert schedule.describe(limit) == reference.describe(limit)
        assert schedule.is_balanced == reference.is_balanced


@pytest.mark.parametrize("head, extra", FAMILIES[:5])
def test_every_T_of_a_length_with_many_near_integers(head, extra):
    """L = 720 (many divisors: L·cos, L·(k/T)^p land on integers often, the exact routines decide them)."""
    L = 720
    for t, sizes, schedule in rows_of(head, extra, L, range(1, L + 1), 1 << 14):
        if t % 7 == 0 or t < 40 or t > L - 20:
            assert tuple(sizes) == exact(head, extra, L, t).sizes


def test_a_long_sequence_at_sampled_T():
    L = 16384
    for head, extra in FAMILIES[:4]:
        rows = rows_of(head, extra, L, [1, 2, 3, 97, 1000, 4096, 16383, 16384], 1 << 21)
        for t, sizes, schedule in rows:
            reference = exact(head, extra, L, t)
            assert tuple(sizes) == reference.sizes and schedule.describe() == reference.describe()


def test_the_supported_families():
    assert set(ARRAY_FAMILIES) == {"linear", "cosine", "cosine-mdlm", "power"}
    assert array_supported("power", ["2"], 100) and not array_supported("power", ["100"], 100)
    assert not array_supported("uniform", [], 100) and not array_supported("dream", [], 100)
    assert not array_supported("cosine", [], 2**25)  # the per-T builders there


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 300), st.sampled_from([[], ["1/2"], ["0"], ["99/100"], ["1/7"]]), st.data())
def test_dream_runs_are_the_exact_schedules(L, extra, data):
    """dream_runs: every T's runs as Schedule.dream builds them, None exactly where it refuses (an empty step)."""
    from boundcalc.errors import BoundcalcError
    from boundcalc.schedule_arrays import dream_runs

    ts = sorted(data.draw(st.sets(st.integers(1, L), min_size=1, max_size=15)) | {L})
    for t, runs in dream_runs(L, ts, extra).items():
        try:
            reference = exact("dream", extra, L, t)
        except BoundcalcError:
            assert runs is None, (L, t, extra)
            continue
        assert runs == reference.runs, (L, t, extra)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=5000), st.data())
def test_uniform_schedule_is_the_builders(length, data):
    """uniform_schedule is fast_schedule's (and parse_schedule's) uniform:T, runs, name and cached sizes alike."""
    from boundcalc.family_sizes import fast_schedule
    from boundcalc.schedule import parse_schedule
    from boundcalc.schedule_arrays import uniform_schedule

    steps = data.draw(st.integers(min_value=1, max_value=length))
    found = uniform_schedule(length, steps)
    expected = fast_schedule("uniform", [], length, steps)
    built = parse_schedule(f"uniform:{steps}", length)
    assert found.runs == expected.runs == built.runs
    assert found.name == expected.name == built.name == f"uniform:{steps}"
    assert (found.length, found.steps, found.max_size) == (built.length, built.steps, built.max_size)
    assert sum(s * c for s, c in found.runs) == length and found == built
    assert found.describe() == built.describe() and found.is_balanced
