"""A family's schedules at every T of a grid at once: flat arrays of step sizes, no Python loop per T (issue 22).

A sweep over T = 1..L builds a schedule per T: Σ T = L(L+1)/2 step sizes (1.3·10^8 at L = 16384), and most of
those schedules have about as many runs as steps (linear: 6·10^7 runs in all), so neither a Python loop per T
nor a tuple of runs per schedule fits in seconds. Here the sizes of many T are one int64 array (a
:class:`StepChunk`: row after row, each row one T's schedule in reveal order), computed with the rules of
:mod:`boundcalc.family_sizes` vectorised over (T, k):

* masked counts floor(L g(k/T)): linear in exact integers; cosine, cosine-mdlm and power in float64, each
  decided by the float only when no integer lies within 2^-32 L of it (the float error is below
  2·10^-15 L: :mod:`boundcalc.family_sizes`), the rest by the exact integer routines of
  :mod:`boundcalc.floors`; an integer power p in exact integers (ceil(L k^p / T^p));
* Schedule.from_curve's clamp M_k = clamp(count_k, T - k, M_{k-1} - 1) is the running minimum
  N_k = min(max(count_k + k, T), N_{k-1}) of N_k = M_k + k (family_sizes._from_counts), here per row of the
  flat array by shifting row r down by r·(2L + 2): no later row's value can exceed an earlier row's.

So every size is the exact per-T builder's (tests/core/test_schedule_arrays.py compares them on many (L, T)
with hypothesis). Each T's schedule is then a :class:`FamilySchedule`: L, T, s_max and its first runs (what a
sweep row shows) are read off the chunk; the full runs are listed only when asked for (from
:func:`boundcalc.family_sizes.family_sizes`, one T, the same sizes).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .exact import parse_rational
from .family_sizes import _GUARD, family_sizes, supported
from .floors import _ceil_rational_power, _ceil_scaled_trig, _floor_scaled_trig, _power_ceiling_exact
from .schedule import Schedule

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["ARRAY_FAMILIES", "StepChunk", "FamilySchedule", "array_supported", "step_chunks", "chunk_rows", "chunk_schedules",
           "uniform_schedule"]

#: Families whose schedules come from arrays (the rest: one build per T).
#: (uniform is not here: its schedules are two runs each, which the run sums of boundcalc.sweep_vector take in O(1).)
ARRAY_FAMILIES = ("linear", "cosine", "cosine-mdlm", "power")
#: Steps per chunk (bounds the flat arrays' memory: a few MB, so that a chunk's arrays stay in the CPU's caches
#: between the passes over them; measured: 2^18 is about 20% faster than 2^21 at L = 16384, 2^16 slower again).
CHUNK_STEPS = 1 << 18
#: A row's first runs kept for :meth:`FamilySchedule.describe` (its default lists 12, and says whether more follow).
HEAD_RUNS = 13


#: Beyond this L the per-T builders run (the integer products here, e.g. L·T, stay far below 2^62).
MAX_LENGTH = 2**24


def array_supported(head: str, extra: Sequence[str], length: int) -> bool:
    """True when :func:`step_chunks` computes ``head`` (with its parameters after T) at L."""
    return head in ARRAY_FAMILIES and length <= MAX_LENGTH and supported(head, list(extra), length)


@dataclass
class StepChunk:
    """The schedules of some T values: ``steps[i]`` = T of row i; ``size`` row after row (reveal order);
    ``first[i]`` the index of row i's first step (``first[-1]`` = number of steps)."""

    length: int
    steps: "np.ndarray"
    size: "np.ndarray"
    first: "np.ndarray"

    @property
    def rows(self) -> int:
        return int(self.steps.size)

    @cached_property
    def row(self) -> "np.ndarray":
        """The row of each step."""
        import numpy as np

        return np.repeat(np.arange(self.rows, dtype=np.int64), self.steps)

    @cached_property
    def pos(self) -> "np.ndarray":
        """Each step's first token w (within its row): every row reveals L tokens."""
        return self.size.cumsum() - self.size - self.row * self.length

    @cached_property
    def max_size(self) -> "np.ndarray":
        import numpy as np

        return np.maximum.reduceat(self.size, self.first[:-1])


def step_chunks(head: str, extra: Sequence[str], length: int, steps: Sequence[int],
                chunk_steps: int = CHUNK_STEPS) -> Iterator[StepChunk]:
    """The schedules of ``head:T[:extra]`` at L for the (sorted, 1 <= T <= L) ``steps``, in chunks of about
    ``chunk_steps`` steps (only for :func:`array_supported` families)."""
    for rows in chunk_rows(steps, chunk_steps):
        yield _chunk(head, list(extra), length, rows)


def chunk_rows(steps: Sequence[int], chunk_steps: int = CHUNK_STEPS) -> "Iterator[np.ndarray]":
    """The T of ``steps`` in consecutive groups of at most ``chunk_steps`` steps in all (a larger T alone): each
    group one chunk's rows, so a chunk's arrays stay in cache."""
    import numpy as np

    ts = np.asarray(steps, dtype=np.int64)
    begin = 0
    while begin < ts.size:
        end = begin + 1
        total = int(ts[begin])
        while end < ts.size and total + int(ts[end]) <= chunk_steps:
            total += int(ts[end])
            end += 1
        yield ts[begin:end]
        begin = end


def _chunk(head: str, extra: list[str], length: int, ts: "np.ndarray") -> StepChunk:
    import numpy as np

    first = np.concatenate(([0], np.cumsum(ts)))
    starts = first[:-1]
    total = int(first[-1])
    k = np.arange(total, dtype=np.int64)
    k -= np.repeat(starts, ts)  # 0 .. T-1 in each row
    t = np.repeat(ts, ts)
    counts = _masked_counts(head, extra, length, k, t)  # at k = 0: ignored (N_0 = L)
    shift = np.repeat(np.arange(ts.size, dtype=np.int64) * (2 * length + 2), ts)
    counts += k
    n = np.maximum(counts, t, out=counts)
    del t
    n[starts] = length
    n -= shift
    masked = np.minimum.accumulate(n, out=n)
    masked += shift
    del shift
    masked -= k  # M_0 .. M_{T-1} in each row
    del k
    size = np.empty_like(masked)
    np.subtract(masked[:-1], masked[1:], out=size[:-1])
    last = first[1:] - 1
    size[last] = masked[last]  # the last step takes the rest
    chunk = StepChunk(length, ts, size, first)
    masked -= length
    np.negative(masked, out=masked)
    chunk.__dict__["pos"] = masked  # each step's first token w = L - M_k (what StepChunk.pos computes)
    return chunk


def _masked_counts(head: str, extra: list[str], length: int, k: "np.ndarray", t: "np.ndarray") -> "np.ndarray":
    """floor(L g(k/T)) per (k, T) (exact; the k = 0 entries are not used)."""
    import numpy as np

    if head == "linear":
        return (length * (t - k)) // t  # L·T <= 2^48 (MAX_LENGTH): exact in int64
    if head == "cosine":
        values = _scaled_trig(np.cos, length, k, t)
        return _decided(values, length, k, t, lambda j, T: _floor_scaled_trig(length, Fraction(j, 2 * T), "cos"))
    if head == "cosine-mdlm":  # floor(L - L sin x) = L + floor(-L sin x)
        values = _scaled_trig(np.sin, -length, k, t)
        return length + _decided(values, length, k, t,
                                 lambda j, T: -_ceil_scaled_trig(length, Fraction(j, 2 * T), "sin"))
    p = parse_rational(extra[0], "p")  # power: floor(L (1 - u^p)) = L + floor(-L u^p)
    top = int(t.max()) if t.size else 1
    if p.denominator == 1 and length * top ** int(p) < 2**62:  # ceil(L k^p / T^p) in integers
        q = int(p)
        return length - (-((-length * k**q) // t**q))

    def exact(j: int, T: int) -> int:
        u = Fraction(j, T)
        if p.denominator <= 4 and p.denominator * length.bit_length() + p.numerator * T.bit_length() <= 2048:
            return -_ceil_rational_power(length, u, p)
        return -_power_ceiling_exact(length, u, p)

    values = -length * np.power(k / t, float(p))
    return length + _decided(values, length, k, t, exact)


def _scaled_trig(function: Any, scale: int, k: "np.ndarray", t: "np.ndarray") -> "np.ndarray":
    """scale·function(k·π/(2T)), the very floats of ``scale * function(k * np.pi / (2 * t))`` (the same IEEE
    operations in the same order), computed in place in one array."""
    import numpy as np

    x = np.multiply(k, np.pi)
    x /= 2 * t
    function(x, out=x)
    x *= scale
    return x


def _decided(values: "np.ndarray", length: int, k: "np.ndarray", t: "np.ndarray", exact: Any) -> "np.ndarray":
    """floor(values), each within 2^-32 L of the true value; ``exact(k, T)`` where an integer is that close
    (as family_sizes._decided_floor; k = 0 entries are skipped: their count is not used)."""
    import numpy as np

    guard = _GUARD * length
    low = np.floor(values - guard)
    high = np.add(values, guard, out=values)
    np.floor(high, out=high)
    undecided = np.flatnonzero(low != high)
    undecided = undecided[k[undecided] > 0]
    out = low.astype(np.int64)
    for i, j, T in zip(undecided.tolist(), k[undecided].tolist(), t[undecided].tolist()):
        out[i] = exact(j, T)
    return out


class FamilySchedule(Schedule):
    """One T-step schedule of a family computed from a :class:`StepChunk`: L, T, s_max and its first runs are
    known; its runs are listed (by :func:`boundcalc.family_sizes.family_sizes`, the same sizes) only when
    something asks for them. Equal to the :class:`~boundcalc.schedule.Schedule` the exact builder gives."""

    def __init__(self, head: str, extra: Sequence[str], length: int, steps: int, max_size: int,
                 head_runs: tuple[tuple[int, int], ...], run_count: int, name: str) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "block_spans", ())
        self.__dict__.update(length=length, steps=steps, max_size=max_size)
        self.__dict__.update(_family=(head, tuple(extra)), _head_runs=head_runs, _run_count=run_count)

    @cached_property
    def runs(self) -> tuple[tuple[int, int], ...]:
        head, extra = self.__dict__["_family"]
        sizes = family_sizes(head, list(extra), self.length, self.steps)
        return Schedule.from_size_array(sizes).runs  # type: ignore[arg-type]

    def describe(self, limit: int = 12) -> str:
        """As :meth:`Schedule.describe`, from the first runs kept (no listing of the runs)."""
        head, count = self.__dict__["_head_runs"], self.__dict__["_run_count"]
        if self.steps > limit and limit < len(head):
            return ",".join(f"{s}x{c}" if c > 1 else str(s) for s, c in head[:limit]) + (
                ",..." if count > limit else "")
        if count <= len(head) and self.steps <= limit:
            return ",".join(str(s) for s, c in head for _ in range(c))
        return super().describe(limit)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return (self.runs, self.block_spans) == (other.runs, other.block_spans)

    def __hash__(self) -> int:
        return hash((self.runs, self.block_spans))


def chunk_schedules(chunk: StepChunk, head: str, extra: Sequence[str], names: Sequence[str],
                    make: Any = None) -> list[FamilySchedule]:
    """A :class:`FamilySchedule` per row of ``chunk`` (``names[i]``: row i's spec, as parse_schedule names it);
    ``make`` (FamilySchedule's arguments) builds another kind of row (one whose runs come from elsewhere)."""
    import numpy as np

    size, first = chunk.size, chunk.first
    change = np.empty(size.size, dtype=bool)
    np.not_equal(size[1:], size[:-1], out=change[1:])
    change[first[:-1]] = True  # (first[0] = 0)
    starts = np.flatnonzero(change)  # every run's first step
    run_first = np.searchsorted(starts, first)  # each row's first run (and, last, the number of runs)
    run_count = np.diff(run_first)
    # rows x HEAD_RUNS: each row's first runs (index past the row's runs: clipped, then cut off per row below)
    index = np.minimum(run_first[:-1, None] + np.arange(HEAD_RUNS), starts.size - 1)
    begin = starts[index]
    following = np.minimum(index + 1, starts.size - 1)
    end = np.where(index + 1 < starts.size, starts[following], size.size)  # the next run's first step
    sizes, counts = size[begin].tolist(), (end - begin).tolist()
    kept = np.minimum(run_count, HEAD_RUNS).tolist()
    make = FamilySchedule if make is None else make
    return [make(head, extra, chunk.length, t, m, tuple(zip(s[:k], c[:k])), n, name)
            for t, m, s, c, k, n, name in zip(chunk.steps.tolist(), chunk.max_size.tolist(), sizes, counts, kept,
                                              run_count.tolist(), names)]


def dream_runs(length: int, steps: Sequence[int], extra: Sequence[str]) -> "dict[int, tuple[tuple[int, int], ...] | None]":
    """For every T of ``steps``: the runs of Schedule.dream's T-step schedule at L (None: a step would be empty).

    The recurrence n_k = floor(m_k g / (T e - g k)) (the last step takes the rest) runs over k for all T at
    once, as :func:`boundcalc.family_sizes.dream_levels` runs it, and records only where a row's size changes:
    dream's schedules are a few runs each (5·10^4 runs over every T of L = 16384), so the runs come out
    without listing the 1.3·10^8 steps."""
    import numpy as np

    from .family_sizes import _dream_eps

    ts = np.asarray(sorted(set(steps)), dtype=np.int64)
    g, e = _dream_eps(list(extra))
    top = int(ts[-1]) if ts.size else 0
    if e * top * max(length, 1) >= 2**62:  # the products below must stay in int64
        raise ValueError("dream_runs: L and T too large for int64 recurrences")
    masked = np.full(ts.size, length, dtype=np.int64)
    previous = np.zeros(ts.size, dtype=np.int64)
    valid = ts <= length
    events: list[tuple["np.ndarray", "np.ndarray", "np.ndarray"]] = []  # (rows, k, size) where a run starts
    first = 0
    for k in range(top):
        while first < ts.size and ts[first] <= k:
            first += 1
        m, t = masked[first:], ts[first:]
        n = np.where(t == k + 1, m, (m * g) // (t * e - g * k))
        valid[first:] &= n >= 1
        changed = np.flatnonzero(n != previous[first:])
        if changed.size:
            events.append((changed + first, np.full(changed.size, k, dtype=np.int64), n[changed]))
        previous[first:] = n
        masked[first:] = m - n
    rows = np.concatenate([r for r, _, _ in events]) if events else np.zeros(0, dtype=np.int64)
    ks = np.concatenate([k for _, k, _ in events]) if events else rows
    sizes = np.concatenate([s for _, _, s in events]) if events else rows
    order = np.lexsort((ks, rows))
    rows, ks, sizes = rows[order], ks[order], sizes[order]
    ends = np.append(ks[1:], 0)
    last = np.append(rows[1:] != rows[:-1], True)
    ends[last] = ts[rows[last]]  # a row's last run ends at its T
    counts = ends - ks
    out: dict[int, tuple[tuple[int, int], ...] | None] = {}
    bounds = np.searchsorted(rows, np.arange(ts.size + 1))
    pairs = list(zip(sizes.tolist(), counts.tolist()))
    for i, (t, ok) in enumerate(zip(ts.tolist(), valid.tolist())):
        out[t] = tuple(pairs[bounds[i]:bounds[i + 1]]) if ok else None
    return out


def uniform_schedule(length: int, steps: int) -> Schedule:
    """uniform:T at L (1 <= T <= L) from its two runs: the Schedule ``family_sizes.fast_schedule`` builds from
    the size array (r = L mod T steps of ceil(L/T) first, then floor(L/T)), runs, name and cached L, T, s_max
    alike, without a numpy array per T (a sweep over every T builds L of them)."""
    if not 1 <= steps <= length:
        raise ValueError(f"uniform_schedule: T = {steps} outside 1..{length}")
    q, r = divmod(length, steps)
    runs = ((q + 1, r), (q, steps - r)) if r else ((q, steps),)
    schedule = object.__new__(Schedule)
    object.__setattr__(schedule, "runs", runs)
    object.__setattr__(schedule, "name", f"uniform:{steps}")
    object.__setattr__(schedule, "block_spans", ())
    schedule.__dict__.update(length=length, steps=steps, max_size=q + 1 if r else q)
    return schedule
