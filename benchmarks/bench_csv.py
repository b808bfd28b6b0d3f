"""Issue 22: the CPU time of a sweep's CSV rendering alone (``csv_printer.to_csv`` of the answer), this tree vs another.

    PYTHONPATH=$PWD python benchmarks/bench_csv.py capture DIR [--lengths 1024,16384] [--families F,...]
    PYTHONPATH=$PWD python benchmarks/bench_csv.py time DIR [--before OLD_TREE] [--repeat 5]

``capture`` runs ``boundcalc sweep --loss-curve C --steps 1:L -f F --csv`` in-process for each family, on the 16-point
partial curve (intervals over completions) and on the curve measured at every k (mdlm:cosine's partial curve at
L = 16384 takes ~100 s: there ``--steps 1:2048``), plus ``-V 50000`` and an MI profile, and pickles the answer the
CLI would print (``DIR/<name>.pkl``). ``time`` renders each pickled answer in-process, the best CPU seconds
(``time.process_time``) of ``--repeat`` renderings, here and, with ``--before``, in a child process whose
PYTHONPATH is OLD_TREE (its own csv_printer: the pickles hold the answers' data, read by either tree's classes),
right after this tree's, so both see the same load; and checks the two texts are the same bytes (sha256).

Not part of the test suite (no test asserts a time): compare the two columns of one run.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAMILIES = ("uniform", "cosine", "info-optimal", "mdlm", "sedd", "dream-origin", "mdlm:cosine", "blocks:4:cosine")
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _curves(folder: Path, length: int) -> tuple[Path, Path]:
    """bench_answers.py's curves: 16 points k = jL/16 (a partial curve), and every k."""
    partial, full = folder / f"curve{length}.csv", folder / f"full{length}.csv"
    partial.write_text("masked,loss_nats\n" + "".join(f"{j * length // 16},{0.5 + 6 * j / 16:.6f}\n"
                                                       for j in range(1, 17)))
    full.write_text("masked,loss_nats\n" + "".join(f"{k},{0.5 + 6 * k / length:.6f}\n" for k in range(1, length + 1)))
    return partial, full


def cases(folder: Path, lengths: list[int], families: list[str]) -> list[tuple[str, list[str]]]:
    """(name, sweep arguments) of every answer timed."""
    out = []
    for length in lengths:
        partial, full = _curves(folder, length)
        for family in families:
            tag = family.replace(":", "_")
            steps = "1:2048" if family == "mdlm:cosine" and length > 4096 else f"1:{length}"
            out.append((f"c{length}-{tag}", ["--loss-curve", str(partial), "--steps", steps, "-f", family]))
            out.append((f"f{length}-{tag}", ["--loss-curve", str(full), "--steps", f"1:{length}", "-f", family]))
        out.append((f"c{length}-vocab", ["--loss-curve", str(partial), "--steps", f"1:{length}", "-f", "mdlm",
                                         "-f", "uniform", "-V", "50000"]))
    (folder / "mi64.txt").write_text("".join(f"{0.01 * (i % 7 + 1)}\n" for i in range(64)))
    out.append(("mi64", ["--mi-profile", str(folder / "mi64.txt"), "--steps", "1:64", "-f", "uniform", "-f", "mdlm"]))
    return out


def capture(args: list[str], out: Path) -> None:
    """Run ``boundcalc sweep ARGS --csv`` in-process and pickle the answer handed to the CSV printer."""
    import boundcalc.cli.sweep as sweep_cli
    from boundcalc.cli import main

    grabbed = {}

    def grab(answer, digits=6, **options):
        grabbed["answer"] = (answer, digits, options)

    sweep_cli.emit_csv = grab
    try:
        main(["sweep", *args, "--csv"], prog_name="boundcalc", standalone_mode=False)
    except SystemExit:
        pass
    sys.setrecursionlimit(100_000)
    out.write_bytes(pickle.dumps(grabbed["answer"], protocol=5))


def render_time(path: Path, repeat: int) -> tuple[float, str]:
    """(best CPU seconds of ``repeat`` renderings, sha256 of the text) of one pickled answer, in this process, with
    the cyclic garbage collector paused as ``sweep`` pauses it while it builds and prints (cli.sweep.collector_paused)."""
    from boundcalc.csv_printer import to_csv

    sys.setrecursionlimit(100_000)
    answer, digits, options = pickle.loads(path.read_bytes())
    best, text = float("inf"), ""
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.process_time()
            text = to_csv(answer, digits, **options)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best, hashlib.sha256(text.encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["capture", "time", "one"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--lengths", default="1024,16384")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--before", help="another tree (its directory first on PYTHONPATH)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.what == "one":  # a child: one pickle's time and hash
        best, digest = render_time(args.folder, args.repeat)
        print(best, digest)
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.what == "capture":
        with tempfile.TemporaryDirectory() as work:
            for name, sweep_args in cases(Path(work), [int(x) for x in args.lengths.split(",")],
                                          args.families.split(",")):
                target = args.folder / f"{name}.pkl"
                if not target.exists():
                    start = time.process_time()
                    capture(sweep_args, target)
                    print(f"{name}: captured ({time.process_time() - start:.1f} s)", flush=True)
        return
    print(f"{'answer':28s} {'rows':>6s} {'after s':>8s} {'before s':>9s} {'ratio':>6s}  bytes")
    for path in sorted(args.folder.glob("*.pkl")):
        rows = len(pickle.loads(path.read_bytes())[0].result.rows)
        after, digest = render_time(path, args.repeat)
        line = f"{path.stem:28s} {rows:6d} {after:8.3f}"
        if args.before:
            env = {**os.environ, **_ONE_THREAD, "PYTHONPATH": str(Path(args.before).resolve())}
            child = subprocess.run([sys.executable, __file__, "one", str(path), "--repeat", str(args.repeat)],
                                   env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
            before_text, before_digest = child.stdout.split()
            before = float(before_text)
            line += f" {before:9.3f} {before / after:6.1f}  {'same' if digest == before_digest else 'DIFFERENT'}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
