"""Training logs as loss curves: W&B exports, JSONL, TSV and per-batch samples, generated from a known curve."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from boundcalc.curve_log import load_curve_file
from boundcalc.errors import BoundcalcError
from boundcalc.truth import MarkovChain

L = 64
CHAIN = MarkovChain(["a", "b", "c"], [["0.8", "0.1", "0.1"], ["0.2", "0.7", "0.1"], ["0.1", "0.3", "0.6"]])
D = CHAIN.entropy_profile(L).conditional  # d(0..L-1), nats: the loss at k masked is d(L - k)
RATIOS = [1 / 64, 0.125, 0.25, 0.5, 0.75, 0.875, 1.0]


def _loss(k: int) -> float:
    return float(D[L - k])


def test_wandb_export_with_empty_cells_reads_the_known_curve(tmp_path):
    lines = ["Step,mask_ratio,train/loss,_runtime"]
    for step, r in enumerate(RATIOS):
        lines.append(f"{2 * step},{r!r},{_loss(round(r * L))!r},{step * 1.5}")
        lines.append(f"{2 * step + 1},,,{step * 1.5 + 0.7}")  # a step where the metric was not logged
    (tmp_path / "wandb.csv").write_text("\n".join(lines) + "\n")
    curve = load_curve_file(tmp_path / "wandb.csv", L)
    assert curve.masked.tolist() == [round(r * L) for r in RATIOS]
    assert curve.loss.tolist() == [_loss(k) for k in curve.masked.tolist()]
    assert curve.stderr is None and "7 rows without a value skipped" in curve.source


def test_jsonl_in_bits_and_tsv_with_a_stderr_column(tmp_path):
    log = tmp_path / "train.jsonl"
    log.write_text("\n".join(json.dumps({"step": i, "t": r, "loss_bits": _loss(round(r * L)) / math.log(2)})
                             for i, r in enumerate(RATIOS)) + "\n")
    curve = load_curve_file(log, L)
    assert np.allclose(curve.loss, [_loss(round(r * L)) for r in RATIOS], rtol=1e-14, atol=0)
    assert "loss loss_bits read as bits" in curve.source
    tsv = tmp_path / "eval.tsv"
    tsv.write_text("ratio\tval_loss\tse\n" + "".join(f"{r!r}\t{_loss(round(r * L))!r}\t0.01\n" for r in RATIOS))
    curve = load_curve_file(tsv, L, stderr_column="se", unit="nats")
    assert curve.stderr.tolist() == [0.01] * len(RATIOS)
    assert curve.loss.tolist() == [_loss(round(r * L)) for r in RATIOS]


def test_per_batch_samples_averaged_in_bins_match_a_hand_computation(tmp_path):
    rng = np.random.default_rng(0)
    t = 1 - rng.random(4000)  # (0, 1]
    k = np.floor(t * L + 0.5).astype(int).clip(1, L)
    noise = rng.normal(0, 0.05, t.size)
    loss = np.array([_loss(int(x)) for x in k]) + noise
    log = tmp_path / "batches.jsonl"
    log.write_text("\n".join(json.dumps({"t": float(a), "loss": float(b)}) for a, b in zip(t, loss)) + "\n")
    curve = load_curve_file(log, L, bins=10)
    # by hand: bin j holds ((j)/10, (j+1)/10]
    j = np.minimum(np.ceil(t * 10).astype(int) - 1, 9)
    assert curve.masked.size == 10
    for b in range(10):
        members = j == b
        mean_t, mean_loss = t[members].mean(), loss[members].mean()
        se = loss[members].std(ddof=1) / math.sqrt(members.sum())
        i = curve.masked.tolist().index(int(math.floor(mean_t * L + 0.5)))
        assert curve.loss[i] == pytest.approx(mean_loss, rel=1e-12)
        assert curve.stderr[i] == pytest.approx(se, rel=1e-9)
        # the bin's loss estimates the known curve averaged over the bin's samples
        exact_mean = np.mean([_loss(int(x)) for x in k[members]])
        assert abs(curve.loss[i] - exact_mean) < 4 * se


@pytest.mark.parametrize("text, options, message", [
    ("Step,foo,bar\n1,2,3\n", {}, "no mask-ratio column among the columns found (Step, foo, bar)"),
    ("mask_ratio,train/loss,val/loss\n0.5,1,2\n", {}, "several a loss columns (train/loss, val/loss)"),
    ("t,loss\n0.5,1\n0.5,1.1\n", {}, "masked = 32 again (also line 2): per-batch samples?"),
    ("t,loss\n0.5,1\n", {"ratio_column": "ratio"}, "'ratio' is not a column of"),
    ("t,loss\n0.5,x\n", {}, "line 2: loss 'x' is not a number"),
    ("t,loss\n1.5,1\n", {}, "line 2: t 3/2 is out of range"),
    ("t,loss\n0.5,1\n0.6,1\n0.95,2\n", {"bins": 2}, "bin (0, 1/2] holds one sample (line 2)"),
    ('{"t": 0.5, "loss": 1}\n[1, 2]\n', {}, "line 2: not a JSON object"),
])
def test_bad_logs_are_one_line_errors_naming_what_was_found(tmp_path, text, options, message):
    path = tmp_path / ("log.jsonl" if text.startswith("{") else "log.csv")
    path.write_text(text)
    with pytest.raises(BoundcalcError) as info:
        load_curve_file(path, L, **options)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_cli_reads_a_wandb_export_and_refuses_reading_options_without_a_curve(run, tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("Step,mask_ratio,train/loss\n" + "".join(f"{i},{r!r},{_loss(round(r * L))!r}\n"
                                                             for i, r in enumerate(RATIOS)))
    result = run("verify", "--loss-curve", path, "--length", L, "--schedule", "uniform:8", "--json")
    assert result.exit_code == 0, result.output
    import boundcalc as bc

    ks = [round(r * L) for r in RATIOS]
    direct = bc.estimate_error(bc.LossCurve(length=L, masked=ks, loss=[_loss(k) for k in ks]), "uniform:8")
    assert result.json["truth"]["value"] == direct.measured().to_json()["value"]
    result = run("steps", "--mi-total", "3", "--length", "4", "--target", "1", "--loss-column", "x")
    assert result.exit_code == 2 and "--loss-column: it is used only with --loss-curve" in result.stderr
    result = run("steps", "--loss-curve", path, "--target", "1")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "--length" in result.stderr
