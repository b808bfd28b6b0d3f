"""Units of information: nats (natural log) and bits (log2).

A :class:`Unit` is a ``str`` enum, so ``Unit.NATS == "nats"`` and JSON shows
the plain name. Converting between units multiplies by the irrational ln 2,
so exact values are never converted silently: :func:`as_unit` only checks
and normalises the name.
"""

from __future__ import annotations

from enum import Enum

from .errors import UsageError

__all__ = ["Unit", "as_unit", "UNITS", "unit_of_column", "reconcile_unit"]


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


def unit_of_column(name: str) -> Unit | None:
    """The unit a column name records (``mi_nats``, ``value_bits``, ``loss_nats``), or None.

    >>> unit_of_column("mi_bits"), unit_of_column("value")
    (<Unit.BITS: 'bits'>, None)
    """
    for unit in Unit:
        if name.strip().lower().endswith("_" + unit.value):
            return unit
    return None


def reconcile_unit(recorded: Unit | None, requested: "Unit | str | None", source: str) -> Unit:
    """The unit to read a file in: the one it records, the one asked for, or nats; a conflict is an error.

    Converting would multiply exact values by the irrational ln 2, so a file in nats
    read as bits is refused rather than silently relabelled.

    >>> reconcile_unit(Unit.NATS, None, "mi.csv"), reconcile_unit(None, "bits", "mi.csv")
    (<Unit.NATS: 'nats'>, <Unit.BITS: 'bits'>)
    >>> reconcile_unit(Unit.NATS, "bits", "mi.csv")
    Traceback (most recent call last):
    ...
    boundcalc.errors.UsageError: mi.csv: the file records its values in nats, not bits (read it in nats (omit the unit), or convert the file)
    """
    wanted = None if requested is None else as_unit(requested)
    if recorded is None:
        return wanted or Unit.NATS
    if wanted is not None and wanted is not recorded:
        raise UsageError(
            f"the file records its values in {recorded.value}, not {wanted.value}",
            param=source,
            allowed=f"read it in {recorded.value} (omit the unit), or convert the file",
        )
    return recorded
