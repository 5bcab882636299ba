"""A sweep's runs as the report reads them: plain records, from a result store or from transcripts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evals.scorecard import Scorecard
from evals.sweeps.violations import PolicyTally


@dataclass(frozen=True)
class SweepInfo:
    """What the report says about the sweep as a whole."""

    name: str
    scenario_title: str
    factors: list[str]
    description: str = ""
    seeds: list[int] = field(default_factory=list)
    variants: int = 0
    design: str = ""
    names: dict[str, str] = field(default_factory=dict)  # party and issue ids -> display names


@dataclass(frozen=True)
class SweepRun:
    """One run: its variant (the varied settings), seed, status and, once done, scorecard and tally."""

    run_id: str
    variant: str  # the variant's hash
    params: dict[str, Any]
    seed: int
    status: str
    scorecard: Scorecard | None = None
    violations: PolicyTally | None = None
    repetition: int = 0
    error: str | None = None
    elapsed: float | None = None
    tokens: int = 0
    cost: float = 0.0

    @property
    def done(self) -> bool:
        return self.status == "done" and self.scorecard is not None


def level(value: Any) -> str:
    """A factor's value as a label: strings as they are, anything else as compact JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)


def level_of(run: SweepRun, factor: str) -> str:
    """The run's level of `factor` (``–`` if the run's variant does not set it)."""
    return level(run.params[factor]) if factor in run.params else "–"


def from_json(
    run_id: str,
    variant: str,
    params: Mapping[str, Any],
    seed: int,
    status: str,
    scorecard: Mapping[str, Any] | None,
    violations: Mapping[str, Any] | None,
    **extra: Any,
) -> SweepRun:
    """A SweepRun from stored JSON forms of its scorecard and tally."""
    return SweepRun(
        run_id=run_id,
        variant=variant,
        params=dict(params),
        seed=seed,
        status=status,
        scorecard=None if scorecard is None else Scorecard.model_validate(scorecard),
        violations=None if violations is None else PolicyTally.model_validate(violations),
        **extra,
    )
