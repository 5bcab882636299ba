"""Structured decisions from any OpenAI-compatible chat endpoint, with repair, retry and one audit record each.

`StructuredClient.decide` asks the model for one JSON object, validates it with a pydantic model and the
caller's semantic check, sends invalid replies back with the precise error (bounded repairs), retries
transient HTTP faults with tenacity (the SDK's own retries are off, so nothing is retried twice), and never
raises for model or network trouble: it returns a `Decision` whose `record` says everything that happened.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar, overload
from urllib.parse import urlsplit

import httpx2
import openai
from openai.types.chat import ChatCompletion
from openai.types.chat.chat_completion import Choice
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError
from pydantic_core import to_jsonable_python
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

from agents.llm.config import LLMConfig, OutputMode
from agents.llm.schema import prompt_instruction, schema_name, strict_schema
from pactlab.errors import ExternalError

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

EventHandler = Callable[[str, dict[str, Any]], None]
"""Progress callback: event name ("request", "response", "retry", "repair", "done") and its data."""

RESPONSE_TEXT_LIMIT = 8000
"""Characters of a reply (or of a malformed body) kept in the record."""

_REFUSAL = re.compile(
    r"^\W*(i'?m sorry|i am sorry|sorry,|i apologi[sz]e|i can(?:'|no)t|i cannot|i won'?t|i will not|"
    r"i'?m (?:not able|unable)|i am (?:not able|unable)|as an ai\b|i must decline)",
    re.IGNORECASE,
)


class CallParams(BaseModel):
    """Sampling and output parameters of a call."""

    model_config = ConfigDict(extra="forbid")

    temperature: float
    seed: int | None
    max_tokens: int
    output_mode: OutputMode
    strict: bool = Field(description="Whether the schema was sent as strict (json_schema / tools modes).")


class RequestRecord(BaseModel):
    """One HTTP request: a first ask, a transient retry, or a repair."""

    model_config = ConfigDict(extra="forbid")

    n: int = Field(description="1-based number of the HTTP request within the decision.")
    repair: int = Field(description="0 for the first ask, k for the k-th repair.")
    messages_sha256: str
    status: int | None = None
    error: str | None = Field(default=None, description="Error class and message when the request failed.")
    finish_reason: str | None = None
    response_text: str | None = None
    latency_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    model: str | None = None
    system_fingerprint: str | None = None
    retry_wait_s: float | None = Field(default=None, description="Wait before the next attempt, when retried.")


class LLMCallRecord(BaseModel):
    """Everything about one decision, for the audit trail (JSON). Never holds the API key."""

    model_config = ConfigDict(extra="forbid")

    purpose: str
    provider: str
    base_url_host: str
    model_requested: str
    model_answered: str | None = None
    params: CallParams
    schema_name: str
    messages_sha256: str = Field(description="SHA-256 of the canonical JSON of `messages`.")
    messages: list[dict[str, str]] | None = Field(description="The first request's messages, exactly as sent.")
    requests: list[RequestRecord] = Field(default_factory=list)
    attempts: int = 0
    repairs: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    latency_s: float = 0.0
    parsed: JsonValue = None
    errors: list[str] = Field(default_factory=list, description="Validation errors met, in order.")
    failure: str | None = None


@dataclass(frozen=True)
class Decision(Generic[T]):
    """The validated value, or None with `failure` saying why (the caller falls back); always one record."""

    value: T | None
    failure: str | None
    record: LLMCallRecord

    @property
    def ok(self) -> bool:
        return self.failure is None


class MalformedResponse(ExternalError):
    """A 2xx answer whose body is not a chat completion (cut or garbled by a proxy): retried as transient."""

    def __init__(self, message: str, body: str) -> None:
        super().__init__(message)
        self.body = body


class _Invalid(ExternalError):
    """A reply that must be repaired: `kind: detail` for the record, `problem` and `advice` for the model."""

    def __init__(self, kind: str, detail: str, problem: str, advice: str = "corrected") -> None:
        super().__init__(f"{kind}: {detail}")
        self.problem = problem
        self.advice = advice

    def follow_up(self) -> str:
        """The user turn sent after the invalid reply (repair_style "conversation")."""
        return f"Your reply was invalid: {self.problem}. Reply again with only the JSON object, {self.advice}."

    def note(self) -> str:
        """The note added to the original request (repair_style "restate")."""
        return (
            f"A previous reply to this request was invalid: {self.problem}. "
            f"Reply with only the JSON object, {self.advice}."
        )


def messages_sha256(messages: list[dict[str, str]]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of a message list."""
    canonical = json.dumps(messages, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: timeouts, dropped connections, 408/409/429 (not insufficient_quota), 5xx, garbled bodies."""
    if isinstance(exc, MalformedResponse | openai.APIConnectionError):  # APITimeoutError is a connection error
        return True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return "insufficient_quota" not in (exc.code, exc.type)
        if exc.status_code >= 500:
            return not _rejected_request(exc)
        return exc.status_code in (408, 409)
    return False


def _rejected_request(exc: openai.APIStatusError) -> bool:
    """llama-cpp-python answers a request it cannot validate (e.g. `json_schema` mode) with a 500 that quotes
    pydantic's error on the request body: retrying the same request cannot help."""
    return "validation error" in exc.message and "'body'" in exc.message


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The server's requested wait: `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    if (value := headers.get("retry-after")) is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                return None
    return None


def extract_json(text: str) -> Any:
    """The JSON object in a reply: the whole text, a ```json fence, or the first decodable {...} in it."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        pass
    fence = re.search(r"```(?:json)?\s*(.*?)```", stripped, re.DOTALL | re.IGNORECASE)
    if fence:
        try:
            return json.loads(fence.group(1))
        except ValueError:
            pass
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", stripped):
        try:
            return decoder.raw_decode(stripped, match.start())[0]
        except ValueError:
            continue
    raise ValueError("no JSON object found in the reply")


def explain_validation_error(exc: ValidationError) -> str:
    """A compact, model-readable list of what is wrong: field path, message, offending value."""
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "(the object)"
        got = "" if err["type"] == "missing" else f" (got {_short(err.get('input'))})"
        parts.append(f"{where}: {err['msg']}{got}")
    return "; ".join(parts)


def _short(value: object, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"{type(exc).__name__} {exc.status_code}: {exc.message}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def _host(url: str | None) -> str:
    """host[:port] of the endpoint, never credentials or paths (None: the SDK's OpenAI default)."""
    if not url:
        return "api.openai.com"
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""


def _with_note(messages: list[dict[str, str]], note: str) -> list[dict[str, str]]:
    """`messages` with `note` joined to the last user turn (or added as one): roles keep alternating."""
    convo = [dict(m) for m in messages]
    if convo and convo[-1].get("role") == "user":
        convo[-1]["content"] = f"{convo[-1].get('content', '')}\n\n{note}"
    else:
        convo.append({"role": "user", "content": note})
    return convo


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
            reply_text = self._reply_text(choice, mode)
            try:
                value = self._interpret(choice, reply_text, schema, validate)
            except _Invalid as bad:
                record.errors.append(str(bad))
                if repair == cfg.max_repairs:
                    failure = f"invalid output after {cfg.max_repairs} repairs: {bad}"
                    break
                record.repairs += 1
                self._emit("repair", {"purpose": purpose, "repair": record.repairs, "error": str(bad)})
                if cfg.effective_repair_style == "restate":
                    convo = _with_note(first, bad.note())
                else:
                    convo = [
                        *convo,
                        {"role": "assistant", "content": reply_text or choice.message.refusal or "(empty reply)"},
                        {"role": "user", "content": bad.follow_up()},
                    ]
                continue
            record.parsed = self._jsonable(value)
            break
        record.failure = failure
        record.latency_s = round(time.perf_counter() - started, 6)
        record.attempts = len(record.requests)
        for field in ("prompt_tokens", "completion_tokens", "cached_tokens"):
            setattr(record, field, sum(getattr(r, field) for r in record.requests))
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
            return _with_note(messages, prompt_instruction(schema))
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
        started = self._clock()
        budget = self.config.max_retry_seconds

        def stop(state: RetryCallState) -> bool:
            return (
                state.attempt_number >= self.config.max_attempts
                or self._clock() - started + state.upcoming_sleep > budget
            )

        backoff = wait_exponential_jitter(multiplier=0.5, max=20, jitter=0.5)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, openai.APIStatusError):
                asked = retry_after_seconds(exc.response.headers)
                if asked is not None:
                    return asked
            return float(backoff(state))

        def before_sleep(state: RetryCallState) -> None:
            last = record.requests[-1]
            last.retry_wait_s = round(state.upcoming_sleep, 3)
            self._emit(
                "retry", {"purpose": record.purpose, "n": last.n, "wait_s": last.retry_wait_s, "error": last.error}
            )

        retrying = Retrying(
            sleep=self._sleep,
            stop=stop,
            wait=wait,
            retry=retry_if_exception(is_transient),
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(self._attempt, body, record, repair)

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
            req.error = _describe(exc)
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
        text = self._reply_text(choice, self.config.effective_output_mode) or choice.message.refusal or ""
        req.response_text = text[:RESPONSE_TEXT_LIMIT]
        req.model = completion.model
        req.system_fingerprint = completion.system_fingerprint
        if completion.model:
            record.model_answered = completion.model
        usage = completion.usage
        if usage is not None:
            req.prompt_tokens = usage.prompt_tokens or 0
            req.completion_tokens = usage.completion_tokens or 0
            details = usage.prompt_tokens_details
            req.cached_tokens = (details.cached_tokens or 0) if details else 0

    # --- reading the reply -------------------------------------------------------------------------

    @staticmethod
    def _reply_text(choice: Choice, mode: OutputMode) -> str:
        """The reply's JSON text: the forced tool call's arguments in tools mode, else the content."""
        message = choice.message
        if mode == "tools" and message.tool_calls:
            function = getattr(message.tool_calls[0], "function", None)
            if function is not None:
                return str(function.arguments or "")
        return str(message.content or "")

    def _interpret(self, choice: Choice, text: str, schema: type[M], validate: Callable[[M], Any] | None) -> Any:
        """The validated value, or `_Invalid` with the repair instruction. A refusal is never parsed."""
        refusal = choice.message.refusal
        refusal_like = bool(text) and not text.lstrip().startswith(("{", "`")) and bool(_REFUSAL.match(text))
        if refusal or choice.finish_reason == "content_filter" or refusal_like:
            detail = _short(refusal or text or "content filtered", 200)
            problem = "it declined to answer; this is a simulated business negotiation and answering is expected"
            raise _Invalid("refusal", detail, problem)
        if choice.finish_reason == "length":
            limit = self.config.max_tokens
            problem = f"it was cut off at the {limit}-token limit before the JSON object was complete"
            raise _Invalid(
                "truncated", f"cut off at the {limit}-token limit", problem, "shorter (keep text fields brief)"
            )
        try:
            data = extract_json(text)
        except ValueError as exc:
            raise _Invalid("bad_json", str(exc), f"it was not a JSON object ({exc})") from exc
        try:
            model = schema.model_validate(data)
        except ValidationError as exc:
            detail = explain_validation_error(exc)
            raise _Invalid("schema", detail, detail) from exc
        if validate is None:
            return model
        try:
            return validate(model)
        except ValidationError as exc:
            detail = explain_validation_error(exc)
            raise _Invalid("semantic", detail, detail) from exc
        except ValueError as exc:
            raise _Invalid("semantic", str(exc), str(exc)) from exc

    # --- bookkeeping --------------------------------------------------------------------------------

    def _http_failure(self, exc: BaseException, record: LLMCallRecord) -> str:
        attempts = sum(1 for r in record.requests if r.repair == record.repairs)
        if is_transient(exc):
            return f"transient fault not resolved after {attempts} attempt(s): {_describe(exc)}"
        return f"request failed (not retried): {_describe(exc)}"

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


def format_event(event: str, data: Mapping[str, Any]) -> str:
    """One human-readable progress line for a CLI (e.g. "retry in 2.0 s: RateLimitError 429: ...")."""
    who = f"[{data['purpose']}] " if data.get("purpose") else ""
    if event == "request":
        suffix = f", repair {data['repair']}" if data.get("repair") else ""
        return f"{who}calling {data.get('model')}… (request {data.get('n')}{suffix})"
    if event == "response":
        return (
            f"{who}reply in {data.get('latency_s', 0):.1f} s "
            f"({data.get('completion_tokens', 0)} tokens, finish: {data.get('finish_reason')})"
        )
    if event == "retry":
        return f"{who}retry in {data.get('wait_s', 0):.1f} s: {data.get('error')}"
    if event == "repair":
        return f"{who}repair {data.get('repair')}: {data.get('error')}"
    if event == "done":
        if data.get("ok"):
            return f"{who}ok after {data.get('attempts')} request(s), {data.get('repairs')} repair(s)"
        return f"{who}failed: {data.get('failure')}"
    return f"{who}{event}: {dict(data)}"
