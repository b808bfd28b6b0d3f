"""Numbers too large for the arithmetic get one line, never a traceback (found by the grown hostile matrix:
rule parameters and targets of 1e999 raised ValueError/OverflowError)."""

from __future__ import annotations

import pytest

XOR = '{"outcomes": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], "probabilities": ["1/4", "1/4", "1/4", "1/4"]}'
CURVE = "masked_fraction,loss_nats,stderr\n0.25,0.5,0.01\n0.5,0.6,0.01\n0.75,0.65,0.01\n1,0.69,0.01\n"


@pytest.mark.parametrize("spec, says", [
    ("confidence:0.5:1e999", "does not divide L = 3"),
    ("dilated:2:1e999", "does not divide L = 3"),
    ("dilated:1e999", "steps for a block of 3 tokens"),
    ("left-to-right:1e999", "steps for a block of 3 tokens"),
    ("low-confidence:1e999", "steps for a block of 3 tokens"),
    ("eb:1e999", "GAMMA = 1e999 is too large"),
    ("entropy-sum:1e999", "ETA = 1e999 is too large"),
])
def test_rule_parameters_beyond_the_arithmetic(run, write, spec, says):
    result = run("verify", "--joint", write("xor.json", XOR), "--schedule", spec)
    assert result.exit_code != 0 and result.exit_code in (1, 2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and says in lines[0], result.stderr


@pytest.mark.parametrize("target", ["1e999", "1e999/token", "1e301"])
@pytest.mark.parametrize("by", ["error", "optimal"])
def test_targets_beyond_a_float_error(run, write, target, by):
    result = run("steps", "--loss-curve", write("c.csv", CURVE), "--length", "8", "--by", by, "--target", target)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == ("Error: --target: a target above 1e300 is beyond the range of an estimated error "
                         "(a target <= 1e300 (an error from a curve is a float64))"), result.stderr


def test_a_large_target_within_range_is_answered(run, write):
    """1e300 is still a number: every error is below it, so one step reaches it."""
    result = run("steps", "--loss-curve", write("c.csv", CURVE), "--length", "8", "--by", "error", "--target", "1e300",
                 "--json")
    assert result.exit_code == 0 and result.json["results"][0]["steps"] == 1
