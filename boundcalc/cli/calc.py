"""``boundcalc steps``, ``bound`` and ``recursion``: the calculator commands."""

from __future__ import annotations

from typing import Any

import click

from ..errors import InfeasibleTargetError
from ..exact import FLOAT_DIGITS
from .options import (
    NONNEGATIVE,
    resolve_curve,
    POSITIVE_INT,
    BoundcalcCommand,
    digits_option,
    eps_train_option,
    exact_option,
    json_option,
    given_explicitly,
    mi_options,
    resolve_profile,
)
from .advice import (TARGET, PerToken, complete_bound_results, complete_budget, complete_results, export_transfer,
                     render_recommendation, resolve_targets)
from .render import emit_json, emit_table, show
from .sampler_help import RegistryHelpOption, schedule_help, steps_family_help
from .tables import emit_latex, format_option, refuse_latex, wants_latex

# The bounds `steps` can invert, from the registry (boundcalc.bounds is light: no numpy, no sympy).
from ..bounds import BOUNDS

BOUND_CHOICES = [name for name, entry in BOUNDS.items() if entry.invertible]


@click.command(cls=BoundcalcCommand)
@mi_options
@click.option(
    "--target",
    "-e",
    "targets",
    type=TARGET,
    multiple=True,
    help="Target ε for E KL(p_X0 || p_Y0), in --unit, or per token: 0.01/token (x L); repeat for several. "
    "Without an MI source: the example's 102.4, 10.24, 1.024 nats.",
)
@eps_train_option
@click.option(
    "--bound",
    "bound_name",
    type=click.Choice(BOUND_CHOICES),
    default="theorem1",
    show_default=True,
    help="theorem1: the paper's (2^ceil(log2 s_max) - 1)/L ΣI; recursion: (19) unrolled exactly; "
    "sharp: (s_max - 1)/L ΣI. See docs/theory.md.",
)
@click.option(
    "--family",
    "-f",
    "families",
    multiple=True,
    metavar="NAME",
    cls=RegistryHelpOption,
    help_from=steps_family_help,
)
@click.option(
    "--by",
    type=click.Choice(["bound", "error", "optimal"]),
    default="bound",
    show_default=True,
    help="What must reach the target: the bound (--bound), the error estimated from --loss-curve, "
    "or the error of the DP-optimal T-step schedule (from --loss-curve).",
)
@click.option("--budget", type=POSITIVE_INT, metavar="T",
              help="The reverse question: for T steps, each family's (estimated) error and bound.")
@click.option("--export", type=click.Choice(["num-transfer-tokens"]),
              help="Print only the chosen schedule as the per-step token counts LLaDA's / Dream's generate take "
              "(num_transfer_tokens): a JSON list per block.")
@click.option("--max-steps", type=POSITIVE_INT,
              help="Search T only up to this (bounds the work of a scan; default L, 16 L for random-count samplers).")
@click.option("--joint", "joint_table", type=click.Path(dir_okay=False, path_type=str),
              help="With --family confidence: a joint table (JSON, as for verify); the loosest Fast-dLLM threshold "
              "whose exact KL(p||q) meets each target, with its expected network calls. With --family "
              "NAME:LO..HI/N, left-to-right or dilated: those searched exactly (docs/samplers.md).")
@click.option("--markov", type=click.Path(dir_okay=False, path_type=str),
              help="With --family left-to-right|dilated (exact) or eb:LO..HI/N|entropy-sum:LO..HI/N (Monte Carlo, "
              "a statistical decision): a Markov chain (JSON, as for verify; needs --length).")
@click.option("--text", type=click.Path(dir_okay=False, path_type=str),
              help="As --markov, for the character chain fitted to a UTF-8 text (as verify --text).")
@click.option("--samples", type=click.IntRange(2, None), default=200, show_default=True,
              help="--markov/--text with eb or entropy-sum: Monte Carlo trajectories per grid point.")
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True,
              help="--markov/--text: the Monte Carlo's seed.")
@digits_option
@exact_option
@json_option
@format_option
def steps(**params: Any) -> None:
    """Fewest sampling steps T that reach each target ε (uniform schedules by default).

    For a uniform schedule s_max = ceil(L/T), so the bound is a non-increasing
    function of T; the answer is exact and instant even for L = 10^18.
    A target below ε_train has no answer (exit 1 when it is the only one);
    with ΣI = 0 one step suffices.

    With --family and --by the question is asked of any T-parametrised family:
    the fewest T whose bound, whose error estimated from a loss curve
    (--by error), or whose DP-optimal schedule's error (--by optimal) reaches
    the target. Errors from a measured curve are estimates (with stderr and
    the interpolation's effect). --budget T answers the reverse question.

    \b
    Examples:
      boundcalc steps
      boundcalc steps --mi-profile mi.csv --target 0.05 --target 0.01 --eps-train 0.001
      boundcalc steps --mi-total 12.5 --length 1024 --target 1/20 --bound sharp --json
      boundcalc steps --loss-curve curve.csv --family cosine --by error --target 0.5
      boundcalc steps --loss-curve curve.csv --by optimal --target 0.5
      boundcalc steps --loss-curve curve.csv --budget 8
      boundcalc steps --mi-total 2 --length 64 --family dream-origin --bound sharp --target 1/2
    """
    from .. import schedule  # noqa: F401  (the built-in families registered)
    from ..registry import family as registered_family, parse_searched

    families = list(params["families"])
    first = registered_family(families[0]) if families else None  # the whole spec: confidence:TAU is refused later
    if any(params[name] is not None for name in ("joint_table", "markov", "text")) or (
            first is not None and first.threshold_search):
        from .rules import steps_rule

        steps_rule(params, families)
        return
    # every --family read once, here, into the registry's value object (a --by optimal search ignores it)
    specs = [] if params["by"] == "optimal" and params["budget"] is None else [parse_searched(f) for f in families]
    if any(isinstance(t, PerToken) for t in params["targets"]):
        resolve_targets(params, resolve_profile(params, required=True).length)
    if params.get("loss_curve") is not None and not families and not given_explicitly("by") \
            and params["budget"] is None and params["targets"]:
        refuse_latex(params, "a recommendation from a loss curve")
        curve = resolve_curve(params)
        render_recommendation(params, curve, resolve_profile(params), curve.describe())
        return
    if params["export"] is not None and (params["budget"] is not None or params["by"] == "bound"):
        raise click.UsageError("--export prints a schedule found by --by error|optimal (or the recommendation)")
    counting = [s for s in specs if s.family.random_counts and params["by"] != "optimal"]
    if params["export"] is not None and counting:  # refused before the search, not after it
        raise click.UsageError(f"--export: {counting[0].text} reveals random counts: it has no fixed "
                               "num_transfer_tokens (export a fixed family's schedule: uniform, cosine, ...)")
    closed_form = not specs or (len(specs) == 1 and specs[0].family.closed_form_steps and not specs[0].given_args)
    if params["budget"] is not None or not closed_form or params["by"] != "bound" \
            or params.get("loss_curve") is not None:
        _steps_any(params, specs)
        return
    if params["max_steps"] is not None:
        raise click.UsageError("--max-steps bounds a scan: use it with --family or --by")
    _steps_uniform(params)


def _steps_uniform(params: dict[str, Any]) -> None:
    """steps for uniform schedules by a bound: the closed form, for any L (the original command)."""
    from ..steps import required_steps

    profile = resolve_profile(params, required=False)
    targets = list(params["targets"])
    source = None
    if profile is None:  # no MI source: the embedded example
        from ..example import EXAMPLE_DESCRIPTION, EXAMPLE_TARGETS, example_profile
        from ..exact import parse_rational

        profile = example_profile()
        source = EXAMPLE_DESCRIPTION
        if params["unit"] != "nats":
            raise click.UsageError("the embedded example is in nats; --unit bits needs an MI source")
        if params.get("vocab_size") is not None:
            profile.check_vocabulary(params["vocab_size"])
        targets = targets or [parse_rational(t) for t in EXAMPLE_TARGETS]
    if not targets:
        raise click.UsageError("give at least one --target")
    eps_train, bound_name, digits = params["eps_train"], params["bound_name"], params["digits"]
    results = [required_steps(profile, target, eps_train, bound_name) for target in targets]

    if wants_latex(params):
        emit_latex(results, params, unit=str(profile.unit))
    else:
        from ..answers import UniformStepsAnswer

        answer = UniformStepsAnswer(profile, tuple(results), eps_train, bound_name, source or _source(profile),
                                    example=source is not None)
        emit_json(answer, digits) if params["as_json"] else emit_table(answer, digits, exact=params["show_exact"])
    infeasible = [r for r in results if not r.feasible]
    if infeasible and len(infeasible) == len(results):  # no target has an answer: exit 1
        shown = ", ".join(show(r.target, digits) for r in infeasible)
        raise InfeasibleTargetError(
            f"target{'s' if len(infeasible) > 1 else ''} {shown} "
            f"{'are' if len(infeasible) > 1 else 'is'} below ε_train = {show(eps_train, digits)}, "
            "the floor of every bound",
            param="target",
            allowed="no number of steps reaches less than ε_train",
        )


@click.command(cls=BoundcalcCommand)
@mi_options
@click.option(
    "--schedule",
    "-s",
    "schedule_spec",
    cls=RegistryHelpOption,
    help_from=schedule_help,
)
@click.option(
    "--confidence",
    "confidence_eps",
    type=NONNEGATIVE,
    help="Instead of a schedule: ε of one confidence-decoding step (Fast-dLLM): each of the --reveal tokens "
    "has confidence >= 1 - ε. Gives (n-1)(H_b(ε) + ε log(V-1)); needs --reveal and --vocab-size, no MI source.",
)
@click.option("--reveal", "reveal", type=POSITIVE_INT, help="With --confidence: n, the tokens revealed in the step.")
@click.option(
    "--ms-profile",
    type=click.Path(dir_okay=False, path_type=str),
    help="Multi-scale profile for Theorem 2: token,level,value rows (E I(X^(i); X∘W_j), |W_j| = L - S/2^j, "
    "j = 0..log2 S), as written by `boundcalc profile --multiscale`. Adds theorem2_upper and theorem2_lower.",
)
@eps_train_option
@digits_option
@exact_option
@json_option
@format_option
def bound(**params: Any) -> None:
    """Every bound on E KL for one schedule: Theorem 1, the recursion, Corollary 1, TER, Theorem 2.

    \b
    Examples:
      boundcalc bound --schedule 5,3,2 --mi-total 2 --length 10 --eps-train 0.1
      boundcalc bound --schedule uniform:64 --mi-profile mi.csv --vocab-size 50257 --json
    """
    from ..bounds import bound_report
    from ..schedule import parse_spec
    from ..answers import curve_bound_report, curve_mi_measured
    from ..sources import case_multiscale, case_sampler

    if params.get("confidence_eps") is not None or params.get("reveal") is not None:
        refuse_latex(params, "the one-step confidence bound")
        _confidence(params)
        return
    if params["schedule_spec"] is None:
        raise click.UsageError("give --schedule (or --confidence EPS --reveal N --vocab-size V for one step)")
    profile = resolve_profile(params, required=True)
    curve = resolve_curve(params)
    spec = parse_spec(params["schedule_spec"], "schedule")  # read once, here at the edge
    schedule = case_sampler(spec, profile.length, curve)  # from the curve where the family needs one
    if schedule.random_counts:
        _count_bounds(params, profile, schedule, curve)
        return
    multiscale = case_multiscale(schedule, curve=curve, path=params.get("ms_profile"), unit=profile.unit)
    report = bound_report(profile, schedule, params["eps_train"], params.get("vocab_size"), multiscale)
    digits, exact = params["digits"], params["show_exact"]
    at_curve = None if curve is None else curve_bound_report(report, curve, params.get("vocab_size"))
    estimated = {} if at_curve is None else at_curve.estimated
    if estimated:
        digits = min(digits, FLOAT_DIGITS)  # ΣI is a float64 result: no value holds more digits
    if wants_latex(params):
        if estimated:
            return emit_latex(report, params, table=True, estimated=estimated,
                              mi_total=curve_mi_measured(curve, str(profile.unit), params.get("vocab_size")))
        return emit_latex(report, params, table=True)
    if params["as_json"]:
        emit_json(report if at_curve is None else at_curve, digits)
        return
    emit_table(report if at_curve is None else at_curve, digits, exact=exact)


def _confidence(params: dict[str, Any]) -> None:
    """bound --confidence EPS --reveal N --vocab-size V: Fast-dLLM's per-step bound."""
    from ..bounds import confidence_bound

    missing = [flag for flag, key in (("--confidence", "confidence_eps"), ("--reveal", "reveal"),
                                      ("--vocab-size", "vocab_size")) if params.get(key) is None]
    if missing:
        raise click.UsageError(f"--confidence needs {', '.join(missing)} (ε, the tokens revealed n, and V)")
    others = [f for f, k in (("--schedule", "schedule_spec"), ("--mi-profile", "mi_profile"),
                             ("--mi-constant", "mi_constant"), ("--mi-total", "mi_total"),
                             ("--ms-profile", "ms_profile")) if params.get(k) is not None]
    if others:
        raise click.UsageError(f"--confidence bounds one step on its own; drop {', '.join(others)}")
    result = confidence_bound(params["confidence_eps"], params["reveal"], params["vocab_size"], params["unit"])
    if params["as_json"]:
        emit_json(result, params["digits"])
        return
    emit_table(result, params["digits"])


def _count_bounds(params: dict[str, Any], profile, sampler, curve: Any = None) -> None:
    """bound for a random-count sampler: the expected per-realisation bounds (estimates at a measured curve's ΣI)."""
    from ..answers import count_bound_answer

    if params.get("ms_profile") is not None:
        raise click.UsageError("--ms-profile: Theorem 2 is not evaluated for random-count samplers "
                               "(its S depends on the realisation)")
    answer = count_bound_answer(profile, sampler, params["eps_train"], curve, params.get("vocab_size"))
    if wants_latex(params):
        return emit_latex(answer, params)
    emit_json(answer, params["digits"]) if params["as_json"] else emit_table(answer, params["digits"])


def _source(profile) -> str:
    """Where an MI profile came from, as the user gave it: its file, or the flag of a constant or total."""
    return {"total": "--mi-total", "constant": "--mi-constant"}.get(profile.kind, profile.source)


@click.command(cls=BoundcalcCommand)
@click.option("--smax", "-S", "s_max", type=POSITIVE_INT, required=True, help="The maximum mask size s_max.")
@click.option("--length", "-L", type=POSITIVE_INT, help="L: show terms in units of ΣI instead of ΣI/L.")
@digits_option
@exact_option
@json_option
def recursion(**params: Any) -> None:
    """The recursion (19) unrolled for one s_max, next to the paper's closed form (20).

    ε(s) <= ε(ceil(s/2)) + s/(2L) ΣI with ε(1) = 0, followed down the chain
    s, ceil(s/2), ..., 1. The paper bounds each c_k by 2^(ceil(log2 s) - k),
    which gives (20); the exact chain is never larger, and equal at powers of two.
    With the proof's exact second batch floor(c/2) the terms add up to s - 1.

    \b
    Example:
      boundcalc recursion --smax 37 --length 1024
    """
    from ..bounds import recursion_report

    s_max, length, digits, exact = params["s_max"], params["length"], params["digits"], params["show_exact"]
    report = recursion_report(s_max, length)
    if params["as_json"]:
        emit_json(report, digits)
        return
    emit_table(report, digits, exact=exact)


def _steps_any(params: dict[str, Any], families: list[Any]) -> None:
    """steps with --family / --by / --budget / --loss-curve: any family, by bound, estimated error or the DP."""
    from ..family_steps import budget_table, required_steps_family
    from ..step_families import BUDGET_FAMILIES, searched_family

    profile = resolve_profile(params, required=True)
    curve = resolve_curve(params)
    unit, digits, exact = params["unit"], params["digits"], params["show_exact"]
    by, bound_name, eps_train = params["by"], params["bound_name"], params["eps_train"]
    from ..table_printer import describe_profile

    source = profile.source if curve is not None else describe_profile(profile, digits, exact)

    if params["budget"] is not None:
        if params["targets"]:
            raise click.UsageError("--budget T answers for a number of steps: give it or --target, not both")
        rows = budget_table(params["budget"], length=profile.length, families=families or BUDGET_FAMILIES,
                            curve=curve, mi_total=profile.total, bound=bound_name, eps_train=eps_train, unit=unit,
                            mi_profile=profile if curve is None else None)
        rows = complete_budget(rows, curve, params.get("vocab_size"))
        _render_budget(params, profile, curve, rows, source)
        return
    if not params["targets"]:
        raise click.UsageError("give at least one --target (or --budget T)")
    if len(families) > 1:
        raise click.UsageError("give one --family to search (several only with --budget)")
    family = families[0] if families else searched_family("uniform")  # the default family
    from .truth import progress_bar

    with progress_bar("searching T") as bar:
        results = required_steps_family(
            params["targets"], family=family, by=by, length=profile.length, curve=curve,
            mi_total=profile.total, bound=bound_name, eps_train=eps_train, unit=unit,
            max_steps=params["max_steps"], progress=bar, mi_profile=profile if curve is None else None,
        )
    results = complete_results(results, curve, by, unit, params.get("vocab_size"))
    if by == "bound":  # at ΣI: its interval over the completions gives the bound's and T's
        def at(total: Any) -> list:
            # a family whose schedules follow the curve (info-optimal) keeps it; only ΣI moves
            return required_steps_family(params["targets"], family=family, by=by, length=profile.length,
                                         curve=curve if family.family.needs_curve else None,
                                         mi_total=total, bound=bound_name, eps_train=eps_train, unit=unit,
                                         max_steps=params["max_steps"])

        results = complete_bound_results(results, curve, unit, params.get("vocab_size"), profile.total, eps_train, at)
    if params["export"] is not None:
        export_transfer(results[0])
        return
    from ..answers import FamilyStepsAnswer

    counts = by != "optimal" and family.family.random_counts
    answer = FamilyStepsAnswer(profile, curve, tuple(results), unit, eps_train, by, bound_name, family.text, source,
                               counts, spec=family, vocab_size=params.get("vocab_size"))
    if wants_latex(params):
        emit_latex(answer, params)
    elif params["as_json"]:
        emit_json(answer, digits)
    else:
        emit_table(answer, digits, exact=exact)
    infeasible = [r for r in results if not r.feasible]
    if infeasible and len(results) == 1:
        raise InfeasibleTargetError(f"target {show(infeasible[0].target, digits)}: {infeasible[0].reason}",
                                    param="--target", allowed=_no_answer_hint(params["max_steps"], counts,
                                                                              family if by != "optimal" else None,
                                                                              profile.length, infeasible[0]))


def _no_answer_hint(max_steps: int | None, counts: bool, family: Any, length: int, result: Any) -> str:
    """What may give an answer when no T reached the target: --max-steps only where it can search further (a
    fixed family's T stops at L, or earlier where the family has no longer schedule, e.g. dream's at L - 2)."""
    from ..counts import MAX_COUNT_STEPS
    from ..step_families import COUNT_MAX_STEPS_FACTOR

    ceiling = MAX_COUNT_STEPS if counts else length
    if max_steps is not None and max_steps < ceiling:
        return f"a larger target or a larger --max-steps (at most {ceiling})"
    if counts and max_steps is None and COUNT_MAX_STEPS_FACTOR * length < ceiling:  # the default limit
        return "a larger target or a larger --max-steps"
    checked = result.checked_up_to
    if family is not None and not counts and checked is not None and checked < ceiling:
        return f"a larger target: {family.text} has no schedule of more than {checked} steps at L = {length}"
    return f"a larger target: every T <= {ceiling} was checked"


def _render_budget(params: dict[str, Any], profile, curve, rows, source: str) -> None:
    from ..answers import BudgetAnswer

    digits, exact = params["digits"], params["show_exact"]
    answer = BudgetAnswer(profile, curve, params["budget"], tuple(rows), params["unit"], params["bound_name"],
                          params["eps_train"], source, params.get("vocab_size"))
    if wants_latex(params):
        emit_latex(answer, params)
        return
    if params["as_json"]:
        emit_json(answer, digits)
        return
    emit_table(answer, digits, exact=exact, curve_hint="--loss-curve")
