"""A sweep's count rows with arbitrary steps, all at once: caps, brackets of P(S_max > s), E c(S_max), E S_max and
E #non-empty steps of every row (MDLM's other noises, and any row that is not a uniform grid).

The steps are read only through :func:`boundcalc.count_flat.flat_steps` (one flat array of p_k and one of 1 − p_k,
row after row), never from a sampler's tuples. Per quantity (docs/theory.md §12, "Rows with arbitrary steps at once"):

* the marginals π_k = p_k Π_{j<k}(1 − p_j) and 1 − π_k (as Σ_{j<k} π_j + Π_{j<=k}(1 − p_j)): the sampler's own
  floats, bit for bit (a running product and sum per row, sequential in numpy);
* the step-size cap J (the least J with Σ_k Chernoff(Bin(L, π_k) > J) <= 2^-80): the binary search narrowed per row
  by its largest π_k (the largest term is at most the tail, n times it at least), then the tails summed per row;
* the brackets of P(S_max > s) for s below the cap, 1 − Π_k P(s_k <= s) <= P(S_max > s) <= Σ_k P(s_k > s) + tail:
  every step's law of Bin(L, π_k) up to its row's cap by the ratio recurrence
  P(j + 1) = P(j)·(π/(1 − π))·(L − j)/(j + 1) from P(0) = (1 − π)^L, all steps of a block of rows as one vector
  per j, the survival sums per step from the top, and the sums over a row's steps (Σ_k P(s_k > s) and
  Σ_k log P(s_k <= s)) by one segmented reduction per block;
  each entry within a certified relative error θ (a few ε per j and per power of L, and the marginals' own error);
  a step whose Chernoff tail beyond a lower level of its row (a quarter, a half, three quarters of the cap) is at
  most 2^-80/n runs only to that level, the tail added above (:func:`step_cut_thresholds`: per row a threshold on
  π_k, the tail rising with π), where that saves at least :data:`CUT_SAVING` of a block's entries (from
  L = :data:`CUT_MIN_LENGTH` on);
* E c(S_max) = c(1) + Σ_s Δc(s)·P(S_max > s) from the brackets in array form (:func:`boundcalc.count_grid_rows.
  coefficient_brackets`), each value the midpoint with half the width and the roundings as its error;
* E #non-empty steps Σ_k 1 − (1 − π_k)^L by numpy's log1p and expm1 (4 ulps each) and a sequential sum, the
  per-step code's error plus those.

Rows whose (1 − π_k)^L could underflow (a step with L·|log(1 − π_k)| > 600, only at small T) take the per-row laws
of :mod:`boundcalc.count_batch` instead (each such row has few steps).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from .count_batch import least_settled

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .bounds import CountBoundReport
    from .count_flat import FlatSteps
    from .count_sampler import CountSampler
    from .profile import MIProfile

__all__ = ["flat_bound_reports", "flat_marginals", "flat_size_caps", "flat_tails", "flat_nonempty_steps",
           "flat_exceed_brackets", "RECURRENCE_LIMIT"]

_EPS = 2.0**-53
#: Entries (steps x (cap + 1)) of one block of the binomial laws: ~4 MB of float64 per array, cache-sized.
_BLOCK_ENTRIES = 1 << 19
#: Steps of one group of rows held as flat arrays at a time (~32 MB per array).
_GROUP_STEPS = 1 << 22
#: A row takes the ratio recurrence when every step has L·|log(1 − π_k)| at most this: P(0) >= e^-600 is a normal
#: float, so no entry up to the mode underflows (beyond it the ratios are below 1).
RECURRENCE_LIMIT = 600.0


def _row_index(counts: "np.ndarray") -> "np.ndarray":
    """The row of every flat step."""
    import numpy as np

    return np.repeat(np.arange(counts.size), counts)


def flat_marginals(steps: "FlatSteps") -> "tuple[np.ndarray, np.ndarray]":
    """(π_k, 1 − π_k) of every step, flat: from :func:`~boundcalc.count_noise_starts.running_laws`' per-row running
    product a_k = Π_{j<k}(1 − p_j) and running sum r_k = Σ_{j<k} π_j (numpy's cumprod and cumsum are sequential),
    π_k = a_k·p_k, the sampler's float bit for bit (:meth:`~boundcalc.count_sampler.CountSampler.marginals`), and
    1 − π_k = r_k + a_k·(1 − p_k), :func:`~boundcalc.count_batch.batch_exceed_brackets`' ``done + after`` (a sum of
    non-negative terms, no cancellation; a_k·(1 − p_k) is the running product's next factor, the same float)."""
    from .count_noise_starts import running_laws

    before, alive = running_laws(steps)  # read-only (noise_starts takes them again)
    x = alive * steps.reveal
    comps = alive * steps.keep
    comps += before
    return x, comps


class _TailLogs:
    """log π_k and log(1 − π_k) of every step, once, for the Chernoff tails (−inf at π_k = 0 and π_k = 1: such a
    term is then exp(−inf) = 0, and a row with π_k = 1 has tail 1 below L by the rule of the largest π)."""

    def __init__(self, x: "np.ndarray", offsets: "np.ndarray") -> None:
        import numpy as np

        self.offsets, self.counts = offsets, np.diff(offsets)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.log_x = np.log(x)
            self.log_rest = np.log1p(-np.minimum(x, 1.0))
        self.largest = np.maximum.reduceat(x, offsets[:-1]) if x.size else np.zeros(0)
        self.live_counts = np.add.reduceat((x > 0).astype(np.float64), offsets[:-1]) if x.size else np.zeros(0)


def _divergence_parts(r: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]":
    """(r·log r + (1 − r)·log(1 − r), 1 − r) for r in (0, 1]: L·D(r ‖ π) = L·(first − r·log π − (1 − r)·log(1 − π))."""
    import numpy as np

    rest = 1 - r
    with np.errstate(divide="ignore", invalid="ignore"):
        own = r * np.log(r) + np.where(rest > 0, rest * np.log1p(-np.minimum(r, 1.0)), 0.0)
    return own, rest


def flat_tails(length: int, logs: _TailLogs, sizes: "np.ndarray") -> "np.ndarray":
    """:meth:`CountSampler.tail` of each row at its size: Σ_k exp(−L·D((size + 1)/L ‖ π_k)·(1 − 10^-9)) over the steps
    (the divergence regrouped and summed in another order than the sampler's: within a few ulps of its terms, far
    inside the bound's 10^-9 slack of the exponent), 1 where some π_k >= (size + 1)/L, 0 beyond L."""
    import numpy as np

    a = np.asarray(sizes, dtype=np.int64) + 1
    r_rows = np.minimum(a / length, 1.0)
    own, rest = _divergence_parts(r_rows)
    counts = logs.counts
    with np.errstate(invalid="ignore", over="ignore"):  # −inf logs give +inf divergences: terms 0
        kl = np.repeat(own, counts) - np.repeat(r_rows, counts) * logs.log_x
        kl -= np.repeat(rest, counts) * logs.log_rest
        kl *= -length * (1 - 1e-9)
        terms = np.exp(kl)
    terms = np.where(np.isnan(terms), 0.0, terms)  # 0·(−inf) at r = 1 and π = 1: that row's tail is 1 anyway
    out = np.minimum(1.0, np.add.reduceat(terms, logs.offsets[:-1])) if terms.size else np.zeros(a.size)
    out = np.where(logs.largest >= a / length, 1.0, out)
    return np.where(a > length, 0.0, out)


def _largest_term_search(length: int, logs: _TailLogs, scale: "np.ndarray", level: float) -> "np.ndarray":
    """Per row the least J in [0, L] with scale·Chernoff(Bin(L, max π) >= J + 1) <= level (J = L always qualifies)."""
    import numpy as np

    largest = logs.largest
    with np.errstate(divide="ignore", invalid="ignore"):
        log_x = np.log(largest)
        log_rest = np.log1p(-np.minimum(largest, 1.0))

    def settled(mid: "np.ndarray") -> "np.ndarray":
        r = np.minimum((mid + 1) / length, 1.0)
        own, rest = _divergence_parts(r)
        with np.errstate(invalid="ignore", over="ignore"):
            term = np.exp((own - r * log_x - rest * log_rest) * (-length * (1 - 1e-9)))
        term = np.where(largest >= r, 1.0, np.where(np.isnan(term), 0.0, term))
        return scale * term <= level

    lo, hi = np.zeros(largest.size, dtype=np.int64), np.full(largest.size, length, dtype=np.int64)
    return least_settled(lo, hi, settled)


def flat_size_caps(length: int, logs: _TailLogs) -> "np.ndarray":
    """:meth:`CountSampler.size_cap` of every row: the least J with tail(J) <= 2^-80. The tail is at least its
    largest term and at most (live steps) times it, so the least J lies between the least J where the largest term
    is <= 2·2^-80 and where n times it is <= 2^-80/2 (the factors 2 cover the few ulps by which the same term may
    differ in the sum); the binary search of the sampler runs on that range only, with the tails summed per row."""
    import numpy as np

    from .count_sampler import TAIL

    lo = _largest_term_search(length, logs, np.ones(logs.largest.size), 2 * TAIL)
    hi = np.maximum(lo, _largest_term_search(length, logs, logs.live_counts, TAIL / 2))
    return least_settled(lo, hi, lambda mid: flat_tails(length, logs, mid) <= TAIL)


def flat_nonempty_steps(length: int, x: "np.ndarray", log_rest: "np.ndarray", offsets: "np.ndarray"
                        ) -> "tuple[np.ndarray, np.ndarray]":
    """(E #non-empty steps, its float error) of every row: Σ_k 1 − (1 − π_k)^L with ``log_rest`` = log1p(−π_k)
    (−inf at π_k = 1: the term is 1). The per-step code's error (:meth:`CountSampler.expected_nonempty_steps`: π_k
    within 2(k + 1)ε, a few ε for its functions) plus numpy's log1p and expm1 at 4 ulps each (u = L·log1p(−π)
    moves by 9ε|u| <= 9ε·Lπ/(1 − π), the term by that times e^u, and 8ε of itself) and the sequential sum (n ε of
    the total)."""
    import numpy as np

    counts = np.diff(offsets)
    k = np.arange(x.size) - np.repeat(offsets[:-1], counts)
    whole = x >= 1
    terms = -np.expm1(length * log_rest)
    part = np.where(whole, 0.0, x)
    errors = (16 * (k + 2) + 9) * _EPS * (1 + length * part / (1 - part)) + 8 * _EPS * terms
    errors[whole] = 0.0
    value = np.add.reduceat(terms, offsets[:-1])
    error = np.add.reduceat(errors, offsets[:-1]) * (1 + 2.0**-40) + counts * _EPS * (1 + value)
    return value, error


def empty_brackets(caps: "np.ndarray", far: "np.ndarray", length: int
                   ) -> "tuple[int, tuple[np.ndarray, np.ndarray, np.ndarray]]":
    """(top, (lower, upper, error)): a block's widest cap (at most L) and its brackets of P(S_max > s),
    s = 1..max(top − 1, 1), before any step is summed: lower 0, upper and error each row's tail beyond its cap."""
    import numpy as np

    top = int(min(caps.max(initial=0), length))
    width = max(top - 1, 1)
    upper = np.repeat(far[:, None], width, axis=1)
    return top, (np.zeros((far.size, width)), upper, upper.copy())


def rows_in_blocks(caps: "np.ndarray", sizes: "np.ndarray", block_entries: int = _BLOCK_ENTRIES
               ) -> "list[list[np.ndarray]]":
    """Row indices by rising cap in groups whose widest cap is at most 5/4 of the first or 16 more (the E c(S_max)
    sums of a group are one array pass), each group in blocks of at most ``block_entries`` law entries (a row's
    ``sizes``, its laws per step size: its steps here, three per bin in :mod:`boundcalc.count_noise_bins`, times
    the block's widest cap + 1)."""
    import numpy as np

    order = np.argsort(caps, kind="stable")
    ordered, sizes = caps[order].astype(np.int64) + 1, sizes[order].astype(np.int64)
    entries = np.cumsum(sizes)
    out, start = [], 0
    while start < order.size:
        first = int(ordered[start])
        stop = max(start + 1, int(np.searchsorted(ordered, max(first + first // 4, first + 16), side="right")))
        blocks = []
        while start < stop:
            widest = int(ordered[stop - 1])
            before = int(entries[start - 1]) if start else 0
            fit = int(np.searchsorted(entries, before + block_entries // widest, side="right"))
            end = max(start + 1, min(stop, fit))
            blocks.append(order[start:end])
            start = end
        out.append(blocks)
    return out


def _gather(offsets: "np.ndarray", rows: "np.ndarray") -> "tuple[np.ndarray, np.ndarray]":
    """(the flat indices of the steps of ``rows``, row after row; each row's first position among them)."""
    import numpy as np

    counts = (offsets[rows + 1] - offsets[rows]).astype(np.int64)
    starts = np.zeros(rows.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    index = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(offsets[rows] - starts, counts)
    return index, starts


def _laws_by_recurrence(length: int, p: "np.ndarray", q: "np.ndarray", top: int, laws: "np.ndarray") -> None:
    """P(Bin(L, p) = j), j = 0..top, into ``laws`` (rows j x steps): P(0) = exp(L·log q), then
    P(j + 1) = P(j)·(p/q)·(L − j)/(j + 1) (the ratio of integers correctly rounded)."""
    import numpy as np

    odds = p / q
    with np.errstate(divide="ignore", under="ignore"):
        np.log(q, out=laws[0])
        laws[0] *= length
        np.exp(laws[0], out=laws[0])
    for j in range(top):
        np.multiply(laws[j], odds, out=laws[j + 1])
        laws[j + 1] *= (length - j) / (j + 1)


#: Per-step cuts (docs/theory.md §12, "Per-step cuts"): a row's steps fall in :data:`CUT_CLASSES` classes; a step of
#: class c < C − 1 has its law run only to the row's level cut_c = (cap + 1)·(c + 1)/C − 1, its tail beyond it at
#: most :data:`CUT_LEVEL`/n (n the row's steps) and added to the row's upper ends; a block cuts when that saves at
#: least :data:`CUT_SAVING` of its entries.
CUT_LEVEL = 2.0**-80
CUT_CLASSES = 4
CUT_SAVING = 0.15
#: The cuts are taken from this L on: below it a block's few entries cost less than sorting its steps into classes
#: (measured at L = 1024: 0.18 s without the cuts' classes, 0.20 s with them, in a sweep of every T of geometric).
CUT_MIN_LENGTH = 4096


def step_cut_thresholds(length: int, caps: "np.ndarray", counts: "np.ndarray"
                        ) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(levels, thresholds, tails), rows x (C − 1): each row's cut levels, the largest π* (by bisection, rising with
    the level) whose Chernoff tail exp(−L·D((cut + 1)/L ‖ π*)) (as :func:`flat_tails` forms it, within the 10^-9 slack
    of its exponent) is at most CUT_LEVEL/n, and that tail. The tail rises with π below (cut + 1)/L, so a step
    with π_k <= π* has its tail beyond the level at most the row's tail at π*."""
    import numpy as np

    C = CUT_CLASSES
    caps = np.asarray(caps, dtype=np.int64)[:, None]
    levels = np.maximum(1, (caps + 1) * np.arange(1, C)[None, :] // C - 1)
    r = np.minimum((levels + 1) / length, 1.0)
    own, rest = _divergence_parts(r)
    level = CUT_LEVEL / np.maximum(np.asarray(counts, dtype=np.float64), 1.0)[:, None]

    def tail(p: "np.ndarray") -> "np.ndarray":
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            term = np.exp((own - r * np.log(p) - rest * np.log1p(-p)) * (-length * (1 - 1e-9)))
        return np.where(np.isnan(term) | (p >= r), 1.0, term)

    low, high = np.zeros(r.shape), r.copy()  # tail(low) <= level (tail(0) = 0)
    for _ in range(64):
        mid = (low + high) / 2
        fits = tail(mid) <= level
        low, high = np.where(fits, mid, low), np.where(fits, high, mid)
    thresholds = np.maximum.accumulate(low, axis=1)  # rising with the level (a higher cut has a lower tail)
    return levels, thresholds, tail(thresholds)


def _survival_sums(length: int, x: "np.ndarray", comps: "np.ndarray", index: "np.ndarray", row_of: "np.ndarray",
                   top: int, total: "np.ndarray", keep: "np.ndarray") -> None:
    """Adds Σ_k σ_k(s) and Σ_k log(1 − σ_k(s)), σ_k(s) = P(s < s_k <= top), s = 1..top − 1, of the steps ``index``
    (their rows ``row_of``, ascending) into ``total`` and ``keep`` (rows x width >= top − 1)."""
    import numpy as np

    if top < 2 or not index.size:
        return
    laws = np.empty((top + 1, index.size))
    _laws_by_recurrence(length, x[index], comps[index], top, laws)
    surv = laws[2:]  # P(s < s_k <= top), s = 1..top-1, summed from the top down, in place
    for s in range(top - 3, -1, -1):
        surv[s] += surv[s + 1]
    heads = np.flatnonzero(np.diff(row_of, prepend=-1))
    owners = row_of[heads]
    total[owners, : top - 1] += np.add.reduceat(surv, heads, axis=1).T
    # from the first s where every σ_k(s) <= 2^-54 on, every 1 − σ_k(s) rounds to 1 and its log is 0 (σ_k(s) falls
    # with s: sums of non-negative floats), so those rows of s add nothing to ``keep`` and are not computed
    used = _rounding_below_one(surv)
    head = surv[:used]
    np.subtract(1.0, head, out=head)  # P(s_k <= s) within the top's law; <= 0 by rounding only where it is ~0
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log(head, out=head)
        if used:
            keep[owners, :used] += np.add.reduceat(head, heads, axis=1).T


#: the largest σ with 1 − σ rounded to 1.0 (round half to even at 1 − 2^-54)
_ROUNDS_TO_ONE = 2.0**-54


def _rounding_below_one(surv: "np.ndarray") -> int:
    """The number of leading rows s of ``surv`` (rows non-increasing in s, column by column) with some entry above
    2^-54 or NaN, i.e. some 1 − σ_k(s) not 1 once rounded: a bisection on s, one row's test at a time (a NaN, from
    an overflow in the recurrence, spreads to every row of smaller s by the suffix sums, and its log is NaN)."""
    lo, hi = 0, surv.shape[0]  # rows < lo have such an entry; rows >= hi have none
    while lo < hi:
        mid = (lo + hi) // 2
        if not bool((surv[mid] <= _ROUNDS_TO_ONE).all()):
            lo = mid + 1
        else:
            hi = mid
    return lo


def _classes(x: "np.ndarray", row_of: "np.ndarray", cuts: Any, top: int, rows: int
             ) -> "tuple[np.ndarray, list[int], np.ndarray]":
    """(each step's class, the classes' depths, each row's cut mass) of a block's steps: a step takes the first level
    whose threshold it does not exceed (the last class, to ``top``, otherwise); no cut (one class) when that saves
    less than CUT_SAVING of the entries."""
    import numpy as np

    none = (np.zeros(x.size, dtype=np.int64), [top], np.zeros(rows))
    if cuts is None:
        return none
    levels, thresholds, tails = cuts
    C = levels.shape[1] + 1
    classes = (x[:, None] > thresholds[row_of]).sum(axis=1)
    depths = [min(int(levels[:, c].max()), top) for c in range(C - 1)] + [top]
    counts = np.bincount(row_of * C + classes, minlength=rows * C).reshape(rows, C)
    if counts.sum(axis=0) @ (np.array(depths) + 1) > (1 - CUT_SAVING) * x.size * (top + 1):
        return none
    return classes, depths, (counts[:, :-1] * tails).sum(axis=1)


def flat_exceed_brackets(length: int, x: "np.ndarray", comps: "np.ndarray", offsets: "np.ndarray",
                         rows: "np.ndarray", caps: "np.ndarray", far: "np.ndarray", cuts: Any = None
                         ) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """(lower, upper, error) of P(S_max > s), s = 1..width (width = the widest cap − 1, at least 1), for ``rows``
    (a block of similar caps ``caps``, each row's tail beyond its cap ``far``), rows x width: below a row's cap
    1 − Π_k P(s_k <= s) and min(1, Σ_k P(s < s_k <= cut_k) + cut mass + far), from the cap on 0 and far; with
    ``cuts`` (:func:`step_cut_thresholds` of these rows) each step's law runs to its own class's depth only
    (docs/theory.md §12, "Per-step cuts"), else every law to the widest cap."""
    import numpy as np

    L = length
    index, starts = _gather(offsets, rows)
    n = (offsets[rows + 1] - offsets[rows]).astype(np.float64)
    top, (lower, upper, err) = empty_brackets(caps, far, L)
    width = lower.shape[1]
    if top < 2:
        return lower, upper, err
    row_of = np.repeat(np.arange(rows.size), n.astype(np.int64))
    classes, depths, mass = _classes(x[index], row_of, cuts, top, rows.size)
    total, keep = np.zeros((rows.size, width)), np.zeros((rows.size, width))
    for c, depth in enumerate(depths):
        chosen = np.flatnonzero(classes == c) if len(depths) > 1 else slice(None)
        _survival_sums(L, x, comps, index[chosen], row_of[chosen], depth, total, keep)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.maximum.reduceat(np.abs(L * np.log(comps[index])), starts)
    keep = np.where(np.isnan(keep), -np.inf, keep)  # log of a rounded 1 − P(s_k > s) below 0: lower = 1
    theta = np.expm1((2 * L * (3 * n + 6) + 8 * top + 8) * _EPS + 10 * _EPS * magnitude)
    inside = np.arange(1, width + 1)[None, :] < caps[:, None]
    below = far + mass  # below the cap each cut step's tail beyond its depth too; from the cap on far alone holds
    lower[:] = np.where(inside, -np.expm1(keep), 0.0)
    upper[:] = np.where(inside, np.minimum(1.0, total + below[:, None]), far[:, None])
    slack = (theta + (top + n + 8) * _EPS)[:, None] * total * (1 + 2.0**-20) + ((3 * n + 24) * _EPS)[:, None] \
        + below[:, None] + 2.0**-1000
    err[:] = np.where(inside, slack, far[:, None])
    return lower, upper, err


def _recurrent_rows(length: int, logs: _TailLogs) -> "np.ndarray":
    """Rows whose every step has L·|log(1 − π_k)| <= :data:`RECURRENCE_LIMIT` (the laws by the ratio recurrence;
    log(1 − π_k) here by log1p(−π_k), within a few ulps and the marginal's error of the laws' log(1 − π_k): far
    inside the margin from 600 to the least normal float's −708)."""
    import numpy as np

    return np.minimum.reduceat(logs.log_rest, logs.offsets[:-1]) * length >= -RECURRENCE_LIMIT


def _enclose(length: int, x: "np.ndarray", comps: "np.ndarray", offsets: "np.ndarray", rows: "np.ndarray",
             caps: "np.ndarray", far: "np.ndarray", steps: Any) -> "tuple[np.ndarray, np.ndarray]":
    """(values, errors), rows x coefficients: each E c(S_max) the midpoint of its bracket, with half the width and
    the roundings as its error, for ``rows`` in groups of similar caps (the laws in blocks)."""
    import numpy as np

    from .count_grid_rows import coefficient_brackets

    values = np.zeros((rows.size, len(steps.items)))
    errors = np.zeros_like(values)
    cuts = step_cut_thresholds(length, caps[rows], np.diff(offsets)[rows]) if length >= CUT_MIN_LENGTH else None
    for blocks in rows_in_blocks(caps[rows], np.diff(offsets)[rows]):
        group = np.concatenate(blocks)
        width = max(int(min(caps[rows[group]].max(), length)) - 1, 1)
        tails = far[rows[group]]
        lower = np.zeros((group.size, width))
        upper = np.repeat(tails[:, None], width, axis=1)
        err = upper.copy()  # from a row's cap on: 0, far, far (as each block's own)
        at = 0
        for block in blocks:
            chosen = rows[block]
            brackets = flat_exceed_brackets(length, x, comps, offsets, chosen, caps[chosen], far[chosen],
                                            None if cuts is None else tuple(part[block] for part in cuts))
            for whole, part in zip((lower, upper, err), brackets):
                whole[at : at + block.size, : part.shape[1]] = part
            at += block.size
        for j, found in enumerate(coefficient_brackets(steps, lower, upper, err, tails)):
            lo, hi, error = found[:, 0], found[:, 1], found[:, 2]
            values[group, j] = (lo + hi) / 2
            errors[group, j] = (hi - lo) / 2 + error + 2 * _EPS * (np.abs(lo) + np.abs(hi))
    return values, errors


def _row_groups(samplers: Sequence["CountSampler"]) -> list[list[int]]:
    """Consecutive rows in groups of at most :data:`_GROUP_STEPS` steps (one row alone when it is longer), so the
    flat arrays of a sweep at L = 16384 (~10^8 steps) are held a group at a time."""
    out: list[list[int]] = []
    current: list[int] = []
    held = 0
    for i, sampler in enumerate(samplers):
        n = len(sampler.reveal)
        if current and held + n > _GROUP_STEPS:
            out.append(current)
            current, held = [], 0
        current.append(i)
        held += n
    if current:
        out.append(current)
    return out


def _group_reports(profile: "MIProfile", samplers: Sequence["CountSampler"], eps_train: Fraction,
                   names: Sequence[str], coefficients: Any, is_enclosed: Any
                   ) -> "tuple[list[CountBoundReport | None], list[int]]":
    """(the reports of the enclosed rows the recurrence takes, None elsewhere; the enclosed rows it leaves to the
    per-row laws) for one group of rows; each row's cap computed here and kept by its sampler."""
    import numpy as np

    from .bounds import CountBoundReport
    from .count_flat import flat_steps

    L = profile.length
    steps = flat_steps(samplers)
    x, comps = flat_marginals(steps)
    logs = _TailLogs(x, steps.offsets)
    for sampler, cap in zip(samplers, flat_size_caps(L, logs).tolist()):
        sampler.__dict__.setdefault("_size_cap", int(cap))  # the sampler's own cache: a cap it had stays
    caps = np.array([min(s.size_cap(), L) for s in samplers], dtype=np.int64)
    enclosed = np.array([bool(is_enclosed(s)) for s in samplers], dtype=bool)
    recurrent = _recurrent_rows(L, logs)
    rows = np.flatnonzero(enclosed & recurrent)
    out: "list[CountBoundReport | None]" = [None] * len(samplers)
    if rows.size:
        far = np.where(caps < L, flat_tails(L, logs, caps), 0.0)
        found, errors = _enclose(L, x, comps, steps.offsets, rows, caps, far, coefficients)
        nonempty, nonempty_error = flat_nonempty_steps(L, x, logs.log_rest, steps.offsets)
        for i, row_values, row_errors in zip(rows.tolist(), found.tolist(), errors.tolist()):
            enclosed_values = list(zip(row_values, row_errors))
            out[i] = CountBoundReport(profile, samplers[i], eps_train, dict(zip(names, enclosed_values[:-1])),
                                      enclosed_values[-1], (float(nonempty[i]), float(nonempty_error[i])))
    return out, np.flatnonzero(enclosed & ~recurrent).tolist()


def flat_bound_reports(profile: "MIProfile", samplers: Sequence["CountSampler"], eps_train: Fraction,
                       names: Sequence[str], values: Any, is_enclosed: Any) -> "list[CountBoundReport | None]":
    """:func:`boundcalc.count_rows.row_bound_report`'s enclosure for every row whose law of S_max costs too much
    (``is_enclosed(sampler)``, asked once each sampler's cap is known), None for the others; every row's step-size
    cap is computed here, all at once, and kept by the sampler. ``values(name, L)`` gives c(1..L) as floats."""
    from .count_batch import batch_bound_reports
    from .count_grid_rows import CoefficientSteps

    out: "list[CountBoundReport | None]" = []
    if not samplers:
        return out
    L = profile.length
    coefficients = CoefficientSteps([values(name, L) for name in names] + [values("", L)])
    small: list[int] = []
    for group in _row_groups(samplers):
        found, left = _group_reports(profile, [samplers[i] for i in group], eps_train, names, coefficients,
                                     is_enclosed)
        small.extend(group[i] for i in left)
        out.extend(found)
    if small:  # few steps each: the per-row laws
        for i, report in zip(small, batch_bound_reports(profile, [samplers[i] for i in small], eps_train, names,
                                                        values, lambda sampler: True)):
            out[i] = report
    return out
