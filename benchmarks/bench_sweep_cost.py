"""Issue 22: the sweep's up-front cost model (boundcalc.sweeps.sweep_cost), measured against real sweeps.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_sweep_cost.py [--lengths 2048,4096] [--repeat 2]
        [--families uniform,linear,...] [--stderr]

For each family and L, a full sweep ``--steps 1:L`` from the benchmark's 16-point partial curve
(bench_answers.write_curve; ``--stderr``: the same curve with a stderr column) is run in-process, the
library's sweep and its CSV (what ``boundcalc sweep --csv`` does after start-up), timed in CPU seconds of
this process (best of ``--repeat``: a core's time, not the wait for one on a shared machine). Printed
next to the model's estimate (boundcalc.sweeps.estimated_seconds, the number a refusal quotes) with the
ratio model / measured: above 1 the estimate is pessimistic (a refusal of work that would run), below 1
optimistic. Then the constants the measurements imply: seconds per row (from uniform, whose schedules
are O(1)), and per step of a family built from arrays (the rest of an array family's time over Σ T).
Not part of the test suite (no test asserts a time).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_answers import write_curve  # noqa: E402

FAMILIES = ("uniform", "linear", "cosine", "cosine-mdlm", "power:2", "dream", "info-optimal", "blocks:4:uniform:T")


def measure(curve_path: Path, family: str, length: int, repeat: int) -> tuple[float, float]:
    """(best CPU seconds of the sweep and its CSV, the model's estimate)."""
    from boundcalc.answers import SweepAnswer
    from boundcalc.csv_printer import to_csv
    from boundcalc.curve import load_loss_curve
    from boundcalc.sweep_truth import resolve_source
    from boundcalc.sweeps import estimated_seconds, parse_family, parse_steps, sweep

    curve = load_loss_curve(curve_path)
    _, truth, _ = resolve_source(curve, None, None, None)
    grid = parse_steps(f"1:{length}", length)
    model = estimated_seconds([parse_family(family)], grid, length, truth, False)
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        result = sweep(curve, family, f"1:{length}")
        to_csv(SweepAnswer(result, str(curve_path)))
        best = min(best, time.process_time() - start)
    return best, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="2048,4096")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--stderr", action="store_true", help="a curve with a stderr column")
    args = parser.parse_args()
    import boundcalc.sweeps as sweeps

    sweeps.MAX_SWEEP_SECONDS = float("inf")  # measure what the model would refuse too
    folder = Path(tempfile.mkdtemp(prefix="bench-sweep-cost-"))
    print("sweep --loss-curve c.csv --steps 1:L --csv, in-process CPU seconds (best of runs) vs the model")
    for length in [int(x) for x in args.lengths.split(",")]:
        path = write_curve(folder, length)
        if args.stderr:
            lines = path.read_text().splitlines()
            path.write_text("\n".join([lines[0] + ",stderr"] + [line + ",0.01" for line in lines[1:]]) + "\n")
        per_row = None
        for family in args.families.split(","):
            seconds, model = measure(path, family, length, args.repeat)
            print(f"  L = {length:6d}  {family:22s} {seconds:7.2f} s   model {model:8.2f} s   ratio {model / seconds:5.2f}")
            rows, steps = length, length * (length + 1) // 2
            if family == "uniform":
                per_row = seconds / rows
                print(f"      -> seconds per row (uniform): {per_row:.2e} (model {sweeps._SECONDS_PER_ROW:.2e})")
            elif per_row is not None and sweeps._array_family(sweeps.parse_family(family), [1], length):
                print(f"      -> seconds per array step: {(seconds - per_row * rows) / steps:.2e} "
                      f"(model {sweeps._SECONDS_PER_ARRAY_STEP:.2e})")


if __name__ == "__main__":
    main()
