"""The policy gate: every move, and the final deal, checked against a policy set.

Which rules apply to what:

==========================  ======================================================================
rule kind                   checked on
==========================  ======================================================================
individual_rationality      an Accept (the accepting party's own utility and constraints); a
                            Propose (the proposer's own) if ``on_proposals``; the deal (every
                            signatory)
proportionality,            a Propose (parties at the table) if ``on_proposals``; an Accept that
fairness_bound              would conclude the deal (the would-be signatories); the deal
ip_follows_core_business    every Propose and Accept; the deal
transparency                every Propose
process                     every move (round limit, and the escalation history in the context)
==========================  ======================================================================

A rule that does not apply to a move gives no verdict; one that applies gives one verdict,
passed or not. A Propose whose terms do not fit the outcome space gets only the checks that
need no valid term sheet (transparency, process, IP); the protocol refuses it anyway.

The rules judge the meaning the scenario's clauses declare; a rule whose meaning a scenario does
not declare gives no verdict there (and `policies.applicability` reports it once per run).
Terms-only blocking rules also become mandate constraints (`policies.mandate`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from pactlab.domain.actions import Accept, Action, Propose
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, TermSheet, UtilityFunction
from pactlab.domain.protocol import signatories_if
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord, Table
from policies import rules
from policies.model import (
    FairnessBoundRule,
    IndividualRationalityRule,
    IpFollowsCoreBusinessRule,
    PolicySet,
    ProcessRule,
    ProportionalityRule,
    Rule,
    Severity,
    TransparencyRule,
)


@dataclass(frozen=True)
class MoveContext:
    """Everything the gate needs to judge one move, before it reaches the table."""

    scenario: Scenario
    space: OutcomeSpace
    utilities: Mapping[str, UtilityFunction]
    table: Table  # the table BEFORE the move
    party: str
    action: Action
    moves: Sequence[MoveRecord]  # the public record so far
    escalations: Sequence[tuple[str, int]] = ()  # (tier id, round) in the order entered


class Verdict(BaseModel):
    """One rule's decision on one move or deal, as the audit trail records it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: str
    kind: str
    severity: Severity
    policy_set: str
    policy_version: str
    passed: bool
    reason: str
    statement: str


def _verdict(policy_set: PolicySet, rule: Rule, check: rules.Check) -> Verdict:
    return Verdict(
        rule_id=rule.id,
        kind=rule.kind,
        severity=rule.severity,
        policy_set=policy_set.name,
        policy_version=policy_set.version,
        passed=check.passed,
        reason=check.reason,
        statement=rule.statement,
    )


def previous_proposal(ctx: MoveContext) -> dict[str, IssueValue] | None:
    """What a proposal answers: the proposal on the table, else the proposer's own last proposal."""
    if ctx.table.proposal is not None:
        return dict(ctx.table.proposal)
    for move in reversed(ctx.moves):
        if move["party"] == ctx.party and move["kind"] == "propose" and move["terms"] is not None:
            return dict(move["terms"])
    return None


def _concludes(ctx: MoveContext) -> frozenset[str] | None:
    """The would-be signatories if this move concludes the deal (an Accept; or, under a protocol that
    remembers acceptances, a Propose of terms others accepted before), else None."""
    return signatories_if(ctx.table, ctx.party, ctx.action, ctx.scenario, ctx.space)


def _ordered(scenario: Scenario, parties: frozenset[str] | Sequence[str]) -> tuple[str, ...]:
    return tuple(p for p in scenario.party_ids if p in parties)


def check_move(policy_set: PolicySet, ctx: MoveContext) -> list[Verdict]:
    """One verdict per rule that applies to the move (see the module docstring)."""
    action = ctx.action
    raw: Mapping[str, IssueValue] | None = None
    sheet: TermSheet | None = None
    if isinstance(action, Propose):
        raw = action.terms
    elif isinstance(action, Accept) and ctx.table.proposal is not None:
        raw = ctx.table.proposal
    if raw is not None:
        try:
            sheet = ctx.space.validate(raw)
        except InvalidOffer:
            sheet = None
    concluding = _concludes(ctx)

    def deal_for(parties: frozenset[str] | Sequence[str]) -> rules.Deal | None:
        if sheet is None:
            return None
        return rules.Deal(ctx.scenario, ctx.space, ctx.utilities, sheet, _ordered(ctx.scenario, parties))

    deal: rules.Deal | None = None
    if concluding is not None:
        deal = deal_for(concluding)
    elif isinstance(action, Propose):
        deal = deal_for(ctx.table.at_table)

    verdicts: list[Verdict] = []
    for rule in policy_set.rules:
        check: rules.Check | None = None
        if isinstance(rule, IndividualRationalityRule):
            mine = (isinstance(action, Propose) and rule.parameters.on_proposals) or isinstance(action, Accept)
            if mine and sheet is not None:
                check = rules.individual_rationality(ctx.utilities, sheet, [ctx.party])
        elif isinstance(rule, ProportionalityRule | FairnessBoundRule):
            applies = concluding is not None or (isinstance(action, Propose) and rule.parameters.on_proposals)
            if applies and deal is not None:
                if isinstance(rule, ProportionalityRule):
                    check = rules.proportionality(rule.parameters, deal)
                else:
                    check = rules.fairness_bound(rule.parameters, deal)
        elif isinstance(rule, IpFollowsCoreBusinessRule):
            if raw is not None:
                check = rules.ip_follows_core_business(rule.parameters, ctx.scenario, raw)
        elif isinstance(rule, TransparencyRule):
            if isinstance(action, Propose):
                check = rules.transparency(
                    rule.parameters, ctx.scenario, action.terms, action.rationale, previous_proposal(ctx)
                )
        elif isinstance(rule, ProcessRule):
            check = rules.process(rule.parameters, ctx.scenario, ctx.table.round, ctx.escalations)
        if check is not None:
            verdicts.append(_verdict(policy_set, rule, check))
    return verdicts


def check_deal(
    policy_set: PolicySet,
    scenario: Scenario,
    space: OutcomeSpace,
    utilities: Mapping[str, UtilityFunction],
    terms: TermSheet | Mapping[str, IssueValue],
    accepted_by: frozenset[str] | Sequence[str],
) -> list[Verdict]:
    """Verdicts on a concluded deal, binding the parties in `accepted_by` (the proposer included).

    A deal with a failed blocking verdict is not an agreement. Raises InvalidOffer if `terms`
    do not fit the outcome space.
    """
    sheet = terms if isinstance(terms, TermSheet) else space.validate(terms)
    deal = rules.Deal(scenario, space, utilities, sheet, _ordered(scenario, accepted_by))
    verdicts: list[Verdict] = []
    for rule in policy_set.rules:
        check: rules.Check | None = None
        if isinstance(rule, IndividualRationalityRule):
            check = rules.individual_rationality(utilities, sheet, deal.parties)
        elif isinstance(rule, ProportionalityRule):
            check = rules.proportionality(rule.parameters, deal)
        elif isinstance(rule, FairnessBoundRule):
            check = rules.fairness_bound(rule.parameters, deal)
        elif isinstance(rule, IpFollowsCoreBusinessRule):
            check = rules.ip_follows_core_business(rule.parameters, scenario, sheet.terms)
        if check is not None:
            verdicts.append(_verdict(policy_set, rule, check))
    return verdicts


def check_escalation(
    policy_set: PolicySet, scenario: Scenario, round_: int, escalations: Sequence[tuple[str, int]]
) -> list[Verdict]:
    """Verdicts of the process rules on an escalation history (the new escalation last)."""
    return [
        _verdict(policy_set, rule, rules.process(rule.parameters, scenario, round_, escalations))
        for rule in policy_set.rules
        if isinstance(rule, ProcessRule)
    ]


def blocking(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """Failed verdicts of blocking rules: the move or deal is refused."""
    return [v for v in verdicts if not v.passed and v.severity == "block"]


def warnings(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """Failed verdicts of warning rules: the move passes, the warning is recorded."""
    return [v for v in verdicts if not v.passed and v.severity == "warn"]


def feedback(verdicts: Sequence[Verdict]) -> str:
    """The message for an agent whose move was checked: each failed rule's statement and reason."""
    failed = [v for v in verdicts if not v.passed]
    if not failed:
        return ""
    refused = any(v.severity == "block" for v in failed)
    head = (
        f"Your move was refused under policy set {failed[0].policy_set} {failed[0].policy_version}:"
        if refused
        else f"Your move passed with warnings under policy set {failed[0].policy_set} {failed[0].policy_version}:"
    )
    lines = [head]
    for v in failed:
        tag = "blocked" if v.severity == "block" else "warning"
        lines.append(f'- [{tag}] {v.rule_id}: "{v.statement}" Why: {v.reason}.')
    if refused:
        lines.append("Make a move that satisfies these rules.")
    return "\n".join(lines)


__all__ = [
    "MoveContext",
    "Verdict",
    "blocking",
    "check_deal",
    "check_escalation",
    "check_move",
    "feedback",
    "previous_proposal",
    "warnings",
]
