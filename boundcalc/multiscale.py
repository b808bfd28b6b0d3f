"""Theorem 2's multi-scale profile: a value object, its file formats and the level sizes.

For S a power of two and j = 0, 1, ..., J = log2 S let W_j^(-i) be a uniformly
random subset of [L] \\ {i} of size m_j = L - S/2^j (so m_J = L - 1), and

    Φ = Σ_i Σ_{j=0}^{J} 2^-j E[I(X^(i); X∘W_j^(-i))] = Σ_j 2^-j G(m_j),
    G(m) = Σ_i E[I(X^(i); X∘A)] over uniform m-sets A ∌ i.

A :class:`MultiScaleProfile` holds the per-token values E[I(X^(i); X∘W_j)]
(exact rationals, from a file or computed from a data model by
:func:`boundcalc.truth.multiscale_from_model`), or only their level totals.
The bounds of Theorem 2 that use it are in :mod:`boundcalc.bounds`; a level
whose set size m_j would be negative (S > L) has the empty set, value 0.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .errors import InvalidNumberError, ProfileError
from .exact import Number, ceil_log2, nonnegative_rational, parse_rational, plain_decimal, to_rational
from .files import parse_json, read_text
from .units import Unit, as_unit, reconcile_unit, unit_of_column

if TYPE_CHECKING:  # pragma: no cover
    from .profile import MIProfile

__all__ = ["MultiScaleProfile", "level_sizes", "load_multiscale"]

_FORMATS = (
    "CSV rows token,level,value (tokens 1..L or 0..L-1, levels j = 0..J, every pair once, optional header), "
    'or JSON {"values": [[level 0, ..., level J] per token]}'
)


def level_sizes(length: int, s_max: int) -> tuple[int, list[int]]:
    """(S, [m_0, ..., m_J]): S = 2^ceil(log2 s_max) and the set sizes m_j = L - S/2^j (negative -> no set).

    >>> level_sizes(16, 4)
    (4, [12, 14, 15])
    >>> level_sizes(5, 5)
    (8, [-3, 1, 3, 4])
    """
    big_s = 1 << ceil_log2(s_max)
    return big_s, [length - (big_s >> j) for j in range(ceil_log2(s_max) + 1)]


@dataclass(frozen=True, eq=False)
class MultiScaleProfile:
    """Per token i and level j = 0..J, the value E[I(X^(i); X∘W_j)] with |W_j| = L - S/2^j, exact.

    ``scale`` is S = 2^J, the largest step size the levels cover (a schedule's
    s_max is at most S). ``values`` is None when only the level totals are known.

    >>> ms = MultiScaleProfile.from_values([["0", "1/2"], ["0", "1/4"], ["1/8", "1/2"]], scale=2)
    >>> ms.length, ms.scale, ms.set_sizes, ms.level_totals, ms.phi
    (3, 2, [1, 2], (Fraction(1, 8), Fraction(5, 4)), Fraction(3, 4))
    """

    length: int
    scale: int
    level_totals: tuple[Fraction, ...]
    values: tuple[tuple[Fraction, ...], ...] | None = None
    unit: Unit = Unit.NATS
    source: str = ""
    #: how many per-token values a float computation had to raise by an ulp to keep them non-decreasing in j
    float_repairs: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", as_unit(self.unit))
        if isinstance(self.length, bool) or not isinstance(self.length, int) or self.length < 1:
            raise ProfileError(f"length {self.length!r}", param="length", allowed="a positive integer")
        if isinstance(self.scale, bool) or not isinstance(self.scale, int) or self.scale < 1 or self.scale & (self.scale - 1):
            raise ProfileError(f"scale S = {self.scale!r}", param="scale", allowed="a power of two 1, 2, 4, ...")
        totals = tuple(self.level_totals)
        if len(totals) != self.scale.bit_length() or not all(isinstance(x, Fraction) for x in totals):
            raise ProfileError(
                f"{len(totals)} level totals for S = {self.scale}",
                param="level_totals",
                allowed=f"log2 S + 1 = {self.scale.bit_length()} exact values",
            )
        _, sizes = level_sizes(self.length, self.scale)
        for j, (m, x) in enumerate(zip(sizes, totals)):
            if x < 0 or (j and x < totals[j - 1]):
                raise ProfileError(f"level {j} total {x}", param="level_totals", allowed="values >= 0, non-decreasing in j")
            if m <= 0 and x != 0:
                raise ProfileError(f"level {j} has an empty set but total {x}", param="level_totals", allowed="0")
        if self.values is not None and (
            len(self.values) != self.length or any(len(row) != len(totals) for row in self.values)
        ):
            raise ProfileError("per-token values do not match L and the levels", param="values")
        if isinstance(self.float_repairs, bool) or not isinstance(self.float_repairs, int) or self.float_repairs < 0:
            raise ProfileError(f"float_repairs {self.float_repairs!r}", param="float_repairs", allowed="an integer >= 0")

    # -- constructors -------------------------------------------------------
    @classmethod
    def from_values(
        cls,
        values: Sequence[Sequence[Number]],
        *,
        scale: int | None = None,
        unit: "Unit | str" = Unit.NATS,
        source: str = "values",
        float_repairs: int = 0,
    ) -> "MultiScaleProfile":
        """Per-token rows [level 0, ..., level J]; S = 2^J (checked against ``scale`` if given).

        Validation: every value finite and >= 0, non-decreasing in j (larger
        sets never carry less information), and 0 at levels whose set is empty.
        Errors name ``source`` (a file, or "values").
        """
        unit = as_unit(unit)
        rows = [list(row) for row in values]
        if not rows:
            raise ProfileError("the multi-scale profile has no tokens", param=source, allowed=_FORMATS)
        width = len(rows[0])
        if width < 1:
            raise ProfileError("the multi-scale profile has no levels", param=source, allowed=_FORMATS)
        big_s = 1 << (width - 1)
        if scale is not None and scale != big_s:
            raise ProfileError(
                f"{width} levels (j = 0..{width - 1}) mean S = {big_s}, not {scale}",
                param=source,
                allowed="J + 1 levels for S = 2^J",
            )
        _, sizes = level_sizes(len(rows), big_s)
        exact_rows = tuple(_exact_row(i, row, width, sizes, source) for i, row in enumerate(rows))
        totals = tuple(sum((row[j] for row in exact_rows), Fraction(0)) for j in range(width))
        return cls(len(rows), big_s, totals, exact_rows, unit, source, float_repairs)

    @classmethod
    def from_level_totals(
        cls, totals: Sequence[Number], length: int, *, unit: "Unit | str" = Unit.NATS, source: str = "level totals"
    ) -> "MultiScaleProfile":
        """Only the sums G(m_j) = Σ_i E[I(X^(i); X∘W_j)] per level (all Φ needs)."""
        exact = tuple(nonnegative_rational(x, "totals") for x in totals)
        if not exact:
            raise ProfileError("no levels", param="totals", allowed=_FORMATS)
        for j in range(1, len(exact)):
            if exact[j] < exact[j - 1]:
                raise ProfileError(f"level {j} total is below level {j - 1}", param="totals", allowed="non-decreasing in j")
        return cls(length, 1 << (len(exact) - 1), exact, None, as_unit(unit), source)

    @property
    def max_size(self) -> int:
        """Deprecated name of :attr:`scale` (S, not a schedule's s_max)."""
        return self.scale

    # -- derived ------------------------------------------------------------------
    @property
    def levels(self) -> int:
        """J + 1, the number of levels."""
        return len(self.level_totals)

    @property
    def set_sizes(self) -> list[int]:
        """m_j = L - S/2^j for j = 0..J (values <= 0 mean the empty set)."""
        return level_sizes(self.length, self.scale)[1]

    @functools.cached_property  # every bound in Φ asks for it, once per row of a sweep (the fields are frozen)
    def phi(self) -> Fraction:
        """Φ = Σ_j 2^-j Σ_i E[I(X^(i); X∘W_j)]."""
        return sum((Fraction(total, 1 << j) for j, total in enumerate(self.level_totals)), Fraction(0))

    def check_against(self, profile: "MIProfile") -> "MultiScaleProfile":
        """Check L and that every value is at most I_i (I(X^(i); X∘W) <= I(X^(i); X^(-i))); return self."""
        if profile.length != self.length:
            raise ProfileError(
                f"the multi-scale profile has {self.length} tokens, the MI profile {profile.length}", param="multiscale"
            )
        if profile.unit != self.unit:
            raise ProfileError(f"units differ: {self.unit} and {profile.unit}", param="multiscale")
        values = profile.values
        if values is not None and self.values is not None:
            for i, (row, bound) in enumerate(zip(self.values, values)):
                if row[-1] > bound:
                    raise ProfileError(
                        f"token {i + 1}: {row[-1]} at level {self.levels - 1} exceeds I_{i + 1} = {bound}",
                        param="multiscale",
                        allowed="E I(X^(i); X∘W) <= I(X^(i); X^(-i))",
                    )
        elif self.level_totals[-1] > profile.total:
            raise ProfileError(
                f"the last level sums to {self.level_totals[-1]}, more than ΣI = {profile.total}", param="multiscale"
            )
        return self

    def to_csv(self) -> str:
        """The CSV form ``token,level,value_<unit>`` (tokens from 1; the header records the unit),
        readable by :func:`load_multiscale`."""
        if self.values is None:
            raise ProfileError("only level totals are known; per-token values are needed for the CSV form")
        out = io.StringIO()
        out.write(f"token,level,value_{self.unit.value}\n")
        for i, row in enumerate(self.values, 1):
            for j, x in enumerate(row):
                out.write(f"{i},{j},{plain_decimal(x)}\n")
        return out.getvalue()


def load_multiscale(path: str | Path, unit: "Unit | str | None" = None) -> MultiScaleProfile:
    """Read a multi-scale profile: CSV ``token,level,value`` rows or JSON ``{"values": [[...], ...]}``.

    Every (token, level) pair must appear exactly once, tokens consecutive
    from 0 or 1, levels 0..J; errors name the file and line. The unit is the
    one the file records (a header ``token,level,value_bits``, or JSON
    ``"unit"``); ``unit`` must agree with it, and is used when the file records none.
    """
    path = Path(path)
    name = str(path)
    text = read_text(path, ProfileError, name, _FORMATS)
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        return _multiscale_json(text, name, unit)
    return _multiscale_csv(text, name, unit)


def _multiscale_json(text: str, name: str, unit: "Unit | str | None") -> MultiScaleProfile:
    from decimal import Decimal

    data = parse_json(text, ProfileError, name, parse_float=Decimal)
    scale, recorded = None, None
    if isinstance(data, dict):
        scale = data.get("max_mask_size")
        if data.get("unit") is not None:
            recorded = as_unit(str(data["unit"]), name)
        data = data.get("values")
    unit = reconcile_unit(recorded, unit, name)
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise ProfileError("expected a list of per-token lists", param=name, allowed=_FORMATS)
    rows = [[x if isinstance(x, str) else str(x) for x in row] for row in data]
    for i, row in enumerate(data):
        for j, x in enumerate(row):
            if isinstance(x, bool) or not isinstance(x, (int, Decimal, str)):
                raise ProfileError(f"token {i + 1}, level {j} is {x!r}", param=name, allowed="numbers")
    return MultiScaleProfile.from_values(rows, scale=scale, unit=unit, source=name)


def _multiscale_csv(text: str, name: str, requested: "Unit | str | None") -> MultiScaleProfile:
    cells: dict[tuple[int, int], tuple[str, int]] = {}
    first, recorded = True, None
    for number, line in enumerate(text.splitlines(), 1):
        item = line.split("#", 1)[0].strip()
        if not item:
            continue
        row = [c.strip() for c in next(csv.reader([item]))]
        if first and row and not _is_number(row[0]):
            first = False
            recorded = unit_of_column(row[-1])
            continue  # header
        first = False
        if len(row) != 3:
            raise ProfileError(f"line {number} has {len(row)} columns", param=name, allowed="token,level,value")
        token, level = (_index(row[k], name, number, what) for k, what in ((0, "token"), (1, "level")))
        if (token, level) in cells:
            raise ProfileError(
                f"line {number} repeats token {token}, level {level} (first on line {cells[(token, level)][1]})",
                param=name,
            )
        cells[(token, level)] = (row[2], number)
    if not cells:
        raise ProfileError("the file has no values", param=name, allowed=_FORMATS)
    tokens = sorted({t for t, _ in cells})
    levels = sorted({j for _, j in cells})
    if tokens[0] not in (0, 1) or tokens != list(range(tokens[0], tokens[0] + len(tokens))):
        raise ProfileError("tokens are not consecutive from 0 or 1", param=name, allowed=_FORMATS)
    if levels != list(range(len(levels))):
        missing = _first_gaps(levels)  # never range(max level): a level may be 10^18
        raise ProfileError(f"level(s) {missing} are missing", param=name, allowed="levels 0..J, each for every token")
    rows = []
    for t in tokens:
        row = []
        for j in levels:
            if (t, j) not in cells:
                raise ProfileError(f"token {t} has no level {j}", param=name, allowed="every level for every token")
            value, number = cells[(t, j)]
            try:
                parse_rational(value)
                row.append(value)  # the text itself, so later messages quote it
            except InvalidNumberError as error:
                raise ProfileError(f"line {number}: {error.message}", param=name, allowed=error.allowed) from None
        rows.append(row)
    return MultiScaleProfile.from_values(rows, unit=reconcile_unit(recorded, requested, name), source=name)


def _first_gaps(levels: list[int], shown: int = 5) -> str:
    """The first missing levels of the sorted ``levels`` (which should be 0..J), e.g. ``[2, 3, ..., 999999]``."""
    gaps, expected = [], 0
    for level in levels:
        if level > expected:
            gaps.append(str(expected) if level == expected + 1 else f"{expected}..{level - 1}")
            if len(gaps) == shown:
                break
        expected = level + 1
    return "[" + ", ".join(gaps) + "]"


def _is_number(text: str) -> bool:
    try:
        parse_rational(text)
    except InvalidNumberError:
        return False
    return True


def _index(text: str, name: str, number: int, what: str) -> int:
    try:
        value = parse_rational(text)
    except InvalidNumberError:
        value = Fraction(-1)
    if value.denominator != 1 or value < 0:
        raise ProfileError(f"line {number} has {what} {text!r}", param=name, allowed=f"integer {what}s >= 0")
    return int(value)


def _exact_row(i: int, row: list, width: int, sizes: list[int], source: str) -> tuple[Fraction, ...]:
    """Token i's levels, exact, with the checks of :meth:`MultiScaleProfile.from_values`."""
    if len(row) != width:
        raise ProfileError(
            f"token {i + 1} has {len(row)} levels, token 1 has {width}", param=source, allowed="the same levels for every token"
        )
    exact: list[Fraction] = []
    for j, value in enumerate(row):
        try:
            x = to_rational(value)
        except InvalidNumberError as error:
            raise ProfileError(f"token {i + 1}, level {j}: {error.message}", param=source, allowed=error.allowed) from None
        if x < 0:
            raise ProfileError(f"token {i + 1}, level {j} has value {value}", param=source, allowed="values are >= 0")
        if sizes[j] <= 0 and x != 0:
            raise ProfileError(
                f"token {i + 1}, level {j} has value {value}, but its set W_j is empty (L - S/2^j = {sizes[j]})",
                param=source,
                allowed="0 at levels with no conditioning set",
            )
        if exact and x < exact[-1]:
            raise ProfileError(
                f"token {i + 1}: level {j} ({value}) is below level {j - 1} ({row[j - 1]})",
                param=source,
                allowed="values never decrease with the set size L - S/2^j (larger j, larger set)",
            )
        exact.append(x)
    return tuple(exact)
