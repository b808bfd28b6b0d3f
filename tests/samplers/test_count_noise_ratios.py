"""The start sizes' route by ratios (count_noise_starts._sum_ratios, the default from L = RATIOS_MIN_LENGTH): every
entry against exact Fractions within its certified errors, on random rational rows and on rows whose windows span
many tiles; against the exps' route within both errors at L above the threshold; a step whose terms would underflow
is taken by exps; below the threshold the bytes are the exps' route's."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boundcalc import count_noise_starts
from boundcalc.count_noise_starts import RATIOS_MIN_LENGTH, noise_starts
from boundcalc.count_sampler import CountSampler
from boundcalc.schedule import parse_spec
from start_sizes_reference import exact_starts


def _row(found, i: int) -> np.ndarray:
    return found.starts[found.bounds[i] : found.bounds[i + 1]]


def _within_exact(found, samplers) -> None:
    """Nothing above the exact value by more than ρ; the deficits beyond ρ at most δ (found.absolute) per row."""
    for i, sampler in enumerate(samplers):
        exact = exact_starts(sampler)
        rho = Fraction(float(found.error[i]))
        computed = [Fraction(v) for v in _row(found, i).tolist()]
        assert all(c - e <= rho * e for c, e in zip(computed, exact))
        deficit = sum(max(e - c - rho * e, Fraction(0)) for c, e in zip(computed, exact))
        assert deficit <= Fraction(found.absolute)


@st.composite
def _rational_sampler(draw, length: int) -> CountSampler:
    steps = draw(st.lists(st.fractions(min_value=Fraction(1, 60), max_value=Fraction(9, 10), max_denominator=97),
                          min_size=0, max_size=14))
    return CountSampler.from_probabilities(length, [*steps, Fraction(1)])


@settings(max_examples=25, deadline=None)
@given(st.integers(34, 80).flatmap(lambda L: st.lists(_rational_sampler(L), min_size=1, max_size=3)))
def test_ratios_hold_against_exact_fractions(samplers):
    found = noise_starts(samplers, ratios=True)
    assert found is not None
    _within_exact(found, samplers)


@settings(max_examples=6, deadline=None)
@given(st.integers(240, 330), st.lists(st.fractions(min_value=Fraction(1, 7), max_value=Fraction(2, 3),
                                                   max_denominator=31), min_size=1, max_size=3))
def test_ratios_over_windows_of_many_tiles(L, steps):
    """Steps in the middle (sd about √(L/4)): each window spans 6–12 tiles, so the running product runs far."""
    sampler = CountSampler.from_probabilities(L, [*steps, Fraction(1)])
    found = noise_starts([sampler], ratios=True)
    _within_exact(found, [sampler])


@pytest.mark.parametrize("L, steps", [(160, 70), (230, 100)])
def test_rows_of_many_chunks_by_ratios(monkeypatch, L, steps):
    """A row of 70–100 steps revealing a token or two each (as a sweep's large-T rows): its chunks of 32 or 64 steps
    take the ratios (all but the first, where λ moves fast), and every entry holds against exact Fractions."""
    taken = []
    real = count_noise_starts._sum_ratio_chunks

    def spy(L, lf, plan, chosen, *rest):
        taken.append(chosen.size)
        return real(L, lf, plan, chosen, *rest)

    monkeypatch.setattr(count_noise_starts, "_sum_ratio_chunks", spy)
    sampler = CountSampler.from_probabilities(L, [Fraction(1, steps - k) for k in range(steps)])
    found = noise_starts([sampler], ratios=True)
    assert sum(taken) >= 1
    _within_exact(found, [sampler])


def test_a_step_whose_terms_underflow_takes_the_exps(monkeypatch):
    """A step revealing 10^-305 of the tokens: its terms are below e^-690, so the ratios would run through
    subnormals; its chunk goes to the exps' route (the other row's stays with the ratios) and every entry holds."""
    seen = []
    real = count_noise_starts._sum_chunks

    def spy(L, lf, row_of, *rest):
        seen.append(row_of.size)
        return real(L, lf, row_of, *rest)

    monkeypatch.setattr(count_noise_starts, "_sum_chunks", spy)
    tiny = CountSampler.from_probabilities(40, [Fraction(1, 3), Fraction(1, 10**305), Fraction(1, 2), 1])
    plain = CountSampler.from_probabilities(40, [Fraction(1, 4), Fraction(1, 2), 1])
    found = noise_starts([tiny, plain], ratios=True)
    assert seen == [3]  # the tiny row's chunk (its three live steps), not the other row's
    _within_exact(found, [tiny, plain])


@pytest.mark.parametrize("noise", ["cosine", "linear", "geometric", "cosine2"])
def test_ratios_meet_the_exps_above_the_threshold(noise):
    """At L = RATIOS_MIN_LENGTH + 3 the default route is the ratios; every entry within both certified errors of
    the exps' route (itself checked against exact Fractions); the ratios' ρ at most 1% above the exps'."""
    L = RATIOS_MIN_LENGTH + 3
    samplers = [parse_spec(f"mdlm:{T}:{noise}").build(L) for T in (3, 40, 300)]
    by_ratios, by_exps = noise_starts(samplers), noise_starts(samplers, ratios=False)
    assert np.all(by_ratios.error >= by_exps.error) and np.all(by_ratios.error <= 1.01 * by_exps.error)
    bound = (by_ratios.error + by_exps.error).repeat(L) * np.maximum(by_ratios.starts, by_exps.starts) \
        + by_ratios.absolute + by_exps.absolute
    assert np.all(np.abs(by_ratios.starts - by_exps.starts) <= bound)
    assert not np.array_equal(by_ratios.starts, by_exps.starts)  # another route indeed


def test_below_the_threshold_the_exps_route_bit_for_bit():
    L = RATIOS_MIN_LENGTH - 1
    samplers = [parse_spec(f"mdlm:{T}:cosine").build(L) for T in (5, 64)]
    default, exps = noise_starts(samplers), noise_starts(samplers, ratios=False)
    assert default.starts.tobytes() == exps.starts.tobytes() and default.error.tobytes() == exps.error.tobytes()
