"""The contributor's guide to a new sampler: one class, one register() call, and every command has it.

``front:T`` reveals L - T + 1 tokens at its first step and one token at each later step
(positions uniformly random). The class below is ALL it takes: bound, verify, sweep,
steps --family, the JSON and LaTeX printers and the help texts then accept it. Each check
compares with a value computed independently (by hand, or by brute force over every order).
A sampler whose positions depend on the values declares ``value_dependent = True`` and an
``exact_engine`` of its own (docs/architecture.md, "Where new things go").
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from boundcalc.errors import ScheduleError
from boundcalc.exact import positive_int
from boundcalc.registry import Param, register, unregister
from boundcalc.schedule import FixedFamily, Schedule, parse_schedule
from truth_reference import brute_force_error


class Front(FixedFamily):
    """front:T: the first step reveals L - T + 1 tokens, each later step one."""

    name = "front"
    params = (Param("T", "steps", doc="the number of steps"),)
    summary = "the first step reveals L − T + 1 tokens, each later step one"

    def _build(self, length: int, args: list[str]) -> Schedule:
        if len(args) != 1:
            raise ScheduleError(f"expected {self.usage}")
        steps = positive_int(args[0], "T")
        if steps > length:
            raise ScheduleError(f"T = {steps} steps exceed L = {length} tokens", allowed="1 <= T <= L")
        return Schedule([length - steps + 1] + [1] * (steps - 1))


@pytest.fixture(autouse=True)
def front():
    register(Front)
    yield
    unregister("front")


def theorem1_by_hand(length: int, steps: int, mi_total: Fraction) -> Fraction:
    s_max = length - steps + 1
    return Fraction(2 ** (s_max - 1).bit_length() - 1, length) * mi_total  # 2^ceil(log2 s) - 1


# ---------------------------------------------------------------------------------------------------


def test_the_grammar_builds_it_and_errors_say_its_usage():
    assert parse_schedule("front:3", 10).sizes == (8, 1, 1)
    with pytest.raises(ScheduleError, match=r"in 'front:11': T = 11 steps exceed L = 10") as info:
        parse_schedule("front:11", 10)
    assert info.value.param == "schedule"


def test_bound_json_and_latex(run):
    data = run("bound", "--schedule", "front:4", "--mi-total", "2", "-L", "10", "--json").json
    assert data["schedule"] == "front:4" and data["max_mask_size"] == 7
    assert Fraction(data["bounds"]["theorem1"]["exact"]) == theorem1_by_hand(10, 4, Fraction(2)) == Fraction(7, 5)
    assert Fraction(data["bounds"]["sharp"]["exact"]) == Fraction(6, 10) * 2  # (s_max - 1)/L ΣI
    latex = run("bound", "--schedule", "front:4", "--mi-total", "2", "-L", "10", "--format", "latex").stdout
    # the caption states the schedule's numbers (a paper's table names no spec): T = 4 steps, s_max = 7
    assert r"$T = 4$ steps with $s_{\max} = 7$" in latex and "$1.4$" in latex


TABLE = {"outcomes": [["a", "a", "a", "b"], ["b", "b", "a", "a"], ["a", "b", "b", "b"]],
         "probabilities": ["1/2", "3/10", "1/5"]}


def test_verify_matches_brute_force_and_every_bound_holds(run, write):
    table = write("table.json", json.dumps(TABLE))
    data = run("verify", "--joint", table, "--schedule", "front:2", "--json").json
    p = {tuple(o): float(Fraction(q)) for o, q in zip(TABLE["outcomes"], TABLE["probabilities"])}
    assert data["schedule"] == "front:2" and data["max_mask_size"] == 3
    assert float(data["truth"]["value"]) == pytest.approx(brute_force_error(p, (3, 1), 2), rel=1e-5)  # shown digits
    assert all(data["holds"][name] for name in ("theorem1", "recursion", "sharp", "theorem2_upper", "theorem2_lower"))


def test_sweep_and_steps_search_it_over_t(run):
    data = run("sweep", "--family", "front", "--steps", "1:4", "--mi-total", "2", "-L", "8", "--json").json
    values = [Fraction(row["bounds"]["theorem1"]["exact"]) for row in data["rows"]]
    assert values == [theorem1_by_hand(8, t, Fraction(2)) for t in (1, 2, 3, 4)]
    target = Fraction(1, 2)
    fewest = min(t for t in range(1, 17) if theorem1_by_hand(16, t, Fraction(2)) <= target)
    found = run("steps", "--family", "front", "--mi-total", "2", "-L", "16", "--target", "1/2", "--json").json
    assert found["results"][0]["steps"] == fewest == 13  # (2^⌈log2 s⌉ - 1)/16 · 2 <= 1/2: s_max = 17 - T <= 4


def test_help_and_docs_tables_list_it():
    from boundcalc.cli.sampler_help import schedule_help, sweep_family_help
    from boundcalc.registry import docs_table

    assert "front:T" in schedule_help() and "front" in sweep_family_help()
    assert "| `front:T` | the first step reveals L − T + 1 tokens, each later step one |" in docs_table("schedules")
