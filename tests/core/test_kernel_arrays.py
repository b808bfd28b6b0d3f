"""Issue 22: the curve families' chunks from the T scans' kernels (boundcalc.kernel_arrays) are the chunks of
boundcalc.schedule_arrays (whole-chunk numpy passes) and the exact per-T builders' schedules: sizes, step starts,
s_max and chunk boundaries, for every array family, many (L, T) and chunk sizes (hypothesis), including the
rational value L·cos(π/3) = L/2 that the kernel decides without the exact routine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.kernel_arrays import family_chunks, starts_chunks
from boundcalc.schedule import parse_schedule
from boundcalc.schedule_arrays import step_chunks

FAMILIES = [("linear", []), ("cosine", []), ("cosine-mdlm", []), ("power", ["2"]), ("power", ["1/2"]),
            ("power", ["7/3"])]


def assert_same_chunks(head, extra, L, ts, chunk_steps):
    ours = list(family_chunks(head, extra, L, ts, chunk_steps))
    theirs = list(step_chunks(head, extra, L, ts, chunk_steps))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.steps.tolist() == b.steps.tolist() and a.first.tolist() == b.first.tolist()
        assert a.size.tolist() == b.size.tolist(), (head, extra, L)
        assert a.pos.tolist() == b.pos.tolist() and a.max_size.tolist() == b.max_size.tolist()
    return ours


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FAMILIES), st.integers(1, 500), st.data())
def test_kernel_chunks_are_the_array_chunks_and_the_exact_schedules(family, L, data):
    head, extra = family
    ts = sorted(data.draw(st.sets(st.integers(1, L), min_size=1, max_size=12)))
    chunk_steps = data.draw(st.sampled_from([1, 7, 300, 1 << 21]))
    for chunk in assert_same_chunks(head, extra, L, ts, chunk_steps):
        for i, t in enumerate(chunk.steps.tolist()):
            sizes = chunk.size[chunk.first[i] : chunk.first[i + 1]]
            assert tuple(sizes.tolist()) == parse_schedule(":".join([head, str(t), *extra]), L).sizes
            assert chunk.pos[chunk.first[i] : chunk.first[i + 1]].tolist() == (np.cumsum(sizes) - sizes).tolist()


@pytest.mark.parametrize("head", ["cosine", "cosine-mdlm"])
def test_every_T_where_a_count_is_rational(head):
    """L = 720, every T: at each T divisible by 3, L·cos(π/3) = L·sin(π/6) = 360 is an exact integer count."""
    assert_same_chunks(head, [], 720, range(1, 721), 1 << 14)


def test_starts_chunks_writes_each_rows_starts_in_place():
    """Each row's starts are written into the chunk's pos (its w_T on the next row's first slot, which that row's
    w_0 then overwrites): the rows come out whole, sizes and starts."""
    def starts(T, out):
        out[: T + 1] = np.linspace(0, 6, T + 1).round().astype(np.int64)
        return out[: T + 1]

    chunks = list(starts_chunks(starts, 6, [1, 2, 3, 6], chunk_steps=4))
    assert [c.steps.tolist() for c in chunks] == [[1, 2], [3], [6]]
    assert chunks[0].size.tolist() == [6, 3, 3] and chunks[0].pos.tolist() == [0, 0, 3]
    assert chunks[1].size.tolist() == [2, 2, 2] and chunks[2].size.tolist() == [1] * 6
    assert chunks[2].pos.tolist() == [0, 1, 2, 3, 4, 5] and chunks[0].max_size.tolist() == [6, 3]


@pytest.mark.parametrize("d", [np.linspace(3.0, 0.5, 40), np.zeros(40)])  # the zero curve: the builder's own array
def test_starts_into_a_callers_buffer_equal_the_kernels_starts(d):
    """starts_into leaves the same starts as starts in the caller's buffer, also where info-optimal's kernel falls
    back to the builder (a flat curve: the uniform schedule, in an array of its own), and restores its buffer."""
    from boundcalc.step_starts import family_kernel, info_optimal_kernel

    for kernel in (family_kernel("cosine", [], 40), family_kernel("linear", [], 40), info_optimal_kernel(d)):
        for T in (1, 3, 17, 40):
            expected = kernel.starts(T).copy()
            buffer = np.full(50, -7, dtype=np.int64)
            found = kernel.starts_into(T, buffer[5:])
            assert found.tolist() == expected.tolist() == buffer[5 : 5 + T + 1].tolist()
            assert buffer[5 + T + 1 :].tolist() == [-7] * (50 - 5 - T - 1) and buffer[:5].tolist() == [-7] * 5
            assert kernel.starts(T).tolist() == expected.tolist()
