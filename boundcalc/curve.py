"""The loss curve of a mask predictor: the conditional entropy profile d(m), measured.

The exact sampler error of *any* schedule is a functional of one curve
(docs/truth.md, docs/theory.md section 14):

    d(m) = E H(X^(i) | X∘W),  |W| = m revealed,  i ∉ W,   m = 0..L-1.

A masked-diffusion model's mean cross-entropy per masked token, with k of L
tokens masked uniformly at random, estimates d(L - k) (it is MDLM's / LLaDA's
training loss at mask ratio k/L) -- from above: a model's excess loss acts like
ε_train. A :class:`LossCurve` holds such measurements (k, loss, optional
stderr), fits a curve that is non-increasing in m (weighted isotonic
regression, :func:`isotonic_nondecreasing`), and interpolates it to every m
(linear, or monotone cubic: :func:`pchip`). Everything computed from a
measured curve is an **estimate**; the error of a schedule is linear in d, so
the stderr of the measurements propagates exactly through the fit
(:meth:`LossCurve.stderr_of`), and the effect of the interpolation is measured
by comparing linear and monotone-cubic (``|linear - pchip|``).

File format (CSV, one header line; ``#`` comments and blank lines ignored)::

    masked,loss_nats,stderr_nats        masked_fraction,loss_bits
    1,0.0561                            0.25,1.02
    8,0.0902                            0.5,1.31
    32,0.6931                           1,1.58

``masked`` is k in 1..L; ``masked_fraction`` is k/L in (0, 1] (then the length
L must be given; k = round(fL)); the loss column is ``loss_nats`` or
``loss_bits``; ``stderr_nats``/``stderr_bits`` (same unit) is optional.

>>> c = LossCurve(length=4, masked=[1, 2, 4], loss=[0.1, 0.3, 0.5])
>>> c.conditional().tolist()   # d(0..3): d(L - k) = loss at k masked, linear in between
[0.5, 0.4, 0.3, 0.1]

This module is a value object: it imports only errors, exact, files and units (numpy lazily).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .errors import InvalidNumberError, ProfileError, UsageError
from .exact import parse_rational
from .files import read_text
from .units import Unit, as_unit, display_unit, from_nats, to_nats

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "LossCurve",
    "load_loss_curve",
    "isotonic_nondecreasing",
    "pchip",
    "CURVE_FORMAT",
    "INTERPOLATIONS",
    "REJECT_SIGMAS",
]

#: How a loss-curve file looks (said in every file error).
CURVE_FORMAT = (
    "CSV with a header: masked,loss_nats (or loss_bits), masked = k in 1..L, or masked_fraction in (0, 1] "
    "with the length given; optional stderr_nats/stderr_bits"
)

#: Interpolations between measured points.
INTERPOLATIONS = ("linear", "pchip")

#: A point whose loss departs from the non-increasing fit by more than this many stderr is rejected.
REJECT_SIGMAS = 3.0

# Without stderr only floating-point noise may break monotonicity (relative to the largest loss).
_NOISE = 1e-9
# Largest L whose curve is materialised (d is an array of L floats).
MAX_CURVE_LENGTH = 10_000_000
#: Largest loss (and stderr) per token a curve may hold, in nats: ln V for V = e^(10^6), far beyond any
#: vocabulary; larger values (1e400, 2e308) would overflow float64 (alone or times L) and are refused.
MAX_LOSS = 1e6


def isotonic_nondecreasing(values: Sequence[float], weights: Sequence[float] | None = None) -> tuple[list[float], list[int]]:
    """Weighted least-squares non-decreasing fit (pool adjacent violators), and each point's block index.

    Exact PAVA: the fit minimises Σ w_i (y_i - f_i)^2 over non-decreasing f;
    each block's value is the weighted mean of its points, so the fit is linear
    in y for a fixed block structure (which is how stderr propagates).

    >>> isotonic_nondecreasing([1.0, 3.0, 2.0, 4.0])
    ([1.0, 2.5, 2.5, 4.0], [0, 1, 1, 2])
    """
    n = len(values)
    w = [1.0] * n if weights is None else [float(x) for x in weights]
    # blocks: [total weight, weighted sum, first index]
    blocks: list[list[float]] = []
    for i, (y, wi) in enumerate(zip(values, w)):
        blocks.append([wi, wi * float(y), i])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            wb, sb, _ = blocks.pop()
            blocks[-1][0] += wb
            blocks[-1][1] += sb
    fit, block_of = [0.0] * n, [0] * n
    for b, (wb, sb, start) in enumerate(blocks):
        end = int(blocks[b + 1][2]) if b + 1 < len(blocks) else n
        for i in range(int(start), end):
            fit[i] = sb / wb
            block_of[i] = b
    return fit, block_of


def pchip(x: "np.ndarray", y: "np.ndarray", at: "np.ndarray") -> "np.ndarray":
    """Monotone piecewise-cubic Hermite interpolation (Fritsch-Carlson / Butland slopes); flat outside [x0, xn].

    Interior slopes are the weighted harmonic mean of the neighbouring secants
    (0 at a local extremum), end slopes the end secants, so monotone data give
    a monotone interpolant that passes through every point.

    >>> import numpy as np
    >>> [round(float(v), 6) for v in pchip(np.array([0.0, 1.0, 3.0]), np.array([2.0, 1.0, 0.0]), np.array([0.0, 2.0, 3.0]))]
    [2.0, 0.451923, 0.0]
    """
    import numpy as np

    x, y, at = np.asarray(x, float), np.asarray(y, float), np.asarray(at, float)
    if x.size == 1:
        return np.full(at.shape, y[0])
    h = np.diff(x)
    delta = np.diff(y) / h
    slope = np.empty_like(y)
    slope[0], slope[-1] = delta[0], delta[-1]
    if x.size > 2:
        h0, h1, d0, d1 = h[:-1], h[1:], delta[:-1], delta[1:]
        w1, w2 = 2 * h1 + h0, h1 + 2 * h0
        same = d0 * d1 > 0
        # a secant of 1e-308 makes w1/d0 overflow to inf: the harmonic mean is then 0 (its limit, and below the
        # smallest float anyway); where the secants differ in sign it is not used
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            harmonic = (w1 + w2) / (w1 / d0 + w2 / d1)
        slope[1:-1] = np.where(same, harmonic, 0.0)
    clipped = np.clip(at, x[0], x[-1])
    j = np.clip(np.searchsorted(x, clipped, side="right") - 1, 0, x.size - 2)
    t = (clipped - x[j]) / h[j]
    h00, h10 = (1 + 2 * t) * (1 - t) ** 2, t * (1 - t) ** 2
    h01, h11 = t * t * (3 - 2 * t), t * t * (t - 1)
    out = h00 * y[j] + h10 * h[j] * slope[j] + h01 * y[j + 1] + h11 * h[j] * slope[j + 1]
    lo, hi = np.minimum(y[j], y[j + 1]), np.maximum(y[j], y[j + 1])
    return np.clip(out, lo, hi)


@dataclass(frozen=True, eq=False)
class LossCurve:
    """Measured (or exact) loss per masked token at k of L masked, in nats: an estimate of d(L - k).

    ``masked`` (k, 1..L, distinct) and ``loss`` (nats, >= 0) are the
    measurements; ``stderr`` (nats) their standard errors, or None. ``lines``
    (the file line of each point) make errors name the line. ``exact`` marks
    the curve of a known data model (no estimate involved beyond float64).
    Points are kept sorted by k. Validation rejects a curve whose loss falls
    as more tokens are masked by more than :data:`REJECT_SIGMAS` stderr (or,
    without stderr, by more than floating-point noise).

    >>> c = LossCurve(length=8, masked=[8, 4, 1], loss=[0.7, 0.5, 0.1], stderr=[0.01, 0.01, 0.02])
    >>> c.masked.tolist(), c.measured_sizes.tolist()
    ([1, 4, 8], [7, 4, 0])
    >>> round(c.mi_total(), 6), c.is_estimate
    (4.8, True)
    """

    length: int
    masked: Any
    loss: Any
    stderr: Any = None
    source: str = ""
    unit: "Unit | str" = Unit.NATS
    lines: tuple[int, ...] | None = None
    exact: bool = False
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        import numpy as np

        L = self.length
        if isinstance(L, bool) or not isinstance(L, int) or L < 1:
            raise UsageError(f"L = {L!r} is not allowed", param="length", allowed="a positive integer")
        if L > MAX_CURVE_LENGTH:
            raise UsageError(f"L = {L} is too long for a curve", param="length", allowed=f"L <= {MAX_CURVE_LENGTH}")
        object.__setattr__(self, "unit", as_unit(self.unit))
        k = np.asarray(self.masked)
        y = np.asarray(self.loss, dtype=np.float64)
        se = None if self.stderr is None else np.asarray(self.stderr, dtype=np.float64)
        if k.ndim != 1 or k.size < 1 or y.shape != k.shape or (se is not None and se.shape != k.shape):
            raise UsageError("a loss curve needs one or more points (masked, loss[, stderr])", param="loss")
        if k.dtype.kind not in "iu":
            if not np.all(np.equal(np.mod(k, 1), 0)):
                raise UsageError("masked counts must be integers", param="masked", allowed="k in 1..L")
            k = k.astype(np.int64)
        lines = self.lines
        if lines is not None and len(lines) != k.size:
            raise UsageError("lines must give one line per point", param="lines")
        order = np.argsort(k, kind="stable")
        k, y = k[order].astype(np.int64), y[order]
        se = None if se is None else se[order]
        lines = None if lines is None else tuple(lines[i] for i in order.tolist())
        object.__setattr__(self, "lines", lines)

        def where(i: int) -> str:
            return f"line {lines[i]}" if lines is not None else f"point masked = {int(k[i])}"

        for i in range(k.size):
            if not 1 <= k[i] <= L:
                raise self._error(f"{where(i)}: masked = {int(k[i])} is out of range", f"masked k in 1..L = {L}")
            if i and k[i] == k[i - 1]:
                raise self._error(f"{where(i)}: masked = {int(k[i])} appears twice (also {where(i - 1)})",
                                  "one loss per masked count")
            if not math.isfinite(y[i]) or y[i] < 0:
                raise self._error(f"{where(i)}: loss {y[i]!r} is not allowed", "losses are finite and >= 0")
            if se is not None and (not math.isfinite(se[i]) or se[i] < 0):
                raise self._error(f"{where(i)}: stderr {se[i]!r} is not allowed", "stderr values are finite and >= 0")
        for name, arr in (("masked", k), ("loss", y), ("stderr", se)):
            if arr is not None:
                arr = arr.copy()
                arr.setflags(write=False)
                object.__setattr__(self, name, arr)
        self._check_monotone(where)

    def _error(self, message: str, allowed: str) -> ProfileError:
        return ProfileError(message, param=self.source or "loss curve", allowed=allowed)

    # -- fit ----------------------------------------------------------------------------
    def _weights(self) -> list[float] | None:
        if self.stderr is None:
            return None
        floor = 1e-12 * max(1.0, float(self.loss.max()))
        return [1.0 / max(float(s), floor) ** 2 for s in self.stderr]

    def _pava(self) -> tuple[list[float], list[int]]:
        if "pava" not in self._cache:
            self._cache["pava"] = isotonic_nondecreasing(self.loss.tolist(), self._weights())
        return self._cache["pava"]

    def _check_monotone(self, where: Callable[[int], str]) -> None:
        fit, block_of = self._pava()
        y, k = self.loss, self.masked
        noise = _NOISE * max(1.0, float(y.max()))
        se = self.stderr
        worst, worst_z = None, 0.0
        for i in range(y.size):
            allowed = noise + (REJECT_SIGMAS * float(se[i]) if se is not None else 0.0)
            excess = abs(float(y[i]) - fit[i]) - allowed
            if excess > 0:
                z = excess / allowed
                if worst is None or z > worst_z:
                    worst, worst_z = i, z
        if worst is None:
            return
        i = worst
        same = [j for j in range(y.size) if block_of[j] == block_of[i]]
        if y[i] > fit[i]:  # too high: a point with more tokens masked has a lower loss
            j = min((j for j in same if k[j] > k[i]), key=lambda j: y[j])
        else:  # too low: a point with fewer tokens masked has a higher loss
            j = max((j for j in same if k[j] < k[i]), key=lambda j: y[j])
        lo, hi = (i, j) if k[i] < k[j] else (j, i)
        beyond = f"beyond {REJECT_SIGMAS:g} stderr" if se is not None else "and no stderr column allows for noise"
        raise self._error(
            f"{where(lo)}: loss {float(y[lo])!r} with {int(k[lo])} masked is above loss {float(y[hi])!r} with "
            f"{int(k[hi])} masked ({where(hi)}), {beyond}: not a loss curve",
            "the loss per masked token must not fall as more tokens are masked (d is non-increasing)",
        )

    def require_slope(self) -> "LossCurve":
        """This curve, if it can answer: a measured curve of a single point (L > 1) is refused, since one ratio
        determines no slope of d: ΣI and every error would come out 0 ("T = 1 reaches any target")."""
        if self.masked.size < 2 and self.length > 1 and not self.exact:
            raise ProfileError("a measured loss curve of a single point determines no slope of d (ΣI would be 0)",
                               param=self.source or "loss", allowed="two or more mask ratios, e.g. 1/L and 1")
        return self

    @property
    def is_estimate(self) -> bool:
        """True for a measured curve (everything computed from it is an estimate)."""
        return not self.exact

    @property
    def measured_sizes(self) -> "np.ndarray":
        """m = L - k of each point (revealed tokens), in the order of ``masked``."""
        return self.length - self.masked

    @property
    def fitted(self) -> "np.ndarray":
        """The isotonic fit at each measured k (non-decreasing in k), nats."""
        import numpy as np

        return np.array(self._pava()[0])

    def extrapolated(self) -> list[tuple[int, int]]:
        """The ranges of m (inclusive) outside the measured ones, where d is held flat."""
        L = self.length
        lo, hi = L - int(self.masked[-1]), L - int(self.masked[0])
        out = []
        if lo > 0:
            out.append((0, lo - 1))
        if hi < L - 1:
            out.append((hi + 1, L - 1))
        return out

    def conditional(self, interpolation: str = "linear") -> "np.ndarray":
        """d(0), ..., d(L-1) in nats: the fit interpolated (linear or pchip), flat beyond the measured range."""
        import numpy as np

        if interpolation not in INTERPOLATIONS:
            raise UsageError(f"interpolation {interpolation!r} is unknown", param="interpolation",
                             allowed=" or ".join(INTERPOLATIONS))
        key = f"d_{interpolation}"
        if key not in self._cache:
            m = (self.length - self.masked)[::-1].astype(np.float64)  # ascending m
            fit = self.fitted[::-1]  # non-increasing in m
            grid = np.arange(self.length, dtype=np.float64)
            if self.masked.size == self.length:  # every m measured: no interpolation
                d = fit.copy()
            elif interpolation == "linear":
                d = np.interp(grid, m, fit)
            else:
                d = pchip(m, fit, grid)
            d = np.minimum.accumulate(d)  # guard: exactly non-increasing
            d.setflags(write=False)
            self._cache[key] = d
        return self._cache[key]

    # -- linear functionals and their stderr -------------------------------------------------
    def point_weights(self, coefficients: "np.ndarray") -> "np.ndarray":
        """a_i = ∂/∂y_i of Σ_m c_m d(m) (linear interpolation, the fit's block structure fixed).

        A functional linear in d is then Σ_i a_i y_i, so its stderr is
        sqrt(Σ_i a_i² se_i²) for independent measurements.
        """
        import numpy as np

        c = np.asarray(coefficients, dtype=np.float64)
        L = self.length
        if c.shape != (L,):
            raise UsageError(f"expected {L} coefficients", param="coefficients")
        m = (L - self.masked)[::-1].astype(np.int64)  # ascending
        n = m.size
        a_fit = np.zeros(n)  # weight on each fitted value, ascending m
        grid = np.arange(L)
        j = np.clip(np.searchsorted(m, grid, side="right") - 1, 0, n - 1)
        below = grid <= m[0]
        above = grid >= m[-1]
        inside = ~below & ~above
        np.add.at(a_fit, np.zeros(int(below.sum()), dtype=np.int64), c[below])
        np.add.at(a_fit, np.full(int(above.sum()), n - 1, dtype=np.int64), c[above])
        if n > 1 and inside.any():
            ji = j[inside]
            t = (grid[inside] - m[ji]) / (m[ji + 1] - m[ji])
            np.add.at(a_fit, ji, c[inside] * (1 - t))
            np.add.at(a_fit, ji + 1, c[inside] * t)
        a_fit = a_fit[::-1]  # back to ascending k
        _, block_of = self._pava()
        w = np.ones(n) if self.stderr is None else np.array(self._weights())
        blocks = np.array(block_of)
        total_w = np.bincount(blocks, weights=w)
        # the fit of a block is Σ w_i y_i / W; each member's fitted value is that block value
        block_a = np.bincount(blocks, weights=a_fit)
        return block_a[blocks] * w / total_w[blocks]

    def stderr_of(self, coefficients: "np.ndarray") -> float | None:
        """The standard error (nats) of Σ_m c_m d(m), or None without stderr."""

        if self.stderr is None:
            return None
        a = self.point_weights(coefficients)
        return float(math.sqrt(math.fsum((a * a * self.stderr * self.stderr).tolist())))

    def mi_total(self, interpolation: str = "linear") -> float:
        """ΣI = L (d(0) - d(L-1)), nats (an estimate for a measured curve)."""
        d = self.conditional(interpolation)
        return max(self.length * (float(d[0]) - float(d[-1])), 0.0)

    # -- files ----------------------------------------------------------------------------
    @classmethod
    def from_conditional(cls, conditional: Sequence[float], *, source: str = "", exact: bool = True) -> "LossCurve":
        """The curve with every k = 1..L from d(0..L-1) (nats): loss at k masked = d(L - k).

        Tiny negative rounding residues are written as 0.
        """
        import numpy as np

        d = np.maximum(np.asarray(conditional, dtype=np.float64), 0.0)
        L = int(d.size)
        return cls(length=L, masked=np.arange(1, L + 1), loss=d[::-1], source=source, exact=exact)

    def to_csv(self) -> str:
        """The CSV text (``masked,loss_<unit>[,stderr_<unit>]``) with shortest round-trip decimals, in the
        display unit (:func:`boundcalc.units.display`; the curve itself is in nats)."""
        unit = display_unit()
        header = f"masked,loss_{unit.value}" + (f",stderr_{unit.value}" if self.stderr is not None else "")
        rows = [header]
        for i, k in enumerate(self.masked.tolist()):
            row = f"{k},{_decimal(from_nats(float(self.loss[i]), unit))}"
            if self.stderr is not None:
                row += f",{_decimal(from_nats(float(self.stderr[i]), unit))}"
            rows.append(row)
        return "\n".join(rows) + "\n"

    def write(self, path: str | Path) -> Path:
        """Write :meth:`to_csv` to ``path`` (atomically: :func:`boundcalc.files.write_output`)."""
        from .files import write_output

        return write_output(path, self.to_csv())

    def describe(self) -> str:
        """One line: source, L, points, stderr or not."""
        kind = "exact curve" if self.exact else "loss curve (measured: estimates)"
        se = "with stderr" if self.stderr is not None else "no stderr"
        return f"{kind} {self.source or ''}".rstrip() + f": L = {self.length}, {self.masked.size} points, {se}"


def _decimal(x: float) -> str:
    return "0" if x <= 0 else repr(x)


_LOSS = {"loss_nats": "nats", "loss_bits": "bits"}
_STDERR = {"stderr_nats": "nats", "stderr_bits": "bits"}


def load_loss_curve(path: str | Path, length: int | None = None, *, exact: bool = False) -> LossCurve:
    """Read a loss-curve CSV (see the module docstring); errors name the file and line.

    ``length`` is required with ``masked_fraction`` and, when given with
    ``masked``, is L (otherwise L is the largest k, which must then be measured
    with everything masked).
    """
    name = str(path)
    text = read_text(path, ProfileError, name, CURVE_FORMAT)
    rows = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(text.splitlines(), 1)]
    rows = [(n, line) for n, line in rows if line]
    if not rows:
        raise ProfileError(f"{name!r} has no data", param=name, allowed=CURVE_FORMAT)
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header.split(",")]

    def bad(message: str, line: int | None = None) -> ProfileError:
        # a data row's error is specific enough; the header's says what the format is
        at = f"line {line}: " if line else ""
        return ProfileError(f"{at}{message}", param=name, allowed=CURVE_FORMAT if line == header_line else None)

    if len(set(columns)) != len(columns):
        raise bad(f"the header {header!r} repeats a column", header_line)
    known = {"masked", "masked_fraction", *_LOSS, *_STDERR}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise bad(f"unknown column {unknown[0]!r} in the header {header!r}", header_line)
    x_cols = [c for c in columns if c in ("masked", "masked_fraction")]
    loss_cols = [c for c in columns if c in _LOSS]
    se_cols = [c for c in columns if c in _STDERR]
    if len(x_cols) != 1 or len(loss_cols) != 1 or len(se_cols) > 1:
        raise bad(f"the header {header!r} needs one of masked/masked_fraction and one of loss_nats/loss_bits",
                  header_line)
    unit = _LOSS[loss_cols[0]]
    if se_cols and _STDERR[se_cols[0]] != unit:
        raise bad(f"{se_cols[0]} and {loss_cols[0]} are in different units", header_line)
    fractional = x_cols[0] == "masked_fraction"
    if fractional and length is None:
        raise UsageError(f"{name!r} gives masked_fraction, so the sequence length is needed", param="length",
                         allowed="the sequence length L")
    ix, iy = columns.index(x_cols[0]), columns.index(loss_cols[0])
    ise = columns.index(se_cols[0]) if se_cols else None
    ks, ys, ses, lines = _read_points(rows[1:], bad, columns, (ix, iy, ise), length if fractional else None, length,
                                      to_nats(1.0, unit))  # a curve in bits is read into nats
    if not ks:
        raise ProfileError(f"{name!r} has a header but no points", param=name, allowed=CURVE_FORMAT)
    L = length if length is not None else max(ks)
    return LossCurve(length=L, masked=ks, loss=ys, stderr=ses if ise is not None else None, source=name,
                     unit=unit, lines=tuple(lines), exact=exact).require_slope()


def _read_points(rows, bad, columns, indices, fraction_of, length, scale):
    """(ks, losses in nats, stderrs in nats, line numbers) from the data rows; ``bad(message, line)`` builds errors.

    ``fraction_of`` is L when the first column is masked_fraction (k = round(f L)), else None.
    """
    ix, iy, ise = indices
    x_name, loss_name = columns[ix], columns[iy]
    ks, ys, ses, lines = [], [], [], []
    seen: dict[int, int] = {}
    for n, line in rows:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(columns):
            raise bad(f"{len(cells)} cells, the header has {len(columns)}", n)

        def number(cell: str, what: str) -> Fraction:
            try:
                return parse_rational(cell)
            except InvalidNumberError:
                raise bad(f"{what} {cell!r} is not a number", n) from None

        if fraction_of is None and _PLAIN_INTEGER.match(cells[ix]):  # the common cell, without a Fraction
            x: Fraction | int = int(cells[ix])
        else:
            x = number(cells[ix], x_name)
        if fraction_of is not None:
            if not 0 < x <= 1:
                raise bad(f"masked_fraction {cells[ix]} is out of range (0 < f <= 1)", n)
            k = math.floor(x * fraction_of + Fraction(1, 2))
            if k < 1:
                raise bad(f"masked_fraction {cells[ix]} masks no token at L = {fraction_of} (k = round(f L) = 0)", n)
        else:
            if x.denominator != 1:
                raise bad(f"masked {cells[ix]} is not an integer", n)
            k = int(x)
            if k < 1 or (length is not None and k > length):
                raise bad(f"masked = {k} is out of range (k in 1..L{'' if length is None else f' = {length}'})", n)
        if k in seen:
            raise bad(f"masked = {k} appears twice (also line {seen[k]})", n)
        seen[k] = n
        fast = _plain_float(cells[iy], scale)
        if fast is not None:
            ks.append(k)
            ys.append(fast)
            lines.append(n)
            if ise is not None:
                ses.append(_stderr_of(cells[ise], columns[ise], scale, number, bad, n))
            continue
        y = number(cells[iy], loss_name)
        if y < 0:
            raise bad(f"{loss_name} {cells[iy]} is negative", n)
        if y * Fraction(scale) > MAX_LOSS:  # also keeps L·d within float64 (no inf, no OverflowError)
            raise bad(f"{loss_name} {cells[iy][:40]} is beyond {MAX_LOSS:g} nats per token "
                      f"(a per-token loss is at most ln V)", n)
        ks.append(k)
        ys.append(float(y) * scale)
        lines.append(n)
        if ise is not None:
            ses.append(_stderr_of(cells[ise], columns[ise], scale, number, bad, n))
    return ks, ys, ses, lines


#: A cell that is a plain non-negative decimal ("0.5", "12", "3.250"). Its nearest float is float(text) (CPython's
#: correctly rounded strtod), which is float(parse_rational(text)) (a Fraction's true division rounds correctly
#: too), so such a cell needs no Fraction: a 16384-point curve read in ~0.1 s instead of ~0.5 s.
_PLAIN_DECIMAL = re.compile(r"\d{1,40}(?:\.\d{0,40})?\Z", re.ASCII)
_PLAIN_INTEGER = re.compile(r"\d{1,18}\Z", re.ASCII)


def _plain_float(cell: str, scale: float) -> float | None:
    """float(parse_rational(cell)) * scale for a plain decimal cell whose value is clearly within MAX_LOSS nats (the
    checks of the exact path pass: it is >= 0, and below 99 % of MAX_LOSS whatever the float's rounding); else
    None (the exact path decides, and words any error)."""
    if not _PLAIN_DECIMAL.match(cell):
        return None
    value = float(cell) * scale
    return value if value < MAX_LOSS * 0.99 else None


def _stderr_of(cell: str, column: str, scale: float, number: Callable[[str, str], Fraction],
               bad: Callable[..., ProfileError], line: int) -> float:
    """A stderr cell in nats (a float), checked: not negative, at most MAX_LOSS nats."""
    fast = _plain_float(cell, scale)
    if fast is not None:
        return fast
    s = number(cell, column)
    if s < 0:
        raise bad(f"{column} {cell} is negative", line)
    if s * Fraction(scale) > MAX_LOSS:
        raise bad(f"{column} {cell[:40]} is beyond {MAX_LOSS:g} nats", line)
    return float(s) * scale
