"""The ``boundcalc`` command: a click group whose commands only parse, call the library, render.

Commands live in modules by topic (calc: steps, bound, recursion; truth:
verify, profile; latex), so each part of the tool can grow without touching the others. Only
click and boundcalc's light core are imported at start-up: rich, sympy,
numpy and mpmath are imported by the commands that use them.
"""

from __future__ import annotations

import click

from ..errors import BoundcalcError
from .calc import bound, recursion, steps
from .latex import latex
from .truth import profile, verify


class BoundcalcGroup(click.Group):
    """A group that turns library errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BoundcalcError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


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


main.add_command(steps)
main.add_command(bound)
main.add_command(recursion)
main.add_command(verify)
main.add_command(profile)
main.add_command(latex)
