"""Rendering for the command line: rich tables on stdout, or a printer's JSON or CSV text.

rich is imported inside the functions, so commands that fail early, and
``--help``, never pay for it.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any, Iterable, Sequence

import click

from .options import answered



def emit_json(data: Any, digits: int = 6, **options: Any) -> None:
    """Print the JSON document of ``data`` (:func:`boundcalc.jsonify.document`: ``schema_version`` first) on stdout:
    a value's printer output unchanged (``digits`` and ``options`` go to the printer)."""
    from ..jsonify import document

    click.echo(json.dumps(document(data, digits, **options), indent=2, ensure_ascii=False))
    answered()


def emit_csv(data: Any, digits: int = 6, **options: Any) -> None:
    """Print the CSV text of ``data`` (:func:`boundcalc.csv_printer.to_csv`) on stdout, unchanged."""
    from ..csv_printer import to_csv

    click.echo(to_csv(data, digits, **options), nl=False)
    answered()


def emit_text(data: Any, **options: Any) -> None:
    """Print the plain text of ``data`` (:func:`boundcalc.text_printer.to_text`) on stdout, unchanged."""
    from ..text_printer import to_text

    click.echo(to_text(data, **options), nl=False)
    answered()


def show(x: Fraction | int | None, digits: int, exact: bool = False, none: str = "-") -> str:
    """A number for a table cell: the correctly rounded decimal, and the exact value if asked
    (:func:`boundcalc.table_printer.cell`)."""
    from ..table_printer import cell

    return cell(x, digits, exact, none)


def emit_table(obj: Any, digits: int, **options: Any) -> None:
    """Draw the table printer's :class:`~boundcalc.table_printer.Table` of ``obj`` unchanged (rich on a terminal)."""
    from ..table_printer import to_table

    table = to_table(obj, digits, **options)
    for line in table.preamble:
        click.echo(line)
    print_table(table.title, table.columns, table.rows, table.caption, table.header_lines)
    for line in table.footer:
        click.echo(line)
    answered()


def print_table(
    title: str,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Sequence[str]],
    caption: str | None = None,
    header_lines: Sequence[str] = (),
) -> None:
    """A rich table on stdout; ``columns`` are (heading, justify) pairs."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not console.is_terminal:  # a pipe or a file: whole lines, so no value is ever folded or cut
        console = Console(highlight=False, width=100_000)
    console.print(title, style="bold", markup=False)
    for line in header_lines:
        console.print(line, markup=False)
    table = Table()
    for heading, justify in columns:
        # fold, never cut: a long exact value or a --digits 1000 decimal must survive a narrow pipe
        table.add_column(heading, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if caption:
        console.print(caption, style="dim", markup=False)
