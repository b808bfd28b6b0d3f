"""Estimating a loss curve from a predictor: against the exact curve, and a real (tiny) Hugging Face model."""

from __future__ import annotations

import importlib.util
import itertools
import math
import os
import sys

import numpy as np
import pytest

from boundcalc.errors import UsageError
from boundcalc.predictor import estimate_loss_curve, mask_counts
from boundcalc.truth import JointDistribution, MarkovChain
from boundcalc.truth.predict import exact_predictor, sample_sequences

CHAIN = MarkovChain(["a", "b", "c"], [["0.7", "0.2", "0.1"], ["0.3", "0.3", "0.4"], ["0.05", "0.05", "0.9"]])


def _brute_conditional(joint: np.ndarray, i: int, seen: list[int], x: tuple) -> float:
    """p(x_i | x_seen) by summing a full joint array (independent of the predictor's formulas)."""
    axes = tuple(j for j in range(joint.ndim) if j not in seen and j != i)
    marg = joint.sum(axis=axes) if axes else joint
    kept = sorted(seen + [i])
    idx = tuple(x[j] for j in kept)
    num = marg[idx]
    den = marg.sum(axis=kept.index(i))[tuple(x[j] for j in sorted(seen))] if seen else 1.0
    return num / den


def test_markov_predictor_equals_brute_force_conditionals():
    L = 5
    joint = CHAIN.joint(L)
    f = exact_predictor(CHAIN, L)
    rng = np.random.default_rng(0)
    for _ in range(30):
        x = tuple(int(v) for v in rng.integers(0, 3, L))
        masked = rng.random(L) < 0.5
        masked[rng.integers(0, L)] = True
        lp = f(np.array([x]), masked[None, :])[0]
        seen = [j for j in range(L) if not masked[j]]
        for i in np.flatnonzero(masked):
            assert math.exp(lp[i]) == pytest.approx(_brute_conditional(joint, int(i), seen, x), rel=1e-9)


def test_joint_predictor_equals_brute_force_conditionals():
    rng = np.random.default_rng(1)
    codes = np.array(list(itertools.product(range(2), repeat=4)))
    probs = rng.dirichlet(np.ones(len(codes)))
    table = JointDistribution(codes, probs, [0, 1])
    full = np.zeros((2,) * 4)
    for c, p in zip(codes, probs):
        full[tuple(c)] = p
    f = exact_predictor(table)
    for x in codes[:6]:
        masked = np.array([True, False, True, False])
        lp = f(x[None, :], masked[None, :])[0]
        for i in (0, 2):
            assert math.exp(lp[i]) == pytest.approx(_brute_conditional(full, i, [1, 3], tuple(x)), rel=1e-9)


@pytest.mark.parametrize("model, length", [(CHAIN, 16), ("joint", None)])
def test_estimate_converges_to_the_exact_curve_within_its_stderr(model, length):
    if model == "joint":
        rng = np.random.default_rng(5)
        codes = np.array(list(itertools.product(range(2), repeat=5)))
        model = JointDistribution(codes, rng.dirichlet(np.full(len(codes), 0.3)), [0, 1])
    d = model.entropy_profile(length).conditional
    L = d.size
    seqs = sample_sequences(model, 3000, length, seed=1)
    curve = estimate_loss_curve(exact_predictor(model, length), seqs, ["0.2", "0.4", "0.6", "0.8", "1"],
                                samples=600, seed=2)
    z = [(y - d[L - k]) / max(se, 1e-12) for k, y, se in zip(curve.masked, curve.loss, curve.stderr)]
    assert max(abs(v) for v in z) < 4.5, z
    assert all(se > 0 for se in curve.stderr[:-1])


def test_estimator_is_seeded_and_validates():
    seqs = sample_sequences(CHAIN, 50, 8, seed=0)
    f = exact_predictor(CHAIN, 8)
    a = estimate_loss_curve(f, seqs, ["0.5"], samples=10, seed=3)
    b = estimate_loss_curve(f, seqs, ["0.5"], samples=10, seed=3)
    assert a.loss.tolist() == b.loss.tolist()
    assert mask_counts(["1/8", "1"], 8) == [1, 8]
    with pytest.raises(UsageError, match="masks no token"):
        mask_counts(["0.01"], 8)
    with pytest.raises(UsageError, match="again"):
        mask_counts(["0.5", "0.52"], 8)
    with pytest.raises(UsageError, match="not finite or is > 0"):
        estimate_loss_curve(lambda t, m: np.ones(t.shape), seqs, ["0.5"], samples=4)


HF = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("transformers") is not None
# in CI (BOUNDCALC_REQUIRE_HF=1, .ci/run installs the extra) a missing extra fails instead of skipping
HF_REQUIRED = os.environ.get("BOUNDCALC_REQUIRE_HF") == "1"


@pytest.mark.skipif(not HF and not HF_REQUIRED, reason="torch and transformers are not installed (extra [hf])")
def test_hugging_face_masked_lm_for_real(tmp_path, run):
    """A tiny randomly initialised BERT and a word-level tokenizer built here: no download."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    from boundcalc.hf import hf_corpus, hf_predictor, load_hf

    vocab = {"[PAD]": 0, "[UNK]": 1, "[MASK]": 2, "a": 3, "b": 4, "c": 5}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", mask_token="[MASK]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=6, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)
    BertForMaskedLM(config).save_pretrained(tmp_path / "mlm")
    tokenizer.save_pretrained(tmp_path / "mlm")
    text = " ".join(np.random.default_rng(0).choice(list("abc"), 240))
    (tmp_path / "corpus.txt").write_text(text)

    model, tk = load_hf(str(tmp_path / "mlm"))
    corpus = hf_corpus(tk, text, 8)
    assert corpus.shape == (30, 8) and set(np.unique(corpus)) <= {3, 4, 5}
    predict = hf_predictor(model, tokenizer=tk)
    masked = np.zeros((2, 8), dtype=bool)
    masked[:, 3] = True
    lp = predict(corpus[:2], masked)
    # independently: the model's softmax at position 3 with the mask token there
    ids = torch.tensor(np.where(masked, 2, corpus[:2]))
    with torch.no_grad():
        probs = torch.softmax(model(input_ids=ids).logits.double(), -1)
    for r in range(2):
        assert math.exp(lp[r, 3]) == pytest.approx(float(probs[r, 3, corpus[r, 3]]), rel=1e-6)

    out = tmp_path / "curve.csv"
    result = run("profile", "--hf-model", tmp_path / "mlm", "--text", tmp_path / "corpus.txt", "--length", "8",
                 "--ratios", "0.5,1", "--samples", "16", "--loss-curve", out, "--json")
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("masked,loss_nats,stderr_nats\n4,")
    # an untrained model over 6 ids is near ln 6 per masked token
    assert all(abs(float(p["loss"]) - math.log(6)) < 0.5 for p in result.json["points"])


def test_hf_command_without_the_extra_or_with_bad_flags_is_one_line(run, tmp_path, monkeypatch):
    (tmp_path / "t.txt").write_text("a b c")
    result = run("profile", "--hf-model", "x", "--ratios", "0.5", "--loss-curve", tmp_path / "o.csv")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "--text" in result.stderr
    monkeypatch.setitem(sys.modules, "torch", None)  # as if the extra were not installed
    result = run("profile", "--hf-model", tmp_path / "nope", "--text", tmp_path / "t.txt", "--length", "2",
                 "--ratios", "0.5", "--loss-curve", tmp_path / "o.csv")
    assert result.exit_code == 1 and "pip install 'boundcalc[hf]'" in result.stderr
    assert result.stderr.count("\n") == 1
