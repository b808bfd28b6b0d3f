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


def assert_row_matches_per_row_forms(row: Any, sampler: Any, curve: LossCurve, vocab: int | None, error: float,
                                     stderr: bool) -> None:
    """A batched row's stderr, pchip value and interval against the per-row forms (count_coefficients of the
    sampler), within the row's and the per-row value's (``error``) certified errors."""
    from boundcalc.completion import error_interval
    from boundcalc.estimate import count_coefficients

    c = count_coefficients(sampler)
    if stderr:
        assert abs(row.estimate.stderr - curve.stderr_of(c)) <= 1e-9 * curve.stderr_of(c) + 1e-15
    cubic = float(c @ curve.conditional("pchip"))
    assert abs(row.estimate.pchip - max(cubic, 0.0)) <= row.error + error
    lo, hi = error_interval(curve, c, vocab)
    slack = 2 * (row.error + error) + 1e-12 * (abs(lo) + abs(hi))
    assert abs(row.interval[0] - lo) <= slack and abs(row.interval[1] - hi) <= slack
