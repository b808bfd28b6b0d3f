"""``--format latex`` for the table commands (bound, steps, steps --budget, verify, sweep).

One option and one call per command: ``@format_option`` and, before the JSON and rich
branches, ``if wants_latex(params): return emit_latex(obj, params)``. The table is
:func:`boundcalc.latex.latex` of the command's result with ``table=True`` where the object
has two LaTeX forms; sympy is imported only when it is asked for.
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import UsageError
from .options import answered

__all__ = ["format_option", "wants_latex", "emit_latex", "refuse_latex"]

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "latex"]),
    default="table",
    show_default=True,
    help="latex: print the table as a LaTeX table that fits an article column (booktabs, tabularx; units, "
    "equation tags, justified digits) to paste into a paper; table: the terminal table.",
)


def wants_latex(params: dict[str, Any]) -> bool:
    """True for ``--format latex`` (which excludes ``--json``)."""
    if params.get("output_format") != "latex":
        return False
    if params.get("as_json"):
        raise UsageError("give --json or --format latex, not both", param="--format")
    return True


def emit_latex(obj: Any, params: dict[str, Any], **options: Any) -> None:
    """Print the LaTeX table of ``obj`` (a report, or a list of StepsResult) with ``--digits``."""
    from ..latex import latex

    click.echo(latex(obj, digits=params.get("digits", 6), **options), nl=False)
    answered()


def refuse_latex(params: dict[str, Any], what: str) -> None:
    """A usage error for ``--format latex`` where no LaTeX table exists yet (``what`` says for what)."""
    if wants_latex(params):
        raise UsageError(f"no LaTeX table for {what} yet", param="--format", allowed="use --json or the terminal table")
