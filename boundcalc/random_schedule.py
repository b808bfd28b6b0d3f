"""The paper's random schedule (Theorem 2's lower bound): its steps with their exact probabilities."""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import TYPE_CHECKING

from .errors import ScheduleError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["random_schedule_distribution", "random_schedule_floats"]


def random_schedule_distribution(length: int, max_size: int) -> list[tuple[Fraction, int, int]]:
    """The steps of the paper's random schedule with their probabilities: (P(step occurs), w, s).

    Sizes are drawn s_1, s_2, ... (s_1 revealed last) iid uniform on {S, S/2};
    measured from the end of the sequence the block boundaries form a renewal
    process, and the block that would overshoot L (the first revealed) is cut.
    E over the schedule of Σ_t g(w_t, s_t) is Σ P(step) g(w, s) over this list.
    """
    if max_size < 2 or max_size % 2:
        raise ScheduleError(f"s_max = {max_size} has no half", param="s_max", allowed="an even s_max >= 2")
    half = max_size // 2
    reach = [Fraction(0)] * (length + 1)  # reach[b]: P(a block boundary at distance b from the end)
    reach[0] = Fraction(1)
    steps: list[tuple[Fraction, int, int]] = []
    for b in range(length):
        if reach[b] == 0:
            continue
        for size in (max_size, half):
            p = reach[b] / 2
            end = b + size
            if end >= length:  # the cut block: revealed first, from w = 0
                steps.append((p, 0, length - b))
            else:
                reach[end] += p
                steps.append((p, length - end, size))
    return steps


@functools.lru_cache(maxsize=32)
def random_schedule_floats(length: int, max_size: int) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """:func:`random_schedule_distribution` as arrays (p, w, s), each P(step) the float nearest its exact value.

    The same steps in the same order, with float(P) exactly as ``float(Fraction)`` gives it (correctly
    rounded), computed without Fractions: every probability is a dyadic rational whose denominator divides
    2^E, E = floor(L / (S/2)) + 2 (each step halves it once and moves the boundary by at least S/2), so
    P · 2^E is an integer and float(P) is one correctly rounded integer division. A sweep asks for it once
    per S (cached); at L = 16384 the Fractions' normalisation took seconds per S.
    """
    import numpy as np

    if max_size < 2 or max_size % 2:
        raise ScheduleError(f"s_max = {max_size} has no half", param="s_max", allowed="an even s_max >= 2")
    half = max_size // 2
    scale = length // half + 2
    denominator = 1 << scale
    reach = [0] * (length + 1)  # reach[b] · 2^E: P(a block boundary at distance b from the end), exactly
    reach[0] = denominator
    ps: list[float] = []
    ws: list[int] = []
    ss: list[int] = []
    for b in range(length):
        if reach[b] == 0:
            continue
        p = reach[b] >> 1  # reach[b] · 2^E is even (its denominator is at most 2^(E-2)): P / 2 exactly
        chance = p / denominator  # correctly rounded, as float(Fraction(p, 2^E))
        for size in (max_size, half):
            end = b + size
            if end >= length:  # the cut block: revealed first, from w = 0
                ws.append(0)
                ss.append(length - b)
            else:
                reach[end] += p
                ws.append(length - end)
                ss.append(size)
            ps.append(chance)
    out = (np.array(ps, dtype=np.float64), np.array(ws, dtype=np.int64), np.array(ss, dtype=np.int64))
    for array in out:
        array.setflags(write=False)
    return out
