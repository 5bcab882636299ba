"""End to end against the real llama.cpp server and the real Gemma 3 270M model (marker `llm`).

The tiny model's grammar-constrained JSON is always well-formed but often wrong (a number out of range),
so the repair path runs for real here. Seeds are fixed so a run is repeatable on one build.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

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


def test_repair_path_is_exercised_for_real(local_server: LocalModelServer) -> None:
    client = StructuredClient(local_server.config(seed=7, temperature=0.3, max_tokens=48, max_repairs=1))
    decisions = [client.decide(ask(*case), Pick, in_range(*case), purpose=str(case)) for case in CASES]
    for decision in decisions:
        assert_recorded(decision)
    repairs = sum(d.record.repairs for d in decisions)
    first_try = sum(d.ok and not d.record.repairs for d in decisions)
    fixed = sum(d.ok and d.record.repairs > 0 for d in decisions)
    print(f"\nlocal model: {first_try}/{len(decisions)} valid at once, {fixed} fixed by {repairs} repairs")
    assert repairs >= 1, "the tiny model was expected to fail validation at least once"
    assert first_try >= 1, "the tiny model was expected to get at least one answer right at once"
    # llamacpp repairs "restate" the request with the error (and the validator's example) noted in it
    assert fixed >= 1, "a repair was expected to succeed at least once"
    for decision in decisions:
        if decision.record.repairs:
            last = decision.record.requests[-1]
            assert last.repair == decision.record.repairs and last.messages_sha256 != decision.record.messages_sha256


def test_server_stops_on_exit() -> None:
    with LocalModelServer(startup_timeout=60) as server:
        port = server.base_url.rsplit(":", 1)[1].split("/")[0]
        assert server.running
    assert not server.running
    probe = f"import socket; s = socket.socket(); s.settimeout(1); print(s.connect_ex(('127.0.0.1', {port})))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip() != "0"
