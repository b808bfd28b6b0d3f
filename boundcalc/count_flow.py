"""A sweep's random-count rows, costed before any work, then built chunk of T by chunk of T (orchestration).

The rows of MDLM's other noises (``mdlm:T:NOISE``) hold their steps' probabilities in flat arrays
(:func:`boundcalc.noise_steps.prepare`, ~16 bytes a step), and the bounds and the truth batched over them take
another ~40 bytes a step at their peak. Every T of L = 16384 is 1.3·10^8 steps: ~7 GB at once. So such a family's
grid is cut into chunks of consecutive T whose rows hold at most :data:`MAX_CHUNK_STEPS` steps together (the
families one after the other; a sweep of L = 1024 is one chunk, as one batch), and each chunk goes through the
whole flow before the next is built: its steps, its samplers, their bounds
(:func:`boundcalc.count_rows.row_bound_reports`), their expected errors (:meth:`SourceTruth.prepare_counts`), its
rows; then its rows' samplers are detached from the chunk's arrays (:class:`DetachedNoiseRow`: the same sampler,
its steps rebuilt if asked) and the truth forgets the chunk, so its arrays are freed. Every value is computed per
row from that row's steps, so a row is the same whichever chunk it was in, within its certified errors (the batched
bounds and intervals round differently in their last digits with the batch: tests/samplers/test_count_flow.py).
The uniform-grid families' rows (``mdlm``, ``sedd``, ``dream-origin``) hold no arrays and weigh nothing.

At L > 4096 most rows of MDLM's other noises read no step: their bounds come from bins and their expected errors
from the T-independent forms (:mod:`boundcalc.count_stepless`'s policy). Such a row (:func:`stepless_steps`,
decided from noise, T, L and the source's d before anything is built) is a
:class:`~boundcalc.count_noise_rows.SteplessNoiseRow`: its schedule text from its first six steps
(:func:`boundcalc.noise_steps.head_steps`, the same floats), no step built, weighing nothing in the chunks; only
the other rows build theirs. Should the forms still reject such a row once computed (their certified error a few
roundings above the brackets' half-width), the direct batch reads its steps, which it then builds alone.

The cost of the rows is estimated from T and L alone (:func:`count_rows_seconds`), so a sweep too large is
refused before any sampler is built.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from .count_noise_rows import NoiseSampler, SteplessNoiseRow, head_rows
from .count_noise_starts import forget_running_laws
from .count_rows import on_grid, row_bound_reports, row_sampler, rows_seconds, stepless_noise, stepless_rows
from .errors import BoundcalcError, DomainError
from .registry import SamplerSpec

if TYPE_CHECKING:  # pragma: no cover
    from .count_sampler import CountSampler
    from .profile import MIProfile
    from .sweep_grid import FamilySpec
    from .sweep_truth import SourceTruth

__all__ = ["MAX_CHUNK_STEPS", "Samplers", "count_rows_seconds", "check_count_cost", "build_count_samplers",
           "count_chunks", "count_rows_by_family", "stepless_steps", "DetachedNoiseRow", "detached_sampler"]

#: The most steps (T + 1 a row) the rows of one chunk hold together: 2^23 steps peak at ~1.1 GB at L = 16384 (the
#: step arrays, the bounds' laws and the truth's start sizes of the chunk; measured, docs/cli.md), and 2^13 more so
#: that every T of L = 4096 (8,394,752 steps) is one chunk, one batch, the same bytes as before the chunks.
MAX_CHUNK_STEPS = (1 << 23) + (1 << 13)

Samplers = dict[tuple[str, int], "CountSampler | str"]
#: make_row(family, T, sampler, its CountBoundReport) -> the sweep's row (boundcalc.sweeps builds it)
MakeRow = Callable[["FamilySpec", int, "CountSampler", Any], Any]
#: make_rows(family, [(T, sampler, its CountBoundReport), ...], detach) -> a sequence of the sweep's rows
MakeRows = Callable[["FamilySpec", list[tuple[int, "CountSampler", Any]], bool], Any]


def count_rows_seconds(families: "Sequence[FamilySpec]", steps: Sequence[int], length: int,
                       truth: "SourceTruth | None") -> float:
    """Estimated seconds of the random-count rows, from T and L alone (:func:`boundcalc.count_rows.rows_seconds`;
    which rows take the T-independent forms from :func:`boundcalc.count_stepless.forms_steps`, as the flow decides)."""
    return sum(rows_seconds(SamplerSpec(f.family, f.parts[1:], f.label), steps, length, truth is not None,
                            forms=_forms(f, steps, truth)) for f in families if f.family.random_counts)


def stepless_steps(family: "FamilySpec", steps: Sequence[int], length: int, truth: "SourceTruth | None"
                   ) -> frozenset[int]:
    """The T of ``steps`` whose row of ``family`` at L = ``length`` reads no step
    (:func:`boundcalc.count_rows.stepless_rows`: the bins take its bounds and, with a truth, the forms its expected
    error), decided before any sampler is built; empty at L <= 4096 and for any other family."""
    import numpy as np

    noise = stepless_noise(family.family, _arguments(family))
    if not noise:
        return frozenset()
    taken = stepless_rows(noise, steps, length, truth is not None, _forms(family, steps, truth))
    return frozenset(np.asarray(steps, dtype=np.int64)[taken].tolist())


#: the last (profile, curve)'s decisions of :func:`_forms` by (noise, steps): the estimate and the flow ask the same
#: (the forms' brackets over every T, ~1 s at L = 16384), once
_FORMS: dict[Any, Any] = {}


def _forms(family: "FamilySpec", steps: Sequence[int], truth: "SourceTruth | None") -> Any:
    """Per T: True where the truth is expected to take the family's row from the T-independent forms
    (:func:`boundcalc.count_stepless.forms_steps`), or None (no truth, or not a noise the forms know)."""
    noise = stepless_noise(family.family, _arguments(family))
    if truth is None or not noise:
        return None
    from .count_stepless import forms_steps

    profile, curve = truth.profile, getattr(truth, "curve", None)
    if _FORMS.get("source") != (id(profile), id(curve)):  # the objects themselves are kept below: ids stay unique
        _FORMS.clear()
        _FORMS.update(source=(id(profile), id(curve)), kept=(profile, curve))
    key = (noise, tuple(int(t) for t in steps))
    if key not in _FORMS:
        _FORMS[key] = forms_steps(noise, profile, curve, steps, getattr(truth, "vocab_size", None))
    return _FORMS[key]


def check_count_cost(families: "Sequence[FamilySpec]", steps: Sequence[int], length: int,
                     truth: "SourceTruth | None", limit: float) -> float:
    """Refuse (a DomainError on ``steps``) random-count rows estimated at more than ``limit`` seconds; else their
    estimated seconds (so a caller adding them to the rest of its estimate does not estimate them twice)."""
    counted = [f for f in families if f.family.random_counts]
    seconds = count_rows_seconds(counted, steps, length, truth)
    if seconds > limit:
        raise DomainError(
            f"{len(counted)} random-count famil{'y' if len(counted) == 1 else 'ies'} x {len(steps)} values of T with "
            f"L = {length} would take ~{seconds:.0f} s",
            param="steps",
            allowed=f"a sweep estimated at most {limit:.0f} s: fewer or smaller T (a log grid), fewer families")
    return seconds


def build_count_samplers(families: "Sequence[FamilySpec]", steps: Sequence[int], length: int,
                         truth: "SourceTruth | None" = None, limit: float = float("inf")) -> Samplers:
    """The random-count samplers of every T at once, or why one is not run, by (label, T), after their rows'
    estimated cost is checked against ``limit`` (seconds): the schedules alone (plot --kind schedule's)."""
    counted = [f for f in families if f.family.random_counts]
    check_count_cost(counted, steps, length, truth, limit)
    out: Samplers = {}
    for family in counted:
        out.update(((family.label, t), s) for t, s in _family_samplers(family, steps, length).items())
    return out


def _family_samplers(family: "FamilySpec", steps: Sequence[int], length: int, stepless: "frozenset[int]" = frozenset()
                     ) -> "dict[int, CountSampler | str]":
    """The family's sampler at each T of ``steps``, or the one-line reason it has none there; the T of ``stepless``
    (:func:`stepless_steps`) as rows that hold no step (:func:`boundcalc.count_noise_rows.head_rows`)."""
    template = SamplerSpec(family.family, family.parts[1:], family.label)
    built = [t for t in steps if t not in stepless] if stepless else steps
    if built or not stepless:
        family.family.prepare_rows(built, template.given_args)  # e.g. every T's step probabilities at once
    heads: dict[int, CountSampler] = {}
    if stepless:
        ts = [t for t in steps if t in stepless]
        heads = dict(zip(ts, head_rows(length, stepless_noise(family.family, _arguments(family)), ts)))
    out: dict[int, CountSampler | str] = {}
    for t in steps:
        if t in heads:
            out[t] = heads[t]
            continue
        try:
            out[t] = row_sampler(template, t, length)
        except BoundcalcError as error:
            message = error.message
            out[t] = message if len(message) <= 160 else message[:157] + "..."
    return out


def count_chunks(families: "Sequence[FamilySpec]", steps: Sequence[int], limit: int | None = None,
                 stepless: "dict[str, frozenset[int]] | None" = None) -> Iterator[list[tuple["FamilySpec", int]]]:
    """The (family, T) of every family and T, in that order, in consecutive runs whose rows hold at most ``limit``
    steps together: T + 1 for a family whose rows hold their steps in arrays, nothing for a uniform grid's nor for
    a row that builds none (the T of ``stepless[label]``, :func:`stepless_steps`) (a row of more than ``limit``
    steps alone)."""
    limit = MAX_CHUNK_STEPS if limit is None else limit
    chunk: list[tuple[FamilySpec, int]] = []
    held = 0
    for family in families:
        arrays = not on_grid(family.family, _arguments(family))
        none = (stepless or {}).get(family.label, frozenset())
        for t in steps:
            size = t + 1 if arrays and t not in none else 0
            if chunk and held + size > limit:
                yield chunk
                chunk, held = [], 0
            chunk.append((family, t))
            held += size
    if chunk:
        yield chunk


def count_rows_by_family(families: "Sequence[FamilySpec]", steps: Sequence[int], profile: "MIProfile",
                         eps: Fraction, truth: "SourceTruth | None", make_row: MakeRow,
                         done: Callable[[], None] | None = None, limit: int | None = None,
                         make_rows: MakeRows | None = None) -> dict[str, tuple[list[Any], list[tuple[str, int, str]]]]:
    """Each family's rows over ``steps`` (``make_row`` of each built sampler) and the (label, T, why) of the T it
    has no sampler for, by label, chunk by chunk (:func:`count_chunks`: a chunk's samplers, their bounds and their
    truth all at once, as one batch); ``done()`` after each (family, T), a row or a skipped T. The rows that read no
    step (:func:`stepless_steps`) build none. With ``make_rows``, a family's rows of a chunk are made at once
    (``make_rows(family, [(T, sampler, report), ...], detach)``, a sequence of rows, its samplers detached from the
    chunk's arrays when ``detach``: :func:`detached_sampler`) and each label's list holds those sequences."""
    out: dict[str, tuple[list[Any], list[tuple[str, int, str]]]] = {f.label: ([], []) for f in families}
    stepless = {f.label: stepless_steps(f, steps, profile.length, truth) for f in families}
    chunks = list(count_chunks(families, steps, limit, stepless))
    for i, chunk in enumerate(chunks):
        if i:  # the last chunk's step arrays go before this chunk's are built (nothing else holds them)
            _release_steps({family.label: family for family, _ in chunks[i - 1]}.values())
        built = []
        for family, ts in _by_family(chunk):
            for t, sampler in _family_samplers(family, ts, profile.length, stepless[family.label]).items():
                if isinstance(sampler, str):
                    out[family.label][1].append((family.label, t, sampler))
                    if done is not None:
                        done()
                else:
                    built.append((family, t, sampler))
        samplers = [s for _, _, s in built]
        reports = row_bound_reports(profile, samplers, eps, starts=False)
        if truth is not None:  # their expected errors, estimates and intervals, all the chunk's rows at once
            truth.prepare_counts(samplers)
        forget_running_laws()  # the bounds kept the rows' running laws for the truth's start sizes only
        last = i + 1 == len(chunks)
        if make_rows is not None:  # a family's rows of the chunk at once (boundcalc.sweep_columns)
            for family, part in _family_parts(built, reports):
                out[family.label][0].append(make_rows(family, part, not last))
                if done is not None:
                    for _ in part:
                        done()
            built = []
        for (family, t, sampler), report in zip(built, reports):
            row = make_row(family, t, sampler, report)
            out[family.label][0].append(row if last else _detached(row))  # the rows keep nothing of the chunk
            if done is not None:
                done()
        if truth is not None and not last:
            truth.release_counts(samplers)
    return out


def _by_family(chunk: "list[tuple[FamilySpec, int]]") -> "list[tuple[FamilySpec, list[int]]]":
    """The chunk's T of each family, in order (consecutive in the chunk)."""
    out: list[tuple[FamilySpec, list[int]]] = []
    for family, t in chunk:
        if not out or out[-1][0] is not family:
            out.append((family, []))
        out[-1][1].append(t)
    return out


def _family_parts(built: list[Any], reports: list[Any]) -> "list[tuple[FamilySpec, list[tuple[int, Any, Any]]]]":
    """The chunk's (T, sampler, report) of each family, in order (consecutive in the chunk)."""
    out: list[tuple[FamilySpec, list[tuple[int, Any, Any]]]] = []
    for (family, t, sampler), report in zip(built, reports):
        if not out or out[-1][0] is not family:
            out.append((family, []))
        out[-1][1].append((t, sampler, report))
    return out


def detached_sampler(sampler: Any) -> Any:
    """The sampler detached from its chunk's arrays (:class:`DetachedNoiseRow`) when it is a view into them."""
    viewing = isinstance(sampler, NoiseSampler) and getattr(sampler, "flat_row", None) is not None
    return DetachedNoiseRow(sampler) if viewing else sampler


def _detached(row: Any) -> Any:
    """The row with its sampler detached from its chunk's arrays (when it is a view into them)."""
    from dataclasses import replace

    sampler = detached_sampler(row.schedule)
    return row if sampler is row.schedule else replace(row, schedule=sampler)


def _release_steps(families: "Iterable[FamilySpec]") -> None:
    """Drop what still holds the last chunk's step arrays: the rows each family's last :meth:`prepare_rows` kept
    (boundcalc.noise_steps keeps the last rows of each noise until the next call, which would hold two chunks at
    once while it builds the next), and the last sampler whose start sizes count_sampler keeps."""
    from . import count_sampler, noise_steps

    for family in families:
        noise_steps.release(next(iter(_arguments(family)), ""))
    count_sampler.forget_last_starts()


def _arguments(family: "FamilySpec") -> tuple[str, ...]:
    """The family's arguments besides T (``mdlm:cosine``: ("cosine",))."""
    return tuple(SamplerSpec(family.family, family.parts[1:], family.label).given_args)


class DetachedNoiseRow(SteplessNoiseRow):
    """A :class:`~boundcalc.count_noise_rows.NoiseSampler` whose chunk is gone: the same sampler (name, T, L,
    equality, every method), its description kept, its steps rebuilt when asked
    (:class:`~boundcalc.count_noise_rows.SteplessNoiseRow`: the same floats) instead of held."""

    def __init__(self, sampler: NoiseSampler) -> None:  # noqa: D107 - not NoiseSampler's: no flat rows
        import numpy as np

        from .noise_steps import HEAD_STEPS

        head = (np.asarray(sampler.reveal)[:HEAD_STEPS].tolist(), np.asarray(sampler.keep)[:HEAD_STEPS].tolist())
        super().__init__(sampler.length, sampler.steps, sampler.name.rsplit(":", 1)[1], *head)
