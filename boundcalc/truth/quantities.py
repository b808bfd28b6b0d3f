"""What the truth engine computes from a data model: errors, MI profiles, Φ, optimal schedules.

Every function takes a data model (:class:`JointDistribution`,
:class:`MarkovChain`) or its :class:`EntropyProfile` and returns float64
values in nats (the printers convert them: :func:`boundcalc.units.from_nats`) or exact value
objects built from the shortest round-trip decimals of those floats, in the unit asked for
(an exact value carries its unit).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Union

from ..errors import InvalidNumberError, ScheduleError
from ..multiscale import MultiScaleProfile, level_sizes
from ..profile import MIProfile
from ..counts import CountSampler, parse_sampler
from ..schedule import Schedule
from ..units import Unit, from_nats
from .core import EntropyProfile, Progress, float_decimal
from .samplers import block_error, count_error
from .joint import JointDistribution
from .markov import MarkovChain

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "ModelOrProfile",
    "entropy_profile",
    "exact_error",
    "token_mi",
    "token_mi_levels",
    "mi_profile",
    "multiscale_mi",
    "multiscale_phi",
    "optimal_schedule",
    "expected_random_error",
    "multiscale_from_model",
    "as_schedule",
]

ModelOrProfile = Union[JointDistribution, MarkovChain, EntropyProfile]


def entropy_profile(model: ModelOrProfile, length: int | None = None, progress: Progress | None = None) -> EntropyProfile:
    """The conditional entropy profile d(0..L-1) of ``model`` (L from the table, or ``length`` for a chain)."""
    if isinstance(model, EntropyProfile):
        if length is not None and length != model.length:
            raise InvalidNumberError(
                f"{length} disagrees with the entropy profile (L = {model.length})", param="length"
            )
        return model
    if isinstance(model, (JointDistribution, MarkovChain)):
        return model.entropy_profile(length, progress=progress)
    raise TypeError(f"expected a JointDistribution, MarkovChain or EntropyProfile, got {type(model).__name__}")


def as_schedule(schedule: "Schedule | CountSampler | str", length: int) -> Any:
    """A sampler (:class:`boundcalc.registry.Sampler`: a schedule, a random-count sampler, ...) checked
    against L, or parsed from its text form."""
    if isinstance(schedule, str):
        return parse_sampler(schedule, length)
    if schedule.length != length:
        if hasattr(schedule, "require_length"):  # a fixed schedule says which sizes do not add up
            return schedule.require_length(length)
        raise ScheduleError(f"{schedule} is for L = {schedule.length}, but L = {length}", param="schedule")
    return schedule


def exact_error(
    model: ModelOrProfile,
    schedule: "Schedule | CountSampler | str",
    length: int | None = None,
    progress: Progress | None = None,
) -> float:
    """E_M KL(p_X0 || p_Y0|M) for ``schedule`` with the optimal predictor: Σ_steps g(w, s), in nats.

    A random-count sampler (``mdlm:T``, ``sedd:T``, ``dream-origin:T``) gives the
    exact expectation over its counts (:func:`boundcalc.truth.samplers.count_error`).
    A semi-autoregressive schedule (``blocks:K:FAMILY:T``) sums each block's
    error under its conditional law given the earlier blocks
    (:func:`boundcalc.truth.samplers.block_error`), which needs the data model.
    """
    if isinstance(model, (JointDistribution, MarkovChain)):
        L = model.check_length(length)
        sched = as_schedule(schedule, L)
        if sched.positions == "blocks":
            return float(max(block_error(model, sched, L, progress)[0], 0.0))
        profile = model.entropy_profile(L, progress=progress)
    else:
        profile = entropy_profile(model, length, progress)
        sched = as_schedule(schedule, profile.length)
    if sched.random_counts:  # the expectation over its counts
        return float(max(count_error(profile, sched)[0], 0.0))
    return profile.error(sched)


def token_mi(
    model: JointDistribution | MarkovChain,
    size: int | None = None,
    length: int | None = None,
    progress: Progress | None = None,
) -> "np.ndarray":
    """Per token, F_i(m) = E[I(X^(i); X∘A)] over uniform m-sets A ∌ i, in nats; m = L - 1 (default) gives I_i."""
    return model.token_mi(size, length, progress=progress)


def token_mi_levels(
    model: JointDistribution | MarkovChain,
    sizes: "list[int]",
    length: int | None = None,
    progress: Progress | None = None,
) -> "np.ndarray":
    """F_i(m) in nats for each m in ``sizes`` at once, shape (L, len(sizes)); m <= 0 (an empty set) gives 0.

    Markov chains use :meth:`MarkovChain.token_mi_levels` (the gap method for m close
    to L: Theorem 2's levels at L = 16384 in about a second); joint tables their
    cached subset sums.

    >>> chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
    >>> F = token_mi_levels(chain, [-2, 6, 7], length=8)
    >>> F.shape, float(F[:, 0].max()), bool((F[:, 1] <= F[:, 2] + 1e-15).all())
    ((8, 3), 0.0, True)
    """
    import numpy as np

    sizes = [int(m) for m in sizes]
    if isinstance(model, MarkovChain):
        values = model.token_mi_levels(sizes, length, progress=progress)
    else:
        L = model.check_length(length)
        values = np.zeros((L, len(sizes)))
        for col, m in enumerate(sizes):
            if m > 0:
                values[:, col] = model.token_mi(m, L, progress=progress)
    return values


def mi_profile(
    model: JointDistribution | MarkovChain,
    length: int | None = None,
    unit: str = "nats",
    progress: Progress | None = None,
) -> MIProfile:
    """The MI profile I_i = I(X^(i); X^(-i)) as an exact :class:`MIProfile` in ``unit``.

    Each float64 value (computed in nats, in ``unit`` by :func:`boundcalc.units.from_nats`) is
    taken at its shortest round-trip decimal (what ``boundcalc profile`` writes), so the
    profile read back from the file is the same, exactly; from there on it is exact, in its unit.
    """
    values = from_nats(token_mi(model, None, length, progress), unit)
    return MIProfile.from_values([float_decimal(x) for x in values], unit=unit, source=getattr(model, "source", "") or "model")


def multiscale_mi(model: ModelOrProfile, size: int, length: int | None = None) -> float:
    """G(m) = Σ_i E[I(X^(i); X∘A)] over uniform m-sets A ∌ i (Theorem 2's ingredient), 0 <= m <= L - 1; nats."""
    return entropy_profile(model, length).multiscale(size)


def multiscale_phi(model: ModelOrProfile, max_size: int, length: int | None = None) -> float:
    """Theorem 2's Φ = Σ_j 2^-j G(L - s_max 2^-j), j = 0..log2 s_max (s_max a power of two <= L); nats."""
    return entropy_profile(model, length).multiscale_phi(max_size)


def optimal_schedule(
    model: ModelOrProfile, steps: int, length: int | None = None, progress: Progress | None = None
) -> "tuple[Schedule, float]":
    """The T-step schedule of least exact error and its error in nats (DP, O(T L log L)).

    T and the DP's cost are checked before the entropy profile is computed.
    """
    L = model.length if isinstance(model, EntropyProfile) else model.check_length(length)
    EntropyProfile.check_optimal(L, steps)
    return entropy_profile(model, length).optimal_schedule(steps, progress)


def expected_random_error(model: ModelOrProfile, max_size: int, length: int | None = None) -> float:
    """The error of the random schedule on {S, S/2}, averaged over the schedule (nats).

    The steps' probabilities are exact (:func:`random_schedule_distribution`);
    their errors are the engine's float64 values, summed with ``math.fsum``.

    ``model`` is anything :func:`entropy_profile` accepts.
    """
    from ..random_schedule import random_schedule_floats

    profile = entropy_profile(model, length)
    p, w, s = random_schedule_floats(profile.length, max_size)  # float(P) of each exact P, cached per (L, S)
    return math.fsum(chance * profile.step_error(a, b) for chance, a, b in zip(p.tolist(), w.tolist(), s.tolist()))


def multiscale_from_model(
    model: JointDistribution | MarkovChain,
    s_max: int,
    length: int | None = None,
    unit: "Unit | str" = Unit.NATS,
    progress: Progress | None = None,
) -> MultiScaleProfile:
    """The multi-scale profile of a data model for s_max (levels of S = 2^ceil(log2 s_max)), exact in ``unit``.

    Per-token values come from the model's exact F_i(m) in float64, recorded
    as their shortest round-trip decimals (so the file form is exact for what
    was computed); levels with an empty set are 0.
    """
    import numpy as np

    L = model.check_length(length)
    big_s, sizes = level_sizes(L, s_max)
    if s_max > L:
        raise ScheduleError(f"s_max = {s_max} exceeds L = {L}", param="s_max", allowed="s_max <= L")
    values = np.maximum(from_nats(token_mi_levels(model, sizes, L, progress), unit), 0.0)
    # float noise can break monotonicity by an ulp: clamp up, and say so (on the floats: their
    # shortest round-trip decimals are in the same order)
    clamped = np.maximum.accumulate(values, axis=1)
    repaired = int(np.count_nonzero(clamped != values))
    rows = [[float_decimal(x) for x in row] for row in clamped.tolist()]
    source = getattr(model, "source", "") or "model"
    return MultiScaleProfile.from_values(rows, scale=big_s, unit=unit, source=source, float_repairs=repaired)
