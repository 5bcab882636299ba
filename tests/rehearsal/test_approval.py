"""An agent under a mandate: a move outside it pauses for a person's approval; approve and reject both continue."""

from __future__ import annotations

import pytest

from agents.human import Mandate
from evals.audit import read_records, verify
from pactlab.app.rehearsal import RehearsalError, Rehearsals, View
from pactlab.domain.scenario import Scenario
from tests.rehearsal.conftest import SCENARIO, SEED

MANDATE = ["supplier: royalty_rate <= 5"]


def _supervise(service: Rehearsals) -> View:
    """Agents on both seats; the supplier's agent may not ask more than 5 % royalty without approval."""
    view = service.start(SCENARIO, None, seed=SEED, agents={"platform": "pareto"}, mandates=MANDATE)
    assert view.waiting == "approval", view.question
    return view


def _supplier_moves(view: View) -> list[dict[str, object]]:
    return [dict(m) for m in view.moves if m["party"] == "supplier"]


def test_a_move_outside_the_mandate_waits_for_approval(service: Rehearsals) -> None:
    view = _supervise(service)
    q = view.question
    assert q is not None and q["party"] == "supplier" and q["turn"] == 1
    assert q["action"]["kind"] == "propose" and q["action"]["terms"]["royalty_rate"] == 6
    assert q["breaches"] == ["royalty_rate <= 5 (the terms have royalty_rate=6)"]
    assert q["mandate"] == ["royalty_rate <= 5"]
    assert _supplier_moves(view) == []  # nothing of the supplier's is on the table yet


def test_approving_lets_the_move_through_and_records_who_approved(service: Rehearsals) -> None:
    view = _supervise(service)
    after = service.decide(view.id, {"decision": "approve", "approver": "Grace Hopper", "note": "fine for now"})
    first = _supplier_moves(after)[0]
    assert first["terms"]["royalty_rate"] == 6  # type: ignore[index]
    assert after.finished or after.waiting == "approval"
    records = read_records(after.transcript)  # type: ignore[arg-type]
    approvals = [r for r in records if r.kind == "approval"]
    assert approvals[0].actor == "supplier"
    data = approvals[0].data
    assert (data["decision"], data["approver"], data["note"]) == ("approve", "Grace Hopper", "fine for now")
    assert data["turn"] == 1
    assert data["action"]["terms"]["royalty_rate"] == 6
    # The approval precedes the gate's verdict on the approved move, and the move itself.
    keys = [r.key for r in records]
    assert keys.index(approvals[0].key) < keys.index("gate:1:supplier:0") < keys.index("move:1")
    assert verify(after.transcript, require_seal=after.finished).ok  # type: ignore[arg-type]


def test_rejecting_makes_the_agent_replan_within_its_mandate(service: Rehearsals) -> None:
    view = _supervise(service)
    after = service.decide(view.id, {"decision": "reject", "approver": "Grace Hopper"})
    first = _supplier_moves(after)[0]
    assert first["kind"] == "propose" and first["terms"]["royalty_rate"] <= 5  # type: ignore[index]
    records = read_records(after.transcript)  # type: ignore[arg-type]
    approval = next(r for r in records if r.kind == "approval")
    assert approval.data["decision"] == "reject" and approval.data["approver"] == "Grace Hopper"


def test_supervising_to_the_end(service: Rehearsals) -> None:
    """Approve everything, then reject everything: both runs end, every decision is on record."""
    for decision in ("approve", "reject"):
        view = _supervise(service)
        asked = 0
        while not view.finished:
            assert view.waiting == "approval"
            view = service.decide(view.id, {"decision": decision, "approver": "Grace"})
            asked += 1
            assert asked < 200
        records = read_records(view.transcript)  # type: ignore[arg-type]
        decided = [r.data["decision"] for r in records if r.kind == "approval"]
        assert decided == [decision] * asked
        assert verify(view.transcript).ok  # type: ignore[arg-type]
        if decision == "reject":
            for move in _supplier_moves(view):
                if move["kind"] == "propose":
                    assert move["terms"]["royalty_rate"] <= 5  # type: ignore[index]
        assert service.debrief(view.id).approvals


def test_bad_decisions_change_nothing(service: Rehearsals) -> None:
    view = _supervise(service)
    before = view.transcript.read_bytes()  # type: ignore[union-attr]
    for answer, words in (
        ({"decision": "maybe", "approver": "Grace"}, "approve or reject"),
        ({"decision": "approve"}, "approver name"),
        ({"decision": "approve", "approver": "   "}, "approver name"),
        ({"decision": "approve", "approver": "x" * 500}, "too long"),
        ({"decision": "approve", "approver": "Grace", "turn": 7}, "moved on"),
    ):
        with pytest.raises(RehearsalError, match=words):
            service.decide(view.id, answer)
    with pytest.raises(RehearsalError, match="not your turn"):
        service.submit(view.id, {"kind": "accept"})
    assert view.transcript.read_bytes() == before  # type: ignore[union-attr]
    assert service.view(view.id).question == view.question


def test_mandate_rules(scenario: Scenario) -> None:
    issues = {i.id: i for i in scenario.issues}
    mandate = Mandate.parse(["royalty_rate >= 2", "exclusivity_months <= 12", "utility >= 0.6"], issues)
    assert mandate.rules() == ["royalty_rate >= 2", "exclusivity_months <= 12", "utility >= 0.6"]
    for rules, words in (
        (["royalty >= 2"], "unknown issue"),
        (["royalty_rate >>= 2"], "royalty_rate >>= 2"),
        (["utility >= 2"], "between 0 and 1"),
        (["utility >= high"], "not a number"),
        ([], "at least one rule"),
    ):
        with pytest.raises(ValueError, match=words):
            Mandate.parse(rules, issues)


def test_mandates_are_checked_before_anything_starts(service: Rehearsals) -> None:
    for seat, mandates, words in (
        ("platform", ["platform: royalty_rate >= 2"], "your seat"),
        ("platform", ["lab: royalty_rate >= 2"], "unknown party"),
        ("platform", ["supplier royalty_rate >= 2"], "PARTY: RULE"),
        ("platform", ["supplier: royalty_rate >= twelve"], "mandate for supplier"),
        (None, [], "choose a seat"),
    ):
        with pytest.raises(RehearsalError, match=words):
            service.start(SCENARIO, seat, mandates=mandates)
    assert service.ids() == []


def test_a_decision_on_another_move_is_asked_again(tmp_path: object, scenario: Scenario) -> None:
    """If the agent's move differs when the run resumes (a model that ran again), the decision does not apply."""
    from pathlib import Path

    from pactlab.workflow import Negotiations, Paused

    out = Path(str(tmp_path))
    mandate = Mandate.parse(["royalty_rate <= 5"], {i.id: i for i in scenario.issues})
    with Negotiations(out / "c.sqlite") as runs:
        events = list(
            runs.start(
                scenario,
                agents={"platform": "pareto", "supplier": "pareto"},
                seed=SEED,
                negotiation_id="r",
                turn_by_turn=True,
                mandates={"supplier": mandate},
            )
        )
        question = events[-1].question  # type: ignore[union-attr]
        stale = {**question["action"], "message": "another move"}
        again = list(runs.answer("r", {"decision": "approve", "approver": "Grace", "action": stale}))
        assert isinstance(again[-1], Paused) and "changed since it was shown" in again[-1].question["error"]
        state = runs.state("r")
        assert state is not None and [m["party"] for m in state["moves"]] == ["platform"]
        done = list(runs.answer("r", {"decision": "approve", "approver": "Grace", "action": question["action"]}))
        assert any(getattr(e, "move", {}).get("party") == "supplier" for e in done)
