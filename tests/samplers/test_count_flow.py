"""A sweep's count rows chunk of T by chunk of T (boundcalc.count_flow): the same rows as all T at once, each
chunk's step arrays freed once its rows are built, the rows' samplers still whole."""

from __future__ import annotations

import gc
import weakref

import pytest

import boundcalc as bc
from boundcalc import count_flow, noise_steps
from boundcalc.count_sampler import CountSampler
from boundcalc.curve import LossCurve
from boundcalc.sweeps import parse_family

L = 256
GRID = "1:160:9"  # 18 rows, 1413 steps: chunks of at most 300 steps are 6 chunks


@pytest.fixture(scope="module")
def curve() -> LossCurve:
    """A partial curve (k < 32 unmeasured: every value an interval over the completions, a stderr too)."""
    masked = list(range(32, L + 1, 32))
    return LossCurve(length=L, masked=masked, loss=[0.4 + 2.5 * m / L for m in masked],
                     stderr=[0.01] * len(masked))


def _sweeps(curve, monkeypatch, families, limit=300):
    whole = bc.sweep(curve, families, GRID)
    monkeypatch.setattr(count_flow, "MAX_CHUNK_STEPS", limit)
    seen = []
    chunked = bc.sweep(curve, families, GRID, progress=lambda done, total: seen.append((done, total)))
    return whole, chunked, seen


def test_chunks_weigh_only_the_rows_that_hold_arrays():
    cosine, grid_family = parse_family("mdlm:cosine"), parse_family("mdlm")
    grid = list(range(1, 101))
    chunks = list(count_flow.count_chunks([grid_family, cosine], grid, 500))
    assert [pair for chunk in chunks for pair in chunk] == [(f, t) for f in (grid_family, cosine) for t in grid]
    held = [sum(t + 1 for f, t in chunk if f is cosine) for chunk in chunks]
    assert all(h <= 500 for h in held) and all(a + chunk[0][1] + 1 > 500 for a, chunk in zip(held, chunks[1:]))
    assert chunks[0][:100] == [(grid_family, t) for t in grid]  # a uniform grid weighs nothing: with cosine's first
    assert list(count_flow.count_chunks([cosine], [700, 3], 500)) == [[(cosine, 700)], [(cosine, 3)]]  # alone
    assert len(list(count_flow.count_chunks([grid_family], grid, 10))) == 1


def test_a_chunked_sweep_has_the_rows_of_an_unchunked_one(curve, monkeypatch):
    """Many chunks against one: the same rows, every value within the two certified errors (the batched bounds
    and intervals round differently in their last digits with the batch), the same text and statistics; the
    uniform grid's rows (weighing nothing) between the noises."""
    whole, chunked, seen = _sweeps(curve, monkeypatch, ["mdlm:cosine", "mdlm", "mdlm:geometric"])
    assert [(r.family, r.steps) for r in chunked.rows] == [(r.family, r.steps) for r in whole.rows]
    assert seen[-1] == (len(whole.rows), len(whole.rows)) and len(seen) == len(whole.rows)
    assert chunked.bound_names == whole.bound_names and chunked.columns() == whole.columns()
    for a, b in zip(whole.rows, chunked.rows):
        assert a.schedule.describe() == b.schedule.describe() and a.schedule == b.schedule
        for name in ["error", *a.stats, *a.bound_errors]:
            x, y = a.measured(name), b.measured(name)
            assert abs(x.value - y.value) <= x.error + y.error, (a.steps, name)
            assert x.stderr == pytest.approx(y.stderr, rel=1e-9) and x.interpolation == pytest.approx(y.interpolation)
        assert a.intervals.keys() == b.intervals.keys() and a.intervals
        for name, (lo, hi) in a.intervals.items():
            assert b.intervals[name] == pytest.approx((lo, hi), rel=1e-9, abs=1e-12), (a.steps, name)


def test_each_chunks_arrays_are_freed_once_its_rows_are_built(curve, monkeypatch):
    """Only the last chunk's step arrays outlive the sweep; the earlier rows' samplers are detached from theirs
    and still give the eager sampler's steps, bit for bit."""
    arrays = []
    prepare = noise_steps.prepare

    def recording(noise, steps):
        rows = prepare(noise, steps)
        arrays.append(weakref.ref(rows.reveal))
        return rows

    monkeypatch.setattr(noise_steps, "prepare", recording)
    monkeypatch.setattr(count_flow, "MAX_CHUNK_STEPS", 300)
    r = bc.sweep(curve, ["mdlm:linear"], GRID)
    gc.collect()
    chunks = len(list(count_flow.count_chunks([parse_family("mdlm:linear")], range(1, 161, 9), 300)))
    assert chunks == len(arrays) == 6 and [a() is None for a in arrays] == [True] * 5 + [False]
    detached = [row.schedule for row in r.rows if isinstance(row.schedule, count_flow.DetachedNoiseRow)]
    assert len(detached) == len(r.rows) - 1  # the last chunk holds one row (T = 154)
    for sampler in detached[::4]:
        eager = CountSampler.mdlm(L, sampler.steps, "linear")
        assert tuple(sampler.reveal) == eager.reveal and tuple(sampler.keep) == eager.keep
        assert sampler.describe() == eager.describe() and sampler.expected_sizes() == eager.expected_sizes()


def test_rows_skipped_by_the_builder_still_advance_the_progress(monkeypatch):
    from boundcalc.errors import ScheduleError

    real = count_flow.row_sampler

    def refusing(template, t, length):
        if t % 2:
            raise ScheduleError("odd T refused here")
        return real(template, t, length)

    monkeypatch.setattr(count_flow, "row_sampler", refusing)
    seen = []
    r = bc.sweep(bc.MIProfile.from_total(1, 64), ["mdlm:cosine"], "1:8", progress=lambda d, t: seen.append((d, t)))
    assert [row.steps for row in r.rows] == [2, 4, 6, 8] and [t for _, t, _ in r.skipped] == [1, 3, 5, 7]
    assert seen == [(k, 8) for k in range(1, 9)]


def test_the_estimate_counts_the_work_the_flow_does(curve, monkeypatch):
    """The estimate (count_rows.noise_rows_parts) from T and L alone against the work the chunked flow does: the
    steps it builds (exactly Σ (T + 1)) and the entries of the bounds' laws, Σ (T + 1)(cap + 1) with each row's real
    cap (the model's at or above, within 1.5x)."""
    import numpy as np

    from boundcalc import count_rows
    from boundcalc.registry import SamplerSpec

    built, entries = [], []
    prepare, reports = noise_steps.prepare, count_flow.row_bound_reports

    def counted(profile, samplers, eps, starts=True):
        found = reports(profile, samplers, eps, starts=starts)
        entries.extend((s.steps + 1) * (s.size_cap() + 1) for s in samplers)
        return found

    monkeypatch.setattr(noise_steps, "prepare", lambda noise, steps: built.append(sum(t + 1 for t in steps))
                        or prepare(noise, steps))
    monkeypatch.setattr(count_flow, "row_bound_reports", counted)
    monkeypatch.setattr(count_flow, "MAX_CHUNK_STEPS", 300)
    grid = list(range(1, 161, 9))
    bc.sweep(curve, ["mdlm:linear"], grid)
    spec = parse_family("mdlm:linear")
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    caps = count_rows.noise_caps(grid, L, count_rows._peak(template), count_rows._NOISE_REMOVALS["linear"])
    modelled = float(np.sum((np.array(grid) + 1) * (caps + 1)))
    assert sum(built) == sum(t + 1 for t in grid)
    assert sum(entries) <= modelled <= 1.5 * sum(entries)
    parts = count_rows.noise_rows_parts(template, grid, L, True)
    assert parts["build"] == pytest.approx(sum(built) * spec.family.batch_cost_us(("linear",)) * 1e-6)
    assert count_flow.count_rows_seconds([spec], grid, L, object()) == pytest.approx(sum(parts.values()))
