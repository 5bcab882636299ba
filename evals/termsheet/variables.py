"""What a clause's wording template can use: the parties by name, and the meaning of the agreed option.

`clause_variables` turns an issue's clause (pactlab.domain.clauses) and the agreed value into
plain values for a Jinja2 template: parties as `PartyView` (prints as the party's name),
shares in percent, fields and dispute tiers by their names. Templates therefore never see ids
or guess roles: who owns, who pays, who holds a licence comes from the clause itself.

Party lists (`parties`, `holders`, `payees`, `grantors`, `recipients`, …) hold the parties that
signed the agreement, in scenario order: a party that did not sign is not bound by its terms.
A role a clause gives to one party (`payer`, `customer`, `discloser`, …) names that party
whether or not it signed.

The variables of each clause kind are listed in the README's term-sheet section; `COMMON` and
`KIND_VARIABLES` list them for error messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pactlab.domain.clauses import (
    Benefit,
    Clause,
    Commercialisation,
    CostShare,
    Disclosure,
    DisputeResolution,
    Exclusivity,
    IpOwnership,
    Licence,
    OwnerOption,
    Payment,
    Publication,
    RiskAllocation,
    Royalty,
    owners_by_field,
)
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, IssueValue, NumericIssue, value_key
from pactlab.domain.scenario import Party, Scenario

AnyIssue = CategoricalIssue | NumericIssue | BooleanIssue

COMMON: tuple[str, ...] = ("issue", "value", "value_text", "unit", "option", "parties")
"""Variables every clause's template has."""

KIND_VARIABLES: dict[str, tuple[str, ...]] = {
    "ip_ownership": ("subject", "owner_kind", "owner", "owners", "fields", "field_owners"),
    "licence": ("subject", "scope", "limited_to", "to", "holders", "grantors"),
    "commercialisation": ("scope", "holders", "customer"),
    "exclusivity": ("months", "grantors", "beneficiary"),
    "royalty": ("rate", "payer", "payees", "base"),
    "payment": ("amount", "payer", "payees", "trigger"),
    "cost_share": ("shares", "by_benefit", "bearer", "bearer_percent", "rest", "rest_percent", "cap"),
    "risk_allocation": ("shares", "by_benefit", "bearer", "bearer_percent", "rest", "rest_percent", "cap"),
    "benefit": ("shares",),
    "disclosure": ("level", "subject", "discloser", "recipients"),
    "publication": ("months", "publisher", "recipients"),
    "dispute_resolution": ("tiers",),
    "other": (),
}
"""Variables each clause kind adds to `COMMON`."""


@dataclass(frozen=True)
class PartyView:
    """A party as templates see it; `{{ party }}` prints its name."""

    id: str
    name: str
    core_business: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class IssueView:
    id: str
    name: str
    description: str
    unit: str


@dataclass(frozen=True)
class FieldView:
    """A field of use (its id read as words) and the parties that own its IP."""

    name: str
    owners: tuple[PartyView, ...]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class FieldOwner:
    """A party and the fields of use whose IP it owns (or its core business, with no fields declared)."""

    party: PartyView
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Share:
    party: PartyView
    percent: float


@dataclass(frozen=True)
class TierView:
    id: str
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class Signatories:
    """The scenario and the parties bound by the agreement, as templates name them."""

    scenario: Scenario
    signed: tuple[str, ...]
    views: dict[str, PartyView] = field(init=False)

    def __post_init__(self) -> None:
        views = {p.id: _view(p) for p in self.scenario.parties}
        object.__setattr__(self, "views", views)

    def party(self, party_id: str) -> PartyView:
        return self.views.get(party_id) or PartyView(id=party_id, name=party_id, core_business="")

    @property
    def parties(self) -> list[PartyView]:
        return [self.views[p] for p in self.scenario.party_ids if p in self.signed]

    def bound(self, party_ids: Sequence[str]) -> list[PartyView]:
        """The listed parties that signed, in scenario order (all listed ones if none signed)."""
        listed = [p for p in self.scenario.party_ids if p in party_ids]
        kept = [p for p in listed if p in self.signed] or listed
        return [self.party(p) for p in kept]

    def others(self, *party_ids: str) -> list[PartyView]:
        return [p for p in self.parties if p.id not in party_ids]


def _view(party: Party) -> PartyView:
    return PartyView(
        id=party.id,
        name=party.name,
        core_business=party.core_business,
        fields=tuple(words(f) for f in party.fields),
    )


def words(identifier: str) -> str:
    """An identifier read as words: 'rotor_blade_design' -> 'rotor blade design'."""
    return identifier.replace("_", " ")


def number(x: float | int) -> str:
    """A number without a trailing '.0'."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(round(x, 6)) if isinstance(x, float) else str(x)


def with_unit(x: float | int, unit: str) -> str:
    if not unit:
        return number(x)
    return f"{number(x)}{unit}" if unit == "%" else f"{number(x)} {unit}"


def value_text(sig: Signatories, issue: AnyIssue | None, value: IssueValue | None) -> str:
    """A value as people read it: '24 months', '10%', 'split by field', a party's name, 'yes'."""
    if value is None:
        return "(not proposed)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return with_unit(value, issue.unit if isinstance(issue, NumericIssue) else "")
    clause = getattr(issue, "clause", None)
    if isinstance(clause, IpOwnership) and value in clause.options:
        owner = clause.options[value].owner  # an owner named by the clause, never guessed from the option's id
        if owner in sig.views:
            return sig.views[owner].name
    return words(value)


def clause_variables(
    sig: Signatories, issue: AnyIssue, value: IssueValue, terms: Mapping[str, IssueValue]
) -> dict[str, Any]:
    """Every variable the wording template of `issue` (valued `value`, the deal being `terms`) can use."""
    unit = issue.unit if isinstance(issue, NumericIssue) else ""
    option = None if isinstance(value, (bool, int, float)) else value
    variables: dict[str, Any] = {
        "issue": IssueView(id=issue.id, name=issue.label, description=issue.description, unit=unit),
        "value": value,
        "value_text": value_text(sig, issue, value),
        "unit": unit,
        "option": option,
        "parties": sig.parties,
    }
    clause = issue.clause
    if clause is not None:
        variables.update(_kind_variables(sig, clause, issue, value, terms))
    return variables


def _meaning(clause: Clause, value: IssueValue) -> Any:
    options = getattr(clause, "options", None)
    if not options:
        return None
    return options.get(value_key(value))


def _numeric(value: IssueValue) -> float | int | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _kind_variables(
    sig: Signatories, clause: Clause, issue: AnyIssue, value: IssueValue, terms: Mapping[str, IssueValue]
) -> dict[str, Any]:
    meaning = _meaning(clause, value)
    if isinstance(clause, IpOwnership):
        return {"subject": clause.subject, **_ownership(sig, meaning)}
    if isinstance(clause, Licence):
        return _licence(sig, clause, meaning, terms)
    if isinstance(clause, Commercialisation):
        return {
            "scope": getattr(meaning, "scope", None),
            "holders": sig.bound(clause.holders),
            "customer": sig.party(clause.customer),
        }
    if isinstance(clause, Exclusivity):
        months = getattr(meaning, "months", None) if meaning is not None else _numeric(value)
        return {"months": months, "grantors": sig.bound(clause.grantors), "beneficiary": sig.party(clause.beneficiary)}
    if isinstance(clause, Royalty):
        rate = getattr(meaning, "rate", None) if meaning is not None else _numeric(value)
        return {"rate": rate, "payer": sig.party(clause.payer), "payees": sig.bound(clause.payees), "base": clause.base}
    if isinstance(clause, Payment):
        amount = getattr(meaning, "amount", None) if meaning is not None else _numeric(value)
        return {
            "amount": amount,
            "unit": clause.unit or (issue.unit if isinstance(issue, NumericIssue) else ""),
            "payer": sig.party(clause.payer),
            "payees": sig.bound(clause.payees),
            "trigger": clause.trigger,
        }
    if isinstance(clause, (CostShare, RiskAllocation)):
        return _shares(sig, clause, meaning, value)
    if isinstance(clause, Benefit):
        shares = getattr(meaning, "shares", None)
        return {"shares": _share_list(sig, shares) if isinstance(shares, dict) else []}
    if isinstance(clause, Disclosure):
        return {
            "level": getattr(meaning, "level", None),
            "subject": clause.subject,
            "discloser": sig.party(clause.discloser),
            "recipients": sig.others(clause.discloser),
        }
    if isinstance(clause, Publication):
        months = getattr(meaning, "months", None) if meaning is not None else _numeric(value)
        return {"months": months, "publisher": sig.party(clause.publisher), "recipients": sig.others(clause.publisher)}
    if isinstance(clause, DisputeResolution):
        return {"tiers": _tiers(sig.scenario, getattr(meaning, "tiers", []))}
    return {}


def _ownership(sig: Signatories, meaning: OwnerOption | None) -> dict[str, Any]:
    empty: dict[str, Any] = {"owner_kind": None, "owner": None, "owners": [], "fields": [], "field_owners": []}
    if meaning is None:
        return empty
    parties = sig.parties
    fields = _field_views(sig, meaning)
    if meaning.owner == "joint":
        return {**empty, "owner_kind": "joint", "owners": parties, "fields": fields}
    if meaning.owner == "inventor":
        return {**empty, "owner_kind": "inventor", "fields": fields}
    if meaning.owner == "by_field":
        owners = [p for p in parties if any(p in f.owners for f in fields)] or parties
        by_party = [
            FieldOwner(party=p, fields=tuple(f.name for f in fields if f.owners == (p,)) or (p.core_business,))
            for p in owners
        ]
        return {**empty, "owner_kind": "by_field", "owners": owners, "fields": fields, "field_owners": by_party}
    owner = sig.party(meaning.owner)
    return {**empty, "owner_kind": "party", "owner": owner, "owners": [owner], "fields": fields}


def _field_views(sig: Signatories, meaning: OwnerOption) -> list[FieldView]:
    declared = {p.id: sig.scenario.party(p.id).fields for p in sig.parties}
    return [
        FieldView(name=words(f), owners=tuple(sig.party(o) for o in sig.scenario.party_ids if o in holders))
        for f, holders in owners_by_field(meaning, declared).items()
    ]


def _licence(sig: Signatories, clause: Licence, meaning: Any, terms: Mapping[str, IssueValue]) -> dict[str, Any]:
    owners: list[PartyView] | None = None
    if clause.subject == "foreground":
        owning = _ownership_issue(sig.scenario, clause.of)
        if owning is not None and owning.id in terms:
            ownership = _ownership(sig, _meaning(owning.clause, terms[owning.id]) if owning.clause else None)
            if ownership["owner_kind"] in ("party", "joint"):
                owners = ownership["owners"]
    if clause.to == "all":
        holders, grantors = sig.parties, sig.parties
    elif clause.to == "non_owner":
        grantors = owners if owners is not None else sig.parties
        holders = [p for p in sig.parties if p not in grantors] if owners is not None else sig.parties
    else:
        holders = [sig.party(clause.to)]
        grantors = sig.others(clause.to)
    return {
        "subject": clause.subject,
        "scope": getattr(meaning, "scope", None),
        "limited_to": getattr(meaning, "limited_to", None),
        "to": clause.to,
        "holders": holders,
        "grantors": grantors,
    }


def _ownership_issue(scenario: Scenario, of: str | None) -> AnyIssue | None:
    owning = [i for i, c in scenario.clauses("ip_ownership") if of is None or i.id == of]
    return owning[0] if len(owning) == 1 else None


def _share_list(sig: Signatories, shares: Mapping[str, float]) -> list[Share]:
    order = sig.scenario.party_ids
    return [
        Share(party=sig.party(p), percent=round(shares[p] * 100, 6))
        for p in sorted(shares, key=order.index)
        if shares[p]
    ]


def _shares(sig: Signatories, clause: CostShare | RiskAllocation, meaning: Any, value: IssueValue) -> dict[str, Any]:
    out: dict[str, Any] = {
        "shares": [],
        "by_benefit": False,
        "bearer": None,
        "bearer_percent": None,
        "rest": [],
        "rest_percent": None,
        "cap": getattr(meaning, "cap", None),
    }
    percent = _numeric(value)
    if meaning is None and clause.bearer is not None and percent is not None:
        rest = [sig.party(clause.rest_borne_by)] if clause.rest_borne_by else sig.others(clause.bearer)
        bearer = sig.party(clause.bearer)
        remainder = 100 - percent
        shares = [Share(party=bearer, percent=percent)]
        shares += [Share(party=p, percent=round(remainder / len(rest), 6)) for p in rest] if rest else []
        out.update(
            shares=[s for s in shares if s.percent],
            bearer=bearer,
            bearer_percent=percent,
            rest=rest,
            rest_percent=remainder,
        )
    elif meaning is not None and meaning.shares == "benefit":
        out["by_benefit"] = True
    elif meaning is not None:
        out["shares"] = _share_list(sig, meaning.shares)
    return out


def _tiers(scenario: Scenario, names: Sequence[str]) -> list[TierView]:
    tiers: list[TierView] = []
    for name in names:
        tier = next((t for t in scenario.dispute_ladder if t.id == name), None)
        tier = tier or next((t for t in scenario.dispute_ladder if t.kind == name), None)
        if tier is None:
            tiers.append(TierView(id=name, name=words(name).capitalize(), kind=name, description=""))
        else:
            tiers.append(TierView(id=tier.id, name=tier.name, kind=tier.kind, description=tier.description))
    return tiers


__all__ = [
    "COMMON",
    "KIND_VARIABLES",
    "FieldOwner",
    "FieldView",
    "IssueView",
    "PartyView",
    "Share",
    "Signatories",
    "TierView",
    "clause_variables",
    "number",
    "value_text",
    "with_unit",
    "words",
]
