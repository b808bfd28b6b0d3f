"""A sweep's random-count rows held as columns, the row objects built only when asked (row assembly).

A sweep over every T of L = 16384 has 16384 count rows per family. Built one by one, each row reads its report's
dictionaries, its truth's prepared values and builds seven small dictionaries and a frozen dataclass (~60 µs a row:
~1 s of such a sweep), and the CSV then reads ~10 Python objects per cell back. Here a family's rows of one chunk
(:mod:`boundcalc.count_flow`) are computed at once: each bound's value, error, spread and interval, the expected
error with its spread and interval, as numpy columns, by the same float operations elementwise as
:func:`boundcalc.sweeps._count_row` (the reference, kept: it builds the rows this module cannot, and the tests
compare the two field by field, types included). :class:`CountColumns` is a sequence of the rows (the API's
:class:`~boundcalc.sweeps.SweepRow`, all built at the first access) and hands the CSV its columns
(:meth:`CountColumns.field_columns`) without building any; :class:`SweepRows` is a sweep's rows made of such blocks
and tuples of rows, as a tuple behaves.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import chain
from typing import Any, Callable, Iterator, Sequence, overload

__all__ = ["CountColumns", "SweepRows", "count_block", "chunk_rows", "joined_rows", "COUNT_STATS"]

#: The statistics of a random-count row (SweepRow.stats), in column order (as boundcalc.sweeps.COUNT_STATS).
COUNT_STATS = ("expected_s_max", "expected_calls")
_ERRORS = ("error", "optimal", "random_error")


class CountColumns(Sequence[Any]):
    """One family's count rows of a chunk as columns (numpy float64 arrays, one entry a row).

    ``values[name]`` and ``errors[name]`` are the bounds with their certified errors (the names of the reports'
    coefficients; every other bound name is None in each row), ``stats[name]`` the reports' (value, error) pairs,
    ``truth`` the expected error's columns (:meth:`boundcalc.sweep_truth.SourceTruth.count_columns`; None without a
    truth), ``spreads[name]`` and ``intervals[name]`` each bound's (stderr or None, interpolation) and (low, high)
    from a measured curve. ``make_row`` is the row class (SweepRow)."""

    def __init__(self, label: str, steps: list[int], samplers: list[Any], names: Sequence[str],
                 values: dict[str, Any], errors: dict[str, Any], stats: dict[str, list[Any]],
                 truth: dict[str, Any] | None, spreads: dict[str, tuple[Any, Any]],
                 intervals: dict[str, tuple[Any, Any]], make_row: Callable[..., Any]) -> None:
        self.label, self.steps, self.samplers, self.names = label, steps, samplers, tuple(names)
        self.values, self.errors, self.stats, self.truth = values, errors, stats, truth
        self.spreads, self.intervals, self._make_row = spreads, intervals, make_row
        self._rows: tuple[Any, ...] | None = None

    random_counts = True

    def __len__(self) -> int:
        return len(self.steps)

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, i: Any) -> Any:
        return self.rows()[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows())

    def rows(self) -> tuple[Any, ...]:
        """The rows, built once (each field a Python object as :func:`boundcalc.sweeps._count_row` makes it)."""
        if self._rows is None:
            self._rows = tuple(self._build())
        return self._rows

    def _build(self) -> Iterator[Any]:
        n = len(self.steps)
        names = self.names
        given = [name for name in names if name in self.values]
        values = {name: self.values[name].tolist() for name in given}
        errors = {name: self.errors[name].tolist() for name in given}
        spreads = {name: (None if s is None else s.tolist(), p.tolist()) for name, (s, p) in self.spreads.items()}
        intervals = {name: (lo.tolist(), hi.tolist()) for name, (lo, hi) in self.intervals.items()}
        stats = [self.stats[name] for name in COUNT_STATS]
        truth = self.truth
        error: Any = None
        error_abs: Any = None
        stderr: Any = None
        spread: Any = None
        ends: Any = None
        if truth is not None:
            error, error_abs = truth["value"].tolist(), truth["error"].tolist()
            stderr = truth.get("stderr")
            stderr = [None] * n if stderr is None else stderr.tolist()
            spread = truth["interpolation"].tolist() if "interpolation" in truth else None
            ends = (truth["low"].tolist(), truth["high"].tolist()) if "low" in truth else None
        make, label = self._make_row, self.label
        for i, (t, sampler) in enumerate(zip(self.steps, self.samplers)):
            bounds = {name: values[name][i] if name in values else None for name in names}
            bound_errors = {name: errors[name][i] for name in given}
            row_stats = {name: column[i] for name, column in zip(COUNT_STATS, stats)}
            if truth is None:
                yield make(label, t, sampler, bounds, bound_errors=bound_errors, stats=row_stats)
                continue
            row_spreads = {} if spread is None else {"error": (stderr[i], spread[i])}
            row_intervals = {} if ends is None else {"error": (ends[0][i], ends[1][i])}
            for name, (s, p) in spreads.items():
                row_spreads[name] = (None if s is None else s[i], p[i])
            for name, (lo, hi) in intervals.items():
                row_intervals[name] = (lo[i], hi[i])
            yield make(label, t, sampler, bounds, error=error[i], error_abs=error_abs[i], bound_errors=bound_errors,
                       stats=row_stats, spreads=row_spreads, intervals=row_intervals)

    def empty(self, name: str) -> bool:
        """True when every row's cell of ``name`` is empty (no value, no spread): an error the rows do not have
        (optimal, random_error, or the expected error without a truth) or a bound no report gives."""
        if name in COUNT_STATS or name in self.values:
            return False
        return name != "error" or self.truth is None

    def field_columns(self, names: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """:func:`boundcalc.csv_printer._field_columns` of these rows, from the columns (no row built): for each
        name (the rows whose fields are valid floats; their value, error, nonnegative, stderr, interpolation,
        estimate, interval low and high, an absent one nan)."""
        import numpy as np

        n = len(self.steps)
        nan = np.full(n, np.nan)
        out: dict[str, tuple[Any, ...]] = {}
        for name in names:
            if name in COUNT_STATS:
                pairs = np.array(self.stats[name], dtype=np.float64).reshape(n, 2)
                fields = (pairs[:, 0], pairs[:, 1], np.ones(n, dtype=bool), nan, nan, np.zeros(n, dtype=bool),
                          nan, nan)
                stderr_given = bounded = False
            elif name == "error" and self.truth is not None:
                truth = self.truth
                spread = "interpolation" in truth
                stderr_given = spread and truth.get("stderr") is not None
                bounded = spread and "low" in truth  # an interval counts only with a spread (as _fields reads it)
                fields = (truth["value"], truth["error"], np.ones(n, dtype=bool),
                          truth["stderr"] if stderr_given else nan, truth["interpolation"] if spread else nan,
                          np.full(n, spread), truth["low"] if bounded else nan, truth["high"] if bounded else nan)
            elif name in self.values:
                spread_of: Any = self.spreads.get(name)
                stderr_given = spread_of is not None and spread_of[0] is not None
                ends = self.intervals.get(name) if spread_of is not None else None
                bounded = ends is not None
                fields = (self.values[name], self.errors[name], np.zeros(n, dtype=bool),
                          spread_of[0] if stderr_given else nan, nan if spread_of is None else spread_of[1],
                          np.full(n, spread_of is not None), nan if ends is None else ends[0],
                          nan if ends is None else ends[1])
            else:
                out[name] = ([],)
                continue
            out[name] = _valid_rows(fields, stderr_given, bounded)
        return out


def _valid_rows(fields: tuple[Any, ...], stderr_given: bool, interval_given: bool) -> tuple[Any, ...]:
    """(rows kept, *fields) without the rows whose fields a Measured refuses, by csv_printer._name_columns' tests:
    a finite value, finite errors >= 0, an ordered interval; a stderr, interpolation or interval end that is given
    (every row with a spread has its stderr when ``stderr_given``, its interpolation, its interval when
    ``interval_given``) must not be nan."""
    import numpy as np

    value, error, _, stderr, interpolation, estimate, low, high = fields
    valid = np.isfinite(value) & (error >= 0) & (error < np.inf)
    if stderr_given:
        valid &= ~(np.isnan(stderr) & estimate)
    valid &= ~(stderr < 0) & ~(stderr == np.inf)
    valid &= ~(np.isnan(interpolation) & estimate)
    valid &= ~(interpolation < 0) & ~(interpolation == np.inf)
    if interval_given:
        valid &= ~((np.isnan(low) | np.isnan(high)) & estimate)
    valid &= ~(low > high)
    if valid.all():
        return (list(range(value.size)), *fields)
    keep = np.flatnonzero(valid)
    return (keep.tolist(), *(c[keep] for c in fields)) if keep.size else ([],)


class SweepRows(Sequence[Any]):
    """A sweep's rows as a tuple of them behaves (index, slice, iterate, compare, add, pickle as a tuple), made of
    segments: tuples of rows and :class:`CountColumns` blocks, whose rows are built only when one is read."""

    def __init__(self, segments: Sequence[Sequence[Any]]) -> None:
        self.segments = tuple(s for s in segments if len(s))
        self.starts: list[int] = []
        total = 0
        for segment in self.segments:
            self.starts.append(total)
            total += len(segment)
        self._length = total

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self)[i]
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError("sweep row index out of range")
        k = bisect_right(self.starts, i) - 1
        return self.segments[k][i - self.starts[k]]

    def __iter__(self) -> Iterator[Any]:
        return chain.from_iterable(self.segments)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SweepRows):
            other = tuple(other)
        return tuple(self) == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: Any) -> tuple[Any, ...]:
        return tuple(self) + tuple(other)

    def __radd__(self, other: Any) -> tuple[Any, ...]:
        return tuple(other) + tuple(self)

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> Any:
        return (tuple, (tuple(self),))

    @property
    def random_counts(self) -> bool:
        """True when some row is a random-count sampler's (a block's are; a tuple's rows say)."""
        return any(getattr(s, "random_counts", False) is True or
                   (isinstance(s, tuple) and any(row.random_counts for row in s)) for s in self.segments)


def joined_rows(segments: Sequence[Sequence[Any]]) -> "tuple[Any, ...] | SweepRows":
    """A sweep's rows from its segments: a :class:`SweepRows` when some are blocks of count rows, else a tuple."""
    if any(isinstance(s, CountColumns) for s in segments):
        return SweepRows(segments)
    return tuple(row for segment in segments for row in segment)


def count_block(label: str, part: Sequence[tuple[int, Any, Any]], length: int, total: Any, eps: Any,
                truth: Any, names: Sequence[str], mi_inputs: "tuple[Any, Any] | None",
                make_row: Callable[..., Any]) -> CountColumns | None:
    """The rows of ``part`` ((T, sampler, its CountBoundReport) of one family, in order) as a :class:`CountColumns`,
    by :func:`boundcalc.sweeps._count_row`'s operations elementwise; None where those rows take a route it does not
    hold (the reports' bounds differ from row to row, the truth's values are not all prepared: the caller builds
    them one by one). ``total`` is ΣI (profile.total), ``mi_inputs`` as ``_count_row`` takes them."""
    import numpy as np

    reports = [r for _, _, r in part]
    keys = tuple(reports[0].coefficients)
    if any(tuple(r.coefficients) != keys for r in reports):
        return None
    samplers = [s for _, s, _ in part]
    columns = None
    if truth is not None:
        columns = truth.count_columns(samplers)
        if columns is None:
            return None
    scale, eps_value = float(total) / length, float(eps)
    given = [name for name in names if name in keys]
    values, errors, spreads, intervals = {}, {}, {}, {}
    if truth is not None and truth.curve is not None:
        mi: Any
        mi_range: Any
        mi, mi_range = mi_inputs if mi_inputs is not None else (None, None)
        if mi is None:
            return None
    for name in given:
        pairs = np.array([r.coefficients[name] for r in reports], dtype=np.float64).reshape(len(reports), 2)
        c, e = pairs[:, 0], pairs[:, 1]
        value = c * scale + eps_value  # CountBoundReport.values and .errors
        error = e * scale + 4 * 2.0**-53 * (c * scale + eps_value)
        if truth is not None:  # ΣI carries the inputs' float error, multiplied by E c(S_max)/L
            error = error + c / length * truth.input_error
        values[name], errors[name] = value, error
        if truth is not None and truth.curve is not None:  # E c(S_max)/L · ΣI + ε_train: linear in ΣI
            weight = c / length
            spreads[name] = (None if mi.stderr is None else weight * mi.stderr, weight * (mi.interpolation or 0.0))
            if mi_range is not None:
                low, high = value + weight * (mi_range[0] - float(total)), value + weight * (mi_range[1] - float(total))
                intervals[name] = (np.where(low < value, low, value), np.where(high > value, high, value))  # min, max
    stats = {"expected_s_max": [r.expected_max for r in reports], "expected_calls": [r.nonempty_steps for r in reports]}
    return CountColumns(label, [t for t, _, _ in part], samplers, names, values, errors, stats, columns, spreads,
                        intervals, make_row)


def chunk_rows(part: Sequence[tuple[int, Any, Any]], detach: bool, truth: Any,
               one_row: Callable[[int, Any, Any], Any], block: "Callable[[Any], CountColumns | None] | None"
               ) -> SweepRows:
    """A family's count rows of one chunk ((T, sampler, report) each, in order): each run of rows the truth prepared
    (:meth:`~boundcalc.sweep_truth.SourceTruth.count_prepared`) as columns (``block(run)``: :func:`count_block`),
    the others, and those ``block`` does not hold (None; no ``block``), one by one (``one_row(T, sampler, report)``,
    boundcalc.sweeps._count_row); samplers detached from the chunk's arrays when ``detach``."""
    from dataclasses import replace

    from .count_flow import detached_sampler

    prepared = [True] * len(part) if truth is None else truth.count_prepared([s for _, s, _ in part])
    segments: list[Sequence[Any]] = []
    start = 0
    for end in range(1, len(part) + 1):
        if end < len(part) and prepared[end] == prepared[start]:
            continue
        run = part[start:end]
        found = block(run) if prepared[start] and block is not None else None
        if found is None:
            rows = [one_row(t, sampler, report) for t, sampler, report in run]
            if detach:  # a new row only where the sampler is a view into the chunk's arrays
                rows = [row if (d := detached_sampler(row.schedule)) is row.schedule else replace(row, schedule=d)
                        for row in rows]
            segments.append(tuple(rows))
        else:
            if detach:
                found.samplers = [detached_sampler(s) for s in found.samplers]
            segments.append(found)
        start = end
    return SweepRows(segments)
