"""Bad input from a person: a clear message, and nothing changes (state, checkpoints, transcript)."""

from __future__ import annotations

import sqlite3

import pytest

from pactlab.app.rehearsal import RehearsalError, Rehearsals, UnknownRehearsal
from pactlab.domain.issues import IssueValue
from tests.rehearsal.conftest import SCENARIO, SEAT, SEED, counter


def _checkpoints(service: Rehearsals) -> int:
    with sqlite3.connect(service.out / "checkpoints.sqlite") as conn:
        return int(conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0])


def test_bad_starts(service: Rehearsals) -> None:
    for kwargs, words in (
        ({"scenario": "atlantis", "seat": SEAT}, "atlantis"),
        ({"scenario": SCENARIO, "seat": "lab"}, "unknown party 'lab'"),
        ({"scenario": SCENARIO, "seat": SEAT, "agents": {"lab": "pareto"}}, "unknown party 'lab'"),
        ({"scenario": SCENARIO, "seat": SEAT, "agents": {SEAT: "pareto"}}, "your seat"),
        ({"scenario": SCENARIO, "seat": SEAT, "agents": {"supplier": "genius"}}, "unknown strategy"),
        ({"scenario": SCENARIO, "seat": SEAT, "agents": {"supplier": "boulware(e=-1)"}}, "agent for supplier"),
        ({"scenario": SCENARIO, "seat": SEAT, "policies": "anarchy"}, "anarchy"),
        ({"scenario": SCENARIO, "seat": SEAT, "negotiation_id": "../../etc/passwd"}, "negotiation id"),
        ({"scenario": SCENARIO, "seat": SEAT, "seed": -3}, "seed"),
    ):
        with pytest.raises(RehearsalError, match=words):
            service.start(**kwargs)  # type: ignore[arg-type]
    assert service.ids() == []
    first = service.start(SCENARIO, SEAT, negotiation_id="mine")
    with pytest.raises(RehearsalError, match="taken"):
        service.start(SCENARIO, SEAT, negotiation_id="mine")
    assert service.ids() == [first.id]


def test_forged_ids_are_unknown(service: Rehearsals) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    for forged in ("nope", "../" + view.id, view.id + "/../x", "", "a" * 500, view.id.upper()):
        with pytest.raises(UnknownRehearsal):
            service.view(forged)
        with pytest.raises(UnknownRehearsal):
            service.submit(forged, {"kind": "walk_away", "reason": "x"})
        with pytest.raises(UnknownRehearsal):
            service.check(forged, {"kind": "accept"})
    # A run that is not a rehearsal (no person, not turn by turn) in the same store is no rehearsal either.
    from pactlab.domain.catalog import load_scenario

    scenario = load_scenario(SCENARIO)[0]
    agents = {"platform": "pareto", "supplier": "pareto"}
    list(service.runs.start(scenario, agents=agents, seed=1, negotiation_id="run"))
    with pytest.raises(UnknownRehearsal):
        service.view("run")
    assert service.ids() == [view.id]


def test_bad_moves_change_nothing(service: Rehearsals, nash_terms: dict[str, IssueValue]) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    view = service.submit(view.id, counter(view, nash_terms))
    assert view.waiting == "move" and view.transcript is not None
    transcript, checkpoints, question = view.transcript.read_bytes(), _checkpoints(service), view.question
    missing = {k: v for k, v in nash_terms.items() if k != "royalty_rate"}
    cases = [
        ({"kind": "propose", "terms": missing}, "royalty_rate: missing", "royalty_rate"),
        ({"kind": "propose", "terms": {**nash_terms, "royalty_rate": "80"}}, "out of range", "royalty_rate"),
        ({"kind": "propose", "terms": {**nash_terms, "royalty_rate": "lots"}}, "not a number", "royalty_rate"),
        ({"kind": "propose", "terms": {**nash_terms, "exclusivity_months": "7"}}, "between", "exclusivity_months"),
        ({"kind": "propose", "terms": {**nash_terms, "foreground_ip": "martians"}}, "not an option", "foreground_ip"),
        ({"kind": "propose", "terms": {**nash_terms, "colour": "red"}}, "not an issue", "colour"),
        ({"kind": "propose"}, "needs terms", "terms"),
        ({"kind": "reject", "reason": "  "}, "give a reason", "reason"),
        ({"kind": "barter"}, "unknown move", "kind"),
        ({"kind": "accept", "turn": 0}, "moved on", "turn"),
        ({"kind": "accept", "attempt": 5}, "moved on", "turn"),
        ({"kind": "accept", "message": "x" * 5000}, "too long", "message"),
    ]
    for answer, words, field in cases:
        with pytest.raises(RehearsalError, match=words) as caught:
            service.submit(view.id, answer)
        assert field in caught.value.problems, (answer, caught.value.problems)
    assert view.transcript.read_bytes() == transcript
    assert _checkpoints(service) == checkpoints
    assert service.view(view.id).question == question
    # The draft check says the same, field by field, without sending anything.
    check = service.check(view.id, {"kind": "propose", "terms": {**nash_terms, "royalty_rate": "80"}})
    assert "royalty_rate" in check.problems and check.utility is None
    assert view.transcript.read_bytes() == transcript
    # After the end nothing more is taken.
    ended = service.submit(view.id, {"kind": "walk_away", "reason": "enough", "by": "Ada"})
    assert ended.finished
    with pytest.raises(RehearsalError, match="has ended"):
        service.submit(view.id, {"kind": "walk_away", "reason": "again"})


def test_the_draft_check(service: Rehearsals, nash_terms: dict[str, IssueValue]) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    quiet = service.check(view.id, {"kind": "propose", "terms": nash_terms})
    assert quiet.blocked is not None and "transparency" in quiet.blocked  # no rationale yet
    good = service.check(view.id, counter(view, nash_terms))
    assert good.blocked is None and good.problems == {}
    assert good.utility == pytest.approx(view.worth(nash_terms)) and good.reservation == pytest.approx(0.55)
    view = service.submit(view.id, counter(view, nash_terms))
    accept = service.check(view.id, {"kind": "accept"})
    assert accept.utility == pytest.approx(view.worth(view.table["proposal"]))
    assert accept.blocked is not None and "individual-rationality" in accept.blocked
