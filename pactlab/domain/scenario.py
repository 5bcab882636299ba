"""A negotiation scenario: the parties, the issues, the protocol and the dispute-resolution ladder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from pactlab.domain.issues import CategoricalIssue, Issue, NumericIssue
from pactlab.domain.preferences import PrivateProfile, check_profile

_ID_PATTERN = r"^[a-z][a-z0-9_]*$"

RESERVED_ACTORS = {"mediator": "mediator of the dispute-resolution ladder", "ladder": "dispute-resolution ladder"}
"""Actor ids on the table that are not parties (scenario party ids may not take them)."""


class ModelSettings(BaseModel):
    """The operator's settings for a party's LLM negotiator; unset fields come from the CLI or the environment.

    Never shown to the other parties. API keys never go here: they come from the environment.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Literal["openai", "vllm", "ollama", "llamacpp", "lmstudio", "compatible"] | None = None
    model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = None
    max_tokens: int | None = Field(default=None, ge=16)
    output_mode: Literal["json_schema", "json_object", "tools", "prompt"] | None = None


class Party(BaseModel):
    """An organisation at the table: public facts everyone sees, and its private profile."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    core_business: str = Field(description="What the organisation does; IP in this field is naturally its own.")
    facts: list[str] = Field(default_factory=list, description="Public facts: capabilities, assets, constraints.")
    private: PrivateProfile
    llm: ModelSettings | None = Field(default=None, description="Settings for an LLM negotiator in this seat.")


class AgreementRule(BaseModel):
    """When a proposal becomes an agreement.

    ``unanimity``: every party at the table accepts. ``quorum``: at least `quorum` parties
    accept (the proposer counts), and every party in `veto` is among them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["unanimity", "quorum"] = "unanimity"
    quorum: int | None = Field(default=None, ge=1)
    veto: list[str] = Field(default_factory=list, description="Parties whose acceptance is always required.")

    @model_validator(mode="after")
    def _quorum_needs_count(self) -> AgreementRule:
        if self.kind == "quorum" and self.quorum is None:
            raise ValueError("a quorum rule needs 'quorum: N' (how many parties must accept)")
        if self.kind == "unanimity" and self.quorum is not None:
            raise ValueError("'quorum' only applies with 'kind: quorum'")
        return self

    def met(self, accepting: set[str], parties: list[str]) -> bool:
        """Whether `accepting` (the proposer included) makes the proposal an agreement."""
        if not all(v in accepting for v in self.veto):
            return False
        if self.kind == "unanimity":
            return all(p in accepting for p in parties)
        assert self.quorum is not None
        return len(accepting & set(parties)) >= self.quorum

    def decisive(self, values: Mapping[str, float]) -> float:
        """The value of the party whose acceptance decides: how close a proposal is to agreement.

        `values` holds a figure per party (e.g. its surplus over its reservation value): under
        unanimity the lowest counts; under a quorum, the quorum-th highest, or a veto holder's
        if that is lower.
        """
        ranked = sorted(values.values(), reverse=True)
        if not ranked:
            return float("-inf")
        if self.kind == "unanimity":
            decisive = ranked[-1]
        else:
            assert self.quorum is not None
            decisive = ranked[min(self.quorum, len(ranked)) - 1]
        for v in self.veto:
            if v in values:
                decisive = min(decisive, values[v])
        return decisive

    def still_possible(self, at_table: list[str], parties: list[str]) -> bool:
        """Whether the parties still at the table can reach an agreement without those who left."""
        if not all(v in at_table for v in self.veto):
            return False
        if self.kind == "unanimity":
            return set(at_table) >= set(parties)
        assert self.quorum is not None
        return len(at_table) >= self.quorum


class Protocol(BaseModel):
    """How the negotiation runs: multi-party alternating offers with a round limit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_rounds: int = Field(default=30, ge=1, le=10_000, description="A round is one turn of every party.")
    opener: str | None = Field(default=None, description="Party that speaks first; default: the first party.")
    agreement: AgreementRule = Field(default_factory=AgreementRule)
    stall_rounds: int | None = Field(
        default=3,
        ge=1,
        description="Escalate to the next dispute tier after this many rounds without an improving offer "
        "(null: escalate only when a tier's time limit is used up).",
    )


TierKind = Literal["negotiation", "executive", "mediation", "arbitration"]

DEFAULT_MANDATES: dict[TierKind, float] = {"negotiation": 0.5, "executive": 1.0, "mediation": 1.0, "arbitration": 1.0}
"""How much of its concession range a party's negotiator may give up by the end of a tier, by kind."""


class DisputeTier(BaseModel):
    """One rung of the dispute-resolution ladder (working level, executives, mediation, ...).

    `kind` says what happens at the tier: the parties negotiate (`negotiation`), their
    executives take over with a wider mandate (`executive`), a mediator puts a single
    negotiating text on the table for the parties to amend (`mediation`), or the dispute
    leaves the tool for binding arbitration (`arbitration`: the negotiation ends there, with
    arbitration noted as the remedy). Tiers whose id is one of the kinds default to that kind.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    kind: TierKind = "negotiation"
    description: str = ""
    max_rounds: int | None = Field(default=None, ge=1, description="Time limit of this tier, in rounds.")
    concession_mandate: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of each party's concession range (from its best acceptable outcome down to its "
        "reservation value) that its negotiator may give up by the end of this tier; default by kind: "
        "negotiation 0.5, executive, mediation and arbitration 1.",
    )

    @model_validator(mode="before")
    @classmethod
    def _kind_from_id(cls, data: object) -> object:
        if isinstance(data, dict) and "kind" not in data and data.get("id") in DEFAULT_MANDATES:
            return {**data, "kind": data["id"]}
        return data

    @property
    def mandate(self) -> float:
        return self.concession_mandate if self.concession_mandate is not None else DEFAULT_MANDATES[self.kind]


class CostAllocation(BaseModel):
    """A numeric issue whose value is the percentage (0-100) of the cost borne by `party`.

    The rest is borne by `rest_borne_by`, or, if that is not given, shared equally by the other
    parties.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    issue: str = Field(description="A numeric issue with values in 0..100: the % of the cost `party` bears.")
    party: str = Field(description="The party whose share the issue's value is.")
    rest_borne_by: str | None = Field(
        default=None, description="Who bears the rest; default: the other parties, in equal parts."
    )

    def shares(self, value: float, parties: Sequence[str]) -> dict[str, float]:
        """Each of `parties`' share of the cost (fractions summing to 1) when the issue is at `value`."""
        own = min(max(float(value) / 100.0, 0.0), 1.0)
        out = {p: 0.0 for p in parties}
        out[self.party] = own
        if self.rest_borne_by is not None:
            out[self.rest_borne_by] = out.get(self.rest_borne_by, 0.0) + (1.0 - own)
        else:
            others = [p for p in parties if p != self.party]
            for p in others:
                out[p] += (1.0 - own) / len(others)
        return out


BENEFIT = "benefit"
"""In a share table, an option whose shares are each party's share of the benefits."""


class ShareTable(BaseModel):
    """A categorical issue whose option decides each party's share: {option: {party: share}}.

    Shares are fractions summing to 1 per option (a party not listed gets 0). In a risk table,
    an option may instead say ``benefit``: shares follow each party's share of the benefits.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    issue: str = Field(description="A categorical issue of the scenario.")
    shares: dict[str, dict[str, float] | Literal["benefit"]] = Field(
        description="For every option of the issue: {party: share}, or 'benefit'."
    )

    def shares_for(self, option: str, parties: Sequence[str]) -> dict[str, float] | None:
        """Each of `parties`' share under `option`; None if the option says ``benefit``."""
        table = self.shares[option]
        if not isinstance(table, dict):
            return None
        return {p: float(table.get(p, 0.0)) for p in parties}


class Allocation(BaseModel):
    """Which issues carry the cost, the risk and (optionally) the benefits of the partnership.

    Read by the proportionality policy: each party's share of cost and of risk should stay
    close to its share of the benefits. Without a `benefit` table, a party's benefit share is
    its surplus over its reservation value divided by the sum of the positive surpluses.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    cost: CostAllocation | None = None
    risk: ShareTable | None = None
    benefit: ShareTable | None = Field(
        default=None, description="Who captures the benefits under each option (default: shares of surplus)."
    )

    @model_validator(mode="after")
    def _something_allocated(self) -> Allocation:
        if self.cost is None and self.risk is None:
            raise ValueError("an allocation declares at least 'cost' or 'risk'")
        return self


class Scenario(BaseModel):
    """Everything a negotiation needs; loaded from YAML by `pactlab.domain.loader`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    title: str
    context: str = Field(default="", description="The situation, as every party knows it.")
    policy_set: str | None = Field(default=None, description="Name of the policy set the scenario runs under.")
    issues: list[Issue] = Field(min_length=1)
    parties: list[Party] = Field(min_length=2)
    protocol: Protocol = Field(default_factory=Protocol)
    dispute_ladder: list[DisputeTier] = Field(
        default_factory=list, description="Ordered tiers, lowest first: working level -> ... -> arbitration."
    )
    allocation: Allocation | None = Field(
        default=None, description="Which issues carry cost, risk and benefit (for the proportionality policy)."
    )

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        errors: list[InitErrorDetails] = []

        def add(loc: tuple[str | int, ...], message: str) -> None:
            errors.append(InitErrorDetails(type=PydanticCustomError("scenario", message), loc=loc, input=None))

        _duplicates([i.id for i in self.issues], ("issues",), "issue", add)
        _duplicates([p.id for p in self.parties], ("parties",), "party", add)
        _duplicates([t.id for t in self.dispute_ladder], ("dispute_ladder",), "tier", add)
        party_ids = [p.id for p in self.parties]
        for n, pid in enumerate(party_ids):
            if pid in RESERVED_ACTORS:
                add(("parties", n, "id"), f"{pid!r} is reserved for the {RESERVED_ACTORS[pid]}; choose another id")
        mandates = [t.mandate for t in self.dispute_ladder]
        for n in range(1, len(mandates)):
            if mandates[n] < mandates[n - 1]:
                add(
                    ("dispute_ladder", n, "concession_mandate"),
                    f"a higher tier cannot narrow the mandate ({mandates[n]:g} after {mandates[n - 1]:g}); "
                    f"give at least {mandates[n - 1]:g}",
                )
        for n, party in enumerate(self.parties):
            for path, message in check_profile(party.private, list(self.issues)):
                add(("parties", n, "private", *path), message)
        if self.protocol.opener is not None and self.protocol.opener not in party_ids:
            add(("protocol", "opener"), f"unknown party {self.protocol.opener!r}; parties: {', '.join(party_ids)}")
        rule = self.protocol.agreement
        for n, v in enumerate(rule.veto):
            if v not in party_ids:
                add(("protocol", "agreement", "veto", n), f"unknown party {v!r}; parties: {', '.join(party_ids)}")
        if rule.quorum is not None and rule.quorum > len(party_ids):
            add(("protocol", "agreement", "quorum"), f"quorum {rule.quorum} exceeds the {len(party_ids)} parties")
        if self.allocation is not None:
            for loc, message in _check_allocation(self.allocation, list(self.issues), party_ids):
                add(("allocation", *loc), message)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    # -- conveniences -------------------------------------------------------------------

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    @property
    def party_ids(self) -> list[str]:
        return [p.id for p in self.parties]

    def party(self, party_id: str) -> Party:
        for p in self.parties:
            if p.id == party_id:
                return p
        raise KeyError(f"unknown party {party_id!r}; parties: {', '.join(self.party_ids)}")

    def speaking_order(self) -> list[str]:
        """Party ids in turn order, starting with the opener."""
        ids = self.party_ids
        start = ids.index(self.protocol.opener) if self.protocol.opener else 0
        return ids[start:] + ids[:start]

    def sha256(self) -> str:
        """Hash of the scenario's canonical JSON form: what the audit trail records."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def public_view(self) -> dict[str, object]:
        """The scenario as every party sees it: no private profiles."""
        data = self.model_dump(mode="json")
        for party in data["parties"]:
            party.pop("private")
            party.pop("llm", None)
        return data


def _duplicates(ids: list[str], loc: tuple[str, ...], what: str, add: object) -> None:
    seen: dict[str, int] = {}
    for n, i in enumerate(ids):
        if i in seen:
            add((*loc, n, "id"), f"duplicate {what} id {i!r} (first used at index {seen[i]}); ids must be unique")  # type: ignore[operator]
        else:
            seen[i] = n


def _check_allocation(
    allocation: Allocation, issues: list[Issue], party_ids: list[str]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems of an allocation against the scenario's issues and parties, as (field path, message)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    by_id = {i.id: i for i in issues}
    parties = ", ".join(party_ids)

    def party_ok(loc: tuple[str | int, ...], party: str) -> None:
        if party not in party_ids:
            problems.append((loc, f"unknown party {party!r}; parties: {parties}"))

    cost = allocation.cost
    if cost is not None:
        issue = by_id.get(cost.issue)
        if issue is None:
            problems.append((("cost", "issue"), f"unknown issue {cost.issue!r}; known issues: {', '.join(by_id)}"))
        elif not isinstance(issue, NumericIssue):
            problems.append((("cost", "issue"), f"{cost.issue!r} is not numeric; a cost issue gives a % share"))
        elif issue.minimum < 0 or issue.maximum > 100:
            problems.append(
                (("cost", "issue"), f"{cost.issue!r} ranges {issue.minimum}..{issue.maximum}; a % share needs 0..100")
            )
        party_ok(("cost", "party"), cost.party)
        if cost.rest_borne_by is not None:
            party_ok(("cost", "rest_borne_by"), cost.rest_borne_by)
            if cost.rest_borne_by == cost.party:
                problems.append((("cost", "rest_borne_by"), "must name another party than 'party'"))
    for name, table in (("risk", allocation.risk), ("benefit", allocation.benefit)):
        if table is None:
            continue
        issue = by_id.get(table.issue)
        if issue is None:
            problems.append(((name, "issue"), f"unknown issue {table.issue!r}; known issues: {', '.join(by_id)}"))
            continue
        if not isinstance(issue, CategoricalIssue):
            problems.append(((name, "issue"), f"{table.issue!r} is not categorical; a share table needs options"))
            continue
        for option, shares in table.shares.items():
            loc: tuple[str | int, ...] = (name, "shares", option)
            if option not in issue.options:
                options = ", ".join(issue.options)
                problems.append((loc, f"{option!r} is not an option of {issue.id!r}; options: {options}"))
            if shares == BENEFIT:
                if name == "benefit":
                    problems.append((loc, "a benefit table gives shares, not 'benefit'"))
                continue
            assert isinstance(shares, dict)
            for party, share in shares.items():
                party_ok((*loc, party), party)
                if not 0.0 <= share <= 1.0:
                    problems.append(((*loc, party), f"share {share} is outside 0..1"))
            if abs(sum(shares.values()) - 1.0) > 1e-6:
                problems.append((loc, f"shares sum to {sum(shares.values()):g}; they must sum to 1"))
        missing = [o for o in issue.options if o not in table.shares]
        if missing:
            problems.append(((name, "shares"), f"no shares for option(s) {', '.join(missing)} of {issue.id!r}"))
    return problems
