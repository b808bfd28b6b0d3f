"""Exact floors and ceilings of L·g(k/T) for the curve families (cosine, cosine-mdlm, power).

Curve families use the masked-count rule of docs/samplers.md:
M_0 = L, M_T = 0, M_k = clamp(floor(L g(k/T)), T - k, M_{k-1} - 1) and
s_k = M_{k-1} - M_k; the floors are exact: each is decided from a fixed-point
approximation with a rigorous error bound (cosines by rotating a unit vector,
powers as products of q^p over the prime factors q of k), and the rare value
within that bound of an integer is settled exactly (:func:`_floor_scaled_trig`,
:func:`_power_ceiling_exact`). Every family at T <= 10^4 builds in well under a
second, for any p the parser accepts (benchmarks/bench_inputs.py).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

__all__ = ["trig_floors", "trig_ceilings", "power_ceilings"]


def _niven_trig(x: Fraction, kind: str) -> Fraction | None:
    """cos(pi x) or sin(pi x) when it is rational (Niven: only 0, +-1/2, +-1), else None."""
    if kind == "sin":
        x = Fraction(1, 2) - x
    x = x % 2
    table = {
        Fraction(0): Fraction(1),
        Fraction(1, 3): Fraction(1, 2),
        Fraction(1, 2): Fraction(0),
        Fraction(2, 3): Fraction(-1, 2),
        Fraction(1): Fraction(-1),
        Fraction(4, 3): Fraction(-1, 2),
        Fraction(3, 2): Fraction(0),
        Fraction(5, 3): Fraction(1, 2),
    }
    return table.get(x)


def _floor_scaled_trig(length: int, x: Fraction, kind: str) -> int:
    """floor(L * cos(pi x)) or floor(L * sin(pi x)), exactly.

    When the value is rational (Niven's theorem) it is computed exactly;
    otherwise L*trig is irrational, hence not an integer, and mpmath at
    increasing precision separates it from the nearest integer.
    """
    exact = _niven_trig(x, kind)
    if exact is not None:
        return (length * exact.numerator) // exact.denominator
    import mpmath

    dps = len(str(length)) + 20
    while True:
        with mpmath.workdps(dps):
            angle = mpmath.pi * x.numerator / x.denominator
            value = length * (mpmath.cos(angle) if kind == "cos" else mpmath.sin(angle))
            nearest = int(mpmath.nint(value))
            if abs(value - nearest) > mpmath.mpf(10) ** (10 - dps):
                return int(mpmath.floor(value))
        dps *= 2


def _ceil_scaled_trig(length: int, x: Fraction, kind: str) -> int:
    return -_floor_scaled_trig(-length, x, kind)


def _iroot_floor(n: int, k: int) -> int:
    """floor(n ** (1/k)) for integers n >= 0, k >= 1."""
    if n < 2 or k == 1:
        return n
    x = 1 << -(-n.bit_length() // k)  # an upper bound
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    while x**k > n:
        x -= 1
    while (x + 1) ** k <= n:
        x += 1
    return x


def _ceil_rational_power(length: int, u: Fraction, p: Fraction) -> int:
    """ceil(L * u^p) for 0 <= u <= 1 and rational p > 0, with integer arithmetic only."""
    if u == 0:
        return 0
    a, b = p.numerator, p.denominator
    # y = L u^(a/b); y^b = L^b u^a = N/D; ceil(y) = smallest n with n^b >= N/D
    big_n = length**b * u.numerator**a
    big_d = u.denominator**a
    n = _iroot_floor(big_n // big_d, b)
    while n**b * big_d < big_n:
        n += 1
    return n


# -- certified fast evaluation of the curve families ------------------------------------
#
# Each floor/ceiling below is decided from an approximation with a rigorous error
# bound, in integer fixed point; where the bound cannot decide it (the value lies
# within the error of an integer) the exact routine above, or intervals at
# increasing precision, decide it. The results equal the exact ones always
# (tests/core/test_schedule_fast.py compares both on random parameters).


def _raw_floor_scaled(raw: tuple, shift: int) -> int:
    """floor(x * 2^shift) for an mpmath raw mpf x >= 0."""
    sign, man, exp, _ = raw
    assert not sign
    exp += shift
    return man << exp if exp >= 0 else man >> -exp


def _guard_bits(length: int, steps: int) -> int:
    return length.bit_length() + 2 * steps.bit_length() + 64


def _rotation(steps: int, bits: int) -> Iterator[tuple[int, int, int]]:
    """(c, s, err) for k = 1, ..., T - 1: |c - 2^P cos(k pi/2T)|, |s - 2^P sin(k pi/2T)| <= err, P = bits.

    The unit vector is rotated by k steps of the angle pi/2T in integer fixed
    point. The rotation's entries come from intervals (error <= 2 units each),
    every product is floored (< 1 unit per component), and a rotation preserves
    the 2-norm of the error, so after k steps the error is at most 6k units.
    """
    if steps == 1:
        return
    from mpmath import iv

    prec = bits + 24
    while True:
        saved = iv.prec
        try:
            iv.prec = prec
            angle = iv.pi / (2 * steps)
            cos1, sin1 = iv.cos(angle), iv.sin(angle)
        finally:
            iv.prec = saved
        c1, s1 = _raw_floor_scaled(cos1._mpi_[0], bits), _raw_floor_scaled(sin1._mpi_[0], bits)
        if _raw_floor_scaled(cos1._mpi_[1], bits) - c1 <= 1 and _raw_floor_scaled(sin1._mpi_[1], bits) - s1 <= 1:
            break
        prec *= 2  # pragma: no cover - the interval is far narrower than 2^-P
    c, s = 1 << bits, 0
    for k in range(1, steps):
        c, s = (c * c1 - s * s1) >> bits, (s * c1 + c * s1) >> bits
        yield c, s, 6 * k + 6


def _trig_floors(length: int, steps: int, kind: str) -> list[int]:
    """floor(L cos(k pi/2T)) (kind "cos") or floor(L sin(k pi/2T)) for k = 1, ..., T - 1, exactly."""
    bits = _guard_bits(length, steps)
    out = []
    for k, (c, s, err) in enumerate(_rotation(steps, bits), 1):
        value, slack = length * (c if kind == "cos" else s), length * err
        low, high = (value - slack) >> bits, (value + slack) >> bits
        out.append(low if low == high else _floor_scaled_trig(length, Fraction(k, 2 * steps), kind))
    return out


def _trig_ceilings(length: int, steps: int) -> list[int]:
    """ceil(L sin(k pi/2T)) for k = 1, ..., T - 1, exactly."""
    bits = _guard_bits(length, steps)
    out = []
    for k, (_, s, err) in enumerate(_rotation(steps, bits), 1):
        value, slack = length * s, length * err
        low, high = (value - slack) >> bits, (value + slack) >> bits
        # decided means L sin lies strictly between two integers, so its ceiling is the floor + 1
        out.append(low + 1 if low == high else _ceil_scaled_trig(length, Fraction(k, 2 * steps), "sin"))
    return out


def _ceil_of(num: int, den: int) -> int:
    return -(-num // den)


def _power_ceilings(length: int, steps: int, p: Fraction, small_roots: bool = True) -> list[int]:
    """ceil(L (k/T)^p) for k = 1, ..., T - 1, exactly, for any rational p > 0.

    (k/T)^p = k^p / T^p, and k^p is the product of q^p over the prime factors
    q of k: one interval evaluation per prime below T, one P-bit product per k.
    All approximations are rounded down, so each computed value A satisfies
    A <= x <= A (1 + 2^-G); a ceiling the bound cannot decide is computed by
    :func:`_power_ceiling_exact`.
    """
    if steps == 1:
        return []
    # extreme exponents decide every ceiling at once: y_k <= L (1 - 1/T)^p < L e^(-p/T) and
    # y_k >= L T^(-p) > L (1 - p ln T), while 0 < y_k < L for 0 < k < T
    if p >= steps * length.bit_length():
        return [1] * (steps - 1)
    if length * p * steps.bit_length() < 1:
        return [length] * (steps - 1)
    if small_roots and p.denominator <= 4 and p.denominator * length.bit_length() + p.numerator * steps.bit_length() <= 2048:
        # small integer roots of small numbers: the exact routine is cheaper than the intervals
        return [_ceil_rational_power(length, Fraction(k, steps), p) for k in range(1, steps)]
    bits = _guard_bits(length, steps)
    factors = 2 * steps.bit_length() + 4  # roundings along one product, with room
    guard = bits - 5 - factors.bit_length()  # each value is within a factor 1 + 2^-guard
    # smallest prime factors up to T
    smallest = list(range(steps + 1))
    for q in range(2, int(steps**0.5) + 1):
        if smallest[q] == q:
            for multiple in range(q * q, steps + 1, q):
                if smallest[multiple] == multiple:
                    smallest[multiple] = q
    extra = (p.numerator // p.denominator * steps.bit_length()).bit_length() + 24
    mantissa = [0] * (steps + 1)
    exponent = [0] * (steps + 1)
    mantissa[1], exponent[1] = 1 << (bits - 1), 1 - bits
    for k in range(2, steps + 1):
        q = smallest[k]
        if q == k:  # a prime: q^p from an interval, its lower end floored to P bits
            prec = bits + extra
            while True:
                value = _interval_power(q, 1, p, prec)
                (_, low, low_exp, low_bc), (_, high, high_exp, _) = value
                # the lower end m 2^e with m of P bits; the upper end within 2 units of it
                shift = low_bc - bits
                m = low >> shift if shift >= 0 else low << -shift
                e = low_exp + shift
                top = (high << (high_exp - e)) if high_exp >= e else high >> (e - high_exp)
                if top - m <= 2:
                    break
                prec *= 2  # pragma: no cover
            mantissa[k], exponent[k] = m, e
        else:
            m = mantissa[q] * mantissa[k // q]
            shift = m.bit_length() - bits
            mantissa[k], exponent[k] = m >> shift, exponent[q] + exponent[k // q] + shift
    out = []
    top_m, top_e = mantissa[steps], exponent[steps]
    for k in range(1, steps):
        # y = L k^p / T^p is within a factor (1 +- 2^-guard) of N 2^s / D
        n, d, s = length * mantissa[k], top_m, exponent[k] - top_e
        if n.bit_length() - d.bit_length() + s < -2:  # y < 1/2 (with room): 0 < y < 1
            out.append(1)
            continue
        low, high = n * ((1 << guard) - 1), n * ((1 << guard) + 1)
        shift = s - guard
        if shift >= 0:
            low_ceil, high_ceil = _ceil_of(low << shift, d), _ceil_of(high << shift, d)
        else:
            low_ceil, high_ceil = _ceil_of(low, d << -shift), _ceil_of(high, d << -shift)
        out.append(low_ceil if low_ceil == high_ceil else _power_ceiling_exact(length, Fraction(k, steps), p))
    return out


def _power_ceiling_exact(length: int, u: Fraction, p: Fraction) -> int:
    """ceil(L u^p) for 0 < u < 1 and rational p > 0, exactly, whatever the size of p's digits.

    u^p (u = c/d, p = a/b in lowest terms) is rational only when c and d are
    perfect b-th powers; then L u^p is an integer exactly when (d^(1/b))^a
    divides L, and it is computed. Otherwise L u^p is not an integer, and
    intervals at increasing precision separate it from the integers.
    """
    c, d, a, b = u.numerator, u.denominator, p.numerator, p.denominator
    if b < d.bit_length():  # d >= 2 is a b-th power only if 2^b <= d
        c_root, d_root = _iroot_floor(c, b), _iroot_floor(d, b)
        if c_root**b == c and d_root**b == d and a * (d_root.bit_length() - 1) <= length.bit_length():
            den = d_root**a
            if length % den == 0:
                return length // den * c_root**a
    from mpmath.libmp import from_int
    from mpmath.libmp.libmpi import mpi_mul

    prec = length.bit_length() + (a // b).bit_length() + 64
    while True:
        y = mpi_mul((from_int(length),) * 2, _interval_power(c, d, p, prec), prec)
        ceilings = []
        for sign, man, exp, _ in y:
            value = Fraction(-man if sign else man) * Fraction(2) ** exp
            ceilings.append(-((-value.numerator) // value.denominator))
        if ceilings[0] == ceilings[1]:
            return ceilings[0]
        prec *= 2


def _interval_power(c: int, d: int, p: Fraction, prec: int) -> tuple:
    """An mpmath raw interval containing (c/d)^p, c, d >= 1, at ``prec`` bits."""
    from mpmath.libmp import from_int
    from mpmath.libmp.libmpi import mpi_div, mpi_exp, mpi_log, mpi_mul

    def exact(n: int) -> tuple:
        return (from_int(n),) * 2

    base = exact(c) if d == 1 else mpi_div(exact(c), exact(d), prec)
    exponent = mpi_div(exact(p.numerator), exact(p.denominator), prec)
    return mpi_exp(mpi_mul(mpi_log(base, prec), exponent, prec), prec)


#: Public names of the three routines the families call.
trig_floors = _trig_floors
trig_ceilings = _trig_ceilings
power_ceilings = _power_ceilings
