"""Help texts about samplers, generated from the registry (boundcalc.registry): never typed by hand.

A family registered before the command line is built appears in every help
text here, with the usage its parameters declare.
"""

from __future__ import annotations

from ..registry import families, usage_list
from ..schedule import parse_spec  # noqa: F401  (imports the built-in families into the registry)


def _without_t(usage: str) -> str:
    return usage.replace(":T", "", 1)


def schedule_help() -> str:
    """``--schedule`` of bound and verify."""
    blocks = " or ".join(f.usage for f in families(reveals="blocks") if f.listed)
    return ("Sizes in reveal order: a comma list (5,3,2), a file (JSON list or one per line), or a family "
            f"({usage_list(reveals='fixed', needs_curve=False)}); semi-autoregressive {blocks} (blockwise bounds); "
            f"random counts {usage_list(reveals='counts')} (expected bounds); with --loss-curve "
            f"{usage_list(needs_curve=True)}.")


def steps_family_help() -> str:
    """``--family`` of steps: every family whose T can be searched."""
    fixed = [_without_t(f.usage) for f in families(reveals="fixed", needs_curve=False) if f.listed and f.steps_first]
    blocks = [f"{f.name}:K:FAMILY (by bound)" for f in families(reveals="blocks")
              if f.listed and f.template(["K", "uniform"])]
    counts = [_without_t(f.usage) for f in families(reveals="counts") if f.listed and f.steps_first]
    return (f"Schedule family searched over T: {', '.join(fixed)} (uniform is the default), info-optimal (needs "
            f"--loss-curve), {', '.join(blocks)}, or a random-count sampler {', '.join(counts)} (values are "
            "expectations over its counts; T may exceed L). With --budget: repeatable, the families compared "
            "(the random-count samplers only when named).")


def sweep_family_help() -> str:
    """``--family`` of sweep and plot: a family without its T."""
    fixed = [_without_t(f.usage) for f in families(reveals="fixed", needs_curve=False) if f.listed and f.steps_first]
    counts = [_without_t(f.usage) for f in families(reveals="counts") if f.listed and f.steps_first]
    return (f"A schedule family without its T: {', '.join(fixed)}, any family with T written in it "
            f"(blocks:4:uniform:T), or a random-count sampler: {', '.join(counts)}. Repeatable; default uniform.")
