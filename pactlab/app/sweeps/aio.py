"""The asyncio backend for model-backed (LLM) runs: I/O-bound, so many at once in one process.

A run's turns are sequential, so a run has at most one model call in flight: the global
limit on concurrent runs is the limit on concurrent model calls. Tokens per minute are
limited per provider over a sliding 60-second window: a run starts only when every provider
it uses is under its limit, and its tokens (from its scorecard) count against each of them
when it ends. The negotiation itself is synchronous, so each run goes to a thread.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from pactlab.app.sweeps.backend import Events
from pactlab.app.sweeps.budget import usage_of
from pactlab.app.sweeps.execute import execute
from pactlab.app.sweeps.model import Limits
from pactlab.app.sweeps.tasks import RunResult, RunTask

WINDOW = 60.0
"""Seconds over which tokens per minute are counted."""

RunFunction = Callable[[RunTask], Awaitable[RunResult]]


class RateLimits:
    """A global limit on concurrent runs and a tokens-per-minute limit per provider."""

    def __init__(
        self,
        concurrency: int,
        tokens_per_minute: Mapping[str, int] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.concurrency = concurrency
        self.tokens_per_minute = dict(tokens_per_minute or {})
        self._clock = clock
        self._sleep = sleep
        self._semaphore: asyncio.Semaphore | None = None
        self._spent: dict[str, deque[tuple[float, int]]] = {}

    @asynccontextmanager
    async def slot(self, providers: Sequence[str]) -> AsyncIterator[None]:
        """Hold one of the concurrent slots, entered once every provider is under its token rate."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.concurrency)
        async with self._semaphore:
            for provider in providers:
                await self._under_rate(provider)
            yield

    def record(self, provider: str, tokens: int) -> None:
        """Count `tokens` against `provider`'s rate, now."""
        if tokens > 0:
            self._spent.setdefault(provider, deque()).append((self._clock(), tokens))

    def recent(self, provider: str) -> int:
        """Tokens `provider` used in the last minute."""
        spent = self._spent.get(provider)
        if not spent:
            return 0
        horizon = self._clock() - WINDOW
        while spent and spent[0][0] <= horizon:
            spent.popleft()
        return sum(tokens for _, tokens in spent)

    async def _under_rate(self, provider: str) -> None:
        limit = self.tokens_per_minute.get(provider)
        if limit is None:
            return
        while self.recent(provider) >= limit:
            oldest = self._spent[provider][0][0]
            await self._sleep(max(oldest + WINDOW - self._clock(), 0.01))


async def run_all(tasks: Iterator[RunTask], events: Events, run: RunFunction, limits: RateLimits) -> None:
    """Run tasks concurrently within `limits`; pull a task only when a slot could take it."""

    async def one(task: RunTask) -> RunResult:
        async with limits.slot(task.providers):
            events.started(task)
            result = await run(task)
        tokens = usage_of(result.scorecard).tokens
        for provider in task.providers:
            limits.record(provider, tokens)
        return result

    pending: set[asyncio.Task[RunResult]] = set()
    exhausted = False
    while True:
        while not exhausted and len(pending) < limits.concurrency:
            task = next(tasks, None)
            if task is None:
                exhausted = True
            else:
                pending.add(asyncio.create_task(one(task)))
        if not pending:
            return
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for finished in done:
            events.finished(finished.result())


class AsyncBackend:
    """Runs model-backed tasks on asyncio within the sweep's limits; by default each in a thread."""

    name = "asyncio"

    def __init__(self, limits: Limits, run: RunFunction | None = None) -> None:
        self.limits = limits
        self._run = run

    def run(self, tasks: Iterator[RunTask], events: Events) -> None:
        rate = RateLimits(self.limits.concurrency, self.limits.tokens_per_minute)
        if self._run is not None:
            asyncio.run(run_all(tasks, events, self._run, rate))
            return
        with ThreadPoolExecutor(self.limits.concurrency, thread_name_prefix="sweep-run") as threads:

            async def in_thread(task: RunTask) -> RunResult:
                return await asyncio.get_running_loop().run_in_executor(threads, execute, task)

            asyncio.run(run_all(tasks, events, in_thread, rate))
