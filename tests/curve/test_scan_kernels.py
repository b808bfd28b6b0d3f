"""The inner kernels of the fixed families' T scans (step_starts, family_sizes.dream_levels) against their references:
cos/sin by angle addition against np.cos's floors and the exact builders, the shortened running extrema against
numpy's accumulate, Dream's float64 recurrence against its integer one and the exact builder."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.family_sizes import _dream_levels_int, _dream_sizes, dream_has_schedule, dream_levels, family_sizes
from boundcalc.schedule import parse_schedule
from boundcalc.step_families import searched_family
from boundcalc.step_starts import _dream_table, _running_extreme, starts_scanner


@settings(max_examples=25, deadline=None)
@given(family=st.sampled_from(["cosine", "cosine-mdlm"]), L=st.integers(66, 6000), data=st.data())
def test_trigonometric_starts_equal_np_cos_floors_at_long_lengths(family, L, data):
    # T - 1 > 64 takes the angle-addition table; T divisible by 3 has the rational value cos(π/3) inside
    steps = data.draw(st.lists(st.integers(66, L), min_size=1, max_size=6)) + [L, 3 * (L // 3)]
    for T, starts in starts_scanner(searched_family(family), L)(steps):
        sizes = family_sizes(family, [], L, T)  # np.cos / np.sin of each angle, the same guarded floors
        assert sizes is not None and starts is not None
        assert np.array_equal(np.diff(starts), sizes)


def test_trigonometric_starts_equal_the_exact_builder_at_a_few_long_schedules():
    for family, L, T in [("cosine", 4096, 300), ("cosine-mdlm", 4096, 999), ("cosine", 3000, 2999),
                         ("cosine-mdlm", 1000, 66)]:
        starts = next(iter(starts_scanner(searched_family(family), L)([T])))[1]
        assert tuple(np.diff(starts).tolist()) == parse_schedule(f"{family}:{T}", L, param="family").sizes


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(-5, 5), min_size=0, max_size=40), largest=st.booleans())
def test_the_shortened_running_extremes_equal_numpy_accumulate(values, largest):
    n = np.array(values, dtype=np.int64)
    expected = (np.maximum if largest else np.minimum).accumulate(n) if n.size else n.copy()
    reversed_view = np.array(values[::-1], dtype=np.int64)[::-1]  # a view with a negative stride, as the backward pass
    for array in (n, reversed_view):
        _running_extreme(array, np.empty(max(array.size, 1), dtype=bool), largest)
        assert np.array_equal(array, expected)


@settings(max_examples=40, deadline=None)
@given(L=st.integers(1, 400), eps=st.sampled_from(["0", "1/1000", "1/7", "999/1000", "1/3"]), data=st.data())
def test_dream_float_levels_equal_the_integer_recurrence(L, eps, data):
    steps = sorted(set(data.draw(st.lists(st.integers(1, L + 1), min_size=1, max_size=10))))
    d = np.sort(np.random.default_rng(L).random(L))[::-1]
    h = np.concatenate(([0.0], np.cumsum(d)))
    eps_f = Fraction(eps)
    g, e = eps_f.denominator - eps_f.numerator, eps_f.denominator
    valid, largest, error = dream_levels(L, steps, [eps], d, h)
    ivalid, ilargest, ierror = _dream_levels_int(L, np.array(steps, dtype=np.int64), g, e, d, h)
    assert np.array_equal(valid, ivalid) and np.array_equal(largest[valid], ilargest[valid])
    assert np.allclose(error[valid], ierror[valid], rtol=1e-12, atol=1e-9)
    for kind in (np.int32, np.int64):
        table, column, ok = _dream_table(L, steps, g, e, kind)
        for T in steps:
            sizes = _dream_sizes(L, T, [eps]) if T <= L else None
            assert ok[T] == (sizes is not None and sizes.min() >= 1)
            if ok[T]:
                assert np.array_equal(np.diff(table[: T + 1, column[T]]), sizes)


def test_dream_beyond_float64_takes_the_integer_path():
    # 1/ε = 2^51: T e >= 2^52, so the table and the levels run in integers; still the exact builder's sizes
    eps, L = "1/2251799813685248", 12
    g, e = 2**51 - 1, 2**51
    valid, largest, _ = dream_levels(L, range(1, L + 1), [eps], None, None)
    table, column, ok = _dream_table(L, list(range(1, L + 1)), g, e, np.int64)
    for T in range(1, L + 1):
        try:
            built = parse_schedule(f"dream:{T}:{eps}", L, param="family")
        except Exception:  # noqa: BLE001 - no T-step schedule (an empty step)
            built = None
        assert bool(valid[T - 1]) == ok[T] == (built is not None)
        if built is not None:
            assert largest[T - 1] == built.max_size
            assert tuple(np.diff(table[: T + 1, column[T]]).tolist()) == built.sizes


@settings(max_examples=150, deadline=None)
@given(L=st.integers(1, 200), T=st.integers(1, 210), num=st.integers(0, 50), den=st.integers(1, 50))
def test_dream_has_a_schedule_exactly_when_its_first_step_is_not_empty(L, T, num, den):
    # steps never shrink (docs in dream_has_schedule): the exact builder's schedule exists iff n_0 >= 1, s_max last
    eps = Fraction(min(num, den - 1) if den > 1 else 0, den)
    g, e = eps.denominator - eps.numerator, eps.denominator
    sizes = _dream_sizes(L, T, [str(eps)]) if T <= L else None
    exists = sizes is not None and sizes.min() >= 1
    assert bool(dream_has_schedule(L, np.array([T]), g, e)[0]) == exists
    if exists:
        assert sizes is not None and np.all(np.diff(sizes) >= 0) and sizes.max() == sizes[-1]
