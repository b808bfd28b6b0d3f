"""Random-count samplers (mdlm, sedd, dream-origin) on joint tables: output law, sequence error and network calls
against an independent literal simulation (tests/adaptive_reference.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adaptive_reference import brute_count_law
from boundcalc.count_sampler import CountSampler
from boundcalc.errors import DomainError, ScheduleError
from boundcalc.truth import exact_error
from boundcalc.truth.count_law import (call_convention, count_call_law, count_law, expected_calls,
                                       reveal_fractions)
from test_truth_adaptive import SKEW, TIES, XOR, COPY3, NEAR, DYADIC, small_tables, table_of


def check(outcomes: dict, sampler: CountSampler, convention: str) -> None:
    joint = table_of(outcomes)
    exact = count_law(joint, sampler, convention)
    law, error, nfe, run_on = brute_count_law({tuple(x): Fraction(p) for x, p in outcomes.items()}, joint.length,
                                              reveal_fractions(sampler), convention)
    index = {t: n for n, t in enumerate(joint.vocabulary)}
    assert exact.law == {tuple(index[t] for t in x): q for x, q in law.items()}
    assert exact.sequence_error == error
    assert exact.nfe == nfe
    assert exact.nfe_run_on == run_on
    assert sum(exact.law.values()) + exact.sequence_error == 1


def samplers(L: int) -> list[CountSampler]:
    return [CountSampler.mdlm(L, 2), CountSampler.dream_origin(L, 3), CountSampler.mdlm(L, 1, name="sedd:1"),
            CountSampler.from_probabilities(L, ["1/3", "0", "1"]),  # an empty step for sure in the middle
            CountSampler.mdlm(L, 2, "cosine")]


@pytest.mark.parametrize("outcomes", [XOR, COPY3, TIES, SKEW, DYADIC], ids=["xor", "copy3", "ties", "skew", "dyadic"])
@pytest.mark.parametrize("which", range(5))
@pytest.mark.parametrize("convention", ["every-step", "cached"])
def test_count_law_matches_the_literal_simulation(outcomes, which, convention):
    L = len(next(iter(outcomes)))
    check({x: Fraction(p) for x, p in outcomes.items()}, samplers(L)[which], convention)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables, st.sampled_from(["1/2", "1/5", "0", "1"]), st.sampled_from(["every-step", "cached"]))
def test_hypothesis_small_tables(weights, first, convention):
    total = sum(weights.values())
    outcomes = {x: Fraction(w, total) for x, w in weights.items()}
    L = len(next(iter(outcomes)))
    check(outcomes, CountSampler.from_probabilities(L, [first, "2/3", "1"]), convention)


def test_full_support_has_no_error_and_the_run_on_calls_are_the_calls():
    outcomes = {(a, b, c): Fraction(1, 8) for a in (0, 1) for b in (0, 1) for c in (0, 1)}
    law = count_law(table_of(outcomes), CountSampler.mdlm(3, 4))
    assert law.sequence_error == 0 and law.nfe == law.nfe_run_on
    assert law.kl == pytest.approx(0.0, abs=1e-15)  # independent tokens: every sampler is exact


def test_xor_with_one_step_errs_by_hand():
    """T = 1 Dream: p_1 = 1, all three tokens at once from fair marginals: x3 = x1 ^ x2 with probability 1/2."""
    law = count_law(table_of(XOR), CountSampler.dream_origin(3, 1))
    assert law.sequence_error == Fraction(1, 2) and law.nfe == {1: Fraction(1)}


def test_cached_calls_by_hand():
    """MDLM ddpm_cache at L = 1, probabilities (a, b, 1): calls 2 + [s_1 > 0] = 3 w.p. a, else 2."""
    s = CountSampler.from_probabilities(1, ["1/3", "1/2", "1"], name="x", family="mdlm")
    assert call_convention(s) == "cached"
    assert count_call_law(s) == {2: Fraction(2, 3), 3: Fraction(1, 3)}
    assert count_call_law(s, "every-step") == {3: Fraction(1)}


@pytest.mark.parametrize("L,T", [(1, 1), (3, 2), (5, 4), (8, 6)])
def test_expected_calls_formula_matches_the_exact_law(L, T):
    s = CountSampler.mdlm(L, T)
    law = count_call_law(s)
    mean, err = expected_calls(s)
    assert abs(mean - float(sum(n * w for n, w in law.items()))) <= err + 1e-15
    assert expected_calls(CountSampler.dream_origin(L, T)) == (float(T), 0.0)


def test_conventions_of_the_families():
    assert call_convention(CountSampler.mdlm(4, 2)) == "cached"
    assert call_convention(CountSampler.mdlm(4, 2, "cosine")) == "every-step"  # ddpm_cache asserts loglinear
    assert call_convention(CountSampler.mdlm(4, 2, name="sedd:2")) == "every-step"
    assert call_convention(CountSampler.dream_origin(4, 2)) == "every-step"


def test_value_independent_truth_is_still_the_expectation_over_masks():
    """The mixture's KL is at most E_M KL (convexity), which is the profile engine's value."""
    joint = table_of(SKEW)
    s = CountSampler.mdlm(3, 2)
    law = count_law(joint, s)
    assert law.kl <= exact_error(joint, s) + 1e-12


def test_refusals():
    joint = table_of(NEAR)
    with pytest.raises(DomainError, match="needs ~"):
        count_law(joint, CountSampler.mdlm(4, 2), max_work=10)
    with pytest.raises(ScheduleError, match="L = 3"):
        count_law(joint, CountSampler.mdlm(3, 2))
    with pytest.raises(ScheduleError, match="convention"):
        count_law(joint, CountSampler.mdlm(4, 2), "sometimes")
    with pytest.raises(DomainError, match="expected_calls"):
        count_call_law(CountSampler.mdlm(4000, 500))


# -- chains: Monte Carlo against the exact law, and the command line -----------------------------------
from boundcalc.sampler_truth import count_sampler_report  # noqa: E402
from boundcalc.truth import JointDistribution, MarkovChain  # noqa: E402
from boundcalc.truth.chain_samplers import count_monte_carlo  # noqa: E402

CHAIN = MarkovChain([0, 1, 2], [["0.6", "0.4", "0"], ["0", "0.3", "0.7"], ["0.5", "0", "0.5"]], ["0.7", "0.2", "0.1"])


@pytest.mark.parametrize("sampler", [CountSampler.mdlm(4, 2), CountSampler.dream_origin(4, 3)], ids=str)
def test_monte_carlo_within_four_standard_errors_of_the_exact_law(sampler):
    exact = count_law(JointDistribution.from_array(CHAIN.joint(4)), sampler)
    mc = count_monte_carlo(CHAIN, sampler, 4, samples=600, seed=3)
    assert exact.sequence_error > 0
    (mean, se), (calls, calls_se) = mc["sequence_error"], mc["nfe"]
    assert abs(mean - float(exact.sequence_error)) <= 4 * se + 1e-9
    assert abs(calls - float(exact.expected_nfe)) <= 4 * calls_se + 1e-9
    report = count_sampler_report(CHAIN, sampler, 4, samples=50, seed=3)
    assert not report["exact"] and report["samples"] == 50
    assert abs(report["expected_nfe_run_on"] - float(exact.expected_nfe_run_on)) <= report["expected_nfe_run_on_error"] + 1e-12


def test_full_support_chain_has_exactly_no_sequence_error():
    chain = MarkovChain([0, 1], [["0.9", "0.1"], ["0.2", "0.8"]])
    report = count_sampler_report(chain, CountSampler.mdlm(64, 8), 64)
    assert report["exact"] and report["sequence_error"] == 0.0
    assert count_law(JointDistribution.from_array(chain.joint(3)), CountSampler.mdlm(3, 2)).sequence_error == 0


def test_verify_reports_sequence_error_and_calls(run, write):
    joint = write("xor.json", '{"outcomes": [[0,0,0],[0,1,1],[1,0,1],[1,1,0]], "probabilities": ["1/4","1/4","1/4","1/4"]}')
    result = run("verify", "--joint", joint, "--schedule", "dream-origin:1", "--json")
    assert result.exit_code == 0, result.output
    assert result.json["sequence_error"]["exact"] == "1/2" and not result.json["sequence_error"]["estimate"]
    assert result.json["network_calls"]["convention"] == "every-step"
    assert result.json["network_calls"]["law"] == {"1": "1"}
    chain = write("c.json", '{"states": [0, 1, 2], "transition": [["0.6", "0.4", "0"], ["0", "0.3", "0.7"], '
                            '["0.5", "0", "0.5"]]}')
    result = run("verify", "--markov", chain, "--length", "12", "--schedule", "mdlm:4", "--samples", "40", "--json")
    assert result.exit_code == 0, result.output
    error = result.json["sequence_error"]
    assert error["estimate"] and error["stderr"] > 0 and error["samples"] == 40 and error["seed"] == 0
    assert result.json["network_calls"]["convention"] == "cached"
    table = run("verify", "--markov", chain, "--length", "12", "--schedule", "mdlm:4", "--samples", "40")
    assert "± " in table.stdout and "(Monte Carlo)" in table.stdout and "ddpm_cache" in table.stdout


# -- the calls a sampler makes after an out-of-support draw (it does not know it erred) -------------------
from boundcalc.truth.adaptive import exact_law  # noqa: E402
from boundcalc.truth.rules import parse_rule  # noqa: E402


def test_fixed_orders_run_on_for_their_t_calls_adaptive_rules_have_none(run, write):
    two = table_of({(0, 0, 0): Fraction(1, 2), (1, 0, 1): Fraction(1, 2)})
    law = exact_law(two, parse_rule("dilated:2", 3))  # {0, 2} first: (0, 1) or (1, 0) half the time, an error
    assert law.sequence_error == Fraction(1, 2)
    assert law.nfe == {1: Fraction(1, 2), 2: Fraction(1, 2)} and law.nfe_run_on == {2: Fraction(1)}
    assert law.to_dict()["expected_nfe_run_on"] == 2
    assert exact_law(two, parse_rule("confidence:1/2", 3)).nfe_run_on is None
    assert parse_rule("confidence:1/2", 3).selects_from_draws and not parse_rule("eb:1", 3).selects_from_draws
    path = write("two.json", '{"outcomes": [[0,0,0],[1,0,1]], "probabilities": ["1/2","1/2"]}')
    result = run("verify", "--joint", path, "--schedule", "dilated:2")
    assert "network calls as it runs" in result.stdout and "until the sample ended" in result.stdout
    assert run("verify", "--joint", path, "--schedule", "dilated:2", "--json").json["expected_nfe_run_on"] == 2


# -- threshold grids and random-count samplers in the trade-off ---------------------------------------------
from boundcalc.registry import parse_grid  # noqa: E402


def test_threshold_grids_expand_exactly_and_refuse_in_one_line():
    assert [s.text for s in parse_grid("confidence:0.5..0.95/10")] == [
        "confidence:" + str(Fraction(1, 2) + Fraction(9, 20) * i / 9) for i in range(10)]
    assert [s.text for s in parse_grid("entropy-sum:1..2/2:bits:4")] == ["entropy-sum:1:bits:4", "entropy-sum:2:bits:4"]
    assert [s.text for s in parse_grid("uniform:4")] == ["uniform:4"]
    for bad, says in [("uniform:1..4/2", "threshold"), ("confidence:0.5..0.9", "no /N"), ("confidence:0..1/3", "TAU = 0"),
                      ("confidence:1/2..1/2/2", "LO < HI"), ("confidence:0.1..0.9/201", "N <= 200"),
                      ("confidence:a..1/2", "'a' is not a number")]:
        with pytest.raises(ScheduleError, match=says):
            parse_grid(bad)


def test_sweep_takes_grids_and_count_samplers(run):
    xor = '{"outcomes": [[0,0,0],[0,1,1],[1,0,1],[1,1,0]], "probabilities": ["1/4","1/4","1/4","1/4"]}'
    import pathlib
    import tempfile

    folder = pathlib.Path(tempfile.mkdtemp())
    (folder / "xor.json").write_text(xor)
    result = run("sweep", "--joint", str(folder / "xor.json"), "--sampler", "confidence:0.5..1/3", "--sampler",
                 "mdlm:2", "--sampler", "uniform:2", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["sampler"]: r for r in result.json["samplers"]}
    assert set(rows) == {"confidence:1/2", "confidence:3/4", "confidence:1", "mdlm:2", "uniform:2"}
    exact = count_law(table_of(XOR), CountSampler.mdlm(3, 2))
    assert rows["mdlm:2"]["sequence_error"] == float(exact.sequence_error)
    assert rows["mdlm:2"]["expected_nfe"] == pytest.approx(float(exact.expected_nfe), rel=1e-15)
    assert rows["mdlm:2"]["expected_nfe_run_on"] == float(exact.expected_nfe_run_on)
    assert rows["uniform:2"]["expected_nfe_run_on"] == 2 and rows["confidence:1/2"]["expected_nfe_run_on"] is None
    csv = run("sweep", "--joint", str(folder / "xor.json"), "--sampler", "eb:0..2/3", "--csv")
    assert csv.stdout.splitlines()[0].endswith(",expected_nfe_run_on") and len(csv.stdout.splitlines()) == 4


# -- steps --family RULE from a data model: exact scans, exact grids, statistical grids on chains ----------------
from boundcalc.sampler_truth import fewest_fixed_order_steps, loosest_on_grid  # noqa: E402
from boundcalc.truth.adaptive import ideal_walk  # noqa: E402
from boundcalc.truth.chain_samplers import fixed_order_kl  # noqa: E402
from boundcalc.truth.rules import Rule  # noqa: E402


@pytest.mark.parametrize("kind", ["left-to-right", "dilated"])
def test_fewest_fixed_order_steps_on_a_chain_and_its_table_agree(kind):
    """The chain's exact KL per T (the c(t, d) engine) against the exact law of the chain's joint table."""
    L = 5
    joint = JointDistribution.from_array(CHAIN.joint(L))
    targets = [Fraction(1), Fraction(1, 10), Fraction(0)]
    on_chain = fewest_fixed_order_steps(CHAIN, kind, targets, L)
    on_table = fewest_fixed_order_steps(joint, kind, targets, L)
    build = Rule.left_to_right if kind == "left-to-right" else Rule.dilated
    brute = {T: exact_law(joint, build(L, T)).kl for T in range(1, L + 1)}  # every T, independently
    for a, b, target in zip(on_chain["answers"], on_table["answers"], targets):
        first = next((T for T in range(1, L + 1) if brute[T] <= target + 1e-12), None)
        assert a["steps"] == b["steps"] == first
    for row in on_chain["rows"]:
        assert row["kl"] == pytest.approx(brute[row["steps"]], abs=1e-9)


def test_exact_grid_on_a_table_picks_the_loosest_meeting_point():
    joint = table_of(SKEW)
    specs = parse_grid("confidence:0.3..1/8")
    result = loosest_on_grid(joint, specs, [Fraction(1, 2), Fraction(10)], 3)
    kls = {s.text: exact_law(joint, parse_rule(s.text, 3)).kl for s in specs}
    meeting = [s.text for s in specs if kls[s.text] <= Fraction(1, 2)]
    assert meeting == ["confidence:2/5", "confidence:1/2"]  # KL is not monotone in τ: 3/10 and 3/5 miss
    got = result["answers"][0]["loosest"]
    assert result["exact"] and (got and got["spec"]) == (meeting[0] if meeting else None)
    assert result["answers"][1]["loosest"]["spec"] == specs[0].text  # every point meets 10 nats: the least τ
    eb = loosest_on_grid(joint, parse_grid("eb:0..1/5"), [Fraction(10)], 3)
    assert eb["answers"][0]["loosest"]["spec"] == "eb:1"  # the greatest γ is the loosest


def test_statistical_grid_on_a_chain_is_within_four_standard_errors_and_says_so():
    L = 5
    joint = JointDistribution.from_array(CHAIN.joint(L))
    specs = parse_grid("entropy-sum:0.5..2/4")
    result = loosest_on_grid(CHAIN, specs, [Fraction(1)], L, samples=300, seed=5)
    assert not result["exact"] and result["decision"].startswith("statistical")
    for spec, row in zip(specs, result["rows"]):
        exact_tc = ideal_walk(joint, parse_rule(spec.text, L)).total_correlation
        assert abs(row["tc_bound"] - exact_tc) <= 4 * row["tc_bound_se"] + 1e-9
        # four points, Bonferroni at familywise 97.5 %: z = Φ⁻¹(1 - 0.025/4) = 2.4977 (normal tables)
        assert row["upper"] == row["tc_bound"] + result["z"] * row["tc_bound_se"]
    assert result["z"] == pytest.approx(2.4977, abs=1e-4) and result["confidence"] == 0.975
    assert "Bonferroni over 4 points" in result["decision"]
    one = loosest_on_grid(CHAIN, specs[:1], [Fraction(1)], L, samples=300, seed=5)
    assert one["z"] == pytest.approx(1.9600, abs=1e-4)  # one point: the plain one-sided 97.5 % quantile
    assert one["rows"][0]["tc_bound"] == result["rows"][0]["tc_bound"]  # same draws, only the decision differs
    picked = result["answers"][0]["loosest"]
    assert picked is None or picked["upper"] <= 1
    with pytest.raises(DomainError, match="not computable on a chain"):
        loosest_on_grid(CHAIN, parse_grid("confidence:0.5..1/3"), [Fraction(1)], L)
    with pytest.raises(DomainError, match="needs about"):
        loosest_on_grid(CHAIN, parse_grid("eb:0..2/50"), [Fraction(1)], 4096)


def test_steps_family_rule_command_line(run, write):
    chain = write("c.json", '{"states": [0, 1, 2], "transition": [["0.6", "0.4", "0"], ["0", "0.3", "0.7"], '
                            '["0.5", "0", "0.5"]]}')
    result = run("steps", "--markov", chain, "--length", "6", "--family", "dilated", "--target", "1/2", "--json")
    assert result.exit_code == 0, result.output
    expected = next(T for T in range(1, 7)
                    if sum(fixed_order_kl(result_chain(chain), Rule.dilated(6, T), 6)) <= Fraction(1, 2))
    assert result.json["answers"][0]["steps"] == expected
    grid = run("steps", "--markov", chain, "--length", "6", "--family", "eb:0..1/3", "--target", "2",
               "--samples", "30")
    assert grid.exit_code == 0, grid.output and "STATISTICAL" in grid.stdout
    assert "STATISTICAL" in grid.stdout and "30 trajectories, seed 0" in grid.stdout
    refused = run("steps", "--markov", chain, "--length", "6", "--family", "confidence:0.5..1/3", "--target", "1")
    assert refused.exit_code == 1 and "not computable on a chain" in refused.stderr
    assert run("steps", "--markov", chain, "--family", "dilated", "--target", "1").exit_code == 2  # no --length


def result_chain(path):
    from boundcalc.truth import load_model

    return load_model(joint=None, markov=path, text=None, level="char", normalize=False, max_states=None)
