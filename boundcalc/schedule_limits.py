"""The checks every schedule passes and the limits of listing one: positive integer sizes, 1 <= T <= L, and a
family whose steps are computed one by one refused, before any work, when the listing would take too long.

Apart from :mod:`boundcalc.schedule` so that the value class and its families read as one idea each; the
names are re-exported there.
"""

from __future__ import annotations

from .errors import ScheduleError
from .exact import Number, positive_int

__all__ = ["MAX_MATERIALIZED_STEPS", "MAX_LISTING_SECONDS", "MAX_BLOCKS", "check_size", "length_and_steps"]

# Materializing more sizes than this as a Python tuple is refused with a clear
# error; run-length storage keeps every bound computable beyond it.
MAX_MATERIALIZED_STEPS = 10_000_000
#: Measured cost of computing one step of a listed family, in µs at L < 2^64 (cosine at L = 10^18, T = 10^5:
#: 1.7 s; linear, dream 0.3-0.4 s; power:7/3 at L = 10^3999: 43 ms a step); it grows with L's bits.
_STEP_US = {"curve": 4.0, "trig": 17.0, "power": 30.0}
#: A family's steps estimated to take longer than this to compute are refused before any work.
MAX_LISTING_SECONDS = 10.0
#: The most blocks (times distinct step sizes in a block) a semi-autoregressive schedule may list: each bound
#: walks every block (10^5 blocks: ~4 s of CPU for bound's report, measured).
MAX_BLOCKS = 100_000


def check_size(size: object, position: int) -> None:
    """A step size (the step at ``position``, counted from 0): a positive int, never a bool or a float."""
    if isinstance(size, bool) or not isinstance(size, int):
        raise ScheduleError(
            f"step {position + 1} has size {size!r}, which is not an integer", allowed="sizes are positive integers"
        )
    if size < 1:
        raise ScheduleError(f"step {position + 1} has size {size}", allowed="sizes are positive integers")


def length_and_steps(length: Number, steps: Number, listed: str | None = None) -> tuple[int, int]:
    """(L, T) checked: 1 <= T <= L; for a family that computes each step (``listed``: its cost class in
    :data:`_STEP_US`), a listing estimated beyond :data:`MAX_LISTING_SECONDS` is refused before any work."""
    n, t = positive_int(length, "length"), positive_int(steps, "steps")
    if t > n:
        raise ScheduleError(f"T = {t} steps exceed L = {n} tokens", allowed="1 <= T <= L")
    if listed is not None:
        bits = n.bit_length()
        growth = 1 + (bits / (300 if listed == "power" else 1000)) ** 2  # big-int arithmetic on L's digits
        seconds = t * _STEP_US[listed] * growth / 1e6
        if t > MAX_MATERIALIZED_STEPS or seconds > MAX_LISTING_SECONDS:
            raise ScheduleError(
                f"the {t} steps of this family at L = {n} are computed one by one: about {seconds:.3g} s",
                allowed=f"at most {MAX_MATERIALIZED_STEPS} steps and {MAX_LISTING_SECONDS:g} s; uniform:T takes any T",
            )
    return n, t
