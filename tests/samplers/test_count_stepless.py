"""The policy of the rows of MDLM's other noises that take the T-independent forms (boundcalc.count_stepless):
only at L > 4096, only rows certified to 10⁻⁴ of their value, each within the direct batch's value and error, and
the estimate's decision the flow's."""

from __future__ import annotations

import numpy as np
import pytest

import boundcalc as bc
from boundcalc import count_stepless
from boundcalc.count_noise_truth import noise_rows_truth
from boundcalc.curve import LossCurve
from boundcalc.estimate import curve_profile

L = 8192


def _curve(length: int, points: int = 16) -> LossCurve:
    """The benchmarks' curve, measured at ``points`` masked counts (at every k when ``points`` is L: no gaps)."""
    k = [length * j // points for j in range(1, points + 1)]
    return LossCurve(length=length, masked=k, loss=[0.5 + 6.0 * x / length for x in k], exact=False)


def test_no_row_takes_the_forms_at_l_4096_or_below():
    curve = _curve(4096)
    r = bc.sweep(curve, ["mdlm:cosine2"], "4096")
    assert count_stepless.expanded_truth(curve_profile(curve), [r.rows[0].schedule], curve) == {}
    assert not count_stepless.expanded_steps("cosine2", curve_profile(curve).conditional, [4096]).any()


def test_a_partial_curve_takes_the_forms_where_its_interval_is_sure():
    """On a curve with gaps a row takes the forms only where the interval's outer and inner brackets agree within
    10⁻⁴ of the value (count_noise_completions): at L = 8192 on the 16-point curve cosine2 from T ≈ 5000 on, none of
    linear's; the estimate decides the same; each taken row's printed interval (the outer bracket) holds the direct
    batch's and is at most 10⁻⁴ of the value wider at each end."""
    curve = _curve(L)
    profile = curve_profile(curve)
    assert count_stepless.needs_intervals(curve) and not count_stepless.needs_intervals(_curve(L, L))
    grid = [100, 3000, 8192, 12000]
    source = count_stepless.stepless_source(profile.conditional, curve)
    assert isinstance(source, count_stepless.CompletedSource)
    assert count_stepless.stepless_source(profile.conditional, _curve(L, L)) is profile.conditional
    for noise, expected in (("cosine2", [False, False, True, True]), ("linear", [False] * 4)):
        samplers = [bc.parse_spec(f"mdlm:{T}:{noise}").build(L) for T in grid]
        found = count_stepless.expanded_truth(profile, samplers, curve)
        assert [id(s) in found for s in samplers] == expected
        assert count_stepless.expanded_steps(noise, source, grid).tolist() == expected
        direct = noise_rows_truth(profile, samplers, curve)
        for sampler in samplers:
            if id(sampler) not in found:
                continue
            row, exact = found[id(sampler)], direct[id(sampler)]
            (a, b), (lo, hi) = row.interval, exact.interval
            room = 1e-4 * row.value
            assert a <= lo + 1e-9 and hi <= b + 1e-9 and lo - a <= room and b - hi <= room


def test_the_rows_the_forms_take_hold_within_the_direct_batch(monkeypatch):
    """At L = 8192 on a curve measured at every k: the large T take the forms (certified to 10⁻⁴), the small T the
    direct batch; each form's value is within its error plus the direct batch's of the direct value, and the
    estimate decides as the flow did."""
    curve = _curve(L, L)
    profile = curve_profile(curve)
    grid = [20, 3000, 8192]  # the forms from T = 37 on here (round 10; T = 229 before)
    taken = count_stepless.expanded_steps("cosine2", profile.conditional, grid)
    assert taken.tolist() == [False, True, True]
    seen = {}
    real = count_stepless.expanded_truth

    def recording(profile, samplers, curve=None, vocab_size=None):
        found = real(profile, samplers, curve, vocab_size)
        seen.update({s.steps: (s, found.get(id(s))) for s in samplers})
        return found

    monkeypatch.setattr(count_stepless, "expanded_truth", recording)
    r = bc.sweep(curve, ["mdlm:cosine2"], grid)
    assert [t for t in grid if seen[t][1] is not None] == [3000, 8192]
    direct = noise_rows_truth(profile, [seen[t][0] for t in grid], curve)
    for row in r.rows:
        sampler, form = seen[row.steps]
        exact = direct[id(sampler)]
        if form is None:
            assert (row.error, row.error_abs) == (exact.value, exact.error)  # nats: the sweep's unit
            continue
        assert form.error <= 1e-4 * abs(form.value) and row.error_abs == pytest.approx(form.error)
        assert abs(form.value - exact.value) <= form.error + exact.error and "error" not in row.intervals
    assert np.isfinite([row.error for row in r.rows]).all()


def test_the_bounds_of_the_rows_the_bins_take_overlap_the_flat_rows():
    """At L = 8192 a row with T above a few percent of L takes its bounds from bins of steps (whatever the curve), each
    E c(S_max) within its certified error plus the flat rows' of theirs; below L = 4097 the bins take none."""
    from fractions import Fraction

    from boundcalc import count_rows
    from boundcalc.bounds import per_realisation_bounds
    from boundcalc.count_flat_rows import flat_bound_reports
    from boundcalc.profile import MIProfile

    r = bc.sweep(_curve(L), ["mdlm:linear"], [20, 4000, 8192])
    assert count_stepless.binned_steps("linear", L, [20, 4000, 8192]).tolist() == [False, True, True]
    assert not count_stepless.binned_steps("linear", 4096, [4096]).any()
    samplers = [row.schedule for row in r.rows]
    profile, names = MIProfile.from_total(10, L), per_realisation_bounds()
    binned = count_stepless.binned_reports(profile, samplers, Fraction(0), names, count_rows._values)
    flat = flat_bound_reports(profile, samplers, Fraction(0), names, count_rows._values, lambda s: True)
    assert binned[0] is None and None not in binned[1:]
    for a, b in zip(binned[1:], flat[1:]):
        for name in names:
            (x, e), (y, f) = a.coefficients[name], b.coefficients[name]
            assert abs(x - y) <= e + f and 0 < e < 0.05 * x
    assert count_stepless.binned_reports(MIProfile.from_total(10, 4096), samplers, Fraction(0), names,
                                         count_rows._values) == [None] * 3
