"""Multi-party alternating offers: how one move changes the table.

Parties speak in a fixed order (the opener first). A proposal goes to every other party; each
in turn accepts it or counters with a proposal of its own (which replaces it), rejects it
without a counter (the table is then empty and the next party proposes), or walks away. A
proposal becomes an agreement when the scenario's agreement rule is met (the proposer counts
as accepting its own). A round is one turn of every party still at the table; when the
round limit is reached without agreement, the outcome is an impasse.
"""

from __future__ import annotations

from dataclasses import replace

from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import Table
from pactlab.errors import BadInput


class IllegalMove(BadInput, ValueError):
    """A move the protocol does not allow at this point (names the party, the turn and the fix)."""


def check_legal(table: Table, party: str, action: Action, space: OutcomeSpace) -> TermSheet | None:
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


def apply_move(table: Table, party: str, action: Action, scenario: Scenario, space: OutcomeSpace) -> Table:
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
        in_order = ", ".join(p for p in scenario.party_ids if p in accepted)  # the scenario's order, never the names'
        ended_by = f"agreement on {proposer}'s proposal, accepted by {in_order}"
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
