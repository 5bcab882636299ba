"""A sweep's store read back as the report's run records."""

from __future__ import annotations

import json
from pathlib import Path

from evals.sweeps.runs import SweepInfo, SweepRun, from_json
from pactlab.app.sweeps.loading import load_sweep
from pactlab.app.sweeps.store import STORE, Store
from pactlab.domain.scenario import Scenario
from pactlab.errors import NotFound, PactlabError


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


def variant_scenarios(folder: Path) -> tuple[dict[str, Scenario], str]:
    """Each variant's scenario by variant hash, for the report's Pareto frontiers, from the sweep file the
    store names; ``({}, why)`` when that file is gone, unreadable or no longer the one that was run."""
    path = folder / STORE
    if not path.is_file():
        raise NoSweep(f"no sweep store at {path}; pass the --out folder of a 'pactlab explore' run")
    with Store(path) as store:
        meta = store.meta()
    sweep_file = Path(meta.get("sweep_file", ""))
    if not sweep_file.is_file():
        return {}, f"no frontier drawn: the sweep file {sweep_file} is not at hand"
    try:
        loaded = load_sweep(sweep_file, check_specs=False)
    except PactlabError as exc:
        return {}, f"no frontier drawn: the sweep file {sweep_file} no longer loads ({str(exc).splitlines()[0]})"
    if loaded.definition_sha256 != meta.get("definition_sha256"):
        return {}, f"no frontier drawn: {sweep_file} (or its scenario) changed since the sweep ran"
    return {variant: prepared.scenario for variant, prepared in loaded.prepared.items()}, ""
