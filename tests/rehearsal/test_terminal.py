"""`pactlab rehearse` driven as a person would, through a pseudo-terminal: moves, a refusal, leaving and
continuing in a new process, the debrief, and a what-if branch."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect

from evals.audit import read_records, verify
from pactlab.domain.issues import IssueValue, value_key
from tests.rehearsal.conftest import SCENARIO, SEAT, SEED

ISSUES = [
    "use_case_disclosure",
    "foreground_ip",
    "licence_to_non_owner",
    "commercialisation_rights",
    "exclusivity_months",
    "royalty_rate",
    "rnd_cost_share_platform",
    "dispute_resolution",
]


def _spawn(args: list[str], log: Path) -> pexpect.spawn:
    env = {**os.environ, "COLUMNS": "200", "LINES": "50", "TERM": "xterm-256color"}
    child = pexpect.spawn(
        sys.executable, ["-m", "pactlab", *args], env=env, encoding="utf-8", timeout=120, dimensions=(50, 200)
    )
    child.logfile_read = log.open("a", encoding="utf-8")
    return child


def _counter(child: pexpect.spawn, terms: dict[str, IssueValue]) -> None:
    child.sendline("c")
    for issue in ISSUES:
        child.expect(re.escape(f"({issue}) "))
        child.sendline(value_key(terms[issue]))
    child.expect("Message to the table")
    child.sendline("We keep to the balanced terms.")
    child.expect("Why these terms")
    child.sendline("")  # the suggested rationale names the changed terms
    child.expect("The policy gate would let this move pass")
    child.expect("Send it")
    child.sendline("y")


def test_a_rehearsal_in_the_terminal(tmp_path: Path, nash_terms: dict[str, IssueValue]) -> None:
    out = tmp_path / "out"
    log = tmp_path / "terminal.log"
    rid = "term"
    child = _spawn(
        ["rehearse", SCENARIO, "--as", SEAT, "--seed", str(SEED), "--name", "Ada", "--out", str(out), "--id", rid], log
    )
    child.expect("Your private brief")
    child.expect("Your walk-away value")
    child.expect("Nothing on the table: you propose first")
    child.expect("Your move")
    _counter(child, nash_terms)
    # A move line is a sentence with the party's name and the issues' display names.
    child.expect(r"Carbonis Advanced Materials opens and proposes Use-case disclosure: ")
    child.expect(r"value to you 33\.9/100")
    child.expect("Your move")
    # Accepting the supplier's first offer: the draft check says the gate would refuse it, and why.
    child.sendline("a")
    child.expect("Message to the table")
    child.sendline("")
    child.expect("BELOW your walk-away")
    child.expect("The policy gate would refuse this move")
    child.expect("individual-rationality")
    child.expect("Send it")
    child.sendline("e")  # think again
    child.expect("Your move")
    child.sendline("q")  # leave the table
    child.expect("Continue later: pactlab rehearse --continue term")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    # A new process picks the rehearsal up where the person left it.
    child = _spawn(["rehearse", "--continue", rid, "--out", str(out), "--name", "Ada"], log)
    child.expect("The table so far")
    child.expect("Your move")
    for _ in range(20):
        _counter(child, nash_terms)
        if child.expect(["Your move", "Debrief"]) == 1:
            break
    child.expect("You \\(platform\\) got")
    child.expect("Nash bargaining solution would have given you")
    child.expect("Audit transcript: ")
    child.expect("verifies, sealed")
    child.expect("What if\\? Replay from one of your turns")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0  # agreement

    transcript = out / rid / "transcript.jsonl"
    assert verify(transcript).ok
    records = read_records(transcript)
    people = [r for r in records if r.kind == "human_move"]
    assert people and all(r.data["by"] == "Ada" for r in people)
    assert (out / rid / "utility_space.png").exists()

    # `pactlab debrief` prints it again; a what-if branch from turn 3, where the person walks away instead.
    child = _spawn(["debrief", rid, "--out", str(out)], log)
    child.expect("Debrief")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    original = transcript.read_bytes()
    child = _spawn(["rehearse", "--fork", rid, "--turn", "3", "--out", str(out), "--name", "Ada"], log)
    child.expect("what-if branch of term from turn 3")
    child.expect("the branch plays on from here")
    child.expect("Your move")
    child.sendline("w")
    child.expect("Why do you walk away")
    child.sendline("What if I had left here?")
    child.expect("Send it")
    child.sendline("y")
    child.expect("Debrief")
    child.expect("What-if branches")
    child.expect("term-b1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3  # no agreement in the branch
    assert transcript.read_bytes() == original
    assert verify(out / "term-b1" / "transcript.jsonl").ok


def test_bad_terminal_input_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "terminal.log"
    out = tmp_path / "out"
    for args, words in (
        (["rehearse", SCENARIO, "--as", "lab", "--out", str(out)], "unknown party 'lab'"),
        (["rehearse", "--continue", "ghost", "--out", str(out)], "no rehearsal 'ghost'"),
        (["rehearse", "--out", str(out)], "give a SCENARIO"),
        (["rehearse", SCENARIO, "--as", SEAT, "--mandate", "supplier royalty", "--out", str(out)], "PARTY: RULE"),
    ):
        child = _spawn(args, log)
        child.expect(words)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus in (2, 4), (args, child.exitstatus)
