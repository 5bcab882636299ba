"""How to reach a model: provider, endpoint, sampling parameters, structured-output mode and retry budget.

The API key is never part of the config: only the *name* of the environment variable holding it is,
so a config can be logged, hashed or written to the audit trail safely.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pactlab.errors import BadInput

Provider = Literal["openai", "vllm", "ollama", "llamacpp", "lmstudio", "compatible"]
OutputMode = Literal["json_schema", "json_object", "tools", "prompt"]
RepairStyle = Literal["conversation", "restate"]

NO_KEY = "sk-no-key-required"
"""Placeholder key for servers that need none (the SDK insists on a non-empty key)."""

DEFAULT_BASE_URLS: dict[Provider, str | None] = {
    "openai": None,  # the SDK's own default (https://api.openai.com/v1)
    "vllm": "http://localhost:8000/v1",
    "ollama": "http://localhost:11434/v1",
    "llamacpp": "http://localhost:8000/v1",  # llama-cpp-python's server default port
    "lmstudio": "http://localhost:1234/v1",
    "compatible": None,  # no sensible default: base_url or OPENAI_BASE_URL is required
}

DEFAULT_OUTPUT_MODES: dict[Provider, OutputMode] = {
    "openai": "json_schema",
    "vllm": "json_schema",
    "ollama": "json_schema",
    # llama-cpp-python's server answers `json_schema` with HTTP 500; it accepts {"type": "json_object", "schema": ...}
    "llamacpp": "json_object",
    "lmstudio": "json_schema",
    "compatible": "prompt",
}


class LLMConfigError(BadInput, ValueError):
    """The configuration cannot work (missing key or endpoint, model extra not installed): fix it, don't retry."""


class LLMConfig(BaseModel):
    """One party's model settings (from the scenario, the CLI or the environment)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Provider = "openai"
    model: str = Field(min_length=1)
    base_url: str | None = Field(default=None, description="Else OPENAI_BASE_URL, else the provider's default.")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Name of the environment variable with the key.")
    temperature: float = Field(default=0.3, ge=0, le=2)
    seed: int | None = None
    max_tokens: int = Field(default=512, ge=1)
    output_mode: OutputMode | None = Field(default=None, description="None: the provider's default.")
    max_repairs: int = Field(default=2, ge=0, description="Replies sent back with their validation error.")
    repair_style: RepairStyle | None = Field(
        default=None,
        description=(
            "conversation: add the invalid reply and the error as new turns; restate: re-send the request with the "
            "error noted in its last user turn (tiny local models copy their previous turn). None: per provider."
        ),
    )
    max_attempts: int = Field(default=5, ge=1, description="HTTP attempts per request (transient faults).")
    max_retry_seconds: float = Field(default=60, gt=0, description="Time budget per request, waits included.")
    timeout_seconds: float = Field(default=120, gt=0, description="Per HTTP request.")
    record_messages: bool = Field(default=True, description="Keep the initial messages in the call record.")

    @property
    def effective_output_mode(self) -> OutputMode:
        """The structured-output mode used: the configured one, else the provider's default."""
        return self.output_mode or DEFAULT_OUTPUT_MODES[self.provider]

    @property
    def effective_repair_style(self) -> RepairStyle:
        """The repair style used: the configured one, else "restate" for llamacpp and "conversation" otherwise."""
        return self.repair_style or ("restate" if self.provider == "llamacpp" else "conversation")

    def resolved_base_url(self) -> str | None:
        """`base_url`, else env OPENAI_BASE_URL, else the provider default (None: the SDK's OpenAI default)."""
        url = self.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URLS[self.provider]
        if url is None and self.provider == "compatible":
            raise LLMConfigError("provider 'compatible' needs base_url (or the OPENAI_BASE_URL environment variable)")
        return url

    def resolve_api_key(self) -> str:
        """The key from the environment; a placeholder for servers that need none; raises for OpenAI without one."""
        key = os.environ.get(self.api_key_env, "")
        if key:
            return key
        if self.provider == "openai":
            raise LLMConfigError(
                f"provider 'openai' needs an API key: set the {self.api_key_env} environment variable "
                "(or use a local provider such as llamacpp)"
            )
        return NO_KEY

    @classmethod
    def from_env(cls, **overrides: object) -> LLMConfig:
        """A config from env PACTLAB_LLM_PROVIDER, PACTLAB_LLM_MODEL (or OPENAI_MODEL), PACTLAB_LLM_OUTPUT_MODE,
        PACTLAB_LLM_MAX_TOKENS, then `overrides`."""
        data: dict[str, object] = {}
        for field, names in {
            "provider": ("PACTLAB_LLM_PROVIDER",),
            "model": ("PACTLAB_LLM_MODEL", "OPENAI_MODEL"),
            "output_mode": ("PACTLAB_LLM_OUTPUT_MODE",),
            "max_tokens": ("PACTLAB_LLM_MAX_TOKENS",),
        }.items():
            value = next((os.environ[n] for n in names if os.environ.get(n)), None)
            if value is not None:
                data[field] = value
        data.update(overrides)
        if "model" not in data:
            raise LLMConfigError("no model configured: set PACTLAB_LLM_MODEL (or OPENAI_MODEL) or pass model=")
        return cls.model_validate(data)


ENDPOINT_VARIABLES = ("OPENAI_BASE_URL", "PACTLAB_LLM_PROVIDER", "PACTLAB_LLM_MODEL", "PACTLAB_LLM_MAX_TOKENS")
"""Where `LLMConfig.from_env` finds the endpoint, the provider, the model and the output token limit."""


@contextmanager
def endpoint_environment(
    base_url: str, model: str, provider: str = "llamacpp", max_tokens: int | None = None
) -> Iterator[None]:
    """Point every LLM agent built inside the block at `base_url` (through the environment, as for any
    OpenAI-compatible endpoint), with `max_tokens` output tokens per reply if given; the previous values
    come back afterwards."""
    saved = {k: os.environ.get(k) for k in ENDPOINT_VARIABLES}
    os.environ.update(OPENAI_BASE_URL=base_url, PACTLAB_LLM_PROVIDER=provider, PACTLAB_LLM_MODEL=model)
    if max_tokens is not None:
        os.environ["PACTLAB_LLM_MAX_TOKENS"] = str(max_tokens)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
