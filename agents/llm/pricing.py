"""Estimated cost of LLM calls from a price table in YAML (shipped default, or env PACTLAB_PRICES)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from agents.llm.records import LLMCallRecord

DEFAULT_PRICES = Path(__file__).with_name("prices.yaml")


class ModelPrice(BaseModel):
    """USD per 1M tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: float = Field(ge=0)
    cached_prompt: float = Field(ge=0)
    completion: float = Field(ge=0)


class PriceTable(BaseModel):
    """Prices per model name; providers in `free_providers` run locally and cost nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: str = ""
    source: str = ""
    currency: str = "USD"
    free_providers: list[str] = Field(default_factory=list)
    models: dict[str, ModelPrice] = Field(default_factory=dict)

    def price(self, model: str) -> ModelPrice | None:
        """The exact entry, else the longest entry that `model` extends with '-' (a dated snapshot)."""
        if model in self.models:
            return self.models[model]
        prefixes = [name for name in self.models if model.startswith(name + "-")]
        return self.models[max(prefixes, key=len)] if prefixes else None

    def cost(self, record: LLMCallRecord) -> float | None:
        """Estimated cost of one call record; None when the model has no price."""
        if record.provider in self.free_providers:
            return 0.0
        price = None
        for name in (record.model_answered, record.model_requested):
            if name and (price := self.price(name)) is not None:
                break
        if price is None:
            return None
        cached = min(record.cached_tokens, record.prompt_tokens)
        return (
            (record.prompt_tokens - cached) * price.prompt
            + cached * price.cached_prompt
            + record.completion_tokens * price.completion
        ) / 1_000_000


def load_price_table(path: str | Path | None = None) -> PriceTable:
    """The table at `path`, else at env PACTLAB_PRICES, else the shipped one."""
    chosen = Path(path or os.environ.get("PACTLAB_PRICES") or DEFAULT_PRICES)
    with chosen.open(encoding="utf-8") as fh:
        return PriceTable.model_validate(yaml.safe_load(fh) or {})


def cost(record: LLMCallRecord, table: PriceTable | None = None) -> float | None:
    """Estimated USD cost of a call record (default table: `load_price_table()`); None for an unknown model."""
    return (table or load_price_table()).cost(record)
