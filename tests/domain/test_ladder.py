"""The dispute-resolution ladder on hand-made tables: stall detection, escalation, the tier's mandate."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from agents.mediator import NashMediator, StatedPreferences
from pactlab.domain.ladder import decisive_surplus, escalate, escalation_due, escalations, needs_text, tier_view, track
from pactlab.domain.scenario import AgreementRule, DisputeTier, Scenario
from pactlab.domain.table import LADDER, MEDIATOR, MoveRecord, Table, TierView, Turn, opening_table


def with_ladder(scenario: Scenario, ladder: list[dict[str, Any]], **protocol: Any) -> Scenario:
    data = scenario.model_dump(mode="json")
    data["dispute_ladder"] = ladder
    data["protocol"].update(protocol)
    return Scenario.model_validate(data)


LADDER_3 = [
    {"id": "working_level", "name": "Working level", "max_rounds": 5},
    {"id": "executive", "name": "Executives", "max_rounds": 5},
    {"id": "mediation", "name": "Mediation", "max_rounds": 5},
    {"id": "arbitration", "name": "Arbitration", "description": "Binding arbitration."},
]


def test_the_decisive_party_follows_the_agreement_rule() -> None:
    values = {"a": 0.3, "b": -0.1, "c": 0.2, "d": 0.05}
    assert AgreementRule().decisive(values) == -0.1
    assert AgreementRule(kind="quorum", quorum=3).decisive(values) == 0.05  # the third best
    assert AgreementRule(kind="quorum", quorum=2).decisive(values) == 0.2
    assert AgreementRule(kind="quorum", quorum=2, veto=["b"]).decisive(values) == -0.1  # a veto holder's counts


def test_tier_kinds_default_from_their_ids_and_mandates_from_their_kinds() -> None:
    tiers = [DisputeTier.model_validate(t) for t in LADDER_3]
    assert [t.kind for t in tiers] == ["negotiation", "executive", "mediation", "arbitration"]
    assert [t.mandate for t in tiers] == [0.5, 1.0, 1.0, 1.0]
    custom = DisputeTier(id="steering_board", name="Board", kind="executive", concession_mandate=0.8)
    assert custom.kind == "executive" and custom.mandate == 0.8


def test_a_higher_tier_cannot_narrow_the_mandate(two_party: Scenario) -> None:
    ladder = [
        {"id": "working_level", "name": "W", "concession_mandate": 0.7},
        {"id": "executive", "name": "E", "concession_mandate": 0.4},
    ]
    with pytest.raises(ValidationError, match="cannot narrow the mandate"):
        with_ladder(two_party, ladder)


def test_party_ids_reserved_for_the_ladder_are_refused(two_party: Scenario) -> None:
    data = two_party.model_dump(mode="json")
    data["parties"][0]["id"] = "mediator"
    data["protocol"]["opener"] = None
    with pytest.raises(ValidationError, match="reserved for the mediator"):
        Scenario.model_validate(data)


def test_the_tier_view_gives_time_and_mandate_within_the_tier(two_party: Scenario) -> None:
    scenario = with_ladder(two_party, LADDER_3, max_rounds=20)
    table = replace(opening_table(scenario), round=7, tier=1, tier_start=5)
    view = tier_view(scenario, table)
    assert view == TierView(
        id="executive",
        name="Executives",
        kind="executive",
        index=1,
        start_round=5,
        rounds=5,
        mandate_from=0.5,
        mandate_to=1.0,
        final=False,
    )
    turn = Turn(
        party=table.speaker,
        round=7,
        max_rounds=20,
        turn=14,
        parties_at_table=table.at_table,
        proposal=None,
        proposer=None,
        accepted_by=frozenset(),
        tier=view,
    )
    assert turn.tier_time == pytest.approx(2 / 5)
    assert turn.within_mandate(0.0) == 0.5 and turn.within_mandate(1.0) == 1.0
    assert turn.within_mandate(0.5) == pytest.approx(0.75)
    assert turn.mandate == 1.0
    no_ladder = replace(turn, tier=None)
    assert no_ladder.tier_time == no_ladder.time and no_ladder.within_mandate(0.3) == 0.3
    mediation = tier_view(scenario, replace(table, tier=2, tier_start=10))
    assert mediation is not None and mediation.final  # only arbitration lies above it
    assert replace(turn, round=14, tier=mediation).is_last_round


def test_escalation_is_due_after_k_rounds_without_an_improving_offer(two_party: Scenario) -> None:
    untimed = [{k: v for k, v in tier.items() if k != "max_rounds"} for tier in LADDER_3]
    scenario = with_ladder(two_party, untimed, max_rounds=30, stall_rounds=2)
    table = opening_table(scenario)
    assert escalation_due(scenario, replace(table, round=2)) is None
    assert "no proposal in 2 round(s)" in (escalation_due(scenario, replace(table, round=3)) or "")
    table = track(replace(table, round=1), -0.2)
    assert table.best_margin == -0.2 and table.best_round == 1
    assert track(replace(table, round=2), -0.2) == replace(table, round=2), "an equal offer does not improve"
    table = track(replace(table, round=2), -0.1)
    assert table.best_round == 2
    assert escalation_due(scenario, replace(table, round=4)) is None
    due = escalation_due(scenario, replace(table, round=5))
    assert due is not None and "no improving offer for 2 round(s)" in due and "round 3" in due


def test_escalation_is_due_when_the_tier_time_limit_is_used_up(two_party: Scenario) -> None:
    scenario = with_ladder(two_party, LADDER_3, max_rounds=30, stall_rounds=None)
    table = track(opening_table(scenario), 0.1)
    assert escalation_due(scenario, replace(table, round=4)) is None
    assert "time limit of 5 round(s)" in (escalation_due(scenario, replace(table, round=5)) or "")


def test_escalating_moves_up_one_tier_and_arbitration_ends_the_negotiation(two_party: Scenario) -> None:
    scenario = with_ladder(two_party, LADDER_3, max_rounds=30)
    table = replace(track(opening_table(scenario), 0.1), round=5, turn=10)
    table, event = escalate(scenario, table, "stalled")
    assert (table.tier, table.tier_start, table.best_margin, table.best_round) == (1, 5, None, 5)
    assert table.status == "open" and table.turn == 11
    assert event["party"] == LADDER and event["kind"] == "escalate" and event["reason"] == "stalled"
    assert event["rationale"] == "working_level -> executive" and "Executives" in event["message"]
    table = replace(table, round=10)
    table, _ = escalate(scenario, table, "stalled again")
    assert needs_text(scenario, table), "a mediation tier wants the mediator's text"
    table = replace(table, round=15)
    table, last = escalate(scenario, table, "time is up")
    assert table.status == "walk_away" and table.remedy == "Arbitration: Binding arbitration."
    assert table.ended_by is not None and "remedy is Arbitration, outside pactlab" in table.ended_by
    assert last["rationale"] == "mediation -> arbitration"


def test_an_exhausted_ladder_without_arbitration_ends_in_walk_away(two_party: Scenario) -> None:
    scenario = with_ladder(two_party, LADDER_3[:1], max_rounds=30)
    table, _ = escalate(scenario, opening_table(scenario), "stalled")
    assert table.status == "walk_away" and table.remedy is None
    assert table.ended_by is not None and "ladder is exhausted" in table.ended_by


def test_the_escalation_history_is_read_from_the_public_moves(two_party: Scenario) -> None:
    scenario = with_ladder(two_party, LADDER_3, max_rounds=30)
    table = replace(opening_table(scenario), round=4)
    moves: list[MoveRecord] = []
    for at in (4, 7):
        table = replace(table, round=at)
        table, event = escalate(scenario, table, "stalled")
        moves.append(event)
    assert escalations(moves, scenario) == [("working_level", 0), ("executive", 4), ("mediation", 7)]


def test_the_decisive_surplus_counts_only_parties_at_the_table(two_party: Scenario) -> None:
    table: Table = opening_table(two_party)
    a, b = two_party.party_ids
    ra, rb = (two_party.party(p).private.reservation_value for p in (a, b))
    assert decisive_surplus(two_party, table, {a: ra + 0.2, b: rb + 0.1}) == pytest.approx(0.1)
    assert decisive_surplus(two_party, replace(table, at_table=(a,)), {a: ra + 0.2, b: rb - 1}) == pytest.approx(0.2)


def _turn(moves: list[MoveRecord], tier_start: int = 0) -> Turn:
    view = TierView("mediation", "Mediation", "mediation", 2, tier_start, 6, 1.0, 1.0, True)
    return Turn(
        party=MEDIATOR,
        round=3,
        max_rounds=20,
        turn=9,
        parties_at_table=("a", "b"),
        proposal=None,
        proposer=None,
        accepted_by=frozenset(),
        moves=moves,
        tier=view,
    )


STATED = StatedPreferences(
    parties=("a", "b"),
    candidates=[{"x": 0}, {"x": 1}, {"x": 2}, {"x": 3}],
    utilities=np.array([[0.9, 0.2], [0.8, 0.5], [0.6, 0.7], [0.3, 0.9]]),
    reservations=(0.4, 0.4),
)


def _move(party: str, kind: str, round_: int) -> MoveRecord:
    terms = {"x": 0} if kind == "propose" else None
    return MoveRecord(turn=0, round=round_, party=party, kind=kind, terms=terms, message="", rationale="", reason="")  # type: ignore[typeddict-item]


def test_the_nash_mediator_drafts_the_nash_bargaining_solution() -> None:
    draft = NashMediator().draft(_turn([]), STATED)
    # gains: (0.4, 0.1) -> 0.04, (0.2, 0.3) -> 0.06, no others rational: the Nash point is x=2
    assert draft is not None and draft.terms == {"x": 2}
    assert "Nash bargaining solution" in draft.rationale
    assert "0.4" not in draft.rationale, "the public text does not reveal reservation values"


def test_the_nash_mediator_revises_toward_the_parties_that_objected() -> None:
    objections = [_move("a", "propose", 1), _move("a", "reject", 2), _move("b", "propose", 0)]
    draft = NashMediator().draft(_turn(objections, tier_start=1), STATED)
    # weights a=3, b=1 (b's objection came before the tier): 3 ln 0.4 + ln 0.1 > 3 ln 0.2 + ln 0.3
    assert draft is not None and draft.terms == {"x": 1}
    assert "Revised" in draft.rationale and "a (2)" in draft.rationale


def test_the_nash_mediator_drafts_nothing_when_no_deal_is_individually_rational() -> None:
    none = replace(STATED, reservations=(0.95, 0.95))
    assert NashMediator().draft(_turn([]), none) is None
    assert NashMediator().draft(_turn([]), None) is None
