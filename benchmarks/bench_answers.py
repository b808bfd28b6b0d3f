"""Issue 22: "which T, for my curve and my sampler?" -- every figure of the issue, in seconds or as a ratio.

    PYTHONPATH=$PWD python benchmarks/bench_answers.py [--lengths 1024,16384] [--values 4000000]
        [--repeat 3] [--timeout 120] [--only steps|sweep|plot|readers|model ...] [--before OLD_TREE]

Run it with the tree to measure first on the path; ``--before OLD_TREE`` (e.g. ``git archive`` of
main before a change, unpacked) runs every CLI figure there too, right after this tree's, so both
see the same load of a shared machine. Every measurement is a fresh process, best of ``--repeat``
(the least disturbed by other work), with a time limit: wall seconds and the child's CPU seconds
(user + sys: not inflated by waiting for a core). Prints:

* ``steps --loss-curve c.csv --family F --by error|bound --target 1`` for every T-parametrised
  family at each L (a curve measured at 16 mask ratios k = jL/16), seconds or what happened
  (a refusal prints its first words). Target: <= 1 s at L = 1024, <= 10 s at L = 16384;
* ``steps --loss-curve full.csv --family mdlm|dream-origin --by error --target 1`` from the same curve measured
  at every k (no interval over completions, no T range): the search and the value alone;
* ``steps --loss-curve c.csv --by optimal --target 1`` (the DP-optimal schedule) and ``--family blocks:4:cosine
  --by bound`` at each L;
* ``sweep --loss-curve c.csv --steps 1:L --csv`` per family (uniform alone -- the L = 16384 target --, uniform +
  cosine, linear + cosine-mdlm, blocks:4:cosine:T, blocks:2:linear:T, info-optimal (also on the curve measured at
  every k), then the random-count mdlm, dream-origin, mdlm:cosine (a noise) and sedd; uniform + cosine and mdlm again
  on the curve measured at every k; then MDLM's other noises, cosine2, linear and geometric, and cosine on the curve
  measured at every k): seconds, same targets.
  ``benchmarks/audit_families.py`` runs every family x question x input, with its outcome;
* ``plot --kind schedule --steps 1:L`` (at most 10^4 T) at each L (needs matplotlib): seconds;
* ``--only model``: the scan's cost model (each fixed family's registry ``scan_cost_us``, read by
  boundcalc.family_steps._step_cost), calibrated: for each family and each of ``--lengths`` the scan's
  levels are timed in-process over two ranges of T (T = 1..256, where the cost per T dominates, and
  T = 3L/4..L, where the cost per step does), the two constants solved from the two timings, and printed
  next to the model with the ratio measured / model (above 1: the up-front estimate is optimistic); and the
  same two constants for the T range over a partial curve's completions (each T's interval from its step
  starts, boundcalc.completion_scan). Each timing is the process's CPU time (a core's time, not the wait
  for one on a loaded machine), best of ``--repeat`` runs; the tables hold those figures;
* ``load_profile`` of a JSON list and of an ``index,mi_nats`` CSV of ``--values`` values against
  their float floors (``sum(json.load(f))``, ``sum(float(l.split(',')[1]) for l in f)``), in CPU
  seconds, the ratio (target <= 1.5x) and the peak memory of each (target: independent of the file size).

Not part of the test suite (no test asserts a time): timings depend on the machine, so compare
ratios and CPU seconds, quote medians of runs, and say how loaded the machine was. Every child runs
with one BLAS thread (OPENBLAS_NUM_THREADS=1).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAMILIES = ("uniform", "linear", "power:2", "dream", "cosine", "cosine-mdlm", "info-optimal",
            "mdlm", "mdlm:cosine", "mdlm:cosine2", "mdlm:linear", "mdlm:geometric", "sedd", "dream-origin")
_NEUTRAL = tempfile.gettempdir()
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# one BLAS thread per process: on 2 shared cores, BLAS's own threads only fight the other processes
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def write_curve(folder: Path, length: int) -> Path:
    """A loss curve measured at 16 mask ratios k = jL/16, from 0.875 to 6.5 nats (a language model's range):
    with target 1 the answers are near T = L, the hard case (every T scanned)."""
    path = folder / f"curve{length}.csv"
    rows = ["masked,loss_nats"]
    for j in range(1, 17):
        f = j / 16
        rows.append(f"{j * length // 16},{0.5 + 6 * f:.6f}")
    path.write_text("\n".join(rows) + "\n")
    return path


def run_cli(args: list[str], repeat: int, timeout: float, tree: str | None = None) -> str:
    """``boundcalc ARGS`` in fresh processes: best wall seconds and best CPU seconds (user + sys of the child,
    which waiting for a core on a loaded machine does not inflate), or what happened instead.

    ``tree`` runs another checkout's boundcalc (its directory first on PYTHONPATH), for before/after figures.
    """
    best = cpu = None
    # this checkout unless told otherwise: the machine's installed boundcalc may be another tree, or none
    env = {**os.environ, **_ONE_THREAD, "COLUMNS": "200", "PYTHONPATH": tree or _ROOT}
    for _ in range(repeat):
        start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            done = subprocess.run([sys.executable, "-m", "boundcalc", *args], capture_output=True, text=True,
                                  timeout=timeout, cwd=_NEUTRAL, env=env)
        except subprocess.TimeoutExpired:
            return f"> {timeout:.0f} s (stopped)"
        elapsed, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        # exit 1 is boundcalc's "no answer"; Python's own failures (no module, a traceback) exit 1 too
        crashed = "Traceback (most recent call last)" in done.stderr or "No module named" in done.stderr
        if done.returncode not in (0, 1) or crashed or "refus" in done.stderr or "would take" in done.stderr:
            words = " ".join((done.stderr.strip().splitlines() or ["?"])[-1].split()[:14])
            return f"exit {done.returncode} after {elapsed:.1f} s (cpu {used:.1f} s): {words}"
        best = elapsed if best is None else min(best, elapsed)
        cpu = used if cpu is None else min(cpu, used)
        if elapsed > 20:  # a slow answer once is enough
            break
    # an answer whose T range over a partial curve's completions was not searched is only part of one
    partial = " (no T range)" if "T range not searched" in " ".join((done.stdout + done.stderr).split()) else ""
    return f"{best:8.2f} s (cpu {cpu:6.2f} s){partial}"


def compare(args: list[str], repeat: int, timeout: float, before: str | None) -> str:
    """This tree's figure, and with ``before`` (another checkout) the same command run next to it."""
    now = run_cli(args, repeat, timeout)
    return now if before is None else f"{now}   before: {run_cli(args, repeat, timeout, before)}"


def steps_figures(folder: Path, lengths: list[int], repeat: int, timeout: float, before: str | None) -> None:
    print("steps --loss-curve c.csv --family F --by B --target 1 (seconds, best of runs)")
    for L in lengths:
        curve = write_curve(folder, L)
        for by in ("error", "bound"):
            for family in FAMILIES + (("blocks:4:cosine",) if by == "bound" else ()):  # blocks: by bound only
                if by == "bound" and family == "uniform":
                    continue  # closed form
                args = ["steps", "--loss-curve", str(curve), "--family", family, "--by", by, "--target", "1"]
                print(f"  L = {L:>5}  --by {by:<5}  {family:<14} {compare(args, repeat, timeout, before)}", flush=True)
        args = ["steps", "--loss-curve", str(curve), "--by", "optimal", "--target", "1"]  # the DP-optimal schedule
        print(f"  L = {L:>5}  --by optimal  {'-':<14} {compare(args, repeat, timeout, before)}", flush=True)


def write_full_curve(folder: Path, length: int) -> Path:
    """The same curve measured at every k = 1..L (no unmeasured d: no interval, no T range over completions)."""
    path = folder / f"full{length}.csv"
    rows = ["masked,loss_nats"] + [f"{k},{0.5 + 6 * k / length:.6f}" for k in range(1, length + 1)]
    path.write_text("\n".join(rows) + "\n")
    return path


def full_curve_figures(folder: Path, lengths: list[int], repeat: int, timeout: float, before: str | None) -> None:
    print("steps --loss-curve full.csv --family F --by error --target 1, a curve measured at every k (seconds)")
    for L in lengths:
        curve = write_full_curve(folder, L)
        for family in ("mdlm", "dream-origin", "mdlm:cosine", "mdlm:cosine2", "mdlm:linear", "mdlm:geometric"):
            args = ["steps", "--loss-curve", str(curve), "--family", family, "--by", "error", "--target", "1"]
            print(f"  L = {L:>5}  {family:<14} {compare(args, repeat, timeout, before)}", flush=True)


def sweep_figures(folder: Path, lengths: list[int], repeat: int, timeout: float, before: str | None) -> None:
    print("sweep --loss-curve c.csv --steps 1:L (seconds)")
    for L in lengths:
        curve = write_curve(folder, L)
        full = write_full_curve(folder, L)
        for families, path in ((["uniform"], curve), (["uniform", "cosine"], curve), (["linear", "cosine-mdlm"], curve),
                               (["blocks:4:cosine:T"], curve), (["blocks:2:linear:T"], curve),
                               (["info-optimal"], curve), (["info-optimal"], full), (["mdlm"], curve), (["dream-origin"], curve),
                               (["mdlm:cosine"], curve), (["sedd"], curve), (["uniform", "cosine"], full),
                               (["mdlm"], full), (["mdlm:cosine2"], curve), (["mdlm:linear"], curve),
                               (["mdlm:geometric"], curve), (["mdlm:cosine"], full)):
            args = ["sweep", "--loss-curve", str(path), "--steps", f"1:{L}", "--csv"]
            for f in families:
                args += ["--family", f]
            label = " + ".join(families) + (" (every k)" if path == full else "")
            print(f"  L = {L:>5}  {label:<32} {compare(args, repeat, timeout, before)}", flush=True)


def plot_figures(folder: Path, lengths: list[int], repeat: int, timeout: float, before: str | None) -> None:
    print("plot --kind schedule (seconds)")
    for L in lengths:
        curve = write_curve(folder, L)
        out = folder / f"schedule{L}.png"
        grid = f"1:{min(L, 10000)}"  # a full grid (at most 10^4 T): the figure draws three of them
        args = ["plot", "--loss-curve", str(curve), "--kind", "schedule", "--family", "uniform", "--family", "cosine",
                "--family", "linear", "--steps", grid, "--output", str(out)]
        print(f"  L = {L:>5}  {compare(args, repeat, timeout, before)}", flush=True)


# -- profile readers: each in its own process, peak memory from /proc --------------------------------------

_CHILD = r"""
import json, sys, time
from pathlib import Path
kind, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
def floor_json():
    with open(path) as f:
        return sum(json.load(f))
def floor_csv():
    with open(path) as f:
        next(f)
        return sum(float(line.split(",")[1]) for line in f)
def load():
    from boundcalc.profile import load_profile
    return load_profile(path).total
run = {"floor-json": floor_json, "floor-csv": floor_csv, "load": load}[kind]
if kind == "load":
    import numpy, boundcalc.profile  # imports are not what is measured
best = float("inf")
for _ in range(repeat):  # CPU time: waiting for a core on a loaded machine is not the reader's cost
    start = time.process_time(); run(); best = min(best, time.process_time() - start)
rss = next(int(l.split()[1]) / 1024 for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
print(json.dumps({"seconds": best, "rss_mb": rss}))
"""


def child(kind: str, path: Path, repeat: int, timeout: float) -> dict:
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path), str(repeat)], capture_output=True,
                              text=True, timeout=timeout, check=True, cwd=_NEUTRAL, env={**os.environ, **_ONE_THREAD})
    except subprocess.TimeoutExpired:
        return {"seconds": None, "rss_mb": None}
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_profiles(folder: Path, count: int) -> dict[str, Path]:
    rng = random.Random(1)
    values = [repr(rng.random() * 0.7) for _ in range(count)]
    json_path, csv_path = folder / f"p{count}.json", folder / f"p{count}.csv"
    json_path.write_text("[" + ", ".join(values) + "]")
    with open(csv_path, "w") as f:
        f.write("index,mi_nats\n")
        f.writelines(f"{i},{v}\n" for i, v in enumerate(values, 1))
    return {"json": json_path, "csv": csv_path}


def reader_figures(folder: Path, count: int, repeat: int, timeout: float) -> None:
    print(f"load_profile at {count} values against its float floor (best of {repeat}; peak memory)")
    small = write_profiles(folder, count // 10)
    big = write_profiles(folder, count)
    for fmt in ("json", "csv"):
        floor = child(f"floor-{fmt}", big[fmt], repeat, timeout)
        load = child("load", big[fmt], repeat, timeout)
        tenth = child("load", small[fmt], 1, timeout)
        if floor["seconds"] is None or load["seconds"] is None:
            print(f"  {fmt:<5} timed out")
            continue
        print(f"  {fmt:<5} floor {floor['seconds']:6.2f} s  load_profile {load['seconds']:6.2f} s  "
              f"ratio {load['seconds'] / floor['seconds']:5.2f}x   peak memory {load['rss_mb']:5.0f} MB "
              f"({count // 10} values: {tenth['rss_mb']:4.0f} MB; floor {floor['rss_mb']:4.0f} MB)", flush=True)


def _fit(times: list[float], ranges: tuple[list[int], list[int]]) -> tuple[float, float]:
    """(µs per T, µs per step) from the timings of two ranges of T: t = n·a + (ΣT)·b on both."""
    (n1, s1), (n2, s2) = ((len(g), sum(g)) for g in ranges)
    b = max((times[1] * n1 - times[0] * n2) / (s2 * n1 - s1 * n2), 0.0)
    return max((times[0] - s1 * b) / n1, 0.0), b


def _best_cpu_us(run, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()  # CPU time: waiting for a core on a loaded machine is not a cost
        run()
        best = min(best, (time.process_time() - start) * 1e6)  # the least disturbed run: the cost on a quiet machine
    return best


def model_figures(repeat: int, lengths: list[int]) -> None:
    """Calibrate the scan's cost model: (µs per T, µs per step) solved from two ranges of T, per family and L, for
    the scan (registry scan_cost_us, boundcalc.family_steps._step_cost) and for the T range over a partial curve's
    completions (boundcalc.completion: each T's interval from its starts)."""
    from fractions import Fraction

    import numpy as np

    from boundcalc import completion
    from boundcalc import family_steps as fs
    from boundcalc.completion_scan import CompletionEnds
    from boundcalc.curve import LossCurve
    from boundcalc.estimate import curve_profile
    from boundcalc.step_families import searched_family
    from boundcalc.step_starts import starts_scanner

    print(f"scan cost model (in-process CPU time, best of {repeat}): µs per T, µs per step; the model; measured/model "
          "(below 1: the estimate is pessimistic)")
    for L in lengths:
        curve = LossCurve(length=L, masked=[j * L // 16 for j in range(1, 17)],
                          loss=[0.5 + 6 * j / 16 for j in range(1, 17)])
        profile = curve_profile(curve)
        d = curve.conditional("linear")
        measured = sorted(int(m) for m in np.unique(L - curve.masked).tolist())
        ends = CompletionEnds(L, completion._gaps(curve, None), measured, [float(d[m]) for m in measured])
        ranges = (list(range(1, 257)), list(range(3 * L // 4, L + 1)))
        for family in ("uniform", "linear", "power:2", "dream", "cosine", "cosine-mdlm", "info-optimal"):
            spec = searched_family(family)
            scan = [_best_cpu_us(lambda grid=grid: list(fs._chunk_levels(
                spec, "error", L, grid, profile, Fraction(1), "theorem1", Fraction(0), "nats")), repeat)
                for grid in ranges]
            a, b = _fit(scan, ranges)
            scanner = starts_scanner(spec, L, d)
            span = [_best_cpu_us(lambda grid=grid: [ends.ends(w) for _, w in scanner(grid) if w is not None], repeat)
                    for grid in ranges]
            ra, rb = _fit(span, ranges)
            model_a, model_b = fs._step_cost(spec, L)
            print(f"  L = {L:>5} {family:<13} scan {a:7.1f} {b:7.4f}   model {model_a:6.1f} {model_b:7.4f}   "
                  f"ratio {a / model_a:5.2f} {b / model_b:5.2f}   T range {ra:7.1f} {rb:7.4f}", flush=True)


def _has_bytecode() -> bool:
    """Whether this checkout's boundcalc (the code timed) has its modules' bytecode cached."""
    return any((Path(__file__).resolve().parent.parent / "boundcalc" / "__pycache__").glob("*.pyc"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", default="1024,16384")
    parser.add_argument("--values", type=int, default=4_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--before", metavar="TREE", help="another checkout (e.g. main before a change): each CLI "
                        "figure is run there too, right after this tree's, so both see the same machine load")
    parser.add_argument("--only", nargs="*", default=["steps", "sweep", "plot", "readers"],
                        help="steps, sweep, plot, readers (default: all four), model (the cost model's calibration)")
    args = parser.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine: compare ratios)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not _has_bytecode():
        # measured: mdlm:linear at L = 1024, 1.17 -> 1.01 s CPU with the tree's bytecode cached (compileall)
        print("PYTHONDONTWRITEBYTECODE is set and the tree has no cached bytecode: every run compiles boundcalc's "
              "modules (~0.15 s); a pip install or any earlier run without the variable caches them")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "steps" in args.only:
            steps_figures(folder, lengths, args.repeat, args.timeout, args.before)
            full_curve_figures(folder, lengths, args.repeat, args.timeout, args.before)
        if "sweep" in args.only:
            sweep_figures(folder, lengths, args.repeat, args.timeout, args.before)
        if "plot" in args.only:
            plot_figures(folder, lengths, args.repeat, args.timeout, args.before)
        if "model" in args.only:
            model_figures(args.repeat, lengths)
        if "readers" in args.only:
            reader_figures(folder, args.values, args.repeat, args.timeout)


if __name__ == "__main__":
    main()
