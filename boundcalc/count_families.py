"""The random-count families of the registry: ``mdlm:T[:NOISE]``, ``sedd:T``, ``dream-origin:T[:eps]``.

Each builds a :class:`~boundcalc.count_sampler.CountSampler` (imported when one is
built, so reading a spec or a help text does not load the count DPs). The rules are
quoted with their sources in docs/samplers.md.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar, Sequence

from .errors import ScheduleError, UsageError
from .exact import parse_rational, positive_int
from .registry import Param, SamplerFamily, register

if TYPE_CHECKING:  # pragma: no cover
    from .count_sampler import CountSampler

__all__ = ["CountFamily", "MDLM", "SEDD", "DreamOrigin"]


class CountFamily(SamplerFamily):
    """A random-count family ``name:T[:more]``: values are expectations over the counts (exact DPs)."""

    reveals, exact_engine, step_cost_us = "counts", "counts", 6.0

    def searched(self, args: Sequence[str], text: str, allowed: str) -> tuple[str, ...]:
        """Its optional arguments besides T (``mdlm[:NOISE]``), checked by :meth:`check_searched`."""
        usage = self.search_usage or self.name
        if len(args) > usage.count("["):
            raise UsageError(f"{text!r} has too many arguments (T is searched)", param="family",
                             allowed=f"{usage}; " + allowed)
        self.check_searched(args, text)
        return ("T", *args)

    def check_searched(self, args: Sequence[str], text: str) -> None:
        """Refuse an argument besides T that no T could make valid (a UsageError naming ``text``)."""

    def build_cost_us(self, args: Sequence[str]) -> float:
        """µs to build one step of a sampler with these arguments (benchmarks/bench_count_steps.py)."""
        return self.step_cost_us

    def batch_cost_us(self, args: Sequence[str]) -> float:
        """µs a step to build the samplers of a sweep's many T at once (:meth:`prepare_rows`): as one alone unless
        the family builds them in a batch."""
        return self.build_cost_us(args)

    def rational_law(self, args: Sequence[str]) -> "tuple[Fraction, int, str] | None":
        """(1 − δ, steps before the last one revealing the rest minus T, name suffix) when p_k = 1 − t_k/t_{k−1}
        on a grid t linear from 1 to δ, a ratio of integers at each step (:meth:`quick_sampler`); None else.

        MDLM's and SEDD's log-linear noise: δ = 10^-5 and T steps, then the noise removal."""
        from .count_sampler import MDLM_DELTA

        return (1 - MDLM_DELTA, 0, "") if not args or args[0] == "loglinear" else None

    def quick_sampler(self, length: int, steps: int, args: Sequence[str], lazy: bool = False
                      ) -> "CountSampler | None":
        """The T-step sampler with the floats of the exact builder but no Fractions, or None (mpmath noises).

        p_k = 1 - t_k/t_{k-1} = a / (T·b - a(k - 1)) with 1 - δ = a/b, a ratio of integers, which Python
        rounds correctly: the same floats in O(T) integer steps. ``lazy``: a
        :class:`~boundcalc.count_grid.GridSampler` with the same floats, O(1) to build and to hold (a sweep's rows).
        """
        from .count_sampler import CountSampler

        law = self.rational_law(args)
        if law is None:
            return None
        rest, shorter, suffix = law
        a, b = rest.numerator, rest.denominator
        total, last = steps * b, steps - shorter
        if lazy:
            from .count_grid import GridSampler

            return GridSampler(length, steps, a, total, last, f"{self.name}:{steps}{suffix}", self.law or self.name)
        if total < 2**53:  # every integer below is a float exactly, so each numpy division rounds as Python's int/int
            import numpy as np

            before = total - a * np.arange(last, dtype=np.float64)  # total − a(k − 1), k = 1..last
            reveal, keep = [*(a / before).tolist(), 1.0], [*((before - a) / before).tolist(), 0.0]
        else:
            reveal = [a / (total - a * (k - 1)) for k in range(1, last + 1)] + [1.0]
            keep = [(total - a * k) / (total - a * (k - 1)) for k in range(1, last + 1)] + [0.0]
        return CountSampler(length=length, steps=steps, reveal=tuple(reveal), keep=tuple(keep),
                            name=f"{self.name}:{steps}{suffix}", family=self.law or self.name,
                            notes={"grid": (a, total)})

    #: The family its samplers report (``CountSampler.family``) when not its name: SEDD's law is MDLM's.
    law: ClassVar[str] = ""


_T = Param("T", "steps", doc="the nominal number of steps")


class MDLM(CountFamily):
    name, params = "mdlm", (_T, Param("NOISE", "text", optional=True))
    # another noise (boundcalc.noise_steps) at one T, as `steps` builds it (~1 µs a step plus ~2 ms a call): kept at
    # the old 10 µs so the budgets of `steps` (count_steps) decide as before
    noise_step_cost_us = 10.0
    #: µs a step of another noise built for many T at once (noise_steps.prepare, a sweep's chunks of T), measured by
    #: benchmarks/bench_sweep_flow.py at L = 16384 at load 4-5: every 16th T cosine 0.26, cosine2 0.18, linear 0.17,
    #: geometric 0.34; every T cosine 0.20 (a whole sweep of its 1.3·10^8 steps: 31.7 s CPU with the bins and forms)
    noise_batch_cost_us: ClassVar[dict[str, float]] = {"linear": 0.19, "cosine": 0.23, "cosine2": 0.21,
                                                       "geometric": 0.37}
    summary = ("MDLM: t_k = 1 − k(1−10^−5)/T, p_k = (α(t_k) − α(t_{k−1}))/(1 − α(t_{k−1})), then noise removal; "
               "NOISE `loglinear` (default), `linear`, `cosine`, `cosine2`, `geometric`")

    def _build(self, length: int, args: list[str]) -> CountSampler:
        from .count_sampler import NOISES, CountSampler

        if not 1 <= len(args) <= 2:
            raise ScheduleError("expected mdlm:T or mdlm:T:NOISE", allowed=f"NOISE one of {', '.join(NOISES)}")
        return CountSampler.mdlm(length, positive_int(args[0], "T"), *(args[1:]))

    def check_searched(self, args: Sequence[str], text: str) -> None:
        from .count_sampler import NOISES

        if args and args[0] not in NOISES:
            raise UsageError(f"in {text!r}: the noise {args[0]!r} is unknown (T is searched)", param="family",
                             allowed=f"mdlm or mdlm:NOISE, NOISE one of {', '.join(NOISES)}")

    def build_cost_us(self, args: Sequence[str]) -> float:
        return self.step_cost_us if not args or args[0] == "loglinear" else self.noise_step_cost_us

    def batch_cost_us(self, args: Sequence[str]) -> float:
        noise = self._other_noise(args)
        return self.noise_batch_cost_us[noise] if noise else self.build_cost_us(args)

    def prepare_rows(self, steps: Sequence[int], args: Sequence[str]) -> None:
        """Another noise: every T's step probabilities in a few vectorised passes (boundcalc.noise_steps), which
        :meth:`quick_sampler`'s lazy rows are views into."""
        noise = self._other_noise(args)
        if noise:
            from .noise_steps import prepare

            prepare(noise, steps)

    def quick_sampler(self, length: int, steps: int, args: Sequence[str], lazy: bool = False
                      ) -> "CountSampler | None":
        """:meth:`CountFamily.quick_sampler`; for another noise with ``lazy``, the row of T among the rows
        :meth:`prepare_rows` built (a :class:`~boundcalc.count_noise_rows.NoiseSampler`: the same floats as the
        exact builder's, no copy), or None when T was not prepared."""
        noise = self._other_noise(args)
        if not noise:
            return super().quick_sampler(length, steps, args, lazy)
        if not lazy:
            return None
        from .count_noise_rows import noise_row

        return noise_row(length, steps, noise)

    @staticmethod
    def _other_noise(args: Sequence[str]) -> str:
        """The noise of ``mdlm:T:NOISE`` when it is one of the noises other than log-linear, else ""."""
        from .count_sampler import NOISES

        return args[0] if len(args) == 1 and args[0] in NOISES and args[0] != "loglinear" else ""


class SEDD(CountFamily):
    name, params, law = "sedd", (_T,), "mdlm"
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

    def check_searched(self, args: Sequence[str], text: str) -> None:
        if args and self._eps(args) is None:
            raise UsageError(f"in {text!r}: eps = {args[0]!r} is not a number in [0, 1) (T is searched)",
                             param="family", allowed="dream-origin or dream-origin:eps, 0 <= eps < 1")

    @staticmethod
    def _eps(args: Sequence[str]) -> "Fraction | None":
        from .count_sampler import DREAM_EPS

        try:
            eps = parse_rational(args[0], "eps") if args else DREAM_EPS
        except UsageError:
            return None
        return eps if 0 <= eps < 1 else None

    def rational_law(self, args: Sequence[str]) -> "tuple[Fraction, int, str] | None":
        """Dream's grid from 1 to eps: T - 1 steps, the last reveals the rest."""
        from .count_sampler import DREAM_EPS

        eps = self._eps(args)
        return None if eps is None else (1 - eps, 1, f":{eps}" if eps != DREAM_EPS else "")


for _family in (MDLM, SEDD, DreamOrigin):
    register(_family)
