"""Any torch module that maps token ids to logits, as a :data:`boundcalc.predictor.Predictor`.

:func:`from_torch` wraps a module whose ``forward(input_ids)`` returns logits
B x L x V -- a tensor, or an object with ``.logits`` (Hugging Face outputs,
LLaDA's and Dream's remote code). Masked positions are replaced by ``mask_id``,
the module runs in evaluation mode under ``torch.inference_mode``, and the
log-probability of each true token at a masked position is
``logit[true] - logsumexp(logits)``, computed in float64 a chunk of positions
at a time: besides the logits the model returns, memory is one chunk
(at most :data:`CHUNK_ELEMENTS` float64 numbers), whatever the vocabulary.

torch is imported inside the functions (extra ``[hf]``), so importing this
module costs nothing without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .errors import DomainError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["from_torch", "require_torch", "masked_log_probs", "launched_shard", "end_shard", "CHUNK_ELEMENTS",
           "takes_timesteps", "mdlm_sigma", "MDLM_EPS"]

#: Most float64 numbers one chunk of the log-softmax holds (2^22: 32 MiB).
CHUNK_ELEMENTS = 1 << 22
#: MDLM's log-linear noise floor (kuleshov-group/mdlm noise_schedule.LogLinearNoise, eps = 1e-3): a token is
#: masked with probability 1 - e^(-σ) = (1 - eps) t, so σ never exceeds -ln(eps).
MDLM_EPS = 1e-3


def require_torch() -> Any:
    """The torch module, or a one-line error saying how to install it."""
    try:
        import torch
    except ImportError:
        raise DomainError("the torch adapter needs torch (it is not installed)", param="torch",
                          allowed="pip install 'boundcalc[hf]'") from None
    return torch


def _logits_of(output: Any, torch: Any) -> Any:
    """The logits tensor of a forward's output: the tensor itself or its ``.logits``."""
    logits = output if isinstance(output, torch.Tensor) else getattr(output, "logits", None)
    if not isinstance(logits, torch.Tensor):
        raise UsageError(f"the model's forward returned {type(output).__name__}", param="model",
                         allowed="logits B x L x V: a tensor, or an object with .logits")
    return logits


def masked_log_probs(logits: Any, tokens: Any, masked: Any, torch: Any, exclude: int | None = None) -> Any:
    """float64 log q(true token) at the masked positions (a 1-D tensor, row-major order), by chunks of positions.

    ``exclude``: a token id left out of the softmax (its logit set to -inf in each float64 chunk, never in the
    model's logits): MDLM's SUBS parameterisation, which never predicts the mask token at a masked position.
    """
    vocab = int(logits.shape[-1])
    flat = logits.reshape(-1, vocab)
    where = torch.nonzero(masked.reshape(-1), as_tuple=True)[0]
    true = tokens.reshape(-1)[where]
    rows = max(1, CHUNK_ELEMENTS // vocab)
    out = torch.empty(where.numel(), dtype=torch.float64, device=logits.device)
    for start in range(0, where.numel(), rows):
        chunk = flat[where[start : start + rows]].to(torch.float64)
        if exclude is not None:
            chunk[:, exclude] = -torch.inf
        picked = chunk.gather(-1, true[start : start + rows].unsqueeze(-1)).squeeze(-1)
        out[start : start + rows] = picked - torch.logsumexp(chunk, dim=-1)
    return out


def _check_logits(logits: Any, shape: tuple[int, int], tokens: "np.ndarray", mask_id: int) -> None:
    if logits.ndim != 3 or tuple(logits.shape[:2]) != shape:
        raise UsageError(f"the model returned logits of shape {tuple(logits.shape)}", param="model",
                         allowed=f"B x L x V with B x L = {shape[0]} x {shape[1]}")
    if mask_id >= logits.shape[-1]:
        raise UsageError(f"mask id {mask_id} is outside the model's vocabulary of {logits.shape[-1]}",
                         param="mask_id", allowed=f"ids in 0..{logits.shape[-1] - 1}")
    if tokens.size and int(tokens.max()) >= logits.shape[-1]:
        raise UsageError(f"token id {int(tokens.max())} is outside the model's vocabulary of {logits.shape[-1]}",
                         param="sequences", allowed=f"ids in 0..{logits.shape[-1] - 1}")


def _forward_parameters(model: Any) -> Any:
    import inspect

    try:
        return inspect.signature(model.forward).parameters
    except (AttributeError, TypeError, ValueError):
        return {}


def takes_timesteps(model: Any) -> bool:
    """True when the module's forward has a ``timesteps`` parameter: MDLM's Hugging Face model
    (``forward(input_ids, timesteps, output_hidden_states, return_dict)``, its remote code modeling_mdlm.py)."""
    return "timesteps" in _forward_parameters(model)


def mdlm_sigma(hidden: Any, torch: Any) -> Any:
    """Per row, MDLM's total noise σ at which a token is masked with the row's masked fraction r = k/L.

    MDLM masks each token with probability 1 - e^(-σ) (diffusion.py's ``move_chance``), σ = -ln(1 - (1 - eps) t)
    for its log-linear schedule; so r = k/L gives σ = -ln(1 - r), capped at -ln(eps) (t = 1) for r = 1. A model
    trained without time conditioning (MDLM's released OWT model: ``time_conditioning: False``) zeroes σ in its
    backbone, so the value matters only for time-conditioned checkpoints. float32 (B,), as MDLM's sampler passes.
    """
    fraction = hidden.to(torch.float64).mean(dim=1)
    return (-torch.log1p(-fraction.clamp(max=1 - MDLM_EPS))).to(torch.float32)


def _forward(model: Any, ids: Any, hide: Any, mdlm: bool, torch: Any) -> Any:
    if not mdlm:
        return model(ids)
    # MDLM's forward: timesteps is the backbone's sigma (no default in its hub code); return_dict True for .logits
    extra = {"return_dict": True} if "return_dict" in _forward_parameters(model) else {}
    return model(ids, timesteps=mdlm_sigma(hide, torch), **extra)


def from_torch(model: Any, *, mask_id: int, device: Any = "cpu", batch_size: int | None = None,
               shift_logits: bool = False, mdlm: bool | None = None) -> Callable[["np.ndarray", "np.ndarray"], "np.ndarray"]:
    """The predictor of a torch module ``forward(input_ids) -> logits B x L x V`` (or an output with ``.logits``).

    The module is moved to ``device`` and put in evaluation mode; masked
    positions get ``mask_id``; ``batch_size`` rows go through the model at a
    time (None: the whole batch the estimator passes). ``shift_logits``: token
    i is predicted by the output at position i - 1 (models adapted from an
    autoregressive one, e.g. Dream; token 0 then by position 0, as Dream's
    ``generate`` does). ``mdlm`` (None: when the forward takes ``timesteps``,
    :func:`takes_timesteps`): MDLM's interface -- ``forward(input_ids,
    timesteps=σ)`` with σ from the row's masked fraction (:func:`mdlm_sigma`),
    and its SUBS parameterisation at masked positions (the mask token's logit
    at -inf before the softmax; MDLM's model returns raw logits, its
    diffusion.py applies SUBS). The predictor returns float64 log-probabilities
    of the true tokens at masked positions (0 elsewhere).
    """
    import numpy as np

    torch = require_torch()
    if isinstance(mask_id, bool) or not isinstance(mask_id, (int, np.integer)) or mask_id < 0:
        raise UsageError(f"mask id {mask_id!r} is not a token id", param="mask_id", allowed="an integer >= 0")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise UsageError(f"batch size {batch_size!r}", param="batch_size", allowed="an integer >= 1, or None")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise UsageError(f"device {device!r}: {str(error).splitlines()[0] if str(error) else 'unknown'}",
                         param="device", allowed="cpu, cuda, cuda:N, mps") from None
    model.to(device)
    model.eval()
    mask_id = int(mask_id)
    mdlm = takes_timesteps(model) if mdlm is None else bool(mdlm)

    def predict(tokens: "np.ndarray", masked: "np.ndarray") -> "np.ndarray":
        tokens = np.asarray(tokens, dtype=np.int64)
        masked = np.asarray(masked, dtype=bool)
        out = np.zeros(tokens.shape, dtype=np.float64)
        step = batch_size or max(1, tokens.shape[0])
        for start in range(0, tokens.shape[0], step):
            part, hidden = tokens[start : start + step], masked[start : start + step]
            true = torch.as_tensor(part, device=device)
            hide = torch.as_tensor(hidden, device=device)
            with torch.inference_mode():
                logits = _logits_of(_forward(model, torch.where(hide, mask_id, true), hide, mdlm, torch), torch)
                if shift_logits:
                    logits = torch.cat([logits[:, :1], logits[:, :-1]], dim=1)
                _check_logits(logits, part.shape, part, mask_id)
                picked = masked_log_probs(logits, true, hide, torch, exclude=mask_id if mdlm else None)
            out[start : start + step][hidden] = picked.cpu().numpy()
        return out

    return predict


def launched_shard() -> tuple[tuple[int, int], Any, int | None]:
    """((rank, world), gather, local rank) of a process started by torchrun or ``accelerate launch``.

    Both set RANK, WORLD_SIZE and LOCAL_RANK (and the rendezvous address); one
    process (no WORLD_SIZE, or 1) gives ((0, 1), None, None). The process group
    is set up here -- gloo, which runs on CPUs and carries the small Python
    payloads :func:`boundcalc.predictor.estimate_loss_curve` gathers -- and
    ``gather`` is ``all_gather_object`` over it.
    """
    import os

    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world <= 1:
        return (0, 1), None, None
    torch = require_torch()
    dist = torch.distributed
    if not dist.is_available():
        raise DomainError("this torch has no torch.distributed", param="torch", allowed="a torch build with it")
    if not dist.is_initialized():
        dist.init_process_group(backend="gloo")
    rank, world = dist.get_rank(), dist.get_world_size()

    def gather(payload: Any) -> list:
        reports: list = [None] * world
        dist.all_gather_object(reports, payload)
        return reports

    return (rank, world), gather, int(os.environ.get("LOCAL_RANK", rank))


def end_shard() -> None:
    """Tear the process group down (after the last gather), if one was set up.

    A barrier first: a process that tears down (and exits) while another still uses the pairs of the group
    makes gloo abort the other one (SIGABRT on a reset connection, seen with 2 CPU processes under load).
    """
    torch = require_torch()
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        try:
            dist.barrier()
        finally:
            dist.destroy_process_group()
