"""The result store: planned runs pending, restarts pick the unfinished ones, another sweep is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from pactlab.app.sweeps import Store, load_sweep
from pactlab.app.sweeps.store import StoreMismatch
from pactlab.app.sweeps.sweeper import open_store, sweep_meta
from pactlab.app.sweeps.tasks import RunResult
from tests.sweeps.conftest import SMALL_SWEEP, WriteSweep


def test_runs_move_from_pending_to_done_and_failed(write_sweep: WriteSweep, tmp_path: Path) -> None:
    loaded = load_sweep(write_sweep(SMALL_SWEEP))
    with open_store(loaded, tmp_path / "out") as store:
        assert store.counts() == {"pending": 12, "running": 0, "done": 0, "failed": 0}
        ids = store.unfinished()
        assert ids == [r.run_id for r in loaded.runs]
        for run_id in ids[:3]:
            store.mark_running(run_id)
        card = {"outcome": "agreement", "tokens": 120, "cost": 0.5}
        store.finish(RunResult(ids[0], "done", card, {"violations": 0}, None, "t0", "t1", 0.1, "w"))
        store.finish(RunResult(ids[1], "failed", None, None, "boom", "t0", "t1", 0.1, "w"))
        assert store.counts() == {"pending": 9, "running": 1, "done": 1, "failed": 1}
        assert ids[0] not in store.unfinished() and {ids[1], ids[2]} <= set(store.unfinished())
        assert store.usage().tokens == 120 and store.usage().cost == 0.5
        done = store.run(ids[0])
        assert done is not None and done.attempts == 1 and done.scorecard == card
        assert done.params == loaded.runs[0].variant.params
    # Reopening adds nothing and keeps what was recorded.
    with open_store(loaded, tmp_path / "out") as store:
        assert store.count() == 12 and store.count("done") == 1


def test_another_definition_is_refused(write_sweep: WriteSweep, tmp_path: Path) -> None:
    loaded = load_sweep(write_sweep(SMALL_SWEEP))
    open_store(loaded, tmp_path / "out").close()
    changed = load_sweep(write_sweep(SMALL_SWEEP.replace("{count: 3}", "{count: 4}")))
    with pytest.raises(StoreMismatch, match="another definition"):
        open_store(changed, tmp_path / "out")
    other = load_sweep(write_sweep(SMALL_SWEEP.replace("small-sweep", "other")))
    with Store(tmp_path / "out" / "sweep.sqlite") as store, pytest.raises(StoreMismatch, match="holds sweep"):
        store.bind(sweep_meta(other))
