"""The fairness bound's memoised Nash point: the same figure as computing it afresh, never a stale one."""

from __future__ import annotations

from unittest import mock

from evals.bargaining import nash_solution
from pactlab.domain.catalog import load_scenario
from pactlab.domain.counterparts import draw_counterparts
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from policies import rules


def _utilities(scenario: Scenario) -> tuple[OutcomeSpace, dict[str, UtilityFunction]]:
    space = OutcomeSpace(scenario.issues)
    return space, {p.id: UtilityFunction(space, p.private) for p in scenario.parties}


def test_the_nash_point_is_computed_once_per_profiles_and_matches_a_fresh_one() -> None:
    scenario = load_scenario("boost_converter")[0]
    space, utilities = _utilities(scenario)
    fresh = nash_solution(space, utilities)
    assert fresh is not None
    rules._NASH_CACHE.clear()
    with mock.patch.object(rules, "nash_solution", wraps=nash_solution) as computed:
        assert rules.nash_objective(space, utilities) == fresh.objective
        again_space, again = _utilities(scenario)  # a run rebuilt on resume: new objects, same profiles
        assert rules.nash_objective(again_space, again) == fresh.objective
        assert computed.call_count == 1
        # Another counterpart (a drawn profile) is another Nash point, not the one kept.
        drawn = draw_counterparts(scenario, 7, seat=scenario.party_ids[0])[0]
        other_space, other = _utilities(drawn)
        expected = nash_solution(other_space, other)
        assert expected is not None and expected.objective != fresh.objective
        assert rules.nash_objective(other_space, other) == expected.objective
        assert computed.call_count == 2
