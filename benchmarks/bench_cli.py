"""Command-line performance against plain-Python baselines, side by side.

    python benchmarks/bench_cli.py [--lines 1000000] [--repeat 5]

Prints, for each target of issue 2, the best-of-N wall time of boundcalc and
of its baseline, and their ratio:

* ``boundcalc steps --mi-profile`` on a million-line decimal profile, end to
  end, against ``python -c "sum(map(float, open(f)))"`` (target: <= 3x), with
  a check that boundcalc's ΣI is the exact sum of the decimals;
* ``boundcalc --help`` and ``boundcalc steps --mi-total ...`` against
  ``python -c "import click, rich.console"`` (target: <= 1.5x).

Not part of the test suite: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from _timing import best_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("boundcalc")
    boundcalc = [exe] if exe else [sys.executable, "-m", "boundcalc"]
    python = sys.executable

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mi.txt"
        rng = random.Random(2505_21400)
        digits = [f"{rng.randrange(0, 10**6) / 10**6:.6f}" for _ in range(args.lines)]
        path.write_text("\n".join(digits) + "\n")
        exact_total = sum(int(d.replace(".", "")) for d in digits)  # integer micro-units
        out = subprocess.run(
            [*boundcalc, "steps", "--mi-profile", str(path), "--target", "1000", "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        reported = Fraction(json.loads(out.stdout)["mi_total"]["exact"])
        assert reported == Fraction(exact_total, 10**6), "ΣI is not exact"

        rows = [
            (
                f"steps --mi-profile ({args.lines} lines)",
                best_time([*boundcalc, "steps", "--mi-profile", str(path), "--target", "1000"], args.repeat),
                "sum(map(float, open(f)))",
                best_time([python, "-c", f"sum(map(float, open({str(path)!r})))"], args.repeat),
                3.0,
            )
        ]
    baseline = best_time([python, "-c", "import click, rich.console"], args.repeat)
    rows.append(("--help", best_time([*boundcalc, "--help"], args.repeat), "import click, rich.console", baseline, 1.5))
    rows.append(
        (
            "steps --mi-total",
            best_time([*boundcalc, "steps", "--mi-total", "12.5", "--length", "1024", "--target", "0.05"], args.repeat),
            "import click, rich.console",
            baseline,
            1.5,
        )
    )
    print(f"{'boundcalc':42} {'time':>8}  {'baseline':28} {'time':>8}  {'ratio':>6}  target")
    for name, ours, base_name, base, target in rows:
        ratio = ours / base
        verdict = "ok" if ratio <= target else "OVER"
        print(f"{name:42} {ours:8.3f}  {base_name:28} {base:8.3f}  {ratio:6.2f}  <= {target} {verdict}")
    print("ΣI exact: yes")


if __name__ == "__main__":
    main()
