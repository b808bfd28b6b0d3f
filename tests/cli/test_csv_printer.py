"""The CSV printer (boundcalc.csv_printer): each command's CSV is the printer's text of its answer value, and the
values in it are the ones computed here by hand."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
from fractions import Fraction
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from boundcalc.answers import ProfileAnswer, SweepAnswer, TradeoffAnswer
from boundcalc.csv_printer import SWEEP_COLUMNS, TRADEOFF_COLUMNS, to_csv
from boundcalc.truth.io import FLOAT_MARK

XOR = ('{"outcomes": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], '
       '"probabilities": ["1/4", "1/4", "1/4", "1/4"]}')


def _table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_profile_answer_one_column_is_the_profile_file_and_several_are_sizes():
    one = ProfileAnswer("a model", 3, "bits", ((None, [0.5, 1.0, -1e-17]),))
    assert to_csv(one) == f"{FLOAT_MARK}\nindex,mi_bits\n1,0.5\n2,1.0\n3,0\n"  # float noise below 0 written as 0
    several = ProfileAnswer("a model", 2, "nats", ((0, [0.0, 0.0]), (1, [0.25, 0.125]), (None, [0.5, 0.75])))
    assert to_csv(several) == "index,size_0,size_1,mi_nats\n1,0,0.25,0.5\n2,0,0.125,0.75\n"


def test_profile_sizes_of_xor_by_hand(run, write):
    # x3 = x1 xor x2, uniform: any one other token tells nothing (pairwise independent), two tell everything
    text = run("profile", "--joint", write("xor.json", XOR), "--size", "0", "--size", "1", "--size", "2").stdout
    rows = _table(text)
    assert [r["index"] for r in rows] == ["1", "2", "3"]
    for r in rows:
        assert r["size_0"] == r["size_1"] == "0"
        assert abs(float(r["size_2"]) - math.log(2)) < 1e-12
    bits = _table(run("profile", "--joint", write("xor2.json", XOR), "--size", "2", "--size", "1", "--unit",
                      "bits").stdout)
    assert all(abs(float(r["size_2"]) - 1) < 1e-12 and r["size_1"] == "0" for r in bits)


def _report(rule: str, truth: float | None, truth_error: float, run_on: int | None) -> SimpleNamespace:
    return SimpleNamespace(rule=rule, truth=truth, truth_error=truth_error, truth_kind="KL(p||q), exact",
                           sequence_error=(0.5, 0.0), expected_nfe=(1.0, 0.0), nfe_sd=0.25,
                           meta={"expected_nfe_run_on": run_on})


def test_tradeoff_answer_converts_the_truth_and_keeps_full_precision():
    answer = TradeoffAnswer((_report("a", math.log(2), math.log(2) * 2.0**-52, 3),
                             _report("b", None, math.nan, None)), "a model", "bits")
    lines = to_csv(answer).splitlines()
    assert lines[0] == ",".join(TRADEOFF_COLUMNS)
    assert lines[1] == f"a,1.0,{2.0**-52!r},\"KL(p||q), exact\",0.5,0.0,1.0,0.0,0.25,3"  # ln 2 nats = 1 bit
    assert lines[2] == 'b,,,"KL(p||q), exact",0.5,0.0,1.0,0.0,0.25,'  # no truth, no run-on calls: empty


def test_sweep_sampler_csv_of_xor_by_hand(run, write):
    # confidence:1/2 reveals all three tokens at once: q is uniform on 8 outcomes, p on 4: KL = ln 2 = 1 bit,
    # and half of q's outcomes break the xor; left-to-right:3 is exact (KL 0, 3 calls)
    text = run("sweep", "--joint", write("xor.json", XOR), "--sampler", "left-to-right:3", "--sampler",
               "confidence:1/2", "--csv", "--unit", "bits").stdout
    ltr, conf = _table(text)
    assert (ltr["sampler"], float(ltr["truth"]), float(ltr["expected_nfe"]), ltr["expected_nfe_run_on"]) == \
        ("left-to-right:3", 0.0, 3.0, "3")
    assert conf["sampler"] == "confidence:1/2" and abs(float(conf["truth"]) - 1) < 1e-12
    assert (float(conf["sequence_error"]), float(conf["expected_nfe"])) == (0.5, 1.0)


def test_sweep_answer_csv_by_hand(run):
    from boundcalc.profile import MIProfile
    from boundcalc.sweeps import sweep

    # ΣI = 12, L = 8: uniform T = 1, 2, 8 have s_max = 8, 4, 1; Theorem 1 (2^3 - 1)/8·12 = 10.5, 3/8·12 = 4.5, 0
    result = sweep(MIProfile.from_total(12, 8), ["uniform"], [1, 2, 8])
    text = to_csv(SweepAnswer(result, "ΣI = 12"))
    rows = _table(text)
    assert text.splitlines()[0].split(",")[:8] == SWEEP_COLUMNS
    assert [(r["steps"], r["schedule"], r["s_max"]) for r in rows] == [("1", "8", "8"), ("2", "4,4", "4"),
                                                                       ("8", ",".join("1" * 8), "1")]
    assert [r["theorem1"] for r in rows] == [r["sharp"] for r in rows] == ["10.5", "4.5", "0"]
    assert [Fraction(r["ter"]) for r in rows] == [Fraction(105, 80), Fraction(45, 80), 0]  # per token: / L
    assert all(r["error"] == r["optimal"] == r["error_abs"] == "" for r in rows)  # no data model
    assert run("sweep", "--mi-total", "12", "--length", "8", "--steps", "1,2,8", "--csv").stdout == text


def test_sweep_csv_with_count_samplers_adds_their_statistics():
    from boundcalc.profile import MIProfile
    from boundcalc.sweeps import sweep

    result = sweep(MIProfile.from_total(2, 8), ["uniform", "mdlm"], [8])
    rows = _table(to_csv(SweepAnswer(result, "ΣI = 2")))
    uniform, mdlm = rows
    assert (uniform["expected_s_max"], uniform["expected_calls"], uniform["s_max"]) == ("", "", "1")
    assert mdlm["s_max"] == "" and float(mdlm["expected_s_max"]) > 1  # some step reveals two tokens


def test_a_value_without_a_csv_form_is_refused():
    with pytest.raises(TypeError, match="no CSV form for int"):
        to_csv(3)


def test_multiscale_profile_csv_of_xor_by_hand(run, write):
    from boundcalc.answers import MultiScaleAnswer
    from boundcalc.truth import load_joint, multiscale_from_model

    # S = 2: level j has |W| = L - S/2^j = 1, 2 revealed tokens: one tells nothing of an xor, two tell it all
    path = write("xor.json", XOR)
    text = run("profile", "--joint", path, "--multiscale", "--smax", "2").stdout
    rows = _table(text)
    assert text.splitlines()[0] == "token,level,value_nats" and len(rows) == 6
    assert all(r["value_nats"] == "0" for r in rows if r["level"] == "0")
    assert all(abs(float(r["value_nats"]) - math.log(2)) < 1e-12 for r in rows if r["level"] == "1")
    ms = multiscale_from_model(load_joint(path), 2, 3, "nats")
    assert text == to_csv(MultiScaleAnswer("xor", ms))


@pytest.mark.parametrize("source", ["curve", "se", "profile", "model"])
def test_count_rows_columns_are_the_cells_row_by_row(source, monkeypatch):
    """The count rows' cells formatted column by column (_SweepCells.columns) are the texts the row-by-row cells
    give (_SweepCells.of, each from the row's Measured fields): a partial curve (estimates, intervals), one with a
    stderr column, an MI profile (bounds only) and a data model (exact errors), MDLM's noises and grid rows."""
    from boundcalc.curve import LossCurve
    from boundcalc.profile import MIProfile
    from boundcalc.sweeps import sweep
    from boundcalc.truth import MarkovChain

    L = 48
    points = [4, 12, 30, 48]
    if source in ("curve", "se"):
        loss = [0.4 + 2.5 * k / L for k in points]
        given = LossCurve(length=L, masked=points, loss=loss, exact=False,
                          stderr=[0.001 * (i + 1) for i in range(4)] if source == "se" else None)
        result = sweep(given, ["mdlm:cosine", "mdlm:geometric", "mdlm", "uniform"], "1:48:5", vocab_size=60)
    elif source == "profile":
        result = sweep(MIProfile.constant(Fraction(1, 7), L), ["mdlm:linear", "mdlm"], "1:60:9")
    else:
        chain = MarkovChain(["a", "b"], [["0.75", "0.25"], ["0.3", "0.7"]])
        result = sweep(chain, ["mdlm:cosine2", "mdlm"], "1:20:3", length=12)
    answer = SweepAnswer(result, "rows")
    assert any(row.random_counts for row in result.rows)
    for digits in (1, 4, 6):
        assert to_csv(answer, digits) == _cell_by_cell(answer, digits, monkeypatch)


def _cell_by_cell(answer, digits, monkeypatch):
    """The CSV with every cell from _SweepCells.of (the fields' texts by decimal_text, one cell at a time): the
    reference of the columns' route."""
    from boundcalc import csv_printer

    with monkeypatch.context() as patched:
        patched.setattr(csv_printer._SweepCells, "columns", csv_printer._SweepCells.cell_columns)
        return to_csv(answer, digits)


def _sweep_of_both_kinds():
    from boundcalc.curve import LossCurve
    from boundcalc.sweeps import sweep

    L, points = 48, [4, 12, 30, 48]
    given = LossCurve(length=L, masked=points, loss=[0.4 + 2.5 * k / L for k in points], exact=False)
    return sweep(given, ["mdlm", "uniform"], "1:48:20", vocab_size=60)


_SWEEP = []
_ADVERSARIAL = [0.0, -0.0, 0.5, 2.5, 1e-300, 5e-324, 1e17, 123456789012345678.0, 99999.95, 16.875, 1e300, 3.0,
                9.999999999999999e22, 0.1]
usual = st.one_of(st.floats(0, 1e5), st.floats(0, 1e-10), st.integers(0, 10**6).map(lambda k: k / 64),
                  st.sampled_from(_ADVERSARIAL))
_INVALID = [math.inf, -math.inf, math.nan, -1.0, -1e-300]


@st.composite
def _fields_of_row(draw, names, clean):
    """A row's fields as a sweep could hand them (``clean``: finite, errors >= 0, ordered intervals) or as it never
    should (nan, inf, negative errors, unordered intervals) with every value exact, float, huge, tiny, a tie."""
    floats = usual if clean else st.one_of(usual, usual, st.sampled_from(_INVALID), st.floats())
    some = st.one_of(st.none(), floats)
    value = st.one_of(some, floats.map(lambda x: -x), st.fractions(min_value=-10**6, max_value=10**6,
                                                                   max_denominator=10**9), st.integers(-10**20, 10**20))
    out = {"error": draw(st.one_of(some, floats.map(lambda x: -x))), "error_abs": draw(some), "optimal": draw(some),
           "optimal_abs": draw(some), "random_error": draw(some), "random_abs": draw(some)}
    out["bounds"] = {n: draw(st.one_of(st.none(), value)) for n in names if draw(st.integers(0, 5))}
    out["bound_errors"] = {n: draw(st.one_of(st.floats(0, 1e-9), floats)) for n in names if draw(st.booleans())}
    spread = st.tuples(st.one_of(st.none(), st.floats(0, 1e-3), floats), st.one_of(st.floats(0, 1e-3), floats))
    everything = [*names, "error", "optimal", "random_error"]
    out["spreads"] = {n: draw(spread) for n in everything if draw(st.booleans())}
    ends = st.tuples(floats, floats).map(sorted if clean else list).map(tuple)
    interval = st.one_of(ends, st.tuples(floats, st.just(math.inf)))
    out["intervals"] = {n: draw(interval) for n in everything if draw(st.booleans())}
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.data_too_large, HealthCheck.too_slow])
@given(data=st.data(), digits=st.sampled_from([1, 3, 6, 17]))
def test_sweep_csv_columns_are_the_cells_one_by_one(data, digits, monkeypatch):
    """Random and adversarial fields in every row (fixed and count rows: exact bounds, floats, nan, inf, None,
    negative, huge, ties, subnormals, estimates with and without stderr, intervals, unbounded ones): the columns'
    CSV is the cell-by-cell one, or both refuse alike."""
    if not _SWEEP:
        _SWEEP.append(_sweep_of_both_kinds())
    result = _SWEEP[0]
    names = list(result.bound_names)
    rows = []
    clean = data.draw(st.booleans())
    for row in result.rows:
        fields = data.draw(_fields_of_row(names, clean))
        if row.random_counts:
            fields["stats"] = {k: data.draw(st.tuples(usual, usual)) for k in result.count_stats}
        rows.append(dataclasses.replace(row, **fields))
    answer = SweepAnswer(dataclasses.replace(result, rows=tuple(rows)), "rows")
    try:
        expected = _cell_by_cell(answer, digits, monkeypatch)
    except Exception as refused:  # the cell-by-cell route refuses: so must the columns'
        event("refused")
        with pytest.raises(type(refused)):
            to_csv(answer, digits)
        return
    event("formatted")
    assert to_csv(answer, digits) == expected


@pytest.mark.parametrize("bad", [
    ("spreads", "theorem1", (math.nan, 0.0)), ("spreads", "theorem1", (None, math.nan)),
    ("spreads", "error", (-1.0, 0.0)), ("spreads", "theorem1", (None, math.inf)),
    ("intervals", "theorem1", (math.nan, 3.0)), ("intervals", "error", (5.0, 1.0)),
    ("intervals", "theorem1", (math.inf, math.inf)), ("intervals", "theorem1", (1.0, math.nan)),
    ("bound_errors", "theorem1", math.nan), ("bound_errors", "theorem1", -1e-300), ("bound_errors", "theorem1", None),
    ("bounds", "theorem1", math.inf), ("bounds", "theorem1", 10**400), ("bounds", "theorem1", "x"),
    ("error_abs", None, math.nan), ("error", None, math.inf), ("stats", "expected_s_max", (math.nan, 0.0)),
    ("stats", "expected_s_max", (1.0,)), ("stats", "expected_calls", None)])
def test_one_bad_field_is_refused_or_shown_as_cell_by_cell(bad, monkeypatch):
    """One field a Measured refuses (nan, inf, negative, unordered, no float, no pair) in one row of a real sweep:
    the columns' CSV says what the cell-by-cell one says (its text, or its error)."""
    if not _SWEEP:
        _SWEEP.append(_sweep_of_both_kinds())
    result = _SWEEP[0]
    where, name, value = bad
    rows = list(result.rows)
    for i, row in enumerate(rows):
        if where == "stats" and not row.random_counts:
            continue
        if where in ("error", "error_abs"):
            rows[i] = dataclasses.replace(row, **{where: value})
        else:
            rows[i] = dataclasses.replace(row, **{where: {**getattr(row, where), name: value}})
        break
    answer = SweepAnswer(dataclasses.replace(result, rows=tuple(rows)), "rows")
    try:
        expected = _cell_by_cell(answer, 6, monkeypatch)
    except Exception as refused:
        with pytest.raises(type(refused), match=re.escape(str(refused))):
            to_csv(answer, 6)
        return
    assert to_csv(answer, 6) == expected
