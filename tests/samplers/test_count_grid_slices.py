"""Round 11's faster routes of the uniform-grid rows against the routes they replace, bit for bit: the truth in
slices of rows (count_grid_truth._SLICE) and in chunks of zones (count_grid_starts.grid_start_chunks) against one
batch of every row; count_starts.interiors' search over the rows still searched and its integers against the
Fraction forms it replaced."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boundcalc import count_grid_starts, count_grid_truth, count_starts
from boundcalc.count_families import MDLM, SEDD, DreamOrigin
from boundcalc.count_grid_starts import grid_starts
from boundcalc.count_grid_truth import grid_rows_truth, starts_rows_truth
from boundcalc.estimate import curve_profile
from start_sizes_reference import rows_partial_curve

FAMILIES = {"mdlm": MDLM(), "sedd": SEDD(), "dream-origin": DreamOrigin()}


def _rows_bytes(rows: dict, samplers: list) -> list:
    """Every float of every row (value, error, estimate's fields, interval), as bytes for a bit-for-bit test."""
    out = []
    for sampler in samplers:
        row = rows.get(id(sampler))
        if row is None:
            out.append(None)
            continue
        e = row.estimate
        fields = [row.value, row.error] + ([] if e is None else [e.value, e.stderr or 0.0, e.pchip, e.abs_error])
        out.append((np.array(fields).tobytes(), None if row.interval is None else np.array(row.interval).tobytes()))
    return out


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(34, 300), st.lists(st.integers(1, 900), min_size=1, max_size=12),
       st.lists(st.integers(1, 300), min_size=1, max_size=5), st.booleans(), st.integers(1, 4000),
       st.integers(1, 7))
def test_rows_in_slices_and_chunks_equal_one_batch(family, L, ts, points, stderr, slice_entries, chunk_rows):
    """grid_rows_truth with tiny slices (a few rows, or one row, each) and zones in chunks of 1..7 rows gives every
    row's value, error, estimate and interval bit for bit as one batch of every row (the old route)."""
    curve = rows_partial_curve(L, [min(p, L - 1) for p in points] + [L], 2.0, stderr)
    profile = curve_profile(curve)
    samplers = [FAMILIES[family].build(L, [str(t)]) for t in ts]
    whole = grid_starts(samplers)
    if whole is None:
        return
    # one batch: the GridStarts of every row, its truth in one slice
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_grid_truth, "_SLICE", 1 << 40)
        reference = starts_rows_truth(profile, samplers, whole, curve, 3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_grid_truth, "_SLICE", slice_entries)
        patch.setattr(count_grid_starts, "_ROWS", chunk_rows)
        sliced = grid_rows_truth(profile, samplers, curve, 3)
        joined = grid_starts(samplers)
    assert _rows_bytes(sliced, samplers) == _rows_bytes(reference, samplers)
    # grid_starts joins the chunks into the one batch's arrays
    for key in ("bounds", "positions", "starts", "error"):
        assert getattr(joined, key).tobytes() == getattr(whole, key).tobytes()
    assert joined.rows == whole.rows and joined.interior == whole.interior and joined.absolute == whole.absolute


def test_slices_hold_at_most_their_entries():
    """_slices cuts the rows into consecutive ranges of at most _SLICE entries (a longer row alone), covering all."""
    from boundcalc.count_grid_truth import _slices

    sizes = np.array([5, 1, 7, 3, 3, 20, 2, 2, 2])
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_grid_truth, "_SLICE", 8)
        cut = _slices(bounds)
    assert cut == [(0, 2), (2, 3), (3, 5), (5, 6), (6, 9)]


def _old_search(lf, N, grids, q, m_a, ceiling, limit):
    """count_starts.interiors' search before round 11: every row's top bound at every step."""
    lo, hi = m_a.copy(), ceiling.copy()
    for _ in range(int(np.max(hi - lo, initial=0)).bit_length() + 1):
        mid = (lo + hi) // 2
        above = count_starts._top_logs(lf, N, grids, q, mid) > limit
        hi, lo = np.where(above & (lo < hi), mid, hi), np.where(~above & (lo < hi), mid + 1, lo)
    return lo


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(33, 5000), st.lists(st.integers(1, 20000), min_size=1,
       max_size=40), st.data())
def test_top_search_of_the_rows_still_searched_equals_every_row(family, L, ts, data):
    """_top_search (the bound of the rows still searched only) gives every row's result as the old search over
    every row at each step, on real grids with random orders, limits and ranges [lo, hi]."""
    samplers = [FAMILIES[family].build(L, [str(t)]) for t in ts]
    rows, grids = count_starts._grids(samplers)
    if not rows:
        return
    n = len(rows)
    N = L - 1
    lf, _ = samplers[0]._log_factorials()
    q = np.array([data.draw(st.sampled_from([x for x in count_starts._ORDERS if 2 * x <= N] or [8])) for _ in rows])
    lo = np.array([data.draw(st.integers(0, N // 2)) for _ in rows])
    hi = np.array([data.draw(st.integers(int(a), N)) for a in lo])
    hi = np.minimum(hi, N - q)  # where the top's terms are defined
    lo = np.minimum(lo, hi)
    limit = -np.array([data.draw(st.floats(1.0, 60.0)) for _ in rows])
    assert n == lo.size
    new = count_starts._top_search(lf, N, grids, q, lo, hi, limit)
    assert new.tobytes() == _old_search(lf, N, grids, q, lo, hi, limit).tobytes()


@settings(max_examples=200, deadline=None)
@given(st.integers(33, 10**6), st.integers(1, 10**6), st.integers(1, 10**7), st.integers(1, 10**5))
def test_grids_integers_equal_the_fraction_forms(L, a, total, n):
    """_grids' floats from the grid's integers equal the Fraction forms they replaced, bit for bit (logs of b and
    1 − b in lowest terms, |L(1 − b) − Lh/2| as float(Fraction))."""
    h = Fraction(a, total)
    if n * h >= 1:
        return
    grid = count_starts.UniformGrid(L, n, h)

    class Row:
        length = L
        __dict__: dict = {}

    row = Row()
    row.__dict__ = {"_uniform_grid": grid}
    _, found = count_starts._grids([row])
    b = n * h
    assert found["log_b"][0] == math.log(b.numerator) - math.log(b.denominator)
    assert found["log_1b"][0] == math.log((1 - b).numerator) - math.log((1 - b).denominator)
    assert found["weight"][0] == abs(float(L * (1 - b) - L * h / 2))
    assert found["log_h"][0] == math.log(h.numerator) - math.log(h.denominator)
    assert grid.b == b
