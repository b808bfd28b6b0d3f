"""Run every hostile case as a real `boundcalc` process with a time limit, and count the outcomes.

    python tests/hostile/run.py [--timeout 20] [--jobs 2]

Each case runs in a fresh folder holding the scratch files of cases.prepare
(inputs, old outputs, links to them and to /dev/full). A case is clean when it
exits 0, or exits 1 or 2 with exactly one line on stderr and no traceback (or exits 1
after printing an answer, with that answer's warning lines before the one error line); it
destroyed data when an input changed, or a failing command changed an old
output. Then the process cases no in-process test can give: SIGTERM at several
moments while a command writes over an old output (the file must be the old
one or the complete new one, no temporary file left), and two commands writing
the same output at once (the file must be one of their whole outputs), and
every command with a measured loss curve in each of its formats (every value
carries its stderr, nothing claims to be exact: cases.estimate_problems). Prints
the counts (cases, clean, tracebacks, hangs, other, destroyed, estimate) and
every case that is not clean. Not part of the test suite (it starts a process per case);
tests/hostile/test_hostile.py runs the command-line cases in-process, tests/core/test_files.py
the signal and concurrency ones in a lean form.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import SCRATCH, all_cases, destroyed, estimate_cases, estimate_problems, prepare, snapshot  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "COLUMNS": "200"}
COMMAND = [sys.executable, "-m", "boundcalc"]


def judge(done: subprocess.CompletedProcess) -> tuple[str, str]:
    err = done.stderr.strip()
    if "Traceback" in done.stderr:
        return "traceback", err.splitlines()[-1] if err else ""
    if done.returncode == 0:
        return "clean", ""
    lines = err.splitlines()
    if done.returncode in (1, 2) and len(lines) == 1 and err.startswith("Error: "):
        return "clean", ""
    # an answer printed, then no answer for its last part (exit 1): the answer's warnings, then the one error line
    if (done.returncode == 1 and done.stdout.strip() and lines and lines[-1].startswith("Error: ")
            and all(line.startswith("warning: ") for line in lines[:-1])):
        return "clean", ""
    return "other", f"exit {done.returncode}: {err[:200]!r}"


def classify(args: list[str], timeout: float) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix="hostile-") as scratch:
        folder = Path(scratch)
        prepare(folder)
        before = snapshot(folder)
        try:
            done = subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, cwd=folder, env=ENV)
        except subprocess.TimeoutExpired:
            return "hang", ""
        lost = destroyed(before, folder, done.returncode)
        if lost:
            return "destroyed", f"{', '.join(lost)} changed (exit {done.returncode})"
        return judge(done)


def estimated(args: list[str], timeout: float) -> tuple[str, str]:
    """A command with a measured curve: clean when it answers and every value carries its stderr (cases.py)."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as scratch:
        folder = Path(scratch)
        prepare(folder)
        try:
            done = subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, cwd=folder, env=ENV)
        except subprocess.TimeoutExpired:
            return "hang", ""
        kind, detail = judge(done)
        if kind != "clean" or done.returncode != 0:
            return kind, detail
        problems = estimate_problems(args, done.stdout)
        return ("estimate", "; ".join(problems[:3])) if problems else ("clean", "")


#: Commands that write an old output long enough to be interrupted (the extension of the old file each writes).
SIGNALLED = [
    (["plot", "--mi-total", "1", "-L", "1024", "-f", "uniform", "-f", "cosine", "-o", "old.png"], "old.png"),
    (["profile", "--markov", "chain.json", "-L", "64", "--loss-curve", "old.csv"], "old.csv"),
    (["profile", "--markov", "chain.json", "-L", "64", "--multiscale", "--smax", "32", "-o", "old.csv"], "old.csv"),
    (["profile", "--text", "corpus.txt", "-L", "64", "-o", "old.csv"], "old.csv"),
    (["latex", "--all", "--standalone", "--proofs", "-o", "old.png"], "old.png"),
    # every writer: the other figures, LaTeX with values from a curve, the bibliography, a curve from a table
    (["plot", "--joint", "j3.json", "--kind", "error-vs-nfe", "--sampler", "confidence:0.5", "--sampler", "eb:1",
      "-o", "old.pdf"], "old.pdf"),
    (["plot", "--kind", "curve", "--loss-curve", "cs.csv", "-o", "old.png"], "old.png"),
    (["latex", "--all", "--standalone", "--with-values", "--loss-curve", "cs.csv", "--schedule", "uniform:2",
      "--target", "0.5", "-o", "old.tex"], "old.tex"),
    (["latex", "--all", "--standalone", "--proofs", "-o", "x.tex", "--bib", "old.tex"], "old.tex"),
    (["profile", "--joint", "j3.json", "--loss-curve", "old.csv"], "old.csv"),
]
DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)


def signalled(args: list[str], output: str, delay: float, timeout: float) -> tuple[str, str]:
    """SIGTERM ``delay`` s into the command: the output is the old file or the whole new one, no temporary left."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as scratch:
        folder = Path(scratch)
        prepare(folder)
        reference = subprocess.run([*COMMAND, *args[:-1], "new" + Path(output).suffix], cwd=folder, env=ENV,
                                   capture_output=True, timeout=timeout)
        new = (folder / ("new" + Path(output).suffix)).read_bytes() if reference.returncode == 0 else None
        child = subprocess.Popen([*COMMAND, *args], cwd=folder, env=ENV, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        child.send_signal(signal.SIGTERM)
        try:
            _, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            return "hang", ""
        content = (folder / output).read_bytes()
        left = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
        if content not in (SCRATCH[output], new) or left:
            return "destroyed", f"{len(content)} bytes, neither old nor new; temporaries {left}"
        if "Traceback" in err:
            return "traceback", err.strip().splitlines()[-1]
        return "clean", ""


#: Pairs of commands writing the same output at once (the output is each command's last argument).
CONCURRENT = [
    [["latex", "--all", "--standalone", "-o", "out.tex"], ["latex", "--expr", "theorem1", "-o", "out.tex"]],
    [["plot", "--mi-total", "1", "-L", "64", "-f", "uniform", "-o", "out.png"],
     ["plot", "--kind", "curve", "--loss-curve", "cs.csv", "-o", "out.png"]],
    [["profile", "--markov", "chain.json", "-L", "32", "-o", "out.csv"],
     ["profile", "--joint", "j3.json", "--loss-curve", "out.csv"]],
    [["latex", "--all", "--standalone", "-o", "doc.tex", "--bib", "out.bib"],
     ["latex", "--expr", "theorem2-upper", "--standalone", "-o", "other.tex", "--bib", "out.bib"]],
]


def concurrent(pair: list[list[str]], rounds: int, timeout: float) -> tuple[str, str]:
    """Two commands writing one output at once, ``rounds`` times: the file is one of their whole outputs."""
    output = pair[0][-1]
    with tempfile.TemporaryDirectory(prefix="hostile-") as scratch:
        folder = Path(scratch)
        prepare(folder)
        wholes = []
        for i, args in enumerate(pair):
            reference = [*args[:-1], f"ref{i}{Path(output).suffix}"]
            subprocess.run([*COMMAND, *reference], cwd=folder, env=ENV, capture_output=True, timeout=timeout)
            wholes.append((folder / reference[-1]).read_bytes())
        for _ in range(rounds):
            children = [subprocess.Popen([*COMMAND, *args], cwd=folder, env=ENV, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL) for args in pair]
            for child in children:
                child.wait(timeout=timeout)
            if (folder / output).read_bytes() not in wholes:
                return "destroyed", f"{output}: a mix of the two outputs"
            if [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]:
                return "destroyed", "a temporary file left"
        return "clean", ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", choices=["lines", "signals", "concurrency", "estimates"], action="append",
                        help="run only these classes (repeatable; default: all)")
    options = parser.parse_args()
    only = set(options.only or ["lines", "signals", "concurrency", "estimates"])
    jobs: list[tuple[str, object]] = []
    if "lines" in only:
        jobs += [(" ".join(a[:60] for a in args), lambda a=args: classify(a, options.timeout)) for args in all_cases()]
    if "signals" in only:
        for args, output in SIGNALLED:
            for delay in DELAYS:
                jobs.append((f"SIGTERM at {delay} s: {' '.join(args)}",
                             lambda a=args, o=output, d=delay: signalled(a, o, d, options.timeout)))
    if "concurrency" in only:
        for pair in CONCURRENT:
            jobs.append((f"two writers at once, 10 rounds: {' '.join(pair[0])} / {' '.join(pair[1])}",
                         lambda p=pair: concurrent(p, 10, options.timeout)))
    if "estimates" in only:
        jobs += [(f"estimates: {' '.join(args)}", lambda a=args: estimated(a, options.timeout))
                 for args in estimate_cases()]
    with ThreadPoolExecutor(options.jobs) as pool:
        outcomes = list(pool.map(lambda job: job[1](), jobs))
    counts: dict[str, int] = {}
    for (shown, _), (kind, detail) in zip(jobs, outcomes):
        counts[kind] = counts.get(kind, 0) + 1
        if kind != "clean":
            print(f"{kind:10} boundcalc {shown}  {detail}")
    kinds = ("clean", "traceback", "hang", "other", "destroyed", "estimate")
    print(f"cases {len(jobs)}: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in kinds))


if __name__ == "__main__":
    main()
