"""Model files: JSON joint tables and Markov chains, the profile CSV, and the model switch."""

from __future__ import annotations

import math
import json
from fractions import Fraction

import numpy as np
import pytest

from boundcalc.errors import ModelError, UsageError
from boundcalc.profile import load_profile
from boundcalc.truth import load_joint, load_markov, load_model, mi_profile, profile_csv, token_mi, write_profile_csv
from boundcalc.units import display


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_joint_file(tmp_path):
    path = write(tmp_path, "j.json", {"outcomes": [["a", "b", "a"], ["b", "b", "a"], [1, 2, 3]],
                                      "probabilities": ["0.25", "1/2", 0.25]})
    model = load_joint(path)
    assert model.length == 3 and model.support_size == 3 and model.source == str(path)


@pytest.mark.parametrize(
    "data,match",
    [
        ({"outcomes": [["a"], ["b"]], "probabilities": ["0.5", "-0.5"]}, "probability 2 is negative"),
        ({"outcomes": [["a"], ["b", "c"]], "probabilities": ["0.5", "0.5"]}, "outcome 2 has 2 tokens"),
        ({"outcomes": [["a"], ["a"]], "probabilities": ["0.5", "0.5"]}, "outcome 2 repeats outcome 1"),
        ({"outcomes": [["a"], ["b"]], "probabilities": ["0.5", "0.6"]}, "sum to 11/10"),
        ({"outcomes": [["a"]]}, "expected an object"),
        ([1, 2], "expected an object"),
        ({"outcomes": [["a"]], "probabilities": ["1"], "extra": 1}, "unknown keys"),
        ("{not json", "invalid JSON at line 1"),
        ("", "is empty"),
    ],
)
def test_bad_joint_files(tmp_path, data, match):
    path = write(tmp_path, "bad.json", data)
    with pytest.raises(ModelError, match=match) as info:
        load_joint(path)
    assert "bad.json" in str(info.value)


def test_joint_normalize(tmp_path):
    path = write(tmp_path, "n.json", {"outcomes": [["a"], ["b"]], "probabilities": [1, 3]})
    with pytest.raises(ModelError, match="sum to 4"):
        load_joint(path)
    assert sorted(load_joint(path, normalize=True).probabilities) == [0.25, 0.75]


def test_markov_file(tmp_path):
    path = write(tmp_path, "m.json", {"states": ["a", "b"], "transition": [["0.9", "0.1"], ["1/5", "4/5"]]})
    chain = load_markov(path)
    assert chain.initial == pytest.approx([2 / 3, 1 / 3])
    path = write(tmp_path, "m2.json", {"states": ["a", "b"], "transition": [["0.9", "0.1"], ["1/5", "4/5"]],
                                       "initial": ["1", "0"]})
    assert load_markov(path).initial.tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    "data,match",
    [
        ({"states": ["a", "b"], "transition": [["1", "0", "0"], ["0", "1", "0"]]}, "not 2x2"),
        ({"states": ["a", "b"], "transition": [["0.5", "0.6"], ["0.5", "0.5"]]}, "row 1 .* sums to 11/10"),
        ({"states": ["a", "b"], "transition": [["1", "0"], ["0", "1"]]}, "reducible"),
        ({"transition": [["1"]]}, "expected an object"),
    ],
)
def test_bad_markov_files(tmp_path, data, match):
    path = write(tmp_path, "chain.json", data)
    with pytest.raises(ModelError, match=match) as info:
        load_markov(path)
    assert "chain.json" in str(info.value)


def test_missing_and_non_utf8(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_joint(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ModelError, match="not UTF-8"):
        load_markov(bad)


def test_load_model_needs_exactly_one(tmp_path):
    with pytest.raises(UsageError, match="exactly one"):
        load_model()
    with pytest.raises(UsageError, match="not joint and text"):
        load_model(joint="a", text="b")
    corpus = write(tmp_path, "c.txt", "hello world")
    assert load_model(text=corpus).vocab_size == 8  # h e l o ' ' w r d


def test_profile_csv_round_trip_is_exact(tmp_path):
    path = write(tmp_path, "m.json", {"states": ["a", "b", "c"],
                                      "transition": [["0.8", "0.1", "0.1"], ["0.3", "0.3", "0.4"], ["0", "0.5", "0.5"]]})
    chain = load_markov(path)
    values = token_mi(chain, length=50)
    out = write_profile_csv(values, tmp_path / "mi.csv")
    loaded = load_profile(out)
    assert loaded.length == 50
    assert [float(x) for x in loaded.values] == values.tolist()
    assert loaded.total == mi_profile(chain, length=50).total
    # the file holds the shortest round-trip decimals; the profile is their exact sum
    assert loaded.total == sum((Fraction(repr(float(v))) for v in values), Fraction(0))
    with display("bits"):  # values in nats, written in bits: ln 2 nats is 1 bit exactly in float64
        text = profile_csv([math.log(2), -1e-18])
    assert text == "# float64 values (shortest round-trip decimals) computed by boundcalc\nindex,mi_bits\n1,1.0\n2,0\n"
    assert np.all(values >= 0)
