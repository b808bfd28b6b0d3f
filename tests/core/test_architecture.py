"""The shape of the package, checked (docs/architecture.md).

* Layers: a module imports only from layers below it -- imports inside
  functions count too; only the display mixin in ``_print_helpers`` reaches up.
  Engines (bounds, symbolic, truth) do not import each other.
* No import circle inside the package, counting imports inside functions, except the one named
  circle of the display hooks (ALLOWED_CIRCLE: _print_helpers -> latex -> symbolic -> _print_helpers).
* No function in boundcalc/ over 80 lines.
* The library never names a command-line flag: no string constant outside
  boundcalc/cli/ contains ``--flag`` (docstrings may mention the command line).
* mypy is clean.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "boundcalc"

#: module (relative to boundcalc, dotted; a package means its modules) -> (layer, group).
#: Imports may go to a lower layer, or within the same group; layers 1, 2, 4, 5, 6 are one group each,
#: the engines (3) one group per engine.
LAYERS = {
    "errors": (1, "foundations"),
    "exact": (1, "foundations"),
    "decimal_text": (1, "foundations"),
    "decimal_columns": (1, "foundations"),
    "double_double": (1, "foundations"),
    "units": (1, "foundations"),
    "files": (1, "foundations"),
    "constants": (1, "foundations"),
    "_print_helpers": (1, "foundations"),
    "dispatch": (1, "foundations"),
    "registry": (2, "values"),
    "floors": (2, "values"),
    "schedule": (2, "values"),
    "schedule_limits": (2, "values"),
    "count_sampler": (2, "values"),
    "binomial_laws": (2, "values"),
    "count_starts": (2, "values"),
    "count_grid_starts": (2, "values"),
    "count_noise_starts": (2, "values"),
    "count_noise_edges": (2, "values"),
    "count_grid": (2, "values"),
    "count_flat": (2, "values"),
    "count_families": (2, "values"),
    "count_noise": (2, "values"),
    "noise_steps": (2, "values"),
    "count_noise_rows": (2, "values"),
    "noise_progressions": (2, "values"),
    "noise_libm": (2, "values"),
    "rule_families": (2, "values"),
    "counts": (2, "values"),
    "profile": (2, "values"),
    "multiscale": (2, "values"),
    "curve": (2, "values"),
    "random_schedule": (2, "values"),
    "family_sizes": (2, "values"),
    "schedule_arrays": (2, "values"),
    "block_arrays": (2, "values"),
    "curve_log": (2, "values"),
    "transfer": (2, "values"),
    "example": (2, "values"),
    "bound_registry": (3, "bounds"),
    "bounds": (3, "bounds"),
    "predictor": (3, "predictor"),
    "hf": (3, "predictor"),
    "torch_model": (3, "predictor"),
    "symbolic": (3, "symbolic"),
    "truth": (3, "truth"),
    "steps": (4, "orchestration"),
    "verification": (4, "orchestration"),
    "sweeps": (4, "orchestration"),
    "sweep_truth": (4, "orchestration"),
    "sweep_bounds": (4, "orchestration"),
    "sweep_columns": (4, "orchestration"),
    "sweep_grid": (4, "orchestration"),
    "sweep_vector": (4, "orchestration"),
    "sweep_steps": (4, "orchestration"),
    "sweep_schedules": (4, "orchestration"),
    "estimate": (4, "orchestration"),
    "step_families": (4, "orchestration"),
    "count_steps": (4, "orchestration"),
    "count_brackets": (4, "orchestration"),
    "count_brackets_noise": (4, "orchestration"),
    "count_completion": (4, "orchestration"),
    "count_noise_levels": (4, "orchestration"),
    "count_tight": (4, "orchestration"),
    "count_noise_local": (4, "orchestration"),
    "count_noise_tail": (4, "orchestration"),
    "count_rows": (4, "orchestration"),
    "count_flow": (4, "orchestration"),
    "count_stepless": (4, "orchestration"),
    "count_batch": (4, "orchestration"),
    "count_flat_rows": (4, "orchestration"),
    "count_noise_bins": (4, "orchestration"),
    "count_noise_caps": (4, "orchestration"),
    "count_noise_expansion": (4, "orchestration"),
    "count_noise_variation": (4, "orchestration"),
    "count_noise_completions": (4, "orchestration"),
    "count_noise_joins": (4, "orchestration"),
    "count_noise_zones": (4, "orchestration"),
    "count_grid_truth": (4, "orchestration"),
    "count_noise_truth": (4, "orchestration"),
    "count_grid_rows": (4, "orchestration"),
    "family_steps": (4, "orchestration"),
    "completion": (4, "orchestration"),
    "completion_scan": (4, "orchestration"),
    "step_starts": (4, "orchestration"),
    "info_optimal_arrays": (4, "orchestration"),
    "kernel_arrays": (4, "orchestration"),
    "optimal_search": (4, "orchestration"),
    "sampler_truth": (4, "orchestration"),
    "sources": (4, "orchestration"),
    "answers": (4, "orchestration"),
    "jsonify": (5, "renderers"),
    "table_printer": (5, "renderers"),
    "text_table": (5, "renderers"),
    "csv_printer": (5, "renderers"),
    "text_printer": (5, "renderers"),
    "rule_tables": (5, "renderers"),
    "latex": (5, "renderers"),
    "proofs": (5, "renderers"),
    "references": (5, "renderers"),
    "plot": (5, "renderers"),
    "plot_nfe": (5, "renderers"),
    "cli": (6, "cli"),
    "__main__": (6, "cli"),
}
# The display hooks (sympy's _print_helpers): the one place allowed to import up, lazily.
UPWARD_ALLOWED = {"_print_helpers"}
#: The one allowed import circle, named (sympy's shape): the display hooks import the LaTeX printer when asked,
#: the printer prints sympy expressions of ``symbolic``, whose results are Printable again:
#: _print_helpers -> latex -> symbolic -> _print_helpers. A package here stands for its modules.
ALLOWED_CIRCLE = {"_print_helpers", "latex", "symbolic"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> tuple[int, str]:
    top = module.split(".")[0]
    if top not in LAYERS:
        raise AssertionError(f"boundcalc.{module} has no layer: add it to LAYERS and docs/architecture.md")
    return LAYERS[top]


def _imports(module: str, path: Path) -> set[str]:
    """The boundcalc modules that ``module`` imports anywhere in its file (relative or absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    base = module.split(".") if module else []
    if not is_package:
        base = base[:-1]
    found: set[str] = set()
    known = _modules()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(anchor + ([node.module] if node.module else []))
            elif node.module and (node.module == "boundcalc" or node.module.startswith("boundcalc.")):
                prefix = node.module[len("boundcalc") :].lstrip(".")
            else:
                continue
            targets = [f"{prefix}.{alias.name}".strip(".") for alias in node.names] + [prefix]
        elif isinstance(node, ast.Import):
            targets = [a.name[len("boundcalc") :].lstrip(".") for a in node.names if a.name.startswith("boundcalc")]
        for target in targets:
            # the longest known module that the target names (a name imported from a module is not a module)
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    return {m: _imports(m, p) for m, p in _modules().items() if m}  # the root package only re-exports lazily


def test_every_module_has_a_layer():
    for module in _modules():
        if module:
            _layer(module)


def test_imports_go_down_the_layers():
    violations = []
    for module, deps in _graph().items():
        if module.split(".")[0] in UPWARD_ALLOWED:
            continue
        layer, group = _layer(module)
        for dep in deps:
            dep_layer, dep_group = _layer(dep)
            if dep_layer < layer or dep_group == group:
                continue
            violations.append(f"boundcalc.{module} (layer {layer}, {group}) imports boundcalc.{dep} (layer {dep_layer}, {dep_group})")
    assert not violations, "\n".join(sorted(violations))


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return circles


def test_the_only_import_circle_is_the_named_one():
    """Counting imports inside functions, the only circle is ALLOWED_CIRCLE's, and it closes only through
    the display hooks: without them the graph has no circle at all."""
    graph = _graph()
    circles = _circles(graph)
    outside = [c for c in circles if {m.split(".")[0] for m in c} - ALLOWED_CIRCLE]
    assert not outside, f"import circles beyond {sorted(ALLOWED_CIRCLE)}: {outside}"
    assert len(circles) <= 1, f"more than one circle: {circles}"
    if circles:  # the named circle, as named: every one of its files takes part
        assert {m.split(".")[0] for m in circles[0]} == ALLOWED_CIRCLE, circles[0]
    without_hooks = {m: deps - UPWARD_ALLOWED for m, deps in graph.items() if m.split(".")[0] not in UPWARD_ALLOWED}
    assert not _circles(without_hooks), f"circles not through the display hooks: {_circles(without_hooks)}"


def test_the_circle_checker_sees_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_the_layer_checker_sees_imports_inside_functions(tmp_path):
    # the checker must not be blind to the imports that hide circles from Python
    fake = tmp_path / "bounds.py"
    fake.write_text("def f():\n    from .latex import to_latex\n    from boundcalc.truth.core import EPS64\n")
    assert _imports("bounds", fake) == {"latex", "truth.core"}
    fake.write_text("from .exact import ceil_log2\nimport boundcalc.units\n")
    assert _imports("bounds", fake) == {"exact", "units"}


def test_no_long_functions():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name} has {length} lines")
    assert not long, "\n".join(long)


FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(-[a-z0-9]+)*")


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_the_library_never_names_a_flag():
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "cli" in path.relative_to(PACKAGE).parts or path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                match = FLAG.search(node.value)
                if match:
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value[:80]!r}")
    assert not found, f"{len(found)} string constants name flags:\n" + "\n".join(found)


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install -e '.[test]')")
def test_mypy_is_clean():
    from mypy import api

    out, err, status = api.run(["--config-file", str(PACKAGE.parent / "pyproject.toml"), "--no-error-summary", str(PACKAGE)])
    assert status == 0, out + err
