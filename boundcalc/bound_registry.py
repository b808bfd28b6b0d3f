"""The bound registry: one :class:`Bound` per result of Li & Cai (arXiv 2505.21400), its coefficient and inverse.

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
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .constants import C1, C2, C3
from .errors import DomainError, InvalidNumberError, ScheduleError
from .exact import Number, ceil_log2, floor_log2, nonnegative_rational, positive_int

if TYPE_CHECKING:  # only annotations need them; keeps the command's start-up light
    from .multiscale import MultiScaleProfile
    from .profile import MIProfile
    from .schedule import Schedule

__all__ = [
    "BOUNDS",
    "Bound",
    "BoundInputs",
    "bound_coefficient",
    "theorem1_coefficient",
    "recursion_chain",
    "recursion_coefficient",
    "sharp_coefficient",
    "largest_max_size",
    "require_global",
    "theorem2_upper",
    "theorem2_lower",
    "per_realisation_bounds",
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
    #: the attributes of a (non-blockwise) schedule the bound's value reads: a sweep evaluates it once per distinct
    #: value of them (boundcalc.sweep_bounds), not once per row
    reads: tuple[str, ...] = ("max_size",)
    #: (a, b) with the bound = a·ΣI + b at (schedule, L, ε_train), None where it does not apply; for the bounds
    #: affine in ΣI alone (Theorem 1's family, Corollary 1, the TER): a sweep moves their inputs by these
    #: exact Fractions instead of re-evaluating them (boundcalc.sweep_bounds)
    affine: "Callable[[Any, int, Fraction], tuple[Fraction, Fraction] | None] | None" = None

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


def _kl_affine(coefficient: Callable[[int], "Fraction | int"]) -> Callable[[Any, int, Fraction], tuple[Fraction, Fraction]]:
    """_kl's bound as a·ΣI + b: coefficient(s_max)/L · ΣI + ε_train."""
    return lambda schedule, length, eps: (Fraction(coefficient(schedule.max_size)) / length, eps)


def _corollary1_affine(schedule: Any, length: int, eps: Fraction) -> tuple[Fraction, Fraction] | None:
    """C1/T · ΣI + ε_train for a balanced schedule (None otherwise, as _unbalanced)."""
    return (Fraction(C1) / schedule.steps, eps) if schedule.is_balanced else None


def _ter_affine(schedule: Any, length: int, eps: Fraction) -> tuple[Fraction, Fraction]:
    """(theorem1) / L = coefficient(s_max)/L² · ΣI + ε_train / L."""
    return Fraction(theorem1_coefficient(schedule.max_size)) / length / length, eps / length


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
    prefix = inputs.profile.prefix_totals  # exact partial sums, read once per profile (not once per row)
    if prefix is None:
        return None
    return [prefix[a + n] - prefix[a] for a, n, _ in inputs.schedule.block_schedules()]


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
            affine=_kl_affine(theorem1_coefficient),
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
            affine=_kl_affine(recursion_coefficient),
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
            affine=_kl_affine(sharp_coefficient),
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
            reads=("steps", "is_balanced"),
            affine=_corollary1_affine,
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
            affine=_ter_affine,
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


def per_realisation_bounds() -> tuple[str, ...]:
    """The registry's bounds of E KL with a coefficient c(s_max) that hold for every schedule of uniformly
    random positions: they hold for each realisation of a random-count sampler, so their expectation bounds it.

    >>> per_realisation_bounds()
    ('theorem1', 'recursion', 'sharp')
    """
    return tuple(entry.name for entry in BOUNDS.values() if entry.per_realisation)


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
