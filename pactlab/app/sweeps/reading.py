"""A sweep's store read back as the report's run records."""

from __future__ import annotations

import json
from pathlib import Path

from evals.sweeps.runs import SweepInfo, SweepRun, from_json
from pactlab.app.sweeps.store import STORE, Store
from pactlab.errors import NotFound


class NoSweep(NotFound, LookupError):
    """The folder holds no sweep store."""


def read_sweep(folder: Path) -> tuple[SweepInfo, list[SweepRun]]:
    """The sweep's description and every run in `folder`'s store, in plan order."""
    path = folder / STORE
    if not path.is_file():
        raise NoSweep(f"no sweep store at {path}; pass the --out folder of a 'pactlab explore' run")
    with Store(path) as store:
        meta = store.meta()
        runs = [
            from_json(
                r.run_id,
                r.variant_sha256,
                r.params,
                r.seed,
                r.status,
                r.scorecard,
                r.violations,
                repetition=r.repetition,
                error=r.error,
                elapsed=r.elapsed,
                tokens=r.tokens,
                cost=r.cost,
            )
            for r in store.runs()
        ]
    info = SweepInfo(
        name=meta.get("name", folder.name),
        scenario_title=meta.get("scenario_title", ""),
        factors=json.loads(meta.get("factors", "[]")),
        description=meta.get("description", ""),
        seeds=json.loads(meta.get("seeds", "[]")),
        variants=int(meta.get("variants", "0")),
        design=meta.get("design", ""),
        names=json.loads(meta.get("display_names", "{}")),
    )
    return info, runs
