"""The negotiation's checkpointed state: the table, as a typed schema of plain values.

Few channels on purpose: LangGraph versions and checkpoints every channel on every
superstep, so the table travels as one record and the moves as one append-only list.
"""

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
    rounds_per_step: int  # rounds played between two checkpoints
    transcript: str | None  # the hash-chained audit trail (JSONL), if the run keeps one


class TableRecord(TypedDict):
    """The protocol's Table as plain values."""

    round: int
    turn: int
    speaker: str
    at_table: list[str]
    proposal: dict[str, IssueValue] | None
    proposer: str | None
    accepted_by: list[str]
    status: Status
    ended_by: str | None


class NegotiationState(TypedDict, total=False):
    """The state between supersteps. Moves are appended (reducer); the rest is overwritten."""

    run: RunSpec
    table: TableRecord
    moves: Annotated[list[MoveRecord], operator.add]
    scorecard: dict[str, Any] | None


def table_of(state: NegotiationState) -> Table:
    record = state["table"]
    return Table(
        round=record["round"],
        turn=record["turn"],
        speaker=record["speaker"],
        at_table=tuple(record["at_table"]),
        proposal=record["proposal"],
        proposer=record["proposer"],
        accepted_by=frozenset(record["accepted_by"]),
        status=record["status"],
        ended_by=record["ended_by"],
    )


def table_record(table: Table) -> TableRecord:
    return TableRecord(
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
