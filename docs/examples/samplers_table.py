"""The tables of docs/samplers.md: the samplers people run, side by side at matched expected network calls.

    python docs/examples/samplers_table.py exact   # binary chain, L = 8, exact (joint table), T = 4
    python docs/examples/samplers_table.py chain   # the text chain of boundcalc/data, L = 256, T = 64

The adaptive rules' thresholds are the ones whose E[NFE] came nearest T on a grid (docs/samplers.md says
which grid). Prints markdown rows (values in nats). Takes minutes on a loaded 2-core machine.
"""

from __future__ import annotations

import itertools
import json
import sys
from fractions import Fraction
from pathlib import Path

from boundcalc.sampler_truth import rule_report
from boundcalc.truth import JointDistribution, MarkovChain

ROOT = Path(__file__).resolve().parents[2]


def binary_chain_table(L: int = 8, flip: Fraction = Fraction(1, 10)) -> JointDistribution:
    outcomes, probs = [], []
    for x in itertools.product((0, 1), repeat=L):
        p = Fraction(1, 2)
        for a, b in zip(x, x[1:]):
            p *= flip if a != b else 1 - flip
        outcomes.append(list(x))
        probs.append(p)
    return JointDistribution.from_outcomes(outcomes, probs, source="binary chain, flip 1/10")


def row(report) -> str:
    def pm(value, se):
        if value is None:
            return "—"
        return f"{value:.4g}" if not se else f"{value:.3g} ± {se:.1g}"

    truth = pm(report.truth, 0 if report.exact or "exact" in report.truth_kind else report.truth_error)
    kind = {"KL(p||q), exact": "KL exact", "E_M KL(p||q_M), exact": "E_M KL exact"}.get(report.truth_kind, report.truth_kind)
    guarantee = "; ".join(f"{g.name}: {'unknown' if g.value is None else f'{g.value:.3g}'}" for g in report.guarantees
                          if g.bounds == "KL(p||q)") or "—"
    return (f"| `{report.rule}` | {truth} | {kind.split(' (')[0]} | {pm(*report.sequence_error)} | "
            f"{pm(*report.expected_nfe)} | {guarantee} |")


def count_row(model, spec: str, L: int, **kw) -> str:
    """A random-count sampler's row: E KL over its counts and positions (exact), its sequence error (exact on a
    chain without zero transitions, else Monte Carlo), its exact expected calls."""
    from boundcalc.counts import parse_sampler
    from boundcalc.sampler_truth import count_sampler_report
    from boundcalc.truth import exact_error
    from boundcalc.truth.count_law import call_convention, expected_calls

    sampler = parse_sampler(spec, L)
    calls, _ = expected_calls(sampler, call_convention(sampler))
    if isinstance(model, MarkovChain):
        report = count_sampler_report(model, sampler, L, **kw)
        seq, se = report["sequence_error"], report["sequence_error_se"]
        seq_text = f"{seq:.3g} ± {se:.1g}" if se else f"{seq:.4g}"
    else:  # the binary chain's table holds all 2^L outcomes, each with p > 0: no draw can err
        seq_text = "0"
    return f"| `{spec}` | {exact_error(model, sampler, L):.4g} | E KL exact | {seq_text} | {calls:.4g} | — |"


def main(which: str) -> None:
    if which == "exact":
        model, L, T, kw = binary_chain_table(), 8, 4, {}
        fixed = ["uniform:4", "cosine:4", "low-confidence:4", "left-to-right:4", "dilated:4", "llada:8:4:4"]
        adaptive = ["confidence:3/4", "eb:2/5", "eb:4/5", "entropy-sum:1", "entropy-sum:7/5"]
        counts = ["mdlm:4", "sedd:4", "dream-origin:4"]
    else:
        d = json.loads((ROOT / "boundcalc/data/default_markov.json").read_text())
        model = MarkovChain(d["states"], d["transition"], d["initial"], source="default_markov.json")
        L, T, kw = 256, 64, {"samples": 100, "seed": 0}
        fixed = ["uniform:64", "cosine:64", "low-confidence:64", "left-to-right:64", "dilated:64", "llada:256:32:64"]
        adaptive = ["confidence:0.17", "eb:8", "entropy-sum:12"]
        counts = ["mdlm:64", "sedd:64", "dream-origin:64"]
    print("| sampler | truth | what | sequence error | E[NFE] | own guarantee on KL |")
    print("| --- | --- | --- | --- | --- | --- |")
    for spec in fixed + adaptive:
        print(row(rule_report(model, spec, L, **kw)), flush=True)
    for spec in counts:
        print(count_row(model, spec, L, **kw), flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "exact")
