"""One dispatch rule for every printer: a new value class is printed by one registration per format.

``Ratio`` below is a toy value class (a value object of a contributor's module): one printer each for
JSON, LaTeX and the terminal table, registered through the public ``register`` of each printer, and
it prints in all three, through the library's entries and through the display hooks. A subclass
prints as its parent unless it registers its own (the MRO walk), in every format alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

import pytest

from boundcalc import jsonify, latex as latex_printer, table_printer
from boundcalc._print_helpers import Printable
from boundcalc.dispatch import Printers
from boundcalc.exact import number_json
from boundcalc.table_printer import Table, to_table


@dataclass(frozen=True)
class Ratio(Printable):
    """A toy result: a bound over a truth."""

    bound: Fraction
    truth: Fraction


class ScaledRatio(Ratio):
    """Prints as its parent (no printer of its own)."""


def ratio_json(value: Ratio, digits: int, **options) -> dict:
    return {"bound": number_json(value.bound, digits), "truth": number_json(value.truth, digits),
            "ratio": number_json(value.bound / value.truth, digits)}


def ratio_latex(value: Ratio, digits: int = 6, **options) -> str:
    return rf"\frac{{{value.bound}}}{{{value.truth}}}"


def ratio_table(value: Ratio, digits: int, **options) -> Table:
    return table_printer.table("ratio", [("bound", "right"), ("truth", "right")],
                               [[table_printer.cell(value.bound, digits), table_printer.cell(value.truth, digits)]])


@pytest.fixture
def registered():
    jsonify.register(Ratio, ratio_json)
    latex_printer.register(Ratio, ratio_latex)
    table_printer.register(Ratio, ratio_table)
    yield
    for printers in (jsonify.PRINTERS, latex_printer.PRINTERS, table_printer.PRINTERS):
        printers.unregister(Ratio)


def test_a_new_class_prints_in_every_format_once_registered(registered):
    value = Ratio(Fraction(3, 2), Fraction(1, 2))
    assert jsonify.to_json(value, 4) == {"bound": {"exact": "3/2", "decimal": "1.5"},
                                         "truth": {"exact": "1/2", "decimal": "0.5"},
                                         "ratio": {"exact": "3", "decimal": "3"}}
    document = jsonify.document(value, 4)
    assert list(document)[0] == "schema_version" and document["ratio"]["exact"] == "3"
    json.dumps(document)  # plain values only
    assert latex_printer.latex(value) == r"\frac{3/2}{1/2}" == value.to_latex()
    assert value.to_dict(4) == jsonify.to_json(value, 4)
    table = to_table(value, 3)
    assert table.columns == (("bound", "right"), ("truth", "right")) and table.rows == (("1.5", "0.5"),)
    assert table.plain() == "ratio\nbound\ttruth\n1.5\t0.5\n"


def test_a_subclass_prints_as_its_parent_in_every_format(registered):
    value = ScaledRatio(Fraction(1), Fraction(1, 4))
    assert jsonify.to_json(value)["ratio"]["exact"] == "4"
    assert latex_printer.latex(value) == r"\frac{1}{1/4}"
    assert to_table(value, 2).rows == (("1", "0.25"),)
    # its own printer wins over the parent's, in one format only
    table_printer.register(ScaledRatio, lambda v, digits, **o: table_printer.table("scaled", [("x", "left")], [["y"]]))
    try:
        assert to_table(value, 2).title == "scaled" and jsonify.to_json(value)["ratio"]["exact"] == "4"
    finally:
        table_printer.PRINTERS.unregister(ScaledRatio)


def test_without_a_printer_each_format_says_so():
    value = Ratio(Fraction(1), Fraction(1))
    for call, name in ((jsonify.to_json, "JSON"), (latex_printer.latex, "LaTeX"), (to_table, "table")):
        with pytest.raises(TypeError, match=f"no {name} form for Ratio"):
            call(value)


def test_the_rule_walks_the_mro_in_order():
    printers = Printers("toy")

    class A:
        pass

    class B(A):
        pass

    class C(B):
        pass

    printers.register(A, lambda v: "A")
    assert printers(C()) == "A"
    printers.register("B", lambda v: "B")  # by name: a printer module need not import the class
    assert printers(C()) == "B" and printers(A()) == "A" and B in printers and C not in printers  # its own only
    with pytest.raises(ValueError, match="already has a toy printer"):
        printers.register(B, lambda v: "again", replace=False)
    decorated = printers.register(C)(lambda v: "C")
    assert printers(C()) == "C" and decorated(None) == "C"


def test_the_built_in_printers_are_registered_in_each_format():
    from boundcalc.bounds import confidence_bound, recursion_report

    report = recursion_report(37, 1024)
    assert jsonify.to_json(report)["chain"] == [37, 19, 10, 5, 3, 2, 1]
    assert "RecursionReport" in latex_printer.PRINTERS and "RecursionReport" in table_printer.PRINTERS
    table = to_table(report, 6)
    # the closed form (20) by hand: (2^K - 1)/L ΣI with K = ceil(log2 37) = 6, L = 1024: 63/1024
    assert table.rows[-1][3] == "0.0615234" and table.rows[-1][0] == "sum" and table.rows[0][1] == "37"
    bound = confidence_bound("1/10", 2, 4)
    assert to_table(bound, 4).rows[0][0] == "confidence (Fast-dLLM Thm 1)"


def test_the_command_line_draws_the_printers_table_unchanged(run):
    from boundcalc.bounds import recursion_report

    table = to_table(recursion_report(12, 64), 6)
    out = run("recursion", "--smax", "12", "--length", "64").stdout
    assert out.startswith(table.title + "\n") and table.caption in out
    for row in table.rows:
        for value in row:
            assert value in out
