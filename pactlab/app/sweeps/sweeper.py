"""Run a sweep into its output folder: plan → store → backends → store, resumably.

The store lists every planned run. Starting (or restarting) a sweep runs the ones not done:
pending ones, failed ones and ones left running by a process that died; done runs are never
rerun, and a run is done only once its transcript verifies. One sweep writes a folder at a
time. Strategy runs go to the CPU backend (process pool or Ray), model-backed runs to the
asyncio backend; the budget is checked before each run starts.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pactlab.app.sweeps.aio import AsyncBackend
from pactlab.app.sweeps.backend import Backend
from pactlab.app.sweeps.budget import BudgetState, usage_of
from pactlab.app.sweeps.loading import LoadedSweep
from pactlab.app.sweeps.model import Budget
from pactlab.app.sweeps.plan import PlannedRun, factors
from pactlab.app.sweeps.store import STORE, Store, SweepBusy
from pactlab.app.sweeps.tasks import RunResult, RunTask, utc_now
from pactlab.workflow.provenance import code_version
from pactlab.workflow.writer_lock import sole_writer

SWEEP_LOCK = ".sweep.lock"
"""The lock file, in the output folder, that the sweep running into it holds."""

RUNS = "runs"
"""Sub-folder of the output folder holding one folder per run (transcript, scorecard)."""


class Progress(Protocol):
    def begin(self, total: int, done: int) -> None: ...

    def advance(self, result: RunResult) -> None: ...

    def end(self) -> None: ...


@dataclass
class SweepOutcome:
    """Where the sweep stands after this invocation."""

    total: int
    done: int
    failed: int
    unfinished: int
    ran: int = 0
    stopped: str | None = None  # why the budget stopped it, if it did
    elapsed: float = 0.0
    failures: list[str] = field(default_factory=list)  # run ids that failed in this invocation


def sweep_meta(loaded: LoadedSweep) -> dict[str, str]:
    """The sweep's definition as the store keeps it (a report needs nothing else)."""
    sweep = loaded.sweep
    return {
        "name": sweep.name,
        "description": sweep.description,
        "definition_sha256": loaded.definition_sha256,
        "sweep_file": str(loaded.path),
        "sweep_text": loaded.path.read_text(encoding="utf-8"),
        "scenario_id": loaded.scenario.id,
        "scenario_title": loaded.scenario.title,
        "display_names": json.dumps(
            {**{p.id: p.name for p in loaded.scenario.parties}, **{i.id: i.label for i in loaded.scenario.issues}}
        ),
        "scenario_file": str(loaded.scenario_path),
        "design": sweep.design,
        "factors": json.dumps(factors(sweep)),
        "seeds": json.dumps(sweep.seed_list),
        "repetitions": str(sweep.repetitions),
        "variants": str(len(loaded.variants)),
        "created_at": utc_now(),
        "code_version": json.dumps(code_version()),
    }


def open_store(loaded: LoadedSweep, out: Path) -> Store:
    """The output folder's store, bound to this sweep, with every planned run in it."""
    store = Store(out / STORE)
    try:
        store.bind(sweep_meta(loaded))
        store.add((run, loaded.prepared[run.variant.sha256].kind) for run in loaded.runs)
    except Exception:
        store.close()
        raise
    return store


def _sole_sweep(out: Path) -> AbstractContextManager[None]:
    """One sweep per output folder at a time: a second one is refused before it runs anything."""

    def busy(holder: str) -> SweepBusy:
        return SweepBusy(
            f"{out} is being written by another sweep{holder}; wait for it to finish (or stop it), "
            "or pass another --out"
        )

    return sole_writer(out / SWEEP_LOCK, busy)


def run_sweep(
    loaded: LoadedSweep,
    out: Path,
    backend: Backend,
    *,
    budget: Budget | None = None,
    progress: Progress | None = None,
    llm_backend: Backend | None = None,
) -> SweepOutcome:
    """Run every unfinished run of the sweep; return where it stands."""
    clock = time.perf_counter()
    with _sole_sweep(out), open_store(loaded, out) as store:
        recorder = _Recorder(store, out, BudgetState(budget or loaded.sweep.budget, spent=store.usage()), progress)
        todo = store.unfinished()
        by_id = {run.run_id: run for run in loaded.runs}
        if progress is not None:
            progress.begin(store.count(), store.count("done"))
        try:
            for kind, runner in (("strategy", backend), ("llm", llm_backend or AsyncBackend(loaded.sweep.limits))):
                chosen = [by_id[i] for i in todo if loaded.prepared[by_id[i].variant.sha256].kind == kind]
                if chosen and recorder.budget.exhausted() is None:
                    runner.run(recorder.tasks(loaded, chosen), recorder)
        finally:
            if progress is not None:
                progress.end()
        counts = store.counts()
        return SweepOutcome(
            total=store.count(),
            done=counts["done"],
            failed=counts["failed"],
            unfinished=counts["pending"] + counts["running"] + counts["failed"],
            ran=recorder.ran,
            stopped=recorder.budget.exhausted() if counts["done"] < store.count() else None,
            elapsed=time.perf_counter() - clock,
            failures=recorder.failures,
        )


class _Recorder:
    """Turns planned runs into tasks within the budget, and records each start and result."""

    def __init__(self, store: Store, out: Path, budget: BudgetState, progress: Progress | None) -> None:
        self.store = store
        self.out = out
        self.budget = budget
        self.progress = progress
        self.ran = 0
        self.failures: list[str] = []

    def tasks(self, loaded: LoadedSweep, runs: list[PlannedRun]) -> Iterator[RunTask]:
        scenarios: dict[str, dict[str, object]] = {}
        for run in runs:
            if self.budget.exhausted() is not None:
                return
            prepared = loaded.prepared[run.variant.sha256]
            sha = prepared.scenario.sha256()
            if sha not in scenarios:
                scenarios[sha] = prepared.scenario.model_dump(mode="json")
            yield RunTask(
                run_id=run.run_id,
                scenario=scenarios[sha],
                scenario_sha256=sha,
                source=prepared.source or str(loaded.scenario_path),
                agents=prepared.agents,
                policies=None if prepared.policies is None else prepared.policies.model_dump(mode="json"),
                seed=run.seed,
                run_dir=str(self.out / RUNS / run.run_id),
                kind=prepared.kind,
                providers=prepared.providers,
            )

    def started(self, task: RunTask) -> None:
        self.store.mark_running(task.run_id)
        self.budget.started += 1

    def finished(self, result: RunResult) -> None:
        if result.files:
            folder = self.out / RUNS / result.run_id
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            for name, content in result.files.items():
                (folder / name).write_bytes(content)
        self.store.finish(result)
        self.budget.spent += usage_of(result.scorecard)
        self.ran += 1
        if result.status == "failed":
            self.failures.append(result.run_id)
        if self.progress is not None:
            self.progress.advance(result)
