"""What-if branches: a fork at an earlier turn leaves the original and its transcript untouched and has its own,
verifiable transcript; the debrief compares the branches."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evals.audit import AuditRecord, read_records, verify
from pactlab.app.rehearsal import RehearsalError, Rehearsals
from pactlab.app.rehearsal.forks import copied_records
from pactlab.domain.issues import IssueValue
from tests.rehearsal.conftest import SCENARIO, SEAT, SEED, counter, play_to_end


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_branch_at_an_earlier_turn(service: Rehearsals, nash_terms: dict[str, IssueValue]) -> None:
    original = play_to_end(service, service.start(SCENARIO, SEAT, seed=SEED), nash_terms)
    assert original.status == "agreement"
    assert original.transcript is not None and verify(original.transcript).ok
    digest = _digest(original.transcript)
    moves_before = original.moves

    # Branch just before the person's second turn (turn 3 as shown) and walk away there instead.
    branch = service.fork(original.id, 3)
    assert branch.id != original.id and branch.forked_from == {"negotiation_id": original.id, "turn": 2}
    assert branch.waiting == "move" and branch.question is not None and branch.question["turn"] == 2
    assert branch.moves == moves_before[:2]
    branch = service.submit(branch.id, {"kind": "walk_away", "reason": "What if I leave now?", "by": "Ada"})
    assert branch.status == "walk_away"

    # The original is untouched: its state, its transcript bytes.
    again = service.view(original.id)
    assert again.moves == moves_before and again.status == "agreement"
    assert _digest(original.transcript) == digest

    # The branch's transcript verifies, is sealed, and its copied prefix matches the source record by record.
    assert branch.transcript is not None and branch.transcript != original.transcript
    report = verify(branch.transcript)
    assert report.ok and report.sealed
    source = read_records(original.transcript)
    copied = list(copied_records(branch.transcript))

    def same(r: AuditRecord) -> tuple[object, ...]:  # a tree head is signed again over the branch's own records
        data = {"round": r.data["round"]} if r.kind == "tree_head" else r.data
        return (r.kind, r.actor, data, r.key, r.ts)

    assert [same(r) for r in copied] == [same(r) for r in source[1 : len(copied) + 1]]
    assert [r.key for r in copied if r.kind == "move"][-1] == "move:1"
    assert source[len(copied) + 1].kind not in ("claim", "tree_head"), "the step's closing records are copied"
    records = read_records(branch.transcript)
    start, fork = records[0], next(r for r in records if r.kind == "fork")
    assert start.data["negotiation_id"] == branch.id
    assert start.data["forked_from"]["negotiation_id"] == original.id
    assert fork.data["source_last_copied_hash"] == source[len(copied)].hash
    assert fork.data["turn"] == 2 and fork.data["copied_records"] == len(copied)

    # The debrief compares the branches side by side.
    comparison = service.compare(original.id)
    rows = {row.negotiation_id: row for row in comparison.branches}
    assert set(rows) == {original.id, branch.id}
    assert rows[branch.id].fork_turn == 3 and rows[branch.id].status == "walk_away"
    assert rows[original.id].status == "agreement"
    assert service.compare(branch.id).branches == comparison.branches


def test_a_branch_of_a_branch_before_its_fork_point(service: Rehearsals, nash_terms: dict[str, IssueValue]) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    view = service.submit(view.id, counter(view, nash_terms))
    view = service.submit(view.id, counter(view, nash_terms))  # paused at turn 5 (index 4)
    first = service.fork(view.id, 3)
    # The first branch's own history starts at turn 3: turn 1 is found in the run it came from.
    second = service.fork(first.id, 1)
    assert second.forked_from == {"negotiation_id": first.id, "turn": 0}
    assert second.moves == [] and second.question is not None and second.question["turn"] == 0
    assert verify(second.transcript, require_seal=False).ok  # type: ignore[arg-type]
    assert {v.id for v in service.family(view.id)} == {view.id, first.id, second.id}
    # The paused source is untouched and still waits for the person.
    assert service.view(view.id).question == view.question


def test_fork_points_are_checked(service: Rehearsals) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    for turn in (0, 2, 99, -1):
        with pytest.raises(RehearsalError, match="choose a turn"):
            service.fork(view.id, turn)
    with pytest.raises(RehearsalError, match="whole number"):
        service.fork(view.id, "2")  # type: ignore[arg-type]
    assert service.ids() == [view.id]


def test_a_branch_signs_the_tree_heads_it_copies_again(service: Rehearsals, nash_terms: dict[str, IssueValue]) -> None:
    """The branch's run start differs from the source's, so a copied tree head is signed again over its records."""
    original = play_to_end(service, service.start(SCENARIO, SEAT, seed=SEED), nash_terms)
    assert original.transcript is not None
    source = read_records(original.transcript)
    last = max(r.data["move"]["turn"] for r in source if r.kind == "move")
    branch = service.fork(original.id, last + 1)  # the fork point as shown: before the last move
    assert branch.transcript is not None and verify(branch.transcript, require_seal=False).ok
    copied = [r for r in copied_records(branch.transcript) if r.kind == "tree_head"]
    originals = {r.key: r for r in source if r.kind == "tree_head"}
    assert copied, "the copied prefix holds a round's end"
    for head in copied:
        before = originals[head.key]
        assert head.data["round"] == before.data["round"] and head.data["timestamp"] == before.data["timestamp"]
        assert head.data["tree_size"] == before.data["tree_size"] and head.data["root_hash"] != before.data["root_hash"]
