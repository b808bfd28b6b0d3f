"""The papers boundcalc evaluates or cites, as BibTeX: the entries a generated LaTeX text needs.

The LaTeX printer (:mod:`boundcalc.latex`) writes ``\\cite{KEY}`` with these keys;
:func:`cited_keys` finds the keys a text uses and :func:`bibtex` writes their entries,
so a ``.bib`` has exactly the papers cited in the output (``boundcalc latex --bib FILE``).
:func:`thebibliography` is the same list for a self-contained document.

>>> cited_keys(r"as in \\cite{li2025convergence} and \\cite[Thm.~1]{wu2025fastdllm, li2025convergence}")
('li2025convergence', 'wu2025fastdllm')
>>> print(bibtex(["li2025convergence"]).splitlines()[0])
@inproceedings{li2025convergence,
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["REFERENCES", "TITLE_V1", "cited_keys", "bibtex", "thebibliography"]

#: The first title of arXiv:2505.21400 (v1, May 2025), under which the paper is often cited.
TITLE_V1 = "A Convergence Theory for Diffusion Language Models: An Information-Theoretic Perspective"

#: key -> BibTeX type and fields: the venue where a paper appeared (``inproceedings``), else ``misc`` with its
#: arXiv number.
REFERENCES: dict[str, tuple[str, dict[str, str]]] = {
    "li2025convergence": (
        "inproceedings",
        {
            "author": "Li, Gen and Cai, Changxiao",
            # the NeurIPS title (arXiv v2); v1 was titled TITLE_V1
            "title": "Breaking {AR}'s Sampling Bottleneck: Provable Acceleration via Diffusion Language Models",
            "booktitle": "Advances in Neural Information Processing Systems (NeurIPS)",
            "year": "2025",
            "eprint": "2505.21400",
            "note": "arXiv:2505.21400; first version titled ``A Convergence Theory for Diffusion Language Models: "
            "An Information-Theoretic Perspective'', whose equation numbers are cited",
        },
    ),
    "chen2025optimal": (
        "inproceedings",
        {
            "author": "Chen, Sitan and Cong, Kevin and Li, Jerry",
            "title": "Optimal Inference Schedules for Masked Diffusion Models",
            "booktitle": "Proceedings of the Conference on Learning Theory (COLT)",
            "series": "Proceedings of Machine Learning Research",
            "volume": "336",
            "year": "2026",
            "eprint": "2511.04647",
        },
    ),
    "zhao2026adaptation": (
        "misc",
        {
            "author": "Zhao, Yunxiao and Cai, Changxiao",
            "title": "Adaptation to Intrinsic Dependence in Diffusion Language Models",
            "year": "2026",
            "eprint": "2602.20126",
        },
    ),
    "lavenant2025error": (
        "misc",
        {
            "author": "Lavenant, Hugo and Zanella, Giacomo",
            "title": "Error Bounds and Optimal Schedules for Masked Diffusions with Factorized Approximations",
            "year": "2025",
            "eprint": "2510.25544",
        },
    ),
    "wu2025fastdllm": (
        "misc",
        {
            "author": "Wu, Chengyue and Zhang, Hao and Xue, Shuchen and Liu, Zhijian and Diao, Shizhe and "
            "Zhu, Ligeng and Luo, Ping and Han, Song and Xie, Enze",
            "title": "Fast-dLLM: Training-free Acceleration of Diffusion LLM by Enabling KV Cache and Parallel Decoding",
            "year": "2025",
            "eprint": "2505.22618",
        },
    ),
    "feng2025theoretical": (
        "misc",
        {
            "author": "Feng, Guhao and Geng, Yihan and Guan, Jian and Wu, Wei and Wang, Liwei and He, Di",
            "title": "Theoretical Benefit and Limitation of Diffusion Language Model",
            "year": "2025",
            "eprint": "2502.09622",
        },
    ),
}

_CITE = re.compile(r"\\cite[tp]?\*?(?:\[[^\]]*\])*\{([^}]*)\}")


def cited_keys(text: str) -> tuple[str, ...]:
    """The keys of every ``\\cite`` in ``text``, in order of first use; unknown keys raise KeyError."""
    keys: dict[str, None] = {}
    for match in _CITE.finditer(text):
        for key in match.group(1).split(","):
            key = key.strip()
            if key not in REFERENCES:
                raise KeyError(f"no reference {key!r} (known: {', '.join(REFERENCES)})")
            keys[key] = None
    return tuple(keys)


def _braced(title: str) -> str:
    # keep the capitals of a title: BibTeX styles lower-case it otherwise
    return "{" + title + "}"


def bibtex(keys: Iterable[str]) -> str:
    """The BibTeX entries of ``keys``: published papers with their venue, every one with its arXiv ``eprint``."""
    entries = []
    for key in keys:
        kind, fields = REFERENCES[key]
        lines = [f"@{kind}{{{key},"]
        for name, value in fields.items():
            lines.append(f"  {name} = {{{_braced(value) if name == 'title' else value}}},")
        lines.append("  archivePrefix = {arXiv},")
        lines.append(f"  url = {{https://arxiv.org/abs/{fields['eprint']}}},")
        lines.append("}")
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + ("\n" if entries else "")


def _authors(field: str) -> str:
    names = [" ".join(reversed(name.split(", "))) for name in field.split(" and ")]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def thebibliography(keys: Iterable[str]) -> str:
    """A ``thebibliography`` environment for ``keys`` (a document that needs no BibTeX run)."""
    keys = list(keys)
    if not keys:
        return ""
    items = []
    for key in keys:
        _, fields = REFERENCES[key]
        title = fields["title"].replace("{", "").replace("}", "")
        venue = f" In \\emph{{{fields['booktitle']}}}" if "booktitle" in fields else ""
        if "volume" in fields:
            venue += f", {fields['series']} {fields['volume']}"
        venue += f", {fields['year']}." if venue else ""
        arxiv = f" arXiv:{fields['eprint']}" + ("." if venue else f", {fields['year']}.")
        former = (f" First version: \\emph{{{TITLE_V1}}} (its equation numbers are the ones cited)."
                  if key == "li2025convergence" else "")
        items.append(rf"\bibitem{{{key}}} {_authors(fields['author'])}. {title}.{venue}{arxiv}{former}")
    return "\\begin{thebibliography}{9}\n" + "\n".join(items) + "\n\\end{thebibliography}\n"
