"""The protocol's table logic on hand-made moves: agreement rules, rounds, walk-away, illegal moves."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pactlab.domain.actions import Accept, Propose, Reject, WalkAway
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace
from pactlab.domain.protocol import IllegalMove, apply_move
from pactlab.domain.scenario import AgreementRule, Scenario
from pactlab.domain.table import Table, opening_table

TERMS = {"foreground_ip": "joint", "royalty_rate": 4, "exclusivity_months": 12, "use_case_disclosed": True}


def three_party(two_party: Scenario, rule: AgreementRule) -> Scenario:
    data = two_party.model_dump(mode="json")
    gamma = dict(data["parties"][1], id="gamma", name="Gamma Labs")
    data["parties"].append(gamma)
    data["protocol"]["agreement"] = rule.model_dump(mode="json")
    return Scenario.model_validate(data)


def play(scenario: Scenario, *moves: tuple[str, object]) -> Table:
    space = OutcomeSpace(scenario.issues)
    table = opening_table(scenario)
    for party, action in moves:
        table = apply_move(table, party, action, scenario, space)  # type: ignore[arg-type]
    return table


def test_two_party_agreement_when_the_other_accepts(two_party: Scenario) -> None:
    table = play(two_party, ("alpha", Propose(terms=TERMS)), ("beta", Accept()))
    assert table.status == "agreement"
    assert table.proposal == {**TERMS, "royalty_rate": 4.0}
    assert table.accepted_by == {"alpha", "beta"}


def test_counter_offer_replaces_the_proposal_and_resets_acceptances(two_party: Scenario) -> None:
    scenario = three_party(two_party, AgreementRule())
    counter = {**TERMS, "foreground_ip": "beta"}
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Accept()), ("gamma", Propose(terms=counter)))
    assert table.status == "open"
    assert table.proposer == "gamma"
    assert table.accepted_by == {"gamma"}
    assert table.speaker == "alpha"
    assert table.round == 1


def test_unanimity_needs_every_party(two_party: Scenario) -> None:
    scenario = three_party(two_party, AgreementRule())
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Accept()))
    assert table.status == "open"
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Accept()), ("gamma", Accept()))
    assert table.status == "agreement"


def test_quorum_with_veto(two_party: Scenario) -> None:
    rule = AgreementRule(kind="quorum", quorum=2, veto=["gamma"])
    scenario = three_party(two_party, rule)
    # alpha + beta make a quorum of two, but gamma holds a veto.
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Accept()))
    assert table.status == "open"
    table = play(
        scenario,
        ("alpha", Propose(terms=TERMS)),
        ("beta", Reject(reason="too low")),
        ("gamma", Propose(terms=TERMS)),
        ("alpha", Accept()),
    )
    assert table.status == "agreement"
    assert table.accepted_by == {"alpha", "gamma"}


def test_reject_clears_the_table(two_party: Scenario) -> None:
    table = play(two_party, ("alpha", Propose(terms=TERMS)), ("beta", Reject(reason="royalty too low")))
    assert table.proposal is None and table.proposer is None and table.accepted_by == frozenset()
    assert table.speaker == "alpha" and table.round == 1


def test_walk_away_under_unanimity_ends_the_negotiation(two_party: Scenario) -> None:
    table = play(two_party, ("alpha", Propose(terms=TERMS)), ("beta", WalkAway(reason="BATNA is better")))
    assert table.status == "walk_away"
    assert "beta walked away" in (table.ended_by or "")


def test_walk_away_under_quorum_lets_the_rest_continue(two_party: Scenario) -> None:
    scenario = three_party(two_party, AgreementRule(kind="quorum", quorum=2))
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", WalkAway(reason="not for us")))
    assert table.status == "open"
    assert table.at_table == ("alpha", "gamma")
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", WalkAway(reason="no")), ("gamma", Accept()))
    assert table.status == "agreement"


def test_walk_away_of_a_veto_party_ends_it(two_party: Scenario) -> None:
    scenario = three_party(two_party, AgreementRule(kind="quorum", quorum=2, veto=["beta"]))
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", WalkAway(reason="no")))
    assert table.status == "walk_away"


def test_round_limit_ends_in_impasse(two_party: Scenario) -> None:
    moves = []
    for _ in range(two_party.protocol.max_rounds):
        moves += [("alpha", Propose(terms=TERMS)), ("beta", Propose(terms={**TERMS, "foreground_ip": "beta"}))]
    table = play(two_party, *moves)
    assert table.status == "impasse"
    assert table.round == two_party.protocol.max_rounds
    with pytest.raises(IllegalMove, match="has ended"):
        play(two_party, *moves, ("alpha", Accept()))


@pytest.mark.parametrize(
    ("moves", "match"),
    [
        ([("alpha", Accept())], "no proposal on the table to accept"),
        ([("beta", Propose(terms=TERMS))], "it is alpha's turn"),
        ([("alpha", Propose(terms=TERMS)), ("beta", Accept()), ("alpha", Accept())], "has ended"),
    ],
)
def test_illegal_moves_are_named(two_party: Scenario, moves: list[tuple[str, object]], match: str) -> None:
    with pytest.raises(IllegalMove, match=match):
        play(two_party, *moves)


def test_cannot_accept_or_reject_own_proposal(two_party: Scenario) -> None:
    space = OutcomeSpace(two_party.issues)
    table = replace(opening_table(two_party), proposal=TERMS, proposer="alpha", accepted_by=frozenset({"alpha"}))
    with pytest.raises(IllegalMove, match="cannot accept its own proposal"):
        apply_move(table, "alpha", Accept(), two_party, space)
    with pytest.raises(IllegalMove, match="cannot reject its own proposal"):
        apply_move(table, "alpha", Reject(reason="changed my mind"), two_party, space)


def test_invalid_terms_name_the_issue(two_party: Scenario) -> None:
    with pytest.raises(InvalidOffer) as info:
        play(two_party, ("alpha", Propose(terms={**TERMS, "royalty_rate": 5})))
    assert "royalty_rate" in info.value.problems
    assert "steps of 2" in info.value.problems["royalty_rate"]
