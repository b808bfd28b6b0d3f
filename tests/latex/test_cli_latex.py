"""``boundcalc latex``: snippets, documents, values, files, and every bad input (exit 2 or 1, no traceback)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from boundcalc import latex as tex
from boundcalc import symbolic as sym
from boundcalc.cli import main
from boundcalc.cli.latex import latex as latex_command

from doc_fixtures import FIXTURES
from test_latex import KL, KL_RANDOM, SUM, compile_latex

GROUP = main

CASE = ["--schedule", "5,3,2", "--mi-total", "2", "--length", "10", "--eps-train", "0.1"]

#: A multi-scale profile for CASE (L = 10, S = 8: sets of 2, 6, 8, 9 tokens); level totals 0, 1/4, 1/2, 1, Φ = 3/8.
MS_JSON = '{"max_mask_size": 8, "values": [' + ", ".join(['[0, "1/40", "1/20", "0.1"]'] * 10) + "]}"


@pytest.fixture
def ms_file(tmp_path):
    path = tmp_path / "ms.json"
    path.write_text(MS_JSON)
    return str(path)


def run(*args: str):
    result = CliRunner().invoke(GROUP, ["latex", *map(str, args)], catch_exceptions=False)
    return result


def displayed(stdout: str) -> list[str]:
    """The instantiated results of an output (``equation*`` blocks, ``split`` or not), each as one line."""
    out: list[str] = []
    current: list[str] | None = None
    for line in stdout.splitlines():
        if line == r"\begin{equation*}":
            current = []
        elif line == r"\end{equation*}" and current is not None:
            out.append(" ".join(current))
            current = None
        elif current is not None and line not in (r"\begin{split}", r"\end{split}"):
            current.append(line.removeprefix("& \\quad ").removeprefix("& ").removesuffix(" \\\\"))
    return out


def test_one_expression():
    result = run("--expr", "theorem1")
    assert result.exit_code == 0
    header, blank, *lines = result.stdout.splitlines()
    # what the numbers are, once above the formulas (docs/theory.md, "Which version")
    assert header.startswith("% Equation numbers (8), (9), ... are those of the first arXiv version") and blank == ""
    assert lines[:2] == [
        "% theorem1 (8): E_M KL <= (2^ceil(log2 s_max) - 1)/L ΣI + ε_train, any schedule",
        r"% Source: Li \& Cai, Theorem~1, eq.~(8) \cite{li2025convergence}",
    ]
    # a labelled, tagged equation ready to paste: the formula, broken into lines like the documents do
    assert "\n".join(lines[2:]) + "\n" == tex.result_equation(sym.get("theorem1"))
    assert lines[2] == r"\begin{equation}" and lines[-2].endswith(r"\tag{8}\label{bc:theorem1}")
    flat = " ".join(line.strip("& ").removeprefix(r"\quad ").removesuffix(r" \\") for line in lines[4:-2])
    assert flat == sym.get("theorem1").to_latex()
    assert result.stderr == ""


def test_several_expressions_and_underscore_names():
    result = run("--expr", "sharp", "-x", "steps_sharp")
    assert result.exit_code == 0
    assert result.stdout.count("\n% ") == 4 and "% steps-sharp (D9)" in result.stdout  # the numbering line first
    assert r"\tag{D9, derived}\label{bc:steps-sharp}" in result.stdout


def test_all_snippets_in_order():
    result = run("--all")
    assert result.exit_code == 0
    comments = [line.split()[1] for line in result.stdout.splitlines()[2:] if line.startswith("% ") and "Source:" not in line]
    assert comments == list(sym.NAMES)


def test_list():
    result = run("--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(sym.NAMES)
    assert lines[3].split()[:2] == ["theorem1", "(8)"]


def test_with_values():
    result = run("--expr", "theorem1", "--with-values", *CASE)
    assert result.exit_code == 0
    assert result.stdout.rstrip().endswith("\\end{equation*}")  # pasted into a document's body, it compiles
    assert displayed(result.stdout) == [
        rf"{KL} \le \frac{{2^{{\lceil\log_2 5\rceil}} - 1}}{{10}} \cdot 2 + \frac{{1}}{{10}} = \frac{{3}}{{2}} \approx 1.5"
    ]


def test_with_values_required_steps_and_ter_target():
    result = run("--expr", "steps-sharp", "--with-values", "--mi-total", "12.5", "-L", "1024", "--target", "0.05")
    assert result.exit_code == 0
    assert displayed(result.stdout)[-1].endswith(r"\right\rceil = 205")
    ter = run("--expr", "steps-ter", "--with-values", "--mi-total", "12.5", "-L", "1024", "--target", "0.001")
    assert ter.exit_code == 0
    assert displayed(ter.stdout)[-1].startswith(r"R = \frac{1024 \left(1024 \cdot \frac{1}{1000} - 0\right)}")


def test_with_values_from_a_profile_file_and_smax(tmp_path):
    profile = tmp_path / "mi.txt"
    profile.write_text("0.5\n0.5\n0.5\n0.5\n")
    result = run("--expr", "sharp", "--expr", "recursion-step", "--with-values", "--mi-profile", profile, "--smax", "3")
    assert result.exit_code == 0
    lines = displayed(result.stdout)
    assert rf"{KL} \le \frac{{3 - 1}}{{4}} \cdot 2 + 0 = 1" in lines
    assert lines[-1].startswith(r"\varepsilon(3) \le \frac{3 + 2}{2 \cdot 4}")


def test_all_with_values_marks_what_it_cannot_instantiate():
    result = run("--all", "--with-values", *CASE)
    assert result.exit_code == 0
    out = result.stdout
    assert "% not instantiated: corollary1: the condition s_max = ceil(L/T)" in out
    assert "% not instantiated: needs --target" in out
    assert "% not instantiated: needs --vocab-size" in out
    assert r"= \frac{3}{2} \approx 1.5" in out


def test_standalone_document(tmp_path):
    result = run("--expr", "theorem1", "--standalone")
    assert result.exit_code == 0
    assert result.stdout.startswith("\\documentclass") and result.stdout.rstrip().endswith("\\end{document}")
    assert "\\tag{8}" in result.stdout
    compile_latex(result.stdout, tmp_path)


def test_all_standalone_is_the_derivation_document(tmp_path):
    from boundcalc.latex import derivation_document

    result = run("--all", "--standalone")
    assert result.exit_code == 0
    assert result.stdout == derivation_document()
    compile_latex(result.stdout, tmp_path)


def test_all_standalone_with_values_compiles(tmp_path, ms_file):
    result = run("--all", "--standalone", "--with-values", *CASE, "--target", "0.3", "--vocab-size", "8", "--ms-profile", ms_file)
    assert result.exit_code == 0
    assert result.stdout.count("With the values of this case") == len(sym.NAMES) - 2  # corollary1 forms do not apply
    compile_latex(result.stdout, tmp_path)


def test_with_values_from_a_multiscale_profile(ms_file):
    result = run("--expr", "theorem2-upper", "-x", "theorem2-lower", "-x", "multiscale-phi", "--with-values", *CASE, "--ms-profile", ms_file)
    assert result.exit_code == 0, result.output
    lines = displayed(result.stdout)
    assert rf"{KL} \le \frac{{8}}{{10}} \cdot \frac{{3}}{{8}} + \frac{{1}}{{10}} = \frac{{2}}{{5}} \approx 0.4" in lines
    assert rf"{KL_RANDOM} \ge \frac{{8}}{{16 \cdot 10}} \cdot \frac{{3}}{{8}} + \frac{{1}}{{10}} = \frac{{19}}{{160}} \approx 0.11875" in lines
    assert lines[-1].endswith(
        r"= G(2) + \frac{1}{2} G(6) + \frac{1}{4} G(8) + \frac{1}{8} G(9) = 0 + \frac{1}{2} \cdot \frac{1}{4} + "
        r"\frac{1}{4} \cdot \frac{1}{2} + \frac{1}{8} \cdot 1 = \frac{3}{8} \approx 0.375"
    )


def test_multiscale_profile_alone_gives_l_and_the_numbers_agree_with_bound(ms_file, run):
    from fractions import Fraction

    latex_run = run("latex", "-x", "theorem2-upper", "--with-values", "--ms-profile", ms_file, "--schedule", "uniform:2")
    assert latex_run.exit_code == 0, latex_run.output
    assert displayed(latex_run.stdout)[-1].endswith(r"+ 0 = \frac{3}{10} \approx 0.3")
    bound = run("bound", "--mi-total", "2", "-L", "10", "--schedule", "uniform:2", "--ms-profile", ms_file, "--json")
    assert Fraction(bound.json["bounds"]["theorem2_upper"]["exact"]) == Fraction(3, 10)


def test_all_with_values_without_a_multiscale_profile():
    result = run("--all", "--with-values", *CASE)
    assert result.exit_code == 0
    assert result.stdout.count("% not instantiated: needs --ms-profile\n") == 3  # multiscale-phi, theorem2-upper, -lower
    assert displayed(result.stdout)[-1] == r"\frac{C_2}{C_3} = 16"  # the gap needs no values


def test_output_file(tmp_path):
    target = tmp_path / "bounds.tex"
    result = run("--all", "--standalone", "--output", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text().startswith("\\documentclass")


@pytest.mark.parametrize(
    "args, code, message",
    [
        ((), 2, "Error: give --expr NAME, --all or --proofs (names: recursion-step, level-inequality,"),
        (("--expr", "theorem1", "--all"), 2, "Error: give --expr NAME or --all, not both"),
        (
            ("--expr", "theorem3"),
            2,
            "Error: --expr: unknown expression 'theorem3' (did you mean theorem1,",
        ),
        (("--expr", "theorem1", "--mi-total", "2"), 2, "Error: --mi-total is used only with --with-values"),
        (("--expr", "theorem1", "--with-values"), 2, "Error: --with-values: needs the numbers of a case"),
        (
            ("--expr", "theorem1", "--with-values", "--mi-total", "2", "-L", "10"),
            2,
            "Error: --with-values: theorem1 needs s_max (--schedule or --smax)",
        ),
        (
            ("--expr", "steps-sharp", "--with-values", "--mi-total", "2", "-L", "10"),
            2,
            "Error: --with-values: steps-sharp needs eps (--target)",
        ),
        (("--expr", "theorem1", "--with-values", "--mi-total", "2"), 2, "Error: --mi-total needs --length L"),
        (("--expr", "theorem1", "--with-values", "--smax", "0"), 2, "'0' is not allowed"),
        (("--expr", "theorem1", "--with-values", "--target", "-1"), 2, "'-1' is not allowed"),
        (
            ("--expr", "theorem1", "--with-values", "--schedule", "5,3,2", "--smax", "4", "--mi-total", "1", "-L", "10"),
            2,
            "Error: --smax: 4 disagrees with the schedule's s_max = 5",
        ),
        (
            ("--expr", "theorem1", "--with-values", "--schedule", "5,3", "--mi-total", "1", "-L", "10"),
            2,
            "Error: --schedule: the sizes 5,3 sum to 8, but L = 10",
        ),
        (
            ("--expr", "steps-sharp", "--with-values", "--mi-total", "2", "-L", "10", "--target", "0.05", "--eps-train", "0.1"),
            1,
            "Error: steps-sharp: the condition ε >= ε_train (below it no T reaches the target) does not hold "
            "(eps = 1/20, eps_train = 1/10)",
        ),
        (
            ("--expr", "corollary1", "--with-values", *CASE),
            1,
            "Error: corollary1: the condition s_max = ceil(L/T) (balanced, e.g. uniform schedules) does not hold "
            "(L = 10, T = 3, s_max = 5)",
        ),
        (("--expr", "theorem1", "--output", "/nonexistent-dir/x.tex"), 2, "Error: --output: cannot write '/nonexistent-dir/x.tex'"),
        (("--expr", "theorem2-upper", "--ms-profile", "ms.json"), 2, "Error: --ms-profile is used only with --with-values"),
        (
            ("--expr", "theorem2-upper", "--with-values", *CASE),
            2,
            "Error: --with-values: theorem2-upper needs S, Phi (--ms-profile)",
        ),
        (
            ("--expr", "multiscale-phi", "--with-values", "--mi-total", "2", "-L", "10"),
            2,
            "Error: --with-values: multiscale-phi needs S (--ms-profile)",
        ),
        (
            ("--expr", "theorem2-upper", "--with-values", "--ms-profile", "/nonexistent-ms.csv", "--smax", "2"),
            2,
            "Error: --ms-profile /nonexistent-ms.csv: the file does not exist",
        ),
    ],
)
def test_bad_input(args, code, message):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("-x", "theorem2-upper", "--schedule", "5,3,2"), 2, "Error: --schedule: the sizes 5,3,2 sum to 10, but L = 8"),
        (("-x", "theorem2-upper", "--smax", "5"), 2, "Error: theorem2-upper: the condition s_max <= S (Φ needs the levels of a power of two S >= s_max) does not hold (S = 4, s_max = 5)"),
        (
            ("-x", "theorem2-upper", "--schedule", "uniform:8"),
            1,
            "Error: theorem2-upper: the condition 2 <= s_max <= L (with s_max = 1 the error is exactly ε_train) does not hold (L = 8, s_max = 1)",
        ),
        (("-x", "theorem2-upper", "--smax", "2", "--mi-total", "9", "-L", "9"), 2, "Error: --ms-profile: the multi-scale profile has 8 tokens, the MI profile 9"),
        (("-x", "theorem2-upper", "--smax", "2", "--mi-total", "1", "-L", "8"), 2, "Error: --ms-profile: the last level sums to 2, more than ΣI = 1"),
        (("-x", "theorem2-upper", "--smax", "2", "--mi-constant", "1", "-L", "8", "--unit", "bits"), 0, ""),
    ],
)
def test_multiscale_profile_bad_input(tmp_path, args, code, message):
    # 8 tokens, S = 4: sets of 4, 6, 7 tokens, level totals 1, 3/2, 2
    path = tmp_path / "ms.csv"
    path.write_text("token,level,value\n" + "".join(f"{i},0,0.125\n{i},1,0.1875\n{i},2,0.25\n" for i in range(1, 9)))
    result = run(*args, "--with-values", "--ms-profile", path)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code:
        assert result.stderr.startswith(message) and result.stderr.count("\n") == 1 and result.stdout == ""
    else:
        assert displayed(result.stdout)[-1].endswith(r"\frac{4}{8} \cdot \frac{9}{4} + 0 = \frac{9}{8} \approx 1.125")


def test_output_to_a_directory_is_an_error(tmp_path):
    result = run("--expr", "theorem1", "--output", tmp_path)
    assert result.exit_code in (1, 2)
    assert "Error:" in result.stderr and "Traceback" not in result.output


def test_help_is_documented_and_quick_imports():
    result = run("--help")
    assert result.exit_code == 0 and "--standalone" in result.stdout and "--with-values" in result.stdout
    for param in latex_command.params:
        assert param.help, param.opts


def test_sympy_is_not_imported_by_help_or_the_core():
    code = (
        "import sys\n"
        "import boundcalc, boundcalc.bounds, boundcalc.steps, boundcalc.cli, boundcalc.cli.latex\n"
        "from boundcalc.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_sum_notation_in_output():
    assert SUM in run("--expr", "sharp").stdout


def _cli_section_runs():
    """The `$ boundcalc latex` examples of the docs/cli.md section, each after the other `$ boundcalc` commands
    of its block (which write the files it reads)."""
    from pathlib import Path
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    section = text[text.index("## `boundcalc latex`") :]
    for block in re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.S):
        lines = block.splitlines()
        setup = []
        for i, line in enumerate(lines):
            if line.startswith("$ boundcalc latex"):
                expected = []
                for follow in lines[i + 1 :]:
                    if follow.startswith("$ "):
                        break
                    expected.append(follow)
                yield pytest.param(tuple(setup), line[len("$ boundcalc latex ") :], expected, id=line[2:])
            elif line.startswith("$ boundcalc "):
                setup.append(line[len("$ boundcalc ") :])


@pytest.mark.parametrize("setup, command, expected", list(_cli_section_runs()))
def test_documented_cli_section_is_real(tmp_path, monkeypatch, setup, command, expected):
    import shlex

    monkeypatch.chdir(tmp_path)
    for name, content in FIXTURES.items():  # the files docs/cli.md's examples start from (chain.json, ...)
        (tmp_path / name).write_text(content)
    for step in setup:
        done = CliRunner().invoke(GROUP, shlex.split(step), catch_exceptions=False)
        assert done.exit_code == 0, (step, done.output)
    result = run(*shlex.split(command))
    errors = [line for line in expected if line.startswith("Error: ")]
    if errors:
        assert result.exit_code in (1, 2)
        assert result.stderr.strip() == errors[-1]
        return
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == expected


def test_documented_cli_section_covers_every_flag():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    section = text[text.index("## `boundcalc latex`") :]
    for param in latex_command.params:
        for flag in param.opts:
            if flag.startswith("--"):
                assert f"`{flag}" in section, flag


def test_snippets_are_the_latex_printers_form_of_a_result_catalogue():
    import sympy

    from boundcalc.answers import ResultCatalogue
    from boundcalc.profile import MIProfile

    sharp = sym.get("sharp")
    values = sym.values_for(profile=MIProfile.from_total(2, 10), eps_train=0)
    text = tex.latex(ResultCatalogue((sharp,)), values=values)
    assert text == tex.result_snippets([sharp], values)
    blocks = text.split("\n\n")
    assert blocks[0] == tex.NUMBERING and blocks[1].startswith(f"% sharp (D4): {sharp.summary}\n% Source: ")
    assert r"\tag{D4, derived}\label{bc:sharp}" in text and text.endswith("% not instantiated: needs s_max\n")
    said = tex.result_snippets([sharp], values, needs=lambda missing: f"{len(missing)} more")
    assert said.endswith("% not instantiated: needs 1 more\n")
    values[sym.s_max] = values[sym.s] = sympy.Integer(5)  # (5 - 1)/10 · 2 + 0 = 4/5
    assert r"\frac{5 - 1}{10} \cdot 2 + 0 = \frac{4}{5} \approx 0.8" in tex.result_snippets([sharp], values)
    # the command prints the same text (TER's unit aside, its default is bits only without numbers)
    assert run("--expr", "sharp").stdout == tex.result_snippets([sharp])
    output = run("--expr", "sharp", "--with-values", "--mi-total", "2", "--length", "10", "--smax", "5").stdout
    assert output == tex.result_snippets([sharp], values, unit="nats")
    assert run("--all", "--with-values", "--mi-total", "2", "--length", "10").stdout.count(
        "% not instantiated: needs --schedule or --smax\n") >= 2  # the flags, each once, from the command line
