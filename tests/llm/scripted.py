"""A scripted OpenAI-compatible endpoint behind the real SDK (httpx2.MockTransport): fast tests of the
LLM negotiator's own logic. The real local model is exercised in test_local_model.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2

from agents.llm import LLMConfig, StructuredClient

Reply = dict[str, Any] | str | Callable[[dict[str, Any]], dict[str, Any] | str]


def completion(content: str, model: str = "scripted-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


@dataclass
class ScriptedEndpoint:
    """Answers each chat request with the next scripted reply (a dict is sent as JSON text); records requests."""

    replies: Iterator[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        reply = next(self.replies)
        if callable(reply):
            reply = reply(body)
        text = reply if isinstance(reply, str) else json.dumps(reply)
        return httpx2.Response(200, json=completion(text))

    def client_factory(self, config: LLMConfig) -> StructuredClient:
        return StructuredClient(config, http_client=httpx2.Client(transport=httpx2.MockTransport(self.handle)))

    def prompts(self) -> list[str]:
        """Every message text sent, all requests."""
        return [m["content"] for body in self.requests for m in body["messages"]]


def scripted(*replies: Reply, repeat_last: bool = True) -> ScriptedEndpoint:
    def cycle() -> Iterator[Reply]:
        yield from replies
        while repeat_last:
            yield replies[-1]

    return ScriptedEndpoint(cycle())


def step_of(body: dict[str, Any]) -> str:
    """Which reply a request asks for: ``decision`` or ``terms`` (a two-step turn), else ``one``."""
    text = json.dumps(body)
    return "decision" if "DecisionReply" in text else "terms" if "TermsChoice" in text else "one"


def answer(
    action: str = "propose", candidate: int = 1, message: str = "", rationale: str = "Closer.", reason: str = ""
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The same move in whatever shape the request asks: a one-step `ChoiceReply`, or a two-step turn's
    decision (propose becomes counter) and terms."""

    def reply(body: dict[str, Any]) -> dict[str, Any]:
        step = step_of(body)
        if step == "decision":
            decision = "counter" if action == "propose" else action
            return {"decision": decision, "message": message, "reason": reason or rationale}
        if step == "terms":
            return {"candidate": candidate, "message": message, "rationale": rationale}
        return {"action": action, "candidate": candidate, "message": message, "rationale": rationale, "reason": reason}

    return reply
