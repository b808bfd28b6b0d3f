"""Issue 21 item 2: every value derived from a measured loss curve carries its stderr, in every format; a
profile's float64-printed decimals are exact as written, and the output says what their digits mean.

The curve below is small enough to check by hand: masked k = 1, 2, 4, 8 of L = 8 with losses 0.30, 0.42,
0.55, 0.60 and standard errors 0.01, 0.02, 0.02, 0.03. d(L - k) is the loss at k masked, so
ΣI = L (d(0) - d(7)) = 8 (0.60 - 0.30) = 2.4 with stderr 8 sqrt(0.03^2 + 0.01^2) = 0.25298 (shown rounded
up, 0.26), and a bound c/L ΣI has stderr c/L 0.25298: theorem1 at s_max = 4 is 3/8 ΣI = 0.9 ± 0.094868
(shown 0.095), at s_max = 2 it is 1/8 ΣI = 0.3 ± 0.031623 (shown 0.032).
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

CURVE = "masked,loss_nats,stderr\n1,0.30,0.01\n2,0.42,0.02\n4,0.55,0.02\n8,0.60,0.03\n"
NO_STDERR = "masked,loss_nats\n1,0.30\n2,0.42\n4,0.55\n8,0.60\n"


@pytest.fixture
def curve(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CURVE)
    return path


def test_the_random_schedules_error_from_a_curve_has_the_stderr_of_its_point_losses():
    """The expected error of the random schedule on {S, S/2} is linear in the measured losses: its stderr is
    sqrt(Σ_k (∂E/∂loss_k)^2 se_k^2), the derivatives taken here by moving each loss (a second method)."""
    from boundcalc.curve import LossCurve
    from boundcalc.estimate import curve_profile, random_schedule_estimate
    from boundcalc.truth import expected_random_error

    masked, losses, se = [1, 3, 6, 10, 16], [0.2, 0.5, 0.9, 1.2, 1.3], [0.01, 0.03, 0.02, 0.04, 0.05]

    def make(values):
        return LossCurve(length=16, masked=masked, loss=values, stderr=se, source="test", exact=False)

    estimate = random_schedule_estimate(make(losses), 8)
    assert estimate.value == pytest.approx(expected_random_error(curve_profile(make(losses)), 8), abs=1e-12)
    h = 1e-6
    derivatives = []
    for k in range(len(losses)):
        up = list(losses)
        up[k] += h
        derivatives.append((expected_random_error(curve_profile(make(up)), 8) - estimate.value) / h)
    independent = math.sqrt(sum((g * s) ** 2 for g, s in zip(derivatives, se)))
    assert estimate.stderr == pytest.approx(independent, rel=1e-4)
    assert estimate.stderr > 0 and not estimate.exact


def test_sweep_random_error_carries_its_stderr_in_json_and_csv(run, curve):
    data = run("sweep", "--loss-curve", curve, "--steps", "1,2,4", "--json").json
    for row in data["rows"]:
        random = row["random_error"]
        assert random["estimate"] is True and random["stderr"] is not None and float(random["stderr"]) > 0
    csv = run("sweep", "--loss-curve", curve, "--steps", "1,2,4", "--csv").stdout.splitlines()
    header = csv[0].split(",")
    column = header.index("random_error_stderr")
    assert all(line.split(",")[column] not in ("", "?") for line in csv[1:] if not line.count('"'))


def test_latex_with_values_from_a_curve_shows_value_and_stderr(run, curve):
    out = run("latex", "--expr", "theorem1", "--expr", "corollary1", "--with-values", "--loss-curve", curve,
              "--schedule", "uniform:2").stdout
    assert r"\approx 0.9 \pm 0.095" in out  # 3/8 ΣI, stderr 3/8 * 0.25298 = 0.094868 rounded up
    assert r"\approx 2.4 \pm 0.26" in out  # corollary1 at T = 2: 2/T ΣI = ΣI
    whole = run("latex", "--all", "--standalone", "--with-values", "--loss-curve", curve, "--schedule",
                "uniform:2", "--target", "0.5").stdout
    displays = whole.split(r"\begin{equation*}")[1:]
    assert len(displays) > 10
    for display in displays:  # every instantiated value is an estimate with its stderr (or none at all)
        body = display.split(r"\end{equation*}")[0]
        last = body.strip().splitlines()[-2 if body.strip().endswith(r"\end{split}") else -1]
        assert r"\pm" in last or r"\approx" not in last, last


def test_latex_from_a_curve_without_stderr_says_unknown(run, tmp_path):
    path = tmp_path / "n.csv"
    path.write_text(NO_STDERR)
    out = run("latex", "--expr", "theorem1", "--with-values", "--loss-curve", path, "--schedule", "uniform:2").stdout
    assert r"\approx 0.9 \pm ?" in out


def test_budget_bounds_from_a_curve_carry_stderr_in_every_format(run, curve):
    args = ["steps", "--loss-curve", curve, "--budget", "4", "--family", "uniform", "--family", "mdlm"]
    table = run(*args).stdout
    assert "ΣI = 2.4 ± 0.26 nats (estimate)" in table
    assert "0.3 ± 0.032" in table  # uniform:4, s_max = 2: ΣI/8, stderr 0.031623 rounded up
    data = run(*args, "--json").json
    by = {f["family"]: f for f in data["families"]}
    bound = by["uniform"]["bound"]
    assert bound["value"] == "0.3" and bound["estimate"] is True and bound["stderr"] == "0.032"
    # mdlm: E[c(S_max)]/L ΣI, an expectation; its stderr scales with ΣI's by the same coefficient
    mdlm = by["mdlm"]["bound"]
    assert mdlm["estimate"] is True
    assert float(mdlm["stderr"]) == pytest.approx(float(mdlm["value"]) / 2.4 * 0.25298, rel=0.05)
    tex = run(*args, "--format", "latex").stdout
    assert r"$0.3 \pm 0.032$" in tex and r"\Sigma I = 2.4 \pm 0.26" in tex


def test_bound_from_a_curve_shows_phi_and_its_levels_as_estimates(run, curve):
    table = run("bound", "--loss-curve", curve, "--schedule", "uniform:2").stdout
    # Φ = G(4) + G(6)/2 + G(7)/4 with G(m) = 8 (d(0) - d(m)): 0.4 + 1.44/2 + 2.4/4 = 1.72
    assert "Φ = 1.72 ±" in table
    data = run("bound", "--loss-curve", curve, "--schedule", "uniform:2", "--json").json
    ms = data["multiscale"]
    assert ms["phi"]["estimate"] is True and float(ms["phi"]["value"]) == pytest.approx(1.72)
    assert all(level["estimate"] is True and level["stderr"] is not None for level in ms["level_totals"])
    # G(4) = 8 (d(0) - d(4)): the losses at 8 and 4 masked, stderr 8 sqrt(0.03^2 + 0.02^2) = 0.2884
    assert ms["level_totals"][0]["stderr"] == "0.29"
    tex = run("bound", "--loss-curve", curve, "--schedule", "uniform:2", "--format", "latex").stdout
    assert r"$0.9 \pm 0.095$" in tex and r"\Sigma I = 2.4 \pm 0.26" in tex and "exact" not in tex


def test_float_printed_decimals():
    from boundcalc.profile import float_printed

    for text in ("0.30000000000000004", "0.013844293808390695", "1.3844293808390695e-02", repr(1 / 3),
                 f"{2 / 3:.17g}", f"{np.float64(0.7):.16e}"):
        assert float_printed(Decimal(text)), text
    # typed by a person (few digits), or more digits than a float64 print has, or 17 digits no float64 prints
    for text in ("0.1", "0.25", "1/3".replace("/", ""), "0.1000000000000000055511151231257827", "0.12345678901234567"):
        assert not float_printed(Decimal(text)), text


def test_a_profile_of_float64_prints_is_exact_and_says_so(run, tmp_path):
    printed = tmp_path / "p.txt"
    printed.write_text("0.1\n0.2\n0.30000000000000004\n0.123456789012345678\n")
    typed = tmp_path / "q.txt"
    typed.write_text("0.1\n0.2\n0.3\n0.4\n")
    out = run("bound", "--mi-profile", printed, "--schedule", "2,2", "--digits", "30").stdout
    # exact: ΣI is the exact sum of the decimals as written, 0.723456789012345718 (18 digits, not rounded)
    assert "ΣI = 0.723456789012345718 nats" in out and "float64 values, exact as written" in out
    assert "exact as written" not in run("bound", "--mi-profile", typed, "--schedule", "2,2").stdout
    data = run("bound", "--mi-profile", printed, "--schedule", "2,2", "--json").json
    assert data["mi_total"]["exact"] == "361728394506172859/500000000000000000" and "inputs" in data["notes"]
    tex = run("latex", "--expr", "theorem1", "--with-values", "--mi-profile", printed, "--schedule", "2,2").stdout
    assert tex.startswith("% ΣI from") and "float64 values, exact as written" in tex.splitlines()[0]
    sweep = run("sweep", "--mi-profile", printed, "--steps", "2", "--json").json
    assert "float64 values, exact as written" in sweep["source"]


@pytest.mark.parametrize("family", ["uniform", "cosine", "mdlm"])
def test_steps_by_bound_from_a_curve_gives_the_bound_with_its_stderr(run, curve, family):
    data = run("steps", "--loss-curve", curve, "--target", "0.3", "--by", "bound", "--family", family, "--json").json
    value = data["results"][0]["value"]
    assert value["estimate"] is True and value["stderr"] is not None
    # every bound here is coefficient · ΣI: its stderr is value / ΣI · 0.25298
    assert float(value["stderr"]) == pytest.approx(float(value["value"]) / 2.4 * 0.25298, rel=0.05)
    assert "±" in run("steps", "--loss-curve", curve, "--target", "0.3", "--by", "bound", "--family", family).stdout


def test_verify_from_a_curve_shows_every_value_as_an_estimate(run, curve):
    """verify --loss-curve: the bounds (3/8 ΣI ± 3/8 · 0.25298), ΣI, Φ's levels and the random schedule's error
    carry their stderr in the table and the JSON; the ratio column is against the estimate, not 'exact'."""
    table = run("verify", "--loss-curve", curve, "--schedule", "uniform:2").stdout
    assert "ΣI = 2.4 ± 0.26" in table and "0.9 ± 0.095" in table and "/ estimate" in table and "/ exact" not in table
    data = run("verify", "--loss-curve", curve, "--schedule", "uniform:2", "--json").json
    assert data["bounds"]["theorem1"]["stderr"] == "0.095" and data["mi_total"]["stderr"] == "0.26"
    assert all(level["estimate"] is True for level in data["multiscale"]["level_totals"])
    counts = run("verify", "--loss-curve", curve, "--schedule", "mdlm:4", "--json").json
    assert counts["truth"]["stderr"] is not None and counts["bounds"]["theorem1"]["estimate"] is True


def test_bound_of_blocks_and_counts_from_a_curve(run, curve):
    blocks = run("bound", "--loss-curve", curve, "--schedule", "blocks:2:uniform:4", "--json")
    assert blocks.exit_code == 0, blocks.stderr  # no Φ is derived for a blockwise schedule (it was refused)
    assert blocks.json["bounds"]["block_theorem1"]["stderr"] == "0.064"  # 2 blocks of 4, s = 2: ΣI/4 ± 0.25298/4
    counts = run("bound", "--loss-curve", curve, "--schedule", "mdlm:4", "--json").json
    assert counts["mi_total"]["stderr"] == "0.26" and counts["bounds"]["theorem1"]["estimate"] is True
