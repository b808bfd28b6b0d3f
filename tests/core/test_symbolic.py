"""The symbolic layer: exact integer functions, the registry, sympy manipulations, and exact
agreement with the numeric engine (bounds.py, steps.py) on random schedules and profiles."""

from __future__ import annotations

import doctest
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from boundcalc import bounds, steps
from boundcalc import symbolic as sym
from boundcalc.errors import DomainError, InfeasibleTargetError, ProfileError, ScheduleError, UsageError
from boundcalc.exact import ceil_log2 as int_ceil_log2
from boundcalc.exact import floor_log2 as int_floor_log2
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule
from boundcalc import C2, C3, MultiScaleProfile, level_sizes, theorem2_lower, theorem2_upper

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies ---------------------------------------------------------------

rationals = st.fractions(min_value=0, max_value=1000, max_denominator=1000)
small_rationals = st.fractions(min_value=0, max_value=5, max_denominator=100)


@st.composite
def profiles(draw, length=None):
    """An MIProfile: per-token values, a constant, or only the total."""
    n = length if length is not None else draw(st.integers(1, 60))
    kind = draw(st.sampled_from(["values", "constant", "total"]))
    if kind == "values" and n <= 60:
        return MIProfile.from_values(draw(st.lists(small_rationals, min_size=n, max_size=n)))
    if kind == "constant":
        return MIProfile.constant(draw(small_rationals), n)
    return MIProfile.from_total(draw(rationals), n)


@st.composite
def schedules(draw):
    """A schedule: an explicit list of sizes, or a family (uniform, degenerate, cosine, linear)."""
    if draw(st.booleans()):
        return Schedule(draw(st.lists(st.integers(1, 70), min_size=1, max_size=12)))
    length = draw(st.integers(1, 4096))
    family = draw(st.sampled_from(["uniform", "degenerate", "cosine", "linear"]))
    if family == "degenerate":
        return Schedule.degenerate(length, draw(st.integers(1, length)))
    steps_ = draw(st.integers(1, min(length, 300)))
    return getattr(Schedule, family)(length, steps_)


def near_powers_of_two(low=1, high=62):
    return st.builds(lambda k, d: max(1, 2**k + d), st.integers(low, high), st.integers(-2, 2))


lengths = st.one_of(st.integers(1, 5000), near_powers_of_two(1, 40))


def case(profile: MIProfile, schedule: Schedule, eps_train: Fraction) -> dict:
    return sym.values_for(profile=profile, schedule=schedule, eps_train=eps_train)


# -- exact integer functions --------------------------------------------------------


@SETTINGS
@given(st.one_of(st.integers(1, 10**6), near_powers_of_two(1, 300)))
@example(2**31 + 1)  # sympy's ceiling(log(n, 2)) says 31 here
@example(2**43 - 1)  # and floor(log(n, 2)) says 43 here
def test_ceil_and_floor_log2_are_exact(n):
    assert sym.ceil_log2(n) == int_ceil_log2(n)
    assert sym.floor_log2(n) == int_floor_log2(n)


def test_sympy_float_logs_are_not_used():
    # the reason for ceil_log2: sympy decides ceiling(log(n)/log(2)) in floating point
    n = 2**31 + 1
    assert sym.ceil_log2(n) == 32
    assert sym.get("theorem1").evaluate(L=n, s_max=n, sum_I=n, eps_train=0) == 2**32 - 1


@pytest.mark.parametrize(
    "x, ceil, floor",
    [(Fraction(5, 2), 2, 1), (Fraction(1, 3), -1, -2), (Fraction(1, 4), -2, -2), (Fraction(4), 2, 2), (Fraction(1), 0, 0)],
)
def test_log2_of_rationals(x, ceil, floor):
    q = sp.Rational(x.numerator, x.denominator)
    assert sym.ceil_log2(q) == ceil and sym.floor_log2(q) == floor


def test_integer_functions_stay_symbolic_and_rewrite():
    assert sym.ceil_log2(sym.s_max).is_integer
    assert sym.ceil_log2(sym.s_max).is_nonnegative
    assert sym.ceil_log2(sym.s_max).rewrite(sp.ceiling) == sp.ceiling(sp.log(sym.s_max) / sp.log(2))
    assert sym.floor_log2(sym.L).rewrite(sp.floor) == sp.floor(sp.log(sym.L) / sp.log(2))
    assert sym.popcount(sp.Integer(0b101101)) == 4
    with pytest.raises(ValueError):
        sym.ceil_log2(sp.Integer(0))
    with pytest.raises(ValueError):
        sym.popcount(sp.Integer(-1))


# -- symbols and the registry ---------------------------------------------------------


def test_symbols_carry_assumptions():
    for integer in (sym.L, sym.T, sym.s_max, sym.s, sym.V, sym.S, sym.i):
        assert integer.is_integer and integer.is_positive
    for index in (sym.k, sym.j):
        assert index.is_integer and index.is_nonnegative
    for real in (sym.sum_I, sym.eps_train, sym.R, sym.Phi):
        assert real.is_real and real.is_nonnegative and not real.is_integer
    for positive in (sym.eps, sym.tau, sym.C_1, sym.C_2, sym.C_3):
        assert positive.is_positive


def test_registry_order_and_fields():
    registry = sym.results()
    assert tuple(registry) == sym.NAMES
    assert registry is sym.results()  # built once
    paper = {name: r.tag for name, r in registry.items() if r.tag[0].isdigit()}
    assert paper == {
        "recursion-step": "19",
        "closed-form": "20",
        "theorem1": "8",
        "corollary1": "9",
        "ter": "11",
        "ter-corollary1": "11",
        "theorem2-upper": "12",
        "theorem2-lower": "13",
    }
    derived = [r.tag for r in registry.values() if not r.tag[0].isdigit()]
    assert derived == [f"D{i}" for i in range(1, len(derived) + 1)]
    for result in registry.values():
        assert result.title and result.summary and result.statement and result.source
        assert isinstance(result.expr, sp.Basic)
        assert result.assumptions or not (result.expr.free_symbols | set(result.inputs)), result.name
        assert set(result.inputs) >= {x for x in result.expr.free_symbols if x not in (sym.k, sym.j)}, result.name
        assert result.equation in (f"({result.tag})", "derived")
        assert result.name in repr(result)


def test_get_by_name_alias_and_attribute():
    assert sym.get("steps_theorem1") is sym.get("steps-theorem1") is sym.steps_theorem1
    assert sym.get(" Theorem1 ") is sym.theorem1
    with pytest.raises(AttributeError):
        sym.no_such_result  # noqa: B018


def test_unknown_name_suggests_the_closest_ones():
    # one short line (the whole list is `boundcalc latex --list`), naming the nearest names
    with pytest.raises(UsageError) as info:
        sym.get("theorem3")
    text = str(info.value)
    assert text == "expression: unknown expression 'theorem3' (did you mean theorem1, theorem2-gap, theorem2-upper? one of 21 names)".replace("21", str(len(sym.NAMES)))
    assert info.value.exit_code == 2


# -- sympy manipulations ----------------------------------------------------------


def test_subs_simplify_limit_series():
    cor = sym.get("corollary1")
    assert sp.limit(cor.expr, sym.T, sp.oo) == sym.eps_train
    x = sp.Symbol("x", positive=True)
    assert sp.series(cor.expr.subs(sym.T, 1 / x), x, 0, 2).removeO() == sym.eps_train + 2 * x * sym.sum_I
    thm = sym.get("theorem1")
    assert thm.subs(sym.s_max, 8) == 7 * sym.sum_I / sym.L + sym.eps_train
    assert sp.simplify(thm.subs(sym.s_max, 1) - sym.eps_train) == 0
    assert sp.limit(sym.get("ter").subs({sym.s_max: 4, sym.eps_train: 0}), sym.L, sp.oo) == 0
    # the relation is a real sympy relational
    assert isinstance(thm.relation, sp.Le) and thm.relation.rhs == thm.expr


def test_closed_form_is_the_geometric_sum_of_the_level_estimates():
    m = sp.Symbol("m", integer=True, nonnegative=True)
    geometric = sp.Sum(2 ** (m - sym.k) / 2, (sym.k, 0, m - 1)).doit()
    assert sp.simplify(geometric - (2**m - 1)) == 0
    closed = sym.get("closed-form")
    total = closed.extras["sum"].subs(sym.ceil_log2(sym.s), m).doit()
    assert sp.simplify(total - closed.expr.subs(sym.ceil_log2(sym.s), m)) == 0


def test_recursion_step_and_base():
    step = sym.get("recursion-step")
    assert step.expr.subs(sym.s, 5) == sym.varepsilon(3) + 5 * sym.sum_I / (2 * sym.L)
    assert step.extras["base"] == sp.Eq(sym.varepsilon(1), 0)
    with pytest.raises(DomainError, match=r"still contains ε\(3\)"):
        step.evaluate(s=5, L=10, sum_I=1)  # ε(3) is not a number: use unroll()
    with pytest.raises(DomainError, match="s >= 2"):
        step.evaluate(s=1, L=10, sum_I=1)


# -- agreement with the numeric engine ---------------------------------------------------


@SETTINGS
@given(schedules(), st.data(), small_rationals)
def test_every_bound_equals_the_numeric_engine(schedule, data, eps_train):
    profile = data.draw(profiles(schedule.length))
    values = case(profile, schedule, eps_train)
    assert sym.get("theorem1").evaluate(values) == bounds.theorem1(profile, schedule, eps_train)
    assert sym.get("recursion").evaluate(values) == bounds.recursion(profile, schedule, eps_train)
    assert sym.get("sharp").evaluate(values) == bounds.sharp(profile, schedule, eps_train)
    assert sym.get("ter").evaluate(values) == bounds.ter(profile, schedule, eps_train)
    numeric = bounds.corollary1(profile, schedule, eps_train)
    if numeric is None:
        with pytest.raises(DomainError, match="ceil"):
            sym.get("corollary1").evaluate(values)
        with pytest.raises(DomainError):
            sym.get("ter-corollary1").evaluate(values)
    else:
        assert sym.get("corollary1").evaluate(values) == numeric
        assert sym.get("ter-corollary1").evaluate(values) == numeric / profile.length
        # Corollary 1 with C1 = 2 is never below Theorem 1 where it applies
        assert numeric >= bounds.theorem1(profile, schedule, eps_train)
    for name in ("theorem1", "recursion", "sharp"):
        report = bounds.bound_report(profile, schedule, eps_train)
        assert sym.get(name).evaluate(values) == getattr(report, name)


@SETTINGS
@given(lengths, st.data(), rationals, small_rationals)
def test_theorem1_uniform_equals_theorem1_of_the_uniform_schedule(length, data, total, eps_train):
    steps_ = data.draw(st.integers(1, length))
    profile = MIProfile.from_total(total, length)
    schedule = Schedule.uniform(length, steps_)
    value = sym.get("theorem1-uniform").evaluate(L=length, T=steps_, sum_I=total, eps_train=eps_train)
    assert value == bounds.theorem1(profile, schedule, eps_train)
    assert sym.get("corollary1").evaluate(sym.values_for(profile=profile, schedule=schedule, eps_train=eps_train)) >= value


@SETTINGS
@given(st.integers(1, 2000), st.integers(1, 50), st.sampled_from([2, 3, 16, 50257]), small_rationals)
def test_ter_vocabulary_equals_the_numeric_log_linear(length_factor, steps_, vocab, eps_train):
    length = length_factor * steps_
    schedule = Schedule.uniform(length, steps_)
    numeric = bounds.ter_vocabulary(schedule, vocab, eps_train, unit="nats")
    value = sym.get("ter-vocabulary").value(
        sym.values_for(schedule=schedule, eps_train=eps_train, vocab_size=vocab)
    )
    expected = sp.Rational(numeric.coefficient.numerator, numeric.coefficient.denominator) * sp.log(vocab) + sp.Rational(
        numeric.offset.numerator, numeric.offset.denominator
    )
    assert sp.simplify(value - expected) == 0


@SETTINGS
@given(st.one_of(st.integers(1, 5000), near_powers_of_two(1, 70)))
@example(1)
@example(5)
def test_unroll_equals_recursion_report(size):
    u = sym.unroll(size)
    report = bounds.recursion_report(size)
    assert u.chain == report.chain
    assert u.terms == report.terms
    assert u.total == report.unrolled == bounds.recursion_coefficient(size)
    assert u.closed_form == report.closed_form
    assert sym.unroll(size, "floor").total == report.sharp == size - 1  # the floors telescope
    # the per-level estimate: each term at most its bound, all equal exactly at powers of two
    assert all(t <= b for t, b in zip(u.terms, u.level_bounds))
    is_power = size & (size - 1) == 0
    assert (u.terms == u.level_bounds) == is_power
    assert sum(u.level_bounds, Fraction(0)) == u.closed_form


@SETTINGS
@given(st.one_of(st.integers(1, 3000), near_powers_of_two(1, 60)))
def test_recursion_coefficient_closed_form_with_popcount(size):
    identity = sym.get("recursion-popcount")
    assert identity.evaluate(s=size) == bounds.recursion_coefficient(size)
    if size <= 300:  # the Sum side, by sympy's own evaluation
        assert identity.lhs.subs(sym.s, size).doit() == bounds.recursion_coefficient(size)


@SETTINGS
@given(st.integers(1, 600))
def test_level_inequality_and_telescoping(size):
    levels = int_ceil_log2(size)
    level = sym.get("level-inequality")
    for k in range(levels + 1):
        relation = level.relation.subs({sym.s: size, sym.k: k})
        assert relation == sp.true
        assert level.evaluate(s=size, k=k) == 2 ** (levels - k)
    telescoping = sym.get("sharp").extras["telescoping"]
    assert telescoping.lhs.subs(sym.s, size).doit() == size - 1
    assert sym.get("closed-form").evaluate(s=size, L=1, sum_I=1) == bounds.theorem1_coefficient(size)


@SETTINGS
@given(st.integers(1, 400), st.integers(1, 400))
def test_corollary1_chain_of_inequalities(length, steps_):
    assume(steps_ <= length)
    ex = sym.get("corollary1").extras
    values = {sym.L: length, sym.T: steps_, sym.s: -(-length // steps_)}
    for name in ("power_estimate", "ceiling_estimate", "chain"):
        assert ex[name].subs(values) == sp.true, name


# -- the required T -------------------------------------------------------------------


@SETTINGS
@given(
    lengths,
    st.one_of(rationals, st.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(1, 10), max_denominator=10**6)),
    small_rationals,
    st.fractions(min_value=Fraction(1, 1000), max_value=50, max_denominator=1000),
)
@example(1024, Fraction(25, 2), Fraction(0), Fraction(1, 20))
@example(2**20 + 1, Fraction(1), Fraction(0), Fraction(1))
@example(2**20 - 1, Fraction(3), Fraction(1, 10), Fraction(1, 10))  # target = ε_train: T = L
@example(7, Fraction(0), Fraction(1, 10), Fraction(1, 5))  # ΣI = 0: one step
@example(7, Fraction(2), Fraction(1, 10), Fraction(1, 20))  # infeasible
def test_required_steps_closed_forms_equal_the_numeric_search(length, total, eps_train, target):
    profile = MIProfile.from_total(total, length)
    values = sym.values_for(profile=profile, eps_train=eps_train, target=target)
    for name in ("theorem1", "recursion", "sharp"):
        numeric = steps.required_steps(profile, target, eps_train, name)
        result = sym.get(f"steps-{name}")
        if not numeric.feasible:
            with pytest.raises(InfeasibleTargetError):
                result.evaluate(values)
            continue
        assert result.evaluate(values) == numeric.steps, name


@SETTINGS
@given(lengths, rationals, small_rationals, st.fractions(min_value=Fraction(1, 10**4), max_value=2, max_denominator=10**4))
def test_steps_for_a_ter_target(length, total, eps_train, tau):
    profile = MIProfile.from_total(total, length)
    values = sym.values_for(sym.get("steps-ter"), profile=profile, eps_train=eps_train, target=tau)
    assert sym.tau in values and sym.eps not in values
    numeric = steps.required_steps(profile, length * tau, eps_train)
    if not numeric.feasible:
        with pytest.raises(InfeasibleTargetError):
            sym.get("steps-ter").evaluate(values)
    else:
        assert sym.get("steps-ter").evaluate(values) == numeric.steps


@SETTINGS
@given(st.fractions(min_value=0, max_value=10**6, max_denominator=10**4))
def test_recursion_inverse_equals_the_bisection(budget):
    huge = 10**9
    assert sym.recursion_max_size(sp.Rational(budget.numerator, budget.denominator)) == steps.largest_max_size(
        "recursion", budget, huge
    )


@SETTINGS
@given(lengths, st.fractions(min_value=Fraction(1, 100), max_value=100, max_denominator=100), small_rationals)
def test_break_even(length, total, eps_train):
    profile = MIProfile.from_total(total, length)
    result = sym.get("break-even")
    assert result.evaluate(L=length) == length
    # the numeric search at target = ε_train needs every step
    assert steps.required_steps(profile, max(eps_train, Fraction(1, 10**9)), min(eps_train, Fraction(1, 10**9))).steps <= length
    if eps_train > 0:
        assert steps.required_steps(profile, eps_train, eps_train).steps == length
    assert result.extras["bound_at_break"] == sym.eps_train
    if length >= 2:
        before = result.extras["bound_before_break"].subs({sym.L: length, sym.sum_I: total, sym.eps_train: eps_train})
        assert before >= sp.Rational(total.numerator, total.denominator) / length + sp.Rational(
            eps_train.numerator, eps_train.denominator
        )


# -- evaluation errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, error, fragment",
    [
        ({"L": 10, "s_max": 5, "sum_I": 2}, UsageError, "theorem1 needs a value for eps_train"),
        ({"L": 10, "s_max": 11, "sum_I": 2, "eps_train": 0}, DomainError, "1 <= s_max <= L"),
        ({"L": "2.5", "s_max": 1, "sum_I": 2, "eps_train": 0}, UsageError, "L = 5/2 is not an integer"),
        ({"L": 10, "s_max": 5, "sum_I": -2, "eps_train": 0}, UsageError, "sum_I = -2 is negative"),
        ({"L": 10, "s_max": 5, "sum_I": "x", "eps_train": 0}, UsageError, "'x' is not a number"),
        ({"Lx": 10}, UsageError, "unknown symbol 'Lx'"),
    ],
)
def test_evaluate_errors(values, error, fragment):
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace("+", r"\+")):
        sym.get("theorem1").evaluate(values)


def test_infeasible_target_error_names_the_values():
    with pytest.raises(InfeasibleTargetError) as info:
        sym.get("steps-sharp").evaluate(L=4, sum_I=1, eps_train="0.1", eps="0.05")
    assert "eps = 1/20, eps_train = 1/10" in str(info.value)
    assert info.value.exit_code == 1


def test_evaluate_accepts_strings_floats_and_sympy_numbers():
    thm = sym.get("theorem1")
    assert thm.evaluate(L=10, s_max=5, sum_I=sp.Rational(2), eps_train="1/10") == Fraction(3, 2)
    assert thm.evaluate({sym.L: 10, sym.s_max: 5, sym.sum_I: 0.5, sym.eps_train: 0}) == Fraction(7, 20)
    assert thm.value(L=10, s_max=5, sum_I=2, eps_train=0) == sp.Rational(7, 5)


def test_module_doctests():
    failures, tried = doctest.testmod(sym, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0


# -- Theorem 2 (docs/theory.md, section 9) ------------------------------------------------


def _levels(draw, length: int, big_s: int, values) -> list[Fraction]:
    """Non-decreasing values over the levels, 0 where the set L - S/2^j is empty (those come first)."""
    _, sizes = level_sizes(length, big_s)
    running, row = Fraction(0), []
    for size in sizes:
        if size > 0:
            running += draw(values)
        row.append(running if size > 0 else Fraction(0))
    return row


@st.composite
def multiscale_profiles(draw, length=None):
    """A MultiScaleProfile with S = 1..64 (so S > L happens: empty levels): level totals, or per-token values."""
    per_token = draw(st.booleans())
    n = length if length is not None else draw(st.integers(1, 10 if per_token else 40))
    big_s = 1 << draw(st.integers(0, 6))
    if per_token:
        rows = [_levels(draw, n, big_s, small_rationals) for _ in range(n)]
        return MultiScaleProfile.from_values(rows, scale=big_s)
    return MultiScaleProfile.from_level_totals(_levels(draw, n, big_s, rationals), n)


@st.composite
def schedules_for(draw, length: int, big_s: int):
    """A schedule of L tokens: random sizes up to a cap around S, the paper's random schedule, degenerate, uniform."""
    kind = draw(st.sampled_from(["sizes", "sizes", "random", "degenerate", "uniform"]))
    if kind == "random" and big_s >= 2:
        return Schedule.paper_random(length, big_s, draw(st.integers(0, 10**6)))
    if kind == "degenerate":
        return Schedule.degenerate(length, draw(st.integers(1, min(length, 2 * big_s))))
    if kind == "uniform":
        return Schedule.uniform(length, draw(st.integers(1, length)))
    cap = draw(st.integers(1, max(1, 2 * big_s)))
    sizes, left = [], length
    while left:
        size = draw(st.integers(1, min(left, cap)))
        sizes.append(size)
        left -= size
    return Schedule(sizes)


@SETTINGS
@given(multiscale_profiles(), st.data(), small_rationals)
def test_theorem2_equals_the_numeric_engine(ms, data, eps_train):
    schedule = data.draw(schedules_for(ms.length, ms.max_size))
    values = sym.values_for(multiscale=ms, schedule=schedule, eps_train=eps_train)
    assert values[sym.S] == ms.max_size and values[sym.Phi] == ms.phi and values[sym.L] == ms.length
    # Φ from its definition (the level totals G(m_j), empty levels 0) is the profile's Φ
    assert sym.get("multiscale-phi").evaluate(values) == ms.phi
    upper = sym.get("theorem2-upper")
    try:
        numeric = theorem2_upper(ms, schedule, eps_train)
    except ScheduleError:  # s_max needs more levels than the profile has
        assert schedule.max_size > ms.max_size
        with pytest.raises(ScheduleError, match="s_max <= S"):
            upper.evaluate(values)
    else:
        if numeric is None:  # s_max = 1: the error is ε_train, no Theorem 2
            with pytest.raises(DomainError, match="2 <= s_max <= L"):
                upper.evaluate(values)
        else:
            assert upper.evaluate(values) == numeric
            if ms.max_size == 1 << int_ceil_log2(schedule.max_size):  # the tightest S, written with ceil_log2
                tightest = upper.extras["tightest"].subs({k: v for k, v in values.items() if k != sym.S})
                assert tightest == sp.Rational(numeric.numerator, numeric.denominator)
            report = bounds.bound_report(
                MIProfile.from_total(ms.level_totals[-1] + 1, ms.length), schedule, eps_train, multiscale=ms
            )
            assert report.theorem2_upper == upper.evaluate(values)
    lower = sym.get("theorem2-lower")
    if ms.max_size >= 2:
        assert lower.evaluate(values) == theorem2_lower(ms, eps_train)
        assert sym.get("theorem2-gap").evaluate(values) == C2 / C3 == 16
        sandwich = sym.get("theorem2-gap").extras["sandwich"].subs(values)
        assert sandwich == sp.true
    else:
        with pytest.raises(DomainError):
            theorem2_lower(ms, eps_train)
        with pytest.raises(DomainError, match="S >= 2"):
            lower.evaluate(values)


@SETTINGS
@given(multiscale_profiles())
def test_phi_definition_per_token_and_its_bound(ms):
    values = sym.values_for(multiscale=ms)
    phi = sym.get("multiscale-phi")
    symbols = {sym.L: ms.length, sym.S: ms.max_size}
    # the level form, expanded by sympy: empty levels (L - S/2^j <= 0) vanish by G's definition
    expanded = phi.expr.subs(symbols).doit()
    assert expanded.atoms(sym.G) == {sym.G(m) for m in ms.set_sizes if m > 0}
    if ms.values is not None and ms.length * ms.levels <= 200:  # the per-token double sum Σ_i Σ_j of the display
        tokens = phi.display.subs(symbols).doit()
        per_token = {sym.F(i + 1, m): v for i, row in enumerate(ms.values) for m, v in zip(ms.set_sizes, row) if m > 0}
        assert tokens.xreplace(per_token) == sp.Rational(ms.phi.numerator, ms.phi.denominator)
    # Φ <= Σ_j 2^-j ΣI = (2 - 1/S) ΣI <= 2 ΣI, with ΣI >= G(L - 1), the last level
    sum_i = ms.level_totals[-1]
    assert phi.extras["bound"].subs({sym.Phi: ms.phi, sym.sum_I: sum_i, sym.S: ms.max_size}).doit() == sp.true
    assert phi.extras["weights"].subs(sym.S, ms.max_size).doit() == sp.true
    assert ms.phi <= (2 - Fraction(1, ms.max_size)) * sum_i <= 2 * sum_i
    assert phi.evaluate(values) == ms.phi


def test_theorem2_symbols_constants_and_the_lower_constant():
    upper, lower = sym.get("theorem2-upper"), sym.get("theorem2-lower")
    assert upper.expr == sym.S * sym.Phi / sym.L + sym.eps_train
    assert lower.expr == sym.S * sym.Phi / (16 * sym.L) + sym.eps_train
    assert upper.extras["C_2"] == C2 and lower.extras["C_3"] == C3
    assert upper.extras["paper_form"].subs(sym.C_2, upper.extras["C_2"]) == upper.expr
    assert lower.extras["paper_form"].subs(sym.C_3, lower.extras["C_3"]) == lower.expr
    assert sym.get("multiscale-phi").extras["S"].subs(sym.s_max, 5) == sp.Eq(sym.S, 8)
    assert upper.extras["tightest"].subs({sym.s_max: 2**31 + 1, sym.L: 2**33, sym.Phi: 1, sym.eps_train: 0}) == sp.Rational(2**32, 2**33)
    # the worst ratio of the proof, S/(8(2S - 1)): 1/12 at S = 2, above 1/16 for every S, tending to it
    ratio = lower.extras["worst_ratio"]
    assert ratio.subs(sym.S, 2) == sp.Rational(1, 12)
    assert all(ratio.subs(sym.S, 2**n) > C3 for n in range(1, 40))
    assert sp.limit(ratio, sym.S, sp.oo) == sp.Rational(1, 16)
    # the upper bound over the lower bound, without ε_train, is C2/C3 for every L, S, Φ
    assert sp.simplify((upper.expr - sym.eps_train) / (lower.expr - sym.eps_train)) == C2 / C3
    assert sym.get("theorem2-gap").evaluate() == 16
    assert sym.theorem2_upper is upper and sym.get("theorem2_lower") is lower


@pytest.mark.parametrize(
    "name, values, error, fragment",
    [
        ("multiscale-phi", {"L": 4, "S": 4}, UsageError, "multiscale-phi needs the level totals G(2), G(3)"),
        ("multiscale-phi", {"L": 4, "S": 6}, UsageError, "the condition S is a power of two does not hold (S = 6)"),
        ("multiscale-phi", {"L": 4, "S": 4, sym.G(2): -1, sym.G(3): 1}, UsageError, "G(2) = -1 is negative"),
        ("theorem2-upper", {"L": 4, "s_max": 1, "S": 4, "Phi": 1, "eps_train": 0}, DomainError, "2 <= s_max <= L"),
        ("theorem2-upper", {"L": 8, "s_max": 5, "S": 4, "Phi": 1, "eps_train": 0}, ScheduleError, "(S = 4, s_max = 5)"),
        ("theorem2-upper", {"L": 8, "s_max": 2, "S": 4, "Phi": 1}, UsageError, "needs a value for eps_train"),
        ("theorem2-upper", {"L": 8, "s_max": 2, "S": 4, "Phi": -1, "eps_train": 0}, UsageError, "Phi = -1 is negative"),
        ("theorem2-lower", {"L": 8, "S": 1, "Phi": 1, "eps_train": 0}, DomainError, "S >= 2 (the random schedule"),
        ("theorem2-lower", {"L": 8, "S": 12, "Phi": 1, "eps_train": 0}, UsageError, "S is a power of two"),
        ("theorem2-lower", {"L": 8, "S": "2.5", "Phi": 1, "eps_train": 0}, UsageError, "S = 5/2 is not an integer"),
    ],
)
def test_theorem2_evaluate_errors(name, values, error, fragment):
    with pytest.raises(error) as info:
        sym.get(name).evaluate(values)
    assert fragment in str(info.value)


def test_values_for_a_multiscale_profile_checks_the_other_objects():
    ms = MultiScaleProfile.from_level_totals([0, "1/2", 1], length=4)
    with pytest.raises(ProfileError, match="4 tokens, the MI profile 5"):
        sym.values_for(profile=MIProfile.from_total(2, 5), multiscale=ms)
    with pytest.raises(ProfileError, match="more than ΣI"):
        sym.values_for(profile=MIProfile.from_total("1/2", 4), multiscale=ms)
    with pytest.raises(ScheduleError):
        sym.values_for(schedule=Schedule([2, 3]), multiscale=ms)
    values = sym.values_for(profile=MIProfile.from_total(2, 4), schedule=Schedule([2, 2]), multiscale=ms)
    assert values[sym.G(2)] == sp.Rational(1, 2) and values[sym.G(3)] == 1 and sym.G(0) not in values


def test_every_result_names_a_numeric_counterpart_that_exists():
    """Result.numeric is where the numeric engine computes the same value: the dotted name must resolve."""
    import importlib

    from boundcalc.symbolic import results

    for name, result in results().items():
        dotted = result.numeric.split("(")[0].split(" ")[0]
        module_name, attributes = dotted, []
        while module_name:
            try:
                target = importlib.import_module(module_name)
                break
            except ModuleNotFoundError:
                module_name, _, last = module_name.rpartition(".")
                attributes.insert(0, last)
        else:
            raise AssertionError(f"{name}: {result.numeric!r} names no module")
        for attribute in attributes:
            target = getattr(target, attribute)  # AttributeError names the stale reference
