"""The JSON printer: every report's ``--json`` form, in one place (a renderer).

:func:`to_json` dispatches on the class name to a ``_json_<ClassName>``
function, as sympy's printers do, so value objects and reports carry no
printing code (their ``to_dict`` is the one-line hook of
:class:`boundcalc._print_helpers.Printable`). Exact numbers are
``{"exact": "p/q", "decimal": "..."}``; float results carry their error.

>>> from boundcalc import MIProfile, Schedule, bound_report
>>> data = to_json(bound_report(MIProfile.from_total(2, 10), Schedule([5, 3, 2])))
>>> data["bounds"]["theorem1"], data["bounds"]["corollary1"]
({'exact': '7/5', 'decimal': '1.4'}, None)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from .constants import C1
from .exact import SCHEMA_VERSION, Measured, format_decimal, number_json
from .units import display, from_nats, log_name

__all__ = ["to_json", "document", "sampler_summary", "FLOAT_INPUTS", "SCHEMA_VERSION"]

#: Said wherever an exact decision rests on float64 values (a profile that ``boundcalc profile`` wrote, or
#: whose values are float64 prints: boundcalc.profile.float_printed).
FLOAT_INPUTS = (
    "the MI profile holds float64 results (written by boundcalc profile, or printed from float64s): its decimals "
    "are taken exactly as written, so ΣI and every decision are exact for those values, which differ from the "
    "values they rounded by their float error"
)


def to_json(obj: Any, digits: int = 6, **options: Any) -> dict[str, Any]:
    """The JSON form of a report or value object (a dict of plain values).

    The printer is ``_json_<Class>`` for the first class of ``type(obj).__mro__`` that has one (sympy's
    rule: a subclass prints as its parent unless it has its own). ``options`` go to the printer. A float
    computed in nats is shown in the display unit (:func:`boundcalc.units.display`). ``digits`` is for
    the decimals of exact numbers (``{"exact", "decimal"}``,
    the exact value is there in full); a float with an error always has every digit its error justifies.
    """
    printer = _printer(obj)
    if printer is None:
        raise TypeError(f"no JSON form for {type(obj).__name__}")
    return printer(obj, digits, **options)


def _printer(obj: Any) -> Callable[..., dict[str, Any]] | None:
    for cls in type(obj).__mro__:
        printer = globals().get(f"_json_{cls.__name__}")
        if printer is not None:
            return printer
    return None


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
        out["schedule"] = sampler_summary(result.sampler)
    if result.value is not None:
        with display(result.unit):  # an estimate (nats) shown in the unit of the exact target it is held to
            out["value"] = (number_json(result.value, digits) if isinstance(result.value, Fraction)
                            else to_json(result.value, digits))
    if result.by == "bound" and result.random_counts:
        out["undecided_steps"] = list(result.undecided)
        out["decision"] = result.decision_note
    if result.steps_range is not None:
        out["steps_range"] = list(result.steps_range)
    if result.reason:
        out["reason"] = result.reason
    return out


def sampler_summary(sampler: Any) -> dict[str, Any]:
    """A random-count sampler where a schedule goes: its name, steps and E network calls."""
    calls, calls_error = sampler.expected_nonempty_steps()
    return {"name": str(sampler), "random_counts": True, "nominal_steps": sampler.steps,
            "steps_with_final": len(sampler.reveal), "sizes": None, "max_mask_size": None,
            "expected_nonempty_steps": Measured(calls, calls_error, nonnegative=True).to_json(
                note="E #steps that reveal at least one token (network calls)")}


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
    calls, calls_error = sampler.expected_nonempty_steps()
    return {
        "family": sampler.family,
        "nominal_steps": sampler.steps,
        "steps_with_final": len(sampler.reveal),
        "reveal_probabilities": [repr(p) for p in sampler.reveal],
        "exact_probabilities": None if sampler.exact is None else [str(p) for p in sampler.exact],
        "expected_sizes": [repr(x) for x in sampler.expected_sizes()],
        "expected_nonempty_steps": Measured(calls, calls_error).to_json(note="E #steps that reveal at least one token"),
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


def _measured_total(value: Fraction, error: float, digits: int) -> dict[str, str]:
    return Measured(float(value), error if value else 0.0, nonnegative=True).to_json()
