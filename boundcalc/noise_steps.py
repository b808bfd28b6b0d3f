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

from functools import lru_cache
from typing import Any, Sequence

__all__ = ["step_probabilities", "prepare", "prepared", "release", "PreparedSteps", "head_steps", "HEAD_STEPS",
           "mpmath_steps", "ALPHA", "DD_RELATIVE", "DD_BOUNDS"]

#: The double-double pass's relative error is below 2^13 OP_ERROR = 2^−88 (:data:`DD_BOUNDS`, docs/theory.md
#: §12); the test of each entry's rounding uses 2^−80, which also covers the 40-digit builder's own error.
DD_RELATIVE = 2.0**-80
#: each noise's derived bound on the double-double pass's relative error (p and 1 − p), in OP_ERROR
DD_BOUNDS = {"cosine": 67, "cosine2": 67, "linear": 133, "geometric": 4294}
_RISE = 99999  # t_{k−1} − t_k = 99999/den
_CHUNK = 1 << 20  # steps per long double pass of :func:`prepare`
_FEW = 16  # fewer T than this: pass 1 by libm (boundcalc.noise_libm), else along progressions
_LN1000 = "6.907755278982137052053974364053092622803304465886303488171793931"
_PI = "3.141592653589793238462643383279502884197169399375105820974944592"
_TINY = 2.0**-1022  # the least normal float64: below it the gaps are not 2^−52 of the value
#: the entries of each row's ``reveal`` a schedule's text reads (count_noise_rows.NoiseSampler.describe): p_1..p_6
HEAD_STEPS = 6


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


def release(noise: str) -> None:
    """Drop the rows :func:`prepare` kept for ``noise`` (a chunked sweep calls it before preparing the next chunk,
    so two chunks are never alive at once; samplers still holding views keep their own rows alive)."""
    _PREPARED.pop(noise, None)


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

    grid = _Steps(Ts)
    with np.errstate(all="ignore"):
        if len(Ts) < _FEW:  # libm once a point: cheaper than the progressions' tables for a few T
            from .noise_libm import LIBM_PASSES

            reveal_ld, keep_ld, bound_p, bound_q = LIBM_PASSES[noise](Ts)
        else:
            reveal_ld, keep_ld, bound_p, bound_q = _LONG[noise](grid)
    return _settled(noise, reveal_ld, keep_ld, bound_p, bound_q,
                    lambda open_: (grid.T[grid.lane[open_]], grid.k[open_]))


def _settled(noise: str, reveal_ld: Any, keep_ld: Any, bound_p: float, bound_q: float, steps_at: Any
             ) -> tuple[Any, Any]:
    """Passes 2 and 3 after pass 1: the float64 of each long double (p, 1 − p) where its bound settles it, else
    the double-double pass's where it rounds, else mpmath's; ``steps_at(indices)`` gives the (T, k) of entries."""
    import numpy as np

    reveal, sure = _settled_long(reveal_ld, bound_p)
    keep, sure_keep = _settled_long(keep_ld, bound_q)
    sure &= sure_keep
    open_ = np.flatnonzero(~sure)
    if open_.size:
        T, k = steps_at(open_)
        p, q = _DOUBLE[noise](T, k)
        still = ~(dd_rounds(p) & dd_rounds(q))
        reveal[open_], keep[open_] = p[0], q[0]
        last = open_[still]
        for i, (pi, qi) in zip(last.tolist(), _mpmath_at(noise, T[still], k[still])):
            reveal[i], keep[i] = pi, qi
    return reveal, keep


def head_steps(noise: str, steps: Sequence[int], count: int = HEAD_STEPS) -> tuple[Any, Any]:
    """The first ``count`` entries of each T's ``reveal`` and ``keep`` (p_k and 1 − p_k for k = 1..min(T, count),
    then the noise removal's (1, 0) when T < count, NaN past it), as two (len(steps), count) float64 arrays, bit for
    bit :func:`prepare`'s and :func:`step_probabilities`' floats (each entry the float64 nearest the exact value,
    by the same three passes: long double, here libm at the head's points only, then double-double and mpmath for
    what it leaves open), without building the other steps: ~count entries a T, not T (1 <= T <= 100000)."""
    import numpy as np

    from .noise_libm import LIBM_PASSES

    Ts = np.asarray(steps, dtype=np.int64).reshape(-1)
    if Ts.size and (Ts.min() < 1 or Ts.max() > 100_000):
        raise ValueError(f"T out of 1..100000 in the heads of {noise}")
    if not Ts.size:
        return np.empty((0, count)), np.empty((0, count))
    taken = np.minimum(Ts, count)
    first = np.cumsum(taken) - taken
    lane = np.repeat(np.arange(Ts.size), taken)
    k = np.arange(int(taken.sum()), dtype=np.int64) - np.repeat(first - 1, taken)
    with np.errstate(all="ignore"):
        reveal_ld, keep_ld, bound_p, bound_q = LIBM_PASSES[noise](Ts, count)
    p, q = _settled(noise, reveal_ld, keep_ld, bound_p, bound_q, lambda open_: (Ts[lane[open_]], k[open_]))
    reveal, keep = np.full((Ts.size, count), np.nan), np.full((Ts.size, count), np.nan)
    reveal[lane, k - 1], keep[lane, k - 1] = p, q
    short = np.flatnonzero(Ts < count)  # the noise removal right after the last step
    reveal[short, Ts[short]], keep[short, Ts[short]] = 1.0, 0.0
    return reveal, keep


def dd_rounds(x: tuple[Any, Any]) -> Any:
    from .double_double import rounds_to_hi

    return rounds_to_hi(x, DD_RELATIVE)


def _settled_long(values: Any, bound: float) -> tuple[Any, Any]:
    """(the float64 of each long double value, True where it is the correctly rounded value of every real within
    ``bound`` relative of it). On x87's 64-bit significand m (2^63 <= m < 2^64, explicit leading bit) rounding
    to float64 drops the low 11 bits f, so the half-way points sit at f = 1024, a float64 gap (2048 units of the
    value's last place) apart (docs/theory.md §12, "Settling a long double by its last bits"): every real within
    W = bound·(1 + 2^−8)·m units of it rounds as the value does when |f − 1024| > W and W < 512 (also across a
    power of two, where the gap below halves). W is taken in float64 and widened by 2^−50 for its two roundings."""
    import numpy as np

    rounded = values.astype(np.float64)
    sure = np.isfinite(rounded)
    np.greater_equal(rounded, _TINY, out=sure, where=sure)
    scale = bound * (1 + 2.0**-8) * (1 + 2.0**-50)
    if not _x87() or scale * 2.0**64 >= 512:  # not x87's layout, or too wide for the test: round both ends
        wide = np.abs(values) * np.longdouble(bound * (1 + 2.0**-8))
        lo, hi = (values - wide).astype(np.float64), (values + wide).astype(np.float64)
        return rounded, (lo == hi) & sure
    significand = values.view(np.uint64)[::2]
    f = np.bitwise_and(significand, np.uint64(2047)).astype(np.float64)
    f -= 1024.0
    np.abs(f, out=f)  # exact: small integers
    width = significand.astype(np.float64)
    width *= scale
    sure &= f > width
    return rounded, sure


@lru_cache(maxsize=None)
def _x87() -> bool:
    """numpy's long double is x87's 80-bit extended format, stored in 16 bytes little-endian (significand first)."""
    import numpy as np

    info = np.finfo(np.longdouble)
    return bool(info.nmant == 63 and np.dtype(np.longdouble).itemsize == 16 and np.little_endian)


# ---- pass 1: long double along progressions -------------------------------------------------------------------

class _Steps:
    """Every T's steps k = 1..T, T after T (step j of the batch is lane ``lane[j]``'s k): a step's two points are
    looked up in the values of :mod:`boundcalc.noise_progressions`, whose lanes lay their points out from a first
    slot each, by an index that runs down (points over n = T − i) or up (over i) along each lane."""

    def __init__(self, Ts: Any) -> None:
        import numpy as np

        self.T = np.asarray(Ts, dtype=np.int64)
        self.den = self.T.astype(np.float64) * 1e5  # den = 10^5·T, exact
        self.points = self.T + 1
        self.size = int(self.T.sum())
        self.first_step = np.cumsum(self.T) - self.T
        self.lane = np.repeat(np.arange(self.T.size), self.T)

    @property
    def k(self) -> Any:
        """Each step's k."""
        import numpy as np

        return np.arange(self.size, dtype=np.int64) - np.repeat(self.first_step - 1, self.T)

    def down(self, start: Any) -> Any:
        """start_j + T_j − k of every step (the slot of point k when lane j's points run over n = T − i from
        slot start_j; point k − 1 is the next slot)."""
        import numpy as np

        return np.repeat(start + self.T - 1 + self.first_step, self.T) - np.arange(self.size, dtype=np.int64)

    def up(self, start: Any) -> Any:
        """start_j + k of every step (the slot of point k when lane j's points run over i from slot start_j)."""
        import numpy as np

        return np.repeat(start + 1 - self.first_step, self.T) + np.arange(self.size, dtype=np.int64)

    def per_step(self, values: Any) -> Any:
        """A value per lane repeated over its steps."""
        import numpy as np

        return np.repeat(values, self.T)


def _cosine_long(steps: _Steps, square: bool) -> tuple[Any, Any, float, float]:
    """θ_i = sπ·t_i (s = 1/4, or 1/2 for cosine2) = π(T + 99999n)/(c·den), n = T − i, c = 4 or 2:
    p = sin(θ_k + θ_{k−1})·sin(θ_{k−1} − θ_k)/sin²θ_{k−1}, 1 − p = sin²θ_k/sin²θ_{k−1}; the sum of the two
    angles is π(2T + 99999(2m + 1))/(c·den), m = T − k, and for cosine2 past π/2 its supplement
    π·99999(2k − 1)/(2den), the difference π·99999/(c·den): progressions, all in one call (docs/theory.md §12)."""
    import numpy as np

    from .noise_progressions import LD_UNIT, sines

    c = 2.0 if square else 4.0
    T, den, lanes = steps.T.astype(np.float64), steps.den * c, steps.T.size
    one = np.ones_like(T)
    if square:  # the sums up to π/2 (m <= top: k >= T − top) and their supplements beyond (k < T − top)
        top = np.minimum(np.floor((steps.den - 2 * T - _RISE) / (2 * _RISE)), T - 1).astype(np.int64)
        direct, folded = top + 1, steps.T - top - 1
    else:
        top, direct, folded = steps.T - 1, steps.T, np.zeros_like(steps.T)
    # lanes: each T's points, its sums up to π/2, its supplements, its difference (a lane of one value)
    first = np.concatenate((T, 2 * T + _RISE, _RISE * one, _RISE * one))
    step = np.concatenate((_RISE * one, 2 * _RISE * one, 2 * _RISE * one, _RISE * one))
    counts = np.concatenate((steps.points, direct, folded, np.ones_like(steps.T)))
    live = counts > 0
    found = sines(first[live], step[live], np.tile(den, 4)[live], counts[live])
    starts = np.zeros(4 * lanes, dtype=np.int64)
    starts[live] = found.starts
    values = found.values
    half = values[:int(found.starts[lanes])]  # the points' slots come first (every point lane is live)
    masked = half * half
    rise = steps.per_step(values.take(starts[3 * lanes:]))
    index = steps.down(starts[lanes:2 * lanes])  # lane j's sums at start_j + m
    if square:  # and its supplements at start'_j + k − 1
        index = np.where(index <= steps.per_step(starts[lanes:2 * lanes] + top), index,
                         steps.up(starts[2 * lanes:3 * lanes] - 1))
    total = values.take(index)
    after = steps.down(starts[:lanes])
    below = masked.take(after + 1)
    e_square = 2 * found.bound + LD_UNIT
    bound_p = found.bound + found.bound + LD_UNIT + e_square + LD_UNIT
    bound_q = 2 * e_square + LD_UNIT
    p = total * rise
    p /= below
    q = masked.take(after)
    q /= below
    return p, q, bound_p * 1.01, bound_q * 1.01


def _linear_long(steps: _Steps) -> tuple[Any, Any, float, float]:
    """σ_i = (1 + 6999t_i)/1000 = (den + 6999(T + 99999n))/(1000·den), n = T − i, a progression: e^{−σ} and
    1 − e^{−σ} from :func:`~boundcalc.noise_progressions.exponentials`, and in the same call 1 − e^{−gap}
    (gap = 6999·99999/(1000·den), a lane of one value): p = e^{−σ_k}(1 − e^{−gap})/(1 − e^{−σ_{k−1}}),
    1 − p = (1 − e^{−σ_k})/(1 − e^{−σ_{k−1}})."""
    import numpy as np

    from .noise_progressions import LD_UNIT, exponentials

    T = steps.T.astype(np.float64)
    gap = np.full_like(T, 6999.0 * _RISE)
    found = exponentials(np.concatenate((steps.den + 6999 * T, gap)), np.concatenate((gap, gap)),
                         np.tile(1000 * steps.den, 2), None, np.concatenate((steps.points, np.ones_like(steps.T))))
    lanes = steps.T.size
    masked = found.rest
    shrink = steps.per_step(masked.take(found.starts[lanes:]))
    after = steps.down(found.starts[:lanes])
    below = masked.take(after + 1)
    bound_p = found.bound + 2 * LD_UNIT + LD_UNIT + found.bound + LD_UNIT
    p = found.values.take(after) * shrink
    p /= below
    q = masked.take(after)
    q /= below
    return p, q, bound_p * 1.01, (2 * found.bound + LD_UNIT) * 1.01


def _geometric_long(steps: _Steps) -> tuple[Any, Any, float, float]:
    """σ_i = 1000^{−u_i} = e^{−(99999i/den)·ln 1000}, a progression in i, and 1 − 1000^{−99999/den} in the same
    call (:func:`~boundcalc.noise_progressions.exponentials`, within e_σ); then libm, within 4 ulps = 8u each:
    e^{−σ} and 1 − e^{−σ} within 8u + e_σ (condition <= 1 for σ <= 1), the gap σ_{k−1}(1 − 1000^{−99999/den})
    within 2e_σ + u, 1 − e^{−gap} within 8u + that: p = e^{−σ_k}(1 − e^{−gap})/(1 − e^{−σ_{k−1}}),
    1 − p = (1 − e^{−σ_k})/(1 − e^{−σ_{k−1}})."""
    import numpy as np

    from . import double_double as dd
    from .noise_progressions import LD_UNIT, exponentials

    T = steps.T.astype(np.float64)
    rise = np.full_like(T, float(_RISE))
    found = exponentials(np.concatenate((np.zeros_like(T), rise)), np.concatenate((rise, rise)),
                         np.tile(steps.den, 2), dd.constant(_LN1000),
                         np.concatenate((steps.points, np.ones_like(steps.T))))
    lanes, e_sigma = steps.T.size, found.bound
    shrink = steps.per_step(found.rest.take(found.starts[lanes:]))
    # −σ at the points' slots (over i); e^{−σ} − 1 and e^{−gap} − 1 kept negative: their signs cancel in p, 1 − p
    minus = np.negative(found.values[:int(found.starts[lanes])])
    after = steps.up(found.starts[:lanes])
    before = after - 1
    masked = np.expm1(minus)
    below = masked.take(before)
    moved = minus.take(before)
    moved *= shrink
    np.expm1(moved, out=moved)
    libm = 8 * LD_UNIT
    e_masked = libm + e_sigma
    e_moved = libm + 2 * e_sigma + 2 * LD_UNIT
    bound_p = e_masked + e_moved + e_masked + 2 * LD_UNIT
    p = np.exp(minus.take(after))
    p *= moved
    p /= below
    q = masked.take(after)
    q /= below
    return p, q, bound_p * 1.01, (2 * e_masked + LD_UNIT) * 1.01


_LONG = {"cosine": lambda g: _cosine_long(g, False), "cosine2": lambda g: _cosine_long(g, True),
         "linear": _linear_long, "geometric": _geometric_long}


def long_grid(noise: str, T: int, progressions: bool = False) -> tuple[Any, Any, float]:
    """(p_k, 1 − p_k for k = 1..T in long double, a bound on their relative errors): pass 1 alone, for one T, as
    :func:`step_probabilities` takes it (libm), or along progressions as :func:`prepare` takes it for many T."""
    import numpy as np

    from .noise_libm import LIBM_PASSES

    with np.errstate(all="ignore"):
        p, q, bound_p, bound_q = _LONG[noise](_Steps([T])) if progressions else LIBM_PASSES[noise]([T])
    return p, q, max(bound_p, bound_q)


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
    # one sine of every argument (a few hundred numpy operations whatever the size, so one call): the two points
    # and the sum of each step, the difference once per distinct T
    Ts, which = np.unique(T, return_inverse=True)
    n = den.size
    q = dd.ratio(np.concatenate((before, after, total, np.full(Ts.size, float(_RISE)))),
                 np.concatenate((den, den, den, Ts.astype(np.float64) * 1e5)))
    sines = dd.sin(dd.mul((q[0] * scale, q[1] * scale), pi))
    a, b, both = _parts((sines[0][:3 * n], sines[1][:3 * n]), 3)
    rise = (sines[0][3 * n:][which], sines[1][3 * n:][which])
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
    """u·ln 1000 within 2.1, σ = e^{−u ln 1000} 31, e^{−σ} 47, 1 − e^{−σ} 2080 (from e^{−σ},
    :func:`~boundcalc.double_double.one_minus_exp_neg_cancelling`), 1 − e^{−Δ ln 1000} 84, the gap
    σ_{k−1}(1 − e^{−Δ ln 1000}) 116, e^{−gap} 132, 1 − e^{−gap} 2165 OP_ERROR: p within 4294, 1 − p within 4161
    (:data:`DD_BOUNDS`). 1 − e^{−Δ ln 1000} once per distinct T."""
    import numpy as np

    from . import double_double as dd

    den, before, after = _dd_setup(T, k)
    ln1000 = dd.constant(_LN1000)
    x = dd.mul(dd.ratio(np.concatenate((den - before, den - after)), np.concatenate((den, den))), ln1000)
    s_before, s_after = _parts(dd.exp_neg(x), 2)  # σ_{k−1}, σ_k
    Ts, which = np.unique(T, return_inverse=True)
    ratio = dd.mul(dd.ratio(np.full(Ts.size, float(_RISE)), Ts.astype(np.float64) * 1e5), ln1000)
    shrink = dd.one_minus_exp_neg(ratio)
    gap = dd.mul(s_before, (shrink[0][which], shrink[1][which]))
    y = (np.concatenate((s_before[0], s_after[0], gap[0])), np.concatenate((s_before[1], s_after[1], gap[1])))
    second = dd.exp_neg(y)  # e^{−σ_{k−1}}, e^{−σ_k}, e^{−gap}
    masked_before, masked_after, moved = _parts(dd.one_minus_exp_neg_cancelling(y, second), 3)
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
