"""What one model decision leaves in the audit trail: the call, each HTTP request, and the tokens used.

`LLMCallRecord` is the `call` of an `llm_call` audit record: provider, model requested and
answered, parameters, the SHA-256 of the exact messages (and the messages), every HTTP request
(`RequestRecord`: a first ask, a transient retry or a repair) with its status, reply, latency and
token usage, the validation errors met and the parsed value. Plain pydantic models, so the
trail and the scorecard read them without the client; never the API key.
"""

from __future__ import annotations

import hashlib
import json

from openai.types import CompletionUsage
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from agents.llm.config import OutputMode

RESPONSE_TEXT_LIMIT = 8000
"""Characters of a reply (or of a malformed body) kept in the record."""


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


def messages_sha256(messages: list[dict[str, str]]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of a message list."""
    canonical = json.dumps(messages, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_usage(req: RequestRecord, usage: CompletionUsage | None) -> None:
    """A reply's token usage (cached prompt tokens included) into its request's record."""
    if usage is not None:
        req.prompt_tokens = usage.prompt_tokens or 0
        req.completion_tokens = usage.completion_tokens or 0
        details = usage.prompt_tokens_details
        req.cached_tokens = (details.cached_tokens or 0) if details else 0


def total_usage(record: LLMCallRecord) -> None:
    """The decision's token usage: the sum over its HTTP requests."""
    for field in ("prompt_tokens", "completion_tokens", "cached_tokens"):
        setattr(record, field, sum(getattr(r, field) for r in record.requests))
