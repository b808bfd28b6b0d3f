"""Units of information: nats (natural log) and bits (log2), and the one place floats change unit.

A :class:`Unit` is a ``str`` enum, so ``Unit.NATS == "nats"`` and JSON shows
the plain name. Converting between units multiplies by the irrational ln 2,
so exact values are never converted: an exact value (an :class:`~boundcalc.profile.MIProfile`,
a bound computed from it, a target ε) carries its unit, and :func:`as_unit` only checks and
normalises the name.

Float engines (``truth/``, the loss curve's estimates) compute in nats and return nats. A float
changes unit in one function, :func:`from_nats` (mpmath's habit: a context, not a parameter),
called by the printers: they show a float in the unit of the exact value it stands next to
(``report.unit``) or, for a float alone, in the display unit of the context, which the CLI sets
once from ``--unit`` (:func:`display`)::

    with units.display("bits"):
        print(estimate.show())        # the estimate, computed in nats, shown in bits

The reverse direction, a float given in a unit into nats (a curve file in bits, a float goal),
is :func:`to_nats`.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from fractions import Fraction
from typing import Any, Iterator

from .errors import UsageError

__all__ = ["Unit", "as_unit", "UNITS", "unit_of_column", "reconcile_unit", "LN2", "from_nats", "to_nats",
           "display", "display_unit", "log_name", "to_nats_floor"]

#: ln 2 in float64: bits = nats / LN2.
LN2 = math.log(2)


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

    @property
    def latex_log(self) -> str:
        """The logarithm of the unit in LaTeX: ``\\ln`` for nats, ``\\log_2`` for bits."""
        return r"\ln" if self is Unit.NATS else r"\log_2"


#: The unit names, in the order shown to users.
UNITS = tuple(unit.value for unit in Unit)

_DISPLAY: ContextVar[Unit] = ContextVar("boundcalc_display_unit", default=Unit.NATS)


@contextmanager
def display(unit: "Unit | str") -> Iterator[Unit]:
    """Show floats in ``unit`` inside the ``with`` block (the printers read it: :func:`display_unit`).

    >>> from boundcalc.exact import Measured
    >>> with display("bits"):
    ...     from_nats(Measured(0.6931471805599453, 1e-16)).decimal()
    '1'
    >>> display_unit()
    <Unit.NATS: 'nats'>
    """
    token = _DISPLAY.set(as_unit(unit))
    try:
        yield _DISPLAY.get()
    finally:
        _DISPLAY.reset(token)


def display_unit() -> Unit:
    """The unit floats are shown in: nats, or what the innermost :func:`display` block says."""
    return _DISPLAY.get()


def from_nats(value: Any, unit: "Unit | str | None" = None) -> Any:
    """A float quantity computed in nats, in ``unit`` (default: the display unit): the one conversion.

    Takes a float (or int), a numpy array, an mpmath number, or a value with its uncertainty
    (:class:`~boundcalc.exact.Measured`, a curve's ``Estimate``: every uncertainty scales too).
    An exact ``Fraction`` is refused: ln 2 is irrational, and an exact value keeps its unit.

    >>> from_nats(1.3862943611198906, "bits"), from_nats(0.5, "nats")
    (2.0, 0.5)
    >>> from_nats(Fraction(1, 2), "bits")
    Traceback (most recent call last):
    ...
    TypeError: Fraction(1, 2) is exact: ln 2 is irrational, so an exact value keeps its unit
    """
    unit = display_unit() if unit is None else as_unit(unit)
    if isinstance(value, Fraction):
        raise TypeError(f"{value!r} is exact: ln 2 is irrational, so an exact value keeps its unit")
    bits = unit is Unit.BITS
    if isinstance(value, (int, float)):  # numpy's float64 too: a plain float comes back
        return float(value) / LN2 if bits else float(value)
    if not bits:
        return value
    if hasattr(value, "scaled"):  # a value with its uncertainty: Measured, Estimate
        return value.scaled(1 / LN2)
    if type(value).__module__.startswith("mpmath"):
        import mpmath

        return value / mpmath.log(2)
    return value / LN2  # a numpy array


def to_nats(value: float, unit: "Unit | str") -> float:
    """A float given in ``unit``, in nats (a curve file in bits, a float goal in bits).

    >>> to_nats(2.0, "bits") == 2 * LN2, to_nats(0.25, "nats")
    (True, 0.25)
    """
    return value if as_unit(unit) is Unit.NATS else value * LN2


def to_nats_floor(value: Fraction, unit: "Unit | str") -> Fraction:
    """An exact value given in ``unit`` (a target ε), in nats rounded down to a multiple of 10^-30: a
    rational never looser than the target asked for (ln 2 to 40 digits; nats come back unchanged).

    >>> to_nats_floor(Fraction(1), "bits")
    Fraction(346573590279972654708616060729, 500000000000000000000000000000)
    >>> to_nats_floor(Fraction(1, 3), "nats")
    Fraction(1, 3)
    """
    if as_unit(unit) is Unit.NATS:
        return Fraction(value)
    import mpmath

    value = Fraction(value)
    with mpmath.workdps(40):
        nats = mpmath.mpf(value.numerator) / value.denominator * mpmath.log(2)
        return Fraction(int(mpmath.floor(nats * 10**30)), 10**30)


def log_name(unit: "Unit | str | None" = None) -> str:
    """The logarithm of ``unit`` (default: the display unit) as formulas write it: "ln" or "log2"."""
    return (display_unit() if unit is None else as_unit(unit)).log_name


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
