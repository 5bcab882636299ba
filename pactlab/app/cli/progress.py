"""Progress bars (rich) for the slow steps of large outcome spaces (`pactlab.domain.progress`).

A step's bar appears only once it has run for ``DELAY`` seconds, so small runs look as before;
bars are drawn only when the console is a terminal and the command was not given ``-q``, and
they vanish when their step ends (transient).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from pactlab.domain.progress import Handle, listening

DELAY = 1.0
"""Seconds a step runs before its bar is shown."""


class _Task:
    def __init__(self, bars: Progress, task: TaskID) -> None:
        self.bars = bars
        self.task = task
        self.timer = threading.Timer(DELAY, self._show)
        self.timer.daemon = True
        self.timer.start()

    def _show(self) -> None:
        self.bars.update(self.task, visible=True)

    def advance(self, steps: int = 1) -> None:
        self.bars.advance(self.task, steps)

    def stop(self) -> None:
        self.timer.cancel()
        self.bars.remove_task(self.task)


class RichListener:
    """Draws each task as a transient rich progress bar, shown after ``DELAY`` seconds."""

    def __init__(self, bars: Progress) -> None:
        self.bars = bars

    def start(self, label: str, total: int | None) -> Handle:
        return _Task(self.bars, self.bars.add_task(label, total=total, visible=False))


@contextmanager
def progress_bars(console: Console, quiet: bool) -> Iterator[None]:
    """Progress bars on `console` for the block's slow steps, unless `quiet` or not a terminal."""
    if quiet or not console.is_terminal:
        yield
        return
    bars = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with bars, listening(RichListener(bars)):
        yield


__all__ = ["DELAY", "RichListener", "progress_bars"]
