"""boundcalc.predictor.from_torch: any torch module returning logits, against independent computations."""

from __future__ import annotations

import importlib.util
import math
import os

import numpy as np
import pytest

from boundcalc.errors import UsageError

# in CI (BOUNDCALC_REQUIRE_HF=1, .ci/run installs the extra) a missing torch fails instead of skipping
pytestmark = pytest.mark.skipif(importlib.util.find_spec("torch") is None and os.environ.get("BOUNDCALC_REQUIRE_HF") != "1",
                                reason="torch is not installed (extra [hf])")

LN9 = math.log(9)


def _neighbours():
    """Logit of symbol a = ln 9 x (visible neighbours equal to a); token 2 is the mask.

    For the symmetric binary chain flipping with probability 0.1, with both neighbours visible this is
    the exact conditional (81 : 1 or 1 : 1); with one (an end of the window), 9 : 1 -- also exact.
    """
    import torch

    class Neighbours(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.dropout = torch.nn.Dropout(0.5)  # must be off: from_torch sets evaluation mode
            self.calls: list[tuple[int, ...]] = []

        def forward(self, input_ids):
            self.calls.append(tuple(input_ids.shape))
            votes = torch.nn.functional.one_hot(input_ids, 3)[..., :2].double()
            near = torch.nn.functional.pad(votes, (0, 0, 1, 1))
            score = self.dropout((near[:, :-2] + near[:, 2:]) * LN9)
            return torch.cat([score, torch.full_like(score[..., :1], -1e9)], -1)

    return Neighbours()


def _tiny_lm(vocab=11, width=6, seed=0):
    import torch

    class TinyLM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(vocab, width)
            self.out = torch.nn.Linear(width, vocab)

        def forward(self, input_ids):
            return self.out(torch.tanh(self.embed(input_ids).cumsum(1)))

    torch.manual_seed(seed)
    return TinyLM()


def test_one_masked_token_is_the_chains_exact_conditional():
    from boundcalc.predictor import from_torch
    from boundcalc.truth import MarkovChain
    from boundcalc.truth.predict import exact_predictor, sample_sequences

    chain = MarkovChain(["0", "1"], [["0.9", "0.1"], ["0.1", "0.9"]])
    L = 7
    seqs = sample_sequences(chain, 40, L, seed=3)
    masked = np.zeros((40, L), dtype=bool)
    masked[np.arange(40), np.arange(40) % L] = True
    model = _neighbours()
    model.train()
    ours = from_torch(model, mask_id=2)(seqs, masked)
    truth = exact_predictor(chain, L)(seqs, masked)
    assert np.allclose(ours[masked], truth[masked], rtol=1e-12, atol=1e-12)
    assert np.all(ours[~masked] == 0)
    assert not model.training


def test_log_probs_equal_a_full_float64_log_softmax_and_chunks_do_not_matter(monkeypatch):
    import torch

    import boundcalc.torch_model as tm
    from boundcalc.predictor import from_torch

    model = _tiny_lm()
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 10, size=(5, 9))
    masked = rng.random((5, 9)) < 0.6
    with torch.no_grad():
        ids = torch.as_tensor(np.where(masked, 10, tokens))
        full = torch.log_softmax(model(ids).double(), -1).gather(-1, torch.as_tensor(tokens)[..., None])[..., 0]
    expected = full.numpy()[masked]
    whole = from_torch(model, mask_id=10)(tokens, masked)
    assert np.allclose(whole[masked], expected, rtol=1e-12, atol=1e-12)

    seen: list[tuple[int, ...]] = []
    original = torch.logsumexp

    def spy(x, dim):
        seen.append(tuple(x.shape))
        return original(x, dim=dim)

    monkeypatch.setattr(tm, "CHUNK_ELEMENTS", 11 * 3)  # three positions of V = 11 at a time
    monkeypatch.setattr(torch, "logsumexp", spy)
    chunked = from_torch(model, mask_id=10, batch_size=2)(tokens, masked)
    assert np.allclose(chunked[masked], expected, rtol=1e-12, atol=1e-12)
    assert seen and max(rows for rows, _ in seen) <= 3 and all(v == 11 for _, v in seen)
    assert sum(rows for rows, _ in seen) == masked.sum()


def test_batch_size_splits_the_forward_and_outputs_with_logits_are_read():
    import torch

    from boundcalc.predictor import from_torch

    model = _neighbours()
    seqs = np.random.default_rng(1).integers(0, 2, size=(7, 5))
    masked = np.ones((7, 5), dtype=bool)
    lp = from_torch(model, mask_id=2, batch_size=3)(seqs, masked)
    assert model.calls == [(3, 5), (3, 5), (1, 5)]
    assert np.allclose(lp, math.log(0.5))  # nothing visible: no votes, a coin

    class WithLogits(torch.nn.Module):
        def forward(self, input_ids):
            class Out:
                logits = torch.zeros(*input_ids.shape, 4)
            return Out()

    lp = from_torch(WithLogits(), mask_id=3)(seqs, masked)
    assert np.allclose(lp, -math.log(4))


@pytest.mark.parametrize("case, match", [
    ("tuple", "returned tuple"),
    ("shape", "logits of shape"),
    ("mask", "mask id 7 is outside"),
    ("token", "token id 5 is outside"),
])
def test_bad_models_and_ids_are_one_line_usage_errors(case, match):
    import torch

    from boundcalc.predictor import from_torch

    class Model(torch.nn.Module):
        def forward(self, input_ids):
            logits = torch.zeros(*input_ids.shape, 5)
            return (logits,) if case == "tuple" else logits[:, :-1] if case == "shape" else logits

    seqs = np.array([[0, 1, 5 if case == "token" else 2]])
    with pytest.raises(UsageError, match=match) as info:
        from_torch(Model(), mask_id=7 if case == "mask" else 4)(seqs, np.ones((1, 3), dtype=bool))
    assert "\n" not in str(info.value)
    with pytest.raises(UsageError, match="mask id"):
        from_torch(Model(), mask_id=-1)
    with pytest.raises(UsageError, match="device"):
        from_torch(Model(), mask_id=1, device="nowhere")


def test_estimated_curve_of_a_torch_module_lies_above_the_datas_and_is_exact_at_the_ends():
    import boundcalc as bc

    chain = bc.MarkovChain(["0", "1"], [["0.9", "0.1"], ["0.1", "0.9"]])
    corpus = bc.sample_sequences(chain, 400, 12, seed=0)
    curve = bc.estimate_loss_curve(bc.from_torch(_neighbours(), mask_id=2, batch_size=50), corpus,
                                   ["1/12", "1/2", "1"], samples=300, seed=2)
    d = chain.entropy_profile(12).conditional
    # k = 1: the model is the exact conditional, so its loss estimates d(L - 1) within the stderr
    assert abs(curve.loss[0] - d[11]) < 4 * curve.stderr[0]
    # all masked: a coin, exactly
    assert curve.loss[-1] == pytest.approx(math.log(2), abs=1e-12) and curve.stderr[-1] == 0
    # half masked: it ignores visible tokens two or more away, so it is worse than the data's entropy
    assert curve.loss[1] > d[6] + 2 * curve.stderr[1]
