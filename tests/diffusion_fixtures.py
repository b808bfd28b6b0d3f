"""Tiny remote-code models with the loading interfaces of LLaDA, Dream and MDLM, built in a folder (no download).

Each is a folder as the Hub holds it -- config.json with ``auto_map``, the configuration and modeling files, the
weights (one scalar), a tokenizer -- and reproduces its family's **interface** (not its transformer):

* ``llada`` (ML-GSAI/LLaDA's hub code, modeling_llada.LLaDAModelLM): ``auto_map`` names AutoConfig, AutoModel and
  AutoModelForCausalLM (no masked-LM class, so boundcalc falls back to ``AutoModel``); ``forward(input_ids,
  attention_mask=None, ...)`` returns a ``CausalLMOutputWithPast`` whose ``.logits`` are aligned with the input;
  the mask id is in the config (``mask_token_id``, 126336 in LLaDA-8B; here 126 of a 130-token vocabulary) and the
  tokenizer names no mask token.
* ``dream`` (Dream-org/Dream's hub code, modeling_dream.DreamModel; Fast-dLLM's Apache-2.0 copy): ``auto_map``
  AutoConfig and AutoModel; ``forward(input_ids, attention_mask=None, position_ids=None, ...)`` returns a
  ``MaskedLMOutput`` whose position i holds the logits of token i + 1 (Dream keeps Qwen2's autoregressive layout;
  its ``generate`` does ``torch.cat([logits[:, :1], logits[:, :-1]], dim=1)``); the tokenizer's mask token
  ``<|mask|>`` is the config's ``mask_token_id``.
* ``mdlm`` (kuleshov-group/mdlm-owt's hub code, modeling_mdlm.MDLM): ``auto_map`` AutoConfig and
  AutoModelForMaskedLM; ``forward(input_ids, timesteps, output_hidden_states=None, return_dict=None)`` passes
  ``timesteps`` to its backbone as σ (``torch.zeros_like(sigma)`` without time conditioning: None is an error
  there, and here) and returns the backbone's **raw** logits, with mass on the mask token (MDLM's diffusion.py
  applies SUBS: the mask logit at -inf); the mask is the vocabulary's last id and neither the config nor the
  tokenizer names it; the tokenizer lives elsewhere (mdlm-owt uses gpt2's), here in its own folder. This
  fixture is time-conditioned (``time_conditioning: True``): its confidence is e^(-σ), so only the σ that MDLM's
  log-linear schedule gives the masked fraction, σ = -ln(1 - k/L), reproduces the closed form.

The data are windows whose token j is symbol (s + phase[j]) mod 3, one offset s per window (phase[j] = j; for
Dream phase[0] = phase[1], so that token 0, which Dream's layout reads at position 0 like token 1, is predicted
right). Every model infers s from the first visible token and puts mass q + (1 - q)/3 on the symbol it implies and
(1 - q)/3 on each other symbol, q the visible fraction (0 with nothing visible), so the loss per masked token with
k of L masked is, for every window and mask,

    -ln(q + (1 - q)/3),  q = (L - k)/L         (tests/hf_fixtures.closed_form_loss)

and a misread interface (logits not shifted, or shifted when they should not be; the mask token left in the
softmax; σ = 0) moves it.
"""

from __future__ import annotations

import json
from pathlib import Path

SYMBOL_NAMES = ("a", "b", "c")
POSITIONS = 16

_HELPER = '''
import torch


def offset_probs(input_ids, mask_id, symbols, phase, vocab_size, q, ahead=0):
    """B x L x V probabilities: mass q + (1 - q)/3 on symbol (s + phase[i + ahead]) mod 3 at output i, s from the
    first visible token, (1 - q)/3 on each other symbol; uniform over the symbols where nothing is visible."""
    batch, length = input_ids.shape
    symbols_t = torch.tensor(symbols)
    index = torch.full((vocab_size,), 0, dtype=torch.long)
    index[symbols_t] = torch.arange(len(symbols))
    phase_t = torch.tensor(phase)
    visible = input_ids != mask_id
    first = visible.to(torch.int64).argmax(dim=1)
    rows = torch.arange(batch)
    offset = (index[input_ids[rows, first]] - phase_t[first]) % len(symbols)
    q = torch.where(visible.any(dim=1), q, torch.zeros_like(q))
    predicted = (offset[:, None] + phase_t[None, ahead : ahead + length]) % len(symbols)
    probs = torch.zeros(batch, length, vocab_size)
    probs[:, :, symbols_t] = ((1 - q) / len(symbols))[:, None, None]
    probs.scatter_add_(-1, symbols_t[predicted][..., None], q[:, None, None].expand(batch, length, 1).clone())
    return probs
'''

_LLADA_CONFIG = '''
from transformers import PretrainedConfig


class LLaDAConfig(PretrainedConfig):
    model_type = "llada"

    def __init__(self, vocab_size=130, mask_token_id=126, symbols=(2, 3, 4), phase=(), max_sequence_length=16,
                 **kwargs):
        self.vocab_size = vocab_size
        self.mask_token_id = mask_token_id
        self.symbols = list(symbols)
        self.phase = list(phase)
        self.max_sequence_length = max_sequence_length
        super().__init__(**kwargs)
'''

_LLADA_MODEL = _HELPER + '''
from transformers import PreTrainedModel
from transformers.modeling_outputs import CausalLMOutputWithPast

from .configuration_llada import LLaDAConfig


class LLaDAModelLM(PreTrainedModel):
    config_class = LLaDAConfig
    base_model_prefix = "model"

    def __init__(self, config):
        super().__init__(config)
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.post_init()

    def _init_weights(self, module):
        pass

    def forward(self, input_ids, attention_mask=None, **kwargs):
        c = self.config
        q = (input_ids != c.mask_token_id).float().mean(dim=1)
        probs = offset_probs(input_ids, c.mask_token_id, c.symbols, c.phase, c.vocab_size, q)
        return CausalLMOutputWithPast(logits=torch.log(probs.clamp_min(1e-30)) * self.scale)
'''

_DREAM_CONFIG = _LLADA_CONFIG.replace("LLaDAConfig", "DreamConfig").replace('"llada"', '"Dream"').replace(
    "max_sequence_length", "max_position_embeddings").replace("vocab_size=130, mask_token_id=126",
                                                              "vocab_size=8, mask_token_id=6")

_DREAM_MODEL = _HELPER + '''
from transformers import PreTrainedModel
from transformers.modeling_outputs import MaskedLMOutput

from .configuration_dream import DreamConfig


class DreamModel(PreTrainedModel):
    config_class = DreamConfig
    base_model_prefix = "model"

    def __init__(self, config):
        super().__init__(config)
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.post_init()

    def _init_weights(self, module):
        pass

    def forward(self, input_ids, attention_mask=None, position_ids=None, **kwargs):
        c = self.config
        q = (input_ids != c.mask_token_id).float().mean(dim=1)
        # Qwen2's layout, kept by Dream: the output at position i is the prediction of token i + 1
        probs = offset_probs(input_ids, c.mask_token_id, c.symbols, c.phase, c.vocab_size, q, ahead=1)
        return MaskedLMOutput(logits=torch.log(probs.clamp_min(1e-30)) * self.scale)
'''

_MDLM_CONFIG = '''
from transformers import PretrainedConfig


class MDLMConfig(PretrainedConfig):
    model_type = "mdlm"

    def __init__(self, vocab_size=6, model_length=16, symbols=(2, 3, 4), phase=(), time_conditioning=True, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.model_length = model_length
        self.symbols = list(symbols)
        self.phase = list(phase)
        self.time_conditioning = time_conditioning
'''

_MDLM_MODEL = _HELPER + '''
import transformers
from transformers import modeling_outputs

from .configuration_mdlm import MDLMConfig


class MDLM(transformers.PreTrainedModel):
    config_class = MDLMConfig
    base_model_prefix = "mdlm"

    def __init__(self, config):
        super().__init__(config)
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.post_init()

    def _init_weights(self, module):
        pass

    def forward(self, input_ids=None, timesteps=None, output_hidden_states=None, return_dict=None):
        c = self.config
        sigma = timesteps if c.time_conditioning else torch.zeros_like(timesteps)  # as MDLM's DITBackbone
        mask_index = c.vocab_size - 1  # MDLM: the mask is the id after the tokenizer's vocabulary
        probs = offset_probs(input_ids, mask_index, c.symbols, c.phase, c.vocab_size, torch.exp(-sigma.float()))
        raw = torch.log(probs.clamp_min(1e-30))
        raw[:, :, mask_index] = 0.0  # raw logits: the mask token as likely as all symbols together (SUBS drops it)
        logits = raw * self.scale
        if return_dict if return_dict is not None else c.use_return_dict:
            return modeling_outputs.MaskedLMOutput(logits=logits)
        return logits
'''

#: per family: (vocabulary size, mask id, symbol ids, the config's class-file, model-file, auto_map, extras)
FAMILIES = {
    "llada": dict(vocab=130, mask=126, config=("configuration_llada", _LLADA_CONFIG, "LLaDAConfig"),
                  model=("modeling_llada", _LLADA_MODEL, "LLaDAModelLM"),
                  auto=("AutoModel", "AutoModelForCausalLM"), positions="max_sequence_length", type="llada"),
    "dream": dict(vocab=8, mask=6, config=("configuration_dream", _DREAM_CONFIG, "DreamConfig"),
                  model=("modeling_dream", _DREAM_MODEL, "DreamModel"), auto=("AutoModel",),
                  positions="max_position_embeddings", type="Dream"),
    "mdlm": dict(vocab=6, mask=5, config=("configuration_mdlm", _MDLM_CONFIG, "MDLMConfig"),
                 model=("modeling_mdlm", _MDLM_MODEL, "MDLM"), auto=("AutoModelForMaskedLM",),
                 positions="model_length", type="mdlm"),
}


def phase(family: str) -> list[int]:
    """phase[j] for j = 0..POSITIONS (one more than the positions: Dream's last output predicts token L)."""
    values = list(range(POSITIONS + 1))
    return [0] + values[:-1] if family == "dream" else values


def family_model(folder: Path, family: str) -> Path:
    """Save the ``family`` model (and its tokenizer, except MDLM's: see :func:`family_tokenizer`) in ``folder``."""
    import importlib

    import torch
    from safetensors.torch import save_file

    spec = FAMILIES[family]
    folder.mkdir(parents=True, exist_ok=True)
    for filename, code, _ in (spec["config"], spec["model"]):
        (folder / f"{filename}.py").write_text(code)
    auto = {"AutoConfig": f"{spec['config'][0]}.{spec['config'][2]}"}
    auto.update({name: f"{spec['model'][0]}.{spec['model'][2]}" for name in spec["auto"]})
    config = {"model_type": spec["type"], "architectures": [spec["model"][2]], "vocab_size": spec["vocab"],
              "symbols": [2, 3, 4], "phase": phase(family), spec["positions"]: POSITIONS, "auto_map": auto}
    if family != "mdlm":
        config["mask_token_id"] = spec["mask"]
    if family == "mdlm":
        config["time_conditioning"] = True
    (folder / "config.json").write_text(json.dumps(config))
    save_file({"scale": torch.ones(())}, str(folder / "model.safetensors"), metadata={"format": "pt"})
    if family != "mdlm":
        family_tokenizer(family).save_pretrained(folder)
    importlib.invalidate_caches()
    return folder


def family_tokenizer(family: str):
    """The family's tokenizer: a, b, c at ids 2, 3, 4; Dream's names its mask token, LLaDA's and MDLM's none."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[PAD]": 0, "[UNK]": 1, "a": 2, "b": 3, "c": 4}
    extra = {}
    if family == "dream":
        vocab["<|mask|>"] = FAMILIES["dream"]["mask"]
        extra["mask_token"] = "<|mask|>"
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", **extra)


def phase_windows_text(family: str, count: int, length: int, seed: int = 0) -> str:
    """``count`` windows of ``length`` words, token j = symbol (s + phase[j]) mod 3, s drawn per window."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ph = phase(family)
    return " ".join(" ".join(SYMBOL_NAMES[(int(s) + ph[j]) % 3] for j in range(length))
                    for s in rng.integers(0, 3, count))
