"""The LLM client layer: configuration, structured decisions with repair and retry, prices, the local model.

The client is small modules, one job each: `config` (endpoint and parameters), `client` (the
decision: `StructuredClient`, `Decision`), `records` (what the audit trail keeps of each call),
`retry` (transient faults and waits), `repair` (reading replies, sending invalid ones back),
`schema` (structured-output schemas), `pricing` and `progress`. The agents built on it:
`negotiator` and `mediator`, which share `replies` (the shapes of the model's replies) and
`calls` (their client and the `llm_call` audit report of each decision).
"""

from agents.llm.client import Decision, EventHandler, StructuredClient
from agents.llm.config import (
    ENDPOINT_VARIABLES,
    LLMConfig,
    LLMConfigError,
    OutputMode,
    Provider,
    endpoint_environment,
)
from agents.llm.local_server import (
    LOCAL_MODEL_ALIAS,
    LocalModelServer,
    LocalServerError,
    local_config,
    local_model_available,
)
from agents.llm.pricing import ModelPrice, PriceTable, cost, load_price_table
from agents.llm.progress import format_event
from agents.llm.records import CallParams, LLMCallRecord, RequestRecord, messages_sha256
from agents.llm.retry import MalformedResponse

__all__ = [
    "ENDPOINT_VARIABLES",
    "LOCAL_MODEL_ALIAS",
    "CallParams",
    "Decision",
    "EventHandler",
    "LLMCallRecord",
    "LLMConfig",
    "LLMConfigError",
    "LocalModelServer",
    "LocalServerError",
    "MalformedResponse",
    "ModelPrice",
    "OutputMode",
    "PriceTable",
    "Provider",
    "RequestRecord",
    "StructuredClient",
    "cost",
    "endpoint_environment",
    "format_event",
    "load_price_table",
    "local_config",
    "local_model_available",
    "messages_sha256",
]
