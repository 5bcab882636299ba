"""Pairwise tests with Holm's correction (the intervals: `evals.intervals`, shared with the sweep reports).

- Pairwise comparisons: the two-sided Mann–Whitney U test (``scipy.stats.mannwhitneyu``) of two
  types' per-run values, p-values adjusted for the number of pairs with Holm's step-down method
  (``statsmodels.stats.multitest.multipletests(method="holm")``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

from evals.intervals import ALPHA


@dataclass(frozen=True)
class Comparison:
    """Two types compared on one metric: Mann–Whitney U, its p-value raw and Holm-adjusted."""

    first: str
    second: str
    first_mean: float
    second_mean: float
    u: float
    superiority: float  # P(first > second) + P(tie)/2: U / (n1·n2)
    p_value: float
    p_adjusted: float
    significant: bool

    @property
    def better(self) -> str | None:
        """The type significantly ahead, if the difference is significant."""
        if not self.significant:
            return None
        return self.first if self.superiority > 0.5 else self.second


def pairwise(samples: Mapping[str, Sequence[float]]) -> list[Comparison]:
    """Every pair of types (in the given order) by Mann–Whitney U, p-values Holm-adjusted over the pairs."""
    names = [n for n, values in samples.items() if len(values) > 0]
    raw: list[tuple[str, str, float, float, float, float, float]] = []
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a = np.asarray(samples[first], dtype=float)
            b = np.asarray(samples[second], dtype=float)
            result = stats.mannwhitneyu(a, b, alternative="two-sided")
            u, p = float(result.statistic), float(result.pvalue)
            if math.isnan(p):  # every value tied: no evidence of a difference
                p = 1.0
            raw.append((first, second, float(a.mean()), float(b.mean()), u, u / (len(a) * len(b)), p))
    if not raw:
        return []
    reject, adjusted, _, _ = multipletests([r[-1] for r in raw], alpha=ALPHA, method="holm")
    return [
        Comparison(f, s, fm, sm, u, sup, p, float(adj), bool(rej))
        for (f, s, fm, sm, u, sup, p), adj, rej in zip(raw, adjusted, reject, strict=True)
    ]
