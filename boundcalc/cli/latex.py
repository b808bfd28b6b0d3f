"""``boundcalc latex``: the results as LaTeX in the paper's notation, snippets or whole documents.

sympy is imported only when the command runs (``boundcalc --help`` stays quick).
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import UsageError
from .options import (
    POSITIVE,
    POSITIVE_INT,
    BoundcalcCommand,
    OutputPath,
    digits_option,
    eps_train_option,
    mi_options,
    resolve_curve,
    resolve_profile,
)
from .render import emit_text

#: What each input symbol's value comes from on the command line.
FLAGS = {
    "L": "--length or --mi-profile",
    "sum_I": "an MI source (--mi-total, --mi-constant, --mi-profile or --loss-curve)",
    "s_max": "--schedule or --smax",
    "s": "--smax or --schedule",
    "T": "--schedule (e.g. uniform:T)",
    "eps": "--target",
    "tau": "--target (the TER target in bits)",
    "V": "--vocab-size",
    "eps_train": "--eps-train",
    "S": "--ms-profile",
    "Phi": "--ms-profile",
}

_VALUE_FLAGS = (
    "mi_profile", "mi_constant", "mi_total", "loss_curve", "length", "schedule_spec", "target", "s_max", "vocab_size", "ms_profile",
)


@click.command("latex", cls=BoundcalcCommand)
@click.option(
    "--expr",
    "-x",
    "names",
    multiple=True,
    metavar="NAME",
    help="A result by name (repeatable): theorem1, recursion, sharp, corollary1, ter, steps-theorem1, "
    "break-even, theorem2-upper, ... (--list shows them all).",
)
@click.option("--all", "all_results", is_flag=True, help="Every result, in the order of the derivation.")
@click.option("--list", "list_names", is_flag=True, help="List the names, equation numbers and summaries, and exit.")
@click.option(
    "--standalone", is_flag=True, help="A complete amsmath document (with --all: the short derivation document)."
)
@click.option(
    "--proofs",
    is_flag=True,
    help="Append the derivations of boundcalc's constants (sharp bound, C1, C2, C3, the exact unrolling, "
    "the semi-autoregressive bound B1), "
    "from the same source as docs/theory.md; alone, print only that appendix.",
)
@click.option(
    "--bib",
    type=OutputPath(),
    help="Write FILE.bib with the papers the output cites (\\cite keys); --standalone then uses \\bibliography.",
)
@click.option(
    "--output",
    "-o",
    type=OutputPath(),
    help="Write the LaTeX to FILE instead of stdout.",
)
@click.option(
    "--with-values",
    is_flag=True,
    help="Also print each result instantiated with the numbers given by the flags below, and its value.",
)
@mi_options
@click.option(
    "--schedule",
    "-s",
    "schedule_spec",
    help="With --with-values: the schedule (5,3,2, uniform:T, ...; sizes in reveal order) giving s_max and T.",
)
@click.option("--smax", "-S", "s_max", type=POSITIVE_INT, help="With --with-values: s_max (or s) without a schedule.")
@click.option(
    "--target",
    "-e",
    type=POSITIVE,
    help="With --with-values: the target ε of the steps-* results (for steps-ter, the TER target τ in bits).",
)
@click.option(
    "--ms-profile",
    type=click.Path(dir_okay=False, path_type=str),
    help="With --with-values: a multi-scale profile (token,level,value rows or JSON, as for bound --ms-profile; "
    "read in --unit) giving L, S, Φ and the level totals of the Theorem 2 results.",
)
@eps_train_option
@digits_option
def latex(**params: Any) -> None:
    """LaTeX for the results of the theory, in the paper's notation.

    Each result carries its equation number (those of the paper's first arXiv
    version, which the published one may number differently; or D1, D2, ... for
    results boundcalc derives), statement and conditions. Without
    --standalone the output is one formula per result, ready to paste into
    a paper; with it, a document that compiles with pdflatex (amsmath,
    amssymb). The TER results use log2 (bits, the paper's notation) unless
    --unit nats is given or --with-values uses the default unit, nats.

    \b
    Examples:
      boundcalc latex --expr theorem1
      boundcalc latex --all --standalone --output bounds.tex
      boundcalc latex --expr theorem1 --with-values --schedule 5,3,2 --mi-total 2 --length 10 --eps-train 0.1
      boundcalc latex --expr steps-sharp --with-values --mi-total 12.5 -L 1024 --target 0.05
      boundcalc latex --expr theorem2-upper --with-values --ms-profile ms.csv --schedule uniform:4
    """
    from .. import latex as tex
    from .. import symbolic as sym

    if params["list_names"]:
        from ..answers import result_catalogue

        emit_text(result_catalogue())
        return
    names = list(params["names"])
    if params["all_results"] and names:
        raise UsageError("give --expr NAME or --all, not both")
    if not names and not params["all_results"] and not params["proofs"]:
        raise UsageError(f"give --expr NAME, --all or --proofs (names: {', '.join(sym.NAMES)})")
    results = [sym.get(name) for name in names or (sym.NAMES if params["all_results"] else ())]

    values = _values(params) if params["with_values"] else None
    if values is None:
        given = [f"--{name.replace('_spec', '').replace('_', '-')}" for name in _VALUE_FLAGS if params.get(name) is not None]
        if given:
            raise UsageError(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} used only with --with-values")
    digits, unit = params["digits"], params["unit"]
    explicit_unit = click.get_current_context().get_parameter_source("unit") == click.core.ParameterSource.COMMANDLINE
    if values is None and not explicit_unit:
        unit = "bits"  # no numbers: the paper's notation, log2 TER

    if values is not None and names:
        for result in results:  # every named result must be instantiable: say which flag is missing
            missing = tex.missing_inputs(result, values)
            if missing:
                raise UsageError(f"{result.name} needs {_needs(missing)}", param="--with-values")

    text = _render(params, results, values, digits, unit, tex)
    profile_note = _float_profile_note(params) if values is not None else None
    if profile_note:
        text = profile_note + text
    if values is not None and params.get("loss_curve") is not None:
        text = (f"% values from the loss curve {params['loss_curve']}: ΣI and Φ are estimates "
                "(measured losses, not exact)\n") + text
    if params["bib"] is not None:
        from ..references import bibtex, cited_keys

        _write(bibtex(cited_keys(text)), params["bib"], "--bib")
    _write(text, params["output"])


def _float_profile_note(params: dict[str, Any]) -> str | None:
    """A comment line when --mi-profile holds float64 values (its decimals are taken exactly as written)."""
    if params.get("mi_profile") is None:
        return None
    from ..profile import FLOAT_PRINTED

    profile = params.get("_profile")
    return None if profile is None or not profile.float_derived else f"% ΣI from {params['mi_profile']}: {FLOAT_PRINTED}\n"


def _render(params: dict[str, Any], results: list, values, digits: int, unit: str, tex) -> str:
    """The LaTeX of the command: snippets, a document, and the proofs appendix as asked."""
    proofs, bib = params["proofs"], params["bib"]
    if params["standalone"]:
        if params["all_results"]:
            return tex.derivation_document(values, digits, unit, proofs=proofs, bib=bib)
        if not results:
            return tex.standalone(tex.proofs_appendix(), bib=bib)
        return tex.results_document([r.name for r in results], values, digits, unit, proofs=proofs, bib=bib)
    text = ""
    if results:
        from ..answers import ResultCatalogue

        text = tex.latex(ResultCatalogue(tuple(results)), values=values, digits=digits, unit=unit,
                         strict=bool(params["names"]), needs=_flags_giving)
    if proofs:
        text += ("\n" if text else "") + tex.proofs_appendix()
    return text


def _needs(missing: list) -> str:
    """``s_max (--schedule or --smax); S, Phi (--ms-profile)``: the missing symbols grouped by the flag that gives them."""
    by_flag: dict[str, list[str]] = {}
    for symbol in missing:
        by_flag.setdefault(FLAGS.get(symbol.name, symbol.name), []).append(symbol.name)
    return "; ".join(f"{', '.join(names)} ({flag})" for flag, names in by_flag.items())


def _flags_giving(missing: list) -> str:
    """The flags that give the ``missing`` symbols, each once (``--schedule or --smax, --ms-profile``)."""
    return ", ".join(dict.fromkeys(FLAGS.get(symbol.name, symbol.name) for symbol in missing))


def _values(params: dict[str, Any]) -> dict:
    """Symbol values from the MI, schedule and target flags (exact).

    The target is both ε (the steps-* results) and τ (steps-ter); each result
    uses only its own inputs.
    """
    import sympy

    from ..sources import case_multiscale, case_sampler
    from ..symbolic import L, eps, s, s_max, tau, values_for

    profile = params["_profile"] = resolve_profile(params, required=False)
    multiscale = None
    if params.get("ms_profile") is not None:
        from ..multiscale import load_multiscale

        multiscale = load_multiscale(params["ms_profile"], params["unit"])  # values_for checks it against the rest
    length = params.get("length")
    for source in (multiscale, profile):
        if source is not None:
            length = source.length
    curve = resolve_curve(params)
    spec = params.get("schedule_spec")
    schedule = case_sampler(spec, length, curve, fixed=True) if spec else None  # from the curve where needed
    phi_from_curve = curve is not None and multiscale is None and schedule is not None
    if multiscale is None:
        multiscale = case_multiscale(schedule, curve=curve, unit=params["unit"])
    values = values_for(
        profile=profile,
        schedule=schedule,
        eps_train=params["eps_train"],
        vocab_size=params.get("vocab_size"),
        multiscale=multiscale,
    )
    if length is not None:
        values[L] = sympy.Integer(length)
    if params.get("s_max") is not None:
        if schedule is not None and schedule.max_size != params["s_max"]:
            raise UsageError(f"{params['s_max']} disagrees with the schedule's s_max = {schedule.max_size}", param="--smax")
        values[s_max] = values[s] = sympy.Integer(params["s_max"])
    if params.get("target") is not None:
        target = values_for(target=params["target"])[eps]
        values[eps] = values[tau] = target
    if len(values) <= 1:  # only ε_train, which has a default
        raise UsageError(
            "needs the numbers of a case: an MI source with --length, --schedule, --smax, --target or --ms-profile",
            param="--with-values",
        )
    if curve is not None and not curve.exact:  # ΣI (and Φ) measured: every value carries its stderr
        from ..estimate import curve_input_estimates
        from ..latex import estimated_values

        scale = multiscale.scale if phi_from_curve and multiscale is not None else None
        from ..units import from_nats

        estimates = {k: from_nats(e.measured(), params["unit"]) for k, e in curve_input_estimates(curve, scale).items()}
        return estimated_values(values, estimates)
    return values


def _write(text: str, output: str | None, flag: str = "--output") -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from ..files import write_output

    write_output(output, text, param=flag)
