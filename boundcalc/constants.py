"""The explicit constants boundcalc uses, each derived in docs/theory.md.

The paper (Li & Cai, arXiv 2505.21400) states Corollary 1 and Theorem 2 with
"absolute constants" and no values; these are boundcalc's derivations, tested
against exact errors (tests/core/test_theorem2.py, tests/truth/test_truth_bounds.py).
They live here, below every engine, so the numeric bounds and the symbolic
layer state the same theorem without importing each other.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["C1", "C2", "C3"]

#: Corollary 1 (eq. 9) for balanced schedules, s_max = ceil(L/T): E KL <= C1/T ΣI + ε_train
#: (docs/theory.md, section 4: Theorem 1 at s_max = ceil(L/T) gives a ratio below 2).
C1 = 2
#: Theorem 2's upper bound (12), every schedule with s_max <= S: E KL <= C2 S/L Φ + ε_train
#: (docs/theory.md, section 9; attained by parity, so the best possible).
C2 = Fraction(1)
#: Theorem 2's lower bound (13), the random schedule on {S, S/2}: E KL >= C3 S/L Φ + ε_train
#: (docs/theory.md, section 9; the limit of the worst case S/(8(2S-1)) as S grows).
C3 = Fraction(1, 16)
