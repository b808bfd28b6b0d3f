"""``latex --proofs`` and ``--bib``: the appendix comes from docs/theory.md, the .bib from the citations."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from boundcalc import latex as tex
from boundcalc import proofs, references
from boundcalc import symbolic as sym
from boundcalc.proofs import ConversionError, markdown_to_latex

from test_latex import compile_latex

THEORY = Path(__file__).resolve().parents[2] / "docs" / "theory.md"


def test_the_shipped_theory_is_docs_theory():
    # one source: boundcalc/data/theory.md is docs/theory.md (a link), so the appendix cannot diverge
    assert proofs.SOURCE.read_bytes() == THEORY.read_bytes()


def test_every_derivation_a_result_points_to_exists():
    keys = proofs.sections()
    assert {"recursion", "sharp", "corollary1", "steps", "theorem2", "blocks"} <= set(keys)
    for name in sym.NAMES:
        result = sym.get(name)
        assert not result.proof or result.proof in keys, name


def test_derived_constants_are_tagged_as_in_the_results():
    # the appendix proves exactly the tags the exported equations carry
    text = proofs.appendix()
    for name in ("corollary1", "theorem2-upper"):
        assert rf"\tag{{{tex.tag_text(sym.get(name))}}}" in text, name
    assert r"\tag{13, $C_3 = 1/16$ derived}" in text  # the same constant as sym.get("theorem2-lower").derived
    assert sym.get("theorem2-lower").derived == r"C_3 = \frac{1}{16}"
    for key in proofs.sections():
        assert text.count(rf"\label{{bc:proof-{key}}}") == 1


def test_the_appendix_is_the_theory_text():
    # a sentence of each section appears converted; no Unicode reaches LaTeX
    text = proofs.appendix()
    assert "the floors telescope" in text and "C_1 = 2\\kappa" in text and "renewal points" in text
    assert r"\tag{B1}" in text and "From an MI profile alone" in text  # the semi-autoregressive bound
    assert "marginal entropies" not in text  # the text between the two marked regions of section 11
    assert all(ord(char) < 128 for char in text)
    assert "Worked example" not in text  # unmarked text stays in the docs only


def test_markdown_conversion():
    source = """## 4. A heading with $x$

Text with **bold**, *emphasis*, `code_x`, a [link](theory.md#x) and 10% & more --- 1--4.

1. first item
   continued
2. second
   * nested $a$
   * nested b
3. third

$$
a \\le b \\tag{1}
$$

```
$ raw_code
```
"""
    out = markdown_to_latex(source, "bc:proof-x")
    assert out.startswith(r"\subsection{A heading with $x$}\label{bc:proof-x}")
    assert r"Text with \textbf{bold}, \emph{emphasis}, \texttt{code\_x}, a link and 10\% \& more --- 1--4." in out
    assert "\\begin{enumerate}\n\\item first item continued\n\\item second\n\\begin{itemize}\n\\item nested $a$\n" in out
    assert "\\item nested b\n\\end{itemize}\n\\item third\n\\end{enumerate}" in out
    assert "\\begin{equation*}\na \\le b \\tag{1}\n\\end{equation*}" in out
    assert "\\begin{verbatim}\n$ raw_code\n\\end{verbatim}" in out


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("ε_train in text", "U+03B5"),
        ("math $ε$", "in math"),
        ("$$\nx\n", "not closed"),
    ],
)
def test_conversion_errors_name_the_problem(source, fragment):
    with pytest.raises(ConversionError, match=re.escape(fragment)):
        markdown_to_latex(source)


def test_section_markers_are_checked():
    with pytest.raises(ConversionError, match="not closed"):
        proofs.sections("<!-- latex: a -->\ntext\n")
    with pytest.raises(ConversionError, match="without a section"):
        proofs.sections("text\n<!-- /latex -->\n")
    with pytest.raises(ConversionError, match="starts inside"):
        proofs.sections("<!-- latex: a -->\n<!-- latex: b -->\n")
    assert proofs.sections("x\n<!-- latex: a -->\n## T\n\nbody\n<!-- /latex -->\ny\n") == {"a": "## T\n\nbody"}
    two = "<!-- latex: a -->\n## T\n<!-- /latex -->\nskipped\n<!-- latex: a -->\nmore\n<!-- /latex -->\n"
    assert proofs.sections(two) == {"a": "## T\n\nmore"}
    with pytest.raises(ConversionError, match="section 'a': 'é'"):
        proofs.appendix("<!-- latex: a -->\nCaf\u00e9\n<!-- /latex -->\n")


def test_bibliography_has_exactly_the_cited_papers():
    doc = tex.derivation_document()
    assert references.cited_keys(doc) == ("li2025convergence",)
    assert doc.count(r"\bibitem{") == 1 and r"\begin{thebibliography}" in doc
    bib = references.bibtex(references.cited_keys(doc))
    assert bib.count("@inproceedings{") == 1 and "eprint = {2505.21400}" in bib
    every = references.bibtex(references.REFERENCES)
    for number in ("2505.21400", "2511.04647", "2602.20126", "2510.25544", "2505.22618", "2502.09622"):
        assert f"eprint = {{{number}}}" in every
    with pytest.raises(KeyError, match="nobody2030"):
        references.cited_keys(r"\cite{li2025convergence,nobody2030}")
    assert references.thebibliography([]) == "" and references.bibtex([]) == ""


def test_published_papers_have_their_venues_and_both_titles():
    bib = references.bibtex(["li2025convergence", "chen2025optimal"])
    li, chen = bib.split("\n\n")
    assert li.startswith("@inproceedings{li2025convergence,") and "Neural Information Processing Systems" in li
    assert "year = {2025}" in li
    # the NeurIPS title (v2) and, in the note, the first title (v1)
    assert "Breaking {AR}'s Sampling Bottleneck: Provable Acceleration via Diffusion Language Models" in li
    assert "A Convergence Theory for Diffusion Language Models: An Information-Theoretic Perspective" in li
    assert chen.startswith("@inproceedings{chen2025optimal,") and "Learning Theory (COLT)" in chen
    assert "volume = {336}" in chen and "year = {2026}" in chen and "Proceedings of Machine Learning Research" in chen
    inline = references.thebibliography(["li2025convergence"])
    assert "Breaking AR's Sampling Bottleneck" in inline and references.TITLE_V1 in inline and "NeurIPS" in inline


#: What a paper's appendix never says: the program, its tests, files, commands, code names, or sections of docs/.
SOFTWARE = re.compile(r"boundcalc|\\texttt|\\_|\btests?\b|\bOCR\b|exit code|\.py\b|docs/|\.md\b|--[a-z]"
                      r"|\bsections? \d|require_global|block_spans|generate\.py|verify\b|EntropyProfile")


def test_the_document_and_its_appendix_state_mathematics_not_software(run):
    document = run("latex", "--all", "--standalone", "--proofs").stdout
    body = "\n".join(line for line in document.splitlines() if not line.lstrip().startswith("%"))
    found = sorted({match.group(0) for match in SOFTWARE.finditer(body)})
    assert not found, found
    appendix = proofs.appendix()
    # references between sections are \refs inside the document, every one to a label the appendix has
    refs = set(re.findall(r"\\ref\{(bc:proof-[a-z0-9-]+)\}", appendix))
    assert {"bc:proof-exact", "bc:proof-sharp"} <= refs
    assert all(f"\\label{{{ref}}}" in appendix for ref in refs)
    # docs/theory.md keeps what it says about the software, between the markers the appendix leaves out
    assert "require_global" in THEORY.read_text() and "<!-- sw -->" in THEORY.read_text()


def test_software_passages_and_links_between_sections():
    source = ("<!-- latex: one -->\n## 1. One\n\nA <!-- sw -->`code` in the<!-- /sw --> sentence, see "
              "[section 2](#2-two).\n<!-- sw -->\n\nA whole paragraph on tests.\n<!-- /sw -->\n<!-- /latex -->\n"
              "<!-- latex: two -->\n## 2. Two\n\nBack to [it](#1-one).\n<!-- /latex -->\n")
    text = proofs.appendix(source)
    assert "A sentence, see Appendix~\\ref{bc:proof-two}." in text and "Back to Appendix~\\ref{bc:proof-one}." in text
    assert "code" not in text and "tests" not in text
    with pytest.raises(ConversionError, match="link to #9-nine: that section is not in the appendix"):
        proofs.appendix("<!-- latex: one -->\n## 1. One\n\nSee [section 9](#9-nine).\n<!-- /latex -->\n")
    with pytest.raises(ConversionError, match="unmatched"):
        proofs.without_software("a <!-- sw --> b")


def test_cli_bib_and_proofs(run, tmp_path):
    bib = tmp_path / "refs.bib"
    result = run("latex", "--expr", "sharp", "--proofs", "--bib", bib)
    assert result.exit_code == 0, result.output
    assert r"\label{bc:sharp}" in result.stdout and r"\label{bc:proof-sharp}" in result.stdout
    assert bib.read_text() == references.bibtex(["li2025convergence"])
    alone = run("latex", "--proofs")
    assert alone.exit_code == 0 and alone.stdout == proofs.appendix()
    bad = run("latex", "--expr", "sharp", "--bib", tmp_path / "no" / "refs.bib")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: --bib: cannot write")  # refused before work


@pytest.mark.latex
def test_appendix_compiles_alone(tmp_path):
    compile_latex(tex.standalone(proofs.appendix()), tmp_path)


@pytest.mark.latex
def test_paper_with_bibtex_compiles_and_resolves_every_reference(run, tmp_path, monkeypatch):
    """The documented workflow: --all --standalone --proofs --bib, then pdflatex, bibtex, pdflatex x2."""
    monkeypatch.chdir(tmp_path)
    result = run("latex", "--all", "--standalone", "--proofs", "--bib", "refs.bib", "--output", "doc.tex")
    assert result.exit_code == 0, result.output
    source = (tmp_path / "doc.tex").read_text()
    assert r"\bibliography{refs}" in source and r"\ref{bc:proof-theorem2}" in source
    compile_latex(source, tmp_path)  # first pass (skips without pdflatex)
    bibtex = shutil.which("bibtex")
    assert bibtex, "bibtex comes with pdflatex (texlive-binaries)"
    subprocess.run([bibtex, "doc"], cwd=tmp_path, check=True, capture_output=True, timeout=60)
    for _ in range(2):
        compile_latex(source, tmp_path)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "undefined" not in log, [line for line in log.splitlines() if "undefined" in line]
    assert "Li and Changxiao Cai" in (tmp_path / "doc.bbl").read_text()
