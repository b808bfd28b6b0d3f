"""A sweep's ``mdlm:T:NOISE`` rows held lazily: samplers that are views into the prepared flat arrays (values layer).

A sweep of MDLM's other noises builds every T's step probabilities at once (:func:`boundcalc.noise_steps.prepare`:
one set of flat arrays, row after row, as in a :class:`~boundcalc.count_flat.FlatSteps`). :class:`NoiseSampler` is the row of one T: its
``reveal`` and ``keep`` are :class:`StepView`\\ s, read-only slices of those arrays (no Python tuples, no copy),
and ``flat_row`` says which row it is, so :func:`boundcalc.count_flat.flat_steps` hands a sweep's rows out as the
shared arrays themselves. Everything else is :class:`~boundcalc.count_sampler.CountSampler`'s, on the same floats
as ``CountSampler.mdlm(L, T, noise)`` builds (bit for bit), so every value is the eager sampler's.

>>> from boundcalc.noise_steps import prepare
>>> rows = prepare("cosine", [2, 5])
>>> s = noise_row(16, 5, "cosine")
>>> len(s.reveal), s.keep[-1], s.flat_row[1], s.name
(6, 0.0, 1, 'mdlm:5:cosine')
>>> import numpy as np
>>> np.shares_memory(np.asarray(s.reveal), rows.reveal)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .count_sampler import NOISES, CountSampler

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .noise_steps import PreparedSteps

__all__ = ["StepView", "NoiseSampler", "noise_row"]


class StepView(Sequence[float]):
    """A read-only float64 array as a sampler's ``reveal`` or ``keep``: indexing gives Python floats (as the
    eager sampler's tuples do), ``np.asarray`` the array itself (no copy), iteration one ``tolist``."""

    __slots__ = ("values", "_size")

    def __init__(self, values: "np.ndarray") -> None:
        self.values, self._size = values, int(values.shape[0])

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self.values[index].tolist())
        return float(self.values[index])

    def __array__(self, dtype: Any = None, copy: Any = None) -> "np.ndarray":
        if dtype is not None and dtype != self.values.dtype:
            return self.values.astype(dtype)
        return self.values.copy() if copy else self.values

    def __iter__(self) -> Iterator[float]:
        return iter(self.values.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (StepView, tuple, list)):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StepView({len(self)} steps)"


class NoiseSampler(CountSampler):
    """``mdlm:T:noise`` as row ``row`` of ``flat`` (:func:`boundcalc.noise_steps.prepare`'s rows): O(1) to build,
    no memory of its own. ``flat_row`` = (flat, row)."""

    def __init__(self, length: int, steps: int, noise: str, flat: "PreparedSteps", row: int) -> None:
        start, end = int(flat.offsets[row]), int(flat.offsets[row + 1])
        # frozen: set once here, as the dataclass's __init__ does; the arrays were checked when prepared
        self.__dict__.update(length=length, steps=steps, name=f"mdlm:{steps}:{noise}", family="mdlm", exact=None,
                             reveal=StepView(flat.reveal[start:end]), keep=StepView(flat.keep[start:end]),
                             notes={"noise": NOISES[noise]}, flat_row=(flat, row))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoiseSampler) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        return (self.length, self.steps, self.name)

    def __repr__(self) -> str:
        return f"NoiseSampler({self.name!r}, L={self.length})"

    def describe(self) -> str:
        """:meth:`CountSampler.describe`'s text, bit for bit: the first six marginals by the same running product
        (``np.cumprod`` multiplies left to right) over the first six steps only, not the list of every step."""
        import numpy as np

        reveal, keep = np.asarray(self.reveal)[:6].tolist(), np.asarray(self.keep)[:5].tolist()  # views: no copy
        head, alive = [], 1.0
        for k, p in enumerate(reveal):
            head.append(self.length * (alive * p))
            if k < len(keep):
                alive *= keep[k]
        text = ", ".join(f"{x:.3g}" for x in head) + (", ..." if len(self.reveal) > 6 else "")
        return f"{self.name}: {len(self.reveal)} steps, E s_k = {text}"


def noise_row(length: int, steps: int, noise: str) -> "NoiseSampler | None":
    """The lazy row of ``mdlm:steps:noise`` at L = ``length`` when its T was prepared last for ``noise``, else None
    (the caller builds the eager sampler)."""
    from .noise_steps import prepared

    rows = prepared(noise)
    row = None if rows is None else rows.row(steps)
    if rows is None or row is None:
        return None
    return NoiseSampler(length, steps, noise, rows, row)
