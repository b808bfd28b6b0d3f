"""`steps --family mdlm|sedd|dream-origin`: the cost model of a count-family search, measured.

For L = 256 and 1024 and a few T, prints the measured microseconds of each part of a search next to
the model `boundcalc.count_steps` uses to refuse a search up front (_CountSearch.screen_cost and
exact_cost), and the ratio measured / model (far above 1: the up-front estimate is too optimistic).
Then the time of whole searches and of `steps --budget` rows.

    python benchmarks/bench_count_steps.py
"""

from __future__ import annotations

import time
from fractions import Fraction

from boundcalc.curve import LossCurve
from boundcalc.count_steps import _CountSearch
from boundcalc.family_steps import budget_table, required_steps_family
from boundcalc.truth import MarkovChain


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e6


def model_vs_measured() -> None:
    chain = MarkovChain(["0", "1"], [["0.99", "0.01"], ["0.01", "0.99"]])
    print(f"{'family':<14}{'by':<7}{'L':>6}{'T':>6}{'screen µs':>12}{'model':>10}{'ratio':>7}"
          f"{'DP µs':>12}{'model':>10}{'ratio':>7}")
    for L in (256, 1024):
        curve = LossCurve.from_conditional(chain.entropy_profile(L).conditional)
        for family in ("mdlm", "dream-origin", "mdlm:cosine"):
            for by in ("bound", "error"):
                for T in (16, 64, 256):
                    s = _CountSearch(family, by, L, curve, Fraction(10), "sharp", Fraction(0), "nats")
                    screen = timed(lambda: s.screen(T))
                    model = s.screen_cost(T)
                    s.exact.clear()
                    s.samplers.clear()
                    dp = timed(lambda: s.evaluate(T)) if by == "bound" else float("nan")
                    dmodel = s.exact_cost(T)
                    print(f"{family:<14}{by:<7}{L:>6}{T:>6}{screen:>12.0f}{model:>10.0f}{screen / model:>7.2f}"
                          f"{dp:>12.0f}{dmodel:>10.0f}{dp / dmodel:>7.2f}")


def searches() -> None:
    print("\nwhole searches (seconds)")
    for L in (256, 1024):
        for family in ("mdlm", "dream-origin"):
            for bound in ("sharp", "theorem1"):
                t = timed(lambda: required_steps_family(["0.25", "1"], family=family, length=L,
                                                        mi_total=Fraction(10), bound=bound)) / 1e6
                print(f"  steps --family {family} --bound {bound}, L = {L}, ΣI = 10, targets 0.25, 1: {t:.2f} s")
    for L, T in ((1024, 64), (4096, 64)):
        fixed = timed(lambda: budget_table(T, length=L, mi_total=Fraction(10))) / 1e6
        counts = timed(lambda: budget_table(T, length=L, mi_total=Fraction(10),
                                            families=("mdlm", "dream-origin"))) / 1e6
        print(f"  budget T = {T}, L = {L}, ΣI only: fixed families {fixed:.2f} s, mdlm + dream-origin rows {counts:.2f} s")


if __name__ == "__main__":
    model_vs_measured()
    searches()
