"""A random-count sampler's values over a grid of T (the count rows of :func:`boundcalc.sweeps.sweep`).

Per row the exact DPs cost O(T·L·cap) (the expected error) and O(T·L·cap²) (the law of the largest step, for
the bounds): a sweep of every T up to L = 1024 would take minutes. Where they cost more than a tenth of a
second, a row takes instead

* the expected error from the laws of single steps (:func:`boundcalc.estimate.count_coefficients`,
  O(T·√L), the same value with a certified float error: docs/theory.md §12);
* each bound's E c(S_max) (and E S_max) *enclosed* by the brackets of the laws of single steps (negative
  association and the union bound, :meth:`~boundcalc.count_sampler.CountSampler.expected_coefficient_brackets`):
  the midpoint, with half the bracket's width added to its certified error (a wider ± where the bracket is
  wide; every value still holds).

The cost of a row is estimated from T and L alone, so a sweep too large is refused before any sampler is built.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .bounds import CountBoundReport
    from .count_sampler import CountSampler
    from .profile import MIProfile

__all__ = ["EXACT_LAW_WORK", "row_bound_report", "row_bound_reports", "law_work", "row_seconds", "bound_seconds",
           "on_grid", "row_sampler"]

#: The law of S_max by the DP (CountSampler.max_law) when its work is at most this (~0.1 s); enclosed above it.
EXACT_LAW_WORK = 2e7
_EPS = 2.0**-53

# Rates for the up-front estimate, measured (benchmarks/bench_count_rows.py: CPU seconds on the shared 2-core
# machine under load, so 1.1-1.4x the rows' measured time there and more on a quiet machine: a refusal, never a hang)
_LAW_RATE = 1.5e8  # max_law's work units per second
_DP_RATE = 1e7  # CountSampler.work() units per second of one count DP pass
_STEP_SECONDS = 1e-6  # per step of a row the DP takes (E #non-empty steps, the marginals)
# the rows with arbitrary steps (MDLM's other noises) in a sweep, chunk by chunk (boundcalc.count_flow): CPU seconds
# measured by benchmarks/bench_sweep_flow.py at L = 4096 (every T) and 16384 (every 16th T) with the machine at load
# 5-6 (1.5-2x a quiet machine's), each part set ~1.0-1.3x its slowest measurement there (docs/cli.md, "Costs")
_NOISE_ROW_SECONDS = 1.5e-4  # a row's report, its sweep row and its CSV cells: 0.13-0.18 s per 1024 rows
_NOISE_FAMILY_SECONDS = 0.3  # once per family: the noise build's modules (compiled), its first passes (0.2-0.3 s)
# the enclosed rows' bounds (count_flat_rows), per row, per step (marginals, logs, the caps' tails, E #non-empty
# steps) and per entry (steps x (cap + 1), the cap by noise_caps) of the laws: the recurrence, survival sums, logs;
# fitted 0.16 µs a step and 2.9 ns an entry (cosine 2.16-2.26 s, linear 3.51-3.89, geometric 4.10-4.25 for
# 8.4·10^6 steps and 3.3, 7.6 and 8.8·10^8 entries at L = 16384, every 16th T); every T of cosine: 33.7 s
_FLAT_ROW_SECONDS = 3e-5
_FLAT_STEP_SECONDS = 1.8e-7
_FLAT_ENTRY_SECONDS = 3.2e-9
# a row's bounds from bins of steps (count_noise_bins, through count_stepless): 0.05-0.27 ms a row in a sweep's chunks
# (600 rows of cosine at T ~ 15000, L = 16384), 0.34-0.47 ms with the first call's set-up (every 16th T)
_BIN_ROW_SECONDS = 3e-4
# their truth (count_noise_truth: every start size of the row from its steps' products), per token of a row and per
# step: 3.4-5.7 s for 8.4·10^6 steps in 1024 rows at L = 16384 or 4096 rows at L = 4096 at load 5-6; ~50 s for every
# T of cosine at L = 16384 at load ~1 (its whole sweep 84.6 s CPU), so ~1.3x a quiet machine's, ~0.9x at load 5
_NOISE_TRUTH_TOKEN = 5e-8
_NOISE_TRUTH_STEP = 4e-7
# a row from the T-independent forms (count_noise_expansion through count_stepless): value, cubic, stderr, interval,
# ~5e-5 s a row (0.77-0.79 s for every T at L = 16384), and once per family their vectors (0.4-0.9 s at L = 16384)
_EXPANSION_ROW_SECONDS = 1e-4
# a row that reads no step (count_flow.stepless_steps): its first six steps (noise_steps.head_steps, ~5 µs a row for
# 16384 rows) and its SteplessNoiseRow with its schedule text
_HEAD_ROW_SECONDS = 2e-5
_EXPANSION_SETUP_SECONDS = 1.0
_GRID_ROW_SECONDS = 1.5e-4  # a uniform-grid row without its truth: build, cap, report, row and CSV cells
_GRID_ENTRY_SECONDS = 5e-8  # per step size up to a uniform-grid row's cap (two binomial laws, four brackets)
# the grid rows' truth (benchmarks/bench_grid_rows.py, CPU at load ~10): 0.16 s for every T at L = 1024, 3.5 s at 16384
_GRID_TRUTH_ROW = 2e-5  # a grid row's fixed part (its zones, its sums, its estimate and interval)
_GRID_TRUTH_TERM = 1.5e-8  # per term summed (grid_truth_terms): measured ~1.2-2e-8


def law_work(sampler: "CountSampler") -> float:
    """An upper bound on the work of :meth:`~boundcalc.count_sampler.CountSampler.max_law`."""
    cap = sampler.size_cap()
    return float(len(sampler.reveal)) * (sampler.length + 1) * (cap + 1) * cap / 2


def row_bound_report(profile: "MIProfile", sampler: "CountSampler", eps_train: Fraction) -> "CountBoundReport":
    """:func:`boundcalc.bounds.count_bound_report` when the law of S_max is cheap (:data:`EXACT_LAW_WORK`); else
    each E c(S_max) and E S_max enclosed by the brackets of the laws of single steps: (lo + hi)/2 with error
    (hi − lo)/2 + the brackets' rounding + the midpoint's."""
    from .bounds import CountBoundReport, count_bound_report, per_realisation_bounds

    if law_work(sampler) <= EXACT_LAW_WORK:
        return count_bound_report(profile, sampler, eps_train)
    names = per_realisation_bounds()
    brackets = sampler.expected_coefficient_brackets([_values(name, sampler.length) for name in names]
                                                     + [_values("", sampler.length)])
    enclosed = [((lo + hi) / 2, (hi - lo) / 2 + error + 2 * _EPS * (abs(lo) + abs(hi))) for lo, hi, error in brackets]
    return CountBoundReport(profile, sampler, eps_train, dict(zip(names, enclosed[:-1])), enclosed[-1],
                            sampler.expected_nonempty_steps())


def row_bound_reports(profile: "MIProfile", samplers: "Sequence[CountSampler]", eps_train: Fraction,
                      starts: bool = True) -> "list[CountBoundReport]":
    """:func:`row_bound_report` of every sampler of a sweep: the enclosed uniform-grid rows in closed form, all at
    once (:func:`boundcalc.count_grid_rows.grid_bound_reports`), the other enclosed rows' laws of single steps all
    at once (:func:`boundcalc.count_flat_rows.flat_bound_reports`: the same brackets within their certified errors),
    the rest by the DP.
    ``starts``: also each uniform-grid row's interior of start sizes (:func:`~boundcalc.count_starts.
    prepare_interiors`), for the expected errors."""
    from .bounds import per_realisation_bounds
    from .count_flat_rows import flat_bound_reports
    from .count_grid import GridSampler, grid_size_caps
    from .count_grid_rows import grid_bound_reports
    from .count_starts import prepare_interiors
    from .count_stepless import binned_reports

    if not samplers:
        return []
    if starts:  # each uniform-grid row's interior of start sizes, all rows at once (for the expected errors)
        prepare_interiors(samplers)
    grid = [s for s in samplers if isinstance(s, GridSampler) and s.length == profile.length]
    if grid:  # their caps at once, then the rows whose law of S_max costs too much enclosed in closed form
        for sampler, cap in zip(grid, grid_size_caps(grid).tolist()):
            sampler.__dict__.setdefault("_size_cap", int(cap))
        grid = [s for s in grid if law_work(s) > EXACT_LAW_WORK]
    found = dict(zip(map(id, grid), grid_bound_reports(profile, grid, eps_train, per_realisation_bounds(), _values)))
    rest = [s for s in samplers if id(s) not in found]
    if rest:  # at L > 4096 the rows the bins take (count_stepless), no step read
        binned = binned_reports(profile, rest, eps_train, per_realisation_bounds(), _values)
        found.update((id(s), report) for s, report in zip(rest, binned) if report is not None)
        rest = [s for s in rest if id(s) not in found]
    batched = flat_bound_reports(profile, rest, eps_train, per_realisation_bounds(), _values,
                                 lambda sampler: law_work(sampler) > EXACT_LAW_WORK) if rest else []
    found.update((id(s), report) for s, report in zip(rest, batched) if report is not None)
    return [found[id(sampler)] if id(sampler) in found else row_bound_report(profile, sampler, eps_train)
            for sampler in samplers]


@functools.lru_cache(maxsize=8)
def _values(name: str, length: int) -> "np.ndarray":
    """c(1..L) of the bound ``name`` as floats (read-only), or s itself for "" (E S_max): once per sweep, not per row."""
    import numpy as np

    from .bounds import bound_coefficient

    values = np.array([float(bound_coefficient(name, s)) if name else float(s) for s in range(1, length + 1)])
    values.flags.writeable = False
    return values


def row_sampler(spec: Any, steps: int, length: int) -> "CountSampler":
    """The family's sampler at T (``spec`` a :class:`~boundcalc.registry.SamplerSpec` template): the quick build
    (the exact builder's floats from integers, no Fractions) where the family has one, else the exact builder."""
    quick = spec.family.quick_sampler(length, steps, spec.given_args, lazy=True)
    return quick if quick is not None else spec.at(steps).build(length, param="families")


def coefficient_width(length: int) -> float:
    """The model's window of one step's coefficients (m within 40 + 12 sd of its mean, sd <= sqrt(L)/2)."""
    return min(length, 2 * (40 + 12 * math.sqrt(length) / 2) + 2)


def row_seconds(spec: Any, steps: int, length: int, truth: bool) -> float:
    """Estimated seconds of one count row from T and L alone (before the sampler is built): its build, the law
    of S_max (:func:`bound_seconds`) and, with a curve or a data model, the expected error (the DP when cheap, else
    the coefficient form) and its interval. A uniform-grid family's row
    (:class:`~boundcalc.count_grid.GridSampler`) is built in O(1) and bracketed in O(cap); a row with arbitrary
    steps (MDLM's other noises) by :func:`noise_rows_parts`, as a sweep of that row alone (with its family's fixed
    part: sum a grid's rows by :func:`rows_seconds`)."""
    n, L = steps + 1, length
    if not on_grid(spec.family, tuple(spec.given_args)):
        return sum(noise_rows_parts(spec, [steps], length, truth).values())
    seconds = _GRID_ROW_SECONDS + bound_seconds(spec, steps, length)
    if truth:
        seconds += _truth_seconds(n, L, _cap_model(steps, L))
    return seconds


def rows_seconds(spec: Any, steps: Sequence[int], length: int, truth: bool, conditional: Any = None,
                 forms: Any = None) -> float:
    """:func:`row_seconds` summed over ``steps`` (the rows with arbitrary steps all at once, in arrays;
    ``conditional``: the source's d, which decides which of them take the T-independent forms, or ``forms``: that
    decision, per T, :func:`boundcalc.count_stepless.forms_steps`)."""
    if not on_grid(spec.family, tuple(spec.given_args)):
        return sum(noise_rows_parts(spec, steps, length, truth, conditional, forms).values())
    return sum(row_seconds(spec, t, length, truth) for t in steps)


def _cap_model(steps: int, length: int, peak: float = 1.0) -> float:
    """An upper model of a row's step-size cap: a step reveals at most ~peak·L/T tokens on average (``peak`` the
    largest T·π_k, :func:`_peak`), that, 12 sd and 40 more."""
    mean = peak * length / steps
    return min(length, mean + 12 * math.sqrt(mean) + 40)


#: sup_T T·max_k π_k of MDLM's noises: π_k = (α(t_k) − α(t_{k−1}))/(1 − α(1)) with t_{k−1} − t_k = (1 − δ)/T, so
#: T·π_k <= max|α'|/(1 − α(1)) (mean value theorem): linear 6.999·e^(−0.001)/(1 − e^−7) = 6.99, cosine and cosine2
#: (π/2)(1 − ε)/(1 − ε) = 1.571, geometric ln(1000)·max σe^−σ/(1 − e^−1) = (6.908/e)/0.632 = 4.02 (rounded up).
_NOISE_PEAKS = {"linear": 7.0, "cosine": 1.58, "cosine2": 1.58, "geometric": 4.05}


#: The noise removal's share of the tokens at every T, π_{T+1} = (1 − α(t_T))/(1 − α(1)) with t_T = δ = 10^-5
#: (rounded up): linear (1 − e^−0.00107)/(1 − e^−7) = 1.0704e-3, geometric (1 − e^−(0.001·1000^δ))/(1 − e^−1) =
#: 1.5812e-3, cosine (1 − cos(πδ/2)) = 1.234e-10, cosine2 sin²(πδ/2) = 2.467e-10. Past T ≈ peak/removal it is the
#: largest step (linear at T > 6.5·10^3, geometric at T > 2.6·10^3), so it sets the cap there.
_NOISE_REMOVALS = {"linear": 1.08e-3, "cosine": 1.3e-10, "cosine2": 2.5e-10, "geometric": 1.59e-3}


def noise_caps(steps: Sequence[int], length: int, peak: float, removal: float) -> "np.ndarray":
    """An upper bound on each row's step-size cap (:meth:`CountSampler.size_cap`: the least J with
    Σ_k Chernoff(Bin(L, π_k) >= J + 1) <= 2^-80), from T and L alone: every step's mean is at most
    λ = L·max(peak/T, removal), Bin(L, π)'s Chernoff bound exp(−L·D(a/L ‖ π)) is at most e^−λ(eλ/a)^a for a > λ
    (D(q ‖ p) >= q ln(q/p) − q + p) and rises with λ, so the least a with (T + 1)·e^−λ(eλ/a)^a <= 2^-81 (half,
    for the sampler's 1 − 10^-9 and roundings) is a cap; L where none is below L + 1. Measured at L = 1024-16384:
    within 1-10 % of the caps of MDLM's other noises' rows (tests/samplers/test_count_flat_rows.py)."""
    import numpy as np

    from .count_sampler import TAIL

    T = np.asarray(steps, dtype=np.float64)
    lam = np.minimum(length * np.maximum(peak / T, removal), float(length))
    target = -math.log(TAIL / 2) + np.log(T + 1)  # (T + 1)·e^−λ(eλ/a)^a <= 2^-81
    lo = np.floor(lam) + 1  # a > λ; a = L + 1 always settles (no step reveals more than L)
    hi = np.full_like(lo, length + 1.0)
    while np.any(lo < hi):  # the least a with a·ln(a/(eλ)) + λ >= target: increasing in a > λ
        mid = np.floor((lo + hi) / 2)
        settled = mid * np.log(mid / (math.e * lam)) + lam >= target
        hi, lo = np.where(settled, mid, hi), np.where(settled, lo, mid + 1)
    return np.minimum(lo - 1, length)


def stepless_noise(family: Any, args: Sequence[str]) -> str:
    """The noise of a family ``mdlm:NOISE`` whose rows may read no step (the bins and forms know it), else ""."""
    from .count_noise import NOISE_LAWS

    return args[0] if getattr(family, "name", "") == "mdlm" and len(args) == 1 and args[0] in NOISE_LAWS else ""


def stepless_rows(noise: str, steps: Sequence[int], length: int, truth: bool, forms: Any = None) -> "np.ndarray":
    """Per T of ``steps``: True where the row ``mdlm:T:NOISE`` at L reads no step, so builds none (the flow,
    :func:`boundcalc.count_flow.stepless_steps`, and the estimate, :func:`noise_rows_parts`, alike): its bounds from
    the bins (:func:`boundcalc.count_stepless.binned_steps`) and, when its expected error is asked (``truth``), that
    from the T-independent forms (``forms``, per T: :func:`boundcalc.count_stepless.forms_steps`; None: none)."""
    import numpy as np

    from .count_stepless import binned_steps

    T = np.asarray(steps, dtype=np.int64)
    taken = binned_steps(noise, length, steps) & (T >= 1) & (T <= 100_000)  # a row the builder would refuse builds
    if truth:
        from .counts import MAX_COUNT_WORK
        from .estimate import COEFFICIENT_FORM_WORK

        taken &= np.zeros(T.size, dtype=bool) if forms is None else np.asarray(forms, dtype=bool)
        # the truth sends a row to the coefficient form (which the forms may replace) without reading a step only
        # where n(L + 1) is over the limit already (SourceTruth._coefficient_form); else it asks the row's cap
        taken &= (T + 1.0) * (length + 1) > min(MAX_COUNT_WORK, COEFFICIENT_FORM_WORK)
    return taken


def noise_rows_parts(spec: Any, steps: Sequence[int], length: int, truth: bool, conditional: Any = None,
                     forms: Any = None) -> dict[str, float]:
    """Estimated seconds of the rows over ``steps`` of a family with arbitrary steps (MDLM's other noises), by part
    (benchmarks/bench_sweep_flow.py measures each): ``build`` their steps (the family's batch_cost_us a step; a row
    that reads no step, :func:`stepless_rows`, builds only its first six, ~``_HEAD_ROW_SECONDS``),
    ``bounds`` (:mod:`boundcalc.count_flat_rows`: per row, per step and per entry of the laws of single steps up to
    the row's cap, :func:`noise_caps`; the law of S_max by the DP where it is cheap), ``truth`` (the coefficient
    form, :mod:`boundcalc.count_noise_truth`: per token and per step of each row; the count DP where cheap; O(1) a
    row where :mod:`boundcalc.count_stepless` gives the row the T-independent forms: ``forms`` per T, or decided
    from the source's d, ``conditional``) and ``rows`` (a row, its report and its printed cells; once per family the build's modules and
    first passes)."""
    import numpy as np

    from .estimate import COEFFICIENT_FORM_WORK

    args = tuple(spec.given_args)
    T = np.asarray(steps, dtype=np.float64)
    n, L = T + 1, float(length)
    caps = noise_caps(steps, length, _peak(spec), _NOISE_REMOVALS.get(args[0], 0.0) if args else 0.0)
    law = n * (L + 1) * (caps + 1) * caps / 2
    bounds = np.where(law <= EXACT_LAW_WORK, law / _LAW_RATE + n * _STEP_SECONDS,
                      _FLAT_ROW_SECONDS + n * _FLAT_STEP_SECONDS + n * (caps + 1) * _FLAT_ENTRY_SECONDS)
    noise = stepless_noise(spec.family, args)
    if noise:  # at L > 4096 the rows the bins take (count_stepless.binned_steps)
        from .count_stepless import binned_steps

        bounds = np.where(binned_steps(noise, length, steps), _BIN_ROW_SECONDS, bounds)
        if forms is None and conditional is not None:
            from .count_stepless import expanded_steps

            forms = expanded_steps(noise, conditional, steps)
    stepless = stepless_rows(noise, steps, length, truth, forms) if noise else np.zeros(T.size, dtype=bool)
    built = float(n[~stepless].sum()) * spec.family.batch_cost_us(args) * 1e-6
    parts = {"build": built + _HEAD_ROW_SECONDS * float(stepless.sum()), "bounds": float(bounds.sum()),
             "rows": _NOISE_ROW_SECONDS * T.size + (_NOISE_FAMILY_SECONDS if T.size else 0.0), "truth": 0.0}
    if truth:
        dp = n * (L + 1) * (caps + 1)
        seconds = np.where(dp <= COEFFICIENT_FORM_WORK, dp / _DP_RATE, _NOISE_TRUTH_TOKEN * L + _NOISE_TRUTH_STEP * n)
        if forms is not None:
            taken = np.asarray(forms, dtype=bool)
            seconds = np.where(taken, _EXPANSION_ROW_SECONDS, seconds)
            seconds[0] += _EXPANSION_SETUP_SECONDS if taken.any() else 0.0
        parts["truth"] = float(seconds.sum())
    return parts


def _peak(spec: Any) -> float:
    """The largest T·π_k of the family's rows (1 unless an MDLM noise whose first steps reveal more than 1/T)."""
    args = tuple(spec.given_args)
    return _NOISE_PEAKS.get(args[0], 1.0) if spec.family.name == "mdlm" and args else 1.0


def bound_seconds(spec: Any, steps: int, length: int) -> float:
    """Estimated seconds of one count row's law of S_max, E c(S_max) per bound, E S_max and E #non-empty steps: the
    DP when its work is at most :data:`EXACT_LAW_WORK`, else the enclosure (a uniform grid's in closed form, O(cap);
    any other row's by :mod:`boundcalc.count_flat_rows`, per step and per entry of its laws of single steps)."""
    n, L = steps + 1, length
    if not on_grid(spec.family, tuple(spec.given_args)):
        return noise_rows_parts(spec, [steps], length, False)["bounds"]
    cap = _cap_model(steps, L, _peak(spec))
    work = n * (L + 1) * (cap + 1) * cap / 2
    if work <= EXACT_LAW_WORK:
        return work / _LAW_RATE + n * _STEP_SECONDS
    return cap * _GRID_ENTRY_SECONDS


@functools.lru_cache(maxsize=32)
def on_grid(family: Any, args: tuple[str, ...]) -> bool:
    """True when the family's rows are uniform-grid samplers (:meth:`CountFamily.rational_law`), once per family."""
    return family.rational_law(args) is not None if hasattr(family, "rational_law") else False


def _truth_seconds(n: int, L: int, cap: float) -> float:
    """Estimated seconds of a uniform-grid count row's expected error, its stderr and its interval over the
    completions (rows with arbitrary steps: :func:`noise_rows_parts`)."""
    from .estimate import COEFFICIENT_FORM_WORK

    dp = n * (L + 1) * (cap + 1)
    if dp <= COEFFICIENT_FORM_WORK:
        return dp / _DP_RATE
    # all grid rows at once (count_grid_truth): the terms outside each row's interior, an upper model
    return _GRID_TRUTH_ROW + _GRID_TRUTH_TERM * grid_truth_terms(max(n - 1, 1), L)


def grid_truth_terms(steps: int, length: int) -> float:
    """The terms :mod:`boundcalc.count_grid_starts` sums for a uniform-grid row at T (an upper model, fitted to the
    counts of every T at L = 1024 and 16384, 1–2.5x above them): rows with T <= k = 2.7√L have no interior and sum
    about 8√L terms per step; above, the zones shrink like (k/T)^2.2, with about 8000 terms where the steps meet
    the narrowest zones."""
    s = math.sqrt(length)
    k = 2.7 * s
    return 8 * s * min(steps, k) * min(1.0, (k / steps) ** 2.2) + 8000
