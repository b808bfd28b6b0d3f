"""profile --hf-model as people load models: remote code, device, dtype, max positions (tiny models, no download)."""

from __future__ import annotations

import importlib.util
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


def test_two_processes_write_one_curve_identical_to_one_process(tmp_path):
    """torchrun (as `accelerate launch` does) with 2 CPU processes over gloo: the shards' union is the single run.

    The predictor here is a chain's exact one (the same code path as --hf-model, without loading a model twice).
    """
    import subprocess
    import sys
    from pathlib import Path

    chain = tmp_path / "chain.json"
    chain.write_text('{"states": ["0", "1"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}')
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1", "COLUMNS": "200"}
    env.pop("WORLD_SIZE", None)
    args = ["profile", "--markov", str(chain), "--length", "8", "--ratios", "1/8,1/2,7/8,1",
            "--samples", "10", "--batch-size", "3", "--seed", "5", "--corpus-size", "50"]
    one = subprocess.run([sys.executable, "-m", "boundcalc", *args, "--loss-curve", str(tmp_path / "one.csv")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert one.returncode == 0, one.stderr
    two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                          "-m", "boundcalc", *args, "--loss-curve", str(tmp_path / "two.csv")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert two.returncode == 0, two.stderr[-2000:]
    assert (tmp_path / "two.csv").read_text() == (tmp_path / "one.csv").read_text()
    assert two.stdout.count("written to") == 1 and "2 processes" in two.stdout


def _threaded_shards(world, run_rank):
    """Run ``run_rank(rank, gather)`` for every rank in threads, with an all-gather over a barrier."""
    import threading

    slots: list = [None] * world
    barrier = threading.Barrier(world, timeout=60)
    results: list = [None] * world

    def gather_for(rank):
        def gather(payload):
            slots[rank] = payload
            barrier.wait()
            out = list(slots)
            barrier.wait()
            return out
        return gather

    def body(rank):
        try:
            results[rank] = run_rank(rank, gather_for(rank))
        except Exception as error:  # noqa: BLE001 - compared by the test
            results[rank] = error

    threads = [threading.Thread(target=body, args=(r,)) for r in range(world)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_sharded_torch_predictor_equals_one_process_and_errors_reach_every_rank():
    import numpy as np

    import boundcalc as bc
    from boundcalc.errors import BoundcalcError
    from boundcalc.predictor import estimate_loss_curve, from_torch
    from test_torch_model import _tiny_lm

    corpus = np.random.default_rng(3).integers(0, 10, size=(40, 9))
    predictor = from_torch(_tiny_lm(), mask_id=10)
    loose = dict(samples=11, batch_size=2, seed=7)

    def estimate(rank, gather, world=3, pred=predictor):
        # the raw per-pair losses, before any curve check: an untrained model's curve need not be monotone
        from boundcalc.predictor import _run_batches

        local: dict = {}
        _run_batches(pred, corpus, [2, 5, 9], loose["samples"], loose["batch_size"], loose["seed"], (rank, world),
                     local, None)
        merged: dict = {}
        for report in gather(local):
            merged.update(report)
        return merged

    single: dict = {}
    from boundcalc.predictor import _run_batches

    _run_batches(predictor, corpus, [2, 5, 9], 11, 2, 7, (0, 1), single, None)
    for merged in _threaded_shards(3, estimate):
        assert sorted(merged) == sorted(single)
        assert all(np.array_equal(merged[key], single[key]) for key in single)

    chain = bc.MarkovChain(["0", "1"], [["0.9", "0.1"], ["0.1", "0.9"]])
    seqs = bc.sample_sequences(chain, 60, 8, seed=0)
    exact = bc.exact_predictor(chain, 8)
    alone = estimate_loss_curve(exact, seqs, ["1/8", "1/2", "1"], samples=9, batch_size=2, seed=1)
    curves = _threaded_shards(2, lambda rank, gather: estimate_loss_curve(
        exact, seqs, ["1/8", "1/2", "1"], samples=9, batch_size=2, seed=1, shard=(rank, 2), gather=gather))
    for curve in curves:
        assert curve.loss.tolist() == alone.loss.tolist() and curve.stderr.tolist() == alone.stderr.tolist()

    def broken_on_rank_1(rank, gather):
        pred = exact if rank == 0 else (lambda t, m: np.ones(t.shape))
        return estimate_loss_curve(pred, seqs, ["1/2"], samples=8, batch_size=2, seed=1, shard=(rank, 2), gather=gather)

    errors = _threaded_shards(2, broken_on_rank_1)
    assert all(isinstance(e, BoundcalcError) for e in errors), errors
    assert "another process failed" in str(errors[0]) and "not finite or is > 0" in str(errors[0])


def test_text_beyond_the_limit_is_refused_before_it_is_read_never_cut(run, seen, tmp_path, monkeypatch):
    """The corpus is never cut silently: a text over --max-text-bytes is refused (before loading or tokenizing),
    and within it every whole window is used."""
    import numpy as np

    from hf_fixtures import tokenizer

    from boundcalc.errors import UsageError
    from boundcalc.hf import hf_corpus

    model, text = seen
    size = text.stat().st_size
    out = tmp_path / "c.csv"
    result = run("profile", "--hf-model", model, "--trust-remote-code", "--text", text, "--length", "8",
                 "--ratios", "1", "--max-text-bytes", str(size - 1), "--loss-curve", out)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert f"--max-text-bytes: the text is {size} bytes, more than the {size - 1}" in result.stderr
    assert not out.exists()
    # the check runs on the file's size, before the tokenizer: a tokenizer that fails when called proves it
    monkeypatch.setattr("transformers.AutoTokenizer.from_pretrained", lambda *a, **k: 1 / 0)
    result = run("profile", "--hf-model", model, "--trust-remote-code", "--text", text, "--length", "8",
                 "--ratios", "1", "--max-text-bytes", "100", "--loss-curve", out)
    assert result.exit_code == 2 and "--max-text-bytes" in result.stderr
    # in the library: all 40 windows (no cap), and the limit in characters/bytes of the str itself
    windows = hf_corpus(tokenizer(), text.read_text(), 8)
    assert windows.shape == (40, 8)
    assert np.array_equal(hf_corpus(tokenizer(), "a " * 17, 8), np.full((2, 8), 3))  # 17 tokens: 2 windows, 1 left
    with pytest.raises(UsageError, match="the text is 6 bytes, more than the 5"):
        hf_corpus(tokenizer(), "é a b", 2, max_bytes=5)  # 5 characters, 6 UTF-8 bytes
    chain = tmp_path / "chain.json"
    chain.write_text('{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}')
    result = run("profile", "--markov", chain, "--length", "4", "--max-text-bytes", "9", "--ratios", "1",
                 "--loss-curve", out)
    assert result.exit_code == 2 and "--max-text-bytes: it is used only with --hf-model" in result.stderr


@pytest.mark.skipif(importlib.util.find_spec("accelerate") is None and os.environ.get("BOUNDCALC_REQUIRE_HF") != "1",
                    reason="accelerate is not installed (extra [hf])")
def test_accelerate_launch_with_two_cpu_processes_writes_the_single_process_curve(tmp_path):
    """`accelerate launch --multi_gpu --num_processes 2` on a machine without GPUs: accelerate's multi-GPU launcher
    (torchrun underneath, accelerate/commands/launch.py multi_gpu_launcher) starts 2 CPU processes; boundcalc
    gathers over gloo, so a tiny BERT's curve is byte-identical to one process's. (`--cpu` would take accelerate's
    simple_launcher, which needs mpirun for more than one CPU process.)"""
    import socket
    import subprocess
    import sys
    from pathlib import Path

    from hf_fixtures import tiny_bert

    folder = tiny_bert(tmp_path / "bert")
    text = tmp_path / "t.txt"
    text.write_text(" ".join(np_choice(240)))
    root = Path(__file__).resolve().parents[2]
    # HF_HOME: no accelerate config of the machine's user is read; one thread per process
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1", "COLUMNS": "200",
           "HF_HOME": str(tmp_path / "hf-home")}
    env.pop("WORLD_SIZE", None)
    args = ["profile", "--hf-model", str(folder), "--text", str(text), "--length", "8", "--ratios", "1/8,1/2,1",
            "--samples", "10", "--batch-size", "3", "--seed", "3"]
    one = subprocess.run([sys.executable, "-m", "boundcalc", *args, "--loss-curve", str(tmp_path / "one.csv")],
                         env=env, capture_output=True, text=True, timeout=300)
    assert one.returncode == 0, one.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               "--main_process_port", str(port), "-m", "boundcalc", *args, "--loss-curve", str(tmp_path / "two.csv")]
    two = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if two.returncode != 0 and "Signal" in two.stderr and "exitcode  : -" in two.stderr:
        # a worker killed by a signal (once: a rank aborted by gloo under a loaded machine): one more launch on
        # another port; a failure of boundcalc itself exits 1 or 2, not by a signal, and is not retried
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            command[command.index("--main_process_port") + 1] = str(s.getsockname()[1])
        two = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert two.returncode == 0, two.stderr[-4000:]
    assert (tmp_path / "two.csv").read_text() == (tmp_path / "one.csv").read_text()
    assert two.stdout.count("written to") == 1 and "2 processes" in two.stdout
    stderrs = [float(line.split(",")[2]) for line in (tmp_path / "one.csv").read_text().splitlines()[1:]]
    assert len(stderrs) == 3 and min(stderrs) > 0  # the pairs' losses differ: a wrong union of the shards would show


def np_choice(count: int) -> list[str]:
    import numpy as np

    return list(np.random.default_rng(1).choice(["a", "b", "c"], count))


def test_a_models_own_code_failing_is_one_line_naming_the_transformers_version(run, tmp_path):
    """Found running Dream's public modeling code (Fast-dLLM's copy, Apache-2.0, not shipped) on a tiny config:
    under transformers 5 its __init__ raises KeyError 'default'; that was a traceback."""
    import transformers
    from hf_fixtures import constant_windows_text, remote_code_model

    model = remote_code_model(tmp_path / "broken", broken=True)
    text = tmp_path / "t.txt"
    text.write_text(constant_windows_text(4, 8))
    result = run("profile", "--hf-model", model, "--trust-remote-code", "--text", text, "--length", "8",
                 "--ratios", "1", "--loss-curve", tmp_path / "c.csv")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert (f"--hf-model: cannot load '{model}': its code failed under transformers {transformers.__version__}: "
            "KeyError: 'default'") in result.stderr
