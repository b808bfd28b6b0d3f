"""Theorem 2: the multi-scale profile, C2 = 1 and C3 = 1/16 checked against exact errors.

The truth and the multi-scale values are float64 (the engine states an
error bound); the bounds are exact rationals evaluated at those values.
Comparisons allow the engine's error bound plus 1e-12 relative; a violation
beyond that means the constant or the formula is wrong.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from boundcalc.errors import DomainError, ProfileError, ScheduleError
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule
from boundcalc import (
    C2,
    C3,
    MultiScaleProfile,
    expected_random_error,
    level_sizes,
    load_multiscale,
    multiscale_from_model,
    random_schedule_distribution,
    theorem2_lower,
    theorem2_upper,
)
from boundcalc.truth import JointDistribution, MarkovChain, entropy_profile

REL = 1e-12


def _dirichlet(V: int, L: int, alpha: float, seed: int) -> JointDistribution:
    rng = np.random.default_rng(seed)
    table = rng.dirichlet(np.full(V**L, alpha)).reshape((V,) * L)
    return JointDistribution.from_array(table, normalize=True, source=f"dirichlet({V},{L},{alpha},{seed})")


def _parity(L: int) -> JointDistribution:
    outcomes = [bits for bits in itertools.product("01", repeat=L) if bits.count("1") % 2 == 0]
    return JointDistribution.from_outcomes([list(o) for o in outcomes], [Fraction(1, len(outcomes))] * len(outcomes))


def _markov(V: int, alpha: float, seed: int) -> MarkovChain:
    rng = np.random.default_rng(seed)
    return MarkovChain(list(range(V)), rng.dirichlet(np.full(V, alpha), size=V))


@st.composite
def compositions(draw, length: int):
    cuts = draw(st.sets(st.integers(1, length - 1), max_size=length - 1)) if length > 1 else set()
    points = [0, *sorted(cuts), length]
    return Schedule([b - a for a, b in zip(points, points[1:])])


# -- the constants are attained: parity -----------------------------------------------------


@pytest.mark.parametrize("L, S", [(4, 2), (4, 4), (6, 2), (6, 4), (5, 4)])
def test_upper_constant_is_attained_by_parity(L, S):
    """L bits with even parity: every proper subset is independent, so G jumps only at L-1.

    Any schedule whose last step reveals >= 2 tokens has error ln 2 exactly,
    and S/L Φ = S/L · 2^-J · L ln 2 = ln 2: C2 = 1 cannot be lowered.
    """
    model = _parity(L)
    ms = multiscale_from_model(model, S)
    schedule = Schedule([1] * (L - S) + [S])  # the last step reveals S >= 2 tokens
    truth = entropy_profile(model).error(schedule)
    assert math.isclose(truth, math.log(2), rel_tol=1e-12)
    assert math.isclose(float(theorem2_upper(ms, schedule)), math.log(2), rel_tol=1e-12)


# -- the upper bound (12) -------------------------------------------------------------------


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 3),
    st.integers(2, 7),
    st.sampled_from([0.05, 0.2, 1.0, 5.0]),
    st.integers(0, 2**32 - 1),
    st.data(),
)
def test_upper_bound_holds_on_random_tables(V, L, alpha, seed, data):
    if V**L > 2200:
        L = 6
    model = _dirichlet(V, L, alpha, seed)
    profile = entropy_profile(model)
    schedule = data.draw(compositions(L))
    if schedule.max_size == 1:
        return
    ms = multiscale_from_model(model, schedule.max_size)
    truth = profile.error(schedule)
    bound = float(theorem2_upper(ms, schedule))
    assert truth <= bound * (1 + REL) + profile.error_bound(schedule) + 1e-15, (schedule.sizes, truth, bound)
    # Φ <= 2 ΣI (docs/theory.md section 9), and the level sums agree with the aggregate G(m)
    assert float(ms.phi) <= 2 * profile.mi_total() * (1 + REL) + 1e-12
    for total, m in zip(ms.level_totals, ms.set_sizes):
        expected = profile.multiscale(m) if m > 0 else 0.0
        assert math.isclose(float(total), expected, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 4), st.sampled_from([0.1, 0.5, 2.0]), st.integers(0, 2**32 - 1), st.integers(2, 40), st.data())
def test_upper_bound_holds_on_markov_chains(V, alpha, seed, L, data):
    model = _markov(V, alpha, seed)
    profile = entropy_profile(model, L)
    schedule = data.draw(compositions(L))
    if schedule.max_size == 1:
        return
    ms = multiscale_from_model(model, schedule.max_size, L)
    truth = profile.error(schedule)
    assert truth <= float(theorem2_upper(ms, schedule)) * (1 + REL) + profile.error_bound(schedule) + 1e-15


def test_upper_is_none_for_one_token_per_step_and_refuses_small_profiles():
    ms = MultiScaleProfile.from_level_totals([0, "1/2", 1], length=4)
    assert theorem2_upper(ms, Schedule([1, 1, 1, 1])) is None
    assert theorem2_upper(ms, Schedule([2, 1, 1])) == C2 * 4 * ms.phi / 4  # s_max below S is allowed
    small = MultiScaleProfile.from_level_totals([0, 1], length=4)
    with pytest.raises(ScheduleError, match="needs levels for S = 4"):
        theorem2_upper(small, Schedule([3, 1]))


# -- the lower bound (13) ---------------------------------------------------------------------


def test_random_schedule_distribution_against_enumeration():
    """Every draw sequence with its probability 2^-k, against the renewal recursion."""
    rng = np.random.default_rng(1)
    for L, S in [(7, 2), (9, 4), (12, 4), (10, 8), (3, 4)]:
        g = {(w, s): Fraction(int(rng.integers(0, 1000))) for w in range(L) for s in range(1, L + 1)}

        def enumerate_draws(total: int):
            if total >= L:
                yield ()
                return
            for size in (S, S // 2):
                for rest in enumerate_draws(total + size):
                    yield (size,) + rest

        expected = Fraction(0)
        for draws in enumerate_draws(0):
            paper = list(draws)
            paper[-1] -= sum(paper) - L  # cut the last drawn (first revealed)
            reveal = paper[::-1]
            w, value = 0, Fraction(0)
            for s in reveal:
                value += g[(w, s)]
                w += s
            expected += value / 2 ** len(draws)
        got = sum(p * g[(w, s)] for p, w, s in random_schedule_distribution(L, S))
        assert got == expected, (L, S)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 3), st.integers(2, 7), st.sampled_from([0.05, 0.2, 1.0, 5.0]), st.integers(0, 2**32 - 1), st.data())
def test_lower_bound_holds_on_random_tables(V, L, alpha, seed, data):
    if V**L > 2200:
        L = 6
    model = _dirichlet(V, L, alpha, seed)
    S = data.draw(st.sampled_from([s for s in (2, 4, 8) if s <= L]))
    ms = multiscale_from_model(model, S)
    expected = expected_random_error(model, S)
    slack = entropy_profile(model).error_bound() + 1e-15
    assert float(theorem2_lower(ms)) <= expected * (1 + REL) + slack


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 4), st.sampled_from([0.1, 0.5, 2.0]), st.integers(0, 2**32 - 1), st.integers(8, 64), st.sampled_from([2, 4, 8]))
def test_lower_bound_holds_on_markov_chains(V, alpha, seed, L, S):
    model = _markov(V, alpha, seed)
    ms = multiscale_from_model(model, S, L)
    expected = expected_random_error(model, S, L)
    assert float(theorem2_lower(ms)) <= expected * (1 + REL) + entropy_profile(model, L).error_bound() + 1e-15


def test_lower_bound_needs_s_max_at_least_two():
    with pytest.raises(DomainError, match="S >= 2"):
        theorem2_lower(MultiScaleProfile.from_level_totals([1], length=4))


@pytest.mark.parametrize("p", ["95/100", "4/5", "3/5"])
@pytest.mark.parametrize("L, S", [(64, 8), (256, 16)])
def test_degenerate_schedule_falls_below_the_lower_bound_expression(p, L, S):
    """The paper's remark: (13) is not universal. Its schedule s_1 = S, s_t = 1 otherwise
    (S tokens revealed last, given all the others) has an error far below S/(16L) Φ,
    while the random schedule on {S, S/2} respects it."""
    q = 1 - Fraction(p)
    model = MarkovChain(["a", "b"], [[p, q], [q, p]])
    ms = multiscale_from_model(model, S, L)
    lower = float(theorem2_lower(ms))
    profile = entropy_profile(model, L)
    degenerate = profile.error(Schedule.degenerate(L, S))
    assert degenerate < lower / 2
    assert lower <= expected_random_error(model, S, L)


def test_mirror_of_the_degenerate_schedule_is_not_negligible():
    """Revealing the S tokens *first* instead is not negligible in general: on a sticky
    chain with L = 64 it even exceeds the lower-bound expression. The paper's index
    order matters (docs/theory.md, section 9)."""
    model = MarkovChain(["a", "b"], [["0.95", "0.05"], ["0.05", "0.95"]])
    L, S = 64, 8
    lower = float(theorem2_lower(multiscale_from_model(model, S, L)))
    profile = entropy_profile(model, L)
    assert profile.error(Schedule.degenerate(L, S).reversed()) > lower
    assert profile.error(Schedule.degenerate(L, S)) < lower / 10


# -- multi-scale profiles: values, files, validation ------------------------------------------


def test_level_sizes():
    assert level_sizes(16, 5) == (8, [8, 12, 14, 15])
    assert level_sizes(16, 1) == (1, [15])


def test_file_round_trip_and_formats(tmp_path):
    model = _dirichlet(2, 4, 0.5, 7)
    ms = multiscale_from_model(model, 4)
    path = tmp_path / "ms.csv"
    path.write_text(ms.to_csv())
    again = load_multiscale(path)
    assert again.values == ms.values and again.phi == ms.phi and again.max_size == 4
    as_json = tmp_path / "ms.json"
    import json

    as_json.write_text(json.dumps({"max_mask_size": 4, "values": [[str(x) for x in row] for row in ms.values]}))
    assert load_multiscale(as_json).phi == ms.phi
    shuffled = tmp_path / "shuffled.csv"
    lines = ms.to_csv().splitlines()
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    assert load_multiscale(shuffled).phi == ms.phi
    assert again.check_against(MIProfile.from_values([row[-1] for row in ms.values])) is again


def _rows(*rows: str) -> str:
    return "".join(row + "\n" for row in rows)


# four tokens, S = 2: levels j = 0 (|W| = 2) and j = 1 (|W| = 3)
GOOD = [f"{t},{j},0.{j + 1}" for t in range(1, 5) for j in (0, 1)]


@pytest.mark.parametrize(
    "text, message",
    [
        (_rows("token,level,value", *GOOD[:-1]), "token 4 has no level 1"),
        (_rows(*[r.replace(",1,", ",2,") for r in GOOD]), "level(s) [1] are missing"),
        (_rows(*[r.replace("4,", "5,", 1) for r in GOOD]), "tokens are not consecutive"),
        (_rows(*GOOD[:-1], "4,1,0.05"), "token 4: level 1 (0.05) is below level 0 (0.1)"),
        (_rows(*GOOD, "4,1,0.2"), "repeats token 4, level 1"),
        (_rows(*GOOD[:-1], "4,1,-0.1"), "token 4, level 1 has value -0.1"),
        (_rows(*GOOD[:-1], "4,1,x"), "line 8: 'x' is not a number"),
        (_rows(*GOOD[:-1], "4,1"), "line 8 has 2 columns"),
        (_rows(*GOOD[:-1], "4,x,0.1"), "line 8 has level 'x'"),
        ("", "is empty"),
    ],
)
def test_bad_multiscale_files(tmp_path, text, message):
    path = tmp_path / "ms.csv"
    path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_multiscale(path)
    assert message in str(info.value)


def test_values_above_mi_are_refused():
    ms = MultiScaleProfile.from_values([["0.1", "0.5"], ["0.1", "0.2"], ["0", "0"], ["0", "0"]])
    assert ms.check_against(MIProfile.from_values(["0.5", "0.2", "0", "0"])) is ms
    with pytest.raises(ProfileError, match="exceeds I_1"):
        ms.check_against(MIProfile.from_values(["0.4", "0.2", "0", "0"]))


def test_empty_levels_must_be_zero():
    # L = 3, S = 4: level 0 has |W| = -1 (no set)
    with pytest.raises(ProfileError, match="set W_j is empty"):
        MultiScaleProfile.from_values([["0.1", "0.2", "0.3"]] * 3)
    ms = MultiScaleProfile.from_values([["0", "0.2", "0.3"]] * 3)
    assert ms.max_size == 4 and ms.set_sizes == [-1, 1, 2]


def test_constants():
    assert C2 == 1 and C3 == Fraction(1, 16)
