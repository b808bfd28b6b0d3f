"""Every string a LaTeX table shows is mathematics or prose, and a sweep's LaTeX shows every bound, fitting.

The library explains itself in plain text for a terminal (``s_max = ceil(L/T)``); what reaches a paper must
not carry those code spellings. These tests generate every ``--format latex`` table for every sampler family
of the registry and every bound, and scan the text outside math for code: underscores, ``ceil(``,
``floor(``, ``log2``, ``<=``/``>=``, backticks, file names, code names of bounds.
"""

from __future__ import annotations

import re

import pytest

from boundcalc.latex.prose import math_text, prose
from boundcalc.registry import families

from test_latex import compile_latex

CHAIN = '{"states": [0, 1], "transition": [[0.9, 0.1], [0.2, 0.8]]}'
CURVE = "masked,loss_nats,stderr_nats\n1,0.05,0.01\n4,0.1,0.01\n8,0.3,0.02\n16,0.6,0.02\n"
MS = "token,level,value\n" + "".join(f"{i},0,0.125\n{i},1,0.1875\n{i},2,0.25\n" for i in range(1, 9))

#: A schedule of L = 8 tokens from every fixed family (unbalanced ones too, so that the reasons show).
SCHEDULES = ["uniform:3", "dream:3", "linear:3", "cosine:3", "cosine-mdlm:3", "power:3:2", "blocks:2:uniform:4",
             "blocks:2:cosine:6", "flat-blocks:2:uniform:4", "llada:8:4:6", "random:4", "degenerate:4",
             "reversed:cosine:3", "5,2,1", "uniform:8"]  # random-count samplers: in the sweeps (no bound table)
#: Sweep families (every one that takes a grid of T); the curve's own families in steps --budget.
SWEEP_FAMILIES = ["uniform", "dream", "linear", "cosine", "cosine-mdlm", "power:2", "blocks:2:uniform:T",
                  "flat-blocks:2:cosine:T", "mdlm", "sedd", "dream-origin"]
CURVE_FAMILIES = ["info-optimal", "optimal"]


@pytest.mark.parametrize("text, expected", [
    ("not balanced (s_max = 3): needs s_max = ceil(L/T) = 2",
     r"not balanced ($s_{\max} = 3$): needs $s_{\max} = \lceil L/T \rceil = 2$"),
    ("the block at 0 is not balanced (s_max = 4, ceil(B/T_b) = 3)",
     r"the block at 0 is not balanced ($s_{\max} = 4$, $\lceil B/T_{b} \rceil = 3$)"),
    ("needs a multi-scale profile Φ", r"needs a multi-scale profile $\Phi$"),
    ("the random schedule on {S, S/2} needs S >= 2", r"the random schedule on $\{S, S/2\}$ needs $S \ge 2$"),
    ("the target is below the floor ε_train = 1/10",
     r"the target is below the floor $\varepsilon_{\mathrm{train}} = 1/10$"),
    ("no T <= 12 reaches it", r"no $T \le 12$ reaches it"),
    ("Theorem 2, upper", "Theorem 2, upper"),  # a number alone is text
    ("recursion (19) unrolled, blockwise", "recursion (19) unrolled, blockwise"),  # an equation reference
    ("E[c(S_max)]/L·ΣI + ε_train", r"$E[c(S_{\max})]/L \cdot \Sigma I + \varepsilon_{\mathrm{train}}$"),
    ("in 'blocks:2:uniform:3': 3 steps", "in 'blocks:2:uniform:3': 3 steps"),  # a sampler's name
    ("a floor(x/2) and 2^ceil(log2 s_max) - 1",
     r"a $\lfloor x/2 \rfloor$ and $2^{\lceil \log_2 s_{\max} \rceil} - 1$"),
])
def test_prose_sets_formulas_in_math(text, expected):
    assert prose(text) == expected


def test_math_text():
    assert math_text("s_max - 1 <= 2^k") == r"s_{\max} - 1 \le 2^k"
    assert math_text("log2(s)") == r"\log_2(s)"


def text_outside_math(tex: str) -> str:
    """The text a reader sees as words: comments, inline and display math, math environments removed."""
    tex = re.sub(r"(?<!\\)%.*", "", tex)
    tex = re.sub(r"\\begin\{(equation|align|gather|multline)\*?\}.*?\\end\{\1\*?\}", " ", tex, flags=re.S)
    tex = re.sub(r"\\\[.*?\\\]", " ", tex, flags=re.S)
    tex = re.sub(r"\$\$.*?\$\$", " ", tex, flags=re.S)
    tex = re.sub(r"(?<!\\)\$.*?(?<!\\)\$", " ", tex, flags=re.S)
    tex = re.sub(r"\\(label|ref|eqref|cite|begin|end|usepackage|documentclass)(\[[^]]*\])?\{[^}]*\}", " ", tex)
    return tex


#: Code spellings that must never be seen as text in a paper: each with what it catches.
CODE = {
    r"_": "an identifier (s_max, eps_train, block_sharp) or an escaped underscore",
    r"ceil\(|floor\(|log2": "a function written as code",
    r"<=|>=|!=": "an operator written as code",
    r"`": "a backtick",
    r"[\w./-]+\.(?:py|md|csv|json|txt|tex)\b|docs/": "a file",
    r"\b(?:theorem1|theorem2_upper|corollary1|block_\w+|steps-\w+)\b": "a code name of a bound",
    r"\?(?!\$)": "a character the ASCII escape could not show",
    r"--[a-z]": "a command-line flag",
}


def assert_no_code(tex: str, where: str) -> None:
    text = text_outside_math(tex)
    for pattern, what in CODE.items():
        found = [line for line in text.splitlines() if re.search(pattern, line)]
        assert not found, f"{where}: {what}: {found[:3]}"


def _registered_families_tried() -> None:
    """Every registered family that is not a sampler rule is in SCHEDULES, SWEEP_FAMILIES or CURVE_FAMILIES."""
    tried = {spec.split(":")[0] for spec in SCHEDULES + SWEEP_FAMILIES + CURVE_FAMILIES} | {"sizes"}  # 5,2,1
    missing = [f.name for f in families() if not f.is_rule and f.name not in tried]
    assert not missing, f"add a schedule of {missing} to the scan"


def every_table(run, write) -> list[tuple[str, str]]:
    """(command, LaTeX) for every --format latex table: every family and every bound, with its reasons."""
    chain, curve, ms = write("chain.json", CHAIN), write("c.csv", CURVE), write("ms.csv", MS)
    mi = ["--mi-total", "2", "--length", "8"]
    commands = []
    for spec in SCHEDULES:
        commands.append(["bound", "--schedule", spec, *mi, "--eps-train", "0.01", "--format", "latex"])
    # an unbalanced block (16 tokens: blocks of 8 in 3 cosine steps)
    commands.append(["bound", "--schedule", "blocks:2:cosine:6", "--mi-total", "2", "--length", "16", "--format", "latex"])
    for spec in ["uniform:3", "uniform:8", "4,3,1", "cosine:4"]:  # Theorem 2's rows and their reasons
        commands.append(["bound", "--schedule", spec, *mi, "--ms-profile", ms, "--format", "latex"])
    for bound in ["theorem1", "recursion", "sharp"]:
        commands.append(["steps", *mi, "--target", "0.3", "--target", "0.001", "--bound", bound, "--eps-train",
                         "0.01", "--format", "latex"])
        commands.append(["steps", *mi, "--budget", "3", "--bound", bound, "--family", "uniform", "--family",
                         "cosine", "--family", "blocks:2:uniform", "--family", "mdlm", "--format", "latex"])
    commands.append(["steps", "--loss-curve", curve, "--length", "16", "--budget", "5", "--format", "latex",
                     *[arg for f in ["uniform", "cosine", "mdlm", *CURVE_FAMILIES] for arg in ("--family", f)]])
    for spec in ["uniform:3", "cosine:3", "blocks:2:uniform:4", "5,4,3"]:
        commands.append(["verify", "--markov", chain, "--length", "12", "--schedule", spec, "--format", "latex"])
    sweep = ["--steps", "1,2,4,8", "--format", "latex", "--all-bounds"]
    families_ = [arg for f in SWEEP_FAMILIES for arg in ("-f", f)]
    commands.append(["sweep", "--markov", chain, "--length", "8", "--optimal", *families_, *sweep])
    commands.append(["sweep", *mi, *families_, *sweep])
    commands.append(["sweep", "--loss-curve", curve, "--length", "16", *families_, *sweep])
    out = []
    for command in commands:
        result = run(*command)
        assert result.exit_code == 0, (command, result.output)
        out.append((" ".join(command), result.stdout))
    return out


def test_every_table_reads_as_mathematics_and_prose(run, write):
    _registered_families_tried()
    tables = every_table(run, write)
    for command, tex in tables:
        assert_no_code(tex, command)
    reasons = "".join(tex for _, tex in tables)
    # the reasons are there, in mathematics: the scan saw them
    assert r"needs $s_{\max} = \lceil L/T \rceil = 3$" in reasons
    assert r"($s_{\max} = 4$, $\lceil B/T_{b} \rceil = 3$)" in reasons
    assert r"$s_{\max} = 1$: one token per step, the error is $\varepsilon_{\mathrm{train}}$" in reasons


def test_the_scan_catches_code():
    for bad in [r"needs s\_max = 2", "needs ceil(L/T)", "T <= 4", "see `steps`", "in docs/theory.md",
                "theorem1 bound", "profile ?", "with --bound sharp"]:
        with pytest.raises(AssertionError):
            assert_no_code(bad, "bad")
    assert_no_code(r"needs $s_{\max} = \lceil L/T \rceil$ ($\pm\,?$ where none), Table~\ref{bc:tab:sweep}", "good")


def _bound_columns(tex: str) -> list[str]:
    """The bound columns' tags of every table in ``tex`` (the heading cells after T, s_max and the errors)."""
    heads = [line for line in tex.splitlines() if line.startswith("$T$ & ")]
    return [cell.strip(" \\") for line in heads for cell in line.split(" & ")[2:]
            if cell.strip(" \\") not in ("Error", "Optimal", "Est. error")]


def test_sweep_latex_shows_every_bound_with_all_bounds(run, write):
    chain = write("chain.json", CHAIN)
    args = ["sweep", "--markov", chain, "--length", "12", "--steps", "1,3,12", "-f", "uniform", "-f", "mdlm",
            "-f", "blocks:2:uniform:T", "--optimal"]
    csv = run(*args, "--csv").stdout.splitlines()[0].split(",")
    every = run(*args, "--format", "latex", "--all-bounds")
    assert every.exit_code == 0, every.output
    # every bound of the CSV (its blockwise forms in the same columns; (13) is about the random schedule)
    tags = {"theorem1": "(8)", "recursion": "(D2)", "sharp": "(D4)", "corollary1": "(9)", "ter": "(11)",
            "theorem2_upper": "(12)"}
    in_csv = [name for name in csv if name in tags or name.startswith("block_")]
    assert set(in_csv) - set(tags) <= {"block_" + name for name in tags}
    assert sorted(_bound_columns(every.stdout)) == sorted(tags[name] for name in in_csv if name in tags)
    assert every.stdout.count(r"\begin{table}") >= 2 and r"\label{bc:tab:sweep-2}" in every.stdout
    assert r"Table~\ref{bc:tab:sweep} continued" in every.stdout
    # the default: Theorem 1, the sharp bound and Theorem 2's upper bound, one table
    default = run(*args, "--format", "latex").stdout
    assert _bound_columns(default) == ["(8)", "(D4)", "(12)"] and default.count(r"\begin{table}") == 1
    chosen = run(*args, "--format", "latex", "--bound", "corollary1", "--bound", "ter").stdout
    assert _bound_columns(chosen) == ["(9)", "(11)"]
    # the same values as the CSV, column by column: Corollary 1 of uniform at T = 3
    import csv as csv_module
    import io

    rows = list(csv_module.DictReader(io.StringIO(run(*args, "--csv").stdout)))
    corollary = float(next(r for r in rows if r["family"] == "uniform" and r["steps"] == "3")["corollary1"])
    cell = next(line for line in chosen.splitlines() if line.startswith("3 & 4 & "))
    assert abs(float(cell.split(" & ")[4].strip("$")) - corollary) <= 1e-5 * corollary


def test_sweep_bound_choice_is_checked(run):
    base = ["sweep", "--mi-total", "2", "--length", "12", "--steps", "1,3,12"]
    missing = run(*base, "--format", "latex", "--bound", "theorem2_upper")
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1
    assert "theorem2_upper applies to no row" in missing.stderr and "theorem1, recursion" in missing.stderr
    no_latex = run(*base, "--all-bounds")
    assert no_latex.exit_code == 2 and "--format latex" in no_latex.stderr
    both = run(*base, "--format", "latex", "--all-bounds", "--bound", "sharp")
    assert both.exit_code == 2 and "not both" in both.stderr


@pytest.mark.latex
def test_every_bound_of_a_sweep_fits_an_article_column(run, write, tmp_path):
    """--all-bounds at 6 and at 17 digits, for every family: one pdflatex run, no overfull box."""
    chain, curve = write("chain.json", CHAIN), write("c.csv", CURVE)
    families_ = [arg for f in SWEEP_FAMILIES for arg in ("-f", f)]
    body = []
    for digits in ("6", "17"):
        for source in (["--markov", chain, "--length", "8", "--optimal"], ["--mi-total", "1/3", "--length", "1000"],
                       ["--loss-curve", curve, "--length", "16"]):
            steps = "1,7,1000" if "1000" in source else "1,3,8"
            result = run("sweep", *source, *families_, "--steps", steps, "--all-bounds", "--format", "latex",
                         "--digits", digits)
            assert result.exit_code == 0, result.output
            body.append(result.stdout)
    article = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage{booktabs,tabularx}\n"
               "\\begin{document}\n%s\n\\end{document}\n")
    compile_latex(article % "\n\\clearpage\n".join(body), tmp_path)


#: Words about software that a mathematical document never uses (besides CODE's spellings).
SOFTWARE_WORDS = re.compile(r"\b(?:tests?|tested|files?|flags?|OCR|code|software|boundcalc|command|CLI|JSON|CSV"
                            r"|Python|module|script|exit|stdout|library|implementation|program|docs)\b", re.I)


def test_the_derivation_document_reads_as_mathematics_only(run):
    """`latex --all --standalone --proofs`, with and without values: no software word, no code spelling."""
    plain = run("latex", "--all", "--standalone", "--proofs")
    valued = run("latex", "--all", "--standalone", "--proofs", "--with-values", "--schedule", "5,3,2", "--mi-total",
                 "2", "--length", "10", "--eps-train", "0.1", "--target", "0.3", "--vocab-size", "8")
    for result in (plain, valued):
        assert result.exit_code == 0, result.output
        assert_no_code(result.stdout, "latex --all --standalone --proofs")
        found = sorted({m.group(0) for m in SOFTWARE_WORDS.finditer(text_outside_math(result.stdout))})
        assert not found, found
    # it is long enough for the scan to mean something: every section and the appendix are there
    text = text_outside_math(plain.stdout)
    assert len(text) > 20000 and "Fewest steps for a target by Theorem 1" in text and r"\appendix" in plain.stdout


def test_equation_numbers_are_said_to_be_those_of_the_first_version(run):
    """The published version's equation numbers were not checked (docs/theory.md): no output claims them."""
    document = run("latex", "--all", "--standalone").stdout
    assert "Equation and section numbers are those of the first arXiv version" in " ".join(document.split())
    assert "numbers are the paper's" not in document
    pasted = run("latex", "-x", "theorem1").stdout
    assert pasted.startswith("% Equation numbers (8), (9), ... are those of the first arXiv version of Li & Cai")
    from boundcalc import references

    assert "whose equation numbers are cited" in references.bibtex(["li2025convergence"])
    assert "its equation numbers are the ones cited" in references.thebibliography(["li2025convergence"])
