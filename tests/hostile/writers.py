"""Helpers of the hostile tests: run the `pactlab` command, read what a run left on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

PACTLAB = [sys.executable, "-m", "pactlab"]
KILL_AT = [sys.executable, str(Path(__file__).with_name("kill_at.py"))]
TIMEOUT = 300


def pactlab(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PACTLAB, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT)


def killed_at(point: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KILL_AT, point, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT)


def start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*PACTLAB, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def records(transcript: Path) -> list[tuple[str, str, str, str | None]]:
    """What the transcript says, without the timestamps and hashes that differ between two runs."""
    found = []
    for line in transcript.read_text("utf-8").splitlines():
        record = json.loads(line)
        data = dict(record["data"])
        data.pop("last_hash", None)  # the seal names the chain's head, which covers the timestamps
        data.pop("identities", None)  # each run draws its own ephemeral keys
        if record["kind"] == "tree_head":  # a tree head's root covers the timestamps; its signature, the keys
            data = {k: v for k, v in data.items() if k in ("round", "tree_size")}
        if isinstance(data.get("agreement"), dict):
            data["agreement"] = {k: v for k, v in data["agreement"].items() if k != "signatures"}  # by those keys
        found.append((record["kind"], record["actor"], json.dumps(data, sort_keys=True), record.get("key")))
    return found


def outputs(run_dir: Path) -> dict[str, Any]:
    """The run's output files by name; the scorecard's content too (the other files embed times)."""
    names = sorted(p.name for p in run_dir.iterdir() if not p.name.startswith("."))
    return {"files": names, "scorecard": json.loads((run_dir / "scorecard.json").read_text("utf-8"))}
