"""A party's private preferences: weights, value functions, reservation value, hard constraints.

Figures may be written on any scale (``scale: {min: 0, max: 100}`` for points, as published
games score them) and, for such games, as points that add up (``utility: sum``). Either way
the profile is normalised when it is validated: what every other part of pactlab sees is the
canonical form — non-negative weights, option values in [0, 1], a reservation value in [0, 1] —
so utilities always lie in [0, 1]. See `PrivateProfile` for the rules.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from pactlab.domain.constraints import Constraint
from pactlab.domain.issues import BooleanIssue, NumericIssue, _IssueBase, value_key

Figure = Annotated[float, Field(allow_inf_nan=False)]
"""A finite number on the profile's scale."""


class OptionValues(BaseModel):
    """A value for each option of an issue, on the profile's scale ([0, 1] by default).

    In YAML, a plain mapping ``{option: value, ...}`` (or ``{table: {option: value, ...}}``).
    A numeric issue takes one too, keyed by every value of its grid (``{0: 1.0, 2: 0.8, ...}``),
    for shapes that neither linear nor peaked describe (imported GENIUS evaluators, for one).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["table"] = "table"
    table: dict[str, Figure]

    @field_validator("table", mode="before")
    @classmethod
    def _keys_as_written_in_term_sheets(cls, raw: Any) -> Any:
        """YAML reads ``true:`` and ``12:`` as a bool and an int; tables key options as strings ("true", "12")."""
        return {value_key(k): v for k, v in raw.items()} if isinstance(raw, dict) else raw


class LinearValue(BaseModel):
    """Value rises (``up``) or falls (``down``) linearly across a numeric issue's range.

    In YAML: ``{linear: up}`` or ``{linear: down}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    linear: Literal["up", "down"]


class PeakedValue(BaseModel):
    """Value 1 (the top of the scale) at `peak`, falling linearly to `floor` at the far end of the range.

    In YAML: ``{peak: 12}`` or ``{peak: 12, floor: 0.2}``; `floor` is on the profile's scale.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    peak: float
    floor: Figure = 0.0


_FUNCTION_KEYS = ("linear", "peak", "table")
"""Keys that make a mapping a value function rather than a short option table."""


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


def _table_from_mapping(raw: Any) -> Any:
    """``{option: value}`` → ``{table: {option: value}}``."""
    return {"table": raw} if isinstance(raw, dict) else raw


_SHORT_TABLE_SCHEMA: dict[str, Any] = {
    "title": "OptionTable",
    "description": "The value of each option, {option: value}; the short form of {table: {...}}.",
    "type": "object",
    "additionalProperties": {"type": "number"},
    "propertyNames": {"not": {"enum": list(_FUNCTION_KEYS)}},
}

ShortOptionValues = Annotated[
    OptionValues,
    BeforeValidator(_table_from_mapping),
    WithJsonSchema(_SHORT_TABLE_SCHEMA, mode="validation"),
]
"""`OptionValues` written as a plain mapping; the schema describes the mapping, the model holds the table."""

ValueFunction = Annotated[
    Annotated[OptionValues, Tag("table")]
    | Annotated[ShortOptionValues, Tag("mapping")]
    | Annotated[LinearValue, Tag("linear")]
    | Annotated[PeakedValue, Tag("peaked")],
    Discriminator(_value_function_tag),
]
"""One issue's value function: an option table (short or long form), linear, or peaked."""


class ValueScale(BaseModel):
    """The scale a profile writes its figures on: option values, floors and the reservation value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: Figure = Field(description="The worst figure (normalised to 0).")
    max: Figure = Field(description="The best figure (normalised to 1).")

    @model_validator(mode="after")
    def _ordered(self) -> ValueScale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max:g}) must be greater than min ({self.min:g})")
        return self

    def normalise(self, figure: float) -> float:
        """`figure` on [0, 1]."""
        return (figure - self.min) / (self.max - self.min)

    def describe(self) -> str:
        return f"{self.min:g}..{self.max:g}"


UNIT_SCALE = ValueScale(min=0.0, max=1.0)
"""The default scale: figures are already utilities."""

UtilityRule = Literal["weighted_average", "sum"]

PriorityTier = Literal["high", "medium", "low"]


def priority_tier(share: float) -> PriorityTier:
    """An issue's priority in words from its normalised weight (share of the total): high from 0.15,
    medium from 0.07, else low; what a party's brief says and what its claims are checked against."""
    return "high" if share >= 0.15 else "medium" if share >= 0.07 else "low"


class PrivateProfile(BaseModel):
    """What only the party (and the operator) knows: how it values each outcome.

    Utility is linear-additive. With ``utility: weighted_average`` (the default) it is the
    weighted average of the issues' values: weights are relative (any non-negative scale),
    option values, floors and the reservation value lie on the profile's `scale` (default
    [0, 1]; values outside it are an error that asks for a ``scale:``). With ``utility: sum``
    there are no weights: each option's value is points, as published negotiation games score
    them, and the utility is the sum of the points of the chosen options; the scale is then the
    range of totals (lowest to highest sum), which a declared `scale` must equal.

    Validation normalises either form to the canonical one every other part of pactlab reads:
    weights as given (``sum``: each issue's range of points), option values and floors mapped
    linearly onto [0, 1], the reservation value likewise; `scale` and `utility` are then unset.
    So utilities always lie in [0, 1], and the reservation value is the utility of the party's
    BATNA: no deal below it is better than no deal.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scale: ValueScale | None = Field(
        default=None,
        exclude=True,
        description="The scale of option values, floors and the reservation value, e.g. {min: 0, max: 100} for "
        "points; default 0..1. Normalised away on loading.",
    )
    utility: UtilityRule = Field(
        default="weighted_average",
        exclude=True,
        description="weighted_average (weights times values) or sum (no weights: option values are points that "
        "add up).",
    )
    weights: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="Relative importance of each issue (any non-negative scale; normalised). Required unless "
        "utility is sum.",
    )
    values: dict[str, ValueFunction] = Field(
        description="Per issue: an {option: value} table, {linear: up|down} or {peak: x}."
    )
    reservation_value: Figure = Field(description="Utility of the BATNA, on the profile's scale.")
    constraints: list[Constraint] = Field(
        default_factory=list, description="Hard constraints such as 'term_months <= 12'."
    )
    interests: str = Field(default="", description="Narrative brief: what the organisation wants and why.")

    @model_validator(mode="wrap")
    @classmethod
    def _canonical(cls, data: Any, handler: ModelWrapValidatorHandler[PrivateProfile]) -> PrivateProfile:
        profile = handler(data)
        if profile.scale is None and profile.utility == "weighted_average":
            _check_figures(profile, UNIT_SCALE, declared=False)
            _check_weights(profile)
            return profile
        return _normalised(profile)

    def normalised_weights(self, issue_ids: list[str]) -> np.ndarray:
        raw = np.array([self.weights.get(i, 0.0) for i in issue_ids], dtype=float)
        return np.asarray(raw / raw.sum(), dtype=float)


def _raise(problems: list[tuple[tuple[str | int, ...], str]]) -> None:
    """Raise the problems (field path, message) as one ValidationError, located field by field."""
    errors = [InitErrorDetails(type=PydanticCustomError("scenario", m), loc=loc, input=None) for loc, m in problems]
    raise ValidationError.from_exception_data("PrivateProfile", errors)


def _check_weights(profile: PrivateProfile) -> None:
    total = sum(profile.weights.values())
    if not math.isfinite(total):  # e.g. weights of 1e308 each: their sum, and every utility, would not be finite
        _raise([(("weights",), f"the weights add up to {total:g}; give them on a smaller scale, e.g. 1 to 100")])
    if total <= 0:
        hint = "" if profile.weights else "; give each issue's weight, e.g. {price: 2} (or 'utility: sum')"
        _raise([(("weights",), "at least one weight must be positive" + hint)])


def _check_figures(profile: PrivateProfile, scale: ValueScale, *, declared: bool) -> None:
    """Every option value, floor and the reservation value lies on `scale`; raise a ValidationError if not."""
    hint = (
        f"on the profile's scale {scale.describe()}"
        if declared
        else "on the default scale 0..1 (to write points, declare e.g. 'scale: {min: 0, max: 100}')"
    )
    problems: list[tuple[tuple[str | int, ...], str]] = []

    def check(loc: tuple[str | int, ...], figure: float) -> None:
        if figure > scale.max:
            problems.append((loc, f"Input should be less than or equal to {scale.max:g} {hint} (got {figure:g})"))
        elif figure < scale.min:
            problems.append((loc, f"Input should be greater than or equal to {scale.min:g} {hint} (got {figure:g})"))

    for issue, fn in profile.values.items():
        if isinstance(fn, OptionValues):
            for key, figure in fn.table.items():
                check(("values", issue, "table", key), figure)
        elif isinstance(fn, PeakedValue):
            check(("values", issue, "floor"), fn.floor)
    check(("reservation_value",), profile.reservation_value)
    if problems:
        _raise(problems)


def _normalised(profile: PrivateProfile) -> PrivateProfile:
    """The canonical form of a profile written on another scale, or as points that add up."""
    if profile.utility == "sum":
        return _from_points(profile)
    scale = profile.scale or UNIT_SCALE
    _check_figures(profile, scale, declared=True)
    _check_weights(profile)
    values: dict[str, OptionValues | LinearValue | PeakedValue] = {}
    for issue, fn in profile.values.items():
        if isinstance(fn, OptionValues):
            values[issue] = OptionValues(table={k: scale.normalise(v) for k, v in fn.table.items()})
        elif isinstance(fn, PeakedValue):
            values[issue] = PeakedValue(peak=fn.peak, floor=scale.normalise(fn.floor))
        else:
            values[issue] = fn
    return profile.model_copy(
        update={"scale": None, "values": values, "reservation_value": scale.normalise(profile.reservation_value)}
    )


def _from_points(profile: PrivateProfile) -> PrivateProfile:
    """``utility: sum``: each issue's weight is its range of points, its values its points mapped onto [0, 1]."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if profile.weights:
        problems.append((("weights",), "with 'utility: sum' the points are the weights; drop 'weights'"))
    ranges: dict[str, tuple[float, float]] = {}
    for issue, fn in profile.values.items():
        if not isinstance(fn, OptionValues):
            problems.append(
                (("values", issue), "with 'utility: sum' give every issue a table of points {option: points}")
            )
        elif fn.table:
            ranges[issue] = (min(fn.table.values()), max(fn.table.values()))
    if problems:
        _raise(problems)
    low = math.fsum(lo for lo, _ in ranges.values())
    high = math.fsum(hi for _, hi in ranges.values())
    if high <= low:
        _raise([(("values",), "every total of points is the same; give the options different points")])
    totals = ValueScale(min=low, max=high)
    if profile.scale is not None and (profile.scale.min, profile.scale.max) != (low, high):
        _raise(
            [
                (
                    ("scale",),
                    f"with 'utility: sum' the scale is the range of totals, {totals.describe()}, not "
                    f"{profile.scale.describe()}; drop 'scale' or make it {{min: {low:g}, max: {high:g}}}",
                )
            ]
        )
    weights = {issue: hi - lo for issue, (lo, hi) in ranges.items()}
    values: dict[str, OptionValues | LinearValue | PeakedValue] = {}
    for issue, fn in profile.values.items():
        assert isinstance(fn, OptionValues)
        lo, hi = ranges.get(issue, (0.0, 0.0))
        values[issue] = OptionValues(table={k: (v - lo) / (hi - lo) if hi > lo else 0.0 for k, v in fn.table.items()})
    reservation = profile.reservation_value
    if not low <= reservation <= high:
        _raise(
            [(("reservation_value",), f"must lie within the range of totals {totals.describe()} (got {reservation:g})")]
        )
    return profile.model_copy(
        update={
            "scale": None,
            "utility": "weighted_average",
            "weights": weights,
            "values": values,
            "reservation_value": totals.normalise(reservation),
        }
    )


def value_vector(issue: _IssueBase, fn: OptionValues | LinearValue | PeakedValue) -> np.ndarray:
    """The value of each of `issue.values()` under the value function (in [0, 1] for a validated profile)."""
    options = issue.values()
    if isinstance(fn, OptionValues):
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
    "UNIT_SCALE",
    "LinearValue",
    "OptionValues",
    "PeakedValue",
    "PriorityTier",
    "PrivateProfile",
    "UtilityRule",
    "ValueFunction",
    "ValueScale",
    "check_profile",
    "priority_tier",
    "value_vector",
]
