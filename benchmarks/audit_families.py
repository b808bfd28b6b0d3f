"""Issue 22's audit: every family the registry offers x every question x L x input, with its time and outcome.

    PYTHONPATH=$PWD python benchmarks/audit_families.py [--lengths 1024,16384] [--timeout 120] [--jobs 1]
        [--only WORD ...] [--skip WORD ...] [--inputs partial,full,stderr,mi]
        [--modes error,bound,optimal,budget,sweep]

One fresh ``boundcalc`` process per case, with a time limit. A case is a family (every fixed family:
uniform, linear, power:2, dream, dream:1/100, cosine, cosine-mdlm, info-optimal, blocks:4:uniform,
blocks:4:cosine; every random-count family: mdlm and mdlm:NOISE for every noise, sedd, dream-origin,
dream-origin:1/100), a question (``steps --by error --target 1``, ``steps --by bound --target 10``,
``steps --by optimal --target 1``, ``steps --budget 256 -f F``, ``sweep --steps 1:L --csv -f F``), a length
L and an input:

* ``partial``: the benchmark's curve measured at 16 mask ratios k = jL/16 (bench_answers.write_curve);
* ``full``: the same curve measured at every k = 1..L;
* ``stderr``: the 16-point curve with a ``stderr_nats`` column;
* ``mi``: an MI profile (--mi-profile, L values; only for the bound, the budget and the sweep: the error
  questions need a curve).

``--only``/``--skip`` keep/drop the cases whose label (``L input question family``) contains every/any
word given; a word may list alternatives with commas (``--only 16384 sweep,budget mdlm,sedd``). Prints one
row per case: wall and CPU seconds (user + sys of the child, from ``os.wait4``: not inflated by waiting for
a core on a shared machine), the target (1 s at L = 1024, 10 s at L = 16384, compared with the CPU
seconds), and the outcome: ``answer`` (exit 0), ``no T`` (exit 1, a target no T reaches), ``usage`` (exit 2:
a question the family does not answer, by design), ``REFUSED`` (a cost refusal, or an answer whose T range
was not searched), ``TRACEBACK``, ``TIMEOUT``, with the last error line. At the end: the cases over their
target, refused, crashed or stopped. Not part of the test suite: no test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_answers import write_curve, write_full_curve  # noqa: E402  (the benchmark's curves, same figures)

FIXED = ("uniform", "linear", "power:2", "dream", "dream:1/100", "cosine", "cosine-mdlm", "info-optimal",
         "blocks:4:uniform", "blocks:4:cosine")
COUNTS = ("mdlm", "mdlm:loglinear", "mdlm:linear", "mdlm:cosine", "mdlm:cosine2", "mdlm:geometric", "sedd",
          "dream-origin", "dream-origin:1/100")
FAMILIES = FIXED + COUNTS
QUESTIONS = ("error", "bound", "optimal", "budget", "sweep")
INPUTS = ("partial", "full", "stderr", "mi")
BUDGET = 256
BOUND_TARGET = "10"  # by bound: a target most families reach from the benchmark curve (ΣI ≈ 5760 nats)
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def write_stderr_curve(folder: Path, length: int) -> Path:
    """The 16-point curve with a standard-error column (1% of each loss)."""
    path = folder / f"stderr{length}.csv"
    rows = ["masked,loss_nats,stderr_nats"]
    for j in range(1, 17):
        loss = 0.5 + 6 * j / 16
        rows.append(f"{j * length // 16},{loss:.6f},{loss / 100:.6f}")
    path.write_text("\n".join(rows) + "\n")
    return path


def write_profile(folder: Path, length: int) -> Path:
    """An MI profile of L values growing with the position (0.001 .. 0.011 nats), exact decimals."""
    path = folder / f"mi{length}.txt"
    path.write_text("".join(f"{(1000 + 10000 * i // length) / 10**6}\n" for i in range(length)))
    return path


def source_args(folder: Path, length: int, kind: str) -> list[str]:
    if kind == "partial":
        return ["--loss-curve", str(write_curve(folder, length))]
    if kind == "full":
        return ["--loss-curve", str(write_full_curve(folder, length))]
    if kind == "stderr":
        return ["--loss-curve", str(write_stderr_curve(folder, length))]
    return ["--mi-profile", str(write_profile(folder, length))]


def cases(folder: Path, lengths: list[int], inputs: list[str], questions: list[str]) -> list[tuple[str, list[str]]]:
    """(label, argv) of every case that asks a question the input can answer."""
    out = []
    for L in lengths:
        for kind in inputs:
            source = source_args(folder, L, kind)
            for question in questions:
                if kind == "mi" and question in ("error", "optimal"):
                    continue  # an error needs a loss curve
                if question == "optimal":  # the DP-optimal schedule: no family
                    out.append((f"{L} {kind} optimal -", ["steps", *source, "--by", "optimal", "--target", "1"]))
                    continue
                for family in FAMILIES:
                    if question in ("error", "bound"):
                        target = "1" if question == "error" else BOUND_TARGET
                        argv = ["steps", *source, "--family", family, "--by", question, "--target", target]
                    elif question == "budget":
                        argv = ["steps", *source, "--budget", str(BUDGET), "--family", family]
                    else:  # a sweep writes a blockwise family's T where it goes (blocks:4:uniform:T)
                        written = f"{family}:T" if family.startswith("blocks:") else family
                        argv = ["sweep", *source, "--steps", f"1:{L}", "--csv", "--family", written]
                    out.append((f"{L} {kind} {question} {family}", argv))
    return out


def run(argv: list[str], timeout: float) -> tuple[float, float, str, str]:
    """Wall and CPU seconds of ``boundcalc ARGV`` in a fresh process, its outcome and its last error line.

    The CPU time is the child's own (``os.wait4``), so cases run at once (--jobs) are measured apart.
    """
    env = {**os.environ, **_ONE_THREAD, "COLUMNS": "200"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "boundcalc", *argv], stdout=out, stderr=err,
                                 cwd=tempfile.gettempdir(), env=env)
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    if wall >= timeout:
        return wall, cpu, "TIMEOUT", ""
    lines = [line for line in stderr.strip().splitlines() if not line.startswith("warning:")]
    last = lines[-1] if lines else ""
    for line in (stdout + stderr).splitlines():
        if "not searched" in line:  # an answer whose T range was refused: show why
            last = line[line.index("not searched") - 8:]
    if "Traceback" in stderr:
        return wall, cpu, "TRACEBACK", last
    if child.returncode == 0:
        return wall, cpu, "answer" if "not searched" not in last else "REFUSED", last
    if "would take" in last or "refus" in last:
        return wall, cpu, "REFUSED", last
    if child.returncode == 2:
        return wall, cpu, "usage", last
    return wall, cpu, "no T" if "no T" in last else f"exit {child.returncode}", last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", default="1024,16384")
    parser.add_argument("--inputs", default=",".join(INPUTS))
    parser.add_argument("--modes", default=",".join(QUESTIONS))
    parser.add_argument("--only", nargs="*", default=[], help="keep cases whose label holds every word (a,b: either)")
    parser.add_argument("--skip", nargs="*", default=[], help="drop cases whose label holds any word")
    parser.add_argument("--timeout", type=float, default=120.0, help="wall seconds per case (a loaded machine)")
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once (CPU seconds stay per case)")
    parser.add_argument("--width", type=int, default=110, help="characters of the error line shown")
    args = parser.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine: read CPU seconds)")
    with tempfile.TemporaryDirectory() as tmp:
        chosen = [(label, argv) for label, argv in cases(Path(tmp), lengths, args.inputs.split(","),
                                                         args.modes.split(","))
                  if all(any(alt in label for alt in word.split(",")) for word in args.only)
                  and not any(w in label for w in args.skip)]
        print(f"{'L':>5} {'input':<7} {'question':<8} {'family':<19} {'wall':>7} {'cpu':>7} {'target':>6}  outcome")
        flagged = []

        def one(case: tuple[str, list[str]]) -> str:
            label, argv = case
            wall, cpu, outcome, last = run(argv, args.timeout)
            L, kind, question, family = label.split()
            target = 1.0 if int(L) <= 1024 else 10.0
            slow = "" if cpu <= target else " SLOW"
            row = (f"{L:>5} {kind:<7} {question:<8} {family:<19} {wall:7.2f} {cpu:7.2f} {target:6.0f}  "
                   f"{outcome}{slow}  {last[:args.width]}").rstrip()
            if slow or outcome in ("REFUSED", "TRACEBACK", "TIMEOUT") or outcome.startswith("exit"):
                flagged.append(row)
            return row

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for row in pool.map(one, chosen):
                print(row, flush=True)
    print(f"\n{len(flagged)} of {len(chosen)} cases over their target (CPU), refused, crashed or stopped:")
    for row in flagged:
        print(row)


if __name__ == "__main__":
    main()
