"""Which term of the T-independent forms' slack decides a noise row's certified width (count_noise_expansion).

For each noise, the least T from which every row's certified error (half the bracket's width) is at most
count_stepless.STEPLESS_RELATIVE of its value (the threshold of the stepless path), and at that T (and at a few
others) each term's share of the two forms' half-widths: the value's own spread (q's h_hi − h_lo, the drop's
per_d/around factor), the error vector's keys, the dots' rounding, h's rounding, rest1·TV(G′), rest3·TV(G‴)
(global or cell-local), rest0·sup|G′|.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_noise_slack.py [--curve /tmp/full16384.csv] \\
        [--noises cosine cosine2 linear geometric] [--at 1000 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from boundcalc import count_noise_expansion as nx
from boundcalc.count_stepless import STEPLESS_RELATIVE
from boundcalc.curve import load_loss_curve
from boundcalc.estimate import curve_profile


def threshold(lo: np.ndarray, hi: np.ndarray, T: np.ndarray) -> int:
    """The least T from which every row is within the relative target (T.max() + 1 if none)."""
    ok = (hi - lo) / 2 <= STEPLESS_RELATIVE * np.abs((lo + hi) / 2)
    bad = np.nonzero(~ok)[0]
    return int(T[bad[-1]] + 1) if bad.size else int(T[0])


def terms(ex: nx.NoiseExpansion, form: nx._Form, tv3: float, tv1: float | None = None) -> dict:
    """Each part of the form's half-width at one T (scalars)."""
    dots, br = ex.own, ex.bracket
    L = br.L
    out = {}
    for name in form.lower:
        spread = (form.upper[name] - form.lower[name]) / 2 * ex.linear[name]
        if abs(spread) > 0:
            out[f"spread:{name}"] = abs(float(np.ravel(spread)[0]))
    for key, c in form.error.items():
        out[f"err:{key}"] = float(np.ravel(c * dots[key])[0])
    mags = form.magnitude(dots, "lower") + form.magnitude(dots, "upper")
    out["err:8eps"] = float(np.ravel(8 * nx._EPS * mags)[0])
    out["rounding"] = float(np.ravel((L + 4) * nx._EPS * mags)[0])
    out["h rounding"] = br.argument_error() * dots["max"]
    out["rest1*TV1"] = float(np.ravel(form.rest1 * (ex.tv1 if tv1 is None else tv1))[0])
    out["rest3*TV3"] = float(np.ravel(form.rest3 * tv3)[0])
    out["rest0*jump"] = float(np.ravel(form.rest0 * br.slope_jump)[0])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--curve", default="/tmp/full16384.csv")
    parser.add_argument("--noises", nargs="*", default=["cosine", "cosine2", "linear", "geometric"])
    parser.add_argument("--at", nargs="*", type=int, default=[])
    args = parser.parse_args()
    curve = load_loss_curve(args.curve)
    d = np.asarray(curve_profile(curve).conditional, dtype=np.float64)
    L = d.size
    T = np.arange(1, L + 1)
    for noise in args.noises:
        start = time.process_time()
        ex = nx.NoiseExpansion(noise, d)
        lo, hi = nx.expanded_brackets(ex, T)
        cost = time.process_time() - start
        t0 = threshold(lo, hi, T)
        ok = (hi - lo) / 2 <= STEPLESS_RELATIVE * np.abs((lo + hi) / 2)
        first = int(T[np.argmax(ok)]) if ok.any() else L + 1
        print(f"{noise}: L = {L}, every T >= {t0} certified (first certified T {first}, {int(ok.sum())} rows; "
              f"{cost:.2f} s CPU for the forms at every T)")
        for t in [t0, *args.at]:
            if t > L:
                continue
            tt = np.array([t])
            l1, h1 = nx.expanded_brackets(ex, tt)
            value = float((l1 + h1)[0] / 2)
            print(f"  T = {t}: value {value:.6g}, half-width {float((h1 - l1)[0] / 2):.3g} "
                  f"({float((h1 - l1)[0] / 2) / abs(value):.3g} relative)")
            for label, form in (("trapezoid", nx._trapezoid(ex, tt)), ("euler-maclaurin", nx._euler_maclaurin(ex, tt))):
                tv3 = ex.tv3
                if float(form.local[0]) > 0:
                    tv3 = min(ex.tv3, float(form.local[0]) * min(ex.bracket._local_twist(), ex.zone_twist)
                              / float(form.rest3[0]))
                tv1 = float(np.ravel(nx._zoned_variation(ex, form, tt))[0]) if label == "trapezoid" else ex.tv1
                parts = terms(ex, form, tv3, tv1)
                total = sum(parts.values())
                top = sorted(parts.items(), key=lambda kv: -kv[1])[:6]
                print(f"    {label}: half-width ~{total:.3g}: "
                      + ", ".join(f"{k} {v:.2g} ({v / total:.0%})" for k, v in top))


if __name__ == "__main__":
    main()
