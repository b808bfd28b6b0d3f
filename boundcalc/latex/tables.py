"""Tables for a paper (booktabs): a bound report, required steps, verify and sweep results, any other table."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Sequence

from .. import symbolic as sym
from ..exact import Measured, format_decimal
from ..units import from_nats
from .documents import tag_text
from .printer import escape_text
from .prose import prose


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


#: The packages a table needs in a paper's preamble (booktabs rules; tabularx for the columns that wrap).
TABLE_PACKAGES = r"\usepackage{booktabs,tabularx}"


def latex_table(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[str | None]], caption: str, label: str,
                notes: Sequence[str] = ()) -> str:
    """A booktabs ``table``: ``columns`` are (LaTeX heading, alignment: l, r, c, p{width} or X), cells are
    LaTeX, ``label`` is its ``\\label`` (``bc:tab:...``); ``notes`` follow the tabular, in small type.

    With an ``X`` column the table is a ``tabularx`` as wide as the text, whose X columns wrap: it fits a
    column of an article whatever the notes say. Documents from :func:`standalone` load booktabs and
    tabularx (or, where booktabs is not installed, plain rules).
    """
    spec = "".join(align for _, align in columns)
    wraps = any(align == "X" for _, align in columns)
    begin = rf"\begin{{tabularx}}{{\linewidth}}{{{spec}}}" if wraps else rf"\begin{{tabular}}{{{spec}}}"
    lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{caption}}}\label{{{label}}}",
             begin, r"\toprule", " & ".join(h for h, _ in columns) + r" \\", r"\midrule"]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
        lines.append(" & ".join(cell for cell in row if cell is not None) + r" \\")  # None: under a \multicolumn
    lines += [r"\bottomrule", r"\end{tabularx}" if wraps else r"\end{tabular}"]
    if notes:
        lines.append(r"\par\smallskip{\footnotesize " + r" \\ ".join(notes) + "}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def _math(text: str) -> str:
    return f"${text}$"


def _estimate_pm(measured: Any, digits: int) -> str:
    r"""An estimate as ``$v \pm se$`` (the digits its spread justifies; ``\pm ?`` without a stderr), and where
    the curve leaves d unmeasured its interval over the monotone completions, ``\in [low, high]``."""
    from ..exact import interval_decimals, round_up

    spread = "?" if measured.stderr is None else _plain(round_up(measured.stderr))
    text = rf"{_plain(measured.decimal(digits))} \pm {spread}"
    if measured.interval is not None:  # rounded outward, as the table's (Measured.interval_text)
        low, high = interval_decimals(measured.interval[0], measured.interval[1], measured.error)
        top = r"\infty" if high is None else _plain(high)
        text += rf" \in [{_plain(low)}, {top}]"
    return _math(text)


def _plain(text: str) -> str:
    mantissa, _, exponent = text.partition("e")
    return mantissa if not exponent else rf"{mantissa} \times 10^{{{int(exponent)}}}"


def table_number(value: Any, digits: int = 6, error: Any = None, nonnegative: bool = False) -> str:
    """A table cell's number: :func:`latex_number` without ``\\approx`` (a table says once, in its caption,
    that its values are rounded to the digits shown).

    >>> table_number(Fraction(1, 3)), table_number(1.0993581234, 6, 2e-4)
    ('$0.333333$', '$1.0994$')
    """
    return _math(latex_number(value, digits, error, nonnegative).removeprefix("\\approx "))


def _tag(bound: Any) -> str:
    """A registry bound's equation: ``(8)``, ``(D2)``, ``(B1)`` (what the tag stands for is in the notes)."""
    if bound.symbolic and bound.symbolic in sym.results():
        return sym.for_bound(bound.symbolic).label
    return escape_text(bound.equation.split(",")[0])


def _tag_notes(bounds: Sequence[Any]) -> list[str]:
    """What the equation column's tags stand for: derived results, and the explicit constants derived here."""
    derived = [_tag(b) for b in bounds if not _tag(b)[1].isdigit()]
    constants = []
    for bound in bounds:
        if bound.symbolic and bound.symbolic in sym.results() and sym.for_bound(bound.symbolic).derived:
            constants.append(f"{_tag(bound)} with ${sym.for_bound(bound.symbolic).derived}$")
    papers = [_tag(b) for b in bounds if _tag(b)[1].isdigit()]
    notes = []
    if derived:
        notes.append(", ".join(dict.fromkeys(derived)) + ": derived here")
    if constants:
        notes.append(", ".join(dict.fromkeys(constants)) + " (explicit constants derived here)")
    if papers:  # the published version's numbering was not compared (docs/theory.md, "Which version")
        notes.append(", ".join(dict.fromkeys(papers)) + r": equations of the first arXiv version of~"
                     r"\cite{li2025convergence}")
    return ["; ".join(notes) + "."] if notes else []


ROUNDED = "Values are rounded to the digits shown"
FLOATS = "; floating-point values show only the digits their certified error justifies"


def bound_table(report: Any, digits: int = 6, estimated: "Mapping[str, Any] | None" = None,
                mi_total: Any = None) -> str:
    """A :class:`~boundcalc.bounds.BoundReport` as a booktabs table: each registered bound, its
    equation tag, its value (justified digits) and, where it does not apply, why.

    ``estimated`` (bound name -> :class:`~boundcalc.exact.Measured`) and ``mi_total`` (Measured): the
    bounds and ΣI estimated from a measured loss curve, shown ``$v \\pm$ stderr``."""
    unit = str(report.unit)
    estimated = estimated or {}
    rows, shown = [], []
    for bound, value in report.items():
        if value is None and not bound.has_inputs(report.inputs):
            continue  # e.g. Theorem 2 without a multi-scale profile
        kind = r"$\ge$ " if bound.direction == "lower" else ""
        if bound.name in estimated:
            cell = kind + _estimate_pm(estimated[bound.name], digits)
        else:
            cell = "---" if value is None else kind + table_number(value, digits)
        note = prose(report.reasons.get(bound.name, "")) if value is None else ""
        rows.append([prose(bound.title), _tag(bound), cell, note])
        shown.append(bound)
    total = (rf"$\Sigma I = {_estimate_pm(mi_total, digits).strip('$')}$ {unit} (estimated from a measured loss curve)"
             if mi_total is not None else rf"$\Sigma I = {latex_number(report.mi_total, digits)}$ {unit}")
    caption = (
        rf"Bounds of Li \& Cai~\cite{{li2025convergence}} for $L = {report.length}$, "
        rf"{total}, a schedule of $T = {report.steps}$ "
        rf"steps with $s_{{\max}} = {report.max_size}$, and "
        rf"$\varepsilon_{{\mathrm{{train}}}} = {latex_number(report.eps_train, digits)}$"
        + (r"; the bounds at the estimated $\Sigma I$ and $\Phi$ are estimates: value $\pm$ its standard error"
           r" ($\pm\,?$ where the curve has none)" if estimated else "") + f". {ROUNDED}."
    )
    columns = [("Result", "l"), ("Eq.", "l"), (f"Value ({unit})", "r"), ("Note", "X")]
    return latex_table(columns, rows, caption, "bc:tab:bound", _tag_notes(shown))


def count_bound_table(report: Any, digits: int = 6, estimated: "Mapping[str, Any] | None" = None,
                      mi_total: Any = None) -> str:
    """A :class:`~boundcalc.bounds.CountBoundReport` (a random-count sampler) as a booktabs table: each expected
    bound E[c(S_max)]/L ΣI + ε_train with its certified error, or, at a measured curve's ΣI (``estimated``,
    ``mi_total``), as an estimate ``$v \\pm$ stderr``."""
    unit, estimated = str(report.unit), estimated or {}
    rows = []
    for bound, value in report.items():
        cell = (_estimate_pm(estimated[bound.name], digits) if bound.name in estimated
                else table_number(value, digits, report.errors[bound.name], True))
        rows.append([prose(bound.title), _tag(bound), cell])
    total = (rf"$\Sigma I = {_estimate_pm(mi_total, digits).strip('$')}$ {unit} (estimated from a measured loss curve)"
             if mi_total is not None else rf"$\Sigma I = {latex_number(report.mi_total, digits)}$ {unit}")
    expected_max = report.expected_max
    caption = (
        rf"Expected bounds of Li \& Cai~\cite{{li2025convergence}} for the random-count sampler "
        rf"{escape_text(str(report.sampler))} ({report.steps} steps, the last revealing the rest; "
        rf"$\mathrm{{E}}\,S_{{\max}} \approx {latex_number(expected_max[0], 4, expected_max[1]).removeprefix(chr(92) + 'approx ')}$), "
        rf"$L = {report.length}$, {total} and "
        rf"$\varepsilon_{{\mathrm{{train}}}} = {latex_number(report.eps_train, digits)}$: each bound holds for every "
        r"realisation of the counts with its largest step $S_{\max}$, so "
        r"$\mathrm{E}[c(S_{\max})]\,\Sigma I/L + \varepsilon_{\mathrm{train}}$ bounds the expected error"
        + (r"; at the estimated $\Sigma I$ each is an estimate: value $\pm$ its standard error" if estimated else "")
        + f". {ROUNDED}" + (FLOATS if not estimated else "") + "."
    )
    columns = [("Result", "l"), ("Eq.", "l"), (f"Expected value ({unit})", "r")]
    return latex_table(columns, rows, caption, "bc:tab:bound", _tag_notes([b for b, _ in report.items()]))


def _bound_words(name: str) -> str:
    """A bound named in a caption by its title and equation tag (``Theorem 1 (8)``), never by its code name."""
    title = sym.get(name).title
    title = title[0].lower() + title[1:] if title.startswith("The ") else title
    return f"{title} {sym.get(name).label}"


def steps_table(results: Sequence[Any], digits: int = 6, unit: str | None = None) -> str:
    """:class:`~boundcalc.steps.StepsResult` s (one per target, the same profile and bound) as a table."""
    first = results[0]
    rows = []
    for r in results:
        if r.feasible:
            rows.append([table_number(r.target, digits), str(r.steps), str(r.max_size),
                         table_number(r.bound, digits), table_number(r.speedup, 4)])
        else:
            rows.append([table_number(r.target, digits), "none", "---", "---", "---"])
    result = sym.get(f"steps-{first.bound_name}")
    in_unit = f" ({unit})" if unit else ""
    caption = (
        rf"Fewest uniform steps $T$ whose bound by {_bound_words(first.bound_name)} is at most the target "
        rf"({tag_text(result)}, after Li \& Cai~\cite{{li2025convergence}}), for $L = {first.length}$, "
        rf"$\Sigma I = {latex_number(first.mi_total, digits)}${' ' + unit if unit else ''} and "
        rf"$\varepsilon_{{\mathrm{{train}}}} = {latex_number(first.eps_train, digits)}$; "
        r"$s_{\max} = \lceil L/T \rceil$. No $T$ reaches a target below $\varepsilon_{\mathrm{train}}$. "
        + ROUNDED + "."
    )
    columns = [(rf"Target{in_unit}", "r"), ("$T$", "r"), (r"$s_{\max}$", "r"),
               (f"Bound at $T${in_unit}", "r"), ("$L/T$", "r")]
    return latex_table(columns, rows, caption, "bc:tab:steps")


def family_steps_table(answer: Any, digits: int = 6) -> str:
    """A :class:`~boundcalc.answers.FamilyStepsAnswer` (the fewest T of a family by bound, estimated error or
    the DP, one row per target) as a table: an estimate shows ``$v \\pm$ stderr`` (and its interval over a
    partial curve's completions, T as a range), an expectation over random counts its certified error."""
    unit, by = answer.unit, answer.by
    rows = []
    for r in answer.results:
        target = table_number(r.target, digits)
        if not r.feasible:
            rows.append([target, "none", "---", "---", prose(r.reason)])
            continue
        steps = str(r.steps) if r.steps_range is None else (
            f"{r.steps} $[{r.steps_range[0]}, {'?' if r.steps_range[1] is None else r.steps_range[1]}]$")
        size = "random" if r.sampler is not None else str(r.schedule.max_size)
        notes = []
        if r.sampler is not None:
            notes.append(rf"expectation over the counts of {escape_text(str(r.sampler))}")
        if r.larger_misses:
            notes.append("larger $T$ that miss: " + ", ".join(map(str, r.larger_misses[:6]))
                         + (r", \dots" if len(r.larger_misses) > 6 else ""))
        if r.undecided:  # within the value's certified float error of the target: neither reached nor missed
            notes.append("undecided within the float error: $T$ = " + ", ".join(map(str, r.undecided[:6]))
                         + (r", \dots" if len(r.undecided) > 6 else ""))
        rows.append([target, steps, size, _search_cell(r.value, unit, digits), "; ".join(notes)])
    what = {"bound": f"bound by {_bound_words(answer.bound)}", "error": "error",
            "optimal": "optimal schedule (a dynamic programme over the curve) has an error that"}[by]
    family = "" if by == "optimal" else f" of the {escape_text(answer.family)} family"
    ranges = any(r.steps_range is not None for r in answer.results)
    mi = answer.mi_estimate
    total = (_estimate_pm(from_nats(mi.measured(), unit), digits).strip("$") if answer.estimate
             else latex_number(answer.profile.total, digits).removeprefix(chr(92) + "approx "))
    caption = (
        rf"Fewest steps $T${family} whose {what} is at most the target, for "
        rf"$L = {answer.profile.length}$ and $\Sigma I = {total}$ {unit}"
        + (r" (Li \& Cai~\cite{li2025convergence}), with "
           rf"$\varepsilon_{{\mathrm{{train}}}} = {latex_number(answer.eps_train, digits)}$" if by == "bound" else "")
        + (r". Values are estimated from a measured loss curve: value $\pm$ its standard error ($\pm\,?$ where "
           r"the curve has none)" if answer.estimate else "")
        + (r"; where the curve leaves $d$ unmeasured, each value's interval over every monotone completion, and $T$ "
           r"with its range $[T_{\mathrm{lo}}, T_{\mathrm{hi}}]$" if ranges else "")
        + (". Values are expectations over the random reveal counts" if answer.random_counts else "")
        + f". {ROUNDED}."
    )
    columns = [(f"Target ({unit})", "r"), ("$T$", "r"), (r"$s_{\max}$", "r"), (f"Value ({unit})", "r"),
               ("Note", "X")]
    return latex_table(columns, rows, caption, "bc:tab:steps-search")


def _search_cell(value: Any, unit: str, digits: int) -> str:
    """A search's value: an exact bound, an estimate (nats, a curve's Estimate) in ``unit`` with ``\\pm``
    stderr, or a float with its certified error (an expectation over random counts)."""
    if value is None:
        return "---"
    if isinstance(value, Fraction):
        return table_number(value, digits)
    measured = from_nats(value.measured(), unit) if type(value).__name__ == "Estimate" else (
        value.measured() if hasattr(value, "measured") else value)
    if measured.estimate:
        return _estimate_pm(measured, digits)
    return table_number(measured.value, digits, measured.error, measured.nonnegative)


def verify_table(report: Any, digits: int = 6, values: "Callable[[str], Any] | None" = None) -> str:
    """A :class:`~boundcalc.verification.VerifyReport`: the exact error and every bound, each float
    with only the digits its certified error justifies, their ratio, and whether the bound holds.

    From a measured loss curve (:func:`~boundcalc.verification.with_curve_spreads`) every value is an
    estimate, shown ``$v \\pm$ stderr``, and each ratio carries ``R (σ_b/b + σ_e/e)``: the largest
    stderr linear propagation gives a ratio of two estimates whatever their correlation. ``values``
    (name -> the value shown; ``report.measured`` by default) lets a :class:`~boundcalc.answers.VerifyAnswer`
    add each value's interval over a partial curve's monotone completions (``\\in [low, high]``)."""
    measured_of = report.measured if values is None else values
    unit = str(report.unit)
    estimated = report.measured("mi_total").estimate
    word = "estimated" if estimated else "exact"

    ranged = []

    def cell(measured: Any) -> str:
        if measured.estimate:
            ranged.append(measured.interval is not None)
            return _estimate_pm(measured, digits)
        return table_number(measured.value, digits, measured.error, measured.nonnegative)

    counts = report.schedule.random_counts
    rows = [[f"{'Expected ' + word if counts else word.capitalize()} error", "(23)", cell(measured_of("truth")),
             "" if estimated else "1", ""]]
    if report.random_error is not None:
        rows.append([f"Random schedule, {word} mean error", "", cell(measured_of("random")), "", ""])
    ratios, holds = report.ratios(), report.holds()
    verdicts = {True: "yes", False: r"no (estimate)" if estimated else r"\textbf{no}", "undecided": "undecided",
                None: ""}
    shown = []
    for bound, error in report.compared():
        value = measured_of(bound.name)
        if value is None:
            continue
        ratio = ratios.get(bound.name)
        ratio_cell = "" if ratio is None or error is None else _ratio_cell(ratio, value, error)
        lower = r" ($\ge$)" if bound.direction == "lower" else ""
        rows.append([prose(bound.title) + lower, _tag(bound), cell(value), ratio_cell,
                     verdicts[holds.get(bound.name)]])
        shown.append(bound)
    mi = report.measured("mi_total")
    total = (_estimate_pm(mi, digits).strip("$") if estimated else
             latex_number(report.mi_total, digits, report.input_error, True).removeprefix(chr(92) + "approx "))
    caption = (
        (rf"The {word} expected error of the random-count sampler {escape_text(str(report.schedule))} "
         rf"($T = {report.bounds.steps}$ steps, $\mathrm{{E}}\,S_{{\max}} \approx {report.bounds.expected_max[0]:.4g}$; "
         r"errors and bounds are expectations over the counts; "
         if counts else rf"The {word} error of a schedule of $T = {report.bounds.steps}$ steps with "
         rf"$s_{{\max}} = {report.bounds.max_size}$ (")
        + rf"$L = {report.bounds.length}$, "
        rf"$\Sigma I \approx {total}$ "
        rf"{unit}) against the bounds of Li \& Cai~\cite{{li2025convergence}}, in {unit}. "
        + (r"Every value is estimated from a measured loss curve: value $\pm$ its standard error ($\pm\,?$ "
           r"where the curve has none); the bounds at the estimated $\Sigma I$ and $\Phi$. " if estimated else "")
        + (r"$\in [\mathrm{low}, \mathrm{high}]$: the value's interval over every monotone completion of the "
           r"partial curve, its ends rounded outward. " if any(ranged) else "")
        + rf"Ratio: bound / {word} error (for a lower bound, against the random schedule's mean error). "
        + ROUNDED + (FLOATS if not estimated else "") + "."
    )
    columns = [("Quantity", "X"), ("Eq.", "l"), (f"Value ({unit})", "r"), ("Ratio", "r"), ("Holds", "c")]
    return latex_table(columns, rows, caption, "bc:tab:verify", _tag_notes(shown))


def _ratio_cell(ratio: float, bound: Any, error: Any) -> str:
    """bound / error: the certified relative errors of both sides add up; for two estimates the ratio's stderr is
    at most R (σ_b/b + σ_e/e) (linear propagation, any correlation between them)."""
    relative = bound.error / abs(bound.value) + error.error / abs(error.value) if bound.value else 0.0
    if not (bound.estimate or error.estimate):
        return table_number(ratio, 3, abs(ratio) * relative)
    if bound.stderr is None and bound.estimate or error.stderr is None and error.estimate:
        stderr = None
    else:
        stderr = abs(ratio) * sum((m.stderr or 0.0) / abs(m.value) for m in (bound, error) if m.value)
    return _estimate_pm(Measured(ratio, abs(ratio) * relative, stderr=stderr, estimate=True), 3)


#: A global bound's blockwise (B1) form: a semi-autoregressive family's rows show it in the same column.
BLOCKWISE = {"theorem1": "block_theorem1", "sharp": "block_sharp", "recursion": "block_recursion",
             "corollary1": "block_corollary1"}
#: The bound columns of a sweep table unless others are asked for: Theorem 1 as published, the tightest of its
#: exact forms, and Theorem 2's upper bound (the others with ``bounds=``; all of them in the CSV and JSON).
SWEEP_DEFAULT = ("theorem1", "sharp", "theorem2_upper")
#: The width a table may take: an article's text width at 10 pt (345 pt), less a margin for the estimate.
TEXT_WIDTH_PT = 330.0


def sweep_bounds(result: Any) -> tuple[str, ...]:
    """The bounds a sweep table can show, in the registry's order: each once (its blockwise form shares its
    column); not Theorem 2's lower bound, which is about the random schedule, not the rows' schedules."""
    names = result.bound_names
    return tuple(name for name in result.registry if not name.startswith("block_") and name != "theorem2_lower"
                 and (name in names or BLOCKWISE.get(name) in names))


def sweep_table(result: Any, digits: int = 6, bounds: Sequence[str] | None = None) -> str:
    """A :class:`~boundcalc.sweeps.SweepResult`: for each family (a heading row) a row per T with s_max, the
    errors (float64 with justified digits, or estimates) and the ``bounds`` (default :data:`SWEEP_DEFAULT`;
    ``"all"`` for every one of :func:`sweep_bounds`). Columns that do not fit an article's width go to
    continuation tables with the same rows, each fitting it."""
    available = sweep_bounds(result)
    if bounds is None:
        shown = [name for name in SWEEP_DEFAULT if name in available]
    elif list(bounds) == ["all"]:
        shown = list(available)
    else:
        missing = [name for name in bounds if name not in available]
        if missing:
            raise ValueError(f"no {', '.join(missing)} in this sweep (it has {', '.join(available)})")
        shown = list(dict.fromkeys(bounds))
    errors = [name for name in ("error", "optimal") if any(getattr(row, name) is not None for row in result.rows)]
    cells = {name: [_sweep_cell(row, name, digits) for row in result.rows] for name in errors + shown}
    groups = _column_groups(result, errors, shown, cells, digits)
    tables = [_sweep_part(result, part, len(groups), errors if part == 0 else [], group, cells, digits)
              for part, group in enumerate(groups)]
    return "".join(tables)


def _sweep_cell(row: Any, name: str, digits: int) -> str:
    """A sweep row's value of ``name``: an error, or a bound (its blockwise form on a blockwise row)."""
    if name not in ("error", "optimal") and row.bounds.get(name) is None and BLOCKWISE.get(name):
        name = BLOCKWISE[name]
    measured = row.measured(name)
    if measured is not None and measured.estimate:  # from a measured loss curve: value ± stderr
        return _estimate_pm(measured, digits)
    if measured is not None:
        return table_number(measured.value, digits, measured.error, measured.nonnegative)
    value = None if name in ("error", "optimal") else row.bounds.get(name)
    return "" if value is None else table_number(value, digits)


def _width(text: str) -> float:
    """The width of a cell in points, estimated generously (small type: about 4.6 pt a character)."""
    visible = re.sub(r"\\times 10\^\{(-?\d+)\}", lambda m: "x10" + m.group(1), text)
    visible = re.sub(r"\\pm\\?,?", "+-", visible.replace("$", "").replace("\\,", ""))
    visible = re.sub(r"\\[A-Za-z]+|[{}]", "", visible)
    return 4.6 * len(visible) + 12.0  # \tabcolsep on both sides


def _column_groups(result: Any, errors: list[str], shown: list[str], cells: dict[str, list[str]],
                   digits: int) -> list[list[str]]:
    """The bound columns of each table: as many as fit beside T, s_max (and, in the first, the errors)."""
    heads = {"error": "Est. error", "optimal": "Optimal"}

    def width(name: str) -> float:
        head = heads[name] if name in heads else _tag(result.registry[name])
        return max([_width(head)] + [_width(cell) for cell in cells[name]])

    fixed = max(_width(str(row.steps)) for row in result.rows) + max(
        [_width("$s_{\\max}$")] + [_width(_sweep_size(row)) for row in result.rows])
    groups: list[list[str]] = [[]]
    used = fixed + sum(width(name) for name in errors)
    for name in shown:
        if groups[-1] and used + width(name) > TEXT_WIDTH_PT:
            groups.append([])
            used = fixed
        groups[-1].append(name)
        used += width(name)
    return groups


def _sweep_part(result: Any, part: int, parts: int, errors: list[str], shown: list[str],
                cells: dict[str, list[str]], digits: int) -> str:
    """One table of a sweep: T, s_max, ``errors`` and the bound columns ``shown``, a heading row per family."""
    registry, unit = result.registry, str(result.unit)
    heads = {"error": "Est. error" if result.estimate else "Error", "optimal": "Optimal"}
    index = {id(row): i for i, row in enumerate(result.rows)}
    blockwise = any(BLOCKWISE.get(name) in row.bounds and row.bounds.get(name) is None
                    and row.bounds.get(BLOCKWISE[name]) is not None for row in result.rows for name in shown)
    width = 2 + len(errors) + len(shown)
    rows: list[list[str | None]] = []
    for family in result.families:  # the family as a heading row: long names take no column
        name = escape_text(family.removesuffix(":T"))  # a template's T: the rows give it
        rows.append([rf"\multicolumn{{{width}}}{{@{{}}l}}{{\emph{{{name}}}}}"] + [None] * (width - 1))
        for row in result.family_rows(family):
            values: list[str | None] = [cells[name][index[id(row)]] for name in errors + shown]
            rows.append([str(row.steps), _sweep_size(row), *values])
    columns = [("$T$", "r"), (r"$s_{\max}$", "r")] + [(heads[name], "r") for name in errors]
    columns += [(_tag(registry[name]), "r") for name in shown]
    notes = ["; ".join(f"{_tag(registry[name])}: {_column_title(registry[name])}" for name in shown)
             + (" (rows of blockwise families: the blockwise form (B1) of the same coefficient)" if blockwise else "")
             + "."] if shown else []
    notes += _tag_notes([registry[name] for name in shown] + ([registry["block_sharp"]] if blockwise else []))
    label = "bc:tab:sweep" if part == 0 else f"bc:tab:sweep-{part + 1}"
    caption = _sweep_caption(result, errors) if part == 0 else (
        rf"Table~\ref{{bc:tab:sweep}} continued ({part + 1} of {parts}): further bounds of Li \& "
        rf"Cai~\cite{{li2025convergence}} over the same grid of $T$ ($L = {result.length}$), in {unit}. "
        "An empty cell: the bound does not apply to that schedule. " + ROUNDED + ".")
    if part == 0 and parts > 1:
        caption += rf" Further bounds: Table{'s' if parts > 2 else ''}~" + ", ".join(
            rf"\ref{{bc:tab:sweep-{k + 1}}}" for k in range(1, parts)) + "."
    table = latex_table(columns, rows, caption, label, notes)
    return table.replace("\\centering\n", "\\centering\n\\small\n", 1)


def _column_title(bound: Any) -> str:
    """A bound column's meaning in a note (the per-token TER bound is not a KL: it says so)."""
    title = prose(bound.title)
    return title + " (per token, a bound on the log token error rate gap)" if bound.quantity == "ter" else title


def _sweep_size(row: Any) -> str:
    """s_max; a random-count sampler's s_max is random: its expectation."""
    if row.max_size is not None:
        return str(row.max_size)
    measured = row.measured("expected_s_max")
    return table_number(measured.value, 3, measured.error, True)


def _sweep_caption(result: Any, errors: list[str]) -> str:
    unit = str(result.unit)
    truth = ("estimated from a measured loss curve (not exact): value $\\pm$ its standard error ($\\pm\\,?$ where the"
             " curve has none), with the digits the standard error justifies; the bounds are at the estimated"
             " $\\Sigma I$ and $\\Phi$, so they are estimates too" if result.estimate else
             "exact float64 results, shown with the digits their certified error justifies")
    return (
        rf"Bounds of Li \& Cai~\cite{{li2025convergence}} over a grid of $T$ ($L = {result.length}$), in {unit}"
        + (f"; the errors are {truth}" if errors else "")
        + ". An empty cell: the bound does not apply to that schedule. " + ROUNDED + "."
        + (r" Rows of random-count samplers give expectations over the counts: the "
           + ("expected error" if result.estimate else "exact expected error") + r", the"
           r" expected bounds $\mathrm{E}[c(S_{\max})]\,\Sigma I/L + \varepsilon_{\rm train}$, and"
           r" $\mathrm{E}\,S_{\max}$ in the $s_{\max}$ column." if result.has_counts else "")
    )


def budget_latex_table(rows: Sequence[dict[str, Any]], *, steps: int, length: int, mi_total: Any, bound: str,
                       unit: str = "nats", digits: int = 6, estimate: bool = False) -> str:
    """The rows of :func:`boundcalc.estimate.budget_table` (one per family, a fixed T) as a table: each
    family's s_max, its error (an estimate from a loss curve: value and standard error) and its bound."""
    out = []
    ranged = any(row["error"] is not None and getattr(row["error"], "interval", None) is not None for row in rows)
    for row in rows:
        family, error, value = escape_text(row["family"]), row["error"], row["bound"]
        sampler = row.get("sampler")
        size = "random" if sampler is not None else "---" if row["schedule"] is None else str(row["schedule"].max_size)
        err = "---" if error is None else _estimate_cell(error, unit, digits)
        if value is None:
            bound_cell = "---"
        elif getattr(value, "estimate", False):  # at the ΣI estimated from a measured curve: value ± stderr
            bound_cell = _estimate_pm(value.measured() if hasattr(value, "measured") else value, digits)
        elif hasattr(value, "error"):  # an expectation over random counts, with its certified error
            bound_cell = table_number(value.value, digits, value.error, True)
        else:
            bound_cell = table_number(value, digits)
        note = "expectations over the random counts" if sampler is not None else prose(row["reason"])
        out.append([family, size, err, bound_cell, note])
    total = (_estimate_pm(mi_total, digits).strip("$") if getattr(mi_total, "estimate", False)
             else latex_number(mi_total, digits).removeprefix(chr(92) + 'approx '))
    caption = (
        rf"Each schedule family at $T = {steps}$ ($L = {length}$, $\Sigma I = {total}$ "
        rf"{unit}{' estimated' if estimate else ''}): its error"
        + (r" estimated from a measured loss curve, $\pm$ one standard error ($\pm\,?$ where the curve has none)"
           + (r" and $\in [\mathrm{low}, \mathrm{high}]$ its interval over every monotone completion of the"
              r" partial curve, its ends rounded outward" if ranged else "") + "," if estimate else "")
        + rf" and its bound by {_bound_words(bound)} (Li \& Cai~\cite{{li2025convergence}})"
        + (r" at the estimated $\Sigma I$, $\pm$ one standard error" if estimate else "")
        + rf", in {unit}. {ROUNDED}."
    )
    columns = [("Family", "l"), (r"$s_{\max}$", "r"), ("Error", "r"), ("Bound", "r"), ("Note", "X")]
    return latex_table(columns, out, caption, "bc:tab:budget")


def _estimate_cell(error: Any, unit: str, digits: int) -> str:
    """A budget row's error in ``unit``: a data model's exact-curve value to its digits; an estimate from a
    measured curve as every table shows one (:func:`_estimate_pm`): ``$v \\pm se$`` (``\\pm ?`` without a
    stderr column: an estimate is never shown bare) and, where the curve leaves d unmeasured, its interval
    over the monotone completions, ``\\in [low, high]``; the terminal table shows the same."""
    if getattr(error, "exact", False):
        return table_number(from_nats(max(error.value, 0.0), unit), digits)
    return _estimate_pm(from_nats(error.measured(), unit), digits)
