"""A fixed family's schedules at every T of a grid as flat step arrays, from the T scans' kernels (issue 22).

:func:`boundcalc.schedule_arrays.step_chunks` computes a chunk's sizes in whole-chunk numpy passes: np.cos at
every (k, T) (~9 ns a value), a T-long repeat per row, an int64 floor division per value and a running minimum
over every value (np.minimum.accumulate: ~3 ns a value, no SIMD). The T scans' kernel
(:func:`boundcalc.step_starts.family_kernel`) gives the same step starts per T into reused buffers: cosines
and sines by angle addition (~1 ns a value, within 64·2^-53 of the true values, far inside the floors' guard
of 2^-32 L), the rational value cos(π/3) = sin(π/6) = 1/2 decided without an exact routine, the floor division
by a scalar T, and the running minimum only as far as it changes something. Measured at L = 16384 over every
T: cosine 1.6 s instead of 3.8 s, linear 0.6 s instead of 2.4 s, cosine-mdlm 1.1 s instead of 3.4 s.

Both are :func:`boundcalc.family_sizes.family_sizes`'s sizes, i.e. the exact builders' (tests/core/
test_schedule_arrays.py and tests/core/test_kernel_arrays.py compare them); here the kernel writes each row's
starts straight into the chunk's ``pos`` (its ``starts_into``), and ``size`` is their differences, so the chunk
needs no cumulative sum to find where its steps start and no copy of the starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from .schedule_arrays import CHUNK_STEPS, StepChunk, chunk_rows

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["starts_chunks", "family_chunks"]


def starts_chunks(starts: "Callable[..., np.ndarray | None]", length: int, steps: Sequence[int],
                  chunk_steps: int = CHUNK_STEPS, sizes_too: bool = False) -> Iterator[StepChunk]:
    """:class:`StepChunk`\\ s of the sorted ``steps`` (1 <= T <= L) from ``starts(T, out)`` (a kernel's
    ``starts_into``: the T + 1 step starts w_0 = 0 < ... < w_T = L written into out[: T + 1]), in chunks of about
    ``chunk_steps`` steps. Each row's starts are written straight into the chunk's ``pos`` (its w_T lands on the
    next row's first slot, which that row's w_0 = 0 then overwrites), and its sizes are their differences
    (``sizes_too``: written by ``starts(T, out, sizes)`` itself into sizes[: T], as it checks them anyway)."""
    import numpy as np

    for rows in chunk_rows(steps, chunk_steps):
        first = np.concatenate(([0], np.cumsum(rows)))
        total = int(first[-1])
        size = np.empty(total, dtype=np.int64)
        pos = np.empty(total + 1, dtype=np.int64)  # one slot more: the last row's w_T
        for T, at in zip(rows.tolist(), first[:-1].tolist()):
            if sizes_too:
                w = starts(T, pos[at : at + T + 1], size[at : at + T])
                assert w is not None  # 1 <= T <= L (the grid's check)
                continue
            w = starts(T, pos[at : at + T + 1])
            assert w is not None
            np.subtract(w[1:], w[:-1], out=size[at : at + T])
        chunk = StepChunk(length, rows, size, first)
        chunk.__dict__["pos"] = pos[:total]  # each step's first token (what StepChunk.pos computes from the sizes)
        yield chunk


def family_chunks(head: str, extra: Sequence[str], length: int, steps: Sequence[int],
                  chunk_steps: int = CHUNK_STEPS) -> Iterator[StepChunk]:
    """:func:`boundcalc.schedule_arrays.step_chunks` (the same chunks, the same sizes) from the T scans' kernel,
    for the families :func:`boundcalc.schedule_arrays.array_supported` names."""
    from .step_starts import family_kernel

    kernel = family_kernel(head, extra, length)
    return starts_chunks(kernel.starts_into, length, steps, chunk_steps)
