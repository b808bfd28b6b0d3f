"""A result of the theory with the numbers of one case filled in, and the reports that show such results."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Mapping

import sympy as sp

from .. import symbolic as sym
from ..errors import BoundcalcError, UsageError
from ..exact import format_decimal
from .printer import KL_LHS, NOTATION, SUM_I, _expr, _is_long, _number, _shown, escape_text, result_segments

if TYPE_CHECKING:
    from ..exact import Measured


class EstimatedValues(dict):
    """A case's symbol values whose ΣI and Φ are estimates from a measured loss curve.

    ``moved`` maps each kind of uncertainty ("error", "stderr", "interpolation") to the inputs moved up and
    down by that spread: pairs (ΣI moved; Φ's levels moved by Φ's, ΣI raised only as far as they need), None
    where the curve gives no such spread (no stderr column). A result's spread of a kind is how far its value moves
    (:meth:`measure`), so an instantiated value is shown ``\\approx v \\pm stderr``, never as exact.
    """

    def __init__(self, values: Mapping[Any, Any], moved: Mapping[str, list[tuple[Any, Any]]]) -> None:
        super().__init__(values)
        self.moved = dict(moved)

    def measure(self, result: sym.Result, value: sp.Expr, expression: sp.Expr | None = None) -> "Measured":
        """``value`` (the result, or ``expression`` of its definitions, at these values) with the spreads of the
        estimated inputs carried through: each kind is the larger move when the inputs move up or down by it."""
        from ..exact import Measured

        use_phi = bool({sym.Phi, sym.S} & set(result.inputs))

        def at(moved: Mapping[Any, Any]) -> float:
            return float(result.value(moved) if expression is None else expression.subs(moved))

        spreads: dict[str, float | None] = {}
        for kind, pair in self.moved.items():
            spread: float | None = 0.0
            for by_mi, by_phi in pair:
                moved = by_phi if use_phi else by_mi
                try:
                    spread = None if moved is None or spread is None else max(spread, abs(at(moved) - float(value)))
                except (BoundcalcError, TypeError, ValueError, ZeroDivisionError):  # a condition fails there
                    spread = None
            spreads[kind] = spread
        error = spreads.get("error")
        return Measured(float(value), 0.0 if error is None else error, stderr=spreads.get("stderr"),
                        interpolation=spreads.get("interpolation") or 0.0, estimate=True)


def estimated_values(values: Mapping[Any, Any], estimates: Mapping[str, "Measured"]) -> EstimatedValues:
    """``values`` (:func:`~boundcalc.symbolic.values_for` of a curve's ΣI, and Φ's levels) marked as estimates,
    with ΣI and the levels moved by each of their spreads: ``estimates`` holds ``"mi_total"`` (ΣI) and, when Φ
    comes from the curve too, ``"phi"`` (:func:`boundcalc.estimate.curve_input_estimates` as Measured in the
    values' unit)."""
    subs = sym._substitutions(values, {})
    scale = int(subs[sym.S]) if "phi" in estimates and sym.S in subs and sym.Phi in subs else None
    moved: dict[str, list[tuple[Any, Any]]] = {}
    for kind in ("error", "stderr", "interpolation"):
        step = getattr(estimates["mi_total"], kind)
        if step is None or sym.sum_I not in subs:
            moved[kind] = [(None, None)]
            continue
        phi_step = getattr(estimates.get("phi"), kind, None)
        moved[kind] = [_moved(subs, sign * _rational(step), None if phi_step is None else sign * _rational(phi_step),
                              scale is not None) for sign in (1, -1)]
    return EstimatedValues(subs, moved)


def _rational(x: float) -> sp.Rational:
    f = Fraction(x)
    return sp.Rational(f.numerator, f.denominator)


def _moved(subs: Mapping[Any, Any], step: sp.Rational, phi_step: sp.Rational | None, phi: bool) -> tuple[Any, Any]:
    """(ΣI moved by ``step``; Φ and its levels moved by ``phi_step``, ΣI at least their largest), none below 0."""
    by_mi = {**subs, sym.sum_I: max(subs[sym.sum_I] + step, sp.Integer(0))}
    if not phi or subs[sym.Phi] == 0:
        return by_mi, by_mi
    if phi_step is None:
        return by_mi, None
    factor = max(1 + phi_step / subs[sym.Phi], sp.Integer(0))
    by_phi = {k: (v * factor if isinstance(k, sym.G) or k == sym.Phi else v) for k, v in subs.items()}
    by_phi[sym.sum_I] = max([subs[sym.sum_I], *(v for k, v in by_phi.items() if isinstance(k, sym.G))])
    return by_mi, by_phi


def _estimate_tail(measured: Any, digits: int) -> str:
    """`` \\approx v \\pm se`` (and the interpolation effect), v to the digits its spread justifies."""
    from ..exact import round_up

    stderr = "?" if measured.stderr is None else _plain(round_up(measured.stderr))
    text = rf" \approx {_plain(measured.decimal(digits))} \pm {stderr}"
    if measured.interpolation:
        text += rf" \; (\text{{interp.\ }} {_plain(round_up(measured.interpolation))})"
    return text


def _plain(text: str) -> str:
    mantissa, _, exponent = text.partition("e")
    return mantissa if not exponent else rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _decimal(value: sp.Rational, digits: int) -> str:
    return format_decimal(Fraction(int(value.p), int(value.q)), digits)


def _value_tail(value: sp.Expr, digits: int, approximate: bool = False) -> str:
    """`` = exact \\approx decimal``; only `` \\approx decimal`` for a long fraction, or after rounded inputs."""
    if value.is_Rational and (approximate or _is_long(value)) and not value.is_Integer:
        return rf" \approx {_decimal(value, digits)}"
    if value.is_Rational:
        text = f" = {_number(value)}"
        if not value.is_Integer:
            text += rf" \approx {_decimal(value, digits)}"
        return text
    return f" = {_expr(value)} \\approx {sp.N(value, digits)}"


_RELATION_RESULTS = ("recursion-step", "level-inequality", "closed-form")


def instantiate(
    result: sym.Result,
    values: Mapping[Any, Any],
    digits: int = 6,
    unit: str = "bits",
    value: Fraction | None = None,
) -> str:
    """The result with the numbers of one case filled in, ``= exact value \\approx decimal``.

    Raises :class:`~boundcalc.errors.UsageError` when a needed value is
    missing, and the result's condition error (e.g.
    :class:`~boundcalc.errors.InfeasibleTargetError`) when a condition fails.
    """
    return " ".join(instantiate_lines(result, values, digits, unit, value))


def instantiate_lines(
    result: sym.Result,
    values: Mapping[Any, Any],
    digits: int = 6,
    unit: str = "bits",
    value: Fraction | None = None,
) -> list[str]:
    """:func:`instantiate` as display pieces (definitions end with ``,\\qquad``); joined by a space."""
    subs = sym._substitutions(values, {})
    if result.name in _RELATION_RESULTS:
        size = subs.get(sym.s, subs.get(sym.s_max))
        if size is None:
            raise UsageError(f"{result.name} needs s", param="values", allowed="give s (or s_max)")
        length = subs.get(sym.L)
        return unrolling_segments(sym.unroll(int(size)), None if length is None else int(length))
    if result.name == "recursion-popcount":
        size = subs.get(sym.s, subs.get(sym.s_max))
        if size is None:
            raise UsageError(f"{result.name} needs s", param="values", allowed="give s (or s_max)")
        subs = {sym.s: size}
    if result.name == "multiscale-phi":
        return _phi_segments(result, subs, digits, values)
    exact = result.value(subs)
    if value is not None:
        exact = sp.Rational(value.numerator, value.denominator)
    for condition, case_value, _ in result.cases:
        if sp.sympify(condition.subs(subs)) is sp.true:
            lhs = _expr(result.lhs, unit=unit)
            return [lhs, f"= {_expr(case_value)} \\quad ({_expr(condition)})"]
    shown = dict(subs)
    prefix: list[str] = []
    rounded = any(_is_long(v) for v in subs.values())  # inputs shown as decimals: the chain is approximate
    for symbol, definition in result.definitions:
        defined = definition.subs(subs)
        shown[symbol] = defined
        tail = (_estimate_tail(values.measure(result, defined, definition), digits)
                if isinstance(values, EstimatedValues) else _value_tail(defined, digits, rounded))
        prefix.append(f"{NOTATION[symbol]} = {_expr(definition, subs, digits=digits)}{tail}, \\qquad")
    segments = result_segments(result, shown, abbreviate=True, unit=unit, digits=digits)[:2]
    if isinstance(values, EstimatedValues):  # an estimate: value ± stderr, never "= exact"
        return prefix + segments + [_estimate_tail(values.measure(result, exact), digits).strip()]
    tail = _value_tail(exact, digits, rounded).strip()
    if segments[-1].endswith(tail[2:]):  # nothing left to evaluate (T_break = L)
        return prefix + segments
    return prefix + segments + [tail]


def _phi_segments(result: sym.Result, subs: Mapping[Any, sp.Rational], digits: int,
                  values: Mapping[Any, Any] | None = None) -> list[str]:
    """Φ's definition with L and S filled in, its levels G(m_j) (0 for an empty set), their values, and Φ."""
    exact = result.value(subs)  # checks S and that every level total is given
    length, big_s = int(subs[sym.L]), int(subs[sym.S])
    levels, numbers = [], []
    for level in range(int(sym.ceil_log2(big_s)) + 1):
        size = length - (big_s >> level)
        weight = sp.Rational(1, 2**level)
        total = subs[sym.G(size)] if size > 0 else sp.Integer(0)
        levels.append(_expr(weight * sym.G(size)) if size > 0 else "0")
        shown = _shown(total, digits)
        numbers.append(shown if level == 0 else rf"{_number(weight)} \cdot {shown}")
    rounded = any(_is_long(v) for v in subs.values())
    return [
        NOTATION[sym.Phi],
        f"= {_expr(result.expr, subs)}",
        "= " + " + ".join(levels),
        ("\\approx " if rounded else "= ") + " + ".join(numbers),
        (_estimate_tail(values.measure(result, exact), digits) if isinstance(values, EstimatedValues)
         else _value_tail(exact, digits, rounded)).strip(),
    ]


def unrolling_latex(unrolling: sym.Unrolling, length: int | None = None) -> str:
    """The chain of (19) for one s: the level terms, their sum, and the closed form (20)."""
    return " ".join(unrolling_segments(unrolling, length))


def unrolling_segments(unrolling: sym.Unrolling, length: int | None = None) -> list[str]:
    """:func:`unrolling_latex` as display pieces."""
    u = unrolling
    ell = "L" if length is None else str(length)
    mi = SUM_I % ell
    if u.s == 1:
        return [r"\varepsilon(1)", "= 0"]
    active = [c for c in u.chain if c > 1]
    if u.variant == "ceil":
        times = " " if length is None else r" \cdot "
        terms = rf"\frac{{{' + '.join(map(str, active))}}}{{2{times}{ell}}}"
    else:
        floors = " + ".join(rf"\lfloor {c}/2 \rfloor" for c in active)
        terms = rf"\frac{{{floors}}}{{{ell}}}"

    def over_l(q: Fraction) -> str:
        if length is not None:
            q = q / length
            return _number(sp.Rational(q.numerator, q.denominator))
        return rf"\frac{{{_number(sp.Rational(q.numerator, q.denominator))}}}{{L}}"

    levels = (u.s - 1).bit_length()
    segments = [rf"\varepsilon({u.s})", rf"\le {terms} {mi}", rf"= {over_l(u.total)} {mi}"]
    if u.variant == "ceil":
        segments += [rf"\le \frac{{2^{{{levels}}} - 1}}{{{ell}}} {mi}", rf"= {over_l(u.closed_form)} {mi}"]
    return segments



def missing_inputs(result: sym.Result, values: Mapping[Any, Any]) -> list[sp.Symbol]:
    """The input symbols of ``result`` without a value."""
    subs = sym._substitutions(values, {})
    if result.name in _RELATION_RESULTS or result.name == "recursion-popcount":
        return [] if (sym.s in subs or sym.s_max in subs) else [sym.s]
    return [symbol for symbol in result.inputs if symbol not in subs]


def _can_instantiate(result: sym.Result, values: Mapping[Any, Any]) -> bool:
    if missing_inputs(result, values):
        return False
    try:
        instantiate(result, values)
    except BoundcalcError:
        return False
    return True


# ---------------------------------------------------------------------------
# Reports


def bound_report_latex(report: Any, digits: int = 6) -> str:
    """A :class:`~boundcalc.bounds.BoundReport` as instantiated bounds, one per line (``gathered``)."""
    values = {
        sym.L: report.length,
        sym.T: report.steps,
        sym.s_max: report.max_size,
        sym.sum_I: report.mi_total,
        sym.eps_train: report.eps_train,
    }
    multiscale = getattr(report, "multiscale", None)
    if multiscale is not None:  # Theorem 2's S and Φ
        values[sym.S] = multiscale.max_size
        values[sym.Phi] = multiscale.phi
    lines = []
    for name, number in report.bounds.items():
        if number is None:
            continue
        key = name.replace("_", "-")
        if key not in sym.NAMES or (multiscale is None and sym.Phi in sym.get(key).inputs):
            # no symbolic form, or Theorem 2 without the profile behind it: the value only
            value = sym.to_sympy_number(number)
            relation = r"\ge" if "lower" in name else r"\le"
            lines.append(rf"\text{{{escape_text(name.replace('_', ' '))}}} \quad {KL_LHS} {relation} {_number(value)}")
            continue
        result = sym.get(key)
        label = rf"\text{{{escape_text(result.title)} {result.label}}}"
        lines.append(f"{label} \\quad " + instantiate(result, values, digits, report.unit, value=number))
    return "\\begin{gathered}\n" + " \\\\\n".join(lines) + "\n\\end{gathered}"


def recursion_report_latex(report: Any) -> str:
    """A :class:`~boundcalc.bounds.RecursionReport` as the unrolled chain next to (20)."""
    return unrolling_latex(sym.unroll(report.max_size), report.length)


def steps_result_latex(result: Any, digits: int = 6) -> str:
    """A :class:`~boundcalc.steps.StepsResult`: the closed form with its numbers and the answer."""
    values = {sym.L: result.length, sym.sum_I: result.mi_total, sym.eps_train: result.eps_train, sym.eps: result.target}
    if not result.feasible:
        return (
            rf"\varepsilon = {_number(sym.to_sympy_number(result.target))} < \varepsilon_{{\mathrm{{train}}}} = "
            rf"{_number(sym.to_sympy_number(result.eps_train))}: \text{{no number of steps reaches the target}}"
        )
    text = instantiate(sym.get(f"steps-{result.bound_name}"), values, digits)
    bound = sym.to_sympy_number(result.bound)
    return text + rf", \qquad s_{{\max}} = {result.max_size}, \quad \text{{bound}} = {_number(bound)} \le \varepsilon"

