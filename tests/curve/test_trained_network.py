"""benchmarks/trained_network.py --quick: a trained network's sampling error predicted from its loss curve.

The benchmark trains a tiny masked-diffusion transformer on a sparse Markov chain, measures its loss curve
through boundcalc.predictor.from_torch, predicts E_M KL(p || q_θ,M) of uniform/cosine/mdlm/DP-optimal
schedules from the curve (+ ε_train measured once) and measures the same KL by Monte Carlo with the
network's own sampler (log p(x) exact). The identity (docs/validation.md) makes the two agree in
expectation, so these checks fail if boundcalc's curve normalisation, its error functional or its
count-sampler expectation did not match the sampler, beyond the stated statistical tolerance.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "trained_network.py"
pytestmark = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                reason="torch is not installed (extra [hf]; CI does not install it)")

#: Combined standard errors allowed between predicted and measured, plus a fixed tolerance in nats for what
#: is not statistical: the isotonic fit pooling a non-monotone network curve, and the DP-optimal schedule
#: chosen on the same noisy curve (biased low; docs/validation.md).
SIGMAS = 4.0
TOLERANCE = 0.05
ROW_KEYS = {"family", "steps", "predicted", "predicted_stderr", "measured", "measured_stderr"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("trained") / "quick.json"
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)  # this tree's code first
    env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", str(out)], capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert [p.name for p in out.parent.iterdir()] == ["quick.json"]  # written atomically: no temporary left
    return json.loads(out.read_text())


def test_rows_cover_every_family_and_steps(report):
    cfg = report["config"]
    expected = {(f, T) for f in ("uniform", "cosine", "optimal", "optimal-from-5") for T in cfg["steps_grid"]}
    expected |= {("mdlm", T) for T in cfg["mdlm_grid"]}
    rows = report["rows"]
    assert {(r["family"], r["steps"]) for r in rows} == expected and len(rows) == len(expected)
    for r in rows:
        assert ROW_KEYS <= set(r)
        for key in ("predicted", "measured", "predicted_stderr", "measured_stderr"):
            assert math.isfinite(r[key]), (r["family"], r["steps"], key)
        assert r["predicted_stderr"] > 0 and r["measured_stderr"] > 0
        assert 0 <= r["sequence_error"] <= 1


def _within(pred, pred_se, meas, meas_se, slack=0.0):
    return abs(pred - meas) <= SIGMAS * math.hypot(pred_se, meas_se) + TOLERANCE + slack


def test_predicted_agrees_with_measured_for_every_schedule(report):
    bad = [(r["family"], r["steps"], round(r["predicted"], 3), round(r["measured"], 3), round(r["z"], 2))
           for r in report["rows"]
           if not _within(r["predicted"], r["predicted_stderr"], r["measured"], r["measured_stderr"],
                          r["interpolation_effect"])]
    assert not bad


def test_differences_between_steps_agree_without_the_elbo_gap(report):
    bad = []
    for r in report["rows"]:
        if not _within(r["delta_predicted"], r["delta_predicted_stderr"], r["delta_measured"],
                       r["delta_measured_stderr"], r["interpolation_effect"]):
            bad.append((r["family"], r["steps"], r["delta_predicted"], r["delta_measured"]))
    assert not bad


def test_the_measurement_resolves_the_schedules(report):
    """Not vacuous: T = 1 is measurably worse than T = L (by > 10 stderr of the difference), in both columns,
    and the network is imperfect (ε_train > 0 by > 4 stderr), so the constant matters too."""
    L = report["config"]["length"]
    one = next(r for r in report["rows"] if r["family"] == "uniform" and r["steps"] == 1)
    assert one["reference_steps"] == L
    assert one["delta_measured"] > 10 * one["delta_measured_stderr"]
    assert one["delta_predicted"] > 4 * one["delta_predicted_stderr"]
    eps = report["epsilon_train"]
    assert eps["value"] > 4 * eps["stderr"]
    # the two ε estimators (control variate, plain) estimate the same number
    assert abs(eps["value"] - eps["plain"]) <= SIGMAS * math.hypot(eps["stderr"], eps["plain_stderr"])


def test_uniform_at_every_token_is_the_elbo_gap(report):
    """T = L reveals one token per step: the curve's error is 0, so the measured KL estimates ε_train alone."""
    L = report["config"]["length"]
    last = next(r for r in report["rows"] if r["family"] == "uniform" and r["steps"] == L)
    eps = report["epsilon_train"]
    assert last["curve_error"] == 0.0
    assert _within(eps["value"], eps["stderr"], last["measured"], last["measured_stderr"])
