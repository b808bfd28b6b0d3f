"""Tables for a paper (booktabs): a bound report, required steps, verify and sweep results, any other table."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Sequence

from .. import symbolic as sym
from ..exact import Measured, format_decimal
from .documents import tag_text
from .printer import escape_text


def latex_number(value: Any, digits: int = 6, error: Any = None, nonnegative: bool = False) -> str:
    r"""A number for a table cell (math mode): only the digits its error justifies, ``\approx`` unless exact.

    An exact rational (``error`` None) shows its decimal, with ``\approx`` when ``digits``
    significant digits do not represent it exactly; a float with an absolute ``error`` bound shows
    only the digits its error justifies (:meth:`boundcalc.exact.Measured.justified_digits`, as the
    terminal tables do; at most ``digits``, trailing zeros kept), always with ``\approx``;
    ``nonnegative`` shows float noise around 0 as 0.

    >>> latex_number(Fraction(3, 10)), latex_number(Fraction(2, 7), 4), latex_number(5)
    ('0.3', '\\approx 0.2857', '5')
    >>> latex_number(1.0993581234, 6, error=2e-4), latex_number(Fraction(1, 10**9))
    ('\\approx 1.0994', '1 \\times 10^{-9}')
    """
    if error is not None:
        measured = Measured(float(value), float(error), nonnegative=nonnegative)
        shown = Fraction(measured.shown)
        return r"\approx " + ("0" if shown == 0 else _significant(shown, measured.justified_digits(digits)))
    exact = Fraction(value)
    text = format_decimal(exact, digits)
    approximate = Fraction(_decimal_value(text)) != exact
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return (r"\approx " if approximate else "") + text


def _significant(value: Fraction, digits: int) -> str:
    """``value`` rounded to ``digits`` significant digits, trailing zeros kept (they are justified)."""
    from decimal import ROUND_HALF_EVEN, Decimal, localcontext

    if value == 0:
        return "0"
    with localcontext() as context:
        context.prec = digits + 40
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        # rounding at the place of the last justified digit (9.996 at 2 digits carries to 10.0: same place)
        rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - digits + 1), rounding=ROUND_HALF_EVEN)
    exponent = rounded.adjusted()
    if -5 <= exponent < max(digits, len(rounded.as_tuple().digits)):
        return format(rounded, "f")
    mantissa = format(rounded.scaleb(-exponent), "f")
    return rf"{mantissa} \times 10^{{{exponent}}}"


def _decimal_value(text: str) -> Fraction:
    from decimal import Decimal

    return Fraction(Decimal(text))


def latex_table(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[str]], caption: str, label: str,
                notes: Sequence[str] = ()) -> str:
    """A booktabs ``table``: ``columns`` are (LaTeX heading, alignment: l, r, c or p{width}),
    cells are LaTeX, ``label`` is its ``\\label`` (``bc:tab:...``); ``notes`` follow the tabular.

    Documents from :func:`standalone` load booktabs (or, where it is not installed, plain rules).
    """
    spec = "".join(align if len(align) == 1 else f"{align}" for _, align in columns)
    lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{caption}}}\label{{{label}}}",
             rf"\begin{{tabular}}{{{spec}}}", r"\toprule", " & ".join(h for h, _ in columns) + r" \\", r"\midrule"]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
        lines.append(" & ".join(row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if notes:
        lines.append(r"\par\smallskip{\footnotesize " + r" \\ ".join(notes) + "}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def _math(text: str) -> str:
    return f"${text}$"


def _equation_of(bound: Any) -> str:
    """The equation cell of a registry bound: the tag its exported equation carries."""
    if bound.symbolic and bound.symbolic in sym.results():
        return f"({tag_text(sym.for_bound(bound.symbolic))})"
    return escape_text(bound.equation + (", derived" if bound.derived else ""))  # e.g. (B1), derived


def bound_table(report: Any, digits: int = 6) -> str:
    """A :class:`~boundcalc.bounds.BoundReport` as a booktabs table: each registered bound, its
    equation tag, its value (justified digits) and, where it does not apply, why."""
    unit = str(report.unit)
    rows = []
    for bound, value in report.items():
        if value is None and not bound.has_inputs(report.inputs):
            continue  # e.g. Theorem 2 without a multi-scale profile
        kind = r"$\ge$ " if bound.direction == "lower" else ""
        cell = "---" if value is None else kind + _math(latex_number(value, digits))
        note = escape_text(report.reasons.get(bound.name, "")) if value is None else ""
        rows.append([escape_text(bound.title), _equation_of(bound), cell, note])
    caption = (
        rf"Bounds of Li \& Cai~\cite{{li2025convergence}} for $L = {report.length}$, "
        rf"$\Sigma I = {latex_number(report.mi_total, digits)}$ {unit}, the schedule "
        rf"\texttt{{{escape_text(report.schedule)}}} ($T = {report.steps}$, $s_{{\max}} = {report.max_size}$) "
        rf"and $\varepsilon_{{\mathrm{{train}}}} = {latex_number(report.eps_train, digits)}$."
    )
    columns = [("Result", "l"), ("Eq.", "l"), (f"Value ({unit})", "r"), ("Note", "p{4.2cm}")]
    return latex_table(columns, rows, caption, "bc:tab:bound")


def steps_table(results: Sequence[Any], digits: int = 6, unit: str | None = None) -> str:
    """:class:`~boundcalc.steps.StepsResult` s (one per target, the same profile and bound) as a table."""
    first = results[0]
    rows = []
    for r in results:
        if r.feasible:
            rows.append([_math(latex_number(r.target, digits)), str(r.steps), str(r.max_size),
                         _math(latex_number(r.bound, digits)), _math(latex_number(r.speedup, 4))])
        else:
            rows.append([_math(latex_number(r.target, digits)), "infeasible", "---", "---", "---"])
    result = sym.get(f"steps-{first.bound_name}")
    in_unit = f" ({unit})" if unit else ""
    caption = (
        rf"Fewest uniform steps $T$ whose {escape_text(first.bound_name)} bound is at most the target "
        rf"({tag_text(result)}, after Li \& Cai~\cite{{li2025convergence}}), for $L = {first.length}$, "
        rf"$\Sigma I = {latex_number(first.mi_total, digits)}${' ' + unit if unit else ''} and "
        rf"$\varepsilon_{{\mathrm{{train}}}} = {latex_number(first.eps_train, digits)}$; "
        r"$s_{\max} = \lceil L/T \rceil$. A target below $\varepsilon_{\mathrm{train}}$ is infeasible."
    )
    columns = [(rf"Target $\varepsilon${in_unit}", "r"), ("Steps $T$", "r"), (r"$s_{\max}$", "r"),
               (f"Bound at $T${in_unit}", "r"), ("$L/T$", "r")]
    return latex_table(columns, rows, caption, "bc:tab:steps")


def verify_table(report: Any, digits: int = 6) -> str:
    """A :class:`~boundcalc.verification.VerifyReport`: the exact error and every bound, each float
    with only the digits its certified error justifies, their ratio, and whether the bound holds."""
    unit = str(report.unit)

    def cell(measured: Any) -> str:
        return _math(latex_number(measured.value, digits, measured.error, measured.nonnegative))

    rows = [["Exact error (23)", "", cell(report.measured("truth")), "1", ""]]
    if report.random_error is not None:
        rows.append(["Exact error of the random schedule", "", cell(report.measured("random")), "", ""])
    ratios, holds = report.ratios(), report.holds()
    verdicts = {True: "yes", False: r"\textbf{no}", "undecided": "undecided", None: ""}
    for bound, error in report.compared():
        value = report.measured(bound.name)
        if value is None:
            continue
        ratio = ratios.get(bound.name)
        ratio_cell = ""
        if ratio is not None and error is not None:  # the certified relative errors of both sides add up
            relative = value.error / abs(value.value) + error.error / abs(error.value) if value.value else 0.0
            ratio_cell = _math(latex_number(ratio, 3, abs(ratio) * relative))
        lower = r" ($\ge$)" if bound.direction == "lower" else ""
        rows.append([escape_text(bound.title) + lower, _equation_of(bound), cell(value), ratio_cell,
                     verdicts[holds.get(bound.name)]])
    caption = (
        rf"The exact error of \texttt{{{escape_text(str(report.schedule))}}} ($L = {report.bounds.length}$, "
        rf"{escape_text(report.model)}, $\Sigma I {latex_number(report.mi_total, digits, report.input_error, True)}$ "
        rf"{unit}) against the bounds of Li \& Cai~\cite{{li2025convergence}}, in {unit}. "
        r"Ratio: bound / exact error (for a lower bound, against the random schedule's error). "
        r"Floating-point values show only the digits their certified error justifies."
    )
    columns = [("Quantity", "l"), ("Eq.", "l"), (f"Value ({unit})", "r"), ("Ratio", "r"), ("Holds", "c")]
    return latex_table(columns, rows, caption, "bc:tab:verify")


def sweep_table(result: Any, digits: int = 6) -> str:
    """A :class:`~boundcalc.sweeps.SweepResult`: a row per (family, T) with s_max, the errors a data model
    gives (float64, justified digits) and every bound of the sweep (exact, or with its certified error)."""
    from ..bounds import BOUNDS

    unit = str(result.unit)
    errors = [name for name in ("error", "optimal") if any(getattr(row, name) is not None for row in result.rows)]
    heads = {"error": "Error (23)", "optimal": "Optimal"}
    # upper bounds on this schedule's error (Theorem 2's lower bound is about another schedule: see verify)
    bounds = [name for name in result.bound_names if BOUNDS[name].quantity == "kl" and BOUNDS[name].about == "schedule"]

    def cell(row: Any, name: str) -> str:
        measured = row.measured(name)
        if measured is not None:
            return _math(latex_number(measured.value, digits, measured.error, measured.nonnegative))
        value = None if name in heads else row.bounds.get(name)
        return "" if value is None else _math(latex_number(value, digits))

    def size(row: Any) -> str:  # a random-count sampler's s_max is random: its expectation
        if row.max_size is not None:
            return str(row.max_size)
        measured = row.measured("expected_s_max")
        return _math(latex_number(measured.value, 3, measured.error, True))

    rows = [[escape_text(row.family), str(row.steps), size(row)] + [cell(row, n) for n in errors + bounds]
            for row in result.rows]
    columns = [("Family", "l"), ("$T$", "r"), (r"$s_{\max}$", "r")]
    columns += [(heads[name], "r") for name in errors]
    # short headings (the equation's tag), so a one-column paper can take the table; the notes name them
    columns += [(_equation_of(BOUNDS[name]).split(",")[0].rstrip(")") + ")", "r") for name in bounds]
    notes = ["; ".join(f"{_equation_of(BOUNDS[name])}: {escape_text(BOUNDS[name].title)}" for name in bounds)]
    caption = (
        rf"Every bound of Li \& Cai~\cite{{li2025convergence}} over a grid of $T$ ($L = {result.length}$), in {unit}"
        + (r"; the exact errors are float64 results, shown with the digits their certified error justifies" if errors else "")
        + ". An empty cell: the bound does not apply to that schedule."
        + (r" Rows of random-count samplers give expectations over the counts: the exact expected error, the"
           r" expected bounds $\mathrm{E}[c(S_{\max})]\,\Sigma I/L + \varepsilon_{\rm train}$, and"
           r" $\mathrm{E}\,S_{\max}$ in the $s_{\max}$ column." if result.has_counts else "")
    )
    table = latex_table(columns, rows, caption, "bc:tab:sweep", notes)
    # many numeric columns: a smaller font and tighter columns keep it within a page
    return table.replace("\\centering\n", "\\centering\n\\small\\setlength{\\tabcolsep}{3pt}\n", 1)
