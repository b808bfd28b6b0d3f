"""The hostile cases of issue 21 that are not about files: each one line (or an answer), never a traceback or a hang.

Each case states the exit code and a phrase of the message it must give, so a
case cannot pass by accident (tests/test_hostile.py only checks "one line").
Costs that grow with L, T, the level index or the number of samples are
refused before work: every case here answers within seconds.
"""

from __future__ import annotations

import pytest

from boundcalc.exact import decimal_digits, format_decimal

CHAIN = '{"states": ["a", "b"], "transition": [["1/2", "1/2"], ["1/3", "2/3"]]}'


def test_decimal_digits_never_converts_to_text():
    for n in (0, 9, 10, 10**17, 10**18 - 1, 10**18, 10**18 + 1, 2**200, 10**3999 - 1, 10**3999):
        assert decimal_digits(n) == len(str(n)) and decimal_digits(-n) == len(str(n))
    for k in (4300, 4301, 9000, 12345):  # beyond Python's 4300-digit str() limit: 10^k has k + 1 digits
        assert decimal_digits(10**k) == k + 1 and decimal_digits(10**k - 1) == k
    assert format_decimal(10**9000, 3) == "1e9000"


@pytest.mark.parametrize("args, code, message", [
    (["sweep", "--mi-total", "1", "-L", "16", "--steps", ""], 2, "--steps: the grid of T is empty"),
    (["sweep", "--mi-total", "1", "-L", "16", "--steps", ","], 2, "--steps"),
    (["plot", "--mi-total", "1", "-L", "16", "--steps", "", "-o", "x.png"], 2, "--steps"),
    (["bound", "--confidence", "0.1", "--reveal", "1e400", "--vocab-size", "2"], 2, "beyond the float64 range"),
    (["steps", "--mi-profile", "{h}", "--target", "1"], 2, "exponent beyond +-4000"),
    (["steps", "--loss-curve", "{big}", "--target", "1"], 2, "beyond 1e+06 nats"),
    (["steps", "--loss-curve", "{big2}", "--target", "1"], 2, "beyond 1e+06 nats"),
])
def test_refused_in_one_line(run, tmp_path, monkeypatch, args, code, message):
    monkeypatch.chdir(tmp_path)
    files = {"h": "1e5000\n", "big": "masked,loss_nats\n1,0.3\n2,1e400\n4,0.5\n",
             "big2": "masked,loss_nats\n1,0.3\n2,0.4\n4,2e308\n"}
    for name, content in files.items():
        (tmp_path / f"{name}.txt").write_text(content)
    result = run(*[a.format(**{k: f"{k}.txt" for k in files}) for a in args])
    assert result.exit_code == code, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


@pytest.mark.parametrize("family, bound", [("blocks:4:uniform:T", "block_sharp (B1)"), ("llada:64:8:T", "block_sharp (B1)")])
def test_sweep_of_a_blocks_family_without_a_model_draws_its_own_bound(run, family, bound):
    result = run("sweep", "--mi-total", "1", "-L", "64", "-f", family, "-f", "uniform")
    assert result.exit_code == 0, result.output
    assert f"{family}  {bound} vs T" in result.stdout and "uniform  theorem1 (8) vs T" in result.stdout


def test_huge_numbers_print_exactly(run):
    """5000-digit results (inputs of 4000 digits multiplied) are printed, not a ValueError of str()."""
    result = run("latex", "--expr", "steps-sharp", "--with-values", "--mi-total", "1e3999", "--length", "10",
                 "--target", "1e-3999")
    assert result.exit_code == 0, result.output
    result = run("steps", "--mi-total", "1e3999", "--length", "10", "--target", "1e-3999")
    assert result.exit_code == 0, result.output


def test_steps_of_blocks_at_a_huge_length_answers(run):
    result = run("steps", "--mi-total", "1", "--length", "1e18", "--target", "0.1", "--family", "blocks:4:uniform")
    assert result.exit_code == 0, result.output
    # by hand: B = L/4 = 2.5e17 per block; 14 steps per block give s = ceil(B/14) = 17857142857142858 <= 2^54, so
    # c(s)/B ΣI = (2^54 - 1)/2.5e17 = 0.0720576 <= 0.1; 13 give s > 2^54 and twice that: T = 4 * 14 = 56
    assert "│      0.1 │      56 │ 17857142857142858 │    0.0720576 │" in result.stdout
