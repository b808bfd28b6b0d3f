"""The sampler registry: one class per sampler family, one grammar for every spec string.

A *sampler family* is a subclass of :class:`SamplerFamily` (scipy's
``rv_continuous`` habit): it declares its name, its parameters, its law of
reveal sets and what its exact error needs, and overrides :meth:`~SamplerFamily._build`,
which turns the parameters and the sequence length L into the sampler itself (a
:class:`~boundcalc.schedule.Schedule` or a :class:`~boundcalc.counts.CountSampler`,
anything with the :class:`Sampler` interface). Everything else follows from the
declaration: the parser, the usage in every help text and error, the docs' family
table, the templates of ``sweep --family`` and ``steps --family``.

Every spec string (``uniform:8``, ``mdlm:64:cosine``, ``blocks:4:uniform:16``,
``5,3,2``, a file name) is read ONCE by :func:`parse_spec` into a
:class:`SamplerSpec`, a frozen value object; nothing downstream sees the string.

>>> from boundcalc.schedule import parse_spec
>>> spec = parse_spec("cosine:8")
>>> spec.family.name, spec.args, spec.steps, spec.family.reveals
('cosine', ('8',), 8, 'fixed')
>>> spec.build(256).sizes
(5, 15, 24, 31, 39, 45, 48, 49)

The built-in families are registered by :mod:`boundcalc.schedule` (fixed
schedules, curve families) and :mod:`boundcalc.count_sampler` (random reveal
counts); import the parser from there. A new family is one class and one
:func:`register` call (tests/samplers/test_toy_sampler.py is the worked example);
docs/architecture.md says where its exact error and its bounds go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from typing import Any, ClassVar, Iterator, Protocol, Sequence

from .errors import InvalidNumberError, ScheduleError, UsageError
from .exact import parse_rational, positive_int

__all__ = [
    "Param",
    "FamilyView",
    "Sampler",
    "SamplerFamily",
    "SamplerSpec",
    "register",
    "unregister",
    "family",
    "families",
    "parse_spec",
    "parse_grid",
    "MAX_GRID_POINTS",
    "parse_template",
    "parse_searched",
    "searched_usages",
    "usage_list",
    "docs_table",
    "REVEAL_LAWS",
    "RULE_COMMANDS",
    "refuse_rule",
]

#: The laws of reveal sets a family may declare (:attr:`SamplerFamily.reveals`).
REVEAL_LAWS = {
    "fixed": "fixed sizes, positions uniformly random over all L",
    "blocks": "fixed sizes, positions uniformly random inside the current block only (left to right)",
    "counts": "random sizes (each masked token revealed with probability p_k), positions uniformly random",
    "adaptive": "positions chosen from the predicted values (confidence, entropy, ...)",
    "ordered": "fixed positions in a fixed order (left to right, dilated): no randomness over positions",
}

#: Where a sampler rule (a family whose ``exact_engine`` is "rules") is evaluated: said in every refusal.
RULE_COMMANDS = "verify, sweep and plot error-vs-nfe with it as the sampler, steps with the confidence family"


class Sampler(Protocol):
    """What every built sampler offers (a :class:`~boundcalc.schedule.Schedule`, a
    :class:`~boundcalc.counts.CountSampler`, or a new family's object).

    Callers ask these instead of testing the class: ``random_counts`` (values are
    expectations over the counts), ``positions`` ("uniform" or "blocks": which bounds
    are theorems for it), ``value_dependent`` (positions depend on the predictions:
    only an engine of its own gives the exact error).
    """

    name: str
    length: int
    steps: int

    @property
    def random_counts(self) -> bool: ...

    @property
    def positions(self) -> str: ...

    @property
    def value_dependent(self) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Param:
    """One parameter of a family: its name in the usage (``T``, ``eps``), whether it may be left out,
    and what it is. ``kind`` "steps" marks the step count T (the one a sweep or a search varies)."""

    name: str
    kind: str = "int"  # "steps" | "int" (positive integers) | "rational" | "text" | "spec" (a nested spec: the rest)
    optional: bool = False
    doc: str = ""

    @property
    def usage(self) -> str:
        return f"[:{self.name}]" if self.optional else f":{self.name}"


class SamplerFamily:
    """A sampler family. Subclass it, set the class attributes, override :meth:`_build`, :func:`register` it.

    Class attributes (the declaration):

    * ``name``: the spec's head (``uniform``); ``params``: :class:`Param` tuple.
    * ``summary``: one line for the docs' table and the help texts; ``source``: where the rule is read from.
    * ``reveals``: the law of reveal sets, a key of :data:`REVEAL_LAWS`.
    * ``value_dependent``: positions depend on the predicted values (adaptive samplers); such a
      family's exact error needs an engine of its own (``exact_engine``), never the entropy profile's.
    * ``exact_engine``: what its exact error needs: "profile" (the entropy profile d(m) of a data
      model suffices), "blocks" (each block's profile given the earlier ones), "counts" (the DP over
      the number revealed), or the name of a dedicated engine.
    * ``needs_curve``: built from a loss curve or data model (info-optimal, optimal), not from L alone.
    * ``needs_length``: False when the spec fixes L itself (a list, ``llada:GEN:...``).
    * ``step_cost_us``: microseconds to build one step (the cost estimates of sweeps and searches).
    * ``listed``: shown in the docs' table and help texts.
    * ``remaskings``: the remasking rules it takes (LLaDA's ``low_confidence``, its default, or ``random``).
    """

    name: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    summary: ClassVar[str] = ""
    source: ClassVar[str] = ""
    reveals: ClassVar[str] = "fixed"
    value_dependent: ClassVar[bool] = False
    exact_engine: ClassVar[str] = "profile"
    needs_curve: ClassVar[bool] = False
    needs_length: ClassVar[bool] = True
    step_cost_us: ClassVar[float] = 20.0
    constant_cost: ClassVar[bool] = False  # run-length encoded in O(1) whatever T (uniform)
    listed: ClassVar[bool] = True
    #: The remasking rules of a family whose positions are LLaDA's (``llada``), the first its default (LLaDA's).
    remaskings: ClassVar[tuple[str, ...]] = ()
    #: Families this one may hold inside it (``blocks:K:FAMILY``): those whose laws are in this set.
    nests: ClassVar[frozenset[str]] = frozenset()
    # -- what a search over T asks (boundcalc.family_steps, count_steps) ---------------------------
    #: The DP optimum over all T-step schedules: searched by the DP itself, never scanned over a family.
    dp_optimum: ClassVar[bool] = False
    #: Its bound's fewest T has a closed form (:func:`boundcalc.steps.required_steps`): no scan by bound.
    closed_form_steps: ClassVar[bool] = False
    #: (µs per T, µs per step of each T-step schedule) when its sizes at many T are evaluated in float with
    #: exact checks (:mod:`boundcalc.family_sizes`, or the curve's info-optimal boundaries); None: built T by T.
    scan_cost_us: ClassVar[tuple[float, float] | None] = None
    #: Its sizes at a chunk of T come together (Dream's levels, :func:`boundcalc.family_sizes.dream_levels`).
    chunked_levels: ClassVar[bool] = False
    #: ``steps --family NAME`` searches its threshold on a joint table (the confidence rule), not its T.
    threshold_search: ClassVar[bool] = False

    # -- derived from the declaration ------------------------------------------------------------
    @property
    def usage(self) -> str:
        """``name:T[:eps]``, from the parameters."""
        return self.name + "".join(p.usage for p in self.params)

    @property
    def steps_first(self) -> bool:
        """True when T is the first parameter (``name:T...``): a sweep may leave it out."""
        return bool(self.params) and self.params[0].kind == "steps"

    @property
    def random_counts(self) -> bool:
        return self.reveals == "counts"

    @property
    def needs_model(self) -> bool:
        """True when the exact error needs the data model itself, not only its entropy profile (or loss curve)."""
        return self.exact_engine not in ("profile", "counts")

    @property
    def positions(self) -> str:
        """How its positions are chosen, which decides the bounds that hold (:meth:`boundcalc.bounds.Bound.applies_to`):
        "uniform" (fixed sizes or random counts), "blocks" (uniform inside the current block), "adaptive"
        (from the predicted values: no bound of the paper applies)."""
        return {"blocks": "blocks", "adaptive": "adaptive", "ordered": "ordered"}.get(self.reveals, "uniform")

    @property
    def is_rule(self) -> bool:
        """True for a sampler rule (positions adaptive or in a fixed order): no bound of the paper's Theorem-1
        family holds, the rule engines (:mod:`boundcalc.truth.rules`) give its exact error; it builds no Sampler."""
        return self.reveals in ("adaptive", "ordered")

    def arity(self) -> tuple[int, int | None]:
        """(fewest, most) arguments after the name; most is None when a nested spec takes the rest."""
        if any(p.kind == "spec" for p in self.params):
            return sum(1 for p in self.params if not p.optional and p.kind != "spec") + 1, None
        return sum(1 for p in self.params if not p.optional), len(self.params)

    def steps_of(self, args: Sequence[str]) -> int | None:
        """The step count T written in ``args`` (None when the family has none or it is the placeholder)."""
        for param, raw in zip(self.params, args):
            if param.kind == "steps":
                return int(raw) if raw.isdigit() else None
        return None

    def check(self, args: Sequence[str]) -> None:
        """Each argument read as its parameter declares, when the spec is parsed (before any L is known):
        T and counts are positive integers (T may be the placeholder ``T`` of a template), rationals are
        exact. What depends on L (T <= L, K divides L) is checked when the sampler is built."""
        for param, raw in zip(self.params, args):
            if param.kind == "spec":
                return  # the rest of the string is a nested spec, read when the sampler is built
            if param.kind == "steps" and raw == "T":
                continue
            if param.kind in ("steps", "int"):
                positive_int(raw, param.name)
            elif param.kind == "rational":
                parse_rational(raw, param.name)

    def template(self, args: Sequence[str]) -> tuple[str, ...] | None:
        """``args`` with the placeholder ``T`` where the step count goes (T left out), or None if it cannot be."""
        if self.steps_first:
            return ("T", *args)
        return None

    @property
    def search_usage(self) -> str | None:
        """Its usage with T left out, as a search over T takes it (``power:p``), or None when T is not searched."""
        if self.dp_optimum or not self.listed or self.is_rule or not self.steps_first:
            return None
        return self.usage.replace(":T", "", 1)

    def searched(self, args: Sequence[str], text: str, allowed: str) -> tuple[str, ...]:
        """The template (T a placeholder) of this family as a search over T takes it (``args``: T left out),
        each argument checked; a :class:`UsageError` (param ``family``) says what is wrong, ``allowed`` what
        may be searched."""
        if not self.steps_first:
            raise UsageError(f"{text!r} is not a T-parametrised family", param="family", allowed=allowed)
        needed = self.arity()[0] - 1  # required arguments besides T
        if len(args) < needed:
            raise UsageError(f"{text!r} needs {needed} argument(s) ({self.usage} without T)", param="family",
                             allowed=allowed)
        return ("T", *args)

    def build_cost_us(self, args: Sequence[str]) -> float:
        """µs to build one step of its sampler with these arguments (the cost estimates of searches)."""
        return self.step_cost_us

    def quick_sampler(self, length: int, steps: int, args: Sequence[str]) -> Any:
        """The T-step sampler (``args``: T left out) built faster than :meth:`build`, with the same values, or
        None where there is no faster way (a search builds many)."""
        return None

    def prepare_rows(self, steps: Sequence[int], args: Sequence[str]) -> None:
        """Get ready to build the samplers of many T at once (a sweep's rows; ``args``: T left out); nothing by
        default."""

    def blocks_of(self, args: Sequence[str]) -> int:
        """The number of blocks decoded left to right (1 unless semi-autoregressive): T is a multiple of it, and
        a blockwise bound is at most that many times the global one."""
        return 1

    # -- building ------------------------------------------------------------------------------
    def build(self, length: int | None, args: Sequence[str], text: str = "") -> Any:
        """The sampler for sequence length ``length`` (errors say what is wrong; the caller adds the spec).

        ``text`` is the spec as written, for a family that names its sampler by it.
        """
        return self._build(length, list(args))

    def _build(self, length: Any, args: list[str]) -> Any:  # pragma: no cover - every family overrides it
        raise NotImplementedError(f"{type(self).__name__} does not override _build")

    def cost_us(self, steps: int) -> float:
        """Estimated microseconds to build the T-step sampler."""
        return self.step_cost_us * steps

    def __repr__(self) -> str:
        return f"<sampler family {self.usage}>"


_REGISTRY: dict[str, SamplerFamily] = {}


def register(family: "SamplerFamily | type[SamplerFamily]", *, replace: bool = False) -> SamplerFamily:
    """Add a family (a class or an instance) to the registry; every command and printer then accepts it.

    A name already taken is refused unless ``replace`` (the built-ins cannot be shadowed by accident).
    """
    instance = family() if isinstance(family, type) else family
    name = instance.name
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,31}", name or ""):
        raise UsageError(f"family name {name!r} is not allowed", param="family",
                         allowed="lower-case letters, digits and '-', starting with a letter, at most 32")
    if instance.reveals not in REVEAL_LAWS:
        raise UsageError(f"family {name!r} declares reveals = {instance.reveals!r}", param="family",
                         allowed=", ".join(REVEAL_LAWS))
    if name in _REGISTRY and not replace:
        raise UsageError(f"family {name!r} is already registered", param="family",
                         allowed="another name, or replace=True")
    _REGISTRY[name] = instance
    return instance


def unregister(name: str) -> None:
    """Remove a family (tests that register a toy family clean up with it)."""
    _REGISTRY.pop(name, None)


def family(name: str) -> SamplerFamily | None:
    """The registered family called ``name``, or None."""
    return _REGISTRY.get(name)


def families(**where: Any) -> list[SamplerFamily]:
    """The registered families, in registration order, filtered by attribute values.

    >>> from boundcalc.schedule import parse_spec
    >>> [f.name for f in families(reveals="counts")]
    ['mdlm', 'sedd', 'dream-origin']
    """
    return [f for f in _REGISTRY.values() if all(getattr(f, key) == value for key, value in where.items())]


class FamilyView(Mapping):
    """A live, read-only view of the listed families matching ``where``: name -> usage, or with ``with_builder``
    name -> (usage, builder(L, args)) (``schedule.FAMILIES`` and ``COUNT_FAMILIES``, the tables before the
    registry)."""

    def __init__(self, with_builder: bool = False, **where: Any) -> None:
        self._with_builder, self._where = with_builder, where

    def _names(self) -> list[str]:
        return [f.name for f in families(**self._where) if f.listed]

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        found = _REGISTRY[name]
        return (found.usage, found.build) if self._with_builder else found.usage

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def usage_list(**where: Any) -> str:
    """The usages of the listed families matching ``where``, comma separated (for help texts and errors)."""
    return ", ".join(f.usage for f in families(**where) if f.listed)


def docs_table(kind: str) -> str:
    """The Markdown table of one kind of family, as docs/cli.md holds it verbatim (tests/samplers/test_registry.py checks).

    ``kind``: "schedules" (fixed sizes, blockwise included, with the list and file forms), "counts"
    (random reveal counts), "curve" (computed from a loss curve or a data model), "rules" (sampler
    rules: positions adaptive or in a fixed order).
    """
    if kind == "schedules":
        rows = ["| SPEC | sizes |", "| --- | --- |", "| `5,3,2` | a comma list |",
                "| `PATH` | a file: a JSON list, or one size per line |"]
        chosen = [f for f in families(random_counts=False, needs_curve=False, is_rule=False)]
    elif kind == "rules":
        rows, chosen = ["| SPEC | sampler | positions |", "| --- | --- | --- |"], families(is_rule=True)
        return "\n".join(rows + [f"| `{f.usage}` | {f.summary} | {f.positions} |" for f in chosen if f.listed])
    elif kind == "counts":
        rows, chosen = ["| SPEC | sampler |", "| --- | --- |"], families(random_counts=True)
    elif kind == "curve":
        rows, chosen = ["| SPEC | schedule |", "| --- | --- |"], families(needs_curve=True)
    else:
        raise UsageError(f"no family table {kind!r}", param="kind", allowed="schedules, counts, curve or rules")
    rows += [f"| `{f.usage}` | {f.summary} |" for f in chosen if f.listed]
    return "\n".join(rows)


# ---------------------------------------------------------------------------
# The value object


@dataclass(frozen=True)
class SamplerSpec:
    """A parsed spec: the family and its arguments (strings as written; ``T`` is a placeholder in a template).

    ``text`` is the spec as the user wrote it (the label in tables). :meth:`at`
    fills in T; :meth:`build` makes the sampler for a length.
    """

    family: SamplerFamily
    args: tuple[str, ...]
    text: str

    @property
    def name(self) -> str:
        return self.family.name

    @property
    def is_template(self) -> bool:
        """True when T is still a placeholder (a sweep or search family)."""
        return "T" in self.args

    @property
    def steps(self) -> int | None:
        """T as written (None for a template or a family without it)."""
        return self.family.steps_of(self.args)

    @property
    def given_args(self) -> tuple[str, ...]:
        """The arguments as written, without the placeholder T (a searched family's own: power:T:2 -> ("2",))."""
        return tuple(a for a in self.args if a != "T")

    @property
    def inner(self) -> "SamplerSpec | None":
        """The spec nested in this one (blocks:4:uniform:T -> uniform:T), or None."""
        at = next((i for i, p in enumerate(self.family.params) if p.kind == "spec"), None)
        found = None if at is None or len(self.args) <= at else _REGISTRY.get(self.args[at])
        return None if found is None or at is None else SamplerSpec(found, self.args[at + 1:], ":".join(self.args[at:]))

    @property
    def canonical(self) -> str:
        """``name:arg:...``: the spec as the parser reads it."""
        return ":".join((self.family.name, *self.args)) if self.family.listed else self.text

    def at(self, steps: int) -> "SamplerSpec":
        """The spec with T = ``steps`` (power:T:1/2 -> power:8:1/2)."""
        args = tuple(str(steps) if a == "T" else a for a in self.args)
        return SamplerSpec(self.family, args, ":".join((self.family.name, *args)))

    def build(self, length: int | None = None, param: str = "schedule") -> Any:
        """The sampler for sequence length ``length``; an error names ``param``, the spec and the usage."""
        if self.family.is_rule:  # a rule, not a Sampler: boundcalc.truth.rules.rule_of builds it for its engines
            raise refuse_rule(self, param)
        if length is None and self.family.needs_length:
            raise ScheduleError(f"{self.text!r} needs the sequence length", param=param,
                                allowed="give the sequence length L (or an MI profile, whose number of values is L)")
        try:
            built = self.family.build(length, self.args, self.text if self.family.listed else "")
        except (ScheduleError, InvalidNumberError) as error:
            listed = self.family.listed
            raise ScheduleError(
                f"in {self.text!r}: {error.message}" if listed else error.message,
                param=param,
                value=self.text,
                allowed=error.allowed or (f"usage: {self.family.usage}" if listed else None),
            ) from None
        if length is not None and hasattr(built, "require_length"):
            built.require_length(length, param)
        return built

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------------------
# The grammar

# What a comma list may contain (validated entry by entry); anything else is a family or a file.
_LIST = re.compile(r"[0-9 \t+\-./eE,]*[0-9][0-9 \t+\-./eE,]*\Z", re.ASCII)


def allowed_specs() -> str:
    """What a spec may be: said in every error about one."""
    return "a comma list such as 5,3,2, a file (JSON list or one size per line), or a family: " + usage_list(
        reveals="fixed", needs_curve=False) + ", " + usage_list(reveals="blocks")


def refuse_rule(spec: "SamplerSpec", param: str = "schedule") -> ScheduleError:
    """The one-line refusal for a sampler rule where a Sampler is needed (bounds, Theorem-1 rows, searches)."""
    what = ("chooses its positions from the predicted values" if spec.family.positions == "adaptive"
            else "reveals its positions in a fixed order")
    return ScheduleError(f"{spec.text!r} {what}: no bound of the paper holds for it", param=param, value=spec.text,
                         allowed=f"its exact error: {RULE_COMMANDS}; docs/samplers.md")


def parse_spec(spec: str, param: str = "schedule") -> SamplerSpec:
    """Read a spec string once: a family ``name:args``, a comma list, or a file of sizes.

    Lists and files are read here (their sizes checked entry by entry); a family's
    arguments are checked when it is built for a length (:meth:`SamplerSpec.build`).
    """
    text = spec.strip()
    if not text:
        raise ScheduleError("the schedule is empty", param=param, allowed=allowed_specs())
    head, sep, rest = text.partition(":")
    try:
        if sep and head in _REGISTRY:
            found = _REGISTRY[head]
            args = tuple(rest.split(":")) if rest else ()
            try:
                found.check(args)
            except (ScheduleError, InvalidNumberError) as error:
                raise ScheduleError(f"in {text!r}: {error.message}",
                                    allowed=error.allowed or f"usage: {found.usage}") from None
            return SamplerSpec(found, args, text)
        if _LIST.match(text) and not text.startswith(("/", "./", "../")):  # a file named 8 is ./8
            return _sizes_spec(sizes_from_items(text.split(","), "entry"), text)
        if sep and head.replace("-", "").isalpha() and len(head) <= 32:
            raise ScheduleError(f"unknown schedule family {head!r}", allowed=allowed_specs())
        return _sizes_spec(_sizes_from_file(Path(text)), text)
    except (ScheduleError, InvalidNumberError) as error:
        raise ScheduleError(error.message, param=param, value=spec, allowed=error.allowed) from None


#: The most points a threshold grid ``LO..HI/N`` may expand to (each point is a full evaluation).
MAX_GRID_POINTS = 200
_GRID_USAGE = "NAME:LO..HI/N[:more], N >= 2 evenly spaced thresholds from LO to HI (both included), e.g. confidence:0.5..0.95/10"


def parse_grid(spec: str, param: str = "sampler") -> list[SamplerSpec]:
    """A spec, or a grid of thresholds: ``confidence:0.5..0.95/10`` is the 10 specs ``confidence:1/2`` ...
    ``confidence:19/20`` (exact, evenly spaced, both ends included; the other arguments kept).

    A grid is allowed where the family's first parameter is a threshold (a rational: ``confidence``,
    ``eb``, ``entropy-sum``); every point is then checked as a spec of its own by :func:`parse_spec`.

    >>> [s.text for s in parse_grid("eb:0..1/3:bits")]
    ['eb:0:bits', 'eb:1/2:bits', 'eb:1:bits']
    """
    text = spec.strip()
    head, _, rest = text.partition(":")
    args = rest.split(":") if rest else []
    if not args or ".." not in args[0]:
        return [parse_spec(spec, param)]
    found = _REGISTRY.get(head)
    if found is None or not found.params or found.params[0].kind != "rational":
        raise ScheduleError(f"in {text!r}: a grid LO..HI/N is for a threshold", param=param, value=spec,
                            allowed="the first parameter of " + ", ".join(
                                f.name for f in families() if f.params and f.params[0].kind == "rational"))
    low, _, upper = args[0].partition("..")
    high, slash, count = upper.rpartition("/")
    try:
        if not slash:
            raise ScheduleError("no /N", allowed=_GRID_USAGE)
        lo, hi = parse_rational(low, "LO"), parse_rational(high, "HI")
        n = positive_int(count, "N")
        if n < 2 or n > MAX_GRID_POINTS or not lo < hi:
            raise ScheduleError(f"LO = {low}, HI = {high}, N = {n}",
                                allowed=f"LO < HI and 2 <= N <= {MAX_GRID_POINTS}; {_GRID_USAGE}")
    except (ScheduleError, InvalidNumberError) as error:
        raise ScheduleError(f"in {text!r}: {error.message}", param=param, value=spec,
                            allowed=error.allowed or _GRID_USAGE) from None
    points = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    return [parse_spec(":".join([head, str(x), *args[1:]]), param) for x in points]


def _sizes_spec(sizes: Sequence[int], text: str) -> SamplerSpec:
    return SamplerSpec(_REGISTRY["sizes"], tuple(map(str, sizes)), text)


def sizes_from_items(items: Sequence[str], what: str, where: Any = None) -> list[int]:
    """Positive integer sizes from text items; an error names the entry (``where(i)`` or ``what i``)."""
    sizes = []
    for position, raw in enumerate(items):
        label = where(position) if where else f"{what} {position + 1}"
        raw = raw.strip()
        if not raw:
            raise ScheduleError(f"{label} is empty", allowed="sizes are positive integers, e.g. 5,3,2")
        try:
            value = parse_rational(raw)
        except InvalidNumberError:
            raise ScheduleError(f"{label} is {raw!r}, not a number", allowed="sizes are positive integers") from None
        if value.denominator != 1 or value < 1:
            raise ScheduleError(f"{label} is {raw}", allowed="sizes are positive integers")
        sizes.append(int(value))
    return sizes


def _sizes_from_file(path: Path) -> list[int]:
    from .files import parse_json, read_text

    try:
        exists = path.exists()
    except OSError:  # e.g. a name too long for the file system
        exists = False
    if not exists:
        raise ScheduleError(f"{str(path)!r} is neither a schedule nor an existing file", allowed=allowed_specs())
    stripped = read_text(path, ScheduleError, "schedule", allowed_specs()).strip()
    if stripped.startswith("["):
        try:
            items = parse_json(stripped, ScheduleError, None)
        except ScheduleError as error:
            raise ScheduleError(f"{str(path)!r}: {error.message}") from None
        if not isinstance(items, list) or any(isinstance(x, (list, dict, bool)) or x is None for x in items):
            raise ScheduleError(f"{str(path)!r} must hold a JSON list of positive integers")
        return sizes_from_items([str(x) for x in items], "entry", lambda i: f"{path}: entry {i + 1}")
    lines = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(stripped.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    return sizes_from_items([line for _, line in lines], "line", lambda i: f"{path}: line {lines[i][0]}")


def parse_template(text: str, *, searched: bool = False) -> tuple[SamplerFamily, tuple[str, ...]]:
    """A family with T as a placeholder: ``power:1/2`` -> (power, ("T", "1/2")).

    ``searched`` (a search for the fewest T): T is never written, it goes where the family's
    :meth:`~SamplerFamily.template` puts it (``blocks:4:uniform`` -> blocks:4:uniform:T). Otherwise
    (a sweep) T is written as ``T`` anywhere, or left out of a family whose first parameter it is.
    Raises UsageError (param ``family``) with the reason; callers add their own usage.
    """
    label = text.strip()
    parts = label.split(":")
    found = _REGISTRY.get(parts[0])
    if found is None or not found.listed:
        raise UsageError(f"unknown family {parts[0]!r}", param="family", value=text)
    if found.is_rule:
        error = refuse_rule(SamplerSpec(found, tuple(parts[1:]), label), "family")
        raise UsageError(error.message, param="family", value=text, allowed=error.allowed)
    args = tuple(parts[1:]) if len(parts) > 1 else ()
    if not searched and "T" in args:
        return found, args
    template = found.template(args) if searched else (("T", *args) if found.steps_first else None)
    if template is None:
        raise UsageError(f"{found.name!r} is not parametrised by T first (usage {found.usage})", param="family",
                         value=text)
    return found, template


def searched_usages() -> tuple[str, ...]:
    """What a search over T (``steps --family``) takes: fixed families, then blockwise ones, then random counts."""
    order = ("fixed", "blocks", "counts")
    chosen = sorted((f for f in _REGISTRY.values() if f.search_usage and f.reveals in order),
                    key=lambda f: order.index(f.reveals))
    return tuple(f.search_usage for f in chosen if f.search_usage)


def parse_searched(text: str, param: str = "family") -> SamplerSpec:
    """Read a family whose T is searched (``cosine``, ``power:1/2``, ``blocks:4:uniform``, ``mdlm:cosine``)
    once, every argument checked: a template :class:`SamplerSpec` (T the placeholder), which the search builds
    at each T (``spec.at(T).build(L)``) and asks (``spec.family``) instead of reading the string again.

    >>> spec = parse_searched("blocks:4:power:1/2")
    >>> spec.args, spec.at(8).text, spec.family.blocks_of(spec.args)
    (('4', 'power', 'T', '1/2'), 'blocks:4:power:8:1/2', 4)
    """
    label = text.strip()
    head, _, rest = label.partition(":")
    args = tuple(rest.split(":")) if rest else ()
    allowed = "a T-parametrised family: " + ", ".join(searched_usages())
    found = _REGISTRY.get(head)
    if found is None or not found.listed:
        raise UsageError(f"{text!r} is not a T-parametrised family", param=param, allowed=allowed)
    if found.is_rule:
        error = refuse_rule(SamplerSpec(found, args, label), param)
        raise UsageError(error.message, param=param, value=text, allowed=error.allowed)
    return SamplerSpec(found, found.searched(args, text, allowed), label)


def iter_usages(**where: Any) -> Iterator[str]:
    """The usage of each listed family matching ``where``."""
    return (f.usage for f in families(**where) if f.listed)
