"""Streaming profile reader: chunk boundaries, the plain fast path against exact parsing, JSON strictness."""

from __future__ import annotations

import json
import os
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from boundcalc import profile as profile_module
from boundcalc.errors import ProfileError
from boundcalc.exact import parse_rational
from boundcalc.profile import load_profile

# values in every spelling the readers accept, and their exact values
plain = st.decimals(min_value=0, max_value=10**6, places=17, allow_nan=False).map(str)
spelled = st.one_of(
    plain,
    st.builds(lambda n, e: f"{n}e{e}", st.integers(0, 10**6), st.integers(-30, 30)),
    st.builds(lambda n, d: f"{n}/{d}", st.integers(0, 10**6), st.integers(1, 10**6)),
    st.builds(lambda n: f"+{n}", plain),
    st.builds(lambda n: "." + n, st.from_regex(r"[0-9]{1,70}", fullmatch=True)),  # long: the careful reader
)


def _files(folder, values: list[str]) -> dict[str, str]:
    files = {
        "a.txt": "".join(f"{v}\n" for v in values),
        "b.csv": "".join(f"{v}\r\n" for v in values),
        "c.csv": "index,mi_nats\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values, 1)),
        "d.csv": "# comment\n\n" + "".join(f"{i}, {v}\n" for i, v in enumerate(values)),
        "e.json": json.dumps(values),
    }
    if all("/" not in v and not v.startswith(("+", ".")) for v in values):
        files["f.json"] = "[" + ",\n ".join(values) + "]"
        files["g.json"] = '{"values": [' + ", ".join(values) + "]}"
    paths = {}
    for name, text in files.items():
        path = folder / name
        path.write_text(text, newline="")
        paths[name] = str(path)
    return paths


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(spelled, min_size=1, max_size=40), st.sampled_from([8, 24, 64, 1 << 20]))
def test_every_format_and_chunk_size_is_exact(tmp_path_factory, monkeypatch_chunk, values, chunk):
    monkeypatch_chunk(chunk)
    expected = [parse_rational(v) for v in values]
    for name, path in _files(tmp_path_factory.mktemp("p"), values).items():
        p = load_profile(path)
        assert p.length == len(values), name
        assert p.total == sum(expected, Fraction(0)), name
        assert p.maximum == max(expected), name
        assert p.values == tuple(expected), name
        assert p._values[len(values) // 2] == expected[len(values) // 2]


@pytest.fixture
def monkeypatch_chunk():
    saved = profile_module.CHUNK

    def set_chunk(size: int) -> None:
        profile_module.CHUNK = size

    yield set_chunk
    profile_module.CHUNK = saved


@pytest.mark.parametrize("chunk", [16, 100, 1 << 20])
@pytest.mark.parametrize(
    "name, text, message",
    [
        ("n.txt", "0.5\n" * 300 + "nan\n", "line 301: 'nan' is not a number"),
        ("n.txt", "0.5\n" * 300 + "\n# c\n-0.25\n", "line 303 has a negative value -0.25"),
        ("n.txt", "0.5\n" * 300 + "1e99999\n", "line 301: '1e99999' has an exponent beyond"),
        ("n.txt", "0.5\n" * 300 + "1" * 4001 + "\n", "line 301: '1111"),
        ("c.csv", "index,v\n" + "".join(f"{i},0.5\n" for i in range(1, 301)) + "302,0.5\n", "line 302 has index 302, expected 301"),
        ("c.csv", "".join(f"{i},0.5\n" for i in range(300)) + "300,0.5,1\n", "line 301 has 3 columns, the file has 2"),
        ("c.csv", "".join(f"{i},0.5\n" for i in range(300)) + "300,-1\n", "line 301 has a negative value -1"),
        ("c.csv", "# only\n# comments\n", "has no values"),
        ("j.json", "[" + "0.5, " * 300 + "-0.5]", "entry 301 has a negative value -0.5"),
        ("j.json", "[" + "0.5, " * 300 + "]", "invalid JSON"),
        ("j.json", "[" + "0.5, " * 300 + "+1]", "invalid JSON"),
        ("j.json", "[" + "0.5, " * 300 + ".5]", "invalid JSON"),
        ("j.json", "[" + "0.5, " * 300 + "05]", "invalid JSON"),
        ("j.json", "[" + "0.5, " * 300 + "1e99999]", "entry 301: '1E+99999' has an exponent beyond"),
        ("j.json", "[" + "0.5, " * 300 + "true]", "entry 301 is true"),
        ("j.json", "[" + "0.5, " * 300 + "0.5", "invalid JSON"),
        ("j.json", "  \n", "is empty"),
    ],
)
def test_errors_name_the_line_across_chunks(tmp_path, monkeypatch_chunk, chunk, name, text, message):
    monkeypatch_chunk(chunk)
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert message in str(info.value)


def test_non_utf8_offset_and_binary_beyond_the_first_chunk(tmp_path, monkeypatch_chunk):
    monkeypatch_chunk(64)
    path = tmp_path / "x.txt"
    path.write_bytes(b"0.5\n" * 100 + b"0.\xe95\n")
    with pytest.raises(ProfileError, match=r"not UTF-8 text \(byte 402\)"):
        load_profile(path)
    path.write_bytes(b"0.5\n" * 100 + b"0\x005\n")
    with pytest.raises(ProfileError, match="binary"):
        load_profile(path)


def test_values_are_read_again_and_a_changed_file_is_refused(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("index,mi\n1,0.25\n2,0.5\n")
    p = load_profile(path)
    assert p.values == (Fraction(1, 4), Fraction(1, 2)) and p.maximum == Fraction(1, 2)
    path.write_text("index,mi\n1,0.25\n2,0.75\n")
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    with pytest.raises(ProfileError, match="changed since it was read"):
        p.values
