"""The JSON printer: every report's ``--json`` form, in one place (a renderer).

:func:`to_json` dispatches along the value's MRO to a ``_json_<ClassName>``
function (:mod:`boundcalc.dispatch`, the rule of every printer), so value objects and reports carry no
printing code (their ``to_dict`` is the one-line hook of
:class:`boundcalc._print_helpers.Printable`). Exact numbers are
``{"exact": "p/q", "decimal": "..."}``; float results carry their error.

>>> from boundcalc import MIProfile, Schedule, bound_report
>>> data = to_json(bound_report(MIProfile.from_total(2, 10), Schedule([5, 3, 2])))
>>> data["bounds"]["theorem1"], data["bounds"]["corollary1"]
({'exact': '7/5', 'decimal': '1.4'}, None)
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from .constants import C1
from .dispatch import Printers
from .exact import FLOAT_DIGITS, SCHEMA_VERSION, Measured, format_decimal, number_json
from .units import display, from_nats, log_name

__all__ = ["to_json", "register", "PRINTERS", "document", "FLOAT_INPUTS", "SCHEMA_VERSION"]

#: Said wherever an exact decision rests on float64 values (a profile that ``boundcalc profile`` wrote, or
#: whose values are float64 prints: boundcalc.profile.float_printed).
FLOAT_INPUTS = (
    "the MI profile holds float64 results (written by boundcalc profile, or printed from float64s): its decimals "
    "are taken exactly as written, so ΣI and every decision are exact for those values, which differ from the "
    "values they rounded by their float error"
)


def to_json(obj: Any, digits: int = 6, **options: Any) -> dict[str, Any]:
    """The JSON form of a report or value object (a dict of plain values).

    The printer is the one registered for the first class of ``type(obj).__mro__`` that has one
    (:class:`boundcalc.dispatch.Printers`, the rule of every format: a subclass prints as its parent
    unless it has its own); this module's ``_json_<Class>`` functions are registered, and
    :func:`register` adds one. ``options`` go to the printer. A float computed in nats is shown in the
    display unit (:func:`boundcalc.units.display`). ``digits`` is for the decimals of exact numbers
    (``{"exact", "decimal"}``, the exact value is there in full); a float with an error always has
    every digit its error justifies.
    """
    return PRINTERS(obj, digits, **options)


def register(cls: type | str, printer: Callable[..., dict[str, Any]] | None = None) -> Any:
    """Print instances of ``cls`` (or its subclasses) as JSON with ``printer(value, digits, **options)``
    (a decorator without ``printer``)."""
    return PRINTERS.register(cls, printer)


def document(data: Any, digits: int = 6, **options: Any) -> dict[str, Any]:
    """A whole JSON document: ``{"schema_version": SCHEMA_VERSION, ...}`` of a dict or of a printable object.

    >>> list(document({"length": 4}))
    ['schema_version', 'length']
    """
    body = data if isinstance(data, dict) else to_json(data, digits, **options)
    return {"schema_version": SCHEMA_VERSION, **{k: v for k, v in body.items() if k != "schema_version"}}


def _json_Measured(value: Any, digits: int, note: str | None = None, unit: str | None = None) -> dict[str, Any]:
    """A float with its uncertainty, already in its unit (``unit`` is accepted as for the other values)."""
    return value.to_json(note=note)


def _json_Estimate(estimate: Any, digits: int) -> dict[str, Any]:
    """A value from a loss curve (computed in nats), in the display unit (:func:`boundcalc.units.display`):
    ``{"value", "abs_error", "estimate", "stderr", "interpolation_effect", "note"}``."""
    return from_nats(estimate.measured()).to_json(note=estimate.described)


def _json_ExpectedBound(bound: Any, digits: int) -> dict[str, Any]:
    """A bound's expectation over random reveal counts (a float with its certified error)."""
    return {**bound.measured().to_json(), "expected": True, "bound": bound.bound, "note": bound.note}


def _json_FamilyStepsResult(result: Any, digits: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "target": number_json(result.target, digits),
        "feasible": result.feasible,
        "steps": result.steps,
        "schedule": None if result.schedule is None else {
            "name": str(result.schedule), "sizes": list(result.schedule.sizes),
            "max_mask_size": result.schedule.max_size},
        "value": None,
        "search": result.search,
        "checked_up_to": result.checked_up_to,
        "larger_steps_miss": list(result.larger_misses),
    }
    if result.sampler is not None:
        out["schedule"] = _json_CountSampler(result.sampler, digits)
    if result.value is not None:
        with display(result.unit):  # an estimate (nats) shown in the unit of the exact target it is held to
            out["value"] = (number_json(result.value, digits) if isinstance(result.value, Fraction)
                            else to_json(result.value, digits))
    if result.by in ("bound", "error") and result.random_counts:
        out["undecided_steps"] = list(result.undecided)
        out["decision"] = result.decision_note
    if result.steps_range is not None:
        out["steps_range"] = list(result.steps_range)
        if result.by == "optimal":  # docs/theory.md: the worst completion is not additive over the DP's steps
            out["steps_range_note"] = ("T_lo: the optimum on the interpolated curve; T_hi: an upper limit (a uniform "
                                       "or cosine schedule that reaches the target under every completion)")
    if result.reason:
        out["reason"] = result.reason
    return out


def _num(x: Fraction | int | None, digits: int) -> dict[str, str] | None:
    return None if x is None else number_json(x, digits)


def _json_BoundReport(report: Any, digits: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "length": report.length,
        "steps": report.steps,
        "max_mask_size": report.max_size,
        "schedule": report.schedule,
        "unit": str(report.unit),
        "mi_total": _num(report.mi_total, digits),
        "eps_train": _num(report.eps_train, digits),
        "bounds": {name: _num(value, digits) for name, value in report.values.items()},
        "notes": _bound_notes(report),
    }
    if report.multiscale is not None:
        out["multiscale"] = _json_MultiScaleProfile(report.multiscale, digits)
    schedule = report.inputs.schedule
    if schedule.positions == "blocks":
        out["blocks"] = _blocks(report, digits)
        out["notes"] = _block_notes(report)
    if report.vocab_size is not None:
        out["vocabulary"] = {
            "vocab_size": report.vocab_size,
            "ter_worst_case": report.ter_vocabulary.to_json(digits),
            "uniform_baseline": report.uniform_baseline.to_json(digits),
        }
    return out


def _blocks(report: Any, digits: int) -> list[dict[str, Any]]:
    inputs = report.inputs
    mis = inputs.block_mi
    if mis is None and inputs.profile.values is not None:
        mis = [sum(inputs.profile.values[a : a + n], Fraction(0)) for a, n, _ in inputs.schedule.block_schedules()]
    return [
        {"start": a, "length": n, "steps": inner.steps, "max_mask_size": inner.max_size,
         "mi": None if mis is None else _num(mis[b], digits)}
        for b, (a, n, inner) in enumerate(inputs.schedule.block_schedules())
    ]


def _block_notes(report: Any) -> dict[str, str]:
    inputs = report.inputs
    how = ("ΣI_b = Σ_{i∈b} I(X_i; X_{b∖i} | X_{<b}), the data model's conditional MI" if inputs.block_mi is not None
           else "ΣI_b <= Σ_{i∈b} I_i (the MI profile restricted to the block)" if inputs.profile.values is not None
           else "only ΣI is known: max_b c(s_b)/B_b · ΣI")
    notes = {
        "blocks": "semi-autoregressive: positions random only inside the current block, blocks left to right; "
        "the bounds for random positions over all L (theorem1, recursion, sharp, corollary1, ter, theorem2) "
        "do not apply and are not listed (they can be below the truth)",
        "block_bounds": f"Σ_b c(s_b)/B_b · ΣI_b + ε_train (docs/theory.md, section 11); {how}",
    }
    if "block_corollary1" in report.reasons:
        notes["block_corollary1"] = f"not applicable: {report.reasons['block_corollary1']}"
    return notes


def _json_CountBoundReport(report: Any, digits: int) -> dict[str, Any]:
    values, errors = report.values, report.errors
    return {
        "length": report.length,
        "steps": report.steps,
        "max_mask_size": None,
        "schedule": report.schedule,
        "unit": str(report.unit),
        "mi_total": _num(report.mi_total, digits),
        "eps_train": _num(report.eps_train, digits),
        "bounds": {name: Measured(values[name], errors[name]).to_json() for name in values},
        "expected_max_mask_size": Measured(*report.expected_max).to_json(note="E s_max"),
        "expected_coefficients": {name: Measured(c, e).to_json(note="E c(S_max)")
                                  for name, (c, e) in report.coefficients.items()},
        "expected_nonempty_steps": Measured(*report.nonempty_steps).to_json(
            note="E #steps that reveal at least one token"),
        "sampler": _json_CountSampler(report.sampler, digits),
        "notes": {
            "random_counts": "each still-masked token is revealed at step k with probability p_k; the bounds hold "
            "per realisation with its largest step S_max, so E[c(S_max)]/L · ΣI + ε_train bounds the expected error "
            "(docs/theory.md, section 12)",
            "not_listed": "corollary1 (balance depends on the realisation) and theorem2 (its S depends on it)",
        },
    }


def _json_CountSampler(sampler: Any, digits: int) -> dict[str, Any]:
    """A random-count sampler's one JSON form, wherever it appears (a report's ``sampler``, a search's or a
    budget row's ``schedule``): its name, its law, and the keys of a schedule (``sizes`` and ``max_mask_size``
    null: its sizes are random)."""
    calls, calls_error = sampler.expected_nonempty_steps()
    return {
        "name": str(sampler),
        "family": sampler.family,
        "random_counts": True,
        "nominal_steps": sampler.steps,
        "steps_with_final": len(sampler.reveal),
        "sizes": None,
        "max_mask_size": None,
        "reveal_probabilities": [repr(p) for p in sampler.reveal],
        "exact_probabilities": None if sampler.exact is None else [str(p) for p in sampler.exact],
        "expected_sizes": [repr(x) for x in sampler.expected_sizes()],
        "expected_nonempty_steps": Measured(calls, calls_error, nonnegative=True).to_json(
            note="E #steps that reveal at least one token (network calls)"),
        **({"noise": sampler.notes["noise"]} if "noise" in sampler.notes else {}),
    }


def _json_ConfidenceBound(bound: Any, digits: int) -> dict[str, Any]:
    return {
        "bound": "confidence",
        "eps": _num(bound.eps, digits),
        "reveal": bound.reveal,
        "vocab_size": bound.vocab_size,
        "unit": str(bound.unit),
        "value": {"expression": bound.exact, "decimal": format_decimal(Fraction(bound.value), digits),
                  "float": repr(bound.value), "rounding": "up: an upper bound on the expression"},
        "notes": {
            "statement": "KL(p(X_D | context) || Π_i p(X_i | context)) <= (n-1)(H_b(ε) + ε log(V-1)) for one step "
            "revealing the n tokens D, each with a value of conditional probability >= 1 - ε, ε <= (V-1)/V "
            "(Fast-dLLM, arXiv 2505.22618, Theorem 1; proof in docs/theory.md section 13)",
            "scope": "a per-step bound for adaptive (confidence) decoding, not a bound on the sampler's KL; the "
            "adaptive samplers' exact errors: the rule specs of docs/samplers.md (confidence:TAU, ...)",
        },
    }


def _bound_notes(report: Any) -> dict[str, str]:
    log = log_name(report.unit)
    notes = {
        "corollary1": f"C1 = {C1}; holds when s_max = ceil(L/T)",
        "ter": f"bound on log TER(p_Y0) - log TER(p_X0) per token ({log}), from theorem1 / L",
    }
    if report.inputs.profile.float_derived:
        notes["inputs"] = FLOAT_INPUTS
    if "corollary1" in report.reasons:
        notes["corollary1"] += "; not applicable: this schedule is not balanced"
    ms = report.multiscale
    if ms is None:
        notes["theorem2"] = "needs a multi-scale profile (a file, or verify's data model)"
        return notes
    notes["theorem2_upper"] = f"C2 = 1: S/L Φ + ε_train with S = {ms.scale}, for schedules with s_max <= S" + (
        "; not applicable: s_max = 1, where the error is ε_train" if "theorem2_upper" in report.reasons else ""
    )
    notes["theorem2_lower"] = (
        f"C3 = 1/16: S/(16 L) Φ + ε_train bounds the error of random:{ms.scale} averaged over the schedule"
        if "theorem2_lower" not in report.reasons
        else "not applicable: the random schedule needs S >= 2"
    )
    return notes


def _json_MultiScaleProfile(ms: Any, digits: int) -> dict[str, Any]:
    return {
        "length": ms.length,
        "max_mask_size": ms.scale,
        "unit": str(ms.unit),
        "set_sizes": ms.set_sizes,
        "level_totals": [number_json(x, digits) for x in ms.level_totals],
        "phi": number_json(ms.phi, digits),
    }


def _json_RecursionReport(report: Any, digits: int) -> dict[str, Any]:
    return {
        "max_mask_size": report.max_size,
        "length": report.length,
        "unit": "sum_I" if report.length else "sum_I/L",
        "chain": list(report.chain),
        "terms": [_num(t, digits) for t in report.terms],
        "unrolled": _num(report.unrolled, digits),
        "closed_form": _num(report.closed_form, digits),
        "ratio": _num(report.ratio, digits),
        "sharp": _num(report.sharp, digits),
    }


def _json_StepsResult(result: Any, digits: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "target": _num(result.target, digits),
        "feasible": result.feasible,
        "steps": result.steps,
        "max_mask_size": result.max_size,
        "bound": _num(result.bound, digits),
    }
    if not result.feasible:
        out["reason"] = f"the target is below the floor ε_train = {result.eps_train}"
    return out


def _json_VerifyReport(report: Any, digits: int) -> dict[str, Any]:
    """Every number here comes from float64 model quantities: each is a value with its certified error."""
    bounds = to_json(report.bounds, digits)
    counts = type(report.bounds).__name__ == "CountBoundReport"

    def measured(name: str, note: str | None = None) -> dict[str, str] | None:
        value = report.measured(name)
        return None if value is None else value.to_json(note=note)

    out = {
        "model": report.model,
        **{k: bounds[k] for k in ("length", "steps", "max_mask_size", "schedule", "unit")},
        "truth": measured("truth", "exact E_M KL with the optimal predictor (ε_train = 0), float64"
                          + ("; expected over the random counts" if counts else "")),
        "mi_total": measured("mi_total"),
        "bounds": {name: measured(name) for name in report.bounds.values},
        "ratios": {k: (None if v is None else format_decimal(Fraction(v), digits)) for k, v in report.ratios().items()},
        "holds": report.holds(),
        "notes": {
            **bounds["notes"],
            "values": "ΣI, Φ and the errors are float64 results of the model; each bound is exact in them, "
            "and abs_error bounds the effect of their float error",
            "holds": '"undecided" when the error bounds of the two sides overlap',
            "ratios": "bound / exact error; for "
            + ", ".join(b.name for b in report.bounds.registry.values() if b.about == "random")
            + ": bound / the random schedule's exact expected error",
        },
    }
    for key in ("blocks", "expected_max_mask_size", "expected_nonempty_steps", "sampler"):
        if key in bounds:
            out[key] = bounds[key]
    if "multiscale" in bounds:
        ms = dict(bounds["multiscale"])
        level_error = report.input_error
        ms["level_totals"] = [_measured_total(x, level_error, digits) for x in report.bounds.multiscale.level_totals]
        ms["phi"] = _measured_total(report.bounds.multiscale.phi, 2 * level_error, digits)
        out["multiscale"] = ms
    if report.random_error is not None:
        ms = report.bounds.multiscale
        out["random_schedule"] = {
            "max_mask_size": ms.scale if ms is not None else None,
            "truth": measured("random", "exact expected error of random:S (sizes iid uniform on {S, S/2}), float64"),
        }
    return out


def _in_unit(value: Any, digits: int, unit: Any) -> dict[str, Any]:
    """A float computed in nats, shown in the answer's ``unit``."""
    with display(unit):
        return to_json(value, digits)


def _mi_total(answer: Any, unit: str, digits: int) -> dict[str, Any] | None:
    """ΣI of an answer: the curve's float estimate (with stderr, never exact), else the profile's exact total."""
    measured = answer.mi_estimate
    return _num(answer.profile.total, digits) if measured is None else _in_unit(measured, digits, unit)


def _json_UniformStepsAnswer(answer: Any, digits: int) -> dict[str, Any]:
    profile = answer.profile

    def with_schedule(result: Any) -> dict[str, Any]:  # the schedule it names, and its value (the bound)
        out = to_json(result, digits)
        out["schedule"] = None if result.steps is None else {"name": f"uniform:{result.steps}",
                                                              "max_mask_size": result.max_size}
        out["value"] = out["bound"]
        return out

    return {
        "length": profile.length,
        "mi_total": _num(profile.total, digits),
        "unit": profile.unit,
        "eps_train": _num(answer.eps_train, digits),
        "bound": answer.bound,
        "schedule_family": "uniform",
        "source": answer.source,
        "results": [with_schedule(r) for r in answer.results],
        **({"notes": {"inputs": FLOAT_INPUTS}} if profile.float_derived else {}),
    }


def _json_FamilyStepsAnswer(answer: Any, digits: int) -> dict[str, Any]:
    by = answer.by
    data: dict[str, Any] = {
        "length": answer.profile.length,
        "mi_total": _mi_total(answer, answer.unit, digits),
        "unit": answer.unit,
        "eps_train": _num(answer.eps_train, digits),
        "by": by,
        "bound": answer.bound if by == "bound" else None,
        "schedule_family": "optimal" if by == "optimal" else answer.family,
        "source": answer.source,
        "estimate": answer.estimate,
        "random_counts": answer.random_counts,
        "results": [to_json(r, digits) for r in answer.results],
    }
    if answer.random_counts:
        data["random_counts_note"] = (
            "the sampler reveals a random number of tokens per step: values are expectations over the counts"
            + (" (E[c(S_max)]/L · ΣI + ε_train, a float with a certified error); " + answer.decision_note
               if by == "bound" else ""))
    if answer.estimate:
        data["note"] = ("values from a measured loss curve are estimates: the error with stderr and the effect of "
                        "the interpolation; ΣI is estimated too")
    return data


def _json_BudgetAnswer(answer: Any, digits: int) -> dict[str, Any]:
    unit, out = answer.unit, []
    for row in answer.rows:
        sched, bound = row["schedule"], row["bound"]
        out.append({
            "family": row["family"],
            "schedule": to_json(row["sampler"], digits) if row.get("sampler") is not None else
            None if sched is None else {"name": str(sched), "sizes": list(sched.sizes), "max_mask_size": sched.max_size},
            "error": None if row["error"] is None else _in_unit(row["error"], digits, unit),
            "bound": None if bound is None else _num(bound, digits) if isinstance(bound, Fraction)
            else _in_unit(bound, digits, unit),
            **({"reason": row["reason"]} if row["reason"] else {}),
        })
    return {"length": answer.profile.length, "steps": answer.steps, "unit": unit, "bound": answer.bound,
            "mi_total": _mi_total(answer, unit, digits),
            "eps_train": _num(answer.eps_train, digits),
            "source": answer.source, "estimate": answer.estimate, "families": out}


def _json_CountBoundAnswer(answer: Any, digits: int) -> dict[str, Any]:
    """``bound`` for a random-count sampler: the report's form, or at a loss curve the curve report's (estimates
    at a measured curve, to the digits a float64 result holds)."""
    if answer.at_curve is None:
        return to_json(answer.report, digits)
    return to_json(answer.at_curve, min(digits, FLOAT_DIGITS) if answer.estimated else digits)


def _json_ResultCatalogue(catalogue: Any, digits: int) -> dict[str, Any]:
    """The results of the theory by name: each one's equation label and summary."""
    return {"results": [{"name": r.name, "label": r.label, "summary": r.summary} for r in catalogue.results]}


def _json_CurveBoundReport(result: Any, digits: int) -> dict[str, Any]:
    """bound at a loss curve: the report's form, its source, and each bound and ΣI as an estimate."""
    report = result.report
    data = to_json(report, digits)
    data["source"] = getattr(report, "inputs", report).profile.source  # a CountBoundReport has no inputs
    data["estimate"] = not result.curve.exact
    if result.estimated:
        data["bounds"].update({name: m.to_json() for name, m in result.estimated.items()})
        data["mi_total"] = _in_unit(result.mi_estimate, digits, report.unit)
        if result.curve_levels is not None:  # Φ and its levels from the measured curve: estimates, never exact
            levels, phi = result.curve_levels
            data["multiscale"].update({"level_totals": [m.to_json() for m in levels], "phi": phi.to_json(),
                                       "estimate": True})
    return data


def _json_VerifyAnswer(answer: Any, digits: int) -> dict[str, Any]:
    """verify's document: the report's form, the model, the estimate from a measured curve, TC/DTC, the optimal
    and info-optimal schedules when asked."""
    report = answer.report
    unit = report.unit
    data = to_json(report, digits)
    data["model"] = answer.model
    data["estimate"] = answer.measured
    if answer.measured:
        if answer.curve_levels is not None:  # Φ and its levels are estimates too
            levels, phi = answer.curve_levels
            data["multiscale"].update({"level_totals": [m.to_json() for m in levels], "phi": phi.to_json(),
                                       "estimate": True})
        data["notes"]["values"] = ("ΣI, Φ and the errors are estimates from the measured loss curve (value, stderr, "
                                   "interpolation_effect); each bound is exact in ΣI and Φ, so it is an estimate too")
        data["notes"]["ratios"] = data["notes"]["ratios"].replace("exact", "estimated")
    if answer.estimate is not None:
        data["truth"] = {**_in_unit(answer.estimate, digits, unit), "abs_error": data["truth"]["abs_error"]}
    elif answer.measured:
        data["truth"]["note"] = ("estimate from a measured loss curve"
                                 + (": the expectation over the random counts" if report.schedule.random_counts
                                    else "") + ", stderr propagated from the curve's")
    data["information"] = {k: _in_unit(v, digits, unit) for k, v in answer.quantities.items()}
    _verify_curve_extras(data, answer, digits)
    if answer.counts is not None:
        data.update(_count_law(answer.counts))
    if answer.optimal is not None:
        schedule, value, note = answer.optimal
        data["optimal"] = {"schedule": list(schedule.sizes), "truth": value.to_json(note=note)}
        schedule, value, note = answer.info_optimal
        data["info_optimal"] = {
            "schedule": list(schedule.sizes),
            "truth": value.to_json(note=note),
            "note": "step density ∝ sqrt(slope of the information curve) (Lavenant & Zanella, arXiv 2510.25544)",
        }
    return data


def _verify_curve_extras(data: dict[str, Any], answer: Any, digits: int) -> None:
    """From a measured curve with unmeasured d: each bound's and the random schedule's interval over the monotone
    completions (and the random schedule's error named the estimate it is)."""
    if answer.measured and "random_schedule" in data and isinstance(data["random_schedule"].get("truth"), dict):
        data["random_schedule"]["truth"]["note"] = ("estimated expected error of random:S (sizes iid uniform on "
                                                    "{S, S/2}) from the measured loss curve")
    for name in answer.intervals or {}:
        where = data["random_schedule"] if name == "random" else data if name in ("truth", "mi_total") else data["bounds"]
        key = "truth" if name in ("random", "truth") else name
        value = answer.value_of(name)
        if isinstance(where.get(key), dict) and value is not None:
            where[key] = value.to_json(note=where[key].get("note"))


def _json_ProfileAnswer(answer: Any, digits: int) -> dict[str, Any]:
    """profile's MI profile: the values as written (shortest float64 decimals), their totals with their error."""
    data: dict[str, Any] = {"model": answer.model, "length": answer.length, "unit": answer.unit}
    for m, column in answer.columns:
        data["values" if m is None else f"size_{m}"] = answer.written(column)
        total, note = answer.written_total(column)
        data["mi_total" if m is None else f"total_size_{m}"] = total.to_json(note=note)
    if answer.entropy is not None:
        data["entropy_per_token"] = answer.entropy_per_token.to_json()
    if answer.output is not None:
        data["output"] = answer.output
    return data


def _json_MultiScaleAnswer(answer: Any, digits: int) -> dict[str, Any]:
    data = {"model": answer.model, **to_json(answer.profile, digits)}
    if answer.output is not None:
        data["output"] = answer.output
    else:
        data["values"] = [[str(x) for x in row] for row in answer.profile.values or ()]
    return data


def _json_CurveAnswer(answer: Any, digits: int) -> dict[str, Any]:
    curve, unit = answer.curve, answer.unit
    if answer.entropy is not None:  # a data model's exact curve
        return {"model": curve.source, "length": curve.length, "unit": unit, "output": answer.output,
                "abs_error": answer.abs_error,
                "information": {k: _in_unit(v, digits, unit) for k, v in (answer.quantities or {}).items()}}
    return {"source": curve.source, "length": curve.length, "unit": unit, "output": answer.output,
            "samples": answer.samples, "seed": answer.seed,
            "points": [{"masked": k, "loss": _shown(y, digits), "stderr": f"{se:.2g}"} for k, y, se in answer.points()],
            "note": "Monte Carlo estimates; a model's cross-entropy over-estimates the data's d "
                    "(its excess acts like ε_train)"}


def _shown(value: float, digits: int) -> str:
    """A float64 estimate's decimal as the tables show it (``digits`` significant digits at most)."""
    from .exact import format_decimal

    return format_decimal(Fraction(value), digits)


def _count_law(counts: dict[str, Any]) -> dict[str, Any]:
    """A random-count sampler's sequence error and network calls, in the JSON shape of every measured value."""
    exact = counts["exact"]
    error: dict[str, Any] = {"value": counts["sequence_error"], "abs_error": 0.0 if exact else None,
                             "estimate": not exact}
    if exact:
        error["exact"] = counts["sequence_error_exact"]
    else:
        error.update(stderr=counts["sequence_error_se"], samples=counts["samples"], seed=counts["seed"])
    calls: dict[str, Any] = {"convention": counts["calls"], "meaning": counts["calls_meaning"],
                             "expected": {"value": counts["expected_nfe_run_on"],
                                          "abs_error": counts["expected_nfe_run_on_error"], "estimate": False}}
    if not exact:
        calls["until_the_sample_ended"] = {"expected": {"value": counts["expected_nfe"], "abs_error": None,
                                                        "estimate": True, "stderr": counts["expected_nfe_se"]}}
    if counts["calls_law_exact"]:
        calls.update(expected_exact=counts["expected_nfe_run_on_exact"], law=counts["nfe_run_on_law"],
                     until_the_sample_ended={"expected": counts["expected_nfe"],
                                             "expected_exact": counts["expected_nfe_exact"],
                                             "law": counts["nfe_law"]})
    return {"sequence_error": error, "network_calls": calls}


def _measured_total(value: Fraction, error: float, digits: int) -> dict[str, str]:
    return Measured(float(value), error if value else 0.0, nonnegative=True).to_json()


def _json_Recommendation(answer: Any, digits: int) -> dict[str, Any]:
    """The recommendation: its lines, per target the family and T chosen and each family's T, LLaDA's blocks."""
    def target(entry: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"target": format_decimal(entry.target, digits),
                                "per_token": format_decimal(entry.target / answer.length, digits)}
        best = entry.best
        if best is None:
            return {**data, "family": None}
        chosen = entry.runnable[best]
        data.update({"family": best, "steps": chosen.steps, "steps_range": list(chosen.steps_range or ()) or None,
                     "families": {f: entry.steps_of(r) for f, r in entry.found.items()},
                     "optimal": entry.steps_of(entry.optimal)})
        return data

    blocks = None
    if answer.blocks is not None:
        family, results = answer.blocks
        blocks = ({"family": family, "steps": None} if isinstance(results, str) else
                  {"family": family, "by": "bound", "steps": [r.steps for r in results]})
    return {"length": answer.length, "unit": answer.unit, "source": answer.source,
            "recommendation": answer.lines(digits), "recommended": target(answer.hardest),
            "targets": [target(t) for t in answer.targets], "llada_blocks": blocks,
            "adaptive_rules": answer.adaptive_note}


def _json_RuleReport(report: Any, digits: int) -> dict[str, Any]:
    """A rule's truth, sequence error, calls and guarantees, as computed (floats in nats)."""
    return {
        "sampler": str(report.rule), "truth": report.truth, "truth_error": report.truth_error,
        "truth_kind": report.truth_kind, "sequence_error": report.sequence_error[0],
        "sequence_error_se": report.sequence_error[1], "expected_nfe": report.expected_nfe[0],
        "expected_nfe_se": report.expected_nfe[1], "nfe_sd": report.nfe_sd, "exact": report.exact,
        "guarantees": [{"name": g.name, "value": g.value, "bounds": g.bounds, "source": g.source,
                        "holds": g.holds, "note": g.note} for g in report.guarantees],
        **{k: v for k, v in report.meta.items() if isinstance(v, (int, float, str, type(None)))},
    }


#: a rule report's extra fields that are information (nats as computed); the others are sizes, calls, seeds
_RULE_NATS_FIELDS = ("max_step_tc", "kl_of_output_law", "tc_bound", "tc_bound_se", "entropy_excess", "entropy_sum")


def _rule_report_in(report: Any, unit: str, guarantees: bool) -> dict[str, Any]:
    """A rule report's JSON with its truth, its extra information fields (and with ``guarantees``, their values)
    in ``unit``."""
    data = _json_RuleReport(report, 6)
    for key in ("truth", "truth_error", *_RULE_NATS_FIELDS):
        if isinstance(data.get(key), float) and not math.isnan(data[key]):
            data[key] = from_nats(data[key], unit)
    if guarantees:
        for g in data["guarantees"]:
            g["value"] = None if g["value"] is None else from_nats(g["value"], unit)
    return data


def _json_RuleVerifyAnswer(answer: Any, digits: int) -> dict[str, Any]:
    """verify of a rule: its report in the answer's unit, and the model."""
    data = _rule_report_in(answer.report, answer.unit, guarantees=True)
    data.update(model=answer.model, unit=answer.unit)
    return data


def _json_TradeoffAnswer(answer: Any, digits: int) -> dict[str, Any]:
    """Samplers at their expected calls: each rule's report, its truth and its guarantees' values in the answer's
    unit (as verify of one rule)."""
    return {"model": answer.model, "unit": answer.unit,
            "samplers": [_rule_report_in(r, answer.unit, guarantees=True) for r in answer.reports]}


def _json_ThresholdSearchAnswer(answer: Any, digits: int) -> dict[str, Any]:
    """The loosest Fast-dLLM threshold per target: its interval, KL (in the answer's unit), calls."""
    out = []
    for target, result in answer.results:
        result = {**result, **{k: from_nats(result[k], answer.unit) for k in ("kl", "kl_error") if k in result}}
        out.append({"target": str(target), **{k: (str(v) if isinstance(v, Fraction) else v)
                                               for k, v in result.items() if k != "interval"},
                    "interval": None if result["tau"] is None else [str(x) for x in result["interval"]]})
    return {"model": answer.model, "family": "confidence", "unit": answer.unit, "results": out}


def _plain(value: Any) -> Any:
    """Fractions as strings, inside dicts and lists too."""
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json_RuleSearchAnswer(answer: Any, digits: int) -> dict[str, Any]:
    """A rule search from a data model: per target the answer (its target as given), every point evaluated (values
    in nats, as the search compared them)."""
    data = _plain(answer.result)
    for entry, shown in zip(data["answers"], answer.targets):
        entry["target"] = shown  # in the answer's unit; the search compared in nats (bits rounded down)
    return {"model": answer.model, "unit": answer.unit, "values_unit": "nats", **data}


#: A sweep's JSON lists a schedule's sizes up to this T (beyond it, the schedule's description).
LISTED_STEPS = 10_000
#: The most values a sweep's JSON may list (sizes, a random-count sampler's per-step laws): ~1.7 µs and ~125 bytes
#: each as measured (json.dumps with indent is pure Python), so about 17 s and 1.3 GB at the limit.
MAX_LISTED_VALUES = 10_000_000


def sweep_listed_values(families: Any, steps: Any) -> int:
    """How many values a sweep's JSON would list for these families (:class:`~boundcalc.sweeps.FamilySpec`) and T,
    before any work: each schedule's sizes up to :data:`LISTED_STEPS`, a random-count sampler's three per-step
    laws at every T."""
    listed = 0
    for family in families:
        counts = family.family.random_counts
        listed += sum(3 * t if counts else t if t <= LISTED_STEPS else 0 for t in steps)
    return listed


def _json_SweepAnswer(answer: Any, digits: int) -> dict[str, Any]:
    """A sweep: exact bounds as {exact, decimal}; float64 results as {value, abs_error}; n/a as null."""
    result = answer.result

    def value(row: Any, name: str) -> dict[str, str] | None:
        measured = row.measured(name)
        if measured is not None:
            return measured.to_json()
        exact = row.bounds.get(name)
        return None if exact is None else number_json(exact, digits)

    def schedule(row: Any) -> Any:
        if row.random_counts:  # the sampler's law: reveal probabilities, expected sizes, expected calls
            return {"sampler": str(row.schedule), **to_json(row.schedule, digits)}
        return list(row.schedule.sizes) if row.steps <= LISTED_STEPS else row.schedule.describe()

    rows = [{"family": row.family, "steps": row.steps, "schedule": schedule(row), "s_max": row.max_size,
             **{name: value(row, name) for name in answer.count_stats},
             **{name: value(row, name) for name in ("error", "optimal", "random_error")},
             "bounds": {name: value(row, name) for name in result.bound_names}} for row in result.rows]
    return {
        "source": answer.source, "length": result.length, "unit": str(result.unit),
        "mi_total": number_json(result.mi_total, digits) if result.mi_measured is None else result.mi_measured.to_json(),
        "eps_train": number_json(result.eps_train, digits),
        "families": list(result.families), "steps": list(result.steps), "estimate": result.estimate,
        "random_counts": answer.random_count_families,
        "bounds": list(result.bound_names), "rows": rows,
        "skipped": [{"family": f, "steps": t, "reason": why} for f, t, why in result.skipped],
    }


#: The JSON printers, by class name (this module's ``_json_<Class>`` functions, and those :func:`register` adds).
PRINTERS = Printers("JSON")
PRINTERS.collect(globals(), "_json_")
