"""The dispute-resolution ladder: when a stalled negotiation goes up a tier, and what that does.

The negotiation starts at the ladder's first tier. At every round boundary the workflow asks
`escalation_due`: the parties have stalled when no proposal improved the decisive surplus (see
`decisive_surplus`) for `protocol.stall_rounds` rounds, and a tier is over when its
`max_rounds` are used up. `escalate` then moves the table to the next tier — executives with
a wider mandate, a mediator's single negotiating text — or, when the next tier is arbitration
or the ladder is exhausted, ends the negotiation as a walk-away with arbitration noted as the
remedy outside the tool. Every escalation is a public event on the table, with its reason.

Pure functions of the scenario and the table (the margin comes from the caller, who holds the
utilities), so a resumed run escalates exactly as the uninterrupted one did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from pactlab.domain.issues import IssueValue
from pactlab.domain.protocol import concluded_table, recall
from pactlab.domain.scenario import DisputeTier, Scenario
from pactlab.domain.table import LADDER, MEDIATOR, MoveRecord, Table, TierView, Turn

ROUTE = " -> "
"""An escalation's rationale is its route, `from_tier -> to_tier` (or `-> walk-away`): `escalations` reads it back."""

IMPROVEMENT = 1e-6
"""A proposal improves on the tier's best when its decisive surplus is higher by more than this."""


def decisive_surplus(scenario: Scenario, table: Table, utilities: Mapping[str, float]) -> float:
    """How close a proposal is to agreement: the surplus over its reservation value of the party
    whose acceptance decides under the agreement rule (parties still at the table only).

    `utilities` maps each party to its utility of the proposal.
    """
    surplus = {p.id: utilities[p.id] - p.private.reservation_value for p in scenario.parties if p.id in table.at_table}
    return scenario.protocol.agreement.decisive(surplus)


def track(table: Table, margin: float) -> Table:
    """The table after a proposal with decisive surplus `margin`: the tier's best, if it improved."""
    if table.best_margin is None or margin > table.best_margin + IMPROVEMENT:
        return replace(table, best_margin=margin, best_round=table.round)
    return table


def current_tier(scenario: Scenario, table: Table) -> DisputeTier | None:
    ladder = scenario.dispute_ladder
    return ladder[table.tier] if table.tier < len(ladder) else None


def tier_view(scenario: Scenario, table: Table) -> TierView | None:
    """The public view of the current tier (None without a ladder)."""
    tier = current_tier(scenario, table)
    if tier is None:
        return None
    ladder = scenario.dispute_ladder
    left = scenario.protocol.max_rounds - table.tier_start
    rounds = min(tier.max_rounds or left, left)
    final = all(t.kind == "arbitration" for t in ladder[table.tier + 1 :])
    previous = ladder[table.tier - 1].mandate if table.tier > 0 else 0.0
    return TierView(
        id=tier.id,
        name=tier.name,
        kind=tier.kind,
        index=table.tier,
        start_round=table.tier_start,
        rounds=max(rounds, 1),
        mandate_from=previous,
        mandate_to=tier.mandate,
        final=final,
    )


def escalation_due(scenario: Scenario, table: Table) -> str | None:
    """Why the dispute must go up a tier now, at the start of `table.round` (None: it need not)."""
    tier = current_tier(scenario, table)
    if table.status != "open" or tier is None:
        return None
    played = table.round - table.tier_start
    if tier.max_rounds is not None and played >= tier.max_rounds:
        return f"the {tier.name} tier's time limit of {tier.max_rounds} round(s) is used up"
    stall = scenario.protocol.stall_rounds
    if stall is not None and tier.kind != "arbitration" and table.round - table.best_round > stall:
        if table.best_margin is None:
            return f"no proposal in {stall} round(s) at the {tier.name} tier"
        return (
            f"no improving offer for {stall} round(s) at the {tier.name} tier (the best, in round "
            f"{table.best_round + 1}, left the decisive party {table.best_margin:+.3f} from its reservation value)"
        )
    return None


def escalate(scenario: Scenario, table: Table, reason: str) -> tuple[Table, MoveRecord]:
    """Move the dispute to the next tier; end the negotiation if that tier is arbitration or none is left."""
    ladder = scenario.dispute_ladder
    here = ladder[table.tier]
    nxt = ladder[table.tier + 1] if table.tier + 1 < len(ladder) else None
    if nxt is None or nxt.kind == "arbitration":
        if nxt is None:
            remedy = None
            ended = f"the dispute-resolution ladder is exhausted after {here.name} ({reason}); the parties walk away"
        else:
            remedy = f"{nxt.name}: {nxt.description}".rstrip(": ")
            ended = (
                f"escalated past {here.name} ({reason}); the parties walk away, and the remedy is {nxt.name}, "
                "outside pactlab"
            )
        after = replace(
            table,
            turn=table.turn + 1,
            tier=table.tier + (0 if nxt is None else 1),
            tier_start=table.round,
            status="walk_away",
            ended_by=ended,
            remedy=remedy,
        )
        message = ended[0].upper() + ended[1:] + "."
        target = "walk-away" if nxt is None else nxt.id
    else:
        after = replace(
            table,
            turn=table.turn + 1,
            tier=table.tier + 1,
            tier_start=table.round,
            best_margin=None,
            best_round=table.round,
            memory=(),  # a new tier's negotiators are not bound by the last tier's acceptances
        )
        message = f"The dispute goes from {here.name} to {nxt.name}: {nxt.description}".rstrip(": .") + "."
        target = nxt.id
    move = MoveRecord(
        turn=table.turn,
        round=table.round,
        party=LADDER,
        kind="escalate",
        terms=None,
        message=message,
        rationale=f"{here.id}{ROUTE}{target}",
        reason=reason,
    )
    return after, move


def needs_text(scenario: Scenario, table: Table) -> bool:
    """Whether the mediator should (re)draft its text now, at a round's start: at a mediation tier with no
    text standing; under the ``mediated`` protocol, at every round (the text is revised toward objectors)."""
    if table.status != "open":
        return False
    if scenario.protocol.kind == "mediated":
        return True
    tier = current_tier(scenario, table)
    return tier is not None and tier.kind == "mediation" and table.proposer != MEDIATOR


def table_text(table: Table, terms: Mapping[str, IssueValue], scenario: Scenario | None = None) -> Table:
    """The table with the mediator's single negotiating text on it.

    Nobody has accepted it yet, unless the protocol remembers acceptances of identical terms
    (`pactlab.domain.protocol`): then they are back, and may conclude the deal.
    """
    held = recall(table.memory, terms) if scenario is not None and scenario.protocol.remembers else frozenset()
    after = replace(table, turn=table.turn + 1, proposal=dict(terms), proposer=MEDIATOR, accepted_by=held)
    concluded = concluded_table(after, scenario) if scenario is not None and held else None
    return concluded if concluded is not None else after


def escalations(moves: Sequence[MoveRecord], scenario: Scenario) -> list[tuple[str, int]]:
    """The (tier id, round) history the process rule checks: the start, then every escalation."""
    history: list[tuple[str, int]] = []
    if scenario.dispute_ladder:
        history.append((scenario.dispute_ladder[0].id, 0))
    for move in moves:
        if move["kind"] == "escalate":
            target = move["rationale"].split(ROUTE)[-1]
            if target != "walk-away":
                history.append((target, move["round"]))
    return history


def public_turn(scenario: Scenario, table: Table, moves: Sequence[MoveRecord], party: str) -> Turn:
    """What `party` (or the mediator) is shown at the table now: the public record and the tier."""
    return Turn(
        party=party,
        round=table.round,
        max_rounds=scenario.protocol.max_rounds,
        turn=table.turn,
        parties_at_table=table.at_table,
        proposal=table.proposal,
        proposer=table.proposer,
        accepted_by=table.accepted_by,
        moves=moves,
        tier=tier_view(scenario, table),
        remembered=table.memory,
    )
