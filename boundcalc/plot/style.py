"""The house style of boundcalc's figures: one place for sizes, fonts, colours, markers, dashes and legends.

Every figure (:mod:`boundcalc.plot` and any new one, e.g. error against the
number of network calls) draws through these helpers, so a paper's figures
look alike:

* one column of a two-column paper (3.4 in wide, 8 pt text), readable on screen;
* a *series* (a family of schedules, a sampler) is told apart by colour AND
  marker (:func:`series_style`: the Okabe-Ito palette, which survives
  colour-blindness and grey-scale printing, with a marker per series and
  every other marker hollow, so two series drawn on top of each other both
  stay visible);
* a *kind of line* (the truth, a bound, the optimum, a target) by its dash
  (:data:`TRUTH`, :func:`bound_dash`, :data:`OPTIMAL`), named in a second,
  small legend of grey lines (:func:`legends`);
* values on a log axis that are 0 (the error at T = L) are marked on the
  axis, never dropped silently (:func:`plot_positive`);
* an estimate is drawn with its standard-error band (:func:`plot_positive`
  with ``stderr``).

matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

import functools
import math
import sys
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..errors import MissingExtraError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "WIDTH", "HEIGHT", "FONT", "RC", "COLORS", "MARKERS", "DASHES", "TRUTH", "OPTIMAL", "BAND_SIGMAS",
    "PlotUnavailable", "require_matplotlib", "figure", "styled", "series_style", "bound_dash", "positive",
    "plot_positive", "log_t_axis", "legends", "finish",
]

INSTALL = "pip install 'boundcalc[plot]'"
WIDTH = 3.4  # inches: one column of a two-column paper
HEIGHT = 2.6
FONT = 8
RC: Any = {  # rcParams (typed Any: matplotlib types its keys as literals)
    "font.size": FONT,
    "axes.labelsize": FONT,
    "axes.titlesize": FONT - 1,
    "legend.fontsize": FONT - 1.5,
    "xtick.labelsize": FONT - 1,
    "ytick.labelsize": FONT - 1,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.5,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "pgf.texsystem": "pdflatex",
    "pgf.rcfonts": False,
    # matplotlib's pgf preamble loads underscore.sty, which a minimal TeX (texlive-latex-base) lacks; every
    # label here keeps underscores inside math, so the package is marked as loaded instead
    "pgf.preamble": r"\makeatletter\@namedef{ver@underscore.sty}{}\makeatother",
}
#: Okabe & Ito's colour-blind-safe palette (black last: it is the optimum's colour).
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#7F7F7F"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<"]
#: Dash patterns of bounds, in registry order; the truth is solid, the optimum dotted.
DASHES = [(5, 2), (1.5, 1.5), (6, 1.5, 1, 1.5), (3, 1), (8, 2, 2, 2), (4, 1, 1, 1, 1, 1), (2, 3), (10, 3),
          (1, 1, 3, 1), (6, 1, 1, 1, 1, 1, 1, 1), (12, 2, 2, 2, 2, 2)]
TRUTH = "-"
OPTIMAL = (0, (1, 1))
#: Estimates are drawn with a band of this many standard errors either side.
BAND_SIGMAS = 2
GREY = "0.35"


class PlotUnavailable(MissingExtraError):
    """matplotlib is not installed (a usage error: exit 2 on the command line)."""


def require_matplotlib() -> None:
    """Raise :class:`PlotUnavailable` (saying how to install it) unless matplotlib imports."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PlotUnavailable("matplotlib is not installed", allowed=INSTALL) from None


def _notebook_display(figure_class: type) -> None:
    """In IPython/Jupyter, show Figures inline as PNG (pyplot, which would do it, is never imported here)."""
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    from IPython.core.pylabtools import print_figure

    png = shell.display_formatter.formatters["image/png"]
    png.for_type(figure_class, lambda fig: print_figure(fig, "png", bbox_inches="tight", dpi=150))


def figure(rows: int = 1, size: "tuple[float, float] | None" = None, height: float = HEIGHT,
           sharex: bool = False) -> "tuple[Figure, list[Axes]]":
    """A constrained-layout Figure (no pyplot) with ``rows`` axes stacked; ``size`` (inches) overrides."""
    require_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure

    _notebook_display(Figure)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=size or (WIDTH, height), layout="constrained")
        axes = fig.subplots(rows, 1, squeeze=False, sharex=sharex)
    return fig, [row[0] for row in axes]


def styled(function):  # draw with the house style (fonts, grid) whatever the caller's rcParams
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> "Figure":
        require_matplotlib()
        import matplotlib

        with matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def series_style(index: int) -> dict[str, Any]:
    """Colour, marker and fill of the ``index``-th series (family, sampler): distinct in colour AND shape."""
    color = COLORS[index % len(COLORS)]
    hollow = index % 2 == 1  # drawn a little larger: a filled marker under it stays visible
    return {"color": color, "marker": MARKERS[index % len(MARKERS)], "markerfacecolor": "none" if hollow else color,
            "markeredgecolor": color, "markersize": 5 if hollow else 3.5}


def family_label(family: str) -> str:
    """A family's name as a reader sees it: a template's placeholder for T dropped (``blocks:4:uniform:T`` is
    ``blocks:4:uniform``: the figure's axis or panel gives T)."""
    return family[:-2] if family.endswith(":T") else family


def bound_dash(index: int) -> tuple[int, tuple[float, ...]]:
    """The dash pattern of the ``index``-th bound (registry order: a bound keeps its dash in every figure)."""
    return (0, DASHES[index % len(DASHES)])


def positive(values: Iterable[Any]) -> list[float]:
    """Floats for a log axis: 0, negatives and None become NaN (not drawn)."""
    out = []
    for v in values:
        x = math.nan if v is None else float(v)
        out.append(x if x > 0 else math.nan)
    return out


def plot_positive(ax: "Axes", x: Sequence[float], y: Sequence[Any], *, gid: str, stderr: Sequence[Any] | None = None,
                  zero_marker: bool = True, **style: Any) -> None:
    """``y`` against ``x`` on a log y axis; where y is 0 a marker sits on the bottom axis (gid ``GID:zero``)
    joined by a dotted drop from the last positive point, so a curve never stops silently; with ``stderr``
    a band of :data:`BAND_SIGMAS` standard errors (gid ``GID:band``, clipped above 0)."""
    from matplotlib.transforms import blended_transform_factory

    ys = positive(y)
    ax.plot(list(x), ys, gid=gid, **style)
    color = style.get("color", "black")
    if stderr is not None:
        values = [math.nan if v is None else float(v) for v in y]
        errors = [math.nan if e is None else BAND_SIGMAS * float(e) for e in stderr]
        low = [v - e if v - e > 0 else (v / 10 if v > 0 else math.nan) for v, e in zip(values, errors)]
        high = [v + e if v > 0 else math.nan for v, e in zip(values, errors)]
        ax.fill_between(list(x), low, high, color=color, alpha=0.18, linewidth=0, gid=f"{gid}:band")
    zeros = [i for i, v in enumerate(y) if v is not None and float(v) <= 0]
    if not zeros:
        return
    on_axis = blended_transform_factory(ax.transData, ax.transAxes)
    xs = [x[i] for i in zeros]
    if zero_marker:
        ax.plot(xs, [0.0] * len(xs), linestyle="none", marker="v", color=color, markersize=5, clip_on=False,
                transform=on_axis, gid=f"{gid}:zero", markerfacecolor=style.get("markerfacecolor", color))
    first = zeros[0]
    if first > 0 and not math.isnan(ys[first - 1]):  # the drop from the last drawn point to the axis
        ax.annotate("", xy=(x[first], 0.0), xycoords=on_axis, xytext=(x[first - 1], ys[first - 1]),
                    textcoords="data", annotation_clip=False, gid=f"{gid}:drop",
                    arrowprops={"arrowstyle": "-", "color": color, "linestyle": ":", "linewidth": 0.9,
                                "shrinkA": 0, "shrinkB": 0})


#: The interval band's look: hatched, lighter than the stderr band, so the two read apart where they overlap;
#: each series its own hatch direction, so overlapping bands of two families stay apart.
INTERVAL_BAND: dict[str, Any] = {"alpha": 0.35, "linewidth": 0.0}
HATCHES = ("////", "\\\\\\\\", "||||", "----", "xxxx", "++++")


def interval_band(ax: "Axes", x: Sequence[float], intervals: Sequence["tuple[float, float] | None"], *, gid: str,
                  color: Any, series: int = 0) -> None:
    """The band of each value's interval over the curve's monotone completions (gid ``GID:interval``), hatched.

    Call after the y range is set (:func:`finish`): an end at 0 (log axis) or at ∞ (no vocabulary size) is
    drawn to the axis, and the range is kept. Finite positive ends widen the range first (:func:`widen_for`).
    """
    if not any(i is not None for i in intervals):
        return
    bottom, top = ax.get_ylim()
    low = [math.nan if i is None else (bottom if i[0] <= bottom else i[0]) for i in intervals]
    high = [math.nan if i is None else (top if i[1] >= top else i[1]) for i in intervals]
    ax.fill_between(list(x), low, high, facecolor="none", edgecolor=color, gid=f"{gid}:interval",
                    hatch=HATCHES[series % len(HATCHES)], **INTERVAL_BAND)
    ax.set_ylim(bottom, top)


def widen_for(ax: "Axes", x: Sequence[float], intervals: Sequence["tuple[float, float] | None"]) -> None:
    """Let the y range hold every finite positive end of the intervals (before the range is fixed)."""
    points = [(float(t), float(v)) for t, i in zip(x, intervals) if i is not None for v in i
              if 0 < v < math.inf]
    if points:
        ax.update_datalim(points)
        ax.autoscale_view()


def log_t_axis(ax: "Axes", label: str = "sampling steps T") -> None:
    """x: T on a log axis with ticks at powers of two, written as integers; y: log."""
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(LogLocator(base=2, numticks=12))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yscale("log")
    ax.set_xlabel(label)


def legends(fig: "Figure", series: Sequence[tuple[str, dict[str, Any]]], lines: Sequence[tuple[str, dict[str, Any]]],
            title: str | None = None) -> None:
    """Two legends outside the axes: the series (colour + marker) above, under the figure's ``title``, and
    the kinds of line (grey dashes, smaller) below. ``series`` and ``lines`` are (label, Line2D keyword arguments) pairs; the figure grows
    to hold them.
    """
    from matplotlib.lines import Line2D

    def handles(pairs: Sequence[tuple[str, dict[str, Any]]], default_color: str) -> list[Any]:
        return [Line2D([], [], **{"color": default_color, **style}) for _, style in pairs]

    rows = 0.0
    if title and not series:
        fig.suptitle(title, fontsize=FONT - 1)
        rows += 1
    if series:
        longest = max(len(s) for s, _ in series)
        columns = min(len(series), 4 if longest <= 14 else 3 if longest <= 20 else 2 if longest <= 32 else 1)
        fig.legend(handles(series, "black"), [s for s, _ in series], loc="outside upper center", ncols=columns,
                   frameon=False, title=title or None, title_fontsize=FONT - 1, handlelength=2.2,
                   columnspacing=1.0, borderaxespad=0.1)
        rows += math.ceil(len(series) / columns) + (1 if title else 0)
    if lines:
        columns = 2 if max(len(s) for s, _ in lines) <= 28 else 1
        fig.legend(handles(lines, GREY), [s for s, _ in lines], loc="outside lower center", ncols=columns,
                   frameon=False, fontsize=FONT - 2, handlelength=3.0, columnspacing=1.0, labelspacing=0.25,
                   borderaxespad=0.1)
        rows += 0.85 * math.ceil(len(lines) / columns)
    fig.set_figheight(fig.get_figheight() + 0.13 * rows + 0.05)


def finish(ax: "Axes", title: str | None, ylim: "tuple[float, float] | None") -> None:
    """The title (small, over the axes) and the y range when asked (figures with a legend of series on top
    give the title to :func:`legends` instead, which puts it over that legend)."""
    if title:
        ax.set_title(title)
    if ylim is not None:
        ax.set_ylim(*ylim)
