"""The scans' time guard counts CPU time: a busy machine (wall time running on) does not stop a scan whose cost
estimate allowed it, while a scan that really computes past the budget stops with one DomainError."""

import time

import pytest

from boundcalc.curve import LossCurve
from boundcalc.errors import DomainError
from boundcalc.family_steps import required_steps_family
from boundcalc.step_families import SCAN_BUDGET_US
from boundcalc.truth import MarkovChain

# cosine is scanned by the fast scan (sizes as arrays), blocks by the exact per-T scan, mdlm by the count scan
# (forced: its certified brackets would decide ranges of T first, see _scan_mdlm)
FAMILIES = {"cosine": "error", "blocks:2:uniform": "bound", "mdlm": "error"}


@pytest.fixture(autouse=True)
def _scan_mdlm(monkeypatch):
    """The count search's T-by-T scan (its fallback where no bracket applies) instead of its brackets."""
    import boundcalc.count_steps as count_steps

    monkeypatch.setattr(count_steps, "count_bracket", lambda *args, **kwargs: None)


def _curve() -> LossCurve:
    chain = MarkovChain(["0", "1"], [["0.9", "0.1"], ["0.2", "0.8"]])
    return LossCurve.from_conditional(chain.entropy_profile(32).conditional, exact=False)


def _leaping(step: float):
    """A clock that advances ``step`` seconds at every reading."""
    state = {"now": 0.0}

    def clock() -> float:
        state["now"] += step
        return state["now"]

    return clock


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_wall_time_does_not_stop_a_scan(monkeypatch, family):
    curve = _curve()
    expected = required_steps_family(["0.5"], family=family, by=FAMILIES[family], length=32, curve=curve)[0].steps
    assert expected is not None
    monkeypatch.setattr(time, "monotonic", _leaping(10 * SCAN_BUDGET_US / 1e6))
    got = required_steps_family(["0.5"], family=family, by=FAMILIES[family], length=32, curve=curve)[0].steps
    assert got == expected


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_cpu_time_stops_a_scan(monkeypatch, family):
    curve = _curve()
    monkeypatch.setattr(time, "process_time", _leaping(10 * SCAN_BUDGET_US / 1e6))
    with pytest.raises(DomainError, match="ran out of time at T = .* s of CPU time"):
        required_steps_family(["0.5"], family=family, by=FAMILIES[family], length=32, curve=curve)
