"""Units of information: nats (natural log) and bits (log2).

A :class:`Unit` is a ``str`` enum, so ``Unit.NATS == "nats"`` and JSON shows
the plain name. Converting between units multiplies by the irrational ln 2,
so exact values are never converted silently: :func:`as_unit` only checks
and normalises the name.
"""

from __future__ import annotations

from enum import Enum

from .errors import UsageError

__all__ = ["Unit", "as_unit", "UNITS"]


class Unit(str, Enum):
    """The unit of an entropy or mutual information."""

    NATS = "nats"
    BITS = "bits"

    def __str__(self) -> str:
        return self.value

    @property
    def log_name(self) -> str:
        """The logarithm of the unit: "ln" for nats, "log2" for bits."""
        return "ln" if self is Unit.NATS else "log2"


#: The unit names, in the order shown to users.
UNITS = tuple(unit.value for unit in Unit)


def as_unit(unit: "Unit | str", param: str = "unit") -> Unit:
    """``unit`` as a :class:`Unit`, or a :class:`~boundcalc.errors.UsageError` naming ``param``.

    >>> as_unit("bits")
    <Unit.BITS: 'bits'>
    >>> as_unit("furlongs")
    Traceback (most recent call last):
    ...
    boundcalc.errors.UsageError: unit: unknown unit 'furlongs' (nats or bits)
    """
    try:
        return Unit(unit)
    except ValueError:
        raise UsageError(f"unknown unit {unit!r}", param=param, allowed=" or ".join(UNITS)) from None
