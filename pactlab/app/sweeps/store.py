"""The sweep's result store: one SQLite file under the output folder.

``sweep`` holds the sweep's definition (name, file text, definition hash, factors); ``runs``
one row per planned run: its variant (the varied settings as JSON), seed, repetition, status
(pending, running, done, failed), attempts, scorecard and policy tally (JSON), error, token
and cost figures and timings. Only the process that runs the sweep writes; WAL lets readers
(a report, a test) look while it does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pactlab.app.sweeps.budget import Usage, usage_of
from pactlab.app.sweeps.plan import PlannedRun, canonical
from pactlab.app.sweeps.tasks import RunResult, RunStatus, utc_now
from pactlab.errors import Conflict

STORE = "sweep.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweep (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    variant_sha256 TEXT NOT NULL,
    variant TEXT NOT NULL,
    seed INTEGER NOT NULL,
    repetition INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    scorecard TEXT,
    violations TEXT,
    error TEXT,
    tokens INTEGER NOT NULL DEFAULT 0,
    cost REAL NOT NULL DEFAULT 0,
    started_at TEXT,
    finished_at TEXT,
    elapsed REAL,
    worker TEXT
);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status, position);
"""


class StoreMismatch(Conflict, ValueError):
    """The folder holds another sweep, or this sweep with another definition."""


class SweepBusy(Conflict, RuntimeError):
    """Another process is running a sweep into the same output folder."""


@dataclass(frozen=True)
class StoredRun:
    """One row of the runs table, JSON columns decoded."""

    run_id: str
    position: int
    variant_sha256: str
    params: dict[str, Any]
    seed: int
    repetition: int
    kind: str
    status: RunStatus
    attempts: int
    scorecard: dict[str, Any] | None
    violations: dict[str, Any] | None
    error: str | None
    tokens: int
    cost: float
    started_at: str | None
    finished_at: str | None
    elapsed: float | None
    worker: str | None


class Store:
    """Read and write a sweep's runs; one instance per process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the sweep ------------------------------------------------------------------------

    def bind(self, meta: dict[str, str]) -> None:
        """Record the sweep's definition, or check that the folder holds the same one."""
        held = self.meta()
        if not held:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany("INSERT INTO sweep VALUES (?, ?)", sorted(meta.items()))
            return
        if held.get("name") != meta["name"]:
            held_name = held.get("name")
            raise StoreMismatch(f"{self.path} holds sweep {held_name!r}, not {meta['name']!r}; use another --out")
        if held.get("definition_sha256") != meta["definition_sha256"]:
            raise StoreMismatch(
                f"{self.path} holds sweep {meta['name']!r} with another definition (the sweep file or its scenario "
                "changed since it started); use another --out, or restore the file"
            )

    def meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._db.execute("SELECT key, value FROM sweep")}

    def add(self, planned: Iterable[tuple[PlannedRun, str]]) -> int:
        """Add the planned runs (with their kind) the store lacks, as pending; return how many were new."""
        rows = [
            (run.run_id, n, run.variant.sha256, canonical(run.variant.params), run.seed, run.repetition, kind)
            for n, (run, kind) in enumerate(planned)
        ]
        before = self.count()
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO runs (run_id, position, variant_sha256, variant, seed, repetition, kind, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
                rows,
            )
        return self.count() - before

    # -- runs -------------------------------------------------------------------------------

    def unfinished(self) -> list[str]:
        """Ids of the runs to (re)run, in plan order: pending, failed, and running ones (a broken run)."""
        rows = self._db.execute("SELECT run_id FROM runs WHERE status != 'done' ORDER BY position")
        return [str(r[0]) for r in rows]

    def mark_running(self, run_id: str) -> None:
        self._db.execute(
            "UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = ?, finished_at = NULL,"
            " error = NULL WHERE run_id = ?",
            (utc_now(), run_id),
        )

    def finish(self, result: RunResult) -> None:
        """Record a run's result (scorecard, tally, usage, timings) in one transaction."""
        usage = usage_of(result.scorecard)
        self._db.execute(
            "UPDATE runs SET status = ?, scorecard = ?, violations = ?, error = ?, tokens = ?, cost = ?,"
            " started_at = ?, finished_at = ?, elapsed = ?, worker = ? WHERE run_id = ?",
            (
                result.status,
                None if result.scorecard is None else json.dumps(result.scorecard),
                None if result.violations is None else json.dumps(result.violations),
                result.error,
                usage.tokens,
                usage.cost,
                result.started_at,
                result.finished_at,
                result.elapsed,
                result.worker,
                result.run_id,
            ),
        )

    def count(self, status: RunStatus | None = None) -> int:
        if status is None:
            return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM runs WHERE status = ?", (status,)).fetchone()[0])

    def counts(self) -> dict[str, int]:
        found = dict(self._db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
        return {s: int(found.get(s, 0)) for s in ("pending", "running", "done", "failed")}

    def usage(self) -> Usage:
        """Tokens and cost recorded over the whole sweep."""
        tokens, cost = self._db.execute("SELECT COALESCE(SUM(tokens), 0), COALESCE(SUM(cost), 0) FROM runs").fetchone()
        return Usage(int(tokens), float(cost))

    def runs(self) -> Iterator[StoredRun]:
        """Every run, in plan order."""
        for row in self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM runs ORDER BY position"):
            yield _stored(row)

    def run(self, run_id: str) -> StoredRun | None:
        row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return None if row is None else _stored(row)


_COLUMNS = (
    "run_id",
    "position",
    "variant_sha256",
    "variant",
    "seed",
    "repetition",
    "kind",
    "status",
    "attempts",
    "scorecard",
    "violations",
    "error",
    "tokens",
    "cost",
    "started_at",
    "finished_at",
    "elapsed",
    "worker",
)


def _stored(row: tuple[Any, ...]) -> StoredRun:
    values = dict(zip(_COLUMNS, row, strict=True))
    return StoredRun(
        run_id=values["run_id"],
        position=values["position"],
        variant_sha256=values["variant_sha256"],
        params=json.loads(values["variant"]),
        seed=values["seed"],
        repetition=values["repetition"],
        kind=values["kind"],
        status=values["status"],
        attempts=values["attempts"],
        scorecard=None if values["scorecard"] is None else json.loads(values["scorecard"]),
        violations=None if values["violations"] is None else json.loads(values["violations"]),
        error=values["error"],
        tokens=values["tokens"],
        cost=values["cost"],
        started_at=values["started_at"],
        finished_at=values["finished_at"],
        elapsed=values["elapsed"],
        worker=values["worker"],
    )
