"""What a backend runs and what it returns: plain, picklable records (for processes and Ray)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pactlab.app.sweeps.settings import RunKind

RunStatus = Literal["pending", "running", "done", "failed"]


@dataclass(frozen=True)
class RunTask:
    """One negotiation to run: the variant's scenario (JSON form), negotiators, policy set and seed."""

    run_id: str  # also the negotiation id
    scenario: dict[str, Any]
    scenario_sha256: str
    source: str
    agents: dict[str, str]
    policies: dict[str, Any] | None
    seed: int
    run_dir: str  # where the transcript and scorecard go
    kind: RunKind = "strategy"
    providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunResult:
    """How a run ended: its scorecard and policy tally (JSON forms), or the error."""

    run_id: str
    status: Literal["done", "failed"]
    scorecard: dict[str, Any] | None
    violations: dict[str, Any] | None
    error: str | None
    started_at: str
    finished_at: str
    elapsed: float
    worker: str
    files: dict[str, bytes] = field(default_factory=dict)  # run-dir files a remote worker sends back


def utc_now() -> str:
    """An ISO-8601 UTC timestamp with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def failed(task: RunTask, error: str, worker: str = "") -> RunResult:
    """The result of a run that never reported back (its worker died, say)."""
    now = utc_now()
    return RunResult(task.run_id, "failed", None, None, error, now, now, 0.0, worker)
