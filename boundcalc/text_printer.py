"""The plain-text printer: listings printed as they are, one line per item (no table, no markup).

:func:`to_text` dispatches along the value's MRO (:mod:`boundcalc.dispatch`, the rule of every printer) to the
printer registered for its class; the command line prints the text unchanged (``boundcalc.cli.render.emit_text``).

* :class:`~boundcalc.answers.ResultCatalogue` -- ``latex --list``: each result's name, equation label and summary
  in aligned columns.

>>> from types import SimpleNamespace
>>> from boundcalc.answers import ResultCatalogue
>>> one = SimpleNamespace(name="sharp", label="D1", summary="the sharp bound")
>>> to_text(ResultCatalogue((one,)))
'sharp                D1     the sharp bound\\n'
"""

from __future__ import annotations

from typing import Any, Callable

from .dispatch import Printers

__all__ = ["to_text", "register", "PRINTERS"]


def to_text(obj: Any, **options: Any) -> str:
    """The plain text of ``obj`` (lines ending in ``\\n``): the printer of the first class of its MRO that has one."""
    return PRINTERS(obj, **options)


def register(cls: type | str, printer: Callable[..., str] | None = None) -> Any:
    """Print instances of ``cls`` (or its subclasses) as text with ``printer(value, **options)`` (a decorator
    without ``printer``)."""
    return PRINTERS.register(cls, printer)


def _text_ResultCatalogue(catalogue: Any) -> str:
    """One line per result: its name (20 columns), equation label (6 columns) and summary."""
    return "".join(f"{r.name:<20} {r.label:<6} {r.summary}\n" for r in catalogue.results)


#: The text printers, by class name (this module's ``_text_<Class>`` functions, and those :func:`register` adds).
PRINTERS = Printers("text")
PRINTERS.collect(globals(), "_text_")
