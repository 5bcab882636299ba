"""The report's intervals: Wilson for the agreement rate, Student's t for means."""

from __future__ import annotations

import math

import pytest

from evals.sweeps.stats import mean_ci, proportion_ci, t95


def test_wilson_interval_matches_the_textbook_values() -> None:
    e = proportion_ci(8, 10)
    assert e.mean == 0.8
    assert e.low == pytest.approx(0.4902, abs=1e-4) and e.high == pytest.approx(0.9433, abs=1e-4)
    full = proportion_ci(12, 12)
    assert full.high == 1.0 and full.low == pytest.approx(0.7575, abs=1e-4)
    assert math.isnan(proportion_ci(0, 0).mean)


def test_t_interval_of_the_mean() -> None:
    e = mean_ci([1.0, 2.0, 3.0, 4.0])
    # mean 2.5, s = 1.291, t(0.975, 3) = 3.182: half-width 2.054
    assert e.mean == 2.5 and e.half_width == pytest.approx(3.182 * 1.2909944 / 2, rel=1e-6)
    assert mean_ci([0.5]).low == 0.5 == mean_ci([0.5]).high
    assert mean_ci([0.0, 0.0, 0.3], floor=0.0).low == 0.0
    assert t95(35) == pytest.approx(2.030, abs=2e-3) and t95(1000) == pytest.approx(1.962, abs=1e-3)
