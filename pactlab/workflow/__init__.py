"""The LangGraph workflow that runs a negotiation, durably."""

from pactlab.workflow.graph import build_graph
from pactlab.workflow.runner import (
    Event,
    MoveMade,
    NegotiationFinished,
    NegotiationNotFound,
    Negotiations,
    NoForkPoint,
    NotWaiting,
    Paused,
    Scored,
    WaitingForPerson,
)
from pactlab.workflow.state import NegotiationState, RunSpec
from pactlab.workflow.writer_lock import NegotiationBusy

__all__ = [
    "Event",
    "MoveMade",
    "NegotiationBusy",
    "NegotiationFinished",
    "NegotiationNotFound",
    "NegotiationState",
    "Negotiations",
    "NoForkPoint",
    "NotWaiting",
    "Paused",
    "RunSpec",
    "Scored",
    "WaitingForPerson",
    "build_graph",
]
