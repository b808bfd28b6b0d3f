"""Reading input files and writing output files, with one-line errors (shared by every loader and writer).

Reading: whole or in chunks, special files refused before reading. Writing
(:func:`write_output`): atomically -- the bytes go to a temporary file in the
target's folder, are fsync'd, and the file is renamed over the target only when
complete, so an interrupted or failed write leaves the old file intact and two
concurrent writers leave one whole file; :func:`check_output` refuses an output
that cannot be written, or that is one of the inputs, before any work.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Iterator, Mapping

from .errors import BoundcalcError, OutputError, UsageError

__all__ = [
    "read_text", "read_text_chunks", "check_input_file", "parse_json", "MAX_FILE_BYTES", "check_output", "write_output",
]

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


# ---------------------------------------------------------------------------------------------- writing

#: Temporary files are ``.<name>.<random>.tmp`` next to the target; the name's head is kept short so that a
#: target name near the system's limit still leaves room for the prefix and suffix.
_TEMP_HEAD = 60


def _target(path: str | Path) -> str:
    """The file a write to ``path`` lands in: symlinks followed (a link keeps pointing at the new content)."""
    return os.path.realpath(os.fspath(path))


def _describe_os_error(failure: OSError) -> str:
    return failure.strerror or type(failure).__name__


def _name_limit(folder: str) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def check_output(path: str | Path, param: str | None = None, inputs: Mapping[str, str | Path] | None = None) -> None:
    """Refuse, before any work, an output path that cannot be written or that is one of ``inputs``.

    Checked: the path is not empty nor a folder; its folder (after following
    symlinks) exists and is a folder; the file name fits the file system; a
    file can be created in the folder (a probe file, removed at once); an
    existing target is writable; and the target is none of ``inputs`` (what
    each input is -> its path; compared by :func:`os.path.samefile`: symlinks
    and hard links included). Errors are
    :class:`~boundcalc.errors.UsageError` attributed to ``param`` (by default
    the path itself).
    """
    name = os.fspath(path)
    param = param or name
    if not name:
        raise UsageError("an empty file name", param=param, allowed="a file path")
    target = _target(name)
    folder, base = os.path.split(target)
    try:
        info = os.stat(target)
    except OSError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode) or name.endswith(os.sep):
        raise UsageError(f"{name!r} is a folder", param=param, allowed="a file path")
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "does not exist"
        given = os.path.dirname(name.rstrip(os.sep)) or "."  # as typed (a symlinked path: where it leads)
        shown = given if os.path.realpath(given) == folder else folder
        raise UsageError(f"cannot write {name!r}: the folder {shown!r} {what}", param=param)
    limit = _name_limit(folder)
    if len(os.fsencode(base)) > limit:
        raise UsageError(f"cannot write {name!r}: the file name has {len(os.fsencode(base))} bytes", param=param,
                         allowed=f"names of at most {limit} bytes")
    for what, source in (inputs or {}).items():
        if _same_file(source, target):
            raise UsageError(f"{name!r} is also the input {what}: writing would destroy it", param=param,
                             allowed="another output file")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _check_stream(target, name, param, info)
        return
    if info is not None and not os.access(target, os.W_OK):
        raise UsageError(f"cannot write {name!r}: permission denied", param=param)
    try:
        fd, temp = _create_temp(folder, base)
    except OSError as failure:
        raise UsageError(f"cannot write {name!r}: {_describe_os_error(failure)}", param=param) from None
    os.close(fd)
    os.unlink(temp)


def _check_stream(target: str, name: str, param: str, info: os.stat_result) -> None:
    """A device or FIFO as the output (/dev/null, a pipe): written in place, so it must be writable now."""
    if stat.S_ISSOCK(info.st_mode):
        raise UsageError(f"{name!r} is a socket", param=param, allowed="a file path")
    if not os.access(target, os.W_OK):
        raise UsageError(f"cannot write {name!r}: permission denied", param=param)


def _same_file(source: str | Path, target: str) -> bool:
    try:
        return os.path.samefile(source, target)
    except (OSError, ValueError):
        return os.path.realpath(os.fspath(source)) == target


def _create_temp(folder: str, base: str) -> tuple[int, str]:
    """(fd, path) of a new, empty temporary file next to the target (mode 0o666 less the umask, as open() gives)."""
    import secrets  # here, not at the top: hmac and OpenSSL's hashes cost a sweep to stdout ~10 ms of start-up

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temp = os.path.join(folder, f".{base[:_TEMP_HEAD]}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder!r}")


def write_output(path: str | Path, data: bytes | str, param: str | None = None) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` atomically; returns ``Path(path)``.

    The bytes go to a temporary file in the target's folder (symlinks
    followed), are flushed to disk (fsync), and the file is renamed over the
    target only when complete: an interrupted write (an exception, SIGTERM
    turned into one by the command line, a full disk) leaves the old file
    intact and removes the temporary file; two concurrent writers leave one
    whole file. An existing file keeps its permissions. A device or FIFO
    (``/dev/null``, ``/dev/stdout``, a pipe) is written in place. Every OS
    error is an :class:`~boundcalc.errors.OutputError` naming the path.
    """
    name = os.fspath(path)
    param = param or name
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target = _target(name)
    try:
        info: os.stat_result | None = os.stat(target)
    except OSError:
        info = None
    try:
        if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            _write_in_place(target, payload, info)
        else:
            _replace(target, payload, info)
    except OutputError:
        raise
    except OSError as failure:
        raise OutputError(f"cannot write {name!r}: {_describe_os_error(failure)}", param=param) from None
    return Path(path)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_in_place(target: str, payload: bytes, info: os.stat_result) -> None:
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    if stat.S_ISFIFO(info.st_mode):  # no reader: ENXIO at once instead of waiting for one forever
        flags |= os.O_NONBLOCK
    fd = os.open(target, flags)
    try:
        if flags & os.O_NONBLOCK:
            os.set_blocking(fd, True)
        _write_all(fd, payload)
    finally:
        os.close(fd)


def _replace(target: str, payload: bytes, info: os.stat_result | None) -> None:
    folder, base = os.path.split(target)
    fd, temp = _create_temp(folder, base)
    try:
        try:
            _write_all(fd, payload)
            if info is not None:
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """fsync the folder so that the rename itself survives a crash (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
