"""The blocking rules that concern terms alone, as hard constraints on whatever the issues are called.

A negotiator that knows these never proposes or accepts terms the gate would refuse for their
content, which leaves the gate to judge what depends on the table: rationales, the order of
moves, the fairness of a deal. They are derived from meaning:

- IP follows core business: each foreground ownership issue is held to its options under which
  ownership follows core business (and every non-owner can be licensed enough); under each of
  those, the parties that own no IP of some field need one of their licence clauses at an option
  of at least the minimum scope.
- Transparency with disclosure first: each disclosure issue with dependent terms is held to its
  options at a disclosed level (the disclosure is always on the table).

A constraint that would exclude every option of an issue is left out: the rule cannot be met on
that scenario, and the gate refuses the deals (the constraint language has no empty list).
"""

from __future__ import annotations

import re

from pactlab.domain.clauses import LICENCE_SCOPES, IpOwnership, LicenceScope, non_owners
from pactlab.domain.constraints import Constraint
from pactlab.domain.issues import Issue
from pactlab.domain.scenario import Scenario
from policies.meaning import (
    covering,
    disclosed_options,
    disclosures,
    foreground_ownership,
    licence_options_at_least,
    licences_of,
    options_where,
    party_fields,
)
from policies.model import IpFollowsCoreBusinessRule, PolicySet, TransparencyRule
from policies.ownership import applies, ownership_problems

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def _literal(key: str) -> str:
    """An option key as a constraint value: bare when it reads as a word (yes/no: true, false), else quoted."""
    return key if _WORD.fullmatch(key) else f"'{key}'"


def _in(issue: Issue, keys: list[str]) -> str:
    return f"{issue.id} in [{', '.join(_literal(k) for k in keys)}]"


def _ownership_constraints(scenario: Scenario, issue: Issue, clause: IpOwnership, minimum: LicenceScope) -> list[str]:
    licences = licences_of(scenario, issue.id) if minimum != LICENCE_SCOPES[0] else []
    sufficient = {i.id: licence_options_at_least(c, i, minimum) for i, c in licences}
    fields = party_fields(scenario)
    needs: dict[str, list[str]] = {}  # licence requirement -> the ownership options it holds under
    acceptable: list[str] = []
    for key in options_where(clause.options, issue):
        meaning = clause.options[key]
        if ownership_problems(meaning, scenario):
            continue
        requirements: list[str] = []
        for party in non_owners(meaning, fields) if licences else {}:
            held = [(i, c) for i, c in covering(licences, party) if sufficient[i.id]]
            if not held:
                break  # this party cannot be licensed enough under this option
            requirements.append(" or ".join(_in(i, sufficient[i.id]) for i, _ in held))
        else:
            acceptable.append(key)
            for requirement in dict.fromkeys(requirements):
                needs.setdefault(requirement, []).append(key)
    if not acceptable:
        return []
    found = [_in(issue, acceptable)] if len(acceptable) < len(clause.options) else []
    for requirement, under in needs.items():
        found.append(requirement if under == acceptable else f"if {_in(issue, under)} then {requirement}")
    return found


def _disclosure_constraints(scenario: Scenario, rule: TransparencyRule) -> list[str]:
    found: list[str] = []
    for issue, clause in disclosures(scenario):
        keys = disclosed_options(clause, issue, rule.parameters.disclosed_levels)
        if clause.dependent_terms and keys and len(keys) < len(clause.options):
            found.append(_in(issue, keys))
    return found


def mandate_constraints(policy_set: PolicySet, scenario: Scenario) -> list[Constraint]:
    """The blocking rules that concern terms alone, as hard constraints for every party's mandate."""
    found: list[str] = []
    for rule in policy_set.rules:
        if rule.severity != "block":
            continue
        if isinstance(rule, IpFollowsCoreBusinessRule) and applies(scenario):
            for issue, clause in foreground_ownership(scenario):
                found += _ownership_constraints(scenario, issue, clause, rule.parameters.minimum_licence)
        elif isinstance(rule, TransparencyRule) and rule.parameters.disclosed_levels:
            found += _disclosure_constraints(scenario, rule)
    return [Constraint(text) for text in dict.fromkeys(found)]
