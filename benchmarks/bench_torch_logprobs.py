"""Memory of the torch adapter's log-probabilities: chunked (boundcalc.torch_model) against a full float64 log-softmax.

Each way runs in a fresh process on the same float32 logits B x L x V (as a model returns them); the script
prints the peak RSS each adds beyond the logits, and their ratio. The chunked one holds at most
CHUNK_ELEMENTS float64 numbers at a time, whatever V and B x L; the full one a float64 copy of everything.

    python benchmarks/bench_torch_logprobs.py [V] [B] [L]      # default: LLaDA's V = 126464, 2 x 256
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import resource, sys
import torch
sys.path.insert(0, {root!r})
torch.set_num_threads(1)
V, B, L = {V}, {B}, {L}
g = torch.Generator().manual_seed(0)
logits = torch.randn(B, L, V, generator=g)
tokens = torch.randint(0, V, (B, L), generator=g)
masked = torch.rand(B, L, generator=g) < 0.5
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if {way!r} == "full":
    out = torch.log_softmax(logits.double(), -1).gather(-1, tokens[..., None])[..., 0][masked]
else:
    from boundcalc.torch_model import masked_log_probs
    out = masked_log_probs(logits, tokens, masked, torch)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024, float(out.sum()))
"""


def peak(way: str, V: int, B: int, L: int) -> tuple[float, float]:
    code = CHILD.format(root=str(ROOT), V=V, B=B, L=L, way=way)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    V, B, L = (int(x) for x in (sys.argv[1:] + ["126464", "2", "256"][len(sys.argv) - 1 :])[:3])
    full, full_sum = peak("full", V, B, L)
    chunked, chunked_sum = peak("chunked", V, B, L)
    print(f"V = {V}, B x L = {B} x {L}: logits {B * L * V * 4 / 2**20:.0f} MB (float32)")
    print(f"extra peak RSS: full float64 log-softmax {full:.0f} MB, chunked {chunked:.0f} MB "
          f"(ratio {full / max(chunked, 1):.1f}); same sum of log-probabilities: {abs(full_sum - chunked_sum) < 1e-6 * abs(full_sum)}")


if __name__ == "__main__":
    main()
