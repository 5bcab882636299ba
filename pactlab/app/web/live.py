"""Live updates: a version counter per rehearsal that worker threads bump and server-sent-event streams await.

The browser does not get the moves through the stream, only word that something changed (the
new version); it then fetches the rehearsal's current view, which is read from the checkpoints.
So a stream that drops, a reload or a restarted server lose nothing: the first event of every
new stream says "look again".
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class Hub:
    """Per-rehearsal versions and notices, shared by worker threads and the event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, int] = {}
        self._notices: dict[str, str] = {}
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self.closing = threading.Event()

    def version(self, rid: str) -> int:
        with self._lock:
            return self._versions.get(rid, 0)

    def notice(self, rid: str) -> str | None:
        """The last problem a background step of this rehearsal ran into (shown to the person), if any."""
        with self._lock:
            return self._notices.get(rid)

    def bump(self, rid: str, notice: str | None = None) -> None:
        """Something changed in `rid`: wake every stream that waits on it."""
        with self._lock:
            self._versions[rid] = self._versions.get(rid, 0) + 1
            if notice is not None:
                self._notices[rid] = notice
            waiters = list(self._waiters.get(rid, ()))
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    def clear_notice(self, rid: str) -> None:
        with self._lock:
            self._notices.pop(rid, None)

    def close(self) -> None:
        """Wake every stream so that it ends (server shutdown)."""
        self.closing.set()
        with self._lock:
            waiters = [w for ws in self._waiters.values() for w in ws]
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def wait(self, rid: str, seen: int, timeout: float) -> int:
        """The version of `rid` once it differs from `seen`, or after `timeout` seconds (a keep-alive)."""
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event)
        with self._lock:
            self._waiters.setdefault(rid, set()).add(entry)
            current = self._versions.get(rid, 0)
        try:
            if current == seen and not self.closing.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout)
            return self.version(rid)
        finally:
            with self._lock:
                self._waiters.get(rid, set()).discard(entry)
