"""The explicit constants of the theory: a foundation every engine reads (numeric and symbolic).

Li & Cai (arXiv 2505.21400) state Corollary 1 and Theorem 2 with unnamed absolute
constants; boundcalc derives explicit ones. The derivations are in docs/theory.md
(and in ``boundcalc latex --proofs``, generated from the same text).

>>> C1, C2, C3
(2, Fraction(1, 1), Fraction(1, 16))
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["C1", "C2", "C3"]

#: Corollary 1 (eq. 9): E_M KL <= C1/T ΣI + ε_train for balanced schedules (s_max = ceil(L/T)).
#: docs/theory.md, section 5: 2^ceil(log2 s) - 1 <= 2(s - 1) and ceil(L/T) - 1 <= (L - 1)/T.
C1 = 2

#: Theorem 2, eq. (12): E_M KL <= C2 S/L Φ + ε_train for every schedule with 2 <= s_max <= S.
#: docs/theory.md, section 9 ("Upper bound (12): C2 = 1"): the best possible (L bits of even parity).
C2 = Fraction(1)

#: Theorem 2, eq. (13): E_schedule E_M KL >= C3 S/L Φ + ε_train for the random schedule on {S, S/2}.
#: docs/theory.md, section 9 ("Lower bound (13): C3 = 1/16"): the worst ratio S/(8(2S - 1)) tends to 1/16.
C3 = Fraction(1, 16)
