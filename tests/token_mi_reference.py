"""The original per-token F_i(m) of a Markov chain, kept as a reference for the tests.

``reference_token_mi(chain, L, m)`` is the O(L^2 V) prefix-sum method that
``MarkovChain._token_mi`` used before the convolution form (issue 13): a Python
loop over the tokens, the weights C(.)/C(L-1, m) as exact integers (so only for
L up to a few thousand). It shares only the ingredients μ_a, H(μ_a), η_g with
boundcalc (``chain._ingredients``); the joint-table enumeration in the tests is
the independent check of both.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np


def reference_token_mi(chain, L: int, m: int) -> np.ndarray:
    ing = chain._ingredients(L)
    mu, Hmu, eta = ing["mu"], ing["Hmu"], ing["eta"]
    nu = np.cumsum(mu, axis=0)
    denom = math.comb(L - 1, m)

    def ratio(num: int) -> float:
        return float(Fraction(num, denom)) if num else 0.0

    r_int = np.zeros(L + 1)  # r_int[n] = C(L-n-1, m-2)/C(L-1, m)
    r_side = np.zeros(L + 2)  # r_side[k] = C(L-k, m-1)/C(L-1, m); right-only uses r_side[L+1-j]
    if m >= 2:
        for n in range(2, L):
            r_int[n] = ratio(math.comb(L - n - 1, m - 2))
    if m >= 1:
        for k in range(1, L + 1):
            r_side[k] = ratio(math.comb(L - k, m - 1))
    Rc = np.concatenate(([0.0], np.cumsum(r_int)))  # Rc[n] = Σ_{n'<n} r_int[n']
    out = np.zeros(L)
    for i in range(1, L + 1):
        h_i = Hmu[i]
        cond = h_i if m == 0 else 0.0
        if m >= 1:
            # left neighbour only at j = i - a (a = 1..i-1): φ = c(j, a), weight r_side[L+1-j]
            if i > 1:
                a = np.arange(1, i)
                jj = i - a
                cond += float(np.dot(r_side[L + 1 - jj], np.einsum("av,av->a", mu[jj], eta[a])))
            # right neighbour only at k = i + b: φ = H(μ_i) + c(i, b) - H(μ_k), weight r_side[k]
            if i < L:
                b = np.arange(1, L - i + 1)
                kk = i + b
                phi = h_i + eta[b] @ mu[i] - Hmu[kk]
                cond += float(np.dot(r_side[kk], phi))
        if m >= 2 and 1 < i < L:
            # both: Σ_{a,b} r_int[a+b] (c(i-a, a) + c(i, b) - c(i-a, a+b))
            a = np.arange(1, i)
            wa = Rc[a + L - i + 1] - Rc[a + 1]  # Σ_{b=1}^{L-i} r_int[a+b]
            cond += float(np.dot(wa, np.einsum("av,av->a", mu[i - a], eta[a])))
            b = np.arange(1, L - i + 1)
            wb = Rc[b + i] - Rc[b + 1]  # Σ_{a=1}^{i-1} r_int[a+b]
            cond += float(np.dot(wb, eta[b] @ mu[i]))
            # Σ_n r_int[n] η_n · Σ_{a in [lo, hi]} μ_{i-a}, lo = max(1, n-(L-i)), hi = min(i-1, n-1)
            ns = np.arange(2, L)
            lo = np.maximum(1, ns - (L - i))
            hi = np.minimum(i - 1, ns - 1)
            ok = lo <= hi
            ns, lo, hi = ns[ok], lo[ok], hi[ok]
            s = nu[i - lo] - nu[i - hi - 1]  # Σ_{a=lo}^{hi} μ_{i-a} = ν_{i-lo} - ν_{i-hi-1}
            cond -= float(np.dot(r_int[ns], np.einsum("nv,nv->n", s, eta[ns])))
        out[i - 1] = h_i - cond
    return np.maximum(out, 0.0)
