"""Issue 22: plot --kind schedule computes only what it draws (boundcalc.sweep_schedules) and draws its log axes as
counts. The schedules alone against the sweep's own rows, the figure from either byte for byte, the same refusals;
the count axis' labels and ticks."""

from __future__ import annotations

import io

import pytest

import boundcalc as bc
from boundcalc import plot
from boundcalc.curve import LossCurve
from boundcalc.errors import BoundcalcError
from boundcalc.sweep_schedules import ScheduleSweep, schedule_sweep, schedules_only

L = 64
CURVE = LossCurve(length=L, masked=[8, 16, 24, 32, 40, 48, 56, 64], loss=[0.2, 0.25, 0.31, 0.36, 0.42, 0.5, 0.57, 0.66],
                  source="c")
PROFILE = bc.MIProfile.from_total(10, L)
FAMILIES = ["uniform", "cosine", "dream", "mdlm", "mdlm:linear", "blocks:4:uniform:T"]


def _sizes(row):
    return list(row.schedule.expected_sizes() if row.random_counts else row.schedule.sizes)


@pytest.mark.parametrize("source, families", [(CURVE, FAMILIES + ["info-optimal:T"]), (PROFILE, FAMILIES)])
def test_the_schedules_alone_are_the_sweeps_rows(source, families):
    """Each (family, T) has the sweep's schedule (its sizes, expected sizes for random counts), the same rows skipped
    (dream has no schedule with an empty step), and no bound or error computed."""
    steps = "1,2,3,5,33,64"
    alone = schedule_sweep(source, families, steps)
    swept = bc.sweep(source, families, steps)
    assert isinstance(alone, ScheduleSweep) and schedules_only(source)
    assert alone.families == swept.families and alone.steps == swept.steps and alone.length == swept.length
    assert alone.skipped == swept.skipped
    assert [(r.family, r.steps) for r in alone.rows] == [(r.family, r.steps) for r in swept.rows]
    for mine, theirs in zip(alone.rows, swept.rows):
        assert _sizes(mine) == _sizes(theirs) and mine.schedule.name == theirs.schedule.name
        assert mine.bounds == {} and mine.error is None


def _png(result):
    fig = plot.schedules(result)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=60)
    return out.getvalue()


def test_the_figure_is_the_same_from_either():
    steps = (2, 9, 40)
    families = ["uniform", "cosine", "mdlm", "info-optimal:T"]
    assert _png(schedule_sweep(CURVE, families, steps)) == _png(bc.sweep(CURVE, families, steps))


@pytest.mark.parametrize("source, families, steps", [
    (CURVE, ["uniform", "uniform"], "1,2"),          # a family twice
    (PROFILE, ["info-optimal:T"], "1,2"),            # computed from a curve: an MI profile has none
    (CURVE, ["optimal:T"], "1,2"),                   # the DP's column, not a family
    (CURVE, ["uniform"], "1,65"),                    # T > L with a fixed family
    (CURVE, ["nosuchfamily"], "1,2"),
    (CURVE, [], "1,2"),
])
def test_the_same_refusals_as_the_sweep(source, families, steps):
    with pytest.raises(BoundcalcError) as theirs:
        bc.sweep(source, families, steps)
    with pytest.raises(BoundcalcError) as mine:
        schedule_sweep(source, families, steps)
    assert type(mine.value) is type(theirs.value) and str(mine.value) == str(theirs.value)


def test_an_mi_profiles_unit_is_checked_as_the_sweep_does():
    with pytest.raises(BoundcalcError) as theirs:
        bc.sweep(PROFILE, ["uniform"], "1,2", unit="bits")
    with pytest.raises(BoundcalcError) as mine:
        schedule_sweep(PROFILE, ["uniform"], "1,2", unit="bits")
    assert str(mine.value) == str(theirs.value)


def test_a_data_model_takes_the_sweep():
    assert not schedules_only(bc.MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.2", "0.8"]]))


def test_a_log_count_axis_reads_as_counts_without_minor_ticks():
    """Sizes over more than a factor 30: a log axis labelled 1, 10, 100 (not 10^k in mathtext), no minor ticks."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import NullLocator

    fig = plot.schedules(schedule_sweep(bc.MIProfile.from_total(10, 1024), ["uniform"], "2,45,1023"))
    FigureCanvasAgg(fig).draw()
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and isinstance(ax.yaxis.get_minor_locator(), NullLocator)
    shown = [t.get_text() for t in ax.get_yticklabels() if ax.get_ylim()[0] <= t.get_position()[1] <= ax.get_ylim()[1]]
    assert shown == ["1", "10", "100"]
    assert not any("$" in text for text in shown)
