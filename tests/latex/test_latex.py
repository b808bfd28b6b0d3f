"""LaTeX export: golden strings in the paper's notation (table-driven), instantiated bounds,
reports, and documents that compile with pdflatex."""

from __future__ import annotations

import doctest
from fractions import Fraction

import pytest
import sympy as sp

from boundcalc import bounds, steps
from boundcalc import latex as tex
from boundcalc import symbolic as sym
from boundcalc.errors import DomainError, InfeasibleTargetError, UsageError
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule
from boundcalc import MultiScaleProfile

SUM = r"\sum_{i=1}^{L} I(X_0^{(i)}; X_0^{(-i)})"
SUM10 = r"\sum_{i=1}^{10} I(X_0^{(i)}; X_0^{(-i)})"
KL = r"\mathbb{E}_M\left[\mathrm{KL}(p_{X_0} \,\|\, p_{Y_0 \mid M})\right]"
TER2 = r"\log_2 \mathrm{TER}(p_{Y_0}; p_{X_0}) - \log_2 \mathrm{TER}(p_{X_0}; p_{X_0})"
TERLN = r"\ln \mathrm{TER}(p_{Y_0}; p_{X_0}) - \ln \mathrm{TER}(p_{X_0}; p_{X_0})"
EPS = r"\varepsilon_{\mathrm{train}}"
R_DEF = rf"R = \frac{{L \left(\varepsilon - {EPS}\right)}}{{{SUM}}}"
KL_RANDOM = rf"\mathbb{{E}}_{{s_1, s_2, \dots}} {KL}"
LEVEL_MI = r"\mathbb{E}\left[I(X_0^{(i)}; X_0 \circ W_j^{(-i)})\right]"

GOLDEN = [
    ("recursion-step", rf"\varepsilon(s) \le \varepsilon(\lceil s/2 \rceil) + \frac{{s}}{{2 L}} {SUM}"),
    ("level-inequality", r"\lceil s/2^{k} \rceil \le 2^{\lceil\log_2 s\rceil - k}"),
    ("closed-form", rf"\varepsilon(s) \le \frac{{2^{{\lceil\log_2 s\rceil}} - 1}}{{L}} {SUM}"),
    ("theorem1", rf"{KL} \le \frac{{2^{{\lceil\log_2 s_{{\max}}\rceil}} - 1}}{{L}} {SUM} + {EPS}"),
    (
        "recursion",
        rf"{KL} \le \frac{{\sum_{{k=0}}^{{\lceil\log_2 s_{{\max}}\rceil - 1}} \lceil s_{{\max}}/2^{{k}} \rceil}}{{2 L}} {SUM} + {EPS}",
    ),
    (
        "recursion-popcount",
        r"\frac{\sum_{k=0}^{\lceil\log_2 s\rceil - 1} \lceil s/2^{k} \rceil}{2} = s - 1 + "
        r"\frac{\lceil\log_2 s\rceil - \operatorname{popcount}\left(s - 1\right)}{2}",
    ),
    ("sharp", rf"{KL} \le \frac{{s_{{\max}} - 1}}{{L}} {SUM} + {EPS}"),
    ("theorem1-uniform", rf"{KL} \le \frac{{2^{{\lceil\log_2 \lceil L/T \rceil\rceil}} - 1}}{{L}} {SUM} + {EPS}"),
    ("corollary1", rf"{KL} \le \frac{{2}}{{T}} {SUM} + {EPS}"),
    ("ter", rf"{TER2} \le \frac{{1}}{{L}} \left(\frac{{2^{{\lceil\log_2 s_{{\max}}\rceil}} - 1}}{{L}} {SUM} + {EPS}\right)"),
    ("ter-corollary1", rf"{TER2} \le \frac{{2}}{{L T}} {SUM} + \frac{{{EPS}}}{{L}}"),
    ("ter-vocabulary", rf"{TERLN} \le \frac{{2^{{\lceil\log_2 s_{{\max}}\rceil}} - 1}}{{L}} \ln V + \frac{{{EPS}}}{{L}}"),
    (
        "steps-theorem1",
        r"T_{\min} = \left\lceil \frac{L}{\min\left(L, 2^{\lfloor\log_2 \left(\lfloor R \rfloor + 1\right)\rfloor}\right)} "
        rf"\right\rceil, \qquad {R_DEF}",
    ),
    (
        "steps-recursion",
        rf"T_{{\min}} = \left\lceil \frac{{L}}{{\min\left(L, s^{{*}}_{{\mathrm{{rec}}}}\left(R\right)\right)}} \right\rceil, \qquad {R_DEF}",
    ),
    ("steps-sharp", rf"T_{{\min}} = \left\lceil \frac{{L}}{{\min\left(L, \lfloor R \rfloor + 1\right)}} \right\rceil, \qquad {R_DEF}"),
    (
        "steps-ter",
        r"T_{\min} = \left\lceil \frac{L}{\min\left(L, 2^{\lfloor\log_2 \left(\lfloor R \rfloor + 1\right)\rfloor}\right)} "
        rf"\right\rceil, \qquad R = \frac{{L \left(L \tau - {EPS}\right)}}{{{SUM}}}",
    ),
    ("break-even", r"T_{\mathrm{break}} = L"),
    ("multiscale-phi", rf"\Phi = \sum_{{i=1}}^{{L}} \sum_{{j=0}}^{{\log_2 S}} 2^{{-j}} {LEVEL_MI}"),
    ("theorem2-upper", rf"{KL} \le \frac{{S}}{{L}} \Phi + {EPS}"),
    ("theorem2-lower", rf"{KL_RANDOM} \ge \frac{{S}}{{16 L}} \Phi + {EPS}"),
    ("theorem2-gap", r"\frac{C_2}{C_3} = 16"),
]


def test_golden_table_covers_every_result():
    assert [name for name, _ in GOLDEN] == list(sym.NAMES)


@pytest.mark.parametrize("name, expected", GOLDEN, ids=[name for name, _ in GOLDEN])
def test_golden_latex(name, expected):
    result = sym.get(name)
    assert result.to_latex() == expected
    assert result._repr_latex_() == f"$\\displaystyle {expected}$"


@pytest.mark.parametrize(
    "expr, expected",
    [
        (sym.ceil_log2(sym.s_max), r"\lceil\log_2 s_{\max}\rceil"),
        (sym.floor_log2(sym.L), r"\lfloor\log_2 L\rfloor"),
        (sym.sum_I, SUM),
        (sym.eps_train, EPS),
        (sym.s_max, r"s_{\max}"),
        (sp.ceiling(sym.L / sym.T), r"\lceil L/T \rceil"),
        (sp.floor(sym.s / 2), r"\lfloor s/2 \rfloor"),
        (2 ** sym.ceil_log2(sym.s_max) - 1, r"2^{\lceil\log_2 s_{\max}\rceil} - 1"),
        (sym.sum_I / sym.L, rf"\frac{{1}}{{L}} {SUM}"),
        (sym.eps - sym.eps_train, rf"\varepsilon - {EPS}"),
        (sym.C_1 / sym.T * sym.sum_I + sym.eps_train, rf"\frac{{C_1}}{{T}} {SUM} + {EPS}"),
        (sym.varepsilon(sp.ceiling(sym.s / 2)), r"\varepsilon(\lceil s/2 \rceil)"),
        (sp.Le(sym.KL, sym.eps_train), rf"{KL} \le {EPS}"),
        (sp.Min(sym.L, sym.s_max), r"\min\left(L, s_{\max}\right)"),
        (sym.popcount(sym.s - 1), r"\operatorname{popcount}\left(s - 1\right)"),
        (sym.Phi, r"\Phi"),
        (sym.ceil_log2(sym.S), r"\log_2 S"),  # S is a power of two wherever it appears
        (sym.L - sym.S * 2**-sym.j, r"L - S \cdot 2^{-j}"),
        (sym.G(sym.L - sym.S * 2**-sym.j), rf"\sum_{{i=1}}^{{L}} {LEVEL_MI}"),
        (sym.G(sp.Integer(6)) / 2, r"\frac{1}{2} G(6)"),
        (sym.F(sym.i, sym.L - sym.S * 2**-sym.j), LEVEL_MI),
        (sym.F(sp.Integer(3), sp.Integer(6)), r"F_{3}(6)"),
        (sym.C_2 * sym.S / sym.L * sym.Phi, r"\frac{C_2 S}{L} \Phi"),
        (sp.Sum(2**-sym.j, (sym.j, 0, sym.ceil_log2(sym.S))) * sym.sum_I, rf"\sum_{{j=0}}^{{\log_2 S}} 2^{{-j}} {SUM}"),
    ],
)
def test_printer_notation(expr, expected):
    assert tex.latex(expr) == expected
    assert tex.to_latex(expr) == expected


CASE = {"L": 10, "s_max": 5, "s": 5, "T": 4, "sum_I": 2, "eps_train": "0.1", "eps": "0.3", "tau": "0.05", "V": 8}
#: A multi-scale profile for CASE: S = 8 (levels of sizes 2, 6, 8, 9), Φ = 1/8 + 1/8 + 1/8 + 1/8 = 1/2.
MS = MultiScaleProfile.from_level_totals(["1/8", "1/4", "1/2", 1], length=10)
CASE_MS = {**CASE, **sym.values_for(multiscale=MS, eps_train=None)}
CHAIN5 = (
    rf"\varepsilon(5) \le \frac{{5 + 3 + 2}}{{2 \cdot 10}} {SUM10} = \frac{{1}}{{2}} {SUM10} \le "
    rf"\frac{{2^{{3}} - 1}}{{10}} {SUM10} = \frac{{7}}{{10}} {SUM10}"
)
R1 = r"R = \frac{10 \left(\frac{3}{10} - \frac{1}{10}\right)}{2} = 1, \qquad "

INSTANTIATED = [
    ("recursion-step", CASE, CHAIN5),
    ("level-inequality", CASE, CHAIN5),
    ("closed-form", CASE, CHAIN5),
    ("theorem1", CASE, rf"{KL} \le \frac{{2^{{\lceil\log_2 5\rceil}} - 1}}{{10}} \cdot 2 + \frac{{1}}{{10}} = \frac{{3}}{{2}} \approx 1.5"),
    (
        "recursion",
        CASE,
        rf"{KL} \le \frac{{\sum_{{k=0}}^{{\lceil\log_2 5\rceil - 1}} \lceil 5/2^{{k}} \rceil}}{{2 \cdot 10}} \cdot 2 + "
        r"\frac{1}{10} = \frac{11}{10} \approx 1.1",
    ),
    (
        "recursion-popcount",
        CASE,
        r"\frac{\sum_{k=0}^{\lceil\log_2 5\rceil - 1} \lceil 5/2^{k} \rceil}{2} = 5 - 1 + "
        r"\frac{\lceil\log_2 5\rceil - \operatorname{popcount}\left(5 - 1\right)}{2} = 5",
    ),
    ("sharp", CASE, rf"{KL} \le \frac{{5 - 1}}{{10}} \cdot 2 + \frac{{1}}{{10}} = \frac{{9}}{{10}} \approx 0.9"),
    (
        "theorem1-uniform",
        CASE,
        rf"{KL} \le \frac{{2^{{\lceil\log_2 \lceil 10/4 \rceil\rceil}} - 1}}{{10}} \cdot 2 + \frac{{1}}{{10}} = \frac{{7}}{{10}} \approx 0.7",
    ),
    (
        "corollary1",
        {**CASE, "s_max": 3},
        rf"{KL} \le \frac{{2}}{{4}} \cdot 2 + \frac{{1}}{{10}} = \frac{{11}}{{10}} \approx 1.1",
    ),
    (
        "ter",
        CASE,
        rf"{TER2} \le \frac{{1}}{{10}} \left(\frac{{2^{{\lceil\log_2 5\rceil}} - 1}}{{10}} \cdot 2 + \frac{{1}}{{10}}\right) = \frac{{3}}{{20}} \approx 0.15",
    ),
    (
        "ter-corollary1",
        {**CASE, "s_max": 3},
        rf"{TER2} \le \frac{{2}}{{10 \cdot 4}} \cdot 2 + \frac{{1}}{{10}} \cdot \frac{{1}}{{10}} = \frac{{11}}{{100}} \approx 0.11",
    ),
    (
        "ter-vocabulary",
        CASE,
        rf"{TERLN} \le \frac{{2^{{\lceil\log_2 5\rceil}} - 1}}{{10}} \ln 8 + \frac{{1}}{{10}} \cdot \frac{{1}}{{10}} = "
        r"\frac{7 \ln 8}{10} + \frac{1}{100} \approx 1.46561",
    ),
    (
        "steps-theorem1",
        CASE,
        R1 + r"T_{\min} = \left\lceil \frac{10}{\min\left(10, 2^{\lfloor\log_2 \left(\lfloor 1 \rfloor + 1\right)\rfloor}\right)} \right\rceil = 5",
    ),
    (
        "steps-recursion",
        CASE,
        R1 + r"T_{\min} = \left\lceil \frac{10}{\min\left(10, s^{*}_{\mathrm{rec}}\left(1\right)\right)} \right\rceil = 5",
    ),
    ("steps-sharp", CASE, R1 + r"T_{\min} = \left\lceil \frac{10}{\min\left(10, \lfloor 1 \rfloor + 1\right)} \right\rceil = 5"),
    (
        "steps-ter",
        CASE,
        r"R = \frac{10 \left(10 \cdot \frac{1}{20} - \frac{1}{10}\right)}{2} = 2, \qquad "
        r"T_{\min} = \left\lceil \frac{10}{\min\left(10, 2^{\lfloor\log_2 \left(\lfloor 2 \rfloor + 1\right)\rfloor}\right)} \right\rceil = 5",
    ),
    ("break-even", CASE, r"T_{\mathrm{break}} = 10"),
    (
        "multiscale-phi",
        CASE_MS,
        rf"\Phi = \sum_{{j=0}}^{{\log_2 8}} 2^{{-j}} \sum_{{i=1}}^{{10}} {LEVEL_MI} = G(2) + \frac{{1}}{{2}} G(6) + "
        r"\frac{1}{4} G(8) + \frac{1}{8} G(9) = \frac{1}{8} + \frac{1}{2} \cdot \frac{1}{4} + \frac{1}{4} \cdot \frac{1}{2} + "
        r"\frac{1}{8} \cdot 1 = \frac{1}{2} \approx 0.5",
    ),
    ("theorem2-upper", CASE_MS, rf"{KL} \le \frac{{8}}{{10}} \cdot \frac{{1}}{{2}} + \frac{{1}}{{10}} = \frac{{1}}{{2}} \approx 0.5"),
    (
        "theorem2-lower",
        CASE_MS,
        rf"{KL_RANDOM} \ge \frac{{8}}{{16 \cdot 10}} \cdot \frac{{1}}{{2}} + \frac{{1}}{{10}} = \frac{{1}}{{8}} \approx 0.125",
    ),
    ("theorem2-gap", CASE, r"\frac{C_2}{C_3} = 16"),
]


def test_instantiated_table_covers_every_result():
    assert [name for name, _, _ in INSTANTIATED] == list(sym.NAMES)


@pytest.mark.parametrize("name, values, expected", INSTANTIATED, ids=[n for n, _, _ in INSTANTIATED])
def test_golden_instantiated(name, values, expected):
    assert tex.instantiate(sym.get(name), values) == expected


def test_empty_levels_are_shown_as_zero():
    # L = 5, S = 8: level 0 would need a set of 5 - 8 < 0 tokens
    ms = MultiScaleProfile.from_level_totals([0, "1/2", "3/4", 1], length=5)
    text = tex.instantiate(sym.get("multiscale-phi"), sym.values_for(multiscale=ms))
    assert r"= 0 + \frac{1}{2} G(1) + \frac{1}{4} G(3) + \frac{1}{8} G(4) = 0 + \frac{1}{2} \cdot \frac{1}{2} + " in text
    assert text.endswith(r"= \frac{9}{16} \approx 0.5625") and ms.phi == Fraction(9, 16)


def test_instantiated_values_agree_with_the_numeric_engine():
    # the "= value" printed is the numeric engine's number
    profile, schedule = MIProfile.from_total(2, 10), Schedule([5, 3, 2])
    for name in ("theorem1", "recursion", "sharp", "ter"):
        value = getattr(bounds, name)(profile, schedule, "0.1")
        text = tex.instantiate(sym.get(name), CASE)
        assert f"= {tex.latex(sym.to_sympy_number(value))}" in text


@pytest.mark.parametrize(
    "name, values, error, fragment",
    [
        ("theorem1", {"L": 10, "s_max": 5}, UsageError, "theorem1 needs a value for sum_I, eps_train"),
        ("corollary1", CASE, DomainError, "s_max = ceil(L/T)"),
        ("steps-sharp", {**CASE, "eps": "0.05"}, InfeasibleTargetError, "ε >= ε_train"),
        ("recursion-step", {"L": 10}, UsageError, "recursion-step needs s"),
        ("multiscale-phi", {"L": 10, "S": 8}, UsageError, "multiscale-phi needs the level totals G(2), G(6), G(8), G(9)"),
        ("theorem2-upper", CASE, UsageError, "theorem2-upper needs a value for S, Phi"),
        ("theorem2-upper", {**CASE_MS, "s_max": 1}, DomainError, "2 <= s_max <= L"),
        ("theorem2-upper", {**CASE_MS, "S": 4}, UsageError, "s_max <= S"),
        ("theorem2-lower", {**CASE_MS, "S": 1}, DomainError, "S >= 2"),
    ],
)
def test_instantiate_errors(name, values, error, fragment):
    with pytest.raises(error) as info:
        tex.instantiate(sym.get(name), values)
    assert fragment in str(info.value)


def test_zero_mutual_information_takes_one_step():
    text = tex.instantiate(sym.get("steps-theorem1"), {"L": 10, "sum_I": 0, "eps_train": 0, "eps": 1})
    assert text == rf"T_{{\min}} = 1 \quad ({SUM} = 0)"


def test_units_change_the_ter_logarithm():
    assert sym.get("ter").to_latex(unit="nats").startswith(TERLN)
    assert sym.get("ter").to_latex(unit="bits").startswith(TER2)
    assert sym.get("ter-vocabulary").to_latex(unit="bits").startswith(TERLN)  # sympy's log is ln


def test_unabbreviated_required_steps_is_explicit():
    text = sym.get("steps-sharp").to_latex(abbreviate=False)
    assert "R" not in text.replace(r"\right", "").replace(r"\rfloor", "").replace(r"\rceil", "")
    assert rf"\left\lfloor \frac{{L \left(\varepsilon - {EPS}\right)}}{{{SUM}}} \right\rfloor + 1" in text


# -- reports ---------------------------------------------------------------------------------


def test_bound_report_latex():
    report = bounds.bound_report(MIProfile.from_total(2, 10), Schedule.uniform(10, 4), "0.1")
    text = tex.to_latex(report)
    assert text.startswith("\\begin{gathered}\n\\text{Theorem 1 (8)} \\quad ") and text.endswith("\\end{gathered}")
    lines = text.splitlines()[1:-1]
    assert len(lines) == 5  # theorem1, recursion, sharp, corollary1, ter
    assert lines[3] == rf"\text{{Corollary 1 (9)}} \quad {KL} \le \frac{{2}}{{4}} \cdot 2 + \frac{{1}}{{10}} = \frac{{11}}{{10}} \approx 1.1 \\"
    assert TERLN in lines[4]  # the profile is in nats
    unbalanced = tex.to_latex(bounds.bound_report(MIProfile.from_total(2, 10), Schedule([5, 3, 2])))
    assert "Corollary" not in unbalanced  # not a theorem for this schedule


def test_bound_report_latex_with_theorem2():
    report = bounds.bound_report(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), "0.1", multiscale=MS)
    lines = tex.to_latex(report).splitlines()[1:-1]
    assert lines[-2] == (
        rf"\text{{Theorem 2, the upper bound (12)}} \quad {KL} \le \frac{{8}}{{10}} \cdot \frac{{1}}{{2}} + \frac{{1}}{{10}} = "
        r"\frac{1}{2} \approx 0.5 \\"
    )
    assert lines[-1] == (
        rf"\text{{Theorem 2, the lower bound for the random schedule (13)}} \quad {KL_RANDOM} \ge "
        r"\frac{8}{16 \cdot 10} \cdot \frac{1}{2} + \frac{1}{10} = \frac{1}{8} \approx 0.125"
    )
    # the printed values are the numeric engine's
    assert report.theorem2_upper == Fraction(1, 2) and report.theorem2_lower == Fraction(1, 8)
    # s_max = 1: no upper bound (the error is ε_train), the lower bound is still shown
    ones = tex.to_latex(bounds.bound_report(MIProfile.from_total(2, 10), Schedule([1] * 10), "0.1", multiscale=MS))
    assert "upper bound (12)" not in ones and "lower bound for the random schedule (13)" in ones


def test_recursion_report_latex():
    assert tex.to_latex(bounds.recursion_report(5)) == (
        rf"\varepsilon(5) \le \frac{{5 + 3 + 2}}{{2 L}} {SUM} = \frac{{5}}{{L}} {SUM} \le \frac{{2^{{3}} - 1}}{{L}} {SUM} = \frac{{7}}{{L}} {SUM}"
    )
    assert tex.to_latex(bounds.recursion_report(1)) == r"\varepsilon(1) = 0"
    with_length = tex.to_latex(bounds.recursion_report(37, 1024))
    assert r"\frac{37 + 19 + 10 + 5 + 3 + 2}{2 \cdot 1024}" in with_length and r"\frac{63}{1024}" in with_length
    floor = sym.unroll(5, "floor").to_latex()
    assert floor == rf"\varepsilon(5) \le \frac{{\lfloor 5/2 \rfloor + \lfloor 3/2 \rfloor + \lfloor 2/2 \rfloor}}{{L}} {SUM} = \frac{{4}}{{L}} {SUM}"


def test_steps_result_latex():
    profile = MIProfile.from_total(2, 10)
    feasible = tex.to_latex(steps.required_steps(profile, "0.3", "0.1"))
    assert feasible.startswith(R1) and feasible.endswith(r"= 5, \qquad s_{\max} = 2, \quad \text{bound} = \frac{3}{10} \le \varepsilon")
    infeasible = tex.to_latex(steps.required_steps(profile, "0.05", "0.1"))
    assert infeasible == r"\varepsilon = \frac{1}{20} < \varepsilon_{\mathrm{train}} = \frac{1}{10}: \text{no number of steps reaches the target}"


def test_to_latex_rejects_other_objects():
    with pytest.raises(TypeError):
        tex.to_latex(object())


def test_escape_text():
    assert tex.escape_text("Li & Cai: 50% of x_1 {y} #2 ~ ^") == r"Li \& Cai: 50\% of x\_1 \{y\} \#2 \textasciitilde{} \textasciicircum{}"


def test_assumption_lines_follow_the_symbols():
    assert tex.assumption_lines({sym.L, sym.s_max, sym.sum_I, sym.eps_train, sym.eps, sym.k}) == (
        r"L, s_{\max} \in \{1, 2, \dots\}",
        r"k \in \{0, 1, \dots\}",
        rf"{SUM}, {EPS} \ge 0",
        r"\varepsilon > 0",
    )


# -- documents ----------------------------------------------------------------------------


def test_derivation_document_is_in_order_with_every_tag():
    doc = tex.derivation_document()
    assert "\\section{Theorem 2: multi-scale mutual information}" in doc
    assert doc.startswith("\\documentclass") and doc.rstrip().endswith("\\end{document}")
    assert "\\usepackage{amsmath}" in doc
    positions = [doc.index(f"\\tag{{{tex.tag_text(sym.get(name))}}}\\label{{bc:{name}}}") for name in sym.NAMES]
    assert positions == sorted(positions)
    assert "boundcalc" not in doc and "\\texttt" not in doc  # mathematics and papers, not software
    assert doc.count("\\emph{Conditions:}") >= 10


def test_documents_escape_nothing_wrongly():
    for doc in (tex.derivation_document(), tex.results_document(list(sym.NAMES))):
        body = doc.replace("\\&", "").replace("\\%", "")
        assert "&" not in body.replace("& \\quad", "").replace("\n& ", "")
        assert "%" not in body


def test_module_doctests():
    failures, tried = doctest.testmod(tex, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0


# -- compilation --------------------------------------------------------------------------

from latex_compile import PDFLATEX, REQUIRED, compile_latex  # noqa: E402,F401  (re-exported)


@pytest.mark.latex
def test_derivation_document_compiles(tmp_path):
    compile_latex(tex.derivation_document(), tmp_path)


@pytest.mark.latex
def test_derivation_document_with_values_compiles(tmp_path):
    compile_latex(tex.derivation_document(values=CASE), tmp_path)


@pytest.mark.latex
def test_derivation_document_with_theorem2_values_compiles(tmp_path):
    doc = tex.derivation_document(values=CASE_MS)
    assert doc.count("With the values of this case") == len(sym.NAMES) - 2  # not the corollary1 forms (s_max = 5)
    compile_latex(doc, tmp_path)


@pytest.mark.latex
@pytest.mark.parametrize("name", sym.NAMES)
def test_each_result_document_compiles(tmp_path, name):
    values = {**CASE_MS, "s_max": 3} if name in ("corollary1", "ter-corollary1") else CASE_MS
    compile_latex(tex.results_document([name], values), tmp_path)


@pytest.mark.latex
def test_report_latex_compiles(tmp_path):
    report = bounds.bound_report(MIProfile.from_total(2, 10), Schedule.uniform(10, 4), "0.1", multiscale=MS)
    body = "\n".join(
        f"\\begin{{equation*}}\n{text}\n\\end{{equation*}}"
        for text in (
            tex.to_latex(report),
            tex.to_latex(bounds.recursion_report(37, 1024)),
            tex.to_latex(steps.required_steps(MIProfile.from_total(2, 10), "0.3", "0.1")),
        )
    )
    # reports are single display lines, meant for notebooks: allow them to be wide here
    doc = tex.standalone(body).replace("\\usepackage[margin=2.5cm]{geometry}", "\\usepackage[paperwidth=60cm,margin=1cm]{geometry}")
    compile_latex(doc, tmp_path)


def test_bound_report_without_the_profile_behind_theorem2():
    # Theorem 2 values without the multi-scale profile (S, Φ unknown): shown by value only
    import dataclasses

    report = bounds.bound_report(MIProfile.from_total(2, 10), Schedule.uniform(10, 4), "0.1")
    values = {**report.values, "theorem2_upper": Fraction(3, 7), "theorem2_lower": Fraction(1, 9)}
    report = dataclasses.replace(report, values=values)
    lines = tex.to_latex(report).splitlines()
    assert rf"\text{{theorem2 upper}} \quad {KL} \le \frac{{3}}{{7}} \\" in lines
    assert rf"\text{{theorem2 lower}} \quad {KL} \ge \frac{{1}}{{9}}" in lines


def test_reports_have_to_latex_and_repr_latex():
    report = bounds.bound_report(MIProfile.from_total(2, 10), Schedule.uniform(10, 4), "0.1")
    recursion = bounds.recursion_report(5)
    answer = steps.required_steps(MIProfile.from_total(2, 10), "0.3", "0.1")
    for obj in (report, recursion, answer):
        assert obj.to_latex() == tex.to_latex(obj)
        assert obj._repr_latex_() == f"$\\displaystyle {obj.to_latex()}$"


def test_long_fractions_are_shown_as_decimals_and_the_chain_as_approximate():
    # a float-derived value (its shortest decimal read exactly) would print as an 18-digit fraction
    phi = Fraction("4.198558668918578")
    values = {"L": 8, "S": 4, "Phi": phi, "s_max": 2, "eps_train": 0}
    text = tex.instantiate(sym.get("theorem2-upper"), values, digits=6)
    assert text.endswith(r"\le \frac{4}{8} \cdot 4.19856 + 0 \approx 2.09928")
    assert r"\frac{2099279334459289}" not in text
    # short fractions stay exact, and the value follows "="
    exact = tex.instantiate(sym.get("theorem2-upper"), {**values, "Phi": Fraction(3, 8)}, digits=6)
    assert exact.endswith(r"\le \frac{4}{8} \cdot \frac{3}{8} + 0 = \frac{3}{16} \approx 0.1875")
    assert tex.LONG_FRACTION == 12 and tex._is_long(sym.to_sympy_number(phi))
