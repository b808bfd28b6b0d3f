"""Issue 22: double_double's table-driven e^{−y} and the cheaper 1 − e^{−y} of the geometric noise's second pass.

Against mpmath at 60 digits: the 64 table entries 2^(−j/64) within 2^−106, e^{−y} within its derived 2.5
OP_ERROR (below EXP_ERROR, which every caller's bound uses) on the table's cell edges and at random, and
1 − e^{−y} from e^{−y} within CANCELLING_ERROR·OP_ERROR on both sides of its switch to the series (2^−7) and at
the smallest y (where a difference 1 − e^{−y} would keep no digit at all).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from boundcalc import double_double as dd

LN2_64 = mpmath.log(2) / 64


def relative(hi, lo, exact):
    with mpmath.workdps(60):
        return float(abs((mpmath.mpf(hi) + mpmath.mpf(lo) - exact) / exact))


def test_the_table_is_two_to_minus_j_over_64():
    with mpmath.workdps(60):
        for j, (hi, lo) in enumerate(dd._SIXTY_FOURTHS):
            assert relative(hi, lo, mpmath.power(2, mpmath.mpf(-j) / 64)) <= 2.0**-106


def _arguments():
    rng = np.random.default_rng(64)
    with mpmath.workdps(40):
        edges = [float((j + 0.5) * LN2_64) for j in range(0, 740, 7)]  # where rint(y/(ln2/64)) changes
    near = np.array(edges)
    return np.concatenate(([0.0, 2.0**-60, 1e-9, 2.0**-7, 0.34657359027997264, 1.0, 7.99, 8.0], near,
                           np.nextafter(near, 0), np.nextafter(near, 9), rng.random(400) * 8, rng.random(200) * 0.05))


def test_exp_neg_within_its_derived_bound():
    y = _arguments()
    hi, lo = dd.exp_neg((y, np.zeros_like(y)))
    with mpmath.workdps(60):
        worst = max(relative(h, l, mpmath.exp(-mpmath.mpf(v))) for h, l, v in zip(hi.tolist(), lo.tolist(), y.tolist()))
    assert 2.0**-115 < worst <= 2.5 * dd.OP_ERROR <= dd.EXP_ERROR * dd.OP_ERROR


@pytest.mark.parametrize("low", [0.0, 2.0**-7])
def test_one_minus_exp_neg_cancelling_within_its_bound(low):
    rng = np.random.default_rng(7 + int(low > 0))
    if low == 0:  # the series side, down to y = 10^-300, and the switch
        y = np.concatenate(([1e-300, 1e-20, 2.0**-7, np.nextafter(2.0**-7, 0)], rng.random(300) * 2.0**-7))
    else:  # the difference side, from just above the switch
        y = np.concatenate(([np.nextafter(2.0**-7, 1), 0.01, 0.3, 0.35, 1.0, 8.0], low + rng.random(300) * 8))
    pair = (y, np.zeros_like(y))
    hi, lo = dd.one_minus_exp_neg_cancelling(pair, dd.exp_neg(pair))
    with mpmath.workdps(60):
        worst = max(relative(h, l, -mpmath.expm1(-mpmath.mpf(v))) for h, l, v in zip(hi.tolist(), lo.tolist(), y.tolist()))
    # the series (below 2^−7) within 1 OP_ERROR (its levels 0.2, the last product 0.22, tail and truncation
    # below 2^−112), the difference within CANCELLING_ERROR
    assert worst <= (1 if low == 0 else dd.CANCELLING_ERROR) * dd.OP_ERROR
    assert worst > 2.0**-112  # real digits compared
