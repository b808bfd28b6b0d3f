r"""Plain-text sentences of the library (reasons, titles, notes) as LaTeX prose with their formulas in math.

The registry and the searches explain themselves in plain text, for a terminal: ``not balanced (s_max = 3):
needs s_max = ceil(L/T) = 2``. A paper's table must show mathematics, not those code spellings, so
:func:`prose` finds the formulas in such a sentence and sets them in math mode, the words as text:

>>> print(prose("not balanced (s_max = 3): needs s_max = ceil(L/T) = 2"))
not balanced ($s_{\max} = 3$): needs $s_{\max} = \lceil L/T \rceil = 2$
>>> print(prose("the random schedule on {S, S/2} needs S >= 2"))
the random schedule on $\{S, S/2\}$ needs $S \ge 2$
>>> print(prose("s_max = 1: one token per step, the error is ε_train"))
$s_{\max} = 1$: one token per step, the error is $\varepsilon_{\mathrm{train}}$
>>> print(prose("recursion (19) unrolled, blockwise"))
recursion (19) unrolled, blockwise

An equation reference in parentheses, ``(19)`` or ``(D2)``, stays text; a sampler or family spelled with
colons (``blocks:2:uniform:T``) is a name and stays text.
"""

from __future__ import annotations

import re

from .printer import escape_text

__all__ = ["prose", "math_text"]

#: Unicode symbols of the plain-text strings and their math-mode LaTeX.
_SYMBOLS = {
    "ε": r"\varepsilon", "Σ": r"\Sigma", "Φ": r"\Phi", "τ": r"\tau", "γ": r"\gamma", "η": r"\eta", "ℓ": r"\ell",
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "·": r"\cdot", "×": r"\times", "∞": r"\infty", "−": "-", "∈": r"\in",
    "≈": r"\approx", "∑": r"\sum", "∘": r"\circ", "‖": r"\|",
}
#: Subscripts spelled as words in the plain text.
_SUBSCRIPTS = {"max": r"\max", "min": r"\min"}
#: Functions written name(argument) in the plain text: (opening, closing) around the argument.
_FUNCTIONS = {"ceil": (r"\lceil ", r" \rceil"), "floor": (r"\lfloor ", r" \rfloor"), "log2": (r"\log_2(", ")"),
              "log": (r"\log(", ")"), "ln": (r"\ln(", ")"), "exp": (r"\exp(", ")")}
#: Typographic characters of prose.
_PROSE_CHARACTERS = {"—": "---", "–": "--", "…": r"\dots{}", "’": "'", "‘": "`", "“": "``", "”": "''"}
#: Lower-case letters that are variables when they stand alone (never the article "a").
_VARIABLES = set("bcdefghijklmnpqrstuvwxyz")

_GREEK = "εΣΦτγηℓ"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_TOKEN = re.compile(
    r"(?P<eqref>\((?:\d+|[A-Z]\d+)(?:\s*,\s*(?:\d+|[A-Z]\d+))*\))"  # (19), (D2), (19),(26): references
    rf"|(?P<spec>[A-Za-z][\w-]*(?::[\w./-]+)+)"  # blocks:2:uniform:T, power:2: a name
    rf"|(?P<function>(?:{'|'.join(_FUNCTIONS)})\()"
    r"|(?P<log2>log2\b)"
    rf"|(?P<subscripted>[A-Za-z{_GREEK}]+_(?:\{{[^}}]*\}}|[A-Za-z0-9]+))"
    r"|(?P<number>\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
    r"|(?P<set>\{[^{}]*\})"
    r"|(?P<operator><=|>=|!=|==|[-=<>+*/^" + "".join(c for c in _SYMBOLS if c not in _GREEK) + r"])"
    rf"|(?P<greek>[{_GREEK}][A-Z]?)"
    r"|(?P<word>[A-Za-z][A-Za-z'-]*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one before ``start``."""
    depth = 1
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise ValueError(f"unbalanced parentheses in {text!r}")


def _subscripted(token: str) -> str:
    base, _, sub = token.partition("_")
    sub = sub.strip("{}")
    base_tex = "".join(_SYMBOLS.get(ch, ch) + (" " if ch in _SYMBOLS and len(base) > 1 else "") for ch in base)
    if sub in _SUBSCRIPTS:
        return f"{base_tex.strip()}_{{{_SUBSCRIPTS[sub]}}}"
    sub_tex = sub if len(sub) == 1 or sub.isdigit() else r"\mathrm{" + sub + "}"
    return base_tex.strip() + "_{" + sub_tex + "}"


def math_text(text: str) -> str:
    """A plain-text formula (``s_max = ceil(L/T)``) as math-mode LaTeX (``s_{\\max} = \\lceil L/T \\rceil``)."""
    out: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None  # "other" matches any character
        kind, token = match.lastgroup, match.group()
        position = match.end()
        if kind == "function":
            end = _closing(text, position)
            opening, closing = _FUNCTIONS[token[:-1]]
            group = opening + math_text(text[position:end]) + closing
            out.append("{" + group + "}" if out and out[-1] == "^" else group)  # 2^ceil(...): a braced exponent
            position = end + 1
        elif kind == "log2":
            out.append(r"\log_2 ")
        elif kind == "subscripted":
            out.append(_subscripted(token))
        elif kind == "set":
            out.append(r"\{" + math_text(token[1:-1]) + r"\}")
        elif kind == "operator":
            out.append({"<=": r" \le ", ">=": r" \ge ", "!=": r" \ne ", "==": " = "}.get(token, "")
                       or (f" {_SYMBOLS[token]} " if token in _SYMBOLS else token))
        elif kind == "greek":
            out.append(_SYMBOLS[token[0]] + (" " + token[1:] if len(token) > 1 else " "))
        elif kind == "word" and len(token) > 1:
            out.append(rf"\mathrm{{{token}}}")
        else:
            out.append(token)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _is_math(kind: str, token: str) -> bool:
    if kind in ("function", "log2", "subscripted", "number", "set", "operator", "greek"):
        return True
    return kind == "word" and len(token) == 1 and (token.isupper() or token in _VARIABLES)


def _prose_text(text: str) -> str:
    for char, tex in _PROSE_CHARACTERS.items():
        text = text.replace(char, tex)
    return escape_text(text)


def prose(text: str) -> str:
    """A plain-text sentence as LaTeX: its formulas in ``$...$``, its words escaped as text (doctests above)."""
    pieces: list[tuple[bool, str]] = []  # (is math, plain text)
    brackets: list[bool] = []  # whether each open bracket belongs to a formula
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None
        kind, token = match.lastgroup or "other", match.group()
        end = match.end()
        if kind == "function":
            end = _closing(text, end) + 1
            token = text[position:end]
        position = end
        if kind == "space":
            pieces.append((pieces[-1][0] if pieces else False, token))
            continue
        if token in "([":  # a bracket opened right after a formula is part of it: c(S_max), E[...]
            brackets.append(bool(pieces) and pieces[-1][0] and not pieces[-1][1].isspace())
            pieces.append((brackets[-1], token))
            continue
        if token in ")]":
            pieces.append((brackets.pop() if brackets else False, token))
            continue
        pieces.append((_is_math(kind, token), token))
    # a run of spaces belongs to math only between two math pieces
    for index, (is_math, token) in enumerate(pieces):
        if is_math and token.isspace():
            following = next((m for m, t in pieces[index + 1 :] if not t.isspace()), False)
            pieces[index] = (following, token)
    out, run = [], []
    for is_math, token in pieces + [(False, "")]:
        if is_math:
            run.append(token)
            continue
        if run:
            formula = "".join(run)
            # a number alone is the same in text (Theorem 2, the block at 0): math only for a formula
            out.append(formula if _NUMBER.fullmatch(formula.strip()) else "$" + math_text(formula) + "$")
            run = []
        out.append(_prose_text(token))
    return "".join(out)
