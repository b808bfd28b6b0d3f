"""The trade-off figure of issue 19: error and sequence error against the expected network calls.

Each sampler (fixed-T families and threshold rules alike) is one point at its E[NFE]; the points of one
family (the spec's name before ':') are joined in order of E[NFE], and a threshold rule's point is
labelled with its threshold (τ, γ, η), since its place on the x axis does not say it. What each point's
error is, is told by the line: exact KL(p‖q) solid, exact E_M KL(p‖q_M) of a schedule with random
positions dash-dotted, the Monte Carlo upper bound E_p Σ TC dashed with hollow markers and ± one
standard error bars (rules of a family at one point share a label). An error of 0 is a ▼ on the bottom axis (log scale); a sampler with no error value
at this L (confidence rules on a chain) is drawn in the sequence-error panel only and says so in the
legend. The sequence error is a probability: its axis starts at 0.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

import boundcalc.plot.style as style  # the house style of every figure (the module, not its package)
from .units import display_unit, from_nats

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .sampler_truth import RuleReport

__all__ = ["error_vs_nfe", "family_of"]

#: The kinds of error a point can carry: (legend text, line style, hollow marker).
KINDS = {
    "kl": ("exact KL($p\\,\\|\\,q$)", "-", False),
    "em": ("exact $E_M$KL($p\\,\\|\\,q_M$) (random positions)", (0, (6, 1.5, 1, 1.5)), False),
    "bound": ("upper bound $E_p\\,\\Sigma$ TC (Monte Carlo, ± stderr)", "--", True),
}
#: The symbol of a threshold rule's parameter in the annotations.
THRESHOLD_SYMBOL = {"confidence": "τ", "eb": "γ", "entropy-sum": "η"}


def family_of(report: "RuleReport") -> str:
    """The family a point belongs to: the spec's name before the first ':' (llada with its remasking)."""
    name = str(report.rule).partition(":")[0]
    return name


def _kind(report: "RuleReport") -> str | None:
    if report.truth is None:
        return None
    if report.truth_kind.startswith("upper bound"):
        return "bound"
    return "em" if report.truth_kind.startswith("E_M") else "kl"


def _threshold_label(report: "RuleReport") -> str | None:
    """'τ = 3/4' for a threshold rule (its E[NFE] does not say which threshold it was), else None."""
    threshold = getattr(report.rule, "threshold", None)
    if threshold is None:
        return None
    symbol = THRESHOLD_SYMBOL.get(getattr(report.rule, "kind", ""), "θ")
    return f"{symbol} = {threshold}"


def _offset(index: int) -> tuple[int, int]:
    """Where a family's threshold labels sit beside its points: families alternate above and below, so two
    rules with the same point (EB and the entropy sum often coincide) keep readable labels."""
    return (4, 3) if index % 2 == 0 else (4, -9)


def _error_panel(ax: "Axes", name: str, points: list["RuleReport"], look: dict[str, Any], scale: float,
                 index: int, span: tuple[float, float]) -> set[str]:
    """One family's errors on the log axis (0 as ▼ on the axis), with stderr bars; the kinds it drew."""
    kinds = set()
    for kind in ("kl", "em", "bound"):
        drawn = [r for r in points if _kind(r) == kind]
        if not drawn:
            continue
        kinds.add(kind)
        _, line, hollow = KINDS[kind]
        xs = [r.expected_nfe[0] for r in drawn]
        ys = [float(r.truth or 0.0) * scale for r in drawn]  # drawn: every truth is a number
        fill = "none" if hollow else look["color"]
        style.plot_positive(ax, xs, ys, gid=f"nfe:{name}:{kind}", color=look["color"], marker=look["marker"],
                            markerfacecolor=fill, markeredgecolor=look["color"], markersize=4.5, linestyle=line)
        bars = [(x, y, r.truth_error * scale) for x, y, r in zip(xs, ys, drawn) if kind == "bound" and y > 0]
        if bars:  # ± one standard error, the lower end kept above 0 on the log axis
            ax.errorbar([b[0] for b in bars], [b[1] for b in bars], fmt="none", ecolor=look["color"],
                        yerr=[[min(e, 0.9 * y) for _, y, e in bars], [e for _, _, e in bars]], elinewidth=0.8)
    shown = [r for r in points if r.truth is not None and r.truth > 0]
    for (x, y), label in _labels(shown, lambda r: (r.expected_nfe[0], r.truth * scale), True, span).items():
        ax.annotate(label, (x, y), textcoords="offset points", xytext=_offset(index), fontsize=style.FONT - 2,
                    color=look["color"])
    return kinds


def _labels(points: list["RuleReport"], where: Any, log: bool,
            span: tuple[float, float]) -> dict[tuple[float, float], str]:
    """The threshold labels by position: rules of one family at points the eye cannot tell apart (within 3%
    of the figure's x and y ``span``, or of a decade on a log axis) share one label
    ('τ = 3/10, 9/10'), so no two labels are printed over each other."""
    placed = [(where(r), label) for r in points if (label := _threshold_label(r)) is not None]
    x_tol, y_tol = 0.03 * span[0], 0.03 * span[1]
    groups: list[tuple[tuple[float, float], list[str]]] = []
    for (x, y), label in placed:
        for (gx, gy), labels in groups:
            near_y = abs(math.log10(y / gy)) <= 0.03 if log else abs(y - gy) <= y_tol
            if abs(x - gx) <= x_tol and near_y:
                labels.append(label)
                break
        else:
            groups.append(((x, y), [label]))
    return {xy: labels[0] + "".join(", " + text.split(" = ", 1)[1] for text in labels[1:]) for xy, labels in groups}


def _sequence_panel(ax: "Axes", points: list["RuleReport"], look: dict[str, Any], index: int,
                    span: tuple[float, float]) -> None:
    xs = [r.expected_nfe[0] for r in points]
    ax.errorbar(xs, [r.sequence_error[0] for r in points], yerr=[r.sequence_error[1] for r in points],
                xerr=[r.expected_nfe[1] for r in points], color=look["color"], marker=look["marker"],
                markerfacecolor=look["color"], markersize=4.5, ls="-", elinewidth=0.8)
    alone = [r for r in points if r.truth is None]  # this panel is the only one that shows them
    for (x, y), label in _labels(alone, lambda r: (r.expected_nfe[0], r.sequence_error[0]), False, span).items():
        ax.annotate(label, (x, y), textcoords="offset points", xytext=_offset(index), fontsize=style.FONT - 2,
                    color=look["color"])


@style.styled
def error_vs_nfe(reports: Sequence["RuleReport"], *, title: str | None = None) -> "Figure":
    """Two panels against E[NFE]: the error (KL, E_M KL or the Monte Carlo bound, computed in nats, drawn in
    the display unit: :func:`boundcalc.units.display`) and the sequence error P_q(p(x) = 0)."""
    fig, (top, bottom) = style.figure(rows=2, height=style.HEIGHT * 1.6, sharex=True)
    unit = display_unit()
    scale = from_nats(1.0, unit)
    families: dict[str, list[Any]] = {}
    for r in reports:
        families.setdefault(family_of(r), []).append(r)
    series: list[tuple[str, dict[str, Any]]] = []
    kinds: set[str] = set()
    calls = [r.expected_nfe[0] for r in reports] or [0.0]
    sequence = [r.sequence_error[0] for r in reports] or [0.0]
    span = (max(calls) - min(calls) or 1.0, max(sequence) - min(sequence) or 0.05)
    for index, (name, points) in enumerate(families.items()):
        points.sort(key=lambda r: r.expected_nfe[0])
        look = style.series_style(index)  # families differ by colour and marker, as in every figure
        kinds |= _error_panel(top, name, points, look, scale, index, span)
        _sequence_panel(bottom, points, look, index, span)
        missing = " (sequence error only)" if any(r.truth is None for r in points) else ""
        series.append((name + missing, {"color": look["color"], "marker": look["marker"],
                                        "markerfacecolor": look["color"], "linestyle": "-"}))
    top.set_yscale("log")
    low, high = top.get_ylim()
    top.set_ylim(low, high * 1.8)  # room for the threshold labels of the highest points
    top.set_ylabel(f"error [{unit}]")
    highest = max((r.sequence_error[0] + r.sequence_error[1] for r in reports), default=0.0)
    ceiling = min(1.0, max(0.05, 1.15 * highest))
    bottom.set_ylim(-0.03 * ceiling, ceiling)  # a probability: from 0 (a small margin shows the markers at 0)
    bottom.set_ylabel("sequence error")
    bottom.set_xlabel("expected network calls E[NFE]")
    left, right = bottom.get_xlim()
    bottom.set_xlim(left, right + 0.08 * (right - left))  # room for the labels of the rightmost points
    lines = [(KINDS[k][0], {"marker": "o", "linestyle": KINDS[k][1],
                            "markerfacecolor": "none" if KINDS[k][2] else style.GREY}) for k in KINDS if k in kinds]
    style.legends(fig, series, lines, title)
    return fig
