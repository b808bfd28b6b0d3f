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

Families (see docs/api.md, and docs/samplers.md for where each comes from):

=================  ==========================================================
``uniform:T``      sizes floor(L/T) and ceil(L/T), the larger ones first
                   (LLaDA's ``get_num_transfer_tokens``: L=10, T=4 -> 3,3,2,2)
``dream:T[:eps]``  Dream/SMDM: n_k = floor(m_k (1 - t_{k+1}/t_k)) on
                   t = linspace(1, eps, T+1), the last step takes the rest
                   (eps = 1/1000 by default: L=10, T=4 -> 2,2,2,4)
``linear:T``       masked fraction g(u) = 1 - u (MDLM log-linear, SEDD)
``cosine:T``       MaskGIT, back-loaded: g(u) = cos(pi u / 2)
``cosine-mdlm:T``  MDLM cosine, front-loaded: g(u) = 1 - sin(pi u / 2)
``power:T:p``      g(u) = 1 - u^p, p a positive rational
``blocks:K:SPEC``  K semi-autoregressive blocks of L/K tokens decoded left to
                   right (LLaDA), each by T/K steps of SPEC, positions random
                   only inside the current block: ``Schedule.block_spans`` records
                   the blocks, and the error and bounds are the blockwise ones
``flat-blocks:K:SPEC``  the same sizes, positions uniformly random over all L
``llada:GEN:BLOCK:STEPS``  LLaDA's generate(): blocks:GEN/BLOCK:uniform:STEPS
``random:S[:seed]``  the paper's lower-bound schedule: sizes iid uniform on
                   {S, S/2}, drawn s_1, s_2, ... until they reach L; the size
                   that overshoots (the first revealed) is cut to fit
``degenerate:S``   the paper's example where the lower bound fails:
                   s_1 = S and s_t = 1 for t > 1, i.e. one token per step
                   and S tokens at the *last* step (T = L + 1 - S)
``reversed:SPEC``  any schedule in the opposite order (``reversed:5,3,2`` is
                   2,3,5: a list in the paper's order s_1, ..., s_T;
                   ``reversed:degenerate:S`` reveals S tokens first)
=================  ==========================================================

Curve families use the masked-count rule of docs/samplers.md (fixed schedule families):
M_0 = L, M_T = 0, M_k = clamp(floor(L g(k/T)), T - k, M_{k-1} - 1) and
s_k = M_{k-1} - M_k; the floors are exact: each is decided from a fixed-point
approximation with a rigorous error bound (cosines by rotating a unit vector,
powers as products of q^p over the prime factors q of k), and the rare value
within that bound of an integer is settled exactly (:func:`_floor_scaled_trig`,
:func:`_power_ceiling_exact`). Every family at T <= 10^4 builds in well under a
second, for any p the parser accepts (benchmarks/bench_inputs.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .errors import InvalidNumberError, ScheduleError
from .files import parse_json, read_text
from .exact import Number, ceil_div, parse_rational, positive_int

__all__ = ["Schedule", "FAMILIES", "COUNT_FAMILIES", "parse_schedule", "random_schedule_distribution"]

# Materializing more sizes than this as a Python tuple is refused with a clear
# error; run-length storage keeps every bound computable beyond it.
MAX_MATERIALIZED_STEPS = 10_000_000


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
            _check_size(size, position)
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
    @property
    def length(self) -> int:
        """L, the number of tokens revealed in all (the sum of the sizes)."""
        return sum(s * c for s, c in self.runs)

    @property
    def steps(self) -> int:
        """T, the number of sampling steps."""
        return sum(c for _, c in self.runs)

    @property
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

    def block_schedules(self) -> tuple[tuple[int, int, "Schedule"], ...]:
        """(start, length, inner schedule) per block, left to right; one block (0, L, self) when not blockwise."""
        if not self.block_spans:
            return ((0, self.length, Schedule(runs=self.runs, name=self.name)),)
        out, sizes, w = [], iter(self), 0
        for start, length in self.block_spans:
            inner, filled = [], 0
            while filled < length:
                size = next(sizes)
                inner.append(size)
                filled += size
            out.append((start, length, Schedule(inner)))
            w += length
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
        length, steps = _length_steps(length, steps)
        q, r = divmod(length, steps)
        return cls(runs=[(q + 1, r), (q, steps - r)], name=f"uniform:{steps}")

    @classmethod
    def dream(cls, length: int, steps: int, eps: Fraction | str | int = Fraction(1, 1000)) -> "Schedule":
        """Dream / SMDM: n_k = floor(m_k (1 - t_{k+1}/t_k)) on t = linspace(1, eps, T+1); the last step takes the rest."""
        length, steps = _length_steps(length, steps)
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
        length, steps = _length_steps(length, steps)
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
        length, steps = _length_steps(length, steps)
        return cls.from_curve(length, steps, _trig_floors(length, steps, "cos"), f"cosine:{steps}")

    @classmethod
    def cosine_mdlm(cls, length: int, steps: int) -> "Schedule":
        """MDLM's cosine, front-loaded: masked fraction 1 - sin(pi u/2)."""

        length, steps = _length_steps(length, steps)
        # floor(L - L sin x) = L - ceil(L sin x)
        masked = [length - c for c in _trig_ceilings(length, steps)]
        return cls.from_curve(length, steps, masked, f"cosine-mdlm:{steps}")

    @classmethod
    def power(cls, length: int, steps: int, p: Fraction | str | int) -> "Schedule":
        """Masked fraction 1 - u^p for a positive rational p (p = 1 is linear)."""
        p = p if isinstance(p, Fraction) else parse_rational(str(p), "p")
        if p <= 0:
            raise InvalidNumberError(f"p = {p} is not allowed", param="p", allowed="p must be greater than 0")

        length, steps = _length_steps(length, steps)
        # floor(L (1 - (k/T)^p)) = L - ceil(L (k/T)^p)
        masked = [length - c for c in _power_ceilings(length, steps, p)]
        return cls.from_curve(length, steps, masked, f"power:{steps}:{p}")

    @classmethod
    def _inner(cls, length: int, blocks: int, inner: str) -> tuple[int, "Schedule"]:
        """(block length, one block's schedule) for K blocks sized by the family spec ``inner`` (T/K steps)."""
        length = positive_int(length, "length")
        blocks = positive_int(blocks, "blocks")
        if length % blocks:
            raise ScheduleError(f"L = {length} is not divisible by {blocks} blocks", allowed="K must divide L")
        family, _, rest = inner.partition(":")
        parts = rest.split(":") if rest else []
        if family not in _CURVE_FAMILIES or not parts:
            raise ScheduleError(
                f"unknown inner schedule {inner!r}", allowed=f"one of {', '.join(f + ':T' for f in _CURVE_FAMILIES)}"
            )
        total = positive_int(parts[0], "steps")
        if total % blocks:
            raise ScheduleError(f"{total} steps do not split into {blocks} blocks", allowed="K must divide T")
        size = length // blocks
        return size, _CURVE_FAMILIES[family](size, [str(total // blocks), *parts[1:]])

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


def _check_size(size: object, position: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int):
        raise ScheduleError(
            f"step {position + 1} has size {size!r}, which is not an integer", allowed="sizes are positive integers"
        )
    if size < 1:
        raise ScheduleError(f"step {position + 1} has size {size}", allowed="sizes are positive integers")


def _length_steps(length: Number, steps: Number) -> tuple[int, int]:
    n, t = positive_int(length, "length"), positive_int(steps, "steps")
    if t > n:
        raise ScheduleError(f"T = {t} steps exceed L = {n} tokens", allowed="1 <= T <= L")
    return n, t


def _positive_family(sizes: Sequence[int], name: str) -> Schedule:
    for k, s in enumerate(sizes):
        if s < 1:
            raise ScheduleError(
                f"{name} gives an empty step {k + 1} (sizes {','.join(map(str, sizes))})",
                allowed="use fewer steps: every step must reveal at least one token",
            )
    return Schedule(sizes, name=name)


def _niven_trig(x: Fraction, kind: str) -> Fraction | None:
    """cos(pi x) or sin(pi x) when it is rational (Niven: only 0, +-1/2, +-1), else None."""
    if kind == "sin":
        x = Fraction(1, 2) - x
    x = x % 2
    table = {
        Fraction(0): Fraction(1),
        Fraction(1, 3): Fraction(1, 2),
        Fraction(1, 2): Fraction(0),
        Fraction(2, 3): Fraction(-1, 2),
        Fraction(1): Fraction(-1),
        Fraction(4, 3): Fraction(-1, 2),
        Fraction(3, 2): Fraction(0),
        Fraction(5, 3): Fraction(1, 2),
    }
    return table.get(x)


def _floor_scaled_trig(length: int, x: Fraction, kind: str) -> int:
    """floor(L * cos(pi x)) or floor(L * sin(pi x)), exactly.

    When the value is rational (Niven's theorem) it is computed exactly;
    otherwise L*trig is irrational, hence not an integer, and mpmath at
    increasing precision separates it from the nearest integer.
    """
    exact = _niven_trig(x, kind)
    if exact is not None:
        return (length * exact.numerator) // exact.denominator
    import mpmath

    dps = len(str(length)) + 20
    while True:
        with mpmath.workdps(dps):
            angle = mpmath.pi * x.numerator / x.denominator
            value = length * (mpmath.cos(angle) if kind == "cos" else mpmath.sin(angle))
            nearest = int(mpmath.nint(value))
            if abs(value - nearest) > mpmath.mpf(10) ** (10 - dps):
                return int(mpmath.floor(value))
        dps *= 2


def _ceil_scaled_trig(length: int, x: Fraction, kind: str) -> int:
    return -_floor_scaled_trig(-length, x, kind)


def _iroot_floor(n: int, k: int) -> int:
    """floor(n ** (1/k)) for integers n >= 0, k >= 1."""
    if n < 2 or k == 1:
        return n
    x = 1 << -(-n.bit_length() // k)  # an upper bound
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    while x**k > n:
        x -= 1
    while (x + 1) ** k <= n:
        x += 1
    return x


def _ceil_rational_power(length: int, u: Fraction, p: Fraction) -> int:
    """ceil(L * u^p) for 0 <= u <= 1 and rational p > 0, with integer arithmetic only."""
    if u == 0:
        return 0
    a, b = p.numerator, p.denominator
    # y = L u^(a/b); y^b = L^b u^a = N/D; ceil(y) = smallest n with n^b >= N/D
    big_n = length**b * u.numerator**a
    big_d = u.denominator**a
    n = _iroot_floor(big_n // big_d, b)
    while n**b * big_d < big_n:
        n += 1
    return n


# -- certified fast evaluation of the curve families ------------------------------------
#
# Each floor/ceiling below is decided from an approximation with a rigorous error
# bound, in integer fixed point; where the bound cannot decide it (the value lies
# within the error of an integer) the exact routine above, or intervals at
# increasing precision, decide it. The results equal the exact ones always
# (tests/test_schedule_fast.py compares both on random parameters).


def _raw_floor_scaled(raw: tuple, shift: int) -> int:
    """floor(x * 2^shift) for an mpmath raw mpf x >= 0."""
    sign, man, exp, _ = raw
    assert not sign
    exp += shift
    return man << exp if exp >= 0 else man >> -exp


def _guard_bits(length: int, steps: int) -> int:
    return length.bit_length() + 2 * steps.bit_length() + 64


def _rotation(steps: int, bits: int) -> Iterator[tuple[int, int, int]]:
    """(c, s, err) for k = 1, ..., T - 1: |c - 2^P cos(k pi/2T)|, |s - 2^P sin(k pi/2T)| <= err, P = bits.

    The unit vector is rotated by k steps of the angle pi/2T in integer fixed
    point. The rotation's entries come from intervals (error <= 2 units each),
    every product is floored (< 1 unit per component), and a rotation preserves
    the 2-norm of the error, so after k steps the error is at most 6k units.
    """
    if steps == 1:
        return
    from mpmath import iv

    prec = bits + 24
    while True:
        saved = iv.prec
        try:
            iv.prec = prec
            angle = iv.pi / (2 * steps)
            cos1, sin1 = iv.cos(angle), iv.sin(angle)
        finally:
            iv.prec = saved
        c1, s1 = _raw_floor_scaled(cos1._mpi_[0], bits), _raw_floor_scaled(sin1._mpi_[0], bits)
        if _raw_floor_scaled(cos1._mpi_[1], bits) - c1 <= 1 and _raw_floor_scaled(sin1._mpi_[1], bits) - s1 <= 1:
            break
        prec *= 2  # pragma: no cover - the interval is far narrower than 2^-P
    c, s = 1 << bits, 0
    for k in range(1, steps):
        c, s = (c * c1 - s * s1) >> bits, (s * c1 + c * s1) >> bits
        yield c, s, 6 * k + 6


def _trig_floors(length: int, steps: int, kind: str) -> list[int]:
    """floor(L cos(k pi/2T)) (kind "cos") or floor(L sin(k pi/2T)) for k = 1, ..., T - 1, exactly."""
    bits = _guard_bits(length, steps)
    out = []
    for k, (c, s, err) in enumerate(_rotation(steps, bits), 1):
        value, slack = length * (c if kind == "cos" else s), length * err
        low, high = (value - slack) >> bits, (value + slack) >> bits
        out.append(low if low == high else _floor_scaled_trig(length, Fraction(k, 2 * steps), kind))
    return out


def _trig_ceilings(length: int, steps: int) -> list[int]:
    """ceil(L sin(k pi/2T)) for k = 1, ..., T - 1, exactly."""
    bits = _guard_bits(length, steps)
    out = []
    for k, (_, s, err) in enumerate(_rotation(steps, bits), 1):
        value, slack = length * s, length * err
        low, high = (value - slack) >> bits, (value + slack) >> bits
        # decided means L sin lies strictly between two integers, so its ceiling is the floor + 1
        out.append(low + 1 if low == high else _ceil_scaled_trig(length, Fraction(k, 2 * steps), "sin"))
    return out


def _ceil_of(num: int, den: int) -> int:
    return -(-num // den)


def _power_ceilings(length: int, steps: int, p: Fraction, small_roots: bool = True) -> list[int]:
    """ceil(L (k/T)^p) for k = 1, ..., T - 1, exactly, for any rational p > 0.

    (k/T)^p = k^p / T^p, and k^p is the product of q^p over the prime factors
    q of k: one interval evaluation per prime below T, one P-bit product per k.
    All approximations are rounded down, so each computed value A satisfies
    A <= x <= A (1 + 2^-G); a ceiling the bound cannot decide is computed by
    :func:`_power_ceiling_exact`.
    """
    if steps == 1:
        return []
    # extreme exponents decide every ceiling at once: y_k <= L (1 - 1/T)^p < L e^(-p/T) and
    # y_k >= L T^(-p) > L (1 - p ln T), while 0 < y_k < L for 0 < k < T
    if p >= steps * length.bit_length():
        return [1] * (steps - 1)
    if length * p * steps.bit_length() < 1:
        return [length] * (steps - 1)
    if small_roots and p.denominator <= 4 and p.denominator * length.bit_length() + p.numerator * steps.bit_length() <= 2048:
        # small integer roots of small numbers: the exact routine is cheaper than the intervals
        return [_ceil_rational_power(length, Fraction(k, steps), p) for k in range(1, steps)]
    bits = _guard_bits(length, steps)
    factors = 2 * steps.bit_length() + 4  # roundings along one product, with room
    guard = bits - 5 - factors.bit_length()  # each value is within a factor 1 + 2^-guard
    # smallest prime factors up to T
    smallest = list(range(steps + 1))
    for q in range(2, int(steps**0.5) + 1):
        if smallest[q] == q:
            for multiple in range(q * q, steps + 1, q):
                if smallest[multiple] == multiple:
                    smallest[multiple] = q
    extra = (p.numerator // p.denominator * steps.bit_length()).bit_length() + 24
    mantissa = [0] * (steps + 1)
    exponent = [0] * (steps + 1)
    mantissa[1], exponent[1] = 1 << (bits - 1), 1 - bits
    for k in range(2, steps + 1):
        q = smallest[k]
        if q == k:  # a prime: q^p from an interval, its lower end floored to P bits
            prec = bits + extra
            while True:
                value = _interval_power(q, 1, p, prec)
                (_, low, low_exp, low_bc), (_, high, high_exp, _) = value
                # the lower end m 2^e with m of P bits; the upper end within 2 units of it
                shift = low_bc - bits
                m = low >> shift if shift >= 0 else low << -shift
                e = low_exp + shift
                top = (high << (high_exp - e)) if high_exp >= e else high >> (e - high_exp)
                if top - m <= 2:
                    break
                prec *= 2  # pragma: no cover
            mantissa[k], exponent[k] = m, e
        else:
            m = mantissa[q] * mantissa[k // q]
            shift = m.bit_length() - bits
            mantissa[k], exponent[k] = m >> shift, exponent[q] + exponent[k // q] + shift
    out = []
    top_m, top_e = mantissa[steps], exponent[steps]
    for k in range(1, steps):
        # y = L k^p / T^p is within a factor (1 +- 2^-guard) of N 2^s / D
        n, d, s = length * mantissa[k], top_m, exponent[k] - top_e
        if n.bit_length() - d.bit_length() + s < -2:  # y < 1/2 (with room): 0 < y < 1
            out.append(1)
            continue
        low, high = n * ((1 << guard) - 1), n * ((1 << guard) + 1)
        shift = s - guard
        if shift >= 0:
            low_ceil, high_ceil = _ceil_of(low << shift, d), _ceil_of(high << shift, d)
        else:
            low_ceil, high_ceil = _ceil_of(low, d << -shift), _ceil_of(high, d << -shift)
        out.append(low_ceil if low_ceil == high_ceil else _power_ceiling_exact(length, Fraction(k, steps), p))
    return out


def _power_ceiling_exact(length: int, u: Fraction, p: Fraction) -> int:
    """ceil(L u^p) for 0 < u < 1 and rational p > 0, exactly, whatever the size of p's digits.

    u^p (u = c/d, p = a/b in lowest terms) is rational only when c and d are
    perfect b-th powers; then L u^p is an integer exactly when (d^(1/b))^a
    divides L, and it is computed. Otherwise L u^p is not an integer, and
    intervals at increasing precision separate it from the integers.
    """
    c, d, a, b = u.numerator, u.denominator, p.numerator, p.denominator
    if b < d.bit_length():  # d >= 2 is a b-th power only if 2^b <= d
        c_root, d_root = _iroot_floor(c, b), _iroot_floor(d, b)
        if c_root**b == c and d_root**b == d and a * (d_root.bit_length() - 1) <= length.bit_length():
            den = d_root**a
            if length % den == 0:
                return length // den * c_root**a
    from mpmath.libmp import from_int
    from mpmath.libmp.libmpi import mpi_mul

    prec = length.bit_length() + (a // b).bit_length() + 64
    while True:
        y = mpi_mul((from_int(length),) * 2, _interval_power(c, d, p, prec), prec)
        ceilings = []
        for sign, man, exp, _ in y:
            value = Fraction(-man if sign else man) * Fraction(2) ** exp
            ceilings.append(-((-value.numerator) // value.denominator))
        if ceilings[0] == ceilings[1]:
            return ceilings[0]
        prec *= 2


def _interval_power(c: int, d: int, p: Fraction, prec: int) -> tuple:
    """An mpmath raw interval containing (c/d)^p, c, d >= 1, at ``prec`` bits."""
    from mpmath.libmp import from_int
    from mpmath.libmp.libmpi import mpi_div, mpi_exp, mpi_log, mpi_mul

    def exact(n: int) -> tuple:
        return (from_int(n),) * 2

    base = exact(c) if d == 1 else mpi_div(exact(c), exact(d), prec)
    exponent = mpi_div(exact(p.numerator), exact(p.denominator), prec)
    return mpi_exp(mpi_mul(mpi_log(base, prec), exponent, prec), prec)


def _curve(method: Callable[..., Schedule], extra: int = 0, optional: int = 0) -> Callable[[int, list[str]], Schedule]:
    """A family builder taking T and ``extra`` more parameters, the last ``optional`` of which may be left out."""

    def build(length: int, args: list[str]) -> Schedule:
        least, most = 1 + extra - optional, 1 + extra
        if not least <= len(args) <= most:
            wanted = f"{least}" if least == most else f"{least} to {most}"
            raise ScheduleError(f"expected {wanted} parameter(s) after the name, got {len(args)}")
        steps = positive_int(args[0], "T")
        return method(length, steps, *args[1:])

    return build


_CURVE_FAMILIES: dict[str, Callable[[int, list[str]], Schedule]] = {
    "uniform": _curve(Schedule.uniform),
    "dream": _curve(Schedule.dream, 1, optional=1),
    "linear": _curve(Schedule.linear),
    "cosine": _curve(Schedule.cosine),
    "cosine-mdlm": _curve(Schedule.cosine_mdlm),
    "power": _curve(Schedule.power, 1),
}


def _build_blocks(length: int, args: list[str]) -> Schedule:
    if len(args) < 2:
        raise ScheduleError("expected blocks:K:FAMILY:T")
    return Schedule.blocks(length, positive_int(args[0], "K"), ":".join(args[1:]))


def _build_flat_blocks(length: int, args: list[str]) -> Schedule:
    if len(args) < 2:
        raise ScheduleError("expected flat-blocks:K:FAMILY:T")
    return Schedule.flat_blocks(length, positive_int(args[0], "K"), ":".join(args[1:]))


def _build_llada(length: int | None, args: list[str]) -> Schedule:
    if len(args) != 3:
        raise ScheduleError("expected llada:GEN:BLOCK:STEPS")
    gen, block, steps = (positive_int(a, n) for a, n in zip(args, ("GEN", "BLOCK", "STEPS")))
    return Schedule.llada(length, gen, block, steps)


def _build_random(length: int, args: list[str]) -> Schedule:
    if not 1 <= len(args) <= 2:
        raise ScheduleError("expected random:S or random:S:SEED")
    seed = 0
    if len(args) == 2:
        value = parse_rational(args[1], "seed")
        if value.denominator != 1:
            raise InvalidNumberError(
                f"seed {args[1]!r} is not an integer", param="seed", allowed="seeds are integers, e.g. random:8:42"
            )
        seed = int(value)
    return Schedule.paper_random(length, positive_int(args[0], "S"), seed)


# reversed:reversed:...: deeper nesting is refused instead of exhausting the recursion limit
MAX_REVERSED = 8


def _build_reversed(length: int | None, args: list[str]) -> Schedule:
    if not args or not args[0]:
        raise ScheduleError("expected reversed:SPEC")
    if args[: MAX_REVERSED].count("reversed") >= MAX_REVERSED:
        raise ScheduleError(f"reversed: is nested more than {MAX_REVERSED} times", allowed="reversed:SPEC, nested a few times")
    return parse_schedule(":".join(args), length).reversed()


def _build_degenerate(length: int, args: list[str]) -> Schedule:
    if len(args) != 1:
        raise ScheduleError("expected degenerate:S")
    return Schedule.degenerate(length, positive_int(args[0], "S"))


#: Family name -> (usage, builder(L, args)).
FAMILIES: dict[str, tuple[str, Callable[[int, list[str]], Schedule]]] = {
    "uniform": ("uniform:T", _CURVE_FAMILIES["uniform"]),
    "dream": ("dream:T[:eps]", _CURVE_FAMILIES["dream"]),
    "linear": ("linear:T", _CURVE_FAMILIES["linear"]),
    "cosine": ("cosine:T", _CURVE_FAMILIES["cosine"]),
    "cosine-mdlm": ("cosine-mdlm:T", _CURVE_FAMILIES["cosine-mdlm"]),
    "power": ("power:T:p", _CURVE_FAMILIES["power"]),
    "blocks": ("blocks:K:FAMILY:T", _build_blocks),
    "flat-blocks": ("flat-blocks:K:FAMILY:T", _build_flat_blocks),
    "llada": ("llada:GEN:BLOCK:STEPS", _build_llada),
    "random": ("random:S[:seed]", _build_random),
    "degenerate": ("degenerate:S", _build_degenerate),
    "reversed": ("reversed:SPEC", _build_reversed),
}

#: Random-count samplers (boundcalc.counts): family -> usage. Not fixed schedules; see parse_sampler.
COUNT_FAMILIES: dict[str, str] = {
    "mdlm": "mdlm:T[:NOISE]",
    "sedd": "sedd:T",
    "dream-origin": "dream-origin:T[:eps]",
}

# What a comma list may contain (validated entry by entry); anything else is a family or a file.
_LIST = re.compile(r"[0-9 \t+\-./eE,]*[0-9][0-9 \t+\-./eE,]*\Z", re.ASCII)

_ALLOWED = "a comma list such as 5,3,2, a file (JSON list or one size per line), or a family: " + ", ".join(
    usage for usage, _ in FAMILIES.values()
)


def parse_schedule(spec: str, length: int | None = None, param: str = "schedule") -> Schedule:
    """Read a schedule from a comma list, a family spec or a file.

    >>> parse_schedule("5,3,2").sizes
    (5, 3, 2)
    >>> parse_schedule("uniform:4", length=10).sizes
    (3, 3, 2, 2)
    >>> parse_schedule("cosine:8", length=256).sizes
    (5, 15, 24, 31, 39, 45, 48, 49)

    A family needs ``length``; a list or file must sum to ``length`` when it is given.
    Errors name ``param`` and say what is allowed.
    """
    text = spec.strip()
    if not text:
        raise ScheduleError("the schedule is empty", param=param, allowed=_ALLOWED)
    family, sep, rest = text.partition(":")
    if sep and family in COUNT_FAMILIES:
        raise ScheduleError(
            f"{text!r} reveals a random number of tokens per step: it is a sampler, not a fixed schedule",
            param=param,
            allowed="use boundcalc.counts.parse_sampler (the commands bound and verify accept it)",
        )
    try:
        if sep and family in FAMILIES:
            if length is None and family not in ("reversed", "llada"):  # a reversed list, LLaDA's GEN: no L needed
                raise ScheduleError(
                    f"{text!r} needs the sequence length",
                    allowed="give the sequence length L (or an MI profile, whose number of values is L)",
                )
            schedule = FAMILIES[family][1](length, rest.split(":") if rest else [])  # type: ignore[arg-type]
            schedule = Schedule(runs=schedule.runs, name=text, block_spans=schedule.block_spans)
        elif _LIST.match(text) and not text.startswith(("/", "./", "../")):  # a file named 8 is ./8
            schedule = _from_items(text.split(","), "entry")
        elif sep and family.replace("-", "").isalpha() and len(family) <= 32:
            raise ScheduleError(f"unknown schedule family {family!r}", allowed=_ALLOWED)
        else:
            schedule = _from_file(Path(text))
    except (ScheduleError, InvalidNumberError) as error:
        in_family = sep and family in FAMILIES
        raise ScheduleError(
            f"in {text!r}: {error.message}" if in_family else error.message,
            param=param,
            value=spec,
            allowed=error.allowed or (f"usage: {FAMILIES[family][0]}" if in_family else None),
        ) from None
    if length is not None:
        schedule.require_length(length, param)
    return schedule


def _from_items(items: Sequence[str], what: str, where: Callable[[int], str] | None = None) -> Schedule:
    sizes = []
    for position, raw in enumerate(items):
        label = where(position) if where else f"{what} {position + 1}"
        raw = raw.strip()
        if not raw:
            raise ScheduleError(f"{label} is empty", allowed="sizes are positive integers, e.g. 5,3,2")
        try:
            value = parse_rational(raw)
        except InvalidNumberError:
            raise ScheduleError(f"{label} is {raw!r}, not a number", allowed="sizes are positive integers") from None
        if value.denominator != 1 or value < 1:
            raise ScheduleError(f"{label} is {raw}", allowed="sizes are positive integers")
        sizes.append(int(value))
    return Schedule(sizes)


def _from_file(path: Path) -> Schedule:
    try:
        exists = path.exists()
    except OSError:  # e.g. a name too long for the file system
        exists = False
    if not exists:
        raise ScheduleError(f"{str(path)!r} is neither a schedule nor an existing file", allowed=_ALLOWED)
    stripped = read_text(path, ScheduleError, "schedule", _ALLOWED).strip()
    if stripped.startswith("["):
        try:
            items = parse_json(stripped, ScheduleError, None)
        except ScheduleError as error:
            raise ScheduleError(f"{str(path)!r}: {error.message}") from None
        if not isinstance(items, list) or any(isinstance(x, (list, dict, bool)) or x is None for x in items):
            raise ScheduleError(f"{str(path)!r} must hold a JSON list of positive integers")
        return _from_items([str(x) for x in items], "entry", lambda i: f"{path}: entry {i + 1}")
    lines = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(stripped.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    return _from_items([line for _, line in lines], "line", lambda i: f"{path}: line {lines[i][0]}")


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
