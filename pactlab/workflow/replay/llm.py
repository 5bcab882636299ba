"""A replay's model: every model call is answered with the reply the transcript records, and no model is called.

`RecordedResponses` holds every HTTP reply of the recorded model calls (`llm_call` records), keyed
by the hash of the messages they answered; `ReplayClient`, the LLM agents' client during a replay,
sends its requests to them through the real OpenAI SDK (an `httpx2.MockTransport`), so the reply is
read, parsed, validated, repaired and guarded by the same code as in the run, and no model is called.
"""

from __future__ import annotations

import ast
import os
import re
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx2
from openai.types.chat import ChatCompletion

from agents.llm.client import StructuredClient
from agents.llm.config import LLMConfig
from agents.llm.records import LLMCallRecord, messages_sha256
from pactlab.workflow.replay.errors import ReplayStop


@dataclass(frozen=True)
class Served:
    """One recorded HTTP reply: the request record, its line, and whether the model refused in it."""

    line: int
    request: dict[str, Any]
    refusal: bool


class RecordedResponses:
    """Every recorded model reply, by the SHA-256 of the messages it answered, in the order they came."""

    def __init__(self, calls: list[tuple[int, dict[str, Any]]]) -> None:
        self._by_prompt: dict[str, deque[Served]] = defaultdict(deque)
        for line, data in calls:
            call = data.get("call")
            if not isinstance(call, Mapping):
                continue
            errors = [str(e) for e in call.get("errors") or []]
            answered = 0  # the replies that came back as completions: each was refused, invalid, or taken
            for request in call.get("requests") or []:
                refusal = False
                if isinstance(request, Mapping) and not request.get("error"):
                    refusal = answered < len(errors) and errors[answered].startswith("refusal:")
                    answered += 1
                if isinstance(request, Mapping):
                    self._by_prompt[str(request.get("messages_sha256"))].append(Served(line, dict(request), refusal))
        self.served: list[int] = []
        self._first: dict[str, list[dict[str, str]]] = {}  # purpose -> the first recorded messages, for diagnosis
        for _, data in calls:
            call = data.get("call")
            if isinstance(call, Mapping) and isinstance(call.get("messages"), list):
                self._first.setdefault(str(call.get("purpose")), call["messages"])

    def where_it_differs(self, purpose: str, messages: list[dict[str, str]]) -> str:
        """Where `messages` first differ from the recorded first request of the call with the same purpose."""
        recorded = self._first.get(purpose)
        if recorded is None:
            return "no recorded call has this purpose"
        for n, (a, b) in enumerate(zip(recorded, messages, strict=False)):
            if a != b:
                old, new = str(a.get("content", "")).splitlines(), str(b.get("content", "")).splitlines()
                at = next(
                    (k for k, (x, y) in enumerate(zip(old, new, strict=False)) if x != y), min(len(old), len(new))
                )
                was = old[at] if at < len(old) else "(end)"
                now = new[at] if at < len(new) else "(end)"
                return f"message {n + 1}, line {at + 1}: recorded {was[:100]!r}, now {now[:100]!r}"
        return f"the recorded first request has {len(recorded)} messages, now {len(messages)}"

    @property
    def left(self) -> int:
        return sum(len(q) for q in self._by_prompt.values())

    def has(self, prompt_sha256: str) -> bool:
        return bool(self._by_prompt.get(prompt_sha256))

    def take(self, prompt_sha256: str) -> Served:
        served = self._by_prompt[prompt_sha256].popleft()
        self.served.append(served.line)
        return served


_STATUS_MESSAGE = re.compile(r"^[A-Za-z]+Error (\d{3}): Error code: \d{3} - (.*)$", re.DOTALL)


def _response(served: Served, request: httpx2.Request, config: LLMConfig, schema: str) -> httpx2.Response:
    """The HTTP reply the endpoint gave, rebuilt from its record."""
    rec = served.request
    error = str(rec.get("error") or "")
    if error.startswith("MalformedResponse"):
        return httpx2.Response(
            200, text=str(rec.get("response_text") or ""), headers={"content-type": "application/json"}
        )
    if error:
        status = rec.get("status")
        if not isinstance(status, int):
            if "Timeout" in error:
                raise httpx2.ReadTimeout("replayed timeout", request=request)
            raise httpx2.ConnectError("replayed connection error", request=request)
        found = _STATUS_MESSAGE.match(error)
        said = found.group(2) if found else error
        try:
            body = ast.literal_eval(said)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            body = None
        if not isinstance(body, dict):
            body = {"error": {"message": said, "code": "insufficient_quota" if "quota" in said else None}}
        return httpx2.Response(status, json=body)
    text = str(rec.get("response_text") or "")
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if served.refusal:
        message = {"role": "assistant", "content": None, "refusal": text}
    elif config.effective_output_mode == "tools":
        function = {"name": schema, "arguments": text}
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "replay", "type": "function", "function": function}],
        }
    prompt, completion = int(rec.get("prompt_tokens") or 0), int(rec.get("completion_tokens") or 0)
    body = {
        "id": "replay",
        "object": "chat.completion",
        "created": 0,
        "model": rec.get("model") or "",
        "system_fingerprint": rec.get("system_fingerprint"),
        "choices": [{"index": 0, "message": message, "finish_reason": rec.get("finish_reason") or "stop"}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": int(rec.get("cached_tokens") or 0)},
        },
    }
    return httpx2.Response(int(rec.get("status") or 200), json=body)


class ReplayClient(StructuredClient):
    """A `StructuredClient` whose endpoint is the transcript: each request gets the recorded reply to the
    same messages; time passes as recorded (no real waits); a request no recorded reply answers stops the replay.

    The retry waits are drawn with jitter, so a retry decided by the time budget within a jitter's width of
    its end may fall the other way: the replay then names the call."""

    def __init__(self, config: LLMConfig, responses: RecordedResponses) -> None:
        self._responses = responses
        self._schema = ""
        self._elapsed = 0.0  # a clock that moves as the run's did: each reply's recorded latency, each wait
        transport = httpx2.MockTransport(self._serve)
        placeholder = not os.environ.get(config.api_key_env)
        if placeholder:  # no key is needed to talk to a transcript; the SDK insists on one
            os.environ[config.api_key_env] = "replay-needs-no-key"
        try:
            super().__init__(config, http_client=httpx2.Client(transport=transport), sleep=self._wait, clock=self._now)
        finally:
            if placeholder:
                os.environ.pop(config.api_key_env, None)

    def _attempt(self, body: dict[str, Any], record: LLMCallRecord, repair: int) -> ChatCompletion:
        prompt = messages_sha256(body["messages"])
        if not self._responses.has(prompt):
            if self._responses.left == 0:
                raise ReplayStop(f"the model is asked again ({record.purpose}); the transcript records no more replies")
            where = self._responses.where_it_differs(record.purpose, body["messages"])
            raise ReplayStop(
                f"the model is asked ({record.purpose}) with messages no recorded call sent (sha256 {prompt[:12]}…): "
                f"the prompt differs from the recorded one ({where})"
            )
        self._schema = record.schema_name
        return super()._attempt(body, record, repair)

    def _now(self) -> float:
        return self._elapsed

    def _wait(self, seconds: float) -> None:
        self._elapsed += seconds

    def _serve(self, request: httpx2.Request) -> httpx2.Response:
        import json

        body = json.loads(request.content)
        served = self._responses.take(messages_sha256(body["messages"]))
        # the retry policy's time budget sees the time the run saw (a request that timed out after 120 s
        # was not retried under a 60 s budget), not the instant a transcript answers in
        self._elapsed += float(served.request.get("latency_s") or 0.0)
        return _response(served, request, self.config, self._schema)
