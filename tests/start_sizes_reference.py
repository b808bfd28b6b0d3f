"""Exact start sizes of a count sampler, by brute force in rationals (the reference of the batched start sizes), and the
partial curves the batched rows are checked on."""

from __future__ import annotations

from fractions import Fraction
from math import comb
from typing import Any

from boundcalc.curve import LossCurve


def exact_starts(sampler: Any) -> list[Fraction]:
    """start(m) = Σ_k L·p_k·a_k·P(Bin(L − 1, r_k) = m), a_k = Π_{j<k}(1 − p_j), r_k = 1 − a_k, for m = 0..L−1, in
    exact rationals from the sampler's exact p_k (every k and m)."""
    L, N = sampler.length, sampler.length - 1
    out = [Fraction(0)] * L
    alive = Fraction(1)
    for p in sampler.exact:
        r = 1 - alive
        for m in range(L):
            out[m] += L * p * alive * comb(N, m) * r**m * alive ** (N - m)
        alive *= 1 - p
    return out


def rows_partial_curve(L: int, points: list[int], drop: float, stderr: bool) -> LossCurve:
    """A loss curve of L measured at ``points`` (masked counts), falling by ``drop`` as a power 1.3 of the masked
    fraction, with growing stderrs when ``stderr``."""
    masked = sorted(set(points))
    loss = [drop * (k / L) ** 1.3 + 0.1 for k in masked]
    se = [0.01 + 0.001 * i for i in range(len(masked))] if stderr else None
    return LossCurve(length=L, masked=masked, loss=loss, stderr=se, exact=False)
