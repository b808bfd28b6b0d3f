"""MDLM's other noises: building the step probabilities of a sweep's rows (boundcalc.noise_steps), measured.

For each noise, the CPU seconds to build p_k and 1 − p_k of every T = 1..L (a `sweep --steps 1:L` row set) in one
batch (``noise_steps.prepare``), the same one T at a time (``CountSampler.mdlm``, what `steps` does), how many
steps each pass settled in the batch (long double along progressions, double-double, mpmath), and with ``--before OLD_TREE`` the per-T build of
that tree (before round 7: long double, then mpmath for every open step) run in a child process, and the ratio.

    PYTHONPATH=$PWD python benchmarks/bench_noise_steps.py [--length 1024] [--before /tmp/before-r7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

NOISES = ("cosine", "cosine2", "linear", "geometric")
_PER_T = ("import sys, time\nfrom boundcalc.count_sampler import CountSampler\n"
          "noise, L = sys.argv[1], int(sys.argv[2])\nCountSampler.mdlm(8, 3, noise)\n"
          "start = time.process_time()\nfor T in range(1, L + 1):\n    CountSampler.mdlm(8, T, noise)\n"
          "print(time.process_time() - start)\n")


def passes(noise: str, length: int) -> tuple[int, int, int]:
    """(steps, open after long double, open after double-double) for T = 1..length in one batch (as a sweep's
    prepare: pass 1 along progressions)."""
    import numpy as np

    from boundcalc import noise_steps

    grid = noise_steps._Steps(list(range(1, length + 1)))
    with np.errstate(all="ignore"):
        p, q, bound_p, bound_q = noise_steps._LONG[noise](grid)
    shut = noise_steps._settled_long(p, bound_p)[1] & noise_steps._settled_long(q, bound_q)[1]
    where = np.flatnonzero(~shut)
    dp, dq = noise_steps.double_steps(noise, grid.T[grid.lane[where]], grid.k[where])
    left = int((~(noise_steps.dd_rounds(dp) & noise_steps.dd_rounds(dq))).sum())
    return p.size, where.size, left


def before_seconds(tree: str, noise: str, length: int) -> float:
    env = dict(os.environ, PYTHONPATH=tree, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", _PER_T, noise, str(length)], env=env, capture_output=True,
                         text=True, check=True, cwd="/")
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--length", type=int, default=1024)
    parser.add_argument("--before", default=None)
    args = parser.parse_args()
    from boundcalc import noise_steps
    from boundcalc.count_sampler import CountSampler

    L = args.length
    noise_steps.prepare("cosine", [3])  # imports and first calls outside the timings
    print(f"T = 1..{L}; CPU seconds")
    print(f"{'noise':<10}{'steps':>10}{'open (ld)':>11}{'open (dd)':>11}{'batch':>8}{'per T':>8}"
          + (f"{'before':>9}{'ratio':>7}" if args.before else ""))
    for noise in NOISES:
        start = time.process_time()
        noise_steps.prepare(noise, range(1, L + 1))
        batch = time.process_time() - start
        noise_steps.prepare(noise, [])
        start = time.process_time()
        for T in range(1, L + 1):
            CountSampler.mdlm(8, T, noise)
        single = time.process_time() - start
        total, opened, left = passes(noise, L)
        line = f"{noise:<10}{total:>10}{opened:>11}{left:>11}{batch:>8.3f}{single:>8.3f}"
        if args.before:
            old = before_seconds(args.before, noise, L)
            line += f"{old:>9.2f}{batch / old:>7.3f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
