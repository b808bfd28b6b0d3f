"""Issue 22, round 8: a sweep's count rows with arbitrary steps, all at once (boundcalc.count_flat_rows).

Each quantity against an independent computation: the marginals bit for bit against the sampler's own; the caps
equal to the sampler's search; the brackets of P(S_max > s) against the per-step code (within both errors),
against the same formulas in exact Fractions (their certified error covers the rounding, which is not zero) and
around the exact law of S_max (a multinomial DP in Fractions); each row's E c(S_max) and E S_max around the DP's
and the per-step brackets'; E #non-empty steps against Fractions. Rows from MDLM's noises and from arbitrary
reveal probabilities (hypothesis), including steps that reveal nothing and rows that take the per-row laws.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import count_flat_rows as flat
from boundcalc import count_rows
from boundcalc.bounds import count_bound_report, per_realisation_bounds
from boundcalc.count_batch import _marginals, _stack
from boundcalc.count_flat import flat_steps
from boundcalc.count_sampler import TAIL, CountSampler
from boundcalc.profile import MIProfile
from boundcalc.registry import SamplerSpec
from boundcalc.sweeps import parse_family

NOISES = ["mdlm:cosine", "mdlm:cosine2", "mdlm:linear", "mdlm:geometric", "dream-origin:1/10"]


def _noise_rows(family: str, length: int, grid: list[int]) -> list[CountSampler]:
    """Fresh samplers of a family at each T (every step listed)."""
    spec = parse_family(family)
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    return [template.family.quick_sampler(length, t, template.given_args) or template.at(t).build(length)
            for t in grid]


#: Reveal probabilities as p/64 (0 allowed: a step that reveals nothing), the last step revealing the rest.
_probabilities = st.lists(st.integers(0, 63), min_size=0, max_size=6).map(
    lambda ps: [Fraction(p, 64) for p in ps] + [Fraction(1)])


def _random_rows(length: int, lists: list[list[Fraction]]) -> list[CountSampler]:
    return [CountSampler.from_probabilities(length, ps) for ps in lists]


def _parts(length: int, rows: list[CountSampler]):
    steps = flat_steps(rows)
    x, comps = flat.flat_marginals(steps)
    logs = flat._TailLogs(x, steps.offsets)
    caps = np.minimum(flat.flat_size_caps(length, logs), length)
    far = np.where(caps < length, flat.flat_tails(length, logs, caps), 0.0)
    return steps, x, comps, logs, caps, far


def _exact_marginals(sampler: CountSampler) -> list[Fraction]:
    """π_k = p_k Π_{j<k}(1 − p_j) of the sampler's p_k (the floats' exact values)."""
    out, alive = [], Fraction(1)
    for p in sampler.reveal:
        out.append(alive * Fraction(p))
        alive *= 1 - Fraction(p)
    return out


def _exact_exceed(length: int, marginals: list[Fraction]) -> list[Fraction]:
    """P(S_max > s), s = 1..L-1, exactly: the counts placed step by step (w revealed so far, each step's count at
    most s, the step's conditional probability given the tokens still masked), P(S_max <= s) the mass at w = L."""
    out = []
    for s in range(1, length):
        state, left = {0: Fraction(1)}, Fraction(1)
        for x in marginals:
            p = x / left if left else Fraction(0)
            new: dict[int, Fraction] = {}
            for w, mass in state.items():
                m = length - w
                for j in range(min(s, m) + 1):
                    prob = comb(m, j) * p**j * (1 - p) ** (m - j)
                    if prob:
                        new[w + j] = new.get(w + j, Fraction(0)) + mass * prob
            state, left = new, left - x
        out.append(1 - state.get(length, Fraction(0)))
    return out


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(NOISES), st.integers(2, 300), st.lists(st.integers(1, 80), min_size=1, max_size=6))
def test_marginals_caps_and_nonempty_steps_are_the_samplers(family, length, grid):
    """π_k and 1 − π_k bit for bit (the sampler's running product; count_batch's done + after), the cap equal to the
    sampler's search, the tail beyond it within the bound's slack, E #non-empty steps within both errors."""
    rows = _noise_rows(family, length, grid)
    steps, x, comps, _, caps, far = _parts(length, rows)
    reveal, keep, counts = _stack(rows)
    padded_x, after = _marginals(reveal, keep)
    done = np.concatenate((np.zeros((len(rows), 1)), np.cumsum(padded_x, axis=1)[:, :-1]), axis=1)
    value, error = flat.flat_nonempty_steps(length, x, flat._TailLogs(x, steps.offsets).log_rest, steps.offsets)
    for i, alone in enumerate(_noise_rows(family, length, grid)):  # fresh samplers: nothing cached
        lo, hi = int(steps.offsets[i]), int(steps.offsets[i + 1])
        assert x[lo:hi].tolist() == alone.marginals()
        assert comps[lo:hi].tolist() == (done + after)[i, : counts[i]].tolist()
        assert int(caps[i]) == min(alone.size_cap(), length)
        if caps[i] < length:
            assert abs(far[i] - alone.tail(int(caps[i]))) <= 1e-8 * far[i] and far[i] <= TAIL
        theirs, their_error = alone.expected_nonempty_steps()
        assert abs(value[i] - theirs) <= error[i] + their_error
        assert error[i] <= 2 * their_error + 1e-12 * (1 + value[i])  # numpy's functions and the sum: a little more


def _check_brackets(length: int, rows: list[CountSampler], exact: bool) -> float:
    """Every recurrent row's brackets against the sampler's and (``exact``) the same formulas in Fractions and the
    exact law of S_max; returns the largest rounding seen (|float − exact formula|)."""
    steps, x, comps, logs, caps, far = _parts(length, rows)
    recurrent = flat._recurrent_rows(length, logs)
    seen = 0.0
    for i in np.flatnonzero(recurrent).tolist():
        index = np.array([i])
        lower, upper, err = (a[0] for a in flat.flat_exceed_brackets(length, x, comps, steps.offsets, index,
                                                                    caps[index], far[index]))
        lower2, upper2, err2 = rows[i]._exceed_bracket()
        width = min(lower.size, lower2.size)
        assert np.all(np.abs(lower[:width] - lower2[:width]) <= err[:width] + err2[:width])
        assert np.all(np.abs(upper[:width] - upper2[:width]) <= err[:width] + err2[:width])
        assert np.all(lower2[width:] == 0) and np.all(upper2[width:] <= far[i] * (1 + 1e-8))
        if not exact:
            continue
        marginals = _exact_marginals(rows[i])
        top = int(caps[i])
        laws = [[comb(length, j) * m**j * (1 - m) ** (length - j) for j in range(top + 1)] for m in marginals]
        for s in range(1, top):  # the formulas in Fractions: 1 − Π_k P(s_k <= s), Σ_k P(s < s_k <= top) + far
            survive = [sum(law[s + 1 :], Fraction(0)) for law in laws]
            keep = Fraction(1)
            for part in survive:
                keep *= 1 - part
            exact_lower, exact_upper = 1 - keep, min(Fraction(1), sum(survive, Fraction(0)) + Fraction(far[i]))
            for ours, theirs in ((lower[s - 1], exact_lower), (upper[s - 1], exact_upper)):
                gap = abs(Fraction(ours) - theirs)
                assert gap <= Fraction(err[s - 1])
                seen = max(seen, float(gap))
        truth = _exact_exceed(length, marginals)
        for s in range(1, length):
            if s - 1 < lower.size:
                assert Fraction(lower[s - 1]) - Fraction(err[s - 1]) <= truth[s - 1]
                assert truth[s - 1] <= Fraction(upper[s - 1]) + Fraction(err[s - 1])
            else:  # beyond the widest cap: P(S_max > s) <= the tail beyond the row's cap
                assert truth[s - 1] <= Fraction(far[i])
    return seen


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 8), st.lists(_probabilities, min_size=1, max_size=3))
def test_brackets_hold_the_exact_law_of_s_max(length, lists):
    """Arbitrary reveal probabilities (steps revealing nothing included): the brackets hold the exact law of S_max
    in Fractions and the same formulas in Fractions within their certified errors, and agree with the per-step
    code; rows that would underflow take the per-row laws (not checked here)."""
    _check_brackets(length, _random_rows(length, lists), exact=True)


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(NOISES), st.integers(2, 8), st.lists(st.integers(1, 6), min_size=1, max_size=2))
def test_noise_brackets_hold_the_exact_law_of_s_max(family, length, grid):
    """MDLM's noises at small L: the same checks in Fractions."""
    _check_brackets(length, _noise_rows(family, length, grid), exact=True)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(NOISES), st.integers(2, 200), st.lists(st.integers(1, 200), min_size=1, max_size=4))
def test_noise_brackets_against_the_per_step_code(family, length, grid):
    """MDLM's noises: within both errors of the per-step code."""
    _check_brackets(length, _noise_rows(family, length, grid), exact=False)


def test_the_brackets_error_is_not_vacuous():
    """The floats differ from the exact formulas (so an error of 0 would fail the checks above) and stay within
    the certified error."""
    assert _check_brackets(10, _noise_rows("mdlm:cosine", 10, [3, 5]), exact=True) > 0


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(NOISES), st.integers(2, 30), st.lists(st.integers(1, 60), min_size=1, max_size=5))
def test_row_reports_enclose_the_dp_and_the_per_step_brackets(family, length, grid):
    """Every row enclosed (the per-row laws for those that would underflow): each E c(S_max) and E S_max holds the
    DP's value (count_bound_report), agrees with the per-step brackets within both errors, and E #non-empty steps
    is the per-step code's within both errors."""
    profile = MIProfile.from_total(Fraction(37, 3), length)
    names = per_realisation_bounds()
    rows = _noise_rows(family, length, grid)
    reports = flat.flat_bound_reports(profile, rows, Fraction(0), names, count_rows._values, lambda s: True)
    for alone, report in zip(_noise_rows(family, length, grid), reports):
        exact = count_bound_report(profile, alone)
        single = alone.expected_coefficient_brackets([count_rows._values(key, length) for key in names]
                                                     + [count_rows._values("", length)])
        for key, (lo, hi, err) in zip([*names, ""], single):
            value, error = report.coefficients[key] if key else report.expected_max
            dp_value, dp_error = exact.coefficients[key] if key else exact.expected_max
            assert abs(value - dp_value) <= error + dp_error
            assert abs(value - (lo + hi) / 2) <= error + (hi - lo) / 2 + err
        theirs, their_error = alone.expected_nonempty_steps()
        assert abs(report.nonempty_steps[0] - theirs) <= report.nonempty_steps[1] + their_error


def test_a_sweep_takes_every_noise_row_at_once(monkeypatch):
    """row_bound_reports with every row enclosed: the noise rows (T = 1 and 2 by the per-row laws: a step with
    π near 1) agree with row_bound_report one at a time within both errors; a row the DP takes is the DP's."""
    monkeypatch.setattr(count_rows, "EXACT_LAW_WORK", 0)
    profile = MIProfile.from_values(["3", "2", "1", "1/2", "1/3", "1/4", "0", "0"] * 8)
    grid = [1, 2, 3, 9, 30, 64]
    rows = _noise_rows("mdlm:cosine", profile.length, grid)
    x = flat.flat_marginals(flat_steps(rows))[0]
    assert not flat._recurrent_rows(profile.length, flat._TailLogs(x, flat_steps(rows).offsets))[0]
    reports = count_rows.row_bound_reports(profile, rows, 0)
    for report, alone in zip(reports, _noise_rows("mdlm:cosine", profile.length, grid)):
        single = count_rows.row_bound_report(profile, alone, 0)
        for key, (value, error) in report.coefficients.items():
            their_value, their_error = single.coefficients[key]
            assert abs(value - their_value) <= error + their_error
        assert abs(report.expected_max[0] - single.expected_max[0]) <= report.expected_max[1] + single.expected_max[1]


def test_blocks_and_groups_change_no_value_beyond_its_error(monkeypatch):
    """Rows in many groups (a few steps each) and laws in many blocks give the values of one group and one block
    per cap within their errors (only the order of the sums differs), and the same caps and E #non-empty steps."""
    profile = MIProfile.from_total(Fraction(37, 3), 48)
    names = per_realisation_bounds()
    grid = [3, 4, 5, 6, 7, 9, 12, 20, 33, 47, 60]
    whole = flat.flat_bound_reports(profile, _noise_rows("mdlm:linear", 48, grid), Fraction(0), names,
                                    count_rows._values, lambda s: True)
    monkeypatch.setattr(flat, "_BLOCK_ENTRIES", 64)
    monkeypatch.setattr(flat, "_GROUP_STEPS", 40)
    assert len(flat._row_groups(_noise_rows("mdlm:linear", 48, grid))) > 4
    parts = flat.flat_bound_reports(profile, _noise_rows("mdlm:linear", 48, grid), Fraction(0), names,
                                    count_rows._values, lambda s: True)
    for one, many in zip(whole, parts):
        assert one.nonempty_steps == many.nonempty_steps and one.sampler.size_cap() == many.sampler.size_cap()
        for key in names:
            (a, e), (b, f) = one.coefficients[key], many.coefficients[key]
            assert abs(a - b) <= e + f
        assert abs(one.expected_max[0] - many.expected_max[0]) <= one.expected_max[1] + many.expected_max[1]


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(NOISES[:4]), st.sampled_from([64, 1024]), st.integers(1, 3000))
def test_the_cost_models_peak_and_cap_hold(family, length, steps):
    """count_rows' cost model of these rows: every regular step's T·π_k stays below the noise's peak (max|α'|/(1 −
    α(1)), the mean value theorem), the noise removal's π below its share at δ, and the modelled cap
    (count_rows.noise_caps, from T and L alone) at or above the row's cap and within 1.5x + 3 of it (T >= 4), so the
    estimate's entries of the laws are an upper model of the real ones, and a close one
    (benchmarks/bench_sweep_flow.py measures the seconds)."""
    spec = parse_family(family)
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    (row,) = _noise_rows(family, length, [steps])
    peak, removal = count_rows._peak(template), count_rows._NOISE_REMOVALS[template.given_args[0]]
    marginals = row.marginals()
    assert max(marginals[:-1], default=0.0) * steps <= peak and marginals[-1] <= removal
    (cap,) = count_rows.noise_caps([steps], length, peak, removal).tolist()
    assert row.size_cap() <= cap <= (length if steps < 4 else 1.5 * row.size_cap() + 3)  # 1-10 % above at T >> 1
    assert count_rows.bound_seconds(template, steps, length) > 0


def _cut_brackets(length: int, rows: list[CountSampler], index: "np.ndarray"):
    """flat_exceed_brackets of the rows ``index`` with each step's own cut (step_cut_thresholds), and the parts."""
    steps, x, comps, logs, caps, far = _parts(length, rows)
    cuts = flat.step_cut_thresholds(length, caps[index], np.diff(steps.offsets)[index])
    return flat.flat_exceed_brackets(length, x, comps, steps.offsets, index, caps[index], far[index], cuts), caps, far


def _hold_the_exact_law(length: int, rows: list[CountSampler]) -> None:
    """Every recurrent row's brackets, its steps cut at their own levels, around the exact law of S_max."""
    steps, x, _, logs, _, _ = _parts(length, rows)
    for i in np.flatnonzero(flat._recurrent_rows(length, logs)).tolist():
        (lower, upper, err), caps, far = _cut_brackets(length, rows, np.array([i]))
        truth = _exact_exceed(length, _exact_marginals(rows[i]))
        for s in range(1, length):
            if s - 1 < lower.shape[1]:
                assert Fraction(lower[0, s - 1]) - Fraction(err[0, s - 1]) <= truth[s - 1]
                assert truth[s - 1] <= Fraction(upper[0, s - 1]) + Fraction(err[0, s - 1])
            else:
                assert truth[s - 1] <= Fraction(far[i])


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 10), st.lists(_probabilities, min_size=1, max_size=3), st.sampled_from([2.0**-80, 0.05, 0.5]))
def test_per_step_cuts_hold_the_exact_law_of_s_max(length, lists, level):
    """Each step's law cut at its own level (every block cut, at levels up to 0.5 so that the cut mass matters): the
    brackets with the cut steps' tails added still hold the exact law of S_max (a multinomial DP in Fractions)."""
    import pytest

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flat, "CUT_LEVEL", level)
        patch.setattr(flat, "CUT_SAVING", -1.0)
        _hold_the_exact_law(length, _random_rows(length, lists))


def test_a_cut_without_its_tail_fails(monkeypatch):
    """Two steps, π = 7/10 and 3/10, L = 20, cut at levels up to 0.9: the second step's law stops below s = 10,
    where the union bound is exact, so without the cut mass the upper end falls below P(S_max > s); with it, it
    holds."""
    monkeypatch.setattr(flat, "CUT_LEVEL", 0.9)
    monkeypatch.setattr(flat, "CUT_SAVING", -1.0)
    rows = _random_rows(20, [[Fraction(7, 10), Fraction(1)]])
    _hold_the_exact_law(20, rows)
    classes = flat._classes
    monkeypatch.setattr(flat, "_classes", lambda *a: (*classes(*a)[:2], np.zeros(1)))
    try:
        _hold_the_exact_law(20, rows)
    except AssertionError:
        return
    raise AssertionError("the brackets held without the cut steps' tails: the test does not exercise the cut")


@settings(max_examples=30, deadline=None)
@given(st.integers(4, 40), st.integers(2, 40), st.integers(1, 12), st.sampled_from([2.0**-80, 1e-6, 0.3]))
def test_cut_thresholds_bound_the_cut_tails_exactly(length, cap, count, level):
    """Each level's threshold π*: the exact tail P(Bin(L, π*) > level) (Fractions) is at most the certified tail,
    and that tail at most CUT_LEVEL/n; the thresholds rise with the level."""
    import pytest

    cap = min(cap, length)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flat, "CUT_LEVEL", level)
        levels, thresholds, tails = flat.step_cut_thresholds(length, np.array([cap]), np.array([count]))
    assert np.all(np.diff(thresholds[0]) >= 0)
    for cut, p, tail in zip(levels[0].tolist(), thresholds[0].tolist(), tails[0].tolist()):
        assert tail <= level / count
        q = Fraction(p)
        exact = sum((comb(length, j) * q**j * (1 - q) ** (length - j) for j in range(cut + 1, length + 1)), Fraction(0))
        assert exact <= Fraction(tail)
