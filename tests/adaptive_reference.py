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
