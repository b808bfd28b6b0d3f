"""``boundcalc plot``: a sweep, a schedule family or an entropy profile as a figure file (matplotlib, lazily)."""

from __future__ import annotations

from typing import Any

import click

from ..bounds import BOUNDS
from ..errors import UsageError
from .options import POSITIVE, BoundcalcCommand
from .sweep import resolve_source, run_sweep, sweep_options

KINDS = ("error-vs-steps", "schedule", "curve", "sandwich", "error-vs-nfe")  # boundcalc.plot.KINDS, without importing it
# the bounds drawn against T, from the registry (boundcalc.bounds is light: no numpy, no sympy)
KL_BOUNDS = [name for name, b in BOUNDS.items() if b.quantity == "kl" and b.about == "schedule"]


@click.command(cls=BoundcalcCommand)
@sweep_options
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True, path_type=str),
              help="The figure file: .png, .svg, .pdf, or .pgf (for LaTeX; needs pdflatex).")
@click.option("--kind", "-k", type=click.Choice(KINDS), default="error-vs-steps", show_default=True,
              help="error-vs-steps: error and bounds against T (log-log); schedule: tokens revealed per step, a panel "
              "per family; curve: the entropy profile d(m) with TC/DTC and the MI profile (data models); "
              "sandwich: Theorem 2's bounds (12), (13) against the exact errors (data models); error-vs-nfe: KL(p||q) "
              "and the sequence error against the expected network calls, one point per --sampler (data models).")
@click.option("--target", "-e", type=POSITIVE, help="error-vs-steps: draw the target error ε as a horizontal line.")
@click.option("--bound", "bounds", multiple=True, type=click.Choice(KL_BOUNDS),
              help="error-vs-steps: draw only these bounds (repeatable; default every one that applies).")
def plot(**params: Any) -> None:
    """Draw a sweep as a figure: error vs T, the schedules, the entropy profile, or Theorem 2's sandwich.

    Takes the arguments of `boundcalc sweep` and writes one file, sized for a
    one-column paper figure (3.4 in wide) and readable on screen. Exact errors
    are solid, bounds dashed and named with their equations, the optimal
    schedule's error (--optimal) dotted. Needs matplotlib:
    pip install 'boundcalc[plot]'.

    \b
    Examples:
      boundcalc plot --markov chain.json --length 64 --optimal --output error.png
      boundcalc plot --mi-total 12.5 --length 1024 -f uniform -f cosine --target 0.5 -o bounds.pdf
      boundcalc plot --text corpus.txt --length 128 --kind curve --output curve.svg
    """
    from .. import plot as figures

    figures.require_matplotlib()
    output, kind = params["output"], params["kind"]
    figures.check_output(output)
    if kind != "error-vs-steps" and (params["target"] is not None or params["bounds"]):
        flag = "--target" if params["target"] is not None else "--bound"
        raise UsageError(f"it is only drawn with --kind error-vs-steps, not {kind}", param=flag,
                         allowed="--kind error-vs-steps")
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
    if kind == "error-vs-nfe":
        from ..plot_nfe import error_vs_nfe
        from .sweep import sampler_reports

        reports, _, L = sampler_reports(params)
        fig = error_vs_nfe(reports, unit=params["unit"])
        what = f"{len(reports)} samplers, L = {L}"
    elif kind == "curve":
        _, model, _, L = resolve_source(params)
        if model is None:
            raise UsageError("the entropy profile needs a data model", param="--kind",
                             allowed="--joint, --markov or --text with --kind curve")
        fig = figures.curve(model, length=L, unit=params["unit"])
        what = f"entropy profile, L = {L}"
    else:
        result, _, _, _ = run_sweep(params)
        if kind == "error-vs-steps":
            fig = figures.error_vs_steps(result, target=params["target"], bounds=list(params["bounds"]) or None)
        elif kind == "schedule":
            fig = figures.schedules(result)
        else:
            fig = figures.sandwich(result)
        what = f"{len(result.families)} famil{'y' if len(result.families) == 1 else 'ies'} x {len(result.steps)} T"
    path = figures.save(fig, output)
    click.echo(f"wrote {path} ({kind}: {what})")
