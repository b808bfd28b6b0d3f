"""Issue 22: a count family's expected error at one T with an error relative to the value (boundcalc.count_tight).

Checked against a second method at 60 digits: L·Σ_k π_k·G(r_k) − Σ d from the sampler's exact step probabilities
(Fractions), or for MDLM's other noises from α at 60 digits (r_k = 1 − (1 − α(t_k))/(1 − α(1)); the float p_k are
only within ε of these), G(x) = Σ_m d(m)·C(L − 1, m)x^m(1 − x)^(L−1−m) summed term by term. The certified interval
must hold it; at L = 1024 the decisions the coefficient form's error (~10⁻⁶) left undecided are decided, and agree
with a long-double second method (tests/samplers/test_count_error_decisions.py).
"""

from __future__ import annotations

import sys
from fractions import Fraction
from math import comb
from pathlib import Path

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.count_completion import range_sampler
from boundcalc.count_sampler import _ALPHA, MDLM_DELTA, CountSampler
from boundcalc.count_steps import _CountSearch
from boundcalc.count_tight import tight_error
from boundcalc.curve import LossCurve
from boundcalc.estimate import coefficient_error, curve_profile
from boundcalc.family_steps import required_steps_family
from boundcalc.step_families import family_sampler, searched_family
from boundcalc.truth.core import EntropyProfile
from boundcalc.truth.samplers import count_error

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_count_error_decisions import _long_double_value  # noqa: E402

NOISES = ["cosine", "cosine2", "linear", "geometric"]
FAMILIES = ["mdlm", "sedd", "dream-origin"] + [f"mdlm:{n}" for n in NOISES]


def _exact_cells(probabilities) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
    """(r_k, π_k) of every step from exact Fractions p_k."""
    out, alive = [], Fraction(1)
    for p in probabilities:
        out.append((_mp(1 - alive), _mp(alive * p)))  # (before, mass), at the working precision
        alive *= 1 - p
    return out


def _mp(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator


def _noise_cells(noise: str, T: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
    """(r_k, π_k) of mdlm:T:noise from α: r_k = 1 − (1 − α(t_k))/(1 − α(1)) on t_k = 1 − k(1 − δ)/T, then the
    noise removal's cell up to 1."""
    alpha, D = _ALPHA[noise], MDLM_DELTA.denominator
    top = 1 - alpha(mpmath.mpf(1))
    r = [1 - (1 - alpha(mpmath.mpf(D * T - (D - 1) * k) / (D * T))) / top for k in range(T + 1)]
    r[0] = mpmath.mpf(0)
    return [(r[k], r[k + 1] - r[k]) for k in range(T)] + [(r[T], 1 - r[T])]


def reference(sampler, d, family: str | None = None) -> mpmath.mpf:
    """E error at 60 digits: L·Σ_k π_k·G(r_k) − Σ d, from the exact probabilities (or α for another noise)."""
    L = len(d)
    with mpmath.workdps(60):
        dm = [mpmath.mpf(float(x)) for x in d]
        noise = family.split(":")[1] if family and family.count(":") == 1 and family.split(":")[1] in NOISES else None
        cells = _noise_cells(noise, sampler.steps) if noise else _exact_cells(sampler.exact)

        def G(x):
            return sum(dm[m] * comb(L - 1, m) * x**m * (1 - x) ** (L - 1 - m) for m in range(L))

        return +(L * sum(pi * G(r) for r, pi in cells) - sum(dm))


def _inside(value: float, error: float, exact: mpmath.mpf) -> bool:
    with mpmath.workdps(60):
        return abs(mpmath.mpf(value) - exact) <= mpmath.mpf(error)


profiles = st.integers(2, 12).flatmap(lambda L: st.lists(st.floats(0, 5, allow_nan=False), min_size=L, max_size=L))


@settings(max_examples=60, deadline=None)
@given(d=profiles, family=st.sampled_from(FAMILIES), T=st.integers(1, 30), monotone=st.booleans(),
       build=st.sampled_from(["family", "range"]))
def test_the_interval_holds_the_60_digit_value(d, family, T, monotone, build):
    if monotone:
        d = sorted(d, reverse=True)
    L = len(d)
    spec = searched_family(family)
    sampler = family_sampler(spec, T, L) if build == "family" else range_sampler(spec, T, L)
    if sampler.exact is None and ":" not in family:
        sampler = family_sampler(spec, T, L)
    value, error = tight_error(EntropyProfile(d), sampler)
    exact = reference(sampler, d, family)
    assert _inside(value, error, exact)
    assert error < 1e-11 * (1 + abs(value))  # relative to the value, not to Σ d


@settings(max_examples=40, deadline=None)
@given(d=profiles, probabilities=st.lists(st.fractions(0, 1, max_denominator=10**6), min_size=0, max_size=12))
def test_the_interval_holds_for_any_step_probabilities(d, probabilities):
    """Random exact p_k (zeros and ones included), the last step revealing what is left."""
    sampler = CountSampler.from_probabilities(len(d), [*probabilities, Fraction(1)])
    value, error = tight_error(EntropyProfile(d), sampler)
    assert _inside(value, error, reference(sampler, d))


def test_the_error_term_is_needed():
    """Cases whose float value is not the exact one: without its error term the interval would miss it."""
    misses = 0
    for T in range(20, 60):
        d = [3.0 / (1 + m) ** 0.7 for m in range(10)]
        sampler = family_sampler("mdlm:cosine2", T, len(d))
        value, error = tight_error(EntropyProfile(d), sampler)
        exact = reference(sampler, d, "mdlm:cosine2")
        assert _inside(value, error, exact)
        misses += not _inside(value, 0.0, exact)
    assert misses >= 10


@pytest.mark.parametrize("spec", ["mdlm:7", "dream-origin:5", "mdlm:4:geometric", "sedd:3"])
def test_equal_to_the_count_DP(spec):
    """A second method: the forward DP over the number revealed (boundcalc.truth.samplers.count_error)."""
    from boundcalc.counts import parse_sampler

    d = [2.5, 2.0, 1.7, 1.1, 0.8, 0.8, 0.3, 0.1]
    sampler = parse_sampler(spec, len(d))
    value, error = tight_error(EntropyProfile(d), sampler)
    truth, truth_error = count_error(EntropyProfile(d), sampler)
    assert abs(value - truth) <= error + truth_error


@settings(max_examples=25, deadline=None)
@given(d=profiles.map(lambda d: sorted(d, reverse=True)), family=st.sampled_from(FAMILIES), T=st.integers(1, 24),
       where=st.sampled_from([-4.0, -1.5, -0.5, 0.0, 0.5, 1.5, 4.0]))
def test_a_single_T_decision_is_the_exact_one(d, family, T, where):
    """Targets at the 60-digit value ± a few certified errors: the tight stage decides exactly the exact side,
    or says undecided; beyond one error it always decides."""
    L = len(d)
    curve = LossCurve.from_conditional(d)
    d = curve_profile(curve).conditional
    spec = searched_family(family)
    search = _CountSearch(spec, "error", L, curve, None, "theorem1", Fraction(0), "nats")
    _, error = tight_error(EntropyProfile(d), range_sampler(spec, T, L))
    exact = reference(range_sampler(spec, T, L) if spec.family.quick_sampler(L, T, spec.given_args) is None
                      else family_sampler(spec, T, L), d, family)
    with mpmath.workdps(60):
        goal_mp = exact + where * mpmath.mpf(error)
        man, exp = goal_mp.man_exp
        goal = Fraction(man) * Fraction(2) ** exp if goal_mp > 0 else Fraction(0)
        above = exact > goal_mp
    if goal <= 0:
        return
    status = search._tight_status(T, goal, None)
    if abs(where) > 1.01 * 2:  # value ± error lies on one side
        assert status != "undecided"
    if status != "undecided":
        assert status == ("miss" if above else "reach")


def test_at_L_1024_a_target_a_few_nanonats_away_is_decided():
    """mdlm:geometric on a curve measured at every k of L = 1024, T = 3787: the coefficient form's certified error
    (~1.5e-6) and the long-double r_k's (~1.4e-6) cannot decide a target 3e-9 from the value; the tight value
    (error < 1e-9) decides both sides, as the long-double second method says."""
    L = 1024
    curve = LossCurve(length=L, masked=list(range(1, L + 1)), loss=[round(0.5 + 6 * k / L, 6) for k in range(1, L + 1)])
    d = curve_profile(curve).conditional
    second = _long_double_value("geometric", 3787, d)
    sampler = family_sampler("mdlm:geometric", 3787, L)
    assert coefficient_error(curve_profile(curve), sampler)[1] > 1e-7  # the screen alone cannot decide
    value, error = tight_error(curve_profile(curve), range_sampler(searched_family("mdlm:geometric"), 3787, L))
    assert error < 1e-9 and abs(value - second) < 1e-9
    above = required_steps_family([Fraction(second + 3e-9)], family="mdlm:geometric", by="error", length=L,
                                  curve=curve)[0]
    assert above.steps == 3787 and above.undecided == ()
    below = required_steps_family([Fraction(second - 3e-9)], family="mdlm:geometric", by="error", length=L,
                                  curve=curve)[0]
    assert below.steps is not None and below.steps > 3787 and 3787 not in below.undecided


def _normalised_second_method(noise: str, T: int, d) -> float:
    """E error of mdlm:T:noise by another route: r_k from α at 40 digits in long double, each G(r_k) the mean of d
    under Bin(L − 1, r_k) by the pmf's ratio recurrence outward from the mode (long double, normalised by its sum),
    then L·Σ_k π_k·G(r_k) − Σ d in long double."""
    import numpy as np

    L, ld, n = len(d), np.longdouble, len(d) - 1
    with mpmath.workdps(40):
        cells = _noise_cells(noise, T)
        r = np.array([ld(mpmath.nstr(x, 30)) for x, _ in cells])
        pi = np.array([ld(mpmath.nstr(x, 30)) for _, x in cells])
        alive = np.array([ld(mpmath.nstr(1 - x, 30)) for x, _ in cells])
    dl, ratio = np.asarray(d, dtype=ld), r / alive
    mode = np.clip(np.floor((n + 1) * r.astype(float)), 0, n).astype(int)
    total, mass = dl[mode].copy(), np.ones(r.size, dtype=ld)
    for up in (True, False):
        p, m = np.ones(r.size, dtype=ld), mode.copy()
        while True:
            ok = (m < n) if up else (m > 0)
            with np.errstate(all="ignore"):
                step = (n - m) / (m + 1) * ratio if up else m / (n - m + 1) / ratio
            p = np.where(ok, p * step, 0)
            m = np.where(ok, m + (1 if up else -1), m)
            total += p * dl[m]
            mass += p
            if float(p.max()) < 1e-40:
                break
    G = total / mass
    G[0] = dl[0]
    return float(L * np.sum(pi * G) - np.sum(dl))


def test_at_L_2048_the_value_agrees_with_a_second_method():
    """mdlm:cosine2 on a curve measured at every k of L = 2048, T = 5600 (about 3L, the answers' region): the
    tight value and the long-double recurrence agree within the certified error, which is below 1e-8 where the
    coefficient form's is about 1e-5."""
    L, T = 2048, 5600
    curve = LossCurve(length=L, masked=list(range(1, L + 1)), loss=[round(0.5 + 6 * k / L, 6) for k in range(1, L + 1)])
    profile = curve_profile(curve)
    value, error = tight_error(profile, range_sampler(searched_family("mdlm:cosine2"), T, L))
    second = _normalised_second_method("cosine2", T, profile.conditional)
    assert abs(value - second) <= error + 1e-12 and error < 1e-8
    assert coefficient_error(profile, family_sampler("mdlm:cosine2", T, L))[1] > 100 * error
