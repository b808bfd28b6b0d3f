"""A table as text cells: :class:`Table` (title, columns, rows, header lines, caption, plain lines before and
after), what every table printer returns (:mod:`boundcalc.table_printer`, :mod:`boundcalc.rule_tables`) and the
command line draws with rich; :func:`cell` is a number in a cell.

>>> table("T", [("a", "left"), ("b", "right")], [["x", cell(Fraction(1, 3), 3)]]).plain()
'T\\na\\tb\\nx\\t0.333\\n'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

from .exact import FLOAT_DIGITS, format_decimal

__all__ = ["Table", "table", "cell", "plus_minus"]


@dataclass(frozen=True)
class Table:
    """A table as text: ``columns`` are (heading, justify) pairs ("left" or "right"), ``rows`` lists of cells,
    ``header_lines`` printed between the title and the table, ``caption`` after it, ``preamble`` before the title
    and ``footer`` after the caption (plain lines: an answer's sentences, a sweep's sparklines)."""

    title: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None
    header_lines: tuple[str, ...] = field(default=())
    preamble: tuple[str, ...] = field(default=())
    footer: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"a row of {len(row)} cells in a table of {width} columns: {row!r}")

    def plain(self) -> str:
        """The table as plain text: title, header lines, a tab-separated header and rows, the caption."""
        lines = [*self.preamble, self.title, *self.header_lines, "\t".join(h for h, _ in self.columns)]
        lines += ["\t".join(row) for row in self.rows]
        return "\n".join(lines + ([self.caption] if self.caption else []) + list(self.footer)) + "\n"


def table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]], caption: str | None = None,
          header_lines: Sequence[str] = (), preamble: Sequence[str] = (), footer: Sequence[str] = ()) -> Table:
    """A :class:`Table` from lists (what printers build)."""
    return Table(title, tuple((heading, justify) for heading, justify in columns), tuple(tuple(r) for r in rows),
                 caption, tuple(header_lines), tuple(preamble), tuple(footer))


def cell(x: Fraction | int | None, digits: int, exact: bool = False, none: str = "-") -> str:
    """A number for a table cell: the correctly rounded decimal, and the exact value if asked."""
    if x is None:
        return none
    text = format_decimal(x, digits)
    if exact and Fraction(x).denominator != 1:
        text = f"{text}  [{Fraction(x)}]"
    return text


def plus_minus(value: float, error: float, digits: int) -> str:
    """``value ± error`` (a standard error > 0): one decimal past the error's leading digit, but never more than
    ``digits`` significant digits (nor a float64's 17), so a tiny error (1.2e-16 on 2.7) prints no float noise.

    >>> plus_minus(2.70751874963942107, 1.2e-16, 6), plus_minus(0.5, 0.03, 6)
    ('2.70752 ± 1.2e-16', '0.500 ± 0.03')
    """
    decimals = max(0, 1 - int(math.floor(math.log10(error))))
    if value != 0:  # significant digits = decimals + 1 + the value's leading exponent
        lead = int(math.floor(math.log10(abs(value))))
        decimals = max(0, min(decimals, min(digits, FLOAT_DIGITS) - 1 - lead))
    return f"{value:.{decimals}f} ± {error:.2g}"
