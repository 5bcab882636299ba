"""A run killed mid-way resumes from its SQLite checkpoint and ends as an uninterrupted run would."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PACTLAB = [sys.executable, "-m", "pactlab"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PACTLAB, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def _moves(db: Path, negotiation_id: str, out: Path) -> list[dict[str, object]]:
    from pactlab.workflow import Negotiations

    with Negotiations(db) as runs:
        state = runs.state(negotiation_id)
    assert state is not None
    return [dict(m) for m in state["moves"]]


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_outcome(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    agents = ["--agent", "platform=boulware", "--agent", "pareto"]
    # The uninterrupted reference run.
    reference = _run(
        ["run", "ecosystem", "--seed", "11", "--id", "reference", "--out", str(out), "-q", *agents], tmp_path
    )
    assert reference.returncode in (0, 3), reference.stderr
    # The same run, paced so that it can be killed part-way.
    proc = subprocess.Popen(
        [*PACTLAB, "run", "ecosystem", "--seed", "11", "--id", "killed", "--out", str(out), "--pace", "0.1", *agents],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + 120
    for line in proc.stdout:
        seen.append(line)
        if line.lstrip().startswith("R 3"):  # third round under way
            break
        assert time.monotonic() < deadline, "".join(seen)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    db = out / "checkpoints.sqlite"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = 'killed'").fetchone()[0] > 0
    partial = _moves(db, "killed", out)
    complete = _moves(db, "reference", out)
    assert 0 < len(partial) < len(complete), "the kill must land mid-way"
    assert not (out / "killed" / "scorecard.json").exists()

    resumed = _run(["resume", "killed", "--out", str(out)], tmp_path)
    assert resumed.returncode == reference.returncode, resumed.stdout + resumed.stderr
    assert "resumed here" in resumed.stdout

    assert _moves(db, "killed", out) == complete
    # The resumed run's audit trail verifies and records the same moves as the reference's.
    from evals.audit import read_records, verify

    for name in ("reference", "killed"):
        report = verify(out / name / "transcript.jsonl")
        assert report.ok and report.sealed, (name, report.problem)
    trails = {
        name: [(r.kind, r.actor, r.data) for r in read_records(out / name / "transcript.jsonl") if r.kind == "move"]
        for name in ("reference", "killed")
    }
    assert trails["killed"] == trails["reference"]
    card_ref = json.loads((out / "reference" / "scorecard.json").read_text())
    card_res = json.loads((out / "killed" / "scorecard.json").read_text())
    for key in ("outcome", "agreement", "rounds", "parties", "nash_ratio", "social_welfare"):
        assert card_res[key] == card_ref[key], key


def test_resume_of_unknown_or_finished_run(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    missing = _run(["resume", "nope", "--out", str(out)], tmp_path)
    assert missing.returncode == 4
    assert "no checkpoints" in missing.stderr
    done = _run(["run", "platform_material", "--id", "done", "--out", str(out), "-q"], tmp_path)
    assert done.returncode in (0, 3), done.stderr
    again = _run(["resume", "done", "--out", str(out)], tmp_path)
    assert again.returncode == 4
    assert "already ended" in again.stderr
    unknown = _run(["resume", "other", "--out", str(out)], tmp_path)
    assert unknown.returncode == 4
    assert "no negotiation 'other'" in unknown.stderr
    assert "Traceback" not in missing.stderr + again.stderr + unknown.stderr
