"""The exact sampler error from an entropy profile (docs/theory.md section 10, docs/truth.md).

Notation. For a data model over L tokens let

    h(m) = mean of H(X∘A) over all m-subsets A of [L]            (h(0) = 0)
    d(m) = h(m+1) - h(m) = E[ H(X^(i) | X∘W) ],  |W| = m, i ∉ W uniformly random.

``d`` (the *conditional entropy profile*) is non-increasing: a random
(m+1)-set contains a random m-set and conditioning never raises entropy.

With the optimal factorized predictor (ε_train = 0) the sampler's error is,
by the chain rule (eqs. 15, 21-23 of the paper),

    E_M KL(p_X0 || p_Y0|M) = Σ_t E_{W,D}[ Σ_{i∈D} H(X^(i) | X∘W) - H(X∘D | X∘W) ]

where at the step revealing s tokens after w already revealed, W is a uniform
w-set and D a uniform s-set disjoint from it. Since E H(X^(i)|X∘W) = d(w) and
E H(X∘D|X∘W) = h(w+s) - h(w) = d(w) + ... + d(w+s-1), each step contributes

    g(w, s) = s·d(w) - (h(w+s) - h(w)) = Σ_{k=w}^{w+s-1} (d(w) - d(k))  >= 0,

a sum of non-negative terms (which is how it is evaluated: no cancellation).
Everything else the bounds need follows from d as well:

    ΣI   = Σ_i I(X^(i); X^(-i))                      = L·(d(0) - d(L-1))
    G(m) = Σ_i E_{A∌i,|A|=m} I(X^(i); X∘A)          = L·(d(0) - d(m))
    total correlation Σ_i H(X^(i)) - H(X)           = g(0, L)   (T = 1)

Because the error depends on the schedule only through the pairs (w, s), an
optimal schedule for a given T is a shortest path over w (:meth:`EntropyProfile.optimal_schedule`).
Splitting a step never increases the error (g(w, s) - g(w, s1) - g(w+s1, s2)
= s2·(d(w) - d(w+s1)) >= 0), so the optimum is non-increasing in T.

All values are in nats (float64); the printers show them in bits (:func:`boundcalc.units.from_nats`).
"""

from __future__ import annotations

import functools
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ..errors import DomainError, InvalidNumberError, ModelError, ScheduleError, UsageError
from ..exact import to_rational
from ..units import display_unit, from_nats

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..schedule import Schedule

__all__ = ["EntropyProfile", "Progress", "float_decimal", "EPS64", "FLOAT_TOLERANCE", "exact_probabilities"]

#: Unit roundoff of float64.
EPS64 = 2.0**-53

#: A progress callback: ``progress(done, total)``; the CLI turns it into a rich bar.
Progress = Callable[[int, int], None]


#: Budget of the optimal-schedule DP in candidate evaluations, T·(L-T+1)·(ceil(log2 L)+2)
#: (measured on the 2-core development machine: 2-6·10^7 per second, so at most ~30 s).
MAX_OPTIMAL_WORK = 6e8
#: Budget of the DP's back-pointers (int32, T·(L-T+1) of them), in bytes.
MAX_OPTIMAL_MEMORY = 1 << 30
#: Candidate evaluations per second of the DP, for the time estimate in the refusal.
OPTIMAL_RATE = 2e7


#: How far float probabilities may sum from 1 (exact values must sum to exactly 1).
FLOAT_TOLERANCE = Fraction(1, 10**12)


def exact_probabilities(
    values: Sequence[Any],
    *,
    where: str,
    normalize: bool,
    entry: Callable[[int], str],
    sums: str,
    zero_allowed: str,
    float_allowed: str,
    exact_allowed: str,
) -> tuple[list[Fraction], Fraction]:
    """Probabilities read exactly, checked >= 0 and (unless ``normalize``) summing to 1; with their total.

    Exact inputs must sum to exactly 1, Python floats to within 1e-12.
    Errors are :class:`ModelError` naming ``where`` and ``entry(k)`` (1-based);
    ``sums`` starts the message about the total ("the probabilities sum").
    """
    exact, any_float = [], False
    for k, value in enumerate(values, 1):
        any_float |= isinstance(value, float)
        try:
            x = to_rational(value)
        except InvalidNumberError as error:
            raise ModelError(f"{entry(k)}: {error.message}", param=where, allowed=error.allowed) from None
        if x < 0:
            raise ModelError(f"{entry(k)} is negative ({value})", param=where, allowed="probabilities are >= 0")
        exact.append(x)
    total = sum(exact, Fraction(0))
    if total == 0:
        raise ModelError(f"{sums} to 0", param=where, allowed=zero_allowed)
    if not normalize:
        if any_float and abs(total - 1) > FLOAT_TOLERANCE:
            raise ModelError(f"{sums} to {float(total)!r}, not 1", param=where, allowed=float_allowed)
        if not any_float and total != 1:
            raise ModelError(f"{sums} to {total}, not 1", param=where, allowed=exact_allowed)
    return exact, total


@contextmanager
def blas_threads(limit: int = 1) -> Iterator[None]:
    """Run the block with at most ``limit`` BLAS threads (threadpoolctl, imported here: lazily).

    The engines make many small and middle-sized numpy calls; OpenBLAS threads on
    2 cores shared with other work only add synchronisation (issue 13).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def float_decimal(value: float) -> str:
    """The shortest decimal that reads back as the same float64 (``repr``); negatives clamp to "0"."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not finite")
    return "0" if value <= 0 else repr(value)


@dataclass(frozen=True, eq=False)
class EntropyProfile:
    """The conditional entropy profile d(0..L-1) of a data model, in nats.

    ``conditional[m]`` is d(m) = E H(X^(i) | X∘W) for a uniformly random
    m-set W and token i ∉ W. ``abs_error`` is an a-priori bound on the
    absolute floating-point error of every d(m) (see docs/truth.md);
    :meth:`error_bound` turns it into a bound for a schedule's error.

    >>> import numpy as np
    >>> p = EntropyProfile(np.array([0.6931471805599453, 0.0]), source="two identical bits")
    >>> p.length, round(p.mi_total(), 12), round(p.total_correlation(), 12)
    (2, 1.38629436112, 0.69314718056)
    """

    conditional: "np.ndarray"
    source: str = ""
    abs_error: float = 0.0
    meta: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        import numpy as np

        d = np.asarray(self.conditional, dtype=np.float64)
        if d.ndim != 1 or d.size < 1:
            raise UsageError("an entropy profile needs d(0), ..., d(L-1) for some L >= 1", param="conditional")
        if not np.all(np.isfinite(d)):
            raise UsageError("the entropy profile has non-finite values", param="conditional")
        d = d.copy()
        d.setflags(write=False)
        object.__setattr__(self, "conditional", d)

    # -- basic views --------------------------------------------------------------
    @property
    def length(self) -> int:
        """L, the number of tokens."""
        return int(self.conditional.size)

    @property
    def entropies(self) -> "np.ndarray":
        """h(0), ..., h(L): the mean joint entropy of a uniformly random m-subset."""
        import numpy as np

        return np.concatenate(([0.0], np.cumsum(self.conditional)))

    @property
    def entropy(self) -> float:
        """H(X), the entropy of the whole sequence (= h(L))."""
        return math.fsum(self.conditional.tolist())

    def _check_size(self, m: int, name: str = "size") -> int:
        if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m <= self.length - 1:
            raise UsageError(f"{name} = {m!r} is out of range", param=name, allowed=f"0 <= {name} <= L - 1 = {self.length - 1}")
        return m

    # -- the identity -------------------------------------------------------------
    def step_error(self, revealed: int, size: int) -> float:
        """g(w, s) = Σ_{k=w}^{w+s-1} (d(w) - d(k)), in nats: the expected error of one step."""
        w, s = revealed, size
        if isinstance(w, bool) or not isinstance(w, int) or isinstance(s, bool) or not isinstance(s, int):
            raise UsageError(f"step ({w!r}, {s!r}) is not a pair of integers", param="step")
        if w < 0 or s < 1 or w + s > self.length:
            raise ScheduleError(
                f"a step revealing {s} tokens after {w} does not fit L = {self.length}",
                allowed="w >= 0, s >= 1, w + s <= L",
            )
        block = self.conditional[w : w + s]
        return math.fsum((block[0] - block).tolist())

    def _require_global(self, schedule: "Schedule") -> None:
        if getattr(schedule, "positions", "uniform") == "blocks":
            raise ScheduleError(
                f"{schedule} is semi-autoregressive: its error needs each block's conditional entropy profile "
                "given the earlier blocks, which the global profile d does not determine",
                param="schedule",
                allowed="boundcalc.truth.exact_error(model, schedule) with the data model",
            )

    def step_errors(self, schedule: "Schedule") -> list[tuple[int, int, float]]:
        """(w, s, g(w, s)) for each step of ``schedule``, in reveal order (nats)."""
        self._require_global(schedule)
        schedule.require_length(self.length)
        return [(w, s, self.step_error(w, s)) for w, s in schedule.revealed_before()]

    def error(self, schedule: "Schedule") -> float:
        """The exact E_M KL of ``schedule`` with the optimal predictor (ε_train = 0), in nats.

        Refused for a blockwise schedule (see :func:`boundcalc.truth.samplers.block_error`).
        """
        self._require_global(schedule)
        schedule.require_length(self.length)
        # Σ_steps g(w, s) = Σ_m (d(w_m) - d(m)) with w_m the start of the step revealing m: the L rounded
        # differences in one vector, summed once by fsum (correctly rounded: no rounding per step)
        import numpy as np

        runs = np.asarray(schedule.runs, dtype=np.int64).reshape(-1, 2)
        sizes = np.repeat(runs[:, 0], runs[:, 1])
        starts = np.cumsum(sizes) - sizes
        d = self.conditional
        total = math.fsum((np.repeat(d[starts], sizes) - d).tolist())
        return max(total, 0.0)

    @functools.cached_property
    def _scale(self) -> Any:
        """max(d(m)) or 1, for :meth:`error_bound` (a sweep asks for it several times per row: O(L) each, once here)."""
        return max(self.conditional.max(), 1.0)

    def error_bound(self, schedule: "Schedule | None" = None) -> float:
        """A bound on the absolute floating-point error of :meth:`error` (or of any schedule when None), in nats.

        Each term d(w) - d(k) carries at most 2·abs_error, and there are at
        most L - T <= L terms; fsum adds no error of its own beyond one
        rounding of the result.
        """
        terms = self.length if schedule is None else self.length - schedule.steps
        return float(2 * self.abs_error * terms + 4 * EPS64 * self.length * self._scale)

    # -- information quantities -----------------------------------------------------
    def mi_total(self) -> float:
        """ΣI = Σ_i I(X^(i); X^(-i)) = L·(d(0) - d(L-1)), in nats."""
        return float(max(self.length * (self.conditional[0] - self.conditional[-1]), 0.0))

    def multiscale(self, size: int) -> float:
        """G(m) = Σ_i E[I(X^(i); X∘A)] over uniform m-sets A ∌ i, = L·(d(0) - d(m)), for 0 <= m <= L-1 (nats).

        Theorem 2's multi-scale MI is Φ = Σ_j 2^-j G(L - s_max 2^-j).
        """
        m = self._check_size(size)
        return float(max(self.length * (self.conditional[0] - self.conditional[m]), 0.0))

    def multiscale_phi(self, max_size: int) -> float:
        """Theorem 2's Φ = Σ_{j=0}^{log2 s_max} 2^-j G(L - s_max 2^-j) (eq. 12's multi-scale MI), in nats.

        Needs s_max a power of two with s_max <= L (the paper's assumption);
        s_max = 1 gives ΣI, and always Φ <= 2 ΣI.
        """
        s = max_size
        if isinstance(s, bool) or not isinstance(s, int) or s < 1 or s & (s - 1) or s > self.length:
            raise UsageError(
                f"s_max = {s!r} is not allowed", param="s_max", allowed=f"a power of two <= L = {self.length}"
            )
        terms = []
        j = 0
        while (s >> j) >= 1:
            terms.append(self.multiscale(self.length - (s >> j)) / (1 << j))
            j += 1
        return math.fsum(terms)

    def total_correlation(self) -> float:
        """Σ_i H(X^(i)) - H(X): the error of revealing everything at once (T = 1), in nats."""
        return float(max(self.step_error(0, self.length), 0.0))

    # -- optimal schedules ------------------------------------------------------------
    @staticmethod
    def optimal_cost(length: int, steps: int) -> dict[str, float]:
        """The optimal-schedule DP's cost for L = ``length``, T = ``steps``, before any work.

        ``work``: candidate (w, s) evaluations, T·(L-T+1)·(ceil(log2 L)+2); ``memory``: bytes of
        back-pointers, 4·T·(L-T+1); ``seconds``: the time estimate (calibrated on the
        development machine).
        """
        L, T = int(length), int(steps)
        width = max(L - T + 1, 1)
        work = float(T) * width * (max(L, 2).bit_length() + 2)
        return {"work": work, "memory": 4.0 * T * width, "seconds": work / OPTIMAL_RATE}

    @staticmethod
    def check_optimal(length: int, steps: int) -> int:
        """T after checking 1 <= T <= L and the DP's cost budget; call it before computing the profile.

        >>> EntropyProfile.check_optimal(16384, 64)
        64
        """
        L = length
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= L:
            raise ScheduleError(f"T = {steps!r} is not allowed", param="steps", allowed=f"1 <= T <= L = {L}")
        cost = EntropyProfile.optimal_cost(L, steps)
        if cost["work"] > MAX_OPTIMAL_WORK or cost["memory"] > MAX_OPTIMAL_MEMORY:
            raise DomainError(
                f"an optimal {steps}-step schedule for L = {L} needs ~{cost['work']:.2g} evaluations "
                f"(~{cost['seconds']:.0f} s) and {cost['memory'] / 2**20:.0f} MB",
                param="steps",
                allowed=f"T (L - T + 1) (ceil(log2 L) + 2) <= {MAX_OPTIMAL_WORK:.1g} "
                f"and 4 T (L - T + 1) bytes <= {MAX_OPTIMAL_MEMORY >> 20} MB",
            )
        return steps

    def optimal_schedule(self, steps: int, progress: Progress | None = None) -> tuple["Schedule", float]:
        """The T-step schedule of least exact error, and that error (nats).

        Dynamic programming over the number of revealed tokens: the best cost
        of having revealed v tokens in t steps is min over u of (best of u in
        t - 1 steps) + g(u, v - u). The step cost is Monge (d non-increasing:
        g(a, c) + g(b, d) <= g(a, d) + g(b, c) for a <= b <= c <= d), so the
        least minimising u is non-decreasing in v and each layer is solved by
        divide and conquer, all segments of one recursion depth in one numpy
        pass: O(T (L-T+1) log L) time, O(L) floats and T (L-T+1) int32
        back-pointers (budget: :meth:`check_optimal`). Ties go to the
        smallest u. The error returned is recomputed from the schedule
        (:meth:`error`).
        """
        import numpy as np

        from ..schedule import Schedule

        L = self.length
        T = self.check_optimal(L, steps)
        # costs from d - d(L-1) >= 0 and its prefix sums (at most ΣI): g is unchanged and the
        # differences hh(v) - hh(u) cancel far less than h(v) - h(u) would; the running minimum
        # removes float noise that would break the Monge property.
        dd = np.minimum.accumulate(self.conditional)
        dd = dd - dd[-1]
        hh = np.concatenate(([0.0], np.cumsum(dd)))
        dd = np.append(dd, 0.0)
        width = L - T + 1  # after t steps, v ranges over [t, t + width - 1]
        best = np.full(L + 1, np.inf)
        best[0] = 0.0
        choices = np.zeros((max(T - 1, 0), width), dtype=np.int32)
        for t in range(1, T):
            best, arg = _dp_layer(best, dd, hh, t, t + width - 1, t - 1)
            choices[t - 1] = arg[t : t + width]
            if progress:
                progress(t, T)
        u = np.arange(T - 1, L)
        total = best[u] + np.maximum((L - u) * dd[u] - (hh[L] - hh[u]), 0.0)
        v = L
        sizes = []
        u_last = int(u[int(np.argmin(total))])
        sizes.append(v - u_last)
        v = u_last
        for t in range(T - 1, 0, -1):
            u_prev = int(choices[t - 1][v - t])
            sizes.append(v - u_prev)
            v = u_prev
        if progress:
            progress(T, T)
        assert v == 0
        schedule = Schedule(reversed(sizes), name=f"optimal:{T}")
        return schedule, self.error(schedule)

    def optimal_errors(
        self, max_steps: int, target: float | None = None, progress: Progress | None = None
    ) -> list[float]:
        """The least exact error (nats) of any T-step schedule for T = 1, 2, ..., in one DP pass.

        Stops after ``max_steps`` or at the first T whose optimum is <= ``target``
        (the optimum is non-increasing in T, so that T is the least that reaches
        it). The layers of :meth:`optimal_schedule` (divide and conquer on the
        monotone argmin), over every v: O(T L log L) time, O(L) memory; the
        budget is :meth:`check_optimal`'s at full width.
        """
        import numpy as np

        L = self.length
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or not 1 <= max_steps <= L:
            raise ScheduleError(f"T = {max_steps!r} is not allowed", param="steps", allowed=f"1 <= T <= L = {L}")
        cost = EntropyProfile.optimal_cost(L + max_steps - 1, max_steps)  # every layer is L wide here
        if cost["work"] > MAX_OPTIMAL_WORK:
            raise DomainError(
                f"the optimal-schedule DP up to T = {max_steps} for L = {L} needs ~{cost['work']:.2g} evaluations "
                f"(~{cost['seconds']:.0f} s)",
                param="steps",
                allowed=f"T L (ceil(log2 L) + 2) <= {MAX_OPTIMAL_WORK:.1g}",
            )
        dd = np.minimum.accumulate(self.conditional)  # as in optimal_schedule: g unchanged, less cancellation
        dd = dd - dd[-1]
        hh = np.concatenate(([0.0], np.cumsum(dd)))
        dd = np.append(dd, 0.0)
        best = np.full(L + 1, np.inf)
        best[0] = 0.0
        out: list[float] = []
        for t in range(1, max_steps + 1):
            best, _ = _dp_layer(best, dd, hh, t, L, t - 1)
            out.append(max(float(best[L]), 0.0))
            if progress:
                progress(t, max_steps)
            if target is not None and out[-1] <= target:
                break
        return out

    # -- serialisation ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (d and h as float lists in the display unit: :func:`boundcalc.units.display`)."""
        unit = display_unit()
        return {
            "length": self.length,
            "unit": unit.value,
            "source": self.source,
            "conditional_entropy": [from_nats(float(x), unit) for x in self.conditional],
            "entropy": [from_nats(float(x), unit) for x in self.entropies],
            "mi_total": from_nats(self.mi_total(), unit),
            "abs_error": from_nats(float(self.abs_error), unit),
        }



def _dp_layer(best: "np.ndarray", dd: "np.ndarray", hh: "np.ndarray", vlo: int, vhi: int, ulo: int) -> tuple["np.ndarray", "np.ndarray"]:
    """One DP layer: new[v] = min_{ulo <= u < v} best[u] + g(u, v - u) for v in [vlo, vhi], and the least argmin.

    Divide and conquer on the monotone argmin, every segment of one depth at
    once: the segment (lo, hi) with candidates [olo, ohi] evaluates its middle
    v = (lo + hi) // 2 at u in [olo, min(ohi, v - 1)], then splits into
    (lo, v - 1) over [olo, u*] and (v + 1, hi) over [u*, ohi]. Invariant
    lo > olo, so every candidate range is non-empty.
    """
    import numpy as np

    L = best.size - 1
    new = np.full(L + 1, np.inf)
    arg = np.zeros(L + 1, dtype=np.int64)
    lo = np.array([vlo], dtype=np.int64)
    hi = np.array([vhi], dtype=np.int64)
    olo = np.array([ulo], dtype=np.int64)
    ohi = np.array([vhi - 1], dtype=np.int64)
    while lo.size:
        mid = (lo + hi) >> 1
        count = np.minimum(ohi, mid - 1) - olo + 1
        ends = np.cumsum(count)
        starts = ends - count
        seg = np.repeat(np.arange(lo.size), count)
        u = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(olo - starts, count)
        v = mid[seg]
        cost = (v - u) * dd[u] - (hh[v] - hh[u])
        value = best[u] + np.maximum(cost, 0.0)
        low = np.minimum.reduceat(value, starts)
        hit = np.flatnonzero(value <= low[seg])
        hs = seg[hit]
        first = hit[np.concatenate(([True], hs[1:] != hs[:-1]))]
        opt = u[first]
        new[mid] = low
        arg[mid] = opt
        left, right = mid > lo, mid < hi
        lo, hi, olo, ohi = (
            np.concatenate((lo[left], mid[right] + 1)),
            np.concatenate((mid[left] - 1, hi[right])),
            np.concatenate((olo[left], opt[right])),
            np.concatenate((opt[left], ohi[right])),
        )
    return new, arg
