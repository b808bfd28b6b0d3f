"""Timings of the sampler engines against their baselines (not part of the test run).

    python benchmarks/bench_samplers.py

Each line: the time of the sampler engine, the time of the baseline it extends, and their ratio
(compare ratios, not absolute times: the machine is shared).

* random counts (``mdlm:T``): the exact expected error (count DP) and the expected bounds (law of
  S_max, all thresholds) against the exact error of the fixed ``uniform:T`` with the same mean;
* blocks: the blockwise exact error of a Markov chain (one profile per state and block length)
  against the chain's global entropy profile.
"""

from __future__ import annotations

import time

import numpy as np

from boundcalc.counts import parse_sampler
from boundcalc.schedule import Schedule, parse_schedule
from boundcalc.truth import MarkovChain, entropy_profile
from boundcalc.truth.samplers import block_error, count_error


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def line(label: str, engine: float, baseline: float) -> None:
    print(f"{label:<52s} {engine:8.3f} s  baseline {baseline:8.4f} s  ratio {engine / baseline:10.1f}")


def main() -> None:
    chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
    for L, T in ((256, 32), (1024, 16), (1024, 128), (1024, 1024)):
        profile = entropy_profile(chain, L)
        sampler = parse_sampler(f"mdlm:{T}", L)
        base = best(lambda: profile.error(Schedule.uniform(L, T)))
        line(f"mdlm:{T}, L={L}: expected error (count DP)", best(lambda: count_error(profile, sampler), 1), base)
        line(f"mdlm:{T}, L={L}: expected sharp (law of S_max)",
             best(lambda: sampler.expected_coefficient(lambda s: s - 1), 1), base)
    rng = np.random.default_rng(0)
    for V, L, spec in ((8, 1024, "blocks:4:uniform:64"), (64, 1024, "llada:1024:32:256")):
        P = rng.dirichlet(np.full(V, 0.3), size=V)
        markov = MarkovChain.from_matrix(list(range(V)), P)
        schedule = parse_schedule(spec, L)
        base = best(lambda: MarkovChain.from_matrix(list(range(V)), P).entropy_profile(L), 1)
        line(f"{spec}, V={V}, L={L}: blockwise error",
             best(lambda: block_error(MarkovChain.from_matrix(list(range(V)), P), schedule, L), 1), base)
    del markov


if __name__ == "__main__":
    main()
