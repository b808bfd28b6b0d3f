"""`sweep` pauses Python's cyclic garbage collector while it builds and prints its rows (boundcalc.cli.sweep.
collector_paused) and restores it as it was, also when the command fails."""

from __future__ import annotations

import gc

from boundcalc.cli import sweep as sweep_cli


def test_the_collector_is_paused_during_a_sweep_and_restored(run, monkeypatch):
    seen = []
    emit = sweep_cli.emit_csv

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return emit(*args, **kwargs)

    monkeypatch.setattr(sweep_cli, "emit_csv", spy)
    assert gc.isenabled()
    result = run("sweep", "--mi-total", "3", "--length", "16", "--steps", "1:4", "-f", "mdlm", "--csv")
    assert result.exit_code == 0 and result.stdout.count("\n") == 5
    assert seen == [False] and gc.isenabled()
    result = run("sweep", "--mi-total", "3", "--length", "16", "--steps", "1:4", "-f", "mdlm:bogus", "--csv")
    assert result.exit_code != 0 and gc.isenabled()  # restored after an error too
    gc.disable()
    try:
        assert run("sweep", "--mi-total", "3", "--length", "16", "--steps", "1:2", "--csv").exit_code == 0
        assert not gc.isenabled()  # a caller's disabled collector stays disabled
    finally:
        gc.enable()
