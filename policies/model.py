"""Policy sets: named, versioned lists of rules, loaded from YAML (see `policies.catalog`).

Each rule has an id, a kind (which check it runs), a severity (``block``: the move or deal
is refused; ``warn``: it passes and the verdict is recorded), a statement written for people
(shown to agents and in reports) and kind-specific `parameters`. Parameters that name issues,
options or parties are checked against a scenario with `PolicySet.check_against`: a policy set
is written once and used with many scenarios, so an issue a scenario may lack is listed in the
rule's `optional_issues`, and the part of the check that needs it is skipped where it is absent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from pactlab.domain.issues import CategoricalIssue
from pactlab.domain.scenario import Scenario

Severity = Literal["block", "warn"]
RuleKind = Literal[
    "individual_rationality", "proportionality", "fairness_bound", "ip_follows_core_business", "transparency", "process"
]
FieldPath = tuple[str | int, ...]
RuleProblem = tuple[FieldPath, str]
"""Something wrong with a policy set against a scenario: the field's path in the file, and what."""


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def issue_refs(self) -> Iterator[tuple[FieldPath, str, list[str]]]:
        """Issues these parameters name: (field path, issue id, options of it named alongside)."""
        return iter(())


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
    ip_issue: str = Field(description="The foreground-IP ownership issue.")
    acceptable_owners: list[str] = Field(
        min_length=1, description="Options of ip_issue where ownership follows core business (e.g. split_by_field)."
    )
    licence_issue: str | None = Field(default=None, description="The issue of the licence to the non-owner.")
    sufficient_licences: list[str] = Field(
        default_factory=list, description="Licence options that count as at least non-exclusive royalty-free."
    )

    @model_validator(mode="after")
    def _licence_pair(self) -> IpFollowsCoreBusinessParams:
        if (self.licence_issue is None) != (not self.sufficient_licences):
            raise ValueError("'licence_issue' and 'sufficient_licences' go together: give both or neither")
        return self

    def issue_refs(self) -> Iterator[tuple[FieldPath, str, list[str]]]:
        yield ("ip_issue",), self.ip_issue, self.acceptable_owners
        if self.licence_issue is not None:
            yield ("licence_issue",), self.licence_issue, self.sufficient_licences


class TransparencyParams(_Params):
    require_rationale: bool = Field(
        default=True, description="A proposal's rationale names every issue it changes (and is never empty)."
    )
    declared_issues_only: bool = Field(default=True, description="No term outside the scenario's issues.")
    disclosure_issue: str | None = Field(default=None, description="The disclosure that must come first.")
    disclosed_options: list[str] = Field(default_factory=list, description="Options of it that count as disclosed.")
    dependent_issues: list[str] = Field(
        default_factory=list, description="Issues that may move only once the disclosure is on the table."
    )

    @model_validator(mode="after")
    def _disclosure_complete(self) -> TransparencyParams:
        given = [self.disclosure_issue is not None, bool(self.disclosed_options), bool(self.dependent_issues)]
        if any(given) and not all(given):
            raise ValueError("'disclosure_issue', 'disclosed_options' and 'dependent_issues' go together")
        return self

    def issue_refs(self) -> Iterator[tuple[FieldPath, str, list[str]]]:
        if self.disclosure_issue is not None:
            yield ("disclosure_issue",), self.disclosure_issue, self.disclosed_options
            for n, issue in enumerate(self.dependent_issues):
                yield ("dependent_issues", n), issue, []


class ProcessParams(_Params):
    round_limit: bool = Field(default=True, description="No move after the scenario's max_rounds.")
    ladder_order: bool = Field(default=True, description="Dispute tiers entered one by one, in the ladder's order.")
    cooling_off_rounds: int = Field(default=0, ge=0, description="Rounds at least between two escalations.")


class _RuleBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", description="Unique within the policy set.")
    severity: Severity = Field(description="block: refuse the move or deal; warn: let it pass and record it.")
    statement: str = Field(min_length=1, description="The rule in words, for people and agents.")
    optional_issues: list[str] = Field(
        default_factory=list,
        description="Issues named in parameters that a scenario may lack; that part of the check is then skipped.",
    )
    parameters: _Params

    @model_validator(mode="after")
    def _optional_issues_are_named(self) -> _RuleBase:
        named = {issue for _, issue, _ in self.parameters.issue_refs()}
        unknown = [i for i in self.optional_issues if i not in named]
        if unknown:
            raise ValueError(
                f"optional_issues lists {', '.join(unknown)}, which the parameters do not name"
                + (f" (they name: {', '.join(sorted(named))})" if named else "")
            )
        return self

    def check_against(self, scenario: Scenario) -> list[RuleProblem]:
        """Problems of this rule's parameters with `scenario`'s issues, as (path within the rule, message)."""
        problems: list[RuleProblem] = []
        by_id = {i.id: i for i in scenario.issues}
        for path, issue_id, options in self.parameters.issue_refs():
            issue = by_id.get(issue_id)
            if issue is None:
                if issue_id not in self.optional_issues:
                    problems.append(
                        (
                            ("parameters", *path),
                            f"unknown issue {issue_id!r} in scenario {scenario.id!r}; known issues: "
                            f"{', '.join(by_id)} (list it in optional_issues if the rule should skip it)",
                        )
                    )
                continue
            if not options:
                continue
            if not isinstance(issue, CategoricalIssue):
                problems.append((("parameters", *path), f"{issue_id!r} is not categorical; options need one"))
                continue
            for option in options:
                if option not in issue.options:
                    problems.append(
                        (
                            ("parameters", *path),
                            f"{option!r} is not an option of {issue_id!r}; options: {', '.join(issue.options)}",
                        )
                    )
        return problems


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
    """Foreground IP is owned along core business; the non-owner gets at least a royalty-free licence."""

    kind: Literal["ip_follows_core_business"]
    parameters: IpFollowsCoreBusinessParams


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

    def check_against(self, scenario: Scenario) -> list[RuleProblem]:
        """Problems of the rules' parameters with `scenario`, as (field path in the file, message).

        Empty when the policy set fits the scenario. Check once before a run: the rules assume it.
        """
        return [
            (("rules", n, *path), message)
            for n, rule in enumerate(self.rules)
            for path, message in rule.check_against(scenario)
        ]

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"no rule {rule_id!r} in policy set {self.name!r}")
