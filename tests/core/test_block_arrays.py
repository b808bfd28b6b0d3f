"""Issue 22: a sweep's blocks:K:FAMILY:T rows from the inner family's arrays (boundcalc.block_arrays) are the
schedules the per-T builder gives (Schedule.blocks through parse_schedule): the same runs, name, blocks, s_max,
printed form and blockwise bounds (from per-token values and from a total), and the same message where a T has
no schedule; checked for every inner family and many (K, L, T) with hypothesis, and on a whole sweep."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.block_arrays import BlockFamilySchedule, block_rows, fast_blocks
from boundcalc.bounds import BOUNDS, BoundInputs
from boundcalc.errors import BoundcalcError
from boundcalc.profile import MIProfile
from boundcalc.sweeps import _build, parse_family, sweep

INNER = ["cosine", "linear", "cosine-mdlm", "power:T:2", "power:T:1/2", "uniform", "dream"]
BLOCKWISE = [name for name in BOUNDS if name.startswith("block_")]


def reference(family, t, L):
    """The per-T builder (parse_schedule's Schedule.blocks), or its message."""
    try:
        return _build(family, t, L)
    except BoundcalcError as error:
        return error.message


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(INNER), st.integers(2, 6), st.integers(1, 40), st.data())
def test_every_row_is_the_builders_schedule(inner, K, per_block, data):
    L = K * per_block
    text = f"blocks:{K}:{inner}" + ("" if ":T" in inner else ":T")
    family = parse_family(text)
    assert fast_blocks(family.parts, L)
    steps = sorted(data.draw(st.sets(st.integers(1, L), min_size=1, max_size=12)))
    built, missed = block_rows(family, steps, L, lambda t: _build(family, t, L))
    assert sorted([t for t, _ in built] + [t for t, _ in missed]) == steps
    values = data.draw(st.lists(st.fractions(0, 3), min_size=L, max_size=L))
    profiles = [MIProfile.from_values(values), MIProfile.from_total(Fraction(7, 2), L)]
    for t, error in missed:
        assert reference(family, t, L) == error.message
    for t, schedule in built:
        expected = reference(family, t, L)
        assert not isinstance(expected, str), expected
        assert (schedule.runs, schedule.name, schedule.block_spans) == (expected.runs, expected.name, expected.block_spans)
        assert (schedule.length, schedule.steps, schedule.max_size) == (expected.length, expected.steps, expected.max_size)
        assert [schedule.describe(n) for n in (3, 12, 40)] == [expected.describe(n) for n in (3, 12, 40)]
        assert [(a, n, s.max_size, s.steps, s.is_balanced, s.runs) for a, n, s in schedule.block_schedules()] == [
            (a, n, s.max_size, s.steps, s.is_balanced, s.runs) for a, n, s in expected.block_schedules()]
        for profile in profiles:
            for name in BLOCKWISE:
                ours = BOUNDS[name].value(BoundInputs(profile, schedule, Fraction(1, 10))) if BOUNDS[name].applies_to(schedule) else None
                theirs = BOUNDS[name].value(BoundInputs(profile, expected, Fraction(1, 10))) if BOUNDS[name].applies_to(expected) else None
                assert ours == theirs, (name, t)


def test_rows_list_no_runs_until_asked():
    """A row of blocks:4:cosine:T at L = 4096 knows its s_max and first runs without listing its runs."""
    family = parse_family("blocks:4:cosine:T")
    (row,), _ = block_rows(family, [2048], 4096, lambda t: _build(family, t, 4096))
    t, schedule = row
    assert isinstance(schedule, BlockFamilySchedule) and "runs" not in schedule.__dict__
    assert schedule.describe() == _build(family, 2048, 4096).describe() and "runs" not in schedule.__dict__
    assert schedule.runs == _build(family, 2048, 4096).runs


def test_one_block_and_an_indivisible_L_take_the_builder():
    assert not fast_blocks(parse_family("blocks:1:cosine:T").parts, 64)
    assert not fast_blocks(parse_family("blocks:3:cosine:T").parts, 64)
    assert fast_blocks(parse_family("blocks:4:cosine:T").parts, 64)


def test_a_sweep_of_blocks_from_per_token_values_equals_the_builders_rows():
    values = [Fraction(i % 5, 7) for i in range(96)]
    result = sweep(MIProfile.from_values(values), ["blocks:4:cosine:T", "blocks:3:uniform:T"], "1:96")
    assert len(result.rows) == 24 + 32 and len(result.skipped) == 2 * 96 - 56
    for row in result.rows:
        expected = _build(parse_family(row.family), row.steps, 96)
        assert row.schedule.describe() == expected.describe() and row.max_size == expected.max_size
        inputs = BoundInputs(MIProfile.from_values(values), expected, Fraction(0))
        assert dict(row.bounds) == {name: BOUNDS[name].value(inputs) if BOUNDS[name].applies_to(expected) else None
                                    for name in row.bounds}
