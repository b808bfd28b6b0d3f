"""The stepless engines of a sweep's MDLM other-noise rows, measured against the step-summing ones.

For every T = 1..L of `mdlm:T:NOISE` (`sweep -f mdlm:NOISE --steps 1:L`): CPU seconds (process time: the machine is
shared) of

* the bounds by bins of steps (`count_noise_bins.noise_bin_bounds`, every row it takes) against the flat rows'
  laws of single steps (`count_rows.row_bound_reports`, which need the steps built first: not timed);
* the expected errors from T-independent forms (`count_noise_completions.completed_rows_truth`, with the interval over
  the benchmark's 16-point curve) against the start sizes' batch (`count_noise_truth.noise_rows_truth`).

The step-summing engines run on every ``--stride``-th T only (their cost grows like Σ T·cap and Σ T·√L: at L = 16384
every T would take minutes), and their seconds are scaled to every T by the rows' steps (printed as "~"). The new
engines' certified widths are printed too (the largest relative width of E c(S_max) for theorem1, and the fraction of
rows whose expected error is certified within 10^-4 relative).

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_noise_math.py [--lengths 1024 16384]
        [--noises cosine linear] [--stride 64] [--curve /tmp/curve{L}.csv]

``--bins-only`` times the bins alone (every T, the least of ``--repeat`` runs), and with ``--before TREE`` the same
with another checkout's boundcalc (e.g. /tmp/before-r10) right after, and checks that both give the same floats; it
prints the entries of the bins' bounds computed (bins x sizes; round 12 skips the saturated sizes).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np

from boundcalc import count_rows
from boundcalc.bounds import per_realisation_bounds
from boundcalc.count_families import MDLM
from boundcalc.count_grid_rows import CoefficientSteps
from boundcalc.count_noise_bins import noise_bin_bounds
from boundcalc.count_noise_completions import completed_rows_truth
from boundcalc.count_noise_truth import noise_rows_truth
from boundcalc.curve import load_loss_curve
from boundcalc.estimate import curve_profile
from boundcalc.registry import SamplerSpec


class _Row:
    """What the stepless engines read of a sampler: its name, T and L."""

    family = "mdlm"

    def __init__(self, noise: str, steps: int, length: int) -> None:
        self.name, self.steps, self.length = f"mdlm:{steps}:{noise}", steps, length


def _cpu(run) -> tuple[float, object]:
    gc.collect()
    start = time.process_time()
    out = run()
    return time.process_time() - start, out


def _built(noise: str, length: int, steps: list[int]) -> list:
    family = MDLM()
    family.prepare_rows(steps, [noise])
    template = SamplerSpec(family, ("T", noise), f"mdlm:{noise}")
    return [count_rows.row_sampler(template, t, length) for t in steps]


def bins_seconds(noise: str, length: int, repeat: int) -> tuple[float, str, int]:
    """(the least CPU seconds of ``repeat`` runs of the bins over every T, a digest of their floats, the entries of
    the bins' bounds computed in a run: bins x sizes s of each _bin_bounds call, from its first s, round 12)."""
    from boundcalc import count_noise_bins

    names = per_realisation_bounds()
    coefficients = CoefficientSteps([count_rows._values(n, length) for n in names] + [count_rows._values("", length)])
    every = list(range(1, length + 1))
    best, found = float("inf"), None
    for _ in range(repeat):
        seconds, found = _cpu(lambda: noise_bin_bounds(noise, length, every, coefficients))
        best = min(best, seconds)
    entries, bounds = [0], count_noise_bins._bin_bounds

    def counted(length: int, bins: object, index: np.ndarray, top: int, *rest: object, **named: object) -> object:
        start = int(rest[2]) if len(rest) > 2 else int(named.get("start", 1))  # type: ignore[call-overload]
        entries[0] += index.size * (top - start)
        return bounds(length, bins, index, top, *rest, **named)

    count_noise_bins._bin_bounds = counted  # type: ignore[assignment]
    try:
        noise_bin_bounds(noise, length, every, coefficients)
    finally:
        count_noise_bins._bin_bounds = bounds
    digest = hashlib.sha256(b"".join(np.ascontiguousarray(getattr(found, f)).tobytes()
                                     for f in ("taken", "values", "errors", "nonempty", "nonempty_error", "caps")))
    return best, digest.hexdigest()[:12], entries[0]


def bins_only(args: argparse.Namespace) -> None:
    for L in args.lengths:
        for noise in args.noises:
            seconds, digest, entries = bins_seconds(noise, L, args.repeat)
            if args.child:
                print(seconds, digest, entries)
                continue
            line = f"L = {L:5d} mdlm:{noise:9s} bins, every T: {seconds:6.2f} s, {entries:.3g} entries"
            if args.before:
                command = [sys.executable, __file__, "--bins-only", "--child", "--lengths", str(L), "--noises", noise,
                           "--repeat", str(args.repeat)]
                env = {**os.environ, "PYTHONPATH": args.before, "OPENBLAS_NUM_THREADS": "1"}
                old, old_digest, old_entries = subprocess.run(command, env=env, capture_output=True, text=True,
                                                              check=True).stdout.split()[-3:]
                line += (f"   before {float(old):6.2f} s (x{float(old) / seconds:.2f}), {float(old_entries):.3g} entries, "
                         f"{'the same floats' if old_digest == digest else 'DIFFERENT floats'}")
            print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024])
    parser.add_argument("--noises", nargs="+", default=["cosine", "cosine2", "linear", "geometric"])
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--curve", default="/tmp/curve{L}.csv")
    parser.add_argument("--bins-only", action="store_true", help="the bins alone (with --before: against TREE)")
    parser.add_argument("--before", metavar="TREE", help="with --bins-only: also another checkout's boundcalc")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bins_only:
        bins_only(args)
        return
    names = per_realisation_bounds()
    for L in args.lengths:
        curve = load_loss_curve(args.curve.format(L=L), L)
        profile = curve_profile(curve)
        coefficients = CoefficientSteps([count_rows._values(n, L) for n in names] + [count_rows._values("", L)])
        every = list(range(1, L + 1))
        sample = every[args.stride - 1 :: args.stride]
        share = sum(every) / sum(sample)
        for noise in args.noises:
            bins_s, found = _cpu(lambda: noise_bin_bounds(noise, L, every, coefficients))
            taken = found.taken
            width = float(np.max(found.errors[taken, 0] / found.values[taken, 0]))
            rows = [_Row(noise, T, L) for T in every]
            truth_s, truth = _cpu(lambda: completed_rows_truth(profile, rows, curve))
            fine = np.mean([truth[id(r)].error <= 1e-4 * abs(truth[id(r)].value) for r in rows])
            built = _built(noise, L, sample)
            old_bounds, _ = _cpu(lambda: count_rows.row_bound_reports(profile, built, Fraction(0), starts=False))
            old_truth, _ = _cpu(lambda: noise_rows_truth(profile, built, curve))
            mark = "~" if args.stride > 1 else " "
            print(f"L = {L:5d} mdlm:{noise:9s} bounds: bins {bins_s:6.2f} s, flat rows {mark}{old_bounds * share:7.2f} s "
                  f"(x{old_bounds * share / bins_s:5.1f}), widest theorem1 {width:.1e}, rows taken {int(taken.sum())}/{L} | "
                  f"truth: forms {truth_s:5.2f} s, start sizes {mark}{old_truth * share:7.2f} s "
                  f"(x{old_truth * share / truth_s:5.1f}), rows within 1e-4: {fine:.0%}")


if __name__ == "__main__":
    main()
