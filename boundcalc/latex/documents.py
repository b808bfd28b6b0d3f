"""Displayed equations and whole documents: a result's tagged equation and section, the derivation document."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from .. import references
from ..errors import BoundcalcError
from .. import symbolic as sym
from .cases import _can_instantiate, instantiate_lines, missing_inputs
from .printer import KL_LHS, KL_RANDOM_LHS, SUM_I, _expr, escape_text, result_segments

# booktabs where installed; texlive-latex-base lacks it, so plain rules stand in for the booktabs ones
PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{tabularx}
\IfFileExists{booktabs.sty}{\usepackage{booktabs}}{\providecommand{\toprule}{\hline}\providecommand{\midrule}{\hline}\providecommand{\bottomrule}{\hline}}
\allowdisplaybreaks
"""

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


def instantiated_display(result: sym.Result, values: Mapping[Any, Any], digits: int = 6, unit: str = "bits") -> str:
    """The result with a case's numbers as a displayed ``equation*`` (``split`` when long): pasted into the
    body of a document it compiles as it is."""
    return _display(instantiate_lines(result, values, digits, unit))


def result_block(result: sym.Result, values: Mapping[Any, Any] | None = None, digits: int = 6,
                 unit: str = "bits", proofs: bool = False) -> str:
    """One result as a document section: title, statement, the tagged equation, conditions, assumptions.

    The equation carries ``\\label{bc:NAME}``; the source cites its paper; a result whose constant
    or form boundcalc derives points to its derivation (``\\ref`` into the appendix with ``proofs``).
    """
    equation = "" if not result.tag[0].isdigit() else f" (eq.~{result.equation})"
    lines = [rf"\subsection*{{{escape_text(result.title)}{equation}}}", ""]
    cite = rf"~\cite{{{','.join(result.cites)}}}" if result.cites else ""
    lines.append(paper_voice(result.statement) + rf" \emph{{Source:}} {paper_voice(result.source)}{cite}."
                 + _derivation_note(result, proofs))
    lines.append("")
    lines.append(result_equation(result, unit).rstrip())
    extras = _extra_lines(result)
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
    if values is not None:
        lines.append(r"\noindent\emph{With the values of this case:}")
        lines.append(instantiated_display(result, values, digits, unit).rstrip())
    return "\n".join(lines) + "\n"


#: Said once above pasted formulas: what their equation numbers are (docs/theory.md, "Which version").
NUMBERING = ("% Equation numbers (8), (9), ... are those of the first arXiv version of Li & Cai (2505.21400v1); "
             "the published NeurIPS 2025 version names the results alike, its equation numbers were not compared.")


def _symbol_names(missing: Sequence[Any]) -> str:
    return ", ".join(symbol.name for symbol in missing)


def result_snippets(results: Sequence[sym.Result], values: Mapping[Any, Any] | None = None, digits: int = 6,
                    unit: str = "bits", *, strict: bool = False, needs: Callable[[Sequence[Any]], str] | None = None
                    ) -> str:
    """The results ready to paste into a paper, under :data:`NUMBERING`: per result, comment lines (name, label,
    summary; its source and citation) and its tagged equation; with ``values``, the equation instantiated.

    A result lacking inputs says so in a comment, ``needs(missing symbols)`` naming what would give them (default:
    the symbols' names); an instantiation that fails raises with ``strict``, else says why in a comment.
    """
    blocks = [NUMBERING]
    for result in results:
        cite = "".join(rf" \cite{{{key}}}" for key in result.cites)
        lines = [f"% {result.name} {result.label}: {result.summary}", f"% Source: {result.source}{cite}",
                 result_equation(result, unit).rstrip()]
        if values is not None:
            lines.append(_instantiated_snippet(result, values, digits, unit, strict, needs or _symbol_names))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _instantiated_snippet(result: sym.Result, values: Mapping[Any, Any], digits: int, unit: str, strict: bool,
                          needs: Callable[[Sequence[Any]], str]) -> str:
    """The result with the case's numbers, or a comment saying what it lacks or why it failed."""
    missing = missing_inputs(result, values)
    if missing:
        return f"% not instantiated: needs {needs(missing)}"
    try:
        return instantiated_display(result, values, digits, unit).rstrip()
    except BoundcalcError as error:
        if strict:
            raise
        return f"% not instantiated: {error}"


#: The registry's sentences serve the terminal too; a paper speaks of the mathematics, not of a program.
_PAPER_VOICE = (
    (" derived by boundcalc", " derived here"),
    ("and boundcalc finds it exactly by search", "and it is found exactly by search"),
    ("; boundcalc takes $S", "; here $S"),
    (r" (boundcalc's \texttt{degenerate:S})", ""),
)


def paper_voice(text: str) -> str:
    """A statement of the registry as a paper states it: without the program's name or its spellings.

    >>> paper_voice("with the explicit constant $C_1 = 2$ derived by boundcalc")
    'with the explicit constant $C_1 = 2$ derived here'
    """
    for said, written in _PAPER_VOICE:
        text = text.replace(said, written)
    return text


def _derivation_note(result: sym.Result, proofs: bool) -> str:
    if not result.proof:
        return ""
    where = (
        rf"Appendix~\ref{{{proof_label(result.proof)}}}"
        if proofs
        else r"in the appendix of derivations"
    )
    return rf" \emph{{Derivation:}} {where}."


def _extra_lines(result: sym.Result) -> str:
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
number. Equation and section numbers are those of the first arXiv version of~\cite{li2025convergence}
(the published version states the same results under the same names, Theorem 1, Corollary 1,
Theorem 2 and Definition 1, but its equation numbers were not compared); D1, D2, \dots\ mark results
derived here. The last section is Theorem 2:
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
    from .. import proofs

    return proofs.appendix()
