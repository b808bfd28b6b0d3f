"""The interval of a sweep's ``mdlm:T:NOISE`` rows over a partial curve's monotone completions, from the
T-independent forms of :mod:`boundcalc.count_noise_expansion` (orchestration layer).

An outer bracket of the interval: each form's vectors' extremes over the completions (completion._interval_ends),
combined by sign, with the form's slack at the completions' largest d and variation; and the Euler–Maclaurin form
with its remainders folded into its vectors (count_noise_local.fold), whose extremes are taken jointly per T by the
closed form of completion._interval_ends (:func:`_joint_ends`): docs/theory.md §12, "Rows from T-independent forms".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

from .count_noise_expansion import (_EPS, NoiseExpansion, _euler_maclaurin, _Form, _slack, _steps, _trapezoid,
                                    expanded_rows_truth)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .count_grid_truth import GridRow
    from .curve import LossCurve

__all__ = ["completed_rows_truth"]


def completed_rows_truth(profile: Any, samplers: "Sequence[Any]", curve: "LossCurve | None" = None,
                         vocab_size: int | None = None) -> "dict[int, GridRow]":
    """:func:`boundcalc.count_noise_expansion.expanded_rows_truth`'s rows with, on a curve with gaps, each row's
    outer bracket of the interval over the monotone completions (clipped at 0 and widened to hold the value)."""
    from .completion import has_gaps

    expansions: dict = {}
    out = expanded_rows_truth(profile, samplers, curve, vocab_size, expansions)
    if curve is None or not has_gaps(curve):
        return out
    for ex, T, rows in expansions.values():
        low, high = _ends_over_completions(ex, T, curve, vocab_size)
        values = [out[id(s)].value for s in rows]
        for sampler, a, b, v in zip(rows, low.tolist(), high.tolist(), values):
            out[id(sampler)].interval = (0.0 if a <= 0 else min(a, v), max(b, a, v))
    return out


def _ends_over_completions(ex: NoiseExpansion, T: Any, curve: "LossCurve", vocab_size: int | None
                           ) -> "tuple[np.ndarray, np.ndarray]":
    """An outer bracket (low, high) of the interval of E error(T) over every monotone completion of ``curve``: per
    form, min over the completions of lower·d >= Σ_v min of (coefficient·v)·d (each vector's extremes by
    completion._interval_ends), the max of upper·d likewise, each with the form's slack at the completions' largest
    d, their variation bounds (count_completion.completion_variation) and sup|G′|; the two forms intersected."""
    import numpy as np

    from .completion import _anchors, _gaps, _interval_ends
    from .count_completion import completion_variation

    L = ex.bracket.L
    anchors = _anchors(curve, vocab_size)
    top = np.asarray(curve.conditional("linear"), dtype=np.float64).copy()
    for ma, A, mb, _ in _gaps(curve, vocab_size):
        top[ma + 1 : mb] = A
    high_d = float(np.max(top, initial=0.0))
    if not math.isfinite(high_d):
        return np.zeros(np.size(T)), np.full(np.size(T), math.inf)
    variation = completion_variation(L, anchors)
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
    folded = _folded(ex, _euler_maclaurin(ex, T), T)  # the remainders in the vectors, extremes taken jointly
    dots = ex.dots(top)
    slack = _slack(ex, folded, dots, 0.0, 0.0, 0.0) + 18 * _EPS * (
        folded.magnitude(dots, "lower") + folded.magnitude(dots, "upper"))
    layout = _gap_layout(curve, vocab_size)
    low = np.maximum(low, _joint_ends(ex, folded, "lower", layout) - slack)
    high = np.minimum(high, _joint_ends(ex, folded, "upper", layout) + slack)
    return low - 4 * _EPS * np.abs(low), high + 4 * _EPS * np.abs(high)


def _folded(ex: NoiseExpansion, form: _Form, T: Any) -> _Form:
    """``form`` with its remainders folded into its vectors (count_noise_local.folded_ends): R = (L − 1)(1 + 8ε)·
    fold(rest1·w1 + rest0·peaks + (local·ω or rest3·w3)), lower − R and upper + R, fold's rounding in the error, the
    remainders then 0. fold is linear, so R is the fixed folded weights with the per-T factors."""
    import numpy as np

    from .count_completion import drop_weight_arrays
    from .count_noise_local import fold, twist_weights

    br = ex.bracket
    L = br.L
    if "F1" not in ex.vectors:
        w1, w3, peaks = drop_weight_arrays(L)
        omega, widest = twist_weights(L, br.law, br.s)
        for name, w in (("F1", w1), ("F0", peaks), ("F3", w3), ("Fw", omega)):
            ex.vectors[name], ex.errors[name] = fold(np.asarray(w, dtype=np.float64))
        ex.widest = widest
    h_hi, _ = _steps(ex, T)
    local = (form.local > 0) & (h_hi <= ex.widest)
    scale = (L - 1) * (1 + 8 * _EPS)
    parts = {"F1": scale * form.rest1, "F0": scale * form.rest0, "F3": np.where(local, 0.0, scale * form.rest3),
             "Fw": np.where(local, scale * form.local, 0.0)}
    lower = {**form.lower, **{n: -c for n, c in parts.items()}}
    upper = {**form.upper, **parts}
    error = {**form.error, **{f"e:{n}": c for n, c in parts.items()}}
    zero = 0 * h_hi
    return _Form(lower, upper, error, zero, zero, zero, zero)


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


def _joint_ends(ex: NoiseExpansion, form: _Form, side: str, layout: Any, chunk: int = 256) -> "np.ndarray":
    """min (side "lower") or max (side "upper") over the completions of form.side·d at every T, the vector combined
    per T before its extreme (completion._interval_ends' closed form: the measured entries, B·Σ over each gap and
    (A − B) times the extreme of the gap's prefix sums), by one matrix product per chunk of T."""
    import numpy as np

    fixed_d, spans, tops, bottoms = layout
    coefficients = getattr(form, side)
    names = list(coefficients)
    size = np.size(next(iter(coefficients.values())))
    alpha = np.stack([np.broadcast_to(np.asarray(coefficients[n], dtype=np.float64), (size,)) for n in names], axis=1)
    fixed = alpha @ np.array([float(ex.vectors[n] @ fixed_d) for n in names])
    if not spans:
        return fixed
    prefix = np.stack([np.concatenate([np.cumsum(ex.vectors[n][a:b]) for a, b in spans]) for n in names])
    cuts = np.concatenate(([0], np.cumsum([b - a for a, b in spans])[:-1]))
    lasts = np.cumsum([b - a for a, b in spans]) - 1
    out = np.empty(size)
    width = tops - bottoms
    for lo in range(0, size, chunk):
        runs = alpha[lo : lo + chunk] @ prefix
        totals = runs[:, lasts]
        if side == "upper":
            extreme = np.maximum(np.maximum.reduceat(runs, cuts, axis=1), 0.0)
        else:
            extreme = np.minimum(np.minimum.reduceat(runs, cuts, axis=1), 0.0)
        with np.errstate(invalid="ignore"):
            moved = np.where(extreme == 0, 0.0, width[None, :] * extreme)
        out[lo : lo + chunk] = fixed[lo : lo + chunk] + totals @ bottoms + moved.sum(axis=1)
    return out
