"""The embedded default example: what ``boundcalc steps`` computes with no MI source.

A first-order character model of English technical prose: the bigram chain
over a-z and space fitted (add-1/2 smoothing) to the text of CPython 3.11's
``pydoc_data.topics``, started at a word start, for L = 1024 characters.
``data/default_markov.json`` holds the chain with exact fractions;
``data/default_profile.csv`` the exact MI profile I_i = I(X_i; X_-i) it
implies (nats, 12 significant digits). How both were made:
docs/examples/make_default_example.py; what they show: README and docs/cli.md.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .profile import MIProfile, load_profile

__all__ = ["EXAMPLE_DESCRIPTION", "EXAMPLE_TARGETS", "example_profile", "example_path"]

EXAMPLE_DESCRIPTION = (
    "embedded example: bigram character model of English prose (a-z and space, "
    "fitted to CPython's pydoc topics), L = 1024"
)
#: Whole-sequence KL targets (nats) shown when no --target is given: 0.1, 0.01, 0.001 nats per token.
EXAMPLE_TARGETS = ("102.4", "10.24", "1.024")


def example_path(name: str = "default_profile.csv") -> Path:
    """The path of a file of the embedded example (``default_profile.csv`` or ``default_markov.json``)."""
    return Path(str(resources.files("boundcalc") / "data" / name))


def example_profile() -> MIProfile:
    """The embedded example's MI profile (1024 tokens, nats)."""
    return load_profile(example_path(), "nats")
