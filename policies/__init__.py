"""The rules a negotiation runs under: policy sets, rule kinds and the policy gate.

- `policies.model`: `PolicySet` and its rules (YAML, validated with file:line:field errors);
- `policies.rules`: the rule kinds, small pure checks;
- `policies.gate`: `check_move` before each move reaches the table, `check_deal` on the final deal;
- `policies.catalog`: the shipped sets (`fair-and-open`, `minimal`) and `load_policy_set`.
"""

from policies.catalog import load_policy_set, policy_problems, resolve_policy_set, shipped_policy_sets
from policies.gate import (
    MoveContext,
    Verdict,
    blocking,
    check_deal,
    check_escalation,
    check_move,
    feedback,
    mandate_constraints,
    previous_proposal,
    warnings,
)
from policies.model import PolicySet, Rule, RuleProblem, Severity
from policies.rules import Check, Deal

__all__ = [
    "Check",
    "Deal",
    "MoveContext",
    "PolicySet",
    "Rule",
    "RuleProblem",
    "Severity",
    "Verdict",
    "blocking",
    "check_deal",
    "check_escalation",
    "check_move",
    "feedback",
    "load_policy_set",
    "mandate_constraints",
    "policy_problems",
    "previous_proposal",
    "resolve_policy_set",
    "shipped_policy_sets",
    "warnings",
]
