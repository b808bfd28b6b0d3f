"""Pass 1 of :mod:`boundcalc.noise_steps` for a few T: p_k and 1 − p_k in long double from libm, one call a grid
point (values layer).

A sweep's many T go through the progressions of :mod:`boundcalc.noise_progressions` (no libm for the cosines,
tighter bounds, but a fixed cost of ~100 double-double steps per call whatever the number of T); one T (what
`steps` and `verify` build) costs less here: sinl/expl/expm1l once per grid point, each within 4 ulps (8u,
u = 2^−64), with the bounds derived below and in docs/theory.md §12.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LIBM_PASSES"]

_RISE = 99999  # t_{k−1} − t_k = 99999/den
_LN1000 = "6.907755278982137052053974364053092622803304465886303488171793931"
_PI = "3.141592653589793238462643383279502884197169399375105820974944592"


class _Grid:
    """The grid points t_i (i = 0..T) of every T, one after the other, and each step's two points: the long
    double pass evaluates α's parts once per point, not twice per step. With ``count``, only each T's first
    min(T, count) steps (points i = 0..min(T, count)): a row's head, as its schedule text reads it."""

    def __init__(self, Ts: Any, count: int | None = None) -> None:
        import numpy as np

        ld = np.longdouble
        Ts = np.asarray(Ts, dtype=np.int64)
        taken = Ts if count is None else np.minimum(Ts, count)  # steps of each T evaluated
        points = taken + 1
        first = np.concatenate(([0], np.cumsum(points)[:-1]))
        self.den_t = Ts.astype(ld) * ld(10**5)  # den of each T
        self.den = np.repeat(self.den_t, points)  # of each point
        i = np.arange(self.den.size, dtype=np.int64) - np.repeat(first, points)
        self.num = self.den - ld(_RISE) * i.astype(ld)  # t_i·den, exact
        steps = np.arange(int(taken.sum()), dtype=np.int64)
        self.after = steps + np.repeat(np.arange(Ts.size, dtype=np.int64) + 1, taken)  # point k of step k
        self.before = self.after - 1
        self.of_step = np.repeat(np.arange(Ts.size), taken)  # which T
        self.unit = float(np.finfo(ld).eps) / 2


def _cosine_long(grid: _Grid, square: bool) -> tuple[Any, Any, float]:
    """cosine: p = sin(π(t_k + t_{k−1})/4)·sin(πΔ/4)/sin²(πt_{k−1}/4), 1 − p = sin²(πt_k/4)/sin²(πt_{k−1}/4);
    cosine2 the same with π/2 and sin(π(t_k + t_{k−1})/2) = sin(π s/2), s = min(t_k + t_{k−1}, 2 − t_k − t_{k−1}).
    In units u of long double roundoff (libm within 4 ulps = 8u): each argument a ratio of exact integers times π
    within 3u (condition <= 1 on [0, π/2]), each sine 11u, a square 23u: p within 48u, 1 − p within 47u; 64u."""
    import numpy as np

    scale = np.longdouble(_PI) / (2 if square else 4)
    half = np.sin(scale * (grid.num / grid.den))
    masked = half * half
    den = grid.den[grid.after]
    total = grid.num[grid.before] + grid.num[grid.after]
    if square:
        total = np.minimum(total, 2 * den - total)
    rise = np.sin(scale * (np.longdouble(_RISE) / grid.den_t))[grid.of_step]
    below = masked[grid.before]
    return np.sin(scale * (total / den)) * rise / below, masked[grid.after] / below, 64 * grid.unit


def _linear_long(grid: _Grid) -> tuple[Any, Any, float]:
    """σ = (1 + 6999t)/1000 over one division of exact integers, gap = σ_{k−1} − σ_k = 6999·99999/(1000·den):
    p = e^{−σ_k}(−expm1(−gap))/(−expm1(−σ_{k−1})) within 35u, 1 − p = expm1(−σ_k)/expm1(−σ_{k−1}) within 19u; 48u."""
    import numpy as np

    ld = np.longdouble
    sigma = (grid.den + ld(6999) * grid.num) / (ld(1000) * grid.den)
    masked = -np.expm1(-sigma)
    moved = -np.expm1(-ld(6999 * _RISE) / (ld(1000) * grid.den_t))[grid.of_step]
    below = masked[grid.before]
    return np.exp(-sigma[grid.after]) * moved / below, masked[grid.after] / below, 48 * grid.unit


def _geometric_long(grid: _Grid) -> tuple[Any, Any, float]:
    """σ = e^{−x}, x = (1 − t)·ln 1000 (a ratio of exact integers times the constant: within 3u), so σ within
    8u + 6.91·3u < 29u (expl: powl is 20 times slower); 1 − e^{−σ} and e^{−σ} within 37u (condition <= 1), the
    gap σ_{k−1}·(1 − e^{−Δ ln 1000}) 41u, 1 − e^{−gap} 49u: p within 125u, 1 − p within 75u; 128u."""
    import numpy as np

    ld = np.longdouble
    ln1000 = ld(_LN1000)
    sigma = np.exp(-(((grid.den - grid.num) / grid.den) * ln1000))
    masked = -np.expm1(-sigma)
    shrink = -np.expm1(-(ld(_RISE) / grid.den_t) * ln1000)[grid.of_step]
    below = masked[grid.before]
    moved = np.exp(-sigma[grid.after]) * -np.expm1(-(sigma[grid.before] * shrink))
    return moved / below, masked[grid.after] / below, 128 * grid.unit


def _pair(passed: tuple[Any, Any, float]) -> tuple[Any, Any, float, float]:
    p, q, bound = passed
    return p, q, bound, bound


#: noise -> ((Ts, count = None) -> (p, 1 − p in long double, step after step, T after T, k = 1..T or, with count,
#: k = 1..min(T, count); p's bound; 1 − p's bound)): the bounds hold point by point, so for any set of steps
LIBM_PASSES = {"cosine": lambda Ts, count=None: _pair(_cosine_long(_Grid(Ts, count), False)),
               "cosine2": lambda Ts, count=None: _pair(_cosine_long(_Grid(Ts, count), True)),
               "linear": lambda Ts, count=None: _pair(_linear_long(_Grid(Ts, count))),
               "geometric": lambda Ts, count=None: _pair(_geometric_long(_Grid(Ts, count)))}
