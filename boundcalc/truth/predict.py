"""The exact optimal mask predictor of a data model, and samples from the model.

:func:`exact_predictor` returns a :data:`boundcalc.predictor.Predictor` giving,
at each masked position i, log p(x_i | x_W) under the model, W the unmasked
positions. With sequences drawn from the model (:func:`sample_sequences`), the
Monte Carlo estimator's expectation is then exactly the model's d(L - k): the
estimator is tested against the exact curve.

* joint table: p(x_i | x_W) = Σ_{x' : x'_W = x_W, x'_i = x_i} p(x') / Σ_{x' : x'_W = x_W} p(x')
  over the outcomes (O(N L) per row);
* Markov chain: only the nearest unmasked neighbours a < i < b matter (forward-
  backward on the unmasked neighbours):
  p(x_i | x_a, x_b) ∝ P^(i-a)[x_a, x_i] P^(b-i)[x_i, x_b], with μ_i(x_i) for P^(i-a)[x_a, ·]
  when no left neighbour is unmasked and 1 for the right factor when no right one is.

Token ids are the model's state / vocabulary indices.

>>> from boundcalc.truth import MarkovChain
>>> chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
>>> f = exact_predictor(chain, 3)
>>> import numpy as np
>>> lp = f(np.array([[0, 0, 0]]), np.array([[False, True, False]]))
>>> round(float(np.exp(lp[0, 1])), 6)  # 0.81 / (0.81 + 0.01)
0.987805
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["exact_predictor", "sample_sequences"]

# A Markov predictor keeps P^g for g <= L: V^2 L floats.
MAX_POWER_FLOATS = 50_000_000


def _markov_powers(chain: Any, L: int) -> tuple["np.ndarray", "np.ndarray"]:
    import numpy as np

    V = chain.vocab_size
    if V * V * (L + 1) > MAX_POWER_FLOATS:
        raise UsageError(f"the exact predictor would hold {V * V * (L + 1):.2g} floats (P^g for g <= L)",
                         param="length", allowed=f"V^2 (L + 1) <= {MAX_POWER_FLOATS}")
    powers = np.empty((L + 1, V, V))
    powers[0] = np.eye(V)
    for g in range(1, L + 1):
        powers[g] = powers[g - 1] @ chain.transition
    laws = np.empty((L, V))  # laws[i] = μ_{i+1}
    laws[0] = chain.initial
    for i in range(1, L):
        laws[i] = laws[i - 1] @ chain.transition
    return powers, laws


def exact_predictor(model: Any, length: int | None = None) -> Callable[["np.ndarray", "np.ndarray"], "np.ndarray"]:
    """The optimal predictor of a :class:`JointDistribution` or :class:`MarkovChain` (natural logs)."""
    import numpy as np

    from .joint import JointDistribution
    from .markov import MarkovChain

    if isinstance(model, JointDistribution):
        codes, probs = model.codes, model.probabilities
        L = model.length

        def joint(tokens: "np.ndarray", masked: "np.ndarray") -> "np.ndarray":
            out = np.zeros(tokens.shape)
            for r in range(tokens.shape[0]):
                seen = ~masked[r]
                match = np.all(codes[:, seen] == tokens[r, seen], axis=1)
                denominator = probs[match].sum()
                for i in np.flatnonzero(masked[r]):
                    numerator = probs[match & (codes[:, i] == tokens[r, i])].sum()
                    out[r, i] = np.log(numerator / denominator) if numerator > 0 else -np.inf
            return out

        if length is not None and length != L:
            raise UsageError(f"L = {length} disagrees with the joint table (L = {L})", param="length")
        return joint
    if isinstance(model, MarkovChain):
        L = model.check_length(length)
        powers, laws = _markov_powers(model, L)

        def markov(tokens: "np.ndarray", masked: "np.ndarray") -> "np.ndarray":
            out = np.zeros(tokens.shape)
            for r in range(tokens.shape[0]):
                seen = np.flatnonzero(~masked[r])
                x = tokens[r]
                for i in np.flatnonzero(masked[r]):
                    j = np.searchsorted(seen, i)
                    left = powers[i - seen[j - 1]][x[seen[j - 1]]] if j > 0 else laws[i]
                    right = powers[seen[j] - i][:, x[seen[j]]] if j < seen.size else 1.0
                    weights = left * right
                    out[r, i] = np.log(weights[x[i]] / weights.sum()) if weights[x[i]] > 0 else -np.inf
            return out

        return markov
    raise TypeError(f"expected a JointDistribution or MarkovChain, got {type(model).__name__}")


#: Most tokens :func:`sample_sequences` may draw (count x L), 8 bytes each.
MAX_SAMPLED_TOKENS = 50_000_000


def sample_sequences(model: Any, count: int, length: int | None = None, seed: int = 0) -> "np.ndarray":
    """``count`` sequences drawn from the model (count x L token ids), seeded."""
    import numpy as np

    from .joint import JointDistribution
    from .markov import MarkovChain

    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise UsageError(f"count = {count!r}", param="count", allowed="a positive integer")
    width = model.codes.shape[1] if isinstance(model, JointDistribution) else (length or 1)
    if count * width > MAX_SAMPLED_TOKENS:  # 8 bytes a token: 10^9 tokens would be 8 GB
        raise UsageError(f"{count} sequences of {width} tokens are too many to draw", param="count",
                         allowed=f"at most {MAX_SAMPLED_TOKENS} tokens in all")
    rng = np.random.default_rng(seed)
    if isinstance(model, JointDistribution):
        rows = rng.choice(model.codes.shape[0], size=count, p=model.probabilities)
        return model.codes[rows].copy()
    if isinstance(model, MarkovChain):
        L = model.check_length(length)
        cumulative = np.cumsum(model.transition, axis=1)
        out = np.empty((count, L), dtype=np.int64)
        out[:, 0] = rng.choice(model.vocab_size, size=count, p=model.initial / model.initial.sum())
        for t in range(1, L):
            u = rng.random(count)
            out[:, t] = np.minimum((u[:, None] > cumulative[out[:, t - 1]]).sum(axis=1), model.vocab_size - 1)
        return out
    raise TypeError(f"expected a JointDistribution or MarkovChain, got {type(model).__name__}")
