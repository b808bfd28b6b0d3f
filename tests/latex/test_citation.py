"""CITATION.cff at the repository root is valid Citation File Format 1.2.0 and agrees with the package."""

from __future__ import annotations

import datetime
import re

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # the test extra declares pyyaml
tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]

# The keys of the CFF 1.2.0 schema (https://github.com/citation-file-format/citation-file-format,
# schema.json: additionalProperties is false at the top level, for persons, entities and references).
TOP = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
    "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
    "repository-artifact", "repository-code", "title", "type", "url", "version",
}
REQUIRED = {"authors", "cff-version", "message", "title"}
PERSON = {
    "address", "affiliation", "alias", "city", "country", "email", "family-names", "fax", "given-names",
    "name-particle", "name-suffix", "orcid", "post-code", "region", "tel", "website",
}
ENTITY = {"address", "alias", "city", "country", "date-end", "date-start", "email", "fax", "location", "name",
          "orcid", "post-code", "region", "tel", "website"}
REFERENCE_TYPES = {"art", "article", "audiovisual", "bill", "blog", "book", "catalogue", "conference-paper",
                   "conference", "data", "database", "dictionary", "edited-work", "encyclopedia", "film-broadcast",
                   "generic", "government-document", "grant", "hearing", "historical-work", "legal-case",
                   "legal-rule", "magazine-article", "manual", "map", "multimedia", "music", "newspaper-article",
                   "pamphlet", "patent", "personal-communication", "proceedings", "report", "serial", "slides",
                   "software-code", "software-container", "software-executable", "software-virtual-machine",
                   "software", "sound-recording", "standard", "statute", "thesis", "unpublished", "video",
                   "website"}


def _check_authors(authors):
    assert isinstance(authors, list) and authors
    for author in authors:
        keys = set(author)
        if "name" in keys:
            assert keys <= ENTITY, keys - ENTITY
        else:
            assert keys <= PERSON and ("family-names" in keys or "given-names" in keys), keys
        assert all(isinstance(value, str) and value for value in author.values())


def test_citation_cff_is_valid_cff_1_2_0():
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert set(data) <= TOP, set(data) - TOP
    assert REQUIRED <= set(data)
    assert data["cff-version"] == "1.2.0"
    assert data["type"] in ("software", "dataset")
    assert isinstance(data["message"], str) and isinstance(data["title"], str)
    _check_authors(data["authors"])
    assert isinstance(data["version"], str)
    assert re.fullmatch(r"[A-Za-z0-9.+-]+", data["license"])  # an SPDX identifier
    assert all(isinstance(k, str) for k in data["keywords"])
    if "date-released" in data:
        assert isinstance(data["date-released"], datetime.date)
    for reference in data["references"]:
        assert {"authors", "title", "type"} <= set(reference)
        assert reference["type"] in REFERENCE_TYPES
        _check_authors(reference["authors"])
        assert isinstance(reference["year"], int)


def test_citation_agrees_with_the_package_and_the_bibliography():
    from boundcalc.references import REFERENCES

    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert data["version"] == project["version"]
    assert data["license"] == project["license"]  # both an SPDX expression (PEP 639)
    paper = data["references"][0]
    fields = REFERENCES["li2025convergence"][1]
    assert paper["title"] == fields["title"].replace("{AR}", "AR") and str(paper["year"]) == fields["year"]
    assert paper["type"] == "conference-paper" and "NeurIPS" in paper["conference"]["name"]
    assert fields["eprint"] in paper["url"]
    assert [a["family-names"] for a in paper["authors"]] == ["Li", "Cai"]
