"""The fewest steps T whose optimal schedule reaches a target, without the T-layer DP (issue 22).

``steps --by optimal`` ran :meth:`EntropyProfile.optimal_errors <boundcalc.truth.core.EntropyProfile.optimal_errors>`:
one O(L log L) layer per T up to the answer (about 190 s at L = 16384, refused). Here f(T), the least error of a
T-step schedule, is reached through its Lagrangian (docs/theory.md, "The optimum over T by its Lagrangian"):

* the step cost g(u, v) = (v - u) d(u) - (h(v) - h(u)) is Monge for a non-increasing d, so f is convex in T, and
  for a penalty λ >= 0 the unconstrained least Σ g + λ·(number of steps) is attained at some T on the lower hull
  of f. That unconstrained problem is a lower envelope of lines: F(v) + h(v) - λ = min_u (F(u) + h(u) - u d(u))
  + v d(u), slopes d(u) non-increasing in u and queries v increasing, so a monotone deque (the convex hull
  trick) solves it in O(L);
* the search keeps two hull points (k1, C1) above the target and (k2, C2) at or below it and asks for the
  penalty of their chord; a point strictly below the chord replaces one end, none means the chord is an edge
  of f's hull: f is linear on [k1, k2] there;
* on an edge, a k-step optimum for any k1 <= k <= k2 is spliced from the two end paths (the exchange argument
  of docs/theory.md: an edge of the longer path nested in one of the shorter path's edges swaps its end);
* T* is the first T of the edge whose value is <= the target. Its decision is compared with what the float DP
  would decide: when f(T*) and f(T* - 1) are farther from the target than the DP's rounding
  (:func:`dp_margin`) the DP decides the same; nearer, the DP itself is run where its budget allows, so the
  answer is the DP's on every input it answers (tests/curve/test_optimal_search.py checks it with hypothesis).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["OptimalHull", "dp_margin"]

_EPS = 2.0**-53
#: Chord steps before the search falls back to halving the penalty (a safeguard: chords converge fast).
_CHORDS = 64


class OptimalHull:
    """The optimum of T-step schedules over a conditional entropy profile d(0..L-1), by its Lagrangian.

    The costs are the DP's own (:meth:`EntropyProfile.optimal_schedule
    <boundcalc.truth.core.EntropyProfile.optimal_schedule>`): d's running minimum minus its last value, and its
    prefix sums.
    """

    def __init__(self, conditional: "np.ndarray") -> None:
        import numpy as np

        dd = np.minimum.accumulate(np.asarray(conditional, dtype=np.float64))
        dd = dd - dd[-1]
        self.length = L = int(dd.size)
        self.hh = np.concatenate(([0.0], np.cumsum(dd)))
        self.dd = np.append(dd, 0.0)
        self._d, self._h = self.dd.tolist(), self.hh.tolist()
        #: the size of every sum here: a step's two terms are at most L d(0) and h(L)
        self.scale = L * float(self.dd[0]) + float(self.hh[-1]) + 1e-300
        self._one = self.path_cost(np.array([0, L]))

    def path_cost(self, starts: "np.ndarray") -> float:
        """Σ g over the steps of ``starts`` (0 = w_0 < ... < w_T = L), each step's cost as the DP takes it."""
        import numpy as np

        u, v = starts[:-1], starts[1:]
        return math.fsum(np.maximum((v - u) * self.dd[u] - (self.hh[v] - self.hh[u]), 0.0).tolist())

    def solve(self, penalty: float) -> "tuple[int, float, np.ndarray]":
        """(T, Σ g, starts) of a schedule least in Σ g + penalty·T (the convex hull trick over the lines of u)."""
        import numpy as np

        d, h, L = self._d, self._h, self.length
        F = [0.0] * (L + 1)
        back = [0] * (L + 1)
        slope = d
        icept = [0.0] * (L + 1)
        queue = [0] * (L + 1)
        head, tail = 0, 1  # line 0: F(0) = 0
        for v in range(1, L + 1):
            while tail - head >= 2:
                a, b = queue[head], queue[head + 1]
                if icept[b] + v * slope[b] <= icept[a] + v * slope[a]:
                    head += 1
                else:
                    break
            u = queue[head]
            F[v] = icept[u] + v * slope[u] - h[v] + penalty
            back[v] = u
            if v == L:
                break
            m, c = slope[v], F[v] + h[v] - v * slope[v]
            icept[v] = c
            if tail - head >= 1 and slope[queue[tail - 1]] == m:  # parallel: the lower line only
                if icept[queue[tail - 1]] <= c:
                    continue
                tail -= 1
            while tail - head >= 2:
                a, b = queue[tail - 2], queue[tail - 1]
                # b is never below both a and the new line: (c - c_a)(m_a - m_b) <= (c_b - c_a)(m_a - m)
                if (c - icept[a]) * (slope[a] - slope[b]) <= (icept[b] - icept[a]) * (slope[a] - m):
                    tail -= 1
                else:
                    break
            queue[tail] = v
            tail += 1
        starts = [L]
        while starts[-1] > 0:
            starts.append(back[starts[-1]])
        path = np.array(starts[::-1], dtype=np.int64)
        return path.size - 1, self.path_cost(path), path

    def edge(self, left: "Callable[[int, float], bool]") -> "tuple[tuple[int, float, np.ndarray], tuple[int, float, np.ndarray], float]":
        """Two points of f's lower hull with ``left(T, value)`` true at the first, false at the second (T = 1 must
        be left and T = L, value 0, not), joined by an edge of the hull (to the sums' rounding), and its penalty."""
        import numpy as np

        low = (1, self._one, np.array([0, self.length], dtype=np.int64))
        high = (self.length, 0.0, np.arange(self.length + 1, dtype=np.int64))
        tol = self.noise(self.length)
        #: whether the two points returned are known to be joined by a hull edge (else the caller is unsure)
        self.confirmed = False
        for count in range(2 * _CHORDS):  # a few dozen at most in practice (14 on noisy curves at L = 16384)
            if high[0] - low[0] <= 1:
                self.confirmed = True  # adjacent points of a convex f: an edge
                break
            penalty = max((low[1] - high[1]) / (high[0] - low[0]), 0.0)
            if count >= _CHORDS and count % 2:  # safeguard: the penalty halfway in log between the ends' slopes
                penalty = penalty * 0.5 if count % 4 == 1 else penalty * 1.5
            k, value, path = self.solve(penalty)
            chord = low[1] + penalty * low[0]
            if not value + penalty * k < chord - tol or not low[0] < k < high[0]:
                if count < _CHORDS:
                    self.confirmed = True
                    break  # the chord is an edge of the hull
                continue
            if left(k, value):
                low = (k, value, path)
            else:
                high = (k, value, path)
        penalty = max((low[1] - high[1]) / (high[0] - low[0]), 0.0) if high[0] > low[0] else 0.0
        return low, high, penalty

    def noise(self, steps: int) -> float:
        """A bound on how far a float DP's or this search's T-step optimum lies from the optimum of the same costs:
        each step's cost and each comparison a few roundings of numbers at most ``scale``, compounded over the
        layers and the divide and conquer's log L depths."""
        return (steps + 16) * (2 * self.length.bit_length() + 8) * _EPS * self.scale

    def line(self, low: tuple, high: tuple, steps: int) -> float:
        """f on the hull edge from ``low`` to ``high`` at T = ``steps``."""
        if high[0] == low[0]:
            return low[1]
        return low[1] + (steps - low[0]) * (high[1] - low[1]) / (high[0] - low[0])


def splice(low: "np.ndarray", high: "np.ndarray", steps: int) -> "np.ndarray":
    """A path of ``steps`` steps from two paths optimal for one penalty, ``low`` with k1 <= steps steps and
    ``high`` with k2 >= steps (starts 0 = w_0 < ... = L): the first edge (b_j, b_{j+1}) of ``high`` nested in an
    edge (a_i, a_{i+1}) of ``low`` with j - i = steps - k1, then ``low`` from a_{i+1} (docs/theory.md)."""
    import numpy as np

    k1, k2 = low.size - 1, high.size - 1
    if steps == k2:
        return high
    if steps == k1:
        return low
    j = np.arange(k2)
    i = np.searchsorted(low, high[:-1], side="right") - 1  # the edge of low holding b_j
    nested = high[1:] <= low[i + 1]
    found = np.flatnonzero(nested & (j - i == steps - k1))
    assert found.size, "an edge with that offset exists (docs/theory.md)"
    jj = int(found[0])
    ii = int(i[jj])
    return np.concatenate((high[: jj + 1], low[ii + 1 :]))


def dp_margin(hull: OptimalHull, steps: int) -> float:
    """How near the target f(T) may lie before the float DP's decision could differ from this search's."""
    return 2 * hull.noise(steps)


#: The longest L searched (the hull trick is a Python loop over L per penalty, ~3 µs a position, and a search
#: takes a few dozen penalties): beyond it the search is refused before any work.
MAX_HULL_LENGTH = 1 << 17


def fewest_reaching(hull: OptimalHull, target: float) -> "tuple[int | None, bool, np.ndarray | None]":
    """(T*, certain, T*'s path): the fewest T in 1..L whose optimum is <= ``target`` (None: none, when the target is
    below 0) and whether the float DP surely decides the same (f(T*) and f(T* - 1) farther from the target than
    :func:`dp_margin`)."""
    import numpy as np

    L = hull.length
    if target < 0:
        return None, True, None
    if hull._one <= target:
        return 1, hull._one <= target - dp_margin(hull, 1), np.array([0, L], dtype=np.int64)
    low, high, _ = hull.edge(lambda k, value: value > target)
    k1, k2 = low[0], high[0]
    T = k2
    if high[1] < low[1]:  # the first T of the edge whose value is <= the target
        guess = k1 + math.ceil((low[1] - target) * (k2 - k1) / (low[1] - high[1]))
        T = min(max(guess, k1 + 1), k2)
        while T > k1 + 1 and hull.line(low, high, T - 1) <= target:
            T -= 1
        while T < k2 and hull.line(low, high, T) > target:
            T += 1
    path = splice(low[2], high[2], T)
    margin = dp_margin(hull, T)
    before = hull.line(low, high, T - 1) if T - 1 >= k1 else math.inf
    certain = (hull.confirmed and hull.path_cost(path) <= target - margin
               and before - hull.noise(L) > target + margin)
    return T, certain, path


def optimal_answers(profile: object, levels: "list[float]", hint: int
                    ) -> "tuple[list[int | None], int, dict[int, np.ndarray], list[bool]]":
    """For each target of ``levels`` (nats) the fewest T <= ``hint`` whose optimal error reaches it (None: none),
    the T the DP pass would have checked (the least T reaching the smallest target, else ``hint``), the
    spliced optimal path of each T found, and whether each answer is unsure. The same T as
    :meth:`EntropyProfile.optimal_errors <boundcalc.truth.core.EntropyProfile.optimal_errors>`' pass: where a
    decision is within the DP's rounding of a target, that pass is run (when its budget allows) and its T taken;
    beyond its budget the search's own float decision stands, and that answer is unsure."""
    from .errors import DomainError

    L = int(profile.length)  # type: ignore[attr-defined]
    if L > MAX_HULL_LENGTH:
        raise DomainError(f"the optimal schedule's search at L = {L} is over its limit", param="length",
                          allowed=f"L <= {MAX_HULL_LENGTH}")
    hull = OptimalHull(profile.conditional)  # type: ignore[attr-defined]
    found = [fewest_reaching(hull, level) for level in levels]
    smallest = min(range(len(levels)), key=lambda i: levels[i])
    answers = [T if T is not None and T <= hint else None for T, _, _ in found]
    paths = {T: path for (T, _, path) in found if T is not None and path is not None}
    # an unsure T* past the hint counts too: on a flat stretch of f at the target (f(T) = 0 for every T >= 3, target 0)
    # the float DP may reach at any T of it, one within the hint
    if not all(certain for T, certain, _ in found if T is not None):
        try:
            errors = profile.optimal_errors(hint, target=levels[smallest])  # type: ignore[attr-defined]
        except DomainError:  # beyond the DP's budget: the hull's own decisions
            errors = None
        if errors is not None:
            answers = [next((t + 1 for t, e in enumerate(errors) if e <= level), None) for level in levels]
            return answers, len(errors), paths, [False] * len(levels)
    reached = answers[smallest]
    unsure = [T is not None and not certain for T, certain, _ in found]
    return answers, (hint if reached is None else reached), paths, unsure
