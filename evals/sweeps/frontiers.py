"""The Pareto frontiers a sweep's agreements are drawn against.

A sweep's variants may change the parties' preferences (weights, option values, hard limits),
so agreements from different variants are measured in different utility functions and lie
under different frontiers. Variants that share their preferences share a frontier (a
reservation value, a negotiator or a policy set does not move it: the frontier is taken over
the agreement space, the outcomes that keep every hard limit), so the frontier is computed once
per distinct set of preferences, with `evals.utility_view.frontier_points`: exact where the
space is enumerated, else sampled by weighted-sum programs (its note says so). The report draws
at most `MAX_FRONTIERS` of them, labelled by the preference settings that tell them apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.scorecard import analyse
from evals.sweeps.runs import SweepRun, level
from evals.utility_view import frontier_points, thin
from pactlab.domain.scenario import Scenario

MAX_FRONTIERS = 6
"""Distinct frontiers a report draws at most (the others are counted in the note)."""

_NOT_PREFERENCES = ("reservation_value",)


@dataclass(frozen=True)
class SweepFrontier:
    """One distinct frontier: who has it, its points (party order, thinned) and how it was obtained."""

    label: str
    points: list[list[float]]
    exact: bool
    note: str
    variants: int


@dataclass(frozen=True)
class SweepFrontiers:
    frontiers: list[SweepFrontier]
    distinct: int  # distinct frontiers among the variants (may exceed those drawn)
    missing: str = ""  # why no frontier is drawn, when none is

    @property
    def note(self) -> str:
        if not self.frontiers:
            return self.missing
        drawn = len(self.frontiers)
        methods = sorted({f.note.split(",")[0] for f in self.frontiers})
        more = f" ({drawn} drawn)" if drawn < self.distinct else ""
        return f"{self.distinct} distinct Pareto frontier(s){more}: {'; '.join(methods)}"


def preference_key(scenario: Scenario) -> str:
    """A hash of what moves the frontier: issues, and each party's preferences bar its reservation value."""
    data = scenario.model_dump(mode="json")
    keep = {
        "issues": data.get("issues"),
        "parties": [
            {k: v for k, v in (p.get("private") or {}).items() if k not in _NOT_PREFERENCES} for p in data["parties"]
        ],
    }
    return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()).hexdigest()


def sweep_frontiers(
    scenarios: Mapping[str, Scenario],
    runs: Sequence[SweepRun],
    label: Callable[[str], str],
    missing: str = "",
) -> SweepFrontiers:
    """The distinct frontiers of the variants in `scenarios` (by variant hash), labelled with `label(path)`."""
    if not scenarios:
        return SweepFrontiers([], 0, missing or "the variants' scenarios are not at hand: no frontier drawn")
    params: dict[str, dict[str, Any]] = {}
    for run in runs:
        params.setdefault(run.variant, run.params)
    groups: dict[str, list[str]] = {}
    for variant, scenario in scenarios.items():
        groups.setdefault(preference_key(scenario), []).append(variant)
    shown: list[SweepFrontier] = []
    for members in list(groups.values())[:MAX_FRONTIERS]:
        scenario = scenarios[members[0]]
        points, exact, note = frontier_points(analyse(scenario))
        points = thin(points)
        name = _label([params.get(v, {}) for v in members], label) if len(groups) > 1 else "Pareto frontier"
        shown.append(SweepFrontier(name, points.round(6).tolist(), exact, note, len(members)))
    return SweepFrontiers(shown, len(groups))


def _label(members: Sequence[Mapping[str, Any]], label: Callable[[str], str]) -> str:
    """The preference settings all `members` share, in words (``frontier: A = x, B = y``)."""
    shared: dict[str, Any] = {}
    if members:
        first = members[0]
        for key, value in first.items():
            if key.endswith(_NOT_PREFERENCES) or not key.startswith("parties."):
                continue
            if all(level(m.get(key)) == level(value) for m in members):
                shared[key] = value
    if not shared:
        return "Pareto frontier"
    return "frontier: " + "; ".join(f"{label(k)} = {level(v)}" for k, v in shared.items())


__all__ = ["MAX_FRONTIERS", "SweepFrontier", "SweepFrontiers", "preference_key", "sweep_frontiers"]
