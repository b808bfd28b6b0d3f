"""Samplers on the command line, and the confidence-decoding bound."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.bounds import confidence_bound
from conftest import Run
from boundcalc.errors import InvalidNumberError

CHAIN = {"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}
COPIES = {"outcomes": [[a, a, c, d] for a, c, d in itertools.product(["0", "1"], repeat=3)],
          "probabilities": ["1/8"] * 8}


# the suite's one in-process runner (conftest.Run): output, exit code, .json
invoke = Run()


@pytest.fixture
def files(tmp_path):
    chain, table = tmp_path / "chain.json", tmp_path / "copies.json"
    chain.write_text(json.dumps(CHAIN))
    table.write_text(json.dumps(COPIES))
    profile = tmp_path / "mi.txt"
    profile.write_text("0.69\n0.69\n0\n0\n")
    return {"chain": chain, "copies": table, "profile": profile}


def test_verify_blocks_shows_only_blockwise_bounds(files):
    result = invoke("verify", "--joint", files["copies"], "--schedule", "blocks:2:uniform:2", "--json")
    assert result.exit_code == 0, result.output
    data = result.json
    assert float(data["truth"]["value"]) == pytest.approx(math.log(2), abs=1e-6)
    assert set(data["bounds"]) == {"block_sharp", "block_recursion", "block_theorem1", "block_corollary1"}
    assert all(v for v in data["holds"].values() if v is not None)
    assert [b["length"] for b in data["blocks"]] == [2, 2]
    text = invoke("verify", "--joint", files["copies"], "--schedule", "blocks:2:uniform:2").stdout
    assert "block theorem1" in text and "│ theorem1 " not in text and "NO" not in text


def test_verify_counts_json(files):
    result = invoke("verify", "--markov", files["chain"], "-L", 32, "--schedule", "mdlm:4:cosine", "--json")
    assert result.exit_code == 0, result.output
    data = result.json
    from boundcalc.truth import exact_error, load_markov

    truth = exact_error(load_markov(files["chain"]), "mdlm:4:cosine", length=32)
    assert float(data["truth"]["value"]) == pytest.approx(truth, rel=1e-5)
    assert float(data["truth"]["abs_error"]) < 1e-8
    assert set(data["bounds"]) == {"sharp", "recursion", "theorem1"}
    assert all(float(b["value"]) >= truth for b in data["bounds"].values())
    assert 0 < float(data["expected_nonempty_steps"]["value"]) <= 5
    out = invoke("verify", "--markov", files["chain"], "-L", 32, "--schedule", "dream-origin:4").stdout
    assert "expected exact error" in out and "sharp (expected)" in out
    bad = invoke("verify", "--markov", files["chain"], "-L", 32, "--schedule", "mdlm:4", "--optimal")
    assert bad.exit_code == 2 and "--optimal" in bad.output


def test_bound_blocks_and_counts(files):
    blocks = invoke("bound", "--schedule", "blocks:2:uniform:2", "--mi-profile", files["profile"], "--json")
    assert blocks.exit_code == 0, blocks.output
    assert blocks.json["bounds"]["block_theorem1"]["exact"] == "69/100"
    assert "theorem1" not in blocks.json["bounds"]
    total = invoke("bound", "--schedule", "llada:4:2:2", "--mi-total", "1.38", "-L", 4, "--json").json
    assert total["bounds"]["block_sharp"]["exact"] == "69/100"  # max_b 1/2 * ΣI
    counts = invoke("bound", "--schedule", "sedd:8", "--mi-total", 10, "-L", 64, "--json")
    assert counts.exit_code == 0, counts.output
    assert set(counts.json["bounds"]) == {"sharp", "recursion", "theorem1"}
    flat = invoke("bound", "--schedule", "flat-blocks:2:uniform:2", "--mi-total", 1, "-L", 4, "--json").json
    assert flat["bounds"]["theorem1"]["exact"] == "1/4"
    vocab = invoke("bound", "--schedule", "blocks:2:uniform:2", "--mi-total", 1, "-L", 4, "--vocab-size", 2)
    assert vocab.exit_code == 2 and "--vocab-size: blocks:2:uniform:2 is semi-autoregressive" in vocab.output


def test_bound_confidence(files):
    result = invoke("bound", "--confidence", "0.1", "--reveal", 3, "--vocab-size", 4, "--json")
    assert result.exit_code == 0, result.output
    hb = -(0.1 * math.log(0.1) + 0.9 * math.log(0.9))
    assert float(result.json["value"]["float"]) == pytest.approx(2 * (hb + 0.1 * math.log(3)), rel=1e-14)
    assert invoke("bound", "--confidence", "0.1", "--vocab-size", 4).exit_code == 2
    both = invoke("bound", "--confidence", "0.1", "--reveal", 2, "--vocab-size", 4, "--schedule", "uniform:2")
    assert both.exit_code == 2 and "--schedule" in both.output
    far = invoke("bound", "--confidence", "0.6", "--reveal", 2, "--vocab-size", 2)
    assert far.exit_code == 2 and "(V-1)/V" in far.output


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4), st.integers(2, 3), st.floats(0.05, 5.0), st.integers(0, 10**6), st.booleans())
def test_confidence_bound_holds(n, V, alpha, seed, peaked):
    """Total correlation of n tokens (the KL of revealing them at once) <= the bound at their worst confidence."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(V**n, alpha))
    if peaked:  # push mass on one outcome: high confidence
        p = 0.9 * np.eye(V**n)[rng.integers(V**n)] + 0.1 * p
    table = p.reshape((V,) * n)
    marginals = [table.sum(axis=tuple(j for j in range(n) if j != i)) for i in range(n)]
    eps = 1 - min(m.max() for m in marginals)

    def H(q):
        q = q[q > 0]
        return float(-(q * np.log(q)).sum())

    tc = sum(H(m) for m in marginals) - H(table.ravel())
    from fractions import Fraction

    eps_up = Fraction(eps) if eps > 0 else Fraction(0)
    bound = confidence_bound(min(eps_up, Fraction(V - 1, V)), n, V)
    assert tc <= bound.value + 1e-12


def test_confidence_bound_is_attained_by_copies():
    # n copies of one token whose law is (1 - ε, ε/(V-1), ...): TC = (n-1) H = the bound
    V, n, eps = 5, 3, 0.2
    law = np.array([1 - eps] + [eps / (V - 1)] * (V - 1))
    H = float(-(law * np.log(law)).sum())
    assert confidence_bound("0.2", n, V).value == pytest.approx((n - 1) * H, rel=1e-14)
    with pytest.raises(InvalidNumberError):
        confidence_bound("0.9", 2, 5)


def test_samplers_page_table_is_its_doctest_output():
    """docs/samplers.md: the markdown table repeats the numbers its (tested) doctest prints."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "samplers.md").read_text()
    printed = [line.split() for line in text.splitlines() if line.startswith(("0.1 ", "0.01 "))]
    table = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines()
             if line.startswith(("| 0.1 |", "| 0.01 |"))]
    assert printed and printed == table
