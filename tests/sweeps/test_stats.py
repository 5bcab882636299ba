"""The report's intervals (`evals.intervals`): Wilson for rates, Student's t for means, bounded and flagged."""

from __future__ import annotations

import math

import pytest

from evals.intervals import SMALL_SAMPLE, methods_note, t_interval, wilson
from evals.sweeps.labels import factor_label


def test_wilson_interval_matches_the_textbook_values() -> None:
    e = wilson(8, 10)
    assert e.estimate == 0.8 and not e.small
    assert e.low == pytest.approx(0.4902, abs=1e-4) and e.high == pytest.approx(0.9433, abs=1e-4)
    full = wilson(12, 12)
    assert full.high == 1.0 and full.low == pytest.approx(0.7575, abs=1e-4)
    assert math.isnan(wilson(0, 0).estimate) and wilson(0, 0).empty
    assert wilson(3, 3).small and "Wilson" in wilson(3, 3).method


def test_t_interval_of_the_mean_is_clipped_to_the_range_and_says_so() -> None:
    e = t_interval([1.0, 2.0, 3.0, 4.0])
    # mean 2.5, s = 1.291, t(0.975, 3) = 3.182: half-width 2.054
    assert e.estimate == 2.5 and e.half_width == pytest.approx(3.182 * 1.2909944 / 2, rel=1e-3)
    assert t_interval([0.5]).low == 0.5 == t_interval([0.5]).high
    ratio = t_interval([0.144, 0.9, 1.0], 0.0, 1.0)  # the raw t interval leaves [0, 1]
    assert 0.0 <= ratio.low <= ratio.high <= 1.0 and ratio.clipped and "clipped to [0, 1]" in ratio.method
    assert ratio.small
    assert not t_interval([0.5] * SMALL_SAMPLE, 0.0, 1.0).small


def test_the_methods_note_names_methods_and_small_samples() -> None:
    note = methods_note([wilson(2, 3), t_interval([0.1, 0.9, 0.5], 0.0, 1.0)])
    assert "Wilson score (statsmodels)" in note and "Student t (scipy)" in note
    assert "2 interval(s) rest on fewer than" in note


def test_factor_paths_read_as_display_names() -> None:
    names = {"supplier": "Carbonis Advanced Materials", "royalty_rate": "Royalty rate"}
    assert factor_label("parties.supplier.private.reservation_value", names) == (
        "Carbonis Advanced Materials: walk-away value (reservation value)"
    )
    assert factor_label("parties.supplier.private.weights.royalty_rate", names) == (
        "Carbonis Advanced Materials: priority (weight) of Royalty rate"
    )
    assert factor_label("policies") == "policy set"
