"""The fixed families' T range over a partial curve's completions from step starts (completion_scan, step_starts):
the starts against the exact builders, each interval against completion_interval of the schedule's coefficients,
and the range against the scan of every T with a Schedule each (the old path, kept as the reference here)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from boundcalc import completion
from boundcalc.completion_scan import CompletionEnds
from boundcalc.curve import LossCurve
from boundcalc.estimate import info_optimal_schedule, schedule_coefficients
from boundcalc.family_sizes import family_sizes
from boundcalc.schedule import parse_schedule
from boundcalc.step_families import family_schedule, searched_family
from boundcalc.step_starts import starts_scanner

FIXED = ["uniform", "linear", "power:2", "power:1/2", "dream", "dream:1/10", "cosine", "cosine-mdlm", "info-optimal"]


@st.composite
def partial_curves(draw, longest: int = 40, points: int = 1):
    L = draw(st.integers(2, longest))
    ks = sorted(draw(st.sets(st.integers(1, L), min_size=points, max_size=min(L, 6))))
    losses = sorted(draw(st.lists(st.floats(0.0, 4.0, allow_subnormal=False), min_size=len(ks), max_size=len(ks))))
    return LossCurve(length=L, masked=ks, loss=losses)


def _old_range(family, target, first, curve, vocab, top):
    """The scan of every T, each T's Schedule and coefficients (completion._first_reaching: the path before)."""
    budget = [completion.MAX_RANGE_WORK]
    low = completion._first_reaching(family, range(1, first), curve, vocab, target, 0, budget)
    return ((first if low is None else low),
            completion._first_reaching(family, range(first, top + 1), curve, vocab, target, 1, budget))


@settings(max_examples=40, deadline=None)
@given(family=st.sampled_from(FIXED[:-1]), L=st.integers(1, 300), data=st.data())
def test_the_starts_are_the_exact_builders_sizes(family, L, data):
    spec = searched_family(family)
    steps = data.draw(st.lists(st.integers(1, L + 2), min_size=1, max_size=12))
    for T, starts in starts_scanner(spec, L)(steps):
        try:
            built = parse_schedule(spec.at(T), L, param="family")
        except Exception:  # noqa: BLE001 - no T-step schedule of this family at L
            built = None
        if built is None:
            assert starts is None and family_sizes(spec.family.name, list(spec.given_args), L, T) is None
        else:
            assert starts is not None and starts[0] == 0 and starts[-1] == L
            assert tuple(np.diff(starts).tolist()) == built.sizes


@settings(max_examples=20, deadline=None)
@given(curve=partial_curves(60))
def test_info_optimal_starts_are_its_schedules(curve):
    d = curve.conditional("linear")
    for T, starts in starts_scanner(searched_family("info-optimal"), curve.length, d)(range(1, curve.length + 1)):
        assert tuple(np.diff(starts).tolist()) == info_optimal_schedule(curve, T).sizes


@settings(max_examples=60, deadline=None)
@given(curve=partial_curves(), family=st.sampled_from(FIXED), vocab=st.sampled_from([None, 2, 50]), data=st.data())
def test_each_interval_is_completion_interval_of_the_coefficients_within_its_margin(curve, family, vocab, data):
    L = curve.length
    T = data.draw(st.integers(1, L))
    try:
        sched = family_schedule(family, T, L, curve)
    except Exception:  # noqa: BLE001 - no T-step schedule at this L
        return
    expected = completion.completion_interval(curve, schedule_coefficients(sched, L), vocab)
    d = curve.conditional("linear")
    measured = sorted(set((L - curve.masked).tolist()))
    ends = CompletionEnds(L, completion._gaps(curve, vocab), measured, [float(d[m]) for m in measured])
    starts = np.concatenate(([0], np.cumsum(sched.sizes))).astype(np.int64)
    low, high, margin = ends.ends(starts)
    assert 0 < margin < 1e-9 * (1 + L * float(d[0]) * 20 + (0 if vocab is None else L * math.log(vocab)))
    for got, want in ((low, expected[0]), (high, expected[1])):
        assert got == want or abs(got - want) <= margin  # ∞ == ∞ when d has no upper limit


@settings(max_examples=60, deadline=None)
@given(curve=partial_curves(), family=st.sampled_from(FIXED), vocab=st.sampled_from([None, 3, 50]),
       where=st.floats(0.0, 1.0), tie=st.booleans(), data=st.data())
def test_the_t_range_equals_the_scan_of_every_t_with_its_schedule(curve, family, vocab, where, tie, data):
    """T_lo and T_hi as before, for targets anywhere and for targets equal to an end at some T (a tie: the
    margin leaves that T to completion_interval's own decision)."""
    L = curve.length
    ends = {}
    for T in range(1, L + 1):
        try:
            c = schedule_coefficients(family_schedule(family, T, L, curve), L)
        except Exception:  # noqa: BLE001
            continue
        ends[T] = completion.completion_interval(curve, c, vocab)
    finite = [x for pair in ends.values() for x in pair if math.isfinite(x)]
    assume(finite)
    if tie:
        T = data.draw(st.sampled_from(sorted(ends)))
        target = ends[T][data.draw(st.integers(0, 1))]
        assume(math.isfinite(target))
    else:
        target = min(finite) + where * (max(finite) - min(finite))
    first = data.draw(st.integers(1, L))
    assert completion.steps_range(family, target, first, curve, vocab, L) == _old_range(family, target, first, curve,
                                                                                        vocab, L)


@pytest.mark.parametrize("family", FIXED)
def test_a_curve_measured_at_both_ends_and_a_full_curve_give_the_old_range(family):
    """Gaps only between measured points (no end unmeasured), and a curve measured at every k (no gaps)."""
    L = 48
    rng = np.random.default_rng(7)
    ends_measured = LossCurve(length=L, masked=[1, 9, 20, 33, 48], loss=sorted(rng.uniform(0.1, 3, 5)))
    full = LossCurve(length=L, masked=list(range(1, L + 1)), loss=sorted(rng.uniform(0.1, 3, L)))
    for curve in (ends_measured, full):
        for target in (0.05, 0.5, 2.0):
            for first in (1, 7, 30):
                assert completion.steps_range(family, target, first, curve, None, L) == _old_range(
                    family, target, first, curve, None, L)


def test_the_scan_is_used_for_fixed_families_and_not_for_others():
    curve = LossCurve(length=32, masked=[4, 16, 32], loss=[0.5, 1.0, 2.0])
    budget = [completion.MAX_RANGE_WORK]
    assert completion._scanned_range("cosine", 1.0, 8, curve, None, 32, budget) is not None
    assert completion._scanned_range("mdlm", 1.0, 8, curve, None, 32, budget) is None
    assert starts_scanner(searched_family("power:100"), 32) is None  # p beyond family_sizes' range: Schedules


@settings(max_examples=50, deadline=None)
@given(curve=partial_curves(48, points=2), family=st.sampled_from(FIXED[:5] + FIXED[6:]), unit=st.sampled_from(["nats", "bits"]),
       by=st.sampled_from(["error", "bound"]), where=st.floats(0.0, 1.0), tie=st.booleans(), data=st.data())
def test_the_scan_from_step_starts_decides_as_the_scan_of_schedules(curve, family, unit, by, where, tie, data):
    """family_steps._fast_scan (starts, one dot product per T) against family_steps._scan (each T's Schedule and
    its error summed step by step): the same T, value, larger misses and limit, for any target and for a target
    equal to some T's error (a tie: decided by the step-by-step sum itself)."""

    from boundcalc import family_steps
    from boundcalc.estimate import curve_profile
    from boundcalc.units import from_nats

    L = curve.length
    profile = curve_profile(curve)
    errors = []
    for T in range(1, L + 1):
        try:
            errors.append(from_nats(family_steps._fast_error(profile.conditional, profile.entropies,
                                                             family_schedule(family, T, L, curve)), unit))
        except Exception:  # noqa: BLE001 - no T-step schedule
            continue
    assume(errors and max(errors) > 0)
    if by == "bound":
        target = Fraction(data.draw(st.integers(1, 4 * L)), 8)
    elif tie:
        target = Fraction(data.draw(st.sampled_from(errors)))
    else:
        target = Fraction(min(errors) + where * (max(errors) - min(errors)))
    assume(target > 0)
    request = dict(family=family, by=by, length=L, curve=curve, unit=unit)
    fast = family_steps.required_steps_family([target, target * 2], **request)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(family_steps, "_fast", lambda spec, length: False)
        slow = family_steps.required_steps_family([target, target * 2], **request)
    for a, b in zip(fast, slow):
        assert (a.steps, a.larger_misses, a.checked_up_to) == (b.steps, b.larger_misses, b.checked_up_to)
        assert (a.schedule is None and b.schedule is None) or a.schedule.sizes == b.schedule.sizes
        assert str(a.value) == str(b.value)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(0, 12), min_size=1, max_size=80), scale=st.sampled_from([1.0, 0.25, 1 / 3]))
def test_info_optimal_starts_are_its_boundaries_on_flat_and_tied_profiles(values, scale):
    """d with flat runs and repeated values (F flat, levels on F's values): the quantile search's corrections."""
    from boundcalc.estimate import info_optimal_boundaries

    d = np.array(sorted(values, reverse=True), dtype=np.float64) * scale
    scan = starts_scanner(searched_family("info-optimal"), d.size, d)
    for T, starts in scan(range(1, d.size + 1)):
        assert np.array_equal(starts, info_optimal_boundaries(d, T))


@settings(max_examples=30, deadline=None)
@given(blocks=st.sampled_from([2, 3, 4]), per_block=st.integers(1, 24), inner=st.sampled_from(FIXED[:-1]),
       bound=st.sampled_from(["theorem1", "sharp", "recursion"]), target=st.fractions(Fraction(1, 8), 40),
       per_token=st.booleans(), seed=st.integers(0, 99))
def test_a_blocks_search_by_bound_from_the_inner_s_max_equals_the_scan_of_schedules(blocks, per_block, inner, bound,
                                                                                     target, per_token, seed):
    """blocks:K:FAMILY by bound: each T's blockwise bound from FAMILY's s_max at T/K (one Schedule per s_max) against
    the scan building every T's Schedule and its bound report; ΣI alone or per-token values."""
    from boundcalc import family_steps
    from boundcalc.profile import MIProfile

    L = blocks * per_block
    values = [Fraction(int(x), 7) for x in np.random.default_rng(seed).integers(0, 9, L)]
    profile = MIProfile.from_values(values) if per_token and sum(values) else None
    total = profile.total if profile is not None else Fraction(seed + 1, 3)
    request = dict(family=f"blocks:{blocks}:{inner}", by="bound", length=L, mi_total=total, bound=bound,
                   mi_profile=profile)
    assert family_steps._blocks_by_max_size(searched_family(request["family"]), "bound", bound, L)
    fast = family_steps.required_steps_family([target, target * 3], **request)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(family_steps, "_blocks_by_max_size", lambda *args: False)
        slow = family_steps.required_steps_family([target, target * 3], **request)
    for a, b in zip(fast, slow):
        assert (a.steps, a.larger_misses, a.checked_up_to, a.value) == (b.steps, b.larger_misses, b.checked_up_to,
                                                                         b.value)
        assert (a.schedule is None and b.schedule is None) or a.schedule == b.schedule
