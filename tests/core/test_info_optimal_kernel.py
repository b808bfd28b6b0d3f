"""Issue 22: info-optimal's T-scan kernel (boundcalc.step_starts._InfoOptimal) leaves, for every T, exactly
:func:`boundcalc.estimate.info_optimal_boundaries`'s starts and their differences, on every path it takes: the rows
whose rounded quantiles already increase (the running extrema skipped), the rows that need them (T near L, steep
pieces), the guesses settled by comparisons and those left to the binary search (long stretches of F inside one
bucket), and the builder's own branches (a flat curve, a level past F[L-1])."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundcalc.estimate import info_optimal_boundaries
from boundcalc.step_starts import info_optimal_kernel


@st.composite
def curves(draw):
    """d(0..L-1) non-increasing, L up to 700: random drops with steep, flat and nearly flat stretches (F rising by
    1e-9 of its total over many indices: one bucket holds them all, so a guess may be far off)."""
    L = draw(st.integers(2, 700))
    pieces = draw(st.lists(st.tuples(st.integers(1, 200), st.sampled_from([0.0, 1e-18, 1e-9, 0.3, 1.0, 50.0])),
                           min_size=1, max_size=6))
    drops = []
    for length, scale in pieces:
        drops += [scale * (0.5 + draw(st.floats(0.0, 1.0))) for _ in range(length)]
    drops = (drops * (L // len(drops) + 1))[:L]
    return np.cumsum(np.array(drops[::-1]))[::-1].copy()


def check_every_T(d, ts):
    kernel = info_optimal_kernel(d)
    L = int(d.size)
    out, sizes = np.full(L + 3, -5, dtype=np.int64), np.full(L + 2, -5, dtype=np.int64)
    for T in ts:
        expected = info_optimal_boundaries(d, T)
        found = kernel.starts_sizes_into(T, out[1:], sizes[1:])
        assert found.tolist() == expected.tolist(), (L, T)
        assert out[1 : T + 2].tolist() == expected.tolist() and out[0] == -5 and (T + 2 > L + 2 or out[T + 2] == -5)
        assert sizes[1 : T + 1].tolist() == np.diff(expected).tolist() and sizes[0] == -5
        assert kernel.starts(T).tolist() == expected.tolist()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(curves())
def test_every_T_is_the_builders(d):
    check_every_T(d, range(1, d.size + 1))


def test_rows_of_both_kinds_and_far_guesses_are_met():
    """A curve with a steep head and a nearly flat tail: rows whose rounded quantiles collide (the running extrema
    run) and rows where they increase (skipped), and levels whose guess is more than 4 indices off (their bucket
    spans hundreds of indices: the binary search settles them)."""
    L = 3000
    drops = np.concatenate((np.full(100, 5.0), np.full(2800, 1e-12), np.linspace(0.2, 0.01, 100)))
    d = np.cumsum(drops[::-1])[::-1].copy()
    kernel = info_optimal_kernel(d)
    F, ts = kernel.cumulative, list(range(2, L + 1, 7)) + [L - 1, L]
    clean, far = set(), False
    for T in ts:
        levels = kernel.scaled[1:T] / T
        j = np.searchsorted(F, levels) - 1
        w = np.rint(j + (levels - F[j]) / (F[j + 1] - F[j]))
        clean.add(bool(np.all(np.diff(np.concatenate(([0], w, [L]))) >= 1)))
        guess = kernel.first_below[(levels * kernel.bucket_scale).astype(np.int64)]
        far = far or bool(np.abs(guess - j).max() > 4)
    assert clean == {True, False} and far
    check_every_T(d, ts)


def test_the_builders_branches():
    check_every_T(np.full(50, 2.0), range(1, 51))  # F(L) = 0: the uniform schedule
    check_every_T(np.array([3.0, 1.0]), [1, 2])  # L = 2
    d = np.concatenate((np.linspace(4.0, 1.0, 30), np.full(10, 1.0)))  # flat end: F[L-1] = F(L), levels reach it
    check_every_T(d, range(1, 41))
