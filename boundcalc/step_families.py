"""Families searched over T: their names, their T-step schedules or samplers, and the search's result.

A family is a schedule spec without T (``cosine``, ``power:1/2``, ``blocks:4:uniform``) or a
random-count sampler (``mdlm``, ``mdlm:cosine``, ``sedd``, ``dream-origin[:eps]``);
:func:`family_schedule` and :func:`family_sampler` build it at one T. The search itself is
:mod:`boundcalc.family_steps` (fixed schedules) and :mod:`boundcalc.count_steps` (random counts).

>>> family_spec("power:2", 8), family_spec("blocks:4:uniform", 8), is_count_family("mdlm:cosine")
('power:8:2', 'blocks:4:uniform:8', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._print_helpers import Printable
from .curve import LossCurve
from .errors import BoundcalcError, UsageError
from .estimate import curve_schedule
from .registry import SamplerFamily, SamplerSpec, refuse_rule
from .registry import families as registered_families, family as registered
from .exact import Measured, round_up

if TYPE_CHECKING:  # pragma: no cover
    from .schedule import Schedule

__all__ = [
    "STEP_FAMILIES",
    "BUDGET_FAMILIES",
    "COUNT_STEP_USAGE",
    "COUNT_MAX_STEPS_FACTOR",
    "SCAN_BUDGET_US",
    "BLOCKS_ERROR",
    "is_count_family",
    "family_spec",
    "family_schedule",
    "family_sampler",
    "FamilyStepsResult",
    "ExpectedBound",
]

#: Random-count samplers as families (boundcalc.counts): usage without T. T is their nominal number of steps.
COUNT_STEP_USAGE = {f.name: f.usage.replace(":T", "", 1) for f in registered_families(random_counts=True)}
#: T-parametrised families `steps --family` knows, from the registry: fixed ones, the curve's, blocks, random counts.
STEP_FAMILIES: tuple[str, ...] = (
    *(f.usage.replace(":T", "", 1) for f in registered_families(reveals="fixed") if f.listed and f.steps_first
      and f.name != "optimal"),
    *(f"{f.name}:K:FAMILY (by bound)" for f in registered_families(reveals="blocks") if f.template(["K", "uniform"])),
    *COUNT_STEP_USAGE.values())
#: The families `steps --budget` compares by default (info-optimal and optimal need a curve). The random-count
#: families are opt-in: with a curve at T = 64 their two rows add ~0.9 s at L = 1024 (the default run takes ~0.7 s)
#: and ~5 s at L = 4096 (benchmarks/bench_count_steps.py).
BUDGET_FAMILIES = ("uniform", "dream", "linear", "cosine", "cosine-mdlm", "info-optimal", "optimal")
#: Work allowed for a search, in estimated microseconds (about 30 s).
SCAN_BUDGET_US = 30e6
#: Without a maximum T, count families are searched up to this multiple of L (their T may exceed L).
COUNT_MAX_STEPS_FACTOR = 16
EXPECTED_NOTE = ("an expectation over the sampler's random reveal counts: E[c(S_max)]/L · ΣI + ε_train, "
                 "a float64 value with a certified error bound")
DECISION_NOTE = ("conservative by the float error: a T counts as reached only when value + certified error <= "
                 "target, as missing only when value - error > target; undecided_steps lists the rest")


def _family_of(family: str) -> SamplerFamily:
    """The registered family of a T-parametrised family string (checked by :func:`_family_parts`)."""
    found = registered(_family_parts(family)[0])
    assert found is not None
    return found


def _family_parts(family: str) -> tuple[str, list[str]]:
    """(name, arguments without T) of a family whose T is searched, every argument checked."""
    head, _, rest = family.strip().partition(":")
    args = rest.split(":") if rest else []
    allowed = "a T-parametrised family: " + ", ".join(STEP_FAMILIES)
    found = registered(head)
    if found is None or not found.listed:
        raise UsageError(f"{family!r} is not a T-parametrised family", param="family", allowed=allowed)
    if found.is_rule:
        error = refuse_rule(SamplerSpec(found, tuple(args), family.strip()), "family")
        raise UsageError(error.message, param="family", value=family, allowed=error.allowed)
    if found.needs_curve:
        if args:
            raise UsageError(f"{family!r} takes no arguments (T is searched)", param="family", allowed=allowed)
        return head, args
    if found.reveals == "blocks" and not found.steps_first:  # blocks:K:FAMILY, T is searched (a multiple of K)
        _check_blocks_family(family, found, args, allowed)
        return head, args
    if found.random_counts:
        _check_count_family(family, head, args, allowed)
        return head, args
    if not found.steps_first:
        raise UsageError(f"{family!r} is not a T-parametrised family", param="family", allowed=allowed)
    needed = found.arity()[0] - 1  # required arguments besides T
    if len(args) < needed:
        raise UsageError(f"{family!r} needs {needed} argument(s) ({found.usage} without T)", param="family",
                         allowed=allowed)
    return head, args


def _check_blocks_family(family: str, found: SamplerFamily, args: list[str], allowed: str) -> None:
    from .exact import positive_int

    if len(args) < 2 or "T" in args:
        raise UsageError(f"{family!r}: write blocks:K:FAMILY (T is searched)", param="family",
                         allowed="e.g. blocks:4:uniform or blocks:2:power:1/2; " + allowed)
    try:
        positive_int(args[0], "K")
    except BoundcalcError as error:
        raise UsageError(f"in {family!r}: K = {args[0]!r} is not a positive integer", param="family",
                         allowed="blocks:K:FAMILY with K >= 1 blocks") from None
    _family_parts(":".join(args[1:]))
    if found.template(args) is None:
        raise UsageError(f"in {family!r}: the blocks' inner family must be a fixed T-parametrised one", param="family",
                         allowed="uniform, dream, linear, cosine, cosine-mdlm or power:P inside the blocks")


BLOCKS_ERROR = ("is semi-autoregressive: its error needs each block's profile given the earlier blocks, which the "
                "global curve does not determine")


def _check_count_family(family: str, head: str, args: list[str], allowed: str) -> None:
    """The arguments of a random-count family besides T: mdlm[:NOISE], sedd, dream-origin[:eps]."""
    from .counts import NOISES
    from .exact import parse_rational

    usage = COUNT_STEP_USAGE[head]
    if len(args) > usage.count("["):
        raise UsageError(f"{family!r} has too many arguments (T is searched)", param="family",
                         allowed=f"{usage}; " + allowed)
    if head == "mdlm" and args and args[0] not in NOISES:
        raise UsageError(f"in {family!r}: the noise {args[0]!r} is unknown (T is searched)", param="family",
                         allowed=f"mdlm or mdlm:NOISE, NOISE one of {', '.join(NOISES)}")
    if head == "dream-origin" and args:
        try:
            eps = parse_rational(args[0], "eps")
        except UsageError:
            eps = None
        if eps is None or not 0 <= eps < 1:
            raise UsageError(f"in {family!r}: eps = {args[0]!r} is not a number in [0, 1) (T is searched)",
                             param="family", allowed="dream-origin or dream-origin:eps, 0 <= eps < 1")


def is_count_family(family: str) -> bool:
    """True for the random-count samplers (mdlm, sedd, dream-origin): T may exceed L, values are expectations."""
    found = registered(family.strip().partition(":")[0])
    return found is not None and found.random_counts


def family_spec(family: str, steps: int) -> str:
    """The schedule spec of ``family`` with T = ``steps`` (power:2 -> power:T:2, blocks:4:uniform -> blocks:4:uniform:T)."""
    head, args = _family_parts(family)
    found = _family_of(family)
    template = found.template(args) or ("T",)
    return ":".join([head, *(str(steps) if a == "T" else a for a in template)])


def _steps_grid(family: str, top: int) -> range:
    """The T the family allows up to ``top``: a range, never a list (L may be 10^18)."""
    head, args = _family_parts(family)
    if _family_of(family).reveals == "blocks":
        from .exact import positive_int

        k = positive_int(args[0], "K")
        return range(k, top + 1, k)
    return range(1, top + 1)


def family_schedule(family: str, steps: int, length: int, curve: LossCurve | None = None) -> "Schedule":
    """The T-step schedule of ``family`` (info-optimal and optimal need the curve)."""
    from .schedule import parse_schedule

    head, _ = _family_parts(family)
    if _family_of(family).needs_curve:
        if curve is None:
            raise UsageError(f"{head} needs a loss curve", param="family", allowed="give a loss curve")
        return curve_schedule(f"{head}:{steps}", curve)
    return parse_schedule(family_spec(family, steps), length, param="family")


@dataclass(frozen=True)
class FamilyStepsResult(Printable):
    """The fewest T of a family reaching one target, by bound, estimated error or DP-optimal error.

    ``value`` is the bound (exact Fraction) for ``by="bound"``, else an
    :class:`Estimate` (nats). ``larger_misses`` lists T > ``steps`` (up to
    ``checked_up_to``) whose value is above the target again (non-monotone families).
    """

    target: Fraction
    by: str
    family: str
    steps: int | None
    schedule: "Schedule | None"
    value: Any
    unit: str
    search: str
    checked_up_to: int
    larger_misses: tuple[int, ...] = ()
    reason: str = ""
    sampler: Any = None  # a CountSampler for the random-count families (then ``schedule`` is None)
    undecided: tuple[int, ...] = ()  # T whose value is within its float error of the target (not counted as reached)
    #: (T_lo, T_hi) over every monotone completion of a partial curve (boundcalc.completion); T_hi None: none found
    steps_range: tuple[int, int | None] | None = None

    @property
    def feasible(self) -> bool:
        return self.steps is not None

    @property
    def random_counts(self) -> bool:
        """True for a random-count family (values are expectations over the counts)."""
        return is_count_family(self.family)

    @property
    def decision_note(self) -> str:
        """How a random-count family's T is decided against the values' float error."""
        return DECISION_NOTE


@dataclass(frozen=True)
class ExpectedBound(Printable):
    """A bound's expectation over random reveal counts: a float (in the profile's unit) with a certified error."""

    value: float
    error: float
    bound: str
    note: str = EXPECTED_NOTE
    #: at a ΣI estimated from a measured loss curve: ΣI's stderr and interpolation effect carried through
    stderr: float | None = None
    interpolation: float | None = None
    estimate: bool = False

    def measured(self) -> Measured:
        """The value with its certified error (an expectation over the counts; a statistical estimate too when
        ΣI is one)."""
        return Measured(max(self.value, 0.0), self.error, nonnegative=True, stderr=self.stderr,
                        interpolation=self.interpolation, estimate=self.estimate)

    def show(self, digits: int = 4) -> str:
        """'0.2451 ± 2e-13 (expected)' for tables (digits justified by the error)."""
        if self.estimate:  # '1.01 ± 0.11 (expected)': the stderr dwarfs the float error
            return f"{self.measured().show(digits)} (expected)"
        return f"{self.measured().show(digits)} ± {round_up(self.error, 1)} (expected)"


def family_sampler(family: str, steps: int, length: int) -> Any:
    """The T-step :class:`~boundcalc.counts.CountSampler` of a count family (``mdlm``, ``mdlm:cosine``, ...).

    >>> family_sampler("dream-origin", 4, 8).name
    'dream-origin:4'
    """
    from .counts import parse_sampler

    _family_parts(family)
    return parse_sampler(family_spec(family, steps), length, param="family")


def _rational_sampler(family: str, steps: int, length: int) -> Any:
    """Log-linear MDLM/SEDD and Dream origin with the floats of :func:`family_sampler` but no Fractions.

    p_k = 1 - t_k/t_{k-1} = a / (T·b - a(k - 1)) with 1 - δ = a/b (MDLM, δ = 10^-5) or 1 - eps = a/b
    (Dream), a ratio of integers, which Python rounds correctly: the same floats in O(T) integer steps.
    None for the other noises (mpmath).
    """
    from .counts import DREAM_EPS, MDLM_DELTA, CountSampler
    from .exact import parse_rational

    head, args = _family_parts(family)
    if head == "dream-origin":
        rest = 1 - (parse_rational(args[0], "eps") if args else DREAM_EPS)
        last = steps - 1  # Dream's last step reveals the rest
    elif not args or args[0] == "loglinear":
        rest, last = 1 - MDLM_DELTA, steps  # then MDLM's noise removal
    else:
        return None
    a, b = rest.numerator, rest.denominator
    total = steps * b
    reveal = [a / (total - a * (k - 1)) for k in range(1, last + 1)] + [1.0]
    keep = [(total - a * k) / (total - a * (k - 1)) for k in range(1, last + 1)] + [0.0]
    name = f"{head}:{steps}" + (f":{1 - rest}" if head == "dream-origin" and 1 - rest != DREAM_EPS else "")
    return CountSampler(length=length, steps=steps, reveal=tuple(reveal), keep=tuple(keep), name=name,
                        family="mdlm" if head == "sedd" else head)
