"""The steps of many count samplers as three flat arrays (values layer): what batched row code reads.

A sweep of a random-count family has one sampler per T, each with its per-step reveal probabilities p_k and their
complements 1 − p_k (:class:`~boundcalc.count_sampler.CountSampler`: ``reveal`` and ``keep``). Code that treats
every row at once (the rows' statistics, brackets and start sizes) reads them here, row after row in one array, so
that it never walks the samplers' tuples step by step. Samplers that are consecutive rows of one shared set of flat
arrays (``flat_row`` = (rows, i), ``rows`` an object with read-only ``offsets``, ``reveal`` and ``keep`` laid out
as here, as :class:`~boundcalc.count_noise_rows.NoiseSampler` has) are handed out as those arrays, without a copy.

>>> from boundcalc.count_sampler import CountSampler
>>> rows = flat_steps([CountSampler.from_probabilities(4, ["1/2", 1]), CountSampler.from_probabilities(4, [1])])
>>> rows.offsets.tolist(), rows.reveal.tolist(), rows.keep.tolist(), rows.counts.tolist()
([0, 2, 3], [0.5, 1.0, 1.0], [0.5, 0.0, 0.0], [2, 1])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .count_sampler import CountSampler

__all__ = ["FlatSteps", "flat_steps"]


@dataclass(frozen=True)
class FlatSteps:
    """Row i's steps are ``reveal[offsets[i]:offsets[i + 1]]`` (p_k) and the same slice of ``keep`` (1 − p_k), the
    samplers' own floats (read-only arrays)."""

    offsets: "np.ndarray"
    reveal: "np.ndarray"
    keep: "np.ndarray"

    @property
    def counts(self) -> "np.ndarray":
        """The number of steps of each row."""
        import numpy as np

        return np.diff(self.offsets)


def flat_steps(samplers: "Sequence[CountSampler]") -> FlatSteps:
    """The steps of ``samplers`` (at least one), row after row: the shared arrays themselves when the samplers are
    consecutive rows of one shared set (views of them when only some of its rows), else a copy."""
    import numpy as np

    shared = _shared_rows(samplers)
    if shared is not None:
        return shared

    counts = np.fromiter((len(s.reveal) for s in samplers), dtype=np.int64, count=len(samplers))
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    reveal = np.concatenate([np.asarray(s.reveal, dtype=np.float64) for s in samplers])
    keep = np.concatenate([np.asarray(s.keep, dtype=np.float64) for s in samplers])
    reveal.flags.writeable = keep.flags.writeable = False
    return FlatSteps(offsets, reveal, keep)


def _shared_rows(samplers: "Sequence[CountSampler]") -> "FlatSteps | None":
    """The rows of ``samplers`` when they are rows r, r + 1, ... of one shared set of flat arrays, else None."""
    first = getattr(samplers[0], "flat_row", None)
    if first is None:
        return None
    flat, start = first
    for i, sampler in enumerate(samplers):
        place = getattr(sampler, "flat_row", None)
        if place is None or place[0] is not flat or place[1] != start + i:
            return None
    end = start + len(samplers)
    if start == 0 and end == flat.offsets.size - 1:
        return FlatSteps(flat.offsets, flat.reveal, flat.keep)
    a, b = int(flat.offsets[start]), int(flat.offsets[end])
    offsets = flat.offsets[start:end + 1] - a
    offsets.flags.writeable = False
    return FlatSteps(offsets, flat.reveal[a:b], flat.keep[a:b])
