"""How close two utilities must be to count as equal: one tolerance for every comparison that decides.

Utilities are sums of floating-point products, so the same deal written on two scales (points
out of 100, or the same figures divided by 100) can come out as 0.67 on one and
0.6699999999999999 on the other. A comparison that decides something — whether one deal
dominates another, whether a deal is Pareto optimal, whether it reaches a party's reservation
value, which deal is the Nash point — must not turn on that last bit. Two rules, both relative
to the [0, 1] utility scale every profile is normalised to:

- **Order** (dominance, Pareto optimality, ranking of bargaining solutions): utilities are
  compared on `utility_grid`, i.e. rounded to whole multiples of ``UTILITY_TOLERANCE``.
  Rounding is monotone, so a difference of at least the tolerance always decides the right
  way, float noise (about 1e-16) never decides, and equality stays transitive — which is what
  lets the Pareto-frontier algorithms stay exact on the rounded values. The utilities reported
  are never rounded: only the decisions are.
- **Thresholds** (individual rationality): ``u`` reaches ``r`` when ``u >= r - UTILITY_TOLERANCE``
  (`at_least`).

Anyone who decides on utilities (evaluator, policies, negotiators) should use these two, so
that every part of pactlab agrees on what counts as equal.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

UTILITY_TOLERANCE: float = 1e-9
"""Utilities (on the normalised [0, 1] scale) closer than this may count as equal; differences of
at least this much always decide."""


def utility_grid(values: npt.ArrayLike, tolerance: float = UTILITY_TOLERANCE) -> npt.NDArray[np.float64]:
    """`values` rounded to whole multiples of `tolerance`, as whole numbers in floats (the ordering key).

    ``tolerance=0`` compares the values exactly (returns them as floats). ``-0.0`` becomes ``0.0``.
    """
    array = np.asarray(values, dtype=np.float64)
    if tolerance <= 0:
        return np.asarray(array + 0.0, dtype=np.float64)
    return np.asarray(np.rint(array / tolerance) + 0.0, dtype=np.float64)


def at_least(utility: float, threshold: float, tolerance: float = UTILITY_TOLERANCE) -> bool:
    """Whether `utility` reaches `threshold` (e.g. a reservation value), up to `tolerance`."""
    return bool(utility >= threshold - tolerance)


__all__ = ["UTILITY_TOLERANCE", "at_least", "utility_grid"]
