"""The tables of the samplers that choose positions from the predictions (issue 19), on a data model: one rule's
truth, sequence error, calls and guarantees (:class:`~boundcalc.answers.RuleVerifyAnswer`), several rules at their
expected calls (``TradeoffAnswer``), the loosest Fast-dLLM threshold per target (``ThresholdSearchAnswer``) and a
search over a rule's threshold grid or fixed-order T (``RuleSearchAnswer``). Values are computed in nats and shown
in the answer's unit; :mod:`boundcalc.table_printer` registers these ``_table_<Class>`` printers.
"""

from __future__ import annotations

import math
from typing import Any

from .text_table import Table, plus_minus, table
from .units import from_nats

__all__ = ["pm", "calls_as_it_runs"]


def pm(value: float | None, error: float, digits: int, exact: bool) -> str:
    """A value with its standard error (:func:`~boundcalc.text_table.plus_minus`: the digits the error justifies,
    at most ``digits`` significant ones); exact values, or none given, with ``digits``."""
    if value is None:
        return "-"
    if exact or error == 0 or math.isnan(error):
        return f"{value:.{digits}g}"
    return plus_minus(value, error, digits)


def calls_as_it_runs(report: Any, show: Any, missing: str) -> str:
    """The expected calls as the sampler runs on after a sequence error (None: depends on the predictions)."""
    value = report.meta.get("expected_nfe_run_on")
    return missing if value is None else show(value)


def _table_RuleVerifyAnswer(answer: Any, digits: int) -> Table:
    """A rule's truth, sequence error, expected calls and its own guarantees (each checked against the truth)."""
    report, unit = answer.report, answer.unit
    truth = None if report.truth is None else from_nats(report.truth, unit)
    rows = [[report.truth_kind, pm(truth, from_nats(report.truth_error, unit), digits, report.exact), unit],
            ["sequence error P_q(p(x) = 0)", pm(report.sequence_error[0], report.sequence_error[1], digits,
                                                report.exact), ""],
            ["expected network calls", pm(report.expected_nfe[0], report.expected_nfe[1], digits, report.exact)
             + f" (sd {report.nfe_sd:.3g})", ""]]
    run_on = report.meta.get("expected_nfe_run_on")
    if run_on is not None and report.sequence_error[0] > 0:  # an error ends the count above; the sampler runs on
        rows[-1][0] = "expected network calls until the sample ended"
        rows.append(["network calls as it runs (it does not know it erred)", str(run_on), ""])
    for g in report.guarantees:
        value = "unknown" if g.value is None else f"{from_nats(g.value, unit):.{digits}g}"
        check = "" if g.holds is None else (" (holds)" if g.holds else " (BELOW THE TRUTH)")
        rows.append([f"{g.name} (bounds {g.bounds})", value + check, unit if g.value is not None else ""])
    caption = f"{answer.model}; sampler {report.rule}"
    if not report.exact:
        caption += (f"; Monte Carlo: {report.meta.get('samples')} trajectories, seed {report.meta.get('seed')}, "
                    "± one standard error")
    for g in report.guarantees:
        if g.note:
            caption += f"\n{g.name}: {g.note} ({g.source})"
    return table("boundcalc verify", [("quantity", "left"), ("value", "right"), ("unit", "left")], rows, caption)


def _table_ThresholdSearchAnswer(answer: Any, digits: int) -> Table:
    """The loosest Fast-dLLM threshold per target: its interval, KL (in the answer's unit), sequence error, calls."""
    unit, rows = answer.unit, []
    for eps, result in answer.results:
        result = {**result, **{k: from_nats(result[k], unit) for k in ("kl", "kl_error") if k in result}}
        if result["tau"] is None:
            rows.append([str(eps), "none", "-", "-", "-", f"no threshold meets it ({result['breakpoints']} checked)"])
        else:
            lo, hi = result["interval"]
            rows.append([str(eps), f"{hi} (any τ in ({lo}, {hi}])", f"{result['kl']:.6g}",
                         f"{float(result['sequence_error']):.6g}", f"{float(result['expected_nfe']):.6g}",
                         f"sd {result['nfe_sd']:.3g}"])
    return table(f"Loosest Fast-dLLM threshold with exact KL(p||q) <= ε ({unit})",
                 [("ε", "right"), ("τ", "left"), ("KL(p||q)", "right"), ("sequence error", "right"),
                  ("E[NFE]", "right"), ("", "left")], rows,
                 f"{answer.model}: L = {answer.length}, V = {answer.vocab_size}; KL in {unit}, decided with its float "
                 "error; KL is not monotone in τ, so every breakpoint is checked")


def _table_TradeoffAnswer(answer: Any, digits: int) -> Table:
    """Several samplers, by their expected network calls: truth, what it is, sequence error, calls as it runs."""
    unit, rows = answer.unit, []
    for r in sorted(answer.reports, key=lambda r: r.expected_nfe[0]):
        value = None if r.truth is None else from_nats(r.truth, unit)
        rows.append([str(r.rule), pm(r.expected_nfe[0], r.expected_nfe[1], digits, r.exact),
                     pm(value, from_nats(r.truth_error, unit), digits, r.exact or "exact" in r.truth_kind),
                     r.truth_kind, pm(r.sequence_error[0], r.sequence_error[1], digits, r.exact),
                     calls_as_it_runs(r, lambda v: f"{v:.{digits}g}", "-")])
    return table(f"Samplers at their expected network calls ({unit})",
                 [("sampler", "left"), ("E[NFE]", "right"), ("truth", "right"), ("what", "left"),
                  ("sequence error", "right"), ("calls as it runs", "right")], rows,
                 answer.model + "; Monte Carlo values ± one standard error; E[NFE]: calls until the sample ended "
                 "(a sequence error ends it), calls as it runs: what the sampler spends all the same, '-' where "
                 "its calls depend on the predictions (docs/samplers.md)")


def _table_RuleSearchAnswer(answer: Any, digits: int) -> Table:
    """The answer per target of a search over a rule's fixed-order T or threshold grid (values in the answer's
    unit; the search compared them in nats)."""
    result, unit = answer.result, answer.unit
    fixed = "steps" in result["rows"][0] if result["rows"] else result["family"] in ("left-to-right", "dilated")
    rows = [[shown, *_search_cells(found, result, fixed, digits, unit)]
            for found, shown in zip(result["answers"], answer.targets)]
    if fixed:
        title = f"Fewest steps of {result['family']} with exact KL(p||q) <= ε ({unit})"
        header = [("ε", "right"), ("T", "right"), ("KL(p||q)", "right"), ("sequence error", "right")]
        caption = (f"{answer.model}; every T from 1 checked in turn, exact (KL decided with its float error, in nats; "
                   "a target in bits is rounded down); sequence error: on a joint table ('-' on a chain)")
    else:
        what = "exact KL(p||q)" if result["exact"] else "E_p Σ TC (an upper bound on KL(p||q), Monte Carlo)"
        title = f"Loosest {result['family']} threshold on the grid with {what} <= ε ({unit})"
        header = [("ε", "right"), ("threshold", "left"), ("value", "right"), ("sequence error", "right"),
                  ("E[NFE]", "right")]
        caption = f"{answer.model}; {len(result['rows'])} grid points evaluated"
        if not result["exact"]:
            caption += (f"; a STATISTICAL decision: a point counts when estimate + {result['z']:.3g} standard errors "
                        f"<= ε (one-sided, Bonferroni over the {len(result['rows'])} points: familywise confidence "
                        f"{result['confidence']:g}; {result['samples']} trajectories, seed {result['seed']}), "
                        "never an exact one")
    return table(title, header, rows, caption)


def _search_cells(found: dict[str, Any], result: dict[str, Any], fixed: bool, digits: int, unit: str) -> list[str]:
    """One target's row, its values in ``unit`` (computed in nats)."""
    if fixed:
        if found["steps"] is None:
            return ["none", "-", f"no T <= {result['checked']} meets it"]
        seq = "-" if found["sequence_error"] is None else f"{found['sequence_error']:.{digits}g}"
        return [str(found["steps"]), f"{from_nats(found['kl'], unit):.{digits}g}", seq]
    best = found["loosest"]
    if best is None:
        return ["none", "-", "-", f"no grid point meets it ({len(result['rows'])} checked)"]
    if result["exact"]:
        return [best["spec"], f"{from_nats(best['kl'], unit):.{digits}g}", f"{best['sequence_error']:.{digits}g}",
                f"{best['expected_nfe']:.{digits}g}"]
    return [best["spec"], pm(from_nats(best["tc_bound"], unit), from_nats(best["tc_bound_se"], unit), digits, False),
            pm(best["sequence_error"], best["sequence_error_se"], digits, False),
            pm(best["expected_nfe"], best["expected_nfe_se"], digits, False)]
