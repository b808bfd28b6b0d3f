"""The derivations of boundcalc's constants as a LaTeX appendix, converted from docs/theory.md.

docs/theory.md is the one source: its sections between ``<!-- latex: KEY -->`` and
``<!-- /latex -->`` are written in Markdown with ``$...$`` and ``$$...$$`` math (GitHub renders
them), and :func:`appendix` converts exactly those sections, so the appendix of
``boundcalc latex --proofs`` and the documentation cannot diverge. The package ships the file as
``boundcalc/data/theory.md`` (a link to docs/theory.md; tests/latex/test_proofs.py checks it).

The converter knows the Markdown that page uses and nothing more: headings, paragraphs,
numbered and bulleted lists (one level of nesting), ``$$`` display math, fenced code,
``**bold**``, ``*emphasis*``, ```code```, links. Math passes through verbatim; text is escaped.
A character outside ASCII (other than a few typographic ones) is an error naming the section
and line: write it as math.

The appendix states mathematics and cites papers; what the page says about the software (names
in the code, commands, tests) is kept between ``<!-- sw -->`` and ``<!-- /sw -->`` (invisible on
GitHub, inline or over several lines) and left out. A link to another marked section,
``[section 4](#4-the-sharp-bound)``, becomes ``Appendix~\ref{bc:proof-sharp}``; a link to a
section that is not in the appendix is an error (the paper has no docs/ to point to).

>>> print(markdown_to_latex("The *sharp* bound: $s - 1$ (`sharp`), 2^k & 50%."), end="")
The \\emph{sharp} bound: $s - 1$ (\\texttt{sharp}), 2\\textasciicircum{}k \\& 50\\%.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import BoundcalcError

__all__ = ["SOURCE", "ConversionError", "sections", "markdown_to_latex", "appendix", "anchor", "without_software"]

#: The shipped copy of docs/theory.md.
SOURCE = Path(__file__).parent / "data" / "theory.md"

_BEGIN = re.compile(r"^<!-- latex: ([a-z0-9-]+) -->\s*$")
_SOFTWARE = re.compile(r"[ \t]*<!-- sw -->.*?<!-- /sw -->", re.DOTALL)
_HEADING = re.compile(r"^#{1,3} +(.+?)\s*$", re.MULTILINE)
_END = "<!-- /latex -->"
_TYPOGRAPHY = {"\u2014": "---", "\u2013": "--", "\u2019": "'", "\u2018": "`", "\u201c": "``", "\u201d": "''", "\u00a0": "~"}
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"$<$",
    ">": r"$>$",
}
_INLINE = re.compile(
    r"(?P<math>\$[^$]+\$)|(?P<code>`[^`]+`)|(?P<bold>\*\*.+?\*\*)|(?P<em>\*[^*\s][^*]*\*)"
    r"|(?P<link>\[[^\]]+\]\([^)]+\))"
)


class ConversionError(BoundcalcError):
    """docs/theory.md has Markdown the converter cannot turn into LaTeX."""


def sections(text: str | None = None) -> dict[str, str]:
    """The marked sections of docs/theory.md by key, in order (their Markdown; several regions marked
    with the same key are one section, so a derivation can skip the text between them)."""
    lines = (SOURCE.read_text(encoding="utf-8") if text is None else text).splitlines()
    out: dict[str, str] = {}
    key: str | None = None
    body: list[str] = []
    for number, line in enumerate(lines, 1):
        begin = _BEGIN.match(line)
        if begin:
            if key is not None:
                raise ConversionError(f"line {number}: section {begin.group(1)!r} starts inside {key!r}")
            key, body = begin.group(1), []
        elif line.strip() == _END:
            if key is None:
                raise ConversionError(f"line {number}: {_END} without a section")
            text = "\n".join(body).strip("\n")
            out[key] = f"{out[key]}\n\n{text}" if key in out else text  # a key's regions join in order
            key = None
        elif key is not None:
            body.append(line)
    if key is not None:
        raise ConversionError(f"section {key!r} is not closed by {_END}")
    return out


def _text(text: str) -> str:
    """Plain Markdown text (no inline markup) as LaTeX text."""
    out = []
    for char in text:
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char in _TYPOGRAPHY:
            out.append(_TYPOGRAPHY[char])
        elif ord(char) > 127:
            raise ConversionError(f"{char!r} (U+{ord(char):04X}) in text: write it as $...$ math")
        else:
            out.append(char)
    return "".join(out)


def _math(text: str) -> str:
    bad = sorted({char for char in text if ord(char) > 127})
    if bad:
        raise ConversionError(f"{''.join(bad)!r} in math {text!r}: use LaTeX commands")
    return text


def _inline(text: str) -> str:
    """Inline Markdown as LaTeX: math verbatim, code, bold, emphasis and links, text escaped."""
    out, position = [], 0
    for match in _INLINE.finditer(text):
        out.append(_text(text[position : match.start()]))
        token, kind = match.group(0), match.lastgroup
        if kind == "math":
            out.append(_math(token))
        elif kind == "code":
            out.append(rf"\texttt{{{_text(token[1:-1])}}}")
        elif kind == "bold":
            out.append(rf"\textbf{{{_inline(token[2:-2])}}}")
        elif kind == "em":
            out.append(rf"\emph{{{_inline(token[1:-1])}}}")
        else:  # a link: to another section of the appendix, a \ref; else its text
            target = token[token.index("](") + 2 : -1]
            if target.startswith("#"):
                if target[1:] not in _ANCHORS:
                    raise ConversionError(f"link to {target}: that section is not in the appendix")
                out.append(rf"Appendix~\ref{{bc:proof-{_ANCHORS[target[1:]]}}}")
            else:
                out.append(_inline(token[1 : token.index("](")]))
        position = match.end()
    out.append(_text(text[position:]))
    return "".join(out)


_ITEM = re.compile(r"^( *)(\d+\.|\*|-) +(.*)$")


def _list(lines: list[str]) -> str:
    """A Markdown list (items, indented continuations, one nested level) as enumerate/itemize."""
    items: list[tuple[int, str, list[str]]] = []  # (indent, marker, text lines)
    for line in lines:
        item = _ITEM.match(line)
        if item and (not items or len(item.group(1)) <= items[0][0] + 4):
            items.append((len(item.group(1)), item.group(2), [item.group(3)]))
        else:
            items[-1][2].append(line.strip())
    return _list_env(items, 0)[0]


def _list_env(items: list[tuple[int, str, list[str]]], start: int) -> tuple[str, int]:
    indent, marker = items[start][0], items[start][1]
    env = "enumerate" if marker[0].isdigit() else "itemize"
    out, index = [rf"\begin{{{env}}}"], start
    while index < len(items) and items[index][0] >= indent:
        if items[index][0] > indent:
            nested, index = _list_env(items, index)
            out.append(nested)
            continue
        out.append(r"\item " + _inline(" ".join(items[index][2])))
        index += 1
    out.append(rf"\end{{{env}}}")
    return "\n".join(out), index


def _blocks(markdown: str) -> list[list[str]]:
    """Blank-line separated blocks; ``$$`` math and fenced code are single blocks."""
    blocks: list[list[str]] = []
    current: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        stripped = line.strip()
        if fence is None and stripped in ("$$", "```") or (fence is None and stripped.startswith("```")):
            if current:
                blocks.append(current)
            current, fence = [line], stripped[:3] if stripped.startswith("```") else "$$"
            continue
        if fence is not None:
            current.append(line)
            if stripped == fence:
                blocks.append(current)
                current, fence = [], None
            continue
        if stripped:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if fence is not None:
        raise ConversionError(f"{fence} block is not closed")
    if current:
        blocks.append(current)
    return blocks


def markdown_to_latex(markdown: str, label: str | None = None) -> str:
    """The Markdown of one section as LaTeX; its first heading becomes a labelled ``\\subsection``."""
    out = []
    for block in _blocks(markdown):
        first = block[0].strip()
        if first == "$$":
            out.append("\\begin{equation*}\n" + _math("\n".join(line.strip() for line in block[1:-1])) + "\n\\end{equation*}")
        elif first.startswith("```"):
            out.append("\\begin{verbatim}\n" + "\n".join(block[1:-1]) + "\n\\end{verbatim}")
        elif first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            title = re.sub(r"^\d+\.\s*", "", first.lstrip("#").strip())
            command = "subsection" if level <= 2 else "subsubsection*"
            tail = rf"\label{{{label}}}" if label and level <= 2 else ""
            out.append(rf"\{command}{{{_inline(title)}}}{tail}")
            if len(block) > 1:
                out.append(_inline(" ".join(line.strip() for line in block[1:])))
        elif _ITEM.match(block[0]):
            out.append(_list(block))
        else:
            out.append(_inline(" ".join(line.strip() for line in block)))
    return "\n\n".join(out) + "\n"


_PREFACE = r"""\section{Derivations of the explicit constants}\label{bc:proofs}
\sloppy

Li \& Cai~\cite{li2025convergence} state Corollary~1 and Theorem~2 with unnamed absolute constants.
The explicit constants and exact forms used above, and a bound for semi-autoregressive (blockwise)
sampling, are derived below. Logarithms are natural (nats) unless the unit is bits; every bound is
linear in $\Sigma I$ and $\varepsilon_{\mathrm{train}}$, so nothing in the algebra depends on the unit.
"""


#: GitHub's anchor of a marked section's heading -> the section's key (set by :func:`appendix`).
_ANCHORS: dict[str, str] = {}


def anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to hyphens.

    >>> anchor("5. Corollary 1 (eq. 9): C1 = 2")
    '5-corollary-1-eq-9-c1--2'
    """
    kept = "".join(ch for ch in heading.strip().lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def without_software(markdown: str) -> str:
    """The Markdown with every ``<!-- sw -->...<!-- /sw -->`` passage (what it says about the software) left out."""
    out = _SOFTWARE.sub("", markdown)
    if "<!-- sw -->" in out or "<!-- /sw -->" in out:
        raise ConversionError("an unmatched <!-- sw --> or <!-- /sw -->")
    return out


def appendix(text: str | None = None) -> str:
    """``\\appendix`` and every marked section of docs/theory.md, each ``\\label{bc:proof-KEY}``."""
    marked = sections(text)
    _ANCHORS.clear()
    for key, markdown in marked.items():
        heading = _HEADING.search(markdown)
        if heading:
            _ANCHORS[anchor(heading.group(1))] = key
    parts = ["\\appendix\n", _PREFACE]
    for key, markdown in marked.items():
        try:
            parts.append(markdown_to_latex(without_software(markdown), f"bc:proof-{key}"))
        except ConversionError as error:
            raise ConversionError(f"docs/theory.md, section {key!r}: {error.message}") from None
    return "\n".join(parts)
