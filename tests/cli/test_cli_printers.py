"""The command line emits a printer's output unchanged: each --json document is the JSON printer's form of the
library's answer value (built here through the public API, independently of the command), with schema_version."""

from __future__ import annotations

from fractions import Fraction

import pytest

from boundcalc.answers import BudgetAnswer, FamilyStepsAnswer, UniformStepsAnswer, curve_bound_report
from boundcalc.bounds import bound_report
from boundcalc.curve_log import load_curve_file
from boundcalc.estimate import curve_mi_profile
from boundcalc.family_steps import budget_table, required_steps_family
from boundcalc.jsonify import SCHEMA_VERSION, document
from boundcalc.profile import MIProfile
from boundcalc.sources import case_multiscale, case_sampler
from boundcalc.steps import required_steps


def test_steps_json_is_the_uniform_answer(run):
    data = run("steps", "--mi-total", "3", "--length", "64", "--target", "1/2", "--target", "1/8", "--json").json
    profile = MIProfile.from_total(3, 64)
    results = tuple(required_steps(profile, Fraction(t)) for t in ("1/2", "1/8"))
    assert data == document(UniformStepsAnswer(profile, results, Fraction(0), "theorem1", "--mi-total"))
    assert data["schema_version"] == SCHEMA_VERSION and data["results"][0]["value"] == data["results"][0]["bound"]


def test_steps_family_json_is_the_family_answer(run):
    data = run("steps", "--mi-total", "2", "--length", "64", "--family", "cosine", "--target", "1/2",
               "--json").json
    profile = MIProfile.from_total(2, 64)
    results = tuple(required_steps_family(["1/2"], family="cosine", length=64, mi_total=Fraction(2)))
    source = data["source"]  # the profile as described on the command line
    expected = document(FamilyStepsAnswer(profile, None, results, "nats", Fraction(0), "bound", "theorem1", "cosine",
                                          source, False))
    assert data == expected and data["results"][0]["schedule"]["name"].startswith("cosine:")


def test_steps_budget_json_is_the_budget_answer(run):
    data = run("steps", "--mi-total", "2", "--length", "32", "--budget", "4", "--family", "uniform", "--family",
               "mdlm", "--json").json
    profile = MIProfile.from_total(2, 32)
    rows = budget_table(4, length=32, families=("uniform", "mdlm"), mi_total=Fraction(2), mi_profile=profile)
    expected = document(BudgetAnswer(profile, None, 4, tuple(rows), "nats", "theorem1", Fraction(0), data["source"]))
    assert data == expected and [f["family"] for f in data["families"]] == ["uniform", "mdlm"]


def test_bound_json_at_a_loss_curve_is_the_curve_report(run, write):
    path = write("noisy.csv", "masked_fraction,loss_nats,stderr_nats\n0.125,0.03,0.01\n0.25,0.04,0.01\n"
                 "0.5,0.06,0.01\n0.75,0.08,0.01\n0.875,0.16,0.02\n1,0.6931,0.001\n")
    data = run("bound", "--loss-curve", path, "--length", "8", "--schedule", "uniform:4", "--json").json
    curve = load_curve_file(path, 8)
    schedule = case_sampler("uniform:4", 8, curve)
    report = bound_report(curve_mi_profile(curve), schedule, 0, None, case_multiscale(schedule, curve=curve))
    at_curve = curve_bound_report(report, curve)
    assert at_curve.estimated and data == document(at_curve, 6)
    assert data["bounds"]["theorem1"]["estimate"] is True and data["mi_total"]["stderr"] is not None


def test_profile_json_is_the_profile_answer(run, write):
    from boundcalc.answers import ProfileAnswer
    from boundcalc.truth import MarkovChain, load_markov, token_mi

    path = write("chain.json", '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}')
    data = run("profile", "--markov", path, "--length", "6", "--size", "2", "--json").json
    model = load_markov(path)
    assert isinstance(model, MarkovChain)
    column = token_mi(model, 2, 6)  # nats
    answer = ProfileAnswer(data["model"], 6, "nats", ((2, column),), model.entropy_profile(6))
    assert data == document(answer)
    # the written total is the exact sum of the written decimals, with their rounding error
    assert Fraction(data["total_size_2"]["value"]) == pytest.approx(sum(Fraction(x) for x in data["size_2"]),
                                                                    abs=1e-15)
