"""An independent brute force for the sampler laws (tests only; written separately from truth/adaptive.py).

It simulates the samplers literally: at every call ALL masked positions draw a
value from the oracle's conditional marginals (every combination enumerated,
with its probability), the rule is applied to the draws as the public code does
(sort, top-k, threshold), and the recursion continues. Nothing is shared with the
engine but the table: marginals by scanning the whole table, entropies in floats
with their own tie tolerance, ranking by sorting.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from fractions import Fraction


def llada_counts(n, steps):
    return [n // steps + (1 if i < n % steps else 0) for i in range(steps)]


def conditional(table, revealed, i):
    """{value: p(X_i = value | revealed)} by scanning the table (None when the context has probability 0)."""
    weights = defaultdict(Fraction)
    total = Fraction(0)
    for x, p in table.items():
        if all(x[j] == v for j, v in revealed.items()):
            weights[x[i]] += p
            total += p
    if total == 0:
        return None
    return {v: w / total for v, w in weights.items() if w}


def entropy(dist, unit):
    h = -math.fsum(float(p) * math.log(float(p)) for p in dist.values() if p != 1)
    return h / math.log(2) if unit == "bits" else h


def select(rule, masked_block, dists, draws, step_in_block):
    """The positions the rule keeps, from the draws (position -> value) and the marginals."""
    kind = rule["kind"]
    if kind in ("confidence", "low-confidence"):
        conf = {i: dists[i][draws[i]] for i in masked_block}
        ranked = sorted(masked_block, key=lambda i: (-conf[i], i))  # most confident first, lower position first
    if kind == "confidence":
        return [ranked[0]] + [i for i in ranked[1:] if conf[i] >= rule["tau"]]
    if kind == "low-confidence":
        return ranked[: rule["counts"][step_in_block]]
    if kind in ("eb", "entropy-sum"):
        H = {i: entropy(dists[i], rule.get("unit", "nats")) for i in masked_block}
        order = sorted(masked_block, key=lambda i: (round(H[i], 9), i))
        keep = 1
        for n in range(2, len(order) + 1):
            prefix = [H[i] for i in order[:n]]
            excess = sum(prefix) - max(prefix) if kind == "eb" else sum(prefix)
            if excess <= float(rule["threshold"]) + 1e-9:
                keep = n
            else:
                break
        return order[:keep]
    raise ValueError(kind)


def brute_law(table, L, rule):
    """(law of the output, P(sequence error), law of the calls) by literal simulation."""
    law, nfe = defaultdict(Fraction), defaultdict(Fraction)
    error = [Fraction(0)]
    blocks = rule.get("blocks", [(0, L)])

    def run(revealed, weight, calls, step_in_block, block):
        if len(revealed) == L:
            law[tuple(revealed[i] for i in range(L))] += weight
            nfe[calls] += weight
            return
        start, size = blocks[block]
        masked_block = [i for i in range(start, start + size) if i not in revealed]
        if not masked_block:
            run(revealed, weight, calls, 0, block + 1)
            return
        masked = [i for i in range(L) if i not in revealed]
        dists = {i: conditional(table, revealed, i) for i in masked}
        if rule["kind"] == "random":
            k = rule["counts"][block][step_in_block]
            subsets = list(itertools.combinations(masked_block, k))
            choices = [(S, Fraction(1, len(subsets))) for S in subsets]
        elif rule["kind"] == "fixed":
            done = len(revealed)
            total, choices = 0, None
            for g in rule["groups"]:
                if total == done:
                    choices = [(tuple(g), Fraction(1))]
                    break
                total += len(g)
        else:
            choices = None
        for combo in itertools.product(*(sorted(dists[i].items()) for i in masked)):
            draws = {i: v for i, (v, _) in zip(masked, combo)}
            p_draw = Fraction(1)
            for _, q in combo:
                p_draw *= q
            options = choices or [(select(rule, masked_block, dists, draws, step_in_block), Fraction(1))]
            for S, w in options:
                new = dict(revealed)
                new.update({i: draws[i] for i in S})
                if conditional(table, new, masked[0]) is None and len(new) < L or (
                        len(new) == L and table.get(tuple(new[i] for i in range(L)), 0) == 0):
                    error[0] += weight * p_draw * w
                    nfe[calls + 1] += weight * p_draw * w
                    continue
                run(new, weight * p_draw * w, calls + 1, step_in_block + 1, block)

    run({}, Fraction(1), 0, 0, 0)
    return dict(law), error[0], dict(nfe)


def brute_count_law(table, L, probs, convention):
    """A random-count sampler simulated literally: (output law, P(sequence error), calls until the end, calls run on).

    At step k every masked position tosses its own coin (heads with probability
    probs[k]) and every masked position draws a value from the oracle's marginal
    (all outcomes enumerated); the heads keep their draws. Calls: ``every-step``
    one per step; ``cached`` (MDLM ddpm_cache) at the first and last step and after
    a step that changed x. After an error the sampler runs on with the same coins
    (values no longer matter) for the run-on count.
    """
    K = len(probs)
    law, nfe, run_on = defaultdict(Fraction), defaultdict(Fraction), defaultdict(Fraction)
    error = [Fraction(0)]

    def call(k, changed):
        return 1 if convention == "every-step" or k == 0 or k == K - 1 or changed else 0

    def coins_only(k, masked, changed, calls, weight, stopped):
        """The rest of the run after an error: only the coins matter."""
        if k == K:
            run_on[calls] += weight
            return
        c = call(k, changed)
        for heads in itertools.product((0, 1), repeat=masked):
            w = Fraction(1)
            for h in heads:
                w *= probs[k] if h else 1 - probs[k]
            if w:
                coins_only(k + 1, masked - sum(heads), sum(heads) > 0, calls + c, weight * w, stopped)

    def run(k, revealed, changed, calls, weight):
        if k == K:
            assert len(revealed) == L
            law[tuple(revealed[i] for i in range(L))] += weight
            nfe[calls] += weight
            run_on[calls] += weight
            return
        c = call(k, changed)
        masked = [i for i in range(L) if i not in revealed]
        dists = {i: conditional(table, revealed, i) for i in masked}
        for heads in itertools.product((0, 1), repeat=len(masked)):
            w_coin = Fraction(1)
            for h in heads:
                w_coin *= probs[k] if h else 1 - probs[k]
            if not w_coin:
                continue
            for combo in itertools.product(*(sorted(dists[i].items()) for i in masked)):
                w = weight * w_coin
                for _, q in combo:
                    w *= q
                new = dict(revealed)
                new.update({i: v for i, h, (v, _) in zip(masked, heads, combo) if h})
                probability = sum((p for x, p in table.items() if all(x[j] == v for j, v in new.items())), Fraction(0))
                if probability == 0:
                    error[0] += w
                    nfe[calls + c] += w
                    coins_only(k + 1, len(masked) - sum(heads), True, calls + c, w, True)
                    continue
                run(k + 1, new, sum(heads) > 0, calls + c, w)

    run(0, {}, True, 0, Fraction(1))
    return dict(law), error[0], dict(nfe), dict(run_on)
