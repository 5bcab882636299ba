"""The issues of a term sheet: what is negotiated and which values each may take."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pactlab.domain.clauses import Clause
from pactlab.domain.ids import ID_PATTERN, keyword_problem
from pactlab.domain.limits import issue_size_problem

IssueValue = bool | int | float | str
"""One value of one issue, as it appears in a term sheet."""


class _IssueBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        pattern=ID_PATTERN,
        description="Identifier used in term sheets, preferences and constraints (letters, digits, underscores).",
    )
    name: str = Field(default="", description="Human-readable name; defaults to the id.")
    description: str = Field(default="", description="What the issue means for the partnership.")
    clause: Clause | None = Field(
        default=None,
        description="What kind of term this is and what each option means (see pactlab.domain.clauses); "
        "policies and term-sheet wording read it. Omit for a free-form term.",
    )

    @field_validator("id")
    @classmethod
    def _not_a_keyword(cls, issue_id: str) -> str:
        problem = keyword_problem(issue_id)
        if problem is not None:
            raise ValueError(problem)
        return issue_id

    @property
    def label(self) -> str:
        return self.name or self.id.replace("_", " ")

    def values(self) -> list[IssueValue]:  # pragma: no cover - overridden
        raise NotImplementedError

    def index_of(self, value: object) -> int:
        """Position of `value` in `values()`; raises ValueError that says what would be valid."""
        raise NotImplementedError  # pragma: no cover - overridden

    def describe_values(self) -> str:
        """A short phrase listing what this issue accepts, for error messages and prompts."""
        raise NotImplementedError  # pragma: no cover - overridden


class CategoricalIssue(_IssueBase):
    """An issue whose value is one of named options (ordered or not)."""

    kind: Literal["categorical"] = "categorical"
    options: list[str] = Field(min_length=2, description="The options, best-known order first if `ordered`.")
    ordered: bool = Field(default=False, description="Whether the options have a meaningful order.")

    @model_validator(mode="after")
    def _unique_options(self) -> CategoricalIssue:
        seen: set[str] = set()
        for option in self.options:
            if option in seen:
                raise ValueError(f"option {option!r} is listed twice; each option must be unique")
            seen.add(option)
        return self

    def values(self) -> list[IssueValue]:
        return list(self.options)

    def index_of(self, value: object) -> int:
        if isinstance(value, str) and value in self.options:
            return self.options.index(value)
        raise ValueError(f"{value!r} is not an option of {self.id!r}; valid: {self.describe_values()}")

    def describe_values(self) -> str:
        return "one of " + ", ".join(self.options)


class NumericIssue(_IssueBase):
    """An issue whose value is a number in [minimum, maximum] on a grid of `step`."""

    kind: Literal["numeric"] = "numeric"
    minimum: float = Field(allow_inf_nan=False)
    maximum: float = Field(allow_inf_nan=False)
    step: float = Field(
        gt=0, allow_inf_nan=False, description="Grid spacing; the outcome space holds every step from minimum."
    )
    integer: bool = Field(default=False, description="Whether values are whole numbers.")
    unit: str = Field(default="", description="Unit shown to people, e.g. '%' or 'months'.")

    @model_validator(mode="after")
    def _check_range(self) -> NumericIssue:
        if self.maximum <= self.minimum:
            raise ValueError(f"maximum ({self.maximum}) must be greater than minimum ({self.minimum})")
        too_many = issue_size_problem(self.minimum, self.maximum, self.step, f"issue {self.id!r}")
        if too_many is not None:
            raise ValueError(too_many)
        steps = (self.maximum - self.minimum) / self.step
        if abs(steps - round(steps)) > 1e-9:
            raise ValueError(
                f"step {self.step} does not divide the range {self.minimum}..{self.maximum}; "
                "choose a step that lands exactly on the maximum"
            )
        if self.integer and any(abs(x - round(x)) > 1e-9 for x in (self.minimum, self.maximum, self.step)):
            raise ValueError("an integer issue needs a whole-number minimum, maximum and step")
        return self

    @property
    def size(self) -> int:
        return round((self.maximum - self.minimum) / self.step) + 1

    def values(self) -> list[IssueValue]:
        if self.integer:
            return [round(self.minimum + i * self.step) for i in range(self.size)]
        return [round(self.minimum + i * self.step, 10) for i in range(self.size)]

    def index_of(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
            raise ValueError(f"{value!r} is not a number; {self.id!r} takes {self.describe_values()}")
        position = (float(value) - self.minimum) / self.step
        index = round(position)
        if abs(position - index) > 1e-6 or not 0 <= index < self.size:
            raise ValueError(f"{value!r} is not valid for {self.id!r}; valid: {self.describe_values()}")
        return index

    def describe_values(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"a number from {_fmt(self.minimum)} to {_fmt(self.maximum)}{unit} in steps of {_fmt(self.step)}"


class BooleanIssue(_IssueBase):
    """A yes/no issue."""

    kind: Literal["boolean"] = "boolean"

    def values(self) -> list[IssueValue]:
        return [False, True]

    def index_of(self, value: object) -> int:
        if isinstance(value, bool):
            return int(value)
        raise ValueError(f"{value!r} is not valid for {self.id!r}; valid: {self.describe_values()}")

    def describe_values(self) -> str:
        return "true or false"


Issue = Annotated[CategoricalIssue | NumericIssue | BooleanIssue, Field(discriminator="kind")]
"""Any issue kind; YAML picks one with `kind: categorical|numeric|boolean`."""


def value_key(value: IssueValue) -> str:
    """The string form of a value, as used for keys in preference tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _finite(x: int | float) -> bool:
    """Whether `x` is a finite number that fits a float (a huge int from JSON does not)."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
