"""A Hugging Face masked LM as a :data:`boundcalc.predictor.Predictor` (optional extra ``[hf]``).

``pip install 'boundcalc[hf]'`` brings ``torch`` and ``transformers``; both are
imported only here, inside the functions, and a missing one is a one-line
error naming the extra.

* :func:`hf_predictor` wraps a masked LM: masked positions are replaced by the
  mask token id (``tokenizer.mask_token_id``, else the config's ``mask_token_id``
  as LLaDA's, or ``mask_id``), the model runs on the whole window (no
  special tokens added: the window *is* X), and the log-softmax at each masked
  position gives log p of the true token (:func:`boundcalc.predictor.from_torch`:
  float64, a chunk of positions at a time);
* :func:`hf_corpus` tokenizes a text and cuts it into non-overlapping windows of
  L token ids;
* :func:`load_hf` loads a model and tokenizer by name or local directory
  (``AutoModelForMaskedLM``, else ``AutoModel`` with ``.logits`` as LLaDA and
  Dream need; ``AutoTokenizer``), with ``trust_remote_code`` given explicitly,
  a device and a dtype, in evaluation mode; :func:`check_length` refuses a
  window longer than the model's positions.

The loss curve a model gives over-estimates the data's d: its cross-entropy is
the entropy plus its excess loss, which acts like ε_train; and a masked LM's
conditionals need not be those of any one joint law (docs/from-model-to-T.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .errors import BoundcalcError, DomainError, MissingExtraError, UsageError
from .torch_model import from_torch

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["hf_predictor", "hf_corpus", "load_hf", "model_mask_id", "require_hf", "check_length", "max_positions", "resolve_device",
           "check_text_size", "DTYPES", "DEVICES", "MAX_TEXT_BYTES"]

#: Largest text (UTF-8 bytes) :func:`hf_corpus` tokenizes by default: tokenizing costs time and memory in
#: proportion to the text (about one token per 4 bytes of English, at most about one per byte), so the size is
#: checked before the tokenizer runs; ``max_bytes`` raises it.
MAX_TEXT_BYTES = 64 * 2**20


def require_hf() -> tuple[Any, Any]:
    """(torch, transformers), or a one-line error saying how to install them."""
    try:
        import torch
        import transformers
    except ImportError as error:
        raise MissingExtraError(f"the Hugging Face adapter needs torch and transformers ({error.name} is missing)",
                          param="hf_model", allowed="pip install 'boundcalc[hf]'") from None
    return torch, transformers


#: The torch dtypes a model may be loaded in.
DTYPES = ("float32", "bfloat16", "float16")
#: The devices a model may be put on ("auto": cuda, else mps, else cpu).
DEVICES = ("cpu", "cuda", "mps", "auto")
# config attributes that hold a model's longest input, by family (BERT/Dream, LLaDA, GPT-2, MDLM)
_MAX_POSITIONS = ("max_position_embeddings", "max_sequence_length", "n_positions", "model_length")


def resolve_device(device: str) -> str:
    """cpu, cuda or mps; "auto" picks cuda, else mps, else cpu. A device torch cannot use is refused."""
    torch, _ = require_hf()
    if device not in DEVICES and not device.startswith("cuda:"):
        raise UsageError(f"device {device!r} is unknown", param="device", allowed=", ".join(DEVICES) + ", cuda:N")
    mps = getattr(torch.backends, "mps", None)
    has_mps = bool(mps and mps.is_available())
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise DomainError(f"device {device!r} is not available (torch sees no CUDA GPU)", param="device",
                          allowed="cpu, or auto")
    if device == "mps" and not has_mps:
        raise DomainError("device 'mps' is not available", param="device", allowed="cpu, or auto")
    return device


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _load_error(name: str, error: BaseException, trust_remote_code: bool) -> Exception:
    if "trust_remote_code" in str(error) and not trust_remote_code:
        return UsageError(f"{name!r} runs its own code (config auto_map) and it was not trusted", param="trust_remote_code",
                          allowed="read the model's code, then trust it explicitly")
    return UsageError(f"cannot load {name!r}: {_first_line(error)}", param="hf_model",
                      allowed="a masked LM's hub name or local directory")


def _code_error(name: str, error: BaseException, version: str) -> Exception:
    """A failure inside the model's loading code (its own, with trust_remote_code): one line, not a traceback.

    Remote code is written against one transformers release; e.g. Dream's modeling_dream.py (4.4x) fails
    under transformers 5 with KeyError 'default' (ROPE_INIT_FUNCTIONS) before any weight is read.
    """
    return UsageError(f"cannot load {name!r}: its code failed under transformers {version}: "
                      f"{type(error).__name__}: {_first_line(error)}", param="hf_model",
                      allowed="the transformers version the model's code was written for (its README or config's "
                      "transformers_version)")


def max_positions(config: Any) -> int | None:
    """The longest input a model's config allows (``model.config`` or the config), or None when it names none."""
    config = getattr(config, "config", config)
    for attribute in _MAX_POSITIONS:
        value = getattr(config, attribute, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def load_hf(name: str, *, trust_remote_code: bool = False, device: str = "cpu", dtype: str = "float32",
            length: int | None = None, tokenizer: str | None = None) -> tuple[Any, Any]:
    """(model, tokenizer) from a hub name or a local directory; the model in eval mode on ``device``.

    ``AutoModelForMaskedLM`` first; a model it does not map (LLaDA, Dream: remote
    code registering ``AutoModel`` only) is loaded with ``AutoModel``, whose
    output must carry ``.logits``. The tokenizer is loaded with the same trust;
    a model that needs its own code without ``trust_remote_code`` is refused in
    one line (never the interactive prompt of transformers: the flag is passed
    as False, not None). With ``length``, a window longer than the config's
    positions is refused before the weights are read. ``tokenizer``: where
    the tokenizer is, when not with the model (MDLM's hub models use GPT-2's:
    ``tokenizer="gpt2"``).
    """
    torch, transformers = require_hf()
    if dtype not in DTYPES:
        raise UsageError(f"dtype {dtype!r} is unknown", param="dtype", allowed=", ".join(DTYPES))
    where = resolve_device(device)
    trust = bool(trust_remote_code)
    # transformers >= 4.56 names the argument dtype (torch_dtype before)
    version = tuple(int(p) for p in transformers.__version__.split(".")[:2] if p.isdigit())
    kwargs = {"trust_remote_code": trust, ("dtype" if version >= (4, 56) else "torch_dtype"): getattr(torch, dtype)}
    # transformers' own progress bar ("Loading weights") would be a second stderr line next to a one-line error
    hub_logging = transformers.utils.logging
    bar_was_on = hub_logging.is_progress_bar_enabled()
    hub_logging.disable_progress_bar()
    try:
        return _load_model(transformers, name, kwargs, trust, length, tokenizer, where)
    finally:
        if bar_was_on:
            hub_logging.enable_progress_bar()


def _load_model(transformers: Any, name: str, kwargs: dict, trust: bool, length: int | None, tokenizer: str | None,
                where: str) -> tuple[Any, Any]:
    try:
        config = transformers.AutoConfig.from_pretrained(name, trust_remote_code=trust)
        if length is not None:
            check_length(config, length)
        words = transformers.AutoTokenizer.from_pretrained(tokenizer or name, trust_remote_code=trust)
        try:
            model = transformers.AutoModelForMaskedLM.from_pretrained(name, **kwargs)
        except ValueError as error:
            if "trust_remote_code" in str(error) or "Unrecognized configuration class" not in str(error):
                raise
            model = transformers.AutoModel.from_pretrained(name, **kwargs)
    except BoundcalcError:
        raise
    except (OSError, ValueError, ImportError) as error:
        raise _load_error(name, error, trust) from None
    except Exception as error:  # noqa: BLE001 - a model's own code failing (e.g. written for another transformers)
        raise _code_error(name, error, transformers.__version__) from None
    model.to(where)
    model.eval()
    return model, words


def check_length(config: Any, length: int) -> None:
    """Refuse a window longer than the model's positions (``config``: a model or its config), before any work."""
    limit = max_positions(config)
    if limit is not None and length > limit:
        raise UsageError(f"L = {length} exceeds the model's {limit} positions", param="length",
                         allowed=f"L <= {limit}")


def _vocabulary(model: Any) -> int | None:
    try:
        head = model.get_output_embeddings()
    except (AttributeError, NotImplementedError):
        head = None
    weight = getattr(head, "weight", None)
    if weight is not None:
        return int(weight.shape[0])
    size = getattr(getattr(model, "config", None), "vocab_size", None)
    return size if isinstance(size, int) else None


def model_mask_id(model: Any, tokenizer: Any = None) -> int | None:
    """The mask token id a model names: its tokenizer's mask token, else its config's ``mask_token_id``
    (LLaDA's mask is 126336, which its tokenizer does not name as the mask token; Dream's tokenizer names
    151666)."""
    found = getattr(tokenizer, "mask_token_id", None)
    if found is None:
        found = getattr(getattr(model, "config", None), "mask_token_id", None)
    return found


def hf_predictor(model: Any, mask_id: int | None = None, tokenizer: Any = None, *, batch_size: int | None = None,
                 shift_logits: bool = False, mdlm: bool | None = None) -> Callable[["np.ndarray", "np.ndarray"], "np.ndarray"]:
    """The predictor of a masked LM: log p(true token) at masked positions, masked = replaced by ``mask_id``.

    ``mask_id`` defaults to :func:`model_mask_id` (the tokenizer's, else the
    config's); ``shift_logits`` reads token i's logits at position i - 1
    (Dream, adapted from an autoregressive model); ``mdlm`` (None: when the
    forward takes ``timesteps``) passes MDLM's σ and applies its SUBS
    parameterisation (:func:`boundcalc.torch_model.from_torch`);
    ``batch_size`` rows go through the model at a time.
    """
    require_hf()
    if mask_id is None:
        mask_id = model_mask_id(model, tokenizer)
    if mask_id is None:
        raise UsageError("neither the tokenizer nor the model's config names a mask token", param="mask_id",
                         allowed="give the mask token id")
    vocab = _vocabulary(model)
    if isinstance(mask_id, bool) or not isinstance(mask_id, int) or mask_id < 0 or (vocab and mask_id >= vocab):
        raise UsageError(f"mask id {mask_id!r} is not a token id", param="mask_id",
                         allowed=f"0 <= id < {vocab}" if vocab else "a token id")
    # the model stays where it was loaded; log-probabilities by chunks of positions (boundcalc.torch_model)
    parameter = next(iter(model.parameters()), None)
    device = parameter.device if parameter is not None else "cpu"
    return from_torch(model, mask_id=mask_id, device=device, batch_size=batch_size, shift_logits=shift_logits,
                      mdlm=mdlm)


def check_text_size(size: int, max_bytes: int = MAX_TEXT_BYTES) -> None:
    """Refuse a text of ``size`` UTF-8 bytes beyond ``max_bytes``, before it is read or tokenized."""
    if size > max_bytes:
        raise UsageError(f"the text is {size} bytes, more than the {max_bytes} tokenized at most", param="max_bytes",
                         allowed=f"a text of at most {max_bytes} bytes, or a higher limit")


def hf_corpus(tokenizer: Any, text: str, length: int, *, max_bytes: int = MAX_TEXT_BYTES) -> "np.ndarray":
    """The text's token ids (no special tokens) cut into non-overlapping windows of ``length``: all of them.

    The text's size is checked against ``max_bytes`` before the tokenizer runs (never cut to fit); only the
    last len(ids) mod L tokens, less than one window, are left out.
    """
    import numpy as np

    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise UsageError(f"L = {length!r}", param="length", allowed="a positive integer")
    # a str of n characters holds at least n UTF-8 bytes: the cheap check first, the exact one when it could pass
    if len(text) > max_bytes or len(text.encode("utf-8")) > max_bytes:
        check_text_size(len(text.encode("utf-8")), max_bytes)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    count = len(ids) // length
    if count < 1:
        raise UsageError(f"the text has {len(ids)} tokens, fewer than one window of L = {length}", param="text",
                         allowed="a longer text or a smaller L")
    return np.asarray(ids[: count * length], dtype=np.int64).reshape(count, length)
