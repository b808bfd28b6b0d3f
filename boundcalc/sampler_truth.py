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
    are marked unknown: only its abstract (Õ(H(X)/ε) expected iterations) was found.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ._print_helpers import Printable
from .bounds import confidence_bound
from .errors import ScheduleError, UsageError
from .registry import SamplerSpec
from .schedule import Schedule, parse_schedule, parse_spec
from .truth import JointDistribution, MarkovChain, exact_error
from .truth.adaptive import exact_law, ideal_walk
from .truth.chain_samplers import fixed_order_kl, monte_carlo
from .truth.rules import Rule, rule_of, threshold_nats

__all__ = ["Guarantee", "RuleReport", "rule_report", "as_rule", "confidence_breakpoints", "loosest_threshold",
           "count_sampler_report", "fewest_fixed_order_steps", "loosest_on_grid", "MAX_SEARCH_SECONDS"]


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
class RuleReport(Printable):
    """The truth, the sequence error, the calls and the guarantees of one rule on one model (in nats; its JSON
    form: :mod:`boundcalc.jsonify`)."""

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
                             "constants unknown: the stores searched hold the paper's abstract only, whose "
                             "Õ(H(X)/ε) iterations hide constants and log factors (docs/samplers.md)"))
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


# -- the loosest rule meeting a target (steps --family RULE) -------------------------------------------------
#: Seconds a rule search may take (estimated before any work).
MAX_SEARCH_SECONDS = 120.0
#: Per T of a fixed order on a chain: seconds per entropy term (benchmarks/bench_samplers.py style timing).
FIXED_ORDER_SECONDS_PER_TERM = 4e-6


def fewest_fixed_order_steps(model: JointDistribution | MarkovChain, kind: str, targets: list[Fraction],
                             length: int | None = None, *, max_seconds: float = MAX_SEARCH_SECONDS) -> dict[str, Any]:
    """For each target (nats), the fewest T whose fixed order (``left-to-right`` or ``dilated``) has exact
    KL(p || q) <= target (``answers``, in the order given; ``steps`` None when no T <= L meets it).

    T = 1, 2, ... is evaluated in turn until every target is met (KL need not be monotone in T), each exactly: on a
    joint table by :func:`~boundcalc.truth.adaptive.exact_law`, on a chain by
    :func:`~boundcalc.truth.chain_samplers.fixed_order_kl`; a T counts when KL + its float error
    <= target. The cost is estimated first and refused above ``max_seconds``.
    """
    from .errors import DomainError
    from .truth.adaptive import law_cost
    from .truth.chain_samplers import ChainBridges

    L = model.check_length(length)
    if kind not in ("left-to-right", "dilated"):
        raise ScheduleError(f"{kind!r} is not a fixed order", param="family", allowed="left-to-right or dilated")
    build = Rule.left_to_right if kind == "left-to-right" else Rule.dilated
    if isinstance(model, JointDistribution):
        seconds = sum(law_cost(model, build(L, T))["seconds"] for T in range(1, L + 1))
    else:
        seconds = FIXED_ORDER_SECONDS_PER_TERM * 8 * L * L
    if seconds > max_seconds:
        raise DomainError(f"the exact KL of {kind}:T for every T = 1..{L} needs about {seconds:.0f} s",
                          param="length", allowed=f"at most {max_seconds:.0f} s: a shorter L or a smaller table")
    bridges = None if isinstance(model, JointDistribution) else ChainBridges(model, L)
    rows: list[dict[str, Any]] = []
    answers: dict[int, dict[str, Any]] = {}
    for T in range(1, L + 1):
        if len(answers) == len(targets):
            break
        rule = build(L, T)
        seq: float | None = None
        if isinstance(model, JointDistribution):
            law = exact_law(model, rule)
            kl, error, seq = law.kl, law.kl_error, float(law.sequence_error)
        else:
            kl, error = fixed_order_kl(model, rule, L, bridges=bridges)
        if all(len(group) == 1 for group in rule.groups):  # one position per call from its true conditional
            kl, error = 0.0, 0.0  # the chain rule: q = p exactly
        rows.append({"steps": T, "kl": kl, "kl_error": error, "sequence_error": seq})
        for n, target in enumerate(targets):
            if n not in answers and kl + error <= target:
                answers[n] = rows[-1]
    return {"family": kind, "exact": True, "decision": "exact (KL + its float error <= ε)", "checked": len(rows),
            "rows": rows,
            "answers": [{"target": t, **(answers.get(n) or {"steps": None})} for n, t in enumerate(targets)]}


def loosest_on_grid(model: JointDistribution | MarkovChain, specs: list[SamplerSpec], targets: list[Fraction],
                    length: int | None = None, *, samples: int = 200, seed: int = 0, confidence: float = 0.975,
                    max_seconds: float = MAX_SEARCH_SECONDS) -> dict[str, Any]:
    """For each target (nats), the loosest threshold of a grid (:func:`boundcalc.registry.parse_grid`) whose
    KL(p || q) meets it (``answers``; ``loosest`` None when no point does), and every point (``rows``).

    Loosest: the most parallel -- the least τ of ``confidence``, the greatest γ or η of ``eb`` and
    ``entropy-sum``. On a joint table every point is exact (KL + its float error <= target). On a chain
    only ``eb`` and ``entropy-sum`` have a value: the Monte Carlo estimate of the upper bound E_p Σ TC
    on KL(p || q), and a point counts when estimate + ``z`` standard errors <= target -- a statistical
    decision (from ``samples`` trajectories and ``seed``), never an exact one. ``z`` is one-sided and
    Bonferroni-corrected over the N grid points, z = Φ⁻¹(1 - (1 - confidence)/N): with probability about
    ``confidence`` (normal approximation) no point of the grid -- hence no answer, for any target -- is
    accepted while its true value exceeds its upper limit. The confidence rules have no KL on a chain
    (docs/samplers.md): refused.
    """
    from .errors import DomainError
    from .truth.adaptive import law_cost
    from .truth.chain_samplers import mc_cost, monte_carlo

    L = model.check_length(length)
    names = {s.family.name for s in specs}
    if len(names) != 1 or not all(s.family.is_rule and s.family.params[0].kind == "rational" for s in specs):
        raise ScheduleError(f"{', '.join(sorted(names))}: not one threshold family", param="family",
                            allowed="a grid of confidence, eb or entropy-sum thresholds (NAME:LO..HI/N)")
    name = names.pop()
    rules = [rule_of(s, L) for s in specs]
    exact = isinstance(model, JointDistribution)
    if not exact and not rules[0].selects_from_marginals:
        raise DomainError(f"{name}'s KL(p||q) is not computable on a chain: its positions depend on the draws, so "
                          "E_p Σ TC is not a bound on it", param="family",
                          allowed="a joint table (exact), or eb/entropy-sum on a chain (docs/samplers.md)")
    seconds = math.fsum(law_cost(model, r)["seconds"] if isinstance(model, JointDistribution)
                        else mc_cost(model, r, L, samples)["seconds"] for r in rules)
    if seconds > max_seconds:
        raise DomainError(f"evaluating {len(rules)} thresholds of {name} needs about {seconds:.0f} s",
                          param="family", allowed=f"at most {max_seconds:.0f} s: fewer points, samples or a shorter L")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence}: not in (0, 1)")
    # Bonferroni over the grid: one false acceptance anywhere would make some answer wrong.
    z = statistics.NormalDist().inv_cdf(1 - (1 - confidence) / len(rules))
    rows: list[dict[str, Any]] = []
    for spec, rule in zip(specs, rules):
        if isinstance(model, JointDistribution):
            law = exact_law(model, rule)
            row = {"threshold": rule.threshold, "spec": spec.text, "kl": law.kl, "kl_error": law.kl_error,
                   "sequence_error": float(law.sequence_error), "expected_nfe": float(law.expected_nfe),
                   "upper": law.kl + law.kl_error}
        else:
            mc = monte_carlo(model, rule, L, samples=samples, seed=seed)
            assert mc.tc_bound is not None
            mean, se = mc.tc_bound
            row = {"threshold": rule.threshold, "spec": spec.text, "tc_bound": mean, "tc_bound_se": se,
                   "sequence_error": mc.sequence_error[0], "sequence_error_se": mc.sequence_error[1],
                   "expected_nfe": mc.expected_nfe[0], "expected_nfe_se": mc.expected_nfe[1],
                   "upper": mean + z * se}
        rows.append(row)
    pick = min if name == "confidence" else max
    answers = []
    for target in targets:
        meeting = [r for r in rows if r["upper"] <= target]
        best = pick(meeting, key=lambda r: Fraction(r["threshold"])) if meeting else None
        answers.append({"target": target, "loosest": best})
    decision = "exact (KL + its float error <= ε)" if exact else (
        f"statistical (the Monte Carlo estimate of E_p Σ TC + {z:.3g} standard errors <= ε: one-sided, "
        f"Bonferroni over {len(rules)} points, familywise confidence {confidence:g}), not exact")
    return {"family": name, "exact": exact, "decision": decision, "z": None if exact else z,
            "confidence": None if exact else confidence,
            "samples": None if exact else samples, "seed": None if exact else seed, "rows": rows, "answers": answers}
