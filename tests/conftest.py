"""Shared fixtures: a CLI runner, files, and mpmath precision that is always restored."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import mpmath
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from boundcalc.cli import main


# Wall-clock deadlines flake on a shared 2-core CI machine; correctness, not speed, is tested here
# (speed lives in benchmarks/). Explicit @settings still choose their own max_examples.
settings.register_profile("boundcalc", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("boundcalc")


def pytest_collection_modifyitems(config, items):
    """A docs page whose examples use torch skips, with the reason, where the [hf] extra is absent.

    CI installs the extra and sets BOUNDCALC_REQUIRE_HF=1 (.ci/run), so there the examples always run.
    """
    if importlib.util.find_spec("torch") is not None or os.environ.get("BOUNDCALC_REQUIRE_HF") == "1":
        return
    skip = pytest.mark.skip(reason="its examples use torch, which is not installed (extra [hf])")
    for item in items:
        path = Path(str(item.path))
        if type(item).__name__ == "DoctestItem" and path.suffix == ".md" and "import torch" in path.read_text(encoding="utf-8"):
            item.add_marker(skip)


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
