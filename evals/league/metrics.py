"""What the league measures per negotiator type, read from each run's scorecard, and each metric's range.

One observation per (run, type at that run's table): a type's figures in a run are the mean
over the seats it held there (in a multi-party run the opponent type holds several seats),
so every run counts once for each type in it.

- ``agreement``: 1 if the run ended in agreement, else 0. Range [0, 1].
- ``utility``: the type's own utility: of the agreement, or its reservation value without one
  (it keeps its BATNA). Range [0, 1] (profiles normalise utilities to [0, 1]).
- ``surplus``: utility minus reservation value, 0 without agreement. Range [-1, 1].
- ``nash_ratio``: the deal's Nash product over the Nash bargaining solution's (scorecard). Range [0, 1].
- ``pareto_distance``: distance of the outcome from the Pareto frontier in utility space
  (scorecard). Range [0, √parties].
- ``rounds``: rounds played. Range [0, the scenario's round limit].
- ``opponent_model``: Pearson r of the type's opponent models (estimated vs true utility), read
  from the scorecard's ``opponent_models`` entries held by the type's seats when the scorecard
  has them; absent otherwise. Range [-1, 1].
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from evals.league.runs import LeagueRun


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: Literal["proportion", "mean"]
    higher_is_better: bool | None  # None: neither (rounds)
    digits: int
    description: str


METRICS: tuple[Metric, ...] = (
    Metric("agreement", "agreement", "proportion", True, 2, "share of runs ending in agreement"),
    Metric("utility", "utility", "mean", True, 3, "own utility (reservation value without agreement)"),
    Metric("surplus", "surplus", "mean", True, 3, "own utility minus reservation value (0 without agreement)"),
    Metric("nash_ratio", "Nash ratio", "mean", True, 3, "deal's Nash product over the Nash solution's"),
    Metric("pareto_distance", "Pareto distance", "mean", False, 3, "distance from the Pareto frontier"),
    Metric("rounds", "rounds", "mean", None, 1, "rounds played"),
    Metric("opponent_model", "opponent model r", "mean", True, 3, "Pearson r of its opponent models' estimates"),
)
BY_KEY = {m.key: m for m in METRICS}


def metric_range(key: str, runs: Sequence[LeagueRun]) -> tuple[float, float]:
    """The values `key` can take over `runs` (the widest over their scenarios)."""
    if key == "surplus" or key == "opponent_model":
        return (-1.0, 1.0)
    if key == "pareto_distance":
        return (0.0, max((math.sqrt(len(r.seats)) for r in runs), default=1.0))
    if key == "rounds":
        return (0.0, float(max((r.max_rounds for r in runs), default=0)))
    return (0.0, 1.0)


@dataclass(frozen=True)
class Observation:
    """One type's figures in one run."""

    run_id: str
    scenario: str
    seed: int
    type: str
    seats: tuple[str, ...]
    opponents: tuple[str, ...]  # the other types at the table (itself in self-play)
    values: dict[str, float]


def observations(run: LeagueRun) -> list[Observation]:
    """The run's observations, one per type at its table (none if the run is not done)."""
    card = run.scorecard
    if not run.done or card is None:
        return []
    parties = {str(p.get("party")): p for p in card.get("parties", []) if isinstance(p, Mapping)}
    agreed = card.get("outcome") == "agreement"
    shared = {
        "agreement": 1.0 if agreed else 0.0,
        "nash_ratio": _number(card, "nash_ratio"),
        "pareto_distance": _number(card, "pareto_distance"),
        "rounds": _number(card, "rounds"),
    }
    out = []
    types = run.types
    for kind in types:
        seats = tuple(p for p, t in run.seats if t == kind)
        scores = [parties[p] for p in seats if p in parties]
        values = {k: v for k, v in shared.items() if v is not None}
        if scores:
            values["utility"] = _mean([_own_utility(s) for s in scores])
            values["surplus"] = _mean([float(s.get("surplus", 0.0)) for s in scores])
        model = _opponent_model(card, seats)
        if model is not None:
            values["opponent_model"] = model
        others = tuple(t for t in types if t != kind) or (kind,)
        out.append(Observation(run.run_id, run.scenario, run.seed, kind, seats, others, values))
    return out


def _own_utility(score: Mapping[str, Any]) -> float:
    utility = score.get("utility")
    return float(utility) if isinstance(utility, (int, float)) else float(score.get("reservation_value", 0.0))


def _opponent_model(card: Mapping[str, Any], seats: Sequence[str]) -> float | None:
    """Mean Pearson r of the opponent models held by `seats`, if the scorecard reports any."""
    entries = card.get("opponent_models")
    if not isinstance(entries, list):
        return None
    found = [
        float(e["pearson_r"])
        for e in entries
        if isinstance(e, Mapping) and e.get("holder") in seats and isinstance(e.get("pearson_r"), (int, float))
    ]
    return _mean(found) if found else None


def _number(card: Mapping[str, Any], key: str) -> float | None:
    value = card.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)
