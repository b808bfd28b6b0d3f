"""Word-level bigram counts of load_text / estimate_markov equal a plain-Python count, exactly.

The counts are integers: they are compared exactly (as {(state, state): count}), on
random texts whose chunk boundaries fall inside words and inside multi-byte UTF-8
characters, with every way the counts can be gathered (token ids kept from the first
pass, dense token bigrams, a second reading) and with the "<other>" cap.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from boundcalc.truth import text as text_module
from boundcalc.truth.text import OTHER, estimate_markov, load_text


def _plain_count(text: str, max_states: int) -> tuple[tuple[str, ...], Counter, int]:
    """States, {(a, b): count} and token count: str.split, Counter, the cap by hand."""
    words = text.split()
    frequency = Counter(words)
    first = {w: k for k, w in reversed(list(enumerate(words)))}
    ranked = sorted(frequency, key=lambda w: (-frequency[w], first[w]))
    if len(ranked) > max_states:
        kept = set(ranked[: max_states - 1])
        words = [w if w in kept else OTHER for w in words]
        ranked = ranked[: max_states - 1] + [OTHER]
    states = tuple(sorted(w for w in ranked if w != OTHER)) + ((OTHER,) if OTHER in ranked else ())
    return states, Counter(zip(words, words[1:])), len(words)


class _Recorder:
    """Wraps text._state_bigrams: the states and integer counts behind the last chain."""

    def __init__(self, monkeypatch):
        self.original = text_module._state_bigrams
        self.last: tuple | None = None
        monkeypatch.setattr(text_module, "_state_bigrams", self)

    def __call__(self, *args):
        self.last = self.original(*args)
        return self.last

    def pairs(self) -> tuple[tuple[str, ...], Counter, int]:
        states, n, tokens = self.last
        assert n.dtype.kind == "i"
        found = Counter({(states[a], states[b]): int(n[a, b]) for a, b in zip(*n.nonzero())})
        return tuple(states), found, tokens


def _check(recorder, text: str, max_states: int | None, path) -> None:
    expected = _plain_count(text, 256 if max_states is None else max_states)
    path.write_bytes(text.encode("utf-8"))
    for chain in (load_text(path, "word", max_states=max_states), estimate_markov(text, "word", max_states=max_states)):
        assert recorder.pairs() == expected
        assert chain.states == expected[0] and chain.corpus["tokens"] == expected[2]


words = st.sampled_from(["a", "ab", "caf\u00e9", "\u4e2d\u6587", "\U0001f600x", "<other>", "w", "na\u00efve", "zz", "q"])
spaces = st.sampled_from([" ", "\n", "  ", "\t", "\r\n", "\u00a0", "\u2028", "\u3000"])
texts = st.lists(st.tuples(words, spaces), min_size=1, max_size=60).map(lambda ws: "".join(w + s for w, s in ws))
#: (CHUNK, _KEPT_IDS, _DENSE_TOKENS): chunks of a few bytes / characters cut words and characters;
#: ids kept throughout, kept then dense, kept then a second reading, dense, dense then a second reading
SETTINGS = [(1 << 20, 1 << 23, 2048), (3, 1 << 23, 2048), (2, 4, 2048), (5, 4, 3), (7, 1, 2), (1, 2, 2048)]


@settings(max_examples=80, deadline=None)
@given(texts, st.sampled_from([None, 2, 3, 5]), st.sampled_from(SETTINGS), st.booleans())
def test_word_counts_equal_a_plain_count(tmp_path_factory, text, max_states, sizes, lead):
    text = (" " if lead else "") + text
    with pytest.MonkeyPatch.context() as patch:
        recorder = _Recorder(patch)
        patch.setattr(text_module, "CHUNK", sizes[0])
        patch.setattr(text_module, "_KEPT_IDS", sizes[1])
        patch.setattr(text_module, "_DENSE_TOKENS", sizes[2])
        _check(recorder, text, max_states, tmp_path_factory.mktemp("w") / "corpus.txt")


@pytest.mark.parametrize("kept, dense", [(1 << 23, 2048), (5000, 2048), (5000, 100), (0, 2048), (0, 100)])
def test_many_words_and_the_cap(monkeypatch, tmp_path, kept, dense):
    """600 distinct words, Zipf-like, in 4 kB chunks: the default cap of 256, and no cap."""
    import random

    rng = random.Random(7)
    vocabulary = [f"w{k}\u00e9" if k % 3 else f"\u4e2d{k}" for k in range(600)]
    weights = [1 / (k + 1) for k in range(600)]
    text = " ".join(rng.choices(vocabulary, weights, k=8000)) + "\n" + " ".join(vocabulary)
    recorder = _Recorder(monkeypatch)
    monkeypatch.setattr(text_module, "CHUNK", 4096)
    monkeypatch.setattr(text_module, "_KEPT_IDS", kept)
    monkeypatch.setattr(text_module, "_DENSE_TOKENS", dense)
    _check(recorder, text, None, tmp_path / "corpus.txt")
    assert recorder.last[1].shape == (256, 256) and recorder.last[0][-1] == OTHER
    _check(recorder, text, 600, tmp_path / "corpus.txt")  # every word a state, no <other>
    assert OTHER not in recorder.last[0] and len(recorder.last[0]) == 600
