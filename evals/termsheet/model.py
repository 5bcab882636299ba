"""The term sheet as a document: parties, clauses, each clause's trace into the audit trail, its redline.

Everything a renderer (Markdown, HTML, Word) needs is here, already worded; renderers only lay
it out. Turns and rounds are stored 0-based, as in the table's `MoveRecord`; the rendered
documents show them 1-based, as `pactlab audit show` does.

Each proposal a clause points to is identified by its audit record: the record's sequence
number (`seq`), its SHA-256 (`record_hash`, which `pactlab audit verify` checks as part of the
chain) and its timestamp (`ts`), so that a reader can find the exact line of the transcript
that set or changed a term.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pactlab.domain.issues import IssueValue


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TermSheetParty(_Model):
    id: str
    name: str
    core_business: str
    signed: bool = Field(description="Whether the party accepted the agreed terms (is bound by them).")


class RecordRef(_Model):
    """A proposal as the audit trail holds it: who made it, when, and which record it is."""

    turn: int = Field(description="0-based turn, as in the move record.")
    round: int = Field(description="0-based round, as in the move record.")
    party: str
    party_name: str
    seq: int = Field(description="Sequence number of the move's audit record.")
    record_hash: str = Field(description="SHA-256 of the move's audit record.")
    ts: str = Field(description="UTC timestamp of the move's audit record.")
    rationale: str = Field(
        default="",
        description="The part of the move's rationale about this clause's issue ('' when none was given).",
    )


class Origin(RecordRef):
    """The proposal that set a clause's final value (no different value was proposed since)."""

    message: str = Field(default="", description="What the party said to the table with the proposal.")


class Revision(RecordRef):
    """One step of the redline: a proposal that changed the term's value (the first draft included)."""

    value: IssueValue | None = Field(description="The value proposed (None: the proposal left the issue out).")
    value_text: str
    previous: IssueValue | None = Field(default=None, description="The value it replaced; None for the first draft.")
    previous_text: str | None = None
    text: str = Field(
        default="",
        description="The clause as worded with this value (the other terms as agreed): the redline compares these.",
    )


class Clause(_Model):
    issue_id: str
    heading: str
    kind: str | None = Field(default=None, description="The clause kind the issue declares (None: no clause).")
    value: IssueValue
    value_text: str = Field(description="The value as people read it, e.g. '24 months' or 'split by field'.")
    text: str = Field(description="The clause in plain contract language.")
    description: str = Field(default="", description="The issue's description in the scenario.")
    origin: Origin
    history: list[Revision] = Field(description="Every proposal that changed this term, in order (the redline).")


class Outcome(_Model):
    status: str
    ended_by: str | None
    proposer: str
    proposer_name: str
    proposal_turn: int = Field(description="0-based turn of the agreed proposal.")
    proposal_round: int
    accepted_by: list[str] = Field(description="Party ids that accepted (the proposer included), scenario order.")
    final_turn: int = Field(description="0-based turn of the move that concluded the agreement.")
    rounds: int = Field(description="Rounds used (1-based count).")
    proposals: int = Field(description="Number of proposals in the chain that led to the agreement.")


class TermSheetDocument(_Model):
    title: str
    scenario_id: str
    scenario_title: str
    context: str
    negotiation_id: str
    parties: list[TermSheetParty]
    clauses: list[Clause]
    outcome: Outcome
    scenario_sha256: str
    code_version: str
    code_sha256: str | None = None
    transcript_last_hash: str | None = None
    sealed_at: str | None = Field(default=None, description="UTC timestamp of the transcript's last record.")


def turn_label(turn: int, round_: int) -> str:
    """'turn 3, round 2': a 0-based turn and round as people count them."""
    return f"turn {turn + 1}, round {round_ + 1}"


__all__ = [
    "Clause",
    "Origin",
    "Outcome",
    "RecordRef",
    "Revision",
    "TermSheetDocument",
    "TermSheetParty",
    "turn_label",
]
