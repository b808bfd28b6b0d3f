"""The sampler registry: one grammar, one table of families, docs and help generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from boundcalc.errors import ScheduleError, UsageError
from boundcalc.registry import SamplerFamily, docs_table, families, family, parse_template, register
from boundcalc.schedule import Schedule, parse_sampler, parse_schedule, parse_spec

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("kind", ["schedules", "counts", "curve", "rules"])
def test_the_docs_tables_are_the_generated_ones(kind):
    assert docs_table(kind) in (DOCS / "cli.md").read_text(encoding="utf-8")


def test_every_family_string_is_one_value_object():
    spec = parse_spec(" power:8:1/2 ")
    assert (spec.name, spec.args, spec.steps, spec.text) == ("power", ("8", "1/2"), 8, "power:8:1/2")
    assert spec.build(16) == Schedule.power(16, 8, "1/2") and str(spec.build(16)) == "power:8:1/2"
    counts = parse_spec("mdlm:4:cosine")
    assert counts.family.random_counts and counts.family.exact_engine == "counts" and counts.steps == 4
    blocks = parse_spec("blocks:2:uniform:4")
    assert blocks.family.positions == "blocks" and blocks.family.needs_model and blocks.steps == 4
    assert parse_spec("llada:8:4:4").family.needs_length is False
    listed = parse_spec("5,3,2")
    assert not listed.family.listed and listed.args == ("5", "3", "2") and listed.build().sizes == (5, 3, 2)


def test_the_sampler_interface_replaces_class_tests():
    for text, counts, positions in [("uniform:4", False, "uniform"), ("mdlm:4", True, "uniform"),
                                    ("blocks:2:uniform:4", False, "blocks"), ("4,4", False, "uniform")]:
        sampler = parse_sampler(text, 8)
        assert (sampler.random_counts, sampler.positions, sampler.value_dependent) == (counts, positions, False)


def test_templates_put_t_where_the_family_declares_it():
    assert parse_template("power:1/2") == (family("power"), ("T", "1/2"))
    assert parse_template("blocks:4:uniform:T") == (family("blocks"), ("4", "uniform", "T"))
    assert parse_template("blocks:4:power:1/2", searched=True) == (family("blocks"), ("4", "power", "T", "1/2"))
    assert parse_spec("blocks:4:power:T:1/2").at(8).build(16) == parse_schedule("blocks:4:power:8:1/2", 16)
    with pytest.raises(UsageError, match="not parametrised by T first"):
        parse_template("blocks:4:uniform")
    with pytest.raises(UsageError, match="unknown family 'nope'"):
        parse_template("nope")


def test_count_specs_are_samplers_not_schedules():
    with pytest.raises(ScheduleError, match="it is a sampler, not a fixed schedule"):
        parse_schedule("mdlm:4", 8)
    assert parse_sampler("mdlm:4", 8).name == "mdlm:4"


def test_registration_is_checked():
    class Bad(SamplerFamily):
        name = "Bad Name"

    with pytest.raises(UsageError, match="family name"):
        register(Bad)

    class Taken(SamplerFamily):
        name = "uniform"

    with pytest.raises(UsageError, match="already registered"):
        register(Taken)

    class Strange(SamplerFamily):
        name, reveals = "strange", "sometimes"

    with pytest.raises(UsageError, match="reveals"):
        register(Strange)


def test_usages_come_from_the_parameters():
    usages = {f.name: f.usage for f in families() if f.listed}
    assert usages["dream"] == "dream:T[:eps]" and usages["mdlm"] == "mdlm:T[:NOISE]"
    assert usages["blocks"] == "blocks:K:FAMILY:T" and usages["llada"] == "llada:GEN:BLOCK:STEPS"
    for f in families():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", f.name) and f.reveals in ("fixed", "blocks", "counts", "adaptive",
                                                                          "ordered")
        assert not f.listed or f.summary  # every listed family has a line in the docs' table
        assert f.is_rule == (f.reveals in ("adaptive", "ordered"))


def _holding(sampler):
    from boundcalc.bounds import BOUNDS

    return [name for name, bound in BOUNDS.items() if bound.applies_to(sampler)]


EXAMPLES = {"confidence": "confidence:1/2:2", "low-confidence": "low-confidence:2:2", "eb": "eb:1/2:bits:2",
            "entropy-sum": "entropy-sum:1:2", "left-to-right": "left-to-right:2:2", "dilated": "dilated:2"}


def test_what_a_rule_family_provides_instead_of_a_sampler():
    """A family whose positions are adaptive (from the predicted values) or a fixed order is a *rule*: it declares
    its exact engine ("rules": truth.adaptive on tables, truth.chain_samplers on chains), what holds for it
    (``guarantee``), no bound of the paper; it builds no Sampler (refused in one line naming where it is
    evaluated), and truth.rules.rule_of builds its Rule from the one parsed spec."""
    from boundcalc.registry import RULE_COMMANDS
    from boundcalc.truth.rules import Rule, rule_of

    rules = families(is_rule=True)
    assert {f.name for f in rules} == set(EXAMPLES)  # every rule of boundcalc.truth.rules is registered
    for f in rules:
        assert f.exact_engine == "rules" and f.needs_model and f.guarantee and f.summary
        assert _holding(f) == [] and f.positions == f.reveals
        assert f.value_dependent == (f.reveals == "adaptive")
        spec = parse_spec(EXAMPLES[f.name])
        rule = rule_of(spec, 4)
        assert isinstance(rule, Rule) and rule.kind == f.name and rule.length == 4
        assert (rule.steps is None) == (spec.steps is None)  # a fixed number of calls iff T is written
        with pytest.raises(ScheduleError) as refused:
            spec.build(4)
        assert RULE_COMMANDS in refused.value.allowed and "no bound of the paper" in refused.value.message
    for f in families(is_rule=False):
        assert f.reveals in ("fixed", "blocks", "counts")  # every other family builds a Sampler

def test_which_bounds_hold_is_asked_of_the_sampler_or_its_family():
    from boundcalc.bounds import BOUNDS, per_realisation_bounds

    def holding(sampler):
        return [name for name, bound in BOUNDS.items() if bound.applies_to(sampler)]

    assert holding(family("mdlm")) == holding(parse_sampler("mdlm:4", 8)) == list(per_realisation_bounds())
    blockwise = holding(parse_sampler("blocks:2:uniform:4", 8))
    assert blockwise == holding(family("llada")) and blockwise and all(n.startswith("block_") for n in blockwise)
    assert "theorem1" in holding(family("uniform")) and not set(blockwise) & set(holding(family("uniform")))

    class Adaptive(SamplerFamily):  # positions from the predicted values: no bound of the paper is a theorem
        name, reveals, value_dependent, exact_engine = "adaptive-toy", "adaptive", True, "adaptive-toy"

    assert Adaptive().positions == "adaptive" and Adaptive().needs_model and holding(Adaptive()) == []


@pytest.mark.parametrize("text, fragment", [
    ("confidence:0", "TAU = 0 is out of range"), ("confidence:3/2", "TAU = 3/2"), ("eb:-1", "GAMMA = -1"),
    ("entropy-sum:x", "'x' is not a number"), ("low-confidence:0", "'0' is not allowed"),
    ("dilated:4:0", "'0' is not allowed"), ("eb:1:bits:nats", "more than one unit"),
    ("left-to-right:2:2:2", "expected 1 or 2 parameters"), ("confidence:1/2:bits", "'bits' is not a number")])
def test_rule_parameters_are_checked_when_parsed(text, fragment):
    with pytest.raises(ScheduleError) as info:
        parse_spec(text)  # no L: the registry's one grammar checks a rule's parameters too
    assert fragment in info.value.message and info.value.param == "schedule"


def test_parse_rule_is_the_registry_grammar():
    from boundcalc.truth.rules import Rule, parse_rule, rule_of

    assert parse_rule("eb:1/2:bits:2", 4) == rule_of(parse_spec("eb:1/2:bits:2"), 4) == Rule.entropy_bound(
        4, "1/2", 2, unit="bits")
    assert parse_rule("low-confidence:4:2", 4) == Rule.low_confidence(4, 4, 2)
    assert parse_rule("dilated:2", 4).groups == ((0, 2), (1, 3))
    with pytest.raises(ScheduleError, match="not a sampler rule"):
        parse_rule("uniform:2", 4)
    with pytest.raises(ScheduleError, match="does not divide"):  # what depends on L: when built for L
        parse_rule("confidence:1/2:3", 4)


@pytest.mark.parametrize("text, fragment", [("uniform:x", "in 'uniform:x': 'x' is not a number"),
                                            ("power:4:1/0", "in 'power:4:1/0'"), ("mdlm:0", "in 'mdlm:0': '0' is not allowed"),
                                            ("llada:8:x:4", "in 'llada:8:x:4'"), ("blocks:0:uniform:4", "in 'blocks:0:uniform:4'")])
def test_parameters_are_checked_when_parsed_before_any_length(text, fragment):
    with pytest.raises(ScheduleError) as info:
        parse_spec(text)  # no L yet: what the parameters declare is checked here, the rest when built
    assert fragment in info.value.message and info.value.param == "schedule"
    assert parse_spec("power:T:1/2").is_template and parse_spec("power:T:1/2").at(4).steps == 4


@pytest.mark.parametrize("command, flag", [("sweep", "--sampler"), ("verify", "--schedule"), ("bound", "--schedule")])
def test_help_texts_list_the_registered_rules(run, command, flag):
    text = " ".join(run(command, "--help").stdout.split()).replace("- ", "-")  # click wraps after hyphens
    assert all(f.usage in text for f in families(is_rule=True))
