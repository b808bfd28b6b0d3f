"""Draw the README's figure: the exact error of a chain fitted to English text against T, with every bound.

The chain is boundcalc's embedded example (a bigram model of English prose,
27 symbols; docs/examples/make_default_example.py), on L = 256 tokens. For
uniform schedules at 14 values of T the figure shows the exact error of the
sampler with the optimal predictor (solid), every upper bound that applies
(dashed, with its equation), and the least error of any T-step schedule
(dotted). Run from anywhere:

    python docs/make_figure.py                    # writes docs/figure.png
    python docs/make_figure.py --output fig.pdf   # any of .png .svg .pdf .pgf

tests/docs/test_tutorial.py runs it into a temporary folder so it never rots.
"""

from __future__ import annotations

import argparse
from importlib.resources import files
from pathlib import Path

import boundcalc as bc
from boundcalc import plot

LENGTH = 256
STEPS = "log:1:256:14"


def make(output: Path) -> Path:
    chain = bc.load_markov(str(files("boundcalc") / "data" / "default_markov.json"))
    result = bc.sweep(chain, ["uniform"], STEPS, length=LENGTH, optimal=True)
    fig = plot.error_vs_steps(
        result, bounds=plot.ALL, title=f"bigram chain of English text, L = {LENGTH}, uniform schedules"
    )
    return plot.save(fig, output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "figure.png")
    print(make(parser.parse_args().output))


if __name__ == "__main__":
    main()
