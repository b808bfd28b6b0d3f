"""Theorem 2: the multi-scale MI Φ, the upper and lower bounds and their gap."""

from __future__ import annotations

import sympy as sp

from ..constants import C2, C3
from ..errors import ScheduleError
from .symbols import C_2, C_3, KL, KL_random, L, Phi, S, eps_train, s_max, sum_I
from .functions import ceil_log2
from .result import Condition, Result
from .table import _C2, _C3, _factory, _level_weights, _lower, _phi_levels, _phi_tokens, _power_of_two, _set_size, _upper


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
