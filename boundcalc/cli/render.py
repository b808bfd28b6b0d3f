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
    from rich.text import Text

    console = Console(highlight=False)
    if not console.is_terminal:  # a pipe or a file: whole lines, so no value is ever folded or cut
        console = Console(highlight=False, width=100_000)
    console.print(title, style="bold", markup=False)
    for line in header_lines:
        console.print(line, markup=False)
    rows = list(rows)
    # rich's own drawing where it styles or substitutes boxes (a terminal, colour, a non-UTF-8 stream)
    plainly = not console.is_terminal and console.color_system is None and console.encoding.lower().startswith("utf")
    plain = plain_table(columns, rows) if plainly else None
    if plain is not None:  # a pipe or a file: the same lines, without rich's per-cell layout (a sweep: 10^5 cells)
        console.file.write(plain)
        console.file.flush()
    else:
        table = Table()
        for heading, justify in columns:
            # fold, never cut: a long exact value or a --digits 1000 decimal must survive a narrow pipe
            table.add_column(Text(heading), justify=justify, overflow="fold")  # type: ignore[arg-type]
        for row in rows:
            # Text, not str: a cell is data, never markup or an emoji code (blocks:100:uniform:T is not 💯)
            table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in row))
        console.print(table)
    if caption:
        console.print(caption, style="dim", markup=False)


def plain_table(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> str | None:
    """The text rich prints for ``Table()`` with these columns and rows on an unlimited width without colour
    (heavy head box, one space of padding, each column as wide as its widest cell, justified as asked), or None
    where rich's layout would change a cell (control characters, wide characters, spaces at an end, an unknown
    justification): then rich draws it. Cells are Text there, so markup and emoji codes are never read in either
    path. tests/cli/test_plain_table.py compares both."""
    import re

    from rich.cells import cell_len

    control = re.compile(r"[\x00-\x1f\x7f]")
    justify = [j for _, j in columns]
    if any(j not in ("left", "right", "center") for j in justify):
        return None
    texts = [[h for h, _ in columns]] + [list(r) for r in rows]
    widths = [0] * len(columns)
    for cells in texts:
        if len(cells) != len(columns):
            return None
        for i, text in enumerate(cells):
            if not isinstance(text, str) or control.search(text) or text != text.strip():  # rich strips some ends
                return None
            width = cell_len(text)
            if width != len(text):
                return None
            widths[i] = max(widths[i], width)

    def line(cells: Sequence[str], edge: str, middle: str) -> str:
        parts = []
        for text, width, how in zip(cells, widths, justify):
            room = width - len(text)
            if how == "left":
                parts.append(text + " " * room)
            elif how == "right":
                parts.append(" " * room + text)
            else:
                parts.append(" " * (room // 2) + text + " " * (room - room // 2))
        return edge + middle.join(f" {p} " for p in parts) + edge

    def rule(left: str, fill: str, middle: str, right: str) -> str:
        return left + middle.join(fill * (w + 2) for w in widths) + right

    out = [rule("┏", "━", "┳", "┓"), line(texts[0], "┃", "┃"), rule("┡", "━", "╇", "┩")]
    out += [line(cells, "│", "│") for cells in texts[1:]]
    out.append(rule("└", "─", "┴", "┘"))
    return "\n".join(out) + "\n"
