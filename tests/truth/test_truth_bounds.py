"""The exact error never exceeds a bound (docs/theory.md sections 2-4): hypothesis over random models.

The truth and ΣI are float64 (with an a-priori rounding-error bound); the
bounds are exact rationals evaluated at ΣI's float value. A comparison
``truth <= bound`` therefore allows the truth's error bound plus 1e-12 of the
bound's size (ΣI's own relative error is below that). A violation beyond
that is a bug in a derivation: report it, do not loosen the tolerance.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from boundcalc import bounds
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule
from boundcalc.truth import JointDistribution, MarkovChain
from boundcalc.verification import verify
from boundcalc.truth.core import EntropyProfile

REL = 1e-12
CONCENTRATIONS = [0.05, 0.2, 1.0, 5.0]


@st.composite
def joint_models(draw, max_cells: int = 4096):
    V = draw(st.integers(2, 4))
    max_L = max(L for L in range(1, 9) if V**L <= max_cells)
    L = draw(st.integers(2, max_L))
    alpha = draw(st.sampled_from(CONCENTRATIONS))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    table = rng.dirichlet(np.full(V**L, alpha)).reshape((V,) * L)
    return JointDistribution.from_array(table, normalize=True, source=f"dirichlet(V={V},L={L},a={alpha},seed={seed})")


@st.composite
def compositions(draw, length: int):
    """A random composition of ``length`` (every schedule is reachable)."""
    cuts = draw(st.sets(st.integers(1, length - 1), max_size=length - 1)) if length > 1 else set()
    points = [0, *sorted(cuts), length]
    return Schedule([b - a for a, b in zip(points, points[1:])])


def _check(profile: EntropyProfile, schedule: Schedule) -> None:
    L = profile.length
    truth = profile.error(schedule)
    slack = profile.error_bound(schedule)
    mi_total = profile.mi_total()
    mi = MIProfile.from_total(Fraction(mi_total), L)
    named = {
        "sharp": bounds.sharp(mi, schedule),
        "recursion": bounds.recursion(mi, schedule),
        "theorem1": bounds.theorem1(mi, schedule),
    }
    c1 = bounds.corollary1(mi, schedule)
    if c1 is not None:
        named["corollary1"] = c1
    assert truth >= -slack
    for name, value in named.items():
        assert truth <= float(value) * (1 + REL) + slack, (
            f"{name} violated: truth {truth!r} > {float(value)!r} for {profile.source}, schedule {schedule.sizes}"
        )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), model=joint_models())
def test_truth_never_exceeds_a_bound_joint(data, model):
    profile = model.entropy_profile()
    schedule = data.draw(compositions(profile.length))
    _check(profile, schedule)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    V=st.integers(2, 4),
    L=st.integers(2, 48),
    alpha=st.sampled_from(CONCENTRATIONS),
    seed=st.integers(0, 2**32 - 1),
    stationary=st.booleans(),
)
def test_truth_never_exceeds_a_bound_markov(data, V, L, alpha, seed, stationary):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(V, alpha), size=V)
    initial = None if stationary else rng.dirichlet(np.full(V, alpha))
    try:
        chain = MarkovChain.from_matrix(list(range(V)), P, initial, source=f"markov seed {seed}")
    except Exception:
        assume(False)
    profile = chain.entropy_profile(L)
    _check(profile, data.draw(compositions(L)))
    _check(profile, Schedule.uniform(L, data.draw(st.integers(1, L))))


@pytest.mark.parametrize("V", [2, 3, 5])
@pytest.mark.parametrize("L,s", [(4, 4), (6, 3), (8, 5), (7, 1)])
def test_sharp_bound_is_attained_by_identical_tokens(V, L, s):
    """All tokens equal (uniform over V), s revealed at once, then one per step: truth = (s-1)/L ΣI."""
    log_v = math.log(V)
    # every token equal: H(X∘A) = log V for A non-empty, so d(0) = log V and d(m) = 0 for m >= 1
    profile = EntropyProfile(np.array([log_v] + [0.0] * (L - 1)), source="identical tokens")
    schedule = Schedule.degenerate(L, s).reversed()  # s tokens at the first step, then ones
    truth = profile.error(schedule)
    assert truth == pytest.approx((s - 1) * log_v, rel=1e-14, abs=1e-14)
    mi = MIProfile.from_total(Fraction(profile.mi_total()), L)
    assert profile.mi_total() == pytest.approx(L * log_v, rel=1e-14)
    assert truth == pytest.approx(float(bounds.sharp(mi, schedule)), rel=1e-13)


def test_sharp_attained_on_a_real_table():
    """The same through the joint engine: outcomes (x, x, ..., x)."""
    V, L = 3, 5
    model = JointDistribution.from_outcomes([[v] * L for v in range(V)], ["1/3"] * V)
    report = verify(model, "3,1,1")
    assert report.truth == pytest.approx(float(report.bounds.sharp), rel=1e-12)
    assert all(v for v in report.holds().values() if v is not None)
    assert report.ratios()["sharp"] == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(model=joint_models(max_cells=729), data=st.data())
def test_verify_report_agrees_with_engine(model, data):
    """verify: the same truth as the engine, and every bound holds, Theorem 2's included."""
    L = model.length
    schedule = data.draw(compositions(L))
    report = verify(model, schedule)
    assert report.truth == model.entropy_profile().error(schedule)
    holds = report.holds()
    assert all(v for v in holds.values() if v is not None), (holds, schedule.sizes, model.source)
    assert report.bounds.sharp <= report.bounds.recursion <= report.bounds.theorem1


@settings(max_examples=80, deadline=None)
@given(V=st.integers(2, 4), L=st.integers(2, 40), alpha=st.sampled_from(CONCENTRATIONS),
       seed=st.integers(0, 2**32 - 1), data=st.data())
def test_verify_holds_on_markov_chains(V, L, alpha, seed, data):
    rng = np.random.default_rng(seed)
    chain = MarkovChain.from_matrix(list(range(V)), rng.dirichlet(np.full(V, alpha), size=V),
                                    rng.dirichlet(np.full(V, alpha)), source=f"seed {seed}")
    report = verify(chain, data.draw(compositions(L)), length=L)
    holds = report.holds()
    assert all(v for v in holds.values() if v is not None), (holds, report.schedule.sizes, seed)
