"""Theorem 2 (eqs. 12-13): the multi-scale MI Φ and explicit constants C2 = 1, C3 = 1/16.

For S a power of two and j = 0, 1, ..., J = log2 S let W_j^(-i) be a uniformly
random subset of [L] \\ {i} of size m_j = L - S/2^j (so m_J = L - 1), and

    Φ = Σ_i Σ_{j=0}^{J} 2^-j E[I(X^(i); X∘W_j^(-i))] = Σ_j 2^-j G(m_j),
    G(m) = Σ_i E[I(X^(i); X∘A)] over uniform m-sets A ∌ i.

* Upper (12), every schedule with s_max <= S, for any power of two S >= s_max
  (the profile's; 2^ceil(log2 s_max) is the tightest):
  E_M KL <= C2 · S/L · Φ + ε_train with **C2 = 1**, the best possible.
* Lower (13), the paper's random schedule (sizes iid uniform on {S, S/2}, S >= 2):
  E_schedule E_M KL >= C3 · S/L · Φ + ε_train with **C3 = 1/16**, the best
  constant valid for every S.

docs/theory.md, section 9 derives both from the exact error identity; a level
whose set size m_j would be negative (S > L) has the empty set, value 0.
A :class:`MultiScaleProfile` holds the per-token values E[I(X^(i); X∘W_j)]
(exact rationals, from a file or computed from a data model by
:func:`multiscale_from_model`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .errors import DomainError, InvalidNumberError, ProfileError, ScheduleError
from .files import read_text
from .exact import Number, ceil_log2, nonnegative_rational, number_json, parse_rational, to_rational
from .profile import check_unit

if TYPE_CHECKING:  # pragma: no cover
    from .profile import MIProfile
    from .schedule import Schedule

__all__ = [
    "C2",
    "C3",
    "MultiScaleProfile",
    "level_sizes",
    "load_multiscale",
    "multiscale_from_model",
    "theorem2_upper",
    "theorem2_lower",
    "expected_random_error",
    "random_schedule_distribution",
]

#: Explicit constant of the upper bound (12) (docs/theory.md, section 9).
C2 = Fraction(1)
#: Explicit constant of the lower bound (13) for the random schedule (docs/theory.md, section 9).
C3 = Fraction(1, 16)

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

    >>> ms = MultiScaleProfile.from_values([["0", "1/2"], ["0", "1/4"], ["1/8", "1/2"]], max_size=2)
    >>> ms.length, ms.max_size, ms.set_sizes, ms.level_totals, ms.phi
    (3, 2, [1, 2], (Fraction(1, 8), Fraction(5, 4)), Fraction(3, 4))
    """

    length: int
    max_size: int
    values: tuple[tuple[Fraction, ...], ...] | None
    level_totals: tuple[Fraction, ...]
    unit: str = "nats"
    source: str = ""
    notes: dict = field(default_factory=dict, compare=False)

    # -- constructors -------------------------------------------------------
    @classmethod
    def from_values(
        cls, values: Sequence[Sequence[Number]], max_size: int | None = None, unit: str = "nats", source: str = "values"
    ) -> "MultiScaleProfile":
        """Per-token rows [level 0, ..., level J]; S = 2^J (checked against ``max_size`` if given).

        Validation: every value finite and >= 0, non-decreasing in j (larger
        sets never carry less information), and 0 at levels whose set is empty.
        """
        check_unit(unit)
        rows = [list(row) for row in values]
        if not rows:
            raise ProfileError("the multi-scale profile has no tokens", param=source, allowed=_FORMATS)
        width = len(rows[0])
        if width < 1:
            raise ProfileError("the multi-scale profile has no levels", param=source, allowed=_FORMATS)
        big_s = 1 << (width - 1)
        if max_size is not None and max_size != big_s:
            raise ProfileError(
                f"{width} levels (j = 0..{width - 1}) mean s_max = {big_s}, not {max_size}",
                param=source,
                allowed="J + 1 levels for s_max = 2^J",
            )
        length = len(rows)
        _, sizes = level_sizes(length, big_s)
        exact_rows = []
        for i, row in enumerate(rows):
            if len(row) != width:
                raise ProfileError(
                    f"token {i + 1} has {len(row)} levels, token 1 has {width}", param=source, allowed="the same levels for every token"
                )
            exact = []
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
            exact_rows.append(tuple(exact))
        totals = tuple(sum((row[j] for row in exact_rows), Fraction(0)) for j in range(width))
        return cls(length, big_s, tuple(exact_rows), totals, unit, source)

    @classmethod
    def from_level_totals(
        cls, totals: Sequence[Number], length: int, unit: str = "nats", source: str = "level totals"
    ) -> "MultiScaleProfile":
        """Only the sums G(m_j) = Σ_i E[I(X^(i); X∘W_j)] per level (all Φ needs)."""
        check_unit(unit)
        exact = [nonnegative_rational(x, source) for x in totals]
        if not exact:
            raise ProfileError("no levels", param=source, allowed=_FORMATS)
        big_s = 1 << (len(exact) - 1)
        _, sizes = level_sizes(length, big_s)
        for j in range(1, len(exact)):
            if exact[j] < exact[j - 1]:
                raise ProfileError(f"level {j} total is below level {j - 1}", param=source, allowed="non-decreasing in j")
        for j, m in enumerate(sizes):
            if m <= 0 and exact[j] != 0:
                raise ProfileError(f"level {j} has an empty set but total {exact[j]}", param=source)
        return cls(length, big_s, None, tuple(exact), unit, source)

    # -- derived ------------------------------------------------------------------
    @property
    def levels(self) -> int:
        """J + 1, the number of levels."""
        return len(self.level_totals)

    @property
    def set_sizes(self) -> list[int]:
        """m_j = L - S/2^j for j = 0..J (values <= 0 mean the empty set)."""
        return level_sizes(self.length, self.max_size)[1]

    @property
    def phi(self) -> Fraction:
        """Φ = Σ_j 2^-j Σ_i E[I(X^(i); X∘W_j)]."""
        return sum((Fraction(total, 1 << j) for j, total in enumerate(self.level_totals)), Fraction(0))

    def check_against(self, profile: "MIProfile") -> "MultiScaleProfile":
        """Check L and that every value is at most I_i (I(X^(i); X∘W) <= I(X^(i); X^(-i))); return self."""
        if profile.length != self.length:
            raise ProfileError(
                f"the multi-scale profile has {self.length} tokens, the MI profile {profile.length}", param="--ms-profile"
            )
        if profile.unit != self.unit:
            raise ProfileError(f"units differ: {self.unit} and {profile.unit}", param="--ms-profile")
        values = profile.values
        if values is not None and self.values is not None:
            for i, (row, bound) in enumerate(zip(self.values, values)):
                if row[-1] > bound:
                    raise ProfileError(
                        f"token {i + 1}: {row[-1]} at level {self.levels - 1} exceeds I_{i + 1} = {bound}",
                        param="--ms-profile",
                        allowed="E I(X^(i); X∘W) <= I(X^(i); X^(-i))",
                    )
        elif self.level_totals[-1] > profile.total:
            raise ProfileError(
                f"the last level sums to {self.level_totals[-1]}, more than ΣI = {profile.total}", param="--ms-profile"
            )
        return self

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        return {
            "length": self.length,
            "max_mask_size": self.max_size,
            "unit": self.unit,
            "set_sizes": self.set_sizes,
            "level_totals": [number_json(x, digits) for x in self.level_totals],
            "phi": number_json(self.phi, digits),
        }

    def to_csv(self) -> str:
        """The CSV form ``token,level,value`` (tokens from 1), readable by :func:`load_multiscale`."""
        if self.values is None:
            raise ProfileError("only level totals are known; per-token values are needed for the CSV form")
        out = io.StringIO()
        out.write("token,level,value\n")
        for i, row in enumerate(self.values, 1):
            for j, x in enumerate(row):
                out.write(f"{i},{j},{_plain(x)}\n")
        return out.getvalue()


def _plain(x: Fraction) -> str:
    """A rational as a terminating decimal when it is one, else p/q."""
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return str(x)
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = max(28, len(str(x.numerator)) + len(str(x.denominator)) + 5)
        text = format(Decimal(x.numerator) / Decimal(x.denominator), "f")
    return text


def load_multiscale(path: str | Path, unit: str = "nats") -> MultiScaleProfile:
    """Read a multi-scale profile: CSV ``token,level,value`` rows or JSON ``{"values": [[...], ...]}``.

    Every (token, level) pair must appear exactly once, tokens consecutive
    from 0 or 1, levels 0..J; errors name the file and line.
    """
    check_unit(unit)
    path = Path(path)
    name = str(path)
    text = read_text(path, ProfileError, "--ms-profile", _FORMATS)
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        return _multiscale_json(text, name, unit)
    return _multiscale_csv(text, name, unit)


def _multiscale_json(text: str, name: str, unit: str) -> MultiScaleProfile:
    import json
    from decimal import Decimal

    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ProfileError(f"{name}: invalid JSON at line {error.lineno}: {error.msg}", param="--ms-profile") from None
    max_size = None
    if isinstance(data, dict):
        max_size = data.get("max_mask_size")
        data = data.get("values")
    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise ProfileError(f"{name}: expected a list of per-token lists", param="--ms-profile", allowed=_FORMATS)
    rows = [[x if isinstance(x, str) else str(x) for x in row] for row in data]
    for i, row in enumerate(data):
        for j, x in enumerate(row):
            if isinstance(x, bool) or not isinstance(x, (int, Decimal, str)):
                raise ProfileError(f"{name}: token {i + 1}, level {j} is {x!r}", param="--ms-profile", allowed="numbers")
    return MultiScaleProfile.from_values(rows, max_size, unit, name)


def _multiscale_csv(text: str, name: str, unit: str) -> MultiScaleProfile:
    cells: dict[tuple[int, int], tuple[str, int]] = {}
    first = True
    for number, line in enumerate(text.splitlines(), 1):
        item = line.split("#", 1)[0].strip()
        if not item:
            continue
        row = [c.strip() for c in next(csv.reader([item]))]
        if first and row and not _is_number(row[0]):
            first = False
            continue  # header
        first = False
        if len(row) != 3:
            raise ProfileError(f"{name}: line {number} has {len(row)} columns", param="--ms-profile", allowed="token,level,value")
        token, level = (_index(row[k], name, number, what) for k, what in ((0, "token"), (1, "level")))
        if (token, level) in cells:
            raise ProfileError(
                f"{name}: line {number} repeats token {token}, level {level} (first on line {cells[(token, level)][1]})",
                param="--ms-profile",
            )
        cells[(token, level)] = (row[2], number)
    if not cells:
        raise ProfileError(f"{name!r} has no values", param="--ms-profile", allowed=_FORMATS)
    tokens = sorted({t for t, _ in cells})
    levels = sorted({j for _, j in cells})
    if tokens[0] not in (0, 1) or tokens != list(range(tokens[0], tokens[0] + len(tokens))):
        raise ProfileError(f"{name}: tokens are not consecutive from 0 or 1", param="--ms-profile", allowed=_FORMATS)
    if levels != list(range(len(levels))):
        missing = sorted(set(range(max(levels) + 1)) - set(levels))
        raise ProfileError(f"{name}: level(s) {missing} are missing", param="--ms-profile", allowed="levels 0..J, each for every token")
    rows = []
    for t in tokens:
        row = []
        for j in levels:
            if (t, j) not in cells:
                raise ProfileError(f"{name}: token {t} has no level {j}", param="--ms-profile", allowed="every level for every token")
            value, number = cells[(t, j)]
            try:
                parse_rational(value)
                row.append(value)  # the text itself, so later messages quote it
            except InvalidNumberError as error:
                raise ProfileError(f"{name}: line {number}: {error.message}", param="--ms-profile", allowed=error.allowed) from None
        rows.append(row)
    return MultiScaleProfile.from_values(rows, None, unit, name)


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
        raise ProfileError(f"{name}: line {number} has {what} {text!r}", param="--ms-profile", allowed=f"integer {what}s >= 0")
    return int(value)


# ---------------------------------------------------------------------------
# the bounds


def _eps(eps_train: Number) -> Fraction:
    return nonnegative_rational(eps_train, "eps_train")


def theorem2_upper(ms: MultiScaleProfile, schedule: "Schedule", eps_train: Number = 0) -> Fraction | None:
    """Upper bound (12) with C2 = 1: S/L · Φ + ε_train, for a schedule with s_max <= S.

    None when s_max = 1: Theorem 2 assumes s_max > 1, and then the error is
    exactly ε_train (ε(1) = 0). A schedule whose s_max needs a larger S than
    the profile's levels provide is an error; a smaller one is allowed (the
    bound still holds, less tightly).

    >>> from boundcalc import Schedule
    >>> ms = MultiScaleProfile.from_level_totals([0, "1/2", 1], length=4)
    >>> theorem2_upper(ms, Schedule([2, 2]), "0.1")   # Φ = 0 + 1/2 * 1/2 + 1/4 * 1
    Fraction(3, 5)
    """
    schedule.require_length(ms.length)
    eps = _eps(eps_train)
    if schedule.max_size == 1:
        return None
    if schedule.max_size > ms.max_size:
        raise ScheduleError(
            f"s_max = {schedule.max_size} needs levels for S = {1 << ceil_log2(schedule.max_size)}, "
            f"the multi-scale profile has them for S = {ms.max_size}",
            param="--ms-profile",
            allowed="compute the profile with --smax at least the schedule's s_max",
        )
    return C2 * ms.max_size * ms.phi / ms.length + eps


def theorem2_lower(ms: MultiScaleProfile, eps_train: Number = 0) -> Fraction:
    """Lower bound (13) with C3 = 1/16 for the random schedule on {S, S/2}: S/(16 L) · Φ + ε_train.

    It bounds the error *averaged over the schedule's randomness*
    (:func:`expected_random_error`), not every schedule: see the paper's remark
    and the ``degenerate`` schedule.

    >>> ms = MultiScaleProfile.from_level_totals([0, "1/2", 1], length=4)
    >>> theorem2_lower(ms)
    Fraction(1, 32)
    """
    eps = _eps(eps_train)
    if ms.max_size < 2:
        raise DomainError(
            "s_max = 1: the random schedule on {S, S/2} needs S >= 2, and with one token per step the error is ε_train",
            param="s_max",
            allowed="a multi-scale profile for s_max = 2, 4, 8, ...",
        )
    return C3 * ms.max_size * ms.phi / ms.length + eps


def random_schedule_distribution(length: int, max_size: int) -> list[tuple[Fraction, int, int]]:
    """The steps of the paper's random schedule with their probabilities: (P(step occurs), w, s).

    Sizes are drawn s_1, s_2, ... (s_1 revealed last) iid uniform on {S, S/2};
    measured from the end of the sequence the block boundaries form a renewal
    process, and the block that would overshoot L (the first revealed) is cut.
    E over the schedule of Σ_t g(w_t, s_t) is Σ P(step) g(w, s) over this list.
    """
    if max_size < 2 or max_size % 2:
        raise ScheduleError(f"s_max = {max_size} has no half", param="s_max", allowed="an even s_max >= 2")
    half = max_size // 2
    reach = [Fraction(0)] * (length + 1)  # reach[b]: P(a block boundary at distance b from the end)
    reach[0] = Fraction(1)
    steps: list[tuple[Fraction, int, int]] = []
    for b in range(length):
        if reach[b] == 0:
            continue
        for size in (max_size, half):
            p = reach[b] / 2
            end = b + size
            if end >= length:  # the cut block: revealed first, from w = 0
                steps.append((p, 0, length - b))
            else:
                reach[end] += p
                steps.append((p, length - end, size))
    return steps


def expected_random_error(model: Any, max_size: int, length: int | None = None) -> float:
    """The error of the random schedule on {S, S/2}, averaged over the schedule (nats).

    The steps' probabilities are exact (:func:`random_schedule_distribution`);
    their errors are the engine's float64 values, summed with ``math.fsum``.

    ``model`` is anything :func:`boundcalc.truth.entropy_profile` accepts.
    """
    from .truth import entropy_profile

    profile = entropy_profile(model, length)
    import math

    return math.fsum(float(p) * profile.step_error(w, s) for p, w, s in random_schedule_distribution(profile.length, max_size))


def multiscale_from_model(model: Any, s_max: int, length: int | None = None, unit: str = "nats", progress=None) -> MultiScaleProfile:
    """The multi-scale profile of a data model for s_max (levels of S = 2^ceil(log2 s_max)).

    Per-token values come from the model's exact F_i(m) in float64, recorded
    as their shortest round-trip decimals (so the file form is exact for what
    was computed); levels with an empty set are 0.
    """
    from .truth import float_decimal, token_mi_levels

    L = model.check_length(length)
    big_s, sizes = level_sizes(L, s_max)
    if s_max > L:
        raise ScheduleError(f"s_max = {s_max} exceeds L = {L}", param="--smax", allowed="s_max <= L")
    import numpy as np

    values = np.maximum(token_mi_levels(model, sizes, L, unit, progress), 0.0)
    # float noise can break monotonicity by an ulp: clamp up, and say so (on the floats: their
    # shortest round-trip decimals are in the same order)
    clamped = np.maximum.accumulate(values, axis=1)
    repaired = int(np.count_nonzero(clamped != values))
    rows = [[float_decimal(x) for x in row] for row in clamped.tolist()]
    ms = MultiScaleProfile.from_values(rows, big_s, unit, getattr(model, "source", "") or "model")
    ms.notes["float_repairs"] = repaired
    return ms
