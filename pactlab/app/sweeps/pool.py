"""The local backend: a pool of worker processes for CPU-bound strategy runs (2 by default).

Workers are spawned (not forked), each keeps one `execute.Worker`, and at most `workers`
runs are under way at once, so a run marked running in the store is running. A worker that
dies (killed, out of memory) fails the runs it had; the pool is replaced and the sweep goes on.
Workers die with the process that started them: a killed sweep leaves no worker behind.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from pactlab.app.sweeps.backend import Events
from pactlab.app.sweeps.execute import execute, warm_up
from pactlab.app.sweeps.tasks import RunResult, RunTask, failed


class LocalBackend:
    """Runs tasks on `workers` local processes."""

    name = "local"

    def __init__(self, workers: int = 2, function: Callable[[RunTask], RunResult] = execute) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        self.function = function  # a module-level function: spawned workers import it

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=warm_up,
            initargs=(os.getpid(),),
        )

    def run(self, tasks: Iterator[RunTask], events: Events) -> None:
        pool = self._pool()
        in_flight: dict[Future[RunResult], RunTask] = {}
        try:
            while True:
                while len(in_flight) < self.workers:
                    task = next(tasks, None)
                    if task is None:
                        break
                    events.started(task)
                    in_flight[pool.submit(self.function, task)] = task
                if not in_flight:
                    return
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    task = in_flight.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool as exc:
                        broken = True
                        result = failed(task, f"a worker process died while running this run: {exc}")
                    events.finished(result)
                if broken:
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = self._pool()
        finally:
            pool.shutdown(wait=not in_flight, cancel_futures=True)
