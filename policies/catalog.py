"""Find policy sets by the name of a shipped set (``fair-and-open``, ``minimal``) or by path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pactlab.domain.catalog import resolve_file, shipped_files
from pactlab.domain.loader import load_model
from policies.model import PolicySet

SHIPPED_POLICY_SETS = Path(str(resources.files("policies") / "sets"))


def shipped_policy_sets() -> dict[str, Path]:
    """Shipped policy-set names (file stems) and their paths."""
    return shipped_files(SHIPPED_POLICY_SETS)


def resolve_policy_set(name_or_path: str | Path) -> Path:
    """A policy-set file from a path, or from the name of a shipped set."""
    return resolve_file(name_or_path, SHIPPED_POLICY_SETS, "policy set")


def load_policy_set(name_or_path: str | Path) -> tuple[PolicySet, Path]:
    """Load and validate a policy set; it runs on any valid scenario (its rules judge clause meaning).

    Raises FileError naming file, line and field of every problem in the file itself.
    """
    path = resolve_policy_set(name_or_path)
    return load_model(path, PolicySet), path
