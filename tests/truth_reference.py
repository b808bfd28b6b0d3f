"""Independent reference methods for the truth tests (no code shared with boundcalc.truth).

``brute_force_error`` builds the sampler's output distribution explicitly for
every ordered partition of the positions and computes the KL divergence
directly: exponential, for L <= 6.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict


def marginal(p: dict[tuple, float], positions: tuple[int, ...]) -> dict[tuple, float]:
    out: dict[tuple, float] = defaultdict(float)
    for x, q in p.items():
        out[tuple(x[j] for j in positions)] += q
    return out


def ordered_partitions(length: int, sizes: tuple[int, ...]):
    """Every ordered partition (D_1, ..., D_T) of range(length) with |D_t| = sizes[t]."""

    def rec(remaining: tuple[int, ...], t: int):
        if t == len(sizes):
            yield ()
            return
        for block in itertools.combinations(remaining, sizes[t]):
            rest = tuple(i for i in remaining if i not in block)
            for tail in rec(rest, t + 1):
                yield (block,) + tail

    yield from rec(tuple(range(length)), 0)


def block_partitions(blocks: tuple[tuple[int, int], ...], inner: tuple[tuple[int, ...], ...]):
    """Every ordered partition of a semi-autoregressive sampler: block by block, left to right,
    each block (start, length) split by its inner sizes in every possible way."""

    def shifted(start: int, length: int, sizes: tuple[int, ...]):
        for partition in ordered_partitions(length, sizes):
            yield tuple(tuple(start + i for i in block) for block in partition)

    for combo in itertools.product(*(list(shifted(a, n, sizes)) for (a, n), sizes in zip(blocks, inner))):
        yield tuple(block for part in combo for block in part)


def brute_force_error(p: dict[tuple, float], sizes: tuple[int, ...], vocab: int, partitions=None) -> float:
    """E over uniformly random ordered partitions of KL(p_X || p_Y|partition), in nats.

    ``sizes`` in reveal order. The sampler reveals block t with each token drawn
    independently from the true conditional p(x_i | x_W), W = earlier blocks.
    ``partitions`` (an iterable of ordered partitions, each equally likely)
    replaces the uniform ones, e.g. :func:`block_partitions`.
    """
    length = len(next(iter(p)))
    cache: dict[tuple[int, ...], dict[tuple, float]] = {}

    def marg(positions: tuple[int, ...]) -> dict[tuple, float]:
        if positions not in cache:
            cache[positions] = marginal(p, positions)
        return cache[positions]

    total, count = 0.0, 0
    support = [x for x, q in p.items() if q > 0]
    for partition in (ordered_partitions(length, sizes) if partitions is None else partitions):
        revealed: tuple[int, ...] = ()
        # q(x) = Π_t Π_{i in D_t} p(x_i | x_W)
        logq = {x: 0.0 for x in support}
        for block in partition:
            W = tuple(sorted(revealed))
            pw = marg(W)
            for i in block:
                Wi = tuple(sorted(W + (i,)))
                pwi = marg(Wi)
                for x in support:
                    num = pwi[tuple(x[j] for j in Wi)]
                    den = pw[tuple(x[j] for j in W)]
                    logq[x] += math.log(num / den)
            revealed = revealed + block
        kl = math.fsum(p[x] * (math.log(p[x]) - logq[x]) for x in support)
        total += kl
        count += 1
    return total / count


def entropy(dist: dict[tuple, float]) -> float:
    return -math.fsum(q * math.log(q) for q in dist.values() if q > 0)
