"""pdflatex for the tests: compile a document, fail on any overfull box (shared by tests/latex and tests/plot)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PDFLATEX = shutil.which("pdflatex")
REQUIRED = os.environ.get("BOUNDCALC_REQUIRE_PDFLATEX") == "1"


def compile_latex(source: str, directory: Path) -> None:
    """Compile with pdflatex (or skip with a reason; in CI, BOUNDCALC_REQUIRE_PDFLATEX=1 makes absence a failure)."""
    if PDFLATEX is None:
        if REQUIRED:
            pytest.fail("pdflatex is required (BOUNDCALC_REQUIRE_PDFLATEX=1) but not installed")
        pytest.skip("pdflatex is not installed (apt-get install texlive-latex-base); CI runs these")
    path = directory / "doc.tex"
    path.write_text(source, encoding="utf-8")
    run = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", path.name],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (directory / "doc.log").read_text(errors="replace") if (directory / "doc.log").exists() else run.stdout
    assert run.returncode == 0, log[-3000:]
    assert (directory / "doc.pdf").stat().st_size > 1000
    assert "Overfull \\hbox" not in log, [line for line in log.splitlines() if "Overfull" in line]
