"""The step-size caps of a sweep's ``mdlm:T:NOISE`` rows from their bins of steps (:mod:`boundcalc.count_noise_bins`),
without the steps: per row and bin the least J whose Chernoff tail, over every step the bin may hold, is below 2^-80
(docs/theory.md §12, "Bins of steps", the caps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["caps_of_bins"]

_EPS = 2.0**-53
#: Levels of π per row for the bins' caps (down to 2^-11.5 of the row's largest).
_LEVELS = 24
#: The step-size cap: the least J with Σ_k Chernoff(Bin(L, π_k) > J) <= 2^-80 (the samplers' TAIL).
_TAIL = 2.0**-80


def _x_logs(x: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]":
    """(log x, log(1 − min(x, 1))): :func:`_chernoff`'s logs of x, once for a search that asks it of many sizes."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.log(x), np.log1p(-np.minimum(x, 1.0))


def _chernoff(length: int, size: "np.ndarray", x: "np.ndarray", logs: "tuple[np.ndarray, np.ndarray] | None" = None
              ) -> "np.ndarray":
    """An upper bound on P(Bin(L, x) > size): exp(−L·D((size + 1)/L ‖ x)) for x < (size + 1)/L, the exponent
    lowered by 32ε times the magnitudes of its terms (its float rounding); 1 for x at or above; 0 beyond L.
    ``logs``: :func:`_x_logs` of x (the same floats), when the caller has them."""
    import numpy as np

    a = np.asarray(size, dtype=np.float64) + 1
    r = np.minimum(a / length, 1.0)
    rest = 1 - r
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_r = np.log(r)
        log_rest = np.where(rest > 0, np.log1p(-r), 0.0)
        log_x, log_keep = _x_logs(x) if logs is None else logs
        terms = (r * log_r, rest * log_rest, r * log_x, rest * log_keep)
        divergence = terms[0] + terms[1] - terms[2] - terms[3]
        magnitude = sum(np.abs(t) for t in terms)
        exponent = -length * (divergence - 32 * _EPS * magnitude)
        out = np.exp(np.minimum(exponent, 0.0))
    out = np.where(np.isnan(out) | (x >= r), 1.0, out)
    out = np.where(x <= 0, 0.0, out)
    return np.where(a > length, 0.0, out)


def caps_of_bins(length: int, bins: Any, steps: "np.ndarray") -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(J per row, far per row, J per bin). A bin's J: the least J with (T + 1)·Chernoff(Bin(L, x) > J) <= 2^-80 at
    the least of the levels x = (the row's largest π)·2^(−i/2), i < 24, at or above its largest π (the bound grows
    with x), so far = Σ_bins n·Chernoff(Bin(L, high) > J_bin) <= 2^-80 bounds P(some step > J_bin) over the bins at
    once; a row's J is its bins' largest."""
    import numpy as np

    from .count_batch import least_settled

    top = np.maximum.reduceat(bins.high, bins.offsets[:-1])
    levels = top[:, None] * 2.0 ** (-np.arange(_LEVELS) / 2)[None, :]
    count = np.repeat(steps.astype(np.float64)[:, None] + 1, _LEVELS, axis=1).ravel()
    lo, hi = np.zeros(count.size, dtype=np.int64), np.full(count.size, length, dtype=np.int64)
    flat = levels.ravel()
    logs = _x_logs(flat)  # the levels' logs once, not once per round of the search (the same floats)
    at_levels = least_settled(lo, hi, lambda mid: count * _chernoff(length, mid, flat, logs) <= _TAIL)
    at_levels = at_levels.reshape(levels.shape)
    # the bin's level: the least level at or above its largest π (levels fall by 2^(1/2) from the row's largest)
    with np.errstate(divide="ignore"):
        index = np.floor(-2 * np.log2(np.maximum(bins.high, 1e-300) / top[bins.row]) * (1 - 1e-12)).astype(np.int64)
    index = np.clip(index, 0, _LEVELS - 1)
    index = np.where(levels[bins.row, index] >= bins.high, index, np.maximum(index - 1, 0))
    bin_caps = at_levels[bins.row, index]
    terms = bins.count * _chernoff(length, bin_caps, bins.high)
    far = np.add.reduceat(terms, bins.offsets[:-1]) * (1 + (np.diff(bins.offsets) + 4) * _EPS)
    caps = np.maximum.reduceat(bin_caps, bins.offsets[:-1])
    return caps, np.where(caps < length, far, 0.0), bin_caps
