"""The negotiation's checkpointed state: the table, as a typed schema of plain values."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from pactlab.issues import IssueValue
from pactlab.protocol import Status, Table
from pactlab.table import MoveRecord


class RunSpec(TypedDict):
    """What a run was started with: enough to rebuild every agent on resume."""

    negotiation_id: str
    scenario: dict[str, Any]  # the full scenario, so a resume does not depend on the file
    scenario_sha256: str
    scenario_source: str
    agents: dict[str, str]  # party id -> negotiator spec, e.g. "boulware" or "pareto(e=0.5)"
    seed: int


class NegotiationState(TypedDict, total=False):
    """The table between supersteps. Moves are appended (reducer); the rest is overwritten."""

    run: RunSpec
    round: int
    turn: int
    speaker: str
    at_table: list[str]
    proposal: dict[str, IssueValue] | None
    proposer: str | None
    accepted_by: list[str]
    status: Status
    ended_by: str | None
    pending: dict[str, Any] | None  # the speaker's action, awaiting application
    moves: Annotated[list[MoveRecord], operator.add]
    scorecard: dict[str, Any] | None


def table_of(state: NegotiationState) -> Table:
    return Table(
        round=state["round"],
        turn=state["turn"],
        speaker=state["speaker"],
        at_table=tuple(state["at_table"]),
        proposal=state["proposal"],
        proposer=state["proposer"],
        accepted_by=frozenset(state["accepted_by"]),
        status=state["status"],
        ended_by=state.get("ended_by"),
    )


def table_update(table: Table) -> NegotiationState:
    return NegotiationState(
        round=table.round,
        turn=table.turn,
        speaker=table.speaker,
        at_table=list(table.at_table),
        proposal=table.proposal,
        proposer=table.proposer,
        accepted_by=sorted(table.accepted_by),
        status=table.status,
        ended_by=table.ended_by,
    )
