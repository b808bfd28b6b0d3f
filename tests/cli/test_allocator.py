"""The command's process keeps freed memory for its next arrays (boundcalc.cli.allocator), never against the user."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from boundcalc.cli import allocator
from boundcalc.cli.allocator import MMAP_THRESHOLD, TOP_PAD, TRIM_THRESHOLD, keep_freed_memory


class FakeLibc:
    def __init__(self, answer: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.answer = answer

    def mallopt(self, option: int, value: int) -> int:
        self.calls.append((option, value))
        return self.answer


@pytest.fixture
def linux(monkeypatch):
    for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(allocator.sys, "platform", "linux")


def test_sets_glibcs_trim_threshold_top_pad_and_mmap_threshold(linux):
    libc = FakeLibc()
    assert keep_freed_memory(libc) is True
    # M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD of malloc.h: a fixed trim threshold freezes the mmap
    # threshold at 128 KiB unless it is set too
    assert libc.calls == [(-1, 1 << 30), (-2, 64 << 20), (-3, 32 << 20)]
    assert (TRIM_THRESHOLD, TOP_PAD, MMAP_THRESHOLD) == (1073741824, 67108864, 33554432)


def test_a_refused_setting_is_reported(linux):
    libc = FakeLibc(answer=0)  # musl's mallopt, or a value glibc refuses
    assert keep_freed_memory(libc) is False
    assert len(libc.calls) == 3


@pytest.mark.parametrize("name", ["MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES"])
def test_the_users_own_settings_win(linux, monkeypatch, name):
    monkeypatch.setenv(name, "1")
    libc = FakeLibc()
    assert keep_freed_memory(libc) is False and libc.calls == []


def test_no_mallopt_or_not_linux_changes_nothing(linux, monkeypatch):
    assert keep_freed_memory(object()) is False  # a C library without mallopt
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    libc = FakeLibc()
    assert keep_freed_memory(libc) is False and libc.calls == []


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_glibc_accepts_the_three_settings():
    """In a fresh process (the settings are process-wide) with no user setting: the real mallopt takes all three."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")}
    code = "from boundcalc.cli.allocator import keep_freed_memory; print(keep_freed_memory())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_freed_blocks_are_reused_not_faulted_in_again():
    """200 arrays of 2 MiB, each written and freed: with the three settings they come from the kept heap (a few
    hundred page faults in all); with the trim threshold alone each was a fresh mmap (512 faults each, ~10^5)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")}
    code = ("import resource, numpy as np\nfrom boundcalc.cli.allocator import keep_freed_memory\n"
            "assert keep_freed_memory()\nnp.ones(1 << 18)\nbefore = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(200):\n    a = np.ones(1 << 18)\n    del a\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 20_000
