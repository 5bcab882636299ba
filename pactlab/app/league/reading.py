"""A league's store read back as the report's run records."""

from __future__ import annotations

import json
from pathlib import Path

from evals.league.runs import LeagueInfo, LeagueRun
from pactlab.app.league.model import League
from pactlab.app.sweeps.store import STORE, Store
from pactlab.domain.loader import FileError, parse_model
from pactlab.errors import NotFound


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
    )
    return info, runs
