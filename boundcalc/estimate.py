"""Answers from a loss curve: estimated errors, information quantities, and steps for any family.

Orchestration over :class:`boundcalc.curve.LossCurve` (the measured or exact
conditional entropy profile d), the truth engine's :class:`EntropyProfile`
(the error of a schedule, the DP) and the numeric bounds.

* :func:`estimate_error` -- the error of a schedule from the curve, with its
  stderr (the error is Σ_m c_m d(m), linear in d: :func:`schedule_coefficients`)
  and the interpolation's effect (|linear - monotone cubic|);
* :func:`curve_quantities` -- TC = g(0, L), DTC, ΣI = TC + DTC, H(X), and the
  rates TC/T, DTC/T of Zhao & Cai (arXiv 2602.20126; constants unknown: rates,
  never bounds);
* :func:`info_optimal_schedule` -- Lavenant & Zanella's (arXiv 2510.25544)
  continuum schedule, step density ∝ sqrt of the information curve's slope;
* :func:`required_steps_family` -- the fewest T of any T-parametrised family
  whose bound, estimated error or DP-optimal error reaches a target;
* :func:`budget_table` -- for a fixed T, each family's error and bound.

>>> from boundcalc.curve import LossCurve
>>> c = LossCurve(length=4, masked=[1, 2, 3, 4], loss=[0.1, 0.3, 0.5, 0.7])
>>> e = estimate_error(c, "uniform:2")
>>> round(e.value, 6), e.exact
(0.4, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Sequence, cast

from ._print_helpers import Printable
from .curve import LossCurve
from .errors import BoundcalcError, DomainError, ScheduleError, UsageError
from .exact import Measured, format_decimal, number_json, round_up
from .registry import SamplerFamily, SamplerSpec, families as registered_families, family as registered, refuse_rule
from .schedule import parse_spec

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .profile import MIProfile
    from .schedule import Schedule
    from .truth.core import EntropyProfile

__all__ = [
    "Estimate",
    "curve_profile",
    "schedule_coefficients",
    "estimate_linear",
    "estimate_error",
    "curve_quantities",
    "info_optimal_schedule",
    "info_optimal_approximation",
    "curve_schedule",
    "family_schedule",
    "curve_multiscale",
    "FamilyStepsResult",
    "required_steps_family",
    "budget_table",
    "STEP_FAMILIES",
    "BUDGET_FAMILIES",
    "COUNT_STEP_USAGE",
    "COUNT_MAX_STEPS_FACTOR",
    "ExpectedBound",
    "is_count_family",
    "family_sampler",
    "count_coefficients",
    "count_estimate",
    "count_expected_bound",
]

_LN2 = math.log(2)
_EPS64 = 2.0**-53
ESTIMATE_NOTE = (
    "estimate from a measured loss curve (a model's cross-entropy over-estimates d: its excess acts like ε_train); "
    "stderr propagated linearly through the isotonic fit; interpolation_effect = |linear - monotone cubic|"
)
EXACT_NOTE = "exact curve of a data model (float64)"


def _to(value: float, unit: str) -> float:
    return value if unit == "nats" else value / _LN2


def _float_decimal(value: float) -> str:
    return "0" if value <= 0 else repr(float(value))


@dataclass(frozen=True)
class Estimate(Printable):
    """A value computed from a loss curve, in nats: linear interpolation, its stderr, and the pchip value.

    ``stderr`` is None without stderr in the curve; ``exact`` is True for the
    exact curve of a data model (then the value is exact up to float64 and the
    interpolation does not enter); ``abs_error`` bounds the float rounding of
    the computation. :meth:`measured` is the value as the one value-with-error
    type, :class:`boundcalc.exact.Measured`, which the printers show.
    """

    value: float
    stderr: float | None
    pchip: float
    exact: bool = False
    note: str = ""
    abs_error: float = 0.0
    #: (low, high) over every monotone completion of a partial curve (boundcalc.completion); high may be ∞
    interval: tuple[float, float] | None = None

    @property
    def described(self) -> str:
        """The note, or what the value is: an estimate from a measured curve, or a data model's float result."""
        return self.note or (EXACT_NOTE if self.exact else ESTIMATE_NOTE)

    @property
    def interpolation_effect(self) -> float:
        """|linear - monotone cubic|: how much the answer depends on the interpolation between points."""
        return abs(self.value - self.pchip)

    @property
    def uncertainty(self) -> float:
        """A one-number sensitivity: 2 stderr + the interpolation effect (0 for an exact curve)."""
        if self.exact:
            return 0.0
        return 2 * (self.stderr or 0.0) + self.interpolation_effect

    def scaled(self, factor: float) -> "Estimate":
        return Estimate(self.value * factor, None if self.stderr is None else self.stderr * factor,
                        self.pchip * factor, self.exact, self.note, self.abs_error * factor * (1 + 2.0**-50),
                        None if self.interval is None else (self.interval[0] * factor, self.interval[1] * factor))

    def measured(self, unit: str = "nats") -> Measured:
        """The value (non-negative) in ``unit`` with its uncertainty: a certified float result for an exact
        curve, else an estimate with stderr and interpolation effect."""
        value = max(self.value, 0.0)
        if self.exact:
            out = Measured(value, self.abs_error, nonnegative=True)
        else:
            out = Measured(value, self.abs_error, nonnegative=True, stderr=self.stderr,
                           interpolation=self.interpolation_effect, estimate=True, interval=self.interval)
        return out if unit == "nats" else out.scaled(1 / _LN2)

    def to_dict(self, unit: str = "nats", digits: int = 6) -> dict[str, Any]:  # type: ignore[override]
        """The JSON printer's form in ``unit`` (:func:`boundcalc.jsonify.to_json`; every justified digit)."""
        return Printable.to_dict(self, digits, unit=unit)

    def show(self, unit: str = "nats", digits: int = 4) -> str:
        """'1.62 ± 0.031 (interp. 0.012)' for tables: :meth:`boundcalc.exact.Measured.show`."""
        return self.measured(unit).show(digits)


def curve_profile(curve: LossCurve, interpolation: str = "linear") -> "EntropyProfile":
    """The truth engine's :class:`EntropyProfile` of the curve (d interpolated to every m)."""
    from .truth.core import EntropyProfile

    return EntropyProfile(curve.conditional(interpolation), source=curve.source or "loss curve")


def schedule_coefficients(schedule: "Schedule", length: int) -> "np.ndarray":
    """c with error(schedule) = Σ_m c_m d(m): a step (w, s) adds s - 1 to c_w and -1 to c_{w+1..w+s-1}."""
    import numpy as np

    schedule.require_length(length)
    c = np.zeros(length)
    for w, s in schedule.revealed_before():
        c[w] += s - 1
        c[w + 1 : w + s] -= 1
    return c


def estimate_linear(curve: LossCurve, coefficients: "np.ndarray", note: str = "") -> Estimate:
    """Σ_m c_m d(m) from the curve: linear and pchip interpolations, stderr propagated."""
    import numpy as np

    c = np.asarray(coefficients, dtype=np.float64)
    terms = c * curve.conditional("linear")
    lin = math.fsum(terms.tolist())
    cub = math.fsum((c * curve.conditional("pchip")).tolist())
    # each product and interpolated d(m) within a few roundings, fsum correctly rounded
    error = 6 * _EPS64 * math.fsum(np.abs(terms).tolist()) + _EPS64 * abs(lin)
    return Estimate(lin, curve.stderr_of(c), cub, curve.exact, note, error)


def _schedule(schedule: "Schedule | str", curve: LossCurve) -> "Schedule":
    from .schedule import Schedule

    if isinstance(schedule, Schedule):
        return schedule.require_length(curve.length)
    return curve_schedule(schedule, curve)


def estimate_error(curve: LossCurve, schedule: "Schedule | Any | str") -> Estimate:
    """The sampler error of ``schedule`` estimated from the curve (nats).

    The value is the truth engine's Σ_steps g(w, s) on the linearly
    interpolated d (a sum of non-negative terms), so the exact curve of a data
    model reproduces the model's exact error. A random-count sampler
    (``mdlm:8``, a CountSampler) gives its expected error (:func:`count_estimate`).
    """
    if isinstance(schedule, str):
        spec = parse_spec(schedule, "schedule")  # read once; a curve family is built from the curve below
        schedule = spec.build(curve.length) if spec.family.random_counts else curve_schedule(spec, curve)
    if schedule.random_counts:
        return count_estimate(curve, schedule)
    sched = _schedule(schedule, curve)
    return _estimate_with(curve_profile(curve, "linear"), curve, sched)


def curve_quantities(curve: LossCurve, steps: int | None = None) -> dict[str, Estimate]:
    """TC, DTC, ΣI (= TC + DTC), H(X) from the curve; with ``steps`` = T also the rates TC/T and DTC/T.

    TC = Σ_i H(X^(i)) - H(X) = g(0, L) = Σ_m (d(0) - d(m)); DTC = H(X) - Σ_i H(X^(i) | X^(-i))
    = Σ_m (d(m) - d(L-1)); ΣI = L (d(0) - d(L-1)). Zhao & Cai (arXiv 2602.20126) show
    randomized step sizes reach E KL = Õ(TC/T) or Õ(DTC/T): rates with unknown
    constants and logarithms, never bounds.
    """
    import numpy as np

    L = curve.length
    one = np.ones(L)
    tc = -one.copy()
    tc[0] += L
    dtc = one.copy()
    dtc[-1] -= L
    mi = np.zeros(L)
    mi[0] += L
    mi[-1] -= L
    out = {
        "total_correlation": estimate_linear(curve, tc, "TC = g(0, L) = Σ_m (d(0) - d(m)): the error of T = 1"),
        "dual_total_correlation": estimate_linear(curve, dtc, "DTC = Σ_m (d(m) - d(L-1))"),
        "mi_total": estimate_linear(curve, mi, "ΣI = L (d(0) - d(L-1)) = TC + DTC"),
        "entropy": estimate_linear(curve, one, "H(X) = Σ_m d(m)"),
    }
    if steps is not None:
        rate = "a rate (Zhao & Cai, arXiv 2602.20126): E KL = Õ({}/T) with unknown constants and logs; not a bound"
        out["tc_rate"] = Estimate(**{**out["total_correlation"].scaled(1 / steps).__dict__, "note": rate.format("TC")})
        out["dtc_rate"] = Estimate(**{**out["dual_total_correlation"].scaled(1 / steps).__dict__,
                                      "note": rate.format("DTC")})
    return out


def _conditional(source: "LossCurve | np.ndarray") -> "np.ndarray":
    import numpy as np

    return source.conditional("linear") if isinstance(source, LossCurve) else np.asarray(source, dtype=np.float64)


def info_optimal_schedule(source: "LossCurve | np.ndarray", steps: int) -> "Schedule":
    """Lavenant & Zanella's continuum schedule: step density ∝ sqrt(Z'), Z(m) = d(0) - d(m).

    The boundaries w_0 = 0 < w_1 < ... < w_T = L are the quantiles j/T of
    F(x) = ∫_0^x sqrt(Z'), Z' = d(m) - d(m+1) on [m, m+1] (F flat on [L-1, L]),
    rounded to integers and made strictly increasing. A flat curve (independent
    tokens) gives the uniform schedule.

    >>> info_optimal_schedule([1.0, 0.5, 0.25, 0.25, 0.25, 0.25], 3).sizes
    (1, 1, 4)
    """
    import numpy as np

    from .schedule import Schedule

    d = _conditional(source)
    L = int(d.size)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= L:
        raise ScheduleError(f"T = {steps!r} is not allowed", param="steps", allowed=f"1 <= T <= L = {L}")
    density = np.sqrt(np.maximum(d[:-1] - d[1:], 0.0))
    F = np.concatenate(([0.0], np.cumsum(density), [float(density.sum())]))  # F at x = 0..L
    total = F[-1]
    name = f"info-optimal:{steps}"
    if total <= 0:
        return Schedule(runs=Schedule.uniform(L, steps).runs, name=name)
    levels = total * np.arange(1, steps) / steps
    # x with F(x) = level, F piecewise linear on unit intervals
    j = np.clip(np.searchsorted(F, levels, side="left") - 1, 0, L - 1)
    span = F[j + 1] - F[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, (levels - F[j]) / span, 0.0)
    w = np.rint(j + frac).astype(np.int64).tolist()
    bounds = [0, *w, L]
    for t in range(1, steps):  # strictly increasing, room for the remaining steps
        bounds[t] = min(max(bounds[t], bounds[t - 1] + 1), L - (steps - t))
    for t in range(steps - 1, 0, -1):
        bounds[t] = min(bounds[t], bounds[t + 1] - 1)
    return Schedule([b - a for a, b in zip(bounds, bounds[1:])], name=name)


def info_optimal_approximation(source: "LossCurve | np.ndarray", steps: int) -> float:
    """The continuum approximation (Σ_m sqrt(d(m) - d(m+1)))^2 / (2T) of the info-optimal error (nats)."""
    import numpy as np

    d = _conditional(source)
    return float(np.sqrt(np.maximum(d[:-1] - d[1:], 0.0)).sum()) ** 2 / (2 * steps)


def curve_schedule(spec: "str | SamplerSpec", curve: LossCurve) -> "Schedule":
    """A schedule spec that may use the curve: ``info-optimal:T``, ``optimal:T`` (the DP), or any family."""
    from .schedule import Schedule, parse_schedule, parse_spec

    parsed = spec if isinstance(spec, SamplerSpec) else parse_spec(spec, "schedule")
    head, rest = parsed.name, ":".join(parsed.args)
    if parsed.family.needs_curve:
        from .exact import positive_int

        try:
            T = positive_int(rest, "T")
        except UsageError:
            raise ScheduleError(f"in {parsed.text!r}: T = {rest!r} is not a positive integer", param="schedule",
                                allowed=f"usage: {head}:T") from None
        if T > curve.length:
            raise ScheduleError(f"in {parsed.text!r}: T = {T} exceeds L = {curve.length}", param="schedule",
                                allowed="1 <= T <= L")
        if head == "info-optimal":
            return info_optimal_schedule(curve, T)
        sched, _ = curve_profile(curve).optimal_schedule(T)
        return Schedule(runs=sched.runs, name=parsed.text)
    return parse_schedule(parsed, curve.length, param="schedule")


def curve_multiscale(curve: LossCurve, max_size: int, unit: str = "nats"):
    """Theorem 2's level totals G(m_j) = L (d(0) - d(m_j)) from the curve, as a MultiScaleProfile (S = 2^⌈log2 s_max⌉)."""
    from .multiscale import MultiScaleProfile, level_sizes

    L = curve.length
    d = curve.conditional("linear")
    _, sizes = level_sizes(L, max_size)
    totals, running = [], 0.0
    for m in sizes:
        running = max(running, 0.0 if m <= 0 else _to(L * (float(d[0]) - float(d[m])), unit))
        totals.append(_float_decimal(running))
    return MultiScaleProfile.from_level_totals(totals, L, unit=unit, source=f"the loss curve {curve.source}".strip())


# -- steps for any family -----------------------------------------------------------------

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

# The cost of building one step of a family's schedule is its registry entry's step_cost_us (microseconds,
# measured by benchmarks/bench_curve.py on the shared 2-core machine). A scan also stops on wall time.
_EVAL_COST_US = 0.5  # one step's error in a scan (vectorised)
#: Work allowed for a scan, in estimated microseconds (about 30 s).
SCAN_BUDGET_US = 30e6


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


def _steps_grid(family: str, length: int) -> list[int]:
    head, args = _family_parts(family)
    if _family_of(family).reveals == "blocks":
        from .exact import positive_int

        k = positive_int(args[0], "K")
        return list(range(k, length + 1, k))
    return list(range(1, length + 1))


def family_schedule(family: str, steps: int, length: int, curve: LossCurve | None = None) -> "Schedule":
    """The T-step schedule of ``family`` (info-optimal and optimal need the curve)."""
    from .schedule import parse_schedule

    head, _ = _family_parts(family)
    if _family_of(family).needs_curve:
        if curve is None:
            raise UsageError(f"{head} needs a loss curve", param="family", allowed="give a loss curve")
        return curve_schedule(f"{head}:{steps}", curve)
    return parse_schedule(family_spec(family, steps), length, param="family")


def _step_cost(family: str, length: int) -> float:
    head, args = _family_parts(family)
    found = _family_of(family)
    if found.reveals == "blocks":
        return _step_cost(":".join(args[1:]), length)
    if head == "info-optimal":
        return 1.0 + 0.02 * length
    return found.step_cost_us


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



def _bound_value(bound: str, schedule: "Schedule", mi_total: Fraction, eps_train: Fraction,
                 mi_profile: "MIProfile | None" = None) -> Fraction:
    """``bound`` for ``schedule``; for a semi-autoregressive one its blockwise form (B1), the only one that holds:
    Σ_b c(s_b)/B_b · ΣI_b + ε_train with ΣI_b <= Σ_{i∈b} I_i from ``mi_profile``'s values, or, from ΣI alone,
    max_b c(s_b)/B_b · ΣI (docs/theory.md, section 11)."""
    from .bounds import bound_coefficient, bound_report

    if schedule.positions == "blocks":
        from .profile import MIProfile

        profile = mi_profile if mi_profile is not None else MIProfile.from_total(mi_total, schedule.length)
        value = bound_report(profile, schedule, eps_train).values[f"block_{bound}"]
        assert value is not None  # every block bound applies to every block schedule
        return value
    return bound_coefficient(bound, schedule.max_size) * mi_total / schedule.length + eps_train


def required_steps_family(
    targets: Sequence[Any],
    *,
    family: str = "uniform",
    by: str = "bound",
    length: int,
    curve: LossCurve | None = None,
    mi_total: Fraction | None = None,
    bound: str = "theorem1",
    eps_train: Fraction = Fraction(0),
    unit: str = "nats",
    max_steps: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    mi_profile: "MIProfile | None" = None,
) -> list[FamilyStepsResult]:
    """For each target, the fewest T of ``family`` whose value (``by``) is <= the target.

    * ``by="bound"``: ``bound`` (theorem1, recursion, sharp) at the curve's (or
      given) ΣI plus ε_train; uniform has a closed form (boundcalc.steps),
      other families are scanned;
    * ``by="error"``: the error estimated from ``curve`` (targets compared with
      the linear-interpolation value, in ``unit``); families are scanned
      T = 1, 2, ... (the error need not be monotone in T) until every target is
      reached and then up to twice that T, recording larger T that miss again;
    * ``by="optimal"``: the DP-optimal schedule's error, non-increasing in T:
      one DP pass stops at the first T that reaches the target.

    A semi-autoregressive family ``blocks:K:FAMILY`` (T a multiple of K) is
    searched by its blockwise bound (B1) only, from ``mi_profile``'s per-token
    values when given (else from ΣI); its error needs each block's
    conditional profile, which a loss curve does not give.

    Work is estimated before anything runs; a search over budget raises
    :class:`DomainError` with the estimate (``max_steps`` caps the scan).
    """
    from .exact import nonnegative_rational, positive_rational

    if by not in ("bound", "error", "optimal"):
        raise UsageError(f"by = {by!r} is unknown", param="by", allowed="bound, error or optimal")
    goals = [positive_rational(t, "target") for t in targets]
    if not goals:
        raise UsageError("no target given", param="target", allowed="one or more targets > 0")
    eps_train = nonnegative_rational(eps_train, "eps_train")
    if by != "bound":
        if curve is None:
            raise UsageError(f"by = {by} needs a loss curve", param="loss_curve", allowed="give a loss curve (or use by = bound)")
        if eps_train:
            raise UsageError("the error from a loss curve already carries the model's excess loss", param="eps_train",
                             allowed="ε_train applies to by = bound only")
    if by == "bound" and mi_total is None:
        if curve is None:
            raise UsageError("by = bound needs ΣI", param="mi_total", allowed="give ΣI or a loss curve")
        mi_total = Fraction(_float_decimal(_to(curve.mi_total(), unit)))
    top = length if max_steps is None else min(max_steps, length)
    if by == "optimal":
        return _optimal_steps(goals, curve, unit, top, progress)  # type: ignore[arg-type]
    head, _ = _family_parts(family)
    found = _family_of(family)
    if head == "optimal":
        raise UsageError("the DP optimum is searched with by = optimal", param="family", allowed="a family, or by = optimal")
    if found.random_counts:  # T may exceed L: the default limit is a multiple of L
        from .counts import MAX_COUNT_STEPS

        top = min(COUNT_MAX_STEPS_FACTOR * length if max_steps is None else max_steps, MAX_COUNT_STEPS)
        return _count_steps(goals, family, by, length, curve, mi_total, bound, eps_train, unit, top, progress)
    if by == "bound" and head == "uniform":
        return _uniform_bound(goals, length, mi_total, bound, eps_train, unit)
    if found.reveals == "blocks" and by != "bound":
        raise UsageError(f"{family!r} {BLOCKS_ERROR}", param="family",
                         allowed="by = bound for a blocks family (verify a blocks schedule with its data model)")
    grid = [T for T in _steps_grid(family, length) if T <= top]
    if not grid:
        raise UsageError(f"no T <= {top} for {family}", param="max_steps", allowed="a larger limit")
    cost_each = _check_scan_cost(goals, family, by, length, curve, mi_total, bound, eps_train, unit, grid, top)
    return _scan(goals, family, by, length, curve, mi_total, bound, eps_train, unit, grid, cost_each, progress,
                 mi_profile)


def _check_scan_cost(goals, family, by, length, curve, mi_total, bound, eps_train, unit, grid, top) -> float:
    """The scan's cost per step of a schedule, after refusing a scan estimated over budget (before any work)."""
    head, args = _family_parts(family)
    cost_each = _step_cost(family, length) + (_EVAL_COST_US if by == "error" else 0.0)
    # blockwise bounds are up to K times the global one at the same T: the hint scales ΣI by K
    blocks = int(args[0]) if _family_of(family).reveals == "blocks" else 1
    hint = _hint(goals, by, length, curve, None if mi_total is None else mi_total * blocks, bound, eps_train, unit)
    horizon = min(top, max(grid[0], 2 * hint))
    estimate = cost_each * sum(T for T in grid if T <= horizon)
    if estimate > SCAN_BUDGET_US:
        raise DomainError(
            f"scanning {family} up to T = {horizon} would take about {estimate / 1e6:.0f} s "
            f"(~{cost_each:.2g} µs per step of each schedule)",
            param="family",
            allowed="a smaller maximum T (max_steps), the uniform family, or a coarser family",
        )
    return cost_each


def _hint(goals, by, length, curve, mi_total, bound, eps_train, unit) -> int:
    """The uniform family's answer for the hardest target: where a scan of another family should end."""
    from .schedule import Schedule

    if by == "bound":
        res = _uniform_bound(goals, length, mi_total, bound, eps_train, unit)
        return max((r.steps or length) for r in res)
    profile = curve_profile(curve)
    goal = float(min(goals))
    lo, hi = 1, length  # bisection on uniform's error (a hint only: not assumed monotone)
    while lo < hi:
        mid = (lo + hi) // 2
        if _to(profile.error(Schedule.uniform(length, mid)), unit) <= goal:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _uniform_bound(goals, length, mi_total, bound, eps_train, unit) -> list[FamilyStepsResult]:
    from .profile import MIProfile
    from .schedule import Schedule
    from .steps import required_steps

    profile = MIProfile.from_total(mi_total, length, unit)
    out = []
    for g in goals:
        r = required_steps(profile, g, eps_train, bound)
        if r.steps is None:
            out.append(FamilyStepsResult(g, "bound", "uniform", None, None, None, unit, "closed form", length,
                                         reason=f"the target is below the floor ε_train = {eps_train}"))
        else:
            out.append(FamilyStepsResult(g, "bound", "uniform", r.steps, Schedule.uniform(length, r.steps), r.bound,
                                         unit, "closed form (bound non-increasing in T)", length))
    return out


def _scan(goals, family, by, length, curve, mi_total, bound, eps_train, unit, grid, cost_each, progress,
          mi_profile=None):
    import time

    profile = curve_profile(curve) if by == "error" else None
    if profile is not None:
        d, h = profile.conditional, profile.entropies
    found: dict[int, tuple[int, Any, Any]] = {}
    misses: dict[int, list[int]] = {i: [] for i in range(len(goals))}
    stop = None
    last = grid[0]
    started = time.monotonic()
    for T in grid:
        if stop is not None and T > stop:
            break
        # the estimate was checked up front; a busy machine or a family slower than its model stops here
        if time.monotonic() - started > 2 * SCAN_BUDGET_US / 1e6:
            raise DomainError(f"the scan of {family} ran out of time at T = {T} "
                              f"(over {2 * SCAN_BUDGET_US / 1e6:.0f} s)", param="family",
                              allowed="a smaller maximum T (max_steps), or the uniform family")
        try:
            sched = family_schedule(family, T, length, curve)
        except (ScheduleError, UsageError):
            continue  # the family has no T-step schedule at this L (e.g. steps of size 0)
        last = T
        if by == "bound":
            value: Any = _bound_value(bound, sched, mi_total, eps_train, mi_profile)
            level = value
        else:
            level = _to(_fast_error(d, h, sched), unit)
            value = None
        for i, g in enumerate(goals):
            ok = level <= g if by == "bound" else level <= float(g)
            if i not in found and ok:
                if value is None:  # the answer's value with the engine's accurate sum, stderr and pchip
                    value = _estimate_with(profile, curve, sched)
                found[i] = (T, sched, value)
            elif i in found and not ok:
                misses[i].append(T)
        if len(found) == len(goals) and stop is None:
            stop = 2 * max(t for t, _, _ in found.values())
        if progress:
            progress(T, grid[-1])
    search = "scan" if by == "bound" else "scan (the error need not be monotone in T)"
    out = []
    for i, g in enumerate(goals):
        if i in found:
            T, sched, value = found[i]
            out.append(FamilyStepsResult(g, by, family, T, sched, value, unit, search, last, tuple(misses[i])))
        else:
            reason = (f"the target is below the floor ε_train = {eps_train}" if by == "bound" and g < eps_train
                      else f"no T <= {last} reaches it")
            out.append(FamilyStepsResult(g, by, family, None, None, None, unit, search, last, reason=reason))
    return out


def _fast_error(d: "np.ndarray", h: "np.ndarray", sched: "Schedule") -> float:
    """Σ_steps s·d(w) - (h(w+s) - h(w)), vectorised (for scans: within ~L·ε·h(L) of the engine's fsum)."""
    import numpy as np

    sizes = np.fromiter(sched.sizes, dtype=np.int64, count=sched.steps)
    w = np.cumsum(sizes) - sizes
    return max(float(np.sum(sizes * d[w] - (h[w + sizes] - h[w]))), 0.0)


def _estimate_with(profile: "EntropyProfile", curve: LossCurve, sched: "Schedule") -> Estimate:
    """The error of ``sched`` on the curve's linear profile, with the pchip value, the stderr and the float error."""
    value = profile.error(sched)
    if curve.masked.size == curve.length:
        cubic = value
    else:
        cubic = curve_profile(curve, "pchip").error(sched)
    se = curve.stderr_of(schedule_coefficients(sched, curve.length)) if curve.stderr is not None else None
    return Estimate(value, se, cubic, curve.exact, abs_error=profile.error_bound(sched))


def _optimal_steps(goals, curve: LossCurve, unit: str, top: int, progress) -> list[FamilyStepsResult]:
    from .schedule import Schedule

    L = curve.length
    profile = curve_profile(curve)
    goal = float(min(goals))
    # the uniform family's error bounds the optimum from above: its answer caps the DP
    hint = min(top, _hint(goals, "error", L, curve, None, "theorem1", Fraction(0), unit))
    # the DP's own budget (optimal_errors) is checked before any layer runs
    nats_goal = goal if unit == "nats" else goal * _LN2
    errors = profile.optimal_errors(hint, target=nats_goal, progress=progress)
    out = []
    for g in goals:
        level = float(g) if unit == "nats" else float(g) * _LN2
        T = next((t + 1 for t, e in enumerate(errors) if e <= level), None)
        if T is None:
            out.append(FamilyStepsResult(g, "optimal", "optimal", None, None, None, unit, "DP", len(errors),
                                         reason=f"no T <= {len(errors)} reaches it"))
            continue
        sched, _ = profile.optimal_schedule(T)
        sched = Schedule(runs=sched.runs, name=f"optimal:{T}")
        value = _estimate_with(profile, curve, sched)
        out.append(FamilyStepsResult(g, "optimal", "optimal", T, sched, value, unit,
                                     "DP (the optimum is non-increasing in T)", len(errors)))
    return out


def budget_table(
    steps: int,
    *,
    length: int,
    families: Sequence[str] = BUDGET_FAMILIES,
    curve: LossCurve | None = None,
    mi_total: Fraction | None = None,
    bound: str = "theorem1",
    eps_train: Fraction = Fraction(0),
    unit: str = "nats",
    mi_profile: "MIProfile | None" = None,
) -> list[dict[str, Any]]:
    """For T = ``steps``: each family's schedule, its estimated error (with a curve) and its bound.

    Rows: ``family``, ``schedule`` (Schedule or None with ``reason``), ``error``
    (Estimate or None), ``bound`` (Fraction). Families needing the curve are
    skipped without one; a family with no T-step schedule at this L says why.
    A random-count family (mdlm, sedd, dream-origin) has ``sampler`` instead of
    ``schedule``, its expected error and its expected bound (:class:`ExpectedBound`).
    A semi-autoregressive family (``blocks:K:FAMILY``) has its blockwise bound
    (B1; per-token values from ``mi_profile`` when given) and no error.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= length:
        raise UsageError(f"T = {steps!r} is not allowed", param="budget", allowed=f"1 <= T <= L = {length}")
    for family in families:
        _family_parts(family)  # every name checked before any work
    if mi_total is None and curve is not None:
        mi_total = Fraction(_float_decimal(_to(curve.mi_total(), unit)))
    profile = curve_profile(curve) if curve is not None else None
    rows = []
    for family in families:
        found = _family_of(family)
        row: dict[str, Any] = {"family": family, "schedule": None, "error": None, "bound": None, "reason": ""}
        if found.needs_curve and curve is None:
            continue
        if found.random_counts:
            rows.append(_count_row(row, family, steps, length, curve, profile, mi_total, bound, eps_train))
            continue
        try:
            sched = family_schedule(family, steps, length, curve)
        except (ScheduleError, UsageError) as error:
            row["reason"] = error.message
            rows.append(row)
            continue
        row["schedule"] = sched
        if profile is not None and curve is not None and sched.positions == "uniform":
            row["error"] = _estimate_with(profile, curve, sched)
        elif sched.positions == "blocks" and curve is not None:
            row["reason"] = f"{family} {BLOCKS_ERROR}"
        if mi_total is not None:
            row["bound"] = _bound_value(bound, sched, mi_total, eps_train, mi_profile)
        rows.append(row)
    return rows


# -- random-count samplers (mdlm, sedd, dream-origin) as families ---------------------------------

#: Without a maximum T, count families are searched up to this multiple of L (their T may exceed L).
COUNT_MAX_STEPS_FACTOR = 16
EXPECTED_NOTE = ("an expectation over the sampler's random reveal counts: E[c(S_max)]/L · ΣI + ε_train, "
                 "a float64 value with a certified error bound")
DECISION_NOTE = ("conservative by the float error: a T counts as reached only when value + certified error <= "
                 "target, as missing only when value - error > target; undecided_steps lists the rest")
COUNT_ERROR_NOTE = "an expectation over the sampler's random reveal counts (exact DP over the number revealed)"
# Costs in microseconds, measured by benchmarks/bench_count_steps.py on the shared 2-core machine.
_COUNT_BUILD_US = {"exact": 6.0, "mpmath": 250.0}  # one step: screen overhead (integer ratios), or mpmath noise
_COUNT_SCREEN_US = 0.05  # one entry of a screen (a step's law up to the size cap, or the law of w over 0..L)
_COUNT_SCREEN_FIXED_US = 800.0  # one screen's fixed overhead (numpy calls, the size cap's bisection)
_COUNT_DP_US = 0.006  # one multiply-add of the count DPs
_FULL_DP_US = 2e6  # above this the value at T is an enclosure (DP at a few thresholds), not the full DP
_ENCLOSURE_THRESHOLDS = 16


@dataclass(frozen=True)
class ExpectedBound(Printable):
    """A bound's expectation over random reveal counts: a float (in the profile's unit) with a certified error."""

    value: float
    error: float
    bound: str
    note: str = EXPECTED_NOTE

    def measured(self) -> Measured:
        """The value with its certified error (an expectation over the counts, not a statistical estimate)."""
        return Measured(max(self.value, 0.0), self.error, nonnegative=True)

    def to_dict(self, unit: str = "nats", digits: int = 6) -> dict[str, Any]:  # type: ignore[override]
        """The JSON printer's form (:func:`boundcalc.jsonify.to_json`)."""
        return Printable.to_dict(self, digits)

    def show(self, unit: str = "nats", digits: int = 4) -> str:
        """'0.2451 ± 2e-13 (expected)' for tables (digits justified by the error)."""
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


def count_coefficients(sampler: Any) -> "np.ndarray":
    """c with E error = Σ_m c_m d(m) for a count sampler: c_m = E[size of the step starting at m] - 1."""
    return sampler.expected_start_sizes() - 1.0


def count_estimate(curve: LossCurve, sampler: Any, profile: "EntropyProfile | None" = None) -> Estimate:
    """The expected error of a count sampler from the curve (nats): the exact count DP on the linearly
    interpolated d, the pchip value, and the stderr through :func:`count_coefficients`."""
    from .truth.samplers import count_error

    value, error = count_error(profile if profile is not None else curve_profile(curve), sampler)
    cubic = value if curve.masked.size == curve.length else count_error(curve_profile(curve, "pchip"), sampler)[0]
    se = curve.stderr_of(count_coefficients(sampler)) if curve.stderr is not None else None
    note = COUNT_ERROR_NOTE + "; " + (EXACT_NOTE if curve.exact else ESTIMATE_NOTE)
    return Estimate(max(value, 0.0), se, max(cubic, 0.0), curve.exact, note, error)


def count_expected_bound(sampler: Any, mi_total: Fraction, bound: str = "theorem1",
                         eps_train: Fraction = Fraction(0), coefficient: Callable[[int], Any] | None = None
                         ) -> ExpectedBound:
    """E[c(S_max)]/L · ΣI + ε_train for ``bound``: the value and certified error of
    :func:`boundcalc.bounds.count_bound_report`, with the law of S_max computed only where c jumps.

    >>> from fractions import Fraction
    >>> from boundcalc.counts import parse_sampler
    >>> b = count_expected_bound(parse_sampler("dream-origin:8", 8), Fraction(8), "sharp")
    >>> round(b.value, 4), b.error < 1e-9
    (1.5972, True)
    """
    from .bounds import bound_coefficient

    if coefficient is None:
        coefficient = lambda s: bound_coefficient(bound, s)  # noqa: E731
    c, e = sampler.expected_coefficient_at_jumps(coefficient)
    scale, eps = float(mi_total) / sampler.length, float(eps_train)
    value = c * scale + eps
    return ExpectedBound(value, e * scale + 4 * 2.0**-53 * value, bound)


class _CountSearch:
    """The values of a count family over T: a cheap screen (brackets) and the exact evaluation, with costs."""

    def __init__(self, family: str, by: str, length: int, curve: LossCurve | None, mi_total: Fraction | None,
                 bound: str, eps_train: Fraction, unit: str) -> None:
        from .bounds import bound_coefficient

        self.family, self.by, self.length, self.curve, self.unit = family, by, length, curve, unit
        self.mi_total: Fraction = Fraction(0) if mi_total is None else mi_total  # given whenever by = bound
        self.bound, self.eps_train = bound, eps_train
        head, args = _family_parts(family)
        self.build_us = _COUNT_BUILD_US["mpmath" if head == "mdlm" and args and args[0] != "loglinear" else "exact"]
        self.samplers: dict[int, Any] = {}
        self.screens: dict[int, tuple[float, float, float, int]] = {}
        self.exact: dict[int, tuple[float, float]] = {}
        self.reports: dict[int, ExpectedBound] = {}
        self.refined: dict[int, tuple[float, float, float]] = {}
        cached = [bound_coefficient(bound, s) for s in range(1, length + 1)] if by == "bound" else []
        self.coefficient: Callable[[int], Any] = lambda s: cached[s - 1]
        self.jumps = [s for s in range(1, length) if cached[s] != cached[s - 1]] if cached else []
        if curve is not None and by == "error":
            self.d = curve_profile(curve).conditional

    def sampler(self, T: int) -> Any:
        if T not in self.samplers:  # keep one: they can be large
            self.samplers = {T: _rational_sampler(self.family, T, self.length) or
                             family_sampler(self.family, T, self.length)}
        return self.samplers[T]

    def screen_cost(self, T: int) -> float:
        L = self.length
        width = min(L + 1, 82 + 12 * math.sqrt(L)) if self.by == "error" else min(L, L / T + 12 * math.sqrt(L / T) + 20) + 1
        return _COUNT_SCREEN_FIXED_US + T * (self.build_us + _COUNT_SCREEN_US * width) + (L if self.by == "bound" else 0)

    def exact_cost(self, T: int, thresholds: int | None = None) -> float:
        """The DP at T: over every threshold where c jumps (None), or over that many thresholds."""
        cap = self.screens[T][3] if T in self.screens else self.length
        per = 2 * (cap + 1)  # the transitions, and for the bound the DP over the thresholds where c jumps
        if self.by == "bound":
            per += sum(s + 1 for s in self.jumps if s < cap) if thresholds is None else thresholds * (cap + 1)
        return (T + 1) * (self.length + 1) * per * _COUNT_DP_US + T * self.build_us

    def evaluate_cost(self, T: int) -> float:
        """What :meth:`evaluate` costs at T: the full DP when it is cheap, else the 16-threshold enclosure."""
        return min(self.exact_cost(T), self.exact_cost(T, _ENCLOSURE_THRESHOLDS))

    def screen(self, T: int) -> tuple[float, float, float]:
        """(lower, upper, error) on the value at T, in the unit: a bracket (bound) or the estimate itself (error)."""
        if T not in self.screens:
            sampler = self.sampler(T)
            if self.by == "error":
                level = _to(max(float(count_coefficients(sampler) @ self.d), 0.0), self.unit)
                self.screens[T] = (level, level, 0.0, sampler.size_cap())
            else:
                self.screens[T] = (*self._scaled(*sampler.expected_coefficient_bracket(self.coefficient)),
                                   sampler.size_cap())
        return self.screens[T][:3]

    def _scaled(self, lo: float, hi: float, err: float) -> tuple[float, float, float]:
        """A bracket of E c(S_max) as one of the bound: c/L · ΣI + ε_train."""
        scale, eps = float(self.mi_total) / self.length, float(self.eps_train)
        return lo * scale + eps, hi * scale + eps, err * scale + 4 * 2.0**-53 * (hi * scale + eps)

    def evaluate(self, T: int) -> tuple[float, float]:
        """The exact (DP) value at T and its certified float error (bound) or 0 (error: an estimate)."""
        if T not in self.exact:
            if self.by == "error":
                self.exact[T] = self.screen(T)[:1] + (0.0,)
            elif self.exact_cost(T) <= _FULL_DP_US:
                self.reports[T] = count_expected_bound(self.sampler(T), self.mi_total, self.bound, self.eps_train,
                                                       self.coefficient)
            else:  # an enclosure: the DP at the widest thresholds, brackets elsewhere (relative width ~1e-7)
                lo, hi, err = self._scaled(*self.sampler(T).expected_coefficient_bracket(
                    self.coefficient, exact_at=_ENCLOSURE_THRESHOLDS))
                self.reports[T] = ExpectedBound((lo + hi) / 2, (hi - lo) / 2 + err, self.bound,
                                                EXPECTED_NOTE + "; enclosed: P(S_max > s) by the DP at the "
                                                f"{_ENCLOSURE_THRESHOLDS} widest thresholds, bracketed elsewhere")
            if T in self.reports:
                self.exact[T] = (self.reports[T].value, self.reports[T].error)
        return self.exact[T]

    def status(self, T: int, goal: Fraction, exact: bool) -> str:
        """'reach', 'miss', or 'unknown' (screen only) / 'undecided' (within the float error, after the DP)."""
        lo, hi, err = self.screen(T)
        if self.by == "error":
            return "reach" if lo <= float(goal) else "miss"
        if Fraction(hi) + Fraction(err) <= goal:  # exact sums: the decision is as certain as the error bound
            return "reach"
        if Fraction(lo) - Fraction(err) > goal:
            return "miss"
        if not exact:
            return "unknown"
        if T not in self.refined:  # the widest terms by a DP over three thresholds: closes most of the gap
            lo, hi, err = self.sampler(T).expected_coefficient_bracket(self.coefficient, exact_at=3)
            self.refined[T] = self._scaled(lo, hi, err)
        lo, hi, err = self.refined[T]
        if Fraction(hi) + Fraction(err) <= goal:
            return "reach"
        if Fraction(lo) - Fraction(err) > goal:
            return "miss"
        value, error = self.evaluate(T)
        if Fraction(value) + Fraction(error) <= goal:
            return "reach"
        return "miss" if Fraction(value) - Fraction(error) > goal else "undecided"


def _count_horizon(search: _CountSearch, goals: list[Fraction], top: int) -> int:
    """A T (a power of two, or ``top``) at which the screen certifies every goal: the answers are <= it."""
    T, spent = 1, 0.0
    while True:
        spent += search.screen_cost(T)
        if spent > SCAN_BUDGET_US:
            raise DomainError(f"searching {search.family} for L = {search.length} would take over "
                              f"{SCAN_BUDGET_US / 1e6:.0f} s before T = {T} reaches the target", param="family",
                              allowed="a larger target, a smaller maximum T (max_steps) or a smaller L")
        if all(search.status(T, g, exact=False) == "reach" for g in goals) or T >= top:
            return T
        T = min(2 * T, top)


def _count_budget(search: _CountSearch, goals: list[Fraction], end: int) -> None:
    """Refuse before any DP runs when the T the screen leaves open would cost too much."""
    answers: set[int] = set()
    open_: set[int] = set()
    for g in goals:
        first = next((T for T in range(1, end + 1) if search.status(T, g, exact=False) == "reach"), end)
        answers.add(first)
        if search.by == "bound":
            open_.update(T for T in range(1, min(end, 2 * first) + 1) if search.status(T, g, exact=False) == "unknown")
    # the value at each answer; every open T refined at three thresholds, and the closest few evaluated
    cost = sum(search.evaluate_cost(T) for T in answers) + sum(search.exact_cost(T, 3) for T in open_)
    cost += 2 * len(goals) * max((search.evaluate_cost(T) for T in open_), default=0.0)
    needed = answers | open_
    if cost > SCAN_BUDGET_US:
        raise DomainError(f"the count DP of {search.family} for L = {search.length} at the {len(needed)} T the "
                          f"screen leaves open would take about {cost / 1e6:.0f} s", param="family",
                          allowed="a smaller maximum T (max_steps), a smaller L, or a fixed-schedule family")


def _count_steps(goals, family, by, length, curve, mi_total, bound, eps_train, unit, top, progress):
    """steps for a random-count family: screen T = 1..horizon, then up to twice the first T the screen
    certifies (for larger T that miss), each range costed before it runs; the DP where the screen does not decide."""
    search = _CountSearch(family, by, length, curve, mi_total, bound, eps_train, unit)
    live = [g for g in goals if by != "bound" or g >= eps_train]
    horizon = _count_horizon(search, live, top) if live else 1
    spent = _screen_range(search, 1, horizon, 0.0, progress)
    firsts = [next((T for T in range(1, horizon + 1) if search.status(T, g, exact=False) == "reach"), horizon)
              for g in live]
    end = min(top, 2 * max(firsts, default=1))
    _screen_range(search, horizon + 1, end, spent, progress)
    _count_budget(search, live, end)
    text = ("scan of every T, screened by brackets of E c(S_max) (negative association, union bound), "
            "the count DP where they do not decide" if by == "bound"
            else "scan of every T (the expected error need not be monotone in T)")
    try:
        return [_count_answer(search, g, end, text) for g in goals]
    except DomainError as error:  # the DP's own work limit, named by the family searched
        raise DomainError(error.message, param="family", allowed=error.allowed) from None


def _screen_range(search: _CountSearch, first: int, last: int, spent: float, progress) -> float:
    """Screen T = first..last after checking the estimated cost (with ``spent`` before) against the budget."""
    cost = spent + sum(search.screen_cost(T) for T in range(first, last + 1) if T not in search.screens)
    if cost > SCAN_BUDGET_US:
        raise DomainError(f"scanning {search.family} for L = {search.length} up to T = {last} would take about "
                          f"{cost / 1e6:.0f} s", param="family",
                          allowed="a smaller maximum T (max_steps), a larger target or a smaller L")
    for T in range(first, last + 1):
        search.screen(T)
        if progress:
            progress(T, last)
    return cost


def _count_answer(search: _CountSearch, goal: Fraction, end: int, text: str) -> FamilyStepsResult:
    by, family, unit = search.by, search.family, search.unit
    if by == "bound" and goal < search.eps_train:
        return FamilyStepsResult(goal, by, family, None, None, None, unit, text, end,
                                 reason=f"the target is below the floor ε_train = {search.eps_train}")
    import time

    answer, misses, undecided, last = None, [], [], end
    started = time.monotonic()
    for T in range(1, end + 1):
        if answer is not None and T > 2 * answer:
            last = T - 1
            break
        if time.monotonic() - started > 2 * SCAN_BUDGET_US / 1e6:  # the estimate was checked; a busy machine stops here
            raise DomainError(f"the search of {family} ran out of time at T = {T} (over "
                              f"{2 * SCAN_BUDGET_US / 1e6:.0f} s)", param="family",
                              allowed="a smaller maximum T (max_steps), a larger target or a smaller L")
        status = search.status(T, goal, exact=True)
        if answer is None and status == "reach":
            answer = T
        elif status == "undecided":
            undecided.append(T)
        elif answer is not None and status == "miss":
            misses.append(T)
    if answer is None:
        reason = f"no T <= {end} reaches it" + (f" (undecided within the float error: T = {undecided[:6]})"
                                                  if undecided else "")
        return FamilyStepsResult(goal, by, family, None, None, None, unit, text, end, reason=reason,
                                 undecided=tuple(undecided))
    sampler = family_sampler(family, answer, search.length)  # with its exact rationals where they exist
    if by == "bound":
        search.evaluate(answer)
        value: Any = search.reports[answer]
    else:
        value = count_estimate(cast(LossCurve, search.curve), sampler)  # by = error always has a curve
    return FamilyStepsResult(goal, by, family, answer, None, value, unit, text, last, tuple(misses),
                             sampler=sampler, undecided=tuple(undecided))


def _count_row(row: dict[str, Any], family: str, steps: int, length: int, curve: LossCurve | None,
               profile: "EntropyProfile | None", mi_total: Fraction | None, bound: str, eps_train: Fraction
               ) -> dict[str, Any]:
    """A budget row for a random-count family: its sampler, expected error and expected bound."""
    try:
        sampler = family_sampler(family, steps, length)
        row["sampler"] = sampler
        if curve is not None:
            row["error"] = count_estimate(curve, sampler, profile)
        if mi_total is not None:
            row["bound"] = count_expected_bound(sampler, mi_total, bound, eps_train)
    except DomainError as error:  # the count DP's work limit: this row only
        row["sampler"], row["error"], row["bound"] = None, None, None
        row["reason"] = error.message
    return row
