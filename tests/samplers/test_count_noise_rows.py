"""A sweep's mdlm:T:NOISE rows held lazily (boundcalc.count_noise_rows): views into the prepared flat arrays, the
exact builder's floats and values, and count_flat.flat_steps handing the shared arrays out without a copy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import boundcalc as bc
from boundcalc import noise_steps
from boundcalc.count_families import MDLM
from boundcalc.count_flat import flat_steps
from boundcalc.count_noise_rows import NoiseSampler, StepView, noise_row
from boundcalc.count_sampler import CountSampler
from boundcalc.curve import LossCurve

NOISES = ["cosine", "cosine2", "linear", "geometric"]


def _copied(samplers):
    """flat_steps' copying path, from the samplers' values read one by one (no shared arrays)."""
    eager = [CountSampler(length=s.length, steps=s.steps, reveal=tuple(s.reveal), keep=tuple(s.keep), name=s.name)
             for s in samplers]
    return flat_steps(eager)


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(NOISES), st.sets(st.integers(1, 60), min_size=1, max_size=6), st.integers(1, 12))
def test_a_lazy_row_is_the_exact_builders_sampler(noise, Ts, L):
    noise_steps.prepare(noise, Ts)
    for T in sorted(Ts):
        lazy, eager = noise_row(L, T, noise), CountSampler.mdlm(L, T, noise)
        assert isinstance(lazy, NoiseSampler) and isinstance(lazy.reveal, StepView)
        assert lazy.reveal == eager.reveal and lazy.keep == eager.keep  # bit for bit, the last step (1, 0) too
        assert all(type(x) is float for x in (lazy.reveal[0], lazy.keep[-1], *lazy.reveal[:2], *lazy.keep))
        assert (lazy.name, lazy.steps, lazy.length, lazy.family, lazy.notes) == \
            (eager.name, eager.steps, eager.length, eager.family, eager.notes)
        assert lazy.describe() == eager.describe()
        assert lazy.marginals() == eager.marginals()
        assert lazy.expected_nonempty_steps() == eager.expected_nonempty_steps()
        assert lazy.max_law() == eager.max_law()
        assert np.array_equal(lazy.expected_start_sizes(), eager.expected_start_sizes())


def test_rows_are_views_and_flat_steps_hands_out_the_shared_arrays():
    rows = noise_steps.prepare("cosine", [5, 1, 9, 30])
    samplers = [noise_row(8, T, "cosine") for T in (1, 5, 9, 30)]
    for s in samplers:
        assert np.shares_memory(np.asarray(s.reveal), rows.reveal)
        assert np.asarray(s.keep, dtype=np.float64).base is not None and not np.asarray(s.keep).flags.writeable
    whole = flat_steps(samplers)
    assert whole.reveal is rows.reveal and whole.keep is rows.keep and whole.offsets is rows.offsets  # no copy
    some = flat_steps(samplers[1:3])  # consecutive rows: views, offsets from 0
    assert np.shares_memory(some.reveal, rows.reveal) and np.shares_memory(some.keep, rows.keep)
    assert not some.reveal.flags.writeable and not some.offsets.flags.writeable
    for got, want in ((whole, _copied(samplers)), (some, _copied(samplers[1:3]))):
        assert got.offsets.tolist() == want.offsets.tolist()
        assert np.array_equal(got.reveal, want.reveal) and np.array_equal(got.keep, want.keep)
    shuffled = [samplers[2], samplers[0], CountSampler.mdlm(8, 4)]  # out of order, and another sampler: copied
    got, want = flat_steps(shuffled), _copied(shuffled)
    assert not np.shares_memory(got.reveal, rows.reveal)
    assert got.offsets.tolist() == want.offsets.tolist() and np.array_equal(got.reveal, want.reveal)


def test_only_prepared_rows_are_lazy():
    noise_steps.prepare("linear", [3])
    family = MDLM()
    assert isinstance(family.quick_sampler(8, 3, ["linear"], lazy=True), NoiseSampler)
    assert family.quick_sampler(8, 4, ["linear"], lazy=True) is None  # not prepared: the exact builder
    assert family.quick_sampler(8, 3, ["linear"]) is None  # not lazy
    assert family.quick_sampler(8, 3, ["cosine"], lazy=True) is None or noise_steps.prepared("cosine").row(3) == 0
    assert family.quick_sampler(8, 3, ["loglinear"], lazy=True).reveal == CountSampler.mdlm(8, 3).reveal


@pytest.mark.parametrize("noise", ["cosine2", "geometric"])
def test_a_sweeps_noise_rows_are_lazy_and_equal_the_eager_rows(noise, monkeypatch):
    curve = LossCurve(length=12, masked=[3, 6, 9, 12], loss=[0.4, 0.9, 1.5, 2.2])
    lazy = bc.sweep(curve, [f"mdlm:{noise}"], "1:12")
    assert all(isinstance(row.schedule, NoiseSampler) for row in lazy.rows)
    monkeypatch.setattr(MDLM, "quick_sampler", lambda self, L, T, args, lazy=False: None)
    eager = bc.sweep(curve, [f"mdlm:{noise}"], "1:12")
    assert not any(isinstance(row.schedule, NoiseSampler) for row in eager.rows)
    for a, b in zip(lazy.rows, eager.rows):
        assert (a.error, a.error_abs, a.bounds, a.bound_errors, a.stats, a.intervals) == \
            (b.error, b.error_abs, b.bounds, b.bound_errors, b.stats, b.intervals)
