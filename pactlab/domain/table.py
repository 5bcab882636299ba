"""The shared table: where the negotiation stands, the public record of moves, and what an agent sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NotRequired, TypedDict

from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.scenario import Scenario

Status = Literal["open", "agreement", "impasse", "walk_away"]
"""Where the negotiation stands: still open, or how it ended."""

MoveKind = Literal["propose", "accept", "reject", "walk_away", "escalate"]

MEDIATOR = "mediator"
"""The actor id of the mediator's single negotiating text on the table."""
LADDER = "ladder"
"""The actor id of escalation events (the dispute-resolution ladder acts, no party does)."""


class MoveRecord(TypedDict):
    """One move as it stands on the public table (and in the checkpointed state)."""

    turn: int
    round: int
    party: str
    kind: MoveKind
    terms: dict[str, IssueValue] | None  # the proposed term sheet, for "propose"
    message: str
    rationale: str
    reason: str  # for "reject" and "walk_away"; for "escalate", why the dispute went up a tier


def move_record(turn: int, round_: int, party: str, action: Action) -> MoveRecord:
    """The table's record of an action."""
    return MoveRecord(
        turn=turn,
        round=round_,
        party=party,
        kind=action.kind,
        terms=dict(action.terms) if isinstance(action, Propose) else None,
        message=action.message,
        rationale=action.rationale if isinstance(action, (Propose, Accept)) else "",
        reason=action.reason if isinstance(action, (Reject, WalkAway)) else "",
    )


@dataclass(frozen=True)
class Remembered:
    """A term sheet proposed in the current dispute tier, and every party that proposed or accepted it.

    Kept by protocols that remember acceptances (`Protocol.remembers`): re-proposing identical
    terms puts these acceptances back on the table.
    """

    terms: dict[str, IssueValue]
    accepted_by: frozenset[str]
    declined: Mapping[str, int] = field(default_factory=dict)
    """Parties that, at their latest turn with these terms standing, did not accept them: the round they declined."""
    gained: int = 0
    """The round these terms last gained a party's acceptance (or were first proposed)."""


class RememberedRecord(TypedDict):
    """A Remembered entry as plain values (its acceptors in speaking order)."""

    terms: dict[str, IssueValue]
    accepted_by: list[str]
    declined: NotRequired[dict[str, int]]
    gained: NotRequired[int]


def sheet_key(terms: Mapping[str, IssueValue]) -> tuple[tuple[str, str], ...]:
    """A term sheet's identity: its issue ids with their values' canonical strings (4 and 4.0 are one value)."""
    return tuple(sorted((issue, value_key(value)) for issue, value in terms.items()))


@dataclass(frozen=True)
class BlockedMove:
    """A move the policy gate sent back on this turn, with the rules' statements and reasons."""

    kind: MoveKind
    terms: dict[str, IssueValue] | None
    feedback: str


@dataclass(frozen=True)
class TierView:
    """Where the negotiation stands on the dispute-resolution ladder, as every party sees it.

    A party's negotiator may give up `mandate_from` of its concession range (from its best
    acceptable outcome down to its reservation value) when the tier starts, rising to
    `mandate_to` by the tier's end, `rounds` rounds after `start_round`.
    """

    id: str
    name: str
    kind: Literal["negotiation", "executive", "mediation", "arbitration"]
    index: int
    start_round: int
    rounds: int
    mandate_from: float
    mandate_to: float
    final: bool  # the last tier at which the parties can still agree


@dataclass(frozen=True)
class Turn:
    """What a negotiator is shown when it must act: the public table, from its own seat.

    Everything here is public; a negotiator's private profile comes from its own seat.
    A negotiator's action must be a function of this object and its seat alone, so that a
    run resumed from a checkpoint continues exactly as the uninterrupted run would.
    """

    party: str
    round: int  # 0-based
    max_rounds: int
    turn: int  # 0-based, across all parties
    parties_at_table: tuple[str, ...]
    proposal: dict[str, IssueValue] | None  # the term sheet on the table, if any
    proposer: str | None
    accepted_by: frozenset[str]  # parties who accepted the proposal on the table (proposer included)
    moves: Sequence[MoveRecord] = field(default_factory=tuple)
    blocked: tuple[BlockedMove, ...] = ()  # this turn's earlier attempts that the policy gate refused
    tier: TierView | None = None  # the dispute tier, if the scenario has a ladder
    remembered: tuple[Remembered, ...] = ()  # acceptances per term sheet this tier, if the protocol keeps them

    def recalled(self, terms: Mapping[str, IssueValue]) -> frozenset[str]:
        """Who proposed or accepted exactly these terms this tier (empty when the protocol remembers nothing)."""
        key = sheet_key(terms)
        for entry in self.remembered:
            if sheet_key(entry.terms) == key:
                return entry.accepted_by
        return frozenset()

    @property
    def _position(self) -> float:
        position = self.parties_at_table.index(self.party) if self.party in self.parties_at_table else 0
        return position / max(len(self.parties_at_table), 1)

    @property
    def time(self) -> float:
        """Relative time in [0, 1): the share of the round budget used before this turn."""
        return (self.round + self._position) / self.max_rounds

    @property
    def tier_time(self) -> float:
        """Relative time in [0, 1) within the current dispute tier (the whole run without a ladder)."""
        if self.tier is None:
            return self.time
        return min((self.round - self.tier.start_round + self._position) / self.tier.rounds, 1.0)

    def within_mandate(self, share: float) -> float:
        """A strategy's concession share over the tier (0..1), as a share of its whole concession range.

        Without a ladder the two are the same; on a ladder, the tier's mandate bounds it.
        """
        share = min(max(share, 0.0), 1.0)
        if self.tier is None:
            return share
        return self.tier.mandate_from + (self.tier.mandate_to - self.tier.mandate_from) * share

    @property
    def mandate(self) -> float:
        """The largest share of its concession range a negotiator may give up now."""
        return 1.0 if self.tier is None else self.tier.mandate_to

    @property
    def is_last_round(self) -> bool:
        """The last round in which the parties can still agree (the run's, or the final tier's)."""
        if self.tier is not None and self.tier.final and self.round >= self.tier.start_round + self.tier.rounds - 1:
            return True
        return self.round >= self.max_rounds - 1

    def proposals_by(self, party: str) -> list[dict[str, IssueValue]]:
        return [m["terms"] for m in self.moves if m["party"] == party and m["terms"] is not None]


@dataclass(frozen=True)
class Table:
    """The protocol's view of the negotiation between two moves."""

    round: int
    turn: int
    speaker: str
    at_table: tuple[str, ...]
    proposal: dict[str, IssueValue] | None
    proposer: str | None
    accepted_by: frozenset[str]
    status: Status
    ended_by: str | None = None  # what ended the negotiation, in words
    tier: int = 0  # position on the dispute-resolution ladder
    tier_start: int = 0  # the round the current tier began
    best_margin: float | None = None  # best decisive surplus of a proposal in this tier (see pactlab.domain.ladder)
    best_round: int = 0  # the round that proposal was made (or the tier began)
    remedy: str | None = None  # the remedy outside the tool, when the ladder ends in arbitration
    memory: tuple[Remembered, ...] = ()  # acceptances per term sheet this tier (protocols that remember them)


class TableRecord(TypedDict):
    """A Table as plain values: how it is checkpointed and recorded in the audit trail."""

    round: int
    turn: int
    speaker: str
    at_table: list[str]
    proposal: dict[str, IssueValue] | None
    proposer: str | None
    accepted_by: list[str]
    status: Status
    ended_by: str | None
    tier: NotRequired[int]
    tier_start: NotRequired[int]
    best_margin: NotRequired[float | None]
    best_round: NotRequired[int]
    remedy: NotRequired[str | None]
    memory: NotRequired[list[RememberedRecord]]  # only when not empty


def table_from_record(record: TableRecord) -> Table:
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
        tier=record.get("tier", 0),
        tier_start=record.get("tier_start", 0),
        best_margin=record.get("best_margin"),
        best_round=record.get("best_round", 0),
        remedy=record.get("remedy"),
        memory=tuple(
            Remembered(
                terms=dict(m["terms"]),
                accepted_by=frozenset(m["accepted_by"]),
                declined=dict(m.get("declined", {})),
                gained=m.get("gained", 0),
            )
            for m in record.get("memory", [])
        ),
    )


def table_record(table: Table) -> TableRecord:
    record = TableRecord(
        round=table.round,
        turn=table.turn,
        speaker=table.speaker,
        at_table=list(table.at_table),
        proposal=table.proposal,
        proposer=table.proposer,
        accepted_by=[p for p in table.at_table if p in table.accepted_by],  # speaking order, never the names'
        status=table.status,
        ended_by=table.ended_by,
        tier=table.tier,
        tier_start=table.tier_start,
        best_margin=table.best_margin,
        best_round=table.best_round,
        remedy=table.remedy,
    )
    if table.memory:
        record["memory"] = []
        for m in table.memory:
            entry = RememberedRecord(
                terms=dict(m.terms), accepted_by=[p for p in table.at_table if p in m.accepted_by], gained=m.gained
            )
            if m.declined:
                entry["declined"] = {p: m.declined[p] for p in table.at_table if p in m.declined}
            record["memory"].append(entry)
    return record


def opening_table(scenario: Scenario) -> Table:
    order = tuple(scenario.speaking_order())
    return Table(
        round=0,
        turn=0,
        speaker=order[0],
        at_table=order,
        proposal=None,
        proposer=None,
        accepted_by=frozenset(),
        status="open",
    )
