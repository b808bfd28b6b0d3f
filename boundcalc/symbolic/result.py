"""A result of the theory (Condition, Result), exact evaluation (values_for) and the unrolled recursion."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping

import sympy as sp

from .._print_helpers import Printable
from ..errors import DomainError, ScheduleError, UsageError
from ..exact import check_listed_digits, decimal_digits, to_rational
from .symbols import L, Phi, S, SYMBOLS, T, V, _EPS_TRAIN, assumption_lines, eps, s, s_max, sum_I, tau
from .functions import F, G


@dataclass(frozen=True)
class Condition:
    """A validity condition: LaTeX text and, where it can be checked, a sympy relation.

    ``error`` is the error raised by :meth:`Result.evaluate` when the relation is false.
    """

    latex: str
    text: str
    relation: sp.Basic | None = None
    error: type = DomainError


_REL = {"<=": sp.Le, "=": sp.Eq, "<": sp.Lt, ">=": sp.Ge}


@dataclass(frozen=True, eq=False)
class Result(Printable):
    """One result of the theory: a named sympy relation ``lhs <rel> expr`` with its context.

    ``expr`` is a real sympy expression (``.subs``, ``simplify``, ``limit``,
    ``series`` work on it); :meth:`evaluate` substitutes exact values and
    returns a :class:`fractions.Fraction`; :meth:`to_latex` prints the paper's
    notation.
    """

    name: str
    title: str
    tag: str  # the equation tag: "8", "19", ... for the paper's, "D1", ... for derived results
    source: str  # where it comes from (LaTeX text)
    lhs: sp.Expr
    rel: str
    expr: sp.Expr
    summary: str  # one plain-text line
    statement: str  # LaTeX prose (inline math in $...$)
    conditions: tuple[Condition, ...] = ()
    inputs: tuple[sp.Symbol, ...] = ()  # the symbols whose values evaluate() needs
    definitions: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()  # abbreviations used by the display form
    display: sp.Expr | None = None  # expr written with the abbreviations (for LaTeX)
    cases: tuple[tuple[sp.Basic, sp.Expr, str], ...] = ()  # (condition, value, LaTeX) checked first
    extras: Mapping[str, sp.Basic] = field(default_factory=dict)
    numeric: str = ""  # the numeric counterpart in boundcalc
    unit: str | None = None  # "nats" when the expression contains a natural logarithm
    derived: str = ""  # LaTeX of the constant boundcalc derives in a paper's statement ("C_1 = 2")
    proof: str = ""  # the key of its derivation in docs/theory.md and ``latex --proofs`` ("corollary1")
    cites: tuple[str, ...] = ("li2025convergence",)  # BibTeX keys (boundcalc.references)

    # -- sympy views ------------------------------------------------------------
    @property
    def equation(self) -> str:
        """The paper's equation number as printed, e.g. ``"(8)"``, or ``"derived"``."""
        return f"({self.tag})" if self.tag[0].isdigit() else "derived"

    @property
    def label(self) -> str:
        """The tag in parentheses: ``"(8)"``, ``"(D2)"``."""
        return f"({self.tag})"

    @property
    def relation(self) -> sp.Basic:
        """The statement as a sympy relational (unevaluated)."""
        return _REL[self.rel](self.lhs, self.expr, evaluate=False)

    @property
    def free_symbols(self) -> set[sp.Symbol]:
        return self.expr.free_symbols

    def subs(self, *args: Any, **kwargs: Any) -> sp.Expr:
        """``self.expr.subs(...)``."""
        return self.expr.subs(*args, **kwargs)

    @property
    def assumptions(self) -> tuple[str, ...]:
        """The assumptions carried by the symbols of the statement, as LaTeX."""
        symbols = set(self.expr.free_symbols) | set(self.inputs)
        for _, definition in self.definitions:
            symbols |= definition.free_symbols
        return assumption_lines(symbols)

    # -- evaluation ---------------------------------------------------------------
    def value(self, values: Mapping[sp.Symbol | str, Any] | None = None, **named: Any) -> sp.Expr:
        """The exact sympy value at ``values`` after checking the conditions (may be irrational)."""
        subs = _substitutions(values, named)
        levels = {key: value for key, value in subs.items() if not key.is_Symbol}  # G(m), F(i, m)
        subs = {key: value for key, value in subs.items() if key.is_Symbol}
        missing = [sym for sym in self.inputs if sym not in subs]
        if missing:
            raise UsageError(
                f"{self.name} needs a value for {', '.join(sym.name for sym in missing)}",
                param="values",
                allowed=f"give {', '.join(sym.name for sym in self.inputs)}",
            )
        for condition in self.conditions:
            if condition.relation is None:
                continue
            verdict = condition.relation.subs(subs)
            if verdict is sp.false:
                where = ", ".join(
                    f"{symbol.name} = {subs[symbol]}"
                    for symbol in sorted(condition.relation.free_symbols, key=lambda x: x.name)
                    if symbol in subs
                )
                raise condition.error(f"the condition {condition.text} does not hold ({where})", param=self.name)
        for condition, case_value, _ in self.cases:
            if sp.sympify(condition.subs(subs)) is sp.true:
                return sp.sympify(case_value).subs(subs).doit()
        substituted = self.expr.subs(subs)
        _check_sum_terms(substituted, self.name)
        result = substituted.doit()
        if levels:
            result = result.xreplace(levels).doit()
        pending = result.atoms(G, F)
        if pending:
            shown = ", ".join(sorted(map(str, pending), key=lambda text: (len(text), text)))
            raise UsageError(
                f"{self.name} needs the level totals {shown} (G(m) = Σ_i E[I(X^(i); X∘A)], |A| = m)",
                param="values",
                allowed="values_for(multiscale=...) gives them from a MultiScaleProfile",
            )
        unknown = result.atoms(sp.core.function.AppliedUndef)
        if unknown:
            shown = ", ".join(sorted(str(f).replace("varepsilon", "ε") for f in unknown))
            raise DomainError(
                f"the right-hand side still contains {shown}",
                param=self.name,
                allowed="unroll the recursion with boundcalc.symbolic.unroll(s)",
            )
        leftover = result.free_symbols
        if leftover:
            raise UsageError(
                f"{self.name} still depends on {', '.join(sorted(sym.name for sym in leftover))}",
                param="values",
                allowed=f"give {', '.join(sym.name for sym in self.inputs)}",
            )
        return result

    def evaluate(self, values: Mapping[sp.Symbol | str, Any] | None = None, **named: Any) -> Fraction:
        """Substitute exact values, evaluate, and return the exact rational.

        ``values`` maps symbols or their names (``"L"``, ``"s_max"``,
        ``"sum_I"``, ``"eps_train"``, ``"eps"``, ``"T"``, ``"tau"``) to
        numbers; strings are read exactly (``"0.1"`` is 1/10).
        """
        result = self.value(values, **named)
        if not result.is_Rational:
            raise DomainError(f"the value {result} is not rational", param=self.name, allowed="use .value() for it")
        return Fraction(int(result.p), int(result.q))

    def __repr__(self) -> str:
        return f"<Result {self.name} {self.equation}: {self.summary}>"


def to_sympy_number(value: Any, name: str = "value") -> sp.Rational:
    """An exact sympy Rational from any number boundcalc accepts (``"0.1"`` is 1/10)."""
    if isinstance(value, sp.Basic):
        if value.is_Rational:
            return value
        raise UsageError(f"{name} = {value} is not a rational number", param=name)
    q = to_rational(value, name)
    return sp.Rational(q.numerator, q.denominator)


def _substitutions(values: Mapping[Any, Any] | None, named: Mapping[str, Any]) -> dict[sp.Symbol, sp.Rational]:
    out: dict[sp.Symbol, sp.Rational] = {}
    for key, value in {**(values or {}), **named}.items():
        if isinstance(key, (G, F)):  # a level total G(m) (or a per-token F(i, m)) of Φ's definition
            if not all(arg.is_Integer for arg in key.args) or value is None:
                raise UsageError(f"{key} is not a value of Φ's definition", param="values", allowed="G(m) with an integer m")
            number = to_sympy_number(value, str(key))
            if number < 0:
                raise UsageError(f"{key} = {number} is negative", param=str(key), allowed="must be >= 0")
            out[key] = number
            continue
        if isinstance(key, str):
            if key not in SYMBOLS:
                raise UsageError(f"unknown symbol {key!r}", param="values", allowed=f"one of {', '.join(SYMBOLS)}")
            key = SYMBOLS[key]
        if value is None:
            continue
        number = to_sympy_number(value, key.name)
        if key.is_integer and not number.is_Integer:
            raise UsageError(f"{key.name} = {number} is not an integer", param=key.name, allowed="an integer")
        if key.is_positive and not number > 0:
            raise UsageError(f"{key.name} = {number} is not allowed", param=key.name, allowed="must be > 0")
        if key.is_nonnegative and number < 0:
            raise UsageError(f"{key.name} = {number} is negative", param=key.name, allowed="must be >= 0")
        out[key] = number
    return out


def values_for(
    result: Result | None = None,
    *,
    profile: Any = None,
    schedule: Any = None,
    eps_train: Any = 0,
    target: Any = None,
    vocab_size: int | None = None,
    multiscale: Any = None,
) -> dict[sp.Symbol, sp.Rational]:
    """Symbol values from boundcalc's value objects (an MIProfile, a Schedule, ε_train, a target,
    a :class:`~boundcalc.multiscale.MultiScaleProfile`).

    ``eps_train`` is 0 unless given (as in :mod:`boundcalc.bounds`); ``target`` is ε, or τ for
    results whose input is τ (the TER target). ``multiscale`` gives L, S, Φ and the level totals
    G(m_j) of Φ's definition (levels with an empty set, m_j <= 0, are 0 by definition); it is
    checked against ``profile`` and ``schedule`` (the same L, values at most I_i).
    """
    out: dict[sp.Symbol, Any] = {}
    if profile is not None:
        out[L] = profile.length
        out[sum_I] = profile.total
    if schedule is not None:
        if getattr(schedule, "positions", "uniform") == "blocks":
            raise ScheduleError(
                f"{schedule} is semi-autoregressive: the paper's results assume uniformly random positions "
                "over all L, and instantiated at its s_max they can be below the truth",
                param="schedule",
                allowed="flat-blocks:K:FAMILY:T for its sizes, or `bound`/`verify` for the blockwise bounds",
            )
        if profile is not None:
            schedule.require_length(profile.length)
        out[L] = schedule.length
        out[T] = schedule.steps
        out[s_max] = schedule.max_size
        out[s] = schedule.max_size
    if eps_train is not None:
        out[_EPS_TRAIN] = eps_train
    if target is not None:
        wants_tau = result is not None and tau in result.inputs
        out[tau if wants_tau else eps] = target
    if vocab_size is not None:
        out[V] = vocab_size
    if multiscale is not None:
        if profile is not None:
            multiscale.check_against(profile)
        if schedule is not None:
            schedule.require_length(multiscale.length)
        out[L] = multiscale.length
        out[S] = multiscale.max_size
        out[Phi] = multiscale.phi
        for size, total in zip(multiscale.set_sizes, multiscale.level_totals):
            if size > 0:
                out[G(size)] = total
    return _substitutions(out, {})




# ---------------------------------------------------------------------------
# The recursion unrolled for a concrete s


@dataclass(frozen=True)
class Unrolling(Printable):
    """(19) followed down the chain c_0 = s, c_{k+1} = ⌈c_k/2⌉ for a concrete s.

    ``terms`` are the level increments c_k/2 (``floor`` variant: ⌊c_k/2⌋) in
    units of ΣI/L; ``level_bounds`` the paper's per-level estimates
    2^(⌈log2 s⌉ - k)/2 that turn the sum into (20).
    """

    s: int
    variant: str  # "ceil" (eq. 19) or "floor" (the sharp variant)
    chain: tuple[int, ...]
    terms: tuple[Fraction, ...]
    level_bounds: tuple[Fraction, ...]
    total: Fraction
    closed_form: Fraction

    @property
    def expr(self) -> sp.Expr:
        """The unrolled bound on ε(s) as a sympy expression in L and ΣI."""
        return sp.Rational(self.total.numerator, self.total.denominator) / L * sum_I


#: The most terms a sum is expanded into when a result is instantiated (the recursion's chain at s_max = 10^300
#: has 997; each term costs milliseconds of sympy with big integers): beyond, the value is refused before work.
MAX_SUM_TERMS = 1000


def _check_sum_terms(expr: sp.Expr, name: str) -> None:
    """Refuse, before ``doit``, a sum whose number of terms at the given values exceeds :data:`MAX_SUM_TERMS`."""
    for total in expr.atoms(sp.Sum):
        terms = sp.Integer(1)
        for _, low, high in total.limits:
            count = sp.sympify(high - low + 1)
            if not count.is_number:
                return
            terms *= sp.floor(count)
        if terms > MAX_SUM_TERMS:
            shown = str(terms) if terms < 10**30 else f"about 10^{decimal_digits(int(terms)) - 1}"
            raise UsageError(f"{name} would expand a sum of {shown} terms at these values", param="values",
                             allowed=f"at most {MAX_SUM_TERMS} terms (smaller s_max or L); `boundcalc bound` "
                             "computes the value without expanding it")


def unroll(size: int, variant: str = "ceil") -> Unrolling:
    """Unroll (19) exactly for ``s = size``: the chain, the terms, their sum and (20).

    >>> u = unroll(5)
    >>> u.chain, u.total, u.closed_form
    ((5, 3, 2, 1), Fraction(5, 1), Fraction(7, 1))
    >>> unroll(5, "floor").total
    Fraction(4, 1)
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise UsageError(f"s = {size!r} is not allowed", param="s", allowed="a positive integer")
    if variant not in ("ceil", "floor"):
        raise UsageError(f"unknown variant {variant!r}", param="variant", allowed="ceil or floor")
    check_listed_digits((size - 1).bit_length() + 1, size, f"the chain of (19) for s = {size}", "s")
    chain = [size]
    while chain[-1] > 1:
        chain.append((chain[-1] + 1) // 2)
    levels = (size - 1).bit_length()
    active = [c for c in chain if c > 1]
    if variant == "ceil":
        terms = tuple(Fraction(c, 2) for c in active)
    else:
        terms = tuple(Fraction(c // 2) for c in active)
    bounds = tuple(Fraction(2 ** (levels - level), 2) for level in range(len(active)))
    return Unrolling(
        s=size,
        variant=variant,
        chain=tuple(chain),
        terms=terms,
        level_bounds=bounds,
        total=sum(terms, Fraction(0)),
        closed_form=Fraction(2**levels - 1),
    )
