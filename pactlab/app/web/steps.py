"""The steps a person's input starts (a move, an approval), played in worker threads while the page follows live.

A request only checks the input and hands the step on (HTTP 202); the agents' replies can take
a while. While a step runs its rehearsal is busy (the page shows it and refuses another move),
and every move that lands bumps the rehearsal's version in the `Hub`, which the page's event
stream turns into "look again". A step that fails leaves the rehearsal where it was and a
notice for the page.

A person's answer is claimed before it is checked: `claim` marks the rehearsal busy under one
lock, so of two answers sent at once exactly one is checked and played and the other is told
the table is moving (no double move). Every answer played is remembered by its fingerprint
(the action, the turn it names and its body): a repeat of it gets the first answer's result
instead of a second move (`Claim.first`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pactlab.app.rehearsal import RehearsalError, View
from pactlab.app.web.live import Hub
from pactlab.workflow import Event, MoveMade

REMEMBERED = 64
"""Answers remembered per rehearsal for repeats (the most recent ones)."""


@dataclass(frozen=True)
class Claim:
    """What `Steps.claim` decided: the caller now owns the rehearsal (`claimed`), or this exact answer was
    played already (`first`: its result), or another step is under way (neither)."""

    claimed: bool
    first: dict[str, Any] | None = None


class Steps:
    """Runs rehearsal steps on `workers`, one at a time per rehearsal; `pace` seconds between agent moves."""

    def __init__(self, hub: Hub, workers: ThreadPoolExecutor, pace: float = 0.0) -> None:
        self.hub = hub
        self.workers = workers
        self.pace = pace
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self._answered: dict[str, OrderedDict[str, dict[str, Any]]] = {}

    def busy(self, rid: str) -> bool:
        """Whether a step of `rid` is under way (or an answer to it is being checked)."""
        with self._lock:
            return rid in self._busy

    def claim(self, rid: str, fingerprint: str) -> Claim:
        """Check and claim `rid` for an answer in one step (atomic): see `Claim`."""
        with self._lock:
            first = self._answered.get(rid, OrderedDict()).get(fingerprint)
            if first is not None:
                return Claim(False, first)
            if rid in self._busy:
                return Claim(False)
            self._busy.add(rid)
            return Claim(True)

    def release(self, rid: str) -> None:
        """Give up a claim whose answer was refused (nothing was started)."""
        with self._lock:
            self._busy.discard(rid)

    def remember(self, rid: str, fingerprint: str, result: dict[str, Any]) -> None:
        """The result a repeat of this answer gets (the most recent `REMEMBERED` answers per rehearsal)."""
        with self._lock:
            seen = self._answered.setdefault(rid, OrderedDict())
            seen[fingerprint] = result
            while len(seen) > REMEMBERED:
                seen.popitem(last=False)

    def start(self, rid: str, step: Callable[..., View], *args: Any) -> None:
        """Run ``step(rid, *args, on_event=...)`` in a worker (claimed or not); the page follows by events."""
        with self._lock:
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
                self.release(rid)
                self.hub.bump(rid)

        self.workers.submit(work)

    def _publisher(self, rid: str) -> Callable[[Event], None]:
        def publish(event: Event) -> None:
            self.hub.bump(rid)
            if self.pace > 0 and isinstance(event, MoveMade) and event.status == "open":
                time.sleep(self.pace)

        return publish
