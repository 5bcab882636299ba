"""The steps a person's input starts (a move, an approval), played in worker threads while the page follows live.

A request only checks the input and hands the step on (HTTP 202); the agents' replies can take
a while. While a step runs its rehearsal is busy (the page shows it and refuses another move),
and every move that lands bumps the rehearsal's version in the `Hub`, which the page's event
stream turns into "look again". A step that fails leaves the rehearsal where it was and a
notice for the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pactlab.app.rehearsal import RehearsalError, View
from pactlab.app.web.live import Hub
from pactlab.workflow import Event, MoveMade


class Steps:
    """Runs rehearsal steps on `workers`, one at a time per rehearsal; `pace` seconds between agent moves."""

    def __init__(self, hub: Hub, workers: ThreadPoolExecutor, pace: float = 0.0) -> None:
        self.hub = hub
        self.workers = workers
        self.pace = pace
        self._busy: set[str] = set()

    def busy(self, rid: str) -> bool:
        """Whether a step of `rid` is under way."""
        return rid in self._busy

    def start(self, rid: str, step: Callable[..., View], *args: Any) -> None:
        """Run ``step(rid, *args, on_event=...)`` in a worker; the page follows by events."""
        self._busy.add(rid)
        self.hub.clear_notice(rid)
        self.hub.bump(rid)

        def work() -> None:
            try:
                step(rid, *args, on_event=self._publisher(rid))
            except RehearsalError as exc:
                self.hub.bump(rid, notice=f"Not sent: {exc}")
            except Exception as exc:  # the page must hear of it; the rehearsal stays where it was
                self.hub.bump(rid, notice=f"The step failed: {type(exc).__name__}: {exc}")
                raise
            finally:
                self._busy.discard(rid)
                self.hub.bump(rid)

        self.workers.submit(work)

    def _publisher(self, rid: str) -> Callable[[Event], None]:
        def publish(event: Event) -> None:
            self.hub.bump(rid)
            if self.pace > 0 and isinstance(event, MoveMade) and event.status == "open":
                time.sleep(self.pace)

        return publish
