"""LaTeX in the paper's notation: expressions, instantiated bounds, derivation documents.

The printer writes the symbols of :mod:`boundcalc.symbolic` as Li & Cai do --
``X_0^{(i)}``, ``\\varepsilon_{\\mathrm{train}}``, ``s_{\\max}``,
``\\lceil\\log_2 s_{\\max}\\rceil``,
``\\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)})`` -- rather than sympy's default
names, and keeps the shape of the paper's formulas (the coefficient over L,
then the mutual-information sum, then the training error).

>>> from boundcalc.latex import latex
>>> from boundcalc.symbolic import get
>>> print(latex(get("sharp").expr))
\\frac{s_{\\max} - 1}{L} \\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)}) + \\varepsilon_{\\mathrm{train}}

With ``values`` the numbers of a concrete case take the symbols' places:

>>> print(instantiate(get("theorem1"), {"L": 10, "s_max": 5, "sum_I": 2, "eps_train": "0.1"}))
\\mathbb{E}_M\\left[\\mathrm{KL}(p_{X_0} \\,\\|\\, p_{Y_0 \\mid M})\\right] \\le \\frac{2^{\\lceil\\log_2 5\\rceil} - 1}{10} \\cdot 2 + \\frac{1}{10} = \\frac{3}{2} \\approx 1.5

Documents (:func:`standalone`, :func:`derivation_document`) use only
amsmath and amssymb, so they compile with Debian's texlive-latex-base.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

import sympy as sp
from sympy.printing.latex import LatexPrinter

from . import references
from . import symbolic as sym
from .errors import BoundcalcError, UsageError
from .exact import Measured, format_decimal

__all__ = [
    "NOTATION",
    "PaperLatexPrinter",
    "latex",
    "result_latex",
    "result_segments",
    "instantiate",
    "instantiate_lines",
    "assumption_lines",
    "unrolling_latex",
    "unrolling_segments",
    "missing_inputs",
    "escape_text",
    "result_block",
    "standalone",
    "derivation_document",
    "results_document",
    "to_latex",
    "bound_report_latex",
    "recursion_report_latex",
    "steps_result_latex",
    "tag_text",
    "equation_label",
    "proof_label",
    "result_equation",
    "proofs_appendix",
    "latex_table",
    "latex_number",
    "bound_table",
    "steps_table",
    "verify_table",
    "LONG_FRACTION",
    "PREAMBLE",
]

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
    return not q.is_Integer and len(str(abs(q.p))) + len(str(q.q)) > LONG_FRACTION


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
            log = r"\log_2" if self._settings["unit"] == "bits" else r"\ln"
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


# ---------------------------------------------------------------------------
# Instantiation with a user's numbers


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
        return _phi_segments(result, subs, digits)
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
        tail = _value_tail(defined, digits, rounded)
        prefix.append(f"{NOTATION[symbol]} = {_expr(definition, subs, digits=digits)}{tail}, \\qquad")
    segments = result_segments(result, shown, abbreviate=True, unit=unit, digits=digits)[:2]
    tail = _value_tail(exact, digits, rounded).strip()
    if segments[-1].endswith(tail[2:]):  # nothing left to evaluate (T_break = L)
        return prefix + segments
    return prefix + segments + [tail]


def _phi_segments(result: sym.Result, subs: Mapping[Any, sp.Rational], digits: int) -> list[str]:
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
        _value_tail(exact, digits, rounded).strip(),
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


# ---------------------------------------------------------------------------
# Documents

# booktabs where installed; texlive-latex-base lacks it, so plain rules stand in for the booktabs ones
PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath}
\usepackage{amssymb}
\IfFileExists{booktabs.sty}{\usepackage{booktabs}}{\providecommand{\toprule}{\hline}\providecommand{\midrule}{\hline}\providecommand{\bottomrule}{\hline}}
\allowdisplaybreaks
"""

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


#: Displays longer than this (in LaTeX source characters) are broken into lines.
WIDTH = 150


def _display(segments: Sequence[str], tag: str | None = None, label: str | None = None) -> str:
    """A displayed equation: one line if short, else ``split`` with a line per segment after the first."""
    tagline = (rf" \tag{{{tag}}}" if tag else "") + (rf"\label{{{label}}}" if label else "")
    env = "equation" if tag or label else "equation*"
    one_line = " ".join(segments)
    if len(one_line) <= WIDTH or len(segments) == 1:
        body = one_line
    else:
        lines = [segments[0]]
        for segment in segments[1:]:
            short = len(lines[-1]) < 40 or len(lines[-1]) + len(segment) < WIDTH * 3 // 5
            if short and not lines[-1].endswith((r"\qquad", ",")):
                lines[-1] += " " + segment
            else:
                lines.append(segment)
        lines = [line.removesuffix(r"\qquad").rstrip() for line in lines]
        body = "\\begin{split}\n& " + " \\\\\n& \\quad ".join(lines) + "\n\\end{split}"
    return f"\\begin{{{env}}}\n{body}{tagline}\n\\end{{{env}}}\n"


def tag_text(result: sym.Result) -> str:
    """The equation tag: the paper's number (``8``); with a constant boundcalc derives,
    ``9, $C_1 = 2$ derived``; for boundcalc's own results ``D4, derived``.

    >>> tag_text(sym.get("theorem1")), tag_text(sym.get("theorem2-upper")), tag_text(sym.get("sharp"))
    ('8', '12, $C_2 = 1$ derived', 'D4, derived')
    """
    if not result.tag[0].isdigit():
        return f"{result.tag}, derived"
    return f"{result.tag}, ${result.derived}$ derived" if result.derived else result.tag


def equation_label(result: sym.Result) -> str:
    """The stable ``\\label`` of a result: ``bc:`` and its name (``bc:theorem2-upper``)."""
    return f"bc:{result.name}"


def proof_label(key: str) -> str:
    """The ``\\label`` of a derivation in the appendix of ``latex --proofs`` (``bc:proof-sharp``)."""
    return f"bc:proof-{key}"


def result_equation(result: sym.Result, unit: str = "bits") -> str:
    """The result as a tagged, labelled ``equation`` (or ``split``) ready to paste into a paper."""
    segments = result_segments(result, unit=unit)
    head = [segments[0], " ".join(segments[1:2]) + ("," if len(segments) > 2 else ""), *segments[2:]]
    return _display(head, tag_text(result), equation_label(result))


def result_block(result: sym.Result, values: Mapping[Any, Any] | None = None, digits: int = 6,
                 unit: str = "bits", proofs: bool = False) -> str:
    """One result as a document section: title, statement, the tagged equation, conditions, assumptions.

    The equation carries ``\\label{bc:NAME}``; the source cites its paper; a result whose constant
    or form boundcalc derives points to its derivation (``\\ref`` into the appendix with ``proofs``).
    """
    equation = "" if not result.tag[0].isdigit() else f" (eq.~{result.equation})"
    lines = [rf"\subsection*{{{escape_text(result.title)}{equation}}}", ""]
    cite = rf"~\cite{{{','.join(result.cites)}}}" if result.cites else ""
    lines.append(result.statement + rf" \emph{{Source:}} {result.source}{cite}." + _derivation_note(result, proofs))
    lines.append("")
    lines.append(result_equation(result, unit).rstrip())
    extras = _extra_lines(result, unit)
    if extras:
        lines.append(extras.rstrip())
    conditions = [f"${c.latex}$" for c in result.conditions]
    conditions += [f"${case_latex}$" for _, _, case_latex in result.cases]
    if conditions:
        lines.append(r"\noindent\emph{Conditions:} " + "; ".join(conditions) + ".")
        lines.append("")
    assumptions = result.assumptions
    if assumptions:
        lines.append(r"\noindent\emph{Assumptions:} " + "; ".join(f"${a}$" for a in assumptions) + ".")
        lines.append("")
    lines.append(rf"\noindent\emph{{In boundcalc:}} the result \texttt{{{result.name}}}.")
    lines.append("")
    if values is not None:
        lines.append(r"\noindent\emph{With the values of this case:}")
        lines.append(_display(instantiate_lines(result, values, digits, unit)).rstrip())
    return "\n".join(lines) + "\n"


def _derivation_note(result: sym.Result, proofs: bool) -> str:
    if not result.proof:
        return ""
    where = (
        rf"Appendix~\ref{{{proof_label(result.proof)}}}"
        if proofs
        else r"boundcalc's appendix of derivations"
    )
    return rf" \emph{{Derivation:}} {where}."


def _extra_lines(result: sym.Result, unit: str) -> str:
    """Extra displayed relations that belong to a result in the derivation."""
    ex = result.extras
    if result.name == "recursion-step":
        return _display([_expr(ex["base"])])
    if result.name == "closed-form":
        return _display([r"\varepsilon(s)", rf"\le {_expr(ex['sum'])}", f"= {_expr(result.expr)}"])
    if result.name == "sharp":
        return _display([_expr(ex["step"]) + r",", _expr(ex["telescoping"])])
    if result.name == "corollary1":
        return _display(
            [KL_LHS, rf"\le {_expr(ex['paper_form'])}, \qquad C_1 = 2,", _expr(ex["chain"]) + r" < \frac{2}{T}"]
        )
    if result.name == "break-even":
        return _display([r"\text{the bound of (D5) at } T = L", f"= {_expr(ex['bound_at_break'])}"])
    if result.name == "multiscale-phi":
        sizes = _display(
            [
                r"\Phi",
                rf"= {_expr(ex['level_form'])},",
                rf"|W_j^{{(-i)}}| = {_expr(ex['set_size'])}, \quad j = 0, 1, \dots, \log_2 S, \qquad {_expr(ex['S'])},",
            ]
        )
        bound = _display([_expr(ex["bound"]), rf"= {_expr(ex['weights'].rhs * sym.sum_I)} \le 2 {SUM_I % 'L'}"])
        return sizes + bound
    if result.name == "theorem2-upper":
        return _display([KL_LHS, rf"\le {_expr(ex['paper_form'])}, \qquad C_2 = {_expr(ex['C_2'])}"])
    if result.name == "theorem2-lower":
        return _display(
            [
                KL_RANDOM_LHS,
                rf"\ge {_expr(ex['paper_form'])}, \qquad C_3 = {_expr(ex['C_3'])} < \frac{{S}}{{8 (2 S - 1)}}",
            ]
        )
    if result.name == "theorem2-gap":
        sandwich = ex["sandwich"]
        return _display([_expr(sandwich.lhs), rf"\le {KL_RANDOM_LHS}", rf"\le {_expr(sandwich.rhs)}"])
    return ""


def standalone(body: str, title: str | None = None, bib: str | None = None) -> str:
    """A complete amsmath document around ``body``, with its bibliography when it cites.

    The references are those ``body`` cites (:mod:`boundcalc.references`): a ``thebibliography``
    inside the document, or with ``bib`` (a ``.bib`` file's name) ``\\bibliography`` for BibTeX.
    """
    head = PREAMBLE + "\\begin{document}\n"
    if title:
        head += f"\\section*{{{escape_text(title)}}}\n\n"
    keys = references.cited_keys(body)
    tail = ""
    if keys and bib:
        stem = bib.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".bib")
        tail = f"\n\\bibliographystyle{{plain}}\n\\bibliography{{{stem}}}\n"
    elif keys:
        tail = "\n" + references.thebibliography(keys)
    return head + body.rstrip() + "\n" + tail + "\\end{document}\n"


_INTRO = r"""\noindent Li \& Cai~\cite{li2025convergence} bound the sampling error of a masked diffusion language
model that reveals $s_1, \dots, s_T$ of $L$ tokens per step ($s_1 + \dots + s_T = L$,
$s_{\max} = \max_t s_t$) by the total mutual information between each token and the others,
\[
  \Sigma I = \sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)}),
\]
plus the training error $\varepsilon_{\mathrm{train}}$ of the mask predictor (Definition 1).
Below, each result in the order of the derivation, with its statement, conditions and equation
number: numbers are the paper's, D1, D2, \dots\ mark results derived by boundcalc. Every number
boundcalc computes is one of these expressions evaluated exactly. The last section is Theorem 2:
an upper bound for every schedule and a lower bound for a random schedule in terms of the
multi-scale mutual information $\Phi$, with explicit constants.
"""

_SECTIONS = (
    ("The recursion and its closed form", ("recursion-step", "level-inequality", "closed-form")),
    ("Theorem 1 and its exact forms", ("theorem1", "recursion", "recursion-popcount", "sharp")),
    ("Balanced schedules", ("theorem1-uniform", "corollary1")),
    ("Token error rate", ("ter", "ter-corollary1", "ter-vocabulary")),
    ("How many steps", ("steps-theorem1", "steps-recursion", "steps-sharp", "steps-ter", "break-even")),
    ("Theorem 2: multi-scale mutual information", ("multiscale-phi", "theorem2-upper", "theorem2-lower", "theorem2-gap")),
)


def _sections() -> list[tuple[str, tuple[str, ...]]]:
    # the derivation's sections; results added to the table later go to a last section of their own
    placed = {name for _, names in _SECTIONS for name in names}
    rest = tuple(name for name in sym.NAMES if name not in placed)
    return list(_SECTIONS) + ([("Further results", rest)] if rest else [])


def derivation_document(values: Mapping[Any, Any] | None = None, digits: int = 6, unit: str = "bits",
                        proofs: bool = False, bib: str | None = None) -> str:
    """Every result, in order, as a short compilable derivation (``boundcalc latex --all --standalone``).

    ``proofs`` appends the derivations of boundcalc's constants (:func:`proofs_appendix`);
    ``bib`` cites through BibTeX instead of an inline bibliography.
    """
    registry = sym.results()
    parts = [_INTRO]
    for heading, names in _sections():
        parts.append(f"\\section{{{heading}}}\n")
        for name in names:
            result = registry[name]
            shown = values if (values is not None and _can_instantiate(result, values)) else None
            parts.append(result_block(result, shown, digits, unit, proofs))
    if proofs:
        parts.append(proofs_appendix())
    return standalone("\n".join(parts), "Convergence bounds for masked diffusion language models", bib)


def results_document(names: Sequence[str], values: Mapping[Any, Any] | None = None, digits: int = 6,
                     unit: str = "bits", proofs: bool = False, bib: str | None = None) -> str:
    """A compilable document with the named results (``boundcalc latex --expr NAME --standalone``)."""
    blocks = [result_block(sym.get(name), values, digits, unit, proofs) for name in names]
    if proofs:
        blocks.append(proofs_appendix())
    return standalone("\n".join(blocks), bib=bib)


def proofs_appendix() -> str:
    """``\\appendix`` and the derivations of every constant boundcalc uses, converted from the
    marked sections of docs/theory.md (:mod:`boundcalc.proofs`), each ``\\label{bc:proof-KEY}``."""
    from . import proofs

    return proofs.appendix()


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


# ---------------------------------------------------------------------------
# Tables (booktabs): bound, steps, verify, and any other table (sweep) through latex_table


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
    registry = result.registry
    unit = str(result.unit)
    errors = [name for name in ("error", "optimal") if any(getattr(row, name) is not None for row in result.rows)]
    heads = {"error": "Error (23)", "optimal": "Optimal"}
    # upper bounds on this schedule's error (Theorem 2's lower bound is about another schedule: see verify)
    bounds = [name for name in result.bound_names if registry[name].quantity == "kl" and registry[name].about == "schedule"]

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
    columns += [(_equation_of(registry[name]).split(",")[0].rstrip(")") + ")", "r") for name in bounds]
    notes = ["; ".join(f"{_equation_of(registry[name])}: {escape_text(registry[name].title)}" for name in bounds)]
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


def _print_Basic(expr: sp.Basic, values: Mapping[Any, Any] | None = None, unit: str = "bits") -> str:
    return _expr(expr, values, unit)


def _print_Fraction(value: Fraction) -> str:
    return _number(sp.Rational(value.numerator, value.denominator))


def _print_int(value: int) -> str:
    return str(value)


def _print_Result(result: sym.Result, values: Mapping[Any, Any] | None = None, abbreviate: bool = True,
                  unit: str = "bits") -> str:
    return result_latex(result, values, abbreviate, unit)


def _print_Unrolling(unrolling: sym.Unrolling, length: int | None = None) -> str:
    return unrolling_latex(unrolling, length)


def _print_BoundReport(report: Any, digits: int = 6, table: bool = False) -> str:
    return bound_table(report, digits) if table else bound_report_latex(report, digits)


def _print_RecursionReport(report: Any) -> str:
    return recursion_report_latex(report)


def _print_StepsResult(result: Any, digits: int = 6, table: bool = False) -> str:
    return steps_table([result], digits) if table else steps_result_latex(result, digits)


def _print_VerifyReport(report: Any, digits: int = 6) -> str:
    return verify_table(report, digits)


def _print_SweepResult(result: Any, digits: int = 6) -> str:
    return sweep_table(result, digits)


def _print_list(items: Sequence[Any], digits: int = 6, unit: str | None = None) -> str:
    """Several :class:`~boundcalc.steps.StepsResult` (one per target): their table."""
    if items and all(type(item).__name__ == "StepsResult" for item in items):
        return steps_table(items, digits, unit)
    raise TypeError("no LaTeX form for a sequence other than StepsResults")


_print_tuple = _print_list


def _print_MultiScaleProfile(profile: Any, digits: int = 6) -> str:
    """Φ's definition with the profile's L, S and level totals filled in, and its value."""
    return instantiate(sym.get("multiscale-phi"), sym.values_for(multiscale=profile), digits)


def latex(obj: Any, /, **options: Any) -> str:
    """LaTeX for anything boundcalc makes, in the paper's notation: the single printing entry.

    Dispatches on the class name (sympy's ``Printer``: ``_print_<ClassName>``, along the MRO):
    a sympy expression (options ``values``, ``unit``), a :class:`~boundcalc.symbolic.Result`
    (``values``, ``abbreviate``, ``unit``), an :class:`~boundcalc.symbolic.Unrolling`
    (``length``), a ``BoundReport`` (``digits``; ``table=True`` for a booktabs table),
    ``RecursionReport``, ``StepsResult`` or a list of them (``digits``, ``table``),
    ``VerifyReport`` (a booktabs table), ``MultiScaleProfile`` (Φ), a Fraction or an int.
    Value objects call it from ``to_latex`` (:class:`boundcalc._print_helpers.Printable`).

    >>> print(latex(sym.get("sharp").expr))
    \\frac{s_{\\max} - 1}{L} \\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)}) + \\varepsilon_{\\mathrm{train}}
    """
    for cls in type(obj).__mro__:
        printer = _PRINTERS.get(f"_print_{cls.__name__}")
        if printer is not None:
            return printer(obj, **options)
    raise TypeError(f"no LaTeX form for {type(obj).__name__}")


_PRINTERS = {name: value for name, value in globals().items() if name.startswith("_print_")}

#: The former name of :func:`latex` (``boundcalc.to_latex``).
to_latex = latex
