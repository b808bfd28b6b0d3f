"""Theorem 1, the recursion, the sharp bound, Corollary 1, TER and the required-T results."""

from __future__ import annotations

import sympy as sp

from .symbols import C_1, KL, L, R, T, TER_gap, T_break, T_min, V, eps, eps_train, j, k, s, s_max, sum_I, tau, varepsilon
from .functions import ceil_log2, floor_log2, popcount, recursion_max_size
from .result import Condition, Result
from .table import _SUM_TEXT, _factory, _ms, _recursion_sum, _target_conditions, _theorem1_coefficient, _theorem1_uniform, _zero_mi


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


#: The bounds ``steps`` inverts, as the mathematics names them (their code names are no words of a paper).
_STEPS_BOUND_WORDS = {"theorem1": ("Theorem 1", "Theorem~1 (8)"), "recursion": ("the unrolled recursion",
                      "the unrolled recursion (D2)"), "sharp": ("the sharp bound", "the sharp bound (D4)")}


def _steps_result(name: str, variant: str, tag: str, s_star_of_r: sp.Expr, words: str) -> Result:
    """The fewest uniform steps T whose ``variant`` bound is at most ε (the bound inverted)."""
    budget = (eps - eps_train) * L / sum_I
    s_best = sp.Min(L, s_star_of_r)
    short, cited = _STEPS_BOUND_WORDS[variant]
    return Result(
        name=name,
        title=f"Fewest steps for a target by {short}",
        tag=tag,
        source=f"derived: {cited} inverted over uniform schedules",
        lhs=T_min,
        rel="=",
        expr=sp.ceiling(L / s_best.subs(R, budget)),
        summary=f"fewest uniform steps T with the {variant} bound <= ε",
        statement=(
            r"For uniform schedules $s_{\max} = \lceil L/T \rceil$ and the coefficient $c$ of "
            rf"{cited} is non-decreasing in $s_{{\max}}$, so the bound is at most $\varepsilon$ "
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
        r"\lfloor R\rfloor + 1]$, where bisection on the monotone coefficient finds it exactly.",
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
