"""Issue 22: the last cells of MDLM's other noises summed exactly at one T (boundcalc.count_noise_tail; docs/theory.md
§12, "The last cells at one T").

The residual's linear form against Euler–Maclaurin's cell residuals at 40 digits (independent: G as a power series,
its integral and slope exact, r_k from α), with its error and the ends' shift; the form with it holds the exact
expected error and the exact ends over a partial curve's completions; and it narrows the bracket where the old
cell-local bound was wide (a drop at m = L − 2 under the linear noise)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from boundcalc.count_brackets_noise import NoiseBracket, count_bracket
from boundcalc.count_noise_local import ZONES
from boundcalc.count_noise_tail import TAIL_ZONES, tail_residual
from boundcalc.count_sampler import MDLM_DELTA
from boundcalc.step_families import family_sampler
from count_search_reference import partial_curve
from test_count_brackets_noise import NOISES, decreasing, exact_error, steps_or_smooth
from test_count_noise_local import _cells_remainder, _exact_coefficients

SPAN = float(1 - MDLM_DELTA)


def _tail_cells(noise, T, d, first):
    """Σ_{k >= first} R_k at 40 digits (the cells' signed Euler–Maclaurin residuals, G a polynomial)."""
    return _cells_remainder(noise, T, d, first, signed=True)


def _first_cell(T):
    h = SPAN / T
    return max(1, int((ZONES - TAIL_ZONES) * (SPAN / ZONES) / h) - 1)


@settings(max_examples=12, deadline=None)
@given(d=st.one_of(decreasing, steps_or_smooth), noise=st.sampled_from(NOISES), T=st.integers(65, 140))
def test_the_residual_form_is_the_cells_residual_within_its_error(d, noise, T):
    """ρ·d equals Σ_{k >= k0} R_k at 40 digits within error·|d| + shift·sup|G′| (sup|G′| <= (L − 1)·max|Δd|)."""
    L = len(d)
    assume(L >= 4)
    bracket = count_bracket(lambda t: family_sampler(f"mdlm:{noise}", t, L), d)
    assert isinstance(bracket, NoiseBracket)
    residual, error, shift = tail_residual(bracket, T, ZONES)
    exact = _tail_cells(noise, T, d, _first_cell(T))
    allowed = float(error @ np.abs(d)) + shift * (L - 1) * float(np.max(np.abs(np.diff(d)))) + 1e-36 * T * 3**L * (1 + max(d))
    assert abs(float(residual @ np.asarray(d)) - exact) <= allowed * (1 + 1e-9), (float(residual @ d), exact, allowed)


def test_the_residual_is_not_nil_and_its_error_is_far_smaller():
    """On a sharp d the cells' residual is far above the form's error: dropping it would fail the test above."""
    d = [2.5] * 14 + [0.0]
    L = len(d)
    bracket = count_bracket(lambda t: family_sampler("mdlm:linear", t, L), d)
    residual, error, shift = tail_residual(bracket, 70, ZONES)
    exact = _tail_cells("linear", 70, d, _first_cell(70))
    assert abs(exact) > 1e3 * (float(error @ np.abs(d)) + shift * (L - 1) * 2.5)
    assert float(residual @ np.asarray(d)) == pytest.approx(exact, rel=1e-9)


def test_no_tail_form_below_a_zone_of_cells():
    """T <= 64: a cell may span more than one zone, the tail form is not offered (h above a zone's width)."""
    d = [1.0, 0.5, 0.2, 0.0, 0.0]
    bracket = count_bracket(lambda t: family_sampler("mdlm:linear", t, 5), d)
    assert tail_residual(bracket, 64, ZONES) is None
    assert bracket.tail_forms(64) == [] and len(bracket.tail_forms(65)) == 1 and len(bracket.forms(65, 65)) == 2


def test_only_the_linear_noise_pays_for_the_tail():
    """The tail form is offered where φ′ is largest in the last zones: linear's rises to 7; cosine's, cosine2's and
    geometric's fall to 0 or near it at the end (there the form would cost without narrowing)."""
    from boundcalc.count_noise import NOISE_LAWS
    from boundcalc.count_noise_tail import tail_pays

    assert [n for n in NOISES if tail_pays(NOISE_LAWS[n], SPAN)] == ["linear"]
    d = [1.0, 0.5, 0.2, 0.0, 0.0]
    assert count_bracket(lambda t: family_sampler("mdlm:cosine", t, 5), d).tail_forms(65) == []


@settings(max_examples=10, deadline=None)
@given(d=st.one_of(decreasing, steps_or_smooth), T=st.integers(65, 110))
def test_the_tail_form_holds_the_exact_expected_error(d, T):
    L, noise = len(d), "linear"
    assume(L >= 4)  # below, G‴ = 0 and no tail form is offered
    bracket = count_bracket(lambda t: family_sampler(f"mdlm:{noise}", t, L), d)
    (form,) = bracket.tail_forms(T)
    assert form.head_zones == ZONES - TAIL_ZONES
    value = exact_error(noise, T, d)
    lower, upper = bracket.apply(form, bracket.d, bracket.abs_d, bracket.tv1, bracket.tv3)
    assert lower <= value <= upper


def test_a_drop_at_the_end_under_the_linear_noise_narrows_and_still_holds():
    """d falls at m = L − 2, where linear's φ′ is largest: the tail form's single-T bracket is several times narrower
    than Euler–Maclaurin's with the cell-local bound, and both hold the exact value."""
    L = 96
    d = [3.0] * (L - 1) + [0.0]
    bracket = count_bracket(lambda t: family_sampler("mdlm:linear", t, L), d)
    T = 100  # widths 40.1 and 10.2 nats: the cells' h⁴ bound dominates Euler–Maclaurin's
    value = exact_error("linear", T, d)
    widths = []
    for form in bracket.forms(T, T)[1:] + bracket.tail_forms(T):
        lower, upper = bracket.apply(form, bracket.d, bracket.abs_d, bracket.tv1, bracket.tv3)
        assert lower <= value <= upper
        widths.append(upper - lower)
    assert widths[1] < widths[0] / 3, widths


@settings(max_examples=8, deadline=None)
@given(data=st.data(), T=st.integers(65, 100), vocab=st.sampled_from([8, 50]))
def test_the_tail_forms_bracket_the_ends_over_every_completion(data, T, vocab):
    """completion_bracket with the tail form alone (as the T range asks before evaluating one T): each end of the
    interval over the monotone completions, from the exact coefficients, lies in its bracket."""
    from boundcalc import completion
    from boundcalc.count_brackets import completion_bracket
    from boundcalc.count_completion import completion_variation
    from boundcalc.count_noise_local import folded_ends

    curve = partial_curve(data.draw, 10)
    L = curve.length
    assume(L >= 4)
    d = curve.conditional("linear")
    bracket = count_bracket(lambda t: family_sampler("mdlm:linear", t, L), d)
    highest = np.array(d, dtype=np.float64)
    for ma, A, mb, _ in completion._gaps(curve, vocab):
        highest[ma + 1: mb] = A
    ends = completion._interval_ends(curve, vocab)
    variation = completion_variation(L, completion._anchors(curve, vocab))
    low, high = completion_bracket(bracket, ends, highest, T, T, variation, folded_ends, bracket.tail_forms(T))
    lo, hi = completion.completion_interval(curve, _exact_coefficients("linear", T, L), vocab)
    slack = 1e-12 * (1 + abs(lo) + abs(hi))  # the exact coefficients' rounding to float64
    assert low[0] - slack <= lo <= low[1] + slack and high[0] - slack <= hi <= high[1] + slack
