"""Progress of long computations, told to whoever listens (a terminal's progress bar) or to nobody.

Large outcome spaces make a few steps slow: building an agent's candidate set, the optimiser's
questions, the mediator's search. Those steps report here (`task`); the command-line
application installs a listener (`listening`, `pactlab.app.cli.progress`) that draws a bar
for any step lasting over a second, only on a terminal and never with ``-q``. Without a
listener a task costs one global read, so library use and tests see nothing. The listener is
process-global (not a context variable) because the workflow may run agents in worker threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol


class Handle(Protocol):
    """One running task of a listener."""

    def advance(self, steps: int = 1) -> None: ...

    def stop(self) -> None: ...


class Listener(Protocol):
    """What draws progress: starts a task with a label and, if known, its number of steps."""

    def start(self, label: str, total: int | None) -> Handle: ...


_listener: Listener | None = None


def _nothing(steps: int = 1) -> None:
    return None


@contextmanager
def task(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A step worth a progress bar; yields `advance(steps=1)` (a no-op without a listener)."""
    listener = _listener
    if listener is None:
        yield _nothing
        return
    handle = listener.start(label, total)
    try:
        yield handle.advance
    finally:
        handle.stop()


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Report every task to `listener` while the block runs (None: to nobody)."""
    global _listener
    before, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = before


__all__ = ["Handle", "Listener", "listening", "task"]
