"""The laws of single steps of many random-count samplers at once (the rows of a count sweep).

A sweep over T asks every row's sampler for its step-size cap (a binary search of Chernoff tails), the
brackets of P(S_max > s) from the laws of single steps (:meth:`~boundcalc.count_sampler.CountSampler.
expected_coefficient_brackets`) and E #non-empty steps. Row by row that is ~20 small numpy calls and a Python
loop over the steps per row; here the rows' steps are stacked (rows of similar caps together, padded: a step
that reveals nothing and keeps everything) and each quantity is one numpy pass over the stack.

The float operations on each entry are the sampler's own, in the same order: the running products and sums
(cumprod, cumsum and reductions over the steps are sequential in numpy, as the sampler's loops), the binomial
laws entry by entry. Padded entries add exact zeros. The one difference is the Chernoff tail's sum over the steps
(pairwise in numpy, over a padded row here): the step-size cap is the least J with tail(J) <= 2^-80 for a tail
computed within its 10^-9 slack either way, so either cap is certified (docs/theory.md §12); they differ only
when a tail is within 10^-13 of 2^-80.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .binomial_laws import binomial_laws

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .bounds import CountBoundReport
    from .count_sampler import CountSampler
    from .profile import MIProfile

__all__ = ["batch_bound_reports", "batch_size_caps", "batch_nonempty_steps", "batch_exceed_brackets", "least_settled"]

_EPS = 2.0**-53
#: Entries of a stacked chunk (steps x step sizes): ~32 MB of float64 per array.
_CHUNK_ENTRIES = 1 << 22


def _stack(samplers: Sequence["CountSampler"]) -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
    """(reveal, keep, steps) padded to rows x max steps: a padded step reveals nothing (p = 0, 1 - p = 1)."""
    import numpy as np

    counts = np.array([len(s.reveal) for s in samplers])
    width = int(counts.max())
    reveal, keep = np.zeros((len(samplers), width)), np.ones((len(samplers), width))
    for i, s in enumerate(samplers):
        reveal[i, : counts[i]] = s.reveal
        keep[i, : counts[i]] = s.keep
    return reveal, keep, counts


def _marginals(reveal: "np.ndarray", keep: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """(π_k, Π_{j<=k}(1 - p_j)) per row: :meth:`CountSampler.marginals`' running product, the same multiplications."""
    import numpy as np

    after = np.cumprod(keep, axis=1)
    before = np.empty_like(after)
    before[:, 0] = 1.0
    before[:, 1:] = after[:, :-1]
    return before * reveal, after


def _tails(length: int, logs: tuple["np.ndarray", ...], sizes: "np.ndarray") -> "np.ndarray":
    """:meth:`CountSampler.tail` of each row at its size, Σ_k Chernoff(Bin(L, π_k) >= size + 1) over π_k > 0, with
    ``logs`` = (π_k, log π_k, log(1 - π_k), π_k > 0) computed once (the sampler's log(r/π_k) is here
    log r - log π_k: the same value within a few ulps, inside the bound's 10^-9 slack)."""
    import numpy as np

    x, log_x, log_rest, live = logs
    a = sizes + 1
    r = (a / length)[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # π_k = 0 and π_k >= r: dropped below
        kl = r * (np.log(r) - log_x)
        kl += np.where(r < 1, (1 - r) * (np.log1p(-r) - log_rest), 0.0)
        terms = np.exp(kl * (-length * (1 - 1e-9)))
    out = np.minimum(1.0, np.sum(terms, axis=1, where=live))
    out = np.where(np.max(x, axis=1) >= r[:, 0], 1.0, out)
    return np.where(a > length, 0.0, out)


def _tail(length: int, x: "np.ndarray", size: int) -> float:
    """:meth:`CountSampler.tail` of one row, the sampler's operations (its sum over the steps, pairwise over the
    π_k > 0 alone): the tail beyond the cap that the brackets add is then the sampler's, bit for bit."""
    import numpy as np

    a = size + 1
    if a > length:
        return 0.0
    x = x[x > 0]
    r = a / length
    if x.size and float(x.max()) >= r:
        return 1.0
    kl = np.zeros_like(x)
    kl += r * np.log(r / x)
    if r < 1:
        kl += (1 - r) * (math.log1p(-r) - np.log1p(-x))
    return min(1.0, float(np.exp(-length * kl * (1 - 1e-9)).sum())) if x.size else 0.0


def batch_size_caps(length: int, x: "np.ndarray") -> "np.ndarray":
    """:meth:`CountSampler.size_cap` of each row of marginals ``x``: the same binary search, all rows at once."""
    import numpy as np

    from .count_sampler import TAIL

    live = x > 0
    with np.errstate(divide="ignore"):
        logs = (x, np.log(np.where(live, x, 1.0)), np.log1p(-np.where(live & (x < 1), x, 0.0)), live)
    lo, hi = np.zeros(len(x), dtype=np.int64), np.full(len(x), length, dtype=np.int64)
    return least_settled(lo, hi, lambda mid: _tails(length, logs, mid) <= TAIL)


def least_settled(lo: "np.ndarray", hi: "np.ndarray", settled: "Callable[[np.ndarray], np.ndarray]") -> "np.ndarray":
    """Per row the least J in [lo, hi] with ``settled(J)`` (true from some J on, and at hi): one binary search for
    all rows at once, ``settled`` asked of every row's midpoint each round (a settled row keeps its answer)."""
    import numpy as np

    while bool((lo < hi).any()):
        mid = (lo + hi) // 2
        done = settled(mid)
        searching = lo < hi
        hi = np.where(searching & done, mid, hi)
        lo = np.where(searching & ~done, mid + 1, lo)
    return lo


def batch_nonempty_steps(length: int, x: "np.ndarray", counts: "np.ndarray") -> list[tuple[float, float]]:
    """:meth:`CountSampler.expected_nonempty_steps` of each row (its first ``counts[i]`` marginals): the terms by
    the math module's log1p and expm1, as the sampler's (numpy's SIMD ones differ in the last bits), the
    error terms in numpy (the same arithmetic)."""
    import numpy as np

    expm1, log1p, L = math.expm1, math.log1p, length
    k = np.arange(x.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        errors = np.where(x >= 1, 0.0, 16 * (k + 2) * _EPS * (1 + length * x / (1 - x)))
    errors = np.cumsum(np.where(k[None, :] < counts[:, None], errors, 0.0), axis=1)[:, -1]  # sequential, as the loop
    out = []
    for i, row in enumerate(x.tolist()):
        terms = [1.0 if v >= 1 else -expm1(L * log1p(-v)) for v in row[: counts[i]]]
        out.append((math.fsum(terms), float(errors[i]) + int(counts[i]) * _EPS))
    return out


def batch_exceed_brackets(length: int, x: "np.ndarray", after: "np.ndarray", counts: "np.ndarray",
                          caps: "np.ndarray") -> "list[tuple[np.ndarray, np.ndarray, np.ndarray]]":
    """:meth:`CountSampler._exceed_bracket` of each row: (lower, upper, float error) of P(S_max > s), s = 1..L-1."""
    import numpy as np

    from .count_sampler import _log_factorials

    L = length
    caps = np.minimum(caps, L)
    beyond = [_tail(L, x[i, : counts[i]], int(caps[i])) if caps[i] < L else 0.0 for i in range(len(x))]
    out: "list[tuple[np.ndarray, np.ndarray, np.ndarray]]" = []
    lf, lf_error = _log_factorials(L)
    done = np.empty_like(x)  # Σ_{j<k} π_j, sequential: exactly the sampler's running sum before step k
    done[:, 0] = 0.0
    done[:, 1:] = np.cumsum(x, axis=1)[:, :-1]
    comps = done + after  # 1 - π_k as a sum of non-negative terms (the sampler's ``done + alive·q``)
    for i in range(len(x)):
        cap, n, far = int(caps[i]), int(counts[i]), float(beyond[i])
        lower, upper, err = np.zeros(L - 1), np.full(L - 1, far), np.full(L - 1, far)
        if cap >= 2:
            pmf, rel = binomial_laws(L, lf, lf_error, x[i, :n], comps[i, :n], cap)
            surv = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1][:, 2:]
            surv = np.minimum(surv, 1.0)
            total = surv.sum(axis=0)
            lower[: cap - 1] = -np.expm1(np.sum(np.log1p(-np.minimum(surv, 1 - _EPS)), axis=0))
            upper[: cap - 1] = np.minimum(1.0, total + far)
            err[: cap - 1] = (rel + (cap + 4) * _EPS) * total + (n + 8) * _EPS + far
        out.append((lower, upper, err))
    return out


class Coefficients:
    """c(1..L) of the bounds (and s itself, for E S_max) with what every row's bracket reuses: Δc(s) and, for the
    steps beyond a row's cap (where its bracket is lower 0, upper and error one tiny value), the suffix sums of
    |Δc| over the falling and the rising steps."""

    def __init__(self, values: Sequence["np.ndarray"]) -> None:
        import numpy as np

        self.items = []
        for value in values:
            steps = np.diff(value)
            size = np.abs(steps)

            def suffix(x: "np.ndarray") -> "np.ndarray":
                return np.concatenate((np.cumsum(x[::-1])[::-1], [0.0]))

            self.items.append((float(value[0]), steps, suffix(np.where(steps < 0, size, 0.0)),
                               suffix(np.where(steps >= 0, size, 0.0)), suffix(size)))


def _brackets(bracket: "tuple[np.ndarray, np.ndarray, np.ndarray]", coefficients: "Coefficients | Sequence[np.ndarray]",
              head: int) -> list[tuple[float, float, float]]:
    """:meth:`CountSampler.expected_coefficient_brackets` (``exact_at`` = 0) from a row's bracket of P(S_max > s),
    whose entries from ``head`` on are the tail beyond the step-size cap (lower 0, upper and error one tiny value)."""
    import numpy as np

    prepared = coefficients if isinstance(coefficients, Coefficients) else Coefficients(coefficients)
    out = []
    lower, upper, err = bracket
    far = float(upper[head]) if head < upper.size else 0.0
    for first, steps, falling, rising, size in prepared.items:
        part = steps[:head]
        # beyond the head the low end takes upper (= far) on the falling steps, the high end on the rising ones
        low = part * np.where(part >= 0, lower[:head], upper[:head])
        high = part * np.where(part >= 0, upper[:head], lower[:head])
        lo = _fsum(first, low, _beyond_cap(far, falling[head]), lambda: steps * np.where(steps >= 0, lower, upper))
        hi = _fsum(first, high, _beyond_cap(far, rising[head]), lambda: steps * np.where(steps >= 0, upper, lower))
        error = _fsum(0.0, np.abs(part) * err[:head], _beyond_cap(far, size[head]), lambda: np.abs(steps) * err) \
            + 4 * _EPS * (abs(lo) + abs(hi) + abs(first))
        out.append((lo, hi, error))
    return out


def _beyond_cap(far: float, size: float) -> float:
    """A bound on Σ|Δc(s)|·far over the steps beyond the cap (``size`` their Σ|Δc|, a float suffix sum): 0 only when
    every term is exactly 0; 2^-1000 more for a product that underflows."""
    if far == 0.0 or size == 0.0:
        return 0.0
    return float(size) * far * (1 + 2 * (_LIMIT_TERMS + 4) * _EPS) + 2.0**-1000


def _fsum(first: float, head: "np.ndarray", rest: float, every: Any) -> float:
    """math.fsum([first, *every()]), bit for bit (``every()``'s first terms are ``head``'s), summing only the
    ``head`` terms exactly when the others (tiny: the tail beyond the cap, Σ|rest| <= ``rest``, a suffix sum: within
    (n + 2)ε) cannot move the correctly rounded sum:
    H = fsum(first, head), its residual r (the exact sum minus H, within an ulp of r) and the rest stay below a
    quarter of H's ulp, so the whole sum rounds to H (a quarter: the gap below a power of two is half its ulp).
    Else the whole fsum of ``every()``."""
    terms = head.tolist()  # one list for every sum below (fsum's result does not depend on the order)
    terms.append(first)
    total = math.fsum(terms)
    spread = rest
    if spread == 0.0:
        return total
    if total != 0.0 and math.isfinite(total):
        terms.append(-total)
        residual = math.fsum(terms)
        terms.pop()
        if (abs(residual) + math.ulp(residual)) * (1 + 4 * _EPS) + spread < math.ulp(total) / 4:
            return total
    terms.extend(every()[head.size:].tolist())  # every()'s first terms are head's, the same products
    return math.fsum(terms)


#: A bound on the number of terms of a suffix sum (a sweep's L): its float rounding is within (n + 2)ε relative.
_LIMIT_TERMS = 1 << 26


def _chunks(samplers: Sequence["CountSampler"]) -> list[list[int]]:
    """Indices of rows in chunks of at most :data:`_CHUNK_ENTRIES` stacked entries (rows x widest steps)."""
    out: list[list[int]] = []
    current: list[int] = []
    widest = 0
    for i, s in enumerate(samplers):
        n = len(s.reveal)
        if current and (len(current) + 1) * max(widest, n) > _CHUNK_ENTRIES // 8:
            out.append(current)
            current, widest = [], 0
        current.append(i)
        widest = max(widest, n)
    if current:
        out.append(current)
    return out


def batch_bound_reports(profile: "MIProfile", samplers: Sequence["CountSampler"], eps_train: Fraction,
                        names: Sequence[str], values: Any, is_enclosed: Any) -> list["CountBoundReport | None"]:
    """:func:`boundcalc.count_rows.row_bound_report` for every row whose law of S_max is enclosed
    (``is_enclosed(sampler)``: its DP costs too much), None for the others; each sampler's step-size cap is computed
    here for all rows at once and kept by the sampler. ``values(name, L)`` gives c(1..L) as floats."""
    import numpy as np

    from .bounds import CountBoundReport

    out: list[CountBoundReport | None] = [None] * len(samplers)
    coefficients = Coefficients([values(name, profile.length) for name in names] + [values("", profile.length)])
    for chunk in _chunks(samplers):
        rows = [samplers[i] for i in chunk]
        L = rows[0].length
        reveal, keep, counts = _stack(rows)
        x, after = _marginals(reveal, keep)
        caps = batch_size_caps(L, x)
        for s, cap in zip(rows, caps.tolist()):
            s.__dict__.setdefault("_size_cap", int(cap))  # the sampler's own cache (see the module's note)
        caps = np.array([s.size_cap() for s in rows])  # a cap the sampler already had stays its own
        enclosed_rows = [k for k, s in enumerate(rows) if is_enclosed(s)]
        if not enclosed_rows:
            continue
        pick = enclosed_rows
        brackets = batch_exceed_brackets(L, x[pick], after[pick], counts[pick], caps[pick])
        nonempty = batch_nonempty_steps(L, x[pick], counts[pick])
        for k, bracket, steps in zip(pick, brackets, nonempty):
            found = _brackets(bracket, coefficients, max(int(caps[k]) - 1, 0))
            enclosed = [((lo + hi) / 2, (hi - lo) / 2 + error + 2 * _EPS * (abs(lo) + abs(hi)))
                        for lo, hi, error in found]
            out[chunk[k]] = CountBoundReport(profile, rows[k], eps_train, dict(zip(names, enclosed[:-1])),
                                             enclosed[-1], steps)
    return out
