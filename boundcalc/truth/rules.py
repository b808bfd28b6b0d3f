"""The rules of the samplers people run, as value objects: which positions a step reveals.

A :class:`Rule` says, given what is revealed and the predictor's conditional
marginals p_i(·) = p(X_i = · | revealed), which masked positions the next
network call reveals (the values of the revealed positions are the draws of the
predictor, temperature 1). The rules, each with the file it follows
(docs/samplers.md):

* ``confidence:TAU[:BLOCK]`` -- Fast-dLLM's threshold (``NVlabs/Fast-dLLM``
  ``llada/generate.py`` ``get_transfer_index`` with ``threshold``): every masked
  position draws a value; the draws whose probability (the *confidence*) is
  >= TAU are kept, and always the most confident one.
* ``low-confidence:T[:BLOCK]`` -- LLaDA's ``remasking='low_confidence'``
  (``ML-GSAI/LLaDA`` ``generate.py``): every masked position draws; the k most
  confident draws are kept, k from ``get_num_transfer_tokens`` (⌊n/T⌋, the first
  n mod T steps one more).
* ``eb:GAMMA[:UNIT][:BLOCK]`` -- the EB-sampler (arXiv 2505.24857; as in
  ``omerlux/DUS`` ``generate.py`` ``generate_eb_sampler``): masked positions
  sorted by the entropy of p_i, the longest prefix with Σ H − max H <= γ.
* ``entropy-sum:ETA[:UNIT][:BLOCK]`` -- the entropy-sum rule: sorted by entropy,
  the longest prefix with Σ H <= η, at least one position.
* ``left-to-right:T[:BLOCK]`` and ``dilated:T[:BLOCK]`` -- fixed orders.
* value-independent random positions (``uniform:T``, ``llada:GEN:BLOCK:STEPS``,
  every :class:`~boundcalc.schedule.Schedule`): a uniform k-subset of the masked
  positions of the current block (:meth:`Rule.from_schedule`).

Ties (equal confidences, equal entropies) go to the lowest position. With a
BLOCK, positions are revealed block by block, left to right, as in LLaDA's and
Fast-dLLM's semi-autoregressive decoding: only the masked positions of the
first unfinished block are eligible.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from ..errors import InvalidNumberError, ScheduleError
from ..exact import positive_int, to_rational
from ..units import to_nats

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import SamplerSpec
    from ..schedule import Schedule

__all__ = ["Rule", "parse_rule", "rule_of", "is_rule_spec", "llada_counts", "dilated_groups"]
#: Rules whose number of network calls depends on the draws.
ADAPTIVE_KINDS = ("confidence", "eb", "entropy-sum")


def llada_counts(masked: int, steps: int) -> tuple[int, ...]:
    """LLaDA's ``get_num_transfer_tokens``: ⌊n/T⌋ per step, the first n mod T steps one more.

    >>> llada_counts(10, 4)
    (3, 3, 2, 2)
    """
    base, rest = divmod(masked, steps)
    return tuple(base + (i < rest) for i in range(steps))


def _bit_reversed(count: int) -> list[int]:
    """0..count-1 coarse to fine: each next residue farthest (in bit-reversed order) from the earlier ones."""
    bits = max(1, (count - 1).bit_length())
    keyed = sorted(range(count), key=lambda r: (int(format(r, f"0{bits}b")[::-1], 2), r))
    return keyed


def dilated_groups(start: int, size: int, steps: int) -> list[tuple[int, ...]]:
    """The dilated groups of one block: step r reveals the offsets ≡ ρ(r) (mod steps), ρ coarse to fine.

    Every group is spread over the block with stride ``steps`` (no two adjacent
    positions while steps > 1), as DUS's dilation-based groups of non-adjacent tokens.

    >>> dilated_groups(0, 8, 4)
    [(0, 4), (2, 6), (1, 5), (3, 7)]
    """
    return [tuple(start + j for j in range(residue, size, steps)) for residue in _bit_reversed(steps)]


@dataclass(frozen=True)
class Rule:
    """One sampler's selection rule over L positions (see the module docstring).

    ``threshold``: τ (confidence), γ or η in nats (eb, entropy-sum). ``counts``:
    per block, the tokens of each step (low-confidence, random). ``groups``: the
    positions of each step (fixed orders). ``blocks``: (start, size) left to right.
    """

    kind: str
    length: int
    blocks: tuple[tuple[int, int], ...]
    threshold: Fraction | None = None
    counts: tuple[tuple[int, ...], ...] = ()
    groups: tuple[tuple[int, ...], ...] = ()
    name: str = ""
    unit: str = "nats"  # the unit of an entropy threshold (entropies are compared in it)

    def __str__(self) -> str:
        return self.name or self.kind

    @property
    def selects_from_draws(self) -> bool:
        """True when the positions chosen depend on the values drawn at the call (the confidence rules).

        Not :attr:`boundcalc.registry.SamplerFamily.value_dependent`, which is True for every rule whose
        positions depend on the predictions at all (``eb`` and ``entropy-sum`` too, through the marginals).
        """
        return self.kind in ("confidence", "low-confidence")

    @property
    def adaptive(self) -> bool:
        """True when the number of network calls depends on the draws."""
        return self.kind in ADAPTIVE_KINDS

    @property
    def selects_from_marginals(self) -> bool:
        """True when the positions depend only on the predictor's marginals, not on the draws."""
        return self.kind in ("eb", "entropy-sum", "left-to-right", "dilated", "random")

    @property
    def steps(self) -> int | None:
        """The number of network calls when it is fixed (None for adaptive rules)."""
        if self.groups:
            return len(self.groups)
        if self.counts:
            return sum(len(c) for c in self.counts)
        return None

    # -- constructors ------------------------------------------------------------------------------
    @classmethod
    def confidence(cls, length: int, tau: object, block: int | None = None) -> "Rule":
        """Fast-dLLM's threshold τ in (0, 1]."""
        t = _rational(tau, "TAU", lambda x: 0 < x <= 1, "0 < TAU <= 1")
        return cls("confidence", length, _blocks(length, block), threshold=t, name=_name("confidence", t, block))

    @classmethod
    def entropy_bound(cls, length: int, gamma: object, block: int | None = None, unit: str = "nats") -> "Rule":
        """The EB-sampler's γ >= 0 (given in ``unit``; kept in nats)."""
        g = _rational(gamma, "GAMMA", lambda x: x >= 0, "GAMMA >= 0")
        return cls("eb", length, _blocks(length, block), threshold=g, name=_name("eb", g, block, unit), unit=_unit(unit))

    @classmethod
    def entropy_sum(cls, length: int, eta: object, block: int | None = None, unit: str = "nats") -> "Rule":
        """The entropy-sum rule's η >= 0 (given in ``unit``)."""
        e = _rational(eta, "ETA", lambda x: x >= 0, "ETA >= 0")
        return cls("entropy-sum", length, _blocks(length, block), threshold=e, name=_name("entropy-sum", e, block, unit),
                   unit=_unit(unit))

    @classmethod
    def low_confidence(cls, length: int, steps: int, block: int | None = None) -> "Rule":
        """LLaDA's top-k by confidence, T steps over all blocks (T/K per block)."""
        blocks = _blocks(length, block)
        per = _steps_per_block(steps, blocks)
        counts = tuple(llada_counts(size, per) for _, size in blocks)
        return cls("low-confidence", length, blocks, counts=counts, name=_name("low-confidence", steps, block))

    @classmethod
    def left_to_right(cls, length: int, steps: int, block: int | None = None) -> "Rule":
        """Left to right, LLaDA's counts (T/K steps per block)."""
        blocks = _blocks(length, block)
        per = _steps_per_block(steps, blocks)
        groups = []
        for start, size in blocks:
            position = start
            for k in llada_counts(size, per):
                groups.append(tuple(range(position, position + k)))
                position += k
        return cls("left-to-right", length, blocks, groups=tuple(groups), name=_name("left-to-right", steps, block))

    @classmethod
    def dilated(cls, length: int, steps: int, block: int | None = None) -> "Rule":
        """Dilated groups of stride T/K inside each block (:func:`dilated_groups`)."""
        blocks = _blocks(length, block)
        per = _steps_per_block(steps, blocks)
        groups = [g for start, size in blocks for g in dilated_groups(start, size, per)]
        return cls("dilated", length, blocks, groups=tuple(groups), name=_name("dilated", steps, block))

    @classmethod
    def from_schedule(cls, schedule: "Schedule") -> "Rule":
        """Uniformly random positions with the schedule's sizes (inside each block for a blockwise one)."""
        parts = schedule.block_schedules()
        blocks = tuple((start, size) for start, size, _ in parts)
        counts = tuple(tuple(inner.sizes) for _, _, inner in parts)
        return cls("random", schedule.length, blocks, counts=counts, name=schedule.name or str(schedule))


def _name(family: str, value: object, block: int | None, unit: str = "nats") -> str:
    text = f"{family}:{value}"
    if unit != "nats":
        text += f":{unit}"
    return text + (f":{block}" if block is not None else "")


def _unit(unit: str) -> str:
    if unit not in ("nats", "bits"):
        raise InvalidNumberError(f"unit = {unit!r}", param="unit", allowed="nats or bits")
    return unit


def _rational(value: object, what: str, ok, allowed: str) -> Fraction:
    try:
        x = value if isinstance(value, Fraction) else to_rational(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ArithmeticError):
        raise InvalidNumberError(f"{what} = {value!r} is not a number", param=what, allowed=allowed) from None
    if not ok(x):
        raise InvalidNumberError(f"{what} = {value} is out of range", param=what, allowed=allowed)
    return x


def _blocks(length: int, block: int | None) -> tuple[tuple[int, int], ...]:
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise InvalidNumberError(f"L = {length!r}", param="length", allowed="an integer >= 1")
    if block is None:
        return ((0, length),)
    if isinstance(block, bool) or not isinstance(block, int) or block < 1 or length % block:
        raise ScheduleError(f"BLOCK = {block!r} does not divide L = {length}", param="block",
                            allowed="a block length dividing L")
    return tuple((start, block) for start in range(0, length, block))


def _steps_per_block(steps: int, blocks: tuple[tuple[int, int], ...]) -> int:
    K, size = len(blocks), blocks[0][1]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1 or steps % K:
        raise ScheduleError(f"T = {steps!r} is not a positive multiple of the {K} blocks", param="steps",
                            allowed="T divisible by L/BLOCK (LLaDA's assert)")
    if steps // K > size:
        raise ScheduleError(f"T/K = {steps // K} steps for a block of {size} tokens", param="steps",
                            allowed="at most one step per token (a step revealing nothing is still a network call)")
    return steps // K


def is_rule_spec(spec: object) -> bool:
    """True when ``spec`` (a string or a parsed :class:`~boundcalc.registry.SamplerSpec`) is a sampler rule."""
    from ..registry import SamplerSpec
    from ..schedule import parse_spec

    if isinstance(spec, str):
        try:
            spec = parse_spec(spec)
        except ScheduleError:
            return False
    return isinstance(spec, SamplerSpec) and spec.family.is_rule


def rule_of(spec: "SamplerSpec", length: int) -> Rule:
    """The rule of a parsed spec (:func:`boundcalc.registry.parse_spec` checked its parameters), for length L.

    What depends on L is checked here: BLOCK divides L, T is a multiple of the L/BLOCK blocks.
    """
    from ..rule_families import split_unit

    family = spec.family
    if not family.is_rule:
        raise ScheduleError(f"{spec.text!r} is not a sampler rule", param="schedule",
                            allowed=", ".join(f.usage for f in _rule_families()))
    args, unit = split_unit(spec.args) if getattr(family, "has_unit", False) else (list(spec.args), "nats")
    # the spec's own integer reading ("1e3" is 1000), as its check accepted it
    block = positive_int(args[1], "BLOCK") if len(args) == 2 else None
    if family.params[0].kind == "steps":
        built = _FIXED_COUNT[family.name](length, positive_int(args[0], family.params[0].name), block)
    elif family.name == "confidence":
        built = Rule.confidence(length, args[0], block)
    else:
        build = Rule.entropy_bound if family.name == "eb" else Rule.entropy_sum
        built = build(length, args[0], block, unit=unit)
    return built


_FIXED_COUNT = {"low-confidence": Rule.low_confidence, "left-to-right": Rule.left_to_right, "dilated": Rule.dilated}


def _rule_families() -> list:
    from ..registry import families

    return families(is_rule=True)


def parse_rule(spec: str, length: int) -> Rule:
    """A rule from its spec (``confidence:0.9``, ``low-confidence:8:4``, ``eb:0.5:bits``, ``dilated:8``, ...),
    read by the registry's one grammar (:func:`boundcalc.registry.parse_spec`) and built by :func:`rule_of`."""
    from ..schedule import parse_spec

    return rule_of(parse_spec(spec), length)


def threshold_nats(rule: Rule) -> float:
    """The rule's entropy threshold in nats (as a float, for display)."""
    assert rule.threshold is not None
    return to_nats(float(rule.threshold), rule.unit)
