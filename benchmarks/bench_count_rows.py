"""`sweep -f mdlm|sedd|dream-origin|mdlm:NOISE`: the cost model of a count sweep's rows, measured.

`boundcalc.count_rows.row_seconds` estimates each row from T and L alone, so a sweep too large is refused
before any sampler is built. For a few L and T this prints, per part of a row, the measured CPU seconds (best
of 3, fresh samplers, process time: the machine is shared) next to the model's, and their ratio; the rates
(seconds per coefficient entry, per entry of the laws of single steps) checked against the rates
(`_FLAT_ENTRY_SECONDS` is set by benchmarks/bench_sweep_flow.py). Then whole sweeps,
measured against `boundcalc.count_flow.count_rows_seconds`:
the model must stay above the measurement (a refusal, never a hang) without refusing what runs in <= 10 s.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_count_rows.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import time

from boundcalc import count_rows
from boundcalc.curve import LossCurve
from boundcalc.registry import SamplerSpec
from boundcalc.sweep_truth import resolve_source
from boundcalc.count_flow import count_rows_seconds
from boundcalc.sweeps import parse_family, parse_steps, sweep


def cpu(fn, repeat: int = 3) -> float:
    """The least process time of ``repeat`` calls (seconds)."""
    best = math.inf
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def curve_of(length: int) -> LossCurve:
    """A 16-point partial curve of length L (the benchmark's shape: k = L/16, 2L/16, ..., L)."""
    import tempfile
    from pathlib import Path

    from boundcalc.curve import load_loss_curve

    ks = [length * i // 16 for i in range(1, 17)]
    losses = [2.5 * (1 - math.exp(-3 * k / length)) / (1 - math.exp(-3)) for k in ks]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "curve.csv"
        path.write_text("masked,loss_nats\n" + "".join(f"{k},{x:.6f}\n" for k, x in zip(ks, losses)))
        return load_loss_curve(path)


def parts(family: str, length: int, steps: int) -> dict[str, float]:
    """Measured seconds of one row's parts: the build, the bounds (laws of single steps), the coefficients."""
    spec = parse_family(family)
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    profile, _, _ = resolve_source(curve_of(length), None, None, None)
    build = cpu(lambda: count_rows.row_sampler(template, steps, length))
    fresh = [count_rows.row_sampler(template, steps, length) for _ in range(3)]
    bounds = cpu(lambda: count_rows.row_bound_reports(profile, [fresh.pop()], 0))
    sampler = count_rows.row_sampler(template, steps, length)
    sampler.size_cap()
    coefficients = cpu(lambda: sampler._start_sizes())
    return {"build": build, "bounds": bounds, "coefficients": coefficients, "cap": sampler.size_cap(),
            "n": len(sampler.reveal)}


def rates(cases: list[tuple[str, int, int]]) -> None:
    """Seconds per entry: coefficients per (n x the model's window), bounds per (n x cap)."""
    print(f"{'family':<14}{'L':>6}{'T':>6}{'build s':>10}{'bounds s':>10}{'/n·cap ns':>11}"
          f"{'coeff s':>10}{'/n·width ns':>13}")
    for family, length, steps in cases:
        p = parts(family, length, steps)
        n, cap = p["n"], p["cap"]
        width = count_rows.coefficient_width(length)
        print(f"{family:<14}{length:>6}{steps:>6}{p['build']:>10.4f}{p['bounds']:>10.4f}"
              f"{p['bounds'] / (n * cap) * 1e9:>11.2f}{p['coefficients']:>10.4f}"
              f"{p['coefficients'] / (n * width) * 1e9:>13.2f}")


def sweeps(cases: list[tuple[str, int, str]]) -> None:
    """Whole sweeps (CPU seconds, one run) against the up-front estimate of their count rows."""
    print(f"\n{'family':<14}{'L':>6}{'grid':>18}{'measured s':>12}{'model s':>10}{'model/measured':>16}")
    for family, length, grid in cases:
        curve = curve_of(length)
        spec = parse_family(family)
        _, truth, _ = resolve_source(curve, None, None, None)
        model = count_rows_seconds([spec], parse_steps(grid, length), length, truth)
        start = time.process_time()
        sweep(curve, [family], grid)
        measured = time.process_time() - start
        print(f"{family:<14}{length:>6}{grid:>18}{measured:>12.2f}{model:>10.2f}{model / measured:>16.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer cases")
    quick = parser.parse_args().quick
    lengths = (1024, 4096) if quick else (1024, 4096, 16384)
    rates([(f, L, T) for f in ("mdlm", "mdlm:cosine") for L in lengths for T in (4, 64, 1024)])
    sweeps([("mdlm", 1024, "1:1024:4"), ("dream-origin", 1024, "1:1024:4"), ("mdlm:cosine", 1024, "1:1024:8"),
            ("mdlm", 4096, "log:1:4096:40")] + ([] if quick else [("mdlm", 16384, "log:1:16384:24"),
                                                                   ("mdlm", 16384, "1:64")]))


if __name__ == "__main__":
    main()
