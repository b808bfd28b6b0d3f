"""The error hierarchy of boundcalc.

Every error the library raises on bad input is a :class:`BoundcalcError`, and
also a builtin (``ValueError``, ``OSError``), so callers can catch either.
Each carries structured fields -- ``param`` (the flag, argument or file the
bad value came from), ``value`` and ``allowed`` -- from which the one-line
message is built; the command line prints that line and exits with
``exit_code`` (2 for usage errors, 1 for domain errors), never a traceback.
"""

from __future__ import annotations

__all__ = [
    "BoundcalcError",
    "UsageError",
    "InvalidNumberError",
    "ScheduleError",
    "ProfileError",
    "ModelError",
    "DomainError",
    "InfeasibleTargetError",
    "OutputError",
    "MissingExtraError",
]


#: The longest message an error prints: a value of a million characters is shown by its ends.
MAX_MESSAGE = 300


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line, its middle cut to fit ``limit`` characters.

    >>> shorten("a" * 500 + "z" * 500, 21)
    'aaaaaaaaaa…zzzzzzzzzz'
    """
    # one line, whatever a user typed: control characters (\x85 is a line break too) are escaped
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(text).replace("\r\n", " ").replace("\n", " "))
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


class BoundcalcError(Exception):
    """Base class of every error boundcalc raises on bad input or an impossible request."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        value: object = None,
        allowed: str | None = None,
    ) -> None:
        self.message = message
        self.param = param
        self.value = value
        self.allowed = allowed
        super().__init__(self.__str__())

    def __str__(self) -> str:
        # one line, never longer than MAX_MESSAGE: the value is cut in the middle, what is allowed is kept
        param = f"{shorten(self.param, 80)}: " if self.param else ""
        # the message keeps at least 60 characters; what is allowed gets the rest, up to 200
        allowed_room = min(200, MAX_MESSAGE - len(param) - 60 - 3)
        allowed = f" ({shorten(self.allowed, allowed_room)})" if self.allowed else ""
        room = MAX_MESSAGE - len(allowed) - len(param)
        return f"{param}{shorten(self.message, room)}{allowed}"

    def with_param(self, param: str) -> "BoundcalcError":
        """The same error, attributed to ``param`` (e.g. the CLI flag a value came from)."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.param = param
        Exception.__init__(clone, clone.__str__())
        return clone


class UsageError(BoundcalcError, ValueError):
    """An input that is malformed or outside what is allowed (CLI exit code 2)."""

    exit_code = 2


class InvalidNumberError(UsageError):
    """A number that cannot be parsed exactly, or is outside its allowed range."""


class ScheduleError(UsageError):
    """A mask size schedule that is not a list of positive integers summing to L."""


class ProfileError(UsageError):
    """A mutual-information profile (file or values) that cannot be used."""


class ModelError(UsageError):
    """A data model (joint table, Markov chain, corpus) that is malformed."""


class DomainError(BoundcalcError, ValueError):
    """A well-formed request that has no answer (CLI exit code 1)."""

    exit_code = 1


class InfeasibleTargetError(DomainError):
    """A target error below the floor set by the training error."""


class OutputError(BoundcalcError, OSError):
    """An output file that cannot be written (the folder is missing, the disk is full, ...): CLI exit code 1.

    A path refused before any work (a directory, an input of the same command, a
    missing folder) is a :class:`UsageError` instead (exit code 2).
    """

    exit_code = 1


class MissingExtraError(DomainError, ImportError):
    """An optional dependency (an extra: ``[plot]``, ``[hf]``) is not installed: CLI exit code 1, for every extra."""
