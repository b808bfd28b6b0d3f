"""LaTeX tables (``--format latex`` on bound, steps, verify; ``latex_table`` for any other)."""

from __future__ import annotations

import re

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import bounds, steps
from boundcalc import latex as tex
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule

from test_latex import compile_latex


@pytest.mark.parametrize(
    "value, digits, error, expected",
    [
        (Fraction(3, 10), 6, None, "0.3"),
        (Fraction(1, 3), 6, None, r"\approx 0.333333"),
        (Fraction(2, 7), 3, None, r"\approx 0.286"),
        (12, 6, None, "12"),
        (Fraction(1, 8), 2, None, r"\approx 0.12"),  # half to even: 0.125 -> 0.12, not exact
        (Fraction(1, 10**9), 6, None, r"1 \times 10^{-9}"),
        (1.0, 6, 0.0625, r"\approx 1.00"),  # justified trailing zeros are shown
        (1234567.0, 3, 1.0, r"\approx 1.23 \times 10^{6}"),
        (1.0993581234, 6, 2e-4, r"\approx 1.0994"),  # the error's leading digit is in the 4th decimal
        (1.0993581234, 6, 2e-13, r"\approx 1.09936"),  # capped at --digits
        (0.00123456, 6, 3e-6, r"\approx 0.001235"),  # the last digit shown is at the place of the error
        (0.00123456, 6, 3e-5, r"\approx 0.00123"),
        (123.456, 6, 0.5, r"\approx 123.5"),
        (-2.5e-16, 6, 1e-15, r"\approx -3 \times 10^{-16}"),
        (5.0, 6, 30.0, r"\approx 5"),  # an error above the value: one digit, never none
    ],
)
def test_latex_number(value, digits, error, expected):
    assert tex.latex_number(value, digits, error) == expected


def test_float_noise_of_a_nonnegative_quantity_is_zero():
    assert tex.latex_number(-2.5e-16, 6, 1e-15, nonnegative=True) == r"\approx 0"


@settings(max_examples=80, deadline=None)
@given(
    st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
    st.floats(min_value=1e-12, max_value=1.0, allow_nan=False),
)
def test_shown_digits_stop_at_the_place_of_the_error(value, relative):
    error = Fraction(value * relative)
    text = tex.latex_number(value, 17, value * relative).removeprefix(r"\approx ")
    mantissa, _, exponent = text.partition(r" \times 10^{")
    shown = Decimal(mantissa).scaleb(int(exponent.rstrip("}") or 0))
    last_place = Fraction(10) ** shown.as_tuple().exponent  # the place of the last digit printed
    leading = Fraction(10) ** Decimal(value).adjusted()  # the place of the value's first digit
    # the last digit shown sits at the leading place of the error, error in [place, 10 place),
    # unless the error is as large as the value itself: then one digit
    if error < leading:
        assert last_place <= error < 10 * last_place
    else:
        assert last_place == leading
    assert abs(Fraction(shown) - Fraction(value)) <= last_place / 2  # correctly rounded at that place


def test_latex_table_layout_and_checks():
    table = tex.latex_table([("A", "l"), ("B (nats)", "r")], [["x", "$1$"], ["y", "$2$"]], "Cap.", "bc:tab:x",
                            notes=["a note"])
    assert table.splitlines() == [
        r"\begin{table}[htbp]",
        r"\centering",
        r"\caption{Cap.}\label{bc:tab:x}",
        r"\begin{tabular}{lr}",
        r"\toprule",
        r"A & B (nats) \\",
        r"\midrule",
        r"x & $1$ \\",
        r"y & $2$ \\",
        r"\bottomrule",
        r"\end{tabular}",
        r"\par\smallskip{\footnotesize a note}",
        r"\end{table}",
    ]
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        tex.latex_table([("a", "l")] * 3, [["x", "y"]], "c", "l")


def _case():
    return bounds.bound_report(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), "0.1")


def test_bound_table_values_and_tags():
    table = tex.latex(_case(), table=True)
    assert table == tex.bound_table(_case())
    rows = {line.split(" & ")[0]: line.split(" & ")[1:] for line in table.splitlines() if line.endswith(r"\\")}
    # L = 10, ΣI = 2, ε_train = 1/10, s_max = 5: coefficients 7 (Theorem 1), 5 (chain 5, 3, 2), 4 (sharp)
    assert rows["Theorem 1"][:2] == ["(8)", "$1.5$"]
    assert rows["recursion (19) unrolled"][:2] == ["(D2)", "$1.1$"]
    assert rows["sharp bound"][:2] == ["(D4)", "$0.9$"]
    assert rows["token error rate"][:2] == ["(11)", "$0.15$"]
    assert rows["Corollary 1"][:2] == ["(9)", "---"]
    # what the short tags stand for, once, under the table
    assert ("(D2), (D4): derived here; (9) with $C_1 = 2$ (explicit constants derived here); (8), (9), (11): "
            r"equations of the first arXiv version of~\cite{li2025convergence}." in table)
    assert r"\begin{tabularx}{\linewidth}{llrX}" in table  # the notes wrap: the table fits a column
    assert "not balanced" in rows["Corollary 1"][2]
    assert not any(name.startswith("Theorem 2") for name in rows)  # no multi-scale profile: not listed
    assert r"\label{bc:tab:bound}" in table and r"\cite{li2025convergence}" in table


def test_steps_table_rows():
    profile = MIProfile.from_total("12.5", 1024)
    results = [steps.required_steps(profile, target, "0.001") for target in ("0.05", "0.0001")]
    table = tex.latex(results, unit="nats")
    lines = [line for line in table.splitlines() if line.endswith(r"\\")][1:]
    # 0.05: R = (0.05 - 0.001) 1024 / 12.5 = 4.01408, s* = 4, T = 256, bound 3/1024 * 12.5 + 0.001
    assert lines[0] == r"$0.05$ & 256 & 4 & $0.0376211$ & $4$ \\"  # no \approx in cells: the caption says it
    assert lines[1] == r"$0.0001$ & none & --- & --- & --- \\"
    assert "Target (nats)" in table and "rounded to the digits shown" in table
    with pytest.raises(TypeError):
        tex.latex([1, 2])


def test_cli_format_latex(run, write):
    bound = run("bound", "--schedule", "5,3,2", "--mi-total", "2", "--length", "10", "--eps-train", "0.1", "--format", "latex")
    assert bound.exit_code == 0 and bound.stdout == tex.bound_table(_case())
    steps_out = run("steps", "--mi-total", "12.5", "--length", "1024", "--target", "0.05", "--format", "latex")
    assert steps_out.exit_code == 0 and r"\label{bc:tab:steps}" in steps_out.stdout
    both = run("bound", "--schedule", "5,3,2", "--mi-total", "2", "--length", "10", "--json", "--format", "latex")
    assert both.exit_code == 2 and both.stderr.strip() == "Error: --format: give --json or --format latex, not both"


def test_cli_verify_format_latex(run, write):
    chain = write("chain.json", '{"states": [0, 1], "transition": [[0.9, 0.1], [0.2, 0.8]]}')
    result = run("verify", "--markov", chain, "--length", "12", "--schedule", "uniform:3", "--format", "latex")
    assert result.exit_code == 0, result.output
    table = result.stdout
    exact = next(line for line in table.splitlines() if line.startswith("Exact error & (23)"))
    assert exact.split(" & ")[2].startswith("$0.") and "approx" not in exact
    assert "(12) with $C_2 = 1$, (13) with $C_3 = \\frac{1}{16}$" in table
    assert "chain.json" not in table and "texttt" not in table  # no paths, no software spellings in a caption
    assert r"\textbf{no}" not in table


#: A plain article with the packages the tables ask for (latex.TABLE_PACKAGES): every output must fit its column.
ARTICLE = "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n" + tex.TABLE_PACKAGES + "\n\\begin{document}\n%s\n\\end{document}\n"


@pytest.mark.latex
def test_every_latex_output_compiles_in_a_plain_article_without_overfull_boxes(run, write, tmp_path):
    """One pdflatex run for every ``--format latex`` table and pasted ``--with-values`` snippet: compile_latex
    fails on an error or on any overfull hbox in the log."""
    chain = write("chain.json", '{"states": [0, 1], "transition": [[0.9, 0.1], [0.2, 0.8]]}')
    curve = write("c.csv", "masked,loss_nats,stderr_nats\n1,0.05,0.01\n8,0.1,0.01\n16,0.3,0.02\n32,0.6,0.02\n")
    ms = write("ms.csv", "token,level,value\n" + "".join(f"{i},0,0.125\n{i},1,0.1875\n{i},2,0.25\n" for i in range(1, 9)))
    case = ["--mi-total", "12.5", "--length", "1024", "--eps-train", "0.001"]
    commands = [
        ["bound", "--schedule", "uniform:64", *case, "--format", "latex"],
        ["bound", "--schedule", "5,3,2", "--mi-total", "2", "--length", "10", "--eps-train", "0.1", "--format", "latex"],
        ["bound", "--schedule", "blocks:2:uniform:2", "--mi-total", "1.38", "--length", "4", "--format", "latex"],
        ["bound", "--schedule", "uniform:4", "--mi-total", "2", "--length", "8", "--ms-profile", ms, "--format", "latex"],
        ["steps", *case, "--target", "0.05", "--target", "0.01", "--target", "0.0001", "--format", "latex"],
        ["steps", *case, "--budget", "64", "--format", "latex"],
        ["steps", "--loss-curve", curve, "--length", "32", "--budget", "8", "--format", "latex"],
        ["verify", "--markov", chain, "--length", "12", "--schedule", "uniform:3", "--format", "latex"],
        ["sweep", "--markov", chain, "--length", "12", "--steps", "1,3,12", "--optimal", "-f", "uniform", "-f", "mdlm",
         "-f", "blocks:2:uniform:T", "--format", "latex"],
        ["sweep", "--loss-curve", curve, "--length", "32", "--steps", "1,4,32", "-f", "cosine", "--format", "latex"],
        ["latex", "--all", "--with-values", "--schedule", "5,3,2", "--mi-total", "2", "--length", "10",
         "--eps-train", "0.1", "--target", "0.3", "--vocab-size", "8"],
        ["latex", "-x", "theorem2-upper", "-x", "theorem2-lower", "-x", "multiscale-phi", "--with-values",
         "--ms-profile", ms, "--schedule", "uniform:2"],
        ["latex", "-x", "steps-sharp", "-x", "steps-ter", "-x", "recursion-step", "--with-values", *case,
         "--target", "0.05", "--smax", "37"],
        ["latex", "-x", "theorem1", "--with-values", "--loss-curve", curve, "--length", "32", "--schedule", "uniform:4"],
        # issue 21 round 3: estimates with their stderr, a search, verify from a curve, count samplers
        ["steps", "--loss-curve", curve, "--length", "32", "--target", "0.05", "--target", "0.01", "--family",
         "cosine", "--by", "error", "--format", "latex"],
        ["steps", "--loss-curve", curve, "--length", "32", "--target", "0.05", "--by", "optimal", "--format", "latex"],
        ["steps", "--loss-curve", curve, "--length", "32", "--target", "2", "--family", "mdlm", "--by", "bound",
         "--format", "latex"],
        ["verify", "--loss-curve", curve, "--length", "32", "--schedule", "uniform:4", "--format", "latex"],
        ["verify", "--loss-curve", curve, "--length", "32", "--schedule", "mdlm:4", "--format", "latex"],
        ["bound", "--schedule", "sedd:64", *case, "--format", "latex"],
        ["bound", "--loss-curve", curve, "--length", "32", "--schedule", "dream-origin:8", "--format", "latex"],
        ["sweep", "--loss-curve", curve, "--length", "32", "--steps", "1,4,32", "-f", "info-optimal", "--format",
         "latex"],
    ]
    body = []
    for command in commands:
        result = run(*command)
        assert result.exit_code == 0, (command, result.output)
        cells = [line for line in result.stdout.splitlines() if line.endswith("\\\\") and " & " in line]
        assert not any("approx" in line for line in cells), command  # table cells carry no \approx
        body.append(f"% boundcalc {' '.join(map(str, command))}\n" + result.stdout)
    compile_latex(ARTICLE % "\n\\clearpage\n".join(body), tmp_path)


def test_cli_sweep_format_latex(run, write):
    chain = write("chain.json", '{"states": [0, 1], "transition": [[0.9, 0.1], [0.2, 0.8]]}')
    args = ("sweep", "--markov", chain, "--length", "12", "--steps", "1,3,12", "--optimal")
    table = run(*args, "--format", "latex").stdout
    data = run(*args, "--json", "--digits", "15").json
    lines = table.splitlines()
    heading = next(i for i, line in enumerate(lines) if r"\emph{uniform}" in line)  # the family heads its rows
    rows = lines[heading + 1 : heading + 4]
    assert [row.split(" & ")[0] for row in rows] == ["1", "3", "12"] and r"\label{bc:tab:sweep}" in table
    # the table's exact errors are the sweep's, with no more digits than their certified error justifies
    for row, record in zip(rows, data["rows"]):
        shown = re.search(r"[-0-9.e]+(?=\$$)", row.split(" & ")[2]).group()
        assert abs(float(shown) - float(record["error"]["value"])) <= 1e-5 * max(1.0, float(record["error"]["value"]))
    # Theorem 2's lower bound is about the random schedule, not these: not a column here
    assert "Theorem 2, lower" not in table
    clash = run(*args, "--format", "latex", "--csv")
    assert clash.exit_code == 2 and "--csv" in clash.stderr


def test_blockwise_and_count_samplers(run):
    blocks = run("bound", "--schedule", "blocks:2:uniform:2", "--mi-total", "1.38", "--length", "4", "--format", "latex")
    assert blocks.exit_code == 0, blocks.output
    rows = [line for line in blocks.stdout.splitlines() if "blockwise" in line]
    # two blocks of 2 tokens, one step each: c(2)/2 (ΣI_1 + ΣI_2) <= max_b c(2)/2 · ΣI = 0.69 for every c
    assert rows[0] == r"sharp bound, blockwise & (B1) & $0.69$ &  \\"
    assert "docs/theory.md" not in blocks.stdout  # a paper's reader has no docs/
    case = ("bound", "--schedule", "mdlm:16", "--mi-total", "1.38", "--length", "4")
    counts = run(*case, "--format", "latex")  # printed since issue 21 round 3 (was refused)
    assert counts.exit_code == 0, counts.output
    data = run(*case, "--json").json
    rows = {line.split(" & ")[0]: line for line in counts.stdout.splitlines() if line.endswith("\\\\")}
    assert float(rows["Theorem 1"].split(" & ")[2].strip("$ \\")) == pytest.approx(
        float(data["bounds"]["theorem1"]["value"]), rel=1e-5)
    assert "mdlm:16" in counts.stdout and "docs/theory.md" not in counts.stdout


def test_budget_latex_errors_carry_their_stderr_and_interval(run, write):
    """``steps --budget --format latex`` from a partial curve: each estimated error shows its stderr (``\\pm ?``
    without a stderr column) and its interval over the monotone completions, as the terminal and JSON do; it was
    a bare number (round 5 audit). The interval's ends are the JSON's rounded outward."""
    for header, rows, spread in (("masked,loss_nats,stderr_nats", ("1,0.05,0.01", "8,0.1,0.01", "16,0.3,0.02",
                                                                    "32,0.6,0.02"), "0.035"),
                                 ("masked,loss_nats", ("8,0.1", "16,0.3", "24,0.6"), "?")):
        curve = write("budget.csv", "\n".join((header, *rows)) + "\n")
        args = ("steps", "--loss-curve", curve, "--length", "32", "--budget", "8", "-f", "uniform", "-f", "mdlm",
                "--vocab-size", "8")  # V bounds the completions above: a finite interval
        table = run(*args, "--format", "latex")
        assert table.exit_code == 0, table.output
        data = run(*args, "--json", "--digits", "15").json
        cells = {line.split(" & ")[0]: line.split(" & ")[2] for line in table.stdout.splitlines()
                 if line.endswith("\\\\") and line.split(" & ")[0] in ("uniform", "mdlm")}
        assert set(cells) == {"uniform", "mdlm"} and r"\in [\mathrm{low}, \mathrm{high}]" in table.stdout
        for record in data["families"]:
            found = re.fullmatch(r"\$([0-9.e+-]+) \\pm (\S+) \\in \[([0-9.e+-]+), ([0-9.e+-]+)\]\$",
                                 cells[record["family"]])
            assert found, cells[record["family"]]
            value, shown_spread, low, high = found.groups()
            error = record["error"]
            assert abs(float(value) - float(error["value"])) <= 1e-3 * float(error["value"])
            assert float(low) <= float(error["interval"][0]) and float(high) >= float(error["interval"][1])
            if spread == "?":
                assert shown_spread == "?" and error["stderr"] is None
            else:  # the stderr rounded up to its 2 digits
                assert float(error["stderr"]) <= float(shown_spread) <= float(error["stderr"]) * 1.1
