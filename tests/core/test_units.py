"""Units at the edge: engines compute in nats, exact values keep their unit, printers convert once.

Every value printed in bits here is checked against an independent computation: the entropies of a
two-token table by hand (math.log), divided by ln 2.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest

import boundcalc as bc
from boundcalc import units
from boundcalc.estimate import estimate_error
from boundcalc.exact import Measured
from boundcalc.truth import exact_error, load_joint
from boundcalc.units import Unit, display, display_unit, from_nats, to_nats, to_nats_floor

# X = (X1, X2): (a, a) w.p. 1/2, (b, b) w.p. 3/10, (a, b) w.p. 1/5
TABLE = {"outcomes": [["a", "a"], ["b", "b"], ["a", "b"]], "probabilities": ["0.5", "0.3", "0.2"]}


def _h(*probs: float) -> float:
    return -math.fsum(p * math.log(p) for p in probs if p > 0)


H1, H2, H12 = _h(0.7, 0.3), _h(0.5, 0.5), _h(0.5, 0.3, 0.2)
#: one step revealing both tokens (T = 1): E KL = TC = H1 + H2 - H12 nats (= I(X1; X2) = I_1 = I_2 here)
TC_NATS = H1 + H2 - H12
TC_BITS = TC_NATS / math.log(2)
#: the loss curve d(L - k): d(0) = mean H(X_i) (k = 2 masked), d(1) = mean H(X_i | X_-i) (k = 1)
D0_BITS = (H1 + H2) / 2 / math.log(2)
D1_BITS = ((H12 - H2) + (H12 - H1)) / 2 / math.log(2)


@pytest.fixture
def table(write):
    return write("t.json", json.dumps(TABLE))


def _cell(text: str, label: str) -> float:
    """The first number after ``label`` on its line of a table."""
    line = next(line for line in text.splitlines() if label in line)
    return float(re.findall(r"\d+\.\d+(?:e-?\d+)?", line.split(label, 1)[1])[0])


# -- the one conversion -------------------------------------------------------------------------------------------
def test_from_nats_converts_every_float_kind_and_refuses_exact_values():
    import mpmath
    import numpy as np

    assert from_nats(TC_NATS, "bits") == TC_NATS / math.log(2) and from_nats(TC_NATS, "nats") == TC_NATS
    assert type(from_nats(np.float64(1.5), "nats")) is float
    assert list(from_nats(np.array([math.log(2), 2 * math.log(2)]), "bits")) == [1.0, 2.0]
    with mpmath.workdps(30):
        assert abs(from_nats(mpmath.log(8), "bits") - 3) < mpmath.mpf(10) ** -28
    m = from_nats(Measured(math.log(2), 1e-15, stderr=math.log(4), interpolation=0.0), "bits")
    assert (m.value, m.stderr, m.estimate) == (1.0, 2.0, True) and m.error >= 1e-15 / math.log(2)
    with pytest.raises(TypeError, match="exact"):
        from_nats(Fraction(1, 3), "bits")
    with pytest.raises(bc.UsageError, match="unit"):
        from_nats(1.0, "hartleys")
    assert to_nats(1.0, "bits") == math.log(2) and to_nats(0.25, Unit.NATS) == 0.25
    assert Unit.BITS.log_name == "log2" and Unit.NATS.latex_log == r"\ln"


def test_display_is_a_context_that_always_ends():
    assert display_unit() is Unit.NATS
    with display("bits") as unit:
        assert unit is Unit.BITS and from_nats(math.log(2)) == 1.0
        with display("nats"):
            assert from_nats(math.log(2)) == math.log(2)
        assert display_unit() is Unit.BITS
    with pytest.raises(RuntimeError):
        with display("bits"):
            raise RuntimeError("boom")
    assert display_unit() is Unit.NATS


def test_the_cli_sets_the_display_unit_only_for_its_command(run, table):
    assert run("verify", "--joint", table, "--schedule", "2", "--unit", "bits", "--json").exit_code == 0
    assert display_unit() is Unit.NATS
    # a usage error after --unit was parsed, and a library error inside the command: nothing left behind
    assert run("bound", "--unit", "bits", "--mi-total", "1", "-L", "4", "--schedule", "uniform:2",
               "--digits", "x").exit_code == 2
    assert display_unit() is Unit.NATS
    assert run("verify", "--joint", table, "--schedule", "5", "--unit", "bits").exit_code == 2
    assert display_unit() is Unit.NATS


def test_exact_bits_targets_become_conservative_nats():
    floor = to_nats_floor(Fraction(1, 2), "bits")
    assert isinstance(floor, Fraction) and floor.denominator <= 10**30
    ln2 = Fraction("0.69314718055994530941723212145817656807550013436")  # ln 2 to 47 digits (OEIS A002162)
    assert 0 <= ln2 / 2 - floor < Fraction(1, 10**30)  # ln 2 / 2, rounded down: never looser than asked
    assert to_nats_floor(Fraction(1, 3), "nats") == Fraction(1, 3)


# -- a value computed in nats, printed in bits by every printer -----------------------------------------------------
def test_engines_return_nats(table):
    model = load_joint(table)
    assert exact_error(model, "2") == pytest.approx(TC_NATS, rel=1e-14)
    assert bc.token_mi(model)[0] == pytest.approx(TC_NATS, rel=1e-14)
    assert model.entropy_profile().mi_total() == pytest.approx(2 * TC_NATS, rel=1e-14)


def test_table_printer_shows_bits(run, table, tmp_path):
    bits = run("verify", "--joint", table, "--schedule", "2", "--unit", "bits")
    nats = run("verify", "--joint", table, "--schedule", "2")
    assert bits.exit_code == nats.exit_code == 0
    assert _cell(bits.stdout, "exact error") == pytest.approx(TC_BITS, rel=1e-5)  # 6 digits shown
    assert _cell(nats.stdout, "exact error") == pytest.approx(TC_NATS, rel=1e-5)
    assert "(bits)" in bits.stdout
    written = run("profile", "--joint", table, "--unit", "bits", "--output", tmp_path / "mi.csv").stdout
    for label in ("ΣI", "mean per token", "max per token", "min per token"):  # I_1 = I_2 = TC here
        assert _cell(written, label) == pytest.approx((2 if label == "ΣI" else 1) * TC_BITS, rel=1e-5), label


def test_json_printer_shows_bits(run, table):
    data = run("verify", "--joint", table, "--schedule", "2", "--unit", "bits", "--json").json
    assert data["unit"] == "bits"
    assert float(data["truth"]["value"]) == pytest.approx(TC_BITS, rel=1e-12)  # every justified digit
    assert float(data["mi_total"]["value"]) == pytest.approx(2 * TC_BITS, rel=1e-12)
    confidence = run("steps", "--joint", table, "--family", "confidence", "--target", "1/2", "--unit", "bits",
                     "--json").json["results"][0]
    assert confidence["kl"] == pytest.approx(TC_BITS, rel=1e-12)  # the loosest τ reveals both at once here


def test_latex_printer_shows_bits(run, table):
    out = run("verify", "--joint", table, "--schedule", "2", "--unit", "bits", "--format", "latex").stdout
    line = next(line for line in out.splitlines() if line.startswith("Exact error"))
    assert float(re.search(r"\$(\d+\.\d+)\$", line).group(1)) == pytest.approx(TC_BITS, rel=1e-5)
    assert "bits" in out


def test_csv_printers_show_bits(run, table, tmp_path):
    profile = run("profile", "--joint", table, "--unit", "bits").stdout.splitlines()
    assert profile[1] == "index,mi_bits"
    assert [float(line.split(",")[1]) for line in profile[2:]] == pytest.approx([TC_BITS, TC_BITS], rel=1e-12)
    curve = tmp_path / "curve.csv"
    assert run("profile", "--joint", table, "--loss-curve", curve, "--unit", "bits").exit_code == 0
    rows = curve.read_text().splitlines()
    assert rows[0] == "masked,loss_bits"
    assert [float(r.split(",")[1]) for r in rows[1:]] == pytest.approx([D1_BITS, D0_BITS], rel=1e-12)
    # read back: the curve is in nats again, and its estimate is the exact error
    back = bc.load_loss_curve(curve)
    assert estimate_error(back, "2").value == pytest.approx(TC_NATS, rel=1e-12)


def test_library_printers_read_the_display_unit(table):
    curve = bc.LossCurve.from_conditional(load_joint(table).entropy_profile().conditional)
    estimate = estimate_error(curve, "2")  # nats
    assert estimate.value == pytest.approx(TC_NATS, rel=1e-12)
    with display("bits"):
        assert float(estimate.to_dict()["value"]) == pytest.approx(TC_BITS, rel=1e-12)
        assert float(estimate.show(6)) == pytest.approx(TC_BITS, rel=1e-5)
        assert curve.to_csv().splitlines()[0] == "masked,loss_bits"
        fig = bc.plot.loss_curve(curve)
        assert "bits" in fig.axes[0].get_ylabel()
    assert float(estimate.to_dict()["value"]) == pytest.approx(TC_NATS, rel=1e-12)


# -- exact values keep their unit ------------------------------------------------------------------------------------
def test_exact_bits_inputs_stay_exact_end_to_end(run, write):
    path = write("mi.csv", "index,mi_bits\n1,0.1\n2,0.2\n3,0.3\n4,0.15\n")
    profile = bc.load_profile(path)
    assert profile.unit is Unit.BITS and profile.total == Fraction(3, 4)
    report = bc.bound_report(profile, bc.Schedule.uniform(4, 2))
    # theorem 1: (2^ceil(log2 s_max) - 1)/L ΣI = (2 - 1)/4 · 3/4, exact, in bits
    assert report.unit is Unit.BITS and report.values["theorem1"] == Fraction(3, 16)
    assert all(isinstance(v, Fraction) for v in report.values.values() if v is not None)
    data = run("bound", "--mi-profile", path, "--schedule", "uniform:2", "--json").json
    assert data["unit"] == "bits" and data["bounds"]["theorem1"]["exact"] == "3/16"
    steps = run("steps", "--mi-profile", path, "--target", "3/16", "--json").json
    assert steps["unit"] == "bits" and steps["results"][0]["steps"] == 2  # decided exactly: 3/16 <= 3/16
    with pytest.raises(TypeError):
        from_nats(report.values["theorem1"], "nats")  # an exact value is never handed to the conversion


def test_nats_to_bits_is_written_once():
    """The conversion's arithmetic lives in units.py; everything else calls it."""
    pattern = re.compile(r"(math|mpmath|np|numpy)\.log\(2\)|\b_?LN_?2\b\s*=|/ *math\.log\(2\)")
    root = Path(bc.__file__).parent
    offenders = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py") if path.name != "units.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
    assert not hasattr(bc.truth, "to_unit") and units.from_nats is from_nats
