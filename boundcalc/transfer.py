"""A schedule as the per-step token counts LLaDA's and Dream's ``generate`` take (``num_transfer_tokens``).

LLaDA's ``generate`` (ML-GSAI/LLaDA, generate.py) splits the answer into blocks of ``block_length`` and,
in block b, reveals ``num_transfer_tokens[:, i]`` tokens at step i (``get_num_transfer_tokens`` fills it
uniformly, the remainder to the first steps); Dream's reveals per step likewise. A boundcalc schedule's
sizes, in reveal order, are exactly that list: :func:`num_transfer_tokens` returns them as ``list[int]``,
:func:`num_transfer_tokens_per_block` one list per block of a semi-autoregressive schedule.

>>> from boundcalc.schedule import Schedule
>>> num_transfer_tokens(Schedule.uniform(10, 4))
[3, 3, 2, 2]
>>> num_transfer_tokens_per_block(Schedule.llada(8, 8, 4, 4))
[[2, 2], [2, 2]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .schedule import Schedule

__all__ = ["num_transfer_tokens", "num_transfer_tokens_per_block"]


def num_transfer_tokens(schedule: "Schedule") -> list[int]:
    """The tokens revealed at each step, first step first (what ``num_transfer_tokens[:, i]`` holds)."""
    return [int(s) for s in schedule]


def num_transfer_tokens_per_block(schedule: "Schedule") -> list[list[int]]:
    """Per block (left to right), the tokens revealed at each of its steps; one block when not blockwise."""
    return [num_transfer_tokens(inner) for _, _, inner in schedule.block_schedules()]
