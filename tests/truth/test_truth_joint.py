"""Joint tables: the engine against an independent brute force, and bad input."""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.errors import BoundcalcError, DomainError, ModelError
from boundcalc.schedule import Schedule
from boundcalc.truth import JointDistribution, exact_error, token_mi

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from truth_reference import brute_force_error, entropy, marginal  # noqa: E402
from boundcalc.units import from_nats


def dirichlet_table(V: int, L: int, alpha: float, seed: int, zeros: float = 0.0) -> JointDistribution:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(V**L, alpha))
    if zeros:
        p[rng.random(V**L) < zeros] = 0.0
        if p.sum() == 0:
            p[0] = 1.0
    return JointDistribution.from_array(p.reshape((V,) * L), normalize=True, source=f"dirichlet seed {seed}")


def as_dict(model: JointDistribution) -> dict[tuple, float]:
    return {tuple(int(a) for a in x): float(q) for x, q in zip(model.codes, model.probabilities)}


CASES = [
    (2, 4, (2, 2), 0.5),
    (2, 4, (1, 3), 0.1),
    (3, 4, (3, 1), 1.0),
    (2, 5, (2, 1, 2), 0.3),
    (3, 5, (1, 4), 0.2),
    (2, 6, (3, 3), 0.5),
    (2, 6, (6,), 0.05),
    (2, 6, (2, 2, 2), 2.0),
    (2, 6, (1, 2, 3), 0.3),
    (4, 3, (2, 1), 0.3),
    (3, 6, (4, 2), 0.5),
]


@pytest.mark.parametrize("V,L,sizes,alpha", CASES)
@pytest.mark.parametrize("zeros", [0.0, 0.5])
def test_engine_equals_brute_force(V, L, sizes, alpha, zeros):
    model = dirichlet_table(V, L, alpha, seed=hash((V, L, sizes, alpha)) % 2**32, zeros=zeros)
    reference = brute_force_error(as_dict(model), sizes, V)
    assert exact_error(model, Schedule(sizes)) == pytest.approx(reference, abs=1e-10, rel=0)


@settings(max_examples=25, deadline=None)
@given(
    V=st.integers(2, 3),
    L=st.integers(2, 5),
    alpha=st.sampled_from([0.05, 0.3, 1.0, 4.0]),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_engine_equals_brute_force_random(V, L, alpha, seed, data):
    model = dirichlet_table(V, L, alpha, seed)
    cuts = sorted(data.draw(st.sets(st.integers(1, L - 1), max_size=L - 1)))
    points = [0, *cuts, L]
    sizes = tuple(b - a for a, b in zip(points, points[1:]))
    reference = brute_force_error(as_dict(model), sizes, V)
    assert exact_error(model, Schedule(sizes)) == pytest.approx(reference, abs=1e-10, rel=0)


def test_sparse_and_dense_agree():
    model = dirichlet_table(3, 6, 0.3, seed=7, zeros=0.3)
    dense = model._dense_entropies(None)
    sparse = model._sparse_entropies(None)
    assert np.max(np.abs(dense - sparse)) < 1e-13


def test_sparse_chosen_for_few_outcomes_over_many_tokens():
    rng = np.random.default_rng(3)
    codes = np.unique(rng.integers(0, 40, size=(60, 10)), axis=0)
    model = JointDistribution(codes, rng.dirichlet(np.ones(len(codes))), list(range(40)))
    assert model.cost()["method"] == "sparse"
    outcomes = [list(map(int, row)) for row in model.codes]
    p = {tuple(o): float(q) for o, q in zip(outcomes, model.probabilities)}
    H = model.subset_entropies()
    for mask in (0b1, 0b1011, 0b1111111111, 0b1000000001):
        positions = tuple(j for j in range(10) if mask >> j & 1)
        assert H[mask] == pytest.approx(entropy(marginal(p, positions)), abs=1e-12)


def test_token_mi_against_direct_entropies():
    model = dirichlet_table(3, 5, 0.4, seed=11)
    p = as_dict(model)
    L = 5
    full = entropy(p)
    for m in range(L):
        values = token_mi(model, m)
        for i in range(L):
            others = [j for j in range(L) if j != i]
            terms = []
            for A in itertools.combinations(others, m):
                h_i = entropy(marginal(p, (i,)))
                h_a = entropy(marginal(p, A)) if A else 0.0
                h_ai = entropy(marginal(p, tuple(sorted(A + (i,)))))
                terms.append(h_i + h_a - h_ai)
            assert values[i] == pytest.approx(sum(terms) / len(terms), abs=1e-12)
    # m = L - 1: I(X_i; X_-i) = H_i + H_-i - H
    mi = token_mi(model)
    for i in range(L):
        rest = tuple(j for j in range(L) if j != i)
        assert mi[i] == pytest.approx(entropy(marginal(p, (i,))) + entropy(marginal(p, rest)) - full, abs=1e-12)
    assert from_nats(token_mi(model), "bits")[0] == pytest.approx(mi[0] / math.log(2))


def test_mean_token_mi_is_multiscale_over_L():
    model = dirichlet_table(2, 7, 0.3, seed=5)
    profile = model.entropy_profile()
    for m in range(7):
        assert token_mi(model, m).sum() == pytest.approx(profile.multiscale(m), abs=1e-12)


def test_from_outcomes_exact_and_float_inputs():
    exact = JointDistribution.from_outcomes([["a", "b"], ["b", "a"], ["a", "a"]], ["0.5", "1/4", 0.25])
    assert exact.length == 2 and exact.vocab_size == 2 and exact.support_size == 3
    # floats within 1e-12 of 1 are accepted, then renormalised
    JointDistribution.from_outcomes([[1], [2], [3]], [0.1, 0.2, 0.7])
    JointDistribution.from_outcomes([[1], [2]], [0.5, 0.5 + 5e-13])
    # zero-probability outcomes are dropped
    z = JointDistribution.from_outcomes([[1, 1], [2, 2], [1, 2]], ["1/2", "1/2", "0"])
    assert z.support_size == 2
    # ints and strings are distinct tokens, ints first in the vocabulary
    mixed = JointDistribution.from_outcomes([[1, "1"], ["1", 1]], ["1/2", "1/2"])
    assert mixed.vocabulary == (1, "1")


@pytest.mark.parametrize(
    "outcomes,probabilities,match",
    [
        ([], [], "no outcomes"),
        ([["a"]], ["1", "0"], "1 outcomes but 2 probabilities"),
        ([["a", "b"], ["a"]], ["1/2", "1/2"], "outcome 2 has 1 tokens, outcome 1 has 2"),
        ([["a", "b"], ["a", "b"]], ["1/2", "1/2"], "outcome 2 repeats outcome 1"),
        ([["a"], ["b"]], ["1.5", "-0.5"], "probability 2 is negative"),
        ([["a"], ["b"]], ["0.5", "0.4"], "sum to 9/10, not 1"),
        ([["a"], ["b"]], [0.5, 0.4999], "not 1"),
        ([["a"], ["b"]], ["1/2", "x"], "probability 2"),
        ([["a"], [True]], ["1/2", "1/2"], "outcome 2 has the token True"),
        ([["a"], [1.5]], ["1/2", "1/2"], "outcome 2 has the token 1.5"),
        ([["a"], "b"], ["1/2", "1/2"], "outcome 2 is 'b'"),
        ([["a"], ["b"]], ["0", "0"], "sum to 0"),
    ],
)
def test_bad_tables(outcomes, probabilities, match):
    with pytest.raises(ModelError, match=match) as info:
        JointDistribution.from_outcomes(outcomes, probabilities, source="model.json")
    assert "model.json" in str(info.value)
    assert isinstance(info.value, ValueError) and info.value.exit_code == 2


def test_normalize_opts_in():
    model = JointDistribution.from_outcomes([["a"], ["b"]], ["1", "3"], normalize=True)
    assert sorted(model.probabilities.tolist()) == [0.25, 0.75]


def test_from_array_checks():
    with pytest.raises(ModelError, match="shape"):
        JointDistribution.from_array(np.ones((2, 3)) / 6)
    with pytest.raises(ModelError, match="negative"):
        JointDistribution.from_array(np.array([[0.5, 0.6], [0.0, -0.1]]))
    with pytest.raises(ModelError, match="sums to"):
        JointDistribution.from_array(np.ones((2, 2)) / 3)


def test_length_must_agree():
    model = dirichlet_table(2, 3, 1.0, seed=1)
    assert model.entropy_profile(3).length == 3
    with pytest.raises(ModelError, match="length: 4 disagrees"):
        exact_error(model, Schedule([2, 2]), length=4)


def test_too_large_is_refused_before_allocating():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 10, size=(300_000, 16))
    model = JointDistribution(codes, np.full(300_000, 1 / 300_000), list(range(10)))
    with pytest.raises(DomainError, match=r"too large for all 2\^L marginals: ~.* operations, about \d+ s"):
        model.entropy_profile()
    wide = JointDistribution(np.zeros((1, 23), dtype=np.int64), np.ones(1), [0])
    with pytest.raises(DomainError, match="L = 23 > 22"):
        wide.entropy_profile()
    with pytest.raises(BoundcalcError):
        model.dense()


def test_l16_binary_errors_shrink_along_nested_schedules():
    # 2^16 outcomes: the profile is built (its time is measured in benchmarks/bench_truth.py, not asserted here).
    # Uniform T = 1, 4, 16 are successive refinements, so the exact error cannot grow, and T = L is exact.
    model = dirichlet_table(2, 16, 0.5, seed=2)
    profile = model.entropy_profile()
    errors = [profile.error(Schedule.uniform(16, T)) for T in (1, 4, 16)]
    assert errors[0] >= errors[1] >= errors[2] >= 0 and errors[2] <= profile.error_bound(Schedule.uniform(16, 16))
    assert errors[0] > 0
