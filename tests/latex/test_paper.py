"""docs/symbolic.md, "From boundcalc to your paper": its commands and its paper.tex, compiled."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from boundcalc.cli import main

from test_latex import PDFLATEX, REQUIRED

DOC = Path(__file__).resolve().parents[2] / "docs" / "symbolic.md"


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## From boundcalc to your paper")
    return text[start : text.index("\n## ", start + 10) if "\n## " in text[start + 10 :] else len(text)]


def _commands() -> list[str]:
    return [line[2:] for line in _section().splitlines() if line.startswith("$ boundcalc ")]


def _paper() -> str:
    return re.search(r"```latex\n(.*?)```", _section(), re.S).group(1)


def _run_commands(directory: Path) -> None:
    runner = CliRunner()
    for command in _commands():
        words = shlex.split(command)
        target = None
        if ">" in words:  # `... > FILE`: stdout to a file
            target = directory / words[words.index(">") + 1]
            words = words[: words.index(">")]
        result = runner.invoke(main, words[1:], catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)
        if target is not None:
            target.write_text(result.stdout, encoding="utf-8")


def test_the_section_documents_every_piece(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(_commands()) == 3
    _run_commands(tmp_path)
    paper = _paper()
    for name in ("bc-results", "bc-table", "bc-proofs"):
        assert rf"\input{{{name}}}" in paper and (tmp_path / f"{name}.tex").exists()
    results = (tmp_path / "bc-results.tex").read_text()
    labels = set(re.findall(r"\\label\{(bc:[^}]*)\}", results + (tmp_path / "bc-table.tex").read_text()
                            + (tmp_path / "bc-proofs.tex").read_text()))
    for ref in re.findall(r"\\(?:eq)?ref\{([^}]*)\}", paper):
        assert ref in labels, ref  # every reference the paper makes is a label boundcalc wrote
    assert (tmp_path / "refs.bib").read_text().startswith("@inproceedings{li2025convergence,")


@pytest.mark.latex
def test_the_documented_paper_compiles_with_every_reference_resolved(tmp_path, monkeypatch):
    if PDFLATEX is None:
        if REQUIRED:
            pytest.fail("pdflatex is required (BOUNDCALC_REQUIRE_PDFLATEX=1) but not installed")
        pytest.skip("pdflatex is not installed (apt-get install texlive-latex-base); CI runs these")
    monkeypatch.chdir(tmp_path)
    _run_commands(tmp_path)
    (tmp_path / "paper.tex").write_text(_paper(), encoding="utf-8")
    pdflatex = [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "paper.tex"]
    steps = [pdflatex, [shutil.which("bibtex") or "bibtex", "paper"], pdflatex, pdflatex]
    for step in steps:
        done = subprocess.run(step, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (step[0], done.stdout[-3000:])
    log = (tmp_path / "paper.log").read_text(errors="replace")
    assert "undefined" not in log, [line for line in log.splitlines() if "undefined" in line]
    assert "Overfull \\hbox" not in log, [line for line in log.splitlines() if "Overfull" in line]
    assert (tmp_path / "paper.pdf").stat().st_size > 5000
