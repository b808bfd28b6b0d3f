"""Does the loss curve predict a trained network's sampling error? End to end, with a known source.

    python benchmarks/trained_network.py [--quick] [--json OUT] [--figure PNG] [--markdown MD] [--threads N]

1. A known source: a sparse Markov chain (every state has a few successors, so p has zeros), log p(x) exact.
2. A real network: a small bidirectional transformer trained with the masked-diffusion objective on samples
   of the chain (torch, CPU, seeded).
3. Its loss curve measured as users measure it: ``boundcalc.predictor.from_torch`` +
   ``boundcalc.predictor.estimate_loss_curve`` at 20 ratios (and at 5, and at every k as a diagnostic).
4. Predicted: ``estimate_error`` / ``count_estimate`` from that curve + ε_train (the network's ELBO minus
   H(X), measured once), for uniform:T, cosine:T, mdlm:T and the DP-optimal schedule of the curve.
5. Measured: E_M KL(p || q_θ,M) of the network's own sampler by Monte Carlo, mean of log p(x) - log q_θ(x | M)
   over x ~ p and mask paths M from the schedule (log q along the path: one network call per step), and the
   sequence error P(p(x) = 0) of sequences the sampler generates.
6. Reported: predicted vs measured with standard errors, the differences between T (no ε_train), the
   5-ratio curve's predictions. docs/validation.md derives the identity and discusses the full run.

``--quick`` (a tiny model, few samples; well under a minute) is what tests/curve/test_trained_network.py runs.
Needs torch (extra [hf]) and matplotlib for ``--figure``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from boundcalc.counts import CountSampler
from boundcalc.curve import LossCurve
from boundcalc.estimate import (count_coefficients, count_estimate, curve_schedule, estimate_error,
                                schedule_coefficients)
from boundcalc.schedule import Schedule, parse_schedule
from boundcalc.step_families import family_sampler
from boundcalc.truth import MarkovChain
from boundcalc.truth.predict import exact_predictor, sample_sequences


@dataclass(frozen=True)
class Config:
    """Everything the run depends on (written into the JSON)."""

    vocab: int  # V states of the chain (the mask id is V)
    length: int  # L
    successors: int  # nonzero entries per transition row
    width: int  # transformer d_model
    layers: int
    heads: int
    train_sequences: int  # the finite training set
    train_steps: int
    batch: int
    learning_rate: float
    curve_pairs: int  # (sequence, mask) pairs per ratio of the 20-ratio curve
    heldout: int  # held-out sequences the curves are measured on
    elbo_rows: int  # rows of the ε_train estimator
    kl_rows: int  # x ~ p per schedule (common to all schedules)
    ser_rows: int  # generated sequences per schedule for the sequence error
    steps_grid: tuple[int, ...]
    mdlm_grid: tuple[int, ...]
    ratios: int = 20
    coarse_ratios: int = 5
    seed: int = 0


FULL = Config(vocab=12, length=32, successors=3, width=64, layers=2, heads=4, train_sequences=60_000,
              train_steps=3000, batch=96, learning_rate=3e-3, curve_pairs=2000, heldout=60_000, elbo_rows=6400,
              kl_rows=2000, ser_rows=600, steps_grid=(1, 2, 4, 8, 16, 32), mdlm_grid=(1, 2, 4, 8, 16, 32, 64))
QUICK = Config(vocab=8, length=16, successors=2, width=32, layers=1, heads=2, train_sequences=8000,
               train_steps=400, batch=64, learning_rate=3e-3, curve_pairs=400, heldout=20_000, elbo_rows=1500,
               kl_rows=800, ser_rows=300, steps_grid=(1, 2, 4, 16), mdlm_grid=(2, 8), ratios=16, coarse_ratios=5)

FAMILIES = ("uniform", "cosine", "mdlm", "optimal")


# -- the source ---------------------------------------------------------------------------------------------
def sparse_chain(cfg: Config) -> MarkovChain:
    """V states, each with ``successors`` allowed next states (random weights); the first irreducible draw."""
    V, k = cfg.vocab, cfg.successors
    for attempt in range(1000):
        rng = np.random.default_rng([cfg.seed, attempt])
        P = np.zeros((V, V))
        for x in range(V):
            nxt = rng.choice(V, size=k, replace=False)
            P[x, nxt] = rng.dirichlet(np.full(k, 2.0))
        P /= P.sum(axis=1, keepdims=True)
        try:
            return MarkovChain.from_matrix(list(range(V)), P, source=f"sparse chain V={V} ({k} successors)")
        except Exception:  # reducible: try the next draw
            continue
    raise RuntimeError("no irreducible chain in 1000 draws")


def log_p(chain: MarkovChain, x: np.ndarray) -> np.ndarray:
    """Exact log p(x) per row (-inf where p(x) = 0)."""
    with np.errstate(divide="ignore"):
        lp = np.log(chain.initial[x[:, 0]])
        return lp + np.log(chain.transition[x[:, :-1], x[:, 1:]]).sum(axis=1)


# -- the network ----------------------------------------------------------------------------------------------
def build_model(cfg: Config) -> Any:
    """A bidirectional transformer: token (V + mask) and position embeddings -> logits over V + 1 ids.

    The mask id's logit is pinned to -10^6 (MDLM's "zero masking probabilities"): the network never predicts
    the mask token, and the logits cover every id it reads (what ``from_torch`` checks).
    """
    import torch
    from torch import nn

    class Denoiser(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(cfg.vocab + 1, cfg.width)
            self.position = nn.Parameter(0.02 * torch.randn(cfg.length, cfg.width))
            layer = nn.TransformerEncoderLayer(cfg.width, cfg.heads, 4 * cfg.width, dropout=0.0,
                                               batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, cfg.layers, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(cfg.width)
            self.head = nn.Linear(cfg.width, cfg.vocab)

        def forward(self, input_ids: Any) -> Any:  # no attention mask: every position sees every other
            logits = self.head(self.norm(self.encoder(self.embed(input_ids) + self.position)))
            return nn.functional.pad(logits, (0, 1), value=-1e6)

    return Denoiser()


def train(model: Any, data: np.ndarray, cfg: Config, log: Any) -> list[float]:
    """The masked-diffusion objective: k ~ U{1..L} masked uniformly, mean cross-entropy over the masked tokens.

    E over k of the per-row mean is (1/L) Σ_k ℓ(k), the MDLM/LLaDA ELBO per token (docs/validation.md).
    """
    import torch

    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng([cfg.seed, 1])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate, weight_decay=0.01)
    warm = max(1, cfg.train_steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * s / cfg.train_steps))))
    model.train()
    L, losses = cfg.length, []
    for step in range(cfg.train_steps):
        x = torch.as_tensor(data[rng.integers(0, len(data), cfg.batch)])
        k = torch.as_tensor(rng.integers(1, L + 1, cfg.batch))
        rank = torch.as_tensor(np.argsort(np.argsort(rng.random((cfg.batch, L)), axis=1), axis=1))
        masked = rank < k[:, None]
        logits = model(torch.where(masked, cfg.vocab, x))
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, cfg.vocab + 1), x.reshape(-1), reduction="none")
        loss = ((ce.reshape(x.shape) * masked).sum(1) / k).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        if log and (step + 1) % max(1, cfg.train_steps // 5) == 0:
            log(f"  train step {step + 1}/{cfg.train_steps}: loss {np.mean(losses[-100:]):.4f} nats/token")
    model.eval()
    return losses


# -- the curve, as a user measures it -------------------------------------------------------------------------
def ratio_grid(L: int, count: int) -> list[Fraction]:
    """``count`` mask ratios k/L, dense near 1 (few revealed), always with k = 1 and k = L."""
    if count >= L:
        return [Fraction(k, L) for k in range(1, L + 1)]
    u = np.linspace(0.0, 1.0, count)
    ks = sorted({int(round(1 + (L - 1) * math.sin(math.pi * t / 2))) for t in u})
    k, extra = 2, []
    while len(ks) + len(extra) < count:  # rounding merged some: fill with the smallest unused k
        if k not in ks:
            extra.append(k)
        k += 1
    return [Fraction(k, L) for k in sorted(ks + extra)]


def measure_curve(predictor: Any, heldout: np.ndarray, ratios: list[Fraction], pairs: int, seed: int) -> LossCurve:
    from boundcalc.predictor import estimate_loss_curve

    return estimate_loss_curve(predictor, heldout, [str(r) for r in ratios], samples=pairs, batch_size=500,
                               seed=seed, source=f"{len(ratios)} ratios x {pairs} pairs")


def elbo_gap(predictor: Any, chain: MarkovChain, cfg: Config, entropy: float) -> dict[str, float]:
    """ε_train = ELBO - H(X), with ELBO = Σ_k ℓ_θ(k) the network's masked-diffusion bound on -log q(x).

    H(X) = Σ_k d(L - k) (the chain rule, any order), so ε_train = Σ_k [ℓ_θ(k) - d(L - k)] and each term is the
    network's excess loss at k masked, E[mean over the masked i of log p(x_i | x_W) - log q_θ(x_i | x_W)]:
    estimated on fresh x ~ p, stratified over k (elbo_rows / L rows per k), with the exact predictor of the
    chain as the control variate. The plain estimate Σ_k mean(-log q) - H(X) is reported next to it.
    """
    L = cfg.length
    per_k = max(2, cfg.elbo_rows // L)
    n = per_k * L
    rng = np.random.default_rng([cfg.seed, 7])
    x = sample_sequences(chain, n, L, seed=cfg.seed + 7)
    k = np.repeat(np.arange(1, L + 1), per_k)
    masked = np.argsort(np.argsort(rng.random((n, L)), axis=1), axis=1) < k[:, None]
    q = np.zeros(n)
    for start in range(0, n, 500):
        part = slice(start, start + 500)
        q[part] = np.where(masked[part], predictor(x[part], masked[part]), 0.0).sum(1)
    exact = np.where(masked, exact_predictor(chain, L)(x, masked), 0.0).sum(1)

    def stratified(v: np.ndarray) -> tuple[float, float]:
        groups = v.reshape(L, per_k)
        return float(groups.mean(1).sum()), float(math.sqrt((groups.var(1, ddof=1) / per_k).sum()))

    value, se = stratified((exact - q) / k)
    plain, plain_se = stratified(-q / k)
    return {"value": value, "stderr": se, "plain": plain - entropy, "plain_stderr": plain_se, "elbo": plain,
            "entropy": entropy, "rows": n}


# -- the schedules ------------------------------------------------------------------------------------------
def schedule_of(family: str, T: int, curve: LossCurve) -> Schedule | CountSampler:
    if family == "mdlm":
        return family_sampler("mdlm", T, curve.length)
    if family.startswith("optimal"):
        return curve_schedule(f"optimal:{T}", curve)
    return parse_schedule(f"{family}:{T}", curve.length)


def coefficients(plan: Schedule | CountSampler, L: int) -> np.ndarray:
    return count_coefficients(plan) if isinstance(plan, CountSampler) else schedule_coefficients(plan, L)


def predict(curve: LossCurve, plan: Schedule | CountSampler) -> Any:
    return count_estimate(curve, plan) if isinstance(plan, CountSampler) else estimate_error(curve, plan)


def step_sizes(plan: Schedule | CountSampler, rows: int, rng: np.random.Generator) -> np.ndarray:
    """rows x steps tokens revealed per step: the schedule's sizes, or the count sampler's binomial draws."""
    if isinstance(plan, Schedule):
        return np.tile(np.array(list(plan), dtype=np.int64), (rows, 1))
    left = np.full(rows, plan.length, dtype=np.int64)
    sizes = np.zeros((rows, len(plan.reveal)), dtype=np.int64)
    for j, p in enumerate(plan.reveal):
        sizes[:, j] = left if p >= 1 else rng.binomial(left, p)
        left -= sizes[:, j]
    return sizes


# -- the measurement ----------------------------------------------------------------------------------------
def path_log_q(predictor: Any, x: np.ndarray, rank: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """log q_θ(x | M) per row: Σ over steps of log q(x_i | x_W) at the positions the step reveals.

    rank[r, i] is the place of position i in row r's uniformly random reveal order; a step revealing s after w
    reveals the positions of rank w..w+s-1, and the network sees exactly the positions of rank < w.
    """
    n = x.shape[0]
    out = np.zeros(n)
    w = np.zeros(n, dtype=np.int64)
    for j in range(sizes.shape[1]):
        s = sizes[:, j]
        rows = np.flatnonzero(s > 0)  # a step revealing nothing costs no call
        if rows.size:
            masked = rank[rows] >= w[rows, None]
            new = masked & (rank[rows] < (w + s)[rows, None])
            logq = np.asarray(predictor(x[rows], masked))
            out[rows] += np.where(new, logq, 0.0).sum(axis=1)
        w += s
    return out


def generate(model: Any, cfg: Config, rank: np.ndarray, sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sequences from the network's sampler: each step draws its positions independently from q_θ(· | x_W)."""
    import torch

    n, L, V = rank.shape[0], cfg.length, cfg.vocab
    x = np.full((n, L), V, dtype=np.int64)
    w = np.zeros(n, dtype=np.int64)
    for j in range(sizes.shape[1]):
        s = sizes[:, j]
        new = (rank >= w[:, None]) & (rank < (w + s)[:, None])
        if new.any():
            with torch.inference_mode():
                probs = torch.softmax(model(torch.as_tensor(x)).double(), -1).numpy()
            cdf = np.cumsum(probs[new], axis=1)
            draw = (rng.random(cdf.shape[0])[:, None] * cdf[:, -1:] > cdf).sum(axis=1)
            x[new] = np.minimum(draw, V - 1)
        w += s
    return x


def generate_exact(chain: MarkovChain, rank: np.ndarray, sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same sampler with the chain's own conditionals (a perfect network): x_i given its nearest revealed
    neighbours a < i < b is ∝ P^(i-a)[x_a, ·] P^(b-i)[·, x_b] (μ_i on the left when none is revealed)."""
    n, L = rank.shape
    V = chain.vocab_size
    powers = np.empty((L + 1, V, V))
    powers[0] = np.eye(V)
    for g in range(1, L + 1):
        powers[g] = powers[g - 1] @ chain.transition
    laws = np.array([chain.initial @ powers[i] for i in range(L)])
    x = np.zeros((n, L), dtype=np.int64)
    w = np.zeros(n, dtype=np.int64)
    idx = np.arange(L)
    for j in range(sizes.shape[1]):
        seen = rank < w[:, None]
        new = seen ^ (rank < (w + sizes[:, j])[:, None])
        left = np.maximum.accumulate(np.where(seen, idx, -1), axis=1)  # nearest revealed at or before i
        right = np.minimum.accumulate(np.where(seen, idx, L)[:, ::-1], axis=1)[:, ::-1]
        for i in range(L):
            rows = np.flatnonzero(new[:, i])
            if not rows.size:
                continue
            a, b = left[rows, i], right[rows, i]
            weight = np.where((a >= 0)[:, None], powers[i - a, x[rows, np.maximum(a, 0)]], laws[i])
            has_right = b < L
            weight[has_right] *= powers[b[has_right] - i, :, x[rows[has_right], b[has_right]]]
            cdf = np.cumsum(weight, axis=1)
            x[rows, i] = np.minimum((rng.random(rows.size)[:, None] * cdf[:, -1:] > cdf).sum(axis=1), V - 1)
        w += sizes[:, j]
    return x


def measure(plan: Any, predictor: Any, model: Any, chain: MarkovChain, cfg: Config, sample: dict, key: int) -> dict:
    """KL per row (common x and reveal orders across schedules), its mean and stderr, and the sequence error."""
    rng = np.random.default_rng([cfg.seed, 11, key])
    x, rank, lp = sample["x"], sample["rank"], sample["log_p"]
    sizes = step_sizes(plan, x.shape[0], rng)
    kl = lp - path_log_q(predictor, x, rank, sizes)
    g_rank = rank[: cfg.ser_rows]
    generated = generate(model, cfg, g_rank, step_sizes(plan, g_rank.shape[0], rng), rng)
    invalid = ~np.isfinite(log_p(chain, generated))
    ser = float(invalid.mean())
    ideal = float((~np.isfinite(log_p(chain, generate_exact(chain, g_rank, step_sizes(plan, g_rank.shape[0], rng),
                                                            rng)))).mean())
    return {"per_row": kl, "measured": float(kl.mean()), "measured_stderr": float(kl.std(ddof=1) / math.sqrt(kl.size)),
            "sequence_error": ser, "sequence_error_stderr": math.sqrt(max(ser * (1 - ser), 1e-12) / invalid.size),
            "perfect_sequence_error": ideal,
            "perfect_sequence_error_stderr": math.sqrt(max(ideal * (1 - ideal), 1e-12) / invalid.size),
            "network_calls": float((sizes > 0).sum(axis=1).mean())}


# -- predicted vs measured ----------------------------------------------------------------------------------
def _plus(est: Any, eps: dict) -> tuple[float, float]:
    """The curve's estimate + ε_train, and the stderr of the sum (independent measurements)."""
    return est.value + eps["value"], math.hypot(est.stderr or 0.0, eps["stderr"])


def compare(ctx: dict, family: str, T: int, curve: LossCurve, key: int) -> dict:
    """One row: the schedule chosen with ``curve`` (the optimal family), predicted from each curve and measured."""
    cfg, curves, eps = ctx["cfg"], ctx["curves"], ctx["eps"]
    plan = schedule_of(family, T, curve)
    same = ("sizes", tuple(plan)) if isinstance(plan, Schedule) else ("counts", plan.name)
    if same not in ctx["measured"]:  # the same schedule in two families (e.g. T = 1, T = L): measured once
        ctx["measured"][same] = measure(plan, ctx["predictor"], ctx["model"], ctx["chain"], cfg, ctx["sample"], key)
    m = ctx["measured"][same]
    row: dict[str, Any] = {"family": family, "steps": T, "schedule": _describe(plan)}
    for name, c in curves.items():
        est = predict(c, plan)
        value, se = _plus(est, eps)
        tag = "" if name == "fine" else f"_{name}"
        row[f"predicted{tag}"], row[f"predicted{tag}_stderr"] = value, se
        row[f"interpolation_effect{tag}"] = est.interpolation_effect
        row[f"curve_error{tag}"] = est.value
    row.update({k: v for k, v in m.items() if k != "per_row"})
    row["z"] = (row["predicted"] - row["measured"]) / math.hypot(row["predicted_stderr"], row["measured_stderr"])
    row["exact_sampler_error"] = ctx["exact_error"](plan)
    return {"row": row, "per_row": m["per_row"], "plan": plan}


def _describe(plan: Any) -> str:
    if isinstance(plan, CountSampler):
        return plan.name
    sizes = list(plan)
    return ",".join(map(str, sizes)) if len(sizes) <= 12 else f"{sizes[0]},...,{sizes[-1]} ({len(sizes)} steps)"


def differences(ctx: dict, results: list[dict]) -> None:
    """Δ(T) = KL(T) - KL(T_ref), T_ref the family's largest T: predicted from the curve alone (no ε_train),
    stderr from the difference of the coefficient vectors (same curve); measured per row (same x and orders)."""
    curve, L = ctx["curves"]["fine"], ctx["cfg"].length
    by_family: dict[str, list[dict]] = {}
    for r in results:
        by_family.setdefault(r["row"]["family"], []).append(r)
    for group in by_family.values():
        ref = max(group, key=lambda r: r["row"]["steps"])
        c_ref = coefficients(ref["plan"], L)
        for r in group:
            row = r["row"]
            row["reference_steps"] = ref["row"]["steps"]
            row["delta_predicted"] = row["curve_error"] - ref["row"]["curve_error"]
            row["delta_predicted_stderr"] = curve.stderr_of(coefficients(r["plan"], L) - c_ref) or 0.0
            diff = r["per_row"] - ref["per_row"]
            row["delta_measured"] = float(diff.mean())
            row["delta_measured_stderr"] = float(diff.std(ddof=1) / math.sqrt(diff.size)) if r is not ref else 0.0
            both = math.hypot(row["delta_predicted_stderr"], row["delta_measured_stderr"])
            row["delta_z"] = (row["delta_predicted"] - row["delta_measured"]) / both if both > 0 else 0.0


def exact_errors(chain: MarkovChain, L: int) -> Any:
    """The exact error of a plan with the data's own (optimal) predictor: what a perfect network would get."""
    from boundcalc.truth.samplers import count_error

    profile = chain.entropy_profile(L)
    return lambda plan: (count_error(profile, plan)[0] if isinstance(plan, CountSampler) else profile.error(plan))


def run(cfg: Config, log: Any = lambda line: print(line, flush=True)) -> dict:
    import torch

    from boundcalc.predictor import from_torch

    start = time.perf_counter()
    L = cfg.length
    chain = sparse_chain(cfg)
    entropy = chain.entropy_profile(L).entropy
    data = sample_sequences(chain, cfg.train_sequences, L, seed=cfg.seed + 1)
    heldout = sample_sequences(chain, cfg.heldout, L, seed=cfg.seed + 2)
    model = build_model(cfg)
    log(f"chain: {chain.source}, L = {L}, H(X) = {entropy:.4f} nats; network: "
        f"{sum(p.numel() for p in model.parameters())} parameters")
    losses = train(model, data, cfg, log)
    trained = time.perf_counter() - start
    predictor = from_torch(model, mask_id=cfg.vocab, device="cpu", batch_size=1000)
    fine, coarse = ratio_grid(L, cfg.ratios), ratio_grid(L, cfg.coarse_ratios)
    curves = {"fine": measure_curve(predictor, heldout, fine, cfg.curve_pairs, cfg.seed + 3),
              # the same number of pairs spread over 5 ratios, as a user with the same budget would
              "coarse": measure_curve(predictor, heldout, coarse, cfg.curve_pairs * len(fine) // len(coarse),
                                      cfg.seed + 4),
              "dense": measure_curve(predictor, heldout, ratio_grid(L, L), cfg.curve_pairs, cfg.seed + 5)}
    eps = elbo_gap(predictor, chain, cfg, entropy)
    log(f"ε_train = {eps['value']:.4f} ± {eps['stderr']:.4f} nats (control variate); plain ELBO - H(X) = "
        f"{eps['plain']:.4f} ± {eps['plain_stderr']:.4f}")
    x = sample_sequences(chain, cfg.kl_rows, L, seed=cfg.seed + 6)
    rng = np.random.default_rng([cfg.seed, 9])
    sample = {"x": x, "rank": np.argsort(np.argsort(rng.random(x.shape), axis=1), axis=1), "log_p": log_p(chain, x)}
    ctx = {"cfg": cfg, "curves": curves, "eps": eps, "predictor": predictor, "model": model, "chain": chain,
           "sample": sample, "exact_error": exact_errors(chain, L), "measured": {}}
    results, key = [], 0
    for family in FAMILIES:
        for T in cfg.mdlm_grid if family == "mdlm" else cfg.steps_grid:
            key += 1
            results.append(compare(ctx, family, T, curves["fine"], key))
            row = results[-1]["row"]
            log(f"  {family}:{T}: predicted {row['predicted']:.4f} ± {row['predicted_stderr']:.4f}, measured "
                f"{row['measured']:.4f} ± {row['measured_stderr']:.4f} ({time.perf_counter() - start:.0f} s)")
    for T in cfg.steps_grid:  # the optimal schedule a user with the 5-ratio curve would pick (and run)
        key += 1
        r = compare(ctx, "optimal", T, curves["coarse"], key)
        r["row"]["family"] = "optimal-from-5"
        results.append(r)
    differences(ctx, results)
    torch_threads = torch.get_num_threads()
    return {"config": asdict(cfg), "chain": {"transition": chain.transition.tolist(), "entropy": entropy},
            "epsilon_train": eps, "train_loss_last100": float(np.mean(losses[-100:])),
            "curves": {n: {"masked": c.masked.tolist(), "loss": c.loss.tolist(), "stderr": c.stderr.tolist()}
                       for n, c in curves.items()},
            "exact_conditional": chain.entropy_profile(L).conditional.tolist(),
            "rows": [r["row"] for r in results], "seconds": {"train": trained, "total": time.perf_counter() - start},
            "torch_threads": torch_threads}


# -- reporting ----------------------------------------------------------------------------------------------
def table(report: dict) -> str:
    head = (f"{'family':<15}{'T':>4}  {'predicted':>17}  {'measured':>17}  {'z':>5}  {'Δ pred (no ε)':>17}  "
            f"{'Δ measured':>17}  {'5-ratio pred':>17}  {'seq.err':>6}  {'ideal':>7}")
    lines = [head]
    for r in report["rows"]:
        pm = lambda v, s: f"{v:8.4f} ± {s:6.4f}"  # noqa: E731
        lines.append(f"{r['family']:<15}{r['steps']:>4}  {pm(r['predicted'], r['predicted_stderr'])}  "
                     f"{pm(r['measured'], r['measured_stderr'])}  {r['z']:5.1f}  "
                     f"{pm(r['delta_predicted'], r['delta_predicted_stderr'])}  "
                     f"{pm(r['delta_measured'], r['delta_measured_stderr'])}  "
                     f"{pm(r['predicted_coarse'], r['predicted_coarse_stderr'])}  {r['sequence_error']:6.3f}  "
                     f"{r['exact_sampler_error']:7.4f}")
    return "\n".join(lines)


def agreement(report: dict) -> list[str]:
    """Per curve: how many rows agree within 2 and 4 combined stderr, the largest |z|, and χ²/rows."""
    rows = [r for r in report["rows"] if r["steps"] != r["reference_steps"] or r["family"] == "uniform"]
    lines = []
    for tag, name in (("", "20 ratios"), ("_coarse", "5 ratios"), ("_dense", "every k")):
        z = np.array([(r[f"predicted{tag}"] - r["measured"]) / math.hypot(r[f"predicted{tag}_stderr"],
                                                                          r["measured_stderr"]) for r in rows])
        lines.append(f"{name}: {int((abs(z) <= 2).sum())}/{z.size} rows within 2 stderr, "
                     f"{int((abs(z) <= 4).sum())}/{z.size} within 4; max |z| = {abs(z).max():.1f}, "
                     f"χ²/rows = {float((z * z).mean()):.2f}")
    dz = np.array([r["delta_z"] for r in rows if r["steps"] != r["reference_steps"]])
    lines.append(f"differences (20 ratios, no ε_train): {int((abs(dz) <= 2).sum())}/{dz.size} within 2 stderr, "
                 f"max |z| = {abs(dz).max():.1f}, χ²/rows = {float((dz * dz).mean()):.2f}")
    return lines


def markdown(report: dict) -> str:
    """The report as Markdown tables (docs/validation.md quotes the full run's)."""
    eps = report["epsilon_train"]
    pm = lambda v, s: f"{v:.3f} ± {s:.3f}"  # noqa: E731
    out = [f"ε_train = {pm(eps['value'], eps['stderr'])} nats (control variate; plain ELBO − H(X) = "
           f"{pm(eps['plain'], eps['plain_stderr'])}), H(X) = {eps['entropy']:.4f} nats", "",
           "| family | T | predicted | measured | z | Δ predicted (no ε) | Δ measured | Δ z | 5-ratio predicted "
           "| every-k predicted | seq. error | perfect net: KL, seq. error |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["rows"]:
        out.append(f"| {r['family']} | {r['steps']} | {pm(r['predicted'], r['predicted_stderr'])} | "
                   f"{pm(r['measured'], r['measured_stderr'])} | {r['z']:+.1f} | "
                   f"{pm(r['delta_predicted'], r['delta_predicted_stderr'])} | "
                   f"{pm(r['delta_measured'], r['delta_measured_stderr'])} | {r['delta_z']:+.1f} | "
                   f"{pm(r['predicted_coarse'], r['predicted_coarse_stderr'])} | "
                   f"{pm(r['predicted_dense'], r['predicted_dense_stderr'])} | "
                   f"{r['sequence_error']:.3f} ± {r['sequence_error_stderr']:.3f} | {r['exact_sampler_error']:.3f}, "
                   f"{r['perfect_sequence_error']:.3f} ± {r['perfect_sequence_error_stderr']:.3f} |")
    return "\n".join(out + [""] + [f"* {line}" for line in agreement(report)]) + "\n"


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write through a temporary file in the same directory and rename it over ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def figure(report: dict, path: str | Path) -> None:
    """Four panels: the curves, predicted vs measured KL by T, the T-differences, the sequence error."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    L = report["config"]["length"]
    fig, ax = plt.subplots(2, 2, figsize=(12, 9))
    a = ax[0, 0]
    a.plot(np.arange(L), report["exact_conditional"], "k-", lw=1, label="data: exact d(m)")
    for name, style in (("dense", "C7."), ("fine", "C0o"), ("coarse", "C3s")):
        c = report["curves"][name]
        a.errorbar(L - np.array(c["masked"]), c["loss"], yerr=2 * np.array(c["stderr"]), fmt=style, ms=4,
                   capsize=2, label=f"network, {len(c['masked'])} ratios (±2 se)")
    a.set(xlabel="revealed tokens m = L - k", ylabel="loss per masked token (nats)", title="loss curves")
    a.legend(fontsize=8)
    colors = {f: f"C{i}" for i, f in enumerate(FAMILIES + ("optimal-from-5",))}
    for f, col in colors.items():
        rows = [r for r in report["rows"] if r["family"] == f]
        T = np.array([r["steps"] for r in rows], dtype=float)
        shift = 1 + 0.04 * (list(colors).index(f) - 2)
        for panel, key, label in ((ax[0, 1], "", "KL"), (ax[1, 0], "delta_", "Δ")):
            pv, ps = [r[f"{key}predicted"] for r in rows], [r[f"{key}predicted_stderr"] for r in rows]
            mv, ms = [r[f"{key}measured"] for r in rows], [r[f"{key}measured_stderr"] for r in rows]
            panel.errorbar(T * shift, pv, yerr=2 * np.array(ps), fmt="-", color=col, capsize=2, label=f"{f} predicted")
            panel.errorbar(T * shift, mv, yerr=2 * np.array(ms), fmt="o", mfc="none", color=col, capsize=2,
                           label=f"{f} measured")
        ax[1, 1].errorbar(T * shift, [r["sequence_error"] for r in rows],
                          yerr=[2 * r["sequence_error_stderr"] for r in rows], fmt="o-", color=col, ms=4, label=f)
    eps = report["epsilon_train"]
    ax[0, 1].axhline(eps["value"], color="k", ls=":", lw=1, label=f"ε_train = {eps['value']:.3f}")
    ax[0, 1].set(xscale="log", xlabel="steps T", ylabel="E_M KL(p || q_θ,M) (nats)",
                 title="predicted (curve + ε_train) vs measured, ±2 se")
    ax[1, 0].set(xscale="log", xlabel="steps T", ylabel="KL(T) - KL(largest T) (nats)",
                 title="differences between T (no ε_train), ±2 se")
    ax[1, 1].set(xscale="log", xlabel="steps T", ylabel="P(p(x) = 0) of generated x",
                 title="sequence error of the network's sampler, ±2 se")
    ax[0, 1].legend(fontsize=6, ncol=2)
    ax[1, 1].legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    write_atomic(path, buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny model and few samples (the test suite's run)")
    parser.add_argument("--json", metavar="OUT", help="write the report (rows and curves) as JSON, atomically")
    parser.add_argument("--figure", metavar="PNG", help="write the four-panel figure (needs matplotlib)")
    parser.add_argument("--markdown", metavar="MD", help="write the tables as Markdown, atomically")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (2 cores are shared: default 1)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("trained_network: torch is not installed (pip install 'boundcalc[hf]')", file=sys.stderr)
        return 1
    if args.threads < 1:
        parser.error(f"--threads {args.threads}: allowed: an integer >= 1")
    for out in (args.json, args.figure, args.markdown):
        if out and not Path(out).resolve().parent.is_dir():
            parser.error(f"{out}: the directory does not exist")
    torch.set_num_threads(args.threads)
    cfg = QUICK if args.quick else FULL
    cfg = Config(**{**asdict(cfg), "seed": args.seed})
    report = run(cfg)
    print(table(report), flush=True)
    print("\n".join(agreement(report)))
    print(f"train {report['seconds']['train']:.1f} s, total {report['seconds']['total']:.1f} s")
    if args.json:
        write_atomic(args.json, json.dumps(report, indent=1) + "\n")
    if args.figure:
        figure(report, args.figure)
    if args.markdown:
        write_atomic(args.markdown, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
