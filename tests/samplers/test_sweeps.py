"""boundcalc.sweeps: grids, families, and rows checked against independent computations.

Bounds are recomputed from their closed forms; exact errors against the
brute-force sampler of tests/truth_reference.py; the optimal error against
the least brute-force error over every composition of L into T parts.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

import boundcalc as bc
from boundcalc.errors import DomainError, ScheduleError, UsageError
from boundcalc.sweeps import MAX_GRID_POINTS, parse_family, parse_steps, sweep_families
from boundcalc.truth import EntropyProfile, JointDistribution, float_decimal
from truth_reference import brute_force_error


def test_grids():
    assert parse_steps("1:5") == (1, 2, 3, 4, 5)
    assert parse_steps("3:11:4") == (3, 7, 11)
    assert parse_steps("8, 2,4,2") == (2, 4, 8)
    assert parse_steps([4, 1, 4]) == (1, 4)
    grid = parse_steps("log:1:1000:7")
    assert grid[0] == 1 and grid[-1] == 1000 and list(grid) == sorted(set(grid))
    assert grid == (1, 3, 10, 32, 100, 316, 1000)  # 10^(k/2), rounded
    assert parse_steps("geom:5:5:3") == (5,)


@pytest.mark.parametrize("spec, words", [
    ("", "empty"), ("0:4", "not a positive integer"), ("a,b", "not a positive integer"), ("5:2", "not a range"),
    ("log:1:8", "not a log grid"), ("1:20", "exceeds L = 10"), (f"1:{10 * MAX_GRID_POINTS}", "use a log grid"),
])
def test_bad_grids_name_the_parameter(spec, words):
    with pytest.raises(UsageError) as info:
        parse_steps(spec, length=10)
    assert info.value.param == "steps" and words in str(info.value)


def test_families():
    assert {"uniform", "dream", "linear", "cosine", "cosine-mdlm", "power"} <= set(sweep_families())
    assert not {"blocks", "random", "degenerate", "reversed"} & set(sweep_families())
    assert parse_family("uniform").spec(7) == "uniform:7"
    assert parse_family("power:1/2").spec(7) == "power:7:1/2"
    assert parse_family("blocks:2:cosine:T").spec(8) == "blocks:2:cosine:8"
    for bad, words in [("nope", "unknown family"), ("blocks:2:cosine", "not parametrised by T first")]:
        with pytest.raises(UsageError, match=words) as info:
            parse_family(bad)
        assert info.value.param == "families"


def _theorem1(mi_total: Fraction, length: int, s_max: int) -> Fraction:
    return Fraction(2 ** math.ceil(math.log2(s_max)) - 1) * mi_total / length if s_max > 1 else Fraction(0)


def test_mi_profile_sweep_gives_every_bound_exactly():
    profile = bc.MIProfile.from_total("37/10", length=40)
    r = bc.sweep(profile, ["uniform", "cosine", "power:3/2"], "1,3,8,40", eps_train="1/100")
    assert r.columns() == ["family", "steps", "schedule", "s_max", "theorem1", "recursion", "sharp", "corollary1", "ter"]
    assert not r.has_truth and r.families == ("uniform", "cosine", "power:3/2") and len(r) == 12
    for row in r.rows:
        name, *extra = row.family.split(":")
        schedule = bc.parse_schedule(":".join([name, str(row.steps), *extra]), 40)
        assert row.schedule.sizes == schedule.sizes and row.max_size == max(schedule.sizes)
        s = row.max_size
        assert row.bounds["theorem1"] == _theorem1(Fraction(37, 10), 40, s) + Fraction(1, 100)
        assert row.bounds["sharp"] == Fraction(s - 1) * Fraction(37, 10) / 40 + Fraction(1, 100)
        balanced = s == -(-40 // row.steps)
        assert (row.bounds["corollary1"] is None) == (not balanced)
        if balanced:
            assert row.bounds["corollary1"] == 2 * Fraction(37, 10) / row.steps + Fraction(1, 100)
        assert row.error is row.optimal is None and not row.bound_errors and row.measured("theorem1") is None
    records = r.to_records()
    assert [list(rec) for rec in records] == [r.columns()] * 12
    assert records[1]["schedule"] == "14,13,13" and records[1]["theorem1"] == r.rows[1].bounds["theorem1"]


def _table(seed: int, length: int = 4) -> tuple[JointDistribution, dict[tuple, float]]:
    rng = np.random.default_rng(seed)
    table = rng.dirichlet(np.full(2**length, 0.3)).reshape((2,) * length)
    table = table / table.sum()
    model = JointDistribution.from_array(table, normalize=True, source=f"seed {seed}")
    return model, {idx: float(table[idx]) for idx in np.ndindex(table.shape) if table[idx] > 0}


@pytest.mark.parametrize("seed", [0, 1])
def test_model_sweep_errors_match_brute_force(seed):
    model, p = _table(seed)
    r = bc.sweep(model, ["uniform", "cosine"], "1:4", optimal=True)
    assert r.has_truth and r.has_optimal and "theorem2_upper" in r.bound_names
    assert r.columns()[:8] == ["family", "steps", "schedule", "s_max", "error", "error_abs", "optimal", "random_error"]
    for row in r.rows:
        truth = brute_force_error(p, row.schedule.sizes, 2)
        assert row.error == pytest.approx(truth, abs=1e-9)
        # the optimum: the least brute-force error over every composition of L = 4 into T parts
        best = min(brute_force_error(p, sizes, 2) for sizes in _compositions(4, row.steps))
        assert row.optimal == pytest.approx(best, abs=1e-9)
        assert row.optimal <= row.error + 1e-12
        for name in ("theorem1", "recursion", "sharp", "corollary1", "theorem2_upper"):
            if row.bounds[name] is not None:
                assert row.error <= float(row.bounds[name]) + 1e-9, (name, row)
        assert row.measured("error").error == row.error_abs > 0 and row.measured("optimal").value == row.optimal
        assert all(0 <= e <= 1e-9 for e in row.bound_errors.values()) and set(row.bound_errors) == {
            name for name, value in row.bounds.items() if value is not None}
        if row.bounds["theorem2_lower"] is not None:
            assert row.random_error >= float(row.bounds["theorem2_lower"]) - 1e-9
    assert set(r.optimal_schedules) == {1, 2, 3, 4}


def _compositions(total: int, parts: int):
    for cuts in itertools.combinations(range(1, total), parts - 1):
        bounds = (0, *cuts, total)
        yield tuple(b - a for a, b in zip(bounds, bounds[1:]))


def test_semi_autoregressive_blocks_get_the_blockwise_truth_and_bounds():
    model, p = _table(3)
    r = bc.sweep(model, ["blocks:2:uniform:T", "uniform"], "2,4", eps_train="1/10")
    blocks = r.family_rows("blocks:2:uniform:T")
    assert {"block_theorem1", "block_sharp", "theorem1"} <= set(r.bound_names)
    for row in blocks:
        report = bc.verify(model, row.schedule)
        assert row.error == report.truth and row.bounds["theorem1"] is None  # the global bounds do not hold
        assert row.bounds["block_sharp"] == report.bounds.values["block_sharp"] + Fraction(1, 10)
        assert row.error <= float(row.bounds["block_sharp"])
        # independent: positions uniformly random inside each block of 2, blocks left to right
        half = row.steps // 2
        brute = _blockwise_brute_force(p, [row.schedule.sizes[:half], row.schedule.sizes[half:]])
        assert row.error == pytest.approx(brute, abs=1e-9)
    for row in r.family_rows("uniform"):
        assert row.bounds["block_sharp"] is None and row.bounds["theorem1"] is not None


def _blockwise_brute_force(p: dict[tuple, float], block_sizes: list[tuple[int, ...]]) -> float:
    """E KL of the sampler revealing block 1 (positions 0-1) then block 2 (2-3), random positions within a block."""
    from truth_reference import marginal

    total, count = 0.0, 0
    first = list(_ordered(range(0, 2), block_sizes[0]))
    second = list(_ordered(range(2, 4), block_sizes[1]))
    for a in first:
        for b in second:
            revealed: tuple[int, ...] = ()
            logq = {x: 0.0 for x in p}
            for part in a + b:
                W = tuple(sorted(revealed))
                pw = marginal(p, W)
                for i in part:
                    Wi = tuple(sorted(W + (i,)))
                    pwi = marginal(p, Wi)
                    for x in p:
                        logq[x] += math.log(pwi[tuple(x[j] for j in Wi)] / pw[tuple(x[j] for j in W)])
                revealed += part
            total += math.fsum(q * (math.log(q) - logq[x]) for x, q in p.items())
            count += 1
    return total / count


def _ordered(positions, sizes):
    positions = tuple(positions)
    if not sizes:
        yield ()
        return
    for block in itertools.combinations(positions, sizes[0]):
        rest = tuple(i for i in positions if i not in block)
        for tail in _ordered(rest, sizes[1:]):
            yield (block,) + tail


def test_entropy_profile_like_sources_and_units():
    chain = bc.MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    nats = bc.sweep(chain, "uniform", "1,4,16", length=16)
    bits = bc.sweep(chain, "uniform", "1,4,16", length=16, unit="bits")
    for a, b in zip(nats.rows, bits.rows):
        assert b.error == pytest.approx(a.error / math.log(2), rel=1e-12)
    assert bits.unit == "bits" and bits.mi_total == Fraction(float_decimal(chain.entropy_profile(16).mi_total() / math.log(2)))

    class Estimated:  # only the EntropyProfile interface the sweep needs: no multi-scale profile, no DP
        is_estimate = True

        def __init__(self, profile: EntropyProfile) -> None:
            self.profile, self.length = profile, profile.length

        def error(self, schedule):  # nats, as every engine
            return self.profile.error(schedule)

        def mi_total(self):
            return self.profile.mi_total()

    r = bc.sweep(Estimated(chain.entropy_profile(16)), "uniform", "1,4,16")
    assert r.estimate and "theorem2_upper" not in r.bound_names
    assert [row.error for row in r.rows] == [row.error for row in nats.rows]
    with pytest.raises(UsageError, match="optimal errors need") as info:
        bc.sweep(Estimated(chain.entropy_profile(16)), "uniform", "1,4", optimal=True)
    assert info.value.param == "optimal"
    with pytest.raises(UsageError) as info:
        bc.sweep(bc.MIProfile.from_total(1, 8, unit="bits"), "uniform", "1,2", unit="nats")
    assert info.value.param == "unit"


def test_families_without_a_schedule_at_some_t_are_skipped_and_reported():
    r = bc.sweep(bc.MIProfile.from_total(1, 100), ["uniform", "dream"], "10,100")
    assert [(row.family, row.steps) for row in r.rows] == [("uniform", 10), ("uniform", 100), ("dream", 10)]
    assert [(f, t) for f, t, _ in r.skipped] == [("dream", 100)] and "empty step" in r.skipped[0][2]
    with pytest.raises(ScheduleError, match="no schedule on this grid") as info:
        bc.sweep(bc.MIProfile.from_total(1, 100), ["blocks:3:uniform:T"], "10,20")
    assert info.value.param == "families"


def test_too_large_sweeps_are_refused_before_any_work():
    profile = EntropyProfile(np.linspace(1.0, 0.5, 5000))
    with pytest.raises(DomainError, match="would take") as info:
        bc.sweep(profile, "uniform", "1:5000", optimal=True)
    assert info.value.param == "steps"


def test_slow_families_are_measured_and_refused_up_front():
    import time

    from boundcalc import registry, schedule as schedules

    class Slow(schedules.FixedFamily):  # a family that costs 1 ms per step to build
        name, params = "slow", (registry.Param("T", "steps"),)

        def _build(self, length, args):
            steps = int(args[0])
            time.sleep(1e-3 * steps)
            return schedules.Schedule.uniform(length, steps)

    registry.register(Slow)
    try:
        _slow_sweeps()
    finally:
        registry.unregister("slow")


def _slow_sweeps():
    import time

    profile = bc.MIProfile.from_total(1, 10**6)
    start = time.perf_counter()
    with pytest.raises(DomainError, match="1 family x 30 values of T") as info:
        bc.sweep(profile, "slow", "log:1:1000000:30")  # ~3*10^6 steps at 1 ms: refused after one small probe
    assert info.value.param == "steps" and time.perf_counter() - start < 5
    assert len(bc.sweep(profile, "slow", "1,2,4").rows) == 3
    # uniform schedules are run-length encoded: any T is instant
    r = bc.sweep(bc.MIProfile.from_total(1, 10**15), "uniform", "log:1:1000000000000000:16")
    assert r.rows[-1].max_size == 1 and r.rows[-1].bounds["theorem1"] == 0


def test_progress_is_reported_per_row():
    seen = []
    bc.sweep(bc.MIProfile.from_total(1, 10), ["uniform", "linear"], "1,5,10", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(k, 6) for k in range(1, 7)]
