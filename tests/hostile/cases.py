"""Hostile command lines for every boundcalc command: the corpus files on every file flag, and bad values.

Shared by tests/test_hostile.py (in-process, every case) and tests/hostile/run.py
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


def all_cases() -> list[list[str]]:
    """Every hostile command line (arguments after ``boundcalc``)."""
    return _file_cases() + _value_cases()
