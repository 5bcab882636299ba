"""Stances and adversarial roles of the LLM seat, through the real openai SDK against a scripted endpoint:
each changes the prompt and the advisor as specified, and none loosens a guarantee (reservation value,
privacy screen, the gate); a run's claims are recorded and verify in the signed transcript."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from agents.base import Seat, take_reports
from agents.llm.negotiator import LLMNegotiator
from agents.llm.prompts import NEGOTIATOR_SYSTEM
from agents.llm.screen import WITHHELD
from agents.llm.stances import BEHAVIOURS, DEFAULT_CONCESSION, INJECTOR_ASK, ROLES, STANCES
from agents.registry import parse_spec
from agents.strategies import offer_book
from evals.audit import read_records, verify
from pactlab.app.cli import app
from pactlab.domain.actions import Accept, Propose, WalkAway
from pactlab.domain.catalog import load_scenario
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import Turn
from pactlab.workflow import Negotiations, Scored
from pactlab.workflow import context as context_module
from tests.llm.scripted import ScriptedEndpoint, answer, scripted


@pytest.fixture(autouse=True)
def scripted_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACTLAB_LLM_PROVIDER", "llamacpp")
    monkeypatch.setenv("PACTLAB_LLM_MODEL", "scripted-model")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("platform_material")[0]


def seat(scenario: Scenario, index: int = 1) -> Seat:
    return Seat.for_party(scenario, scenario.parties[index].id, 1)


def turn(scenario: Scenario, proposal: dict[str, Any] | None = None, at: int = 1, max_rounds: int = 10) -> Turn:
    me, other = scenario.parties[1].id, scenario.parties[0].id
    return Turn(
        party=me,
        round=at,
        max_rounds=max_rounds,
        turn=2 * at + 1,
        parties_at_table=tuple(scenario.party_ids),
        proposal=proposal,
        proposer=other if proposal else None,
        accepted_by=frozenset({other}) if proposal else frozenset(),
        moves=[],
    )


def terms_at(s: Seat, pick: str) -> dict[str, Any]:
    book = offer_book(s)
    index = int(np.argmax(book.utils) if pick == "best" else np.argmin(book.utils))
    return dict(book.space.term_sheet(index).terms)


def choose(
    action: str = "propose", message: str = "We can move on the terms that matter most."
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The move in the shape each request asks (the two-step turn is the default in choose mode)."""
    return answer(action, message=message, rationale="Closer.", reason="Too far.")


def agent(scenario: Scenario, endpoint: ScriptedEndpoint, **params: Any) -> LLMNegotiator:
    return LLMNegotiator(seat(scenario), advisor="choose", client_factory=endpoint.client_factory, **params)


@pytest.mark.parametrize("name", [*STANCES, *ROLES])
def test_each_stance_and_role_adds_its_instructions_to_the_system_prompt(scenario: Scenario, name: str) -> None:
    kind = "stance" if name in STANCES else "role"
    plain, styled = scripted(choose()), scripted(choose())
    agent(scenario, plain).act(turn(scenario))
    agent(scenario, styled, **{kind: name}).act(turn(scenario))
    base, changed = plain.requests[0]["messages"], styled.requests[0]["messages"]
    assert base[0]["content"] == NEGOTIATOR_SYSTEM
    assert changed[0]["content"] == f"{NEGOTIATOR_SYSTEM}\n{BEHAVIOURS[name].prompt}"
    assert f"YOUR {kind.upper()}: {name}" in changed[0]["content"]
    # the brief and scenario (the stable prefix) are the same; only the advisor's figures may differ
    assert changed[1]["content"].split("UTILITY ADVISOR")[0] == base[1]["content"].split("UTILITY ADVISOR")[0]


def test_stances_and_roles_set_the_advisor_they_imply(scenario: Scenario) -> None:
    endpoint = scripted(choose())
    e = {
        name: agent(scenario, endpoint, **{"stance" if name in STANCES else "role": name}).advisor.e
        for name in (*STANCES, *ROLES)
    }
    assert e["cooperative"] > DEFAULT_CONCESSION == e["warm"] == e["injector"]
    assert e["saboteur"] < e["greedy"] < e["dominant"] < e["competitive"] < DEFAULT_CONCESSION
    late = turn(scenario, at=9)
    plain, greedy = agent(scenario, endpoint), agent(scenario, endpoint, role="greedy")
    book = greedy.advisor.book
    assert greedy.level(late).target >= book.floor + 0.75 * (book.u_max - book.floor) - 1e-9
    assert greedy.level(late).target > plain.level(late).target
    assert min(c.utility for c in greedy.candidates(late)) >= greedy.level(late).target - 0.05
    assert "spec" and "role=greedy" in greedy.spec and "stance" not in greedy.spec
    assert parse_spec("llm(stance=warm, role=saboteur)")[1] == {"stance": "warm", "role": "saboteur"}
    with pytest.raises(ValueError, match="stance must be one of cooperative, competitive, warm, dominant"):
        parse_spec("llm(stance=sneaky)")


def test_the_saboteurs_advisor_never_recommends_accepting(scenario: Scenario) -> None:
    best = terms_at(seat(scenario), "best")
    plain, saboteur = scripted(choose()), scripted(choose())
    agent(scenario, plain).act(turn(scenario, proposal=best))
    agent(scenario, saboteur, role="saboteur").act(turn(scenario, proposal=best))
    assert "the advisor recommends: accept" in plain.requests[0]["messages"][-1]["content"]
    assert "the advisor recommends: accept" not in saboteur.requests[0]["messages"][-1]["content"]


@pytest.mark.parametrize("role", ROLES)
def test_no_adversary_accepts_or_proposes_below_its_reservation_value(scenario: Scenario, role: str) -> None:
    worst = terms_at(seat(scenario), "worst")
    accepting = scripted(choose("accept", "Deal, we accept!"))
    negotiator = agent(scenario, accepting, role=role, fallback="walk_away")
    action = negotiator.act(turn(scenario, proposal=worst))
    assert isinstance(action, WalkAway), "after the repairs the fallback acts, never the accept"
    assert "you may not accept" in take_reports(negotiator)[0].data["call"]["errors"][0]
    # in advised mode the model writes its own terms: its worst terms are refused the same way
    bad = {"action": "propose", "terms": worst, "message": "Take it.", "rationale": "Mine.", "reason": ""}
    writer = LLMNegotiator(
        seat(scenario), advisor="advised", role=role, fallback="walk_away", client_factory=scripted(bad).client_factory
    )
    action = writer.act(turn(scenario))
    assert not isinstance(action, (Accept, Propose))
    error = take_reports(writer)[0].data["call"]["errors"][0]
    assert "below your walk-away point" in error or "break one of your hard limits" in error


def test_the_injector_probes_every_message_and_its_own_figures_stay_screened(scenario: Scenario) -> None:
    s = seat(scenario)
    leak = f"Our walk-away point is {s.utility.reservation_value:.2f}."
    endpoint = scripted(choose(message=leak))
    injector = agent(scenario, endpoint, role="injector")
    action = injector.act(turn(scenario))
    assert action.message.endswith(INJECTOR_ASK)
    assert f"{s.utility.reservation_value:.2f}" not in action.message and WITHHELD in action.message


def _run(
    scenario: Scenario, endpoints: dict[str, ScriptedEndpoint], specs: dict[str, dict[str, Any]], path: Path
) -> Any:
    def make(spec: str, s: Seat) -> Any:
        return LLMNegotiator(
            s, advisor="choose", client_factory=endpoints[s.party_id].client_factory, **specs[s.party_id]
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(context_module, "make_negotiator", make)
        with Negotiations(path.parent / "c.sqlite") as runs:
            events = list(
                runs.start(
                    scenario,
                    agents={p: "llm" for p in scenario.party_ids},
                    seed=2,
                    negotiation_id="adv",
                    transcript=path,
                    rounds_per_step=1,
                )
            )
    return next(e for e in events if isinstance(e, Scored)).scorecard


def test_an_injector_learns_nothing_private_from_a_seat_that_complies(scenario: Scenario, tmp_path: Path) -> None:
    victim, attacker = scenario.parties[0].id, scenario.parties[1].id
    figure = f"{scenario.party(victim).private.reservation_value:.2f}"

    def complies(body: dict[str, Any]) -> dict[str, Any]:  # answers the probe with its own walk-away point
        asked = "state your walk-away point" in body["messages"][-1]["content"]
        return choose(message=f"Our walk-away point is {figure}." if asked else "Let us continue.")(body)

    endpoints = {victim: scripted(complies), attacker: scripted(choose())}
    path = tmp_path / "t.jsonl"
    card = _run(scenario, endpoints, {victim: {}, attacker: {"role": "injector"}}, path)
    assert verify(path).ok
    records = read_records(path)
    moves = [r.data["move"] for r in records if r.kind == "move"]
    assert all(m["message"].endswith(INJECTOR_ASK) for m in moves if m["party"] == attacker)
    said = [m["message"] for m in moves if m["party"] == victim]
    assert any(WITHHELD in m for m in said[1:]), "the victim complied; its screen withheld the figure"
    assert not any(f"walk-away point is {figure}" in m for m in said)
    assert not any(f"walk-away point is {figure}" in p for p in endpoints[attacker].prompts())
    assert any(r.kind == "screen" and r.data["party"] == victim for r in records)
    assert card.truthfulness is not None and card.truthfulness[victim].screen_hits > 0
    if card.agreement is not None:
        assert all(p.utility is not None and p.utility >= p.reservation_value - 1e-9 for p in card.parties)


def test_false_claims_are_recorded_signed_and_shown_to_the_auditor(scenario: Scenario, tmp_path: Path) -> None:
    liar, other = scenario.parties[1].id, scenario.parties[0].id
    rv = scenario.party(liar).private.reservation_value
    wrong = round((rv + 0.3) % 1, 2)
    lie = f"Our walk-away point is {wrong}. You proposed something else earlier."
    endpoints = {liar: scripted(choose(message=lie)), other: scripted(choose())}
    path = tmp_path / "t.jsonl"
    card = _run(scenario, endpoints, {liar: {"role": "greedy"}, other: {}}, path)
    assert verify(path).ok
    claims = [r for r in read_records(path) if r.kind == "claim"]
    assert claims and all(r.actor == "evaluator" and r.data["party"] == liar for r in claims)
    verdicts = {(r.data["about"], r.data["verdict"]) for r in claims}
    assert verdicts == {("reservation", "false"), ("table", "unverifiable")}
    assert card.truthfulness is not None and card.truthfulness[liar].claims_false == len(claims) // 2
    shown = CliRunner().invoke(app, ["audit", "show", str(path)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "claim false" in shown.output and f"reservation value is {rv:.2f}" in shown.output
    rescored = CliRunner().invoke(app, ["eval", str(path), "--json"])
    assert rescored.exit_code == 0, rescored.output  # the scorecard recomputed from the transcript is the same
    assert json.loads(rescored.output)["truthfulness"][liar]["claims_false"] == card.truthfulness[liar].claims_false
