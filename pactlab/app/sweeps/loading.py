"""Load a sweep file and check every variant before anything runs; errors name file:line:column.

Checks, in order: the file's form (the Sweep model), the base scenario, every setting's key
(a field path with the valid keys listed, ``policies``, ``negotiators[.PARTY]``), the design
(a grid range without a step, a repeated variant), then every variant applied to the
scenario and re-validated (values of the wrong type, invalid combinations, unknown
negotiators or policy sets).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pactlab.app.sweeps.model import Sweep
from pactlab.app.sweeps.plan import PlanError, PlannedRun, Variant, YamlLoc, canonical, runs, variants
from pactlab.app.sweeps.settings import Prepared, SettingError, VariantError, check_key, prepare
from pactlab.domain.catalog import load_scenario
from pactlab.domain.loader import FileError, Problem, load_model, locate_problems
from pactlab.domain.scenario import Scenario
from policies import PolicySet, load_policy_set

MAX_PROBLEMS = 20
"""Problems reported at most (the same mistake tends to repeat in every variant)."""


@dataclass(frozen=True)
class LoadedSweep:
    """A sweep file checked and expanded: its variants, each one's prepared run, and every run."""

    sweep: Sweep
    path: Path
    scenario: Scenario
    scenario_path: Path
    variants: list[Variant]
    prepared: dict[str, Prepared]  # by variant hash
    runs: list[PlannedRun]
    definition_sha256: str  # the sweep and the base scenario, canonical: changes if either does


def load_sweep(path: str | Path, *, check_specs: bool = True) -> LoadedSweep:
    """Load, expand and check a sweep file; FileError lists every problem found.

    `check_specs=False` skips checking negotiator specs against the registry (to read a sweep
    whose negotiators are not installed).
    """
    path = Path(path)
    sweep = load_model(path, Sweep)
    scenario, scenario_path = _scenario(sweep, path)
    base = scenario.model_dump(mode="json")
    problems: list[tuple[YamlLoc, str]] = []
    for key, where in _keys(sweep):
        try:
            check_key(key, base)
        except SettingError as exc:
            problems.append((where, str(exc)))
    if problems:
        raise _located(path, problems)
    try:
        planned = variants(sweep)
        all_runs = runs(sweep, planned)
    except PlanError as exc:
        raise _located(path, [(exc.where, str(exc))]) from None
    resolver = _PolicyCache(path.parent)
    prepared: dict[str, Prepared] = {}
    for variant in planned:
        try:
            prepared[variant.sha256] = prepare(scenario, variant.settings, resolver, check_specs=check_specs)
        except VariantError as exc:
            for error in exc.errors:
                where = variant.sources.get(error.key, variant.where) if error.key is not None else variant.where
                problems.append((where, str(error)))
    if problems:
        raise _located(path, problems)
    definition = canonical({"sweep": sweep.model_dump(mode="json"), "scenario": scenario.sha256()})
    return LoadedSweep(
        sweep=sweep,
        path=path,
        scenario=scenario,
        scenario_path=scenario_path,
        variants=planned,
        prepared=prepared,
        runs=all_runs,
        definition_sha256=hashlib.sha256(definition.encode()).hexdigest(),
    )


def _scenario(sweep: Sweep, path: Path) -> tuple[Scenario, Path]:
    beside = path.parent / sweep.scenario
    try:
        return load_scenario(str(beside) if beside.is_file() else sweep.scenario)
    except FileError as exc:
        if exc.problems and exc.problems[0].line is None and "shipped" in exc.problems[0].message:
            raise _located(path, [(("scenario",), exc.problems[0].message)]) from None
        raise


def _keys(sweep: Sweep) -> Iterable[tuple[str, YamlLoc]]:
    yield from ((key, ("fixed", key)) for key in sweep.fixed)
    if sweep.grid is not None:
        yield from ((key, ("grid", key)) for key in sweep.grid)
    if sweep.random is not None:
        yield from ((key, ("random", "vary", key)) for key in sweep.random.vary)
    for n, variant in enumerate(sweep.variants or []):
        yield from ((key, ("variants", n, key)) for key in variant)


def _located(path: Path, found: list[tuple[YamlLoc, str]]) -> FileError:
    unique = list(dict.fromkeys(found))
    problems = sorted(locate_problems(path, unique[:MAX_PROBLEMS]), key=lambda p: (p.line or 0, p.column or 0))
    if len(unique) > MAX_PROBLEMS:
        problems.append(Problem(str(path), None, None, "", f"... and {len(unique) - MAX_PROBLEMS} more problem(s)"))
    return FileError(problems)


class _PolicyCache:
    """Policy sets by name or path (a path relative to the sweep file first), checked per scenario."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: dict[tuple[str, str], PolicySet] = {}

    def __call__(self, name: str, scenario: Scenario) -> PolicySet:
        key = (name, scenario.sha256())
        if key not in self._loaded:
            beside = self.folder / name
            try:
                self._loaded[key], _ = load_policy_set(beside if beside.is_file() else name)
            except FileError as exc:
                raise ValueError("; ".join(str(p) for p in exc.problems[:3])) from None
        return self._loaded[key]
