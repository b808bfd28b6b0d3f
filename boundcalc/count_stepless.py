"""Which of a sweep's rows of MDLM's other noises take the engine that reads no step (orchestration): the policy.

The expected error of a row ``mdlm:T:NOISE`` comes either from the direct batch over its steps
(:mod:`boundcalc.count_noise_truth`: every start size, ~0.5 µs a step, a certified error ~10⁻⁹ relative) or from
the T-independent Euler–Maclaurin forms (:mod:`boundcalc.count_noise_expansion`: O(1) a row, no step read, a
certified error that shrinks with T: at L = 16384, 10⁻⁴–2·10⁻³ relative at T = L/10, 10⁻⁷–10⁻⁵ at T = L).
The forms are taken only

* at L > 4096 (:data:`STEPLESS_MIN_LENGTH`): every sweep of L <= 4096 keeps the direct batch's values and bytes;
* for a row whose certified error is at most 10⁻⁴ of its value (:data:`STEPLESS_RELATIVE`), so the printed value
  keeps four significant digits; the other rows (small T) go to the direct batch, whatever they cost;
* where no interval over a measured curve's completions is asked (a data model, or a curve without gaps): the forms'
  interval is an outer bracket far wider than the direct batch's (L = 16384, the 16-point curve, linear at
  T = 8705: [0, 62.8] against [16.24, 28.26]; still 3 % wider at T = 15361), so a partial curve keeps the direct
  batch for every row.

The bounds of a row (E c(S_max) of each bound, E S_max, E #non-empty steps) likewise come, at L > 4096, from bins
of steps (:mod:`boundcalc.count_noise_bins`: no step read, O(bins·cap) a row) for every row they take (T above a
few percent of L), whatever the source: their certified widths are the flat rows' own negative-association/union
gap within ~1.1–4x (L = 8192, linear: theorem1 at T = 4000 31.0148 ± 0.00076 against 31.0151 ± 0.00019, sharp at
T = 8192 13.99 ± 0.23 against 13.9944 ± 0.22); the other rows keep :mod:`boundcalc.count_flat_rows`.

At L = 16384 with the benchmark's 16-point curve's d (measured at every k) that is T >= 1546 for cosine (99 % of the steps), 1561 for
cosine2 (99 %), 8322 for linear (74 %) and 4235 for geometric (93 %). The up-front estimate makes the same
decision from the same brackets (:func:`expanded_steps`), before any row is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .count_grid_truth import GridRow
    from .curve import LossCurve

__all__ = ["STEPLESS_MIN_LENGTH", "STEPLESS_RELATIVE", "expanded_truth", "expanded_steps", "needs_intervals",
           "forms_steps", "binned_reports", "binned_steps"]

#: The least L whose noise rows may take the forms (below, every value and byte is the direct batch's).
STEPLESS_MIN_LENGTH = 4097
#: A row takes the forms only when their certified error is at most this fraction of its value.
STEPLESS_RELATIVE = 1e-4


def expanded_truth(profile: Any, samplers: "Sequence[Any]", curve: "LossCurve | None" = None,
                   vocab_size: int | None = None) -> "dict[int, GridRow]":
    """:func:`boundcalc.count_noise_completions.completed_rows_truth`'s rows (by id) of the samplers the policy gives
    the forms (L >= :data:`STEPLESS_MIN_LENGTH`, certified error <= :data:`STEPLESS_RELATIVE` of the value, no
    interval over completions asked); the others are not in it (take them to the direct batch)."""
    if int(profile.length) < STEPLESS_MIN_LENGTH or needs_intervals(curve):
        return {}
    from .count_noise_completions import completed_rows_truth

    found = completed_rows_truth(profile, samplers, curve, vocab_size)
    return {key: row for key, row in found.items() if row.error <= STEPLESS_RELATIVE * abs(row.value)}


def needs_intervals(curve: "LossCurve | None") -> bool:
    """True when the rows carry intervals over a measured curve's monotone completions (a curve with gaps)."""
    if curve is None or curve.exact:
        return False
    from .completion import has_gaps

    return bool(has_gaps(curve))


def expanded_steps(noise: str, conditional: Any, steps: Sequence[int]) -> "np.ndarray":
    """Per T of ``steps``: True where :func:`expanded_truth` gives the row ``mdlm:T:NOISE`` the forms, from the
    profile's d (``conditional``, its length L) and the forms' brackets alone (O(1) a row, no sampler): the same
    decision within the few roundings by which the row's certified error exceeds the bracket's half-width (the
    caller asks only where no interval is needed, :func:`needs_intervals`)."""
    import numpy as np

    T = np.asarray(steps, dtype=np.int64)
    d = np.asarray(conditional, dtype=np.float64)
    if d.size < STEPLESS_MIN_LENGTH or np.any(np.diff(d) > 0) or not np.all(np.isfinite(d)):
        return np.zeros(T.size, dtype=bool)
    from .count_noise_expansion import NoiseExpansion, expanded_brackets

    lo, hi = expanded_brackets(NoiseExpansion(noise, d), T)
    with np.errstate(invalid="ignore"):
        return (hi - lo) / 2 <= STEPLESS_RELATIVE * np.abs((lo + hi) / 2)


def forms_steps(noise: str, profile: Any, curve: "LossCurve | None", steps: Sequence[int]) -> "np.ndarray":
    """Per T of ``steps``: True where :func:`expanded_truth` is expected to give the row ``mdlm:T:NOISE`` of a sweep
    on ``profile`` (and ``curve``, when measured) the forms, decided before any sampler exists (the up-front
    estimate, and which rows build their steps at all: :mod:`boundcalc.count_flow`): the policy above applied by
    :func:`expanded_steps`. It may differ from :func:`expanded_truth` by a few roundings, so a row it marks must
    still be able to read its steps (the direct batch takes the rows :func:`expanded_truth` rejects)."""
    import numpy as np

    d = getattr(profile, "conditional", None)
    if d is None or int(profile.length) < STEPLESS_MIN_LENGTH or needs_intervals(curve):
        return np.zeros(len(steps), dtype=bool)
    return expanded_steps(noise, d, steps)


def binned_reports(profile: Any, samplers: "Sequence[Any]", eps_train: Any, names: Sequence[str], values: Any
                   ) -> "list[Any]":
    """:func:`boundcalc.count_noise_bins.binned_bound_reports` at L >= :data:`STEPLESS_MIN_LENGTH` (a report for
    each row the bins take, None for the others: take them to the flat rows); every None below that L."""
    if int(profile.length) < STEPLESS_MIN_LENGTH:
        return [None] * len(samplers)
    from .count_noise_bins import binned_bound_reports

    return binned_bound_reports(profile, samplers, eps_train, names, values)


def binned_steps(noise: str, length: int, steps: Sequence[int]) -> "np.ndarray":
    """Per T of ``steps``: True where :func:`binned_reports` gives the row ``mdlm:T:NOISE`` at L its bounds (from
    noise, T and L alone)."""
    import numpy as np

    if length < STEPLESS_MIN_LENGTH:
        return np.zeros(len(steps), dtype=bool)
    from .count_noise_bins import binned_rows_needed

    return np.asarray(binned_rows_needed(noise, length, steps), dtype=bool)
