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

The package, one idea per module: :mod:`.symbols` (the symbols and the paper's notation),
:mod:`.functions` (exact integer functions, Theorem 2's F and G), :mod:`.result` (``Condition``,
``Result``, exact evaluation, the unrolled recursion), :mod:`.table` (the factory registry and shared
expressions), :mod:`.rate_results` (Theorem 1, the recursion, the sharp bound, Corollary 1, TER, the
required T) and :mod:`.multiscale_results` (Theorem 2); this module is the registry's lookup.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import UsageError
from .symbols import (  # noqa: F401 (re-exported)
    C_1,
    C_2,
    C_3,
    KL,
    KL_LHS,
    KL_RANDOM_LHS,
    KL_random,
    L,
    NOTATION,
    ORDER,
    Phi,
    R,
    S,
    SUM_I,
    SYMBOLS,
    T,
    TER_gap,
    T_break,
    T_min,
    V,
    _EPS_TRAIN,
    assumption_lines,
    eps,
    eps_train,
    i,
    j,
    k,
    s,
    s_max,
    s_star,
    sum_I,
    tau,
    varepsilon,
)
from .functions import (  # noqa: F401 (re-exported)
    F,
    G,
    _IntegerLog2,
    _ceil_log2_exact,
    _floor_log2_exact,
    _positive_rational,
    _recursion_coefficient_exact,
    _recursion_max_size_exact,
    ceil_log2,
    floor_log2,
    popcount,
    recursion_max_size,
)
from .result import (  # noqa: F401 (re-exported)
    MAX_SUM_TERMS,
    Condition,
    Result,
    Unrolling,
    _REL,
    _substitutions,
    to_sympy_number,
    unroll,
    values_for,
)
from .table import (  # noqa: F401 (re-exported)
    _C2,
    _C3,
    _FACTORIES,
    _SUM_TEXT,
    _factory,
    _level_weights,
    _lower,
    _ms,
    _phi_levels,
    _phi_tokens,
    _power_of_two,
    _rational,
    _recursion_sum,
    _set_size,
    _target_conditions,
    _theorem1_coefficient,
    _theorem1_uniform,
    _top_level,
    _upper,
    _zero_mi,
)
from . import rate_results, multiscale_results  # noqa: F401 (registers their results, in this order)

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
