"""Issue 22, round 5: a count sweep's laws of single steps for all rows at once (boundcalc.count_batch).

Each batched quantity against the sampler's own method, row by row, computed independently of the batch: the
marginals, E #non-empty steps and the brackets of P(S_max > s) bit for bit, the step-size cap equal (its tail's
sum over the steps is pairwise in a different order, within the bound's slack), and a sweep's count rows equal to
the rows computed one at a time.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc import count_batch, count_rows
from boundcalc.bounds import per_realisation_bounds
from boundcalc.counts import CountSampler
from boundcalc.profile import MIProfile
from boundcalc.registry import SamplerSpec
from boundcalc.sweeps import parse_family

FAMILIES = ["mdlm", "sedd", "dream-origin", "mdlm:cosine", "mdlm:linear", "mdlm:geometric", "dream-origin:1/10"]


def _samplers(family: str, length: int, grid: list[int]) -> list[CountSampler]:
    """The samplers with every step listed (the quick build, or the exact builder): the rows count_batch takes (a
    sweep's uniform-grid rows are lazy and enclosed in closed form instead: tests/samplers/test_count_grid.py)."""
    spec = parse_family(family)
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    return [template.family.quick_sampler(length, t, template.given_args) or template.at(t).build(length)
            for t in grid]


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(FAMILIES), st.integers(2, 300), st.lists(st.integers(1, 60), min_size=1, max_size=6))
def test_batched_laws_are_the_samplers_own(family, length, grid):
    batch = _samplers(family, length, grid)
    reveal, keep, counts = count_batch._stack(batch)
    x, after = count_batch._marginals(reveal, keep)
    caps = count_batch.batch_size_caps(length, x)
    brackets = count_batch.batch_exceed_brackets(length, x, after, counts, caps)
    nonempty = count_batch.batch_nonempty_steps(length, x, counts)
    for i, alone in enumerate(_samplers(family, length, grid)):  # fresh samplers: no cache shared with the batch
        assert x[i, : counts[i]].tolist() == alone.marginals()
        assert int(caps[i]) == alone.size_cap()
        assert nonempty[i] == alone.expected_nonempty_steps()
        for ours, theirs in zip(brackets[i], alone._exceed_bracket()):
            assert np.array_equal(ours, theirs)
        # each bound's bracket of E c(S_max), its sums over the steps beyond the cap skipped where they cannot
        # move the correctly rounded sum: the sampler's own brackets, bit for bit
        coefficients = [count_rows._values(name, length) for name in (*per_realisation_bounds(), "")]
        head = max(min(int(caps[i]), length) - 1, 0)
        assert count_batch._brackets(brackets[i], coefficients, head) == alone.expected_coefficient_brackets(coefficients)


def test_batched_reports_equal_the_rows_one_at_a_time(monkeypatch):
    """Every row enclosed (the DP threshold forced to 0), in several chunks: batch_bound_reports (the per-row laws
    that a sweep's rows whose (1 − π_k)^L may underflow still take: boundcalc.count_flat_rows) equal
    row_bound_report's bit for bit."""
    monkeypatch.setattr(count_rows, "EXACT_LAW_WORK", 0)
    monkeypatch.setattr(count_batch, "_CHUNK_ENTRIES", 64)  # several chunks of rows
    profile = MIProfile.from_values(["3", "2", "1", "1/2", "1/3", "1/4", "0", "0"])
    grid = [1, 2, 3, 5, 8]
    batch = _samplers("mdlm", profile.length, grid)
    reports = count_batch.batch_bound_reports(profile, batch, 0, per_realisation_bounds(), count_rows._values,
                                              lambda sampler: True)
    for report, alone in zip(reports, _samplers("mdlm", profile.length, grid)):
        single = count_rows.row_bound_report(profile, alone, 0)
        assert report.coefficients == single.coefficients
        assert report.expected_max == single.expected_max
        assert report.nonempty_steps == single.nonempty_steps


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["mdlm", "sedd", "dream-origin", "dream-origin:1/7", "dream-origin:0"]), st.integers(1, 3000))
def test_quick_samplers_are_the_exact_builders_floats(family, steps):
    """A sweep's quick build (numpy divisions of exact integers) against the builder from Fractions."""
    spec = parse_family(family)
    quick = spec.family.quick_sampler(64, steps, spec.parts[2:])
    exact = spec.at(steps).build(64, param="families")
    assert quick.reveal == exact.reveal and quick.keep == exact.keep


def test_a_pair_that_is_not_a_probability_pair_is_named():
    import pytest

    from boundcalc.errors import ScheduleError

    with pytest.raises(ScheduleError, match=r"reveal probability nan with keep 0\.5 is not a probability pair"):
        CountSampler(length=3, steps=2, reveal=(0.5, float("nan"), 1.0), keep=(0.5, 0.5, 0.0), name="x")
    with pytest.raises(ScheduleError, match=r"reveal probability 0\.75 with keep 0\.5"):
        CountSampler(length=3, steps=2, reveal=(0.5, 0.75, 1.0), keep=(0.5, 0.5, 0.0), name="x")


_FLOATS = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FLOATS, max_size=40), st.lists(st.floats(-1, 1, allow_nan=False), max_size=40), _FLOATS,
       st.integers(0, 3), st.sampled_from([1e-9, 1e-14, 1e-15, 1e-16, 1e-30]))
def test_fsum_of_the_head_is_the_whole_fsum(head, tail, first, tiny, scale):
    """Round 12: _fsum (one list for the head's sum, its residual and the whole sum's fallback, the tail's terms
    appended to it) is math.fsum([first, *every()]) bit for bit, every() = head's terms then the tail's; the tail's
    bound ``rest`` as the caller gives it (Σ|tail| rounded up), and 0 when the tail is all zeros. Adversarial heads:
    sums that cancel to 0 or to a tie (the residual at half an ulp) by appending their negation or a half-ulp."""
    if tiny == 1:
        head = head + [-v for v in head]  # an exact zero: the fallback
    elif tiny == 2 and head:
        head = head + [math.ulp(math.fsum(head)) / 2]  # a tie: the residual at half an ulp
    elif tiny == 3:
        tail = [0.0] * len(tail)
    tail = [v * scale for v in tail]  # tails from far above the head's ulp to far below its quarter
    every = np.array(head + tail, dtype=np.float64)
    rest = math.fsum(abs(v) for v in tail) * (1 + 1e-9)
    found = count_batch._fsum(first, np.array(head, dtype=np.float64), rest, lambda: every)
    assert found.hex() == math.fsum([first, *every.tolist()]).hex()
