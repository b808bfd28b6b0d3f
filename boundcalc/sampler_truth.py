"""Each sampler rule's truth next to its own guarantee (orchestration: truth engines + bounds).

For a data model and a sampler spec, :func:`rule_report` gives

* the truth: KL(p || q) exactly (joint tables; fixed orders on Markov chains), or
  E_M KL(p || q_M) for value-independent random positions (the profile engine;
  said so), or, on Markov chains, the Monte Carlo estimate of E_p Σ TC -- an upper
  bound on KL(p || q) for the rules that choose from the marginals alone -- or
  nothing (confidence rules on a chain: no exact value at that L);
* the sequence error P_q(p(x) = 0) and the law of the network calls (exact, or
  Monte Carlo with standard errors and the seed);
* each rule's own guarantee, marked as what it bounds:
  - ``confidence:TAU``: Fast-dLLM's Theorem 1 (arXiv 2505.22618) for one call,
    (n − 1)(H_b(ε) + ε log(V − 1)) with ε = 1 − τ and n the largest group a call
    reveals; it bounds the TC of that call given its context, *not* KL(p || q);
  - ``eb:GAMMA``: γ per call times E[NFE] of the ideal process (each call's TC is
    at most Σ H − max H <= γ; KL(p || q) <= E_p Σ TC) -- a bound on KL(p || q);
  - ``entropy-sum:ETA``: η per call times E[NFE] of the ideal process (TC <= Σ H <= η;
    derived here), and Cai & Li's published bound (arXiv 2603.22248), whose constants
    are marked unknown: the paper was not available to this work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .bounds import confidence_bound
from .errors import ScheduleError, UsageError
from .registry import SamplerSpec
from .schedule import Schedule, parse_schedule, parse_spec
from .truth import JointDistribution, MarkovChain, exact_error
from .truth.adaptive import exact_law, ideal_walk
from .truth.chain_samplers import fixed_order_kl, monte_carlo
from .truth.rules import Rule, rule_of, threshold_nats

__all__ = ["Guarantee", "RuleReport", "rule_report", "as_rule", "confidence_breakpoints", "loosest_threshold",
           "count_sampler_report"]


@dataclass(frozen=True)
class Guarantee:
    """A rule's own guarantee: ``value`` in nats (None when its constants are unknown) and what it bounds."""

    name: str
    value: float | None
    bounds: str  # "KL(p||q)" or "TC of one call"
    source: str
    holds: bool | None = None  # checked against the truth when both are known
    note: str = ""


@dataclass
class RuleReport:
    """The truth, the sequence error, the calls and the guarantees of one rule on one model."""

    rule: Rule
    truth: float | None
    truth_error: float  # float error bound (exact) or standard error (Monte Carlo)
    truth_kind: str
    sequence_error: tuple[float, float]  # (value, standard error; 0 when exact)
    expected_nfe: tuple[float, float]
    nfe_sd: float
    exact: bool
    guarantees: list[Guarantee] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sampler": str(self.rule), "truth": self.truth, "truth_error": self.truth_error, "truth_kind": self.truth_kind,
            "sequence_error": self.sequence_error[0], "sequence_error_se": self.sequence_error[1],
            "expected_nfe": self.expected_nfe[0], "expected_nfe_se": self.expected_nfe[1], "nfe_sd": self.nfe_sd,
            "exact": self.exact,
            "guarantees": [{"name": g.name, "value": g.value, "bounds": g.bounds, "source": g.source,
                            "holds": g.holds, "note": g.note} for g in self.guarantees],
            **{k: v for k, v in self.meta.items() if isinstance(v, (int, float, str, type(None)))},
        }


def as_rule(spec: "str | SamplerSpec | Rule | Schedule", length: int, remasking: str | None = None) -> Rule:
    """A rule from a rule spec, a Schedule spec (random positions), a Schedule, or ``llada:GEN:BLOCK:STEPS``.

    ``remasking`` is for a family that takes one (``llada``): None means its default, LLaDA's
    ``low_confidence`` (the top-k by confidence in each block, as the command line); ``random`` is
    the uniform positions of ``blocks:GEN/BLOCK:uniform:STEPS``. Any other spec refuses a remasking.
    """
    if isinstance(spec, Rule):
        _no_remasking(str(spec), remasking)
        return spec
    if isinstance(spec, Schedule):
        _no_remasking(str(spec), remasking)
        return Rule.from_schedule(spec.require_length(length))
    parsed = spec if isinstance(spec, SamplerSpec) else parse_spec(spec)
    if parsed.family.is_rule:
        _no_remasking(parsed.text, remasking)
        return rule_of(parsed, length)
    choices = parsed.family.remaskings
    if not choices:
        _no_remasking(parsed.text, remasking)
        return Rule.from_schedule(parse_schedule(parsed, length))
    chosen = choices[0] if remasking is None else remasking
    if chosen not in choices:
        raise UsageError(f"remasking {chosen!r}", param="remasking", value=chosen, allowed=" or ".join(choices))
    schedule = parse_schedule(parsed, length)  # LLaDA's asserts, GEN = L
    if chosen == "random":
        return Rule.from_schedule(schedule)
    block = schedule.block_spans[0][1] if schedule.block_spans else length
    return Rule.low_confidence(length, schedule.steps, block=block if block < length else None)


def _no_remasking(text: str, remasking: str | None) -> None:
    if remasking is not None:
        raise UsageError(f"{text} has no remasking", param="remasking", value=remasking,
                         allowed="only with llada:GEN:BLOCK:STEPS")


def rule_report(model: JointDistribution | MarkovChain, spec: "str | SamplerSpec | Rule | Schedule",
                length: int | None = None, *, samples: int = 200, seed: int = 0,
                remasking: str | None = None) -> RuleReport:
    """The truth and the guarantees of a sampler on a joint table (exact) or a Markov chain (exact / Monte Carlo).

    ``remasking``: for ``llada:GEN:BLOCK:STEPS`` only, LLaDA's ``low_confidence`` by default (:func:`as_rule`).
    """
    L = model.check_length(length)
    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    if isinstance(parsed, SamplerSpec) and parsed.family.reveals == "counts":  # mdlm, sedd, dream-origin
        _no_remasking(parsed.text, remasking)
        return _count_report(model, parsed, L, samples, seed)
    rule = as_rule(spec, L, remasking)
    if isinstance(model, JointDistribution):
        report = _table_report(model, rule, spec)
    elif isinstance(model, MarkovChain):
        report = _chain_report(model, rule, spec, L, samples, seed)
    else:
        raise TypeError(f"expected a JointDistribution or MarkovChain, got {type(model).__name__}")
    report.guarantees = _guarantees(rule, report, model.vocab_size)
    return report


def _table_report(model: JointDistribution, rule: Rule, spec: Any) -> RuleReport:
    law = exact_law(model, rule)
    nfe = (float(law.expected_nfe), 0.0)
    meta: dict[str, Any] = {"max_step_size": law.meta["max_step_size"], "max_step_tc": law.meta["max_step_tc"],
                            "kl_of_output_law": law.kl, "expected_nfe_run_on": rule.steps}
    if rule.selects_from_marginals:
        walk = ideal_walk(model, rule)
        meta.update(ideal_nfe=float(walk.expected_nfe), tc_bound=walk.total_correlation,
                    entropy_excess=walk.entropy_excess, entropy_sum=walk.entropy_sum)
    if rule.kind == "random":  # value-independent: today's E_M KL(p || q_M) (KL of the mixture law in meta)
        truth = exact_error(model, as_schedule_of(rule, spec))
        return RuleReport(rule, truth, 2 * model._abs_error() * model.length, "E_M KL(p||q_M), exact",
                          (float(law.sequence_error), 0.0), nfe, law.nfe_sd, True, meta=meta)
    return RuleReport(rule, law.kl, law.kl_error, "KL(p||q), exact", (float(law.sequence_error), 0.0), nfe,
                      law.nfe_sd, True, meta=meta)


def as_schedule_of(rule: Rule, spec: Any) -> Schedule:
    if isinstance(spec, Schedule):
        return spec
    if isinstance(spec, str):
        return Schedule.parse(spec, rule.length)
    if isinstance(spec, SamplerSpec):
        return parse_schedule(spec, rule.length)
    raise ScheduleError(f"{rule}: random positions need their schedule", param="schedule")


def _chain_report(model: MarkovChain, rule: Rule, spec: Any, L: int, samples: int, seed: int) -> RuleReport:
    mc = monte_carlo(model, rule, L, samples=samples, seed=seed)
    meta: dict[str, Any] = {"samples": samples, "seed": seed, "expected_nfe_run_on": rule.steps}
    if mc.tc_bound is not None:
        meta.update(tc_bound=mc.tc_bound[0], tc_bound_se=mc.tc_bound[1], ideal_nfe=mc.meta["ideal_nfe"][0],
                    ideal_nfe_se=mc.meta["ideal_nfe"][1])
    if rule.kind in ("left-to-right", "dilated"):
        kl, err = fixed_order_kl(model, rule, L)
        truth, error, kind = kl, err, "KL(p||q), exact"
    elif rule.kind == "random":
        truth, error, kind = exact_error(model, as_schedule_of(rule, spec), length=L), 0.0, "E_M KL(p||q_M), exact"
        error = model._abs_error(L) * 2 * L
    elif mc.tc_bound is not None:
        truth, error, kind = mc.tc_bound[0], mc.tc_bound[1], "upper bound E_p Σ TC (Monte Carlo; ± standard error)"
    else:
        truth, error, kind = None, math.nan, "no exact value on a chain at this L (exact on joint tables)"
    return RuleReport(rule, truth, error, kind, mc.sequence_error, mc.expected_nfe, mc.nfe_sd, False, meta=meta)


def _guarantees(rule: Rule, report: RuleReport, vocab_size: int) -> list[Guarantee]:
    out = []
    V = max(vocab_size, 2)
    if rule.kind == "confidence":
        assert rule.threshold is not None
        n = report.meta.get("max_step_size") or max(size for _, size in rule.blocks)
        eps = min(1 - rule.threshold, Fraction(V - 1, V))
        value = confidence_bound(eps, max(n, 1), V).value
        seen = report.meta.get("max_step_tc")
        out.append(Guarantee("Fast-dLLM Theorem 1, per call", value, "TC of one call given its context",
                             "Wu et al., arXiv 2505.22618, Theorem 1",
                             None if seen is None else bool(seen <= value + 1e-12),
                             f"n = {n} tokens in the largest call, ε = 1 − τ; not a bound on KL(p||q)"))
    if rule.kind in ("eb", "entropy-sum") and report.meta.get("ideal_nfe") is not None:
        assert rule.threshold is not None
        per = threshold_nats(rule)
        value = per * report.meta["ideal_nfe"]
        holds = None
        if report.exact and report.truth is not None:
            holds = bool(report.truth <= value + report.truth_error)
        name = "γ per call × E[NFE]" if rule.kind == "eb" else "η per call × E[NFE]"
        source = "Ben-Hamu et al., arXiv 2505.24857" if rule.kind == "eb" else "derived here (TC ≤ Σ H ≤ η)"
        note = "E[NFE] of the ideal process" + ("" if report.exact else " (Monte Carlo: the bound is an estimate)")
        out.append(Guarantee(name, value, "KL(p||q)", source, holds, note))
    if rule.kind == "entropy-sum":
        out.append(Guarantee("Cai & Li's bound", None, "KL(p||q)", "Cai & Li, arXiv 2603.22248", None,
                             "constants unknown: the paper was not available to this work"))
    return out


def confidence_breakpoints(model: JointDistribution) -> list[Fraction]:
    """Every conditional probability p(X_i = v | x_R) > 0 of the table (R ∌ i, p(x_R) > 0), ascending.

    The threshold rule's law depends on τ only through which of these are >= τ, so
    KL(τ) is constant on each interval (c_{j-1}, c_j] between consecutive values.
    """
    from .truth.adaptive import exact_probabilities_of

    probs = exact_probabilities_of(model)
    codes = model.codes.tolist()
    L = model.length
    values: set[Fraction] = set()
    for mask in range(1 << L):
        revealed = [i for i in range(L) if mask >> i & 1]
        groups: dict[tuple, list[int]] = {}
        for r, row in enumerate(codes):
            groups.setdefault(tuple(row[i] for i in revealed), []).append(r)
        for rows in groups.values():
            total = sum((probs[r] for r in rows), Fraction(0))
            for i in range(L):
                if mask >> i & 1:
                    continue
                acc: dict[int, Fraction] = {}
                for r in rows:
                    acc[codes[r][i]] = acc.get(codes[r][i], Fraction(0)) + probs[r]
                values.update(p / total for p in acc.values())
    return sorted(values)


def loosest_threshold(model: JointDistribution, target: Fraction, *, max_seconds: float = 120.0) -> dict[str, Any]:
    """The smallest τ (the most parallel Fast-dLLM threshold) whose exact KL(p || q) is <= ``target``.

    KL is not monotone in τ, so every breakpoint (:func:`confidence_breakpoints`) is
    evaluated; a τ counts when KL + its float error <= target (decided conservatively).
    Any τ in (the previous breakpoint, τ] is the same sampler. None when no τ meets it.
    """
    from .errors import DomainError
    from .truth.adaptive import law_cost

    L = model.length
    candidates = confidence_breakpoints(model)
    seconds = sum(law_cost(model, Rule.confidence(L, c))["seconds"] for c in candidates[:1]) * len(candidates)
    if seconds > max_seconds:
        raise DomainError(f"the threshold search evaluates {len(candidates)} thresholds, about {seconds:.0f} s",
                          param="target", allowed=f"at most {max_seconds:.0f} s: a smaller table")
    previous = Fraction(0)
    for tau in candidates:
        law = exact_law(model, Rule.confidence(L, tau))
        if law.kl + law.kl_error <= target:
            return {"tau": tau, "interval": (previous, tau), "kl": law.kl, "kl_error": law.kl_error,
                    "sequence_error": law.sequence_error, "expected_nfe": law.expected_nfe, "nfe_sd": law.nfe_sd,
                    "checked": candidates.index(tau) + 1, "breakpoints": len(candidates)}
        previous = tau
    return {"tau": None, "breakpoints": len(candidates), "checked": len(candidates)}


def count_sampler_report(model: JointDistribution | MarkovChain, sampler: Any, length: int | None = None, *,
                         samples: int = 200, seed: int = 0, convention: str | None = None) -> dict[str, Any]:
    """The sequence error and the network calls of a random-count sampler (mdlm, sedd, dream-origin).

    On a joint table both are exact (:func:`boundcalc.truth.count_law.count_law`), with the
    law of the calls until the sample ended and the law of the calls the sampler makes as it
    runs on (``nfe_run_on``); on a chain the sequence error is a Monte Carlo estimate (± its
    standard error, ``samples`` trajectories from ``seed``) and the calls are exact (their
    mean: they do not depend on the data). ``convention``: the calls' convention
    (:data:`~boundcalc.truth.count_law.CALL_CONVENTIONS`), the sampler's own by default.
    """
    from .truth.chain_samplers import count_monte_carlo
    from .truth.count_law import CALL_CONVENTIONS, call_convention, count_law, expected_calls

    L = model.check_length(length)
    convention = convention or call_convention(sampler)
    if isinstance(model, JointDistribution):
        law = count_law(model, sampler, convention)
        data = law.to_dict()
        data.update(exact=True, sequence_error_se=0.0, expected_nfe_run_on_error=0.0, calls_law_exact=True,
                    expected_nfe_se=0.0)
        return data
    mean, bound = expected_calls(sampler, convention)
    if bool((model.transition > 0).all() and (model.initial > 0).all()):  # every context has p > 0: no draw errs
        return {"sampler": str(sampler), "calls": convention, "calls_meaning": CALL_CONVENTIONS[convention],
                "exact": True, "sequence_error": 0.0, "sequence_error_exact": "0", "sequence_error_se": 0.0,
                "expected_nfe_run_on": mean, "expected_nfe_run_on_error": bound, "calls_law_exact": False,
                "expected_nfe": mean, "expected_nfe_se": 0.0, "nfe_sd": _calls_sd(sampler, convention)}
    mc = count_monte_carlo(model, sampler, L, samples=samples, seed=seed, convention=convention)
    return {"sampler": str(sampler), "calls": convention, "calls_meaning": CALL_CONVENTIONS[convention],
            "exact": False, "samples": samples, "seed": seed, "calls_law_exact": False,
            "sequence_error": mc["sequence_error"][0], "sequence_error_se": mc["sequence_error"][1],
            "expected_nfe": mc["nfe"][0], "expected_nfe_se": mc["nfe"][1], "nfe_sd": mc["nfe"][1] * math.sqrt(samples),
            "expected_nfe_run_on": mean, "expected_nfe_run_on_error": bound}


def _calls_sd(sampler: Any, convention: str) -> float:
    """The standard deviation of the calls as the sampler runs (exact law where small enough, else nan)."""
    from .errors import DomainError
    from .truth.count_law import count_call_law

    try:
        law = count_call_law(sampler, convention)
    except DomainError:
        return math.nan
    mean = sum((n * w for n, w in law.items()), Fraction(0))
    return math.sqrt(float(sum((w * (n - mean) ** 2 for n, w in law.items()), Fraction(0))))


def _count_report(model: JointDistribution | MarkovChain, parsed: SamplerSpec, L: int, samples: int,
                  seed: int) -> RuleReport:
    """A random-count sampler in the trade-off: E_M KL exact (over the counts), sequence error, calls."""
    from .schedule import parse_sampler
    from .truth.samplers import count_error

    sampler = parse_sampler(parsed, L)
    truth, error = count_error(model.entropy_profile(L), sampler)
    counts = count_sampler_report(model, sampler, L, samples=samples, seed=seed)
    meta: dict[str, Any] = {"calls": counts["calls"], "calls_meaning": counts["calls_meaning"],
                            "expected_nfe_run_on": counts["expected_nfe_run_on"]}
    if not counts["exact"]:
        meta.update(samples=samples, seed=seed)
    sd = counts.get("nfe_sd")
    return RuleReport(sampler, max(truth, 0.0), error, "E_M KL(p||q_M), exact (over the counts)",
                      (counts["sequence_error"], counts["sequence_error_se"]),
                      (counts["expected_nfe"], counts["expected_nfe_se"]), math.nan if sd is None else sd,
                      counts["exact"], meta=meta)
