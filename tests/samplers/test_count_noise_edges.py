"""Edge start sizes (count_noise_edges.edge_starts): against the direct batch (count_noise_starts.noise_starts) within
both certified errors at random L, T and windows, against 40-digit truth at small L (mpmath's φ and binomials), the
cut mass's bound (a short tail whose deficit is beyond the rounding bound), the step laws within LAW_ERRORS of
mpmath, and the edge cases (lo = 0, hi = L, T = 1, T > L, a window no step meets)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boundcalc import count_noise_edges
from boundcalc.count_noise_edges import LAW_ERRORS, edge_starts, step_laws
from boundcalc.count_noise_starts import noise_starts
from boundcalc.count_sampler import CountSampler
from boundcalc.noise_steps import ALPHA

NOISES = ["cosine", "cosine2", "linear", "geometric"]
_EPS = 2.0**-53


def _direct(noise: str, L: int, Ts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Every start size of each row (rows × L) and each entry's certified error, from the direct batch (or the
    sampler's own route for a row the batch refuses)."""
    samplers = [CountSampler.mdlm(L, T, noise) for T in Ts]
    found = noise_starts(samplers)
    if found is not None:
        starts = found.starts.reshape(len(Ts), L)
        return starts, starts * found.error[:, None] + found.absolute
    starts = np.array([s.expected_start_sizes() for s in samplers])
    return starts, starts * np.array([s.start_sizes_error() for s in samplers])[:, None]


def _window(draw, L: int) -> tuple[int, int]:
    kind = draw(st.sampled_from(["first", "last", "inside", "all"]))
    width = draw(st.integers(1, L))
    if kind == "first":
        return 0, width
    if kind == "last":
        return L - width, L
    if kind == "all":
        return 0, L
    lo = draw(st.integers(0, L - 1))
    return lo, draw(st.integers(lo + 1, L))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NOISES), st.integers(16, 5000), st.data())
def test_edges_meet_the_direct_batch(noise, L, data):
    """|edge − direct| <= edge error + direct error for every entry, random T (up to 3L) and windows."""
    Ts = data.draw(st.lists(st.integers(1, min(3 * L, 1500 if L > 2000 else 3 * L)), min_size=1, max_size=3,
                            unique=True))
    lo, hi = _window(data.draw, L)
    starts, error = edge_starts(noise, L, np.array(Ts), lo, hi)
    direct, direct_error = _direct(noise, L, Ts)
    assert starts.shape == (len(Ts), hi - lo) and error.shape == (len(Ts),)
    gap = np.abs(starts - direct[:, lo:hi])
    assert np.all(gap <= error[:, None] + direct_error[:, lo:hi])


def _truth(noise: str, L: int, T: int, lo: int, hi: int) -> list:
    """start(m), m in [lo, hi), at 40 digits: r_k = φ(u_k) from MDLM's α, every step, the last revealing the rest."""
    with mpmath.workdps(40):
        alpha = ALPHA[noise]
        end = alpha(mpmath.mpf(1))
        r = [(alpha(mpmath.mpf(10**5 * T - 99999 * i) / (10**5 * T)) - end) / (1 - end) for i in range(T + 1)]
        r.append(mpmath.mpf(1))
        N = L - 1
        return [L * mpmath.fsum((r[k + 1] - r[k]) * mpmath.binomial(N, m) * r[k] ** m * (1 - r[k]) ** (N - m)
                                for k in range(T + 1)) for m in range(lo, hi)]


_CASES = [(noise, L, T, lo, hi) for noise in NOISES
          for L, T, lo, hi in [(40, 1, 0, 40), (40, 5, 0, 12), (60, 100, 48, 60), (100, 33, 0, 100), (30, 90, 0, 30),
                               (50, 7, 20, 23), (64, 200, 0, 9), (64, 200, 55, 64)]]


@pytest.mark.parametrize("noise, L, T, lo, hi", _CASES)
def test_edges_hold_against_40_digit_truth(noise, L, T, lo, hi):
    """Every entry within its certified error of the 40-digit start size; the bound is at most 10⁻¹⁰ of the
    largest start size (so an off-by-one in k or a dropped last step, each far larger, fails)."""
    starts, error = edge_starts(noise, L, np.array([T]), lo, hi)
    truth = _truth(noise, L, T, lo, hi)
    with mpmath.workdps(40):
        gaps = [abs(mpmath.mpf(float(x)) - y) for x, y in zip(starts[0], truth)]
    assert max(gaps) <= error[0]
    assert error[0] <= 1e-10 * max(1.0, float(max(truth)))


@pytest.mark.parametrize("noise", NOISES)
def test_short_tails_need_the_cut_mass(monkeypatch, noise):
    """With a short tail (cut mass 2^-6 per row) some entry falls below the truth by more than the rounding bound
    and within the cut mass: the bound without the cut mass fails, with it holds."""
    monkeypatch.setattr(count_noise_edges, "_CUT_BITS", 6)
    L, T, lo, hi = 300, 10, 0, 300
    starts, error = edge_starts(noise, L, np.array([T]), lo, hi)
    truth = np.array([float(x) for x in _truth(noise, L, T, lo, hi)])
    gap = np.abs(starts[0] - truth)
    assert gap.max() <= error[0]
    assert gap.max() > error[0] - 2.0**-6 * (1 + 1e-9)  # beyond the rest of the bound: the cut mass is needed


@pytest.mark.parametrize("noise", NOISES)
def test_step_laws_within_their_bounds(noise):
    """r_k, 1 − r_k and Δr_k of random steps within LAW_ERRORS·ε of the 40-digit values."""
    rng = np.random.default_rng(7)
    T = rng.integers(1, 100_000, 300)
    k = np.minimum(rng.integers(0, 100_000, 300) % (T + 1), T)
    k[:3], T[:3] = [0, 5, 9], [5, 5, 9]  # the first and the last step
    r, a, d = step_laws(noise, T, k)
    c_r, c_a, c_d = LAW_ERRORS[noise]
    with mpmath.workdps(40):
        alpha = ALPHA[noise]
        end = alpha(mpmath.mpf(1))
        for i in range(T.size):
            t_i, k_i = int(T[i]), int(k[i])
            phi = [(alpha(mpmath.mpf(10**5 * t_i - 99999 * j) / (10**5 * t_i)) - end) / (1 - end)
                   for j in (k_i, k_i + 1)]
            true_d = (phi[1] - phi[0]) if k_i < t_i else 1 - phi[0]
            for got, true, c in ((r[i], phi[0], c_r), (a[i], 1 - phi[0], c_a),
                                 (d[i], true_d, c_a if k_i == t_i else c_d)):
                assert abs(mpmath.mpf(float(got)) - true) <= c * _EPS * abs(true)


@pytest.mark.parametrize("noise", NOISES)
def test_oriented_laws_are_the_step_laws(noise):
    """ρ = the smaller of r and 1 − r (its form, bit for bit) and Δr of step_laws, ρ at most 1/2 + 8ε."""
    T = np.repeat(np.array([1, 2, 3, 7, 1000, 99999]), 6)
    k = np.minimum(np.tile(np.array([1, 2, 3, 333, 500, 99999]), 6), T)
    rho, mirror, d = count_noise_edges._oriented_laws(noise, T, np.arange(T.size), k)
    r, a, d_laws = step_laws(noise, T, k)
    assert np.array_equal(rho, np.where(mirror, a, r)) and np.array_equal(d, d_laws)
    assert np.all(rho <= 0.5 + 8 * _EPS)


def test_edge_cases():
    """T = 1 (one step, then the rest), T > L, the whole row, L = 1, and a window no step meets (zeros within a tiny
    error): each against the 40-digit truth."""
    for noise in NOISES:
        for L, T, lo, hi in [(20, 1, 0, 20), (10, 35, 0, 10), (12, 3, 11, 12)]:
            starts, error = edge_starts(noise, L, np.array([T]), lo, hi)
            truth = [float(x) for x in _truth(noise, L, T, lo, hi)]
            assert np.all(np.abs(starts[0] - truth) <= error[0])
        starts, error = edge_starts(noise, 1, np.array([1, 4]), 0, 1)
        assert starts.tolist() == [[1.0], [1.0]] and error.tolist() == [0.0, 0.0]
    # cosine at L = 4096, T = 3: no step's window meets the middle cells
    starts, error = edge_starts("cosine", 4096, np.array([3]), 1500, 1510)
    assert np.all(starts == 0) and error[0] < 1e-13


def test_rows_are_independent_of_their_batch():
    """A row's entries and error are the same alone and among others (rows of many sizes, both edges)."""
    Ts = np.array([1, 17, 400, 1000, 3 * 600])
    for noise in NOISES:
        for lo, hi in [(0, 90), (510, 600)]:
            together, error = edge_starts(noise, 600, Ts, lo, hi)
            for i, T in enumerate(Ts.tolist()):
                alone, own = edge_starts(noise, 600, np.array([T]), lo, hi)
                assert np.array_equal(alone[0], together[i]) and own[0] == error[i]


def test_bad_arguments():
    with pytest.raises(ValueError):
        edge_starts("loglinear", 10, np.array([3]), 0, 5)
    with pytest.raises(ValueError):
        edge_starts("cosine", 10, np.array([3]), 5, 5)
    with pytest.raises(ValueError):
        edge_starts("cosine", 10, np.array([0]), 0, 5)
