"""The trade-off figure of issue 19: error and sequence error against the expected network calls.

Each sampler (fixed-T families and threshold rules alike) is one point at its
E[NFE]; the points of one family (the spec's name before ':') are joined in order
of E[NFE]. Exact values are filled markers on solid lines; upper bounds (E_p Σ TC
by Monte Carlo) hollow markers on dashed lines; Monte Carlo values carry ± one
standard error bars. A sampler with no value at this L (confidence rules on a
chain) is left out of the error panel, not drawn as zero.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

import boundcalc.plot.style as style  # the house style of every figure (the module, not its package)
from .units import display_unit, from_nats

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .sampler_truth import RuleReport

__all__ = ["error_vs_nfe", "family_of"]


def family_of(report: "RuleReport") -> str:
    """The family a point belongs to: the spec's name before the first ':' (llada with its remasking)."""
    name = str(report.rule).partition(":")[0]
    return name


@style.styled
def error_vs_nfe(reports: Sequence["RuleReport"], *, title: str | None = None) -> "Figure":
    """Two panels against E[NFE]: the error (KL or its bound, computed in nats, drawn in the display unit:
    :func:`boundcalc.units.display`) and the sequence error P_q(p(x) = 0)."""
    fig, (top, bottom) = style.figure(rows=2, height=style.HEIGHT * 1.6, sharex=True)
    unit = display_unit()
    scale = from_nats(1.0, unit)
    families: dict[str, list[Any]] = {}
    for r in reports:
        families.setdefault(family_of(r), []).append(r)
    series: list[tuple[str, dict[str, Any]]] = []
    for index, (name, points) in enumerate(families.items()):
        points.sort(key=lambda r: r.expected_nfe[0])
        look = style.series_style(index)  # families differ by colour and marker, as in every figure
        color, marker = look["color"], look["marker"]
        xs = [r.expected_nfe[0] for r in points]
        xerr = [r.expected_nfe[1] for r in points]
        drawn = [r for r in points if r.truth is not None]
        if drawn:
            bound = any(r.truth_kind.startswith("upper bound") for r in drawn)
            ys = [max(r.truth * scale, 1e-300) for r in drawn]
            yerr = [0.0 if r.exact or "exact" in r.truth_kind else r.truth_error * scale for r in drawn]
            top.errorbar([r.expected_nfe[0] for r in drawn], ys, yerr=yerr,
                         xerr=[r.expected_nfe[1] for r in drawn], color=color, marker=marker,
                         mfc="none" if bound else color, ls="--" if bound else "-",
                         label=name + (" (bound E Σ TC)" if bound else ""))
        bottom.errorbar(xs, [r.sequence_error[0] for r in points], yerr=[r.sequence_error[1] for r in points],
                        xerr=xerr, color=color, marker=marker, ls="-")
        bound = any(r.truth is not None and r.truth_kind.startswith("upper bound") for r in points)
        series.append((name + (" (bound E Σ TC)" if bound else ""), {"color": color, "marker": marker,
                                                                     "linestyle": "--" if bound else "-"}))
    top.set_ylabel(f"KL($p\\,\\|\\,q$)  [{unit}]")
    top.set_yscale("symlog", linthresh=1e-3)
    bottom.set_ylabel("sequence error")
    bottom.set_xlabel("expected network calls E[NFE]")
    lines = [("exact (filled, solid)", {"marker": "o", "linestyle": "-"}),
             ("upper bound E Σ TC (hollow, dashed); bars: ± stderr", {"marker": "o", "markerfacecolor": "none",
                                                                       "linestyle": "--"})]
    style.legends(fig, series, lines if families else [], title)
    return fig
