"""What a backend is: it pulls tasks as it has room for them and reports each start and result.

The task iterator decides when to stop (the budget): a backend never pulls a task it cannot
start at once, so stopping the iterator stops the sweep after the runs under way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from pactlab.app.sweeps.tasks import RunResult, RunTask


class Events(Protocol):
    def started(self, task: RunTask) -> None: ...

    def finished(self, result: RunResult) -> None: ...


class Backend(Protocol):
    name: str

    def run(self, tasks: Iterator[RunTask], events: Events) -> None:
        """Run every task the iterator yields; report each start and each result (in the calling thread)."""
        ...
