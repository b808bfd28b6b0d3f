"""Estimating the loss curve of a mask predictor by Monte Carlo.

A **predictor** is any callable

    predictor(tokens, masked) -> log_probs

with ``tokens`` a B x L integer array of token ids (true tokens everywhere),
``masked`` a B x L boolean array (True = hidden from the predictor), and
``log_probs`` a B x L float array whose entries at masked positions are the
natural-log probabilities the predictor gives the *true* tokens there, seeing
only the unmasked ones (other entries are ignored). A predictor must not look
at ``tokens`` where ``masked`` is True.

:func:`estimate_loss_curve` draws, for each mask ratio, ``samples``
(sequence, mask) pairs -- a sequence uniformly from the corpus and a uniformly
random set of k = round(ratio L) positions -- and averages the loss per masked
token, -mean log p. Each pair gives an unbiased estimate of the model's
cross-entropy at k masked, and the pairs are independent, so the stderr is the
sample standard deviation / sqrt(samples). With the exact predictor of a
data model and sequences drawn from it, the expectation is d(L - k) exactly;
with a trained model it is the model's cross-entropy, which is >= the data's
conditional entropy (the excess acts like ε_train), and a masked LM's
conditionals need not be consistent with any joint law.

Adapters: :func:`boundcalc.truth.predict.exact_predictor` (a joint table or a
Markov chain, exact), :func:`from_torch` (any torch module returning logits;
:mod:`boundcalc.torch_model`), :mod:`boundcalc.hf` (a Hugging Face masked LM).

>>> import numpy as np
>>> uniform = lambda tokens, masked: np.full(tokens.shape, np.log(0.5))  # a coin-flip predictor
>>> corpus = np.random.default_rng(0).integers(0, 2, size=(50, 8))
>>> c = estimate_loss_curve(uniform, corpus, [0.25, 1.0], samples=20, seed=1)
>>> c.masked.tolist(), [round(float(x), 6) for x in c.loss], c.stderr.tolist()
([2, 8], [0.693147, 0.693147], [0.0, 0.0])
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .curve import LossCurve
from .errors import DomainError, UsageError
from .exact import to_rational
from .torch_model import from_torch

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Predictor", "estimate_loss_curve", "from_torch", "mask_counts", "MAX_ESTIMATE_WORK"]

#: The predictor protocol: (tokens B x L int, masked B x L bool) -> log-probabilities B x L.
Predictor = Callable[["np.ndarray", "np.ndarray"], "np.ndarray"]

#: Most (sequence, mask) pairs one estimate may draw (ratios x samples).
MAX_ESTIMATE_WORK = 10_000_000
#: Most token positions one estimate may predict (ratios x samples x L): each pair draws a mask over L positions and
#: runs the predictor on L tokens (10^7 samples or a large L would run for hours); refused before any work.
MAX_ESTIMATE_TOKENS = 20_000_000


def mask_counts(ratios: Sequence[Any], length: int) -> list[int]:
    """k = round(r L) for each ratio r in (0, 1] (exact rounding, half up), distinct and >= 1.

    >>> mask_counts(["0.1", "1/2", 1], 20)
    [2, 10, 20]
    """
    counts = []
    for r in ratios:
        x = to_rational(r, "ratios")
        if not 0 < x <= 1:
            raise UsageError(f"mask ratio {r} is out of range", param="ratios", allowed="0 < ratio <= 1")
        k = math.floor(x * length + Fraction(1, 2))
        if k < 1:
            raise UsageError(f"mask ratio {r} masks no token at L = {length}", param="ratios",
                             allowed=f"ratio >= {Fraction(1, 2 * length)}")
        if k in counts:
            raise UsageError(f"mask ratio {r} gives k = {k} masked again", param="ratios",
                             allowed="ratios giving distinct counts round(r L)")
        counts.append(k)
    if not counts:
        raise UsageError("no mask ratio given", param="ratios", allowed="one or more ratios in (0, 1]")
    return counts


#: Gathers every process's results: a list of the payloads of all ranks (rank order), on every rank.
Gather = Callable[[Any], list]


def estimate_loss_curve(
    predictor: Predictor,
    sequences: "np.ndarray",
    ratios: Sequence[Any],
    *,
    samples: int = 64,
    batch_size: int = 32,
    seed: int = 0,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
    shard: tuple[int, int] = (0, 1),
    gather: Gather | None = None,
) -> LossCurve:
    """The loss curve of ``predictor`` on ``sequences`` (N x L token ids): mean loss per masked token and stderr.

    ``ratios`` are mask ratios in (0, 1] (k = round(ratio L)); ``samples``
    (sequence, mask) pairs per ratio, drawn with ``numpy.random.default_rng(seed)``.

    ``shard = (rank, world)`` with ``gather`` runs the predictor on every
    world-th batch only: every process draws all the pairs from the same seeded
    generator (drawing is cheap, the model is not), runs its own batches, and
    ``gather`` brings the per-pair losses together, so the curve is the
    single-process one for a deterministic predictor, on every rank. An error
    on one rank is raised on all of them (none waits forever for another).
    """
    import numpy as np

    seqs = np.asarray(sequences)
    _check_estimate_inputs(seqs, samples, batch_size, shard, gather)
    n, L = seqs.shape
    counts = mask_counts(ratios, L)
    if len(counts) * samples > MAX_ESTIMATE_WORK:
        raise UsageError(f"{len(counts)} ratios x {samples} samples is too many", param="samples",
                         allowed=f"at most {MAX_ESTIMATE_WORK} pairs")
    if len(counts) * samples * L > MAX_ESTIMATE_TOKENS:
        raise UsageError(f"{len(counts)} ratios x {samples} samples x L = {L} tokens is too many to predict",
                         param="samples", allowed=f"at most {MAX_ESTIMATE_TOKENS} token positions in all")
    rank, world = shard
    local: dict[tuple[int, int], Any] = {}
    failure: BaseException | None = None
    try:
        _run_batches(predictor, seqs, counts, samples, batch_size, seed, shard, local, progress)
    except Exception as error:  # raised again below, after every rank has reported
        if world == 1:
            raise
        failure = error
    if world > 1 and gather is not None:
        reports = gather({"error": None if failure is None else str(failure), "losses": local})
        if failure is not None:
            raise failure
        failed = [r["error"] for r in reports if r["error"]]
        if failed:
            raise DomainError(f"another process failed: {failed[0]}", param="predictor")
        for report in reports:
            local.update(report["losses"])
    losses, errors = [], []
    for i in range(len(counts)):
        per_sample = np.concatenate([local[(i, start)] for start in range(0, samples, batch_size)])
        mean = float(per_sample.mean())
        spread = float(per_sample.std(ddof=1))
        # a constant loss (e.g. everything masked) leaves only float64 rounding in the spread
        losses.append(mean)
        errors.append(0.0 if spread <= 1e-12 * abs(mean) else spread / math.sqrt(samples))
    return LossCurve(length=L, masked=counts, loss=losses, stderr=errors,
                     source=source or f"Monte Carlo estimate ({samples} samples per ratio, seed {seed})")


def _check_estimate_inputs(seqs: "np.ndarray", samples: Any, batch_size: Any, shard: Any, gather: Any) -> None:
    if seqs.ndim != 2 or seqs.shape[0] < 1 or seqs.shape[1] < 1 or seqs.dtype.kind not in "iu":
        raise UsageError("sequences must be an N x L array of integer token ids", param="sequences",
                         allowed="N >= 1 sequences of the same length L")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise UsageError(f"samples = {samples!r}", param="samples", allowed="an integer >= 2 (for a stderr)")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise UsageError(f"batch size {batch_size!r}", param="batch_size", allowed="an integer >= 1")
    rank, world = shard
    if not (isinstance(world, int) and isinstance(rank, int) and 0 <= rank < world):
        raise UsageError(f"shard {shard!r}", param="shard", allowed="(rank, world) with 0 <= rank < world")
    if world > 1 and gather is None:
        raise UsageError("a shard needs gather to bring the processes' results together", param="gather")


def _run_batches(predictor: Predictor, seqs: "np.ndarray", counts: list[int], samples: int, batch_size: int,
                 seed: int, shard: tuple[int, int], out: dict, progress: Callable[[int, int], None] | None) -> None:
    """Per-pair losses of this rank's batches into ``out[(ratio index, first pair)]``; all draws made on every rank."""
    import numpy as np

    rank, world = shard
    n, L = seqs.shape
    rng = np.random.default_rng(seed)
    done, total, batch = 0, len(counts) * samples, 0
    for i, k in enumerate(counts):
        for start in range(0, samples, batch_size):
            b = min(batch_size, samples - start)
            rows = rng.integers(0, n, size=b)
            # a uniform k-subset per row: the k smallest of L iid uniforms
            order = np.argsort(rng.random((b, L)), axis=1)
            batch += 1
            if (batch - 1) % world != rank:
                continue
            tokens = seqs[rows]
            masked = np.zeros((b, L), dtype=bool)
            np.put_along_axis(masked, order[:, :k], True, axis=1)
            logp = np.asarray(predictor(tokens.copy(), masked.copy()), dtype=np.float64)
            if logp.shape != (b, L):
                raise UsageError(f"the predictor returned shape {logp.shape}, expected {(b, L)}", param="predictor")
            picked = np.where(masked, logp, 0.0)
            if not np.all(np.isfinite(picked)) or np.any(picked > 1e-9):
                raise UsageError("the predictor returned a log-probability that is not finite or is > 0",
                                 param="predictor", allowed="natural-log probabilities <= 0 at masked positions")
            out[(i, start)] = -picked.sum(axis=1) / k
            done += b * world
            if progress:
                progress(min(done, total), total)
