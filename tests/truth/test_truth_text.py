"""Text corpora: tokenisation, the smoothed bigram estimate, files, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from boundcalc.errors import ModelError
from boundcalc.truth import estimate_markov, exact_error, load_text, mi_profile, tokenize
from boundcalc.truth.text import OTHER


def test_tokenize():
    assert tokenize("ab\r\nc\rd") == ["a", "b", "\n", "c", "\n", "d"]
    assert tokenize("  the cat\nsat  ", "word") == ["the", "cat", "sat"]
    with pytest.raises(ModelError, match="unknown level"):
        tokenize("x", "byte")


def test_add_half_smoothing_exactly():
    chain = estimate_markov("aab")
    # bigrams aa, ab: n(a,a) = 1, n(a,b) = 1, n(b, .) = 0; V = 2, alpha = 1/2
    assert chain.states == ("a", "b")
    assert chain.transition[0] == pytest.approx([1.5 / 3, 1.5 / 3], abs=1e-15)
    assert chain.transition[1] == pytest.approx([0.5, 0.5], abs=1e-15)
    assert chain.initial @ chain.transition == pytest.approx(chain.initial, abs=1e-15)
    assert chain.corpus == {"tokens": 3, "level": "char", "smoothing": "1/2", "states": 2}


def test_smoothing_parameter_and_positivity():
    chain = estimate_markov("the cat sat on the mat the end", "word", smoothing="0.1")
    assert np.all(chain.transition > 0)
    assert np.allclose(chain.transition.sum(axis=1), 1, atol=1e-15)
    with pytest.raises(ModelError, match="smoothing"):
        estimate_markov("abc", smoothing=0)


def test_max_states_folds_rare_tokens():
    text = "a" * 10 + "b" * 5 + "c" * 2 + "d"
    chain = estimate_markov(text, max_states=3)
    assert chain.states == ("a", "b", OTHER)
    words = estimate_markov(" ".join(f"w{i}" for i in range(400)), "word")
    assert words.vocab_size == 256 and words.states[-1] == OTHER


def test_single_token_and_single_state():
    chain = estimate_markov("x")
    assert chain.vocab_size == 1
    assert exact_error(chain, "uniform:2", length=8) == 0.0


def test_empty_and_bad_files(tmp_path):
    with pytest.raises(ModelError, match="no characters"):
        estimate_markov("")
    with pytest.raises(ModelError, match="no words"):
        estimate_markov("   \n ", "word")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\u00e9".encode("latin-1"))
    with pytest.raises(ModelError, match="not UTF-8 text") as info:
        load_text(bad)
    assert "latin1.txt" in str(info.value)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"ab\x00cd")
    with pytest.raises(ModelError, match="binary"):
        load_text(binary)
    with pytest.raises(ModelError, match="does not exist"):
        load_text(tmp_path / "missing.txt")
    with pytest.raises(ModelError, match="is a directory"):
        load_text(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ModelError, match="no characters"):
        load_text(empty)


def test_corpus_to_profile(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the quick brown fox jumps over the lazy dog\n" * 20, encoding="utf-8")
    chain = load_text(corpus)
    profile = mi_profile(chain, length=64)
    assert profile.length == 64 and profile.total > 0
    assert chain.source == str(corpus)
