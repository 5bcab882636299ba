"""The Ray backend: the same runs as tasks on a Ray cluster (``pip install 'pactlab[ray]'``).

Without an address it starts a local Ray instance with `workers` CPUs; with one
(``ray://host:10001`` or ``host:6379``) it joins that cluster. Each task runs in a temporary
folder on its node and sends its run folder's files back, so the transcripts and scorecards
land under the sweep's output folder (and its store) even without a shared filesystem. Ray
reuses worker processes, so each keeps its `execute.Worker` (checkpointer, outcome analyses).
"""

from __future__ import annotations

import dataclasses
import importlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pactlab.app.sweeps.backend import Events
from pactlab.app.sweeps.execute import execute
from pactlab.app.sweeps.tasks import RunResult, RunTask, failed


def ray_module() -> Any:
    """The `ray` package; ImportError saying how to install it if it is missing."""
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise ImportError("the Ray backend needs ray: pip install 'pactlab[ray]'") from None


def run_remote(task: RunTask, function: Callable[[RunTask], RunResult] = execute) -> RunResult:
    """Run `task` (with `function`, a module-level one) in a temporary folder and return its files with the result."""
    with tempfile.TemporaryDirectory(prefix="pactlab-") as tmp:
        local = dataclasses.replace(task, run_dir=str(Path(tmp) / task.run_id))
        result = function(local)
        folder = Path(local.run_dir)
        files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
    return dataclasses.replace(result, files=files)


class RayBackend:
    """Runs tasks as Ray tasks, at most `workers` (or the cluster's CPUs) at once."""

    name = "ray"

    def __init__(
        self, workers: int = 2, address: str | None = None, function: Callable[[RunTask], RunResult] = execute
    ) -> None:
        self.workers = workers
        self.address = address
        self.function = function  # what each task runs (`pactlab plan` plays its own kind of task)

    def run(self, tasks: Iterator[RunTask], events: Events) -> None:
        ray = ray_module()
        started_here = not ray.is_initialized()
        if started_here:
            if self.address:
                ray.init(address=self.address)
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False)
        try:
            slots = max(self.workers, int(ray.cluster_resources().get("CPU", self.workers)))
            remote = ray.remote(num_cpus=1, max_retries=0)(run_remote)
            in_flight: dict[Any, RunTask] = {}
            while True:
                while len(in_flight) < slots:
                    task = next(tasks, None)
                    if task is None:
                        break
                    events.started(task)
                    in_flight[remote.remote(task, self.function)] = task
                if not in_flight:
                    return
                done, _ = ray.wait(list(in_flight), num_returns=1)
                for ref in done:
                    task = in_flight.pop(ref)
                    try:
                        result = ray.get(ref)
                    except Exception as exc:  # the task's worker died or Ray failed it: a failed run
                        result = failed(task, f"Ray could not run the task: {exc}")
                    events.finished(result)
        finally:
            if started_here:
                ray.shutdown()
