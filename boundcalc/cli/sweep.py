"""``boundcalc sweep``: every bound, the exact and the optimal error over a grid of T, per schedule family.

The source options are the union of the MI sources (``steps``, ``bound``) and
the data models (``verify``, ``profile``); ``boundcalc plot`` takes the same
arguments (:data:`sweep_options`, :func:`run_sweep`). numpy, rich and the
engines are imported inside the functions.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click

from ..errors import DomainError, UsageError
from .options import POSITIVE_INT, BoundcalcCommand, compose, digits_option, eps_train_option, json_option, mi_options
from .render import emit_csv, emit_json, emit_table
from .sampler_help import RegistryHelpOption, sampler_help, sweep_family_help
from .tables import emit_latex, format_option, refuse_latex, wants_latex
from .truth import model_options

MODEL_FLAGS = ("joint", "markov", "text")
MI_FLAGS = ("mi_profile", "mi_constant", "mi_total", "loss_curve")  # sources resolve_profile reads (loss_curve: issue 10)
DEFAULT_POINTS = 12


def _union(*decorators: Callable, skip: tuple[str, ...] = ()) -> Callable:
    """The options of several option decorators, each parameter once (the first wins), minus ``skip``."""

    def apply(function: Callable) -> Callable:
        seen = {p.name for p in getattr(function, "__click_params__", [])} | set(skip)
        collected: list[click.Parameter] = []
        for decorator in decorators:
            def probe() -> None: ...
            decorator(probe)
            for param in reversed(getattr(probe, "__click_params__", [])):  # --help order
                if param.name not in seen:
                    seen.add(param.name)
                    collected.append(param)
        function.__dict__.setdefault("__click_params__", [])
        function.__click_params__.extend(reversed(collected))  # type: ignore[attr-defined]
        return function

    return apply


sweep_options = compose(
    _union(
        click.option("--length", "-L", type=POSITIVE_INT,
                     help="L, tokens in the sequence (needed for --mi-constant, --mi-total, --markov and --text)."),
        click.option("--unit", type=click.Choice(["nats", "bits"]), default="nats", show_default=True,
                     help="Unit of MI values, ε_train and the output (an MI source is never converted)."),
        mi_options,
        model_options,
        skip=("vocab_size",),
    ),
    click.option("--family", "-f", "families", multiple=True,
                 cls=RegistryHelpOption, help_from=sweep_family_help),
    click.option("--steps", "-T", "steps_spec",
                 help="The grid of T: A:B (every T), A:B:K (every K-th), 1,2,4,8, or log:A:B:N (N points evenly "
                 f"spaced in log T). Default log:1:L:{DEFAULT_POINTS}."),
    click.option("--optimal", is_flag=True,
                 help="Also the least exact error of any T-step schedule (DP over the entropy profile; data models)."),
    eps_train_option,
    click.option("--sampler", "-S", "samplers", multiple=True, metavar="SPEC",
                 cls=RegistryHelpOption, help_from=sampler_help),
    click.option("--samples", type=click.IntRange(2, None), default=200, show_default=True,
                 help="--sampler on a Markov chain or text: Monte Carlo trajectories per sampler."),
    click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True,
                 help="--sampler: the Monte Carlo's seed."),
)


def sampler_reports(params: dict[str, Any]) -> tuple[list[Any], str, int]:
    """The --sampler points (truth, sequence error, calls), from a data model."""
    from ..registry import parse_grid
    from ..sampler_truth import rule_report

    for name in ("families", "steps_spec"):
        if params.get(name):
            flag = "--family" if name == "families" else "--steps"
            raise UsageError(f"{flag} is a grid of T; --sampler lists the samplers instead", param=flag,
                             allowed="--sampler SPEC ... alone, or --family/--steps")
    specs = [one for text in params["samplers"] for one in parse_grid(text, "--sampler")]  # grids LO..HI/N
    _, model, description, L = resolve_source(params)
    if model is None:
        raise UsageError("the samplers' truth needs a data model", param="--sampler",
                         allowed="--joint, --markov or --text")
    reports = [rule_report(model, spec, L, samples=params["samples"], seed=params["seed"]) for spec in specs]
    return reports, description, L


def resolve_source(params: dict[str, Any]) -> tuple[Any, Any, str, int]:
    """(the sweep's source: an MI profile or a data model, the data model or None, a description, L)."""
    from .options import resolve_profile

    models = [name for name in MODEL_FLAGS if params.get(name) is not None]
    given = models + [name for name in MI_FLAGS if params.get(name) is not None]
    if not given:
        raise click.UsageError("a source is required: --mi-profile FILE, --mi-constant X, --mi-total X "
                               "(bounds only), or --joint/--markov/--text FILE (the exact errors too)")
    if len(given) > 1:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise click.UsageError(f"give one source, not several ({flags})")
    from ..sources import sweep_source

    if params.get("loss_curve") is not None:  # a measured curve: estimated errors, and bounds at its ΣI
        from .options import resolve_curve

        found = sweep_source(curve=resolve_curve(params))
    elif not models:
        found = sweep_source(profile=resolve_profile(params))
    else:
        from .truth import _load

        found = sweep_source(model=_load(params), length=params["length"])
    return found.source, found.model, found.description, found.length


def run_sweep(params: dict[str, Any], only: Any = None, schedules: bool = False) -> tuple[Any, Any, Any, str]:
    """(SweepResult, source, model or None, description) for the sweep/plot arguments in ``params``.

    ``only(grid, L)`` -> the T to compute, when a caller draws only some T of the grid (plot --kind schedule).
    ``schedules``: the caller draws the schedules only; from an MI profile or a loss curve, without optimal
    schedules, the result is then a :class:`boundcalc.sweep_schedules.ScheduleSweep` (no errors, no bounds).
    """
    from ..sweeps import parse_sweep_grid, sweep
    from .truth import progress_bar

    source, model, description, L = resolve_source(params)
    steps: Any = params["steps_spec"] if params["steps_spec"] is not None else f"log:1:{L}:{min(L, DEFAULT_POINTS)}"
    families = list(params["families"]) or ["uniform"]
    if only is not None:
        steps = only(parse_sweep_grid(families, steps, L), L)
    if params.get("as_json"):
        _check_json_listing(params["families"], parse_sweep_grid(families, steps, L) if isinstance(steps, str) else steps)
    if schedules and model is None and not params["optimal"]:
        from ..sweep_schedules import schedule_sweep, schedules_only

        if schedules_only(source):
            return schedule_sweep(source, families, steps, unit=params["unit"]), source, model, description
    with progress_bar("sweep") as bar:
        # a data model itself, not only its entropy profile: semi-autoregressive families need the model
        result = sweep(source, list(params["families"]) or ["uniform"], steps, length=L if model is not None else None,
                       eps_train=params["eps_train"], unit=params["unit"], optimal=params["optimal"], progress=bar,
                       vocab_size=params.get("vocab_size"))
    return result, source, model, description


def _check_json_listing(families: Any, steps: Any) -> None:
    """Refuse, before any work, a JSON document too large to build: it lists every schedule's sizes (T <= 10^4)."""
    from ..jsonify import MAX_LISTED_VALUES, sweep_listed_values
    from ..sweeps import parse_family

    listed = sweep_listed_values([parse_family(f) for f in list(families) or ["uniform"]], steps)
    if listed > MAX_LISTED_VALUES:
        raise DomainError(f"the JSON of {len(steps)} values of T lists every schedule's sizes: {listed:,} values "
                          f"(~{listed * 1.7e-6:.0f} s, ~{listed * 125 / 1e9:.1f} GB)", param="--json",
                          allowed=f"at most {MAX_LISTED_VALUES:,} values: --csv (each schedule described), or fewer "
                          "or smaller T (a log grid)")


#: The bounds a sweep's LaTeX table can show (boundcalc.latex.tables.sweep_bounds; boundcalc.bounds is light).
def _table_bound_names() -> list[str]:
    from ..bounds import BOUNDS

    return [name for name in BOUNDS if not name.startswith("block_") and name != "theorem2_lower"]


@click.command(cls=BoundcalcCommand)
@sweep_options
@click.option("--vocab-size", "-V", type=POSITIVE_INT, help="--loss-curve: the vocabulary size V. d <= ln V bounds "
              "the intervals over a measured curve's monotone completions (unbounded above without it).")
@click.option("--bound", "bounds", multiple=True, type=click.Choice(_table_bound_names()),
              help="--format latex: the bound columns (repeatable; default theorem1, sharp and theorem2_upper where "
              "it applies). A blockwise family's rows show the blockwise form in the same column.")
@click.option("--all-bounds", is_flag=True,
              help="--format latex: every bound of the sweep, in as many tables as needed, each fitting an article "
              "column (the later ones continue the first).")
@click.option("--csv", "as_csv", is_flag=True,
              help="Print CSV on stdout: family, steps, schedule, s_max, error, error_abs, optimal, random_error "
              "and one column per bound (named as in `bound --json`).")
@format_option
@digits_option
@json_option
def sweep(**params: Any) -> None:
    """Every bound, and for a data model the exact and the optimal error, over a grid of T per family.

    One row per (family, T): the schedule's s_max, each bound of the registry
    that applies (exact), and from a data model the schedule's exact error
    (ε_train = 0), the least error of any T-step schedule (--optimal) and the
    expected error of the random schedule on {S, S/2} that Theorem 2's lower
    bound is about. The table ends with a sparkline of the error (or of
    Theorem 1 without a model) against T per family.

    The random-count samplers mdlm, mdlm:NOISE, sedd and dream-origin are
    families too: their rows are expectations over the random counts (the
    exact expected error; E[c(S_max)]/L·ΣI + ε_train for each bound that
    holds per realisation), with E[S_max] for s_max and the expected number
    of steps that reveal a token (network calls) in --csv/--json.

    \b
    Examples:
      boundcalc sweep --mi-total 12.5 --length 1024 --family uniform --family cosine
      boundcalc sweep --markov chain.json --length 64 --steps 1,2,4,8,16 --optimal
      boundcalc sweep --text corpus.txt --length 128 --steps log:1:128:8 --csv > sweep.csv
      boundcalc sweep --markov chain.json --length 64 --family uniform --family mdlm --family dream-origin
    """
    if params["as_csv"] and params["as_json"]:
        raise UsageError("--csv and --json are alternatives", param="--csv", allowed="give one of them")
    latex_table = wants_latex(params)
    if latex_table and params["as_csv"]:
        raise UsageError("--csv and --format latex are alternatives", param="--csv", allowed="give one of them")
    if params["samplers"]:
        if latex_table:
            refuse_latex(params, "the samplers' trade-off")
        from .rules import tradeoff_output

        reports, description, _ = sampler_reports(params)
        tradeoff_output(reports, description, params)
        return
    if params["vocab_size"] is not None and params.get("loss_curve") is None:
        raise UsageError("it is used only with --loss-curve", param="--vocab-size",
                         allowed="add --loss-curve FILE (a data model knows its vocabulary)")
    columns = _latex_columns(params, latex_table)
    with collector_paused():
        result, _, _, description = run_sweep(params)
        digits = params["digits"]
        if latex_table:
            _check_columns(result, columns)
            emit_latex(result, params, bounds=columns)
            return
        from ..answers import SweepAnswer

        answer = SweepAnswer(result, description)
        if params["as_csv"]:
            emit_csv(answer, digits)
        else:
            emit_json(answer, digits) if params["as_json"] else emit_table(answer, digits, elsewhere="--csv/--json")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a sweep builds and prints its rows, then restored as it was.

    A sweep over every T of L = 16384 keeps ~10^6 containers alive (rows, their dicts, reports); every collection
    of the older generations traverses them, about a fifth of such a sweep's CPU (2.9 -> 2.3 s measured for
    `--mi-total 12.5 --length 16384 --steps 1:16384 -f mdlm --csv`). The rows hold no reference cycles, so nothing
    accumulates; whatever cycles there are (a caught error's traceback) are collected once it runs again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _latex_columns(params: dict[str, Any], latex_table: bool) -> list[str] | None:
    """The LaTeX table's bound columns: --bound NAME ..., --all-bounds, or None (the default ones)."""
    if params["bounds"] and params["all_bounds"]:
        raise UsageError("give --bound NAME or --all-bounds, not both", param="--all-bounds")
    asked = "--all-bounds" if params["all_bounds"] else "--bound" if params["bounds"] else None
    if asked and not latex_table:
        raise UsageError(f"{asked} chooses the columns of the LaTeX table", param=asked,
                         allowed="add --format latex (the terminal table, --csv and --json have every bound)")
    return ["all"] if params["all_bounds"] else list(params["bounds"]) or None


def _check_columns(result: Any, columns: list[str] | None) -> None:
    """Refuse a --bound that does not apply to any row of this sweep (a usage error, before printing)."""
    from ..latex.tables import sweep_bounds

    available = sweep_bounds(result)
    missing = [name for name in columns or [] if name != "all" and name not in available]
    if missing:
        raise UsageError(f"{', '.join(missing)} applies to no row of this sweep", param="--bound",
                         allowed=", ".join(available))
