"""Issue 22, round 4: a sweep's random-count rows without the DPs where they cost too much.

The rows' values (forced onto the fast paths at small L) against the count DPs and the exact rationals,
computed independently: the expected error (the coefficient form) within its certified error, each bound's
E c(S_max) (enclosed by the laws of single steps) within its error of the exact law of S_max.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import boundcalc as bc
from boundcalc import count_rows, estimate
from boundcalc.bounds import count_bound_report, per_realisation_bounds
from boundcalc.curve import LossCurve
from boundcalc.errors import DomainError
from boundcalc.estimate import curve_profile
from boundcalc.profile import MIProfile
from boundcalc.step_families import family_sampler
from boundcalc.truth.samplers import count_error


def exact_error(sampler, d) -> Fraction:
    """E error = Σ_tokens E d(# others revealed before its step) - Σ d, in Fractions from the exact p_k."""
    L = sampler.length
    dd = [Fraction(x) for x in d]
    total, alive = Fraction(0), Fraction(1)
    for p in sampler.exact:
        r = 1 - alive
        total += L * alive * p * sum(dd[m] * comb(L - 1, m) * r**m * (1 - r) ** (L - 1 - m) for m in range(L))
        alive *= 1 - p
    return total - sum(dd)


@pytest.fixture
def fast(monkeypatch):
    """Every row on the fast paths: the bounds enclosed, the error by the coefficient form."""
    monkeypatch.setattr(count_rows, "EXACT_LAW_WORK", 0)
    monkeypatch.setattr(estimate, "COEFFICIENT_FORM_WORK", 0)


curves = st.builds(
    lambda L, ks, top: LossCurve(length=L, masked=sorted(ks), loss=[top * k / L + 0.1 for k in sorted(ks)]),
    st.integers(5, 10), st.sets(st.integers(1, 5), min_size=2, max_size=4), st.floats(0.5, 4.0))


@settings(max_examples=15, deadline=None)
@given(curve=curves, family=st.sampled_from(["mdlm", "sedd", "dream-origin", "mdlm:cosine"]),
       picks=st.lists(st.integers(1, 10), min_size=1, max_size=4, unique=True))
def test_fast_count_rows_equal_the_dps_within_their_errors(curve, family, picks):
    grid = sorted({min(t, curve.length) for t in picks})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(count_rows, "EXACT_LAW_WORK", 0)
        patch.setattr(estimate, "COEFFICIENT_FORM_WORK", 0)
        fast = bc.sweep(curve, [family], ",".join(map(str, grid)))
    exact = bc.sweep(curve, [family], ",".join(map(str, grid)))  # the DPs (cheap at this L)
    profile = curve_profile(curve)
    for row, dp_row in zip(fast.rows, exact.rows):
        sampler = family_sampler(family, row.steps, curve.length)
        value, error = count_error(profile, sampler)  # the count DP, independently of the row
        assert abs(row.error - value) <= row.error_abs + error
        assert abs(row.error - dp_row.error) <= row.error_abs + dp_row.error_abs
        if sampler.exact is not None:
            assert abs(row.error - float(exact_error(sampler, profile.conditional))) <= row.error_abs + 1e-15
        report = count_bound_report(MIProfile.from_total(fast.mi_total, curve.length), sampler)
        for name in per_realisation_bounds():  # each enclosure holds the value of the exact law of S_max
            assert abs(row.bounds[name] - report.values[name]) <= row.bound_errors[name] + 1e-12
            assert abs(dp_row.bounds[name] - report.values[name]) <= dp_row.bound_errors[name] + 1e-12
        mean, spread = row.stats["expected_s_max"]
        assert abs(mean - report.expected_max[0]) <= spread + report.expected_max[1]
        assert row.intervals.keys() == dp_row.intervals.keys()
        for key, (lo, hi) in row.intervals.items():  # the error's from the same coefficients; a bound's ends
            # a bound's end is c·ΣI_end/L (ε_train = 0 here) with c within its error: the bound's error scaled by
            # ΣI_end/ΣI = end/bound (was end/ΣI, too small where the bound is below ΣI: mdlm L = 5, T = 2)
            slack = 1e-9 if key == "error" else row.bound_errors[key] * max(1.0, hi / row.bounds[key]) + 1e-9
            assert lo == pytest.approx(dp_row.intervals[key][0], abs=slack)  # are eps + c·ΣI's ends, c enclosed
            assert hi == pytest.approx(dp_row.intervals[key][1], abs=slack)


def test_small_sweeps_keep_the_exact_law(monkeypatch):
    r = bc.sweep(MIProfile.from_total(3, 16), ["mdlm", "dream-origin"], "1,4,9")
    for row in r.rows:
        report = count_bound_report(MIProfile.from_total(3, 16), family_sampler(row.family, row.steps, 16))
        assert dict(row.bounds) == {name: report.values.get(name) for name in row.bounds}


def test_the_enclosure_is_narrow_where_the_law_of_single_steps_is_sharp(fast):
    r = bc.sweep(MIProfile.from_total(10, 256), ["mdlm"], "1,256")
    first, last = r.rows
    assert first.bound_errors["theorem1"] < 1e-9  # one step reveals nearly everything: S_max is nearly L
    assert 0 < last.bound_errors["sharp"] < 0.05 * last.bounds["sharp"]  # wider, never a point


def test_a_count_sweep_too_large_is_refused_before_any_sampler_is_built(monkeypatch):
    """mdlm at every T to L = 16384 is estimated at a few seconds now (count_grid_truth: the grid rows' truth at
    once), so it answers; with a limit below its estimate it is refused before any sampler is built."""
    from boundcalc.count_flow import count_rows_seconds
    from boundcalc.sweeps import parse_family

    seconds = count_rows_seconds([parse_family("mdlm")], list(range(1, 16385)), 16384, True)
    assert 1 < seconds < 30  # answered (the limit is 120 s); the model: benchmarks/bench_grid_rows.py
    built = []
    monkeypatch.setattr("boundcalc.count_flow.row_sampler", lambda *a: built.append(a))
    monkeypatch.setattr("boundcalc.sweeps.MAX_SWEEP_SECONDS", seconds / 2)
    curve = LossCurve(length=16384, masked=[1024 * j for j in range(1, 17)], loss=[0.5 + 6 * j / 16 for j in range(1, 17)])
    with pytest.raises(DomainError, match="would take") as info:
        bc.sweep(curve, ["mdlm"], "1:16384")
    assert info.value.param == "steps" and not built


def per_step_start_sizes(sampler):  # -> numpy array
    """E[size of the step starting at m] summed step by step over every m = 0..L-1 (no window, no blocks, no
    scatter): L·p_k·C(L-1, m) r_k^m a_k^(L-m) with each log binomial coefficient from math.lgamma."""
    import math

    import numpy as np

    L = sampler.length
    before, alive, _ = sampler._start_laws()
    m = np.arange(L)
    log_binom = np.array([math.lgamma(L) - math.lgamma(j + 1) - math.lgamma(L - j) for j in range(L)])
    out = np.zeros(L)
    for r, a, p in zip(before.tolist(), alive.tolist(), sampler.reveal):
        if p <= 0 or a <= 0:
            continue
        if r <= 0:
            out[0] += L * p
            continue
        out += np.exp(math.log(L * p) + log_binom + m * math.log(r) + (L - m) * math.log(a))
    return out


@settings(max_examples=12, deadline=None)
@given(family=st.sampled_from(["mdlm", "sedd", "dream-origin", "mdlm:cosine"]), L=st.integers(150, 420),
       fraction=st.floats(0.05, 1.0), slopes=st.lists(st.floats(0.0, 3.0), min_size=3, max_size=6))
def test_batched_start_sizes_equal_the_per_step_sum(family, L, fraction, slopes):
    """The batched coefficient vector (windows of ±(40 + 12 sd) per block of 128 steps, one scatter-add per block;
    several blocks and shared window starts at these T) against the plain per-step sum over every m, entry by
    entry within start_sizes_error; and the expected error on a random curve within the coefficient form's
    certified error plus the reference's rounding."""
    import numpy as np

    steps = max(1, int(fraction * L))
    sampler = count_rows.row_sampler(_template(family), steps, L)
    fast = np.asarray(sampler.expected_start_sizes())
    slow = per_step_start_sizes(sampler)
    tolerance = (sampler.start_sizes_error() + 1e-12) * np.abs(slow) + 1e-25
    assert np.all(np.abs(fast - slow) <= tolerance)
    knots = np.linspace(1, L, len(slopes) + 1).astype(int)
    loss = np.cumsum([0.1] + slopes)  # non-decreasing loss at the knots: a valid random curve
    curve = LossCurve(length=L, masked=sorted(set(knots.tolist())), loss=loss[: len(set(knots.tolist()))].tolist())
    profile = curve_profile(curve)
    value, error = estimate.coefficient_error(profile, sampler)
    reference = float(slow @ profile.conditional) - float(np.sum(profile.conditional))
    assert value == pytest.approx(reference, abs=error + 1e-11 * float(np.sum(np.abs(profile.conditional))) * L)


def _template(family: str):
    from boundcalc.registry import SamplerSpec
    from boundcalc.sweeps import parse_family

    spec = parse_family(family)
    return SamplerSpec(spec.family, spec.parts[1:], spec.label)
