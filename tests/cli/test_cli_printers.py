"""The command line emits a printer's output unchanged: each --json document is the JSON printer's form of the
library's answer value (built here through the public API, independently of the command), with schema_version."""

from __future__ import annotations

import math
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


def _cells(output: str) -> list[list[str]]:
    """The rows of a drawn table as lists of cells (box characters and padding removed)."""
    rows = []
    for line in output.splitlines():
        if line.startswith("│"):
            rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def test_steps_table_is_the_uniform_answers_table(run):
    from boundcalc.table_printer import to_table

    output = run("steps", "--mi-total", "3", "--length", "64", "--target", "1/2").stdout
    profile = MIProfile.from_total(3, 64)
    answer = UniformStepsAnswer(profile, (required_steps(profile, Fraction(1, 2)),), Fraction(0), "theorem1",
                                "--mi-total")
    table = to_table(answer, 6)
    assert _cells(output) == [list(row) for row in table.rows]
    # by hand: (2^k - 1) · 3/64 <= 1/2 needs 2^k <= 11.67, so s_max = 8, T = 64/8 = 8, bound 7 · 3/64 = 0.328125
    assert table.rows == (("0.5", "8", "8", "0.328125", "8"),)
    assert output.splitlines()[0] == table.title and table.header_lines[0] in output


def test_bound_and_budget_tables_are_their_answers_tables(run):
    from boundcalc.schedule import parse_schedule
    from boundcalc.table_printer import to_table

    output = run("bound", "--schedule", "5,3,2", "--mi-total", "2", "--length", "10", "--eps-train", "1/10").stdout
    report = bound_report(MIProfile.from_total(2, 10), parse_schedule("5,3,2", 10), Fraction(1, 10))
    table = to_table(report, 6)
    assert _cells(output) == [list(row) for row in table.rows]
    # theorem1 by hand: (2^ceil(log2 5) - 1)/10 · 2 + 1/10 = 7/5 + 1/10 = 1.5
    assert ["theorem1", "(8)", "1.5"] == [c for c in _cells(output) if c[0] == "theorem1"][0][:3]
    output = run("steps", "--mi-total", "2", "--length", "32", "--budget", "4", "--family", "uniform").stdout
    profile = MIProfile.from_total(2, 32)
    rows = budget_table(4, length=32, families=("uniform",), mi_total=Fraction(2), mi_profile=profile)
    table = to_table(BudgetAnswer(profile, None, 4, tuple(rows), "nats", "theorem1", Fraction(0), "L = 32"), 6,
                     curve_hint="--loss-curve")
    assert _cells(output) == [list(row) for row in table.rows]
    assert table.caption in output and "(--loss-curve)" in table.caption
    # uniform:4 at L = 32: s_max = 8, theorem1 = 7/32 · 2 = 0.4375
    assert table.rows[0][:3] == ("uniform", "8,8,8,8", "8") and table.rows[0][4] == "0.4375"


def test_sweep_json_and_table_are_the_sweep_answers(run, write):
    from boundcalc.answers import SweepAnswer
    from boundcalc.sources import sweep_source
    from boundcalc.sweeps import sweep
    from boundcalc.table_printer import to_table

    path = write("mi.csv", "index,mi\n1,0.42\n2,0.61\n3,0.58\n4,0.66\n5,0.31\n")
    args = ("sweep", "--mi-profile", path, "--family", "uniform", "--steps", "1,2,5")
    data = run(*args, "--json").json
    source = sweep_source(profile=MIProfile.from_values(["0.42", "0.61", "0.58", "0.66", "0.31"], source=path))
    answer = SweepAnswer(sweep(source.source, ["uniform"], (1, 2, 5)), source.description)
    assert data == document(answer)
    # theorem1 at T = 1 (s_max = 5): (2^3 - 1)/5 · ΣI, ΣI = 2.58 by hand
    assert Fraction(data["rows"][0]["bounds"]["theorem1"]["exact"]) == Fraction(7, 5) * Fraction("2.58")
    output = run(*args).stdout
    table = to_table(answer, 6, elsewhere="--csv/--json")
    assert _cells(output) == [list(row) for row in table.rows]
    assert output.rstrip().endswith(table.footer[-1]) and "in --csv/--json" in table.caption


def test_the_recommendation_is_an_answer_value(run, write):
    from boundcalc.answers import Recommendation, TargetRecommendation
    from boundcalc.step_families import searched_family
    from boundcalc.table_printer import to_table

    from boundcalc.cli.advice import ADAPTIVE_NOTE, LLADA_BLOCK_LENGTH, RECOMMENDED_FAMILIES

    path = write("c.csv", "masked,loss_nats\n" + "".join(f"{k},{0.1 * k / 8:.4f}\n" for k in range(1, 9)))
    data = run("steps", "--loss-curve", path, "--target", "1/4", "--json").json
    curve = load_curve_file(path, None)
    found = {f: required_steps_family(["1/4"], family=searched_family(f), by="error", length=8, curve=curve)[0]
             for f in RECOMMENDED_FAMILIES}
    optimal = required_steps_family(["1/4"], family=searched_family("optimal"), by="optimal", length=8, curve=curve)[0]
    answer = Recommendation(8, "nats", data["source"], (TargetRecommendation(Fraction(1, 4), found, optimal),),
                            LLADA_BLOCK_LENGTH, None, ADAPTIVE_NOTE)
    assert data == document(answer)
    assert data["recommended"]["steps"] == min(r.steps for r in found.values() if r.feasible)
    output = run("steps", "--loss-curve", path, "--target", "1/4").stdout
    table = to_table(answer, 6)
    assert output.splitlines()[: len(table.preamble)] == list(table.preamble) == answer.lines(6)
    assert _cells(output) == [list(row) for row in table.rows]


def test_rule_answers_are_printed_by_jsonify(run, write):
    import math

    from boundcalc.answers import ThresholdSearchAnswer
    from boundcalc.sampler_truth import loosest_threshold
    from boundcalc.truth import load_joint
    from boundcalc.units import to_nats_floor

    path = write("xor.json", '{"outcomes": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], '
                 '"probabilities": ["1/4", "1/4", "1/4", "1/4"]}')
    data = run("steps", "--joint", path, "--family", "confidence", "--target", "2", "--unit", "bits", "--json").json
    table = load_joint(path)
    result = loosest_threshold(table, to_nats_floor(Fraction(2), "bits"))  # computed in nats
    assert data == document(ThresholdSearchAnswer(f"joint table {table.source}", "bits", ((Fraction(2), result),)))
    assert data["results"][0]["kl"] == pytest.approx(result["kl"] / math.log(2))  # shown in bits
    assert data["results"][0]["target"] == "2" and data["unit"] == "bits"


def test_every_answer_has_a_json_printer_and_the_tables_theirs():
    import dataclasses

    from boundcalc import answers, csv_printer, jsonify, latex, table_printer, text_printer

    printable = [getattr(answers, name) for name in answers.__all__
                 if isinstance(getattr(answers, name), type) and dataclasses.is_dataclass(getattr(answers, name))
                 and name != "TargetRecommendation"]
    assert printable and all(cls in jsonify.PRINTERS for cls in printable)
    tables = ("UniformStepsAnswer", "FamilyStepsAnswer", "BudgetAnswer", "CurveBoundReport", "BoundReport",
              "ProfileAnswer", "MultiScaleAnswer", "CurveAnswer", "Recommendation", "SweepAnswer", "VerifyAnswer",
              "CountBoundAnswer")
    assert all(name in table_printer.PRINTERS for name in tables)
    assert all(name in csv_printer.PRINTERS for name in ("SweepAnswer", "TradeoffAnswer", "ProfileAnswer"))
    assert all(name in latex.PRINTERS for name in ("BudgetAnswer", "CountBoundAnswer", "FamilyStepsAnswer"))
    assert "ResultCatalogue" in text_printer.PRINTERS


def test_verify_table_is_the_verify_answers_table_and_its_source_is_the_librarys(run, write):
    from boundcalc.answers import verify_answer
    from boundcalc.errors import UsageError
    from boundcalc.schedule import parse_sampler, parse_spec
    from boundcalc.sources import describe_model, sweep_source, verify_source
    from boundcalc.table_printer import to_table
    from boundcalc.truth import load_markov
    from boundcalc.verification import verify

    path = write("chain.json", '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}')
    output = run("verify", "--markov", path, "--length", "8", "--schedule", "uniform:4").stdout
    model = load_markov(path)
    source = verify_source(parse_spec("uniform:4"), model=model, length=8)
    assert source.description == describe_model(model, 8) and source.model is model
    assert list(source.profile.conditional) == list(model.entropy_profile(8).conditional)
    report = verify(source.profile, parse_sampler(parse_spec("uniform:4"), 8), length=8, unit="nats")
    answer = verify_answer(report, source.curve, source.description, measured=False, profile=source.profile)
    table = to_table(answer, 6, machine="--json")
    assert _cells(output) == [list(row) for row in table.rows]
    assert table.title in output and source.description in output
    with pytest.raises(UsageError):  # one source, named by its parameter (the CLI maps it to its flags)
        sweep_source(profile=MIProfile.from_total(1, 8), model=model, length=8)


def test_rule_tables_are_their_answers_tables(run, write):
    from boundcalc.answers import RuleVerifyAnswer, TradeoffAnswer
    from boundcalc.rule_tables import pm
    from boundcalc.sampler_truth import rule_report
    from boundcalc.sources import describe_model
    from boundcalc.table_printer import to_table
    from boundcalc.truth import load_joint

    path = write("xor.json", '{"outcomes": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], '
                 '"probabilities": ["1/4", "1/4", "1/4", "1/4"]}')
    model = load_joint(path)
    report = rule_report(model, "confidence:9/10", 3)
    output = run("verify", "--joint", path, "--schedule", "confidence:0.9").stdout
    table = to_table(RuleVerifyAnswer(report, describe_model(model, 3), "nats"), 6)
    assert _cells(output) == [list(row) for row in table.rows] and table.title == "boundcalc verify"
    output = run("sweep", "--joint", path, "--sampler", "confidence:0.9", "--sampler", "uniform:3").stdout
    reports = tuple(rule_report(model, s, 3) for s in ("confidence:9/10", "uniform:3"))
    assert _cells(output) == [list(r) for r in to_table(TradeoffAnswer(reports, describe_model(model, 3), "nats"),
                                                         6).rows]
    # a value with its standard error: one digit past the error's, never past --digits significant digits
    assert pm(2.70751874963942107, 1.2e-16, 6, False) == "2.70752 ± 1.2e-16" and pm(0.5, 0.01, 6, False) == "0.500 ± 0.01"


def test_sweep_sampler_json_gives_guarantees_in_the_unit(run, write):
    # confidence:1/2 on xor: n = 3 tokens in its one call, ε = 1 - τ = 1/2, V = 2: Fast-dLLM's bound
    # (n - 1)(H_b(ε) + ε ln(V - 1)) = 2 ln 2 nats = 2 bits; the truth KL = ln 8 - ln 4 = 1 bit
    path = write("xor.json", '{"outcomes": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], '
                 '"probabilities": ["1/4", "1/4", "1/4", "1/4"]}')
    for unit, scale in (("bits", 1.0), ("nats", math.log(2))):
        data = run("sweep", "--joint", path, "--sampler", "confidence:1/2", "--json", "--unit", unit).json
        (sampler,) = data["samplers"]
        (guarantee,) = sampler["guarantees"]
        assert data["unit"] == unit and guarantee["holds"] is True
        assert abs(guarantee["value"] - 2 * scale) < 1e-12 and abs(sampler["truth"] - scale) < 1e-12


def test_rule_reports_information_fields_are_in_the_unit(run, write):
    # eb:2 and entropy-sum:2 on xor: every information field of the report (the largest step's TC, the output
    # law's KL, the TC bound, the entropy excess and sum) is shown in --unit like the truth: bits = nats / ln 2
    # (confidence:1/2 reveals all 3 tokens at once: its largest step's TC is I(xor) = ln 2 nats = 1 bit)
    path = write("xor.json", '{"outcomes": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], '
                 '"probabilities": ["1/4", "1/4", "1/4", "1/4"]}')
    fields = ("truth", "max_step_tc", "kl_of_output_law", "tc_bound", "entropy_excess", "entropy_sum")
    samplers = ("--sampler", "eb:2", "--sampler", "entropy-sum:2", "--sampler", "confidence:1/2")
    nats, bits = (run("sweep", "--joint", path, *samplers, "--json", "--unit", u).json["samplers"]
                  for u in ("nats", "bits"))
    seen = 0
    for in_nats, in_bits in zip(nats, bits):
        for key in fields:
            if in_nats.get(key) is not None:
                assert abs(in_bits[key] - in_nats[key] / math.log(2)) < 1e-12, (in_nats["sampler"], key)
                seen += in_nats[key] > 0
    assert seen >= 6 and abs(bits[2]["max_step_tc"] - 1) < 1e-12
    single = run("verify", "--joint", path, "--schedule", "eb:2", "--json", "--unit", "bits").json
    assert all(abs(single[key] - bits[0][key]) < 1e-12 for key in fields)


def test_latex_list_is_the_text_printers_catalogue(run):
    from boundcalc import symbolic
    from boundcalc.answers import result_catalogue
    from boundcalc.text_printer import to_text

    output = run("latex", "--list").stdout
    assert output == to_text(result_catalogue())
    lines = output.splitlines()
    assert [line.split()[0] for line in lines] == list(symbolic.NAMES)
    # name in 20 columns, a space, the label in 6, a space, the summary
    (theorem1,) = [line for line in lines if line.startswith("theorem1 ")]
    assert theorem1 == "theorem1" + " " * 13 + "(8)" + " " * 4 + symbolic.get("theorem1").summary


def test_budget_latex_goes_through_the_latex_dispatch(run, write):
    from boundcalc.latex import latex

    # uniform at T = 64, L = 1024: s_max = 16, Theorem 1 (16 - 1)/1024 · 12.5 = 0.18310546875
    output = run("steps", "--mi-total", "12.5", "--length", "1024", "--budget", "64", "--family", "uniform",
                 "--format", "latex").stdout
    profile = MIProfile.from_total(Fraction(25, 2), 1024)
    rows = budget_table(64, length=1024, families=("uniform",), mi_total=Fraction(25, 2), mi_profile=profile)
    answer = BudgetAnswer(profile, None, 64, tuple(rows), "nats", "theorem1", Fraction(0), "--mi-total")
    assert output == latex(answer, digits=6)
    assert "uniform & 16 & --- & $0.183105$" in output and r"$\Sigma I = 12.5$ nats" in output
    # from a measured curve: ΣI = L (d(0) - d(L - 1)) = 8 (0.6931 - 0.03) = 5.3048 nats, stderr
    # 8 sqrt(0.001² + 0.01²) = 0.0804 (shown rounded up to 0.081): an estimate in the caption
    path = write("noisy.csv", "masked_fraction,loss_nats,stderr_nats\n0.125,0.03,0.01\n0.25,0.04,0.01\n"
                 "0.5,0.06,0.01\n0.75,0.08,0.01\n0.875,0.16,0.02\n1,0.6931,0.001\n")
    output = run("steps", "--loss-curve", path, "--length", "8", "--budget", "2", "--family", "uniform",
                 "--format", "latex").stdout
    assert r"$\Sigma I = 5.305 \pm 0.081$ nats estimated" in output


def test_count_bound_answer_in_every_format_by_hand(run):
    from boundcalc.answers import CountBoundAnswer, count_bound_answer
    from boundcalc.bounds import count_bound_report
    from boundcalc.latex import latex
    from boundcalc.table_printer import to_table

    # ΣI = 0: every expected bound E[c(S_max)]/L · ΣI + ε_train is ε_train
    args = ("bound", "--mi-total", "0", "--length", "8", "--schedule", "mdlm:2", "--eps-train", "1/10")
    data = run(*args, "--json").json
    assert all(abs(float(v["value"]) - 0.1) < 1e-15 for v in data["bounds"].values() if v is not None)
    profile = MIProfile.from_total(0, 8)
    answer = count_bound_answer(profile, case_sampler("mdlm:2", 8, None), Fraction(1, 10))
    assert isinstance(answer, CountBoundAnswer) and answer.at_curve is None and answer.mi_measured is None
    assert data == document(count_bound_report(profile, case_sampler("mdlm:2", 8, None), Fraction(1, 10)))
    table = to_table(answer, 6)
    assert table.header_lines[0] == "L = 8, ΣI = 0 nats" and all(row[2] == "0.1" for row in table.rows)
    assert run(*args, "--format", "latex").stdout == latex(answer, digits=6)


def test_count_bound_answer_at_a_measured_curve_is_at_its_sum_of_mi(run, write):
    from boundcalc.answers import count_bound_answer

    # loss at k masked = 0.5 + 6k/64, measured at every k: ΣI = L (d(0) - d(L - 1)) = 64 (6.5 - 0.59375) = 378
    path = write("full.csv", "masked,loss_nats\n" + "".join(f"{k},{0.5 + 6 * k / 64}\n" for k in range(1, 65)))
    output = run("bound", "--loss-curve", path, "--schedule", "mdlm:8").stdout
    header = output.splitlines()[1]
    assert header.startswith("L = 64, ΣI = 378 ± ? nats (") and header.endswith("full.csv)")
    curve = load_curve_file(path, 64)
    answer = count_bound_answer(curve_mi_profile(curve), case_sampler("mdlm:8", 64, curve), 0, curve)
    assert answer.estimated and abs(answer.mi_measured.value - 378) < 1e-9
    exact = run("bound", "--mi-total", "378", "--length", "64", "--schedule", "mdlm:8", "--json").json["bounds"]
    for name, value in answer.estimated.items():  # the same bounds as at an exact ΣI = 378
        assert abs(value.value - float(exact[name]["value"])) < 1e-9 * float(exact[name]["value"])
    data = run("bound", "--loss-curve", path, "--schedule", "mdlm:8", "--json").json
    assert data == document(answer) == document(answer.at_curve, 6)


def test_count_bound_header_at_a_partial_curve_carries_sum_of_mi_interval(run, write):
    # loss at k masked = 0.5 + 6k/64 measured at k = 4, 8, ..., 64: d(L - 1..L - 3) unmeasured, anywhere in
    # [0, 0.875] for a monotone completion, so ΣI = L (d(0) - d(L - 1)) in [64 (6.5 - 0.875), 64 · 6.5] = [360, 416],
    # shown outward [359, 417]: the same header as a fixed schedule's
    path = write("partial.csv", "masked,loss_nats\n" + "".join(f"{k},{0.5 + 6 * k / 64}\n" for k in range(4, 65, 4)))
    count = run("bound", "--loss-curve", path, "--schedule", "mdlm:8").stdout.splitlines()[1]
    fixed = run("bound", "--loss-curve", path, "--schedule", "uniform:8").stdout.splitlines()[2]
    assert count.startswith("L = 64, ΣI = 360 ± ? in [359, 417] nats (") and fixed.startswith(count.split(" nats")[0])


def test_latex_captions_and_count_json_carry_the_sum_of_mi_interval_of_a_partial_curve(run, write):
    # the curve of the test above: ΣI = 360 in [360, 416] over the monotone completions, shown outward [359, 417];
    # every format states it as the terminal header does (LaTeX of bound for a fixed and a random-count schedule,
    # of steps --budget; the count bound's JSON carries the exact ends)
    path = write("partial.csv", "masked,loss_nats\n" + "".join(f"{k},{0.5 + 6 * k / 64}\n" for k in range(4, 65, 4)))
    caption = r"\Sigma I = 360 \pm ? \in [359, 417]$ nats"
    for args in (("bound", "--schedule", "uniform:8"), ("bound", "--schedule", "mdlm:8"), ("steps", "--budget", "8")):
        assert caption in run(*args, "--loss-curve", path, "--format", "latex").stdout, args
    low, high = run("bound", "--loss-curve", path, "--schedule", "mdlm:8", "--json").json["mi_total"]["interval"]
    assert abs(float(low) - 360) < 1e-9 and abs(float(high) - 416) < 1e-9
