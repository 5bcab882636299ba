"""The sweep file: a base scenario, what to vary (grid, random or listed variants), seeds, budget.

A *setting* is a key and a value applied to one run:

- a scenario field path, e.g. ``parties.lab.private.reservation_value``,
  ``issues.price.maximum`` or ``protocol.max_rounds`` (list items by their ``id``);
- ``policies``: a shipped policy set's name, a file, or ``none``;
- ``negotiators``: one ``--agent`` form (``SPEC`` for every party, or ``PARTY=SPEC``) or a list of them;
- ``negotiators.PARTY``: one party's negotiator spec.

``fixed`` settings apply to every run; the design (``grid``, ``random`` or ``variants``) says
which values vary. Each variant runs once per seed and repetition.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from pactlab.domain.limits import MAX_RUNS, SEED_MAX, issue_size_problem

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
_VALUES_HELP = "give a list of values, e.g. [0.4, 0.5], or a range {min: 0.4, max: 0.6, step: 0.1}"


def seed_list(raw: Any) -> Any:
    """Check a sweep's or league's `seeds` before parsing: a non-empty list without repeats, or {count: N}."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raise ValueError(f"give a list of seeds, e.g. [{raw}], or {{count: {raw}}} for seeds 0..{raw - 1}")
    if isinstance(raw, list):
        if not raw:
            raise ValueError("no seeds; give at least one")
        if len(set(map(str, raw))) != len(raw):
            raise ValueError("a seed is listed twice")
    return raw


class Range(BaseModel):
    """Numbers from `min` to `max`: every `step` (a grid), or drawn uniformly without a step (random only)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int | float
    max: int | float
    step: int | float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if self.step is not None:
            too_many = issue_size_problem(self.min, self.max, self.step, "the range")
            if too_many is not None:
                raise ValueError(too_many.replace("an issue may take", "a range may hold"))
        return self

    @property
    def count(self) -> int:
        """How many values the grid holds (bounded by `MAX_ISSUE_VALUES`); ValueError without a step."""
        if self.step is None:
            raise ValueError("a range without a step has no fixed list of values")
        return int((self.max - self.min) / self.step + 1e-9) + 1

    def value_at(self, k: int) -> int | float:
        """The grid's `k`-th value (as `values()[k]`, without listing them)."""
        assert self.step is not None
        point = self.min + k * self.step
        return round(point) if self.integer else round(point, 10)

    @property
    def integer(self) -> bool:
        """Whether every bound given is a whole number (then values are integers)."""
        return all(isinstance(x, int) for x in (self.min, self.max, self.step) if x is not None)

    def values(self) -> list[int | float]:
        """The grid min, min+step, ... up to max; ValueError without a step."""
        return [self.value_at(k) for k in range(self.count)]


def _values_or_range(raw: Any) -> Any:
    """A scalar gets a clear message instead of one error per kind of factor."""
    if isinstance(raw, list):
        if not raw:
            raise ValueError(f"no values; {_VALUES_HELP}")
        return raw
    if isinstance(raw, (dict, Range)):
        return raw
    raise ValueError(f"{raw!r} is a single value; {_VALUES_HELP} (a single value belongs under 'fixed')")


FactorValues = Annotated[
    Annotated[list[Any], Tag("list")] | Annotated[Range, Tag("range")],
    Discriminator(lambda raw: "list" if isinstance(raw, list) else "range"),
    BeforeValidator(_values_or_range),
]
"""What a varied setting takes: a list of values, or a Range."""


Seed = Annotated[int, Field(ge=0, le=SEED_MAX)]
"""A seed: stored in the sweep store (SQLite INTEGER) and in checkpoints (msgpack), so 64 bits, not negative."""


def _not_empty(factors: dict[str, Any], what: str) -> dict[str, Any]:
    if not factors:
        raise ValueError(f"empty {what}: give at least one setting with values to vary")
    return factors


class SeedRange(BaseModel):
    """Seeds `start`, `start + 1`, ..., `count` of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    count: int = Field(ge=1, le=MAX_RUNS)
    start: int = Field(default=0, ge=0, le=SEED_MAX, description=f"The first seed; seeds lie in 0..{SEED_MAX}.")

    @model_validator(mode="after")
    def _in_range(self) -> SeedRange:
        if self.start + self.count - 1 > SEED_MAX:
            raise ValueError(f"the last seed ({self.start + self.count - 1}) is beyond {SEED_MAX}: lower 'start'")
        return self

    def seeds(self) -> list[int]:
        return list(range(self.start, self.start + self.count))


class RandomDesign(BaseModel):
    """`n` variants drawn at random (seeded): each setting from its list, or uniformly from its range."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n: int = Field(ge=1, le=100_000, description="How many variants to draw (duplicates are dropped).")
    seed: int = Field(
        default=0, ge=0, le=SEED_MAX, description="Seed of the draw: the same seed draws the same variants."
    )
    vary: dict[str, FactorValues]

    @field_validator("vary")
    @classmethod
    def _vary(cls, vary: dict[str, Any]) -> dict[str, Any]:
        return _not_empty(vary, "random design")


class Budget(BaseModel):
    """When to stop: runs started by one invocation; tokens and cost over the whole sweep (all restarts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_runs: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_cost: float | None = Field(default=None, gt=0)


class Limits(BaseModel):
    """Limits on model-backed (LLM) runs: concurrent runs, and tokens per minute for each provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int = Field(default=4, ge=1, le=1000)
    tokens_per_minute: dict[str, int] = Field(default_factory=dict)

    @field_validator("tokens_per_minute")
    @classmethod
    def _positive(cls, limits: dict[str, int]) -> dict[str, int]:
        for provider, limit in limits.items():
            if limit < 1:
                raise ValueError(f"tokens per minute for {provider!r} must be at least 1, not {limit}")
        return limits


class Sweep(BaseModel):
    """A sweep file: see the module docstring for the settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN, description="Names the sweep's runs; lower case, digits, - and _.")
    description: str = ""
    scenario: str = Field(description="A shipped scenario's name, or a file (relative to the sweep file).")
    seeds: list[Seed] | SeedRange = Field(default_factory=lambda: [0])
    repetitions: int = Field(default=1, ge=1, le=1000, description="Runs per variant and seed (for LLM agents).")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Settings for every run.")
    grid: dict[str, FactorValues] | None = Field(default=None, description="Every combination of the values.")
    random: RandomDesign | None = None
    variants: list[dict[str, Any]] | None = Field(default=None, description="Listed combinations of settings.")
    budget: Budget = Field(default_factory=Budget)
    limits: Limits = Field(default_factory=Limits)

    @field_validator("seeds", mode="before")
    @classmethod
    def _seeds(cls, raw: Any) -> Any:
        return seed_list(raw)

    @field_validator("grid")
    @classmethod
    def _grid(cls, grid: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if grid is None else _not_empty(grid, "grid")

    @field_validator("variants")
    @classmethod
    def _variants(cls, variants: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        if variants is not None and not variants:
            raise ValueError("empty list of variants: list at least one combination of settings")
        return variants

    @model_validator(mode="after")
    def _one_design(self) -> Sweep:
        given = [k for k in ("grid", "random", "variants") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one design, not {' and '.join(given)}: grid, random or variants")
        return self

    @property
    def seed_list(self) -> list[int]:
        return self.seeds.seeds() if isinstance(self.seeds, SeedRange) else list(self.seeds)

    @property
    def design(self) -> str:
        """``grid``, ``random``, ``variants`` or ``single`` (only fixed settings)."""
        for name in ("grid", "random", "variants"):
            if getattr(self, name) is not None:
                return name
        return "single"
