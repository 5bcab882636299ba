"""What each clause of a term sheet means: the kind of term an issue is, and what each option says.

An issue may declare ``clause:`` in the scenario file. Policies judge deals and term sheets are
worded from this meaning — who owns which IP, which licence the non-owner holds, who bears what
share of cost and risk, how much is disclosed — never from the ids a scenario happens to use,
so renaming every id changes nothing but the names. An issue without a clause (or with
``kind: other``) is a free-form term: negotiated and scored as usual, judged by no clause rule.

Party references (``owner``, ``payer``, ``holder``, …) name party ids of the scenario; a party's
``fields`` (its core business, as fields of use) are what ``owner: by_field`` splits IP along.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

OwnerKind = Literal["joint", "by_field", "inventor"]
"""Owners that are not a single party: all parties together, each field to its party, or each
result to the party whose people invented it."""

LicenceScope = Literal["none", "nonexclusive_royalty_bearing", "nonexclusive_royalty_free", "exclusive_in_field"]
"""What a licence lets its holder do, narrowest first (the order `LICENCE_SCOPES` gives)."""

LICENCE_SCOPES: tuple[LicenceScope, ...] = (
    "none",
    "nonexclusive_royalty_bearing",
    "nonexclusive_royalty_free",
    "exclusive_in_field",
)

CommercialisationScope = Literal["customer_field_only", "outside_customer_field", "any_field"]
"""Where the holder may sell the result: only in the customer's field, anywhere but there, anywhere."""

DisclosureLevel = Literal["none", "under_nda", "full"]
"""How much is disclosed, least first (the order `DISCLOSURE_LEVELS` gives)."""

DISCLOSURE_LEVELS: tuple[DisclosureLevel, ...] = ("none", "under_nda", "full")

ClauseKind = Literal[
    "ip_ownership",
    "licence",
    "commercialisation",
    "exclusivity",
    "royalty",
    "payment",
    "cost_share",
    "risk_allocation",
    "benefit",
    "disclosure",
    "publication",
    "dispute_resolution",
    "other",
]

Shares = dict[str, Annotated[float, Field(ge=0, le=1)]]
"""{party id: share}: fractions of a whole (summing to 1); a party not listed has none."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionMeaning(_Strict):
    """What every option may carry: its own contract wording (a Jinja2 template), if any."""

    wording: str | None = Field(
        default=None, description="Contract wording for this option (Jinja2; see the README's term-sheet section)."
    )


class OwnerOption(OptionMeaning):
    owner: str = Field(description="A party id, or 'joint', 'by_field' or 'inventor' (see OwnerKind).")
    fields: dict[str, str] | None = Field(
        default=None,
        description="With owner 'by_field': {field: party}; default: each party's declared fields go to it.",
    )


class LicenceOption(OptionMeaning):
    scope: LicenceScope
    limited_to: str | None = Field(default=None, description="A narrower field, in words (e.g. 'the programme').")


class CommercialisationOption(OptionMeaning):
    scope: CommercialisationScope


class DisclosureOption(OptionMeaning):
    level: DisclosureLevel


class DurationOption(OptionMeaning):
    months: float = Field(ge=0)


class RateOption(OptionMeaning):
    rate: float = Field(ge=0, description="Percent.")


class AmountOption(OptionMeaning):
    amount: float = Field(ge=0)


class SharesOption(OptionMeaning):
    shares: Shares | Literal["benefit"] = Field(
        description="{party: share} summing to 1, or 'benefit': in proportion to each party's share of the benefits."
    )
    cap: str | None = Field(default=None, description="A liability cap, in words (e.g. 'the fees received').")


class EmbargoOption(OptionMeaning):
    months: float | None = Field(ge=0, description="Delay before publication; null: no publication at all.")


class TiersOption(OptionMeaning):
    tiers: list[str] = Field(min_length=1, description="Dispute-ladder tier ids (or kinds) the route goes through.")


class _ClauseBase(_Strict):
    wording: str | None = Field(
        default=None, description="Contract wording for the whole clause (Jinja2), used for options without their own."
    )


class IpOwnership(_ClauseBase):
    """Who owns the IP the partnership creates (foreground) or brings in (background)."""

    kind: Literal["ip_ownership"]
    subject: Literal["foreground", "background"] = "foreground"
    options: dict[str, OwnerOption]


class Licence(_ClauseBase):
    """The licence a party receives to IP it does not own."""

    kind: Literal["licence"]
    subject: Literal["foreground", "background"] = "foreground"
    of: str | None = Field(
        default=None,
        description="For foreground IP: the ip_ownership issue it licenses; default: the scenario's only one.",
    )
    to: str = Field(
        default="non_owner",
        description="'non_owner' (each party that does not own the IP), 'all' (each party to the others), or a party.",
    )
    options: dict[str, LicenceOption]


class Commercialisation(_ClauseBase):
    """Where one party (the holder) may sell what the partnership develops."""

    kind: Literal["commercialisation"]
    holders: list[str] = Field(min_length=1, description="The parties whose right to sell the results this sets.")
    customer: str = Field(description="The party whose field of use is protected.")
    options: dict[str, CommercialisationOption]


class Exclusivity(_ClauseBase):
    """A period during which the grantor serves no one else in the beneficiary's field."""

    kind: Literal["exclusivity"]
    grantors: list[str] = Field(min_length=1, description="The parties bound to serve no one else.")
    beneficiary: str
    options: dict[str, DurationOption] | None = Field(
        default=None, description="For a categorical issue: months per option (a numeric issue's value is the months)."
    )


class Royalty(_ClauseBase):
    """A running royalty from payer to payee (a numeric issue's value is the rate, in percent)."""

    kind: Literal["royalty"]
    payer: str
    payees: list[str] = Field(min_length=1)
    base: str = Field(default="net sales of products using the results", description="What the rate applies to.")
    options: dict[str, RateOption] | None = None


class Payment(_ClauseBase):
    """A lump-sum payment (upfront or on milestones) from payer to payee."""

    kind: Literal["payment"]
    payer: str
    payees: list[str] = Field(min_length=1)
    trigger: str = Field(default="on signature", description="When it is due, e.g. 'on each development milestone'.")
    unit: str = Field(default="", description="Currency or unit shown in the contract; default: the issue's unit.")
    options: dict[str, AmountOption] | None = None


class CostShare(_ClauseBase):
    """Who bears the development cost: a numeric issue's value is the percent `bearer` bears."""

    kind: Literal["cost_share"]
    bearer: str | None = Field(default=None, description="For a numeric issue: the party whose percentage it is.")
    rest_borne_by: str | None = Field(default=None, description="Who bears the rest; default: the others equally.")
    options: dict[str, SharesOption] | None = Field(default=None, description="For a categorical issue: shares.")
    weighed: bool = Field(
        default=True,
        description="Whether the proportionality rule weighs this share against the benefits (false: a cost one "
        "party carries by design, e.g. a programme it funds).",
    )


class RiskAllocation(_ClauseBase):
    """Who carries the development and liability risk, and any cap."""

    kind: Literal["risk_allocation"]
    bearer: str | None = None
    rest_borne_by: str | None = None
    options: dict[str, SharesOption] | None = None


class Benefit(_ClauseBase):
    """Who captures the benefits under each option (for proportionality)."""

    kind: Literal["benefit"]
    options: dict[str, SharesOption]


class Disclosure(_ClauseBase):
    """How much the discloser reveals (e.g. the use case), and which terms depend on it."""

    kind: Literal["disclosure"]
    discloser: str
    subject: str = Field(default="the intended use case", description="What is disclosed, in words.")
    dependent_terms: list[str] = Field(
        default_factory=list, description="Issues whose terms should not move before the disclosure is made."
    )
    options: dict[str, DisclosureOption]


class Publication(_ClauseBase):
    """The publisher's right to publish results, after an embargo (a numeric issue's value is its months)."""

    kind: Literal["publication"]
    publisher: str
    options: dict[str, EmbargoOption] | None = None


class DisputeResolution(_ClauseBase):
    """The route a dispute takes: which tiers of the ladder, in order."""

    kind: Literal["dispute_resolution"]
    options: dict[str, TiersOption]


class Other(_ClauseBase):
    """A free-form term: negotiated and scored, judged by no clause rule."""

    kind: Literal["other"]
    options: dict[str, OptionMeaning] | None = None


Clause = Annotated[
    IpOwnership
    | Licence
    | Commercialisation
    | Exclusivity
    | Royalty
    | Payment
    | CostShare
    | RiskAllocation
    | Benefit
    | Disclosure
    | Publication
    | DisputeResolution
    | Other,
    Field(discriminator="kind"),
]
"""What an issue means as a term of the contract; YAML picks the kind with ``kind:``."""

NUMERIC_KINDS: frozenset[str] = frozenset(
    {"exclusivity", "royalty", "payment", "cost_share", "risk_allocation", "publication", "other"}
)
"""Clause kinds a numeric issue may carry (its value is the duration, rate, amount or share)."""

_NEEDS_OPTIONS: frozenset[str] = frozenset(
    {"ip_ownership", "licence", "commercialisation", "benefit", "disclosure", "dispute_resolution"}
)


def party_refs(clause: Clause) -> list[tuple[str, str]]:
    """(field name, party id) of every party the clause names, for validation."""
    refs: list[tuple[str, str]] = []
    for name in ("customer", "beneficiary", "payer", "bearer", "rest_borne_by"):
        value = getattr(clause, name, None)
        if isinstance(value, str):
            refs.append((name, value))
    for name in ("holders", "grantors", "payees"):
        for n, value in enumerate(getattr(clause, name, None) or []):
            refs.append((f"{name}[{n}]", value))
    if isinstance(clause, Disclosure):
        refs.append(("discloser", clause.discloser))
    if isinstance(clause, Publication):
        refs.append(("publisher", clause.publisher))
    if isinstance(clause, Licence) and clause.to not in ("non_owner", "all"):
        refs.append(("to", clause.to))
    return refs


def check_clause(
    clause: Clause,
    *,
    issue_kind: str,
    options: Sequence[str] | None,
    issue_ids: Sequence[str],
    ownership_issues: Sequence[str],
    party_fields: Mapping[str, Sequence[str]],
    tier_names: Sequence[str],
    numeric_range: tuple[float, float] | None = None,
) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems of one issue's clause against the scenario, as (path under ``clause``, message).

    `options` are the issue's option keys (None for a numeric issue, whose `numeric_range` is
    its minimum and maximum); `party_fields` maps each party id to its declared fields;
    `ownership_issues` are the ids of ip_ownership issues.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    parties = list(party_fields)
    listing = ", ".join(parties)

    def party(path: tuple[str | int, ...], value: str) -> None:
        if value not in party_fields:
            problems.append((path, f"unknown party {value!r}; parties: {listing}"))

    for name, value in party_refs(clause):
        field, _, index = name.partition("[")
        party((field, int(index[:-1])) if index else (field,), value)

    meanings: Mapping[str, OptionMeaning] | None = getattr(clause, "options", None)
    if issue_kind == "numeric":
        if clause.kind not in NUMERIC_KINDS:
            problems.append(((), f"a {clause.kind} clause needs a categorical or yes/no issue, not a numeric one"))
        elif meanings:
            problems.append((("options",), "a numeric issue's value is the term itself; drop 'options'"))
        if isinstance(clause, (CostShare, RiskAllocation)):
            if clause.bearer is None:
                problems.append((("bearer",), "a numeric cost or risk share needs 'bearer': the party whose % it is"))
            if numeric_range is not None and (numeric_range[0] < 0 or numeric_range[1] > 100):
                low, high = numeric_range
                problems.append(((), f"the issue ranges {low:g}..{high:g}; a % share needs a range within 0..100"))
    if isinstance(clause, (CostShare, RiskAllocation)) and clause.rest_borne_by is not None:
        if clause.rest_borne_by == clause.bearer:
            problems.append((("rest_borne_by",), "must name another party than 'bearer'"))
    elif options is not None:
        if meanings is None:
            if clause.kind in _NEEDS_OPTIONS or clause.kind in ("cost_share", "risk_allocation"):
                problems.append((("options",), f"give the meaning of every option: {', '.join(options)}"))
            elif clause.kind in ("exclusivity", "royalty", "payment", "publication"):
                problems.append((("options",), f"a categorical {clause.kind} clause gives each option's figure"))
        else:
            unknown = [k for k in meanings if k not in options]
            missing = [k for k in options if k not in meanings]
            for key in unknown:
                problems.append(
                    (("options", key), f"{key!r} is not an option of this issue; options: {', '.join(options)}")
                )
            if missing:
                problems.append((("options",), f"no meaning for option(s) {', '.join(missing)}; give every option one"))

    for key, meaning in (meanings or {}).items():
        if isinstance(meaning, OwnerOption):
            if meaning.owner not in ("joint", "by_field", "inventor"):
                party(("options", key, "owner"), meaning.owner)
            if meaning.fields is not None:
                if meaning.owner != "by_field":
                    problems.append((("options", key, "fields"), "'fields' only applies with owner: by_field"))
                for field, holder in meaning.fields.items():
                    party(("options", key, "fields", field), holder)
            elif meaning.owner == "by_field" and not any(party_fields.values()):
                problems.append(
                    (("options", key, "owner"), "owner 'by_field' needs fields: declare each party's 'fields'")
                )
        if isinstance(meaning, SharesOption) and isinstance(meaning.shares, dict):
            for holder in meaning.shares:
                party(("options", key, "shares", holder), holder)
            total = sum(meaning.shares.values())
            if abs(total - 1.0) > 1e-6:
                problems.append((("options", key, "shares"), f"shares sum to {total:g}; they must sum to 1"))
        if isinstance(meaning, SharesOption) and meaning.shares == "benefit" and clause.kind == "benefit":
            problems.append((("options", key, "shares"), "a benefit clause gives the shares themselves"))
        if isinstance(meaning, TiersOption):
            for n, tier in enumerate(meaning.tiers):
                if tier not in tier_names:
                    problems.append(
                        (
                            ("options", key, "tiers", n),
                            f"unknown tier {tier!r}; tiers: {', '.join(tier_names) or 'none'}",
                        )
                    )

    if isinstance(clause, Licence) and clause.subject == "foreground":
        if clause.of is not None and clause.of not in ownership_issues:
            known = ", ".join(ownership_issues) or "none declared"
            problems.append((("of",), f"{clause.of!r} is not an ip_ownership issue; ip_ownership issues: {known}"))
        if clause.of is None and len(ownership_issues) != 1:
            problems.append(
                (
                    ("of",),
                    "name the ip_ownership issue this licence is about ('of: ISSUE'): the scenario has "
                    f"{len(ownership_issues)}",
                )
            )
    if isinstance(clause, Disclosure):
        for n, issue in enumerate(clause.dependent_terms):
            if issue not in issue_ids:
                problems.append((("dependent_terms", n), f"unknown issue {issue!r}; issues: {', '.join(issue_ids)}"))
    return problems


def owners_by_field(meaning: OwnerOption, party_fields: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    """Under an ownership option: {field: the parties that own that field's IP}.

    A single owner owns every field; `joint` means every party co-owns every field; `by_field`
    gives each field to its party (the option's map, or each party's declared fields); under
    `inventor` nobody knows in advance, so no field has a known owner.
    """
    all_fields = [field for fields in party_fields.values() for field in fields]
    if meaning.owner == "inventor":
        return {field: frozenset() for field in all_fields}
    if meaning.owner == "joint":
        return {field: frozenset(party_fields) for field in all_fields}
    if meaning.owner == "by_field":
        if meaning.fields is not None:
            return {field: frozenset({holder}) for field, holder in meaning.fields.items()}
        return {field: frozenset({holder}) for holder, fields in party_fields.items() for field in fields}
    return {field: frozenset({meaning.owner}) for field in all_fields}


def core_business(party_fields: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """{field: the party whose core business it is}: the party that declares it in its ``fields``."""
    return {field: party for party, fields in party_fields.items() for field in fields}


def misowned_fields(meaning: OwnerOption, party_fields: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    """Under an ownership option: {field: its owners} for each declared field whose IP would not go to
    the party whose core business it is (alone); empty when ownership follows core business.

    Under `joint` every field has every party as owner, under `inventor` none known in advance,
    so both miss every declared field; a single owner misses the fields of the other parties.
    """
    owners = owners_by_field(meaning, party_fields)
    return {
        field: owners.get(field, frozenset())
        for field, party in core_business(party_fields).items()
        if owners.get(field, frozenset()) != {party}
    }


def non_owners(meaning: OwnerOption, party_fields: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Under an ownership option: {party: the fields whose IP it does not own}, for every party that
    lacks some field's IP (the parties that need a licence to use it), in `party_fields` order."""
    owners = owners_by_field(meaning, party_fields)
    fields = list(dict.fromkeys([*core_business(party_fields), *owners]))
    lacking = {party: [f for f in fields if party not in owners.get(f, frozenset())] for party in party_fields}
    return {party: missing for party, missing in lacking.items() if missing}


def scope_at_least(scope: LicenceScope, minimum: LicenceScope) -> bool:
    """Whether a licence of `scope` gives at least what `minimum` does, in `LICENCE_SCOPES` order
    (an exclusive licence in the field counts as at least a royalty-free one)."""
    return LICENCE_SCOPES.index(scope) >= LICENCE_SCOPES.index(minimum)


def licence_covers(licence: Licence, party: str) -> bool:
    """Whether `party` is among the licence's holders: ``to`` names it, or is 'non_owner' or 'all'
    (for 'non_owner', the ownership option says whether the party is one)."""
    return licence.to in ("non_owner", "all", party)


def licensed_issue(licence: Licence, ownership_issues: Sequence[str]) -> str | None:
    """The ip_ownership issue a foreground licence is about: its ``of``, else the only one declared;
    None for a background licence or when there is no single one."""
    if licence.subject != "foreground":
        return None
    if licence.of is not None:
        return licence.of
    return ownership_issues[0] if len(ownership_issues) == 1 else None


__all__ = [
    "DISCLOSURE_LEVELS",
    "LICENCE_SCOPES",
    "NUMERIC_KINDS",
    "AmountOption",
    "Benefit",
    "Clause",
    "ClauseKind",
    "Commercialisation",
    "CommercialisationOption",
    "CommercialisationScope",
    "CostShare",
    "Disclosure",
    "DisclosureLevel",
    "DisclosureOption",
    "DisputeResolution",
    "DurationOption",
    "EmbargoOption",
    "Exclusivity",
    "IpOwnership",
    "Licence",
    "LicenceOption",
    "LicenceScope",
    "OptionMeaning",
    "Other",
    "OwnerKind",
    "OwnerOption",
    "Payment",
    "Publication",
    "RateOption",
    "RiskAllocation",
    "Royalty",
    "Shares",
    "SharesOption",
    "TiersOption",
    "check_clause",
    "core_business",
    "licence_covers",
    "licensed_issue",
    "misowned_fields",
    "non_owners",
    "owners_by_field",
    "party_refs",
    "scope_at_least",
]
