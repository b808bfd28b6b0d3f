"""A uniform-grid count sampler's start sizes with the interior set to 1 (boundcalc.count_starts): the interior's
certified bound holds the exact start sizes (Fractions), the fast form equals the sum over every step within the
certified errors, and the Jacobi bound holds ∫|b^(q)|."""

from fractions import Fraction
from math import comb

import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.count_sampler import CountSampler, _log_factorials
from boundcalc.count_starts import interior, interiors, remainder_logs, uniform_grid, windowed_starts

FAMILIES = {"mdlm": CountSampler.mdlm, "dream-origin": CountSampler.dream_origin}


def _every_step(sampler: CountSampler) -> np.ndarray:
    """The start sizes summed over every step's window (the form before count_starts)."""
    L = sampler.length
    r, a, _ = sampler._start_laws()
    reveal = np.asarray(sampler.reveal)
    out = np.zeros(L + 1)
    out[0] += L * float(reveal[r <= 0].sum())
    rows = np.nonzero((r > 0) & (a > 0) & (reveal > 0))[0]
    windowed_starts(L, r[rows], a[rows], reveal[rows], sampler._log_factorials()[0], out)
    return out[:L]


def _exact_starts(sampler: CountSampler, ms: range) -> dict[int, Fraction]:
    """Σ_k L·h·b_{m,N}(kh) + L(1 − b)·b_{m,N}(b), in exact rationals, from the grid's exact h."""
    grid = uniform_grid(sampler)
    L, N, h, b = sampler.length, sampler.length - 1, grid.h, grid.b
    out = {}
    for m in ms:
        total = sum(L * h * comb(N, m) * (k * h) ** m * (1 - k * h) ** (N - m) for k in range(grid.steps))
        out[m] = total + L * (1 - b) * comb(N, m) * b**m * (1 - b) ** (N - m)
    return out


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(34, 64), st.integers(8, 400),
       st.sampled_from([1e-3, 1e-6, 1e-9]))
def test_interior_bound_holds_exact_start_sizes(family, L, T, threshold):
    """Every interior start size is 1 within the certified bound, exactly; a bound of 0 (the remainder dropped)
    fails, since the exact start sizes are not 1."""
    sampler = FAMILIES[family](L, T)
    found = interior(sampler, threshold)
    if found is None:
        return
    m_a, m_b, error = found
    assert 0 < error <= threshold
    exact = _exact_starts(sampler, range(m_a, m_b + 1))
    gaps = [abs(value - 1) for value in exact.values()]
    assert all(gap <= Fraction(error) for gap in gaps)
    assert max(gaps) > 0


def test_interior_bound_is_not_vacuous():
    """At L = 40, T = 60 the interior's true distance from 1 is within a few powers of ten of its bound."""
    sampler = CountSampler.mdlm(40, 60)
    m_a, m_b, error = interior(sampler, 1e-3)
    gap = max(abs(v - 1) for v in _exact_starts(sampler, range(m_a, m_b + 1)).values())
    assert gap <= error < 1e6 * float(gap)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(FAMILIES)), st.integers(40, 3000), st.integers(1, 6000))
def test_fast_form_equals_every_step(family, L, T):
    """The start sizes with the interior set to 1 agree with the sum over every step within both certified
    errors (start_sizes_error is relative, each entry's)."""
    sampler = FAMILIES[family](L, T)
    fast, slow = sampler.expected_start_sizes(), _every_step(sampler)
    error = sampler.start_sizes_error()
    assert np.all(np.abs(fast - slow) <= error * (np.abs(fast) + np.abs(slow)) + 1e-300)
    found = interior(sampler)
    if found is not None:
        assert np.all(fast[found[0] : found[1] + 1] == 1.0)
        assert found[2] <= 2.0**-64


def test_quick_and_exact_builds_agree():
    """The sweep's quick build and the exact builder have the same grid, interior and start sizes."""
    from boundcalc.registry import SamplerSpec
    from boundcalc.sweeps import parse_family
    from boundcalc.count_rows import row_sampler

    for name, build in (("mdlm", CountSampler.mdlm), ("dream-origin", CountSampler.dream_origin)):
        family = parse_family(name)
        quick = row_sampler(SamplerSpec(family.family, family.parts[1:], family.label), 700, 512)
        exact = build(512, 700)
        assert uniform_grid(quick).h == uniform_grid(exact).h
        assert interior(quick) == interior(exact)
        assert np.array_equal(quick.expected_start_sizes(), exact.expected_start_sizes())


@settings(max_examples=12, deadline=None)
@given(st.integers(12, 30), st.data())
def test_jacobi_bound_holds_the_derivative_integral(N, data):
    """∫_0^1 |b^(q)_{m,N}| <= J_q(m) (the Jacobi polynomials' L² norm and Cauchy–Schwarz), by quadrature of the
    exact polynomial between its real roots."""
    q = data.draw(st.sampled_from([2, 4, 6]).filter(lambda q: 2 * q <= N))
    m = data.draw(st.integers(q, N - q))
    x = mpmath.mpf
    mpmath.mp.dps = 40
    # b_{m,N}(x) = C(N,m) x^m (1-x)^(N-m) as coefficients, differentiated q times, exactly
    coefficients = [Fraction(0)] * (N + 1)
    for i in range(N - m + 1):
        coefficients[m + i] += comb(N, m) * comb(N - m, i) * (-1) ** i
    for _ in range(q):
        coefficients = [c * k for k, c in enumerate(coefficients)][1:]
    poly = lambda t: sum(x(c.numerator) / c.denominator * t**k for k, c in enumerate(coefficients))  # noqa: E731
    roots = sorted(float(r.real) for r in np.roots([float(c) for c in reversed(coefficients)])
                   if abs(r.imag) < 1e-9 and 0 < r.real < 1)
    points = [0.0, *roots, 1.0]
    integral = sum(abs(mpmath.quad(poly, [a, b])) for a, b in zip(points, points[1:]))
    lf, _ = _log_factorials(N + 1)
    # remainder_logs is log(4ζ(2)·L·(2π)^-q·J_q(m))
    log_bound = float(remainder_logs(lf, N, q)[m]) + q * float(np.log(2 * np.pi))
    bound = mpmath.e**log_bound / (4 * mpmath.pi**2 / 6 * (N + 1))
    assert integral <= bound * (1 + 1e-9)


def test_interiors_of_a_sweep_equal_each_sampler_alone():
    """The vectorised interiors of many rows (a sweep's) are each row's own."""
    samplers = [CountSampler.mdlm(300, t) for t in range(1, 400, 7)] + [CountSampler.dream_origin(300, t)
                                                                        for t in range(2, 400, 11)]
    together = interiors(samplers)
    assert together == [interiors([s])[0] for s in samplers]
    assert sum(x is not None for x in together) > 40
