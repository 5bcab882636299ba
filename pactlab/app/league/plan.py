"""Load a league file and expand it into a sweep's runs: types × scenarios × seats × seeds.

Seating, for a scenario with parties p1..pn (its own order) and types T1..Tk:

- for every ordered pair of different types (focal, opponent) and every seat i, the focal type
  sits in seat i and the opponent type in every other seat;
- an assignment that repeats is run once: with two parties, "A in p1 against B" is "B in p2
  against A", so a two-party scenario has k·(k-1) assignments, an n-party one (n ≥ 3) k·(k-1)·n;
- with ``self_play``, every type also fills every seat on its own (k more).

So every type sits in every seat against every other type. Each assignment runs once per seed
(and repetition). The size is computed from these counts before anything is expanded, and
refused above `MAX_RUNS`. The expansion becomes a `LoadedSweep` (one variant per scenario and
assignment), so the league runs on the sweep machinery: its store, budget, resume and backends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.registry import parse_spec
from pactlab.app.league.model import League
from pactlab.app.sweeps.loading import LoadedSweep
from pactlab.app.sweeps.model import Sweep
from pactlab.app.sweeps.plan import Variant, YamlLoc, canonical, runs
from pactlab.app.sweeps.settings import (
    NEGOTIATORS,
    Prepared,
    SettingError,
    VariantError,
    check_key,
    negotiator_kind,
    prepare,
    provider_of,
)
from pactlab.domain.catalog import load_scenario
from pactlab.domain.limits import MAX_RUNS  # types × scenarios × seats × seeds × repetitions
from pactlab.domain.loader import FileError, Problem, load_model, locate_problems
from pactlab.domain.scenario import Scenario
from policies import PolicySet, load_policy_set


@dataclass(frozen=True)
class LeagueScenario:
    label: str
    scenario: Scenario  # with the league's and the entry's fixed settings applied
    path: Path
    policies: PolicySet | None


@dataclass(frozen=True)
class LoadedLeague:
    """A league file checked and expanded: its scenarios and the sweep that runs it."""

    league: League
    path: Path
    scenarios: list[LeagueScenario]
    sweep: LoadedSweep

    @property
    def types(self) -> dict[str, str]:
        return {t.name: t.spec for t in self.league.negotiators}


def assignment_count(parties: int, types: int, self_play: bool = False) -> int:
    """How many distinct seat assignments `seat_assignments` makes (see the module docstring)."""
    pairs = types * (types - 1)
    return (pairs if parties == 2 else pairs * parties) + (types if self_play else 0)


def seat_assignments(parties: int, types: Sequence[str], self_play: bool = False) -> list[tuple[str, ...]]:
    """The type in each seat, one tuple per assignment: focal in seat i, opponent in the others."""
    found: dict[tuple[str, ...], None] = {}
    for focal in types:
        for opponent in types:
            if focal == opponent:
                continue
            for seat in range(parties):
                found[tuple(focal if k == seat else opponent for k in range(parties))] = None
    if self_play:
        for kind in types:
            found[(kind,) * parties] = None
    return list(found)


def planned_runs(league: League, party_counts: Sequence[int]) -> int:
    """The league's size from its scenarios' party counts, without expanding anything."""
    per_seed = sum(assignment_count(n, len(league.negotiators), league.self_play) for n in party_counts)
    return per_seed * len(league.seed_list) * league.repetitions


def load_league(path: str | Path, *, check_specs: bool = True) -> LoadedLeague:
    """Load, check and expand a league file; FileError (file:line:column) lists every problem found."""
    path = Path(path)
    league = load_model(path, League)
    problems: list[tuple[YamlLoc, str]] = []
    if check_specs:
        for n, kind in enumerate(league.negotiators):
            try:
                parse_spec(kind.spec)
            except ValueError as exc:
                problems.append((("negotiators", n, "spec"), str(exc)))
    loaded: list[tuple[str, Scenario, Path, dict[str, Any], int]] = []
    for n, entry in enumerate(league.scenarios):
        try:
            scenario, scenario_path = _scenario(entry.scenario, path)
        except FileError as exc:
            if exc.problems and exc.problems[0].line is None:
                problems.append((("scenarios", n), exc.problems[0].message))
                continue
            raise
        settings = {**league.fixed, **entry.fixed}
        base = scenario.model_dump(mode="json")
        for key in settings:
            where: YamlLoc = ("scenarios", n, "fixed", key) if key in entry.fixed else ("fixed", key)
            if key == NEGOTIATORS or key.startswith(NEGOTIATORS + "."):
                problems.append((where, "the league seats the negotiators; list them under 'negotiators'"))
                continue
            try:
                check_key(key, base)
            except SettingError as exc:
                problems.append((where, f"scenario {entry.scenario!r}: {exc}"))
        loaded.append((entry.label or scenario.id, scenario, scenario_path, settings, n))
    labels = [label for label, *_ in loaded]
    for label, *_, n in loaded:
        if labels.count(label) > 1:
            problems.append((("scenarios", n), f"scenario {label!r} is listed twice; give one a 'label'"))
    if problems:
        raise _located(path, problems)
    size = planned_runs(league, [len(s.parties) for _, s, *_ in loaded])
    if size > MAX_RUNS:
        message = (
            f"the league plans {size:,} runs, more than {MAX_RUNS:,}: use fewer types, scenarios or seeds "
            "(PACTLAB_MAX_RUNS raises the limit)"
        )
        raise _located(path, [(("negotiators",), message)])
    prepared_scenarios = []
    for label, scenario, scenario_path, settings, n in loaded:
        try:
            applied = prepare(scenario, settings, _policies(path.parent), check_specs=False)
        except VariantError as exc:
            for error in exc.errors:
                culprit = error.key
                in_entry = culprit is not None and culprit in league.scenarios[n].fixed
                at: YamlLoc = ("scenarios", n)
                if culprit is not None:
                    at = ("scenarios", n, "fixed", culprit) if in_entry else ("fixed", culprit)
                problems.append((at, f"scenario {label!r}: {error}"))
            continue
        prepared_scenarios.append(LeagueScenario(label, applied.scenario, scenario_path, applied.policies))
    if problems:
        raise _located(path, problems)
    return LoadedLeague(league, path, prepared_scenarios, _sweep(league, path, prepared_scenarios))


def _sweep(league: League, path: Path, scenarios: list[LeagueScenario]) -> LoadedSweep:
    """The league as a sweep: one variant per scenario and seat assignment."""
    specs = {t.name: t.spec for t in league.negotiators}
    variants: list[Variant] = []
    prepared: dict[str, Prepared] = {}
    for entry in scenarios:
        scenario = entry.scenario
        sha = scenario.sha256()
        policy = None if entry.policies is None else entry.policies.model_dump(mode="json")
        for assignment in seat_assignments(len(scenario.parties), league.type_names, league.self_play):
            seats = [[party, kind] for party, kind in zip(scenario.party_ids, assignment, strict=True)]
            agents = {party: specs[kind] for party, kind in seats}
            params: dict[str, Any] = {
                "scenario": entry.label,
                "seats": seats,
                "max_rounds": scenario.protocol.max_rounds,
            }
            settings = {"scenario_sha256": sha, "agents": agents, "policies": policy, **params}
            digest = hashlib.sha256(canonical(settings).encode()).hexdigest()
            variants.append(Variant(len(variants), params, settings, digest, ("negotiators",)))
            kinds = {negotiator_kind(spec) for spec in agents.values()}
            providers = sorted({provider_of(s) for s in agents.values() if negotiator_kind(s) == "llm"})
            prepared[digest] = Prepared(
                scenario,
                agents,
                entry.policies,
                "llm" if "llm" in kinds else "strategy",
                tuple(providers),
                source=str(entry.path),
            )
    sweep = Sweep(
        name=league.name,
        description=league.description,
        scenario=str(scenarios[0].path),
        seeds=league.seed_list,
        repetitions=league.repetitions,
        variants=[v.params for v in variants],
        budget=league.budget,
        limits=league.limits,
    )
    definition = canonical(
        {"league": league.model_dump(mode="json"), "scenarios": [s.scenario.sha256() for s in scenarios]}
    )
    return LoadedSweep(
        sweep=sweep,
        path=path,
        scenario=scenarios[0].scenario,
        scenario_path=scenarios[0].path,
        variants=variants,
        prepared=prepared,
        runs=runs(sweep, variants),
        definition_sha256=hashlib.sha256(definition.encode()).hexdigest(),
    )


def _scenario(name: str, league_path: Path) -> tuple[Scenario, Path]:
    beside = league_path.parent / name
    return load_scenario(str(beside) if beside.is_file() else name)


def _policies(folder: Path) -> Any:
    cache: dict[tuple[str, str], PolicySet] = {}

    def resolve(name: str, scenario: Scenario) -> PolicySet:
        key = (name, scenario.sha256())
        if key not in cache:
            beside = folder / name
            try:
                cache[key], _ = load_policy_set(beside if beside.is_file() else name)
            except FileError as exc:
                raise ValueError("; ".join(str(p) for p in exc.problems[:3])) from None
        return cache[key]

    return resolve


def _located(path: Path, found: list[tuple[YamlLoc, str]]) -> FileError:
    unique = list(dict.fromkeys(found))[:20]
    problems = sorted(locate_problems(path, unique), key=lambda p: (p.line or 0, p.column or 0))
    return FileError(problems or [Problem(str(path), None, None, "", "invalid league")])


__all__ = ["MAX_RUNS", "LoadedLeague", "assignment_count", "load_league", "planned_runs", "seat_assignments"]
