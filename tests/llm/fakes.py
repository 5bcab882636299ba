"""A scripted OpenAI-compatible endpoint on `httpx2.MockTransport`, and a fake clock for backoff."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
from pydantic import BaseModel, Field

from agents.llm import LLMConfig, StructuredClient

Step = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


class Pick(BaseModel):
    """A number and a word."""

    number: int = Field(ge=1, le=10, description="between 1 and 10")
    word: str = Field(default="", max_length=40)


def completion(
    content: str | None = '{"number": 3, "word": "apple"}',
    *,
    finish: str = "stop",
    refusal: str | None = None,
    tool_args: str | None = None,
    model: str = "model-answered-2025",
    usage: tuple[int, int, int] = (100, 20, 40),
) -> httpx2.Response:
    """A 200 chat completion with one choice."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if tool_args is not None:
        message["tool_calls"] = [
            {"id": "call_1", "type": "function", "function": {"name": "Pick", "arguments": tool_args}}
        ]
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "system_fingerprint": "fp_test",
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
            "prompt_tokens_details": {"cached_tokens": usage[2]},
        },
    }
    return httpx2.Response(200, json=body)


def error(
    status: int, message: str = "boom", *, code: str | None = None, headers: dict[str, str] | None = None
) -> Step:
    body = {"error": {"message": message, "type": code or "server_error", "code": code}}
    return httpx2.Response(status, json=body, headers=headers)


def raises(exc_type: type[Exception]) -> Step:
    def step(request: httpx2.Request) -> httpx2.Response:
        raise exc_type("injected", request=request)  # type: ignore[call-arg]

    return step


class Script:
    """Answers each request with the next step; records the JSON bodies and headers it received."""

    def __init__(self, *steps: Step, repeat_last: bool = False) -> None:
        self.steps = list(steps)
        self.repeat_last = repeat_last
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[httpx2.Headers] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(json.loads(request.content))
        self.headers.append(request.headers)
        step = self.steps[0] if self.repeat_last and len(self.steps) == 1 else self.steps.pop(0)
        return step(request) if callable(step) else step


class FakeClock:
    """Monotonic time that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(
    script: Script,
    clock: FakeClock | None = None,
    events: list[tuple[str, dict[str, Any]]] | None = None,
    **config: Any,
) -> StructuredClient:
    clock = clock or FakeClock()
    settings: dict[str, Any] = {"provider": "compatible", "base_url": "http://fake.test/v1", "model": "test-model"}
    settings.update(config)
    return StructuredClient(
        LLMConfig(**settings),
        http_client=httpx2.Client(transport=httpx2.MockTransport(script)),
        on_event=(lambda name, data: events.append((name, data))) if events is not None else None,
        sleep=clock.sleep,
        clock=clock,
    )


MESSAGES = [
    {"role": "system", "content": "You pick numbers."},
    {"role": "user", "content": "Pick a number between 1 and 10 and a fruit."},
]
