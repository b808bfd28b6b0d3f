"""Exact evaluation of the bounds of Li & Cai (arXiv 2505.21400), one registry entry per result.

Each upper bound on the sampling error E_M KL(p_X0 || p_Y0|M) of Theorem 1's
family has the form

    coefficient(s_max) / L * ΣI + ε_train

with an integer or half-integer coefficient, so for rational inputs the
value is an exact rational (docs/theory.md derives each one):

============  ===================================  ==============================
name          coefficient(s)                       where it comes from
============  ===================================  ==============================
theorem1      2^ceil(log2 s) - 1                   Theorem 1, eq. (8) via (20)
recursion     Σ_{k: c_k > 1} c_k / 2,              the recursion (19) unrolled
              c_0 = s, c_{k+1} = ceil(c_k / 2)     exactly, never above (20)
sharp         s - 1                                (19) with the proof's exact
                                                   second batch floor(s/2), (26)
============  ===================================  ==============================

Corollary 1 (eq. 9) holds for balanced schedules (s_max = ceil(L/T)) with the
explicit constant C1 = 2; the token-error-rate bound (eq. 11) divides a KL
bound by L; Theorem 2 (eqs. 12-13) needs a multi-scale profile Φ and holds
with C2 = 1 (every schedule with s_max <= S) and C3 = 1/16 (a lower bound for
the paper's random schedule). ``sharp <= recursion <= theorem1`` for every s,
all three equal exactly when s is a power of two.

:data:`BOUNDS` is the registry: one :class:`Bound` per result, with its
equation, the conditions under which it holds, its evaluation, its inverse
for the required T where one exists, and the key of its symbolic form in
:mod:`boundcalc.symbolic`. Everything that lists bounds (reports, ``steps``,
``verify``, LaTeX, JSON) iterates it, so a new bound is one new entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from ._print_helpers import Printable
from .constants import C1, C2, C3
from .errors import DomainError, InvalidNumberError, ScheduleError
from .exact import LogLinear, Number, ceil_log2, floor_log2, nonnegative_rational, positive_int
from .units import Unit, as_unit

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


def _check_s(s_max: int) -> int:
    if isinstance(s_max, bool) or not isinstance(s_max, int) or s_max < 1:
        raise InvalidNumberError(f"s_max = {s_max!r} is not allowed", param="s_max", allowed="a positive integer")
    return s_max


# ---------------------------------------------------------------------------
# Coefficients of ΣI/L and their inverses


def theorem1_coefficient(s_max: int) -> int:
    """2^ceil(log2 s_max) - 1, the coefficient of ΣI/L in Theorem 1 (eq. 8).

    >>> [theorem1_coefficient(s) for s in (1, 2, 3, 4, 5, 8, 9)]
    [0, 1, 3, 3, 7, 7, 15]
    """
    return (1 << ceil_log2(_check_s(s_max))) - 1


def recursion_chain(s_max: int) -> tuple[int, ...]:
    """The chain s, ceil(s/2), ceil(s/4), ..., 1 along which (19) unrolls.

    >>> recursion_chain(37)
    (37, 19, 10, 5, 3, 2, 1)
    """
    chain = [_check_s(s_max)]
    while chain[-1] > 1:
        chain.append((chain[-1] + 1) // 2)
    return tuple(chain)


def recursion_coefficient(s_max: int) -> Fraction:
    """Σ_{k: c_k > 1} c_k / 2 over the chain: (19) unrolled exactly.

    >>> recursion_coefficient(5), theorem1_coefficient(5)
    (Fraction(5, 1), 7)
    """
    return Fraction(sum(c for c in recursion_chain(s_max) if c > 1), 2)


def sharp_coefficient(s_max: int) -> int:
    """s_max - 1: the recursion with the exact batch size floor(s/2) of the proof's (26).

    The floors telescope, Σ_k floor(c_k / 2) = c_0 - 1, and no bound of the
    form c(s_max)/L * ΣI can do better: s_max identical tokens revealed at the
    first step (then one per step) have error exactly (s_max - 1)/L * ΣI.
    """
    return _check_s(s_max) - 1


def _theorem1_largest(budget: Fraction, length: int) -> int:
    # 2^ceil(log2 s) - 1 <= R  <=>  ceil(log2 s) <= floor(log2(floor(R) + 1))
    return min(1 << floor_log2(int(budget) + 1), length)


def _sharp_largest(budget: Fraction, length: int) -> int:
    return min(int(budget) + 1, length)


def _recursion_largest(budget: Fraction, length: int) -> int:
    return recursion_largest_size(budget, length)  # closed form, O(1) big-int steps (end of module)


# ---------------------------------------------------------------------------
# The registry


@dataclass(frozen=True)
class BoundInputs:
    """What a bound is evaluated at: the MI profile, the schedule, ε_train and (Theorem 2) Φ's profile."""

    profile: "MIProfile"
    schedule: "Schedule"
    eps_train: Fraction = Fraction(0)
    multiscale: "MultiScaleProfile | None" = None
    block_mi: "tuple[Fraction, ...] | None" = None  # each block's conditional ΣI_b (a data model's), if known

    def __post_init__(self) -> None:
        self.schedule.require_length(self.profile.length, "schedule")
        object.__setattr__(self, "eps_train", nonnegative_rational(self.eps_train, "eps_train"))
        if self.multiscale is not None:
            self.multiscale.check_against(self.profile)
        if self.block_mi is not None:
            blocks = len(self.schedule.block_schedules())
            if len(self.block_mi) != blocks:
                raise InvalidNumberError(f"{len(self.block_mi)} block totals for {blocks} blocks", param="block_mi")
            object.__setattr__(self, "block_mi", tuple(nonnegative_rational(x, "block_mi") for x in self.block_mi))


@dataclass(frozen=True)
class Bound:
    """One result of the theory: what it bounds, when it holds, how to evaluate and invert it.

    ``value(inputs)`` is the exact bound, or None when the result does not
    apply to these inputs; ``reason(inputs)`` says why not. ``coefficient``
    (of ΣI/L, as a function of s_max) and ``largest_max_size`` (the largest
    s_max <= L whose coefficient is within a budget: what ``steps`` inverts)
    exist for the bounds of Theorem 1's family. ``symbolic`` is the key of the
    same result in :mod:`boundcalc.symbolic`, where it is a sympy expression.
    """

    name: str
    title: str
    equation: str
    formula: str
    holds_for: str
    evaluate: Callable[[BoundInputs], Fraction]
    direction: str = "upper"  # "upper" or "lower"
    quantity: str = "kl"  # "kl": E_M KL; "ter": the per-token log TER gap
    about: str = "schedule"  # "schedule": the one given; "random": the paper's random schedule on {S, S/2}
    not_applicable: Callable[[BoundInputs], "str | None"] = field(default=lambda inputs: None)
    coefficient: Callable[[int], "Fraction | int"] | None = None
    largest_max_size: Callable[[Fraction, int], int] | None = None
    symbolic: str | None = None
    derived: str | None = None  # what boundcalc derived beyond the paper's statement (e.g. "C2 = 1")
    needs: tuple[str, ...] = ()  # optional BoundInputs fields it cannot do without, e.g. ("multiscale",)
    # "uniform": proved for uniformly random positions over all L; "blocks": for semi-autoregressive
    # schedules (positions random inside the current block only; docs/theory.md, section 11)
    positions: str = "uniform"

    def __post_init__(self) -> None:
        if self.direction not in ("upper", "lower") or self.quantity not in ("kl", "ter"):
            raise ValueError(f"bound {self.name!r}: direction {self.direction!r}, quantity {self.quantity!r}")
        if self.about not in ("schedule", "random") or self.positions not in ("uniform", "blocks"):
            raise ValueError(f"bound {self.name!r}: about {self.about!r}, positions {self.positions!r}")

    def applies_to(self, sampler: Any) -> bool:
        """True when the bound is a theorem for this sampler (any with the registry's Sampler interface).

        A sampler declares the positions its steps reveal ("uniform" or "blocks"); a random-count
        sampler gets the bounds that hold for each realisation of its counts (their expectation bounds it).
        """
        if sampler.random_counts:
            return self.per_realisation
        return self.positions == sampler.positions

    @property
    def per_realisation(self) -> bool:
        """A bound of E KL by a coefficient c(s_max) for every schedule of uniformly random positions."""
        return (self.coefficient is not None and self.positions == "uniform" and self.holds_for == "every schedule"
                and self.quantity == "kl")

    @property
    def label(self) -> str:
        """The LaTeX label of this result, ``bc:<name>``."""
        return "bc:" + self.name.replace("_", "-")

    @property
    def invertible(self) -> bool:
        """True when ``steps`` can invert it for the fewest T (a non-decreasing coefficient of s_max)."""
        return self.largest_max_size is not None

    def has_inputs(self, inputs: BoundInputs) -> bool:
        """True when every optional input the bound needs was given (else it is not worth listing)."""
        return all(getattr(inputs, name) is not None for name in self.needs)

    def reason(self, inputs: BoundInputs) -> str | None:
        """Why the bound does not apply to ``inputs``, or None when it does."""
        return self.not_applicable(inputs)

    def value(self, inputs: BoundInputs) -> Fraction | None:
        """The exact bound at ``inputs``, or None when it does not apply."""
        return None if self.reason(inputs) is not None else self.evaluate(inputs)


def _kl(coefficient: Callable[[int], "Fraction | int"]) -> Callable[[BoundInputs], Fraction]:
    def evaluate(inputs: BoundInputs) -> Fraction:
        profile = inputs.profile
        return Fraction(coefficient(inputs.schedule.max_size)) * profile.total / profile.length + inputs.eps_train

    return evaluate


def _corollary1(inputs: BoundInputs) -> Fraction:
    return C1 * inputs.profile.total / inputs.schedule.steps + inputs.eps_train


def _unbalanced(inputs: BoundInputs) -> str | None:
    s = inputs.schedule
    if s.is_balanced:
        return None
    return f"not balanced (s_max = {s.max_size}): needs s_max = ceil(L/T) = {-(-s.length // s.steps)}"


def _ter(inputs: BoundInputs) -> Fraction:
    return _kl(theorem1_coefficient)(inputs) / inputs.profile.length


def _upper2_not_applicable(inputs: BoundInputs) -> str | None:
    if inputs.multiscale is None:
        return "needs a multi-scale profile Φ"
    if inputs.schedule.max_size == 1:
        return "s_max = 1: one token per step, the error is ε_train"
    return None


def _lower2_not_applicable(inputs: BoundInputs) -> str | None:
    if inputs.multiscale is None:
        return "needs a multi-scale profile Φ"
    if inputs.multiscale.scale < 2:
        return "the random schedule on {S, S/2} needs S >= 2"
    return None


def _theorem2_upper(inputs: BoundInputs) -> Fraction:
    assert inputs.multiscale is not None
    value = theorem2_upper(inputs.multiscale, inputs.schedule, inputs.eps_train)
    assert value is not None  # s_max = 1 is not applicable
    return value


def _theorem2_lower(inputs: BoundInputs) -> Fraction:
    assert inputs.multiscale is not None
    return theorem2_lower(inputs.multiscale, inputs.eps_train)


def _require_scale(ms: "MultiScaleProfile", schedule: "Schedule") -> None:
    if schedule.max_size > ms.scale:
        raise ScheduleError(
            f"s_max = {schedule.max_size} needs levels for S = {1 << ceil_log2(schedule.max_size)}, "
            f"the multi-scale profile has them for S = {ms.scale}",
            param="multiscale",
            allowed="a multi-scale profile computed for an S at least the schedule's s_max",
        )


def _block_mi(inputs: BoundInputs) -> "list[Fraction] | None":
    """ΣI_b per block: the data model's conditional totals, else Σ_{i∈b} I_i (an upper bound), else None."""
    if inputs.block_mi is not None:
        return list(inputs.block_mi)
    values = inputs.profile.values
    if values is None:
        return None
    return [sum(values[a : a + n], Fraction(0)) for a, n, _ in inputs.schedule.block_schedules()]


def _blockwise(per_block: Callable[[int, "Schedule"], Fraction]) -> Callable[[BoundInputs], Fraction]:
    """Σ_b coefficient_b · ΣI_b + ε_train (B1); with only ΣI known, max_b coefficient_b · ΣI + ε_train."""

    def evaluate(inputs: BoundInputs) -> Fraction:
        parts = inputs.schedule.block_schedules()
        terms = [per_block(n, inner) for _, n, inner in parts]
        mis = _block_mi(inputs)
        if mis is None:
            return max(terms) * inputs.profile.total + inputs.eps_train
        return sum((t * mi for t, mi in zip(terms, mis)), Fraction(0)) + inputs.eps_train

    return evaluate


def _block_coefficient(coefficient: Callable[[int], "Fraction | int"]) -> Callable[[int, "Schedule"], Fraction]:
    return lambda n, inner: Fraction(coefficient(inner.max_size), n)


def _block_unbalanced(inputs: BoundInputs) -> str | None:
    for start, n, inner in inputs.schedule.block_schedules():
        if not inner.is_balanced:
            return f"the block at {start} is not balanced (s_max = {inner.max_size}, ceil(B/T_b) = {-(-n // inner.steps)})"
    return None


def _block_entry(name: str, coefficient: Callable[[int], "Fraction | int"], title: str) -> Bound:
    return Bound(
        name=f"block_{name}",
        title=f"{title}, blockwise",
        equation="(B1)",
        formula=f"Σ_b c(s_b)/B_b ΣI_b + ε_train, c = {name}",
        holds_for="semi-autoregressive schedules (blocks left to right)",
        evaluate=_blockwise(_block_coefficient(coefficient)),
        positions="blocks",
        derived="docs/theory.md, section 11",
    )


#: The registry, in the order of reports and the JSON contract.
BOUNDS: Mapping[str, Bound] = {
    bound.name: bound
    for bound in (
        Bound(
            name="theorem1",
            title="Theorem 1",
            equation="(8)",
            formula="(2^ceil(log2 s_max) - 1)/L ΣI + ε_train",
            holds_for="every schedule",
            evaluate=_kl(theorem1_coefficient),
            coefficient=theorem1_coefficient,
            largest_max_size=_theorem1_largest,
            symbolic="theorem1",
        ),
        Bound(
            name="recursion",
            title="recursion (19) unrolled",
            equation="(19)",
            formula="(19) unrolled along s, ceil(s/2), ..., 1",
            holds_for="every schedule",
            evaluate=_kl(recursion_coefficient),
            coefficient=recursion_coefficient,
            largest_max_size=_recursion_largest,
            symbolic="recursion",
            derived="exact unrolling of (19)",
        ),
        Bound(
            name="sharp",
            title="sharp bound",
            equation="(19),(26)",
            formula="(s_max - 1)/L ΣI + ε_train",
            holds_for="every schedule",
            evaluate=_kl(sharp_coefficient),
            coefficient=sharp_coefficient,
            largest_max_size=_sharp_largest,
            symbolic="sharp",
            derived="second batch floor(s/2)",
        ),
        Bound(
            name="corollary1",
            title="Corollary 1",
            equation="(9)",
            formula=f"{C1}/T ΣI + ε_train",
            holds_for="balanced schedules, s_max = ceil(L/T)",
            evaluate=_corollary1,
            not_applicable=_unbalanced,
            symbolic="corollary1",
            derived=f"C1 = {C1}",
        ),
        Bound(
            name="ter",
            title="token error rate",
            equation="(11)",
            formula="per-token log TER gap: theorem1 / L",
            holds_for="every schedule",
            evaluate=_ter,
            quantity="ter",
            symbolic="ter",
        ),
        Bound(
            name="theorem2_upper",
            title="Theorem 2, upper",
            equation="(12)",
            formula=f"C2 S/L Φ + ε_train, C2 = {C2}",
            holds_for="every schedule with s_max <= S",
            evaluate=_theorem2_upper,
            not_applicable=_upper2_not_applicable,
            symbolic="theorem2_upper",
            needs=("multiscale",),
            derived=f"C2 = {C2}",
        ),
        Bound(
            name="theorem2_lower",
            title="Theorem 2, lower",
            equation="(13)",
            formula=f"C3 S/L Φ + ε_train, C3 = {C3}",
            holds_for="the random schedule on {S, S/2}, averaged over the schedule",
            evaluate=_theorem2_lower,
            direction="lower",
            about="random",
            not_applicable=_lower2_not_applicable,
            symbolic="theorem2_lower",
            needs=("multiscale",),
            derived=f"C3 = {C3}",
        ),
        _block_entry("sharp", sharp_coefficient, "sharp bound"),
        _block_entry("recursion", recursion_coefficient, "recursion (19) unrolled"),
        _block_entry("theorem1", theorem1_coefficient, "Theorem 1"),
        Bound(
            name="block_corollary1",
            title="Corollary 1, blockwise",
            equation="(B1),(9)",
            formula=f"Σ_b {C1}/T_b ΣI_b + ε_train",
            holds_for="semi-autoregressive schedules whose every block is balanced",
            evaluate=_blockwise(lambda n, inner: Fraction(C1, inner.steps)),
            not_applicable=_block_unbalanced,
            positions="blocks",
            derived=f"C1 = {C1}, docs/theory.md, section 11",
        ),
    )
}


def _bound(name: str) -> Bound:
    try:
        return BOUNDS[name]
    except KeyError:
        raise InvalidNumberError(f"unknown bound {name!r}", param="bound", allowed=f"one of {', '.join(BOUNDS)}") from None


def bound_coefficient(bound: str, s_max: int) -> Fraction:
    """The coefficient of ΣI/L of the named bound at s_max (bounds of Theorem 1's family)."""
    entry = _bound(bound)
    if entry.coefficient is None:
        raise InvalidNumberError(
            f"{bound!r} is not of the form coefficient(s_max)/L ΣI",
            param="bound",
            allowed=", ".join(name for name, b in BOUNDS.items() if b.coefficient is not None),
        )
    return Fraction(entry.coefficient(s_max))


def largest_max_size(bound: str, budget: Fraction, length: int) -> int:
    """The largest s in [1, L] with coefficient(s) <= budget (budget >= 0): the inverse ``steps`` uses.

    >>> largest_max_size("theorem1", Fraction(1), 10), largest_max_size("sharp", Fraction(5, 2), 10)
    (2, 3)
    """
    if budget < 0:
        raise InvalidNumberError(f"budget {budget} is negative", param="budget", allowed="a budget >= 0")
    entry = _bound(bound)
    if entry.largest_max_size is None:
        raise InvalidNumberError(
            f"{bound!r} cannot be inverted for s_max",
            param="bound",
            allowed=", ".join(name for name, b in BOUNDS.items() if b.invertible),
        )
    return entry.largest_max_size(budget, length)


# ---------------------------------------------------------------------------
# One function per bound


def _inputs(profile: "MIProfile", schedule: "Schedule", eps_train: Number, multiscale: Any = None) -> BoundInputs:
    return BoundInputs(profile, schedule, nonnegative_rational(eps_train, "eps_train"), multiscale)


def require_global(schedule: "Schedule", what: str = "this bound") -> "Schedule":
    """Return ``schedule``, or raise when it is blockwise: the global bounds assume uniformly random positions.

    For a semi-autoregressive schedule (``blocks:K:FAMILY:T``, ``llada:...``) the
    positions are random only inside the current block, and a bound at the
    global ΣI can be below the truth (four bits with X1 = X2, blocks:2:uniform:2:
    error ln 2, Theorem 1 at the global ΣI ln 2 / 2). :func:`bound_report`
    lists the blockwise bounds instead.
    """
    if schedule.positions == "blocks":
        raise ScheduleError(
            f"{what} assumes uniformly random positions over all L, but {schedule} is semi-autoregressive",
            param="schedule",
            allowed="the blockwise bounds (bound_report or block_bound_report), "
            "or flat-blocks:K:FAMILY:T for the same sizes with random positions",
        )
    return schedule


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


def theorem2_upper(ms: "MultiScaleProfile", schedule: "Schedule", eps_train: Number = 0) -> Fraction | None:
    """Upper bound (12) with C2 = 1: S/L · Φ + ε_train, for a schedule with s_max <= S.

    None when s_max = 1: Theorem 2 assumes s_max > 1, and then the error is
    exactly ε_train (ε(1) = 0). A schedule whose s_max needs a larger S than
    the profile's levels provide is an error; a smaller one is allowed (the
    bound still holds, less tightly).

    >>> from boundcalc import MultiScaleProfile, Schedule
    >>> ms = MultiScaleProfile.from_level_totals([0, "1/2", 1], length=4)
    >>> theorem2_upper(ms, Schedule([2, 2]), "0.1")   # Φ = 0 + 1/2 * 1/2 + 1/4 * 1
    Fraction(3, 5)
    """
    require_global(schedule, "theorem2_upper")
    schedule.require_length(ms.length, "schedule")
    eps = nonnegative_rational(eps_train, "eps_train")
    if schedule.max_size == 1:
        return None
    _require_scale(ms, schedule)
    return C2 * ms.scale * ms.phi / ms.length + eps


def theorem2_lower(ms: "MultiScaleProfile", eps_train: Number = 0) -> Fraction:
    """Lower bound (13) with C3 = 1/16 for the random schedule on {S, S/2}: S/(16 L) · Φ + ε_train.

    It bounds the error *averaged over the schedule's randomness*
    (:func:`boundcalc.truth.expected_random_error`), not every schedule: see
    the paper's remark and the ``degenerate`` schedule.

    >>> from boundcalc import MultiScaleProfile
    >>> theorem2_lower(MultiScaleProfile.from_level_totals([0, "1/2", 1], length=4))
    Fraction(1, 32)
    """
    eps = nonnegative_rational(eps_train, "eps_train")
    if ms.scale < 2:
        raise DomainError(
            "s_max = 1: the random schedule on {S, S/2} needs S >= 2, and with one token per step the error is ε_train",
            param="multiscale",
            allowed="a multi-scale profile for S = 2, 4, 8, ...",
        )
    return C3 * ms.scale * ms.phi / ms.length + eps


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


def per_realisation_bounds() -> tuple[str, ...]:
    """The registry's bounds of E KL with a coefficient c(s_max) that hold for every schedule of uniformly
    random positions: they hold for each realisation of a random-count sampler, so their expectation bounds it.

    >>> per_realisation_bounds()
    ('theorem1', 'recursion', 'sharp')
    """
    return tuple(entry.name for entry in BOUNDS.values() if entry.per_realisation)


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
        if unit is Unit.BITS:
            value /= mpmath.log(2)
        rounded = float(value)
        if mpmath.mpf(rounded) < value:
            rounded = math.nextafter(rounded, math.inf)
    log = "ln" if unit is Unit.NATS else "log2"
    return ConfidenceBound(e, n, v, unit, rounded, f"({n} - 1)*(H_b({e}) + {e}*{log}({v} - 1))")


def recursion_largest_size(budget: Fraction, length: int) -> int:
    """The largest s in [1, L] with recursion_coefficient(s) <= budget (budget >= 0), in O(1) big-int steps.

    With n = s - 1, the chain is c_k = ceil(s / 2^k) = floor(n / 2^k) + 1 for
    k = 0, ..., bitlen(n) - 1 (those are the c_k > 1), and
    Σ_k floor(n / 2^k) = 2n - popcount(n), so

        2 recursion_coefficient(s) = f(n) = 2n - popcount(n) + bitlen(n).

    f is non-decreasing and 2n <= f(n) <= 2n + bitlen(n), so the largest n
    with f(n) <= B = floor(2 budget) lies within bitlen(B) of B // 2: a
    bisection over that window costs O(log log B) evaluations of f (L = 10^3000
    answers at once).

    >>> recursion_largest_size(Fraction(5), 100), recursion_largest_size(Fraction(11, 2), 100)
    (5, 6)
    >>> recursion_largest_size(Fraction(10**6), 10)
    10
    """
    budget = Fraction(budget)
    if budget < 0:
        raise ValueError("the budget must be >= 0")
    length = positive_int(length, "length")
    twice = (2 * budget.numerator) // budget.denominator  # f(n) <= 2 budget <=> f(n) <= floor(2 budget)

    def f(n: int) -> int:
        return 2 * n - n.bit_count() + n.bit_length()

    hi = min(length - 1, twice // 2)  # f(n) >= 2n
    lo = max(0, min(hi, twice // 2 - twice.bit_length() - 1))  # f(lo) <= 2 lo + bitlen(lo) <= twice
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if f(mid) <= twice:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1
