"""Round 10 (issue 22): the bins' bounds computed faster, the same floats (boundcalc.count_noise_bins).

_bin_bounds now runs its formulas in place (fmin/fmax for the NaN guards) and takes blocks of several tops in one
call (each bin its own top: its laws cut there, its θ and sums for it); _group_brackets merges the blocks of many
sets of rows. Checked bit for bit: _bin_bounds against the round-9 code kept here as the reference, on random bins
and tops; a merged call against one call per top; _group_brackets against _row_brackets per set; noise_bin_bounds
with the merging against the same without it (every block alone), for each noise.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import count_noise_bins as cb
from boundcalc.count_grid_rows import CoefficientSteps
from boundcalc.count_noise import NOISE_LAWS
from boundcalc.count_rows import _values

NOISES = ["cosine", "cosine2", "linear", "geometric"]
_EPS = 2.0**-53


def _reference_bin_bounds(length, bins, index, top):
    """count_noise_bins._bin_bounds as of round 9 (e91d636), verbatim but for the name."""
    L, n = length, bins.count[index]
    low, c, high = bins.low[index], bins.centre[index], bins.high[index]
    shift, spread = bins.shift[index], bins.spread[index]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.where(c > 0, high / c * (1 + 2 * _EPS), np.inf)
        below = np.exp(L * np.log1p((c - low) / (1 - c)) * (1 + 16 * _EPS) + 16 * _EPS)
    laws, theta, powers = cb._laws(L, c, top, growth)
    j = np.arange(top, dtype=np.float64)[:, None]
    mode_first, mode_second = cb._mode_table(L, top)
    with np.errstate(invalid="ignore", over="ignore"):
        move = np.maximum(powers[:-1] * (1 + 2 * (j + 2) * _EPS), below) * (1 + theta + 16 * _EPS)
        first_sup = (j + 1) * laws[1:] / c * move
        second_sup = first_sup * (L - 1 - j) / (1 - c)
    first_sup = np.minimum(np.where(np.isnan(first_sup), np.inf, first_sup), mode_first[:top, None]) + 2.0**-990
    second_sup = np.minimum(np.where(np.isnan(second_sup), np.inf, second_sup), mode_second[:top, None]) + 2.0**-990
    sums = (top + 4) * _EPS
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slope = first_sup[1:]
        bend = np.maximum(second_sup[:-1], second_sup[1:])
        rest = (n * shift) * slope + (0.5 * (spread + n * shift * shift)) * bend
        rest = np.where(np.isnan(rest), np.inf, rest) * (1 + 64 * _EPS)
        centred = cb._survivals(laws)
        up = centred * (1 + theta + sums)
        down = centred * (1 - theta - sums)
        upper = np.minimum(n * (up + (high - c) * slope * (1 + 8 * _EPS)), n * up + rest)
        near = np.clip(down - (c - low) * slope * (1 + 8 * _EPS), 0.0, 1.0)
        first = -np.log1p(-near) * (n * (1 - 64 * _EPS))
        lower = np.maximum(first, n * down - rest)
    lower = np.where(np.isnan(lower), 0.0, np.maximum(lower, 0.0))
    return upper * (1 + 4 * _EPS), lower


def _rows_bins(noise, length, steps):
    T = np.asarray(steps, dtype=np.int64)
    law = NOISE_LAWS[noise]
    return cb.noise_bins(law, T, cb.row_bins(law, length, T))


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("length", [300, 5000])
def test_bin_bounds_are_round_nines_floats(noise, length):
    """Every bin of rows T = 20..L/4 (and all of a small L), tops from 2 to 60: the same floats, NaN and inf
    where round 9 had them (bins whose laws underflow, entries past a mode)."""
    rng = np.random.default_rng(length)
    found = _rows_bins(noise, length, range(20, max(21, length // 4), max(1, length // 97)))
    for top in (2, 3, 17, 60):
        index = np.sort(rng.choice(found.count.size, size=min(400, found.count.size), replace=False))
        new = cb._bin_bounds(length, found, index, top)
        old = _reference_bin_bounds(length, found, index, top)
        for a, b in zip(new, old):
            assert a.tobytes() == b.tobytes(), (noise, length, top)


@pytest.mark.parametrize("noise", NOISES)
def test_a_call_of_several_tops_is_one_call_per_top(noise):
    """Bins with their own tops in one call: each bin's rows below its top are the floats of a call with that top."""
    length = 2000
    found = _rows_bins(noise, length, [40, 41, 300, 1999])
    rng = np.random.default_rng(7)
    index = rng.permutation(found.count.size)[:120]
    tops = rng.integers(2, 40, size=index.size)
    top = int(tops.max())
    up, down = cb._bin_bounds(length, found, index, top, tops)
    for t in np.unique(tops).tolist():
        at = np.flatnonzero(tops == t)
        own_up, own_down = cb._bin_bounds(length, found, index[at], t)
        assert up[: t - 1, at].tobytes() == own_up.tobytes()
        assert down[: t - 1, at].tobytes() == own_down.tobytes()


@pytest.mark.parametrize("noise", NOISES)
def test_group_brackets_are_each_sets_own(noise):
    """_group_brackets over several sets of rows (their blocks merged) equals _row_brackets of each set alone."""
    length = 6000
    T = np.arange(30, length + 1, 37)
    law = NOISE_LAWS[noise]
    found = cb.noise_bins(law, T, cb.row_bins(law, length, T))
    caps, far, bin_caps = cb._caps(length, found, T)
    taken = np.flatnonzero(cb.binned_rows_needed(noise, length, T))
    sets = np.array_split(taken, 7)
    merged = cb._group_brackets(length, found, sets, [caps[s] for s in sets], [far[s] for s in sets], bin_caps)
    for rows, brackets in zip(sets, merged):
        alone = cb._row_brackets(length, found, rows, caps[rows], far[rows], bin_caps)
        for a, b in zip(brackets, alone):
            assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("noise", NOISES)
def test_noise_bin_bounds_with_and_without_merging(noise, monkeypatch):
    """Every row T = 1..L at L = 4500: the same floats with the blocks merged and with every block alone."""
    length = 4500
    coefficients = CoefficientSteps([_values(n, length) for n in ("theorem1", "sharp")] + [_values("", length)])
    steps = list(range(1, length + 1, 3))
    merged = cb.noise_bin_bounds(noise, length, steps, coefficients)
    monkeypatch.setattr(cb, "_MERGED_ENTRIES", 0)
    alone = cb.noise_bin_bounds(noise, length, steps, coefficients)
    for field in ("taken", "values", "errors", "nonempty", "nonempty_error", "caps"):
        assert getattr(merged, field).tobytes() == getattr(alone, field).tobytes(), field


def test_the_coefficients_are_made_once_per_sweep():
    """binned_bound_reports asks values(name, L) once per bound however many times it is called."""
    from fractions import Fraction

    from boundcalc.profile import MIProfile

    calls = []

    def values(name, L):
        calls.append(name)
        return _values(name, L)

    class Row:
        family = "mdlm"

        def __init__(self, T, L):
            self.name, self.steps, self.length = f"mdlm:{T}:cosine", T, L

    L = 4200
    profile = MIProfile.constant("0.01", length=L)
    for T in (3000, 3100):
        cb.binned_bound_reports(profile, [Row(T, L)], Fraction(0), ["theorem1"], values)
    assert sorted(calls) == ["", "theorem1"]


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(NOISES), st.integers(4097, 9000), st.lists(st.integers(0, 10**6), min_size=1, max_size=4))
def test_bulk_saturated_sizes_hold_the_direct_laws(noise, length, picks):
    """Round 12, L > 4096: below each row's first unsaturated size from Chernoff's lower tail (_bulk_starts) the
    direct laws of the sampler's own marginals give Σ_k −log P(Bin(L, π_k) <= s) >= 64 (scipy's logcdf, so
    P(S_max > s) >= 1 − e^−64 and (1 − 8ε, 1) brackets it); every bracket lies inside the one with every size
    computed (no size saturated), and is that one's float from the first unsaturated size on."""
    from scipy.stats import binom

    from boundcalc.count_sampler import CountSampler

    law = NOISE_LAWS[noise]
    T = np.unique([1 + p % length for p in picks] + [length // 16, length]).astype(np.int64)
    T = T[cb.binned_rows_needed(noise, length, T)]
    found = cb.noise_bins(law, T, cb.row_bins(law, length, T))
    caps, far, bin_caps = cb._caps(length, found, T)
    rows = np.arange(T.size)
    width = max(int(min(caps.max(), length)) - 1, 1)
    first = cb._bulk_starts(length, found, [rows], [(np.diff(found.offsets), None, None)], [width])[0]
    bulk = cb._row_brackets(length, found, rows, caps, far, bin_caps)
    saturated, cb._SATURATED = cb._SATURATED, float("inf")  # no size saturated
    try:
        every = cb._row_brackets(length, found, rows, caps, far, bin_caps)
    finally:
        cb._SATURATED = saturated
    assert first[T == length // 16][0] > 2  # not vacuous: a row with saturated sizes
    for i, steps in enumerate(T.tolist()):
        closed = int(first[i]) - 1  # s = 1..closed saturated
        if closed:
            x = np.array(CountSampler.mdlm(length, steps, noise).marginals())
            s = np.arange(1, closed + 1)[:, None]
            assert np.all(-binom.logcdf(s, length, x[None, :]).sum(axis=1) >= 64 * (1 - 1e-6)), (noise, steps)
        lower, upper, err = (a[i] for a in bulk)
        low, high, e = (a[i] for a in every)
        assert np.all(lower >= low) and np.all(upper <= high) and np.all(err <= e)
        for a, b in ((lower, low), (upper, high), (err, e)):
            assert a[closed:].tobytes() == b[closed:].tobytes()
