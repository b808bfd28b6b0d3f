"""Reference optimal-schedule methods for the tests and benchmarks (no code shared with boundcalc.truth).

``reference_optimal`` is the original O(T L^2)-time, O(L^2)-memory dynamic
programme over the full (L+1) x (L+1) step-cost table; ``brute_optimal``
tries every composition of L into T parts. Both take the conditional
entropy profile d(0..L-1) and return (sizes in reveal order, error in nats).
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def step_cost(d, w: int, s: int) -> float:
    """g(w, s) = Σ_{k=w}^{w+s-1} (d(w) - d(k))."""
    return math.fsum(float(d[w]) - float(d[k]) for k in range(w, w + s))


def schedule_error(d, sizes) -> float:
    w, total = 0, []
    for s in sizes:
        total.append(step_cost(d, w, s))
        w += s
    return math.fsum(total)


def reference_optimal(d, steps: int) -> tuple[list[int], float]:
    d = np.asarray(d, dtype=np.float64)
    L = d.size
    h = np.concatenate(([0.0], np.cumsum(d)))
    w = np.arange(L + 1)
    with np.errstate(invalid="ignore"):
        cost = (w[None, :] - w[:, None]) * np.append(d, 0.0)[:, None] - (h[None, :] - h[:, None])
    cost[np.tril_indices(L + 1)] = np.inf
    np.maximum(cost, 0.0, out=cost, where=np.isfinite(cost))
    best = np.full(L + 1, np.inf)
    best[0] = 0.0
    choices = []
    for _ in range(steps):
        total = best[:, None] + cost
        arg = np.argmin(total, axis=0)
        best = total[arg, w]
        choices.append(arg)
    sizes, v = [], L
    for arg in reversed(choices):
        u = int(arg[v])
        sizes.append(v - u)
        v = u
    sizes.reverse()
    return sizes, schedule_error(d, sizes)


def brute_optimal(d, steps: int) -> tuple[list[int], float]:
    L = len(d)
    best = None
    for cuts in itertools.combinations(range(1, L), steps - 1):
        edges = (0, *cuts, L)
        sizes = [b - a for a, b in zip(edges, edges[1:])]
        e = schedule_error(d, sizes)
        if best is None or e < best[1]:
            best = (sizes, e)
    return best
