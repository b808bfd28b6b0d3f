"""``boundcalc steps``, ``bound``, ``recursion``: outputs, the JSON contract, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from boundcalc.example import EXAMPLE_TARGETS, example_profile
from boundcalc.steps import required_steps


def test_steps_default_example(run):
    result = run("steps")
    assert result.exit_code == 0, result.output
    assert "embedded example" in result.stdout
    profile = example_profile()
    for target in EXAMPLE_TARGETS:
        expected = required_steps(profile, target)
        assert f"│ {expected.steps} " in result.stdout.replace("│  ", "│ ").replace("  ", " ") or str(expected.steps) in result.stdout
    data = run("steps", "--json").json
    assert [r["steps"] for r in data["results"]] == [required_steps(profile, t).steps for t in EXAMPLE_TARGETS]
    assert data["length"] == 1024


def test_steps_json_contract(run):
    result = run(
        "steps", "--mi-total", "2", "--length", "10", "--eps-train", "0.1", "--target", "0.3", "--target", "1/20", "--json"
    )
    assert result.exit_code == 0
    data = result.json
    assert data["length"] == 10
    assert data["mi_total"] == {"exact": "2", "decimal": "2"}
    assert data["eps_train"] == {"exact": "1/10", "decimal": "0.1"}
    first, second = data["results"]
    assert first == {
        "target": {"exact": "3/10", "decimal": "0.3"},
        "feasible": True,
        "steps": 5,
        "max_mask_size": 2,
        "bound": {"exact": "3/10", "decimal": "0.3"},
        "schedule": {"name": "uniform:5", "max_mask_size": 2},
        "value": {"exact": "3/10", "decimal": "0.3"},
    }
    assert second["steps"] is None and second["feasible"] is False and second["bound"] is None
    assert result.stderr == ""


def test_steps_exact_boundary_in_table(run):
    result = run("steps", "--mi-total", "2", "--length", "10", "--eps-train", "0.1", "--target", "0.3")
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if line.startswith("│") and "0.3" in line)
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[:4] == ["0.3", "5", "2", "0.3"]


def test_steps_spellings_agree(run):
    outputs = {
        run("steps", "--mi-constant", c, "--length", "1024", "--target", t, "--json").stdout
        for c, t in [("0.05", "0.5"), ("5e-2", "1/2"), ("1/20", "5e-1")]
    }
    assert len(outputs) == 1


def test_steps_only_target_infeasible_exits_1(run):
    result = run("steps", "--mi-total", "2", "--length", "10", "--eps-train", "0.1", "--target", "0.05")
    assert result.exit_code == 1
    assert "infeasible" in result.stdout
    assert result.stderr.strip() == (
        "Error: --target: target 0.05 is below ε_train = 0.1, the floor of every bound "
        "(no number of steps reaches less than ε_train)"
    )


def test_steps_zero_mi_needs_one_step(run):
    data = run("steps", "--mi-total", "0", "--length", "100", "--target", "1e-9", "--json").json
    assert data["results"][0]["steps"] == 1


def test_steps_huge_length(run):
    data = run("steps", "--mi-total", "1e6", "--length", "1000000000000000000", "--target", "1", "--json").json
    result = data["results"][0]
    # R = 1 * 1e18 / 1e6 = 1e12: s* = 2^39 (2^40 - 1 > 1e12), T = ceil(1e18 / 2^39)
    assert result["max_mask_size"] <= 2**39
    assert result["steps"] == -(-(10**18) // 2**39)


def test_steps_bound_choice_and_profile_file(run, write):
    path = write("mi.csv", "index,mi\n" + "\n".join(f"{i},0.25" for i in range(1, 65)))
    by_bound = {
        b: run("steps", "--mi-profile", path, "--target", "1", "--bound", b, "--json").json["results"][0]["steps"]
        for b in ("theorem1", "recursion", "sharp")
    }
    # ΣI = 16, L = 64: R = 4 -> theorem1 s* = 4 (T = 16), recursion s* = 4 (chain 5 gives 5 > 4), sharp s* = 5 (T = 13)
    assert by_bound == {"theorem1": 16, "recursion": 16, "sharp": 13}


def test_bound_command(run):
    result = run("bound", "--schedule", "5,3,2", "--mi-total", "2", "--length", "10", "--eps-train", "0.1", "--json")
    assert result.exit_code == 0
    data = result.json
    assert (data["length"], data["steps"], data["max_mask_size"]) == (10, 3, 5)
    assert data["mi_total"]["exact"] == "2"
    assert data["bounds"]["theorem1"]["exact"] == "3/2"
    assert data["bounds"]["recursion"]["exact"] == "11/10"
    assert data["bounds"]["sharp"]["exact"] == "9/10"
    assert data["bounds"]["corollary1"] is None
    assert data["bounds"]["ter"]["exact"] == "3/20"
    table = run("bound", "--schedule", "5,3,2", "--mi-total", "2", "--length", "10").stdout
    assert "n/a" in table and "needs s_max = ceil(L/T) = 4" in table


def test_bound_uniform_and_vocabulary(run):
    data = run(
        "bound", "--schedule", "uniform:4", "--mi-constant", "0.2", "--length", "10", "--vocab-size", "2", "--json"
    ).json
    assert data["bounds"]["corollary1"]["exact"] == "1"  # 2/4 * 2
    assert data["vocabulary"]["ter_worst_case"]["exact"] == "3/10*ln(2)"
    assert data["vocabulary"]["uniform_baseline"]["decimal"] == "0.693147"


def test_bound_reads_schedule_file(run, write):
    path = write("s.json", "[5, 3, 2]")
    data = run("bound", "--schedule", path, "--mi-total", "2", "--length", "10", "--json").json
    assert data["max_mask_size"] == 5


def test_recursion_command(run):
    data = run("recursion", "--smax", "37", "--length", "1024", "--json").json
    assert data["chain"] == [37, 19, 10, 5, 3, 2, 1]
    assert data["unrolled"]["exact"] == "19/512"  # 76/2048
    assert data["closed_form"]["exact"] == "63/1024"
    assert data["ratio"]["exact"] == "38/63"
    assert [t["exact"] for t in data["terms"]] == ["37/2048", "19/2048", "5/1024", "5/2048", "3/2048", "1/1024"]
    table = run("recursion", "--smax", "5").stdout
    assert "5, 3, 2, 1" in table and "5/7" in table


def test_digits_and_exact_flags(run):
    table = run("bound", "--schedule", "3", "--mi-total", "1", "--length", "3", "--digits", "3", "--exact").stdout
    assert "1  [1]" not in table
    assert "0.667  [2/3]" in table or "0.667" in table


def test_help_and_version(run):
    for command in ([], ["steps"], ["bound"], ["recursion"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout
    assert run("--version").stdout.startswith("boundcalc ")


def test_python_dash_m():
    out = subprocess.run(
        [sys.executable, "-m", "boundcalc", "recursion", "--smax", "4", "--json"], capture_output=True, text=True
    )
    assert out.returncode == 0 and '"ratio"' in out.stdout


def test_help_is_light():
    # --help and the --mi-total path must not import sympy or numpy (start-up time)
    code = (
        "import sys; from boundcalc.cli import main\n"
        "try:\n    main(['steps', '--mi-total', '3', '--length', '100', '--target', '0.1'])\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('sympy', 'numpy', 'mpmath') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_bound_with_multiscale_profile(run, write):
    # four tokens, S = 2: levels |W| = 2, 3; Φ = Σ_i (v_i0 + v_i1 / 2)
    ms = write("ms.csv", "token,level,value\n" + "".join(f"{t},0,0.1\n{t},1,0.2\n" for t in range(1, 5)))
    mi = write("mi.txt", "0.2\n0.2\n0.2\n0.2\n")
    data = run("bound", "--schedule", "2,2", "--mi-profile", mi, "--ms-profile", ms, "--json").json
    phi = Fraction(4 * 1, 10) + Fraction(4 * 2, 10) / 2  # 0.8
    assert data["multiscale"]["phi"]["exact"] == str(phi)
    assert data["bounds"]["theorem2_upper"]["exact"] == str(2 * phi / 4)
    assert data["bounds"]["theorem2_lower"]["exact"] == str(Fraction(1, 16) * 2 * phi / 4)
    table = run("bound", "--schedule", "2,2", "--mi-profile", mi, "--ms-profile", ms).stdout
    assert "theorem2_upper" in table and "C3 = 1/16" in table
    # s_max above the profile's S, values above I_i, and s_max = 1
    assert run("bound", "--schedule", "4", "--mi-profile", mi, "--ms-profile", ms).exit_code == 2
    low = write("low.txt", "0.1\n0.1\n0.1\n0.1\n")
    result = run("bound", "--schedule", "2,2", "--mi-profile", low, "--ms-profile", ms)
    assert result.exit_code == 2 and "exceeds I_1" in result.stderr
    ones = run("bound", "--schedule", "1,1,1,1", "--mi-profile", mi, "--ms-profile", ms, "--json").json
    assert ones["bounds"]["theorem2_upper"] is None and "s_max = 1" in ones["notes"]["theorem2_upper"]


def test_family_search_and_budget_headers_say_l_and_sigma_i_once(run):
    for args in (["--family", "cosine", "--target", "1"], ["--budget", "8"]):
        out = run("steps", "--mi-total", "10", "--length", "1024", *args).stdout
        assert out.count("L = 1024, ΣI = 10 nats") == 1, out


def test_no_answer_names_max_steps_only_where_it_searches_further(run):
    """A target no T reaches: the hint names --max-steps only where a larger one searches more T (round 5 audit:
    dream by bound said 'a larger --max-steps', which changed nothing: dream has no schedule beyond L - 1 at
    L = 64, checked here by building every longer one)."""
    from boundcalc.errors import ScheduleError
    from boundcalc.schedule import parse_schedule

    def last_line(*args: str) -> str:
        result = run("steps", "--mi-total", "10", "--length", "64", "--target", "0.01", *args)
        assert result.exit_code == 1, result.output
        return result.output.strip().splitlines()[-1]

    with pytest.raises(ScheduleError):  # dream's largest T at L = 64 is 63: T = 64 has an empty step
        parse_schedule("dream:64", 64)
    assert parse_schedule("dream:63", 64).steps == 63
    assert last_line("-f", "dream").endswith(
        "no T <= 63 reaches it (a larger target: dream has no schedule of more than 63 steps at L = 64)")
    assert last_line("-f", "dream", "--max-steps", "10").endswith(
        "no T <= 10 reaches it (a larger target or a larger --max-steps (at most 64))")
    assert last_line("-f", "mdlm", "--by", "bound").endswith(
        "no T <= 1024 reaches it (a larger target or a larger --max-steps)")  # the default limit, 16 L


def test_the_optimum_at_L_16384_is_answered(run, write):
    """steps --by optimal at L = 16384: the DP pass (~190 s) was refused; the optimum's Lagrangian answers. The
    schedule has T steps over L tokens, its error reaches the target and T is within the T range."""
    curve = write("c.csv", "masked,loss_nats\n" + "".join(f"{j * 1024},{0.5 + 6 * j / 16:.6f}\n" for j in range(1, 17)))
    result = run("steps", "--loss-curve", curve, "--by", "optimal", "--target", "1", "--json")
    assert result.exit_code == 0
    (row,) = result.json["results"]
    T, sizes = row["steps"], row["schedule"]["sizes"]
    assert len(sizes) == T and sum(sizes) == 16384 and float(row["value"]["value"]) <= 1
    assert row["checked_up_to"] == T and row["steps_range"][0] <= T <= row["steps_range"][1]
    assert row["search"] == "the optimum's Lagrangian (convex in T: docs/theory.md)"


def test_export_of_a_random_count_family_is_refused_before_the_search(run, write):
    """--export with a random-count family: one line naming --export, before any search (it searched first, then
    said so without the flag). The DP optimum ignores the family, so it still exports."""
    curve = write("c.csv", "masked,loss_nats\n" + "".join(f"{k},{0.5 + 6 * k / 64:.6f}\n" for k in range(1, 65)))
    for family in ("mdlm", "sedd", "dream-origin", "mdlm:cosine"):
        result = run("steps", "--loss-curve", curve, "-f", family, "--by", "error", "--target", "1", "--export",
                     "num-transfer-tokens")
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.strip() == (f"Error: --export: {family} reveals random counts: it has no fixed "
                                         "num_transfer_tokens (export a fixed family's schedule: uniform, cosine, ...)")
    optimal = run("steps", "--loss-curve", curve, "-f", "mdlm", "--by", "optimal", "--target", "1", "--export",
                  "num-transfer-tokens")
    assert optimal.exit_code == 0 and sum(sum(block) for block in json.loads(optimal.stdout)) == 64
