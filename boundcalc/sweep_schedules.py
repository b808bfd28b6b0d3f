"""A sweep's schedules alone, for the figure that draws them (``plot --kind schedule``): no errors, no bounds.

:func:`boundcalc.sweeps.sweep` computes every row's errors and bounds, which the schedule figure does not draw;
from a loss curve that imports and prepares the truth engine (about a tenth of a second of the figure's second at
L = 1024, issue 22). :func:`schedule_sweep` builds the same schedules by the sweep's own builders, after the same
checks of the families and the grid, for the sources whose schedules need no model: an MI profile and a loss curve
(info-optimal:T is computed from the curve). A data model, or the optimal schedules (the DP), take the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .curve import LossCurve
from .profile import MIProfile

__all__ = ["ScheduleSweep", "schedule_sweep", "schedules_only"]


@dataclass(frozen=True)
class ScheduleSweep:
    """The rows of a sweep with their schedules only (each row's ``bounds`` empty: none was computed), in family
    order then increasing T; ``skipped`` as :class:`boundcalc.sweeps.SweepResult`'s. No optimal schedules."""

    rows: tuple[Any, ...]
    families: tuple[str, ...]
    steps: tuple[int, ...]
    length: int
    skipped: tuple[tuple[str, int, str], ...] = ()
    optimal_schedules: Mapping[int, Any] = field(default_factory=dict)

    def family_rows(self, family: str) -> list[Any]:
        """The rows of one family, by increasing T."""
        return [row for row in self.rows if row.family == family]


def schedules_only(source: Any) -> bool:
    """Whether :func:`schedule_sweep` takes ``source``: an MI profile or a loss curve (a data model: the sweep)."""
    return isinstance(source, (MIProfile, LossCurve))


def schedule_sweep(source: "MIProfile | LossCurve", families: "str | Iterable[str]", steps: "str | Iterable[int]",
                   *, unit: Any = None) -> ScheduleSweep:
    """The schedules :func:`boundcalc.sweeps.sweep` would compute for ``families`` over ``steps``, with its checks:
    the families (parsed, none twice, those computed from a curve given one), an MI profile's unit, the grid and
    the random-count samplers' estimated cost."""
    from .sweep_truth import resolve_source
    from .count_flow import build_count_samplers
    from .sweeps import SweepRow, check_curve_families, family_schedules, parse_families, parse_sweep_grid

    specs = parse_families(families)
    if isinstance(source, LossCurve):  # the curve's own length; no truth engine (the sweep's SourceTruth)
        length, curve = source.length, source
    else:
        length, curve = resolve_source(source, None, unit, None)[0].length, None
    grid = parse_sweep_grid(specs, steps, length)
    check_curve_families(specs, curve)
    samplers = build_count_samplers(specs, grid, length)
    rows, skipped = [], []
    for spec in specs:
        built, missed = family_schedules(spec, grid, length, samplers, curve)
        skipped += missed
        rows += [SweepRow(spec.label, t, schedule, {}) for t, schedule in built]
    return ScheduleSweep(rows=tuple(rows), families=tuple(s.label for s in specs), steps=tuple(grid), length=length,
                         skipped=tuple(skipped))
