"""Issue 22: the fewest T whose optimal schedule reaches a target, by the optimum's Lagrangian
(boundcalc.optimal_search), is the float DP pass's T (EntropyProfile.optimal_errors) on every input, including
targets equal to one of the DP's values (ties) and flat pieces of d; each spliced path has exactly T steps and
the optimum's error (against the O(T L^2) reference DP of tests/dp_reference.py, an independent method)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.optimal_search import OptimalHull, fewest_reaching, optimal_answers, splice
from boundcalc.truth.core import EntropyProfile
from dp_reference import reference_optimal


@st.composite
def profiles(draw, longest: int = 40):
    """d(0..L-1) non-increasing: random drops (some 0: flat pieces, ties of the DP), of varied scale."""
    L = draw(st.integers(1, longest))
    drops = draw(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=L, max_size=L))
    if draw(st.booleans()):
        drops = [x if x > 0.7 else 0.0 for x in drops]
    scale = draw(st.sampled_from([1e-3, 1.0, 9.0]))
    return np.cumsum(np.array(drops[::-1]) * scale)[::-1].copy()


def dp_pass(d, levels, hint):
    """(T per level, T checked) as the DP pass answered before (family_steps._optimal_steps)."""
    errors = EntropyProfile(d).optimal_errors(hint, target=min(levels))
    return [next((t + 1 for t, e in enumerate(errors) if e <= level), None) for level in levels], len(errors)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), st.data())
def test_the_answers_are_the_dp_passes(d, data):
    L = d.size
    errors = EntropyProfile(d).optimal_errors(L)
    picks = data.draw(st.lists(st.integers(0, L - 1), min_size=1, max_size=3))
    levels = [errors[i] for i in picks]  # exact ties with the DP's floats
    levels += data.draw(st.lists(st.floats(0.0, max(errors[0], 1e-9) * 1.2, allow_nan=False), max_size=2))
    levels += data.draw(st.lists(st.sampled_from([e * (1 + 1e-15) for e in errors] + [-0.5]), max_size=1))
    hint = data.draw(st.integers(1, L))
    profile = EntropyProfile(d)
    answers, checked, paths, _ = optimal_answers(profile, levels, hint)
    assert (answers, checked) == dp_pass(d, levels, hint)


def test_an_unsure_answer_past_the_hint_runs_the_dp():
    """f(T) = 0 for T >= 3 (a run of equal d), target 0: the DP's floats reach at T = 4 (1.7e-18 at T = 3), the
    hull's float optimum only past T = 4; the hull's unsure T* beyond the hint once answered None."""
    d = np.array([0.0015] * 6 + [0.0005, 0.0])
    errors = EntropyProfile(d).optimal_errors(d.size)
    for hint in range(1, d.size + 1):
        for level in errors:
            assert optimal_answers(EntropyProfile(d), [level], hint)[:2] == dp_pass(d, [level], hint), (hint, level)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(24), st.data())
def test_each_found_path_is_an_optimum_with_T_steps(d, data):
    L = d.size
    hull = OptimalHull(d)
    target = data.draw(st.floats(0.0, float(hull._one) * 1.1 + 1e-9, allow_nan=False))
    T, certain, path = fewest_reaching(hull, target)
    best = [reference_optimal(d, t)[1] for t in range(1, L + 1)]
    tolerance = 1e-9 * (1 + float(np.abs(d).max()) * L)
    assert path[0] == 0 and path[-1] == L and np.all(np.diff(path) > 0) and path.size - 1 == T
    assert hull.path_cost(path) == pytest.approx(best[T - 1], abs=tolerance)
    assert best[T - 1] <= target + tolerance
    assert T == 1 or best[T - 2] > target - tolerance


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(24), st.data())
def test_splicing_two_optima_of_one_penalty_gives_every_T_between(d, data):
    """The exchange argument: both ends of a hull edge, spliced at each T between, cost the edge's value."""
    L = d.size
    hull = OptimalHull(d)
    T = data.draw(st.integers(1, L))
    low, high, _ = hull.edge(lambda k, value: k < T)
    assert low[0] <= T <= high[0]
    tolerance = 1e-9 * (1 + float(np.abs(d).max()) * L)
    for t in range(low[0], high[0] + 1):
        path = splice(low[2], high[2], t)
        assert path.size - 1 == t and np.all(np.diff(path) > 0)
        assert hull.path_cost(path) == pytest.approx(reference_optimal(d, t)[1], abs=tolerance)
        assert hull.path_cost(path) == pytest.approx(hull.line(low, high, t), abs=tolerance)


def test_a_language_model_curve_at_L_16384_is_answered_and_certain():
    """The benchmark's curve (16 mask ratios): answered by the hull without the DP (~190 s); the path's error is
    at most the target and one step fewer misses it by more than the DP's rounding."""
    L = 16384
    k = np.arange(1, L + 1)
    d = np.interp(L - np.arange(L), k[L // 16 - 1 :: L // 16], 0.5 + 6 * k[L // 16 - 1 :: L // 16] / L)
    hull = OptimalHull(d)
    T, certain, path = fewest_reaching(hull, 1.0)
    assert certain and path.size - 1 == T and hull.path_cost(path) <= 1.0
    assert 10_000 < T < L


def test_a_flat_curve_needs_one_step_and_a_negative_target_none():
    hull = OptimalHull(np.full(7, 2.0))
    assert fewest_reaching(hull, 0.5)[:2] == (1, True) and fewest_reaching(hull, 0.0)[0] == 1  # a tie: unsure
    assert fewest_reaching(hull, -1.0) == (None, True, None)
    assert math.isclose(OptimalHull(np.array([1.0, 0.0])).path_cost(np.array([0, 2])), 1.0)


def test_a_float_decision_beyond_the_dp_budget_is_said(monkeypatch):
    """Where the DP pass cannot run (its budget, here 0) and a target lies within its rounding of the optimum, the
    search's own float decision stands and the answer says so; a target far from every f(T) is decided as before."""
    import boundcalc.truth.core as core
    from boundcalc.curve import LossCurve
    from boundcalc.family_steps import required_steps_family

    d = np.array([0.0015] * 6 + [0.0005, 0.0])
    errors = EntropyProfile(d).optimal_errors(d.size)
    monkeypatch.setattr(core, "MAX_OPTIMAL_WORK", 0)
    answers, _, _, unsure = optimal_answers(EntropyProfile(d), [1e-300, (errors[0] + errors[1]) / 2], d.size)
    assert unsure == [True, False] and answers[1] == 2  # f = 0 from T = 3: 1e-300 is within any float's rounding
    curve = LossCurve.from_conditional(d, exact=False)
    near, far = required_steps_family(["1e-300", repr((errors[0] + errors[1]) / 2)], by="optimal", length=d.size,
                                      curve=curve)
    assert "T decided in floating point" in near.search and "floating point" not in far.search
    assert far.steps == 2
