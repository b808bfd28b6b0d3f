"""Shared fixtures: a CLI runner, files, and mpmath precision that is always restored."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import pytest
from click.testing import CliRunner

from boundcalc.cli import main


@pytest.fixture(autouse=True)
def _restore_mpmath_precision():
    saved = mpmath.mp.prec
    yield
    mpmath.mp.prec = saved


class Run:
    """Invoke ``boundcalc`` in-process; the result has .exit_code, .stdout, .stderr, .json."""

    def __init__(self) -> None:
        self.runner = CliRunner(env={"COLUMNS": "200"})  # wide tables: no wrapping in assertions

    def __call__(self, *args: str):
        result = self.runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        try:
            result.json = json.loads(result.stdout)
        except ValueError:
            result.json = None
        return result


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def write(tmp_path: Path):
    def _write(name: str, content: str | bytes) -> str:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return str(path)

    return _write
