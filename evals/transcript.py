"""Read a run back from its audit transcript: scenario, moves, final table, recorded scorecard.

The record kinds are the workflow's: `run_start` (scenario, agents, seed, code version),
`move` (the move and the table after it), `opponent_model` (an agent's final estimates of the
others, which the scorecard scores), `evaluation` (the scorecard) and the closing `seal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evals.audit import AuditRecord, read_records
from evals.claims import truthfulness
from evals.opponent_models import ModelEstimate
from evals.scorecard import PolicyNotApplicable, Scorecard, score_table
from evals.usage import usage_from_records
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord, TableRecord
from pactlab.errors import BadInput


class TranscriptError(BadInput, ValueError):
    """A transcript that verifies but does not hold a pactlab run (no run_start, say)."""


@dataclass
class TranscriptRun:
    negotiation_id: str
    scenario: Scenario
    seed: int
    agents: dict[str, str]
    code: dict[str, str]
    records: list[AuditRecord]
    moves: list[MoveRecord] = field(default_factory=list)
    table: TableRecord | None = None  # after the last move
    scorecard: dict[str, Any] | None = None  # as recorded at evaluation
    policies_not_applicable: list[PolicyNotApplicable] = field(default_factory=list)  # from the run start
    estimates: list[ModelEstimate] = field(default_factory=list)  # the agents' final opponent-model estimates


def read_transcript(path: Path | str) -> TranscriptRun:
    records = read_records(path)
    if not records or records[0].kind != "run_start":
        raise TranscriptError(f"{path}: the first record is not a run_start; not a pactlab transcript")
    start = records[0].data
    missing = [f for f in ("negotiation_id", "scenario", "seed", "agents") if f not in start]
    if missing:
        raise TranscriptError(f"{path}: the run_start record lacks {', '.join(missing)}; not a pactlab run start")
    try:
        run = TranscriptRun(
            negotiation_id=start["negotiation_id"],
            scenario=Scenario.model_validate(start["scenario"]),
            seed=start["seed"],
            agents=start["agents"],
            code=start.get("code", {}),
            records=records,
            policies_not_applicable=[
                PolicyNotApplicable.model_validate(n) for n in (start.get("policy_set") or {}).get("not_applicable", [])
            ],
        )
        for record in records[1:]:
            if record.kind == "move":
                run.moves.append(record.data["move"])
                run.table = record.data["table"]
            elif record.kind == "opponent_model":
                run.estimates.extend(ModelEstimate.model_validate(e) for e in record.data["estimates"])
            elif record.kind == "evaluation":
                run.scorecard = record.data["scorecard"]
    except (KeyError, TypeError, AttributeError, ValidationError) as exc:
        what = exc.args[0] if isinstance(exc, KeyError) else exc
        raise TranscriptError(
            f"{path}: a record does not have the form pactlab writes ({what!s:.200}); edited?"
        ) from None
    return run


def seated_people(path: Path | str) -> dict[str, str]:
    """The display name of the person last seated at each party's seat (``identity`` records), from a transcript."""
    seated: dict[str, str] = {}
    if not Path(path).is_file():
        return seated
    for record in read_records(path):
        identity = record.data.get("identity") if record.kind == "identity" else None
        if isinstance(identity, dict) and identity.get("role") == "person" and isinstance(identity.get("seat"), str):
            seated[identity["seat"]] = str(identity.get("display_name"))
    return seated


def rescore(run: TranscriptRun) -> Scorecard:
    """The scorecard recomputed from the transcript alone."""
    if run.table is None or run.table["status"] == "open":
        raise TranscriptError("the transcript ends before the negotiation did; there is no outcome to score")
    card = score_table(
        run.scenario, run.moves, run.table, negotiation_id=run.negotiation_id, seed=run.seed, estimates=run.estimates
    )
    if run.policies_not_applicable:  # recorded at the run start (older transcripts have none)
        card = card.model_copy(update={"policies_not_applicable": list(run.policies_not_applicable)})
    return with_trail_figures(card, run.records)


TRAIL_FIGURE_KINDS = frozenset({"llm_call", "llm_fallback", "screen", "claim"})
"""The record kinds the scorecard's trail figures (model usage, truthfulness) are counted from."""


def with_trail_figures(card: Scorecard, records: Sequence[AuditRecord]) -> Scorecard:
    """`card` with the figures only the audit trail holds: model usage and, per party, screen hits and claims.

    The workflow's evaluation and a rescoring from the transcript both call this, so the two agree."""
    usage = usage_from_records(records, card.outcome == "agreement")
    card = card if usage is None else card.model_copy(update={"llm_usage": usage})
    truth = truthfulness(records)
    return card if truth is None else card.model_copy(update={"truthfulness": truth})


def party_view(run: TranscriptRun, party: str) -> dict[str, Any]:
    """What `party` saw at the table: the public scenario, its own private brief, the public moves.

    Other parties' private profiles, the operator's choice of agents and the evaluation (which
    holds every party's utilities and reservation values) are left out. Each move keeps the
    sequence number and hash of its audit record, so the view can be checked against the
    original transcript.
    """
    if party not in run.scenario.party_ids:
        raise TranscriptError(f"unknown party {party!r}; parties: {', '.join(run.scenario.party_ids)}")
    moves = [{"seq": r.seq, "hash": r.hash, "move": r.data["move"]} for r in run.records if r.kind == "move"]
    return {
        "negotiation_id": run.negotiation_id,
        "as_party": party,
        "scenario": run.scenario.public_view(),
        "own_brief": run.scenario.party(party).private.model_dump(mode="json"),
        "moves": moves,
        "outcome": None if run.table is None else {k: run.table[k] for k in ("status", "ended_by", "proposal")},
        "transcript_last_hash": run.records[-1].hash if run.records else None,
    }
