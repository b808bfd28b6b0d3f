"""Figures: the plotted data are the sweep's numbers, every format is a real file, no matplotlib is a one-liner."""

from __future__ import annotations

import math
import os
import shutil
import sys

import pytest

import boundcalc as bc
from boundcalc import plot
from boundcalc.bounds import BOUNDS

CHAIN = bc.MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
L = 16


@pytest.fixture(scope="module")
def result():
    return bc.sweep(CHAIN, ["uniform", "cosine"], "1,2,4,8,16", length=L, optimal=True, eps_train="1/100")


def _lines(fig):
    return {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}


def _same(plotted, expected):
    """Plotted y data equal the numbers (0 and None are not drawn on a log axis: NaN)."""
    expected = [math.nan if v is None or float(v) <= 0 else float(v) for v in expected]
    assert len(plotted) == len(expected)
    for a, b in zip(plotted, expected):
        assert (math.isnan(a) and math.isnan(b)) or a == b


def test_error_vs_steps_draws_the_sweep(result):
    fig = plot.error_vs_steps(result, target="1/2")
    lines = _lines(fig)
    for family in result.families:
        rows = result.family_rows(family)
        _same(lines[f"{family}:error"].get_ydata(), [r.error for r in rows])
        assert list(lines[f"{family}:error"].get_xdata()) == [r.steps for r in rows]
        for name in ("theorem1", "recursion", "sharp", "corollary1", "theorem2_upper"):
            _same(lines[f"{family}:{name}"].get_ydata(), [r.bounds[name] for r in rows])
            assert lines[f"{family}:{name}"].get_linestyle() != "-"  # bounds are dashed
        assert lines[f"{family}:error"].get_linestyle() == "-"  # the truth is solid
        assert f"{family}:theorem2_lower" not in lines and f"{family}:ter" not in lines  # not bounds of this error
    _same(lines["optimal"].get_ydata(), [next(r.optimal for r in result.rows if r.steps == t) for t in result.steps])
    assert list(lines["target"].get_ydata()) == [0.5, 0.5]
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "nats" in ax.get_ylabel() and "T" in ax.get_xlabel()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    for name in ("theorem1", "recursion", "sharp", "corollary1", "theorem2_upper"):  # each bound with its equation
        assert any(BOUNDS[name].equation in text and BOUNDS[name].title in text for text in legend), name
    assert "matplotlib.pyplot" not in sys.modules  # figures are built without pyplot's global state


def test_error_vs_steps_chooses_bounds(result):
    lines = _lines(plot.error_vs_steps(result, bounds=["sharp"]))
    assert "uniform:sharp" in lines and "uniform:theorem1" not in lines
    with pytest.raises(bc.UsageError) as info:
        plot.error_vs_steps(result, bounds=["theorem2_lower"])
    assert info.value.param == "bounds"


def test_schedules_are_the_sizes(result):
    fig = plot.schedules(result, steps=[2, 8])
    lines = _lines(fig)
    assert len(fig.axes) == 2
    for family in result.families:
        by_t = {r.steps: r.schedule for r in result.family_rows(family)}
        for t in (2, 8):
            assert list(lines[f"{family}:T={t}"].get_ydata()) == list(by_t[t].sizes)
            assert list(lines[f"optimal:T={t}"].get_ydata()) == list(result.optimal_schedules[t].sizes)
    assert list(lines["cosine:T=8"].get_xdata()) == [(k + 0.5) / 8 for k in range(8)]


def test_curve_shows_the_entropy_profile_and_mi(result):
    fig = plot.curve(CHAIN, length=L, unit="bits")
    lines = _lines(fig)
    d = [x / math.log(2) for x in CHAIN.entropy_profile(L).conditional]
    assert list(lines["d"].get_ydata()) == pytest.approx(d + [d[-1]], rel=1e-12)
    assert list(lines["mi"].get_ydata()) == pytest.approx([x / math.log(2) for x in bc.token_mi(CHAIN, length=L)], rel=1e-12)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    tc = CHAIN.entropy_profile(L).total_correlation("bits")
    assert any(text.startswith(f"TC = {tc:.4g}") for text in labels)
    assert "bits" in fig.axes[0].get_ylabel()


def test_sandwich(result):
    lines = _lines(plot.sandwich(result))
    for family in result.families:
        rows = result.family_rows(family)
        for what in ("theorem2_upper", "theorem2_lower"):
            _same(lines[f"{family}:{what}"].get_ydata(), [r.bounds[what] for r in rows])
        _same(lines[f"{family}:random_error"].get_ydata(), [r.random_error for r in rows])
    with pytest.raises(bc.UsageError) as info:
        plot.sandwich(bc.sweep(bc.MIProfile.from_total(1, 8), "uniform", "1,2"))
    assert info.value.param == "kind"


MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-"}


@pytest.mark.parametrize("suffix", sorted(MAGIC))
def test_every_format_is_a_real_file(result, tmp_path, suffix):
    path = plot.save(plot.error_vs_steps(result), tmp_path / f"figure{suffix}")
    assert path.read_bytes().startswith(MAGIC[suffix]) and path.stat().st_size > 5000


@pytest.mark.latex
def test_pgf_for_latex_papers(result, tmp_path):
    if shutil.which("pdflatex") is None:
        if os.environ.get("BOUNDCALC_REQUIRE_PDFLATEX") == "1":
            pytest.fail("pdflatex is required (BOUNDCALC_REQUIRE_PDFLATEX=1) but not installed")
        pytest.skip("pdflatex is not installed (apt-get install texlive-latex-base); CI runs this")
    text = plot.save(plot.sandwich(result), tmp_path / "figure.pgf").read_text()
    assert "\\begin{pgfpicture}" in text and "Theorem 2, upper (12)" in text


def test_unknown_formats_are_refused(tmp_path):
    with pytest.raises(bc.UsageError) as info:
        plot.check_output(tmp_path / "figure.gif")
    assert info.value.param == "output"


def test_the_plot_command_writes_each_kind(run, write, tmp_path):
    chain = write("chain.json", '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}')
    for kind, suffix in (("error-vs-steps", ".png"), ("schedule", ".svg"), ("curve", ".pdf"), ("sandwich", ".png")):
        out = tmp_path / f"{kind}{suffix}"
        result = run("plot", "--markov", chain, "-L", "16", "--steps", "1,4,16", "--kind", kind, "-o", out)
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(MAGIC[suffix]) and result.stdout.startswith(f"wrote {out} ({kind}")


@pytest.mark.parametrize("args, message", [
    (["--mi-total", "1", "-L", "8", "--kind", "curve", "-o", "x.png"], "Error: --kind: the entropy profile needs a data model"),
    (["--mi-total", "1", "-L", "8", "-o", "x.gif"], "Error: --output: 'x.gif' has no known figure format"),
    (["--mi-total", "1", "-L", "8", "--kind", "schedule", "--target", "1", "-o", "x.png"], "Error: --target: it is only"),
])
def test_plot_errors_are_one_line(run, args, message):
    result = run("plot", *args)
    assert result.exit_code == 2 and result.stderr.startswith(message)


def test_without_matplotlib_the_command_says_how_to_install_it(run, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    result = run("plot", "--mi-total", "1", "-L", "8", "-o", tmp_path / "x.png")
    assert result.exit_code == 1  # a missing extra: the same code as [hf]
    assert result.stderr.strip() == "Error: matplotlib is not installed (pip install 'boundcalc[plot]')"
    with pytest.raises(ImportError):
        plot.require_matplotlib()
