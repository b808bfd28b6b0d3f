"""``boundcalc plot``: a sweep, a schedule family, an entropy profile or a loss curve as a figure file."""

from __future__ import annotations

import math
from typing import Any

import click

from ..bounds import BOUNDS
from ..errors import UsageError
from .options import POSITIVE, POSITIVE_INT, BoundcalcCommand, OutputPath, resolve_curve
from .sweep import resolve_source, run_sweep, sweep_options

KINDS = ("error-vs-steps", "schedule", "curve", "sandwich", "error-vs-nfe")  # boundcalc.plot.KINDS, without importing it
# the bounds drawn against T, from the registry (boundcalc.bounds is light: no numpy, no sympy)
KL_BOUNDS = [name for name, b in BOUNDS.items() if b.quantity == "kl" and b.about == "schedule"]


class Pair(click.ParamType):
    """Two positive numbers ``A,B`` (a size in inches, or a range with A < B)."""

    name = "A,B"

    def __init__(self, ordered: bool) -> None:
        self.ordered = ordered

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        allowed = "LOW,HIGH with 0 < LOW < HIGH" if self.ordered else "WIDTH,HEIGHT in inches, each in (0, 50]"
        try:
            a, b = (float(part) for part in str(value).split(","))
        except ValueError:
            raise UsageError(f"{value!r} is not two numbers A,B", param=param.opts[0], allowed=allowed) from None
        limit = math.inf if self.ordered else 50
        if not (0 < a <= limit and 0 < b <= limit) or (self.ordered and not a < b):
            raise UsageError(f"{value!r} is out of range", param=param.opts[0], allowed=allowed)
        return a, b


@click.command(cls=BoundcalcCommand)
@sweep_options
@click.option("--output", "-o", required=True, type=OutputPath(),
              help="The figure file: .png, .svg, .pdf, or .pgf (for LaTeX; needs pdflatex and the LaTeX package "
              "pgf, Debian's texlive-pictures).")
@click.option("--vocab-size", "-V", type=POSITIVE_INT, help="--loss-curve: the vocabulary size V. d <= ln V bounds "
              "the intervals over a measured curve's monotone completions, drawn as hatched bands (to the axis "
              "without it where unbounded).")
@click.option("--kind", "-k", type=click.Choice(KINDS), default="error-vs-steps", show_default=True,
              help="error-vs-steps: error and the tightest bound per family against T (log-log); schedule: tokens "
              "revealed per step, a panel per family; curve: a data model's entropy profile d(m) with TC/DTC and "
              "the MI profile, or a --loss-curve's points, fit and interpolation; sandwich: Theorem 2's bounds "
              "(12), (13) against the errors; error-vs-nfe: KL(p||q) and the sequence error against the expected "
              "network calls, one point per --sampler (data models).")
@click.option("--target", "-e", type=POSITIVE, help="error-vs-steps: draw the target error ε as a horizontal line.")
@click.option("--bound", "bounds", multiple=True, type=click.Choice(KL_BOUNDS),
              help="error-vs-steps: draw these bounds (repeatable) instead of the tightest one per family.")
@click.option("--all-bounds", is_flag=True, help="error-vs-steps: draw every bound that applies to each family.")
@click.option("--title", help="The figure's title (default: L, ΣI and ε_train; '' for none).")
@click.option("--figsize", type=Pair(ordered=False), help="WIDTH,HEIGHT in inches (default 3.4,2.6 plus the legend).")
@click.option("--ylim", type=Pair(ordered=True), help="error-vs-steps, sandwich, curve: the y range LOW,HIGH.")
def plot(**params: Any) -> None:
    """Draw a sweep as a figure: error vs T, the schedules, the entropy profile, or Theorem 2's sandwich.

    Takes the arguments of `boundcalc sweep` and writes one file, sized for a
    one-column paper figure (3.4 in wide) and readable on screen. Families are
    told apart by colour and marker; the truth is solid, bounds are dashed
    (named in a second legend), the optimal schedule's error (--optimal)
    dotted. An error that reaches 0 (T = L) is marked on the axis. From a
    --loss-curve the errors are estimates, drawn with ±2 stderr bands, and where
    the curve leaves d unmeasured with their interval over every monotone
    completion as a hatched band. Needs matplotlib: pip install 'boundcalc[plot]'.

    \b
    Examples:
      boundcalc plot --markov chain.json --length 64 --optimal --output error.png
      boundcalc plot --mi-total 12.5 --length 1024 -f uniform -f cosine --target 0.5 -o bounds.pdf
      boundcalc plot --text corpus.txt --length 128 --kind curve --output curve.svg
      boundcalc plot --loss-curve curve.csv --kind curve --output loss.png
    """
    from .. import plot as figures

    figures.require_matplotlib()
    output, kind = params["output"], params["kind"]
    figures.check_output(output)
    _check_flags(params, kind)
    look = {"title": params["title"], "figsize": params["figsize"]}
    if kind == "error-vs-nfe":
        from ..plot_nfe import error_vs_nfe
        from .sweep import sampler_reports

        reports, _, L = sampler_reports(params)
        fig = error_vs_nfe(reports, title=params["title"])  # in --unit: the display unit
        what = f"{len(reports)} samplers, L = {L}"
    elif kind == "curve":
        fig, what = _curve_figure(params, figures, look)
    else:
        # the schedule figure draws a few T of the grid: the sweep computes those only
        # (and draws neither errors nor bounds: from an MI profile or a loss curve, the schedules alone)
        result, _, _, _ = run_sweep(params, only=_drawn_steps if kind == "schedule" else None,
                                    schedules=kind == "schedule")
        curve = resolve_curve(params)
        if kind == "error-vs-steps":
            bounds: Any = figures.ALL if params["all_bounds"] else (list(params["bounds"]) or None)
            fig = figures.error_vs_steps(result, target=params["target"], bounds=bounds, ylim=params["ylim"],
                                         curve=curve, **look)
        elif kind == "schedule":
            fig = figures.schedules(result, **look)
        else:
            fig = figures.sandwich(result, ylim=params["ylim"], curve=curve, **look)
        what = f"{len(result.families)} famil{'y' if len(result.families) == 1 else 'ies'} x {len(result.steps)} T"
    path = figures.save(fig, output)
    click.echo(f"wrote {path} ({kind}: {what})")


def _check_flags(params: dict[str, Any], kind: str) -> None:
    """Flags of one kind refused with another, and the sandwich's samplers, before any work."""
    if params["vocab_size"] is not None and params.get("loss_curve") is None:
        raise UsageError("it is used only with --loss-curve", param="--vocab-size",
                         allowed="add --loss-curve FILE (a data model knows its vocabulary)")
    if params["bounds"] and params["all_bounds"]:
        raise UsageError("give --bound NAME or --all-bounds, not both", param="--all-bounds")
    only = {"--target": params["target"] is not None, "--bound": bool(params["bounds"]),
            "--all-bounds": params["all_bounds"]}
    for flag, given in only.items():
        if given and kind != "error-vs-steps":
            raise UsageError(f"it is only drawn with --kind error-vs-steps, not {kind}", param=flag,
                             allowed="--kind error-vs-steps")
    if params["ylim"] is not None and kind == "schedule":
        raise UsageError("the schedule figure chooses its own y range", param="--ylim",
                         allowed="--kind error-vs-steps, sandwich or curve")
    if kind == "sandwich":  # refused before the sweep runs (the figure would refuse it after)
        from ..registry import family

        counts = [f for f in params["families"] if getattr(family(f.partition(":")[0]), "random_counts", False)]
        if counts:
            raise UsageError(f"Theorem 2 does not apply to the random-count sampler {counts[0]} (its conditions "
                             "depend on each realisation of the counts)", param="--family",
                             allowed="fixed-schedule families with --kind sandwich")
    if (kind == "error-vs-nfe") != bool(params["samplers"]):
        raise UsageError("error-vs-nfe draws the samplers given with --sampler, and only it does",
                         param="--sampler", allowed="--kind error-vs-nfe --sampler SPEC [--sampler SPEC ...]")


def _curve_figure(params: dict[str, Any], figures: Any, look: dict[str, Any]) -> tuple[Any, str]:
    curve = resolve_curve(params)
    if curve is not None:
        fig = figures.loss_curve(curve, ylim=params["ylim"], **look)
        return fig, f"loss curve, {curve.masked.size} points, L = {curve.length}"
    _, model, _, L = resolve_source(params)
    if model is None:
        raise UsageError("the curve figure needs a data model or a loss curve", param="--kind",
                         allowed="--joint, --markov, --text or --loss-curve with --kind curve")
    fig = figures.curve(model, length=L, **look)
    if params["ylim"] is not None:
        fig.axes[0].set_ylim(*params["ylim"])
    return fig, f"entropy profile, L = {L}"


def _drawn_steps(grid: Any, length: int) -> list[int]:
    """The T that plot.schedules draws from ``grid`` (up to 3, spread in log T, each <= MAX_DRAWN_STEPS), so the
    sweep behind the figure computes nothing else; the whole grid when none can be drawn (the figure says why)."""
    from ..plot.profiles import MAX_DRAWN_STEPS, _pick

    drawable = [t for t in grid if t <= MAX_DRAWN_STEPS]
    if not drawable:
        return list(grid)
    return _pick([t for t in drawable if t < length] or drawable, 3)
