"""The negotiation's checkpointed state: the table, as a typed schema of plain values.

Few channels on purpose: LangGraph versions and checkpoints every channel on every
superstep, so the table travels as one record and the moves as one append-only list.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, NotRequired, TypedDict

from pactlab.domain.table import MoveRecord, TableRecord


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
    policies: dict[str, Any] | None  # the full policy set the gate applies, if any
    mediator: NotRequired[str]  # the mediator of the ladder's mediation tier (default "nash")
    audit_fsync: NotRequired[str]  # "record" (default), "step" (group commit per superstep) or "seal": see AuditWriter
    # Rehearsals (pactlab.app.rehearsal): a seat whose agent spec is "human" is a person's.
    turn_by_turn: NotRequired[bool]  # one turn per superstep: a checkpoint (and fork point) before every turn
    mandates: NotRequired[dict[str, dict[str, Any]]]  # party -> agents.human.Mandate: moves outside it need approval
    forked_from: NotRequired[dict[str, Any]]  # {"negotiation_id", "turn"}: the run and turn this one branched from
    signing: NotRequired[dict[str, Any]]  # the run's key secret and configured keys: see pactlab.workflow.signing


class NegotiationState(TypedDict, total=False):
    """The state between supersteps. Moves are appended (reducer); the rest is overwritten."""

    run: RunSpec
    table: TableRecord
    moves: Annotated[list[MoveRecord], operator.add]
    scorecard: dict[str, Any] | None
