"""``boundcalc latex --all --standalone`` against ``python -c "import sympy"``.

    python benchmarks/bench_latex.py [--repeat 7]

Prints the best-of-N wall time of both, end to end in fresh processes, and
their ratio (target of issue 3: under 3x; sympy's import dominates). Also
prints the in-process cost of building every expression once (cached
afterwards) and of writing the derivation document, and checks that the
output is the complete document.

Not part of the test suite: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

from _timing import best_time

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable

    exe = shutil.which("boundcalc")
    command = [*([exe] if exe else [python, "-m", "boundcalc"]), "latex", "--all", "--standalone"]
    how = "boundcalc latex --all --standalone"

    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    assert out.startswith("\\documentclass") and out.rstrip().endswith("\\end{document}"), out[:200]

    baseline = best_time([python, "-c", "import sympy"], args.repeat)
    latex_time = best_time(command, args.repeat)
    print(f"python -c 'import sympy'          best of {args.repeat}: {baseline:.3f} s")
    print(f"{how:<33} best of {args.repeat}: {latex_time:.3f} s")
    print(f"ratio: {latex_time / baseline:.2f}x (target < 3x)")

    in_process = (
        "import time\n"
        "t0 = time.perf_counter(); import sympy; t1 = time.perf_counter()\n"
        "from boundcalc import symbolic, latex; t2 = time.perf_counter()\n"
        "symbolic.results(); t3 = time.perf_counter()\n"
        "latex.derivation_document(); t4 = time.perf_counter()\n"
        "latex.derivation_document(); t5 = time.perf_counter()\n"
        "print(f'in process: import sympy {t1 - t0:.3f} s, boundcalc.symbolic/latex {t2 - t1:.3f} s, '\n"
        "      f'build all results {t3 - t2:.3f} s, document {t4 - t3:.3f} s, again {t5 - t4:.3f} s')\n"
    )
    print(subprocess.run([python, "-c", in_process], check=True, capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
