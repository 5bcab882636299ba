"""Run one negotiation of a sweep, in whatever process a backend chose.

Each process keeps one `Worker`: an in-memory checkpointer (a sweep reruns a broken run from
its start rather than resuming it, so checkpoints need not outlive the process) and the
outcome analysis (Pareto frontier, bargaining solutions) of every scenario variant it has
seen, by SHA-256, so a variant is analysed once per process, not once per run.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import traceback
from collections import OrderedDict
from pathlib import Path
from typing import Literal

from evals.audit import read_records, verify
from evals.scorecard import OutcomeAnalysis, Scorecard, analyse
from evals.sweeps.violations import tally
from pactlab.app.sweeps.tasks import RunResult, RunTask, utc_now
from pactlab.domain.run_folder import RunFolder
from pactlab.domain.scenario import Scenario
from pactlab.workflow import Negotiations, Scored
from policies import PolicySet

CACHED_VARIANTS = 64
"""Scenario variants whose outcome analysis a worker keeps (least recently used dropped first)."""


class Worker:
    """Runs negotiations one after another, sharing a checkpointer and the outcome analyses."""

    def __init__(self) -> None:
        self._runs = Negotiations(":memory:", durability="exit")
        self._cache: OrderedDict[str, tuple[Scenario, OutcomeAnalysis]] = OrderedDict()
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def close(self) -> None:
        self._runs.close()

    def prepared(self, task: RunTask) -> tuple[Scenario, OutcomeAnalysis]:
        """The task's scenario and its outcome analysis, from the cache when the variant was seen."""
        key = task.scenario_sha256
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        scenario = Scenario.model_validate(task.scenario)
        entry = (scenario, analyse(scenario))
        self._cache[key] = entry
        if len(self._cache) > CACHED_VARIANTS:
            self._cache.popitem(last=False)
        return entry

    def execute(self, task: RunTask) -> RunResult:
        """Run the task from its start (clearing what a broken attempt left); never raises."""
        started, clock = utc_now(), time.perf_counter()
        run_dir = Path(task.run_dir)
        status: Literal["done", "failed"]
        try:
            if run_dir.exists():
                shutil.rmtree(run_dir)
            card = self._negotiate(task, run_dir)
            folder = RunFolder(run_dir)
            report = verify(folder.transcript)
            if not report.ok:
                raise RuntimeError(
                    f"the run's transcript fails verification: line {report.first_bad}: {report.problem}"
                )
            scratch = folder.scorecard_json.with_suffix(".json.writing")
            scratch.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
            os.replace(scratch, folder.scorecard_json)
            violations = tally(read_records(folder.transcript))
            status, scorecard, error = "done", card.model_dump(mode="json"), None
            policy = violations.model_dump(mode="json")
        except Exception as exc:  # a failed run is a result, recorded in the store
            status, scorecard, policy = "failed", None, None
            error = "".join(traceback.format_exception_only(exc)).strip() + "\n" + traceback.format_exc(limit=-4)
        finally:
            self._runs.saver.delete_thread(task.run_id)
        return RunResult(
            task.run_id, status, scorecard, policy, error, started, utc_now(), time.perf_counter() - clock, self.name
        )

    def _negotiate(self, task: RunTask, run_dir: Path) -> Scorecard:
        scenario, analysis = self.prepared(task)
        events = self._runs.start(
            scenario,
            agents=task.agents,
            seed=task.seed,
            negotiation_id=task.run_id,
            source=task.source,
            rounds_per_step=scenario.protocol.max_rounds,  # no resume within a sweep: one superstep
            transcript=RunFolder(run_dir).transcript,
            policies=PolicySet.model_validate(task.policies) if task.policies is not None else None,
            analysis=analysis,
            audit_fsync="seal",  # a broken run is rerun from scratch: no fsync per record (about 3x faster)
        )
        scored = [event.scorecard for event in events if isinstance(event, Scored)]
        if not scored:
            raise RuntimeError(f"negotiation {task.run_id} ended without a scorecard")
        return scored[-1]


_local = threading.local()


def execute(task: RunTask) -> RunResult:
    """Run `task` with this thread's worker (one per process for the pools, one per thread for asyncio)."""
    worker: Worker | None = getattr(_local, "worker", None)
    if worker is None:
        worker = _local.worker = Worker()
    return worker.execute(task)


def warm_up(parent: int | None = None) -> None:
    """Build the worker before the first task (a process pool's initializer).

    `parent` is the pid of the process that started the pool: the worker exits as soon as
    that process is gone (killed, crashed), even if it died while the worker was starting.
    """
    if parent is not None:
        _die_with(parent)
    if getattr(_local, "worker", None) is None:
        _local.worker = Worker()


PARENT_CHECK_SECONDS = 0.5


def _die_with(parent: int) -> None:
    """Exit this worker process once `parent` is no longer its parent process.

    An orphaned worker would otherwise finish its run (minutes, with a model) holding memory.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
