"""Strategy negotiators answer the policy gate: a refused accept or proposal is not made again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agents.registry import STRATEGY_NAMES, make_negotiator
from pactlab.domain.actions import Accept, Propose
from pactlab.domain.table import BlockedMove
from tests.agents.test_strategies import _turn, fixture, seat_for


@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
def test_a_refused_proposal_is_replaced_by_another_acceptable_one(strategy: str) -> None:
    scenario = fixture()
    seat = seat_for(scenario, "alpha")
    turn = _turn(scenario, "alpha", None, 3)
    first = make_negotiator(strategy, seat).act(turn)
    assert isinstance(first, Propose)
    refused = replace(turn, blocked=(BlockedMove("propose", first.terms, "rule x: not allowed"),))
    second = make_negotiator(strategy, seat).act(refused)
    assert isinstance(second, Propose)
    assert second.terms != first.terms
    assert seat.utility.acceptable(seat.space.validate(second.terms))


@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
def test_a_refused_accept_becomes_a_proposal(strategy: str) -> None:
    scenario = fixture()
    seat = seat_for(scenario, "beta")
    best_for_beta = seat.space.term_sheet(int(seat.utility.over_space().argmax())).terms
    turn = _turn(scenario, "beta", best_for_beta, scenario.protocol.max_rounds - 1)
    assert isinstance(make_negotiator(strategy, seat).act(turn), Accept)
    refused = replace(turn, blocked=(BlockedMove("accept", None, "rule y: the deal would break it"),))
    assert isinstance(make_negotiator(strategy, seat).act(refused), Propose)
