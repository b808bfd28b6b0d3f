"""The LaTeX printer of boundcalc's expressions: sympy's, with the paper's notation and layout.

The printer writes the symbols of :mod:`boundcalc.symbolic` as Li & Cai do --
``X_0^{(i)}``, ``\\varepsilon_{\\mathrm{train}}``, ``s_{\\max}``,
``\\lceil\\log_2 s_{\\max}\\rceil``,
``\\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)})`` -- rather than sympy's default
names, and keeps the shape of the paper's formulas (the coefficient over L,
then the mutual-information sum, then the training error).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Sequence

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .. import symbolic as sym
from ..exact import decimal_digits, format_decimal
from ..units import as_unit

SUM_I = sym.SUM_I
KL_LHS = sym.KL_LHS
KL_RANDOM_LHS = sym.KL_RANDOM_LHS
#: E[I(X_0^(i); X_0∘W_j^(-i))], a term of Φ (token and level as printed).
LEVEL_MI = r"\mathbb{E}\left[I(X_0^{(%s)}; X_0 \circ W_j^{(-%s)})\right]"

#: The paper's notation for each symbol (defined with the symbols, in :mod:`boundcalc.symbolic`).
NOTATION = sym.NOTATION
assumption_lines = sym.assumption_lines

_RELATIONS = {"<=": r"\le", "<": "<", "=": "=", ">=": r"\ge", ">": ">", "==": "="}
_ORDER = list(sym.ORDER)


_LOG_V = sp.log(sym.V)
_TWO_TO_MINUS_J = sp.Integer(2) ** -sym.j  # Φ's level weight, printed 2^{-j} as in the paper


def _is_trailing_atom(factor: sp.Basic) -> bool:
    # the information terms follow their coefficient, as ΣI does in the paper: ... ΣI, ... log V, ... Φ
    return factor == sym.sum_I or factor == _LOG_V or factor == sym.Phi or isinstance(factor, (sym.G, sym.F))


def _has_trailing(expr: sp.Basic) -> bool:
    return expr.has(sym.sum_I) or expr.has(_LOG_V) or expr.has(sym.Phi) or bool(expr.atoms(sym.G, sym.F))


def _factor_key(factor: sp.Basic) -> tuple:
    # numbers, then the symbols in the paper's order (L before τ), then the rest, sums in parentheses last
    if factor.is_Number:
        return (0, 0, "")
    if factor in (sym.C_1, sym.C_2, sym.C_3):  # a constant leads: C_2 S/L, as the paper writes it
        return (0, 1, factor.name)
    if factor in _ORDER:
        return (1, _ORDER.index(factor), "")
    return (2 + bool(factor.is_Add), 0, str(sp.default_sort_key(factor)))


def _number(q: sp.Rational) -> str:
    if q.is_Integer:
        return str(q)
    sign = "-" if q < 0 else ""
    return rf"{sign}\frac{{{abs(q.p)}}}{{{q.q}}}"


#: A value whose fraction has more digits than this (numerator and denominator together; a float's
#: shortest decimal read exactly has about 18) is shown as a decimal in instantiated formulas.
LONG_FRACTION = 12


def _is_long(q: sp.Rational) -> bool:
    return not q.is_Integer and decimal_digits(int(q.p)) + decimal_digits(int(q.q)) > LONG_FRACTION


def _shown(q: sp.Rational, digits: int | None) -> str:
    """A substituted value: the exact fraction, or its decimal (``digits``) when the fraction is long."""
    if digits is not None and _is_long(q):
        return format_decimal(Fraction(int(q.p), int(q.q)), digits)
    return _number(q)


class PaperLatexPrinter(LatexPrinter):
    """sympy's LaTeX printer with the paper's notation and layout.

    Settings: ``values`` (symbol -> Rational, printed in the symbol's place)
    and ``unit`` (``"bits"``: log2 TER; ``"nats"``: ln TER).
    """

    _default_settings = {**LatexPrinter._default_settings, "values": None, "unit": "bits", "digits": None}

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(dict(settings or {}))
        self._values: dict[sp.Symbol, sp.Rational] = dict(self._settings["values"] or {})

    # -- atoms --------------------------------------------------------------
    def _valued(self, expr: sp.Basic) -> bool:
        return expr in self._values

    def _fractional_value(self, expr: sp.Basic) -> bool:
        return expr in self._values and not self._values[expr].is_Integer

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr in self._values:
            return _shown(self._values[expr], self._settings["digits"])
        if expr == sym.sum_I:
            return SUM_I % self._print(sym.L)
        if expr == sym.TER_gap:
            log = as_unit(self._settings["unit"] or "nats").latex_log
            return rf"{log} \mathrm{{TER}}(p_{{Y_0}}; p_{{X_0}}) - {log} \mathrm{{TER}}(p_{{X_0}}; p_{{X_0}})"
        if expr in NOTATION:
            return NOTATION[expr]
        return super()._print_Symbol(expr, style)

    def _print_Rational(self, expr: sp.Rational) -> str:
        return _number(expr)

    # -- products and sums ------------------------------------------------------
    def _factor(self, expr: sp.Basic) -> str:
        text = self._print(expr)
        if expr.is_Add or (expr.is_Mul and expr.could_extract_minus_sign()):
            return rf"\left({text}\right)"
        return text

    def _product(self, factors: Sequence[sp.Basic]) -> str:
        out = ""
        for factor in factors:
            text = self._factor(factor)
            if out:
                numeric_next = text[:1].isdigit() or text.startswith(r"\frac") or text.startswith("-")
                out += r" \cdot " if numeric_next else " "
            out += text
        return out

    def _print_Mul(self, expr: sp.Mul) -> str:
        if expr.could_extract_minus_sign():
            return "- " + self._factor(-expr)
        coefficient, factors = expr.as_coeff_mul()
        numerator: list[sp.Basic] = [sp.Integer(coefficient.p)] if coefficient.p != 1 else []
        denominator: list[sp.Basic] = [sp.Integer(coefficient.q)] if coefficient.q != 1 else []
        trailing: list[sp.Basic] = []  # bounds in parentheses, then ΣI or log V, after the fraction
        trailing_atoms: list[sp.Basic] = []
        for factor in factors:
            if _is_trailing_atom(factor):
                trailing_atoms.append(factor)
                continue
            if factor == _TWO_TO_MINUS_J:
                numerator.append(factor)
                continue
            if factor.is_Add and _has_trailing(factor):
                trailing.append(factor)
                continue
            base, exponent = factor.as_base_exp()
            if exponent.is_negative or (not exponent.is_number and exponent.could_extract_minus_sign()):
                denominator.append(base if exponent == -1 else sp.Pow(base, -exponent))
            else:
                numerator.append(factor)
        numerator.sort(key=_factor_key)
        denominator.sort(key=_factor_key)
        if denominator and any(self._fractional_value(f) for f in numerator):
            # a value such as 1/10 over L = 10: 1/10 * 1/10 reads better than a fraction of fractions
            core = self._product(numerator) + r" \cdot " + rf"\frac{{1}}{{{self._product(denominator)}}}"
        elif denominator:
            top = self._product(numerator) if numerator else "1"
            core = rf"\frac{{{self._print(numerator[0]) if len(numerator) == 1 else top}}}{{{self._product(denominator)}}}"
        else:
            core = self._product(numerator)
        parts = [core] if core else []
        parts += [rf"\left({self._print(t)}\right)" for t in trailing]
        parts += [self._print(atom) for atom in trailing_atoms]
        if not parts:
            return "1"
        out = parts[0]
        for text in parts[1:]:
            numeric_next = text[:1].isdigit() or text.startswith(r"\frac")
            out += r" \cdot " if numeric_next else " "
            out += text
        return out

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        terms = list(self._as_ordered_terms(expr, order=order))
        # stable sort, the paper's order: ε(.) first, then the MI term, positive before negative
        # terms, constants last (ε(⌈s/2⌉) + s/(2L) ΣI, 2^m - 1, ⌈log2 s⌉ - k)
        terms.sort(
            key=lambda t: (
                not t.has(sym.varepsilon),
                not _has_trailing(t),
                t.could_extract_minus_sign(),
                t.is_Number,
            )
        )
        out = ""
        for i, term in enumerate(terms):
            if term.could_extract_minus_sign():
                text = self._print(-term)
                out += ("- " if i == 0 else " - ") + (rf"\left({text}\right)" if (-term).is_Add else text)
            else:
                out += ("" if i == 0 else " + ") + self._print(term)
        return out

    def _print_Pow(self, expr: sp.Pow, exp: str | None = None) -> str:
        base, exponent = expr.as_base_exp()
        if expr == _TWO_TO_MINUS_J:
            return "2^{-j}"
        if exponent == -1:
            return rf"\frac{{1}}{{{self._print(base)}}}"
        if exponent.is_Rational and exponent < 0:
            return rf"\frac{{1}}{{{self._print(sp.Pow(base, -exponent))}}}"
        if base in self._values and not (self._values[base].is_Integer and self._values[base] >= 0):
            return rf"\left({self._print(base)}\right)^{{{self._print(exponent)}}}"
        if base.is_Symbol or base.is_Integer:
            return rf"{self._print(base)}^{{{self._print(exponent)}}}"
        return super()._print_Pow(expr)

    # -- rounding and the integer functions ---------------------------------------
    def _inline(self, arg: sp.Basic) -> str:
        """a/b for a quotient of simple terms (the paper's \\lceil L/T \\rceil), else the usual print."""
        numerator, denominator = sp.fraction(arg)
        simple = lambda e: e.is_Symbol or e.is_Integer or (e.is_Pow and (e.base.is_Symbol or e.base.is_Integer))
        if denominator != 1 and simple(numerator) and simple(denominator):
            return f"{self._print(numerator)}/{self._print(denominator)}"
        return self._print(arg)

    def _bracket(self, arg: sp.Basic, left: str, right: str) -> str:
        text = self._inline(arg)
        if r"\frac" in text or r"\sum" in text:
            return rf"\left{left} {text} \right{right}"
        return rf"{left} {text} {right}"

    def _print_ceiling(self, expr: sp.ceiling, exp: str | None = None) -> str:
        text = self._bracket(expr.args[0], r"\lceil", r"\rceil")
        return rf"{text}^{{{exp}}}" if exp else text

    def _print_floor(self, expr: sp.floor, exp: str | None = None) -> str:
        text = self._bracket(expr.args[0], r"\lfloor", r"\rfloor")
        return rf"{text}^{{{exp}}}" if exp else text

    def _log2_argument(self, arg: sp.Basic) -> str:
        text = self._print(arg)
        if arg.is_Add or arg.is_Mul:
            return rf"\left({text}\right)"
        return text

    def _print_ceil_log2(self, expr: sp.Basic, exp: str | None = None) -> str:
        if expr.args[0] == sym.S:  # S is a power of two (a condition wherever it appears): log2 S is exact
            return rf"\log_2 {self._print(sym.S)}"
        return rf"\lceil\log_2 {self._log2_argument(expr.args[0])}\rceil"

    def _print_floor_log2(self, expr: sp.Basic, exp: str | None = None) -> str:
        return rf"\lfloor\log_2 {self._log2_argument(expr.args[0])}\rfloor"

    def _print_popcount(self, expr: sp.Basic, exp: str | None = None) -> str:
        return rf"\operatorname{{popcount}}\left({self._print(expr.args[0])}\right)"

    def _print_recursion_max_size(self, expr: sp.Basic, exp: str | None = None) -> str:
        return rf"s^{{*}}_{{\mathrm{{rec}}}}\left({self._print(expr.args[0])}\right)"

    def _print_G(self, expr: sp.Basic, exp: str | None = None) -> str:
        if expr in self._values:
            return _shown(self._values[expr], self._settings["digits"])
        (size,) = expr.args
        if size.has(sym.j):  # G(L - S 2^-j): the level-j sum of Φ's definition
            return rf"\sum_{{i=1}}^{{{self._print(sym.L)}}} " + LEVEL_MI % ("i", "i")
        return rf"G({self._print(size)})"

    def _print_F(self, expr: sp.Basic, exp: str | None = None) -> str:
        if expr in self._values:
            return _shown(self._values[expr], self._settings["digits"])
        token, size = expr.args
        if size.has(sym.j):
            index = self._print(token)
            return LEVEL_MI % (index, index)
        return rf"F_{{{self._print(token)}}}({self._print(size)})"

    def _print_log(self, expr: sp.log, exp: str | None = None) -> str:
        # sympy's log is the natural logarithm
        text = rf"\ln {self._log2_argument(expr.args[0])}"
        return rf"\left({text}\right)^{{{exp}}}" if exp else text

    def _print_Function(self, expr: sp.Function, exp: str | None = None) -> str:
        if expr.func == sym.varepsilon:
            return rf"\varepsilon({', '.join(self._print(a) for a in expr.args)})"
        return super()._print_Function(expr, exp)

    def _print_Min(self, expr: sp.Min, exp: str | None = None) -> str:
        args = sorted(expr.args, key=lambda a: (not a.is_Symbol, sp.default_sort_key(a)))
        return rf"\min\left({', '.join(self._print(a) for a in args)}\right)"

    def _print_Sum(self, expr: sp.Sum) -> str:
        body = self._print(expr.function)
        if expr.function.is_Add:
            body = rf"\left({body}\right)"
        for index, low, high in expr.limits:  # innermost first: Σ_i Σ_j is Sum(..., (j, ...), (i, ...))
            body = rf"\sum_{{{self._print(index)}={self._print(low)}}}^{{{self._print(high)}}} {body}"
        return body

    def _print_Relational(self, expr: sp.Basic) -> str:
        return f"{self._print(expr.lhs)} {_RELATIONS[expr.rel_op]} {self._print(expr.rhs)}"


def _expr(expr: sp.Basic, values: Mapping[Any, Any] | None = None, unit: str = "bits",
          digits: int | None = None) -> str:
    """``expr`` in the paper's notation; ``values`` prints numbers in place of symbols (long
    fractions as decimals with ``digits``)."""
    subs = sym._substitutions(values, {}) if values else {}
    return PaperLatexPrinter({"values": subs, "unit": unit, "digits": digits}).doprint(expr)


def result_segments(
    result: sym.Result,
    values: Mapping[Any, Any] | None = None,
    abbreviate: bool = True,
    unit: str = "bits",
    digits: int | None = None,
) -> list[str]:
    """The pieces of a result's display: ``[lhs, "rel rhs", "R = ...", ...]``."""
    subs = sym._substitutions(values, {}) if values else {}
    unit = result.unit or unit
    printer = PaperLatexPrinter({"values": subs, "unit": unit, "digits": digits})
    lhs = PaperLatexPrinter({"unit": unit}).doprint(result.lhs) if result.lhs.is_Symbol else printer.doprint(result.lhs)
    rhs_expr = result.display if (abbreviate and result.display is not None) else result.expr
    segments = [lhs, f"{_RELATIONS[result.rel]} {printer.doprint(rhs_expr)}"]
    if abbreviate and result.display is not None:
        for symbol, definition in result.definitions:
            segments.append(rf"{NOTATION[symbol]} = {printer.doprint(definition)}")
    return segments


def _join(segments: Sequence[str]) -> str:
    # a definition (R = ...) follows the statement after a comma
    out = " ".join(segments[:2])
    for extra in segments[2:]:
        out += rf", \qquad {extra}" if not extra.startswith(("=", r"\le", r"\approx")) else f" {extra}"
    return out


def result_latex(
    result: sym.Result,
    values: Mapping[Any, Any] | None = None,
    abbreviate: bool = True,
    unit: str = "bits",
) -> str:
    """``lhs rel rhs`` of a result; with abbreviations (``R``) followed by their definitions."""
    return _join(result_segments(result, values, abbreviate, unit))



_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def escape_text(text: str) -> str:
    """Plain text made safe for LaTeX (``&``, ``_``, ``%`` ... escaped; ASCII only)."""
    out = "".join(_TEXT_ESCAPES.get(ch, ch) for ch in text)
    replacements = {"ε": r"$\varepsilon$", "Σ": r"$\Sigma$", "τ": r"$\tau$", "≤": r"$\le$", "≥": r"$\ge$"}
    for char, tex in replacements.items():
        out = out.replace(char, tex)
    return out.encode("ascii", "replace").decode("ascii")
