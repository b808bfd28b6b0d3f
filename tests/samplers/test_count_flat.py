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
