"""The LangGraph workflow that runs a negotiation, durably."""

from pactlab.workflow.graph import build_graph
from pactlab.workflow.runner import (
    Event,
    MoveMade,
    NegotiationFinished,
    NegotiationNotFound,
    Negotiations,
    Scored,
)
from pactlab.workflow.state import NegotiationState, RunSpec

__all__ = [
    "Event",
    "MoveMade",
    "NegotiationFinished",
    "NegotiationNotFound",
    "NegotiationState",
    "Negotiations",
    "RunSpec",
    "Scored",
    "build_graph",
]
