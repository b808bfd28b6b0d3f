"""Every bad input of the calculator commands: a clear error naming the flag or file, the right exit code, no traceback."""

from __future__ import annotations

import os

import pytest

GOOD = ["--mi-total", "1", "--length", "4"]


@pytest.mark.parametrize(
    "args, code, fragments",
    [
        # numbers: negative, NaN, inf, unparsable, zero ε, negative ε_train
        (["steps", "--target", "-1", *GOOD], 2, ["'--target'", "'-1'", "must be greater than 0"]),
        (["steps", "--target", "nan", *GOOD], 2, ["'--target'", "'nan' is not a number", "fraction such as 1/20"]),
        (["steps", "--target", "inf", *GOOD], 2, ["'--target'", "'inf' is not a number"]),
        (["steps", "--target", "-inf", *GOOD], 2, ["'--target'", "'-inf' is not a number"]),
        (["steps", "--target", "0.1.2", *GOOD], 2, ["'--target'", "'0.1.2' is not a number"]),
        (["steps", "--target", "0", *GOOD], 2, ["'--target'", "'0' is not allowed"]),
        (["steps", "--target", "1", "--eps-train", "-0.1", *GOOD], 2, ["'--eps-train'", "'-0.1'", "0 or greater"]),
        (["steps", "--target", "1", "--eps-train", "x", *GOOD], 2, ["'--eps-train'", "'x' is not a number"]),
        (["steps", "--target", "1", "--mi-total", "-2", "--length", "4"], 2, ["'--mi-total'", "'-2'"]),
        (["steps", "--target", "1", "--mi-constant", "nan", "--length", "4"], 2, ["'--mi-constant'", "'nan'"]),
        # L
        (["steps", "--target", "1", "--mi-total", "1", "--length", "0"], 2, ["'--length'", "'0' is not allowed"]),
        (["steps", "--target", "1", "--mi-total", "1", "--length", "-3"], 2, ["'--length'", "'-3'"]),
        (["steps", "--target", "1", "--mi-total", "1", "--length", "2.5"], 2, ["'--length'", "'2.5' is not an integer"]),
        # MI sources
        (["steps", "--target", "1", "--mi-total", "1", "--mi-constant", "1", "--length", "3"], 2, ["give one MI source", "--mi-constant, --mi-total"]),
        (["steps", "--target", "1", "--mi-total", "1"], 2, ["--mi-total needs --length"]),
        (["steps", "--target", "1", "--mi-constant", "1"], 2, ["--mi-constant needs --length"]),
        (["bound", "--schedule", "1,1"], 2, ["an MI source is required"]),
        (["steps", "--length", "4"], 2, ["--length needs --mi-constant or --mi-total"]),
        (["steps", "--mi-total", "1", "--length", "4"], 2, ["give at least one --target"]),
        (["steps", "--unit", "bits"], 2, ["the embedded example is in nats"]),
        (["steps", "--unit", "shannon", *GOOD], 2, ["'--unit'", "'shannon' is not one of"]),
        # vocabulary
        (["steps", "--target", "1", "--mi-constant", "0.8", "--length", "4", "--vocab-size", "2"], 2, ["--mi-constant", "I = 0.8 exceeds ln 2"]),
        (["steps", "--target", "1", "--mi-total", "4.5", "--length", "4", "--vocab-size", "2", "--unit", "bits"], 2, ["ΣI = 9/2 exceeds L log2 V"]),
        (["steps", "--target", "1", *GOOD, "--vocab-size", "0"], 2, ["'--vocab-size'", "'0'"]),
        # schedules
        (["bound", "--schedule", "2,0,2", *GOOD], 2, ["--schedule: entry 2 is 0"]),
        (["bound", "--schedule", "2,-1,3", *GOOD], 2, ["--schedule: entry 2 is -1"]),
        (["bound", "--schedule", "2,1.5,0.5", *GOOD], 2, ["--schedule: entry 2 is 1.5"]),
        (["bound", "--schedule", "2,1", *GOOD], 2, ["--schedule: the sizes 2,1 sum to 3, but L = 4"]),
        (["bound", "--schedule", "uniform:0", *GOOD], 2, ["--schedule: in 'uniform:0'", "'0' is not allowed"]),
        (["bound", "--schedule", "uniform:5", *GOOD], 2, ["--schedule: in 'uniform:5'", "T = 5 steps exceed L = 4"]),
        (["bound", "--schedule", "bogus:3", *GOOD], 2, ["unknown schedule family 'bogus'"]),
        (["bound", "--schedule", "missing.json", *GOOD], 2, ["'missing.json' is neither a schedule nor an existing file"]),
        # infeasible target: a domain error
        (["steps", "--target", "0.05", "--eps-train", "0.1", *GOOD], 1, ["--target: target 0.05 is below ε_train = 0.1"]),
        # recursion
        (["recursion", "--smax", "0"], 2, ["'--smax'"]),
        (["recursion", "--smax", "8", "--length", "4"], 2, ["s_max = 8 exceeds L = 4"]),
        (["recursion"], 2, ["Missing option '--smax'"]),
    ],
)
def test_bad_input(run, args, code, fragments):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    message = result.stderr
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert message.rstrip().splitlines()[-1].startswith("Error: ")


@pytest.mark.parametrize(
    "name, content, fragments",
    [
        ("empty.txt", "", ["is empty"]),
        ("blank.txt", "\n\n  \n", ["is empty"]),
        ("binary.txt", b"\x00\x01\x02\x03", ["is a binary file"]),
        ("latin.txt", "0,5\xe9\n".encode("latin-1"), ["is not UTF-8 text"]),
        ("nan.txt", "0.1\nNaN\n", ["line 2: 'NaN' is not a number"]),
        ("neg.txt", "0.1\n0.2\n-0.3\n", ["line 3 has a negative value -0.3"]),
        ("bad.csv", "index,value\n1,0.1\n2,0.2\n3,zero\n", ["line 4: 'zero' is not a number"]),
        ("cols.csv", "index,value\n1,0.1\n2,0.2,7\n", ["line 3 has 3 columns"]),
        ("gap.csv", "1,0.1\n2,0.2\n4,0.3\n", ["line 3 has index 4, expected 3"]),
        ("bad.json", "[0.1, 0.2", ["invalid JSON"]),
    ],
)
def test_bad_profile_files(run, write, name, content, fragments):
    path = write(name, content)
    result = run("steps", "--target", "1", "--mi-profile", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --mi-profile {str(path)[:20]}")  # the flag and the file
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_and_directory_profile(run, tmp_path):
    result = run("steps", "--target", "1", "--mi-profile", tmp_path / "nope.csv")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    result = run("steps", "--target", "1", "--mi-profile", tmp_path)
    assert result.exit_code == 2


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_profile(run, write):
    path = write("secret.txt", "0.1\n")
    os.chmod(path, 0)
    result = run("steps", "--target", "1", "--mi-profile", path)
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_length_disagreeing_with_profile(run, write):
    path = write("p.txt", "0.1\n0.2\n")
    result = run("steps", "--target", "1", "--mi-profile", path, "--length", "3")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: --length: 3 disagrees with the profile {path}, which has 2 values "
        "(omit the length, or give the profile's number of tokens)"
    )


def test_vocabulary_names_the_token(run, write):
    path = write("p.txt", "0.1\n0.7\n0.2\n")
    result = run("steps", "--target", "1", "--mi-profile", path, "--vocab-size", "2")
    assert result.exit_code == 2
    assert "token 2 has I = 0.7 > ln 2 = 0.69314718055994530942 nats" in result.stderr
    assert run("steps", "--target", "1", "--mi-profile", path, "--vocab-size", "3").exit_code == 0


def test_steps_refusals_name_flags_not_python_parameters(run, write):
    # the library says "by = bound" (its parameter); the command line says the flag the user types
    curve = write("c.csv", "masked,loss_nats\n16,1\n32,2\n48,3\n64,4\n")
    cases = [
        (["steps", "--by", "error", "--mi-total", "5", "--length", "64", "--target", "1", "--family", "cosine"],
         "--by bound"),
        (["steps", "--by", "error", "--loss-curve", curve, "--target", "1", "--family", "cosine", "--eps-train", "0.1"],
         "--by bound"),
        (["steps", "--by", "error", "--loss-curve", curve, "--target", "1", "--family", "blocks:4:cosine"], "--by bound"),
        (["steps", "--by", "error", "--loss-curve", curve, "--target", "1", "--family", "optimal"], "--by optimal"),
    ]
    for args, flag in cases:
        result = run(*args)
        assert result.exit_code == 2, result.output
        line = result.output.strip().splitlines()[-1]
        assert flag in line and "by = " not in line, line


def test_flag_phrases_translate_the_library_spellings():
    from boundcalc.cli.options import flag_phrases

    assert flag_phrases("give a loss curve (or use by = bound)") == "give a loss curve (or use --by bound)"
    assert flag_phrases("a smaller maximum T, or the uniform family") == "a smaller --max-steps, or the uniform family"
    assert flag_phrases("standby = errors") == "standby = errors" and flag_phrases(None) is None


def _boundcalc_process(*args: str, **env: str):
    """boundcalc as a real process (its own stdout encoding and terminal detection), with extra environment."""
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    environment = {**os.environ, "PYTHONPATH": root, **env}
    return subprocess.run([sys.executable, "-m", "boundcalc", *args], capture_output=True, timeout=120,
                          env=environment, cwd=root)


def test_an_output_its_encoding_cannot_write_is_one_line_not_a_traceback():
    # PYTHONIOENCODING=ascii: the table's "ΣI" cannot be written; it used to end in rich's UnicodeEncodeError
    done = _boundcalc_process("sweep", "--mi-total", "3", "--length", "8", PYTHONIOENCODING="ascii")
    lines = done.stderr.decode("ascii").splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0] == ("Error: cannot write the output: its encoding ascii has no U+03A3 (GREEK CAPITAL LETTER "
                        "SIGMA); use a UTF-8 locale or PYTHONIOENCODING=utf-8")
    # what needs only ASCII is still written
    done = _boundcalc_process("sweep", "--mi-total", "3", "--length", "8", "--csv", PYTHONIOENCODING="ascii")
    assert done.returncode == 0 and done.stdout.decode("ascii").splitlines()[-1].startswith("uniform,8,")


def test_a_family_with_an_emoji_code_in_its_name_is_drawn_as_written_on_a_terminal():
    # rich read ":100:" in "blocks:100:uniform:T" as an emoji code when it drew a cell as markup (FORCE_COLOR:
    # rich's drawing, as on a terminal)
    done = _boundcalc_process("sweep", "--mi-total", "3", "--length", "200", "-f", "blocks:100:uniform:T",
                              "--steps", "100:200:100", FORCE_COLOR="1", COLUMNS="200")
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0, done.stderr
    assert out.count("│ blocks:100:uniform:T │") == 2 and "\N{HUNDRED POINTS SYMBOL}" not in out
