"""A fixed schedule's interval over a partial curve's monotone completions, from its step starts alone.

:func:`boundcalc.completion.completion_interval` takes a schedule's coefficients c (length L) and, gap by
gap, the extremes of their prefix sums. For a schedule the prefix sums have a closed form: a step (w, s)
puts s - 1 on c_w and -1 on c_{w+1..w+s-1}, so every step sums to 0 and the prefix sum
P(m) = Σ_{j<=m} c_j = e(m) - m, e(m) the last position of the step holding m (P(-1) = 0). Then

* c_m = P(m) - P(m - 1) at each measured m;
* a gap (m_a, A, m_b, B) (interior m_a+1..m_b-1) has Σ c = P(m_b - 1) - P(m_a) and prefix sums
  C(t) = P(t) - P(m_a); P falls by one inside a step and jumps to s - 1 at a step's start, so
  max_t P(t) = max(P(m_a + 1), s - 1 over the steps starting in m_a+2..m_b-1) and
  min_t P(t) = max(0, e(m_a + 1) - (m_b - 1)) (0 once a step ends inside the gap);

all integers found by binary search in the starts (O(log T) each) and one maximum over the step sizes.
A T-step schedule's interval then costs O(T) vector work instead of an O(L) coefficient array per T.

The result is a float sum of a few dozen terms, so it differs from completion_interval's (fsum of the
same terms, rounded differently) by less than :meth:`CompletionEnds.ends`'s ``margin``: a comparison with
a target farther than the margin is decided here, identically; a nearer one is left to the caller, who
evaluates completion_interval itself at that T (the same decision as before, whatever the rounding).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["CompletionEnds", "first_reaching"]

_EPS = 2.0**-53


class CompletionEnds:
    """The interval of a schedule's error over the monotone completions, from the schedule's step starts.

    ``gaps`` as :func:`boundcalc.completion._gaps` ((m_a, A, m_b, B), A may be ∞), ``measured`` the measured m
    (ascending) and ``values`` their d(m).
    """

    def __init__(self, length: int, gaps: Sequence[tuple[int, float, int, float]], measured: Sequence[int],
                 values: Sequence[float]) -> None:
        import numpy as np

        self.length = length
        wanted = set(measured) | {m - 1 for m in measured if m >= 1}
        for ma, _, mb, _ in gaps:
            wanted |= {ma + 1, mb - 1} | ({ma} if ma >= 0 else set())
        self.points = np.array(sorted(wanted), dtype=np.int64)
        where = {int(x): i for i, x in enumerate(self.points.tolist())}
        at = lambda m: where[m] if m >= 0 else -1  # noqa: E731 - index -1: the appended P(-1) = 0
        self.at_m = np.array([at(m) for m in measured], dtype=np.int64)
        self.before_m = np.array([at(m - 1) for m in measured], dtype=np.int64)
        self.values = np.asarray(values, dtype=np.float64)
        self.at_a = np.array([at(ma) for ma, _, _, _ in gaps], dtype=np.int64)
        self.after_a = np.array([at(ma + 1) for ma, _, _, _ in gaps], dtype=np.int64)
        self.before_b = np.array([at(mb - 1) for _, _, mb, _ in gaps], dtype=np.int64)
        self.first_inner = np.array([ma + 1 for ma, _, _, _ in gaps], dtype=np.int64)
        self.last_inner = np.array([mb - 1 for _, _, mb, _ in gaps], dtype=np.int64)
        self.bottoms = np.array([B for _, _, _, B in gaps], dtype=np.float64)
        self.spans = np.array([A - B for _, A, _, B in gaps], dtype=np.float64)
        self.finite = np.isfinite(self.spans)
        self.terms = len(measured) + 2 * len(gaps)
        self.sizes = np.zeros(length + 1, dtype=np.int64)
        self.prefix = np.zeros(self.points.size + 1, dtype=np.int64)

    def ends(self, starts: "np.ndarray") -> tuple[float, float, float]:
        """(low, high, margin): the interval of the schedule with these starts (w_0 = 0 < ... < w_T = L), and a
        bound on its distance from completion_interval's float result (high >= low as there)."""
        import numpy as np

        T = starts.size - 1
        P = self.prefix  # P at the points, then P(-1) = 0 last
        P[:-1] = starts[np.searchsorted(starts, self.points, side="right")] - 1 - self.points
        c = P[self.at_m] - P[self.before_m]
        fixed = c * self.values
        if not self.spans.size:
            total = float(fixed.sum())
            return total, total, self._margin(float(np.abs(fixed).sum()))
        sizes = self.sizes[: T + 1]  # a 0 after the last step: reduceat may point one past it
        np.subtract(starts[1:], starts[:-1], out=sizes[:T])
        lo_step = np.searchsorted(starts, self.first_inner + 1, side="left")  # steps starting in m_a+2..m_b-1
        hi_step = np.searchsorted(starts, self.last_inner, side="right")
        largest = np.maximum.reduceat(sizes, np.stack((lo_step, hi_step), axis=1).ravel())[::2]
        head = P[self.after_a]  # P(m_a + 1)
        peak = np.maximum(head, np.where(hi_step > lo_step, largest - 1, 0))
        trough = np.maximum(0, head + self.first_inner - self.last_inner)
        base_p = P[self.at_a]
        inside = P[self.before_b] - base_p
        rise, dip = np.maximum(0, peak - base_p), np.minimum(0, trough - base_p)
        base = self.bottoms * inside
        with np.errstate(invalid="ignore"):  # 0 x ∞ = 0 (completion._span)
            up = np.where(rise == 0, 0.0, self.spans * rise)
            down = np.where(dip == 0, 0.0, self.spans * dip)
        low = float(fixed.sum()) + float(base.sum()) + float(down.sum())
        high = float(fixed.sum()) + float(base.sum()) + float(up.sum())
        size = (float(np.abs(fixed).sum()) + float(np.abs(base).sum()) + float(np.abs(up[self.finite]).sum())
                + float(np.abs(down[self.finite]).sum()))
        return low, max(high, low), self._margin(size)

    def _margin(self, size: float) -> float:
        """Both float sums lie within a few roundings per term of the exact sum of the same terms: each term is at
        most two roundings off, completion_interval's fsum then one more, a numpy sum of n terms n - 1."""
        return 4 * (self.terms + 16) * _EPS * size + 1e-300


def first_reaching(starts_of: Callable[[Iterable[int]], Iterable[tuple[int, "np.ndarray | None"]]],
                   steps: range, ends: CompletionEnds, target: float, end: int, exact_at: Callable[[int], bool],
                   charge: Callable[[int], None]) -> int | None:
    """The first T of ``steps`` whose interval's ``end`` (0 low, 1 high) is <= ``target``: decided from the starts
    where the end is farther than its margin from the target, by ``exact_at(T)`` (completion_interval's own
    decision) where nearer. A T with no schedule (starts None) does not reach it. ``charge(T)`` before each T."""
    for T, starts in starts_of(steps):
        charge(T)
        if starts is None:
            continue
        low, high, margin = ends.ends(starts)
        value = high if end else low
        if value <= target - margin:
            return T
        if value > target + margin:
            continue
        if exact_at(T):
            return T
    return None

