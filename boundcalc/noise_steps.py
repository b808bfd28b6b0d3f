"""The step probabilities of ``mdlm:T:NOISE`` for MDLM's other noises, correctly rounded, for one T or many.

p_k = (α(t_k) − α(t_{k−1}))/(1 − α(t_{k−1})) and 1 − p_k = (1 − α(t_k))/(1 − α(t_{k−1})) on
t_k = (den − 99999k)/den, den = 10^5·T (δ = 10^−5), each the float64 nearest the exact value, as the 40-digit
builder :func:`mpmath_steps` gives them. Three passes, each only on what the one before leaves open
(docs/theory.md §12, "The step probabilities in double-double"):

1. long double (libm, forms without cancellation), a certified relative error of 48–96 units of its roundoff:
   an entry whose whole interval rounds to one float64 is that float64 (about 90 % of them);
2. double-double (:mod:`boundcalc.double_double`: no libm), relative error below 2^−92, tested against 2^−80:
   every other entry but a few in 10^8 (8 of the 1.3·10^8 steps of T = 1..16384, cosine);
3. mpmath at 40 digits for what is still open (a near-tie within 2^−80).

Every difference of cosines is a product of sines (cos a − cos b = 2 sin((a + b)/2) sin((b − a)/2),
1 − cos x = 2 sin²(x/2)), every difference of exponentials an e^{−σ}·(1 − e^{−gap}); every argument is a ratio
of exact integers, so no argument loses digits either (cosine2's sin((a + b)) is taken as sin(π − (a + b)) past
π/2, where the sum would).

:func:`prepare` builds many T at once (a sweep's rows) as one set of flat read-only arrays, which the lazy rows
of :mod:`boundcalc.count_noise_rows` are views into and :func:`step_probabilities` hands out.
"""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["step_probabilities", "prepare", "prepared", "PreparedSteps", "mpmath_steps", "ALPHA", "DD_RELATIVE"]

#: The double-double pass's relative error is below 512 OP_ERROR = 2^−92 (docs/theory.md §12); the test of
#: each entry's rounding uses 2^−80, which also covers the 40-digit builder's own error.
DD_RELATIVE = 2.0**-80
_RISE = 99999  # t_{k−1} − t_k = 99999/den
_CHUNK = 1 << 20  # steps per long double pass of :func:`prepare`
_LN1000 = "6.907755278982137052053974364053092622803304465886303488171793931"
_PI = "3.141592653589793238462643383279502884197169399375105820974944592"


class PreparedSteps:
    """The steps of ``mdlm:T:noise`` for every T of ``steps`` (sorted, distinct), row after row, laid out as a
    :class:`~boundcalc.count_flat.FlatSteps` is: row i is ``reveal[offsets[i]:offsets[i + 1]]`` (and the same
    slice of ``keep``), p_k and 1 − p_k for k = 1..T_i and then the noise removal (1, 0), as a sampler's
    ``reveal`` and ``keep`` are. The arrays are read-only and shared by every sampler built on them
    (:class:`~boundcalc.count_noise_rows.NoiseSampler`)."""

    __slots__ = ("noise", "steps", "offsets", "reveal", "keep", "_rows")

    def __init__(self, noise: str, steps: "Sequence[int]", offsets: Any, reveal: Any, keep: Any) -> None:
        self.noise, self.steps = noise, tuple(steps)
        self.offsets, self.reveal, self.keep = offsets, reveal, keep
        self._rows = {T: i for i, T in enumerate(self.steps)}

    def row(self, T: int) -> "int | None":
        """The row of T, or None when T was not prepared."""
        return self._rows.get(T)

    def probabilities(self, T: int) -> tuple[list[float], list[float]]:
        """(p_k, 1 − p_k for k = 1..T) of a prepared T, as lists."""
        i = self._rows[T]
        start, end = int(self.offsets[i]), int(self.offsets[i + 1]) - 1
        return self.reveal[start:end].tolist(), self.keep[start:end].tolist()


#: the last rows prepared for each noise (a sweep's): ~16 bytes a step, until the next :func:`prepare`
_PREPARED: dict[str, PreparedSteps] = {}


def step_probabilities(noise: str, T: int) -> tuple[list[float], list[float]]:
    """(p_k, 1 − p_k for k = 1..T) of ``mdlm:T:noise``, each the float64 nearest the exact value."""
    ready = _PREPARED.get(noise)
    if ready is not None and ready.row(T) is not None:
        return ready.probabilities(T)
    reveal, keep = _build(noise, [T])
    return reveal.tolist(), keep.tolist()


def prepared(noise: str) -> "PreparedSteps | None":
    """The rows :func:`prepare` built last for ``noise``, or None."""
    return _PREPARED.get(noise)


def prepare(noise: str, steps: Sequence[int]) -> PreparedSteps:
    """Build the step probabilities of every T of ``steps`` (1 <= T <= 100000; others are skipped) in a few
    vectorised passes, as one set of flat rows (:class:`PreparedSteps`), kept for :func:`step_probabilities`
    and :func:`prepared` until the next call for the same noise."""
    import numpy as np

    Ts = sorted({int(T) for T in steps if 1 <= int(T) <= 100_000})
    sizes = np.array(Ts, dtype=np.int64) + 1
    offsets = np.zeros(len(Ts) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    reveal, keep = np.ones(int(offsets[-1])), np.zeros(int(offsets[-1]))
    group: list[int] = []
    first = 0  # the row of group[0]
    for T in Ts + [0]:
        if T and sum(group) + T <= _CHUNK:
            group.append(T)
            continue
        if group:
            body = np.ones(int(offsets[first + len(group)] - offsets[first]), dtype=bool)
            body[np.cumsum(sizes[first:first + len(group)]) - 1] = False  # each row's noise removal stays (1, 0)
            where = np.flatnonzero(body) + offsets[first]
            reveal[where], keep[where] = _build(noise, group)
            first += len(group)
        group = [T] if T else []
    reveal.flags.writeable = keep.flags.writeable = offsets.flags.writeable = False
    out = PreparedSteps(noise, Ts, offsets, reveal, keep)
    _PREPARED[noise] = out
    return out


def _build(noise: str, Ts: list[int]) -> tuple[Any, Any]:
    """(p_k, 1 − p_k) of every T of ``Ts``, k = 1..T, one T after the other, as two float64 arrays."""
    import numpy as np

    T = np.repeat(np.array(Ts, dtype=np.int64), Ts)
    starts = np.cumsum([0] + Ts[:-1])
    k = np.arange(T.size, dtype=np.int64) - np.repeat(starts, Ts) + 1
    with np.errstate(all="ignore"):
        reveal_ld, keep_ld, bound = _LONG[noise](_Grid(Ts))
    reveal, sure = _settled_long(reveal_ld, bound)
    keep, sure_keep = _settled_long(keep_ld, bound)
    open_ = np.nonzero(~(sure & sure_keep))[0]
    if open_.size:
        p, q = _DOUBLE[noise](T[open_], k[open_])
        still = ~(dd_rounds(p) & dd_rounds(q))
        reveal[open_], keep[open_] = p[0], q[0]
        last = open_[still]
        for i, (pi, qi) in zip(last.tolist(), _mpmath_at(noise, T[last], k[last])):
            reveal[i], keep[i] = pi, qi
    return reveal, keep


def dd_rounds(x: tuple[Any, Any]) -> Any:
    from .double_double import rounds_to_hi

    return rounds_to_hi(x, DD_RELATIVE)


def _settled_long(values: Any, bound: float) -> tuple[Any, Any]:
    """(the float64 of each long double value, True where it is the correctly rounded value of every real within
    ``bound`` relative of it: both ends of the interval round to the same float64)."""
    import numpy as np

    wide = np.abs(values) * np.longdouble(bound * (1 + 2.0**-8))  # the product's own rounding, with room
    lo, hi = (values - wide).astype(np.float64), (values + wide).astype(np.float64)
    rounded = values.astype(np.float64)
    return rounded, (lo == hi) & np.isfinite(rounded)


# ---- pass 1: long double -------------------------------------------------------------------------------------

class _Grid:
    """The grid points t_i (i = 0..T) of every T, one after the other, and each step's two points: the long
    double pass evaluates α's parts once per point, not twice per step."""

    def __init__(self, Ts: Any) -> None:
        import numpy as np

        ld = np.longdouble
        Ts = np.asarray(Ts, dtype=np.int64)
        points = Ts + 1
        first = np.concatenate(([0], np.cumsum(points)[:-1]))
        self.den_t = Ts.astype(ld) * ld(10**5)  # den of each T
        self.den = np.repeat(self.den_t, points)  # of each point
        i = np.arange(self.den.size, dtype=np.int64) - np.repeat(first, points)
        self.num = self.den - ld(_RISE) * i.astype(ld)  # t_i·den, exact
        steps = np.arange(int(Ts.sum()), dtype=np.int64)
        self.after = steps + np.repeat(np.arange(Ts.size, dtype=np.int64) + 1, Ts)  # point k of step k
        self.before = self.after - 1
        self.of_step = np.repeat(np.arange(Ts.size), Ts)  # which T
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


_LONG = {"cosine": lambda g: _cosine_long(g, False), "cosine2": lambda g: _cosine_long(g, True),
         "linear": _linear_long, "geometric": _geometric_long}


def long_grid(noise: str, T: int) -> tuple[Any, Any, float]:
    """(p_k, 1 − p_k for k = 1..T in long double, their relative error bound): pass 1 alone, for one T."""
    import numpy as np

    with np.errstate(all="ignore"):
        return _LONG[noise](_Grid([T]))


# ---- pass 2: double-double -----------------------------------------------------------------------------------

def _dd_setup(T: Any, k: Any) -> tuple[Any, Any, Any]:
    """(den, t_{k−1}·den, t_k·den) as exact float64 integers (below 2^53: den <= 10^10)."""
    import numpy as np

    den = T.astype(np.float64) * 1e5
    return den, den - _RISE * (k - 1).astype(np.float64), den - _RISE * k.astype(np.float64)


def _cosine_dd(T: Any, k: Any, square: bool) -> tuple[Any, Any]:
    """The long double pass's forms; each argument π·(integer/den)·2^−j within 2.1 OP_ERROR, each sine within
    16, a square or product 33, the quotients 67 OP_ERROR (docs/theory.md §12)."""
    import numpy as np

    from . import double_double as dd

    den, before, after = _dd_setup(T, k)
    pi = dd.constant(_PI)
    scale = 0.5 if square else 0.25
    total = before + after
    if square:
        total = np.minimum(total, 2 * den - total)
    # one sine of all four arguments: a few hundred numpy operations whatever the size, so one call, not four
    q = dd.ratio(np.concatenate((before, after, total, np.full_like(den, _RISE))), np.concatenate((den,) * 4))
    a, b, both, rise = _parts(dd.sin(dd.mul((q[0] * scale, q[1] * scale), pi)), 4)
    masked = dd.mul(a, a)
    return dd.div(dd.mul(both, rise), masked), dd.div(dd.mul(b, b), masked)


def _linear_dd(T: Any, k: Any) -> tuple[Any, Any]:
    """σ within 1, e^{−σ} 23, 1 − e^{−σ} 66, 1 − e^{−gap} 9 OP_ERROR: p within 100, 1 − p within 133."""
    import numpy as np

    from . import double_double as dd

    den, before, after = _dd_setup(T, k)
    sigma = dd.ratio(np.concatenate((den + 6999 * before, den + 6999 * after, np.full_like(den, 6999 * _RISE))),
                     np.concatenate((1000 * den,) * 3))
    e = dd.exp_neg(sigma)  # e^{−σ_{k−1}}, e^{−σ_k}, e^{−gap}
    masked_before, masked_after, shrink = _parts(dd.one_minus_exp_neg(sigma, e), 3)
    e_after = _parts(e, 3)[1]
    return dd.div(dd.mul(e_after, shrink), masked_before), dd.div(masked_after, masked_before)


def _parts(x: tuple[Any, Any], count: int) -> list[tuple[Any, Any]]:
    """A double-double array of ``count`` equal parts (the arguments one call took together), split back."""
    n = x[0].size // count
    return [(x[0][i * n:(i + 1) * n], x[1][i * n:(i + 1) * n]) for i in range(count)]


def _geometric_dd(T: Any, k: Any) -> tuple[Any, Any]:
    """u·ln 1000 within 2.1, σ = e^{−u ln 1000} 31, e^{−σ} 47, 1 − e^{−σ} 123, 1 − e^{−Δ ln 1000} 84, the gap
    σ_{k−1}(1 − e^{−Δ ln 1000}) 115, 1 − e^{−gap} 330 OP_ERROR: p within 502, 1 − p within 247."""
    import numpy as np

    from . import double_double as dd

    den, before, after = _dd_setup(T, k)
    x = dd.mul(dd.ratio(np.concatenate((den - before, den - after, np.full_like(den, _RISE))),
                        np.concatenate((den,) * 3)), dd.constant(_LN1000))
    first = dd.exp_neg(x)  # σ_{k−1}, σ_k, e^{−Δ ln 1000}
    s_before, s_after, _ = _parts(first, 3)
    shrink = _parts(dd.one_minus_exp_neg(x, first), 3)[2]
    gap = dd.mul(s_before, shrink)
    y = (np.concatenate((s_before[0], s_after[0], gap[0])), np.concatenate((s_before[1], s_after[1], gap[1])))
    second = dd.exp_neg(y)  # e^{−σ_{k−1}}, e^{−σ_k}, e^{−gap}
    masked_before, masked_after, moved = _parts(dd.one_minus_exp_neg(y, second), 3)
    e_after = _parts(second, 3)[1]
    return dd.div(dd.mul(e_after, moved), masked_before), dd.div(masked_after, masked_before)


_DOUBLE = {"cosine": lambda T, k: _cosine_dd(T, k, False), "cosine2": lambda T, k: _cosine_dd(T, k, True),
           "linear": _linear_dd, "geometric": _geometric_dd}


def double_steps(noise: str, T: Any, k: Any) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """Pass 2 alone: (p, 1 − p) of the steps (T_j, k_j) as double-double pairs (hi, lo)."""
    import numpy as np

    return _DOUBLE[noise](np.asarray(T, dtype=np.int64), np.asarray(k, dtype=np.int64))


# ---- pass 3: mpmath at 40 digits -----------------------------------------------------------------------------

def _mpmath_at(noise: str, T: Any, k: Any) -> list[tuple[float, float]]:
    out = []
    for t, step in zip(T.tolist(), k.tolist()):
        out.extend(mpmath_steps(noise, t, [step]))
    return out


def mpmath_steps(noise: str, steps: int, ks: list[int]) -> list[tuple[float, float]]:
    """(p_k, 1 − p_k) of ``mdlm:steps:noise`` for each k of ``ks``, from α at 40 digits, each rounded once to
    float64 (mpmath divides correctly rounded), α only at the t the listed steps need: the reference."""
    import mpmath

    den = 10**5 * steps  # t_i = 1 − i(1 − δ)/T = (den − 99999·i)/den exactly
    out = []
    with mpmath.workdps(40):
        alpha = ALPHA[noise]
        values: dict[int, Any] = {}
        for k in ks:
            for i in (k - 1, k):
                if i not in values:
                    values[i] = alpha(mpmath.mpf(den - _RISE * i) / den)
            masked = 1 - values[k - 1]
            out.append((float((values[k] - values[k - 1]) / masked), float((1 - values[k]) / masked)))
    return out


def _alpha_linear(t: Any) -> Any:
    import mpmath

    smin, smax = mpmath.mpf(1) / 1000, mpmath.mpf(7)
    return mpmath.exp(-(smin + t * (smax - smin)))


def _alpha_cosine(t: Any) -> Any:
    import mpmath

    e = mpmath.mpf(1) / 1000
    return e + (1 - e) * mpmath.cos(mpmath.pi * t / 2)


def _alpha_cosine2(t: Any) -> Any:
    import mpmath

    e = mpmath.mpf(1) / 1000
    return e + (1 - e) * mpmath.cos(mpmath.pi * t / 2) ** 2


def _alpha_geometric(t: Any) -> Any:
    import mpmath

    smin, smax = mpmath.mpf(1) / 1000, mpmath.mpf(1)
    return mpmath.exp(-(smin ** (1 - t) * smax**t))


#: α(t) of each noise at mpmath's working precision (MDLM's noise_schedule.py with a run's constants).
ALPHA = {"linear": _alpha_linear, "cosine": _alpha_cosine, "cosine2": _alpha_cosine2, "geometric": _alpha_geometric}
