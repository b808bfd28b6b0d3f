"""The terminal-table printer: a value's table (title, columns, rows, caption) as plain text cells.

:func:`to_table` dispatches along the value's MRO (:mod:`boundcalc.dispatch`, the rule the JSON and
LaTeX printers follow too) to the printer registered for its class; the command line draws the
:class:`Table` with rich (``boundcalc.cli.render.emit_table``), and any other front end may draw
it as it likes (:meth:`Table.plain` is a plain-text form). A new value class gets its table by one
:func:`register` call.

>>> from boundcalc.bounds import recursion_report
>>> table = to_table(recursion_report(4, 8), digits=4)
>>> table.title, [row[:3] for row in table.rows]
('Recursion (19) for s_max = 4: chain 4, 2, 1', [('0', '4', '0.25'), ('1', '2', '0.125'), ('sum', '', '0.375')])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from .dispatch import Printers
from .exact import FLOAT_DIGITS, ceil_log2, format_decimal
from .units import from_nats, log_name

__all__ = ["Table", "table", "to_table", "register", "PRINTERS", "cell", "describe_profile", "steps_cell"]


@dataclass(frozen=True)
class Table:
    """A table as text: ``columns`` are (heading, justify) pairs ("left" or "right"), ``rows`` lists of cells,
    ``header_lines`` printed between the title and the table, ``caption`` after it, ``preamble`` before the title
    (an answer's sentences, plain lines)."""

    title: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None
    header_lines: tuple[str, ...] = field(default=())
    preamble: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"a row of {len(row)} cells in a table of {width} columns: {row!r}")

    def plain(self) -> str:
        """The table as plain text: title, header lines, a tab-separated header and rows, the caption."""
        lines = [*self.preamble, self.title, *self.header_lines, "\t".join(h for h, _ in self.columns)]
        lines += ["\t".join(row) for row in self.rows]
        return "\n".join(lines + ([self.caption] if self.caption else [])) + "\n"


def table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]], caption: str | None = None,
          header_lines: Sequence[str] = (), preamble: Sequence[str] = ()) -> Table:
    """A :class:`Table` from lists (what printers build)."""
    return Table(title, tuple((heading, justify) for heading, justify in columns), tuple(tuple(r) for r in rows),
                 caption, tuple(header_lines), tuple(preamble))


def cell(x: Fraction | int | None, digits: int, exact: bool = False, none: str = "-") -> str:
    """A number for a table cell: the correctly rounded decimal, and the exact value if asked."""
    if x is None:
        return none
    text = format_decimal(x, digits)
    if exact and Fraction(x).denominator != 1:
        text = f"{text}  [{Fraction(x)}]"
    return text


def to_table(obj: Any, digits: int = 6, **options: Any) -> Table:
    """The :class:`Table` of ``obj``: the printer of the first class of its MRO that has one.

    ``digits`` for the decimals; ``options`` go to the printer (``exact``: exact values beside the
    decimals; ``header_lines``: lines about the inputs that only the caller knows).
    """
    return PRINTERS(obj, digits, **options)


def register(cls: type | str, printer: Callable[..., Table] | None = None) -> Any:
    """Print instances of ``cls`` (or its subclasses) as a table with ``printer(value, digits, **options)``
    (a decorator without ``printer``)."""
    return PRINTERS.register(cls, printer)


def _table_RecursionReport(report: Any, digits: int, exact: bool = False) -> Table:
    """The recursion (19) unrolled, next to the closed form (20) and the sharp floor(c/2) terms."""
    scale = Fraction(1, report.length) if report.length else Fraction(1)
    levels = ceil_log2(report.max_size)
    rows = [[str(k), str(c), cell(term, digits, exact), cell(Fraction(1 << (levels - k), 2) * scale, digits, exact),
             cell((c // 2) * scale, digits, exact)] for k, (c, term) in enumerate(zip(report.chain, report.terms))]
    rows.append(["sum", "", cell(report.unrolled, digits, exact), cell(report.closed_form, digits, exact),
                 cell(report.sharp, digits, exact)])
    unit = "ΣI" if report.length else "ΣI/L"
    ratio = report.ratio
    sharp = "-" if report.closed_form == 0 else cell(report.sharp / report.closed_form, digits)
    return table(
        f"Recursion (19) for s_max = {report.max_size}: chain {', '.join(map(str, report.chain))}",
        [("level k", "right"), ("c_k", "right"), (f"c_k/2 [{unit}]", "right"),
         (f"(20): 2^(K-k)/2 [{unit}]", "right"), (f"floor(c_k/2) [{unit}]", "right")],
        rows,
        caption=f"K = ceil(log2 s_max) = {levels}; exact/closed form = "
        + ("- (both 0)" if ratio is None else f"{cell(ratio, digits)} [{ratio}]")
        + f"; sharp/closed form = {sharp}",
    )


def _table_ConfidenceBound(result: Any, digits: int, exact: bool = False) -> Table:
    """Fast-dLLM's per-step bound with its formula and assumptions."""
    log = "ln" if result.unit == "nats" else "log2"
    return table(
        f"Confidence decoding: KL of one step ({result.unit})",
        [("bound", "left"), ("value", "right"), ("formula", "left")],
        [["confidence (Fast-dLLM Thm 1)", cell(Fraction(result.value), digits),
          f"(n-1)(H_b(ε) + ε {log}(V-1)), n = {result.reveal}, ε = {cell(result.eps, digits)}, "
          f"V = {result.vocab_size}"]],
        caption="assumes each of the n tokens revealed together has a value of (true conditional) probability "
        ">= 1 - ε given the revealed context, ε <= (V-1)/V; bounds that step's KL between the joint and the "
        "product of its marginals (value rounded up); not a bound on an adaptive sampler's KL, whose positions depend "
        "on the values: its exact error is that of the sampler confidence:TAU in verify (docs/samplers.md).",
    )


def _table_CountBoundReport(report: Any, digits: int, exact: bool = False, header_lines: Sequence[str] = (),
                            estimated: Mapping[str, Any] | None = None) -> Table:
    """A random-count sampler's expected per-realisation bounds (``header_lines``: the profile, said first;
    ``estimated``: name -> Measured estimate with its stderr, at a measured loss curve's ΣI)."""
    errors, sampler, estimated = report.errors, report.sampler, estimated or {}
    rows = [[f"E {entry.name} (per realisation)", entry.equation,
             estimated[entry.name].show(digits) if entry.name in estimated else cell(Fraction(value), digits),
             f"E c(S_max) / L · ΣI + ε_train, ± {errors[entry.name]:.1g}"] for entry, value in report.items()]
    return table(
        f"Expected upper bounds on E KL(p_X0 || p_Y0) ({report.unit}), random reveal counts",
        [("bound", "left"), ("eq.", "left"), ("value", "right"), ("formula", "left")],
        rows,
        header_lines=[
            *header_lines,
            f"sampler {sampler}: {len(sampler.reveal)} steps (the last reveals the rest); "
            f"E s_max = {report.expected_max[0]:.6g}; E steps revealing >= 1 token = {report.nonempty_steps[0]:.6g}; "
            f"ε_train = {cell(report.eps_train, digits)}",
        ],
        caption="each still-masked token is revealed at step k with probability p_k; the bounds hold for every "
        "realisation of the counts, so their expectation bounds the expected error (docs/theory.md, section 12). "
        + ("float64 with the stated error" if not estimated else
           "estimates at the loss curve's ΣI: value ± stderr (interp. |linear - monotone cubic|)")
        + "; corollary1 and theorem2 are not listed",
    )


def describe_profile(profile: Any, digits: int, exact: bool = False, with_source: bool = True) -> str:
    """'L = 5, ΣI = 2.58 nats (from mi.csv)': an MI profile's length and total, and where its values came from."""
    from .profile import FLOAT_PRINTED

    text = f"L = {profile.length}, ΣI = {cell(profile.total, digits, exact)} {profile.unit}"
    if with_source and profile.kind == "values":
        text += f" (from {profile.source}" + (f"; {FLOAT_PRINTED})" if profile.float_derived else ")")
    return text


def _headers(source: str, totals: str) -> list[str]:
    """The source, then L and ΣI unless the source's description already says them (an MI total given)."""
    return [source] if totals.startswith(source) or source.startswith(totals) else [source, totals]


def _estimate_shown(estimate: Any, unit: str, digits: int) -> str:
    """A float estimate computed in nats (an Estimate), shown in ``unit`` with its stderr."""
    return from_nats(estimate.measured(), unit).show(digits)


def _mi_header(answer: Any, unit: str, digits: int, exact: bool) -> str:
    """'L = ..., ΣI = ...': the curve's estimate (with stderr) for a measured curve, else the profile's exact total."""
    profile = answer.profile
    return f"L = {profile.length}, ΣI = " + (f"{_estimate_shown(answer.mi_estimate, unit, digits)} {unit} (estimate)"
                                             if answer.estimate else f"{cell(profile.total, digits, exact)} {unit}")


_BLOCKS_CAPTION = (
    "positions random only inside the current block (blocks left to right): the bounds for random positions "
    "over all L do not apply and are not listed (docs/theory.md, section 11); c(s_b) is each block's "
    "coefficient at its largest step s_b, ΣI_b <= Σ_{i∈b} I_i, or max_b c(s_b)/B_b ΣI with only ΣI"
)


def _bound_formula(entry: Any, report: Any) -> str:
    """The registry's formula, with S where Theorem 2 uses it and the reason where a bound does not apply."""
    text = entry.formula
    if entry.quantity == "ter":
        text = text.replace("log", log_name(report.unit), 1)
    if report.multiscale is not None and "S" in text.split():
        text += f", S = {report.multiscale.scale}"
    if entry.about == "random" and report.multiscale is not None:
        text += f": random:{report.multiscale.scale} on average (a lower bound)"
    reason = report.reasons.get(entry.name)
    return text if reason is None else f"{text}; {reason}"


def _table_BoundReport(report: Any, digits: int, exact: bool = False) -> Table:
    """Each bound of the registry that has its inputs, for one schedule."""
    return _bound_table(report, None, digits, exact)


def _table_CurveBoundReport(result: Any, digits: int, exact: bool = False) -> Table:
    """The bounds at a loss curve's ΣI and Φ: estimates with ± stderr for a measured curve."""
    return _bound_table(result.report, result, digits, exact)


def _bound_table(report: Any, at_curve: Any, digits: int, exact: bool) -> Table:
    """bound's table: each bound that has its inputs (an estimate with ± stderr where ``at_curve`` has one)."""
    profile, schedule, multiscale = report.inputs.profile, report.inputs.schedule, report.inputs.multiscale
    estimated = {} if at_curve is None else at_curve.estimated
    rows = [[entry.name, entry.equation,
             estimated[entry.name].show(digits) if entry.name in estimated else cell(value, digits, exact, none="n/a"),
             _bound_formula(entry, report)]
            for entry, value in report.items() if entry.has_inputs(report.inputs)]
    if report.vocab_size is not None:
        log = profile.unit.log_name
        rows.append(["ter (any data)", "(11)", report.ter_vocabulary.decimal(digits), f"theorem1 / L with ΣI <= L {log} V"])
        rows.append(["uniform baseline", "", report.uniform_baseline.decimal(digits),
                     f"{log} V: TER gap of uniform sampling"])
    blocks = schedule.positions == "blocks"
    phi = ""
    if multiscale is not None:
        levels = None if at_curve is None else at_curve.curve_levels
        shown = (cell(multiscale.phi, digits, exact) if at_curve is None else levels[1].show(digits) if levels
                 else cell(multiscale.phi, min(digits, FLOAT_DIGITS), exact))
        phi = f"; Φ = {shown} (S = {multiscale.scale})"
    return table(
        f"Upper bounds on E_M KL(p_X0 || p_Y0|M) ({profile.unit})" + (", semi-autoregressive" if blocks else ""),
        [("bound", "left"), ("eq.", "left"), ("value", "right"), ("formula", "left")],
        rows,
        caption=(_BLOCKS_CAPTION if blocks else None) if not estimated else
        "estimates: value ± stderr (interp. |linear - monotone cubic|) from the curve's ΣI and Φ"
        + ("; " + _BLOCKS_CAPTION if blocks else ""),
        header_lines=[
            *([f"{profile.source}: ΣI and Φ are estimates"] if at_curve is not None else []),
            (describe_profile(profile, digits, exact) if not estimated else
             f"L = {profile.length}, ΣI = {_estimate_shown(at_curve.mi_estimate, str(profile.unit), digits)} "
             f"{profile.unit}") + phi,
            f"schedule {schedule} (reveal order): T = {report.steps}, s_max = {report.max_size}; "
            f"ε_train = {cell(report.eps_train, digits)}",
        ],
    )


def _table_UniformStepsAnswer(answer: Any, digits: int, exact: bool = False) -> Table:
    """The fewest T of uniform schedules by a bound (the closed form), one row per target."""
    from .bound_registry import BOUNDS

    profile, eps_train = answer.profile, answer.eps_train
    rows = []
    for r in answer.results:
        if r.feasible:
            rows.append([cell(r.target, digits, exact), str(r.steps), str(r.max_size), cell(r.bound, digits, exact),
                         cell(r.speedup, 4)])
        else:
            rows.append([cell(r.target, digits, exact), "infeasible", "-",
                         f"floor ε_train = {cell(eps_train, digits)}", "-"])
    return table(
        f"Fewest steps T with {answer.bound} bound <= target (eq. {BOUNDS[answer.bound].equation}), uniform schedules",
        [("target ε", "right"), ("steps T", "right"), ("s_max", "right"), ("bound at T", "right"), ("L/T", "right")],
        rows,
        caption=f"ε_train = {cell(eps_train, digits)} {profile.unit}; s_max = ceil(L/T); larger steps first (uniform:T)",
        header_lines=[*([answer.source] if answer.example else []),
                      describe_profile(profile, digits, exact, not answer.example)],
    )


def steps_cell(r: Any) -> str:
    """'52' or '52 [48, ∞]' (the range over monotone completions; the DP optimum's upper end is a limit: '≤ 61')."""
    if r.steps_range is None:
        return str(r.steps)
    lo, hi = r.steps_range
    return f"{r.steps} [{lo}, {'∞' if hi is None else ('≤ ' if r.by == 'optimal' else '') + str(hi)}]"


def _count_result_row(r: Any, digits: int, exact: bool) -> list[str]:
    """A steps table row for a random-count family: E s_max is not a fixed size; E network calls instead."""
    calls, _ = r.sampler.expected_nonempty_steps()
    misses = ", ".join(map(str, r.larger_misses[:6])) or "-"
    if r.undecided:
        misses += f"; undecided: {', '.join(map(str, r.undecided[:6]))}"
    return [cell(r.target, digits, exact), steps_cell(r), "random", r.value.show(digits),
            f"{r.sampler}: E calls {calls:.4g} (steps revealing >= 1 token)", misses]


def _family_steps_row(r: Any, digits: int, exact: bool) -> list[str]:
    """One target's row of the family search: its T, s_max, value, schedule and the larger T that miss."""
    if r.feasible and r.sampler is not None:
        return _count_result_row(r, digits, exact)
    if not r.feasible or r.schedule is None:
        return [cell(r.target, digits, exact), "none", "-", "-", r.reason, "-"]
    value = cell(r.value, digits, exact) if isinstance(r.value, Fraction) else r.value.show(digits)
    misses = "-" if not r.larger_misses else ", ".join(map(str, r.larger_misses[:6])) + (
        ", ..." if len(r.larger_misses) > 6 else "")
    return [cell(r.target, digits, exact), steps_cell(r), str(r.schedule.max_size), value, r.schedule.describe(8),
            misses]


def _table_FamilyStepsAnswer(answer: Any, digits: int, exact: bool = False) -> Table:
    """The fewest T of one family by bound, estimated error or the DP, one row per target."""
    unit, by, counts, estimate, results = answer.unit, answer.by, answer.random_counts, answer.estimate, answer.results
    what = {"bound": f"{answer.bound} bound", "error": "estimated error" if estimate else "exact error",
            "optimal": "DP-optimal error" + (" (estimated)" if estimate else "")}[by]
    if counts:  # random reveal counts: every value is an expectation over them
        what = "expected " + what + " (over the random reveal counts)"
    family = answer.family if answer.spec is None else str(answer.spec)
    fam = "DP-optimal schedules" if by == "optimal" else f"{family} " + ("samplers" if counts else "schedules")
    return table(
        f"Fewest steps T with {what} <= target, {fam}",
        [("target ε", "right"), ("steps T", "right"), ("s_max", "right"), (f"value ({unit})", "right"),
         ("schedule (reveal order)", "left"), ("larger T that miss", "left")],
        [_family_steps_row(r, digits, exact) for r in results],
        header_lines=_headers(answer.source, _mi_header(answer, unit, digits, exact)),
        caption=f"search: {results[0].search}; checked T <= {results[0].checked_up_to}"
        + ("; estimates: ± stderr, (interp. |linear - monotone cubic|)" if estimate and by != "bound" else "")
        + ("; values are expectations over the random reveal counts" if counts else "")
        + (f"; {answer.decision_note}" if counts and by == "bound" else "")
        + (f"; ε_train = {cell(answer.eps_train, digits)} {unit}" if by == "bound" else "")
        + ("; T [T_lo, T_hi] and values [low, high] over every monotone completion of the unmeasured d (gaps and ends)"
           if any(r.steps_range is not None for r in results) else ""),
    )


def _budget_bound_cell(bound: Any, digits: int, exact: bool) -> str:
    """A budget row's bound: exact, an expectation over random counts, or an estimate (± stderr) from a curve."""
    if bound is None:
        return "-"
    return bound.show(digits) if hasattr(bound, "show") else cell(bound, digits, exact)


def _budget_row(row: dict[str, Any], digits: int, exact: bool) -> list[str]:
    """One family's row at the budget: its schedule (or sampler), s_max, error, bound and a note."""
    error = "-" if row["error"] is None else row["error"].show(digits)
    if row.get("sampler") is not None:
        calls, _ = row["sampler"].expected_nonempty_steps()
        return [row["family"], f"{row['sampler']}: random counts", "random", error,
                _budget_bound_cell(row["bound"], digits, exact), f"expected over the counts; E calls {calls:.4g}"]
    sched = row["schedule"]
    if sched is None:
        return [row["family"], "-", "-", "-", "-", row["reason"]]
    return [row["family"], sched.describe(8), str(sched.max_size), error, _budget_bound_cell(row["bound"], digits, exact),
            ""]


def _table_BudgetAnswer(answer: Any, digits: int, exact: bool = False, curve_hint: str = "") -> Table:
    """At T steps: each family's (estimated) error and bound (``curve_hint``: how to give a loss curve, said
    where the errors need one)."""
    unit, estimate = answer.unit, answer.estimate
    return table(
        f"T = {answer.steps} steps: each family's {'estimated ' if estimate else ''}error and {answer.bound} bound ({unit})",
        [("family", "left"), ("schedule (reveal order)", "left"), ("s_max", "right"), ("error", "right"),
         (answer.bound, "right"), ("note", "left")],
        [_budget_row(row, digits, exact) for row in answer.rows],
        header_lines=_headers(answer.source, _mi_header(answer, unit, digits, exact)),
        caption=("errors need a loss curve" + (f" ({curve_hint})" if curve_hint else "") + "; "
                 if answer.curve is None else "")
        + ("estimates: ± stderr, (interp. |linear - monotone cubic|); " if estimate else "")
        + "info-optimal: step density ∝ sqrt(slope of the information curve) (Lavenant & Zanella); "
        "optimal: the DP over the curve",
    )


def _table_ProfileAnswer(answer: Any, digits: int, use_with: str | None = None) -> Table:
    """A data model's MI profile written to a file: its totals (``use_with``: the command that reads it)."""
    column = answer.columns[0][1]
    written = [Fraction(x) for x in answer.written(column)]
    total, size, unit, length = sum(written, Fraction(0)), answer.columns[0][0], answer.unit, answer.length
    rows = [
        ["tokens L", str(length)],
        ["ΣI" if size is None else f"Σ_i E I(X^(i); X∘A), |A| = {size}", cell(total, digits)],
        ["mean per token", cell(total / length, digits)],
        ["max per token", cell(Fraction(answer.written([column.max()])[0]), digits)],
        ["min per token", cell(Fraction(answer.written([column.min()])[0]), digits)],
    ]
    if answer.entropy is not None:
        rows.append(["entropy per token H(X)/L",
                     cell(Fraction(from_nats(answer.entropy.entropy / length, unit)), digits)])
    return table(f"MI profile ({unit}) written to {answer.output}", [("quantity", "left"), ("value", "right")], rows,
                 header_lines=[answer.model], caption=use_with)


def _table_MultiScaleAnswer(answer: Any, digits: int, use_with: str | None = None) -> Table:
    """A data model's multi-scale profile written to a file: each level's total, and Φ."""
    ms = answer.profile
    return table(
        f"Multi-scale profile ({ms.unit}) written to {answer.output}",
        [("level j", "right"), ("set size L - S/2^j", "right"), ("Σ_i E I(X^(i); X∘W_j)", "right")],
        [[str(j), str(max(m, 0)), cell(total, digits)] for j, (m, total) in enumerate(zip(ms.set_sizes, ms.level_totals))],
        header_lines=[answer.model, f"S = {ms.scale}; Φ = {cell(ms.phi, digits)}"],
        caption=use_with,
    )


_CURVE_LABELS = {"total_correlation": "TC = Σ H(X^(i)) - H(X) (error at T = 1)", "dual_total_correlation": "DTC",
                 "mi_total": "ΣI = TC + DTC", "entropy": "H(X)"}


def _table_CurveAnswer(answer: Any, digits: int, use_with: str | None = None) -> Table:
    """A loss curve written to a file: a data model's exact curve (its information quantities) or a Monte Carlo
    estimate (its points with their stderr)."""
    curve, unit = answer.curve, answer.unit
    if answer.entropy is not None:  # a data model's exact curve
        rows = [["tokens L", str(curve.length)]] + [[_CURVE_LABELS[k], cell(Fraction(from_nats(q.value, unit)), digits)]
                                                    for k, q in (answer.quantities or {}).items()]
        return table(f"Exact loss curve ({unit}) written to {answer.output}", [("quantity", "left"), ("value", "right")],
                     rows, header_lines=[curve.source],
                     caption=f"float64, each d(m) within {from_nats(answer.entropy.abs_error, unit):.1g} {unit}"
                     + (f"; {use_with}" if use_with else ""))
    return table(
        f"Estimated loss curve ({unit}) written to {answer.output}",
        [("masked k", "right"), ("loss per masked token", "right"), ("stderr", "right")],
        [[str(k), cell(Fraction(y), digits), f"{se:.2g}"] for k, y, se in answer.points()],
        header_lines=[curve.source, f"{answer.samples} (sequence, mask) pairs per ratio, seed {answer.seed}"],
        caption=use_with,
    )


def _table_Recommendation(answer: Any, digits: int, hint: str | None = None) -> Table:
    """The recommendation's lines, then each compared family's T per target (``hint``: the caption, how to ask
    for more)."""
    unit, targets = answer.unit, answer.targets
    shown = [(cell(t.target, digits), cell(t.target / answer.length, digits)) for t in targets]

    def steps(result: Any) -> str:
        value = targets[0].steps_of(result)
        return "-" if value is None else str(value)

    families = list(targets[0].found) if targets else []
    rows = [[f] + [steps(t.found[f]) for t in targets] for f in families]
    rows.append(["optimal (DP)"] + [steps(t.optimal) if t.best is not None else "-" for t in targets])
    return table(
        "Steps by estimated error: the families people run",
        [("family", "left")] + [(f"T for {target} {unit}", "right") for target, _ in shown],
        rows,
        header_lines=[answer.source, f"L = {answer.length}; targets " + ", ".join(
            f"{target} {unit} ({per_token} {unit}/token)" for target, per_token in shown)],
        caption=hint, preamble=answer.lines(digits),
    )


#: The table printers, by class name (this module's ``_table_<Class>`` functions, and those :func:`register` adds).
PRINTERS = Printers("table")
PRINTERS.collect(globals(), "_table_")
