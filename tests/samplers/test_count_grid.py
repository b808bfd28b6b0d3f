"""The lazy uniform-grid sampler (boundcalc.count_grid): the quick build's floats step by step, and every closed
form (marginals, E #non-empty steps, tails and the cap, the brackets of identical laws, the rows' E c(S_max)
enclosures) against exact Fractions, the law of S_max by an exact multinomial DP, the per-step code and the DP."""

import tracemalloc
from fractions import Fraction
from math import comb

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import MIProfile
from boundcalc.bounds import count_bound_report, per_realisation_bounds
from boundcalc.count_families import MDLM, SEDD, DreamOrigin
from boundcalc.count_grid import GridSampler, grid_size_caps
from boundcalc.count_grid_rows import grid_bound_reports
from boundcalc.count_rows import _values
from boundcalc.count_sampler import TAIL, CountSampler
from boundcalc.count_starts import uniform_grid

FAMILIES = {"mdlm": (MDLM(), []), "sedd": (SEDD(), []), "dream-origin": (DreamOrigin(), []),
            "dream-origin:1/7": (DreamOrigin(), ["1/7"])}
EXACT = {"mdlm": lambda L, T: CountSampler.mdlm(L, T), "sedd": lambda L, T: CountSampler.mdlm(L, T),
         "dream-origin": lambda L, T: CountSampler.dream_origin(L, T),
         "dream-origin:1/7": lambda L, T: CountSampler.dream_origin(L, T, "1/7")}


def _pair(name: str, L: int, T: int) -> tuple[GridSampler, CountSampler]:
    family, args = FAMILIES[name]
    lazy = family.quick_sampler(L, T, args, lazy=True)
    eager = family.quick_sampler(L, T, args)
    assert isinstance(lazy, GridSampler) and not isinstance(eager, GridSampler)
    return lazy, eager


def _exact_marginals(name: str, L: int, T: int) -> list[Fraction]:
    """π_k = p_k Π_{j<k}(1 − p_j) from the exact builder's Fractions."""
    out, alive = [], Fraction(1)
    for p in EXACT[name](L, T).exact:
        out.append(alive * p)
        alive *= 1 - p
    return out


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(1, 300), st.integers(1, 700))
def test_lazy_steps_are_the_quick_build_floats(name, L, T):
    """reveal and keep, step by step, as arrays and as tuples, are the eager quick build's floats bit for bit."""
    lazy, eager = _pair(name, L, T)
    assert len(lazy.reveal) == len(eager.reveal) and lazy.steps == eager.steps and lazy.name == eager.name
    assert tuple(lazy.reveal) == eager.reveal and tuple(lazy.keep) == eager.keep
    assert np.array_equal(np.asarray(lazy.reveal), np.asarray(eager.reveal))
    assert np.array_equal(np.asarray(lazy.keep), np.asarray(eager.keep))
    for k in {0, -1, 1 - len(eager.reveal), len(eager.reveal) // 2}:
        assert lazy.reveal[k] == eager.reveal[k] and lazy.keep[k] == eager.keep[k]
    assert lazy.reveal[1:4] == eager.reveal[1:4]
    assert lazy.family == eager.family and lazy.notes["grid"] == eager.notes["grid"]
    assert lazy.describe() == eager.describe()
    grid, grid_eager = uniform_grid(lazy), uniform_grid(eager)
    assert (grid is None) == (grid_eager is None)
    if grid is not None:
        assert (grid.h, grid.steps, grid.b) == (grid_eager.h, grid_eager.steps, grid_eager.b)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(1, 60), st.integers(1, 90))
def test_marginals_and_nonempty_steps_against_fractions(name, L, T):
    """The two marginals are the exact π_k correctly rounded (the list of every step, when asked for, is the eager
    sampler's running product); E #non-empty steps holds Σ 1 − (1 − π_k)^L in
    Fractions within its error, which is far below the per-step code's (and not zero where rounding happens)."""
    lazy, eager = _pair(name, L, T)
    exact = _exact_marginals(name, L, T)
    h, w = lazy.marginal_pair()
    assert lazy.marginals() == eager.marginals() and lazy.expected_sizes() == eager.expected_sizes()
    assert float(exact[-1]) == w and all(x == exact[0] for x in exact[:-1])
    assert lazy.complement_pair()[1] == float(1 - exact[-1])
    if len(exact) > 1:  # h is a regular step's marginal
        assert (h, lazy.complement_pair()[0]) == (float(exact[0]), float(1 - exact[0]))
    truth = sum(1 - (1 - x) ** L for x in exact)
    value, error = lazy.expected_nonempty_steps()
    assert abs(Fraction(value) - truth) <= Fraction(error)
    assert error <= 1e-11 * (1 + T + L)
    eager_value, eager_error = eager.expected_nonempty_steps()
    assert abs(eager_value - value) <= error + eager_error


def _exact_max_law(L: int, marginals: list[Fraction]) -> list[Fraction]:
    """P(S_max > s), s = 1..L-1, exactly: the multinomial(L; π) counts placed step by step (w revealed so far, with
    each step's count at most s), P(S_max <= s) the mass reaching w = L."""
    out = []
    for s in range(1, L):
        state = {0: Fraction(1)}
        left = Fraction(1)
        for x in marginals:
            p = x / left if left else Fraction(0)  # the step's conditional probability given it is reached
            new: dict[int, Fraction] = {}
            for w, mass in state.items():
                m = L - w
                for j in range(min(s, m) + 1):
                    prob = comb(m, j) * p**j * (1 - p) ** (m - j)
                    if prob:
                        new[w + j] = new.get(w + j, Fraction(0)) + mass * prob
            state, left = new, left - x
        out.append(1 - state.get(L, Fraction(0)))
    return out


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(2, 11), st.integers(1, 14))
def test_exceed_brackets_hold_the_exact_law_of_s_max(name, L, T):
    """1 − F_h^n F_w <= P(S_max > s) <= n(1 − F_h) + 1 − F_w (within the certified errors) for the exact law of
    S_max in Fractions; the upper end is the union bound, so it is tight where one step's tail dominates."""
    lazy, _ = _pair(name, L, T)
    exact = _exact_max_law(L, _exact_marginals(name, L, T))
    lower, upper, err = lazy._exceed_bracket()
    for s in range(1, L):
        assert Fraction(lower[s - 1]) - Fraction(err[s - 1]) <= exact[s - 1] <= Fraction(upper[s - 1]) + Fraction(err[s - 1])
    assert float(np.max(err)) < 1e-9


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(2, 40), st.integers(1, 120))
def test_caps_tails_and_brackets_against_the_per_step_code(name, L, T):
    """The cap is the least J with tail(J) <= 2^-80 (the tails agree with the per-step sampler's within its 10^-9
    slack); the exceed brackets are the per-step code's within both errors; the DP law of S_max lies inside."""
    lazy, eager = _pair(name, L, T)
    cap = lazy.size_cap()
    assert lazy.tail(cap) <= TAIL and (cap == 0 or lazy.tail(cap - 1) > TAIL)
    assert abs(cap - eager.size_cap()) <= 1
    for size in {0, 1, L // 3, cap, max(cap - 1, 0)}:
        assert abs(lazy.tail(size) - eager.tail(size)) <= 1e-8 * max(lazy.tail(size), eager.tail(size))
        assert abs(lazy.floor_bound(size) - eager.floor_bound(size)) <= 1e-8 * max(lazy.floor_bound(size), 1e-300)
    assert int(grid_size_caps([lazy])[0]) == cap
    lower, upper, err = lazy._exceed_bracket()
    lower2, upper2, err2 = eager._exceed_bracket()
    assert np.all(np.abs(lower - lower2) <= err + err2) and np.all(np.abs(upper - upper2) <= err + err2)
    above, dp_error = (np.array(x) for x in lazy.max_law())  # the DP over the lazy steps
    assert np.all(lower - err - dp_error <= above) and np.all(above <= upper + err + dp_error)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(2, 40), st.lists(st.integers(1, 200), min_size=1, max_size=6))
def test_row_reports_enclose_the_dp_and_the_single_sampler_brackets(name, L, steps):
    """grid_bound_reports (all rows at once, numpy sums) encloses every bound's E c(S_max) and E S_max of the DP
    (count_bound_report on the eager sampler) and agrees with the sampler's own brackets (fsum) within both errors."""
    profile = MIProfile.from_total(Fraction(37, 3), L)
    names = per_realisation_bounds()
    rows = [_pair(name, L, T) for T in steps]
    reports = grid_bound_reports(profile, [lazy for lazy, _ in rows], Fraction(0), names, _values)
    for (lazy, eager), report in zip(rows, reports):
        exact = count_bound_report(profile, eager)
        for key in names:
            value, error = report.coefficients[key]
            dp_value, dp_error = exact.coefficients[key]
            assert abs(value - dp_value) <= error + dp_error
        value, error = report.expected_max
        assert abs(value - exact.expected_max[0]) <= error + exact.expected_max[1]
        assert report.nonempty_steps == lazy.expected_nonempty_steps()
        single = lazy.expected_coefficient_brackets([_values(key, L) for key in names])
        for key, (lo, hi, err) in zip(names, single):
            value, error = report.coefficients[key]
            assert abs(value - (lo + hi) / 2) <= error + (hi - lo) / 2 + err + 1e-12 * abs(value)


def test_an_enclosure_of_a_huge_row_stays_lazy():
    """A row of 10^5 steps at L = 512: built and enclosed without a step list (no cached marginals, little memory),
    with E #non-empty steps = n(1 − (1 − h)^L) + 1 − (1 − δ)^L by hand and E S_max inside [1, 2] (Lh ≈ 0.005: nearly every step holds
    at most one token)."""
    tracemalloc.start()
    lazy = MDLM().quick_sampler(512, 100_000, [], lazy=True)
    profile = MIProfile.from_total(10, 512)
    (report,) = grid_bound_reports(profile, [lazy], Fraction(0), per_realisation_bounds(), _values)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4_000_000  # a tuple of 10^5 floats alone is ~3 MB
    assert "_marginals" not in lazy.__dict__ and "_start_laws_cache" not in lazy.__dict__
    h = 0.99999 / 100_000
    calls, error = report.nonempty_steps
    last = 1 - (1 - 1e-5) ** 512  # the last step's weight w = 1 − n·h = δ = 10^-5
    assert abs(calls - 100_000 * (1 - (1 - h) ** 512) - last) < 1e-6 and error < 1e-9
    assert 1 <= report.expected_max[0] <= 2


def test_grid_sampler_identity_and_refusal():
    """Equal when the grid, the length and the name agree (hash too); no grid whose last weight is negative."""
    a = MDLM().quick_sampler(64, 10, [], lazy=True)
    b = MDLM().quick_sampler(64, 10, [], lazy=True)
    assert a == b and hash(a) == hash(b) and a != MDLM().quick_sampler(64, 11, [], lazy=True)
    try:
        GridSampler(8, 2, 3, 4, 2, "x", "mdlm")
    except Exception as error:  # a ScheduleError, one line
        assert "uniform grid" in str(error)
    else:
        raise AssertionError("a grid with n·h > 1 was accepted")
