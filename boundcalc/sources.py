"""Source resolution: from what the user has (a loss curve, an MI profile, a multi-scale file, a data model) to
what a command needs (the sampler of a spec, Theorem 2's multi-scale profile, a sweep's or verify's source), in
one place.

``bound`` and ``latex --with-values`` (and any front end) ask these functions instead of building
curve -> schedule -> Φ themselves: a family that needs a curve (``info-optimal:T``, ``optimal:T``) is
computed from the curve, any other is built for the length; Φ's level totals come from a file when
one is given, else from the curve. ``sweep`` asks :func:`sweep_source` (what the sweep engine reads, and
its description), ``verify`` asks :func:`verify_source` (the entropy profile and the loss curve of a data
model or of a measured curve); :func:`describe_model` is the one line naming a data model.

>>> from boundcalc.curve import LossCurve
>>> curve = LossCurve.from_conditional([2.0, 0.5, 0.25, 0.125])
>>> case_sampler("optimal:2", 4, curve).sizes, case_sampler("uniform:2", 4).sizes
((1, 3), (2, 2))
>>> case_multiscale(case_sampler("uniform:2", 4), curve=curve).phi > 0
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .registry import SamplerSpec

if TYPE_CHECKING:  # pragma: no cover
    from .curve import LossCurve
    from .multiscale import MultiScaleProfile
    from .profile import MIProfile

__all__ = ["case_sampler", "case_multiscale", "describe_model", "SweepSource", "sweep_source", "VerifySource",
           "verify_source"]


def case_sampler(spec: "str | SamplerSpec", length: int | None, curve: "LossCurve | None" = None, *,
                 fixed: bool = False, param: str = "schedule") -> Any:
    """The sampler ``spec`` names for sequence length ``length``: computed from ``curve`` when the family needs
    one (and a curve is given), else built (a :class:`~boundcalc.schedule.Schedule`, or a random-count sampler
    unless ``fixed``). A string is read once, here; errors name ``param``."""
    from .schedule import parse_sampler, parse_schedule, parse_spec

    parsed = spec if isinstance(spec, SamplerSpec) else parse_spec(spec, param)
    if curve is not None and parsed.family.needs_curve:
        from .estimate import curve_schedule

        return curve_schedule(parsed, curve)
    return (parse_schedule if fixed else parse_sampler)(parsed, length, param)


def case_multiscale(sampler: Any, *, curve: "LossCurve | None" = None, path: "str | Path | None" = None,
                    unit: str = "nats") -> "MultiScaleProfile | None":
    """Theorem 2's multi-scale profile for ``sampler``'s s_max: read from ``path`` when given, else the curve's
    level totals G(m_j) = L (d(0) - d(m_j)); None without either, for a random-count sampler (its S would
    depend on the realisation) or, from a curve, for a blockwise schedule (Theorem 2 assumes random positions
    over all L, so its blockwise bounds need no Φ)."""
    if path is not None:
        from .multiscale import load_multiscale

        return load_multiscale(path, unit)
    if curve is None or sampler is None or sampler.random_counts or sampler.positions == "blocks":
        return None
    from .estimate import curve_multiscale

    return curve_multiscale(curve, sampler.max_size, unit)


def describe_model(model: Any, length: int) -> str:
    """One line naming a data model and L (the header of verify, sweep and steps)."""
    from .truth import JointDistribution

    if isinstance(model, JointDistribution):
        return (f"joint table {model.source}: L = {model.length}, V = {model.vocab_size}, "
                f"{model.support_size} outcomes")
    if model.corpus:
        c = model.corpus
        return (f"text {model.source}: {c['level']} bigram chain, {c['states']} states from {c['tokens']} tokens "
                f"(add-{c['smoothing']}), L = {length}")
    start = "given initial law" if model.given_initial else "stationary start"
    return f"Markov chain {model.source}: {model.vocab_size} states, {start}; L = {length}"


@dataclass(frozen=True)
class SweepSource:
    """What a sweep reads (``source``: an MI profile, a data model or a loss curve), the data model (None unless
    one was given), a description of the source, and L."""

    source: Any
    model: Any
    description: str
    length: int


def sweep_source(*, profile: "MIProfile | None" = None, model: Any = None, curve: "LossCurve | None" = None,
                 length: int | None = None) -> SweepSource:
    """The sweep's source from exactly one of an MI profile (bounds only), a data model (``length`` checked
    against it; the exact errors too) or a loss curve (estimated errors, and the bounds at its ΣI)."""
    from .errors import UsageError

    if sum(x is not None for x in (profile, model, curve)) != 1:
        raise UsageError("a sweep reads one source", param="source", allowed="an MI profile, a data model or a loss curve")
    if curve is not None:  # the sweep reads its entropy profile, and a measured curve's stderr
        return SweepSource(curve, None, f"loss curve {curve.source}: L = {curve.length}, {curve.masked.size} measured "
                           "ratios (estimates: d(m) interpolated linearly between them)", curve.length)
    if profile is not None:
        from .exact import format_decimal
        from .profile import FLOAT_PRINTED

        where = f"from {profile.source}" if profile.kind == "values" else f"{profile.kind} given"
        where += f"; {FLOAT_PRINTED}" if profile.float_derived else ""
        return SweepSource(profile, None, f"MI profile ({where}): L = {profile.length}, "
                           f"ΣI = {format_decimal(profile.total, 6)} {profile.unit}", profile.length)
    L = model.check_length(length)
    return SweepSource(model, model, describe_model(model, L), L)


@dataclass(frozen=True)
class VerifySource:
    """What verify compares a sampler on: the data model (None for a loss curve), its entropy profile (the
    curve's, for a curve), the loss curve (a data model's exact one), and a description."""

    model: Any
    profile: Any
    curve: "LossCurve"
    description: str


def verify_source(spec: "SamplerSpec", *, model: Any = None, curve: "LossCurve | None" = None,
                  length: int | None = None, optimal: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> VerifySource:
    """verify's source from a data model (``length`` checked against it; with ``optimal`` the DP's cost is
    checked before the entropy profile is computed) or from a loss curve."""
    from .curve import LossCurve

    if curve is not None:
        from .estimate import curve_profile

        return VerifySource(None, curve_profile(curve), curve, curve.describe())
    L = model.check_length(length)
    if optimal:
        check_optimal_steps(spec, L)  # before the entropy profile
    profile = model.entropy_profile(L, progress=progress)
    description = describe_model(model, L)
    return VerifySource(model, profile, LossCurve.from_conditional(profile.conditional, source=description),
                        description)


def check_optimal_steps(spec: "SamplerSpec", length: int) -> None:
    """T and the optimal-schedule DP's cost for ``spec`` at ``length``, refused (errors name ``optimal``) before any
    entropy is computed; a schedule from a loss curve has T as its parameter, checked where it is built."""
    from .errors import BoundcalcError
    from .schedule import parse_sampler
    from .truth import EntropyProfile

    if spec.family.needs_curve:
        return
    steps = parse_sampler(spec, length).steps
    if isinstance(steps, int):
        try:
            EntropyProfile.check_optimal(length, steps)
        except BoundcalcError as error:
            error.param = "optimal"
            raise
