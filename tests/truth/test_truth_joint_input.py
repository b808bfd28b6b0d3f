"""Joint tables: refused from their shape before conversion; the whole-array reader equals the careful one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from boundcalc.errors import DomainError, ModelError
from boundcalc.truth import JointDistribution


class _ShapeOnly:
    """An array-like that fails if anything but its shape is read."""

    shape = (2,) * 30

    def __array__(self, *args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("converted before the size check")


def test_refused_from_the_shape():
    with pytest.raises(DomainError, match="L = 30 > 22"):
        JointDistribution.from_array(_ShapeOnly())
    nested: list = [0.0, 1.0]
    for _ in range(23):
        nested = [nested, nested]  # 2^24 cells, shared: cheap to build, expensive to convert
    with pytest.raises(DomainError, match="L = 24 > 22"):
        JointDistribution.from_array(nested)
    wide = _ShapeOnly()
    wide.shape = (64,) * 5  # 2^30 cells
    with pytest.raises(DomainError, match="cells is too large"):
        JointDistribution.from_array(wide)


def test_outcomes_refused_before_reading_them():
    outcomes = [[0] * 16] * 300_000  # L = 16 and 300000 outcomes need V >= 3: too large either way
    with pytest.raises(DomainError, match="too large for all 2\\^L marginals"):
        JointDistribution.from_outcomes(outcomes, [1 / 300_000] * 300_000)


def _careful(outcomes, probabilities, normalize):
    # a string probability sends the table the careful way; its value is the float's exact decimal
    from decimal import Decimal

    exact = [str(Decimal(p)) for p in probabilities]
    return JointDistribution.from_outcomes(outcomes, exact, normalize=True) if normalize else None


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6),
    st.sampled_from([["a", "b", "c"], [0, 1], [5, -2, 7, 100], ["x"]]),
    st.data(),
)
def test_whole_array_reader_equals_careful_reader(length, tokens, data):
    support = data.draw(
        st.lists(st.tuples(*[st.sampled_from(tokens)] * length), min_size=1, max_size=40, unique=True)
    )
    weights = data.draw(st.lists(st.floats(0.01, 1.0), min_size=len(support), max_size=len(support)))
    outcomes = [list(o) for o in support]
    fast = JointDistribution.from_outcomes(outcomes, weights, normalize=True)
    careful = _careful(outcomes, weights, True)
    assert fast.vocabulary == careful.vocabulary
    np.testing.assert_array_equal(fast.codes, careful.codes)
    np.testing.assert_allclose(fast.probabilities, careful.probabilities, rtol=1e-15, atol=0)
    np.testing.assert_allclose(
        fast.entropy_profile().conditional, careful.entropy_profile().conditional, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize(
    "outcomes, probabilities, message",
    [
        ([["a"], ["a"]], [0.5, 0.5], "outcome 2 repeats outcome 1"),
        ([["a"], [True]], [0.5, 0.5], "outcome 2 has the token True"),
        ([[1], [True]], [0.5, 0.5], "outcome 2 has the token True"),
        ([["a"], ["b", "c"]], [0.5, 0.5], "outcome 2 has 2 tokens, outcome 1 has 1"),
        ([["a"], ["b"]], [0.5, -0.5], "probability 2 is negative"),
        ([["a"], ["b"]], [0.5, 0.4], "sum to 0.9, not 1"),
        ([["a"], ["b"]], [0.5, float("nan")], "probability 2"),
    ],
)
def test_errors_keep_their_messages(outcomes, probabilities, message):
    with pytest.raises(ModelError, match=message):
        JointDistribution.from_outcomes(outcomes, probabilities)


def test_dense_array_codes_any_vocabulary():
    rng = np.random.default_rng(3)
    for V, L in ((2, 5), (3, 4), (5, 3)):
        table = rng.dirichlet(np.ones(V**L)).reshape((V,) * L)
        table[(0,) * L] = 0.0
        joint = JointDistribution.from_array(table, normalize=True)
        np.testing.assert_allclose(joint.dense(), table / table.sum(), rtol=1e-14, atol=1e-300)
