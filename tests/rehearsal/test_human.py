"""The human negotiator through the real graph: interrupt, resume, the policy gate, a resume in a new process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agents.human import HUMAN, InvalidSubmission, parse_submission
from evals.audit import read_records, verify
from pactlab.domain.catalog import load_scenario
from pactlab.domain.issues import IssueValue
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import Turn
from pactlab.workflow import MoveMade, NegotiationNotFound, Negotiations, Paused, Scored, WaitingForPerson
from policies import load_policy_set
from tests.rehearsal.conftest import SEED

AGENTS = {"platform": HUMAN, "supplier": "pareto"}


def _start(runs: Negotiations, scenario: Scenario, rid: str, out: Path) -> list[object]:
    policy_set, _ = load_policy_set("fair-and-open")
    return list(
        runs.start(
            scenario,
            agents=AGENTS,
            seed=SEED,
            negotiation_id=rid,
            transcript=out / rid / "transcript.jsonl",
            policies=policy_set,
            turn_by_turn=True,
        )
    )


def _rationale(terms: dict[str, IssueValue]) -> str:
    return "We open with " + ", ".join(terms)


def test_the_person_moves_through_the_graph_and_the_gate(tmp_path: Path, nash_terms: dict[str, IssueValue]) -> None:
    scenario = load_scenario("platform_material")[0]
    transcript = tmp_path / "r1" / "transcript.jsonl"
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = _start(runs, scenario, "r1", tmp_path)
        assert len(events) == 1 and isinstance(events[0], Paused)
        question = events[0].question
        assert question["kind"] == "move" and question["party"] == "platform" and question["turn"] == 0
        assert question["options"] == ["propose", "walk_away"] and question["blocked"] == []
        assert runs.pending("r1") == question
        # A resume without an answer asks again; an operator's resume is refused with a clear message.
        with pytest.raises(WaitingForPerson, match="waits for a person"):
            list(runs.resume("r1"))

        # A malformed answer is asked again, with the reason; nothing lands on the table.
        again = list(runs.answer("r1", {"kind": "propose", "terms": {"royalty_rate": 99}, "by": "Ada"}))
        assert [type(e) for e in again] == [Paused]
        assert "royalty_rate" in again[0].question["error"] and "out of range" in again[0].question["error"]
        state = runs.state("r1")
        assert state is not None and state["moves"] == []
        assert [r.kind for r in read_records(transcript)] == ["run_start"]

        # A move the gate blocks (no rationale) is explained and asked again: attempt 1.
        blocked = list(runs.answer("r1", {"kind": "propose", "terms": nash_terms, "by": "Ada"}))
        assert [type(e) for e in blocked] == [Paused]
        q = blocked[0].question
        assert q["attempt"] == 1 and "transparency" in q["blocked"][0]["feedback"]
        assert q["blocked"][0]["terms"] == nash_terms

        # The same terms with a rationale pass; the agent answers; the graph pauses at the person's next turn.
        answer = {"kind": "propose", "terms": nash_terms, "rationale": _rationale(nash_terms), "by": "Ada"}
        events = list(runs.answer("r1", answer))
        moves = [e.move for e in events if isinstance(e, MoveMade)]
        assert [(m["party"], m["kind"]) for m in moves] == [("platform", "propose"), ("supplier", "propose")]
        assert moves[0]["terms"] == nash_terms
        assert isinstance(events[-1], Paused) and events[-1].question["turn"] == 2
        with pytest.raises(NegotiationNotFound):
            list(runs.answer("nope", {"kind": "accept"}))

    records = read_records(transcript)
    kinds = [(r.kind, r.key) for r in records]
    assert kinds[:7] == [
        ("run_start", "run_start"),
        ("identity", "identity:0:0"),  # Ada sits down at the platform's seat: her key signs her moves
        ("human_move", "human:0:0"),
        ("gate", "gate:0:platform:0"),
        ("human_move", "human:0:1"),
        ("gate", "gate:0:platform:1"),
        ("move", "move:0"),
    ]
    assert records[1].data["identity"]["display_name"] == "Ada" and records[1].data["identity"]["seat"] == "platform"
    assert records[2].data["by"] == "Ada" and records[3].data["blocked"]
    assert records[2].sig.by == records[4].sig.by == "person:Ada"
    assert records[5].data["blocked"] is None
    assert verify(transcript, require_seal=False).ok


def test_a_person_is_asked_again_as_often_as_the_gate_blocks(tmp_path: Path, nash_terms: dict[str, IssueValue]) -> None:
    """No fallback acts in a person's name: after more refusals than an agent gets, the person still decides."""
    scenario = load_scenario("platform_material")[0]
    with Negotiations(tmp_path / "c.sqlite") as runs:
        _start(runs, scenario, "r", tmp_path)
        for attempt in range(1, 6):
            events = list(runs.answer("r", {"kind": "propose", "terms": nash_terms, "rationale": "", "by": "Ada"}))
            assert isinstance(events[-1], Paused) and events[-1].question["attempt"] == attempt
        events = list(
            runs.answer("r", {"kind": "propose", "terms": nash_terms, "rationale": _rationale(nash_terms), "by": "Ada"})
        )
        state = runs.state("r")
        assert state is not None and state["moves"][0]["party"] == "platform"
        assert state["moves"][0]["terms"] == nash_terms
    records = read_records(tmp_path / "r" / "transcript.jsonl")
    assert not any(r.kind == "fallback" for r in records)
    assert sum(1 for r in records if r.kind == "gate" and r.data["party"] == "platform") == 6


def test_the_person_continues_in_a_new_process_from_the_sqlite_checkpoint(
    tmp_path: Path, nash_terms: dict[str, IssueValue]
) -> None:
    scenario = load_scenario("platform_material")[0]
    with Negotiations(tmp_path / "c.sqlite") as runs:
        _start(runs, scenario, "r", tmp_path)
    answer = {"kind": "propose", "terms": nash_terms, "rationale": _rationale(nash_terms), "by": "Grace"}
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from pactlab.workflow import MoveMade, Negotiations, Paused
        with Negotiations(Path({str(tmp_path / "c.sqlite")!r})) as runs:
            out = []
            for event in runs.answer("r", json.loads(sys.argv[1])):
                if isinstance(event, MoveMade):
                    out.append([event.move["party"], event.move["kind"]])
                elif isinstance(event, Paused):
                    out.append(["paused", event.question["turn"]])
        print(json.dumps(out))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(answer)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        ["platform", "propose"],
        ["supplier", "propose"],
        ["paused", 2],
    ]
    # Back in this process: the state and the transcript carry on from what the other process did.
    with Negotiations(tmp_path / "c.sqlite") as runs:
        state = runs.state("r")
        assert state is not None and [m["party"] for m in state["moves"]] == ["platform", "supplier"]
        question = runs.pending("r")
        assert question is not None and question["turn"] == 2
        with pytest.raises(ValueError, match="an answer is needed"):
            list(runs.answer("r", None))
    records = read_records(tmp_path / "r" / "transcript.jsonl")
    assert next(r for r in records if r.kind == "human_move").data["by"] == "Grace"
    assert verify(tmp_path / "r" / "transcript.jsonl", require_seal=False).ok


def test_turn_by_turn_checkpoints_change_no_outcome(tmp_path: Path) -> None:
    """Strategy agents play the same moves and score the same whether a run checkpoints every turn or every 5 rounds."""
    scenario = load_scenario("platform_material")[0]
    policy_set, _ = load_policy_set("fair-and-open")
    results = []
    with Negotiations(tmp_path / "c.sqlite") as runs:
        for rid, turn_by_turn in (("rounds", False), ("turns", True)):
            events = list(
                runs.start(
                    scenario,
                    agents={"platform": "boulware", "supplier": "pareto"},
                    seed=SEED,
                    negotiation_id=rid,
                    policies=policy_set,
                    turn_by_turn=turn_by_turn,
                )
            )
            scored = [e for e in events if isinstance(e, Scored)]
            state = runs.state(rid)
            assert state is not None and len(scored) == 1
            card = scored[0].scorecard.model_dump()
            card.pop("negotiation_id")
            results.append((state["moves"], state["table"], card))
    assert results[0] == results[1]


def opening_turn() -> Turn:
    """The platform's first turn of platform_material, with nothing on the table."""
    return Turn(
        party="platform",
        round=0,
        max_rounds=40,
        turn=0,
        parties_at_table=("platform", "supplier"),
        proposal=None,
        proposer=None,
        accepted_by=frozenset(),
    )


def test_parse_submission_explains_what_is_wrong(scenario: Scenario) -> None:
    from pactlab.domain.outcome_space import OutcomeSpace

    space = OutcomeSpace(scenario.issues)
    turn = opening_turn()
    cases = [
        ("nonsense", "kind"),
        ({"kind": "dance"}, "unknown move"),
        ({"kind": "accept"}, "no proposal on the table"),
        ({"kind": "walk_away"}, "give a reason"),
        ({"kind": "propose", "terms": {"royalty_rate": "x"}}, "not a number"),
        ({"kind": "propose", "terms": {"royalty_rate": "2.5"}}, "between steps"),
        ({"kind": "propose", "terms": {"royalty_rate": "-1"}}, "out of range"),
        ({"kind": "propose", "terms": {"foreground_ip": "nobody"}}, "not an option"),
        ({"kind": "propose", "terms": {"colour": "red"}}, "not an issue of this scenario"),
    ]
    for answer, words in cases:
        try:
            parse_submission(answer, space, turn)
        except InvalidSubmission as exc:
            assert words in str(exc), (answer, str(exc))
        else:  # pragma: no cover
            raise AssertionError(f"{answer!r} must be refused")
    ok = parse_submission(
        {"kind": "propose", "terms": {i.id: str(i.values()[-1]) for i in scenario.issues}, "by": " Ada "}, space, turn
    )
    assert ok.by == "Ada" and ok.action.kind == "propose"
    assert ok.action.terms["royalty_rate"] == 8  # type: ignore[union-attr]


def test_a_seat_asks_through_whatever_ask_person_it_is_given(scenario: Scenario) -> None:
    """The seat knows nothing of LangGraph: any `AskPerson` will do, here a script of answers."""
    from agents.base import Seat
    from agents.human import HumanNegotiator

    turn = opening_turn()
    answers: list[object] = [{"kind": "accept"}, {"kind": "walk_away", "reason": "not today", "by": "Ada"}]
    asked: list[dict[str, object]] = []

    def script(question: dict[str, object], /) -> object:
        asked.append(question)
        return answers[len(asked) - 1]

    seat = HumanNegotiator(Seat.for_party(scenario, "platform", SEED), script)
    submission = seat.ask(turn)
    assert submission.action.kind == "walk_away" and submission.by == "Ada"
    assert [q["kind"] for q in asked] == ["move", "move"]
    assert asked[0]["error"] is None and "no proposal on the table" in str(asked[1]["error"])
