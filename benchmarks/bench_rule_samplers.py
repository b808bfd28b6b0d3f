"""Calibration of the sampler engines' cost models (truth/adaptive.py, truth/chain_samplers.py).

Prints, for a few tables and chains, the estimated work, the measured seconds and their ratio
(work per second; for Monte Carlo the estimated and measured seconds), to compare with the models. Run:

    python benchmarks/bench_rule_samplers.py
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

from boundcalc.truth import JointDistribution, MarkovChain
from boundcalc.truth.adaptive import LAW_WORK_PER_SECOND, exact_law, law_cost
from boundcalc.truth.chain_samplers import mc_cost, monte_carlo
from boundcalc.truth.rules import parse_rule


def chain_table(L: int) -> JointDistribution:
    outcomes, probs = [], []
    for x in itertools.product((0, 1), repeat=L):
        p = Fraction(1, 2)
        for a, b in zip(x, x[1:]):
            p *= Fraction(1, 10) if a != b else Fraction(9, 10)
        outcomes.append(list(x))
        probs.append(p)
    return JointDistribution.from_outcomes(outcomes, probs)


def main() -> None:
    print(f"exact laws (model: {LAW_WORK_PER_SECOND:.2g} work/s)")
    for L in (5, 6, 7):
        table = chain_table(L)
        for spec in ("confidence:0.8", "low-confidence:%d" % (L // 2), "eb:0.5", "uniform:%d" % (L // 2)):
            from boundcalc.sampler_truth import as_rule

            rule = as_rule(spec, L)
            work = law_cost(table, rule)["work"]
            start = time.perf_counter()
            exact_law(table, rule)
            seconds = time.perf_counter() - start
            print(f"  L={L} {spec:18s} work {work:9.3g}  {seconds:7.3f} s  {work / seconds:9.3g} work/s")
    print("Monte Carlo (the model's seconds are an upper estimate: adaptive rules counted at L calls)")
    chain = MarkovChain(["a", "b", "c"], [["0.8", "0.1", "0.1"], ["0.2", "0.6", "0.2"], ["0.3", "0.3", "0.4"]])
    for L in (64, 256):
        for spec in ("confidence:0.7", "eb:1", "dilated:%d" % (L // 4)):
            rule = parse_rule(spec, L)
            estimate = mc_cost(chain, rule, L, 50)["seconds"]
            start = time.perf_counter()
            monte_carlo(chain, rule, L, samples=50, seed=0)
            seconds = time.perf_counter() - start
            print(f"  L={L} {spec:18s} estimated {estimate:7.3f} s  measured {seconds:7.3f} s  "
                  f"ratio {estimate / seconds:5.2f}")


if __name__ == "__main__":
    main()
