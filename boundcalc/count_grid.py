"""A uniform-grid random-count sampler held lazily, with its single-step laws in closed form (values layer).

MDLM's and SEDD's log-linear noise and Dream's ``origin`` sampler reveal each token at step k with the same
marginal π_k = h for the n steps before the last (h = a/A, a ratio of integers: p_k = a/(A − a(k − 1))), and the
last step takes the rest, π_last = w = 1 − n·h (docs/theory.md §12, "A uniform grid in closed form"). A sweep of
every T up to L = 16384 builds 16384 such samplers of up to 16384 steps each; as tuples of floats that is ~10^8
steps and gigabytes. :class:`GridSampler` keeps (a, A, n) only:

* ``reveal`` and ``keep`` are :class:`GridSteps`, lazy sequences with the quick build's very floats
  (:meth:`boundcalc.count_families.CountFamily.quick_sampler`): ``len`` and indexing are O(1), ``np.asarray``
  one vectorised pass, and nothing is stored; the DPs (:meth:`~boundcalc.count_sampler.CountSampler.max_law`,
  ``expected``) read them step by step as before, and so do ``marginals`` and ``expected_sizes`` (the per-step
  running product, the same floats as the eager sampler's: only for code that asks for every step);
* the laws of single steps are closed forms of h and w, each one correctly rounded float: E #non-empty steps n(1 − (1 − h)^L) + 1 − (1 − w)^L, the Chernoff tail n·C(h) + C(w) and the
  step-size cap, and the brackets of identical laws

      1 − F_h(s)^n·F_w(s)  <=  P(S_max > s)  <=  min(1, n(1 − F_h(s)) + (1 − F_w(s))),

  F_x the law of Binomial(L, x): O(cap) per sampler instead of O(n·cap), and for a sweep's rows at once
  (:mod:`boundcalc.count_grid_rows`) every row's bounds by whole-array sums.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .count_sampler import TAIL, CountSampler, _log_factorials
from .errors import ScheduleError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


__all__ = ["GridSteps", "GridSampler", "grid_size_caps", "grid_brackets"]

_EPS = 2.0**-53


class GridSteps(Sequence[float]):
    """p_k (``keep`` False) or 1 − p_k (``keep`` True) for k = 1..n and the last step (p = 1), never stored:
    p_k = a/(A − a(k − 1)) and 1 − p_k = (A − ak)/(A − a(k − 1)), each one correctly rounded division of integers,
    the quick build's floats bit for bit."""

    __slots__ = ("a", "total", "n", "keep")

    def __init__(self, a: int, total: int, n: int, keep: bool) -> None:
        self.a, self.total, self.n, self.keep = a, total, n, keep

    def __len__(self) -> int:
        return self.n + 1

    def _at(self, k: int) -> float:
        if k == self.n:
            return 0.0 if self.keep else 1.0
        before = self.total - self.a * k
        return (before - self.a) / before if self.keep else self.a / before  # int/int: correctly rounded

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self._at(k) for k in range(*index.indices(self.n + 1)))
        k = index + self.n + 1 if index < 0 else index
        if not 0 <= k <= self.n:
            raise IndexError("step index out of range")
        return self._at(k)

    def __array__(self, dtype: Any = None, copy: Any = None) -> "np.ndarray":
        import numpy as np

        a, total, n = self.a, self.total, self.n
        if total + a * (n + 1) < 2**53:  # integers below 2^53 are floats exactly: numpy's division rounds as int/int
            before = total - a * np.arange(n, dtype=np.float64)
            body = (before - a) / before if self.keep else a / before
        else:
            body = np.array([self._at(k) for k in range(n)], dtype=np.float64)
        out = np.concatenate((body, [0.0 if self.keep else 1.0]))
        return out if dtype is None else out.astype(dtype)

    def __iter__(self) -> Iterator[float]:
        return iter(self.__array__().tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, GridSteps):
            return (self.a, self.total, self.n, self.keep) == (other.a, other.total, other.n, other.keep)
        return isinstance(other, (tuple, list)) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"GridSteps(a={self.a}, A={self.total}, n={self.n}, {'keep' if self.keep else 'reveal'})"


class GridSampler(CountSampler):
    """A :class:`~boundcalc.count_sampler.CountSampler` on a uniform grid, O(1) memory (see the module's note).

    ``n`` steps reveal each token with probability h = a/A (marginally), then a last step takes the rest
    (w = 1 − n·h >= 0). ``notes["grid"]`` = (a, A), as the quick build's.

    >>> s = GridSampler(8, 4, 999, 4000, 3, "dream-origin:4", "dream-origin")
    >>> len(s.reveal), s.reveal[0], s.keep[-1], s.marginal_pair()
    (4, 0.24975, 0.0, (0.24975, 0.25075))
    >>> [round(x, 6) for x in s.expected_sizes()]
    [1.998, 1.998, 1.998, 2.006]
    """

    grid_steps: int  #: n, the steps before the last

    def __init__(self, length: int, steps: int, a: int, total: int, n: int, name: str, family: str) -> None:
        if not (length >= 1 and a > 0 and total > 0 and n >= 0 and n * a <= total):
            raise ScheduleError(f"no uniform grid with h = {a}/{total} and {n} steps", param="schedule")
        self.__dict__.update(length=length, steps=steps, name=name, family=family, exact=None, grid_steps=n,
                             reveal=GridSteps(a, total, n, False), keep=GridSteps(a, total, n, True),
                             notes={"grid": (a, total)})  # frozen: set once here, as the dataclass's __init__ does

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GridSampler) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        return (self.length, self.steps, self.notes["grid"], self.grid_steps, self.name, self.family)

    def __repr__(self) -> str:
        a, total = self.notes["grid"]
        return f"GridSampler({self.name!r}, L={self.length}, h={a}/{total}, n={self.grid_steps})"

    # -- the two marginals ------------------------------------------------------------------
    def marginal_pair(self) -> tuple[float, float]:
        """(h, w): a regular step's marginal a/A and the last step's 1 − n·a/A, each one correctly rounded float."""
        a, total = self.notes["grid"]
        return a / total, (total - self.grid_steps * a) / total

    def complement_pair(self) -> tuple[float, float]:
        """(1 − h, 1 − w), each one correctly rounded float (no cancellation)."""
        a, total = self.notes["grid"]
        return (total - a) / total, self.grid_steps * a / total

    def describe(self) -> str:
        """:meth:`CountSampler.describe`'s text, bit for bit: the first six marginals by the same running product
        over the first six steps only (the list of every step is never built)."""
        (a, total), L, n = self.notes["grid"], self.length, self.grid_steps
        head, alive = [], 1.0
        for k in range(min(n, 6)):  # p_k = a/(A − ak), 1 − p_k = (A − a(k + 1))/(A − ak): GridSteps' floats
            before = total - a * k
            head.append(L * (alive * (a / before)))
            alive *= (before - a) / before
        if n < 6:
            head.append(L * (alive * 1.0))
        text = ", ".join(f"{x:.3g}" for x in head) + (", ..." if n + 1 > 6 else "")
        return f"{self.name}: {n + 1} steps, E s_k = {text}"

    def expected_nonempty_steps(self) -> tuple[float, float]:
        """(n·(1 − (1 − h)^L) + 1 − (1 − w)^L, a bound on its float error): docs/theory.md §12."""
        (h, w), (h_rest, w_rest) = self.marginal_pair(), self.complement_pair()
        return _nonempty(self.length, self.grid_steps, h, w, h_rest, w_rest)

    # -- tails and the cap ------------------------------------------------------------------
    def tail(self, size: int) -> float:
        """:meth:`CountSampler.tail` in closed form: n·Chernoff(h) + Chernoff(w) (each over π > 0)."""
        L, a = self.length, size + 1
        if a > L:
            return 0.0
        h, w = self.marginal_pair()
        r = a / L
        live = [(x, count) for x, count in ((h, self.grid_steps), (w, 1)) if x > 0 and count > 0]
        if any(x >= r for x, _ in live):
            return 1.0
        return min(1.0, sum(count * _chernoff(L, r, x) for x, count in live))

    def floor_bound(self, size: int) -> float:
        """:meth:`CountSampler.floor_bound` in closed form: min over {h, w} of Chernoff(Bin(L, π) <= size)."""
        h, w = self.marginal_pair()
        r = size / self.length
        above = [x for x, count in ((h, self.grid_steps), (w, 1)) if count > 0 and x > r]
        if r < 1 and any(x >= 1 for x in above):
            return 0.0
        return min(1.0, min((_chernoff(self.length, r, x) for x in above), default=1.0))

    def size_cap(self) -> int:
        """The least J with tail(J) <= 2^-80 (computed once; :func:`grid_size_caps` for many samplers)."""
        cached = self.__dict__.get("_size_cap")
        if cached is None:
            cached = int(grid_size_caps([self])[0])
            object.__setattr__(self, "_size_cap", cached)
        return cached

    def _exceed_bracket(self) -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
        """(lower, upper, float error) of P(S_max > s), s = 1..L-1: the brackets of identical laws."""
        import numpy as np

        L, cap = self.length, min(self.size_cap(), self.length)
        lower, upper, err, _ = grid_brackets(L, [self], np.array([cap]), L - 1)
        return lower[0], upper[0], err[0]


def _chernoff(L: int, r: float, x: float) -> float:
    """exp(−L·D(r ‖ x)·(1 − 10^-9)) (0 < x < 1, 0 <= r <= 1): :meth:`CountSampler._chernoff` of one π."""
    kl = 0.0
    if r > 0:
        kl += r * math.log(r / x)
    if r < 1:
        kl += (1 - r) * (math.log1p(-r) - math.log1p(-x))
    return math.exp(-L * kl * (1 - 1e-9))


def _nonempty(L: int, n: int, h: float, w: float, h_rest: float, w_rest: float) -> tuple[float, float]:
    """n·(1 − (1 − h)^L) + (1 − (1 − w)^L) and a bound on its float error (docs/theory.md §12): each term is
    t = −expm1(L·u) with u = log1p(−x) (x < 1/2) or log(1 − x) (from the correctly rounded 1 − x); either way the
    rounding of x or 1 − x (ε relative) moves u by at most 2xε, and log, the product by L and expm1 add ε|u|,
    ε|Lu| and ε|t|; |dt/d(Lu)| = 1 − t <= 1 and (1 − t)·L|u| <= 1/e, so |Δt| <= 4ε(1 + Lx) + 2ε·t."""
    total, error = 0.0, 0.0
    for x, rest, count in ((h, h_rest, n), (w, w_rest, 1)):
        if count == 0 or x <= 0:
            continue
        if x >= 1:
            total += count
            continue
        t = -math.expm1(L * (math.log1p(-x) if x < 0.5 else math.log(rest)))
        total += count * t
        error += count * (4 * _EPS * (1 + L * x) + 2 * _EPS * t)
    return total, error + 4 * _EPS * total


def _pairs(samplers: Sequence[GridSampler]) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """Per row (h, w), (1 − h, 1 − w) and the counts (n, 1), each a correctly rounded quotient of integers
    (:meth:`GridSampler.marginal_pair`, :meth:`GridSampler.complement_pair`): numpy's division of integers below
    2^53 (floats exactly) rounds as Python's int/int."""
    import numpy as np

    ints = np.array([(*s.notes["grid"], s.grid_steps) for s in samplers], dtype=object).reshape(-1, 3)
    a, total, n = (ints[:, i] for i in range(3))
    if len(samplers) and max(int(total.max()), int((n * a).max())) >= 2**53:
        x = np.array([s.marginal_pair() for s in samplers], dtype=np.float64)
        rest = np.array([s.complement_pair() for s in samplers], dtype=np.float64)
    else:
        a, total, n = (np.asarray(v, dtype=np.float64) for v in (a, total, n))
        x = np.stack((a / total, (total - n * a) / total), axis=1)
        rest = np.stack(((total - a) / total, n * a / total), axis=1)
    counts = np.stack((np.asarray(n, dtype=np.float64), np.ones(len(samplers))), axis=1)
    return x.reshape(-1, 2), rest.reshape(-1, 2), counts.reshape(-1, 2)


def _tail_logs(x: "np.ndarray", rest: "np.ndarray", counts: "np.ndarray"
               ) -> "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]":
    """(x, log x, log(1 − x), counts, live) for :func:`_tails`: log(1 − x) by log1p below ½, else from 1 − x."""
    import numpy as np

    live = (x > 0) & (counts > 0)
    with np.errstate(divide="ignore"):  # rows without a live marginal are masked by ``live``
        log_x = np.log(np.where(live, x, 1.0))
        log_rest = np.where(x < 0.5, np.log1p(-np.minimum(x, 0.5)), np.log(np.where(live, rest, 1.0)))
    return x, log_x, log_rest, counts, live


def grid_size_caps(samplers: Sequence[GridSampler]) -> "np.ndarray":
    """:meth:`GridSampler.size_cap` of each sampler (one length): the binary search of Chernoff tails, all at once."""
    import numpy as np

    L, rows = samplers[0].length, len(samplers)
    logs = _tail_logs(*_pairs(samplers))
    lo, hi = np.zeros(rows, dtype=np.int64), np.full(rows, L, dtype=np.int64)
    while bool((lo < hi).any()):  # every row halves the same [0, L]
        mid = (lo + hi) // 2
        settled = _tails(L, *logs, mid) <= TAIL
        searching = lo < hi
        hi = np.where(searching & settled, mid, hi)
        lo = np.where(searching & ~settled, mid + 1, lo)
    return lo


def _tails(L: int, x: "np.ndarray", log_x: "np.ndarray", log_rest: "np.ndarray", counts: "np.ndarray",
           live: "np.ndarray", sizes: "np.ndarray") -> "np.ndarray":
    """:meth:`GridSampler.tail` of each row at its size (within the bound's 10^-9 slack: the logs within ulps)."""
    import numpy as np

    a = sizes + 1
    r = (a / L)[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        kl = r * (np.log(r) - log_x)
        kl += np.where(r < 1, (1 - r) * (np.log1p(-np.minimum(r, 1.0)) - log_rest), 0.0)
        terms = counts * np.exp(kl * (-L * (1 - 1e-9)))
    out = np.minimum(1.0, np.sum(np.where(live, terms, 0.0), axis=1))
    out = np.where(np.any(live & (x >= r), axis=1), 1.0, out)
    return np.where(a > L, 0.0, out)


def _laws(L: int, x: "np.ndarray", rest: "np.ndarray", top: int) -> "tuple[np.ndarray, np.ndarray]":
    """(P(Bin(L, x_i) = j), j = 0..top, per row; a bound on each row's relative error): x_i and 1 − x_i each one
    correctly rounded float (so each log within 2ε absolute per unit of exponent: 2L·4ε covers both), the
    log-factorials within their bound, the logs, products and sums within 8ε of the magnitudes added
    (:func:`boundcalc.binomial_laws.binomial_laws`'s arithmetic, per row)."""
    import numpy as np

    lf, lf_error = _log_factorials(L)
    j = np.arange(top + 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logp, logq = np.log(x)[:, None], np.log(rest)[:, None]
        log_pmf = (lf[L] - lf[j] - lf[L - j])[None, :] + np.where(j == 0, 0.0, j * logp) \
            + np.where(j == L, 0.0, (L - j) * logq)
        pmf = np.exp(log_pmf)
    pmf = np.where(np.isnan(pmf), 0.0, pmf)
    finite = np.abs(np.where(np.isfinite(logp), logp, 0.0)) + np.abs(np.where(np.isfinite(logq), logq, 0.0))
    magnitude = 3 * float(lf[-1]) + L * finite[:, 0]
    delta = 3 * lf_error + 8 * _EPS * magnitude + 8 * L * _EPS
    return pmf, np.expm1(delta) + 8 * _EPS  # exp within a few ulps


def grid_brackets(L: int, samplers: Sequence[GridSampler], caps: "np.ndarray", width: int
                   ) -> "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]":
    """(lower, upper, error) of P(S_max > s), s = 1..width, for each row (rows x width), and each row's tail beyond
    its cap ``far`` (docs/theory.md §12): below the row's cap the brackets of identical laws from Binomial(L, h)
    and Binomial(L, w) up to the cap (the mass beyond it dropped below, ``far`` added above), from the cap on
    lower 0 and upper ``far``."""
    import numpy as np

    rows = len(samplers)
    pairs, rests, counts = _pairs(samplers)
    n = counts[:, 0]
    far = _tails(L, *_tail_logs(pairs, rests, counts), caps)  # the Chernoff tail beyond each row's cap
    lower = np.zeros((rows, width))
    upper = np.repeat(far[:, None], width, axis=1)
    err = upper.copy()
    top = int(min(caps.max(initial=0), L))
    head = min(top - 1, width)
    if head < 1:
        return lower, upper, err, far
    pmf, rel = _laws(L, pairs.ravel(), rests.ravel(), top)
    pmf, rel = pmf.reshape(rows, 2, top + 1), rel.reshape(rows, 2).max(axis=1)
    j = np.arange(top + 1)
    pmf = np.where(j[None, None, :] <= caps[:, None, None], pmf, 0.0)  # each row's laws up to its own cap
    pmf[n == 0, 0, :] = 0.0  # no regular step
    surv = np.cumsum(pmf[:, :, ::-1], axis=2)[:, :, ::-1][:, :, 2 : head + 2]  # P(s < X <= cap), s = 1..head
    surv = np.minimum(surv, 1.0)
    total = n[:, None] * surv[:, 0] + surv[:, 1]
    with np.errstate(divide="ignore"):
        keep = n[:, None] * np.log1p(-np.minimum(surv[:, 0], 1 - _EPS)) \
            + np.log1p(-np.minimum(surv[:, 1], 1 - _EPS))
    inside = np.arange(1, head + 1)[None, :] < caps[:, None]  # s < cap: the laws up to the cap
    lower[:, :head] = np.where(inside, -np.expm1(keep), 0.0)
    upper[:, :head] = np.where(inside, np.minimum(1.0, total + far[:, None]), far[:, None])
    slack = (rel[:, None] + (caps[:, None] + 8) * _EPS) * total + 32 * _EPS + far[:, None]
    err[:, :head] = np.where(inside, slack, far[:, None])
    return lower, upper, err, far
