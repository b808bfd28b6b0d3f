"""The streamed bigram estimate equals the whole-text estimate (the reference below), chunk boundaries included."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boundcalc.truth import text as text_module
from boundcalc.truth.text import OTHER, estimate_markov, load_text, tokenize


def _reference(text: str, level: str, max_states: int | None) -> tuple[tuple, np.ndarray, int]:
    """States, bigram counts and token count the direct way: the whole token list, a Counter, a loop."""
    tokens = tokenize(text, level)
    if max_states is None and level == "word":
        max_states = 256
    counts = Counter(tokens)
    order = {t: k for k, t in enumerate(dict.fromkeys(tokens))}
    states = sorted(counts, key=lambda t: (-counts[t], order[t]))
    if max_states is not None and len(states) > max_states:
        kept = set(states[: max_states - 1])
        tokens = [t if t in kept else OTHER for t in tokens]
        states = states[: max_states - 1] + [OTHER]
    states = sorted(s for s in states if s != OTHER) + ([OTHER] if OTHER in states else [])
    index = {t: k for k, t in enumerate(states)}
    n = np.zeros((len(states), len(states)))
    for a, b in zip(tokens, tokens[1:]):
        n[index[a], index[b]] += 1
    return tuple(states), n, len(tokens)


alphabet = st.sampled_from(list("ab c\r\n\t\u00e9\u4e2d\U0001f600\u2028\u00a0x") + ["\r\n", " the ", "<other>"])


@pytest.fixture
def chunk_size():
    saved = text_module.CHUNK, text_module._DENSE_TOKENS

    def set_size(size: int, dense: int = saved[1]) -> None:
        text_module.CHUNK, text_module._DENSE_TOKENS = size, dense

    yield set_size
    text_module.CHUNK, text_module._DENSE_TOKENS = saved


@settings(max_examples=60, deadline=None)
@given(
    st.lists(alphabet, min_size=1, max_size=80).map("".join),
    st.sampled_from(["char", "word"]),
    st.sampled_from([None, 2, 3, 5]),
    st.sampled_from([(1, 2048), (3, 2048), (7, 2), (1 << 20, 2048), (5, 4)]),
)
def test_streamed_equals_whole_text(tmp_path_factory, text, level, max_states, sizes):
    states, n, count = _reference(text, level, max_states)
    if count == 0:
        return
    saved = text_module.CHUNK, text_module._DENSE_TOKENS
    text_module.CHUNK, text_module._DENSE_TOKENS = sizes
    try:
        path = tmp_path_factory.mktemp("t") / "corpus.txt"
        path.write_bytes(text.encode("utf-8"))
        for chain in (estimate_markov(text, level, max_states=max_states), load_text(path, level, max_states=max_states)):
            V = len(states)
            P = (n + 0.5) / (n.sum(axis=1, keepdims=True) + 0.5 * V)
            assert chain.states == states
            assert chain.corpus["tokens"] == count
            np.testing.assert_allclose(chain.transition, P / P.sum(axis=1, keepdims=True), rtol=0, atol=1e-15)
    finally:
        text_module.CHUNK, text_module._DENSE_TOKENS = saved


def test_too_many_states_is_refused_with_advice(chunk_size):
    chunk_size(1 << 20)
    text = "".join(map(chr, range(0x4E00, 0x4E00 + 5000)))
    with pytest.raises(Exception, match="too many states.*max_states"):
        estimate_markov(text)
    assert estimate_markov(text, max_states=16).vocab_size == 16
