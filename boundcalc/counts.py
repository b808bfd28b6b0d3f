"""Samplers that reveal a random number of tokens per step (MDLM, SEDD, Dream ``origin``).

The sampler itself is :class:`~boundcalc.count_sampler.CountSampler` (its law,
the DPs over the number revealed, their certified errors); its families
(``mdlm:T[:NOISE]``, ``sedd:T``, ``dream-origin:T[:eps]``) are registered in
:mod:`boundcalc.registry`. This module gathers the names callers use, and
:func:`parse_sampler`, which reads any sampler spec (fixed or random counts).
"""

from __future__ import annotations

from .count_sampler import (  # noqa: F401  (the public names of the random-count samplers)
    DREAM_EPS,
    EPS64,
    MAX_COUNT_STEPS,
    MAX_COUNT_WORK,
    MDLM_DELTA,
    NOISES,
    TAIL,
    CountSampler,
)
from .schedule import COUNT_FAMILIES, parse_sampler

__all__ = ["CountSampler", "parse_sampler", "NOISES", "COUNT_FAMILIES", "MAX_COUNT_WORK", "MAX_COUNT_STEPS"]
