"""MDLM's other noises: building the step probabilities of a sweep's rows (boundcalc.noise_steps), measured.

For each noise, the CPU seconds to build p_k and 1 − p_k of every T = 1..L (a `sweep --steps 1:L` row set) in one
batch (``noise_steps.prepare``, the least of ``--repeat`` runs), the same one T at a time (``CountSampler.mdlm``,
what `steps` does), how many steps each pass left open in the batch (long double along progressions, then
double-double), the batch's cost per step, and with ``--before OLD_TREE`` that tree's batch (the same least of
``--repeat``) run in a child process, and the ratio. ``--per-t`` off skips the one-T-at-a-time column. The batch
prepares chunks of T of at most ``--chunk`` steps (2^22), releasing each before the next, as a chunked sweep does;
at L = 16384 (1.3·10^8 steps) the open counts are not taken (-1).

    PYTHONPATH=$PWD python benchmarks/bench_noise_steps.py [--length 1024] [--before /tmp/before-r9]
    PYTHONPATH=$PWD python benchmarks/bench_noise_steps.py --length 16384 --repeat 1 --per-t off [--before ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

NOISES = ("cosine", "cosine2", "linear", "geometric")
_BATCH = """
import sys, time
from boundcalc import noise_steps
noise, L, repeat, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
noise_steps.prepare('cosine', [3])
groups, group = [], []
for T in range(1, L + 1):  # chunks of T of at most `chunk` steps, as a chunked sweep prepares them
    if group and sum(group) + T > chunk:
        groups.append(group)
        group = []
    group.append(T)
groups.append(group)
release = getattr(noise_steps, 'release', lambda noise: noise_steps._PREPARED.pop(noise, None))  # older trees
best = None
for _ in range(repeat):
    start = time.process_time()
    for group in groups:
        release(noise)
        noise_steps.prepare(noise, group)
    spent = time.process_time() - start
    best = spent if best is None else min(best, spent)
print(best)
"""


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


def batch_seconds(tree: str, noise: str, length: int, repeat: int, chunk: int) -> float:
    """The least CPU seconds of ``repeat`` batches of T = 1..length (in chunks of T of at most ``chunk`` steps)
    in a child process on ``tree``."""
    env = dict(os.environ, PYTHONPATH=tree, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", _BATCH, noise, str(length), str(repeat), str(chunk)], env=env,
                         capture_output=True, text=True, check=True, cwd="/")
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--length", type=int, default=1024)
    parser.add_argument("--before", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-t", choices=("on", "off"), default="on")
    parser.add_argument("--chunk", type=int, default=1 << 22, help="steps per prepare call (a chunked sweep's)")
    args = parser.parse_args()
    from boundcalc.count_sampler import CountSampler

    L = args.length
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print(f"T = 1..{L}; CPU seconds (batch: least of {args.repeat})")
    print(f"{'noise':<10}{'steps':>10}{'open (ld)':>11}{'open (dd)':>11}{'batch':>8}{'us/step':>8}"
          + (f"{'per T':>8}" if args.per_t == "on" else "") + (f"{'before':>9}{'ratio':>7}" if args.before else ""))
    for noise in NOISES:
        batch = batch_seconds(here, noise, L, args.repeat, args.chunk)
        total, opened, left = passes(noise, L) if L <= 4096 else (L * (L + 1) // 2, -1, -1)  # -1: not counted
        line = f"{noise:<10}{total:>10}{opened:>11}{left:>11}{batch:>8.3f}{batch / total * 1e6:>8.3f}"
        if args.per_t == "on":
            start = time.process_time()
            for T in range(1, L + 1):
                CountSampler.mdlm(8, T, noise)
            line += f"{time.process_time() - start:>8.3f}"
        if args.before:
            old = batch_seconds(args.before, noise, L, args.repeat, args.chunk)
            line += f"{old:>9.3f}{batch / old:>7.3f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
