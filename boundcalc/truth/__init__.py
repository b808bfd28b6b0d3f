"""Ground truth: the exact sampler error and the MI profiles of explicit data models.

For a data model -- a joint table (:class:`JointDistribution`), a Markov
chain (:class:`MarkovChain`) or a chain estimated from text
(:func:`estimate_markov`) -- the error E_M KL of the sampler with the optimal
factorized predictor (ε_train = 0) is computed exactly (THEORY.md s.7) from
the model's conditional entropy profile d(m) (:class:`EntropyProfile`):

>>> from boundcalc.schedule import Schedule
>>> chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
>>> round(exact_error(chain, Schedule.uniform(64, 8), length=64), 6)
1.939782
>>> r = verify(chain, "uniform:8", length=64)
>>> r.truth <= r.bounds.sharp
True

Values are float64 in nats (``unit="bits"`` divides by ln 2); each
:class:`EntropyProfile` carries an a-priori bound on its rounding error
(docs/truth.md, "Precision").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Union

from ..errors import InvalidNumberError
from ..exact import format_decimal
from ..profile import MIProfile, check_unit
from .core import EntropyProfile, Progress, to_unit
from .io import Model, load_joint, load_markov, load_model, profile_csv, write_profile_csv
from .joint import JointDistribution
from .markov import MarkovChain
from .text import estimate_markov, load_text, tokenize

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..bounds import BoundReport
    from ..schedule import Schedule

__all__ = [
    "EntropyProfile",
    "JointDistribution",
    "MarkovChain",
    "Model",
    "VerifyReport",
    "entropy_profile",
    "exact_error",
    "token_mi",
    "token_mi_levels",
    "mi_profile",
    "multiscale_mi",
    "multiscale_phi",
    "optimal_schedule",
    "verify",
    "load_model",
    "load_joint",
    "load_markov",
    "load_text",
    "estimate_markov",
    "tokenize",
    "float_decimal",
    "to_unit",
    "profile_csv",
    "write_profile_csv",
]

ModelOrProfile = Union[JointDistribution, MarkovChain, EntropyProfile]


def entropy_profile(model: ModelOrProfile, length: int | None = None, progress: Progress | None = None) -> EntropyProfile:
    """The conditional entropy profile d(0..L-1) of ``model`` (L from the table, or ``length`` for a chain)."""
    if isinstance(model, EntropyProfile):
        if length is not None and length != model.length:
            raise InvalidNumberError(
                f"--length {length} disagrees with the entropy profile (L = {model.length})", param="--length"
            )
        return model
    if isinstance(model, (JointDistribution, MarkovChain)):
        return model.entropy_profile(length, progress=progress)
    raise TypeError(f"expected a JointDistribution, MarkovChain or EntropyProfile, got {type(model).__name__}")


def _schedule(schedule: "Schedule | str", length: int) -> "Schedule":
    from ..schedule import Schedule, parse_schedule

    if isinstance(schedule, Schedule):
        return schedule.require_length(length)
    return parse_schedule(schedule, length)


def exact_error(
    model: ModelOrProfile,
    schedule: "Schedule | str",
    length: int | None = None,
    unit: str = "nats",
    progress: Progress | None = None,
) -> float:
    """E_M KL(p_X0 || p_Y0|M) for ``schedule`` with the optimal predictor: Σ_steps g(w, s)."""
    profile = entropy_profile(model, length, progress)
    return profile.error(_schedule(schedule, profile.length), unit)


def token_mi(
    model: JointDistribution | MarkovChain,
    size: int | None = None,
    length: int | None = None,
    unit: str = "nats",
    progress: Progress | None = None,
) -> "np.ndarray":
    """Per token, F_i(m) = E[I(X^(i); X∘A)] over uniform m-sets A ∌ i; m = L - 1 (default) gives I_i."""
    check_unit(unit)
    values = model.token_mi(size, length, progress=progress)
    return values if unit == "nats" else values / math.log(2)


def token_mi_levels(
    model: JointDistribution | MarkovChain,
    sizes: "list[int]",
    length: int | None = None,
    unit: str = "nats",
    progress: Progress | None = None,
) -> "np.ndarray":
    """F_i(m) for each m in ``sizes`` at once, shape (L, len(sizes)); m <= 0 (an empty set) gives 0.

    Markov chains use :meth:`MarkovChain.token_mi_levels` (the gap method for m close
    to L: Theorem 2's levels at L = 16384 in about a second); joint tables their
    cached subset sums.

    >>> chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
    >>> F = token_mi_levels(chain, [-2, 6, 7], length=8)
    >>> F.shape, float(F[:, 0].max()), bool((F[:, 1] <= F[:, 2] + 1e-15).all())
    ((8, 3), 0.0, True)
    """
    import numpy as np

    check_unit(unit)
    sizes = [int(m) for m in sizes]
    if isinstance(model, MarkovChain):
        values = model.token_mi_levels(sizes, length, progress=progress)
    else:
        L = model.check_length(length)
        values = np.zeros((L, len(sizes)))
        for col, m in enumerate(sizes):
            if m > 0:
                values[:, col] = model.token_mi(m, L, progress=progress)
    return values if unit == "nats" else values / math.log(2)


def float_decimal(value: float) -> str:
    """The shortest decimal that reads back as the same float64 (``repr``); negatives clamp to "0"."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not finite")
    return "0" if value <= 0 else repr(value)


def mi_profile(
    model: JointDistribution | MarkovChain,
    length: int | None = None,
    unit: str = "nats",
    progress: Progress | None = None,
) -> MIProfile:
    """The MI profile I_i = I(X^(i); X^(-i)) as an exact :class:`MIProfile`.

    Each float64 value is taken at its shortest round-trip decimal (what
    ``boundcalc profile`` writes), so the profile read back from the file is
    the same, exactly.
    """
    values = token_mi(model, None, length, unit, progress)
    return MIProfile.from_values([float_decimal(x) for x in values], unit=unit, source=getattr(model, "source", "") or "model")


def multiscale_mi(model: ModelOrProfile, size: int, length: int | None = None, unit: str = "nats") -> float:
    """G(m) = Σ_i E[I(X^(i); X∘A)] over uniform m-sets A ∌ i (Theorem 2's ingredient), 0 <= m <= L - 1."""
    return entropy_profile(model, length).multiscale(size, unit)


def multiscale_phi(model: ModelOrProfile, max_size: int, length: int | None = None, unit: str = "nats") -> float:
    """Theorem 2's Φ = Σ_j 2^-j G(L - s_max 2^-j), j = 0..log2 s_max (s_max a power of two <= L)."""
    return entropy_profile(model, length).multiscale_phi(max_size, unit)


def optimal_schedule(
    model: ModelOrProfile, steps: int, length: int | None = None, progress: Progress | None = None
) -> "tuple[Schedule, float]":
    """The T-step schedule of least exact error and its error in nats (DP, O(T L log L)).

    T and the DP's cost are checked before the entropy profile is computed.
    """
    L = model.length if isinstance(model, EntropyProfile) else model.check_length(length)
    EntropyProfile.check_optimal(L, steps)
    return entropy_profile(model, length).optimal_schedule(steps, progress)


#: The upper bounds of a verify report (truth <= bound for the schedule itself).
UPPER_BOUNDS = ("sharp", "recursion", "theorem1", "corollary1", "theorem2_upper")


@dataclass(frozen=True)
class VerifyReport:
    """The exact error of one schedule next to every bound, in ``unit``.

    ``truth`` and ``mi_total`` are float64 values (``truth_error`` bounds the
    rounding error of ``truth``); ``bounds`` is the exact
    :class:`boundcalc.bounds.BoundReport` evaluated at the model's ΣI and
    multi-scale level totals G(m_j) (their shortest round-trip decimals,
    exactly). Theorem 2's lower bound (13) is about the paper's random
    schedule on {S, S/2}, not this one: ``random_error`` is that schedule's
    exact expected error (None when S < 2), which it is checked against.
    """

    truth: float
    truth_error: float
    mi_total: float
    unit: str
    schedule: "Schedule"
    bounds: "BoundReport"
    profile: MIProfile
    model: str
    random_error: float | None = None
    extra: dict = field(default_factory=dict)

    def ratios(self) -> dict[str, float | None]:
        """bound / exact error for each upper bound; theorem2_lower / the random schedule's error.

        None when a bound does not apply or the error is 0.
        """
        values = self.bounds.bounds
        out: dict[str, float | None] = {}
        for name in UPPER_BOUNDS:
            value = values.get(name)
            out[name] = None if value is None or self.truth <= 0 else float(value) / self.truth
        lower = values.get("theorem2_lower")
        out["theorem2_lower"] = (
            None if lower is None or not self.random_error else float(lower) / self.random_error
        )
        return out

    def holds(self) -> dict[str, bool | None]:
        """truth <= each upper bound, random error >= theorem2_lower; allowing the stated float error."""
        values = self.bounds.bounds
        out: dict[str, bool | None] = {}
        for name in UPPER_BOUNDS:
            value = values.get(name)
            out[name] = None if value is None else self.truth <= float(value) * (1 + 1e-12) + self.truth_error
        lower = values.get("theorem2_lower")
        if lower is None or self.random_error is None:
            out["theorem2_lower"] = None
        else:
            out["theorem2_lower"] = self.random_error >= float(lower) * (1 - 1e-12) - self.truth_error
        return out

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        bounds = self.bounds.to_dict(digits)
        out = {
            "model": self.model,
            **{k: bounds[k] for k in ("length", "steps", "max_mask_size", "schedule", "unit")},
            "truth": _float_json(self.truth, digits, self.truth_error,
                                 "exact E_M KL with the optimal predictor (ε_train = 0), float64"),
            "mi_total": bounds["mi_total"],
            "bounds": bounds["bounds"],
            "ratios": {k: (None if v is None else format_decimal(Fraction(v), digits)) for k, v in self.ratios().items()},
            "holds": self.holds(),
            "notes": {
                **bounds["notes"],
                "ratios": "bound / exact error; for theorem2_lower: bound / the random schedule's exact expected error",
            },
        }
        if "multiscale" in bounds:
            out["multiscale"] = bounds["multiscale"]
        if self.random_error is not None:
            out["random_schedule"] = {
                "max_mask_size": self.bounds.multiscale.max_size if self.bounds.multiscale else None,
                "truth": _float_json(self.random_error, digits, self.truth_error * 2,
                                     "exact expected error of random:S (sizes iid uniform on {S, S/2}), float64"),
            }
        out.update(self.extra)
        return out


def _float_json(value: float, digits: int, error: float, note: str) -> dict[str, str]:
    return {
        "decimal": format_decimal(Fraction(max(value, 0.0)), digits),
        "float": float_decimal(value),
        "abs_error": f"{error:.2g}",
        "note": note,
    }


def verify(
    model: ModelOrProfile,
    schedule: "Schedule | str",
    length: int | None = None,
    unit: str = "nats",
    progress: Progress | None = None,
) -> VerifyReport:
    """The exact error of ``schedule`` and every bound at the model's ΣI and multi-scale profile.

    Theorem 2 uses the level totals G(m_j), m_j = L - S/2^j, S = 2^ceil(log2 s_max),
    which the entropy profile gives in O(1) each (floating noise that would
    make them decrease by an ulp is clamped, and ΣI is the last level).
    """
    from ..bounds import bound_report
    from ..theorem2 import MultiScaleProfile, expected_random_error, level_sizes

    check_unit(unit)
    profile = entropy_profile(model, length, progress)
    L = profile.length
    sched = _schedule(schedule, L)
    truth = profile.error(sched, unit)
    big_s, sizes = level_sizes(L, sched.max_size)
    totals, running = [], 0.0
    for m in sizes:
        running = max(running, 0.0 if m <= 0 else profile.multiscale(m, unit))
        totals.append(float_decimal(running))
    multiscale = MultiScaleProfile.from_level_totals(totals, L, unit=unit, source="the data model")
    mi = MIProfile.from_total(totals[-1], L, unit=unit)  # level J has m = L - 1: ΣI
    report = bound_report(mi, sched, multiscale=multiscale)
    random_error = to_unit(expected_random_error(profile, big_s), unit) if big_s >= 2 else None
    return VerifyReport(
        truth=truth,
        truth_error=profile.error_bound(sched, unit),
        mi_total=float(totals[-1]),
        unit=unit,
        schedule=sched,
        bounds=report,
        profile=mi,
        model=profile.source,
        random_error=random_error,
    )
