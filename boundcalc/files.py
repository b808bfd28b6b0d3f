"""Reading input files with one-line errors (shared by every loader)."""

from __future__ import annotations

from pathlib import Path

from .errors import BoundcalcError

__all__ = ["read_text"]


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
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise error(f"{it} does not exist", param=param, allowed=allowed) from None
    except IsADirectoryError:
        raise error(f"{it} is a directory", param=param, allowed=allowed) from None
    except OSError as failure:
        raise error(f"cannot read {it}: {failure.strerror or failure}", param=param) from None
    if b"\x00" in raw:
        raise error(f"{it} is a binary file", param=param, allowed=allowed)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        raise error(f"{it} is not UTF-8 text (byte {failure.start})", param=param, allowed=allowed) from None
    if not allow_empty and not text.strip():
        raise error(f"{it} is empty", param=param, allowed=allowed)
    return text
