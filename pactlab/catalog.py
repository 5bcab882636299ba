"""Find scenarios by path or by the name of a shipped scenario."""

from __future__ import annotations

from pathlib import Path

from pactlab.loader import FileError, Problem, load_model
from pactlab.scenario import Scenario

SHIPPED_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario names (file stems) and their paths."""
    return {p.stem: p for p in sorted(SHIPPED_SCENARIOS.glob("*.yaml"))}


def resolve_scenario(name_or_path: str) -> Path:
    """A scenario file from a path, or from the name of a shipped scenario (e.g. ``ecosystem``)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = shipped_scenarios()
    if name_or_path in shipped:
        return shipped[name_or_path]
    names = ", ".join(shipped) or "none found"
    raise FileError(
        [Problem(name_or_path, None, None, "", f"no such file, and not a shipped scenario (shipped: {names})")]
    )


def load_scenario(name_or_path: str) -> tuple[Scenario, Path]:
    path = resolve_scenario(name_or_path)
    return load_model(path, Scenario), path
