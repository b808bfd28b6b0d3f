"""Exact evaluation of the upper bounds of Li & Cai (arXiv 2505.21400).

Each bound on the sampling error E_M KL(p_X0 || p_Y0|M) has the form

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

and, for balanced schedules (s_max = ceil(L/T)), Corollary 1 (eq. 9) with the
explicit constant C1 = 2: E KL <= 2/T * ΣI + ε_train. The token-error-rate
bound (eq. 11) divides a KL bound by L. ``sharp <= recursion <= theorem1``
for every s, and all three are equal exactly when s is a power of two
(recursion - sharp is half the number of zero bits of s - 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable

from .errors import InvalidNumberError, ScheduleError
from .exact import LogLinear, Number, ceil_log2, nonnegative_rational, number_json, positive_int
if TYPE_CHECKING:  # only annotations need them; keeps the command's start-up light
    from .profile import MIProfile
    from .schedule import Schedule

__all__ = [
    "BOUNDS",
    "C1",
    "BoundReport",
    "RecursionReport",
    "bound_coefficient",
    "theorem1_coefficient",
    "recursion_chain",
    "recursion_coefficient",
    "sharp_coefficient",
    "theorem1",
    "recursion",
    "sharp",
    "corollary1",
    "ter",
    "ter_vocabulary",
    "bound_report",
    "recursion_report",
    "require_global",
    "BlockBoundReport",
    "block_bound_report",
    "CountBoundReport",
    "count_bound_report",
    "ConfidenceBound",
    "confidence_bound",
]

#: The explicit constant of Corollary 1 for balanced schedules (docs/theory.md, section 4).
C1 = 2


def _check_s(s_max: int) -> int:
    if isinstance(s_max, bool) or not isinstance(s_max, int) or s_max < 1:
        raise InvalidNumberError(f"s_max = {s_max!r} is not allowed", param="s_max", allowed="a positive integer")
    return s_max


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


#: name -> (coefficient function, equation label, one-line description)
BOUNDS: dict[str, tuple[Callable[[int], Fraction | int], str, str]] = {
    "theorem1": (theorem1_coefficient, "(8)", "Theorem 1: (2^ceil(log2 s_max) - 1)/L * ΣI + ε_train"),
    "recursion": (recursion_coefficient, "(19)", "recursion (19) unrolled exactly along s, ceil(s/2), ..., 1"),
    "sharp": (sharp_coefficient, "(19), (26)", "(19) with the second batch floor(s/2): (s_max - 1)/L * ΣI + ε_train"),
}


def bound_coefficient(bound: str, s_max: int) -> Fraction:
    """The coefficient of ΣI/L of the named bound at s_max."""
    try:
        function = BOUNDS[bound][0]
    except KeyError:
        raise InvalidNumberError(
            f"unknown bound {bound!r}", param="bound", allowed=f"one of {', '.join(BOUNDS)}"
        ) from None
    return Fraction(function(s_max))


def require_global(schedule: Schedule, what: str = "this bound") -> Schedule:
    """Return ``schedule``, or raise when it is blockwise: the global bounds assume uniformly random positions.

    For a semi-autoregressive schedule (``blocks:K:FAMILY:T``, ``llada:...``) the
    positions are random only inside the current block, and a bound at the
    global ΣI can be below the truth (four bits with X1 = X2, blocks:2:uniform:2:
    error ln 2, Theorem 1 at the global ΣI ln 2 / 2). Use :func:`block_bound_report`.
    """
    if getattr(schedule, "blocks", ()):
        raise ScheduleError(
            f"{what} assumes uniformly random positions over all L, but {schedule} is semi-autoregressive",
            param="schedule",
            allowed="the blockwise bounds (block_bound_report; `bound`/`verify` pick them), "
            "or flat-blocks:K:FAMILY:T for the same sizes with random positions",
        )
    return schedule


def _kl_bound(bound: str, profile: MIProfile, schedule: Schedule, eps_train: Number) -> Fraction:
    require_global(schedule, bound)
    schedule.require_length(profile.length)
    eps = nonnegative_rational(eps_train, "eps_train")
    return bound_coefficient(bound, schedule.max_size) * profile.total / profile.length + eps


def theorem1(profile: MIProfile, schedule: Schedule, eps_train: Number = 0) -> Fraction:
    """Theorem 1 (eq. 8): (2^ceil(log2 s_max) - 1)/L * ΣI + ε_train.

    >>> from boundcalc import MIProfile, Schedule
    >>> theorem1(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), "0.1")
    Fraction(3, 2)
    """
    return _kl_bound("theorem1", profile, schedule, eps_train)


def recursion(profile: MIProfile, schedule: Schedule, eps_train: Number = 0) -> Fraction:
    """The recursion (19) unrolled exactly: never above :func:`theorem1`.

    >>> from boundcalc import MIProfile, Schedule
    >>> recursion(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), "0.1")
    Fraction(11, 10)
    """
    return _kl_bound("recursion", profile, schedule, eps_train)


def sharp(profile: MIProfile, schedule: Schedule, eps_train: Number = 0) -> Fraction:
    """(s_max - 1)/L * ΣI + ε_train, never above :func:`recursion`.

    >>> from boundcalc import MIProfile, Schedule
    >>> sharp(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), "0.1")
    Fraction(9, 10)
    """
    return _kl_bound("sharp", profile, schedule, eps_train)


def corollary1(profile: MIProfile, schedule: Schedule, eps_train: Number = 0) -> Fraction | None:
    """Corollary 1 (eq. 9) with C1 = 2: 2/T * ΣI + ε_train, for balanced schedules.

    Holds whenever s_max = ceil(L/T) (every uniform schedule; docs/theory.md,
    section 4); returns None for other schedules, where it is not a theorem.

    >>> from boundcalc import MIProfile, Schedule
    >>> corollary1(MIProfile.from_total(2, 10), Schedule.uniform(10, 4), 0)
    Fraction(1, 1)
    >>> corollary1(MIProfile.from_total(2, 10), Schedule([5, 3, 2]), 0) is None
    True
    """
    require_global(schedule, "corollary1")
    schedule.require_length(profile.length)
    eps = nonnegative_rational(eps_train, "eps_train")
    if not schedule.is_balanced:
        return None
    return C1 * profile.total / schedule.steps + eps


def ter(profile: MIProfile, schedule: Schedule, eps_train: Number = 0, via: str = "theorem1") -> Fraction:
    """Token error rate gap (eq. 11): log TER(p_Y0) - log TER(p_X0) <= bound / L.

    The log is in the profile's unit: log2 for bits (the paper's eq. 10), ln for nats.

    >>> from boundcalc import MIProfile, Schedule
    >>> ter(MIProfile.from_total(2, 10, unit="bits"), Schedule([5, 3, 2]), "0.1")
    Fraction(3, 20)
    """
    return _kl_bound(via, profile, schedule, eps_train) / profile.length


def ter_vocabulary(
    schedule: Schedule, vocab_size: int, eps_train: Number = 0, unit: str = "nats", via: str = "theorem1"
) -> LogLinear:
    """The TER bound for *any* data over a vocabulary of V symbols: coefficient/L * log V + ε_train/L.

    Since I_i <= H(X^(i)) <= log V, ΣI <= L log V (the paper's O(log|X| / T)
    remark after eq. 11). Compare with log V, the gap of the uniform baseline.

    >>> from boundcalc import MIProfile, Schedule
    >>> ter_vocabulary(Schedule.uniform(1024, 64), 2, unit="bits").exact
    '15/1024*log2(2)'
    """
    require_global(schedule, "ter_vocabulary")
    v = positive_int(vocab_size, "vocab_size")
    eps = nonnegative_rational(eps_train, "eps_train")
    coefficient = bound_coefficient(via, schedule.max_size) / schedule.length
    return LogLinear(coefficient, v, eps / schedule.length, unit)


@dataclass(frozen=True)
class BoundReport:
    """Every bound for one (profile, schedule, ε_train), exact."""

    length: int
    steps: int
    max_size: int
    mi_total: Fraction
    eps_train: Fraction
    unit: str
    theorem1: Fraction
    recursion: Fraction
    sharp: Fraction
    corollary1: Fraction | None
    ter: Fraction
    schedule: str = ""
    vocab_size: int | None = None
    theorem2_upper: Fraction | None = None
    theorem2_lower: Fraction | None = None
    multiscale: Any = None  # the MultiScaleProfile behind the Theorem 2 bounds, if any

    @property
    def ter_vocabulary(self) -> LogLinear | None:
        """coefficient/L * log V + ε_train/L when V is known (any data over V symbols)."""
        if self.vocab_size is None:
            return None
        coefficient = bound_coefficient("theorem1", self.max_size) / self.length
        return LogLinear(coefficient, self.vocab_size, self.eps_train / self.length, self.unit)

    @property
    def uniform_baseline(self) -> LogLinear | None:
        """log V: the TER gap of sampling uniformly at random (the paper's baseline)."""
        return None if self.vocab_size is None else LogLinear(Fraction(1), self.vocab_size, Fraction(0), self.unit)

    @property
    def bounds(self) -> dict[str, Fraction | None]:
        """The bounds by name, in the order of the JSON contract."""
        return {
            "theorem1": self.theorem1,
            "recursion": self.recursion,
            "sharp": self.sharp,
            "corollary1": self.corollary1,
            "ter": self.ter,
            "theorem2_upper": self.theorem2_upper,
            "theorem2_lower": self.theorem2_lower,
        }

    def to_latex(self, digits: int = 6) -> str:
        """The bounds with this case's numbers, in the paper's notation (boundcalc.latex; imports sympy)."""
        from .latex import bound_report_latex

        return bound_report_latex(self, digits)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.to_latex()}$"

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        """The JSON form (every number as ``{"exact", "decimal"}``)."""

        def num(x: Fraction | None) -> dict[str, str] | None:
            return None if x is None else number_json(x, digits)

        out: dict[str, Any] = {
            "length": self.length,
            "steps": self.steps,
            "max_mask_size": self.max_size,
            "schedule": self.schedule,
            "unit": self.unit,
            "mi_total": num(self.mi_total),
            "eps_train": num(self.eps_train),
            "bounds": {name: num(value) for name, value in self.bounds.items()},
            "notes": {
                "corollary1": f"C1 = {C1}; holds when s_max = ceil(L/T)"
                + ("" if self.corollary1 is not None else "; not applicable: this schedule is not balanced"),
                "ter": f"bound on log TER(p_Y0) - log TER(p_X0) per token ({'log2' if self.unit == 'bits' else 'ln'}), from theorem1 / L",
            },
        }
        ms = self.multiscale
        if ms is None:
            out["notes"]["theorem2"] = "needs a multi-scale profile (--ms-profile, or verify's data model)"
        else:
            out["multiscale"] = ms.to_dict(digits)
            out["notes"]["theorem2_upper"] = (
                f"C2 = 1: S/L Φ + ε_train with S = {ms.max_size}, for schedules with s_max <= S"
                + ("; not applicable: s_max = 1, where the error is ε_train" if self.theorem2_upper is None else "")
            )
            out["notes"]["theorem2_lower"] = (
                f"C3 = 1/16: S/(16 L) Φ + ε_train bounds the error of random:{ms.max_size} averaged over the schedule"
                if self.theorem2_lower is not None
                else "not applicable: the random schedule needs S >= 2"
            )
        if self.vocab_size is not None:
            out["vocabulary"] = {
                "vocab_size": self.vocab_size,
                "ter_worst_case": self.ter_vocabulary.to_json(digits),  # type: ignore[union-attr]
                "uniform_baseline": self.uniform_baseline.to_json(digits),  # type: ignore[union-attr]
            }
        return out


def bound_report(
    profile: MIProfile,
    schedule: Schedule,
    eps_train: Number = 0,
    vocab_size: int | None = None,
    multiscale: Any = None,
) -> BoundReport:
    """All bounds at once; with a :class:`~boundcalc.theorem2.MultiScaleProfile`, Theorem 2's as well.

    >>> from boundcalc import MIProfile, Schedule
    >>> r = bound_report(MIProfile.from_total(2, 10), Schedule([5, 3, 2]))
    >>> r.theorem1, r.recursion, r.sharp, r.corollary1
    (Fraction(7, 5), Fraction(1, 1), Fraction(4, 5), None)

    A blockwise schedule is refused (:func:`require_global`); see :func:`block_bound_report`.
    """
    require_global(schedule, "bound_report")
    schedule.require_length(profile.length)
    eps = nonnegative_rational(eps_train, "eps_train")
    upper = lower = None
    if multiscale is not None:
        from .theorem2 import theorem2_lower, theorem2_upper

        multiscale.check_against(profile)
        upper = theorem2_upper(multiscale, schedule, eps)
        lower = theorem2_lower(multiscale, eps) if multiscale.max_size >= 2 else None
    return BoundReport(
        length=profile.length,
        steps=schedule.steps,
        max_size=schedule.max_size,
        mi_total=profile.total,
        eps_train=eps,
        unit=profile.unit,
        theorem1=theorem1(profile, schedule, eps),
        recursion=recursion(profile, schedule, eps),
        sharp=sharp(profile, schedule, eps),
        corollary1=corollary1(profile, schedule, eps),
        ter=ter(profile, schedule, eps),
        schedule=str(schedule),
        vocab_size=None if vocab_size is None else positive_int(vocab_size, "vocab_size"),
        theorem2_upper=upper,
        theorem2_lower=lower,
        multiscale=multiscale,
    )


@dataclass(frozen=True)
class RecursionReport:
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

    def to_latex(self) -> str:
        """The chain of (19) next to the closed form (20), in the paper's notation (imports sympy)."""
        from .latex import recursion_report_latex

        return recursion_report_latex(self)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.to_latex()}$"

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        def num(x: Fraction | None) -> dict[str, str] | None:
            return None if x is None else number_json(x, digits)

        return {
            "max_mask_size": self.max_size,
            "length": self.length,
            "unit": "sum_I" if self.length else "sum_I/L",
            "chain": list(self.chain),
            "terms": [num(t) for t in self.terms],
            "unrolled": num(self.unrolled),
            "closed_form": num(self.closed_form),
            "ratio": num(self.ratio),
            "sharp": num(self.sharp),
        }


def recursion_report(s_max: int, length: int | None = None) -> RecursionReport:
    """The chain, per-level terms, exact sum, closed form (20) and their ratio.

    >>> r = recursion_report(5)
    >>> r.chain, r.terms, r.unrolled, r.closed_form, r.ratio
    ((5, 3, 2, 1), (Fraction(5, 2), Fraction(3, 2), Fraction(1, 1)), Fraction(5, 1), Fraction(7, 1), Fraction(5, 7))
    """
    chain = recursion_chain(s_max)
    if length is not None:
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise InvalidNumberError(f"L = {length!r} is not allowed", param="length", allowed="a positive integer")
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
# Semi-autoregressive (blockwise) schedules: docs/theory.md, section 11.

#: The per-block coefficient bounds, in the order verify shows them.
BLOCK_BOUNDS = ("sharp", "recursion", "theorem1")


@dataclass(frozen=True)
class BlockBoundReport:
    """The blockwise bounds of a semi-autoregressive schedule, exact.

    For blocks b = 1..K of lengths B_b, revealed left to right by inner
    schedules of largest step s_b and T_b steps, every coefficient bound c
    (theorem1, recursion, sharp) gives

        E_M KL <= Σ_b c(s_b)/B_b · ΣI_b + ε_train,     ΣI_b = Σ_{i∈b} I(X_i; X_{b∖i} | X_{<b}),

    and Corollary 1 gives Σ_b 2/T_b · ΣI_b when every block is balanced
    (docs/theory.md, section 11). ``block_mi[b]`` is the ΣI_b used: the data
    model's conditional value (verify), or Σ_{i∈b} I_i from per-token values,
    which is never smaller; None when only the global total is known, where
    the bound is max_b c(s_b)/B_b · ΣI instead.
    """

    length: int
    steps: int
    max_size: int
    mi_total: Fraction
    eps_train: Fraction
    unit: str
    schedule: str
    blocks: tuple[tuple[int, int, int, int], ...]  # (start, length, steps, s_max) per block
    block_mi: tuple[Fraction | None, ...]
    source: str  # "conditional" | "per-token" | "total"
    values: dict[str, Fraction | None]

    multiscale = None
    theorem2_lower = None
    upper_names = tuple(f"block_{name}" for name in (*BLOCK_BOUNDS, "corollary1"))

    @property
    def bounds(self) -> dict[str, Fraction | None]:
        """``block_sharp``, ``block_recursion``, ``block_theorem1``, ``block_corollary1`` (None: not balanced)."""
        return {f"block_{name}": value for name, value in self.values.items()}

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        def num(x: Fraction | None) -> dict[str, str] | None:
            return None if x is None else number_json(x, digits)

        how = {
            "conditional": "ΣI_b = Σ_{i∈b} I(X_i; X_{b∖i} | X_{<b}), the data model's conditional MI",
            "per-token": "ΣI_b <= Σ_{i∈b} I_i (the MI profile restricted to the block)",
            "total": "only ΣI is known: max_b c(s_b)/B_b · ΣI",
        }[self.source]
        return {
            "length": self.length,
            "steps": self.steps,
            "max_mask_size": self.max_size,
            "schedule": self.schedule,
            "unit": self.unit,
            "mi_total": num(self.mi_total),
            "eps_train": num(self.eps_train),
            "bounds": {name: num(value) for name, value in self.bounds.items()},
            "blocks": [
                {"start": a, "length": n, "steps": t, "max_mask_size": s, "mi": num(mi)}
                for (a, n, t, s), mi in zip(self.blocks, self.block_mi)
            ],
            "notes": {
                "blocks": "semi-autoregressive: positions random only inside the current block, blocks left to right; "
                "the global bounds (theorem1, recursion, sharp, corollary1, theorem2) assume random positions "
                "over all L and are not shown (they can be below the truth)",
                "block_bounds": f"Σ_b c(s_b)/B_b · ΣI_b + ε_train (docs/theory.md, section 11); {how}",
                "block_corollary1": f"C1 = {C1}: Σ_b C1/T_b · ΣI_b + ε_train, when every block is balanced"
                + ("" if self.values.get("corollary1") is not None else "; not applicable: a block is not balanced"),
            },
        }


def block_bound_report(
    profile: MIProfile,
    schedule: Schedule,
    eps_train: Number = 0,
    block_mi: "list[Number] | None" = None,
) -> BlockBoundReport:
    """The blockwise bounds of a (semi-autoregressive) schedule; ``block_mi`` the conditional ΣI_b if known.

    >>> from boundcalc import MIProfile, Schedule
    >>> p = MIProfile.from_values(["0.69", "0.69", "0", "0"])   # X1 = X2 (about ln 2 each)
    >>> r = block_bound_report(p, Schedule.blocks(4, 2, "uniform:2"))
    >>> r.bounds["block_theorem1"], r.bounds["block_sharp"]
    (Fraction(69, 100), Fraction(69, 100))
    """
    schedule.require_length(profile.length)
    eps = nonnegative_rational(eps_train, "eps_train")
    parts = schedule.block_schedules()
    if block_mi is not None:
        if len(block_mi) != len(parts):
            raise InvalidNumberError(f"{len(block_mi)} block totals for {len(parts)} blocks", param="block_mi")
        mis: list[Fraction | None] = [nonnegative_rational(x, "block_mi") for x in block_mi]
        source = "conditional"
    elif profile.kind == "total":
        mis, source = [None] * len(parts), "total"
    else:
        values = profile.values
        assert values is not None
        mis = [sum(values[a : a + n], Fraction(0)) for a, n, _ in parts]
        source = "per-token"

    def total(coefficient: Callable[[int, int, Schedule], Fraction | None]) -> Fraction | None:
        terms = [coefficient(a, n, inner) for a, n, inner in parts]
        if any(t is None for t in terms):
            return None
        if source == "total":
            return max(terms) * profile.total + eps  # type: ignore[type-var]
        return sum((t * mi for t, mi in zip(terms, mis)), Fraction(0)) + eps  # type: ignore[operator,misc]

    values_out: dict[str, Fraction | None] = {
        name: total(lambda a, n, inner, name=name: bound_coefficient(name, inner.max_size) / n) for name in BLOCK_BOUNDS
    }
    values_out["corollary1"] = total(
        lambda a, n, inner: Fraction(C1, inner.steps) if inner.is_balanced else None
    )
    return BlockBoundReport(
        length=profile.length,
        steps=schedule.steps,
        max_size=schedule.max_size,
        mi_total=profile.total,
        eps_train=eps,
        unit=profile.unit,
        schedule=str(schedule),
        blocks=tuple((a, n, inner.steps, inner.max_size) for a, n, inner in parts),
        block_mi=tuple(mis),
        source=source,
        values=values_out,
    )


# ---------------------------------------------------------------------------
# Random reveal counts (MDLM, SEDD, Dream origin): docs/theory.md, section 12.


def _float_json(value: float, error: float, digits: int) -> dict[str, str]:
    from .exact import format_decimal

    return {"decimal": format_decimal(Fraction(max(value, 0.0)), digits), "float": repr(value),
            "abs_error": f"{error:.2g}"}


@dataclass(frozen=True)
class CountBoundReport:
    """The expected coefficient bounds of a random-count sampler (floats with a certified error).

    Theorem 1, the recursion and the sharp bound hold for every realisation
    of the counts (the positions are uniform given them), with that
    realisation's largest step S_max, so E KL <= E[c(S_max)]/L · ΣI + ε_train.
    E[c(S_max)] is computed from the law of S_max (:meth:`CountSampler.expected_coefficient`).
    Corollary 1 and Theorem 2 are not shown: their conditions depend on the realisation.
    """

    length: int
    steps: int
    mi_total: Fraction
    eps_train: Fraction
    unit: str
    schedule: str
    coefficients: dict[str, tuple[float, float]]  # name -> (E c(S_max), error)
    expected_max: tuple[float, float]
    nonempty_steps: tuple[float, float]
    sampler: Any = None

    multiscale = None
    theorem2_lower = None
    upper_names = BLOCK_BOUNDS
    max_size = None

    @property
    def bounds(self) -> dict[str, float]:
        """E[c(S_max)]/L · ΣI + ε_train per bound name (float)."""
        scale = float(self.mi_total) / self.length
        return {name: c * scale + float(self.eps_train) for name, (c, _) in self.coefficients.items()}

    @property
    def errors(self) -> dict[str, float]:
        """A bound on each value's float error."""
        scale = float(self.mi_total) / self.length
        return {
            name: e * scale + 4 * 2.0**-53 * (abs(c * scale) + float(self.eps_train)) for name, (c, e) in self.coefficients.items()
        }

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        values, errors = self.bounds, self.errors
        return {
            "length": self.length,
            "steps": self.steps,
            "max_mask_size": None,
            "schedule": self.schedule,
            "unit": self.unit,
            "mi_total": number_json(self.mi_total, digits),
            "eps_train": number_json(self.eps_train, digits),
            "bounds": {name: _float_json(values[name], errors[name], digits) for name in self.upper_names},
            "expected_max_mask_size": _float_json(*self.expected_max, digits),
            "expected_coefficients": {name: _float_json(c, e, digits) for name, (c, e) in self.coefficients.items()},
            "expected_nonempty_steps": _float_json(*self.nonempty_steps, digits),
            **({"sampler": self.sampler.to_dict()} if self.sampler is not None else {}),
            "notes": {
                "random_counts": "each still-masked token is revealed at step k with probability p_k; the bounds hold "
                "per realisation with its largest step S_max, so E[c(S_max)]/L · ΣI + ε_train bounds the expected error "
                "(docs/theory.md, section 12); float64 with the stated abs_error",
                "not_shown": "corollary1 (balance depends on the realisation) and theorem2 (its S depends on it)",
                "expected_nonempty_steps": "E #steps that reveal at least one token (network calls that change the "
                "sequence); the sampler runs steps_with_final steps in all",
            },
        }


def count_bound_report(profile: MIProfile, sampler: Any, eps_train: Number = 0) -> CountBoundReport:
    """E[c(S_max)]/L · ΣI + ε_train for theorem1, recursion and sharp, for a :class:`~boundcalc.counts.CountSampler`.

    >>> from boundcalc import MIProfile
    >>> from boundcalc.counts import parse_sampler
    >>> r = count_bound_report(MIProfile.from_total(8, 8), parse_sampler("dream-origin:8", 8))
    >>> round(r.bounds["sharp"], 4), round(r.nonempty_steps[0], 4)
    (1.5972, 5.2511)
    """
    if sampler.length != profile.length:
        raise ScheduleError(f"{sampler} is for L = {sampler.length}, the profile has L = {profile.length}",
                            param="schedule")
    eps = nonnegative_rational(eps_train, "eps_train")
    coefficients = {name: sampler.expected_coefficient(lambda s, name=name: bound_coefficient(name, s))
                    for name in BLOCK_BOUNDS}
    return CountBoundReport(
        length=profile.length,
        steps=len(sampler.reveal),
        mi_total=profile.total,
        eps_train=eps,
        unit=profile.unit,
        schedule=str(sampler),
        coefficients=coefficients,
        expected_max=sampler.expected_coefficient(lambda s: s),
        nonempty_steps=sampler.expected_nonempty_steps(),
        sampler=sampler,
    )


# ---------------------------------------------------------------------------
# Confidence decoding (Fast-dLLM): a per-step bound only (docs/theory.md, section 13).


@dataclass(frozen=True)
class ConfidenceBound:
    """(n - 1)(H_b(ε) + ε log(V - 1)): one step revealing n tokens, each with confidence >= 1 - ε.

    ``value`` is a float rounded *up* from a 50-digit evaluation, so it is a
    valid upper bound; ``exact`` is the expression with this case's numbers.
    """

    eps: Fraction
    reveal: int
    vocab_size: int
    unit: str
    value: float
    exact: str

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        from .exact import format_decimal

        return {
            "bound": "confidence",
            "eps": number_json(self.eps, digits),
            "reveal": self.reveal,
            "vocab_size": self.vocab_size,
            "unit": self.unit,
            "value": {"exact": self.exact, "decimal": format_decimal(Fraction(self.value), digits),
                      "float": repr(self.value), "rounding": "up"},
            "notes": {
                "statement": "KL(p(X_D | context) || Π_i p(X_i | context)) <= (n-1)(H_b(ε) + ε log(V-1)) for one step "
                "revealing the n tokens D, each with a mode of conditional probability >= 1 - ε, ε <= (V-1)/V "
                "(Fast-dLLM, arXiv 2505.22618, Theorem 1; proof in docs/theory.md section 13)",
                "scope": "a per-step bound for adaptive (confidence) decoding; boundcalc claims no exact error for "
                "adaptive samplers, whose positions depend on the values",
            },
        }


def confidence_bound(eps: Number, reveal: int, vocab_size: int, unit: str = "nats") -> ConfidenceBound:
    """Fast-dLLM's Theorem 1 as a function: the KL of one parallel step under high confidence.

    For a step that reveals n tokens whose (true conditional) laws given the
    revealed context each put probability >= 1 - ε on one value, sampling them
    independently costs KL = Σ_i H(X_i | ·) - H(X_D | ·) <= (n - 1) max_i H(X_i | ·)
    <= (n - 1)(H_b(ε) + ε log(V - 1)), for ε <= (V - 1)/V. Tight: n copies of one token.

    >>> b = confidence_bound("0.1", 2, 2)
    >>> round(b.value, 6), b.exact
    (0.325083, '(2 - 1)*(H_b(1/10) + 1/10*ln(2 - 1))')
    """
    from .profile import check_unit

    check_unit(unit)
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
    import math

    import mpmath

    log = "ln" if unit == "nats" else "log2"
    with mpmath.workdps(50):
        x = mpmath.mpf(e.numerator) / e.denominator
        hb = 0 if x in (0, 1) else -x * mpmath.log(x) - (1 - x) * mpmath.log(1 - x)
        value = (n - 1) * (hb + (x * mpmath.log(v - 1) if v > 2 else 0))
        if unit == "bits":
            value /= mpmath.log(2)
        rounded = float(value)
        if mpmath.mpf(rounded) < value:
            rounded = math.nextafter(rounded, math.inf)
    return ConfidenceBound(e, n, v, unit, rounded, f"({n} - 1)*(H_b({e}) + {e}*{log}({v} - 1))")
