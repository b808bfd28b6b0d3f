"""The laws of Bin(L, p) for many p at once, in float64 with a certified relative error per entry (values layer).

Shared by a random-count sampler's brackets (:class:`boundcalc.count_sampler.CountSampler`) and a sweep's rows
taken all at once (:mod:`boundcalc.count_batch`), so both compute the very same floats.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["binomial_laws"]

EPS64 = 2.0**-53  # the unit roundoff of float64


def binomial_laws(L: int, lf: "np.ndarray", lf_error: float, probs: "np.ndarray", comps: "np.ndarray",
                  top: int) -> tuple["np.ndarray", float]:
    """pmf[k, j] = P(Bin(L, probs[k]) = j) for j <= top (comps[k] = 1 - probs[k], computed separately; ``lf`` the
    log-factorials within ``lf_error``), and a bound on each entry's relative error (probabilities within
    (3n + 6)ε).
    One function for a sampler and for a sweep's rows at once (count_batch): the same floats."""
    import numpy as np

    n = len(probs)
    j = np.arange(top + 1)
    p, q = probs[:, None], comps[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logp, logq = np.log(p), np.log(q)
        log_pmf = (lf[L] - lf[j] - lf[L - j])[None, :] + np.where(j == 0, 0.0, j * logp) \
            + np.where(j == L, 0.0, (L - j) * logq)
        pmf = np.exp(log_pmf)
    pmf = np.where(np.isnan(pmf), 0.0, pmf)
    finite = np.abs(np.where(np.isfinite(logp), logp, 0.0)) + np.abs(np.where(np.isfinite(logq), logq, 0.0))
    magnitude = 3 * float(lf[-1]) + L * float(np.max(finite, initial=0.0))
    delta = 3 * lf_error + 8 * EPS64 * magnitude + 2 * L * (3 * n + 6) * EPS64
    return pmf, math.expm1(delta) + 2 * EPS64
