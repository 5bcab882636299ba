"""The dispute-resolution ladder in the real workflow: stalls escalate tier by tier, the mediator's
text is individually rational, the process rules pace escalations, executives concede further."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from agents.base import Seat
from agents.strategies import offer_book
from evals.audit import read_records, verify
from evals.bargaining import nash_product, nash_solution
from evals.transcript import read_transcript, rescore
from pactlab.domain.catalog import load_scenario
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import LADDER, MEDIATOR, MoveRecord
from pactlab.workflow import Negotiations, Scored
from pactlab.workflow.runner import Event
from policies import PolicySet, load_policy_set


def variant(name: str, ladder_limits: bool, **protocol: Any) -> Scenario:
    scenario, _ = load_scenario(name)
    data = scenario.model_dump(mode="json")
    if not ladder_limits:
        for tier in data["dispute_ladder"]:
            tier["max_rounds"] = None
    data["protocol"].update(protocol)
    return Scenario.model_validate(data)


def run(
    tmp_path: Path, scenario: Scenario, agent: str, policies: PolicySet | None = None, seed: int = 3
) -> tuple[list[Event], Path]:
    transcript = tmp_path / "t.jsonl"
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = list(
            runs.start(
                scenario,
                agents=dict.fromkeys(scenario.party_ids, agent),
                seed=seed,
                negotiation_id="ladder",
                transcript=transcript,
                policies=policies,
            )
        )
    return events, transcript


def moves_of(transcript: Path) -> list[MoveRecord]:
    return read_transcript(transcript).moves


def test_a_stalled_negotiation_escalates_through_every_tier_in_order(tmp_path: Path) -> None:
    # Tit-for-tat without goodwill never moves first: neither side ever improves its offer.
    scenario = variant("platform_material", ladder_limits=False, stall_rounds=2)
    events, transcript = run(tmp_path, scenario, "tit_for_tat(kindness=0)")
    card = next(e for e in events if isinstance(e, Scored)).scorecard
    moves = moves_of(transcript)

    escalations = [m for m in moves if m["kind"] == "escalate"]
    assert [m["rationale"] for m in escalations] == [
        "working_level -> executive",
        "executive -> mediation",
        "mediation -> arbitration",
    ]
    assert all(m["party"] == LADDER and "no improving offer for 2 round(s)" in m["reason"] for m in escalations)
    rounds = [m["round"] for m in escalations]
    assert rounds == sorted(rounds) and len(set(rounds)) == 3

    mediation_start = escalations[1]["round"]
    texts = [m for m in moves if m["party"] == MEDIATOR]
    assert texts and all(m["kind"] == "propose" and m["round"] >= mediation_start for m in texts)
    assert texts[0]["turn"] == escalations[1]["turn"] + 1, "the mediator tables its text as mediation begins"
    space = OutcomeSpace(scenario.issues)
    for text in texts:  # individually rational for every party
        sheet = space.validate(text["terms"] or {})
        for party in scenario.parties:
            assert UtilityFunction(space, party.private)(sheet) >= party.private.reservation_value

    table = read_transcript(transcript).table
    assert table is not None and table["status"] == "walk_away"
    assert table["remedy"] is not None and table["remedy"].startswith("Arbitration")
    assert card.outcome == "walk_away" and card.agreement is None
    assert verify(transcript).ok
    assert rescore(read_transcript(transcript)).model_dump() == card.model_dump()


def test_escalations_wait_for_the_cooling_off_period_of_the_process_rule(tmp_path: Path) -> None:
    scenario = variant("platform_material", ladder_limits=False, stall_rounds=1)
    rules = tmp_path / "slow.yaml"
    rules.write_text(
        "name: slow-ladder\nversion: '1.0.0'\ndescription: A slow ladder.\nrules:\n"
        "  - id: process\n    kind: process\n    severity: block\n"
        "    statement: Disputes escalate one tier at a time, at least four rounds apart.\n"
        "    parameters: {cooling_off_rounds: 4}\n",
        encoding="utf-8",
    )
    policy_set, _ = load_policy_set(rules)
    _, transcript = run(tmp_path, scenario, "tit_for_tat(kindness=0)", policy_set)
    escalations = [m for m in moves_of(transcript) if m["kind"] == "escalate"]
    assert len(escalations) == 3
    gaps = [b["round"] - a["round"] for a, b in itertools.pairwise(escalations)]
    assert all(gap >= 4 for gap in gaps), gaps
    deferred = [r for r in read_records(transcript) if r.kind == "escalation_deferred"]
    assert deferred and all("cooling-off is 4" in r.data["refused"] for r in deferred)


def test_executives_have_a_wider_mandate_than_the_working_level(tmp_path: Path) -> None:
    scenario = variant("boost_converter", ladder_limits=True, stall_rounds=None, max_rounds=40)
    _, transcript = run(tmp_path, scenario, "linear")
    moves = moves_of(transcript)
    escalation = next(m for m in moves if m["kind"] == "escalate")
    assert escalation["rationale"] == "working_level -> executive"
    space = OutcomeSpace(scenario.issues)
    conceded_further = False
    for party in scenario.party_ids:
        book = offer_book(Seat.for_party(scenario, party, 3, space))
        working_floor = book.u_max - 0.5 * (book.u_max - book.floor)
        own = UtilityFunction(space, scenario.party(party).private)
        offers = [
            (m["turn"], own(space.validate(m["terms"] or {}))) for m in moves if m["party"] == party and m["terms"]
        ]
        working = [u for turn, u in offers if turn < escalation["turn"]]
        executive = [u for turn, u in offers if turn > escalation["turn"]]
        assert working and all(u >= working_floor - 1e-9 for u in working), (party, working_floor, working)
        conceded_further |= any(u < working_floor - 1e-9 for u in executive)
    assert conceded_further, "at the executive tier some party concedes beyond the working level's mandate"


@pytest.mark.parametrize("policies", ["minimal", "fair-and-open"])
def test_mediation_settles_the_four_party_deal_on_an_individually_rational_text(tmp_path: Path, policies: str) -> None:
    scenario, _ = load_scenario("ecosystem")
    policy_set, _ = load_policy_set(policies)
    events, transcript = run(tmp_path, scenario, "pareto", policy_set, seed=7)
    card = next(e for e in events if isinstance(e, Scored)).scorecard
    table = read_transcript(transcript).table
    assert table is not None and card.outcome == "agreement" and table["proposer"] == MEDIATOR
    for party in card.parties:
        assert party.utility >= party.reservation_value
    gates = [r for r in read_records(transcript) if r.kind == "gate" and r.data["party"] == MEDIATOR]
    assert gates and gates[-1].data["blocked"] is None, "the tabled text passed the deal checks"
    # the mediator drafts the Nash point of every party's stated preferences: its all-party product
    # is (nearly) the best there is; under the quorum the card measures the deal's best coalition
    # against the coalitional Nash point (evals.bargaining), which leaves one party out
    space = OutcomeSpace(scenario.issues)
    ufuns = {p.id: UtilityFunction(space, p.private) for p in scenario.parties}
    everyone = nash_solution(space, ufuns)
    assert everyone is not None and card.agreement is not None
    deal = {p: u(space.validate(card.agreement)) for p, u in ufuns.items()}
    assert nash_product(deal, {p: u.reservation_value for p, u in ufuns.items()}) / everyone.objective > 0.99
    assert 0.9 < card.nash_ratio < 1 and card.coalition is not None and len(card.coalition) == 3
