"""Each sampler rule's truth next to its own guarantee (boundcalc.sampler_truth) and ``verify`` with rule specs."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.sampler_truth import rule_report
from boundcalc.schedule import Schedule
from boundcalc.truth import JointDistribution, MarkovChain, exact_error
from boundcalc.truth.adaptive import exact_law

SKEW = JointDistribution.from_outcomes([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], ["0.49", "0.01", "0.3", "0.2"])
TABLE = {"outcomes": [["a", "a"], ["a", "b"], ["b", "a"], ["b", "b"]], "probabilities": ["0.35", "0.35", "0.15", "0.15"]}


def test_table_reports_and_their_guarantees():
    eb = rule_report(SKEW, "eb:1/2")
    assert eb.exact and eb.truth_kind == "KL(p||q), exact" and eb.truth == exact_law(SKEW, eb.rule).kl
    (g,) = eb.guarantees
    assert g.bounds == "KL(p||q)" and g.holds and g.value == pytest.approx(0.5 * eb.meta["ideal_nfe"])
    es = rule_report(SKEW, "entropy-sum:1")
    assert [g.value is None for g in es.guarantees] == [False, True]  # Cai & Li's constants: unknown
    conf = rule_report(SKEW, "confidence:0.6")
    assert conf.guarantees[0].bounds.startswith("TC of one call") and conf.guarantees[0].holds
    uniform = rule_report(SKEW, "uniform:2")  # value-independent: today's E_M KL, said so
    assert uniform.truth_kind.startswith("E_M KL") and uniform.truth == exact_error(SKEW, "uniform:2")
    assert uniform.meta["kl_of_output_law"] <= uniform.truth + 1e-12


@settings(max_examples=25)
@given(st.dictionaries(st.tuples(*[st.integers(0, 2)] * 3), st.integers(1, 5), min_size=2, max_size=8),
       st.sampled_from(["eb:0", "eb:1/4", "eb:1", "entropy-sum:1/2", "entropy-sum:2", "confidence:1/2"]))
def test_a_guarantee_is_never_below_the_truth(weights, spec):
    total = sum(weights.values())
    items = sorted(weights.items())
    joint = JointDistribution.from_outcomes([list(x) for x, _ in items], [Fraction(w, total) for _, w in items])
    report = rule_report(joint, spec)
    for g in report.guarantees:
        assert g.holds in (True, None)
        if g.value is not None and g.bounds == "KL(p||q)":
            assert report.truth <= g.value + report.truth_error


def test_chain_reports():
    chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    fixed = rule_report(chain, "dilated:4", 16, samples=20)
    assert fixed.truth_kind == "KL(p||q), exact" and fixed.expected_nfe == (4.0, 0.0)
    eb = rule_report(chain, "eb:1", 16, samples=30, seed=1)
    assert eb.truth_kind.startswith("upper bound") and eb.truth is not None and eb.meta["seed"] == 1
    conf = rule_report(chain, "confidence:0.8", 16, samples=30)
    assert conf.truth is None and conf.sequence_error == (0.0, 0.0)  # no forbidden transition: no error


def test_verify_with_rule_specs(run, write):
    path = write("t.json", json.dumps(TABLE))
    result = run("verify", "--joint", path, "--schedule", "low-confidence:2", "--json")
    assert result.exit_code == 0
    assert result.json["truth"] == pytest.approx(0.7 * math.log(0.7 / 0.91) + 0.3 * math.log(0.3 / 0.09))
    assert result.json["expected_nfe"] == 2 and result.json["sequence_error"] == 0
    text = run("verify", "--joint", path, "--schedule", "eb:0.5").stdout
    assert "KL(p||q), exact" in text and "γ per call" in text and "(holds)" in text
    # LLaDA's default remasking is low_confidence: one block of 2, two steps = low-confidence:2
    llada = run("verify", "--joint", path, "--schedule", "llada:2:2:2", "--json").json
    assert llada["truth"] == pytest.approx(result.json["truth"])
    random = run("verify", "--joint", path, "--schedule", "llada:2:2:2", "--remasking", "random", "--json")
    assert random.exit_code == 0 and "bounds" in random.json  # the classic report of random positions
    bits = run("verify", "--joint", path, "--schedule", "low-confidence:2", "--unit", "bits", "--json").json
    assert bits["truth"] == pytest.approx(result.json["truth"] / math.log(2))


@pytest.mark.parametrize("args,fragment", [
    (["--schedule", "uniform:2", "--remasking", "random"], "only with llada"),
    (["--schedule", "confidence:2"], "TAU"),
    (["--schedule", "dilated:3"], "T/K"),
])
def test_verify_rule_errors_are_one_line(run, write, args, fragment):
    path = write("t.json", json.dumps(TABLE))
    result = run("verify", "--joint", path, *args)
    assert result.exit_code == 2 and fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_loosest_threshold_against_a_scan():
    from boundcalc.sampler_truth import confidence_breakpoints, loosest_threshold
    from boundcalc.truth.rules import Rule

    target = Fraction(1, 2)
    result = loosest_threshold(SKEW, target)
    tau, (low, high) = result["tau"], result["interval"]
    assert high == tau and exact_law(SKEW, Rule.confidence(3, tau)).kl <= target
    # an independent scan over a grid: no threshold at or below the interval's low end meets the target
    for k in range(1, 201):
        t = Fraction(k, 200)
        kl = exact_law(SKEW, Rule.confidence(3, t)).kl
        if t <= low:
            assert kl > target
        elif t <= high:
            assert kl == pytest.approx(result["kl"], abs=1e-12)  # the same sampler on the whole interval
    assert Fraction(1, 50) in confidence_breakpoints(SKEW)  # p(X2 = 1 | X1 = 0) = 0.01/0.5


def test_steps_confidence_and_plot_error_vs_nfe(run, write, tmp_path):
    path = write("t.json", json.dumps(TABLE))
    result = run("steps", "--joint", path, "--family", "confidence", "--target", "0.2", "--json")
    assert result.exit_code == 0
    (row,) = result.json["results"]
    assert row["tau"] == "3/10" and row["expected_nfe"] == "1"  # independent tokens: everything in one call
    bad = run("steps", "--joint", path, "--target", "0.2")
    assert bad.exit_code == 2 and "--family" in bad.stderr
    pytest.importorskip("matplotlib")
    out = tmp_path / "nfe.png"
    made = run("plot", "--joint", path, "--kind", "error-vs-nfe", "-S", "uniform:2", "-S", "confidence:0.5",
               "-S", "low-confidence:2", "-o", str(out))
    assert made.exit_code == 0 and out.stat().st_size > 1000
    assert run("plot", "--joint", path, "--kind", "error-vs-nfe", "-o", str(out)).exit_code == 2


def test_sweep_samplers_side_by_side(run, write):
    path = write("t.json", json.dumps(TABLE))
    result = run("sweep", "--joint", path, "-S", "uniform:1", "-S", "low-confidence:2", "-S", "eb:0.1", "--json")
    assert result.exit_code == 0
    rows = {r["sampler"]: r for r in result.json["samplers"]}
    assert rows["low-confidence:2"]["truth"] == pytest.approx(0.177537, abs=1e-6) and rows["eb:1/10"]["truth"] == 0
    csv_text = run("sweep", "--joint", path, "-S", "dilated:2", "--csv").stdout
    assert csv_text.splitlines()[1].startswith("dilated:2,0.0,")
    assert run("sweep", "--joint", path, "-S", "uniform:1", "-f", "uniform").exit_code == 2
