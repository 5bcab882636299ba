"""Policy sets: named, versioned lists of rules, loaded from YAML (see `policies.catalog`).

Each rule has an id, a kind (which check it runs), a severity (``block``: the move or deal
is refused; ``warn``: it passes and the verdict is recorded), a statement written for people
(shown to agents and in reports) and kind-specific `parameters`.

Parameters name meanings — licence scopes, disclosure levels, tolerances — never a scenario's
issue, option or party ids: the rules read what each issue means from its clause
(`pactlab.domain.clauses`), so one policy set runs on any valid scenario. A rule whose meaning a
scenario does not declare (no ip_ownership clause, say) is not applicable there: it is reported
once (`policies.applicability`), never an error.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from pactlab.domain.clauses import DisclosureLevel, LicenceScope

Severity = Literal["block", "warn"]
RuleKind = Literal[
    "individual_rationality", "proportionality", "fairness_bound", "ip_follows_core_business", "transparency", "process"
]


_NAMES_IDS = "policy parameters name meanings, not a scenario's ids (policy sets 2.0)"


def _refuse_ids(data: object, retired: tuple[str, ...], instead: str) -> object:
    """Refuse the id-naming parameters of policy sets before 2.0 with what to write instead."""
    if isinstance(data, dict):
        found = [k for k in retired if k in data]
        if found:
            raise ValueError(f"{', '.join(found)}: {_NAMES_IDS}; {instead}")
    return data


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndividualRationalityParams(_Params):
    on_proposals: bool = Field(
        default=False, description="Also refuse a proposal below its own proposer's reservation value."
    )


class ProportionalityParams(_Params):
    tolerance: float = Field(
        default=0.25, ge=0.0, le=1.0, description="Largest allowed |cost or risk share - benefit share|."
    )
    on_proposals: bool = Field(default=False, description="Also check proposals, not only deals.")


class FairnessBoundParams(_Params):
    min_ratio: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Smallest surplus over the largest must be at least this."
    )
    nash_fraction: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Nash product at least this fraction of the Nash solution's."
    )
    combine: Literal["any", "all"] = Field(
        default="any", description="With both bounds: 'any' passes if one holds, 'all' needs both."
    )
    on_proposals: bool = Field(default=False, description="Also check proposals, not only deals.")

    @model_validator(mode="after")
    def _some_bound(self) -> FairnessBoundParams:
        if self.min_ratio is None and self.nash_fraction is None:
            raise ValueError("give 'min_ratio', 'nash_fraction' or both")
        return self


class IpFollowsCoreBusinessParams(_Params):
    minimum_licence: LicenceScope = Field(
        default="nonexclusive_royalty_free",
        description="The least licence each party must hold to foreground IP it does not own (a scope, in the "
        "order none < nonexclusive_royalty_bearing < nonexclusive_royalty_free < exclusive_in_field; 'none': "
        "no licence needed).",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_ids(cls, data: object) -> object:
        return _refuse_ids(
            data,
            ("ip_issue", "acceptable_owners", "licence_issue", "sufficient_licences"),
            "the rule reads the scenario's ip_ownership and licence clauses; give 'minimum_licence' (a licence "
            "scope: none, nonexclusive_royalty_bearing, nonexclusive_royalty_free or exclusive_in_field)",
        )


class TransparencyParams(_Params):
    require_rationale: bool = Field(
        default=True, description="A proposal's rationale names every issue it changes (and is never empty)."
    )
    declared_issues_only: bool = Field(default=True, description="No term outside the scenario's issues.")
    disclosed_levels: list[DisclosureLevel] = Field(
        default_factory=list,
        description="Disclosure levels that count as disclosed; the terms a disclosure clause names as dependent "
        "may move only once the disclosure is on the table at one of them (empty: no disclosure-first check).",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_ids(cls, data: object) -> object:
        return _refuse_ids(
            data,
            ("disclosure_issue", "disclosed_options", "dependent_issues"),
            "the rule reads the scenario's disclosure clauses (and their dependent_terms); give 'disclosed_levels' "
            "(disclosure levels: none, under_nda, full)",
        )


class ProcessParams(_Params):
    round_limit: bool = Field(default=True, description="No move after the scenario's max_rounds.")
    ladder_order: bool = Field(default=True, description="Dispute tiers entered one by one, in the ladder's order.")
    cooling_off_rounds: int = Field(default=0, ge=0, description="Rounds at least between two escalations.")


class _RuleBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", description="Unique within the policy set.")
    severity: Severity = Field(description="block: refuse the move or deal; warn: let it pass and record it.")
    statement: str = Field(min_length=1, description="The rule in words, for people and agents.")
    parameters: _Params

    @model_validator(mode="before")
    @classmethod
    def _no_optional_issues(cls, data: object) -> object:
        return _refuse_ids(
            data,
            ("optional_issues",),
            "a rule whose meaning a scenario does not declare is reported as not applicable there; drop it",
        )


class IndividualRationalityRule(_RuleBase):
    """No party ends below its reservation value or outside its hard constraints."""

    kind: Literal["individual_rationality"]
    parameters: IndividualRationalityParams = Field(default_factory=IndividualRationalityParams)


class ProportionalityRule(_RuleBase):
    """Each party's share of cost and of risk stays within `tolerance` of its share of the benefits."""

    kind: Literal["proportionality"]
    parameters: ProportionalityParams = Field(default_factory=ProportionalityParams)


class FairnessBoundRule(_RuleBase):
    """The surpluses are not too unequal, or the deal's Nash product is near the Nash solution's."""

    kind: Literal["fairness_bound"]
    parameters: FairnessBoundParams


class IpFollowsCoreBusinessRule(_RuleBase):
    """Foreground IP is owned along core business; each non-owner holds at least `minimum_licence`."""

    kind: Literal["ip_follows_core_business"]
    parameters: IpFollowsCoreBusinessParams = Field(default_factory=IpFollowsCoreBusinessParams)


class TransparencyRule(_RuleBase):
    """Stated reasons, declared issues only, disclosures first."""

    kind: Literal["transparency"]
    parameters: TransparencyParams = Field(default_factory=TransparencyParams)


class ProcessRule(_RuleBase):
    """Round limit, escalation order, cooling-off between escalations."""

    kind: Literal["process"]
    parameters: ProcessParams = Field(default_factory=ProcessParams)


Rule = Annotated[
    IndividualRationalityRule
    | ProportionalityRule
    | FairnessBoundRule
    | IpFollowsCoreBusinessRule
    | TransparencyRule
    | ProcessRule,
    Field(discriminator="kind"),
]


class PolicySet(BaseModel):
    """A named, versioned set of rules; the audit trail records its `sha256()`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", description="Semantic version, e.g. 1.0.0.")
    description: str = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> PolicySet:
        errors: list[InitErrorDetails] = []
        seen: dict[str, int] = {}
        for n, rule in enumerate(self.rules):
            if rule.id in seen:
                message = f"duplicate rule id {rule.id!r} (first used by rule {seen[rule.id]}); rule ids must be unique"
                error = PydanticCustomError("value_error", message)
                errors.append(InitErrorDetails(type=error, loc=("rules", n, "id"), input=None))
            seen.setdefault(rule.id, n)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    def sha256(self) -> str:
        """Hash of the policy set's canonical JSON form."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"no rule {rule_id!r} in policy set {self.name!r}")
