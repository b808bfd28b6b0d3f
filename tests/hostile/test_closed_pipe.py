"""A reader that closed the pipe (``boundcalc sweep ... | head -1``) ends boundcalc as it ends Unix tools: exit
141 (128 + SIGPIPE), nothing on stderr (no traceback, no "Error:" line), whichever printer was writing (rich
tables, click.echo of JSON/CSV/LaTeX, the help).

The pipe is real: the child's stdout is the write end of an os.pipe whose read end is closed before the child
starts, so its first write finds no reader, whatever the size of the output or the pipe's buffer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
while not (ROOT / "boundcalc").is_dir():  # the tests may sit one folder deeper (tests/<part>/)
    ROOT = ROOT.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def run_into_closed_pipe(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "boundcalc", *args], stdout=write, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, cwd=cwd, env=ENV, timeout=120)
    finally:
        os.close(write)


@pytest.mark.parametrize("args", [
    ["sweep", "--mi-total", "1", "-L", "64", "--steps", "1:64"],  # a rich table
    ["sweep", "--mi-total", "1", "-L", "64", "--steps", "1:64", "--csv"],
    ["steps", "--mi-total", "1", "-L", "10", "--target", "0.1", "--json"],
    ["latex", "--all"],
    ["--help"],
])
def test_a_closed_pipe_exits_141_quietly(args, tmp_path):
    done = run_into_closed_pipe(*args, cwd=tmp_path)
    assert done.returncode == 141, (done.returncode, done.stderr)
    assert done.stderr == "", done.stderr


def test_a_closed_pipe_leaves_a_written_output_whole(tmp_path):
    """profile writes its file first (atomically), then its summary to the closed pipe: the file is complete."""
    (tmp_path / "chain.json").write_text('{"states": ["a", "b"], "transition": [["1/2", "1/2"], ["1/3", "2/3"]]}')
    done = run_into_closed_pipe("profile", "--markov", "chain.json", "-L", "8", "-o", "mi.csv", cwd=tmp_path)
    assert done.returncode == 141 and done.stderr == ""
    assert (tmp_path / "mi.csv").read_text().count("\n") == 10  # the float64 mark, the header, 8 values
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chain.json", "mi.csv"]  # no temporary file left


def test_head_reading_one_line_of_a_long_table(tmp_path):
    """The issue's case through a shell: `boundcalc sweep ... | head -1` prints one line and no error."""
    done = subprocess.run(f"{sys.executable} -m boundcalc sweep --mi-total 1 -L 1024 --steps 1:1024 | head -1",
                          shell=True, capture_output=True, text=True, cwd=tmp_path, env=ENV, timeout=120)
    assert done.stdout.count("\n") == 1 and done.stderr == ""
