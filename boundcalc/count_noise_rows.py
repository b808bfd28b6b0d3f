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
from .noise_steps import HEAD_STEPS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .noise_steps import PreparedSteps

__all__ = ["StepView", "NoiseSampler", "noise_row", "schedule_text", "LazySteps", "SteplessNoiseRow", "head_rows"]


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
        """:meth:`CountSampler.describe`'s text, bit for bit (:func:`schedule_text` of the first steps)."""
        import numpy as np

        # views: no copy
        return schedule_text(self.name, self.length, len(self.reveal), np.asarray(self.reveal)[:HEAD_STEPS].tolist(),
                             np.asarray(self.keep)[:HEAD_STEPS - 1].tolist())


def schedule_text(name: str, length: int, size: int, reveal: Sequence[float], keep: Sequence[float]) -> str:
    """:meth:`CountSampler.describe`'s text of a row of ``size`` entries (T + 1) from its first :data:`HEAD_STEPS`
    ``reveal`` and one fewer ``keep`` entries: the first six marginals by the same running product (``np.cumprod``
    multiplies left to right) over those steps only, not the list of every step."""
    head, alive = [], 1.0
    for k, p in enumerate(reveal[:HEAD_STEPS]):
        head.append(length * (alive * p))
        if k < min(len(keep), HEAD_STEPS - 1):
            alive *= keep[k]
    text = ", ".join(f"{x:.3g}" for x in head) + (", ..." if size > HEAD_STEPS else "")
    return f"{name}: {size} steps, E s_k = {text}"


class LazySteps(Sequence[float]):
    """The ``reveal`` or ``keep`` of a row that holds no steps (:class:`SteplessNoiseRow`): its length (T + 1), its
    first entries (the row's head) and its last (the noise removal's 1, or 0) are known; anything else builds the
    row's steps (:meth:`SteplessNoiseRow.built`) and reads them."""

    __slots__ = ("_row", "_which", "_head", "_last")

    def __init__(self, row: "SteplessNoiseRow", which: int, head: "tuple[float, ...]", last: float) -> None:
        self._row, self._which, self._head, self._last = row, which, head, last

    def _values(self) -> StepView:
        return self._row.built()[self._which]

    def __len__(self) -> int:
        return int(self._row.steps) + 1

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int):
            size = len(self)
            at = index + size if index < 0 else index
            if at == size - 1:
                return self._last
            if 0 <= at < len(self._head):
                return self._head[at]
        return self._values()[index]

    def __array__(self, dtype: Any = None, copy: Any = None) -> "np.ndarray":
        return self._values().__array__(dtype, copy)

    def __iter__(self) -> Iterator[float]:
        return iter(self._values())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazySteps):
            other = other._values()
        return self._values() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LazySteps({len(self)} steps)"


#: the steps the :class:`SteplessNoiseRow`\\ s built last ((noise, T) -> (reveal, keep)), oldest first, at most
#: :data:`_BUILT_STEPS` steps in all: a batch that reads every row's reveal, then every row's keep (the direct truth
#: of the rows the forms rejected after all) builds each row once, and a sweep's rows read later keep no steps alive
_LAST_BUILT: dict[tuple[str, int], tuple[StepView, StepView]] = {}
_BUILT_STEPS = 1 << 21


class SteplessNoiseRow(NoiseSampler):
    """``mdlm:T:noise`` holding no steps: the same sampler as :class:`NoiseSampler`'s (name, T, L, equality, every
    method), with only its first entries kept (``reveal`` and ``keep``'s first :data:`HEAD_STEPS`, T + 1 when
    fewer: :func:`head_rows`), which give its schedule text; its ``reveal`` and ``keep`` are :class:`LazySteps`
    (their lengths, heads and last entries free, anything else built when read:
    :func:`boundcalc.noise_steps.step_probabilities`, the same floats)."""

    def __init__(self, length: int, steps: int, noise: str, reveal_head: Sequence[float], keep_head: Sequence[float]
                 ) -> None:  # noqa: D107
        n = min(int(steps) + 1, HEAD_STEPS)
        self.__dict__.update(length=length, steps=steps, name=f"mdlm:{steps}:{noise}", family="mdlm", exact=None,
                             notes={"noise": NOISES[noise]}, flat_row=None, _noise=noise,
                             _head=(tuple(map(float, reveal_head[:n])), tuple(map(float, keep_head[:n]))))

    @property
    def reveal(self) -> Any:
        """p_k for k = 1..T, then the noise removal's 1 (built when read)."""
        return LazySteps(self, 0, self.__dict__["_head"][0], 1.0)

    @property
    def keep(self) -> Any:
        """1 − p_k for k = 1..T, then 0 (built when read)."""
        return LazySteps(self, 1, self.__dict__["_head"][1], 0.0)

    def built(self) -> tuple[StepView, StepView]:
        """(reveal, keep) built (:func:`boundcalc.noise_steps.step_probabilities`), kept among the last rows built."""
        import numpy as np

        from .noise_steps import step_probabilities

        key = (self.__dict__["_noise"], int(self.steps))
        found = _LAST_BUILT.get(key)
        if found is None:
            p, q = step_probabilities(*key)
            reveal, keep = np.array(p + [1.0]), np.array(q + [0.0])
            reveal.flags.writeable = keep.flags.writeable = False
            found = (StepView(reveal), StepView(keep))
            held = sum(len(r) for r, _ in _LAST_BUILT.values())
            while _LAST_BUILT and held + len(reveal) > _BUILT_STEPS:
                held -= len(_LAST_BUILT.pop(next(iter(_LAST_BUILT)))[0])
            _LAST_BUILT[key] = found
        return found

    def describe(self) -> str:
        """:meth:`NoiseSampler.describe`'s text, bit for bit, from the kept head."""
        reveal, keep = self.__dict__["_head"]
        return schedule_text(self.name, self.length, int(self.steps) + 1, reveal, keep[:HEAD_STEPS - 1])


def head_rows(length: int, noise: str, steps: Sequence[int]) -> "list[SteplessNoiseRow]":
    """The rows ``mdlm:T:noise`` at L = ``length`` for every T of ``steps`` (1..100000) as :class:`SteplessNoiseRow`\\ s,
    from their first steps alone (:func:`boundcalc.noise_steps.head_steps`: the floats of a full build, bit for bit),
    none of their other steps built."""
    from .noise_steps import head_steps

    reveal, keep = head_steps(noise, steps, HEAD_STEPS)
    return [SteplessNoiseRow(length, int(T), noise, p, q) for T, p, q in zip(steps, reveal.tolist(), keep.tolist())]


def noise_row(length: int, steps: int, noise: str) -> "NoiseSampler | None":
    """The lazy row of ``mdlm:steps:noise`` at L = ``length`` when its T was prepared last for ``noise``, else None
    (the caller builds the eager sampler)."""
    from .noise_steps import prepared

    rows = prepared(noise)
    row = None if rows is None else rows.row(steps)
    if rows is None or row is None:
        return None
    return NoiseSampler(length, steps, noise, rows, row)
