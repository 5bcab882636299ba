"""The LLM client layer: configuration, structured decisions with repair and retry, prices, the local model."""

from agents.llm.client import (
    CallParams,
    Decision,
    EventHandler,
    LLMCallRecord,
    MalformedResponse,
    RequestRecord,
    StructuredClient,
    format_event,
    messages_sha256,
)
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
