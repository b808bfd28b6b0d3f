"""The count samplers' T search against a scan of every T (shared by the uniform-grid and the noise tests)."""

from __future__ import annotations

import pytest

from boundcalc.curve import LossCurve
from boundcalc.estimate import count_coefficients, curve_profile
from boundcalc.family_steps import required_steps_family
from boundcalc.step_families import family_sampler


def scanned_values(family: str, curve: LossCurve, top: int) -> dict[int, float]:
    """Each T's expected error (1..top) on ``curve``: the count coefficients against d, one T at a time."""
    d = curve_profile(curve).conditional
    return {T: max(float(count_coefficients(family_sampler(family, T, curve.length)) @ d), 0.0)
            for T in range(1, top + 1)}


def assert_search_equals_scan(d: list[float], family: str, where: float, assume) -> None:
    """The fewest T whose expected error meets a target at ``where`` between the scan's least and largest error,
    its larger misses up to 2T and its value, as the scan of every T up to 16L gives them; decided by the
    brackets (the search names Riemann). ``assume``: hypothesis's, for a target of 0."""
    L = len(d)
    curve = LossCurve.from_conditional(d)
    top = 16 * L
    values = scanned_values(family, curve, top)
    low, high = min(values.values()), max(values.values())
    target = low + where * (high - low)
    assume(target > 0)
    r = required_steps_family([repr(target)], family=family, by="error", length=L, curve=curve)[0]
    expected = min((T for T, v in values.items() if v <= target), default=None)
    assert r.steps == expected and "Riemann" in r.search  # decided by the brackets, not the scan
    if expected is not None:
        assert list(r.larger_misses) == [T for T in range(expected + 1, min(top, 2 * expected) + 1) if values[T] > target]
        assert r.value.value == pytest.approx(values[expected], abs=1e-9)
