"""IP follows core business, judged on meaning: who owns each field's foreground IP, and who holds which licence.

For each foreground ip_ownership clause, under the option the terms give it:

1. *Ownership*: each field's IP goes to the party whose core business it is (the party that
   declares the field in ``fields``) and to it alone (`misowned_fields`). A single owner passes
   only if no other party declares a field; joint ownership and ownership by the inventing party
   never pass (every field gets every party, or no owner known in advance).
2. *Licence*: every party that does not own some field's IP (`non_owners`) holds at least the
   rule's `minimum_licence` through a licence clause about this IP that covers it (``to:
   non_owner``, ``all``, or naming it); of several, the broadest counts. A scenario that declares
   no licence clause for this IP leaves this part not applicable (reported once, see
   `policies.applicability`), never failed.

The rule does not apply to a scenario without a foreground ip_ownership clause, or whose parties
declare no fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pactlab.domain.clauses import (
    LICENCE_SCOPES,
    IpOwnership,
    LicenceScope,
    OwnerOption,
    misowned_fields,
    non_owners,
    scope_at_least,
)
from pactlab.domain.issues import Issue, IssueValue
from pactlab.domain.scenario import Scenario
from policies.meaning import agreed, covering, declares_fields, foreground_ownership, licences_of, party_fields, shown


@dataclass(frozen=True)
class OwnershipFinding:
    """What one ownership clause says under some terms: the problems, and a summary when there are none."""

    problems: list[str]
    summary: str


def _owners(owners: frozenset[str], meaning: OwnerOption, scenario: Scenario) -> str:
    if meaning.owner == "inventor":
        return "owned by whichever party invents it"
    if not owners:
        return "owned by no party"
    named = [p for p in scenario.party_ids if p in owners]  # scenario order: names carry no meaning
    return f"owned {'jointly ' if len(named) > 1 else ''}by {', '.join(named)}"


def ownership_problems(meaning: OwnerOption, scenario: Scenario) -> list[str]:
    """Why `meaning` does not give each field's IP to the party whose core business it is (empty: it does)."""
    fields = party_fields(scenario)
    holder = {field: party for party, declared in fields.items() for field in declared}
    return [
        f"{field} ({holder[field]}'s core business) would be {_owners(owners, meaning, scenario)}"
        for field, owners in misowned_fields(meaning, fields).items()
    ]


def licence_problems(
    issue: Issue, meaning: OwnerOption, scenario: Scenario, terms: Mapping[str, IssueValue], minimum: LicenceScope
) -> list[str]:
    """Which non-owner under `meaning` lacks a licence of at least `minimum` under `terms`.

    Empty when every non-owner holds one, or when the scenario declares no licence clause for the IP.
    """
    licences = licences_of(scenario, issue.id)
    if not licences or minimum == LICENCE_SCOPES[0]:
        return []
    problems: list[str] = []
    for party, lacking in non_owners(meaning, party_fields(scenario)).items():
        held = covering(licences, party)
        what = f"{party} does not own the IP of {', '.join(lacking)}"
        if not held:
            problems.append(f"{what} and no licence clause grants it one (it needs at least {minimum})")
            continue
        scopes = [m.scope for m in (agreed(c.options, i, terms) for i, c in held) if m is not None]
        best = max(scopes, key=LICENCE_SCOPES.index) if scopes else None
        if best is None or not scope_at_least(best, minimum):
            given = "; ".join(shown(i, terms) for i, _ in held)
            problems.append(f"{what} and holds {best or 'no valid licence'} ({given}); it needs at least {minimum}")
    return problems


def judge_ownership(
    issue: Issue, clause: IpOwnership, scenario: Scenario, terms: Mapping[str, IssueValue], minimum: LicenceScope
) -> OwnershipFinding:
    """Ownership and licence under the option `terms` give one ownership issue."""
    meaning = agreed(clause.options, issue, terms)
    if meaning is None:
        return OwnershipFinding([f"{shown(issue, terms)}: not an option of the issue"], "")
    problems = [f"{shown(issue, terms)}: {p}" for p in ownership_problems(meaning, scenario)]
    problems += licence_problems(issue, meaning, scenario, terms, minimum)
    licences = "; ".join(shown(i, terms) for i, _ in licences_of(scenario, issue.id) if i.id in terms)
    summary = f"{shown(issue, terms)}: each field's IP goes to the party whose core business it is"
    return OwnershipFinding(problems, summary + (f"; {licences}" if licences else ""))


def applies(scenario: Scenario) -> bool:
    """Whether the rule has anything to judge: a foreground ownership clause, and parties with fields."""
    return bool(foreground_ownership(scenario)) and declares_fields(scenario)
