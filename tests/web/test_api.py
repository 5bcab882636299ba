"""The web app's endpoints: bad input gets a clear message and changes nothing; moves, approvals, forks, debrief."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evals.audit import read_records, verify
from tests.rehearsal.conftest import SCENARIO, SEAT
from tests.web.conftest import Web, serve_web


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    yield from serve_web(tmp_path / "r")


def test_pages_and_headers(web: Web) -> None:
    home = web.client.get("/")
    assert home.status_code == 200 and "Rehearse a negotiation" in home.text
    assert "script-src 'self'" in home.headers["content-security-policy"]
    rid = web.start()
    page = web.client.get(f"/r/{rid}")
    assert page.status_code == 200 and "Your private brief" in page.text and 'id="move-form"' in page.text
    state = web.client.get(f"/api/r/{rid}").json()
    assert state["waiting"] == "move" and state["question_key"].startswith("move:0:0")
    # DNS rebinding: a foreign Host is refused.
    assert web.client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_bad_starts_change_nothing(web: Web) -> None:
    for body, words in (
        ({"scenario": "atlantis", "seat": SEAT}, "unknown scenario"),
        ({"scenario": "/etc/passwd", "seat": SEAT}, "unknown scenario"),
        ({"scenario": SCENARIO, "seat": "lab"}, "unknown party 'lab'"),
        ({"scenario": SCENARIO, "seat": SEAT, "seed": "many"}, "seed must be a whole number"),
        ({"scenario": SCENARIO, "seat": SEAT, "seed": "-1"}, "seed must be a whole number"),
        ({"scenario": SCENARIO, "seat": SEAT, "agents": {"supplier": "genius"}}, "unknown strategy"),
        ({"scenario": SCENARIO, "seat": SEAT, "agents": ["pareto"]}, "agents must map"),
        ({"scenario": SCENARIO, "seat": SEAT, "policies": "../x"}, "unknown policy set"),
        ({"scenario": SCENARIO, "seat": SEAT, "mandates": "supplier: royalty >= 2"}, "unknown issue"),
        ({"scenario": SCENARIO, "seat": None}, "choose a seat"),
        ({"scenario": SCENARIO, "seat": SEAT, "id": "../../x"}, "negotiation id"),
    ):
        response = web.post("/api/rehearsals", body)
        assert response.status_code == 400, (body, response.text)
        assert words in response.json()["error"], (body, response.json())
    plain = web.client.post("/api/rehearsals", content=b"scenario=x", headers={"content-type": "text/plain"})
    assert plain.status_code == 415
    broken = web.client.post("/api/rehearsals", content=b"{", headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert web.post("/api/rehearsals", ["x"]).status_code == 400
    assert web.service.ids() == []


def test_forged_ids_are_not_found(web: Web) -> None:
    rid = web.start()
    for forged in ("nope", rid + "x", "..%2F..%2Fetc", rid.upper()):
        page = web.client.get(f"/r/{forged}")
        assert page.status_code == 404
        if "%" not in forged:  # a path that reaches the route gets the page that says what happened
            assert "There is no rehearsal with this id" in page.text
        assert web.client.get(f"/api/r/{forged}").status_code == 404
        assert web.post(f"/api/r/{forged}/move", {"kind": "walk_away", "reason": "x"}).status_code == 404
        assert web.post(f"/api/r/{forged}/check", {"kind": "accept"}).status_code == 404
        assert web.post(f"/api/r/{forged}/fork", {"turn": 1}).status_code == 404
        assert web.client.get(f"/r/{forged}/events").status_code == 404
        assert web.client.get(f"/r/{forged}/plot.png").status_code == 404
    assert web.service.ids() == [rid]


def test_bad_moves_change_nothing(web: Web, nash_terms: dict[str, Any]) -> None:
    rid = web.start()
    view = web.service.view(rid)
    assert view.transcript is not None
    before, question = view.transcript.read_bytes(), view.question
    terms = {k: str(v) for k, v in nash_terms.items()}
    for body, field, words in (
        ({"kind": "propose", "terms": {k: v for k, v in terms.items() if k != "royalty_rate"}}, "royalty_rate", "miss"),
        ({"kind": "propose", "terms": {**terms, "royalty_rate": "12"}}, "royalty_rate", "out of range"),
        ({"kind": "propose", "terms": {**terms, "royalty_rate": ""}}, "royalty_rate", "missing"),
        ({"kind": "propose", "terms": {**terms, "exclusivity_months": "-6"}}, "exclusivity_months", "out of range"),
        ({"kind": "propose", "terms": {**terms, "foreground_ip": "martians"}}, "foreground_ip", "not an option"),
        ({"kind": "accept"}, "kind", "no proposal on the table"),
        ({"kind": "walk_away", "reason": ""}, "reason", "give a reason"),
        ({"kind": "bribe"}, "kind", "unknown move"),
        ({"kind": "walk_away", "reason": "x", "turn": None}, "turn", "name the turn you answer"),
        ({"kind": "walk_away", "reason": "x", "turn": "0"}, "turn", "name the turn you answer"),
    ):
        response = web.post(f"/api/r/{rid}/move", {"turn": 0, **body})
        assert response.status_code == 400, (body, response.text)
        data = response.json()
        assert words in data["error"] and field in data["problems"], (body, data)
    stale = web.post(f"/api/r/{rid}/move", {"kind": "walk_away", "reason": "x", "turn": 4})
    assert stale.status_code == 409 and "turn 5 is not asked yet" in stale.json()["error"]
    assert web.post(f"/api/r/{rid}/approval", {"decision": "approve", "approver": "x", "turn": 0}).status_code == 400
    assert view.transcript.read_bytes() == before
    assert web.service.view(rid).question == question and web.service.view(rid).moves == []


def test_a_move_plays_in_the_background_and_the_agent_replies(web: Web, nash_terms: dict[str, Any]) -> None:
    rid = web.start()
    terms = {k: str(v) for k, v in nash_terms.items()}
    check = web.post(f"/api/r/{rid}/check", {"kind": "propose", "terms": terms, "rationale": ""}).json()
    assert check["blocked"] and "transparency" in check["blocked"] and check["utility"] == pytest.approx(0.7705)
    rationale = "We propose " + ", ".join(terms)
    move = {"kind": "propose", "terms": terms, "rationale": rationale, "by": "Ada", "turn": 0}
    response = web.post(f"/api/r/{rid}/move", move)
    assert response.status_code == 202
    web.settle()
    state = web.client.get(f"/api/r/{rid}").json()
    assert state["waiting"] == "move" and not state["busy"]
    assert 'data-party="supplier"' in state["html"]["history"]
    # Walk away; the debrief page, the plot and a branch.
    view = web.service.view(rid)
    web.post(f"/api/r/{rid}/move", {"kind": "walk_away", "reason": "enough", "by": "Ada", "turn": view.table["turn"]})
    web.settle()
    assert web.service.view(rid).status == "walk_away"
    debrief = web.client.get(f"/r/{rid}/debrief")
    assert debrief.status_code == 200
    for words in ("Debrief: walk away", "Better deals both sides would have preferred", "the hash chain verifies"):
        assert words in debrief.text
    plot = web.client.get(f"/r/{rid}/plot.png")
    assert plot.status_code == 200 and plot.headers["content-type"] == "image/png" and plot.content[:4] == b"\x89PNG"
    branch = web.post(f"/api/r/{rid}/fork", {"turn": 3})
    assert branch.status_code == 201, branch.text
    page = web.client.get(branch.json()["url"])
    assert "What-if branch of" in page.text
    assert web.post(f"/api/r/{rid}/fork", {"turn": 40}).status_code == 400
    assert web.post(f"/api/r/{rid}/fork", {"turn": "three"}).status_code == 400


def test_approval_in_the_web(web: Web) -> None:
    rid = web.start(seat=None, mandates="supplier: royalty_rate <= 5")
    state = web.client.get(f"/api/r/{rid}").json()
    assert state["waiting"] == "approval" and "royalty_rate &lt;= 5" in state["html"]["question"]
    turn = web.service.view(rid).question["turn"]  # type: ignore[index]
    bad = web.post(f"/api/r/{rid}/approval", {"decision": "approve", "approver": "", "turn": turn})
    assert bad.status_code == 400 and "approver name" in bad.json()["error"]
    assert (
        web.post(f"/api/r/{rid}/move", {"kind": "accept", "turn": turn}).status_code == 400
    )  # not a move it waits for
    ok = web.post(
        f"/api/r/{rid}/approval", {"decision": "reject", "approver": "Grace", "note": "too high", "turn": turn}
    )
    assert ok.status_code == 202
    web.settle()
    view = web.service.view(rid)
    supplier = [m for m in view.moves if m["party"] == "supplier"]
    assert supplier and supplier[0]["terms"]["royalty_rate"] <= 5  # type: ignore[index]
    approval = next(r for r in read_records(view.transcript) if r.kind == "approval")  # type: ignore[arg-type]
    data = approval.data
    assert (data["decision"], data["approver"], data["note"]) == ("reject", "Grace", "too high")


def test_a_web_move_is_signed_by_the_person_seated_at_the_start(web: Web, nash_terms: dict[str, Any]) -> None:
    """The name given at the start is the seat's: moves that name nobody are recorded and signed under it,
    in a what-if branch too; a seat taken without a name refuses them."""
    rid = web.start(name="Grace Hopper")
    terms = {k: str(v) for k, v in nash_terms.items()}
    rationale = "We propose " + ", ".join(terms)
    first = {"kind": "propose", "terms": terms, "rationale": rationale, "turn": 0}
    assert web.post(f"/api/r/{rid}/move", first).status_code == 202
    web.settle()
    page = web.client.get(f"/r/{rid}")
    assert 'id="by" autocomplete="name" value="Grace Hopper"' in page.text  # the form starts with the seat's name
    turn = web.service.view(rid).table["turn"]
    blank = {"kind": "propose", "terms": terms, "rationale": rationale, "by": "  ", "turn": turn}
    assert web.post(f"/api/r/{rid}/move", blank).status_code == 202
    web.settle()
    branch = web.post(f"/api/r/{rid}/fork", {"turn": 3})
    assert branch.status_code == 201, branch.text
    bid = branch.json()["id"]
    ending = {"kind": "walk_away", "reason": "enough", "turn": web.service.view(bid).table["turn"]}
    assert web.post(f"/api/r/{bid}/move", ending).status_code == 202
    web.settle()
    for name in (rid, bid):
        transcript = web.service.view(name).transcript
        assert transcript is not None
        records = read_records(transcript)
        people = [(r.data["by"], r.sig.by) for r in records if r.kind == "human_move"]
        assert people and set(people) == {("Grace Hopper", "person:Grace Hopper")}, name
        assert any(r.kind == "identity" and r.data.get("name") == "person:Grace Hopper" for r in records), name
        report = verify(transcript, require_seal=False)
        assert report.ok and "person:Grace Hopper" in report.identities, report.problem

    nameless = web.start()
    before = web.service.view(nameless).transcript
    assert before is not None
    written = before.read_bytes()
    refused = web.post(f"/api/r/{nameless}/move", {"kind": "walk_away", "reason": "x", "turn": 0})
    assert refused.status_code == 400 and refused.json()["problems"] == {"by": "missing"}
    assert "give your name" in refused.json()["error"]
    assert before.read_bytes() == written and web.service.view(nameless).moves == []
