"""Display hooks for value objects (sympy's ``core/_print_helpers.py``): the printers own printing.

A value object inherits :class:`Printable` and gets ``to_latex``, ``_repr_latex_`` (Jupyter) and
``to_dict`` (JSON) without a line of printing code: each method imports its printer lazily
(:mod:`boundcalc.latex`, :mod:`boundcalc.jsonify`), the only imports allowed to reach up the layers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LatexPrintable", "Printable"]


class LatexPrintable:
    """``to_latex`` and ``_repr_latex_`` by :func:`boundcalc.latex.latex`."""

    __slots__ = ()

    def to_latex(self, **options: Any) -> str:
        """LaTeX in the paper's notation (:func:`boundcalc.latex.latex`; imports sympy)."""
        from .latex import latex

        return latex(self, **options)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.to_latex()}$"


class Printable(LatexPrintable):
    """:class:`LatexPrintable` and ``to_dict`` by :func:`boundcalc.jsonify.to_json`."""

    __slots__ = ()

    def to_dict(self, digits: int = 6) -> Any:
        """The JSON form (every number as ``{"exact", "decimal"}``)."""
        from . import jsonify  # type: ignore[attr-defined]

        return jsonify.to_json(self, digits)
