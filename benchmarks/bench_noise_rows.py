"""The truth part of a sweep's rows of MDLM's other noises (`sweep -f mdlm:NOISE --steps 1:L`), measured.

`boundcalc.count_noise_truth.noise_rows_truth` computes every row's expected error, certified error, estimate and
interval over the completions at once (every start size from the rows' flat steps). This prints its CPU seconds
(process time: the machine is shared) for every T of a grid on the benchmark's 16-point partial curve, split into
the start sizes and the rest, with the steps summed, for the cost model (`count_rows._truth_seconds`); with
--row-by-row also the per-row path it replaced (coefficient_error, count_estimate and error_interval per row) and
the ratio. The rows are built as the sweep builds them (the family's prepare_rows, then each T's sampler), untimed.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_noise_rows.py [--lengths 1024] \\
        [--noises cosine cosine2 linear geometric] [--every 1] [--row-by-row]
"""

from __future__ import annotations

import argparse
import time

from boundcalc.count_families import MDLM
from boundcalc.count_rows import row_sampler
from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile
from boundcalc.registry import SamplerSpec


def curve(length: int) -> LossCurve:
    k = [length * j // 16 for j in range(1, 17)]
    return LossCurve(length=length, masked=k, loss=[0.5 + 6.0 * x / length for x in k], exact=False)


def rows(noise: str, length: int, every: int) -> list:
    family = MDLM()
    steps = list(range(1, length + 1, every))
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024])
    parser.add_argument("--noises", nargs="+", default=["cosine", "cosine2", "linear", "geometric"])
    parser.add_argument("--every", type=int, default=1, help="every k-th T (1: every T = 1..L)")
    parser.add_argument("--row-by-row", action="store_true", help="also the per-row path, and the ratio")
    args = parser.parse_args()
    from boundcalc.count_flat import flat_steps
    from boundcalc.count_noise_starts import noise_starts
    from boundcalc.count_noise_truth import noise_rows_truth

    for L in args.lengths:
        c = curve(L)
        profile = curve_profile(c)
        for noise in args.noises:
            samplers = rows(noise, L, args.every)
            steps = sum(len(s.reveal) for s in samplers)
            start = time.process_time()
            noise_starts(samplers, flat_steps(samplers))
            middle = time.process_time()
            found = noise_rows_truth(profile, samplers, c, 8)
            end = time.process_time()
            assert len(found) == len(samplers)
            line = (f"L = {L:6d} mdlm:{noise:9s} {len(samplers)} rows, {steps} steps: start sizes "
                    f"{middle - start:.3f} s, all of the truth {end - middle:.3f} s CPU "
                    f"({(end - middle) / steps * 1e9:.0f} ns/step)")
            if args.row_by_row:
                before = time.process_time()
                row_by_row(profile, samplers, c, 8)
                after = time.process_time()
                line += f"; row by row {after - before:.3f} s, ratio {(end - middle) / (after - before):.3f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
