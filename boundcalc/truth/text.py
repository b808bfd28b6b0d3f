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

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from ..errors import ModelError
from ..files import read_text_chunks
from ..exact import Number, to_rational
from .markov import MarkovChain

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["LEVELS", "OTHER", "DEFAULT_WORD_STATES", "tokenize", "estimate_markov", "load_text"]

LEVELS = ("char", "word")
#: The token that stands for every token beyond ``max_states - 1``.
OTHER = "<other>"
#: The default cap on word-level states.
DEFAULT_WORD_STATES = 256


def tokenize(text: str, level: str = "char") -> list[str]:
    """The token sequence of ``text`` at ``level`` ("char" or "word")."""
    if level not in LEVELS:
        raise ModelError(f"unknown level {level!r}", param="level", allowed="char or word")
    if level == "word":
        return text.split()
    return list(text.replace("\r\n", "\n").replace("\r", "\n"))


#: Characters (or bytes of a file) handled at a time: memory does not grow with the corpus.
CHUNK = 1 << 20
# Bigrams are counted on the tokens as they come while there are at most this many
# distinct tokens (a dense matrix of counts); beyond, a second pass counts them on
# the final states only.
_DENSE_TOKENS = 2048
# At the word level, the token ids of the first pass (4 bytes a token) are kept while
# there are at most this many, and the bigrams of the final states counted from them
# (no second reading: a 10 MB text has about 2 million words); beyond, as above.
_KEPT_IDS = 1 << 23
#: More states than this are refused (the V x V chain would not fit): use max_states.
MAX_TEXT_STATES = 4096


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

    def chunks() -> Iterator[str]:
        for start in range(0, len(text), CHUNK):
            yield text[start : start + CHUNK]

    return _estimate(chunks, level, smoothing, max_states, source)


def load_text(
    path: str | Path,
    level: str = "char",
    *,
    smoothing: Number = Fraction(1, 2),
    max_states: int | None = None,
) -> MarkovChain:
    """:func:`estimate_markov` on a UTF-8 file, streamed; clear errors for missing, binary or non-UTF-8 files.

    The file is read in chunks, so memory does not grow with its size: once,
    or a second time when it has more than 2048 distinct tokens and (at the
    word level) more than 2^23 words.
    """

    def chunks() -> Iterator[str]:  # an empty file: _estimate explains
        return read_text_chunks(path, ModelError, None, "UTF-8 text", size=CHUNK, allow_empty=True)

    return _estimate(chunks, level, smoothing, max_states, str(path))


def _token_pieces(chunks: Iterable[str], level: str) -> Iterator[str]:
    """The chunks re-cut so that no token spans two pieces, newlines normalized (chars)."""
    carry = ""
    for chunk in chunks:
        text = carry + chunk if carry else chunk
        if level == "char":
            carry = "\r" if text.endswith("\r") else ""  # it may begin a "\r\n"
            if carry:
                text = text[:-1]
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
        else:
            # a word cut by the chunk's end waits for the rest: cut after the last whitespace
            # (rsplit: str.split's whitespace, Unicode spaces included, scanned from the end only)
            end = len(text) - len(text.rsplit(None, 1)[-1]) if text and not text[-1].isspace() else len(text)
            text, carry = text[:end], text[end:]
        if text:
            yield text
    if carry:
        yield "\n" if level == "char" else carry


class _WordIds(dict):
    """Word -> id; a word not seen yet gets the next id (ids in order of first appearance)."""

    def __missing__(self, word: str) -> int:
        self[word] = len(self)
        return len(self) - 1


class _Vocabulary:
    """Token ids in order of first appearance, over a stream of pieces."""

    def __init__(self, level: str):
        import numpy as np

        self.level = level
        self._names: list[str] = []
        self._table = np.full(0x110000, -1, dtype=np.int32) if level == "char" else None
        self._index = _WordIds()

    @property
    def size(self) -> int:
        return len(self._names) if self._table is not None else len(self._index)

    @property
    def names(self) -> list[str]:
        """The tokens by id."""
        return self._names if self._table is not None else list(self._index)

    def ids(self, piece: str) -> "np.ndarray":
        import numpy as np

        if self._table is not None:  # characters: a lookup table by code point
            points = np.frombuffer(piece.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            ids = self._table[points]
            if ids.min() < 0:
                new = points[ids < 0]
                unique, first = np.unique(new, return_index=True)
                unique = unique[np.argsort(first, kind="stable")]
                self._table[unique] = np.arange(len(self._names), len(self._names) + len(unique))
                self._names.extend(map(chr, unique.tolist()))
                ids = self._table[points]
            return ids
        words = piece.split()  # one dict lookup per word; new words numbered on the way (_WordIds)
        return np.fromiter(map(self._index.__getitem__, words), dtype=np.int32, count=len(words))


def _estimate(
    chunks: Callable[[], Iterable[str]], level: str, smoothing: Number, max_states: int | None, source: str
) -> MarkovChain:
    import numpy as np

    where = source or "text"
    if level not in LEVELS:
        raise ModelError(f"unknown level {level!r}", param="level", allowed="char or word")
    alpha = to_rational(smoothing, "smoothing")
    if alpha <= 0:
        raise ModelError(f"smoothing = {alpha} is not allowed", param="smoothing", allowed="a positive number")
    if max_states is None and level == "word":
        max_states = DEFAULT_WORD_STATES
    if max_states is not None and (isinstance(max_states, bool) or not isinstance(max_states, int) or max_states < 2):
        raise ModelError(f"max_states = {max_states!r}", param="max_states", allowed="an integer >= 2")

    states, n, tokens = _state_bigrams(chunks, level, max_states, where)
    V = len(states)
    bigrams = n.astype(np.float64)
    a = float(alpha)
    P = (bigrams + a) / (bigrams.sum(axis=1, keepdims=True) + a * V)
    corpus = {"tokens": tokens, "level": level, "smoothing": str(alpha), "states": V}
    return MarkovChain.from_matrix(states, P, source=source or "text", corpus=corpus)


def _state_bigrams(
    chunks: Callable[[], Iterable[str]], level: str, max_states: int | None, where: str
) -> tuple[list[str], "np.ndarray", int]:
    """The states (module docstring), the V x V integer counts of their bigrams, and the number of tokens."""
    import numpy as np

    vocabulary = _Vocabulary(level)
    counts, pairs, kept = _first_pass(_token_pieces(chunks(), level), vocabulary, _KEPT_IDS if level == "word" else 0)
    names = vocabulary.names
    if not names:
        raise ModelError(f"the text has no {'characters' if level == 'char' else 'words'}", param=where,
                         allowed="a non-empty UTF-8 text")
    counts = counts[: len(names)]

    # the states: the most frequent tokens (ties: first appearance), the rest folded into OTHER
    by_frequency = np.lexsort((np.arange(len(names)), -counts))  # ids, most frequent first
    states = [names[i] for i in by_frequency.tolist()]
    kept_ids = by_frequency
    if max_states is not None and len(states) > max_states:
        kept_ids = by_frequency[: max_states - 1]
        states = states[: max_states - 1] + [OTHER]
    states = sorted(s for s in states if s != OTHER) + ([OTHER] if OTHER in states else [])
    index = {t: k for k, t in enumerate(states)}
    V = len(states)
    if V > MAX_TEXT_STATES:
        raise ModelError(
            f"the text has {V} distinct {'characters' if level == 'char' else 'words'}, too many states",
            param=where,
            allowed=f"at most {MAX_TEXT_STATES}; keep fewer states (max_states)",
        )
    final = np.full(len(names), index.get(OTHER, -1), dtype=np.int32)  # token id -> state
    final[kept_ids] = [index[names[i]] for i in kept_ids.tolist()]

    n = np.zeros(V * V, dtype=np.int64)
    if pairs is not None:  # fold the token bigrams into state bigrams
        used = len(names)
        np.add.at(n, (final[:, None] * V + final[None, :]).ravel(), pairs[:used, :used].ravel())
    else:  # the bigrams of the states: from the token ids kept by the first pass, or a second pass
        previous = -1
        pieces = kept if kept is not None else map(vocabulary.ids, _token_pieces(chunks(), level))
        for ids in pieces:
            if len(ids):
                n += _bigram_counts(final[ids], final[previous] if previous >= 0 else -1, V).ravel()
                previous = int(ids[-1])
    return states, n.reshape(V, V), int(counts.sum())


def _first_pass(
    pieces: Iterable[str], vocabulary: "_Vocabulary", keep: int
) -> tuple["np.ndarray", "np.ndarray | None", "list[np.ndarray] | None"]:
    """Token counts, and either the token ids themselves while there are at most ``keep`` of them, or
    the bigram counts of the token ids while there are at most _DENSE_TOKENS distinct, or neither."""
    import numpy as np

    counts = np.zeros(0, dtype=np.int64)
    kept: "list[np.ndarray] | None" = [] if keep > 0 else None
    pairs: "np.ndarray | None" = None if keep > 0 else np.zeros((0, 0), dtype=np.int64)
    previous, total = -1, 0
    for piece in pieces:
        ids = vocabulary.ids(piece)
        if not len(ids):
            continue
        size = vocabulary.size
        if size > len(counts):
            counts = np.concatenate([counts, np.zeros(max(size, 2 * len(counts)) - len(counts), dtype=np.int64)])
        counts += np.bincount(ids, minlength=len(counts))
        if kept is not None:
            kept.append(ids)
            total += len(ids)
            if total > keep:  # too many to keep: their bigrams now, or a second pass
                pairs = _dense_pairs(kept, size) if size <= _DENSE_TOKENS else None
                kept = None
        elif pairs is not None:
            if size > _DENSE_TOKENS:
                pairs = None  # too many tokens: a second pass counts on the final states
            else:
                if size > len(pairs):
                    grown = np.zeros((min(max(size, 2 * len(pairs), 16), _DENSE_TOKENS),) * 2, dtype=np.int64)
                    grown[: len(pairs), : len(pairs)] = pairs
                    pairs = grown
                pairs += _bigram_counts(ids, previous, len(pairs))
        previous = int(ids[-1])
    return counts, pairs, kept


def _dense_pairs(pieces: "list[np.ndarray]", size: int) -> "np.ndarray":
    """The size x size bigram counts of the concatenated ``pieces`` of token ids (all < size)."""
    import numpy as np

    pairs = np.zeros((size, size), dtype=np.int64)
    previous = -1
    for ids in pieces:
        pairs += _bigram_counts(ids, previous, size)
        previous = int(ids[-1])
    return pairs


def _bigram_counts(ids: "np.ndarray", previous: int, size: int) -> "np.ndarray":
    """The size x size counts of the bigrams of ``ids``, preceded by the token ``previous`` (-1: none)."""
    import numpy as np

    keys = ids[:-1] * size + ids[1:]  # < 2^31: size <= MAX_TEXT_STATES
    counts = np.zeros(size * size, dtype=np.int64)
    found = np.bincount(keys)
    counts[: len(found)] = found
    if previous >= 0:
        counts[previous * size + ids[0]] += 1
    return counts.reshape(size, size)
