"""Printers own printing (issue 8): the layering of symbolic/, latex.py and the display mixin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import boundcalc
from boundcalc import _print_helpers, bounds, steps
from boundcalc import latex as tex
from boundcalc import symbolic as sym
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule

PACKAGE = Path(boundcalc.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    """Every boundcalc module ``path`` imports, at the top or inside functions (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = "boundcalc." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts[:-1])
    package = package.rstrip(".")
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                names = [f"{module}.{alias.name}" for alias in node.names] if not node.module else [module]
                out.update(names)
            elif node.module and node.module.startswith("boundcalc"):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name.startswith("boundcalc"))
    return out


def test_symbolic_imports_only_foundations():
    allowed = {"boundcalc.errors", "boundcalc.exact", "boundcalc.constants", "boundcalc._print_helpers"}
    for path in (PACKAGE / "symbolic").glob("*.py"):  # its own modules aside
        outside = {m for m in _imported_modules(path) if not m.startswith("boundcalc.symbolic")}
        assert outside <= allowed, (path.name, outside - allowed)


def test_only_the_display_mixin_and_the_command_line_import_the_latex_printer():
    importers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "boundcalc.latex" in _imported_modules(path)
    )
    assert all(name == "_print_helpers.py" or name.startswith("cli/") for name in importers), importers


@pytest.mark.parametrize("module", [sym, tex, _print_helpers])
def test_no_function_over_80_lines(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    long = [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80
    ]
    assert long == []


def test_results_come_from_a_table_of_factories():
    assert tuple(sym._FACTORIES) == sym.NAMES
    for name, factory in sym._FACTORIES.items():
        made = factory()
        assert made.name == name and made.relation == sym.get(name).relation


def test_every_numeric_bound_name_has_its_symbolic_form():
    profile, schedule = MIProfile.from_total("7/3", 12), Schedule.uniform(12, 4)
    report = bounds.bound_report(profile, schedule, "1/10")
    case = sym.values_for(profile=profile, schedule=schedule, eps_train="1/10")
    for name, value in report.bounds.items():
        assert name in sym.results()
        result = sym.for_bound(name)
        if name.startswith("theorem2"):
            assert value is None  # no multi-scale profile: checked in test_symbolic against theorem2
            continue
        assert result.evaluate(case) == value, name


def test_latex_dispatches_on_the_class_name():
    report = bounds.bound_report(MIProfile.from_total(2, 10), Schedule.uniform(10, 4), "0.1")
    answer = steps.required_steps(MIProfile.from_total(2, 10), "0.3", "0.1")
    assert tex.latex(report) == tex.bound_report_latex(report)
    assert tex.latex(answer, digits=3) == tex.steps_result_latex(answer, 3)
    assert tex.latex(sym.get("sharp"), unit="nats") == tex.result_latex(sym.get("sharp"), unit="nats")
    assert tex.latex(sym.unroll(5), length=10) == tex.unrolling_latex(sym.unroll(5), 10)
    from fractions import Fraction

    assert tex.latex(Fraction(3, 4)) == r"\frac{3}{4}" and tex.latex(7) == "7"
    assert tex.to_latex is tex.latex
    with pytest.raises(TypeError, match="no LaTeX form for object"):
        tex.latex(object())


def test_value_objects_have_no_printing_code():
    for cls in (bounds.BoundReport, bounds.RecursionReport, steps.StepsResult, sym.Result, sym.Unrolling):
        assert "to_latex" not in vars(cls) and "_repr_latex_" not in vars(cls), cls
        assert issubclass(cls, _print_helpers.Printable)
    result = sym.get("theorem1")
    assert result.to_latex() == tex.latex(result)
    assert result._repr_latex_() == f"$\\displaystyle {tex.latex(result)}$"
