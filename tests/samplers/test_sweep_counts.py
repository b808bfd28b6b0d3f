"""Random-count samplers (mdlm, sedd, dream-origin) as families of sweep and plot.

Every number of a sampler's row is checked against an enumeration of the
count process written here (each token's reveal step is independent with law
π_k, so the counts are multinomial), in exact rationals where the sampler's
probabilities are rational; the exact errors against the brute-force sampler
of tests/truth_reference.py averaged over the counts.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

import boundcalc as bc
from boundcalc import plot
from boundcalc.bounds import bound_coefficient, per_realisation_bounds
from boundcalc.counts import CountSampler, parse_sampler
from boundcalc.errors import DomainError, ScheduleError, UsageError
from boundcalc.sweeps import COUNT_STATS, parse_family, sweep_families
from boundcalc.truth import JointDistribution
from truth_reference import brute_force_error


def _counts(sampler: CountSampler):
    """(counts, probability) for every count vector of the sampler, multinomial in the reveal-step law π."""
    probs = sampler.exact or tuple(Fraction(p) for p in sampler.reveal)
    pi, alive = [], Fraction(1)
    for p in probs:
        pi.append(alive * p)
        alive *= 1 - p
    L = sampler.length
    for counts in itertools.product(range(L + 1), repeat=len(pi)):
        if sum(counts) == L:
            weight = Fraction(math.factorial(L))
            for c, x in zip(counts, pi):
                weight *= x**c / math.factorial(c)
            if weight:
                yield counts, weight


def test_count_families_are_sweep_families():
    assert {"mdlm", "sedd", "dream-origin"} <= set(sweep_families())
    assert parse_family("mdlm:cosine").spec(8) == "mdlm:8:cosine"
    assert parse_family("dream-origin:1/100").spec(4) == "dream-origin:4:1/100"
    assert parse_family("sedd").spec(3) == "sedd:3"


@pytest.mark.parametrize("family", ["dream-origin", "mdlm", "sedd", "mdlm:cosine"])
def test_mi_source_rows_are_the_expectations_over_the_counts(family):
    L, total = 5, Fraction(7, 3)
    r = bc.sweep(bc.MIProfile.from_total(total, L), ["uniform", family], "1,2,3", eps_train="1/50")
    assert r.has_counts and r.columns()[4:6] == list(COUNT_STATS)
    assert set(per_realisation_bounds()) <= set(r.bound_names)
    for row in r.family_rows(family):
        assert row.random_counts and row.max_size is None and row.scale is None
        sampler = parse_sampler(parse_family(family).spec(row.steps), L)
        expected = {name: Fraction(0) for name in per_realisation_bounds()}
        s_max = calls = Fraction(0)
        for counts, weight in _counts(sampler):
            top = max(counts)
            s_max += weight * top
            calls += weight * sum(1 for c in counts if c)
            for name in expected:
                expected[name] += weight * bound_coefficient(name, top)
        for name, c in expected.items():
            value = float(c * total / L + Fraction(1, 50))
            m = row.measured(name)
            assert abs(m.value - value) <= m.error + 1e-15 and m.error < 1e-12, (name, row.steps)
        for name, value in (("expected_s_max", s_max), ("expected_calls", calls)):
            m = row.measured(name)
            assert abs(m.value - float(value)) <= m.error + 1e-15
        # bounds that need a fixed schedule (Corollary 1's balance, the per-token TER bound) are not shown
        assert row.bounds["corollary1"] is None and row.bounds["ter"] is None
    records = r.to_records()
    assert records[0]["expected_s_max"] is None and records[-1]["s_max"] is None


def _table(seed: int, length: int = 4):
    rng = np.random.default_rng(seed)
    table = rng.dirichlet(np.full(2**length, 0.3)).reshape((2,) * length)
    table = table / table.sum()
    model = JointDistribution.from_array(table, normalize=True, source=f"seed {seed}")
    return model, {idx: float(table[idx]) for idx in np.ndindex(table.shape) if table[idx] > 0}


@pytest.mark.parametrize("seed, family", [(0, "dream-origin"), (1, "mdlm"), (2, "mdlm:linear")])
def test_model_rows_have_the_exact_expected_error(seed, family):
    model, p = _table(seed)
    r = bc.sweep(model, [family, "uniform"], "1:4", optimal=True)
    profile = bc.entropy_profile(model)
    fixed = {row.steps: row for row in r.family_rows("uniform")}
    for row in r.family_rows(family):
        sampler = parse_sampler(parse_family(family).spec(row.steps), 4)
        truth = math.fsum(float(w) * brute_force_error(p, [c for c in counts if c], 2) for counts, w in _counts(sampler))
        assert abs(row.error - truth) <= row.error_abs + 1e-12 and row.error_abs < 1e-9
        assert row.optimal == fixed[row.steps].optimal  # the DP optimum depends on T only
        # every realisation is a schedule of at most len(reveal) non-empty steps (MDLM: T + the final step)
        least = profile.optimal_schedule(len(sampler.reveal))[1] if len(sampler.reveal) <= 4 else 0.0
        assert least <= row.error + 1e-12
        if len(sampler.reveal) == row.steps:
            assert row.optimal <= row.error + 1e-12
        for name in per_realisation_bounds():  # no shown bound below the truth
            assert row.error <= row.bounds[name] + row.bound_errors[name] + 1e-12, (name, row.steps)
        assert row.random_error is None and row.bounds["theorem2_upper"] is None


def test_the_loss_curve_source_gives_estimated_sampler_errors():
    chain = bc.MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    exact = bc.sweep(chain, ["mdlm"], "2,5", length=12)
    profile = bc.entropy_profile(chain, 12)
    curve = bc.EntropyProfile(profile.conditional, source="curve", meta={"estimate": True})
    estimated = bc.sweep(curve, ["mdlm"], "2,5")
    assert estimated.estimate and not exact.estimate
    for a, b in zip(exact.rows, estimated.rows):
        assert b.error == pytest.approx(a.error, abs=1e-12)


def test_samplers_that_cannot_run_are_skipped_or_refused_up_front(monkeypatch):
    r = bc.sweep(bc.MIProfile.from_total(1, 8), ["uniform", "dream-origin:1/2"], "1,2")
    assert len(r.family_rows("dream-origin:1/2")) == 2
    with pytest.raises(ScheduleError, match="unknown noise 'bogus'") as info:
        bc.sweep(bc.MIProfile.from_total(1, 8), ["mdlm:bogus"], "1,2")
    assert info.value.param == "families"
    # over the count DPs' limit: the bounds enclosed by the laws of single steps, certified (issue 22)
    large = bc.sweep(bc.MIProfile.from_total(1, 100_000), ["mdlm"], "64,128")
    assert [row.steps for row in large.rows] == [64, 128]
    assert all(0 < row.bound_errors[name] < row.bounds[name] for row in large.rows for name in row.bound_errors)
    # whatever the engines' speed: over the limit (~8 s estimated since the rows the bins take build no step)
    monkeypatch.setattr("boundcalc.sweeps.MAX_SWEEP_SECONDS", 1.0)
    with pytest.raises(DomainError, match="would take"):  # too slow in all: refused from T and L alone
        bc.sweep(bc.MIProfile.from_total(1, 16384), ["mdlm:geometric"], "1:16384")


def test_figures_of_samplers():
    chain = bc.MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
    r = bc.sweep(chain, ["uniform", "mdlm"], "2,4,8", length=16, optimal=True)
    figure = plot.error_vs_steps(r, bounds=["theorem1"])
    lines = {line.get_gid(): line for ax in figure.axes for line in ax.get_lines() if line.get_gid()}
    assert list(lines["mdlm:error"].get_ydata()) == [row.error for row in r.family_rows("mdlm")]
    assert list(lines["mdlm:theorem1"].get_ydata()) == [row.bounds["theorem1"] for row in r.family_rows("mdlm")]
    fig = plot.schedules(r, steps=[4])
    drawn = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}
    sampler = parse_sampler("mdlm:4", 16)
    assert list(drawn["mdlm:T=4"].get_ydata())[:-1] == sampler.expected_sizes()[:4]  # the T regular steps
    assert "final noise-removal step" in fig.axes[1].get_title(loc="left")
    with pytest.raises(UsageError, match="Theorem 2 does not apply"):
        plot.sandwich(r)


def test_cli_csv_json_table_and_plot(run, write, tmp_path):
    chain = write("chain.json", '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}')
    args = ("sweep", "--markov", chain, "--length", "16", "-f", "uniform", "-f", "dream-origin", "--steps", "2,4")
    table = run(*args)
    assert table.exit_code == 0, table.output
    assert "random-count samplers (dream-origin): expectations over the counts" in " ".join(table.stdout.split())
    out = run(*args, "--csv", "--digits", "12").stdout
    header = out.splitlines()[0].split(",")
    assert header[:10] == ["family", "steps", "schedule", "s_max", "expected_s_max", "expected_calls", "error",
                           "error_abs", "optimal", "random_error"]
    rows = list(csv.DictReader(io.StringIO(out)))
    lib = bc.sweep(bc.load_markov(chain), ["uniform", "dream-origin"], "2,4", length=16)
    for ref in lib.family_rows("dream-origin"):  # the table's s_max column: E S_max with justified digits
        assert f"E {ref.measured('expected_s_max').decimal(3)} " in table.stdout
    for row, ref in zip(rows, lib.rows):
        if ref.random_counts:
            assert row["s_max"] == "" and abs(float(row["expected_calls"]) - ref.stats["expected_calls"][0]) < 1e-9
            assert abs(float(row["error"]) - ref.error) <= float(row["error_abs"]) + 1e-11
        else:
            assert row["expected_s_max"] == "" and int(row["s_max"]) == ref.max_size
    data = run(*args, "--json").json
    assert data["random_counts"] == ["dream-origin"]
    sampler_row = data["rows"][2]
    assert sampler_row["schedule"]["sampler"] == "dream-origin:2" and sampler_row["s_max"] is None
    assert set(sampler_row["expected_calls"]) == {"value", "abs_error", "estimate"}
    assert data["rows"][0]["expected_calls"] is None
    figure = run("plot", *args[1:], "--kind", "schedule", "-o", str(tmp_path / "s.png"))
    assert figure.exit_code == 0 and (tmp_path / "s.png").stat().st_size > 1000
    refused = run("plot", *args[1:], "--kind", "sandwich", "-o", str(tmp_path / "t.png"))
    assert refused.exit_code == 2 and "Theorem 2 does not apply to the random-count sampler dream-origin" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and not (tmp_path / "t.png").exists()


def test_samplers_with_too_many_steps_are_refused_before_building():
    from boundcalc.counts import MAX_COUNT_STEPS

    for spec in (f"mdlm:{MAX_COUNT_STEPS + 1}", "dream-origin:99999999999999", "mdlm:99999999999999:cosine"):
        with pytest.raises(DomainError, match="too many") as info:
            parse_sampler(spec, 8)
        assert info.value.param == "schedule" and str(MAX_COUNT_STEPS) in info.value.allowed


def test_large_steps_make_no_float_warnings():
    """Cells with more reveals than masked tokens are no outcome: they must not overflow exp (a warning on stderr)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler = parse_sampler("mdlm:1", 400)  # one step: the DP's size cap is L, log m! up to ~2000
        above, _ = sampler.max_law()
        assert above[-1] <= 1 and sampler.expected(np.ones((401, sampler.size_cap() + 1)))["value"] > 0
