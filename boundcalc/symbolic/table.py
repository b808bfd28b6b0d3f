"""The table of results: the factory registry and the expressions several results share."""

from __future__ import annotations

from fractions import Fraction
from typing import Callable

import sympy as sp

from ..constants import C2, C3
from ..errors import InfeasibleTargetError, UsageError
from .symbols import L, Phi, S, T, eps_train, i, j, k, s, s_max, sum_I
from .functions import F, G, ceil_log2
from .result import Condition, Result


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
