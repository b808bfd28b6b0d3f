"""The loss curve: file format, fit, interpolation, stderr propagation, and answers from it (issue 10)."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boundcalc.curve import LossCurve, isotonic_nondecreasing, load_loss_curve, pchip
from boundcalc.errors import DomainError, ProfileError, UsageError
from boundcalc.estimate import curve_quantities, estimate_error, info_optimal_schedule, schedule_coefficients
from boundcalc.family_steps import budget_table, required_steps_family
from boundcalc.step_families import family_schedule
from boundcalc.schedule import Schedule, parse_schedule
from boundcalc.truth import JointDistribution, MarkovChain
from boundcalc.units import display

BSC = MarkovChain(["0", "1"], [["0.99", "0.01"], ["0.01", "0.99"]])


def bsc_curve(length: int = 32) -> LossCurve:
    return LossCurve.from_conditional(BSC.entropy_profile(length).conditional, source="bsc")


# -- isotonic regression and PCHIP ----------------------------------------------------------


def _minmax_isotonic(y, w):
    """The closed form f_i = max_{j<=i} min_{k>=i} weighted mean(y_j..y_k) (independent of PAVA)."""
    n = len(y)

    def mean(j, k):
        return sum(w[t] * y[t] for t in range(j, k + 1)) / sum(w[j : k + 1])

    return [max(min(mean(j, k) for k in range(i, n)) for j in range(i + 1)) for i in range(n)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 5)), min_size=1, max_size=9))
def test_pava_equals_the_minmax_formula(points):
    y = [float(a) for a, _ in points]
    w = [float(b) for _, b in points]
    fit, blocks = isotonic_nondecreasing(y, w)
    assert fit == pytest.approx(_minmax_isotonic(y, w), abs=1e-9)
    assert all(a <= b + 1e-12 for a, b in zip(fit, fit[1:]))
    assert blocks == sorted(blocks)


def test_pchip_interpolates_and_stays_monotone():
    rng = np.random.default_rng(1)
    for _ in range(20):
        x = np.sort(rng.choice(np.arange(100), size=8, replace=False)).astype(float)
        y = np.sort(rng.random(8))[::-1]
        grid = np.arange(x[0], x[-1] + 1)
        v = pchip(x, y, grid)
        assert np.all(np.diff(v) <= 1e-12)
        assert pchip(x, y, x) == pytest.approx(y)
        assert np.all((v >= y.min() - 1e-12) & (v <= y.max() + 1e-12))


# -- the file format and its errors -----------------------------------------------------------


def write(tmp_path, text, name="c.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_formats_units_fractions_and_sorting(tmp_path):
    a = load_loss_curve(write(tmp_path, "masked,loss_nats\n4,0.7\n# comment\n1,0.1\n2,0.3\n"))
    assert a.length == 4 and a.masked.tolist() == [1, 2, 4] and a.lines == (4, 5, 2)
    assert a.conditional().tolist() == pytest.approx([0.7, 0.5, 0.3, 0.1])
    b = load_loss_curve(write(tmp_path, "masked_fraction,loss_bits,stderr_bits\n1,1,0\n0.5,0.5,0\n0.25,0.25,0\n"), length=8)
    assert b.masked.tolist() == [2, 4, 8]
    assert b.loss.tolist() == pytest.approx([0.25 * math.log(2), 0.5 * math.log(2), math.log(2)])
    assert b.stderr.tolist() == [0.0, 0.0, 0.0]
    assert load_loss_curve(write(tmp_path, "masked,loss_nats\n2,0.5\n5,0.6\n"), length=10).length == 10


def test_a_measured_curve_of_one_point_is_refused(tmp_path):
    # one ratio determines no slope: ΣI would be 0 and every error 0, "T = 1 reaches any target" (issue 21)
    with pytest.raises(ProfileError, match="single point"):
        load_loss_curve(write(tmp_path, "masked,loss_nats\n2,0.5\n"), length=10)
    assert LossCurve.from_conditional([0.7]).length == 1  # one token: ΣI = 0 is the truth
    one = LossCurve(length=10, masked=[2], loss=[0.5])  # a measurement may hold one point; answers refuse it
    for answer in (lambda: estimate_error(one, "uniform:2"), lambda: curve_quantities(one)):
        with pytest.raises(ProfileError, match="single point"):
            answer()


@pytest.mark.parametrize(
    "text, length, fragment",
    [
        ("masked,loss_nats\n1,0.1\n0,0.2\n", None, "line 3: masked = 0 is out of range"),
        ("masked,loss_nats\n1,0.1\n5,0.2\n", 4, "line 3: masked = 5 is out of range"),
        ("masked,loss_nats\n1,0.1\n1,0.2\n", None, "line 3: masked = 1 appears twice (also line 2)"),
        ("masked,loss_nats\n1,-0.1\n2,0.2\n", None, "line 2: loss_nats -0.1 is negative"),
        ("masked,loss_nats\n1,0.1\n2,abc\n", None, "line 3: loss_nats 'abc' is not a number"),
        ("masked,loss_nats\n1,0.1,3\n", None, "line 2: 3 cells, the header has 2"),
        ("masked,loss\n1,0.1\n", None, "unknown column 'loss'"),
        ("masked,loss_nats,stderr_bits\n1,0.1,0\n", None, "different units"),
        ("masked_fraction,loss_nats\n0,0.1\n", 8, "out of range (0 < f <= 1)"),
        ("masked_fraction,loss_nats\n0.01,0.1\n", 8, "masks no token"),
        # rising as tokens are revealed: 0.9 at 1 masked above 0.3 at 4 masked
        ("masked,loss_nats\n1,0.9\n4,0.3\n", None, "line 2: loss 0.9 with 1 masked is above loss 0.3 with 4 masked (line 3)"),
        ("masked,loss_nats,stderr_nats\n1,0.5,0.01\n4,0.3,0.01\n", None, "beyond 3 stderr: not a loss curve"),
        ("masked,loss_nats\n", None, "has a header but no points"),
    ],
)
def test_bad_curves_are_one_line_errors_naming_file_and_line(tmp_path, text, length, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as info:
        load_loss_curve(path, length)
    message = str(info.value)
    assert fragment in message and str(path) in message and "\n" not in message


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 25).flatmap(
    lambda p: st.decimals(min_value=0, max_value=2_000_000, allow_nan=False, places=p)).map(str),
                          st.sampled_from(["0", "00.5", "1.", "999999.999", "989999.9999999999999", "1e-3", ".5", "7/3",
                                           "2.5E+2", "+0.5", "0.1000000000000000055511151231257827",
                                           "1000000.000001", "1500000", "693147.2"])),
                min_size=1, max_size=12),
       st.sampled_from(["nats", "bits"]))
def test_plain_cells_read_as_the_exact_parse_does(tmp_path_factory, cells, unit):
    """The loader's fast path (a plain decimal cell read by float()) gives the float of the exact parse, times the
    unit's scale, and refuses what the exact path refuses, with the same message."""
    from boundcalc.exact import parse_rational
    from boundcalc.units import to_nats

    scale = to_nats(1.0, unit)
    text = f"masked,loss_{unit},stderr_{unit}\n" + "".join(f"{k},{c},{c}\n" for k, c in enumerate(cells, 1))
    exact = [parse_rational(c) for c in cells]
    path = tmp_path_factory.mktemp("cells") / "c.csv"
    path.write_text(text)
    too_big = [k for k, y in enumerate(exact, 2) if y * Fraction(scale) > 10**6]
    if too_big:
        with pytest.raises(ProfileError, match=f"line {too_big[0]}: loss_{unit} .* is beyond"):
            load_loss_curve(path, exact=True)
        return
    from boundcalc.curve import _read_points

    rows = [(n, line) for n, line in enumerate(text.splitlines(), 1)][1:]
    ks, ys, ses, _ = _read_points(rows, lambda m, line=None: ProfileError(m), ["masked", f"loss_{unit}", f"stderr_{unit}"],
                                  (0, 1, 2), None, None, scale)
    assert ks == list(range(1, len(cells) + 1))
    assert ys == ses == [float(y) * scale for y in exact]


def test_masked_fraction_needs_the_length(tmp_path):
    with pytest.raises(UsageError, match="length"):
        load_loss_curve(write(tmp_path, "masked_fraction,loss_nats\n1,0.1\n"))


def test_noise_within_the_stderr_is_fitted_not_rejected(tmp_path):
    c = load_loss_curve(write(tmp_path, "masked,loss_nats,stderr_nats\n1,0.32,0.02\n2,0.30,0.02\n4,0.7,0.02\n"))
    assert c.fitted.tolist() == pytest.approx([0.31, 0.31, 0.7])
    assert np.all(np.diff(c.conditional()) <= 0)


# -- exactness: round trips and the worked example ----------------------------------------------


@pytest.mark.parametrize("spec", ["uniform:8", "cosine:5", "dream:7", "3,3,2,1,1,20,2", "power:6:1/2"])
def test_exact_markov_curve_reproduces_the_markov_engine(tmp_path, spec):
    chain = MarkovChain(["a", "b", "c"], [["0.7", "0.2", "0.1"], ["0.3", "0.3", "0.4"], ["0.05", "0.05", "0.9"]])
    profile = chain.entropy_profile(32)
    path = LossCurve.from_conditional(profile.conditional).write(tmp_path / "curve.csv")
    curve = load_loss_curve(path)
    schedule = parse_schedule(spec, 32)
    assert abs(estimate_error(curve, schedule).value - profile.error(schedule)) < 1e-9


def test_exact_joint_curve_round_trip_in_bits(tmp_path):
    rng = random.Random(3)
    codes = np.array([[a, b, c, d] for a in (0, 1) for b in (0, 1) for c in (0, 1) for d in (0, 1)])
    weights = np.array([rng.randint(1, 9) for _ in codes], dtype=float)
    table = JointDistribution(codes, weights / weights.sum(), ["x", "y"])
    profile = table.entropy_profile()
    with display("bits"):  # written in bits, read back into nats
        path = LossCurve.from_conditional(profile.conditional).write(tmp_path / "j.csv")
    curve = load_loss_curve(path)
    for schedule in (Schedule([2, 2]), Schedule([1, 3]), Schedule([4])):
        assert abs(estimate_error(curve, schedule).value - profile.error(schedule)) < 1e-12
    assert abs(curve_quantities(curve)["total_correlation"].value - profile.total_correlation()) < 1e-12


def test_worked_example_of_theory_md():
    """Binary symmetric chain, L = 32, flip 0.01, T = 8 (docs/theory.md section 14)."""
    from boundcalc.bounds import theorem1
    from boundcalc.profile import MIProfile

    curve = bsc_curve()
    uniform = Schedule.uniform(32, 8)
    assert round(estimate_error(curve, uniform).value, 2) == 1.62
    optimal = required_steps_family(["0.23"], by="optimal", length=32, curve=curve)[0]
    assert optimal.steps == 8 and round(optimal.value.value, 2) == 0.23
    q = curve_quantities(curve, 8)
    assert round(q["tc_rate"].value, 2) == 2.47 and round(q["dtc_rate"].value, 2) == 0.23
    mi = MIProfile.from_total(repr(curve.mi_total()), 32)
    assert round(float(theorem1(mi, uniform)), 2) == 2.03
    # TC + DTC = ΣI, and TC is the error of T = 1
    assert q["total_correlation"].value + q["dual_total_correlation"].value == pytest.approx(q["mi_total"].value)
    assert q["total_correlation"].value == pytest.approx(estimate_error(curve, Schedule([32])).value)


# -- estimates: stderr and interpolation ------------------------------------------------------


def test_stderr_propagation_matches_a_finite_difference():
    rng = np.random.default_rng(0)
    d = np.sort(rng.random(40))[::-1]
    ks = [1, 3, 7, 12, 20, 28, 35, 40]
    y = d[[40 - k for k in ks]]
    se = rng.uniform(0.001, 0.01, len(ks))
    curve = LossCurve(length=40, masked=ks, loss=y, stderr=se)
    schedule = Schedule.cosine(40, 6)
    coefficients = schedule_coefficients(schedule, 40)
    a = curve.point_weights(coefficients)
    base = estimate_error(curve, schedule).value
    for i in range(len(ks)):
        bumped = y.copy()
        bumped[i] += 1e-7
        moved = estimate_error(LossCurve(length=40, masked=ks, loss=bumped, stderr=se), schedule).value
        assert (moved - base) / 1e-7 == pytest.approx(a[i], abs=1e-5)
    assert estimate_error(curve, schedule).stderr == pytest.approx(math.sqrt(float(np.sum(a * a * se * se))))


def test_interpolation_effect_is_linear_minus_pchip():
    exact = BSC.entropy_profile(64)
    d = exact.conditional
    ks = [64, 63, 62, 60, 56, 48, 32, 16, 1]  # dense where d bends (few tokens revealed)
    curve = LossCurve(length=64, masked=ks, loss=[d[64 - k] for k in ks])
    schedule = Schedule.uniform(64, 8)
    est = estimate_error(curve, schedule)
    from boundcalc.estimate import curve_profile

    assert est.pchip == pytest.approx(curve_profile(curve, "pchip").error(schedule))
    assert est.interpolation_effect == pytest.approx(abs(est.value - est.pchip))
    assert est.interpolation_effect > 0 and est.to_dict()["estimate"] is True
    # a sensitivity, not a bound; with points dense where d bends the truth is near
    assert abs(est.value - exact.error(schedule)) < 3 * est.interpolation_effect
    assert est.value < exact.error(schedule)  # d is convex here: linear chords lie above it


# -- info-optimal, steps, budget --------------------------------------------------------------


def test_info_optimal_schedule():
    assert info_optimal_schedule(np.full(10, 0.5), 4).sizes == Schedule.uniform(10, 4).sizes
    curve = bsc_curve()
    profile = BSC.entropy_profile(32)
    for T in (1, 2, 5, 8, 31, 32):
        s = info_optimal_schedule(curve, T)
        assert s.steps == T and s.length == 32
        assert profile.error(s) >= profile.optimal_schedule(T)[1] - 1e-12
    assert profile.error(info_optimal_schedule(curve, 8)) < profile.error(Schedule.uniform(32, 8))


@pytest.mark.parametrize("family", ["cosine", "dream", "power:2", "info-optimal", "cosine-mdlm"])
def test_steps_by_error_is_the_least_T_and_reports_larger_misses(family):
    curve = bsc_curve()
    profile = BSC.entropy_profile(32)
    targets = ["1", "0.3", "0.05"]
    results = required_steps_family(targets, family=family, by="error", length=32, curve=curve)
    grid = range(1, 33)
    errors = {}
    for T in grid:
        try:
            errors[T] = profile.error(family_schedule(family, T, 32, curve))
        except Exception:
            continue
    for target, r in zip(targets, results):
        hits = [T for T, e in errors.items() if e <= float(target)]
        assert r.steps == min(hits)
        assert r.value.value == pytest.approx(errors[r.steps])
        assert list(r.larger_misses) == [T for T, e in errors.items() if r.steps < T <= r.checked_up_to and e > float(target)]


def test_steps_by_optimal_and_by_bound_agree_with_brute_force():
    from boundcalc.bounds import theorem1
    from boundcalc.profile import MIProfile

    curve = bsc_curve()
    profile = BSC.entropy_profile(32)
    best = [profile.optimal_schedule(T)[1] for T in range(1, 33)]
    for target in ("2", "0.5", "0.1", "0.01"):
        r = required_steps_family([target], by="optimal", length=32, curve=curve)[0]
        assert r.steps == 1 + next(i for i, e in enumerate(best) if e <= float(target) + 1e-12)
    mi = MIProfile.from_total(repr(curve.mi_total()), 32)
    for target in ("5", "3"):
        r = required_steps_family([target], family="cosine", by="bound", length=32, curve=curve)[0]
        values = {T: theorem1(mi, Schedule.cosine(32, T)) for T in range(1, 33)}
        assert r.steps == min(T for T, v in values.items() if v <= Fraction(target))


def test_search_cost_is_checked_up_front():
    curve = LossCurve(length=100000, masked=[1, 100000], loss=[0.0, 1.0])
    with pytest.raises(DomainError, match="would take about") as info:
        required_steps_family(["0.001"], family="cosine", by="bound", length=100000, curve=curve)
    assert info.value.param == "max_steps" and "max_steps" not in str(info.value.allowed)  # the CLI names the flag
    # the optimum is no longer refused at L = 20000 (its Lagrangian, boundcalc.optimal_search): its schedule has T
    # steps over L tokens and its error, recomputed from the schedule, reaches the target
    found = required_steps_family(["0.001"], by="optimal", length=20000, curve=curve.__class__(
        length=20000, masked=[1, 20000], loss=[0.0, 1.0]))[0]
    assert found.schedule.steps == found.steps and found.schedule.length == 20000 and found.value.value <= 0.001


def test_budget_table():
    rows = budget_table(8, length=32, curve=bsc_curve())
    names = [r["family"] for r in rows]
    assert names[:5] == ["uniform", "dream", "linear", "cosine", "cosine-mdlm"] and "optimal" in names
    by = {r["family"]: r for r in rows}
    assert by["optimal"]["error"].value <= min(r["error"].value for r in rows) + 1e-12
    assert by["uniform"]["bound"] == by["linear"]["bound"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=24),
    st.data(),
)
def test_any_nonincreasing_curve_respects_the_sharp_bound(drops, data):
    """For any non-increasing d: 0 <= error <= (s_max - 1)/L ΣI (theory.md s.14), and T = L gives 0."""
    d = np.cumsum(drops)[::-1].copy()  # non-increasing, >= 0
    L = d.size
    curve = LossCurve.from_conditional(d, exact=False)
    sizes, left = [], L
    while left:
        s = data.draw(st.integers(1, left))
        sizes.append(s)
        left -= s
    schedule = Schedule(sizes)
    error = estimate_error(curve, schedule).value
    assert -1e-12 <= error <= (schedule.max_size - 1) / L * curve.mi_total() * (1 + 1e-12) + 1e-12
    assert estimate_error(curve, Schedule([1] * L)).value == 0
    q = curve_quantities(curve)
    assert q["total_correlation"].value + q["dual_total_correlation"].value == pytest.approx(q["mi_total"].value, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 4), st.integers(2, 3), st.integers(0, 10**6))
def test_exact_curves_of_random_tables_reproduce_their_errors(L, V, seed):
    import itertools

    rng = np.random.default_rng(seed)
    codes = np.array(list(itertools.product(range(V), repeat=L)))
    table = JointDistribution(codes, rng.dirichlet(np.full(len(codes), 0.3)), list(range(V)))
    profile = table.entropy_profile()
    curve = LossCurve.from_conditional(profile.conditional)
    for T in range(1, L + 1):
        for schedule in (Schedule.uniform(L, T), info_optimal_schedule(curve, T)):
            assert abs(estimate_error(curve, schedule).value - profile.error(schedule)) < 1e-12


def test_semi_autoregressive_families_are_refused():
    """A blocks schedule's error depends on each block's profile given the earlier ones, not on d alone."""
    with pytest.raises(UsageError, match="semi-autoregressive"):
        required_steps_family(["1"], family="blocks:2:uniform", by="error", length=32, curve=bsc_curve())


def test_pchip_with_a_secant_near_the_smallest_float_warns_nothing_and_stays_monotone():
    # w1/d0 overflows for a secant of ~1e-308 (hypothesis met it in the sweep tests): the slope there is 0
    import warnings

    import numpy as np

    x, y = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 1e-308, 2e-308, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = pchip(x, y, np.linspace(0, 3, 61))
    assert np.all(np.isfinite(v)) and np.all(np.diff(v) >= 0)
    assert pchip(x, y, x) == pytest.approx(y)

