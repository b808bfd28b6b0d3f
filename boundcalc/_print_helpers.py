"""Display hooks that reach up to the printers (sympy's ``core/_print_helpers.py``).

Value objects and reports sit below the renderers, so they cannot import
them at module level without an import circle. This mixin gives them
``to_latex``, ``to_dict`` and ``_repr_latex_`` as one-line methods that import
the printer when called: the only imports in boundcalc that go up a layer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Printable"]


class Printable:
    """``to_latex`` (boundcalc.latex), ``to_dict`` (boundcalc.jsonify) and the notebook hook."""

    __slots__ = ()

    def to_latex(self, **options: Any) -> str:
        """This object in LaTeX, by :func:`boundcalc.latex.to_latex` (imports sympy)."""
        from .latex import to_latex

        return to_latex(self, **options)

    def to_dict(self, digits: int = 6, **options: Any) -> dict[str, Any]:
        """The JSON form, by :func:`boundcalc.jsonify.to_json` (exact numbers as ``{"exact", "decimal"}``,
        floats with their error as ``{"value", "abs_error", "estimate", ...}``)."""
        from .jsonify import to_json

        return to_json(self, digits, **options)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.to_latex()}$"
