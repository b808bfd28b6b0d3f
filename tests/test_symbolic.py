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
from boundcalc.errors import DomainError, InfeasibleTargetError, UsageError
from boundcalc.exact import ceil_log2 as int_ceil_log2
from boundcalc.exact import floor_log2 as int_floor_log2
from boundcalc.profile import MIProfile
from boundcalc.schedule import Schedule

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
    for integer in (sym.L, sym.T, sym.s_max, sym.s, sym.V):
        assert integer.is_integer and integer.is_positive
    for index in (sym.k, sym.j):
        assert index.is_integer and index.is_nonnegative
    for real in (sym.sum_I, sym.eps_train, sym.R):
        assert real.is_real and real.is_nonnegative and not real.is_integer
    for positive in (sym.eps, sym.tau, sym.C_1):
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
    }
    derived = [r.tag for r in registry.values() if not r.tag[0].isdigit()]
    assert derived == [f"D{i}" for i in range(1, len(derived) + 1)]
    for result in registry.values():
        assert result.title and result.summary and result.statement and result.source
        assert isinstance(result.expr, sp.Basic)
        assert result.assumptions, result.name
        assert set(result.inputs) >= {x for x in result.expr.free_symbols if x not in (sym.k, sym.j)}, result.name
        assert result.equation in (f"({result.tag})", "derived")
        assert result.name in repr(result)


def test_get_by_name_alias_and_attribute():
    assert sym.get("steps_theorem1") is sym.get("steps-theorem1") is sym.steps_theorem1
    assert sym.get(" Theorem1 ") is sym.theorem1
    with pytest.raises(AttributeError):
        sym.no_such_result  # noqa: B018


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UsageError) as info:
        sym.get("theorem3")
    text = str(info.value)
    assert text.startswith("--expr: unknown expression 'theorem3'")
    for name in sym.NAMES:
        assert name in text
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
