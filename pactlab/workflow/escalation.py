"""The ladder inside the workflow: at each round's start, escalate a stalled dispute and let the
mediator table its text (at the ladder's mediation tier, or at every round under the ``mediated``
protocol, where a revision identical to the standing text is not tabled again).

Escalations are checked against the policy set's process rules (ladder order, cooling-off):
an escalation they refuse is deferred, and the deferral is recorded. The mediator's text passes
the same deal checks a concluded deal would (a text that could never be an agreement is not
tabled; the next best is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from agents.base import take_reports
from agents.mediator import StatedPreferences
from pactlab.domain.issues import IssueValue
from pactlab.domain.ladder import (
    decisive_surplus,
    escalate,
    escalation_due,
    escalations,
    needs_text,
    public_turn,
    table_text,
    track,
)
from pactlab.domain.table import MEDIATOR, MoveRecord, Table, move_record, sheet_key
from pactlab.workflow.context import NegotiationContext
from pactlab.workflow.gate import record_gate
from policies import blocking, check_deal, check_escalation, feedback

MAX_DRAFTS = 20
"""How many drafts the mediator may table in one go before it gives up (each refused by the deal checks)."""


def ladder_step(table: Table, moves: Sequence[MoveRecord], ctx: NegotiationContext) -> list[tuple[MoveRecord, Table]]:
    """At the start of a round: escalate if the parties stalled or the tier is over, then table the
    mediator's text if the tier is mediation and none stands. Returns each event with the table after it."""
    mediated = ctx.scenario.protocol.kind == "mediated"
    if table.status != "open" or not (ctx.scenario.dispute_ladder or mediated):
        return []
    if moves and moves[-1]["round"] >= table.round:
        return []
    events: list[tuple[MoveRecord, Table]] = []
    reason = escalation_due(ctx.scenario, table)
    if reason is not None:
        refused = _escalation_refused(table, moves, ctx)
        if refused is None:
            table, event = escalate(ctx.scenario, table, reason)
            events.append((event, table))
        else:
            ctx.record(
                "escalation_deferred",
                "ladder",
                {"round": table.round, "due": reason, "refused": refused},
                key=f"deferred:{table.round}",
            )
    if needs_text(ctx.scenario, table):
        table, text = _mediate(table, [*moves, *(e for e, _ in events)], ctx)
        if text is not None:
            events.append((text, table))
    return events


def tracked(table: Table, ctx: NegotiationContext) -> Table:
    """Note how close the proposal on the table is to agreement (the ladder's stall detection)."""
    if table.proposal is None or table.status != "open" or not ctx.scenario.dispute_ladder:
        return table
    sheet = ctx.space.validate(table.proposal)
    return track(table, decisive_surplus(ctx.scenario, table, {p: u(sheet) for p, u in ctx.utilities.items()}))


def _escalation_refused(table: Table, moves: Sequence[MoveRecord], ctx: NegotiationContext) -> str | None:
    if ctx.policy_set is None:
        return None
    ladder = ctx.scenario.dispute_ladder
    history = escalations(moves, ctx.scenario)
    if table.tier + 1 < len(ladder):
        history.append((ladder[table.tier + 1].id, table.round))
    refused = blocking(check_escalation(ctx.policy_set, ctx.scenario, table.round, history))
    return feedback(refused) if refused else None


def _mediate(table: Table, moves: Sequence[MoveRecord], ctx: NegotiationContext) -> tuple[Table, MoveRecord | None]:
    turn = public_turn(ctx.scenario, table, moves, MEDIATOR)
    stated = ctx.stated_preferences
    for attempt in range(MAX_DRAFTS):
        draft = ctx.mediator.draft(turn, stated)
        for n, report in enumerate(take_reports(ctx.mediator)):
            ctx.record(report.kind, MEDIATOR, report.data, key=f"{report.kind}:{table.turn}:{attempt}:{n}")
        if draft is None:
            break
        if table.proposer == MEDIATOR and table.proposal is not None and same_terms(draft.terms, table.proposal):
            return table, None  # the revision is the text already standing: it stays, with its acceptances
        verdicts = (
            check_deal(ctx.policy_set, ctx.scenario, ctx.space, ctx.utilities, draft.terms, table.at_table)
            if ctx.policy_set is not None
            else []
        )
        refused = blocking(verdicts)
        record_gate(ctx, table, MEDIATOR, attempt, draft, verdicts, feedback(refused) if refused else None)
        if not refused:
            after = table_text(table, draft.terms, ctx.scenario)
            return tracked(after, ctx), move_record(table.turn, table.round, MEDIATOR, draft)
        if stated is None:
            break
        stated = without(stated, draft.terms)
    ctx.record("mediation_failed", MEDIATOR, {"round": table.round}, key=f"mediation_failed:{table.round}")
    return table, None


def same_terms(a: Mapping[str, IssueValue], b: Mapping[str, IssueValue]) -> bool:
    return sheet_key(a) == sheet_key(b)


def without(stated: StatedPreferences, terms: dict[str, IssueValue]) -> StatedPreferences:
    """The stated preferences minus one candidate (a draft the deal checks refused)."""
    keep = [i for i, c in enumerate(stated.candidates) if dict(c) != terms]
    return StatedPreferences(
        parties=stated.parties,
        candidates=[stated.candidates[i] for i in keep],
        utilities=stated.utilities[keep],
        reservations=stated.reservations,
        rule=stated.rule,
        search=stated.search,
        excluded=(*stated.excluded, dict(terms)),
    )
