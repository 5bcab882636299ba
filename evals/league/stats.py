"""Confidence intervals bounded to a metric's range, and pairwise tests with Holm's correction.

- Proportions (the agreement rate): the Wilson score interval, `statsmodels`'
  ``proportion_confint(method="wilson")``; it lies inside [0, 1] by construction.
- Means: Student's t interval, ``scipy.stats.t.interval(0.95, n - 1, mean, s/√n)``, then clipped
  to the metric's possible range (a utility's interval never leaves [0, 1]). One value, or
  values all equal, give the degenerate interval [mean, mean].
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
from statsmodels.stats.proportion import proportion_confint

CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE


@dataclass(frozen=True)
class Interval:
    """A point estimate over `n` values and its 95% confidence interval, with the method that gave it."""

    estimate: float
    low: float
    high: float
    n: int
    method: str

    @property
    def empty(self) -> bool:
        return self.n == 0 or math.isnan(self.estimate)


NO_VALUES = Interval(math.nan, math.nan, math.nan, 0, "none")


def wilson(successes: int, n: int) -> Interval:
    """Proportion `successes / n` and its Wilson score interval (statsmodels)."""
    if n == 0:
        return NO_VALUES
    low, high = proportion_confint(successes, n, alpha=ALPHA, method="wilson")
    p = successes / n
    return Interval(p, min(float(low), p), max(float(high), p), n, "wilson")


def t_interval(values: Sequence[float], lower: float, upper: float) -> Interval:
    """Mean of `values` and its Student-t interval (scipy), clipped to [lower, upper]."""
    n = len(values)
    if n == 0:
        return NO_VALUES
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    spread = float(data.std(ddof=1)) if n > 1 else 0.0
    if n == 1 or spread == 0.0:
        low = high = mean
    else:
        low_t, high_t = stats.t.interval(CONFIDENCE, n - 1, loc=mean, scale=spread / math.sqrt(n))
        low, high = float(low_t), float(high_t)
    clipped_low = min(max(low, lower), mean)
    clipped_high = max(min(high, upper), mean)
    return Interval(mean, clipped_low, clipped_high, n, "t, clipped")


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
