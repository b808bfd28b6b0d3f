"""The interval of a sweep's ``mdlm:T:NOISE`` rows over a partial curve's monotone completions, from the
T-independent forms of :mod:`boundcalc.count_noise_expansion` (orchestration layer).

An outer bracket of the interval: each form's vectors' extremes over the completions (completion._interval_ends),
combined by sign, with the form's slack at the completions' largest d and variation; and the Euler–Maclaurin form
with its remainders folded into its vectors (count_noise_local.fold), whose extremes are taken jointly per T by the
closed form of completion._interval_ends (:func:`_joint_ends`): docs/theory.md §12, "Rows from T-independent forms".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .count_noise_local import ZONES
from .count_noise_zones import overhang_width, sharp_bend_weights, sharp_cell_weights, sharp_twist_weights
from .count_noise_expansion import (_EPS, NoiseExpansion, _euler_maclaurin, _Form, _slack, _trapezoid,
                                    expanded_rows_truth)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .count_grid_truth import GridRow
    from .count_noise_joins import Edge
    from .curve import LossCurve

__all__ = ["completed_rows_truth", "interval_unsure", "completion_ends", "shared_expansion", "bend_weights",
           "cell_slope_weights"]


def completed_rows_truth(profile: Any, samplers: "Sequence[Any]", curve: "LossCurve | None" = None,
                         vocab_size: int | None = None, keep: "Callable[..., Any] | None" = None
                         ) -> "dict[int, GridRow]":
    """:func:`boundcalc.count_noise_expansion.expanded_rows_truth`'s rows with, on a curve with gaps, each row's
    outer bracket of the interval over the monotone completions (clipped at 0 and widened to hold the value).
    ``keep``, when given, chooses the rows: keep(expansion, T, values, errors) -> a mask over the noise's rows (their
    T, values and certified errors, arrays), called before any interval is computed; the others are left out."""
    import numpy as np

    from .completion import has_gaps

    expansions: dict = {}
    out = expanded_rows_truth(profile, samplers, curve, vocab_size, expansions)
    gaps = curve is not None and has_gaps(curve)
    for ex, T, rows in expansions.values():
        if keep is not None:
            values = np.array([out[id(s)].value for s in rows])
            mask = np.asarray(keep(ex, T, values, np.array([out[id(s)].error for s in rows])), dtype=bool)
            for sampler in (s for s, kept in zip(rows, mask.tolist()) if not kept):
                del out[id(sampler)]
            rows, T = [s for s, kept in zip(rows, mask.tolist()) if kept], T[mask]
        if not gaps or not rows:
            continue
        low, high, _, _ = completion_ends(ex, T, curve, vocab_size)  # type: ignore[arg-type]
        values_now = [out[id(s)].value for s in rows]
        for sampler, a, b, v in zip(rows, low.tolist(), high.tolist(), values_now):
            out[id(sampler)].interval = (0.0 if a <= 0 else min(a, v), max(b, a, v))
    return out


def interval_unsure(ex: NoiseExpansion, steps: Any, curve: "LossCurve", vocab_size: int | None = None
                    ) -> "np.ndarray":
    """Per T of ``steps``: how far each end of the interval of E error(T) over the completions may lie inside its
    outer bracket (the one :func:`completed_rows_truth` prints): max(inner low − low, high − inner high), inf where
    an end is not finite (:func:`completion_ends`), and inf (not computed) at the T whose cells are wider than the
    sharp zone weights' overhang (count_noise_zones.overhang_width: T <= 1024 at 64 zones, where the intervals are far
    from sure at the L this runs at; so the old weights are never built for a decision)."""
    import numpy as np

    T = np.asarray(steps, dtype=np.int64)
    out = np.full(T.size, np.inf)
    with np.errstate(divide="ignore"):
        sharp = ex.bracket.s / np.maximum(T, 1) * (1 + 8 * _EPS) <= overhang_width(ex.bracket.s, ZONES)
    if sharp.any():
        out[sharp] = _unsure(*completion_ends(ex, T[sharp], curve, vocab_size))
    return out


_EXPANSIONS: dict = {}


def shared_expansion(noise: str, conditional: Any) -> NoiseExpansion:
    """NoiseExpansion(noise, d), built once per (noise, d) for the estimate's decision and every chunk of rows that
    asks it again (the vectors are fixed; the folded weights it gains are shared too)."""
    import hashlib

    import numpy as np

    d = np.ascontiguousarray(conditional, dtype=np.float64)
    key = (noise, d.size, hashlib.sha1(d.tobytes()).hexdigest())
    if key not in _EXPANSIONS:
        if len(_EXPANSIONS) >= 8:
            _EXPANSIONS.clear()
        _EXPANSIONS[key] = NoiseExpansion(noise, d)
    return _EXPANSIONS[key]


_ENDS: dict = {}


def completion_ends(ex: NoiseExpansion, T: Any, curve: "LossCurve", vocab_size: int | None
                    ) -> "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]":
    """:func:`_ends_over_completions`, each T's four ends kept per (noise, d, curve, vocab) so that the estimate's
    decision and the rows it takes compute them once."""
    import hashlib

    import numpy as np

    d = np.ascontiguousarray(ex.bracket.d, dtype=np.float64)
    digest = hashlib.sha1(d.tobytes())
    for part in (curve.masked, curve.conditional("linear")):
        digest.update(np.ascontiguousarray(part).tobytes())
    key = (ex.bracket.law.name, curve.length, vocab_size, digest.hexdigest())
    if key not in _ENDS:
        if len(_ENDS) >= 16:
            _ENDS.clear()
        _ENDS[key] = {}
    known = _ENDS[key]
    T = np.asarray(T, dtype=np.int64)
    missing = np.unique(T[[t not in known for t in T.tolist()]])
    if missing.size:
        found = _ends_over_completions(ex, missing, curve, vocab_size)
        known.update(zip(missing.tolist(), zip(*(f.tolist() for f in found))))
    ends = np.array([known[t] for t in T.tolist()], dtype=np.float64).reshape(T.size, 4)
    return ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3]


def _unsure(low: Any, high: Any, inner_low: Any, inner_high: Any) -> "np.ndarray":
    """max(inner_low − low, high − inner_high), inf where either is not finite: the most either end of the
    interval over the completions may lie inside the outer bracket."""
    import numpy as np

    with np.errstate(invalid="ignore"):
        gap = np.maximum(inner_low - low, high - inner_high)
    return np.where(np.isfinite(gap), np.maximum(gap, 0.0), np.inf)


def _ends_over_completions(ex: NoiseExpansion, T: Any, curve: "LossCurve", vocab_size: int | None
                           ) -> "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]":
    """(low, high, inner low, inner high) at every T: the interval of E error(T) over every monotone completion of
    ``curve`` has its low end in [low, inner low] and its high end in [inner high, high]. The outer ends are those
    of :func:`_separate_ends` and :func:`_folded_ends` intersected, the inner ones :func:`_folded_ends`'; from
    L >= JOIN_MIN_LENGTH also those of the folded forms joined to an edge's exact coefficients
    (count_noise_joins.edge_ends), each end the tighter of the valid ones."""
    import numpy as np

    from .completion import _gaps
    from .count_noise_joins import JOIN_MIN_LENGTH

    top = np.asarray(curve.conditional("linear"), dtype=np.float64).copy()
    for ma, A, mb, _ in _gaps(curve, vocab_size):
        top[ma + 1 : mb] = A
    if not math.isfinite(float(np.max(top, initial=0.0))):
        return np.zeros(np.size(T)), np.full(np.size(T), math.inf), np.full(np.size(T), math.inf), np.zeros(np.size(T))
    low, high = _separate_ends(ex, T, curve, vocab_size, top)
    parts = _folded_parts(ex, T, curve, vocab_size, top)
    slack = parts["slack"]
    least, most, inner_low, inner_high = parts["ends"]
    least, most, inner_low, inner_high = least - slack, most + slack, inner_low + slack, inner_high - slack
    low, high = np.maximum(low, least), np.minimum(high, most)
    if ex.bracket.L >= JOIN_MIN_LENGTH:  # the folded forms joined to the edge's exact coefficients (count_noise_joins)
        joined = edge_ends(ex, T, curve, vocab_size, top, parts=parts)
        low, high = np.maximum(low, joined[0]), np.minimum(high, joined[1])
        inner_low, inner_high = np.minimum(inner_low, joined[2]), np.maximum(inner_high, joined[3])
    widen = 4 * _EPS
    return (low - widen * np.abs(low), high + widen * np.abs(high), inner_low + widen * np.abs(inner_low),
            inner_high - widen * np.abs(inner_high))


def _separate_ends(ex: NoiseExpansion, T: Any, curve: "LossCurve", vocab_size: int | None, top: Any
                   ) -> "tuple[np.ndarray, np.ndarray]":
    """An outer bracket (low, high) of the interval: per form, min over the completions of lower·d >= Σ_v min of
    (coefficient·v)·d (each vector's extremes by completion._interval_ends), the max of upper·d likewise, each with
    the form's slack at the completions' largest d (``top``, finite), their variation bounds
    (count_completion.completion_variation) and sup|G′|; the two forms intersected."""
    import numpy as np

    from .completion import _anchors, _interval_ends
    from .count_completion import completion_variation

    L = ex.bracket.L
    high_d = float(np.max(top, initial=0.0))
    variation = completion_variation(L, _anchors(curve, vocab_size))
    tv1 = min((L - 1) * 2 * high_d, variation.tv1)
    tv3 = min(float(L - 1) * (L - 2) * (L - 3) * 8 * high_d, variation.tv3)
    slope = min(variation.slope, 2 * (L - 1) * high_d)
    ends = _interval_ends(curve, vocab_size)
    extremes = {name: ends(v) for name, v in ex.vectors.items()}
    dots = ex.dots(top)
    low, high = np.full(np.size(T), -math.inf), np.full(np.size(T), math.inf)
    for form in (_trapezoid(ex, T), _euler_maclaurin(ex, T)):
        slack = _slack(ex, form, dots, tv1, tv3, slope) + 16 * _EPS * (
            form.magnitude(dots, "lower") + form.magnitude(dots, "upper"))
        least = sum(np.where(c >= 0, c * extremes[n][0], c * extremes[n][1]) for n, c in form.lower.items())
        most = sum(np.where(c >= 0, c * extremes[n][1], c * extremes[n][0]) for n, c in form.upper.items())
        low, high = np.maximum(low, least - slack), np.minimum(high, most + slack)
    return low, high


def _folded_ends(ex: NoiseExpansion, T: Any, curve: "LossCurve", vocab_size: int | None, top: Any
                 ) -> "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]":
    """(low, high, inner low, inner high) from the Euler–Maclaurin form with its remainders folded into its vectors
    (:func:`_folded`), which brackets E error(T) at every completion d: (lower − R)·d − s <= E error <= (upper + R)·d
    + s, s its slack at ``top``. Outer: the extremes over the completions of (lower − R)·d and (upper + R)·d, taken
    jointly (:func:`_joint_ends`). Inner: the true low end is at most E error at any one completion, so at most
    (upper + R)·d + s there, d the completion attaining the least (lower − R)·d; the high end likewise."""

    parts = _folded_parts(ex, T, curve, vocab_size, top)
    least, most, inner_low, inner_high = parts["ends"]
    slack = parts["slack"]
    return least - slack, most + slack, inner_low + slack, inner_high - slack


def _folded_parts(ex: NoiseExpansion, T: Any, curve: "LossCurve", vocab_size: int | None, top: Any) -> dict:
    """What :func:`_folded_ends` computes before its slack: the folded form, its slack, the gaps' layout, the four
    ends (least, most, inner low, inner high: the extremes and the other side at their picks) and the picks, so that
    :func:`joined_ends` redoes only the gaps an edge meets."""
    folded = _folded(ex, _euler_maclaurin(ex, T), T)  # the remainders in the vectors, extremes taken jointly
    dots = ex.dots(top)
    slack = _slack(ex, folded, dots, 0.0, 0.0, 0.0) + 18 * _EPS * (
        folded.magnitude(dots, "lower") + folded.magnitude(dots, "upper"))
    layout = _gap_layout(curve, vocab_size)
    least, low_picks = _joint_ends(ex, folded, "lower", layout, picks=True)
    most, high_picks = _joint_ends(ex, folded, "upper", layout, picks=True)
    inner_low = _at_picks(ex, folded.upper, layout, low_picks)
    inner_high = _at_picks(ex, folded.lower, layout, high_picks)
    return {"folded": folded, "slack": slack, "layout": layout, "ends": (least, most, inner_low, inner_high),
            "picks": (low_picks, high_picks)}


def _folded(ex: NoiseExpansion, form: _Form, T: Any) -> _Form:
    """``form`` (the Euler–Maclaurin form) with its remainders folded into its vectors (count_noise_local.folded_ends):
    R = (L − 1)(1 + 8ε)·fold(rest1′·w1 + rest0′·peaks + L·per_a·α + (local·(ω + (h³Φ2/6)·τ) or rest3·w3)), lower − R
    and upper + R, fold's rounding in the error, the remainders then 0. rest1′ and rest0′ are rest1 and rest0 without
    their TV(a) parts L·per_a·Φ1·TV(G′) and L·per_a·TV(φ′)·sup|G′| (ex.slope_turns >= TV(φ′)), which the zones' weights α charge instead
    (:func:`bend_weights`), and, where the cells keep to the zones, without R5's L·(h³Φ1Φ2/6)·TV(G′), charged by τ
    (:func:`cell_slope_weights`): φ′ where each drop sits. fold is linear, so R is the fixed folded weights with the
    per-T factors."""
    import numpy as np

    from .count_completion import drop_weight_arrays
    from .count_noise_expansion import _shared
    from .count_noise_local import fold, twist_weights

    br = ex.bracket
    L = br.L
    if "F1" not in ex.vectors:
        w1, w3, peaks = drop_weight_arrays(L)
        _, ex.widest = twist_weights(L, br.law, br.s)
        for name, w in (("F1", w1), ("F0", peaks), ("F3", w3)):
            ex.vectors[name], ex.errors[name] = fold(np.asarray(w, dtype=np.float64))
    _, h_hi, _, _, (f1, f2, _), per_a, _ = _shared(ex, T)
    grow = 1 + 16 * _EPS
    local = (form.local > 0) & (h_hi <= ex.widest)
    overhang = min(ex.widest, overhang_width(br.s, ZONES))
    sharp = local & (h_hi <= overhang)  # every cell meets only zones whose overhang holds it
    _, _, _, width, _, _, _ = _shared(ex, T[:1])
    bent = (h_hi <= overhang) & (width <= overhang)  # and every block: α may take each zone's own Φ2
    bend = L * per_a * grow  # L·per_a·TV(a), TV(a) <= (L − 1)·Σ_m |Δd(m)|·α(m)
    cells = np.where(local, L * h_hi**3 * f2 / 6 * grow, 0.0)  # R5 zone by zone where the cells keep to them
    known = L * np.where(local, per_a * f1 + h_hi**3 * f1 * f2 / 6, per_a * f1) * grow
    rest1 = np.maximum(form.rest1 - known, 0.0) + 8 * _EPS * form.rest1  # the subtraction's rounding
    rest0 = np.maximum(form.rest0 - L * per_a * ex.slope_turns * grow, 0.0) + 4 * _EPS * form.rest0
    scale = (L - 1) * (1 + 8 * _EPS)
    parts = {"F1": scale * rest1, "F0": scale * rest0, "F3": np.where(local, 0.0, scale * form.rest3),
             "Fw": np.where(local & ~sharp, scale * form.local, 0.0), "Fa": np.where(bent, 0.0, scale * bend),
             "Fa2": np.where(bent, scale * bend, 0.0),
             "Fc": np.where(sharp, 0.0, scale * cells), "Fw2": np.where(sharp, scale * form.local, 0.0),
             "Fc2": np.where(sharp, scale * cells, 0.0)}
    # a weight no T of these takes is neither built nor combined (each costs ~0.1–0.6 s at L = 16384)
    parts = {n: c for n, c in parts.items() if n in ("F1", "F0") or np.any(c != 0)}
    _zone_weights(ex, parts)
    lower = {**form.lower, **{n: -c for n, c in parts.items()}}
    upper = {**form.upper, **parts}
    error = {**form.error, **{f"e:{n}": c for n, c in parts.items()}}
    zero = 0 * h_hi
    return _Form(lower, upper, error, zero, zero, zero, zero)


def _zone_weights(ex: NoiseExpansion, names: Any) -> None:
    """The folded zone weights among ``names`` not yet in ex.vectors: ω (Fw), α (Fa), τ (Fc) and their sharp forms
    (Fw2, Fa2 with each zone's Φ2, Fc2: count_noise_zones, docs/theory.md §12 (5)), each folded once per expansion."""
    import numpy as np

    from .count_noise_local import fold, twist_weights

    br = ex.bracket
    L = br.L
    makers = {"Fw": lambda: twist_weights(L, br.law, br.s)[0], "Fc": lambda: cell_slope_weights(L, br.law, br.s),
              "Fa": lambda: sharp_bend_weights(L, br.law, br.s, ZONES),
              "Fa2": lambda: sharp_bend_weights(L, br.law, br.s, ZONES, True),
              "Fc2": lambda: sharp_cell_weights(L, br.law, br.s, ZONES),
              "Fw2": lambda: sharp_twist_weights(L, br.law, br.s, ZONES)}
    for name in names:
        if name not in ex.vectors:
            ex.vectors[name], ex.errors[name] = fold(np.asarray(makers[name](), dtype=np.float64))


_BEND: dict = {}


def _zone_layout(L: int, law: Any, span: float, zones: int, doubled: bool) -> tuple:
    """What :func:`bend_weights` and :func:`cell_slope_weights` start from: TV(b_{m,K}) (w1, K = L − 2), the zones'
    ends in u (each zone [z_j, z_{j+1}], or [z_j, z_{j+2}] ∩ [0, 1 − δ] when ``doubled``, as zone_variations), φ′'s
    top on each, their r-ranges [x1, x2] widened by φ's relative error, the log-factorials and m = 0..K."""
    import numpy as np

    from .count_completion import drop_weight_arrays

    K = L - 2
    w1, _, _ = drop_weight_arrays(L)
    z = np.arange(zones + 1, dtype=np.float64) * (span / zones)
    z[-1] = span * (1 + 2 * _EPS)
    lo_u, hi_u = z[:-1], (np.append(z[2:], z[-1]) if doubled else z[1:])
    _, top = law.slope_range(lo_u, hi_u)
    x1 = np.maximum(law.phi(lo_u) * (1 - 2 * law.relative) - 2.0**-1000, 0.0)
    x2 = np.minimum(law.phi(hi_u) * (1 + 2 * law.relative) + 2.0**-1000, 1.0)
    lf = np.array([math.lgamma(k + 1) for k in range(K + 1)])
    return w1, lo_u, hi_u, top, x1, x2, lf, np.arange(K + 1)


def bend_weights(L: int, law: Any, span: float, zones: int = ZONES) -> Any:
    """α(m), m = 0..L − 2, with TV(a) <= (L − 1)·Σ_m |Δd(m)|·α(m) over [0, span] for every d, a = −G′(φ(u))·φ′(u)
    (docs/theory.md §12, "Intervals over completions, zone by zone"): over J disjoint zones U_j = [z_j, z_{j+1}],
    TV_{U_j}(b_{m,K}∘φ·φ′) <= Φ1_j·TV_{I_j}(b_{m,K}) + max_{I_j} b_{m,K}·Φ2·|U_j|, I_j ⊇ φ(U_j), Φ1_j >= φ′ on U_j,
    TV_{I_j}(b) <= min(2·max_{I_j} b, TV(b)) (unimodal). Once per (noise, L, span, zones)."""
    import numpy as np

    from .count_noise_local import _bernstein_max

    key = (law.name, L, span, zones)
    if key not in _BEND:
        w1, lo_u, hi_u, top, x1, x2, lf, m = _zone_layout(L, law, span, zones, doubled=False)
        width = (hi_u - lo_u) * (1 + 4 * _EPS) + 4 * _EPS * span
        out = np.zeros(L - 1)
        for j in range(zones):
            peak = _bernstein_max(lf, L - 2, m, x1[j], x2[j])
            out += top[j] * np.minimum(2 * peak, w1) + law.bend_top * width[j] * peak
        if len(_BEND) > 8:
            _BEND.clear()
        _BEND[key] = out * (1 + (2 * zones + 16) * _EPS)
    return _BEND[key]


def cell_slope_weights(L: int, law: Any, span: float, zones: int = ZONES) -> Any:
    """τ(m), m = 0..L − 2, with Σ_k Φ1(cell k)·TV_cell(G′) <= (L − 1)·Σ_m |Δd(m)|·τ(m) for every d and every
    h = (1 − δ)/T up to the zones' least width (count_noise_local.zone_variations' zones: a cell whose left end lies
    in zone j lies in [z_j, z_{j+2}], where φ′ <= Φ1_j and r lies in [x1_j, x2_j]; a zone's cells are disjoint):
    τ(m) = Σ_j Φ1_j·min(2·max_[x1_j, x2_j] b_{m,K}, TV(b_{m,K})). Euler–Maclaurin's R5 (|Δr_k² − h²φ′²| <=
    2h³Φ1_jΦ2 on such a cell) is then at most (h³Φ2/6)·(L − 1)·Σ_m |Δd(m)|·τ(m) (docs/theory.md §12)."""
    import numpy as np

    from .count_noise_local import _bernstein_max

    key = ("cells", law.name, L, span, zones)
    if key not in _BEND:
        w1, _, _, top, x1, x2, lf, m = _zone_layout(L, law, span, zones, doubled=True)
        out = np.zeros(L - 1)
        for j in range(zones):
            out += top[j] * np.minimum(2 * _bernstein_max(lf, L - 2, m, x1[j], x2[j]), w1)
        if len(_BEND) > 8:
            _BEND.clear()
        _BEND[key] = out * (1 + (zones + 16) * _EPS)
    return _BEND[key]


def _gap_layout(curve: "LossCurve", vocab_size: int | None) -> Any:
    """(fixed d (measured entries, 0 elsewhere), the gaps' interiors as index arrays, their A, B)."""
    import numpy as np

    from .completion import _gaps

    L = curve.length
    d = curve.conditional("linear")
    measured = np.zeros(L, dtype=bool)
    measured[L - curve.masked] = True
    gaps = _gaps(curve, vocab_size)
    return np.where(measured, d, 0.0), [(ma + 1, mb) for ma, _, mb, _ in gaps], \
        np.array([g[1] for g in gaps]), np.array([g[3] for g in gaps])


def _joint_ends(ex: NoiseExpansion, form: _Form, side: str, layout: Any, chunk: int = 256, picks: bool = False,
                edge: Any = None) -> Any:
    """min (side "lower") or max (side "upper") over the completions of form.side·d at every T, the vector combined
    per T before its extreme (completion._interval_ends' closed form: the measured entries, B·Σ over each gap and
    (A − B) times the extreme of the gap's prefix sums), by one matrix product per chunk of T. With ``picks``:
    (those ends, the completion attaining each: per T and gap the index of its step's last A entry in the gaps'
    joined interiors, −1 for none: d = B on the whole interior). ``edge``: rows -> (s, δ) adds a correction δ over
    entries [s, s + w) to each T's vector (count_noise_joins: the join with an edge's exact coefficients)."""
    import numpy as np

    from .count_noise_joins import edge_runs

    fixed_d, spans, tops, bottoms = layout
    coefficients = getattr(form, side)
    names = list(coefficients)
    size = np.size(next(iter(coefficients.values())))
    alpha = np.stack([np.broadcast_to(np.asarray(coefficients[n], dtype=np.float64), (size,)) for n in names], axis=1)
    fixed = alpha @ np.array([float(ex.vectors[n] @ fixed_d) for n in names])
    chosen = np.full((size, len(spans)), -1, dtype=np.int64)
    if not spans:
        if edge is not None:
            fixed = fixed + _edge_fixed(edge, fixed_d, size)
        return (fixed, chosen) if picks else fixed
    prefix = np.stack([np.concatenate([np.cumsum(ex.vectors[n][a:b]) for a, b in spans]) for n in names])
    cuts = np.concatenate(([0], np.cumsum([b - a for a, b in spans])[:-1]))
    lasts = np.cumsum([b - a for a, b in spans]) - 1
    out = np.empty(size)
    width = tops - bottoms
    for lo in range(0, size, chunk):
        runs = alpha[lo : lo + chunk] @ prefix
        if edge is not None:
            moved_fixed, corrections = edge_runs(edge, spans, fixed_d, lo, min(lo + chunk, size), runs.shape[1])
            runs += corrections
            fixed[lo : lo + chunk] += moved_fixed
        totals = runs[:, lasts]
        if picks:  # the extremes' places, and the extremes read there (the same floats as reduceat's)
            rows = np.arange(runs.shape[0])
            at = np.stack([(runs[:, cut : last + 1].argmax(axis=1) if side == "upper"
                            else runs[:, cut : last + 1].argmin(axis=1)) + cut
                           for cut, last in zip(cuts.tolist(), lasts.tolist())], axis=1)
            found = runs[rows[:, None], at]
        else:
            found = (np.maximum if side == "upper" else np.minimum).reduceat(runs, cuts, axis=1)
        extreme = np.maximum(found, 0.0) if side == "upper" else np.minimum(found, 0.0)
        with np.errstate(invalid="ignore"):
            moved = np.where(extreme == 0, 0.0, width[None, :] * extreme)
        out[lo : lo + chunk] = fixed[lo : lo + chunk] + totals @ bottoms + moved.sum(axis=1)
        if picks:
            chosen[lo : lo + chunk] = np.where((extreme != 0) & np.isfinite(width)[None, :], at, -1)
    return (out, chosen) if picks else out


def _at_picks(ex: NoiseExpansion, coefficients: dict, layout: Any, chosen: Any, edge: Any = None) -> "np.ndarray":
    """coefficients·d at every T for the completion ``chosen`` picks for that T (:func:`_joint_ends`): the measured
    entries, B·Σ over each gap and (A − B) times the gap's prefix sum up to the pick (0 for none); ``edge`` as
    :func:`_joint_ends`'."""
    import numpy as np

    from .count_noise_joins import edge_runs

    fixed_d, spans, tops, bottoms = layout
    names = list(coefficients)
    size = chosen.shape[0]
    alpha = np.stack([np.broadcast_to(np.asarray(coefficients[n], dtype=np.float64), (size,)) for n in names], axis=1)
    fixed = alpha @ np.array([float(ex.vectors[n] @ fixed_d) for n in names])
    if not spans:
        return fixed if edge is None else fixed + _edge_fixed(edge, fixed_d, size)
    prefix = np.stack([np.concatenate([np.cumsum(ex.vectors[n][a:b]) for a, b in spans]) for n in names])
    lasts = np.cumsum([b - a for a, b in spans]) - 1
    totals = alpha @ prefix[:, lasts]
    at = np.einsum("tn,ntg->tg", alpha, prefix[:, np.maximum(chosen, 0)])
    if edge is not None:
        for lo in range(0, size, 256):
            hi = min(lo + 256, size)
            moved_fixed, corrections = edge_runs(edge, spans, fixed_d, lo, hi, prefix.shape[1])
            fixed[lo:hi] += moved_fixed
            totals[lo:hi] += corrections[:, lasts]
            at[lo:hi] += np.take_along_axis(corrections, np.maximum(chosen[lo:hi], 0), axis=1)
    with np.errstate(invalid="ignore"):
        moved = np.where(chosen < 0, 0.0, (tops - bottoms)[None, :] * at)
    return fixed + totals @ bottoms + moved.sum(axis=1)


def joined_ends(ex: NoiseExpansion, T: Any, curve: "LossCurve", vocab_size: int | None, top: Any, edge: "Edge",
                parts: "dict | None" = None) -> "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]":
    """(low, high, inner low, inner high) at every T from the folded Euler–Maclaurin form joined to ``edge``
    (:mod:`boundcalc.count_noise_joins`: the folded vector on one side of the split, the edge's exact coefficients
    on the other, the lump at the split): low <= the least E error(T) over the completions <= inner low, inner
    high <= the largest <= high. ``top`` the completions' largest d entrywise (finite). The closed form is a sum over
    the gaps, so the folded form's ends (``parts``, :func:`_folded_parts` at these T; computed when None) change
    only by the measured entries' dot and the gaps that meet the edge's window: those are redone, with and without
    the correction, and the difference added (its rounding, 8ε of the magnitudes, to the slack)."""
    import numpy as np

    from .count_noise_joins import corrections, join_rounding

    T = np.asarray(T, dtype=np.int64)
    parts = _folded_parts(ex, T, curve, vocab_size, top) if parts is None else parts
    folded, layout = parts["folded"], parts["layout"]
    least, most, inner_low, inner_high = parts["ends"]
    low_picks, high_picks = parts["picks"]
    fixed_d, spans, tops, bottoms = layout
    start, stop = (0, edge.values.shape[1] + 1) if edge.start else (ex.bracket.L - 1 - edge.values.shape[1],
                                                                   ex.bracket.L)
    meeting = [g for g, (a, b) in enumerate(spans) if max(a, start) < min(b, stop)]
    sub = (fixed_d, [spans[g] for g in meeting], tops[meeting], bottoms[meeting])
    lower_fix = corrections(ex, folded.lower, edge, -1.0)
    upper_fix = corrections(ex, folded.upper, edge, 1.0)
    # the picks index the gaps' joined interiors: from the whole layout's columns to the meeting gaps' own
    widths = np.array([b - a for a, b in spans], dtype=np.int64)
    full_cut = np.concatenate(([0], np.cumsum(widths)[:-1]))[meeting]
    sub_cut = np.concatenate(([0], np.cumsum(widths[meeting])[:-1])) if meeting else np.zeros(0, dtype=np.int64)

    def own(chosen: Any) -> Any:
        return np.where(chosen[:, meeting] < 0, -1, chosen[:, meeting] - full_cut + sub_cut)

    moved = []
    for side, other, fix, other_fix, picks in (("lower", "upper", lower_fix, upper_fix, low_picks),
                                               ("upper", "lower", upper_fix, lower_fix, high_picks)):
        joined, joined_picks = _joint_ends(ex, folded, side, sub, picks=True, edge=fix)
        alone, _ = _joint_ends(ex, folded, side, sub, picks=True)
        there = _at_picks(ex, getattr(folded, other), sub, joined_picks, edge=other_fix)
        before = _at_picks(ex, getattr(folded, other), sub, own(picks))
        moved.append((joined - alone, there - before, np.abs(joined) + np.abs(alone) + np.abs(there) + np.abs(before)))
    (low_move, inner_low_move, size_low), (high_move, inner_high_move, size_high) = moved
    slack = parts["slack"] + join_rounding(ex, folded, edge, layout, float(np.max(top, initial=0.0))) \
        + 8 * _EPS * (size_low + size_high + np.abs(least) + np.abs(most) + np.abs(inner_low) + np.abs(inner_high))
    return (least + low_move - slack, most + high_move + slack, inner_low + inner_low_move + slack,
            inner_high + inner_high_move - slack)


def edge_ends(ex: NoiseExpansion, T: Any, curve: "LossCurve", vocab_size: int | None, top: Any,
              coefficients: Any = None, parts: "dict | None" = None
              ) -> "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]":
    """:func:`joined_ends` at every T of ``T`` that :func:`edge_widths` joins (rows grouped by their width), from
    ``coefficients`` (noise, L, T, lo, hi) -> (start sizes on [lo, hi), an absolute error bound per row; by default
    count_noise_edges.edge_starts); the other T get (−inf, inf, inf, −inf): no bracket. ``parts``: the folded
    form's (:func:`_folded_parts` at these T), reused."""
    import numpy as np

    from .count_noise_joins import Edge, edge_coefficients, edge_widths

    T = np.asarray(T, dtype=np.int64)
    low, high = np.full(T.size, -np.inf), np.full(T.size, np.inf)
    inner_low, inner_high = np.full(T.size, np.inf), np.full(T.size, -np.inf)
    provider = edge_coefficients() if coefficients is None else coefficients
    br = ex.bracket
    L = br.L
    if provider is None or L < 4:
        return low, high, inner_low, inner_high
    start, widths = edge_widths(br.law, br.s, L, T)
    for width in np.unique(widths[widths > 0]).tolist():
        rows = np.flatnonzero(widths == width)
        lo, hi = (0, width) if start else (L - width, L)
        starts, error = provider(br.law.name, L, T[rows], lo, hi)
        values = np.asarray(starts, dtype=np.float64) - 1.0  # c_m = start(m) − 1, within 2ε|c| more
        errors = np.asarray(error, dtype=np.float64)[:, None] * (1 + 4 * _EPS) + 2 * _EPS * np.abs(values)
        split = np.full(rows.size, width if start else L - 1 - width)
        edge = Edge(start, split, values, errors)
        found = joined_ends(ex, T[rows], curve, vocab_size, top, edge, None if parts is None else _rows_of(parts, rows))
        low[rows], high[rows], inner_low[rows], inner_high[rows] = found
    return low, high, inner_low, inner_high


def _rows_of(parts: dict, rows: Any) -> dict:
    """:func:`_folded_parts`' pieces at the rows ``rows`` only (the form's coefficients, slack, ends and picks)."""
    import numpy as np

    def pick(x: Any) -> Any:
        return x[rows] if np.ndim(x) else x

    folded = parts["folded"]
    lower, upper, error = ({n: pick(c) for n, c in getattr(folded, side).items()} for side in ("lower", "upper", "error"))
    sliced = _Form(lower, upper, error, pick(folded.rest1), pick(folded.rest3), pick(folded.rest0), pick(folded.local))
    return {"folded": sliced, "slack": pick(parts["slack"]), "layout": parts["layout"],
            "ends": tuple(e[rows] for e in parts["ends"]), "picks": tuple(p[rows] for p in parts["picks"])}


def _edge_fixed(edge: Any, fixed_d: Any, size: int) -> "np.ndarray":
    """What an edge's correction adds to the measured entries' dot alone (no gap), every row."""
    import numpy as np

    out = np.empty(size)
    for lo in range(0, size, 256):
        s, delta = edge(lo, min(lo + 256, size))
        out[lo : lo + 256] = delta @ fixed_d[s : s + delta.shape[1]]
    return out
