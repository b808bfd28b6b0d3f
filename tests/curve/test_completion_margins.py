"""Issue 22: the T range's single-T decisions over a partial curve's completions carry certified margins.

completion.py's scans (`_first_reaching`, the decisions near a target of `_scanned_range` and of the optimum's
upper limit) and the optimum's T_lo (`optimal_steps_range`) compared bare floats with the target. The exact
values here come from the same closed forms in Fractions (every float input is an exact rational): a target
placed between a T's float end and its exact end used to be decided by the float, on the wrong side, so the range
returned did not hold the true one. Now within the certified margin the low end counts the T as reaching and the
high end as missing, and the range returned always holds the true range.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.completion import (_first_reaching, _gaps, completion_interval, interval_margin, lowest_step_costs,
                                  optimal_steps_range)
from boundcalc.curve import LossCurve
from boundcalc.estimate import schedule_coefficients
from boundcalc.step_families import family_schedule, searched_family

L = 12
MEASURED = [1, 3, 4, 7, 10, 12]  # k masked: the d(m) at m = L − k, gaps between


def _curve(losses: list[float]) -> LossCurve:
    return LossCurve(length=L, masked=MEASURED, loss=sorted(losses))


def _exact_interval(curve: LossCurve, c, vocab_size=None) -> tuple[Fraction, Fraction]:
    """completion_interval in exact arithmetic (c and d exact rationals)."""
    d = curve.conditional("linear")
    measured = set((L - curve.masked).tolist())
    fixed = sum((Fraction(c[m]) * Fraction(float(d[m])) for m in measured), Fraction(0))
    lo = hi = fixed
    for ma, A, mb, B in _gaps(curve, vocab_size):
        inside = [Fraction(x) for x in c[ma + 1 : mb]]
        prefix, running = [], Fraction(0)
        for x in inside:
            running += x
            prefix.append(running)
        lo += Fraction(B) * running + (Fraction(A) - Fraction(B)) * min(Fraction(0), min(prefix))
        hi += Fraction(B) * running + (Fraction(A) - Fraction(B)) * max(Fraction(0), max(prefix))
    return lo, hi


def _coefficients(family: str, T: int, curve: LossCurve):
    return schedule_coefficients(family_schedule(searched_family(family), T, L, curve), L)


losses = st.lists(st.floats(0.05, 6.0, allow_nan=False), min_size=len(MEASURED), max_size=len(MEASURED),
                  unique=True)


@settings(max_examples=40, deadline=None)
@given(losses=losses, family=st.sampled_from(["uniform", "cosine", "linear"]), T=st.integers(1, L),
       end=st.sampled_from([0, 1]), vocab=st.sampled_from([None, 50]))
def test_a_target_between_the_float_and_the_exact_end_is_decided_safely(losses, family, T, end, vocab):
    """At the float end itself, one ulp either side, and between it and the exact end: the scan's first T for
    the low end is at most, for the high end at least, the exact first T."""
    curve = _curve(losses)
    floats = {t: completion_interval(curve, _coefficients(family, t, curve), vocab)[end] for t in range(1, L + 1)}
    exact = {t: _exact_interval(curve, _coefficients(family, t, curve), vocab)[end] for t in range(1, L + 1)}
    if not np.isfinite(floats[T]):
        return
    for target in {floats[T], np.nextafter(floats[T], -np.inf), np.nextafter(floats[T], np.inf),
                   float((Fraction(floats[T]) + exact[T]) / 2)}:
        if target < 0:
            continue
        found = _first_reaching(family, range(1, L + 1), curve, vocab, target, end, [1e12])
        true = next((t for t in range(1, L + 1) if exact[t] <= Fraction(target)), None)
        if end == 0:  # T_lo: the returned one is at most the true one
            assert true is None or (found is not None and found <= true)
        else:  # T_hi: at least the true one
            assert found is None or (true is not None and found >= true)


def _exact_lowest(curve: LossCurve, top: int) -> list[Fraction]:
    """The DP of optimal_lowest_steps in Fractions: the least lower end of any T-step schedule, T = 1..top."""
    d = [Fraction(float(x)) for x in curve.conditional("linear")]
    gaps = [(ma, Fraction(A), mb, Fraction(B)) for ma, A, mb, B in _gaps(curve, None)]
    d_b = list(d)
    for ma, _, mb, B in gaps:
        for m in range(ma + 1, mb):
            d_b[m] = B

    def cost(w: int, n: int) -> Fraction:
        value = (n - w) * d_b[w] - sum(d_b[w:n], Fraction(0))
        for ma, A, mb, B in gaps:
            if ma >= 0 and w <= ma < n - 1:
                value -= (A - B) * (min(n - 1, mb - 1) - ma)
        return value

    costs = {(w, n): cost(w, n) for w in range(L) for n in range(w + 1, L + 1)}
    best = {0: Fraction(0)}
    out = []
    for _ in range(top):
        best = {n: min(best[w] + costs[w, n] for w in best if w < n) for n in range(1, L + 1)
                if any(w < n for w in best)}
        out.append(best.get(L))
    return out


def test_the_exact_lowest_ends_equal_the_float_DP():
    """The Fraction DP above is the float DP's (its values within 1e-12): the reference of the next test."""
    curve = _curve([0.3, 0.9, 1.4, 2.5, 3.1, 4.0])
    cost = lowest_step_costs(curve)
    best = np.full(L + 1, np.inf)
    best[0] = 0.0
    for T, exact in enumerate(_exact_lowest(curve, L), start=1):
        best = (best[:, None] + cost).min(axis=0)
        assert abs(best[-1] - float(exact)) < 1e-12


@settings(max_examples=25, deadline=None)
@given(losses=losses, T=st.integers(1, L), nudge=st.sampled_from([-1, 0, 1]))
def test_the_optimum_low_end_holds_the_exact_one(losses, T, nudge):
    """A target at (or an ulp beside) the float DP's value at T: the optimum's T_lo is at most the exact one."""
    curve = _curve(losses)
    exact = _exact_lowest(curve, L)
    cost = lowest_step_costs(curve)
    best = np.full(L + 1, np.inf)
    best[0] = 0.0
    for _ in range(T):
        best = (best[:, None] + cost).min(axis=0)
    target = float(best[-1])
    target = float(np.nextafter(target, np.inf * nudge)) if nudge else target
    if not np.isfinite(target) or target < 0:
        return
    true = next((t for t, v in enumerate(exact, start=1) if v is not None and v <= Fraction(target)), None)
    low, _ = optimal_steps_range(target, L, curve, None, L)
    assert true is None or low <= true


def test_a_target_an_ulp_below_the_float_value_used_to_miss():
    """A case where the float of a T's end is above its exact value and the target sits between them: the old
    bare comparison said 'miss' (T_lo too large); now T counts as reaching."""
    for losses in ([0.3, 0.9, 1.4, 2.5, 3.1, 4.0], [0.11, 0.7, 1.3, 2.2, 3.7, 5.9], [0.2, 0.5, 1.7, 2.9, 3.3, 4.4]):
        curve = _curve(losses)
        for family in ("uniform", "cosine", "linear"):
            for T in range(1, L + 1):
                c = _coefficients(family, T, curve)
                low = completion_interval(curve, c)[0]
                exact = _exact_interval(curve, c)[0]
                if Fraction(low) > exact:
                    target = float(exact) if float(exact) < low else float(np.nextafter(low, -np.inf))
                    if Fraction(target) < exact:
                        continue
                    assert low > target  # the float alone misses
                    assert _first_reaching(family, range(T, T + 1), curve, None, target, 0, [1e12]) == T
                    assert interval_margin(curve, c, None) >= low - float(exact)
                    return
    raise AssertionError("no float end above its exact value in these cases")
