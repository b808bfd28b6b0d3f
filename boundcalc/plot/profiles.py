"""Figures of what a sweep is made of: the schedules, the entropy profile of a model, a measured loss curve."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import UsageError
from ..units import display_unit, from_nats
import boundcalc.plot.style as style  # the module, not its package: no import circle

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..curve import LossCurve
    from ..sweeps import SweepResult

__all__ = ["MAX_DRAWN_STEPS", "schedules", "curve", "loss_curve"]

#: The schedule figure draws schedules of at most this many steps.
MAX_DRAWN_STEPS = 4096
#: Sizes spread over more than this factor get a log axis (a linear one would flatten the small steps).
LOG_SPREAD = 30
#: Above this many steps a schedule is drawn per stretch of the run: the range of its sizes and their mean.
DENSE_STEPS = 96


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


def _sizes(drawn: Any, steps: int) -> tuple[list[float], float | None]:
    """The T regular step sizes (expected ones for random counts) and a final noise-removal step's, if any."""
    sizes = [float(x) for x in (drawn.expected_sizes() if drawn.random_counts else drawn.sizes)]
    return (sizes[:steps], sizes[steps]) if len(sizes) > steps else (sizes, None)


def _stairs(ax: "Axes", sizes: Sequence[float], **style_: Any) -> None:
    """The sizes as a step plot over the run: step k covers [(k-1)/T, k/T] (no markers).

    Above :data:`DENSE_STEPS` steps a step plot of sizes that alternate (2, 3, 2, 3, ...) is a solid bar of
    vertical lines: the run is cut into DENSE_STEPS equal stretches instead, each drawn as the band from
    its smallest to its largest size (gid ``...:band``) with its mean size as the line.
    """
    t = len(sizes)
    if t <= DENSE_STEPS:
        ax.plot([k / t for k in range(t + 1)], list(sizes) + [sizes[-1]], drawstyle="steps-post", **style_)
        return
    cuts = [round(j * t / DENSE_STEPS) for j in range(DENSE_STEPS + 1)]
    stretches = [list(sizes[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]
    edges = [a / t for a, b in zip(cuts, cuts[1:]) if b > a] + [1.0]
    low, high = [min(s) for s in stretches], [max(s) for s in stretches]
    mean = [sum(s) / len(s) for s in stretches]
    ax.fill_between(edges, low + [low[-1]], high + [high[-1]], step="post", color=style_.get("color"), alpha=0.25,
                    linewidth=0, gid=f"{style_.get('gid')}:band")
    ax.plot(edges, mean + [mean[-1]], drawstyle="steps-post", **style_)


def _count_axis(ax: "Axes") -> None:
    """A log y axis of token counts, labelled as counts (1, 10, 100, ...: plain numbers, not 10^k) at the decades,
    without minor ticks. Each layout pass of the figure re-measured the minor ticks and drew 10^k in mathtext:
    about 40 % of the schedule figure's drawing time (issue 22: plot --kind schedule at L = 1024 under 1 s)."""
    from matplotlib.ticker import FuncFormatter, NullLocator

    ax.set_yscale("log")
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_count_label))


def _count_label(value: float, _position: Any = None) -> str:
    """A count at a decade as it is read: 1, 10, 100, 0.1 (``%g``: 1e+05 from 10^5 on, as a decade tick goes)."""
    return f"{value:g}"


@style.styled
def schedules(result: "SweepResult", *, steps: Sequence[int] | None = None, count: int = 3, title: str | None = None,
              figsize: "tuple[float, float] | None" = None) -> "Figure":
    """Tokens revealed per step against the place in the run k/T, one panel per family, a step plot per T.

    ``steps`` chooses the T drawn (default: up to ``count`` of each family's
    own T, spread in log T); the optimal schedule of the same T is dashed when
    the sweep has one. A random-count sampler's panel shows the expected sizes
    E s_k of its T regular steps; what MDLM's and SEDD's final noise-removal
    step reveals on average is written in the panel's title. The y axis is
    logarithmic only when the sizes spread over more than a factor 30.
    """
    if not any(t <= MAX_DRAWN_STEPS for t in result.steps):
        raise UsageError(f"every T of the sweep is above {MAX_DRAWN_STEPS}", param="steps",
                         allowed=f"a grid with some T <= {MAX_DRAWN_STEPS} for the schedule figure")
    n = len(result.families)
    fig, axes = style.figure(rows=n, size=figsize, height=style.HEIGHT * (1 if n == 1 else 0.62 * n + 0.3),
                             sharex=True)
    legend: dict[int, dict[str, Any]] = {}
    for f, (family, ax) in enumerate(zip(result.families, axes)):
        by_t: dict[int, Any] = {row.steps: row.schedule for row in result.family_rows(family)
                                if row.steps <= MAX_DRAWN_STEPS}
        own = sorted(by_t)
        chosen = [t for t in (steps if steps is not None else _pick([t for t in own if t < result.length] or own, count))
                  if t in by_t]
        counts = any(by_t[t].random_counts for t in chosen)
        finals, spread = [], []
        for t in chosen:
            look = style.series_style(sorted(set(result.steps)).index(t))
            sizes, final = _sizes(by_t[t], t)
            finals += [final] if final is not None else []
            spread += [s for s in sizes if s > 0]
            _stairs(ax, sizes, color=look["color"], linewidth=1.2 if t <= 128 else 0.8, gid=f"{family}:T={t}")
            legend[t] = {"color": look["color"]}
            if t in result.optimal_schedules:
                _stairs(ax, [float(s) for s in result.optimal_schedules[t].sizes], color=look["color"],
                        linestyle="--", linewidth=0.9, gid=f"optimal:T={t}")
        if spread and max(spread) > LOG_SPREAD * min(spread):
            _count_axis(ax)
        else:
            ax.set_ylim(bottom=0)
        ax.set_xlim(0, 1)
        ax.set_ylabel("E tokens revealed" if counts else "tokens revealed")
        head = style.family_label(family) + (": random counts, mean sizes $E\\,s_k$" if counts else "")
        if finals:
            head += f"; final noise-removal step $E\\,s \\leq {max(finals):.2g}$"
        ax.set_title(head, loc="left")
        if not chosen:
            ax.text(0.5, 0.5, "no schedule of this family at the T drawn", ha="center", va="center",
                    transform=ax.transAxes, fontsize=style.FONT - 1)
    axes[-1].set_xlabel("place in the run, k/T  (reveal order)")
    lines = [(f"T = {t}", legend[t]) for t in sorted(legend)]
    if any(t > DENSE_STEPS for t in legend):
        lines.append((f"T > {DENSE_STEPS}: mean size per 1/{DENSE_STEPS} of the run, band: its range",
                      {"linewidth": 5, "alpha": 0.25}))
    if result.optimal_schedules:
        lines.append(("optimal schedule, same T", {"linestyle": "--"}))
    style.legends(fig, [], lines, title)
    return fig


@style.styled
def curve(source: Any, *, length: int | None = None, mi: Sequence[float] | None = None,
          title: str | None = None, figsize: "tuple[float, float] | None" = None) -> "Figure":
    """The conditional entropy profile d(m) with TC and DTC as areas; below it the MI profile I_i.

    ``source`` is a data model (``length`` for a chain) or an entropy profile.
    TC = Σ_m (d(0) - d(m)) is the area above the curve (the error of one
    step, T = 1), DTC = Σ_m (d(m) - d(L-1)) the area below it, and their sum
    is ΣI = L (d(0) - d(L-1)). The MI profile (per-token I_i) is drawn when
    the source is a data model or ``mi`` gives it (in nats, as everything computed). Values are drawn in the
    display unit (:func:`boundcalc.units.display`).
    """
    from ..truth import entropy_profile

    profile = entropy_profile(source, length)
    L, unit = profile.length, display_unit()
    d = [from_nats(float(x), unit) for x in profile.conditional]
    if mi is None and hasattr(source, "token_mi"):
        mi = [from_nats(float(x), unit) for x in source.token_mi(None, L)]
    fig, axes = style.figure(rows=2 if mi is not None else 1, size=figsize,
                             height=style.HEIGHT * (1.0 if mi is None else 1.6))
    ax = axes[0]
    edges = list(range(L + 1))
    stairs = d + [d[-1]]
    tc = math.fsum(d[0] - x for x in d)
    dtc = math.fsum(x - d[-1] for x in d)
    ax.fill_between(edges, stairs, [d[0]] * (L + 1), step="post", color=style.COLORS[1], alpha=0.25, linewidth=0,
                    label=f"TC = {tc:.4g} (error at T = 1)")
    ax.fill_between(edges, [d[-1]] * (L + 1), stairs, step="post", color=style.COLORS[0], alpha=0.25, linewidth=0,
                    label=f"DTC = {dtc:.4g}")
    ax.set_ylim(bottom=0)
    ax.step(edges, stairs, where="post", color="black", label="$d(m) = E\\, H(X^{(i)} \\mid m$ revealed)", gid="d")
    ax.set_xlim(0, L)
    ax.set_xlabel("revealed tokens m")
    ax.set_ylabel(f"d(m)  [{unit}]")
    ax.set_title(title if title is not None else f"L = {L}: $\\Sigma I$ = TC + DTC = {tc + dtc:.4g} {unit}")
    ax.legend(loc="lower left", frameon=False)
    if mi is not None:
        ax2 = axes[1]
        tokens = list(range(1, len(mi) + 1))
        ax2.plot(tokens, list(mi), "-", marker="." if len(mi) <= 64 else None, color=style.COLORS[2], label="I$_i$",
                 gid="mi")
        mean = math.fsum(mi) / len(mi)
        ax2.axhline(mean, color="0.5", linewidth=0.8, label=f"$\\Sigma I / L$ = {mean:.4g}", gid="mi-mean")
        ax2.set_xlabel("token i")
        ax2.set_ylabel(f"I(X$^{{(i)}}$; X$^{{(-i)}}$)  [{unit}]")
        ax2.set_ylim(bottom=0)
        ax2.legend(loc="best", frameon=False)
    return fig


@style.styled
def loss_curve(curve: "LossCurve", *, title: str | None = None,
               figsize: "tuple[float, float] | None" = None, ylim: "tuple[float, float] | None" = None) -> "Figure":
    """A measured loss curve: the points (loss per masked token at k of L masked) with ±2 stderr error bars,
    the non-increasing fit, and the interpolation d(L - k) every estimate uses (linear; monotone cubic dashed,
    its distance is the interpolation effect). Ranges outside the measured k, where d is held flat, are shaded.
    Drawn in the display unit (:func:`boundcalc.units.display`).
    """
    from ..estimate import curve_quantities

    unit = display_unit()
    scale = from_nats(1.0, unit)
    L = curve.length
    k = [int(x) for x in curve.masked]
    fig, (ax,) = style.figure(size=figsize)
    grid = list(range(1, L + 1))  # k masked = L - m
    for name, line, gid in (("linear", style.TRUTH, "interpolation"), ("pchip", (0, (4, 2)), "pchip")):
        d = curve.conditional(name)
        ax.plot(grid, [float(d[L - j]) * scale for j in grid], linestyle=line, color=style.COLORS[0],
                linewidth=1.1 if name == "linear" else 0.8, gid=gid)
    loss = [float(x) * scale for x in curve.loss]
    bars = None if curve.stderr is None else [style.BAND_SIGMAS * float(s) * scale for s in curve.stderr]
    points, _, spans = ax.errorbar(k, loss, yerr=bars, linestyle="none", marker="o", markersize=3,
                                   color=style.COLORS[1], ecolor=style.COLORS[1], elinewidth=0.8, capsize=1.5)
    points.set_gid("measured")
    for span in spans:
        span.set_gid("measured:bars")
    ax.plot(k, [float(x) * scale for x in curve.fitted], linestyle="none", marker="_", markersize=7, color="black",
            gid="fit")
    for lo, hi in curve.extrapolated():  # ranges of m: k = L - m
        ax.axvspan(L - hi - 0.5, L - lo + 0.5, color="0.85", linewidth=0, gid="extrapolated")
    ax.set_xlim(0.5, L + 0.5)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"masked tokens k (of L = {L})")
    ax.set_ylabel(f"loss per masked token  [{unit}]")
    mi = curve_quantities(curve)["mi_total"]
    spread = "" if mi.stderr is None else f" $\\pm$ {mi.stderr * scale:.2g} (stderr)"
    style.finish(ax, title if title is not None else
                 f"estimated $\\Sigma I$ = {mi.value * scale:.4g}{spread} {unit}", ylim)
    lines: list[tuple[str, dict[str, Any]]] = [(f"measured ($\\pm{style.BAND_SIGMAS}$ stderr)" if bars else "measured",
              {"linestyle": "none", "marker": "o", "color": style.COLORS[1]}),
             ("non-increasing fit", {"linestyle": "none", "marker": "_", "markersize": 7, "color": "black"}),
             ("d(L - k), linear (used)", {"linestyle": style.TRUTH, "color": style.COLORS[0]}),
             ("monotone cubic", {"linestyle": (0, (4, 2)), "color": style.COLORS[0]})]
    if curve.extrapolated():
        lines.append(("held flat (not measured)", {"linestyle": "-", "linewidth": 5, "color": "0.85"}))
    style.legends(fig, [], lines)
    return fig
