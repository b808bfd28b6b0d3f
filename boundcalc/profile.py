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

import os
import re
from dataclasses import dataclass, field
from enum import Enum
from decimal import Context, Decimal, Inexact, InvalidOperation, localcontext
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Generator, Iterable, Iterator, Sequence

from .errors import InvalidNumberError, ProfileError, UsageError
from .files import parse_json, read_text, read_text_chunks
from .units import UNITS, Unit, as_unit, reconcile_unit, unit_of_column
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
    #: the values are float64 results (a file boundcalc profile wrote, or float64 prints: :func:`float_printed`):
    #: ΣI is their exact sum, not the model's
    float_derived: bool = field(default=False, kw_only=True)

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
    def load(cls, path: str | Path, unit: "Unit | str | None" = None) -> "MIProfile":
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
    def prefix_totals(self) -> tuple[Fraction, ...] | None:
        """(0, I_1, I_1 + I_2, ..., ΣI): exact partial sums, read once (a block's ΣI_b is a difference of two; a
        sweep of a blockwise family asks for every block of every T), or None when only ΣI is known.

        >>> MIProfile.from_values(["0.1", "0.2", "1/3"]).prefix_totals
        (Fraction(0, 1), Fraction(1, 10), Fraction(3, 10), Fraction(19, 30))
        """
        values = self.values
        if values is None:
            return None
        out, running = [Fraction(0)], Fraction(0)
        for x in values:
            running += x
            out.append(running)
        return tuple(out)

    @cached_property
    def maximum(self) -> Fraction | None:
        """max_i I_i, or None when only ΣI is known."""
        if self.kind == "total":
            return None
        if self.kind == "constant":
            return self._constant
        if isinstance(self._values, _FileValues):
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
        log_name = self.unit.log_name
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
#
# A profile file is read in chunks of whole lines (about CHUNK bytes), so memory
# does not grow with the file. A chunk of plain decimals -- the form `boundcalc
# profile` writes -- is validated by a few regular-expression scans over the whole
# chunk and converted by the C decimal module in one call per chunk, then summed
# exactly (ΣI is a decimal with as many digits as it needs); any other chunk
# (comments, blank lines, fractions, signs, errors) is read line by line, with
# the line numbers of every message. Per-token values are not kept: the file is
# read again when they are asked for (:class:`_FileValues`).

_FORMATS = ".txt (one value per line), .csv (one column, or index,value with an optional header), .json (a list)"

#: Bytes read at a time (rounded to whole lines).
CHUNK = 1 << 20
# Values longer than this go to the careful reader, which enforces the limits of
# boundcalc.exact (4000 digits, exponents within +-4000).
_PLAIN_WIDTH = 60
_PLAIN_NUMBER = re.compile(r"\+?(?:\d{1,40}(?:\.\d{0,40})?|\.\d{1,40})(?:[eE][-+]?\d{1,3})?")
# the characters of plain chunks; what Decimal accepts beyond parse_rational (signs,
# long exponents) is caught by the scans below
_PLAIN_LINES = re.compile(r"[0-9.eE+\r\n-]*")
_PLAIN_ROWS = re.compile(r"[0-9.eE+,\r\n-]*")
_PLAIN_JSON = re.compile(r"[0-9.eE+, \t\r\n-]*")
# (each pattern starts with a literal, which the regular expression engine finds fast)
_NEGATIVE = re.compile(r"-(?<![eE]-)")
_LONG_EXPONENTS = (re.compile(r"e[-+]?\d{4}"), re.compile(r"E[-+]?\d{4}"))  # >= 1000: the careful reader checks them
# what Decimal accepts and JSON does not: signs, "1.", ".5", leading zeros
_NOT_JSON = (
    _NEGATIVE,
    re.compile(r"\+(?<![eE]\+)"),
    re.compile(r"\.(?:(?<![0-9]\.)|(?![0-9]))"),
    re.compile(r"0(?<![0-9.eE+-]0)[0-9]"),
)
# Exact decimal sums: no rounding ever (the inputs' exponents and digits are bounded).
_EXACT = Context(prec=400_000, Emax=10**7, Emin=-(10**7), traps=[InvalidOperation, Inexact])


def load_profile(path: str | Path, unit: "Unit | str | None" = None) -> MIProfile:
    """Read an MI profile file, exactly.

    The format follows the extension: ``.json`` is a list of numbers or
    number strings; ``.csv`` is one column of values, or ``index,value`` rows
    (indices consecutive from 0 or 1) with an optional header; anything else
    is one value per line. Blank lines and ``#`` comments are skipped. Values
    are exact (``0.1`` is 1/10) and must be finite and >= 0. Every problem is
    a :class:`ProfileError` that names the file and, where there is one, the line.

    The file is streamed: memory does not grow with its size, and the
    per-token values (:attr:`MIProfile.values`, :attr:`MIProfile.maximum`) are
    read again from the file when asked for.

    Units are data: a CSV header ``index,mi_bits`` (as ``boundcalc profile``
    writes) records the unit, and ``unit`` must agree with it; a file that
    records none is read in ``unit`` (default nats).
    """
    if unit is not None:
        check_unit(unit)
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    kind = "json" if suffix == ".json" else "csv" if suffix == ".csv" else "txt"
    count, total, kind, printed = _read_total(path, name, kind)
    recorded, marked = _preamble(path, name) if kind != "json" and kind != "json-loaded" else (None, False)
    float_derived = marked or printed
    unit = reconcile_unit(recorded, unit, name)
    values = _FileValues(path, name, kind, count)
    return MIProfile(count, total, unit, ProfileKind.VALUES, name, values, float_derived=float_derived)


#: A comment that marks a file's values as float64 results (boundcalc profile writes it first).
FLOAT_MARK = "# float64 values"
#: What a display says of a profile whose values are float64 prints (marked, or :func:`float_printed`).
FLOAT_PRINTED = "float64 values, exact as written: decisions exact for them, not for the values they rounded"


def _preamble(path: Path, name: str) -> tuple[Unit | None, bool]:
    """(the unit a CSV header records, e.g. ``index,mi_nats``; whether the file marks its values as float64)."""
    float_derived = False
    for chunk in _read_chunks(path, name):
        for line in chunk.splitlines():
            float_derived = float_derived or line.startswith(FLOAT_MARK)
            item = line.split("#", 1)[0].strip()
            if item:
                header = _parse_header([cell.strip() for cell in item.split(",")])
                return (None if header is None else unit_of_column(header[-1])), float_derived
    return None, float_derived


def _batches(path: Path, name: str, kind: str) -> Iterator[list]:
    """The values of a profile file in order, a chunk at a time (Decimals and Fractions)."""
    if kind == "json":
        return _json_batches(path, name)
    if kind == "json-loaded":
        return _json_loaded_batches(path, name)
    return _TableReader(name, csv=kind == "csv").batches(_read_chunks(path, name))


def _read_total(path: Path, name: str, kind: str) -> tuple[int, Fraction, str, bool]:
    """(L, ΣI exactly, the kind to read the values again with, whether the values look float64-printed)."""
    try:
        count, total, printed = _sum_batches(_batches(path, name, kind))
    except _NotPlainJSON:
        kind = "json-loaded"
        count, total, printed = _sum_batches(_batches(path, name, kind))
    return count, total, kind, printed


#: How many values :func:`float_printed` looks at: files are written by one program, so their first values
#: say how (and the check stays a small fraction of reading a large file).
FLOAT_PRINT_SAMPLE = 10_000


def float_printed(value: Decimal) -> bool:
    """Whether a decimal as written is the print of a float64: 15 to 17 significant digits that read back as a
    float64 printing the same digits (``repr``, ``%.17g``, numpy's ``savetxt``). A person rarely types 15 digits;
    a float64 print always has them. The value stays exact: this only says what its last digits mean.

    >>> float_printed(Decimal("0.30000000000000004")), float_printed(Decimal("0.1")), float_printed(Decimal("0.12345678901234567"))
    (True, False, False)
    """
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return False
    significant = len(digits) - next((i for i, d in enumerate(digits) if d), len(digits))
    if not 15 <= significant <= 17:
        return False
    return Decimal(f"{float(value):.{significant}g}") == value


def _sum_batches(batches: Iterable[list]) -> tuple[int, Fraction, bool]:
    """(L, ΣI exactly, whether one of the first FLOAT_PRINT_SAMPLE values is a float64 print)."""
    count, decimal_total, fraction_total, printed = 0, Decimal(0), Fraction(0), False
    with localcontext(_EXACT):
        for batch in batches:
            if not printed and count < FLOAT_PRINT_SAMPLE:
                printed = any(type(x) is Decimal and float_printed(x) for x in batch[: FLOAT_PRINT_SAMPLE - count])
            count += len(batch)
            try:
                decimal_total = sum(batch, decimal_total)  # a plain chunk: all Decimals
            except TypeError:  # Decimals and Fractions
                for x in batch:
                    if type(x) is Decimal:
                        decimal_total += x
                    else:
                        fraction_total += x
    return count, Fraction(decimal_total) + fraction_total, printed


class _FileValues(Sequence):
    """The per-token values of a profile file, read again from the file on each pass.

    Refuses (ProfileError) if the file changed since it was first read.
    """

    def __init__(self, path: Path, name: str, kind: str, count: int):
        self._path, self._name, self._kind, self._count = path, name, kind, count
        self._stamp = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self._path)
        except OSError:
            return None
        return stat.st_size, stat.st_mtime_ns

    def _passes(self) -> Iterator[list]:
        if self._stat() != self._stamp:
            raise ProfileError(
                "the file changed since it was read", param=self._name, allowed="read the profile again"
            )
        return _batches(self._path, self._name, self._kind)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Fraction]:
        for batch in self._passes():
            for x in batch:
                yield Fraction(x)

    def __getitem__(self, index):
        import itertools

        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("profile index out of range")
        return next(itertools.islice(iter(self), index, None))

    def maximum(self) -> Fraction:
        return Fraction(max(max(batch) for batch in self._passes() if batch))


def _read_chunks(path: Path, name: str, separator: bytes = b"\n") -> Iterator[str]:
    """The file in chunks of whole lines (or whole ``separator``-ended pieces), with read_text's checks."""
    return read_text_chunks(path, ProfileError, name, _FORMATS, size=CHUNK, separator=separator)


def _long_exponent(chunk: str) -> bool:
    return any(letter in chunk and pattern.search(chunk) for letter, pattern in zip("eE", _LONG_EXPONENTS))


def _plain_decimals(values: list[str], chunk: str) -> list[Decimal] | None:
    """``values`` as Decimals if every one is a plain non-negative decimal (a few scans of ``chunk``), else None."""
    if not values or max(map(len, values)) > _PLAIN_WIDTH:
        return None
    if "-" in chunk and _NEGATIVE.search(chunk):
        return None
    if _long_exponent(chunk):
        return None
    try:
        return list(map(Decimal, values))  # exact; a malformed value raises
    except (InvalidOperation, ValueError):
        return None


_HEADER_CELL = re.compile(r"[A-Za-z_][A-Za-z0-9_ ()]*", re.ASCII)


def _parse_header(cells: Sequence[str]) -> tuple[str, ...] | None:
    """The header of a CSV profile, if its first row ``cells`` is one (else None).

    A row is a header when its last cell is a word rather than a number
    (``index,mi_nats``). This is the one place that reads a header.
    """
    # a name such as mi_nats, "I (bits)" or value: a typo in a first value ("O.5") is not a header
    if all(_HEADER_CELL.fullmatch(cell.strip()) for cell in cells) and cells[-1].strip().lower() not in (
        "nan", "inf", "infinity",
    ):
        return tuple(cells)
    return None


class _TableReader:
    """The state of reading a ``.txt`` or ``.csv`` profile, chunk after chunk.

    ``.txt``: one value per line. ``.csv``: the first row fixes the width (one
    column, or index,value) and may be a header (:func:`_parse_header`); indices
    are consecutive from 0 or 1.
    """

    def __init__(self, name: str, csv: bool):
        self.name, self.csv = name, csv
        self.line = 0  # lines read so far
        self.count = 0  # values read so far
        self.width: int | None = None if csv else 1
        self.header: tuple[str, ...] | None = None
        self.first_index: int | None = None

    def batches(self, chunks: Iterable[str]) -> Iterator[list]:
        for chunk in chunks:
            if self.csv and (self.width is None or (self.width == 2 and self.first_index is None)):
                chunk = yield from self._start(chunk)
                if not chunk:
                    continue
            batch = self._plain(chunk)
            if batch is None:
                batch = self._careful(chunk)
            else:
                self.line += chunk.count("\n") + (not chunk.endswith("\n"))
            self.count += len(batch)
            yield batch
        if self.count == 0:
            if self.header is not None:
                raise ProfileError("the file has a header but no values", param=self.name)
            raise ProfileError("the file has no values", param=self.name, allowed=_FORMATS)

    def _start(self, chunk: str) -> Generator[list, None, str]:
        """Read the first lines carefully until the first value; return the rest of the chunk."""
        position = 0
        while position < len(chunk) and (self.width is None or (self.width == 2 and self.first_index is None)):
            end = chunk.find("\n", position) + 1 or len(chunk)
            batch = self._careful(chunk[position:end])
            position = end
            if batch:
                self.count += len(batch)
                yield batch
        return chunk[position:]

    def _plain(self, chunk: str) -> list[Decimal] | None:
        """The chunk's values if it is plain rows (one decimal, or index,decimal with the expected indices)."""
        if self.width == 1:
            if not _PLAIN_LINES.fullmatch(chunk):
                return None
            values = chunk.split("\n")
            if values[-1] == "":
                values.pop()
            return _plain_decimals(values, chunk)
        if not _PLAIN_ROWS.fullmatch(chunk):
            return None
        parts = chunk.replace("\n", ",").split(",")
        if parts[-1] == "":
            parts.pop()
        if len(parts) % 2:
            return None
        indices, values = parts[0::2], parts[1::2]
        start = self.first_index + self.count  # type: ignore[operator]
        if indices != list(map(str, range(start, start + len(indices)))):
            return None
        return _plain_decimals(values, chunk)

    def _careful(self, chunk: str) -> list:
        """Line by line, with every check and message of the format."""
        name, batch = self.name, []
        for line in chunk.splitlines():
            self.line += 1
            item = line.split("#", 1)[0].strip()
            if not item:
                continue
            where = f"line {self.line}"
            if not self.csv:
                batch.append(_exact_value(item, name, where))
                continue
            cells = [cell.strip() for cell in item.split(",")]
            if self.width is None:
                if len(cells) not in (1, 2):
                    raise ProfileError(
                        f"{where} has {len(cells)} columns", param=self.name, allowed="1 column, or index,value"
                    )
                self.width = len(cells)
                self.header = _parse_header(cells)
                if self.header is not None:
                    continue
            if len(cells) != self.width:
                raise ProfileError(
                    f"{where} has {len(cells)} columns, the file has {self.width}",
                    param=self.name,
                    allowed="every row index,value" if self.width == 2 else "one value per row",
                )
            if self.width == 2:
                self._check_index(cells[0], where, self.count + len(batch))
            batch.append(_exact_value(cells[-1], name, where))
        return batch

    def _check_index(self, index: str, where: str, position: int) -> None:
        try:
            k = parse_rational(index)
        except InvalidNumberError:
            k = Fraction(1, 2)
        if k.denominator != 1:
            raise ProfileError(f"{where} has index {index!r}", param=self.name, allowed="integer token indices")
        if self.first_index is None:
            if k not in (0, 1):
                raise ProfileError(
                    f"{where}: the first index is {index}", param=self.name, allowed="indices start at 0 or 1"
                )
            self.first_index = int(k)
        expected = self.first_index + position
        if k != expected:
            raise ProfileError(
                f"{where} has index {index}, expected {expected}",
                param=self.name,
                allowed="consecutive indices, one row per token (no gaps, no repeats)",
            )


class _NotPlainJSON(Exception):
    """The JSON file is not a plain list of decimals: read it whole (:func:`_json_loaded_batches`)."""


_JSON_OPEN = re.compile(r'[ \t\r\n]*(?:\[|\{[ \t\r\n]*"values"[ \t\r\n]*:[ \t\r\n]*\[)')
_JSON_CLOSE = re.compile(r"\][ \t\r\n]*\Z")
_JSON_CLOSE_OBJECT = re.compile(r"\][ \t\r\n]*\}[ \t\r\n]*\Z")


def _json_batches(path: Path, name: str) -> Iterator[list]:
    """A JSON list of plain decimals (or ``{"values": [...]}``), streamed; raises _NotPlainJSON for anything else."""
    chunks = _read_chunks(path, name, b",")
    close = None
    previous: str | None = None
    count = 0
    for chunk in chunks:
        if close is None:
            opening = _JSON_OPEN.match(chunk)
            if not opening:
                raise _NotPlainJSON
            close = _JSON_CLOSE if opening.group().endswith("[") and "{" not in opening.group() else _JSON_CLOSE_OBJECT
            chunk = chunk[opening.end() :]
        if previous is not None:
            batch = _json_decimals(previous, last=False)
            count += len(batch)
            yield batch
        previous = chunk
    if previous is None or close is None:
        raise _NotPlainJSON
    ending = close.search(previous)
    if not ending:
        raise _NotPlainJSON
    batch = _json_decimals(previous[: ending.start()], last=True)
    count += len(batch)
    if count == 0:
        raise _NotPlainJSON  # the careful reader has the message
    yield batch


def _json_decimals(chunk: str, last: bool) -> list[Decimal]:
    if not _PLAIN_JSON.fullmatch(chunk) or any(p.search(chunk) for p in _NOT_JSON) or _long_exponent(chunk):
        raise _NotPlainJSON
    items = chunk.split(",")
    if not last:
        items.pop()  # the chunk ends with a comma
    decimals = _plain_decimals(items, "")
    if decimals is None:
        raise _NotPlainJSON
    return decimals


def _json_loaded_batches(path: Path, name: str) -> Iterator[list]:
    """Any JSON profile, parsed whole (numbers with a fraction or exponent read as written)."""
    import json

    text = read_text(path, ProfileError, name, _FORMATS)
    data = parse_json(text, ProfileError, name, parse_float=Decimal)
    del text
    if isinstance(data, dict) and "values" in data:
        data = data["values"]
    if not isinstance(data, list):
        raise ProfileError(
            "expected a JSON list of values", param=name, allowed='[0.1, "1/3", ...]'
        )
    if not data:
        raise ProfileError("the file has no values", param=name, allowed=_FORMATS)
    batch: list = []
    for i, item in enumerate(data):
        where = f"entry {i + 1}"
        if isinstance(item, bool) or not isinstance(item, (int, Decimal, str)):
            raise ProfileError(
                f"{where} is {json.dumps(item, default=str)}", param=name, allowed="numbers or number strings"
            )
        batch.append(_exact_value(str(item) if not isinstance(item, str) else item, name, where))
        if len(batch) >= 65536:
            yield batch
            batch = []
    yield batch


def _exact_value(item: str, name: str, where: str) -> Decimal | Fraction:
    """One value, exactly: a Decimal when it is a plain decimal, else a Fraction (with the checks of :func:`_value`)."""
    if _PLAIN_NUMBER.fullmatch(item):
        return Decimal(item)
    return _value(item, name, where)


def _value(item: str, name: str, where: str) -> Fraction:
    try:
        x = parse_rational(item)
    except InvalidNumberError as error:
        raise ProfileError(f"{where}: {error.message}", param=name, allowed=error.allowed) from None
    if x < 0:
        raise ProfileError(
            f"{where} has a negative value {item}", param=name, allowed="mutual informations are >= 0"
        )
    return x
