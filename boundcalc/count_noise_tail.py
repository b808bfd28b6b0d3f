"""The last cells of MDLM's other noises at one T: Euler–Maclaurin's residual as a linear form in d.

The Euler–Maclaurin form of :class:`boundcalc.count_brackets_noise.NoiseBracket` writes each cell's left sum as
Δr_k·G(r_{k−1}) = ∫_cell G + ½Δr_k(G(r_{k−1}) − G(r_k)) + (Δr_k²/12)(G′(r_k) − G′(r_{k−1})) + R_k and bounds
Σ_k |R_k| <= Σ_k (Δr_k⁴/384)·TV_cell(G‴), zone by zone (:mod:`boundcalc.count_noise_local`). Where φ′ is largest
at the end (linear: 7 against 0.006 at 0) and a completion of a partial curve puts a gap's drop at m = L − 2 (the
variation of G‴ near r = 1), that bound dominates a single T's bracket (±3·10⁻⁴ nats near T = 1.5·10⁴ at
L = 1024). At one T the cells of the last zones are known, and their residual is itself a linear form in d
(docs/theory.md §12, "The last cells at one T"):

    R_k = ½Δr_k(G(r_{k−1}) + G(r_k)) − ∫_{r_{k−1}}^{r_k} G − (Δr_k²/12)(G′(r_k) − G′(r_{k−1})),

so Σ_{k >= k0} R_k = Σ_i c_i·G(ρ_i) − (F(ρ_0) − F(b))·d/L − (L − 1)·Σ_m Δd(m)·Σ_i e_i·P(Bin(L − 2, ρ_i) = m) with
ρ_i = r_{k0−1+i} the cells' ends, c_i the trapezoid weights (Δr_i + Δr_{i+1})/2, e_i = (Δr_i² − Δr_{i+1}²)/12 (Δr
beyond the ends 0) and F(x)_m = P(Bin(L, x) <= m) (∫_0^x b_{m,L−1} = P(Bin(L, x) > m)/L). The laws are summed on
their windows (:func:`boundcalc.count_noise_levels.block_levels`, the mass outside certified). The cells before
k0 keep the zone bound over the zones before the last ones (:func:`boundcalc.count_noise_local.twist_weights`
with ``head``). The computed ends ρ̂_i differ from φ(u_i) by at most δ_i (φ's relative error, u_i's rounding
times sup φ′; b̂'s own bound at the end): each R_k moves by at most (Δr_k + δ_{k−1} + δ_k)·(δ_{k−1} + δ_k) times
(4/3)·sup|G′| + (Δr_k/12)·sup|G″| (its two partial derivatives), sup|G″| <= 4(L − 1)(L − 2)·max|d|.
"""

from __future__ import annotations

from typing import Any

from .count_noise_local import ZONES

__all__ = ["TAIL_ZONES", "tail_pays", "tail_residual"]

_EPS = 2.0**-52
#: The last zones (of :data:`boundcalc.count_noise_local.ZONES`) whose cells are summed exactly at one T.
TAIL_ZONES = 2


def tail_pays(law: Any, span: float, zones: int = ZONES, tail_zones: int = TAIL_ZONES) -> bool:
    """Whether φ′ is largest in the last zones (linear: rising to 7; not cosine, cosine2 or geometric, whose φ′
    falls to 0 or near it at the end): only there do the cells' h⁴·φ′⁴ bounds peak where a drop at m = L − 2 sits."""
    import numpy as np

    z = np.arange(zones + 1, dtype=np.float64) * (span / zones)
    _, top = law.slope_range(z[:-1], z[1:])
    return bool(top[-tail_zones:].max() >= top.max())


def tail_residual(bracket: Any, steps: int, zones: int, tail_zones: int = TAIL_ZONES) -> tuple[Any, Any, float] | None:
    """(ρ, its entrywise error, the shift's factor of sup|G′|) with Σ_{k >= k0} R_k within ρ·d ± error·|d| ±
    factor·sup|G′| for the cells k0..T of ``bracket``'s noise at T = ``steps`` (every cell whose left end lies in the
    last ``tail_zones`` of ``zones`` equal zones of [0, 1 − δ], and one or two before them), or None when T is too
    small for zones of cells (h above a zone's width)."""
    import numpy as np

    from .count_noise_levels import block_levels

    L, law, s = bracket.L, bracket.law, bracket.s
    h = s / steps
    start = (zones - tail_zones) * (s / zones)  # the first tail zone's left end, as zone_variations computes it
    if L < 4 or h * (1 + 4 * _EPS) > s / zones * (1 - 1e-9):
        return None
    first = max(1, int(start / h) - 1)  # cells first..T: every cell with a left end >= start, and one or two more
    k = np.arange(first - 1, steps + 1, dtype=np.float64)
    u = k * s / steps  # within 4ε of k(1 − δ)/T
    rho = np.minimum(np.maximum.accumulate(law.phi(u)), bracket.end)
    rho[-1] = bracket.end
    moved = np.maximum(rho * law.relative + 4 * _EPS * law.slope_top, bracket.end_error)  # |ρ̂_i − r_i|
    moved[-1] = bracket.end_error
    width = np.diff(rho)  # the cells' Δr (exact: both ends within a factor 2, or within ε of it)
    pad = np.concatenate(([0.0], width, [0.0]))
    trap = (pad[:-1] + pad[1:]) / 2
    square = pad * pad
    em = (square[:-1] - square[1:]) / 12
    trap_error = 4 * _EPS * trap + 2 * _EPS * pad[1:]
    em_error = 8 * _EPS * (square[:-1] + square[1:]) / 12 + 4 * _EPS * np.abs(em)
    n = L - 1
    t_sum, t_error, t_shift, t_shift_error = block_levels(bracket.log_factorials, n, rho, [trap, trap_error])
    e_sum, e_error, e_shift, e_shift_error = block_levels(bracket.log_factorials, n - 1, rho, [em, em_error])
    integral, integral_error = _integral(bracket, float(rho[0]), float(rho[-1]))
    slope = np.zeros(L)
    slope[1:] += n * e_sum
    slope[:-1] -= n * e_sum
    slope_error = np.zeros(L)
    spread = n * (e_error + e_shift + e_shift_error + 2 * _EPS * np.abs(e_sum))
    slope_error[1:] += spread
    slope_error[:-1] += spread
    form = t_sum - integral - slope
    error = t_error + t_shift + t_shift_error + integral_error + slope_error \
        + 4 * _EPS * (np.abs(t_sum) + np.abs(integral) + np.abs(slope) + np.abs(form))
    both = moved[:-1] + moved[1:]
    reach = (width + both) * both
    factor = float(reach.sum()) * 4 / 3 * (1 + 16 * _EPS)
    bend = float((reach * (width + both)).sum()) / 12 * 4 * (L - 1) * (L - 2) * (1 + 16 * _EPS)  # per unit of max|d|
    return form, error * (1 + 8 * _EPS) + bend, factor


def _integral(bracket: Any, a: float, b: float) -> tuple[Any, Any]:
    """((F(a) − F(b))/L, its entrywise error): ∫_a^b G = that·d, F(x)_m = P(Bin(L, x) <= m), m = 0..L − 1."""
    from .count_brackets import binomial_pmf
    import numpy as np

    L = bracket.L
    out, slack = [], []
    for x in (a, b):
        pmf, rel = binomial_pmf(bracket.log_factorials, L, x)
        at_most = np.cumsum(pmf)[:-1]
        out.append(at_most)
        slack.append(np.cumsum(pmf * rel)[:-1] + at_most * (L + 4) * _EPS)
    value = (out[0] - out[1]) / L
    return value, (slack[0] + slack[1]) / L + 4 * _EPS * (np.abs(value) + (out[0] + out[1]) / L)
