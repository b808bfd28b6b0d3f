"""`steps --family mdlm|sedd|dream-origin` and `steps --budget` rows for random-count samplers.

Every value is checked against an enumeration of the count process (multinomial reveal steps, exact
Fractions where the sampler's probabilities are rational), independent of the DPs and of the brackets.
"""

from __future__ import annotations

import json
import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.bounds import bound_coefficient, count_bound_report
from boundcalc.counts import parse_sampler
from boundcalc.curve import LossCurve
from boundcalc.errors import UsageError
from boundcalc.count_steps import count_expected_bound
from boundcalc.estimate import count_coefficients, count_estimate
from boundcalc.family_steps import budget_table, required_steps_family
from boundcalc.step_families import family_sampler
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule
from boundcalc.truth import MarkovChain, entropy_profile
from boundcalc.truth.core import EntropyProfile
from boundcalc.truth.samplers import count_error

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_samplers_counts import realisations  # noqa: E402

CHAIN = MarkovChain(["a", "b"], [["0.8", "0.2"], ["0.3", "0.7"]])
SPECS = ["mdlm:1", "mdlm:2", "mdlm:3", "dream-origin:1", "dream-origin:2", "dream-origin:3", "sedd:2",
         "mdlm:2:cosine", "dream-origin:3:1/10"]


def brute(sampler, length):
    """E[size of the step starting at m] (exact Fractions) and the law of S_max, by enumeration."""
    starts = [Fraction(0)] * length
    law: dict[int, Fraction] = {}
    for counts, weight in realisations(sampler):
        m = 0
        for c in counts:
            if c:
                starts[m] += weight * c
                m += c
        law[max(counts)] = law.get(max(counts), Fraction(0)) + weight
    return starts, law


def brute_error(profile, sampler):
    return math.fsum(float(w) * profile.error(Schedule([c for c in counts if c])) for counts, w in realisations(sampler))


def brute_bound(sampler, name, mi_total, eps=Fraction(0)):
    _, law = brute(sampler, sampler.length)
    c = sum((w * Fraction(bound_coefficient(name, s)) for s, w in law.items()), Fraction(0))
    return c * mi_total / sampler.length + eps


# -- the pieces: coefficient vector, brackets, the DP at the jumps ---------------------------------


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("L", [1, 4, 6])
def test_expected_start_sizes_equal_enumeration(spec, L):
    sampler = parse_sampler(spec, L)
    starts, law = brute(sampler, L)
    assert sampler.expected_start_sizes() == pytest.approx([float(x) for x in starts], abs=1e-12)
    assert sum(starts) == L  # every position is covered by exactly one step
    for name in ("sharp", "theorem1", "recursion"):
        exact = float(sum((w * Fraction(bound_coefficient(name, s)) for s, w in law.items()), Fraction(0)))
        for k in (0, 2):  # the screen, and the screen with its two widest terms from the DP
            lo, hi, err = sampler.expected_coefficient_bracket(lambda s: bound_coefficient(name, s), exact_at=k)
            assert lo - err <= exact <= hi + err
        value, error = sampler.expected_coefficient_at_jumps(lambda s: bound_coefficient(name, s))
        assert abs(value - exact) <= error + 1e-15 and error < 1e-9


def test_the_bracket_is_tight_where_a_search_needs_it():
    """At L = 1024 the screen leaves only a few percent open (so few T need the DP)."""
    sampler = parse_sampler("mdlm:64", 1024)
    lo, hi, _ = sampler.expected_coefficient_bracket(lambda s: s - 1)
    value, _ = sampler.expected_coefficient_at_jumps(lambda s: s - 1)
    assert lo <= value <= hi and (value - lo) / value < 0.01 and (hi - value) / value < 0.05


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 10), st.sampled_from(SPECS), st.integers(0, 10**6))
def test_coefficient_form_equals_count_error(L, spec, seed):
    """E error = Σ_m (E S_m - 1) d(m), for any non-increasing d (a random curve)."""
    rng = np.random.default_rng(seed)
    d = np.sort(rng.random(L))[::-1] * rng.uniform(0.1, 3)
    sampler = parse_sampler(spec, L)
    value, error = count_error(EntropyProfile(d), sampler)
    assert float(count_coefficients(sampler) @ d) == pytest.approx(value, abs=1e-12 + error)


def test_expected_bound_equals_the_report_and_enumeration():
    sampler = parse_sampler("dream-origin:3", 5)
    report = count_bound_report(MIProfile.from_total("7/2", 5), sampler, "1/10")
    for name in ("sharp", "theorem1", "recursion"):
        b = count_expected_bound(sampler, Fraction(7, 2), name, Fraction(1, 10))
        assert b.value == pytest.approx(report.values[name], abs=1e-15 + report.errors[name])
        exact = brute_bound(sampler, name, Fraction(7, 2), Fraction(1, 10))
        assert abs(Fraction(b.value) - exact) <= Fraction(b.error)
        assert b.to_dict()["expected"] is True and "expectation" in b.note


def test_count_estimate_propagates_the_stderr():
    L = 6
    d = entropy_profile(CHAIN, L).conditional
    ks = [1, 3, 6]
    se = np.array([0.01, 0.02, 0.005])
    curve = LossCurve(length=L, masked=ks, loss=[d[L - k] for k in ks], stderr=se)
    sampler = parse_sampler("mdlm:2", L)
    starts, _ = brute(sampler, L)
    est = count_estimate(curve, sampler)
    assert est.stderr == pytest.approx(curve.stderr_of(np.array([float(x) - 1 for x in starts])), rel=1e-9)
    assert est.stderr > 0 and est.interpolation_effect >= 0 and "random reveal counts" in est.note


# -- steps: the answer is the least T ------------------------------------------------------------------


@pytest.mark.parametrize("family", ["dream-origin", "mdlm", "sedd"])
def test_steps_by_bound_is_the_least_T(family):
    L, mi = 5, Fraction(3)
    values = {T: brute_bound(family_sampler(family, T, L), "sharp", mi) for T in range(1, 5)}
    assert values[1] > values[2] > values[3]
    target = (values[2] + values[3]) / 2  # T = 3 reaches it, T = 2 does not
    r = required_steps_family([target], family=family, length=L, mi_total=mi, bound="sharp")[0]
    assert r.steps == min(T for T, v in values.items() if v <= target) == 3
    assert abs(Fraction(r.value.value) - values[3]) <= Fraction(r.value.error) and r.schedule is None
    assert r.sampler.name == f"{family}:3" and r.to_dict()["schedule"]["random_counts"] is True
    # exactly at a value: the float cannot decide, and says so instead of guessing
    tie = required_steps_family([values[3]], family=family, length=L, mi_total=mi, bound="sharp")[0]
    assert 3 in tie.undecided and tie.steps != 3 and "conservative" in tie.to_dict()["decision"]


def test_steps_by_error_is_the_least_T():
    L = 5
    profile = entropy_profile(CHAIN, L)
    curve = LossCurve.from_conditional(profile.conditional)
    values = {T: brute_error(profile, family_sampler("dream-origin", T, L)) for T in range(1, 6)}
    order = sorted(values.values(), reverse=True)
    for target in ((order[0] + order[1]) / 2, (order[2] + order[3]) / 2):
        r = required_steps_family([str(target)], family="dream-origin", by="error", length=L, curve=curve)[0]
        assert r.steps == min(T for T, v in values.items() if v <= target)
        assert r.value.value == pytest.approx(values[r.steps], abs=1e-12)
        assert list(r.larger_misses) == [T for T, v in values.items() if r.steps < T <= r.checked_up_to and v > target]


def test_count_families_search_beyond_L_and_refuse_heavy_work():
    r = required_steps_family(["0.05"], family="mdlm", length=8, mi_total=Fraction(1), bound="sharp")[0]
    assert r.steps > 8  # random counts need more steps than positions for a small expected s_max - 1
    none = required_steps_family(["0.001"], family="mdlm", length=8, mi_total=Fraction(1), max_steps=10)[0]
    assert none.steps is None and "no T <= 10" in none.reason
    # brackets over ranges of T (issue 22): every T <= 16L shown to miss, without a DP at any of them
    far = required_steps_family(["0.0001"], family="mdlm", length=4096, mi_total=Fraction(10))[0]
    assert far.steps is None and far.reason == "no T <= 65536 reaches it" and "ranges of T" in far.search
    # and on MDLM's other noises' grids (count_brackets_noise.NoiseMaxStepBracket): was refused, scanned T by T
    noise = required_steps_family(["0.0001"], family="mdlm:cosine", length=4096, mi_total=Fraction(10))[0]
    assert noise.steps is None and noise.reason == "no T <= 65536 reaches it" and "ranges of T" in noise.search
    floor = required_steps_family(["0.1"], family="mdlm", length=8, mi_total=Fraction(1), eps_train="0.2")[0]
    assert floor.steps is None and "floor" in floor.reason


@pytest.mark.parametrize("family, fragment", [("mdlm:0", "noise"), ("mdlm:bogusnoise", "noise"), ("sedd:4", "arguments"),
                                              ("dream-origin:2", "eps"), ("dream-origin:1/2:3", "arguments")])
def test_bad_count_families(family, fragment):
    with pytest.raises(UsageError, match=fragment) as caught:
        required_steps_family(["1"], family=family, length=8, mi_total=Fraction(1))
    assert caught.value.param == "family"


def test_budget_rows_for_count_families():
    L = 6
    profile = entropy_profile(CHAIN, L)
    curve = LossCurve.from_conditional(profile.conditional)
    rows = budget_table(3, length=L, curve=curve, families=("uniform", "mdlm", "dream-origin"))
    by = {r["family"]: r for r in rows}
    assert by["uniform"]["schedule"].sizes == (2, 2, 2)
    for family in ("mdlm", "dream-origin"):
        sampler = by[family]["sampler"]
        assert by[family]["error"].value == pytest.approx(brute_error(profile, sampler), abs=1e-12)
        mi = Fraction(repr(curve.mi_total()))
        assert abs(Fraction(by[family]["bound"].value) - brute_bound(sampler, "theorem1", mi)) <= 1e-12


# -- the command line -------------------------------------------------------------------------------


@pytest.fixture
def curve_file(tmp_path, run):
    chain = tmp_path / "chain.json"
    chain.write_text(json.dumps({"states": ["a", "b"], "transition": [["0.8", "0.2"], ["0.3", "0.7"]]}))
    out = tmp_path / "curve.csv"
    assert run("profile", "--markov", chain, "--length", "16", "--loss-curve", out).exit_code == 0
    return out


def test_cli_steps_for_count_families(curve_file, run):
    data = run("steps", "--mi-total", "2", "--length", "64", "--family", "dream-origin", "--target", "1/2",
               "--bound", "sharp", "--json").json
    first = data["results"][0]
    assert data["random_counts"] is True and "expectations over the counts" in data["random_counts_note"]
    assert first["value"]["expected"] is True and float(first["value"]["value"]) <= 0.5
    assert first["schedule"]["name"] == f"dream-origin:{first['steps']}"
    assert float(first["schedule"]["expected_nonempty_steps"]["value"]) <= first["steps"]
    assert first["undecided_steps"] == [] and first["decision"].startswith("conservative")
    lib = required_steps_family(["1/2"], family="dream-origin", length=64, mi_total=Fraction(2), bound="sharp")[0]
    assert first["steps"] == lib.steps
    table = run("steps", "--loss-curve", curve_file, "--family", "mdlm:cosine", "--by", "error", "--target", "0.5")
    assert table.exit_code == 0 and "expected" in table.stdout and "E calls" in table.stdout
    # by optimal does not depend on the family: the same answer as without one
    opt = run("steps", "--loss-curve", curve_file, "--by", "optimal", "--target", "0.5", "--json").json
    opt_family = run("steps", "--loss-curve", curve_file, "--by", "optimal", "--family", "mdlm", "--target", "0.5",
                     "--json").json
    assert opt_family["results"] == opt["results"] and opt_family["schedule_family"] == "optimal"
    budget = run("steps", "--loss-curve", curve_file, "--budget", "4", "--family", "mdlm", "--family", "uniform",
                 "--json").json
    rows = {f["family"]: f for f in budget["families"]}
    assert rows["mdlm"]["schedule"]["random_counts"] is True and rows["mdlm"]["bound"]["expected"] is True


def test_count_sampler_has_one_json_form(run):
    """bound's `sampler`, steps --family's and steps --budget's `schedule`: the same object for the same sampler."""
    found = run("steps", "--mi-total", "2", "--length", "16", "--family", "mdlm", "--target", "1",
                "--json").json["results"][0]
    steps = found["steps"]
    bound = run("bound", "--schedule", f"mdlm:{steps}", "--mi-total", "2", "--length", "16", "--json").json
    budget = run("steps", "--mi-total", "2", "--length", "16", "--budget", str(steps), "--family", "mdlm",
                 "--json").json["families"][0]
    assert found["schedule"] == bound["sampler"] == budget["schedule"]
    sampler = parse_sampler(f"mdlm:{steps}", 16)
    assert bound["sampler"]["name"] == f"mdlm:{steps}" and bound["sampler"]["sizes"] is None
    assert bound["sampler"]["reveal_probabilities"] == [repr(p) for p in sampler.reveal]


@pytest.mark.parametrize(
    "args, code, fragment",
    [
        (["--family", "mdlm:0"], 2, "--family"),
        (["--family", "mdlm:bogusnoise"], 2, "--family"),
        (["--family", "dream-origin:x"], 2, "--family"),
    ],
)
def test_cli_count_family_errors_are_one_line(run, args, code, fragment):
    base = ["steps", "--mi-total", "10", "--length", "64", "--target", "1"]
    result = run(*base, *args)
    assert result.exit_code == code, result.output
    assert fragment in result.stderr and result.stderr.count("\n") == 1


def test_estimate_error_takes_count_samplers():
    L = 6
    profile = entropy_profile(CHAIN, L)
    curve = LossCurve.from_conditional(profile.conditional)
    value = count_error(profile, parse_sampler("mdlm:3", L))[0]
    from boundcalc.estimate import estimate_error

    assert estimate_error(curve, "mdlm:3").value == pytest.approx(value, abs=1e-12)
    assert estimate_error(curve, parse_sampler("mdlm:3", L)).value == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize("family", ["mdlm", "sedd", "mdlm:loglinear", "dream-origin", "dream-origin:1/100",
                                    "dream-origin:0"])
def test_the_scan_builds_the_same_samplers_faster(family):
    """The search's integer-ratio construction gives the floats (and names) of parse_sampler."""
    from boundcalc.step_families import _rational_sampler

    for T in (1, 2, 3, 7, 64, 513):
        fast, slow = _rational_sampler(family, T, 100), family_sampler(family, T, 100)
        assert (fast.reveal, fast.keep, fast.steps, fast.name, fast.family) == \
            (slow.reveal, slow.keep, slow.steps, slow.name, slow.family)
    assert _rational_sampler("mdlm:cosine", 4, 100) is None


def test_large_L_values_are_enclosures_with_justified_digits():
    """Where the full DP is expensive the value is an enclosure (DP at 16 thresholds): still certified."""
    from boundcalc.step_families import ExpectedBound

    r = required_steps_family(["0.5"], family="mdlm", length=4096, mi_total=Fraction(10), bound="sharp")[0]
    sampler = family_sampler("mdlm", r.steps, 4096)
    lo, hi, err = sampler.expected_coefficient_bracket(lambda s: s - 1)
    scale = 10 / 4096
    assert lo * scale - err <= r.value.value + r.value.error and r.value.value - r.value.error <= hi * scale + err
    assert r.value.value + r.value.error <= 0.5 and 0 < r.value.error < 1e-3 * r.value.value
    assert ExpectedBound(0.496377, 0.0002, "sharp").show(digits=6).startswith("0.4964 ±")


@pytest.mark.parametrize("spec", ["mdlm:7", "mdlm:40:cosine", "dream-origin:300", "mdlm:2"])
def test_coefficient_form_at_larger_L(spec):
    """At L = 400 expected_start_sizes reads each step's law only near its mean: still the DP's error."""
    L = 400
    profile = entropy_profile(CHAIN, L)
    sampler = parse_sampler(spec, L)
    value, error = count_error(profile, sampler)
    coefficients = count_coefficients(sampler)
    assert float(coefficients.sum()) == pytest.approx(0, abs=1e-9)  # Σ_m E S_m = L
    assert float(coefficients @ profile.conditional) == pytest.approx(value, abs=1e-10 + error)


@pytest.mark.parametrize("family, steps", [("mdlm", 5), ("dream-origin", 4), ("sedd", 6)])
def test_budget_takes_a_count_familys_T_beyond_L(run, family, steps):
    """``steps --budget T`` with T > L for a random-count family (a search over T answers such T; the budget
    refused them, round 5 audit): its expected Theorem 1 bound is E[c(S_max)]/L · ΣI with the expectation
    enumerated here over every token's reveal step (each token independently: step k with probability
    Π_{j<k}(1 - p_j) p_j, from the sampler's exact p_k); a fixed family's row says it has no such schedule."""
    import itertools

    L, total = 3, Fraction(3)
    result = run("steps", "--mi-total", "3", "--length", str(L), "--budget", str(steps), "-f", family, "-f", "uniform",
                 "--json")
    assert result.exit_code == 0, result.output
    count_row, fixed_row = result.json["families"]
    probs = [Fraction(p) for p in count_row["schedule"]["exact_probabilities"]]
    assert len(probs) == count_row["schedule"]["steps_with_final"] and probs[-1] == 1
    reach, left = [], Fraction(1)
    for p in probs:
        reach.append(left * p)
        left *= 1 - p
    expected = Fraction(0)
    for when in itertools.product(range(len(probs)), repeat=L):
        weight = math.prod((reach[k] for k in when), start=Fraction(1))
        largest = max(when.count(k) for k in set(when))
        expected += weight * ((1 << (largest - 1).bit_length()) - 1)
    bound = count_row["bound"]
    assert abs(Fraction(bound["value"]) - expected * total / L) <= Fraction(bound["abs_error"]) + Fraction(1, 10**12)
    assert fixed_row["bound"] is None and "exceed L = 3" in fixed_row["reason"]
    refused = run("steps", "--mi-total", "3", "--length", str(L), "--budget", str(steps), "-f", "uniform")
    assert refused.exit_code == 2 and "up to 100000 with a random-count family" in refused.output
