"""``boundcalc latex``: snippets, documents, values, files, and every bad input (exit 2 or 1, no traceback)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from boundcalc import symbolic as sym
from boundcalc.cli import main
from boundcalc.cli.latex import latex as latex_command

from test_latex import KL, SUM, compile_latex

GROUP = main

CASE = ["--schedule", "5,3,2", "--mi-total", "2", "--length", "10", "--eps-train", "0.1"]


def run(*args: str):
    result = CliRunner().invoke(GROUP, ["latex", *map(str, args)], catch_exceptions=False)
    return result


def test_one_expression():
    result = run("--expr", "theorem1")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "% theorem1 (8): E_M KL <= (2^ceil(log2 s_max) - 1)/L ΣI + ε_train, any schedule",
        sym.get("theorem1").to_latex(),
    ]
    assert result.stderr == ""


def test_several_expressions_and_underscore_names():
    result = run("--expr", "sharp", "-x", "steps_sharp")
    assert result.exit_code == 0
    assert result.stdout.count("\n% ") == 1 and "% steps-sharp (D9)" in result.stdout


def test_all_snippets_in_order():
    result = run("--all")
    assert result.exit_code == 0
    comments = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("% ")]
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
    assert result.stdout.splitlines()[-1] == (
        rf"{KL} \le \frac{{2^{{\lceil\log_2 5\rceil}} - 1}}{{10}} \cdot 2 + \frac{{1}}{{10}} = \frac{{3}}{{2}} \approx 1.5"
    )


def test_with_values_required_steps_and_ter_target():
    result = run("--expr", "steps-sharp", "--with-values", "--mi-total", "12.5", "-L", "1024", "--target", "0.05")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].endswith(r"\right\rceil = 205")
    ter = run("--expr", "steps-ter", "--with-values", "--mi-total", "12.5", "-L", "1024", "--target", "0.001")
    assert ter.exit_code == 0
    assert ter.stdout.splitlines()[-1].startswith(r"R = \frac{1024 \left(1024 \cdot \frac{1}{1000} - 0\right)}")


def test_with_values_from_a_profile_file_and_smax(tmp_path):
    profile = tmp_path / "mi.txt"
    profile.write_text("0.5\n0.5\n0.5\n0.5\n")
    result = run("--expr", "sharp", "--expr", "recursion-step", "--with-values", "--mi-profile", profile, "--smax", "3")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[2] == rf"{KL} \le \frac{{3 - 1}}{{4}} \cdot 2 + 0 = 1"
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


def test_all_standalone_with_values_compiles(tmp_path):
    result = run("--all", "--standalone", "--with-values", *CASE, "--target", "0.3", "--vocab-size", "8")
    assert result.exit_code == 0
    assert result.stdout.count("With the values of this case") == len(sym.NAMES) - 2  # corollary1 forms do not apply
    compile_latex(result.stdout, tmp_path)


def test_output_file(tmp_path):
    target = tmp_path / "bounds.tex"
    result = run("--all", "--standalone", "--output", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text().startswith("\\documentclass")


@pytest.mark.parametrize(
    "args, code, message",
    [
        ((), 2, "Error: give --expr NAME or --all (names: recursion-step, level-inequality,"),
        (("--expr", "theorem1", "--all"), 2, "Error: give --expr NAME or --all, not both"),
        (
            ("--expr", "theorem3"),
            2,
            "Error: --expr: unknown expression 'theorem3' (known: recursion-step, level-inequality, closed-form, theorem1,",
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
        (("--expr", "theorem1", "--output", "/nonexistent-dir/x.tex"), 1, "Error: --output: cannot write '/nonexistent-dir/x.tex'"),
    ],
)
def test_bad_input(args, code, message):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


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
    """The `$ boundcalc latex` examples of the docs/cli.md section."""
    from pathlib import Path
    import re

    text = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text()
    section = text[text.index("## `boundcalc latex`") :]
    for block in re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ boundcalc latex"):
                expected = []
                for follow in lines[i + 1 :]:
                    if follow.startswith("$ "):
                        break
                    expected.append(follow)
                yield line[len("$ boundcalc latex ") :], expected


@pytest.mark.parametrize("command, expected", list(_cli_section_runs()))
def test_documented_cli_section_is_real(tmp_path, monkeypatch, command, expected):
    import shlex

    monkeypatch.chdir(tmp_path)
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

    text = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text()
    section = text[text.index("## `boundcalc latex`") :]
    for param in latex_command.params:
        for flag in param.opts:
            if flag.startswith("--"):
                assert f"`{flag}" in section, flag
