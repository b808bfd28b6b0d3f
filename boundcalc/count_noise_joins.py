"""The interval of ``mdlm:T:NOISE`` rows over a partial curve's monotone completions from the folded forms joined to
exact coefficients at one edge of m (orchestration layer): docs/theory.md §12, "Intervals over completions, zone by
zone", *Joined to the edge*.

E error(T; d) = Σ_m c_m·d(m), c_m = start(m) − 1. For a non-increasing d and a split M, let d′ = d on the side of M
the forms resolve and d′ = d(M) on the edge (the first cells at m < M: cosine, cosine2, geometric; the last at m > M:
linear). d′ is non-increasing with no drop on the edge, and exactly

    E error(T; d) = E error(T; d′) + Σ_{m on the edge} c_m·(d(m) − d(M)).

The folded forms bracket E error(T; d′) by (lower − R)·d′ ∓ s and (upper + R)·d′ ± s (count_noise_completions'
(∗)), R·d′ = Σ_m |Δd′(m)|·W(m) charging drops off the edge only. So with the edge's coefficients known within e_m,
the linear functional ℓ = the folded vector off the edge, ĉ_m ∓ e_m on it and at M the lump that keeps ℓ's total over
the edge and M equal to the folded vector's there, brackets E error(T; d) at every completion d:
ℓ_low·d − s <= E error(T; d) <= ℓ_high·d + s. Its prefix sums are the edge's exact ones on the edge side of M and the
folded vector's on the other, so completion._interval_ends' closed form (per gap B·Σ + (A − B)·the extreme of the
gap's prefix sums) takes its extremes over the completions jointly per T, as for the folded vector, and the inner
bracket reads the other side's functional at the completion each extreme picks.

Here ℓ is the folded vector v plus a correction δ = ℓ − v supported on the edge and M, with Σδ = 0 (:func:`corrections`);
its effect on the measured entries, the gaps' sums and their prefix sums is added to those of v (:func:`edge_runs`,
called by count_noise_completions._joint_ends); count_noise_completions.joined_ends and edge_ends assemble the ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from .count_noise_expansion import _EPS, NoiseExpansion

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Edge", "edge_widths", "edge_coefficients", "corrections", "join_rounding", "edge_runs", "JOIN_MIN_LENGTH"]

#: The least L at which the intervals join the folded forms to an edge (below, every byte is the folded forms').
JOIN_MIN_LENGTH = 4097
#: The edge's width M per T: the least power of two >= JOIN_SCALE·(L·φ′_edge/T)², at least JOIN_LEAST (the first
#: cells at T are about L·φ′·h wide in m, the binomial's spread about √m: the sum follows the integral where
#: m >> (L·φ′/T)²; the scale measured at L = 16384 on the 16-point curve: cosine needs M = 16 at T = 4096, geometric
#: 32 at 4096, 16 at 6144, 8 at 12288); rows whose M would exceed JOIN_WIDEST are not joined.
JOIN_SCALE = 0.5
JOIN_LEAST = 16
JOIN_WIDEST = 1024
#: Only an edge where φ′ reaches this is joined: cosine2's φ′ is 0 at both ends, its first and last cells no wider
#: than the binomial's spread (measured at L = 16384 on the 16-point curve: the join narrows its intervals by less
#: than a quarter and moves no row's decision, while its edge window meets ~10³ steps a row).
JOIN_LEAST_SLOPE = 1.0


class Edge(NamedTuple):
    """Exact coefficients at one edge of m, per T: ``start`` True for the first cells (c_m known for m < split,
    window [0, width)), False for the last (c_m known for m > split, window [L − width, L)); ``split`` per T (the M
    of the join: 1 <= split <= width for the start, L − 1 − width <= split <= L − 2 for the end); ``values`` (T.size,
    width) the coefficients ĉ_m over the window, ``errors`` the same shape: |ĉ_m − c_m| <= errors (entries outside a
    row's edge are ignored)."""

    start: bool
    split: Any
    values: Any
    errors: Any


def _window(L: int, edge: Edge) -> "tuple[int, int]":
    """The entries δ may touch: [0, width] at the start (the lump at split <= width), [L − 1 − width, L) at the end."""
    width = int(edge.values.shape[1])
    return (0, width + 1) if edge.start else (L - 1 - width, L)


def corrections(ex: NoiseExpansion, coefficients: dict, edge: Edge, sign: float) -> Any:
    """A function rows -> (first entry s, δ over [s, s + w) for those rows): δ = ℓ − v, v the form's side vector
    (``coefficients``' combination of ex.vectors) and ℓ its join with the edge, whose entries are ĉ_m + sign·e_m on
    the edge (sign −1 the lower side, +1 the upper; flipped on the end edge, where d(m) − d(split) <= 0) and the lump
    Σ v − Σ ℓ_edge at the split (δ sums to 0 over the window)."""
    import numpy as np

    L = ex.bracket.L
    s, e = _window(L, edge)
    names = list(coefficients)
    stacked = np.stack([ex.vectors[n][s:e] for n in names])
    size = np.size(edge.split)
    alpha = np.stack([np.broadcast_to(np.asarray(coefficients[n], dtype=np.float64), (size,)) for n in names], axis=1)
    split = np.asarray(edge.split, dtype=np.int64)
    # the edge enters as Σ c_m·(d(m) − d(split)): >= 0 factors below the split, <= 0 above it, so the lower side
    # takes ĉ − e on the start edge and ĉ + e on the end edge (and the upper side the other)
    exact = edge.values + (sign if edge.start else -sign) * edge.errors
    m = np.arange(s, e)

    def delta(lo: int, hi: int) -> "tuple[int, np.ndarray]":
        v = alpha[lo:hi] @ stacked
        out = np.zeros_like(v)
        at = split[lo:hi, None]
        if edge.start:
            inside = m[None, :] < at
            out[:, :-1] = np.where(inside[:, :-1], exact[lo:hi] - v[:, :-1], 0.0)
        else:
            inside = m[None, :] > at
            out[:, 1:] = np.where(inside[:, 1:], exact[lo:hi] - v[:, 1:], 0.0)
        lump = -out.sum(axis=1)
        out[np.arange(hi - lo), split[lo:hi] - s] = lump
        return s, out

    return delta


def join_rounding(ex: NoiseExpansion, folded: Any, edge: Edge, layout: Any, top: float) -> "np.ndarray":
    """The correction's own rounding against the largest d (``top``): v over the window is a few products per entry
    (within (names + 2)ε of Σ|α_n·v_n(m)|), δ's entries one subtraction more, and each prefix sum of δ a sum of at most
    w terms, so every prefix sum (and the lump) is within 2(w + 16)ε·S, S = Σ_window(|ĉ| + e + |v|) over both sides'
    vectors; δ enters the measured entries' dot, and each gap meeting the window by its sum and one prefix sum, each
    times at most ``top``: 4(w + 16)ε·S·top·(gaps meeting the window + 1)."""
    import numpy as np

    L = ex.bracket.L
    s, e = _window(L, edge)
    size = np.size(edge.split)
    total = np.zeros(size)
    for side in ("lower", "upper"):
        for n, c in getattr(folded, side).items():
            total = total + np.abs(np.broadcast_to(np.asarray(c, dtype=np.float64), (size,))) * float(
                np.abs(ex.vectors[n][s:e]).sum())
    total = total + 2 * (np.abs(edge.values) + edge.errors).sum(axis=1)
    meeting = sum(1 for a, b in layout[1] if max(a, s) < min(b, e))
    return 4.0 * (e - s + 16) * _EPS * total * top * (meeting + 1) * (1 + 1e-6)


def edge_widths(law: Any, span: float, L: int, T: Any) -> "tuple[bool, np.ndarray]":
    """(start, M per T): the edge whose cells are the widest (the first where φ′(0) >= φ′(span), else the last) and
    its width per T (:data:`JOIN_SCALE`), 0 where it would exceed :data:`JOIN_WIDEST` or φ′ there stays below
    :data:`JOIN_LEAST_SLOPE` (not joined)."""
    import numpy as np

    slopes = law.slope(np.array([0.0, span]))
    start = bool(slopes[0] >= slopes[1])
    slope = float(max(slopes[0], slopes[1]))
    T = np.asarray(T, dtype=np.float64)
    need = JOIN_SCALE * (L * slope / T) ** 2
    width = np.maximum(JOIN_LEAST, 2.0 ** np.ceil(np.log2(np.maximum(need, 1.0)))).astype(np.int64)
    width = np.where((width <= min(JOIN_WIDEST, (L - 2) // 2)) & (slope >= JOIN_LEAST_SLOPE), width, 0)
    return start, width


def edge_coefficients() -> Any:
    """count_noise_edges.edge_starts: (noise, L, T, lo, hi) -> (start sizes on [lo, hi), a bound on every entry's
    absolute error per row, the cut mass included), the truth the forms bracket (r_k = φ(u_k) exactly)."""
    from .count_noise_edges import edge_starts

    return edge_starts


def edge_runs(edge: Any, spans: list, fixed_d: Any, lo: int, hi: int, columns: int) -> "tuple[np.ndarray, np.ndarray]":
    """For rows lo..hi: what a correction δ over entries [s, s + w) (``edge``(lo, hi) -> (s, δ)) adds to the measured
    entries' dot (δ·fixed d) and to every gap's prefix sums in the joined interiors (within a gap, the cumulative sum
    of δ over its entries; past the window, the sum over the gap's part of it)."""
    import numpy as np

    s, delta = edge(lo, hi)
    w = delta.shape[1]
    moved_fixed = delta @ fixed_d[s : s + w]
    corrections = np.zeros((hi - lo, columns))
    cut = 0
    for a, b in spans:
        first, last = max(a, s), min(b, s + w)
        if first < last:
            runs = np.cumsum(delta[:, first - s : last - s], axis=1)
            corrections[:, cut + first - a : cut + last - a] = runs
            corrections[:, cut + last - a : cut + b - a] = runs[:, -1:]
        cut += b - a
    return moved_fixed, corrections
