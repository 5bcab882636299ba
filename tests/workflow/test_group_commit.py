"""Group commit: a checkpoint never claims an audit record that is not on disk, at one fsync per superstep.

Every time LangGraph stores a checkpoint or a node's pending writes (`SqliteSaver.put`,
`put_writes`), the moves that checkpoint holds must already be in the part of the transcript that
was fsynced; between two checkpoint writes the transcript is fsynced at most once. With sync and
with async checkpoint writes (the fsync then runs on LangGraph's background thread).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from evals.audit import read_records, verify
from pactlab.domain.catalog import load_scenario
from pactlab.workflow import Negotiations
from pactlab.workflow.runner import Durability


@pytest.mark.parametrize("durability", ["sync", "async"])
def test_each_checkpoint_claims_only_fsynced_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durability: Durability
) -> None:
    scenario, _ = load_scenario("platform_material")
    transcript = tmp_path / "t.jsonl"
    lock = threading.Lock()
    synced = {"size": 0}  # bytes of the transcript on disk at its last fsync
    events: list[str] = []
    claims: list[tuple[list[int], bytes]] = []  # (turns a checkpoint holds, the fsynced transcript then)
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if transcript.exists() and os.fstat(fd).st_ino == transcript.stat().st_ino:
            with lock:
                synced["size"] = os.fstat(fd).st_size
                events.append("fsync")

    def durable_prefix() -> bytes:
        return transcript.read_bytes()[: synced["size"]] if transcript.exists() else b""

    real_put, real_put_writes = SqliteSaver.put, SqliteSaver.put_writes

    def put(self: SqliteSaver, config: Any, checkpoint: Any, metadata: Any, versions: Any) -> Any:
        moves = checkpoint["channel_values"].get("moves") or []
        with lock:
            claims.append(([int(m["turn"]) for m in moves], durable_prefix()))
            events.append("checkpoint")
        return real_put(self, config, checkpoint, metadata, versions)

    def put_writes(self: SqliteSaver, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        moves = [m for channel, value in writes if channel == "moves" for m in value]
        with lock:
            claims.append(([int(m["turn"]) for m in moves], durable_prefix()))
            events.append("writes")
        real_put_writes(self, config, writes, task_id, task_path)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(SqliteSaver, "put", put)
    monkeypatch.setattr(SqliteSaver, "put_writes", put_writes)
    agents = {scenario.party_ids[0]: "boulware", scenario.party_ids[1]: "conceder"}
    with Negotiations(tmp_path / "c.sqlite", durability=durability) as runs:
        events_out = runs.start(
            scenario, agents=agents, seed=4, negotiation_id="g", transcript=transcript, rounds_per_step=2
        )
        list(events_out)

    assert verify(transcript).ok
    moves = [r for r in read_records(transcript) if r.kind == "move"]
    assert len(moves) > 6
    claimed = [turns for turns, _ in claims if turns]
    assert claimed, "checkpoints hold the moves"
    for turns, prefix in claims:
        for turn in turns:
            assert f'"key":"move:{turn}"'.encode() in prefix, f"a checkpoint claims move {turn} before it is on disk"
    if durability == "sync":  # one commit point per superstep: never two fsyncs without a checkpoint write between
        between = 0
        for event in events:
            between = between + 1 if event == "fsync" else 0
            assert between <= 1, events
    # (async: a checkpoint written while the next superstep ran may commit that one's records early; no more)
    supersteps = len(moves) // (2 * len(scenario.party_ids)) + 1
    assert events.count("fsync") <= supersteps + 3, events  # + the run start's folder, the evaluation, the seal
