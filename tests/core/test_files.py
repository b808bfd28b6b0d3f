"""Outputs are written atomically and never over an input: boundcalc.files.write_output / check_output and the CLI.

Each test builds its files in tmp_path and checks the bytes on disk afterwards:
an output that is an input (by name, symlink or hard link) is refused before
work and the input is unchanged; an interrupted write (an exception, SIGTERM)
leaves the old file byte for byte; concurrent writers leave one whole file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from boundcalc import files
from boundcalc.errors import OutputError, UsageError

CURVE = "masked,loss_nats\n1,0.3\n2,0.4\n4,0.5\n"
ROOT = Path(__file__).resolve().parents[2]


def test_write_output_replaces_the_file_whole_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o640)
    assert files.write_output(target, "new ✓") == target
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary file left


def test_write_output_through_a_symlink_writes_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    (tmp_path / "link.txt").symlink_to(real)
    files.write_output(tmp_path / "link.txt", b"new")
    assert (tmp_path / "link.txt").is_symlink() and real.read_bytes() == b"new"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def full(fd):  # what a full disk does at the last moment
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OutputError, match="cannot write .*out.csv.*No space left on device"):
        files.write_output(target, "new")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_devices_are_written_in_place_and_their_errors_are_one_line(tmp_path):
    files.write_output("/dev/null", "x")  # /dev/null stays a device
    assert Path("/dev/null").is_char_device()
    with pytest.raises(OutputError, match="No space left on device"):
        files.write_output("/dev/full", "x" * 10_000)


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "nodir" / "x.png", "the folder .* does not exist"),
    (lambda d: d / "f.txt" / "x.png", "is not a folder"),
    (lambda d: d, "is a folder"),
    (lambda d: d / ("a" * 300 + ".png"), "the file name has 304 bytes"),
    (lambda d: Path("/proc/self/x.png"), "cannot write '/proc/self/x.png'"),
    (lambda d: "", "an empty file name"),
])
def test_check_output_refuses_before_work(tmp_path, make, message):
    (tmp_path / "f.txt").write_text("keep")
    with pytest.raises(UsageError, match=message):
        files.check_output(make(tmp_path), param="--output")
    assert (tmp_path / "f.txt").read_text() == "keep"


def test_check_output_finds_an_input_by_symlink_and_by_hard_link(tmp_path):
    source = tmp_path / "c.csv"
    source.write_text(CURVE)
    (tmp_path / "sym.csv").symlink_to(source)
    os.link(source, tmp_path / "hard.csv")
    for output in ("c.csv", "sym.csv", "hard.csv", "./sub/../c.csv"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(UsageError, match="is also the input --loss-curve"):
            files.check_output(tmp_path / output, inputs={"--loss-curve": source})
    files.check_output(tmp_path / "other.csv", inputs={"--loss-curve": source})  # a new file is fine


@pytest.mark.parametrize("args", [
    ["latex", "--expr", "theorem1", "--with-values", "--loss-curve", "{c}", "--schedule", "uniform:4", "-o", "{c}"],
    ["latex", "--expr", "theorem1", "--with-values", "--loss-curve", "{c}", "--schedule", "uniform:4", "-o", "{link}"],
    ["latex", "--expr", "theorem1", "--with-values", "--loss-curve", "{c}", "--schedule", "uniform:4", "--bib", "{c}"],
    ["latex", "--expr", "theorem1", "--with-values", "--mi-total", "1", "-L", "3", "--schedule", "{c}", "-o", "{c}"],
    ["latex", "--expr", "theorem1", "--with-values", "--mi-profile", "{c}", "--schedule", "1", "--bib", "{link}"],
    ["plot", "--loss-curve", "{c}", "-o", "{png}"],
    ["profile", "--markov", "{chain}", "-L", "3", "-o", "{chain}"],
    ["profile", "--markov", "{chain}", "-L", "3", "--loss-curve", "{chain}"],
    ["profile", "--markov", "{chain}", "-L", "4", "--multiscale", "--smax", "2", "-o", "{chainlink}"],
    ["latex", "--all", "-o", "{new}", "--bib", "{new}"],
])
def test_an_output_that_is_an_input_is_refused_before_work(run, tmp_path, args):
    paths = {"c": tmp_path / "c.csv", "link": tmp_path / "link.csv", "png": tmp_path / "c.png",
             "chain": tmp_path / "chain.json", "chainlink": tmp_path / "chain-link.json", "new": tmp_path / "new.tex"}
    paths["c"].write_text(CURVE)
    paths["link"].symlink_to(paths["c"])
    paths["png"].symlink_to(paths["c"])
    paths["chain"].write_text('{"states": ["a", "b"], "transition": [["1/2", "1/2"], ["1/3", "2/3"]]}')
    paths["chainlink"].symlink_to(paths["chain"])
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    result = run(*[a.format(**paths) for a in args])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and ("is also the input" in result.stderr or "is also the output" in result.stderr)
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before and not (tmp_path / "new.tex").exists()


def test_output_errors_name_the_path_in_one_line(run, tmp_path):
    (tmp_path / "f.txt").write_text("keep")
    (tmp_path / "full.pdf").symlink_to("/dev/full")
    (tmp_path / "full.csv").symlink_to("/dev/full")
    cases = [
        (["plot", "--mi-total", "1", "-L", "8", "-o", tmp_path / "nodir" / "x.png"], 2, "does not exist"),
        (["plot", "--mi-total", "1", "-L", "8", "-o", tmp_path / "f.txt" / "x.png"], 2, "is not a folder"),
        (["plot", "--mi-total", "1", "-L", "8", "-o", "/proc/self/x.png"], 2, "/proc/self/x.png"),
        (["plot", "--mi-total", "1", "-L", "8", "-o", tmp_path / ("a" * 300 + ".png")], 2, "file name has 304 bytes"),
        (["plot", "--mi-total", "1", "-L", "8", "-o", tmp_path / "full.pdf"], 1, "No space left on device"),
        (["profile", "--markov", ROOT / "boundcalc/data/default_markov.json", "-L", "3", "--loss-curve",
          tmp_path / "full.csv"], 1, "No space left on device"),
        (["profile", "--markov", ROOT / "boundcalc/data/default_markov.json", "-L", "4", "--multiscale", "--smax", "2",
          "-o", tmp_path / "full.csv"], 1, "No space left on device"),
        (["latex", "--all", "--bib", tmp_path / "full.csv"], 1, "No space left on device"),
    ]
    for args, code, message in cases:
        result = run(*args)
        assert result.exit_code == code and result.stderr.count("\n") == 1 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
    assert (tmp_path / "f.txt").read_text() == "keep"


SLOW_WRITER = textwrap.dedent("""
    import os, sys, time
    real = os.fsync
    def slow(fd):  # the temporary file is complete but not yet renamed: the worst moment for a signal
        print("writing", flush=True)
        time.sleep(60)
        real(fd)
    os.fsync = slow
    from boundcalc.cli import main
    main(sys.argv[1:], prog_name="boundcalc")
""")


def test_sigterm_while_writing_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.tex"
    target.write_bytes(b"old content " * 50_000)  # a 600 kB file
    before = target.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, "latex", "--all", "-o", str(target)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert child.stdout.readline().strip() == "writing"
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 128 + signal.SIGTERM and "Traceback" not in err
    assert target.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["out.tex"]


def test_concurrent_writers_leave_one_whole_file(tmp_path):
    target = tmp_path / "out.bin"
    payloads = [bytes([65 + i]) * 300_000 for i in range(2)]
    target.write_bytes(payloads[0])
    seen: list[bytes] = []

    def writer(payload: bytes) -> None:
        for _ in range(15):
            files.write_output(target, payload)

    def reader() -> None:
        for _ in range(60):
            seen.append(target.read_bytes())

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads] + [threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert target.read_bytes() in payloads and all(content in payloads for content in seen)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]
