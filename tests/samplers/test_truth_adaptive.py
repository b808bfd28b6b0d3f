"""The exact laws of the adaptive and fixed-order samplers against an independent brute force."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adaptive_reference import brute_law, llada_counts
from boundcalc.errors import DomainError, ScheduleError
from boundcalc.schedule import Schedule
from boundcalc.truth import JointDistribution, exact_error
from boundcalc.truth.adaptive import exact_law
from boundcalc.truth.rules import Rule, dilated_groups, parse_rule


def table_of(outcomes: dict) -> JointDistribution:
    items = sorted(outcomes.items())
    return JointDistribution.from_outcomes([list(x) for x, _ in items], [p for _, p in items])


def reference_rule(rule: Rule) -> dict:
    """The brute force's description of an engine rule (built from the public parameters only)."""
    out = {"kind": rule.kind, "blocks": list(rule.blocks)}
    if rule.kind == "confidence":
        out["tau"] = rule.threshold
    elif rule.kind in ("eb", "entropy-sum"):
        out["threshold"], out["unit"] = rule.threshold, rule.unit
    elif rule.kind in ("low-confidence", "random"):
        out["counts"] = [list(c) for c in rule.counts]
    else:
        out["kind"], out["groups"] = "fixed", [list(g) for g in rule.groups]
    if rule.kind == "low-confidence":
        out["counts"] = rule.counts[0] if len(rule.blocks) == 1 else None
    return out


def check(outcomes: dict, rule: Rule) -> None:
    joint = table_of(outcomes)
    exact = exact_law(joint, rule)
    ref = reference_rule(rule)
    if rule.kind == "low-confidence" and len(rule.blocks) > 1:
        pytest.skip("blockwise low-confidence is checked in its own test")
    law, error, nfe = brute_law({tuple(x): Fraction(p) for x, p in outcomes.items()}, joint.length, ref)
    # the engine's codes are indices into the sorted vocabulary: map the brute force's tokens to them
    index = {t: n for n, t in enumerate(joint.vocabulary)}
    law = {tuple(index[t] for t in x): q for x, q in law.items()}
    assert exact.law == law
    assert exact.sequence_error == error
    assert exact.nfe == nfe
    assert sum(exact.law.values()) + exact.sequence_error == 1


# -- adversarial tables ----------------------------------------------------------------------------
XOR = {(a, b, a ^ b): "1/4" for a in (0, 1) for b in (0, 1)}
COPY3 = {(0, 0, 0): "1/2", (1, 1, 1): "1/2"}
TIES = {(0, 1, 2): "1/3", (1, 2, 0): "1/3", (2, 0, 1): "1/3"}
SKEW = {(0, 0, 0): "0.49", (0, 1, 1): "0.01", (1, 0, 1): "0.3", (1, 1, 0): "0.2"}
NEAR = {(0, 0, 0, 0): "0.97", (0, 0, 0, 1): "0.01", (1, 1, 0, 1): "0.01", (1, 1, 1, 1): "0.01"}
DYADIC = {(0, 0): "1/2", (1, 1): "1/8", (1, 2): "1/8", (2, 3): "1/8", (3, 0): "1/8"}
TABLES = [XOR, COPY3, TIES, SKEW, NEAR, DYADIC]
SPECS = ["confidence:0.6", "confidence:1/3", "confidence:1", "low-confidence:{L}", "low-confidence:2", "eb:0.5",
         "eb:0", "eb:1:bits", "entropy-sum:0.7", "entropy-sum:2", "left-to-right:2", "dilated:2", "left-to-right:{L}"]


@pytest.mark.parametrize("outcomes", TABLES, ids=["xor", "copy3", "ties", "skew", "near", "dyadic"])
@pytest.mark.parametrize("spec", SPECS)
def test_engine_matches_brute_force(outcomes, spec):
    L = len(next(iter(outcomes)))
    check(outcomes, parse_rule(spec.format(L=L), L))


@pytest.mark.parametrize("outcomes", [XOR, SKEW, NEAR], ids=["xor", "skew", "near"])
@pytest.mark.parametrize("spec", ["uniform:2", "uniform:1", "cosine:2"])
def test_random_positions_match_brute_force_and_the_profile(outcomes, spec):
    L = len(next(iter(outcomes)))
    schedule = Schedule.parse(spec, L)
    rule = Rule.from_schedule(schedule)
    check(outcomes, rule)
    # the mixture law's KL is at most the expected KL E_M KL(p || q_M) of the profile engine (convexity)
    joint = table_of(outcomes)
    assert exact_law(joint, rule).kl <= exact_error(joint, schedule) + 1e-12


def test_blockwise_rules_match_brute_force():
    outcomes = {(0, 0, 1, 1): "0.4", (0, 1, 1, 0): "0.1", (1, 1, 0, 0): "0.3", (1, 0, 0, 1): "0.2"}
    for rule in (Rule.confidence(4, "0.55", block=2), Rule.entropy_bound(4, "0.3", block=2),
                 Rule.left_to_right(4, 4, block=2), Rule.from_schedule(Schedule.parse("llada:4:2:2", 4))):
        check(outcomes, rule)
    # LLaDA low_confidence in blocks: top-k inside the current block only
    joint = table_of(outcomes)
    rule = Rule.low_confidence(4, 2, block=2)
    ref = {"kind": "low-confidence", "blocks": [(0, 2), (2, 2)], "counts": llada_counts(2, 1)}
    law, error, nfe = brute_law({x: Fraction(p) for x, p in outcomes.items()}, 4, ref)
    exact = exact_law(joint, rule)
    assert exact.law == law and exact.sequence_error == error and exact.nfe == nfe


small_tables = st.integers(2, 3).flatmap(
    lambda L: st.integers(2, 3).flatmap(
        lambda V: st.dictionaries(
            st.tuples(*[st.integers(0, V - 1)] * L), st.integers(1, 6), min_size=1, max_size=min(V**L, 7)
        )
    )
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables, st.sampled_from(["confidence:1/2", "confidence:3/4", "low-confidence:{L}", "low-confidence:1",
                                      "eb:1/2", "entropy-sum:1", "left-to-right:2", "dilated:2"]))
def test_hypothesis_small_tables(weights, spec):
    total = sum(weights.values())
    outcomes = {x: Fraction(w, total) for x, w in weights.items()}
    L = len(next(iter(outcomes)))
    check(outcomes, parse_rule(spec.format(L=L), L))


# -- closed forms ------------------------------------------------------------------------------------
def shuffle_accuracy(n: int, k: int) -> Fraction:
    """ParallelBench's Shuffle: a uniform permutation of n items, k per step: Π m!/((m−k)! m^k)."""
    out, m = Fraction(1), n
    while m > 0:
        step = min(k, m)
        out *= Fraction(math.factorial(m), math.factorial(m - step) * m**step)
        m -= step
    return out


@pytest.mark.parametrize("n,k", [(3, 1), (3, 2), (3, 3), (4, 2), (4, 4)])
def test_parallelbench_shuffle_closed_form(n, k):
    perms = list(itertools.permutations(range(n)))
    joint = JointDistribution.from_outcomes([list(p) for p in perms], [Fraction(1, len(perms))] * len(perms))
    steps = -(-n // k)
    for rule in (Rule.left_to_right(n, steps), Rule.from_schedule(Schedule.uniform(n, steps)), Rule.dilated(n, steps)):
        law = exact_law(joint, rule)
        assert 1 - law.sequence_error == shuffle_accuracy(n, k), rule
    assert shuffle_accuracy(4, 2) == Fraction(4 * 3, 16) * Fraction(2, 4)  # by hand: 12/16 · 2/4


def test_low_confidence_one_token_per_step_is_biased_random_order_is_exact():
    # X1 ~ (0.7, 0.3), X2 ~ (1/2, 1/2) independent. low-confidence:2 reveals X1 first only when its draw is
    # 'a' (0.7 > 0.5); a 'b' draw (0.3) loses to X2 and X1 is redrawn later: P(X1 = b) = 0.3 · 0.3 = 0.09.
    outcomes = {("a", "a"): "0.35", ("a", "b"): "0.35", ("b", "a"): "0.15", ("b", "b"): "0.15"}
    joint = table_of(outcomes)
    biased = exact_law(joint, parse_rule("low-confidence:2", 2))
    assert biased.law[(1, 0)] == Fraction(9, 200)
    assert biased.kl == pytest.approx(0.7 * math.log(0.7 / 0.91) + 0.3 * math.log(0.3 / 0.09), rel=1e-12)
    exact = exact_law(joint, Rule.from_schedule(Schedule.uniform(2, 2)))
    assert exact.kl == 0 and exact.law == {(0, 0): Fraction(7, 20), (0, 1): Fraction(7, 20),
                                          (1, 0): Fraction(3, 20), (1, 1): Fraction(3, 20)}
    for outcomes in TABLES:  # one token per step in random order is exact on every table
        L = len(next(iter(outcomes)))
        assert exact_law(table_of(outcomes), Rule.from_schedule(Schedule.uniform(L, L))).kl == pytest.approx(0, abs=1e-14)


def test_fixed_order_kl_is_the_sum_of_conditional_total_correlations():
    joint = table_of(SKEW)
    H = joint.subset_entropies()
    for rule in (Rule.left_to_right(3, 2), Rule.dilated(3, 2), Rule.left_to_right(3, 1)):
        revealed, kl = 0, 0.0
        for group in rule.groups:
            S = sum(1 << i for i in group)
            kl += sum(H[revealed | 1 << i] - H[revealed] for i in group) - (H[revealed | S] - H[revealed])
            revealed |= S
        assert exact_law(joint, rule).kl == pytest.approx(kl, abs=1e-12)


def test_xor_in_one_step_is_a_sequence_error_half_the_time():
    # three positions, X3 = X1 xor X2: revealing all at once draws three fair bits, valid with probability 1/2
    law = exact_law(table_of(XOR), Rule.from_schedule(Schedule.uniform(3, 1)))
    assert law.sequence_error == Fraction(1, 2) and law.kl == pytest.approx(math.log(2), rel=1e-14)
    # the threshold 1 never passes a fair bit: one position per call, exact
    law = exact_law(table_of(XOR), Rule.confidence(3, 1))
    assert law.sequence_error == 0 and law.kl == 0
    assert law.nfe == {3: Fraction(1)}  # after one bit the other two are still fair bits
    # three copies of one bit: after the first, both others have confidence 1 and go together
    law = exact_law(table_of(COPY3), Rule.confidence(3, 1))
    assert law.nfe == {2: Fraction(1)} and law.kl == 0


def test_rules_parse_and_refuse():
    assert dilated_groups(0, 8, 3) == [(0, 3, 6), (2, 5), (1, 4, 7)]
    assert parse_rule("eb:1:bits", 4).unit == "bits"
    assert str(parse_rule("low-confidence:4:2", 4)) == "low-confidence:4:2"
    for bad in ("confidence:0", "confidence:2", "low-confidence:3:2", "dilated:9", "eb:-1", "left-to-right:x"):
        with pytest.raises((ScheduleError, ValueError)):
            parse_rule(bad, 4)
    big = JointDistribution.from_outcomes([[i % 3, (i // 3) % 3, (i // 9) % 3, i // 27 % 3, 0, 0, 0, 0, 0, 0, 0, 0]
                                           for i in range(81)], [Fraction(1, 81)] * 81)
    with pytest.raises(DomainError, match="enumeration steps"):
        exact_law(big, Rule.confidence(12, "0.9"))


# -- the ideal process and the rules' own guarantees --------------------------------------------------
@pytest.mark.parametrize("outcomes", TABLES, ids=["xor", "copy3", "ties", "skew", "near", "dyadic"])
def test_ideal_walk_bounds_and_identities(outcomes):
    from boundcalc.truth.adaptive import ideal_walk

    joint = table_of(outcomes)
    L = joint.length
    for spec in ("eb:0.5", "eb:0", "entropy-sum:1", "entropy-sum:3"):
        rule = parse_rule(spec, L)
        walk, law = ideal_walk(joint, rule), exact_law(joint, rule)
        assert law.kl <= walk.total_correlation + walk.abs_error  # KL(p||q) <= E_p Σ TC
        assert walk.total_correlation <= walk.entropy_excess + walk.abs_error
        bound = float(rule.threshold) * float(walk.expected_nfe)  # γ (η) per call times E_ideal[NFE]
        assert walk.entropy_excess <= bound + walk.abs_error if rule.kind == "eb" else walk.entropy_sum <= bound + 1e-12
    for spec in ("left-to-right:2", "dilated:2"):  # fixed orders: equality
        rule = parse_rule(spec, L)
        assert ideal_walk(joint, rule).total_correlation == pytest.approx(exact_law(joint, rule).kl, abs=1e-12)
    for spec in ("uniform:2", "cosine:2"):  # random positions: E Σ TC is E_M KL(p || q_M) of the profile engine
        schedule = Schedule.parse(spec, L)
        tc = ideal_walk(joint, Rule.from_schedule(schedule)).total_correlation
        assert tc == pytest.approx(exact_error(joint, schedule), abs=1e-12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables, st.sampled_from(["1/2", "2/3", "9/10", "1"]))
def test_fast_dllm_theorem_bounds_every_step_of_the_threshold_rule(weights, tau):
    from boundcalc.bounds import confidence_bound

    total = sum(weights.values())
    joint = table_of({x: Fraction(w, total) for x, w in weights.items()})
    law = exact_law(joint, Rule.confidence(joint.length, tau))
    n, V = law.meta["max_step_size"], max(joint.vocab_size, 2)
    eps = min(1 - Fraction(tau), Fraction(V - 1, V))
    if n >= 2:
        assert law.meta["max_step_tc"] <= confidence_bound(eps, n, V).value + 1e-12
