"""Reading input files with one-line errors (shared by every loader), whole or in chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .errors import BoundcalcError

__all__ = ["read_text", "read_text_chunks"]


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
    raise ``error`` naming the file, attributed to ``param``, with
    ``allowed`` saying what is expected.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise error(f"{name!r} does not exist", param=param, allowed=allowed) from None
    except IsADirectoryError:
        raise error(f"{name!r} is a directory", param=param, allowed=allowed) from None
    except OSError as failure:
        raise error(f"cannot read {name!r}: {failure.strerror or failure}", param=param) from None
    if b"\x00" in raw:
        raise error(f"{name!r} is a binary file", param=param, allowed=allowed)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        raise error(f"{name!r} is not UTF-8 text (byte {failure.start})", param=param, allowed=allowed) from None
    if not allow_empty and not text.strip():
        raise error(f"{name!r} is empty", param=param, allowed=allowed)
    return text


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
    boundary. The checks and messages of :func:`read_text`, with the absolute
    byte offset of invalid UTF-8; a BOM is dropped; a blank file raises
    (unless ``allow_empty``) once every chunk has been read.
    """
    name = str(path)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise error(f"{name!r} does not exist", param=param, allowed=allowed) from None
    except IsADirectoryError:
        raise error(f"{name!r} is a directory", param=param, allowed=allowed) from None
    except OSError as failure:
        raise error(f"cannot read {name!r}: {failure.strerror or failure}", param=param) from None
    with handle:
        offset, pending, blank = 0, b"", True
        while True:
            try:
                block = handle.read(size)
            except IsADirectoryError:
                raise error(f"{name!r} is a directory", param=param, allowed=allowed) from None
            except OSError as failure:
                raise error(f"cannot read {name!r}: {failure.strerror or failure}", param=param) from None
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
                raise error(f"{name!r} is a binary file", param=param, allowed=allowed)
            start = 3 if offset == 0 and data.startswith(b"\xef\xbb\xbf") else 0
            try:
                text = data[start:].decode("utf-8") if start else data.decode("utf-8")
            except UnicodeDecodeError as failure:
                raise error(
                    f"{name!r} is not UTF-8 text (byte {offset + start + failure.start})", param=param, allowed=allowed
                ) from None
            offset += len(data)
            if blank and text and not text.isspace():
                blank = False
            yield text
            if not block:
                break
    if blank and not allow_empty:
        raise error(f"{name!r} is empty", param=param, allowed=allowed)


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
