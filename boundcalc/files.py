"""Reading input files with one-line errors (shared by every loader), whole or in chunks."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Iterator

from .errors import BoundcalcError

__all__ = ["read_text", "read_text_chunks", "check_input_file", "parse_json", "MAX_FILE_BYTES"]

#: Input files larger than this are refused before reading (a profile of 10^7 tokens is ~200 MB).
MAX_FILE_BYTES = 2 << 30


def check_input_file(
    path: str | Path, error: type[BoundcalcError], param: str | None = None, allowed: str | None = None
) -> int:
    """Check that ``path`` is a regular, readable file within :data:`MAX_FILE_BYTES`; return its size.

    Directories, FIFOs, devices (``/dev/zero`` would never end) and sockets are
    refused before anything is read, with ``error`` attributed to ``param``
    (by default the file itself).
    """
    name = str(path)
    param = param or name
    it = "the file" if param == name else repr(name)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{it} does not exist", param=param, allowed=allowed) from None
    except OSError as failure:
        raise error(f"cannot read {it}: {failure.strerror or failure}", param=param) from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{it} is a directory", param=param, allowed=allowed)
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise error(f"{it} is {kind}, not a regular file", param=param, allowed=allowed)
    if info.st_size > MAX_FILE_BYTES:
        raise error(
            f"{it} has {info.st_size} bytes", param=param, allowed=f"input files of at most {MAX_FILE_BYTES} bytes"
        )
    return info.st_size


def parse_json(text: str, error: type[BoundcalcError], param: str | None, **options: Any) -> Any:
    """``json.loads`` with one-line errors: invalid JSON, nesting too deep, integers too long."""
    import json

    try:
        return json.loads(text, **options)
    except json.JSONDecodeError as failure:
        raise error(f"invalid JSON at line {failure.lineno}, column {failure.colno}: {failure.msg}", param=param) from None
    except RecursionError:
        raise error("the JSON is nested too deeply", param=param, allowed="plain lists and objects") from None
    except ValueError as failure:  # e.g. an integer beyond Python's 4300-digit conversion limit
        raise error(f"the JSON cannot be read: {failure}", param=param) from None


def read_text(
    path: str | Path,
    error: type[BoundcalcError],
    param: str | None,
    allowed: str | None = None,
    allow_empty: bool = False,
) -> str:
    """The text of a UTF-8 file (a BOM is dropped).

    A missing file, a directory, an unreadable or binary (NUL bytes) file,
    invalid UTF-8 and (unless ``allow_empty``) an empty or blank file each
    raise ``error`` with ``allowed`` saying what is expected. The error is
    attributed to ``param``, by default the file itself (the command line
    shows it as ``--flag FILE``); messages name the file only when ``param``
    is something else.
    """
    name = str(path)
    param = param or name
    it = "the file" if param == name else repr(name)
    check_input_file(path, error, param, allowed)
    try:
        raw = Path(path).read_bytes()
    except OSError as failure:
        raise _unreadable(error, failure, it, param, allowed) from None
    if b"\x00" in raw:
        raise error(f"{it} is a binary file", param=param, allowed=allowed)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        raise error(f"{it} is not UTF-8 text (byte {failure.start})", param=param, allowed=allowed) from None
    if not allow_empty and not text.strip():
        raise error(f"{it} is empty", param=param, allowed=allowed)
    return text


def _unreadable(
    error: type[BoundcalcError], failure: OSError, it: str, param: str, allowed: str | None
) -> BoundcalcError:
    """The one-line error for a file that fails to open or read (it may change after the checks)."""
    if isinstance(failure, FileNotFoundError):
        return error(f"{it} does not exist", param=param, allowed=allowed)
    if isinstance(failure, IsADirectoryError):
        return error(f"{it} is a directory", param=param, allowed=allowed)
    return error(f"cannot read {it}: {failure.strerror or failure}", param=param)


def read_text_chunks(
    path: str | Path,
    error: type[BoundcalcError],
    param: str | None,
    allowed: str | None = None,
    *,
    size: int = 1 << 20,
    separator: bytes | None = None,
    allow_empty: bool = False,
) -> Iterator[str]:
    """The text of a UTF-8 file in chunks of about ``size`` bytes, for reading files of any size.

    Each chunk ends just after a ``separator`` byte (e.g. ``b"\\n"``: whole
    lines; a final chunk may lack it), or, with no separator, at a character
    boundary. The checks and messages of :func:`read_text` (and
    :func:`check_input_file` first), with the absolute
    byte offset of invalid UTF-8; a BOM is dropped; a blank file raises
    (unless ``allow_empty``) once every chunk has been read.
    """
    name = str(path)
    param = param or name
    it = "the file" if param == name else repr(name)
    check_input_file(path, error, param, allowed)
    try:
        handle = open(path, "rb")
    except OSError as failure:
        raise _unreadable(error, failure, it, param, allowed) from None
    with handle:
        offset, pending, blank = 0, b"", True
        while True:
            try:
                block = handle.read(size)
            except OSError as failure:
                raise _unreadable(error, failure, it, param, allowed) from None
            data = pending + block if pending else block
            if block:
                cut = data.rfind(separator) + 1 if separator is not None else _character_boundary(data)
                if cut == 0:
                    pending = data
                    continue
                data, pending = data[:cut], data[cut:]
            if not data:
                break
            if b"\x00" in data:
                raise error(f"{it} is a binary file", param=param, allowed=allowed)
            start = 3 if offset == 0 and data.startswith(b"\xef\xbb\xbf") else 0
            try:
                text = data[start:].decode("utf-8") if start else data.decode("utf-8")
            except UnicodeDecodeError as failure:
                raise error(
                    f"{it} is not UTF-8 text (byte {offset + start + failure.start})", param=param, allowed=allowed
                ) from None
            offset += len(data)
            if blank and text and not text.isspace():
                blank = False
            yield text
            if not block:
                break
    if blank and not allow_empty:
        raise error(f"{it} is empty", param=param, allowed=allowed)


def _character_boundary(data: bytes) -> int:
    """len(data), or less so that a UTF-8 sequence cut by the end of ``data`` is left out."""
    end = len(data)
    lead = end - 1
    while lead >= 0 and end - lead <= 4 and data[lead] & 0xC0 == 0x80:
        lead -= 1
    if lead < 0:
        return end
    first = data[lead]
    need = 1 if first < 0x80 else 2 if first >> 5 == 0b110 else 3 if first >> 4 == 0b1110 else 4 if first >> 3 == 0b11110 else 1
    return lead if lead + need > end else end
