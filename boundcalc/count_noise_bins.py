"""The bounds and statistics of a sweep's ``mdlm:T:NOISE`` rows from bins of steps, without the steps (orchestration
layer).

Per row T the step sizes are multinomial(L; π_1..π_T, π_{T+1}) with π_k = φ(u_k) − φ(u_{k−1}) on the u-grid
u_k = k(1 − δ)/T and π_{T+1} = 1 − φ(1 − δ) (:mod:`boundcalc.count_noise`), so, as in
:mod:`boundcalc.count_flat_rows`, 1 − Π_k(1 − t_k(s)) <= P(S_max > s) <= Σ_k t_k(s) with t_k(s) = P(Bin(L, π_k) > s).
Here the steps are grouped into bins of consecutive k, and each bin's sum Σ_k t(π_k) (and Σ_k −log(1 − t(π_k)),
Σ_k 1 − (1 − π_k)^L) is enclosed from three binomial laws: at the bin's least and largest possible π (first order:
t grows with π) and at its mean π (second order: Taylor about the mean, whose linear term vanishes, with the
remainder bounded by the sup of |t″| over the bin times the spread of the π_k). The bins' π come from φ and φ′
in float64 with certified errors, and cover the sampler's own marginals (its floats p_k, 1 − p_k are correctly
rounded: the exact marginals of those floats, and the ones the per-step code computes from them, are within a
relative (3(T + 1) + 6)·2^−53 of the real ones). O(bins·cap) per row, nothing per step:
docs/theory.md §12, "Bins of steps: the bounds without the steps".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from .count_noise_caps import caps_of_bins as _caps

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .bounds import CountBoundReport
    from .count_grid_rows import CoefficientSteps
    from .count_noise import NoiseLaw
    from .profile import MIProfile

__all__ = ["NoiseBins", "NoiseBinBounds", "noise_bins", "row_bins", "noise_bin_bounds", "noise_exceed_brackets", "binned_bound_reports",
           "binned_rows_needed", "binned_work", "DEFAULT_BINS"]

_EPS = 2.0**-53
#: Bins of the grid steps per row (rows with fewer steps take one bin per step).
DEFAULT_BINS = 256
#: A row is taken when every bin point has L·|log(1 − π)| at most this (the laws' ratio recurrence starts from
#: (1 − π)^L >= e^-600, a normal float: count_flat_rows' RECURRENCE_LIMIT).
_RECURRENCE_LIMIT = 600.0
#: Entries (bin points x (widest cap + 1)) of one block of laws.
_BLOCK_ENTRIES = 1 << 21
#: Entries of the laws of blocks of bins merged into one call (_group_brackets): the (top x bins) arrays of a call
#: stay in the cache (a pass over larger ones costs twice as much per entry)
_MERGED_ENTRIES = 1 << 19
#: A row's s is saturated where a lower bound on Σ_k −log(1 − t(π_k)) reaches this: its brackets are then (1 − 8ε, 1)
_SATURATED = 64.0
#: Up to this L every float is round 11's (every size computed); above, the saturated sizes are skipped (_bulk_starts)
_SAME_FLOATS_UP_TO = 4096
#: Where |φ″| may peak inside [0, 1] (elsewhere on an interval it is largest at an end): geometric's
#: φ″ ∝ σ(1 − σ)e^{−σ}, σ = 1000^{−u}, peaks at σ = (3 − √5)/2.
_BEND_PEAKS = {"geometric": math.log((3 + math.sqrt(5)) / 2) / math.log(1000.0)}


@dataclass(frozen=True)
class NoiseBins:
    """The bins of a set of rows, flat (row after row; each row's last bin is its last step, π = 1 − b):
    ``row`` (index into the rows), ``count`` (steps n), ``low``/``high`` (certified π bounds of every step of the
    bin, the sampler's floats' marginals included), ``centre`` (a float in [low, high]), ``shift`` (a bound on
    |mean π − centre|) and ``spread`` (a bound on Σ_k (π_k − mean)²); ``offsets`` the rows' first bins."""

    row: "np.ndarray"
    count: "np.ndarray"
    low: "np.ndarray"
    high: "np.ndarray"
    centre: "np.ndarray"
    shift: "np.ndarray"
    spread: "np.ndarray"
    offsets: "np.ndarray"


def _bend_sup(law: "NoiseLaw", lo: "np.ndarray", hi: "np.ndarray") -> "np.ndarray":
    """An upper bound on |φ″| over each [lo, hi]: the larger end (|φ″| is monotone, or unimodal with its peak in
    :data:`_BEND_PEAKS`), plus the float's 64ε·sup|φ″| and a margin for the peak's float location."""
    import numpy as np

    top = np.maximum(np.abs(law.bend(lo)), np.abs(law.bend(hi)))
    peak = _BEND_PEAKS.get(law.name)
    if peak is not None:
        inside = (lo <= peak) & (peak <= hi)
        top = np.where(inside, abs(float(law.bend(np.array([peak]))[0])), top)
    return top + law.bend_top * (2 * law.relative + 1e-12)


def _edges(law: "NoiseLaw", bins: int, span: float) -> "np.ndarray":
    """The bins' inner edges in u (sorted, in (0, span)): ``bins``/2 equal steps of u and ``bins``/2 equal steps of
    φ (so bins are narrow where φ′, hence π, is large). Any edges keep the bounds certified; these keep them tight."""
    import numpy as np

    half = max(bins // 2, 1)
    equal_u = np.arange(1, half) / half * span
    fine = np.linspace(0.0, span, 1 << 14)
    values = law.phi(fine)
    equal_phi = fine[np.minimum(np.searchsorted(values, np.arange(1, half) / half * values[-1]), fine.size - 1)]
    edges = np.unique(np.concatenate((equal_u, equal_phi)))
    return edges[(edges > 0) & (edges < span)]


def _grid_bins(law: "NoiseLaw", steps: "np.ndarray", bins: "np.ndarray", span: float
               ) -> "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]":
    """(row, first step a, last step b, T) of the grid steps' bins, row after row: per row the steps k = a..b between
    consecutive edges of :func:`_edges` for its number of bins (k = ceil(T·edge/span)), each bin at least one step,
    at most T bins."""
    import numpy as np

    parts = []
    for count in np.unique(bins).tolist():
        rows = np.flatnonzero(bins == count)
        T = steps[rows]
        edges = _edges(law, int(count), span)
        cuts = np.ceil(T[:, None] * (edges / span)[None, :]).astype(np.int64)  # a bin starts at each cut
        cuts = np.concatenate((np.ones((T.size, 1), dtype=np.int64), np.minimum(cuts, T[:, None])), axis=1)
        fresh = np.ones(cuts.shape, dtype=bool)
        fresh[:, 1:] = cuts[:, 1:] > cuts[:, :-1]
        row = np.repeat(rows, fresh.sum(axis=1))
        a = cuts[fresh]
        last = np.ones(a.size, dtype=bool)
        last[:-1] = row[1:] != row[:-1]
        b = np.where(last, steps[row], np.concatenate((a[1:], [0])) - 1)
        parts.append((row, a, b))
    row, a, b = (np.concatenate(x) for x in zip(*parts))
    order = np.argsort(row, kind="stable")
    return row[order], a[order], b[order], steps[row[order]]


def row_bins(law: "NoiseLaw", length: int, steps: Any, bins: int = DEFAULT_BINS) -> "np.ndarray":
    """Bins per row: the tails that matter sit about sqrt(L·π) above L·π, so a bin's relative spread of π should
    shrink like 1/sqrt(L·h·sup φ′): 2^ceil(log2(16·sqrt(L·h·sup φ′))), between min(16, bins) and ``bins`` (any number
    of bins keeps the bounds certified; these keep them within a few percent of the per-step brackets)."""
    import numpy as np

    T = np.asarray(steps, dtype=np.float64)
    want = 16 * np.sqrt(length * law.slope_top / T)
    return np.clip(2 ** np.ceil(np.log2(np.maximum(want, 1.0))), min(16, bins), bins).astype(np.int64)


def noise_bins(law: "NoiseLaw", steps: Any, bins: Any = DEFAULT_BINS) -> NoiseBins:
    """The bins of the rows ``mdlm:T:NOISE``, T in ``steps`` (docs/theory.md §12, "Bins of steps"); ``bins`` per row
    (an array, :func:`row_bins`) or one number for every row."""
    import numpy as np

    from .count_sampler import MDLM_DELTA

    span = 1 - float(MDLM_DELTA)  # 1 − δ rounded once: within ε
    T_rows = np.asarray(steps, dtype=np.int64)
    row, a, b, T = _grid_bins(law, T_rows, np.broadcast_to(np.asarray(bins, dtype=np.int64), T_rows.shape), span)
    n = (b - a + 1).astype(np.float64)
    h = span / T.astype(np.float64)  # within 2ε of (1 − δ)/T
    # the bin's u-range [u_{a−1}, u_b], widened to cover the floats' rounding (5ε relative; u_T = 1 − δ)
    u_lo = np.maximum((a - 1) * h * (1 - 8 * _EPS), 0.0)
    u_hi = np.minimum(b * h * (1 + 8 * _EPS), 1.0)
    u_hi = np.where(b == T, np.minimum(span * (1 + 2 * _EPS), 1.0), u_hi)
    # the real π_k are bounded; rel also covers the sampler's floats' marginals: exact (p̂_kΠq̂_j: (1 ± 2^-53)^k) and
    # as the per-step code computes them ((2k + 1)·2^-53; count_flat_rows' (3n + 6)ε with n = T + 1 steps)
    rel = (3 * T.astype(np.float64) + 9) * _EPS * (1 + 1e-9)
    slope_lo, slope_hi = law.slope_range(u_lo, u_hi)
    low = np.maximum(h * (1 - 4 * _EPS) * slope_lo * (1 - rel - 4 * _EPS), 0.0)
    high = h * (1 + 4 * _EPS) * slope_hi * (1 + rel + 4 * _EPS)
    # the bin's sum S = φ(u_b) − φ(u_{a−1}) (real), from the floats: φ within law.relative, the points within 3ε·u
    # (moving φ by at most slope_top·3ε·u each), the difference within ε
    pa, pb = law.phi((a - 1) * h), law.phi(b * h)
    total = pb - pa
    total_error = law.relative * (pa + pb) * (1 + 1e-9) + law.slope_top * 8 * _EPS * b * h + _EPS * np.abs(total)
    mean = total / n
    centre = np.clip(mean, low, high)
    shift = (total_error + rel * (np.abs(total) + total_error)) / n * (1 + 4 * _EPS) + 2 * _EPS * np.abs(mean) \
        + np.abs(mean - centre)
    # consecutive π_k differ by at most h²·sup|φ″| (plus the sampler's 2·rel·high): Σ(π_k − mean)² <=
    # D²n(n² − 1)/12 (a monotone run), and <= n(high − low)²/4 (Bhatia–Davis)
    gap = h * h * (1 + 8 * _EPS) * _bend_sup(law, u_lo, u_hi) + 2 * rel * high
    spread = np.minimum(gap * gap * n * (n * n - 1) / 12, n * (high - low) ** 2 / 4) * (1 + 16 * _EPS)
    # each |π_k − mean| <= sqrt(Σ(π_k − mean)²): the ends narrow to the centre's neighbourhood (one step: to it)
    reach = (shift + np.sqrt(spread)) * (1 + 4 * _EPS)
    low, high = np.maximum(low, (centre - reach) * (1 - 2 * _EPS)), np.minimum(high, (centre + reach) * (1 + 2 * _EPS))
    return _with_last_steps(law, T_rows, row, n, low, high, centre, shift, spread, span)


def _with_last_steps(law: "NoiseLaw", T_rows: "np.ndarray", row: "np.ndarray", n: "np.ndarray", low: "np.ndarray",
                     high: "np.ndarray", centre: "np.ndarray", shift: "np.ndarray", spread: "np.ndarray",
                     span: float) -> NoiseBins:
    """The grid bins with each row's last step (π = 1 − b, b = φ(1 − δ), one step) appended after its grid bins."""
    import numpy as np

    b_hat = float(law.phi(np.array([span]))[0])
    b_error = law.relative * b_hat + law.slope_top * 2 * _EPS + _EPS
    rest = 1.0 - b_hat  # exact (Sterbenz: b̂ >= 1/2)
    rel = (3 * T_rows.astype(np.float64) + 9) * _EPS * (1 + 1e-9)
    last_low = np.maximum((rest - b_error) * (1 - rel), 0.0) * (1 - 2 * _EPS)
    last_high = (rest + b_error) * (1 + rel) * (1 + 2 * _EPS)
    last_shift = (b_error + rel * (rest + b_error)) * (1 + 4 * _EPS)
    rows = T_rows.size
    per = np.bincount(row, minlength=rows) + 1
    offsets = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(per, out=offsets[1:])
    at = np.arange(row.size) + row  # a grid bin moves up by one place per row before it (each has its last step)

    def place(values: "np.ndarray", last: Any) -> "np.ndarray":
        out = np.empty(offsets[-1], dtype=values.dtype)
        out[at] = values
        out[offsets[1:] - 1] = last
        return out

    return NoiseBins(place(row, np.arange(rows)), place(n, 1.0), place(low, last_low), place(high, last_high),
                     place(centre, np.full(rows, rest)), place(shift, last_shift), place(spread, 0.0), offsets)


def _laws(length: int, x: "np.ndarray", top: int, growth: "np.ndarray", tops: Any = None,
          buffers: "tuple[np.ndarray, np.ndarray] | None" = None) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(P(Bin(L, x) = j) for j = 0..top (rows j x points) by the ratio recurrence P(0) = (1 − x)^L,
    P(j + 1) = P(j)·(x/(1 − x))·(L − j)/(j + 1); each entry's certified relative error θ per point: x exact floats,
    1 − x within ε (L·ε on the powers, doubled), log and exp 4 ulps each with L·|log(1 − x)| (10ε), and 4ε a step
    (the odds, the integers' ratio, two products), as count_flat_rows' laws (docs/theory.md §12); and growth^j (the
    float powers, each within (j + 1)ε). ``tops``: per point the top its θ is for (by default ``top``). ``buffers``:
    the (top + 1) × points arrays to write the laws and the powers into (new ones by default)."""
    import numpy as np

    tops = top if tops is None else tops
    keep = 1 - x
    laws, powers = (np.empty((top + 1, x.size)), np.empty((top + 1, x.size))) if buffers is None else buffers
    powers[0] = 1.0
    with np.errstate(divide="ignore", under="ignore", over="ignore"):
        log_keep = np.log(keep)
        np.multiply(log_keep, length, out=laws[0])
        np.exp(laws[0], out=laws[0])
        odds = x / keep
        for j in range(top):
            np.multiply(laws[j], odds, out=laws[j + 1])
            laws[j + 1] *= (length - j) / (j + 1)
            np.multiply(powers[j], growth, out=powers[j + 1])
    theta = np.expm1((2 * length + 8 * (tops + 1) + 16) * _EPS + 10 * _EPS * length * np.abs(log_keep))
    return laws, theta, powers


_MODES: dict[int, "tuple[np.ndarray, np.ndarray]"] = {}


def _mode_tops(length: int, top: int) -> "tuple[np.ndarray, np.ndarray]":
    """(L·max_x b_{j,L−1}(x), L(L − 1)·max_x b_{j,L−2}(x)) for j = 0..top: by Robbins' Stirling bounds the binomial
    mode C(n, j)(j/n)^j(1 − j/n)^(n−j) <= sqrt(n/(2πj(n − j)))·e^(1/(12n)) for 0 < j < n, and <= 1. Entry by entry
    (the same floats for any ``top``): computed once per L up to L and sliced."""
    found = _MODES.get(length)
    if found is None:
        if len(_MODES) > 4:
            _MODES.clear()
        found = _MODES[length] = _mode_table(length, length)
    return found[0][: top + 1], found[1][: top + 1]


def _mode_table(length: int, top: int) -> "tuple[np.ndarray, np.ndarray]":
    """:func:`_mode_tops`' entries j = 0..top."""
    import numpy as np

    j = np.arange(top + 1, dtype=np.float64)
    out = []
    for n, scale in ((length - 1, length), (length - 2, length * (length - 1.0))):
        with np.errstate(divide="ignore", invalid="ignore"):
            peak = np.sqrt(n / (2 * math.pi * j * (n - j))) * math.exp(1 / (12 * max(n, 1)))
        out.append(scale * np.where((j > 0) & (j < n), np.minimum(peak * (1 + 1e-12), 1.0), 1.0))
    return out[0], out[1]


def _survivals(laws: "np.ndarray", out: "np.ndarray | None" = None, start: int = 1) -> "np.ndarray":
    """Σ_{s<j<=top} P(j) for s = start..top − 1 (rows s x points), summed from the top (non-negative terms, so each
    row is the same float whatever ``start``); into ``out`` when given."""
    import numpy as np

    out = np.empty((laws.shape[0] - 1 - start, laws.shape[1])) if out is None else out
    if out.shape[0]:
        out[-1] = laws[-1]
        for s in range(out.shape[0] - 2, -1, -1):
            np.add(out[s + 1], laws[s + start + 1], out=out[s])
    return out


class _Workspace:
    """Arrays reused by the :func:`_bin_bounds` calls of one :func:`_group_brackets`: a (top × bins) array allocated
    afresh is faulted in again by the first pass over it (about six in-place passes' cost, and a call makes eight);
    the same arithmetic into the same shapes, so the same floats."""

    def __init__(self) -> None:
        self._buffers: "dict[str, np.ndarray]" = {}

    def get(self, name: str, rows: int, columns: int, dtype: Any = None) -> "np.ndarray":
        import numpy as np

        dtype = np.float64 if dtype is None else dtype
        size = rows * columns
        buffer = self._buffers.get(name)
        if buffer is None or buffer.size < size:
            buffer = self._buffers[name] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(rows, columns)


def _bin_bounds(length: int, bins: NoiseBins, index: "np.ndarray", top: int, tops: Any = None,
                work: "_Workspace | None" = None, start: int = 1) -> "tuple[np.ndarray, np.ndarray]":
    """Per bin of ``index`` and s = start..top − 1 (rows s x bins): (an upper bound on Σ_k t(π_k), a lower bound on
    Σ_k −log(1 − t(π_k)), over the bin's steps; t(x) = P(Bin(L, x) > s) cut at ``top``, the part beyond is the row's
    far), from the one law at the bin's centre c. On [low, high], b_{j,n}(x) (n = L − 1, L − 2) is at most the mode's
    bound and at most b_{j,n}(c)·max((high/c)^j, ((1 − low)/(1 − c))^L), with L·b_{j,L−1}(c) = (j + 1)P_c(j + 1)/c and
    L(L − 1)·b_{j,L−2}(c) = that·(L − 1 − j)/(1 − c); they bound t′ = L·b_{s,L−1} and |t″| <= L(L − 1)·max(b_{s−1,L−2},
    b_{s,L−2}). First order: t(π_k) within (distance to c)·sup t′ of t(c); second order: Σ_k t(π_k) = n·t(c) +
    t′(c)(S − n·c) + ½Σ_k t″(ξ_k)(π_k − c)²; and −log(1 − t) >= t. ``tops``: per bin its own top (at most ``top``):
    its laws cut there and its roundings for it, so its rows s below its top are the floats a call with that top
    gives (the rows above are not meant to be read). ``work``: the arrays to reuse (the results are two of them: read
    them before the next call with the same ``work``). ``start``: the first s (the laws still run from j = 0; each
    entry is computed on its own, so each row s is the float a call from s = 1 gives)."""
    import numpy as np

    work = _Workspace() if work is None else work
    m = index.size
    L, n = length, bins.count[index]
    low, c, high = bins.low[index], bins.centre[index], bins.high[index]
    shift, spread = bins.shift[index], bins.spread[index]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.where(c > 0, high / c * (1 + 2 * _EPS), np.inf)
        below = np.exp(L * np.log1p((c - low) / (1 - c)) * (1 + 16 * _EPS) + 16 * _EPS)
    laws, theta, powers = _laws(L, c, top, growth, tops, (work.get("laws", top + 1, m), work.get("powers", top + 1, m)))
    if tops is not None:  # Σ_{s<j<=top} P(j) from each bin's own top: zeros above it (x + 0 = x)
        for own in np.unique(tops).tolist():
            if own < top:
                laws[own + 1:, tops == own] = 0.0
    first_j, rows = start - 1, top - start + 1  # j = start − 1..top − 1: the b_{j,·} the rows s = start.. read
    j = np.arange(first_j, top, dtype=np.float64)[:, None]
    mode_first, mode_second = _mode_tops(L, top)
    # the same operations in the same order as written in the docstring's formulas, in place (each pass over
    # (top × bins) costs as much as the laws' recurrence); fmin/fmax are minimum/maximum with NaN taken as +inf/0
    with np.errstate(invalid="ignore", over="ignore"):
        move = np.multiply(powers[first_j:-1], 1 + 2 * (j + 2) * _EPS, out=work.get("move", rows, m))
        np.maximum(move, below, out=move)
        move *= 1 + theta + 16 * _EPS  # x from c
        first_sup = np.multiply(j + 1, laws[start:], out=work.get("first", rows, m))  # (j + 1)P(j + 1) = x·L·b_{j,L−1}(x)
        first_sup /= c
        first_sup *= move
        second_sup = np.multiply(first_sup, L - 1 - j, out=move)  # L(L − 1)·b_{j,L−2}(x)
        second_sup /= 1 - c
    np.fmin(first_sup, mode_first[first_j:top, None], out=first_sup)
    first_sup += 2.0**-990
    np.fmin(second_sup, mode_second[first_j:top, None], out=second_sup)
    second_sup += 2.0**-990
    sums = ((top if tops is None else tops) + 4) * _EPS
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slope = first_sup[1:]  # sup t′ = L·sup b_{s,L−1}, s = start..top − 1
        # sup |t″| <= L(L − 1)·max(b_{s−1,L−2}, b_{s,L−2})
        bend = np.maximum(second_sup[:-1], second_sup[1:], out=work.get("bend", rows - 1, m))
        rest = np.multiply(slope, n * shift, out=work.get("rest", rows - 1, m))
        bend *= 0.5 * (spread + n * shift * shift)
        rest += bend
        np.copyto(rest, np.inf, where=np.isnan(rest, out=work.get("nan", rows - 1, m, bool)))
        rest *= 1 + 64 * _EPS
        centred = _survivals(laws, work.get("centred", rows - 1, m), start)
        up = np.multiply(centred, 1 + theta + sums, out=work.get("up", rows - 1, m))
        down = np.multiply(centred, 1 - theta - sums, out=centred)
        upper = np.multiply(slope, high - c, out=bend)
        upper *= 1 + 8 * _EPS
        upper += up
        upper *= n
        up *= n
        up += rest
        np.minimum(upper, up, out=upper)
        upper *= 1 + 4 * _EPS
        first = np.multiply(slope, c - low, out=up)
        first *= 1 + 8 * _EPS
        np.subtract(down, first, out=first)
        np.clip(first, 0.0, 1.0, out=first)  # near
        np.negative(first, out=first)
        np.log1p(first, out=first)
        np.negative(first, out=first)
        first *= n * (1 - 64 * _EPS)
        down *= n
        down -= rest
        lower = np.maximum(first, down, out=first)
    np.fmax(lower, 0.0, out=lower)
    return upper, lower


def _row_brackets(length: int, bins: NoiseBins, rows: "np.ndarray", caps: "np.ndarray", far: "np.ndarray",
                  bin_caps: "np.ndarray") -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(lower, upper, error) of P(S_max > s), s = 1..width (the widest cap − 1, at least 1), for ``rows`` (rows x
    width): below a row's cap 1 − exp(−Σ_bins lower) and min(1, Σ_bins upper + far) over the bins whose own cap
    exceeds s (a bin's steps beyond its cap are in far), every rounding already outward (error 0); from the cap on
    0, far and far (as count_flat_rows' brackets). Bins in blocks of similar caps, each laws up to its widest
    (:func:`_group_brackets` with one set of rows)."""
    return _group_brackets(length, bins, [rows], [caps], [far], bin_caps)[0]


def _group_brackets(length: int, bins: NoiseBins, row_sets: "list[np.ndarray]", cap_sets: "list[np.ndarray]",
                    far_sets: "list[np.ndarray]", bin_caps: "np.ndarray"
                    ) -> "list[tuple[np.ndarray, np.ndarray, np.ndarray]]":
    """:func:`_row_brackets` of each set of rows (with its caps and far), the same floats: each set's bins in blocks
    of similar caps as one set alone would have them (a bin's values depend on its block's top, a row's sums on
    their order), but the blocks of all the sets with about the same top computed in one call of
    :func:`_bin_bounds` (each bin with its own block's top), so that small sets do not pay numpy's per-call cost
    hundreds of times; the sums then added block by block in each set's own order."""
    import numpy as np

    from .count_flat_rows import empty_brackets

    out: "list[tuple[np.ndarray, np.ndarray, np.ndarray]]" = []
    pending: "list[Any]" = []  # per set None (nothing below its caps) or (counts, total, exponent)
    blocks: "list[tuple[int, int, np.ndarray, np.ndarray]]" = []
    for rows, caps, far in zip(row_sets, cap_sets, far_sets):
        top, brackets = empty_brackets(caps, far, length)
        width = brackets[0].shape[1]
        out.append(brackets)
        if top < 2:
            pending.append(None)
            continue
        counts = bins.offsets[rows + 1] - bins.offsets[rows]
        index = np.repeat(bins.offsets[rows] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) \
            + np.arange(int(counts.sum()))
        local = np.repeat(np.arange(rows.size), counts)  # each bin's row among ``rows``
        total, exponent = np.zeros((rows.size, width)), np.zeros((rows.size, width))
        pending.append((counts, total, exponent))
        order = np.argsort(bin_caps[index], kind="stable")
        ordered = np.minimum(bin_caps[index][order], length)
        start = int(np.searchsorted(ordered, 2))  # bins of cap < 2 have no s below their cap
        while start < order.size:
            first = int(ordered[start])
            stop = int(np.searchsorted(ordered, max(first + first // 4, first + 8), side="right"))
            stop = max(start + 1, min(stop, start + max(1, _BLOCK_ENTRIES // (int(ordered[stop - 1]) + 1))))
            chosen = order[start:stop][np.argsort(local[order[start:stop]], kind="stable")]
            blocks.append((int(ordered[stop - 1]), len(pending) - 1, index[chosen], local[chosen]))
            start = stop
    # blocks by top (stable: a set's blocks keep their order), merged while the widest top is at most 5/4 of the
    # least (or 8 more) and the laws fit in _MERGED_ENTRIES
    blocks.sort(key=lambda block: block[0])
    work = _Workspace()
    widths = [bracket[0].shape[1] for bracket in out]
    starts = _bulk_starts(length, bins, row_sets, pending, widths) if length > _SAME_FLOATS_UP_TO \
        else [np.ones(0 if state is None else state[0].size, dtype=np.int64) for state in pending]
    # each block from the least first unsaturated s of its rows (a block wholly below it adds nothing that is read)
    started = [(top, owner, chosen, local, int(starts[owner][local].min())) for top, owner, chosen, local in blocks]
    started = [block for block in started if block[4] <= block[0] - 1]
    at = 0
    while at < len(started):
        end, size = at + 1, started[at][2].size
        while end < len(started) and started[end][0] <= max(started[at][0] * 5 // 4, started[at][0] + 8) \
                and (size + started[end][2].size) * (started[end][0] + 1) <= _MERGED_ENTRIES:
            size += started[end][2].size
            end += 1
        merged = started[at:end]
        top = merged[-1][0]
        first = min(block[4] for block in merged)
        index = np.concatenate([block[2] for block in merged])
        tops = np.concatenate([np.full(block[2].size, block[0]) for block in merged])
        up, down = _bin_bounds(length, bins, index, top, None if len(merged) == 1 else tops, work, first)
        column = 0
        for block_top, owner, chosen, local, _ in merged:
            counts, total, exponent = pending[owner]
            part = slice(column, column + chosen.size)
            column += chosen.size
            heads = np.concatenate(([0], np.flatnonzero(np.diff(local)) + 1))
            owners = local[heads]
            sizes = block_top - first  # s = first..block_top − 1
            total[owners, first - 1 : block_top - 1] += np.add.reduceat(up[:sizes, part], heads, axis=1).T
            exponent[owners, first - 1 : block_top - 1] += np.add.reduceat(down[:sizes, part], heads, axis=1).T
        at = end
    for brackets, caps, far, state, first_open in zip(out, cap_sets, far_sets, pending, starts):
        if state is not None:
            _finish(brackets, caps, far, state, first_open)
    return out


def _finish(brackets: "tuple[np.ndarray, np.ndarray, np.ndarray]", caps: "np.ndarray", far: "np.ndarray",
            state: "tuple[np.ndarray, np.ndarray, np.ndarray]", first_open: "np.ndarray") -> None:
    """A set's brackets (written into ``brackets``) from its rows' sums over the bins: ``state`` = (bins per row,
    Σ upper, Σ lower exponent), each row's sums read from its first unsaturated s ``first_open`` on."""
    import numpy as np

    lower, upper, err = brackets
    counts, total, exponent = state
    width = lower.shape[1]
    # below each row's first unsaturated s the brackets are (1 − 8ε, 1), from infinite sums (_bulk_starts: inside
    # the full sums' brackets)
    saturated = np.arange(1, width + 1)[None, :] < first_open[:, None]
    total[saturated] = np.inf
    exponent[saturated] = np.inf
    sums = ((counts + 4) * _EPS)[:, None]
    total = total * (1 + sums) + (far[:, None] + 2.0**-1000 * counts[:, None])
    inside = np.arange(1, width + 1)[None, :] < caps[:, None]
    lower[:] = np.where(inside, -np.expm1(-exponent * (1 - sums)) * (1 - 8 * _EPS), 0.0)
    upper[:] = np.where(inside, np.minimum(1.0, total * (1 + 2 * _EPS)), far[:, None])
    err[:] = np.where(inside, 0.0, far[:, None])


def _bulk_starts(length: int, bins: NoiseBins, row_sets: "list[np.ndarray]", pending: "list[Any]",
                 widths: "list[int]") -> "list[np.ndarray]":
    """Per set of rows (None in ``pending``: an empty array), each row's first s whose brackets need the bins' laws,
    at L > 4096, from a bound on the true exponent (no law computed): every π_k of a bin is at least its ``low``, and
    −log P(Bin(L, x) <= s) >= (Lx − s)²/(2Lx) for s <= Lx (Chernoff's lower tail, increasing in x), so
    Λ(s) = Σ_k −log(1 − t(π_k)) >= F(s) = Σ_bins n·(L·low − s)₊²/(2L·low). F's floats fall with s (each term's
    operations are monotone, the sum in one order) and are within (bins + 8)ε of F, so the least s with
    F(s)·(1 − 10⁻⁹) < 64 (a bisection) has Λ > 64 below it: P(S_max > s) >= 1 − e^−64, so (1 − 8ε, 1) brackets it, inside
    the bracket the full sums give (their lower end is at most 1 − 8ε, their upper end 1)."""
    import numpy as np

    from .count_batch import least_settled

    chosen = [k for k, state in enumerate(pending) if state is not None]
    out = [np.ones(0 if state is None else state[0].size, dtype=np.int64) for state in pending]
    if not chosen:
        return out
    rows = np.concatenate([row_sets[k] for k in chosen])
    width = np.concatenate([np.full(row_sets[k].size, widths[k], dtype=np.int64) for k in chosen])
    counts = bins.offsets[rows + 1] - bins.offsets[rows]
    index = np.repeat(bins.offsets[rows] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) \
        + np.arange(int(counts.sum()))
    local = np.repeat(np.arange(rows.size), counts)
    heads = np.concatenate(([0], np.cumsum(counts)[:-1]))
    mean = length * bins.low[index]
    weight = np.where(mean > 0, bins.count[index] / np.where(mean > 0, 2 * mean, 1.0), 0.0)

    def open_(s: "np.ndarray") -> "np.ndarray":
        gap = np.maximum(mean - s[local], 0.0)
        bound = np.add.reduceat(weight * (gap * gap), heads) if index.size else np.zeros(rows.size)
        return (s > width) | (np.where(counts > 0, bound, 0.0) * (1 - 1e-9) < _SATURATED)

    found = least_settled(np.ones(rows.size, dtype=np.int64), width + 1, open_)
    at = 0
    for k in chosen:
        out[k] = found[at : at + row_sets[k].size]
        at += row_sets[k].size
    return out


def _nonempty(length: int, bins: NoiseBins) -> "tuple[np.ndarray, np.ndarray]":
    """(E #non-empty steps, its certified error) per row: Σ_k f(π_k), f(x) = 1 − (1 − x)^L, per bin n·f(centre)
    with the Taylor remainder n·shift·sup f′ + ½·sup|f″|·(spread + n·shift²) (f′ = L(1 − x)^(L−1) and
    |f″| = L(L − 1)(1 − x)^(L−2), largest at the bin's low end), f's float error as count_flat_rows' (numpy's
    log1p and expm1 at 4 ulps: 9ε·Lx/(1 − x) and 8ε of the term) and the sum's."""
    import numpy as np

    L, n, x = length, bins.count, bins.centre
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        terms = -np.expm1(L * np.log1p(-np.minimum(x, 1.0)))
        rounding = 9 * _EPS * L * x / (1 - x) + 8 * _EPS * terms
        log_low = np.log1p(-np.minimum(bins.low, 1.0))
        slope = L * np.exp((L - 1) * log_low)
        bend = L * (L - 1.0) * np.exp((L - 2) * log_low)
    rounding = np.where(x >= 1, 0.0, rounding)
    rest = (n * bins.shift * slope + 0.5 * bend * (bins.spread + n * bins.shift**2)) * (1 + 1e-9)
    value = np.add.reduceat(n * terms, bins.offsets[:-1])
    counts = np.diff(bins.offsets)
    error = np.add.reduceat(n * rounding + rest, bins.offsets[:-1]) * (1 + 2.0**-40) \
        + (counts + 4) * _EPS * np.abs(value)
    return value, error


@dataclass(frozen=True)
class NoiseBinBounds:
    """Per row (the order of ``steps``): ``taken`` (False: a step too large for the laws' recurrence, L·|log(1 − π)|
    > 600, small T only: take the row elsewhere; its other entries are 0), ``values`` and ``errors`` (rows x
    coefficients: E c(S_max) of each coefficient, the midpoint of its certified bracket and half its width plus the
    roundings), ``nonempty`` and ``nonempty_error`` (E #non-empty steps), ``caps`` (the step-size caps)."""

    taken: "np.ndarray"
    values: "np.ndarray"
    errors: "np.ndarray"
    nonempty: "np.ndarray"
    nonempty_error: "np.ndarray"
    caps: "np.ndarray"


def noise_bin_bounds(noise: str, length: int, steps: Sequence[int], coefficients: "CoefficientSteps",
                     bins: int = DEFAULT_BINS) -> NoiseBinBounds:
    """Every row ``mdlm:T:NOISE`` (T in ``steps``) at L = ``length``: E c(S_max) for each of ``coefficients``
    (:class:`~boundcalc.count_grid_rows.CoefficientSteps`, as count_flat_rows builds it), E #non-empty steps and the
    caps, from bins of steps (docs/theory.md §12, "Bins of steps"); no step is built or read."""
    import numpy as np

    from .count_flat_rows import rows_in_blocks
    from .count_grid_rows import coefficient_brackets
    from .count_noise import NOISE_LAWS

    L = int(length)
    T = np.asarray(steps, dtype=np.int64)
    found = noise_bins(NOISE_LAWS[noise], T, row_bins(NOISE_LAWS[noise], L, T, bins))
    caps, far, bin_caps = _caps(L, found, T)
    taken = binned_rows_needed(noise, L, T)
    values = np.zeros((T.size, len(coefficients.items)))
    errors = np.zeros_like(values)
    rows = np.flatnonzero(taken)
    counts = np.diff(found.offsets)
    groups = rows_in_blocks(caps[rows], 3 * counts[rows], _BLOCK_ENTRIES) if rows.size else []
    # every group's blocks of rows at once: their bins' blocks of about the same top share a call (the same floats)
    sets = [rows[block] for blocks in groups for block in blocks]
    found_sets = iter(_group_brackets(L, found, sets, [caps[chosen] for chosen in sets],
                                      [far[chosen] for chosen in sets], bin_caps))
    for blocks in groups:
        group = rows[np.concatenate(blocks)]
        width = max(int(min(caps[group].max(), L)) - 1, 1)
        lower = np.zeros((group.size, width))
        upper = np.repeat(far[group][:, None], width, axis=1)
        err = upper.copy()
        at = 0
        for block in blocks:
            chosen, brackets = rows[block], next(found_sets)
            for whole, part in zip((lower, upper, err), brackets):
                whole[at : at + chosen.size, : part.shape[1]] = part
            at += chosen.size
        for j, bracket in enumerate(coefficient_brackets(coefficients, lower, upper, err, far[group])):
            lo, hi, error = bracket[:, 0], bracket[:, 1], bracket[:, 2]
            values[group, j] = (lo + hi) / 2
            errors[group, j] = (hi - lo) / 2 + error + 2 * _EPS * (np.abs(lo) + np.abs(hi))
    nonempty, nonempty_error = _nonempty(L, found)
    zero = np.where(taken, 1.0, 0.0)
    return NoiseBinBounds(taken, values, errors, nonempty * zero, nonempty_error * zero, caps)


def binned_rows_needed(noise: str, length: int, steps: Any) -> "np.ndarray":
    """Per T of ``steps``: whether :func:`noise_bin_bounds` takes the row ``mdlm:T:NOISE`` at L (every π of its bins
    is at most h·sup φ′ with its roundings, so L·|log(1 − h·sup φ′·(1 + 10^-6))| <= 600 suffices: T above about
    L·sup φ′/600, a few percent of L), from (noise, L, T) alone."""
    import numpy as np

    from .count_noise import NOISE_LAWS
    from .count_sampler import MDLM_DELTA

    T = np.asarray(steps, dtype=np.float64)
    largest = np.minimum((1 - float(MDLM_DELTA)) / T * NOISE_LAWS[noise].slope_top * (1 + 1e-6), 1.0)
    with np.errstate(divide="ignore"):
        return -length * np.log1p(-largest) <= _RECURRENCE_LIMIT * (1 - 1e-9)


def binned_work(noise: str, length: int, steps: Any, bins: int = DEFAULT_BINS) -> float:
    """A model of :func:`noise_bin_bounds`' work for the rows ``steps`` (the taken ones): per row its bins times
    one law up to a cap modelled from its largest mean size μ = L·h·sup φ′ (μ + 10·sqrt(μ) + 40): law entries."""
    import numpy as np

    from .count_noise import NOISE_LAWS

    T = np.asarray(steps, dtype=np.float64)
    T = T[binned_rows_needed(noise, length, T)]
    mean = length / T * NOISE_LAWS[noise].slope_top
    per_row = np.minimum(T, row_bins(NOISE_LAWS[noise], length, T, bins)) + 1
    return float((per_row * (mean + 10 * np.sqrt(mean) + 41)).sum())


#: The last sweep's coefficients (key: the values function, the bounds' names, L)
_COEFFICIENTS: "dict[tuple[Any, ...], CoefficientSteps]" = {}


def binned_bound_reports(profile: "MIProfile", samplers: Sequence[Any], eps_train: Fraction, names: Sequence[str],
                         values: Any, bins: int = DEFAULT_BINS) -> "list[CountBoundReport | None]":
    """:func:`boundcalc.count_flat_rows.flat_bound_reports`' reports for the rows ``mdlm:T:NOISE`` among
    ``samplers`` that :func:`binned_rows_needed` takes, None for the others (take them elsewhere). Reads from each
    sampler only its name (noise and T) and L, never its steps. ``values(name, L)`` gives c(1..L) as floats."""
    from .bounds import CountBoundReport
    from .count_brackets_noise import noise_of
    from .count_grid_rows import CoefficientSteps

    L = profile.length
    out: "list[CountBoundReport | None]" = [None] * len(samplers)
    by_noise: dict[str, list[int]] = {}
    for i, sampler in enumerate(samplers):
        noise = noise_of(sampler) if getattr(sampler, "length", None) == L else None
        if noise is not None:
            by_noise.setdefault(noise, []).append(i)
    if not by_noise:
        return out
    key = (values, tuple(names), L)
    coefficients = _COEFFICIENTS.get(key)
    if coefficients is None:  # once per sweep, not per chunk of its rows (c(1..L) of each bound: ~50 ms a bound)
        _COEFFICIENTS.clear()
        coefficients = _COEFFICIENTS[key] = CoefficientSteps([values(name, L) for name in names] + [values("", L)])
    for noise, chosen in by_noise.items():
        found = noise_bin_bounds(noise, L, [samplers[i].steps for i in chosen], coefficients, bins)
        for j, i in enumerate(chosen):
            if found.taken[j]:
                pairs = list(zip(found.values[j].tolist(), found.errors[j].tolist()))
                out[i] = CountBoundReport(profile, samplers[i], eps_train, dict(zip(names, pairs[:-1])), pairs[-1],
                                          (float(found.nonempty[j]), float(found.nonempty_error[j])))
    return out


def noise_exceed_brackets(noise: str, length: int, steps: int, bins: int = DEFAULT_BINS
                          ) -> "tuple[np.ndarray, np.ndarray, np.ndarray] | None":
    """(lower, upper, error) of P(S_max > s), s = 1..max(cap − 1, 1), of the one row ``mdlm:T:NOISE`` at L (the
    brackets :func:`noise_bin_bounds` sums), or None where it does not take the row."""
    import numpy as np

    from .count_noise import NOISE_LAWS

    T = np.array([steps], dtype=np.int64)
    if not binned_rows_needed(noise, length, T)[0]:
        return None
    found = noise_bins(NOISE_LAWS[noise], T, row_bins(NOISE_LAWS[noise], length, T, bins))
    caps, far, bin_caps = _caps(length, found, T)
    lower, upper, err = _row_brackets(length, found, np.array([0]), caps, far, bin_caps)
    return lower[0], upper[0], err[0]
