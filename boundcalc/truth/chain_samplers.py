"""Samplers on Markov chains at real L: fixed orders exactly, adaptive rules by Monte Carlo.

Given revealed positions R with values x_R, a first-order chain splits into
independent gaps between consecutive revealed positions a < b, and inside a
gap the law is the chain's bridge:

    p(X_i = v | x_R) ∝ P^(i−a)[x_a, v] · P^(b−i)[v, x_b]     (a = none: the law of X_i; b = none: no factor)

(positions 0-based, X_0 ~ the chain's initial law). The powers P^d are kept up
to the d where they stop changing in float64 (a mixing chain reaches its
stationary rows), or up to L.

**Fixed orders** (``left-to-right``, ``dilated``): the output law is the product
of the steps' marginals, so by the chain rule

    KL(p || q) = Σ_k E[TC(S_k | X_{R_k})] = Σ_k [Σ_{i∈S_k} H(X_i | X_{R_k}) − H(X_{S_k} | X_{R_k})],

and every entropy of a chain on a sorted set of positions is
H(X_{p_1}) + Σ_k H(X_{p_{k+1}} | X_{p_k}), so each step costs O(|S_k| log L)
look-ups of c(t, d) = H(X_{t+d} | X_t) (:func:`fixed_order_kl`).

**Adaptive rules** (confidence, low-confidence, eb, entropy-sum; and any rule for
the sequence error): Monte Carlo over the sampler's trajectories, the bridge
marginals of the gaps a call touches recomputed after it (:func:`monte_carlo`).
Each estimate comes with its standard error, from a fixed seed. For the rules
that choose positions from the marginals alone (eb, entropy-sum, fixed orders,
random positions), the *ideal* process -- the same rule with x_S drawn from the
true joint conditional -- outputs exactly p, so by data processing and the chain
rule

    KL(p || q) <= E_p[ Σ_k TC(S_k | x_{R_k}) ],

the expected total correlation of the revealed groups along trajectories of the
ideal process (which is the rule run on a sample X ~ p revealing its true
values); it is estimated by Monte Carlo too. For confidence rules the selection
depends on the draws and this is not a bound (one token per call has TC = 0 and
yet KL > 0: docs/samplers.md).
"""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import DomainError, ScheduleError
from ..units import from_nats
from .core import EPS64
from .markov import MarkovChain
from .rules import Rule

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["ChainBridges", "fixed_order_kl", "monte_carlo", "MonteCarlo", "MAX_POWER_ENTRIES", "mc_cost",
           "count_monte_carlo"]

#: The powers P^d kept in memory: at most this many float64 entries (d·V^2).
MAX_POWER_ENTRIES = 3e7
#: Monte Carlo cost model (benchmarks/bench_samplers.py, 2-core machine under load): seconds per network call
#: (the Python overhead of one call), plus seconds per position·state update of the marginals it touches.
MC_SECONDS_PER_CALL = 1e-3
MC_SECONDS_PER_UPDATE = 5e-8


def _entropy_rows(m: "np.ndarray") -> "np.ndarray":
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(m > 0, -m * np.log(np.where(m > 0, m, 1.0)), 0.0)
    return t.sum(axis=-1)


class ChainBridges:
    """The chain's powers, position laws and conditional entropies c(t, d) for one L."""

    def __init__(self, chain: MarkovChain, length: int):
        import numpy as np

        self.L = chain.check_length(length)
        self.chain = chain
        P = chain.transition
        V = P.shape[0]
        self.V = V
        powers = [np.eye(V), P.copy()]
        limit = max(2, int(MAX_POWER_ENTRIES // (V * V)))
        while len(powers) <= self.L:
            nxt = powers[-1] @ P
            if np.max(np.abs(nxt - powers[-1])) <= 4 * EPS64:  # stationary rows reached in float64
                break
            if len(powers) >= limit:
                raise DomainError(
                    f"the chain's powers P^d do not settle before d = {len(powers)} and V = {V}: "
                    f"{len(powers) * V * V:.2g} floats",
                    param="length",
                    allowed=f"at most {MAX_POWER_ENTRIES:.0g} (a faster-mixing chain, fewer states or a shorter L)",
                )
            powers.append(nxt)
        self.powers = np.array(powers)  # (D + 1, V, V)
        self.D = len(powers) - 1
        self.row_entropy = _entropy_rows(self.powers)  # (D + 1, V)
        stationary = not chain.given_initial or np.allclose(chain.initial @ P, chain.initial, rtol=0, atol=4 * EPS64)
        if stationary:
            self.laws = np.broadcast_to(chain.initial, (self.L, V))
        else:
            laws = np.empty((self.L, V))
            laws[0] = chain.initial
            for t in range(1, self.L):
                laws[t] = laws[t - 1] @ P
            self.laws = laws
        self.law_entropy = _entropy_rows(self.laws)
        # a priori float error of one entropy term: the powers' rounding (d·V·eps) and the logs
        self.term_error = 8.0 * (self.D + V) * EPS64 * max(1.0, math.log(V))

    def power(self, d: int) -> "np.ndarray":
        return self.powers[min(d, self.D)]

    def cond_entropy(self, t: int, d: int) -> float:
        """c(t, d) = H(X_{t+d} | X_t) in nats."""
        return float(self.laws[t] @ self.row_entropy[min(d, self.D)])

    def term(self, a: int | None, b: int | None) -> float:
        """The entropy term of consecutive chain points a < b (a None: H(X_b))."""
        if b is None:
            return 0.0
        if a is None:
            return float(self.law_entropy[b])
        return self.cond_entropy(a, b - a)

    def bridge(self, a: int | None, b: int | None, x: "np.ndarray", lo: int, hi: int) -> "np.ndarray":
        """Unnormalised p(X_i = · | x_a, x_b) for i in [lo, hi) inside the gap (a, b), shape (hi − lo, V)."""
        import numpy as np

        idx = np.arange(lo, hi)
        left = self.laws[idx] if a is None else self.powers[np.minimum(idx - a, self.D), x[a], :]
        if b is None:
            return np.array(left, dtype=float)
        return left * self.powers[np.minimum(b - idx, self.D), :, x[b]]


def fixed_order_kl(chain: MarkovChain, rule: Rule, length: int) -> tuple[float, float]:
    """(KL(p || q), its a-priori float error) of a fixed order on a chain: Σ_k E[TC(S_k | X_{R_k})]."""
    if rule.kind not in ("left-to-right", "dilated"):
        raise ScheduleError(f"{rule} is not a fixed order", param="schedule")
    if rule.length != length:
        raise ScheduleError(f"{rule} is for L = {rule.length}, not {length}", param="schedule")
    br = ChainBridges(chain, length)
    revealed: list[int] = []
    total, terms = 0.0, 0
    for group in rule.groups:
        singles = 0.0
        gaps: dict[tuple, list[int]] = {}
        for i in group:
            k = bisect.bisect_left(revealed, i)
            a = revealed[k - 1] if k > 0 else None
            b = revealed[k] if k < len(revealed) else None
            singles += br.term(a, i) + br.term(i, b) - br.term(a, b)
            gaps.setdefault((a, b), []).append(i)
        joint = 0.0
        for (a, b), members in gaps.items():
            chain_points = [a, *sorted(members), b]
            joint += sum(br.term(p, q) for p, q in zip(chain_points, chain_points[1:])) - br.term(a, b)
        total += singles - joint
        terms += 4 * len(group)
        for i in group:
            bisect.insort(revealed, i)
    return max(total, 0.0), terms * br.term_error * 2


@dataclass
class MonteCarlo:
    """Monte Carlo estimates over trajectories (each value: (mean, standard error))."""

    rule: Rule
    samples: int
    seed: int
    expected_nfe: tuple[float, float]
    nfe_sd: float
    sequence_error: tuple[float, float]
    tc_bound: tuple[float, float] | None  # E_p Σ TC(S_k | x_R): a bound on KL(p||q) for marginal-only rules
    seconds: float
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sampler": str(self.rule),
            "samples": self.samples,
            "seed": self.seed,
            "expected_nfe": self.expected_nfe[0],
            "expected_nfe_se": self.expected_nfe[1],
            "nfe_sd": self.nfe_sd,
            "sequence_error": self.sequence_error[0],
            "sequence_error_se": self.sequence_error[1],
            "tc_bound": None if self.tc_bound is None else self.tc_bound[0],
            "tc_bound_se": None if self.tc_bound is None else self.tc_bound[1],
            "ideal_nfe": None if self.meta.get("ideal_nfe") is None else self.meta["ideal_nfe"][0],
            "ideal_nfe_se": None if self.meta.get("ideal_nfe") is None else self.meta["ideal_nfe"][1],
        }


def _mean_se(values: list[float]) -> tuple[float, float]:
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, math.inf
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var / n)


def mc_cost(chain: MarkovChain, rule: Rule, length: int, samples: int) -> dict[str, float]:
    """An upper estimate of the Monte Carlo cost: ``calls`` network calls in all (the rule's fixed number, at most L
    for adaptive rules; twice for the ideal process), each touching at most L positions · V states."""
    V = chain.vocab_size
    per = rule.steps if rule.steps is not None else length
    runs = 2 if rule.selects_from_marginals else 1
    calls = float(runs) * samples * per
    return {"calls": calls, "seconds": calls * (MC_SECONDS_PER_CALL + MC_SECONDS_PER_UPDATE * length * V)}


def _refuse_mc(rule: Rule, length: int, samples: int, seconds: float, limit: float, how: str) -> None:
    if seconds > limit:
        raise DomainError(
            f"Monte Carlo of {rule} at L = {length} with {samples} samples needs about {seconds:.0f} s ({how})",
            param="samples", allowed=f"at most {limit:.0f} s: fewer samples, a shorter L or fewer states")


def monte_carlo(chain: MarkovChain, rule: Rule, length: int, *, samples: int = 200, seed: int = 0,
                max_seconds: float = 120.0) -> MonteCarlo:
    """Monte Carlo over ``samples`` trajectories of the sampler (and of the ideal process for marginal-only rules).

    The cost is estimated before any work (:func:`mc_cost`, an upper bound); when
    that is over ``max_seconds``, two pilot trajectories are timed and the run is
    refused unless their extrapolation fits (a pilot itself is refused when one
    worst-case trajectory would not fit).
    """
    import numpy as np

    if rule.length != length:
        raise ScheduleError(f"{rule} is for L = {rule.length}, not {length}", param="schedule")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise ScheduleError(f"samples = {samples!r}", param="samples", allowed="an integer >= 2")
    cost = mc_cost(chain, rule, length, samples)
    br = ChainBridges(chain, length)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    if cost["seconds"] > max_seconds:
        _refuse_mc(rule, length, samples, cost["seconds"] / samples, max_seconds / 4, "one worst-case trajectory")
        pilot = np.random.default_rng(seed + 1)
        for _ in range(2):
            _trajectory(br, rule, pilot, _sample_chain(br, pilot) if rule.selects_from_marginals else None)
        per = (time.perf_counter() - start) / 2
        _refuse_mc(rule, length, samples, per * samples * (2 if rule.selects_from_marginals else 1), max_seconds,
                   "timed on two pilot trajectories")
        start = time.perf_counter()
    nfes, errors = [], []
    for _ in range(samples):
        calls, failed, _ = _trajectory(br, rule, rng, None)
        nfes.append(float(calls))
        errors.append(1.0 if failed else 0.0)
        _check_time(start, 1.5 * max_seconds, rule)
    tcs, ideal_nfes = None, None
    if rule.selects_from_marginals:
        tcs, ideal_nfes = [], []
        for _ in range(samples):
            calls, _, tc = _trajectory(br, rule, rng, _sample_chain(br, rng))
            tcs.append(tc)
            ideal_nfes.append(float(calls))
            _check_time(start, 1.5 * max_seconds, rule)
    mean_nfe = _mean_se(nfes)
    return MonteCarlo(rule, samples, seed, mean_nfe, mean_nfe[1] * math.sqrt(samples), _mean_se(errors),
                      None if tcs is None else _mean_se(tcs), time.perf_counter() - start,
                      {"ideal_nfe": None if ideal_nfes is None else _mean_se(ideal_nfes)})


def _check_time(start: float, limit: float, rule: Rule) -> None:
    if time.perf_counter() - start > limit:
        raise DomainError(f"Monte Carlo of {rule} stopped after {limit:.0f} s", param="samples",
                          allowed="fewer samples or a shorter L")


def _sample_chain(br: ChainBridges, rng: "np.random.Generator") -> "np.ndarray":
    import numpy as np

    P = br.chain.transition
    x = np.empty(br.L, dtype=np.int64)
    x[0] = _draw(br.chain.initial, rng)
    for t in range(1, br.L):
        x[t] = _draw(P[x[t - 1]], rng)
    return x


def _draw(p: "np.ndarray", rng: "np.random.Generator") -> int:
    import numpy as np

    c = np.cumsum(p)
    return int(min(np.searchsorted(c, rng.random() * c[-1], side="right"), len(p) - 1))


def _draw_rows(M: "np.ndarray", rng: "np.random.Generator") -> "np.ndarray":
    """One value per row of M (rows sum to 1)."""
    import numpy as np

    c = np.cumsum(M, axis=1)
    u = np.asarray(rng.random(M.shape[0]))[:, None] * c[:, -1:]
    return np.minimum((c <= u).sum(axis=1), M.shape[1] - 1)


class _Walk:
    """One trajectory's state: values, revealed positions (sorted), bridge marginals M and their entropies H."""

    def __init__(self, br: ChainBridges):
        import numpy as np

        self.br = br
        self.x = np.full(br.L, -1, dtype=np.int64)
        self.masked = np.ones(br.L, dtype=bool)
        self.revealed: list[int] = []
        self.M = np.array(br.laws, dtype=float)
        self.M /= self.M.sum(axis=1, keepdims=True)
        self.H = np.array(br.law_entropy, dtype=float)

    def neighbours(self, i: int) -> tuple[int | None, int | None]:
        """The revealed positions next to i on each side (i itself excluded)."""
        k, r = bisect.bisect_left(self.revealed, i), bisect.bisect_right(self.revealed, i)
        return (self.revealed[k - 1] if k > 0 else None), (self.revealed[r] if r < len(self.revealed) else None)

    def reveal(self, S: "np.ndarray", values: "np.ndarray") -> bool:
        """Reveal x_S; False when the context reached has probability 0 (then nothing is updated further)."""
        br = self.br
        self.x[S] = values
        self.masked[S] = False
        for i in S.tolist():
            bisect.insort(self.revealed, i)
        gaps = set()
        for i in S.tolist():
            a, b = self.neighbours(i)
            left = br.laws[i][self.x[i]] if a is None else br.power(i - a)[self.x[a], self.x[i]]
            right = 1.0 if b is None else br.power(b - i)[self.x[i], self.x[b]]
            if left <= 0 or right <= 0:
                return False
            gaps.add((a, i))
            gaps.add((i, b))
        for a, b in gaps:
            lo, hi = (0 if a is None else a + 1), (br.L if b is None else b)
            if hi > lo:
                block = br.bridge(a, b, self.x, lo, hi)
                block /= block.sum(axis=1, keepdims=True)
                self.M[lo:hi] = block
                self.H[lo:hi] = _entropy_rows(block)
        return True

    def total_correlation(self, S: "np.ndarray") -> float:
        """TC(S | x_R) = Σ_{i∈S} H(X_i | x_R) − H(X_S | x_R) at the current context, in nats."""
        import numpy as np

        br = self.br
        gaps: dict[tuple, list[int]] = {}
        for i in S.tolist():
            gaps.setdefault(self.neighbours(i), []).append(i)
        joint = 0.0
        for (a, b), members in gaps.items():
            members.sort()
            joint += float(self.H[members[0]])
            right = None if b is None else br.powers[:, :, self.x[b]]
            for prev, cur in zip(members, members[1:]):
                K = np.array(br.power(cur - prev), dtype=float)
                if right is not None:
                    K = K * right[min(b - cur, br.D)][None, :]
                sums = K.sum(axis=1, keepdims=True)
                rows = np.divide(K, sums, out=np.zeros_like(K), where=sums > 0)
                joint += float(self.M[prev] @ _entropy_rows(rows))
        return max(float(self.H[S].sum()) - joint, 0.0)


def _choose(rule: Rule, walk: _Walk, eligible: "np.ndarray", step: int, block: int, rng: "np.random.Generator",
            truth: "np.ndarray | None") -> tuple["np.ndarray", "np.ndarray"]:
    """(positions revealed, their values) of one call."""
    import numpy as np

    kind = rule.kind
    if kind in ("confidence", "low-confidence"):
        draws = _draw_rows(walk.M[eligible], rng)
        conf = np.round(walk.M[eligible, draws], 12)  # equal confidences within 1e-12 are ties: the lower position
        if kind == "confidence":
            assert rule.threshold is not None
            keep = conf >= float(rule.threshold)
            if not keep.any():
                keep[int(np.argmax(conf))] = True
        else:
            keep = np.zeros(len(eligible), dtype=bool)
            keep[np.lexsort((eligible, -conf))[: rule.counts[block][step]]] = True
        return eligible[keep], draws[keep]
    if kind in ("eb", "entropy-sum"):
        assert rule.threshold is not None
        H = from_nats(walk.H[eligible], rule.unit)  # in the exact threshold's unit
        order = np.lexsort((eligible, np.round(H, 12)))
        hs = H[order]
        before = np.cumsum(hs) - hs  # Σ H of the prefix without its newest (largest) member
        excess = before if kind == "eb" else before + hs
        ok = excess <= float(rule.threshold) + 1e-12
        count = max(1, int(np.argmin(ok)) if not ok.all() else len(ok))
        S = np.sort(eligible[order[:count]])
    elif kind in ("left-to-right", "dilated"):
        S = np.array(rule.groups[_group_index(rule, walk)], dtype=np.int64)
    else:  # random positions
        S = np.sort(rng.choice(eligible, size=rule.counts[block][step], replace=False))
    values = truth[S] if truth is not None else _draw_rows(walk.M[S], rng)
    return S, values


def _group_index(rule: Rule, walk: _Walk) -> int:
    done, total = len(walk.revealed), 0
    for k, group in enumerate(rule.groups):
        if total == done:
            return k
        total += len(group)
    raise AssertionError("a fixed order left its path")


def _trajectory(br: ChainBridges, rule: Rule, rng: "np.random.Generator",
                truth: "np.ndarray | None") -> tuple[int, bool, float]:
    """(network calls, ended in a sequence error?, Σ TC of the revealed groups) of one trajectory."""
    import numpy as np

    walk = _Walk(br)
    calls, tc, block, step = 0, 0.0, 0, 0
    while block < len(rule.blocks):
        start, size = rule.blocks[block]
        eligible = start + np.flatnonzero(walk.masked[start : start + size])
        if len(eligible) == 0:
            block, step = block + 1, 0
            continue
        S, values = _choose(rule, walk, eligible, step, block, rng, truth)
        calls, step = calls + 1, step + 1
        if truth is not None:
            tc += walk.total_correlation(S)
        if not walk.reveal(S, values):
            return calls, True, tc
    return calls, False, tc


def count_monte_carlo(chain: MarkovChain, sampler: Any, length: int, *, samples: int = 200, seed: int = 0,
                      max_seconds: float = 120.0, convention: str | None = None) -> dict[str, tuple[float, float]]:
    """Monte Carlo of a random-count sampler on a chain from ``seed``: each value (mean, standard error).

    ``sequence_error``: P(a draw reaches a context of probability 0); ``nfe``: the network calls
    until the sample ended (``convention`` as in :mod:`boundcalc.truth.count_law`, the sampler's own by
    default). Each trajectory tosses every masked position's coin at every step (probability p_k) and
    draws the heads' values from the chain's bridge marginals. The calls as the sampler runs on need no
    Monte Carlo (:func:`boundcalc.truth.count_law.expected_calls`: they do not depend on the data).
    """
    import numpy as np

    from .count_law import _calls_at, call_convention

    convention = convention or call_convention(sampler)
    if sampler.length != length:
        raise ScheduleError(f"{sampler} is for L = {sampler.length}, not {length}", param="schedule")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise ScheduleError(f"samples = {samples!r}", param="samples", allowed="an integer >= 2")
    calls = float(samples) * min(len(sampler.reveal), length)  # steps that reveal something: at most L
    seconds = calls * (MC_SECONDS_PER_CALL + MC_SECONDS_PER_UPDATE * length * chain.vocab_size)
    _refuse_mc(sampler, length, samples, seconds, max_seconds, "an upper estimate")
    br = ChainBridges(chain, length)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    errors, nfes = [], []
    K = len(sampler.reveal)
    for _ in range(samples):
        walk, failed, made, changed = _Walk(br), False, 0, True
        for k, p in enumerate(sampler.reveal, 1):
            made += _calls_at(convention, k, K, changed)
            masked = np.flatnonzero(walk.masked)
            S = masked[rng.random(len(masked)) < p] if p < 1 else masked
            changed = len(S) > 0
            if changed and not walk.reveal(S, _draw_rows(walk.M[S], rng)):
                failed = True
                break
        errors.append(1.0 if failed else 0.0)
        nfes.append(float(made))
        _check_time(start, 1.5 * max_seconds, sampler)
    return {"sequence_error": _mean_se(errors), "nfe": _mean_se(nfes)}
