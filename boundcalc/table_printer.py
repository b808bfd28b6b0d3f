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

import math
import re
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from . import rule_tables
from .dispatch import Printers
from .decimal_text import measured_decimal
from .exact import FLOAT_DIGITS, ceil_log2
from .text_table import Table, cell, plus_minus, table
from .units import from_nats, log_name

__all__ = ["Table", "table", "to_table", "register", "PRINTERS", "cell", "describe_profile", "steps_cell", "sweep_cell",
           "sparkline"]


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


def _table_CountBoundAnswer(answer: Any, digits: int) -> Table:
    """``bound`` for a random-count sampler: the profile said first (at a measured curve, ΣI as value ± stderr, with
    its interval over the monotone completions where d is unmeasured, to the digits a float64 result holds), then
    the expected bounds (estimates at the curve's ΣI)."""
    profile, at_curve = answer.profile, answer.at_curve
    if not answer.estimated:
        return _table_CountBoundReport(answer.report, digits, header_lines=[describe_profile(profile, digits)])
    digits = min(digits, FLOAT_DIGITS)
    shown = _estimate_shown(at_curve.mi_estimate, str(profile.unit), digits)
    header = f"L = {profile.length}, ΣI = {shown} {profile.unit} ({profile.source})"
    return _table_CountBoundReport(answer.report, digits, header_lines=[header], estimated=answer.estimated)


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
        + (f"; {answer.decision_note}" if counts and (by == "bound" or any(r.undecided for r in results)) else "")
        + (f"; ε_train = {cell(answer.eps_train, digits)} {unit}" if by == "bound" else "")
        + ("; T [T_lo, T_hi] and values [low, high] over every monotone completion of the unmeasured d (gaps and ends)"
           if any(r.steps_range is not None for r in results) else "")
        # what an answered row could not give (a T range too costly to search at this L): said, never dropped
        + "".join(f"; {reason}" for reason in dict.fromkeys(r.reason for r in results if r.feasible and r.reason)),
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


def sweep_cell(row: Any, name: str, digits: int, none: str = "", table: bool = False) -> str:
    """A sweep row's value as text: float64 results (errors; bounds from a data model) with only their justified
    digits, exact bounds correctly rounded to ``digits``; in a ``table`` an estimate adds '± stderr (interp. ...)'."""
    measured = row.measured(name)
    if measured is not None:  # its decimal from the float's exact Decimal (decimal_text): the same string, faster
        text = measured_decimal(measured, digits)
        return measured.show(digits, text) if table else text
    if name in ("error", "optimal", "random_error") or row.bounds.get(name) is None:
        return none
    return cell(row.bounds[name], digits)


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """Unicode blocks for ``values`` on a log scale (higher is taller); 0 is the lowest block, None a space."""
    positive = [v for v in values if v is not None and v > 0]
    if not positive:
        return "".join(" " if v is None else SPARKS[0] for v in values)
    lo, hi = math.log(min(positive)), math.log(max(positive))
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif v <= 0:
            out.append(SPARKS[0])
        else:
            level = len(SPARKS) - 1 if hi == lo else round((math.log(v) - lo) / (hi - lo) * (len(SPARKS) - 1))
            out.append(SPARKS[level])
    return "".join(out)


def _sweep_caption(answer: Any, digits: int, elsewhere: str) -> list[str]:
    """What a sweep's numbers are: estimates, exact errors or exact bounds; what is only in ``elsewhere``."""
    from .exact import round_up

    result = answer.result
    unit, eps = str(result.unit), cell(result.eps_train, digits)
    worst = max((e for row in result.rows for e in [row.error_abs or 0.0, *row.bound_errors.values()]), default=0.0)
    rounding = f"absolute errors < {round_up(worst)}; " if worst > 0 else ""
    lower = ("the lower bound (13) is for the random schedule on {S, S/2}, S = 2^ceil(log2 s_max), "
             f"whose error is in {elsewhere}")
    if result.estimate:
        caption = [f"estimates from a measured loss curve: value ± stderr (interp. |linear - monotone cubic|), "
                   f"'± ?' where the curve has no stderr; errors with the optimal predictor (ε_train = 0); bounds at "
                   f"the estimated ΣI = {result.mi_measured.show(digits)} {unit} and Φ, ε_train = {eps}; {rounding}"
                   "digits shown are those the stderr justifies", lower]
    elif result.has_truth:
        caption = [f"errors: float64 with the optimal predictor (ε_train = 0); bounds: exact in ΣI = "
                   f"{result.mi_measured.show(digits)} {unit} and Φ as computed (float64), ε_train = {eps}; "
                   f"{rounding}digits shown are justified", lower]
    else:
        caption = [f"bounds exact at ΣI = {cell(result.mi_total, digits)} {unit}, ε_train = {eps}"]
    caption.append(f"the per-token TER bound (11) is in {elsewhere}")
    if result.has_counts:
        caption.append("random-count samplers (" + ", ".join(answer.random_count_families) + "): expectations over "
                       "the counts " + ("(estimates from the curve, ± stderr): the expected error" if result.estimate
                                        else "(float64, digits justified): the exact expected error")
                       + f", E[c(S_max)]/L·ΣI + ε_train per bound, E S_max in the s_max column; expected network "
                       f"calls in {elsewhere}")
    return caption + [f"skipped {f} at T = {t}: {why}" for f, t, why in result.skipped[:5]]


def _sweep_sparklines(result: Any, error_name: str) -> list[str]:
    """One line per family: its error (or the bound every row has: theorem1, or the blockwise one) against T."""
    from .bound_registry import BOUNDS

    lines = []
    for family in result.families:
        family_rows = result.family_rows(family)
        if not family_rows:
            continue
        if result.has_truth:
            what, values = error_name, [row.error for row in family_rows]
        else:
            shared = [n for n in family_rows[0].bounds if all(r.bounds.get(n) is not None for r in family_rows)]
            if not shared:
                continue
            name = "theorem1" if "theorem1" in shared else shared[0]
            what, values = (f"{name} {BOUNDS[name].equation}" if name in BOUNDS else name,
                            [float(row.bounds[name]) for row in family_rows])
        lines.append(f"{family:>12}  {what} vs T = {family_rows[0].steps}..{family_rows[-1].steps} (log): "
                     f"{sparkline(values)}")
    return lines


def _table_SweepAnswer(answer: Any, digits: int, elsewhere: str = "the CSV and JSON forms") -> Table:
    """One row per (family, T): s_max, the error and the optimal one where known, each KL bound; then a sparkline
    of the error (or Theorem 1) against T per family. ``elsewhere``: where the values not shown are."""
    from .bound_registry import BOUNDS

    result = answer.result
    bounds = [BOUNDS[name] for name in result.bound_names if BOUNDS[name].quantity == "kl"]
    error_name = "estimated error" if result.estimate else "exact error"
    columns = [("family", "left"), ("T", "right"), ("s_max", "right")]
    columns += [(error_name, "right")] if result.has_truth else []
    columns += [("optimal", "right")] if result.has_optimal else []
    columns += [(f"{b.name} {b.equation}", "right") for b in bounds]
    rows = []
    for row in result.rows:
        cells = [row.family, str(row.steps),
                 "E " + sweep_cell(row, "expected_s_max", 3) if row.max_size is None else str(row.max_size)]
        cells += [sweep_cell(row, "error", digits, table=True)] if result.has_truth else []
        cells += [sweep_cell(row, "optimal", digits, table=True)] if result.has_optimal else []
        rows.append(cells + [sweep_cell(row, b.name, digits, none="n/a", table=True) for b in bounds])
    return table(f"Sweep over T: bounds{' and errors' if result.has_truth else ''} for E_M KL ({str(result.unit)})",
                 columns, rows, caption="\n".join(_sweep_caption(answer, digits, elsewhere)),
                 header_lines=[answer.source], footer=_sweep_sparklines(result, error_name))


def _count_rows(counts: dict[str, Any], digits: int) -> list[list[str]]:
    """Table rows: the sequence error (exact or ± standard error) and the expected network calls."""
    if counts["exact"]:
        fraction = counts["sequence_error_exact"]
        error = f"{counts['sequence_error']:.{digits}g} (exact{' = ' + fraction if 1 < len(fraction) <= 24 else ''})"
    else:
        error = _monte_carlo(counts["sequence_error"], counts["sequence_error_se"], digits)
    rows = [["sequence error P_q(p(x) = 0)", "", error, "-", ""],
            [f"network calls ({counts['calls']}), expected", "", f"{counts['expected_nfe_run_on']:.{digits}g}", "-", ""]]
    if counts["sequence_error"] > 0:
        until = f"{counts['expected_nfe']:.{digits}g}"
        if not counts["exact"]:
            until = _monte_carlo(counts["expected_nfe"], counts["expected_nfe_se"], digits)
        rows.append(["calls until the sample ended, expected", "", until, "-", ""])
    return rows


def _monte_carlo(value: float, se: float, digits: int) -> str:
    """A Monte Carlo estimate ± its standard error, with only the digits the error justifies."""
    return (f"{value:.4f} ± 0" if se == 0 else plus_minus(value, se, digits)) + " (Monte Carlo)"


def _verify_rows(answer: Any, digits: int) -> list[list[str]]:
    """The (estimated) errors, each KL bound of the registry next to the error it is checked against, TC, DTC, rates."""
    report, optimal = answer.report, answer.optimal
    measured = answer.measured
    ratios, holds = report.ratios(), report.holds()
    b = report.bounds
    counts = report.schedule.random_counts
    label = ("expected " if counts else "") + ("estimated error" if measured else "exact error")
    value = (answer.estimate.show(digits) if answer.estimate is not None
             else answer.value_of("truth").show(digits))
    rows = [[label, "(23)", value, "1", ""]]
    if optimal is not None:
        rows.append([f"optimal {b.steps}-step schedule", "(23)", optimal[1].show(digits), "-", ""])
        rows.append([f"info-optimal:{b.steps}", "(23)", answer.info_optimal[1].show(digits), "-", ""])
    random_rows = []
    if report.random_error is not None and b.multiscale is not None:
        random_rows.append([f"{'estimated' if measured else 'exact'} error of random:{b.multiscale.scale} (mean)",
                            "(23)", answer.value_of("random").show(digits), "1", ""])
    verdict = {None: "n/a", True: "yes", False: "no (estimate)" if measured else "NO (report this)",
               "undecided": "undecided (within float error)"}
    for entry, _ in report.compared():
        name = entry.name.replace("_", " ") + (" (expected)" if counts else "")
        if entry.about == "random" and b.multiscale is not None:
            name += f", random:{b.multiscale.scale}"
        r, h = ratios.get(entry.name), holds.get(entry.name)
        bound = answer.value_of(entry.name)
        row = [name, entry.equation, "n/a" if bound is None else bound.show(digits),
               "-" if r is None else cell(Fraction(r), 4), verdict[h]]
        (rows if entry.about == "schedule" else random_rows).append(row)
    if b.multiscale is not None and report.random_error is not None:
        rows += random_rows
    quantities = answer.quantities
    for key, text in (("total_correlation", "TC = error at T = 1"), ("dual_total_correlation", "DTC"),
                      ("tc_rate", "TC/T (rate, not a bound)"), ("dtc_rate", "DTC/T (rate, not a bound)")):
        if key in quantities:
            q = quantities[key]
            shown = q.show(digits)  # a measured curve's with ± stderr; a data model's with justified digits
            rows.append([text, "s.14", shown, "-", ""])
    if answer.counts is not None:
        rows += _count_rows(answer.counts, digits)
    return rows


def _verify_caption(report: Any, machine: str) -> str:
    """What the numbers are: the truth's precision, what the bounds are evaluated at, the sampler's kind
    (``machine``: where the values not shown are)."""
    from .exact import round_up

    b, unit = report.bounds, report.unit
    caption = f"exact errors: float64, absolute error < {round_up(report.truth_error)} {unit}; "
    if report.schedule.random_counts:
        return caption + (
            f"expected bounds: float64 with their certified error ({machine})\nrandom counts: the expectation over the "
            f"counts; E s_max = {b.expected_max[0]:.4g}, E steps revealing >= 1 token = {b.nonempty_steps[0]:.4g} "
            f"of {len(report.schedule.reveal)} (docs/theory.md, section 12)")
    if report.schedule.positions == "blocks":
        return caption + (
            "bounds: at each block's conditional ΣI_b as computed (float64; ε_train = 0)\nsemi-autoregressive: "
            "blockwise bounds (B1); the bounds for random positions over all L do not apply and are not listed "
            "(docs/theory.md, section 11)")
    return caption + (f"bounds: at ΣI and Φ as computed (float64, absolute error < {round_up(report.input_error)}; "
                      "ε_train = 0)")


def _measured_bounds(found: "re.Match[str]") -> str:
    """The bounds' part of verify's caption from a measured curve: estimates at its ΣI and Φ (± stderr)."""
    return ("estimates at the curve's ΣI, ± stderr" if found.group().startswith("float64")
            else "estimates at the curve's ΣI and Φ, ± stderr (")


def _verify_shape(report: Any) -> str:
    b, schedule = report.bounds, report.schedule
    if report.schedule.random_counts:
        return f"{len(schedule.reveal)} steps (the last reveals the rest), random sizes"
    text = f"T = {b.steps}, s_max = {b.max_size}"
    if schedule.block_spans:
        lengths = "/".join(sorted({str(n) for _, n in schedule.block_spans}))
        text += f", {len(schedule.block_spans)} blocks of {lengths} positions"
    return text


def _table_VerifyAnswer(answer: Any, digits: int, machine: str = "the JSON form") -> Table:
    """verify's table: the (estimated) error, each bound next to it with its ratio and verdict, TC/DTC, the
    optimal schedules and a random-count sampler's sequence error and calls (``machine``: where the values not
    shown are)."""
    report, optimal = answer.report, answer.optimal
    b, unit = report.bounds, report.unit
    caption = _verify_caption(report, machine)
    if answer.measured:  # the float error of computing from the curve is not the point: the curve's is
        caption = ("estimates from a measured loss curve: ± stderr, (interp. |linear - monotone cubic|); a model's "
                   "loss over-estimates d (its excess acts like ε_train); " + re.sub(
                       r"float64 with their certified error \(" + re.escape(machine) + r"\)|at ΣI and Φ as computed "
                       r"\(float64, absolute error < [^;]*; ", _measured_bounds, caption.split("; ", 1)[1]))
    caption += "\nTC/T, DTC/T: rates of randomized schedules (Zhao & Cai, arXiv 2602.20126), constants unknown"
    counts = answer.counts
    if counts is not None:
        caption += f"\nnetwork calls: {counts['calls_meaning']} (docs/samplers.md)"
        if not counts["exact"]:
            caption += f"; sequence error: {counts['samples']} trajectories, seed {counts['seed']}, ± one standard error"
    if report.random_error is not None:
        caption += (f"\nthe lower bound (13) is for the random schedule on {{S, S/2}}, S = {b.multiscale.scale}, "
                    "averaged over the schedule; its ratio is bound / that error")
    if optimal is not None:
        caption += f"\noptimal schedule (reveal order): {optimal[0].describe(limit=24)}"
        caption += f"\ninfo-optimal schedule: {answer.info_optimal[0].describe(limit=24)}"
    return table(
        f"{'Estimated' if answer.measured else 'Exact'} error and bounds for E_M KL(p_X0 || p_Y0|M) ({unit})",
        [("quantity", "left"), ("eq.", "left"), ("value", "right"),
         ("/ estimate" if answer.measured else "/ exact", "right"), ("holds", "left")],
        _verify_rows(answer, digits),
        caption=caption,
        header_lines=[
            answer.model,
            f"ΣI = {answer.value_of('mi_total').show(digits)} {unit}; schedule {report.schedule} (reveal order): "
            f"{_verify_shape(report)}",
        ],
    )

#: The table printers, by class name (this module's ``_table_<Class>`` functions, and those :func:`register` adds).
PRINTERS = Printers("table")
PRINTERS.collect(globals(), "_table_")
PRINTERS.collect(vars(rule_tables), "_table_")  # the rule samplers' tables (their own module: one idea a room)
