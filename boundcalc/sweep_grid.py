"""A sweep's grid of T and its families (parse -> values): ``1:64``, ``log:1:1024:20``, ``power:1/2`` -> power:T:1/2.

Split from :mod:`boundcalc.sweeps` (which re-exports every name) so that the orchestration module stays one idea;
nothing here computes a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .errors import UsageError
from .registry import SamplerFamily, SamplerSpec, families as registered_families, parse_template

__all__ = ["STEPS_GRAMMAR", "MAX_GRID_POINTS", "FamilySpec", "parse_steps", "parse_family", "sweep_families"]

#: How a steps grid is written (said in every grid error).
STEPS_GRAMMAR = (
    "A:B (every T from A to B), A:B:K (every K-th), a comma list such as 1,2,4,8, "
    "or log:A:B:N (N points evenly spaced in log T, rounded, repeats dropped)"
)
#: The most T values one grid may hold: every T up to L = 65536 (issue 22: a full grid at L = 16384);
#: within it, what a sweep may do is decided by its estimated cost (:func:`boundcalc.sweeps.sweep_cost`).
MAX_GRID_POINTS = 65_536

def parse_steps(spec: "str | Iterable[int]", length: int | None = None, top: int | None = None,
                allowed: str = "1 <= T <= L") -> tuple[int, ...]:
    """The sorted T values of a grid (see :data:`STEPS_GRAMMAR`), each checked 1 <= T <= L (``top`` instead of L
    when given: random-count families take T > L; ``allowed`` says the rule in the error).

    >>> parse_steps("1:5"), parse_steps("8,2,4,2"), parse_steps("2:10:4")
    ((1, 2, 3, 4, 5), (2, 4, 8), (2, 6, 10))
    >>> parse_steps("log:1:1024:11")
    (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
    """
    values = _grid_values(spec)
    if not values:
        raise UsageError("the grid of T is empty", param="steps", value=spec, allowed=STEPS_GRAMMAR)
    if len(values) > MAX_GRID_POINTS:
        raise UsageError(
            f"{len(values)} values of T are too many", param="steps", value=spec, allowed=f"at most {MAX_GRID_POINTS}"
        )
    limit = length if top is None else top
    if limit is not None and values[-1] > limit:
        what = f"L = {length}" if limit == length else str(limit)
        raise UsageError(f"T = {values[-1]} exceeds {what}", param="steps", value=spec, allowed=allowed)
    return values


def _grid_values(spec: "str | Iterable[int]") -> tuple[int, ...]:
    if not isinstance(spec, str):
        items = list(spec)
        for t in items:
            if isinstance(t, bool) or not isinstance(t, int) or t < 1:
                raise UsageError(f"T = {t!r} is not allowed", param="steps", allowed="positive integers")
        return tuple(sorted(set(items)))
    text = spec.strip().replace(" ", "")
    if not text:
        return ()
    if text.startswith(("log:", "geom:")):
        parts = _ints(text.split(":")[1:], spec)
        if len(parts) != 3 or parts[2] < 1 or parts[0] > parts[1]:
            raise UsageError(f"{spec!r} is not a log grid", param="steps", allowed="log:A:B:N with 1 <= A <= B, N >= 1")
        a, b, n = parts
        if n > MAX_GRID_POINTS:
            raise UsageError(f"N = {n} points are too many", param="steps", allowed=f"at most {MAX_GRID_POINTS}")
        if n == 1:
            return (a,)
        return tuple(sorted({round(a * (b / a) ** (i / (n - 1))) for i in range(n)} | {a, b}))
    if "," in text or ":" not in text:
        return tuple(sorted(set(_ints(text.split(","), spec))))
    parts = _ints(text.split(":"), spec)
    if len(parts) not in (2, 3) or parts[0] > parts[1]:
        raise UsageError(f"{spec!r} is not a range", param="steps", allowed="A:B or A:B:K with 1 <= A <= B")
    a, b, k = parts[0], parts[1], parts[2] if len(parts) == 3 else 1
    if (b - a) // k + 1 > MAX_GRID_POINTS:
        raise UsageError(f"{spec!r} holds {(b - a) // k + 1} values of T", param="steps",
                         allowed=f"at most {MAX_GRID_POINTS}; use a log grid, e.g. log:{a}:{b}:30")
    return tuple(range(a, b + 1, k))


def _ints(items: Sequence[str], spec: str) -> list[int]:
    out = []
    for item in items:
        if not item.isdigit() or int(item) < 1:
            raise UsageError(f"{item!r} in {spec!r} is not a positive integer", param="steps", allowed=STEPS_GRAMMAR)
        out.append(int(item))
    return out


def sweep_families() -> list[str]:
    """The families whose first parameter is T (``name:T...``): fixed schedules, then random-count samplers."""
    usable = [f for f in registered_families(needs_curve=False, is_rule=False) if f.listed and f.steps_first]
    return [f.name for f in usable if not f.random_counts] + [f.name for f in usable if f.random_counts]


@dataclass(frozen=True)
class FamilySpec:
    """A schedule family with every parameter but T: ``label`` as given, ``parts`` with ``"T"`` for the step count.

    >>> parse_family("power:1/2").spec(8), parse_family("blocks:2:cosine:T").spec(8)
    ('power:8:1/2', 'blocks:2:cosine:8')
    """

    label: str
    parts: tuple[str, ...]
    family: SamplerFamily = field(compare=False, repr=False, default=None)  # type: ignore[assignment]

    @property
    def name(self) -> str:
        """The family's name in the registry (:mod:`boundcalc.registry`)."""
        return self.parts[0]

    def at(self, steps: int) -> SamplerSpec:
        """The parsed spec at T = ``steps``."""
        return SamplerSpec(self.family, self.parts[1:], self.label).at(steps)

    def spec(self, steps: int) -> str:
        """The schedule spec at T = ``steps``."""
        return self.at(steps).text


def parse_family(text: str) -> FamilySpec:
    """``uniform`` -> uniform:T, ``power:1/2`` -> power:T:1/2, ``blocks:4:uniform:T`` as written."""
    label = text.strip()
    usable = ", ".join(sweep_families())
    try:
        found, args = parse_template(label)
    except UsageError as error:
        unknown = error.message.startswith("unknown")
        allowed = (f"one of {usable}, or a family with T written in it, e.g. blocks:4:uniform:T" if unknown
                   else error.allowed or f"write T where the step count goes, or one of {usable}")
        raise UsageError(error.message, param="families", value=text, allowed=allowed) from None
    return FamilySpec(label, (found.name, *args), found)
