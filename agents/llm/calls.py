"""A model call as the LLM agents make it: the client they use, and the audit report of each decision.

Negotiator and mediator share both: `default_client` wires a `StructuredClient` to the live
progress the CLI prints; `call_report` turns a `Decision` into the `llm_call` audit record
(who, which turn, the estimated cost, the action, the whole call record).

`serving_clients` lets a replay (`pactlab.workflow.replay`) hand every LLM agent built inside a
block a client of its own (one that serves recorded responses instead of calling a model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from agents.base import AgentReport
from agents.llm import progress
from agents.llm.client import Decision, StructuredClient
from agents.llm.config import LLMConfig
from agents.llm.pricing import PriceTable, cost
from pactlab.domain.table import Turn

ClientFactory = Callable[[LLMConfig], StructuredClient]

_SERVING: ContextVar[ClientFactory | None] = ContextVar("pactlab_llm_clients", default=None)


def default_client(config: LLMConfig) -> StructuredClient:
    """The client for `config`, reporting each event to the live progress (`agents.llm.progress`)."""
    serving = _SERVING.get()
    if serving is not None:
        return serving(config)
    return StructuredClient(config, on_event=progress.emit)


@contextmanager
def serving_clients(factory: ClientFactory) -> Iterator[None]:
    """Inside the block, LLM agents get their client from `factory` instead of reaching the configured endpoint."""
    token = _SERVING.set(factory)
    try:
        yield
    finally:
        _SERVING.reset(token)


def call_report(actor: str, turn: Turn, decision: Decision[Any], prices: PriceTable, /, **extra: object) -> AgentReport:
    """The `llm_call` audit record of one decision: who, which turn, the estimated cost, the action, the call."""
    return AgentReport(
        "llm_call",
        {
            "party": actor,
            "turn": turn.turn,
            **extra,
            "cost_usd": cost(decision.record, prices),
            "action": None if decision.value is None else decision.value.model_dump(mode="json"),
            "call": decision.record.model_dump(mode="json"),
        },
    )
