"""count_flat: many samplers' steps as flat arrays, row after row (against the samplers' own tuples)."""

from __future__ import annotations

import numpy as np

from boundcalc.count_flat import flat_steps
from boundcalc.count_sampler import CountSampler
from boundcalc.schedule import parse_spec


def test_rows_are_the_samplers_steps_in_order() -> None:
    samplers = [parse_spec(spec).build(64) for spec in ("mdlm:5:cosine", "mdlm:1", "dream-origin:7", "sedd:3")]
    samplers.append(CountSampler.from_probabilities(64, ["1/3", "1/2", 1]))
    rows = flat_steps(samplers)
    assert rows.counts.tolist() == [len(s.reveal) for s in samplers]
    for i, s in enumerate(samplers):
        part = slice(rows.offsets[i], rows.offsets[i + 1])
        assert rows.reveal[part].tolist() == list(s.reveal)
        assert rows.keep[part].tolist() == list(s.keep)
    assert not rows.reveal.flags.writeable and not rows.keep.flags.writeable
    assert rows.offsets[-1] == rows.reveal.size == sum(len(s.reveal) for s in samplers)
    assert np.all(rows.reveal[rows.offsets[1:] - 1] == 1.0)  # every row ends with the step that takes the rest


def test_the_running_laws_error_bound_holds_where_roundings_align() -> None:
    """_start_laws' δ bounds the relative error of r_k and a_k against exact Fractions. With p = 1/27 at every step
    the roundings of the running sum line up (some r_k is off by more than k·ε): a per-step bound of kε, what
    counting the running sum's roundings alone gives, fails here (theory §12: δ = (3n + 6)ε)."""
    from fractions import Fraction

    eps = Fraction(2) ** -53
    n = 60
    sampler = CountSampler.from_probabilities(8, [Fraction(1, 27)] * (n - 1) + [1])
    r, a, delta = sampler._start_laws()
    alive, worst_r, worst_ratio = Fraction(1), Fraction(0), Fraction(0)
    for k in range(n):
        if k:
            error_r = abs(Fraction(float(r[k])) / (1 - alive) - 1)
            worst_r = max(worst_r, error_r)
            worst_ratio = max(worst_ratio, error_r / (k * eps))
        assert abs(Fraction(float(a[k])) / alive - 1) <= delta
        alive *= 1 - Fraction(1, 27)
    assert worst_r <= delta
    assert worst_ratio > 1
