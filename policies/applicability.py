"""Which rules, or parts of rules, a scenario gives nothing to judge: reported once per run, never an error.

A policy set is written once and runs on any valid scenario. A rule whose meaning the scenario
does not declare — no foreground ip_ownership clause, no party fields, no licence clause for
that IP, no disclosure clause with dependent terms, no cost or risk clause that is weighed, no
dispute ladder — is *not applicable* there: its checks give no verdict (or skip that part) and
the run says so once, in the run start audit record, the CLI header and the scorecard.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pactlab.domain.clauses import LICENCE_SCOPES, CostShare
from pactlab.domain.scenario import Scenario
from policies.meaning import declares_fields, disclosures, foreground_ownership, licences_of
from policies.model import (
    IpFollowsCoreBusinessRule,
    PolicySet,
    ProcessRule,
    ProportionalityRule,
    Rule,
    TransparencyRule,
)
from policies.shares import weighed_clauses


class NotApplicable(BaseModel):
    """A rule (or part of one) the scenario gives nothing to judge, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(description="The rule's id in its policy set.")
    reason: str = Field(description="What the scenario does not declare, and which part of the rule is not applied.")


def _ownership(scenario: Scenario, rule: IpFollowsCoreBusinessRule) -> list[str]:
    owning = foreground_ownership(scenario)
    if not owning:
        return ["not applied: the scenario declares no ip_ownership clause for foreground IP"]
    if not declares_fields(scenario):
        return ["not applied: no party declares its core business as fields ('fields:'), so no IP has a natural owner"]
    if rule.parameters.minimum_licence == LICENCE_SCOPES[0]:
        return []
    unlicensed = [issue.id for issue, _ in owning if not licences_of(scenario, issue.id)]
    if not unlicensed:
        return []
    return [f"licence part not applied: no licence clause for the foreground IP of {', '.join(unlicensed)}"]


def _proportionality(scenario: Scenario) -> list[str]:
    if weighed_clauses(scenario):
        return []
    unweighed = [issue.id for issue, c in scenario.clauses("cost_share") if isinstance(c, CostShare) and not c.weighed]
    why = f" ({', '.join(unweighed)} is a cost share with weighed: false)" if unweighed else ""
    return [f"not applied: the scenario declares no cost_share or risk_allocation clause to weigh{why}"]


def _transparency(scenario: Scenario, rule: TransparencyRule) -> list[str]:
    if not rule.parameters.disclosed_levels:
        return []
    found = disclosures(scenario)
    if not found:
        return ["disclosure-first part not applied: the scenario declares no disclosure clause"]
    if not any(clause.dependent_terms for _, clause in found):
        return ["disclosure-first part not applied: no disclosure clause names dependent_terms"]
    return []


def _process(scenario: Scenario, rule: ProcessRule) -> list[str]:
    asks = rule.parameters.ladder_order or rule.parameters.cooling_off_rounds > 0
    if asks and not scenario.dispute_ladder:
        return ["ladder part not applied: the scenario has no dispute ladder"]
    return []


def _reasons(rule: Rule, scenario: Scenario) -> list[str]:
    if isinstance(rule, IpFollowsCoreBusinessRule):
        return _ownership(scenario, rule)
    if isinstance(rule, ProportionalityRule):
        return _proportionality(scenario)
    if isinstance(rule, TransparencyRule):
        return _transparency(scenario, rule)
    if isinstance(rule, ProcessRule):
        return _process(scenario, rule)
    return []  # individual rationality and the fairness bound judge utilities: they always apply


def not_applicable(policy_set: PolicySet, scenario: Scenario) -> list[NotApplicable]:
    """One entry per rule of `policy_set` that `scenario` leaves (partly) without anything to judge."""
    found: list[NotApplicable] = []
    for rule in policy_set.rules:
        reasons = _reasons(rule, scenario)
        if reasons:
            found.append(NotApplicable(rule=rule.id, reason="; ".join(reasons)))
    return found


def not_applicable_note(policy_set: PolicySet | None, scenario: Scenario) -> str:
    """The not-applicable rules as lines for a run's header (each ends with a newline); empty if none."""
    if policy_set is None:
        return ""
    return "".join(f"  not applicable: {n.rule}: {n.reason}\n" for n in not_applicable(policy_set, scenario))
