"""Tiny Hugging Face models and tokenizers built in a folder (no download), for the model tests.

``remote_code_model(folder)`` saves a model that needs ``trust_remote_code`` (config with ``auto_map``,
its own modeling file), loaded with ``AutoModel`` as LLaDA and Dream are. On windows that repeat one
symbol, its loss per masked token with k of L masked is, in closed form,

    -ln(q + (1 - q)/3),  q = (L - k)/L

(it puts mass q on the symbol it sees and spreads the rest over the three symbols).
"""

from __future__ import annotations

import math
from pathlib import Path

SYMBOLS = ("a", "b", "c")
VOCAB = {"[PAD]": 0, "[UNK]": 1, "[MASK]": 2, "a": 3, "b": 4, "c": 5}

CONFIG_CODE = '''
from transformers import PretrainedConfig


class SeenConfig(PretrainedConfig):
    model_type = "seen-symbol"

    def __init__(self, vocab_size=6, mask_token_id=2, symbols=(3, 4, 5), max_position_embeddings=16, **kwargs):
        self.vocab_size = vocab_size
        self.mask_token_id = mask_token_id
        self.symbols = list(symbols)
        self.max_position_embeddings = max_position_embeddings
        super().__init__(**kwargs)
'''

MODEL_CODE = '''
import torch
from transformers import PreTrainedModel
from transformers.modeling_outputs import MaskedLMOutput

from .configuration_seen import SeenConfig


class SeenModel(PreTrainedModel):
    """Mass q = (visible fraction) on the most frequent visible symbol, the rest spread over the symbols."""

    config_class = SeenConfig
    base_model_prefix = "seen"

    def __init__(self, config):
        super().__init__(config)
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.post_init()

    def _init_weights(self, module):
        pass

    def forward(self, input_ids, attention_mask=None, **kwargs):
        visible = input_ids != self.config.mask_token_id
        q = visible.float().mean(dim=1, keepdim=True)
        counts = torch.nn.functional.one_hot(torch.where(visible, input_ids, 0), self.config.vocab_size).float()
        counts = (counts * visible[..., None]).sum(dim=1)
        counts[:, [i for i in range(self.config.vocab_size) if i not in self.config.symbols]] = -1
        seen = counts.argmax(dim=-1)
        probs = torch.zeros(input_ids.shape[0], self.config.vocab_size)
        probs[:, self.config.symbols] = (1 - q) / len(self.config.symbols)
        probs[torch.arange(input_ids.shape[0]), seen] += q[:, 0]
        logits = torch.log(probs.clamp_min(1e-30)) * self.scale
        return MaskedLMOutput(logits=logits[:, None, :].expand(-1, input_ids.shape[1], -1))
'''


def closed_form_loss(k: int, length: int) -> float:
    q = (length - k) / length
    return -math.log(q + (1 - q) / len(SYMBOLS))


def tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(VOCAB, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", mask_token="[MASK]")


def remote_code_model(folder: Path, broken: bool = False) -> Path:
    """Save the remote-code model and its tokenizer in ``folder`` (config.json names the code in auto_map).

    ``broken``: its __init__ raises KeyError('default'), as Dream's modeling code written for transformers 4.4x
    does under transformers 5 (ROPE_INIT_FUNCTIONS has no 'default').
    """
    import importlib
    import json

    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration_seen.py").write_text(CONFIG_CODE)
    code = MODEL_CODE.replace("self.post_init()", "raise KeyError('default')") if broken else MODEL_CODE
    (folder / "modeling_seen.py").write_text(code)
    config = {"model_type": "seen-symbol", "architectures": ["SeenModel"], "vocab_size": 6, "mask_token_id": 2,
              "symbols": [3, 4, 5], "max_position_embeddings": 16,
              "auto_map": {"AutoConfig": "configuration_seen.SeenConfig", "AutoModel": "modeling_seen.SeenModel"}}
    (folder / "config.json").write_text(json.dumps(config))
    save_file({"scale": torch.ones(())}, str(folder / "model.safetensors"), metadata={"format": "pt"})
    tokenizer().save_pretrained(folder)
    importlib.invalidate_caches()
    return folder


def constant_windows_text(count: int, length: int, seed: int = 0) -> str:
    """``count`` windows of ``length`` words, each repeating one symbol drawn at random."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return " ".join(" ".join([SYMBOLS[int(s)]] * length) for s in rng.integers(0, len(SYMBOLS), count))


def tiny_bert(folder: Path, max_positions: int = 32) -> Path:
    """A randomly initialised 1-layer BERT masked LM (seeded) and its tokenizer, saved in ``folder``."""
    import torch
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=max_positions)
    BertForMaskedLM(config).save_pretrained(folder)
    tokenizer().save_pretrained(folder)
    return folder


