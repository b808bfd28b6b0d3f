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

from .bounds import BOUNDS
from .constants import C1
from .exact import format_decimal, number_json

__all__ = ["to_json"]


def to_json(obj: Any, digits: int = 6) -> dict[str, Any]:
    """The JSON form of a report or value object (a dict of plain values)."""
    printer: Callable[[Any, int], dict[str, Any]] | None = globals().get(f"_json_{type(obj).__name__}")
    if printer is None:
        raise TypeError(f"no JSON form for {type(obj).__name__}")
    return printer(obj, digits)


def _num(x: Fraction | int | None, digits: int) -> dict[str, str] | None:
    return None if x is None else number_json(x, digits)


def _float(value: float, digits: int, error: float, note: str) -> dict[str, str]:
    from .truth import float_decimal

    return {
        "decimal": format_decimal(Fraction(max(value, 0.0)), digits),
        "float": float_decimal(value),
        "abs_error": f"{error:.2g}",
        "note": note,
    }


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
    if report.vocab_size is not None:
        out["vocabulary"] = {
            "vocab_size": report.vocab_size,
            "ter_worst_case": report.ter_vocabulary.to_json(digits),
            "uniform_baseline": report.uniform_baseline.to_json(digits),
        }
    return out


def _bound_notes(report: Any) -> dict[str, str]:
    log = "log2" if report.unit == "bits" else "ln"
    notes = {
        "corollary1": f"C1 = {C1}; holds when s_max = ceil(L/T)",
        "ter": f"bound on log TER(p_Y0) - log TER(p_X0) per token ({log}), from theorem1 / L",
    }
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
    bounds = _json_BoundReport(report.bounds, digits)
    out = {
        "model": report.model,
        **{k: bounds[k] for k in ("length", "steps", "max_mask_size", "schedule", "unit")},
        "truth": _float(report.truth, digits, report.truth_error,
                        "exact E_M KL with the optimal predictor (ε_train = 0), float64"),
        "mi_total": bounds["mi_total"],
        "bounds": bounds["bounds"],
        "ratios": {k: (None if v is None else format_decimal(Fraction(v), digits)) for k, v in report.ratios().items()},
        "holds": report.holds(),
        "notes": {
            **bounds["notes"],
            "ratios": "bound / exact error; for "
            + ", ".join(b.name for b in BOUNDS.values() if b.about == "random")
            + ": bound / the random schedule's exact expected error",
        },
    }
    if "multiscale" in bounds:
        out["multiscale"] = bounds["multiscale"]
    if report.random_error is not None:
        ms = report.bounds.multiscale
        out["random_schedule"] = {
            "max_mask_size": ms.scale if ms is not None else None,
            "truth": _float(report.random_error, digits, report.truth_error * 2,
                            "exact expected error of random:S (sizes iid uniform on {S, S/2}), float64"),
        }
    return out
