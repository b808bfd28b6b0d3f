"""Figures of a sweep against T: the error with the tightest bound per family, and Theorem 2's sandwich."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

from ..bounds import BOUNDS
from ..errors import UsageError
from ..units import from_nats
from ..exact import Number, format_decimal, to_rational
import boundcalc.plot.style as style  # the module, not its package: no import circle

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..curve import LossCurve
    from ..sweeps import SweepResult, SweepRow

__all__ = ["plotted_bounds", "tightest_bound", "error_vs_steps", "sandwich", "row_stderr"]

#: ``bounds=ALL``: every bound that applies, not only the tightest.
ALL = "all"


def plotted_bounds(result: "SweepResult", names: Sequence[str] | None = None) -> list[str]:
    """The bounds :func:`error_vs_steps` can draw: upper bounds of E KL for the schedule itself, in registry order."""
    usable = [n for n in result.bound_names if BOUNDS[n].quantity == "kl" and BOUNDS[n].about == "schedule"]
    if names is None:
        return usable
    for name in names:
        if name not in usable:
            raise UsageError(f"{name!r} is not drawn against T here", param="bounds",
                             allowed=f"one of {', '.join(usable)}")
    return [n for n in usable if n in names]


def tightest_bound(result: "SweepResult", family: str, names: Sequence[str] | None = None) -> str | None:
    """The bound of ``names`` (default: every drawable one) tightest for ``family``: defined at the most T,
    then the least geometric mean over the T where they are all positive (every bound shown holds: the
    registry offers a bound only for the samplers it is proved for)."""
    rows = result.family_rows(family)
    candidates = [n for n in plotted_bounds(result, names) if any(r.bounds.get(n) is not None for r in rows)]
    if not candidates:
        return None
    coverage = {n: sum(r.bounds.get(n) is not None for r in rows) for n in candidates}
    best = max(coverage.values())
    candidates = [n for n in candidates if coverage[n] == best]
    common = [r for r in rows if all((r.bounds.get(n) or 0) > 0 for n in candidates)]

    def score(name: str) -> float:
        return math.fsum(math.log(float(r.bounds[name] or 0)) for r in common)

    return min(candidates, key=lambda n: (score(n), candidates.index(n)))


def _label(name: str) -> str:
    bound = BOUNDS[name]
    return bound.title if bound.equation in bound.title else f"{bound.title} {bound.equation}"


def row_stderr(row: "SweepRow", curve: "LossCurve | None", unit: str) -> float | None:
    """The standard error of a row's estimated error, propagated from the loss curve's stderr (None if none)."""
    measured = row.measured("error")
    carried = getattr(measured, "stderr", None)
    if carried is not None:
        return float(carried)
    if curve is None or curve.stderr is None or row.error is None or bool(getattr(row.schedule, "block_spans", False)):
        return None
    from ..estimate import count_coefficients, schedule_coefficients

    sampler: Any = row.schedule
    if row.random_counts:
        coefficients = count_coefficients(sampler)
    else:
        coefficients = schedule_coefficients(sampler, curve.length)
    se = curve.stderr_of(coefficients)
    return None if se is None else from_nats(se, unit)


def _drawn_bounds(result: "SweepResult", family: str, bounds: "Sequence[str] | str | None") -> list[str]:
    if bounds == ALL:
        return plotted_bounds(result)
    if bounds is None:
        best = tightest_bound(result, family)
        return [] if best is None else [best]
    chosen = plotted_bounds(result, list(bounds))
    rows = result.family_rows(family)
    return [n for n in chosen if any(r.bounds.get(n) is not None for r in rows)]


@style.styled
def error_vs_steps(result: "SweepResult", *, target: Number | None = None,
                   bounds: "Sequence[str] | str | None" = None, title: str | None = None,
                   figsize: "tuple[float, float] | None" = None, ylim: "tuple[float, float] | None" = None,
                   curve: "LossCurve | None" = None) -> "Figure":
    """Error against T (log-log): per family the truth (solid) and the tightest bound that holds (dashed).

    ``bounds``: None for the tightest per family, a list of names, or ``"all"``.
    Families differ by colour and marker, bounds by dash (a second, small
    legend names them); the optimum (a sweep with ``optimal``) is dotted, a
    ``target`` a horizontal line. From a loss curve the errors are estimates:
    labelled so, with a band of ±2 standard errors when ``curve`` carries them; where the curve leaves d
    unmeasured, each error's and each bound's interval over its monotone completions is hatched.
    A value 0 (the error at T = L) is a marker on the bottom axis.
    """
    fig, (ax,) = style.figure(size=figsize)
    order = plotted_bounds(result)
    series: list[tuple[str, dict[str, Any]]] = []
    used: list[str] = []
    zero = False
    bands: list[tuple[list[int], list[Any], str, Any, int]] = []  # (T, intervals, gid, colour, series), drawn last
    for f, family in enumerate(result.families):
        rows = result.family_rows(family)
        t = [row.steps for row in rows]
        look = style.series_style(f)
        name = style.family_label(family) + (" (mean over counts)" if result.has_truth and any(r.random_counts for r in rows) else "")
        series.append((name, {**look, "linestyle": style.TRUTH if result.has_truth else "none"}))
        if result.has_truth:
            errors = [r.error for r in rows]
            stderr = [row_stderr(r, curve, str(result.unit)) for r in rows] if result.estimate else None
            has_band = stderr is not None and any(s is not None for s in stderr)
            style.plot_positive(ax, t, errors, gid=f"{family}:error", stderr=stderr if has_band else None,
                                linestyle=style.TRUTH, **look)
            zero = zero or any(e is not None and e <= 0 for e in errors)
            bands.append((t, row_intervals(rows, "error"), f"{family}:error", look["color"], f))
        for name in _drawn_bounds(result, family, bounds):
            used += [name] if name not in used else []
            style.plot_positive(ax, t, [r.bounds.get(name) for r in rows], gid=f"{family}:{name}", zero_marker=False,
                                linestyle=style.bound_dash(order.index(name)), color=look["color"], linewidth=1.0,
                                marker=None if result.has_truth else look["marker"], markersize=2.5,
                                markerfacecolor=look["markerfacecolor"])
            if result.estimate:  # a bound at a partial curve's ΣI or Φ moves with them: its interval too
                bands.append((t, row_intervals(rows, name), f"{family}:{name}", look["color"], f))
    lines = _line_legend(result, [n for n in order if n in used], zero)
    lines += _interval_legend(bands)
    if result.has_optimal:
        style.plot_positive(ax, list(result.steps), _optimal_by_t(result), gid="optimal", linestyle=style.OPTIMAL,
                            color="black", linewidth=1.4)
        lines.append(("least error of any schedule (DP)", {"linestyle": style.OPTIMAL, "color": "black"}))
    if target is not None:
        eps = to_rational(target)
        ax.axhline(float(eps), color="0.5", linewidth=0.9, gid="target")
        lines.append((f"target $\\varepsilon$ = {format_decimal(eps, 4)}", {"color": "0.5", "linewidth": 0.9}))
    style.log_t_axis(ax)
    ax.set_ylabel(_ylabel(result.unit))
    _finish_with_bands(ax, bands, ylim)
    style.legends(fig, series, lines, title if title is not None else _subtitle(result))
    return fig


def row_intervals(rows: Sequence["SweepRow"], name: str) -> list["tuple[float, float] | None"]:
    """Each row's interval of ``name`` over the curve's monotone completions (None where it has none)."""
    out = []
    for row in rows:
        measured = row.measured(name)
        out.append(None if measured is None else measured.interval)
    return out


def _interval_legend(bands: Sequence[tuple[Any, Sequence[Any], str, Any, int]]) -> list[tuple[str, dict[str, Any]]]:
    """The legend line of the interval bands, when any is drawn (and what an end at the axis means)."""
    drawn = [i for _, intervals, _, _, _ in bands for i in intervals if i is not None]
    if not drawn:
        return []
    text = "hatched: range over all monotone completions"
    if any(i[1] == math.inf for i in drawn):
        text += " (to the top: unbounded)"
    return [(text, {"linestyle": "none", "marker": "s", "markersize": 6, "markerfacecolor": "none",
                    "markeredgecolor": "0.3", "alpha": 0.7})]


def _finish_with_bands(ax: Any, bands: Sequence[tuple[Any, Sequence[Any], str, Any, int]],
                       ylim: "tuple[float, float] | None") -> None:
    """The y range (holding the intervals' finite ends unless ``ylim`` is given), then the interval bands."""
    if ylim is None:
        for t, intervals, _, _, _ in bands:
            style.widen_for(ax, t, intervals)
    style.finish(ax, None, ylim)
    for t, intervals, gid, color, series in bands:
        style.interval_band(ax, t, intervals, gid=gid, color=color, series=series)


def _line_legend(result: "SweepResult", names: Sequence[str], zero: bool) -> list[tuple[str, dict[str, Any]]]:
    lines: list[tuple[str, dict[str, Any]]] = []
    if result.has_truth:
        what = "estimated error" if result.estimate else "exact error"
        if result.estimate:
            what += f" (band: $\\pm{style.BAND_SIGMAS}$ stderr)"
        lines.append((what, {"linestyle": style.TRUTH}))
    order = plotted_bounds(result)
    lines += [(_label(n), {"linestyle": style.bound_dash(order.index(n)), "linewidth": 1.0}) for n in names]
    if zero:
        lines.append(("error 0 (on the axis)", {"linestyle": "none", "marker": "v", "markersize": 4}))
    return lines


def _ylabel(unit: Any) -> str:
    return f"E KL($p_{{X_0}}\\,\\|\\,p_{{Y_0}}$)  [{unit}]"


def _optimal_by_t(result: "SweepResult") -> list[float | None]:
    by_t = {row.steps: row.optimal for row in result.rows}
    return [by_t.get(t) for t in result.steps]


def _subtitle(result: "SweepResult") -> str:
    return f"L = {result.length}, $\\Sigma I$ = {format_decimal(result.mi_total, 4)} {result.unit}" + (
        " (estimated)" if result.estimate else "") + (
        f", $\\varepsilon_{{\\rm train}}$ = {format_decimal(result.eps_train, 4)}" if result.eps_train else "")


@style.styled
def sandwich(result: "SweepResult", *, title: str | None = None, figsize: "tuple[float, float] | None" = None,
             ylim: "tuple[float, float] | None" = None, curve: "LossCurve | None" = None) -> "Figure":
    """Theorem 2 against T: bound (12) over each family's error, bound (13) under the random schedule's error.

    (13) bounds the error of the paper's random schedule on {S, S/2}, averaged
    over the schedule, with S = 2^ceil(log2 s_max) of each row; that expected
    error is drawn with it (estimates from a loss curve are labelled so).
    """
    if not result.has_truth or "theorem2_upper" not in result.bound_names:
        raise UsageError("Theorem 2's sandwich needs the errors of a data model or a loss curve", param="kind",
                         allowed="a data model, an entropy profile or a loss curve as the source")
    counts = [f for f in result.families if any(r.random_counts for r in result.family_rows(f))]
    if counts:  # Theorem 2's conditions (and its S) depend on each realisation of the counts
        raise UsageError(f"Theorem 2 does not apply to the random-count sampler(s) {', '.join(counts)}", param="families",
                         allowed="fixed-schedule families for the sandwich")
    fig, (ax,) = style.figure(size=figsize, height=style.HEIGHT * 1.1)
    upper, lower = BOUNDS["theorem2_upper"], BOUNDS["theorem2_lower"]
    what = "estimated" if result.estimate else "exact"
    kinds = [  # (what, line style, label)
        ("theorem2_upper", style.bound_dash(0), f"{upper.title} {upper.equation}"),
        ("error", style.TRUTH, f"{what} error"),
        ("random_error", style.OPTIMAL, f"random $\\{{S, S/2\\}}$ schedule, {what} mean"),
        ("theorem2_lower", style.bound_dash(2), f"{lower.title} {lower.equation}"),
    ]
    series = []
    bands: list[tuple[list[int], list[Any], str, Any, int]] = []
    for f, family in enumerate(result.families):
        rows = result.family_rows(family)
        t = [row.steps for row in rows]
        look = style.series_style(f)
        series.append((style.family_label(family), {**look, "linestyle": style.TRUTH}))
        for name, line, _ in kinds:
            values = [getattr(r, name) if name in ("error", "random_error") else r.bounds[name] for r in rows]
            stderr = None
            if name == "error" and result.estimate:
                stderr = [row_stderr(r, curve, str(result.unit)) for r in rows]
                stderr = stderr if any(s is not None for s in stderr) else None
            marker = look if name == "error" else {"color": look["color"]}
            style.plot_positive(ax, t, values, gid=f"{family}:{name}", stderr=stderr, zero_marker=name == "error",
                                linestyle=line, linewidth=1.2 if name == "error" else 1.0, **marker)
            if result.estimate:  # the errors' and the bounds' intervals over a partial curve's completions
                bands.append((t, row_intervals(rows, name), f"{family}:{name}", look["color"], f))
    lines = [(label, {"linestyle": line}) for _, line, label in kinds] + _interval_legend(bands)
    style.log_t_axis(ax, "sampling steps T  ($S = 2^{\\lceil \\log_2 s_{\\max} \\rceil}$)")
    ax.set_ylabel(_ylabel(result.unit))
    _finish_with_bands(ax, bands, ylim)
    style.legends(fig, series, lines, title if title is not None else _subtitle(result))
    return fig
