"""Model files: joint tables and Markov chains in JSON, and text corpora.

Joint table::

    {"outcomes": [["a", "b", "a"], ["b", "b", "a"]], "probabilities": ["0.25", "3/4"]}

Markov chain (``initial`` optional: the stationary law is used)::

    {"states": ["a", "b"], "transition": [["0.9", "0.1"], ["1/5", "4/5"]], "initial": ["1/2", "1/2"]}

Tokens and states are strings or integers. Probabilities given as strings
(``"0.25"``, ``"1/3"``) or JSON integers are exact and must sum to exactly 1;
JSON numbers with a fraction or exponent (``0.25``) are read as floats and
must sum to 1 within 1e-12. ``normalize`` divides by the sum instead. Every
problem is a :class:`boundcalc.errors.ModelError` naming the file and entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Union

from ..errors import ModelError, UsageError
from ..files import parse_json, read_text
from ..units import display_unit, from_nats
from .core import float_decimal
from .joint import JointDistribution
from .markov import MarkovChain
from .text import load_text

__all__ = ["Model", "load_joint", "load_markov", "load_model", "read_json", "profile_csv", "write_profile_csv"]

Model = Union[JointDistribution, MarkovChain]


def read_json(path: str | Path, param: str | None = None) -> Any:
    """Parse a JSON file, with one-line errors for missing, binary, non-UTF-8 or invalid files.

    Errors are attributed to ``param``, by default the file itself.
    """
    param = param or str(path)
    text = read_text(path, ModelError, param, "a JSON file")
    return parse_json(text, ModelError, param)


def load_joint(path: str | Path, *, normalize: bool = False) -> JointDistribution:
    """A joint table from a JSON file (module docstring)."""
    return JointDistribution.from_dict(read_json(path), normalize=normalize, source=str(path))


def load_markov(path: str | Path, *, normalize: bool = False) -> MarkovChain:
    """A Markov chain from a JSON file (module docstring)."""
    return MarkovChain.from_dict(read_json(path), normalize=normalize, source=str(path))


def load_model(
    *,
    joint: str | Path | None = None,
    markov: str | Path | None = None,
    text: str | Path | None = None,
    level: str = "char",
    normalize: bool = False,
    max_states: int | None = None,
) -> Model:
    """Exactly one of ``joint``, ``markov``, ``text``: the model it describes."""
    given = [name for name, value in (("joint", joint), ("markov", markov), ("text", text)) if value is not None]
    if len(given) != 1:
        raise UsageError(
            "give exactly one data model" + (f", not {' and '.join(given)}" if given else ""),
            param="model",
            allowed="a joint table, a Markov chain or a text file",
        )
    if joint is not None:
        return load_joint(joint, normalize=normalize)
    if markov is not None:
        return load_markov(markov, normalize=normalize)
    return load_text(text, level, max_states=max_states)  # type: ignore[arg-type]


#: The first line of every profile boundcalc writes: readers say that its values are float64 results.
FLOAT_MARK = "# float64 values (shortest round-trip decimals) computed by boundcalc"


def profile_csv(values: Iterable[float]) -> str:
    """An MI profile computed in nats as CSV text in the display unit (:func:`boundcalc.units.display`):
    a header ``index,mi_<unit>``, then ``i,value`` rows from 1.

    Each value (in the display unit: :func:`boundcalc.units.from_nats`) is the shortest decimal that
    reads back as the same float64 (at most 17 significant digits), so
    :func:`boundcalc.profile.load_profile` recovers exactly the computed numbers; tiny negative
    rounding residues (an MI is >= 0) are written as 0.
    """
    unit = display_unit()
    return shown_profile_csv([from_nats(float(v), unit) for v in values], unit.value)


def shown_profile_csv(values: Iterable[float], unit: str) -> str:
    """:func:`profile_csv` of values already in ``unit`` (the name written in the header ``index,mi_<unit>``)."""
    lines = [FLOAT_MARK, f"index,mi_{unit}"]
    lines += [f"{i},{float_decimal(float(v))}" for i, v in enumerate(values, 1)]
    return "\n".join(lines) + "\n"


def write_profile_csv(values: Iterable[float], path: str | Path) -> Path:
    """Write :func:`profile_csv` to ``path`` (UTF-8, atomically); returns the path."""
    from ..files import write_output

    return write_output(path, profile_csv(values))
