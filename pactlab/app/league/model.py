"""The league file: negotiator types, scenarios, seats, seeds, budget.

```yaml
name: standard
negotiators:                    # the types: a spec (its own label) or {name, spec}
  - boulware
  - {name: pareto-e05, spec: "pareto(e=0.5)"}
  - negmas(AspirationNegotiator)
scenarios:                      # shipped names or files (relative to the league file)
  - platform_material
  - {scenario: ecosystem, fixed: {protocol.max_rounds: 20}}
seeds: {count: 5}
self_play: false                # also every type against itself, in every seat
fixed: {policies: none}         # sweep settings for every run (scenario field paths, policies)
rank_by: utility
```

Seats (see `pactlab.app.league.plan`): for every ordered pair of different types (focal,
opponent) and every seat, the focal type sits in that seat and the opponent type in every
other seat; assignments that repeat (two parties: A in seat 1 against B is B in seat 2
against A) run once.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pactlab.app.sweeps.model import NAME_PATTERN, Budget, Limits, Seed, SeedRange, seed_list

RankBy = Literal["utility", "surplus", "agreement", "nash_ratio"]
"""Metrics a league may rank by (higher is better for each)."""

MAX_TYPES = 50
MAX_SCENARIOS = 50


class NegotiatorType(BaseModel):
    """One negotiator type: a label and the agent spec that builds it (as `--agent` takes it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, pattern=r"^\S(.*\S)?$", description="Label in the report.")
    spec: str = Field(min_length=1, max_length=400, description="An agent spec, e.g. 'pareto(e=0.5)' or 'llm(...)'.")


class ScenarioEntry(BaseModel):
    """A scenario of the league, with settings of its own (applied after the league's `fixed`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str = Field(min_length=1, description="A shipped scenario's name, or a file (relative to the league).")
    label: str | None = Field(default=None, pattern=NAME_PATTERN, description="Name in the report (default: its id).")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Sweep settings for this scenario's runs.")


def _entry(raw: Any) -> Any:
    return {"name": raw, "spec": raw} if isinstance(raw, str) else raw


class League(BaseModel):
    """A league file: see the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN, description="Names the league's runs; lower case, digits, - and _.")
    description: str = ""
    negotiators: list[NegotiatorType] = Field(min_length=2, max_length=MAX_TYPES)
    scenarios: list[ScenarioEntry] = Field(min_length=1, max_length=MAX_SCENARIOS)
    seeds: list[Seed] | SeedRange = Field(default_factory=lambda: [0])
    repetitions: int = Field(default=1, ge=1, le=1000, description="Runs per assignment and seed (for LLM types).")
    self_play: bool = Field(default=False, description="Also run every type against itself.")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Sweep settings for every run.")
    rank_by: RankBy = "utility"
    budget: Budget = Field(default_factory=Budget)
    limits: Limits = Field(default_factory=Limits)

    @field_validator("negotiators", mode="before")
    @classmethod
    def _types(cls, raw: Any) -> Any:
        return [_entry(item) for item in raw] if isinstance(raw, list) else raw

    @field_validator("scenarios", mode="before")
    @classmethod
    def _scenarios(cls, raw: Any) -> Any:
        return [{"scenario": item} if isinstance(item, str) else item for item in raw] if isinstance(raw, list) else raw

    @field_validator("seeds", mode="before")
    @classmethod
    def _seeds(cls, raw: Any) -> Any:
        return seed_list(raw)

    @model_validator(mode="after")
    def _unique(self) -> League:
        names = [t.name for t in self.negotiators]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"negotiator type {repeated[0]!r} is listed twice; give each type its own name")
        return self

    @property
    def seed_list(self) -> list[int]:
        return self.seeds.seeds() if isinstance(self.seeds, SeedRange) else list(self.seeds)

    @property
    def type_names(self) -> list[str]:
        return [t.name for t in self.negotiators]
