"""The random-count families of the registry: ``mdlm:T[:NOISE]``, ``sedd:T``, ``dream-origin:T[:eps]``.

Each builds a :class:`~boundcalc.count_sampler.CountSampler` (imported when one is
built, so reading a spec or a help text does not load the count DPs). The rules are
quoted with their sources in docs/samplers.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ScheduleError
from .exact import positive_int
from .registry import Param, SamplerFamily, register

if TYPE_CHECKING:  # pragma: no cover
    from .count_sampler import CountSampler

__all__ = ["CountFamily", "MDLM", "SEDD", "DreamOrigin"]


class CountFamily(SamplerFamily):
    """A random-count family ``name:T[:more]``: values are expectations over the counts (exact DPs)."""

    reveals, exact_engine, step_cost_us = "counts", "counts", 6.0


_T = Param("T", "steps", doc="the nominal number of steps")


class MDLM(CountFamily):
    name, params = "mdlm", (_T, Param("NOISE", "text", optional=True))
    summary = ("MDLM: t_k = 1 − k(1−10^−5)/T, p_k = (α(t_k) − α(t_{k−1}))/(1 − α(t_{k−1})), then noise removal; "
               "NOISE `loglinear` (default), `linear`, `cosine`, `cosine2`, `geometric`")

    def _build(self, length: int, args: list[str]) -> CountSampler:
        from .count_sampler import NOISES, CountSampler

        if not 1 <= len(args) <= 2:
            raise ScheduleError("expected mdlm:T or mdlm:T:NOISE", allowed=f"NOISE one of {', '.join(NOISES)}")
        return CountSampler.mdlm(length, positive_int(args[0], "T"), *(args[1:]))


class SEDD(CountFamily):
    name, params = "sedd", (_T,)
    summary = "SEDD (log-linear noise, Euler/analytic, denoise): the same law as `mdlm:T`"

    def _build(self, length: int, args: list[str]) -> CountSampler:
        if len(args) != 1:
            raise ScheduleError("expected sedd:T")
        from .count_sampler import CountSampler

        steps = positive_int(args[0], "T")
        return CountSampler.mdlm(length, steps, name=f"sedd:{steps}")


class DreamOrigin(CountFamily):
    name, params = "dream-origin", (_T, Param("eps", "rational", optional=True))
    summary = "Dream `alg='origin'`: t = linspace(1, eps, T+1), eps = 1/1000, p_k = 1 − t_k/t_{k−1}, p_T = 1"

    def _build(self, length: int, args: list[str]) -> CountSampler:
        if len(args) not in (1, 2):
            raise ScheduleError("expected dream-origin:T or dream-origin:T:eps")
        from .count_sampler import CountSampler

        return CountSampler.dream_origin(length, positive_int(args[0], "T"), *(args[1:]))


for _family in (MDLM, SEDD, DreamOrigin):
    register(_family)
