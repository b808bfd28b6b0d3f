"""Timings of the ground-truth engines (not part of the test run).

    python benchmarks/bench_truth.py

Prints seconds for: the joint engine at L = 16, V = 2 (dense) and a sparse
table; the Markov engine at L = 1024 and 4096 (V = 8) with a uniform 64-step
schedule; the per-token F_i(m) for one m; the optimal schedule DP; and the
float64-vs-80-bit precision of d(m).
"""

from __future__ import annotations

import time

import numpy as np

from boundcalc.schedule import Schedule
from boundcalc.truth import JointDistribution, MarkovChain


def timed(label: str, fn):
    start = time.perf_counter()
    out = fn()
    print(f"{label:<58s} {time.perf_counter() - start:8.3f} s")
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    table = rng.dirichlet(np.full(2**16, 0.5)).reshape((2,) * 16)
    joint = JointDistribution.from_array(table, normalize=True)
    profile = timed("joint dense L=16 V=2: all 2^16 marginal entropies", joint.entropy_profile)
    timed("  + error of every uniform:T, T = 1..16", lambda: [profile.error(Schedule.uniform(16, T)) for T in range(1, 17)])
    timed("  + token MI F_i(m) for all m", lambda: [joint.token_mi(m) for m in range(16)])

    codes = np.unique(rng.integers(0, 50, size=(1000, 14)), axis=0)
    sparse = JointDistribution(codes, rng.dirichlet(np.ones(len(codes))), list(range(50)))
    timed(f"joint sparse L=14 V=50 N={len(codes)}", sparse.entropy_profile)

    for V, L in ((8, 1024), (8, 4096), (64, 1024)):
        chain = MarkovChain.from_matrix(list(range(V)), rng.dirichlet(np.ones(V), size=V))
        p = timed(f"markov V={V} L={L}: entropy profile d(0..L-1)", lambda: chain.entropy_profile(L))
        timed("  + exact error uniform:64", lambda: p.error(Schedule.uniform(L, 64)))
        timed("  + MI profile I_i", lambda: chain.token_mi(None, L))
        timed("  + per-token F_i(m), m = L/2", lambda: chain.token_mi(L // 2, L))
        if L <= 1024:
            timed("  + optimal 64-step schedule (DP)", lambda: p.optimal_schedule(64))
    chain = MarkovChain.from_matrix(list(range(5)), rng.dirichlet(np.full(5, 0.3), size=5))
    L = 2048
    d64 = chain._conditional(L)
    dld = chain._conditional(L, np.longdouble)
    print(f"markov V=5 L={L}: max |d64 - d80| = {np.max(np.abs(d64 - dld.astype(float))):.2e}, "
          f"stated bound {chain._abs_error(L):.2e}")


if __name__ == "__main__":
    main()
