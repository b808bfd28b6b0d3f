"""Issue 22: at L > 4096 a sweep's rows of MDLM's other noises that read no step build none.

A row whose bounds the bins take and whose expected error the T-independent forms take
(boundcalc.count_flow.stepless_steps) is a SteplessNoiseRow: the same sampler as the built row (name, T, L,
equality, schedule text bit for bit from its first steps), its steps built only if something reads them. The sweep
must be the same, byte for byte, as one where every row builds its steps; only the other rows build; a row the
forms reject after all reads its steps and gives the same values; and the estimate counts exactly the steps built.
"""

from __future__ import annotations

import numpy as np
import pytest

import boundcalc as bc
from boundcalc import count_flow, count_noise_rows, count_rows, count_stepless, noise_steps
from boundcalc.count_noise_rows import SteplessNoiseRow, head_rows
from boundcalc.count_sampler import CountSampler
from boundcalc.csv_printer import to_csv
from boundcalc.curve import LossCurve
from boundcalc.registry import SamplerSpec
from boundcalc.sweeps import parse_family

NOISES = ["cosine", "cosine2", "linear", "geometric"]
L = 8192
@pytest.fixture(scope="module")
def curve() -> LossCurve:
    """A curve measured at every k (no interval over completions: the forms are taken)."""
    ks = list(range(1, L + 1))
    return LossCurve(length=L, masked=ks, loss=[0.5 + 6 * k / L for k in ks])


@pytest.fixture(scope="module")
def grids(curve) -> dict[str, list[int]]:
    """Per noise, T on CURVE: below the bins (flat bounds), binned but below the forms' first T, the forms' first T
    and its neighbours, large T (the thresholds computed here: the forms' accuracy moves them)."""
    from boundcalc.sweep_truth import resolve_source

    truth = resolve_source(curve, None, None, None)[1]
    T = np.arange(1, L + 1)
    out = {}
    for noise in ("cosine", "linear"):
        bins = int(T[count_stepless.binned_steps(noise, L, T)].min())
        forms = int(T[count_stepless.forms_steps(noise, truth.profile, curve, T)].min())
        assert 3 < bins  # rows below the bins exist (their bounds read their steps)
        edges = {forms - 1, forms, forms + 1, (bins + forms) // 2, 121, 122, 123}  # n(L + 1) > 10^6 from T = 122
        out[noise] = sorted({bins // 3, bins, 300, L // 2, L} | {t for t in edges if 1 <= t <= L})
    return out


@pytest.fixture
def builds(monkeypatch):
    """The T each call of noise_steps.prepare builds, and the T built one by one (noise_steps.step_probabilities:
    a stepless row's steps built on demand)."""
    found: dict[str, list] = {"prepared": [], "on_demand": []}
    prepare, single = noise_steps.prepare, noise_steps.step_probabilities

    def recording(noise, steps):
        found["prepared"].extend(int(t) for t in steps)
        return prepare(noise, steps)

    def on_demand(noise, T):
        found["on_demand"].append(T)
        return single(noise, T)

    monkeypatch.setattr(noise_steps, "prepare", recording)
    monkeypatch.setattr(noise_steps, "step_probabilities", on_demand)
    return found


def _csv(result) -> str:
    """The sweep's CSV (as `sweep --csv` prints it)."""
    from boundcalc.answers import SweepAnswer

    return to_csv(SweepAnswer(result, "a curve"))


@pytest.mark.parametrize("noise", NOISES)
def test_a_stepless_row_is_the_built_row(noise, monkeypatch):
    """Name, T, L, equality, text, lengths, head and last entries without a build; the steps when read."""
    Ts = [1, 2, 5, 6, 7, 300, 8192]
    rows = head_rows(L, noise, Ts)
    eagers = [CountSampler.mdlm(L, T, noise) for T in Ts]
    prepared = noise_steps.prepare(noise, Ts)
    lazies = [count_noise_rows.NoiseSampler(L, T, noise, prepared, prepared.row(T)) for T in Ts]
    calls = []
    real = noise_steps.step_probabilities
    monkeypatch.setattr(noise_steps, "step_probabilities", lambda *a: calls.append(a) or real(*a))
    count_noise_rows._LAST_BUILT.clear()
    for T, row, eager, lazy in zip(Ts, rows, eagers, lazies):
        assert (row.name, row.steps, row.length, row.family, row.notes) == (eager.name, T, L, "mdlm", eager.notes)
        assert row == lazy and hash(row) == hash(lazy)
        assert row.describe() == eager.describe() == lazy.describe()
        assert len(row.reveal) == len(row.keep) == T + 1
        assert (row.reveal[-1], row.keep[-1], row.reveal[T], row.keep[T]) == (1.0, 0.0, 1.0, 0.0)
        head = min(T + 1, 6)
        assert [row.reveal[k] for k in range(head)] == list(eager.reveal[:head])
        assert [row.keep[k] for k in range(head)] == list(eager.keep[:head])
    assert not calls  # none of the above built a step
    row, eager = rows[-2], eagers[-2]
    assert tuple(row.reveal) == eager.reveal and tuple(row.keep) == eager.keep and row.reveal[150] == eager.reveal[150]
    assert np.asarray(row.reveal).tolist() == list(eager.reveal) and row.reveal == eager.reveal
    assert len(calls) == 1  # built once for all those reads
    assert row.expected_sizes() == eager.expected_sizes()


@pytest.mark.parametrize("noise", NOISES)
def test_head_rows_texts_are_the_eager_texts(noise):
    Ts = list(range(1, 41)) + [99, 1000, 16384, 100_000]
    for T, row in zip(Ts, head_rows(16384, noise, Ts)):
        assert row.describe() == CountSampler.mdlm(16384, T, noise).describe(), T


def test_stepless_rows_weigh_nothing_in_the_chunks():
    cosine = parse_family("mdlm:cosine")
    grid = list(range(1, 101))
    none = frozenset(range(50, 101))
    chunks = list(count_flow.count_chunks([cosine], grid, 500, {cosine.label: none}))
    held = [sum(t + 1 for _, t in chunk if t not in none) for chunk in chunks]
    assert all(h <= 500 for h in held) and [pair for chunk in chunks for pair in chunk] == [(cosine, t) for t in grid]
    assert chunks[-1][-51:] == [(cosine, t) for t in range(50, 101)]  # the stepless rows with the last built ones
    assert list(count_flow.count_chunks([cosine], grid, 500)) != chunks


@pytest.mark.parametrize("noise", ["cosine", "linear"])
def test_only_the_rows_that_read_steps_build_them(noise, curve, grids, builds, monkeypatch):
    """Against a sweep where every row builds: the same CSV, byte for byte. The rows built with their chunk are
    those the decision before building (bins and forms_steps) leaves to the steps; of the others, those the truth
    rejects after all (expanded_truth on the built rows: the few roundings by which it differs) build on demand."""
    from boundcalc.sweep_truth import resolve_source

    grid = grids[noise]
    fast = bc.sweep(curve, [f"mdlm:{noise}"], grid)
    stepless = {row.steps for row in fast.rows if isinstance(row.schedule, SteplessNoiseRow)}
    prepared, on_demand = sorted(builds["prepared"]), sorted(set(builds["on_demand"]))
    monkeypatch.setattr(count_flow, "stepless_steps", lambda *a: frozenset())
    builds["prepared"].clear()
    slow = bc.sweep(curve, [f"mdlm:{noise}"], grid)
    assert sorted(builds["prepared"]) == grid and not any(isinstance(r.schedule, SteplessNoiseRow) for r in slow.rows)
    assert _csv(fast) == _csv(slow)
    truth = resolve_source(curve, None, None, None)[1]
    samplers = [CountSampler.mdlm(L, t, noise) for t in grid]
    taken = count_stepless.expanded_truth(truth.profile, samplers, curve)
    bins = count_stepless.binned_steps(noise, L, grid)
    forms = count_stepless.forms_steps(noise, truth.profile, curve, grid)
    decided = {t for t, d in zip(grid, count_rows.stepless_rows(noise, grid, L, True, forms)) if d}
    assert decided == {t for t, b, f in zip(grid, bins, forms) if b and f and (t + 1) * (L + 1) > 1e6}
    final = {t for t, s, b in zip(grid, samplers, bins) if b and id(s) in taken}
    assert stepless == decided and prepared == sorted(set(grid) - decided)
    assert on_demand == sorted(decided - final) and len(on_demand) <= 2  # the decisions differ at the edge only
    assert final and len(decided) < len(grid) - 2  # rows of both kinds


def test_a_row_the_forms_reject_builds_its_steps_on_demand(curve, grids, builds, monkeypatch):
    """The decision before building (forms_steps) says the forms take every row, the truth (expanded_truth, asked
    for 10^-12 of the value) rejects them all: the rows decided stepless read their steps, each built once when
    read, and the CSV is that of a sweep where every row builds (under the same policy)."""
    grid = grids["linear"]
    monkeypatch.setattr(count_stepless, "STEPLESS_RELATIVE", 1e-12)
    with monkeypatch.context() as every_row_builds:
        every_row_builds.setattr(count_flow, "stepless_steps", lambda *a: frozenset())
        want = _csv(bc.sweep(curve, ["mdlm:linear"], grid))
    forced = {t for t, d in zip(grid, count_rows.stepless_rows("linear", grid, L, True, np.ones(len(grid), bool))) if d}
    count_noise_rows._LAST_BUILT.clear()
    monkeypatch.setattr(count_stepless, "forms_steps", lambda noise, profile, curve, steps, vocab_size=None:
                        np.ones(len(steps), bool))
    count_flow._FORMS.clear()
    builds["prepared"].clear()
    builds["on_demand"].clear()
    got = bc.sweep(curve, ["mdlm:linear"], grid)
    count_flow._FORMS.clear()
    assert sorted(builds["prepared"]) == sorted(set(grid) - forced)  # built with the chunk
    assert builds["on_demand"] == sorted(forced) and len(forced) >= 3  # rejected after all: each built once, read
    assert _csv(got) == want


@pytest.mark.parametrize("noise", ["cosine", "linear"])
def test_the_estimate_counts_exactly_the_steps_built(noise, curve, grids, builds):
    """count_rows.noise_rows_parts' build: the steps the flow builds at the family's batch rate, and a row's head
    for each stepless row; the whole estimate is count_flow.count_rows_seconds'."""
    from boundcalc.sweep_truth import resolve_source

    grid = grids[noise]
    rows = bc.sweep(curve, [f"mdlm:{noise}"], grid).rows
    stepless = sum(isinstance(r.schedule, SteplessNoiseRow) for r in rows)
    spec = parse_family(f"mdlm:{noise}")
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    truth = resolve_source(curve, None, None, None)[1]
    forms = count_stepless.forms_steps(noise, truth.profile, curve, grid)
    parts = count_rows.noise_rows_parts(template, grid, L, True, forms=forms)
    rate = spec.family.batch_cost_us((noise,)) * 1e-6
    assert parts["build"] == pytest.approx(sum(t + 1 for t in builds["prepared"]) * rate
                                           + stepless * count_rows._HEAD_ROW_SECONDS)
    assert stepless and count_rows.stepless_rows(noise, grid, L, True, forms).sum() == stepless
    assert count_flow.count_rows_seconds([spec], grid, L, truth) == pytest.approx(sum(parts.values()))
    no_truth = count_rows.noise_rows_parts(template, grid, L, False)  # without a truth only the bins decide
    binned = count_stepless.binned_steps(noise, L, grid)
    assert no_truth["build"] == pytest.approx(sum(t + 1 for t, b in zip(grid, binned) if not b) * rate
                                              + binned.sum() * count_rows._HEAD_ROW_SECONDS)


def test_without_a_truth_only_the_bins_decide(builds):
    profile = bc.MIProfile.from_total(3, L)
    grid = [10, 40, 3000]
    fast = bc.sweep(profile, ["mdlm:geometric"], grid)
    assert sorted(builds["prepared"]) == [10, 40] and builds["on_demand"] == []
    assert [isinstance(r.schedule, SteplessNoiseRow) for r in fast.rows] == [False, False, True]
