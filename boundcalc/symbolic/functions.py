"""Exact integer functions (ceil_log2, floor_log2, popcount, recursion_max_size) and Theorem 2's F, G."""

from __future__ import annotations

from fractions import Fraction
from typing import Callable

import sympy as sp

from ..exact import ceil_div


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

    >>> from boundcalc.symbolic import s_max
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
