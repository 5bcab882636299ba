"""Structured decisions from any OpenAI-compatible chat endpoint: `StructuredClient.decide` and its `Decision`.

`decide` asks the model for one JSON object in the endpoint's structured-output mode, validates it
with a pydantic model and the caller's semantic check, sends invalid replies back with the precise
error (bounded repairs, `agents.llm.repair`), retries transient HTTP faults with tenacity
(`agents.llm.retry`; the SDK's own retries are off, so nothing is retried twice), and never raises
for model or network trouble: it returns a `Decision` whose `record` (`agents.llm.records`) says
everything that happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload
from urllib.parse import urlsplit

import httpx2
import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, JsonValue
from pydantic_core import to_jsonable_python
from tenacity import RetryCallState

from agents.llm.config import LLMConfig, OutputMode
from agents.llm.records import (
    RESPONSE_TEXT_LIMIT,
    CallParams,
    LLMCallRecord,
    RequestRecord,
    messages_sha256,
    record_usage,
    total_usage,
)
from agents.llm.repair import InvalidReply, interpret, repaired, reply_text, with_note
from agents.llm.retry import MalformedResponse, describe_error, is_transient, retrying
from agents.llm.schema import prompt_instruction, schema_name, strict_schema

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

EventHandler = Callable[[str, dict[str, Any]], None]
"""Progress callback: event name ("request", "response", "retry", "repair", "done") and its data."""


@dataclass(frozen=True)
class Decision(Generic[T]):
    """The validated value, or None with `failure` saying why (the caller falls back); always one record."""

    value: T | None
    failure: str | None
    record: LLMCallRecord

    @property
    def ok(self) -> bool:
        return self.failure is None


def _host(url: str | None) -> str:
    """host[:port] of the endpoint, never credentials or paths (None: the SDK's OpenAI default)."""
    if not url:
        return "api.openai.com"
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""


class StructuredClient:
    """An OpenAI-compatible chat client that returns validated pydantic objects (see module docstring).

    `http_client` lets tests inject an `httpx2.Client(transport=httpx2.MockTransport(...))`; `sleep` and
    `clock` let them observe backoff without waiting. Raises `LLMConfigError` at construction when the
    configuration cannot work (e.g. provider openai without an API key).
    """

    def __init__(
        self,
        config: LLMConfig,
        *,
        http_client: httpx2.Client | None = None,
        on_event: EventHandler | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.on_event = on_event
        self._sleep = sleep
        self._clock = clock
        self._base_url = config.resolved_base_url()
        self._client = openai.OpenAI(
            api_key=config.resolve_api_key(),
            base_url=self._base_url,
            max_retries=0,  # tenacity owns retries
            timeout=config.timeout_seconds,
            http_client=http_client,
        )

    @overload
    def decide(
        self, messages: list[dict[str, str]], schema: type[M], validate: None = None, *, purpose: str = ""
    ) -> Decision[M]: ...

    @overload
    def decide(
        self, messages: list[dict[str, str]], schema: type[M], validate: Callable[[M], T], *, purpose: str = ""
    ) -> Decision[T]: ...

    def decide(
        self,
        messages: list[dict[str, str]],
        schema: type[M],
        validate: Callable[[M], Any] | None = None,
        *,
        purpose: str = "",
    ) -> Decision[Any]:
        """Ask for one `schema` object, check it with `validate` (raise ValueError to reject), repair, retry.

        Returns a Decision with the validated value, or with `value=None` and `failure` set when the
        model kept failing validation, refused, or the endpoint failed (transient faults exhausted or a
        non-transient HTTP error). Exactly one `LLMCallRecord` per call, in `decision.record`.
        """
        started = time.perf_counter()
        cfg = self.config
        mode = cfg.effective_output_mode
        convo = first = self._initial_messages(messages, schema, mode)
        extra, strict = self._output_params(schema, mode)
        record = LLMCallRecord(
            purpose=purpose,
            provider=cfg.provider,
            base_url_host=_host(self._base_url),
            model_requested=cfg.model,
            params=CallParams(
                temperature=cfg.temperature, seed=cfg.seed, max_tokens=cfg.max_tokens, output_mode=mode, strict=strict
            ),
            schema_name=schema_name(schema),
            messages_sha256=messages_sha256(convo),
            messages=[dict(m) for m in convo] if cfg.record_messages else None,
        )
        value: Any = None
        failure: str | None = None
        for repair in range(cfg.max_repairs + 1):
            try:
                completion = self._send(convo, extra, record, repair)
            except (openai.OpenAIError, MalformedResponse) as exc:
                failure = self._http_failure(exc, record)
                break
            choice = completion.choices[0]
            text = reply_text(choice, mode)
            try:
                value = interpret(choice, text, schema, validate, max_tokens=cfg.max_tokens)
            except InvalidReply as bad:
                record.errors.append(str(bad))
                if repair == cfg.max_repairs:
                    failure = f"invalid output after {cfg.max_repairs} repairs: {bad}"
                    break
                record.repairs += 1
                self._emit("repair", {"purpose": purpose, "repair": record.repairs, "error": str(bad)})
                reply = text or choice.message.refusal or "(empty reply)"
                convo = repaired(cfg.effective_repair_style, first, convo, reply, bad)
                continue
            record.parsed = self._jsonable(value)
            break
        record.failure = failure
        record.latency_s = round(time.perf_counter() - started, 6)
        record.attempts = len(record.requests)
        total_usage(record)
        self._emit(
            "done",
            {
                "purpose": purpose,
                "ok": failure is None,
                "failure": failure,
                "attempts": record.attempts,
                "repairs": record.repairs,
                "latency_s": record.latency_s,
            },
        )
        return Decision(value=None if failure else value, failure=failure, record=record)

    # --- request building -------------------------------------------------------------------------

    @staticmethod
    def _initial_messages(
        messages: list[dict[str, str]], schema: type[BaseModel], mode: OutputMode
    ) -> list[dict[str, str]]:
        """The caller's messages; in prompt/json_object modes the schema instruction joins the last user turn
        (a separate user message would break chat templates that require alternating roles, e.g. Gemma's)."""
        if mode in ("prompt", "json_object"):
            return with_note(messages, prompt_instruction(schema))
        return [dict(m) for m in messages]

    def _output_params(self, schema: type[BaseModel], mode: OutputMode) -> tuple[dict[str, Any], bool]:
        """The request fields that select structured output, and whether the schema is strict."""
        name = schema_name(schema)
        if mode == "json_schema":
            body, strict = strict_schema(schema)
            fmt = {"type": "json_schema", "json_schema": {"name": name, "schema": body, "strict": strict}}
            return {"response_format": fmt}, strict
        if mode == "tools":
            body, strict = strict_schema(schema)
            function: dict[str, Any] = {"name": name, "parameters": body, "strict": strict}
            if schema.__doc__:
                function["description"] = schema.__doc__.strip()
            return {
                "tools": [{"type": "function", "function": function}],
                "tool_choice": {"type": "function", "function": {"name": name}},
            }, strict
        if mode == "json_object":
            # llama-cpp-python turns this schema into a grammar; OpenAI ignores it and sees the instruction.
            body, _ = strict_schema(schema, strip_unsupported=False)
            return {"response_format": {"type": "json_object", "schema": body}}, False
        return {}, False

    def _body(self, convo: list[dict[str, str]], extra: dict[str, Any]) -> dict[str, Any]:
        cfg = self.config
        body: dict[str, Any] = {"model": cfg.model, "messages": convo, "temperature": cfg.temperature, **extra}
        # OpenAI's newer models reject `max_tokens`; compatible servers (llama.cpp, vLLM...) know only it.
        body["max_completion_tokens" if cfg.provider == "openai" else "max_tokens"] = cfg.max_tokens
        if cfg.seed is not None:
            body["seed"] = cfg.seed
        return body

    # --- one request, with transient retries ------------------------------------------------------

    def _send(
        self, convo: list[dict[str, str]], extra: dict[str, Any], record: LLMCallRecord, repair: int
    ) -> ChatCompletion:
        body = self._body(convo, extra)

        def before_sleep(state: RetryCallState) -> None:
            last = record.requests[-1]
            last.retry_wait_s = round(state.upcoming_sleep, 3)
            self._emit(
                "retry", {"purpose": record.purpose, "n": last.n, "wait_s": last.retry_wait_s, "error": last.error}
            )

        policy = retrying(
            max_attempts=self.config.max_attempts,
            max_seconds=self.config.max_retry_seconds,
            sleep=self._sleep,
            clock=self._clock,
            before_sleep=before_sleep,
        )
        return policy(self._attempt, body, record, repair)

    def _attempt(self, body: dict[str, Any], record: LLMCallRecord, repair: int) -> ChatCompletion:
        sha = messages_sha256(body["messages"])
        req = RequestRecord(n=len(record.requests) + 1, repair=repair, messages_sha256=sha)
        record.requests.append(req)
        self._emit("request", {"purpose": record.purpose, "model": body["model"], "n": req.n, "repair": repair})
        t0 = time.perf_counter()
        try:
            raw = self._client.chat.completions.with_raw_response.create(**body)
            req.status = raw.status_code
            try:
                completion = raw.parse()
            except ValueError as exc:  # JSONDecodeError: cut or garbled body
                raise MalformedResponse(f"response body is not JSON ({exc})", raw.text) from exc
            if not (isinstance(completion, ChatCompletion) and completion.choices and completion.choices[0].message):
                raise MalformedResponse("response body has no choices", raw.text)
        except MalformedResponse as exc:
            req.error = f"MalformedResponse: {exc}"
            req.response_text = exc.body[:RESPONSE_TEXT_LIMIT]
            raise
        except openai.OpenAIError as exc:
            req.error = describe_error(exc)
            if isinstance(exc, openai.APIStatusError):
                req.status = exc.status_code
            raise
        finally:
            req.latency_s = round(time.perf_counter() - t0, 6)
        self._fill(req, record, completion)
        self._emit(
            "response",
            {
                "purpose": record.purpose,
                "n": req.n,
                "status": req.status,
                "finish_reason": req.finish_reason,
                "latency_s": req.latency_s,
                "completion_tokens": req.completion_tokens,
            },
        )
        return completion

    def _fill(self, req: RequestRecord, record: LLMCallRecord, completion: ChatCompletion) -> None:
        choice = completion.choices[0]
        req.finish_reason = choice.finish_reason
        text = reply_text(choice, self.config.effective_output_mode) or choice.message.refusal or ""
        req.response_text = text[:RESPONSE_TEXT_LIMIT]
        req.model = completion.model
        req.system_fingerprint = completion.system_fingerprint
        if completion.model:
            record.model_answered = completion.model
        record_usage(req, completion.usage)

    # --- bookkeeping --------------------------------------------------------------------------------

    def _http_failure(self, exc: BaseException, record: LLMCallRecord) -> str:
        attempts = sum(1 for r in record.requests if r.repair == record.repairs)
        if is_transient(exc):
            return f"transient fault not resolved after {attempts} attempt(s): {describe_error(exc)}"
        return f"request failed (not retried): {describe_error(exc)}"

    @staticmethod
    def _jsonable(value: Any) -> JsonValue:
        try:
            result: JsonValue = to_jsonable_python(value)
        except Exception:  # an exotic validated value: keep its text rather than lose the record
            return repr(value)
        return result

    def _emit(self, event: str, data: dict[str, Any]) -> None:
        if self.on_event is not None:
            self.on_event(event, data)


__all__ = ["Decision", "EventHandler", "MalformedResponse", "StructuredClient"]
