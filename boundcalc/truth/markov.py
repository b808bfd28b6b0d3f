"""First-order Markov chains: the ground truth by gap sums, with no enumeration.

For X_1, ..., X_L a Markov chain with transition matrix P and X_1 ~ μ_1, let
μ_a = μ_1 P^(a-1) (the law of X_a), η_g(x) = H(P^g[x, :]) and
c(a, g) = μ_a · η_g = H(X_{a+g} | X_a). For A = {a_1 < ... < a_m},

    H(X∘A) = H(μ_{a_1}) + Σ_j c(a_j, a_{j+1} - a_j),

and for a token i with nearest revealed neighbours i - a (left) and i + b
(right) in W, H(X_i | X∘W) = H(X_i | X_{i-a}, X_{i+b}) = c(i-a, a) + c(i, b) - c(i-a, a+b)
(with the obvious one-sided forms at the ends). Counting the W with given
neighbours (the other tokens of W lie outside [i-a, i+b]) gives, with
ν_k = μ_1 + ... + μ_k and E_k = η_1 + ... + η_k,

    L·C(L-1, m)·d(m) = Σ_{n=2}^{L-1} C(L-n-1, m-2)·T(n)       (both neighbours, a + b = n)
                     + Σ_{k=2}^{L}   C(L-k,   m-1)·B(k)       (right neighbour only, at k)
                     + Σ_{j=1}^{L-1} C(j-1,   m-1)·μ_j·E_{L-j} (left neighbour only, at j)
                     + [m = 0]·Σ_i H(μ_i)

    T(n) = ν_{L-n}·E_{n-1} + Σ_{g<n} ν_{L-g}·η_g - Σ_{a<n} ν_a·η_{n-a} - (n-1)·ν_{L-n}·η_n
    B(k) = Σ_{i<k} H(μ_i) + Σ_{i<k} μ_i·η_{k-i} - (k-1)·H(μ_k)

(the sums over i collapse because the counts depend on a + b only). Cost:
O(L V^3) for the matrix powers (stopped early once P^g has converged to
machine precision), O(L^2 V) for the two convolutions and O(L^2) for the
binomial weights of all m: L = 4096 takes about a second. The weights
C(·)/C(L-1, m) are built as running products of ratios of small integers,
so each carries a relative error below 2Lε (ε = 2^-53) and nothing
overflows; docs/truth.md states the resulting error bound.

Per token, F_i(m) = H(X_i) - E[H(X_i | X∘W)] over m-sets W ∌ i uses the same
neighbour decomposition, summed over the positions by tail sums and one direct
convolution per state (O(L min(L, g) V) for one m, g the power at which P^g has
converged), or by the nearest gaps when m is close to L; I_i (m = L-1) has the
closed form H(μ_i) - H(X_i | X_{i-1}, X_{i+1}).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import DomainError, InvalidNumberError, ModelError
from ..exact import positive_int
from .core import EPS64, FLOAT_TOLERANCE, EntropyProfile, Progress, blas_threads, exact_probabilities
from .markov_kernels import _gap_convolution, _gap_extent, _token_weights, _weighted_sums

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["MarkovChain", "MAX_MARKOV_WORK", "FLOAT_TOLERANCE", "markov_cost"]

#: Budget for the matrix powers P^g (g V^3 operations until they converge): checked as they run.
MAX_MARKOV_WORK = 5e10
#: L above this is refused outright (the entropy profile is O(L log L) in L; see markov_cost).
MAX_MARKOV_LENGTH = 1 << 22
#: An entropy profile estimated to take longer than this (seconds) is refused before any work.
MAX_MARKOV_SECONDS = 60.0
#: ... or to need more memory than this (bytes).
MAX_MARKOV_MEMORY = 2 << 30
#: Per-token F_i(m) estimated to take longer than this is refused before any work.
MAX_TOKEN_SECONDS = 600.0


def markov_cost(length: int, states: int) -> dict[str, float]:
    """Estimated CPU seconds and bytes of :meth:`MarkovChain.entropy_profile`, before any work.

    Calibrated on the 2-core development machine (not shared): per position
    1.5·10^-6·log2 L s (the weight blocks, O(L log L) in all) plus 1.5·10^-9·V^2 s (the
    laws μ_a), plus min(L, 64) matrix powers at 2·10^9 operations per second; memory
    about 80 bytes per position and state (μ, ν, η, their prefix sums, temporaries).
    """
    L, V = float(length), float(states)
    seconds = L * (1.5e-6 * max(math.log2(max(L, 2.0)), 1.0) + 1.5e-9 * V * V) + min(L, 64.0) * V**3 / 2e9
    return {"seconds": seconds, "memory": 80.0 * (L + 1) * V}


def _short(sizes: Sequence[int]) -> str:
    sizes = list(sizes)
    return str(sizes) if len(sizes) <= 4 else f"[{sizes[0]}, ..., {sizes[-1]}] ({len(sizes)} sizes)"


def _entropy_rows(m: "np.ndarray") -> "np.ndarray":
    """Row entropies (nats) of a non-negative matrix whose rows sum to 1."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(m > 0, np.log(np.where(m > 0, m, 1.0)), 0.0)
    return -(m * logs).sum(axis=-1)


class MarkovChain:
    """A first-order Markov chain over a finite state set, exact on input, float64 inside.

    ``transition[x][y]`` = P(X_{t+1} = y | X_t = x). ``initial`` is the law of
    X_1; when omitted the (unique) stationary distribution is used, which
    needs an irreducible chain. ``corpus`` describes the text a chain was
    estimated from (:mod:`boundcalc.truth.text`), else None.

    >>> c = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
    >>> [round(float(x), 12) for x in c.initial]
    [0.5, 0.5]
    >>> round(c.entropy_profile(3).mi_total(), 6)
    1.250503
    """

    corpus: dict | None = None

    def __init__(
        self,
        states: Sequence[Any],
        transition: Sequence[Sequence[Any]],
        initial: Sequence[Any] | None = None,
        *,
        source: str = "",
        normalize: bool = False,
    ):
        import numpy as np

        where = source or "markov"
        self.source = source
        if not isinstance(states, (list, tuple)) or not states:
            raise ModelError("there are no states", param=where, allowed='"states": a non-empty list of names')
        for s in states:
            if isinstance(s, bool) or not isinstance(s, (str, int)):
                raise ModelError(f"state {s!r} is not a string or integer", param=where)
        if len(set(states)) != len(states):
            dup = next(s for s in states if list(states).count(s) > 1)
            raise ModelError(f"state {dup!r} is listed twice", param=where, allowed="distinct state names")
        V = len(states)
        if not isinstance(transition, (list, tuple)) and not hasattr(transition, "shape"):
            raise ModelError("the transition matrix is not a list of rows", param=where)
        rows = list(transition)
        if len(rows) != V or any(not hasattr(r, "__len__") or isinstance(r, str) or len(r) != V for r in rows):
            shape = f"{len(rows)} rows of lengths {sorted({len(r) if hasattr(r, '__len__') else -1 for r in rows})}"
            raise ModelError(
                f"the transition matrix is not {V}x{V} ({shape})",
                param=where,
                allowed="a square matrix, one row and one column per state",
            )
        P = np.empty((V, V))
        for x, row in enumerate(rows):
            P[x] = self._distribution(row, f"transition row {x + 1} ({states[x]!r})", where, normalize)
        self.states = tuple(states)
        self.transition = P
        self.given_initial = initial is not None
        if initial is not None:
            if not hasattr(initial, "__len__") or isinstance(initial, str) or len(initial) != V:
                raise ModelError(f"initial has {len(initial) if hasattr(initial, '__len__') else '?'} entries, not {V}", param=where)
            self.initial = self._distribution(initial, "initial", where, normalize)
        else:
            self._require_irreducible(where)
            self.initial = self._stationary()

    @staticmethod
    def _distribution(row: Sequence[Any], what: str, where: str, normalize: bool) -> "np.ndarray":
        import numpy as np

        exact, total = exact_probabilities(
            row,
            where=where,
            normalize=normalize,
            entry=lambda k: f"{what}, entry {k}",
            sums=f"{what} sums",
            zero_allowed="each row is a probability distribution",
            float_allowed="a stochastic matrix: rows sum to 1 (within 1e-12 for floats)",
            exact_allowed="a stochastic matrix: rows sum to 1 (exactly for exact values)",
        )
        return np.array([float(x / total) for x in exact])

    @classmethod
    def from_matrix(
        cls, states: Sequence[Any], transition: Any, initial: Any = None, *, source: str = "", corpus: dict | None = None
    ) -> "MarkovChain":
        """A chain from float arrays (rows within 1e-12 of 1, then rescaled), without exact parsing.

        ``corpus`` describes the text the chain was estimated from (tokens, level, smoothing, states).
        """
        import numpy as np

        where = source or "markov"
        P = np.array(transition, dtype=np.float64)
        V = len(states)
        if P.shape != (V, V):
            raise ModelError(f"the transition matrix has shape {P.shape}, not {V}x{V}", param=where)
        if not np.all(np.isfinite(P)) or np.any(P < 0):
            raise ModelError("the transition matrix has negative or non-finite entries", param=where)
        sums = P.sum(axis=1)
        if np.any(np.abs(sums - 1) > 1e-12):
            x = int(np.argmax(np.abs(sums - 1)))
            raise ModelError(f"transition row {x + 1} sums to {sums[x]!r}, not 1", param=where)
        chain = cls.__new__(cls)
        chain.source = source
        chain.corpus = None if corpus is None else dict(corpus)
        if len(set(states)) != V or V == 0:
            raise ModelError("the states must be distinct and non-empty", param=where)
        chain.states = tuple(states)
        chain.transition = P / sums[:, None]
        chain.given_initial = initial is not None
        if initial is None:
            chain._require_irreducible(where)
            chain.initial = chain._stationary()
        else:
            mu = np.array(initial, dtype=np.float64)
            if mu.shape != (V,) or np.any(mu < 0) or abs(mu.sum() - 1) > 1e-12:
                raise ModelError("initial is not a probability vector over the states", param=where)
            chain.initial = mu / mu.sum()
        return chain

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "", normalize: bool = False) -> "MarkovChain":
        """The JSON form ``{"states": [...], "transition": [[...]], "initial": [...]}`` (initial optional)."""
        where = source or "markov"
        if not isinstance(data, dict) or "states" not in data or "transition" not in data:
            raise ModelError(
                'expected an object with "states" and "transition"',
                param=where,
                allowed='{"states": ["a","b"], "transition": [["0.9","0.1"],["0.2","0.8"]], "initial": [...]}',
            )
        unknown = set(data) - {"states", "transition", "initial", "description"}
        if unknown:
            raise ModelError(f"unknown keys {sorted(unknown)}", param=where, allowed="states, transition, initial, description")
        return cls(data["states"], data["transition"], data.get("initial"), source=source, normalize=normalize)

    # -- structure ---------------------------------------------------------------------
    def _require_irreducible(self, where: str) -> None:
        import numpy as np

        V = self.transition.shape[0]
        if np.all(self.transition > 0):  # every state reaches every state in one step (e.g. smoothed text chains)
            return
        reach = ((self.transition > 0) | np.eye(V, dtype=bool)).astype(np.float64)
        # transitive closure by repeated squaring of the 0/1 matrix (float64: BLAS; the entries, counts
        # of paths capped at 1 after each step, are integers <= V, exact)
        for _ in range(max(1, math.ceil(math.log2(max(V, 2)))) + 1):
            reach = ((reach @ reach) > 0).astype(np.float64)
        bad = np.argwhere(reach == 0)
        if bad.size:
            x, y = bad[0]
            raise ModelError(
                f"the chain is reducible (state {self.states[x]!r} cannot reach {self.states[y]!r}), "
                "so its stationary distribution is not unique or misses states",
                param=where,
                allowed='give "initial", the law of the first token',
            )

    def _stationary(self) -> "np.ndarray":
        import numpy as np

        P = self.transition
        V = P.shape[0]
        # π (I - P + 1 1^T) = 1^T has the unique solution π for an irreducible chain
        A = np.eye(V) - P + np.ones((V, V))
        with blas_threads(1):  # a V x V solve (V <= a few thousand): threads only add synchronisation (~40x at V = 256)
            pi = np.linalg.solve(A.T, np.ones(V))
        pi = np.maximum(pi, 0.0)
        return pi / pi.sum()

    @property
    def vocab_size(self) -> int:
        return len(self.states)

    @property
    def is_stationary(self) -> bool:
        """True when X_1 follows the stationary law (initial omitted, or given and invariant to 1e-12)."""
        import numpy as np

        return bool(np.max(np.abs(self.initial @ self.transition - self.initial)) <= 1e-12)

    def __repr__(self) -> str:
        return f"MarkovChain(V={self.vocab_size}, source={self.source!r})"

    def check_length(self, length: int | None) -> int:
        """L, which a Markov chain needs; refused when too large."""
        if length is None:
            raise ModelError("a Markov chain needs the sequence length", param="length", allowed="give the length L")
        L = positive_int(length, "length")
        V = self.vocab_size
        cost = markov_cost(L, V)
        if L > MAX_MARKOV_LENGTH or cost["seconds"] > MAX_MARKOV_SECONDS or cost["memory"] > MAX_MARKOV_MEMORY:
            raise DomainError(
                f"L = {L} with V = {V} states needs an estimated {cost['seconds']:.0f} s and "
                f"{cost['memory'] / 2**20:.0f} MB",
                param="length",
                allowed=f"L <= {MAX_MARKOV_LENGTH}, an estimate <= {MAX_MARKOV_SECONDS:.0f} s "
                f"and <= {MAX_MARKOV_MEMORY >> 20} MB; for a text, fewer states (max_states)",
            )
        if float(V) ** 3 * min(L, 64) > MAX_MARKOV_WORK:
            raise DomainError(
                f"V = {V} states need ~{float(V) ** 3:.2g} operations per matrix power",
                param="length",
                allowed=f"V^3 min(L, 64) <= {MAX_MARKOV_WORK:.0g}; for a text, fewer states (max_states)",
            )
        return L

    def joint(self, length: int) -> "np.ndarray":
        """The expanded joint table of X_1..X_L, shape (V,)*L (for tests; V^L cells)."""
        L = positive_int(length, "length")
        if self.vocab_size**L > 2**24:
            raise DomainError(f"V^L = {self.vocab_size ** L} cells is too many to expand", param="length")
        table = self.initial.copy()
        for _ in range(L - 1):
            table = table[..., None] * self.transition[(None,) * (table.ndim - 1)]
        return table

    # -- the shared ingredients ------------------------------------------------------------
    def _ingredients(
        self,
        L: int,
        dtype: Any = None,
        progress: Progress | None = None,
        initial: "np.ndarray | None" = None,
        max_gap: int | None = None,
    ) -> dict[str, Any]:
        """μ_a (a = 1..L), H(μ_a), η_g (g = 0..L-1; row 0 unused), in ``dtype`` (float64 by default).

        ``initial`` replaces the law of X_1 (the blockwise engine conditions on a state);
        η does not depend on it and is kept for the next call with the same L.
        ``flat``: η_g = η_flat for all g >= flat (P^g converged to machine precision; L - 1 if not).
        With ``max_gap``, η_g only for g <= max_gap (the rest of the rows are left zero).
        """
        import numpy as np

        dtype = dtype or np.float64
        P = self.transition.astype(dtype)
        V = P.shape[0]
        mu = np.empty((L + 1, V), dtype=dtype)  # mu[a] = μ_a, row 0 unused
        mu[0] = 0
        mu[1] = (self.initial if initial is None else initial).astype(dtype)
        for a in range(2, L + 1):
            mu[a] = mu[a - 1] @ P
        cache = self.__dict__.setdefault("_eta_cache", {})
        key = (L, np.dtype(dtype).str, max_gap)
        if key in cache:
            eta, flat = cache[key]
            return {"mu": mu, "Hmu": _entropy_rows(mu), "eta": eta, "flat": flat}
        eta = np.zeros((L, V), dtype=dtype)  # eta[g] = η_g
        tiny = 4 * np.finfo(dtype).eps
        power = P.copy()
        flat = max(L - 1, 1)  # η_g = η_flat for every g >= flat
        for g in range(1, L if max_gap is None else min(max_gap + 1, L)):
            eta[g] = _entropy_rows(power)
            nxt = power @ P
            if np.all(np.abs(nxt - power) <= tiny * power):
                # P^g has converged componentwise to machine precision: η is constant from here on
                eta[g + 1 :] = eta[g]
                flat = g
                break
            power = nxt
            if g * float(V) ** 3 > MAX_MARKOV_WORK:
                raise DomainError(
                    f"P^g has not converged after g = {g} powers of a {V}-state matrix "
                    f"(~{g * float(V) ** 3:.2g} operations so far)",
                    param="length",
                    allowed="a smaller L, or fewer states (max_states for a text)",
                )
            if progress and g % 256 == 0:
                progress(g, 2 * L)
        cache.clear()
        cache[key] = (eta, flat)
        return {"mu": mu, "Hmu": _entropy_rows(mu), "eta": eta, "flat": flat}

    def _abs_error(self, L: int) -> float:
        V = self.vocab_size
        logv = math.log(max(V, 2)) + 1.0
        # weights: relative error <= 2Lε; P^g, μ_a componentwise <= (g+1)Vε (non-negative products);
        # the decomposed sums are at most 6 times the size of the conditional entropy they add up to.
        return 6.0 * (3 * L + 2 * L * V + 8) * EPS64 * logv

    # -- the entropy profile ---------------------------------------------------------------
    def entropy_profile(self, length: int | None = None, progress: Progress | None = None, *, dtype: Any = None) -> EntropyProfile:
        """d(m) for m = 0..L-1 by gap sums (module docstring); O(L V^3 + L^2 V)."""
        import numpy as np

        L = self.check_length(length)
        d = self._conditional(L, dtype, progress)
        return EntropyProfile(
            d.astype(np.float64),
            source=self.source or "Markov chain",
            abs_error=self._abs_error(L),
            meta={"model": "markov", "states": self.vocab_size, "stationary": self.is_stationary},
        )

    def _conditional(
        self, L: int, dtype: Any = None, progress: Progress | None = None, initial: "np.ndarray | None" = None
    ) -> "np.ndarray":
        with blas_threads(1):
            return self._conditional_body(L, dtype, progress, initial)

    def _conditional_body(self, L: int, dtype: Any, progress: Progress | None, initial: "np.ndarray | None") -> "np.ndarray":
        import numpy as np

        dtype = dtype or np.float64
        ing = self._ingredients(L, dtype, progress, initial)
        mu, Hmu, eta, flat = ing["mu"], ing["Hmu"], ing["eta"], ing["flat"]
        V = mu.shape[1]
        d = np.zeros(L, dtype=dtype)
        d[0] = Hmu[1:].sum() / L
        if L == 1:
            return d
        nu = np.cumsum(mu, axis=0)  # nu[k] = μ_1 + ... + μ_k, nu[0] = 0
        E = np.cumsum(eta, axis=0)  # E[k] = η_1 + ... + η_k, E[0] = 0
        Hcum = np.cumsum(Hmu)  # Hcum[k] = H(μ_1) + ... + H(μ_k)
        g = np.arange(1, L)
        cbar = np.zeros(L, dtype=dtype)  # cbar[g] = ν_{L-g}·η_g
        cbar[1:] = np.einsum("gv,gv->g", nu[L - g], eta[1:])
        cbar_cum = np.cumsum(cbar)
        conv_work = 4.0 * L * min(flat, L) * V
        if conv_work > MAX_MARKOV_WORK:
            raise DomainError(
                f"P^g has not converged by g = {flat}: the gap convolutions need ~{conv_work:.2g} operations "
                f"(~{conv_work / 1e9:.0f} s)",
                param="length",
                allowed=f"4 L g V <= {MAX_MARKOV_WORK:.0g}: a smaller L, or fewer states",
            )
        conv_nu = _gap_convolution(nu, eta, flat, L)  # conv_nu[n] = Σ_{a=1}^{n-1} ν_a·η_{n-a}
        conv_mu = _gap_convolution(mu, eta, flat, L)  # conv_mu[k] = Σ_{i=1}^{k-1} μ_i·η_{k-i}
        # interior T(n), n = 2..L-1
        T = np.zeros(L + 1, dtype=dtype)
        n = np.arange(2, L)
        if n.size:
            T[n] = (
                np.einsum("nv,nv->n", nu[L - n], E[n - 1])
                + cbar_cum[n - 1]
                - conv_nu[n]
                - (n - 1) * np.einsum("nv,nv->n", nu[L - n], eta[n])
            )
        # right neighbour only at k = 2..L (B), left neighbour only at j = L+1-k (R): same weight
        B = np.zeros(L + 1, dtype=dtype)
        k = np.arange(2, L + 1)
        B[k] = Hcum[k - 1] + conv_mu[k] - (k - 1) * Hmu[k]
        B[k] += np.einsum("kv,kv->k", mu[L + 1 - k], E[k - 1])  # R(j) = μ_j·E_{L-j}, j = L+1-k
        # weights r_left(k) = C(L-k, m-1)/C(L-1, m) and r_int(n) = C(L-n-1, m-2)/C(L-1, m), as
        # running products of ratios, for blocks of m at once; each decreases geometrically
        # (ratio <= 1 - (m-1)/(L-2)), and terms past 2^-110 of the first are dropped.
        side = _weighted_sums(B[2:], L, 1, dtype, L - 1, progress, 0)
        d[1:] += side[1:]
        if L >= 3:
            inter = _weighted_sums(T[2:L], L, 2, dtype, L - 2, progress, L)
            d[2:] += inter[2:]
        d[1:] /= dtype(L)
        if progress:
            progress(2 * L, 2 * L)
        return d

    # -- per-token mutual information --------------------------------------------------------
    def token_mi(self, size: int | None = None, length: int | None = None, progress: Progress | None = None) -> "np.ndarray":
        """F_i(m) = E[I(X_i; X∘A)] over uniform m-sets A ∌ i, for each token (nats).

        ``size`` = m defaults to L - 1: the MI profile I_i = I(X_i; X_{-i}),
        H(X_i) - H(X_i | X_{i-1}, X_{i+1}) (one neighbour at the ends), O(L V^2).
        Other m use the neighbour decomposition: by the nearest-neighbour gaps when
        r = L - m is small, O(L r (V + r)); else by convolutions over the positions,
        O(L min(L, g) V) with g the power at which P^g has converged (:meth:`token_mi_levels`).
        The cost is checked before any work. Each value is within :meth:`token_mi_error` of F_i(m).
        """
        L = self.check_length(length)
        m = L - 1 if size is None else size
        if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m <= L - 1:
            raise InvalidNumberError(f"size = {m!r} is out of range", param="size", allowed=f"0 <= m <= L - 1 = {L - 1}")
        self._check_token_cost(L, [m])
        with blas_threads(1):
            if m == L - 1:
                return self._mi_profile(L)
            if m >= 1 and self._gap_method(L, m):
                G, K = _gap_extent(L, m)
                return self._gap_token_mi(L, m, self._ingredients(L, max_gap=max(G, K - 1)))
            return self._token_mi(L, m, progress)

    def token_mi_levels(self, sizes: Sequence[int], length: int | None = None, progress: Progress | None = None) -> "np.ndarray":
        """F_i(m) for several m at once: an array of shape (L, len(sizes)) (nats).

        A size m <= 0 (an empty set, as in Theorem 2's levels m_j = L - S/2^j when S > L)
        gives zeros. The unrevealed positions number r - 1 = L - 1 - m besides i, so for
        m close to L (Theorem 2's levels, r = S/2^j) only the nearest revealed neighbours at
        distances a + b <= r + 1 matter: the *gap method* costs O(L r (V + r) + r^3) per level
        with the weights C(L-a-b-1, m-2)/C(L-1, m) exact; other m use :meth:`token_mi`'s
        convolutions, O(L^2 V) at worst, whichever is cheaper. The cost is checked before any work
        (:meth:`token_mi_cost`).
        """
        import numpy as np

        L = self.check_length(length)
        sizes = list(sizes)
        for m in sizes:
            if isinstance(m, bool) or not isinstance(m, int) or m > L - 1:
                raise InvalidNumberError(f"size = {m!r} is out of range", param="size", allowed=f"m <= L - 1 = {L - 1}")
        self._check_token_cost(L, sizes)
        out = np.zeros((L, len(sizes)))
        gap = [m for m in sizes if 1 <= m < L - 1 and self._gap_method(L, m)]
        with blas_threads(1):
            if gap:
                reach = max(max(G, K - 1) for G, K in map(lambda m: _gap_extent(L, m), gap))
                ing = self._ingredients(L, max_gap=reach)
            for col, m in enumerate(sizes):
                if m <= 0:
                    continue
                if m == L - 1:
                    out[:, col] = self._mi_profile(L)
                elif m in gap:
                    out[:, col] = self._gap_token_mi(L, m, ing)
                else:
                    out[:, col] = self._token_mi(L, m, None)
                if progress:
                    progress(col + 1, len(sizes))
        return out

    # work units per second of the two per-token methods, measured on the development machine
    # (several chains, V = 8..256, L = 4096..16384, on a shared machine): the gap method 2.5-5e9,
    # the convolution method 1.3-2.6e9 on its worst case (P^g never converges)
    _GAP_RATE = 2e9
    _FULL_RATE = 1e9

    @staticmethod
    def _gap_work(L: int, m: int, V: int) -> float:
        G, K = _gap_extent(L, m)
        Gc = max(G, K - 1)
        return float(L) * (Gc + 2) * (V + 2 * G + 8) + 2.0 * G**3 + 3e4 * (G + 2 * K)

    @staticmethod
    def _gap_memory(L: int, m: int) -> float:
        G, K = _gap_extent(L, m)
        return 32.0 * (L + 1) * (max(G, K - 1) + 1)

    @staticmethod
    def _full_work(L: int, V: int) -> float:
        # the convolutions on their worst case (η_g never flat: L^2 V), the laws μ_a (L V^2),
        # the powers P^g (at most L V^3) and the per-position arithmetic (a few thousand units)
        return float(L) * (float(L) * V + float(V) ** 2 + float(V) ** 3 + 5000.0)

    def _gap_method(self, L: int, m: int) -> bool:
        V = self.vocab_size
        if self._gap_memory(L, m) > MAX_MARKOV_MEMORY // 2:
            return False
        return self._gap_work(L, m, V) / self._GAP_RATE <= self._full_work(L, V) / self._FULL_RATE

    def token_mi_cost(self, length: int, sizes: Sequence[int]) -> float:
        """Estimated seconds of :meth:`token_mi_levels` (or :meth:`token_mi`) for these sizes, before any work."""
        L, V = length, self.vocab_size
        seconds = 0.0
        for m in sizes:
            if m <= 0 or m >= L - 1:
                seconds += L * V * V / self._GAP_RATE
            elif self._gap_method(L, m):
                seconds += self._gap_work(L, m, V) / self._GAP_RATE
            else:
                seconds += self._full_work(L, V) / self._FULL_RATE
        return seconds

    def token_mi_error(self, length: int, size: int | None = None) -> float:
        """An a-priori bound (nats) on the float error of every F_i(m) that :meth:`token_mi` returns.

        8·(5L + 2LV + 2G^2 + 16)·ε·(ln V + 1), ε = 2^-53, G = 0 unless the gap method is used
        (then its largest gap, max(G, K) of :func:`_gap_extent`): every value is H(μ_i) minus
        sums whose terms add up, in absolute value, to at most 7 ln V, each term carrying a
        relative error below (5L + 2LV + 16)ε (docs/truth.md, section 5).

        >>> c = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
        >>> c.token_mi_error(1000, 10) < 1e-9
        True
        """
        L = positive_int(length, "length")
        m = L - 1 if size is None else size
        V = self.vocab_size
        gap = 0.0
        if 1 <= m < L - 1 and self._gap_method(L, m):
            gap = float(max(_gap_extent(L, m))) ** 2
        return 8.0 * (5.0 * L + 2.0 * L * V + 2.0 * gap + 16.0) * EPS64 * (math.log(max(V, 2)) + 1.0)

    def _check_token_cost(self, L: int, sizes: Sequence[int]) -> None:
        seconds = self.token_mi_cost(L, sizes)
        if seconds > MAX_TOKEN_SECONDS:
            raise DomainError(
                f"per-token F_i(m) for m in {_short(sizes)} at L = {L}, V = {self.vocab_size} "
                f"needs an estimated {seconds:.0f} s",
                param="size",
                allowed=f"an estimate <= {MAX_TOKEN_SECONDS:.0f} s: m close to L - 1 (Theorem 2's levels) or a smaller L",
            )

    def _gap_token_mi(self, L: int, m: int, ing: dict[str, Any]) -> "np.ndarray":
        """F_i(m) by the nearest-neighbour gaps, for 1 <= m <= L - 2 (docs/truth.md, "Gap method").

        Gaps a + b <= G and single neighbours at distance <= K from their end matter
        (:func:`_gap_extent`): r + 1 = L - m + 1 at most, and fewer when the weights fall
        below 2^-110 of the first.
        """
        import numpy as np

        mu, Hmu, eta = ing["mu"], ing["Hmu"], ing["eta"]
        G, K = _gap_extent(L, m)
        Gc = max(G, K - 1)
        # C[j, g] = c(j, g) = μ_j·η_g, j = 1..L, g = 1..Gc (row 0 and column 0 unused, zero)
        C = np.zeros((L + 1, Gc + 1))
        C[1:, 1:] = mu[1 : L + 1] @ eta[1 : Gc + 1].T
        # weights, as running products of ratios of small integers (relative error <= (G+2)ε):
        # both neighbours at total gap n: w2(n) = C(L-n-1, m-2)/C(L-1, m), w2(2) = m(m-1)/((L-1)(L-2)),
        # w2(n+1)/w2(n) = (L-n-m+1)/(L-n-1); one neighbour k from its end: ws(k) = C(L-k, m-1)/C(L-1, m),
        # ws(1) = m/(L-m), ws(k+1)/ws(k) = (L-k-m+1)/(L-k). Both are 0 past r + 1.
        w2 = np.zeros(G + 2)
        n = np.arange(2, G, dtype=np.float64)
        w2[2] = m * (m - 1) / ((L - 1) * (L - 2))
        w2[3 : G + 1] = w2[2] * np.cumprod(np.clip((L - n - m + 1) / (L - n - 1), 0.0, None))
        ws = np.zeros(K + 2)
        k = np.arange(1, K, dtype=np.float64)
        ws[1] = m / (L - m)
        ws[2 : K + 1] = ws[1] * np.cumprod(np.clip((L - k - m + 1) / (L - k), 0.0, None))
        cw = np.cumsum(w2)  # cw[n] = Σ_{n' <= n} w2[n']
        cond = np.zeros(L + 1)  # cond[i] = E H(X_i | X∘W), i = 1..L
        A = min(G - 1, L - 2)  # largest left gap a with some b >= 1
        # interior tokens i = 2..L-G+1 (every b <= G - a fits on the right):
        #   Σ_{a <= min(i-1, A)} [C[i-a,a](cw[G] - cw[a]) - Y3[i-a,a] + Y2[i,a]]
        last = L - G + 1
        if last >= 2 and A >= 1:
            a = np.arange(1, A + 1)
            g = np.arange(1, G + 1)
            M2 = np.zeros((G + 1, A + 1))  # M2[b, a] = w2(a+b), a+b <= G
            M3 = np.zeros((G + 1, A + 1))  # M3[n, a] = w2(n), n > a
            for aa in a:
                b = g[g + aa <= G]
                M2[b, aa] = w2[aa + b]
                ns = g[g > aa]
                M3[ns, aa] = w2[ns]
            Y2 = C[: last + 1, : G + 1] @ M2  # Y2[i, a]
            Z = C[: last + 1, : A + 1] * (cw[G] - cw[: A + 1]) - C[: last + 1, : G + 1] @ M3  # Z[j, a]
            # Σ_a Y2[i, a] over a <= min(i-1, A): the prefix sums along a, read at min(i-1, A)
            Y2c = np.cumsum(Y2[:, 1:], axis=1)
            tokens = np.arange(2, last + 1)
            cond[tokens] += Y2c[tokens, np.minimum(tokens - 1, A) - 1]
            for aa in a:  # Z[i-a, a] for i = a+1..last
                if aa + 1 <= last:
                    cond[aa + 1 : last + 1] += Z[1 : last - aa + 1, aa]
        # boundary tokens i = max(2, L-G+2)..L-1: the grid of (a, b) directly
        for i in range(max(2, last + 1), L):
            left = np.arange(1, min(i - 1, G - 1) + 1)[:, None]
            right = np.arange(1, L - i + 1)[None, :]
            ok = left + right <= G
            ga, gb = np.broadcast_arrays(left, right)
            ga, gb = ga[ok], gb[ok]
            phi = C[i - ga, ga] + C[i, gb] - C[i - ga, ga + gb]
            cond[i] += float(np.dot(w2[ga + gb], phi))
        # one neighbour: the right one at k = i + b <= K (tokens i < K), or the left one at
        # j = i - a >= L + 1 - K (tokens i >= L + 2 - K), weight ws(k) resp. ws(L + 1 - j)
        for i in range(1, K):
            ks = np.arange(i + 1, K + 1)
            cond[i] += float(np.dot(ws[ks], Hmu[i] + C[i, ks - i] - Hmu[ks]))
        for i in range(max(2, L + 2 - K), L + 1):
            js = np.arange(max(1, L + 1 - K), i)
            cond[i] += float(np.dot(ws[L + 1 - js], C[js, i - js]))
        return np.maximum(Hmu[1 : L + 1] - cond[1:], 0.0)

    def _mi_profile(self, L: int) -> "np.ndarray":
        import numpy as np

        P = self.transition
        mu = np.empty((L + 1, P.shape[0]))
        mu[0] = 0  # row 0 is unused, but _entropy_rows reads it: left uninitialised it warned on garbage (-inf · 0)
        mu[1] = self.initial
        for a in range(2, L + 1):
            mu[a] = mu[a - 1] @ P
        Hmu = _entropy_rows(mu)
        out = np.zeros(L)
        if L == 1:
            return out
        eta1 = _entropy_rows(P)
        eta2 = _entropy_rows(P @ P)
        c1 = mu[1:L] @ eta1  # c(a, 1), a = 1..L-1
        out[0] = Hmu[2] - c1[0]
        out[L - 1] = Hmu[L] - c1[L - 2]
        if L > 2:
            i = np.arange(2, L)  # interior, 1-based
            c2 = mu[i - 1] @ eta2
            out[1 : L - 1] = Hmu[i] - (c1[i - 2] + c1[i - 1] - c2)
        return np.maximum(out, 0.0)

    def _token_mi(self, L: int, m: int, progress: Progress | None, dtype: Any = None) -> "np.ndarray":
        """F_i(m) for every token by convolutions over the positions (docs/truth.md, "Per token").

        With r_side[k] = C(L-k, m-1)/C(L-1, m), r_int[n] = C(L-n-1, m-2)/C(L-1, m) and the
        identity Σ_{n>=k} r_int[n] = r_side[k] (m >= 2), the conditional entropy of token i is

            Σ_{k>i} r_side[k] (H(μ_i) - H(μ_k)) + μ_i·Σ_{b<=L-i} r_side[b+1] η_b
            + Σ_{j<i} μ_j·Q_{L+1-j} + Σ_{a<i} z_a·μ_{i-a},

        Q_x = Σ_{n>=x} r_int[n] η_n, z_a = Σ_{n>a} r_int[n] (η_a - η_n) (zero once η is flat):
        tail and prefix sums, and one direct convolution per state, O(L min(L, flat) V).
        m = 1 (no pair of neighbours): the single-neighbour sums directly, same cost.
        """
        import numpy as np

        dtype = dtype or np.float64
        ing = self._ingredients(L, dtype)
        mu, Hmu, eta, flat = ing["mu"], ing["Hmu"], ing["eta"], ing["flat"]
        h = Hmu[1 : L + 1]
        if m == 0 or L == 1:
            return np.zeros(L, dtype=dtype)
        r_side, r_int = _token_weights(L, m, dtype)
        # one right neighbour at k > i, its entropy part: Σ_{k>i} r_side[k] (H(μ_i) - H(μ_k))
        tail = np.zeros(L + 2, dtype=dtype)
        tail[1 : L + 1] = np.cumsum(r_side[L:0:-1])[::-1]  # tail[i] = Σ_{k>=i} r_side[k]
        tail_h = np.zeros(L + 2, dtype=dtype)
        tail_h[1 : L + 1] = np.cumsum((r_side[1 : L + 1] * Hmu[1 : L + 1])[::-1])[::-1]
        cond = h * tail[2 : L + 2] - tail_h[2 : L + 2]
        E = np.zeros((L, mu.shape[1]), dtype=dtype)  # E[x] = Σ_{b<=x} w_b η_b (the right neighbour's c(i, b))
        if m == 1:  # a single neighbour, weight 1/(L-1) at every distance
            E[1:] = np.cumsum(eta[1:L], axis=0) * r_side[2]
            cond[1:] += _gap_convolution(mu, eta, flat, L)[2:] * r_side[2]
        else:
            E[1:] = np.cumsum(r_side[2 : L + 1, None] * eta[1:L], axis=0)
            Q = np.zeros((L + 1, mu.shape[1]), dtype=dtype)  # Q[x] = Σ_{n=x}^{L-1} r_int[n] η_n
            Q[1:L] = np.cumsum((r_int[1:L, None] * eta[1:L])[::-1], axis=0)[::-1]
            s = np.einsum("jv,jv->j", mu[1:L], Q[L:1:-1])  # s[j-1] = μ_j·Q_{L+1-j}, j = 1..L-1
            cond[1:] += np.cumsum(s)
            A = min(flat, L - 1)  # z_a = 0 for a >= flat
            z = r_side[2 : A + 1, None] * eta[1:A] - Q[2 : A + 1]  # z[a-1] = z_a, a = 1..A-1
            for v in range(mu.shape[1] if A > 1 else 0):  # direct convolutions, no FFT
                cond[1:] += np.convolve(mu[1:L, v], z[:, v])[: L - 1]
        cond += np.einsum("iv,iv->i", mu[1 : L + 1], E[L - 1 :: -1])  # μ_i·E[L-i]
        if progress:
            progress(L, L)
        return np.maximum(h - cond, 0.0)
