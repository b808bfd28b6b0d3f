"""The rows of MDLM's other noises in a sweep (`sweep --loss-curve C --steps 1:L -f mdlm:NOISE`), part by part,
against the up-front estimate (`boundcalc.count_rows.noise_rows_parts`) that decides a refusal.

The sweep's own flow (`boundcalc.count_flow.count_rows_by_family`, chunk of T by chunk of T) runs on the benchmark's
16-point partial curve with the refusal lifted; each part is timed by the process's CPU clock (the machine is
shared): `build` (the chunk's steps and samplers), `bounds` (count_rows.row_bound_reports), `truth`
(SourceTruth.prepare_counts) and `rows` (the sweep rows and their CSV cells, csv_printer). Next to each, the model's
seconds for the same rows and the ratio model/measured (an upper model: >= 1, and within ~1.5x). Also the work the
model counts: the laws' entries Σ (T + 1)(cap + 1) with the rows' real caps against noise_caps', and the peak RSS.
`--every K` takes every K-th T of 1..L (the whole range at 1/K of the cost: the estimate of the full sweep is K
times the model here, and so is its time).

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/bench_sweep_flow.py [--lengths 1024 4096 16384]
        [--noises cosine cosine2 linear geometric] [--every 1 1 16]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from fractions import Fraction
from typing import Any

from boundcalc import count_flow, count_rows
from boundcalc.curve import LossCurve
from boundcalc.registry import SamplerSpec
from boundcalc.sweep_truth import SourceTruth, resolve_source
from boundcalc.sweeps import parse_family


def curve(length: int) -> LossCurve:
    k = [length * j // 16 for j in range(1, 17)]
    return LossCurve(length=length, masked=k, loss=[0.5 + 6.0 * x / length for x in k], exact=False)


class Clock:
    """CPU seconds by part, and the laws' entries of the rows' real caps."""

    def __init__(self) -> None:
        self.parts = {"build": 0.0, "bounds": 0.0, "truth": 0.0, "rows": 0.0}
        self.entries = 0.0

    def timed(self, part: str, function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.parts[part] += time.process_time() - start
        return run


def measure(noise: str, length: int, every: int) -> tuple[Clock, dict[str, float], float, float]:
    from boundcalc.answers import SweepAnswer
    from boundcalc.csv_printer import to_csv
    from boundcalc import count_stepless
    from boundcalc.count_noise_rows import SteplessNoiseRow
    from boundcalc.sweeps import SweepResult, _count_mi_inputs, _count_row

    spec = parse_family(f"mdlm:{noise}")
    steps = list(range(every, length + 1, every)) if every > 1 else list(range(1, length + 1))
    profile, truth, unit = resolve_source(curve(length), None, None, None)
    assert truth is not None
    clock = Clock()
    build, reports, prepare = count_flow._family_samplers, count_flow.row_bound_reports, SourceTruth.prepare_counts

    def counted_reports(profile: Any, samplers: Any, eps: Any, starts: bool = True) -> Any:
        found = reports(profile, samplers, eps, starts=starts)
        clock.entries += sum(len(s.reveal) * (s.size_cap() + 1) for s in samplers  # caps kept: no new work
                             if not isinstance(s, SteplessNoiseRow))  # (which would build its steps)
        return found

    count_flow._family_samplers = clock.timed("build", build)
    count_flow.row_bound_reports = clock.timed("bounds", counted_reports)
    SourceTruth.prepare_counts = clock.timed("truth", prepare)  # type: ignore[method-assign]
    names = ("theorem1", "recursion", "sharp")
    mi = _count_mi_inputs(truth)
    try:
        rows, _ = count_flow.count_rows_by_family([spec], steps, profile, Fraction(0), truth, clock.timed(
            "rows", lambda f, t, s, r: _count_row(f, t, s, profile, Fraction(0), truth, False, names, r, mi)))[spec.label]
    finally:
        count_flow._family_samplers, count_flow.row_bound_reports = build, reports
        SourceTruth.prepare_counts = prepare  # type: ignore[method-assign]
    result = SweepResult(rows=tuple(rows), families=(spec.label,), steps=tuple(steps), length=length, unit=unit,
                         eps_train=Fraction(0), mi_total=profile.total, bound_names=names, source=profile.source,
                         has_truth=True, estimate=True, mi_measured=truth.mi_measured())
    clock.timed("rows", lambda: to_csv(SweepAnswer(result, ""), 6))()
    template = SamplerSpec(spec.family, spec.parts[1:], spec.label)
    forms = count_stepless.forms_steps(noise, truth.profile, truth.curve, steps)  # as the flow decides
    model = count_rows.noise_rows_parts(template, steps, length, True, forms=forms)
    caps = count_rows.noise_caps(steps, length, count_rows._peak(template),
                                 count_rows._NOISE_REMOVALS[noise])
    modelled = float(sum((t + 1) * (c + 1) for t, c in zip(steps, caps.tolist())))
    return clock, model, modelled, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    gc.disable()  # as the sweep command runs (cli.sweep.collector_paused): the rows hold no cycles
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024, 4096, 16384])
    parser.add_argument("--noises", nargs="+", default=["cosine", "cosine2", "linear", "geometric"])
    parser.add_argument("--every", type=int, nargs="+", default=[1, 1, 16], help="per length: every K-th T")
    args = parser.parse_args()
    print("CPU s measured/model (ratio) per part; the laws' entries model/real; peak RSS")
    print(f"{'noise':<10}{'L':>6}{'every':>6}  " + "".join(f"{p:>20}" for p in ("build", "bounds", "truth", "rows",
          "total")) + f"{'entries':>9}{'peak MB':>9}")
    for noise in args.noises:
        for length, every in zip(args.lengths, args.every + [args.every[-1]] * len(args.lengths)):
            clock, model, modelled, peak = measure(noise, length, every)
            parts = dict(clock.parts, total=sum(clock.parts.values()))
            model = dict(model, total=sum(model.values()))
            cells = "".join(f"{parts[p]:.2f}/{model[p]:.2f} ({model[p] / max(parts[p], 1e-9):.2f})".rjust(20)
                            for p in parts)
            print(f"{noise:<10}{length:>6}{every:>6}  {cells}{modelled / max(clock.entries, 1):>9.2f}{peak:>9.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
