"""The truth engines at L = 16384, side by side in one run (issue 13; not part of the test suite).

    python benchmarks/bench_engines.py [--tree PATH] [--repeat 3] [--length 16384]

Every figure is the best of ``--repeat`` fresh processes run with
``PYTHONPATH=TREE`` (default: the repository this script is in), so the same
script measures a checkout of main (before) and this branch (after):

* the Markov engine (entropy profile d(0..L-1), V = 8) with OpenBLAS free to
  use its threads and with OPENBLAS_NUM_THREADS=1, each alone and next to a
  competing busy loop on one core; the ratio threads / one thread is the
  figure that must stay <= 1;
* ``verify --optimal`` (T = 64), ``profile --multiscale --smax 64`` and the
  per-token F_i(m) (``profile --size L/2``, the gap method, and ``profile --size 16``,
  the convolution method), end to end through the CLI;
* (each line also gives the least CPU time of the process, user + system: steadier than the
  wall time when other work shares the cores; an idle run has wall ~ CPU);
* the reference O(T L^2) optimal-schedule DP (tests/dp_reference.py) against
  ``EntropyProfile.optimal_schedule`` at L = 4096, T = 64, in one process,
  with both errors (they must agree to the float tolerance).

A run that takes longer than 60 s is not repeated.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SLOW = 60.0

ENGINE = """
import sys, time
from boundcalc.truth import load_markov
chain = load_markov(sys.argv[1])
start = time.perf_counter()
chain.entropy_profile(int(sys.argv[2]))
print(time.perf_counter() - start)
"""

DP = """
import sys, time
sys.path.insert(0, sys.argv[3])
from dp_reference import reference_optimal
from boundcalc.truth import load_markov
L, T = int(sys.argv[2]), int(sys.argv[4])
profile = load_markov(sys.argv[1]).entropy_profile(L)
start = time.perf_counter()
_, old = reference_optimal(profile.conditional, T)
mid = time.perf_counter()
_, new = profile.optimal_schedule(T)
end = time.perf_counter()
print(mid - start, end - mid, old, new)
"""


def chain_file(folder: Path, states: int, seed: int = 13) -> Path:
    """A random V-state chain with exact rational entries (rows of integer weights / their sum)."""
    import random

    rng = random.Random(seed)
    rows = []
    for _ in range(states):
        weights = [rng.randrange(1, 1000) for _ in range(states)]
        total = sum(weights)
        rows.append([f"{w}/{total}" for w in weights])
    path = folder / f"chain{states}.json"
    path.write_text(json.dumps({"states": list(range(states)), "transition": rows}))
    return path


CPU: dict[str, float] = {}


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], env: dict[str, str], repeat: int, output: bool = False) -> tuple[float, str]:
    """(best wall time or best printed time, last stdout); a failing command gives (nan, its error).

    The command runs in an empty temporary folder: ``python -c`` and ``python -m`` put the
    working directory first on sys.path, which would shadow ``--tree``. The least CPU time
    (user + system) of the runs is left in ``CPU["last"]``: on a shared machine it is the
    steadier figure.
    """
    best, out, cpu = float("inf"), "", float("inf")
    for _ in range(repeat):
        start, used = time.perf_counter(), _children_cpu()
        with tempfile.TemporaryDirectory() as cwd:
            done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=cwd)
        wall = time.perf_counter() - start
        cpu = min(cpu, _children_cpu() - used)
        CPU["last"] = cpu
        if done.returncode != 0:
            return float("nan"), (done.stderr.strip().splitlines() or ["?"])[-1]
        out = done.stdout.strip()
        best = min(best, float(out.split()[0]) if output else wall)
        if wall > SLOW:
            break
    return best, out


class Competitor:
    """A busy loop on one core for the duration of a ``with`` block."""

    def __enter__(self) -> "Competitor":
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", default=str(HERE.parent), help="the checkout to measure (its PYTHONPATH)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--length", type=int, default=16384)
    parser.add_argument("--skip", default="", help="comma list of sections to skip: engine,optimal,multiscale,token,dp")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    tree = str(Path(args.tree).resolve())
    base_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    base_env["PYTHONPATH"] = tree
    one_env = {**base_env, "OPENBLAS_NUM_THREADS": "1"}
    py = sys.executable
    L, R = args.length, args.repeat
    probe = subprocess.run([py, "-c", "import boundcalc; print(boundcalc.__file__)"], env=base_env,
                           capture_output=True, text=True, cwd=tempfile.gettempdir())
    print(f"tree {tree} (boundcalc from {probe.stdout.strip()}), L = {L}, best of {R} (runs over {SLOW:.0f} s once)")
    rows: list[tuple[str, float, str]] = []

    def show(label: str, seconds: float, note: str = "") -> None:
        rows.append((label, seconds, note))
        cpu = CPU.pop("last", float("nan"))
        print(f"{label:<62s} {seconds:9.2f} s  (process CPU {cpu:7.2f} s)  {note}", flush=True)

    with tempfile.TemporaryDirectory() as folder:
        chain = chain_file(Path(folder), 8)
        out = str(Path(folder) / "out.csv")
        if "engine" not in skip:
            for busy in (False, True):
                times = {}
                for name, env in (("BLAS threads", base_env), ("1 thread", one_env)):
                    if busy:
                        with Competitor():
                            t, _ = run([py, "-c", ENGINE, str(chain), str(L)], env, R, output=True)
                    else:
                        t, _ = run([py, "-c", ENGINE, str(chain), str(L)], env, R, output=True)
                    times[name] = t
                    show(f"markov engine V=8 L={L}, {name}{', + busy loop' if busy else ''}", t)
                print(f"{'  ratio threads / 1 thread':<62s} {times['BLAS threads'] / times['1 thread']:9.2f}")
        cli = [py, "-m", "boundcalc"]
        model = ["--markov", str(chain), "--length", str(L)]
        if "optimal" not in skip:
            t, msg = run([*cli, "verify", *model, "--schedule", "uniform:64", "--optimal"], base_env, R)
            show(f"verify --optimal L={L} T=64 (CLI, end to end)", t, msg if t != t else "")
        if "multiscale" not in skip:
            t, msg = run([*cli, "profile", *model, "--multiscale", "--smax", "64", "-o", out], base_env, R)
            show(f"profile --multiscale --smax 64 L={L} (CLI)", t, msg if t != t else "")
        if "token" not in skip:
            t, msg = run([*cli, "profile", *model, "--size", str(L // 2), "-o", out], base_env, R)
            show(f"profile --size {L // 2} (per-token F_i) L={L} (CLI)", t, msg if t != t else "")
            t, msg = run([*cli, "profile", *model, "--size", "16", "-o", out], base_env, R)
            show(f"profile --size 16 (per-token F_i, small m) L={L} (CLI)", t, msg if t != t else "")
        if "dp" not in skip:
            t, msg = run([py, "-c", DP, str(chain), "4096", str(HERE.parent / "tests"), "64"], base_env, 1, output=True)
            if t == t:
                old, new, e_old, e_new = map(float, msg.split())
                show("optimal DP L=4096 T=64: reference O(T L^2)", old)
                show("optimal DP L=4096 T=64: EntropyProfile.optimal_schedule", new,
                     f"ratio {new / old:.3f}; errors {e_old:.12g} vs {e_new:.12g}")
            else:
                show("optimal DP L=4096 T=64", t, msg)


if __name__ == "__main__":
    main()
