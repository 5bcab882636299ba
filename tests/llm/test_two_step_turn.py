"""The two-step turn (`agents.llm.turn`, the default in choose mode) against a scripted endpoint: what the
decision step's prompt holds, that an accept needs no terms call and a counter exactly one, repair of a bad
decision, the code guarantees whatever the model decides, and the accounting of both calls."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from agents.base import AgentReport, Seat, take_reports
from agents.llm.negotiator import LLMNegotiator
from agents.registry import parse_spec
from agents.strategies import offer_book
from evals.league.llm import seat_facts
from pactlab.domain.actions import Accept, Propose, Reject, WalkAway
from pactlab.domain.catalog import load_scenario
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MEDIATOR, BlockedMove, MoveRecord, TierView, Turn
from tests.llm.scripted import ScriptedEndpoint, scripted, step_of


@pytest.fixture(autouse=True)
def scripted_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACTLAB_LLM_PROVIDER", "llamacpp")
    monkeypatch.setenv("PACTLAB_LLM_MODEL", "scripted-model")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("platform_material")[0]


def seat(scenario: Scenario) -> Seat:
    return Seat.for_party(scenario, "supplier", 1)


def agent(scenario: Scenario, endpoint: ScriptedEndpoint, **params: Any) -> LLMNegotiator:
    return LLMNegotiator(seat(scenario), advisor="choose", client_factory=endpoint.client_factory, **params)


def sheet(scenario: Scenario, pick: str) -> dict[str, Any]:
    book = offer_book(seat(scenario))
    acceptable = np.where(book.acceptable)[0]
    index = {
        "best": int(np.argmax(book.utils)),
        "worst": int(np.argmin(book.utils)),
        "just_acceptable": int(acceptable[np.argmin(book.utils[acceptable])]),
    }[pick]
    return dict(book.space.term_sheet(index).terms)


def turn(
    scenario: Scenario,
    proposal: dict[str, Any] | None = None,
    *,
    proposer: str = "platform",
    round_: int = 3,
    tier: TierView | None = None,
    moves: list[MoveRecord] | None = None,
) -> Turn:
    return Turn(
        party="supplier",
        round=round_,
        max_rounds=40,
        turn=2 * round_ + 1,
        parties_at_table=tuple(scenario.party_ids),
        proposal=proposal,
        proposer=proposer if proposal else None,
        accepted_by=frozenset({proposer}) if proposal and proposer != MEDIATOR else frozenset(),
        moves=moves or [],
        tier=tier,
    )


def decision(kind: str, message: str = "Agreed on our side.", reason: str = "It meets our target.") -> dict[str, Any]:
    return {"decision": kind, "message": message, "reason": reason}


def pick(candidate: int) -> dict[str, Any]:
    return {"candidate": candidate, "message": "We move on royalties.", "rationale": "Closer to both of us."}


def calls(reports: list[AgentReport]) -> list[dict[str, Any]]:
    return [r.data for r in reports if r.kind == "llm_call"]


def test_the_decision_prompt_is_short_and_holds_the_valuation_target_and_rounds_left(scenario: Scenario) -> None:
    endpoint = scripted(decision("counter"), pick(1))
    negotiator = agent(scenario, endpoint)
    t = turn(scenario, sheet(scenario, "best"))
    negotiator.act(t)
    value = negotiator.valuation(t)
    first = endpoint.requests[0]["messages"]
    prompt = first[-1]["content"]
    assert step_of(endpoint.requests[0]) == "decision"
    assert f"the proposal on the table is worth {value.on_table:.2f} to you" in prompt
    assert f"your target now is {value.target:.2f}" in prompt
    assert f"at least {negotiator.seat.utility.reservation_value:.2f} to you" in prompt
    assert "Round 4 of at most 40: 37 round(s) left" in prompt
    assert "the advisor recommends: accept" in prompt, "the best terms for the seat meet any target"
    assert '{"decision": "accept"' in prompt, "the example carries the advisor's recommendation"
    # tiny: no scenario, no brief, no candidates; the full prompt of the terms step is several times longer
    assert "INTERESTS" not in prompt and "candidate" not in prompt
    assert len(prompt) * 2 < len(endpoint.requests[1]["messages"][-1]["content"])


def test_the_tier_mandate_and_the_mediators_text_are_presented_as_such(scenario: Scenario) -> None:
    tier = TierView("mediation", "Mediation", "mediation", 2, 10, 6, 0.5, 0.8, False)
    endpoint = scripted(decision("reject", reason="We object to the royalty."))
    negotiator = agent(scenario, endpoint)
    said = MoveRecord(
        turn=20, round=12, party=MEDIATOR, kind="propose", terms=sheet(scenario, "worst"), message="A fair text.",
        rationale="", reason="",
    )  # fmt: skip
    t = turn(scenario, sheet(scenario, "worst"), proposer=MEDIATOR, round_=12, tier=tier, moves=[said])
    action = negotiator.act(t)
    prompt = endpoint.requests[0]["messages"][-1]["content"]
    book = negotiator.advisor.book
    floor = book.u_max - (book.u_max - book.floor) * 0.8
    assert f"your mandate at this tier allows down to {floor:.2f}" in prompt
    assert "Dispute tier: Mediation (mediation), 4 round(s) left at this tier" in prompt
    assert "the mediator's single negotiating text" in prompt and 'says: "A fair text."' in prompt
    assert "you may not accept it" in prompt, "the worst terms are below the walk-away point"
    assert isinstance(action, Reject) and action.reason == "We object to the royalty."


def test_once_the_gate_refused_an_accept_the_advisor_recommends_a_counter(scenario: Scenario) -> None:
    endpoint = scripted(decision("counter"), pick(1))
    negotiator = agent(scenario, endpoint)
    refused = BlockedMove("accept", None, "Your move was refused: proportionality.")
    t = replace(turn(scenario, sheet(scenario, "best")), blocked=(refused,))
    assert negotiator.valuation(t).recommend == "counter"
    prompt = endpoint.requests[0]["messages"][-1]["content"] if negotiator.act(t) else ""
    assert "the policy gate refused your accept" in prompt and "your accept was refused" in prompt
    assert '{"decision": "counter"' in prompt


def test_an_accept_in_the_decision_step_accepts_without_a_terms_call(scenario: Scenario) -> None:
    endpoint = scripted(decision("accept"))
    negotiator = agent(scenario, endpoint)
    action = negotiator.act(turn(scenario, sheet(scenario, "best")))
    assert isinstance(action, Accept) and action.message == "Agreed on our side."
    assert len(endpoint.requests) == 1
    (call,) = calls(take_reports(negotiator))
    assert (call["step"], call["decision"], call["action"]["kind"]) == ("decision", "accept", "accept")
    assert call["call"]["purpose"].endswith("decision")


def test_a_counter_triggers_exactly_one_terms_step(scenario: Scenario) -> None:
    endpoint = scripted(decision("counter", "Not yet."), pick(2))
    negotiator = agent(scenario, endpoint)
    t = turn(scenario, sheet(scenario, "just_acceptable"), round_=30)  # late: the candidates spread out
    assert len(negotiator.candidates(t)) >= 2
    action = negotiator.act(t)
    assert [step_of(b) for b in endpoint.requests] == ["decision", "terms"]
    assert isinstance(action, Propose) and dict(action.terms) == negotiator.candidates(t)[1].terms
    assert action.message == "We move on royalties."
    first, second = calls(take_reports(negotiator))
    assert (first["step"], first["decision"], first["action"]) == ("decision", "counter", None)
    assert (second["step"], second["action"]["kind"]) == ("terms", "propose")
    assert "the advisor recommends" not in endpoint.requests[1]["messages"][-1]["content"]


def test_with_nothing_to_answer_the_turn_is_the_terms_step_alone(scenario: Scenario) -> None:
    endpoint = scripted(pick(1))
    negotiator = agent(scenario, endpoint)
    action = negotiator.act(turn(scenario))
    assert isinstance(action, Propose) and [step_of(b) for b in endpoint.requests] == ["terms"]
    (call,) = calls(take_reports(negotiator))
    assert call["step"] == "terms" and "decision" not in call


def test_an_invalid_decision_is_sent_back_and_repaired(scenario: Scenario) -> None:
    endpoint = scripted("maybe later", {"decision": "propose", "message": "x", "reason": "y"}, decision("accept"))
    negotiator = agent(scenario, endpoint)
    action = negotiator.act(turn(scenario, sheet(scenario, "best")))
    assert isinstance(action, Accept)
    reports = take_reports(negotiator)
    (call,) = calls(reports)
    assert call["call"]["repairs"] == 2 and len(endpoint.requests) == 3
    assert "'accept', 'counter', 'reject' or 'walk_away'" in endpoint.requests[2]["messages"][-1]["content"]
    facts = seat_facts([_Record(r) for r in reports])["supplier"]
    assert (facts.decisions, facts.repaired, facts.own, facts.last) == (1, 1, 0, "repaired")


def test_the_code_refuses_a_sub_reservation_accept_whatever_the_model_decides(scenario: Scenario) -> None:
    endpoint = scripted(decision("accept", "Deal, we accept!"))
    negotiator = agent(scenario, endpoint, fallback="walk_away")
    action = negotiator.act(turn(scenario, sheet(scenario, "worst")))
    assert isinstance(action, WalkAway), "after the repairs the fallback acts, never the accept"
    reports = take_reports(negotiator)
    (call,) = calls(reports)
    assert call["step"] == "decision" and call["action"] is None and call["call"]["failure"]
    assert all("you may not accept" in e for e in call["call"]["errors"])
    assert next(r.data for r in reports if r.kind == "llm_fallback")["fallback"] == "walk_away"
    # with a strategy fallback, the strategy acts (and never accepts below the reservation value either)
    pareto = agent(scenario, scripted(decision("accept")), fallback="pareto")
    assert not isinstance(pareto.act(turn(scenario, sheet(scenario, "worst"))), Accept)


def test_a_bad_counter_terms_reply_is_repaired_within_the_terms_step(scenario: Scenario) -> None:
    endpoint = scripted(decision("counter"), pick(9), pick(1))
    negotiator = agent(scenario, endpoint)
    action = negotiator.act(turn(scenario, sheet(scenario, "just_acceptable")))
    assert isinstance(action, Propose)
    first, second = calls(take_reports(negotiator))
    assert first["call"]["repairs"] == 0 and second["call"]["repairs"] == 1
    assert "candidate must be a number from 1 to" in endpoint.requests[2]["messages"][-1]["content"]


def test_token_accounting_sums_both_steps(scenario: Scenario) -> None:
    from evals.usage import usage_from_records

    endpoint = scripted(decision("counter"), pick(1))
    negotiator = agent(scenario, endpoint)
    negotiator.act(turn(scenario, sheet(scenario, "just_acceptable")))
    records = [_Record(r) for r in take_reports(negotiator)]
    usage = usage_from_records(records, agreement=False)  # type: ignore[arg-type]
    assert usage is not None
    supplier = usage.parties["supplier"]
    assert (supplier.calls, supplier.requests, supplier.prompt_tokens, supplier.completion_tokens) == (2, 2, 200, 40)
    facts = seat_facts(records)["supplier"]
    assert (facts.decisions, facts.own, facts.tokens) == (1, 1, 240), "one decision, both steps' tokens"


def test_steps_is_a_spec_parameter_and_other_modes_keep_working(scenario: Scenario) -> None:
    assert parse_spec("llm(advisor=choose, steps=1)")[1] == {"advisor": "choose", "steps": 1.0}
    with pytest.raises(ValueError, match="steps must be 1"):
        parse_spec("llm(steps=3)")
    one = agent(scenario, scripted(pick(1)), steps=1)
    assert one.steps == 1 and "steps=1" in one.spec
    assert agent(scenario, scripted(pick(1))).steps == 2 and "steps" not in agent(scenario, scripted(pick(1))).spec
    # advised mode with two steps: the terms step writes every issue
    terms = {"terms": sheet(scenario, "best"), "message": "Our terms.", "rationale": "Our priorities."}
    endpoint = scripted(decision("counter"), terms)
    advised = LLMNegotiator(seat(scenario), advisor="advised", steps=2, client_factory=endpoint.client_factory)
    action = advised.act(turn(scenario, sheet(scenario, "just_acceptable")))
    assert isinstance(action, Propose) and dict(action.terms) == sheet(scenario, "best")
    assert "TermsReply" in str(endpoint.requests[1])
    # free mode: the decision step shows no numbers
    endpoint = scripted(decision("reject", reason="Too far."))
    free = LLMNegotiator(seat(scenario), advisor="free", steps=2, client_factory=endpoint.client_factory)
    free.act(turn(scenario, sheet(scenario, "worst")))
    prompt = endpoint.requests[0]["messages"][-1]["content"]
    assert "worse for you than no deal at all" in prompt and "0." not in prompt.split("ADVISOR")[1]


class _Record:
    """An agent report as the audit readers see a record (kind, actor, data)."""

    def __init__(self, report: AgentReport) -> None:
        self.kind, self.data, self.actor = report.kind, report.data, str(report.data["party"])
