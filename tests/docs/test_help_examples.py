"""Every example in a command's --help runs as written (one of them had lost its --length and failed).

The examples name files (mi.csv, curve.csv, chain.json, ...): they are made here, the data ones by boundcalc
itself from a small Markov chain, so each example meets the kind of file it expects.
"""

from __future__ import annotations

import itertools
import json
import shlex
from pathlib import Path

import click
import pytest

from boundcalc.cli import main


def _examples() -> list[str]:
    ctx = click.Context(main)
    found: list[str] = []

    def walk(command: click.Command) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name))
            return
        for line in (command.help or "").splitlines():
            line = line.strip()
            if line.startswith("boundcalc ") and len(line.split()) > 2:  # not a bare "boundcalc steps" heading
                found.append(line)

    walk(main)
    return found


EXAMPLES = _examples()
CHAIN = '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}'


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    where = tmp_path_factory.mktemp("help")
    (where / "chain.json").write_text(CHAIN)
    (where / "corpus.txt").write_text((Path(__file__).parents[2] / "README.md").read_text()[:3000])
    outcomes = [list(x) for x in itertools.product([0, 1], repeat=6)]
    (where / "table.json").write_text(json.dumps({"outcomes": outcomes,
                                                  "probabilities": [f"1/{len(outcomes)}"] * len(outcomes)}))
    runner = CliRunner()
    for args in (["--length", "1024", "--output", "mi.csv"], ["--length", "256", "--loss-curve", "curve.csv"],
                 ["--length", "64", "--multiscale", "--smax", "16", "--output", "ms.csv"]):
        made = runner.invoke(main, ["profile", "--markov", str(where / "chain.json"), *args[:-1],
                                    str(where / args[-1])], catch_exceptions=False)
        assert made.exit_code == 0, made.output
    return where


def test_the_help_texts_hold_examples_of_every_command():
    commands = {e.split()[1] for e in EXAMPLES}
    assert {"steps", "bound", "recursion", "verify", "profile", "latex", "sweep", "plot"} <= commands


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_help_example_runs(example: str, folder: Path, run, monkeypatch: pytest.MonkeyPatch):
    args = shlex.split(example.split(" > ")[0])[1:]
    if args[0] == "plot":
        pytest.importorskip("matplotlib")
    monkeypatch.chdir(folder)
    result = run(*args)
    assert result.exit_code == 0, f"{example}: {result.output}"
    outputs = [args[i + 1] for i, a in enumerate(args) if a in ("--output", "-o")]
    if outputs and args[0] != "profile":  # the command wrote its answer to a file
        assert all((folder / name).stat().st_size > 0 for name in outputs)
    else:
        assert result.stdout.strip()
