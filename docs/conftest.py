"""Doctests of the docs: a page whose examples use torch skips, with the reason, where the [hf] extra is absent.

CI installs the extra and sets BOUNDCALC_REQUIRE_HF=1 (.ci/run), so there the examples always run.
"""

from __future__ import annotations

import importlib.util
import os

import pytest


def pytest_runtest_setup(item: pytest.Item) -> None:
    if type(item).__name__ != "DoctestItem" or not str(item.path).endswith(".md"):
        return
    if importlib.util.find_spec("torch") is not None or os.environ.get("BOUNDCALC_REQUIRE_HF") == "1":
        return
    if "import torch" in item.path.read_text(encoding="utf-8"):
        pytest.skip("its examples use torch, which is not installed (extra [hf])")
