"""The exact output law of a sampler on a joint table: KL, sequence error and network calls.

With the oracle predictor p_i(·) = p(X_i = · | X_R = x_R) (temperature 1, so the
Gumbel-max draw of the public code is a draw from p_i), a sampler (:class:`Rule`)
is a Markov chain over partial sequences (R, x_R). Each network call draws the
values of the positions it reveals independently from their marginals, so
revealing S at once draws x_S from Π_{i∈S} p_i; the joint context reached can
have p(x_{R∪S}) = 0, and then the sample ends there as a *sequence error*
(no predictor is defined at a context of probability 0).

The engine propagates the exact probability (Fractions) of every reachable
state, merging states reached along different paths, in order of |R| (every
call reveals at least one position). The law of one call, (S, x_S), is:

* random positions / fixed orders / entropy rules: S does not depend on the draws
  (uniform over the k-subsets of the eligible positions, the next group, or the
  entropy prefix), and x_S ~ Π p_i;
* confidence threshold τ (Fast-dLLM): each position independently either passes
  (its draw has p_i(v) >= τ) or not, so P(pass set = S, x_S) = Π_{i∈S} p_i(v_i)
  Π_{j∉S} P_j(p_j(v) < τ); when none passes, the most confident draw (i, v) is
  kept, with probability p_i(v) Π_{j<i} P_j(c_j < c) Π_{j>i} P_j(c_j <= c), c = p_i(v);
* top-k by confidence (LLaDA): S is the top-k set with values x_S iff every other
  eligible draw ranks below the weakest member w of S (lower confidence, or equal
  and a later position): Π_{i∈S} p_i(v_i) Π_{j∉S} P_j(rank below w).

So q (the output law), P(sequence error) and the law of the number of network
calls are exact rationals of the model's probabilities. KL(p || q) = Σ p log(p/q)
is evaluated at 40 significant digits and rounded once to float64.

Entropies (EB, entropy-sum) are transcendental: they are compared at 50
significant digits, and values within 1e-40 of each other (or of the threshold)
are taken as equal -- exact ties such as H(1/2,1/8,1/8,1/8,1/8) = H(1/4,1/4,1/4,1/4)
= 2 bits are then ties, as they should be.

Enumeration grows like Σ_r C(L, r) (V+1)^(L−r) per state for the confidence
rule: the cost is estimated first (:func:`law_cost`) and a table that would not
finish is refused.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import DomainError, ScheduleError
from ..units import from_nats
from .joint import JointDistribution
from .rules import Rule

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["SamplerLaw", "exact_law", "law_cost", "MAX_LAW_WORK", "exact_probabilities_of"]

#: Work units (transitions tried plus row scans) above which :func:`exact_law` refuses.
MAX_LAW_WORK = 4e6  # about two minutes at LAW_WORK_PER_SECOND
#: Work units per second (benchmarks/bench_samplers.py, the slowest rule: random positions, 3-5e4;
#: confidence 4e4-1.5e5; the others faster), for the time in the refusal.
LAW_WORK_PER_SECOND = 3e4
#: Entropy comparisons: digits carried, and the gap below which two values count as equal.
ENTROPY_DIGITS = 50
ENTROPY_TIE = 1e-40

Key = tuple  # (revealed mask, values of the revealed positions in position order)


@dataclass
class SamplerLaw:
    """The exact output law of a rule on a table (:func:`exact_law`).

    ``law``: q(x) for every completed x (all have p(x) > 0); ``sequence_error``:
    the mass of samples that reached a context of probability 0; ``nfe``: the law
    of the number of network calls until the sample ended (a sample that ended in
    an error counts the calls it made; :attr:`nfe_run_on` the calls a sampler that
    does not know it erred makes); ``kl``: KL(p || q) in nats (inf when q misses part of p's
    support), with ``kl_error`` its float error bound.
    """

    rule: Rule
    law: dict[tuple[int, ...], Fraction]
    sequence_error: Fraction
    nfe: dict[int, Fraction]
    kl: float
    kl_error: float
    states: int
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def expected_nfe(self) -> Fraction:
        """E[number of network calls], exactly."""
        return sum((n * w for n, w in self.nfe.items()), Fraction(0))

    @property
    def nfe_run_on(self) -> dict[int, Fraction] | None:
        """The law of the calls the sampler makes as it runs, errors or not (it does not know it erred):
        its T when the rule's number of calls is fixed; None when it depends on the predictions, which
        are undefined after a context of probability 0 (docs/samplers.md)."""
        steps = self.rule.steps
        return None if steps is None else {steps: Fraction(1)}

    @property
    def nfe_sd(self) -> float:
        """The standard deviation of the number of network calls."""
        mean = self.expected_nfe
        return math.sqrt(float(sum((w * (n - mean) ** 2 for n, w in self.nfe.items()), Fraction(0))))

    def to_dict(self) -> dict[str, Any]:
        """Plain values (floats next to the exact rationals as strings)."""
        return {
            "sampler": str(self.rule),
            "kl": self.kl,
            "kl_error": self.kl_error,
            "sequence_error": float(self.sequence_error),
            "sequence_error_exact": str(self.sequence_error),
            "expected_nfe": float(self.expected_nfe),
            "expected_nfe_exact": str(self.expected_nfe),
            "nfe_sd": self.nfe_sd,
            "nfe_law": {str(n): str(w) for n, w in sorted(self.nfe.items())},
            "expected_nfe_run_on": None if self.nfe_run_on is None else self.rule.steps,
            "nfe_run_on_law": None if self.nfe_run_on is None else {str(self.rule.steps): "1"},
        }


def exact_probabilities_of(model: JointDistribution) -> list[Fraction]:
    """The table's probabilities as exact rationals summing to 1.

    The exact inputs when the table was built from them, else the stored floats
    (exactly, rescaled by their exact sum).
    """
    exact = getattr(model, "exact_probabilities", None)
    if exact is not None:
        return list(exact)
    values = [Fraction(float(p)) for p in model.probabilities.tolist()]
    total = sum(values, Fraction(0))
    return [v / total for v in values]


# -- cost -------------------------------------------------------------------------------------------
def law_cost(model: JointDistribution, rule: Rule) -> dict[str, float]:
    """An upper estimate of the enumeration's work and seconds (see :data:`MAX_LAW_WORK`)."""
    L, V, N = model.length, model.vocab_size, model.support_size
    rule_length_check(model, rule)
    work = 0.0
    if rule.groups:
        done = 0
        for group in rule.groups:
            work += min(N, V**done) * (V ** len(group) + N)
            done += len(group)
    elif rule.counts:
        done = 0
        for (start, size), counts in zip(rule.blocks, rule.counts):
            inside = 0
            for k in counts:
                states = math.comb(size, inside) * min(N, V ** (done + inside))
                work += states * (math.comb(size - inside, k) * V**k + N)
                inside += k
            done += size
    else:  # confidence: every pass/fail pattern of the eligible draws; entropy rules: the values of one group
        B = rule.blocks[0][1]
        base = V + 1 if rule.kind == "confidence" else V
        for r in range(L + 1):
            eligible = min(L - r, B)
            work += math.comb(L, r) * min(N, V**r) * (base**eligible + N)
    return {"work": work, "seconds": work / LAW_WORK_PER_SECOND}


def rule_length_check(model: JointDistribution, rule: Rule) -> None:
    if rule.length != model.length:
        raise ScheduleError(f"{rule} is for L = {rule.length}, the table has L = {model.length}", param="schedule")


def _refuse(model: JointDistribution, rule: Rule, max_work: float) -> None:
    cost = law_cost(model, rule)
    if cost["work"] > max_work:
        raise DomainError(
            f"the exact law of {rule} on this table (L = {model.length}, V = {model.vocab_size}, "
            f"{model.support_size} outcomes) needs ~{cost['work']:.2g} enumeration steps, about "
            f"{cost['seconds']:.0f} s (limit {max_work:.2g})",
            param=model.source or "joint",
            allowed="a smaller table, or a Markov chain (Monte Carlo for adaptive rules)",
        )


# -- the walk ---------------------------------------------------------------------------------------
@dataclass
class _Table:
    codes: "np.ndarray"
    probs: list[Fraction]


def exact_law(model: JointDistribution, rule: Rule, *, max_work: float = MAX_LAW_WORK) -> SamplerLaw:
    """The exact output law of ``rule`` on ``model`` (see the module docstring); refused when too large."""
    import numpy as np

    rule_length_check(model, rule)
    _refuse(model, rule, max_work)
    table = _Table(model.codes, exact_probabilities_of(model))
    L = model.length
    full = (1 << L) - 1
    buckets: list[dict[Key, list]] = [dict() for _ in range(L + 1)]
    buckets[0][(0, ())] = [np.arange(len(table.probs)), {0: Fraction(1)}]
    law: dict[tuple[int, ...], Fraction] = defaultdict(Fraction)
    nfe: dict[int, Fraction] = defaultdict(Fraction)
    error = Fraction(0)
    states = 0
    steps = _StepStats(table)
    for size in range(L):
        for (mask, values), (rows, calls) in buckets[size].items():
            states += 1
            for S, x_S, weight in _transitions(table, rule, mask, values, rows, calls):
                if rule.kind == "confidence":  # for Fast-dLLM's per-call theorem (sampler_truth.py)
                    steps.see(mask, rows, S)
                new_mask, new_values, new_rows = _advance(table, mask, values, rows, S, x_S)
                for n, w in calls.items():
                    mass = w * weight
                    if new_rows is None:
                        error += mass
                        nfe[n + 1] += mass
                    elif new_mask == full:
                        law[new_values] += mass
                        nfe[n + 1] += mass
                if new_rows is None or new_mask == full:
                    continue
                slot = buckets[bin(new_mask).count("1")].setdefault((new_mask, new_values), [new_rows, defaultdict(Fraction)])
                for n, w in calls.items():
                    slot[1][n + 1] += w * weight
        buckets[size] = {}  # done: free the memory
    law = {x: q for x, q in law.items() if q}
    kl, kl_error = _kl(table, law)
    return SamplerLaw(rule, law, error, {n: w for n, w in nfe.items() if w}, kl, kl_error, states,
                      {"max_step_size": steps.max_size, "max_step_tc": steps.max_tc})


class _StepStats:
    """The largest group a call reveals and the largest TC(S | x_R) of a group of two or more (nats, float)."""

    def __init__(self, table: _Table):
        self.table = table
        self.max_size = 0
        self.max_tc = 0.0
        self._seen: set = set()

    def see(self, mask: int, rows: "np.ndarray", S: tuple) -> None:
        self.max_size = max(self.max_size, len(S))
        key = (mask, tuple(rows.tolist()), S)
        if len(S) < 2 or key in self._seen:
            return
        self._seen.add(key)
        marg = _marginals(self.table, rows, list(S))
        singles = math.fsum(_float_entropy(p for _, p in marg[i]) for i in S)
        self.max_tc = max(self.max_tc, singles - _float_entropy(_joint_of(self.table, rows, S).values()))


def _advance(table: _Table, mask: int, values: tuple, rows: "np.ndarray", S: tuple, x_S: tuple):
    """(new mask, new values in position order, rows consistent with them or None when p = 0)."""
    import numpy as np

    keep = np.ones(len(rows), dtype=bool)
    sub = table.codes[rows]
    for i, v in zip(S, x_S):
        keep &= sub[:, i] == v
    new_mask = mask
    for i in S:
        new_mask |= 1 << i
    revealed = dict(zip(_positions(mask), values))
    revealed.update(zip(S, x_S))
    new_values = tuple(revealed[i] for i in sorted(revealed))
    return new_mask, new_values, (rows[keep] if keep.any() else None)


def _positions(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def _marginals(table: _Table, rows: "np.ndarray", positions: list[int]) -> dict[int, list[tuple[int, Fraction]]]:
    """p_i(v) = p(X_i = v | context) for each listed position: (value, probability > 0), by value."""
    probs = [table.probs[r] for r in rows.tolist()]
    total = sum(probs, Fraction(0))
    out = {}
    for i in positions:
        acc: dict[int, Fraction] = defaultdict(Fraction)
        for v, p in zip(table.codes[rows, i].tolist(), probs):
            acc[v] += p
        out[i] = [(v, acc[v] / total) for v in sorted(acc)]
    return out


def _eligible(rule: Rule, mask: int) -> list[int]:
    """The masked positions of the first unfinished block."""
    for start, size in rule.blocks:
        masked = [i for i in range(start, start + size) if not mask >> i & 1]
        if masked:
            return masked
    return []


def _step_index(rule: Rule, mask: int) -> tuple[int, int]:
    """(block, step inside the block) of a count rule: fixed by how many of the block are revealed."""
    for b, ((start, size), counts) in enumerate(zip(rule.blocks, rule.counts)):
        inside = sum(1 for i in range(start, start + size) if mask >> i & 1)
        if inside < size:
            done, t = 0, 0
            while done < inside:
                done += counts[t]
                t += 1
            return b, t
    raise AssertionError("no masked position left")


def _transitions(table: _Table, rule: Rule, mask: int, values: tuple, rows: "np.ndarray", calls: dict) -> Iterator[tuple]:
    """(S, x_S, probability) of one network call from the state."""
    eligible = _eligible(rule, mask)
    marg = _marginals(table, rows, eligible)
    kind = rule.kind
    if kind in ("left-to-right", "dilated"):
        done = bin(mask).count("1")
        total = 0
        for group in rule.groups:
            if total == done:
                yield from _draws(tuple(group), marg, Fraction(1))
                return
            total += len(group)
        raise AssertionError("a fixed order reached a state off its path")
    if kind == "random":
        b, t = _step_index(rule, mask)
        k = rule.counts[b][t]
        weight = Fraction(1, math.comb(len(eligible), k))
        for S in itertools.combinations(eligible, k):
            yield from _draws(S, marg, weight)
        return
    if kind in ("eb", "entropy-sum"):
        yield from _draws(_entropy_prefix(rule, eligible, marg), marg, Fraction(1))
        return
    if kind == "confidence":
        yield from _threshold_law(rule.threshold, eligible, marg)
        return
    if kind == "low-confidence":
        b, t = _step_index(rule, mask)
        yield from _top_k_law(rule.counts[b][t], eligible, marg)
        return
    raise ValueError(f"unknown rule kind {kind!r}")


def _draws(S: tuple, marg: dict, weight: Fraction) -> Iterator[tuple]:
    """Every x_S with its probability weight · Π p_i(x_i)."""
    for combo in itertools.product(*(marg[i] for i in S)):
        p = weight
        for _, q in combo:
            p *= q
        yield S, tuple(v for v, _ in combo), p


def _threshold_law(tau: Fraction | None, eligible: list[int], marg: dict) -> Iterator[tuple]:
    """Fast-dLLM's threshold: the law of (kept set, kept values)."""
    assert tau is not None
    passing = {i: [(v, p) for v, p in marg[i] if p >= tau] for i in eligible}
    failing = {i: sum((p for _, p in marg[i] if p < tau), Fraction(0)) for i in eligible}
    n = len(eligible)
    for size in range(1, n + 1):
        for S in itertools.combinations(eligible, size):
            rest = Fraction(1)
            for j in eligible:
                if j not in S:
                    rest *= failing[j]
            if rest == 0:
                continue
            for combo in itertools.product(*(passing[i] for i in S)):
                p = rest
                for _, q in combo:
                    p *= q
                yield S, tuple(v for v, _ in combo), p
    # none passes: the most confident draw is kept (ties: the lowest position)
    for idx, i in enumerate(eligible):
        for v, c in marg[i]:
            if c >= tau:
                continue
            p = c
            for j in eligible[:idx]:
                p *= sum((q for _, q in marg[j] if q < c), Fraction(0))
            for j in eligible[idx + 1 :]:
                p *= sum((q for _, q in marg[j] if q <= c), Fraction(0))
            if p:
                yield (i,), (v,), p


def _top_k_law(k: int, eligible: list[int], marg: dict) -> Iterator[tuple]:
    """LLaDA's low_confidence: the law of the k most confident draws (ties: lower position first)."""
    for S in itertools.combinations(eligible, k):
        others = [j for j in eligible if j not in S]
        for combo in itertools.product(*(marg[i] for i in S)):
            # the weakest member: least confidence, the later position among equals
            w, c = max(((i, q) for i, (_, q) in zip(S, combo)), key=lambda t: (-t[1], t[0]))
            p = Fraction(1)
            for _, q in combo:
                p *= q
            for j in others:
                p *= sum((q for _, q in marg[j] if q < c or (q == c and j > w)), Fraction(0))
                if not p:
                    break
            if p:
                yield S, tuple(v for v, _ in combo), p


# -- entropies ----------------------------------------------------------------------------------------
_ENTROPY_CACHE: dict[tuple, Any] = {}


def _entropy(probs: tuple[Fraction, ...], unit: str) -> Any:
    """H of a distribution (mpmath, ENTROPY_DIGITS digits), in ``unit``; a point mass is exactly 0."""
    import mpmath

    key = (tuple(sorted(probs)), unit)
    if key not in _ENTROPY_CACHE:
        if len(_ENTROPY_CACHE) > 100_000:
            _ENTROPY_CACHE.clear()
        with mpmath.workdps(ENTROPY_DIGITS):
            h = mpmath.mpf(0)
            for p in key[0]:
                if p and p != 1:
                    x = mpmath.mpf(p.numerator) / p.denominator
                    h -= x * mpmath.log(x)
            h = from_nats(h, unit)  # the rule's exact threshold keeps its unit: H is compared in it
        _ENTROPY_CACHE[key] = h
    return _ENTROPY_CACHE[key]


def _leq(a: Any, b: Fraction | None) -> bool:
    """a <= b (an mpf against a rational), values within ENTROPY_TIE counting as equal."""
    import mpmath

    assert b is not None
    with mpmath.workdps(ENTROPY_DIGITS):
        return bool(a <= mpmath.mpf(b.numerator) / b.denominator + ENTROPY_TIE)


def _entropy_prefix(rule: Rule, eligible: list[int], marg: dict) -> tuple[int, ...]:
    """EB: the longest entropy-sorted prefix with Σ H − max H <= γ; entropy-sum: with Σ H <= η (at least one)."""
    import functools

    H = {i: _entropy(tuple(p for _, p in marg[i]), rule.unit) for i in eligible}

    def order(a: int, b: int) -> int:
        if abs(H[a] - H[b]) <= ENTROPY_TIE:
            return a - b
        return -1 if H[a] < H[b] else 1

    import mpmath

    ranked = sorted(eligible, key=functools.cmp_to_key(order))
    keep, before = 1, H[ranked[0]]  # before: Σ H of the kept prefix
    with mpmath.workdps(ENTROPY_DIGITS):
        for i in ranked[1:]:
            # sorted ascending, so the newest is the largest: Σ H − max H is the sum before it
            excess = before if rule.kind == "eb" else before + H[i]
            if not _leq(excess, rule.threshold):
                break
            keep += 1
            before += H[i]
    return tuple(sorted(ranked[:keep]))


def _kl(table: _Table, law: dict[tuple[int, ...], Fraction]) -> tuple[float, float]:
    """KL(p || q) in nats at 40 digits, rounded once (inf when q(x) = 0 < p(x))."""
    import mpmath

    with mpmath.workdps(40):
        total = mpmath.mpf(0)
        for row, p in zip(table.codes.tolist(), table.probs):
            q = law.get(tuple(row), Fraction(0))
            if q == 0:
                return math.inf, 0.0
            ratio = p / q
            total += mpmath.mpf(p.numerator) / p.denominator * mpmath.log(mpmath.mpf(ratio.numerator) / ratio.denominator)
        value = float(total)
    return value, 2.0**-52 * max(abs(value), 1e-300) + 1e-30


# -- the ideal process (for the bounds of rules that choose from the marginals alone) ---------------------
@dataclass
class IdealWalk:
    """Expectations over the *ideal* process: the rule's positions, values drawn from the joint conditional.

    Its output law is p, so for a rule choosing positions from the marginals alone
    KL(p || q) <= ``total_correlation`` = E Σ_k TC(S_k | x_{R_k}) (equality for
    fixed orders; for random positions it is E_M KL(p || q_M)). ``entropy_excess``
    = E Σ_k (Σ_{i∈S_k} H_i − max H_i) and ``entropy_sum`` = E Σ_k Σ_{i∈S_k} H_i
    over calls revealing two or more positions (each bounds the step's TC); ``nfe``
    the law of the calls. Nats; floats with ``abs_error``.
    """

    rule: Rule
    total_correlation: float
    entropy_excess: float
    entropy_sum: float
    nfe: dict[int, Fraction]
    abs_error: float

    @property
    def expected_nfe(self) -> Fraction:
        return sum((n * w for n, w in self.nfe.items()), Fraction(0))


def _joint_of(table: _Table, rows: "np.ndarray", S: tuple) -> dict[tuple, Fraction]:
    """p(x_S | context) from the consistent rows."""
    acc: dict[tuple, Fraction] = defaultdict(Fraction)
    for code, r in zip(map(tuple, table.codes[rows][:, list(S)].tolist()), rows.tolist()):
        acc[code] += table.probs[r]
    total = sum(acc.values(), Fraction(0))
    return {x: p / total for x, p in acc.items()}


def _float_entropy(probs: Any) -> float:
    return -math.fsum(float(p) * math.log(float(p)) for p in probs if p)


def ideal_walk(model: JointDistribution, rule: Rule, *, max_work: float = MAX_LAW_WORK) -> IdealWalk:
    """:class:`IdealWalk` of a rule that chooses positions from the marginals alone (not the confidence rules)."""
    import numpy as np

    if not rule.selects_from_marginals:
        raise ScheduleError(f"{rule} chooses positions from the drawn values: it has no ideal process",
                            param="schedule", allowed="eb, entropy-sum, fixed orders, random positions")
    rule_length_check(model, rule)
    _refuse(model, rule, max_work)
    table = _Table(model.codes, exact_probabilities_of(model))
    L = model.length
    buckets: list[dict[Key, list]] = [dict() for _ in range(L + 1)]
    buckets[0][(0, ())] = [np.arange(len(table.probs)), {0: Fraction(1)}]
    nfe: dict[int, Fraction] = defaultdict(Fraction)
    sums = {"tc": [], "excess": [], "sum": []}  # type: dict[str, list[float]]
    for size in range(L):
        for (mask, values), (rows, calls) in buckets[size].items():
            mass = sum(calls.values(), Fraction(0))
            for S, weight in _selections(table, rule, mask, values, rows, calls):
                marg = _marginals(table, rows, list(S))
                H = [_float_entropy(p for _, p in marg[i]) for i in S]
                joint = _joint_of(table, rows, S)
                share = float(mass * weight)
                sums["tc"].append(share * max(math.fsum(H) - _float_entropy(joint.values()), 0.0))
                if len(S) > 1:
                    sums["excess"].append(share * (math.fsum(H) - max(H)))
                    sums["sum"].append(share * math.fsum(H))
                for x_S, p in joint.items():
                    new_mask, new_values, new_rows = _advance(table, mask, values, rows, S, x_S)
                    target = nfe if new_mask == (1 << L) - 1 else None
                    for n, w in calls.items():
                        if target is not None:
                            target[n + 1] += w * weight * p
                    if target is None:
                        slot = buckets[bin(new_mask).count("1")].setdefault((new_mask, new_values),
                                                                            [new_rows, defaultdict(Fraction)])
                        for n, w in calls.items():
                            slot[1][n + 1] += w * weight * p
        buckets[size] = {}
    total = {k: math.fsum(v) for k, v in sums.items()}
    error = 8 * L * max(1, model.vocab_size) * 2.0**-53 * max(1.0, total["sum"], total["tc"])
    return IdealWalk(rule, total["tc"], total["excess"], total["sum"], {n: w for n, w in nfe.items() if w}, error)


def _selections(table: _Table, rule: Rule, mask: int, values: tuple, rows: "np.ndarray",
                calls: dict) -> Iterator[tuple[tuple, Fraction]]:
    """(S, probability) of the positions a marginal-only rule reveals from this state."""
    eligible = _eligible(rule, mask)
    if rule.kind == "random":
        b, t = _step_index(rule, mask)
        k = rule.counts[b][t]
        weight = Fraction(1, math.comb(len(eligible), k))
        for S in itertools.combinations(eligible, k):
            yield S, weight
        return
    if rule.kind in ("eb", "entropy-sum"):
        yield _entropy_prefix(rule, eligible, _marginals(table, rows, eligible)), Fraction(1)
        return
    for S, _, _ in _transitions(table, rule, mask, values, rows, calls):  # a fixed order: one group
        yield S, Fraction(1)
        return
