"""Exact errors of the samplers people run: semi-autoregressive blocks and random reveal counts.

**Blocks** (LLaDA; ``Schedule.blocks``, ``Schedule.block_spans``; docs/theory.md section 11). Blocks
b = 1..K are decoded left to right; inside block b the positions are uniformly
random. By the chain rule of KL over the blocks, and the identity of
docs/theory.md section 10 applied to the conditional law of block b given the earlier
blocks X_{<b}, the error is

    E_M KL = Σ_b Σ_{steps of b} g_b(w, s),    g_b(w, s) = Σ_{k=w}^{w+s-1} (d_b(w) - d_b(k)),
    d_b(m) = E H(X_i | X∘W, X_{<b}),   W a uniform m-subset of block b, i ∈ b ∖ W uniform,

so each block has its own *conditional* entropy profile d_b (an
:class:`EntropyProfile` over the block's B_b positions), and the conditional
MI total ΣI_b = B_b (d_b(0) - d_b(B_b - 1)) feeds the blockwise bounds.

* joint tables: H(X∘A | X_{<b}) = H(A ∪ P_b) - H(P_b), P_b the positions of
  the earlier blocks, from the table of all 2^L marginal entropies;
* Markov chains: given X_{<b} only the last token X_{a} before the block
  matters, so d_b = Σ_x P(X_a = x) d^(x), where d^(x) is the profile of the
  chain started from the row P[x, :] over B_b tokens (computed once per state
  and block length; the first block uses the chain itself).

**Random reveal counts** (MDLM, SEDD, Dream ``origin``; :class:`CountSampler`):
the count process is independent of the data and the positions are uniform
given the counts, so the error of a realisation is the exact error of its
non-empty steps and the expectation is a DP over the number revealed
(:meth:`CountSampler.expected`), with the step cost g(w, s) of the global
profile d.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..errors import ScheduleError
from .core import EPS64, EntropyProfile, Progress
from .joint import JointDistribution
from .markov import MarkovChain

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..counts import CountSampler
    from ..schedule import Schedule

__all__ = ["block_profiles", "block_error", "count_error", "step_cost_matrix"]


def block_profiles(
    model: JointDistribution | MarkovChain | EntropyProfile,
    schedule: "Schedule",
    length: int | None = None,
    progress: Progress | None = None,
) -> list[tuple[int, int, "Schedule", EntropyProfile]]:
    """(start, length, inner schedule, conditional entropy profile d_b) for each block, left to right.

    For a schedule without blocks this is one block: the model's own profile.
    """
    if isinstance(model, EntropyProfile):
        if not schedule.is_blockwise:
            schedule.require_length(model.length)
            return [(0, model.length, schedule, model)]
        raise ScheduleError(
            f"{schedule} is semi-autoregressive: its error needs the data model (each block's conditional "
            "entropy profile given the earlier blocks), not only the global profile d",
            param="schedule",
            allowed="pass the JointDistribution or MarkovChain",
        )
    L = model.check_length(length)
    schedule.require_length(L)
    parts = schedule.block_schedules()
    if isinstance(model, JointDistribution):
        return _joint_blocks(model, parts, progress)
    if isinstance(model, MarkovChain):
        return _markov_blocks(model, parts, L, progress)
    raise TypeError(f"expected a JointDistribution or MarkovChain, got {type(model).__name__}")


def _joint_blocks(model: JointDistribution, parts: Any, progress: Progress | None) -> list:
    import numpy as np

    H = model.subset_entropies(progress)
    error = 2.0 * model._abs_error()
    out = []
    for start, n, inner in parts:
        prefix = (1 << start) - 1
        sub = np.arange(1 << n, dtype=np.int64)
        values = H[(sub << start) | prefix] - H[prefix]  # H(X∘A | X_{<b}) for every A ⊆ block
        size = np.zeros(sub.size, dtype=np.int64)
        for j in range(n):
            size += (sub >> j) & 1
        sums = np.bincount(size, weights=values, minlength=n + 1)
        h = np.array([sums[m] / math.comb(n, m) for m in range(n + 1)])
        profile = EntropyProfile(np.diff(h), source=f"{model.source or 'joint table'}, block [{start}, {start + n})",
                                 abs_error=error, meta={"model": "joint", "block": (start, n)})
        out.append((start, n, inner, profile))
    return out


def _markov_blocks(model: MarkovChain, parts: Any, L: int, progress: Progress | None) -> list:
    import numpy as np

    P = model.transition
    V = P.shape[0]
    # law of X_a (1-based) for every block start a
    laws = [model.initial]
    for _ in range(1, L):
        laws.append(laws[-1] @ P)
    started: dict[tuple[int, int], "np.ndarray"] = {}  # (state, length) -> d of the chain started from P[x]

    def from_state(x: int, n: int) -> "np.ndarray":
        if (x, n) not in started:
            started[(x, n)] = model._conditional(n, None, None, initial=P[x])
        return started[(x, n)]

    out = []
    for start, n, inner in parts:
        error = model._abs_error(n)
        if start == 0:
            d = model._conditional(n, None, progress)
        else:
            law = laws[start - 1]  # X_start in 1-based terms is the last token before the block
            d = np.zeros(n)
            for x in range(V):
                if law[x] > 0:
                    d += law[x] * from_state(x, n)
            error += 4 * EPS64 * V * float(np.max(np.abs(d), initial=1.0))
        profile = EntropyProfile(d, source=f"{model.source or 'Markov chain'}, block [{start}, {start + n})",
                                 abs_error=error, meta={"model": "markov", "block": (start, n)})
        out.append((start, n, inner, profile))
    return out


def block_error(
    model: JointDistribution | MarkovChain | EntropyProfile,
    schedule: "Schedule",
    length: int | None = None,
    progress: Progress | None = None,
) -> tuple[float, float, list[float]]:
    """(E_M KL in nats, its float error bound, the conditional ΣI_b of each block) of a blockwise schedule."""
    total, error, mis = [], 0.0, []
    for _, _, inner, profile in block_profiles(model, schedule, length, progress):
        total.append(profile.error(inner))
        error += profile.error_bound(inner)
        mis.append(profile.mi_total())
    return math.fsum(total), error, mis


def step_cost_matrix(profile: EntropyProfile, max_size: int) -> "np.ndarray":
    """G[w, s] = g(w, s) for 0 <= w <= L, 0 <= s <= max_size (0 where w + s > L), non-negative sums."""
    import numpy as np

    d = profile.conditional
    L = profile.length
    J = min(max_size, L)
    G = np.zeros((L + 1, J + 1))
    padded = np.concatenate((d, np.full(J, np.nan)))
    for s in range(1, J + 1):
        # g(w, s) = g(w, s-1) + d(w) - d(w+s-1)
        G[:L, s] = G[:L, s - 1] + np.maximum(d - padded[s - 1 : s - 1 + L], 0.0)
    w = np.arange(L + 1)[:, None]
    G[(w + np.arange(J + 1)[None, :]) > L] = 0.0
    return G


def count_error(profile: EntropyProfile, sampler: "CountSampler") -> tuple[float, float]:
    """(exact expected E KL in nats, certified absolute float error) of a random-count sampler.

    E = Σ_k E[g(w_k, s_k)] by the DP over the number revealed; the error bound
    adds the DP's relative error, 2·L·abs_error of the profile (Σ_k s_k = L in
    every realisation, and each s-token step's g carries at most 2·s·abs_error),
    the rounding of the cost matrix, and the truncated tail (steps larger than
    the DP's size cap, probability <= tail, cost <= the total correlation g(0, L)).
    """
    if sampler.length != profile.length:
        raise ScheduleError(
            f"{sampler} is for L = {sampler.length}, the model has L = {profile.length}", param="schedule"
        )
    cap = sampler.size_cap()
    G = step_cost_matrix(profile, cap)
    result = sampler.expected(G)
    tc = profile.total_correlation()
    value = result["value"]
    error = (
        result["rel_error"] * value
        + 2 * profile.length * profile.abs_error
        + (cap + 2) * EPS64 * value
        + result["tail"] * tc
    )
    return value, error

