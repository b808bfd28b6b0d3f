"""Source resolution: from what the user has (a loss curve, an MI profile, a multi-scale file) to what a
command needs (the sampler of a spec, Theorem 2's multi-scale profile), in one place.

``bound`` and ``latex --with-values`` (and any front end) ask these functions instead of building
curve -> schedule -> Φ themselves: a family that needs a curve (``info-optimal:T``, ``optimal:T``) is
computed from the curve, any other is built for the length; Φ's level totals come from a file when
one is given, else from the curve.

>>> from boundcalc.curve import LossCurve
>>> curve = LossCurve.from_conditional([2.0, 0.5, 0.25, 0.125])
>>> case_sampler("optimal:2", 4, curve).sizes, case_sampler("uniform:2", 4).sizes
((1, 3), (2, 2))
>>> case_multiscale(case_sampler("uniform:2", 4), curve=curve).phi > 0
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .registry import SamplerSpec

if TYPE_CHECKING:  # pragma: no cover
    from .curve import LossCurve
    from .multiscale import MultiScaleProfile

__all__ = ["case_sampler", "case_multiscale"]


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
