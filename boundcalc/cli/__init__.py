"""The ``boundcalc`` command: a click group whose commands only parse, call the library, render.

Commands live in modules by topic (calc: steps, bound, recursion; truth:
verify, profile; latex), so each part of the tool can grow without touching
the others, and the group imports a module only when one of its commands runs. Only
click and boundcalc's light core are imported at start-up: rich, sympy,
numpy and mpmath are imported by the commands that use them.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

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
}


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

    def main(
        self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
        standalone_mode: bool = True, **extra: Any,
    ) -> Any:
        """click's own errors (bad option, bad value, missing argument) as one line, like boundcalc's."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            click.echo(f"Error: {shorten(error.format_message(), MAX_MESSAGE)}", err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        # without standalone mode click returns the exit code of ctx.exit(); pass it on
        sys.exit(result if isinstance(result, int) else 0)


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=BoundcalcGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="boundcalc", message="boundcalc %(version)s")
def main() -> None:
    """Exact convergence bounds for masked diffusion language models (Li & Cai, arXiv 2505.21400).

    Every input is read as an exact rational (0.1 is 1/10) and every decision
    (is the bound <= ε? which T?) is made exactly. Exit codes: 0 success,
    1 no answer exists (e.g. a target below ε_train), 2 bad input.

    \b
    Start with:  boundcalc steps            (the embedded example)
    Then:        boundcalc steps --mi-total 12.5 --length 1024 --target 0.05
    """


def all_commands() -> dict[str, click.Command]:
    """Every command by name, loading them all (for documentation and tests)."""
    ctx = click.Context(main)
    return {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}  # type: ignore[misc]
