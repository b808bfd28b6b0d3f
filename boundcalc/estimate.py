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
* :func:`count_estimate` -- the expected error of a random-count sampler.

The search over T of any family is :mod:`boundcalc.family_steps`.

>>> from boundcalc.curve import LossCurve
>>> c = LossCurve(length=4, masked=[1, 2, 3, 4], loss=[0.1, 0.3, 0.5, 0.7])
>>> e = estimate_error(c, "uniform:2")
>>> round(e.value, 6), e.exact
(0.4, False)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Mapping

from ._print_helpers import Printable
from .curve import LossCurve
from .errors import ScheduleError, UsageError
from .exact import Measured
from .registry import SamplerSpec
from .schedule import parse_spec
from .units import from_nats

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .multiscale import MultiScaleProfile
    from .profile import MIProfile
    from .schedule import Schedule
    from .truth.core import EntropyProfile

__all__ = [
    "Estimate",
    "curve_profile",
    "schedule_coefficients",
    "input_coefficients",
    "random_schedule_coefficients",
    "estimate_linear",
    "estimate_error",
    "curve_quantities",
    "curve_input_estimates",
    "curve_bound_spreads",
    "curve_mi_profile",
    "info_optimal_schedule",
    "info_optimal_approximation",
    "curve_schedule",
    "curve_multiscale",
    "random_schedule_estimate",
    "curve_level_estimates",
    "count_coefficients",
    "count_estimate",
    "COUNT_ERROR_NOTE",
]

_EPS64 = 2.0**-53
ESTIMATE_NOTE = (
    "estimate from a measured loss curve (a model's cross-entropy over-estimates d: its excess acts like ε_train); "
    "stderr propagated linearly through the isotonic fit; interpolation_effect = |linear - monotone cubic|"
)
EXACT_NOTE = "exact curve of a data model (float64)"


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

    def measured(self) -> Measured:
        """The value (non-negative, in nats) with its uncertainty: a certified float result for an exact
        curve, else an estimate with stderr and interpolation effect (the printers show it in the display
        unit: :func:`boundcalc.units.from_nats`)."""
        value = max(self.value, 0.0)
        if self.exact:
            out = Measured(value, self.abs_error, nonnegative=True)
        else:
            out = Measured(value, self.abs_error, nonnegative=True, stderr=self.stderr,
                           interpolation=self.interpolation_effect, estimate=True, interval=self.interval)
        return out

    def show(self, digits: int = 4) -> str:
        """'1.62 ± 0.031 (interp. 0.012)' for tables, in the display unit: :meth:`boundcalc.exact.Measured.show`."""
        return from_nats(self.measured()).show(digits)


def curve_profile(curve: LossCurve, interpolation: str = "linear") -> "EntropyProfile":
    """The truth engine's :class:`EntropyProfile` of the curve (d interpolated to every m)."""
    from .truth.core import EntropyProfile

    return EntropyProfile(curve.require_slope().conditional(interpolation), source=curve.source or "loss curve")


def schedule_coefficients(schedule: "Schedule", length: int) -> "np.ndarray":
    """c with error(schedule) = Σ_m c_m d(m): a step (w, s) adds s - 1 to c_w and -1 to c_{w+1..w+s-1}."""
    import numpy as np

    schedule.require_length(length)
    runs = np.asarray(schedule.runs, dtype=np.int64).reshape(-1, 2)
    sizes = np.repeat(runs[:, 0], runs[:, 1])
    starts = np.cumsum(sizes) - sizes
    # the starts are strictly increasing, so each index below occurs once per assignment: plain fancy indexing
    # (much faster than np.add.at) gives the same small integers, exactly
    c = np.zeros(length)
    c[starts] = sizes - 1
    inside = np.zeros(length + 1)  # -1 on w+1..w+s-1 of each step, by a difference array
    long_steps = sizes >= 2
    inside[starts[long_steps] + 1] -= 1.0
    inside[(starts + sizes)[long_steps]] += 1.0
    return c + np.cumsum(inside)[:length]


def estimate_linear(curve: LossCurve, coefficients: "np.ndarray", note: str = "") -> Estimate:
    """Σ_m c_m d(m) from the curve: linear and pchip interpolations, stderr propagated."""
    import numpy as np

    c = np.asarray(coefficients, dtype=np.float64)
    terms = c * curve.require_slope().conditional("linear")
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


def _estimate_with(profile: "EntropyProfile", curve: LossCurve, sched: "Schedule") -> Estimate:
    """The error of ``sched`` on the curve's linear profile, with the pchip value, the stderr and the float error."""
    value = profile.error(sched)
    if curve.masked.size == curve.length:
        cubic = value
    else:
        cubic = curve_profile(curve, "pchip").error(sched)
    se = curve.stderr_of(schedule_coefficients(sched, curve.length)) if curve.stderr is not None else None
    return Estimate(value, se, cubic, curve.exact, abs_error=profile.error_bound(sched))


def curve_quantities(curve: LossCurve, steps: int | None = None) -> dict[str, Estimate]:
    """TC, DTC, ΣI (= TC + DTC), H(X) from the curve; with ``steps`` = T also the rates TC/T and DTC/T.

    TC = Σ_i H(X^(i)) - H(X) = g(0, L) = Σ_m (d(0) - d(m)); DTC = H(X) - Σ_i H(X^(i) | X^(-i))
    = Σ_m (d(m) - d(L-1)); ΣI = L (d(0) - d(L-1)). Zhao & Cai (arXiv 2602.20126) show
    randomized step sizes reach E KL = Õ(TC/T) or Õ(DTC/T): rates with unknown
    constants and logarithms, never bounds.
    """
    c = quantity_coefficients(curve.length)
    out = {
        "total_correlation": estimate_linear(curve, c["total_correlation"],
                                             "TC = g(0, L) = Σ_m (d(0) - d(m)): the error of T = 1"),
        "dual_total_correlation": estimate_linear(curve, c["dual_total_correlation"], "DTC = Σ_m (d(m) - d(L-1))"),
        "mi_total": estimate_linear(curve, c["mi_total"], "ΣI = L (d(0) - d(L-1)) = TC + DTC"),
        "entropy": estimate_linear(curve, c["entropy"], "H(X) = Σ_m d(m)"),
    }
    if steps is not None:
        rate = "a rate (Zhao & Cai, arXiv 2602.20126): E KL = Õ({}/T) with unknown constants and logs; not a bound"
        out["tc_rate"] = Estimate(**{**out["total_correlation"].scaled(1 / steps).__dict__, "note": rate.format("TC")})
        out["dtc_rate"] = Estimate(**{**out["dual_total_correlation"].scaled(1 / steps).__dict__,
                                      "note": rate.format("DTC")})
    return out


def quantity_coefficients(length: int) -> dict[str, "np.ndarray"]:
    """c with each of :func:`curve_quantities`' totals = Σ_m c_m d(m): TC, DTC, ΣI and H(X) are linear in d."""
    import numpy as np

    one = np.ones(length)
    tc = -one.copy()
    tc[0] += length
    dtc = one.copy()
    dtc[-1] -= length
    mi = np.zeros(length)
    mi[0] += length
    mi[-1] -= length
    return {"total_correlation": tc, "dual_total_correlation": dtc, "mi_total": mi, "entropy": one}


def curve_input_estimates(curve: LossCurve, max_size: int | None = None) -> dict[str, Estimate]:
    """What the bounds are functions of, as estimates from the curve (nats): ``"mi_total"`` (ΣI) and, with
    ``max_size``, ``"phi"`` (Theorem 2's Φ = Σ_j 2^-j G(m_j) for S = 2^ceil(log2 max_size), G(m) = L (d(0) - d(m))).

    Their stderr and interpolation effect carry over to every bound, which is non-decreasing in them.
    """
    notes = {"mi_total": "ΣI = L (d(0) - d(L-1))", "phi": "Φ = Σ_j 2^-j L (d(0) - d(m_j))"}
    return {name: estimate_linear(curve, c, notes[name])
            for name, c in input_coefficients(curve.length, max_size).items()}


def input_coefficients(length: int, max_size: int | None = None) -> dict[str, "np.ndarray"]:
    """c with ΣI = Σ_m c_m d(m) (``"mi_total"``) and, with ``max_size``, Φ = Σ_m c_m d(m) (``"phi"``, S =
    2^ceil(log2 max_size)): the linear forms :func:`curve_input_estimates` and the completion intervals use."""
    import numpy as np

    from .multiscale import level_sizes

    L = length
    mi = np.zeros(L)
    mi[0] += L
    mi[-1] -= L
    out = {"mi_total": mi}
    if max_size is not None:
        _, sizes = level_sizes(L, max_size)
        phi = np.zeros(L)
        for j, m in enumerate(sizes):
            if m > 0:
                phi[0] += L * 2.0**-j
                phi[m] -= L * 2.0**-j
        out["phi"] = phi
    return out


def curve_bound_spreads(curve: LossCurve, inputs: Any, values: "Mapping[str, Any]",
                        estimates: "Mapping[str, Measured] | None" = None) -> dict[str, tuple[float | None, float]]:
    """(stderr or None, interpolation effect) of each bound in ``values`` (name -> value at ``inputs``, a
    :class:`~boundcalc.bounds.BoundInputs` whose ΣI and Φ come from the measured ``curve``), in the unit
    of the exact ``inputs``.

    Every bound is non-decreasing in ΣI and in Φ's level totals: its spread is its growth when ΣI moves by
    ΣI's spread (the bounds in ΣI) or the levels by Φ's (Theorem 2's, the levels scaled together so that Φ
    moves by exactly its spread). ``estimates`` (:func:`curve_input_estimates` as Measured in the inputs'
    unit) may be given to reuse them.
    """
    from .bounds import BOUNDS

    unit = inputs.profile.unit  # the exact inputs carry it
    if estimates is None:
        scale = None if inputs.multiscale is None else inputs.multiscale.scale
        estimates = {k: from_nats(e.measured(), unit) for k, e in curve_input_estimates(curve, scale).items()}
    moved: dict[str, dict[str, Any]] = {}
    for kind in ("stderr", "interpolation"):
        by_mi, by_phi = _moved_inputs(inputs, estimates, kind)
        moved[kind] = {} if by_mi is None or by_phi is None else {
            name: BOUNDS[name].value(by_phi if "multiscale" in BOUNDS[name].needs else by_mi)
            for name, v in values.items() if v is not None}
    out: dict[str, tuple[float | None, float]] = {}
    for name, value in values.items():
        if value is not None:
            se, ip = moved["stderr"].get(name), moved["interpolation"].get(name)
            out[name] = (None if se is None else float(se - value), 0.0 if ip is None else float(ip - value))
    return out


def _moved_inputs(inputs: Any, estimates: "Mapping[str, Measured]", kind: str) -> tuple[Any, Any]:
    """(ΣI moved by its ``kind`` of spread; Φ's levels moved by Φ's, ΣI raised only as far as they need), in
    the unit of the exact inputs."""
    from dataclasses import replace

    step = getattr(estimates["mi_total"], kind)
    if step is None:
        return None, None
    total, length, unit = inputs.profile.total, inputs.profile.length, inputs.profile.unit
    by_mi = replace(inputs, profile=total_profile(total + Fraction(step), length, unit))
    ms = inputs.multiscale
    if ms is None or "phi" not in estimates or ms.phi == 0:
        return by_mi, by_mi
    phi_step = getattr(estimates["phi"], kind)
    if phi_step is None:
        return by_mi, None
    factor = 1 + Fraction(phi_step) / ms.phi
    levels = tuple(t * factor for t in ms.level_totals)
    raised, moved = level_profiles(levels, ms.length, ms.source, total, length, unit)
    return by_mi, replace(inputs, profile=raised, multiscale=moved)


# A sweep moves every row's inputs to the same few ΣI and Φ (they depend on the curve and S, not on the row):
# the profiles (immutable) are built once per value, not once per row.
@functools.lru_cache(maxsize=1024)
def total_profile(total: Fraction, length: int, unit: Any) -> "MIProfile":
    """``MIProfile.from_total(total, length, unit)``, cached."""
    from .profile import MIProfile

    return MIProfile.from_total(total, length, unit=unit)


@functools.lru_cache(maxsize=1024)
def level_profiles(levels: "tuple[Fraction, ...]", length: int, source: str, total: Fraction, profile_length: int,
                   unit: Any) -> "tuple[MIProfile, MultiScaleProfile]":
    """(ΣI = ``total`` raised as far as the largest level needs, Φ's profile of ``levels``), cached."""
    from .multiscale import MultiScaleProfile
    from .profile import MIProfile

    moved = MultiScaleProfile.from_level_totals(levels, length, unit=unit, source=source)
    return MIProfile.from_total(max(total, levels[-1]), profile_length, unit=unit), moved


def random_schedule_estimate(curve: LossCurve, max_size: int, linear_value: float | None = None) -> Estimate:
    """The expected error of the paper's random schedule on {S, S/2} (S = ``max_size``, even) from the curve (nats).

    E over the schedule of Σ_t g(w_t, s_t) = Σ P(step) g(w, s) is linear in d, so its stderr is the curve's
    propagated through the coefficients Σ P(step) c(w, s) (:func:`schedule_coefficients` per step); the value
    is the truth engine's on the linear interpolation, the pchip one gives the interpolation effect.
    ``linear_value``: that value, when the caller has it already (``expected_random_error`` of
    ``curve_profile(curve)`` at ``max_size``: a sweep computes it for its random-error column).
    """
    import numpy as np

    from .random_schedule import random_schedule_floats
    from .truth.quantities import expected_random_error

    L = curve.length
    chances, _, sizes = random_schedule_floats(L, max_size)
    linear = curve_profile(curve, "linear")
    value = expected_random_error(linear, max_size) if linear_value is None else linear_value
    cubic = value if curve.masked.size == L else expected_random_error(curve_profile(curve, "pchip"), max_size)
    # each step's g(w, s) within a few roundings of its terms (fsum), weighted by p <= 1, summed with fsum
    d_max = float(np.abs(linear.conditional).max()) if L else 0.0
    error = 4 * _EPS64 * d_max * math.fsum(p * s for p, s in zip(chances.tolist(), sizes.tolist())) + _EPS64 * abs(value)
    se = curve.stderr_of(random_schedule_coefficients(L, max_size)) if curve.stderr is not None else None
    return Estimate(max(value, 0.0), se, max(cubic, 0.0), curve.exact, abs_error=error)


@functools.lru_cache(maxsize=32)
def random_schedule_coefficients(length: int, max_size: int) -> "np.ndarray":
    """c with the random schedule's expected error on {S, S/2} = Σ_m c_m d(m): Σ P(step) c(w, s) over its steps.

    Cached per (L, S) (a sweep asks for each S for its stderr and for its interval), read-only."""
    import numpy as np

    from .random_schedule import random_schedule_floats

    c = np.zeros(length)
    chances, starts, sizes = random_schedule_floats(length, max_size)
    # the same float additions in the same order as ever (the stderr and the intervals read c): one per step
    for p, w, s in zip(chances.tolist(), starts.tolist(), sizes.tolist()):
        c[w] += p * (s - 1)
        c[w + 1 : w + s] -= p
    c.setflags(write=False)
    return c


def curve_mi_profile(curve: LossCurve, unit: str = "nats") -> "MIProfile":
    """ΣI of a loss curve as an exact MIProfile in ``unit`` (the float64 value in nats, converted once by
    :func:`boundcalc.units.from_nats`, at its shortest decimal: exact from there on, in its unit)."""
    from dataclasses import replace

    from .profile import MIProfile

    total = from_nats(curve.require_slope().mi_total(), unit)
    profile = MIProfile.from_total(repr(max(total, 0.0)), curve.length, unit)
    kind = "exact curve" if curve.exact else "estimated from the loss curve"
    return replace(profile, source=f"{kind} {curve.source}")


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
    name = f"info-optimal:{steps}"
    bounds = info_optimal_boundaries(d, steps)
    return Schedule(runs=_runs_of(np.diff(bounds)), name=name)


def info_optimal_cumulative(d: "np.ndarray") -> "np.ndarray":
    """F at x = 0..L: F(x) = ∫_0^x sqrt(Z'), piecewise linear (flat on [L-1, L]), from d(0..L-1)."""
    import numpy as np

    density = np.sqrt(np.maximum(d[:-1] - d[1:], 0.0))
    return np.concatenate(([0.0], np.cumsum(density), [float(density.sum())]))


def info_optimal_boundaries(d: "np.ndarray", steps: int, cumulative: "np.ndarray | None" = None) -> "np.ndarray":
    """w_0 = 0 < w_1 < ... < w_T = L of :func:`info_optimal_schedule` (int64), from d(0..L-1), 1 <= T <= L.

    The quantiles rounded to integers are made strictly increasing with room for the
    remaining steps: forward w_t = min(max(w_t, w_{t-1} + 1), L - (T - t)), then backward
    w_t = min(w_t, w_{t+1} - 1). With u_t = w_t - t both passes are running extrema
    (a running max capped at L - T, then a running min from the end): no Python loop over t.
    ``cumulative`` is :func:`info_optimal_cumulative` of d (computed when not given).
    """
    import numpy as np

    L = int(d.size)
    F = info_optimal_cumulative(d) if cumulative is None else cumulative
    total = F[-1]
    if total <= 0:
        q, r = divmod(L, steps)  # the uniform schedule, larger steps first
        t = np.arange(steps + 1, dtype=np.int64)
        return t * q + np.minimum(t, r)
    levels = total * np.arange(1, steps) / steps
    # x with F(x) = level, F piecewise linear on unit intervals
    j = np.clip(np.searchsorted(F, levels, side="left") - 1, 0, L - 1)
    span = F[j + 1] - F[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, (levels - F[j]) / span, 0.0)
    w = np.rint(j + frac).astype(np.int64)
    t = np.arange(1, steps, dtype=np.int64)
    u = np.minimum(np.maximum.accumulate(np.maximum(w - t, 0)), L - steps)  # forward pass, u_0 = 0
    u = np.minimum.accumulate(np.concatenate((u, [L - steps]))[::-1])[::-1][:-1]  # backward pass, u_T = L - T
    return np.concatenate(([0], u + t, [L]))


def _runs_of(sizes: "np.ndarray") -> list[tuple[int, int]]:
    """Run-length encoding of a size array."""
    import numpy as np

    starts = np.flatnonzero(np.concatenate(([True], sizes[1:] != sizes[:-1])))
    counts = np.diff(np.concatenate((starts, [sizes.size])))
    return list(zip(sizes[starts].tolist(), counts.tolist()))


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
        if not parsed.family.dp_optimum:  # the curve's other family: info-optimal
            return info_optimal_schedule(curve, T)
        sched, _ = curve_profile(curve).optimal_schedule(T)
        return Schedule(runs=sched.runs, name=parsed.text)
    return parse_schedule(parsed, curve.length, param="schedule")


def curve_multiscale(curve: LossCurve, max_size: int, unit: str = "nats"):
    """Theorem 2's level totals G(m_j) = L (d(0) - d(m_j)) from the curve, as a MultiScaleProfile (S = 2^⌈log2 s_max⌉)
    exact in ``unit`` (each float converted once from nats, then its shortest decimal)."""
    from .multiscale import MultiScaleProfile, level_sizes

    L = curve.length
    d = curve.conditional("linear")
    _, sizes = level_sizes(L, max_size)
    totals, running = [], 0.0
    for m in sizes:
        running = max(running, 0.0 if m <= 0 else from_nats(L * (float(d[0]) - float(d[m])), unit))
        totals.append(_float_decimal(running))
    return MultiScaleProfile.from_level_totals(totals, L, unit=unit, source=f"the loss curve {curve.source}".strip())


def curve_level_estimates(curve: LossCurve, max_size: int) -> list[Estimate]:
    """Theorem 2's level totals G(m_j) = L (d(0) - d(m_j)) as estimates (nats), one per level of
    S = 2^⌈log2 max_size⌉ (an empty level, m_j <= 0, is an exact 0): what :func:`curve_multiscale` holds, with
    the stderr and interpolation effect of each (the running maximum that keeps them ordered is not applied)."""
    import numpy as np

    from .multiscale import level_sizes

    L = curve.length
    _, sizes = level_sizes(L, max_size)
    out = []
    for m in sizes:
        if m <= 0:
            out.append(Estimate(0.0, 0.0, 0.0, True))
            continue
        c = np.zeros(L)
        c[0] += L
        c[m] -= L
        out.append(estimate_linear(curve, c, f"G({m}) = L (d(0) - d({m}))"))
    return out


# -- random-count samplers (mdlm, sedd, dream-origin) ---------------------------------------------------

COUNT_ERROR_NOTE = "an expectation over the sampler's random reveal counts (exact DP over the number revealed)"
#: Above this much count-DP work (CountSampler.work(), ~0.05 s) a count sampler's expected error is computed from
#: the laws of single steps (O(T·sqrt L), the same value with a certified float error) instead of the DP.
COEFFICIENT_FORM_WORK = 1e6


def count_coefficients(sampler: Any) -> "np.ndarray":
    """c with E error = Σ_m c_m d(m) for a count sampler: c_m = E[size of the step starting at m] - 1."""
    return sampler.expected_start_sizes() - 1.0


def count_estimate(curve: LossCurve, sampler: Any, profile: "EntropyProfile | None" = None) -> Estimate:
    """The expected error of a count sampler from the curve (nats): the exact count DP on the linearly
    interpolated d, the pchip value, and the stderr through :func:`count_coefficients`."""
    from .counts import MAX_COUNT_WORK
    from .truth.samplers import count_error

    if sampler.work() > min(MAX_COUNT_WORK, COEFFICIENT_FORM_WORK):  # the coefficient form is far cheaper there
        return _coefficient_estimate(curve, sampler, profile)
    value, error = count_error(profile if profile is not None else curve_profile(curve), sampler)
    c = count_coefficients(sampler) if curve.stderr is not None or curve.masked.size != curve.length else None
    cubic = value
    if c is not None and curve.masked.size != curve.length:
        # the monotone cubic's value by its difference from the linear one, Σ_m c_m (d_pchip(m) - d_lin(m)):
        # one pass over the coefficients, not a second DP (the effect is an estimate's spread, not the value)
        shift = c @ (curve.conditional("pchip") - curve.conditional("linear"))
        cubic = value + float(shift)
    se = curve.stderr_of(c) if curve.stderr is not None and c is not None else None
    note = COUNT_ERROR_NOTE + "; " + (EXACT_NOTE if curve.exact else ESTIMATE_NOTE)
    return Estimate(max(value, 0.0), se, max(cubic, 0.0), curve.exact, note, error)


def coefficient_error(profile: Any, sampler: Any) -> tuple[float, float]:
    """(E error, its certified float error) in nats by the coefficient form Σ_m c_m d(m) (no DP): Σ_m (c_m + 1)
    d(m) has non-negative terms, each within :meth:`~boundcalc.count_sampler.CountSampler.start_sizes_error`,
    then the last subtraction of Σ d; as the DP's, each d(m) within the profile's abs_error (Σ_m (c_m + 1) = L)."""
    import numpy as np

    d = profile.conditional
    starts = sampler.expected_start_sizes()
    weighted = float(starts @ np.abs(d)) + float(np.sum(np.abs(d)))
    value = float(starts @ d) - float(np.sum(d))
    error = sampler.start_sizes_error() * weighted + 2 * (d.size + 4) * 2.0**-53 * weighted \
        + 2 * d.size * float(getattr(profile, "abs_error", 0.0))
    return value, error


def _coefficient_estimate(curve: LossCurve, sampler: Any, profile: "EntropyProfile | None") -> Estimate:
    """E error = Σ_m c_m d(m) with c from the laws of single steps (no DP), and its float error bound:
    Σ_m (c_m + 1) d(m) has non-negative terms, each within the relative error of
    :meth:`~boundcalc.count_sampler.CountSampler.start_sizes_error`, and the last subtraction of Σ d."""
    profile = profile if profile is not None else curve_profile(curve)
    value, error = coefficient_error(profile, sampler)
    starts = sampler.expected_start_sizes()
    cubic = value if curve.masked.size == curve.length else \
        float((starts - 1.0) @ curve_profile(curve, "pchip").conditional)
    se = curve.stderr_of(starts - 1.0) if curve.stderr is not None else None
    return Estimate(max(value, 0.0), se, max(cubic, 0.0), curve.exact, coefficient_note(curve), error)


def coefficient_note(curve: LossCurve) -> str:
    """The note of a count sampler's expected error by the coefficient form (:func:`_coefficient_estimate`)."""
    return COUNT_ERROR_NOTE.replace("exact DP over the number revealed", "the laws of single steps, no DP") + \
        "; " + (EXACT_NOTE if curve.exact else ESTIMATE_NOTE)
