"""The identity on entropy profiles: known values, optimal schedules, units, bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from boundcalc.errors import ScheduleError, UsageError
from boundcalc.schedule import Schedule
from boundcalc.truth import (
    EntropyProfile,
    JointDistribution,
    MarkovChain,
    exact_error,
    multiscale_mi,
    optimal_schedule,
)
from boundcalc.units import from_nats


def independent(V: int, L: int, seed: int) -> JointDistribution:
    rng = np.random.default_rng(seed)
    table = np.ones(())
    for _ in range(L):
        table = np.multiply.outer(table, rng.dirichlet(np.ones(V)))
    return JointDistribution.from_array(table, normalize=True)


def correlated(V: int, L: int, seed: int, alpha: float = 0.3) -> JointDistribution:
    rng = np.random.default_rng(seed)
    return JointDistribution.from_array(rng.dirichlet(np.full(V**L, alpha)).reshape((V,) * L), normalize=True)


def all_compositions(L: int):
    for k in range(L):
        for cuts in itertools.combinations(range(1, L), k):
            points = [0, *cuts, L]
            yield Schedule([b - a for a, b in zip(points, points[1:])])


def test_independent_tokens_have_zero_error_for_every_schedule():
    profile = independent(3, 5, seed=1).entropy_profile()
    for schedule in all_compositions(5):
        assert abs(profile.error(schedule)) < 1e-13
    assert profile.mi_total() < 1e-13


@pytest.mark.parametrize("seed", range(3))
def test_one_token_per_step_has_zero_error(seed):
    profile = correlated(2, 6, seed).entropy_profile()
    assert profile.error(Schedule([1] * 6)) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_one_step_gives_the_total_correlation(seed):
    model = correlated(3, 4, seed)
    H = model.subset_entropies()
    total_correlation = sum(H[1 << i] for i in range(4)) - H[-1]
    profile = model.entropy_profile()
    assert profile.error(Schedule([4])) == pytest.approx(total_correlation, abs=1e-13)
    assert profile.total_correlation() == pytest.approx(total_correlation, abs=1e-13)


def test_step_error_is_the_h_formula():
    profile = correlated(2, 7, 4).entropy_profile()
    h = profile.entropies
    for w in range(7):
        for s in range(1, 8 - w):
            g = s * (h[w + 1] - h[w]) - (h[w + s] - h[w])
            assert profile.step_error(w, s) == pytest.approx(g, abs=1e-13)
            assert profile.step_error(w, s) >= 0


def test_conditional_profile_is_non_increasing():
    for seed in range(5):
        d = correlated(2, 8, seed).entropy_profile().conditional
        assert np.all(np.diff(d) <= 1e-13)


def test_mi_total_and_multiscale():
    model = correlated(2, 5, 8)
    profile = model.entropy_profile()
    assert profile.multiscale(0) == 0.0
    assert profile.multiscale(4) == pytest.approx(profile.mi_total(), abs=1e-15)
    assert profile.mi_total() == pytest.approx(model.token_mi().sum(), abs=1e-13)
    assert multiscale_mi(model, 2) == pytest.approx(model.token_mi(2).sum(), abs=1e-13)
    with pytest.raises(UsageError, match="out of range"):
        profile.multiscale(5)


def test_units():
    model = correlated(2, 4, 2)
    nats = exact_error(model, "2,2")  # the engine computes in nats only; the printers convert
    assert from_nats(nats, "bits") == nats / math.log(2)
    with pytest.raises(TypeError):
        exact_error(model, "2,2", unit="bits")  # type: ignore[call-arg]
    with pytest.raises(UsageError, match="unit"):
        from_nats(nats, "hartleys")


def test_bad_steps_and_schedules():
    profile = correlated(2, 4, 3).entropy_profile()
    with pytest.raises(ScheduleError, match="do not fit|does not fit"):
        profile.step_error(3, 2)
    with pytest.raises(ScheduleError, match="sum to 5, but L = 4"):
        profile.error(Schedule([3, 2]))
    with pytest.raises(UsageError):
        EntropyProfile(np.array([]))
    with pytest.raises(UsageError):
        EntropyProfile(np.array([1.0, np.nan]))


@pytest.mark.parametrize("seed", range(4))
def test_optimal_schedule_is_the_exhaustive_minimum(seed):
    L = 7
    profile = correlated(2, L, seed, alpha=0.2).entropy_profile()
    best: dict[int, float] = {}
    for schedule in all_compositions(L):
        e = profile.error(schedule)
        best[schedule.steps] = min(best.get(schedule.steps, math.inf), e)
    previous = math.inf
    for T in range(1, L + 1):
        schedule, error = profile.optimal_schedule(T)
        assert schedule.steps == T and schedule.length == L
        assert error == pytest.approx(best[T], abs=1e-13)
        assert error == profile.error(schedule)
        assert error <= previous + 1e-15  # more steps never hurt
        previous = error


def test_optimal_schedule_on_a_long_chain():
    chain = MarkovChain(["a", "b"], [["0.95", "0.05"], ["0.05", "0.95"]])
    schedule, error = optimal_schedule(chain, 16, length=256)
    assert schedule.steps == 16 and error <= exact_error(chain, Schedule.uniform(256, 16), 256) + 1e-12
    with pytest.raises(ScheduleError):
        optimal_schedule(chain, 300, length=256)


def test_error_bound_is_small_and_positive():
    profile = correlated(2, 10, 1).entropy_profile()
    assert 0 < profile.error_bound(Schedule.uniform(10, 2)) < 1e-9


def test_multiscale_phi():
    model = correlated(2, 8, 6)
    profile = model.entropy_profile()
    assert profile.multiscale_phi(1) == pytest.approx(profile.mi_total(), abs=1e-15)
    for s in (2, 4, 8):
        phi = profile.multiscale_phi(s)
        expected = sum(model.token_mi(8 - s // 2**j).sum() / 2**j for j in range(s.bit_length()))
        assert phi == pytest.approx(expected, abs=1e-12)
        assert phi <= 2 * profile.mi_total() + 1e-12
    for bad in (3, 16, 0):
        with pytest.raises(UsageError, match="power of two"):
            profile.multiscale_phi(bad)
