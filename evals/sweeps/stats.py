"""Means and proportions with 95% confidence intervals.

Proportions (the agreement rate) use the Wilson score interval, which stays inside [0, 1]
and behaves with few runs or rates near 0 or 1. Means use Student's t interval,
mean ± t(0.975, n-1) · s/√n, clipped at 0 for measures that cannot be negative (Nash ratio,
Pareto distance, violations); one value has no interval (low = high = the value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
    11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
    20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
    29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980,
}  # fmt: skip
"""Two-sided 95% quantiles of Student's t by degrees of freedom (standard tables)."""


@dataclass(frozen=True)
class Estimate:
    """A mean (or proportion) over `n` values and its 95% confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def t95(df: int) -> float:
    """t(0.975, df): the table, interpolated in 1/df between its rows, the normal quantile beyond 120."""
    if df < 1:
        raise ValueError("a t interval needs at least 2 values")
    if df in _T95:
        return _T95[df]
    if df > 120:
        return Z95 + (_T95[120] - Z95) * 120 / df
    lower = max(k for k in _T95 if k < df)
    upper = min(k for k in _T95 if k > df)
    weight = (1 / lower - 1 / df) / (1 / lower - 1 / upper)
    return _T95[lower] + weight * (_T95[upper] - _T95[lower])


def mean_ci(values: Sequence[float], floor: float | None = None) -> Estimate:
    """Mean and Student-t 95% interval (its low end clipped at `floor`, for measures that cannot go below it)."""
    n = len(values)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(mean, mean, mean, 1)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t95(n - 1) * sd / math.sqrt(n)
    low = mean - half if floor is None else max(floor, mean - half)
    return Estimate(mean, low, mean + half, n)


def proportion_ci(successes: int, n: int) -> Estimate:
    """Proportion and Wilson score 95% interval; NaN for n = 0."""
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)
