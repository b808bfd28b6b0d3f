"""boundcalc: exact convergence bounds for masked diffusion language models.

A calculator for the theory of Li & Cai, "A Convergence Theory for Diffusion
Language Models: An Information-Theoretic Perspective" (arXiv 2505.21400):
the sampling error of a masked diffusion LM that reveals s_1..s_T tokens per
step is at most (2^ceil(log2 s_max) - 1)/L * ΣI + ε_train, where ΣI sums each
token's mutual information with the rest.

>>> import boundcalc as bc
>>> profile = bc.MIProfile.from_total("2", length=10)
>>> bc.theorem1(profile, bc.Schedule([5, 3, 2]), eps_train="0.1")
Fraction(3, 2)
>>> bc.required_steps(profile, target="0.3", eps_train="0.1").steps
5

Every input is an exact rational; see docs/api.md for the whole API.
"""

from __future__ import annotations

# The public names and the modules that define them. They are imported on
# first use (PEP 562), so `import boundcalc` -- and the `boundcalc` command's
# start-up -- costs almost nothing.
_EXPORTS = {
    "bounds": (
        "BOUNDS C1 C2 C3 Bound BoundInputs BoundReport RecursionReport bound_coefficient bound_report corollary1 "
        "largest_max_size recursion recursion_chain recursion_coefficient recursion_report sharp sharp_coefficient "
        "ter ter_vocabulary theorem1 theorem1_coefficient theorem2_lower theorem2_upper "
        "block_bound_report CountBoundReport count_bound_report ConfidenceBound confidence_bound"
    ),
    "counts": "CountSampler parse_sampler",
    "registry": "Param SamplerFamily SamplerSpec",
    "errors": (
        "BoundcalcError DomainError InfeasibleTargetError InvalidNumberError ModelError ProfileError "
        "ScheduleError UsageError"
    ),
    "exact": "LogLinear ceil_log2 format_decimal parse_rational to_rational",
    "units": "Unit",
    "profile": "MIProfile load_profile",
    "multiscale": "MultiScaleProfile level_sizes load_multiscale",
    "schedule": "FAMILIES FixedFamily Schedule parse_schedule parse_spec random_schedule_distribution",
    "steps": "StepsResult required_steps",
    "verification": "VerifyReport verify",
    "sweeps": "SweepResult SweepRow sweep",
    "truth": (
        "EntropyProfile JointDistribution MarkovChain entropy_profile estimate_markov exact_error "
        "expected_random_error load_joint load_markov load_model load_text mi_profile multiscale_from_model "
        "multiscale_mi multiscale_phi optimal_schedule token_mi token_mi_levels"
    ),
    "curve": "LossCurve load_loss_curve",
    "estimate": "Estimate curve_quantities estimate_error info_optimal_schedule",
    "step_families": "FamilyStepsResult",
    "family_steps": "budget_table required_steps_family",
    "predictor": "estimate_loss_curve from_torch",
    "transfer": "num_transfer_tokens num_transfer_tokens_per_block",
    "completion": "completion_interval steps_range",
    "curve_log": "load_curve_file",
    "truth.predict": "exact_predictor sample_sequences",
    "symbolic": "Result expression unroll",
    "latex": "to_latex derivation_document",
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names.split()}

__all__ = [
    "__version__",
    # value objects
    "MIProfile",
    "Schedule",
    "BoundReport",
    "RecursionReport",
    "StepsResult",
    "LogLinear",
    "Unit",
    "Bound",
    "BoundInputs",
    # inputs
    "load_profile",
    "parse_schedule",
    "parse_rational",
    "to_rational",
    "FAMILIES",
    "CountSampler",
    "parse_sampler",
    "parse_spec",
    "SamplerSpec",
    "SamplerFamily",
    "FixedFamily",
    "Param",
    # bounds
    "BOUNDS",
    "C1",
    "theorem1",
    "recursion",
    "sharp",
    "corollary1",
    "ter",
    "ter_vocabulary",
    "bound_report",
    "bound_coefficient",
    "theorem1_coefficient",
    "recursion_coefficient",
    "sharp_coefficient",
    "recursion_chain",
    "recursion_report",
    "block_bound_report",
    "CountBoundReport",
    "count_bound_report",
    "ConfidenceBound",
    "confidence_bound",
    # required T
    "required_steps",
    "largest_max_size",
    # Theorem 2
    "C2",
    "C3",
    "MultiScaleProfile",
    "load_multiscale",
    "multiscale_from_model",
    "level_sizes",
    "theorem2_upper",
    "theorem2_lower",
    "expected_random_error",
    "random_schedule_distribution",
    # ground truth
    "JointDistribution",
    "MarkovChain",
    "EntropyProfile",
    "VerifyReport",
    "entropy_profile",
    "exact_error",
    "mi_profile",
    "token_mi",
    "token_mi_levels",
    "multiscale_mi",
    "multiscale_phi",
    "optimal_schedule",
    "verify",
    # sweeps over T
    "sweep",
    "SweepResult",
    "SweepRow",
    "estimate_markov",
    "load_joint",
    "load_markov",
    "load_model",
    "load_text",
    # loss curves (issue 10)
    "LossCurve",
    "load_loss_curve",
    "Estimate",
    "estimate_error",
    "curve_quantities",
    "info_optimal_schedule",
    "required_steps_family",
    "FamilyStepsResult",
    "budget_table",
    "estimate_loss_curve",
    "from_torch",
    "num_transfer_tokens",
    "num_transfer_tokens_per_block",
    "completion_interval",
    "steps_range",
    "load_curve_file",
    "exact_predictor",
    "sample_sequences",
    # symbolic layer and LaTeX
    "Result",
    "expression",
    "unroll",
    "to_latex",
    "derivation_document",
    # utilities
    "ceil_log2",
    "format_decimal",
    # errors
    "BoundcalcError",
    "UsageError",
    "DomainError",
    "InvalidNumberError",
    "ScheduleError",
    "ProfileError",
    "ModelError",
    "InfeasibleTargetError",
]


def __getattr__(name: str):
    if name in _MODULE_OF:
        from importlib import import_module

        value = getattr(import_module(f".{_MODULE_OF[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name == "plot":  # the figures module (matplotlib is imported only when a figure is drawn)
        from importlib import import_module

        return import_module(f"{__name__}.plot")
    # importlib.metadata costs ~10 ms; only pay for it when the version is asked for
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("boundcalc")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0+unknown"
    raise AttributeError(f"module 'boundcalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
