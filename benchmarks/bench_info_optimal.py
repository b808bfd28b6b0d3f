"""Issue 22: the parts of ``sweep --loss-curve C --steps 1:L -f info-optimal`` in CPU seconds, per tree.

    PYTHONPATH=$PWD python benchmarks/bench_info_optimal.py [--lengths 1024,16384] [--repeat 3]
        [--before OLD_TREE]

For each L and each curve (16 measured points, k = jL/16, and every k; the curves of bench_answers.py), in a
fresh process per tree (this one, then ``--before``'s, e.g. /tmp/before-r11: the same load for both), the
process CPU time (best of ``--repeat``) of:

* ``schedules``: every T's info-optimal starts and sizes as step chunks (boundcalc.info_optimal_arrays'
  chunks: the T scans' kernel), nothing else;
* ``sums``: the sweep's sums over those chunks' steps (boundcalc.sweep_steps.chunk_columns: errors on the
  linear and cubic profiles, the intervals over the completions);
* ``sweep``: the whole library sweep (``boundcalc.sweep``, rows and bounds; no CSV: see bench_answers.py
  for the CLI figure with its rendering).

Not part of the test suite: timings depend on the machine; compare the two trees' figures side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, sys, time
import numpy as np
from boundcalc.curve import load_loss_curve

path, repeat = sys.argv[1], int(sys.argv[2])
curve = load_loss_curve(path)
L = curve.length
steps = list(range(1, L + 1))
d = curve.conditional("linear")


def best(run):
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def schedules():
    from boundcalc.info_optimal_arrays import info_optimal_chunks
    for _ in info_optimal_chunks(d, steps):
        pass


def sums():
    from boundcalc.completion import has_gaps
    from boundcalc.estimate import curve_profile
    from boundcalc.info_optimal_arrays import info_optimal_chunks
    from boundcalc.schedule_arrays import chunk_schedules
    from boundcalc.sweep_steps import chunk_columns
    from boundcalc.sweep_vector import CurveRows
    rows = CurveRows(d, curve_profile(curve, "pchip").conditional, curve if has_gaps(curve) else None, None)
    for chunk in info_optimal_chunks(d, steps):
        chunk_columns(rows, chunk, [None] * chunk.rows, [lambda s: 0.0] * 3)


def whole():
    from boundcalc.sweeps import sweep
    sweep(curve, ["info-optimal"], f"1:{L}")


print(json.dumps({"schedules": best(schedules), "sums": best(sums) - best(schedules), "sweep": best(whole)}))
"""


def write_curves(folder: Path, length: int) -> list[Path]:
    partial = folder / f"curve{length}.csv"
    partial.write_text("masked,loss_nats\n" + "".join(
        f"{j * length // 16},{0.5 + 6 * j / 16:.6f}\n" for j in range(1, 17)))
    full = folder / f"full{length}.csv"
    full.write_text("masked,loss_nats\n" + "".join(f"{k},{0.5 + 6 * k / length:.6f}\n" for k in range(1, length + 1)))
    return [partial, full]


def measure(tree: str, path: Path, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=tree, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    found = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(repeat)], env=env, capture_output=True,
                           text=True, cwd=tempfile.gettempdir(), check=True)
    return json.loads(found.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="1024,16384")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default=None, help="another tree (e.g. main before a change) to measure too")
    args = parser.parse_args()
    here = str(Path(__file__).resolve().parent.parent)
    trees = [("this", here)] + ([("before", str(Path(args.before).resolve()))] if args.before else [])
    with tempfile.TemporaryDirectory() as folder:
        for length in [int(x) for x in args.lengths.split(",")]:
            for path in write_curves(Path(folder), length):
                for name, tree in trees:
                    found = measure(tree, path, args.repeat)
                    parts = "  ".join(f"{k} {v:6.2f} s" for k, v in found.items())
                    print(f"L = {length:6d} {path.stem:9s} {name:6s} {parts}", flush=True)


if __name__ == "__main__":
    main()
