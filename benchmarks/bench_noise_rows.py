"""The truth part of a sweep's rows of MDLM's other noises (`sweep -f mdlm:NOISE --steps 1:L`), measured.

`boundcalc.count_noise_truth.noise_rows_truth` computes every row's expected error, certified error, estimate and
interval over the completions at once (every start size from the rows' flat steps). This prints its CPU seconds
(process time: the machine is shared) for every T of a grid on the benchmark's 16-point partial curve, split into
the start sizes and the rest, with the steps summed, for the cost model (`count_rows._truth_seconds`); with
--row-by-row also the per-row path it replaced (coefficient_error, count_estimate and error_interval per row) and
the ratio. The rows are built as the sweep builds them (the family's prepare_rows, then each T's sampler), untimed.
``--steps A:B`` takes T = A..B only (a sweep on a full curve at L > 4096 sends the small T here, the others to the
T-independent forms: `--steps 1:3747` is cosine's share at L = 16384 on /tmp/full16384.csv); ``--before TREE`` runs
the same figures with another checkout's boundcalc (e.g. /tmp/before-r10) right after this tree's, and the ratio;
``--repeat`` keeps the least CPU seconds of that many runs.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_noise_rows.py [--lengths 1024] \\
        [--noises cosine cosine2 linear geometric] [--every 1] [--steps 1:L] [--repeat 1] [--before TREE]
        [--row-by-row]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from boundcalc.count_families import MDLM
from boundcalc.count_rows import row_sampler
from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile
from boundcalc.registry import SamplerSpec


def curve(length: int) -> LossCurve:
    k = [length * j // 16 for j in range(1, 17)]
    return LossCurve(length=length, masked=k, loss=[0.5 + 6.0 * x / length for x in k], exact=False)


def rows(noise: str, length: int, every: int, first: int = 1, last: int | None = None) -> list:
    family = MDLM()
    steps = list(range(first, min(length, last or length) + 1, every))
    family.prepare_rows(steps, [noise])
    template = SamplerSpec(family, ("T", noise), f"mdlm:T:{noise}")
    return [row_sampler(template, t, length) for t in steps]


def row_by_row(profile, samplers, c, vocab) -> None:
    from boundcalc.completion import error_interval
    from boundcalc.estimate import coefficient_error, count_coefficients, count_estimate

    for sampler in samplers:
        coefficient_error(profile, sampler)
        count_estimate(c, sampler, profile)
        error_interval(c, count_coefficients(sampler), vocab)


def measure(L: int, noise: str, every: int, first: int, last: int | None, repeat: int) -> tuple[int, int, float, float]:
    """(rows, steps, CPU seconds of the start sizes, of all of the truth), the least of ``repeat`` runs each."""
    from boundcalc.count_flat import flat_steps
    from boundcalc.count_noise_starts import noise_starts
    from boundcalc.count_noise_truth import noise_rows_truth

    c = curve(L)
    profile = curve_profile(c)
    samplers = rows(noise, L, every, first, last)
    starts = truth = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        per = max(1, (1 << 22) // L)  # in groups of rows as noise_rows_truth takes them
        for lo in range(0, len(samplers), per):
            noise_starts(samplers[lo : lo + per], flat_steps(samplers[lo : lo + per]))
        middle = time.process_time()
        found = noise_rows_truth(profile, samplers, c, 8)
        end = time.process_time()
        assert len(found) == len(samplers)
        starts, truth = min(starts, middle - start), min(truth, end - middle)
    return len(samplers), sum(len(s.reveal) for s in samplers), starts, truth


def before(tree: str, L: int, noise: str, args: argparse.Namespace) -> tuple[float, float]:
    """:func:`measure`'s seconds with ``tree``'s boundcalc (this script run there with --child)."""
    command = [sys.executable, __file__, "--child", "--lengths", str(L), "--noises", noise, "--every", str(args.every),
               "--steps", args.steps or "", "--repeat", str(args.repeat)]
    env = {**os.environ, "PYTHONPATH": tree, "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024])
    parser.add_argument("--noises", nargs="+", default=["cosine", "cosine2", "linear", "geometric"])
    parser.add_argument("--every", type=int, default=1, help="every k-th T (1: every T = 1..L)")
    parser.add_argument("--steps", default=None, help="A:B, the rows T = A..B only")
    parser.add_argument("--repeat", type=int, default=1, help="the least CPU seconds of this many runs")
    parser.add_argument("--before", metavar="TREE", help="also with another checkout's boundcalc, and the ratio")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--row-by-row", action="store_true", help="also the per-row path, and the ratio")
    args = parser.parse_args()
    first, last = (int(x) for x in args.steps.split(":")) if args.steps else (1, None)
    for L in args.lengths:
        for noise in args.noises:
            count, steps, starts, truth = measure(L, noise, args.every, first, last, args.repeat)
            if args.child:
                print(starts, truth)
                continue
            line = (f"L = {L:6d} mdlm:{noise:9s} {count} rows, {steps} steps: start sizes "
                    f"{starts:.3f} s, all of the truth {truth:.3f} s CPU ({truth / steps * 1e9:.0f} ns/step)")
            if args.before:
                old_starts, old_truth = before(args.before, L, noise, args)
                line += (f"; before: start sizes {old_starts:.3f} s, truth {old_truth:.3f} s "
                         f"(x{old_truth / truth:.2f})")
            if args.row_by_row:
                c = curve(L)
                samplers = rows(noise, L, args.every, first, last)
                begin = time.process_time()
                row_by_row(curve_profile(c), samplers, c, 8)
                line += f"; row by row {time.process_time() - begin:.3f} s"
            print(line, flush=True)


if __name__ == "__main__":
    main()
