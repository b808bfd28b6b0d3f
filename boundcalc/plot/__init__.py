"""Figures of sweeps, schedules, entropy profiles and loss curves (a renderer; matplotlib is imported lazily).

Every function returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global state, no window: a notebook shows it inline, :func:`save`
writes it), in the house style of :mod:`boundcalc.plot.style` (one column of
a paper, 3.4 in wide, 8 pt text). Each plotted line carries a ``gid`` naming
what it shows (``"uniform:error"``, ``"uniform:theorem1"``, ``"optimal"``,
``"target"``, ...), so tests and scripts can find the data behind a figure.

* :func:`error_vs_steps` -- error against T, log-log: per family the truth
  (solid) and the tightest bound that holds (dashed; any or all bounds on
  request), families by colour and marker, bounds by dash;
* :func:`schedules` -- tokens revealed per step, a step plot per T, one panel per family;
* :func:`curve` -- the conditional entropy profile d(m) with the total
  correlation and dual total correlation as areas, and the MI profile;
* :func:`loss_curve` -- a measured loss curve: points with error bars, the fit and the interpolation;
* :func:`sandwich` -- Theorem 2: upper bound (12) over the error, lower
  bound (13) under the random schedule's expected error, against T.

Install the extra: ``pip install 'boundcalc[plot]'``.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from . import style
from .profiles import MAX_DRAWN_STEPS, curve, loss_curve, schedules
from .style import PlotUnavailable, require_matplotlib
from .sweeps import ALL, error_vs_steps, plotted_bounds, row_stderr, sandwich, tightest_bound

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "KINDS",
    "FORMATS",
    "ALL",
    "MAX_DRAWN_STEPS",
    "PlotUnavailable",
    "require_matplotlib",
    "error_vs_steps",
    "schedules",
    "curve",
    "loss_curve",
    "sandwich",
    "save",
    "check_output",
    "plotted_bounds",
    "tightest_bound",
    "row_stderr",
    "style",
]

#: The kinds of figure, in the order of ``boundcalc plot --help``.
KINDS = ("error-vs-steps", "schedule", "curve", "sandwich")
#: File formats :func:`save` writes (.pgf needs pdflatex and the LaTeX package pgf).
FORMATS = (".png", ".svg", ".pdf", ".pgf")
#: The LaTeX packages matplotlib's .pgf backend needs, and the Debian package that has each.
PGF_PACKAGES = {"pgf.sty": "texlive-pictures"}


@functools.lru_cache(maxsize=1)
def _missing_tex() -> str | None:
    """Why a .pgf cannot be written here (pdflatex or a LaTeX package missing), or None."""
    if shutil.which("pdflatex") is None:
        return "pdflatex is not installed"
    kpsewhich = shutil.which("kpsewhich")
    for package, debian in PGF_PACKAGES.items():
        found = ""
        if kpsewhich is not None:
            try:
                found = subprocess.run([kpsewhich, package], capture_output=True, text=True, timeout=30).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                found = ""
        if not found:
            return f"the LaTeX package {package.removesuffix('.sty')} ({package}, Debian: {debian}) is not installed"
    return None


def check_output(path: "str | Path") -> str:
    """The format of ``path`` by its extension, checked before any work (.pgf: pdflatex and pgf.sty installed)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"{str(path)!r} has no known figure format", param="output",
                         allowed=", ".join(FORMATS) + " (by the file's extension)")
    if suffix == ".pgf":
        missing = _missing_tex()
        if missing is not None:
            raise UsageError(f".pgf figures need LaTeX with pgf: {missing}", param="output",
                             allowed="install it, or write .pdf or .svg (\\includegraphics takes both)")
    return suffix


def save(fig: "Figure", path: "str | Path", *, dpi: int = 200) -> Path:
    """Write ``fig`` as .png, .svg, .pdf, or .pgf (for LaTeX; needs pdflatex and pgf); returns the path."""
    path = Path(path)
    suffix = check_output(path)
    require_matplotlib()
    import matplotlib

    with matplotlib.rc_context(style.RC):
        if suffix == ".pgf":
            import io

            text = io.StringIO()
            fig.savefig(text, format="pgf")
            # matplotlib's tick labels use \mathdefault, which a paper's preamble would have to define: the
            # file defines it itself (\providecommand keeps a definition the paper has), so \input just works
            path.write_text(PGF_HEADER + text.getvalue(), encoding="utf-8")
        else:
            fig.savefig(path, dpi=dpi, metadata=_metadata(suffix))
    return path


PGF_HEADER = "\\providecommand{\\mathdefault}[1]{#1}%\n"


def _metadata(suffix: str) -> dict[str, Any]:
    # no dates or versions in the files: the same figure is the same bytes (svg, pdf)
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None, "ModDate": None}
    return {}
