"""Explicit joint distributions over 𝒳^L and their entropies of all 2^L marginals.

A :class:`JointDistribution` holds the outcomes with positive probability.
Every quantity of the ground truth follows from the table H(A) = H(X∘A) of
the entropies of all 2^L marginals, which one depth-first walk over the
subsets computes:

* **dense** (the table as an array of shape (V,)*L): the marginal of A is the
  marginal of A ∪ {j} summed over axis j, for the j removed last, so each of
  the 2^L marginals costs one summation of its parent: Σ_A V^(|A|+1) cell
  additions and Σ_A V^|A| = (V+1)^L logarithms in all, with only the arrays on
  the current path (at most twice the table) alive;
* **sparse** (N outcomes listed): the outcomes are grouped by their tokens on
  A, refining the grouping of A \\ {max A} by one column; N log N per subset,
  2^L N log N in all. Chosen when it is cheaper, e.g. few outcomes over a
  large vocabulary.

Sizes that would not finish are refused before anything is allocated, with
the estimated cost (:meth:`JointDistribution.cost`).

Probabilities are validated exactly (``boundcalc.exact``): exact inputs
(strings such as ``"0.25"`` or ``"1/3"``, ints, Fractions, Decimals) must sum
to exactly 1, floats to within 1e-12 (``normalize=True`` divides by the sum
instead); the entropies are then computed in float64 (docs/truth.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import DomainError, InvalidNumberError, ModelError
from .core import EPS64, FLOAT_TOLERANCE, EntropyProfile, Progress, exact_probabilities

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["JointDistribution", "FLOAT_TOLERANCE", "MAX_WORK", "MAX_JOINT_LENGTH", "MAX_DENSE_CELLS"]

#: Float probabilities must sum to 1 within this (exact inputs: exactly).
#: Work units (cell operations; see :meth:`JointDistribution.cost`) above which a table is refused.
MAX_WORK = 1.5e10
#: 2^L entropies are kept, so L is capped (2^22 floats = 32 MB).
MAX_JOINT_LENGTH = 22
#: The dense table (and the marginals along one path, at most as much again) must fit.
MAX_DENSE_CELLS = 2**25
# Calibrated on a 2-core machine (benchmarks/bench_truth.py): work units per second, and
# the Python cost of one subset, expressed in work units.
WORK_PER_SECOND = 5e8
NODE_WORK = 1500.0

Token = Any


def _token_key(token: Token) -> tuple[int, Any]:
    return (0, token) if isinstance(token, int) else (1, token)


@dataclass(frozen=True, eq=False)
class _Parsed:
    codes: "np.ndarray"  # N x L int64
    probabilities: "np.ndarray"  # N float64, > 0
    vocabulary: tuple


class JointDistribution:
    """A distribution over sequences of L tokens, given by its outcomes.

    >>> j = JointDistribution.from_outcomes([["a", "a"], ["b", "b"]], ["1/2", "1/2"])
    >>> j.length, j.vocab_size, round(j.entropy_profile().mi_total(), 12)
    (2, 2, 1.38629436112)
    """

    def __init__(self, codes: "np.ndarray", probabilities: "np.ndarray", vocabulary: Sequence[Token], source: str = ""):
        import numpy as np

        codes = np.ascontiguousarray(codes, dtype=np.int64)
        probabilities = np.asarray(probabilities, dtype=np.float64)
        if codes.ndim != 2 or codes.shape[0] != probabilities.shape[0] or codes.shape[1] < 1:
            raise ModelError("outcomes and probabilities do not match", param=source or "joint")
        keep = probabilities > 0
        if not keep.all():
            codes, probabilities = codes[keep], probabilities[keep]
        self.codes = codes
        self.probabilities = probabilities / _fsum(probabilities)
        self.vocabulary = tuple(vocabulary)
        self.source = source
        self._entropies: "np.ndarray | None" = None
        self._sums: "tuple[np.ndarray, np.ndarray] | None" = None
        #: The exact probabilities (Fractions, aligned with ``codes``) when the table was given exactly.
        self.exact_probabilities: "tuple[Fraction, ...] | None" = None
        if self.codes.shape[0] == 0:
            raise ModelError("no outcome has positive probability", param=source or "joint")

    # -- constructors -------------------------------------------------------------
    @classmethod
    def from_outcomes(
        cls,
        outcomes: Sequence[Sequence[Token]],
        probabilities: Sequence[Any],
        *,
        normalize: bool = False,
        source: str = "",
    ) -> "JointDistribution":
        """Outcomes (sequences of str or int tokens) and their probabilities.

        Errors (:class:`ModelError`, naming ``source`` and the entry): no
        outcomes, a count mismatch, outcomes of different lengths, tokens that
        are not str/int, duplicate outcomes, negative or malformed
        probabilities, and a sum other than 1 (exactly for exact inputs, within
        1e-12 when any probability is a float) unless ``normalize``.
        """
        import numpy as np

        where = source or "joint"
        if not isinstance(outcomes, (list, tuple)) or not outcomes:
            raise ModelError("there are no outcomes", param=where, allowed='"outcomes": a non-empty list of token lists')
        if not isinstance(probabilities, (list, tuple)) or len(probabilities) != len(outcomes):
            got = len(probabilities) if isinstance(probabilities, (list, tuple)) else type(probabilities).__name__
            raise ModelError(
                f"{len(outcomes)} outcomes but {got} probabilities", param=where, allowed="one probability per outcome"
            )
        first = outcomes[0]
        if isinstance(first, (list, tuple)) and first:
            # refuse what could never be computed before reading further (V: the fewest values N outcomes need)
            _refuse_cost(len(first), _least_vocabulary(len(outcomes), len(first)), len(outcomes), where)
        fast = _fast_outcomes(outcomes, probabilities, normalize, where)
        if fast is not None:
            return cls(fast[0], fast[1], fast[2], source)
        length = None
        seen: dict[tuple, int] = {}
        for k, outcome in enumerate(outcomes, 1):
            if not isinstance(outcome, (list, tuple)) or not outcome:
                raise ModelError(f"outcome {k} is {outcome!r}", param=where, allowed="a non-empty list of tokens")
            for token in outcome:
                if isinstance(token, bool) or not isinstance(token, (str, int)):
                    raise ModelError(
                        f"outcome {k} has the token {token!r}", param=where, allowed="tokens are strings or integers"
                    )
            if length is None:
                length = len(outcome)
            elif len(outcome) != length:
                raise ModelError(
                    f"outcome {k} has {len(outcome)} tokens, outcome 1 has {length}",
                    param=where,
                    allowed="every outcome has the same length L",
                )
            key = tuple(_token_key(t) for t in outcome)
            if key in seen:
                raise ModelError(
                    f"outcome {k} repeats outcome {seen[key]} ({list(outcome)!r})",
                    param=where,
                    allowed="each outcome listed once",
                )
            seen[key] = k
        exact, total = exact_probabilities(
            probabilities,
            where=where,
            normalize=normalize,
            entry=lambda k: f"probability {k}",
            sums="the probabilities sum",
            zero_allowed="a positive total",
            float_allowed="within 1e-12 for floats; or normalize, to rescale",
            exact_allowed="exactly 1 for exact values; or normalize, to rescale",
        )
        vocabulary = sorted({_token_key(t) for outcome in outcomes for t in outcome})
        index = {key: n for n, key in enumerate(vocabulary)}
        codes = np.array([[index[_token_key(t)] for t in outcome] for outcome in outcomes], dtype=np.int64)
        probs = np.array([float(x / total) for x in exact], dtype=np.float64)
        table = cls(codes, probs, [key[1] for key in vocabulary], source)
        positive = [x / total for x in exact if x > 0]
        if len(positive) == table.support_size:  # the exact inputs, for the exact sampler laws (truth/adaptive.py)
            table.exact_probabilities = tuple(positive)
        return table

    @classmethod
    def from_array(cls, table: Any, *, normalize: bool = False, source: str = "", vocabulary: Sequence[Token] | None = None) -> "JointDistribution":
        """A dense array of shape (V,)*L with p(x) at index x (floats: sum within 1e-12 of 1).

        The shape is read first (without converting nested lists), and a table
        with L > MAX_JOINT_LENGTH or more than MAX_DENSE_CELLS cells is refused
        before anything is converted or allocated.
        """
        import numpy as np

        where = source or "joint"
        shape = _shape_of(table)
        if shape is not None and len(shape) >= 1 and len(set(shape)) == 1 and shape[0] >= 1:
            _refuse_dense_shape(shape[0], len(shape), where)
        arr = np.asarray(table, dtype=np.float64)
        if arr.ndim < 1 or len(set(arr.shape)) != 1 or arr.shape[0] < 1:
            raise ModelError(f"the table has shape {arr.shape}", param=where, allowed="shape (V, V, ..., V): L equal axes")
        _refuse_dense_shape(arr.shape[0], arr.ndim, where)
        flat = arr.reshape(-1)
        if not np.all(np.isfinite(flat)) or np.any(flat < 0):
            raise ModelError("the table has negative or non-finite entries", param=where, allowed="probabilities >= 0")
        total = _fsum(flat)
        if total <= 0:
            raise ModelError("the table sums to 0", param=where)
        if not normalize and abs(Fraction(total) - 1) > FLOAT_TOLERANCE:
            raise ModelError(
                f"the table sums to {total!r}, not 1", param=where, allowed="within 1e-12; use normalize to rescale"
            )
        V = arr.shape[0]
        vocab = list(range(V)) if vocabulary is None else list(vocabulary)
        if len(vocab) != V:
            raise ModelError(f"{len(vocab)} vocabulary entries for {V} values", param=where)
        nz = np.flatnonzero(flat)
        # the tokens of each outcome are the digits of its flat index in base V
        if V & (V - 1) == 0:  # a power of two: shifts and masks
            bits = V.bit_length() - 1
            codes = (nz[:, None] >> (bits * np.arange(arr.ndim - 1, -1, -1, dtype=np.int64))) & (V - 1)
        else:
            digits = np.empty((arr.ndim, len(nz)), dtype=np.int64)
            rest = nz
            for axis in range(arr.ndim - 1, -1, -1):
                rest, digits[axis] = np.divmod(rest, V)
            codes = np.ascontiguousarray(digits.T)
        return cls(codes, flat[nz], vocab, source)

    @classmethod
    def from_dict(cls, data: Any, *, normalize: bool = False, source: str = "") -> "JointDistribution":
        """The JSON form ``{"outcomes": [[...], ...], "probabilities": [...]}``."""
        where = source or "joint"
        if not isinstance(data, dict) or "outcomes" not in data or "probabilities" not in data:
            raise ModelError(
                "expected an object with \"outcomes\" and \"probabilities\"",
                param=where,
                allowed='{"outcomes": [["a","b"], ...], "probabilities": ["0.25", ...]}',
            )
        unknown = set(data) - {"outcomes", "probabilities", "description"}
        if unknown:
            raise ModelError(f"unknown keys {sorted(unknown)}", param=where, allowed="outcomes, probabilities, description")
        probs = [_json_number(p) for p in data["probabilities"]] if isinstance(data["probabilities"], list) else data["probabilities"]
        return cls.from_outcomes(data["outcomes"], probs, normalize=normalize, source=source)

    # -- views -----------------------------------------------------------------------
    @property
    def length(self) -> int:
        """L, the number of tokens per outcome."""
        return int(self.codes.shape[1])

    @property
    def vocab_size(self) -> int:
        """V, the number of distinct tokens (over all positions)."""
        return len(self.vocabulary)

    @property
    def support_size(self) -> int:
        """N, the number of outcomes with positive probability."""
        return int(self.codes.shape[0])

    def __repr__(self) -> str:
        return f"JointDistribution(L={self.length}, V={self.vocab_size}, N={self.support_size}, source={self.source!r})"

    def dense(self) -> "np.ndarray":
        """The table as an array of shape (V,)*L (refused beyond MAX_DENSE_CELLS cells)."""
        import numpy as np

        cells = self.vocab_size**self.length
        if cells > MAX_DENSE_CELLS:
            raise DomainError(f"a dense table of V^L = {cells:.3g} cells is too large", param=self.source or "joint")
        arr = np.zeros((self.vocab_size,) * self.length)
        arr[tuple(self.codes.T)] = self.probabilities
        return arr

    def cost(self) -> dict[str, Any]:
        """The estimated work of both algorithms and the one that will be used.

        dense: Σ_A V^(|A|+1) cell additions + (V+1)^L logarithms ~ 2 (V+1)^L;
        sparse: N (log2 N + 2) per subset. Both plus a per-subset overhead.
        ``method`` is None when neither fits (then :meth:`subset_entropies` refuses).
        """
        return _cost(self.length, self.vocab_size, self.support_size)

    # -- the entropies of all marginals ---------------------------------------------------
    def subset_entropies(self, progress: Progress | None = None) -> "np.ndarray":
        """H[mask] = H(X∘A) in nats, A = {j : bit j of mask set} (positions 0-based); cached."""
        if self._entropies is not None:
            return self._entropies
        cost = self.cost()
        if cost["method"] is None:
            _refuse_cost(self.length, self.vocab_size, self.support_size, self.source or "joint")
        H = self._dense_entropies(progress) if cost["method"] == "dense" else self._sparse_entropies(progress)
        H.setflags(write=False)
        self._entropies = H
        return H

    def _dense_entropies(self, progress: Progress | None) -> "np.ndarray":
        import numpy as np

        L = self.length
        total = 1 << L
        H = np.zeros(total)
        count = [0]

        def entropy(arr: "np.ndarray") -> float:
            q = arr.ravel()
            q = q[q > 0]
            return float(-np.dot(q, np.log(q)))

        def visit(arr: "np.ndarray", mask: int, positions: tuple[int, ...], last: int) -> None:
            H[mask] = entropy(arr)
            count[0] += 1
            if progress and count[0] % 2048 == 0:
                progress(count[0], total)
            for axis, j in enumerate(positions):
                if j >= last:
                    break
                visit(arr.sum(axis=axis), mask & ~(1 << j), positions[:axis] + positions[axis + 1 :], j)

        visit(self.dense(), total - 1, tuple(range(L)), L)
        H[0] = 0.0
        if progress:
            progress(total, total)
        return H

    def _sparse_entropies(self, progress: Progress | None) -> "np.ndarray":
        import numpy as np

        L, V = self.length, max(self.vocab_size, 1)
        total = 1 << L
        H = np.zeros(total)
        p = self.probabilities
        codes = self.codes
        count = [0]

        def visit(labels: "np.ndarray", groups: int, mask: int, start: int) -> None:
            q = np.bincount(labels, weights=p, minlength=groups)
            q = q[q > 0]
            H[mask] = float(-np.dot(q, np.log(q)))
            count[0] += 1
            if progress and count[0] % 2048 == 0:
                progress(count[0], total)
            for j in range(start, L):
                unique, new = np.unique(labels * V + codes[:, j], return_inverse=True)
                visit(new.ravel(), unique.size, mask | (1 << j), j + 1)

        visit(np.zeros(self.support_size, dtype=np.int64), 1, 0, 0)
        H[0] = 0.0
        if progress:
            progress(total, total)
        return H

    def _abs_error(self) -> float:
        """A bound on the float error of each d(m) (docs/truth.md, "Precision")."""
        L = self.length
        hmax = L * math.log(max(self.vocab_size, 2)) + 1.0
        return 4.0 * (3 * L + 2 + math.log2(max(self.support_size, 2))) * EPS64 * hmax

    # -- the ground truth -----------------------------------------------------------------
    def check_length(self, length: int | None) -> int:
        """L, after checking that a requested ``length`` agrees with the table."""
        if length is not None and length != self.length:
            raise ModelError(
                f"{length} disagrees with the joint table, whose outcomes have {self.length} tokens",
                param="length",
                allowed="omit the length for a joint table, or give its L",
            )
        return self.length

    def entropy_profile(self, length: int | None = None, progress: Progress | None = None) -> EntropyProfile:
        """d(m) = h(m+1) - h(m), h(m) the mean of H(X∘A) over the m-subsets."""
        import numpy as np

        self.check_length(length)
        sums, _ = self._size_sums(progress)
        L = self.length
        h = np.array([sums[m] / math.comb(L, m) for m in range(L + 1)])
        return EntropyProfile(np.diff(h), source=self.source or "joint table", abs_error=self._abs_error(),
                              meta={"model": "joint", "method": self.cost()["method"]})

    def _size_sums(self, progress: Progress | None = None) -> tuple["np.ndarray", "np.ndarray"]:
        """S[k] = Σ_{|A|=k} H(A) and S_in[i, k] = Σ_{|A|=k, A∋i} H(A) (cached)."""
        import numpy as np

        if self._sums is not None:
            return self._sums

        H = self.subset_entropies(progress)
        L = self.length
        masks = np.arange(1 << L, dtype=np.int32)
        size = np.zeros(1 << L, dtype=np.int8)
        for i in range(L):
            size += ((masks >> i) & 1).astype(np.int8)
        sums = np.bincount(size, weights=H, minlength=L + 1)
        inside = np.empty((L, L + 1))
        for i in range(L):
            has = ((masks >> i) & 1).astype(bool)
            inside[i] = np.bincount(size[has], weights=H[has], minlength=L + 1)
        self._sums = (sums, inside)
        return self._sums

    def token_mi(self, size: int | None = None, length: int | None = None, progress: Progress | None = None) -> "np.ndarray":
        """F_i(m) = E[I(X^(i); X∘A)] over uniform m-sets A ∌ i, for each token i (nats).

        ``size`` = m defaults to L - 1, which gives the MI profile I_i = I(X^(i); X^(-i)).
        """
        import numpy as np

        self.check_length(length)
        L = self.length
        m = L - 1 if size is None else size
        if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m <= L - 1:
            raise InvalidNumberError(f"size = {m!r} is out of range", param="size", allowed=f"0 <= m <= L - 1 = {L - 1}")
        H = self.subset_entropies(progress)
        sums, inside = self._size_sums()
        singles = np.array([H[1 << i] for i in range(L)])
        n = math.comb(L - 1, m)
        cond = (inside[:, m + 1] - (sums[m] - inside[:, m])) / n  # E H(X_i | X_A)
        return np.maximum(singles - cond, 0.0)


def _json_number(value: Any) -> Any:
    """JSON numbers with a fraction or exponent are floats; strings and integers are exact."""
    return float(value) if isinstance(value, Decimal) else value


def _fsum(values: "np.ndarray") -> float:
    """math.fsum of a float array (correctly rounded), a block at a time (no list of the whole array)."""
    import itertools

    block = 1 << 16
    return math.fsum(itertools.chain.from_iterable(values[k : k + block].tolist() for k in range(0, len(values), block)))


def _shape_of(table: Any) -> tuple[int, ...] | None:
    """The shape of an array, or of nested lists along their first entries, without converting anything."""
    shape = getattr(table, "shape", None)
    if shape is not None:
        try:
            return tuple(int(n) for n in shape)
        except (TypeError, ValueError):
            return None
    dims = []
    while isinstance(table, (list, tuple)):
        dims.append(len(table))
        if not table or len(dims) > 64:
            break
        table = table[0]
    return tuple(dims)


def _refuse_dense_shape(V: int, L: int, where: str) -> None:
    """Refuse a dense table of V^L cells that could not be used (L too large, or too many cells)."""
    if L > MAX_JOINT_LENGTH:
        raise DomainError(
            f"the joint table has L = {L} > {MAX_JOINT_LENGTH} axes",
            param=where,
            allowed="a smaller table, or a Markov chain, which needs no enumeration",
        )
    cells = V**L
    if cells > MAX_DENSE_CELLS:
        raise DomainError(
            f"a dense table of V^L = {V}^{L} = {cells:.3g} cells is too large",
            param=where,
            allowed=f"at most {MAX_DENSE_CELLS:.3g} cells; list the outcomes with positive probability instead",
        )


def _cost(L: int, V: int, N: int) -> dict[str, Any]:
    """:meth:`JointDistribution.cost` for a table of N outcomes of L tokens over V values."""
    nodes = 2.0**L
    dense = 2.0 * (V + 1.0) ** L + nodes * NODE_WORK
    sparse = nodes * (N * (math.log2(max(N, 1)) + 2.0) + NODE_WORK)
    dense_ok = V**L <= MAX_DENSE_CELLS and dense <= MAX_WORK
    sparse_ok = sparse <= MAX_WORK
    method = None
    if L <= MAX_JOINT_LENGTH and (dense_ok or sparse_ok):
        method = "dense" if dense_ok and (dense <= sparse or not sparse_ok) else "sparse"
    work = min(dense, sparse) if method is None else (dense if method == "dense" else sparse)
    return {
        "method": method,
        "dense_work": dense,
        "sparse_work": sparse,
        "dense_cells": float(V) ** L,
        "seconds": work / WORK_PER_SECOND,
    }


def _refuse_cost(L: int, V: int, N: int, where: str) -> None:
    """Raise the "too large" DomainError when neither algorithm fits (see :func:`_cost`)."""
    cost = _cost(L, V, N)
    if cost["method"] is not None:
        return
    why = f"L = {L} > {MAX_JOINT_LENGTH}" if L > MAX_JOINT_LENGTH else (
        f"~{min(cost['dense_work'], cost['sparse_work']):.2g} operations, about "
        f"{cost['seconds']:.0f} s (limit {MAX_WORK:.0g})"
    )
    raise DomainError(
        f"the joint table (L = {L}, V = {V}, {N} outcomes) is too large for all 2^L marginals: {why}",
        param=where,
        allowed="a smaller table, or a Markov chain, which needs no enumeration",
    )


def _least_vocabulary(N: int, L: int) -> int:
    """The smallest V with V^L >= N: N distinct outcomes of L tokens need at least that many values."""
    V = max(1, int(round(N ** (1.0 / L))) - 1)
    while V**L < N:
        V += 1
    return V


def _fast_outcomes(outcomes: Sequence[Sequence[Token]], probabilities: Sequence[Any], normalize: bool, where: str):
    """(codes, probabilities, vocabulary) by whole-array operations, or None to take the careful path.

    Taken when the outcomes are lists (or tuples) of one length, all tokens of one
    type (all int, or all str), no outcome repeated, and every probability a finite
    float >= 0 summing (math.fsum, correctly rounded) clearly within or clearly
    outside 1e-12 of 1: then the careful path would accept the same table, and
    the probabilities it makes are the same to within an ulp or two. Anything
    else -- and every error, for its message -- goes the careful way.
    """
    import itertools

    import numpy as np

    if set(map(type, outcomes)) - {list, tuple}:
        return None
    lengths = set(map(len, outcomes))
    if len(lengths) != 1:
        return None
    L = lengths.pop()
    kinds = set(map(type, itertools.chain.from_iterable(outcomes)))
    if kinds not in ({int}, {str}) or set(map(type, probabilities)) != {float}:
        return None
    table = np.array(outcomes, dtype=np.int64 if kinds == {int} else str)
    if table.shape != (len(outcomes), L) or L < 1:
        return None
    vocabulary = np.unique(table)
    codes = np.searchsorted(vocabulary, table).astype(np.int64)
    V = len(vocabulary)
    _refuse_cost(L, V, len(outcomes), where)
    if V**L < 2**62:  # each outcome as one integer: repeats are equal integers
        keys = codes @ (V ** np.arange(L - 1, -1, -1, dtype=np.int64))
        if len(np.unique(keys)) != len(keys):
            return None
    elif len(np.unique(codes, axis=0)) != len(codes):
        return None
    p = np.array(probabilities, dtype=np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        return None
    total = _fsum(p)
    if total <= 0:
        return None
    if not normalize:
        off = abs(total - 1.0)
        if abs(off - float(FLOAT_TOLERANCE)) <= 1e-15:  # too close to the tolerance for the rounded sum
            return None
        if off > float(FLOAT_TOLERANCE):
            return None  # the careful path says so
    return codes, p / total, vocabulary.tolist()
