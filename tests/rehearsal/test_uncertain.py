"""`pactlab rehearse --uncertain` (issue 16.6): a drawn counterpart, hidden during play, revealed in the debrief."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect

from evals.audit import read_records, verify
from pactlab.app.rehearsal import Rehearsals
from pactlab.app.rehearsal.uncertain import COUNTERPART
from pactlab.domain.catalog import load_scenario
from pactlab.domain.counterparts import draw_counterparts

SCENARIO, SEAT, SEED = "boost_converter", "platform", 3  # the shipped scenario that declares uncertainty


def test_the_service_plays_the_drawn_counterpart_and_reveals_it_after(tmp_path: Path) -> None:
    declared = load_scenario(SCENARIO)[0]
    concrete, (draw,) = draw_counterparts(declared, SEED, seat=SEAT)
    with Rehearsals(tmp_path) as service:
        view = service.start(SCENARIO, SEAT, seed=SEED, uncertain=True, negotiation_id="u1")
        assert view.scenario.party(draw.party).private == concrete.party(draw.party).private
        assert view.scenario.party(draw.party).private != declared.party(draw.party).private
        view = service.submit("u1", {"kind": "walk_away", "reason": "testing", "message": ""})
        assert view.finished
        report = service.debrief("u1")
    assert report.revealed is not None
    (party,) = report.revealed.parties
    assert party.party == draw.party and party.reservation_value == draw.reservation_value
    assert party.weights == draw.weights and party.strategy == draw.strategy
    robust = report.revealed.robust
    assert robust is not None and robust.person_utility == report.person.reservation_value  # type: ignore[union-attr]
    # The auditor sees the drawn profile in the signed transcript, and the draw in the rehearsal's folder.
    transcript = tmp_path / "u1" / "transcript.jsonl"
    assert verify(transcript).ok
    start = read_records(transcript)[0].data
    drawn = next(p for p in start["scenario"]["parties"] if p["id"] == draw.party)
    assert drawn["private"]["reservation_value"] == draw.reservation_value
    assert start["agents"][draw.party] == draw.strategy
    saved = json.loads((tmp_path / "u1" / COUNTERPART).read_text(encoding="utf-8"))
    assert saved["draws"][0]["reservation_value"] == draw.reservation_value and "robust" in saved


def test_rehearse_uncertain_in_the_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200", "LINES": "50", "TERM": "xterm-256color"}
    args = ["-m", "pactlab", "rehearse", SCENARIO, "--as", SEAT, "--uncertain", "--seed", str(SEED)]
    child = pexpect.spawn(
        sys.executable, [*args, "--out", str(tmp_path), "--id", "t1"], env=env, encoding="utf-8", timeout=300,
        dimensions=(50, 200),
    )  # fmt: skip
    child.logfile_read = (tmp_path / "terminal.log").open("a", encoding="utf-8")
    child.expect("you learn who they were in the debrief")
    child.expect("Your move")
    before = child.before
    draw = draw_counterparts(load_scenario(SCENARIO)[0], SEED, seat=SEAT)[1][0]
    assert "Who you were negotiating with" not in before
    assert "drawn (who they are is revealed in the debrief)" in before  # not the drawn strategy
    child.sendline("w")
    child.expect("Why do you walk away")
    child.sendline("testing the unknown")
    child.expect("Send it")
    child.sendline("y")
    child.expect("Who you were negotiating with")
    child.expect(rf"drawn with seed {SEED}, played by the {draw.strategy} strategy\): walk-away point")
    child.expect("priorities: ")
    child.expect("The robust plan")
    child.expect("would have earned")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3  # no agreement
