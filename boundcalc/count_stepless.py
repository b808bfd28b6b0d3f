"""Which of a sweep's rows of MDLM's other noises take the engine that reads no step (orchestration): the policy.

The expected error of a row ``mdlm:T:NOISE`` comes either from the direct batch over its steps
(:mod:`boundcalc.count_noise_truth`: every start size, ~0.5 µs a step, a certified error ~10⁻⁹ relative) or from
the T-independent Euler–Maclaurin forms (:mod:`boundcalc.count_noise_expansion`: O(1) a row, no step read, a
certified error that shrinks with T: at L = 16384, 10⁻⁴–2·10⁻³ relative at T = L/10, 10⁻⁷–10⁻⁵ at T = L).
The forms are taken only

* at L > 4096 (:data:`STEPLESS_MIN_LENGTH`): every sweep of L <= 4096 keeps the direct batch's values and bytes;
* for a row whose certified error is at most 10⁻⁴ of its value (:data:`STEPLESS_RELATIVE`), so the printed value
  keeps four significant digits; the other rows (small T) go to the direct batch, whatever they cost;
* on a partial curve (the rows carry their interval over the curve's monotone completions), only where that
  interval is sure to 10⁻⁴ of the value too: the forms give an outer bracket of each end and, from a completion
  that attains the forms' extreme, an inner one (:mod:`boundcalc.count_noise_completions`); the row is taken when
  the two agree within :data:`STEPLESS_RELATIVE` of the value, and prints the outer bracket (a valid enclosure, at
  most that much wider than the true interval). Where a gap's drop can meet the first or last cells (φ′ large
  there, the cells wider than the binomial's spread), the forms are joined to those cells' exact coefficients
  (:mod:`boundcalc.count_noise_joins`), and the drops inside the curve are charged each zone's own variation, slope
  and bend (:mod:`boundcalc.count_noise_zones`). At L = 16384 on the 16-point curve that is cosine from T = 3072,
  cosine2 from 4096 and geometric from 8192; linear's intervals (its last gaps where φ′ = 7) stay unsure to 10⁻⁴ at
  every T: they keep the direct batch.

The bounds of a row (E c(S_max) of each bound, E S_max, E #non-empty steps) likewise come, at L > 4096, from bins
of steps (:mod:`boundcalc.count_noise_bins`: no step read, O(bins·cap) a row) for every row they take (T above a
few percent of L), whatever the source: their certified widths are the flat rows' own negative-association/union
gap within ~1.1–4x (L = 8192, linear: theorem1 at T = 4000 31.0148 ± 0.00076 against 31.0151 ± 0.00019, sharp at
T = 8192 13.99 ± 0.23 against 13.9944 ± 0.22); the other rows keep :mod:`boundcalc.count_flat_rows`.

At L = 16384 the value alone is certified from T = 65 for cosine, 65 for cosine2, 253 for linear and 162 for
geometric on a curve measured at every k (the benchmark's full16384.csv, d a line plus six-digit rounding), and from
T = 441, 489, 2400 and 657 with the 16-point curve's d (straight between its points, 16 kinks; without its
intervals). The up-front estimate makes the same decision from the same brackets (:func:`expanded_steps`), before
any row is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .count_grid_truth import GridRow
    from .curve import LossCurve

__all__ = ["STEPLESS_MIN_LENGTH", "STEPLESS_RELATIVE", "INTERVAL_SCREEN", "expanded_truth", "expanded_steps",
           "needs_intervals", "CompletedSource", "stepless_source", "forms_steps", "binned_reports", "binned_steps"]

#: The least L whose noise rows may take the forms (below, every value and byte is the direct batch's).
STEPLESS_MIN_LENGTH = 4097
#: A row takes the forms only when their certified error is at most this fraction of its value.
STEPLESS_RELATIVE = 1e-4


def expanded_truth(profile: Any, samplers: "Sequence[Any]", curve: "LossCurve | None" = None,
                   vocab_size: int | None = None) -> "dict[int, GridRow]":
    """:func:`boundcalc.count_noise_completions.completed_rows_truth`'s rows (by id) of the samplers the policy gives
    the forms (L >= :data:`STEPLESS_MIN_LENGTH`, certified error <= :data:`STEPLESS_RELATIVE` of the value and, on a
    partial curve, the interval sure to that too, :func:`_sure_intervals`); the others are not in it (take them to
    the direct batch)."""
    if int(profile.length) < STEPLESS_MIN_LENGTH:
        return {}
    import numpy as np

    from .count_noise_completions import completed_rows_truth

    gaps = needs_intervals(curve)

    def keep(ex: Any, T: Any, values: Any, errors: Any) -> Any:
        taken = errors <= STEPLESS_RELATIVE * np.abs(values)
        if gaps and taken.any():
            where = np.flatnonzero(taken)
            taken[where] = _sure_intervals(ex, T[where], values[where], curve, vocab_size)  # type: ignore[arg-type]
        return taken

    if gaps:  # first the decision from the shared forms alone: a chunk of rows that none passes costs no more
        samplers = _likely(profile, samplers, CompletedSource(profile.conditional, curve, vocab_size))  # type: ignore[arg-type]
        if not samplers:
            return {}
    return completed_rows_truth(profile, samplers, curve, vocab_size, keep)


def _likely(profile: Any, samplers: "Sequence[Any]", source: "CompletedSource") -> list:
    """The samplers :func:`expanded_steps` gives the forms (the rows' own check follows in expanded_truth)."""
    from .count_brackets_noise import noise_of

    L = int(profile.length)
    by_noise: dict[str, list[Any]] = {}
    for sampler in samplers:
        noise = noise_of(sampler) if getattr(sampler, "length", None) == L else None
        if noise is not None:
            by_noise.setdefault(noise, []).append(sampler)
    out: list[Any] = []
    for noise, rows in by_noise.items():
        taken = expanded_steps(noise, source, [int(s.steps) for s in rows])
        out.extend(s for s, kept in zip(rows, taken.tolist()) if kept)
    return out


def needs_intervals(curve: "LossCurve | None") -> bool:
    """True when the rows carry intervals over a measured curve's monotone completions (a curve with gaps)."""
    if curve is None or curve.exact:
        return False
    from .completion import has_gaps

    return bool(has_gaps(curve))


class CompletedSource:
    """A source's d with the partial curve whose completions its rows' intervals range over (what
    :func:`stepless_source` hands the estimate when intervals are asked)."""

    def __init__(self, conditional: Any, curve: "LossCurve", vocab_size: int | None) -> None:
        self.conditional, self.curve, self.vocab_size = conditional, curve, vocab_size


def stepless_source(conditional: Any, curve: "LossCurve | None", vocab_size: int | None = None) -> Any:
    """What :func:`expanded_steps` decides from: the source's d (None without one), with the curve when the rows
    carry intervals over its completions (:class:`CompletedSource`)."""
    if conditional is None or not needs_intervals(curve):
        return conditional
    return CompletedSource(conditional, curve, vocab_size)  # type: ignore[arg-type]


def expanded_steps(noise: str, conditional: Any, steps: Sequence[int]) -> "np.ndarray":
    """Per T of ``steps``: True where :func:`expanded_truth` gives the row ``mdlm:T:NOISE`` the forms, from the
    profile's d (``conditional``, its length L; or a :class:`CompletedSource` when intervals are asked) and the
    forms' brackets alone (O(1) a row, no sampler): the same decision within the few roundings by which the row's
    certified error exceeds the bracket's half-width."""
    import numpy as np

    source = conditional if isinstance(conditional, CompletedSource) else None
    T = np.asarray(steps, dtype=np.int64)
    d = np.asarray(conditional if source is None else source.conditional, dtype=np.float64)
    if d.size < STEPLESS_MIN_LENGTH or np.any(np.diff(d) > 0) or not np.all(np.isfinite(d)):
        return np.zeros(T.size, dtype=bool)
    from .count_noise_completions import shared_expansion
    from .count_noise_expansion import expanded_brackets

    ex = shared_expansion(noise, d)
    lo, hi = expanded_brackets(ex, T)
    values = (lo + hi) / 2
    with np.errstate(invalid="ignore"):
        taken = (hi - lo) / 2 <= STEPLESS_RELATIVE * np.abs(values)
    if source is not None and taken.any():
        where = np.flatnonzero(taken)
        taken[where] = _sure_intervals(ex, T[where], values[where], source.curve, source.vocab_size)
    return taken


#: On a partial curve a row's interval is computed only when that of the T below it that is a multiple of this
#: (its screen) is sure: rows far below the T from which the forms' intervals are sure cost a 256th of theirs.
INTERVAL_SCREEN = 256


def _sure_intervals(ex: Any, T: Any, values: Any, curve: "LossCurve", vocab_size: int | None) -> "np.ndarray":
    """Per T: True where the interval over the completions is sure to :data:`STEPLESS_RELATIVE` of the row's value
    (``values``): its outer and inner brackets agree that well at both ends
    (:func:`boundcalc.count_noise_completions.interval_unsure`), and so do they at the row's screen, the largest
    multiple of :data:`INTERVAL_SCREEN` <= T (the row itself below the first), valued by the forms' midpoint. A
    function of T alone (the estimate, and each chunk of rows, decide alike)."""
    import numpy as np

    from .count_noise_completions import interval_unsure
    from .count_noise_expansion import expanded_brackets

    T = np.asarray(T, dtype=np.int64)
    screens = np.where(T >= INTERVAL_SCREEN, T - T % INTERVAL_SCREEN, T)
    points = np.unique(screens)
    lo, hi = expanded_brackets(ex, points)
    with np.errstate(invalid="ignore"):
        sure = interval_unsure(ex, points, curve, vocab_size) <= STEPLESS_RELATIVE * np.abs((lo + hi) / 2)
    out = sure[np.searchsorted(points, screens)]
    where = np.flatnonzero(out)
    if where.size:
        with np.errstate(invalid="ignore"):
            out[where] = interval_unsure(ex, T[where], curve, vocab_size) <= STEPLESS_RELATIVE * np.abs(values[where])
    return out


def forms_steps(noise: str, profile: Any, curve: "LossCurve | None", steps: Sequence[int],
                vocab_size: int | None = None) -> "np.ndarray":
    """Per T of ``steps``: True where :func:`expanded_truth` is expected to give the row ``mdlm:T:NOISE`` of a sweep
    on ``profile`` (and ``curve``, when measured; on a partial one its intervals need ``vocab_size`` as the truth
    has it) the forms, decided before any sampler exists (the up-front estimate, and which rows build their steps at
    all: :mod:`boundcalc.count_flow`): the policy above applied by :func:`expanded_steps`. It may differ from
    :func:`expanded_truth` by a few roundings, so a row it marks must still be able to read its steps (the direct
    batch takes the rows :func:`expanded_truth` rejects)."""
    import numpy as np

    d = getattr(profile, "conditional", None)
    if d is None or int(profile.length) < STEPLESS_MIN_LENGTH:
        return np.zeros(len(steps), dtype=bool)
    return expanded_steps(noise, stepless_source(d, curve, vocab_size), steps)


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
