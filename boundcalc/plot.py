"""Figures of sweeps and entropy profiles (a renderer; matplotlib is imported when a figure is drawn).

Every function returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global state, no window: a notebook shows it inline, :func:`save`
writes it). Sizes suit a one-column paper figure (3.4 in wide, 8 pt text)
and a screen. Each plotted line carries a ``gid`` naming what it shows
(``"uniform:error"``, ``"uniform:theorem1"``, ``"optimal"``, ``"target"``,
...), so tests and scripts can find the data behind a figure.

* :func:`error_vs_steps` -- error against T, log-log: exact errors solid,
  bounds dashed (legend: each bound with its equation), the optimal
  schedule's error dotted, a target as a horizontal line;
* :func:`schedules` -- tokens revealed per step, one panel per family;
* :func:`curve` -- the conditional entropy profile d(m) with the total
  correlation and dual total correlation as areas, and the MI profile;
* :func:`sandwich` -- Theorem 2: upper bound (12) over the exact error,
  lower bound (13) under the random schedule's expected error, against T.

Install the extra: ``pip install 'boundcalc[plot]'``.
"""

from __future__ import annotations

import functools
import math
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .bounds import BOUNDS
from .errors import UsageError
from .exact import Number, format_decimal, to_rational

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .sweeps import SweepResult

__all__ = [
    "KINDS",
    "FORMATS",
    "PlotUnavailable",
    "require_matplotlib",
    "error_vs_steps",
    "schedules",
    "curve",
    "sandwich",
    "save",
    "check_output",
    "plotted_bounds",
]

#: The kinds of figure, in the order of ``boundcalc plot --help``.
KINDS = ("error-vs-steps", "schedule", "curve", "sandwich")
#: File formats :func:`save` writes (.pgf needs pdflatex).
FORMATS = (".png", ".svg", ".pdf", ".pgf")
INSTALL = "pip install 'boundcalc[plot]'"

#: The schedule figure draws schedules of at most this many steps (one point per step).
MAX_DRAWN_STEPS = 4096
WIDTH = 3.4  # inches: one column of a two-column paper
HEIGHT = 2.6
FONT = 8
_STYLE: Any = {  # rcParams (typed Any: matplotlib types its keys as literals)
    "font.size": FONT,
    "axes.labelsize": FONT,
    "axes.titlesize": FONT,
    "legend.fontsize": FONT - 1.5,
    "xtick.labelsize": FONT - 1,
    "ytick.labelsize": FONT - 1,
    "lines.linewidth": 1.2,
    "lines.markersize": 3,
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
# Dash patterns for bounds, in registry order (truth is solid, the optimum dotted).
_DASHES = [(5, 2), (3, 1.5), (6, 1.5, 1, 1.5), (2, 1), (8, 2, 2, 2), (4, 1, 1, 1, 1, 1)]
_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]


class PlotUnavailable(UsageError, ImportError):
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


def _figure(rows: int = 1, cols: int = 1, height: float = HEIGHT, sharex: bool = False) -> "tuple[Figure, Any]":
    require_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure

    _notebook_display(Figure)

    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(WIDTH * (1 if cols == 1 else 1.0), height * rows / (1 if rows == 1 else 1.35)),
                     layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False, sharex=sharex)
    return fig, axes


def _styled(function):  # draw with the house style (fonts, grid) whatever the caller's rcParams
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> "Figure":
        require_matplotlib()
        import matplotlib

        with matplotlib.rc_context(_STYLE):
            return function(*args, **kwargs)

    return wrapper


def _positive(values: Iterable[Any]) -> list[float]:
    """Floats for a log axis: 0 and None become NaN (not drawn)."""
    out = []
    for v in values:
        x = math.nan if v is None else float(v)
        out.append(x if x > 0 else math.nan)
    return out


def _ylabel(unit: Any) -> str:
    return f"E KL($p_{{X_0}}\\,\\|\\,p_{{Y_0}}$)  [{unit}]"


def plotted_bounds(result: "SweepResult", names: Sequence[str] | None = None) -> list[str]:
    """The bounds :func:`error_vs_steps` draws: upper bounds of E KL for the schedule itself, in registry order."""
    usable = [n for n in result.bound_names if BOUNDS[n].quantity == "kl" and BOUNDS[n].about == "schedule"]
    if names is None:
        return usable
    for name in names:
        if name not in usable:
            raise UsageError(f"{name!r} is not drawn against T here", param="bounds",
                             allowed=f"one of {', '.join(usable)}")
    return [n for n in usable if n in names]


def _label(name: str) -> str:
    bound = BOUNDS[name]
    return bound.title if bound.equation in bound.title else f"{bound.title} {bound.equation}"


def _log_t_axis(ax: "Axes") -> None:
    """x: T on a log axis with ticks at powers of two, written as integers."""
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(LogLocator(base=2))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yscale("log")


def _legend_below(fig: "Figure", ax: "Axes") -> None:
    """The legend under the axes in two columns (it never hides a line); the figure grows to hold it."""
    handles, labels = ax.get_legend_handles_labels()
    rows = (len(labels) + 1) // 2 if max(map(len, labels)) <= 32 else len(labels)
    fig.set_figheight(fig.get_figheight() + 0.14 * rows + 0.05)
    fig.legend(handles, labels, loc="outside lower center", ncols=2 if max(map(len, labels)) <= 32 else 1, frameon=False, handlelength=2.6,
               columnspacing=1.2)


@_styled
def error_vs_steps(result: "SweepResult", *, target: Number | None = None, bounds: Sequence[str] | None = None,
                   title: str | None = None) -> "Figure":
    """Error against T (log-log): each family's exact error (solid), the bounds (dashed), the optimum (dotted).

    ``bounds`` chooses among :func:`plotted_bounds` (default: all). With one
    family the bounds have a colour each; with several, colour is the family
    and the dash pattern the bound. Points where a value is 0 (T = L) are not
    drawn on the log axis.
    """
    fig, axes = _figure()
    ax = axes[0][0]
    names = plotted_bounds(result, bounds)
    several = len(result.families) > 1
    for f, family in enumerate(result.families):
        rows = result.family_rows(family)
        t = [row.steps for row in rows]
        color = _COLORS[f % len(_COLORS)] if several else "black"
        prefix = f"{family}: " if several else ""
        if result.has_truth:
            what = "estimated error" if result.estimate else "exact error"
            if any(r.random_counts for r in rows):  # a random-count sampler: the mean over the counts
                what = f"{what} (mean over counts)"
            ax.plot(t, _positive(r.error for r in rows), "-o", color=color, label=f"{prefix}{what}", gid=f"{family}:error")
        for b, name in enumerate(names):
            bcolor = color if several else _COLORS[b % len(_COLORS)]
            ax.plot(t, _positive(r.bounds[name] for r in rows), linestyle=(0, _DASHES[b % len(_DASHES)]), color=bcolor,
                    label=None if several else _label(name), gid=f"{family}:{name}")
    if several:  # one legend entry per bound, in grey
        for b, name in enumerate(names):
            ax.plot([], [], linestyle=(0, _DASHES[b % len(_DASHES)]), color="0.4", label=_label(name))
    if result.has_optimal:
        ax.plot(list(result.steps), _positive(_optimal_by_t(result)), ":", color="0.2", linewidth=1.6,
                label="optimal schedule (DP)", gid="optimal")
    if target is not None:
        eps = to_rational(target)
        ax.axhline(float(eps), color="0.5", linewidth=0.9, label=f"target $\\varepsilon$ = {format_decimal(eps, 4)}", gid="target")
    _log_t_axis(ax)
    ax.set_xlabel("sampling steps T")
    ax.set_ylabel(_ylabel(result.unit))
    ax.set_title(title if title is not None else _subtitle(result), fontsize=FONT - 1)
    _legend_below(fig, ax)
    return fig


def _optimal_by_t(result: "SweepResult") -> list[float | None]:
    by_t = {row.steps: row.optimal for row in result.rows}
    return [by_t.get(t) for t in result.steps]


def _subtitle(result: "SweepResult") -> str:
    return f"L = {result.length}, $\\Sigma I$ = {format_decimal(result.mi_total, 4)} {result.unit}" + (
        f", $\\varepsilon_{{\\rm train}}$ = {format_decimal(result.eps_train, 4)}" if result.eps_train else "")


def _pick(steps: Sequence[int], count: int) -> list[int]:
    """Up to ``count`` values of a grid, spread evenly in log T (T = 1 only when nothing else is there)."""
    pool = [t for t in steps if t > 1] or list(steps)
    if len(pool) <= count:
        return list(pool)
    logs = [math.log(t) for t in pool]
    picks = []
    for i in range(count):
        goal = logs[0] + (logs[-1] - logs[0]) * i / (count - 1)
        picks.append(pool[min(range(len(pool)), key=lambda j: abs(logs[j] - goal))])
    return sorted(set(picks))


@_styled
def schedules(result: "SweepResult", *, steps: Sequence[int] | None = None, count: int = 3) -> "Figure":
    """Tokens revealed per step against the step's place in the run (k - 1/2)/n, one panel per family.

    ``steps`` chooses the T drawn (default: up to ``count`` of the grid, spread
    in log T); the optimal schedule of the same T is dashed when the sweep has one.
    A random-count sampler's panel shows the expected sizes E s_k of its T
    regular steps; what MDLM's and SEDD's final noise-removal step reveals on
    average (a tiny number, off any useful log scale) is written in the panel's title.
    """
    drawable = [t for t in result.steps if t <= MAX_DRAWN_STEPS]
    if not drawable:
        raise UsageError(f"every T of the sweep is above {MAX_DRAWN_STEPS}", param="steps",
                         allowed=f"a grid with some T <= {MAX_DRAWN_STEPS} for the schedule figure")
    chosen = list(steps) if steps is not None else _pick([t for t in drawable if t < result.length] or drawable, count)
    n = len(result.families)
    fig, axes = _figure(rows=n, height=HEIGHT * (1 if n == 1 else 0.8), sharex=True)
    for f, family in enumerate(result.families):
        ax = axes[f][0]
        by_t = {row.steps: row.schedule for row in result.family_rows(family)}
        counts = any(row.random_counts for row in result.family_rows(family))
        finals: list[float] = []
        for c, t in enumerate(t for t in chosen if t in by_t):
            drawn: Any = by_t[t]
            sizes = list(drawn.expected_sizes() if drawn.random_counts else drawn.sizes)
            if len(sizes) > t:  # the final noise-removal step, after the T regular ones
                finals.append(float(sizes[t]))
                sizes = sizes[:t]
            x = [(k + 0.5) / t for k in range(t)]
            ax.plot(x, sizes, "-o", drawstyle="steps-mid", color=_COLORS[c % len(_COLORS)], label=f"T = {t}" if f == 0 else None,
                    gid=f"{family}:T={t}")
            if t in result.optimal_schedules:
                ax.plot(x, result.optimal_schedules[t].sizes, "--", drawstyle="steps-mid", color=_COLORS[c % len(_COLORS)],
                        linewidth=0.9, label=f"optimal, T = {t}" if f == 0 else None, gid=f"optimal:T={t}")
        ax.set_yscale("log")
        ax.set_ylabel("tokens revealed" + (" (mean)" if counts else ""))
        title = f"{family} (L = {result.length}{', random counts: E $s_k$' if counts else ''})"
        if finals:
            title += f"\nfinal noise-removal step: E s <= {max(finals):.2g}"
        ax.set_title(title, fontsize=FONT - 1)
    axes[-1][0].set_xlabel("place in the run, $(k - 1/2)/T$  (reveal order)")
    _legend_below(fig, axes[0][0])
    return fig


@_styled
def curve(source: Any, *, length: int | None = None, unit: str = "nats", mi: Sequence[float] | None = None) -> "Figure":
    """The conditional entropy profile d(m) with TC and DTC as areas; below it the MI profile I_i.

    ``source`` is a data model (``length`` for a chain) or an entropy profile.
    TC = Σ_m (d(0) - d(m)) is the area above the curve (the error of one
    step, T = 1), DTC = Σ_m (d(m) - d(L-1)) the area below it, and their sum
    is ΣI = L (d(0) - d(L-1)). The MI profile (per-token I_i) is drawn when
    the source is a data model or ``mi`` gives it.
    """
    from .truth import entropy_profile, to_unit

    profile = entropy_profile(source, length)
    L = profile.length
    d = [to_unit(float(x), unit) for x in profile.conditional]
    if mi is None and hasattr(source, "token_mi"):
        mi = [to_unit(float(x), unit) for x in source.token_mi(None, L)]
    fig, axes = _figure(rows=2 if mi is not None else 1, height=HEIGHT * (1.0 if mi is None else 0.8))
    ax = axes[0][0]
    edges = list(range(L + 1))
    stairs = d + [d[-1]]
    tc = math.fsum(d[0] - x for x in d)
    dtc = math.fsum(x - d[-1] for x in d)
    ax.fill_between(edges, stairs, [d[0]] * (L + 1), step="post", color=_COLORS[1], alpha=0.25, linewidth=0,
                    label=f"TC = {tc:.4g} (error at T = 1)")
    ax.fill_between(edges, [d[-1]] * (L + 1), stairs, step="post", color=_COLORS[0], alpha=0.25, linewidth=0,
                    label=f"DTC = {dtc:.4g}")
    ax.set_ylim(bottom=0)
    ax.step(edges, stairs, where="post", color="black", label="$d(m) = E\\, H(X^{(i)} \\mid m$ revealed)", gid="d")
    ax.set_xlim(0, L)
    ax.set_xlabel("revealed tokens m")
    ax.set_ylabel(f"d(m)  [{unit}]")
    ax.set_title(f"L = {L}: $\\Sigma I$ = TC + DTC = {tc + dtc:.4g} {unit}", fontsize=FONT - 1)
    ax.legend(loc="lower left", frameon=False)
    if mi is not None:
        ax2 = axes[1][0]
        tokens = list(range(1, len(mi) + 1))
        ax2.plot(tokens, list(mi), "-", marker="." if len(mi) <= 64 else None, color=_COLORS[2], label="I$_i$",
                 gid="mi")
        mean = math.fsum(mi) / len(mi)
        ax2.axhline(mean, color="0.5", linewidth=0.8, label=f"$\\Sigma I / L$ = {mean:.4g}", gid="mi-mean")
        ax2.set_xlabel("token i")
        ax2.set_ylabel(f"I(X$^{{(i)}}$; X$^{{(-i)}}$)  [{unit}]")
        ax2.set_ylim(bottom=0)
        ax2.legend(loc="best", frameon=False)
    return fig


@_styled
def sandwich(result: "SweepResult") -> "Figure":
    """Theorem 2 against T: bound (12) over each family's exact error, bound (13) under the random schedule's error.

    (13) bounds the error of the paper's random schedule on {S, S/2}, averaged
    over the schedule, with S = 2^ceil(log2 s_max) of each row; that exact
    expected error is drawn with it.
    """
    if not result.has_truth or "theorem2_upper" not in result.bound_names:
        raise UsageError("Theorem 2's sandwich needs the exact errors of a data model", param="kind",
                         allowed="a data model or an entropy profile as the source")
    counts = [f for f in result.families if any(r.random_counts for r in result.family_rows(f))]
    if counts:  # Theorem 2's conditions (and its S) depend on each realisation of the counts
        raise UsageError(f"Theorem 2 does not apply to the random-count sampler(s) {', '.join(counts)}", param="families",
                         allowed="fixed-schedule families for the sandwich")
    fig, axes = _figure(height=HEIGHT * 1.1)
    ax = axes[0][0]
    upper, lower = BOUNDS["theorem2_upper"], BOUNDS["theorem2_lower"]
    several = len(result.families) > 1
    series = [  # (what, style, marker, label)
        ("theorem2_upper", (0, _DASHES[0]), None, f"{upper.title} {upper.equation}"),
        ("error", "-", "o", "exact error"),
        ("random_error", ":", "s", "random $\\{S, S/2\\}$ schedule, mean"),
        ("theorem2_lower", (0, _DASHES[2]), None, f"{lower.title} {lower.equation}"),
    ]
    for f, family in enumerate(result.families):
        rows = result.family_rows(family)
        t = [row.steps for row in rows]
        color = _COLORS[f % len(_COLORS)]
        for what, style, marker, label in series:
            values = [getattr(r, what) if what in ("error", "random_error") else r.bounds[what] for r in rows]
            ax.plot(t, _positive(values), linestyle=style, marker=marker, color=color, markersize=2.5,
                    label=f"{family}" if several and what == "error" else (None if several else label),
                    gid=f"{family}:{what}")
    if several:
        for what, style, marker, label in series:
            ax.plot([], [], linestyle=style, marker=marker, color="0.4", markersize=2.5, label=label)
    _log_t_axis(ax)
    ax.set_xlabel("sampling steps T  ($S = 2^{\\lceil \\log_2 s_{\\max} \\rceil}$)")
    ax.set_ylabel(_ylabel(result.unit))
    ax.set_title(_subtitle(result), fontsize=FONT - 1)
    _legend_below(fig, ax)
    return fig


def check_output(path: "str | Path") -> str:
    """The format of ``path`` by its extension, checked before any work (.pgf: pdflatex must be installed)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"{str(path)!r} has no known figure format", param="output",
                         allowed=", ".join(FORMATS) + " (by the file's extension)")
    if suffix == ".pgf" and shutil.which("pdflatex") is None:
        raise UsageError(".pgf figures need pdflatex, which is not installed", param="output",
                         allowed="install a TeX distribution, or write .pdf or .svg")
    return suffix


def save(fig: "Figure", path: "str | Path", *, dpi: int = 200) -> Path:
    """Write ``fig`` as .png, .svg, .pdf, or .pgf (for LaTeX; needs pdflatex); returns the path."""
    path = Path(path)
    suffix = check_output(path)
    require_matplotlib()
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        extra: dict[str, Any] = {} if suffix == ".pgf" else {"metadata": _metadata(suffix)}
        fig.savefig(path, dpi=dpi, **extra)
    return path


def _metadata(suffix: str) -> dict[str, Any]:
    # no dates or versions in the files: the same figure is the same bytes (svg, pdf)
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None, "ModDate": None}
    return {}
