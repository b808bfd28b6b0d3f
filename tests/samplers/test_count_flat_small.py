"""Issue 22, round 12: the same floats with less work in a sweep's noise rows at L = 1024.

* count_flat_rows._survival_sums computes log(1 − σ_k(s)) only for the rows of s where some σ_k(s) > 2^-54 (above
  them every 1 − σ_k(s) rounds to 1, its log is 0): both sums against the old route (every row of s), bit for bit,
  on random laws and on adversarial ones whose survival sums straddle 2^-54 (and 2^-53), NaN and inf included;
  the bisection against a scan.
* count_noise_starts.running_laws hands the last rows' laws out again for the very same read-only arrays, and
  recomputes them for any other (a copy of equal values, writable arrays): against a fresh computation.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import count_flat_rows as flat
from boundcalc import count_noise_starts as starts
from boundcalc.count_flat import FlatSteps, flat_steps
from boundcalc.registry import SamplerSpec
from boundcalc.sweeps import parse_family


def _old_survival_sums(length, x, comps, index, row_of, top, total, keep):
    """count_flat_rows._survival_sums before round 12 (every row of s through the log), the reference."""
    if top < 2 or not index.size:
        return
    laws = np.empty((top + 1, index.size))
    flat._laws_by_recurrence(length, x[index], comps[index], top, laws)
    surv = laws[2:]
    for s in range(top - 3, -1, -1):
        surv[s] += surv[s + 1]
    heads = np.flatnonzero(np.diff(row_of, prepend=-1))
    owners = row_of[heads]
    total[owners, : top - 1] += np.add.reduceat(surv, heads, axis=1).T
    np.subtract(1.0, surv, out=surv)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log(surv, out=surv)
        keep[owners, : top - 1] += np.add.reduceat(surv, heads, axis=1).T


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (NaN where NaN, the sign of a zero too)."""
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def _both(length, x, comps, row_of, top, rows, width, start=None):
    index = np.arange(x.size)
    out = []
    for route in (_old_survival_sums, flat._survival_sums):
        total = np.zeros((rows, width)) if start is None else start[0].copy()
        keep = np.zeros((rows, width)) if start is None else start[1].copy()
        with np.errstate(all="ignore"):
            route(length, x, comps, index, row_of, top, total, keep)
        out.append((total, keep))
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 400), st.integers(2, 60), st.lists(st.integers(1, 40), min_size=1, max_size=5), st.data())
def test_survival_sums_are_the_old_routes_bit_for_bit(length, top, sizes, data):
    """Random marginals (tiny to near 1, some exactly 0) in rows of random lengths: total and keep unchanged."""
    n = sum(sizes)
    exponents = data.draw(st.lists(st.floats(-40, 0), min_size=n, max_size=n))
    x = np.array([0.0 if e < -39 else 10.0**e * 0.999 for e in exponents])
    comps = 1.0 - x
    row_of = np.repeat(np.arange(len(sizes)), sizes)
    width = top + data.draw(st.integers(0, 3))
    (old_total, old_keep), (new_total, new_keep) = _both(length, x, comps, row_of, top, len(sizes), width)
    assert _same(old_total, new_total) and _same(old_keep, new_keep)


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 40), st.lists(st.sampled_from([-1, 0, 1]), min_size=1, max_size=12), st.data())
def test_survival_sums_straddling_the_rounding_to_one(top, shifts, data):
    """Adversarial laws: steps whose σ(s) crosses 2^-54 and 2^-53 (the floats next to them too) at random s, so
    the last row of s with an entry that rounds below 1 sits anywhere, plus keep's running sums already -inf/NaN."""
    length = 10_000
    n = len(shifts)
    # P(Bin(L, π) = 2) ~ (Lπ)²/2: π near sqrt(2·2^-54)/L puts σ(0) near 2^-54; the shift moves it an ulp-ish
    base = np.sqrt(2 * 2.0**-54) / length
    scale = data.draw(st.lists(st.sampled_from([0.25, 0.5, 1.0, 1.0 + 2.0**-40, 1.4142135623730951, 2.0, 4.0]),
                               min_size=n, max_size=n))
    x = np.array([base * s * (1 + 2.0**-50 * d) for s, d in zip(scale, shifts)])
    comps = 1.0 - x
    row_of = np.sort(np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))))
    start = np.zeros((3, top)), np.zeros((3, top))
    start[1][0, :] = data.draw(st.sampled_from([0.0, -np.inf, np.nan, -1.0]))
    (old_total, old_keep), (new_total, new_keep) = _both(length, x, comps, row_of, top, 3, top, start)
    assert _same(old_total, new_total) and _same(old_keep, new_keep)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 30), st.integers(1, 6), st.data())
def test_rows_below_one_by_bisection_equal_a_scan(rows, columns, data):
    """The bisection's count of leading rows with an entry above 2^-54 (or NaN) equals a scan's, on matrices
    non-increasing down each column (as survival sums are), with values at, next to and around 2^-54."""
    near = [0.0, 2.0**-54, np.nextafter(2.0**-54, 1), np.nextafter(2.0**-54, 0), 2.0**-53, 1e-3, 1.0]
    columns_ = [sorted(data.draw(st.lists(st.sampled_from(near), min_size=rows, max_size=rows)), reverse=True)
                for _ in range(columns)]
    surv = np.array(columns_, dtype=np.float64).T.reshape(rows, columns)
    if rows and data.draw(st.booleans()):  # NaN propagates from a row to every row above it (smaller s)
        at = data.draw(st.integers(0, rows - 1))
        surv[: at + 1, 0] = np.nan
    above = [bool(np.any(~(row <= 2.0**-54))) for row in surv]
    expected = max((i + 1 for i, a in enumerate(above) if a), default=0)
    assert flat._rounding_below_one(surv) == expected


def test_survival_sums_on_a_sweeps_noise_rows_are_the_old_routes():
    """Every block of a sweep's rows at L = 1024 (MDLM's cosine, T = 1..64 and a few large T): the same floats."""
    spec = parse_family("mdlm:cosine")
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    rows = [template.at(t).build(1024) for t in [*range(1, 65), 300, 700, 1024]]
    steps = flat_steps(rows)
    x, comps = flat.flat_marginals(steps)
    for i in range(len(rows)):
        lo, hi = int(steps.offsets[i]), int(steps.offsets[i + 1])
        row_of = np.zeros(hi - lo, dtype=np.int64)
        top = 60
        (old_total, old_keep), (new_total, new_keep) = _both(1024, x[lo:hi], comps[lo:hi], row_of, top, 1, top)
        assert _same(old_total, new_total) and _same(old_keep, new_keep)


def _noise_steps(T: int) -> FlatSteps:
    spec = parse_family("mdlm:linear")
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    return flat_steps([template.at(t).build(64) for t in (T, T + 3)])


def test_running_laws_are_handed_out_again_only_for_the_same_read_only_arrays():
    """The second call with the very arrays returns the same laws; a copy of equal values, writable arrays or
    other rows are computed afresh (and equal a fresh computation); the laws are read-only."""
    starts.forget_running_laws()
    steps = FlatSteps(*(np.array(a) for a in (_noise_steps(5).offsets, _noise_steps(5).reveal, _noise_steps(5).keep)))
    for array in (steps.offsets, steps.reveal, steps.keep):
        array.flags.writeable = False
    first = starts.running_laws(steps)
    assert all(not a.flags.writeable for a in first)
    again = starts.running_laws(steps)
    assert again[0] is first[0] and again[1] is first[1]
    fresh = starts._running_laws(steps)
    assert all(_same(a, b) for a, b in zip(first, fresh))
    copy = FlatSteps(steps.offsets.copy(), steps.reveal.copy(), steps.keep.copy())  # equal values, writable
    other = starts.running_laws(copy)
    assert other[0] is not first[0] and all(_same(a, b) for a, b in zip(other, fresh))
    assert starts.running_laws(copy)[0] is not other[0]  # writable arrays are never kept
    different = _noise_steps(9)
    laws = starts.running_laws(different)
    assert all(_same(a, b) for a, b in zip(laws, starts._running_laws(different)))
    starts.forget_running_laws()
    assert starts.running_laws(steps)[0] is not first[0]
    starts.forget_running_laws()


def test_marginals_leave_the_kept_laws_untouched():
    """flat_marginals reads the kept laws without writing them: the laws after it equal a fresh computation."""
    starts.forget_running_laws()
    steps = _noise_steps(7)
    x, comps = flat.flat_marginals(steps)
    kept = starts.running_laws(steps)
    assert all(_same(a, b) for a, b in zip(kept, starts._running_laws(steps)))
    before, alive = starts._running_laws(steps)
    assert _same(x, alive * steps.reveal) and _same(comps, alive * steps.keep + before)
    starts.forget_running_laws()
