"""``boundcalc verify`` and ``boundcalc profile``: output, JSON, files, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from boundcalc.cli import main
from conftest import Run
from boundcalc.profile import load_profile

CLI = main

CHAIN = {"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}
TABLE = {"outcomes": [["a", "a", "a"], ["b", "b", "b"], ["a", "b", "a"]], "probabilities": ["0.4", "0.4", "0.2"]}


# the suite's one in-process runner (conftest.Run): output, exit code, .json
invoke = Run()


@pytest.fixture
def files(tmp_path):
    chain = tmp_path / "chain.json"
    chain.write_text(json.dumps(CHAIN))
    table = tmp_path / "table.json"
    table.write_text(json.dumps(TABLE))
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat and the dog sat on the log\n" * 10)
    return {"chain": chain, "table": table, "corpus": corpus, "dir": tmp_path}


def test_verify_table(files):
    result = invoke("verify", "--markov", files["chain"], "--length", 64, "--schedule", "uniform:8", "--optimal")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for word in ("exact error", "optimal 8-step schedule", "sharp", "recursion", "theorem1", "corollary1", "yes"):
        assert word in out
    assert "NO" not in out


def test_verify_json_contract(files):
    from boundcalc.truth import exact_error, load_markov

    result = invoke("verify", "--markov", files["chain"], "-L", 32, "--schedule", "8,8,8,8", "--json")
    assert result.exit_code == 0, result.output
    data = result.json
    # float64 results are values with certified errors, never "exact" (issue 9)
    assert set(data["truth"]) >= {"value", "abs_error"} and "exact" not in data["truth"]
    assert set(data["bounds"]) >= {"theorem1", "recursion", "sharp", "corollary1"}
    assert set(data["bounds"]["theorem1"]) == {"value", "abs_error", "estimate"}
    assert set(data["mi_total"]) == {"value", "abs_error", "estimate"} and data["mi_total"]["estimate"] is False
    assert all(v in (True, None) for v in data["holds"].values())
    truth = exact_error(load_markov(files["chain"]), "8,8,8,8", 32)
    assert abs(float(data["truth"]["value"]) - truth) <= 5e-6 * truth  # 6 significant digits, rounded
    assert float(data["truth"]["abs_error"]) < 1e-9
    assert data["length"] == 32 and data["steps"] == 4 and data["max_mask_size"] == 8


def test_verify_joint_and_text(files):
    result = invoke("verify", "--joint", files["table"], "--schedule", "3", "--json")
    assert result.exit_code == 0, result.output
    assert float(result.json["truth"]["value"]) > 0
    result = invoke("verify", "--text", files["corpus"], "--level", "word", "-L", 16, "--schedule", "cosine:4",
                    "--unit", "bits")
    assert result.exit_code == 0, result.output
    assert "(bits)" in result.stdout and "word bigram chain" in result.stdout


def test_profile_round_trip_to_steps(files):
    out = files["dir"] / "mi.csv"
    result = invoke("profile", "--text", files["corpus"], "--length", 128, "--output", out)
    assert result.exit_code == 0, result.output
    assert "written to" in result.stdout
    loaded = load_profile(out)
    assert loaded.length == 128
    result = invoke("steps", "--mi-profile", out, "--target", "1", "--json")
    assert result.exit_code == 0, result.output
    assert result.json["results"][0]["feasible"]


def test_profile_to_stdout_and_json(files):
    result = invoke("profile", "--markov", files["chain"], "-L", 3)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# float64 values") and lines[1] == "index,mi_nats" and len(lines) == 5
    result = invoke("profile", "--joint", files["table"], "--json", "--size", 1, "--size", 2)
    assert result.exit_code == 0, result.output
    assert len(result.json["size_1"]) == 3 and len(result.json["size_2"]) == 3
    result = invoke("profile", "--joint", files["table"], "--size", 0, "--size", 2)
    assert result.stdout.splitlines()[0] == "index,size_0,size_2"


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["verify", "--schedule", "1"], 2, "give exactly one data model"),
        (["verify", "--markov", "{chain}", "--schedule", "1"], 2, "needs the sequence length"),
        (["verify", "--markov", "{chain}", "--joint", "{table}", "--schedule", "1"], 2, "not --joint and --markov"),
        (["verify", "--joint", "{table}", "-L", "4", "--schedule", "2,2"], 2, "length: 4 disagrees"),
        (["verify", "--joint", "{table}", "--schedule", "2,2"], 2, "sum to 4, but L = 3"),
        (["verify", "--joint", "{missing}", "--schedule", "1"], 2, "does not exist"),
        (["verify", "--markov", "{chain}", "-L", "10000000", "--schedule", "uniform:4"], 1, "estimated"),
        (["profile", "--joint", "{table}", "--size", "7"], 2, "out of range"),
    ],
)
def test_errors_are_one_line(files, args, code, message):
    names = {"chain": files["chain"], "table": files["table"], "missing": files["dir"] / "missing.json"}
    args = [a.format(**{k: str(v) for k, v in names.items()}) for a in args]
    result = CliRunner().invoke(CLI, args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_texts():
    for name in ("verify", "profile"):
        result = invoke(name, "--help")
        assert result.exit_code == 0 and "--joint" in result.stdout


def test_cli_module_is_light():
    import subprocess
    import sys

    code = "import sys, boundcalc.cli.truth; print('numpy' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_progress_bar_only_on_a_terminal():
    import io

    from rich.console import Console

    from boundcalc.cli.truth import progress_bar

    quiet = io.StringIO()
    with progress_bar("work", Console(file=quiet), delay=0) as update:
        update(1, 2)
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    with progress_bar("work", Console(file=shown, force_terminal=True, width=80), delay=0) as update:
        for k in range(1, 4):
            update(k, 3)
    assert "work" in shown.getvalue()


def test_progress_bar_asks_for_the_terminal_once():
    """A sweep calls the progress callback once per row (32768 rows at L = 16384): rich's is_terminal (which reads
    the environment and the stream) is asked once, not per call."""
    import io

    from rich.console import Console

    from boundcalc.cli.truth import progress_bar

    asked = []

    class Counting(Console):
        @property
        def is_terminal(self) -> bool:
            asked.append(1)
            return False

    quiet = io.StringIO()
    console = Counting(file=quiet)
    before = len(asked)  # rich's own constructor asks too
    with progress_bar("work", console, delay=0) as update:
        for k in range(1, 1001):
            update(k, 1000)
    assert len(asked) == before + 1 and quiet.getvalue() == ""
