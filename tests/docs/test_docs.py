"""The documentation tells the truth: README commands, documented CLI output, every command and option documented."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import click
import pytest

from boundcalc.cli import all_commands

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

FIXTURES = {
    "mi.txt": "0.42\n0.61\n0.58\n0.66\n0.31\n",
    "mi.csv": "index,mi\n1,0.42\n2,0.61\n3,0.58\n4,0.66\n5,0.31\n",
    "bad.csv": "index,value\n1,0.1\n2,0.2\n3,zero\n",
    "chain.json": '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}',
    "bsc.json": '{"states": ["0", "1"], "transition": [["0.99", "0.01"], ["0.01", "0.99"]]}',
    "partial.csv": "masked_fraction,loss_nats\n0.5,2.2\n0.9,5\n",
    "float64.txt": "0.1\n0.2\n0.30000000000000004\n0.123456789012345678\n",
    "xor.json": '{"outcomes": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], "probabilities": ["1/4", "1/4", "1/4", "1/4"]}',
}


def _fenced_blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    blocks = _fenced_blocks(readme)
    install_and_run, install_and_test = blocks[0].strip(), blocks[1].strip()
    assert readme.index(install_and_run) < 200  # right at the top
    assert "boundcalc steps" in install_and_run and "pip install" in install_and_run
    assert "pytest" in install_and_test and "pip install" in install_and_test
    assert install_and_test in (ROOT / ".ci" / "run").read_text()


def _documented_runs(text: str):
    for block in _fenced_blocks(text):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ boundcalc"):
                expected = []
                for follow in lines[i + 1 :]:
                    if follow.startswith("$ "):
                        break
                    expected.append(follow)
                yield line[2:].split("#")[0].strip(), expected


def _cases():
    for name in ("cli.md", "from-model-to-T.md"):
        for command, expected in _documented_runs((DOCS / name).read_text()):
            yield pytest.param(command, expected, id=f"{name}: {command}")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder for all documented commands, run in document order: later ones read earlier outputs."""
    folder = tmp_path_factory.mktemp("docs")
    for name, content in FIXTURES.items():
        (folder / name).write_text(content)
    return folder


@pytest.mark.parametrize("command, expected", list(_cases()))
def test_documented_output_is_real(run, workdir, monkeypatch, command, expected):
    monkeypatch.chdir(workdir)
    result = run(*shlex.split(command)[1:])
    errors = [line for line in expected if line.startswith("Error: ")]
    if errors:
        assert result.exit_code in (1, 2)
        assert result.stderr.strip() == errors[-1]
        return
    assert result.exit_code == 0, result.output
    shown = "\n".join(expected).strip()
    if shown.startswith("{"):
        assert json.loads(shown) == result.json
        return
    actual = [" ".join(line.split()) for line in result.stdout.splitlines()]
    for line in expected:
        if line.strip() and line.strip() != "...":
            assert " ".join(line.split()) in actual, line


def _commands():
    return sorted(all_commands().items())


def test_every_command_and_option_is_documented_and_has_help():
    cli_doc = (DOCS / "cli.md").read_text()
    for name, command in _commands():
        assert f"## `boundcalc {name}`" in cli_doc, f"docs/cli.md has no section for {name}"
        assert command.help and len(command.help.strip()) > 20, f"{name} has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                for flag in param.opts:
                    if flag.startswith("--"):
                        assert f"`{flag}" in cli_doc, f"{name} {flag} is not in docs/cli.md"
                assert param.help, f"{name} {param.opts} has no help"


def test_api_doc_covers_every_public_name():
    import boundcalc

    api = (DOCS / "api.md").read_text()
    missing = [name for name in boundcalc.__all__ if name != "__version__" and name not in api]
    assert not missing, f"docs/api.md does not mention {missing}"


@pytest.mark.parametrize("name", ["cli.md", "from-model-to-T.md", "api.md", "samplers.md", "truth.md", "theory.md"])
def test_code_fences_are_balanced(name):
    """An unclosed fence silently turns the rest of a page's examples into prose that no test runs."""
    fences = [line for line in (DOCS / name).read_text().splitlines() if line.lstrip().startswith("```")]
    assert len(fences) % 2 == 0, f"docs/{name} has an unclosed code fence"
    # a closing fence is bare: a language tag where a block should close means the pairing is off
    assert all(line.strip() == "```" for line in fences[1::2]), f"docs/{name}: fences pair up wrongly"
