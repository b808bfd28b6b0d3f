"""A sweep's semi-autoregressive rows, ``blocks:K:FAMILY:T`` at every T, without listing each row's runs (issue 22).

``Schedule.blocks`` builds a T-step blocks schedule from the inner family's T/K-step schedule over L/K tokens,
repeated in K blocks: through the exact per-T builder (tens of ms a T for the trigonometric families) and as a
tuple of K copies of the inner runs (thousands of runs a row at L = 16384). A sweep reads of a row only its L, T,
s_max, its first runs (the printed schedule) and, for the blockwise bounds, each block's (start, length, inner
schedule) -- the inner schedule's s_max and T. So here:

* the inner schedules of every T/K come at once from :mod:`boundcalc.schedule_arrays` (linear, cosine,
  cosine-mdlm, power: the exact builders' sizes as flat arrays) or from the fast builder
  (:func:`boundcalc.family_sizes.fast_schedule`: uniform, dream; a few runs each), the sizes the exact builder
  gives (tests/core/test_schedule_arrays.py and tests/core/test_block_arrays.py);
* each row is a :class:`BlockFamilySchedule`: its first runs are the inner schedule's (K copies merged where a
  block's last run and the next block's first have one size, as the Schedule constructor merges them), its runs
  listed only when asked for, and :meth:`~BlockFamilySchedule.block_schedules` gives the K blocks with the inner
  schedule itself, so every blockwise bound reads the same numbers as from the built schedule;
* any T the fast path does not produce (T not a multiple of K, a block listing over its limit, an inner family
  without a fast builder) goes to the sweep's own builder, which gives the row or its message as before.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Callable, Sequence

from .errors import BoundcalcError
from .schedule import Schedule
from .schedule_arrays import HEAD_RUNS, FamilySchedule

__all__ = ["BlockFamilySchedule", "block_rows"]


class BlockFamilySchedule(FamilySchedule):
    """``blocks:K:FAMILY:T`` at L from its inner T/K-step schedule over L/K tokens (``inner``: L, T, s_max and
    its runs on demand): equal to ``Schedule.blocks(L, K, FAMILY:T)``, runs listed only when asked for."""

    def __init__(self, inner: Schedule, blocks: int, length: int, name: str) -> None:
        head, count = _merged_head(inner, blocks)
        super().__init__("blocks", (), length, inner.steps * blocks, inner.max_size, head, count, name)
        size = length // blocks
        object.__setattr__(self, "block_spans", tuple((b * size, size) for b in range(blocks)))
        self.__dict__.update(_inner=inner, _blocks=blocks)

    @cached_property
    def runs(self) -> tuple[tuple[int, int], ...]:
        return Schedule(runs=list(self.__dict__["_inner"].runs) * self.__dict__["_blocks"]).runs

    def block_schedules(self) -> tuple[tuple[int, int, Schedule], ...]:
        """(start, length, inner schedule) per block: the same inner schedule in each (no listing of runs)."""
        inner = self.__dict__["_inner"]
        return tuple((start, size, inner) for start, size in self.block_spans)


def _merged_head(inner: Schedule, blocks: int) -> tuple[tuple[tuple[int, int], ...], int]:
    """(the first runs, the number of runs) of K copies of ``inner``'s runs as the Schedule constructor merges
    them (a block's last run and the next block's first merge when their sizes are equal)."""
    known = inner.__dict__.get("_head_runs")
    count: int = inner.__dict__.get("_run_count", 0)
    if known is None or count <= len(known):  # every inner run at hand (a few): merge the copies exactly
        runs = Schedule(runs=list(inner.runs if known is None else known) * blocks).runs
        return runs[:HEAD_RUNS], len(runs)
    last = inner.__dict__["_last_size"]  # more inner runs than the head: the first runs are the inner's own
    return tuple(known), count * blocks - (blocks - 1) * (last == known[0][0])


def fast_blocks(parts: Sequence[str], length: int) -> bool:
    """True when :func:`block_rows` computes the sweep family with these parts (``blocks``, K, FAMILY, ``T``,
    FAMILY's parameters) at L: K > 1 divides L, at most MAX_BLOCKS, and FAMILY has arrays or a fast builder."""
    from .exact import positive_int
    from .family_sizes import supported
    from .schedule_arrays import array_supported
    from .schedule_limits import MAX_BLOCKS

    if parts[0] != "blocks" or len(parts) < 4 or parts[3] != "T":
        return False
    try:
        blocks = positive_int(parts[1], "K")
    except BoundcalcError:
        return False
    if length % blocks or blocks > MAX_BLOCKS or blocks == 1:  # one block is no block structure (a plain row)
        return False
    head, extra, size = parts[2], list(parts[4:]), length // blocks
    return array_supported(head, extra, size) or (head in ("uniform", "dream") and supported(head, extra, size))


def block_rows(family: Any, steps: Sequence[int], length: int, build: Callable[[int], Schedule]
               ) -> "tuple[list[tuple[int, Schedule]], list[tuple[int, BoundcalcError]]] | None":
    """(T, schedule) of ``family`` (a sweep's ``blocks:K:FAMILY:T``) at every T of ``steps`` and (T, the error)
    where it has none; ``build(T)`` is the sweep's per-T builder, asked where the fast path does not apply.
    None when :func:`fast_blocks` does not hold."""
    from .schedule_limits import MAX_BLOCKS

    parts = family.parts
    if not fast_blocks(parts, length):
        return None
    blocks, head, extra = int(parts[1]), parts[2], list(parts[4:])
    inner = _inner_schedules(head, extra, length // blocks, [t // blocks for t in steps if t % blocks == 0])
    built: list[tuple[int, Schedule]] = []
    missed: list[tuple[int, BoundcalcError]] = []
    for t in steps:
        one = inner.get(t // blocks) if t % blocks == 0 else None
        runs = None if one is None else one.__dict__["_run_count"] if "_run_count" in one.__dict__ else len(one.runs)
        if one is not None and runs is not None and runs * blocks <= MAX_BLOCKS:  # a block's runs (counted) x K
            name = f"blocks:{blocks}:{':'.join([head, str(t), *extra])}"
            built.append((t, BlockFamilySchedule(one, blocks, length, name)))
            continue
        try:  # the builder's own schedule or message (T not a multiple of K, an empty step, a long listing)
            built.append((t, build(t)))
        except BoundcalcError as error:
            missed.append((t, error))
    return built, missed


def _inner_schedules(head: str, extra: list[str], size: int, steps: Sequence[int]) -> "dict[int, Schedule | None]":
    """T/K -> the inner schedule over L/K tokens (None: the fast builder has none; the sweep's builder says why),
    for a family :func:`fast_blocks` accepts."""
    from .family_sizes import fast_schedule
    from .schedule_arrays import array_supported, chunk_schedules, step_chunks

    wanted = sorted(set(t for t in steps if 1 <= t <= size))
    out: dict[int, Schedule | None] = {}
    if array_supported(head, extra, size):
        for chunk in step_chunks(head, extra, size, wanted):
            rows = chunk_schedules(chunk, head, extra, [""] * chunk.rows)
            lasts = chunk.size[chunk.first[1:] - 1].tolist()
            for t, schedule, last in zip(chunk.steps.tolist(), rows, lasts):
                schedule.__dict__["_last_size"] = last  # for the merged run count of K copies
                out[t] = schedule
        return out
    for t in wanted:  # uniform, dream: a few runs each
        try:
            out[t] = Schedule(runs=fast_schedule(head, extra, size, t).runs)
        except BoundcalcError:
            out[t] = None
    return out
