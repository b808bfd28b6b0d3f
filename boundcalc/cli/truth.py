"""``boundcalc verify`` and ``boundcalc profile``: the ground truth of a data model.

Both read one data model (``--joint``, ``--markov`` or ``--text``), compute
with :mod:`boundcalc.truth` and render. numpy, rich and the engines are
imported inside the commands, so ``boundcalc --help`` stays quick.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from ..errors import BoundcalcError, UsageError
from .options import POSITIVE_INT, BoundcalcCommand, check_output, compose, digits_option, given_explicitly, json_option
from .render import emit_json, print_table, show
from .tables import emit_latex, format_option, wants_latex

model_options = compose(
    click.option("--joint", type=click.Path(dir_okay=False, path_type=str),
                 help='Joint table, JSON: {"outcomes": [["a","b"], ...], "probabilities": ["0.25", ...]}.'),
    click.option("--markov", type=click.Path(dir_okay=False, path_type=str),
                 help='Markov chain, JSON: {"states": [...], "transition": [[...]], "initial": [...]} '
                 "(initial optional: the stationary law). Needs --length."),
    click.option("--text", type=click.Path(dir_okay=False, path_type=str),
                 help="UTF-8 text: a first-order chain fitted with add-1/2 smoothing (stationary start). Needs --length."),
    click.option("--length", "-L", type=POSITIVE_INT,
                 help="L, tokens in the sequence (required for --markov and --text; a joint table's own L otherwise)."),
    click.option("--level", type=click.Choice(["char", "word"]), default="char", show_default=True,
                 help="Tokens of --text: characters, or whitespace-separated words."),
    click.option("--max-states", type=click.IntRange(2, None),
                 help="--text: keep the N-1 most frequent tokens, fold the rest into <other> (word level: 256)."),
    click.option("--normalize", is_flag=True,
                 help="Divide probabilities (table entries, transition rows) by their sum instead of requiring 1."),
    click.option("--unit", type=click.Choice(["nats", "bits"]), default="nats", show_default=True,
                 help="Unit of the output (bits = nats / ln 2)."),
)


def _load(params: dict[str, Any]):
    from ..truth import load_model

    given = [f"--{name}" for name in ("joint", "markov", "text") if params[name] is not None]
    if len(given) != 1:
        raise click.UsageError(
            "give exactly one data model: --joint FILE, --markov FILE or --text FILE"
            + (f", not {' and '.join(given)}" if given else "")
        )
    if params["text"] is None:
        for name in ("level", "max_states"):
            if given_explicitly(name):
                raise click.UsageError(f"--{name.replace('_', '-')} is used only with --text")
    elif params["normalize"]:
        raise click.UsageError("--normalize is used only with --joint or --markov (a text's chain is fitted)")
    return load_model(
        joint=params["joint"],
        markov=params["markov"],
        text=params["text"],
        level=params["level"],
        normalize=params["normalize"],
        max_states=params["max_states"],
    )


def _describe(model: Any, length: int) -> str:
    from ..truth import JointDistribution

    if isinstance(model, JointDistribution):
        return (f"joint table {model.source}: L = {model.length}, V = {model.vocab_size}, "
                f"{model.support_size} outcomes")
    if model.corpus:
        c = model.corpus
        return (f"text {model.source}: {c['level']} bigram chain, {c['states']} states from {c['tokens']} tokens "
                f"(add-{c['smoothing']}), L = {length}")
    start = "given initial law" if model.given_initial else "stationary start"
    return f"Markov chain {model.source}: {model.vocab_size} states, {start}; L = {length}"


@contextmanager
def progress_bar(description: str, console: Any = None, delay: float = 1.0) -> Iterator[Callable[[int, int], None]]:
    """A progress callback drawing a rich bar on stderr once a computation has run for ``delay`` seconds.

    Nothing is drawn when stderr is not a terminal, so pipes, --json and tests stay clean.
    """
    from rich.console import Console

    console = console or Console(stderr=True)
    start = time.monotonic()
    state: dict[str, Any] = {"bar": None}

    def update(done: int, total: int) -> None:
        if not console.is_terminal:
            return
        if state["bar"] is None:
            if time.monotonic() - start < delay:
                return
            from rich.progress import BarColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

            bar = Progress("[progress.description]{task.description}", BarColumn(),
                           "[progress.percentage]{task.percentage:>3.0f}%", TimeElapsedColumn(),
                           TimeRemainingColumn(), console=console, transient=True)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(description, total=total)
        state["bar"].update(state["task"], completed=done, total=total)

    try:
        yield update
    finally:
        if state["bar"] is not None:
            state["bar"].stop()


def _length(model: Any, params: dict[str, Any]) -> int:
    return model.check_length(params["length"])


@click.command(cls=BoundcalcCommand)
@model_options
@click.option("--schedule", "-s", "schedule_spec", required=True,
              help="Sizes in reveal order: a comma list (5,3,2), a file, or a family (uniform:T, cosine:T, ...; "
              "see `boundcalc bound --help`); blocks:K:FAMILY:T and llada:GEN:BLOCK:STEPS (semi-autoregressive), "
              "mdlm:T[:NOISE], sedd:T, dream-origin:T (random counts: the expected error).")
@click.option("--optimal", is_flag=True,
              help="Also the least exact error of any schedule with the same T, and that schedule.")
@digits_option
@json_option
@format_option
def verify(**params: Any) -> None:
    """The exact sampling error of a data model next to every bound.

    For the optimal predictor (ε_train = 0) the error E_M KL(p_X0 || p_Y0|M) of
    the schedule is computed exactly from the model's entropies (THEORY.md s.7,
    eq. 23; float64 with a stated error bound) and compared with Theorem 1, the
    recursion, the sharp bound and Corollary 1 at the model's own ΣI.

    \b
    Examples:
      boundcalc verify --markov chain.json --length 1024 --schedule uniform:64
      boundcalc verify --text corpus.txt --length 256 --schedule cosine:16 --optimal --json
      boundcalc verify --joint table.json --schedule 3,2,1
    """
    from ..verification import verify as run_verify

    model = _load(params)
    L = _length(model, params)
    unit, digits = params["unit"], params["digits"]
    if params["optimal"]:
        _check_optimal_first(params["schedule_spec"], L)
    with progress_bar("entropies") as bar:
        profile = model.entropy_profile(L, progress=bar)
        report = run_verify(model if _needs_model(params["schedule_spec"], L) else profile,
                            params["schedule_spec"], length=L, unit=unit)
        optimal = None
        if params["optimal"]:
            if _is_counts(report):
                raise UsageError("a random-count sampler has no fixed number of steps to optimise for",
                                 param="--optimal", allowed="a fixed schedule (uniform:T, ...)")
            optimal = profile.optimal_schedule(report.schedule.steps, progress=bar)
    description = _describe(model, L)
    if wants_latex(params):
        return emit_latex(report, params)
    if params["as_json"]:
        emit_json(_verify_json(report, optimal, description, digits))
    else:
        _verify_table(report, optimal, description, digits)


def _check_optimal_first(spec: str, length: int) -> None:
    """T and the optimal-schedule DP's cost, refused before the entropy profile is computed."""
    from ..counts import parse_sampler
    from ..truth import EntropyProfile

    steps = getattr(parse_sampler(spec, length), "steps", None)
    if isinstance(steps, int):
        try:
            EntropyProfile.check_optimal(length, steps)
        except BoundcalcError as error:
            error.param = "--optimal"
            raise


def _needs_model(spec: str, length: int) -> bool:
    """True for a semi-autoregressive schedule: its error needs the model, not only the global profile."""
    from ..counts import parse_sampler

    return bool(getattr(parse_sampler(spec, length), "block_spans", ()))


def _is_counts(report: Any) -> bool:
    return not hasattr(report.schedule, "runs")


def _verify_json(report: Any, optimal: Any, description: str, digits: int) -> dict[str, Any]:
    from ..truth import to_unit

    data = report.to_dict(digits)
    data["model"] = description
    if optimal is not None:
        schedule, error = optimal
        data["optimal"] = {
            "schedule": list(schedule.sizes),
            "truth": {"decimal": show(Fraction(to_unit(error, report.unit)), digits)},
        }
    return data


def _verify_rows(report: Any, optimal: Any, digits: int) -> list[list[str]]:
    """The exact errors, then each KL bound of the registry next to the error it is checked against."""
    from ..truth import to_unit

    ratios, holds = report.ratios(), report.holds()
    b = report.bounds
    counts = _is_counts(report)
    rows = [["expected exact error" if counts else "exact error", "(23)", report.measured("truth").decimal(digits),
             "1", ""]]
    if optimal is not None:
        rows.append([f"optimal {b.steps}-step schedule", "(23)",
                     show(Fraction(to_unit(optimal[1], report.unit)), digits), "-", ""])
    random_rows = []
    if report.random_error is not None and b.multiscale is not None:
        random_rows.append([f"exact error of random:{b.multiscale.scale} (mean)", "(23)",
                            report.measured("random").decimal(digits), "1", ""])
    for entry, _ in report.compared():
        name = entry.name.replace("_", " ") + (" (expected)" if counts else "")
        if entry.about == "random" and b.multiscale is not None:
            name += f", random:{b.multiscale.scale}"
        r, h = ratios.get(entry.name), holds.get(entry.name)
        value = report.measured(entry.name)
        verdict = {None: "n/a", True: "yes", False: "NO (report this)", "undecided": "undecided (within float error)"}
        row = [name, entry.equation, "n/a" if value is None else value.decimal(digits),
               "-" if r is None else show(Fraction(r), 4), verdict[h]]
        (rows if entry.about == "schedule" else random_rows).append(row)
    if b.multiscale is not None and report.random_error is not None:
        rows += random_rows
    return rows


def _verify_caption(report: Any) -> str:
    """What the numbers are: the truth's precision, what the bounds are evaluated at, the sampler's kind."""
    from ..exact import round_up

    b, unit = report.bounds, report.unit
    caption = f"exact errors: float64, absolute error < {round_up(report.truth_error)} {unit}; "
    if _is_counts(report):
        return caption + (
            "expected bounds: float64 with their certified error (--json)\nrandom counts: the expectation over the "
            f"counts; E s_max = {b.expected_max[0]:.4g}, E steps revealing >= 1 token = {b.nonempty_steps[0]:.4g} "
            f"of {len(report.schedule.reveal)} (docs/theory.md, section 12)")
    if report.schedule.block_spans:
        return caption + (
            "bounds: at each block's conditional ΣI_b as computed (float64; ε_train = 0)\nsemi-autoregressive: "
            "blockwise bounds (B1); the bounds for random positions over all L do not apply and are not listed "
            "(docs/theory.md, section 11)")
    return caption + (f"bounds: at ΣI and Φ as computed (float64, absolute error < {round_up(report.input_error)}; "
                      "ε_train = 0)")


def _verify_shape(report: Any) -> str:
    b, schedule = report.bounds, report.schedule
    if _is_counts(report):
        return f"{len(schedule.reveal)} steps (the last reveals the rest), random sizes"
    text = f"T = {b.steps}, s_max = {b.max_size}"
    if schedule.block_spans:
        lengths = "/".join(sorted({str(n) for _, n in schedule.block_spans}))
        text += f", {len(schedule.block_spans)} blocks of {lengths} positions"
    return text


def _verify_table(report: Any, optimal: Any, description: str, digits: int) -> None:
    from ..exact import round_up

    b, unit = report.bounds, report.unit
    caption = _verify_caption(report)
    if report.random_error is not None:
        caption += (f"\nthe lower bound (13) is for the random schedule on {{S, S/2}}, S = {b.multiscale.scale}, "
                    "averaged over the schedule; its ratio is bound / that error")
    if optimal is not None:
        caption += f"\noptimal schedule (reveal order): {optimal[0].describe(limit=24)}"
    print_table(
        f"Exact error and bounds for E_M KL(p_X0 || p_Y0|M) ({unit})",
        [("quantity", "left"), ("eq.", "left"), ("value", "right"), ("/ exact", "right"), ("holds", "left")],
        _verify_rows(report, optimal, digits),
        caption=caption,
        header_lines=[
            description,
            f"ΣI = {report.measured('mi_total').decimal(digits)} {unit}; schedule {report.schedule} (reveal order): "
            f"{_verify_shape(report)}",
        ],
    )


@click.command(cls=BoundcalcCommand)
@model_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=str),
              help="Write the profile as CSV (index,mi_<unit>; read by --mi-profile). Without it the CSV goes to stdout.")
@click.option("--size", "-m", "sizes", type=click.IntRange(0, None), multiple=True,
              help="Instead of I_i, E[I(X^(i); X∘A)] over random m-sets A ∌ i (Theorem 2's ingredient); repeatable.")
@click.option("--multiscale", is_flag=True,
              help="Write Theorem 2's multi-scale profile instead: token,level,value rows for the set sizes "
              "L - S/2^j, j = 0..log2 S (needs --smax); read by `bound --ms-profile`.")
@click.option("--smax", "-S", "s_max", type=POSITIVE_INT,
              help="With --multiscale: the largest step size to cover (S = 2^ceil(log2 s_max)).")
@digits_option
@json_option
def profile(**params: Any) -> None:
    """The exact MI profile I_i = I(X^(i); X^(-i)) of a data model, for `steps` and `bound`.

    Writes one value per token (shortest decimals that read back as the
    computed float64 values), so a corpus goes to a required T in two commands:

    \b
      boundcalc profile --text corpus.txt --length 1024 --output mi.csv
      boundcalc steps --mi-profile mi.csv --target 10

    With --size m (repeatable) the per-token E[I(X^(i); X∘A)] over uniformly
    random m-sets A ∌ i is given instead (m = L - 1 is I_i). With --multiscale
    --smax S, the multi-scale profile of Theorem 2 (token,level,value rows),
    for `boundcalc bound --ms-profile`.
    """
    check_output(params, inputs=("joint", "markov", "text"))
    if params["multiscale"] or params["s_max"] is not None:
        _multiscale_profile(params)
        return
    from ..exact import number_json
    from ..truth import float_decimal, profile_csv, token_mi, write_profile_csv

    model = _load(params)
    L = _length(model, params)
    unit, digits = params["unit"], params["digits"]
    sizes = list(params["sizes"]) or [None]
    if params["output"] and len(sizes) > 1:
        raise UsageError("--output writes one profile", param="--size", allowed="give at most one --size with --output")
    for m in sizes:
        if m is not None and m > L - 1:
            raise UsageError(f"{m} is out of range", param="--size", allowed=f"0 <= m <= L - 1 = {L - 1}")
    with progress_bar("MI profile") as bar:
        columns = [token_mi(model, m, L, unit, progress=bar) for m in sizes]
        entropy = model.entropy_profile(L, progress=bar) if params["as_json"] or params["output"] else None
    values = columns[0]
    description = _describe(model, L)
    if params["as_json"]:
        data: dict[str, Any] = {"model": description, "length": L, "unit": unit}
        for m, col in zip(sizes, columns):
            key = "values" if m is None else f"size_{m}"
            data[key] = [float_decimal(x) for x in col]
            data[("mi_total" if m is None else f"total_size_{m}")] = number_json(
                sum((Fraction(float_decimal(x)) for x in col), Fraction(0)), digits)
        if entropy is not None:
            data["entropy_per_token"] = {"decimal": show(Fraction(_to(entropy.entropy / L, unit)), digits)}
        if params["output"]:
            write_profile_csv(values, params["output"], unit)
            data["output"] = params["output"]
        emit_json(data)
        return
    if not params["output"]:
        if len(sizes) == 1:
            click.echo(profile_csv(values, unit), nl=False)
        else:
            header = "index," + ",".join(f"size_{m}" if m is not None else f"mi_{unit}" for m in sizes)
            lines = [header] + [f"{i + 1}," + ",".join(float_decimal(c[i]) for c in columns) for i in range(L)]
            click.echo("\n".join(lines))
        return
    path = write_profile_csv(values, params["output"], unit)
    total = sum((Fraction(float_decimal(x)) for x in values), Fraction(0))
    rows = [
        ["tokens L", str(L)],
        ["ΣI" if sizes[0] is None else f"Σ_i E I(X^(i); X∘A), |A| = {sizes[0]}", show(total, digits)],
        ["mean per token", show(total / L, digits)],
        ["max per token", show(Fraction(float_decimal(values.max())), digits)],
        ["min per token", show(Fraction(float_decimal(values.min())), digits)],
    ]
    if entropy is not None:
        rows.append(["entropy per token H(X)/L", show(Fraction(_to(entropy.entropy / L, unit)), digits)])
    print_table(
        f"MI profile ({unit}) written to {path}",
        [("quantity", "left"), ("value", "right")],
        rows,
        header_lines=[description],
        caption=f"use it with: boundcalc steps --mi-profile {path} --unit {unit} --target ...",
    )


def _multiscale_profile(params: dict[str, Any]) -> None:
    from ..truth import multiscale_from_model

    if not params["multiscale"]:
        raise UsageError("it is only used with --multiscale", param="--smax", allowed="add --multiscale")
    if params["s_max"] is None:
        raise UsageError("--multiscale needs it", param="--smax", allowed="the largest step size S to cover")
    if params["sizes"]:
        raise UsageError("--size and --multiscale are alternatives", param="--size", allowed="give one of them")
    model = _load(params)
    L = _length(model, params)
    if params["s_max"] > L:
        raise UsageError(f"{params['s_max']} exceeds L = {L}", param="--smax", allowed="1 <= s_max <= L")
    unit, digits = params["unit"], params["digits"]
    with progress_bar("multi-scale profile") as bar:
        ms = multiscale_from_model(model, params["s_max"], L, unit, progress=bar)
    text = ms.to_csv()
    if params["as_json"]:
        from ..jsonify import to_json

        ms_json = to_json(ms, digits)
        data = {"model": _describe(model, L), **ms_json}
        if params["output"]:
            Path(params["output"]).write_text(text)
            data["output"] = params["output"]
        else:
            data["values"] = [[str(x) for x in row] for row in ms.values or ()]
        emit_json(data)
        return
    if not params["output"]:
        click.echo(text, nl=False)
        return
    Path(params["output"]).write_text(text)
    print_table(
        f"Multi-scale profile ({unit}) written to {params['output']}",
        [("level j", "right"), ("set size L - S/2^j", "right"), ("Σ_i E I(X^(i); X∘W_j)", "right")],
        [[str(j), str(max(m, 0)), show(total, digits)] for j, (m, total) in enumerate(zip(ms.set_sizes, ms.level_totals))],
        header_lines=[_describe(model, L), f"S = {ms.scale}; Φ = {show(ms.phi, digits)}"],
        caption=f"use it with: boundcalc bound --ms-profile {params['output']} --schedule ... --mi-profile ...",
    )


def _to(value: float, unit: str) -> float:
    from ..truth import to_unit

    return to_unit(value, unit)
