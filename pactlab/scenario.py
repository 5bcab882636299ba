"""A negotiation scenario: the parties, the issues, the protocol and the dispute-resolution ladder."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from pactlab.issues import Issue
from pactlab.preferences import PrivateProfile, check_profile

_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Party(BaseModel):
    """An organisation at the table: public facts everyone sees, and its private profile."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    core_business: str = Field(description="What the organisation does; IP in this field is naturally its own.")
    facts: list[str] = Field(default_factory=list, description="Public facts: capabilities, assets, constraints.")
    private: PrivateProfile


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


class DisputeTier(BaseModel):
    """One rung of the dispute-resolution ladder (working level, executives, mediation, ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    description: str = ""
    max_rounds: int | None = Field(default=None, ge=1, description="Time limit of this tier, in rounds.")


class Scenario(BaseModel):
    """Everything a negotiation needs; loaded from YAML by `pactlab.loader`."""

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

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        errors: list[InitErrorDetails] = []

        def add(loc: tuple[str | int, ...], message: str) -> None:
            errors.append(
                InitErrorDetails(type=PydanticCustomError("scenario", message), loc=loc, input=None)
            )

        _duplicates([i.id for i in self.issues], ("issues",), "issue", add)
        _duplicates([p.id for p in self.parties], ("parties",), "party", add)
        _duplicates([t.id for t in self.dispute_ladder], ("dispute_ladder",), "tier", add)
        party_ids = [p.id for p in self.parties]
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
        return data


def _duplicates(ids: list[str], loc: tuple[str, ...], what: str, add: object) -> None:
    seen: dict[str, int] = {}
    for n, i in enumerate(ids):
        if i in seen:
            add((*loc, n, "id"), f"duplicate {what} id {i!r} (first used at index {seen[i]}); ids must be unique")  # type: ignore[operator]
        else:
            seen[i] = n

