"""Issue 22: settling a long double's rounding to float64 from its last 11 bits (noise_steps._settled_long).

Checked against exact rationals: a value said settled must have both ends of its interval (``bound`` relative,
widened by 2^−8 as the pass's bounds are relative to the exact value) round to the same float64 as the value
(Python's float(Fraction) rounds correctly), and a value left open must have an interval that reaches, or
nearly reaches, a half-way point (so a test that settled nothing would fail too). The values are built bit by bit
around the half-way points, at the ends of a binade (where the gap below a power of two halves) and at random.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from boundcalc import noise_steps

pytestmark = pytest.mark.skipif(not noise_steps._x87(), reason="x87 long double layout only")

LD_UNIT = 2.0**-64


def long_doubles(significands, exponents):
    """m·2^(e − 63) exactly in long double (m < 2^64: two exact parts of 53 and 11 bits)."""
    m = np.asarray(significands, dtype=np.uint64)
    high = (m >> np.uint64(11)).astype(np.longdouble) * np.longdouble(2048)
    values = high + (m & np.uint64(2047)).astype(np.longdouble)
    return np.ldexp(values, np.asarray(exponents, dtype=np.int32) - 63)


def exact(m, e):
    return Fraction(int(m)) * Fraction(2) ** (int(e) - 63)


def significands(rng, count, reach):
    """Around the half-way point f = 1024 (within ``reach``), at both ends of the binade and at random."""
    base = rng.integers(2**52, 2**53, count, dtype=np.uint64) << np.uint64(11)
    f = rng.integers(0, 2048, count, dtype=np.uint64)
    near = (np.uint64(1024) + rng.integers(-reach, reach + 1, count)).astype(np.uint64)
    f = np.where(rng.random(count) < 0.6, near, f)
    m = base | f
    m[:20] = np.uint64(2**63) + rng.integers(0, 64, 20).astype(np.uint64)  # just above a power of two
    m[20:40] = np.uint64(2**63) + rng.integers(0, 700, 20).astype(np.uint64)
    m[40:80] = np.uint64(2**64 - 1) - rng.integers(0, 700, 40).astype(np.uint64)  # just below the next
    return m


@pytest.mark.parametrize("units", [0.0, 3.0, 19.4, 47.9, 130.0, 511.0, 600.0, 1100.0])
def test_settled_values_round_as_every_real_of_their_interval(units):
    rng = np.random.default_rng(int(units * 10) + 1)
    m = significands(rng, 600, int(2 * units) + 4)
    e = rng.integers(-40, 3, m.size)
    values = long_doubles(m, e)
    bound = units * LD_UNIT
    rounded, sure = noise_steps._settled_long(values, bound)
    wide = Fraction(bound) * (1 + Fraction(1, 256))
    settled = opened = 0
    for mi, ei, r, s in zip(m.tolist(), e.tolist(), rounded.tolist(), sure.tolist()):
        v = exact(mi, ei)
        assert r == float(v)
        ends = (float(v * (1 - wide)), float(v * (1 + wide)))
        if s:
            settled += 1
            assert ends == (r, r), (hex(mi), ei, units)
        else:  # left open: a slightly wider interval (2^−6 more, and 2 units of the last place) reaches a tie
            opened += 1
            slack = v * wide * Fraction(1, 64) + Fraction(2) ** (ei - 62)
            assert float(v - v * wide - slack) != r or float(v + v * wide + slack) != r, (hex(mi), ei, units)
    assert settled > 100 and opened > 20


def test_a_zero_an_infinity_and_a_subnormal_stay_open():
    values = np.array([0.0, np.inf, 2.0**-1070, 0.75], dtype=np.longdouble)
    assert noise_steps._settled_long(values, 4 * LD_UNIT)[1].tolist() == [False, False, False, True]
