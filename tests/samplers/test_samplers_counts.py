"""Random reveal counts: the DP against enumeration of the count process, a brute force over
partitions, Monte Carlo, the sources' rules, and the expected bounds against the truth."""

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

from boundcalc.bounds import bound_coefficient, count_bound_report
from boundcalc.counts import CountSampler, parse_sampler
from boundcalc.errors import DomainError, ScheduleError
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule, parse_schedule
from boundcalc.truth import JointDistribution, MarkovChain, entropy_profile, exact_error
from boundcalc.verification import verify
from boundcalc.truth.samplers import count_error

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from truth_reference import brute_force_error  # noqa: E402


def dirichlet(V: int, L: int, alpha: float, seed: int) -> JointDistribution:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(V**L, alpha))
    return JointDistribution.from_array(p.reshape((V,) * L), normalize=True)


def realisations(sampler: CountSampler):
    """Every count vector (s_1, ..., s_n) with its probability, by the multinomial law of reveal steps.

    Independent of the DP: each token's reveal step is k with probability π_k computed here in exact
    rationals from the sampler's exact p_k (or its floats), and the counts are multinomial.
    """
    probs = sampler.exact or tuple(Fraction(p) for p in sampler.reveal)
    pi, alive = [], Fraction(1)
    for p in probs:
        pi.append(alive * p)
        alive *= 1 - p
    L, n = sampler.length, len(pi)
    for counts in itertools.product(range(L + 1), repeat=n):
        if sum(counts) != L:
            continue
        weight = Fraction(math.factorial(L))
        for c, x in zip(counts, pi):
            weight *= x**c / math.factorial(c)
        if weight:
            yield counts, weight


def as_dict(model: JointDistribution) -> dict[tuple, float]:
    return {tuple(int(a) for a in x): float(q) for x, q in zip(model.codes, model.probabilities)}


@pytest.mark.parametrize("spec", ["mdlm:3", "dream-origin:3", "mdlm:2:cosine", "mdlm:3:linear", "mdlm:2:geometric",
                                  "mdlm:2:cosine2", "sedd:2", "dream-origin:1"])
def test_dp_equals_enumeration_of_counts(spec):
    chain = MarkovChain(["a", "b", "c"], [["0.6", "0.3", "0.1"], ["0.2", "0.7", "0.1"], ["0.1", "0.1", "0.8"]])
    L = 6
    profile = entropy_profile(chain, L)
    sampler = parse_sampler(spec, L)
    truth, coefficients = 0.0, {}
    for counts, weight in realisations(sampler):
        sizes = [c for c in counts if c]
        truth += float(weight) * profile.error(Schedule(sizes))
        for name in ("sharp", "recursion", "theorem1"):
            coefficients[name] = coefficients.get(name, 0.0) + float(weight) * float(bound_coefficient(name, max(sizes)))
    value, bound = count_error(profile, sampler)
    assert bound < 1e-9
    assert value == pytest.approx(truth, abs=1e-12 + bound)
    report = count_bound_report(MIProfile.from_total(1, L), sampler)
    for name, expected in coefficients.items():
        c, e = report.coefficients[name]
        assert c == pytest.approx(expected, abs=1e-12 + e)


@pytest.mark.parametrize("spec,L,V", [("mdlm:2", 4, 2), ("dream-origin:3", 4, 3), ("mdlm:2:cosine", 5, 2)])
def test_expected_error_equals_brute_force_over_partitions(spec, L, V):
    """The full brute force: every count vector, then every ordered partition with those sizes."""
    model = dirichlet(V, L, 0.3, seed=L * 10 + V)
    sampler = parse_sampler(spec, L)
    reference = math.fsum(
        float(w) * brute_force_error(as_dict(model), tuple(c for c in counts if c), V)
        for counts, w in realisations(sampler)
    )
    assert exact_error(model, sampler) == pytest.approx(reference, abs=1e-10)


def test_monte_carlo_converges_to_the_dp():
    chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    L = 32
    profile = entropy_profile(chain, L)
    sampler = parse_sampler("mdlm:6:cosine", L)
    rng = np.random.default_rng(12345)
    n = 4000
    draws, maxima = np.empty(n), np.empty(n)
    for r in range(n):
        masked, w, error, biggest = L, 0, 0.0, 0
        for p in sampler.reveal:
            s = int(rng.binomial(masked, p))
            if s:
                error += profile.step_error(w, s)
                w, masked, biggest = w + s, masked - s, max(biggest, s)
        draws[r], maxima[r] = error, biggest
    value, _ = count_error(profile, sampler)
    expected_max, _ = sampler.expected_coefficient(lambda s: s)
    # generous: 5 standard errors (a wrong DP is off by far more; see test_dp_equals_enumeration_of_counts)
    assert abs(draws.mean() - value) < 5 * draws.std() / math.sqrt(n)
    assert abs(maxima.mean() - expected_max) < 5 * maxima.std() / math.sqrt(n)


def test_sources_rules():
    # MDLM log-linear: p_k = 1 - t_k/t_{k-1} on t_k = 1 - k(1 - 1e-5)/T, then the rest
    s = CountSampler.mdlm(16, 4)
    t = [1 - k * (1 - Fraction(1, 10**5)) / 4 for k in range(5)]
    assert s.exact == tuple(1 - t[k] / t[k - 1] for k in range(1, 5)) + (Fraction(1),)
    assert sum(s.expected_sizes()) == pytest.approx(16, abs=1e-12)
    # log-linear: E s_k = L(1 - 1e-5)/T for k <= T, the rest at the end
    assert s.expected_sizes()[:4] == pytest.approx([4 * (1 - 1e-5)] * 4, abs=1e-12)
    # SEDD's sampler has the same law
    assert parse_sampler("sedd:4", 16).exact == s.exact
    # Dream origin: linspace(1, 1e-3, T+1), the last step p = 1, no extra step
    d = CountSampler.dream_origin(16, 4)
    u = [1 + (Fraction(1, 1000) - 1) * Fraction(k, 4) for k in range(5)]
    assert d.exact == tuple(1 - u[k] / u[k - 1] for k in range(1, 4)) + (Fraction(1),)
    # the other MDLM noises against the closed forms (float64)
    for noise, alpha in {
        "cosine": lambda x: 1e-3 + (1 - 1e-3) * math.cos(math.pi * x / 2),
        "cosine2": lambda x: 1e-3 + (1 - 1e-3) * math.cos(math.pi * x / 2) ** 2,
        "linear": lambda x: math.exp(-(1e-3 + x * (7 - 1e-3))),
        "geometric": lambda x: math.exp(-(1e-3 ** (1 - x))),
    }.items():
        c = CountSampler.mdlm(16, 4, noise)
        grid = [1 - k * (1 - 1e-5) / 4 for k in range(5)]
        expected = [(alpha(grid[k]) - alpha(grid[k - 1])) / (1 - alpha(grid[k - 1])) for k in range(1, 5)]
        assert list(c.reveal[:4]) == pytest.approx(expected, rel=1e-9)
    # MDLM's cosine is front-loaded
    assert CountSampler.mdlm(64, 8, "cosine").expected_sizes()[0] > 8


def test_parser_and_errors():
    with pytest.raises(ScheduleError, match="sampler, not a fixed schedule"):
        parse_schedule("mdlm:8", 64)
    with pytest.raises(ScheduleError, match="NOISE|noise"):
        parse_sampler("mdlm:8:quadratic", 64)
    with pytest.raises(ScheduleError, match="sequence length"):
        parse_sampler("dream-origin:8")
    big = parse_sampler("mdlm:4096", 8192)
    with pytest.raises(DomainError, match="operations"):
        big.expected_coefficient(lambda s: s)


@st.composite
def models(draw):
    if draw(st.booleans()):
        V, L = draw(st.sampled_from([(2, 4), (2, 6), (3, 4)]))
        return dirichlet(V, L, draw(st.sampled_from([0.05, 0.3, 2.0])), draw(st.integers(0, 10**6))), L
    L = draw(st.integers(4, 24))
    flip = draw(st.sampled_from(["0.01", "0.1", "0.3"]))
    return MarkovChain(["a", "b"], [[1 - Fraction(flip), flip], [flip, 1 - Fraction(flip)]]), L


@settings(max_examples=30, deadline=None)
@given(models(), st.sampled_from(["mdlm", "dream-origin", "mdlm-cosine", "mdlm-geometric"]), st.integers(1, 6))
def test_no_expected_bound_below_the_truth(model_and_length, family, steps):
    model, L = model_and_length
    spec = {"mdlm-cosine": f"mdlm:{steps}:cosine", "mdlm-geometric": f"mdlm:{steps}:geometric"}.get(
        family, f"{family}:{steps}")
    report = verify(model, spec, length=None if isinstance(model, JointDistribution) else L)
    assert all(h for h in report.holds().values() if h is not None), report.to_dict()
