"""LLaDA-, Dream- and MDLM-style remote-code models (tests/diffusion_fixtures.py) loaded as people load them.

Each folder is saved with its config's auto_map and modeling file, loaded by ``profile --hf-model DIR
--trust-remote-code`` (and by the Python adapter), and its loss curve is the closed form
-ln(q + (1 - q)/3), q = (L - k)/L, for every window and mask: the estimate equals it, with stderr 0.
A misread interface moves it (checked on the same models).
"""

from __future__ import annotations

import importlib.util
import os

import pytest

HF = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("transformers") is not None
pytestmark = pytest.mark.skipif(not HF and os.environ.get("BOUNDCALC_REQUIRE_HF") != "1",
                                reason="torch and transformers are not installed (extra [hf])")

L = 8
RATIOS = "1/8,3/8,1/2,3/4,7/8,1"
FLAGS = {"llada": [], "dream": ["--shift-logits"], "mdlm": ["--mask-id", "5"]}


@pytest.fixture(scope="module")
def families(tmp_path_factory):
    from diffusion_fixtures import family_model, family_tokenizer, phase_windows_text

    root = tmp_path_factory.mktemp("families")
    out = {}
    for family in ("llada", "dream", "mdlm"):
        text = root / f"{family}.txt"
        text.write_text(phase_windows_text(family, 30, L))
        out[family] = (family_model(root / family, family), text)
    family_tokenizer("mdlm").save_pretrained(root / "mdlm-tokenizer")  # MDLM's hub models use gpt2's tokenizer
    out["mdlm-tokenizer"] = root / "mdlm-tokenizer"
    return out


def _load(families, family):
    from boundcalc.hf import hf_corpus, load_hf

    folder, text = families[family]
    tokenizer = str(families["mdlm-tokenizer"]) if family == "mdlm" else None
    model, words = load_hf(str(folder), trust_remote_code=True, length=L, tokenizer=tokenizer)
    return model, words, hf_corpus(words, text.read_text(), L)


@pytest.mark.parametrize("family", ["llada", "dream", "mdlm"])
def test_profile_loads_the_family_and_measures_its_closed_form_curve(run, families, family, tmp_path):
    from hf_fixtures import closed_form_loss

    from boundcalc.curve import load_loss_curve

    folder, text = families[family]
    extra = ["--tokenizer", families["mdlm-tokenizer"]] if family == "mdlm" else []
    out = tmp_path / "curve.csv"
    result = run("profile", "--hf-model", folder, "--trust-remote-code", *FLAGS[family], *extra, "--text", text,
                 "--length", str(L), "--ratios", RATIOS, "--samples", "6", "--batch-size", "4", "--loss-curve", out)
    assert result.exit_code == 0, result.output
    curve = load_loss_curve(out)
    assert curve.masked.tolist() == [1, 3, 4, 6, 7, 8]
    for k, y, se in zip(curve.masked.tolist(), curve.loss, curve.stderr):
        assert y == pytest.approx(closed_form_loss(k, L), rel=2e-6), (family, k)  # float32 model
        assert se == 0
    header = {"llada": "mask id 126 (config)", "dream": "mask id 6 (tokenizer); token i read at position i - 1",
              "mdlm": "mask id 5 (--mask-id); MDLM interface: timesteps = σ = -ln(1 - k/L), mask token excluded"}
    assert header[family] in " ".join(result.stdout.split()), result.stdout


def _losses(predictor, corpus, masked):
    import numpy as np

    return np.unique(np.round(-predictor(corpus, masked)[masked], 5))  # a float32 model


def test_a_misread_interface_moves_the_loss(families):
    """Shifting LLaDA's aligned logits, not shifting Dream's, σ = 0 or the mask token in MDLM's softmax: each
    changes the loss of a mask whose closed form is known (3 of 8 masked: -ln(5/8 + 1/8) = ln(4/3))."""
    import math

    import numpy as np

    from boundcalc.predictor import from_torch

    right = round(math.log(4 / 3), 5)
    for family, mask_id, shift in (("llada", 126, False), ("dream", 6, True), ("mdlm", 5, False)):
        model, _, corpus = _load(families, family)
        masked = np.zeros(corpus.shape, dtype=bool)
        masked[:, [0, 3, 5]] = True  # token 0 included: Dream reads it at position 0
        assert _losses(from_torch(model, mask_id=mask_id, shift_logits=shift), corpus, masked).tolist() == [right]
        if family != "mdlm":
            wrong = _losses(from_torch(model, mask_id=mask_id, shift_logits=not shift), corpus, masked)
            # the misaligned positions get (1 - q)/3 = 1/8: loss ln 8
            assert round(math.log(8), 5) in wrong.tolist(), family
    model, _, corpus = _load(families, "mdlm")
    masked = np.zeros(corpus.shape, dtype=bool)
    masked[:, [0, 3, 5]] = True

    class NoSubs(torch_module()):  # the same raw logits, read without MDLM's interface
        def __init__(self, inner, sigma):
            super().__init__()
            self.inner, self.sigma = inner, sigma

        def forward(self, input_ids):
            import torch

            return self.inner(input_ids, timesteps=torch.full((input_ids.shape[0],), self.sigma))

    # right σ but the mask token left in the softmax: + ln 2 (its raw logit 0 = the symbols' total mass)
    sigma = -math.log(1 - 3 / L)
    assert _losses(from_torch(NoSubs(model, sigma), mask_id=5), corpus, masked).tolist() == [
        pytest.approx(math.log(4 / 3) + math.log(2), abs=2e-5)]
    # σ = 0 (what a caller passing zeros gives a time-conditioned model): full confidence, loss 0
    from boundcalc.torch_model import mdlm_sigma

    assert _losses(from_torch(NoSubs(model, 0.0), mask_id=5), corpus, masked).max() == pytest.approx(math.log(2), abs=2e-5)
    import torch

    assert mdlm_sigma(torch.tensor(masked), torch).tolist() == [pytest.approx(sigma)] * corpus.shape[0]
    full = mdlm_sigma(torch.ones(2, L, dtype=torch.bool), torch)
    assert full.tolist() == [pytest.approx(-math.log(1e-3))] * 2  # MDLM's eps caps σ at t = 1


def torch_module():
    import torch

    return torch.nn.Module


def test_mdlm_without_a_mask_id_or_its_tokenizer_is_one_line(run, families, tmp_path):
    folder, text = families["mdlm"]
    result = run("profile", "--hf-model", folder, "--trust-remote-code", "--tokenizer", families["mdlm-tokenizer"],
                 "--text", text, "--length", str(L), "--ratios", "1", "--loss-curve", tmp_path / "c.csv")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert "--mask-id: neither the tokenizer nor the model's config names a mask token" in result.stderr
    result = run("profile", "--hf-model", folder, "--trust-remote-code", "--mask-id", "5", "--text", text,
                 "--length", str(L), "--ratios", "1", "--loss-curve", tmp_path / "c.csv")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert "--hf-model: cannot load" in result.stderr
    result = run("profile", "--markov", "bsc", "--length", "4", "--tokenizer", "gpt2", "--loss-curve",
                 tmp_path / "c.csv")
    assert result.exit_code == 2 and "--tokenizer: it is used only with --hf-model" in result.stderr
