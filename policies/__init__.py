"""The rules a negotiation runs under: policy sets, rule kinds and the policy gate.

Rules judge what the scenario's clauses mean (`pactlab.domain.clauses`), never ids, so a policy set
runs on any valid scenario.

- `policies.model`: `PolicySet` and its rules (YAML, validated with file:line:field errors);
- `policies.meaning`: what a scenario's clauses say, looked up for the rules;
- `policies.rules`: the rule kinds, small pure checks (with `policies.ownership` for IP and
  licences, `policies.shares` for cost, risk and benefit shares);
- `policies.applicability`: the rules (or parts) a scenario leaves without anything to judge;
- `policies.mandate`: terms-only blocking rules as hard constraints for negotiators' mandates;
- `policies.gate`: `check_move` before each move reaches the table, `check_deal` on the final deal;
- `policies.catalog`: the shipped sets (`fair-and-open`, `minimal`) and `load_policy_set`.
"""

from policies.applicability import NotApplicable, not_applicable, not_applicable_note
from policies.catalog import load_policy_set, resolve_policy_set, shipped_policy_sets
from policies.gate import (
    MoveContext,
    Verdict,
    blocking,
    check_deal,
    check_escalation,
    check_move,
    feedback,
    previous_proposal,
    warnings,
)
from policies.mandate import mandate_constraints
from policies.model import PolicySet, Rule, Severity
from policies.rules import Check, Deal

__all__ = [
    "Check",
    "Deal",
    "MoveContext",
    "NotApplicable",
    "PolicySet",
    "Rule",
    "Severity",
    "Verdict",
    "blocking",
    "check_deal",
    "check_escalation",
    "check_move",
    "feedback",
    "load_policy_set",
    "mandate_constraints",
    "not_applicable",
    "not_applicable_note",
    "previous_proposal",
    "resolve_policy_set",
    "shipped_policy_sets",
    "warnings",
]
