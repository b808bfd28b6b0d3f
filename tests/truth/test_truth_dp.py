"""The divide-and-conquer optimal-schedule DP against the O(T L^2) reference DP and brute force."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.errors import DomainError, ScheduleError
from boundcalc.truth import EntropyProfile, MarkovChain, optimal_schedule
from boundcalc.truth.core import MAX_OPTIMAL_WORK

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dp_reference import brute_optimal, reference_optimal, schedule_error  # noqa: E402


@st.composite
def profiles(draw, max_length: int):
    """A random non-increasing d, sometimes with ties (plateaus) and tiny scales."""
    L = draw(st.integers(1, max_length))
    scale = draw(st.sampled_from([1.0, 1e-3, 50.0]))
    values = draw(st.lists(st.floats(0, 1, allow_nan=False), min_size=L, max_size=L))
    if draw(st.booleans()):
        values = [round(v, 1) for v in values]  # plateaus: many equal-cost choices
    d = np.sort(np.array(values) * scale)[::-1].copy()
    T = draw(st.integers(1, L))
    return d, T


def _tolerance(d: np.ndarray) -> float:
    return 1e-12 * (1.0 + len(d) * float(d[0] - d[-1]))


@settings(max_examples=150, deadline=None)
@given(profiles(9))
def test_dp_matches_brute_force(case):
    d, T = case
    schedule, error = EntropyProfile(d).optimal_schedule(T)
    _, best = brute_optimal(d, T)
    assert schedule.steps == T and schedule.length == len(d)
    assert error == pytest.approx(schedule_error(d, schedule.sizes), abs=_tolerance(d))
    assert error == pytest.approx(best, abs=_tolerance(d))


@settings(max_examples=60, deadline=None)
@given(profiles(9))
def test_optimal_errors_for_every_T_match_brute_force(case):
    # every T in one pass (steps --by optimal), by the same divide-and-conquer layers
    d, T = case
    errors = EntropyProfile(d).optimal_errors(len(d))
    assert len(errors) == len(d)
    for t in range(1, len(d) + 1):
        assert errors[t - 1] == pytest.approx(brute_optimal(d, t)[1], abs=_tolerance(d))
    # stopping at a target: the first T whose optimum reaches it
    goal = errors[T - 1]
    stopped = EntropyProfile(d).optimal_errors(len(d), target=goal)
    assert stopped[-1] <= goal and all(e > goal for e in stopped[:-1])


def test_optimal_errors_have_no_length_cap():
    # L = 8000 was refused (an (L+1)^2 table) before; now O(T L log L) with O(L) memory
    d = np.linspace(1.0, 0.0, 8000)
    errors = EntropyProfile(d).optimal_errors(3)
    assert len(errors) == 3 and errors[0] >= errors[1] >= errors[2] >= 0


@settings(max_examples=80, deadline=None)
@given(profiles(120))
def test_dp_matches_the_reference_dp(case):
    d, T = case
    schedule, error = EntropyProfile(d).optimal_schedule(T)
    _, reference = reference_optimal(d, T)
    assert error == pytest.approx(reference, abs=_tolerance(d))
    assert error == pytest.approx(schedule_error(d, schedule.sizes), abs=_tolerance(d))


def test_dp_on_a_markov_chain_against_the_reference():
    chain = MarkovChain(["a", "b", "c"], [["0.8", "0.1", "0.1"], ["0.2", "0.7", "0.1"], ["0.3", "0.3", "0.4"]])
    profile = chain.entropy_profile(400)
    for T in (1, 2, 7, 33, 399, 400):
        schedule, error = profile.optimal_schedule(T)
        sizes, reference = reference_optimal(profile.conditional, T)
        assert error == pytest.approx(reference, rel=1e-10, abs=1e-13)
        assert error <= profile.error(Schedule_uniform(400, T)) + 1e-12


def Schedule_uniform(L: int, T: int):
    from boundcalc.schedule import Schedule

    return Schedule.uniform(L, T)


def test_steps_are_validated_and_the_cost_checked_before_the_profile():
    class Spy(MarkovChain):
        computed = False

        def entropy_profile(self, *args, **kwargs):  # pragma: no cover - must not run
            Spy.computed = True
            raise AssertionError("the profile was computed before the check")

    chain = Spy(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
    with pytest.raises(ScheduleError, match="T = 0"):
        optimal_schedule(chain, 0, length=64)
    with pytest.raises(ScheduleError, match="1 <= T <= L = 64"):
        optimal_schedule(chain, 65, length=64)
    with pytest.raises(DomainError, match=r"evaluations .*s\) and .*MB") as info:
        optimal_schedule(chain, 12000, length=30000)
    assert f"{MAX_OPTIMAL_WORK:.1g}" in info.value.allowed
    assert not Spy.computed
    cost = EntropyProfile.optimal_cost(16384, 64)
    assert cost["work"] == 64 * (16384 - 64 + 1) * (15 + 2) and cost["work"] <= MAX_OPTIMAL_WORK


def test_cli_refuses_a_large_optimal_before_any_work(run, tmp_path):
    path = tmp_path / "chain.json"
    path.write_text('{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.1", "0.9"]]}')
    result = run("verify", "--markov", path, "--length", "30000", "--schedule", "uniform:12000", "--optimal")
    assert result.exit_code == 1
    assert "--optimal" in result.stderr and "evaluations" in result.stderr
