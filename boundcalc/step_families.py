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
from .errors import UsageError
from .estimate import curve_schedule
from .registry import SamplerSpec, parse_searched, searched_usages
from .registry import family as registered
from .exact import Measured, round_up

if TYPE_CHECKING:  # pragma: no cover
    from .schedule import Schedule

__all__ = [
    "STEP_FAMILIES",
    "BUDGET_FAMILIES",
    "COUNT_MAX_STEPS_FACTOR",
    "SCAN_BUDGET_US",
    "BLOCKS_ERROR",
    "is_count_family",
    "searched_family",
    "family_spec",
    "family_schedule",
    "family_sampler",
    "FamilyStepsResult",
    "ExpectedBound",
]

#: T-parametrised families `steps --family` knows, from the registry: fixed ones, the curve's, blocks, random counts.
STEP_FAMILIES: tuple[str, ...] = searched_usages()
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


def searched_family(family: "str | SamplerSpec") -> SamplerSpec:
    """The family whose T is searched, as the registry's value object: a string is read once, here (the
    library's edge; the command line parses its ``--family`` itself), and never again downstream.

    >>> searched_family("power:1/2").args
    ('T', '1/2')
    """
    return family if isinstance(family, SamplerSpec) else parse_searched(family)


BLOCKS_ERROR = ("is semi-autoregressive: its error needs each block's profile given the earlier blocks, which the "
                "global curve does not determine")


def is_count_family(family: "str | SamplerSpec") -> bool:
    """True for the random-count samplers (mdlm, sedd, dream-origin): T may exceed L, values are expectations."""
    if isinstance(family, SamplerSpec):
        return family.family.random_counts
    found = registered(family.strip().partition(":")[0])
    return found is not None and found.random_counts


def family_spec(family: "str | SamplerSpec", steps: int) -> str:
    """The schedule spec of ``family`` with T = ``steps`` (power:2 -> power:T:2, blocks:4:uniform -> blocks:4:uniform:T)."""
    return searched_family(family).at(steps).text


def _steps_grid(spec: SamplerSpec, top: int) -> range:
    """The T the family allows up to ``top`` (multiples of its number of blocks): a range, never a list."""
    every = spec.family.blocks_of(spec.args)
    return range(every, top + 1, every)


def family_schedule(family: "str | SamplerSpec", steps: int, length: int, curve: LossCurve | None = None
                    ) -> "Schedule":
    """The T-step schedule of ``family`` (info-optimal and optimal need the curve)."""
    from .schedule import parse_schedule

    spec = searched_family(family)
    if spec.family.needs_curve:
        if curve is None:
            raise UsageError(f"{spec.family.name} needs a loss curve", param="family", allowed="give a loss curve")
        return curve_schedule(spec.at(steps).text, curve)
    return parse_schedule(spec.at(steps), length, param="family")


@dataclass(frozen=True)
class FamilyStepsResult(Printable):
    """The fewest T of a family reaching one target, by bound, estimated error or DP-optimal error.

    ``value`` is the bound (exact Fraction) for ``by="bound"``, else an
    :class:`Estimate` (nats). ``larger_misses`` lists T > ``steps`` (up to
    ``checked_up_to``) whose value is above the target again (non-monotone families).
    """

    target: Fraction
    by: str
    family: Any  # the searched family's SamplerSpec (str() is the family as written)
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


def family_sampler(family: "str | SamplerSpec", steps: int, length: int) -> Any:
    """The T-step :class:`~boundcalc.counts.CountSampler` of a count family (``mdlm``, ``mdlm:cosine``, ...).

    >>> family_sampler("dream-origin", 4, 8).name
    'dream-origin:4'
    """
    from .counts import parse_sampler

    return parse_sampler(searched_family(family).at(steps), length, param="family")


def _rational_sampler(family: "str | SamplerSpec", steps: int, length: int) -> Any:
    """:func:`family_sampler`'s sampler built the family's quicker way (the same floats, no Fractions), or None
    (:meth:`~boundcalc.registry.SamplerFamily.quick_sampler`: log-linear MDLM/SEDD and Dream origin have one)."""
    spec = searched_family(family)
    return spec.family.quick_sampler(length, steps, spec.given_args)
