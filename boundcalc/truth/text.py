"""A first-order Markov chain estimated from a text corpus.

Tokens (``level``):

* ``"char"``: every Unicode character, whitespace and newlines included
  (``"\\r\\n"`` and ``"\\r"`` are read as ``"\\n"``);
* ``"word"``: the whitespace-separated words (``str.split()``), case kept.

Smoothing: additive (Lidstone) with α = 1/2 by default, over the observed
alphabet S (|S| = V):

    P(y | x) = (n(x, y) + α) / (n(x) + α V),

where n(x, y) counts the bigram x y and n(x) = Σ_y n(x, y). Every entry is
positive, so the chain is irreducible and aperiodic and its stationary
distribution, used as the law of the first token, is unique. (α = 1/2 is the
Krichevsky-Trofimov / Jeffreys estimate.) ``max_states`` keeps the
``max_states - 1`` most frequent tokens (ties broken by first appearance) and
maps the rest to one token ``"<other>"``; the word level caps at 256 by
default, because the exact computation costs O(L V^3).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path

from ..errors import ModelError
from ..files import read_text
from ..exact import Number, to_rational
from .markov import MarkovChain

__all__ = ["LEVELS", "OTHER", "DEFAULT_WORD_STATES", "tokenize", "estimate_markov", "load_text"]

LEVELS = ("char", "word")
#: The token that stands for every token beyond ``max_states - 1``.
OTHER = "<other>"
#: The default cap on word-level states.
DEFAULT_WORD_STATES = 256


def tokenize(text: str, level: str = "char") -> list[str]:
    """The token sequence of ``text`` at ``level`` ("char" or "word")."""
    if level not in LEVELS:
        raise ModelError(f"unknown level {level!r}", param="--level", allowed="char or word")
    if level == "word":
        return text.split()
    return list(text.replace("\r\n", "\n").replace("\r", "\n"))


def estimate_markov(
    text: str,
    level: str = "char",
    *,
    smoothing: Number = Fraction(1, 2),
    max_states: int | None = None,
    source: str = "",
) -> MarkovChain:
    """The smoothed bigram chain of ``text`` (module docstring), with the stationary initial law.

    >>> chain = estimate_markov("abab")
    >>> chain.states, [round(float(p), 4) for p in chain.transition[0]]
    (('a', 'b'), [0.1667, 0.8333])
    """
    import numpy as np

    where = source or "--text"
    tokens = tokenize(text, level)
    if not tokens:
        raise ModelError(f"the text has no {'characters' if level == 'char' else 'words'}", param=where,
                         allowed="a non-empty UTF-8 text")
    alpha = to_rational(smoothing, "smoothing")
    if alpha <= 0:
        raise ModelError(f"smoothing = {alpha} is not allowed", param="smoothing", allowed="a positive number")
    if max_states is None and level == "word":
        max_states = DEFAULT_WORD_STATES
    counts = Counter(tokens)
    order = {t: k for k, t in enumerate(dict.fromkeys(tokens))}
    states = sorted(counts, key=lambda t: (-counts[t], order[t]))
    if max_states is not None:
        if isinstance(max_states, bool) or not isinstance(max_states, int) or max_states < 2:
            raise ModelError(f"max_states = {max_states!r}", param="--max-states", allowed="an integer >= 2")
        if len(states) > max_states:
            kept = set(states[: max_states - 1])
            tokens = [t if t in kept else OTHER for t in tokens]
            states = states[: max_states - 1] + [OTHER]
    # a fixed, readable order: the kept tokens sorted, <other> last
    states = sorted(s for s in states if s != OTHER) + ([OTHER] if OTHER in states else [])
    index = {t: k for k, t in enumerate(states)}
    V = len(states)
    seq = np.fromiter((index[t] for t in tokens), dtype=np.int64, count=len(tokens))
    n = np.zeros((V, V))
    np.add.at(n, (seq[:-1], seq[1:]), 1.0)
    a = float(alpha)
    P = (n + a) / (n.sum(axis=1, keepdims=True) + a * V)
    corpus = {"tokens": len(tokens), "level": level, "smoothing": str(alpha), "states": V}
    return MarkovChain.from_matrix(states, P, source=source or "text", corpus=corpus)


def load_text(
    path: str | Path,
    level: str = "char",
    *,
    smoothing: Number = Fraction(1, 2),
    max_states: int | None = None,
) -> MarkovChain:
    """:func:`estimate_markov` on a UTF-8 file; clear errors for missing, binary or non-UTF-8 files."""
    name = str(path)
    text = read_text(path, ModelError, "--text", "UTF-8 text", allow_empty=True)  # estimate_markov explains
    return estimate_markov(text, level, smoothing=smoothing, max_states=max_states, source=name)

