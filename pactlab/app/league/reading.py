"""A league's store read back as the report's run records."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from evals.audit import AuditError, read_records
from evals.league.llm import SeatLLM, is_llm_type, seat_facts
from evals.league.runs import LeagueInfo, LeagueRun
from pactlab.app.league.model import League
from pactlab.app.sweeps.store import STORE, Store
from pactlab.app.sweeps.sweeper import RUNS
from pactlab.domain.loader import FileError, parse_model
from pactlab.domain.run_folder import RunFolder
from pactlab.errors import NotFound

ENDPOINT = "llm_endpoint.json"
"""Where `pactlab league --llm ...` notes the model its LLM types used (mode, model, file and SHA-256)."""


class NoLeague(NotFound, LookupError):
    """The folder holds no league store."""


def read_league(folder: Path, command: str = "") -> tuple[LeagueInfo, list[LeagueRun]]:
    """The league's description (from the league file the store keeps) and every run, in plan order."""
    path = folder / STORE
    if not path.is_file():
        raise NoLeague(f"no league store at {path}; pass the --out folder of a 'pactlab league' run")
    with Store(path) as store:
        meta = store.meta()
        runs = [
            LeagueRun(
                run_id=r.run_id,
                scenario=str(r.params.get("scenario", "")),
                seats=tuple((str(p), str(t)) for p, t in r.params.get("seats", [])),
                seed=r.seed,
                status=r.status,
                scorecard=r.scorecard,
                max_rounds=int(r.params.get("max_rounds", 0)),
                error=r.error,
            )
            for r in store.runs()
        ]
    try:
        league = parse_model(meta.get("sweep_text", ""), League, source=meta.get("sweep_file", str(path)))
    except FileError as exc:
        raise NoLeague(f"{path} holds no league (its definition does not read as one: {exc})") from None
    llm_types = {t.name for t in league.negotiators if is_llm_type(t.spec)}
    if llm_types:
        runs = [
            replace(r, llm=_llm_facts(folder, r.run_id)) if r.done and llm_types & set(r.types) else r for r in runs
        ]
    scenarios = list(dict.fromkeys(r.scenario for r in runs))
    info = LeagueInfo(
        name=league.name,
        types={t.name: t.spec for t in league.negotiators},
        scenarios=scenarios,
        seeds=json.loads(meta.get("seeds", "[]")),
        rank_by=league.rank_by,
        self_play=league.self_play,
        description=league.description,
        command=command,
        endpoint=_endpoint(folder),
    )
    return info, runs


def _llm_facts(folder: Path, run_id: str) -> dict[str, SeatLLM] | None:
    """Per party, its model use in the run (from the run's audit trail); None if the trail is missing or bad."""
    try:
        return seat_facts(read_records(RunFolder(folder / RUNS / run_id).transcript))
    except (OSError, AuditError):
        return None


def _endpoint(folder: Path) -> dict[str, str] | None:
    try:
        data = json.loads((folder / ENDPOINT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None
