"""info-optimal's schedules at every T of a grid at once, as flat step arrays (:class:`~boundcalc.schedule_arrays.StepChunk`).

A sweep of ``info-optimal`` over T = 1..L built each T's Schedule alone (about one run per step: 1.3·10^8
steps as tuples at L = 16384, refused by the cost model). Here each T's step starts come from the T scans' kernel
(:func:`boundcalc.step_starts.info_optimal_kernel`: :func:`boundcalc.estimate.info_optimal_boundaries`'s floats
into buffers reused per T, ~0.2 ms a T at L = 16384), and their differences are written straight into the flat
size array of a :class:`~boundcalc.schedule_arrays.StepChunk`, which the sweep's sums over steps
(:mod:`boundcalc.sweep_steps`) read as they read the curve families' chunks. No tuple of runs is made unless a
row's runs are asked for (:class:`InfoOptimalSchedule`).

tests/core/test_info_optimal_arrays.py compares every row with :func:`boundcalc.estimate.info_optimal_schedule`
(hypothesis: random curves, flat pieces, L and T).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Iterator, Sequence

from .schedule import Schedule
from .schedule_arrays import CHUNK_STEPS, FamilySchedule, StepChunk

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["info_optimal_chunks", "InfoOptimalSchedule"]


def info_optimal_chunks(d: "np.ndarray", steps: Sequence[int], chunk_steps: int = CHUNK_STEPS
                        ) -> Iterator[StepChunk]:
    """The info-optimal schedules of d(0..L-1) for the sorted ``steps`` (1 <= T <= L), in chunks of about
    ``chunk_steps`` steps: each row the sizes of :func:`boundcalc.estimate.info_optimal_schedule`'s T-step
    schedule (from :func:`boundcalc.step_starts.starts_scanner`'s kernel, the builder's boundaries)."""
    import numpy as np

    from .kernel_arrays import starts_chunks
    from .step_starts import info_optimal_kernel

    kernel = info_optimal_kernel(np.asarray(d, dtype=np.float64))
    return starts_chunks(kernel.starts_sizes_into, int(d.size), steps, chunk_steps, sizes_too=True)


class InfoOptimalSchedule(FamilySchedule):
    """One row of :func:`info_optimal_chunks` (:class:`~boundcalc.schedule_arrays.FamilySchedule`'s L, T, s_max
    and first runs); its runs are listed, from the curve's d, only when something asks for them: the same
    schedule as :func:`boundcalc.estimate.info_optimal_schedule`."""

    def __init__(self, d: "np.ndarray", *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.__dict__["_conditional"] = d

    @cached_property
    def runs(self) -> tuple[tuple[int, int], ...]:
        from .estimate import info_optimal_schedule

        head, count = self.__dict__["_head_runs"], self.__dict__["_run_count"]
        if count <= len(head):  # every run read off the chunk already (a row that describe() lists in full)
            return tuple(head)
        return info_optimal_schedule(self.__dict__["_conditional"], self.steps).runs


def info_optimal_schedules(d: "np.ndarray", steps: Sequence[int], consume: object = None
                           ) -> list[tuple[int, Schedule]]:
    """(T, schedule) for every T of ``steps`` (sorted, 1 <= T <= L), chunk by chunk; each chunk is handed to
    ``consume(chunk, schedules)`` first (a sweep's errors, while the chunk's steps are at hand)."""
    import functools

    from .schedule_arrays import chunk_schedules

    built: list[tuple[int, Schedule]] = []
    make = functools.partial(InfoOptimalSchedule, d)
    for chunk in info_optimal_chunks(d, steps):
        names = [f"info-optimal:{t}" for t in chunk.steps.tolist()]
        schedules = chunk_schedules(chunk, "info-optimal", [], names, make=make)
        if consume is not None:
            consume(chunk, schedules)  # type: ignore[operator]
        built += zip(chunk.steps.tolist(), schedules)
    return built
