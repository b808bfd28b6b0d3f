"""Ground truth: the exact sampler error and the MI profiles of explicit data models.

An engine: it imports value objects (schedules, profiles) and never the
bounds; :mod:`boundcalc.verify` puts the two side by side.

For a data model -- a joint table (:class:`JointDistribution`), a Markov
chain (:class:`MarkovChain`) or a chain estimated from text
(:func:`estimate_markov`) -- the error E_M KL of the sampler with the optimal
factorized predictor (ε_train = 0) is computed exactly (docs/theory.md section 10, docs/truth.md) from
the model's conditional entropy profile d(m) (:class:`EntropyProfile`):

>>> from boundcalc.schedule import Schedule
>>> chain = MarkovChain(["a", "b"], [["0.9", "0.1"], ["0.1", "0.9"]])
>>> round(exact_error(chain, Schedule.uniform(64, 8), length=64), 6)
1.939782
>>> optimal, error = optimal_schedule(chain, 8, length=64)
>>> error <= exact_error(chain, Schedule.uniform(64, 8), length=64)
True

Values are float64 in nats (the printers show them in bits: :func:`boundcalc.units.from_nats`); each
:class:`EntropyProfile` carries an a-priori bound on its rounding error
(docs/truth.md, "Precision").
"""

from __future__ import annotations

from .adaptive import SamplerLaw, exact_law
from .core import EPS64, EntropyProfile, Progress, float_decimal
from .io import Model, load_joint, load_markov, load_model, profile_csv, shown_profile_csv, write_profile_csv
from .joint import JointDistribution
from .markov import MarkovChain
from .quantities import (
    ModelOrProfile,
    as_schedule,
    entropy_profile,
    exact_error,
    expected_random_error,
    mi_profile,
    multiscale_from_model,
    multiscale_mi,
    multiscale_phi,
    optimal_schedule,
    token_mi,
    token_mi_levels,
)
from .rules import Rule, parse_rule
from .text import estimate_markov, load_text, tokenize

__all__ = [
    "EPS64",
    "EntropyProfile",
    "JointDistribution",
    "MarkovChain",
    "Model",
    "ModelOrProfile",
    "Progress",
    "entropy_profile",
    "exact_error",
    "exact_law",
    "SamplerLaw",
    "Rule",
    "parse_rule",
    "token_mi",
    "token_mi_levels",
    "mi_profile",
    "multiscale_mi",
    "multiscale_phi",
    "multiscale_from_model",
    "expected_random_error",
    "optimal_schedule",
    "as_schedule",
    "load_model",
    "load_joint",
    "load_markov",
    "load_text",
    "estimate_markov",
    "tokenize",
    "float_decimal",
    "profile_csv",
    "shown_profile_csv",
    "write_profile_csv",
]
