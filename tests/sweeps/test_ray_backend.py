"""The Ray backend (a local Ray instance) gives the local backend's results, in the same kind of store."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.audit import verify
from pactlab.app.sweeps import RUNS, Store, load_sweep, run_sweep
from pactlab.app.sweeps.pool import LocalBackend
from pactlab.app.sweeps.ray_backend import RayBackend
from tests.sweeps.conftest import SMALL_SWEEP, WriteSweep

ray = pytest.importorskip("ray", reason="the Ray backend is an optional extra: pip install 'pactlab[ray]'")


@pytest.mark.slow
def test_ray_backend_equals_local_backend(
    write_sweep: WriteSweep, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load_sweep(write_sweep(SMALL_SWEEP))
    local = run_sweep(loaded, tmp_path / "local", LocalBackend(2))
    # Recent Ray generates an auth token on first start; a throwaway local test instance needs none.
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        remote = run_sweep(loaded, tmp_path / "ray", RayBackend(2))
    finally:
        ray.shutdown()
    assert local.done == remote.done == 12
    with Store(tmp_path / "local" / "sweep.sqlite") as a, Store(tmp_path / "ray" / "sweep.sqlite") as b:
        on_local, on_ray = list(a.runs()), list(b.runs())
    assert [r.run_id for r in on_local] == [r.run_id for r in on_ray]
    for x, y in zip(on_local, on_ray, strict=True):
        assert (y.status, y.scorecard, y.violations) == (x.status, x.scorecard, x.violations)
        assert (y.params, y.seed) == (x.params, x.seed)
        # The Ray workers' files landed under the sweep's own folder.
        assert verify(tmp_path / "ray" / RUNS / y.run_id / "transcript.jsonl").ok
        assert (tmp_path / "ray" / RUNS / y.run_id / "scorecard.json").is_file()
