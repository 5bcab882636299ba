"""Find scenarios by path or by the name of a shipped scenario."""

from __future__ import annotations

from pathlib import Path

from pactlab.loader import FileError, Problem, load_model
from pactlab.scenario import Scenario

SHIPPED_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def shipped_files(folder: Path) -> dict[str, Path]:
    """The YAML files of a folder of shipped files, by name (file stem)."""
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


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


def load_scenario(name_or_path: str) -> tuple[Scenario, Path]:
    path = resolve_scenario(name_or_path)
    return load_model(path, Scenario), path
