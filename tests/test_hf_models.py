"""profile --hf-model as people load models: remote code, device, dtype, max positions (tiny models, no download)."""

from __future__ import annotations

import importlib.util
import math
import os

import pytest

HF = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("transformers") is not None
# in CI (BOUNDCALC_REQUIRE_HF=1, .ci/run installs the extra) a missing extra fails instead of skipping
pytestmark = pytest.mark.skipif(not HF and os.environ.get("BOUNDCALC_REQUIRE_HF") != "1",
                                reason="torch and transformers are not installed (extra [hf])")


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    from hf_fixtures import constant_windows_text, remote_code_model

    folder = tmp_path_factory.mktemp("hf")
    model = remote_code_model(folder / "seen")
    text = folder / "constant.txt"
    text.write_text(constant_windows_text(40, 8))
    return model, text


def test_remote_code_model_is_refused_without_trust_in_one_line(run, seen, tmp_path):
    model, text = seen
    result = run("profile", "--hf-model", model, "--text", text, "--length", "8", "--ratios", "0.5,1",
                 "--loss-curve", tmp_path / "c.csv")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "--trust-remote-code" in result.stderr and "not trusted" in result.stderr
    assert not (tmp_path / "c.csv").exists()


def test_remote_code_model_with_trust_gives_its_closed_form_curve(run, seen, tmp_path):
    from hf_fixtures import closed_form_loss

    from boundcalc.curve import load_loss_curve

    model, text = seen
    out = tmp_path / "c.csv"
    result = run("profile", "--hf-model", model, "--trust-remote-code", "--text", text, "--length", "8",
                 "--ratios", "1/8,3/8,1/2,3/4,1", "--samples", "12", "--batch-size", "5", "--device", "auto",
                 "--loss-curve", out)
    assert result.exit_code == 0, result.output
    curve = load_loss_curve(out)
    assert curve.masked.tolist() == [1, 3, 4, 6, 8]
    for k, y, se in zip(curve.masked.tolist(), curve.loss, curve.stderr):
        # every (window, mask) pair gives the same loss: the estimate is the closed form (float32 model)
        assert y == pytest.approx(closed_form_loss(k, 8), rel=2e-6), k
        assert se == 0


def test_window_longer_than_the_models_positions_is_refused_before_work(run, seen, tmp_path):
    model, text = seen
    result = run("profile", "--hf-model", model, "--trust-remote-code", "--text", text, "--length", "17",
                 "--ratios", "0.5", "--loss-curve", tmp_path / "c.csv")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "--length: L = 17 exceeds the model's 16 positions" in result.stderr


def test_tiny_bert_in_bfloat16_and_the_device_checks(run, tmp_path):
    import numpy as np
    import torch
    from hf_fixtures import tiny_bert

    folder = tiny_bert(tmp_path / "bert")
    text = tmp_path / "t.txt"
    text.write_text(" ".join(np.random.default_rng(1).choice(["a", "b", "c"], 200)))
    out16, out32 = tmp_path / "bf16.csv", tmp_path / "f32.csv"
    for dtype, out in (("bfloat16", out16), ("float32", out32)):
        result = run("profile", "--hf-model", folder, "--dtype", dtype, "--text", text, "--length", "8",
                     "--ratios", "0.5,1", "--samples", "16", "--loss-curve", out)
        assert result.exit_code == 0, result.output
    from boundcalc.curve import load_loss_curve

    a, b = load_loss_curve(out16), load_loss_curve(out32)
    # same draws; bfloat16 weights move each loss by a little (8 bits of mantissa), not by a lot
    assert np.allclose(a.loss, b.loss, atol=0.05) and a.loss.tolist() != b.loss.tolist()
    if not torch.cuda.is_available():
        result = run("profile", "--hf-model", folder, "--device", "cuda", "--text", text, "--length", "8",
                     "--ratios", "0.5", "--loss-curve", tmp_path / "x.csv")
        assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "--device" in result.stderr


@pytest.mark.parametrize("flag", [["--trust-remote-code"], ["--dtype", "float16"], ["--device", "auto"], ["--shift-logits"]])
def test_model_flags_without_a_model_are_refused(run, flag, tmp_path):
    result = run("profile", "--markov", "bsc", "--length", "4", *flag, "--loss-curve", tmp_path / "c.csv")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and flag[0] in result.stderr


def test_shifted_logits_read_token_i_at_position_i_minus_1():
    import numpy as np
    import torch

    from boundcalc.predictor import from_torch

    class Plain(torch.nn.Module):
        def forward(self, input_ids):
            return torch.nn.functional.one_hot(input_ids.roll(1, dims=1), 4).double() * 3

    class Shifted(Plain):  # an AR-adapted model's outputs: position i holds token i + 1's logits
        def forward(self, input_ids):
            out = super().forward(input_ids)
            return torch.cat([out[:, 1:], out[:, :1]], dim=1)

    seqs = np.random.default_rng(0).integers(0, 3, size=(6, 5))
    masked = np.zeros((6, 5), dtype=bool)
    masked[:, 1:] = True  # token 0 visible, as Dream's generate requires
    a = from_torch(Plain(), mask_id=3)(seqs, masked)
    b = from_torch(Shifted(), mask_id=3, shift_logits=True)(seqs, masked)
    assert np.allclose(a[masked], b[masked], rtol=0, atol=1e-12)
    assert not np.allclose(a[masked], from_torch(Shifted(), mask_id=3)(seqs, masked)[masked])
