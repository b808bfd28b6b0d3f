"""The fewest T of a random-count family (mdlm, sedd, dream-origin): its expected bound or expected error.

T may exceed L. The values at each T are screened by cheap certified brackets
(:meth:`~boundcalc.counts.CountSampler.expected_coefficient_bracket`) and
decided by the count DP only where the brackets do not decide.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, cast

from .curve import LossCurve
from .count_brackets import MaxStepBracket, RiemannBracket, uniform_grid
from .count_brackets_noise import count_bracket, noise_max_step_bracket
from .errors import DomainError
from .estimate import coefficient_error, count_estimate, curve_profile
from .registry import SamplerSpec
from .units import from_nats
from .step_families import EXPECTED_NOTE, SCAN_BUDGET_US, ExpectedBound, FamilyStepsResult, family_sampler

__all__ = ["count_expected_bound"]

# Costs in microseconds, measured by benchmarks/bench_count_steps.py on the shared 2-core machine (a step's
# build: its family's build_cost_us, 6 µs for integer ratios, 10 for another noise).
_COUNT_SCREEN_US = 0.05  # one entry of a screen (a step's law up to the size cap, or the law of w over 0..L)
_COUNT_SCREEN_FIXED_US = 800.0  # one screen's fixed overhead (numpy calls, the size cap's bisection)
_COUNT_DP_US = 0.006  # one multiply-add of the count DPs
_FULL_DP_US = 2e6  # above this the value at T is an enclosure (DP at a few thresholds), not the full DP
_ENCLOSURE_THRESHOLDS = 16


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


def _certified_error(profile: Any, sampler: Any, unit: str) -> tuple[float, float]:
    """(value, error) of the expected error at one T in ``unit``, |value − E error| <= error: the coefficient form
    Σ_m c_m d(m) and its certified float error (:func:`boundcalc.estimate.coefficient_error`), by :func:`_in_unit`."""
    return _in_unit(*coefficient_error(profile, sampler), unit)


def _in_unit(value: float, error: float, unit: str) -> tuple[float, float]:
    """A value in nats and its certified error in ``unit``, the value clamped at 0 (the true value is >= 0, so the
    clamp only moves it towards it); in bits one more rounding of each (the division by the float ln 2, within 2ε
    of the real one: 4ε of the result, doubled)."""
    value = max(value, 0.0)
    if from_nats(1.0, unit) == 1.0:
        return value, error
    level = from_nats(value, unit)
    return level, from_nats(error, unit) * (1 + 8 * 2.0**-53) + 8 * 2.0**-53 * level


def tight_cost(T: int, length: int) -> float:
    """The estimated µs of one T's :func:`boundcalc.count_tight.tight_error` (sampler and windows), from T and L
    alone (no sampler is built to estimate)."""
    from .count_tight import tight_cost_bound

    return tight_cost_bound(T, length)


class _CountSearch:
    """The values of a count family over T: a cheap screen (brackets) and the exact evaluation, with costs."""

    def __init__(self, family: SamplerSpec, by: str, length: int, curve: LossCurve | None, mi_total: Fraction | None,
                 bound: str, eps_train: Fraction, unit: str) -> None:
        from .bounds import bound_coefficient

        self.family, self.by, self.length, self.curve, self.unit = family, by, length, curve, unit
        self.mi_total: Fraction = Fraction(0) if mi_total is None else mi_total  # given whenever by = bound
        self.bound, self.eps_train = bound, eps_train
        self.build_us = family.family.build_cost_us(family.given_args)  # per step: the family knows its cost
        self.samplers: dict[int, Any] = {}
        self.screens: dict[int, tuple[float, float, float, int]] = {}
        self.exact: dict[int, tuple[float, float]] = {}
        self.reports: dict[int, ExpectedBound] = {}
        self.refined: dict[int, tuple[float, float, float]] = {}
        cached = [bound_coefficient(bound, s) for s in range(1, length + 1)] if by == "bound" else []
        self.coefficient: Callable[[int], Any] = lambda s: cached[s - 1]
        self.jumps = [s for s in range(1, length) if cached[s] != cached[s - 1]] if cached else []
        if curve is not None and by == "error":
            self.profile = curve_profile(curve)
            self.d = self.profile.conditional

    def sampler(self, T: int) -> Any:
        if T not in self.samplers:  # keep one: they can be large
            quick = self.family.family.quick_sampler(self.length, T, self.family.given_args)
            self.samplers = {T: quick or family_sampler(self.family, T, self.length)}
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
        """(lower, upper, error) on the value at T, in the unit: a bracket (bound), or the expected error by the
        coefficient form and its certified float error (error: :func:`_certified_error`)."""
        if T not in self.screens:
            sampler = self.sampler(T)
            if self.by == "error":
                level, error = _certified_error(self.profile, sampler, self.unit)
                self.screens[T] = (level, level, error, sampler.size_cap())
            else:
                self.screens[T] = (*self._scaled(*sampler.expected_coefficient_bracket(self.coefficient)),
                                   sampler.size_cap())
        return self.screens[T][:3]

    def _scaled(self, lo: float, hi: float, err: float) -> tuple[float, float, float]:
        """A bracket of E c(S_max) as one of the bound: c/L · ΣI + ε_train."""
        scale, eps = float(self.mi_total) / self.length, float(self.eps_train)
        return lo * scale + eps, hi * scale + eps, err * scale + 4 * 2.0**-53 * (hi * scale + eps)

    def evaluate(self, T: int) -> tuple[float, float]:
        """The exact (DP) value at T and its certified float error (bound), or the screen's (error)."""
        if T not in self.exact:
            if self.by == "error":
                self.exact[T] = (self.screen(T)[0], self.screen(T)[2])
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

    def status(self, T: int, goal: Fraction, exact: bool, charge: Callable[[float], None] | None = None) -> str:
        """'reach', 'miss', or 'unknown' (screen only) / 'undecided' (within the float error, after the DP).
        ``charge(µs)`` is told each stage's estimated cost before it runs (and may refuse)."""
        if charge is not None and T not in self.screens:
            charge(self.screen_cost(T))
        lo, hi, err = self.screen(T)
        if Fraction(hi) + Fraction(err) <= goal:  # exact sums: the decision is as certain as the error bound
            return "reach"
        if Fraction(lo) - Fraction(err) > goal:
            return "miss"
        if not exact:
            return "unknown"
        if self.by == "error":  # within the certified float error of the target: never decided by the float
            return self._tight_status(T, goal, charge)
        if T not in self.refined:  # the widest terms by a DP over three thresholds: closes most of the gap
            if charge is not None:
                charge(self.exact_cost(T, 3))
            lo, hi, err = self.sampler(T).expected_coefficient_bracket(self.coefficient, exact_at=3)
            self.refined[T] = self._scaled(lo, hi, err)
        lo, hi, err = self.refined[T]
        if Fraction(hi) + Fraction(err) <= goal:
            return "reach"
        if Fraction(lo) - Fraction(err) > goal:
            return "miss"
        if charge is not None and T not in self.exact:
            charge(self.evaluate_cost(T))
        value, error = self.evaluate(T)
        if Fraction(value) + Fraction(error) <= goal:
            return "reach"
        return "miss" if Fraction(value) - Fraction(error) > goal else "undecided"


    def _tight_status(self, T: int, goal: Fraction, charge: Callable[[float], None] | None) -> str:
        """A T within the screen's certified error of the target: the value again by
        :func:`boundcalc.count_tight.tight_error` (each step's G(r_k) a normalised mean: the certified error is
        relative to the value, ~10⁻⁷ at L = 16384 where the screen's is ~10⁻²), from the long-double r_k of
        :func:`boundcalc.count_completion.range_sampler` for MDLM's other noises. 'undecided' if still within it."""
        from .count_completion import range_sampler
        from .count_tight import tight_error

        if T not in self.refined:
            if charge is not None:
                charge(tight_cost(T, self.length))
            level, certified = _in_unit(*tight_error(self.profile, range_sampler(self.family, T, self.length)),
                                        self.unit)
            self.refined[T] = (level, level, certified)
        lo, hi, err = self.refined[T]
        if Fraction(hi) + Fraction(err) <= goal:
            return "reach"
        return "miss" if Fraction(lo) - Fraction(err) > goal else "undecided"


def _count_horizon(search: _CountSearch, goals: list[Fraction], top: int) -> int:
    """A T (a power of two, or ``top``) at which the screen certifies every goal: the answers are <= it."""
    T, spent = 1, 0.0
    while True:
        spent += search.screen_cost(T)
        if spent > SCAN_BUDGET_US:
            raise DomainError(f"searching {search.family} for L = {search.length} would take over "
                              f"{SCAN_BUDGET_US / 1e6:.0f} s before T = {T} reaches the target", param="max_steps",
                              allowed="a larger target, a smaller maximum T or a smaller L")
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
                          f"screen leaves open would take about {cost / 1e6:.0f} s", param="max_steps",
                          allowed="a smaller maximum T, a smaller L, or a fixed-schedule family")


def _count_steps(goals, family, by, length, curve, mi_total, bound, eps_train, unit, top, progress):
    """steps for a random-count family: screen T = 1..horizon, then up to twice the first T the screen
    certifies (for larger T that miss), each range costed before it runs; the DP where the screen does not decide."""
    search = _CountSearch(family, by, length, curve, mi_total, bound, eps_train, unit)
    bracket = count_bracket(lambda T: family_sampler(family, T, length), search.d) if by == "error" else None
    if bracket is not None:  # whole ranges of T decided at once: a few screens near each target
        text = ("ranges of T decided by certified brackets of the expected error (a Riemann sum), "
                "the value itself where they do not decide")
        return [_bracketed_answer(search, bracket, g, top, text) for g in goals]
    if by == "bound":
        grid = uniform_grid(lambda T: family_sampler(family, T, length))
        coefficients = [search.coefficient(s) for s in range(1, length + 1)]
        steps = MaxStepBracket(length, *grid, coefficients) if grid is not None else \
            noise_max_step_bracket(lambda T: family_sampler(family, T, length), length, coefficients)
        if steps is not None:  # whole ranges of T decided at once by brackets of E c(S_max)
            text = ("ranges of T decided by certified brackets of E c(S_max) (negative association, union bound), "
                    "the count DP where they do not decide")
            try:
                return [_bracketed_bound_answer(search, steps, g, top, text) for g in goals]
            except DomainError as error:  # the DP's own work limit: a smaller maximum T is the way out
                raise DomainError(error.message, param="max_steps", allowed=error.allowed) from None
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
    except DomainError as error:  # the DP's own work limit: a smaller maximum T is the way out
        raise DomainError(error.message, param="max_steps", allowed=error.allowed) from None


def _screen_range(search: _CountSearch, first: int, last: int, spent: float, progress) -> float:
    """Screen T = first..last after checking the estimated cost (with ``spent`` before) against the budget."""
    cost = spent + sum(search.screen_cost(T) for T in range(first, last + 1) if T not in search.screens)
    if cost > SCAN_BUDGET_US:
        raise DomainError(f"scanning {search.family} for L = {search.length} up to T = {last} would take about "
                          f"{cost / 1e6:.0f} s", param="max_steps",
                          allowed="a smaller maximum T, a larger target or a smaller L")
    for T in range(first, last + 1):
        search.screen(T)
        if progress:
            progress(T, last)
    return cost


def _bracketed_answer(search: _CountSearch, bracket: RiemannBracket, goal: Fraction, top: int,
                      text: str) -> FamilyStepsResult:
    """The fewest T <= top whose expected error reaches ``goal``, the T up to twice it that miss and those
    undecided within the float error: ranges decided by the bracket, left to right, split where it straddles the
    goal; single T by the value's certified enclosure (:meth:`_CountSearch.status`), every decision exact."""
    widen = 0.0 if from_nats(1.0, search.unit) == 1.0 else 8 * 2.0**-53  # the bits conversion's rounding
    answer: int | None = None
    misses: list[int] = []
    undecided: list[int] = []
    ranges, spent = [(1, top)], 0.0
    while ranges:
        first, last = ranges.pop()
        if answer is not None:
            if first > 2 * answer:
                continue
            last = min(last, 2 * answer)
        lower, upper = (from_nats(max(v, 0.0), search.unit) for v in bracket.bracket(first, last))
        if Fraction(lower * (1 - widen)) > goal:
            misses.extend(range(first, last + 1) if answer is not None else ())
        elif Fraction(upper * (1 + widen)) <= goal:
            answer = first if answer is None else answer
        elif first == last:
            spent += search.screen_cost(first) + tight_cost(first, search.length)  # the screen, then the tight value
            if spent > SCAN_BUDGET_US:  # estimated before the screen runs: a refusal, never a hang
                raise DomainError(f"the expected error of {search.family} for L = {search.length} is within its "
                                  f"brackets' width of the target at T = {first}, and evaluating those T would "
                                  f"take over {SCAN_BUDGET_US / 1e6:.0f} s", param="max_steps",
                                  allowed="a smaller maximum T, a larger target or a smaller L")
            status = search.status(first, goal, exact=True)
            if status == "reach":
                answer = first if answer is None else answer
            elif status == "undecided":  # within the certified float error: listed, never counted either way
                undecided.append(first)
            elif answer is not None:
                misses.append(first)
        else:
            middle = (first + last) // 2
            ranges += [(middle + 1, last), (first, middle)]  # the left half first
    unit, family = search.unit, search.family
    if answer is None:
        reason = f"no T <= {top} reaches it" + (f" (undecided within the float error: T = {undecided[:6]})"
                                                  if undecided else "")
        return FamilyStepsResult(goal, "error", family, None, None, None, unit, text, top, reason=reason,
                                 undecided=tuple(undecided))
    sampler = family_sampler(family, answer, search.length)
    value = count_estimate(cast(LossCurve, search.curve), sampler)
    return FamilyStepsResult(goal, "error", family, answer, None, value, unit, text, min(top, 2 * answer),
                             tuple(sorted(misses)), sampler=sampler,
                             undecided=tuple(sorted(T for T in undecided if T <= 2 * answer)))


def _bracketed_bound_answer(search: _CountSearch, steps: MaxStepBracket, goal: Fraction, top: int,
                            text: str) -> FamilyStepsResult:
    """The fewest T <= top whose expected bound reaches ``goal``, the T up to twice it that miss and those
    undecided within the float error: ranges decided by :class:`MaxStepBracket`, single T by the screen, a DP
    over three thresholds and the full DP (:meth:`_CountSearch.status`), each T's work costed before it runs."""
    family, unit = search.family, search.unit
    if goal < search.eps_train:
        return FamilyStepsResult(goal, "bound", family, None, None, None, unit, text, top,
                                 reason=f"the target is below the floor ε_train = {search.eps_train}")
    spent = [0.0]

    def certain(first: int, last: int) -> str:
        lo, hi, err = search._scaled(*steps.coefficient(first, last))
        if Fraction(lo) - Fraction(err) > goal:
            return "miss"
        return "reach" if Fraction(hi) + Fraction(err) <= goal else "split"

    def charge(cost: float) -> None:
        spent[0] += cost
        if spent[0] > SCAN_BUDGET_US:  # estimated before the work runs: a refusal, never a hang
            raise DomainError(f"the expected bound of {family} for L = {search.length} is within its brackets' "
                              f"width of the target at several T, and the count DPs there would take over "
                              f"{SCAN_BUDGET_US / 1e6:.0f} s", param="max_steps",
                              allowed="a smaller maximum T, a larger target or a smaller L")

    def one(T: int) -> str:
        return search.status(T, goal, exact=True, charge=charge)

    answer, undecided = _first_status(1, top, certain, one, [])
    last = top if answer is None else min(top, 2 * answer)
    misses: list[int] = []
    if answer is not None:
        _first_status(answer + 1, last, certain, one, undecided, misses)
    if answer is None:
        reason = f"no T <= {top} reaches it" + (f" (undecided within the float error: T = {undecided[:6]})"
                                                  if undecided else "")
        return FamilyStepsResult(goal, "bound", family, None, None, None, unit, text, top, reason=reason,
                                 undecided=tuple(undecided))
    search.evaluate(answer)
    return FamilyStepsResult(goal, "bound", family, answer, None, search.reports[answer], unit, text, last,
                             tuple(misses), sampler=family_sampler(family, answer, search.length),
                             undecided=tuple(sorted(undecided)))


def _first_status(first: int, last: int, certain: Callable[[int, int], str], one: Callable[[int], str],
                  undecided: list[int], misses: list[int] | None = None) -> tuple[int | None, list[int]]:
    """Left to right over first..last: ranges ``certain`` calls 'miss' or 'reach' whole, else split; single T
    by ``one``. Without ``misses``: stops at the first reach (returned). With it: every miss is recorded."""
    ranges = [(first, last)] if first <= last else []
    while ranges:
        a, b = ranges.pop()
        verdict = certain(a, b)
        if verdict == "miss":
            if misses is not None:
                misses.extend(range(a, b + 1))
            continue
        if verdict == "reach":
            if misses is None:
                return a, undecided
            continue
        if a == b:
            status = one(a)
            if status == "reach" and misses is None:
                return a, undecided
            if status == "undecided":
                undecided.append(a)
            elif status == "miss" and misses is not None:
                misses.append(a)
            continue
        middle = (a + b) // 2
        ranges += [(middle + 1, b), (a, middle)]  # the left half first
    return None, undecided


def _count_answer(search: _CountSearch, goal: Fraction, end: int, text: str) -> FamilyStepsResult:
    by, family, unit = search.by, search.family, search.unit
    if by == "bound" and goal < search.eps_train:
        return FamilyStepsResult(goal, by, family, None, None, None, unit, text, end,
                                 reason=f"the target is below the floor ε_train = {search.eps_train}")
    import time

    answer, misses, undecided, last = None, [], [], end
    started = time.process_time()
    for T in range(1, end + 1):
        if answer is not None and T > 2 * answer:
            last = T - 1
            break
        if time.process_time() - started > 2 * SCAN_BUDGET_US / 1e6:  # the estimate was checked; CPU time, so a busy machine does not stop what its estimate allowed
            raise DomainError(f"the search of {family} ran out of time at T = {T} (over "
                              f"{2 * SCAN_BUDGET_US / 1e6:.0f} s of CPU time)", param="max_steps",
                              allowed="a smaller maximum T, a larger target or a smaller L")
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
