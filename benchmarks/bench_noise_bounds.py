"""The bounds part of a sweep's MDLM other-noise rows (`sweep -f mdlm:cosine --steps 1:L`), measured.

`boundcalc.count_rows.row_bound_reports` takes these rows (not uniform grids) to
`boundcalc.count_flat_rows.flat_bound_reports`: every row's step-size cap, brackets of P(S_max > s), E c(S_max) per
bound, E S_max and E #non-empty steps at once. This prints its CPU seconds (process time: the machine is shared)
for every T = 1..L of each noise, with the entries of the binomial laws (Σ steps x (cap + 1) over the enclosed
rows), for the cost model (`count_rows.row_seconds`); `--before` also times the round-7 path
(`count_batch.batch_bound_reports`) on the same rows and prints the ratio. The rows are built first (not timed).

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_noise_bounds.py [--lengths 1024] [--noises cosine]
        [--before] [--repeat 3] [--stride 1]

At L = 16384 every T is ~1.3·10^8 steps, held as the samplers' tuples (gigabytes): `--stride 64` takes
T = 64, 128, ..., L (and T = 1..63, where the caps are widest), and prints the CPU seconds per entry and per step
with the cost model's estimate for the same rows, so the full sweep's cost is the model's sum.
"""

from __future__ import annotations

import argparse
import gc
import time
from fractions import Fraction

from boundcalc import count_rows
from boundcalc.bounds import per_realisation_bounds
from boundcalc.count_families import MDLM
from boundcalc.profile import MIProfile
from boundcalc.registry import SamplerSpec


def build_rows(noise: str, length: int, stride: int = 1) -> list:
    """The sweep's samplers for T = 1..L (what count_flow.build_count_samplers makes), or every ``stride``-th T (and
    every T below ``stride``)."""
    family = MDLM()
    steps = sorted(set(range(1, min(stride, length + 1))) | set(range(stride, length + 1, stride)))
    family.prepare_rows(steps, [noise])
    template = SamplerSpec(family, ("T", noise), f"mdlm:{noise}")
    return [count_rows.row_sampler(template, t, length) for t in steps]


def timed(run, rows: list, repeat: int) -> float:
    """The least CPU seconds of ``repeat`` runs, each on fresh caches (the caps are cached by the samplers)."""
    best = float("inf")
    for _ in range(repeat):
        for sampler in rows:
            sampler.__dict__.pop("_size_cap", None)
            sampler.__dict__.pop("_marginals", None)
            sampler.__dict__.pop("_marginal_array_cache", None)
        gc.collect()
        start = time.process_time()
        run(rows)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024])
    parser.add_argument("--noises", nargs="+", default=["cosine", "cosine2", "linear", "geometric"])
    parser.add_argument("--before", action="store_true", help="also time count_batch.batch_bound_reports")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stride", type=int, default=1)
    args = parser.parse_args()
    for length in args.lengths:
        profile = MIProfile.from_total(Fraction(37, 3), length)
        for noise in args.noises:
            rows = build_rows(noise, length, args.stride)
            new = timed(lambda r: count_rows.row_bound_reports(profile, r, Fraction(0), starts=False), rows,
                        args.repeat)
            entries = sum(len(s.reveal) * (min(s.size_cap(), length) + 1) for s in rows
                          if count_rows.law_work(s) > count_rows.EXACT_LAW_WORK)
            steps = sum(len(s.reveal) for s in rows)
            spec = SamplerSpec(MDLM(), ("T", noise), f"mdlm:{noise}")
            model = sum(count_rows.bound_seconds(spec, len(s.reveal) - 1, length) for s in rows)
            line = (f"L = {length:6d} mdlm:{noise:9s} {len(rows):5d} rows bounds {new:7.3f} s  model {model:7.3f} s  "
                    f"entries {entries:.3g} ({new / entries * 1e9:.1f} ns each)  steps {steps:.3g}")
            if args.before:
                from boundcalc.count_batch import batch_bound_reports

                def old(r: list) -> None:
                    batch_bound_reports(profile, r, Fraction(0), per_realisation_bounds(), count_rows._values,
                                        lambda s: count_rows.law_work(s) > count_rows.EXACT_LAW_WORK)

                before = timed(old, rows, args.repeat)
                line += f"  before {before:7.3f} s  ratio {new / before:.3f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
