"""Partial loss curves: intervals over every monotone completion (against brute force), T ranges, the CLI."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from boundcalc.completion import completion_interval, describe_missing, steps_range
from boundcalc.curve import LossCurve
from boundcalc.estimate import estimate_error, schedule_coefficients
from boundcalc.step_families import family_schedule
from boundcalc.schedule import Schedule

L = 7
CURVE = LossCurve(length=L, masked=[2, 4, 5], loss=[0.3, 0.6, 0.9])  # no k = 1, no k = 6, 7
V = 3


def _completions(top: float, grid: int = 4):
    """Every non-increasing d on the grid of levels, equal to the curve where measured (brute force)."""
    d = CURVE.conditional("linear").copy()
    m_lo, m_hi = L - 5, L - 2  # d(0..1) in [d(2), top]; d(6) in [0, d(5)]
    high_levels = np.linspace(d[m_lo], top, grid + 1)
    low_levels = np.linspace(0.0, d[m_hi], grid + 1)
    for high in itertools.product(high_levels, repeat=m_lo):
        if any(high[i] < high[i + 1] for i in range(m_lo - 1)):
            continue
        for low in itertools.product(low_levels, repeat=L - 1 - m_hi):
            e = d.copy()
            e[:m_lo] = high
            e[m_hi + 1 :] = low
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


def test_flat_ends_are_the_lower_end_of_every_schedule_error():
    for sizes in [(7,), (3, 4), (1, 1, 5), (2, 2, 2, 1), (1,) * 7, (4, 1, 2)]:
        sched = Schedule(list(sizes))
        lo, _ = completion_interval(CURVE, schedule_coefficients(sched, L), V)
        assert lo == pytest.approx(estimate_error(CURVE, sched).value, abs=1e-12)


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
    assert r["steps"] == 52 and r["steps_range"][0] == 52 and r["steps_range"][1] > 52
    assert r["value"]["interval"][1] is None  # unbounded without the vocabulary size
    assert result.stderr.count("\n") == 1 and "k = 923..1024 (masked fraction > 0.9)" in result.stderr
    table = run("steps", "--loss-curve", path, "--length", "1024", "--target", "10", "--by", "optimal", "-V", "32000")
    assert "52 [52, " in table.stdout and "interp." not in table.stdout.split("search:")[0]


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
    assert float(low) == pytest.approx(estimate_error(curve, Schedule.uniform(64, 8)).value, rel=1e-12) and high is None
    budget = run("steps", "--loss-curve", path, "--length", "64", "--budget", "8", "-V", "100", "--json")
    row = next(f for f in budget.json["families"] if f["family"] == "uniform")
    assert [float(x) for x in row["error"]["interval"]] == pytest.approx(list(completion_interval(curve, c, 100)),
                                                                         rel=1e-12)
