"""Mask size schedules: how many tokens each sampling step reveals.

A :class:`Schedule` is a sequence of positive integers summing to the
sequence length L, listed in **reveal order**: ``sizes[0]`` is the number of
tokens the sampler reveals at its first step (from the fully masked
sequence), ``sizes[-1]`` at its last. The paper indexes the same numbers the
other way round: its sampler runs t = T, T-1, ..., 1 and reveals s_t tokens at
step t, so ``sizes[0] = s_T`` and ``sizes[-1] = s_1``
(:attr:`Schedule.paper_sizes`). The bounds of Theorem 1 and Corollary 1
depend only on s_max and T, so the order matters only for the exact error.

Schedules are stored run-length encoded, so ``Schedule.uniform(10**18, 10**9)``
costs two integers and every bound evaluates instantly.

Families (``uniform:T``, ``cosine:T``, ``blocks:K:FAMILY:T``, ...): one :class:`FixedFamily` class each at the
end of this module, whose ``summary`` is its row of docs/cli.md's table (docs/samplers.md: their sources).

Curve families use the masked-count rule of docs/samplers.md (fixed schedule families):
M_k = clamp(floor(L g(k/T)), T - k, M_{k-1} - 1), s_k = M_{k-1} - M_k, with exact floors
(:mod:`boundcalc.floors`). Each family is a class registered in :mod:`boundcalc.registry`;
:func:`parse_spec` reads any spec once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from .errors import InvalidNumberError, ScheduleError, UsageError
from .exact import ceil_div, parse_rational, positive_int
from .registry import (FamilyView, Param, SamplerFamily, SamplerSpec, family, families, parse_searched, parse_spec,
                       register)
from .random_schedule import random_schedule_distribution  # re-exported: the paper's random schedule
from .schedule_limits import MAX_BLOCKS, MAX_MATERIALIZED_STEPS, check_size, length_and_steps

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Schedule", "FAMILIES", "COUNT_FAMILIES", "parse_schedule", "parse_spec", "random_schedule_distribution"]


#: The exact floors live in boundcalc.floors (imported when a curve family is built); these names stay here.
_FLOORS = ("_ceil_rational_power", "_ceil_scaled_trig", "_floor_scaled_trig", "_power_ceiling_exact",
           "_power_ceilings", "_trig_ceilings", "_trig_floors")


def __getattr__(name: str) -> Any:
    if name in _FLOORS:
        from . import floors

        return getattr(floors, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")




@dataclass(frozen=True)
class Schedule:
    """A mask size schedule in reveal order, run-length encoded.

    >>> s = Schedule([5, 3, 2])
    >>> s.length, s.steps, s.max_size, s.paper_sizes
    (10, 3, 5, (2, 3, 5))
    >>> Schedule.uniform(10, 4).sizes
    (3, 3, 2, 2)
    """

    runs: tuple[tuple[int, int], ...]
    name: str = field(default="", compare=False)
    block_spans: tuple[tuple[int, int], ...] = ()

    def __init__(
        self,
        sizes: Iterable[int] = (),
        *,
        runs: Iterable[tuple[int, int]] | None = None,
        name: str = "",
        block_spans: Iterable[tuple[int, int]] = (),
    ):
        merged: list[list[int]] = []
        items = ((s, 1) for s in sizes) if runs is None else runs
        for position, (size, count) in enumerate(items):
            check_size(size, position)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ScheduleError(f"run {position + 1} has count {count!r}", allowed="counts are integers >= 0")
            if count == 0:
                continue
            if merged and merged[-1][0] == size:
                merged[-1][1] += count
            else:
                merged.append([size, count])
        if not merged:
            raise ScheduleError("the schedule is empty", allowed="give at least one positive step size")
        object.__setattr__(self, "runs", tuple((s, c) for s, c in merged))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "block_spans", self._check_blocks(block_spans))

    @classmethod
    def from_size_array(cls, sizes: "np.ndarray", name: str = "") -> "Schedule":
        """The schedule of a numpy array of step sizes (reveal order), as ``Schedule(sizes, name=name)`` builds
        it, but run-length encoded and measured (L, T, s_max) in numpy: a sweep builds thousands of schedules
        of up to L steps, and the constructor's per-step loop dominated. Bad sizes go to the constructor (its
        error)."""
        import numpy as np

        sizes = np.asarray(sizes)
        if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu" or int(sizes.min()) < 1:
            return cls([int(x) for x in sizes.ravel()], name=name)
        starts = np.flatnonzero(np.concatenate(([True], sizes[1:] != sizes[:-1])))
        counts = np.diff(np.concatenate((starts, [sizes.size])))
        schedule = object.__new__(cls)
        object.__setattr__(schedule, "runs", tuple(zip(sizes[starts].tolist(), counts.tolist())))
        object.__setattr__(schedule, "name", name)
        object.__setattr__(schedule, "block_spans", ())
        # the cached properties, filled in: the same integers their sums over the runs give
        schedule.__dict__.update(length=int(sizes.sum()), steps=int(sizes.size), max_size=int(sizes.max()))
        return schedule

    def _check_blocks(self, blocks: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
        """Blocks (start, length), left to right, covering [0, L), each filled by whole steps."""
        out = tuple((int(a), int(b)) for a, b in blocks)
        if len(out) <= 1:
            if out and out[0] != (0, self.length):
                raise ScheduleError(f"block {out[0]} is not the whole sequence [0, {self.length})")
            return ()  # one block is no position structure at all
        position = 0
        for start, size in out:
            if start != position or size < 1:
                raise ScheduleError(
                    f"blocks {out} do not tile the positions left to right",
                    allowed="contiguous blocks (start, length), starting at 0, in order",
                )
            position += size
        if position != self.length:
            raise ScheduleError(f"blocks {out} cover {position} positions, but L = {self.length}")
        ends, total = [start + size for start, size in out], 0
        for size, count in self.runs:
            for end in ends:  # step boundaries of this run: total + j*size, j = 0..count
                if total < end < total + size * count and (end - total) % size:
                    raise ScheduleError(
                        f"a step of {size} tokens after {total + (end - total) // size * size} crosses the "
                        f"block boundary at {end}",
                        allowed="each block is revealed by whole steps",
                    )
            total += size * count
        return out

    # -- derived quantities -------------------------------------------------
    @cached_property  # runs are immutable: computed once (a scan asks for it per bound)
    def length(self) -> int:
        """L, the number of tokens revealed in all (the sum of the sizes)."""
        return sum(s * c for s, c in self.runs)

    @cached_property
    def steps(self) -> int:
        """T, the number of sampling steps."""
        return sum(c for _, c in self.runs)

    @cached_property
    def max_size(self) -> int:
        """s_max, the largest number of tokens revealed in one step."""
        return max(s for s, _ in self.runs)

    @property
    def sizes(self) -> tuple[int, ...]:
        """The sizes in reveal order (first step first)."""
        if self.steps > MAX_MATERIALIZED_STEPS:
            raise ScheduleError(
                f"the schedule has {self.steps} steps, too many to list one by one",
                allowed=f"at most {MAX_MATERIALIZED_STEPS}; bounds use runs and need no listing",
            )
        return tuple(self)

    @property
    def paper_sizes(self) -> tuple[int, ...]:
        """(s_1, ..., s_T) in the paper's indexing: s_1 is revealed last."""
        return self.sizes[::-1]

    @property
    def is_balanced(self) -> bool:
        """True when s_max = ceil(L/T), the smallest s_max any T-step schedule can have."""
        return self.max_size == ceil_div(self.length, self.steps)

    @property
    def is_blockwise(self) -> bool:
        """True for a semi-autoregressive schedule: positions are random only inside the current block."""
        return bool(self.block_spans)

    # -- the Sampler interface (boundcalc.registry.Sampler) -----------------------------
    @property
    def random_counts(self) -> bool:
        """False: every step reveals a fixed number of tokens."""
        return False

    @property
    def positions(self) -> str:
        """"blocks" for a semi-autoregressive schedule, else "uniform": the positions the bounds are proved for."""
        return "blocks" if self.block_spans else "uniform"

    @property
    def value_dependent(self) -> bool:
        """False: the positions are uniformly random (inside the current block), whatever the values."""
        return False

    def block_schedules(self) -> tuple[tuple[int, int, "Schedule"], ...]:
        """(start, length, inner schedule) per block, left to right; one block (0, L, self) when not blockwise."""
        if not self.block_spans:
            return ((0, self.length, Schedule(runs=self.runs, name=self.name)),)
        # walked run by run, not step by step: K blocks of T/K steps cost O(K x runs per block), whatever T is
        out, runs, r, left = [], self.runs, 0, self.runs[0][1]
        for start, length in self.block_spans:
            inner: list[tuple[int, int]] = []
            filled = 0
            while filled < length:
                if left == 0:
                    r += 1
                    left = runs[r][1]
                size = runs[r][0]
                take = min(left, max(1, (length - filled) // size))
                inner.append((size, take))
                filled += size * take
                left -= take
            out.append((start, length, Schedule(runs=inner)))
        return tuple(out)

    def __iter__(self) -> Iterator[int]:
        for size, count in self.runs:
            for _ in range(count):
                yield size

    def __len__(self) -> int:
        return self.steps

    def revealed_before(self) -> Iterator[tuple[int, int]]:
        """Pairs (w, s): tokens already revealed before each step, and the step size."""
        w = 0
        for s in self:
            yield w, s
            w += s

    def require_length(self, length: int, param: str = "schedule") -> "Schedule":
        """Return self, or raise ScheduleError if the sizes do not add up to ``length``."""
        if self.length != length:
            raise ScheduleError(
                f"the sizes {self.describe()} sum to {self.length}, but L = {length}",
                param=param,
                allowed="the sizes must add up to the sequence length",
            )
        return self

    def describe(self, limit: int = 12) -> str:
        """A compact text form: ``5,3,2`` or ``3x4,2x6`` for long schedules."""
        if self.steps <= limit:
            return ",".join(map(str, self))
        return ",".join(f"{s}x{c}" if c > 1 else str(s) for s, c in self.runs[:limit]) + (
            ",..." if len(self.runs) > limit else ""
        )

    def __str__(self) -> str:
        return self.name or self.describe()

    # -- families -----------------------------------------------------------
    @classmethod
    def uniform(cls, length: int, steps: int) -> "Schedule":
        """floor(L/T) and ceil(L/T) tokens per step, the larger sizes first (LLaDA's rule)."""
        length, steps = length_and_steps(length, steps)
        q, r = divmod(length, steps)
        return cls(runs=[(q + 1, r), (q, steps - r)], name=f"uniform:{steps}")

    @classmethod
    def dream(cls, length: int, steps: int, eps: Fraction | str | int = Fraction(1, 1000)) -> "Schedule":
        """Dream / SMDM: n_k = floor(m_k (1 - t_{k+1}/t_k)) on t = linspace(1, eps, T+1); the last step takes the rest."""
        length, steps = length_and_steps(length, steps, "curve")
        eps = eps if isinstance(eps, Fraction) else parse_rational(str(eps), "eps")
        if not 0 <= eps < 1:
            raise InvalidNumberError(f"eps = {eps} is out of range", param="eps", allowed="0 <= eps < 1")
        # t_k = 1 - (1 - eps) k/T, so 1 - t_{k+1}/t_k = (1 - eps) / (T - (1 - eps) k) = g / (T e - g k)
        # with eps = n/e and g = e - n: each floor is one integer division
        g, e = eps.denominator - eps.numerator, eps.denominator
        sizes, masked = [], length
        for k in range(steps - 1):
            n = masked * g // (steps * e - g * k)
            sizes.append(n)
            masked -= n
        sizes.append(masked)
        return _positive_family(sizes, f"dream:{steps}:{eps}")

    @classmethod
    def from_curve(
        cls, length: int, steps: int, masked_count: Callable[[int], int] | Sequence[int], name: str
    ) -> "Schedule":
        """The masked-count rule M_k = clamp(masked_count(k), T - k, M_{k-1} - 1), s_k = M_{k-1} - M_k.

        ``masked_count(k)`` must return floor(L g(k/T)) exactly; it may also be
        the sequence of those values for k = 1, ..., T - 1.
        """
        length, steps = length_and_steps(length, steps, "curve")
        if not callable(masked_count):
            counts = masked_count
            masked_count = lambda k: counts[k - 1]  # noqa: E731
        sizes, previous = [], length
        for k in range(1, steps + 1):
            m = 0 if k == steps else min(max(masked_count(k), steps - k), previous - 1)
            sizes.append(previous - m)
            previous = m
        return cls(sizes, name=name)

    @classmethod
    def linear(cls, length: int, steps: int) -> "Schedule":
        """Masked fraction 1 - u: about L/T per step (MDLM log-linear, SEDD)."""
        return cls.from_curve(length, steps, lambda k: (length * (steps - k)) // steps, f"linear:{steps}")

    @classmethod
    def cosine(cls, length: int, steps: int) -> "Schedule":
        """MaskGIT's cosine, back-loaded: masked fraction cos(pi u/2) (L=256, T=8 -> 5,15,24,31,39,45,48,49)."""
        from .floors import trig_floors

        length, steps = length_and_steps(length, steps, "trig")
        return cls.from_curve(length, steps, trig_floors(length, steps, "cos"), f"cosine:{steps}")

    @classmethod
    def cosine_mdlm(cls, length: int, steps: int) -> "Schedule":
        """MDLM's cosine, front-loaded: masked fraction 1 - sin(pi u/2)."""

        length, steps = length_and_steps(length, steps, "trig")
        # floor(L - L sin x) = L - ceil(L sin x)
        from .floors import trig_ceilings

        masked = [length - c for c in trig_ceilings(length, steps)]
        return cls.from_curve(length, steps, masked, f"cosine-mdlm:{steps}")

    @classmethod
    def power(cls, length: int, steps: int, p: Fraction | str | int) -> "Schedule":
        """Masked fraction 1 - u^p for a positive rational p (p = 1 is linear)."""
        p = p if isinstance(p, Fraction) else parse_rational(str(p), "p")
        if p <= 0:
            raise InvalidNumberError(f"p = {p} is not allowed", param="p", allowed="p must be greater than 0")

        length, steps = length_and_steps(length, steps, "power")
        # floor(L (1 - (k/T)^p)) = L - ceil(L (k/T)^p)
        from .floors import power_ceilings

        masked = [length - c for c in power_ceilings(length, steps, p)]
        return cls.from_curve(length, steps, masked, f"power:{steps}:{p}")

    @classmethod
    def _inner(cls, length: int, blocks: int, inner: str) -> tuple[int, "Schedule"]:
        """(block length, one block's schedule) for K blocks sized by the family spec ``inner`` (T/K steps)."""
        length = positive_int(length, "length")
        blocks = positive_int(blocks, "blocks")
        if length % blocks:
            raise ScheduleError(f"L = {length} is not divisible by {blocks} blocks", allowed="K must divide L")
        name, _, rest = inner.partition(":")
        parts = rest.split(":") if rest else []
        found = family(name)
        if not isinstance(found, CurveFamily) or not parts:
            curves = families(random_counts=False, needs_curve=False)
            raise ScheduleError(f"unknown inner schedule {inner!r}",
                                allowed=f"one of {', '.join(f.name + ':T' for f in curves if isinstance(f, CurveFamily))}")
        total = positive_int(parts[0], "steps")
        if total % blocks:
            raise ScheduleError(f"{total} steps do not split into {blocks} blocks", allowed="K must divide T")
        if blocks > MAX_BLOCKS:  # each block is listed (its span and its steps)
            raise ScheduleError(f"{blocks} blocks are too many to list", allowed=f"at most {MAX_BLOCKS} blocks")
        size = length // blocks
        one = found.build(size, [str(total // blocks), *parts[1:]])
        if len(one.runs) * blocks > MAX_BLOCKS:  # the K copies of a block's runs are listed
            raise ScheduleError(f"{blocks} blocks of {len(one.runs)} different step sizes are too many to list",
                                allowed=f"at most {MAX_BLOCKS} (blocks x runs of equal sizes in a block)")
        return size, one

    @classmethod
    def blocks(cls, length: int, blocks: int, inner: str) -> "Schedule":
        """Semi-autoregressive blocks as LLaDA decodes them: K blocks of L/K positions, left to right.

        Block b (positions b·L/K .. (b+1)·L/K - 1) is revealed by T/K steps of
        the family ``inner`` (which names the total T), positions uniformly
        random *inside the current block* only; earlier blocks are complete,
        later ones fully masked. The schedule carries this in :attr:`block_spans`,
        and every engine takes it into account (docs/theory.md, section 11):

        >>> s = Schedule.blocks(10, 2, "uniform:4")
        >>> s.sizes, s.block_spans
        ((3, 2, 3, 2), ((0, 5), (5, 5)))

        ``Schedule.flat_blocks`` keeps the sizes without the position structure.
        """
        size, one = cls._inner(length, blocks, inner)
        blocks = length // size
        return cls(runs=list(one.runs) * blocks, name=f"blocks:{blocks}:{inner}",
                   block_spans=[(b * size, size) for b in range(blocks)])

    @classmethod
    def flat_blocks(cls, length: int, blocks: int, inner: str) -> "Schedule":
        """The sizes of :meth:`blocks` with uniformly random positions over all L (no block structure).

        ``Schedule.flat_blocks(10, 2, "uniform:4").sizes == (3, 2, 3, 2)``; the sampler
        reveals uniformly random positions of the whole sequence at every step.
        """
        size, one = cls._inner(length, blocks, inner)
        return cls(runs=list(one.runs) * (length // size), name=f"flat-blocks:{blocks}:{inner}")

    @classmethod
    def llada(cls, length: int | None, gen_length: int, block_length: int, steps: int) -> "Schedule":
        """LLaDA's ``generate``: gen_length/block_length blocks, steps/K steps per block,
        s_i = floor(B/T_b) + (i < B mod T_b) inside each block (random remasking).

        >>> Schedule.llada(8, 8, 4, 4).sizes
        (2, 2, 2, 2)
        """
        gen_length = positive_int(gen_length, "gen_length")
        block_length = positive_int(block_length, "block_length")
        steps = positive_int(steps, "steps")
        if length is not None and gen_length != length:
            raise ScheduleError(f"GEN = {gen_length} but L = {length}", allowed="GEN is the sequence length L")
        if gen_length % block_length:
            raise ScheduleError(f"block length {block_length} does not divide GEN = {gen_length}",
                                allowed="LLaDA asserts gen_length % block_length == 0")
        blocks = gen_length // block_length
        if steps % blocks:
            raise ScheduleError(f"{steps} steps do not split into {blocks} blocks",
                                allowed="LLaDA asserts steps % (gen_length / block_length) == 0")
        if steps // blocks > block_length:
            raise ScheduleError(f"{steps // blocks} steps per block exceed the block length {block_length}",
                                allowed="at most one step per token (an empty step reveals nothing)")
        schedule = cls.blocks(gen_length, blocks, f"uniform:{steps}")
        return cls(runs=schedule.runs, block_spans=schedule.block_spans,
                   name=f"llada:{gen_length}:{block_length}:{steps}")

    @classmethod
    def paper_random(cls, length: int, max_size: int, seed: int = 0) -> "Schedule":
        """The lower-bound schedule of Theorem 2: s_t iid uniform on {S, S/2}, seeded.

        Sizes are drawn in the paper's order s_1, s_2, ... (s_1 is revealed last)
        until they reach L; the last drawn, which the sampler reveals first, is
        cut to L minus the others. The same seed gives the same schedule on
        every platform (``random.Random(seed).getrandbits(1)`` per step).
        """
        length = positive_int(length, "length")
        max_size = positive_int(max_size, "s_max")
        if max_size < 2 or max_size % 2:
            raise ScheduleError(
                f"s_max = {max_size} has no half", param="s_max", allowed="the random schedule needs an even s_max >= 2"
            )
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise InvalidNumberError(f"seed {seed!r} is not an integer", param="seed", allowed="seeds are integers")
        if length // (max_size // 2) > MAX_MATERIALIZED_STEPS:
            raise ScheduleError(f"L / (S/2) = {length // (max_size // 2)} steps are too many to draw")
        import random

        rng = random.Random(seed)
        paper, total = [], 0
        while total < length:
            size = max_size if rng.getrandbits(1) else max_size // 2
            size = min(size, length - total)
            paper.append(size)
            total += size
        return cls(reversed(paper), name=f"random:{max_size}:{seed}")

    @classmethod
    def degenerate(cls, length: int, max_size: int) -> "Schedule":
        """The paper's s_1 = S, s_t = 1 for t > 1: one token per step, then S at the last step.

        T = L + 1 - S. The paper remarks that its error is negligible, so the
        lower bound (13) cannot hold for every schedule; the exact errors agree
        (docs/theory.md, section 9). The mirror image, S tokens at the *first*
        step (``reversed()``), is not negligible in general.
        """
        length = positive_int(length, "length")
        max_size = positive_int(max_size, "s_max")
        if max_size > length:
            raise ScheduleError(f"s_max = {max_size} exceeds L = {length}", allowed="1 <= S <= L")
        return cls(runs=[(1, length - max_size), (max_size, 1)], name=f"degenerate:{max_size}")

    def named(self, name: str) -> "Schedule":
        """The same schedule under another name (a spec as the user wrote it)."""
        return Schedule(runs=self.runs, name=name, block_spans=self.block_spans)

    def reversed(self) -> "Schedule":
        """The same sizes in the opposite order (reveal order <-> the paper's order).

        Not defined for a blockwise schedule (blocks are decoded left to right).
        """
        if self.block_spans:
            raise ScheduleError(f"{self} is semi-autoregressive (blocks left to right) and cannot be reversed",
                                allowed="reverse the inner family, or use flat-blocks:K:FAMILY:T")
        return Schedule(runs=self.runs[::-1], name=f"reversed:{self}")

    @classmethod
    def parse(cls, spec: str, length: int | None = None, param: str = "schedule") -> "Schedule":
        """A schedule from its text form; see :func:`parse_schedule`."""
        return parse_schedule(spec, length, param)


# ---------------------------------------------------------------------------


def _positive_family(sizes: Sequence[int], name: str) -> Schedule:
    for k, s in enumerate(sizes):
        if s < 1:
            raise ScheduleError(
                f"{name} gives an empty step {k + 1} (sizes {','.join(map(str, sizes))})",
                allowed="use fewer steps: every step must reveal at least one token",
            )
    return Schedule(sizes, name=name)


# ---------------------------------------------------------------------------
# The families (boundcalc.registry): one class each, registered in the order of docs/cli.md's table


class FixedFamily(SamplerFamily):
    """A family whose sampler is a fixed :class:`Schedule` (named by the spec as written)."""

    def build(self, length: int | None, args: Sequence[str], text: str = "") -> Schedule:
        built = self._build(length, list(args))
        return built.named(text) if text else built


class CurveFamily(FixedFamily):
    """A family ``name:T[:more]`` built by a :class:`Schedule` constructor ``(L, T, *more)``."""

    constructor: Callable[..., Schedule] = Schedule.uniform

    def _build(self, length: int, args: list[str]) -> Schedule:
        least, most = self.arity()
        if not least <= len(args) <= (most or least):
            wanted = f"{least}" if least == most else f"{least} to {most}"
            raise ScheduleError(f"expected {wanted} parameter(s) after the name, got {len(args)}")
        return type(self).constructor(length, positive_int(args[0], "T"), *args[1:])


_T = Param("T", "steps", doc="the number of steps")


class Uniform(CurveFamily):
    name, params, constructor, step_cost_us, constant_cost = "uniform", (_T,), Schedule.uniform, 0.3, True
    closed_form_steps, scan_cost_us = True, (30.0, 0.006)
    summary = "⌊L/T⌋ and ⌈L/T⌉, the larger ones first (LLaDA: L = 10, T = 4 gives 3,3,2,2)"


class Dream(CurveFamily):
    name, params, constructor, step_cost_us = "dream", (_T, Param("eps", "rational", optional=True)), Schedule.dream, 30.0
    scan_cost_us, chunked_levels = (30.0, 0.023), True
    summary = ("Dream/SMDM: n_k = ⌊m_k (1 − t_{k+1}/t_k)⌋ on t = linspace(1, eps, T+1), last step takes the rest; "
               "eps = 1/1000 (Dream) by default, 1e-5 is SMDM (L = 10, T = 4 gives 2,2,2,4)")


class Linear(CurveFamily):
    name, params, constructor, step_cost_us = "linear", (_T,), Schedule.linear, 2.0
    scan_cost_us = (45.0, 0.008)
    summary = "masked fraction 1 − u (MDLM log-linear, SEDD)"


class Cosine(CurveFamily):
    name, params, constructor, step_cost_us = "cosine", (_T,), Schedule.cosine, 200.0
    scan_cost_us = (90.0, 0.027)
    summary = "MaskGIT's back-loaded cosine, masked fraction cos(πu/2) (L = 256, T = 8 gives 5,15,24,31,39,45,48,49)"


class CosineMDLM(CurveFamily):
    name, params, constructor, step_cost_us = "cosine-mdlm", (_T,), Schedule.cosine_mdlm, 250.0
    scan_cost_us = (55.0, 0.018)
    summary = "MDLM's front-loaded cosine, masked fraction 1 − sin(πu/2)"


class Power(CurveFamily):
    name, params, constructor, step_cost_us = "power", (_T, Param("p", "rational")), Schedule.power, 8.0
    scan_cost_us = (80.0, 0.018)
    summary = "masked fraction 1 − u^p, p a positive rational"


class Blocks(FixedFamily):
    """K blocks decoded left to right, T/K steps of a curve family inside each (the T sits in the inner spec)."""

    name, params, reveals, exact_engine = "blocks", (Param("K"), Param("FAMILY", "spec"), _T), "blocks", "blocks"
    summary = ("LLaDA's semi-autoregressive sampler: K blocks of L/K positions decoded left to right, T/K steps of "
               "FAMILY inside each, positions random **only inside the current block**; bounds and errors are the "
               "blockwise ones ([theory.md, section 11](theory.md#11-semi-autoregressive-blocks))")
    flat, search_usage = False, "blocks:K:FAMILY (by bound)"

    @property
    def usage(self) -> str:
        return f"{self.name}:K:FAMILY:T"

    def arity(self) -> tuple[int, int | None]:
        return 2, None

    def _build(self, length: int, args: list[str]) -> Schedule:
        if len(args) < 2:
            raise ScheduleError(f"expected {self.usage}")
        make = Schedule.flat_blocks if self.flat else Schedule.blocks
        return make(length, positive_int(args[0], "K"), ":".join(args[1:]))

    def _inner(self, args: Sequence[str]) -> SamplerFamily | None:
        inner = family(args[1]) if len(args) > 1 else None
        return inner if inner is not None and isinstance(inner, CurveFamily) else None

    def steps_of(self, args: Sequence[str]) -> int | None:
        inner = self._inner(args)
        return None if inner is None else inner.steps_of(args[2:])

    def template(self, args: Sequence[str]) -> tuple[str, ...] | None:
        inner = self._inner(args)
        rest = None if inner is None else inner.template(args[2:])
        return None if rest is None else (args[0], args[1], *rest)

    def cost_us(self, steps: int) -> float:
        return 20.0 * steps

    def blocks_of(self, args: Sequence[str]) -> int:
        return positive_int(args[0], "K")

    def searched(self, args: Sequence[str], text: str, allowed: str) -> tuple[str, ...]:
        """``blocks:K:FAMILY`` with T searched (a multiple of K): K checked, the inner family searched in turn."""
        if len(args) < 2 or "T" in args:
            raise UsageError(f"{text!r}: write blocks:K:FAMILY (T is searched)", param="family",
                             allowed="e.g. blocks:4:uniform or blocks:2:power:1/2; " + allowed)
        try:
            positive_int(args[0], "K")
        except InvalidNumberError:
            raise UsageError(f"in {text!r}: K = {args[0]!r} is not a positive integer", param="family",
                             allowed="blocks:K:FAMILY with K >= 1 blocks") from None
        parse_searched(":".join(args[1:]))
        template = self.template(args)
        if template is None:
            raise UsageError(f"in {text!r}: the blocks' inner family must be a fixed T-parametrised one", param="family",
                             allowed="uniform, dream, linear, cosine, cosine-mdlm or power:P inside the blocks")
        return template


class FlatBlocks(Blocks):
    name, reveals, exact_engine, flat = "flat-blocks", "fixed", "profile", True
    # positions uniform over all L: a search takes it as any family, not as blocks
    searched, search_usage = SamplerFamily.searched, SamplerFamily.search_usage  # type: ignore[assignment]
    summary = ("the sizes of `blocks:K:FAMILY:T` with positions uniform over all L (what `blocks` meant before)")


class LLaDA(FixedFamily):
    name, reveals, exact_engine, needs_length = "llada", "blocks", "blocks", False
    params = (Param("GEN"), Param("BLOCK"), Param("STEPS", "steps"))
    remaskings = ("low_confidence", "random")  # LLaDA's generate() default first; as a Schedule it is 'random'

    summary = ("LLaDA's `generate(steps=STEPS, gen_length=GEN, block_length=BLOCK, remasking='random')`: "
               "`blocks:GEN/BLOCK:uniform:STEPS`; GEN is L")

    def _build(self, length: int | None, args: list[str]) -> Schedule:
        if len(args) != 3:
            raise ScheduleError(f"expected {self.usage}")
        gen, block, steps = (positive_int(a, n) for a, n in zip(args, ("GEN", "BLOCK", "STEPS")))
        return Schedule.llada(length, gen, block, steps)


class PaperRandom(FixedFamily):
    name, params = "random", (Param("S"), Param("seed", "text", optional=True))
    summary = ("the paper's lower-bound schedule: sizes iid uniform on {S, S/2}, seeded; the size that overshoots L "
               "(the first revealed) is cut")

    def _build(self, length: int, args: list[str]) -> Schedule:
        if not 1 <= len(args) <= 2:
            raise ScheduleError("expected random:S or random:S:SEED")
        seed = 0
        if len(args) == 2:
            value = parse_rational(args[1], "seed")
            if value.denominator != 1:
                raise InvalidNumberError(f"seed {args[1]!r} is not an integer", param="seed",
                                         allowed="seeds are integers, e.g. random:8:42")
            seed = int(value)
        return Schedule.paper_random(length, positive_int(args[0], "S"), seed)


class Degenerate(FixedFamily):
    name, params = "degenerate", (Param("S"),)
    summary = "the paper's s_1 = S, s_t = 1 for t > 1: one token per step, S tokens at the last step (T = L + 1 − S)"

    def _build(self, length: int, args: list[str]) -> Schedule:
        if len(args) != 1:
            raise ScheduleError("expected degenerate:S")
        return Schedule.degenerate(length, positive_int(args[0], "S"))


# reversed:reversed:...: deeper nesting is refused instead of exhausting the recursion limit
MAX_REVERSED = 8


class Reversed(FixedFamily):
    name, params, needs_length = "reversed", (Param("SPEC", "spec"),), False
    summary = ("any schedule in the opposite order: `reversed:2,3,5` reads a list in the paper's order s_1, ..., s_T; "
               "`reversed:degenerate:S` reveals S tokens first")

    def _build(self, length: int | None, args: list[str]) -> Schedule:
        if not args or not args[0]:
            raise ScheduleError("expected reversed:SPEC")
        if args[:MAX_REVERSED].count("reversed") >= MAX_REVERSED:
            raise ScheduleError(f"reversed: is nested more than {MAX_REVERSED} times",
                                allowed="reversed:SPEC, nested a few times")
        return parse_schedule(":".join(args), length).reversed()


class Sizes(FixedFamily):
    """A comma list or a file of sizes (read by the grammar): the arguments are the sizes."""

    name, listed, needs_length = "sizes", False, False

    def _build(self, length: int | None, args: list[str]) -> Schedule:
        return Schedule([int(a) for a in args])


class CurveDriven(FixedFamily):
    """A schedule computed from a loss curve or a data model (T is given, the sizes are searched)."""

    params, needs_curve = (_T,), True

    def _build(self, length: int | None, args: list[str]) -> Schedule:
        raise ScheduleError(f"{self.name}:T is computed from a loss curve or a data model",
                            allowed="give a loss curve (or a data model)")

    def searched(self, args: Sequence[str], text: str, allowed: str) -> tuple[str, ...]:
        if args:
            raise UsageError(f"{text!r} takes no arguments (T is searched)", param="family", allowed=allowed)
        return ("T",)


class InfoOptimal(CurveDriven):
    name, step_cost_us, scan_cost_us = "info-optimal", 1.0, (170.0, 0.036)
    summary = "step density ∝ sqrt(slope of the information curve) (Lavenant & Zanella); needs a loss curve"


class Optimal(CurveDriven):
    name, dp_optimum = "optimal", True
    summary = "the least exact error of any T-step schedule (a DP over the curve or the data model)"


for _family in (Uniform, Dream, Linear, Cosine, CosineMDLM, Power, Blocks, FlatBlocks, LLaDA, PaperRandom,
                Degenerate, Reversed, Sizes, InfoOptimal, Optimal):
    register(_family)

# the random-count families register next: the grammar then knows every built-in family
from . import count_families  # noqa: E402,F401
from . import rule_families  # noqa: E402,F401  (the sampler rules: parsed here, evaluated by truth.rules)


#: The fixed-schedule families (name -> (usage, builder)) and the random-count ones (name -> usage), read-only.
FAMILIES = FamilyView(with_builder=True, random_counts=False, needs_curve=False, is_rule=False)
COUNT_FAMILIES = FamilyView(random_counts=True)


def parse_schedule(spec: "str | SamplerSpec", length: int | None = None, param: str = "schedule") -> Schedule:
    """Read a fixed schedule from a comma list, a family spec or a file.

    >>> parse_schedule("5,3,2").sizes
    (5, 3, 2)
    >>> parse_schedule("uniform:4", length=10).sizes
    (3, 3, 2, 2)
    >>> parse_schedule("cosine:8", length=256).sizes
    (5, 15, 24, 31, 39, 45, 48, 49)

    A family needs ``length``; a list or file must sum to ``length`` when it is given.
    Errors name ``param`` and say what is allowed. A random-count sampler is refused
    (:func:`boundcalc.counts.parse_sampler` reads every sampler).
    """
    parsed = spec if isinstance(spec, SamplerSpec) else parse_spec(spec, param)
    if parsed.family.random_counts:
        raise ScheduleError(
            f"{parsed.text!r} reveals a random number of tokens per step: it is a sampler, not a fixed schedule",
            param=param,
            allowed="use boundcalc.counts.parse_sampler (the commands bound and verify accept it)",
        )
    return parsed.build(length, param)


def parse_sampler(spec: "str | SamplerSpec", length: int | None = None, param: str = "schedule") -> Any:
    """Any sampler: a fixed :class:`Schedule` or a random-count :class:`~boundcalc.counts.CountSampler`.

    >>> parse_sampler("mdlm:4", 8).name
    'mdlm:4'
    >>> parse_sampler("uniform:4", 8).sizes
    (2, 2, 2, 2)
    """
    parsed = spec if isinstance(spec, SamplerSpec) else parse_spec(spec, param)
    if not parsed.family.random_counts:
        return parse_schedule(parsed, length, param)
    return parsed.build(length, param)
