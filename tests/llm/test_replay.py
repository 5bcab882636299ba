"""LLM runs replay without a model: each decision is re-validated from the recorded replies through the same
parsing, repairs, guards, privacy screen and gate, and must yield the recorded action.

The runs are real (the real SDK over a real socket to the scripted endpoint of tests/llm/endpoint.py, in the
real checkpointed workflow); the replay serves the recorded replies through the SDK instead. The last test
runs against the real local model (marked llm).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.llm import LocalModelServer, endpoint_environment
from evals.audit import read_records
from pactlab.domain.catalog import load_scenario
from pactlab.workflow import Negotiations, Scored
from pactlab.workflow.replay import replay
from tests.llm.endpoint import scripted_server


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with scripted_server() as url:
        yield url


def llm_run(tmp_path: Path, url: str, agents: dict[str, str], model: str = "good") -> Path:
    scenario, _ = load_scenario("platform_material")
    transcript = tmp_path / "t.jsonl"
    with endpoint_environment(url, model, provider="compatible"), Negotiations(tmp_path / "c.sqlite") as runs:
        events = list(
            runs.start(
                scenario,
                agents=dict(zip(scenario.party_ids, agents.values(), strict=True)),
                seed=5,
                negotiation_id="llm",
                transcript=transcript,
                rounds_per_step=1,
            )
        )
    assert any(isinstance(e, Scored) for e in events)
    return transcript


@pytest.mark.parametrize(
    ("agents", "kinds"),
    [
        ({"a": "llm(advisor=choose, model=flaky)", "b": "llm(advisor=choose, model=leaky)"}, {"screen"}),
        ({"a": "llm(advisor=choose, model=broken, fallback=pareto)", "b": "pareto"}, {"llm_fallback"}),
    ],
)
def test_an_llm_run_replays_from_its_recorded_replies(
    endpoint: str, tmp_path: Path, agents: dict[str, str], kinds: set[str]
) -> None:
    transcript = llm_run(tmp_path, endpoint, agents)
    records = read_records(transcript)
    calls = [r for r in records if r.kind == "llm_call"]
    assert calls and kinds <= {r.kind for r in records}
    assert records[0].data["llm_environment"]["PACTLAB_LLM_PROVIDER"] == "compatible"
    # No model now: the endpoint's settings are gone from the environment, and nothing listens there.
    report = replay(transcript)
    assert report.ok, report.divergences
    assert report.decisions.get("llm", 0) >= 1


def test_a_reply_that_does_not_yield_the_recorded_action_is_named(endpoint: str, tmp_path: Path) -> None:
    transcript = llm_run(tmp_path, endpoint, {"a": "llm(advisor=choose, model=good)", "b": "pareto"})
    lines = transcript.read_text(encoding="utf-8").splitlines()
    index = next(  # a decision step that did not walk away: the model now "says" walk away
        n
        for n, line in enumerate(lines)
        if '"kind":"llm_call"' in line and json.loads(line)["data"].get("decision") not in (None, "walk_away")
    )
    record = json.loads(lines[index])
    assert record["data"]["step"] == "decision"
    for request in record["data"]["call"]["requests"]:  # the record keeps the decision it made
        request["response_text"] = json.dumps({"decision": "walk_away", "message": "Bye.", "reason": "We leave."})
    lines[index] = json.dumps(record)
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = replay(edited)
    assert not report.ok
    first = report.divergences[0]
    assert first.line == index + 1 and "does not yield the recorded decision" in first.reason


@pytest.mark.llm
@pytest.mark.slow
def test_a_run_on_the_local_model_replays(local_server: LocalModelServer, tmp_path: Path) -> None:
    scenario, _ = load_scenario("platform_material")
    data = scenario.model_dump(mode="json")
    for tier in data["dispute_ladder"]:
        tier["max_rounds"] = 1
    transcript = tmp_path / "t.jsonl"
    with endpoint_environment(local_server.base_url, local_server.model), Negotiations(tmp_path / "c.sqlite") as runs:
        list(
            runs.start(
                type(scenario).model_validate(data),
                agents={scenario.party_ids[0]: "llm(advisor=choose)", scenario.party_ids[1]: "pareto"},
                seed=5,
                negotiation_id="local",
                transcript=transcript,
                rounds_per_step=1,
            )
        )
    assert any(r.kind == "llm_call" for r in read_records(transcript))
    report = replay(transcript)
    assert report.ok, report.divergences
