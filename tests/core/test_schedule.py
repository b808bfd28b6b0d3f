"""Schedules: value object, families (checked against the sampler code they copy), parsing."""

from __future__ import annotations

import json
import math
from pathlib import Path
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from boundcalc.errors import ScheduleError
from boundcalc.schedule import FAMILIES, Schedule, parse_schedule


def test_value_object():
    s = Schedule([5, 3, 2])
    assert (s.length, s.steps, s.max_size) == (10, 3, 5)
    assert s.sizes == (5, 3, 2) and s.paper_sizes == (2, 3, 5)
    assert list(s.revealed_before()) == [(0, 5), (5, 3), (8, 2)]
    assert s.runs == ((5, 1), (3, 1), (2, 1))
    assert Schedule([2, 2, 1]).runs == ((2, 2), (1, 1))
    assert Schedule([2, 2, 1]) == Schedule(runs=[(2, 2), (1, 1)])
    assert not s.is_balanced and Schedule([4, 3, 3]).is_balanced


@pytest.mark.parametrize("sizes", [[], [0], [3, -1], [2.5], [True], ["3"]])
def test_rejects_bad_sizes(sizes):
    with pytest.raises(ScheduleError):
        Schedule(sizes)


def test_huge_uniform_is_run_length_encoded():
    s = Schedule.uniform(10**18, 10**9 + 7)
    assert s.length == 10**18 and s.steps == 10**9 + 7
    # 10**18 / (10**9 + 7) = 999999993.00000005: floating point rounds the fraction away
    assert s.max_size == 999999994 == -(-(10**18) // (10**9 + 7))
    assert math.ceil(10**18 / (10**9 + 7)) == 999999993
    with pytest.raises(ScheduleError, match="too many"):
        s.sizes


def _llada(length: int, steps: int) -> list[int]:
    # ML-GSAI/LLaDA generate.py get_num_transfer_tokens: base + 1 for the first `remainder` steps
    base, remainder = divmod(length, steps)
    return [base + (1 if j < remainder else 0) for j in range(steps)]


@given(st.integers(1, 500), st.data())
def test_uniform_matches_llada(length, data):
    steps = data.draw(st.integers(1, length))
    s = Schedule.uniform(length, steps)
    assert list(s.sizes) == _llada(length, steps)
    assert s.is_balanced


def _dream_float(length: int, steps: int, eps: float) -> list[int]:
    # Dream's _sample with float timesteps, in exact arithmetic for the comparison
    ts = [1 + (Fraction(eps) - 1) * Fraction(k, steps) for k in range(steps + 1)]
    out, masked = [], length
    for k in range(steps - 1):
        n = math.floor(masked * (1 - ts[k + 1] / ts[k]))
        out.append(n)
        masked -= n
    return out + [masked]


def test_dream_examples():
    assert Schedule.dream(10, 4).sizes == (2, 2, 2, 4)  # docs/samplers.md
    assert Schedule.dream(10, 4, 0).sizes == (2, 2, 3, 3)  # floor(m_k / (T - k))
    assert list(Schedule.dream(128, 16, "1/100000").sizes) == _dream_float(128, 16, Fraction(1, 100000))
    with pytest.raises(ScheduleError, match="empty step"):
        Schedule.dream(4, 4)


def test_cosine_maskgit_example():
    # docs/samplers.md: MaskGIT L = 256, T = 8
    assert Schedule.cosine(256, 8).sizes == (5, 15, 24, 31, 39, 45, 48, 49)


def test_cosine_exact_at_rational_points():
    # cos(pi/3) = 1/2 exactly: L = 12, T = 3 has M_2 = floor(12 * cos(pi/3)) = 6, not 5
    assert Schedule.cosine(12, 3).sizes == (2, 4, 6)
    # sin(pi/6) = 1/2: M_1 = floor(12 (1 - 1/2)) = 6
    assert Schedule.cosine_mdlm(12, 3).sizes[0] == 6


@given(st.integers(2, 400), st.data())
def test_curve_families_are_valid(length, data):
    steps = data.draw(st.integers(1, length))
    for schedule in (
        Schedule.linear(length, steps),
        Schedule.cosine(length, steps),
        Schedule.cosine_mdlm(length, steps),
        Schedule.power(length, steps, "3/2"),
        Schedule.power(length, steps, 2),
    ):
        assert schedule.length == length and schedule.steps == steps
        assert min(schedule.sizes) >= 1


def test_curve_shapes():
    front = Schedule.cosine_mdlm(256, 8).sizes
    back = Schedule.cosine(256, 8).sizes
    assert front[0] > front[-1] and back[0] < back[-1]
    assert Schedule.linear(10, 4).sizes == (3, 2, 3, 2)
    # power p: M_k = L - ceil(L (k/T)^p); p = 1/2 with L = 16, T = 4: (1/4)^(1/2) * 16 = 8 exactly
    assert Schedule.power(16, 4, "1/2").sizes[0] == 8


def test_blocks():
    s = Schedule.blocks(128, 4, "uniform:32")
    assert s.sizes == (4,) * 32
    assert Schedule.blocks(10, 2, "uniform:4").sizes == (3, 2, 3, 2)
    with pytest.raises(ScheduleError):
        Schedule.blocks(10, 3, "uniform:6")
    with pytest.raises(ScheduleError):
        Schedule.blocks(12, 3, "uniform:4")


def test_paper_random_is_seeded_and_cut():
    a = Schedule.paper_random(100, 8, seed=7)
    assert a == Schedule.paper_random(100, 8, seed=7)
    assert a.length == 100 and set(a.sizes[1:]) <= {4, 8} and 1 <= a.sizes[0] <= 8
    assert any(Schedule.paper_random(100, 8, seed=s) != a for s in range(5))
    with pytest.raises(ScheduleError):
        Schedule.paper_random(10, 3)


def test_degenerate_follows_the_paper():
    # the paper: s_1 = S (revealed last), s_t = 1 for t > 1
    assert Schedule.degenerate(6, 3).paper_sizes == (3, 1, 1, 1)
    assert Schedule.degenerate(6, 3).sizes == (1, 1, 1, 3)
    assert Schedule.degenerate(6, 3).steps == 6 + 1 - 3


def test_reversed():
    assert Schedule([5, 3, 2]).reversed().sizes == (2, 3, 5)
    assert parse_schedule("reversed:5,3,2").sizes == (2, 3, 5)
    assert parse_schedule("reversed:degenerate:3", 6).sizes == (3, 1, 1, 1)
    assert parse_schedule("reversed:uniform:4", 10).sizes == (2, 2, 3, 3)
    with pytest.raises(ScheduleError):
        parse_schedule("reversed:", 10)


def test_parse_forms(tmp_path):
    assert parse_schedule("5,3,2").sizes == (5, 3, 2)
    assert parse_schedule(" 5, 3 ,2 ").sizes == (5, 3, 2)
    assert parse_schedule("4,4.0", 8).sizes == (4, 4)  # exactly integral values are integers
    assert parse_schedule("uniform:4", 10).sizes == (3, 3, 2, 2)
    assert parse_schedule("blocks:2:uniform:4", 10).sizes == (3, 2, 3, 2)
    assert parse_schedule("random:4:3", 20) == Schedule.paper_random(20, 4, 3)
    as_json = tmp_path / "s.json"
    as_json.write_text(json.dumps([5, 3, 2]))
    assert parse_schedule(str(as_json), 10).sizes == (5, 3, 2)
    lines = tmp_path / "s.txt"
    lines.write_text("5\n# a comment\n3\n\n2\n")
    assert parse_schedule(str(lines)).sizes == (5, 3, 2)
    for family in FAMILIES:
        assert FAMILIES[family][0].startswith(family)


@pytest.mark.parametrize(
    "spec, length, message",
    [
        ("5,0,5", 10, "entry 2 is 0"),
        ("5,-1", None, "entry 2 is -1"),
        ("2.5,7.5", 10, "entry 1 is 2.5"),
        ("5,3", 10, "sum to 8, but L = 10"),
        ("5,,5", 10, "entry 2 is empty"),
        ("uniform:0", 10, "'0' is not allowed"),
        ("uniform:11", 10, "exceed L"),
        ("uniform:4", None, "needs the sequence length"),
        ("nosuchfile.json", 10, "neither a schedule nor an existing file"),
        ("", 10, "empty"),
        ("random:3", 10, "even"),
        ("power:4:-1", 10, "p = -1"),
    ],
)
def test_parse_errors(spec, length, message):
    with pytest.raises(ScheduleError) as info:
        parse_schedule(spec, length)
    assert message in str(info.value)
    assert str(info.value).startswith("schedule: ")  # Python names from the library; the CLI maps them to flags


def test_file_errors(tmp_path):
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\x00\x01\x02")
    bad_json = tmp_path / "s.json"
    bad_json.write_text("[5, 3,")
    bad_line = tmp_path / "s.txt"
    bad_line.write_text("5\n3\nfour\n")
    empty = tmp_path / "e.txt"
    empty.write_text("\n\n")
    for path, message in [
        (binary, "binary"),
        (bad_json, "invalid JSON"),
        (bad_line, "line 3 is 'four'"),
        (empty, "empty"),
    ]:
        with pytest.raises(ScheduleError, match=message):
            parse_schedule(str(path))


def test_the_examples_of_docs_samplers_md():
    text = (Path(__file__).resolve().parents[2] / "docs" / "samplers.md").read_text()
    assert "L = 10, T = 4: 3, 3, 2, 2" in text and Schedule.uniform(10, 4).sizes == (3, 3, 2, 2)
    assert "L = 10, T = 4: 2, 2, 2, 4" in text and Schedule.dream(10, 4).sizes == (2, 2, 2, 4)
    assert "5, 15, 24, 31, 39, 45, 48, 49" in text and Schedule.cosine(256, 8).sizes == (5, 15, 24, 31, 39, 45, 48, 49)
