"""Samplers on Markov chains: fixed orders exactly, Monte Carlo within 4 standard errors of the exact laws."""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction

import pytest

from adaptive_reference import conditional, select
from boundcalc.errors import DomainError
from boundcalc.schedule import Schedule
from boundcalc.truth import JointDistribution, MarkovChain, exact_error
from boundcalc.truth.adaptive import exact_law
from boundcalc.truth.chain_samplers import fixed_order_kl, monte_carlo
from boundcalc.truth.rules import Rule, parse_rule

# a 3-state chain with forbidden transitions (so parallel draws can hit p = 0) and a non-stationary start
CHAIN = MarkovChain([0, 1, 2], [["0.6", "0.4", "0"], ["0", "0.3", "0.7"], ["0.5", "0", "0.5"]], ["0.7", "0.2", "0.1"])
L = 5


def table() -> JointDistribution:
    return JointDistribution.from_array(CHAIN.joint(L))


def within(estimate: tuple[float, float], exact: float, floor: float = 1e-9) -> bool:
    mean, se = estimate
    return abs(mean - exact) <= 4 * se + floor


@pytest.mark.parametrize("spec", ["confidence:0.55", "low-confidence:3", "eb:1.2", "entropy-sum:2.5", "left-to-right:2",
                                  "dilated:3"])
def test_monte_carlo_within_four_standard_errors_of_the_exact_law(spec):
    rule = parse_rule(spec, L)
    exact = exact_law(table(), rule)
    mc = monte_carlo(CHAIN, rule, L, samples=600, seed=7)
    assert within(mc.sequence_error, float(exact.sequence_error))
    assert within(mc.expected_nfe, float(exact.expected_nfe))
    if spec in ("low-confidence:3", "left-to-right:2"):
        assert exact.sequence_error > 0  # parallel draws do hit forbidden transitions here


def ideal_tc(rule: Rule) -> float:
    """E_p Σ_k TC(S_k | x_R) by enumerating x ~ p and running the rule on its true values (brute force)."""
    joint = table()
    outcomes = {tuple(int(v) for v in x): Fraction(float(p)) for x, p in zip(joint.codes, joint.probabilities)}
    total = 0.0
    for x, p in outcomes.items():
        revealed: dict[int, int] = {}
        k = 0
        while len(revealed) < L:
            masked = [i for i in range(L) if i not in revealed]
            dists = {i: conditional(outcomes, revealed, i) for i in masked}
            if rule.groups:
                S = list(rule.groups[k])
            else:
                S = select({"kind": rule.kind, "threshold": rule.threshold}, masked, dists, {}, 0)
            singles = sum(-math.fsum(float(q) * math.log(float(q)) for q in dists[i].values()) for i in S)
            joint_law = defaultdict(Fraction)
            for y, q in outcomes.items():
                if all(y[j] == v for j, v in revealed.items()):
                    joint_law[tuple(y[i] for i in S)] += q
            z = sum(joint_law.values())
            H = -math.fsum(float(q / z) * math.log(float(q / z)) for q in joint_law.values())
            total += float(p) * (singles - H)
            revealed.update({i: x[i] for i in S})
            k += 1
    return total


@pytest.mark.parametrize("spec", ["eb:1.2", "entropy-sum:2.5", "dilated:3"])
def test_total_correlation_bound_monte_carlo_and_exact(spec):
    rule = parse_rule(spec, L)
    tc = ideal_tc(rule)
    mc = monte_carlo(CHAIN, rule, L, samples=600, seed=3)
    assert mc.tc_bound is not None and within(mc.tc_bound, tc, 1e-9)
    assert exact_law(table(), rule).kl <= tc + 1e-12  # the bound holds for rules choosing from the marginals alone


def test_tc_is_not_a_bound_for_confidence_rules():
    assert monte_carlo(CHAIN, parse_rule("confidence:0.5", L), L, samples=10).tc_bound is None


@pytest.mark.parametrize("spec", ["left-to-right:2", "left-to-right:5", "dilated:2", "dilated:3", "left-to-right:2:5"])
def test_fixed_order_kl_on_the_chain_equals_the_table(spec):
    L10 = 8
    chain = MarkovChain(["a", "b"], [["0.8", "0.2"], ["0.35", "0.65"]], ["0.5", "0.5"])
    rule = parse_rule(spec.replace(":5", ":4") if spec.count(":") == 2 else spec, L10)
    exact = exact_law(JointDistribution.from_array(chain.joint(L10)), rule).kl
    kl, err = fixed_order_kl(chain, rule, L10)
    assert kl == pytest.approx(exact, abs=1e-12 + err)


def test_fixed_order_at_real_length_matches_the_block_engine():
    # left-to-right with T = L/B steps reveals each block of B at once: LLaDA's llada:L:B:L/B
    chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
    kl, err = fixed_order_kl(chain, Rule.left_to_right(512, 64), 512)
    assert kl == pytest.approx(exact_error(chain, Schedule.llada(512, 512, 8, 64), length=512), abs=1e-9 + err)
    assert kl == pytest.approx(exact_error(chain, "blocks:64:uniform:64", length=512), abs=1e-9 + err)


def test_monte_carlo_refuses_before_work():
    with pytest.raises(DomainError, match="Monte Carlo"):
        monte_carlo(CHAIN, parse_rule("eb:1", 4000), 4000, samples=10, max_seconds=0.01)
