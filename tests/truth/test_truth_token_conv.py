"""Per-token F_i(m) of a Markov chain by convolutions (issue 13): against the original prefix-sum
method (tests/token_mi_reference.py), the expanded joint table, an 80-bit run, and exact weights."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from token_mi_reference import reference_token_mi

from boundcalc.truth import JointDistribution, MarkovChain, token_mi
from boundcalc.truth.markov import _token_weights


@st.composite
def chains(draw):
    V = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    alpha = draw(st.sampled_from([0.2, 1.0, 5.0]))
    P = rng.dirichlet(np.full(V, alpha), size=V)
    if draw(st.booleans()):  # hard zeros: the chain may be reducible, so give an initial law
        P[rng.random((V, V)) < 0.4] = 0.0
        P[np.arange(V), rng.integers(0, V, size=V)] += 0.5
        P /= P.sum(axis=1, keepdims=True)
        return MarkovChain.from_matrix(list(range(V)), P, rng.dirichlet(np.ones(V)))
    mu = rng.dirichlet(np.full(V, alpha)) if draw(st.booleans()) else None
    return MarkovChain.from_matrix(list(range(V)), P, mu)


def sizes_for(L: int) -> list[int]:
    return sorted({m for m in (0, 1, 2, L // 2, L - 2, L - 1) if 0 <= m <= L - 1})


@settings(max_examples=30, deadline=None)
@given(chains(), st.integers(1, 40))
def test_convolutions_equal_the_prefix_sum_method(chain, L):
    for m in sizes_for(L):
        new = chain._token_mi(L, m, None)
        old = reference_token_mi(chain, L, m)
        assert np.max(np.abs(new - old)) <= 2 * chain.token_mi_error(L, m), (L, m)
        assert np.max(np.abs(new - old)) < 1e-12, (L, m)


@settings(max_examples=25, deadline=None)
@given(chains(), st.integers(1, 7))
def test_convolutions_equal_the_expanded_joint_table(chain, L):
    if chain.vocab_size**L > 4096:
        L = 5
    joint = JointDistribution.from_array(chain.joint(L), normalize=True)
    for m in range(L):  # every m: 0, 1, 2, ..., L-2, L-1
        new = chain._token_mi(L, m, None)
        truth = token_mi(joint, m)
        assert np.max(np.abs(new - truth)) <= chain.token_mi_error(L, m) + 1e-13, (L, m)


@pytest.mark.parametrize("L", [1, 2, 3])
def test_boundary_lengths(L):
    chain = MarkovChain(["a", "b"], [["0.7", "0.3"], ["0.4", "0.6"]], ["1/5", "4/5"])
    joint = JointDistribution.from_array(chain.joint(L), normalize=True)
    for m in range(L):
        assert chain._token_mi(L, m, None).shape == (L,)
        assert np.max(np.abs(chain._token_mi(L, m, None) - token_mi(joint, m))) < 1e-14
    assert np.all(chain._token_mi(L, 0, None) == 0)


@pytest.mark.parametrize("kind", ["random", "slow"])
def test_longer_chain_against_the_reference_and_the_closed_form(kind):
    """L = 400: every m class, on a chain whose powers converge fast and one whose do not (η never flat)."""
    rng = np.random.default_rng(5)
    if kind == "random":
        P = rng.dirichlet(np.ones(5), size=5)
    else:  # a near-periodic cycle: P^g converges slowly, so the convolutions run over every gap
        P = 0.97 * np.roll(np.eye(5), 1, axis=1) + 0.03 * rng.dirichlet(np.ones(5), size=5)
    chain = MarkovChain.from_matrix(list(range(5)), P, rng.dirichlet(np.ones(5)))
    L = 400
    assert (chain._ingredients(L)["flat"] < 100) == (kind == "random")
    for m in (1, 2, 3, 50, 200, 398):
        assert np.max(np.abs(chain._token_mi(L, m, None) - reference_token_mi(chain, L, m))) < 1e-12, m
    assert np.max(np.abs(chain._token_mi(L, L - 1, None) - chain._mi_profile(L))) < 1e-12


def test_within_the_bound_of_an_extended_precision_run():
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        pytest.skip("no extended precision on this platform")
    rng = np.random.default_rng(8)
    chain = MarkovChain.from_matrix(list(range(4)), rng.dirichlet(np.full(4, 0.5), size=4), rng.dirichlet(np.ones(4)))
    L = 1500
    for m in (1, 2, 40, 700, 1498):
        f64 = chain._token_mi(L, m, None)
        ext = chain._token_mi(L, m, None, np.longdouble)
        err = float(np.max(np.abs(f64 - ext)))
        assert err <= chain.token_mi_error(L, m), m
        assert err < 1e-12, m  # the bound is conservative: 10^-14 observed


@pytest.mark.parametrize("L", [2, 3, 9, 60])
def test_weights_are_the_binomial_ratios(L):
    for m in range(1, L):
        r_side, r_int = _token_weights(L, m)
        denom = math.comb(L - 1, m)
        for k in range(1, L + 1):
            exact = Fraction(math.comb(L - k, m - 1), denom)
            assert abs(Fraction(float(r_side[k])) - exact) <= exact * (2 * k + 4) * 2.0**-53
        for n in range(2, L):
            exact = Fraction(math.comb(L - n - 1, m - 2), denom) if m >= 2 else Fraction(0)
            assert abs(Fraction(float(r_int[n])) - exact) <= exact * (2 * n + 4) * 2.0**-53
        if m >= 2:  # the identity the convolution form rests on: Σ_{n >= k} r_int[n] = r_side[k]
            tails = np.cumsum(r_int[::-1])[::-1]
            assert np.allclose(tails[2:L], r_side[2:L], rtol=1e-13, atol=0)


def test_weights_at_long_length_without_binomials():
    """L = 16384: a few weights against exact binomials; the rest underflow to 0 without error."""
    L = 16384
    for m in (16, 8192, L - 2):
        r_side, r_int = _token_weights(L, m)
        assert np.all(np.isfinite(r_side)) and np.all(r_side >= 0) and np.all(r_int >= 0)
        denom = math.comb(L - 1, m)
        for k in (1, 2, 3, 100, L - m + 1):
            exact = Fraction(math.comb(L - k, m - 1), denom)
            if float(exact) > 1e-300:
                assert abs(float(r_side[k]) / float(exact) - 1) <= (2 * k + 4) * 2.0**-53
        assert r_side[L - m + 2 :].max(initial=0.0) == 0.0 and r_int[L - m + 2 :].max(initial=0.0) == 0.0
        assert abs(r_side[2:].sum() - 1.0) < 1e-10  # Σ_{k >= 2} C(L-k, m-1) = C(L-1, m)


def test_mi_profile_reads_no_uninitialised_memory(monkeypatch):
    """_mi_profile's μ table had an uninitialised row 0 that _entropy_rows read: garbage such as -inf warned
    ('invalid value encountered in multiply', seen now and then in CI). np.empty is made to return -inf here, so
    every row it leaves unset shows, and the profile must come out without a warning and unchanged."""
    import warnings

    chain = MarkovChain.from_matrix([0, 1, 2], [[0.5, 0.3, 0.2], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]], [0.2, 0.5, 0.3])
    clean = chain._mi_profile(9)
    real_empty = np.empty
    monkeypatch.setattr(np, "empty", lambda *args, **kwargs: np.full_like(real_empty(*args, **kwargs), -np.inf))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        poisoned = chain._mi_profile(9)
    assert np.array_equal(poisoned, clean)
    assert np.max(np.abs(clean - chain._token_mi(9, 8, None))) < 1e-12
