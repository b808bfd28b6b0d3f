"""The truth part of a count sweep's uniform-grid rows (`sweep -f mdlm|sedd|dream-origin --steps 1:L`), measured.

`boundcalc.count_grid_truth.grid_rows_truth` computes every row's expected error, certified error, estimate and
interval over the completions at once, from each row's grid alone (`count_starts.uniform_grid`). This prints its
CPU seconds (process time: the machine is shared) for every T = 1..L of a family at L = 1024 and L = 16384 on the
benchmark's 16-point partial curve, with the number of terms summed and the seconds per row, for the cost model
(`count_rows.row_seconds`). The rows are the grid's integers (a stand-in with the lazy sampler's interface: the
length, len(reveal), reveal[-1] and notes["grid"]), so the measurement does not build T-length tuples.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_grid_rows.py [--lengths 1024 16384] [--family mdlm]
        [--before OLD_TREE] [--repeat N]

Round 11: the zones' start sizes by both routes (the exps', and the factored one taken from L = 4097) and the truth
chunk by chunk as the sweep runs it (count_grid_truth.grid_rows_truth), the least of ``--repeat`` runs; with
``--before`` the same script runs once more in a fresh process on OLD_TREE (PYTHONPATH=OLD_TREE; an older tree's
grid_starts without the ``factored`` argument times its one route) for an A/B on the same machine state.
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

from boundcalc.count_sampler import _log_factorials
from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile


class _Steps:
    """reveal of a grid row: its length and its last entry (1) only."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> float:
        return 1.0 if index in (-1, self.count - 1) else float("nan")


class GridRow:
    """A uniform-grid row as count_starts.uniform_grid reads it: (a, total) with h = a/total, n steps, then the last."""

    exact = None

    def __init__(self, length: int, steps: int, rest: Fraction, shorter: int) -> None:
        self.length = length
        self.reveal = _Steps(steps - shorter + 1)
        self.notes = {"grid": (rest.numerator, rest.denominator * steps)}

    def _log_factorials(self):
        return _log_factorials(self.length)


def rows(family: str, length: int) -> list[GridRow]:
    rest, shorter = (Fraction(99999, 100000), 0) if family in ("mdlm", "sedd") else (Fraction(999, 1000), 1)
    return [GridRow(length, t, rest, shorter) for t in range(1 + shorter, length + 1)]


def curve(length: int) -> LossCurve:
    k = [length * j // 16 for j in range(1, 17)]
    return LossCurve(length=length, masked=k, loss=[0.5 + 6.0 * x / length for x in k], exact=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024, 16384])
    parser.add_argument("--family", default="mdlm", choices=["mdlm", "sedd", "dream-origin"])
    parser.add_argument("--before", default=None, help="an older tree, timed the same way in a fresh process")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    import inspect

    from boundcalc.count_grid_starts import grid_starts
    from boundcalc.count_grid_truth import grid_rows_truth

    routes = {"exps": False, "factored": True} if "factored" in inspect.signature(grid_starts).parameters else {"": None}
    for L in args.lengths:
        c = curve(L)
        profile = curve_profile(c)
        samplers = rows(args.family, L)
        grid_starts(samplers[:4])  # imports and tables out of the timing
        times: dict[str, float] = {}
        for _ in range(args.repeat):
            for name, factored in routes.items():
                start = time.process_time()
                found = grid_starts(samplers) if factored is None else grid_starts(samplers, factored=factored)
                times[name] = min(times.get(name, 1e9), time.process_time() - start)
                assert found is not None
                del found
            start = time.process_time()
            grid_rows_truth(profile, samplers, c, 8)
            times["truth"] = min(times.get("truth", 1e9), time.process_time() - start)
        starts = ", ".join(f"{name or 'one route'} {t:.2f} s" for name, t in times.items() if name != "truth")
        print(f"L = {L:6d} {args.family}: {len(samplers)} rows; zones' start sizes {starts}; all of the truth (zones "
              f"included, by default route) {times['truth']:.2f} s CPU ({times['truth'] / len(samplers) * 1e6:.0f} µs/row)")
    if args.before:
        import os
        import subprocess
        import sys

        here = os.path.abspath(__file__)
        command = [sys.executable, here, "--lengths", *map(str, args.lengths), "--family", args.family, "--repeat",
                   str(args.repeat)]
        env = dict(os.environ, PYTHONPATH=os.path.abspath(args.before))
        print(f"before ({args.before}):", flush=True)
        subprocess.run(command, env=env, check=True)


if __name__ == "__main__":
    main()
