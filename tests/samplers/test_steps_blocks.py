"""steps --family blocks:K:FAMILY: the fewest T (a multiple of K) whose blockwise bound (B1) reaches a target.

The bound is recomputed here by hand from its definition (docs/theory.md, section 11):
Σ_b c(s_b)/B_b · Σ_{i∈b} I_i + ε_train with per-token values, or max_b c(s_b)/B_b · ΣI from ΣI
alone, for the LLaDA-style schedule whose blocks of B = L/K tokens each get T/K uniform steps.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.errors import UsageError
from boundcalc.family_steps import budget_table, required_steps_family
from boundcalc.profile import MIProfile

COEFFICIENT = {
    "theorem1": lambda s: Fraction(2 ** math.ceil(math.log2(s)) - 1) if s > 1 else Fraction(0),
    "sharp": lambda s: Fraction(s - 1),
}


def _by_hand(values: list[Fraction], blocks: int, steps: int, bound: str, eps: Fraction) -> Fraction:
    L = len(values)
    size = L // blocks
    inner = steps // blocks
    s_max = -(-size // inner)  # uniform:T/K inside a block: its largest step
    c = COEFFICIENT[bound](s_max)
    return sum((c / size * sum(values[b * size:(b + 1) * size], Fraction(0)) for b in range(blocks)), Fraction(0)) + eps


@settings(max_examples=25, deadline=None)
@given(blocks=st.sampled_from([1, 2, 4]), per_block=st.integers(2, 8),
       values=st.lists(st.fractions(0, 2, max_denominator=7), min_size=32, max_size=32),
       target=st.fractions(Fraction(1, 50), 3, max_denominator=50), bound=st.sampled_from(["theorem1", "sharp"]),
       eps=st.sampled_from([Fraction(0), Fraction(1, 100)]))
def test_fewest_steps_by_the_blockwise_bound(blocks, per_block, values, target, bound, eps):
    L = blocks * per_block
    values = values[:L]
    profile = MIProfile.from_values(values)
    [r] = required_steps_family([target], family=f"blocks:{blocks}:uniform", length=L, mi_total=profile.total,
                                bound=bound, eps_train=eps, mi_profile=profile)
    reached = [T for T in range(blocks, L + 1, blocks) if _by_hand(values, blocks, T, bound, eps) <= target]
    if not reached:
        assert not r.feasible
        return
    assert r.steps == reached[0] and r.value == _by_hand(values, blocks, r.steps, bound, eps)
    assert len(r.schedule.block_spans) == (blocks if blocks > 1 else 0)  # one block is the plain schedule


def test_from_the_total_alone_the_largest_block_coefficient_times_sigma_i():
    [r] = required_steps_family(["1"], family="blocks:4:uniform", length=1024, mi_total=Fraction(10))
    # blocks of 256 tokens; T = 64 gives each 16 steps of 16 tokens: max_b c(s_b)/B_b x ΣI = 15/256 x 10
    assert r.steps == 64 and r.value == Fraction(15, 256) * 10
    [previous] = required_steps_family([r.value - Fraction(1, 10**9)], family="blocks:4:uniform", length=1024,
                                       mi_total=Fraction(10))
    assert previous.steps > 64


def test_errors_and_the_budget_row():
    with pytest.raises(UsageError, match="write blocks:K:FAMILY"):
        required_steps_family(["1"], family="blocks:4", length=64, mi_total=Fraction(1))
    with pytest.raises(UsageError, match="inner family"):
        required_steps_family(["1"], family="blocks:4:mdlm", length=64, mi_total=Fraction(1))
    from boundcalc.curve import LossCurve

    curve = LossCurve(length=4, masked=[1, 2, 3, 4], loss=[0.1, 0.3, 0.5, 0.7])
    with pytest.raises(UsageError, match="semi-autoregressive") as info:
        required_steps_family(["1"], family="blocks:2:uniform", by="error", length=4, curve=curve)
    assert info.value.param == "family"
    [row] = budget_table(2, length=4, families=["blocks:2:uniform"], curve=curve)
    assert row["error"] is None and "semi-autoregressive" in row["reason"] and row["bound"] is not None


def test_the_command(run, write):
    mi = write("mi.txt", "0.5\n0.5\n0\n0\n")
    data = run("steps", "--mi-profile", mi, "--family", "blocks:2:uniform", "--target", "0.5", "--json").json
    assert data["results"][0]["steps"] == 2 and data["results"][0]["value"]["exact"] == "1/2"
    refused = run("steps", "--mi-total", "1", "--length", "8", "--family", "blocks:x:uniform", "--target", "1")
    assert refused.exit_code == 2 and refused.stderr.startswith("Error: --family: in 'blocks:x:uniform'")
    assert len(refused.stderr.strip().splitlines()) == 1
