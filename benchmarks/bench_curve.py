"""Loss-curve answers: the cost model of `steps --family` scans, and the work of each answer.

Prints, per family, the measured microseconds to build one step of a T-step schedule (T = 64..512,
L = 1024) next to the registry's step_cost_us (the exact builders' cost, used where boundcalc.family_sizes does not apply), and the ratio
measured / model (a ratio far above 1 means the up-front estimate is too optimistic). Then the time
of each curve answer at L = 1024 and 4096 relative to reading the curve.

    python benchmarks/bench_curve.py
"""

from __future__ import annotations

import time

import numpy as np

from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_quantities, estimate_error, info_optimal_schedule
from boundcalc.family_steps import required_steps_family
from boundcalc.registry import family as registered
from boundcalc.step_families import family_schedule


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def family_costs(length: int = 1024) -> None:
    print(f"schedule construction, L = {length}: microseconds per step (T = 64, 128, 256, 512)")
    print(f"{'family':<14}{'measured':>10}{'model':>8}{'ratio':>8}")
    steps = (64, 128, 256, 512)
    for family in ("uniform", "linear", "power:2", "dream", "cosine", "cosine-mdlm"):
        seconds = best(lambda: [family_schedule(family, T, length) for T in steps], repeat=2)
        per_step = seconds / sum(steps) * 1e6
        model = registered(family.split(":")[0]).step_cost_us  # the exact builders' cost in the registry
        print(f"{family:<14}{per_step:>10.2f}{model:>8.1f}{per_step / model:>8.2f}")


def answers(length: int) -> None:
    d = np.sort(np.random.default_rng(0).random(length))[::-1] * 0.7
    ks = sorted({1, *np.geomspace(1, length, 20).astype(int).tolist(), length})
    def read():
        return LossCurve(length=length, masked=ks, loss=[d[length - k] for k in ks], stderr=[0.01] * len(ks))
    curve = read()
    base = best(read)
    rows = {
        "estimate_error uniform:64": lambda: estimate_error(curve, "uniform:64"),
        "curve_quantities": lambda: curve_quantities(curve, 64),
        "info_optimal_schedule T=64": lambda: info_optimal_schedule(curve, 64),
        "steps --by error linear": lambda: required_steps_family(["1"], family="linear", by="error",
                                                                length=length, curve=curve),
    }
    print(f"L = {length}, {len(ks)} points: time relative to building the curve ({base * 1e3:.2f} ms)")
    for name, fn in rows.items():
        print(f"  {name:<28}{best(fn, 1 if name.startswith('steps') else 3) / base:>10.1f}x")


if __name__ == "__main__":
    family_costs()
    for L in (1024, 4096):
        answers(L)
