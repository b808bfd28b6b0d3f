"""``boundcalc verify`` and ``boundcalc profile``: the ground truth of a data model.

Both read one data model (``--joint``, ``--markov`` or ``--text``), compute
with :mod:`boundcalc.truth` and render. numpy, rich and the engines are
imported inside the commands, so ``boundcalc --help`` stays quick.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click

from ..errors import UsageError
from ..hf import MAX_TEXT_BYTES
from ..units import from_nats
from .options import (POSITIVE_INT, BoundcalcCommand, OutputPath, check_curve_log_options, compose,
                      curve_log_options, digits_option, given_explicitly, json_option)
from .render import emit_csv, emit_json, emit_table
from .rules import describe_model as _describe
from .sampler_help import RegistryHelpOption, schedule_help
from .tables import emit_latex, format_option, refuse_latex, wants_latex

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


@contextmanager
def progress_bar(description: str, console: Any = None, delay: float = 1.0) -> Iterator[Callable[[int, int], None]]:
    """A progress callback drawing a rich bar on stderr once a computation has run for ``delay`` seconds.

    Nothing is drawn when stderr is not a terminal, so pipes, --json and tests stay clean; rich is not even
    imported then (rich's own test, Console.is_terminal, answers False without TTY_COMPATIBLE or FORCE_COLOR
    when stderr is not a tty).
    """
    import os
    import sys

    if console is None and not ({"TTY_COMPATIBLE", "FORCE_COLOR"} & set(os.environ)) \
            and not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        yield lambda done, total: None
        return
    from rich.console import Console

    console = console or Console(stderr=True)
    start = time.monotonic()
    state: dict[str, Any] = {"bar": None, "terminal": None}

    def update(done: int, total: int) -> None:
        if state["terminal"] is None:  # asked once: rich looks at the environment and the stream each time
            state["terminal"] = console.is_terminal  # (~10 µs; a sweep calls this once per row)
        if not state["terminal"]:
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
              cls=RegistryHelpOption, help_from=schedule_help)
@click.option("--optimal", is_flag=True,
              help="Also the least exact error of any schedule with the same T (DP), and the info-optimal schedule.")
@click.option("--loss-curve", type=click.Path(dir_okay=False, path_type=str),
              help="Instead of a data model: a mask predictor's loss curve (CSV masked,loss_nats[,stderr_nats]); "
              "the error is then an estimate, with its stderr and interpolation effect.")
@curve_log_options
@click.option("--vocab-size", "-V", type=POSITIVE_INT, help="--loss-curve: the vocabulary size V. d <= ln V bounds "
              "the intervals over a partial curve's monotone completions (unbounded above without it).")
@click.option("--remasking", type=click.Choice(["low_confidence", "random"]),
              help="For llada:GEN:BLOCK:STEPS: LLaDA's remasking (default low_confidence, as LLaDA: the top-k by "
              "confidence in each block; random: uniform positions in the block).")
@click.option("--samples", type=click.IntRange(2, None), default=200, show_default=True,
              help="Monte Carlo trajectories for adaptive samplers on a Markov chain or text.")
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True,
              help="Seed of the Monte Carlo.")
@digits_option
@json_option
@format_option
def verify(**params: Any) -> None:
    """The exact sampling error of a data model next to every bound.

    For the optimal predictor (ε_train = 0) the error E_M KL(p_X0 || p_Y0|M) of
    the schedule is computed exactly from the model's entropies (docs/theory.md section 10,
    eq. 23; float64 with a stated error bound) and compared with Theorem 1, the
    recursion, the sharp bound and Corollary 1 at the model's own ΣI.

    With --loss-curve FILE (a mask predictor's loss per masked token at k of L
    masked, docs/from-model-to-T.md) the error is estimated from the curve,
    with its stderr and the effect of the interpolation between measured
    points; the bounds are at the curve's ΣI and Φ. The schedule may also be
    info-optimal:T or optimal:T (computed from the curve or the model).

    \b
    Examples:
      boundcalc verify --markov chain.json --length 1024 --schedule uniform:64
      boundcalc verify --text corpus.txt --length 256 --schedule cosine:16 --optimal --json
      boundcalc verify --joint table.json --schedule 3,2,1
      boundcalc verify --loss-curve curve.csv --schedule cosine:16 --optimal
    """
    from ..verification import verify as run_verify

    if params["vocab_size"] is not None and params["loss_curve"] is None:
        raise UsageError("it is used only with --loss-curve", param="--vocab-size",
                         allowed="add --loss-curve FILE (a data model knows its vocabulary)")
    if _verify_adaptive(params):
        return
    from ..schedule import parse_spec
    from ..sources import case_sampler

    unit, digits = params["unit"], params["digits"]
    spec = parse_spec(params["schedule_spec"], "schedule")  # read once, here at the edge
    model, profile, curve, description = _verify_source(params, spec)
    L = profile.length
    target = case_sampler(spec, L, curve)  # from the curve where the family needs one
    needs_model = spec.family.needs_model
    if needs_model and model is None:
        raise UsageError("a semi-autoregressive schedule's error needs the data model, not only its loss curve",
                         param="--loss-curve", allowed="a schedule over all L positions, or --markov/--joint/--text")
    with progress_bar("entropies") as bar:
        report = run_verify(model if needs_model else profile, target, length=L, unit=unit)
        optimal = None
        if params["optimal"]:
            if report.schedule.random_counts:
                raise UsageError("a random-count sampler has no fixed number of steps to optimise for",
                                 param="--optimal", allowed="a fixed schedule (uniform:T, ...)")
            optimal = profile.optimal_schedule(report.schedule.steps, progress=bar)
    from ..answers import verify_answer

    measured = params["loss_curve"] is not None and not curve.exact  # every value an estimate with its stderr
    if wants_latex(params):  # with a partial curve's intervals, as the table
        return emit_latex(verify_answer(report, curve, description, measured=measured, profile=profile,
                                        optimal=optimal, vocab_size=params.get("vocab_size")), params)
    counts = None
    if report.schedule.random_counts and model is not None:  # its sequence error and network calls (issue 19)
        from ..sampler_truth import count_sampler_report

        counts = count_sampler_report(model, report.schedule, L, samples=params["samples"], seed=params["seed"])
    answer = verify_answer(report, curve, description, measured=measured,
                           profile=profile, optimal=optimal, vocab_size=params.get("vocab_size"), counts=counts)
    if params["as_json"]:
        emit_json(answer, digits)
    else:
        emit_table(answer, digits, machine="--json")


def _verify_adaptive(params: dict[str, Any]) -> bool:
    """A sampler rule (confidence:TAU, eb:GAMMA, ..., llada with low_confidence): verified by cli/rules.py."""
    from ..schedule import parse_spec
    from .rules import rule_target, verify_rule

    spec = parse_spec(params["schedule_spec"])
    chooses = spec.family.is_rule or (bool(spec.family.remaskings) and params["remasking"] != "random")
    if not (spec.family.is_rule or spec.family.remaskings or params["remasking"] is not None):
        return False
    if params["loss_curve"] is not None:
        if chooses:
            raise UsageError(f"{spec} chooses positions from the predictions: its truth needs a data model",
                             param="--loss-curve", allowed="--joint, --markov or --text")
        return False
    model = _load(params)
    L = _length(model, params)
    target = rule_target(spec, params["remasking"], L)
    if target is None:
        return False
    if wants_latex(params):
        refuse_latex(params, "a sampler rule's report")
    verify_rule(model, target, L, params, _describe(model, L))
    return True


def _verify_source(params: dict[str, Any], spec: Any) -> tuple[Any, Any, Any, str]:
    """(model or None, entropy profile, loss curve, description) from --loss-curve or a data model."""
    from ..sources import verify_source

    if params["loss_curve"] is not None:
        given = [f"--{name}" for name in ("joint", "markov", "text") if params[name] is not None]
        if given:
            raise UsageError(f"{given[0]} and --loss-curve are alternatives", param="--loss-curve",
                             allowed="give a data model or a loss curve")
        found = verify_source(spec, curve=_curve(params))
    else:
        check_curve_log_options(params)
        model = _load(params)
        with progress_bar("entropies") as bar:
            found = verify_source(spec, model=model, length=params["length"], optimal=params["optimal"], progress=bar)
    return found.model, found.profile, found.curve, found.description


@click.command(cls=BoundcalcCommand)
@model_options
@click.option("--output", "-o", type=OutputPath(),
              help="Write the profile as CSV (index,mi_<unit>; read by --mi-profile). Without it the CSV goes to stdout.")
@click.option("--size", "-m", "sizes", type=click.IntRange(0, None), multiple=True,
              help="Instead of I_i, E[I(X^(i); X∘A)] over random m-sets A ∌ i (Theorem 2's ingredient); repeatable.")
@click.option("--multiscale", is_flag=True,
              help="Write Theorem 2's multi-scale profile instead: token,level,value rows for the set sizes "
              "L - S/2^j, j = 0..log2 S (needs --smax); read by `bound --ms-profile`.")
@click.option("--smax", "-S", "s_max", type=POSITIVE_INT,
              help="With --multiscale: the largest step size to cover (S = 2^ceil(log2 s_max)).")
@click.option("--loss-curve", "loss_curve_out", type=OutputPath(),
              help="Write instead the model's exact loss curve (masked,loss_<unit>: d(L - k) for k = 1..L, what a "
              "perfect mask predictor would measure), read by --loss-curve of every command.")
@click.option("--ratios", help="Estimate the loss curve by Monte Carlo at these mask ratios (comma list in (0, 1], "
              "e.g. 0.1,0.25,0.5,0.75,1): of --hf-model on --text, or of a data model's exact predictor on sequences "
              "drawn from it. Needs --loss-curve OUT.")
@click.option("--hf-model", help="A Hugging Face masked LM (hub name or local directory; extra [hf]) whose loss "
              "curve is estimated on the windows of --text (L = --length tokens, no special tokens).")
@click.option("--mask-id", type=click.IntRange(0, None), help="--hf-model: the mask token id (default: the tokenizer's, "
              "else the config's mask_token_id).")
@click.option("--tokenizer", "tokenizer_name", help="--hf-model: the tokenizer's hub name or directory when it is not "
              "the model's (MDLM's hub models use gpt2's).")
@click.option("--trust-remote-code", is_flag=True, help="--hf-model: run the model's own code (LLaDA, Dream, MDLM: "
              "config auto_map; read it first). Without it such a model is refused.")
@click.option("--device", type=click.Choice(["cpu", "cuda", "mps", "auto"]), default="cpu", show_default=True,
              help="--hf-model: where the model runs (auto: cuda, else mps, else cpu).")
@click.option("--dtype", type=click.Choice(["float32", "bfloat16", "float16"]), default="float32", show_default=True,
              help="--hf-model: the weights' dtype (log-probabilities are taken in float64 either way).")
@click.option("--shift-logits", is_flag=True, help="--hf-model: token i is predicted at position i - 1 (Dream and "
              "other models adapted from an autoregressive one).")
@click.option("--max-text-bytes", type=click.IntRange(1, None), default=MAX_TEXT_BYTES, show_default=True,
              help="--hf-model: the largest --text tokenized (UTF-8 bytes); a larger one is refused before it is "
              "read, never cut.")
@click.option("--samples", type=click.IntRange(2, None), default=64, show_default=True,
              help="--ratios: (sequence, mask) pairs drawn per ratio.")
@click.option("--seed", type=int, default=0, show_default=True, help="--ratios: the random seed.")
@click.option("--batch-size", type=click.IntRange(1, None), default=32, show_default=True,
              help="--ratios: sequences per predictor call.")
@click.option("--corpus-size", type=click.IntRange(1, None), default=1000, show_default=True,
              help="--ratios with a data model: sequences drawn from it.")
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
    for `boundcalc bound --ms-profile`. With --loss-curve OUT, the model's exact
    loss curve (the curve a perfect mask predictor would measure).
    """
    if _curve_outputs(params):
        return
    if params["multiscale"] or params["s_max"] is not None:
        _multiscale_profile(params)
        return
    from ..truth import token_mi, write_profile_csv

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
        columns = [token_mi(model, m, L, progress=bar) for m in sizes]  # nats
        entropy = model.entropy_profile(L, progress=bar) if params["as_json"] or params["output"] else None
    values, shown = columns[0], [from_nats(col, unit) for col in columns]  # the one conversion, for printing
    description = _describe(model, L)
    from ..answers import ProfileAnswer

    if params["as_json"]:
        if params["output"]:
            write_profile_csv(values, params["output"])
        emit_json(ProfileAnswer(description, L, unit, tuple(zip(sizes, shown)), entropy, params["output"]), digits)
        return
    if not params["output"]:  # the profile file's text (one size), or one column per size
        emit_csv(ProfileAnswer(description, L, unit, tuple(zip(sizes, shown))), digits)
        return
    path = write_profile_csv(values, params["output"])
    emit_table(ProfileAnswer(description, L, unit, tuple(zip(sizes, shown)), entropy, str(path)), digits,
               use_with=f"use it with: boundcalc steps --mi-profile {path} --unit {unit} --target ...")


def _multiscale_profile(params: dict[str, Any]) -> None:
    from ..files import write_output
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
    from ..answers import MultiScaleAnswer

    if params["as_json"]:
        if params["output"]:
            write_output(params["output"], text, param="--output")
        emit_json(MultiScaleAnswer(_describe(model, L), ms, params["output"]), digits)
        return
    if not params["output"]:
        emit_csv(MultiScaleAnswer(_describe(model, L), ms), digits)
        return
    write_output(params["output"], text, param="--output")
    emit_table(MultiScaleAnswer(_describe(model, L), ms, params["output"]), digits,
               use_with=f"use it with: boundcalc bound --ms-profile {params['output']} --schedule ... --mi-profile ...")


def _curve(params: dict[str, Any]):
    from .options import resolve_curve

    return resolve_curve(params)


def _curve_outputs(params: dict[str, Any]) -> bool:
    """profile's loss-curve outputs (--loss-curve OUT, --ratios, --hf-model); True when one ran."""
    if params["ratios"] is not None or params["hf_model"] is not None:
        _estimated_curve(params)
        return True
    _only_with_hf(params)
    if params["loss_curve_out"] is not None:
        _loss_curve_profile(params)
        return True
    return False


def _launched_shard() -> tuple[tuple[int, int], Any, int | None]:
    """This process's (rank, world), gather and local rank when torchrun / accelerate started several."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1") or 1) <= 1:
        return (0, 1), None, None
    from ..torch_model import launched_shard

    return launched_shard()


def _hf_source(params: dict[str, Any], local_rank: int | None) -> tuple[Any, Any, str]:
    """(predictor, corpus windows, description) of --hf-model on --text; a launched process takes its own GPU."""
    from ..files import read_text
    from ..hf import hf_corpus, hf_predictor, load_hf
    from ..torch_model import takes_timesteps

    if params["text"] is None or params["length"] is None:
        raise UsageError("--hf-model needs --text FILE (the corpus) and --length L", param="--hf-model")
    if params["joint"] or params["markov"]:
        raise UsageError("--hf-model and a data model are alternatives", param="--hf-model")
    device = params["device"]
    if local_rank is not None and device in ("cuda", "auto"):
        from ..hf import resolve_device

        device = f"cuda:{local_rank}" if resolve_device(device) == "cuda" else device
    _check_text_file(params)
    model, tokenizer = load_hf(params["hf_model"], trust_remote_code=params["trust_remote_code"],
                               device=device, dtype=params["dtype"], length=params["length"],
                               tokenizer=params["tokenizer_name"])
    corpus = hf_corpus(tokenizer, read_text(params["text"], UsageError, params["text"]), params["length"],
                       max_bytes=params["max_text_bytes"])
    predictor = hf_predictor(model, params["mask_id"], tokenizer, shift_logits=params["shift_logits"])
    description = (f"masked LM {params['hf_model']} on {params['text']}: {corpus.shape[0]} windows of "
                   f"L = {params['length']} tokens; mask id {_mask_id_source(params, model, tokenizer)}")
    if params["shift_logits"]:
        description += "; token i read at position i - 1"
    if takes_timesteps(model):
        description += "; MDLM interface: timesteps = σ = -ln(1 - k/L), mask token excluded (SUBS)"
    return predictor, corpus, description


def _mask_id_source(params: dict[str, Any], model: Any, tokenizer: Any) -> str:
    """The mask id used and where it came from, for the header line."""
    from ..hf import model_mask_id

    if params["mask_id"] is not None:
        return f"{params['mask_id']} (--mask-id)"
    where = "tokenizer" if getattr(tokenizer, "mask_token_id", None) is not None else "config"
    return f"{model_mask_id(model, tokenizer)} ({where})"


def _check_text_file(params: dict[str, Any]) -> None:
    """--text for --hf-model: its size against --max-text-bytes, before the model or the text is read."""
    from ..files import check_input_file
    from ..hf import check_text_size

    check_text_size(check_input_file(params["text"], UsageError, "text"), params["max_text_bytes"])


def _only_with_hf(params: dict[str, Any]) -> None:
    """The model-loading flags mean nothing without --hf-model: refused, never ignored."""
    given = {"--mask-id": params["mask_id"] is not None, "--trust-remote-code": params["trust_remote_code"],
             "--device": params["device"] != "cpu", "--dtype": params["dtype"] != "float32",
             "--shift-logits": params["shift_logits"], "--max-text-bytes": params["max_text_bytes"] != MAX_TEXT_BYTES,
             "--tokenizer": params["tokenizer_name"] is not None}
    for flag, used in given.items():
        if used:
            raise UsageError("it is used only with --hf-model", param=flag, allowed="add --hf-model")


def _loss_curve_profile(params: dict[str, Any]) -> None:
    """profile --loss-curve OUT: the exact curve d(L - k), k = 1..L, of a data model, and its information quantities."""
    from ..curve import LossCurve
    from ..estimate import curve_quantities

    for flag, given in (("--size", params["sizes"]), ("--multiscale", params["multiscale"]),
                        ("--output", params["output"])):
        if given:
            raise UsageError(f"{flag} and --loss-curve are alternatives", param="--loss-curve",
                             allowed="one output per run")
    model = _load(params)
    L = _length(model, params)
    unit, digits = params["unit"], params["digits"]
    with progress_bar("entropies") as bar:
        entropy = model.entropy_profile(L, progress=bar)
    description = _describe(model, L)
    curve = LossCurve.from_conditional(entropy.conditional, source=description)
    path = curve.write(params["loss_curve_out"])
    quantities = curve_quantities(curve)
    from ..answers import CurveAnswer

    answer = CurveAnswer(curve, unit, str(path), entropy=entropy, quantities=quantities)
    if params["as_json"]:
        emit_json(answer, digits)
        return
    emit_table(answer, digits, use_with=f"use it with: boundcalc verify --loss-curve {path} --schedule ...")


def _estimated_curve(params: dict[str, Any]) -> None:
    """profile --ratios: a Monte Carlo loss curve of a HF masked LM or of a data model's exact predictor.

    Started by torchrun or `accelerate launch` (WORLD_SIZE > 1), each process runs its share of the
    batches and rank 0 alone writes and prints the one curve.
    """
    from ..predictor import estimate_loss_curve

    if params["ratios"] is None:
        raise UsageError("--hf-model estimates a loss curve at mask ratios", param="--ratios",
                         allowed="e.g. --ratios 0.1,0.25,0.5,0.75,1")
    if params["loss_curve_out"] is None:
        raise UsageError("--ratios writes an estimated loss curve", param="--loss-curve", allowed="give --loss-curve OUT")
    for flag, given in (("--size", params["sizes"]), ("--multiscale", params["multiscale"]), ("--output", params["output"])):
        if given:
            raise UsageError(f"{flag} and --ratios are alternatives", param="--ratios", allowed="one output per run")
    ratios = [r.strip() for r in params["ratios"].split(",")]
    unit, digits = params["unit"], params["digits"]
    shard, gather, local_rank = _launched_shard()
    if params["hf_model"] is not None:
        predictor, corpus, description = _hf_source(params, local_rank)
    else:
        from ..truth.predict import exact_predictor, sample_sequences

        _only_with_hf(params)
        model = _load(params)
        L = _length(model, params)
        corpus = sample_sequences(model, params["corpus_size"], L, seed=params["seed"])
        predictor = exact_predictor(model, L)
        description = (f"exact predictor of {_describe(model, L)}, on {corpus.shape[0]} sequences drawn from it")
    if shard[1] > 1:
        description += f"; {shard[1]} processes"
    try:
        with progress_bar("estimating the loss curve", delay=1.0 if shard[0] == 0 else float("inf")) as bar:
            curve = estimate_loss_curve(predictor, corpus, ratios, samples=params["samples"],
                                        batch_size=params["batch_size"], seed=params["seed"],
                                        source=description, progress=bar, shard=shard, gather=gather)
    finally:
        if shard[1] > 1:
            from ..torch_model import end_shard

            end_shard()
    if shard[0] != 0:
        return  # one curve, written and shown by rank 0
    path = curve.write(params["loss_curve_out"])
    from ..answers import CurveAnswer

    answer = CurveAnswer(curve, unit, str(path), samples=params["samples"], seed=params["seed"])
    if params["as_json"]:
        emit_json(answer, digits)
        return
    emit_table(answer, digits, use_with=f"use it with: boundcalc steps --loss-curve {path} --by error --target ...")
