"""A Hugging Face masked LM as a :data:`boundcalc.predictor.Predictor` (optional extra ``[hf]``).

``pip install 'boundcalc[hf]'`` brings ``torch`` and ``transformers``; both are
imported only here, inside the functions, and a missing one is a one-line
error naming the extra.

* :func:`hf_predictor` wraps a masked LM: masked positions are replaced by the
  mask token id (``tokenizer.mask_token_id``, or ``mask_id`` for models such as
  LLaDA whose tokenizer has none), the model runs on the whole window (no
  special tokens added: the window *is* X), and the log-softmax at each masked
  position gives log p of the true token (:func:`boundcalc.predictor.from_torch`:
  float64, a chunk of positions at a time);
* :func:`hf_corpus` tokenizes a text and cuts it into non-overlapping windows of
  L token ids;
* :func:`load_hf` loads a model and tokenizer by name or local directory
  (``AutoModelForMaskedLM``, ``AutoTokenizer``), in evaluation mode on the CPU.

The loss curve a model gives over-estimates the data's d: its cross-entropy is
the entropy plus its excess loss, which acts like ε_train; and a masked LM's
conditionals need not be those of any one joint law (docs/from-model-to-T.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .errors import DomainError, MissingExtraError, UsageError
from .torch_model import from_torch

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["hf_predictor", "hf_corpus", "load_hf", "require_hf", "check_positions"]

#: Most windows a corpus may hold (each is L ids).
MAX_WINDOWS = 1_000_000


def require_hf() -> tuple[Any, Any]:
    """(torch, transformers), or a one-line error saying how to install them."""
    try:
        import torch
        import transformers
    except ImportError as error:
        raise MissingExtraError(f"the Hugging Face adapter needs torch and transformers ({error.name} is missing)",
                          param="hf_model", allowed="pip install 'boundcalc[hf]'") from None
    return torch, transformers


def load_hf(name: str) -> tuple[Any, Any]:
    """(model, tokenizer) from a hub name or a local directory; the model in eval mode."""
    _, transformers = require_hf()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(name)
        model = transformers.AutoModelForMaskedLM.from_pretrained(name)
    except (OSError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UsageError(f"cannot load {name!r}: {first}", param="hf_model",
                         allowed="a masked LM's hub name or local directory") from None
    model.eval()
    return model, tokenizer


def check_positions(model: Any, length: int) -> None:
    """Refuse, before any work, a window of ``length`` tokens beyond the model's positions (torch would raise
    an index error deep in the embedding, after loading and tokenizing)."""
    config = getattr(model, "config", None)
    limit = None
    for name in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"):
        value = getattr(config, name, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            limit = value
            break
    if limit is not None and length > limit:
        raise UsageError(f"L = {length} exceeds the model's {limit} positions", param="length",
                         allowed=f"L <= {limit} for this model")


def hf_predictor(model: Any, mask_id: int | None = None, tokenizer: Any = None) -> Callable[["np.ndarray", "np.ndarray"], "np.ndarray"]:
    """The predictor of a masked LM: log p(true token) at masked positions, masked = replaced by ``mask_id``."""
    require_hf()
    if mask_id is None:
        mask_id = getattr(tokenizer, "mask_token_id", None)
    if mask_id is None:
        raise UsageError("the tokenizer has no mask token", param="mask_id", allowed="give the mask token id")
    vocab = int(model.get_output_embeddings().weight.shape[0]) if model.get_output_embeddings() is not None else None
    if isinstance(mask_id, bool) or not isinstance(mask_id, int) or mask_id < 0 or (vocab and mask_id >= vocab):
        raise UsageError(f"mask id {mask_id!r} is not a token id", param="mask_id",
                         allowed=f"0 <= id < {vocab}" if vocab else "a token id")

    # the model stays where it was loaded; log-probabilities by chunks of positions (boundcalc.torch_model)
    device = next(iter(model.parameters())).device if any(True for _ in model.parameters()) else "cpu"
    return from_torch(model, mask_id=mask_id, device=device)


def hf_corpus(tokenizer: Any, text: str, length: int) -> "np.ndarray":
    """The text's token ids (no special tokens) cut into non-overlapping windows of ``length``."""
    import numpy as np

    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise UsageError(f"L = {length!r}", param="length", allowed="a positive integer")
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    count = len(ids) // length
    if count < 1:
        raise UsageError(f"the text has {len(ids)} tokens, fewer than one window of L = {length}", param="text",
                         allowed="a longer text or a smaller L")
    if count > MAX_WINDOWS:
        count = MAX_WINDOWS
    return np.asarray(ids[: count * length], dtype=np.int64).reshape(count, length)
