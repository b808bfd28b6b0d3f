"""Hostile command lines for every boundcalc command: the corpus files on every file flag, and bad values.

Shared by tests/hostile/test_hostile.py (in-process, every case) and tests/hostile/run.py
(each case in a subprocess with a time limit, counting clean answers,
tracebacks and hangs).
"""

from __future__ import annotations

import re
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
    "cs.csv": b"masked,loss_nats,stderr_nats\n1,0.30,0.01\n2,0.42,0.02\n4,0.55,0.02\n8,0.60,0.03\n",
    "log.csv": b"step,mask_ratio,train/loss\n" + b"".join(
        f"{i},{(i % 97 + 1) / 98:.4f},{0.3 + 0.3 * (i % 97 + 1) / 98 + 0.01 * (i % 7 - 3):.5f}\n".encode()
        for i in range(400)),
    "j3.json": b'{"outcomes": [["a", "b", "a"], ["b", "a", "a"], ["a", "a", "b"]], "probabilities": ["1/2", "1/4", "1/4"]}',
    "old.pdf": b"%PDF-1.4 old figure " * 500,
    "old.tex": b"% an old document\n" * 500,
}
#: Symlinks of the scratch folder (name -> target): to inputs, and to devices.
LINKS = {"link-c.csv": "c.csv", "link-chain.png": "chain.json", "link-mi.tex": "mi.txt", "full.png": "/dev/full",
         "full.pdf": "/dev/full", "full.csv": "/dev/full", "full.tex": "/dev/full", "null.png": "/dev/null",
         "full.svg": "/dev/full", "link-cs.png": "cs.csv", "link-log.pdf": "log.csv", "link-j3.png": "j3.json"}
#: Hard links (name -> target).
HARD_LINKS = {"hard-c.tex": "c.csv"}
INPUTS = ("c.csv", "mi.txt", "ms.csv", "sched.txt", "chain.json", "joint.json", "corpus.txt", "f.txt", "cs.csv",
          "log.csv", "j3.json")
#: A folder without write permission (root writes there all the same: then the case must simply succeed).
READ_ONLY = "ro"


def prepare(folder: Path) -> None:
    """Make the scratch files of the output cases in ``folder``."""
    import os

    for name, content in SCRATCH.items():
        (folder / name).write_bytes(content)
    for name, target in LINKS.items():
        os.symlink(target, folder / name)
    for name, target in HARD_LINKS.items():
        os.link(folder / target, folder / name)
    (folder / READ_ONLY).mkdir()
    (folder / READ_ONLY).chmod(0o555)


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
    "/nonexistent/x.{ext}", "old.{ext}", "ro/x.{ext}", "ro", "nodir/" + "b" * 250 + "/x.{ext}", "/dev/full",
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
        # this round's writers: rule samplers in error-vs-nfe, the curve figure, training logs with --bins
        (["plot", "--joint", "j3.json", "--kind", "error-vs-nfe", "--sampler", "confidence:0.5", "--sampler", "eb:1",
          "--sampler", "dilated:2", "--sampler", "low-confidence:2"], "-o", ["png", "svg"]),
        (["plot", "--joint", "j3.json", "--kind", "error-vs-nfe", "--sampler", "confidence:0.1..0.9/3"], "-o", ["pdf"]),
        (["plot", "--kind", "curve", "--loss-curve", "cs.csv"], "-o", ["pdf"]),
        (["plot", "--loss-curve", "log.csv", "--length", "8", "--bins", "4"], "-o", ["png"]),
        (["latex", "--expr", "theorem1", "--with-values", "--loss-curve", "log.csv", "--length", "8", "--bins", "4",
          "--schedule", "uniform:2"], "-o", ["tex"]),
        (["latex", "--all", "--standalone", "--with-values", "--loss-curve", "cs.csv", "--schedule", "uniform:2",
          "--target", "0.5"], "-o", ["tex"]),
        (["profile", "--joint", "j3.json"], "--loss-curve", ["csv"]),
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
        links = {"c.csv": ["link-c.csv", "hard-c.tex"], "chain.json": ["link-chain.png"], "mi.txt": ["link-mi.tex"],
                 "cs.csv": ["link-cs.png"], "log.csv": ["link-log.pdf"], "j3.json": ["link-j3.png"]}
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


#: Bad values for the parameters of this round's sampler rules and options.
BAD_RULE_VALUES = ["", "x", "-1", "0", "2", "1e999", "nan", "1/0", "99999999999999999999", "0.5:0", "0.5:-1", "1:2:3",
                   "0.5:1e999", "\u0663"]


def _round_cases() -> list[list[str]]:
    """This round's commands and options: the rule samplers, grids of thresholds, --export, --bins, X/token,
    the error-vs-nfe and curve figures, each with bad values and in the wrong company."""
    j3 = ["--joint", "j3.json"]
    cases: list[list[str]] = []
    for rule in ("confidence", "eb", "low-confidence", "dilated", "left-to-right", "entropy-sum"):
        for value in BAD_RULE_VALUES:
            cases += [["verify", *j3, "--schedule", f"{rule}:{value}"], ["sweep", *j3, "--sampler", f"{rule}:{value}"]]
        cases += [["verify", *j3, "--schedule", f"{rule}:2"], ["bound", "--mi-total", "1", "-L", "3", "--schedule", f"{rule}:2"],
                  ["steps", "--mi-total", "1", "-L", "3", "--family", f"{rule}:T", "--target", "0.5"],
                  ["sweep", "--mi-total", "1", "-L", "3", "--sampler", f"{rule}:2"],
                  ["verify", "--markov", "chain.json", "-L", "6", "--schedule", f"{rule}:2", "--samples", "20"],
                  ["verify", "--loss-curve", "cs.csv", "--schedule", f"{rule}:2"]]
    for grid in ("confidence:0.1..0.9/3", "confidence:0.9..0.1/3", "confidence:0..1/0", "confidence:0..1/1e9",
                 "confidence:a..b/3", "eb:0..2/5:bits", "eb:0..2/5:furlongs", "confidence:0.1..0.9/", "..", "x:1..2/3",
                 "dilated:1..3/3", "confidence:0.1..0.9/3:2", "eb:" + "9" * 400 + "..1/2"):
        cases += [["sweep", *j3, "--sampler", grid], ["plot", *j3, "--kind", "error-vs-nfe", "--sampler", grid, "-o", "g.png"]]
    export = ["--export", "num-transfer-tokens"]
    cases += [
        ["steps", "--mi-total", "1", "-L", "8", "--target", "0.3", *export],
        ["steps", "--loss-curve", "cs.csv", "--target", "0.3", *export],
        ["steps", "--loss-curve", "cs.csv", "--target", "0.3", "--family", "cosine", "--by", "error", *export],
        ["steps", "--loss-curve", "cs.csv", "--target", "0.3", "--by", "optimal", *export],
        ["steps", "--loss-curve", "cs.csv", "--target", "0.3", "--family", "blocks:2:uniform", *export],
        ["steps", "--loss-curve", "cs.csv", "--target", "0.3", "--family", "mdlm", "--by", "error", *export],
        ["steps", "--loss-curve", "cs.csv", "--budget", "4", *export],
        ["steps", "--loss-curve", "cs.csv", "--target", "0.3", "--target", "0.1", "--family", "cosine", "--by", "error",
         *export],
        ["steps", "--loss-curve", "cs.csv", "--target", "1e-9", "--family", "cosine", "--by", "error", *export],
    ]
    for target in ("0/token", "-1/token", "x/token", "/token", "1e999/token", "1/token/token", "0.01/tokens",
                   "1/3/token", "nan/token", "0.01/token", "99/token"):
        cases += [["steps", "--loss-curve", "cs.csv", "--target", target],
                  ["steps", "--mi-total", "1", "-L", "8", "--target", target]]
    for bins in ("0", "-1", "1", "2", "1e9", "x", "99999999999999999", "400", "401", "100000"):
        cases += [["steps", "--loss-curve", "log.csv", "--length", "8", "--bins", bins, "--target", "0.3"],
                  ["sweep", "--loss-curve", "log.csv", "--length", "8", "--bins", bins, "--steps", "1,2"]]
    cases += [
        ["steps", "--loss-curve", "cs.csv", "--bins", "4", "--target", "0.3"],
        ["steps", "--mi-total", "1", "-L", "8", "--bins", "4", "--target", "0.3"],
        ["steps", "--loss-curve", "log.csv", "--bins", "4", "--target", "0.3"],
        ["steps", "--loss-curve", "log.csv", "--length", "1e18", "--bins", "4", "--target", "0.3"],
        ["plot", "--kind", "error-vs-nfe", "--mi-total", "1", "-L", "8", "-o", "e.png"],
        ["plot", *j3, "--kind", "error-vs-nfe", "-o", "e.png"],
        ["plot", *j3, "--kind", "error-vs-nfe", "--sampler", "nosuch:1", "-o", "e.png"],
        ["plot", "--loss-curve", "cs.csv", "--kind", "error-vs-nfe", "--sampler", "confidence:0.5", "-o", "e.png"],
        ["plot", "--kind", "curve", "--mi-total", "1", "-L", "8", "-o", "c.png"],
        ["plot", "--kind", "curve", "--loss-curve", "curve-one-point.csv", "-o", "c.png"],
        ["plot", "--kind", "curve", *j3, "-o", "c.png"],
        ["plot", "--kind", "nosuch", *j3, "-o", "c.png"],
    ]
    return cases


def all_cases() -> list[list[str]]:
    """Every hostile command line (arguments after ``boundcalc``), output cases last."""
    return _file_cases() + _value_cases() + ISSUE_21 + _round_cases() + output_cases()


# -- estimates: every value derived from a measured curve carries its stderr, in every format ----------------

#: The measured curves (a CSV with stderr; a per-batch log averaged into bins) and the commands that take one.
ESTIMATE_CURVES = [["--loss-curve", "cs.csv"], ["--loss-curve", "log.csv", "--length", "8", "--bins", "4"]]
ESTIMATE_COMMANDS = [
    (["steps", "--target", "0.3"], ["--json"]),
    (["steps", "--target", "0.04/token"], ["--json"]),
    (["steps", "--target", "0.3", "--family", "cosine", "--by", "error"], ["--json", "--format latex"]),
    (["steps", "--target", "0.3", "--family", "cosine", "--by", "bound"], ["--json", "--format latex"]),
    (["steps", "--target", "0.3", "--by", "optimal"], ["--json", "--format latex"]),
    (["steps", "--target", "0.3", "--family", "mdlm", "--by", "error"], ["--json", "--format latex"]),
    (["steps", "--target", "0.3", "--family", "mdlm", "--by", "bound"], ["--json", "--format latex"]),
    (["steps", "--target", "0.3", "--family", "blocks:2:uniform"], ["--json", "--format latex"]),
    (["steps", "--budget", "4"], ["--json", "--format latex"]),
    (["steps", "--budget", "4", "--family", "mdlm", "--family", "blocks:2:uniform"], ["--json", "--format latex"]),
    (["bound", "--schedule", "uniform:2"], ["--json", "--format latex"]),
    (["bound", "--schedule", "cosine:4"], ["--json", "--format latex"]),
    (["bound", "--schedule", "blocks:2:uniform:4"], ["--json", "--format latex"]),
    (["bound", "--schedule", "mdlm:4"], ["--json", "--format latex"]),
    (["verify", "--schedule", "uniform:2"], ["--json", "--format latex"]),
    (["verify", "--schedule", "uniform:4", "--optimal"], ["--json", "--format latex"]),
    (["verify", "--schedule", "mdlm:4"], ["--json", "--format latex"]),
    (["verify", "--schedule", "info-optimal:2"], ["--json", "--format latex"]),
    (["sweep", "--steps", "1,2,4"], ["--json", "--csv", "--format latex"]),
    (["sweep", "--steps", "1,2,4", "-f", "cosine", "-f", "mdlm"], ["--json", "--csv", "--format latex"]),
    (["sweep", "--steps", "1,2,4", "--optimal"], ["--json", "--csv", "--format latex"]),
    (["sweep", "--steps", "1,2,4", "-f", "info-optimal", "-f", "uniform"], ["--json", "--csv", "--format latex"]),
    (["latex", "--expr", "theorem1", "--expr", "steps-theorem1", "--expr", "theorem2-upper", "--with-values",
      "--schedule", "uniform:2", "--target", "0.5"], []),
    (["latex", "--all", "--with-values", "--schedule", "uniform:2", "--target", "0.5"], []),
]
#: JSON keys whose exact numbers are the user's inputs, and sampler properties that no curve enters.
EXACT_INPUTS = {"target", "eps_train", "per_token"}
SAMPLER_FACTS = {"expected_nonempty_steps", "expected_s_max", "expected_calls", "expected_max_mask_size",
                 "expected_coefficients"}
#: Words that claim exactness; allowed only in these phrases (method names, and saying "not exact").
_CLAIMS = re.compile(r"justified|exact", re.I)
_ALLOWED = ("not exact", "exact chain of ceilings", "exact second batch", "exact dp", "exact count dp",
            "exact rationals", "inexact")


def estimate_cases() -> list[list[str]]:
    """Every command with a measured --loss-curve, in each of its formats (the table first)."""
    return [[*head, *curve, *fmt.split()] for head, formats in ESTIMATE_COMMANDS for curve in ESTIMATE_CURVES
            for fmt in ["", *formats]]


def estimate_problems(args: list[str], stdout: str) -> list[str]:
    """Values without their stderr, and claims of exactness, in one output of :func:`estimate_cases`."""
    import csv
    import io
    import json

    if "--json" in args:
        return _json_problems(json.loads(stdout), "")
    if "--csv" in args:
        problems = []
        for row in csv.DictReader(io.StringIO(stdout)):
            for key, value in row.items():
                # a stderr, an effect or an interval's end (error_low/error_high) is the uncertainty itself
                if key in SAMPLER_FACTS or key.endswith(("_stderr", "_interpolation", "_abs", "_low", "_high")):
                    continue
                if value and re.fullmatch(r"-?\d*\.\d+(e-?\d+)?", value):
                    stderr = row.get(key + "_stderr")
                    if stderr in (None, "", "?"):
                        problems.append(f"CSV {key} = {value} without stderr ({stderr!r})")
        return problems
    problems = [f"says {m.group()!r}: ...{stdout[max(0, m.start() - 50):m.end() + 30]!r}"
                for m in _CLAIMS.finditer(stdout)
                if not any(p in stdout[max(0, m.start() - 20):m.end() + 20].lower() for p in _ALLOWED)]
    latex = args[0] == "latex" or "latex" in args
    for line in stdout.splitlines():
        final = re.search(r"\\approx -?[\d.]+(?: \\times 10\^\{-?\d+\})?\s*(?:\\\\|,|$)", line)
        if latex and final and r"\pm" not in line:
            problems.append(f"LaTeX value without \\pm: {line.strip()[:120]}")
        values = line.rstrip("\\ ").split(" & ")[2:]  # after T (or the family) and s_max (E S_max: the sampler's)
        header = "$T$" in line or line.startswith(("Family", "Result")) or " & --- & " in line  # no value: a reason
        # a decimal without its \pm (integers are counts: T, s_max, larger T that miss)
        if latex and not header and any(re.search(r"\d\.\d|\\times 10", cell) and r"\pm" not in cell
                                        for cell in values):
            problems.append(f"LaTeX row without \\pm: {line.strip()[:120]}")
        if not latex and line.startswith("│") and re.search(r"\d\.\d", line) and "±" not in line \
                and not _row_of_inputs(line):
            problems.append(f"table row without ±: {line.strip()[:120]}")
    return problems


def _row_of_inputs(line: str) -> bool:
    """A table row whose decimals are all inputs or sampler facts (a target, E calls), not values from the curve."""
    cells = [c.strip() for c in line.strip("│").split("│")]
    return all(not re.search(r"\d\.\d", c) or c.startswith(("0.3", "0.04", "0.5")) or "E calls" in c
               for c in cells[1:])


def _json_problems(node: object, path: str) -> list[str]:
    out: list[str] = []
    key = path.rsplit(".", 1)[-1]
    if any(fact in path for fact in SAMPLER_FACTS):
        return []
    if isinstance(node, dict):
        # G(0) = L (d(0) - d(0)) is 0 by definition (a level of set size 0), whatever the curve: exact, rightly
        structural_zero = node.get("value") == "0" and node.get("abs_error") == "0"
        if "value" in node and "abs_error" in node and key not in SAMPLER_FACTS and not structural_zero:
            if node.get("estimate") is not True:
                out.append(f"JSON {path}: not an estimate {node}")
            elif node.get("stderr") is None:
                out.append(f"JSON {path}: stderr null")
        if "exact" in node and "decimal" in node and key not in EXACT_INPUTS:
            out.append(f"JSON {path}: an exact number {node}")
        for k, v in node.items():
            out += _json_problems(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _json_problems(v, f"{path}[{i}]")
    return out
