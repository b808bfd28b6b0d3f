"""Seconds of :func:`boundcalc.count_noise_edges.edge_starts` on a sweep's edge windows: every T of a range at one L,
the first cells [0, M) (cosine, cosine2, geometric) or the last [L − M, L) (linear).

    PYTHONPATH=. OPENBLAS_NUM_THREADS=1 python benchmarks/bench_noise_edges.py --length 16384 --steps 1000:16384 --cells 300
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from boundcalc.count_noise_edges import edge_starts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=16384)
    parser.add_argument("--steps", default="1000:16384", help="first:last T (inclusive)")
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument("--noises", default="cosine,linear,cosine2,geometric")
    parser.add_argument("--rows", type=int, default=4096, help="rows per call (a sweep's chunk)")
    args = parser.parse_args()
    first, last = (int(x) for x in args.steps.split(":"))
    Ts = np.arange(first, last + 1, dtype=np.int64)
    L, M = args.length, args.cells
    for noise in args.noises.split(","):
        lo, hi = (L - M, L) if noise == "linear" else (0, M)
        wall, cpu = time.perf_counter(), time.process_time()
        worst = 0.0
        for cut in range(0, Ts.size, args.rows):
            _, error = edge_starts(noise, L, Ts[cut:cut + args.rows], lo, hi)
            worst = max(worst, float(error.max()))
        print(f"{noise:9s} L={L} T={first}..{last} [{lo}, {hi}): {time.perf_counter() - wall:.3f} s wall, "
              f"{time.process_time() - cpu:.3f} s CPU, largest error {worst:.3g}")


if __name__ == "__main__":
    main()
