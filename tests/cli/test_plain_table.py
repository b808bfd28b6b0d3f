"""Issue 22: a table on a pipe or a file is drawn without rich's per-cell layout (cli/render.plain_table), and
must be the very text rich draws: compared here with rich itself on random tables (hypothesis) and on sweep
tables, and refused (None: rich draws) wherever rich would change a cell."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from rich.text import Text

from boundcalc.cli.render import plain_table


def rich_text(columns, rows) -> str:
    """What print_table's rich path prints for the table (a file: no colour, unlimited width)."""
    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, width=100_000)
    table = Table()
    for heading, justify in columns:
        table.add_column(Text(heading), justify=justify, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
    return buffer.getvalue()


CELL = st.text(alphabet="abcT:0123456789.,-+e ±?∞[]()/n\\@#", max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5), st.data())
def test_the_plain_table_is_rich_s_text_or_refused(width, data):
    columns = [(data.draw(CELL), data.draw(st.sampled_from(["left", "right", "center"]))) for _ in range(width)]
    rows = [[data.draw(CELL) for _ in range(width)] for _ in range(data.draw(st.integers(0, 6)))]
    found = plain_table(columns, rows)
    if found is not None:
        assert found == rich_text(columns, rows)


@pytest.mark.parametrize("cell", ["0 ", " x", "x\ny", "tab\there", "全角"])
def test_cells_rich_would_change_are_left_to_rich(cell):
    assert plain_table([("h", "left")], [[cell]]) is None


@pytest.mark.parametrize("cell", ["[bold]x[/bold]", "a\\[b", "a:100:b", ":smile:", "blocks:100:uniform:T"])
def test_markup_and_emoji_codes_are_data_in_both_paths(cell):
    """A cell is data: rich draws it as Text (no markup, no emoji: blocks:100:uniform:T is not blocks💯uniform:T
    on a terminal), and the plain path writes the same characters."""
    found = plain_table([("h", "left")], [[cell]])
    assert found == rich_text([("h", "left")], [[cell]]) and cell in found


def test_a_sweep_table_on_a_pipe_is_rich_s(tmp_path):
    """A sweep's table (boundcalc's own cells: intervals in brackets, ± ?, n/a) drawn both ways."""
    from boundcalc import MIProfile, sweep
    from boundcalc.answers import SweepAnswer
    from boundcalc.curve import LossCurve
    from boundcalc.table_printer import to_table

    curve = LossCurve(length=64, masked=[8, 16, 32, 64], loss=[0.5, 1.0, 2.0, 3.0])
    for source in (curve, MIProfile.from_total(3, 64)):
        result = sweep(source, ["uniform", "cosine", "blocks:2:linear:T"], "1:64:7")
        table = to_table(SweepAnswer(result, "x"), 6)
        found = plain_table(table.columns, table.rows)
        assert found is not None and found == rich_text(table.columns, table.rows)
