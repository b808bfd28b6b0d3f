"""Semi-autoregressive blocks: the blockwise exact error against a brute force, and the bounds (B1)."""

from __future__ import annotations

import itertools
import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.bounds import block_bound_report, bound_report, theorem1
from boundcalc.errors import ScheduleError
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule, parse_schedule
from boundcalc.truth import JointDistribution, MarkovChain, entropy_profile, exact_error, mi_profile
from boundcalc.verification import verify
from boundcalc.truth.samplers import block_error, block_profiles

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from truth_reference import block_partitions, brute_force_error  # noqa: E402


def copies_table() -> JointDistribution:
    """Four fair bits with X1 = X2, X3 and X4 independent: the issue's counterexample."""
    outcomes = [[a, a, c, d] for a, c, d in itertools.product([0, 1], repeat=3)]
    return JointDistribution.from_outcomes(outcomes, ["1/8"] * 8)


def dirichlet(V: int, L: int, alpha: float, seed: int) -> JointDistribution:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(V**L, alpha))
    return JointDistribution.from_array(p.reshape((V,) * L), normalize=True)


def as_dict(model: JointDistribution) -> dict[tuple, float]:
    return {tuple(int(a) for a in x): float(q) for x, q in zip(model.codes, model.probabilities)}


def brute(model: JointDistribution, schedule: Schedule) -> float:
    parts = schedule.block_schedules()
    partitions = block_partitions(tuple((a, n) for a, n, _ in parts), tuple(inner.sizes for _, _, inner in parts))
    return brute_force_error(as_dict(model), schedule.sizes, model.vocab_size, partitions)


def test_counterexample_of_the_issue():
    model = copies_table()
    schedule = parse_schedule("blocks:2:uniform:2", 4)
    assert exact_error(model, schedule) == pytest.approx(math.log(2), abs=1e-12)
    # the old meaning, kept as flat-blocks, is the uniform-position error (I(X1;X2)/6 * 2 ...)
    flat = parse_schedule("flat-blocks:2:uniform:2", 4)
    assert not flat.is_blockwise
    assert exact_error(model, flat) == pytest.approx(brute_force_error(as_dict(model), (2, 2), 2), abs=1e-12)
    # the global Theorem 1 would be ln(2)/2 < ln 2: it is refused, and the blockwise bound holds (tightly)
    listed = bound_report(MIProfile.from_total(1, 4), schedule).values
    assert set(listed) == {"block_sharp", "block_recursion", "block_theorem1", "block_corollary1"}
    with pytest.raises(ScheduleError):
        theorem1(MIProfile.from_total(1, 4), schedule)
    with pytest.raises(ScheduleError):
        entropy_profile(model).error(schedule)
    report = verify(model, schedule)
    assert set(report.holds()) >= {"block_sharp", "block_recursion", "block_theorem1"}
    assert "theorem1" not in report.to_dict()["bounds"]
    assert float(report.bounds.bounds["block_theorem1"]) == pytest.approx(math.log(2), abs=1e-12)
    assert all(v for k, v in report.holds().items() if v is not None)


@pytest.mark.parametrize(
    "V,L,spec,alpha",
    [
        (2, 4, "blocks:2:uniform:2", 0.3),
        (2, 6, "blocks:2:uniform:4", 0.5),
        (2, 6, "blocks:3:uniform:3", 0.2),
        (3, 4, "blocks:2:uniform:4", 1.0),
        (2, 6, "blocks:2:cosine:4", 0.3),
        (2, 6, "llada:6:3:2", 0.1),
    ],
)
def test_blockwise_engine_equals_brute_force(V, L, spec, alpha):
    model = dirichlet(V, L, alpha, seed=L * 100 + V)
    schedule = parse_schedule(spec, L)
    assert schedule.is_blockwise
    assert exact_error(model, schedule) == pytest.approx(brute(model, schedule), abs=1e-10)


def test_uneven_blocks_equal_brute_force():
    model = dirichlet(2, 5, 0.3, seed=7)
    schedule = Schedule([1, 1, 2, 1], block_spans=[(0, 2), (2, 3)])
    assert exact_error(model, schedule) == pytest.approx(brute(model, schedule), abs=1e-10)


@pytest.mark.parametrize("spec,L", [("blocks:2:uniform:4", 8), ("blocks:3:linear:6", 9), ("llada:8:2:4", 8)])
def test_markov_blocks_equal_joint(spec, L):
    chain = MarkovChain(["a", "b", "c"], [["0.7", "0.2", "0.1"], ["0.1", "0.8", "0.1"], ["0.3", "0.3", "0.4"]],
                        initial=["1/2", "1/4", "1/4"])
    schedule = parse_schedule(spec, L)
    joint = JointDistribution.from_array(chain.joint(L), normalize=True)
    a, _, mis_a = block_error(chain, schedule, L)
    b, _, mis_b = block_error(joint, schedule)
    assert a == pytest.approx(b, abs=1e-11)
    assert mis_a == pytest.approx(mis_b, abs=1e-11)


def test_one_block_is_the_global_profile():
    model = dirichlet(2, 5, 0.4, seed=3)
    (start, n, inner, profile), = block_profiles(model, Schedule([2, 3]))
    assert (start, n) == (0, 5)
    assert np.allclose(profile.conditional, entropy_profile(model).conditional, atol=1e-14)


def xor_table() -> JointDistribution:
    """X1, X2 fair bits, X3 = X1 xor X2, X4 = X3: block {1,2} then {3,4} conditions on a function of both."""
    outcomes = [[a, b, a ^ b, a ^ b] for a, b in itertools.product([0, 1], repeat=2)]
    return JointDistribution.from_outcomes(outcomes, ["1/4"] * 4)


def _random_blocks(draw, L: int) -> Schedule:
    cuts = sorted(draw(st.sets(st.integers(1, L - 1), min_size=1, max_size=min(3, L - 1))))
    edges = [0, *cuts, L]
    blocks = [(a, b - a) for a, b in zip(edges, edges[1:])]
    sizes = []
    for _, n in blocks:
        left = n
        while left:
            s = draw(st.integers(1, left))
            sizes.append(s)
            left -= s
    return Schedule(sizes, block_spans=blocks)


@st.composite
def cases(draw):
    kind = draw(st.sampled_from(["dirichlet", "dirichlet", "copies", "xor", "sparse"]))
    if kind == "copies":
        model = copies_table()
    elif kind == "xor":
        model = xor_table()
    else:
        V = draw(st.integers(2, 3))
        L = draw(st.integers(2, 6 if V == 2 else 4))
        alpha = draw(st.sampled_from([0.05, 0.3, 1.0, 5.0]))
        model = dirichlet(V, L, alpha, draw(st.integers(0, 10**6)))
        if kind == "sparse":  # keep a few outcomes: strong dependence
            keep = model.probabilities >= np.sort(model.probabilities)[-3]
            model = JointDistribution(model.codes[keep], model.probabilities[keep], model.vocabulary)
    return model, _random_blocks(draw, model.length)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_no_blockwise_bound_below_the_truth(case):
    model, schedule = case
    truth, error, mis = block_error(model, schedule)
    slack = error + 1e-12
    exact_mis = [Fraction(repr(max(x, 0.0))) for x in mis]
    total = MIProfile.from_total(Fraction(repr(entropy_profile(model).mi_total())), model.length)
    per_token = mi_profile(model)
    for report in (
        block_bound_report(total, schedule, block_mi=exact_mis),
        block_bound_report(per_token, schedule),
        block_bound_report(total, schedule),
    ):
        for name, value in report.bounds.items():
            if value is not None:
                assert truth <= float(value) * (1 + 1e-12) + slack, (name, truth, float(value))
    # the conditional totals never exceed the per-token sums (the proof of the profile form)
    for (a, n, _), mi in zip(schedule.block_schedules(), mis):
        assert mi <= float(sum(per_token.values[a : a + n])) + 1e-12


def test_sharp_blockwise_is_attained_by_copies():
    # one block of identical bits revealed at once: the sharp block bound is exact
    outcomes = [[a, a, a, b] for a, b in itertools.product([0, 1], repeat=2)]
    model = JointDistribution.from_outcomes(outcomes, ["1/4"] * 4)
    schedule = Schedule([3, 1], block_spans=[(0, 3), (3, 1)])
    report = verify(model, schedule)
    assert report.truth == pytest.approx(2 * math.log(2), abs=1e-12)
    assert float(report.bounds.bounds["block_sharp"]) == pytest.approx(2 * math.log(2), abs=1e-12)


def test_block_schedule_values():
    s = parse_schedule("blocks:4:uniform:32", 128)
    assert s.block_spans == tuple((32 * b, 32) for b in range(4)) and s.sizes == (4,) * 32
    assert parse_schedule("llada:10:5:4").sizes == (3, 2, 3, 2)
    with pytest.raises(ScheduleError, match="GEN"):
        parse_schedule("llada:12:6:4", 10)
    with pytest.raises(ScheduleError, match="block boundary"):
        Schedule([3, 3], block_spans=[(0, 2), (2, 4)])
    with pytest.raises(ScheduleError, match="reversed|cannot be reversed"):
        parse_schedule("reversed:blocks:2:uniform:4", 10)
    assert parse_schedule("flat-blocks:2:uniform:4", 10).sizes == (3, 2, 3, 2)


def test_latex_refuses_a_blockwise_schedule():
    from click.testing import CliRunner

    from boundcalc.cli import main
    from boundcalc.symbolic import values_for

    with pytest.raises(ScheduleError, match="semi-autoregressive"):
        values_for(schedule=parse_schedule("blocks:2:uniform:2", 4))
    result = CliRunner().invoke(main, ["latex", "-x", "theorem1", "--with-values", "--schedule", "blocks:2:uniform:2",
                                       "--mi-total", "1", "-L", "4"])
    assert result.exit_code == 2 and "--schedule: blocks:2:uniform:2 is semi-autoregressive" in result.output


@st.composite
def chains_with_blocks(draw):
    V = draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(st.integers(0, 10**6)))
    alpha = draw(st.sampled_from([0.05, 0.5, 3.0]))
    P = rng.dirichlet(np.full(V, alpha), size=V)
    chain = MarkovChain.from_matrix(list(range(V)), P, initial=rng.dirichlet(np.ones(V)))
    L = draw(st.integers(4, 40))
    return chain, L, _random_blocks(draw, L)


@settings(max_examples=25, deadline=None)
@given(chains_with_blocks())
def test_no_blockwise_bound_below_the_truth_on_chains(case):
    chain, L, schedule = case
    truth, error, mis = block_error(chain, schedule, L)
    per_token = mi_profile(chain, L)
    conditional = block_bound_report(per_token, schedule, block_mi=[Fraction(repr(max(x, 0.0))) for x in mis])
    for report in (conditional, block_bound_report(per_token, schedule)):
        for name, value in report.values.items():
            if value is not None:
                assert truth <= float(value) * (1 + 1e-12) + error + 1e-12, (name, truth, float(value))


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 4), st.integers(1, 6), st.sampled_from(["uniform", "cosine", "linear"]), st.data())
def test_blockwise_sweep_from_a_profile_sums_each_blocks_own_mi(blocks, per_block, inner, data):
    """A sweep of blocks:K:F:T from an MI profile: each row's blockwise sharp bound is Σ_b (s_b - 1)/B_b · ΣI_b
    with ΣI_b = Σ_{i∈b} I_i summed here by hand, exactly (the sweep reads the profile's partial sums once: it
    summed every block of every row again, 3.4 s at L = 1024)."""
    from boundcalc.sweeps import sweep

    n = blocks * per_block
    values = data.draw(st.lists(st.fractions(min_value=0, max_value=2, max_denominator=50), min_size=n, max_size=n))
    profile = MIProfile.from_values([str(v) for v in values])
    grid = list(range(blocks, n + 1, blocks))
    result = sweep(profile, f"blocks:{blocks}:{inner}:T", grid)
    assert [row.steps for row in result.rows] == grid
    for row in result.rows:
        expected = Fraction(0)
        for start, size, schedule in row.schedule.block_schedules():
            block_mi = sum(values[start : start + size], Fraction(0))
            expected += Fraction(max(schedule.sizes) - 1, size) * block_mi
        assert row.bounds["block_sharp"] == expected, row.steps
