"""A sweep killed part-way (a real SIGKILL of its process group) finishes on restart without rerunning done runs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evals.audit import verify
from pactlab.app.sweeps import RUNS, Store
from tests.sweeps.conftest import WriteSweep

SWEEP = """\
name: killed-sweep
scenario: platform_material
seeds: {count: 20}
grid:
  negotiators.platform: [boulware, conceder]
"""


def done_rows(db: Path) -> dict[str, tuple[int, str]]:
    """run id -> (attempts, finished_at) of the done runs, read while the sweep writes."""
    if not db.exists():
        return {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as connection:
        try:
            rows = connection.execute("SELECT run_id, attempts, finished_at FROM runs WHERE status = 'done'")
            return {str(r[0]): (int(r[1]), str(r[2])) for r in rows}
        except sqlite3.OperationalError:  # the schema is not there yet
            return {}


@pytest.mark.slow
def test_killed_sweep_restarts_without_rerunning_done_runs(write_sweep: WriteSweep, tmp_path: Path) -> None:
    sweep = write_sweep(SWEEP)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pactlab", "explore", str(sweep), "--out", str(out), "--workers", "1", "-q"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    db = out / "sweep.sqlite"
    deadline = time.monotonic() + 180
    while len(done_rows(db)) < 3:
        assert proc.poll() is None, proc.communicate()[0].decode()
        assert time.monotonic() < deadline, "the sweep finished no run in time"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = done_rows(db)
    with Store(db) as store:
        counts = store.counts()
        # Under way at the kill: "running", or "failed" when the parent saw its worker die first.
        broken = [r.run_id for r in store.runs() if r.status in ("running", "failed")]
    assert 3 <= counts["done"] < 40 and len(broken) <= 1, counts  # one worker: at most one run under way

    restart = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert restart.returncode == 0, restart.stdout + restart.stderr
    assert f"ran {40 - len(before)} run(s)" in restart.stdout

    with Store(db) as store:
        after = {r.run_id: r for r in store.runs()}
    assert {r.status for r in after.values()} == {"done"} and len(after) == 40
    for run_id, (attempts, finished_at) in before.items():  # finished before the kill: untouched
        assert (after[run_id].attempts, after[run_id].finished_at) == (attempts, finished_at) == (1, finished_at)
    for run_id in broken:  # under way at the kill: run again, from the start
        assert after[run_id].attempts == 2
        assert verify(out / RUNS / run_id / "transcript.jsonl").ok
    assert sum(r.attempts for r in after.values()) == 40 + len(broken)
