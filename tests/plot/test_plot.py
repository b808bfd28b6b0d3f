"""Figures: the plotted data are the sweep's numbers, the defaults are readable, every format is a real file."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import boundcalc as bc
from boundcalc import plot
from boundcalc.bounds import BOUNDS
from boundcalc.curve import LossCurve
from boundcalc.estimate import estimate_error
from boundcalc.units import display

CHAIN = bc.MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]])
L = 16
DRAWABLE = ("theorem1", "recursion", "sharp", "corollary1", "theorem2_upper")


@pytest.fixture(scope="module")
def result():
    return bc.sweep(CHAIN, ["uniform", "cosine"], "1,2,4,8,16", length=L, optimal=True, eps_train="1/100")


@pytest.fixture(scope="module")
def measured():
    """A loss curve with stderr at 6 of 16 mask counts (no pooling in the fit: d is linear in the losses)."""
    return LossCurve(length=L, masked=[1, 3, 6, 9, 13, 16], loss=[0.30, 0.34, 0.40, 0.45, 0.52, 0.60],
                     stderr=[0.01, 0.012, 0.008, 0.01, 0.02, 0.015], source="measured")


def _estimated_sweep(curve, families=("uniform", "cosine")):
    from boundcalc.truth.core import EntropyProfile

    profile = EntropyProfile(curve.conditional("linear"), source="c", meta={"estimate": True})
    return bc.sweep(profile, list(families), "1,2,4,8,16")


def _lines(fig):
    return {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}


def _same(plotted, expected):
    """Plotted y data equal the numbers (0 and None are not drawn on a log axis: NaN)."""
    expected = [math.nan if v is None or float(v) <= 0 else float(v) for v in expected]
    assert len(plotted) == len(expected)
    for a, b in zip(plotted, expected):
        assert (math.isnan(a) and math.isnan(b)) or a == b


def _legend_texts(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_by_default_the_truth_and_the_tightest_bound_per_family(result):
    fig = plot.error_vs_steps(result, target="1/2")
    lines = _lines(fig)
    for family in result.families:
        rows = result.family_rows(family)
        _same(lines[f"{family}:error"].get_ydata(), [r.error for r in rows])
        assert list(lines[f"{family}:error"].get_xdata()) == [r.steps for r in rows]
        drawn = [name for name in DRAWABLE if f"{family}:{name}" in lines]
        assert len(drawn) == 1  # one bound per family by default
        # among the bounds defined at every T (theorem2_upper is not at T = L), the least product of the
        # values over the T where all are positive, by a plain loop
        full = [name for name in DRAWABLE if all(r.bounds[name] is not None for r in rows)]
        assert "theorem2_upper" not in full and "sharp" in full
        products = {}
        for name in full:
            product = 1.0
            for r in rows:
                if all(r.bounds[n] > 0 for n in full):
                    product *= float(r.bounds[name])
            products[name] = product
        assert products[drawn[0]] == min(products.values())
        assert drawn[0] == plot.tightest_bound(result, family)
        _same(lines[f"{family}:{drawn[0]}"].get_ydata(), [r.bounds[drawn[0]] for r in rows])
        assert lines[f"{family}:{drawn[0]}"].get_linestyle() != "-" and lines[f"{family}:error"].get_linestyle() == "-"
        for r in rows:  # every bound drawn holds
            assert r.error <= float(r.bounds[drawn[0]]) + 1e-12
    _same(lines["optimal"].get_ydata(), [next(r.optimal for r in result.rows if r.steps == t) for t in result.steps])
    assert list(lines["target"].get_ydata()) == [0.5, 0.5]
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "nats" in ax.get_ylabel() and "T" in ax.get_xlabel()
    assert len(fig.legends) == 2  # the families (colour + marker), and the kinds of line
    families = [t.get_text() for t in fig.legends[0].get_texts()]
    assert families == ["uniform", "cosine"]
    assert "exact error" in _legend_texts(fig)
    assert "matplotlib.pyplot" not in sys.modules  # figures are built without pyplot's global state


def test_families_differ_by_colour_and_marker(result):
    lines = _lines(plot.error_vs_steps(result))
    a, b = lines["uniform:error"], lines["cosine:error"]
    assert a.get_color() != b.get_color() and a.get_marker() != b.get_marker()


def test_chosen_and_all_bounds(result):
    lines = _lines(plot.error_vs_steps(result, bounds=["sharp", "theorem1"]))
    assert "uniform:sharp" in lines and "uniform:theorem1" in lines and "uniform:recursion" not in lines
    fig = plot.error_vs_steps(result, bounds=plot.ALL)
    lines = _lines(fig)
    dashes = set()
    for name in DRAWABLE:
        _same(lines[f"cosine:{name}"].get_ydata(), [r.bounds[name] for r in result.family_rows("cosine")])
        dashes.add(str(lines[f"cosine:{name}"].get_dashes() if hasattr(lines[f"cosine:{name}"], "get_dashes")
                       else lines[f"cosine:{name}"]._dash_pattern))
    legend = _legend_texts(fig)
    for name in DRAWABLE:  # each bound with its equation in the legend of lines
        assert any(BOUNDS[name].equation in text and BOUNDS[name].title in text for text in legend), name
    assert len({tuple(lines[f"cosine:{n}"]._dash_pattern[1] or ()) for n in DRAWABLE}) == len(DRAWABLE)
    with pytest.raises(bc.UsageError) as info:
        plot.error_vs_steps(result, bounds=["theorem2_lower"])
    assert info.value.param == "bounds"


def test_every_bound_has_its_own_dash():
    from boundcalc.bounds import BOUNDS as registry

    drawable = [n for n, b in registry.items() if b.quantity == "kl" and b.about == "schedule"]
    assert len({plot.style.bound_dash(i) for i in range(len(drawable))}) == len(drawable)  # blockwise ones too


def test_an_error_of_zero_is_marked_on_the_axis(result):
    lines = _lines(plot.error_vs_steps(result))
    rows = result.family_rows("uniform")
    assert rows[-1].steps == L and rows[-1].error == 0
    zero = lines["uniform:error:zero"]
    assert list(zero.get_xdata()) == [L] and list(zero.get_ydata()) == [0.0]  # y in axes coordinates: the bottom
    assert zero.get_clip_on() is False


def test_estimates_are_labelled_and_carry_stderr_bands(measured):
    estimated = _estimated_sweep(measured)
    fig = plot.error_vs_steps(estimated, curve=measured)
    texts = _legend_texts(fig)
    assert any(t.startswith("estimated error") and "stderr" in t for t in texts)
    assert not any("exact" in t for t in texts)
    ax = fig.axes[0]
    band = next(c for c in ax.collections if c.get_gid() == "uniform:error:band")
    top = band.get_paths()[0].vertices[:, 1].max()
    rows = estimated.family_rows("uniform")
    # the stderr of the error by finite differences of the estimate in each measured loss (a second method)
    row = max(rows, key=lambda r: r.error)
    base = estimate_error(measured, row.schedule).value
    gradient = []
    for i in range(len(measured.loss)):
        loss = np.array(measured.loss, dtype=float)
        loss[i] += 1e-6
        moved = LossCurve(length=L, masked=measured.masked, loss=loss, stderr=measured.stderr)
        gradient.append((estimate_error(moved, row.schedule).value - base) / 1e-6)
    stderr = math.sqrt(sum((g * s) ** 2 for g, s in zip(gradient, measured.stderr)))
    assert top == pytest.approx(row.error + 2 * stderr, rel=1e-4)
    assert not any("exact" in t for t in _legend_texts(plot.sandwich(estimated, curve=measured)))


def test_schedules_are_step_plots_of_the_sizes(result):
    fig = plot.schedules(result, steps=[2, 8])
    lines = _lines(fig)
    assert len(fig.axes) == 2
    for family in result.families:
        by_t = {r.steps: r.schedule for r in result.family_rows(family)}
        for t in (2, 8):
            line = lines[f"{family}:T={t}"]
            sizes = list(by_t[t].sizes)
            assert list(line.get_ydata()) == sizes + [sizes[-1]] and line.get_drawstyle() == "steps-post"
            assert line.get_marker() in (None, "None", "")  # no markers: readable at any T
            assert list(lines[f"optimal:T={t}"].get_ydata())[:-1] == list(result.optimal_schedules[t].sizes)
    assert list(lines["cosine:T=8"].get_xdata()) == [k / 8 for k in range(9)]


def test_every_family_gets_a_filled_schedule_panel():
    swept = bc.sweep(bc.MIProfile.from_total(10, 1024), ["uniform", "blocks:4:uniform:T"], "3,8,545")
    lines = _lines(plot.schedules(swept))
    assert {"uniform:T=545", "blocks:4:uniform:T:T=8"} <= set(lines)  # blocks: its own T (multiples of 4)
    # T = 545 > 96 steps: per 1/96 of the run, the mean size as the line and the range as a band
    sizes = next(r.schedule.sizes for r in swept.family_rows("uniform") if r.steps == 545)
    cuts = [round(j * 545 / 96) for j in range(97)]
    stretches = [sizes[a:b] for a, b in zip(cuts, cuts[1:])]
    assert list(lines["uniform:T=545"].get_ydata())[:-1] == pytest.approx([sum(s) / len(s) for s in stretches])
    assert sum(sizes) == 1024 and {1, 2} == set(sizes)  # the band spans 1 to 2 where the sizes change
    bands = [c for ax in plot.schedules(swept).axes for c in ax.collections if c.get_gid() == "uniform:T=545:band"]
    assert len(bands) == 1


def test_curve_shows_the_entropy_profile_and_mi():
    with display("bits"):  # computed in nats, drawn in bits
        fig = plot.curve(CHAIN, length=L)
    lines = _lines(fig)
    d = [x / math.log(2) for x in CHAIN.entropy_profile(L).conditional]
    assert list(lines["d"].get_ydata()) == pytest.approx(d + [d[-1]], rel=1e-12)
    assert list(lines["mi"].get_ydata()) == pytest.approx([x / math.log(2) for x in bc.token_mi(CHAIN, length=L)], rel=1e-12)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    tc = CHAIN.entropy_profile(L).total_correlation() / math.log(2)
    assert any(text.startswith(f"TC = {tc:.4g}") for text in labels)
    assert "bits" in fig.axes[0].get_ylabel()


def test_a_loss_curve_shows_its_points_with_error_bars_and_the_interpolation(measured):
    fig = plot.loss_curve(measured)
    lines = _lines(fig)
    assert list(lines["interpolation"].get_xdata()) == list(range(1, L + 1))
    # d(L - k) interpolates linearly between measured points: at k = 2 halfway between k = 1 and k = 3
    assert lines["interpolation"].get_ydata()[1] == pytest.approx((0.30 + 0.34) / 2)
    assert list(lines["measured"].get_ydata()) == pytest.approx(list(measured.loss))
    bars = next(c for c in fig.axes[0].collections if c.get_gid() == "measured:bars")
    heights = [seg[1][1] - seg[0][1] for seg in bars.get_segments()]
    assert heights == pytest.approx([4 * s for s in measured.stderr])  # ±2 stderr
    assert "estimated" in fig.axes[0].get_title()


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


def test_title_size_and_range(result):
    fig = plot.error_vs_steps(result, title="my title", figsize=(5.0, 3.0), ylim=(1e-3, 10.0))
    assert fig.legends[0].get_title().get_text() == "my title"
    assert fig.get_figwidth() == 5.0 and fig.axes[0].get_ylim() == pytest.approx((1e-3, 10.0))


MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-"}


@pytest.mark.parametrize("suffix", sorted(MAGIC))
def test_every_format_is_a_real_file(result, tmp_path, suffix):
    path = plot.save(plot.error_vs_steps(result), tmp_path / f"figure{suffix}")
    assert path.read_bytes().startswith(MAGIC[suffix]) and path.stat().st_size > 5000


@pytest.mark.latex
def test_pgf_for_latex_papers(result, tmp_path):
    from latex_compile import compile_latex

    missing = plot._missing_tex()
    if missing is not None:
        compile_latex("", tmp_path)  # skips, or fails when CI requires LaTeX
        pytest.skip(missing)
    text = plot.save(plot.sandwich(result), tmp_path / "figure.pgf").read_text()
    assert "\\begin{pgfpicture}" in text and "Theorem 2, upper (12)" in text
    compile_latex("\\documentclass{article}\\usepackage{pgf}\\begin{document}\n\\input{figure.pgf}\n\\end{document}\n",
                  tmp_path)


def test_without_pgf_the_error_names_the_package(monkeypatch, tmp_path):
    import shutil
    import subprocess

    plot._missing_tex.cache_clear()
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 1, stdout="", stderr=""))
    try:
        with pytest.raises(bc.UsageError) as info:
            plot.check_output(tmp_path / "f.pgf")
    finally:
        plot._missing_tex.cache_clear()
    assert "pgf.sty" in str(info.value) and "texlive-pictures" in str(info.value) and "\n" not in str(info.value)


def test_unknown_formats_are_refused(tmp_path):
    with pytest.raises(bc.UsageError) as info:
        plot.check_output(tmp_path / "figure.gif")
    assert info.value.param == "output"


def test_the_plot_command_writes_each_kind(run, write, tmp_path):
    chain = write("chain.json", '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}')
    curve = write("c.csv", "masked,loss_nats,stderr_nats\n1,0.3,0.01\n8,0.4,0.01\n16,0.6,0.02\n")
    cases = [(["--markov", chain, "-L", "16", "--steps", "1,4,16"], "error-vs-steps", ".png"),
             (["--markov", chain, "-L", "16", "--steps", "1,4,16"], "schedule", ".svg"),
             (["--markov", chain, "-L", "16"], "curve", ".pdf"),
             (["--markov", chain, "-L", "16", "--steps", "1,4,16"], "sandwich", ".png"),
             (["--loss-curve", curve, "-L", "16"], "curve", ".png"),
             (["--loss-curve", curve, "-L", "16", "--steps", "1,4,16", "--all-bounds", "--title", "t",
               "--figsize", "4,3", "--ylim", "0.01,100"], "error-vs-steps", ".png")]
    for i, (args, kind, suffix) in enumerate(cases):
        out = tmp_path / f"{i}{suffix}"
        result = run("plot", *args, "--kind", kind, "-o", out)
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(MAGIC[suffix]) and result.stdout.startswith(f"wrote {out} ({kind}")


@pytest.mark.parametrize("args, message", [
    (["--mi-total", "1", "-L", "8", "--kind", "curve", "-o", "x.png"], "Error: --kind: the curve figure needs a data model"),
    (["--mi-total", "1", "-L", "8", "-o", "x.gif"], "Error: --output: 'x.gif' has no known figure format"),
    (["--mi-total", "1", "-L", "8", "--kind", "schedule", "--target", "1", "-o", "x.png"], "Error: --target: it is only"),
    (["--mi-total", "1", "-L", "8", "--bound", "sharp", "--all-bounds", "-o", "x.png"], "Error: --all-bounds: give"),
    (["--mi-total", "1", "-L", "8", "--figsize", "4", "-o", "x.png"], "Error: --figsize: '4' is not two numbers"),
    (["--mi-total", "1", "-L", "8", "--ylim", "3,1", "-o", "x.png"], "Error: --ylim: '3,1' is out of range"),
])
def test_plot_errors_are_one_line(run, args, message):
    result = run("plot", *args)
    assert result.exit_code == 2 and result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_without_matplotlib_the_command_says_how_to_install_it(run, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    result = run("plot", "--mi-total", "1", "-L", "8", "-o", tmp_path / "x.png")
    assert result.exit_code == 1  # a missing extra: the same code as [hf]
    assert result.stderr.strip() == "Error: matplotlib is not installed (pip install 'boundcalc[plot]')"
    with pytest.raises(ImportError):
        plot.require_matplotlib()


def test_a_partial_curve_draws_each_error_interval_as_a_hatched_band(run, write, tmp_path):
    """k = 3..13 of 16 measured: every estimated error (and the random schedule's in the sandwich) has an interval
    over the monotone completions, drawn from its low to its high end at each T (ends at 0 or ∞ to the axis)."""
    from boundcalc.completion import error_interval
    from boundcalc.estimate import schedule_coefficients

    partial = LossCurve(length=L, masked=[3, 6, 9, 13], loss=[0.34, 0.40, 0.45, 0.52],
                        stderr=[0.012, 0.008, 0.01, 0.02], source="partial")
    swept = bc.sweep(partial, ["uniform", "cosine"], "1,2,4,8", vocab_size=2)
    fig = plot.error_vs_steps(swept, curve=partial)
    ax = fig.axes[0]
    bottom, top = ax.get_ylim()
    assert any(t.startswith("hatched: range over all monotone completions") for t in _legend_texts(fig))
    for family in ("uniform", "cosine"):
        band = next(c for c in ax.collections if c.get_gid() == f"{family}:error:interval")
        vertices = band.get_paths()[0].vertices
        for row in swept.family_rows(family):
            low, high = error_interval(partial, schedule_coefficients(row.schedule, L), 2)  # nats = the unit
            ys = vertices[np.isclose(vertices[:, 0], row.steps), 1]
            assert ys.max() == pytest.approx(min(high, top), rel=1e-9)
            assert ys.min() == pytest.approx(max(low, bottom), rel=1e-9)
    sandwich = plot.sandwich(swept, curve=partial)
    gids = {c.get_gid() for a in sandwich.axes for c in a.collections}
    assert {"uniform:error:interval", "uniform:random_error:interval"} <= gids
    # a whole curve has no interval: no band, no legend line
    whole_curve = LossCurve(length=L, masked=list(range(1, L + 1)), loss=[0.3 + 0.01 * k for k in range(L)])
    whole = plot.error_vs_steps(bc.sweep(whole_curve, ["uniform"], "1,2,4"), curve=whole_curve)
    assert not any("interval" in str(c.get_gid()) for a in whole.axes for c in a.collections)
    curve_file = write("partial.csv", "masked,loss_nats,stderr_nats\n3,0.34,0.012\n6,0.40,0.008\n9,0.45,0.01\n")
    out = tmp_path / "bands.png"
    result = run("plot", "--loss-curve", curve_file, "--length", "16", "-f", "uniform", "--steps", "1,2,4",
                 "--vocab-size", "2", "-o", out)
    assert result.exit_code == 0 and out.exists(), result.output
    refused = run("plot", "--mi-total", "1", "-L", "8", "--vocab-size", "2", "-o", tmp_path / "x.png")
    assert refused.exit_code == 2 and refused.stderr.startswith("Error: --vocab-size: it is used only with --loss-curve")


def test_a_partial_curve_draws_each_bound_interval_as_a_hatched_band():
    """The bounds move with a partial curve's ΣI: Theorem 1 = (2^ceil(log2 s_max) - 1)/L · ΣI is drawn with the band
    from that coefficient times ΣI's low end to it times ΣI's high end (ΣI's interval from the completions alone:
    L (d(0) - d(L-1)) with d(0) in [d(m_lo), ln V], d(L-1) in [0, d(m_hi)]), in both figures."""
    from boundcalc.completion import input_intervals

    partial = LossCurve(length=L, masked=[3, 6, 9, 13], loss=[0.34, 0.40, 0.45, 0.52],
                        stderr=[0.012, 0.008, 0.01, 0.02], source="partial")
    swept = bc.sweep(partial, ["uniform"], "1,2,4,8", vocab_size=2)
    mi_low, mi_high = input_intervals(partial, None, 2)["mi_total"]
    # by hand: d(0) in [0.52, ln 2], d(15) in [0, 0.34]: ΣI in [16 (0.52 - 0.34), 16 ln 2]
    assert (mi_low, mi_high) == (pytest.approx(16 * 0.18), pytest.approx(16 * math.log(2)))
    fig = plot.error_vs_steps(swept, curve=partial, bounds=["theorem1"])
    ax = fig.axes[0]
    bottom, top = ax.get_ylim()
    band = next(c for c in ax.collections if c.get_gid() == "uniform:theorem1:interval")
    vertices = band.get_paths()[0].vertices
    for row in swept.family_rows("uniform"):
        s_max = -(-L // row.steps)
        coefficient = (2 ** math.ceil(math.log2(s_max)) - 1) / L
        ys = vertices[np.isclose(vertices[:, 0], row.steps), 1]
        assert ys.min() == pytest.approx(max(coefficient * mi_low, bottom), rel=1e-9)
        assert ys.max() == pytest.approx(min(coefficient * mi_high, top), rel=1e-9)
    gids = {c.get_gid() for a in plot.sandwich(swept, curve=partial).axes for c in a.collections}
    assert {"uniform:theorem2_upper:interval", "uniform:theorem2_lower:interval"} <= gids
    # a curve with both ends measured: ΣI is fixed, the bounds are points, no band for them
    ends = LossCurve(length=L, masked=[1, 6, 16], loss=[0.30, 0.40, 0.60], source="ends")
    gids = {c.get_gid() for c in plot.error_vs_steps(bc.sweep(ends, ["uniform"], "1,2,4"), curve=ends,
                                                     bounds=["theorem1"]).axes[0].collections}
    assert "uniform:theorem1:interval" not in gids
