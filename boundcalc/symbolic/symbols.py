"""Symbols and the paper's notation: the sympy symbols with their assumptions, their LaTeX."""

from __future__ import annotations

from typing import Any

import sympy as sp



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
