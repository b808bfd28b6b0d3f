"""The paper's random schedule (Theorem 2's lower bound): its steps with their exact probabilities."""

from __future__ import annotations

from fractions import Fraction

from .errors import ScheduleError

__all__ = ["random_schedule_distribution"]


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
