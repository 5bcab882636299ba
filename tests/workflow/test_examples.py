"""The committed example transcripts (transcripts/examples/) verify, and replaying them gives back
what they record: the scorecard recomputed from the transcript alone, the strategy run's moves
played again from its recorded seed and agents, the branch's link to its source, each model
call's recorded message hash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.audit import read_records, verify
from evals.transcript import read_transcript, rescore
from pactlab.app.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "transcripts" / "examples"
RUNS = sorted(p.parent.name for p in EXAMPLES.glob("*/transcript.jsonl"))


def test_the_examples_are_there() -> None:
    assert {"strategy-platform-material", "rehearsal-platform-material", "rehearsal-platform-material-b1"} <= set(RUNS)


@pytest.mark.parametrize("name", RUNS)
def test_an_example_verifies_and_rescores_to_its_scorecard(name: str) -> None:
    transcript = EXAMPLES / name / "transcript.jsonl"
    report = verify(transcript)
    assert report.ok and report.sealed, report
    recorded = json.loads((EXAMPLES / name / "scorecard.json").read_text(encoding="utf-8"))
    recorded.setdefault("opponent_models", [])  # written before opponent models were recorded: none to score
    assert rescore(read_transcript(transcript)).model_dump(mode="json") == recorded


def _moves(transcript: Path) -> list[dict[str, Any]]:
    return [r.data for r in read_records(transcript) if r.kind == "move"]


def test_the_strategy_example_replays_move_for_move(tmp_path: Path) -> None:
    transcript = EXAMPLES / "strategy-platform-material" / "transcript.jsonl"
    start = read_records(transcript)[0].data
    agents = [f"--agent={party}={spec}" for party, spec in start["agents"].items()]
    args = [
        "run",
        "platform_material",
        "--seed",
        str(start["seed"]),
        *agents,
        "-q",
        "--id",
        "again",
        "--out",
        str(tmp_path),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert _moves(tmp_path / "again" / "transcript.jsonl") == _moves(transcript)


def test_the_branch_names_its_source_and_the_last_record_it_copied() -> None:
    source = read_records(EXAMPLES / "rehearsal-platform-material" / "transcript.jsonl")
    branch = read_records(EXAMPLES / "rehearsal-platform-material-b1" / "transcript.jsonl")
    fork = next(r for r in branch if r.kind == "fork")
    assert branch[0].data["forked_from"]["negotiation_id"] == "rehearsal-platform-material"
    assert fork.data["source_last_copied_hash"] == source[fork.data["copied_records"]].hash
    people = {r.data.get("by") for r in source + branch if r.kind == "human_move"}
    assert people == {"Ada"}


@pytest.mark.skipif(not (EXAMPLES / "llm-platform-material").exists(), reason="no LLM example committed")
def test_the_llm_example_records_every_call_it_was_scored_on() -> None:
    records = read_records(EXAMPLES / "llm-platform-material" / "transcript.jsonl")
    calls = [r.data["call"] for r in records if r.kind == "llm_call"]
    assert calls
    for call in calls:
        canonical = json.dumps(call["messages"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == call["messages_sha256"]
    card = json.loads((EXAMPLES / "llm-platform-material" / "scorecard.json").read_text(encoding="utf-8"))
    assert card["llm_usage"]["total"]["calls"] == len(calls)
