"""League statistics: bounded intervals, pairwise tests with Holm's correction, the metrics read from scorecards."""

from __future__ import annotations

import math

from evals.intervals import t_interval, wilson
from evals.league.metrics import observations
from evals.league.runs import LeagueRun
from evals.league.stats import pairwise


def test_t_intervals_are_clipped_to_the_range_and_hold_the_mean() -> None:
    values = [1.0, 1.0, 1.0, 0.2]
    interval = t_interval(values, 0.0, 1.0)
    assert interval.high == 1.0 and 0.0 <= interval.low < interval.estimate == 0.8
    assert t_interval([0.5], 0.0, 1.0).low == t_interval([0.5], 0.0, 1.0).high == 0.5
    assert t_interval([0.3, 0.3], 0.0, 1.0).low == 0.3
    assert math.isnan(t_interval([], 0.0, 1.0).estimate)


def test_wilson_intervals_stay_in_the_unit_interval() -> None:
    for successes in (0, 3, 10):
        interval = wilson(successes, 10)
        assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0
    assert wilson(0, 10).low == 0.0 and wilson(10, 10).high == 1.0


def test_pairwise_tests_find_a_clear_difference_and_adjust_with_holm() -> None:
    comparisons = pairwise({"a": [0.9, 0.95, 0.92, 0.91, 0.97, 0.93], "b": [0.1, 0.2, 0.15, 0.12, 0.18, 0.11],
                            "c": [0.9, 0.94, 0.92, 0.9, 0.96, 0.93]})  # fmt: skip
    by_pair = {(c.first, c.second): c for c in comparisons}
    assert by_pair["a", "b"].significant and by_pair["a", "b"].better == "a"
    assert by_pair["b", "c"].better == "c"
    assert not by_pair["a", "c"].significant
    ordered = sorted(c.p_value for c in comparisons)
    assert all(c.p_adjusted >= c.p_value for c in comparisons) and ordered[0] < 0.05


def _card(outcome: str, utilities: dict[str, float | None]) -> dict[str, object]:
    return {
        "outcome": outcome,
        "rounds": 7,
        "nash_ratio": 0.5 if outcome == "agreement" else 0.0,
        "pareto_distance": 0.1,
        "parties": [
            {"party": p, "utility": u, "reservation_value": 0.4, "surplus": 0.0 if u is None else u - 0.4}
            for p, u in utilities.items()
        ],
    }


def test_a_type_holding_several_seats_counts_once_per_run_with_its_mean() -> None:
    card = _card("agreement", {"a": 0.9, "b": 0.5, "c": 0.7})
    run = LeagueRun("r", "s", (("a", "x"), ("b", "y"), ("c", "y")), 0, "done", card, 10)
    found = {o.type: o for o in observations(run)}
    assert set(found) == {"x", "y"}
    assert found["y"].values["utility"] == (0.5 + 0.7) / 2 and found["y"].seats == ("b", "c")
    assert found["x"].opponents == ("y",) and found["x"].values["agreement"] == 1.0
    assert "opponent_model" not in found["x"].values


def test_without_agreement_a_type_keeps_its_reservation_value() -> None:
    run = LeagueRun("r", "s", (("a", "x"), ("b", "y")), 0, "done", _card("impasse", {"a": None, "b": None}), 10)
    for obs in observations(run):
        assert obs.values["utility"] == 0.4 and obs.values["surplus"] == 0.0 and obs.values["agreement"] == 0.0


def test_opponent_model_accuracy_is_read_when_the_scorecard_has_it() -> None:
    card = _card("agreement", {"a": 0.9, "b": 0.5})
    card["opponent_models"] = [
        {"holder": "a", "about": "b", "model": "bayesian", "pearson_r": 0.8},
        {"holder": "b", "about": "a", "model": "frequency", "pearson_r": None},
    ]
    found = {o.type: o for o in observations(LeagueRun("r", "s", (("a", "x"), ("b", "y")), 0, "done", card, 10))}
    assert found["x"].values["opponent_model"] == 0.8
    assert "opponent_model" not in found["y"].values
