"""The CSV printer: a value's CSV text, one row per line (``\\n``), beside the JSON, LaTeX and table printers.

:func:`to_csv` dispatches along the value's MRO (:mod:`boundcalc.dispatch`, the rule of every printer) to the
printer registered for its class; the command line prints the text unchanged (``boundcalc.cli.render.emit_csv``).
Each printer is a plain function of the answer value and ``digits``: what it prints is read from the value
alone, so a printer can be rewritten (vectorised, say) without touching a caller.

* :class:`~boundcalc.answers.SweepAnswer` -- ``sweep --csv``: :data:`SWEEP_COLUMNS`, the count samplers'
  statistics, one column per bound, and from a measured curve each estimate's spread and interval (the fixed
  schedules' cells cached by value, the count rows' formatted column by column: :mod:`boundcalc.decimal_columns`);
* :class:`~boundcalc.answers.TradeoffAnswer` -- ``sweep --sampler --csv``: each sampler's truth (in the
  answer's unit), sequence error and calls, at full float precision (``repr``);
* :class:`~boundcalc.answers.ProfileAnswer` -- ``profile``'s CSV: one MI column (the profile file
  ``--mi-profile`` reads), or one column per set size;
* :class:`~boundcalc.answers.MultiScaleAnswer` -- ``profile --multiscale``: the multi-scale profile's file.

>>> from boundcalc.answers import ProfileAnswer
>>> print(to_csv(ProfileAnswer("a model", 2, "nats", ((0, [0.5, 0.25]), (1, [0.125, 0.0])))), end="")
index,size_0,size_1
1,0.5,0.125
2,0.25,0
"""

from __future__ import annotations

import csv
import io
import math
from fractions import Fraction
from operator import attrgetter
from typing import Any, Callable, Sequence

from .decimal_text import interval_texts, measured_decimal, round_up_text, value_decimal
from .dispatch import Printers
from .exact import FLOAT_DIGITS
from .units import from_nats

__all__ = ["to_csv", "register", "PRINTERS", "SWEEP_COLUMNS"]


def to_csv(obj: Any, digits: int = 6, **options: Any) -> str:
    """The CSV text of ``obj`` (lines ending in ``\\n``): the printer of the first class of its MRO that has one."""
    return PRINTERS(obj, digits, **options)


def register(cls: type | str, printer: Callable[..., str] | None = None) -> Any:
    """Print instances of ``cls`` (or its subclasses) as CSV with ``printer(value, digits, **options)`` (a
    decorator without ``printer``)."""
    return PRINTERS.register(cls, printer)


def _rows(rows: Sequence[Sequence[Any]]) -> str:
    """CSV text of ``rows`` (the csv module's quoting, ``\\n`` line ends)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


#: The first columns of ``sweep --csv`` (empty cells where the source cannot give them).
SWEEP_COLUMNS = ["family", "steps", "schedule", "s_max", "error", "error_abs", "optimal", "random_error"]


def _csv_SweepAnswer(answer: Any, digits: int) -> str:
    """A sweep: :data:`SWEEP_COLUMNS`, then the bounds; from a measured curve each estimate's stderr and
    interpolation effect, then its interval over the curve's monotone completions (empty high: unbounded).

    With random-count samplers, ``expected_s_max`` and ``expected_calls`` follow ``s_max`` (empty for the
    fixed schedules; s_max is empty for the samplers).
    """
    result = answer.result
    stats = list(answer.count_stats)
    estimated = ["error", "optimal", "random_error", *result.bound_names] if result.estimate else []
    header = (SWEEP_COLUMNS[:4] + stats + SWEEP_COLUMNS[4:] + list(result.bound_names)
              + [f"{name}_{what}" for name in estimated for what in ("stderr", "interpolation")]
              + [f"{name}_{end}" for name in estimated for end in ("low", "high")])
    rows = result.rows
    names = list(dict.fromkeys([*stats, "error", "optimal", "random_error", *result.bound_names, *estimated]))
    cells = _SweepCells(digits)
    try:
        found = cells.columns(rows, names)  # name -> (values, stderrs, interpolations, lows, highs)
    except (ArithmeticError, ValueError, TypeError):  # a field no Measured takes: the cells one by one say which
        found = cells.cell_columns(rows, names)
    error_texts: dict[float, str] = {}  # round_up_text of each distinct certified error (most rows share one)

    def error_text(error_abs: float | None) -> str:
        if error_abs is None:
            return ""
        cached = error_texts.get(error_abs)
        if cached is None:
            cached = error_texts[error_abs] = round_up_text(error_abs)
        return cached

    from .decimal_columns import round_up_texts

    columns: list[list[Any]] = [[], [], [], []]
    errors: list[str] = []
    for _, part in _segments(rows):
        if _is_block(part):  # count rows as columns (boundcalc.sweep_columns): no row built
            n = len(part)
            columns[0] += [part.label] * n
            columns[1] += part.steps
            columns[2] += [sampler.describe() for sampler in part.samplers]
            columns[3] += [""] * n  # s_max: a random-count sampler has none
            errors += [""] * n if part.truth is None else round_up_texts(part.truth["error"])
            continue
        sizes = [row.max_size for row in part]
        columns[0] += [row.family for row in part]
        columns[1] += [row.steps for row in part]
        columns[2] += [row.schedule.describe() for row in part]
        columns[3] += ["" if s is None else s for s in sizes]
        errors += [error_text(row.error_abs) for row in part]
    columns += [found[name][0] for name in stats]
    columns += [found["error"][0], errors, found["optimal"][0],
                found["random_error"][0]]
    columns += [found[name][0] for name in result.bound_names]
    columns += [found[name][k] for name in estimated for k in (1, 2)]
    columns += [found[name][k] for name in estimated for k in (3, 4)]
    return _rows([header, *zip(*columns)])


class _SweepCells:
    """A sweep row's cells, each formatted once per distinct raw value: the rows of a sweep share most of them
    (a bound's value, error, spread and interval depend on s_max or T only, the random schedule's on S), so a
    sweep over every T of L = 16384 formats each bound a few hundred times, not 16384 times. The key is every
    field :meth:`SweepRow.measured <boundcalc.sweeps.SweepRow.measured>` and the cell read, so a cached text is
    the text the row itself would give. The texts are ``measured``'s (its decimal, spread and interval), read
    from the row's fields as ``measured`` reads them (:meth:`_fields`) without building the Measured, and
    formatted by :mod:`boundcalc.decimal_text` (exact.py's strings, from a float's exact decimal)."""

    def __init__(self, digits: int) -> None:
        self.digits = digits
        self._texts: dict[tuple[Any, ...], tuple[str, list[str], list[str]]] = {}

    @staticmethod
    def _key(row: Any, name: str) -> tuple[Any, ...]:
        if name in _ERRORS:
            own: tuple[Any, ...] = (getattr(row, name), getattr(row, _ERRORS[name]))
        else:
            bound = row.bounds.get(name)  # exact (a Fraction, whose hash is slow: its integers stand for it) or a float
            exact = isinstance(bound, Fraction)
            own = (exact, (bound.numerator, bound.denominator) if exact else bound, row.bound_errors.get(name))
        return name, row.stats.get(name), own, row.spreads.get(name), row.intervals.get(name)

    def of(self, row: Any, name: str) -> tuple[str, list[str], list[str]]:
        """(the value's cell, its stderr and interpolation cells, its interval cells)."""
        key = self._key(row, name)
        found = self._texts.get(key)
        if found is None:
            fields = self._fields(row, name)
            if fields is None:  # no float (an exact bound, or nothing), or fields a Measured would refuse
                found = self._measured_cells(row, name)
            else:
                value, error, nonnegative, stderr, interpolation, estimate, interval = fields
                text = value_decimal(value, error, nonnegative, stderr, interpolation, estimate, self.digits)
                spread = ["?" if stderr is None else round_up_text(stderr), round_up_text(interpolation or 0.0)]
                if interval is None:
                    ends = ["", ""]
                else:
                    low, high = interval_texts(interval[0], interval[1], error, FLOAT_DIGITS)
                    ends = [low, high or ""]
                found = (text, spread, ends)
            self._texts[key] = found
        return found

    def cell_columns(self, rows: Sequence[Any], names: Sequence[str]) -> dict[str, tuple[list[str], ...]]:
        """:meth:`columns` from :meth:`of`, cell by cell (the reference: each cell from its own fields)."""
        out: dict[str, tuple[list[str], ...]] = {}
        for name in names:
            cells = [self.of(row, name) for row in rows]
            out[name] = ([c[0] for c in cells], [c[1][0] for c in cells], [c[1][1] for c in cells],
                         [c[2][0] for c in cells], [c[2][1] for c in cells])
        return out

    def columns(self, rows: Sequence[Any], names: Sequence[str]) -> dict[str, tuple[list[str], ...]]:
        """The cells of every row for each name, column by column: (values, stderrs, interpolation effects, interval
        lows, interval highs), each a list in the order of ``rows``, the texts :meth:`of` gives cell by cell.

        A cell whose fields are floats (:meth:`_fields`, read a column at a time by :func:`_field_columns`) is
        formatted with its whole column (:func:`boundcalc.decimal_columns.value_texts` and ``interval_columns``:
        numpy, the same texts); the others (an exact bound, nothing, fields a Measured would refuse) by :meth:`of`."""
        from .decimal_columns import interval_columns, round_up_texts, value_texts

        import numpy as np

        spread_texts: dict[float, str] = {}  # round_up_text of each distinct stderr and interpolation effect
        n = len(rows)
        out = {}
        for name, fields in _field_columns(rows, names).items():
            if self.digits < 1:
                out[name] = self.cell_columns(rows, [name])[name]
                continue
            empty = _empty_cells(rows, name)  # rows whose cells are known empty (no row built to ask of())
            if not fields[0]:
                cells = tuple([""] * n for _ in range(5))
                for i in np.flatnonzero(~empty).tolist() if empty is not None else range(n):
                    text, spread, ends = self.of(rows[i], name)
                    cells[0][i], cells[1][i], cells[2][i], cells[3][i], cells[4][i] = text, *spread, *ends
                out[name] = cells
                continue
            import numpy as np

            given, value, error, nonnegative, stderr, interpolation, estimate, low, high = fields
            texts = value_texts(value, error, nonnegative, stderr, interpolation, estimate, self.digits)
            new = [x for x in set(stderr.tolist()).union(interpolation.tolist()) if x == x and x not in spread_texts]
            spread_texts.update(zip(new, round_up_texts(np.array(new, dtype=np.float64))))  # nan: absent
            stderrs = ["?" if x != x else spread_texts[x] for x in stderr.tolist()]
            zero = spread_texts.get(0.0) or spread_texts.setdefault(0.0, round_up_text(0.0))
            interpolations = [zero if x != x else spread_texts[x] for x in interpolation.tolist()]
            lows, highs = [""] * len(given), [""] * len(given)
            bounded = np.flatnonzero(low == low)  # an interval (nan: none)
            if bounded.size:
                found_lows, found_highs = interval_columns(low[bounded], high[bounded], error[bounded])
                for j, low_text, high_text in zip(bounded.tolist(), found_lows, found_highs):
                    lows[j], highs[j] = low_text, high_text or ""
            column: tuple[list[str], ...] = (texts, stderrs, interpolations, lows, highs)
            if given != list(range(n)):  # some rows' cells come from of(): the column's cells where they belong
                column = tuple([""] * n for _ in range(5))
                for part, found_cells in zip(column, (texts, stderrs, interpolations, lows, highs)):
                    for i, cell in zip(given, found_cells):
                        part[i] = cell
                rest = set(range(n)).difference(given)
                if empty is not None:
                    rest.difference_update(np.flatnonzero(empty).tolist())
                for i in sorted(rest):
                    # no float (an exact bound, or nothing), or fields a Measured would refuse
                    text, spread, ends = self.of(rows[i], name)
                    column[0][i], column[1][i], column[2][i], column[3][i], column[4][i] = text, *spread, *ends
            out[name] = column
        return out

    def _measured_cells(self, row: Any, name: str) -> tuple[str, list[str], list[str]]:
        measured = row.measured(name)
        if measured is not None:
            value = measured_decimal(measured, self.digits)
        elif name in _ERRORS or row.bounds.get(name) is None:  # sweep_cell's empty cell, without importing the
            value = ""  # table printer (and the rule tables it imports: ~30 ms of a sweep's start-up to compile)
        else:
            from .table_printer import sweep_cell

            value = sweep_cell(row, name, self.digits)  # an exact bound, correctly rounded
        return value, _spread_cells(measured), _interval_cells(measured)

    @staticmethod
    def _fields(row: Any, name: str) -> tuple[Any, ...] | None:
        """The fields of ``row.measured(name)`` (value, error, nonnegative, stderr, interpolation, estimate,
        interval) as floats, read as SweepRow.measured reads them; None when it is None or when a field is one
        a Measured refuses (then the Measured itself is built, and says so)."""
        stderr = interpolation = interval = None
        estimate = False
        if name in row.stats:
            value, error = row.stats[name]
            nonnegative = True
        elif name in _ERRORS:
            value = getattr(row, name)
            if value is None:
                return None
            error, nonnegative = getattr(row, _ERRORS[name]) or 0.0, True
        else:
            bound = row.bounds.get(name)
            if bound is None or name not in row.bound_errors:
                value = None
            else:
                value, error, nonnegative = float(bound), row.bound_errors[name], False
        spread = row.spreads.get(name)
        if spread is not None:
            if value is None:
                bound = row.bounds.get(name)
                if bound is None:
                    return None
                value = float(bound)
                error, nonnegative = 4 * 2.0**-53 * abs(value), False
            stderr, interpolation, estimate = spread[0], spread[1], True
            interval = row.intervals.get(name)
        elif value is None:
            return None
        fields = (float(value), float(error), nonnegative, None if stderr is None else float(stderr),
                  None if interpolation is None else float(interpolation), estimate,
                  None if interval is None else (float(interval[0]), float(interval[1])))
        return fields if _valid(fields) else None


def _segments(rows: Sequence[Any]) -> list[tuple[int, Any]]:
    """(first index, part) of the rows: a :class:`~boundcalc.sweep_columns.SweepRows`' segments (tuples of rows and
    blocks of count rows as columns), else the rows as one part."""
    segments = getattr(rows, "segments", None)
    return [(0, rows)] if segments is None else list(zip(rows.starts, segments))  # type: ignore[attr-defined]


def _is_block(part: Any) -> bool:
    return hasattr(part, "field_columns")


def _empty_cells(rows: Sequence[Any], name: str) -> Any:
    """A numpy mask of the rows whose cells of ``name`` are known empty without building them (a block's
    ``empty(name)``), or None when no part says so."""
    import numpy as np

    parts = [(start, part) for start, part in _segments(rows) if _is_block(part) and part.empty(name)]
    if not parts:
        return None
    mask = np.zeros(len(rows), dtype=bool)
    for start, part in parts:
        mask[start : start + len(part)] = True
    return mask


def _field_columns(rows: Sequence[Any], names: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """:func:`_row_field_columns` of the rows, each block of count rows from its own columns
    (:meth:`boundcalc.sweep_columns.CountColumns.field_columns`: no row built), the parts joined."""
    parts = _segments(rows)
    if len(parts) == 1 and not _is_block(parts[0][1]):
        return _row_field_columns(rows, names)
    import numpy as np

    found = [(start, part.field_columns(names) if _is_block(part) else _row_field_columns(part, names))
             for start, part in parts]
    out: dict[str, tuple[Any, ...]] = {}
    for name in names:
        pieces = [(start, f[name]) for start, f in found if f[name][0]]
        if not pieces:
            out[name] = ([],)
            continue
        given = [start + i for start, piece in pieces for i in piece[0]]
        out[name] = (given, *(np.concatenate([piece[k] for _, piece in pieces]) for k in range(1, 9)))
    return out


def _row_field_columns(rows: Sequence[Any], names: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """:meth:`_SweepCells._fields` of each name in every row, a column at a time: for each name (the rows whose
    fields are valid floats, in any order; then numpy arrays of their value, error, nonnegative, stderr,
    interpolation, estimate, interval low and high, an absent stderr, interpolation or interval as nan).

    Each row's dictionaries are read for all names at once (``map`` of their ``get``), then turned into columns.
    The routes are ``_fields``' own: a count statistic first, then a row's error with its certified error, or a
    bound with its certified error or at estimated inputs (then with its spread and interval); a row on none of
    them has no fields (its cells come from :meth:`_SweepCells.of`). Values are converted and checked (``_valid``'s
    tests) by numpy; a column numpy cannot convert goes through ``_fields`` row by row."""
    names = list(names)
    if not rows:
        return {name: ([],) for name in names}
    missing = [_MISSING] * len(names)
    spreads = list(zip(*[tuple(map(row.spreads.get, names)) for row in rows]))
    intervals = list(zip(*[tuple(map(row.intervals.get, names)) for row in rows]))
    stats = list(zip(*[tuple(map(row.stats.get, names, missing)) for row in rows]))
    bounds = list(zip(*[tuple(map(row.bounds.get, names)) for row in rows]))
    bound_errors = list(zip(*[tuple(map(row.bound_errors.get, names, missing)) for row in rows]))
    errors_of = dict(zip([*_ERRORS, *_ERRORS.values()], zip(*[attrgetter(*_ERRORS, *_ERRORS.values())(row)
                                                              for row in rows])))
    out = {}
    for k, name in enumerate(names):
        try:
            out[name] = _name_columns(name, spreads[k], intervals[k], stats[k], bounds[k], bound_errors[k],
                                      errors_of)
        except (TypeError, ValueError, OverflowError, IndexError, AttributeError):  # as _fields reads them, row by row
            fields = [(i, f) for i, f in ((i, _SweepCells._fields(row, name)) for i, row in enumerate(rows))
                      if f is not None]
            out[name] = _stacked(fields)
    return out


def _name_columns(name: str, spread: tuple[Any, ...], interval: tuple[Any, ...], stat: tuple[Any, ...],
                  bound: tuple[Any, ...], bound_error: tuple[Any, ...], errors_of: dict[str, tuple[Any, ...]]
                  ) -> tuple[Any, ...]:
    """One name's columns for :func:`_field_columns` (its values in every row, by route)."""
    import numpy as np

    stated = [i for i, s in enumerate(stat) if s is not _MISSING]  # a count statistic: (value, error)
    if name in _ERRORS:
        raw, certified_error = errors_of[name], errors_of[_ERRORS[name]]
        usual = [i for i, v in enumerate(raw) if v is not None]
    else:
        raw, certified_error = bound, bound_error
        usual = [i for i, (v, e, s) in enumerate(zip(raw, certified_error, spread))
                 if v is not None and (e is not _MISSING or s is not None)]
    if stated:
        taken = set(stated)
        usual = [i for i in usual if i not in taken]
    given = usual + stated
    if not given:
        return ([],)
    value = np.array([v if v.__class__ is float else v.numerator / v.denominator if v.__class__ is Fraction
                      else float(v) for v in (raw[i] for i in usual)], dtype=np.float64)
    if name in _ERRORS:
        error = np.array([certified_error[i] or 0.0 for i in usual], dtype=np.float64)
        nonnegative = np.ones(len(usual), dtype=bool)
    else:
        errors = [certified_error[i] for i in usual]
        at_estimate = np.array([e is _MISSING for e in errors], dtype=bool)  # a bound at estimated inputs
        error = np.array([0.0 if e is _MISSING else e for e in errors], dtype=np.float64)
        error = np.where(at_estimate, 4 * 2.0**-53 * np.abs(value), error)
        nonnegative = np.zeros(len(usual), dtype=bool)
    if stated:
        pairs = np.array([stat[i] for i in stated], dtype=np.float64).reshape(len(stated), 2)
        if any(len(stat[i]) != 2 for i in stated):
            raise ValueError("a statistic is a (value, error) pair")
        value = np.concatenate([value, pairs[:, 0]])
        error = np.concatenate([error, pairs[:, 1]])
        nonnegative = np.concatenate([nonnegative, np.ones(len(stated), dtype=bool)])
    spread_of = [spread[i] for i in given]
    estimate = np.array([s is not None for s in spread_of], dtype=bool)
    nan2 = (np.nan, np.nan)
    spread_pairs = np.array([nan2 if s is None else s for s in spread_of], dtype=np.float64)
    stderr, interpolation = spread_pairs[:, 0], spread_pairs[:, 1]
    if spread_pairs.shape != (len(given), 2):
        raise ValueError("a spread is a (stderr, interpolation) pair")
    bounded = [interval[i] if s is not None else None for i, s in zip(given, spread_of)]
    ends = np.array([nan2 if x is None else x for x in bounded], dtype=np.float64)
    if ends.shape != (len(given), 2):
        raise ValueError("an interval is a (low, high) pair")
    low, high = ends[:, 0], ends[:, 1]
    valid = np.isfinite(value) & (error >= 0) & (error < np.inf)
    odd = np.isnan(stderr)  # absent (None: no check) or nan (refused)
    if odd.any():
        odd[odd] = [spread_of[j] is not None and spread_of[j][0] is not None for j in np.flatnonzero(odd).tolist()]
    valid &= ~odd & ~(stderr < 0) & ~(stderr == np.inf)
    odd = np.isnan(interpolation)
    if odd.any():
        odd[odd] = [spread_of[j] is not None and spread_of[j][1] is not None for j in np.flatnonzero(odd).tolist()]
    valid &= ~odd & ~(interpolation < 0) & ~(interpolation == np.inf)
    odd = np.isnan(low) | np.isnan(high)
    if odd.any():
        odd[odd] = [bounded[j] is not None for j in np.flatnonzero(odd).tolist()]
    valid &= ~odd & ~(low > high)
    columns: tuple[Any, ...] = (value, error, nonnegative, stderr, interpolation, estimate, low, high)
    if not valid.all():  # fields a Measured refuses: no fields (its cells from _SweepCells.of, which says why)
        keep = np.flatnonzero(valid)
        given = [given[j] for j in keep.tolist()]
        columns = tuple(c[keep] for c in columns)
    return (given, *columns) if given else ([],)


def _stacked(fields: list[tuple[int, tuple[Any, ...]]]) -> tuple[Any, ...]:
    """:func:`_field_columns`' columns of (row index, _fields) pairs."""
    import numpy as np

    if not fields:
        return ([],)
    nan = float("nan")
    rows = [(v, e, nn, nan if se is None else se, nan if ip is None else ip, es, nan if iv is None else iv[0],
             nan if iv is None else iv[1]) for _, (v, e, nn, se, ip, es, iv) in fields]
    columns = [np.array(c, dtype=bool if k in (2, 5) else np.float64) for k, c in enumerate(zip(*rows))]
    return ([i for i, _ in fields], *columns)


_MISSING = object()

#: the errors of a sweep row and the fields holding their certified errors
_ERRORS = {"error": "error_abs", "optimal": "optimal_abs", "random_error": "random_abs"}


def _valid(fields: tuple[Any, ...]) -> bool:
    """True when Measured(*fields) is accepted (finite value, finite errors >= 0, an ordered interval)."""
    value, error, _, stderr, interpolation, _, interval = fields
    if not (math.isfinite(value) and 0 <= error < math.inf):
        return False
    if stderr is not None and not 0 <= stderr < math.inf:
        return False
    if interpolation is not None and not 0 <= interpolation < math.inf:
        return False
    return interval is None or interval[0] <= interval[1]


def _interval_cells(measured: Any) -> list[str]:
    """A value's [low, high] over the monotone completions (an error, the random schedule's, a bound at ΣI or Φ),
    17 significant digits rounded outward after widening by the certified error ('' if absent or unbounded)."""
    if measured is None or measured.interval is None:
        return ["", ""]
    low, high = interval_texts(measured.interval[0], measured.interval[1], measured.error, FLOAT_DIGITS)
    return [low, high or ""]


def _spread_cells(measured: Any) -> list[str]:
    """An estimate's stderr ('?' when the curve gives none) and interpolation effect, rounded up ('' if absent)."""
    if measured is None:
        return ["", ""]
    return ["?" if measured.stderr is None else round_up_text(measured.stderr), round_up_text(measured.interpolation or 0.0)]


#: The columns of ``sweep --sampler --csv``.
TRADEOFF_COLUMNS = ["sampler", "truth", "truth_error", "truth_kind", "sequence_error", "sequence_error_se",
                    "expected_nfe", "expected_nfe_se", "nfe_sd", "expected_nfe_run_on"]


def _csv_TradeoffAnswer(answer: Any, digits: int) -> str:
    """Several samplers on one data model, in the order given: the truth and its error in the answer's unit
    (empty where the model gives none), the rest unitless; floats at full precision (``repr``), never rounded."""
    from .rule_tables import calls_as_it_runs

    unit, rows = answer.unit, [TRADEOFF_COLUMNS]
    for r in answer.reports:
        truth = "" if r.truth is None else repr(from_nats(r.truth, unit))
        error = "" if r.truth is None or math.isnan(r.truth_error) else repr(from_nats(r.truth_error, unit))
        rows.append([str(r.rule), truth, error, r.truth_kind, repr(r.sequence_error[0]), repr(r.sequence_error[1]),
                     repr(r.expected_nfe[0]), repr(r.expected_nfe[1]), repr(r.nfe_sd), calls_as_it_runs(r, repr, "")])
    return _rows(rows)


def _csv_ProfileAnswer(answer: Any, digits: int) -> str:
    """A data model's MI profile in the answer's unit, each float64 as its shortest decimal (negative float noise
    as 0): one column is the profile file (:func:`boundcalc.truth.profile_csv`, read back by ``load_profile``),
    several are ``index,size_m,...`` (``mi_<unit>`` for I_i itself)."""
    from .truth import float_decimal, shown_profile_csv

    if len(answer.columns) == 1:
        return shown_profile_csv(answer.columns[0][1], answer.unit)
    header = "index," + ",".join(f"size_{m}" if m is not None else f"mi_{answer.unit}" for m, _ in answer.columns)
    lines = [header] + [f"{i + 1}," + ",".join(float_decimal(values[i]) for _, values in answer.columns)
                        for i in range(answer.length)]
    return "\n".join(lines) + "\n"


def _csv_MultiScaleAnswer(answer: Any, digits: int) -> str:
    """A data model's multi-scale profile: ``token,level,value`` rows (what ``bound --ms-profile`` reads), its own
    file form (:meth:`boundcalc.multiscale.MultiScaleProfile.to_csv`)."""
    return answer.profile.to_csv()


#: The CSV printers, by class name (this module's ``_csv_<Class>`` functions, and those :func:`register` adds).
PRINTERS = Printers("CSV")
PRINTERS.collect(globals(), "_csv_")
