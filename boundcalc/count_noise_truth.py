"""The expected errors of a sweep's count rows with arbitrary steps (MDLM's other noises) in one batch: value,
certified error, stderr, interpolation effect and interval over a partial curve's monotone completions
(orchestration layer).

Every start size of every row comes from :func:`boundcalc.count_noise_starts.noise_starts` (the rows' steps read
through :func:`boundcalc.count_flat.flat_steps`), then the rows' linear functionals of c = start − 1 are
:func:`boundcalc.count_grid_truth.starts_rows_truth`'s, as for the uniform-grid rows (whose zones here are every m).
Rows go in groups of at most 2^22 entries, so memory does not grow with the number of rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from .count_grid_truth import GridRow
    from .curve import LossCurve

__all__ = ["noise_rows_truth"]

#: start sizes per group of rows (rows × L)
_ENTRIES = 1 << 22


def noise_rows_truth(profile: Any, samplers: "Sequence[Any]", curve: "LossCurve | None" = None,
                     vocab_size: int | None = None) -> "dict[int, GridRow]":
    """By id(sampler): the rows of ``samplers`` (count samplers of the profile's length L >= 2), all at once; a row
    whose steps fall outside :data:`~boundcalc.count_noise_starts.MAX_SLOPE` is left out (taken row by row)."""
    from .count_flat import flat_steps
    from .count_grid_truth import starts_rows_truth
    from .count_noise_starts import noise_starts

    L = int(profile.length)
    kept = [s for s in samplers if s.length == L and L >= 2 and len(s.reveal) >= 1]
    out: "dict[int, GridRow]" = {}
    per = max(1, _ENTRIES // max(L, 1))
    for lo in range(0, len(kept), per):
        group = kept[lo : lo + per]
        found = noise_starts(group, flat_steps(group))
        if found is None:  # a row with extreme steps: the others one by one
            for sampler in group:
                alone = noise_starts([sampler])
                if alone is not None:
                    out.update(starts_rows_truth(profile, [sampler], alone, curve, vocab_size))
            continue
        out.update(starts_rows_truth(profile, group, found, curve, vocab_size))
    return out
