"""Mutual-information profiles: I_i = I(X0^(i); X0^(-i)) for each of the L tokens.

An :class:`MIProfile` knows L and the exact total ΣI = I_1 + ... + I_L, which
is all Theorem 1 and Corollary 1 need; when built from per-token values it
also knows each I_i (for the vocabulary check max_i I_i <= log V and for
later per-token work). Three sources, as on the command line:

* per-token values: :meth:`MIProfile.from_values` or :func:`load_profile`
  (``.txt`` one value per line, ``.csv`` one column or ``index,value`` with
  an optional header, ``.json`` a list);
* the same value for every token: :meth:`MIProfile.constant`;
* the total only: :meth:`MIProfile.from_total`.

Values are exact rationals in the profile's ``unit`` ("nats" or "bits");
ε_train and targets must be given in the same unit, since converting between
the two multiplies by the irrational ln 2.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from enum import Enum
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

from .errors import InvalidNumberError, ProfileError, UsageError
from .files import read_text
from .units import UNITS, Unit, as_unit
from .exact import LogLinear, Number, compare_with_log, format_decimal, parse_rational, positive_int, to_rational

__all__ = ["MIProfile", "ProfileKind", "load_profile", "UNITS", "check_unit"]
# Per-token values are materialized as a tuple only up to this many tokens.
MAX_MATERIALIZED_TOKENS = 10_000_000


def check_unit(unit: "Unit | str", param: str = "unit") -> Unit:
    """``unit`` as a :class:`~boundcalc.units.Unit` ("nats" or "bits"), else a ProfileError naming ``param``."""
    try:
        return as_unit(unit, param)
    except UsageError as error:
        raise ProfileError(error.message, param=param, allowed=error.allowed) from None


class ProfileKind(str, Enum):
    """What an :class:`MIProfile` knows: each I_i, one I for every token, or only ΣI."""

    VALUES = "values"
    CONSTANT = "constant"
    TOTAL = "total"

    def __str__(self) -> str:
        return self.value


class _DecimalLines(Sequence):
    """Per-token values kept as the validated text, one decimal per line, converted on access.

    Reading a million-line profile only needs L and ΣI; a million Fractions
    (or even a million line strings) would cost more than everything else.
    """

    def __init__(self, text: str, count: int):
        self._text = text
        self._count = count
        self._lines: list[str] | None = None

    def _split(self) -> list[str]:
        if self._lines is None:
            self._lines = self._text.split("\n")[: self._count]
        return self._lines

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [Fraction(Decimal(x)) for x in self._split()[index]]
        return Fraction(Decimal(self._split()[index]))

    def maximum(self) -> Fraction:
        return Fraction(max(map(Decimal, io.StringIO(self._text))))


@dataclass(frozen=True, eq=False)
class MIProfile:
    """L tokens' mutual informations, exact.

    >>> p = MIProfile.from_values(["0.1", "0.2", "1/3"])
    >>> p.length, p.total
    (3, Fraction(19, 30))
    >>> MIProfile.constant("0.05", length=1024).total
    Fraction(256, 5)
    """

    length: int
    total: Fraction
    unit: Unit = Unit.NATS
    kind: ProfileKind = ProfileKind.VALUES
    source: str = ""
    _values: Sequence[Fraction] | None = field(default=None, repr=False)
    _constant: Fraction | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # the invariants every constructor relies on; the classmethods give friendlier errors first
        object.__setattr__(self, "unit", check_unit(self.unit))
        try:
            object.__setattr__(self, "kind", ProfileKind(self.kind))
        except ValueError:
            raise ProfileError(f"unknown kind {self.kind!r}", param="kind", allowed="values, constant or total") from None
        if isinstance(self.length, bool) or not isinstance(self.length, int) or self.length < 1:
            raise ProfileError(f"{self.length!r} is not allowed", param="length", allowed="a positive integer")
        if not isinstance(self.total, Fraction) or self.total < 0:
            raise ProfileError(f"{self.total!r} is not allowed", param="total", allowed="an exact Fraction >= 0")
        if (self.kind is ProfileKind.VALUES) != (self._values is not None) or (
            self.kind is ProfileKind.CONSTANT
        ) != (self._constant is not None):
            raise ProfileError(f"a {self.kind} profile needs exactly its own data", param="kind")
        if self._values is not None and len(self._values) != self.length:
            raise ProfileError(f"{len(self._values)} values for length {self.length}", param="length")
        if self._constant is not None and self._constant * self.length != self.total:
            raise ProfileError("the total is not length * constant", param="total")

    # -- constructors ---------------------------------------------------------
    @classmethod
    def from_values(cls, values: Iterable[Number], unit: str = "nats", source: str = "values") -> "MIProfile":
        """Per-token values (strings are parsed exactly; each must be finite and >= 0)."""
        unit = check_unit(unit)
        parsed = []
        for i, value in enumerate(values):
            try:
                x = to_rational(value)
            except InvalidNumberError as error:
                raise ProfileError(f"token {i + 1}: {error.message}", param=source, allowed=error.allowed) from None
            if x < 0:
                raise ProfileError(
                    f"token {i + 1} has I = {value}", param=source, allowed="mutual informations are >= 0"
                )
            parsed.append(x)
        if not parsed:
            raise ProfileError("the profile has no values", param=source, allowed="at least one token")
        return cls(len(parsed), sum(parsed, Fraction(0)), unit, ProfileKind.VALUES, source, tuple(parsed))

    @classmethod
    def constant(cls, value: Number, length: Number, unit: "Unit | str" = Unit.NATS) -> "MIProfile":
        """The same I for each of the L tokens (ΣI = L * I)."""
        unit = check_unit(unit)
        x = _nonnegative(value, "value")
        n = positive_int(length, "length")
        return cls(n, x * n, unit, ProfileKind.CONSTANT, "constant", None, x)

    @classmethod
    def from_total(cls, total: Number, length: Number, unit: "Unit | str" = Unit.NATS) -> "MIProfile":
        """Only ΣI is known (per-token values are not).

        >>> MIProfile.from_total("-1", 10)
        Traceback (most recent call last):
        ...
        boundcalc.errors.InvalidNumberError: total: '-1' is negative (mutual information is >= 0)
        """
        unit = check_unit(unit)
        x = _nonnegative(total, "total")
        n = positive_int(length, "length")
        return cls(n, x, unit, ProfileKind.TOTAL, "total")

    @classmethod
    def load(cls, path: str | Path, unit: str = "nats") -> "MIProfile":
        """Read a profile file; see :func:`load_profile`."""
        return load_profile(path, unit)

    # -- views ------------------------------------------------------------------
    @property
    def values(self) -> tuple[Fraction, ...] | None:
        """Each I_i, or None when only ΣI is known."""
        if self.kind == "total":
            return None
        if self.length > MAX_MATERIALIZED_TOKENS:
            raise ProfileError(
                f"{self.length} tokens are too many to list one by one", allowed=f"at most {MAX_MATERIALIZED_TOKENS}"
            )
        if self.kind == "constant":
            return (self._constant,) * self.length  # type: ignore[return-value]
        return tuple(self._values)  # type: ignore[arg-type]

    @cached_property
    def maximum(self) -> Fraction | None:
        """max_i I_i, or None when only ΣI is known."""
        if self.kind == "total":
            return None
        if self.kind == "constant":
            return self._constant
        if isinstance(self._values, _DecimalLines):
            return self._values.maximum()
        return max(self._values)  # type: ignore[arg-type]

    @property
    def mean(self) -> Fraction:
        """ΣI / L."""
        return self.total / self.length

    def require_length(self, length: int | None, param: str = "length") -> "MIProfile":
        """Return self, or raise if ``length`` is given and differs from L."""
        if length is not None and length != self.length:
            raise ProfileError(
                f"{length} disagrees with the profile {self.source}, which has {self.length} values",
                param=param,
                allowed="omit the length, or give the profile's number of tokens",
            )
        return self

    def check_vocabulary(self, vocab_size: int) -> "MIProfile":
        """Check I_i <= log V (I_i <= H(X^(i)) <= log |X|), exactly; return self.

        With only ΣI known the check is ΣI <= L log V. Raises ProfileError
        naming the first offending token.
        """
        v = positive_int(vocab_size, "vocab_size")
        log_name = "ln" if self.unit == "nats" else "log2"
        if self.kind == "total":
            if compare_with_log(self.total / self.length, v, self.unit) > 0:
                raise ProfileError(
                    f"ΣI = {self.total} exceeds L {log_name} V = {self.length} {log_name} {v}",
                    param="total",
                    allowed=f"each I_i <= {log_name} V, so ΣI <= L {log_name} V",
                )
            return self
        assert self.maximum is not None
        if compare_with_log(self.maximum, v, self.unit) <= 0:
            return self
        if self.kind == "constant":
            log_value = LogLinear(Fraction(1), v, Fraction(0), self.unit).decimal(20)
            raise ProfileError(
                f"I = {format_decimal(self.maximum, 20)} exceeds {log_name} {v} = {log_value} {self.unit}",
                param="value",
                allowed=f"I_i <= H(X^(i)) <= {log_name} V for a vocabulary of V = {v}",
            )
        values = self.values or ()
        for i, x in enumerate(values):
            if compare_with_log(x, v, self.unit) > 0:
                log_value = LogLinear(Fraction(1), v, Fraction(0), self.unit).decimal(20)
                raise ProfileError(
                    f"token {i + 1} has I = {format_decimal(x, 20)} > {log_name} {v} = {log_value} {self.unit}",
                    param=self.source,
                    allowed=f"I_i <= H(X^(i)) <= {log_name} V for a vocabulary of V = {v}",
                )
        raise AssertionError("unreachable: the maximum exceeded the bound")  # pragma: no cover


def _nonnegative(value: Number, param: str) -> Fraction:
    x = to_rational(value, param)
    if x < 0:
        raise InvalidNumberError(f"{value!r} is negative", param=param, allowed="mutual information is >= 0")
    return x


# ---------------------------------------------------------------------------
# Files

_FORMATS = ".txt (one value per line), .csv (one column, or index,value with an optional header), .json (a list)"


def load_profile(path: str | Path, unit: str = "nats") -> MIProfile:
    """Read an MI profile file, exactly.

    The format follows the extension: ``.json`` is a list of numbers or
    number strings; ``.csv`` is one column of values, or ``index,value`` rows
    (indices consecutive from 0 or 1) with an optional header; anything else
    is one value per line. Blank lines and ``#`` comments are skipped. Values
    are exact (``0.1`` is 1/10) and must be finite and >= 0. Every problem is
    a :class:`ProfileError` that names the file and, where there is one, the line.
    """
    check_unit(unit)
    path = Path(path)
    name = str(path)
    text = read_text(path, ProfileError, "--mi-profile", _FORMATS)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _from_json(text, name, unit)
    if suffix == ".csv":
        return _from_csv(text, name, unit)
    return _fast_lines(text, name, unit) or _from_lines(text, name, unit)


def _fast_lines(text: str, name: str, unit: str) -> MIProfile | None:
    """Plain non-negative decimals, one per line: summed exactly by the C decimal module.

    Returns None (and the careful line-by-line reader takes over) for anything
    else: signs, fractions, comments, blank lines, non-ASCII, NaN/inf.
    """
    if not text.isascii() or any(ch in text for ch in "-/#,_"):
        return None
    try:
        with localcontext() as ctx:
            ctx.prec = 1000
            ctx.traps[Inexact] = True  # an inexact sum falls back to Fractions
            total = sum(map(Decimal, io.StringIO(text)), Decimal(0))  # a blank line raises: fall back
    except (InvalidOperation, ValueError, ArithmeticError):
        return None
    if not total.is_finite():
        return None
    count = text.count("\n") + (not text.endswith("\n"))
    return MIProfile(count, Fraction(total), unit, "values", name, _DecimalLines(text, count))


def _from_lines(text: str, name: str, unit: str) -> MIProfile:
    values = []
    for number, line in enumerate(text.splitlines(), 1):
        item = line.split("#", 1)[0].strip()
        if item:
            values.append(_value(item, name, f"line {number}"))
    return _finish(values, name, unit)


def _from_csv(text: str, name: str, unit: str) -> MIProfile:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        item = line.split("#", 1)[0].strip()
        if item:
            rows.append((number, [cell.strip() for cell in item.split(",")]))
    if not rows:
        raise ProfileError(f"{name!r} has no values", param="--mi-profile", allowed=_FORMATS)
    width = len(rows[0][1])
    if width not in (1, 2):
        raise ProfileError(
            f"{name}: line {rows[0][0]} has {width} columns", param="--mi-profile", allowed="1 column, or index,value"
        )
    if _is_header(rows[0][1][-1]):
        rows = rows[1:]
        if not rows:
            raise ProfileError(f"{name!r} has a header but no values", param="--mi-profile")
    values, first_index = [], None
    for number, cells in rows:
        where = f"line {number}"
        if len(cells) != width:
            raise ProfileError(
                f"{name}: {where} has {len(cells)} columns, the file has {width}",
                param="--mi-profile",
                allowed="every row index,value" if width == 2 else "one value per row",
            )
        if width == 2:
            index = cells[0]
            try:
                k = parse_rational(index)
            except InvalidNumberError:
                k = Fraction(1, 2)
            if k.denominator != 1:
                raise ProfileError(
                    f"{name}: {where} has index {index!r}", param="--mi-profile", allowed="integer token indices"
                )
            if first_index is None:
                if k not in (0, 1):
                    raise ProfileError(
                        f"{name}: {where}: the first index is {index}",
                        param="--mi-profile",
                        allowed="indices start at 0 or 1",
                    )
                first_index = int(k)
            expected = first_index + len(values)
            if k != expected:
                raise ProfileError(
                    f"{name}: {where} has index {index}, expected {expected}",
                    param="--mi-profile",
                    allowed="consecutive indices, one row per token (no gaps, no repeats)",
                )
        values.append(_value(cells[-1], name, where))
    return _finish(values, name, unit)


def _is_header(cell: str) -> bool:
    try:
        parse_rational(cell)
    except InvalidNumberError:
        return any(ch.isalpha() for ch in cell) and cell.lower() not in ("nan", "inf", "infinity", "-inf")
    return False


def _from_json(text: str, name: str, unit: str) -> MIProfile:
    import json

    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ProfileError(
            f"{name}: invalid JSON at line {error.lineno}: {error.msg}", param="--mi-profile", allowed=_FORMATS
        ) from None
    if isinstance(data, dict) and "values" in data:
        data = data["values"]
    if not isinstance(data, list):
        raise ProfileError(
            f"{name}: expected a JSON list of values", param="--mi-profile", allowed='[0.1, "1/3", ...]'
        )
    values = []
    for i, item in enumerate(data):
        where = f"entry {i + 1}"
        if isinstance(item, bool) or not isinstance(item, (int, Decimal, str)):
            raise ProfileError(
                f"{name}: {where} is {json.dumps(item, default=str)}", param="--mi-profile", allowed="numbers or number strings"
            )
        values.append(_value(str(item) if not isinstance(item, str) else item, name, where))
    return _finish(values, name, unit)


def _value(item: str, name: str, where: str) -> Fraction:
    try:
        x = parse_rational(item)
    except InvalidNumberError as error:
        raise ProfileError(f"{name}: {where}: {error.message}", param="--mi-profile", allowed=error.allowed) from None
    if x < 0:
        raise ProfileError(
            f"{name}: {where} has a negative value {item}", param="--mi-profile", allowed="mutual informations are >= 0"
        )
    return x


def _finish(values: list[Fraction], name: str, unit: str) -> MIProfile:
    if not values:
        raise ProfileError(f"{name!r} has no values", param="--mi-profile", allowed=_FORMATS)
    return MIProfile(len(values), sum(values, Fraction(0)), unit, "values", name, tuple(values))
