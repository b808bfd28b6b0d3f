"""Markov chains: the gap-sum engine against the joint engine on the expanded table, precision, bad input."""

from __future__ import annotations

import time

import numpy as np
import pytest

from boundcalc.errors import DomainError, ModelError
from boundcalc.schedule import Schedule
from boundcalc.truth import JointDistribution, MarkovChain, exact_error, token_mi


def random_chain(V: int, alpha: float, seed: int, initial: bool = False, zeros: bool = False) -> MarkovChain:
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(V, alpha), size=V)
    if zeros:  # keep a cycle so the chain stays irreducible
        mask = rng.random((V, V)) < 0.4
        for x in range(V):
            mask[x, (x + 1) % V] = False
        P[mask] = 0.0
        P /= P.sum(axis=1, keepdims=True)
    mu = rng.dirichlet(np.full(V, alpha)) if initial else None
    return MarkovChain.from_matrix(list(range(V)), P, mu, source=f"chain {seed}")


CHAINS = [
    ("dense", lambda: random_chain(2, 1.0, 1)),
    ("dense-initial", lambda: random_chain(3, 0.5, 2, initial=True)),
    ("sparse", lambda: random_chain(3, 0.3, 3, zeros=True)),
    ("sparse-initial", lambda: random_chain(4, 0.3, 4, initial=True, zeros=True)),
    ("periodic", lambda: MarkovChain(["a", "b", "c"], [[0, 1, 0], [0, 0, 1], [1, 0, 0]])),
    ("reducible-initial", lambda: MarkovChain([0, 1], [["1", "0"], ["1/2", "1/2"]], ["0", "1"])),
    ("one-state", lambda: MarkovChain(["x"], [[1]])),
    ("sticky", lambda: MarkovChain(["a", "b"], [["0.99", "0.01"], ["0.02", "0.98"]], ["1", "0"])),
]


@pytest.mark.parametrize("name,make", CHAINS, ids=[c[0] for c in CHAINS])
@pytest.mark.parametrize("L", [1, 2, 3, 5, 8])
def test_markov_equals_joint_on_the_expanded_table(name, make, L):
    chain = make()
    if chain.vocab_size**L > 5000:
        L = 6
    joint = JointDistribution.from_array(chain.joint(L), normalize=True)
    mp, jp = chain.entropy_profile(L), joint.entropy_profile()
    assert np.max(np.abs(mp.conditional - jp.conditional)) < 1e-12
    for m in range(L):
        assert np.max(np.abs(token_mi(chain, m, L) - token_mi(joint, m))) < 1e-12, m


@pytest.mark.parametrize("seed", range(3))
def test_markov_equals_joint_at_L10(seed):
    chain = random_chain(2, 0.4, 100 + seed, initial=bool(seed % 2))
    joint = JointDistribution.from_array(chain.joint(10), normalize=True)
    for spec in ("uniform:3", "cosine:4", "1,9", "10", "5,1,1,1,1,1"):
        s = Schedule.parse(spec, 10)
        assert exact_error(chain, s, 10) == pytest.approx(exact_error(joint, s), abs=1e-12)
    assert np.max(np.abs(token_mi(chain, 4, 10) - token_mi(joint, 4))) < 1e-12


def test_general_token_mi_equals_closed_form():
    chain = random_chain(3, 0.5, 9, initial=True)
    L = 40
    assert np.max(np.abs(chain._token_mi(L, L - 1, None) - chain.token_mi(None, L))) < 1e-12


def test_stationary_initial():
    chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    assert chain.initial == pytest.approx([2 / 3, 1 / 3], abs=1e-15)
    assert chain.is_stationary
    # a stationary chain: every token has the same entropy, and the profile is symmetric
    mi = token_mi(chain, length=9)
    assert mi == pytest.approx(mi[::-1], abs=1e-14)


def test_precision_against_extended_precision():
    """float64 d(m) agrees with an 80-bit run of the same formulas within the stated bound."""
    if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps:
        pytest.skip("no extended precision on this platform")
    chain = random_chain(5, 0.3, 21)
    L = 600
    d64 = chain._conditional(L)
    dld = chain._conditional(L, np.longdouble)
    profile = chain.entropy_profile(L)
    diff = np.max(np.abs(d64 - dld.astype(np.float64)))
    assert diff <= profile.abs_error
    assert diff < 1e-12  # what is observed; the bound is conservative


def test_large_L_is_fast():
    chain = random_chain(8, 1.0, 5)
    start = time.perf_counter()
    error = exact_error(chain, "uniform:64", length=1024)
    assert time.perf_counter() - start < 10
    assert error > 0


@pytest.mark.parametrize(
    "states,transition,initial,match",
    [
        ([], [], None, "no states"),
        (["a", "a"], [["1", "0"], ["0", "1"]], None, "listed twice"),
        (["a", "b"], [["1", "0"]], None, "not 2x2"),
        (["a", "b"], [["1", "0"], ["1"]], None, "not 2x2"),
        (["a", "b"], [["0.9", "0.2"], ["0.5", "0.5"]], None, r"transition row 1 \('a'\) sums to 11/10"),
        (["a", "b"], [[0.9, 0.2], [0.5, 0.5]], None, "sums to 1.1"),
        (["a", "b"], [["1.5", "-0.5"], ["0.5", "0.5"]], None, "entry 2 is negative"),
        (["a", "b"], [["1", "0"], ["0", "1"]], None, "reducible"),
        (["a", "b"], [["1", "0"], ["1/2", "1/2"]], None, "reducible"),
        (["a", "b"], [["1/2", "1/2"], ["1/2", "1/2"]], ["1"], "initial has 1 entries"),
        (["a", "b"], [["1/2", "1/2"], ["1/2", "1/2"]], ["1/2", "1/3"], "initial sums to 5/6"),
        (["a", True], [["1/2", "1/2"], ["1/2", "1/2"]], None, "not a string or integer"),
    ],
)
def test_bad_chains(states, transition, initial, match):
    with pytest.raises(ModelError, match=match) as info:
        MarkovChain(states, transition, initial, source="chain.json")
    assert "chain.json" in str(info.value)


def test_reducible_with_initial_is_fine():
    chain = MarkovChain(["a", "b"], [["1", "0"], ["0", "1"]], ["1/2", "1/2"])
    # two frozen states: all tokens equal, like identical tokens
    profile = chain.entropy_profile(4)
    assert profile.conditional == pytest.approx([np.log(2), 0, 0, 0], abs=1e-15)


def test_length_is_required_and_bounded():
    chain = MarkovChain(["a", "b"], [["1/2", "1/2"], ["1/2", "1/2"]])
    with pytest.raises(ModelError, match="needs the sequence length"):
        chain.entropy_profile()
    with pytest.raises(DomainError, match=r"L = 10000000 with V = 2 states needs an estimated \d+ s and \d+ MB"):
        chain.entropy_profile(10**7)
    with pytest.raises(DomainError, match=r"estimated .* <= 2048 MB"):
        MarkovChain.from_matrix(list(range(100)), np.full((100, 100), 0.01), np.full(100, 0.01)).entropy_profile(300_000)
    with pytest.raises(Exception, match="positive integer"):
        chain.entropy_profile(0)


def test_reproduces_the_embedded_example_profile():
    """The gap-sum engine against boundcalc/data (computed independently, written with 12 digits)."""
    from boundcalc.example import example_path
    from boundcalc.profile import load_profile
    from boundcalc.truth import load_markov

    chain = load_markov(example_path("default_markov.json"))
    reference = load_profile(example_path("default_profile.csv"))
    values = token_mi(chain, length=reference.length)
    expected = np.array([float(x) for x in reference.values])
    assert np.max(np.abs(values - expected)) < 1e-10


def test_non_converging_powers_stop_at_the_budget(monkeypatch):
    import boundcalc.truth.markov as markov

    V = 20
    cycle = np.roll(np.eye(V), 1, axis=1)  # periodic: P^g never converges
    chain = MarkovChain.from_matrix(list(range(V)), cycle)
    monkeypatch.setattr(markov, "MAX_MARKOV_WORK", 6e5)
    with pytest.raises(DomainError, match="has not converged after g = 7"):
        chain.entropy_profile(1000)
    with pytest.raises(DomainError, match="operations per matrix power"):
        MarkovChain.from_matrix(list(range(40)), np.roll(np.eye(40), 1, axis=1)).entropy_profile(1000)
