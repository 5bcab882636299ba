"""Routing and resilience: model-backed runs go to asyncio within the budget; a dead worker fails only its run."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

from pactlab.app.sweeps import Store, load_sweep, run_sweep
from pactlab.app.sweeps.aio import AsyncBackend
from pactlab.app.sweeps.backend import Events
from pactlab.app.sweeps.model import Budget, Limits
from pactlab.app.sweeps.pool import LocalBackend
from pactlab.app.sweeps.tasks import RunResult, RunTask, utc_now
from tests.sweeps.conftest import WriteSweep

LLM_SWEEP = Path(__file__).resolve().parents[2] / "sweeps" / "llm_vs_strategies_sweep.yaml"


def fake_result(task: RunTask, tokens: int = 0) -> RunResult:
    card = {"outcome": "agreement", "tokens": tokens, "cost": tokens / 1000}
    return RunResult(task.run_id, "done", card, None, None, utc_now(), utc_now(), 0.0, "fake")


class SerialFake:
    """A CPU backend stand-in that records what it was given."""

    name = "fake"

    def __init__(self) -> None:
        self.kinds: list[str] = []

    def run(self, tasks: Iterator[RunTask], events: Events) -> None:
        for task in tasks:
            self.kinds.append(task.kind)
            events.started(task)
            events.finished(fake_result(task))


def test_model_backed_runs_go_to_asyncio_and_stop_at_the_token_budget(tmp_path: Path) -> None:
    loaded = load_sweep(LLM_SWEEP, check_specs=False)  # the structure only: no model is called
    seen: list[RunTask] = []

    async def fake_llm(task: RunTask) -> RunResult:
        seen.append(task)
        await asyncio.sleep(0)
        return fake_result(task, tokens=1000)

    cpu = SerialFake()
    llm = AsyncBackend(Limits(concurrency=2, tokens_per_minute={"default": 10**9}), run=fake_llm)
    first = run_sweep(loaded, tmp_path, cpu, budget=Budget(max_tokens=5000), llm_backend=llm)
    assert cpu.kinds == ["strategy"] * 12  # 2 strategy variants x 3 seeds x 2 repetitions
    assert {t.kind for t in seen} == {"llm"} and all(t.providers == ("default",) for t in seen)
    assert 5 <= len(seen) <= 6  # checked before each start: runs under way finish
    assert first.stopped is not None and first.stopped.startswith("max tokens (5,000) reached")
    with Store(tmp_path / "sweep.sqlite") as store:
        assert store.usage().tokens == 1000 * len(seen)
    # The budget covers the sweep across restarts: tokens already spent still count.
    again = run_sweep(loaded, tmp_path, cpu, budget=Budget(max_tokens=5000), llm_backend=llm)
    assert again.ran == 0 and again.stopped is not None
    rest = run_sweep(loaded, tmp_path, cpu, budget=Budget(max_tokens=10**6), llm_backend=llm)
    assert rest.done == rest.total == 36 and len(seen) == 24


def dies_on_seed_1(task: RunTask) -> RunResult:
    """Kills its worker process for seed 1 (a crash the pool must survive)."""
    if task.seed == 1:
        os._exit(1)
    return fake_result(task)


def test_a_dead_worker_fails_its_run_and_the_sweep_goes_on(write_sweep: WriteSweep, tmp_path: Path) -> None:
    loaded = load_sweep(write_sweep("name: crash\nscenario: platform_material\nseeds: [0, 1, 2, 3]\n"))
    outcome = run_sweep(loaded, tmp_path, LocalBackend(1, function=dies_on_seed_1))
    assert (outcome.done, outcome.failed) == (3, 1)
    with Store(tmp_path / "sweep.sqlite") as store:
        failed = [r for r in store.runs() if r.status == "failed"]
    assert {r.seed for r in failed} == {1} and all("worker process died" in (r.error or "") for r in failed)
