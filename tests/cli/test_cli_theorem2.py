"""The Theorem 2 path on the command line: profile --multiscale, bound --ms-profile, verify."""

from __future__ import annotations

from fractions import Fraction

from boundcalc import load_multiscale, multiscale_from_model
from boundcalc.truth import MarkovChain

CHAIN = '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}'


def test_profile_multiscale_round_trip(run, write, tmp_path):
    chain = write("chain.json", CHAIN)
    out = tmp_path / "ms.csv"
    result = run("profile", "--markov", chain, "--length", "32", "--multiscale", "--smax", "6", "--output", out)
    assert result.exit_code == 0, result.output
    ms = load_multiscale(out)
    assert ms.max_size == 8 and ms.length == 32 and ms.set_sizes == [24, 28, 30, 31]
    model = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    assert ms.values == multiscale_from_model(model, 8, 32).values
    stdout = run("profile", "--markov", chain, "--length", "32", "--multiscale", "--smax", "8").stdout
    assert stdout == out.read_text()


def test_bound_and_verify_agree_on_theorem2(run, write, tmp_path):
    chain = write("chain.json", CHAIN)
    mi, ms = tmp_path / "mi.csv", tmp_path / "ms.csv"
    assert run("profile", "--markov", chain, "--length", "64", "--output", mi).exit_code == 0
    assert run("profile", "--markov", chain, "--length", "64", "--multiscale", "--smax", "8", "--output", ms).exit_code == 0
    bound = run("bound", "--mi-profile", mi, "--ms-profile", ms, "--schedule", "uniform:8", "--json").json
    verify = run("verify", "--markov", chain, "--length", "64", "--schedule", "uniform:8", "--json", "--digits", "15").json
    upper = Fraction(bound["bounds"]["theorem2_upper"]["exact"])
    lower = Fraction(bound["bounds"]["theorem2_lower"]["exact"])
    assert upper / lower == 16
    truth = float(verify["truth"]["value"])
    assert truth <= float(upper)
    # verify uses the level totals of the entropy profile; the per-token file agrees to float precision
    shown = verify["bounds"]["theorem2_upper"]
    assert abs(float(upper) - float(shown["value"])) < 1e-9 + float(shown["abs_error"])


def test_profile_multiscale_errors(run, write):
    chain = write("chain.json", CHAIN)
    for args, fragment in [
        (["--multiscale"], "--smax: --multiscale needs it"),
        (["--smax", "4"], "--smax: it is only used with --multiscale"),
        (["--multiscale", "--smax", "100"], "--smax: 100 exceeds L = 16"),
        (["--multiscale", "--smax", "4", "--size", "3"], "--size and --multiscale are alternatives"),
    ]:
        result = run("profile", "--markov", chain, "--length", "16", *args)
        assert result.exit_code == 2, (args, result.output)
        assert fragment in result.stderr, (args, result.stderr)
