"""The negotiation protocols: how one move changes the table, for each `protocol.kind`.

Every protocol shares the turn-taking: parties speak in a fixed order (the opener first); a
round is one turn of every party still at the table; when the round limit is reached without
agreement the outcome is an impasse; a walk-away that leaves the agreement rule unreachable
ends the run. A proposal becomes an agreement as soon as the acceptances it holds meet the
scenario's agreement rule (a party's own proposal counts as its acceptance). What a move does:

``alternating`` (the default; multi-party alternating offers)
    A proposal goes to every other party; each in turn accepts it, counters with a proposal of
    its own (which replaces it and the acceptances collected), rejects it without a counter
    (the table is then empty and the next party proposes), or walks away.

``stacked`` (the Stacked Alternating Offers Protocol, SAOP: Aydoğan, Festen, Hindriks &
Jonker 2017, "Alternating Offers Protocols for Multilateral Negotiation")
    A bid stands until someone counters: each party in turn accepts the standing bid, makes a
    counter-bid (the new standing bid) or walks away. Beyond SAOP, a reject is a pass: the
    party declines to accept and the bid stands (so that the policy gate's fallback has a
    move that changes nothing, and a party outside the needed coalition need not wipe a bid).

``mediated`` (a single negotiating text from round 1; Fisher's one-text procedure, Raiffa
1982, as the ladder's mediation tier already plays it)
    At every round's start the mediator (re)tables its text (`pactlab.domain.ladder.needs_text`;
    the workflow's mediator drafts it, revised toward the parties that objected). Parties
    accept the text, or state an amendment (a proposal, on the record, counted as an objection)
    or reject it (an objection): the text stands either way. If no text stands (the mediator
    found none), a party's proposal is tabled as under ``stacked``.

Acceptance memory (`Protocol.remembers`: on for ``stacked`` and ``mediated`` unless the
scenario says otherwise, off for ``alternating``): the table remembers, per term sheet, every
party that proposed or accepted it; whenever identical terms are tabled again (by a party or
the mediator), those acceptances are back on the table with them. The memory is cleared when
the dispute goes up a tier (`pactlab.domain.ladder.escalate`: a new tier's negotiators are not
bound by the last tier's acceptances), and a party that walks away is dropped from it.

Pure functions of the scenario and the table, so that a resumed run plays exactly as the
uninterrupted one did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MEDIATOR, Remembered, Table, sheet_key
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


def remember(
    memory: tuple[Remembered, ...], terms: Mapping[str, IssueValue], party: str, round_: int
) -> tuple[Remembered, ...]:
    """The memory with `party` among those who proposed or accepted `terms` in `round_` (new sheets go last)."""
    key = sheet_key(terms)
    for n, entry in enumerate(memory):
        if sheet_key(entry.terms) == key:
            if party in entry.accepted_by:
                return memory
            declined = {p: r for p, r in entry.declined.items() if p != party}
            updated = Remembered(entry.terms, entry.accepted_by | {party}, declined, round_)
            return (*memory[:n], updated, *memory[n + 1 :])
    return (*memory, Remembered(terms=dict(terms), accepted_by=frozenset({party}), gained=round_))


def decline(
    memory: tuple[Remembered, ...], terms: Mapping[str, IssueValue], party: str, round_: int
) -> tuple[Remembered, ...]:
    """The memory noting that `party` did not accept the standing `terms` in `round_` (if they are remembered
    and the party does not hold them)."""
    key = sheet_key(terms)
    for n, entry in enumerate(memory):
        if sheet_key(entry.terms) == key and party not in entry.accepted_by:
            updated = replace(entry, declined={**entry.declined, party: round_})
            return (*memory[:n], updated, *memory[n + 1 :])
    return memory


def recall(memory: tuple[Remembered, ...], terms: Mapping[str, IssueValue]) -> frozenset[str]:
    """Who proposed or accepted exactly `terms` (empty if nobody did, or the protocol remembers nothing)."""
    key = sheet_key(terms)
    return next((entry.accepted_by for entry in memory if sheet_key(entry.terms) == key), frozenset())


def forget(memory: tuple[Remembered, ...], party: str) -> tuple[Remembered, ...]:
    """The memory without `party`'s acceptances (it walked away); sheets nobody holds any more are dropped."""
    kept = (
        replace(e, accepted_by=e.accepted_by - {party}, declined={p: r for p, r in e.declined.items() if p != party})
        for e in memory
    )
    return tuple(e for e in kept if e.accepted_by)


def apply_move(table: Table, party: str, action: Action, scenario: Scenario, space: OutcomeSpace) -> Table:
    """The table after `party` makes `action`: legality checked, agreement/deadline/walk-away decided."""
    sheet = check_legal(table, party, action, space)
    protocol = scenario.protocol
    kind, remembers = protocol.kind, protocol.remembers
    proposal, proposer, accepted = table.proposal, table.proposer, set(table.accepted_by)
    at_table, memory = table.at_table, table.memory
    if remembers and proposal is not None and isinstance(action, (Propose, Reject)):
        memory = decline(memory, proposal, party, table.round)
    if sheet is not None:
        if remembers:
            memory = remember(memory, sheet.terms, party, table.round)
        if kind != "mediated" or proposer != MEDIATOR:  # an amendment leaves the mediator's text standing
            proposal, proposer, accepted = sheet.terms, party, {party, *recall(memory, sheet.terms)}
    elif isinstance(action, Accept):
        accepted.add(party)
        if remembers and proposal is not None:
            memory = remember(memory, proposal, party, table.round)
    elif isinstance(action, Reject):
        if kind == "alternating":
            proposal, proposer, accepted = None, None, set()
        # stacked: a pass; mediated: an objection. The proposal stands either way.
    else:
        at_table = tuple(p for p in at_table if p != party)
        accepted.discard(party)
        memory = forget(memory, party)
        if proposer == party:
            proposal, proposer, accepted = None, None, set()
    after = replace(
        table,
        turn=table.turn + 1,
        at_table=at_table,
        proposal=proposal,
        proposer=proposer,
        accepted_by=frozenset(accepted),
        memory=memory,
    )
    if isinstance(action, WalkAway) and not protocol.agreement.still_possible(list(at_table), scenario.party_ids):
        return replace(after, status="walk_away", ended_by=f"{party} walked away: {action.reason}")
    concluded = concluded_table(after, scenario)
    if concluded is not None:
        return concluded
    speaker, round_ = _next_speaker(table.at_table, at_table, party, table.round)
    if round_ >= protocol.max_rounds:
        return replace(
            after, round=round_, status="impasse", ended_by=f"no agreement within {protocol.max_rounds} rounds"
        )
    return replace(after, round=round_, speaker=speaker)


def concluded_table(table: Table, scenario: Scenario) -> Table | None:
    """The table as an agreement, if the acceptances its proposal holds meet the agreement rule (else None)."""
    if table.proposal is None or not scenario.protocol.agreement.met(set(table.accepted_by), scenario.party_ids):
        return None
    in_order = ", ".join(
        p for p in scenario.party_ids if p in table.accepted_by
    )  # the scenario's order, never the names'
    return replace(
        table, status="agreement", ended_by=f"agreement on {table.proposer}'s proposal, accepted by {in_order}"
    )


def signatories_if(
    table: Table, party: str, action: Action, scenario: Scenario, space: OutcomeSpace
) -> frozenset[str] | None:
    """The parties bound if `action` concludes a deal (the policy gate judges that deal), else None.

    None too for a move the protocol refuses (the gate reports that apart).
    """
    if not isinstance(action, (Accept, Propose)):
        return None
    try:
        after = apply_move(table, party, action, scenario, space)
    except (BadInput, ValueError):
        return None
    return after.accepted_by if after.status == "agreement" else None


def _next_speaker(before: tuple[str, ...], after: tuple[str, ...], party: str, round_: int) -> tuple[str, int]:
    """Who speaks next, and the round they speak in (a new round starts when the order wraps)."""
    position = before.index(party)
    for step in range(1, len(before) + 1):
        candidate = before[(position + step) % len(before)]
        wrapped = position + step >= len(before)
        if candidate in after:
            return candidate, round_ + (1 if wrapped else 0)
    raise IllegalMove("nobody is left at the table")  # unreachable: walk-away ends the run first
