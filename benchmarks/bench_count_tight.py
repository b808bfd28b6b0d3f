"""The cost of one T's tight value (boundcalc.count_tight.tight_error) against its up-front estimates.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_count_tight.py [--lengths 1024,4096,16384]

For each L and family, at T = 3L (the answers' region at target 1 on the benchmark's curve measured at every k),
prints the CPU seconds of the sampler's build (count_completion.range_sampler) and of tight_error, the window
entries, the measured µs per entry, and the two estimates: tight_cost_us (from the sampler's r_k) and
tight_cost_bound (from T and L alone, what the search charges before building anything). Each estimate should be
at or above the measured time (ratio measured / estimate <= 1). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", default="1024,4096,16384")
    parser.add_argument("--families", default="mdlm,mdlm:cosine2,mdlm:geometric,dream-origin")
    args = parser.parse_args()
    from boundcalc.count_completion import range_sampler
    from boundcalc.count_tight import _spread, tight_cost_bound, tight_cost_us, tight_error
    from boundcalc.curve import LossCurve
    from boundcalc.estimate import curve_profile
    from boundcalc.step_families import searched_family

    print("L      family           T       build s  tight s  entries    µs/entry  /cost_us  /cost_bound")
    for L in (int(x) for x in args.lengths.split(",")):
        curve = LossCurve(length=L, masked=list(range(1, L + 1)),
                          loss=[round(0.5 + 6 * k / L, 6) for k in range(1, L + 1)])
        profile = curve_profile(curve)
        for family in args.families.split(","):
            T = 3 * L
            started = time.process_time()
            sampler = range_sampler(searched_family(family), T, L)
            before, alive, _ = sampler._start_laws()
            built = time.process_time() - started
            started = time.process_time()
            tight_error(profile, sampler)
            used = time.process_time() - started
            n = L - 1
            entries = float(np.minimum(n + 1, 2 * _spread(np.sqrt(n * before * alive)) + 1).sum())
            print(f"{L:<6} {family:<16} {T:<7} {built:7.2f}  {used:7.2f}  {entries:9.3g}  {used / entries * 1e6:8.4f}"
                  f"  {used / (tight_cost_us(sampler) / 1e6):8.2f}  {(built + used) / (tight_cost_bound(T, L) / 1e6):8.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
