"""Confidence intervals bounded to a metric's range, from scipy and statsmodels (one implementation
for the sweep reports and the league).

- Proportions (a rate such as the agreement rate): the Wilson score interval, statsmodels'
  ``proportion_confint(method="wilson")``; inside [0, 1] by construction.
- Means: Student's t interval, ``scipy.stats.t.interval(0.95, n - 1, mean, s/√n)``, then clipped to
  the metric's possible range (``clipped`` says when it was). One value, or values all equal, give
  the degenerate interval [mean, mean].
- Every interval over fewer than `SMALL_SAMPLE` values is flagged ``small``: with so few runs the
  interval says little (a zero-width interval from 3 seeds is not certainty), and reports say so.

Each interval names its method, and reports print it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE

SMALL_SAMPLE = 10
"""Below this many values an interval is flagged as resting on a small sample."""

WILSON = "Wilson score (statsmodels)"
STUDENT_T = "Student t (scipy)"


@dataclass(frozen=True)
class Interval:
    """A point estimate over `n` values, its 95% confidence interval, and how it was obtained."""

    estimate: float
    low: float
    high: float
    n: int
    method: str
    small: bool = False  # fewer than SMALL_SAMPLE values
    clipped: bool = False  # the raw interval left the metric's range and was cut back to it

    @property
    def empty(self) -> bool:
        return self.n == 0 or math.isnan(self.estimate)

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


NO_VALUES = Interval(math.nan, math.nan, math.nan, 0, "none", small=True)


def wilson(successes: int, n: int) -> Interval:
    """Proportion `successes / n` and its Wilson score interval (statsmodels)."""
    if n == 0:
        return NO_VALUES
    low, high = proportion_confint(successes, n, alpha=ALPHA, method="wilson")
    p = successes / n
    return Interval(p, max(0.0, min(float(low), p)), min(1.0, max(float(high), p)), n, WILSON, n < SMALL_SAMPLE)


def t_interval(values: Sequence[float], lower: float = -math.inf, upper: float = math.inf) -> Interval:
    """Mean of `values` and its Student-t interval (scipy), clipped to the metric's range [lower, upper]."""
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
    clipped = clipped_low != low or clipped_high != high
    method = f"{STUDENT_T}, clipped to [{lower:g}, {upper:g}]" if clipped else STUDENT_T
    return Interval(mean, clipped_low, clipped_high, n, method, n < SMALL_SAMPLE, clipped)


def methods_note(intervals: Sequence[Interval]) -> str:
    """One sentence naming the methods behind `intervals` and how many rest on small samples."""
    used = sorted({i.method.split(",")[0] for i in intervals if not i.empty})
    small = sum(1 for i in intervals if not i.empty and i.small)
    text = "95% intervals: " + ("; ".join(used) if used else "none")
    if any(i.clipped for i in intervals):
        text += "; means clipped to each metric's range where the t interval left it"
    if small:
        text += f"; {small} interval(s) rest on fewer than {SMALL_SAMPLE} runs (marked *): read them with care"
    return text + "."


__all__ = [
    "ALPHA",
    "CONFIDENCE",
    "NO_VALUES",
    "SMALL_SAMPLE",
    "STUDENT_T",
    "WILSON",
    "Interval",
    "methods_note",
    "t_interval",
    "wilson",
]
