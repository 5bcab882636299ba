"""A league's runs as the report reads them: plain records, JSON scorecards, who sat where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Source = Literal["own", "repaired", "fallback"]
"""Where an LLM seat's decision came from: the model's first reply, a repaired reply, or the fallback."""


@dataclass(frozen=True)
class SeatLLM:
    """One seat's model use in one run, from its audit trail."""

    decisions: int = 0
    own: int = 0
    repaired: int = 0
    fallback: int = 0
    last: Source | None = None  # the source of the seat's last decision (its deciding move)
    calls: int = 0  # model calls (`llm_call` records): two for a two-step turn's counter, one otherwise
    tokens: int = 0
    seconds: float = 0.0
    screen_hits: int = 0
    models: tuple[str, ...] = ()
    claims_true: int = 0  # the claims audit's verdicts on what the seat's words stated (`evals.claims`)
    claims_false: int = 0
    claims_unverifiable: int = 0


@dataclass(frozen=True)
class LeagueInfo:
    """What the report says about the league as a whole."""

    name: str
    types: dict[str, str]  # type name -> agent spec, in the league file's order
    scenarios: list[str]
    seeds: list[int] = field(default_factory=list)
    rank_by: str = "utility"
    self_play: bool = False
    description: str = ""
    command: str = ""
    endpoint: Mapping[str, str] | None = None  # where LLM types found their model (mode, model, file SHA-256)


@dataclass(frozen=True)
class LeagueRun:
    """One run: its scenario, the type in each seat (in the scenario's party order), status, scorecard."""

    run_id: str
    scenario: str
    seats: tuple[tuple[str, str], ...]  # (party, type)
    seed: int
    status: str
    scorecard: Mapping[str, Any] | None = None
    max_rounds: int = 0
    error: str | None = None
    llm: Mapping[str, SeatLLM] | None = None  # per party: model use read from the audit trail (LLM types)

    @property
    def done(self) -> bool:
        return self.status == "done" and self.scorecard is not None

    @property
    def types(self) -> list[str]:
        """The types at the table, each once, in seat order."""
        return list(dict.fromkeys(t for _, t in self.seats))
