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


# -- the registry's rules: fixed orders, LLaDA's remasking (issue 19 wired through the registry) ---------------
PAIRS = {"left-to-right:2": [[a, a, b, b] for a in (0, 1) for b in (0, 1)],  # X0 = X1, X2 = X3
         "dilated:2": [[a, b, a, b] for a in (0, 1) for b in (0, 1)]}  # X0 = X2, X1 = X3


@pytest.mark.parametrize("spec", sorted(PAIRS))
def test_no_theorem1_bound_holds_for_a_fixed_order(spec):
    """Each call reveals one copied pair: KL(p||q) = 2 log 2 exactly (Σ_k TC of each group given the earlier),
    while Theorem 1 for the same sizes with uniform positions is ((2 − 1)/4) ΣI <= log 2: below the truth."""
    from boundcalc import MIProfile
    from boundcalc.bounds import theorem1
    from boundcalc.truth.adaptive import ideal_walk

    joint = JointDistribution.from_outcomes(PAIRS[spec], [Fraction(1, 4)] * 4)
    report = rule_report(joint, spec)
    assert report.truth == pytest.approx(2 * math.log(2), abs=1e-12)
    assert ideal_walk(joint, report.rule).total_correlation == pytest.approx(report.truth, abs=1e-12)  # identity
    bound = theorem1(MIProfile.from_total(Fraction(joint.entropy_profile(4).mi_total()).limit_denominator(10**9), 4), Schedule([2, 2]))
    assert float(bound) < report.truth - 0.5  # so the registry lets no bound apply (tests/samplers/test_registry.py)
    assert [g for g in report.guarantees if g.bounds == "KL(p||q)"] == []


@settings(max_examples=20)
@given(st.dictionaries(st.tuples(*[st.integers(0, 2)] * 3), st.integers(1, 5), min_size=2, max_size=8),
       st.sampled_from(["left-to-right:2", "left-to-right:3", "dilated:2", "dilated:3"]))
def test_a_fixed_order_error_is_the_sum_of_its_calls_total_correlations(weights, spec):
    from boundcalc.truth.adaptive import ideal_walk

    total = sum(weights.values())
    items = sorted(weights.items())
    joint = JointDistribution.from_outcomes([list(x) for x, _ in items], [Fraction(w, total) for _, w in items])
    report = rule_report(joint, spec)
    assert report.rule.steps == int(spec[-1])  # T calls (the law stops counting a trajectory at its error)
    assert ideal_walk(joint, report.rule).total_correlation == pytest.approx(report.truth, abs=1e-12)


def test_llada_remasking_defaults_to_low_confidence_in_the_library_and_the_cli(run, write):
    from boundcalc.errors import UsageError

    joint = JointDistribution.from_outcomes([[0, 0], [0, 1], [1, 0], [1, 1]], ["0.35", "0.35", "0.15", "0.15"])
    default = rule_report(joint, "llada:2:2:2")
    assert default.rule == rule_report(joint, "low-confidence:2").rule
    assert default.truth == pytest.approx(0.7 * math.log(0.7 / 0.91) + 0.3 * math.log(0.3 / 0.09))
    assert rule_report(joint, "llada:2:2:2", remasking="low_confidence").truth == default.truth
    random = rule_report(joint, "llada:2:2:2", remasking="random")
    assert random.truth_kind.startswith("E_M KL") and random.truth == exact_error(joint, "blocks:1:uniform:2")
    assert abs(random.truth - default.truth) > 1e-3  # the two remaskings differ here
    path = write("t.json", json.dumps(TABLE))
    cli = run("verify", "--joint", path, "--schedule", "llada:2:2:2", "--json").json
    assert cli["truth"] == pytest.approx(default.truth, abs=1e-12) and cli["sampler"] == str(default.rule)
    for spec, remasking in (("uniform:2", "random"), ("eb:1", "low_confidence"), ("llada:2:2:2", "top_k")):
        with pytest.raises(UsageError, match="remasking"):
            rule_report(joint, spec, remasking=remasking)


@pytest.mark.parametrize("args", [
    ["bound", "--schedule", "confidence:0.9", "--length", "16", "--mi-total", "3"],
    ["bound", "--schedule", "dilated:4", "--length", "16", "--mi-total", "3"],
    ["sweep", "--family", "confidence:0.9", "--length", "16", "--mi-total", "3"],
    ["sweep", "--family", "low-confidence", "--length", "16", "--mi-total", "3"],
    ["steps", "--family", "eb:1", "--length", "16", "--mi-total", "3", "--target", "1"],
])
def test_commands_without_a_rule_engine_point_to_those_with_one(run, args):
    result = run(*args)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "no bound of the paper holds" in result.stderr and "unknown" not in result.stderr
    for command in ("verify --schedule SPEC", "sweep --sampler SPEC", "plot --kind error-vs-nfe",
                    "steps --joint FILE --family confidence"):
        assert command in result.stderr
