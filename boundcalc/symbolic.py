"""The results of Li & Cai (arXiv 2505.21400) as sympy expressions.

Every bound of boundcalc is a :class:`Result`: a real sympy expression
(``.expr``, the right-hand side; ``.relation``, the whole statement) over
symbols that carry their assumptions (``L``, ``T``, ``s_max`` are positive
integers; ``sum_I``, ``eps_train`` are nonnegative reals), together with the
paper's equation number, a statement, its assumptions and the conditions under
which it holds. The registry :data:`NAMES` lists them in the order of the
derivation; :func:`get` looks one up by name.

>>> from boundcalc.symbolic import get, L, s_max, sum_I, eps_train
>>> thm = get("theorem1")
>>> thm.expr
eps_train + sum_I*(2**ceil_log2(s_max) - 1)/L
>>> thm.evaluate({"L": 10, "s_max": 5, "sum_I": 2, "eps_train": "0.1"})
Fraction(3, 2)
>>> print(thm.to_latex())  # doctest: +NORMALIZE_WHITESPACE
\\mathbb{E}_M\\left[\\mathrm{KL}(p_{X_0} \\,\\|\\, p_{Y_0 \\mid M})\\right] \\le
\\frac{2^{\\lceil\\log_2 s_{\\max}\\rceil} - 1}{L} \\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)}) + \\varepsilon_{\\mathrm{train}}

Exactness: ceil(log2 s) and floor(log2 x) are the sympy functions
:class:`ceil_log2` and :class:`floor_log2`, evaluated by integer bit length.
sympy's own ``ceiling(log(s, 2))`` decides by floating point and is wrong for
s = 2**31 + 1 (it gives 31, not 32); ``thm.expr.rewrite(sympy.ceiling)``
gives that textbook form when you want it, ``.evaluate`` never uses it.

Evaluating a result (``.subs`` with rationals, then ``.doit()``) gives exactly
the rational of the numeric engine (:mod:`boundcalc.bounds`,
:mod:`boundcalc.steps`); the tests check this on random schedules and
profiles. Expressions are built once, on first use, and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable, Mapping

import sympy as sp

from ._print_helpers import Printable
from .constants import C2, C3
from .errors import DomainError, InfeasibleTargetError, ScheduleError, UsageError
from .exact import ceil_div, to_rational

__all__ = [
    # symbols
    "L",
    "T",
    "s_max",
    "s",
    "k",
    "j",
    "sum_I",
    "eps_train",
    "eps",
    "tau",
    "V",
    "R",
    "C_1",
    "C_2",
    "C_3",
    "S",
    "Phi",
    "i",
    "KL",
    "KL_random",
    "TER_gap",
    "T_min",
    "T_break",
    "varepsilon",
    "SYMBOLS",
    # exact integer functions
    "ceil_log2",
    "floor_log2",
    "popcount",
    "recursion_max_size",
    # Theorem 2's mutual-information terms
    "F",
    "G",
    # results
    "Condition",
    "Result",
    "Unrolling",
    "NAMES",
    "results",
    "for_bound",
    "NOTATION",
    "assumption_lines",
    "get",
    "expression",
    "unroll",
    "values_for",
    "to_sympy_number",
]

# ---------------------------------------------------------------------------
# Symbols (the printer in boundcalc.latex gives each its paper notation)

#: L, the number of tokens in the sequence.
L = sp.Symbol("L", integer=True, positive=True)
#: T, the number of sampling steps.
T = sp.Symbol("T", integer=True, positive=True)
#: s_max, the largest number of tokens revealed in one step.
s_max = sp.Symbol("s_max", integer=True, positive=True)
#: s, the argument of the recursion ε(s).
s = sp.Symbol("s", integer=True, positive=True)
#: Summation indices (levels of the recursion).
k = sp.Symbol("k", integer=True, nonnegative=True)
j = sp.Symbol("j", integer=True, nonnegative=True)
#: ΣI = Σ_{i=1}^{L} I(X_0^(i); X_0^(-i)), the total mutual information.
sum_I = sp.Symbol("sum_I", nonnegative=True)
#: ε_train, the training error of Definition 1 (eq. 7).
eps_train = sp.Symbol("eps_train", nonnegative=True)
#: ε, a target for E_M KL.
eps = sp.Symbol("eps", positive=True)
#: τ, a target for the per-token log2 TER gap (bits).
tau = sp.Symbol("tau", positive=True)
#: V = |X|, the vocabulary size.
V = sp.Symbol("V", integer=True, positive=True)
#: R = (ε - ε_train) L / ΣI, the budget of the coefficient in the required-T results.
R = sp.Symbol("R", nonnegative=True)
#: C_1, the constant of Corollary 1 (explicitly 2 here).
C_1 = sp.Symbol("C_1", positive=True)
#: S, Theorem 2's power of two: 2^ceil(log2 s_max), or a larger power of two (a profile's levels j = 0..log2 S).
S = sp.Symbol("S", integer=True, positive=True)
#: Φ, Theorem 2's multi-scale mutual information (result "multiscale-phi").
Phi = sp.Symbol("Phi", nonnegative=True)
#: The token index of Φ's definition.
i = sp.Symbol("i", integer=True, positive=True)
#: C_2, C_3, the constants of Theorem 2 (explicitly 1 and 1/16 here).
C_2 = sp.Symbol("C_2", positive=True)
C_3 = sp.Symbol("C_3", positive=True)
#: Left-hand sides.
KL = sp.Symbol("KL", nonnegative=True)  # E_M KL(p_X0 || p_Y0|M)
KL_random = sp.Symbol("KL_random", nonnegative=True)  # E over the random schedule of E_M KL (Theorem 2's lower bound)
TER_gap = sp.Symbol("TER_gap", nonnegative=True)  # log TER(p_Y0; p_X0) - log TER(p_X0; p_X0)
T_min = sp.Symbol("T_min", integer=True, positive=True)  # fewest steps reaching a target
T_break = sp.Symbol("T_break", integer=True, positive=True)  # where the bound stops improving
s_star = sp.Symbol("s_star", integer=True, positive=True)  # largest admissible s_max
_EPS_TRAIN = eps_train  # values_for() has a parameter of the same name
#: ε(s): the largest ideal error (ε_train = 0) over schedules of maximum mask size s.
varepsilon = sp.Function("varepsilon")

#: Every symbol by name (the keys accepted by :meth:`Result.evaluate`).
SYMBOLS: dict[str, sp.Symbol] = {
    sym.name: sym for sym in (L, T, s_max, s, k, j, sum_I, eps_train, eps, tau, V, R, C_1, S, Phi, C_2, C_3)
}


# ---------------------------------------------------------------------------
# The paper's notation for each symbol (data: the printer in boundcalc.latex uses it)

SUM_I = r"\sum_{i=1}^{%s} I(X_0^{(i)}; X_0^{(-i)})"
KL_LHS = r"\mathbb{E}_M\left[\mathrm{KL}(p_{X_0} \,\|\, p_{Y_0 \mid M})\right]"
#: The left-hand side of Theorem 2's lower bound: the error averaged over the random schedule too.
KL_RANDOM_LHS = r"\mathbb{E}_{s_1, s_2, \dots} " + KL_LHS

#: The paper's LaTeX for each symbol (ΣI is printed with the printer's L).
NOTATION: dict[sp.Symbol, str] = {
    L: "L",
    T: "T",
    s_max: r"s_{\max}",
    s: "s",
    k: "k",
    j: "j",
    sum_I: SUM_I % "L",
    eps_train: r"\varepsilon_{\mathrm{train}}",
    eps: r"\varepsilon",
    tau: r"\tau",
    V: "V",
    R: "R",
    C_1: "C_1",
    C_2: "C_2",
    C_3: "C_3",
    S: "S",
    Phi: r"\Phi",
    i: "i",
    KL: KL_LHS,
    KL_random: KL_RANDOM_LHS,
    T_min: r"T_{\min}",
    T_break: r"T_{\mathrm{break}}",
    s_star: r"s^{*}",
}

#: The input symbols in the paper's order (assumption lists, factor order in products).
ORDER: tuple[sp.Symbol, ...] = (
    L, T, s_max, s, S, V, k, j, sum_I, Phi, eps_train, R, eps, tau, C_1, C_2, C_3,
)


def assumption_lines(symbols: Any) -> tuple[str, ...]:
    """What the symbols assume, grouped, as LaTeX: positive integers, nonnegative integers,
    nonnegative and positive reals."""
    groups: dict[str, list[str]] = {
        r"\in \{1, 2, \dots\}": [],
        r"\in \{0, 1, \dots\}": [],
        r"\ge 0": [],
        r"> 0": [],
    }
    for symbol in sorted(set(symbols) & set(ORDER), key=ORDER.index):
        name = NOTATION[symbol]
        if symbol.is_integer and symbol.is_positive:
            groups[r"\in \{1, 2, \dots\}"].append(name)
        elif symbol.is_integer and symbol.is_nonnegative:
            groups[r"\in \{0, 1, \dots\}"].append(name)
        elif symbol.is_positive:
            groups[r"> 0"].append(name)
        elif symbol.is_nonnegative:
            groups[r"\ge 0"].append(name)
    return tuple(f"{', '.join(names)} {relation}" for relation, names in groups.items() if names)


# ---------------------------------------------------------------------------
# Exact integer functions


def _positive_rational(x: sp.Expr) -> Fraction | None:
    if x.is_Rational and x > 0:
        return Fraction(int(x.p), int(x.q))
    return None


def _ceil_log2_exact(q: Fraction) -> int:
    if q >= 1:
        return (ceil_div(q.numerator, q.denominator) - 1).bit_length()
    return -_floor_log2_exact(1 / q)


def _floor_log2_exact(q: Fraction) -> int:
    if q >= 1:
        return (q.numerator // q.denominator).bit_length() - 1
    return -_ceil_log2_exact(1 / q)


class _IntegerLog2(sp.Function):
    """Shared by ceil_log2 and floor_log2: exact on positive rationals, unevaluated on symbols."""

    nargs = 1
    is_integer = True
    _exact: Callable[[Fraction], int]

    @classmethod
    def eval(cls, x):
        q = _positive_rational(x)
        if q is not None:
            return sp.Integer(cls._exact(q))
        if x.is_Rational:
            raise ValueError(f"{cls.__name__} needs a positive argument, got {x}")
        return None

    def _eval_is_nonnegative(self):
        x = self.args[0]
        if x.is_integer and x.is_positive:
            return True
        return None


class ceil_log2(_IntegerLog2):
    """⌈log2 x⌉, exact for every positive rational x (by integer bit length).

    >>> ceil_log2(2**31 + 1), ceil_log2(sp.Rational(5, 2)), ceil_log2(s_max).rewrite(sp.ceiling)
    (32, 2, ceiling(log(s_max)/log(2)))
    """

    _exact = staticmethod(_ceil_log2_exact)

    def _eval_rewrite_as_ceiling(self, x, **kwargs):
        return sp.ceiling(sp.log(x, 2))

    _eval_rewrite_as_log = _eval_rewrite_as_ceiling


class floor_log2(_IntegerLog2):
    """⌊log2 x⌋, exact for every positive rational x (by integer bit length)."""

    _exact = staticmethod(_floor_log2_exact)

    def _eval_rewrite_as_floor(self, x, **kwargs):
        return sp.floor(sp.log(x, 2))

    _eval_rewrite_as_log = _eval_rewrite_as_floor


class popcount(sp.Function):
    """The number of ones in the binary expansion of a nonnegative integer."""

    nargs = 1
    is_integer = True
    is_nonnegative = True

    @classmethod
    def eval(cls, n):
        if n.is_Integer:
            if n < 0:
                raise ValueError(f"popcount needs a nonnegative integer, got {n}")
            return sp.Integer(bin(int(n)).count("1"))
        return None


def _recursion_coefficient_exact(size: int) -> Fraction:
    # Σ_k ceil(s/2^k)/2 = s - 1 + (ceil(log2 s) - popcount(s - 1))/2  (see Result "recursion-popcount")
    n = size - 1
    return Fraction(2 * n + n.bit_length() - bin(n).count("1"), 2)


def _recursion_max_size_exact(budget: Fraction) -> int:
    # The coefficient c(s) = s - 1 + z(s - 1)/2, z = zero bits, is strictly increasing, and
    # s - 1 <= c(s) <= s - 1 + ceil(log2 s)/2: the answer lies in [floor(R) + 1 - d, floor(R) + 1]
    # with d = ceil(ceil(log2(floor(R) + 1)) / 2) + 1; search that short interval downwards.
    top = budget.numerator // budget.denominator + 1
    for size in range(top, 0, -1):
        if _recursion_coefficient_exact(size) <= budget:
            return size
    raise AssertionError("unreachable: the coefficient at s = 1 is 0")  # pragma: no cover


class recursion_max_size(sp.Function):
    """s*_rec(R): the largest s with Σ_{k: c_k > 1} c_k/2 <= R (R >= 0), the recursion's inverse.

    No elementary closed form (the coefficient is s - 1 + (⌈log2 s⌉ - popcount(s - 1))/2);
    for a rational R it is found exactly among the O(log R) integers below ⌊R⌋ + 1.
    """

    nargs = 1
    is_integer = True
    is_positive = True

    @classmethod
    def eval(cls, budget):
        if budget.is_Rational:
            if budget < 0:
                raise ValueError(f"the budget R must be >= 0, got {budget}")
            return sp.Integer(_recursion_max_size_exact(Fraction(int(budget.p), int(budget.q))))
        return None


# ---------------------------------------------------------------------------
# Theorem 2's mutual-information terms (docs/theory.md, section 9)


class F(sp.Function):
    """F(i, m) = E[I(X^(i); X∘A)], A a uniformly random m-subset of [L] \\ {i}; 0 for m <= 0 (the empty set).

    The per-token terms of Φ's definition (its ``display`` form); printed
    ``\\mathbb{E}[I(X_0^{(i)}; X_0 \\circ W_j^{(-i)})]`` when m is a level's set size.
    """

    nargs = 2
    is_real = True
    is_nonnegative = True

    @classmethod
    def eval(cls, token, size):
        if size.is_Integer and size <= 0:
            return sp.Integer(0)
        return None


class G(sp.Function):
    """G(m) = Σ_i E[I(X^(i); X∘A)], the token sum of F(i, m); 0 for m <= 0 (the empty set).

    Φ = Σ_j 2^-j G(L - S 2^-j) is linear in these level totals: they are the
    values Φ's definition needs (``values_for(multiscale=...)`` gives them).

    >>> G(-3), G(0), G(sp.Integer(6))
    (0, 0, G(6))
    """

    nargs = 1
    is_real = True
    is_nonnegative = True

    @classmethod
    def eval(cls, size):
        if size.is_Integer and size <= 0:
            return sp.Integer(0)
        return None


# ---------------------------------------------------------------------------
# Results


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
        result = self.expr.subs(subs).doit()
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


# ---------------------------------------------------------------------------
# The table of results: one small factory per result (sympy style), in the order of the derivation

#: name -> the function building that result (``results()`` calls each once).
_FACTORIES: dict[str, Callable[[], Result]] = {}


def _factory(name: str) -> Callable[[Callable[[], Result]], Callable[[], Result]]:
    """Register the decorated function as the factory of the result ``name``."""

    def register(function: Callable[[], Result]) -> Callable[[], Result]:
        _FACTORIES[name] = function
        return function

    return register


_SUM_TEXT = r"$\Sigma I = \sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)})$"


def _target_conditions(target: sp.Expr, target_text: str, target_latex: str) -> tuple[Condition, ...]:
    return (
        Condition(
            rf"{target_latex} \ge \varepsilon_{{\mathrm{{train}}}}",
            f"{target_text} >= ε_train (below it no T reaches the target)",
            sp.Ge(target, eps_train, evaluate=False),
            InfeasibleTargetError,
        ),
    )



def _rational(q: Fraction) -> sp.Rational:
    return sp.Rational(q.numerator, q.denominator)


# Theorem 2's constants: the foundation's, so the numeric and the symbolic engine state the same theorem.
_C2 = _rational(C2)
_C3 = _rational(C3)


def _ms() -> sp.Expr:
    return ceil_log2(s)


def _theorem1_coefficient() -> sp.Expr:
    return 2 ** ceil_log2(s_max) - 1


def _recursion_sum() -> sp.Expr:
    return sp.Sum(sp.ceiling(s_max / 2**k), (k, 0, ceil_log2(s_max) - 1))


def _theorem1_uniform() -> sp.Expr:
    return (2 ** ceil_log2(sp.ceiling(L / T)) - 1) / L * sum_I + eps_train


def _zero_mi() -> tuple[sp.Basic, sp.Expr, str]:
    return (sp.Eq(sum_I, 0, evaluate=False), sp.Integer(1), r"T_{\min} = 1 \text{ if } \Sigma I = 0")


def _top_level() -> sp.Expr:
    return ceil_log2(S)  # J = log2 S: S is a power of two, so the ceiling is exact


def _set_size() -> sp.Expr:
    return L - S * 2**-j  # |W_j^(-i)| = L - S 2^-j


def _phi_levels() -> sp.Expr:
    return sp.Sum(2**-j * G(_set_size()), (j, 0, _top_level()))


def _phi_tokens() -> sp.Expr:
    return sp.Sum(sp.Sum(2**-j * F(i, _set_size()), (j, 0, _top_level())), (i, 1, L))


def _level_weights() -> sp.Expr:
    return sp.Sum(2**-j, (j, 0, _top_level()))


def _power_of_two() -> Condition:
    return Condition(
        r"S = 2^{\lceil\log_2 S\rceil} \text{ (a power of two)}",
        "S is a power of two",
        sp.Eq(S, 2 ** _top_level(), evaluate=False),
        UsageError,
    )


def _upper() -> sp.Expr:
    return _C2 * S / L * Phi + eps_train


def _lower() -> sp.Expr:
    return _C3 * S / L * Phi + eps_train


@_factory("recursion-step")
def _result_recursion_step() -> Result:
    return Result(
        name="recursion-step",
        title="The recursion",
        tag="19",
        source=r"Li \& Cai, eq.~(19), proved in Section~4.2",
        lhs=varepsilon(s),
        rel="<=",
        expr=varepsilon(sp.ceiling(s / 2)) + s / (2 * L) * sum_I,
        summary="ε(s) <= ε(ceil(s/2)) + s/(2L) ΣI for s >= 2, ε(1) = 0",
        statement=(
            r"Let $\varepsilon(s)$ be the largest ideal sampling error ($\varepsilon_{\mathrm{train}} = 0$) "
            r"over all schedules whose maximum mask size is $s$. Splitting each step's $s_t$ tokens into two "
            r"batches of sizes $\lceil s_t/2 \rceil$ and $\lfloor s_t/2 \rfloor$ gives the recursion, "
            r"with the base case $\varepsilon(1) = 0$ (one token per step has no error)."
        ),
        conditions=(
            Condition(r"s \ge 2", "s >= 2", sp.Ge(s, 2, evaluate=False)),
            Condition(r"\varepsilon(1) = 0", "ε(1) = 0"),
        ),
        inputs=(s, L, sum_I),
        extras={"base": sp.Eq(varepsilon(1), 0, evaluate=False)},
        numeric="boundcalc.bounds.recursion_report",
    )


@_factory("level-inequality")
def _result_level_inequality() -> Result:
    return Result(
        name="level-inequality",
        title="The per-level estimate",
        tag="D1",
        source=r"the crude estimate the paper uses to pass from (19) to (20)",
        lhs=sp.ceiling(s / 2**k),
        rel="<=",
        expr=2 ** (_ms() - k),
        summary="ceil(s/2^k) <= 2^(ceil(log2 s) - k): the level-k term of (19) against that of (20)",
        statement=(
            r"Unrolling (19) from $s$ visits the chain $c_0 = s$, $c_{k+1} = \lceil c_k/2 \rceil$, and "
            r"$c_k = \lceil s/2^k \rceil$ (nested ceilings of halves). The paper bounds each level by "
            r"a power of two; equality holds at every level exactly when $s$ is a power of two."
        ),
        conditions=(
            Condition(
                r"0 \le k \le \lceil\log_2 s\rceil",
                "0 <= k <= ceil(log2 s)",
                sp.Le(k, _ms(), evaluate=False),
            ),
        ),
        inputs=(s, k),
        numeric="boundcalc.bounds.recursion_chain",
        proof="recursion",
    )


@_factory("closed-form")
def _result_closed_form() -> Result:
    return Result(
        name="closed-form",
        title="The closed form",
        tag="20",
        source=r"Li \& Cai, eq.~(20): (19) unrolled with the per-level estimate (D1)",
        lhs=varepsilon(s),
        rel="<=",
        expr=(2**_ms() - 1) / L * sum_I,
        summary="ε(s) <= (2^ceil(log2 s) - 1)/L ΣI",
        statement=(
            r"Summing the per-level estimates of the unrolled recursion: "
            r"$\varepsilon(s) \le \sum_{j=0}^{\lceil\log_2 s\rceil - 1} \frac{2^{j}}{L} \Sigma I$, "
            r"a geometric sum. Here " + _SUM_TEXT + "."
        ),
        inputs=(s, L, sum_I),
        extras={"sum": sp.Sum(2**j, (j, 0, _ms() - 1)) / L * sum_I},
        numeric="boundcalc.bounds.theorem1_coefficient",
        proof="recursion",
    )


@_factory("theorem1")
def _result_theorem1() -> Result:
    return Result(
        name="theorem1",
        title="Theorem 1",
        tag="8",
        source=r"Li \& Cai, Theorem~1, eq.~(8)",
        lhs=KL,
        rel="<=",
        expr=_theorem1_coefficient() / L * sum_I + eps_train,
        summary="E_M KL <= (2^ceil(log2 s_max) - 1)/L ΣI + ε_train, any schedule",
        statement=(
            r"For any mask size schedule $s_1, \dots, s_T$ with maximum $s_{\max}$, the sampler's output "
            r"satisfies the bound below, the expectation being over the random mask sets $M$: the closed "
            r"form (20) at $s = s_{\max}$ plus the training error of Definition 1."
        ),
        conditions=(
            Condition(r"1 \le s_{\max} \le L", "1 <= s_max <= L", sp.Le(s_max, L, evaluate=False)),
        ),
        inputs=(L, s_max, sum_I, eps_train),
        numeric="boundcalc.bounds.theorem1",
    )


@_factory("recursion")
def _result_recursion() -> Result:
    return Result(
        name="recursion",
        title="The recursion unrolled exactly",
        tag="D2",
        source=r"derived: (19) unrolled along the exact chain of ceilings, without (D1)",
        lhs=KL,
        rel="<=",
        expr=_recursion_sum() / (2 * L) * sum_I + eps_train,
        summary="E_M KL <= Σ_{k: c_k > 1} c_k/(2L) ΣI + ε_train, c_k = ceil(s_max/2^k)",
        statement=(
            r"Following (19) down the chain $c_k = \lceil s_{\max}/2^k \rceil$, "
            r"$k = 0, \dots, \lceil\log_2 s_{\max}\rceil - 1$ (the levels with $c_k > 1$), without the "
            r"per-level estimate. Never above Theorem 1, equal to it exactly at powers of two; "
            r"e.g.\ $s_{\max} = 5$: chain $5, 3, 2$ gives $5/L$ against $7/L$."
        ),
        conditions=(
            Condition(r"1 \le s_{\max} \le L", "1 <= s_max <= L", sp.Le(s_max, L, evaluate=False)),
        ),
        inputs=(L, s_max, sum_I, eps_train),
        extras={"coefficient": _recursion_sum() / 2},
        numeric="boundcalc.bounds.recursion",
        proof="recursion",
    )


@_factory("recursion-popcount")
def _result_recursion_popcount() -> Result:
    return Result(
        name="recursion-popcount",
        title="The exact coefficient in closed form",
        tag="D3",
        source=r"derived: $\lceil s/2^k \rceil = \lfloor (s-1)/2^k \rfloor + 1$ and Legendre's formula",
        lhs=sp.Sum(sp.ceiling(s / 2**k), (k, 0, _ms() - 1)) / 2,
        rel="=",
        expr=sp.Add(s - 1, sp.Mul(sp.Rational(1, 2), _ms() - popcount(s - 1), evaluate=False), evaluate=False),
        summary="Σ_{k<ceil(log2 s)} ceil(s/2^k)/2 = s - 1 + (ceil(log2 s) - popcount(s - 1))/2",
        statement=(
            r"Since $\lceil s/2^k \rceil = \lfloor (s-1)/2^k \rfloor + 1$ and "
            r"$\sum_{k \ge 0} \lfloor n/2^k \rfloor = 2n - \operatorname{popcount}(n)$, the coefficient of "
            r"the exact recursion is $s - 1$ plus half the number of zero bits of $s - 1$ "
            r"($\operatorname{popcount}$ counts the ones): it lies between the sharp coefficient $s - 1$ "
            r"and $s - 1 + \frac{1}{2}\lceil\log_2 s\rceil$, and is strictly increasing in $s$."
        ),
        inputs=(s,),
        numeric="boundcalc.bounds.recursion_coefficient",
        proof="recursion",
    )


@_factory("sharp")
def _result_sharp() -> Result:
    return Result(
        name="sharp",
        title="The sharp recursion",
        tag="D4",
        source=r"derived: (19) with the proof's exact second batch $\lfloor s/2 \rfloor$ of eq.~(26)",
        lhs=KL,
        rel="<=",
        expr=(s_max - 1) / L * sum_I + eps_train,
        summary="E_M KL <= (s_max - 1)/L ΣI + ε_train",
        statement=(
            r"The proof's second batch has $\lfloor s/2 \rfloor$ tokens (26), so (19) holds with "
            r"$\lfloor s/2 \rfloor / L$ in place of $s/(2L)$: "
            r"$\varepsilon(s) \le \varepsilon(\lceil s/2 \rceil) + \frac{\lfloor s/2 \rfloor}{L} \Sigma I$. "
            r"Along the chain the floors telescope, $\sum_k \lfloor c_k/2 \rfloor = \sum_k (c_k - c_{k+1}) "
            r"= s - 1$. No bound of the form $c(s_{\max})/L \cdot \Sigma I$ is smaller: $s_{\max}$ identical "
            r"tokens revealed together, then one per step, attain it."
        ),
        conditions=(
            Condition(r"1 \le s_{\max} \le L", "1 <= s_max <= L", sp.Le(s_max, L, evaluate=False)),
        ),
        inputs=(L, s_max, sum_I, eps_train),
        extras={
            "step": sp.Le(
                varepsilon(s),
                varepsilon(sp.ceiling(s / 2)) + sp.floor(s / 2) / L * sum_I,
                evaluate=False,
            ),
            "telescoping": sp.Eq(
                sp.Sum(sp.floor(sp.ceiling(s / 2**k) / 2), (k, 0, _ms() - 1)), s - 1, evaluate=False
            ),
        },
        numeric="boundcalc.bounds.sharp",
        proof="sharp",
    )


@_factory("theorem1-uniform")
def _result_theorem1_uniform() -> Result:
    return Result(
        name="theorem1-uniform",
        title="Theorem 1 for uniform schedules",
        tag="D5",
        source=r"derived: Theorem~1 with $s_{\max} = \lceil L/T \rceil$",
        lhs=KL,
        rel="<=",
        expr=_theorem1_uniform(),
        summary="E_M KL <= (2^ceil(log2 ceil(L/T)) - 1)/L ΣI + ε_train, uniform T-step schedules",
        statement=(
            r"A uniform schedule with $T$ steps reveals $\lfloor L/T \rfloor$ or $\lceil L/T \rceil$ "
            r"tokens per step, so $s_{\max} = \lceil L/T \rceil$, the smallest maximum any $T$-step "
            r"schedule can have: Theorem 1 as a function of $T$."
        ),
        conditions=(Condition(r"1 \le T \le L", "1 <= T <= L", sp.Le(T, L, evaluate=False)),),
        inputs=(L, T, sum_I, eps_train),
        numeric="boundcalc.bounds.theorem1 with Schedule.uniform(L, T)",
    )


@_factory("corollary1")
def _result_corollary1() -> Result:
    return Result(
        name="corollary1",
        title="Corollary 1",
        tag="9",
        source=r"Li \& Cai, Corollary~1, eq.~(9), with the explicit constant $C_1 = 2$ derived by boundcalc",
        lhs=KL,
        rel="<=",
        expr=2 / T * sum_I + eps_train,
        summary="E_M KL <= 2/T ΣI + ε_train when s_max = ceil(L/T)",
        statement=(
            r"For balanced schedules the paper states $\mathbb{E}_M[\mathrm{KL}] \le \frac{C_1}{T} \Sigma I "
            r"+ \varepsilon_{\mathrm{train}}$ for an absolute constant $C_1$. An explicit admissible value is "
            r"$C_1 = 2$: since $2^{\lceil\log_2 s\rceil} - 1 \le 2(s - 1)$ and "
            r"$\lceil L/T \rceil - 1 \le (L - 1)/T$, Theorem 1 gives "
            r"$\frac{2^{\lceil\log_2 s_{\max}\rceil} - 1}{L} \le \frac{2(L-1)}{LT} < \frac{2}{T}$."
        ),
        conditions=(
            Condition(
                r"s_{\max} = \lceil L/T \rceil \text{ (balanced, e.g.\ uniform schedules)}",
                "s_max = ceil(L/T) (balanced, e.g. uniform schedules)",
                sp.Eq(s_max, sp.ceiling(L / T), evaluate=False),
            ),
            Condition(r"1 \le T \le L", "1 <= T <= L", sp.Le(T, L, evaluate=False)),
        ),
        inputs=(L, T, sum_I, eps_train),
        extras={
            "paper_form": C_1 / T * sum_I + eps_train,
            "C_1": sp.Integer(2),
            "power_estimate": sp.Le(2**_ms() - 1, 2 * (s - 1), evaluate=False),
            "ceiling_estimate": sp.Le(sp.ceiling(L / T) - 1, (L - 1) / T, evaluate=False),
            "chain": sp.Le((2 ** ceil_log2(sp.ceiling(L / T)) - 1) / L, sp.Mul(2, L - 1, evaluate=False) / (L * T), evaluate=False),
        },
        numeric="boundcalc.bounds.corollary1",
        proof="corollary1",
        derived=r"C_1 = 2",
    )


@_factory("ter")
def _result_ter() -> Result:
    return Result(
        name="ter",
        title="Token error rate",
        tag="11",
        source=r"Li \& Cai, Definition~2 and eq.~(11), applied to Theorem~1",
        lhs=TER_gap,
        rel="<=",
        expr=(_theorem1_coefficient() / L * sum_I + eps_train) / L,
        summary="log TER(p_Y0) - log TER(p_X0) = KL/L <= (Theorem 1)/L",
        statement=(
            r"The token error rate (10) is a per-token cross-entropy, so "
            r"$\log_2 \mathrm{TER}(p_{Y_0}; p_{X_0}) - \log_2 \mathrm{TER}(p_{X_0}; p_{X_0}) = "
            r"\frac{1}{L}\mathrm{KL}(p_{X_0} \,\|\, p_{Y_0}) \le \frac{1}{L}\mathbb{E}_M[\mathrm{KL}]$ "
            r"by convexity; any KL bound divided by $L$ bounds the gap. With $\Sigma I$ and "
            r"$\varepsilon_{\mathrm{train}}$ in bits the logarithms are $\log_2$ (in nats, $\ln$)."
        ),
        conditions=(
            Condition(r"1 \le s_{\max} \le L", "1 <= s_max <= L", sp.Le(s_max, L, evaluate=False)),
        ),
        inputs=(L, s_max, sum_I, eps_train),
        numeric="boundcalc.bounds.ter",
    )


@_factory("ter-corollary1")
def _result_ter_corollary1() -> Result:
    return Result(
        name="ter-corollary1",
        title="Token error rate, the paper's form",
        tag="11",
        source=r"Li \& Cai, eq.~(11) as printed: Corollary~1 divided by $L$",
        lhs=TER_gap,
        rel="<=",
        expr=2 / (L * T) * sum_I + eps_train / L,
        summary="log TER gap <= C_1/(LT) ΣI + ε_train/L with C_1 = 2, balanced schedules",
        statement=(
            r"Eq. (11) as the paper prints it, from Corollary 1 (with $C_1 = 2$): "
            r"a decay of order $\log|\mathcal{X}|/T$, since $I(X_0^{(i)}; X_0^{(-i)}) \le \log|\mathcal{X}|$."
        ),
        conditions=(
            Condition(
                r"s_{\max} = \lceil L/T \rceil",
                "s_max = ceil(L/T)",
                sp.Eq(s_max, sp.ceiling(L / T), evaluate=False),
            ),
            Condition(r"1 \le T \le L", "1 <= T <= L", sp.Le(T, L, evaluate=False)),
        ),
        inputs=(L, T, sum_I, eps_train),
        extras={"paper_form": C_1 / (L * T) * sum_I + eps_train / L},
        numeric="boundcalc.bounds.corollary1 / L",
        proof="corollary1",
        derived=r"C_1 = 2",
    )


@_factory("ter-vocabulary")
def _result_ter_vocabulary() -> Result:
    return Result(
        name="ter-vocabulary",
        title="Token error rate for any data",
        tag="D6",
        source=r"derived: eq.~(11) with $\Sigma I \le L \log V$ (the paper's remark after it)",
        lhs=TER_gap,
        rel="<=",
        expr=_theorem1_coefficient() / L * sp.log(V) + eps_train / L,
        summary="log TER gap <= (2^ceil(log2 s_max) - 1)/L log V + ε_train/L, any data over V symbols",
        statement=(
            r"Each $I(X_0^{(i)}; X_0^{(-i)}) \le H(X_0^{(i)}) \le \log V$ for a vocabulary of $V$ symbols, "
            r"so the TER bound holds for every data distribution with $\Sigma I$ replaced by $L \log V$; "
            r"uniform sampling has gap $\log V$, the baseline to beat. Written in nats ($\ln$); in bits "
            r"replace $\ln$ by $\log_2$ throughout."
        ),
        conditions=(
            Condition(r"1 \le s_{\max} \le L", "1 <= s_max <= L", sp.Le(s_max, L, evaluate=False)),
        ),
        inputs=(L, s_max, V, eps_train),
        numeric="boundcalc.bounds.ter_vocabulary",
        unit="nats",
    )


def _steps_result(name: str, variant: str, tag: str, s_star_of_r: sp.Expr, words: str) -> Result:
    """The fewest uniform steps T whose ``variant`` bound is at most ε (the bound inverted)."""
    budget = (eps - eps_train) * L / sum_I
    s_best = sp.Min(L, s_star_of_r)
    return Result(
        name=name,
        title=f"Fewest steps for a target, {variant}",
        tag=tag,
        source=f"derived: the {variant} bound inverted over uniform schedules",
        lhs=T_min,
        rel="=",
        expr=sp.ceiling(L / s_best.subs(R, budget)),
        summary=f"fewest uniform steps T with the {variant} bound <= ε",
        statement=(
            r"For uniform schedules $s_{\max} = \lceil L/T \rceil$ and the coefficient $c$ of the "
            rf"{variant} bound is non-decreasing in $s_{{\max}}$, so the bound is at most $\varepsilon$ "
            r"iff $c(\lceil L/T \rceil) \le R$ iff $\lceil L/T \rceil \le s^{*}$, the largest "
            r"$s \le L$ with $c(s) \le R$, iff $T \ge \lceil L/s^{*} \rceil$. " + words
        ),
        conditions=_target_conditions(eps, "ε", r"\varepsilon")
        + (Condition(r"\Sigma I > 0", "ΣI > 0 (else T = 1)"),),
        inputs=(L, sum_I, eps_train, eps),
        definitions=((R, budget),),
        display=sp.ceiling(L / s_best),
        cases=(_zero_mi(),),
        extras={"s_star": s_best.subs(R, budget)},
        numeric=f"boundcalc.steps.required_steps(..., bound={variant!r}).steps",
        proof="steps",
    )


@_factory("steps-theorem1")
def _result_steps_theorem1() -> Result:
    return _steps_result(
        "steps-theorem1",
        "theorem1",
        "D7",
        2 ** floor_log2(sp.floor(R) + 1),
        r"$2^{\lceil\log_2 s\rceil} - 1 \le R \iff \lceil\log_2 s\rceil \le \lfloor\log_2(\lfloor R\rfloor + 1)"
        r"\rfloor$, so the largest admissible $s$ is a power of two.",
    )


@_factory("steps-recursion")
def _result_steps_recursion() -> Result:
    return _steps_result(
        "steps-recursion",
        "recursion",
        "D8",
        recursion_max_size(R),
        r"The exact recursion's coefficient is strictly increasing but has no elementary inverse: "
        r"$s^{*}_{\mathrm{rec}}(R)$ is the largest $s$ whose coefficient (D3) is at most $R$; it lies in "
        r"$[\lfloor R\rfloor + 1 - \lceil\frac{1}{2}\lceil\log_2(\lfloor R\rfloor + 1)\rceil\rceil, "
        r"\lfloor R\rfloor + 1]$ and boundcalc finds it exactly by search.",
    )


@_factory("steps-sharp")
def _result_steps_sharp() -> Result:
    return _steps_result(
        "steps-sharp", "sharp", "D9", sp.floor(R) + 1, r"$s - 1 \le R \iff s \le \lfloor R\rfloor + 1$."
    )


@_factory("steps-ter")
def _result_steps_ter() -> Result:
    ter_budget = (L * tau - eps_train) * L / sum_I
    return Result(
        name="steps-ter",
        title="Fewest steps for a TER target",
        tag="D10",
        source=r"derived: (11) and (D7) with $\varepsilon = L\tau$",
        lhs=T_min,
        rel="=",
        expr=sp.ceiling(L / sp.Min(L, 2 ** floor_log2(sp.floor(ter_budget) + 1))),
        summary="fewest uniform steps T with the TER bound (theorem1 / L) <= τ",
        statement=(
            r"The TER gap is bounded by (Theorem 1)$/L$, so a target $\tau$ for the per-token "
            r"$\log_2$ TER gap (bits) is the KL target $\varepsilon = L\tau$ in the result above."
        ),
        conditions=_target_conditions(L * tau, "L τ", r"L\tau")
        + (Condition(r"\Sigma I > 0", "ΣI > 0 (else T = 1)"),),
        inputs=(L, sum_I, eps_train, tau),
        definitions=((R, ter_budget),),
        display=sp.ceiling(L / sp.Min(L, 2 ** floor_log2(sp.floor(R) + 1))),
        cases=(_zero_mi(),),
        numeric="boundcalc.steps.required_steps(profile, L * tau, eps_train).steps",
        proof="steps",
    )


@_factory("break-even")
def _result_break_even() -> Result:
    return Result(
        name="break-even",
        title="Where the bound stops improving",
        tag="D11",
        source=r"derived: the bounds at $s_{\max} = 1$",
        lhs=T_break,
        rel="=",
        expr=L,
        summary="T = L (s_max = 1): every bound equals ε_train there and cannot improve further",
        statement=(
            r"With $s_{\max} = 1$ (one token per step, $T = L$) every coefficient vanishes and each bound "
            r"equals its floor $\varepsilon_{\mathrm{train}}$; a uniform schedule with $T < L$ steps has "
            r"$s_{\max} \ge 2$ and coefficient at least $1$, so for $\Sigma I > 0$ its bound is at least "
            r"$\Sigma I / L + \varepsilon_{\mathrm{train}}$. More steps than $L$ are impossible."
        ),
        conditions=(Condition(r"\Sigma I > 0", "ΣI > 0"),),
        inputs=(L,),
        extras={
            "bound_at_break": _theorem1_uniform().subs(T, L),
            "bound_before_break": _theorem1_uniform().subs(T, L - 1),
        },
        numeric="boundcalc.steps.required_steps(profile, eps_train, eps_train).steps",
    )


@_factory("multiscale-phi")
def _result_multiscale_phi() -> Result:
    return Result(
        name="multiscale-phi",
        title="The multi-scale mutual information",
        tag="D12",
        source=(
            r"Li \& Cai, Theorem~2 (the quantity of eqs.~(12) and (13)), with $S = 2^{\lceil\log_2 s_{\max}\rceil}$ "
            r"and empty levels (an empty set contributes $0$)"
        ),
        lhs=Phi,
        rel="=",
        expr=_phi_levels(),
        summary="Φ = Σ_i Σ_{j=0}^{log2 S} 2^-j E[I(X_0^(i); X_0∘W_j^(-i))], |W_j^(-i)| = L - S 2^-j; Φ <= (2 - 1/S) ΣI",
        statement=(
            r"For $S$ a power of two and each level $j = 0, 1, \dots, \log_2 S$, let $W_j^{(-i)}$ be a uniformly "
            r"random subset of $[L] \setminus \{i\}$ of size $L - S 2^{-j}$ (the last level has $L - 1$). The paper "
            r"takes $S = s_{\max}$ with $\log_2 s_{\max}$ and $L/s_{\max}$ integers; boundcalc takes "
            r"$S = 2^{\lceil\log_2 s_{\max}\rceil}$, and a level whose size $L - S 2^{-j}$ is at most $0$ has the "
            r"empty set and contributes $0$. Summed over the tokens, $\Phi = \sum_j 2^{-j} G(L - S 2^{-j})$ with "
            r"$G(m) = \sum_{i=1}^{L} \mathbb{E}[I(X_0^{(i)}; X_0 \circ A)]$, $A$ a uniformly random $m$-subset "
            r"of $[L] \setminus \{i\}$. Each term is at most $I(X_0^{(i)}; X_0^{(-i)})$, so "
            r"$\Phi \le \sum_{j=0}^{\log_2 S} 2^{-j} \, \Sigma I = (2 - 1/S)\, \Sigma I \le 2 \Sigma I$."
        ),
        conditions=(_power_of_two(),),
        inputs=(L, S),
        display=_phi_tokens(),
        extras={
            "set_size": _set_size(),
            "S": sp.Eq(S, 2 ** ceil_log2(s_max), evaluate=False),
            "level_form": _phi_levels(),
            "bound": sp.Le(Phi, _level_weights() * sum_I, evaluate=False),
            "weights": sp.Eq(_level_weights(), 2 - 1 / S, evaluate=False),
        },
        numeric="boundcalc.multiscale.MultiScaleProfile.phi",
        proof="theorem2",
    )


@_factory("theorem2-upper")
def _result_theorem2_upper() -> Result:
    return Result(
        name="theorem2-upper",
        title="Theorem 2, the upper bound",
        tag="12",
        source=r"Li \& Cai, Theorem~2, eq.~(12), with the explicit constant $C_2 = 1$ derived by boundcalc",
        lhs=KL,
        rel="<=",
        expr=_upper(),
        summary=f"E_M KL <= C2 S/L Φ + ε_train with C2 = {C2}, any schedule with 2 <= s_max <= S",
        statement=(
            r"The bound holds for every mask size schedule with $2 \le s_{\max} \le S$. The ideal error is linear in the "
            r"increments of the level totals $G$, so it suffices to check each step function "
            r"$G = \mathbf{1}[m \ge m^{*}]$, for which $\frac{S}{L}\Phi$ is never below the error. The paper "
            r"leaves $C_2$ unnamed and assumes $\log_2 s_{\max}$ and $L/s_{\max}$ integers; here $C_2 = "
            + sp.latex(_C2)
            + r"$, the best possible ($L$ bits of even parity: a schedule whose last step reveals at least two "
            r"tokens has error exactly $\frac{S}{L}\Phi$), $L/S$ need not be an integer, and "
            r"$S = 2^{\lceil\log_2 s_{\max}\rceil}$ is the tightest admissible $S$ (a profile for a larger power "
            r"of two also gives a valid bound). With $s_{\max} = 1$ (one token per step) the error is exactly "
            r"$\varepsilon_{\mathrm{train}}$."
        ),
        conditions=(
            Condition(
                r"2 \le s_{\max} \le L",
                "2 <= s_max <= L (with s_max = 1 the error is exactly ε_train)",
                sp.And(sp.Ge(s_max, 2), sp.Le(s_max, L)),
            ),
            Condition(
                r"s_{\max} \le S",
                "s_max <= S (Φ needs the levels of a power of two S >= s_max)",
                sp.Le(s_max, S, evaluate=False),
                ScheduleError,
            ),
            _power_of_two(),
        ),
        inputs=(L, s_max, S, Phi, eps_train),
        extras={
            "paper_form": C_2 * S / L * Phi + eps_train,
            "C_2": _C2,
            "tightest": _upper().subs(S, 2 ** ceil_log2(s_max)),
        },
        numeric="boundcalc.bounds.theorem2_upper",
        proof="theorem2",
        derived=r"C_2 = 1",
    )


@_factory("theorem2-lower")
def _result_theorem2_lower() -> Result:
    return Result(
        name="theorem2-lower",
        title="Theorem 2, the lower bound for the random schedule",
        tag="13",
        source=r"Li \& Cai, Theorem~2, eq.~(13), with the explicit constant $C_3 = 1/16$ derived by boundcalc",
        lhs=KL_random,
        rel=">=",
        expr=_lower(),
        summary=f"E_schedule E_M KL >= C3 S/L Φ + ε_train with C3 = {C3}, random schedule on {{S, S/2}}",
        statement=(
            r"For the random schedule whose sizes $s_1, s_2, \dots$ are drawn independently and uniformly from "
            r"$\{S, S/2\}$ ($S \ge 2$ a power of two) until they reach $L$, the last one drawn (revealed first) "
            r"cut to fit, the error averaged over the schedule's randomness is at least the bound below. "
            r"Measured from the end of the sequence the block ends form a renewal process; for each step function "
            r"$G$ the error is the expected age of that process, and the ratio of error to $\frac{S}{L}\Phi$ is, in "
            r"the three cases of the proof, at least $\frac{1}{2}$, above $\frac{1}{4}$, and at least "
            r"$\frac{S}{8(2S - 1)}$, which tends to $C_3 = "
            + sp.latex(_C3)
            + r"$, the best constant valid for every $S$. The bound is \emph{not} universal: the paper's "
            r"degenerate schedule $s_1 = S$, $s_t = 1$ for $t > 1$ (boundcalc's \texttt{degenerate:S}) has an "
            r"error far below it."
        ),
        conditions=(
            Condition(
                r"S \ge 2",
                "S >= 2 (the random schedule draws from {S, S/2})",
                sp.Ge(S, 2, evaluate=False),
            ),
            _power_of_two(),
        ),
        inputs=(L, S, Phi, eps_train),
        extras={
            "paper_form": C_3 * S / L * Phi + eps_train,
            "C_3": _C3,
            "worst_ratio": S / (8 * (2 * S - 1)),  # the smallest error/((S/L)Φ) over step functions G
        },
        numeric="boundcalc.bounds.theorem2_lower",
        proof="theorem2",
        derived=r"C_3 = \frac{1}{16}",
    )


@_factory("theorem2-gap")
def _result_theorem2_gap() -> Result:
    return Result(
        name="theorem2-gap",
        title="The width of the Theorem 2 sandwich",
        tag="D13",
        source=r"derived: (12) and (13) with the same $S$ and $\Phi$",
        lhs=sp.Mul(C_2, sp.Pow(C_3, -1), evaluate=False),
        rel="=",
        expr=_C2 / _C3,
        summary=f"upper/lower = C2/C3 = {C2 / C3} (each without ε_train), the same S and Φ",
        statement=(
            r"The random schedule on $\{S, S/2\}$ has $s_{\max} \le S$, so with one multi-scale profile both "
            r"bounds apply to its averaged error and sandwich it; without $\varepsilon_{\mathrm{train}}$ they "
            r"differ by the factor $C_2/C_3$, whatever $L$, $S$ and $\Phi$."
        ),
        extras={"sandwich": sp.Le(_lower(), _upper(), evaluate=False)},
        numeric="boundcalc.constants.C2 / boundcalc.constants.C3",
        proof="theorem2",
    )


#: The results in the order of the derivation (``boundcalc latex --all``): the keys of the table.
NAMES: tuple[str, ...] = tuple(_FACTORIES)


def _normalize(name: str) -> str:
    return name.strip().lower().replace("_", "-")


class _Table(dict):
    """The results by name; ``_`` and ``-`` are the same in lookups (``"theorem2_upper"``)."""

    def __getitem__(self, name: str) -> Result:
        return super().__getitem__(_normalize(name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(_normalize(name))


@lru_cache(maxsize=None)
def results() -> dict[str, Result]:
    """Every result by name, in the order of :data:`NAMES` (each factory called once, cached).

    Keys are the names of :data:`NAMES`; a lookup also accepts ``_`` for ``-``, so the numeric
    bound names (``theorem2_upper``) find their symbolic forms.
    """
    return _Table((name, factory()) for name, factory in _FACTORIES.items())


def for_bound(key: str) -> Result:
    """The symbolic form of a numeric bound, by its name in :mod:`boundcalc.bounds`
    (``theorem1``, ``recursion``, ``sharp``, ``corollary1``, ``ter``, ``theorem2_upper``,
    ``theorem2_lower``): evaluated at a case it gives that bound's exact value.

    >>> for_bound("theorem2_upper").tag, for_bound("sharp").name
    ('12', 'sharp')
    """
    return get(key)


def get(name: str) -> Result:
    """The result called ``name`` (``theorem1``, ``steps-sharp``, ...; ``_`` and ``-`` are the same).

    An unknown name raises :class:`~boundcalc.errors.UsageError` listing the known ones.
    """
    registry = results()
    key = _normalize(name)
    if key not in registry:
        import difflib

        close = difflib.get_close_matches(key, NAMES, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise UsageError(f"unknown expression {name!r}", param="expression", allowed=f"{hint}one of {len(NAMES)} names")
    return registry[key]


#: ``boundcalc.expression(name)``: :func:`get` under a name that reads well at the package's top level.
expression = get


def __getattr__(attribute: str) -> Result:
    # boundcalc.symbolic.theorem1, .steps_theorem1, ...: the results as module attributes.
    key = _normalize(attribute)
    if key in NAMES:
        return results()[key]
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
