"""Multi-party alternating offers: how one move changes the table.

Parties speak in a fixed order (the opener first). A proposal goes to every other party; each
in turn accepts it or counters with a proposal of its own (which replaces it), rejects it
without a counter (the table is then empty and the next party proposes), or walks away. A
proposal becomes an agreement when the scenario's agreement rule is met (the proposer counts
as accepting its own). A round is one turn of every party still at the table; when the
round limit is reached without agreement, the outcome is an impasse.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, NotRequired, TypedDict

from pactlab.domain.actions import Accept, Propose, Reject, WalkAway
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet
from pactlab.domain.scenario import Scenario

Status = Literal["open", "agreement", "impasse", "walk_away"]


class IllegalMove(ValueError):
    """A move the protocol does not allow at this point (names the party, the turn and the fix)."""


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
        tier=table.tier,
        tier_start=table.tier_start,
        best_margin=table.best_margin,
        best_round=table.best_round,
        remedy=table.remedy,
    )


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


def check_legal(
    table: Table, party: str, action: Propose | Accept | Reject | WalkAway, space: OutcomeSpace
) -> TermSheet | None:
    """Raise IllegalMove (or InvalidOffer for a bad term sheet) if `party` may not make `action` now.

    Returns the validated term sheet of a proposal.
    """
    where = f"{party} at turn {table.turn} (round {table.round + 1})"
    if table.status != "open":
        raise IllegalMove(f"{where}: the negotiation has ended ({table.status})")
    if party != table.speaker:
        raise IllegalMove(f"{where}: it is {table.speaker}'s turn, not {party}'s")
    if isinstance(action, Propose):
        return space.validate(action.terms)
    if isinstance(action, (Accept, Reject)):
        verb = "accept" if isinstance(action, Accept) else "reject"
        if table.proposal is None:
            raise IllegalMove(f"{where}: there is no proposal on the table to {verb}; propose terms instead")
        if table.proposer == party:
            raise IllegalMove(f"{where}: cannot {verb} its own proposal; propose new terms instead")
        if isinstance(action, Accept) and party in table.accepted_by:
            raise IllegalMove(f"{where}: has already accepted this proposal")
    return None


def apply_move(
    table: Table, party: str, action: Propose | Accept | Reject | WalkAway, scenario: Scenario, space: OutcomeSpace
) -> Table:
    """The table after `party` makes `action`: legality checked, agreement/deadline/walk-away decided."""
    sheet = check_legal(table, party, action, space)
    rule = scenario.protocol.agreement
    proposal, proposer, accepted = table.proposal, table.proposer, set(table.accepted_by)
    at_table = table.at_table
    if sheet is not None:
        proposal, proposer, accepted = sheet.terms, party, {party}
    elif isinstance(action, Accept):
        accepted.add(party)
    elif isinstance(action, Reject):
        proposal, proposer, accepted = None, None, set()
    else:
        at_table = tuple(p for p in at_table if p != party)
        accepted.discard(party)
        if proposer == party:
            proposal, proposer, accepted = None, None, set()
    after = replace(
        table,
        turn=table.turn + 1,
        at_table=at_table,
        proposal=proposal,
        proposer=proposer,
        accepted_by=frozenset(accepted),
    )
    if isinstance(action, WalkAway) and not rule.still_possible(list(at_table), scenario.party_ids):
        return replace(after, status="walk_away", ended_by=f"{party} walked away: {action.reason}")
    if proposal is not None and rule.met(accepted, scenario.party_ids):
        ended_by = f"agreement on {proposer}'s proposal, accepted by {', '.join(sorted(accepted))}"
        return replace(after, status="agreement", ended_by=ended_by)
    speaker, round_ = _next_speaker(table.at_table, at_table, party, table.round)
    if round_ >= scenario.protocol.max_rounds:
        return replace(
            after, round=round_, status="impasse", ended_by=f"no agreement within {scenario.protocol.max_rounds} rounds"
        )
    return replace(after, round=round_, speaker=speaker)


def _next_speaker(before: tuple[str, ...], after: tuple[str, ...], party: str, round_: int) -> tuple[str, int]:
    """Who speaks next, and the round they speak in (a new round starts when the order wraps)."""
    position = before.index(party)
    for step in range(1, len(before) + 1):
        candidate = before[(position + step) % len(before)]
        wrapped = position + step >= len(before)
        if candidate in after:
            return candidate, round_ + (1 if wrapped else 0)
    raise IllegalMove("nobody is left at the table")  # unreachable: walk-away ends the run first
