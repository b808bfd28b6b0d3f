"""MDLM's non-log-linear noises as reveal-time laws: fast step probabilities and the law φ for the brackets.

``mdlm:T:NOISE`` reveals at step k = 1..T with p_k = (α(t_k) − α(t_{k−1}))/(1 − α(t_{k−1})) on
t_k = 1 − k(1 − δ)/T (then noise removal). Writing u = 1 − t, the fraction revealed by time u is

    φ(u) = (α(1 − u) − α(1)) / (1 − α(1)),   so  p_k = (φ(u_k) − φ(u_{k−1}))/(1 − φ(u_{k−1})),
    1 − p_k = (1 − φ(u_k))/(1 − φ(u_{k−1})),  u_k = k·h, h = (1 − δ)/T,

and the reveal times are the uniform u-grid mapped by φ (docs/theory.md §12, "Other noises").

:func:`step_probabilities` gives the float64 p_k and 1 − p_k the 40-digit mpmath builder gives (each the
correctly rounded value), bit for bit and about 100 times faster: every quantity is evaluated in long
double in a form without cancellation (differences of cosines as products of sines, of exponentials by
expm1), with an a-priori bound on its relative error; an entry whose interval [value ± bound] rounds to one
float64 at both ends is that float64; the few others (about 1 in 20) are computed by mpmath as before.
"""

from __future__ import annotations

import math
from typing import Any, Callable

__all__ = ["NoiseLaw", "NOISE_LAWS", "step_probabilities"]

_EPS = 2.0**-52


class NoiseLaw:
    """φ, φ′ and their certified float64 values for one noise (``name``), on u in [0, 1].

    ``rising``: φ′ is non-decreasing on [0, turn] and non-increasing on [turn, 1] (``turn`` = 0: non-increasing
    throughout; 1: non-decreasing), so its extremes on an interval are at the ends or at ``turn``.
    ``slope_top``, ``bend_top``, ``twist_top`` >= sup φ′, sup |φ″|, sup |φ‴| on [0, 1] (docs/theory.md §12, rounded up). ``relative`` bounds the relative error of :meth:`phi` and
    :meth:`slope` (float64, from a few correctly rounded operations and libm functions within 4 ulps).
    """

    def __init__(self, name: str, phi: Callable[[Any], Any], slope: Callable[[Any], Any], bend: Callable[[Any], Any],
                 turn: float, tops: tuple[float, float, float],
                 long_probabilities: Callable[[int, int, Any], tuple[Any, Any, float]]) -> None:
        self.name, self._phi, self._slope, self._bend, self.turn = name, phi, slope, bend, turn
        self.slope_top, self.bend_top, self.twist_top = (x * (1 + 2.0**-40) for x in tops)
        self._long = long_probabilities
        self.relative = 64 * _EPS

    def phi(self, u: Any) -> Any:
        import numpy as np

        return np.clip(self._phi(np.asarray(u, dtype=np.float64)), 0.0, 1.0)

    def slope(self, u: Any) -> Any:
        import numpy as np

        return np.maximum(self._slope(np.asarray(u, dtype=np.float64)), 0.0)

    def bend(self, u: Any) -> Any:
        """φ″ (float64, within 64ε·sup|φ″| absolutely)."""
        import numpy as np

        return self._bend(np.asarray(u, dtype=np.float64))

    def slope_range(self, lo: Any, hi: Any) -> tuple[Any, Any]:
        """(lower, upper) on φ′ over each [lo_j, hi_j] ⊂ [0, 1] (entrywise), rounding included."""
        import numpy as np

        a, b = self.slope(lo), self.slope(hi)
        low, high = np.minimum(a, b), np.maximum(a, b)
        inside = (lo < self.turn) & (self.turn < hi)
        if np.any(inside):
            high = np.where(inside, float(self.slope(np.array([self.turn]))[0]), high)
        return low * (1 - self.relative), high * (1 + self.relative)


def _long_constants() -> tuple[Any, Any, float]:
    """(π, ln 1000, unit roundoff) in long double, the constants parsed from 40 digits (one rounding each)."""
    import numpy as np

    ld = np.longdouble
    return (ld("3.141592653589793238462643383279502884197"), ld("6.907755278982137052053974364053092622803"),
            float(np.finfo(ld).eps) / 2)


def _grid_times(T: int, ld: Any) -> tuple[Any, Any, Any]:
    """(t_k for k = 0..T, Δ = t_{k−1} − t_k, the common denominator) in long double: t_k = (T·10^5 − 99999k)/(T·10^5),
    exact integers over one division each (relative error <= one rounding)."""
    import numpy as np

    den = T * 10**5
    k = np.arange(T + 1, dtype=np.int64)
    num = (den - 99999 * k).astype(ld)
    return num / ld(den), ld(99999) / ld(den), ld(den)


def _cosine_long(T: int, square: bool, ld: Any) -> tuple[Any, Any, float]:
    """cosine: 1 − α(t) ∝ 2 sin²(πt/4), α_k − α_{k−1} ∝ 2 sin(π(t_k + t_{k−1})/4) sin(πΔ/4);
    cosine2: 1 − α ∝ sin²(πt/2), α_k − α_{k−1} ∝ sin(π(t_{k−1} − t_k)/2) sin(π(t_{k−1} + t_k)/2).
    Relative error in units of long double roundoff u (a libm function within 4 ulps = 8u): each argument within
    4u (conditioning <= 1 on [0, π/2]), each sine 12u, a square 25u, the quotients: p within 50u, 1 − p within 51u."""
    import numpy as np

    pi, _, unit = _long_constants()
    t, delta, _ = _grid_times(T, ld)
    scale = pi / (2 if square else 4)
    half = np.sin(scale * t)  # sin(πt/4) or sin(πt/2)
    masked = half * half
    moved = np.sin(scale * (t[1:] + t[:-1])) * np.sin(scale * delta)  # cosine: the factors 2 cancel
    return moved / masked[:-1], masked[1:] / masked[:-1], 64 * unit


def _exponential_long(T: int, kind: str, ld: Any) -> tuple[Any, Any, float]:
    """α = e^{−σ}: α_k − α_{k−1} = e^{−σ_k}·(−expm1(−(σ_{k−1} − σ_k))), 1 − α = −expm1(−σ).
    In units u of long double roundoff (libm within 4 ulps = 8u): linear: σ = (1 + 6999 t)/1000 exact over one
    division, e^{−σ} within 7u + 8u (σ <= 7), σ_{k−1} − σ_k = 6.999Δ within u, each expm1 9u (conditioning <= 1):
    p within 35u, 1 − p 19u; geometric: σ = 1000^{−(1−t)} by powl within 7u + 8u, Δ ln 1000 within 3u, its expm1
    11u, σ_{k−1} − σ_k 27u, e^{−σ} 23u (σ <= 1), expm1(−gap) 35u, 1 − α 23u: p within 83u, 1 − p 47u."""
    import numpy as np

    _, ln1000, unit = _long_constants()
    t, delta, den = _grid_times(T, ld)
    if kind == "linear":
        k = np.arange(T + 1, dtype=np.int64)
        num = (den - ld(99999) * k.astype(ld))  # T·10^5·t_k, exact
        sigma = (den + ld(6999) * num) / (ld(1000) * den)
        gap = ld(6999) * ld(99999) / (ld(1000) * ld(10**5) * ld(T))
        bound = 48 * unit
    else:
        rest = (ld(99999) * np.arange(T + 1, dtype=np.int64).astype(ld)) / den  # 1 − t_k, exact over one division
        sigma = np.power(ld(1000), -rest)
        gap = sigma[:-1] * -np.expm1(-delta * ln1000)
        bound = 96 * unit
    gap = gap * np.ones(T, dtype=ld) if np.ndim(gap) == 0 else gap
    masked = -np.expm1(-sigma)
    moved = np.exp(-sigma[1:]) * -np.expm1(-gap)
    return moved / masked[:-1], masked[1:] / masked[:-1], bound


def _rounded(values: Any, bound: float) -> tuple[Any, Any]:
    """(the float64 of each long double value, True where it is the correctly rounded value of every real within
    ``bound`` relative of it: both ends of the interval round to the same float64)."""
    import numpy as np

    wide = np.abs(values) * np.longdouble(bound * (1 + 2.0**-8))  # the product's own rounding, with room
    lo, hi = (values - wide).astype(np.float64), (values + wide).astype(np.float64)
    return values.astype(np.float64), lo == hi


def step_probabilities(noise: str, T: int, exact: Callable[[list[int]], list[tuple[float, float]]]
                       ) -> tuple[list[float], list[float]]:
    """(p_k, 1 − p_k for k = 1..T) as float64, each the correctly rounded value (so the mpmath builder's);
    ``exact(ks)`` gives both by mpmath for the steps k the long-double interval does not settle."""
    import numpy as np

    law = NOISE_LAWS[noise]
    with np.errstate(all="ignore"):
        reveal_ld, keep_ld, bound = law._long(T, 0, np.longdouble)
    reveal, sure_reveal = _rounded(reveal_ld, bound)
    keep, sure_keep = _rounded(keep_ld, bound)
    good = sure_reveal & sure_keep & np.isfinite(reveal) & np.isfinite(keep)
    reveal_list, keep_list = reveal.tolist(), keep.tolist()
    unsettled = np.nonzero(~good)[0].tolist()
    for k, (p, q) in zip(unsettled, exact([k + 1 for k in unsettled]) if unsettled else []):
        reveal_list[k], keep_list[k] = p, q
    return reveal_list, keep_list


def _phi_cosine(u: Any) -> Any:
    import numpy as np

    return np.sin(np.pi / 2 * u)


def _slope_cosine(u: Any) -> Any:
    import numpy as np

    return np.pi / 2 * np.cos(np.pi / 2 * u)


def _phi_cosine2(u: Any) -> Any:
    import numpy as np

    return np.sin(np.pi / 2 * u) ** 2


def _slope_cosine2(u: Any) -> Any:
    import numpy as np

    return np.pi / 2 * np.sin(np.pi * u)


def _bend_cosine(u: Any) -> Any:
    import numpy as np

    return -(np.pi / 2) ** 2 * np.sin(np.pi / 2 * u)


def _bend_cosine2(u: Any) -> Any:
    import numpy as np

    return np.pi**2 / 2 * np.cos(np.pi * u)


_LIN = 6.999
_LIN_TOP = math.exp(-7.0)


def _phi_linear(u: Any) -> Any:
    """(e^{−(σ_min + (1−u)(σ_max − σ_min))} − e^{−σ_max})/(1 − e^{−σ_max}) = e^{−7}·expm1(6.999u)/(1 − e^{−7})."""
    import numpy as np

    return _LIN_TOP * np.expm1(_LIN * u) / -math.expm1(-7.0)


def _slope_linear(u: Any) -> Any:
    import numpy as np

    return _LIN_TOP * _LIN * np.exp(_LIN * u) / -math.expm1(-7.0)


def _bend_linear(u: Any) -> Any:
    return _LIN * _slope_linear(u)


_LN1000 = math.log(1000.0)


def _bend_geometric(u: Any) -> Any:
    """−Cℓσ(1 − σ)e^{−σ}, σ = 1000^{−u}, C = ℓ/(1 − e^{−1})."""
    import numpy as np

    sigma = np.exp(-u * _LN1000)
    return -_LN1000 * _LN1000 / -math.expm1(-1.0) * sigma * -np.expm1(-u * _LN1000) * np.exp(-sigma)


def _phi_geometric(u: Any) -> Any:
    """(exp(−1000^{−u}) − e^{−1})/(1 − e^{−1}) = e^{−1}·(−expm1(1 − 1000^{−u}))... as expm1 of a non-negative gap."""
    import numpy as np

    gap = -np.expm1(-u * _LN1000)  # 1 − 1000^{−u} >= 0
    return math.exp(-1.0) * np.expm1(gap) / -math.expm1(-1.0)


def _slope_geometric(u: Any) -> Any:
    import numpy as np

    sigma = np.exp(-u * _LN1000)
    return np.exp(-sigma) * sigma * _LN1000 / -math.expm1(-1.0)


_PI2 = math.pi / 2
_LIN_SLOPE = _LIN_TOP * _LIN * math.exp(_LIN) / -math.expm1(-7.0)
_GEO = _LN1000 / -math.expm1(-1.0)  # φ′ = _GEO·σe^{−σ}, σ = 1000^{−u}

# (sup φ′, sup|φ″|, sup|φ‴|): cosine (π/2)^k; cosine2 (π/2, π²/2, π³/2); linear 6.999^(k−1)·φ′(1);
# geometric: φ″ = −Cℓσ(1 − σ)e^{−σ}, φ‴ = Cℓ²σ(1 − 3σ + σ²)e^{−σ} with σ in (0, 1]: Cℓ/4 and Cℓ²/e
NOISE_LAWS: dict[str, NoiseLaw] = {
    "cosine": NoiseLaw("cosine", _phi_cosine, _slope_cosine, _bend_cosine, 0.0, (_PI2, _PI2**2, _PI2**3),
                       lambda T, _, ld: _cosine_long(T, False, ld)),
    "cosine2": NoiseLaw("cosine2", _phi_cosine2, _slope_cosine2, _bend_cosine2, 0.5, (_PI2, math.pi**2 / 2, math.pi**3 / 2),
                        lambda T, _, ld: _cosine_long(T, True, ld)),
    "linear": NoiseLaw("linear", _phi_linear, _slope_linear, _bend_linear, 1.0, (_LIN_SLOPE, _LIN * _LIN_SLOPE, _LIN**2 * _LIN_SLOPE),
                       lambda T, _, ld: _exponential_long(T, "linear", ld)),
    "geometric": NoiseLaw("geometric", _phi_geometric, _slope_geometric, _bend_geometric, 0.0,
                          (_GEO * math.exp(-1.0), _GEO * _LN1000 / 4, _GEO * _LN1000**2 * math.exp(-1.0)),
                          lambda T, _, ld: _exponential_long(T, "geometric", ld)),
}
