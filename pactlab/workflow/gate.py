"""The policy gate inside a turn: every action is judged before it reaches the table.

A move that breaks a blocking rule (or the protocol) goes back to its negotiator with the
rules' statements and reasons, up to `ATTEMPTS` times in one turn. If every attempt is
blocked, the documented fallback acts in the party's name:

- a proposal of another party is on the table: **reject** it, citing the rules;
- otherwise, if the party proposed before: **repeat its last proposal** (it passed the gate
  when it was made, and an unchanged proposal changes no issue);
- otherwise: **walk away**, since the party cannot open within the policies.

The fallback is recorded as such. Warnings never block; they are recorded with the move.

The judgement itself (`Gate.judge`: the protocol, then the policies) is the one a rehearsal
uses to tell a person, before they send a draft, what the gate would say about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from agents.base import take_reports
from pactlab.domain.actions import Action, Propose, Reject, WalkAway
from pactlab.domain.ladder import escalations
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, UtilityFunction
from pactlab.domain.protocol import IllegalMove, check_legal
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import BlockedMove, MoveRecord, Table, Turn
from pactlab.workflow.context import NegotiationContext
from policies import MoveContext, PolicySet, Verdict, blocking, check_move, feedback

ATTEMPTS = 3
"""How many actions one turn may try before the fallback acts."""


class Judgement(NamedTuple):
    """What the gate says about one action."""

    verdicts: list[Verdict]  # every rule's verdict, warnings included (none when the protocol refused it)
    blocked: str | None  # why the action may not pass (protocol or blocking rules), or None


@dataclass(frozen=True)
class Gate:
    """What the gate judges by: the scenario, its outcome space, every party's utility, the policies.

    It judges for the operator, who holds every party's profile (some rules weigh the deal for
    each party); a seat's own view never reaches another party.
    """

    scenario: Scenario
    space: OutcomeSpace
    utilities: Mapping[str, UtilityFunction]
    policy_set: PolicySet | None

    @classmethod
    def of(cls, scenario: Scenario, policy_set: PolicySet | None, space: OutcomeSpace | None = None) -> Gate:
        space = space if space is not None else OutcomeSpace(scenario.issues)
        utilities = {p.id: UtilityFunction(space, p.private) for p in scenario.parties}
        return cls(scenario, space, utilities, policy_set)

    def judge(self, table: Table, action: Action, moves: Sequence[MoveRecord]) -> Judgement:
        """The verdicts on the speaker's `action` at `table` and, if it may not pass, why."""
        try:
            check_legal(table, table.speaker, action, self.space)
        except (IllegalMove, InvalidOffer) as exc:
            return Judgement([], f"the protocol does not allow this move: {exc}")
        if self.policy_set is None:
            return Judgement([], None)
        verdicts = check_move(
            self.policy_set,
            MoveContext(
                scenario=self.scenario,
                space=self.space,
                utilities=self.utilities,
                table=table,
                party=table.speaker,
                action=action,
                moves=moves,
                escalations=escalations(moves, self.scenario),
            ),
        )
        refused = blocking(verdicts)
        return Judgement(verdicts, feedback(refused) if refused else None)


def gate_of(ctx: NegotiationContext) -> Gate:
    """The gate of a run: its scenario, outcome space, parties' utilities and policies."""
    return Gate(ctx.scenario, ctx.space, ctx.utilities, ctx.policy_set)


@dataclass(frozen=True)
class Judged:
    """The action that goes on the table, with what the gate said on the way."""

    action: Action
    verdicts: list[Verdict]  # the verdicts on the action that passed (warnings included)
    attempts: int
    fallback: str | None  # why the fallback acted, if it did


def judge_turn(ctx: NegotiationContext, table: Table, turn: Turn, moves: Sequence[MoveRecord]) -> Judged:
    """Ask the speaker's negotiator for an action until one passes the gate, else fall back."""
    negotiator = ctx.negotiators[table.speaker]
    gate = gate_of(ctx)
    refused: list[BlockedMove] = []
    for attempt in range(ATTEMPTS):
        action = negotiator.act(replace(turn, blocked=tuple(refused)) if refused else turn)
        for n, report in enumerate(take_reports(negotiator)):
            ctx.record(report.kind, table.speaker, report.data, key=f"{report.kind}:{table.turn}:{attempt}:{n}")
        verdicts, reason = gate.judge(table, action, moves)
        record_gate(ctx, table, table.speaker, attempt, action, verdicts, reason)
        if reason is None:
            return Judged(action, verdicts, attempt + 1, None)
        refused.append(BlockedMove(action.kind, dict(action.terms) if isinstance(action, Propose) else None, reason))
    last = refused[-1].feedback
    return Judged(_fallback(table, moves, last), [], ATTEMPTS, last)


def record_gate(
    ctx: NegotiationContext,
    table: Table,
    actor: str,
    attempt: int,
    action: Action,
    verdicts: Sequence[Verdict],
    blocked: str | None,
) -> None:
    """The audit record of one gate decision (keyed by turn, actor and attempt: a replay adds nothing)."""
    ctx.record(
        "gate",
        "policy_gate",
        {
            "turn": table.turn,
            "party": actor,
            "attempt": attempt,
            "action": action.model_dump(mode="json"),
            "verdicts": [v.model_dump(mode="json") for v in verdicts],
            "blocked": blocked,
        },
        key=f"gate:{table.turn}:{actor}:{attempt}",
    )


def _fallback(table: Table, moves: Sequence[MoveRecord], why: str) -> Action:
    if table.proposal is not None and table.proposer != table.speaker:
        return Reject(
            reason=f"We cannot find a move within the policies: {why}", message="We must decline this proposal."
        )
    for move in reversed(moves):
        if move["party"] == table.speaker and move["kind"] == "propose" and move["terms"] is not None:
            return Propose(
                terms=move["terms"],
                message="We maintain our previous proposal.",
                rationale="No issue changed versus our previous proposal: the policy gate refused our revisions.",
            )
    return WalkAway(reason=f"We cannot open within the policies: {why}", message="We withdraw from this negotiation.")
