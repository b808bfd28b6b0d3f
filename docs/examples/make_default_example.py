"""Rebuild the embedded default example of ``boundcalc steps`` (boundcalc/data/).

What it models: the first 1024 characters of English technical prose, as a
first-order (bigram) Markov chain over 27 symbols (a-z and space) fitted to
the text of CPython 3.11's ``pydoc_data.topics`` (the reference manual
entries behind ``help()``; about 465,000 characters, PSF licence). Letters
are lower-cased; every run of other characters becomes one space.
Transitions use add-1/2 (Jeffreys) smoothing, P(y | x) = (n(x,y) + 1/2) / (n(x) + 27/2),
which keeps every probability exact (a ratio of integers) and the chain
irreducible. The sequence starts at a word start: X_1 is distributed as the
row of the space symbol.

Outputs:
* ``boundcalc/data/default_markov.json``: the chain, exact fractions;
* ``boundcalc/data/default_profile.csv``: I_i = I(X_i; X_{-i}) in nats for
  i = 1..1024, from the chain (interior tokens: H(X_i) - H(X_i | X_{i-1}, X_{i+1});
  the two ends: I with their one neighbour), computed in float64 (error below
  1e-12) and written with 12 significant digits; the file's decimals are then
  the example's exact values.

Run from the repository root with Python 3.11 (the pydoc text differs
between Python versions): ``python docs/examples/make_default_example.py``.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import numpy as np

LENGTH = 1024
ALPHABET = " abcdefghijklmnopqrstuvwxyz"
DATA = Path(__file__).resolve().parents[2] / "boundcalc" / "data"


def corpus() -> str:
    import pydoc_data.topics as topics

    text = " ".join(topics.topics[key] for key in sorted(topics.topics))
    return re.sub(r"[^a-z]+", " ", text.lower()).strip()


def chain(text: str) -> tuple[list[list[Fraction]], list[Fraction]]:
    index = {ch: i for i, ch in enumerate(ALPHABET)}
    v = len(ALPHABET)
    counts = [[0] * v for _ in range(v)]
    for a, b in zip(text, text[1:]):
        counts[index[a]][index[b]] += 1
    transition = [[Fraction(2 * n + 1, 2 * sum(row) + v) for n in row] for row in counts]
    return transition, list(transition[index[" "]])


def mi_profile(transition: list[list[Fraction]], initial: list[Fraction], length: int) -> list[float]:
    p = np.array([[float(x) for x in row] for row in transition])
    mu = np.array([float(x) for x in initial])

    def entropy(q: np.ndarray) -> float:
        q = q[q > 0]
        return float(-(q * np.log(q)).sum())

    marginals = [mu]
    for _ in range(length - 1):
        marginals.append(marginals[-1] @ p)
    profile = []
    for i in range(length):
        m = marginals[i]
        h_i = entropy(m)
        if i == 0:  # I(X_1; X_2)
            joint = m[:, None] * p
            profile.append(h_i + entropy(joint.sum(0)) - entropy(joint.ravel()))
            continue
        prev = marginals[i - 1]
        pair = prev[:, None] * p  # (x_{i-1}, x_i)
        if i == length - 1:  # I(X_L; X_{L-1})
            profile.append(h_i + entropy(prev) - entropy(pair.ravel()))
            continue
        triple = pair[:, :, None] * p[None, :, :]  # (x_{i-1}, x_i, x_{i+1})
        outer = triple.sum(1)
        # I(X_i; X_{i-1}, X_{i+1}) = H(X_i) + H(X_{i-1}, X_{i+1}) - H(X_{i-1}, X_i, X_{i+1})
        profile.append(h_i + entropy(outer.ravel()) - entropy(triple.ravel()))
    return profile


def main() -> None:
    transition, initial = chain(corpus())
    model = {
        "description": "bigram model of CPython 3.11 pydoc_data.topics text, a-z and space, "
        "add-1/2 smoothing; starts at a word start (docs/examples/make_default_example.py)",
        "states": list(ALPHABET.replace(" ", "_")),
        "transition": [[str(x) for x in row] for row in transition],
        "initial": [str(x) for x in initial],
    }
    rows = ",\n  ".join(json.dumps(row) for row in model["transition"])
    text = json.dumps({**model, "transition": ["@rows"]}, indent=1).replace('"@rows"', rows)
    (DATA / "default_markov.json").write_text(text + "\n")
    values = mi_profile(transition, initial, LENGTH)
    # float64 results rounded to 12 digits: the marker makes every reader say its decisions are exact for these values
    lines = ["# float64 values (12 significant digits) computed by docs/examples/make_default_example.py", "index,mi_nats"]
    lines += [f"{i + 1},{x:.12g}" for i, x in enumerate(values)]
    (DATA / "default_profile.csv").write_text("\n".join(lines) + "\n")
    print(f"sum I = {sum(values):.6f} nats over L = {LENGTH}; I_1 = {values[0]:.6f}, I_mid = {values[LENGTH // 2]:.6f}")


if __name__ == "__main__":
    main()
