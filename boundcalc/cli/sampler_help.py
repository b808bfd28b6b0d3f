"""Help texts about samplers, generated from the registry (boundcalc.registry): never typed by hand.

A family registered before a help text is shown appears in it, with the usage its
parameters declare. The texts are computed when shown (:class:`RegistryHelpOption`),
so ``boundcalc --help`` does not load the registry.
"""

from __future__ import annotations

from typing import Any, Callable

import click


class RegistryHelpOption(click.Option):
    """An option whose help text is computed from the registry when it is shown (``help_from()``)."""

    def __init__(self, *args: Any, help_from: Callable[[], str], **kwargs: Any) -> None:
        self._help_from = help_from
        super().__init__(*args, **kwargs)

    @property
    def help(self) -> str:
        return self._help_from()

    @help.setter
    def help(self, value: Any) -> None:  # click sets the static text: the registry's is used instead
        pass


def _families(**where: Any) -> list[Any]:
    from ..registry import families
    from ..schedule import parse_spec  # noqa: F401  (the built-in families are registered with it)

    return [f for f in families(**where) if f.listed]


def _usages(**where: Any) -> str:
    return ", ".join(f.usage for f in _families(**where))


def _without_t(usage: str) -> str:
    return usage.replace(":T", "", 1)


def schedule_help() -> str:
    """``--schedule`` of bound and verify."""
    blocks = " or ".join(f.usage for f in _families(reveals="blocks"))
    return ("Sizes in reveal order: a comma list (5,3,2), a file (JSON list or one per line), or a family "
            f"({_usages(reveals='fixed', needs_curve=False)}); semi-autoregressive {blocks} (blockwise bounds); "
            f"random counts {_usages(reveals='counts')} (expected bounds); with --loss-curve "
            f"{_usages(needs_curve=True)}. Sampler rules ({_usages(is_rule=True)}): verify evaluates them, bound "
            "refuses them (no bound of the paper holds; docs/samplers.md).")


def sampler_help() -> str:
    """``--sampler`` of sweep and plot: any spec, the sampler rules first."""
    return ("Instead of a grid of T: these samplers side by side (repeatable; a data model), each at its expected "
            f"network calls: a sampler rule ({_usages(is_rule=True)}), llada:GEN:BLOCK:STEPS (LLaDA's "
            "low_confidence remasking), a random-count sampler (mdlm:T, sedd:T, dream-origin:T) or any schedule "
            "(uniform:T, cosine:T, ...; docs/samplers.md); a threshold may be a grid LO..HI/N, N evenly spaced "
            "values from LO to HI (confidence:1/2..19/20/10, eb:0..2/5:bits); plot: --kind error-vs-nfe.")


def steps_family_help() -> str:
    """``--family`` of steps: every family whose T can be searched."""
    fixed = [_without_t(f.usage) for f in _families(reveals="fixed", needs_curve=False) if f.steps_first]
    blocks = [f"{f.name}:K:FAMILY (by bound)" for f in _families(reveals="blocks") if f.template(["K", "uniform"])]
    counts = [_without_t(f.usage) for f in _families(reveals="counts") if f.steps_first]
    return (f"Schedule family searched over T: {', '.join(fixed)} (uniform is the default), info-optimal (needs "
            f"--loss-curve), {', '.join(blocks)}, or a random-count sampler {', '.join(counts)} (values are "
            "expectations over its counts; T may exceed L). With --budget: repeatable, the families compared "
            "(the random-count samplers only when named).")


def sweep_family_help() -> str:
    """``--family`` of sweep and plot: a family without its T."""
    fixed = [_without_t(f.usage) for f in _families(reveals="fixed", needs_curve=False) if f.steps_first]
    counts = [_without_t(f.usage) for f in _families(reveals="counts") if f.steps_first]
    return (f"A schedule family without its T: {', '.join(fixed)}, any family with T written in it "
            f"(blocks:4:uniform:T), or a random-count sampler: {', '.join(counts)}. Repeatable; default uniform.")
