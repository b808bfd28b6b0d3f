"""Loss curves from training logs: CSV, TSV and JSONL, named columns, per-batch samples averaged in bins.

A training run logs the loss at a mask ratio: a W&B export (``Step,mask_ratio,train/loss``), a JSONL
log (``{"t": 0.42, "loss": 2.1}`` per line), or boundcalc's own ``masked,loss_nats`` file.
:func:`load_curve_file` reads them all into a :class:`boundcalc.curve.LossCurve`:

* the format from the suffix (``.jsonl``/``.ndjson``, ``.tsv``) or the content (a line starting with
  ``{``; a tab-separated header);
* the columns: given (``ratio_column``, ``loss_column``, ``stderr_column``) or recognised by name
  (:data:`RATIO_NAMES`, :data:`LOSS_NAMES`, :data:`STDERR_NAMES`, also as the last part of a
  ``train/...`` name); a ``masked`` column holds counts k, any other ratio column fractions of L;
* the unit: given, or ``_bits``/``_nats`` in the loss column's name, else nats (PyTorch's
  cross-entropy), and the curve's description says which;
* per-batch samples (many rows with continuous ratios): ``bins = N`` averages them into N equal ratio
  bins (0, 1/N], ..., each giving k = round(mean ratio x L), the mean loss and its standard error
  (sample sd / sqrt(n)); without bins, two rows with the same k are refused.

Rows with an empty ratio or loss cell (W&B leaves cells of metrics not logged at that step empty)
carry no point; how many there were is said in the description. Errors are one line naming the file,
the line and the columns found.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "wandb.csv")
>>> _ = open(path, "w").write("Step,mask_ratio,train/loss\\n1,0.25,0.5\\n2,,\\n3,0.5,1.0\\n4,1,2.0\\n")
>>> c = load_curve_file(path, 4)
>>> c.masked.tolist(), c.loss.tolist()
([1, 2, 4], [0.5, 1.0, 2.0])
>>> c.source.endswith("(ratio mask_ratio, loss train/loss read as nats; 1 row without a value skipped)")
True
"""

from __future__ import annotations

import csv
import io
import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

from .curve import CURVE_FORMAT, LossCurve, load_loss_curve
from .errors import InvalidNumberError, ProfileError, UsageError
from .exact import parse_rational
from .files import read_text
from .units import to_nats

__all__ = ["load_curve_file", "RATIO_NAMES", "LOSS_NAMES", "STDERR_NAMES", "LOG_FORMAT"]

#: Column names read as the mask ratio (or, for ``masked``, the count k), in order of preference.
RATIO_NAMES = ("masked", "masked_fraction", "mask_ratio", "mask_rate", "masking_ratio", "ratio", "t")
#: Column names read as the loss per masked token.
LOSS_NAMES = ("loss_nats", "loss_bits", "loss", "train_loss", "val_loss", "eval_loss")
#: Column names read as the loss's standard error.
STDERR_NAMES = ("stderr_nats", "stderr_bits", "stderr", "loss_stderr")
#: What a training log may look like (said in file errors).
LOG_FORMAT = CURVE_FORMAT + "; or a training log (CSV, TSV, JSONL) with mask-ratio and loss columns"
_BOUNDCALC_COLUMNS = {"masked", "masked_fraction", "loss_nats", "loss_bits", "stderr_nats", "stderr_bits"}


def load_curve_file(path: str | Path, length: int | None = None, *, ratio_column: str | None = None,
                    loss_column: str | None = None, stderr_column: str | None = None, unit: str | None = None,
                    bins: int | None = None, exact: bool = False) -> LossCurve:
    """The loss curve in a CSV, TSV or JSONL file (see the module docstring); ``length`` is L."""
    name = str(path)
    text = read_text(path, ProfileError, name, LOG_FORMAT)
    columns, rows = _table(text, name, _kind(name, text))
    plain = ratio_column is loss_column is stderr_column is unit is bins is None
    kind = _kind(name, text)
    if plain and kind == "csv" and all(c.strip().lower() in _BOUNDCALC_COLUMNS for c in columns):
        return load_loss_curve(path, length, exact=exact)  # boundcalc's own file: its reader and its messages
    if unit is not None and unit not in ("nats", "bits"):
        raise UsageError(f"unit {unit!r}", param="unit", allowed="nats or bits")
    if bins is not None and (isinstance(bins, bool) or not isinstance(bins, int) or bins < 1):
        raise UsageError(f"{bins!r} bins", param="bins", allowed="a positive integer")
    found = ", ".join(columns) or "none"
    x_col = _required(_pick(columns, ratio_column, RATIO_NAMES, "ratio_column", "a mask-ratio", name, found))
    y_col = _required(_pick(columns, loss_column, LOSS_NAMES, "loss_column", "a loss", name, found))
    se_col = _pick(columns, stderr_column, STDERR_NAMES, "stderr_column", "a stderr", name, found, required=False)
    if bins is not None and se_col is not None:
        raise UsageError(f"{se_col!r}: binned samples get their stderr from the spread in each bin", param="bins",
                         allowed="per-batch samples without a stderr column")
    y_unit = unit or ("bits" if y_col.lower().endswith("bits") else "nats")
    scale = to_nats(1.0, y_unit)  # read into nats
    counts = x_col.strip().lower() == "masked"
    points, skipped = _points(rows, name, x_col, y_col, se_col)
    if not points:
        raise ProfileError(f"{name!r} has no row with both {x_col!r} and {y_col!r}", param=name, allowed=LOG_FORMAT)
    L = _length_of(points, counts, length, x_col)
    if bins is not None:
        ks, ys, ses, lines = _binned(points, counts, L, bins, name)
    else:
        ks, ys, ses, lines = _unbinned(points, counts, L, name, x_col)
    note = f"ratio {x_col}, loss {y_col} read as {y_unit}" + (f", stderr {se_col}" if se_col else "")
    note += f", {len(points)} samples in {bins} bins" if bins is not None else ""
    note += f"; {skipped} row{'s' if skipped != 1 else ''} without a value skipped" if skipped else ""
    return LossCurve(length=L, masked=ks, loss=[y * scale for y in ys],
                     stderr=None if ses is None else [s * scale for s in ses], source=f"{name} ({note})",
                     unit=y_unit, lines=tuple(lines), exact=exact)


def _required(column: str | None) -> str:
    if column is None:  # pragma: no cover - _pick raises for a required column
        raise UsageError("a required column is missing", param="loss_curve")
    return column


def _kind(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".tsv":
        return "tsv"
    first = next((line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    if first.startswith("{"):
        return "jsonl"
    return "tsv" if "\t" in first and "," not in first else "csv"


def _table(text: str, name: str, kind: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """(column names, [(line number, {column: cell})]) of a CSV/TSV/JSONL text."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise ProfileError(f"{name!r} has no data", param=name, allowed=LOG_FORMAT)
    if kind == "jsonl":
        columns: list[str] = []
        rows = []
        for n, line in numbered:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ProfileError(f"line {n}: not a JSON object ({error.msg})", param=name, allowed=LOG_FORMAT) from None
            if not isinstance(record, dict):
                raise ProfileError(f"line {n}: not a JSON object", param=name, allowed=LOG_FORMAT)
            columns += [str(k) for k in record if str(k) not in columns]
            rows.append((n, {str(k): v for k, v in record.items()}))
        return columns, rows
    reader = csv.reader(io.StringIO("\n".join(line for _, line in numbered)), delimiter="\t" if kind == "tsv" else ",")
    table = list(reader)
    columns = [c.strip() for c in table[0]]
    if len(set(columns)) != len(columns):
        raise ProfileError(f"line {numbered[0][0]}: the header repeats a column ({', '.join(columns)})", param=name,
                           allowed=LOG_FORMAT)
    rows = []
    for (n, _), cells in zip(numbered[1:], table[1:]):
        if len(cells) != len(columns):
            raise ProfileError(f"line {n}: {len(cells)} cells, the header has {len(columns)}", param=name)
        rows.append((n, dict(zip(columns, (c.strip() for c in cells)))))
    return columns, rows


def _pick(columns: list[str], given: str | None, names: tuple[str, ...], param: str, what: str, file: str,
          found: str, required: bool = True) -> str | None:
    """The column ``given``, or the one recognised by name; one-line errors list the columns found."""
    if given is not None:
        if given not in columns:
            raise UsageError(f"{given!r} is not a column of {file!r} (columns found: {found})", param=param)
        return given
    def base(column: str) -> str:
        return column.strip().lower().rsplit("/", 1)[-1]
    for wanted in names:
        matches = [c for c in columns if base(c) == wanted]
        if len(matches) > 1:
            raise UsageError(f"{file!r} has several {what} columns ({', '.join(matches)})", param=param,
                             allowed="name the one to read")
        if matches:
            return matches[0]
    if required:
        raise UsageError(f"{file!r} has no {what} column among the columns found ({found})".replace("no a ", "no "), param=param,
                         allowed=f"name it; recognised: {', '.join(names)}")
    return None


def _number(cell: Any, what: str, line: int, file: str) -> Fraction:
    try:
        return parse_rational(cell if isinstance(cell, str) else repr(cell))
    except (InvalidNumberError, ValueError, TypeError):
        raise ProfileError(f"line {line}: {what} {cell!r} is not a number", param=file, allowed=LOG_FORMAT) from None


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() in ("", "nan", "NaN")) or (
        isinstance(cell, float) and math.isnan(cell))


def _points(rows: list[tuple[int, dict[str, Any]]], file: str, x_col: str, y_col: str,
            se_col: str | None) -> tuple[list[tuple[int, Fraction, float, float | None]], int]:
    """[(line, ratio or k, loss, stderr)] of the rows holding both values, and how many rows held none."""
    points, skipped = [], 0
    for n, row in rows:
        x, y = row.get(x_col), row.get(y_col)
        if _empty(x) or _empty(y):
            skipped += 1
            continue
        ratio = _number(x, x_col, n, file)
        loss = _number(y, y_col, n, file)
        if loss < 0:
            raise ProfileError(f"line {n}: {y_col} {y!r} is negative", param=file, allowed="losses >= 0")
        se = None
        if se_col is not None:
            if _empty(row.get(se_col)):
                raise ProfileError(f"line {n}: {se_col} is empty", param=file, allowed="a stderr on every row")
            se = float(_number(row[se_col], se_col, n, file))
            if se < 0:
                raise ProfileError(f"line {n}: {se_col} {row[se_col]!r} is negative", param=file)
        points.append((n, ratio, float(loss), se))
    return points, skipped


def _length_of(points: list, counts: bool, length: int | None, x_col: str) -> int:
    if counts:
        return length if length is not None else int(max(p[1] for p in points))
    if length is None:
        raise UsageError(f"the column {x_col!r} holds mask ratios, so the sequence length is needed", param="length",
                         allowed="the sequence length L")
    return length


def _fraction(ratio: Fraction, counts: bool, L: int, line: int, file: str, x_col: str) -> Fraction:
    """The masked fraction of a row, checked: in (0, 1]."""
    f = ratio / L if counts else ratio
    if not 0 < f <= 1:
        raise ProfileError(f"line {line}: {x_col} {ratio} is out of range", param=file,
                           allowed="k in 1..L" if counts else "mask ratios in (0, 1]")
    return f


def _unbinned(points: list, counts: bool, L: int, file: str, x_col: str) -> tuple[list, list, Any, list]:
    ks, ys, ses, lines = [], [], [], []
    seen: dict[int, int] = {}
    for n, ratio, loss, se in points:
        f = _fraction(ratio, counts, L, n, file, x_col)
        if counts and ratio.denominator != 1:
            raise ProfileError(f"line {n}: masked {ratio} is not an integer", param=file)
        k = int(ratio) if counts else math.floor(f * L + Fraction(1, 2))
        if k < 1:
            raise ProfileError(f"line {n}: {x_col} {ratio} masks no token at L = {L} (k = round(r L) = 0)", param=file)
        if k in seen:
            raise ProfileError(f"line {n}: masked = {k} again (also line {seen[k]}): per-batch samples?", param=file,
                               allowed="one row per k, or average samples into ratio bins (bins)")
        seen[k] = n
        ks.append(k)
        ys.append(loss)
        ses.append(se)
        lines.append(n)
    return ks, ys, (None if any(s is None for s in ses) else ses), lines


def _binned(points: list, counts: bool, L: int, bins: int, file: str) -> tuple[list, list, list, list]:
    """Samples averaged in N equal ratio bins: k = round(mean ratio L), mean loss, sd / sqrt(n)."""
    groups: dict[int, list[tuple[int, Fraction, float]]] = {}
    for n, ratio, loss, _ in points:
        f = _fraction(ratio, counts, L, n, file, "ratio")
        j = min(math.ceil(f * bins) - 1, bins - 1)  # bin j holds ((j)/N, (j+1)/N]
        groups.setdefault(j, []).append((n, f, loss))
    ks, ys, ses, lines = [], [], [], []
    seen: dict[int, int] = {}
    for j in sorted(groups):
        members = groups[j]
        if len(members) < 2:
            raise ProfileError(f"the ratio bin ({Fraction(j, bins)}, {Fraction(j + 1, bins)}] holds one sample "
                               f"(line {members[0][0]}): no standard error", param=file,
                               allowed="fewer bins, or more samples")
        mean_f = sum((f for _, f, _ in members), Fraction(0)) / len(members)
        k = math.floor(mean_f * L + Fraction(1, 2))
        if k < 1:
            raise ProfileError(f"the ratio bin ({Fraction(j, bins)}, {Fraction(j + 1, bins)}] has mean ratio "
                               f"{float(mean_f):.3g}, which masks no token at L = {L}", param=file,
                               allowed="fewer bins, or a larger L")
        if k in seen:
            raise ProfileError(f"ratio bins {seen[k]} and {j + 1} of {bins} both give k = {k} at L = {L}",
                               param=file, allowed="fewer bins")
        seen[k] = j + 1
        values = [y for _, _, y in members]
        mean = math.fsum(values) / len(values)
        sd = math.sqrt(math.fsum((y - mean) ** 2 for y in values) / (len(values) - 1))
        ks.append(k)
        ys.append(mean)
        ses.append(sd / math.sqrt(len(values)))
        lines.append(members[0][0])
    return ks, ys, ses, lines
