"""OpenTelemetry export: the trace of a real run, its GenAI spans, and what it must never carry."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from typer.testing import CliRunner

from evals.audit import read_records
from pactlab.app.cli import app
from pactlab.app.telemetry import export_records
from pactlab.domain.catalog import load_scenario
from tests.llm.endpoint import scripted_server

runner = CliRunner()
SCENARIO = "platform_material"


def run(out: Path, *args: str) -> Path:
    result = runner.invoke(app, ["run", SCENARIO, "--seed", "3", "-q", "--id", "r", "--out", str(out), *args])
    assert result.exit_code in (0, 3), result.output
    return out / "r" / "transcript.jsonl"


def spans_of(transcript: Path) -> list[ReadableSpan]:
    exporter = InMemorySpanExporter()
    summary = export_records(read_records(transcript), exporter)
    spans = list(exporter.get_finished_spans())
    assert summary.spans == len(spans)
    return spans


def private_figures() -> set[str]:
    """Every private number of the scenario's profiles, as it would be written in an attribute."""
    scenario, _ = load_scenario(SCENARIO)
    figures: set[str] = set()
    for party in scenario.parties:
        profile = party.private
        figures.add(repr(profile.reservation_value))
        for value in profile.weights.values():
            figures.add(repr(value))
    return {f for f in figures if f not in {"0", "1", "0.0", "1.0"}}


def attribute_text(spans: list[ReadableSpan]) -> str:
    """Everything a trace says: span and event names and attribute values."""
    values: list[Any] = []
    for span in spans:
        values.append(span.name)
        values.extend(event.name for event in span.events)
        values.extend((span.attributes or {}).values())
        for event in span.events:
            values.extend((event.attributes or {}).values())
    return json.dumps([v if not isinstance(v, tuple) else list(v) for v in values])


@pytest.fixture(scope="module")
def strategy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(tmp_path_factory.mktemp("otel"))


def test_a_strategy_run_is_one_trace_with_a_span_per_round(strategy_run: Path) -> None:
    spans = spans_of(strategy_run)
    roots = [s for s in spans if s.parent is None]
    assert len(roots) == 1 and roots[0].name == f"negotiation {SCENARIO}"
    root = roots[0]
    assert {s.context.trace_id for s in spans} == {root.context.trace_id}
    rounds = [s for s in spans if s.name.startswith("round ")]
    moves = [r for r in read_records(strategy_run) if r.kind == "move"]
    assert {s.attributes["pactlab.round"] for s in rounds if s.attributes} == {m.data["table"]["round"] for m in moves}
    assert all(s.parent is not None and s.parent.span_id == root.context.span_id for s in rounds)
    events = [e for s in rounds for e in s.events if e.name == "move"]
    assert len(events) == len(moves), "every move is an event on its round"
    assert root.attributes and root.attributes["pactlab.outcome"] in ("agreement", "impasse", "walk_away")
    assert all(s.start_time is not None and s.end_time is not None and s.start_time <= s.end_time for s in spans)


def test_model_calls_follow_the_genai_conventions_with_token_usage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scripted_server() as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("PACTLAB_LLM_PROVIDER", "compatible")
        monkeypatch.setenv("PACTLAB_LLM_MODEL", "flaky")
        monkeypatch.setenv("OPENAI_API_KEY", "not-needed")
        transcript = run(tmp_path, "--llm", "env")  # every seat an LLM negotiator
    calls = [r for r in read_records(transcript) if r.kind == "llm_call"]
    assert calls, "the LLM seat made model calls"
    spans = spans_of(transcript)
    agents = [s for s in spans if s.name.startswith("invoke_agent ")]
    chats = [s for s in spans if s.name.startswith("chat ")]
    assert sorted(s.name for s in agents) == sorted(f"invoke_agent {c.data['party']}" for c in calls)
    assert len(chats) == sum(len(c.data["call"]["requests"]) for c in calls) > len(calls), "repairs are requests too"
    by_id = {s.context.span_id: s for s in spans}
    for chat in chats:
        attributes = chat.attributes or {}
        assert attributes["gen_ai.operation.name"] == "chat"
        assert attributes["gen_ai.request.model"] == "flaky"
        assert isinstance(attributes["gen_ai.usage.input_tokens"], int)
        assert chat.parent is not None and by_id[chat.parent.span_id].name.startswith("invoke_agent ")
    recorded = sum(r["prompt_tokens"] for c in calls for r in c.data["call"]["requests"])
    exported = sum(int((s.attributes or {})["gen_ai.usage.input_tokens"]) for s in chats)
    assert exported == recorded


def test_the_trace_carries_no_message_and_no_private_figure(strategy_run: Path) -> None:
    text = attribute_text(spans_of(strategy_run))
    for record in read_records(strategy_run):
        move = record.data.get("move")
        if isinstance(move, dict) and move.get("message"):
            assert str(move["message"]) not in text
    leaked = [f for f in private_figures() if f in text]
    assert not leaked, f"private figures in the trace: {leaked}"


def test_the_cli_exports_to_a_file_and_refuses_a_tampered_transcript(strategy_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "trace.jsonl"
    result = runner.invoke(app, ["audit", "otel", str(strategy_run), "--to", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert any(span["name"] == f"negotiation {SCENARIO}" for span in lines)
    assert f"exported {len(lines)} span(s)" in result.output
    tampered = tmp_path / "tampered.jsonl"
    raw = strategy_run.read_text(encoding="utf-8").splitlines()
    raw[1] = raw[1].replace('"kind":"', '"kind":"x', 1)
    tampered.write_text("\n".join(raw) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "otel", str(tampered), "--to", str(tmp_path / "t2.jsonl")])
    assert result.exit_code == 5 and "line 2" in result.output
    assert not (tmp_path / "t2.jsonl").exists()


def test_without_the_sdk_the_export_is_refused_with_the_fix(
    strategy_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk", None)
    result = runner.invoke(app, ["audit", "otel", str(strategy_run), "--to", str(tmp_path / "t.jsonl")])
    assert result.exit_code == 2
    assert "pip install 'pactlab[otel]'" in result.output


def test_run_otel_exports_the_trace_when_the_run_ends(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    transcript = run(tmp_path, "--otel", str(trace))
    spans = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    roots = [s for s in spans if s["parent_id"] is None]
    assert len(roots) == 1 and roots[0]["attributes"]["pactlab.negotiation.id"] == "r"
    assert len(spans) == len(spans_of(transcript)), "the same trace as exporting the transcript afterwards"


def test_the_python_api_exports_too_and_a_folder_target_is_refused_before_the_run(tmp_path: Path) -> None:
    import pactlab
    from pactlab.errors import BadInput

    with pytest.raises(BadInput, match="a folder"):
        pactlab.run(SCENARIO, seed=3, out=tmp_path, negotiation_id="no", otel=str(tmp_path))
    assert not (tmp_path / "no").exists(), "nothing ran"
    result = pactlab.run(SCENARIO, seed=3, out=tmp_path, negotiation_id="api", otel=str(tmp_path / "t.jsonl"))
    assert result.trace_id is not None and result.trace_id in (tmp_path / "t.jsonl").read_text(encoding="utf-8")
