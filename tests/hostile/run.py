"""Run every hostile case as a real `boundcalc` process with a time limit, and count the outcomes.

    python tests/hostile/run.py [--timeout 20] [--jobs 2]

A case is clean when it exits 0, or exits 1 or 2 with exactly one line on
stderr and no traceback. Prints the counts (cases, clean, tracebacks, hangs,
other) and every case that is not clean. Not part of the test suite (it
starts a process per case); tests/test_hostile.py runs the same cases in-process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import all_cases  # noqa: E402


def classify(args: list[str], timeout: float) -> tuple[str, str]:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "boundcalc", *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return "hang", ""
    err = done.stderr.strip()
    if "Traceback" in done.stderr:
        return "traceback", err.splitlines()[-1] if err else ""
    if done.returncode == 0:
        return "clean", ""
    if done.returncode in (1, 2) and len(err.splitlines()) == 1 and err.startswith("Error: "):
        return "clean", ""
    return "other", f"exit {done.returncode}: {err[:200]!r}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    cases = all_cases()
    with ThreadPoolExecutor(options.jobs) as pool:
        outcomes = list(pool.map(lambda args: classify(args, options.timeout), cases))
    counts: dict[str, int] = {}
    for args, (kind, detail) in zip(cases, outcomes):
        counts[kind] = counts.get(kind, 0) + 1
        if kind != "clean":
            print(f"{kind:10} boundcalc {' '.join(a[:60] for a in args)}  {detail}")
    print(f"cases {len(cases)}: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("clean", "traceback", "hang", "other")))


if __name__ == "__main__":
    main()
