"""A sweep's uniform-grid count rows at once: every row's E c(S_max) enclosed by the brackets of identical laws.

For the rows of :class:`~boundcalc.count_grid.GridSampler` (mdlm, sedd, dream-origin) whose law of S_max costs
too much for the DP: the step-size caps by one vectorised binary search, the brackets of P(S_max > s) for s below
each row's cap from two binomial laws per row (rows in blocks of similar caps), and E c(S_max) =
c(1) + Σ_s Δc(s)·P(S_max > s) bracketed by whole-array sums, the steps beyond the cap by suffix sums of |Δc|
(docs/theory.md §12, "A uniform grid in closed form"). O(cap) per row, no Python loop over the steps.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from .count_grid import GridSampler, grid_brackets, grid_size_caps

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .bounds import CountBoundReport
    from .profile import MIProfile

__all__ = ["grid_bound_reports", "CoefficientSteps", "coefficient_brackets"]

_EPS = 2.0**-53
#: Entries of one stacked block of rows (rows x the widest cap): ~8 MB of float64 per array.
_BLOCK_ENTRIES = 1 << 20
#: A bound on the terms of a suffix sum of |Δc| (a sweep's L): their float sum is within (n + 2)ε relative.
_LIMIT_TERMS = 1 << 26


class CoefficientSteps:
    """Δc(s) of the bounds' coefficients (and of s, for E S_max), with their suffix sums of |Δc| over the falling
    and the rising steps (the steps beyond a row's cap), once per sweep."""

    def __init__(self, values: Sequence["np.ndarray"]) -> None:
        import numpy as np

        def suffix(x: "np.ndarray") -> "np.ndarray":
            return np.concatenate((np.cumsum(x[::-1])[::-1], [0.0]))

        self.items = []
        for value in values:
            steps = np.diff(np.asarray(value, dtype=np.float64))
            size = np.abs(steps)
            self.items.append((float(value[0]), steps, suffix(np.where(steps < 0, size, 0.0)),
                               suffix(np.where(steps >= 0, size, 0.0)), suffix(size)))


def coefficient_brackets(steps: CoefficientSteps, lower: "np.ndarray", upper: "np.ndarray", err: "np.ndarray",
                         far: "np.ndarray") -> "list[np.ndarray]":
    """Per coefficient, rows x (lo, hi, error) of E c(S_max) = c(1) + Σ_s Δc(s)·P(S_max > s) from the rows'
    brackets (s = 1..width, each row's entries from its cap on the tail ``far``), the steps beyond the width by
    their suffix sums. Sums in numpy: each within (width + 2)ε·Σ|terms| (any order), added to the error."""
    import numpy as np

    width = lower.shape[1]
    out = []
    for first, delta, falling, rising, size in steps.items:
        part = delta[:width][None, :]
        rising_part = part >= 0
        lo = (part * np.where(rising_part, lower, upper)).sum(axis=1)
        hi = (part * np.where(rising_part, upper, lower)).sum(axis=1)
        scale = (np.abs(part) * upper).sum(axis=1)
        spread = (np.abs(part) * err).sum(axis=1)
        grow = 1 + 2 * (_LIMIT_TERMS + 4) * _EPS
        beyond_lo = np.where(far > 0, far * falling[width] * grow + 2.0**-1000, 0.0)
        beyond_hi = np.where(far > 0, far * rising[width] * grow + 2.0**-1000, 0.0)
        beyond = np.where(far > 0, far * size[width] * grow + 2.0**-1000, 0.0)
        lo, hi = first + lo - beyond_lo, first + hi + beyond_hi
        error = spread * (1 + (width + 4) * _EPS) + beyond + (width + 4) * _EPS * (2 * scale + abs(first)) \
            + 4 * _EPS * (np.abs(lo) + np.abs(hi) + abs(first))
        out.append(np.stack((lo, hi, error), axis=1))
    return out


def _blocks(caps: "np.ndarray") -> list["np.ndarray"]:
    """Row indices by rising cap in blocks of at most :data:`_BLOCK_ENTRIES` entries (rows x the block's widest),
    a block's widest cap at most 5/4 of its first (padding at most a quarter) or 64 more."""
    import numpy as np

    order = np.argsort(caps, kind="stable")
    ordered = caps[order].astype(np.int64) + 2
    out, start = [], 0
    while start < order.size:
        first = int(ordered[start])
        limit = max(first + first // 4, first + 64)
        stop = int(np.searchsorted(ordered, limit, side="right"))  # caps within the limit
        rows_fit = max(1, _BLOCK_ENTRIES // int(ordered[max(stop - 1, start)]))
        stop = max(start + 1, min(stop, start + rows_fit))
        out.append(order[start:stop])
        start = stop
    return out


def grid_bound_reports(profile: "MIProfile", samplers: Sequence[GridSampler], eps_train: Fraction,
                       names: Sequence[str], values: Any) -> "list[CountBoundReport]":
    """:func:`boundcalc.count_rows.row_bound_report`'s enclosure for grid rows of the profile's length, every row's
    laws of single steps and E c(S_max) brackets at once (rows in blocks of similar caps): each value the
    midpoint (lo + hi)/2 with (hi − lo)/2 + the rounding as its error. ``values(name, L)`` gives c(1..L)."""
    import numpy as np

    from .bounds import CountBoundReport

    if not samplers:
        return []
    L = profile.length
    steps = CoefficientSteps([values(name, L) for name in names] + [values("", L)])
    caps = grid_size_caps(samplers)
    for sampler, cap in zip(samplers, caps.tolist()):
        sampler.__dict__.setdefault("_size_cap", int(cap))
    caps = np.array([min(s.size_cap(), L) for s in samplers], dtype=np.int64)
    values_ = np.zeros((len(samplers), len(steps.items)))
    errors = np.zeros_like(values_)
    for block in _blocks(caps):
        rows = [samplers[i] for i in block.tolist()]
        width = max(min(int(caps[block].max()), L - 1), 0)
        lower, upper, err, far = grid_brackets(L, rows, caps[block], width)
        for j, found in enumerate(coefficient_brackets(steps, lower, upper, err, far)):
            lo, hi, error = found[:, 0], found[:, 1], found[:, 2]
            values_[block, j] = (lo + hi) / 2  # the midpoint, with half the width and the roundings as its error
            errors[block, j] = (hi - lo) / 2 + error + 2 * _EPS * (np.abs(lo) + np.abs(hi))
    out = []
    for sampler, row_values, row_errors in zip(samplers, values_.tolist(), errors.tolist()):
        enclosed = list(zip(row_values, row_errors))
        out.append(CountBoundReport(profile, sampler, eps_train, dict(zip(names, enclosed[:-1])), enclosed[-1],
                                    sampler.expected_nonempty_steps()))
    return out
