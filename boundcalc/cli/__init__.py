"""The ``boundcalc`` command: a click group whose commands only parse, call the library, render.

Commands live in modules by topic (calc: steps, bound, recursion; truth:
verify, profile; latex), so each part of the tool can grow without touching
the others, and the group imports a module only when one of its commands runs. Only
click and boundcalc's light core are imported at start-up: rich, sympy,
numpy and mpmath are imported by the commands that use them.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from importlib import import_module
from typing import Any, Iterator

import click

from ..errors import MAX_MESSAGE, BoundcalcError, shorten

#: command name -> module (in boundcalc.cli) that defines it, in the order of --help.
#: Commands are imported when used, so `boundcalc steps` never loads verify's or latex's module.
COMMANDS = {
    "steps": "calc",
    "bound": "calc",
    "recursion": "calc",
    "verify": "truth",
    "profile": "truth",
    "latex": "latex",
    "sweep": "sweep",
    "plot": "plot",
}


#: The exit status of a command whose reader closed the pipe (``boundcalc sweep ... | head -1``): 128 + SIGPIPE,
#: what a shell reports for a Unix tool that SIGPIPE ended; Python ignores the signal and sees EPIPE instead.
CLOSED_PIPE = 141


class BoundcalcGroup(click.Group):
    """A group that loads its commands lazily and turns library errors into one-line messages and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            self.add_command(getattr(import_module(f"{__name__}.{COMMANDS[name]}"), name), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BoundcalcError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        """click's resolution, with "did you mean" for an unknown command (difflib on the names)."""
        name = click.utils.make_str(args[0])
        if not args[0].startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {shorten(name, 60)!r}.{hint} (commands: {', '.join(self.list_commands(ctx))})")
        return super().resolve_command(ctx, args)

    def main(
        self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
        standalone_mode: bool = True, **extra: Any,
    ) -> Any:
        """click's own errors (bad option, bad value, missing argument) as one line, like boundcalc's.

        Bare ``boundcalc`` shows the help and exits 0; SIGTERM and SIGHUP end the
        command through Python's exceptions (so a file being written is left as it
        was, its temporary file removed); an error writing stdout is one line; a
        reader that closed the pipe ends the command quietly with 141 (:data:`CLOSED_PIPE`).
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        if args is None:
            args = sys.argv[1:]
        if not list(args):
            args = ["--help"]
        from .allocator import keep_freed_memory

        keep_freed_memory()  # a sweep's arrays reuse freed memory instead of faulting its pages in again
        with _signals_as_exceptions():
            try:
                result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            except SystemExit:  # click and rich end a command whose pipe closed with exit 1 themselves
                if _PIPE.closed:
                    _silence_stdout()
                    sys.exit(CLOSED_PIPE)
                raise
            except click.ClickException as error:
                click.echo(f"Error: {shorten(error.format_message(), MAX_MESSAGE)}", err=True)
                sys.exit(error.exit_code)
            except click.exceptions.Abort:
                click.echo("Aborted.", err=True)
                sys.exit(1)
            except click.exceptions.Exit as done:
                sys.exit(done.exit_code)
            except BrokenPipeError:  # `boundcalc ... | head`: the reader left; nothing more to say
                _silence_stdout()
                sys.exit(CLOSED_PIPE)
            except UnicodeEncodeError as error:  # stdout in a locale (LANG=C, PYTHONIOENCODING=ascii) without Σ, ≤, …
                _silence_stdout()
                _say(f"Error: cannot write the output: its encoding {error.encoding} has no {_character(error)}; "
                     "use a UTF-8 locale or PYTHONIOENCODING=utf-8")
                sys.exit(1)
            except OSError as error:  # stdout or stderr on a full disk, a closed terminal, ...
                _say(f"Error: cannot write the output: {error.strerror or error}")
                sys.exit(1)
            try:  # the last buffered output may fail only now
                sys.stdout.flush()
            except OSError as error:
                _silence_stdout()
                if isinstance(error, BrokenPipeError):
                    sys.exit(CLOSED_PIPE)
                _say(f"Error: cannot write the output: {error.strerror or error}")
                sys.exit(1)
        # without standalone mode click returns the exit code of ctx.exit(); pass it on
        sys.exit(result if isinstance(result, int) else 0)


def _character(error: UnicodeEncodeError) -> str:
    """The first character an encoding could not write, by code point and name (ASCII, so the message itself can)."""
    import unicodedata

    char = error.object[error.start] if isinstance(error.object, str) else "?"
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"


def _say(line: str) -> None:
    try:
        click.echo(line, err=True)
    except OSError:
        pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's own flush at exit cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


class _Pipe:
    """Whether a write found its reader gone (SIGPIPE arrived: Python ignores it, the write raises EPIPE)."""

    closed = False


_PIPE = _Pipe()


class _Terminated(SystemExit):
    """SIGTERM or SIGHUP: unwinds like an exception (``finally`` runs: temporary files are removed)."""


@contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise _Terminated(128 + signum)

    def closed_pipe(signum: int, frame: Any) -> None:  # noted only: the write itself raises BrokenPipeError
        _PIPE.closed = True

    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {}
    try:
        for number in wanted:
            previous[number] = signal.signal(number, stop)
        if hasattr(signal, "SIGPIPE"):
            previous[signal.SIGPIPE] = signal.signal(signal.SIGPIPE, closed_pipe)
    except ValueError:  # not the main thread (a test runner's worker): signals stay as they are
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=BoundcalcGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="boundcalc", message="boundcalc %(version)s")
def main() -> None:
    """Exact convergence bounds for masked diffusion language models (Li & Cai, arXiv 2505.21400).

    Every input is read as an exact rational (0.1 is 1/10) and every decision
    (is the bound <= ε? which T?) is made exactly. Exit codes: 0 success,
    1 no answer exists (e.g. a target below ε_train, a missing extra, a disk
    full while writing), 2 bad input (an output path refused before work too).

    \b
    Start with:  boundcalc steps            (the embedded example)
    Then:        boundcalc steps --mi-total 12.5 --length 1024 --target 0.05
    """


def all_commands() -> dict[str, click.Command]:
    """Every command by name, loading them all (for documentation and tests)."""
    ctx = click.Context(main)
    return {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}  # type: ignore[misc]
