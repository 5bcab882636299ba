"""Sweeps and their workers: one sweep per output folder, and no worker outlives a killed sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from evals.audit import verify
from pactlab.app.sweeps import RUNS

SWEEP = """\
name: racing-sweep
scenario: platform_material
seeds: {count: 12}
grid:
  negotiators.platform: [boulware, conceder]
"""
EXPLORE = [sys.executable, "-m", "pactlab", "explore"]
BUSY = 6
PATIENCE = 180  # seconds to wait for a process state; a bound on a hang, not a speed requirement


def _wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_second_sweep_into_the_same_folder_is_refused_and_the_first_completes(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(SWEEP, encoding="utf-8")
    out = tmp_path / "out"
    command = [*EXPLORE, str(sweep), "--out", str(out), "--workers", "1", "-q"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: (out / RUNS).exists() or first.poll() is not None, "the first sweep's first run")
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if first.poll() is None:  # the race this test is about: the second starts while the first writes
        assert second.returncode == BUSY, second.stdout + second.stderr
        assert "another sweep" in second.stderr and "Traceback" not in second.stderr
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    transcripts = sorted((out / RUNS).glob("*/transcript.jsonl"))
    assert len(transcripts) == 24
    assert all(verify(t).ok for t in transcripts)


def test_workers_die_with_a_killed_sweep(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(SWEEP, encoding="utf-8")
    out = tmp_path / "out"
    command = [*EXPLORE, str(sweep), "--out", str(out), "--workers", "2", "-q"]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []

    def pool_started() -> bool:
        workers[:] = [
            pid for pid in _children(parent.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        return len(workers) == 2 or parent.poll() is not None

    _wait_for(pool_started, "the sweep's two worker processes")
    assert parent.poll() is None, "the sweep ended before it could be killed"
    os.kill(parent.pid, signal.SIGKILL)  # the parent only: its workers are orphaned
    parent.wait(timeout=30)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the orphaned workers to exit")
