"""--loss-curve through every command, profile --loss-curve, steps --family/--by/--budget (issue 10)."""

from __future__ import annotations

import json

import pytest

from boundcalc.curve import load_loss_curve
from boundcalc.estimate import info_optimal_schedule
from boundcalc.schedule import parse_schedule
from boundcalc.truth import MarkovChain

CHAIN = {"states": ["0", "1"], "transition": [["0.99", "0.01"], ["0.01", "0.99"]]}


@pytest.fixture
def files(tmp_path, run):
    chain = tmp_path / "bsc.json"
    chain.write_text(json.dumps(CHAIN))
    curve = tmp_path / "bsc.csv"
    result = run("profile", "--markov", chain, "--length", "32", "--loss-curve", curve)
    assert result.exit_code == 0, result.output
    noisy = tmp_path / "noisy.csv"
    noisy.write_text("masked_fraction,loss_nats,stderr_nats\n0.125,0.03,0.01\n0.25,0.04,0.01\n0.5,0.06,0.01\n"
                     "0.75,0.08,0.01\n0.875,0.16,0.02\n1,0.6931,0.001\n")
    return {"chain": chain, "curve": curve, "noisy": noisy, "dir": tmp_path}


def test_profile_writes_the_exact_curve_and_it_reproduces_the_engine(files, run):
    curve = load_loss_curve(files["curve"])
    assert curve.length == 32 and curve.masked.tolist() == list(range(1, 33))
    exact = MarkovChain(CHAIN["states"], CHAIN["transition"]).entropy_profile(32)
    assert curve.loss[::-1] == pytest.approx(exact.conditional, abs=1e-15)
    for spec in ("uniform:8", "cosine:8", "info-optimal:8"):
        data = run("verify", "--loss-curve", files["curve"], "--schedule", spec, "--json").json
        schedule = (info_optimal_schedule(exact.conditional, 8) if spec.startswith("info")
                    else parse_schedule(spec, 32))
        assert abs(float(data["truth"]["value"]) - exact.error(schedule)) < 1e-9
        assert data["estimate"] is True and data["truth"]["estimate"] is True
    bits = files["dir"] / "bits.csv"
    run("profile", "--markov", files["chain"], "--length", "32", "--loss-curve", bits, "--unit", "bits")
    assert bits.read_text().startswith("masked,loss_bits\n")


def test_verify_with_a_measured_curve_is_labelled_an_estimate(files, run):
    result = run("verify", "--loss-curve", files["noisy"], "--length", "32", "--schedule", "uniform:8", "--optimal",
                 "--json")
    assert result.exit_code == 0, result.output
    data = result.json
    truth = data["truth"]
    assert truth["estimate"] is True and float(truth["stderr"]) > 0 and "interpolation_effect" in truth
    assert "theorem2_upper" in data["bounds"] and data["information"]["tc_rate"]["note"].startswith("a rate")
    info = data["information"]
    assert float(info["total_correlation"]["value"]) + float(info["dual_total_correlation"]["value"]) == \
        pytest.approx(float(info["mi_total"]["value"]))
    assert float(data["optimal"]["truth"]["value"]) <= float(data["info_optimal"]["truth"]["value"]) + 1e-12
    table = run("verify", "--loss-curve", files["noisy"], "--length", "32", "--schedule", "uniform:8").stdout
    assert "Estimated error" in table and "estimated error" in table and "±" in table and "rate, not a bound" in table


@pytest.mark.parametrize(
    "args, code, fragment",
    [
        (["verify", "--loss-curve", "{noisy}", "--schedule", "uniform:4"], 2, "--length"),
        (["verify", "--loss-curve", "{curve}", "--markov", "{chain}", "--schedule", "uniform:4"], 2, "alternatives"),
        (["verify", "--loss-curve", "{bad}", "--schedule", "uniform:2"], 2, "line 3"),
        (["steps", "--mi-total", "3", "--length", "32", "--by", "error", "--target", "1"], 2, "--loss-curve"),
        (["steps", "--loss-curve", "{curve}", "--by", "error", "--target", "1", "--eps-train", "0.1"], 2, "--eps-train"),
        (["steps", "--loss-curve", "{curve}", "--family", "random:4", "--target", "1"], 2, "--family"),
        (["steps", "--loss-curve", "{curve}", "--family", "power", "--target", "1"], 2, "power:T:p"),
        (["steps", "--mi-total", "3", "--length", "100000", "--family", "cosine", "--target", "0.00001"], 1,
         "--max-steps: scanning cosine up to T = 100000 would take"),
        (["steps", "--loss-curve", "{curve}", "--budget", "40"], 2, "--budget"),
        (["verify", "--loss-curve", "{curve}", "--schedule", "info-optimal:x"], 2, "--schedule"),
        (["verify", "--loss-curve", "{curve}", "--schedule", "blocks:2:uniform:8"], 2, "semi-autoregressive"),
    ],
)
def test_errors_are_one_line_with_the_flag(files, run, args, code, fragment):
    bad = files["dir"] / "bad.csv"
    bad.write_text("masked,loss_nats\n1,0.9\n2,0.1\n")
    argv = [a.format(noisy=files["noisy"], curve=files["curve"], chain=files["chain"], bad=bad) for a in args]
    result = run(*argv)
    assert result.exit_code == code, result.output
    assert fragment in result.stderr and result.stderr.count("\n") == 1


def test_steps_json_results_carry_T_schedule_and_value(files, run):
    data = run("steps", "--loss-curve", files["curve"], "--family", "cosine", "--by", "error", "--target", "1",
               "--target", "0.1", "--json").json
    assert data["by"] == "error" and data["schedule_family"] == "cosine" and data["estimate"] is True
    first = data["results"][0]
    assert first["steps"] == 5 and first["schedule"]["name"] == "cosine:5"
    assert sum(first["schedule"]["sizes"]) == 32 and float(first["value"]["value"]) <= 1
    assert first["larger_steps_miss"] == [] and first["checked_up_to"] >= 5
    optimal = run("steps", "--loss-curve", files["curve"], "--by", "optimal", "--target", "0.23", "--json").json
    assert optimal["results"][0]["steps"] == 8 and optimal["results"][0]["schedule"]["sizes"] == [1, 1, 1, 2, 3, 5, 7, 12]
    bound = run("steps", "--loss-curve", files["curve"], "--family", "power:2", "--target", "3", "--json").json
    assert bound["results"][0]["schedule"]["name"].startswith("power:") and "value" in bound["results"][0]
    # semi-autoregressive: by its blockwise bound at the curve's ΣI, never by the global curve's error
    blocks = run("steps", "--loss-curve", files["curve"], "--family", "blocks:2:uniform", "--target", "3", "--json")
    assert blocks.exit_code == 0 and blocks.json["results"][0]["steps"] % 2 == 0
    blocks = run("steps", "--loss-curve", files["curve"], "--family", "blocks:2:uniform", "--by", "error", "--target", "3")
    assert blocks.exit_code == 2 and "semi-autoregressive" in blocks.stderr


def test_steps_budget(files, run):
    data = run("steps", "--loss-curve", files["curve"], "--budget", "8", "--json").json
    by = {f["family"]: f for f in data["families"]}
    assert set(by) == {"uniform", "dream", "linear", "cosine", "cosine-mdlm", "info-optimal", "optimal"}
    assert round(float(by["uniform"]["error"]["value"]), 2) == 1.62
    assert round(float(by["optimal"]["error"]["value"]), 2) == 0.23
    # the bound at the curve's estimated ΣI is an estimate too (this curve has no stderr column: null)
    bound = by["uniform"]["bound"]
    assert bound["value"].startswith("2.027") and bound["estimate"] is True and bound["stderr"] is None
    plain = run("steps", "--mi-total", "3", "--length", "32", "--budget", "8", "--family", "cosine", "--json").json
    assert [f["family"] for f in plain["families"]] == ["cosine"] and plain["families"][0]["error"] is None
    table = run("steps", "--loss-curve", files["noisy"], "--length", "32", "--budget", "8").stdout
    assert "info-optimal" in table and "±" in table


def test_bound_and_latex_take_the_curve(files, run):
    data = run("bound", "--loss-curve", files["curve"], "--schedule", "uniform:8", "--json").json
    assert data["estimate"] is True and data["bounds"]["theorem1"]["value"].startswith("2.027")
    # a curve read from a file is a measurement: the bounds at its ΣI are estimates (this one has no stderr)
    assert data["bounds"]["theorem1"]["estimate"] is True and data["bounds"]["theorem1"]["stderr"] is None
    assert data["bounds"]["theorem2_upper"] is not None
    tex = run("latex", "--expr", "theorem1", "--with-values", "--loss-curve", files["curve"], "--schedule", "uniform:8")
    assert tex.exit_code == 0 and tex.stdout.startswith("% values from the loss curve") and "2.02748" in tex.stdout


def test_profile_estimates_a_curve_from_the_exact_predictor(files, run):
    out = files["dir"] / "est.csv"
    result = run("profile", "--markov", files["chain"], "--length", "32", "--ratios", "0.25,0.5,1", "--samples", "50",
                 "--corpus-size", "200", "--loss-curve", out, "--json")
    assert result.exit_code == 0, result.output
    curve = load_loss_curve(out)
    assert curve.masked.tolist() == [8, 16, 32] and curve.stderr is not None
    assert abs(curve.loss[-1] - 0.6931471805599453) < 1e-12  # all masked: exactly H(X_i) = ln 2
