"""The tutorial notebook runs (nbclient, for real); docs/make_figure.py and make_figures.py still draw the figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_tutorial_notebook_runs():
    notebook = nbformat.read(DOCS / "tutorial.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(DOCS)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the sweep's figure and the entropy profile, shown inline
    text = "".join(o.get("text", "") for o in outputs)
    assert "exact error" in text and "optimal sizes" in text


def test_the_readme_figure_script_runs(tmp_path):
    out = tmp_path / "figure.png"
    done = subprocess.run([sys.executable, str(DOCS / "make_figure.py"), "--output", str(out)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\x89PNG") and out.stat().st_size > 20_000
    checked_in = DOCS / "figure.png"
    assert checked_in.exists() and "docs/figure.png" in (DOCS.parent / "README.md").read_text()


def test_the_gallery_script_draws_every_figure_docs_figures_shows(tmp_path):
    done = subprocess.run([sys.executable, str(DOCS / "make_figures.py"), "--output", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    drawn = sorted(p.name for p in tmp_path.iterdir())
    shown = sorted(re.findall(r"\(figures/([a-z-]+\.png)\)", (DOCS / "figures.md").read_text()))
    assert drawn == shown and all((DOCS / "figures" / name).exists() for name in drawn)
    assert all((tmp_path / name).read_bytes().startswith(b"\x89PNG") for name in drawn)
