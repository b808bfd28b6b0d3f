"""Issue 22: the first steps of many T at once (boundcalc.noise_steps.head_steps), bit for bit a sweep's build.

A row whose bounds and expected error read no step still prints its schedule's text from its first six p_k and
five 1 − p_k; ``head_steps`` gives them for every T without building the rest. They must be the very floats
:func:`~boundcalc.noise_steps.prepare` (a sweep's chunks, along progressions) and
:func:`~boundcalc.noise_steps.step_probabilities` (one T, libm) give, and the 40-digit reference's.
"""

from __future__ import annotations

import numpy as np
import pytest

from boundcalc import noise_steps
from boundcalc.noise_steps import HEAD_STEPS, head_steps, mpmath_steps, prepare, step_probabilities

NOISES = ["cosine", "cosine2", "linear", "geometric"]


def _heads_of(rows, Ts, count=HEAD_STEPS):
    """The first ``count`` entries of each prepared row (reveal, keep), as head_steps lays them out."""
    reveal, keep = np.full((len(Ts), count), np.nan), np.full((len(Ts), count), np.nan)
    for i, T in enumerate(Ts):
        start = int(rows.offsets[rows.row(T)])
        n = min(count, T + 1)
        reveal[i, :n], keep[i, :n] = rows.reveal[start:start + n], rows.keep[start:start + n]
    return reveal, keep


def _same(a, b):
    """Equal bit for bit, NaN where both are (array_equal's equal_nan would also let a NaN pass for a NaN)."""
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


@pytest.mark.parametrize("noise", NOISES)
def test_every_small_T_is_the_prepared_rows_head(noise):
    """T = 1..1024 (every short row, T < 6, with its noise removal (1, 0) right after its last step)."""
    Ts = list(range(1, 1025))
    rows = prepare(noise, Ts)
    reveal, keep = head_steps(noise, Ts)
    want_reveal, want_keep = _heads_of(rows, Ts)
    assert _same(reveal, want_reveal) and _same(keep, want_keep)
    assert reveal[0, :2].tolist() == [mpmath_steps(noise, 1, [1])[0][0], 1.0] and keep[0, 1] == 0.0
    assert np.isnan(reveal[0, 2:]).all() and not np.isnan(reveal[5:]).any()


@pytest.mark.parametrize("noise", NOISES)
def test_large_T_are_the_prepared_rows_head(noise):
    """Random T up to 100000 and the edges (a sweep's batch along progressions, and single builds by libm)."""
    rng = np.random.default_rng(2200 + NOISES.index(noise))
    Ts = sorted({1025, 4096, 16383, 16384, 65536, 99_999, 100_000, *rng.integers(1025, 100_001, 30).tolist()})
    rows = prepare(noise, Ts)
    reveal, keep = head_steps(noise, Ts)
    want_reveal, want_keep = _heads_of(rows, Ts)
    assert _same(reveal, want_reveal) and _same(keep, want_keep)
    noise_steps.release(noise)
    for T in Ts[:3] + Ts[-2:]:  # a few single builds too (step_probabilities: libm, another pass 1)
        p, q = step_probabilities(noise, T)
        j = Ts.index(T)
        assert reveal[j].tolist() == p[:HEAD_STEPS] and keep[j].tolist() == q[:HEAD_STEPS]


@pytest.mark.parametrize("noise", NOISES)
def test_heads_are_the_40_digit_floats(noise):
    """Against the reference itself, where the long double pass leaves entries open among the heads (so the
    double-double pass decides them) and where it does not."""
    with np.errstate(all="ignore"):
        from boundcalc.noise_libm import LIBM_PASSES

        Ts = np.arange(1, 4001)
        p, q, bound_p, bound_q = LIBM_PASSES[noise](Ts, HEAD_STEPS)
    open_ = ~(noise_steps._settled_long(p, bound_p)[1] & noise_steps._settled_long(q, bound_q)[1])
    lanes = np.repeat(np.arange(Ts.size), np.minimum(Ts, HEAD_STEPS))
    opened = sorted(set(Ts[lanes[open_]].tolist()))
    assert opened  # the heads' near-ties exist: pass 2 is exercised
    picks = opened[:8] + [1, 2, 5, 6, 7, 1000, 4000]
    reveal, keep = head_steps(noise, picks)
    for i, T in enumerate(picks):
        ks = list(range(1, min(T, HEAD_STEPS) + 1))
        assert list(zip(reveal[i, :len(ks)].tolist(), keep[i, :len(ks)].tolist())) == mpmath_steps(noise, T, ks)


def test_entries_left_open_go_to_mpmath(monkeypatch):
    """With the double-double pass's tolerance widened every open head goes on to mpmath: the same floats."""
    Ts = list(range(1, 200))
    want = head_steps("geometric", Ts)
    calls = []
    real = noise_steps._mpmath_at
    monkeypatch.setattr(noise_steps, "DD_RELATIVE", 2.0**-45)
    monkeypatch.setattr(noise_steps, "_mpmath_at", lambda *a: calls.append(a[1].size) or real(*a))
    got = head_steps("geometric", Ts)
    assert calls and calls[0] > 10
    assert _same(got[0], want[0]) and _same(got[1], want[1])


def test_other_counts_and_the_range():
    Ts = [3, 9, 500]
    rows = prepare("cosine", Ts)
    for count in (1, 4, 12):
        reveal, keep = head_steps("cosine", Ts, count)
        want_reveal, want_keep = _heads_of(rows, Ts, count)
        assert _same(reveal, want_reveal) and _same(keep, want_keep)
    with pytest.raises(ValueError):
        head_steps("cosine", [0, 5])
    with pytest.raises(ValueError):
        head_steps("cosine", [100_001])
    assert head_steps("linear", [])[0].shape == (0, HEAD_STEPS)
