"""verify --format latex from a partial curve shows each value's interval over the monotone completions, as the
table does (issue 20), with the ends rounded outward; the table compiles in a plain article."""

from __future__ import annotations

import pytest

from boundcalc import latex as tex
from latex_compile import compile_latex

# L = 8, measured at k = 2, 4, 6 (d(6) = 0.2, d(4) = 0.4, d(2) = 0.6); k = 1 and k = 8 unmeasured. With V = 4:
# d(0) in [0.6, ln 4], d(7) in [0, 0.2], so ΣI = 8 (d(0) - d(7)) in [3.2, 8 ln 4] (test_completion_bounds.py).
CURVE = "masked,loss_nats,stderr_nats\n2,0.2,0.01\n4,0.4,0.01\n6,0.6,0.02\n"
ARGS = ("--length", "8", "--schedule", "uniform:4", "--vocab-size", "4")


def _cells(table: str) -> dict[str, str]:
    return {line.split(" & ")[0]: line.split(" & ")[2] for line in table.splitlines() if line.count(" & ") == 4}


def test_verify_latex_from_a_partial_curve_shows_the_intervals_of_the_table(run, write):
    path = write("partial.csv", CURVE)
    result = run("verify", "--loss-curve", path, *ARGS, "--format", "latex")
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    # uniform:4, s_max = 2: theorem1 = ΣI/8 in [0.4, ln 4 = 1.3863]; corollary1 = 2/T ΣI = ΣI/2 in [1.6, 4 ln 4 =
    # 5.5452]; widened by the float error and rounded outward at 3 digits
    assert cells["Theorem 1"].endswith(r"\in [0.399, 1.39]$")
    assert cells["Corollary 1"].endswith(r"\in [1.59, 5.55]$")
    # the estimated error and the random schedule's mean error carry their intervals too, as in the table
    table = run("verify", "--loss-curve", path, *ARGS, "--digits", "4").stdout
    rows = {line.split("│")[1].strip(): line.split("│")[3].strip() for line in table.splitlines() if line.startswith("│")}
    for latex_row, table_row in (("Estimated error", "estimated error"),
                                 ("Random schedule, estimated mean error", "estimated error of random:2 (mean)")):
        shown = rows[table_row].split(" in ")[1]
        low, high = shown.strip("[]").split(", ")
        assert cells[latex_row].endswith(rf"\in [{low}, {high}]$"), (cells[latex_row], shown)
    assert "monotone completion" in result.stdout  # the caption says what the brackets are
    # without --vocab-size the upper ends are unbounded: \infty, as ∞ in the table
    unbounded = _cells(run("verify", "--loss-curve", path, *ARGS[:-2], "--format", "latex").stdout)
    assert unbounded["Theorem 1"].endswith(r"\in [0.399, \infty]$")


@pytest.mark.latex
def test_verify_latex_with_intervals_compiles_without_overfull_boxes(run, write, tmp_path):
    path = write("partial.csv", CURVE)
    bounded = run("verify", "--loss-curve", path, *ARGS, "--format", "latex").stdout
    unbounded = run("verify", "--loss-curve", path, *ARGS[:-2], "--format", "latex").stdout
    compile_latex(ARTICLE % (bounded + unbounded), tmp_path)


def test_verify_latex_from_a_full_curve_or_a_data_model_has_no_interval(run, write):
    full = write("full.csv", "masked,loss_nats,stderr_nats\n" + "".join(f"{k},{0.1 * k},0.01\n" for k in range(1, 9)))
    assert r"\in [" not in run("verify", "--loss-curve", full, "--schedule", "uniform:4", "--format", "latex").stdout
    chain = write("chain.json", '{"states": [0, 1], "transition": [[0.9, 0.1], [0.2, 0.8]]}')
    model = run("verify", "--markov", chain, "--length", "12", "--schedule", "uniform:3", "--format", "latex")
    assert model.exit_code == 0 and r"\in [" not in model.stdout and "Exact error & (23)" in model.stdout


ARTICLE = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n" + tex.TABLE_PACKAGES
           + "\n\\begin{document}\n%s\n\\end{document}\n")

