"""Shared option decorators and parameter types of the command line.

Every number flag goes through :class:`RationalParam`, so ``--target 0.05``,
``5e-2`` and ``1/20`` are the same exact value, and a bad value fails with
click's usage error (exit 2) naming the flag, the value and what is allowed.
Only click is imported here: ``boundcalc --help`` stays quick.
"""

from __future__ import annotations

import re
import sys

from fractions import Fraction
from typing import Any, Callable

import click

from ..errors import BoundcalcError, InvalidNumberError, UsageError
from ..registry import RULE_COMMANDS
from ..exact import positive_int, to_rational
from ..units import display

SIGNS = {"any": None, "positive": "greater than 0", "nonnegative": "0 or greater"}


class RationalParam(click.ParamType):
    """An exact rational (int, decimal, 5e-2, 1/20), optionally required > 0 or >= 0."""

    def __init__(self, sign: str = "any") -> None:
        self.sign = sign
        self.name = {"any": "number", "positive": "positive number", "nonnegative": "number >= 0"}[sign]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Fraction:
        try:
            x = to_rational(value)
        except InvalidNumberError as error:
            self.fail(f"{error.message} ({error.allowed})", param, ctx)
        if (self.sign == "positive" and x <= 0) or (self.sign == "nonnegative" and x < 0):
            self.fail(f"{value!r} is not allowed (must be {SIGNS[self.sign]})", param, ctx)
        return x


class PositiveIntParam(click.ParamType):
    """An exact integer >= ``minimum`` (accepts 1024, 1e3, 2048/2; not 2.5)."""

    name = "integer"

    def __init__(self, minimum: int = 1) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= self.minimum:
            return value
        try:
            n = positive_int(value) if self.minimum >= 1 else int(to_rational(value))
        except InvalidNumberError as error:
            self.fail(f"{error.message} ({error.allowed})", param, ctx)
        if n < self.minimum:
            self.fail(f"{value!r} is not allowed (must be at least {self.minimum})", param, ctx)
        return n


#: Python parameter names in library errors -> the flag a user typed (the only such table).
PARAM_FLAGS = {
    "eps_train": "--eps-train",
    "target": "--target",
    "length": "--length",
    "total": "--mi-total",
    "value": "--mi-constant",
    "vocab_size": "--vocab-size",
    "bound": "--bound",
    "s_max": "--smax",
    "schedule": "--schedule",
    "multiscale": "--ms-profile",
    "unit": "--unit",
    "level": "--level",
    "max_states": "--max-states",
    "output": "--output",
    "size": "--size",
    "loss_curve": "--loss-curve",
    "family": "--family",
    "by": "--by",
    "budget": "--budget",
    "max_steps": "--max-steps",
    "optimal": "--optimal",
    "ratios": "--ratios",
    "samples": "--samples",
    "count": "--corpus-size",
    "batch_size": "--batch-size",
    "mask_id": "--mask-id",
    "hf_model": "--hf-model",
    "ratio_column": "--ratio-column",
    "loss_column": "--loss-column",
    "stderr_column": "--stderr-column",
    "bins": "--bins",
    "trust_remote_code": "--trust-remote-code",
    "device": "--device",
    "dtype": "--dtype",
    "text": "--text",
    "max_bytes": "--max-text-bytes",
    "mi_total": "--mi-total",
    "eps": "--confidence",
    "reveal": "--reveal",
    "expression": "--expr",
    "families": "--family",
    "steps": "--steps",
    "kind": "--kind",
    "bounds": "--bound",
}


class OutputPath(click.Path):
    """A file the command writes: checked, with every input of the command, before any work.

    :class:`BoundcalcCommand` refuses (exit 2, one line) an output whose folder
    is missing or not writable, a folder, a name too long, and an output that is
    any input of the same command (every other option's value naming an existing
    file, symlinks and hard links included) or another output; the command
    then writes it with :func:`boundcalc.files.write_output` (atomically).
    """

    def __init__(self) -> None:
        super().__init__(path_type=str)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value if isinstance(value, str) else super().convert(value, param, ctx)


def _path_values(value: Any) -> list[str]:
    """The strings in an option's value (one, or several for a repeatable option) that name existing files."""
    import os

    values = value if isinstance(value, (tuple, list)) else (value,)
    found = []
    for item in values:
        if isinstance(item, str) and item and len(item) < 4096 and "\x00" not in item and os.path.lexists(item):
            found.append(item)
    return found


def check_outputs(command: click.Command, params: dict[str, Any]) -> None:
    """Refuse, before any work, each output of ``command`` that cannot be written or would overwrite an input."""
    import os

    from ..files import check_output

    outputs: list[tuple[click.Parameter, str]] = [
        (option, str(params[option.name])) for option in command.params
        if isinstance(option.type, OutputPath) and option.name and params.get(option.name) is not None
    ]
    if not outputs:
        return
    inputs: dict[str, str] = {}
    for option in command.params:
        if isinstance(option, click.Option) and not isinstance(option.type, OutputPath):
            for value in _path_values(params.get(option.name or "")):
                inputs.setdefault(f"{option.opts[0]} {value!r}", value)
    seen: dict[str, str] = {}
    for option, path in outputs:
        flag = option.opts[0]
        check_output(path, param=flag, inputs=inputs)
        target = os.path.realpath(path)
        if target in seen:
            raise click.UsageError(f"{flag}: {path!r} is also the output {seen[target]}: give each output its own file")
        seen[target] = flag


def given_explicitly(name: str) -> bool:
    """True when the user typed the option ``name`` (not its default) in the running command."""
    from click.core import ParameterSource

    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, ParameterSource.DEFAULT)


def flag_for(param: str | None, params: dict[str, Any], command: click.Command | None = None) -> str | None:
    """The flag (or ``--flag FILE``) a library error's ``param`` came from, for the one-line message."""
    if param is None or param.startswith("-"):
        return param
    if command is not None:
        for option in command.params:
            value = params.get(option.name or "")
            if isinstance(option.type, click.Path) and value is not None and str(value) == param:
                return f"{option.opts[0]} {param}"
    flag = PARAM_FLAGS.get(param, param)
    if command is not None and flag.startswith("--") and not any(flag in o.opts for o in command.params):
        return param  # the command has no such flag (e.g. a T the schedule fixed): the parameter's name
    return flag


#: Phrases of library errors that name a Python parameter (the library never names a flag) -> the user's flags.
PARAM_PHRASES = (
    (re.compile(r"\bby = (bound|error|optimal)\b"), r"--by \1"),
    (re.compile(r"\ba smaller maximum T\b"), "a smaller --max-steps"),
    (re.compile(r"\bmax_states\b"), "--max-states"),
)


def flag_phrases(text: str | None) -> str | None:
    """``text`` with :data:`PARAM_PHRASES` said as flags ("by = bound" -> "--by bound")."""
    if not text:
        return text
    for pattern, flag in PARAM_PHRASES:
        text = pattern.sub(flag, text)
    return text


#: The commands that evaluate a sampler rule: the library's RULE_COMMANDS with their flags.
RULE_COMMANDS_CLI = ("verify --schedule SPEC, sweep --sampler SPEC, plot --kind error-vs-nfe --sampler SPEC, "
                     "steps --joint FILE --family confidence")


class BoundcalcCommand(click.Command):
    """A command whose library errors are reported with the user's flags: one line, the error's exit code.

    The edge of the units too: the command runs with ``--unit`` as the display unit (nats without it), so
    the printers show every float computed in nats in it (:func:`boundcalc.units.display`), and only while
    the command runs (set after the flags are parsed: a usage error leaves nothing behind).
    """

    def invoke(self, ctx: click.Context) -> Any:
        WARNINGS.clear()
        ANSWERED.clear()
        try:
            check_outputs(self, ctx.params)
            with display(ctx.params.get("unit") or "nats"):
                result = super().invoke(ctx)
        except BoundcalcError as error:
            if ANSWERED:  # an answer was printed (a table whose last target no T reaches): its warnings stand
                _say_warnings()
            WARNINGS.clear()  # bad input gets one line: the error, not a warning before it
            flag = flag_for(error.param, ctx.params, self)
            shown = error.with_param(flag or error.param or "")
            if shown.allowed and RULE_COMMANDS in shown.allowed:  # the library names commands, the CLI their flags
                shown.allowed = shown.allowed.replace(RULE_COMMANDS, RULE_COMMANDS_CLI)
            shown.message, shown.allowed = flag_phrases(shown.message) or shown.message, flag_phrases(shown.allowed)
            click.echo(f"Error: {shown}", err=True)
            ctx.exit(error.exit_code)
        except click.exceptions.Exit as done:
            if done.exit_code == 0 or ANSWERED:
                _say_warnings()
            WARNINGS.clear()
            raise
        except BaseException:
            WARNINGS.clear()  # click's usage errors too: the error line alone
            raise
        _say_warnings()
        return result


#: Warnings of the running command (a partial loss curve, ...), said on stderr once it has answered: a command
#: that ends in an error says only the error line.
WARNINGS: list[str] = []


#: Non-empty once the running command has printed (part of) its answer (:func:`answered`): its warnings are then
#: said even when it ends in an error (exit 1 after a table with a target no T reaches).
ANSWERED: list[bool] = []


def answered() -> None:
    """Note that the running command has printed (part of) its answer (the emitters call it)."""
    if not ANSWERED:
        ANSWERED.append(True)


def _say_warnings() -> None:
    if WARNINGS:
        sys.stdout.flush()  # after the answer, not inside its last line
    for line in WARNINGS:
        click.echo(line, err=True)
    WARNINGS.clear()


POSITIVE = RationalParam("positive")
NONNEGATIVE = RationalParam("nonnegative")
POSITIVE_INT = PositiveIntParam(1)


def compose(*decorators: Callable) -> Callable:
    """Apply several option decorators in the order given (top to bottom in --help)."""

    def apply(function: Callable) -> Callable:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


curve_log_options = compose(
    click.option("--ratio-column", help="--loss-curve: the column of mask ratios (or masked counts); default: one named "
                 "masked, masked_fraction, mask_ratio, mask_rate, masking_ratio, ratio or t (also as train/...)."),
    click.option("--loss-column", help="--loss-curve: the column of losses per masked token; default: one named "
                 "loss_nats, loss_bits, loss, train_loss, val_loss or eval_loss (also as train/loss ...)."),
    click.option("--stderr-column", help="--loss-curve: the column of the losses' standard errors (optional)."),
    click.option("--loss-unit", type=click.Choice(["nats", "bits"]),
                 help="--loss-curve: the loss column's unit (default: _bits/_nats in its name, else nats)."),
    click.option("--bins", type=POSITIVE_INT, help="--loss-curve: average per-batch (ratio, loss) samples into N "
                 "equal ratio bins, each with its standard error (k = round(mean ratio x L))."),
)

#: The options that shape how --loss-curve is read (refused without it).
CURVE_LOG_PARAMS = ("ratio_column", "loss_column", "stderr_column", "loss_unit", "bins")

mi_options = compose(
    curve_log_options,
    click.option(
        "--mi-profile",
        type=click.Path(dir_okay=False, path_type=str),
        help="File of per-token I_i = I(X^(i); X^(-i)): .txt one per line, .csv one column or index,value "
        "(optional header), .json list. L is its number of values.",
    ),
    click.option("--mi-constant", type=NONNEGATIVE, help="The same I for each of the L tokens (needs --length)."),
    click.option("--mi-total", type=NONNEGATIVE, help="ΣI = I_1 + ... + I_L directly (needs --length)."),
    click.option(
        "--loss-curve",
        type=click.Path(dir_okay=False, path_type=str),
        help="A mask predictor's loss curve, CSV masked,loss_nats[,stderr_nats] (or masked_fraction / _bits; "
        "see docs/from-model-to-T.md): ΣI = L (d(0) - d(L-1)) and everything else estimated from it.",
    ),
    click.option("--length", "-L", type=POSITIVE_INT, help="L, tokens in the sequence (taken from --mi-profile if given)."),
    click.option(
        "--unit",
        type=click.Choice(["nats", "bits"]),
        default="nats",
        show_default=True,
        help="Unit of every MI and ε value (ln or log2). A profile file that records its unit (a header "
        "index,mi_bits) is read in it, and a different --unit is refused: values are never converted.",
    ),
    click.option(
        "--vocab-size",
        "-V",
        type=POSITIVE_INT,
        help="Vocabulary size V: checks I_i <= log V exactly and adds the vocabulary-only TER bound; with "
        "--loss-curve, d <= ln V bounds the intervals over a partial curve's monotone completions.",
    ),
)

eps_train_option = click.option(
    "--eps-train",
    type=NONNEGATIVE,
    default="0",
    show_default=True,
    help="Training error ε_train (Definition 1, eq. 7); added to every bound.",
)

digits_option = click.option(
    "--digits",
    type=click.IntRange(1, 1000),
    default=6,
    show_default=True,
    help="Significant digits of decimal output (exact values are never rounded).",
)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print only JSON on stdout (every number as {exact, decimal})."
)

exact_option = click.option("--exact", "show_exact", is_flag=True, help="Also show exact rationals in tables.")


def resolve_profile(params: dict[str, Any], required: bool = True):
    """Build the MIProfile from exactly one MI source; None when none is given and not required."""
    from ..profile import MIProfile, load_profile

    if params.get("loss_curve") is None:
        check_curve_log_options(params)
    sources = [name for name in ("mi_profile", "mi_constant", "mi_total", "loss_curve") if params.get(name) is not None]
    flags = ", ".join("--" + name.replace("_", "-") for name in sources)
    if len(sources) > 1:
        raise click.UsageError(f"give one MI source, not several ({flags})")
    length, unit = params.get("length"), params.get("unit", "nats")
    if not sources:
        if required:
            raise click.UsageError(
                "an MI source is required: --mi-profile FILE, --mi-constant X, --mi-total X or --loss-curve FILE"
            )
        if length is not None:
            raise click.UsageError("--length needs --mi-constant or --mi-total (or use --mi-profile)")
        return None
    source = sources[0]
    if source == "loss_curve":
        from ..estimate import curve_mi_profile

        profile = curve_mi_profile(resolve_curve(params), unit)
    elif source == "mi_profile":  # the file's recorded unit wins; an explicit, different --unit is refused
        profile = load_profile(params["mi_profile"], unit if given_explicitly("unit") else None).require_length(length)
    else:
        if length is None:
            raise click.UsageError(f"--{source.replace('_', '-')} needs --length L")
        if source == "mi_constant":
            profile = MIProfile.constant(params["mi_constant"], length, unit)
        else:
            profile = MIProfile.from_total(params["mi_total"], length, unit)
    if params.get("vocab_size") is not None:
        profile.check_vocabulary(params["vocab_size"])
    return profile


def resolve_curve(params: dict[str, Any]):
    """The LossCurve of --loss-curve (with --length for ratio columns), loaded once; None without it.

    CSV, TSV or JSONL, boundcalc's columns or a training log's (--ratio-column, --loss-column,
    --stderr-column, --loss-unit, --bins: boundcalc.curve_log).
    """
    if params.get("loss_curve") is None:
        check_curve_log_options(params)
        return None
    if params.get("_curve") is None:
        from ..curve_log import load_curve_file

        params["_curve"] = load_curve_file(params["loss_curve"], params.get("length"),
                                           ratio_column=params.get("ratio_column"),
                                           loss_column=params.get("loss_column"),
                                           stderr_column=params.get("stderr_column"), unit=params.get("loss_unit"),
                                           bins=params.get("bins"))
        warn_partial(params["_curve"], params)
    return params["_curve"]


def warn_partial(curve: Any, params: dict[str, Any]) -> None:
    """One stderr line, said once the command has answered, when the curve does not cover r = 1/L or r = 1: what
    is missing and what is shown."""
    from ..completion import describe_missing, is_partial

    if curve is None or curve.exact or not is_partial(curve) or params.get("_warned"):
        return
    params["_warned"] = True
    bound = "bounded by ln V" if params.get("vocab_size") else "unbounded above without --vocab-size"
    WARNINGS.append(f"warning: loss curve {curve.source or ''}: {describe_missing(curve)}; values are intervals "
                    f"over every monotone completion of d (gaps and ends), T a range [T_lo, T_hi] ({bound})")


def check_curve_log_options(params: dict[str, Any]) -> None:
    """The reading options of --loss-curve mean nothing without it: refused, never ignored."""
    for name in CURVE_LOG_PARAMS:
        if params.get(name) is not None:
            raise UsageError("it is used only with --loss-curve", param="--" + name.replace("_", "-"),
                             allowed="add --loss-curve FILE")

