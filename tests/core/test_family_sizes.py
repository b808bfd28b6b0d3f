"""The fast paths of a search over T against the exact/slow ones (issue 22).

* boundcalc.family_sizes (float masked counts with an exact check) == the exact builders of
  boundcalc.schedule, sizes and names, on many (L, T) and parameters (hypothesis), including the
  points where a floor is an integer (Niven's cos(π/3) = 1/2, rational powers);
* dream_levels (the recurrence for every T at once) == each T's exact schedule;
* the vectorised info-optimal boundaries == the loop they replace;
* required_steps_family's vectorised scan == the scan T by T with exact Schedules.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import family_steps
from boundcalc.curve import LossCurve
from boundcalc.errors import ScheduleError
from boundcalc.estimate import info_optimal_schedule
from boundcalc.family_sizes import dream_levels, family_sizes, fast_schedule, supported
from boundcalc.schedule import parse_schedule

FAMILIES = [("uniform", []), ("linear", []), ("cosine", []), ("cosine-mdlm", []), ("power", ["2"]),
            ("power", ["1/2"]), ("power", ["3/7"]), ("power", ["5/3"]), ("dream", []), ("dream", ["1/100"]),
            ("dream", ["0"])]


def _exact(head: str, extra: list[str], length: int, steps: int):
    try:
        return parse_schedule(":".join([head, str(steps), *extra]), length)
    except ScheduleError:
        return None


def _check(head: str, extra: list[str], length: int, steps: int) -> None:
    exact = _exact(head, extra, length, steps)
    fast = family_sizes(head, extra, length, steps)
    if exact is None:
        assert fast is None
        return
    assert fast is not None and tuple(fast.tolist()) == exact.sizes
    built = fast_schedule(head, extra, length, steps)
    assert built.runs == exact.runs and built.name == exact.name


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 3000), st.data())
def test_family_sizes_equal_the_exact_builders(length, data):
    steps = data.draw(st.integers(1, length))
    head, extra = data.draw(st.sampled_from(FAMILIES))
    assert supported(head, extra, length)
    _check(head, extra, length, steps)


@pytest.mark.parametrize("head,extra", FAMILIES)
def test_integer_floors_go_to_the_exact_routine(head, extra):
    # L cos(kπ/2T) = L/2 at k/2T = 1/3 (T divisible by 3); (k/T)^2 L an integer when T^2 | L k^2; and small L
    for length, steps in [(1024, 3), (1024, 6), (1024, 96), (1000, 300), (4096, 64), (12, 12), (1, 1), (2, 1),
                          (6, 3), (7, 7), (1800, 30), (16384, 16383)]:
        _check(head, extra, length, steps)


def test_unsupported_parameters_are_left_to_the_exact_builders():
    assert not supported("power", ["100"], 64) and not supported("power", ["1/100"], 64)
    assert not supported("cosine", [], 2**41) and not supported("blocks", ["2", "uniform"], 64)
    with pytest.raises(ScheduleError):
        fast_schedule("power", ["100"], 64, 4)


@pytest.mark.parametrize("extra", [[], ["1/100"], ["0"], ["999/1000"]])
def test_dream_levels_for_every_T_at_once(extra):
    L = 257
    d = np.sort(np.random.default_rng(1).random(L))[::-1]
    h = np.concatenate(([0.0], np.cumsum(d)))
    valid, largest, error = dream_levels(L, range(1, L + 1), extra, d, h)
    for T in range(1, L + 1):
        exact = _exact("dream", extra, L, T)
        assert bool(valid[T - 1]) == (exact is not None)
        if exact is not None:
            sizes = np.array(exact.sizes)
            w = np.cumsum(sizes) - sizes
            assert largest[T - 1] == exact.max_size
            assert error[T - 1] == pytest.approx(float(np.sum(sizes * d[w] - (h[w + sizes] - h[w]))), rel=1e-12)


def _info_optimal_loop(d: np.ndarray, steps: int) -> tuple[int, ...]:
    """The loop the vectorised boundaries replaced (boundcalc 973bb28), from the same quantiles."""
    L = d.size
    density = np.sqrt(np.maximum(d[:-1] - d[1:], 0.0))
    F = np.concatenate(([0.0], np.cumsum(density), [float(density.sum())]))
    if F[-1] <= 0:
        q, r = divmod(L, steps)
        return (q + 1,) * r + (q,) * (steps - r)
    levels = F[-1] * np.arange(1, steps) / steps
    j = np.clip(np.searchsorted(F, levels, side="left") - 1, 0, L - 1)
    span = F[j + 1] - F[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, (levels - F[j]) / span, 0.0)
    bounds = [0, *np.rint(j + frac).astype(np.int64).tolist(), L]
    for t in range(1, steps):
        bounds[t] = min(max(bounds[t], bounds[t - 1] + 1), L - (steps - t))
    for t in range(steps - 1, 0, -1):
        bounds[t] = min(bounds[t], bounds[t + 1] - 1)
    return tuple(b - a for a, b in zip(bounds, bounds[1:]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 5), min_size=1, max_size=200), st.data())
def test_info_optimal_boundaries_equal_the_loop(values, data):
    d = np.sort(np.round(np.array(values), data.draw(st.integers(0, 3))))[::-1]  # ties and flats included
    steps = data.draw(st.integers(1, d.size))
    assert info_optimal_schedule(d, steps).sizes == _info_optimal_loop(d, steps)


def _curve(length: int, seed: int) -> LossCurve:
    rng = np.random.default_rng(seed)
    ks = sorted({1, length, *rng.integers(1, length + 1, 6).tolist()})
    loss = np.sort(rng.random(len(ks)) * 3)
    return LossCurve(length=length, masked=ks, loss=loss.tolist(), stderr=[0.01] * len(ks))


@pytest.mark.parametrize("family", ["uniform", "linear", "cosine", "cosine-mdlm", "power:3/2", "dream",
                                    "dream:1/100", "info-optimal"])
@pytest.mark.parametrize("by", ["error", "bound"])
def test_vectorised_scan_equals_the_scan_of_exact_schedules(family, by):
    if by == "bound" and family == "uniform":
        family = "power:1"  # uniform by bound has a closed form
    for seed, length in ((0, 97), (1, 160)):
        curve = _curve(length, seed)
        mi = Fraction(curve.mi_total()).limit_denominator(1000)
        scale = mi if by == "bound" else Fraction(curve.mi_total()).limit_denominator(1000) / 4
        targets = [scale / 2, scale / 8, scale / 40]
        kwargs = dict(family=family, by=by, length=length, curve=curve, mi_total=mi if by == "bound" else None)
        # the search itself (required_steps_family then marks bounds from a measured curve as estimates)
        fast = family_steps._required_steps(family_steps.StepsSearch(targets=targets, **kwargs))
        grid = list(range(1, length + 1))
        slow = family_steps._scan([Fraction(t) for t in targets], family, by, length, curve,
                                  mi if by == "bound" else None, "theorem1", Fraction(0), "nats", grid, None)
        for a, b in zip(fast, slow):
            assert (a.steps, a.checked_up_to, a.larger_misses, a.reason) == (b.steps, b.checked_up_to,
                                                                             b.larger_misses, b.reason)
            if a.steps is not None:
                assert a.schedule.runs == b.schedule.runs and a.schedule.name == b.schedule.name
                assert (a.value == b.value) if by == "bound" else a.value.value == pytest.approx(b.value.value)


def test_info_optimal_without_a_curve_is_refused():
    from boundcalc.errors import UsageError

    with pytest.raises(UsageError, match="needs a loss curve") as info:
        family_steps.required_steps_family(["1"], family="info-optimal", by="bound", length=64, mi_total=Fraction(8))
    assert info.value.param == "loss_curve"
