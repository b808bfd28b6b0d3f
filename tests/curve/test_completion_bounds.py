"""Intervals over the monotone completions of a partial curve for what was still a point: the random schedule's
mean error (verify's "random:S (mean)" row) and every bound taken at ΣI or Φ (verify, bound).

Checked by hand (ΣI = L (d(0) - d(L-1)) moves only with the unmeasured ends) and by brute force over monotone
completions on a grid that holds each gap's extreme step functions, with the random schedule's error computed
by the truth engine on each completed curve (not through the coefficients the interval uses).
"""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pytest

from boundcalc.curve import LossCurve

# L = 8, measured at k = 2, 4, 6 (m = 6, 4, 2 revealed): d(2) = 0.6, d(4) = 0.4, d(6) = 0.2; k = 1 and k = 8 missing
PARTIAL = LossCurve(length=8, masked=[2, 4, 6], loss=[0.2, 0.4, 0.6], stderr=[0.01, 0.01, 0.02])


def test_sigma_i_interval_by_hand():
    from boundcalc.completion import input_intervals

    # d(0) in [d(2), ln V] = [0.6, ln 4], d(7) in [0, d(6)] = [0, 0.2]
    mi = input_intervals(PARTIAL, vocab_size=4)["mi_total"]
    assert mi == pytest.approx((8 * (0.6 - 0.2), 8 * math.log(4)), rel=1e-12)
    assert input_intervals(PARTIAL)["mi_total"] == (pytest.approx(3.2, rel=1e-12), math.inf)
    whole = LossCurve(length=8, masked=[1, 4, 8], loss=[0.1, 0.4, 0.7])  # both ends measured: ΣI is a point
    low, high = input_intervals(whole)["mi_total"]
    assert low == pytest.approx(8 * 0.6, rel=1e-12) and high == pytest.approx(low, rel=1e-12)


def _completions(curve: LossCurve, top: float):
    """Every non-increasing d on a grid: each unmeasured m takes a value in {low, mid, high} of its gap."""
    L = curve.length
    d = curve.conditional("linear")
    measured = {int(L - k) for k in curve.masked.tolist()}
    anchors = sorted(measured)
    free = [m for m in range(L) if m not in measured]
    choices = []
    for m in free:
        above = [a for a in anchors if a < m]
        below = [a for a in anchors if a > m]
        high = float(d[above[-1]]) if above else top
        low = float(d[below[0]]) if below else 0.0
        choices.append(sorted({low, (low + high) / 2, high}))
    for values in itertools.product(*choices):
        full = np.array(d, dtype=float)
        full[free] = values
        if np.all(np.diff(full) <= 1e-15):
            yield full


def test_random_schedule_and_bounds_intervals_against_brute_force():
    from boundcalc.bounds import bound_report
    from boundcalc.completion import bound_intervals, random_schedule_interval
    from boundcalc.estimate import curve_multiscale, curve_profile, random_schedule_estimate
    from boundcalc.profile import MIProfile
    from boundcalc.schedule import Schedule
    from boundcalc.truth import expected_random_error

    top = math.log(3)
    schedule = Schedule([2, 2, 2, 2])  # s_max = 2, S = 2
    rand = random_schedule_interval(random_schedule_estimate(PARTIAL, 2), PARTIAL, 2, vocab_size=3)
    mi = Fraction(8 * (0.6 - 0.2))
    report = bound_report(MIProfile.from_total(mi, 8), schedule, Fraction(0), None, curve_multiscale(PARTIAL, 2))
    values = {k: v for k, v in report.values.items() if v is not None}
    intervals = bound_intervals(PARTIAL, report.inputs, values, vocab_size=3)
    errors, bounds = [], {name: [] for name in intervals}
    for full in _completions(PARTIAL, top):
        completed = LossCurve.from_conditional(full)
        errors.append(expected_random_error(curve_profile(completed), 2))
        levels = curve_multiscale(completed, 2)
        total = max(Fraction(float(8 * (full[0] - full[7]))), levels.level_totals[-1])  # the same float, written
        at = bound_report(MIProfile.from_total(total, 8), schedule, Fraction(0), None, levels)
        for name in bounds:
            bounds[name].append(float(at.values[name]))
    # the grid holds each gap's extreme step functions: the closed-form interval is attained, never exceeded
    assert rand.interval == pytest.approx((min(errors), max(errors)), abs=1e-12)
    assert rand.interval[0] <= rand.value <= rand.interval[1]
    assert {"theorem1", "corollary1", "theorem2_upper", "theorem2_lower"} <= set(intervals)
    for name, seen in bounds.items():
        assert intervals[name] == pytest.approx((min(seen), max(seen)), rel=1e-9, abs=1e-12), name
    # theorem1 at s_max = 2: (2 - 1)/L ΣI, ΣI in [3.2, 8 ln 3]
    assert intervals["theorem1"] == pytest.approx((0.4, math.log(3)), rel=1e-12)


def test_tc_dtc_entropy_and_rates_intervals_against_brute_force():
    from boundcalc.completion import quantities_with_completion

    top = math.log(3)
    got = quantities_with_completion(PARTIAL, steps=4, vocab_size=3)
    seen: dict[str, list[float]] = {k: [] for k in got}
    for full in _completions(PARTIAL, top):
        tc = sum(full[0] - x for x in full)
        dtc = sum(x - full[-1] for x in full)
        for name, value in (("total_correlation", tc), ("dual_total_correlation", dtc), ("entropy", sum(full)),
                            ("mi_total", 8 * (full[0] - full[-1])), ("tc_rate", tc / 4), ("dtc_rate", dtc / 4)):
            seen[name].append(value)
    for name, estimate in got.items():
        assert estimate.interval == pytest.approx((min(seen[name]), max(seen[name])), rel=1e-9, abs=1e-12), name
        assert estimate.interval[0] <= estimate.value <= estimate.interval[1]
    # by hand: TC = 8 d(0) - Σ_m d(m) is largest with d(0) = ln 3 and every other unmeasured d at its low end:
    # d(1) = d(2) = 0.6, d(3) = d(4) = 0.4, d(5) = d(6) = 0.2, d(7) = 0
    assert got["total_correlation"].interval[1] == pytest.approx(7 * top - (0.6 + 0.6 + 0.4 + 0.4 + 0.2 + 0.2),
                                                                 rel=1e-12)
    every = LossCurve(length=4, masked=[1, 2, 3, 4], loss=[0.1, 0.2, 0.3, 0.4])  # measured at every k: no interval
    assert all(e.interval is None for e in quantities_with_completion(every, 2).values())
    ends = LossCurve(length=8, masked=[1, 4, 8], loss=[0.1, 0.4, 0.7])  # ends measured: only ΣI is a point
    got = quantities_with_completion(ends, 4)
    assert got["mi_total"].interval is None and got["entropy"].interval[1] - got["entropy"].interval[0] > 0.1


def test_verify_table_and_json_carry_the_intervals_with_one_warning(run, write):
    path = write("partial.csv", "masked,loss_nats,stderr_nats\n2,0.2,0.01\n4,0.4,0.01\n6,0.6,0.02\n")
    args = ("verify", "--loss-curve", path, "--length", "8", "--schedule", "uniform:4", "--vocab-size", "4")
    table = run(*args, "--digits", "4")
    assert table.exit_code == 0, table.output
    assert table.stderr.count("\n") == 1 and "k = 7..8" in table.stderr and "k = 1 " in table.stderr
    rows = {line.split("│")[1].strip(): line.split("│")[3].strip() for line in table.stdout.splitlines()
            if line.startswith("│")}
    # s_max = 2: theorem1 = ΣI/8 with ΣI in [3.2, 8 ln 4]; shown outward (its float error widens 0.4 to below it,
    # rounded down: 0.399; ln 4 = 1.3863 rounded up: 1.39)
    assert rows["theorem1"].startswith("0.4 ± ") and rows["theorem1"].endswith(" in [0.399, 1.39]")
    # 2/T ΣI = ΣI/2, T = 4: [1.6, 4 ln 4 = 5.5452] shown outward
    assert rows["corollary1"].startswith("1.6 ± ") and rows["corollary1"].endswith(" in [1.59, 5.55]")
    assert "± " in rows["estimated error of random:2 (mean)"] and " in [" in rows["estimated error of random:2 (mean)"]
    data = json.loads(run(*args, "--json").stdout)
    assert float(data["bounds"]["theorem1"]["interval"][0]) == pytest.approx(0.4, rel=1e-12)
    assert float(data["bounds"]["theorem1"]["interval"][1]) == pytest.approx(math.log(4), rel=1e-12)
    random = data["random_schedule"]["truth"]
    assert random["estimate"] is True and random["stderr"] is not None and len(random["interval"]) == 2
    unbounded = json.loads(run("verify", "--loss-curve", path, "--length", "8", "--schedule", "uniform:4", "--json").stdout)
    low, high = unbounded["bounds"]["theorem1"]["interval"]
    assert float(low) == pytest.approx(0.4, rel=1e-12) and high is None
    assert unbounded["random_schedule"]["truth"]["interval"][1] is None


def test_the_headers_give_sigma_i_and_phi_their_intervals(run, write):
    path = write("partial.csv", "masked,loss_nats,stderr_nats\n2,0.2,0.01\n4,0.4,0.01\n6,0.6,0.02\n")
    curve = ("--loss-curve", path, "--length", "8", "--vocab-size", "4")
    # ΣI = L (d(0) - d(7)) with d(0) in [0.6, ln 4], d(7) in [0, 0.2]: [3.2, 8 ln 4 = 11.09]; shown outward
    header = {"verify": run("verify", *curve, "--schedule", "uniform:4").stdout.splitlines()[2],
              "steps": run("steps", *curve, "--family", "uniform", "--by", "error", "--target", "1").stdout.splitlines()[2],
              "budget": run("steps", *curve, "--budget", "4").stdout.splitlines()[2],
              "bound": run("bound", *curve, "--schedule", "uniform:4").stdout.splitlines()[2]}
    for command, line in header.items():
        assert "ΣI = 3.2 ± " in line and " in [3.19, 11.1] nats" in line, (command, line)
    # Φ = G(m_0) + ½ G(m_1), S = 2, m_j = L - S/2^j = 6, 7, G(m) = 8 (d(0) - d(m)), d(6) = 0.2 measured:
    # Φ = 8 (d(0) - 0.2) + 4 (d(0) - d(7)); the curve's own (held flat: d(0) = 0.6, d(7) = 0.2) 3.2 + 1.6 = 4.8,
    # the least completion the same, the largest d(0) = ln 4, d(7) = 0: 12 ln 4 - 1.6 = 15.04
    phi = header["bound"].split("Φ = ")[1]
    assert phi.startswith("4.8 ± ") and " in [4.79, 15.1] " in phi, phi
    data = json.loads(run("verify", *curve, "--schedule", "uniform:4", "--json").stdout)
    assert [float(x) for x in data["mi_total"]["interval"]] == pytest.approx([3.2, 8 * math.log(4)], rel=1e-12)
    unbounded = json.loads(run("verify", *curve[:-2], "--schedule", "uniform:4", "--json").stdout)
    assert unbounded["mi_total"]["interval"][1] is None


def test_bound_table_and_json_and_no_interval_when_both_ends_are_measured(run, write):
    path = write("partial.csv", "masked,loss_nats,stderr_nats\n2,0.2,0.01\n4,0.4,0.01\n6,0.6,0.02\n")
    data = json.loads(run("bound", "--loss-curve", path, "--length", "8", "--schedule", "uniform:4", "--vocab-size", "4",
                          "--json").stdout)
    low, high = (float(x) for x in data["bounds"]["corollary1"]["interval"])
    assert (low, high) == (pytest.approx(1.6, rel=1e-12), pytest.approx(4 * math.log(4), rel=1e-12))
    table = run("bound", "--loss-curve", path, "--length", "8", "--schedule", "uniform:4", "--digits", "4")
    assert table.exit_code == 0 and "in [0.399, ∞]" in table.stdout and table.stderr.count("\n") == 1
    ends = write("ends.csv", "masked,loss_nats,stderr_nats\n1,0.1,0.01\n4,0.4,0.01\n8,0.7,0.02\n")
    data = json.loads(run("bound", "--loss-curve", ends, "--length", "8", "--schedule", "uniform:4", "--json").stdout)
    assert "interval" not in data["bounds"]["theorem1"]  # ΣI = 8 (d(0) - d(7)): both measured, a point


def test_sweep_csv_and_json_carry_the_bounds_and_random_schedule_intervals(run, write):
    import csv
    import io

    from boundcalc.completion import random_schedule_interval
    from boundcalc.estimate import random_schedule_estimate

    path = write("partial.csv", "masked,loss_nats,stderr_nats\n2,0.2,0.01\n4,0.4,0.01\n6,0.6,0.02\n")
    args = ("sweep", "--loss-curve", path, "--length", "8", "--steps", "4", "-f", "uniform", "-f", "mdlm",
            "--vocab-size", "4")
    result = run(*args, "--csv")
    assert result.exit_code == 0 and result.stderr.count("\n") == 1, result.output
    rows = {row["family"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    uniform = rows["uniform"]
    assert float(uniform["theorem1_low"]) == pytest.approx(0.4, rel=1e-12)  # ΣI/8, ΣI in [3.2, 8 ln 4]
    assert float(uniform["theorem1_high"]) == pytest.approx(math.log(4), rel=1e-12)
    expected = random_schedule_interval(random_schedule_estimate(PARTIAL, 2), PARTIAL, 2, vocab_size=4).interval
    assert (float(uniform["random_error_low"]), float(uniform["random_error_high"])) == pytest.approx(expected, rel=1e-12)
    # mdlm: E c(S_max)/L ΣI, linear in ΣI: its interval is the value moved by c/L times ΣI's ends
    mdlm = rows["mdlm"]
    value, low, high = (float(mdlm[k]) for k in ("theorem1", "theorem1_low", "theorem1_high"))
    # ε_train = 0: the bound is E c/L · ΣI, so its ends are in the ratio of ΣI's, 8 ln 4 / 3.2; the estimate's ΣI
    # (the ends held flat) is ΣI's lower end
    assert high / low == pytest.approx(8 * math.log(4) / 3.2, rel=1e-9)
    assert low == pytest.approx(value, rel=1e-3)  # the value column is rounded to its digits
    data = json.loads(run(*args, "--json").stdout)
    shown = json.dumps(data)
    assert '"interval"' in shown and "random_error" in shown


def test_steps_by_bound_gives_the_bound_interval_and_the_t_range(run, write):
    """L = 32, d(0) in [0.6, ln 4] and d(31) in [0, 0.2]: ΣI in [12.8, 32 ln 4]; theorem1 for uniform:T is
    (2^ceil(log2 s_max) - 1)/32 ΣI, so target 2 needs s_max = 4 (T = 8) at ΣI = 12.8 and s_max = 2 (T = 16) at
    32 ln 4 (s_max 3 at T = 11..15 gives 3/32 · 44.4 > 2)."""
    path = write("partial.csv", "masked_fraction,loss_nats,stderr_nats\n0.5,0.2,0.01\n0.75,0.4,0.01\n0.9,0.6,0.02\n")
    data = json.loads(run("steps", "--loss-curve", path, "--length", "32", "--target", "2", "--by", "bound",
                          "--family", "uniform", "--vocab-size", "4", "--json").stdout)
    result = data["results"][0]
    assert result["steps"] == 8 and result["steps_range"] == [8, 16]
    low, high = (float(x) for x in result["value"]["interval"])
    assert low == pytest.approx(3 / 32 * 12.8, rel=1e-12) and high == pytest.approx(3 / 32 * 32 * math.log(4), rel=1e-12)
    unbounded = json.loads(run("steps", "--loss-curve", path, "--length", "32", "--target", "2", "--by", "bound",
                               "--family", "uniform", "--json").stdout)["results"][0]
    assert unbounded["steps_range"] == [8, None] and unbounded["value"]["interval"][1] is None
    table = run("steps", "--loss-curve", path, "--length", "32", "--target", "2", "--by", "bound", "--family", "uniform",
                "--vocab-size", "4")
    assert table.exit_code == 0 and "8 [8, 16]" in table.stdout and table.stderr.count("\n") == 1


def test_a_random_count_sampler_gets_its_error_and_expected_bounds_intervals(run, write):
    from boundcalc.completion import error_interval
    from boundcalc.estimate import count_coefficients
    from boundcalc.schedule import parse_sampler, parse_spec

    path = write("partial.csv", "masked,loss_nats,stderr_nats\n2,0.2,0.01\n4,0.4,0.01\n6,0.6,0.02\n")
    args = ("--loss-curve", path, "--length", "8", "--schedule", "mdlm:4", "--vocab-size", "4", "--json")
    data = json.loads(run("verify", *args).stdout)
    expected = error_interval(PARTIAL, count_coefficients(parse_sampler(parse_spec("mdlm:4"), 8)), 4)
    assert tuple(float(x) for x in data["truth"]["interval"]) == pytest.approx(expected, rel=1e-9)
    # E c(S_max)/L · ΣI with ε_train = 0: the ends are in the ratio of ΣI's, 8 ln 4 / 3.2
    for document in (data, json.loads(run("bound", *args).stdout)):
        low, high = (float(x) for x in document["bounds"]["theorem1"]["interval"])
        assert high / low == pytest.approx(8 * math.log(4) / 3.2, rel=1e-9)


def test_info_optimal_by_bound_from_a_partial_curve_answers_with_a_range(run, write):
    # was refused ("info-optimal needs a loss curve") although a curve was given: the range's reruns at ΣI's ends
    # dropped the curve its schedules follow
    path = write("partial.csv", "masked,loss_nats,stderr_nats\n2,0.2,0.01\n4,0.4,0.01\n6,0.6,0.02\n")
    args = ("steps", "--loss-curve", path, "--length", "8", "--family", "info-optimal", "--by", "bound", "--target", "2")
    bounded = run(*args, "--vocab-size", "4", "--json")
    assert bounded.exit_code == 0, bounded.output
    [answer] = bounded.json["results"]
    low, high = answer["steps_range"]
    # ΣI's lower end is the curve's own (d held flat at the ends): T_lo is the point answer; a larger ΣI needs more T
    assert low == answer["steps"] <= high
    unbounded = run(*args, "--json")
    assert unbounded.exit_code == 0 and unbounded.json["results"][0]["steps_range"][1] is None
