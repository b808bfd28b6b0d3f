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


def _rows(rows: list[list[Any]]) -> str:
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
    rows = [header]
    cells = _SweepCells(digits)
    names = list(dict.fromkeys([*stats, "error", "optimal", "random_error", *result.bound_names, *estimated]))
    of = cells.of
    error_texts: dict[float, str] = {}  # round_up_text of each distinct certified error (most rows share one)
    counted = [i for i, row in enumerate(result.rows) if row.random_counts]  # each its own values: column by column
    columns = cells.columns([result.rows[i] for i in counted], names)
    place = dict(zip(counted, range(len(counted))))
    for i, row in enumerate(result.rows):
        j = place.get(i)
        if j is None:
            found = {name: of(row, name) for name in names}  # (value, spread cells, interval cells)
        else:
            found = {name: columns[name][j] for name in names}
        size = row.max_size
        error_abs = row.error_abs
        error_text = ""
        if error_abs is not None:
            cached = error_texts.get(error_abs)
            if cached is None:
                cached = error_texts[error_abs] = round_up_text(error_abs)
            error_text = cached
        cells_of_row = [row.family, row.steps, row.schedule.describe(), "" if size is None else size]
        cells_of_row += [found[name][0] for name in stats]
        cells_of_row += [found["error"][0], error_text, found["optimal"][0], found["random_error"][0]]
        cells_of_row += [found[name][0] for name in result.bound_names]
        for name in estimated:
            cells_of_row += found[name][1]
        for name in estimated:
            cells_of_row += found[name][2]
        rows.append(cells_of_row)
    return _rows(rows)


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

    def columns(self, rows: Sequence[Any], names: Sequence[str]) -> dict[str, list[tuple[str, list[str], list[str]]]]:
        """:meth:`of` of every row and name, by name (a list in the order of ``rows``): the cells whose fields are
        floats formatted column by column (:func:`boundcalc.decimal_columns.value_texts`, the same texts), not
        cached (rows that each carry their own values: a count sampler's); the others by :meth:`of`."""
        import numpy as np

        from .decimal_columns import interval_ends, value_texts

        out = {}
        spreads: dict[Any, str] = {}  # round_up_text of each distinct stderr and interpolation effect

        def up(x: float) -> str:
            text = spreads.get(x)
            if text is None:
                text = spreads[x] = round_up_text(x)
            return text

        for name in names:
            fields = [self._fields(row, name) for row in rows]
            given = [f for f in fields if f is not None]
            if self.digits < 1 or not given:
                out[name] = [self.of(row, name) for row in rows]
                continue
            value, error, nonnegative, stderr, interpolation, estimate, _ = (list(c) for c in zip(*given))
            texts = iter(value_texts(np.array(value), np.array(error), np.array(nonnegative, dtype=bool),
                                     np.array([np.nan if x is None else x for x in stderr]),
                                     np.array([np.nan if x is None else x for x in interpolation]),
                                     np.array(estimate, dtype=bool), self.digits))
            column = []
            for row, f in zip(rows, fields):
                if f is None:  # no float (an exact bound, or nothing), or fields a Measured would refuse
                    column.append(self.of(row, name))
                    continue
                _, err, _, se, interp, _, interval = f
                ends = ["", ""]
                if interval is not None:
                    low, high = interval_ends(interval[0], interval[1], err)
                    ends = [low, high or ""]
                column.append((next(texts), ["?" if se is None else up(se), up(interp or 0.0)], ends))
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
