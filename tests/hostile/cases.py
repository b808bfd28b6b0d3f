"""Hostile command lines for every boundcalc command: the corpus files on every file flag, and bad values.

Shared by tests/hostile/test_hostile.py (in-process, every case) and tests/hostile/run.py
(each case in a subprocess with a time limit, counting clean answers,
tracebacks and hangs).
"""

from __future__ import annotations

from pathlib import Path

FILES = Path(__file__).resolve().parent / "files"

#: Values that must never crash a number flag.
BAD_NUMBERS = [
    "", " ", "abc", "nan", "inf", "-inf", "1e999999999", "1" * 5000, "1/0", "0x10", "1_000", "\u0663", "\uff13",
    "-1", "0", "1e-999999", "1,5", "١٢", "2**10", "1e4300", "9" * 4400, "-0", "+", ".", "e5",
]

#: Values that must never crash --schedule.
BAD_SCHEDULES = [
    "", ",", "5,,5", "5,0,5", "-1", "2.5,7.5", "uniform:", "uniform:0", "uniform:x", "uniform:99999999999999999999",
    "power:4", "power:4:-1", "power:4:1e999", "power:4:0.123456789123456789", "blocks:2", "blocks:3:uniform:4",
    "blocks:2:nosuch:4", "random:3", "random:4:x", "degenerate:0", "degenerate:99", "reversed:",
    "reversed:" * 50 + "1,2,3", "cosine:1e5", "dream:4:-1", "nosuchfamily:4", "1," * 200 + "1", "x" * 300,
    "/dev/zero", "/tmp", "\u0663,\u0663", "mdlm:0", "mdlm:4:bogus", "mdlm:99999999999999", "sedd:4:1",
    "dream-origin:4:2", "dream-origin:4:-1/2", "mdlm:",
]

#: Values that must never crash --family of sweep and plot (random-count samplers included).
BAD_FAMILIES = [
    "", ":", "T", "mdlm:", "mdlm:0", "mdlm:x", "mdlm:bogus", "mdlm:T:T", "mdlm:cosine:1", "sedd:2", "sedd:T:T",
    "dream-origin:-1", "dream-origin:1", "dream-origin:1e999", "dream-origin:1/0", "blocks", "blocks:2:mdlm:T",
    "blocks:0:uniform:T", "power", "power:x", "uniform:T:T", "nosuch", "x" * 300,
]
#: Values that must never crash --steps of sweep and plot.
BAD_GRIDS = ["", "0", "1:0", "log:1:16:0", "log:0:16:4", "1:99999999999999999999", "1,,2", "x", "1:16:0"]


def _file_cases() -> list[list[str]]:
    cases: list[list[str]] = []
    for path in sorted(FILES.iterdir()):
        name = str(path)
        cases += [
            ["steps", "--mi-profile", name, "--target", "1"],
            ["bound", "--mi-profile", name, "--schedule", "1"],
            ["bound", "--mi-total", "1", "--length", "3", "--schedule", "3", "--ms-profile", name],
            ["bound", "--mi-total", "1", "--length", "3", "--schedule", name],
            ["verify", "--joint", name, "--schedule", "1"],
            ["verify", "--markov", name, "--length", "4", "--schedule", "2,2"],
            ["verify", "--text", name, "--length", "4", "--schedule", "2,2"],
            ["profile", "--markov", name, "--length", "3"],
            ["latex", "--expr", "theorem1", "--with-values", "--mi-profile", name, "--schedule", "1"],
            # estimates: every corpus file as a measured loss curve
            ["steps", "--loss-curve", name, "--target", "1"],
            ["sweep", "--loss-curve", name, "--steps", "1,2"],
            ["latex", "--expr", "theorem1", "--with-values", "--loss-curve", name, "--schedule", "uniform:1"],
        ]
    for special in ("/dev/zero", "/dev/null", "/tmp", "/nonexistent/file"):
        cases += [["steps", "--mi-profile", special, "--target", "1"], ["verify", "--markov", special, "-L", "4", "--schedule", "4"]]
    return cases


def _value_cases() -> list[list[str]]:
    cases: list[list[str]] = []
    for value in BAD_NUMBERS:
        cases += [
            ["steps", "--mi-total", value, "--length", "10", "--target", "1"],
            ["steps", "--mi-total", "1", "--length", value, "--target", "1"],
            ["steps", "--mi-total", "1", "--length", "10", "--target", value],
            ["steps", "--mi-total", "1", "--length", "10", "--target", "1", "--eps-train", value],
            ["bound", "--mi-constant", value, "--length", "4", "--schedule", "2,2", "--vocab-size", "2"],
            ["bound", "--mi-total", "1", "--length", "4", "--schedule", "2,2", "--vocab-size", value],
            ["recursion", "--smax", value],
            ["recursion", "--smax", "5", "--length", value],
            ["steps", "--digits", value],
        ]
    for spec in BAD_SCHEDULES:
        cases += [
            ["bound", "--mi-total", "1", "--length", "10", "--schedule", spec],
            ["latex", "--expr", "theorem1", "--with-values", "--mi-total", "1", "--length", "10", "--schedule", spec],
        ]
    for family in BAD_FAMILIES:
        cases += [["sweep", "--mi-total", "1", "--length", "16", "--family", family, "--steps", "1,4"]]
    for grid in BAD_GRIDS:
        cases += [["sweep", "--mi-total", "1", "--length", "16", "--family", "mdlm", "--steps", grid]]
    cases += [
        ["stepz"], ["steps", "--nosuch"], ["steps", "--mi-total"], ["bound"], ["verify"], ["profile"],
        ["steps", "--mi-total", "1", "--mi-constant", "1", "--length", "3"], ["steps", "--length", "3"],
        ["steps", "--eps-train", "200"], ["steps", "--unit", "bits"], ["steps", "--unit", "furlongs"],
        ["latex"], ["latex", "--expr", "nosuch"], ["latex", "--all", "--output", "/nonexistent/x.tex"],
        ["latex", "--all", "--output", "/tmp"], ["profile", "--markov", "x", "--joint", "y"],
        ["recursion", "--smax", "5", "--length", "3"], ["steps", "--mi-total", "1", "--length", "10**18", "--target", "1"],
    ]
    return cases


#: The scratch folder of an output case (made by :func:`prepare` in the case's working folder): the inputs a
#: command reads, and old outputs. Input files must be byte-identical after every case; an old output too
#: after a case that fails.
SCRATCH: dict[str, bytes] = {
    "c.csv": b"masked,loss_nats\n1,0.3\n2,0.4\n4,0.5\n",
    "mi.txt": b"0.1\n0.2\n0.3\n0.4\n",
    "ms.csv": b"token,level,value\n1,0,0.1\n1,1,0.2\n2,0,0.1\n2,1,0.2\n",
    "sched.txt": b"2\n2\n",
    "chain.json": b'{"states": ["a", "b"], "transition": [["1/2", "1/2"], ["1/3", "2/3"]]}',
    "joint.json": b'{"outcomes": [["a", "b"], ["b", "a"]], "probabilities": ["1/2", "1/2"]}',
    "corpus.txt": b"abab baba abba " * 20,
    "old.png": b"\x89PNG old figure " * 1000,
    "old.csv": b"index,mi_nats\n" + b"1,0.5\n" * 1000,
    "f.txt": b"a file, not a folder",
}
#: Symlinks of the scratch folder (name -> target): to inputs, and to devices.
LINKS = {"link-c.csv": "c.csv", "link-chain.png": "chain.json", "link-mi.tex": "mi.txt", "full.png": "/dev/full",
         "full.pdf": "/dev/full", "full.csv": "/dev/full", "full.tex": "/dev/full", "null.png": "/dev/null"}
#: Hard links (name -> target).
HARD_LINKS = {"hard-c.tex": "c.csv"}
INPUTS = ("c.csv", "mi.txt", "ms.csv", "sched.txt", "chain.json", "joint.json", "corpus.txt", "f.txt")


def prepare(folder: Path) -> None:
    """Make the scratch files of the output cases in ``folder``."""
    import os

    for name, content in SCRATCH.items():
        (folder / name).write_bytes(content)
    for name, target in LINKS.items():
        os.symlink(target, folder / name)
    for name, target in HARD_LINKS.items():
        os.link(folder / target, folder / name)


def snapshot(folder: Path) -> dict[str, bytes]:
    """The bytes of every regular scratch file (links followed only within the folder)."""
    return {name: (folder / name).read_bytes() for name in SCRATCH if (folder / name).is_file()}


def destroyed(before: dict[str, bytes], folder: Path, exit_code: int) -> list[str]:
    """Scratch files an output case destroyed: any changed input; an old output changed by a failing command."""
    after = snapshot(folder)
    return [name for name, content in before.items()
            if after.get(name) != content and (name in INPUTS or exit_code != 0)]


#: Where an output can go wrong: (path, what the case expects). Folders that are missing or files, devices that
#: fill up, /proc, a name over the limit, a folder, an empty name, the same file as an input by name/link.
BAD_OUTPUTS = [
    "nodir/x.{ext}", "f.txt/x.{ext}", "full.{ext}", "/proc/self/x.{ext}", "a" * 300 + ".{ext}", ".", "",
    "/nonexistent/x.{ext}", "old.{ext}",
]
CHAIN = ["--markov", "chain.json"]


def _writers() -> list[tuple[list[str], str, list[str]]]:
    """(command line before the output flag, the output flag, the extension) of every command that writes a file."""
    L3 = ["-L", "3"]
    return [
        (["latex", "--all"], "-o", ["tex"]),
        (["latex", "--expr", "theorem1", "--with-values", "--loss-curve", "c.csv", "--schedule", "uniform:4"], "-o", ["tex"]),
        (["latex", "--expr", "theorem1", "--with-values", "--mi-profile", "mi.txt", "--schedule", "sched.txt"], "--bib",
         ["tex"]),
        (["latex", "--expr", "theorem2-upper", "--with-values", "--ms-profile", "ms.csv", "--schedule", "uniform:2"],
         "-o", ["tex"]),
        (["plot", "--mi-total", "1", "-L", "8"], "-o", ["png", "pdf", "svg"]),
        (["plot", "--loss-curve", "c.csv"], "-o", ["png"]),
        (["plot", "--joint", "joint.json", "--kind", "curve"], "-o", ["pdf"]),
        (["profile", *CHAIN, *L3], "-o", ["csv"]),
        (["profile", "--text", "corpus.txt", *L3], "-o", ["csv"]),
        (["profile", *CHAIN, *L3], "--loss-curve", ["csv"]),
        (["profile", *CHAIN, "-L", "4", "--multiscale", "--smax", "2"], "-o", ["csv"]),
        (["profile", *CHAIN, "-L", "4", "--multiscale", "--smax", "2", "--json"], "-o", ["csv"]),
        (["profile", *CHAIN, "-L", "4", "--ratios", "0.5,1", "--samples", "4", "--corpus-size", "4"], "--loss-curve",
         ["csv"]),
    ]


def output_cases() -> list[list[str]]:
    """Every command that writes, to every bad output and to each of its inputs (by name, symlink, hard link)."""
    cases: list[list[str]] = []
    for head, flag, extensions in _writers():
        for ext in extensions:
            for bad in BAD_OUTPUTS:
                cases.append([*head, flag, bad.format(ext=ext)])
        inputs = [a for a in head if a in SCRATCH]
        for name in inputs:
            cases.append([*head, flag, name])
        links = {"c.csv": ["link-c.csv", "hard-c.tex"], "chain.json": ["link-chain.png"], "mi.txt": ["link-mi.tex"]}
        for name in inputs:
            cases += [[*head, flag, link] for link in links.get(name, [])]
    cases += [
        ["latex", "--all", "-o", "x.tex", "--bib", "x.tex"], ["latex", "--all", "-o", "x.tex", "--bib", "./x.tex"],
        ["plot", "--mi-total", "1", "-L", "8", "-o", "null.png"],
        ["profile", *CHAIN, "-L", "3", "-o", "x.csv", "--loss-curve", "x.csv"],
    ]
    return cases


#: The command lines of issue 21 that gave tracebacks, hangs or exit 0 on nonsense, and their neighbours.
ISSUE_21 = [
    [], ["stepz"], ["sweeep", "--help"], ["--nosuch"],
    ["sweep", "--mi-total", "1", "-L", "16", "-f", "blocks:4:uniform"],
    ["sweep", "--mi-total", "1", "-L", "64", "-f", "llada:64:8"],
    ["sweep", "--mi-total", "1", "-L", "16", "-f", "blocks:4:uniform:T"],
    ["sweep", "--mi-total", "1", "-L", "64", "-f", "llada:64:8:T"],
    ["sweep", "--mi-total", "1", "-L", "16", "--steps", ""], ["sweep", "--mi-total", "1", "-L", "16", "--steps", ","],
    ["plot", "--mi-total", "1", "-L", "16", "--steps", ",", "-o", "x.png"],
    ["bound", "--confidence", "0.1", "--reveal", "1e400", "--vocab-size", "2"],
    ["bound", "--confidence", "0.1", "--reveal", "1e300", "--vocab-size", "1e3999"],
    ["bound", "--mi-total", "1", "--length", "1e18", "--schedule", "cosine:1e9"],
    ["bound", "--mi-total", "1", "--length", "1e18", "--schedule", "power:1e6:7/3"],
    ["bound", "--mi-total", "1", "--length", "1e3999", "--schedule", "power:1000:7/3"],
    ["bound", "--mi-total", "1", "--length", "1e18", "--schedule", "blocks:1e9:uniform:1e9"],
    ["bound", "--mi-total", "1", "--length", "1e18", "--schedule", "blocks:1e5:cosine:1e9"],
    ["bound", "--mi-total", "1", "--length", "1e18", "--schedule", "blocks:1e4:uniform:1e9"],
    ["bound", "--mi-total", "1", "--length", "1e18", "--schedule", "blocks:1e6:uniform:1e9"],
    ["steps", "--mi-total", "1", "--length", "1e18", "--target", "0.1", "--family", "blocks:4:uniform"],
    ["steps", "--mi-total", "1", "--length", "1e18", "--target", "0.1", "--family", "cosine"],
    ["steps", "--mi-total", "1e3999", "--length", "10", "--target", "1e-3999"],
    ["recursion", "--smax", "1e3999"], ["recursion", "--smax", "1e1000"],
    ["latex", "--all", "--with-values", "--mi-total", "1", "--length", "1e3999", "--schedule", "uniform:2",
     "--target", "1e-3999"],
    ["latex", "--expr", "steps-sharp", "--with-values", "--mi-total", "1e3999", "--length", "10", "--target", "1e-3999"],
    ["bound", "--mi-total", "1", "--length", "2", "--schedule", "1,1", "--ms-profile", str(FILES / "ms-huge-level.csv")],
    ["profile", "--markov", "chain.json", "-L", "1000", "--ratios", "0.5", "--corpus-size", "1000000",
     "--loss-curve", "x.csv"],
    ["profile", "--markov", "chain.json", "-L", "1000", "--ratios", "0.5,1", "--samples", "10000000",
     "--loss-curve", "x.csv"],
    ["profile", "--markov", "chain.json", "-L", "100000", "--ratios", "0.5", "--samples", "1000", "--loss-curve", "x.csv"],
]


def all_cases() -> list[list[str]]:
    """Every hostile command line (arguments after ``boundcalc``), output cases last."""
    return _file_cases() + _value_cases() + ISSUE_21 + output_cases()
