"""Per-token F_i(m) for many m at once (Theorem 2's levels): the gap method against the slow path and joint tables."""

from __future__ import annotations

import numpy as np
import pytest
from test_truth_markov import CHAINS, random_chain

from boundcalc.errors import DomainError, InvalidNumberError
from boundcalc.multiscale import level_sizes
from boundcalc.truth import multiscale_from_model
from boundcalc.truth import JointDistribution, MarkovChain, token_mi, token_mi_levels
from boundcalc.units import from_nats


@pytest.mark.parametrize("name,make", CHAINS, ids=[c[0] for c in CHAINS])
def test_gap_method_equals_the_prefix_sum_method(name, make):
    chain = make()
    for L in (3, 4, 7, 19):
        ing = chain._ingredients(L)
        for m in range(1, L - 1):
            fast = chain._gap_token_mi(L, m, ing)
            slow = chain._token_mi(L, m, None)
            assert np.max(np.abs(fast - slow)) < 1e-12, (L, m)


@pytest.mark.parametrize("seed", range(3))
def test_gap_method_at_theorem2_levels_of_a_longer_chain(seed):
    chain = random_chain(4, 0.4, 40 + seed, initial=bool(seed % 2))
    L = 300
    _, sizes = level_sizes(L, 64)
    ing = chain._ingredients(L, max_gap=65)
    for m in sizes[:-1]:
        fast = chain._gap_token_mi(L, m, ing)
        slow = chain._token_mi(L, m, None)
        assert np.max(np.abs(fast - slow)) < 1e-12 * (1 + np.max(slow)), m


@pytest.mark.parametrize("name,make", CHAINS, ids=[c[0] for c in CHAINS])
def test_levels_equal_the_expanded_joint_table(name, make):
    chain = make()
    L = 8 if chain.vocab_size <= 2 else 6
    joint = JointDistribution.from_array(chain.joint(L), normalize=True)
    sizes = [-3, 0, 1, L // 2, L - 2, L - 1]
    fast = token_mi_levels(chain, sizes, L)
    table = token_mi_levels(joint, sizes)
    assert fast.shape == table.shape == (L, len(sizes))
    assert np.all(fast[:, :2] == 0) and np.all(table[:, :2] == 0)
    assert np.max(np.abs(fast - table)) < 1e-12
    for col, m in enumerate(sizes[1:], 1):
        assert np.max(np.abs(fast[:, col] - token_mi(joint, m))) < 1e-12


def test_levels_in_bits_and_bad_sizes():
    chain = random_chain(3, 0.5, 7)
    nats = token_mi_levels(chain, [5, 9], 10)
    assert from_nats(nats, "bits") == pytest.approx(nats / np.log(2), rel=1e-14)  # converted only when printed
    with pytest.raises(InvalidNumberError, match="size = 10"):
        chain.token_mi_levels([10], 10)


def test_cost_is_refused_before_any_work():
    rng = np.random.default_rng(0)
    chain = MarkovChain.from_matrix(list(range(64)), rng.dirichlet(np.ones(64), size=64))

    def boom(*args, **kwargs):  # pragma: no cover - must not run
        raise AssertionError("work started before the cost check")

    chain._ingredients = boom
    # m = 200 at L = 2^17: the gap method ~10^14 operations, the convolutions L^2 V ~ 10^12
    with pytest.raises(DomainError, match=r"needs an estimated \d+ s"):
        chain.token_mi_levels([200], 131072)
    with pytest.raises(DomainError, match="estimated"):
        chain.token_mi(200, 131072)
    assert chain.token_mi_cost(32768, [32768 - 64]) < 60  # Theorem 2's levels stay cheap
    assert chain.token_mi_cost(32768, [16384]) < 60  # and so does m = L/2 (weights past 2^-110 dropped)
    assert chain.token_mi_cost(16384, [16]) < 30  # small m: the convolutions, L^2 V at worst


@pytest.mark.parametrize("seed", range(2))
def test_gap_method_with_dropped_weight_tails(seed):
    """m far from L: the gap method keeps gaps up to ~76 L/m only, and still equals the slow path."""
    from boundcalc.truth.markov import _gap_extent

    chain = random_chain(3, 0.3, 70 + seed, initial=bool(seed))
    L = 700
    ing = chain._ingredients(L)
    for m in (350, 600):
        G, K = _gap_extent(L, m)
        assert G < L - m + 1 and K < L - m + 1  # the tails are really dropped
        assert np.max(np.abs(chain._gap_token_mi(L, m, ing) - chain._token_mi(L, m, None))) < 1e-12


def test_multiscale_profile_uses_the_levels():
    chain = random_chain(3, 0.4, 11, initial=True)
    L = 40
    ms = multiscale_from_model(chain, 16, L)
    _, sizes = level_sizes(L, 16)
    for j, m in enumerate(sizes):
        slow = chain._token_mi(L, m, None) if m < L - 1 else chain._mi_profile(L)
        got = np.array([float(row[j]) for row in ms.values])
        assert np.max(np.abs(got - slow)) < 1e-12
