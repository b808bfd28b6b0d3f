"""Issue 22, round 12: completion.lowest_step_costs moves only the steps that span a gap's m_a (w <= m_a < n − 1),
in place, instead of subtracting a full matrix of mostly zeros per gap: the same floats, bit for bit, as the old
route (here as the reference) on random partial curves (gaps inside and at both ends, with and without a vocabulary
size, steep and flat d)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.completion import _gaps, lowest_step_costs
from boundcalc.curve import LossCurve


def _old_lowest_step_costs(curve: LossCurve, vocab_size: int | None = None) -> np.ndarray:
    """completion.lowest_step_costs before round 12 (a full np.where per gap), the reference."""
    L = curve.length
    d_b = np.array(curve.conditional("linear"), dtype=np.float64)
    for ma, _, mb, B in _gaps(curve, vocab_size):
        d_b[ma + 1 : mb] = B
    F = np.concatenate([[0.0], np.cumsum(d_b)])
    w = np.arange(L + 1)[:, None]
    n = np.arange(L + 1)[None, :]
    with np.errstate(invalid="ignore"):
        cost = np.where(n > w, (n - w) * np.append(d_b, 0.0)[w] - (F[n] - F[w]), np.inf)
    for ma, A, mb, B in _gaps(curve, vocab_size):
        if ma < 0:
            continue
        spans = (w <= ma) & (n - 1 > ma)
        cost = cost - np.where(spans, (A - B) * (np.minimum(n - 1, mb - 1) - ma), 0.0)
    return cost


@st.composite
def _partial_curves(draw) -> LossCurve:
    L = draw(st.integers(2, 90))
    masked = sorted(draw(st.sets(st.integers(1, L), min_size=1, max_size=min(L, 12))))
    losses = sorted(draw(st.lists(st.floats(0.01, 9.0), min_size=len(masked), max_size=len(masked))))
    return LossCurve(length=L, masked=masked, loss=losses)


@settings(max_examples=80, deadline=None)
@given(_partial_curves(), st.sampled_from([None, 2, 100, 50000]))
def test_lowest_step_costs_are_the_old_routes_bit_for_bit(curve, vocab_size):
    """Every entry (inf below the diagonal included) equal to the full-matrix route's, bit for bit."""
    new, old = lowest_step_costs(curve, vocab_size), _old_lowest_step_costs(curve, vocab_size)
    assert new.shape == old.shape and new.tobytes() == old.tobytes()


def test_lowest_step_costs_on_the_benchmarks_partial_curve():
    """The 16-point curve of bench_answers.py at L = 1024 (16 gaps): the same floats."""
    L = 1024
    curve = LossCurve(length=L, masked=[j * L // 16 for j in range(1, 17)],
                      loss=[0.5 + 6 * j / 16 for j in range(1, 17)])
    for vocab_size in (None, 50000):
        assert lowest_step_costs(curve, vocab_size).tobytes() == _old_lowest_step_costs(curve, vocab_size).tobytes()
