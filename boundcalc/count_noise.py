"""MDLM's non-log-linear noises as reveal-time laws: fast step probabilities and the law φ for the brackets.

``mdlm:T:NOISE`` reveals at step k = 1..T with p_k = (α(t_k) − α(t_{k−1}))/(1 − α(t_{k−1})) on
t_k = 1 − k(1 − δ)/T (then noise removal). Writing u = 1 − t, the fraction revealed by time u is

    φ(u) = (α(1 − u) − α(1)) / (1 − α(1)),   so  p_k = (φ(u_k) − φ(u_{k−1}))/(1 − φ(u_{k−1})),
    1 − p_k = (1 − φ(u_k))/(1 − φ(u_{k−1})),  u_k = k·h, h = (1 − δ)/T,

and the reveal times are the uniform u-grid mapped by φ (docs/theory.md §12, "Other noises").

:func:`step_probabilities` gives the float64 p_k and 1 − p_k the 40-digit mpmath builder gives (each the
correctly rounded value), bit for bit: :mod:`boundcalc.noise_steps` (long double, then double-double where
the long double's rounding is open, mpmath only for a near-tie within 2^−80).
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


def step_probabilities(noise: str, T: int) -> tuple[list[float], list[float]]:
    """(p_k, 1 − p_k for k = 1..T) as float64, each the correctly rounded value (:mod:`boundcalc.noise_steps`)."""
    from .noise_steps import step_probabilities as steps

    return steps(noise, T)


def _long(noise: str) -> Callable[[int, int, Any], tuple[Any, Any, float]]:
    """(p_k, 1 − p_k in long double for k = 1..T, their relative error bound) at T (the brackets' T = 1 case)."""
    from .noise_steps import long_grid

    return lambda T, _, ld: long_grid(noise, T)


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
                       _long("cosine")),
    "cosine2": NoiseLaw("cosine2", _phi_cosine2, _slope_cosine2, _bend_cosine2, 0.5, (_PI2, math.pi**2 / 2, math.pi**3 / 2),
                        _long("cosine2")),
    "linear": NoiseLaw("linear", _phi_linear, _slope_linear, _bend_linear, 1.0, (_LIN_SLOPE, _LIN * _LIN_SLOPE, _LIN**2 * _LIN_SLOPE),
                       _long("linear")),
    "geometric": NoiseLaw("geometric", _phi_geometric, _slope_geometric, _bend_geometric, 0.0,
                          (_GEO * math.exp(-1.0), _GEO * _LN1000 / 4, _GEO * _LN1000**2 * math.exp(-1.0)),
                          _long("geometric")),
}
