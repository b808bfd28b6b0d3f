"""The one dispatch rule of every printer (JSON, LaTeX, terminal tables): a walk along the value's MRO.

Each output format keeps one :class:`Printers` table: class name -> printer function. To print a
value, the table takes the first class of ``type(value).__mro__`` that has a printer (sympy's
``Printer._print`` rule: a subclass prints as its parent unless it has a printer of its own). A new
value class is printed in every format by registering one printer per format::

    from boundcalc import jsonify, latex, table_printer

    jsonify.register(MyResult, lambda value, digits, **options: {...})
    latex.register(MyResult, lambda value, digits=6, **options: "...")
    table_printer.register(MyResult, lambda value, digits=6, **options: Table(...))

Printers are keyed by class *name*, so a printer module never imports the classes it prints (they
live in lower layers, or in a user's module); two classes of one name share a printer.

>>> table = Printers("toy")
>>> class Base: pass
>>> class Child(Base): pass
>>> _ = table.register(Base, lambda value: "a Base")
>>> table(Child())
'a Base'
>>> table.find(3) is None
True
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

__all__ = ["Printers"]


class Printers:
    """One output format's printers (``name`` says which, in the error for a value without one)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._printers: dict[str, Callable[..., Any]] = {}

    def register(self, cls: type | str, printer: Callable[..., Any] | None = None, *, replace: bool = True) -> Any:
        """Print instances of ``cls`` (a class or its name) with ``printer``; without ``printer``, a decorator.

        ``replace=False`` refuses a class that already has a printer of its own (not one inherited).
        """
        key = cls if isinstance(cls, str) else cls.__name__
        if printer is None:
            return lambda function: self.register(key, function, replace=replace)
        if not replace and key in self._printers:
            raise ValueError(f"{key} already has a {self.name} printer")
        self._printers[key] = printer
        return printer

    def unregister(self, cls: type | str) -> None:
        """Forget the printer of ``cls`` (tests that register a toy class clean up with it)."""
        self._printers.pop(cls if isinstance(cls, str) else cls.__name__, None)

    def collect(self, namespace: Mapping[str, Any], prefix: str) -> None:
        """Register every ``<prefix><ClassName>`` function of a module's namespace (``_json_BoundReport``)."""
        for key, value in namespace.items():
            if key.startswith(prefix) and callable(value):
                self._printers[key[len(prefix):]] = value

    def find(self, value: Any) -> Callable[..., Any] | None:
        """The printer of the first class of ``type(value).__mro__`` that has one, or None."""
        for cls in type(value).__mro__:
            printer = self._printers.get(cls.__name__)
            if printer is not None:
                return printer
        return None

    def __contains__(self, cls: type | str) -> bool:
        return (cls if isinstance(cls, str) else cls.__name__) in self._printers

    def __call__(self, value: Any, *args: Any, **options: Any) -> Any:
        printer = self.find(value)
        if printer is None:
            raise TypeError(f"no {self.name} form for {type(value).__name__}")
        return printer(value, *args, **options)
