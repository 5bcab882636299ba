"""End to end against the real llama.cpp server and the real Gemma 3 270M model (marker `llm`).

Guarantees only, never the model's quality: the repair path runs because a wrapper corrupts every first
reply (`corrupting_client`), not because the tiny model happens to err. Seeds are fixed so a run is
repeatable on one build.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import httpx2
import pytest
from pydantic import BaseModel, Field

from agents.llm import Decision, LocalModelServer, StructuredClient

pytestmark = [pytest.mark.llm, pytest.mark.slow]


class Pick(BaseModel):
    """A number and a word, as asked."""

    number: int = Field(description="the integer asked for")
    word: str = Field(description="the word asked for")


# (low, high, word): Gemma 270M answers some right at once and gets others wrong (it often says 1 or 10)
CASES = [(40, 45, "apple"), (70, 75, "plum"), (12, 15, "pear"), (3, 5, "apple"), (90, 99, "lemon")]


def ask(lo: int, hi: int, word: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You fill in forms exactly as asked."},
        {"role": "user", "content": f"Give a number between {lo} and {hi}, and the word {word}."},
    ]


def in_range(lo: int, hi: int, word: str) -> Callable[[Pick], Pick]:
    def check(pick: Pick) -> Pick:
        problems = []
        if not lo <= pick.number <= hi:
            problems.append(f"number must be between {lo} and {hi} inclusive, got {pick.number}")
        if pick.word.strip().lower() != word:
            problems.append(f"word must be {word!r}, got {pick.word!r}")
        if problems:
            example = json.dumps({"number": (lo + hi) // 2, "word": word})
            raise ValueError(f"{'; '.join(problems)}; for example {example} would be valid")
        return pick

    return check


def assert_recorded(decision: Decision[Pick]) -> None:
    """A valid value, or a recorded failure, and a record with usage filled for every request."""
    rec = decision.record
    assert (decision.value is not None) != (decision.failure is not None)
    assert rec.attempts == len(rec.requests) >= 1 and rec.model_answered
    for req in rec.requests:
        assert req.status == 200 and req.error is None
        assert req.prompt_tokens > 0 and req.completion_tokens > 0 and req.latency_s > 0
        assert req.response_text
    assert rec.prompt_tokens == sum(r.prompt_tokens for r in rec.requests)
    if decision.failure:
        assert rec.errors and rec.parsed is None
    else:
        assert decision.value is not None
        assert rec.parsed == {"number": decision.value.number, "word": decision.value.word}


def test_server_serves_the_bundled_model(local_server: LocalModelServer) -> None:
    assert local_server.running and local_server.model == "gemma-3-270m"
    assert local_server.base_url.startswith("http://127.0.0.1:")


def test_structured_decision_end_to_end(local_server: LocalModelServer) -> None:
    client = StructuredClient(local_server.config(seed=7, max_tokens=48, max_repairs=1))
    decision = client.decide(ask(40, 45, "apple"), Pick, in_range(40, 45, "apple"), purpose="e2e")
    assert_recorded(decision)
    assert decision.record.params.output_mode == "json_object"


def test_tools_mode_works_on_llama_cpp(local_server: LocalModelServer) -> None:
    client = StructuredClient(local_server.config(seed=7, max_tokens=48, max_repairs=0, output_mode="tools"))
    decision = client.decide(ask(40, 45, "apple"), Pick)
    assert decision.ok and decision.record.requests[0].finish_reason == "tool_calls"


def test_system_prompt_reaches_the_model(local_server: LocalModelServer) -> None:
    """llama-cpp-python's built-in gemma format drops system messages; the launcher's template keeps them."""
    client = StructuredClient(local_server.config(seed=7, max_tokens=32, max_repairs=0))
    user_only = ask(3, 5, "apple")[1:]
    long_system = {"role": "system", "content": "You are a careful assistant. " * 20}
    plain = client.decide(user_only, Pick).record.prompt_tokens
    with_system = client.decide([long_system, *user_only], Pick).record.prompt_tokens
    assert with_system - plain >= 100


CORRUPT = '{"number": 0, "word": "none"}'
"""Well-formed, always invalid for every case (0 is in no range): what the wrapper answers first."""


def corrupting_client(server: LocalModelServer, **config: object) -> tuple[StructuredClient, list[str]]:
    """A client whose first reply to every decision is `CORRUPT` (a wrapper in front of the real server),
    while each repair request goes to the real model: the repair path runs deterministically, not because
    the model happens to err. Returns the client and the list of requests the real model answered."""
    real = httpx2.Client(timeout=300)
    forwarded: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        texts = [str(m.get("content") or "") for m in body["messages"]]
        if not any("was invalid" in t for t in texts):  # a first ask: corrupt it, never ask the model
            usage = {"prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62}
            message = {"role": "assistant", "content": CORRUPT}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            return httpx2.Response(
                200,
                json={"id": "c", "object": "chat.completion", "created": 0, "model": body["model"],
                      "choices": [choice], "usage": usage},
            )  # fmt: skip
        forwarded.append(texts[-1])
        answer = real.post(f"{server.base_url}/chat/completions", content=request.content,
                           headers={"Content-Type": "application/json"})  # fmt: skip
        return httpx2.Response(answer.status_code, content=answer.content, headers={"Content-Type": "application/json"})

    client = StructuredClient(
        server.config(**config), http_client=httpx2.Client(transport=httpx2.MockTransport(handle), timeout=300)
    )
    return client, forwarded


def test_repair_path_is_exercised_deterministically(local_server: LocalModelServer) -> None:
    """Every first reply is corrupted by a wrapper; the repair request, with the validation error noted in it
    (llamacpp repairs "restate" the request), goes to the real model. Guarantees only: every decision was
    repaired, the real model answered each repair, and a decision ends valid or failed, never both. Whether
    the model fixes its reply is its quality: printed, not asserted."""
    client, forwarded = corrupting_client(local_server, seed=7, temperature=0.3, max_tokens=48, max_repairs=1)
    decisions = [client.decide(ask(*case), Pick, in_range(*case), purpose=str(case)) for case in CASES[:3]]
    for decision, case in zip(decisions, CASES, strict=False):
        assert_recorded(decision)
        record = decision.record
        assert record.repairs == 1 and len(record.requests) == 2
        first, repair = record.requests
        assert first.response_text == CORRUPT and record.errors and "between" in record.errors[0]
        assert repair.repair == 1 and repair.messages_sha256 != record.messages_sha256
        assert repair.model == "gemma-3-270m", "the repair was answered by the real model"
        if decision.ok:
            assert decision.value is not None and in_range(*case)(decision.value) == decision.value
        else:
            assert decision.failure
    assert len(forwarded) == len(decisions)
    assert all("was invalid" in text and "between" in text for text in forwarded), "the error reaches the model"
    fixed = sum(d.ok for d in decisions)
    print(f"\nlocal model: {fixed}/{len(decisions)} corrupted first replies fixed by one repair")


def test_server_stops_on_exit() -> None:
    with LocalModelServer(startup_timeout=60) as server:
        port = server.base_url.rsplit(":", 1)[1].split("/")[0]
        assert server.running
    assert not server.running
    probe = f"import socket; s = socket.socket(); s.settimeout(1); print(s.connect_ex(('127.0.0.1', {port})))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip() != "0"
