"""The sampler rules in the registry: ``confidence:TAU``, ``low-confidence:T``, ``eb:GAMMA``, ``entropy-sum:ETA``,
``left-to-right:T``, ``dilated:T`` (each with an optional ``:BLOCK``; docs/samplers.md quotes their sources).

One grammar: :func:`boundcalc.registry.parse_spec` reads a rule spec like any other
and checks its parameters here, before any L; :func:`boundcalc.truth.rules.rule_of`
builds the :class:`~boundcalc.truth.rules.Rule` from that parsed spec (what depends
on L -- BLOCK divides L, T a multiple of the blocks -- is checked there).

A rule is not a :class:`~boundcalc.registry.Sampler`: no bound of the paper's
Theorem-1 family holds for it (those need uniformly random positions), so
:meth:`~boundcalc.registry.SamplerSpec.build` refuses it in one line naming where
it is evaluated (:data:`~boundcalc.registry.RULE_COMMANDS`). What each provides instead:

* ``reveals`` "adaptive" (positions from the predicted values; ``value_dependent``) or
  "ordered" (a fixed order): :attr:`~boundcalc.registry.SamplerFamily.positions` says so and
  :meth:`boundcalc.bounds.Bound.applies_to` then holds for no bound;
* ``exact_engine`` "rules": exact laws on joint tables (:mod:`boundcalc.truth.adaptive`, cost
  estimated by ``law_cost`` and refused above its budget), exact fixed orders and Monte Carlo
  on Markov chains (:mod:`boundcalc.truth.chain_samplers`, cost estimated before work);
* ``guarantee``: what does hold. For a fixed order it is an identity, not a bound:
  KL(p||q) = Σ_k E TC(X_{S_k} | X_{S_<k}) (tests/samplers/test_registry.py checks it against the
  exact law and shows Theorem 1 below the truth for a fixed order).
"""

from __future__ import annotations

from typing import ClassVar, Sequence

from .errors import InvalidNumberError, ScheduleError
from .exact import parse_rational, positive_int
from .registry import Param, SamplerFamily, register

__all__ = ["RuleFamily", "UNITS", "split_unit"]

#: The units an entropy threshold may be given in (eb, entropy-sum).
UNITS = ("nats", "bits")


def split_unit(args: Sequence[str]) -> tuple[list[str], str]:
    """(the other arguments, the unit): an argument ``nats`` or ``bits`` after the threshold names the unit."""
    units = [a for a in args[1:] if a in UNITS]
    rest = [args[0], *(a for a in args[1:] if a not in UNITS)] if args else []
    return rest, (units[0] if units else "nats")


class RuleFamily(SamplerFamily):
    """A sampler rule ``name:VALUE[:BLOCK]``: VALUE a threshold (rational, in ``allowed``) or the step count T."""

    reveals, value_dependent, exact_engine = "adaptive", True, "rules"
    #: The first parameter's exact range (thresholds), as a test and its words.
    allowed: ClassVar[tuple[object, str] | None] = None
    has_unit: ClassVar[bool] = False
    guarantee: ClassVar[str] = ""

    @property
    def usage(self) -> str:
        unit = "[:UNIT]" if self.has_unit else ""  # UNIT nats or bits (no '|': the docs' table is Markdown)
        return f"{self.name}:{self.params[0].name}{unit}[:BLOCK]"

    def arity(self) -> tuple[int, int | None]:
        return 1, 3 if self.has_unit else 2

    def check(self, args: Sequence[str]) -> None:
        """The threshold in its range (exact), T and BLOCK positive integers, at most one unit."""
        rest, _ = split_unit(args) if self.has_unit else (list(args), "nats")
        if self.has_unit and sum(a in UNITS for a in args[1:]) > 1:
            raise ScheduleError("more than one unit", allowed=f"usage: {self.usage}")
        if not 1 <= len(rest) <= 2:
            raise ScheduleError(f"expected 1 or 2 parameters, got {len(rest)}", allowed=f"usage: {self.usage}")
        first = self.params[0]
        if first.kind == "steps":
            if rest[0] != "T":
                positive_int(rest[0], first.name)
        else:
            value = parse_rational(rest[0], first.name)
            test, words = self.allowed or (None, "")
            if test is not None and not test(value):  # type: ignore[operator]
                raise InvalidNumberError(f"{first.name} = {rest[0]} is out of range", param=first.name,
                                         allowed=words)
            if value > 10**300:  # the guarantees and the Monte Carlo engines compare it in float64
                raise InvalidNumberError(f"{first.name} = {rest[0]} is too large", param=first.name,
                                         allowed="at most 1e300 (compared in float64)")
        if len(rest) == 2:
            positive_int(rest[1], "BLOCK")

    def steps_of(self, args: Sequence[str]) -> int | None:
        if self.params[0].kind == "steps" and args and args[0].isdigit():
            return int(args[0])
        return None  # adaptive: the number of calls depends on the draws


_BLOCK = Param("BLOCK", optional=True, doc="decode blocks of BLOCK positions left to right")
_T = Param("T", "steps", doc="the number of network calls")


class Confidence(RuleFamily):
    name, params = "confidence", (Param("TAU", "rational"), _BLOCK)
    threshold_search = True  # steps --family confidence: the loosest threshold on a joint table
    allowed = (lambda x: 0 < x <= 1, "0 < TAU <= 1")
    source = "NVlabs/Fast-dLLM llada/generate.py get_transfer_index (threshold)"
    summary = ("Fast-dLLM's threshold: every masked position draws, the draws of probability >= TAU are kept "
               "(always the most confident one); network calls random")
    guarantee = "Fast-dLLM Theorem 1 per call (bounds one call's TC, not KL(p||q))"


class LowConfidence(RuleFamily):
    name, params = "low-confidence", (_T, _BLOCK)
    source = "ML-GSAI/LLaDA generate.py remasking='low_confidence'"
    summary = "LLaDA's `remasking='low_confidence'`: the k most confident draws kept, k from LLaDA's counts; T calls"
    guarantee = "none known"


class EntropyBound(RuleFamily):
    name, params, has_unit = "eb", (Param("GAMMA", "rational"), _BLOCK), True
    allowed = (lambda x: x >= 0, "GAMMA >= 0")
    source = "arXiv 2505.24857; omerlux/DUS generate.py generate_eb_sampler"
    summary = "the EB-sampler: positions by entropy, the longest prefix with Σ H − max H <= GAMMA (UNIT `nats`, the default, or `bits`); calls random"
    guarantee = "γ per call × E[NFE] of the ideal process bounds KL(p||q)"


class EntropySum(RuleFamily):
    name, params, has_unit = "entropy-sum", (Param("ETA", "rational"), _BLOCK), True
    allowed = (lambda x: x >= 0, "ETA >= 0")
    source = "the entropy-sum rule (Cai & Li, arXiv 2603.22248)"
    summary = "positions by entropy, the longest prefix with Σ H <= ETA (at least one; UNIT `nats` or `bits`); calls random"
    guarantee = "η per call × E[NFE] of the ideal process bounds KL(p||q)"


class LeftToRight(RuleFamily):
    name, params, reveals, value_dependent = "left-to-right", (_T, _BLOCK), "ordered", False
    summary = "left to right, LLaDA's counts per step (T calls); a fixed order"
    guarantee = "KL(p||q) = Σ_k E TC(X_{S_k} | X_{S_<k}) exactly (no bound of the paper)"


class Dilated(RuleFamily):
    name, params, reveals, value_dependent = "dilated", (_T, _BLOCK), "ordered", False
    source = "DUS dilation-based groups of non-adjacent tokens"
    summary = "dilated groups of stride T/K inside each block, coarse to fine (T calls); a fixed order"
    guarantee = LeftToRight.guarantee


for _family in (Confidence, LowConfidence, EntropyBound, EntropySum, LeftToRight, Dilated):
    register(_family)
