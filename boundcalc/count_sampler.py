"""Samplers that reveal a random number of tokens per step (MDLM, SEDD, Dream ``origin``).

At step k each still-masked token is revealed independently with the
probability p_k that the sampler's noise schedule sets; what is still masked
after the last regular step is revealed at once (MDLM's and SEDD's final
noise-removal step; Dream's last step has p_T = 1). Positions are uniformly
random given the counts, and the counts do not depend on the data, so every
result of the fixed-schedule theory holds *per realisation* of the counts,
and expectations over the counts are exact sums over a Markov chain on the
number w of revealed tokens: s_k | w ~ Binomial(L - w, p_k).
(Marginally, each token's reveal step is independent with law
π_k = p_k Π_{j<k} (1 - p_j), so s_k ~ Binomial(L, π_k).)

Families (docs/cli.md; the sources are quoted in docs/samplers.md):

==========================  =====================================================
``mdlm:T[:NOISE]``          MDLM ``_sample`` (kuleshov-group/mdlm diffusion.py):
                            t_k = 1 - k(1-δ)/T, δ = 10^-5,
                            p_k = (α(t_k) - α(t_{k-1})) / (1 - α(t_{k-1})),
                            then noise removal reveals the rest;
                            NOISE = loglinear (default), linear, cosine,
                            cosine2, geometric (noise_schedule.py)
``sedd:T``                  SEDD's sampler (louaaron/Score-Entropy-Discrete-
                            Diffusion sampling.py, Euler or analytic, log-linear
                            noise, denoise): the same law as ``mdlm:T``
``dream-origin:T[:eps]``    Dream ``alg='origin'``: t = linspace(1, eps, T+1),
                            eps = 10^-3, p_k = 1 - t_k/t_{k-1}, p_T = 1
==========================  =====================================================

Exactness. Log-linear noise and Dream give rational p_k, kept exactly in
:attr:`CountSampler.exact`; the other noises give their 40-digit values (long
double with a certified rounding, mpmath where that does not settle the float64:
:mod:`boundcalc.count_noise`). Every p_k and 1 - p_k is then one correctly rounded float64
(relative error <= 2^-53); the DPs below are float64 with an a-priori
relative error bound (:meth:`CountSampler.transition`), and anything beyond
the DP's step-size cap is bounded by a Chernoff tail (:meth:`CountSampler.tail`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .errors import DomainError, InvalidNumberError, ScheduleError
from .binomial_laws import binomial_laws
from .exact import parse_rational, positive_int
from .noise_steps import ALPHA as _ALPHA, mpmath_steps as _mpmath_steps  # noqa: F401  (the 40-digit reference's old home)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["CountSampler", "NOISES", "MAX_COUNT_WORK", "MAX_COUNT_STEPS", "forget_last_starts"]

EPS64 = 2.0**-53
#: Probability beyond the DP's step-size cap that is bounded, not computed.
TAIL = 2.0**-80
#: Refuse a count-process DP above this many multiply-adds (about a minute on 2 cores).
MAX_COUNT_WORK = 4e9
#: The most steps a sampler may have: each step is a Python-level pass of the DPs (~0.1 ms at small L).
MAX_COUNT_STEPS = 100_000

#: MDLM's noise schedules (noise_schedule.py) with the constants a run uses: α(t) = e^{-σ(t)}.
NOISES = {
    "loglinear": "σ(t) = -log(1 - (1 - 10^-3) t): p_k = 1 - t_k/t_{k-1} exactly",
    "linear": "σ(t) = σ_min + t (σ_max - σ_min), σ_min = 10^-3, σ_max = 7 (configs/noise/linear.yaml)",
    "cosine": "α(t) = ε + (1 - ε) cos(π t / 2), ε = 10^-3 (CosineNoise)",
    "cosine2": "α(t) = ε + (1 - ε) cos²(π t / 2), ε = 10^-3 (CosineSqrNoise)",
    "geometric": "σ(t) = σ_min^(1-t) σ_max^t, σ_min = 10^-3, σ_max = 1 (GeometricNoise defaults)",
}
MDLM_DELTA = Fraction(1, 10**5)
DREAM_EPS = Fraction(1, 1000)


@dataclass(frozen=True)
class CountSampler:
    """A random-count sampler: per step k, each still-masked token is revealed with probability p_k.

    ``reveal[k]`` = p_k and ``keep[k]`` = 1 - p_k (both correctly rounded
    float64), for every step including a final one with p = 1 that reveals the
    rest. ``steps`` is the sampler's nominal T (the final noise-removal step of
    MDLM/SEDD is one more). ``exact`` holds the p_k as Fractions when they are
    rational.

    >>> s = CountSampler.dream_origin(8, 4)
    >>> s.exact
    (Fraction(999, 4000), Fraction(999, 3001), Fraction(999, 2002), Fraction(1, 1))
    >>> [round(x, 6) for x in s.expected_sizes()]
    [1.998, 1.998, 1.998, 2.006]
    """

    length: int
    steps: int
    reveal: tuple[float, ...]
    keep: tuple[float, ...]
    name: str
    family: str = ""
    exact: tuple[Fraction, ...] | None = None
    notes: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        positive_int(self.length, "length")
        if len(self.reveal) != len(self.keep) or not self.reveal:
            raise ScheduleError("reveal and keep probabilities do not match", param="schedule")
        import numpy as np  # one pass, not a Python loop over the steps: a sweep builds a sampler per T

        p, q = np.asarray(self.reveal, dtype=np.float64), np.asarray(self.keep, dtype=np.float64)
        bad = np.flatnonzero(~((p >= 0) & (p <= 1) & (q >= 0) & (q <= 1) & (np.abs(p + q - 1) <= 4 * EPS64)))
        if bad.size:
            raise ScheduleError(f"reveal probability {self.reveal[bad[0]]!r} with keep {self.keep[bad[0]]!r} is not a "
                                "probability pair", param="schedule")
        if self.reveal[-1] != 1 or self.keep[-1] != 0:
            raise ScheduleError("the last step must reveal every token still masked", param="schedule")

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_probabilities(cls, length: int, probabilities: list, *, name: str = "", family: str = "",
                           steps: int | None = None) -> "CountSampler":
        """From exact per-step reveal probabilities (Fractions/strings; the last must be 1)."""
        exact = tuple(p if isinstance(p, Fraction) else parse_rational(str(p), "probability") for p in probabilities)
        for p in exact:
            if not 0 <= p <= 1:
                raise InvalidNumberError(f"reveal probability {p} is out of range", param="schedule",
                                         allowed="0 <= p <= 1")
        return cls(
            length=positive_int(length, "length"),
            steps=len(exact) if steps is None else steps,
            reveal=tuple(_round(p) for p in exact),
            keep=tuple(_round(1 - p) for p in exact),
            name=name or "counts:" + ",".join(map(str, exact)),
            family=family,
            exact=exact,
        )

    @classmethod
    def mdlm(cls, length: int, steps: int, noise: str = "loglinear", *, name: str = "") -> "CountSampler":
        """MDLM's ``_sample``: T steps on t_k = 1 - k(1-δ)/T (δ = 10^-5), then noise removal."""
        length, steps = positive_int(length, "length"), _check_steps(steps)
        if noise not in NOISES:
            raise ScheduleError(f"unknown noise {noise!r}", param="schedule", allowed=", ".join(NOISES))
        label = name or (f"mdlm:{steps}" if noise == "loglinear" else f"mdlm:{steps}:{noise}")
        if noise == "loglinear":
            # t_k = (A - c k)/A with c/A = (1 - δ)/T, so p_k = 1 - t_k/t_{k-1} = c/(A - c(k-1)): integers only
            c, a = _grid(1 - MDLM_DELTA, steps)
            probabilities = [Fraction(c, a - c * (k - 1)) for k in range(1, steps + 1)] + [Fraction(1)]
            out = cls.from_probabilities(length, probabilities, name=label, family="mdlm", steps=steps)
            out.notes["grid"] = (c, a)  # the quick build's integers (count_families): r_k without Fractions
            return out
        from .count_noise import step_probabilities

        # long double, then double-double where its rounding is open, mpmath for a near-tie (boundcalc.noise_steps)
        reveal, keep = step_probabilities(noise, steps)
        return cls(length=length, steps=steps, reveal=(*reveal, 1.0), keep=(*keep, 0.0), name=label,
                   family="mdlm", notes={"noise": NOISES[noise]})

    @classmethod
    def dream_origin(cls, length: int, steps: int, eps: Fraction | str = DREAM_EPS, *, name: str = "") -> "CountSampler":
        """Dream ``alg='origin'``: t = linspace(1, eps, T+1), p_k = 1 - t_k/t_{k-1}, and p_T = 1."""
        length, steps = positive_int(length, "length"), _check_steps(steps)
        eps = eps if isinstance(eps, Fraction) else parse_rational(str(eps), "eps")
        if not 0 <= eps < 1:
            raise InvalidNumberError(f"eps = {eps} is out of range", param="eps", allowed="0 <= eps < 1")
        # t_k = 1 - (1 - eps) k/T = (A - c k)/A, so p_k = 1 - t_k/t_{k-1} = c/(A - c(k-1)): integers only
        c, a = _grid(1 - eps, steps)
        probabilities = [Fraction(c, a - c * (k - 1)) for k in range(1, steps)] + [Fraction(1)]
        label = f"dream-origin:{steps}" + ("" if eps == DREAM_EPS else f":{eps}")
        out = cls.from_probabilities(length, probabilities, name=name or label, family="dream-origin", steps=steps)
        out.notes["grid"] = (c, a)
        return out

    # -- laws that need no DP -------------------------------------------------------------
    def marginals(self) -> list[float]:
        """π_k = P(a given token is revealed at step k) = p_k Π_{j<k} (1 - p_j)."""
        cached = self.__dict__.get("_marginals")
        if cached is None:  # asked for by several laws of one sampler
            cached = tuple(self._alive_before()[0].tolist())
            object.__setattr__(self, "_marginals", cached)
        return list(cached)

    def _alive_before(self) -> tuple["np.ndarray", "np.ndarray"]:
        """(π_k, Π_{j<k}(1 − p_j)) as arrays: the running product left to right (np.cumprod multiplies in order,
        so these are the floats of ``alive *= q`` step by step), then one product by p_k each."""
        import numpy as np

        keep = np.asarray(self.keep, dtype=np.float64)
        alive = np.empty(keep.size)
        alive[0] = 1.0
        np.cumprod(keep[:-1], out=alive[1:])
        return alive * np.asarray(self.reveal, dtype=np.float64), alive

    def expected_sizes(self) -> list[float]:
        """E s_k = L π_k."""
        return [self.length * x for x in self.marginals()]

    def expected_nonempty_steps(self) -> tuple[float, float]:
        """(E #steps that reveal at least one token, float error bound): Σ_k 1 - (1 - π_k)^L."""
        terms, error = [], 0.0
        for k, x in enumerate(self.marginals()):
            if x >= 1:
                terms.append(1.0)
                continue
            terms.append(-math.expm1(self.length * math.log1p(-x)))
            # π_k carries a relative error <= 2(k+1)ε; log1p, the product by L and expm1 a few ε more
            error += 16 * (k + 2) * EPS64 * (1 + self.length * x / (1 - x))
        return math.fsum(terms), error + len(terms) * EPS64

    def _marginal_array(self) -> "np.ndarray":
        """:meth:`marginals` as a float array, computed once."""
        cached = self.__dict__.get("_marginal_array_cache")
        if cached is None:
            import numpy as np

            cached = np.asarray(self.marginals(), dtype=np.float64)
            object.__setattr__(self, "_marginal_array_cache", cached)
        return cached

    def _chernoff(self, r: float, x: "np.ndarray") -> "np.ndarray":
        """exp(-L D(r || π_k) (1 - 10^-9)) for each π_k in ``x`` (0 < π_k < 1, r in [0, 1])."""
        import numpy as np

        kl = np.zeros_like(x)
        if r > 0:
            kl += r * np.log(r / x)
        if r < 1:
            kl += (1 - r) * (math.log1p(-r) - np.log1p(-x))
        return np.exp(-self.length * kl * (1 - 1e-9))

    def tail(self, size: int) -> float:
        """A bound on P(some step reveals more than ``size`` tokens): Σ_k Chernoff(Bin(L, π_k) >= size + 1)."""
        L, a = self.length, size + 1
        if a > L:
            return 0.0
        x = self._marginal_array()
        x = x[x > 0]
        r = a / L
        if x.size and float(x.max()) >= r:
            return 1.0
        return min(1.0, float(self._chernoff(r, x).sum())) if x.size else 0.0

    def floor_bound(self, size: int) -> float:
        """A bound on P(every step reveals at most ``size`` tokens): min_k Chernoff(Bin(L, π_k) <= size)."""
        x = self._marginal_array()
        r = size / self.length
        x = x[x > r]
        if r < 1 and x.size and float(x.max()) >= 1:  # a step reveals every token: more than ``size``
            return 0.0
        return min(1.0, float(self._chernoff(r, x).min(initial=1.0))) if x.size else 1.0

    def size_cap(self) -> int:
        """The least J with tail(J) <= 2^-80: the DPs consider step sizes 0..J and bound the rest (computed once)."""
        cached = self.__dict__.get("_size_cap")
        if cached is not None:
            return cached
        lo, hi = 0, self.length
        while lo < hi:
            mid = (lo + hi) // 2
            if self.tail(mid) <= TAIL:
                hi = mid
            else:
                lo = mid + 1
        object.__setattr__(self, "_size_cap", lo)
        return lo

    # -- the DP -----------------------------------------------------------------------------
    def work(self, cap: int | None = None) -> float:
        """Multiply-adds of one DP pass with step sizes up to ``cap``."""
        cap = self.size_cap() if cap is None else cap
        return float(len(self.reveal)) * (self.length + 1) * (cap + 1)

    def _check_work(self, work: float) -> None:
        if work > MAX_COUNT_WORK:
            raise DomainError(
                f"{self.name} for L = {self.length} needs ~{work:.2g} operations for the count DP",
                param="schedule",
                allowed=f"at most {MAX_COUNT_WORK:.0g}: fewer steps or a smaller L",
            )

    def _log_factorials(self) -> tuple["np.ndarray", float]:
        return _log_factorials(self.length)

    def _binomial_logs(self, cap: int, lf: "np.ndarray") -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
        """(j, m - j, log C(m, j)) on the grid w = 0..L (m = L - w masked), j = 0..cap; -inf where j > m.

        The same for every step: a DP pass builds it once and hands it to :meth:`transition`.
        """
        import numpy as np

        L = self.length
        j = np.arange(cap + 1)
        mm = (L - np.arange(L + 1))[:, None]
        ok = j[None, :] <= mm
        jj = np.where(ok, j[None, :], 0)
        rest = np.where(ok, mm - jj, 0)
        with np.errstate(invalid="ignore", over="ignore"):  # entries outside ``ok`` are discarded
            base = np.where(ok, lf[mm] - lf[jj] - lf[rest], -np.inf)
        return jj.astype(np.float64), rest.astype(np.float64), base

    def transition(self, k: int, cap: int, lf: "np.ndarray | None" = None, lf_error: float | None = None,
                   logs: "tuple[np.ndarray, np.ndarray, np.ndarray] | None" = None) -> tuple["np.ndarray", float]:
        """R[w, j] = P(s_k = j | w revealed), j <= cap, and a bound on each entry's relative error.

        ``logs`` is :meth:`_binomial_logs` for this ``cap`` (computed here when not given).
        """
        import numpy as np

        if lf is None or lf_error is None:
            lf, lf_error = self._log_factorials()
        L = self.length
        p, q = self.reveal[k], self.keep[k]
        R = np.zeros((L + 1, cap + 1))
        m = L - np.arange(L + 1)  # masked tokens before the step
        if p == 0:
            R[:, 0] = 1.0
            return R, 0.0
        if q == 0:
            rows = np.nonzero(m <= cap)[0]
            R[rows, m[rows]] = 1.0
            return R, 0.0
        jj, rest, base = logs if logs is not None else self._binomial_logs(cap, lf)
        logp, logq = math.log(p), math.log1p(-p) if p < 0.5 else math.log(q)
        # cells with j > m are no outcome: base is -inf there, so exp gives 0 (no overflow)
        R = np.exp(base + jj * logp + rest * logq)
        magnitude = 3 * float(lf[-1]) + L * (abs(logp) + abs(logq))
        delta = 3 * lf_error + 8 * EPS64 * magnitude + 2 * EPS64 * L * (abs(logp) + abs(logq))
        return R, math.expm1(delta) + 2 * EPS64

    def expected(self, cost: "np.ndarray") -> dict[str, float]:
        """E Σ_k cost[w_k, s_k] over the count process (cost[w, 0] is ignored: an empty step costs 0).

        ``cost`` has shape (L + 1, J + 1): step sizes above J are dropped, and
        ``tail`` bounds the probability that any step exceeds J. Returns the
        value, a bound on its relative float error, and that tail.
        """
        import numpy as np

        L = self.length
        cap = cost.shape[1] - 1
        self._check_work(self.work(cap))
        lf, lf_error = self._log_factorials()
        logs = self._binomial_logs(cap, lf)
        state = np.zeros(L + 1)
        state[0] = 1.0
        total, rel = [], 0.0
        for k in range(len(self.reveal)):
            R, err = self.transition(k, cap, lf, lf_error, logs)
            weighted = state[:, None] * R
            total.append(float(np.sum(weighted[:, 1:] * cost[:, 1:])))
            new = np.zeros(L + 1)
            for j in range(cap + 1):
                new[j:] += weighted[: L + 1 - j, j]
            state = new
            rel += err + (cap + 4) * EPS64
        return {"value": math.fsum(total), "rel_error": math.expm1(rel + len(total) * EPS64),
                "tail": self.tail(cap)}

    def max_law(self) -> tuple[list[float], list[float]]:
        """(P(S_max > s), its error bound) for s = 1..L-1: the law of the largest step (computed once).

        For thresholds s whose probability is not settled by a Chernoff bound
        (2^-80 either way), P(S_max <= s) is the mass of the DP that keeps only
        steps of size <= s; all those thresholds at once, in one pass over the steps.
        """
        cached = self.__dict__.get("_max_law")
        if cached is not None:
            return cached
        import numpy as np

        L = self.length
        cap = self.size_cap()
        self._check_work(float(len(self.reveal)) * (L + 1) * (cap + 1) * cap / 2)  # before anything slow
        lo = 1
        while lo < min(cap, L) and self.floor_bound(lo) <= TAIL:
            lo += 1
        above = [1.0] * (L - 1)  # above[s-1] = P(S_max > s)
        error = [0.0] * (L - 1)
        for s in range(1, lo):  # P(S_max > s) = 1 up to floor_bound(s) <= 2^-80
            error[s - 1] = self.floor_bound(s)
        beyond = self.tail(cap) if cap < L else 0.0
        for s in range(max(cap, 1), L):  # P(S_max > s) <= tail(s) <= tail(cap) <= 2^-80: taken as 0
            above[s - 1], error[s - 1] = 0.0, beyond
        thresholds = list(range(lo, min(cap, L)))
        if thresholds:
            n, top = len(thresholds), thresholds[-1]
            self._check_work(float(len(self.reveal)) * (L + 1) * sum(min(j - lo + 1, n) for j in range(top + 1)))
            lf, lf_error = self._log_factorials()
            logs = self._binomial_logs(top, lf)
            state = np.zeros((n, L + 1))
            state[:, 0] = 1.0
            rel = 0.0
            for k in range(len(self.reveal)):
                R, err = self.transition(k, top, lf, lf_error, logs)
                new = np.zeros_like(state)
                for j in range(top + 1):
                    first = max(0, j - lo)  # thresholds >= j keep steps of size j
                    new[first:, j:] += state[first:, : L + 1 - j] * R[: L + 1 - j, j]
                state = new
                rel += err + (top + 4) * EPS64
            rel = math.expm1(rel + 4 * EPS64)
            for s, mass in zip(thresholds, state[:, L].tolist()):  # mass = P(S_max <= s)
                above[s - 1] = max(0.0, 1.0 - mass)
                error[s - 1] = rel * mass + 2 * EPS64
        law = (above, error)
        object.__setattr__(self, "_max_law", law)
        return law

    def expected_coefficient(self, coefficient: Callable[[int], Any]) -> tuple[float, float]:
        """(E c(S_max), float error bound) for a coefficient c of the largest step S_max.

        E c(S_max) = c(1) + Σ_{s=1}^{L-1} (c(s+1) - c(s)) P(S_max > s), from :meth:`max_law`.
        """
        L = self.length
        values = [float(coefficient(s)) for s in range(1, L + 1)]
        above, error = self.max_law()
        terms = [values[0]] + [(values[s] - values[s - 1]) * above[s - 1] for s in range(1, L)]
        bound = math.fsum(abs(values[s] - values[s - 1]) * error[s - 1] for s in range(1, L))
        value = math.fsum(terms)
        return value, bound + 4 * EPS64 * math.fsum(abs(t) for t in terms) + 2 * EPS64 * abs(value)

    def exceed_probabilities(self, thresholds: list[int]) -> tuple[list[float], list[float]]:
        """(P(S_max > s), its error bound) for the listed s only: :meth:`max_law`'s DP restricted to them.

        Costs O(n·L·Σ_j #{s >= j}) instead of all thresholds at once: a coefficient that
        jumps at few s (Theorem 1's, at powers of two) needs few.
        """
        import numpy as np

        L = self.length
        cap = self.size_cap()
        lo = 1
        while lo < min(cap, L) and self.floor_bound(lo) <= TAIL:
            lo += 1
        beyond = self.tail(cap) if cap < L else 0.0
        above: dict[int, tuple[float, float]] = {}
        todo = sorted({s for s in thresholds if lo <= s < min(cap, L)})
        for s in set(thresholds) - set(todo):  # settled by a Chernoff bound, as in max_law
            above[s] = (1.0, self.floor_bound(s)) if s < lo else (0.0, beyond)
        if todo:
            top = todo[-1]
            self._check_work(float(len(self.reveal)) * (L + 1) * sum(len(todo) - int(np.searchsorted(todo, j))
                                                                     for j in range(top + 1)))
            lf, lf_error = self._log_factorials()
            logs = self._binomial_logs(top, lf)
            state = np.zeros((len(todo), L + 1))
            state[:, 0] = 1.0
            rel = 0.0
            firsts = np.searchsorted(todo, np.arange(top + 1)).tolist()  # thresholds >= j keep steps of size j
            for k in range(len(self.reveal)):
                R, err = self.transition(k, top, lf, lf_error, logs)
                new = np.zeros_like(state)
                for j, first in enumerate(firsts):
                    new[first:, j:] += state[first:, : L + 1 - j] * R[: L + 1 - j, j]
                state = new
                rel += err + (top + 4) * EPS64
            rel = math.expm1(rel + 4 * EPS64)
            for s, mass in zip(todo, state[:, L].tolist()):
                above[s] = (max(0.0, 1.0 - mass), rel * mass + 2 * EPS64)
        return [above[s][0] for s in thresholds], [above[s][1] for s in thresholds]

    def expected_coefficient_at_jumps(self, coefficient: Callable[[int], Any]) -> tuple[float, float]:
        """:meth:`expected_coefficient` with P(S_max > s) computed only where c jumps (c(s+1) != c(s))."""
        L = self.length
        values = [float(coefficient(s)) for s in range(1, L + 1)]
        jumps = [s for s in range(1, L) if values[s] != values[s - 1]]
        above, error = self.exceed_probabilities(jumps)
        terms = [values[0]] + [(values[s] - values[s - 1]) * p for s, p in zip(jumps, above)]
        bound = math.fsum(abs(values[s] - values[s - 1]) * e for s, e in zip(jumps, error))
        value = math.fsum(terms)
        return value, bound + 4 * EPS64 * math.fsum(abs(t) for t in terms) + 2 * EPS64 * abs(value)

    # -- laws from the marginals alone (no DP) -------------------------------------------------
    def _binomial_laws(self, probs: list[float], comps: list[float], top: int) -> tuple["np.ndarray", float]:
        """:func:`binomial_laws` of this sampler's length."""
        import numpy as np

        lf, lf_error = self._log_factorials()
        return binomial_laws(self.length, lf, lf_error, np.asarray(probs, dtype=np.float64),
                             np.asarray(comps, dtype=np.float64), top)

    def expected_start_sizes(self) -> "np.ndarray":
        """E[size of the step that starts with w = m revealed] for m = 0..L-1 (0 for no such step).

        The expected error is Σ_m (this - 1)·d(m): every position m is covered by
        exactly one non-empty step. No DP: before step k each token has been revealed
        independently with probability r_k = 1 - Π_{j<k}(1 - p_j), so the number
        revealed is Binomial(L, r_k) and the step then reveals (L - m)·p_k on average:
        Σ_k P(Bin(L, r_k) = m)·(L - m)·p_k = Σ_k L·p_k·a_k·P(Bin(L - 1, r_k) = m) with a_k = 1 - r_k.
        float64, relative error :meth:`start_sizes_error`.

        >>> CountSampler.from_probabilities(2, ["1/2", 1]).expected_start_sizes().round(6).tolist()
        [1.5, 0.5]
        """
        last = _LAST_STARTS.get("sampler")
        if last is self:  # a sweep row asks for its coefficients three times (value, stderr, interval)
            return _LAST_STARTS["starts"]
        starts = self._start_sizes()
        starts.flags.writeable = False
        _LAST_STARTS.update(sampler=self, starts=starts)  # one entry: a sweep holds many samplers
        return starts

    def _start_sizes(self) -> "np.ndarray":
        """:meth:`expected_start_sizes`, computed."""
        import numpy as np

        L = self.length
        r, a, _ = self._start_laws()
        reveal = np.asarray(self.reveal)
        out = np.zeros(L + 1)
        # a step with r_k = 0 starts at m = 0 and reveals L·p_k on average; one with a_k = 0 has nothing to reveal
        out[0] += L * float(reveal[r <= 0].sum())
        rows = np.nonzero((r > 0) & (a > 0) & (reveal > 0))[0]
        if rows.size == 0 or L < 2:
            if L == 1:
                out[0] += float((reveal[rows] * a[rows]).sum())
            return out[:L]
        from .count_starts import fast_start_sizes, windowed_starts

        lf, _ = self._log_factorials()
        r, a, p = r[rows], a[rows], reveal[rows]
        if not fast_start_sizes(self, r, a, p, lf, out):  # a uniform grid's interior is 1 within 2^-64
            windowed_starts(L, r, a, p, lf, out)
        return out[:L]

    def _start_laws(self) -> tuple["np.ndarray", "np.ndarray", float]:
        """(r_k, 1 - r_k, a bound δ on each one's relative error) before every step k (computed once).

        From the integers of a quick build's grid (``notes["grid"]``, :meth:`boundcalc.count_families.CountFamily.
        quick_sampler`), or from the exact probabilities when the running product Π_{j<k}(1 - p_j) stays a small
        fraction (it telescopes for the uniform-grid families, mdlm and dream-origin: 1 - (k-1)h): each value one
        correctly rounded division, δ = ε. Otherwise float sums and products of n terms, δ = (3n + 6)ε: each 1 − p_j and
        p_j is within ε of its true value, so the running product a_k of k − 1 of them (k − 2 roundings) is within
        (2k − 3)ε, π_j = p_j·a_j within (2j + 1)ε, and r_k, a running sum of k − 1 such non-negative terms (k − 2
        roundings), within (3k − 1)ε, to first order; 3n + 6 covers the second-order terms while nε <= 2^-20.
        """
        cached = self.__dict__.get("_start_laws_cache")
        if cached is not None:
            return cached
        import numpy as np

        grid = self.notes.get("grid")  # a quick build's (a, A): Π_{j<k}(1 - p_j) = (A - a·k)/A before step k
        exact = _exact_alive(self.exact) if self.exact is not None and grid is None else None
        if grid is not None:
            a, total = grid
            k = np.arange(len(self.reveal), dtype=np.float64)  # integers below 2^53 are exact: one rounding each
            exact_ints = total + a * len(self.reveal) < 2**53
            alive = (total - a * k) / total if exact_ints else np.array([(total - a * j) / total for j in range(k.size)])
            before = a * k / total if exact_ints else np.array([a * j / total for j in range(k.size)])
            delta = EPS64
        elif exact is not None:
            alive = np.array([_round(a) for a in exact])
            before = np.array([_round(1 - a) for a in exact])
            delta = EPS64
        else:
            marginals, alive = self._alive_before()  # the running sum in order (np.cumsum adds left to right)
            before = np.empty(marginals.size)
            before[0] = 0.0
            np.cumsum(marginals[:-1], out=before[1:])
            delta = (3 * len(self.reveal) + 6) * EPS64
        cached = (before, alive, delta)
        object.__setattr__(self, "_start_laws_cache", cached)
        return cached

    def start_sizes_error(self) -> float:
        """A relative error bound of each entry of :meth:`expected_start_sizes` (all terms non-negative).

        The log of each term adds three log factorials (their error), log L, log p_k (p_k correctly rounded),
        L·log a_k and m·(log r_k − log a_k) with r_k and a_k within a relative δ (:meth:`_start_laws`: L·2δ
        after the products by at most L), the logs within an ulp of their values and the roundings of the
        products and sums (16ε times the magnitudes added, the largest over the steps); then exp and the sums
        over the steps; the mass cut off outside each row's window (below e^-70) adds 2^-100. Steps with
        r_k = 0 (a point mass at m = 0) are exact.
        """
        cached = self.__dict__.get("_start_sizes_error_cache")
        if cached is None:  # a sweep row asks for it with its value and again with its interval
            cached = self._start_sizes_error()
            object.__setattr__(self, "_start_sizes_error_cache", cached)
        return cached

    def _start_sizes_error(self) -> float:
        import numpy as np

        lf, lf_error = self._log_factorials()
        n, L = len(self.reveal), self.length
        before, alive, delta = self._start_laws()
        reveal = np.asarray(self.reveal)
        live = (before > 0) & (alive > 0) & (reveal > 0)
        if not live.any():
            return (n + 8) * EPS64
        logs = 2 * (np.abs(np.log(before[live])) + np.abs(np.log(alive[live]))) + np.abs(np.log(reveal[live]))
        magnitude = 3 * float(lf[-1]) + math.log(L) + 1.0 + L * float(np.max(logs)) * (1 + 4 * EPS64)
        error = 3 * lf_error + 16 * EPS64 * magnitude + 2 * L * delta * (1 + 4 * delta)
        from .count_starts import interior

        inner = interior(self)  # the uniform grid's interior start sizes, 1 within its bound (count_starts)
        return math.expm1(error) + (n + L + 8) * EPS64 + 2.0**-100 + (inner[2] if inner else 0.0)

    def expected_coefficient_bracket(self, coefficient: Callable[[int], Any], exact_at: int = 0
                                     ) -> tuple[float, float, float]:
        """(lower, upper, float error) around E c(S_max) from the laws of single steps, without the DP.

        The counts are multinomial(L; π), hence negatively associated (Joag-Dev &
        Proschan, Ann. Statist. 1983), so P(S_max <= s) <= Π_k P(s_k <= s); and the union
        bound P(S_max > s) <= Σ_k P(s_k > s). With E c(S_max) = c(1) + Σ_s Δc(s) P(S_max > s)
        this costs O(n·cap), not the O(n·L·cap²) of :meth:`max_law`: a screen for scans.
        ``exact_at`` = k replaces the k widest terms by :meth:`exceed_probabilities` (a DP
        over k thresholds only), which closes most of the gap.
        """
        return self.expected_coefficient_brackets([coefficient], exact_at)[0]

    def expected_coefficient_brackets(self, coefficients: "Sequence[Callable[[int], Any] | np.ndarray]",
                                      exact_at: int = 0) -> list[tuple[float, float, float]]:
        """:meth:`expected_coefficient_bracket` for several coefficients (each a function of s, or its values
        c(1..L) as floats), the laws of single steps computed once."""
        import numpy as np

        L = self.length
        bracket = self._exceed_bracket()
        out = []
        for coefficient in coefficients:
            values = (np.asarray(coefficient, dtype=np.float64) if not callable(coefficient)
                      else np.array([float(coefficient(s)) for s in range(1, L + 1)]))
            steps = np.diff(values)  # Δc(s), s = 1..L-1
            lower, upper, err = (x.copy() for x in bracket)
            if exact_at > 0 and L > 1:
                widest = np.argsort(-np.abs(steps) * (upper - lower), kind="stable")[:exact_at]
                chosen = sorted(int(i) + 1 for i in widest if upper[i] > lower[i])
                if chosen:
                    above, error = self.exceed_probabilities(chosen)
                    index = np.array(chosen) - 1
                    lower[index] = upper[index] = above
                    err[index] = error
            low = np.where(steps >= 0, lower, upper)
            high = np.where(steps >= 0, upper, lower)
            lo = math.fsum([values[0], *(steps * low).tolist()])
            hi = math.fsum([values[0], *(steps * high).tolist()])
            error = math.fsum((np.abs(steps) * err).tolist()) + 4 * EPS64 * (abs(lo) + abs(hi) + abs(values[0]))
            out.append((lo, hi, error))
        return out

    def _exceed_bracket(self) -> tuple["np.ndarray", "np.ndarray", "np.ndarray"]:
        """(lower, upper, float error) of P(S_max > s), s = 1..L-1 (see :meth:`expected_coefficient_bracket`)."""
        import numpy as np

        L = self.length
        cap = min(self.size_cap(), L)
        beyond = self.tail(cap) if cap < L else 0.0
        lower, upper, err = np.zeros(L - 1), np.full(L - 1, beyond), np.full(L - 1, beyond)
        if cap >= 2:
            marg = self.marginals()
            comps, done, alive = [], 0.0, 1.0
            for x, q in zip(marg, self.keep):
                comps.append(done + alive * q)  # 1 - π_k as a sum of non-negative terms: no cancellation
                done, alive = done + x, alive * q
            pmf, rel = self._binomial_laws(marg, comps, cap)
            surv = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1][:, 2:]  # P(s_k > s) up to the cap, s = 1..cap-1
            surv = np.minimum(surv, 1.0)
            total = surv.sum(axis=0)
            lower[: cap - 1] = -np.expm1(np.sum(np.log1p(-np.minimum(surv, 1 - EPS64)), axis=0))
            upper[: cap - 1] = np.minimum(1.0, total + beyond)
            err[: cap - 1] = (rel + (cap + 4) * EPS64) * total + (len(marg) + 8) * EPS64 + beyond
        return lower, upper, err

    # -- the Sampler interface (boundcalc.registry.Sampler) ------------------------------------
    @property
    def random_counts(self) -> bool:
        """True: the values computed for it are expectations over the random counts."""
        return True

    @property
    def positions(self) -> str:
        """"uniform": given the counts, positions are uniformly random over the masked ones."""
        return "uniform"

    @property
    def value_dependent(self) -> bool:
        return False

    @property
    def block_spans(self) -> tuple[tuple[int, int], ...]:
        """No blocks: positions are random over all masked tokens."""
        return ()

    # -- views ------------------------------------------------------------------------------
    def __str__(self) -> str:
        return self.name

    def describe(self) -> str:
        mean = self.expected_sizes()
        head = ", ".join(f"{x:.3g}" for x in mean[:6]) + (", ..." if len(mean) > 6 else "")
        return f"{self.name}: {len(self.reveal)} steps, E s_k = {head}"


def _check_steps(steps: Any) -> int:
    steps = positive_int(steps, "T")
    if steps > MAX_COUNT_STEPS:  # before building anything: every step is a pass of the DPs
        raise DomainError(f"T = {steps} steps is too many for the count DPs", param="schedule",
                          allowed=f"T <= {MAX_COUNT_STEPS}")
    return steps


def _grid(span: Fraction, steps: int) -> tuple[int, int]:
    """(c, A) with c/A = span/T: the time grid's step on a common integer denominator."""
    return span.numerator, span.denominator * steps


@functools.lru_cache(maxsize=4)
def _log_factorials(L: int) -> tuple["np.ndarray", float]:
    """(ln k!, k = 0..L, as floats (read-only); a bound on each one's error), once per L."""
    import numpy as np

    logs = np.log(np.arange(1, L + 1, dtype=np.longdouble)) if L else np.zeros(0, dtype=np.longdouble)
    lf = np.concatenate(([0.0], np.cumsum(logs))).astype(np.float64)
    lf.flags.writeable = False
    e_long = float(np.finfo(np.longdouble).eps)
    # each log within 2 ulps of long double, a sequential sum of L terms, then one rounding
    error = (2 * e_long * (L + 2) + 2 * EPS64) * float(lf[-1])
    return lf, error


#: The last sampler's expected_start_sizes (a single entry, so the samplers of a sweep are not all kept alive twice).
_LAST_STARTS: dict[str, Any] = {}


def forget_last_starts() -> None:
    """Drop the one sampler whose start sizes are kept (and the steps it holds): a sweep's chunk of rows is freed
    before the next one is built."""
    _LAST_STARTS.clear()


def _exact_alive(probabilities: tuple[Fraction, ...]) -> list[Fraction] | None:
    """Π_{j<k}(1 - p_j) for every step k, exactly, or None when the fractions grow (a product that does not
    telescope: then floats, :meth:`CountSampler._start_laws`)."""
    out, alive = [], Fraction(1)
    for p in probabilities:
        out.append(alive)
        alive *= 1 - p
        if alive.denominator.bit_length() > 256:
            return None
    return out


def _round(x: Fraction) -> float:
    """The float64 nearest to a Fraction (Python's int/int division rounds correctly)."""
    return x.numerator / x.denominator
