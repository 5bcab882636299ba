"""The protocols' table rules on hand-made moves: stacked (SAOP), mediated single text, acceptance memory."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pactlab.domain.actions import Accept, Propose, Reject, WalkAway
from pactlab.domain.ladder import escalate, needs_text, table_text
from pactlab.domain.outcome_space import OutcomeSpace
from pactlab.domain.protocol import apply_move, signatories_if
from pactlab.domain.scenario import AgreementRule, Protocol, Scenario
from pactlab.domain.table import MEDIATOR, Table, opening_table, sheet_key, table_from_record, table_record

TERMS = {"foreground_ip": "joint", "royalty_rate": 4, "exclusivity_months": 12, "use_case_disclosed": True}
OTHER = {**TERMS, "foreground_ip": "beta"}


def four_party(two_party: Scenario, kind: str, rule: AgreementRule, **protocol: object) -> Scenario:
    data = two_party.model_dump(mode="json")
    for pid in ("gamma", "delta"):
        data["parties"].append(dict(data["parties"][1], id=pid, name=pid.title()))
    data["protocol"] = {**data["protocol"], "kind": kind, "agreement": rule.model_dump(mode="json"), **protocol}
    return Scenario.model_validate(data)


QUORUM = AgreementRule(kind="quorum", quorum=3, veto=["alpha"])


def play(scenario: Scenario, *moves: tuple[str, object], table: Table | None = None) -> Table:
    space = OutcomeSpace(scenario.issues)
    table = table or opening_table(scenario)
    for party, action in moves:
        table = apply_move(table, party, action, scenario, space)  # type: ignore[arg-type]
    return table


def test_the_kind_defaults_to_alternating_and_remembers_by_kind() -> None:
    assert Protocol().kind == "alternating" and not Protocol().remembers
    assert Protocol(kind="stacked").remembers and Protocol(kind="mediated").remembers
    assert not Protocol(kind="stacked", remember_acceptances=False).remembers
    assert Protocol(kind="alternating", remember_acceptances=True).remembers


def test_a_default_protocol_hashes_as_before_and_a_kind_changes_the_hash(two_party: Scenario) -> None:
    data = two_party.model_dump(mode="json")
    assert "kind" in data["protocol"]
    stacked = Scenario.model_validate({**data, "protocol": {**data["protocol"], "kind": "stacked"}})
    assert stacked.sha256() != two_party.sha256()
    import hashlib
    import json

    del data["protocol"]["kind"], data["protocol"]["remember_acceptances"]
    old = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert two_party.sha256() == old


def test_stacked_a_reject_passes_and_the_bid_stands(two_party: Scenario) -> None:
    scenario = four_party(two_party, "stacked", QUORUM)
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Reject(reason="not for us")))
    assert table.proposal is not None and table.proposer == "alpha" and table.accepted_by == {"alpha"}
    table = play(scenario, ("gamma", Accept()), table=table)
    assert table.status == "open" and table.accepted_by == {"alpha", "gamma"}  # quorum 3: two so far (beta passed)
    table = play(scenario, ("delta", Accept()), table=table)
    assert table.status == "agreement"
    assert table.accepted_by == {"alpha", "gamma", "delta"}


def test_stacked_a_counter_replaces_the_bid(two_party: Scenario) -> None:
    scenario = four_party(two_party, "stacked", QUORUM, remember_acceptances=False)
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Accept()), ("gamma", Propose(terms=OTHER)))
    assert table.proposer == "gamma" and table.accepted_by == {"gamma"}


def test_memory_brings_acceptances_back_when_the_same_terms_return(two_party: Scenario) -> None:
    scenario = four_party(two_party, "stacked", QUORUM)
    table = play(
        scenario,
        ("alpha", Propose(terms=TERMS)),
        ("beta", Accept()),
        ("gamma", Propose(terms=OTHER)),  # wipes the bid, not the memory
        ("delta", Accept()),
    )
    assert table.status == "open" and table.accepted_by == {"gamma", "delta"}
    # alpha re-proposes the first terms (values written differently): alpha and beta hold them again, and delta's
    # acceptance of them, given next, concludes.
    same = {**TERMS, "royalty_rate": 4.0}
    table = play(scenario, ("alpha", Propose(terms=same)), table=table)
    assert table.accepted_by == {"alpha", "beta"}
    assert sheet_key(same) == sheet_key(TERMS)
    space = OutcomeSpace(scenario.issues)
    assert signatories_if(table, "beta", Accept(), scenario, space) is None  # beta already holds it: illegal
    table = play(scenario, ("beta", Propose(terms=OTHER)), table=table)  # beta moves to the other terms
    assert table.accepted_by == {"gamma", "delta", "beta"} and table.status == "open"  # no veto: not yet
    table = play(scenario, ("gamma", Propose(terms=TERMS)), table=table)
    assert table.status == "agreement" and table.accepted_by == {"alpha", "beta", "gamma"}


def test_a_proposal_that_concludes_through_memory_is_judged_as_a_deal(two_party: Scenario) -> None:
    scenario = four_party(two_party, "stacked", QUORUM)
    space = OutcomeSpace(scenario.issues)
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Accept()), ("gamma", Propose(terms=OTHER)))
    table = play(scenario, ("delta", Reject(reason="no")), table=table)
    assert signatories_if(table, "alpha", Propose(terms=OTHER), scenario, space) is None  # alpha + gamma: two
    assert signatories_if(table, "alpha", Propose(terms=TERMS), scenario, space) is None  # alpha + beta: two
    table = play(scenario, ("alpha", Accept()), table=table)
    assert table.status == "open" and table.accepted_by == {"alpha", "gamma"}
    assert signatories_if(table, "beta", Accept(), scenario, space) == {"alpha", "beta", "gamma"}


def test_alternating_forgets(two_party: Scenario) -> None:
    scenario = four_party(two_party, "alternating", QUORUM)
    table = play(
        scenario,
        ("alpha", Propose(terms=TERMS)),
        ("beta", Accept()),
        ("gamma", Propose(terms=OTHER)),
        ("delta", Accept()),
    )
    table = play(scenario, ("alpha", Propose(terms=TERMS)), table=table)
    assert table.accepted_by == {"alpha"} and table.memory == ()
    assert "memory" not in table_record(table)


def test_a_walk_away_drops_the_party_from_memory(two_party: Scenario) -> None:
    scenario = four_party(two_party, "stacked", AgreementRule(kind="quorum", quorum=2))
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Propose(terms=OTHER)))
    table = play(scenario, ("gamma", WalkAway(reason="out")), ("delta", Propose(terms=OTHER)), table=table)
    assert table.status == "agreement"  # beta's terms: beta and delta
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", WalkAway(reason="out")))
    assert all("beta" not in m.accepted_by for m in table.memory)
    assert [sheet_key(m.terms) for m in table.memory] == [sheet_key(TERMS)]


def test_escalation_clears_the_memory(shipped: dict[str, Scenario]) -> None:
    data = shipped["ecosystem"].model_dump(mode="json")
    data["protocol"]["kind"] = "stacked"
    scenario = Scenario.model_validate(data)
    space = OutcomeSpace(scenario.issues)
    sheet = space.term_sheet(0).terms
    table = apply_move(opening_table(scenario), scenario.speaking_order()[0], Propose(terms=sheet), scenario, space)
    assert table.memory
    after, move = escalate(scenario, table, "stalled")
    assert after.memory == () and move["kind"] == "escalate"


def test_mediated_an_amendment_leaves_the_text_standing(two_party: Scenario) -> None:
    scenario = four_party(two_party, "mediated", QUORUM)
    assert needs_text(scenario, opening_table(scenario))
    table = table_text(opening_table(scenario), TERMS, scenario)
    assert table.proposer == MEDIATOR and table.accepted_by == frozenset()
    table = play(
        scenario, ("alpha", Accept()), ("beta", Propose(terms=OTHER)), ("gamma", Reject(reason="no")), table=table
    )
    assert table.proposer == MEDIATOR and table.proposal == TERMS and table.accepted_by == {"alpha"}
    table = play(scenario, ("delta", Accept()), table=table)
    assert table.status == "open"  # alpha and delta: two of three
    # The mediator re-tables the text at the next round: the acceptances come back with it.
    again = table_text(replace(table, proposal=None, proposer=None, accepted_by=frozenset()), TERMS, scenario)
    assert again.accepted_by == {"alpha", "delta"}
    # beta's amendment is remembered: a text that takes it up holds beta's acceptance.
    amended = table_text(table, OTHER, scenario)
    assert amended.accepted_by == {"beta"}


def test_a_table_with_memory_round_trips(two_party: Scenario) -> None:
    scenario = four_party(two_party, "stacked", QUORUM)
    table = play(scenario, ("alpha", Propose(terms=TERMS)), ("beta", Accept()), ("gamma", Propose(terms=OTHER)))
    record = table_record(table)
    assert record["memory"][0]["accepted_by"] == ["alpha", "beta"]
    assert record["memory"][0]["declined"] == {"gamma": 0}
    assert table_from_record(record) == table


@pytest.mark.parametrize("kind", ["stacked", "mediated"])
def test_unknown_kind_is_refused(two_party: Scenario, kind: str) -> None:
    data = two_party.model_dump(mode="json")
    Scenario.model_validate({**data, "protocol": {**data["protocol"], "kind": kind}})
    with pytest.raises(ValueError, match="kind"):
        Scenario.model_validate({**data, "protocol": {**data["protocol"], "kind": "saop"}})
