"""Issue 21, round 3: the LaTeX of a search and of verify from a curve, count samplers in `bound --format latex`,
info-optimal in a sweep, one stderr line for bad input after a partial-curve warning, and the rule table's ±.

The curve is tests/curve/test_estimates_everywhere.py's (checked by hand there): masked 1, 2, 4, 8 of L = 8 with
losses 0.30, 0.42, 0.55, 0.60 and stderrs 0.01, 0.02, 0.02, 0.03, so ΣI = 8 (0.60 - 0.30) = 2.4 with stderr
8 sqrt(0.03^2 + 0.01^2) = 0.25298; a bound c/L ΣI has stderr c/L 0.25298.
"""

from __future__ import annotations

import math
import re

import pytest

CURVE = "masked,loss_nats,stderr\n1,0.30,0.01\n2,0.42,0.02\n4,0.55,0.02\n8,0.60,0.03\n"
#: Only k = 2 and 4 of L = 8 measured: the ends are unmeasured, so every command warns (one stderr line).
PARTIAL = "masked,loss_nats,stderr\n2,0.42,0.02\n4,0.55,0.02\n"
SE_MI = 8 * math.hypot(0.03, 0.01)  # 0.25298


@pytest.fixture
def curve(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CURVE)
    return path


@pytest.fixture
def partial(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(PARTIAL)
    return path


def _pm(cell: str) -> tuple[float, float]:
    """(value, stderr) of a LaTeX cell ``$v \\pm s$``."""
    found = re.search(r"\$(-?[\d.]+) \\pm ([\d.]+)", cell)
    assert found, cell
    return float(found.group(1)), float(found.group(2))


def _rows(tex: str) -> list[list[str]]:
    body = tex.split("\\midrule")[1].split("\\bottomrule")[0]
    return [[cell.strip() for cell in line.strip().removesuffix("\\\\").split("&")]
            for line in body.strip().splitlines()]


# -- one line for bad input, the warning only with an answer ----------------------------------------------------

def test_a_partial_curve_with_bad_input_gives_only_the_error_line(run, partial):
    bad = run("steps", "--loss-curve", partial, "--length", "8", "--target", "0.3", "--family", "nosuch")
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1 and bad.stderr.startswith("Error: --family")
    late = run("verify", "--loss-curve", partial, "--length", "8", "--schedule", "uniform:9")  # T > L: found late
    assert late.exit_code != 0 and len(late.stderr.splitlines()) == 1 and late.stderr.startswith("Error:")
    good = run("steps", "--loss-curve", partial, "--length", "8", "--target", "0.3", "--family", "cosine")
    assert good.exit_code == 0 and len(good.stderr.splitlines()) == 1
    assert good.stderr.startswith("warning: loss curve") and "k = 1" in good.stderr



def test_an_answer_that_ends_in_no_answer_keeps_its_warning_before_the_error_line(run, partial):
    # a table is printed (the target 0.001 row: no T <= 4 reaches it), then exit 1: the table's values are
    # intervals over the partial curve's completions, so its warning stands, before the one error line
    for extra in ((), ("--json",)):
        late = run("steps", "--loss-curve", partial, "--length", "8", "--target", "0.001", "--family", "cosine",
                   "--by", "bound", "--max-steps", "4", *extra)
        lines = late.stderr.splitlines()
        assert late.exit_code == 1 and late.stdout and len(lines) == 2, (extra, late.stderr)
        assert lines[0].startswith("warning: loss curve") and lines[1].startswith("Error: --target: target 0.001")


def test_the_rule_table_shows_only_justified_digits_when_the_error_is_tiny():
    from boundcalc.rule_tables import pm

    assert pm(2.70751874963942107, 1.2e-16, 6, False) == "2.70752 ± 1.2e-16"  # was 2.70751874963942107
    assert pm(2.70751874963942107, 0.013, 6, False) == "2.708 ± 0.013"  # one digit past the error's
    assert pm(0.5, 0.03, 6, False) == "0.500 ± 0.03"
    assert pm(2.70751874963942107, 1e-20, 30, False) == "2.7075187496394211 ± 1e-20"  # never past a float64's 17


# -- bound: a random-count sampler from a curve, and in LaTeX ----------------------------------------------------

def test_bound_of_a_count_sampler_from_a_curve_is_the_exact_expectation_at_the_estimated_total(run, curve):
    """A second method: the same sampler at --mi-total 2.4 (exact) gives the same values; their stderr is
    E[c(S_max)]/L · 0.25298, i.e. value / 2.4 · 0.25298 (ε_train = 0)."""
    measured = run("bound", "--loss-curve", curve, "--schedule", "mdlm:4", "--json").json
    exact = run("bound", "--mi-total", "2.4", "--length", "8", "--schedule", "mdlm:4", "--json").json
    assert measured["estimate"] is True and measured["mi_total"]["stderr"] == "0.26"
    for name, value in measured["bounds"].items():
        assert float(value["value"]) == pytest.approx(float(exact["bounds"][name]["value"]), rel=0.01)  # 3 digits
        assert float(value["stderr"]) == pytest.approx(float(value["value"]) / 2.4 * SE_MI, rel=0.05)
    table = run("bound", "--loss-curve", curve, "--schedule", "mdlm:4").stdout
    assert "ΣI = 2.4 ± 0.26" in table and "± 0.11" in table and "float64 with the stated error" not in table


def test_bound_format_latex_prints_count_samplers(run, curve):
    exact = run("bound", "--mi-total", "2", "--length", "8", "--schedule", "sedd:4", "--format", "latex")
    data = run("bound", "--mi-total", "2", "--length", "8", "--schedule", "sedd:4", "--json").json
    assert exact.exit_code == 0, exact.stderr
    rows = _rows(exact.stdout)
    assert [r[1] for r in rows] == ["(8)", "(D2)", "(D4)"]
    assert float(rows[0][2].strip("$")) == pytest.approx(float(data["bounds"]["theorem1"]["value"]), rel=1e-5)
    assert r"\mathrm{E}\,S_{\max}" in exact.stdout
    tex = run("bound", "--loss-curve", curve, "--schedule", "mdlm:4", "--format", "latex").stdout
    value, stderr = _pm(_rows(tex)[0][2])
    assert stderr == pytest.approx(value / 2.4 * SE_MI, rel=0.1) and r"\Sigma I = 2.4 \pm 0.26" in tex


# -- verify --format latex from a curve ----------------------------------------------------------------------------

def test_verify_format_latex_from_a_curve_shows_every_value_with_its_stderr(run, curve, partial):
    from boundcalc.curve import LossCurve
    from boundcalc.estimate import estimate_error
    from boundcalc.schedule import parse_schedule

    result = run("verify", "--loss-curve", curve, "--schedule", "uniform:2", "--format", "latex")
    assert result.exit_code == 0, result.stderr
    tex = result.stdout
    rows = {r[0]: r for r in _rows(tex)}
    assert "Exact error" not in rows and r"\Sigma I \approx 2.4 \pm 0.26" in tex
    assert _pm(rows["Theorem 1"][2]) == (0.9, 0.095)  # 3/8 ΣI ± 3/8 · 0.25298 = 0.094868, rounded up
    assert _pm(rows["Corollary 1"][2]) == (2.4, 0.26)  # 2/T ΣI at T = 2
    # the ratio's stderr: R (σ_b/b + σ_e/e), σ_e by moving each measured loss (finite differences)
    masked, losses, se = [1, 2, 4, 8], [0.30, 0.42, 0.55, 0.60], [0.01, 0.02, 0.02, 0.03]
    schedule = parse_schedule("uniform:2", 8)

    def error(values):
        return estimate_error(LossCurve(length=8, masked=masked, loss=values, stderr=se, exact=False), schedule).value

    e, h = error(losses), 1e-6
    sigma_e = math.sqrt(sum(((error([x + h * (i == k) for i, x in enumerate(losses)]) - e) / h * s) ** 2
                            for k, s in enumerate(se)))
    ratio, spread = _pm(rows["Theorem 1"][3])
    assert ratio == pytest.approx(0.9 / e, rel=0.01)
    assert spread == pytest.approx(0.9 / e * (3 / 8 * SE_MI / 0.9 + sigma_e / e), rel=0.1)
    assert r"\in [" in rows["Estimated error"][2]  # d at k = 3, 5, 6, 7 unmeasured: its completions' interval
    partial_rows = {r[0]: r for r in _rows(run("verify", "--loss-curve", curve.parent / "p.csv", "--length", "8",
                                              "--schedule", "uniform:2", "--format", "latex").stdout)}
    assert partial_rows["Theorem 1"][2].endswith(r"\infty]$")  # r = 1 unmeasured, no --vocab-size: unbounded
    counts = run("verify", "--loss-curve", curve, "--schedule", "mdlm:4", "--format", "latex").stdout
    assert "random-count sampler mdlm:4" in counts and "None" not in counts
    assert all(r"\pm" in row[2] for row in _rows(counts))


# -- steps --format latex for a search ----------------------------------------------------------------------------

def test_steps_format_latex_for_a_search_agrees_with_its_json(run, curve, partial):
    for args in (["--family", "cosine", "--by", "error"], ["--family", "cosine", "--by", "bound"],
                 ["--by", "optimal"], ["--family", "mdlm", "--by", "bound"]):
        command = ["steps", "--loss-curve", curve, "--target", "0.3", "--target", "0.2", *args]
        result = run(*command, "--format", "latex")
        assert result.exit_code == 0, (args, result.stderr)
        data = run(*command, "--json").json
        for row, found in zip(_rows(result.stdout), data["results"]):
            assert row[1].split()[0] == str(found["steps"])
            value, stderr = _pm(row[3])
            assert value == pytest.approx(float(found["value"]["value"])) and stderr == float(found["value"]["stderr"])
    # cosine by bound at T = 5 (s_max = 2): theorem1 = 1/8 ΣI = 0.3 ± 0.25298/8 = 0.031623, rounded up
    bound = run("steps", "--loss-curve", curve, "--target", "0.3", "--family", "cosine", "--by", "bound",
                "--format", "latex").stdout
    assert _rows(bound)[0][:4] == ["$0.3$", "5", "2", r"$0.3 \pm 0.032$"]
    ranged = run("steps", "--loss-curve", partial, "--length", "8", "--target", "0.3", "--family", "cosine",
                 "--by", "error", "--format", "latex").stdout
    assert re.search(r"\$\[\d+, \d+\]\$", _rows(ranged)[0][1]) and r"\in [" in _rows(ranged)[0][3]
    exact = run("steps", "--mi-total", "1", "--length", "8", "--target", "0.3", "--family", "cosine",
                "--format", "latex").stdout
    assert _rows(exact)[0][:4] == ["$0.3$", "5", "2", "$0.125$"]  # 1/8 · ΣI at s_max = 2


# -- sweep: info-optimal from a curve or a data model --------------------------------------------------------------

def test_sweep_of_info_optimal_equals_verify_of_each_schedule(run, curve, tmp_path):
    data = run("sweep", "--loss-curve", curve, "--steps", "1,2,4", "-f", "info-optimal", "--json").json
    for row in data["rows"]:
        single = run("verify", "--loss-curve", curve, "--schedule", f"info-optimal:{row['steps']}", "--json").json
        assert row["error"]["value"] == single["truth"]["value"] and row["error"]["stderr"] == single["truth"]["stderr"]
        assert row["s_max"] == single["max_mask_size"]
    joint = tmp_path / "j3.json"
    joint.write_text('{"outcomes": [["a", "b", "a"], ["b", "a", "a"], ["a", "a", "b"]], '
                     '"probabilities": ["1/2", "1/4", "1/4"]}')
    model = run("sweep", "--joint", joint, "--steps", "1,2,3", "-f", "info-optimal", "--json")
    assert model.exit_code == 0, model.stderr
    for row in model.json["rows"]:
        single = run("verify", "--joint", joint, "--schedule", f"info-optimal:{row['steps']}", "--json").json
        assert float(row["error"]["value"]) == pytest.approx(float(single["truth"]["value"]), abs=1e-12)
    refused = run("sweep", "--mi-total", "1", "--length", "8", "--steps", "1,2", "-f", "info-optimal")
    assert refused.exit_code == 2 and len(refused.stderr.splitlines()) == 1 and "a loss curve or a data model" \
        in refused.stderr


def test_a_bound_flat_in_the_total_over_an_unbounded_partial_curve_is_a_point(run, partial):
    """Found by the hostile matrix: blocks:2:uniform reaches the target at s = 1 (bound = ε_train = 0 for every
    ΣI), and r = 1 unmeasured leaves ΣI unbounded above: 0 · ∞ made the interval (0, nan), a traceback."""
    result = run("steps", "--loss-curve", partial, "--length", "8", "--target", "0.01", "--family", "blocks:2:uniform",
                 "--json")
    assert result.exit_code == 0, result.stderr
    found = result.json["results"][0]
    assert found["steps"] == 8 and found["value"]["value"] == "0"  # s = 1 in both blocks: c(1) = 0
    assert "nan" not in str(found).lower()
