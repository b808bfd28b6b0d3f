"""The command's process keeps freed memory for its next arrays (boundcalc.cli.allocator), never against the user."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from boundcalc.cli import allocator
from boundcalc.cli.allocator import TOP_PAD, TRIM_THRESHOLD, keep_freed_memory


class FakeLibc:
    def __init__(self, answer: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.answer = answer

    def mallopt(self, option: int, value: int) -> int:
        self.calls.append((option, value))
        return self.answer


@pytest.fixture
def linux(monkeypatch):
    for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(allocator.sys, "platform", "linux")


def test_sets_glibcs_trim_threshold_and_top_pad(linux):
    libc = FakeLibc()
    assert keep_freed_memory(libc) is True
    assert libc.calls == [(-1, 1 << 30), (-2, 64 << 20)]  # M_TRIM_THRESHOLD, M_TOP_PAD of malloc.h
    assert (TRIM_THRESHOLD, TOP_PAD) == (1073741824, 67108864)


def test_a_refused_setting_is_reported(linux):
    libc = FakeLibc(answer=0)  # musl's mallopt, or a value glibc refuses
    assert keep_freed_memory(libc) is False
    assert len(libc.calls) == 2


@pytest.mark.parametrize("name", ["MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"])
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
def test_glibc_accepts_both_settings():
    """In a fresh process (the settings are process-wide) with no user setting: the real mallopt takes both."""
    env = {k: v for k, v in os.environ.items() if k not in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES")}
    code = "from boundcalc.cli.allocator import keep_freed_memory; print(keep_freed_memory())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]
