"""The asyncio runner for model-backed runs: concurrency limit, tokens per minute, budget stop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from pactlab.app.sweeps.aio import AsyncBackend, RateLimits, run_all
from pactlab.app.sweeps.budget import BudgetState, Usage, usage_of
from pactlab.app.sweeps.model import Budget, Limits
from pactlab.app.sweeps.tasks import RunResult, RunTask


def task(n: int, providers: tuple[str, ...] = ("openai",)) -> RunTask:
    return RunTask(f"r{n}", {}, "sha", "", {}, None, n, f"/nowhere/r{n}", "llm", providers)


class Events:
    def __init__(self) -> None:
        self.started_ids: list[str] = []
        self.results: list[RunResult] = []

    def started(self, t: RunTask) -> None:
        self.started_ids.append(t.run_id)

    def finished(self, r: RunResult) -> None:
        self.results.append(r)


def result(t: RunTask, tokens: int = 0) -> RunResult:
    return RunResult(t.run_id, "done", {"outcome": "agreement", "tokens": tokens}, None, None, "", "", 0.0, "fake")


def test_never_more_runs_at_once_than_the_limit() -> None:
    active = peak = 0

    async def fake(t: RunTask) -> RunResult:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.001 * (t.seed % 3))
        active -= 1
        return result(t)

    events = Events()
    AsyncBackend(Limits(concurrency=3), run=fake).run(iter([task(n) for n in range(20)]), events)
    assert peak == 3
    assert sorted(r.run_id for r in events.results) == sorted(f"r{n}" for n in range(20))


def test_tokens_per_minute_holds_runs_back_per_provider() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # a fake clock: sleeping moves time on
        waits.append(seconds)
        now[0] += seconds
        await asyncio.sleep(0)

    limits = RateLimits(2, {"openai": 1000}, clock=lambda: now[0], sleep=sleep)
    starts: dict[str, float] = {}

    async def fake(t: RunTask) -> RunResult:
        starts[t.run_id] = now[0]
        now[0] += 1.0
        return result(t, tokens=600)

    tasks = [task(0), task(1), task(2, ("local",)), task(3)]
    asyncio.run(run_all(iter(tasks), Events(), fake, limits))
    # r0 and r1 spend 1,200 tokens by t=2: r3 waits until r0's tokens leave the 60 s window.
    assert starts["r0"] == 0.0 and starts["r3"] >= 60.0
    assert starts["r2"] < 60.0  # another provider is not held back
    assert waits == [58.0] and limits.recent("local") == 600  # counted, but without a limit


def test_budget_stops_pulling_tasks() -> None:
    state = BudgetState(Budget(max_tokens=1000))

    def tasks() -> Iterator[RunTask]:
        for n in range(10):
            if state.exhausted() is not None:
                return
            yield task(n)

    class Spending(Events):
        def started(self, t: RunTask) -> None:
            super().started(t)
            state.started += 1

        def finished(self, r: RunResult) -> None:
            super().finished(r)
            state.spent += usage_of(r.scorecard)

    async def fake(t: RunTask) -> RunResult:
        await asyncio.sleep(0)
        return result(t, tokens=400)

    events = Spending()
    AsyncBackend(Limits(concurrency=1), run=fake).run(tasks(), events)
    assert len(events.results) == 3 and state.spent.tokens == 1200
    assert state.exhausted() == "max tokens (1,000) reached: 1,200 spent"


def test_usage_is_read_from_whatever_the_scorecard_has() -> None:
    assert usage_of({"outcome": "impasse"}) == Usage()
    assert usage_of({"tokens": 10, "cost_usd": 0.25}) == Usage(10, 0.25)
    assert usage_of({"usage": {"total_tokens": 7}}) == Usage(7, 0.0)
    assert usage_of({"parties": [{"tokens": 3, "cost": 0.1}, {"tokens": 4}]}) == Usage(7, 0.1)
    total = {"prompt_tokens": 900, "completion_tokens": 100, "cached_tokens": 500, "cost_usd": 0.02}
    assert usage_of({"llm_usage": {"parties": {}, "total": total}}) == Usage(1000, 0.02)
    assert usage_of({"llm_usage": None, "outcome": "impasse"}) == Usage()
