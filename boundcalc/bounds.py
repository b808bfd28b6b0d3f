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

from ._print_helpers import Printable
from .errors import InvalidNumberError
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


def _kl_bound(bound: str, profile: MIProfile, schedule: Schedule, eps_train: Number) -> Fraction:
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
    v = positive_int(vocab_size, "vocab_size")
    eps = nonnegative_rational(eps_train, "eps_train")
    coefficient = bound_coefficient(via, schedule.max_size) / schedule.length
    return LogLinear(coefficient, v, eps / schedule.length, unit)


@dataclass(frozen=True)
class BoundReport(Printable):
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
    """
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
