"""The hostile cases of issue 21 that are not about files: each one line (or an answer), never a traceback or a hang.

Each case states the exit code and a phrase of the message it must give, so a
case cannot pass by accident (tests/hostile/test_hostile.py only checks "one line").
Costs that grow with L, T, the level index or the number of samples are
refused before work: every case here answers within seconds.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boundcalc.exact import decimal_digits, format_decimal

CHAIN = '{"states": ["a", "b"], "transition": [["1/2", "1/2"], ["1/3", "2/3"]]}'


def test_decimal_digits_never_converts_to_text():
    for n in (0, 9, 10, 10**17, 10**18 - 1, 10**18, 10**18 + 1, 2**200, 10**3999 - 1, 10**3999):
        assert decimal_digits(n) == len(str(n)) and decimal_digits(-n) == len(str(n))
    for k in (4300, 4301, 9000, 12345):  # beyond Python's 4300-digit str() limit: 10^k has k + 1 digits
        assert decimal_digits(10**k) == k + 1 and decimal_digits(10**k - 1) == k
    assert format_decimal(10**9000, 3) == "1e9000"


@pytest.mark.parametrize("args, code, message", [
    (["sweep", "--mi-total", "1", "-L", "16", "--steps", ""], 2, "--steps: the grid of T is empty"),
    (["sweep", "--mi-total", "1", "-L", "16", "--steps", ","], 2, "--steps"),
    (["plot", "--mi-total", "1", "-L", "16", "--steps", "", "-o", "x.png"], 2, "--steps"),
    (["bound", "--confidence", "0.1", "--reveal", "1e400", "--vocab-size", "2"], 2, "beyond the float64 range"),
    (["steps", "--mi-profile", "{h}", "--target", "1"], 2, "exponent beyond +-4000"),
    (["steps", "--loss-curve", "{big}", "--target", "1"], 2, "beyond 1e+06 nats"),
    (["steps", "--loss-curve", "{big2}", "--target", "1"], 2, "beyond 1e+06 nats"),
])
def test_refused_in_one_line(run, tmp_path, monkeypatch, args, code, message):
    monkeypatch.chdir(tmp_path)
    files = {"h": "1e5000\n", "big": "masked,loss_nats\n1,0.3\n2,1e400\n4,0.5\n",
             "big2": "masked,loss_nats\n1,0.3\n2,0.4\n4,2e308\n"}
    for name, content in files.items():
        (tmp_path / f"{name}.txt").write_text(content)
    result = run(*[a.format(**{k: f"{k}.txt" for k in files}) for a in args])
    assert result.exit_code == code, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


@pytest.mark.parametrize("family, bound", [("blocks:4:uniform:T", "block_sharp (B1)"), ("llada:64:8:T", "block_sharp (B1)")])
def test_sweep_of_a_blocks_family_without_a_model_draws_its_own_bound(run, family, bound):
    result = run("sweep", "--mi-total", "1", "-L", "64", "-f", family, "-f", "uniform")
    assert result.exit_code == 0, result.output
    assert f"{family}  {bound} vs T" in result.stdout and "uniform  theorem1 (8) vs T" in result.stdout


def test_huge_numbers_print_exactly(run):
    """5000-digit results (inputs of 4000 digits multiplied) are printed, not a ValueError of str()."""
    result = run("latex", "--expr", "steps-sharp", "--with-values", "--mi-total", "1e3999", "--length", "10",
                 "--target", "1e-3999")
    assert result.exit_code == 0, result.output
    result = run("steps", "--mi-total", "1e3999", "--length", "10", "--target", "1e-3999")
    assert result.exit_code == 0, result.output


def test_steps_of_blocks_at_a_huge_length_answers(run):
    result = run("steps", "--mi-total", "1", "--length", "1e18", "--target", "0.1", "--family", "blocks:4:uniform")
    assert result.exit_code == 0, result.output
    # by hand: B = L/4 = 2.5e17 per block; 14 steps per block give s = ceil(B/14) = 17857142857142858 <= 2^54, so
    # c(s)/B ΣI = (2^54 - 1)/2.5e17 = 0.0720576 <= 0.1; 13 give s > 2^54 and twice that: T = 4 * 14 = 56
    assert "│      0.1 │      56 │ 17857142857142858 │    0.0720576 │" in result.stdout


def test_estimates_refuse_their_cost_before_work(run, tmp_path):
    (tmp_path / "chain.json").write_text(CHAIN)
    chain = ["profile", "--markov", tmp_path / "chain.json", "--loss-curve", tmp_path / "out.csv"]
    cases = [
        ([*chain, "-L", "1000", "--ratios", "0.5", "--corpus-size", "1000000"], "--corpus-size: 1000000 sequences"),
        ([*chain, "-L", "1000", "--ratios", "0.5,1", "--samples", "100000", "--corpus-size", "10"],
         "--samples: 2 ratios x 100000 samples x L = 1000 tokens"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2 and result.stderr.startswith(f"Error: {message}"), result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_window_beyond_the_models_positions_is_refused(tmp_path, run):
    pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    vocab = {"[PAD]": 0, "[UNK]": 1, "[MASK]": 2, "a": 3, "b": 4}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", mask_token="[MASK]")
    config = BertConfig(vocab_size=5, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=8, max_position_embeddings=8)
    BertForMaskedLM(config).save_pretrained(tmp_path / "mlm")
    tokenizer.save_pretrained(tmp_path / "mlm")
    (tmp_path / "corpus.txt").write_text("a b " * 40)
    result = run("profile", "--hf-model", tmp_path / "mlm", "--text", tmp_path / "corpus.txt", "--length", "16",
                 "--ratios", "0.5", "--loss-curve", tmp_path / "curve.csv")
    # (transformers draws its own loading progress bars on stderr first: the HF loader's business)
    assert result.exit_code == 2 and result.stderr.strip().splitlines()[-1] == (
        "Error: --length: L = 16 exceeds the model's 8 positions (L <= 8)")


def test_huge_level_indices_and_chains_are_refused_at_once(run, tmp_path):
    (tmp_path / "ms.csv").write_text("token,level,value\n1,0,0.1\n1,1000000000000,0.2\n")
    result = run("bound", "--mi-total", "1", "--length", "1", "--schedule", "1", "--ms-profile", tmp_path / "ms.csv")
    assert result.exit_code == 2 and "level(s) [1..999999999999] are missing" in result.stderr
    result = run("recursion", "--smax", "1e3999")
    assert result.exit_code == 2 and "would list 13286 values of up to 4000 digits" in result.stderr
    result = run("latex", "--expr", "recursion", "--with-values", "--mi-total", "1", "--length", "1e3999",
                 "--schedule", "uniform:2")
    assert result.exit_code == 2 and "a sum of 13284 terms" in result.stderr  # ceil(log2(L/2)) levels


@pytest.mark.parametrize("spec, message", [
    ("cosine:1e9", "computed one by one"), ("blocks:1e9:uniform:1e9", "1000000000 blocks are too many"),
    ("blocks:1e5:cosine:1e9", "100000 blocks of 10000 different step sizes"), ("blocks:1e6:uniform:1e9", "1000000 blocks")
])
def test_schedules_too_long_to_list_are_refused_before_work(run, spec, message):
    result = run("bound", "--mi-total", "1", "--length", "1e18", "--schedule", spec)
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_blocks_with_many_steps_are_bounded_run_by_run(run):
    """10^4 blocks of 10^5 uniform steps each: the blockwise bound from the runs, not 10^9 steps one by one."""
    result = run("bound", "--mi-total", "1", "--length", "1e18", "--schedule", "blocks:1e4:uniform:1e9", "--json")
    assert result.exit_code == 0, result.output


@given(st.text(max_size=400), st.one_of(st.none(), st.text(max_size=200)), st.one_of(st.none(), st.text(max_size=400)))
def test_an_error_line_never_exceeds_the_longest_message(message, param, allowed):
    """Whatever the lengths of the value, the flag (a long file path) and what is allowed, one line of at most
    MAX_MESSAGE characters (a path of 60 characters and a long 'allowed' once made 328)."""
    from boundcalc.errors import MAX_MESSAGE, UsageError

    text = str(UsageError(message, param=param, allowed=allowed))
    assert len(text) <= MAX_MESSAGE and "\n" not in text
