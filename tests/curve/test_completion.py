"""Partial loss curves: intervals over every monotone completion (against brute force), T ranges, the CLI."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from boundcalc import completion
from boundcalc.completion import completion_interval, describe_missing, steps_range
from boundcalc.curve import LossCurve
from boundcalc.estimate import estimate_error, schedule_coefficients
from boundcalc.step_families import family_schedule
from boundcalc.schedule import Schedule

L = 7
CURVE = LossCurve(length=L, masked=[2, 4, 5], loss=[0.3, 0.6, 0.9])  # no k = 1, no k = 6, 7
V = 3


def _completions(top: float, grid: int = 4, curve: LossCurve = CURVE):
    """Brute force: every non-increasing d whose values lie on a grid of levels (0, top, every measured value
    and ``grid`` steps between each pair), equal to the curve where measured -- gaps and ends alike."""
    n = curve.length
    d = curve.conditional("linear")
    measured = set((n - curve.masked).tolist())
    anchors = sorted({0.0, top, *(float(d[m]) for m in measured)})
    levels = sorted({float(x) for a, b in zip(anchors, anchors[1:]) for x in np.linspace(a, b, grid + 1)})
    free = [m for m in range(n) if m not in measured]
    for values in itertools.product(levels, repeat=len(free)):
        e = d.copy()
        e[free] = values
        if np.all(np.diff(e) <= 0):
            yield e


@pytest.mark.parametrize("seed", range(6))
def test_interval_is_the_extremes_over_every_monotone_completion(seed):
    c = np.random.default_rng(seed).integers(-3, 4, size=L).astype(float)
    values = [float(c @ e) for e in _completions(math.log(V))]
    lo, hi = completion_interval(CURVE, c, vocab_size=V)
    # the extremes of a linear function are at step-function completions, which the grid holds
    assert lo == pytest.approx(min(values), abs=1e-12) and hi == pytest.approx(max(values), abs=1e-12)
    unbounded = completion_interval(CURVE, c)[1]
    grows = max(float(c @ e) for e in _completions(1e6, grid=1)) > max(values) + 1
    assert (unbounded == math.inf) == grows


@pytest.mark.parametrize("seed", range(4))
def test_gaps_between_measured_points_widen_the_interval_as_brute_force_says(seed):
    """Both ends measured (k = 1 and k = L): only the gaps are free; no V is needed for a finite interval."""
    curve = LossCurve(length=8, masked=[1, 3, 6, 8], loss=[0.2, 0.5, 1.1, 1.4])
    c = np.random.default_rng(seed).integers(-3, 4, size=8).astype(float)
    values = [float(c @ e) for e in _completions(5.0, grid=2, curve=curve)]
    lo, hi = completion_interval(curve, c)
    assert lo == pytest.approx(min(values), abs=1e-12) and hi == pytest.approx(max(values), abs=1e-12)


def test_the_interval_holds_both_interpolations_of_every_schedule_error():
    for sizes in [(7,), (3, 4), (1, 1, 5), (2, 2, 2, 1), (1,) * 7, (4, 1, 2)]:
        sched = Schedule(list(sizes))
        lo, hi = completion_interval(CURVE, schedule_coefficients(sched, L), V)
        e = estimate_error(CURVE, sched)
        assert lo - 1e-12 <= min(e.value, e.pchip) and max(e.value, e.pchip) <= hi + 1e-12
    # a schedule with size-1 steps only has no error under any completion
    assert completion_interval(CURVE, schedule_coefficients(Schedule([1] * L), L), V) == (0.0, 0.0)


def test_steps_range_upper_end_is_the_first_T_safe_under_every_completion():
    target = 0.4
    first, last = steps_range("uniform", target, 1, CURVE, V, L)
    assert last is not None
    worst = [max(float(schedule_coefficients(family_schedule("uniform", T, L), L) @ e)
                 for e in _completions(math.log(V))) for T in range(1, L + 1)]
    assert worst[last - 1] <= target + 1e-12 and all(w > target for w in worst[: last - 1])
    assert describe_missing(CURVE) == ("k = 6..7 (masked fraction > 0.714) and k = 1 (masked fraction < 0.286) "
                                       "of L = 7 are unmeasured")


def test_the_issues_repro_gives_a_range_and_no_tiny_interpolation_effect(run, write):
    path = write("c.csv", "masked_fraction,loss_nats\n0.5,2.2\n0.9,5\n")
    result = run("steps", "--loss-curve", path, "--length", "1024", "--target", "10", "--by", "optimal", "--json")
    assert result.exit_code == 0, result.stderr
    r = result.json["results"][0]
    # T_lo = 2: d = 5 up to m = 102, then 2.2 flat, is a completion; reveal 103 tokens, then 921: error 0
    assert r["steps"] == 52 and r["steps_range"][0] == 2 and r["steps_range"][1] > 52
    assert r["value"]["interval"][1] is None  # unbounded without the vocabulary size
    assert result.stderr.count("\n") == 1 and "k = 923..1024 (masked fraction > 0.9)" in result.stderr
    table = run("steps", "--loss-curve", path, "--length", "1024", "--target", "10", "--by", "optimal", "-V", "32000")
    assert "52 [2, ≤ " in table.stdout and "interp." not in table.stdout.split("search:")[0]


def test_per_token_targets_the_recommendation_and_the_export(run, write):
    import json

    from boundcalc.truth import MarkovChain

    chain = MarkovChain(["0", "1"], [["0.9", "0.1"], ["0.2", "0.8"]])
    d = chain.entropy_profile(32).conditional
    path = write("full.csv", LossCurve.from_conditional(d).to_csv())
    a = run("steps", "--loss-curve", path, "--target", "1/64/token", "--json")
    b = run("steps", "--loss-curve", path, "--target", "0.5", "--json")
    assert a.exit_code == 0, a.stderr
    assert a.json["recommended"] == b.json["recommended"] and a.json["recommended"]["per_token"] == "0.015625"
    rec = b.json["recommended"]
    from boundcalc.family_steps import required_steps_family

    curve = LossCurve.from_conditional(d, exact=False)
    for family, T in rec["families"].items():
        assert T == required_steps_family(["0.5"], family=family, by="error", length=32, curve=curve)[0].steps
    assert rec["steps"] == min(T for T in rec["families"].values() if T is not None)
    line = run("steps", "--loss-curve", path, "--target", "0.5").stdout.splitlines()[0]
    assert line.startswith(f"{rec['family']} T = {rec['steps']} reaches 0.5 nats (0.016 nats/token); ")
    out = run("steps", "--loss-curve", path, "--target", "0.5", "--family", "uniform", "--by", "error",
              "--export", "num-transfer-tokens")
    T = required_steps_family(["0.5"], family="uniform", by="error", length=32, curve=curve)[0].steps
    # LLaDA's get_num_transfer_tokens for one block: base = L // T, the remainder to the first steps
    base, rem = divmod(32, T)
    assert json.loads(out.stdout) == [[base + 1] * rem + [base] * (T - rem)]


def test_verify_and_budget_values_carry_the_interval(run, write):
    path = write("p.csv", "masked_fraction,loss_nats\n0.5,2.2\n0.9,5\n")
    curve = LossCurve(length=64, masked=[32, 58], loss=[2.2, 5.0])
    c = schedule_coefficients(Schedule.uniform(64, 8), 64)
    result = run("verify", "--loss-curve", path, "--length", "64", "--schedule", "uniform:8", "--json")
    assert result.exit_code == 0, result.stderr
    low, high = result.json["truth"]["interval"]
    assert float(low) == pytest.approx(max(0.0, completion_interval(curve, c)[0]), abs=1e-9) and high is None
    # verify takes --vocab-size as steps does: the upper end becomes finite, as the library computes it
    bounded = run("verify", "--loss-curve", path, "--length", "64", "--schedule", "uniform:8", "-V", "100", "--json")
    assert float(bounded.json["truth"]["interval"][1]) == pytest.approx(completion_interval(curve, c, 100)[1], rel=1e-12)
    refused = run("verify", "--markov", path, "--length", "64", "--schedule", "uniform:8", "-V", "100")
    assert refused.exit_code == 2 and refused.stderr == ("Error: --vocab-size: it is used only with --loss-curve (add "
                                                         "--loss-curve FILE (a data model knows its vocabulary))\n")
    budget = run("steps", "--loss-curve", path, "--length", "64", "--budget", "8", "-V", "100", "--json")
    row = next(f for f in budget.json["families"] if f["family"] == "uniform")
    assert [float(x) for x in row["error"]["interval"]] == pytest.approx(list(completion_interval(curve, c, 100)),
                                                                         rel=1e-12)


def _compositions(n: int, parts: int):
    for cuts in itertools.combinations(range(1, n), parts - 1):
        bounds = (0, *cuts, n)
        yield [b - a for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("curve", [CURVE, LossCurve(length=8, masked=[1, 3, 6, 8], loss=[0.2, 0.5, 1.1, 1.4]),
                                   LossCurve(length=8, masked=[3, 4], loss=[0.4, 0.9])])
def test_the_lower_end_is_additive_over_steps_and_the_optimums_T_lo_is_exact(curve):
    """Every schedule's lower end = the sum of its steps' lowest costs (the derivation), and the DP's T_lo is the
    brute-force fewest T over every composition of L."""
    from boundcalc.completion import lowest_step_costs, optimal_lowest_steps

    n = curve.length
    cost = lowest_step_costs(curve, V)
    least = []
    for T in range(1, n + 1):
        lows = []
        for sizes in _compositions(n, T):
            lo, _ = completion_interval(curve, schedule_coefficients(Schedule(sizes), n), V)
            starts = np.cumsum([0] + sizes)
            assert sum(cost[a, b] for a, b in zip(starts, starts[1:])) == pytest.approx(lo, abs=1e-12), sizes
            lows.append(lo)
        least.append(min(lows))
    for target in (1e-9, 0.05, 0.2, 0.5, 1.0, 2.0):
        expected = next((T + 1 for T, x in enumerate(least) if x <= target), None)
        assert optimal_lowest_steps(target, curve, V, n) == expected, target


def test_sweep_errors_carry_the_interval_and_take_the_vocabulary_size(run, write):
    """sweep --loss-curve shows each error's interval over the completions (JSON, CSV, table), as steps and verify
    do, and takes --vocab-size for its upper end (refused without a curve)."""
    import csv
    import io

    path = write("p.csv", "masked_fraction,loss_nats\n0.5,2.2\n0.9,5\n")
    curve = LossCurve(length=64, masked=[32, 58], loss=[2.2, 5.0])
    c = schedule_coefficients(Schedule.uniform(64, 8), 64)
    base = ("sweep", "--loss-curve", path, "--length", "64", "-f", "uniform", "--steps", "8")
    unbounded = run(*base, "--json")
    assert unbounded.exit_code == 0, unbounded.stderr
    low, high = unbounded.json["rows"][0]["error"]["interval"]
    assert float(low) == pytest.approx(max(0.0, completion_interval(curve, c)[0]), abs=1e-9) and high is None
    bounded = run(*base, "-V", "100", "--json")
    expected = completion_interval(curve, c, 100)
    assert float(bounded.json["rows"][0]["error"]["interval"][1]) == pytest.approx(expected[1], rel=1e-12)
    row = next(csv.DictReader(io.StringIO(run(*base, "-V", "100", "--csv").stdout)))
    assert float(row["error_high"]) == pytest.approx(expected[1], rel=1e-12) and row["optimal_low"] == ""
    assert " in [" in run(*base, "-V", "100").stdout
    refused = run("sweep", "--mi-constant", "1", "--length", "8", "-V", "4")
    assert refused.exit_code == 2 and "--vocab-size: it is used only with --loss-curve" in refused.stderr


def test_a_range_search_beyond_its_budget_is_said_not_cut(run, write, monkeypatch):
    """The T range scan is bounded (T x L): beyond the budget the result says the range was not searched (its
    value keeps its interval), never a range cut short or a hang."""
    import boundcalc.completion as completion

    path = write("p.csv", "masked_fraction,loss_nats\n0.5,2.2\n0.9,5\n")
    monkeypatch.setattr(completion, "MAX_RANGE_WORK", 64 * 10)
    result = run("steps", "--loss-curve", path, "--length", "64", "--target", "3", "--family", "uniform",
                 "--by", "error", "--json")
    assert result.exit_code == 0, result.stderr
    r = result.json["results"][0]
    assert "steps_range" not in r and "interval" in r["value"]
    assert "T range not searched: the T range over the monotone completions needs more than 6e+02" in r["reason"]


@pytest.mark.parametrize("seed", range(4))
def test_the_optimums_T_hi_limit_from_step_starts_equals_building_every_schedule(seed):
    """optimal_steps_range's upper limit (the fewest T at which uniform or cosine reaches the target under every
    completion) read from each T's step starts equals the scan that builds every Schedule and its coefficients
    (completion_interval), at every target between consecutive T's high ends (the hard cases)."""
    from boundcalc.completion import optimal_steps_range

    rng = np.random.default_rng(seed)
    n = int(rng.integers(12, 60))
    masked = sorted(rng.choice(np.arange(2, n + 1), size=int(rng.integers(2, 6)), replace=False).tolist())
    curve = LossCurve(length=n, masked=masked, loss=sorted(rng.uniform(0.05, 1.0, size=len(masked)).tolist()))
    highs = {name: [completion_interval(curve, schedule_coefficients(family_schedule(name, T, n, curve), n), V)[1]
                    for T in range(1, n + 1)] for name in ("uniform", "cosine")}
    ends = sorted({x for values in highs.values() for x in values})
    targets = [ends[0] / 2, *((a + b) / 2 for a, b in zip(ends, ends[1:])), *ends[:: max(1, len(ends) // 6)]]
    for target in targets:
        for first in (1, n // 3):
            # each T decided with its certified margin (completion._interval_at: a high end within it misses)
            expected = min((T for name in highs for T in range(first, n + 1)
                            if highs[name][T - 1] <= target and completion._interval_at(name, T, curve, V, 1, target)),
                           default=None)
            assert optimal_steps_range(target, first, curve, V, n)[1] == expected, (target, first)
