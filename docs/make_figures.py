"""Draw the gallery of docs/figures.md: one figure of each kind `boundcalc plot` draws.

Every figure comes from boundcalc's embedded example, a bigram chain of English
prose (27 symbols), or from a loss curve measured on it (the chain's exact
d(L - k) at 12 mask ratios plus seeded Gaussian noise of a known stderr, as a
model's evaluation would give); the samplers' trade-off from the binary chain
of docs/samplers.md (L = 8, exact for every sampler). Run from anywhere:

    python docs/make_figures.py                 # writes docs/figures/*.png
    python docs/make_figures.py --output DIR    # elsewhere

tests/docs/test_tutorial.py runs it into a temporary folder so it never rots.
"""

from __future__ import annotations

import argparse
from importlib.resources import files
from pathlib import Path

import boundcalc as bc
from boundcalc import plot
from boundcalc.curve import LossCurve
from boundcalc.plot_nfe import error_vs_nfe
from boundcalc.sampler_truth import rule_report

LENGTH = 64
FAMILIES = ["uniform", "cosine", "mdlm", "dream-origin"]
STEPS = "log:1:64:10"


def measured_curve(chain: bc.MarkovChain, length: int, seed: int = 7) -> LossCurve:
    """A loss curve as an evaluation would measure it: d(L - k) at 12 values of k, with noise of known stderr."""
    import numpy as np

    d = chain.entropy_profile(length).conditional
    masked = sorted({max(1, round(length * f)) for f in np.linspace(1 / length, 1, 12)})
    stderr = [0.004 + 0.01 * float(d[length - k]) for k in masked]
    noise = np.random.default_rng(seed).normal(0.0, stderr)
    loss = [max(float(d[length - k]) + float(e), 0.0) for k, e in zip(masked, noise)]
    return LossCurve(length=length, masked=masked, loss=loss, stderr=stderr, source="synthetic measurements")


def _curve_sweep(curve: LossCurve, families: list[str]) -> bc.SweepResult:
    from boundcalc.truth.core import EntropyProfile

    profile = EntropyProfile(curve.conditional("linear"), source=curve.source, meta={"estimate": True})
    return bc.sweep(profile, families, STEPS)


#: The samplers of the trade-off figure: fixed orders at a few T and threshold rules at a few thresholds.
SAMPLERS = ["uniform:2", "uniform:4", "uniform:8", "cosine:4", "low-confidence:4", "left-to-right:4", "dilated:4",
            "confidence:3/5", "confidence:3/4", "confidence:9/10", "eb:2/5", "eb:4/5", "entropy-sum:1",
            "entropy-sum:7/5"]


def binary_chain(length: int = 8, flip: str = "1/10") -> bc.JointDistribution:
    """The binary Markov chain of docs/samplers.md as a joint table: every sampler's KL is exact on it."""
    import itertools
    from fractions import Fraction

    outcomes, probs = [], []
    for x in itertools.product((0, 1), repeat=length):
        p = Fraction(1, 2)
        for a, b in zip(x, x[1:]):
            p *= Fraction(flip) if a != b else 1 - Fraction(flip)
        outcomes.append(list(x))
        probs.append(p)
    return bc.JointDistribution.from_outcomes(outcomes, probs, source=f"binary chain, flip {flip}")


def make(output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    chain = bc.load_markov(str(files("boundcalc") / "data" / "default_markov.json"))
    result = bc.sweep(chain, FAMILIES, STEPS, length=LENGTH, optimal=True)
    curve = measured_curve(chain, LENGTH)
    estimated = _curve_sweep(curve, ["uniform", "cosine"])
    # the same measurements without the ends (r = 1/L, r = 1 and their neighbours): a partial curve
    inner = [i for i, k in enumerate(curve.masked.tolist()) if 8 <= k <= 56]
    partial = LossCurve(length=LENGTH, masked=curve.masked[inner], loss=curve.loss[inner],
                        stderr=curve.stderr[inner], source="synthetic measurements, k = 8..56 only")
    profile_only = bc.sweep(bc.MIProfile.from_total(40, 1024), ["uniform", "cosine"], "log:1:1024:12")
    schedules = bc.sweep(bc.MIProfile.from_total(40, 1024), ["uniform", "cosine", "blocks:4:uniform:T", "mdlm"],
                         "8,64,544")
    figures = {
        "error-vs-steps.png": plot.error_vs_steps(result, target="0.5"),
        "error-vs-steps-estimated.png": plot.error_vs_steps(estimated, curve=curve),
        "error-vs-steps-partial.png": plot.error_vs_steps(bc.sweep(partial, ["uniform", "cosine"], STEPS,
                                                                   vocab_size=27), curve=partial),
        "error-vs-steps-all-bounds.png": plot.error_vs_steps(profile_only, bounds=plot.ALL),
        "schedule.png": plot.schedules(schedules),
        "curve.png": plot.curve(chain, length=LENGTH),
        "curve-loss.png": plot.loss_curve(curve),
        "sandwich.png": plot.sandwich(bc.sweep(chain, ["uniform", "cosine"], STEPS, length=LENGTH)),
        "error-vs-nfe.png": error_vs_nfe([rule_report(binary_chain(), spec, 8) for spec in SAMPLERS]),
    }
    return [plot.save(fig, output / name, dpi=150) for name, fig in figures.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "figures")
    for path in make(parser.parse_args().output):
        print(path)


if __name__ == "__main__":
    main()
