"""A party's private preferences: weights, value functions, reservation value, hard constraints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from pactlab.domain.constraints import Constraint
from pactlab.domain.issues import BooleanIssue, NumericIssue, _IssueBase, value_key


class OptionValues(BaseModel):
    """A value in [0, 1] for each option of a categorical or yes/no issue.

    In YAML, a plain mapping ``{option: value, ...}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["table"] = "table"
    table: dict[str, Annotated[float, Field(ge=0, le=1)]]


class LinearValue(BaseModel):
    """Value rises (``up``) or falls (``down``) linearly across a numeric issue's range.

    In YAML: ``{linear: up}`` or ``{linear: down}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    linear: Literal["up", "down"]


class PeakedValue(BaseModel):
    """Value 1 at `peak`, falling linearly to `floor` at the far end of the range.

    In YAML: ``{peak: 12}`` or ``{peak: 12, floor: 0.2}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    peak: float
    floor: float = Field(default=0.0, ge=0, le=1)


def _value_function_tag(raw: Any) -> str:
    if isinstance(raw, dict):
        if "linear" in raw:
            return "linear"
        if "peak" in raw:
            return "peaked"
        if raw.get("kind") == "table" or "table" in raw:
            return "table"
        return "mapping"
    if isinstance(raw, LinearValue):
        return "linear"
    if isinstance(raw, PeakedValue):
        return "peaked"
    return "table"


ValueFunction = Annotated[
    Annotated[OptionValues, Tag("table")]
    | Annotated[LinearValue, Tag("linear")]
    | Annotated[PeakedValue, Tag("peaked")],
    Discriminator(_value_function_tag),
]


class PrivateProfile(BaseModel):
    """What only the party (and the operator) knows: how it values each outcome.

    Utility is linear-additive: the weighted sum of per-issue values, weights normalised to 1,
    so every utility lies in [0, 1]. The reservation value is the utility of the party's
    BATNA: no deal below it is better than no deal.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: dict[str, Annotated[float, Field(ge=0)]] = Field(
        description="Relative importance of each issue (any non-negative scale; normalised)."
    )
    values: dict[str, ValueFunction] = Field(
        description="Per issue: an {option: value} table, {linear: up|down} or {peak: x}."
    )
    reservation_value: float = Field(ge=0, le=1, description="Utility of the BATNA, in [0, 1].")
    constraints: list[Constraint] = Field(
        default_factory=list, description="Hard constraints such as 'exclusivity_months <= 12'."
    )
    interests: str = Field(default="", description="Narrative brief: what the organisation wants and why.")

    @field_validator("values", mode="before")
    @classmethod
    def _short_tables(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        converted: dict[Any, Any] = {}
        for issue, fn in raw.items():
            if isinstance(fn, dict) and _value_function_tag(fn) == "mapping":
                fn = {"table": {value_key(k): v for k, v in fn.items()}}
            converted[issue] = fn
        return converted

    @field_validator("weights")
    @classmethod
    def _some_weight(cls, weights: dict[str, float]) -> dict[str, float]:
        if sum(weights.values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return weights

    def normalised_weights(self, issue_ids: list[str]) -> np.ndarray:
        raw = np.array([self.weights.get(i, 0.0) for i in issue_ids], dtype=float)
        return np.asarray(raw / raw.sum(), dtype=float)


def value_vector(issue: _IssueBase, fn: OptionValues | LinearValue | PeakedValue) -> np.ndarray:
    """The value in [0, 1] of each of `issue.values()` under the value function."""
    options = issue.values()
    if isinstance(fn, OptionValues):
        if isinstance(issue, NumericIssue):
            raise ValueError(f"{issue.id!r} is numeric; give {{linear: up|down}} or {{peak: x}}, not a table")
        keys = [value_key(o) for o in options]
        unknown = sorted(set(fn.table) - set(keys))
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(unknown)} for {issue.id!r}; valid: {', '.join(keys)}")
        missing = [k for k in keys if k not in fn.table]
        if missing:
            raise ValueError(f"no value for option(s) {', '.join(missing)} of {issue.id!r}; give every option a value")
        return np.array([fn.table[k] for k in keys], dtype=float)
    if not isinstance(issue, NumericIssue):
        kind = "yes/no" if isinstance(issue, BooleanIssue) else "categorical"
        raise ValueError(f"{issue.id!r} is {kind}; give a table {{option: value}}, not a linear or peaked function")
    xs = np.array(options, dtype=float)
    span = issue.maximum - issue.minimum
    if isinstance(fn, LinearValue):
        up = (xs - issue.minimum) / span
        return up if fn.linear == "up" else 1.0 - up
    if not issue.minimum <= fn.peak <= issue.maximum:
        raise ValueError(f"peak {fn.peak} lies outside {issue.id!r}'s range {issue.minimum}..{issue.maximum}")
    far = max(fn.peak - issue.minimum, issue.maximum - fn.peak) or 1.0
    return 1.0 - (1.0 - fn.floor) * np.abs(xs - fn.peak) / far


def check_profile(profile: PrivateProfile, issues: list[_IssueBase]) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems with a profile against the scenario's issues, as (field path, message) pairs."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    by_id = {i.id: i for i in issues}
    for issue_id in profile.weights:
        if issue_id not in by_id:
            problems.append((("weights", issue_id), f"unknown issue {issue_id!r}; known issues: {', '.join(by_id)}"))
    for issue_id, fn in profile.values.items():
        if issue_id not in by_id:
            problems.append((("values", issue_id), f"unknown issue {issue_id!r}; known issues: {', '.join(by_id)}"))
            continue
        try:
            value_vector(by_id[issue_id], fn)
        except ValueError as exc:
            problems.append((("values", issue_id), str(exc)))
    for issue in issues:
        if profile.weights.get(issue.id, 0.0) > 0 and issue.id not in profile.values:
            problems.append((("values",), f"issue {issue.id!r} has a weight but no value function; add one"))
    for n, constraint in enumerate(profile.constraints):
        try:
            constraint.check_against(by_id)
        except ValueError as exc:
            problems.append((("constraints", n), str(exc)))
    return problems


__all__ = [
    "LinearValue",
    "OptionValues",
    "PeakedValue",
    "PrivateProfile",
    "ValueFunction",
    "check_profile",
    "value_vector",
]
