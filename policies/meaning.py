"""What a scenario's clauses say, looked up for the rules: the only place policies read a scenario's meaning.

The rules never name an issue, option or party: they ask this module which issues carry foreground
IP ownership, which licences cover which party, what the agreed option of a clause means, which
disclosures come first. Everything here is read from ``clause:`` on issues and ``fields:`` on
parties (`pactlab.domain.clauses`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pactlab.domain.clauses import (
    Disclosure,
    DisclosureLevel,
    IpOwnership,
    Licence,
    LicenceScope,
    OptionMeaning,
    licence_covers,
    licensed_issue,
    scope_at_least,
)
from pactlab.domain.issues import Issue, IssueValue, value_key
from pactlab.domain.scenario import Scenario

M = TypeVar("M", bound=OptionMeaning)


def party_fields(scenario: Scenario) -> dict[str, list[str]]:
    """{party id: its declared fields (core business)}, every party, in scenario order."""
    return {p.id: list(p.fields) for p in scenario.parties}


def declares_fields(scenario: Scenario) -> bool:
    """Whether any party declares its core business as fields of use."""
    return any(p.fields for p in scenario.parties)


def foreground_ownership(scenario: Scenario) -> list[tuple[Issue, IpOwnership]]:
    """The issues that decide who owns foreground IP, with their clauses, in scenario order."""
    return [
        (issue, clause)
        for issue, clause in scenario.clauses("ip_ownership")
        if isinstance(clause, IpOwnership) and clause.subject == "foreground"
    ]


def licences_of(scenario: Scenario, ownership_issue: str) -> list[tuple[Issue, Licence]]:
    """The foreground licence clauses about the IP that `ownership_issue` allocates."""
    owning = [issue.id for issue, _ in foreground_ownership(scenario)]
    return [
        (issue, clause)
        for issue, clause in scenario.clauses("licence")
        if isinstance(clause, Licence) and licensed_issue(clause, owning) == ownership_issue
    ]


def covering(licences: list[tuple[Issue, Licence]], party: str) -> list[tuple[Issue, Licence]]:
    """The licences among `licences` that `party` would hold as a non-owner."""
    return [(issue, clause) for issue, clause in licences if licence_covers(clause, party)]


def disclosures(scenario: Scenario) -> list[tuple[Issue, Disclosure]]:
    """The disclosure clauses, in scenario order."""
    return [(issue, clause) for issue, clause in scenario.clauses("disclosure") if isinstance(clause, Disclosure)]


def agreed(options: Mapping[str, M] | None, issue: Issue, terms: Mapping[str, IssueValue] | None) -> M | None:
    """The meaning of the option `terms` give `issue`; None if the terms lack it or it is no option."""
    if terms is None or issue.id not in terms or options is None:
        return None
    return options.get(value_key(terms[issue.id]))


def shown(issue: Issue, terms: Mapping[str, IssueValue] | None) -> str:
    """``issue = value`` as the terms give it (or ``issue missing``), for reasons."""
    if terms is None or issue.id not in terms:
        return f"{issue.id} missing"
    return f"{issue.id} = {value_key(terms[issue.id])}"


def options_where(options: Mapping[str, M], issue: Issue, keep: list[str] | None = None) -> list[str]:
    """Option keys of `issue` in the issue's own order, those in `keep` only (all if None)."""
    ordered = [value_key(v) for v in issue.values()]
    return [k for k in ordered if k in options and (keep is None or k in keep)]


def licence_options_at_least(clause: Licence, issue: Issue, minimum: LicenceScope) -> list[str]:
    """The options of a licence issue whose scope is at least `minimum`, in the issue's order."""
    good = [k for k, m in clause.options.items() if scope_at_least(m.scope, minimum)]
    return options_where(clause.options, issue, good)


def disclosed_options(clause: Disclosure, issue: Issue, levels: list[DisclosureLevel]) -> list[str]:
    """The options of a disclosure issue whose level is among `levels`, in the issue's order."""
    good = [k for k, m in clause.options.items() if m.level in levels]
    return options_where(clause.options, issue, good)
