"""A sweep's count rows as columns (boundcalc.sweep_columns) against the rows built one by one (sweeps._count_row,
the reference): the same fields, value for value and type for type, the same CSV field columns, the same bytes in
every format; the rows behave as a tuple."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import boundcalc as bc
from boundcalc import count_flow, sweeps
from boundcalc.answers import SweepAnswer
from boundcalc.csv_printer import _field_columns, to_csv
from boundcalc.curve import LossCurve
from boundcalc.jsonify import document
from boundcalc.sweep_columns import CountColumns, SweepRows
from boundcalc.table_printer import to_table

COUNT_FAMILIES = ["mdlm", "sedd", "dream-origin", "mdlm:cosine", "mdlm:linear"]


def _typed(x):
    """A value with the type of every part (1.0 and np.float64(1.0) differ; so do a tuple and a list)."""
    if isinstance(x, dict):
        return ("dict", [(k, _typed(v)) for k, v in x.items()])  # key order too
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, [_typed(v) for v in x])
    if isinstance(x, float):
        return ("float", x.hex()) if x == x else ("float", "nan")
    return (type(x).__name__, repr(x))


_FIELDS = ("family", "steps", "error", "error_abs", "optimal", "random_error", "optimal_abs", "random_abs", "bounds",
           "bound_errors", "stats", "spreads", "intervals")


def _row_fields(row):
    return [_typed(getattr(row, f)) for f in _FIELDS] + [row.schedule.describe(), type(row.schedule).__name__]


def _both(monkeypatch, *args, **kwargs):
    """(the sweep with its count rows as columns, the same sweep with every row built by _count_row)."""
    columns = bc.sweep(*args, **kwargs)
    with monkeypatch.context() as m:
        m.setattr(sweeps, "count_block", lambda *a, **k: None)
        reference = bc.sweep(*args, **kwargs)
    return columns, reference


def _same_rows(columns, reference, blocks=True):
    if blocks:  # some rows as columns (the others, the truth did not prepare, one by one)
        assert isinstance(columns.rows, SweepRows)
        assert any(isinstance(s, CountColumns) for s in columns.rows.segments)
    assert isinstance(reference.rows, tuple)
    assert len(columns.rows) == len(reference.rows)
    for a, b in zip(columns.rows, reference.rows):
        assert _row_fields(a) == _row_fields(b)
    assert columns.rows == reference.rows and columns == reference


def _same_field_columns(columns, reference):
    """Each block's field columns are _field_columns of its rows, bit for bit (nan where absent)."""
    names = list(dict.fromkeys([*reference.count_stats, "error", "optimal", "random_error", *reference.bound_names]))
    for segment in columns.rows.segments:
        if not isinstance(segment, CountColumns):
            continue
        fast, slow = segment.field_columns(names), _field_columns(list(segment), names)
        assert fast.keys() == slow.keys()
        for name in names:
            assert list(fast[name][0]) == list(slow[name][0]), name
            for x, y in zip(fast[name][1:], slow[name][1:]):
                assert np.asarray(x).dtype == np.asarray(y).dtype and np.asarray(x).tobytes() == np.asarray(y).tobytes(), name
            if segment.empty(name):  # every row's cells empty, as csv_printer's _SweepCells.of finds them
                assert not slow[name][0]
                assert all(row.measured(name) is None and row.bounds.get(name) is None for row in segment)


def _same_outputs(columns, reference):
    for digits in (6, 3):
        a, b = SweepAnswer(columns, "src"), SweepAnswer(reference, "src")
        assert to_csv(a, digits) == to_csv(b, digits)
    a, b = SweepAnswer(columns, "src"), SweepAnswer(reference, "src")
    assert document(a, 6) == document(b, 6)
    assert to_table(a, 6).plain() == to_table(b, 6).plain()


def _partial(length, points, stderr=False, seed=0):
    rng = np.random.default_rng(seed)
    masked = sorted(set(int(k) for k in rng.integers(1, length + 1, points)) | {length})
    loss = np.sort(rng.uniform(0.2, 6.0, len(masked)))
    return LossCurve(length=length, masked=masked, loss=loss.tolist(),
                     stderr=rng.uniform(0.001, 0.02, len(masked)).tolist() if stderr else None)


@pytest.mark.parametrize("family", COUNT_FAMILIES)
@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_columns_are_the_rows_built_one_by_one_partial_curve(monkeypatch, family, unit):
    curve = _partial(300, 9, stderr=True, seed=1)
    columns, reference = _both(monkeypatch, curve, [family, "uniform"], "1:300:7", unit=unit, eps_train="0.01")
    _same_rows(columns, reference)
    _same_field_columns(columns, reference)
    _same_outputs(columns, reference)


@pytest.mark.parametrize("family", ["mdlm", "mdlm:geometric", "dream-origin"])
def test_columns_every_k_curve_a_vocabulary_and_chunks(monkeypatch, family):
    """A curve measured at every k (no intervals), then a partial one with V and many chunks (detached samplers)."""
    length = 200
    full = LossCurve(length=length, masked=list(range(1, length + 1)), loss=[0.3 + 4 * k / length for k in range(1, length + 1)])
    _same_outputs(*_checked(monkeypatch, full, [family], "1:200:9"))
    monkeypatch.setattr(count_flow, "MAX_CHUNK_STEPS", 300)
    _same_outputs(*_checked(monkeypatch, _partial(length, 6, seed=4), [family, "cosine"], "2:200:13", vocab_size=50))


def _checked(monkeypatch, *args, blocks=True, **kwargs):
    columns, reference = _both(monkeypatch, *args, **kwargs)
    _same_rows(columns, reference, blocks)
    if isinstance(columns.rows, SweepRows):
        _same_field_columns(columns, reference)
    return columns, reference


def test_columns_without_a_curve_mi_profile_and_markov_chain(monkeypatch):
    """No truth (an MI profile: bounds only), and a data model's exact truth (no spread, no interval)."""
    profile = bc.MIProfile.from_total(3, length=64)
    _same_outputs(*_checked(monkeypatch, profile, ["mdlm", "sedd"], "1:64:5"))
    chain = bc.MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    # rows of n(L + 1) > 10^6 take the coefficient form, prepared for all rows at once: the others one by one
    _same_outputs(*_checked(monkeypatch, chain, ["mdlm", "dream-origin", "uniform"], "1,500,950,1000,1100", length=1100,
                            unit="bits"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(length=st.integers(20, 600), points=st.integers(2, 12), stderr=st.booleans(), seed=st.integers(0, 10**6),
       family=st.sampled_from(COUNT_FAMILIES), unit=st.sampled_from(["nats", "bits"]),
       vocab=st.sampled_from([None, 2, 30000]))
def test_columns_match_on_random_curves(monkeypatch, length, points, stderr, seed, family, unit, vocab):
    curve = _partial(length, points, stderr, seed)
    step = max(1, length // 9)
    columns, reference = _checked(monkeypatch, curve, [family], f"1:{length}:{step}", unit=unit, vocab_size=vocab,
                                  blocks=False)
    a, b = SweepAnswer(columns, "src"), SweepAnswer(reference, "src")
    assert to_csv(a, 6) == to_csv(b, 6)


def test_optimal_errors_take_the_rows_one_by_one(monkeypatch):
    chain = bc.MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    result = bc.sweep(chain, ["mdlm"], "1,4,16", length=16, optimal=True)
    assert isinstance(result.rows, tuple) and result.rows[1].optimal is not None


def test_the_rows_behave_as_a_tuple(monkeypatch):
    columns, reference = _both(monkeypatch, _partial(120, 5, seed=2), ["uniform", "mdlm", "cosine"], "1:120:11")
    rows, tuple_rows = columns.rows, reference.rows
    assert len(rows) == len(tuple_rows) and list(rows) == list(tuple_rows)
    assert rows[0] == tuple_rows[0] and rows[-1] == tuple_rows[-1] and rows[3:7] == tuple_rows[3:7]
    assert rows == tuple_rows and tuple_rows == rows and rows + () == tuple_rows and () + rows == tuple_rows
    assert repr(rows) == repr(tuple_rows)
    with pytest.raises(TypeError):  # as a tuple of rows (their bounds are dictionaries)
        hash(rows)
    assert pickle.loads(pickle.dumps(rows)) == tuple_rows and rows.index(tuple_rows[5]) == 5
    with pytest.raises(IndexError):
        rows[len(rows)]
    assert columns.has_counts and columns.family_rows("mdlm") == reference.family_rows("mdlm")
    assert columns.to_records() == reference.to_records()


def test_rows_are_built_only_when_read(monkeypatch):
    """The CSV of a count sweep reads the columns: no row is built."""
    result = bc.sweep(_partial(200, 6, seed=3), ["mdlm", "sedd"], "150:200:5")
    blocks = [s for s in result.rows.segments if isinstance(s, CountColumns)]
    to_csv(SweepAnswer(result, "src"))
    assert blocks and all(b._rows is None for b in blocks)
    first = next(start for start, s in zip(result.rows.starts, result.rows.segments) if s is blocks[0])
    assert result.rows[first] is blocks[0].rows()[0] and blocks[1]._rows is None  # a block's rows, at its first read
