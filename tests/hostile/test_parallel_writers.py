"""Two processes writing one negotiation at once: exactly one writes, the other is refused and writes nothing."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.kill_at import KILLED
from tests.hostile.writers import killed_at, pactlab, records, start

BUSY_OR_TAKEN = 6  # exit code: another writer holds the negotiation, or the id is taken
ENDED = 4  # the loser started after the winner had finished: nothing left to resume


def test_two_runs_with_one_id_one_wins_and_the_transcript_verifies(tmp_path: Path) -> None:
    args = ("run", "boost_converter", "--id", "same", "--out", tmp_path, "--seed", "3", "-q", "--pace", "0.2")
    first, second = start(*args), start(*args)
    results = [p.communicate(timeout=300) for p in (first, second)]
    codes = sorted([first.returncode, second.returncode])
    assert codes[0] in (0, 3) and codes[1] == BUSY_OR_TAKEN, results
    loser = results[[first.returncode, second.returncode].index(BUSY_OR_TAKEN)]
    assert "Traceback" not in loser[1]
    verified = pactlab("audit", "verify", tmp_path / "same" / "transcript.jsonl")
    assert verified.returncode == 0, verified.stdout
    kinds = [kind for kind, *_ in records(tmp_path / "same" / "transcript.jsonl")]
    assert kinds.count("run_start") == 1 and kinds.count("seal") == 1


def test_two_resumes_of_one_run_one_wins_and_the_transcript_verifies(tmp_path: Path) -> None:
    killed = killed_at("record:4", "run", "boost_converter", "--id", "cut", "--out", tmp_path, "--seed", "3", "-q")
    assert killed.returncode == KILLED, killed.stderr
    args = ("resume", "cut", "--out", tmp_path, "-q", "--pace", "0.2")
    first, second = start(*args), start(*args)
    results = [p.communicate(timeout=300) for p in (first, second)]
    codes = sorted([first.returncode, second.returncode])
    assert codes[0] in (0, 3) and codes[1] in (ENDED, BUSY_OR_TAKEN), results
    verified = pactlab("audit", "verify", tmp_path / "cut" / "transcript.jsonl")
    assert verified.returncode == 0, verified.stdout
    kinds = [kind for kind, *_ in records(tmp_path / "cut" / "transcript.jsonl")]
    assert kinds.count("run_start") == 1 and kinds.count("seal") == 1
