"""LaTeX in the paper's notation: expressions, instantiated bounds, derivation documents.

The printer writes the symbols of :mod:`boundcalc.symbolic` as Li & Cai do --
``X_0^{(i)}``, ``\\varepsilon_{\\mathrm{train}}``, ``s_{\\max}``,
``\\lceil\\log_2 s_{\\max}\\rceil``,
``\\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)})`` -- rather than sympy's default
names, and keeps the shape of the paper's formulas (the coefficient over L,
then the mutual-information sum, then the training error).

>>> from boundcalc.latex import latex
>>> from boundcalc.symbolic import get
>>> print(latex(get("sharp").expr))
\\frac{s_{\\max} - 1}{L} \\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)}) + \\varepsilon_{\\mathrm{train}}

With ``values`` the numbers of a concrete case take the symbols' places:

>>> print(instantiate(get("theorem1"), {"L": 10, "s_max": 5, "sum_I": 2, "eps_train": "0.1"}))
\\mathbb{E}_M\\left[\\mathrm{KL}(p_{X_0} \\,\\|\\, p_{Y_0 \\mid M})\\right] \\le \\frac{2^{\\lceil\\log_2 5\\rceil} - 1}{10} \\cdot 2 + \\frac{1}{10} = \\frac{3}{2} \\approx 1.5

Documents (:func:`standalone`, :func:`derivation_document`) use only
amsmath and amssymb, so they compile with Debian's texlive-latex-base.

The package is split along its ideas: :mod:`.printer` (the paper's notation),
:mod:`.cases` (a case's numbers filled in, the reports),
:mod:`.documents` (displayed equations, sections, whole documents) and
:mod:`.tables` (booktabs tables); this module re-exports them and holds the
one printing entry, :func:`latex`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Sequence

import sympy as sp

from .. import symbolic as sym
from ..dispatch import Printers
from ..exact import FLOAT_DIGITS
from .documents import (
    NUMBERING,
    PREAMBLE,
    derivation_document,
    equation_label,
    instantiated_display,
    proof_label,
    proofs_appendix,
    result_block,
    result_equation,
    result_snippets,
    results_document,
    standalone,
    tag_text,
)
from .cases import (
    EstimatedValues,
    bound_report_latex,
    estimated_values,
    instantiate,
    instantiate_lines,
    missing_inputs,
    recursion_report_latex,
    steps_result_latex,
    unrolling_latex,
    unrolling_segments,
)
from .printer import (
    LONG_FRACTION,
    NOTATION,
    PaperLatexPrinter,
    _expr,
    _is_long,  # noqa: F401 (tests read it here)
    _number,
    assumption_lines,
    escape_text,
    result_latex,
    result_segments,
)
from .tables import (
    TABLE_PACKAGES,
    bound_table,
    budget_latex_table,
    count_bound_table,
    family_steps_table,
    latex_number,
    latex_table,
    steps_table,
    sweep_table,
    table_number,
    verify_table,
)

__all__ = [
    "NOTATION",
    "EstimatedValues",
    "estimated_values",
    "PaperLatexPrinter",
    "latex",
    "register",
    "PRINTERS",
    "result_latex",
    "result_segments",
    "instantiate",
    "instantiate_lines",
    "instantiated_display",
    "assumption_lines",
    "unrolling_latex",
    "unrolling_segments",
    "missing_inputs",
    "escape_text",
    "result_block",
    "standalone",
    "derivation_document",
    "results_document",
    "to_latex",
    "bound_report_latex",
    "recursion_report_latex",
    "steps_result_latex",
    "tag_text",
    "equation_label",
    "proof_label",
    "result_equation",
    "result_snippets",
    "NUMBERING",
    "proofs_appendix",
    "latex_table",
    "table_number",
    "budget_latex_table",
    "count_bound_table",
    "family_steps_table",
    "TABLE_PACKAGES",
    "latex_number",
    "bound_table",
    "steps_table",
    "verify_table",
    "LONG_FRACTION",
    "PREAMBLE",
]


def _print_Basic(expr: sp.Basic, values: Mapping[Any, Any] | None = None, unit: str = "bits") -> str:
    return _expr(expr, values, unit)


def _print_Fraction(value: Fraction) -> str:
    return _number(sp.Rational(value.numerator, value.denominator))


def _print_int(value: int) -> str:
    return str(value)


def _print_Result(result: sym.Result, values: Mapping[Any, Any] | None = None, abbreviate: bool = True,
                  unit: str = "bits") -> str:
    return result_latex(result, values, abbreviate, unit)


def _print_Unrolling(unrolling: sym.Unrolling, length: int | None = None) -> str:
    return unrolling_latex(unrolling, length)


def _print_BoundReport(report: Any, digits: int = 6, table: bool = False, **estimates: Any) -> str:
    """``estimates``: ``estimated`` and ``mi_total`` of :func:`bound_table` (bounds at a measured curve's ΣI)."""
    return bound_table(report, digits, **estimates) if table else bound_report_latex(report, digits)


def _print_CountBoundReport(report: Any, digits: int = 6, table: bool = True, **estimates: Any) -> str:
    """A random-count sampler's expected bounds: a table only (``estimates`` as for :func:`count_bound_table`)."""
    return count_bound_table(report, digits, **estimates)


def _print_CountBoundAnswer(answer: Any, digits: int = 6) -> str:
    """``bound`` for a random-count sampler: its report's table, at a measured curve's ΣI as estimates (to the
    digits a float64 result holds)."""
    if not answer.estimated:
        return count_bound_table(answer.report, digits, estimated={}, mi_total=None)
    return count_bound_table(answer.report, min(digits, FLOAT_DIGITS), estimated=answer.estimated,
                             mi_total=answer.mi_measured)


def _print_BudgetAnswer(answer: Any, digits: int = 6) -> str:
    """``steps --budget``: each family's error and bound at one T, ΣI in the caption (an estimate from a measured
    curve)."""
    return budget_latex_table(answer.rows, steps=answer.steps, length=answer.profile.length,
                              mi_total=answer.mi_total_shown, bound=answer.bound, unit=answer.unit, digits=digits,
                              estimate=answer.estimate)


def _print_ResultCatalogue(catalogue: Any, values: Mapping[Any, Any] | None = None, digits: int = 6,
                           unit: str = "bits", strict: bool = False, needs: Any = None) -> str:
    """Results ready to paste (:func:`result_snippets`): each one's comments and tagged equation, with ``values``
    instantiated."""
    return result_snippets(catalogue.results, values, digits, unit, strict=strict, needs=needs)


def _print_RecursionReport(report: Any) -> str:
    return recursion_report_latex(report)


def _print_StepsResult(result: Any, digits: int = 6, table: bool = False) -> str:
    return steps_table([result], digits) if table else steps_result_latex(result, digits)


def _print_FamilyStepsAnswer(answer: Any, digits: int = 6) -> str:
    return family_steps_table(answer, digits)


def _print_VerifyReport(report: Any, digits: int = 6) -> str:
    return verify_table(report, digits)


def _print_VerifyAnswer(answer: Any, digits: int = 6) -> str:
    """verify's answer: its report's table, each value from a partial curve with its interval."""
    return verify_table(answer.report, digits, answer.shown)


def _print_SweepResult(result: Any, digits: int = 6, bounds: Sequence[str] | None = None) -> str:
    return sweep_table(result, digits, bounds)


def _print_list(items: Sequence[Any], digits: int = 6, unit: str | None = None) -> str:
    """Several :class:`~boundcalc.steps.StepsResult` (one per target): their table."""
    if items and all(type(item).__name__ == "StepsResult" for item in items):
        return steps_table(items, digits, unit)
    raise TypeError("no LaTeX form for a sequence other than StepsResults")


_print_tuple = _print_list


def _print_MultiScaleProfile(profile: Any, digits: int = 6) -> str:
    """Φ's definition with the profile's L, S and level totals filled in, and its value."""
    return instantiate(sym.get("multiscale-phi"), sym.values_for(multiscale=profile), digits)


def latex(obj: Any, /, **options: Any) -> str:
    """LaTeX for anything boundcalc makes, in the paper's notation: the single printing entry.

    Dispatches along the MRO (:mod:`boundcalc.dispatch`, the rule of every printer; sympy's
    ``Printer``): the ``_print_<ClassName>`` functions here and those :func:`register` adds:
    a sympy expression (options ``values``, ``unit``), a :class:`~boundcalc.symbolic.Result`
    (``values``, ``abbreviate``, ``unit``), an :class:`~boundcalc.symbolic.Unrolling`
    (``length``), a ``BoundReport`` (``digits``; ``table=True`` for a booktabs table),
    ``RecursionReport``, ``StepsResult`` or a list of them (``digits``, ``table``),
    ``VerifyReport`` or ``VerifyAnswer`` (a booktabs table), ``MultiScaleProfile`` (Φ), a Fraction or an int.
    Value objects call it from ``to_latex`` (:class:`boundcalc._print_helpers.Printable`).

    >>> print(latex(sym.get("sharp").expr))
    \\frac{s_{\\max} - 1}{L} \\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)}) + \\varepsilon_{\\mathrm{train}}
    """
    return PRINTERS(obj, **options)


def register(cls: type | str, printer: Any = None) -> Any:
    """Print instances of ``cls`` (or its subclasses) in LaTeX with ``printer(value, **options)``
    (a decorator without ``printer``); the options are :func:`latex`'s (``digits``, ``table``, ...)."""
    return PRINTERS.register(cls, printer)


#: The LaTeX printers, by class name (this module's ``_print_<Class>`` functions, and those :func:`register` adds).
PRINTERS = Printers("LaTeX")
PRINTERS.collect(globals(), "_print_")

#: The former name of :func:`latex` (``boundcalc.to_latex``).
to_latex = latex
