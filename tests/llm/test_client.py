"""StructuredClient against a scripted fake endpoint: modes, repair, retry, and the call record."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from pydantic import BaseModel

from agents.llm import LLMCallRecord, LLMConfig, LLMConfigError, StructuredClient, format_event, messages_sha256
from tests.llm.fakes import MESSAGES, FakeClock, Pick, Script, completion, error, make_client, raises


def only_apple(pick: Pick) -> Pick:
    if pick.word != "apple":
        raise ValueError(f"word must be 'apple', got {pick.word!r}")
    return pick


# --- a clean decision and its record -------------------------------------------------------------


def test_valid_reply_is_one_request_and_one_complete_record() -> None:
    script = Script(completion('{"number": 3, "word": "apple"}'))
    events: list[tuple[str, dict[str, Any]]] = []
    client = make_client(script, events=events, temperature=0.2, seed=11, max_tokens=99)

    decision = client.decide(MESSAGES, Pick, only_apple, purpose="p1 turn 3")

    assert decision.ok and decision.value == Pick(number=3, word="apple")
    rec = decision.record
    assert (rec.attempts, rec.repairs, rec.failure, rec.errors) == (1, 0, None, [])
    assert rec.purpose == "p1 turn 3" and rec.provider == "compatible" and rec.base_url_host == "fake.test"
    assert (rec.model_requested, rec.model_answered) == ("test-model", "model-answered-2025")
    assert rec.params.model_dump() == {
        "temperature": 0.2,
        "seed": 11,
        "max_tokens": 99,
        "output_mode": "prompt",
        "strict": False,
    }
    assert (rec.prompt_tokens, rec.completion_tokens, rec.cached_tokens) == (100, 20, 40)
    assert rec.parsed == {"number": 3, "word": "apple"}
    assert rec.messages is not None and rec.messages_sha256 == messages_sha256(rec.messages)
    assert rec.messages == script.bodies[0]["messages"]  # exactly what was sent
    (req,) = rec.requests
    assert (req.n, req.repair, req.status, req.finish_reason, req.system_fingerprint) == (1, 0, 200, "stop", "fp_test")
    assert req.messages_sha256 == rec.messages_sha256 and req.response_text == '{"number": 3, "word": "apple"}'
    assert [name for name, _ in events] == ["request", "response", "done"]
    # the record is plain JSON, round-trips, and never holds the key
    dumped = rec.model_dump_json()
    assert LLMCallRecord.model_validate_json(dumped) == rec
    assert "sk-" not in dumped


def test_messages_hash_is_canonical_json() -> None:
    a = [{"role": "user", "content": "é"}]
    b = [{"content": "é", "role": "user"}]
    assert messages_sha256(a) == messages_sha256(b) != messages_sha256([{"role": "user", "content": "e"}])


def test_record_messages_can_be_left_out() -> None:
    decision = make_client(Script(completion()), record_messages=False).decide(MESSAGES, Pick)
    assert decision.record.messages is None and decision.record.messages_sha256


# --- request bodies per output mode -----------------------------------------------------------------


def test_llamacpp_sends_json_object_with_schema_and_the_schema_in_the_prompt() -> None:
    script = Script(completion())
    make_client(script, provider="llamacpp", base_url="http://127.0.0.1:9/v1").decide(MESSAGES, Pick)
    body = script.bodies[0]
    fmt = body["response_format"]
    assert set(fmt) == {"type", "schema"} and fmt["type"] == "json_object"
    assert fmt["schema"]["required"] == ["number", "word"] and fmt["schema"]["additionalProperties"] is False
    assert fmt["schema"]["properties"]["number"]["maximum"] == 10  # constraints kept for the grammar
    assert body["max_tokens"] == 512 and "max_completion_tokens" not in body
    assert len(body["messages"]) == 2  # instruction joined to the last user turn: roles keep alternating
    assert body["messages"][-1]["content"].startswith(MESSAGES[-1]["content"])
    assert "JSON Schema" in body["messages"][-1]["content"]
    assert script.headers[0]["authorization"] == "Bearer sk-no-key-required"


def test_openai_sends_strict_json_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    script = Script(completion())
    decision = make_client(script, provider="openai", base_url="https://api.example.com/v1", seed=5).decide(
        MESSAGES, Pick
    )
    body = script.bodies[0]
    assert body["response_format"]["type"] == "json_schema"
    spec = body["response_format"]["json_schema"]
    assert spec["name"] == "Pick" and spec["strict"] is True
    schema = spec["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["number", "word"]
    assert "default" not in schema["properties"]["word"] and "maxLength" not in schema["properties"]["word"]
    assert body["messages"] == MESSAGES  # no instruction: the schema travels in response_format
    assert body["max_completion_tokens"] == 512 and body["seed"] == 5 and "max_tokens" not in body
    assert script.headers[0]["authorization"] == "Bearer sk-test-secret"
    assert "sk-test-secret" not in decision.record.model_dump_json()


def test_tools_mode_forces_one_function_and_reads_its_arguments() -> None:
    script = Script(completion(None, finish="tool_calls", tool_args='{"number": 4, "word": "apple"}'))
    decision = make_client(script, output_mode="tools").decide(MESSAGES, Pick)
    body = script.bodies[0]
    (tool,) = body["tools"]
    assert tool["type"] == "function" and tool["function"]["name"] == "Pick"
    assert tool["function"]["parameters"]["required"] == ["number", "word"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Pick"}}
    assert "response_format" not in body
    assert decision.value == Pick(number=4, word="apple")
    assert decision.record.requests[0].response_text == '{"number": 4, "word": "apple"}'


def test_prompt_mode_reads_json_from_a_fenced_reply() -> None:
    reply = 'Sure! Here it is:\n```json\n{"number": 2, "word": "apple"}\n```\nAnything else?'
    script = Script(completion(reply))
    decision = make_client(script).decide(MESSAGES, Pick)
    assert "response_format" not in script.bodies[0] and "tools" not in script.bodies[0]
    assert decision.value == Pick(number=2, word="apple")


def test_open_ended_maps_are_sent_non_strict() -> None:
    class Terms(BaseModel):
        terms: dict[str, int]

    script = Script(completion('{"terms": {"a": 1}}'))
    decision = make_client(script, output_mode="json_schema").decide(MESSAGES, Terms)
    assert script.bodies[0]["response_format"]["json_schema"]["strict"] is False
    assert decision.record.params.strict is False and decision.value == Terms(terms={"a": 1})


# --- repairs ----------------------------------------------------------------------------------------


def test_out_of_schema_reply_is_repaired_with_the_precise_error() -> None:
    script = Script(completion('{"number": 42, "word": "apple"}'), completion('{"number": 7, "word": "apple"}'))
    events: list[tuple[str, dict[str, Any]]] = []
    decision = make_client(script, events=events).decide(MESSAGES, Pick)

    assert decision.value == Pick(number=7, word="apple")
    rec = decision.record
    assert (rec.attempts, rec.repairs) == (2, 1)
    assert rec.errors == ["schema: number: Input should be less than or equal to 10 (got 42)"]
    second = script.bodies[1]["messages"]
    assert second[:-2] == script.bodies[0]["messages"]
    assert second[-2] == {"role": "assistant", "content": '{"number": 42, "word": "apple"}'}
    assert second[-1]["role"] == "user"
    assert "Your reply was invalid: number: Input should be less than or equal to 10 (got 42)" in second[-1]["content"]
    assert "Reply again with only the JSON object" in second[-1]["content"]
    assert [r.repair for r in rec.requests] == [0, 1]
    assert rec.requests[1].messages_sha256 == messages_sha256(second) != rec.messages_sha256
    assert [name for name, _ in events].count("repair") == 1
    assert rec.prompt_tokens == 200  # totals add up over requests


def test_restate_repair_notes_the_error_in_the_original_request() -> None:
    script = Script(completion('{"number": 42, "word": "apple"}'), completion('{"number": 7, "word": "apple"}'))
    client = make_client(script, provider="llamacpp")  # llamacpp repairs by restating
    assert client.config.effective_repair_style == "restate"
    decision = client.decide(MESSAGES, Pick)
    first, second = (body["messages"] for body in script.bodies)
    assert decision.ok and decision.record.repairs == 1
    assert len(second) == len(first) and second[:-1] == first[:-1]  # no assistant turn to copy
    assert second[-1]["content"].startswith(first[-1]["content"])
    note = second[-1]["content"][len(first[-1]["content"]) :]
    assert "A previous reply to this request was invalid: number: Input should be less than or equal to 10" in note
    assert "(got 42)" in note


def test_semantic_validator_error_is_sent_back() -> None:
    script = Script(completion('{"number": 3, "word": "pear"}'), completion('{"number": 3, "word": "apple"}'))
    decision = make_client(script).decide(MESSAGES, Pick, only_apple)
    assert decision.ok and decision.record.errors == ["semantic: word must be 'apple', got 'pear'"]
    assert "word must be 'apple', got 'pear'" in script.bodies[1]["messages"][-1]["content"]


def test_bad_json_is_repaired() -> None:
    script = Script(completion("number three, word apple"), completion('{"number": 3, "word": "apple"}'))
    decision = make_client(script).decide(MESSAGES, Pick)
    assert decision.ok and decision.record.errors[0].startswith("bad_json:")


def test_truncated_output_is_repaired_never_parsed() -> None:
    cut = completion('{"number": 3, "word": "app', finish="length")
    script = Script(cut, completion('{"number": 3, "word": "apple"}'))
    decision = make_client(script, max_tokens=12).decide(MESSAGES, Pick)
    assert decision.ok and decision.record.repairs == 1
    assert decision.record.errors == ["truncated: cut off at the 12-token limit"]
    assert "cut off at the 12-token limit" in script.bodies[1]["messages"][-1]["content"]
    assert decision.record.requests[0].finish_reason == "length"


def test_length_cut_is_invalid_even_if_the_text_parses() -> None:
    script = Script(completion('{"number": 1, "word": ""}', finish="length"), completion('{"number": 9}'))
    decision = make_client(script).decide(MESSAGES, Pick)
    assert decision.value == Pick(number=9)


def test_refusal_field_is_never_read_as_an_answer() -> None:
    refused = completion('{"number": 3, "word": "apple"}', refusal="I can't help with that.")
    script = Script(refused, completion('{"number": 5, "word": "apple"}'))
    decision = make_client(script, output_mode="json_schema").decide(MESSAGES, Pick)
    assert decision.value == Pick(number=5, word="apple")
    assert decision.record.errors[0].startswith("refusal:")
    assert "declined to answer" in script.bodies[1]["messages"][-1]["content"]


def test_refusal_like_text_is_a_refusal() -> None:
    script = Script(completion("I'm sorry, but I cannot help with negotiating that."), completion('{"number": 5}'))
    decision = make_client(script).decide(MESSAGES, Pick)
    assert decision.ok and decision.record.errors[0].startswith("refusal:")


def test_persistent_refusal_ends_in_failure_with_value_none() -> None:
    script = Script(completion(None, refusal="No."), repeat_last=True)
    decision = make_client(script, max_repairs=2).decide(MESSAGES, Pick)
    assert decision.value is None and decision.failure is not None and "refusal" in decision.failure
    assert decision.record.parsed is None


def test_repairs_are_bounded() -> None:
    script = Script(completion('{"number": 0}'), repeat_last=True)
    decision = make_client(script, max_repairs=2).decide(MESSAGES, Pick)
    rec = decision.record
    assert decision.value is None and not decision.ok
    assert (rec.attempts, rec.repairs, len(rec.errors)) == (3, 2, 3)
    assert rec.failure == decision.failure and decision.failure is not None
    assert decision.failure.startswith("invalid output after 2 repairs: schema: number:")


def test_no_repairs_when_max_repairs_is_zero() -> None:
    script = Script(completion('{"number": 0}'), repeat_last=True)
    decision = make_client(script, max_repairs=0).decide(MESSAGES, Pick)
    assert decision.record.attempts == 1 and decision.record.repairs == 0 and not decision.ok


# --- transient faults ---------------------------------------------------------------------------------


def test_429_burst_honours_retry_after() -> None:
    limited = error(429, "slow down", code="rate_limit_exceeded", headers={"retry-after": "2"})
    script = Script(limited, limited, limited, completion())
    clock = FakeClock()
    events: list[tuple[str, dict[str, Any]]] = []
    decision = make_client(script, clock, events=events).decide(MESSAGES, Pick)
    assert decision.ok
    assert clock.sleeps == [2.0, 2.0, 2.0]
    rec = decision.record
    assert rec.attempts == 4 and rec.repairs == 0
    assert [r.status for r in rec.requests] == [429, 429, 429, 200]
    assert [r.retry_wait_s for r in rec.requests] == [2.0, 2.0, 2.0, None]
    assert rec.requests[0].error is not None and rec.requests[0].error.startswith("RateLimitError 429")
    retries = [data for name, data in events if name == "retry"]
    assert [d["wait_s"] for d in retries] == [2.0, 2.0, 2.0]
    assert format_event("retry", retries[0]).startswith("retry in 2.0 s: RateLimitError 429")


def test_retry_after_ms_takes_precedence() -> None:
    limited = error(429, headers={"retry-after-ms": "1500", "retry-after": "9"})
    clock = FakeClock()
    decision = make_client(Script(limited, completion()), clock).decide(MESSAGES, Pick)
    assert decision.ok and clock.sleeps == [1.5]


def test_retry_after_beyond_the_time_budget_gives_up_without_waiting() -> None:
    clock = FakeClock()
    script = Script(error(429, headers={"retry-after": "120"}), completion())
    decision = make_client(script, clock, max_retry_seconds=60).decide(MESSAGES, Pick)
    assert decision.value is None and clock.sleeps == [] and decision.record.attempts == 1
    assert decision.failure is not None and decision.failure.startswith("transient fault not resolved after 1")


def test_5xx_then_success_uses_exponential_backoff_with_jitter() -> None:
    clock = FakeClock()
    script = Script(error(500), error(503), error(502), completion())
    decision = make_client(script, clock).decide(MESSAGES, Pick)
    assert decision.ok and decision.record.attempts == 4
    first, second, third = clock.sleeps
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 1.5 and 2.0 <= third <= 2.5


def test_timeouts_connection_errors_and_malformed_bodies_are_retried() -> None:
    garbled = httpx2.Response(200, content=b'{"id": "x", "choices": [', headers={"content-type": "application/json"})
    no_choices = httpx2.Response(200, json={"object": "chat.completion", "choices": []})
    script = Script(
        raises(httpx2.ReadTimeout), raises(httpx2.ConnectError), garbled, no_choices, completion(), repeat_last=False
    )
    decision = make_client(script, max_attempts=5).decide(MESSAGES, Pick)
    assert decision.ok
    errors = [r.error or "" for r in decision.record.requests]
    assert errors[0].startswith("APITimeoutError") and errors[1].startswith("APIConnectionError")
    assert errors[2].startswith("MalformedResponse") and errors[3].startswith("MalformedResponse")
    assert decision.record.requests[2].response_text == '{"id": "x", "choices": ['
    assert decision.record.attempts == 5


def test_attempts_are_bounded_and_decide_does_not_raise() -> None:
    clock = FakeClock()
    script = Script(error(503), repeat_last=True)
    decision = make_client(script, clock, max_attempts=3).decide(MESSAGES, Pick)
    assert decision.value is None and decision.record.attempts == 3 == len(script.bodies)
    assert len(clock.sleeps) == 2
    assert decision.failure is not None and "after 3 attempt(s)" in decision.failure


def test_total_retry_time_is_bounded() -> None:
    clock = FakeClock()
    script = Script(error(503), repeat_last=True)
    decision = make_client(script, clock, max_attempts=1000, max_retry_seconds=10).decide(MESSAGES, Pick)
    assert not decision.ok and sum(clock.sleeps) <= 10
    assert 3 <= decision.record.attempts < 20


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    clock = FakeClock()
    script = Script(error(status, "nope"), completion())
    decision = make_client(script, clock).decide(MESSAGES, Pick)
    assert decision.value is None and decision.record.attempts == 1 and clock.sleeps == []
    assert decision.failure is not None and decision.failure.startswith("request failed (not retried)")
    assert decision.record.requests[0].status == status


def test_insufficient_quota_is_not_retried() -> None:
    clock = FakeClock()
    quota = error(429, "You exceeded your current quota", code="insufficient_quota", headers={"retry-after": "1"})
    decision = make_client(Script(quota, completion()), clock).decide(MESSAGES, Pick)
    assert decision.value is None and decision.record.attempts == 1 and clock.sleeps == []


def test_llama_cpp_request_validation_500_is_not_retried() -> None:
    body = "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type')}"
    rejected = httpx2.Response(500, json={"error": {"message": body, "type": "internal_server_error"}})
    clock = FakeClock()
    decision = make_client(Script(rejected, completion()), clock).decide(MESSAGES, Pick)
    assert decision.record.attempts == 1 and clock.sleeps == [] and not decision.ok


def test_retry_budget_is_per_request_and_repairs_get_their_own() -> None:
    clock = FakeClock()
    script = Script(error(503), completion('{"number": 0}'), error(503), completion('{"number": 1}'))
    decision = make_client(script, clock, max_attempts=2).decide(MESSAGES, Pick)
    assert decision.ok and decision.record.repairs == 1 and decision.record.attempts == 4
    assert [r.repair for r in decision.record.requests] == [0, 0, 1, 1]


def test_one_record_per_decision_over_many_calls() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    steps = [completion('{"number": 0}'), completion(), error(503), completion(), completion()]
    script = Script(*steps)
    client = make_client(script, events=events)
    decisions = [client.decide(MESSAGES, Pick, purpose=f"call {i}") for i in range(3)]
    assert [name for name, _ in events].count("done") == 3
    assert sum(d.record.attempts for d in decisions) == len(script.bodies) == 5
    assert [d.record.purpose for d in decisions] == ["call 0", "call 1", "call 2"]
    assert all(d.ok for d in decisions)


# --- configuration ------------------------------------------------------------------------------------


def test_openai_without_a_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_KEY", raising=False)
    with pytest.raises(LLMConfigError, match="MY_KEY"):
        StructuredClient(LLMConfig(model="gpt-4o-mini", api_key_env="MY_KEY"))


def test_key_is_read_from_the_named_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTY_A_KEY", "sk-party-a")
    script = Script(completion())
    make_client(script, provider="openai", api_key_env="PARTY_A_KEY").decide(MESSAGES, Pick)
    assert script.headers[0]["authorization"] == "Bearer sk-party-a"


def test_progress_lines() -> None:
    assert format_event("request", {"purpose": "p1", "model": "m", "n": 2, "repair": 1}) == (
        "[p1] calling m… (request 2, repair 1)"
    )
    assert format_event("repair", {"repair": 1, "error": "schema: x"}) == "repair 1: schema: x"
    assert format_event("done", {"ok": False, "failure": "boom"}) == "failed: boom"
    line = format_event("response", {"latency_s": 1.25, "completion_tokens": 9, "finish_reason": "stop"})
    assert line == "reply in 1.2 s (9 tokens, finish: stop)"


def test_parsed_holds_the_validated_value_as_json() -> None:
    def to_tuple(pick: Pick) -> tuple[int, str]:
        return (pick.number, pick.word)

    decision = make_client(Script(completion())).decide(MESSAGES, Pick, to_tuple)
    assert decision.value == (3, "apple") and decision.record.parsed == [3, "apple"]
    json.dumps(decision.record.model_dump(mode="json"))
