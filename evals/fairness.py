"""Fairness of a deal, measured on each party's surplus over its reservation value.

Utilities of different parties are not comparable in absolute terms, but each party's gain over
its own walk-away point is what the deal gives it; these measures compare those gains. All are
pure functions of plain numbers, so they can be recomputed from any record of a deal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from pactlab.domain.tolerance import UTILITY_TOLERANCE


def surplus(utilities: Mapping[str, float], reservations: Mapping[str, float]) -> dict[str, float]:
    """Each party's gain over its reservation value: ``u_i - r_i`` (negative: worse than no deal).

    The parties are those of `utilities`, in its order; every one needs a reservation value.
    """
    missing = [p for p in utilities if p not in reservations]
    if missing:
        raise KeyError(f"no reservation value for {', '.join(missing)}")
    return {p: float(u) - float(reservations[p]) for p, u in utilities.items()}


def min_max_ratio(surpluses: Iterable[float]) -> float:
    """Smallest surplus over the largest, in [0, 1]; 1 means every party gains the same.

    Surpluses within ``UTILITY_TOLERANCE`` of zero count as zero (float noise is not a gain or a
    loss). Edge cases, chosen so the ratio reads as "how close to equal gains":
    - any negative surplus gives 0.0: a party is worse off than without the deal, the most
      unequal outcome there is;
    - all surpluses zero (e.g. no deal: everyone keeps its reservation value) gives 1.0: equal,
      if trivially so;
    - an empty input gives 1.0 (nobody to compare).
    """
    values = np.asarray(list(surpluses), dtype=float)
    if values.size == 0:
        return 1.0
    low, high = float(values.min()), float(values.max())
    if low < -UTILITY_TOLERANCE:
        return 0.0
    if high <= UTILITY_TOLERANCE:
        return 1.0
    return max(low, 0.0) / high


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values: 0 when all are equal, up to ``1 - 1/n`` when one takes all.

    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)``: the mean absolute difference between two
    parties' shares, relative to twice the mean share. It looks at every party, where the
    min/max ratio looks only at the extremes. All zero (or empty) gives 0.0. Negative values
    raise ValueError: the Gini coefficient is not meaningful for them, so callers decide how to
    treat a party below its reservation value (the scorecard counts it as gaining nothing).
    """
    x = np.sort(np.asarray(list(values), dtype=float))  # sorted: the same result in any order, bit for bit
    if x.size == 0:
        return 0.0
    if x[0] < 0:
        raise ValueError(f"the Gini coefficient needs non-negative values, got {x.min():g}")
    total = float(x.sum())
    if total == 0:
        return 0.0
    diffs = float(np.abs(x[:, None] - x[None, :]).sum())
    return diffs / (2.0 * x.size * total)
