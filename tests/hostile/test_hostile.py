"""Every answer right or refused: hostile files and command lines never give a traceback or a hang.

The corpus (tests/hostile/files, rebuilt by tests/hostile/make_corpus.py) goes to
every file flag of every command, bad values to every number and schedule flag
(tests/hostile/cases.py), and hypothesis draws random command lines. Each must
exit 0, or 1 or 2 with exactly one line on stderr, within a time limit.
``python tests/hostile/run.py`` runs the same cases as real processes and counts them.
"""

from __future__ import annotations

import signal
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from boundcalc.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import BAD_NUMBERS, BAD_SCHEDULES, FILES, all_cases, destroyed, prepare, snapshot  # noqa: E402

TIME_LIMIT = 60  # seconds per command line: generous for a loaded 2-core machine; a hang never ends


@contextmanager
def time_limit(seconds: int):
    def fail(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(args: list[str]) -> int:
    runner = CliRunner(env={"COLUMNS": "200"})
    with time_limit(TIME_LIMIT):
        result = runner.invoke(main, args, catch_exceptions=True)
    shown = f"boundcalc {' '.join(a[:80] for a in args)}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{shown}: {type(result.exception).__name__}: {result.exception}") from result.exception
    assert result.exit_code in (0, 1, 2), f"{shown}: exit {result.exit_code}"
    if result.exit_code:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), f"{shown}: stderr {result.stderr!r}"
        assert len(lines[0]) <= 320, f"{shown}: a {len(lines[0])}-character message"
        assert "Traceback" not in result.output
    return result.exit_code


def test_the_corpus_is_current():
    import make_corpus

    for name, content in make_corpus.FILES.items():
        assert (FILES / name).read_bytes() == content, f"run tests/hostile/make_corpus.py ({name} differs)"


@pytest.mark.parametrize("args", all_cases(), ids=lambda args: " ".join(a[:24] for a in args)[:90])
def test_hostile_command_line(args, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # outputs, if any, land here, next to the scratch inputs and old outputs
    prepare(tmp_path)
    before = snapshot(tmp_path)
    code = check(args)
    assert not destroyed(before, tmp_path, code), f"boundcalc {' '.join(args)} changed {destroyed(before, tmp_path, code)}"


FLAGS = {
    "steps": ["--mi-total", "--mi-constant", "--length", "--target", "--eps-train", "--bound", "--digits", "--unit", "--vocab-size", "--json", "--exact"],
    "bound": ["--mi-total", "--mi-constant", "--length", "--schedule", "--eps-train", "--vocab-size", "--digits", "--json", "--unit"],
    "recursion": ["--smax", "--length", "--digits", "--json"],
    "latex": ["--expr", "--all", "--standalone", "--with-values", "--mi-total", "--length", "--schedule", "--smax", "--target"],
}
VALUES = st.sampled_from(BAD_NUMBERS + BAD_SCHEDULES + ["1", "2", "10", "0.5", "1/3", "uniform:4", "theorem1", "sharp", "bits", "nats"])


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(FLAGS)))
    args = [command]
    for _ in range(draw(st.integers(0, 6))):
        flag = draw(st.sampled_from(FLAGS[command]))
        args.append(flag)
        if flag not in ("--json", "--exact", "--all", "--standalone", "--with-values") or draw(st.booleans()):
            args.append(draw(VALUES | st.text(max_size=12)))
    return args


@settings(max_examples=300, deadline=None)
@given(command_lines())
def test_random_command_lines(args):
    check(args)
