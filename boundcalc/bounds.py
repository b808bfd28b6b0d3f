"""The bounds of Li & Cai (arXiv 2505.21400) evaluated exactly: one function per bound, and the reports.

The registry of results (:data:`BOUNDS`: one :class:`Bound` per result, its
coefficient of ΣI/L and its inverse) is :mod:`boundcalc.bound_registry`; this
module evaluates them for a profile and a schedule and gathers them in reports
(:func:`bound_report`, :func:`block_bound_report`, :func:`count_bound_report`,
:func:`recursion_report`, :func:`confidence_bound`). Every name of the registry
is importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from ._print_helpers import Printable
from .bound_registry import (  # noqa: F401  (the registry's names, importable from here as before)
    BOUNDS,
    Bound,
    BoundInputs,
    bound_coefficient,
    largest_max_size,
    per_realisation_bounds,
    recursion_chain,
    recursion_coefficient,
    recursion_largest_size,
    require_global,
    sharp_coefficient,
    theorem1_coefficient,
    theorem2_lower,
    theorem2_upper,
)
from .constants import C1, C2, C3
from .errors import InvalidNumberError, ScheduleError
from .exact import LogLinear, Number, ceil_log2, check_listed_digits, nonnegative_rational, positive_int
from .units import Unit, as_unit, from_nats

if TYPE_CHECKING:  # only annotations need them; keeps the command's start-up light
    from .multiscale import MultiScaleProfile
    from .profile import MIProfile
    from .schedule import Schedule

__all__ = [
    "BOUNDS",
    "C1",
    "C2",
    "C3",
    "Bound",
    "BoundInputs",
    "BoundReport",
    "RecursionReport",
    "bound_coefficient",
    "theorem1_coefficient",
    "recursion_chain",
    "recursion_coefficient",
    "sharp_coefficient",
    "largest_max_size",
    "theorem1",
    "recursion",
    "sharp",
    "corollary1",
    "ter",
    "ter_vocabulary",
    "theorem2_upper",
    "theorem2_lower",
    "bound_report",
    "recursion_report",
    "require_global",
    "block_bound_report",
    "CountBoundReport",
    "count_bound_report",
    "per_realisation_bounds",
    "ConfidenceBound",
    "confidence_bound",
    "recursion_largest_size",
]


# ---------------------------------------------------------------------------
# One function per bound


def _inputs(profile: "MIProfile", schedule: "Schedule", eps_train: Number, multiscale: Any = None) -> BoundInputs:
    return BoundInputs(profile, schedule, nonnegative_rational(eps_train, "eps_train"), multiscale)


def theorem1(profile: "MIProfile", schedule: "Schedule", eps_train: Number = 0) -> Fraction:
    """Theorem 1 (eq. 8): (2^ceil(log2 s_max) - 1)/L * ΣI + ε_train.

    >>> from boundcalc import MIProfile, Schedule
    >>> theorem1(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), "0.1")
    Fraction(3, 2)
    """
    return BOUNDS["theorem1"].evaluate(_inputs(profile, require_global(schedule, "theorem1"), eps_train))


def recursion(profile: "MIProfile", schedule: "Schedule", eps_train: Number = 0) -> Fraction:
    """The recursion (19) unrolled exactly: never above :func:`theorem1`.

    >>> from boundcalc import MIProfile, Schedule
    >>> recursion(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), "0.1")
    Fraction(11, 10)
    """
    return BOUNDS["recursion"].evaluate(_inputs(profile, require_global(schedule, "recursion"), eps_train))


def sharp(profile: "MIProfile", schedule: "Schedule", eps_train: Number = 0) -> Fraction:
    """(s_max - 1)/L * ΣI + ε_train, never above :func:`recursion`.

    >>> from boundcalc import MIProfile, Schedule
    >>> sharp(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), "0.1")
    Fraction(9, 10)
    """
    return BOUNDS["sharp"].evaluate(_inputs(profile, require_global(schedule, "sharp"), eps_train))


def corollary1(profile: "MIProfile", schedule: "Schedule", eps_train: Number = 0) -> Fraction | None:
    """Corollary 1 (eq. 9) with C1 = 2: 2/T * ΣI + ε_train, for balanced schedules.

    Holds whenever s_max = ceil(L/T) (every uniform schedule; docs/theory.md,
    section 4); returns None for other schedules, where it is not a theorem.

    >>> from boundcalc import MIProfile, Schedule
    >>> corollary1(MIProfile.from_total(2, 10), Schedule.uniform(10, 4), 0)
    Fraction(1, 1)
    >>> corollary1(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), 0) is None
    True
    """
    return BOUNDS["corollary1"].value(_inputs(profile, require_global(schedule, "corollary1"), eps_train))


def ter(profile: "MIProfile", schedule: "Schedule", eps_train: Number = 0, via: str = "theorem1") -> Fraction:
    """Token error rate gap (eq. 11): log TER(p_Y0) - log TER(p_X0) <= bound / L.

    The log is in the profile's unit: log2 for bits (the paper's eq. 10), ln for nats.

    >>> from boundcalc import MIProfile, Schedule
    >>> ter(MIProfile.from_total(2, 10, unit="bits"), Schedule([5, 3, 2]), "0.1")
    Fraction(3, 20)
    """
    inputs = _inputs(profile, require_global(schedule, "ter"), eps_train)
    return (bound_coefficient(via, schedule.max_size) * profile.total / profile.length + inputs.eps_train) / profile.length


def ter_vocabulary(
    schedule: "Schedule",
    vocab_size: int,
    eps_train: Number = 0,
    unit: "Unit | str" = Unit.NATS,
    via: str = "theorem1",
) -> LogLinear:
    """The TER bound for *any* data over a vocabulary of V symbols: coefficient/L * log V + ε_train/L.

    Since I_i <= H(X^(i)) <= log V, ΣI <= L log V (the paper's O(log|X| / T)
    remark after eq. 11). Compare with log V, the gap of the uniform baseline.

    >>> from boundcalc import Schedule
    >>> ter_vocabulary(Schedule.uniform(1024, 64), 2, unit="bits").exact
    '15/1024*log2(2)'
    """
    require_global(schedule, "ter_vocabulary")
    v = positive_int(vocab_size, "vocab_size")
    eps = nonnegative_rational(eps_train, "eps_train")
    coefficient = bound_coefficient(via, schedule.max_size) / schedule.length
    return LogLinear(coefficient, v, eps / schedule.length, as_unit(unit).value)


# ---------------------------------------------------------------------------
# Reports


@dataclass(frozen=True)
class BoundReport(Printable):
    """Every registered bound for one (profile, schedule, ε_train[, multi-scale profile]), exact.

    ``values[name]`` is the bound or None where it does not apply
    (``reasons[name]`` says why); each is also an attribute
    (``report.theorem1``).

    >>> from boundcalc import MIProfile, Schedule
    >>> r = bound_report(MIProfile.from_total(2, 10), Schedule([5, 3, 2]))
    >>> r.theorem1, r.recursion, r.sharp, r.corollary1
    (Fraction(7, 5), Fraction(1, 1), Fraction(4, 5), None)
    >>> r.reasons["corollary1"]
    'not balanced (s_max = 5): needs s_max = ceil(L/T) = 4'
    """

    inputs: BoundInputs
    values: Mapping[str, Fraction | None]
    reasons: Mapping[str, str]
    vocab_size: int | None = None

    def __getattr__(self, name: str) -> Any:
        # bound values as attributes; only reached when normal lookup fails
        if name in BOUNDS and "values" in self.__dict__:
            return self.values.get(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def bounds(self) -> dict[str, Fraction | None]:
        """The bounds by name, in registry order."""
        return dict(self.values)

    def items(self) -> Iterator[tuple[Bound, Fraction | None]]:
        """(registry entry, value) pairs, in registry order."""
        return ((BOUNDS[name], value) for name, value in self.values.items())

    length = property(lambda self: self.inputs.profile.length, doc="L")
    steps = property(lambda self: self.inputs.schedule.steps, doc="T")
    max_size = property(lambda self: self.inputs.schedule.max_size, doc="s_max of the schedule")
    mi_total = property(lambda self: self.inputs.profile.total, doc="ΣI")
    eps_train = property(lambda self: self.inputs.eps_train, doc="ε_train")
    unit = property(lambda self: self.inputs.profile.unit, doc="the unit of ΣI and the bounds")
    schedule = property(lambda self: str(self.inputs.schedule), doc="the schedule's name or sizes")
    multiscale = property(lambda self: self.inputs.multiscale, doc="the MultiScaleProfile behind Theorem 2, if any")
    registry = property(lambda self: BOUNDS, doc="the bound registry (so printers need not import this module)")

    @property
    def ter_vocabulary(self) -> LogLinear | None:
        """coefficient/L * log V + ε_train/L when V is known (any data over V symbols)."""
        if self.vocab_size is None:
            return None
        return ter_vocabulary(self.inputs.schedule, self.vocab_size, self.eps_train, self.unit)

    @property
    def uniform_baseline(self) -> LogLinear | None:
        """log V: the TER gap of sampling uniformly at random (the paper's baseline)."""
        return None if self.vocab_size is None else LogLinear(Fraction(1), self.vocab_size, Fraction(0), self.unit)


def bound_report(
    profile: "MIProfile",
    schedule: "Schedule",
    eps_train: Number = 0,
    vocab_size: int | None = None,
    multiscale: "MultiScaleProfile | None" = None,
    block_mi: "Sequence[Number] | None" = None,
) -> BoundReport:
    """Every registered bound that holds for the schedule; with a :class:`~boundcalc.MultiScaleProfile`, Theorem 2's.

    A semi-autoregressive schedule gets the blockwise bounds only (the others
    assume uniformly random positions over all L); ``block_mi`` gives each
    block's conditional ΣI_b (see :func:`block_bound_report`).
    """
    if schedule.positions == "blocks" and (multiscale is not None or vocab_size is not None):
        raise ScheduleError(
            f"{schedule} is semi-autoregressive: Theorem 2 and the vocabulary TER bound assume random positions",
            param="multiscale" if multiscale is not None else "vocab_size",
            allowed="no multi-scale profile or vocabulary size with a blockwise schedule",
        )
    mis = None if block_mi is None else tuple(nonnegative_rational(x, "block_mi") for x in block_mi)
    inputs = BoundInputs(profile, schedule, nonnegative_rational(eps_train, "eps_train"), multiscale, mis)
    values: dict[str, Fraction | None] = {}
    reasons: dict[str, str] = {}
    for name, entry in BOUNDS.items():
        if not entry.applies_to(schedule):
            continue
        reason = entry.reason(inputs)
        if reason is None:
            values[name] = entry.evaluate(inputs)
        else:
            values[name], reasons[name] = None, reason
    return BoundReport(
        inputs, values, reasons, vocab_size=None if vocab_size is None else positive_int(vocab_size, "vocab_size")
    )


@dataclass(frozen=True)
class RecursionReport(Printable):
    """The recursion (19) unrolled for one s_max (``boundcalc recursion``).

    ``terms[k]`` is the level-k increment c_k/2 (in units of ΣI/L, or of ΣI
    when ``length`` is given), for each c_k > 1 of the chain.
    """

    max_size: int
    length: int | None
    chain: tuple[int, ...]
    terms: tuple[Fraction, ...]
    unrolled: Fraction
    closed_form: Fraction
    sharp: Fraction

    @property
    def ratio(self) -> Fraction | None:
        """unrolled / closed form (1 at powers of two); None when s_max = 1 (both are 0)."""
        return None if self.closed_form == 0 else self.unrolled / self.closed_form


def recursion_report(s_max: int, length: int | None = None) -> RecursionReport:
    """The chain, per-level terms, exact sum, closed form (20) and their ratio.

    >>> r = recursion_report(5)
    >>> r.chain, r.terms, r.unrolled, r.closed_form, r.ratio
    ((5, 3, 2, 1), (Fraction(5, 2), Fraction(3, 2), Fraction(1, 1)), Fraction(5, 1), Fraction(7, 1), Fraction(5, 7))
    """
    check_listed_digits(ceil_log2(positive_int(s_max, "s_max")) + 1, s_max, f"the chain of (19) for s_max = {s_max}", "s_max")
    chain = recursion_chain(s_max)
    if length is not None:
        length = positive_int(length, "length")
        if s_max > length:
            raise InvalidNumberError(f"s_max = {s_max} exceeds L = {length}", param="s_max", allowed="s_max <= L")
    scale = Fraction(1, length) if length else Fraction(1)
    terms = tuple(Fraction(c, 2) * scale for c in chain if c > 1)
    return RecursionReport(
        max_size=s_max,
        length=length,
        chain=chain,
        terms=terms,
        unrolled=sum(terms, Fraction(0)),
        closed_form=theorem1_coefficient(s_max) * scale,
        sharp=sharp_coefficient(s_max) * scale,
    )


# ---------------------------------------------------------------------------
# Samplers that are not fixed uniform-position schedules (docs/theory.md, sections 11-13)


def block_bound_report(
    profile: "MIProfile", schedule: "Schedule", eps_train: Number = 0, block_mi: "Sequence[Number] | None" = None
) -> BoundReport:
    """The blockwise bounds (B1) of a semi-autoregressive schedule: Σ_b c(s_b)/B_b · ΣI_b + ε_train.

    ΣI_b = Σ_{i∈b} I(X_i; X_{b∖i} | X_{<b}) is ``block_mi`` (a data model's
    conditional totals) when given, else Σ_{i∈b} I_i from per-token values
    (never smaller), else only ΣI is known and the bound is max_b c(s_b)/B_b · ΣI.

    >>> from boundcalc import MIProfile, Schedule
    >>> p = MIProfile.from_values(["0.69", "0.69", "0", "0"])   # X1 = X2 (about ln 2 each)
    >>> r = block_bound_report(p, Schedule.blocks(4, 2, "uniform:2"))
    >>> r.block_theorem1, r.block_sharp, "theorem1" in r.values
    (Fraction(69, 100), Fraction(69, 100), False)
    """
    if schedule.positions != "blocks":
        raise ScheduleError(f"{schedule} has no blocks", param="schedule",
                            allowed="a semi-autoregressive schedule (blocks:K:FAMILY:T, llada:GEN:BLOCK:STEPS)")
    return bound_report(profile, schedule, eps_train, block_mi=block_mi)


@dataclass(frozen=True)
class CountBoundReport(Printable):
    """The expected coefficient bounds of a random-count sampler (floats with a certified error).

    Every registered bound of Theorem 1's family that holds for every schedule
    (theorem1, recursion, sharp) holds for each realisation of the counts with
    its largest step S_max (positions are uniform given the counts), so
    E KL <= E[c(S_max)]/L · ΣI + ε_train; E[c(S_max)] comes from the law of
    S_max (:meth:`~boundcalc.counts.CountSampler.expected_coefficient`).
    Corollary 1 and Theorem 2 are not listed: their conditions depend on the realisation.
    """

    profile: "MIProfile"
    sampler: Any
    eps_train: Fraction
    coefficients: Mapping[str, tuple[float, float]]  # name -> (E c(S_max), its float error)
    expected_max: tuple[float, float]
    nonempty_steps: tuple[float, float]

    length = property(lambda self: self.profile.length, doc="L")
    steps = property(lambda self: len(self.sampler.reveal), doc="steps the sampler runs (the last reveals the rest)")
    max_size = None
    mi_total = property(lambda self: self.profile.total, doc="ΣI")
    unit = property(lambda self: self.profile.unit, doc="the unit of ΣI and the bounds")
    schedule = property(lambda self: str(self.sampler), doc="the sampler's name")
    multiscale = None
    registry = property(lambda self: BOUNDS, doc="the bound registry (so printers need not import this module)")

    @property
    def values(self) -> dict[str, float]:
        """E c(S_max)/L · ΣI + ε_train per bound name (float)."""
        scale = float(self.profile.total) / self.length
        return {name: c * scale + float(self.eps_train) for name, (c, _) in self.coefficients.items()}

    bounds = values

    @property
    def errors(self) -> dict[str, float]:
        """A bound on each value's float error."""
        scale = float(self.profile.total) / self.length
        return {name: e * scale + 4 * 2.0**-53 * (c * scale + float(self.eps_train))
                for name, (c, e) in self.coefficients.items()}

    def items(self) -> Iterator[tuple[Bound, float]]:
        """(registry entry, expected value) pairs, in registry order."""
        values = self.values
        return ((BOUNDS[name], values[name]) for name in self.coefficients)


def count_bound_report(profile: "MIProfile", sampler: Any, eps_train: Number = 0) -> CountBoundReport:
    """E[c(S_max)]/L · ΣI + ε_train for every per-realisation coefficient bound of the registry.

    >>> from boundcalc import MIProfile
    >>> from boundcalc.counts import parse_sampler
    >>> r = count_bound_report(MIProfile.from_total(8, 8), parse_sampler("dream-origin:8", 8))
    >>> round(r.values["sharp"], 4), round(r.nonempty_steps[0], 4)
    (1.5972, 5.2511)
    """
    if sampler.length != profile.length:
        raise ScheduleError(f"{sampler} is for L = {sampler.length}, the profile has L = {profile.length}",
                            param="schedule")
    eps = nonnegative_rational(eps_train, "eps_train")
    coefficients = {name: sampler.expected_coefficient(BOUNDS[name].coefficient) for name in per_realisation_bounds()}
    return CountBoundReport(profile, sampler, eps, coefficients, sampler.expected_coefficient(lambda s: s),
                            sampler.expected_nonempty_steps())


@dataclass(frozen=True)
class ConfidenceBound(Printable):
    """(n - 1)(H_b(ε) + ε log(V - 1)): one step revealing n tokens, each with confidence >= 1 - ε.

    ``value`` is a float rounded *up* from a 50-digit evaluation, so it is a
    valid upper bound; ``exact`` is the expression with this case's numbers.
    """

    eps: Fraction
    reveal: int
    vocab_size: int
    unit: Unit
    value: float
    exact: str


def confidence_bound(eps: Number, reveal: int, vocab_size: int, unit: "Unit | str" = Unit.NATS) -> ConfidenceBound:
    """Fast-dLLM's Theorem 1 (arXiv 2505.22618) as a function: the KL of one parallel step under high confidence.

    For a step that reveals n tokens whose (true conditional) laws given the
    revealed context each put probability >= 1 - ε on one value, sampling them
    independently costs KL = Σ_i H(X_i | ·) - H(X_D | ·) <= (n - 1) max_i H(X_i | ·)
    <= (n - 1)(H_b(ε) + ε log(V - 1)), for ε <= (V - 1)/V (docs/theory.md,
    section 13). Tight: n copies of one token.

    >>> b = confidence_bound("0.1", 2, 2)
    >>> round(b.value, 6), b.exact
    (0.325083, '(2 - 1)*(H_b(1/10) + 1/10*ln(2 - 1))')
    """
    import math
    import sys

    import mpmath

    unit = as_unit(unit)
    e = nonnegative_rational(eps, "eps")
    n = positive_int(reveal, "reveal")
    v = positive_int(vocab_size, "vocab_size")
    if v < 2:
        raise InvalidNumberError(f"V = {v}", param="vocab_size", allowed="a vocabulary of at least 2 symbols")
    if e > Fraction(v - 1, v):
        raise InvalidNumberError(
            f"ε = {e} exceeds (V - 1)/V = {Fraction(v - 1, v)}",
            param="eps",
            allowed="0 <= ε <= (V-1)/V: a confidence below 1/V is no constraint, and the formula would be too small",
        )
    with mpmath.workdps(50):
        x = mpmath.mpf(e.numerator) / e.denominator
        hb = 0 if x in (0, 1) else -x * mpmath.log(x) - (1 - x) * mpmath.log(1 - x)
        value = (n - 1) * (hb + (x * mpmath.log(v - 1) if v > 2 else 0))
        value = from_nats(value, unit)  # ε is exact in its unit: the bound is stated in it
        if value > mpmath.mpf(sys.float_info.max):  # float(value) would be inf: no number to show
            raise InvalidNumberError(f"n = {n} and V = {v} give a bound beyond the float64 range", param="reveal",
                                     allowed=f"a bound below {sys.float_info.max:.3g}: fewer tokens per step")
        rounded = float(value)
        if mpmath.mpf(rounded) < value:
            rounded = math.nextafter(rounded, math.inf)
    log = unit.log_name
    return ConfidenceBound(e, n, v, unit, rounded, f"({n} - 1)*(H_b({e}) + {e}*{log}({v} - 1))")


