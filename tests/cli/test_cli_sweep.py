"""``boundcalc sweep``: table with sparklines, CSV and JSON equal to the library's rows; bad input is one line."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import pytest

import boundcalc as bc
from boundcalc.table_printer import sparkline

CHAIN = '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}'


@pytest.fixture
def chain(write):
    return write("chain.json", CHAIN)


def test_table_lists_every_row_and_a_sparkline_per_family(run, chain):
    result = run("sweep", "--markov", chain, "--length", "16", "-f", "uniform", "-f", "cosine", "--steps", "1,2,4,16",
                 "--optimal")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "exact error" in out and "optimal" in out and "theorem1 (8)" in out and "theorem2_upper (12)" in out
    assert "Markov chain" in out and "L = 16" in out
    lines = [line for line in out.splitlines() if "vs T = 1..16" in line]
    assert len(lines) == 2 and lines[0].split()[0] == "uniform"
    spark = lines[0].split()[-1]
    assert len(spark) == 4 and spark[0] == "█" and spark[-1] == "▁"  # the error falls to 0 at T = L


def test_csv_has_the_documented_header_and_the_library_numbers(run, chain):
    result = run("sweep", "--markov", chain, "-L", "16", "-f", "uniform", "-f", "power:2", "-T", "log:1:16:5",
                 "--optimal", "--csv", "--digits", "12")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    header = result.stdout.splitlines()[0].split(",")
    assert header[:8] == ["family", "steps", "schedule", "s_max", "error", "error_abs", "optimal", "random_error"]
    # names as in `bound --json`, registry order; blockwise bounds only for semi-autoregressive families
    assert header[8:] == [name for name, b in bc.BOUNDS.items() if b.positions == "uniform"]
    model = bc.load_markov(chain)
    lib = bc.sweep(model, ["uniform", "power:2"], "log:1:16:5", length=16, optimal=True)
    assert len(rows) == len(lib.rows) == 10
    for row, ref in zip(rows, lib.rows):
        assert (row["family"], int(row["steps"]), int(row["s_max"])) == (ref.family, ref.steps, ref.max_size)
        # float64 results carry only their justified digits: within the stated error (+ the last digit shown)
        assert abs(float(row["error"]) - ref.error) <= float(row["error_abs"]) + 1e-11 * max(ref.error, 1)
        assert abs(float(row["optimal"]) - ref.optimal) <= 1e-11 * max(ref.optimal, 1)
        for name in lib.bound_names:
            if ref.bounds[name] is None:
                assert row[name] == ""
            else:
                assert abs(Fraction(row[name]) - ref.bounds[name]) <= ref.bounds[name] * Fraction(1, 10**11)
                assert 0 <= ref.bound_errors[name] <= 1e-9


def test_csv_of_an_mi_source_keeps_the_error_columns_empty(run):
    result = run("sweep", "--mi-total", "12.5", "--length", "1024", "--steps", "1,8", "--csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "family,steps,schedule,s_max,error,error_abs,optimal,random_error,theorem1,recursion,sharp,corollary1,ter"
    assert lines[2].startswith('uniform,8,"128,128,128,128,128,128,128,128",128,,,,,1.55029,')


def test_json(run):
    result = run("sweep", "--mi-constant", "0.05", "--length", "64", "-f", "linear", "--steps", "4,64", "--json",
                 "--eps-train", "0.01")
    data = result.json
    assert data["length"] == 64 and data["families"] == ["linear"] and data["steps"] == [4, 64]
    assert data["bounds"] == ["theorem1", "recursion", "sharp", "corollary1", "ter"]
    first = data["rows"][0]
    assert first["schedule"] == [16, 16, 16, 16] and first["s_max"] == 16 and first["error"] is None
    assert first["bounds"]["theorem1"]["exact"] == str(Fraction(15, 64) * Fraction(64, 20) + Fraction(1, 100))
    assert data["rows"][1]["bounds"]["theorem1"]["exact"] == "1/100"


def test_json_of_a_data_model_gives_float_results_with_their_error(run, chain):
    data = run("sweep", "--markov", chain, "-L", "16", "--steps", "4", "--optimal", "--json").json
    row = data["rows"][0]
    model = bc.load_markov(chain)
    truth = bc.exact_error(model, "uniform:4", length=16)
    for key in ("error", "optimal", "random_error"):
        assert set(row[key]) == {"value", "abs_error", "estimate"} and row[key]["estimate"] is False
    assert abs(float(row["error"]["value"]) - truth) <= float(row["error"]["abs_error"]) + 5e-6 * truth  # 6 digits
    assert set(row["bounds"]["theorem1"]) == {"value", "abs_error", "estimate"} and "exact" not in row["bounds"]["theorem1"]


@pytest.mark.parametrize("args, message", [
    (["--mi-total", "1", "-L", "10", "-f", "nope"], "Error: --family: unknown family 'nope'"),
    (["--mi-total", "1", "-L", "10", "--steps", "1:20"], "Error: --steps: T = 20 exceeds L = 10 (1 <= T <= L)"),
    (["--mi-total", "1", "-L", "10", "--optimal"], "Error: --optimal: optimal errors need a data model"),
    (["--mi-total", "1", "-L", "10", "-f", "power"], "Error: --family: family 'power' has no schedule on this grid"),
    (["--mi-total", "1", "-L", "10", "--csv", "--json"], "Error: --csv: --csv and --json are alternatives"),
])
def test_bad_input_is_one_line_with_exit_2(run, args, message):
    result = run("sweep", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1


def test_no_source_or_two_sources_are_usage_errors(run, chain):
    assert run("sweep", "-L", "10").exit_code == 2
    both = run("sweep", "--mi-total", "1", "-L", "10", "--markov", chain)
    assert both.exit_code == 2 and "give one source" in both.stderr


def test_a_too_large_sweep_is_refused_with_exit_1(run, chain):
    result = run("sweep", "--markov", chain, "-L", "3000", "--steps", "1:3000", "--optimal")
    assert result.exit_code == 1 and result.stderr.startswith("Error: --steps: ") and "would take" in result.stderr


def test_sparkline():
    assert sparkline([8.0, 4.0, 2.0, 1.0]) == "█▆▃▁"
    assert sparkline([1.0, None, 0.0]) == "█ ▁"
    assert sparkline([0.0, 0.0]) == "▁▁"


def test_the_commands_import_nothing_heavy_until_they_run():
    import subprocess
    import sys

    code = ("import sys, boundcalc.cli.sweep, boundcalc.cli.plot; from boundcalc.cli import all_commands; all_commands(); "
            "print(sorted(m for m in ('numpy', 'matplotlib', 'rich', 'sympy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_semi_autoregressive_families_get_their_truth_on_the_command_line(run, chain):
    data = run("sweep", "--markov", chain, "-L", "16", "-f", "blocks:2:uniform:T", "--steps", "2,8", "--json").json
    model = bc.load_markov(chain)
    for row in data["rows"]:
        truth = bc.verify(model, f"blocks:2:uniform:{row['steps']}", length=16).truth
        assert abs(float(row["error"]["value"]) - truth) <= 5e-6 * truth
        assert "theorem1" not in row["bounds"] and row["bounds"]["block_sharp"] is not None  # only bounds that hold


def test_a_loss_curve_gives_estimated_errors(run, write):
    # a measured curve: the errors are the curve's estimates (a second method: estimate_error), labelled so
    from boundcalc.curve import load_loss_curve
    from boundcalc.estimate import estimate_error

    path = write("curve.csv", "masked,loss_nats\n1,0.05\n8,0.3\n16,0.6\n24,0.65\n32,0.69\n")
    result = run("sweep", "--loss-curve", path, "--steps", "1,4,16", "--json", "--digits", "12")
    assert result.exit_code == 0, result.output
    data = result.json
    assert data["estimate"] is True and data["length"] == 32
    curve = load_loss_curve(path)
    for row in data["rows"]:
        expected = estimate_error(curve, bc.Schedule.uniform(32, row["steps"])).value
        error = row["error"]  # an estimate: the digits its spread (here the interpolation effect) justifies
        assert error["estimate"] is True and error["stderr"] is None  # the curve has no stderr column
        spread = max(float(error["interpolation_effect"]), float(error["abs_error"]))
        assert abs(float(error["value"]) - expected) <= spread / 2 + 1e-12
        assert "stderr" in row["bounds"]["theorem1"] and row["bounds"]["theorem1"]["estimate"] is True
    table = run("sweep", "--loss-curve", path, "--steps", "1,4").stdout
    assert "estimated error" in table and "loss curve" in table


NOISY = ("masked_fraction,loss_nats,stderr_nats\n0.125,0.03,0.01\n0.25,0.04,0.01\n0.5,0.06,0.01\n"
         "0.75,0.08,0.01\n0.875,0.16,0.02\n1,0.6931,0.001\n")


def test_a_measured_curve_carries_its_stderr_in_every_format(run, write):
    """issue 21: estimates from a measured curve are never shown as exact or as justified float64 values."""
    import numpy as np

    from boundcalc.curve import load_loss_curve
    from boundcalc.estimate import estimate_error

    path = write("noisy.csv", NOISY)
    args = ("sweep", "--loss-curve", path, "--length", "32", "--steps", "4,8")
    data = run(*args, "--json").json
    curve = load_loss_curve(path, 32)
    mi = np.zeros(32)
    mi[0], mi[-1] = 32, -32
    se_mi = curve.stderr_of(mi)  # ΣI = L (d(0) - d(L-1)): its stderr, by the curve's propagation
    for row in data["rows"]:
        error, theorem1 = row["error"], row["bounds"]["theorem1"]
        second = estimate_error(curve, bc.Schedule.uniform(32, row["steps"]))
        assert error["estimate"] is True and float(error["stderr"]) >= second.stderr  # rounded up
        assert float(error["stderr"]) <= second.stderr * 1.1 + 1e-12
        # theorem1 = (2^ceil(log2 s_max) - 1)/L ΣI: its stderr is the coefficient times ΣI's
        coefficient = (2 ** (row["s_max"] - 1).bit_length() - 1) / 32
        assert theorem1["estimate"] is True
        assert coefficient * se_mi <= float(theorem1["stderr"]) <= coefficient * se_mi * 1.1
    assert data["mi_total"]["estimate"] is True and float(data["mi_total"]["stderr"]) >= se_mi
    table = run(*args).stdout
    assert "±" in table and "justified float64" not in table and "exact in ΣI" not in table
    assert "estimates from a measured loss curve" in table
    csv_text = run(*args, "--csv").stdout
    header = csv_text.splitlines()[0].split(",")
    assert "error_stderr" in header and "theorem1_stderr" in header
    tex = run(*args, "--format", "latex").stdout
    assert r"\pm" in tex and "estimated from a measured loss curve" in tex


def test_digits_never_exceed_what_a_float_derived_value_holds(run, write, chain):
    path = write("noisy.csv", NOISY)
    import re

    for args in (("sweep", "--loss-curve", path, "--length", "32", "--steps", "4"),
                 ("sweep", "--markov", chain, "-L", "16", "--steps", "4"),
                 ("bound", "--loss-curve", path, "--length", "32", "--schedule", "uniform:8")):
        out = run(*args, "--digits", "1000").stdout
        longest = max((len(m.replace(".", "").lstrip("0")) for m in re.findall(r"\d+\.\d+|\d{6,}", out)), default=0)
        assert longest <= 17, (args, longest)


def test_a_json_too_large_to_build_is_refused_before_any_work(run):
    # uniform at every T <= 16384 lists the sizes of each T <= 10^4: 1 + 2 + ... + 10^4 = 10^4 (10^4 + 1) / 2 values
    result = run("sweep", "--mi-total", "3", "--length", "16384", "--steps", "1:16384", "--json")
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and result.stdout == "", result.output
    assert lines[0].startswith("Error: --json: ") and f"{10_000 * 10_001 // 2:,} values" in lines[0]
    assert "--csv" in lines[0]
    # a random-count family lists its three per-step laws at every T: 3 (1 + ... + 2600) = 10,143,900 > 10^7,
    # while uniform there lists 3,381,300 and runs
    counted = run("sweep", "--mi-total", "3", "--length", "2600", "--steps", "1:2600", "-f", "mdlm", "--json")
    assert counted.exit_code == 1 and "--json: " in counted.stderr and f"{3 * 2600 * 2601 // 2:,} values" in counted.stderr
    from boundcalc.jsonify import sweep_listed_values
    from boundcalc.sweeps import parse_family

    assert sweep_listed_values([parse_family("uniform"), parse_family("mdlm")], range(1, 2601)) == 4 * 2600 * 2601 // 2


def test_random_count_families_sweep_t_beyond_l_as_steps_does(run, write):
    """T > L (empty steps allowed) for a sweep of random-count families only, up to the steps search's 16·L: each
    row's error equals Σ_m (E start size at m − 1)·d(m) with the start sizes summed here in exact Fractions from the
    sampler's p_k (Σ_k P(Bin(L, r_k) = m)·(L − m)·p_k, r_k = 1 − Π_{j<k}(1 − p_j)); a fixed family keeps T <= L."""
    from math import comb

    from boundcalc.curve import load_loss_curve
    from boundcalc.step_families import family_sampler

    path = write("curve.csv", "masked,loss_nats\n1,0.05\n8,0.3\n16,0.6\n24,0.65\n32,0.69\n")
    result = run("sweep", "--loss-curve", path, "--steps", "32,100,512", "-f", "mdlm", "--json", "--digits", "12")
    assert result.exit_code == 0, result.output
    d = load_loss_curve(path).conditional("linear").tolist()
    L = 32
    assert [row["steps"] for row in result.json["rows"]] == [32, 100, 512]
    for row in result.json["rows"]:
        starts, alive = [Fraction(0)] * L, Fraction(1)
        for p in family_sampler("mdlm", row["steps"], L).exact:
            r = 1 - alive
            for m in range(L):
                starts[m] += comb(L, m) * r**m * alive ** (L - m) * (L - m) * p
            alive *= 1 - p
        expected = sum(float(s - 1) * x for s, x in zip(starts, d))
        error = row["error"]  # an estimate: the digits its spread (the interpolation effect) justifies
        spread = max(float(error["interpolation_effect"]), float(error["abs_error"]))
        assert abs(float(error["value"]) - expected) <= spread / 2 + 1e-12 and spread < 1e-3
    mixed = run("sweep", "--loss-curve", path, "--steps", "16,100", "-f", "mdlm", "-f", "uniform")
    assert mixed.exit_code == 2 and mixed.stderr.strip() == (
        "Error: --steps: T = 100 exceeds L = 32 (1 <= T <= L; T up to 512 only when every family is random-count)")
    beyond = run("sweep", "--loss-curve", path, "--steps", "513", "-f", "mdlm")
    assert beyond.exit_code == 2 and beyond.stderr.strip() == (
        "Error: --steps: T = 513 exceeds 512 (1 <= T <= 512 = 16·L (every family random-count))")
