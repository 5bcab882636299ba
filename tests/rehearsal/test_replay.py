"""Rehearsals replay: people's moves (a blocked one included) and approvals are fed back as recorded,
what-if branches replay from their own transcript, and a paused rehearsal replays as far as it goes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from evals.audit import read_records
from pactlab.app.cli import app
from pactlab.app.rehearsal import Rehearsals
from pactlab.domain.issues import IssueValue
from pactlab.workflow.replay import replay
from tests.rehearsal.conftest import SCENARIO, SEAT, SEED, counter, play_to_end

runner = CliRunner()
MANDATE = ["supplier: royalty_rate <= 5"]


def test_a_rehearsal_and_its_fork_replay(service: Rehearsals, nash_terms: dict[str, IssueValue]) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    # A counter-offer without a rationale: the policy gate blocks it, the person tries again.
    blocked = counter(view, nash_terms, by="Ada")
    blocked["rationale"] = ""
    view = service.submit(view.id, blocked)
    assert (view.question or {}).get("blocked"), view.question
    original = play_to_end(service, view, nash_terms)
    assert original.status == "agreement" and original.transcript is not None
    moves = [r for r in read_records(original.transcript) if r.kind == "human_move"]
    assert len({(r.data["turn"], r.data["attempt"]) for r in moves}) == len(moves) and any(
        r.data["attempt"] > 0 for r in moves
    )
    report = replay(original.transcript)
    assert report.ok, report.divergences
    assert report.decisions["person"] >= 2 and report.decisions["strategy"] >= 2

    branch = service.fork(original.id, 3)
    branch = service.submit(branch.id, {"kind": "walk_away", "reason": "What if I leave now?", "by": "Grace"})
    assert branch.status == "walk_away" and branch.transcript is not None
    assert any(r.kind == "fork" for r in read_records(branch.transcript))
    result = runner.invoke(app, ["audit", "replay", str(branch.transcript)])
    assert result.exit_code == 0, result.output
    assert replay(branch.transcript).decisions["person"] >= 2

    # A branch of the branch, still waiting for the person: replays as far as its transcript goes.
    second = service.fork(branch.id, 1)
    assert second.transcript is not None and second.waiting == "move"
    paused = replay(second.transcript)
    assert paused.ok and paused.ending == "waiting", paused.divergences
    assert "waits here" in paused.notes[0]


def test_approvals_replay(service: Rehearsals) -> None:
    view = service.start(SCENARIO, None, seed=SEED, agents={"platform": "pareto"}, mandates=MANDATE)
    decisions = iter(["reject", "approve"] * 100)
    while not view.finished:
        assert view.waiting == "approval"
        view = service.decide(view.id, {"decision": next(decisions), "approver": "Grace", "note": "n"})
    assert view.transcript is not None
    records = read_records(view.transcript)
    assert {r.data["decision"] for r in records if r.kind == "approval"} == {"approve", "reject"}
    report = replay(view.transcript)
    assert report.ok, report.divergences


def test_a_changed_approval_diverges(service: Rehearsals, tmp_path: Path) -> None:
    """An approval is an input: replayed with the other decision, the agent's move changes; the replay says where."""
    view = service.start(SCENARIO, None, seed=SEED, agents={"platform": "pareto"}, mandates=MANDATE)
    while not view.finished:
        view = service.decide(view.id, {"decision": "approve", "approver": "Grace"})
    assert view.transcript is not None
    text = view.transcript.read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(text) if '"kind":"approval"' in line)
    text[first] = text[first].replace('"decision":"approve"', '"decision":"reject"')
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(text) + "\n", encoding="utf-8")
    report = replay(edited)
    assert not report.ok and report.divergences and report.divergences[0].line > first + 1
    assert report.verify_line == first + 1
