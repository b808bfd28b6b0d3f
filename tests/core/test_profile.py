"""MI profiles: constructors, file formats, the fast exact reader, vocabulary checks."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from boundcalc.errors import InvalidNumberError, ProfileError
from boundcalc.profile import MIProfile, load_profile


def test_constructors():
    p = MIProfile.from_values(["0.1", "0.2", "1/3"])
    assert (p.length, p.total, p.maximum) == (3, Fraction(19, 30), Fraction(1, 3))
    assert p.values == (Fraction(1, 10), Fraction(1, 5), Fraction(1, 3))
    c = MIProfile.constant("0.05", 1024)
    assert c.total == Fraction(256, 5) and c.maximum == Fraction(1, 20) and len(c.values) == 1024
    t = MIProfile.from_total("12.5", 10**18)
    assert t.total == Fraction(25, 2) and t.values is None and t.maximum is None
    assert t.mean == Fraction(25, 2) / 10**18


@pytest.mark.parametrize(
    "build",
    [
        lambda: MIProfile.from_values([]),
        lambda: MIProfile.from_values(["0.1", "-0.2"]),
        lambda: MIProfile.from_values(["nan"]),
        lambda: MIProfile.constant("-1", 4),
        lambda: MIProfile.constant("1", 0),
        lambda: MIProfile.from_total("inf", 4),
        lambda: MIProfile.from_total("1", "2.5"),
        lambda: MIProfile.from_values(["1"], unit="shannons"),
    ],
)
def test_constructor_errors(build):
    with pytest.raises((ProfileError, InvalidNumberError)):
        build()


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_formats_agree(tmp_path):
    values = ["0.1", "0.25", "1/3", "5e-2", "0"]
    expected = sum(Fraction(v) for v in ["0.1", "0.25", "1/3", "0.05", "0"])
    files = [
        _write(tmp_path, "a.txt", "\n".join(values) + "\n"),
        _write(tmp_path, "b.txt", "# MI in nats\n" + "\n\n".join(values)),
        _write(tmp_path, "c.csv", "\n".join(values)),
        _write(tmp_path, "d.csv", "index,mi\n" + "\n".join(f"{i},{v}" for i, v in enumerate(values))),
        _write(tmp_path, "e.csv", "\n".join(f"{i + 1}, {v}" for i, v in enumerate(values))),
        _write(tmp_path, "f.json", json.dumps([0.1, 0.25, "1/3", 5e-2, 0])),
        _write(tmp_path, "g.json", json.dumps({"values": values})),
    ]
    for path in files:
        p = load_profile(path)
        assert p.length == 5 and p.total == expected, path
        assert p.values[2] == Fraction(1, 3)


def test_json_floats_are_read_as_written(tmp_path):
    # json 0.1 is the decimal 1/10, not the binary double
    assert load_profile(_write(tmp_path, "x.json", "[0.1, 0.2]")).total == Fraction(3, 10)


@settings(max_examples=50)
@given(st.lists(st.decimals(min_value=0, max_value=100, places=8, allow_nan=False), min_size=1, max_size=50))
def test_fast_reader_equals_slow_reader(tmp_path_factory, decimals):
    folder = tmp_path_factory.mktemp("p")
    plain = folder / "p.txt"
    plain.write_text("".join(f"{d}\n" for d in decimals))
    commented = folder / "q.txt"  # the comment forces the line-by-line reader
    commented.write_text("# header\n" + "".join(f"{d}\n" for d in decimals))
    fast, slow = load_profile(plain), load_profile(commented)
    assert fast.total == slow.total == sum(Fraction(d) for d in decimals)
    assert fast.length == slow.length and fast.maximum == slow.maximum
    assert fast.values == slow.values


def test_fast_reader_falls_back_on_inexact_sums(tmp_path):
    path = _write(tmp_path, "p.txt", "1e-900\n1\n")
    assert load_profile(path).total == 1 + Fraction(1, 10**900)


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("e.txt", "", "is empty"),
        ("e.txt", "\n \n", "is empty"),
        ("n.txt", "0.1\nnan\n", "line 2: 'nan' is not a number"),
        ("n.txt", "0.1\ninf\n", "line 2: 'inf' is not a number"),
        ("n.txt", "0.1\n-0.2\n", "line 2 has a negative value -0.2"),
        ("n.txt", "0.1\n0.2 0.3\n", "line 2: '0.2 0.3' is not a number"),
        ("n.txt", "1_000\n", "line 1: '1_000' is not a number"),
        ("c.csv", "index,value\n1,0.1\n2,0.2,9\n", "line 3 has 3 columns"),
        ("c.csv", "1,0.1\n3,0.2\n", "line 2 has index 3, expected 2"),
        ("c.csv", "1,0.1\n1,0.2\n", "line 2 has index 1, expected 2"),
        ("c.csv", "5,0.1\n", "the first index is 5"),
        ("c.csv", "1,0.1\nx,0.2\n", "line 2 has index 'x'"),
        ("c.csv", "index,value\n", "header but no values"),
        ("c.csv", "1,2,3\n", "3 columns"),
        ("c.csv", "0.1\n0.x\n", "line 2: '0.x' is not a number"),
        ("j.json", "[0.1, ", "invalid JSON"),
        ("j.json", '{"a": 1}', "expected a JSON list"),
        ("j.json", "[0.1, [1]]", "entry 2 is [1]"),
        ("j.json", "[0.1, true]", "entry 2 is true"),
        ("j.json", "[]", "has no values"),
    ],
)
def test_file_errors_name_file_and_line(tmp_path, name, text, message):
    path = _write(tmp_path, name, text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert message in str(info.value)
    assert str(info.value).startswith(str(path)[:20])  # the library names the file; the CLI adds the flag


def test_missing_binary_directory_and_non_utf8(tmp_path):
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(tmp_path / "nope.txt")
    with pytest.raises(ProfileError, match="is a directory"):
        load_profile(tmp_path)
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"0.1\n\x00\x00\n")
    with pytest.raises(ProfileError, match="binary"):
        load_profile(binary)
    latin = tmp_path / "l.txt"
    latin.write_bytes("0,5 \xe9\n".encode("latin-1"))
    with pytest.raises(ProfileError, match="not UTF-8"):
        load_profile(latin)


def test_length_agreement():
    p = MIProfile.from_values(["0.1", "0.2"])
    assert p.require_length(None) is p and p.require_length(2) is p
    with pytest.raises(ProfileError, match="length: 3 disagrees"):
        p.require_length(3)


def test_vocabulary_check_is_exact():
    ln2 = "0.6931471805599453"  # just below ln 2 = 0.69314718055994530941...
    MIProfile.from_values(["0.1", ln2]).check_vocabulary(2)
    with pytest.raises(ProfileError, match=r"token 2 has I = 0.6931471805599454 > ln 2 = 0.69314718055994530942"):
        MIProfile.from_values(["0.1", "0.6931471805599454"]).check_vocabulary(2)
    # bits: log2 8 = 3 exactly, so 3 passes and 3 + 10^-30 fails
    MIProfile.from_values(["3"], unit="bits").check_vocabulary(8)
    with pytest.raises(ProfileError):
        MIProfile.from_values(["3.000000000000000000000000000001"], unit="bits").check_vocabulary(8)
    MIProfile.constant("0.69", 10).check_vocabulary(2)
    with pytest.raises(ProfileError, match="ΣI"):
        MIProfile.from_total("6.94", 10).check_vocabulary(2)
    MIProfile.from_total("6.93", 10).check_vocabulary(2)
