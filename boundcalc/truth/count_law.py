"""Random-count samplers (``mdlm``, ``sedd``, ``dream-origin``) on a joint table: output law, sequence error, calls.

At step k every still-masked position is revealed independently with probability
p_k (:class:`~boundcalc.count_sampler.CountSampler`); the revealed positions draw
their values independently from the oracle's conditional marginals (temperature
1), so a step can reach a context of probability 0 and the sample then ends as a
*sequence error*, as for the rules of :mod:`boundcalc.truth.adaptive`. The engine
walks the exact probability (Fractions) of every reachable (revealed set, values)
step by step, a step that reveals nothing included.

**Network calls** (docs/samplers.md, "Network calls of the random-count samplers"):
what the public code does with a step that reveals nothing differs, so each
sampler has a convention, read from its source:

* ``every-step`` -- Dream ``alg='origin'`` (``generation_utils.py`` ``_sample``:
  ``self(x, ...)`` at each of its T steps, no early exit) and SEDD
  (``sampling.py`` ``pc_sampler``: the score at each of its T steps, plus one for
  the ``denoise`` step): one call per step of the law, T (Dream) or T + 1;
* ``cached`` -- MDLM with its default predictor ``ddpm_cache`` (``diffusion.py``
  ``_sample``; ``configs/config.yaml`` ``sampling.predictor: ddpm_cache``, which
  needs the log-linear noise): the network is called at the first step and then
  only after a step that changed x (``p_x0_cache`` is kept while
  ``torch.allclose(x_next, x)``), plus one call for ``noise_removal``:
  2 + #{k <= T − 1 : s_k > 0} calls.

Positions never depend on the values, so the law of the calls of the sampler as it
runs (:func:`count_call_law`) does not depend on the data model; ``nfe`` of
:class:`CountLaw` is the law of the calls made until the sample ended -- at its
first out-of-support draw for an error, the convention of :mod:`boundcalc.truth.adaptive`
-- and ``nfe_run_on`` the calls the sampler makes all the same (it does not know it erred).

Exactness: the p_k are the sampler's exact rationals when it has them (log-linear
noise, Dream), else its float64 values taken exactly (the law of the sampler that
draws with those floats).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..errors import DomainError, ScheduleError
from .adaptive import MAX_LAW_WORK, LAW_WORK_PER_SECOND, _advance, _draws, _kl, _marginals, _Table, exact_probabilities_of
from .joint import JointDistribution

if TYPE_CHECKING:  # pragma: no cover
    from ..count_sampler import CountSampler

__all__ = ["CountLaw", "count_law", "count_call_law", "call_convention", "CALL_CONVENTIONS", "count_law_cost",
           "expected_calls", "reveal_fractions"]

#: How a random-count sampler's network calls are counted (module docstring).
CALL_CONVENTIONS = {
    "every-step": "one call per step, revealing or not (Dream origin, SEDD with its denoise step)",
    "cached": "MDLM ddpm_cache: a call at the first step, after every step that changed x, and for noise removal",
}
#: Above this many (step, masked, flag) cells × masked the exact call law is refused (Fractions).
MAX_CALL_LAW_WORK = 2e6


def call_convention(sampler: "CountSampler") -> str:
    """The sampler's own convention: ``cached`` for MDLM with log-linear noise (its default predictor
    ``ddpm_cache`` asserts that noise), ``every-step`` for the others (SEDD, Dream, MDLM's other noises
    sample with ``ddpm``/``analytic``, which call the network at every step)."""
    if sampler.family == "mdlm" and "noise" not in sampler.notes and not sampler.name.startswith("sedd"):
        return "cached"
    return "every-step"


def reveal_fractions(sampler: "CountSampler") -> list[Fraction]:
    """The per-step reveal probabilities as exact rationals (the exact ones, else the float64 ones exactly)."""
    if sampler.exact is not None:
        return list(sampler.exact)
    return [Fraction(p) for p in sampler.reveal]


def _check_convention(convention: str) -> str:
    if convention not in CALL_CONVENTIONS:
        raise ScheduleError(f"call convention {convention!r}", param="calls", allowed=" or ".join(CALL_CONVENTIONS))
    return convention


def _calls_at(convention: str, step: int, steps: int, previous_changed: bool) -> int:
    """1 when the network is called at step ``step`` (1-based) of ``steps``."""
    if convention == "every-step" or step == 1 or step == steps:
        return 1
    return 1 if previous_changed else 0


def count_call_law(sampler: "CountSampler", convention: str | None = None) -> dict[int, Fraction]:
    """The exact law of the number of network calls of the sampler as it runs (independent of the data).

    A DP over (masked count, did the last step change x); refused above :data:`MAX_CALL_LAW_WORK`
    (use :func:`expected_calls` then).
    """
    convention = _check_convention(convention or call_convention(sampler))
    probs = reveal_fractions(sampler)
    L, K = sampler.length, len(probs)
    if convention == "every-step":
        return {K: Fraction(1)}
    work = float(K) * (L + 1) ** 2
    if work > MAX_CALL_LAW_WORK:
        raise DomainError(f"the exact law of the calls of {sampler} at L = {L} needs ~{work:.2g} rational steps",
                          param="length", allowed=f"at most {MAX_CALL_LAW_WORK:.0g}: its mean (expected_calls) instead")
    states: dict[tuple[int, bool], dict[int, Fraction]] = {(L, True): {0: Fraction(1)}}
    for k, p in enumerate(probs, 1):
        new: dict[tuple[int, bool], dict[int, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
        for (n, changed), calls in states.items():
            call = _calls_at(convention, k, K, changed)
            for r in range(n + 1):
                w = math.comb(n, r) * p**r * (1 - p) ** (n - r)
                if w:
                    slot = new[(n - r, r > 0)]
                    for c, v in calls.items():
                        slot[c + call] += v * w
        states = new
    out: dict[int, Fraction] = defaultdict(Fraction)
    for calls in states.values():
        for c, v in calls.items():
            out[c] += v
    return {c: v for c, v in sorted(out.items()) if v}


def expected_calls(sampler: "CountSampler", convention: str | None = None) -> tuple[float, float]:
    """(E[network calls], float error bound) at any L: K, or 2 + Σ_{k<=T−1} (1 − (1 − π_k)^L) for ``cached``."""
    convention = _check_convention(convention or call_convention(sampler))
    K = len(sampler.reveal)
    if convention == "every-step":
        return float(K), 0.0
    if K == 1:
        return 1.0, 0.0
    head = sampler.marginals()[: K - 2]  # the regular steps 1..K-2 whose change triggers the next call
    L = sampler.length
    terms = [1.0 if x >= 1 else -math.expm1(L * math.log1p(-x)) for x in head]
    error = sum(16 * (k + 2) * 2.0**-53 * (1 + L * x / (1 - x)) for k, x in enumerate(head) if x < 1)
    return 2.0 + math.fsum(terms), error + (len(terms) + 2) * 2.0**-53 * K


@dataclass
class CountLaw:
    """The exact output law of a random-count sampler on a table (:func:`count_law`).

    ``law``: q(x) for every completed x; ``sequence_error``: P_q(p(x) = 0);
    ``nfe``: the calls made until the sample ended (an error stops the count);
    ``nfe_run_on``: the calls the sampler makes as it runs, errors or not;
    ``kl``: KL(p || q) of the output law in nats (the mixture over the counts), ``kl_error`` its float bound.
    """

    sampler: Any
    convention: str
    law: dict[tuple[int, ...], Fraction]
    sequence_error: Fraction
    nfe: dict[int, Fraction]
    nfe_run_on: dict[int, Fraction]
    kl: float
    kl_error: float
    states: int

    @staticmethod
    def _mean(law: dict[int, Fraction]) -> Fraction:
        return sum((n * w for n, w in law.items()), Fraction(0))

    @property
    def expected_nfe(self) -> Fraction:
        return self._mean(self.nfe)

    @property
    def expected_nfe_run_on(self) -> Fraction:
        return self._mean(self.nfe_run_on)

    @property
    def nfe_sd(self) -> float:
        mean = self.expected_nfe
        return math.sqrt(float(sum((w * (n - mean) ** 2 for n, w in self.nfe.items()), Fraction(0))))

    def to_dict(self) -> dict[str, Any]:
        return {
            "sampler": str(self.sampler), "calls": self.convention, "calls_meaning": CALL_CONVENTIONS[self.convention],
            "kl_of_output_law": self.kl, "kl_error": self.kl_error,
            "sequence_error": float(self.sequence_error), "sequence_error_exact": str(self.sequence_error),
            "expected_nfe": float(self.expected_nfe), "expected_nfe_exact": str(self.expected_nfe),
            "nfe_sd": self.nfe_sd, "nfe_law": {str(n): str(w) for n, w in sorted(self.nfe.items())},
            "expected_nfe_run_on": float(self.expected_nfe_run_on),
            "expected_nfe_run_on_exact": str(self.expected_nfe_run_on),
            "nfe_run_on_law": {str(n): str(w) for n, w in sorted(self.nfe_run_on.items())},
        }


def count_law_cost(model: JointDistribution, sampler: "CountSampler") -> dict[str, float]:
    """An upper estimate of :func:`count_law`'s work (every state at every step, every reveal set and values)."""
    L, V, N = model.length, model.vocab_size, model.support_size
    per_step = sum(math.comb(L, r) * min(N, V**r) * ((V + 1) ** (L - r) + N) for r in range(L + 1))
    work = float(len(sampler.reveal)) * per_step
    return {"work": work, "seconds": work / LAW_WORK_PER_SECOND}


def count_law(model: JointDistribution, sampler: "CountSampler", convention: str | None = None, *,
              max_work: float = MAX_LAW_WORK) -> CountLaw:
    """The exact output law, sequence error and network calls of a random-count sampler (module docstring)."""
    import numpy as np

    convention = _check_convention(convention or call_convention(sampler))
    if sampler.length != model.length:
        raise ScheduleError(f"{sampler} is for L = {sampler.length}, the table has L = {model.length}", param="schedule")
    cost = count_law_cost(model, sampler)
    if cost["work"] > max_work:
        raise DomainError(
            f"the exact law of {sampler} on this table (L = {model.length}, V = {model.vocab_size}, "
            f"{model.support_size} outcomes, {len(sampler.reveal)} steps) needs ~{cost['work']:.2g} enumeration "
            f"steps, about {cost['seconds']:.0f} s (limit {max_work:.2g})",
            param=model.source or "joint", allowed="a smaller table or fewer steps")
    table = _Table(model.codes, exact_probabilities_of(model))
    probs = reveal_fractions(sampler)
    L, K = model.length, len(probs)
    states: dict[tuple, list] = {(0, (), True): [np.arange(len(table.probs)), {0: Fraction(1)}]}
    nfe: dict[int, Fraction] = defaultdict(Fraction)
    error, visited = Fraction(0), 0
    for k, p in enumerate(probs, 1):
        new: dict[tuple, list] = {}
        for (mask, values, changed), (rows, calls) in states.items():
            visited += 1
            call = _calls_at(convention, k, K, changed)
            masked = [i for i in range(L) if not mask >> i & 1]
            marg = _marginals(table, rows, masked)
            for size in range(len(masked) + 1):
                weight = p**size * (1 - p) ** (len(masked) - size)
                if not weight:
                    continue
                for S in itertools.combinations(masked, size):
                    for _, x_S, w in (_draws(S, marg, weight) if S else [((), (), weight)]):
                        new_mask, new_values, new_rows = _advance(table, mask, values, rows, S, x_S) if S else (
                            mask, values, rows)
                        if new_rows is None:
                            error += w * sum(calls.values(), Fraction(0))
                            for n, v in calls.items():
                                nfe[n + call] += v * w
                            continue
                        key = (new_mask, new_values, bool(S) or convention == "every-step")
                        slot = new.setdefault(key, [new_rows, defaultdict(Fraction)])
                        for n, v in calls.items():
                            slot[1][n + call] += v * w
        states = new
    law: dict[tuple[int, ...], Fraction] = defaultdict(Fraction)
    for (mask, values, _), (_, calls) in states.items():
        assert mask == (1 << L) - 1, "the last step reveals every position"
        for n, v in calls.items():
            law[values] += v
            nfe[n] += v
    law = {x: q for x, q in law.items() if q}
    kl, kl_error = _kl(table, law)
    run_on = count_call_law(sampler, convention)
    return CountLaw(sampler, convention, law, error, {n: w for n, w in sorted(nfe.items()) if w}, run_on, kl,
                    kl_error, visited)
