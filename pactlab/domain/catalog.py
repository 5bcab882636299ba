"""Find scenarios (and other shipped files) by path or by the name of a shipped file.

Shipped files are package data: see `pactlab.shipped`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

from pactlab.domain.loader import FileError, Problem, load_model
from pactlab.domain.scenario import Scenario

Folder = Literal["scenarios", "sweeps", "leagues"]

_SOURCE_TREE = Path(__file__).resolve().parents[2]


def shipped_folder(folder: Folder) -> Path:
    """The folder of shipped files of one kind, wherever pactlab is installed.

    pactlab is installed unpacked (never zipped), so the package resource is a real folder; an
    editable install has only the source tree's folder beside the package.
    """
    installed = Path(str(resources.files("pactlab.shipped"))) / folder
    return installed if installed.is_dir() else _SOURCE_TREE / folder


def shipped_files(folder: Path) -> dict[str, Path]:
    """The YAML files of a folder of shipped files, by name (file stem), sorted."""
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))}


SHIPPED_SCENARIOS = shipped_folder("scenarios")


def resolve_file(name_or_path: str | Path, folder: Path, what: str) -> Path:
    """A file from a path, or from the name of a shipped file in `folder`; FileError lists the names."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = shipped_files(folder)
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    names = ", ".join(shipped) or "none found"
    raise FileError(
        [Problem(str(name_or_path), None, None, "", f"no such file, and not a shipped {what} (shipped: {names})")]
    )


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario names (file stems) and their paths."""
    return shipped_files(SHIPPED_SCENARIOS)


def resolve_scenario(name_or_path: str) -> Path:
    """A scenario file from a path, or from the name of a shipped scenario (e.g. ``ecosystem``)."""
    return resolve_file(name_or_path, SHIPPED_SCENARIOS, "scenario")


class LoadedScenario(NamedTuple):
    """A validated scenario and the file it came from: ``loaded.scenario``, ``loaded.path``.

    A named tuple, so ``scenario, path = load_scenario(...)`` unpacks it too.
    """

    scenario: Scenario
    path: Path


def load_scenario(name_or_path: str | Path) -> LoadedScenario:
    """Load and validate a scenario file, or a shipped scenario by name (e.g. ``ecosystem``).

    Returns the `Scenario` and its file as a `LoadedScenario` (``load_scenario(x).scenario`` for
    the scenario alone). Raises FileError naming file, line and field of every problem.
    """
    path = resolve_scenario(str(name_or_path))
    return LoadedScenario(load_model(path, Scenario), path)
