"""Input-side performance (issue 13): every reader against its float / numpy floor, side by side.

    python benchmarks/bench_inputs.py [--values 1000000] [--big 10000000] [--repeat 3] [--timeout 120]
        [--corpus-mb 10] [--only profiles|text|joint|schedules|recursion ...]

Run it with the tree to measure first on the path (``PYTHONPATH=$PWD``); run it
on an older tree the same way for before/after figures. Every measurement runs
in a fresh process (with a time limit) and reports its best-of-N seconds and
the process's peak resident memory. Prints:

* each MI-profile format at ``--values`` values (.txt, one-column .csv, the
  ``index,mi_nats`` .csv that ``boundcalc profile`` writes, a .json list):
  ``load_profile`` (exact ΣI) against its float floor, e.g.
  ``sum(float(l.split(',')[1]) for l in f)``, and the ratio (target <= 1.5);
* peak memory of ``load_profile`` at ``--values`` and at ``--big`` rows (target:
  independent of the file size), and ``boundcalc steps --mi-profile`` end to end
  at ``--values`` rows (benchmarks/_timing.py);
* ``load_text`` (the bigram chain of ``profile --text``) on a 10 MB corpus
  against its floor (target <= 2x), with peak memory: at the char level a
  streaming numpy count of character bigrams; at the word level a one-pass
  streaming word bigram count (``str.split``, a dict from words to ids,
  ``np.bincount`` into 256 x 256; ``_word_bigrams``), also shown against a count
  of the same bigrams as ``load_text`` (``np.unique`` pairs) and the char floor;
* ``JointDistribution.from_array`` on a dense L = 20, V = 2 table (target <= 5 s),
  and the time to refuse L = 24;
* every schedule family at T = 10^4 and a few adversarial parameters (target:
  each <= 1 s), the slowest marked;
* ``steps --bound recursion`` at L = 10^3000 (``required_steps``).

Not part of the test suite: timings depend on the machine (compare ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_time  # noqa: E402

# A working directory with no boundcalc in it, for every process started here.
_NEUTRAL = tempfile.gettempdir()

# ----------------------------------------------------------------------------- children
# Each runs in its own process: "python bench_inputs.py --child NAME ARG..." prints
# {"seconds": best of N, "rss_mb": peak resident memory}.


def _floor_csv_rows(path: str) -> float:
    with open(path) as f:
        next(f)
        return sum(float(line.split(",")[1]) for line in f)


def _floor_lines(path: str) -> float:
    with open(path) as f:
        return sum(float(line) for line in f)


def _floor_json(path: str) -> float:
    with open(path) as f:
        return sum(json.load(f))


def _numpy_bigrams(path: str) -> None:
    """A streaming numpy bigram count: code points of each 1 MB chunk, unique pairs, merged."""
    import numpy as np

    pieces, previous = [], None
    with open(path, encoding="utf-8") as f:
        while chunk := f.read(1 << 20):
            points = np.frombuffer(chunk.encode("utf-32-le"), dtype="<u4").astype(np.int64)
            if previous is not None:
                points = np.concatenate(([previous], points))
            pieces.append(np.unique((points[:-1] << 21) | points[1:], return_counts=True))
            previous = points[-1]
    keys, inverse = np.unique(np.concatenate([k for k, _ in pieces]), return_inverse=True)
    np.bincount(inverse, weights=np.concatenate([c for _, c in pieces]))


class _Ids(dict):
    """Word -> id; a new word gets the next id."""

    def __missing__(self, word: str) -> int:
        self[word] = len(self)
        return len(self) - 1


def _word_chunks(path: str) -> "object":
    """The words of each 1 MB chunk of the file, a word cut by a chunk's end carried to the next."""
    carry = ""
    with open(path, encoding="utf-8") as f:
        while True:
            chunk = f.read(1 << 20)
            text = carry + chunk
            cut = len(text) if not chunk else max(map(text.rfind, " \n\t\r\x0b\x0c")) + 1  # (no other spaces here)
            text, carry = text[:cut], text[cut:]
            yield text.split()
            if not chunk:
                return


def _word_bigrams(path: str, cap: int = 256) -> "object":
    """The word floor: the simplest streaming word bigram count, into a cap x cap matrix, one pass.

    1 MB chunks, a word cut at a chunk's end carried to the next, ``str.split``, words
    to ids with a dict (new words numbered as they come), the ids from ``cap - 1`` on
    folded into one "<other>" id, and ``np.bincount`` of id_a * cap + id_b per chunk.
    Memory: the dict and one chunk. It keeps the first ``cap - 1`` words to appear;
    ``load_text`` keeps the most frequent, which needs the counts of all words before
    the bigrams are folded: more work, so this is a lower bound (see _word_bigrams_exact).
    """
    import numpy as np

    index = _Ids()
    matrix = np.zeros(cap * cap, dtype=np.int64)
    previous = -1
    for words in _word_chunks(path):
        if words:
            ids = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
            np.minimum(ids, cap - 1, out=ids)
            if previous >= 0:
                ids = np.concatenate(([previous], ids))
            matrix += np.bincount(ids[:-1] * cap + ids[1:], minlength=cap * cap)
            previous = int(ids[-1])
    return matrix.reshape(cap, cap)


def _word_bigrams_exact(path: str, cap: int = 256) -> "object":
    """The counts of ``load_text`` (the ``cap - 1`` most frequent words, ties by first appearance, the
    rest "<other>") the plain numpy way, one pass: word counts by ``np.bincount``, the bigrams as
    (id pair, count) by ``np.unique`` per chunk, merged at the end, then summed into a V x V matrix
    (``np.add.at``). Memory grows with the number of distinct bigrams. Returns (words, counts, matrix)
    with the states in order of frequency.
    """
    import numpy as np

    index = _Ids()
    counts = np.zeros(0, dtype=np.int64)
    keys, tallies = [], []
    previous = -1
    for words in _word_chunks(path):
        if words:
            ids = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
            counts = np.concatenate([counts, np.zeros(len(index) - len(counts), dtype=np.int64)])
            counts += np.bincount(ids, minlength=len(index))
            if previous >= 0:
                ids = np.concatenate(([previous], ids))
            unique, tally = np.unique((ids[:-1] << 32) | ids[1:], return_counts=True)
            keys.append(unique)
            tallies.append(tally)
            previous = int(ids[-1])
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    pairs = np.bincount(inverse, weights=np.concatenate(tallies)).astype(np.int64)
    order = np.lexsort((np.arange(len(counts)), -counts))  # most frequent first, ties by first appearance
    V = min(cap, len(counts))
    state = np.full(len(counts), V - 1, dtype=np.int64)
    state[order[: V - 1]] = np.arange(V - 1)
    if V == len(counts):
        state[order[-1]] = V - 1
    matrix = np.zeros(V * V, dtype=np.int64)
    np.add.at(matrix, state[unique >> 32] * V + state[unique & 0xFFFFFFFF], pairs)
    return list(index), counts, matrix.reshape(V, V)


def _child(name: str, args: list[str], repeat: int) -> None:
    import resource

    def run() -> object:
        if name == "floor-csv-rows":
            return _floor_csv_rows(args[0])
        if name == "floor-lines":
            return _floor_lines(args[0])
        if name == "floor-json":
            return _floor_json(args[0])
        if name == "load-profile":
            from boundcalc.profile import load_profile

            return load_profile(args[0]).total
        if name == "numpy-bigrams":
            return _numpy_bigrams(args[0])
        if name == "word-bigrams":
            return _word_bigrams(args[0])
        if name == "word-bigrams-exact":
            return _word_bigrams_exact(args[0])
        if name == "load-text":
            from boundcalc.truth import load_text

            return load_text(args[0], args[1])
        if name == "joint-dense":
            import numpy as np

            from boundcalc.truth import JointDistribution

            L = int(args[0])
            table = np.random.default_rng(0).dirichlet(np.full(2**L, 0.5)).reshape((2,) * L)
            start = time.perf_counter()
            JointDistribution.from_array(table, normalize=True)
            return time.perf_counter() - start
        if name == "joint-refuse":
            import numpy as np

            from boundcalc.truth import JointDistribution

            try:
                JointDistribution.from_array(np.zeros((2,) * int(args[0])))
            except Exception:  # noqa: BLE001 - the refusal is what is timed
                return None
            raise SystemExit("not refused")
        if name == "schedule":
            from boundcalc.schedule import parse_schedule

            return parse_schedule(args[0], int(args[1]))
        if name == "recursion":
            from boundcalc.profile import MIProfile
            from boundcalc.steps import required_steps

            return required_steps(MIProfile.from_total("12.5", 10 ** int(args[0])), "1/20", bound="recursion").steps
        raise SystemExit(f"unknown child {name}")

    if not name.startswith(("floor", "numpy", "word")):  # imports are not what is measured
        import mpmath  # noqa: F401
        import numpy  # noqa: F401

        import boundcalc.profile  # noqa: F401
        import boundcalc.schedule  # noqa: F401
        import boundcalc.steps  # noqa: F401
        import boundcalc.truth  # noqa: F401
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()
        elapsed = time.perf_counter() - start
        best = min(best, out if name == "joint-dense" else elapsed)  # joint: the conversion, not the table
    print(json.dumps({"seconds": best, "rss_mb": _peak_mb(resource)}))


def _peak_mb(resource) -> float:
    """This process's peak resident memory. Linux's VmHWM: ru_maxrss would also count the parent's
    memory at the fork that started this process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, *args: str, repeat: int, timeout: float) -> dict:
    command = [sys.executable, __file__, "--child", name, *args, "--repeat", str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True, cwd=_NEUTRAL)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "rss_mb": None, "note": f"> {timeout:.0f} s"}
    except subprocess.CalledProcessError as failure:
        return {"seconds": None, "rss_mb": None, "note": "failed: " + (failure.stderr.strip().splitlines() or ["?"])[-1][:60]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(result: dict) -> str:
    return result.get("note") or f"{result['seconds']:8.3f} s"


def ratio(a: dict, b: dict) -> str:
    if a["seconds"] is None or b["seconds"] is None:
        return "    -"
    return f"{a['seconds'] / b['seconds']:5.2f}x"


def rss(result: dict) -> str:
    return "    -" if result.get("rss_mb") is None else f"{result['rss_mb']:6.0f} MB"


# ----------------------------------------------------------------------------- data


def write_profiles(folder: Path, count: int) -> dict[str, Path]:
    rng = random.Random(1)
    values = [repr(rng.random() * 0.7) for _ in range(count)]
    paths = {
        "txt": folder / f"p{count}.txt",
        "csv column": folder / f"p{count}-column.csv",
        "csv index,mi_nats": folder / f"p{count}-rows.csv",
        "json": folder / f"p{count}.json",
    }
    paths["txt"].write_text("\n".join(values) + "\n")
    paths["csv column"].write_text("\n".join(values) + "\n")
    with open(paths["csv index,mi_nats"], "w") as f:
        f.write("index,mi_nats\n")
        f.writelines(f"{i},{v}\n" for i, v in enumerate(values, 1))
    paths["json"].write_text("[" + ", ".join(values) + "]")
    return paths


def write_rows(path: Path, count: int) -> None:
    rng = random.Random(2)
    with open(path, "w") as f:
        f.write("index,mi_nats\n")
        block = 100_000
        for start in range(0, count, block):
            f.writelines(f"{i},{rng.random() * 0.7!r}\n" for i in range(start + 1, min(start + block, count) + 1))


def write_corpus(path: Path, size: int) -> None:
    rng = random.Random(0)
    words = ["".join(rng.choice("etaoinshrdlucmfwypvbgkjqxz") for _ in range(rng.randint(1, 9))) for _ in range(5000)]
    words += ["café", "naïve", "中文", "über"]
    with open(path, "w", encoding="utf-8") as f:
        written = 0
        while written < size:
            line = " ".join(rng.choice(words) for _ in range(12)) + ".\n"
            f.write(line)
            written += len(line)


# ----------------------------------------------------------------------------- main

FLOORS = {"txt": "floor-lines", "csv column": "floor-lines", "csv index,mi_nats": "floor-csv-rows", "json": "floor-json"}
FAMILIES = [
    ("uniform:10000", 10**6),
    ("dream:10000", 10**6),
    ("linear:10000", 10**18),
    ("cosine:10000", 10**6),
    ("cosine:10000", 10**18),
    ("cosine-mdlm:10000", 10**6),
    ("power:10000:2", 10**6),
    ("power:10000:1/3", 10**18),
    ("power:10000:0.12345", 10**6),
    ("power:64:0.12345", 1024),
    ("power:10000:0.123456789123456789", 10**6),
    ("power:64:1e50", 1024),
    ("power:64:1e-50", 1024),
    ("blocks:10:cosine:10000", 10**6),
    ("random:2", 10**4 * 2 - 2),
    ("degenerate:10", 10**4 + 9),
]


SECTIONS = ("profiles", "text", "joint", "schedules", "recursion")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--corpus-mb", type=float, default=10.0, help="size of the text corpus (MB)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only these sections (repeatable)")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1:], args.repeat)
        return
    r, limit = args.repeat, args.timeout
    print(f"boundcalc from {os.environ.get('PYTHONPATH') or 'the installed package'}; best of {r}, limit {limit:.0f} s")
    sections = args.only or SECTIONS
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "profiles" in sections:
            bench_profiles(folder, args.values, args.big, r, limit)
        if "text" in sections:
            bench_text(folder, int(args.corpus_mb * 1e6), r, limit)
    if "joint" in sections:
        dense = measure("joint-dense", "20", repeat=r, timeout=limit)
        refuse = measure("joint-refuse", "24", repeat=1, timeout=limit)
        print(f"\njoint L=20 V=2 dense: from_array {show(dense)} (peak {rss(dense)}); refusing L=24: {show(refuse)} "
              f"(peak {rss(refuse)})", flush=True)
    if "schedules" in sections:
        bench_schedules(r, limit)
    if "recursion" in sections:
        recursion = measure("recursion", "3000", repeat=r, timeout=limit)
        print(f"\nsteps --bound recursion at L = 10^3000 (required_steps): {show(recursion)}")


def bench_profiles(folder: Path, values: int, big_rows: int, r: int, limit: float) -> None:
    paths = write_profiles(folder, values)
    print(f"\nMI profiles, {values} values: exact load_profile vs its float floor")
    print(f"  {'format':<20s} {'floor':>10s} {'exact':>10s} {'ratio':>6s} {'peak memory':>12s}")
    for label, path in paths.items():
        floor = measure(FLOORS[label], str(path), repeat=r, timeout=limit)
        exact = measure("load-profile", str(path), repeat=r, timeout=limit)
        print(f"  {label:<20s} {show(floor):>10s} {show(exact):>10s} {ratio(exact, floor):>6s} {rss(exact):>12s}", flush=True)
    rows = paths["csv index,mi_nats"]
    # -m puts the working directory first on the path: run from a neutral one (PYTHONPATH decides)
    os.chdir(_NEUTRAL)
    command = [sys.executable, "-m", "boundcalc", "steps", "--mi-profile", str(rows), "--target", "1"]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=limit)
        cli = f"{best_time(command, r):8.3f} s"
    except subprocess.TimeoutExpired:
        cli = f"> {limit:.0f} s"
    print(f"  steps --mi-profile (index,mi_nats csv), end to end: {cli}")

    big = folder / "big.csv"
    write_rows(big, big_rows)
    floor = measure("floor-csv-rows", str(big), repeat=1, timeout=limit)
    exact = measure("load-profile", str(big), repeat=1, timeout=limit)
    print(f"\n{big_rows} rows (index,mi_nats csv, {big.stat().st_size / 1e6:.0f} MB): floor {show(floor)}, "
          f"exact {show(exact)} ({ratio(exact, floor)}), peak memory {rss(exact)} "
          f"(floor process {rss(floor)})", flush=True)
    big.unlink()


def bench_text(folder: Path, size: int, r: int, limit: float) -> None:
    """load_text at each level against its floor: char bigrams (numpy), word bigrams (split + dict + numpy)."""
    corpus = folder / "corpus.txt"
    write_corpus(corpus, size)
    chars = measure("numpy-bigrams", str(corpus), repeat=r, timeout=limit)
    words = measure("word-bigrams", str(corpus), repeat=r, timeout=limit)
    exact = measure("word-bigrams-exact", str(corpus), repeat=r, timeout=limit)
    print(f"\nprofile --text on {size / 1e6:g} MB; floors (streaming numpy bigram counts):\n"
          f"  chars                                           {show(chars)}, peak {rss(chars)}\n"
          f"  words, first 255 kept (the word floor)          {show(words)}, peak {rss(words)}\n"
          f"  words, 255 most frequent kept (np.unique pairs) {show(exact)}, peak {rss(exact)}")
    char = measure("load-text", str(corpus), "char", repeat=r, timeout=limit)
    print(f"  load_text level=char  {show(char)} ({ratio(char, chars)} the char floor; target <= 2), peak {rss(char)}",
          flush=True)
    word = measure("load-text", str(corpus), "word", repeat=r, timeout=limit)
    print(f"  load_text level=word  {show(word)} ({ratio(word, words)} the word floor; target <= 2; "
          f"{ratio(word, exact)} the np.unique count; {ratio(word, chars)} the char floor), peak {rss(word)}", flush=True)


def bench_schedules(r: int, limit: float) -> None:
    print("\nschedule families (parse_schedule):")
    slowest = (0.0, "")
    for spec, length in FAMILIES:
        result = measure("schedule", spec, str(length), repeat=r, timeout=limit)
        seconds = result["seconds"] if result["seconds"] is not None else float("inf")
        slowest = max(slowest, (seconds, f"{spec} at L = {length:.0e}" if length >= 10**7 else f"{spec} at L = {length}"))
        print(f"  {spec:<36s} L = {length:<8.0e} {show(result)}", flush=True)
    print(f"  slowest: {slowest[1]} ({'timed out' if slowest[0] == float('inf') else f'{slowest[0]:.3f} s'})")


if __name__ == "__main__":
    main()
